"""Bootstrap replicates of the Gaussian estimate that fail say how many and why (t-432's walk, M1).

A resample of n rows holds about 0.63 n distinct rows; with k of them its covariance has rank
k - 1 at most, singular for k <= d_y + d_t + d_s. With 100 + 100 features and n = 250 every
replicate failed, and the print said only "B=200 (200 failed, left out)", intervals [nan, nan],
and "pass bootstrap=200 (at least 39)", which the user had passed. These runs use 20 + 20
features: n = 50 fails every replicate, n = 60 nearly every one, n = 70 about one in six.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import pidkit
from pidkit.estimate import pid_from_representations
from pidkit.gaussian.sample_notes import (
    distinct_rows_spread,
    failure_counts,
    few_samples_note,
    samples_for_dimensions,
)
from pidkit.gaussian.samples import GaussianStatistic


def _words(result) -> str:
    return " ".join(repr(result).split())


def _noise(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """y and 20 + 20 features of noise, T's first feature carrying y."""
    rng = np.random.default_rng(seed)
    y = rng.standard_normal(n)
    t, s = rng.standard_normal((n, 20)), rng.standard_normal((n, 20))
    t[:, 0] += y
    return y, t, s


def test_every_replicate_failing_is_explained_with_its_numbers_and_the_real_fix():
    r = pidkit.gaussian_pid_from_samples(*_noise(50), bootstrap=100)
    boot = r.diagnostics["bootstrap"]
    assert boot["n_failed"] == 100
    assert boot["failures"] == {"singular": 100, "determined": 0, "uncertified": 0}
    low, high = boot["distinct_rows"]
    assert high <= 41 and 20 < low <= high  # every resample: too few distinct rows for 41 dimensions
    text = _words(r)
    # 50 (1 - (1 - 1/50)^50) = 31.8 distinct rows expected; 41 dimensions, whitened
    assert (f"note: 100 of 100 bootstrap replicates failed (none left, so every interval is nan): a "
            f"resample of n = 50 rows holds about 32 distinct rows (0.63 n; {low} to {high} here), and "
            "with k distinct rows its covariance is singular unless k > d_y + d_t + d_s = 41 (whitened), "
            "which 100 of the resamples did not reach; more replicates do not help. Reduce the features "
            "to at most 25 "
            "dimensions in all (e.g. PCA), or collect n = 78 samples or more") in text
    assert "pass bootstrap=200 (at least 39)" not in text  # the advice the user had followed
    assert "pass bootstrap=200 for intervals" not in text  # nor the few-samples note's


def test_some_replicates_failing_are_counted_and_explained():
    r = pidkit.gaussian_pid_from_samples(*_noise(70), bootstrap=100)
    boot = r.diagnostics["bootstrap"]
    failed = int(np.isnan(boot["replicates"][:, 0]).sum())
    assert 5 <= failed <= 30 and boot["failures"]["singular"] == failed == boot["n_failed"]
    text = _words(r)
    assert f"B=100 ({failed} failed, left out)" in text
    assert (f"note: {failed} of 100 bootstrap replicates failed (left out of the intervals): a resample of "
            "n = 70 rows holds about 44 distinct rows") in text
    assert f"which {failed} of the resamples did not reach" in text and "at most 36 dimensions in all" in text
    assert all(math.isfinite(end) for span in r.intervals.values() for end in span)
    assert "too coarse" not in text


def test_replicates_left_too_few_for_intervals_say_so_in_place_of_asking_for_more():
    r = pidkit.gaussian_pid_from_samples(*_noise(60), bootstrap=100)
    boot = r.diagnostics["bootstrap"]
    left = 100 - boot["n_failed"]
    assert 0 < left < 39
    text = _words(r)
    assert (f"failed (the {left} left are too few for 95% intervals, which take 39): a resample of n = 60 "
            "rows") in text
    assert "too coarse" not in text and "pass bootstrap=200 (at least 39)" not in text


def test_too_few_replicates_drawn_keep_the_coarse_note_beside_the_failures():
    # B = 10 is too few whatever fails: that note's advice (more replicates) still holds
    text = _words(pidkit.gaussian_pid_from_samples(*_noise(70), bootstrap=10, random_state=1))
    assert "note: the 95% intervals are too coarse to read: B=10 replicates" in text


def test_a_replicate_fails_exactly_where_its_resample_has_no_more_distinct_rows_than_dimensions():
    y, t, s = _noise(70)
    statistic = GaussianStatistic(np.column_stack([y, t, s]), (1, 20, 20), with_failure_causes=True)
    seen = set()
    for seed in range(60):
        row = statistic(np.random.default_rng(seed))
        distinct = np.unique(np.random.default_rng(seed).integers(0, 70, 70)).size  # the same draw
        assert row.shape == (9,) and row[7] == distinct
        assert np.isnan(row[0]) == (distinct <= 41) == (row[8] == 1), (seed, distinct)
        seen.add(distinct <= 41)
    assert seen == {True, False}
    assert GaussianStatistic(np.column_stack([y, t, s]), (1, 20, 20))(np.random.default_rng(0)).shape == (7,)


def test_the_representation_estimator_explains_its_failures_with_its_own_option():
    rng = np.random.default_rng(0)
    y = np.arange(60) % 3
    t, s = rng.standard_normal((60, 20)) + y[:, None], rng.standard_normal((60, 20))
    res = pid_from_representations(y, t, s, estimator="gaussian", n_components=20, normalize=None,
                                   bootstrap=40)
    text = _words(res)
    failed = res.settings["bootstrap_failed"]
    assert failed > 30
    assert f"note: {failed} of 40 bootstrap replicates failed" in text
    assert "k > d_y + d_t + d_s = 42 (whitened)" in text  # 2 one-hot columns + 20 + 20
    assert "(n_components sets them per side)" in text and "too coarse" not in text


@pytest.mark.parametrize("n", [2, 50, 250, 1000])
def test_the_distinct_rows_of_a_resample_match_a_simulation(n):
    rng = np.random.default_rng(n)
    counts = np.array([np.unique(rng.integers(0, n, n)).size for _ in range(20_000)])
    mean, sd = distinct_rows_spread(n)
    assert mean == pytest.approx(counts.mean(), abs=4 * counts.std() / math.sqrt(counts.size))
    assert sd == pytest.approx(counts.std(), rel=0.03)


def test_the_advised_sample_size_leaves_about_one_resample_in_a_thousand_singular():
    n = samples_for_dimensions(201)
    assert n == 346
    rng = np.random.default_rng(3)
    for size, low, high in ((n, 0.0, 0.003), (330, 0.07, 0.14)):  # 330: 19 of 200 failed in the walk
        counts = np.array([np.unique(rng.integers(0, size, size)).size for _ in range(20_000)])
        assert low <= np.mean(counts <= 201) <= high, size


def test_failures_are_put_down_to_singular_resamples_before_what_they_raised():
    distinct = np.array([150, 210, 205, 190, 230, 202])
    causes = np.array([1, 0, 2, 2, 1, 0])  # 1: a source determined Y; 2: uncertified
    assert failure_counts(distinct, causes, 201) == {"singular": 2, "determined": 1, "uncertified": 1}


def test_the_few_samples_note_asks_for_intervals_only_without_them():
    assert "pass bootstrap=200 for intervals" in few_samples_note(10, (1, 2, 2))
    assert "pass bootstrap" not in few_samples_note(10, (1, 2, 2), with_intervals=True)
