"""The native BROJA solver against the cvxpy reference program, closed forms and its own certificate."""

import importlib

import numpy as np
import pytest
from hypothesis import given, settings

import pidkit
from pidkit import _native_batch as native_batch
from pidkit import examples
from pidkit._native import dual_bound, objective, solve_native
from pidkit._validate import check_joint

from .strategies import joints

bertschinger_module = importlib.import_module("pidkit.bertschinger")
LN2 = np.log(2.0)
AGREE_BITS = 1e-7


def _deterministic(rng, shape):
    y = rng.integers(0, shape[0], size=shape[1:])
    p = np.zeros(shape)
    t, s = np.indices(shape[1:])
    p[y, t, s] = rng.dirichlet(np.ones(shape[1] * shape[2])).reshape(shape[1:])
    return p


def _joint(kind, rng):
    shape = tuple(int(n) for n in rng.integers(1, 5, size=3))
    n = int(np.prod(shape))
    if kind == "full":
        p = rng.dirichlet(np.ones(n)).reshape(shape)
    elif kind == "sparse":
        p = (rng.dirichlet(np.ones(n)) * (rng.random(n) < 0.5)).reshape(shape)
    elif kind == "zero_symbols":
        p = rng.dirichlet(np.ones(n)).reshape(shape)
        axis = int(rng.integers(0, 3))
        index = [slice(None)] * 3
        index[axis] = int(rng.integers(0, shape[axis]))
        p[tuple(index)] = 0.0
    elif kind == "nearly_deterministic":
        p = 0.99 * _deterministic(rng, shape) + 0.01 * rng.dirichlet(np.ones(n)).reshape(shape)
    elif kind == "deterministic":
        p = _deterministic(rng, shape)
    elif kind == "single_symbol":
        shape = list(shape)
        shape[int(rng.integers(0, 3))] = 1
        p = rng.dirichlet(np.full(int(np.prod(shape)), 0.5)).reshape(shape)
    if p.sum() == 0:
        p.flat[0] = 1.0
    return p / p.sum()


KINDS = ["full", "sparse", "zero_symbols", "nearly_deterministic", "deterministic", "single_symbol"]


@pytest.mark.parametrize("kind", KINDS)
def test_native_agrees_with_cvxpy_and_certifies(kind):
    rng = np.random.default_rng(KINDS.index(kind))
    for _ in range(40):
        p = check_joint(_joint(kind, rng))
        native = solve_native(p, tol_nats=1e-9 * LN2, max_iter=100)
        assert native.converged, (kind, p.shape, native.message)
        reference = pidkit.bertschinger(p, method="cvxpy")
        result = pidkit.bertschinger(p, method="native")
        assert result.method == "native" and result.solver == "pidkit-native"
        for atom in ("red", "uni_t", "uni_s", "syn"):
            assert getattr(result, atom) == pytest.approx(getattr(reference, atom), abs=AGREE_BITS)
            assert getattr(result, atom) >= 0.0
        # The certificate: native's lower bound cannot exceed a feasible value (cvxpy's), and
        # native's feasible value cannot fall below cvxpy's lower bound. So the reported gap
        # bounds native's true error, up to the reference's own accuracy.
        primal, dual = reference.diagnostics["primal"], reference.diagnostics["dual"]
        assert native.lower_bound_nats <= primal + 1e-12
        assert native.objective_nats >= dual - 1e-12
        assert native.gap_nats + (primal - dual) + 1e-12 >= native.objective_nats - primal
        assert result.gap <= 1e-9


def test_solution_is_feasible_and_its_numbers_are_consistent():
    rng = np.random.default_rng(7)
    p = rng.dirichlet(np.ones(5 * 6 * 4)).reshape(5, 6, 4)
    p[:, 2, :] = 0.0  # a teacher symbol of zero mass
    p /= p.sum()
    sol = solve_native(p)
    assert sol.converged and sol.q.shape == p.shape and (sol.q >= 0).all()
    np.testing.assert_allclose(sol.q.sum(axis=2), p.sum(axis=2), atol=1e-14)
    np.testing.assert_allclose(sol.q.sum(axis=1), p.sum(axis=1), atol=1e-14)
    assert (sol.q[:, 2, :] == 0).all()
    assert sol.objective_nats == pytest.approx(objective(sol.q), abs=1e-15)
    assert sol.gap_nats == pytest.approx(sol.objective_nats - sol.lower_bound_nats, abs=1e-13)
    assert 0.0 <= sol.gap_nats <= 1e-9 * LN2
    # -H_Q(Y|T,S) can only be raised from the conditionally independent coupling.
    p_yt, p_ys = p.sum(axis=2), p.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        q0 = np.nan_to_num(p_yt[:, :, None] * p_ys[:, None, :] / p_yt.sum(axis=1)[:, None, None])
    assert sol.objective_nats <= objective(q0) + 1e-12


