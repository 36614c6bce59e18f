"""Fewer clusters than labels cap what a side shows of them (``log2(k)`` bits): a side at that cap
is recorded in ``settings[side]["information_cap"]`` (so in ``to_dict()`` and the training audit's
records) and its ``repr`` says so in one line with the fixes; a cap that cannot bind says nothing."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from pidkit.estimate import CAP_SHARE, information_cap, pid_from_representations

CLASSES = 10


def _sample(n: int, classes: int, groups: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels, a teacher whose features tell ``groups`` groups of the labels apart (``groups =
    classes``: every label), and a student of noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    centres = 3.0 * rng.normal(size=(groups, 16))
    t = centres[y % groups] + 0.5 * rng.normal(size=(n, 16))
    return y, t, rng.normal(size=(n, 16))


def _cap_lines(result: object) -> list[str]:
    """The repr's ``cap:`` notes, each joined from the lines it is wrapped into (task 321)."""
    notes = re.findall(r"^  cap: .*(?:\n {7}\S.*)*", repr(result), flags=re.MULTILINE)
    return [note.replace("\n" + " " * 7, " ") for note in notes]


@pytest.fixture(scope="module")
def knows_the_labels():
    """Task 287's case: 300 samples of 10 classes, so n_clusters='auto' gives 5 clusters a side,
    and a teacher that knows every label."""
    y, t, s = _sample(300, CLASSES, CLASSES)
    return pid_from_representations(y, t, s)


def test_a_teacher_that_knows_every_label_is_recorded_at_its_cap(knows_the_labels):
    res = knows_the_labels
    cap = res.settings["t"]["information_cap"]
    assert (cap["n_labels"], cap["n_values"]) == (10, 5)
    assert cap["cap"] == pytest.approx(math.log2(5))
    assert cap["plugin"] == pytest.approx(res.plugin["i_yt"])
    assert cap["share"] == pytest.approx(0.97984, abs=1e-5)
    assert cap["entropy_y"] == pytest.approx(3.29952, abs=1e-5)
    # the fixes: 'auto' gives 10 clusters from 10 * 10 * 10 samples; the correction takes 10 from
    # 4 * 10 * 10. The bias now: 50 of the 10 x 5 x 5 cells used (two labels per teacher cluster),
    # all 25 (t, s) pairs, so (50 - 10 - 25 + 1) / 600 nats (the plug-in's mean bias over 2000
    # draws of this joint: 0.042 bits; over every cell, 9 * 24 / 600 nats, it was 0.519). With 10
    # clusters: that, times the cells' ratio over every cell, 9 * 99 / (9 * 24).
    assert (cap["auto_samples"], cap["min_samples"], cap["cells"]) == (1000, 400, 1000)
    assert cap["bias_now"] == pytest.approx(res.bias["i_yts"]) == pytest.approx(16 / 600 / math.log(2))
    assert cap["bias"] == pytest.approx(16 / 600 / math.log(2) * 99 / 24)
    assert "information_cap" not in res.settings["s"]  # the student of noise is far below its cap
    # the atom it caps: Uni(Y:T\S) of the clusters, within noise of log2(5), not H(Y) = 3.3 bits
    assert res.uni_t == pytest.approx(2.295, abs=1e-3)


def test_the_repr_says_it_in_its_cap_note_with_the_fixes(knows_the_labels):
    assert _cap_lines(knows_the_labels) == [
        "  cap: T's 5 clusters for 10 labels hold at most log2(5) = 2.322 bits of H(Y) = 3.300, and "
        "the plug-in I(Y;T) = 2.275 is 98% of that: I(Y;T), Red and Uni(Y:T\\S) are the clusters', the "
        "features may know more. Fix: more samples: n_clusters='auto' gives 10 clusters from 1000; "
        "n_clusters=10 needs at least 400 (bias_correction='eb-extrapolation-kink' refuses fewer; 300 "
        "samples over 10x10x10 = 1000 cells: first-order plug-in bias of I(Y;T,S) 0.159 bits, "
        "against 0.0385 now)"
    ]


