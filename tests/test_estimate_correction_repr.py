"""What ``print(correct_counts(...))`` shows: a table of the seven quantities, as the estimates print.

Before (t-422, finding 9): the dataclass's repr, one line of about 1,200 characters with every
float to 17 digits. Now the corrected, plug-in and bias columns in the table that
RepresentationPID prints (one writer, ``pidkit._value_table.value_table``), then a line per flag.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from pidkit import joint_from_samples
from pidkit.estimate import BiasCorrection, correct_counts, pid_from_representations
from pidkit.resampling import QUANTITIES


def _mod4(method: str = "eb-extrapolation-kink") -> BiasCorrection:
    """Y = (T + S) mod 4 of independent uniform T, S: the class docstring's example."""
    rng = np.random.default_rng(0)
    t, s = rng.integers(0, 4, 400), rng.integers(0, 4, 400)
    return correct_counts(joint_from_samples((t + s) % 4, t, s).counts, method=method)


def _table(text: str) -> dict[str, list[float]]:
    """The numbers of each quantity's row of a printed table."""
    rows = {}
    for line in text.splitlines():
        words = line.split()
        if words and words[0] in QUANTITIES:
            rows[words[0]] = [float(word.strip("[],")) for word in words[1:]]
    return rows


def test_the_repr_is_a_table_of_the_corrected_plugin_and_bias_values_with_a_line_per_flag():
    fix = _mod4()
    text = repr(fix)
    lines = text.splitlines()
    assert lines[0] == "BiasCorrection(eb-extrapolation-kink, subsample sizes [400, 200, 100] x 8 partitions)"
    assert lines[1].split() == ["atom", "corrected", "plug-in", "bias", "(bits)"]
    rows = _table(text)
    assert list(rows) == list(QUANTITIES)
    for name, (corrected, plugin, bias) in rows.items():
        assert corrected == pytest.approx(fix.corrected[name], abs=5e-7)
        assert plugin == pytest.approx(fix.plugin[name], abs=5e-7)
        assert bias == pytest.approx(plugin - corrected, abs=1.5e-6)   # bias = plug-in - corrected
    words = " ".join(text.split())
    assert "note: uni_t corrected below 0, not clipped (negative)" in words
    assert "note: syn, i_yts corrected above min(H(Y), H(source))" in words
    assert max(map(len, lines)) <= 100 and len(lines) == 13


def test_no_correction_says_so_and_its_bias_column_is_0():
    fix = _mod4("none")
    text = repr(fix)
    assert text.splitlines()[0] == "BiasCorrection(none, no correction: corrected = plug-in)"
    assert all(bias == 0.0 for *_, bias in _table(text).values())


def test_a_determining_side_the_pretest_and_the_kink_each_get_a_line():
    rng = np.random.default_rng(0)
    t, s = rng.integers(0, 4, 400), rng.integers(0, 4, 400)
    copy = correct_counts(joint_from_samples((t + s) % 4, t, 3 - t).counts)
    assert ("note: the sample shows T determining S (determining_side 't'): i_yts is the corrected i_yt"
            in repr(copy))
    rng = np.random.default_rng(2)                     # T and S noisy copies of Y: both Uni near 0
    y = rng.integers(0, 3, 400)
    t = np.where(rng.random(400) < 0.7, y, rng.integers(0, 3, 400))
    s = np.where(rng.random(400) < 0.7, y, rng.integers(0, 3, 400))
    fix = correct_counts(joint_from_samples(y, t, s).counts)
    words = " ".join(repr(fix).split())
    assert fix.kink > 0 and fix.kink_pretest_shift > 0
    assert f"pretest: the kink pretest lowered both Uni by {fix.kink_pretest_shift:.4g} bits" in words
    assert f"each would be {fix.kink:.4g} bits lower" in words
    assert fix.kink_corrected["uni_s"] == pytest.approx(fix.corrected["uni_s"] - fix.kink, abs=1e-15)


def test_the_estimate_and_its_correction_print_the_same_columns():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 600)
    res = pid_from_representations(y, rng.normal(size=(600, 4)) + y[:, None], rng.normal(size=(600, 4)),
                                   n_clusters=4)
    ours = repr(res).splitlines()[2:9]                 # value and plug-in columns
    theirs = repr(res.correction).splitlines()[2:9]    # corrected, plug-in, bias
    assert [line[:32] for line in ours] == [line[:32] for line in theirs]


def test_the_class_examples_print_what_they_show():
    # BiasCorrection names pidkit.estimate as its module, so --doctest-modules of its file skips it
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    for test in doctest.DocTestFinder().find(BiasCorrection, "BiasCorrection", globs={}):
        runner.run(test)
    assert runner.summarize(verbose=False) == (0, runner.tries) and runner.tries > 10
