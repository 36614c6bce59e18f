"""Gaussian PID against exact oracles: scalar targets (MMI), degraded channels, mixed direct sums,
the cvxpy SDP on the unreduced program, invariances, the certificate, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pidkit
from pidkit._blas import blas_threads
from pidkit.gaussian.closed_form import solve_closed_form
from pidkit.gaussian.examples import (
    ATOMS,
    degraded,
    direct_sum,
    random_invertible,
    random_positive_definite,
    scalar_target,
    swap_sources,
    tied,
)
from pidkit.gaussian.program import evaluate
from pidkit.gaussian.reduce import reduce_covariance

LN2 = np.log(2.0)


def log_det(a: np.ndarray) -> float:
    sign, value = np.linalg.slogdet(a)
    assert sign > 0
    return value


def blocks(dims):
    d_y, d_t, _ = dims
    return slice(0, d_y), slice(d_y, d_y + d_t), slice(d_y + d_t, None), slice(d_y, None)


def assert_atoms(result, atoms, tol_bits):
    for name in ATOMS:
        value = getattr(result, name)
        assert abs(value - atoms[name]) <= tol_bits, (name, value, atoms[name])


def assert_certified(result, tol_bits=1e-9):
    assert result.status == "optimal" and result.success
    assert 0.0 <= result.gap <= tol_bits
    identities = (
        result.uni_t + result.red - result.i_yt,
        result.uni_s + result.red - result.i_ys,
        result.red + result.uni_t + result.uni_s + result.syn - result.i_yts,
    )
    assert max(abs(v) for v in identities) <= 1e-9
    assert min(getattr(result, a) for a in ATOMS) >= 0.0


# --- exact oracles ---------------------------------------------------------------------------


@pytest.mark.parametrize(("d_t", "d_s"), [(1, 1), (1, 3), (4, 2), (7, 7), (40, 25)])
def test_scalar_target_equals_mmi_to_1e9_bits(d_t, d_s):
    rng = np.random.default_rng(d_t * 100 + d_s)
    for _ in range(5):
        ex = scalar_target(d_t, d_s, rng=rng)
        result = pidkit.gaussian_pid(ex.cov, ex.dims)
        assert_certified(result)
        assert_atoms(result, ex.atoms, 1e-9)
        assert min(result.uni_t, result.uni_s) == 0.0  # MMI: one source has no unique information


@pytest.mark.parametrize(("d_y", "d_t", "d_s"), [(1, 1, 1), (2, 3, 2), (3, 3, 5), (5, 8, 4), (6, 20, 30)])
@pytest.mark.parametrize("swap", [False, True])
def test_degraded_channel_has_no_unique_or_synergy_in_the_weaker_source(d_y, d_t, d_s, swap):
    rng = np.random.default_rng(d_y * 1000 + d_t * 10 + d_s)
    for _ in range(3):
        ex = degraded(d_y, d_t, d_s, rng=rng, swap=swap)
        result = pidkit.gaussian_pid(ex.cov, ex.dims)
        assert_certified(result)
        assert_atoms(result, ex.atoms, 1e-9)


def test_textbook_degraded_example_in_nats_and_bits():
    cov = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 2.0], [1.0, 2.0, 5.0]])
    nats = pidkit.gaussian_pid(cov, (1, 1, 1), units="nats")
    assert nats.red == pytest.approx(0.5 * np.log(1.25), abs=1e-15)
    assert nats.uni_t == pytest.approx(0.5 * np.log(2.0) - 0.5 * np.log(1.25), abs=1e-15)
    assert (nats.uni_s, nats.syn) == (0.0, 0.0)
    assert pidkit.gaussian_pid(cov, (1, 1, 1)).red == pytest.approx(nats.red / LN2, abs=1e-15)


def test_mixed_direct_sums_add_up_at_small_sizes():
    rng = np.random.default_rng(7)
    parts = [scalar_target(2, 3, rng=rng), degraded(2, 3, 2, rng=rng), degraded(3, 2, 4, rng=rng, swap=True)]
    ex = direct_sum(parts, rng=rng)
    result = pidkit.gaussian_pid(ex.cov, ex.dims)
    assert_certified(result)
    assert_atoms(result, ex.atoms, 1e-9)
    # Neither source dominates and the channels do not commute: the decomposition is not MMI.
    assert result.uni_t > 0.1 and result.uni_s > 0.1


def test_mixed_direct_sum_32x256x256_to_1e7_bits():
    rng = np.random.default_rng(32)
    # 8 x (1, 8, 8) scalar targets and 6 x (4, 32, 32) degraded channels, three each way.
    parts = [scalar_target(8, 8, rng=rng) for _ in range(8)]
    parts += [degraded(4, 32, 32, rng=rng, swap=bool(i % 2)) for i in range(6)]
    ex = direct_sum(parts, rng=rng)
    assert ex.dims == (32, 256, 256)
    result = pidkit.gaussian_pid(ex.cov, ex.dims)
    assert_certified(result)
    assert_atoms(result, ex.atoms, 1e-7)


def test_the_optimal_coupling_has_the_input_marginals_and_attains_the_union_information():
    rng = np.random.default_rng(3)
    ex = direct_sum([degraded(2, 3, 3, rng=rng), degraded(2, 2, 3, rng=rng, swap=True)], rng=rng)
    cov, dims = ex.cov, ex.dims
    result = pidkit.gaussian_pid(cov, dims, units="nats")
    q = result.q
    y, t, s, ts = blocks(dims)
    assert q.shape == cov.shape
    for a, b in ((y, y), (y, t), (y, s), (t, t), (s, s)):
        np.testing.assert_allclose(q[a, b], cov[a, b], atol=1e-12)
    assert np.linalg.eigvalsh(q).min() >= -1e-9
    # I_Q(Y;T,S) by regression with a pseudo-inverse (Q* is singular: T and S share noise).
    c_ts_y = q[ts, y]
    residual = q[y, y] - c_ts_y.T @ np.linalg.pinv(q[ts, ts], rcond=1e-10) @ c_ts_y
    i_q = 0.5 * (log_det(q[y, y]) - log_det(residual))
    union = result.i_yt + result.i_ys - result.red
    assert i_q == pytest.approx(union, abs=1e-8)


# --- the cvxpy reference ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_cvxpy_sdp_on_the_unreduced_program_agrees(seed):
    rng = np.random.default_rng(seed)
    dims = tuple(int(v) for v in rng.integers(1, 4, size=3))
    a = rng.standard_normal((sum(dims), sum(dims) + 2))
    cov = a @ a.T
    native = pidkit.gaussian_pid(cov, dims)
    reference = pidkit.gaussian_pid(cov, dims, method="cvxpy", tol=1e-5)
    assert reference.method == "cvxpy" and reference.solver in ("CLARABEL", "SCS")
    assert reference.status == "optimal"
    for name in ATOMS:
        assert abs(getattr(reference, name) - getattr(native, name)) <= reference.gap + native.gap


def test_cvxpy_reduction_check_on_sources_wider_than_the_target():
    # d_t, d_s > d_y: the reference sees every whitened dimension, native only rank-d_y channels.
    rng = np.random.default_rng(12)
    a = rng.standard_normal((10, 12))
    cov = a @ a.T
    native = pidkit.gaussian_pid(cov, (2, 4, 4))
    reference = pidkit.gaussian_pid(cov, (2, 4, 4), method="cvxpy", tol=1e-5)
    assert abs(reference.uni_t - native.uni_t) <= 1e-6


def test_cvxpy_refuses_large_systems():
    cov = np.eye(200)
    with pytest.raises(ValueError, match="method='cvxpy' is the small-system reference"):
        pidkit.gaussian_pid(cov, (2, 99, 99), method="cvxpy")


# --- invariances and properties --------------------------------------------------------------


@st.composite
def covariances(draw, max_dim: int = 4):
    dims = tuple(draw(st.integers(1, max_dim)) for _ in range(3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = rng.standard_normal((sum(dims), sum(dims) + draw(st.integers(0, 3))))
    # A floor on the spectrum keeps the informations moderate (<~ 10 bits), where a change of
    # coordinates perturbs the input by less than the tolerance the tests use.
    return a @ a.T / sum(dims) + 0.05 * np.eye(sum(dims)), dims, rng


@given(covariances())
def test_swapping_teacher_and_student_swaps_the_unique_informations(case):
    cov, dims, _ = case
    result = pidkit.gaussian_pid(cov, dims)
    swapped = pidkit.gaussian_pid(*swap_sources(cov, dims))
    assert_certified(result)
    for a, b in (("red", "red"), ("syn", "syn"), ("uni_t", "uni_s"), ("uni_s", "uni_t")):
        assert getattr(swapped, a) == pytest.approx(getattr(result, b), abs=1e-9)


@given(covariances())
def test_invertible_maps_within_y_t_and_s_leave_the_decomposition_unchanged(case):
    cov, dims, rng = case
    mix = np.zeros_like(cov)
    start = 0
    for n in dims:
        mix[start : start + n, start : start + n] = random_invertible(rng, n)
        start += n
    result = pidkit.gaussian_pid(cov, dims)
    mixed = pidkit.gaussian_pid(mix @ cov @ mix.T, dims)
    for name in (*ATOMS, "i_yts"):
        assert getattr(mixed, name) == pytest.approx(getattr(result, name), abs=1e-9)


@given(covariances())
def test_closed_form_sits_inside_its_certified_bounds(case):
    cov, dims, _ = case
    with blas_threads(1):  # as gaussian_pid runs them
        system = reduce_covariance(cov, dims)
        solution = solve_closed_form(system.h_t, system.h_s)
        assert solution.lower_nats - 1e-12 <= solution.union_nats <= solution.upper_nats + 1e-12
        assert max(system.i_yt, system.i_ys) - 1e-12 <= solution.union_nats <= system.i_yts + 1e-12
        # No coupling does better: random ones give upper bounds, and their certificates hold.
        rng = np.random.default_rng(0)
        for _ in range(5):
            sigma = rng.standard_normal(solution.sigma.shape)
            sigma /= max(1.0, np.linalg.norm(sigma, 2) * 1.01) if sigma.size else 1.0
            point = evaluate(sigma, system.h_t, system.h_s)
            assert point.value >= solution.union_nats - 1e-12
            assert point.value - point.gap <= solution.union_nats + 1e-12


def test_the_gap_bounds_the_error_at_high_signal_to_noise():
    rng = np.random.default_rng(5)
    q, _ = np.linalg.qr(rng.standard_normal((8, 8)))
    for scale in (1.0, 1e2, 1e3):
        a, b = scale * rng.uniform(0.1, 1, 8), scale * rng.uniform(0.1, 1, 8)
        exact = 0.5 * np.sum(np.log1p(np.maximum(a, b) ** 2))  # commuting channels: per direction MMI
        solution = solve_closed_form(a[:, None] * q.T, b[:, None] * q.T)
        assert abs(solution.union_nats - exact) <= solution.gap_nats


# --- degenerate covariances -------------------------------------------------------------------


def test_duplicated_and_constant_features_are_reduced_away():
    rng = np.random.default_rng(4)
    ex = degraded(2, 3, 3, rng=rng)
    cov, dims, atoms = ex.cov, ex.dims, ex.atoms
    d = sum(dims)
    # T gains a copy of its first column and a constant column; S a sum of its columns.
    extend = np.zeros((d + 3, d))
    extend[:d, :d] = np.eye(d)
    extend[d, dims[0]] = 1.0  # duplicate of T_1
    extend[d + 2, dims[0] + dims[1] :] = 1.0  # S_1 + S_2 + S_3
    order = np.r_[0 : dims[0] + dims[1], d, d + 1, dims[0] + dims[1] : d, d + 2]
    big = (extend @ cov @ extend.T)[np.ix_(order, order)]
    big_dims = (dims[0], dims[1] + 2, dims[2] + 1)
    result = pidkit.gaussian_pid(big, big_dims)
    assert_certified(result)
    assert_atoms(result, atoms, 1e-9)
    assert result.diagnostics["reduction"] == "eigh"
    assert result.diagnostics["ranks"] == (2, 3, 3, 6)


def test_a_full_one_hot_target_is_reduced_to_c_minus_1_dimensions():
    rng = np.random.default_rng(8)
    probs = np.array([0.2, 0.3, 0.5])
    c_yy = np.diag(probs) - np.outer(probs, probs)  # one-hot covariance: rank 2
    load = rng.standard_normal((4, 3))
    c_ty = load @ c_yy
    c_tt = load @ c_yy @ load.T + random_positive_definite(rng, 4)
    full = np.block([[c_yy, c_ty.T], [c_ty, c_tt]])
    cov = np.zeros((3 + 4 + 4,) * 2)
    cov[:7, :7] = full
    cov[7:, :7] = 0.5 * full[3:7, :]
    cov[:7, 7:] = cov[7:, :7].T
    cov[7:, 7:] = 0.25 * c_tt + random_positive_definite(rng, 4)
    result = pidkit.gaussian_pid(cov, (3, 4, 4))
    keep = [0, 1, *range(3, 11)]  # drop the last class indicator
    reduced = pidkit.gaussian_pid(cov[np.ix_(keep, keep)], (2, 4, 4))
    assert result.diagnostics["ranks"][0] == 2
    for name in (*ATOMS, "i_yts"):
        assert getattr(result, name) == pytest.approx(getattr(reduced, name), abs=1e-9)


def test_a_source_that_copies_the_target_is_refused():
    cov = np.array([[1.0, 1.0, 0.5], [1.0, 1.0, 0.5], [0.5, 0.5, 1.0]])
    with pytest.raises(ValueError, match="T determines a linear combination of Y exactly"):
        pidkit.gaussian_pid(cov, (1, 1, 1))


def test_a_pair_that_determines_the_target_is_refused():
    # Y = T + S exactly with T, S independent: I(Y;T,S) is infinite.
    cov = np.array([[2.0, 1.0, 1.0], [1.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match=r"\(T, S\) jointly determines"):
        pidkit.gaussian_pid(cov, (1, 1, 1))


def test_an_uninformative_source_gives_zero_atoms_for_it():
    cov = np.eye(3)
    cov[0, 1] = cov[1, 0] = 0.6
    result = pidkit.gaussian_pid(cov, (1, 1, 1))
    assert (result.red, result.uni_s, result.syn) == (0.0, 0.0, 0.0)
    assert result.uni_t == pytest.approx(-0.5 * np.log2(1 - 0.36), abs=1e-15)


def test_a_target_of_zero_variance_gives_zero_atoms_with_a_warning():
    # Y constant, T and S informative about nothing: all atoms are 0, which is right, but nothing
    # said so; the usual cause is a covariance whose blocks are not in the order [Y, T, S].
    cov = np.array([[0.0, 0.0, 0.0], [0.0, 2.0, 1.0], [0.0, 1.0, 2.0]])
    with pytest.warns(UserWarning) as record:
        result = pidkit.gaussian_pid(cov, (1, 1, 1))
    assert [str(w.message) for w in record] == [
        "cov gives Y zero variance (its first 1 x 1 block is 0): a constant target carries no "
        "information, so every atom is 0. If Y is not the first block, reorder cov: dims = "
        "(d_y, d_t, d_s) are the sizes of [Y, T, S] in that order."
    ]
    assert_certified(result)
    assert [getattr(result, a) for a in ATOMS] == [0.0] * 4
    assert result.diagnostics["ranks"] == (0, 1, 1, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one constant column of Y among others: no warning
        cov = np.diag([1.0, 0.0, 1.0, 1.0])
        cov[0, 2] = cov[2, 0] = 0.5
        assert pidkit.gaussian_pid(cov, (2, 1, 1)).i_yt == pytest.approx(-0.5 * np.log2(0.75), abs=1e-15)


def _nearly_collinear(eps):
    """Y scalar; T = (z, z + eps (Y + N/2)), S = Y + 3 N': I(Y;T) = 1/2 log2 5 bits whatever eps."""
    mix = np.array([[1.0, 0, 0, 0], [0, 1, 0, 0], [eps, 1, 0.5 * eps, 0], [1, 0, 0, 3]])
    return mix @ mix.T


