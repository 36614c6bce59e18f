"""The Gaussian PID of features that nearly determine the label (one-hot plus 0.1 % noise).

The informations of such features are resolved by float64 only to about 4 eps / (1 - rho^2) nats
(rho: the canonical correlation with Y): 1e-9 nats at 1e-3 noise, 1e-5 at 1e-5. That part of the
certified gap is no solver's fault and no solver can remove it, so an uncertified answer says so,
names the source, gives the tol that certifies it, and (from pid_from_representations) points to
estimator='discrete'. Found by task 323.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pidkit
from pidkit.estimate import pid_from_representations
from pidkit.gaussian import gaussian_pid_from_samples

N = 600
NOISE = {"T": 1e-3, "S": 0.5}


def saturated(noise_t: float, noise_s: float, seed: int = 0):
    """Labels y (3 classes), their C - 1 one-hot columns and one-hot features plus noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, N)
    one_hot = np.eye(3)[y]
    t = one_hot + noise_t * rng.standard_normal((N, 3))
    s = one_hot + noise_s * rng.standard_normal((N, 3))
    return y, one_hot[:, :2], t, s


def suggested_tol(message: str) -> float:
    advice = r"pass tol=(\S+) or more \(twice the gap, for a margin; tol is in bits"
    return float(re.search(advice, message).group(1))


@pytest.mark.parametrize(("noise_t", "noise_s", "named"), [
    (1e-3, 0.5, "T"), (0.5, 1e-3, "S"), (1e-3, 1e-4, "S"), (1e-5, 1e-3, "T"),
])
def test_samples_that_nearly_determine_y_are_declined_with_the_reason_and_the_tol(
    noise_t, noise_s, named
):
    _, y, t, s = saturated(noise_t, noise_s)
    with pytest.raises(pidkit.SolverError) as caught:
        gaussian_pid_from_samples(y, t, s)
    message = str(caught.value)
    assert f"{named} is nearly a noiseless linear function of Y (1 - rho^2 = " in message
    assert "float64 resolves such an information only to about 4 eps / (1 - rho^2) nats" in message
    tol = suggested_tol(message)
    result = gaussian_pid_from_samples(y, t, s, tol=tol)
    assert result.status == "optimal" and result.gap <= tol
    assert 1.0 < tol / result.gap < 4.0  # twice the gap, rounded up to one digit
    assert getattr(result, f"i_y{named.lower()}") > 15.0  # bits: far above H(Y) = 1.58


def test_the_certified_gap_holds_the_exact_informations_of_the_covariance():
    mpmath = pytest.importorskip("mpmath")
    _, y, t, s = saturated(0.5, 1e-4)
    cov = np.cov(np.hstack([y, t, s]), rowvar=False)
    with pytest.raises(pidkit.SolverError, match="S is nearly a noiseless linear function of Y"):
        pidkit.gaussian_pid(cov, (2, 3, 3))
    result = pidkit.gaussian_pid(cov, (2, 3, 3), units="nats", strict=False)
    mpmath.mp.dps = 40
    exact = mpmath.matrix(cov.tolist())

    def log_det(idx):
        return mpmath.log(mpmath.det(mpmath.matrix([[exact[i, j] for j in idx] for i in idx])))

    def information(a, b):
        return float((log_det(a) + log_det(b) - log_det(a + b)) / 2)

    y_idx, t_idx, s_idx = [0, 1], [2, 3, 4], [5, 6, 7]
    errors = [
        result.i_yt - information(y_idx, t_idx),
        result.i_ys - information(y_idx, s_idx),
        result.i_yts - information(y_idx, t_idx + s_idx),
    ]
    assert max(abs(e) for e in errors) <= result.gap
    assert 1e-9 < result.gap < 1e-6  # above the default tol (6.9e-10 nats), so declined


def test_pid_from_representations_points_to_strict_false_and_the_discrete_estimator():
    y, _, t, s = saturated(0.5, 1e-3)
    with pytest.raises(pidkit.SolverError) as caught:
        pid_from_representations(y, t, s, estimator="gaussian", normalize=None)
    message = str(caught.value)
    assert "S is nearly a noiseless linear function of Y" in message
    assert "pass strict=False to get it (result.pid.gap holds the gap)" in message
    assert "pass tol" not in message  # pid_from_representations has no tol
    assert message.count("strict=False") == 1
    assert message.endswith(
        "The features are near-deterministic functions of the label (saturated, e.g. one-hot or "
        "predict_proba outputs): estimator='discrete' measures their bits of the label, bounded "
        "by H(Y)."
    )


def test_noiseless_features_are_refused_with_the_discrete_estimator_named():
    y, _, t, s = saturated(0.5, 1e-7)
    with pytest.raises(ValueError) as caught:
        pid_from_representations(y, t, s, estimator="gaussian", normalize=None)
    message = str(caught.value)
    assert "S determines a linear combination of Y exactly" in message
    assert "the mutual information is infinite and the Gaussian PID is undefined" in message
    assert message.endswith("estimator='discrete' measures their bits of the label, bounded by H(Y).")


def test_an_uncertified_estimate_keeps_its_bootstrap_replicates():
    y, _, t, s = saturated(0.5, 1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = pid_from_representations(
            y, t, s, estimator="gaussian", normalize=None, strict=False, bootstrap=20
        )
    assert run.pid.status == "optimal_inaccurate"
    assert run.settings["bootstrap_failed"] == 0
    low, high = run.intervals["i_ys"]
    assert 20.0 < low <= run.i_ys <= high < 30.0


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    log_noise=st.floats(min_value=-6.0, max_value=0.0),
    side=st.sampled_from(["T", "S", "both"]),
    seed=st.integers(0, 2**16),
)
def test_over_conditioning_answers_are_finite_certified_or_explained(log_noise, side, seed):
    noise = 10.0**log_noise
    noise_t = noise if side in ("T", "both") else 0.5
    noise_s = noise if side in ("S", "both") else 0.5
    _, y, t, s = saturated(noise_t, noise_s, seed)
    try:
        result = gaussian_pid_from_samples(y, t, s, strict=False)
    except ValueError as error:  # a canonical correlation within 1e-12 of 1: infinite information
        assert "determines a linear combination of Y exactly" in str(error)
        assert noise < 3e-6
        return
    numbers = [getattr(result, q) for q in ("red", "uni_t", "uni_s", "syn", "i_yts", "gap")]
    assert all(np.isfinite(numbers))
    if result.status == "optimal":
        assert result.gap <= 1e-9
    else:
        assert "is nearly a noiseless linear function of Y" in result.message
        assert result.gap <= suggested_tol(result.message)