def test_the_record_reaches_to_dict_as_json(knows_the_labels):
    record = json.loads(json.dumps(knows_the_labels.to_dict(), allow_nan=False))
    assert record["settings"]["t"]["information_cap"]["n_values"] == 5
    assert record["settings"]["t"]["information_cap"]["note"].startswith("T's 5 clusters for 10 labels")


def test_a_cap_that_does_not_bind_records_nothing(knows_the_labels):
    # The same 5 clusters for 10 labels, but the teacher tells only 3 groups of them apart:
    # about log2(3) = 1.58 bits, 68 % of log2(5) (0.677 here), so more clusters would show no more.
    y, t, s = _sample(300, CLASSES, 3)
    res = pid_from_representations(y, t, s)
    assert res.settings["t"]["n_values"] == 5
    assert res.plugin["i_yt"] / math.log2(5) == pytest.approx(0.677, abs=1e-3)
    assert "information_cap" not in res.settings["t"] and _cap_lines(res) == []
    assert _cap_lines(knows_the_labels) != []  # where it binds, on the same number of clusters


def test_as_many_clusters_as_labels_record_nothing():
    # 4 labels, 400 samples: 'auto' gives 10 clusters, more than the labels; the teacher knows
    # every label (I(Y;T) = H(Y) = 2 bits) and no cap is recorded. With n_clusters=3 it is.
    y, t, s = _sample(400, 4, 4)
    res = pid_from_representations(y, t, s)
    assert res.settings["t"]["n_values"] == 10 and res.plugin["i_yt"] == pytest.approx(2.0, abs=0.01)
    assert "information_cap" not in res.settings["t"] and _cap_lines(res) == []
    fewer = pid_from_representations(y, t, s, n_clusters=3)
    assert fewer.settings["t"]["information_cap"]["share"] == pytest.approx(0.935, abs=1e-3)
    assert "information_cap" not in fewer.settings["s"]


def _mixed(share_of_pure: float) -> np.ndarray:
    """p[y, t] of 10 equally frequent labels and 5 clusters: with probability ``share_of_pure`` the
    cluster is y // 2, else uniform."""
    pure = np.kron(np.eye(5), np.ones((2, 1))) / 10
    return share_of_pure * pure + (1 - share_of_pure) * np.full((10, 5), 1 / 50)


def _share(p: np.ndarray) -> float:
    outer = np.outer(p.sum(axis=1), p.sum(axis=0))
    return float((p * np.log2(p / outer)).sum()) / math.log2(p.shape[1])


@pytest.mark.parametrize(("mix", "share"),
                         [(0.95, 0.8612), (0.966, 0.8990), (0.9665, 0.9002), (0.99, 0.9642)])
def test_the_threshold_is_the_share_of_log2_k(mix, share):
    p = _mixed(mix)
    assert _share(p) == pytest.approx(share, abs=1e-4)
    cap = information_cap(p, n_samples=300)
    assert (cap is not None) == (share >= CAP_SHARE)
    if cap is not None:
        assert cap["share"] == pytest.approx(share, abs=1e-4)


def test_one_cluster_or_as_many_as_the_labels_record_nothing():
    assert information_cap(np.eye(10) / 10, n_samples=300) is None  # 10 clusters, 10 labels
    assert information_cap(np.eye(10)[:, :8] / 8, n_samples=300)["n_values"] == 8  # 8 for 10: capped
    assert information_cap(np.full((10, 1), 0.1), n_samples=300) is None  # one cluster: no information


