"""An estimate printed without intervals says so and asks for them (t-432's walk, M3).

With the default ``bootstrap=0`` the prints of ``gaussian_pid_from_samples`` and
``pid_from_representations`` gave six decimals and nothing on their uncertainty: I(Y;T) 0.759260,
whose 95 % interval with ``bootstrap=200`` is [0.61, 0.87]. A result with intervals gets no such line.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import pidkit
from pidkit.estimate import pid_from_representations
from pidkit.gaussian import estimate_from_covariance
from pidkit.gaussian.sample_notes import NO_INTERVALS_NOTE

LINE = "  note: no intervals (bootstrap=0): no uncertainty is stated; pass bootstrap=200 for intervals"


def _samples(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.standard_normal(n)
    return y, y[:, None] + rng.standard_normal((n, 3)), rng.standard_normal((n, 2))


def _labels(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    return y, rng.normal(size=(n, 4)) + y[:, None], rng.normal(size=(n, 4))


def test_the_line_is_one_printed_line():
    assert f"  {NO_INTERVALS_NOTE}" == LINE and len(LINE) <= 100


@pytest.mark.parametrize("bias_correction", [True, False])
def test_a_gaussian_estimate_without_intervals_says_so_under_its_table(bias_correction):
    r = pidkit.gaussian_pid_from_samples(*_samples(), bias_correction=bias_correction)
    lines = repr(r).splitlines()
    assert lines[9].startswith("  I(Y;T,S)") and lines[10] == LINE  # right under the values
    assert lines.count(LINE) == 1


def test_a_gaussian_estimate_with_intervals_has_no_such_line():
    r = pidkit.gaussian_pid_from_samples(*_samples(), bootstrap=40)
    assert r.intervals is not None and "no intervals" not in repr(r)


def test_an_estimate_from_a_covariance_or_stripped_of_its_diagnostics_is_not_asked_for_a_bootstrap():
    # estimate_from_covariance has no bootstrap to pass; a result whose diagnostics were replaced
    # no longer says whether it had intervals
    cov = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 2.0], [1.0, 2.0, 6.0]])
    assert "no intervals" not in repr(estimate_from_covariance(cov, (1, 1, 1), n_samples=100))
    stripped = dataclasses.replace(pidkit.gaussian_pid_from_samples(*_samples()), diagnostics={})
    assert "no intervals" not in repr(stripped)


@pytest.mark.parametrize("estimator", ["discrete", "gaussian"])
def test_a_representation_pid_without_intervals_says_so_under_its_table(estimator):
    res = pid_from_representations(*_labels(), estimator=estimator, n_components=2, normalize=None)
    lines = repr(res).splitlines()
    table_end = next(i for i, line in enumerate(lines) if line.startswith("  i_yts"))
    assert lines[table_end + 1] == LINE and lines.count(LINE) == 1


def test_a_representation_pid_with_intervals_has_no_such_line():
    res = pid_from_representations(*_labels(), estimator="gaussian", n_components=2, normalize=None,
                                   bootstrap=40)
    assert res.intervals is not None and "no intervals" not in repr(res)


def test_a_representation_pid_with_one_replicate_left_prints_and_judges_nothing_by_it():
    # Its repr once raised "n_boot=1: one replicate has no spread" from the verdicts on values
    # below 0, which it handed the count of replicates left.
    res = pid_from_representations(*_labels(), n_components=2, normalize=None, n_clusters=3, bootstrap=10)
    for left in (0, 1):
        one = dataclasses.replace(res, settings={**res.settings, "bootstrap_failed": 10 - left})
        assert f"B=10 ({10 - left} failed, left out)" in repr(one)