def test_an_informative_difference_of_nearly_collinear_columns_is_not_certified_away():
    # At eps = 1e-6 T's correlation eigenvalue (6e-13) is dropped as collinear with its 1.16 bits:
    # I(Y;T) came back 0 with status 'optimal' and a gap of 1.4e-15 bits.
    truth = 0.5 * np.log2(5.0)
    # (to 1e-6: forming the covariance in floating point already moves it by ~1e-8 bits at 1e-4;
    # the difference's variance, 1e-8 of the columns', amplifies rounding: the gap says up to 1e-6)
    result = pidkit.gaussian_pid(_nearly_collinear(1e-4), (1, 2, 1), strict=False)
    assert result.i_yt == pytest.approx(truth, abs=1e-6) and result.gap < 1e-5
    with pytest.raises(pidkit.SolverError) as info:
        pidkit.gaussian_pid(_nearly_collinear(1e-6), (1, 2, 1))
    assert (
        "certified gap 2.27 bits exceeds tol=1e-09 bits, of which up to 2.27 bits is information "
        "that nearly collinear variables may carry in the direction where they differ, which was "
        "dropped for its numerically zero variance (below 1e-12 of the largest in its block): pass "
        "such variables combined (e.g. their difference, computed from the samples, in place of "
        "one of them)."
    ) in str(info.value)
    result = pidkit.gaussian_pid(_nearly_collinear(1e-6), (1, 2, 1), strict=False)
    assert result.status == "optimal_inaccurate"
    assert result.i_yt == pytest.approx(0.0, abs=1e-12)
    assert result.gap >= truth  # the gap now bounds the error it makes
    assert result.diagnostics["collinear_nats"] * np.log2(np.e) == pytest.approx(result.gap, rel=1e-9)
    # The target's own nearly collinear columns: Y = (a, a + 1e-6 b), T = b + noise.
    mix = np.array([[1.0, 0, 0, 0], [1, 1e-6, 0, 0], [0, 1, 1, 0], [1, 0, 0, 1]])
    result = pidkit.gaussian_pid(mix @ mix.T, (2, 1, 1), strict=False)
    assert result.i_yt < 1e-9 and result.gap >= 0.5  # I(Y;T) = 0.5 bits


