"""The BROJA solver at the extremes: masses over 1e-300..1, near-degenerate and deterministic joints
with noise, one-symbol axes, float32 and integer counts. No answer is ever non-finite, an
``optimal`` answer's gap is within tol, and (almost) nothing is declined."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pidkit

from .strategies import deterministic_joint

FAMILIES = ("log_spread", "near_degenerate", "deterministic_noise", "one_symbol", "float32", "counts")


def extreme_joint(family: str, seed: int, spread: int = 300):
    """A joint of the family and whether it needs ``normalize=True``."""
    rng = np.random.default_rng(seed)
    shape = tuple(int(n) for n in rng.integers(1, 6, size=3))
    n = int(np.prod(shape))
    if family == "log_spread":
        p = 10.0 ** rng.uniform(-spread, 0, shape)
    elif family == "near_degenerate":
        p = deterministic_joint(rng, shape) + 1e-6 * rng.dirichlet(np.ones(n)).reshape(shape)
    elif family == "deterministic_noise":
        p = deterministic_joint(rng, shape) + 1e-9 * rng.random(shape)
    elif family == "one_symbol":
        shape = list(shape)
        shape[int(rng.integers(0, 3))] = 1
        p = rng.dirichlet(np.full(int(np.prod(shape)), 0.5)).reshape(shape)
    elif family == "float32":
        return rng.dirichlet(np.full(n, 0.3)).reshape(shape).astype(np.float32), True
    else:  # integer counts
        counts = rng.integers(0, 5, size=shape)
        counts.flat[int(rng.integers(0, n))] += 1
        return counts, True
    return p / p.sum(), False


def _check(result):
    numbers = [result.red, result.uni_t, result.uni_s, result.syn, result.i_yt, result.i_ys,
               result.i_yts, result.gap]
    assert all(math.isfinite(x) for x in numbers), result
    if result.status == "optimal":
        assert result.gap <= 1e-9
        assert min(result.red, result.uni_t, result.uni_s, result.syn) >= 0.0
        assert result.uni_t + result.red == pytest.approx(result.i_yt, abs=1e-9)
        assert result.red + result.uni_t + result.uni_s + result.syn == pytest.approx(
            result.i_yts, abs=1e-9)


@settings(max_examples=120)
@given(st.sampled_from(FAMILIES), st.integers(0, 2**32 - 1), st.sampled_from([30, 100, 300]))
def test_extreme_joints_get_finite_certified_answers(family, seed, spread):
    p, normalize = extreme_joint(family, seed, spread)
    result = pidkit.bertschinger(p, normalize=normalize, strict=False)
    _check(result)
    assert result.success, result.message
    if result.q is not None:
        p64 = np.asarray(p, dtype=float)  # a float32 joint's own sums carry float32 rounding
        np.testing.assert_allclose(result.q.sum(axis=2), p64.sum(axis=2) / p64.sum(), atol=1e-12)


def test_at_most_one_in_a_thousand_is_declined():
    declined, total = [], 0
    for family in FAMILIES:
        for seed in range(100):
            p, normalize = extreme_joint(family, 10_000 + seed)
            result = pidkit.bertschinger(p, normalize=normalize, strict=False)
            _check(result)
            total += 1
            if not result.success:
                declined.append((family, seed, result.message))
    assert len(declined) <= total // 1000, declined


def test_the_issue_joint_spread_over_300_orders_is_certified():
    # Issue 13: such joints came back 'optimal' with NaN atoms and infinite gap, or declined.
    rng = np.random.default_rng(455)
    for _ in range(60):
        p = 10.0 ** rng.uniform(-300, 0, (2, 2, 2))
        p /= p.sum()
        for method in ("auto", "native"):
            result = pidkit.bertschinger(p, method=method)
            _check(result)
            assert result.success and result.method == "native"
            np.testing.assert_allclose(result.q.sum(axis=1), p.sum(axis=1), atol=1e-15)


def test_a_joint_whose_newton_steps_cycle_is_certified_natively():
    # Masses over 30 orders of magnitude: full steps on the exponential M came back to the same
    # residuals every other iteration until the limit; halving the trust region when the joint
    # stalls breaks the cycle (27 iterations).
    p, _ = extreme_joint("log_spread", 301_935, 30)
    result = pidkit.bertschinger(p, method="native")
    _check(result)
    assert result.success and result.nit < 60


def test_a_joint_stalled_with_rows_it_cannot_fill_is_centred_higher_and_certified():
    # Masses over 100 orders of magnitude on a 2x38x32 grid (the multiplier system): the iterates
    # reached the centring floor with a marginal residual of 3e-8 that no step reduced, until the
    # limit. Centring a stalled joint at a tenth of its residual per pair lets it fill those rows.
    rng = np.random.default_rng(284)
    shape = (int(rng.integers(2, 5)), int(rng.integers(20, 50)), int(rng.integers(20, 50)))
    rng.uniform(-30, 0, shape)
    p = 10.0 ** rng.uniform(-100, 0, shape)
    result = pidkit.bertschinger(p / p.sum(), method="native")
    _check(result)
    assert result.success and result.nit < 200