def test_dual_bound_is_a_lower_bound_for_any_multipliers():
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(27)).reshape(3, 3, 3)
    value = solve_native(p).objective_nats
    for _ in range(20):
        log_a, log_b = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
        assert dual_bound(log_a, log_b, p.sum(axis=2), p.sum(axis=1)) <= value + 1e-12


@pytest.mark.parametrize(
    ("shape", "expected"),
    [((1, 3, 4), "zero"), ((3, 1, 4), "p"), ((3, 4, 1), "p")],
)
def test_single_symbol_alphabets_have_closed_forms(shape, expected):
    p = np.random.default_rng(0).dirichlet(np.ones(int(np.prod(shape)))).reshape(shape)
    sol = solve_native(p)
    assert sol.converged and sol.nit == 0
    assert sol.gap_nats <= 1e-13
    if expected == "zero":
        assert sol.objective_nats == 0.0
    else:  # Delta_P = {p}
        np.testing.assert_allclose(sol.q, p, atol=1e-16)
        assert sol.objective_nats == pytest.approx(objective(p), abs=1e-15)


EXPECTED = {  # THEORY.md §1: red, uni_t, uni_s, syn in bits
    "xor": (0.0, 0.0, 0.0, 1.0),
    "and_": (0.311278124459133, 0.0, 0.0, 0.5),
    "copy": (0.0, 1.0, 1.0, 0.0),
    "rdn": (1.0, 0.0, 0.0, 0.0),
    "sum_": (0.5, 0.0, 0.0, 1.0),
    "diff": (0.122556248918266, 0.188721875540867, 0.188721875540867, 0.0),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_named_examples_natively(name):
    r = pidkit.bertschinger(getattr(examples, name)(), method="native")
    assert (r.red, r.uni_t, r.uni_s, r.syn) == pytest.approx(EXPECTED[name], abs=1e-9)
    assert r.method == "native" and r.success and r.gap <= 1e-9


RANDOM_3X3X3 = np.random.default_rng(4).dirichlet(np.ones(27)).reshape(3, 3, 3)


def test_auto_uses_native_and_falls_back_to_cvxpy_when_it_cannot_certify(monkeypatch):
    p = RANDOM_3X3X3
    assert pidkit.bertschinger(p).method == "native"
    monkeypatch.setattr(bertschinger_module, "_NATIVE_MAX_ITER", 1)
    r = pidkit.bertschinger(p)
    assert r.method == "cvxpy" and r.success
    assert "iteration limit" in r.diagnostics["native_fallback"]
    assert "native solver did not certify" in r.message
    reference = pidkit.bertschinger(p, method="cvxpy")
    assert r.uni_s == pytest.approx(reference.uni_s, abs=1e-9)


def test_native_alone_raises_or_reports_when_it_cannot_certify(monkeypatch):
    monkeypatch.setattr(bertschinger_module, "_NATIVE_MAX_ITER", 1)
    p = RANDOM_3X3X3
    with pytest.raises(pidkit.SolverError, match=r"status 'optimal_inaccurate', method 'native'"):
        pidkit.bertschinger(p, method="native")
    r = pidkit.bertschinger(p, method="native", strict=False)
    assert r.status == "optimal_inaccurate" and r.method == "native" and not r.success
    assert r.gap > 1e-9


def test_native_rejects_a_cvxpy_solver_name():
    with pytest.raises(ValueError, match=r"solver.*method='native'.*Drop solver"):
        pidkit.bertschinger(examples.xor(), method="native", solver="ECOS")


def test_gap_is_reported_in_the_result_units():
    p = np.random.default_rng(5).dirichlet(np.ones(8)).reshape(2, 2, 2)
    bits = pidkit.bertschinger(p, method="native")
    nats = pidkit.bertschinger(p, method="native", units="nats")
    assert nats.gap == pytest.approx(bits.gap * LN2, rel=1e-9, abs=1e-18)
    assert nats.uni_t == pytest.approx(bits.uni_t * LN2, abs=1e-12)


@settings(max_examples=40)
@given(joints(max_size=4))
def test_native_properties(p):
    sol = solve_native(p)
    assert sol.converged, sol.message
    assert (sol.q >= 0).all()
    np.testing.assert_allclose(sol.q.sum(axis=2), p.sum(axis=2), atol=1e-12)
    np.testing.assert_allclose(sol.q.sum(axis=1), p.sum(axis=1), atol=1e-12)
    assert sol.lower_bound_nats <= sol.objective_nats + 1e-14  # equal up to rounding
    # The program is symmetric in T and S.
    swapped = solve_native(np.ascontiguousarray(p.transpose(0, 2, 1)))
    assert swapped.objective_nats == pytest.approx(sol.objective_nats, abs=2e-9)


@pytest.mark.parametrize("kind", ["full", "sparse", "deterministic", "nearly_deterministic"])
def test_both_reductions_of_the_newton_system_agree(kind, monkeypatch):
    import pidkit._native as native

    rng = np.random.default_rng(100 + KINDS.index(kind))
    ps = [check_joint(_joint(kind, rng)) for _ in range(15)]
    pairs = [solve_native(p) for p in ps]
    monkeypatch.setattr(native, "_newton_system_class", lambda shape: native._NewtonSystem)
    multipliers = [solve_native(p) for p in ps]
    for a, b in zip(pairs, multipliers, strict=True):
        assert a.converged and b.converged, (a.message, b.message)
        assert a.objective_nats == pytest.approx(b.objective_nats, abs=2e-9)


def test_reduction_is_chosen_by_cost():
    import pidkit._native as native

    assert native._newton_system_class((100, 10, 10)) is native._PairNewtonSystem
    assert native._newton_system_class((10, 10, 10)) is native._PairNewtonSystem
    assert native._newton_system_class((10, 20, 20)) is native._NewtonSystem
    assert native._newton_system_class((30, 30, 30)) is native._IterativePairSystem
    assert native._newton_system_class((100, 100, 100)) is native._IterativePairSystem


def test_matrix_free_newton_system_agrees(monkeypatch):
    import pidkit._native as native

    rng = np.random.default_rng(11)
    ps = [check_joint(_joint(kind, rng)) for kind in ("full", "sparse", "nearly_deterministic")]
    ps.append(rng.dirichlet(np.ones(6 * 5 * 7)).reshape(6, 5, 7))
    dense = [solve_native(p) for p in ps]
    monkeypatch.setattr(native, "_newton_system_class", lambda shape: native._IterativePairSystem)
    for p, a in zip(ps, dense, strict=True):
        b = solve_native(p)
        assert b.converged, b.message
        assert b.objective_nats == pytest.approx(a.objective_nats, abs=2e-9)


def _eligible_joints(rng, shape, count):
    """Random joints of one shape with positive p(y,t), p(y,s): full, sparse and nearly
    deterministic, the stacked solver's inputs."""
    out = []
    n = int(np.prod(shape))
    while len(out) < count:
        kind = ("full", "sparse", "nearly_deterministic")[len(out) % 3]
        if kind == "full":
            p = rng.dirichlet(np.ones(n)).reshape(shape)
        elif kind == "sparse":
            p = (rng.dirichlet(np.ones(n)) * (rng.random(n) < 0.6)).reshape(shape)
        else:
            p = 0.99 * _deterministic(rng, shape) + 0.01 * rng.dirichlet(np.ones(n)).reshape(shape)
        p = check_joint(p / p.sum())
        if native_batch.batch_eligible(p):
            out.append(p)
    return out


@pytest.mark.parametrize("shape", [(2, 2, 2), (4, 3, 3), (3, 4, 2), (6, 3, 2)])
def test_stacked_solver_matches_the_general_solver_and_certifies(shape):
    import pidkit._native as native

    rng = np.random.default_rng(sum(shape))
    ps = _eligible_joints(rng, shape, 9)
    stacked = native_batch.solve_stack(np.stack(ps), tol_nats=1e-9 * LN2, max_iter=100)
    for p, sol in zip(ps, stacked, strict=True):
        general = native._Solver(p, tol_nats=1e-9 * LN2, max_iter=100).run()
        assert sol is not None and sol.converged and general.converged, general.message
        assert sol.objective_nats == pytest.approx(general.objective_nats, abs=1e-9 * LN2)
        assert 0.0 <= sol.gap_nats <= 1e-9 * LN2
        assert sol.gap_nats == pytest.approx(sol.objective_nats - sol.lower_bound_nats, abs=1e-13)
        assert (sol.q >= 0).all()
        np.testing.assert_allclose(sol.q.sum(axis=2), p.sum(axis=2), atol=1e-14)
        np.testing.assert_allclose(sol.q.sum(axis=1), p.sum(axis=1), atol=1e-14)
        assert sol.objective_nats == pytest.approx(objective(sol.q), abs=1e-15)
        # The certificate against the reference's own bounds (see the cvxpy test above).
        reference = pidkit.bertschinger(p, method="cvxpy")
        assert sol.lower_bound_nats <= reference.diagnostics["primal"] + 1e-12
        assert sol.objective_nats >= reference.diagnostics["dual"] - 1e-12


def test_stacked_solver_is_independent_of_the_stack_and_its_chunks(monkeypatch):
    rng = np.random.default_rng(21)
    ps = np.stack(_eligible_joints(rng, (5, 4, 3), 7))
    alone = [native_batch.solve_stack(p[None], tol_nats=1e-9 * LN2, max_iter=100)[0] for p in ps]
    monkeypatch.setattr(native_batch, "_CHUNK_DOUBLES", 3 * 5 * 3 * 4 * 3)  # chunks of 3 joints
    together = native_batch.solve_stack(ps, tol_nats=1e-9 * LN2, max_iter=100)
    for a, b in zip(alone, together, strict=True):
        assert a.nit == b.nit
        assert a.objective_nats == pytest.approx(b.objective_nats, abs=1e-14)
        np.testing.assert_allclose(a.q, b.q, atol=1e-15)


def test_stacked_solver_reports_none_and_solve_native_falls_back_to_the_general_solver(monkeypatch):
    rng = np.random.default_rng(22)
    p = _eligible_joints(rng, (4, 3, 3), 1)[0]
    assert native_batch.solve_stack(p[None], tol_nats=1e-9 * LN2, max_iter=2) == [None]
    calls = []
    original = native_batch.solve_stack

    def uncertified(ps, **options):
        calls.append(ps.shape)
        return [None] * len(original(ps, **options))

    monkeypatch.setattr(native_batch, "solve_stack", uncertified)
    sol = solve_native(p)
    assert calls == [(1, 4, 3, 3)]
    assert sol.converged and sol.gap_nats <= 1e-9 * LN2
    monkeypatch.undo()
    assert solve_native(p).objective_nats == pytest.approx(sol.objective_nats, abs=1e-9 * LN2)


def test_which_joints_the_stacked_solver_takes():
    rng = np.random.default_rng(23)
    p = rng.dirichlet(np.ones(4 * 3 * 3)).reshape(4, 3, 3)
    assert native_batch.batch_eligible(p)
    zero_yt = p.copy()
    zero_yt[1, 2, :] = 0.0  # p(y=1, t=2) = 0: needs masks
    assert not native_batch.batch_eligible(zero_yt / zero_yt.sum())
    assert not native_batch.batch_eligible(np.full((1, 3, 3), 1 / 9))  # closed form
    assert not native_batch.batch_eligible(np.full((30, 30, 30), 1 / 27000))  # matrix-free system
    # solve_many orients |S| <= |T| and returns q in the joint's own orientation.
    wide = p[:, :2, :] / p[:, :2, :].sum()  # |S| > |T|
    sols = native_batch.solve_many([p, wide, zero_yt / zero_yt.sum()], tol_nats=1e-9 * LN2, max_iter=100)
    assert sols[2] is None and sols[1].q.shape == wide.shape
    assert sols[1].objective_nats == pytest.approx(solve_native(wide).objective_nats, abs=1e-14)


def test_stacked_cholesky_flags_only_the_matrices_it_cannot_factorise():
    spd = np.array([[4.0, 2.0], [2.0, 3.0]])
    singular = np.array([[1.0, 1.0], [1.0, 1.0]])  # PSD: factorised with a ridge
    indefinite = np.array([[1.0, 2.0], [2.0, 1.0]])
    factors, failed = native_batch._cholesky_stack(np.stack([spd, singular, indefinite]))
    assert failed.tolist() == [False, False, True]
    np.testing.assert_allclose(factors[0], np.linalg.cholesky(spd), atol=1e-15)
    np.testing.assert_allclose(factors[1] @ factors[1].T, singular, atol=1e-6)
