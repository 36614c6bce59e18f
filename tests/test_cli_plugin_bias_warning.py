"""``pidkit decompose COUNTS --normalize`` says when its atoms are a plug-in too biased to read
(walk t-412 M1): on 300 samples of independent 10-valued labels it printed Syn 1.34 bits, truth 0,
with no word on sample size."""

from __future__ import annotations

import functools
import math
import re
import warnings

import numpy as np
import pytest

import pidkit
from pidkit.cli import main

WEIGHTS = ("If these numbers are weights of outcomes rather than counts of samples (as papers and dit "
           "often write an exact joint), the atoms are exact: pass p / p.sum() and no warning comes "
           "(normalize only rescales; it cannot tell weights from counts).")


def saved_counts(tmp_path, counts: np.ndarray) -> str:
    path = tmp_path / "counts.npy"
    np.save(path, counts)
    return str(path)


def test_independent_labels_get_the_estimators_bias_line_with_the_corrected_route(tmp_path, capsys):
    y, t, s = np.random.default_rng(0).integers(0, 10, (3, 300))  # independent: every atom truly 0
    path = saved_counts(tmp_path, pidkit.joint_from_samples(y, t, s).counts)
    assert main(["decompose", path, "--normalize"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "pidkit decompose: warning: plug-in atoms: the expected plug-in bias of I(Y;T,S) with 300 "
        "samples over 1000 cells is 1.85 bits, 106% of the estimate 1.75 bits, so the atoms are likely "
        "overestimated. For bias-corrected atoms, in Python: "
        f"pidkit.estimate.correct_counts(np.load({path!r}), subsamples=(2, 3)) (its default "
        "subsamples=(2, 4) cut these 300 samples too finely); or count more samples. If these numbers "
        "are weights of outcomes rather than counts of samples (as papers and dit often write an exact "
        "joint), the atoms are exact: pass p / p.sum() and no warning comes (normalize only rescales; it "
        "cannot tell weights from counts)."
    ]
    # The same number the estimator gives for the same labels (its PluginBiasWarning).
    from pidkit.estimate import PluginBiasWarning, pid_from_representations
    quoted = re.escape("over 1000 cells is 1.85 bits, 106% of the estimate")
    with pytest.warns(PluginBiasWarning, match=quoted):
        pid_from_representations(y, t, s, bias_correction="none", progress=False)


def test_full_support_counts_match_miller_madow(tmp_path, capsys):
    y, t, s = np.random.default_rng(1).integers(0, 3, (3, 5000))
    counts = pidkit.joint_from_samples(y, t, s).counts
    assert counts.min() > 0  # every cell seen: the first-order bias is (|Y| - 1)(|T||S| - 1) / (2 n)
    expected = (3 - 1) * (9 - 1) / (2 * 5000 * math.log(2))
    assert main(["decompose", saved_counts(tmp_path, counts), "--normalize"]) == 0
    quoted = float(re.search(r"over 27 cells is ([0-9.e-]+) bits", capsys.readouterr().err).group(1))
    assert quoted == pytest.approx(expected, rel=2e-3)  # printed to 3 significant digits


def test_no_warning_where_the_bias_is_a_small_share_or_the_cells_are_probabilities(tmp_path, capsys):
    and_counts = np.rint(pidkit.examples.and_() * 40000)  # I(Y;T,S) 0.81 bits, bias 5.4e-5 bits
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["decompose", saved_counts(tmp_path, and_counts), "--normalize"]) == 0
        assert main(["decompose", saved_counts(tmp_path, pidkit.examples.and_() * 3.5), "--normalize"]) == 0
    assert capsys.readouterr().err == ""


def _advised_call(warning: str) -> str:
    """The Python call of the warning's corrected route."""
    start = warning.index("pidkit.estimate.correct_counts(")
    depth = 0
    for end, character in enumerate(warning[start:], start):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if character == ")" and depth == 0:
            return warning[start:end + 1]
    raise AssertionError(f"no call in {warning!r}")


def test_the_advised_correct_counts_call_runs_and_corrects(tmp_path, capsys):
    # walk t-422 finding 5: the warning advised correct_counts(np.load(FILE)), which refuses 300
    # samples on 10 x 10 x 10 (its default subsamples=(2, 4) make pieces of 75 < 100 cells of p(y,t))
    y, t, s = np.random.default_rng(0).integers(0, 10, (3, 300))  # independent: every atom truly 0
    path = saved_counts(tmp_path, pidkit.joint_from_samples(y, t, s).counts)
    assert main(["decompose", path, "--normalize"]) == 0
    call = _advised_call(capsys.readouterr().err)
    assert call == f"pidkit.estimate.correct_counts(np.load({path!r}), subsamples=(2, 3))"
    with pytest.raises(ValueError, match="cuts the 300 samples into pieces of 75"):
        pidkit.estimate.correct_counts(np.load(path))  # what it advised before
    fix = eval(call, {"np": np, "pidkit": pidkit})
    assert fix.plugin["syn"] > 1.3 and abs(fix.corrected["syn"]) < 0.1  # the truth is 0


@pytest.mark.parametrize(("n", "route"), [
    (500, "in Python: pidkit.estimate.correct_counts(np.load({path!r})); or count more samples."),
    (120, "count more samples: these 120 are too few for pidkit.estimate.correct_counts on this table."),
])
def test_the_corrected_route_follows_what_correct_counts_accepts(tmp_path, capsys, n, route):
    y, t, s = np.random.default_rng(0).integers(0, 10, (3, n))
    path = saved_counts(tmp_path, pidkit.joint_from_samples(y, t, s).counts)
    assert main(["decompose", path, "--normalize"]) == 0
    said = capsys.readouterr().err
    assert said.endswith(f"For bias-corrected atoms, {route.format(path=path)} {WEIGHTS}\n")
    from pidkit.estimate import DEFAULT_BIAS_CORRECTION, check_sample_size  # correct_counts' own check
    check = functools.partial(check_sample_size, (10, 10, 10), n, method=DEFAULT_BIAS_CORRECTION)
    if n == 500:
        check()  # the defaults accept 500 samples
    else:
        for parts in ((2, 4), (2, 3)):
            with pytest.raises(ValueError, match="cuts the 120 samples"):
                check(subsamples=parts)
