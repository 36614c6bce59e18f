"""The empirical-Bayes entropy's mixing weights are the maximum of the marginal likelihood, not
where an EM stopped.

Before: 500 EM iterations from uniform weights, which on audit-sized tables (10 labels, 100 rows
of 4.5 samples) never met their tolerance and stopped 0.006 to 0.07 nats of log-likelihood below
the maximum; an entropy moved by up to 0.004 nats with the iteration cap. Now an interior-point
solver certifies the maximum (the mean log-likelihood per row within 1e-7 nats), checked here
against cvxpy's Clarabel.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import pytest

from pidkit.estimate import dirichlet, eb_conditional_entropy
from pidkit.estimate.mixture_weights import MIXTURE_TOLERANCE, maximum_likelihood_weights


def _audit_like_counts(seed: int, n: int = 450) -> np.ndarray:
    """Counts (10 labels, 10 x 10 (t, s) rows) of a seeded Dirichlet(0.3) joint, as rows x labels."""
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n, rng.dirichlet(np.full(1000, 0.3))).reshape(10, 100).T
    return counts[counts.sum(axis=1) > 0].astype(np.float64)


def _scaled_likelihoods(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The grid's row likelihoods (each row's largest 1) and posterior mean entropies, (k, x)."""
    base = counts.sum(axis=0) / counts.sum()
    floor, spike = (g.ravel() for g in np.meshgrid(dirichlet.FLOOR_GRID, dirichlet.SPIKE_GRID,
                                                   indexing="ij"))
    loglik, entropy = dirichlet._row_posteriors(counts, base, floor, spike)
    return np.exp(loglik - loglik.max(axis=0)), entropy


def _clarabel_weights(likelihoods: np.ndarray) -> np.ndarray:
    weights = cp.Variable(likelihoods.shape[0], nonneg=True)
    problem = cp.Problem(cp.Maximize(cp.sum(cp.log(likelihoods.T @ weights))), [cp.sum(weights) == 1])
    problem.solve(solver=cp.CLARABEL)
    assert problem.status == cp.OPTIMAL
    return np.clip(weights.value, 0.0, None) / np.clip(weights.value, 0.0, None).sum()


def _log_likelihood(likelihoods: np.ndarray, weights: np.ndarray) -> float:
    return float(np.log(likelihoods.T @ weights).sum())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weights_reach_the_maximum_clarabel_finds(seed):
    likelihoods, _ = _scaled_likelihoods(_audit_like_counts(seed))
    weights, gap = maximum_likelihood_weights(likelihoods)
    reference = _clarabel_weights(likelihoods)
    assert weights.min() >= 0.0
    assert weights.sum() == pytest.approx(1.0, abs=1e-12)
    # Certified: no weights do better than gap, and gap is within the tolerance ...
    assert 0.0 <= gap <= likelihoods.shape[1] * MIXTURE_TOLERANCE
    # ... and Clarabel's optimum (to its own accuracy, about 1e-8 nats) is not above ours by more.
    assert _log_likelihood(likelihoods, weights) >= _log_likelihood(likelihoods, reference) - gap - 1e-8
    # The row evidences at the maximum are unique (the objective is strictly concave in them).
    np.testing.assert_allclose(likelihoods.T @ weights, likelihoods.T @ reference, rtol=1e-4)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_optimality_condition_holds(seed):
    likelihoods, _ = _scaled_likelihoods(_audit_like_counts(seed))
    weights, _ = maximum_likelihood_weights(likelihoods)
    gradient = likelihoods @ (1.0 / (likelihoods.T @ weights)) / likelihoods.shape[1]
    assert gradient.max() <= 1.0 + 2 * MIXTURE_TOLERANCE
    # where the weights sit the condition is an equality
    assert gradient[weights > 1e-3].min() >= 1.0 - 1e-6


def test_entropy_is_the_posterior_mean_under_the_maximum_likelihood_weights():
    """Fails on the 500-iteration EM: its entropy here was 0.0022 nats off."""
    counts = _audit_like_counts(3)
    likelihoods, entropy = _scaled_likelihoods(counts)
    weights = _clarabel_weights(likelihoods)
    posterior = weights[:, None] * likelihoods / (likelihoods.T @ weights)
    n_x = counts.sum(axis=1)
    expected = float(np.sum(n_x * np.sum(posterior * entropy, axis=0)) / n_x.sum())
    assert eb_conditional_entropy(counts) == pytest.approx(expected, abs=2e-5)


def test_one_row_puts_all_weight_on_its_most_likely_component():
    likelihoods = np.array([[0.2], [1.0], [0.7]])
    weights, gap = maximum_likelihood_weights(likelihoods)
    np.testing.assert_allclose(weights, [0.0, 1.0, 0.0], atol=1e-6)
    assert gap <= MIXTURE_TOLERANCE


def test_likelihoods_equal_up_to_rounding_keep_the_uniform_weights():
    # Every component gives a row of one sample the marginal's likelihood; the computed ones differ
    # by rounding (3.5e-10 of the log here). Certified to 1e-10 per row, the solver fitted that
    # rounding: 92 % of the weight on one component, and the entropy 2.288 nats instead of 1.414.
    rng = np.random.default_rng(11)
    one_sample_rows = np.eye(12)[rng.integers(0, 12, 40)]
    likelihoods, _ = _scaled_likelihoods(one_sample_rows)
    assert 0 < np.ptp(np.log(likelihoods), axis=0).max() < 1e-9
    weights, _ = maximum_likelihood_weights(likelihoods)
    np.testing.assert_allclose(weights, 1 / weights.size, rtol=1e-12)
    assert eb_conditional_entropy(one_sample_rows) == pytest.approx(1.4136194243319, abs=1e-9)


@pytest.mark.parametrize(("likelihoods", "tolerance", "message"), [
    ([[1.0, 0.0], [0.5, 0.0]], MIXTURE_TOLERANCE, "; column 1 is all 0 (a row no component can give"),
    ([[1.0, np.nan], [0.5, 1.0]], MIXTURE_TOLERANCE, "; got nan at (0, 1)."),
    ([[1.0, 1.0], [-0.5, 1.0]], MIXTURE_TOLERANCE, "; got -0.5 at (1, 0)."),
    (np.zeros((3, 0)), MIXTURE_TOLERANCE, "; got shape (3, 0)."),
    ([0.2, 1.0], MIXTURE_TOLERANCE, "; got shape (2,)."),
    ([[0.2, 1.0], [1.0, 0.3]], -1.0, "tolerance must be a positive number of nats per row (the "
     "default, MIXTURE_TOLERANCE, is 1e-07); got -1.0."),
    ([[0.2, 1.0], [1.0, 0.3]], 0.0, "got 0.0."),
])
def test_inputs_it_cannot_certify_are_refused_by_name(likelihoods, tolerance, message):
    # Before: a column of zeros or a NaN ended in scipy's 'array must not contain infs or NaNs',
    # no rows and a tolerance of 0 or below in the ArithmeticError that calls itself a bug.
    with pytest.raises(ValueError) as refused:
        maximum_likelihood_weights(np.asarray(likelihoods, dtype=float), tolerance)
    said = str(refused.value)
    assert message in said
    if tolerance > 0:
        assert said.startswith("likelihoods must be a 2-D array of shape (k, n): the likelihood of "
                               "each of n rows under each of k components, finite and non-negative")
