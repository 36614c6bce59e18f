"""Solving from several threads at once gives the serial answers.

The cvxpy paths cache their problems (parameters set per solve), and threads share the cache: before
each cached problem got its lock, four threads solving 200 2x2x2 joints through cvxpy raised
``RuntimeError: Already mutably borrowed`` (Clarabel) for about half of them, and the Gaussian
reference returned other joints' answers (0.65 bits off) or a TypeError.
"""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import pidkit


def _in_threads(solve, inputs):
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(solve, inputs))


def test_broja_cvxpy_path_from_threads_matches_serial():
    ps = np.random.default_rng(0).dirichlet(np.ones(8), size=120).reshape(120, 2, 2, 2)

    def solve(p):
        r = pidkit.bertschinger(p, method="cvxpy")
        return r.uni_t, r.syn, r.gap

    np.testing.assert_array_equal(_in_threads(solve, ps), [solve(p) for p in ps])


def test_gaussian_cvxpy_reference_from_threads_matches_serial():
    rng = np.random.default_rng(0)
    covs = [a @ a.T + np.eye(5) for a in rng.normal(size=(40, 5, 5))]

    def solve(cov):
        r = pidkit.gaussian_pid(cov, dims=(1, 2, 2), method="cvxpy", strict=False)
        return r.red, r.uni_t, r.syn

    # Another covariance's answer was up to 0.65 bits off; with the oldest dependencies the same
    # solve differs from thread to thread by rounding (6e-15).
    np.testing.assert_allclose(_in_threads(solve, covs), [solve(c) for c in covs], rtol=0, atol=1e-12)


def test_threads_leave_the_warning_filters_as_they_were():
    # cvxpy's warnings are silenced with warnings.catch_warnings, which swaps the process's one
    # list of filters: from four threads an "ignore everything" filter stayed behind, and every
    # later warning of the process (pidkit's own included) went unseen.
    rng = np.random.default_rng(0)
    ps = [*rng.dirichlet(np.ones(27), size=50).reshape(50, 3, 3, 3),
          *rng.dirichlet(np.ones(8), size=50).reshape(50, 2, 2, 2)]
    before = list(warnings.filters)
    _in_threads(lambda p: pidkit.bertschinger(p, method="cvxpy").syn, ps[::2] + ps[1::2])
    assert warnings.filters == before