# The matrices as float64 holds them and their I(Y;T,S) in bits, computed with mpmath at 60 digits.
ILL_CONDITIONED = [
    pytest.param(_nearly_collinear(3e-6), (1, 2, 1), 1.1768461004644177, "eigh", id="T=(z, z+3e-6(Y+N/2))"),
    pytest.param(
        np.array([[1.0, 0.5, 0.50001], [0.5, 1.25, 1.250005], [0.50001, 1.250005, 1.2500100002]]),
        (1, 1, 1), 0.58496244766060359, "cholesky", id="S=T+1e-5(Y+N)",
    ),
]


@pytest.mark.parametrize("cov, dims, i_yts, path", ILL_CONDITIONED)
def test_rounding_amplified_by_nearly_collinear_kept_directions_is_in_the_gap(cov, dims, i_yts, path):
    # Kept directions of tiny variance that carry information resolve it poorly in float64:
    # I(Y;T,S) came back 4.2e-5 bits (eigh) and 7.1e-7 bits (Cholesky) off, status 'optimal',
    # with gaps of 1.4e-15 and 4e-15 bits.
    result = pidkit.gaussian_pid(cov, dims, strict=False)
    assert result.diagnostics["reduction"] == path
    error = abs(result.i_yts - i_yts)
    assert 5e-7 < error <= result.gap < 1e-2
    assert result.status == "optimal_inaccurate"
    assert result.diagnostics["conditioning_nats"] * np.log2(np.e) == pytest.approx(result.gap, rel=1e-3)
    with pytest.raises(pidkit.SolverError, match="of which up to .* bits is rounding that nearly "
                       r"collinear variables amplify .*: pass such variables combined"):
        pidkit.gaussian_pid(cov, dims)


