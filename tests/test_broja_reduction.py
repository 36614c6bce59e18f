"""Exact reductions of the BROJA program: independent parts, closed forms, negligible masses."""

import math

import numpy as np
import pytest

import pidkit
from pidkit import _status
from pidkit._result import result_from_redundancy
from pidkit.broja import cvxpy as cvxpy_path
from pidkit.broja.reduction import Reduction

TOL = 1e-9 * math.log(2)


def _copy(n_t, n_s):
    """BROJA_2PID's COPY: Y = (T, S) with T, S independent and uniform."""
    p = np.zeros((n_t * n_s, n_t, n_s))
    t, s = np.indices((n_t, n_s)).reshape(2, -1)
    p[t * n_s + s, t, s] = 1.0 / (n_t * n_s)
    return p


def test_copy_is_one_closed_form_per_cell_and_costs_only_its_support():
    p = _copy(80, 25)  # 2000 x 80 x 25 = 4e6 cells, 2000 in the support
    parts = Reduction(p, tol_nats=TOL).parts
    assert len(parts) == 2000 and all(part.p.shape == (1, 1, 1) for part in parts)
    r = pidkit.bertschinger(p)
    assert r.success and r.gap == 0.0 and r.nit == 0
    assert (r.red, r.uni_t, r.uni_s, r.syn) == pytest.approx(
        (0.0, math.log2(80), math.log2(25), 0.0), abs=1e-9)
    np.testing.assert_allclose(r.q, p, rtol=1e-15, atol=0)  # numpy < 2.4 rounds one ulp apart


def test_independent_blocks_are_solved_apart_and_agree_with_the_whole_program():
    rng = np.random.default_rng(8)
    p = np.zeros((5, 6, 5))
    p[:2, :3, :2] = 0.3 * rng.dirichlet(np.ones(12)).reshape(2, 3, 2)
    p[2:, 3:, 2:] = 0.7 * rng.dirichlet(np.ones(27)).reshape(3, 3, 3)
    parts = Reduction(p, tol_nats=TOL).parts
    assert sorted(part.mass for part in parts) == pytest.approx([0.3, 0.7])
    assert sorted(part.p.shape for part in parts) == [(2, 3, 2), (3, 3, 3)]
    whole = pidkit.bertschinger(p, units="nats")
    blocks = [pidkit.bertschinger(part.p, units="nats") for part in parts]
    value = sum(part.mass * b.diagnostics["primal"] for part, b in zip(parts, blocks, strict=True))
    assert whole.diagnostics["primal"] == pytest.approx(value, abs=1e-12)
    reference = cvxpy_path.solve(p, solvers=("CLARABEL",), tol_nats=1e-6)  # one program
    assert whole.diagnostics["primal"] == pytest.approx(reference.value, abs=1e-8)
    assert whole.diagnostics["parts"] == 2 and whole.success


def test_parts_sharing_symbols_keep_their_own_rows():
    # Y=0 couples (t, s) in {0,1}^2; Y=1 lives on t=1, s=2: the sub-grids overlap in t=1 only
    # through rows of different targets, so the two parts are independent.
    p = np.zeros((2, 2, 3))
    p[0, :, :2] = [[0.1, 0.2], [0.15, 0.05]]
    p[1, 1, 2] = 0.5
    red = Reduction(p, tol_nats=TOL)
    assert len(red.parts) == 2
    r = pidkit.bertschinger(p)
    reference = pidkit.bertschinger(p, method="cvxpy")
    assert (r.red, r.uni_t, r.uni_s, r.syn) == pytest.approx(
        (reference.red, reference.uni_t, reference.uni_s, reference.syn), abs=1e-7)


def test_negligible_masses_are_set_aside_and_restored_exactly():
    rng = np.random.default_rng(12)
    base = rng.dirichlet(np.ones(27)).reshape(3, 3, 3)
    tiny = base.copy()
    tiny[0, 0, :] = 1e-200
    tiny[2, :, 1] = 1e-40
    tiny /= tiny.sum()
    red = Reduction(tiny, tol_nats=TOL)
    assert red.set_aside is not None and red.set_aside[0].size == 6
    r = pidkit.bertschinger(tiny, units="nats")
    assert r.success and "negligible cells set aside" in r.message
    np.testing.assert_allclose(r.q.sum(axis=2), tiny.sum(axis=2), atol=1e-15, rtol=0)
    np.testing.assert_allclose(r.q.sum(axis=1), tiny.sum(axis=1), atol=1e-15, rtol=0)
    assert r.q[0, 0, 1] >= 1e-200  # the set-aside cells carry their mass
    # The answer is the joint without those cells, to within the certified gap.
    cleaned = np.where(tiny < 1e-30, 0.0, tiny)
    cleaned /= cleaned.sum()
    reference = pidkit.bertschinger(cleaned, units="nats")
    assert r.uni_t == pytest.approx(reference.uni_t, abs=r.gap + reference.gap + 1e-12)


