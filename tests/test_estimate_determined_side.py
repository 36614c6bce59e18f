"""A side that the sample shows as a function of the other leaves no synergy (task 352).

Where each observed value of T occurs with one value of S (S a copy, a relabelling or a coarsening
of T), the plug-in I(Y;T,S) is I(Y;T) in the sample and in every subsample, so Syn and Uni(Y:S\\T)
are 0. The default correction took I(Y;T,S) = I(Y;T) + I(Y;S) + the empirical-Bayes interaction
information there, which is -I(Y;S) by another estimator than the extrapolated I(Y;S): a student
identical to its teacher (the quick-start data of docs/estimate.md) got Syn = -0.0225 bits and
I(Y;T,S) 0.0225 bits below I(Y;T).
"""

from __future__ import annotations

import numpy as np
import pytest

from pidkit import joint_from_samples, pid
from pidkit.estimate import correct_counts, pid_from_representations
from pidkit.estimate.correction import DEPENDENT_SIDE_HAS_NO_UNIQUE, determining_side
from pidkit.redundancy import MEASURES


def _labels(seed: int, n: int = 450) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 10, n)
    return np.where(rng.random(n) < 0.6, t, rng.integers(0, 10, n)), t


def _quadratic_intercept(sizes, values) -> float:
    """a of the least-squares a + b/m + c/m**2 through (m, value): the extrapolation, written anew."""
    return float(np.polyfit(1.0 / np.asarray(sizes, dtype=float), values, 2)[-1])


def test_a_student_identical_to_its_teacher_has_no_synergy_and_no_unique_information():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 1000)
    t = rng.normal(size=(10, 64))[y] + 3 * rng.normal(size=(1000, 64))
    for student in (t, t[:, ::-1]):  # the same features, or the same clusters under other columns
        res = pid_from_representations(y, t, student)
        assert res.correction.determining_side == "t"
        assert res.syn == pytest.approx(0.0, abs=1e-12)  # was -0.0225
        assert res.uni_s == pytest.approx(0.0, abs=1e-12) and res.uni_t == pytest.approx(0.0, abs=1e-12)
        assert res.i_yts >= res.i_yt - 1e-12 and res.i_yts == pytest.approx(res.i_yt, abs=1e-12)
        assert res.red == pytest.approx(res.i_yt, abs=1e-12) and res.i_yt > 1.5
        assert "syn" not in res.correction.negative


def test_the_mean_over_clustering_seeds_keeps_the_determining_side():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 1000)
    t = rng.normal(size=(10, 64))[y] + 3 * rng.normal(size=(1000, 64))
    res = pid_from_representations(y, t, t, cluster_seeds=3)
    assert res.correction.determining_side == "t"  # the mean of three corrections dropped it
    assert res.syn == pytest.approx(0.0, abs=1e-12) and res.uni_s == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("method", ["eb-extrapolation", "extrapolation"])
def test_a_coarsened_side_has_no_unique_information_and_no_synergy(seed, method):
    y, t = _labels(seed)
    for counts, side, dependent in ((joint_from_samples(y, t, t // 2).counts, "t", "uni_s"),
                                    (joint_from_samples(y, t // 2, t).counts, "s", "uni_t")):
        fix = correct_counts(counts, method=method)
        got = fix.corrected
        assert fix.determining_side == side
        assert got["syn"] == pytest.approx(0.0, abs=1e-12)  # was -0.015, -0.004, -0.018 (eb)
        assert got[dependent] == pytest.approx(0.0, abs=1e-12)  # was up to 5.9e-10 (solver noise)
        whole = "i_yt" if side == "t" else "i_ys"
        assert got["i_yts"] >= max(got["i_yt"], got["i_ys"]) - 1e-12
        # The plug-in I(Y;T,S) of each fitted table is the determining side's: its extrapolation,
        # recomputed from the fitted points, is the corrected I(Y;T,S).
        points = fix.subsample_means
        assert points["i_yts"] == pytest.approx(points[whole], abs=1e-12)
        extrapolated = _quadratic_intercept(fix.subsample_sizes, points["i_yts"])
        assert got["i_yts"] == pytest.approx(extrapolated, abs=1e-10)
        assert got[whole] - got["i_yt" if whole == "i_ys" else "i_ys"] > 0.3  # the other side's Uni is real
        assert fix.kink == 0.0


def test_the_corrected_information_equals_that_of_the_table_without_the_dependent_side():
    y, t = _labels(3)
    fix = correct_counts(joint_from_samples(y, t, t % 3).counts)
    alone = correct_counts(joint_from_samples(y, t, np.zeros_like(t)).counts)  # S dropped: the same samples
    assert fix.corrected["i_yts"] == pytest.approx(alone.corrected["i_yt"], abs=1e-12)
    assert fix.corrected["i_yt"] == pytest.approx(alone.corrected["i_yt"], abs=1e-12)


def test_sides_that_do_not_determine_each_other_keep_the_empirical_bayes_interaction():
    y, t = _labels(4)
    s = np.where(np.arange(t.size) % 7 == 0, (t + 1) % 10, t)  # one t in seven with another s
    counts = joint_from_samples(y, t, s).counts
    assert determining_side(counts) is None
    fix = correct_counts(counts)
    assert fix.determining_side is None and fix.corrected["syn"] != pytest.approx(0.0, abs=1e-6)
    assert correct_counts(counts, method="none").determining_side is None


def test_the_measures_listed_give_a_dependent_side_no_unique_information():
    y, t = _labels(5, n=300)
    p = joint_from_samples(y % 3, t % 5, (t % 5) // 2).counts
    p = p / p.sum()
    for measure in MEASURES:
        r = pid(p, measure=measure)
        none_left = abs(r.uni_s) < 1e-9 and abs(r.syn) < 1e-9
        assert none_left == (measure in DEPENDENT_SIDE_HAS_NO_UNIQUE), measure


def test_a_measure_that_gives_the_dependent_side_unique_information_keeps_its_union_information():
    y, t = _labels(6)
    fix = correct_counts(joint_from_samples(y, t, t // 2).counts, measure="gh-target-only")
    got = fix.corrected
    assert fix.determining_side == "t" and got["i_yts"] == got["i_yt"]
    assert got["uni_s"] > 0.1 and got["syn"] == pytest.approx(-got["uni_s"], abs=1e-12)


def test_every_bootstrap_replicate_of_a_copied_side_has_no_synergy():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 400)
    t = rng.normal(size=(3, 16))[y] + rng.normal(size=(400, 16))
    res = pid_from_representations(y, t, t, random_state=0, bootstrap=10)
    assert res.syn == pytest.approx(0.0, abs=1e-12)  # was +0.0110
    for name in ("syn", "uni_s", "uni_t"):
        assert np.abs(res.bootstrap_samples[name]).max() < 1e-12
        low, high = res.intervals[name]
        assert low == pytest.approx(0.0, abs=1e-12) and high == pytest.approx(0.0, abs=1e-12)