def test_the_collinear_bound_allows_for_the_rounding_of_the_dropped_eigenvalue():
    # S = T + 1e-7 (Y + N): the (T, S) block's dropped eigenvalue (4e-15) is known only to about
    # 1e-15, and at its computed value the bound said 0.41 bits for an error of 0.417 bits
    # (I(Y;T,S) = 0.5785 bits by mpmath at 60 digits, 0.161 bits returned).
    cov = np.array(
        [[1.0, 0.5, 0.5000001], [0.5, 1.25, 1.25000005], [0.5000001, 1.25000005, 1.25000010000002]]
    )
    result = pidkit.gaussian_pid(cov, (1, 1, 1), strict=False)
    assert result.diagnostics["reduction"] == "eigh" and result.status == "optimal_inaccurate"
    assert abs(result.i_yts - 0.57846043256622405) == pytest.approx(0.4175, abs=1e-4)
    assert result.gap >= 0.4175


def test_an_informative_direction_of_unresolved_variance_has_no_finite_bound():
    # T = (a, b, 1.3 a + b + 1e-8 (Y + N)): the matrix float64 holds is positive definite, with
    # I(Y;T) = 1.666 bits (mpmath at 60 digits), all in a direction of variance 4e-18, below
    # what eigh resolves. Evaluated at the rounding floor the bound said 0.0159 bits for an error
    # of 1.67 bits; the direction's correlation is far above rounding's, so nothing is bounded.
    mix = np.array([[1.0, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0.3, 1, 0, 0], [1e-8, 1.3, 1, 1e-8, 0],
                    [1, 0, 0, 0, 2]])
    result = pidkit.gaussian_pid(mix @ mix.T, (1, 3, 1), strict=False)
    assert result.diagnostics["ranks"] == (1, 2, 1, 3) and result.i_yt == 0.0
    assert result.gap == np.inf and result.status == "failed"  # the truth is 1.6661759956639697 bits
    assert ("certified gap inf bits exceeds tol=1e-09 bits, of which an unbounded part is information "
            "that nearly collinear variables may carry") in result.message