def test_the_fix_follows_the_settings():
    p = _mixed(1.0)
    none = information_cap(p, n_samples=300, method="none", units="nats", side="S")["note"]
    assert none.startswith("S's 5 clusters for 10 labels hold at most ln(5) = 1.609 nats of H(Y) = 2.303")
    assert "Red and Uni(Y:S\\T) are the clusters'" in none
    assert none.endswith("or n_clusters=10 (300 samples over 10x10x10 = 1000 cells: first-order plug-in "
                         "bias of I(Y;T,S) 1.49 nats, against 0.36 now)")
    labels = information_cap(p, n_samples=300, other_values=2)  # the student given as 2 labels
    assert (labels["auto_samples"], labels["min_samples"], labels["cells"]) == (400, 400, 200)
    assert "Fix: more samples: n_clusters='auto' gives 10 clusters from 400; n_clusters=10 needs at least " \
        "400 (bias_correction='eb-extrapolation-kink' refuses fewer; 300 samples over 10x10x2 = 200 cells" \
        in labels["note"]
    clusterer = information_cap(p, n_samples=300, set_by="clusterer")["note"]
    assert "Fix: more samples: a clusterer of 10 clusters needs at least 400 (bias_correction=" in clusterer
    reused = information_cap(p, n_samples=300, set_by="discretizers")["note"]
    assert "; T fitted afresh with n_clusters=10 (None for it in discretizers) needs at least 400 (" in reused
    assert information_cap(p, n_samples=400, set_by="clusterer")["note"].endswith(
        "Fix: a clusterer of 10 clusters (bias_correction='eb-extrapolation-kink' takes it from 400 samples; "
        "400 samples over 10x10x10 = 1000 cells: first-order plug-in bias of I(Y;T,S) 1.61 bits, against "
        "0.39 now)")
    many = np.kron(np.eye(5), np.ones((4, 1))) / 20  # 20 labels: 'auto' stops at 10 clusters
    note = information_cap(many, n_samples=2000)["note"]
    assert "Fix: n_clusters='auto' stops at 10 clusters; n_clusters=20 (bias_correction=" \
        "'eb-extrapolation-kink' takes it from 1600 samples;" in note


def test_the_cost_of_the_fix_is_scaled_from_the_bias_now():
    # The bias now as the joint's counts give it; the fix's, that times the ratio of the figures over
    # every cell: 10 x 10 x 10 against 10 x 5 x 5, (10 * 10 - 1) / (5 * 5 - 1).
    cap = information_cap(_mixed(1.0), n_samples=300, bias_now=0.04)
    assert cap["bias_now"] == 0.04 and cap["bias"] == pytest.approx(0.04 * 99 / 24)
    assert cap["note"].endswith("first-order plug-in bias of I(Y;T,S) 0.165 bits, against 0.04 now)")
    assert information_cap(_mixed(1.0), n_samples=300, bias_now=0.0)["bias"] == 0.0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"p_y_side": np.ones(5)}, "p_y_side must be the 2-D joint p[y, side] of the label and one side's "
                               "clusters, e.g. joint.p.sum(axis=2) for T; got shape (5,)."),
    ({"side": "X"}, "side must be one of ['T', 'S']; got 'X'."),
    ({"set_by": "n_cluster"}, "set_by must be one of ['n_clusters', 'clusterer', 'discretizers']; got "
                              "'n_cluster'. Did you mean 'n_clusters'?"),
    ({"bias_now": -0.1}, "bias_now must be the plug-in bias of I(Y;T,S) now, a finite number >= 0 in bits "
                         "(e.g. a RepresentationPID's bias['i_yts']), or None; got -0.1."),
    ({"bias_now": math.nan}, "bias_now must be the plug-in bias of I(Y;T,S) now, a finite number >= 0 in "
                             "bits (e.g. a RepresentationPID's bias['i_yts']), or None; got nan."),
])
def test_bad_arguments_are_named(kwargs, message):
    arguments = {"p_y_side": _mixed(1.0), "n_samples": 300, **kwargs}
    with pytest.raises(ValueError) as caught:
        information_cap(**arguments)
    assert str(caught.value) == message
