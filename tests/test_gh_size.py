"""I_GH's and I_prec's size: a joint whose polytope is too large is refused before the enumeration,
a joint the sources split into blocks is enumerated block by block (I_GH), and a long enumeration
shows a bar."""

from __future__ import annotations

import importlib.util
import math
import pickle
import re

import numpy as np
import pytest

import pidkit
from pidkit import _cdd, _polytope, _progress, examples
from pidkit.measures import entropy_nats
from pidkit.redundancy.vertex_limit import MAX_VERTICES

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("cdd") is None, reason="pycddlib (the exact extra) is not installed"
)

AND_GH_BITS = 2.5 - 1.5 * math.log2(3)


def _random(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.ones(math.prod(shape))).reshape(shape)


def _no_enumeration(*args, **kwargs):
    raise AssertionError("the vertex enumeration started")


GH_REFUSAL = (
    "measure='gh' on this 4x4x4 joint: the polytope of I_GH has 64 facets in dimension 39, so up to "
    "about 10^12 vertices to enumerate exactly (McMullen's bound), more than max_vertices=300,000; a "
    "random 3x3x3 joint (bound 104,652) takes 8-50 s on 2 cores, a 4x3x3 one (bound 4,440,150) more "
    "than ten minutes. Use measure='prec' (I_GH <= I_prec; its polytope grows with the sources' "
    "symbols, not the cells: 10x10x10 in 3-25 s), 'wedge' (a lower bound) or 'broja' (see "
    "docs/which-measure.md), merge rare symbols of the sources, or pass "
    "max_vertices=None to enumerate anyway (this can take hours or more, and gigabytes of memory; Ctrl-C "
    "stops it).")
PREC_REFUSAL = (
    "measure='prec' on this 5x16x16 joint: the polytope of I_prec has 32 facets in dimension 26, so up "
    "to 45,696 vertices to enumerate exactly (McMullen's bound), more than max_vertices=20,000; a random "
    "10x10x10 joint (bound 2,730) takes 3-25 s on 2 cores, a 4x16x16 one (bound 17,136) about a minute. "
    "Use measure='broja' (I_prec <= I_BROJA), 'mmi' (an upper bound) or 'wedge' (a lower one; see "
    "docs/which-measure.md), merge rare symbols of the sources, or pass max_vertices=None to enumerate "
    "anyway (this can take minutes to hours; Ctrl-C stops it).")


@pytest.mark.parametrize("call", [
    lambda p, measure: pidkit.pid(p, measure=measure),
    lambda p, measure: getattr(pidkit, f"i_{measure}")(p),
    lambda p, measure: pidkit.redundancy(p, measure=measure),
], ids=["pid", "i_measure", "redundancy"])
@pytest.mark.parametrize(("measure", "shape", "said"), [
    # A random 4x4x4 joint enumerated for hours (64 facets; 4x3x3 already took over ten minutes).
    ("gh", (4, 4, 4), GH_REFUSAL),
    # I_prec enumerated without a limit: a random 5x16x16 joint (39,027 vertices) took 164 s on 2
    # cores, larger ones longer; 10x10x10 25 s, which the refusal of I_GH called "milliseconds".
    ("prec", (5, 16, 16), PREC_REFUSAL),
], ids=["gh", "prec"])
def test_a_joint_far_past_the_limit_is_refused_before_the_enumeration(call, measure, shape, said,
                                                                     monkeypatch):
    monkeypatch.setattr(_cdd, "generators", _no_enumeration)
    with pytest.raises(ValueError) as error:
        call(_random(shape), measure)
    assert str(error.value) == said


@pytest.mark.parametrize(("shape", "size"), [
    ((4, 3, 3), "36 facets in dimension 17, so up to 4,440,150 vertices"),
    ((4, 2, 4), "32 facets in dimension 13, so up to 354,200 vertices"),  # ran 211 s at 1,000,000
    ((2, 6, 6), "72 facets in dimension 59, so up to about 10^10 vertices"),
    ((10, 10, 10), "1000 facets in dimension 819, so up to about 10^156 vertices"),
])
def test_the_refusal_names_the_shape_and_the_size(shape, size, monkeypatch):
    monkeypatch.setattr(_cdd, "generators", _no_enumeration)
    joint = f"^measure='gh' on this {'x'.join(map(str, shape))} joint: "
    with pytest.raises(ValueError, match=joint + ".*" + re.escape(size)):
        pidkit.pid(_random(shape), measure="gh")


class _Started(Exception):
    pass


def _started(*args, **kwargs):
    raise _Started


