"""A side is called determining only where its values were seen often enough to show it (t-358 finding 1).

``determining_side`` took every sample in which each observed value of S had one partner T for
S determining T. A value of S seen once has one partner whatever the population holds, so a
joint with S = T except for 2 % of samples moved to two rare values of S that carry synergy
(true Syn 0.02 bits) was called determined in 50 of 100 samples of 120: Syn exactly 0, and a
bootstrap interval of [0, 0] that left out the truth. Now each value of the determining side must
be seen DETERMINING_MIN_COUNT times; and the printout says where the rule applied (t-358 finding 2).
"""

from __future__ import annotations

import numpy as np
import pytest

from pidkit import joint_from_samples, pid
from pidkit.estimate import correct_counts, pid_from_representations
from pidkit.estimate.correction import DETERMINING_MIN_COUNT, determining_side

RARE = 0.02  # the share of samples whose S is one of the two rare values


def _draw(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """S = T (4 values), except in a share RARE of samples: S = 4 + b, and Y's high bit is b xor (T >= 2)."""
    t = rng.integers(0, 4, n)
    moved = rng.random(n) < RARE
    b = rng.integers(0, 2, n)
    s = np.where(moved, 4 + b, t)
    y = t % 2 + 2 * np.where(moved, b ^ (t >= 2), rng.integers(0, 2, n))
    return y, t, s


def _true_syn() -> float:
    """Syn of the population _draw samples, from its exact joint p[y, t, s]."""
    p = np.zeros((4, 4, 6))
    for t in range(4):
        for high in range(2):
            p[t % 2 + 2 * high, t, t] += (1 - RARE) / 8
            p[t % 2 + 2 * (high ^ (t >= 2)), t, 4 + high] += RARE / 8
    return pid(p).syn


def _counts(pairs: dict[tuple[int, int], int]) -> np.ndarray:
    """counts[y, t, s] with ``pairs[(t, s)]`` samples of each pair, Y alternating 0, 1."""
    y, t, s = (np.concatenate(part) for part in zip(
        *((np.arange(k) % 2, np.full(k, ti), np.full(k, si)) for (ti, si), k in pairs.items()),
        strict=True))
    return joint_from_samples(y, t, s).counts


def test_a_value_seen_fewer_times_than_the_threshold_shows_no_determinism():
    base = {(0, 0): 30, (1, 1): 30, (2, 2): 30, (3, 3): 30}
    for seen, side in ((1, None), (DETERMINING_MIN_COUNT - 1, None), (DETERMINING_MIN_COUNT, "s")):
        # two rare values of S, each with one partner T in the sample: S determines T on it
        assert determining_side(_counts({**base, (0, 4): seen, (2, 5): seen})) == side, seen
    # a value of T seen 9 times (T determining S on the sample) is no evidence either
    assert determining_side(_counts({(0, 0): 30, (1, 0): 30, (2, 1): DETERMINING_MIN_COUNT - 1})) is None
    assert determining_side(_counts({(0, 0): 30, (1, 0): 30, (2, 1): DETERMINING_MIN_COUNT})) == "t"


def test_the_threshold_shows_a_partner_that_varies_in_30_percent_of_samples_at_least_96_percent_of_the_time():
    # The docstring's bound: a value seen m times whose commonest partner has probability 1 - q shows
    # one partner with probability sum_j p_j**m <= (1 - q)**(m - 1); checked exactly for q = 0.3.
    for partners in ([0.7, 0.3], [0.7, 0.15, 0.15], [0.7, 0.1, 0.1, 0.1]):
        one_partner = sum(p ** DETERMINING_MIN_COUNT for p in partners)
        assert one_partner <= 0.7 ** (DETERMINING_MIN_COUNT - 1) <= 0.041


def test_rare_values_seen_once_leave_the_synergy_estimated_not_set_to_0():
    rng = np.random.default_rng(0)
    exact_zeros = rare_samples = 0
    for _ in range(30):
        y, t, s = _draw(120, rng)
        counts = joint_from_samples(y, t, s).counts
        if np.bincount(s, minlength=6)[4:].min() == 0 or np.bincount(s)[4:].max() >= DETERMINING_MIN_COUNT:
            continue
        rare_samples += 1  # both rare values seen, each fewer than DETERMINING_MIN_COUNT times
        fix = correct_counts(counts)
        assert fix.determining_side is None
        exact_zeros += abs(fix.corrected["syn"]) < 1e-12
    assert rare_samples >= 10 and exact_zeros == 0  # were 0 exactly wherever each had one partner


@pytest.mark.filterwarnings("ignore:t_features has only 4 distinct rows")
def test_the_bootstrap_interval_of_such_a_sample_covers_the_true_synergy():
    rng = np.random.default_rng(0)
    for _ in range(3):
        y, t, s = _draw(120, rng)
    assert np.bincount(s).tolist() == [30, 29, 30, 29, 1, 1]  # the sample of t-358 finding 1
    res = pid_from_representations(y, np.eye(4)[t], np.eye(6)[s], normalize=None, n_components=None,
                                   bootstrap=50, random_state=0)
    truth = _true_syn()
    assert truth == pytest.approx(RARE, abs=1e-9)  # Y's xor bit where S is rare
    assert res.correction.determining_side is None
    low, high = res.intervals["syn"]
    assert low <= truth <= high and high > 2 * truth  # was [0, 0]
    assert "determining" not in repr(res)


def _words(res) -> str:
    """The repr with its wrapped notes joined, single-spaced: the words a reader reads."""
    return " ".join(repr(res).split())


def test_the_printout_says_where_a_side_determines_the_other_and_why_intervals_have_no_width():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 400)
    t = rng.normal(size=(3, 16))[y] + rng.normal(size=(400, 16))
    res = pid_from_representations(y, t, t, random_state=0, bootstrap=10)
    assert res.correction.determining_side == "t" and res.syn == 0.0 and res.uni_s == 0.0
    words = _words(res)
    assert (f"note: the sample shows T determining S (each value of T seen {DETERMINING_MIN_COUNT} "
            "times or more, always with one value of S): i_yts is the corrected i_yt, so syn and "
            "uni_s are 0 by the PID identities (correction.determining_side)") in words
    assert ("note: every bootstrap replicate of uni_t was 0, of uni_s was 0, of syn was 0 (B=10): an "
            "interval made of their spread has no width, which is no certainty: T determines S in "
            "every resample as in the sample, which makes uni_s and syn 0 in each (the note above); "
            "for uni_t: too few resamples, or a value pinned at a bound in every one") in words


@pytest.mark.filterwarnings("ignore:._features has only . distinct rows")
def test_a_measure_that_leaves_the_dependent_side_a_uni_is_told_without_the_zeros():
    labels = np.repeat(np.arange(6), 50)
    y = np.random.default_rng(1).integers(0, 3, labels.size)
    res = pid_from_representations(y, np.eye(3)[labels // 2], np.eye(6)[labels], normalize=None,
                                   n_components=None, measure="gh-target-only")
    assert res.correction.determining_side == "s"
    assert ("note: the sample shows S determining T (each value of S seen 10 times or more, always "
            "with one value of T): i_yts is the corrected i_ys (correction.determining_side)") in _words(res)