def test_collinear_columns_of_rounding_level_keep_the_certificate():
    # Exact duplicates leave only rounding in the dropped direction: certified as before.
    rng = np.random.default_rng(5)
    a = rng.standard_normal((4, 7))
    a = np.vstack([a[:2], a[1:2] * 3.0, a[2:]])  # T's second column 3x its first
    result = pidkit.gaussian_pid(a @ a.T, (1, 2, 2))
    assert_certified(result)
    assert result.diagnostics["collinear_nats"] < 1e-15


# --- options, status and bad input -------------------------------------------------------------


def test_an_unmet_tolerance_raises_or_reports_inaccurate():
    cov = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 2.0], [1.0, 2.0, 5.0]])
    with pytest.raises(pidkit.SolverError, match=r"did not certify.*Pass strict=False"):
        pidkit.gaussian_pid(cov, (1, 1, 1), tol=1e-30)
    result = pidkit.gaussian_pid(cov, (1, 1, 1), tol=1e-30, strict=False)
    assert result.status == "optimal_inaccurate" and not result.success
    assert "exceeds tol" in result.message


def test_result_is_json_serialisable():
    import json

    cov = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 2.0], [1.0, 2.0, 5.0]])
    record = pidkit.gaussian_pid(cov, (1, 1, 1)).to_dict(include_q=True)
    assert json.loads(json.dumps(record))["measure"] == "gaussian-broja"