@pytest.mark.parametrize("shape", [(3, 3, 3), (2, 3, 5)])  # 20-50 s and 10-35 s on 2 cores under load
def test_the_default_limit_lets_through_what_takes_seconds(shape, monkeypatch):
    monkeypatch.setattr(_cdd, "generators", _started)
    with pytest.raises(_Started):
        pidkit.pid(_random(shape), measure="gh")


def test_max_vertices_sets_the_limit_and_none_insists():
    # AND's polytope: 4 cells in dimension 1, so at most 2 vertices
    said = (r"has 4 facets in dimension 1, so up to 2 vertices .* more than max_vertices=1, the limit given; "
            r".* pass max_vertices=2 or more, or leave the limit out\.$")
    with pytest.raises(ValueError, match=said):
        pidkit.pid(examples.and_(), measure="gh", max_vertices=1)
    for max_vertices in (2, None):
        assert pidkit.pid(examples.and_(), measure="gh", max_vertices=max_vertices).red == pytest.approx(
            AND_GH_BITS, abs=1e-12)
        assert pidkit.i_gh(examples.and_(), max_vertices=max_vertices) == pytest.approx(AND_GH_BITS,
                                                                                         abs=1e-12)


_PASS = ('Pass "auto" (the default: 300,000 for measure=\'gh\'), or None to enumerate the vertices '
         "whatever their number.")


@pytest.mark.parametrize(("value", "error", "message"), [
    (0, ValueError, f"max_vertices must be an int >= 1; got 0. {_PASS}"),
    (2.5, TypeError, f"max_vertices must be an int >= 1; got 2.5 (float). {_PASS}"),
    (True, TypeError, "max_vertices must be an int >= 1, the largest polytope (in vertices) the measure "
                      f"enumerates, e.g. max_vertices=10**6; got True (bool). {_PASS}"),
    ("Auto", TypeError, f"max_vertices must be an int >= 1; got 'Auto' (str). {_PASS}"),
])
def test_a_bad_max_vertices_is_named(value, error, message):
    with pytest.raises(error) as raised:
        pidkit.pid(examples.and_(), measure="gh", max_vertices=value)
    assert str(raised.value) == message


@pytest.mark.parametrize("measure", ["broja", "mmi", "wedge"])
def test_max_vertices_is_refused_for_the_other_measures(measure):
    # pid named measure='wedge' as the one taking max_vertices, and listed it among mmi's and
    # wedge's options: pid_from_measure, which serves them all, takes the keyword. pid and
    # redundancy refuse it in one wording (t-358 finding 3).
    with pytest.raises(TypeError) as raised:
        pidkit.pid(examples.and_(), measure=measure, max_vertices=None)
    assert str(raised.value) == (
        "max_vertices applies to measure='gh' and measure='prec' only (their vertex enumeration); "
        f"measure={measure!r} takes none. Drop max_vertices.")


@pytest.mark.parametrize("call", [
    lambda max_vertices: pidkit.redundancy(examples.and_(), measure="mmi", max_vertices=max_vertices),
    lambda max_vertices: pidkit.redundancy(examples.and_(), measure="broja", max_vertices=max_vertices),
])
@pytest.mark.parametrize("max_vertices", [
    np.array([10, 20]), MAX_VERTICES["gh"], np.int64(MAX_VERTICES["gh"]), float(MAX_VERTICES["gh"]), None])
def test_any_max_vertices_given_to_another_measure_is_refused_by_name(call, max_vertices):
    # An array was compared with the default element by element: numpy's "truth value of an array
    # with more than one element is ambiguous"; a float equal to the default was told to be an int.
    with pytest.raises(TypeError) as raised:
        call(max_vertices)
    assert str(raised.value).startswith("max_vertices applies to measure='gh' and measure='prec' only (their "
                                        "vertex enumeration)")


@pytest.mark.parametrize("shape", [(10, 10, 10), (4, 16, 16)])  # 8-25 s and 48 s on 2 cores under load
def test_the_prec_default_lets_through_what_takes_a_minute(shape, monkeypatch):
    monkeypatch.setattr(_cdd, "generators", _started)
    with pytest.raises(_Started):
        pidkit.pid(_random(shape), measure="prec")


