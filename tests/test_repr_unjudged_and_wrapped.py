"""What a RepresentationPID's repr says of values below 0 without intervals, when it prints the
kink line, and how wide its lines are (task 321, from the new user's walk of task 320).

Before: a default call (no bootstrap) called Syn = -0.137 bits, a third of I(Y;T,S), "corrected
below 0: indistinguishable from 0 at n = 400", which nothing had measured (with bootstrap=100
the same value was judged an overshoot of the correction); the kink line spoke of "both Uni at 0
with equal channels" on a result whose Uni(Y:T\\S) was 1.02 bits; the cap line was one line of
about 560 characters, and the T and S lines 124.
"""

from __future__ import annotations

import numpy as np
import pytest

from pidkit.estimate import below_zero_verdicts, pid_from_representations


@pytest.fixture(scope="module")
def student_of_noise():
    """3 labels, 400 samples, an informative teacher and a student of noise (Red = Syn = I(Y;S)
    = 0), every default: 10 clusters a side."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 400)
    t = rng.normal(size=(400, 6)) + y[:, None]
    s = rng.normal(size=(400, 5))
    return pid_from_representations(y, t, s)


@pytest.fixture(scope="module")
def ten_labels():
    """Task 320's F10: 10 labels, 899 samples, both sides class centres plus noise."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 899)
    t = rng.normal(size=(10, 64))[y] + 3 * rng.normal(size=(899, 64))
    s = rng.normal(size=(10, 32))[y] + 3 * rng.normal(size=(899, 32))
    return pid_from_representations(y, t, s)


def test_a_value_below_0_without_intervals_is_not_judged(student_of_noise):
    res = student_of_noise
    assert res.intervals is None and res.syn == pytest.approx(-0.1371, abs=1e-4)
    assert res.correction.negative == ("red", "syn", "i_ys")
    verdicts = below_zero_verdicts(res.correction.negative, measure=res.measure)
    assert verdicts == {"red": "not judged", "syn": "not judged", "i_ys": "not judged"}
    text = repr(res)
    assert "indistinguishable" not in text
    assert ("  note: red, syn, i_ys corrected below 0 (-0.01389, -0.1371, -0.01176 bits; not clipped), "
            "not\n        judged: without intervals nothing measured how far from 0 they can fall by "
            "chance, so they\n        are called neither noise nor an overshoot of the correction; pass "
            "bootstrap=200 for\n        intervals that tell") in text


def test_no_line_but_the_first_is_wider_than_100_characters(student_of_noise, ten_labels):
    for res in (student_of_noise, ten_labels):
        lines = repr(res).splitlines()
        assert len(lines[0]) > 100 and max(map(len, lines[1:])) <= 100
    # a wrapped line goes on under the text after its label
    lines = repr(ten_labels).splitlines()
    at = lines.index("  T: 64 features -> l2 -> PCA 10 -> KMeans 9, clusters_for_samples(n_samples=899, "
                     "n_labels=10) = 9")
    assert lines[at + 1] == "     (seed 0, 9 clusters used)"


def test_the_kink_line_is_left_out_where_the_larger_uni_is_far_from_0(ten_labels):
    # Uni(Y:T\S) 1.02 bits, 20 times the n^-1/2 model's shift (0.0505): not the kink's both-0
    fix = ten_labels.correction
    assert fix.corrected["uni_t"] == pytest.approx(1.0216, abs=1e-4)
    assert fix.kink == pytest.approx(0.0505, abs=1e-4)
    assert fix.corrected["uni_s"] < 10 * fix.kink  # the smaller alone would have printed it
    assert "kink:" not in repr(ten_labels)


def test_the_kink_line_says_what_both_uni_would_be_and_what_to_do():
    # T and S equally noisy copies of Y, independent given Y: both Uni 0, the kink itself
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 400)
    t, s = (np.where(rng.random(400) < 0.7, y, rng.integers(0, 3, 400)) for _ in range(2))
    res = pid_from_representations(y, t, s)
    kinked = res.correction.kink_corrected
    assert res.correction.kink == pytest.approx(0.02065, abs=1e-5)
    assert (round(kinked["uni_t"], 5), round(kinked["uni_s"], 5)) == (0.07809, 0.03899)
    assert ("  kink: both Uni are near 0; were both 0 with p(y|t) = p(y|s) (a kink of the BROJA "
            "optimum, where\n        their bias shrinks like n^-1/2), the correction would leave "
            "0.02065 bits in each: uni_t\n        0.07809, uni_s 0.03899, Red and Syn 0.02065 bits "
            "higher (correction.kink_corrected); pass\n        bootstrap=200 for intervals that "
            "include it before reading a Uni as unique information") in repr(res)