GOOD = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, 0.3], [0.2, 0.3, 1.0]])
ASYMMETRIC = GOOD + np.array([[0.0, 0.1, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
NAN = np.where(np.eye(3) > 0, np.nan, GOOD)


@pytest.mark.parametrize(
    ("cov", "dims", "kwargs", "error", "match"),
    [
        (ASYMMETRIC, (1, 1, 1), {}, ValueError, r"not symmetric: cov\[0, 1\] = 0.6 but cov\[1, 0\] = 0.5"),
        (np.diag([1.0, -0.5, 1.0]), (1, 1, 1), {}, ValueError, "cov is not positive semi-definite"),
        (NAN, (1, 1, 1), {}, ValueError, r"cov contains NaN at index \(0, 0\)"),
        (np.where(np.eye(3) > 0, np.inf, GOOD), (1, 1, 1), {}, ValueError, "cov contains infinity"),
        (GOOD, (1, 1, 2), {}, ValueError, r"dims = \(1, 1, 2\) adds up to 4, but cov is 3 x 3"),
        (np.eye(5), (1, 1, 1), {}, ValueError, r"adds up to 3, but cov is 5 x 5; .* If cov came from np\.cov "
         r"of \(n_samples, n_features\) data, pass rowvar=False"),
        (GOOD, (0, 1, 2), {}, ValueError, "dims must hold block sizes of at least 1"),
        (GOOD, (1, 2), {}, ValueError, r"dims must be the three block sizes \(d_y, d_t, d_s\)"),
        (GOOD, (1.0, 1, 1), {}, TypeError, "dims must hold integers"),
        (GOOD[:2], (1, 1, 1), {}, ValueError, r"cov must be a non-empty square 2-D matrix .* shape \(2, 3\)"),
        (GOOD.astype(complex), (1, 1, 1), {}, TypeError, "cov must be an array of real numbers"),
        (np.ma.masked_array(GOOD, mask=np.eye(3)), (1, 1, 1), {}, ValueError,
         r"cov is a masked array with 3 masked cell\(s\); .*masked entry means\. Estimate the missing"),
        (GOOD, (1, 1, 1), {"method": "newton"}, ValueError, "method must be one of"),
        (GOOD, (1, 1, 1), {"tol": 0}, ValueError, "tol must be a positive number of bits"),
        (GOOD, (1, 1, 1), {"units": "bit"}, ValueError, "units must be 'bits' or 'nats'"),
    ],
)
def test_bad_input_is_refused_with_a_named_message(cov, dims, kwargs, error, match):
    with pytest.raises(error, match=match):
        pidkit.gaussian_pid(cov, dims, **kwargs)


def test_rounding_asymmetry_and_tiny_negative_eigenvalues_are_tolerated():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((5, 6))
    a[2] = a[1]  # T's two columns are equal: singular, PSD only up to rounding
    cov = a @ a.T
    cov[0, 1] += 1e-14
    result = pidkit.gaussian_pid(cov, (1, 2, 2))
    reference = pidkit.gaussian_pid(np.delete(np.delete(a @ a.T, 2, 0), 2, 1), (1, 1, 2))
    assert_certified(result)
    for name in ATOMS:
        assert getattr(result, name) == pytest.approx(getattr(reference, name), abs=1e-9)


@pytest.mark.parametrize(
    ("cov", "message"),
    [
        # T and S correlated 2 at a scale 1e16 below Y's variance: every atom came back 0 ('optimal')
        (np.array([[1e10, 0.0, 0.0], [0.0, 1e-6, 2e-6], [0.0, 2e-6, 1e-6]]),
         "cov is not positive semi-definite: scaled to unit variances, the block of (T, S) has "
         "eigenvalue -1 (largest 3), so it is not a covariance matrix (its variances are so "
         "different in size that the check on the whole matrix missed it). Check how it was computed."),
        # Y and T correlated 2: refused as 'T determines a linear combination of Y exactly'
        (np.array([[1e-6, 2e-6, 0.0], [2e-6, 1e-6, 0.0], [0.0, 0.0, 1e10]]),
         "cov is not positive semi-definite: the canonical correlation of Y and T is 2, above 1, "
         "which no covariance matrix has (its variances are so different in size that the check "
         "on the whole matrix missed it). Check how it was computed."),
    ],
)
def test_a_matrix_not_positive_semi_definite_below_the_scale_of_its_largest_variance_is_refused(
    cov, message
):
    with pytest.raises(ValueError) as info:
        pidkit.gaussian_pid(cov, (1, 1, 1))
    assert str(info.value) == message


def test_a_float32_covariance_off_by_its_own_rounding_is_symmetric_enough():
    # np.cov in float32 can leave cov[i, j] and cov[j, i] one float32 step apart (~1.2e-7 relative);
    # a fixed 1e-8 tolerance refused it as "cov is not symmetric"
    cov = np.array([[2.0, 0.6, 0.3], [0.6, 1.5, 0.2], [0.3, 0.2, 1.0]], dtype=np.float32)
    cov[0, 1] = np.nextafter(cov[0, 1], np.float32(1.0))
    assert cov[0, 1] != cov[1, 0]
    wide = cov.astype(np.float64)
    expected = pidkit.gaussian_pid((wide + wide.T) / 2, (1, 1, 1))
    got = pidkit.gaussian_pid(cov, (1, 1, 1))
    assert got.red == pytest.approx(expected.red, abs=1e-5)
    assert got.syn == pytest.approx(expected.syn, abs=1e-5)


def test_the_example_builders_take_a_seed_as_random_state_does():
    # docs/gaussian.md shows rng=...; an int seed, as every random_state of pidkit takes, failed
    # deep inside with "AttributeError: 'int' object has no attribute 'standard_normal'".
    for build in (lambda rng: scalar_target(2, 3, rng=rng), lambda rng: degraded(2, 3, 2, rng=rng),
                  lambda rng: direct_sum([degraded(1, 2, 2, rng=0)], rng=rng)):
        by_seed, by_generator = build(7), build(np.random.default_rng(7))
        np.testing.assert_array_equal(by_seed.cov, by_generator.cov)
        assert by_seed.atoms == by_generator.atoms
        assert build(None).dims == by_seed.dims
    message = r"^rng must be an int in \[0, 2\*\*32 - 1\], a numpy\.random\.Generator or RandomState, or "
    message += "None; "
    with pytest.raises(TypeError, match=message + r"got '7' \(str\)\."):
        degraded(2, 3, 2, rng="7")


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: scalar_target(0, 2, rng=0), r"^d_t must be an int >= 1; got 0\.$"),
        (lambda: degraded(2, 3, 0, rng=0), r"^d_s must be an int >= 1; got 0\.$"),
        (lambda: degraded(0, 3, 2, rng=0), r"^d_y must be an int >= 1; got 0\.$"),
        # no parts: numpy's 'need at least one array to concatenate' from inside direct_sum
        (lambda: direct_sum([], rng=0), r"^parts must hold at least one system \(a GaussianExample of "
                                        r"scalar_target, degraded, tied or direct_sum\); got none\.$"),
        (lambda: tied(2, 0, rng=0), r"^d_t must be an int >= 1; got 0\.$"),
    ],
)
def test_the_example_builders_refuse_an_empty_block(build, match):
    # scalar_target(0, 2) returned a system with dims (1, 0, 2), which gaussian_pid then refuses
    with pytest.raises(ValueError, match=match):
        build()


@pytest.mark.parametrize(("d_y", "d_t"), [(1, 3), (2, 4), (3, 2)])
def test_tied_sources_have_no_unique_information(d_y, d_t):
    # one channel twice (invertible maps of two noisy copies): each source is a garbling of the
    # other, so both unique informations are 0 and I(Y;T) = I(Y;S), whatever the maps
    ex = tied(d_y, d_t, rng=d_y)
    r = pidkit.gaussian_pid(ex.cov, ex.dims)
    assert r.i_yt == pytest.approx(r.i_ys, abs=1e-12) and r.i_yt > 0.05
    for atom in ATOMS:
        assert getattr(r, atom) == pytest.approx(ex.atoms[atom], abs=1e-10)
    assert ex.atoms["syn"] > 0.05  # two independent looks at Y are worth more than one
