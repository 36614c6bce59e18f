"""The native solver's in-place Cholesky factors and triangular inverses (pidkit.broja.native.stack)."""

import numpy as np
import pytest

from pidkit.broja.native import stack

SPD = np.array([[4.0, 2.0, 0.0], [2.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
SINGULAR = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # PSD: needs a ridge
INDEFINITE = np.array([[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


def _spd_stack(shape, seed):
    a = np.random.default_rng(seed).normal(size=shape)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


@pytest.mark.parametrize("shape", [(1, 10, 10, 10), (64, 5, 6, 6), (2, 3, 40, 40)])
def test_inverse_cholesky_is_the_inverse_of_the_lower_factor_and_leaves_its_input(shape):
    # (1, 10, ...) and (2, 3, 40, ...): factorised and inverted in place per matrix;
    # (64, 5, ...): numpy's stacked factor and the substitution over the stack.
    a = _spd_stack(shape, sum(shape))
    before = a.copy()
    linv, failed = stack.inverse_cholesky(a)
    np.testing.assert_array_equal(a, before)
    assert failed.shape == shape[:1] and not failed.any()
    np.testing.assert_allclose(linv, np.linalg.inv(np.linalg.cholesky(a)), rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(np.triu(linv, 1), 0.0)


def test_inverse_cholesky_flags_the_joints_whose_matrices_it_cannot_factorise():
    a = np.stack([np.stack([SPD, SINGULAR]), np.stack([SPD, INDEFINITE])])  # two joints
    linv, failed = stack.inverse_cholesky(a)
    assert failed.tolist() == [False, True]
    # A stack with a failure is factorised matrix by matrix with the smallest ridge (1e-13).
    np.testing.assert_allclose(linv[0, 0], np.linalg.inv(np.linalg.cholesky(SPD)), rtol=1e-12)
    factor = np.linalg.inv(linv[0, 1])  # the ridge's factor
    np.testing.assert_allclose(factor @ factor.T, SINGULAR, atol=1e-6)
    np.testing.assert_array_equal(linv[1, 1], np.eye(3))  # a failed matrix gets an identity factor


def test_lower_inverse_leaves_its_input():
    factor = np.linalg.cholesky(_spd_stack((1, 10, 10, 10), 3))
    before = factor.copy()
    inverse = stack.lower_inverse(factor)
    np.testing.assert_array_equal(factor, before)
    np.testing.assert_allclose(inverse @ factor, np.broadcast_to(np.eye(10), factor.shape), atol=1e-12)


def test_lower_factors_retry_from_the_matrix_they_overwrite():
    # LAPACK factorises each matrix in place (its upper triangle, in C order) and stops at the
    # failing pivot: the ridge retry must see the matrix as it was. In SINGULAR_UNEVEN the failed
    # factorisation has already written 1 over the 2 below the first pivot.
    singular_uneven = np.array([[4.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    matrices = np.stack([SPD, SINGULAR, singular_uneven, INDEFINITE])
    failed = np.zeros(4, dtype=bool)
    factors = stack.lower_factors(matrices.copy(), failed)
    assert failed.tolist() == [False, False, False, True]
    assert all(f.flags.f_contiguous for f in factors[:3])  # what BLAS's triangular solves take as is
    np.testing.assert_allclose(np.tril(factors[0]) @ np.tril(factors[0]).T, SPD, rtol=1e-14)
    for factor, matrix in zip(factors[1:3], (SINGULAR, singular_uneven), strict=True):
        lower = np.tril(factor)
        np.testing.assert_allclose(lower @ lower.T, matrix, atol=1e-6)
    rhs = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 4.0]])
    spd_factors = stack.lower_factors(np.stack([SPD, 2.0 * SPD]), np.zeros(2, dtype=bool))
    np.testing.assert_allclose(stack.solve_lower(spd_factors, rhs),
                               [np.linalg.solve(SPD, rhs[0]), np.linalg.solve(2.0 * SPD, rhs[1])],
                               rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(stack.solve_lower(spd_factors[:1], rhs[:1])[0], np.linalg.solve(SPD, rhs[0]),
                               rtol=1e-14, atol=1e-15)


def test_inverse_cholesky_gives_a_numerically_singular_matrix_the_ridge_not_rounding_noise():
    # A Hessian block met by the matrix-free system on a joint with masses over 1e-300..1: rank
    # one, so its Cholesky factorisation fails (numpy's, and LAPACK's lower one) and the stack
    # takes the ridge. LAPACK's upper factorisation of its transpose passed instead, with pivots
    # of rounding noise (L^-1 up to 1.9e8 instead of 5.6e6), and the joint was then declared
    # numerically singular where the ridge certified it.
    a = np.full((1, 1, 4, 4), 0.23829462448279326)
    linv, failed = stack.inverse_cholesky(a)
    factor, ridge_failed = stack.cholesky_stack(a)
    assert not failed.any() and not ridge_failed.any()
    np.testing.assert_array_equal(linv, stack.lower_inverse(factor))
    assert np.abs(linv).max() < 1e7