def test_prec_takes_max_vertices_and_none_insists():
    # AND's I_prec polytope: 4 coordinates in dimension 1, so at most 2 vertices
    said = (r"I_prec has 4 facets in dimension 1, so up to 2 vertices .* more than max_vertices=1, the limit "
            r"given; .* pass max_vertices=2 or more")
    with pytest.raises(ValueError, match=said):
        pidkit.pid(examples.and_(), measure="prec", max_vertices=1)
    for max_vertices in (2, None, "auto"):
        assert pidkit.pid(examples.and_(), measure="prec", max_vertices=max_vertices).red == pytest.approx(
            0.311278124459, abs=1e-12)
        assert pidkit.i_prec(examples.and_(), max_vertices=max_vertices) == pytest.approx(0.311278124459,
                                                                                           abs=1e-12)


def test_the_refusal_pickles_with_its_message():
    # pidkit.batch's workers send errors back pickled
    with pytest.raises(ValueError) as raised:
        pidkit.pid(examples.and_(), measure="prec", max_vertices=1)
    again = pickle.loads(pickle.dumps(raised.value))
    assert str(again) == str(raised.value) and again.bound == 2


def _blocks(*parts: np.ndarray, weights: list[float]) -> np.ndarray:
    """The joint whose sources' symbols split into one block per part, part b of mass weights[b]."""
    n_y = parts[0].shape[0]
    joint = np.zeros((n_y, sum(p.shape[1] for p in parts), sum(p.shape[2] for p in parts)))
    t = s = 0
    for part, weight in zip(parts, weights, strict=True):
        joint[:, t:t + part.shape[1], s:s + part.shape[2]] = weight * part
        t, s = t + part.shape[1], s + part.shape[2]
    return joint


def test_blocks_are_enumerated_alone_and_combine_exactly():
    # I_GH(p) = I(Y; B) + sum_b p(b) I_GH(p | b); the whole 36-cell polytope was enumerated at once.
    parts = [_random((2, 3, 3), seed) for seed in (1, 2)]
    weights = [0.25, 0.75]
    joint = _blocks(*parts, weights=weights)
    r = pidkit.pid(joint, measure="gh", units="nats")
    alone = [pidkit.pid(part, measure="gh", units="nats") for part in parts]
    i_yb = entropy_nats(joint.sum(axis=(1, 2))) - sum(
        w * entropy_nats(part.sum(axis=(1, 2))) for w, part in zip(weights, parts, strict=True))
    combined = i_yb + sum(w * a.red for w, a in zip(weights, alone, strict=True))
    assert r.red == pytest.approx(combined, abs=1e-12)
    assert r.diagnostics["n_blocks"] == 2
    assert r.diagnostics["n_vertices"] == sum(a.diagnostics["n_vertices"] for a in alone)
    assert r.diagnostics["q_joint"].sum(axis=0) == pytest.approx(joint, abs=1e-15)


def test_the_limit_applies_to_the_largest_block_not_the_whole():
    # Three 2x3x3 blocks (bound 1584 each) are within max_vertices=2000; the whole joint's 54 cells
    # would be far beyond it.
    parts = [_random((2, 3, 3), seed) for seed in (1, 2, 3)]
    joint = _blocks(*parts, weights=[0.2, 0.3, 0.5])
    r = pidkit.pid(joint, measure="gh", max_vertices=2000)
    assert r.diagnostics["n_blocks"] == 3
    assert r.red == pytest.approx(pidkit.pid(joint, measure="gh", max_vertices=None).red, abs=1e-12)
    with pytest.raises(ValueError, match=r"the largest of the 3 blocks the sources split p into\) has 18 "
                                         r"facets in dimension 11, so up to 1,584 vertices"):
        pidkit.pid(joint, measure="gh", max_vertices=1000)


def test_a_long_enumeration_shows_its_time_where_a_person_watches(monkeypatch, capsys):
    monkeypatch.setattr(_cdd, "CHILD_PROCESS_FACETS", 0)
    monkeypatch.setattr(_cdd, "PROGRESS_FACETS", 0)
    monkeypatch.setattr(_cdd, "POLL_SECONDS", 0.001)  # the child takes longer than this to start
    monkeypatch.setattr(_progress, "watched", lambda: True)
    monkeypatch.setattr(_polytope, "AUTO_DELAY_S", 0.0)  # shown after a second where not patched
    assert pidkit.pid(examples.and_(), measure="gh").red == pytest.approx(AND_GH_BITS, abs=1e-12)
    assert "measure 'gh': vertex enumeration (up to 2 vertices): 00:0" in capsys.readouterr().err
    monkeypatch.setattr(_progress, "watched", lambda: False)
    assert pidkit.pid(examples.and_(), measure="gh").red == pytest.approx(AND_GH_BITS, abs=1e-12)
    assert capsys.readouterr().err == ""