def test_a_non_finite_answer_is_never_a_success():
    info = pidkit.measures.informations_nats(pidkit.examples.and_())
    common = {"units": "bits", "measure": "test", "method": "test", "status": _status.OPTIMAL,
              "message": "solved", "problem": "joint 2x2x2"}
    for red, gap in ((math.nan, 0.0), (0.1, math.inf), (math.inf, 0.0)):
        result = result_from_redundancy(info, red, gap_nats=gap, strict=False, **common)
        assert result.status == _status.FAILED and not result.success
        assert "not finite" in result.message
        with pytest.raises(pidkit.SolverError, match="not finite"):
            result_from_redundancy(info, red, gap_nats=gap, **common)


def test_large_supports_are_built_without_parameters(monkeypatch):
    p = np.random.default_rng(2).dirichlet(np.ones(60)).reshape(3, 4, 5)
    cached = cvxpy_path.solve(p, solvers=("CLARABEL",), tol_nats=1e-6)
    cvxpy_path.cached_problem.cache_clear()
    monkeypatch.setattr(cvxpy_path, "DPP_MAX_CELLS", 10)
    direct = cvxpy_path.solve(p, solvers=("CLARABEL",), tol_nats=1e-6)
    assert cvxpy_path.cached_problem.cache_info().misses == 0
    assert direct.value == pytest.approx(cached.value, abs=1e-9) and direct.certified


def test_a_failed_solve_with_set_aside_cells_is_a_failed_result(monkeypatch):
    from pidkit._cvxpy import Attempt

    p = np.random.default_rng(0).dirichlet(np.ones(27)).reshape(3, 3, 3)
    p[0, 0, 0] = 1e-20  # negligible: set aside, then lifted with the parts' multipliers
    p /= p.sum()
    assert Reduction(p, tol_nats=TOL).set_aside is not None
    monkeypatch.setattr(cvxpy_path, "solve_first",
                        lambda *args: Attempt(None, 0.0, ("every solver refused (test)",)))
    result = pidkit.pid(p, measure="broja", method="cvxpy", strict=False)
    assert result.status == "failed" and not result.success and result.gap == math.inf
    with pytest.raises(pidkit.SolverError, match="every solver refused"):
        pidkit.pid(p, measure="broja", method="cvxpy")


def test_support_cells_are_the_crossed_rows_without_the_grid():
    from pidkit.broja.reduction import support_cells

    rng = np.random.default_rng(5)
    for _ in range(50):
        n_y, n_t, n_s = rng.integers(1, 6, size=3)
        mt, ms = rng.random((n_y, n_t)) < 0.5, rng.random((n_y, n_s)) < 0.5
        mt[0, 0] = False  # never every row
        expected = np.nonzero(mt[:, :, None] & ms[:, None, :])  # the grid-sized reference
        got = support_cells(mt, ms)
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)
    assert support_cells(np.ones((2, 3), bool), np.ones((2, 4), bool)) is None


def _parts_by_union_find(p):
    """The number of independent parts, from a union-find over the support's cells (the
    reference for :class:`Reduction`'s tests and graph)."""
    p_yt, p_ys = p.sum(axis=2), p.sum(axis=1)
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for y, t, s in zip(*np.nonzero(p_yt[:, :, None] * p_ys[:, None, :]), strict=True):
        root = find(("yt", y, t))
        for other in (("ys", y, s), ("ts", t, s)):
            parent[find(other)] = root
    return len({find(("yt", y, t)) for y, t in zip(*np.nonzero(p_yt), strict=True)})


def test_an_empty_row_in_a_connected_support_keeps_one_part_on_the_grid():
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(1000)).reshape(10, 10, 10)
    p[4, 7, :] = 0.0  # one empty (y,t) row: the support is no longer the grid
    p /= p.sum()
    (part,) = Reduction(p, tol_nats=TOL).parts
    assert part.p.shape == p.shape and part.cells is None
    r = pidkit.bertschinger(p)
    assert r.success and r.diagnostics["parts"] == 1 and (r.q[4, 7] == 0.0).all()
    reference = pidkit.bertschinger(p, method="cvxpy")
    assert r.uni_t == pytest.approx(reference.uni_t, abs=1e-6)


@pytest.mark.parametrize("seed", range(40))
def test_the_number_of_parts_is_that_of_the_support_graph(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(2, 6, size=3))
    p = rng.dirichlet(np.ones(int(np.prod(shape)))).reshape(shape)
    p *= rng.random(shape) < rng.uniform(0.1, 0.6)  # sparse: rows empty, parts apart
    if p.sum() == 0:
        p.flat[0] = 1.0
    p /= p.sum()
    assert len(Reduction(p, tol_nats=TOL).parts) == _parts_by_union_find(p)
