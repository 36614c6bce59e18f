"""The estimates from samples count what a dropped (nearly collinear) direction may carry where
it is more than sampling noise: T = (z, z + 1e-6 (Y + noise)) was a certified I(Y;T) = 0 from
samples (truth 0.5 bits) while gaussian_pid refused the same covariance (task 353, walk 351)."""

import numpy as np
import pytest
from scipy.stats import chi2

import pidkit
from pidkit.gaussian import estimate_from_covariance

N = 2000
COMBINE = "pass such variables combined (e.g. their difference, computed from the samples"


def _orthonormal(n, k, seed):
    """k centred columns of n rows with sample covariance exactly I (up to rounding)."""
    x = np.random.default_rng(seed).normal(size=(n, k))
    q, _ = np.linalg.qr(x - x.mean(axis=0))
    return q * np.sqrt(n - 1)


def _nearly_collinear(eps=1e-6):
    rng = np.random.default_rng(0)
    y, z = rng.normal(size=N), rng.normal(size=N)
    t = np.c_[z, z + eps * (y + rng.normal(size=N))]
    return y, t, y + 2 * rng.normal(size=N)


def test_an_informative_dropped_difference_is_refused_as_gaussian_pid_refuses_it():
    y, t, s = _nearly_collinear()
    with pytest.raises(pidkit.SolverError) as exact:
        pidkit.gaussian_pid(np.cov(np.c_[y, t, s], rowvar=False), (1, 2, 1))
    with pytest.raises(pidkit.SolverError) as estimate:
        pidkit.gaussian_pid_from_samples(y, t, s)
    for caught in (exact, estimate):
        assert "information that nearly collinear variables may carry" in str(caught.value)
        assert COMBINE in str(caught.value)
    with pytest.raises(pidkit.SolverError, match="nearly collinear variables may carry"):
        estimate_from_covariance(np.cov(np.c_[y, t, s], rowvar=False), (1, 2, 1), n_samples=N)


def test_strict_false_returns_the_wrong_answer_uncertified_with_the_bound_as_its_gap():
    y, t, s = _nearly_collinear()
    r = pidkit.gaussian_pid_from_samples(y, t, s, strict=False)
    assert r.status == "optimal_inaccurate" and not r.success
    assert r.gap == pytest.approx(r.diagnostics["collinear_nats"] / np.log(2), rel=1e-9)
    assert r.gap == pytest.approx(0.928, abs=1e-3)
    # the gap covers the error: with the difference as its own column I(Y;T) is the truth,
    # 1/2 log2(1 + 1) = 0.5 bits (the difference is Y + unit noise, scaled), not the 0 returned
    fixed = pidkit.gaussian_pid_from_samples(y, np.c_[t[:, 0], t[:, 1] - t[:, 0]], s)
    assert r.i_yt == 0.0 and fixed.i_yt == pytest.approx(0.5, abs=0.03)
    assert abs(fixed.i_yt - r.i_yt) <= r.gap


@pytest.mark.parametrize("eps", [1e-6, 1e-7, 1e-8])
def test_every_cut_difference_that_carries_the_information_is_refused(eps):
    assert not pidkit.gaussian_pid_from_samples(*_nearly_collinear(eps), strict=False).success


def test_the_threshold_is_bartletts_chi_squared_quantile_at_one_in_a_million():
    # Y, z and w orthonormal in the sample, the dropped direction of T = (z, z + 1e-6 d) is d, with
    # sample correlation r with Y: Bartlett's statistic -(n - 1 - 3/2) log(1 - r^2) against the
    # chi-squared quantile with 1 degree of freedom at 1 - 1e-6 (23.9) puts the edge at r*.
    y, z, w, s_noise = _orthonormal(N, 4, seed=3).T
    edge = np.sqrt(-np.expm1(-chi2.isf(1e-6, 1) / (N - 1 - 1.5)))
    assert edge == pytest.approx(0.1091, abs=1e-4)
    outcomes = {}
    for r in (0.95 * edge, 1.05 * edge):
        t = np.c_[z, z + 1e-6 * (r * y + np.sqrt(1 - r**2) * w)]
        result = pidkit.gaussian_pid_from_samples(y, t, y + 2 * s_noise, strict=False)
        outcomes[r < edge] = result.status
        assert result.diagnostics["ranks"] == (1, 1, 1, 2)   # the difference was dropped both times
    assert outcomes == {True: "optimal", False: "optimal_inaccurate"}


@pytest.mark.parametrize("second", ["duplicate", "constant", "affine copy", "noise difference"])
def test_columns_whose_dropped_direction_is_noise_are_reduced_silently(second):
    rng = np.random.default_rng(1)
    y = rng.normal(size=N)
    t = y + rng.normal(size=N)
    s = y + 2 * rng.normal(size=N)
    column = {
        "duplicate": t,
        "constant": np.full(N, 3.0),
        "affine copy": 2 * t + 1,
        "noise difference": t + 1e-6 * rng.normal(size=N),   # independent of Y: sampling noise
    }[second]
    single = pidkit.gaussian_pid_from_samples(y, t, s)
    r = pidkit.gaussian_pid_from_samples(y, np.c_[t, column], s)
    assert r.status == "optimal" and r.gap < 1e-12
    assert r.diagnostics["ranks"] == (1, 1, 1, 2)
    # the same decomposition: exactly for a copy, to the noise's 1e-6 scale for a noisy one
    close = 1e-6 if second == "noise difference" else 1e-12
    for q in ("red", "uni_t", "uni_s", "syn", "i_yt", "i_ys", "i_yts"):
        assert getattr(r, q) == pytest.approx(getattr(single, q), abs=close)
