"""The native BROJA solver against the cvxpy reference program, closed forms and its own certificate."""

import numpy as np
import pytest
from hypothesis import given, settings

import pidkit
from pidkit import examples
from pidkit._validate import check_joint
from pidkit.broja import native, program
from pidkit.broja.native import hessian, stack
from pidkit.broja.native.choice import SystemChoice
from pidkit.broja.native.normal_system import NormalSystem
from pidkit.broja.native.pair_systems import DensePairSystem, MatrixFreePairSystem
from pidkit.broja.reduction import Reduction

from .strategies import deterministic_joint, joints

LN2 = np.log(2.0)
TOL = 1e-9 * LN2
AGREE_BITS = 1e-7


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
        p = 0.99 * deterministic_joint(rng, shape) + 0.01 * rng.dirichlet(np.ones(n)).reshape(shape)
    elif kind == "deterministic":
        p = deterministic_joint(rng, shape)
    elif kind == "single_symbol":
        shape = list(shape)
        shape[int(rng.integers(0, 3))] = 1
        p = rng.dirichlet(np.full(int(np.prod(shape)), 0.5)).reshape(shape)
    if p.sum() == 0:
        p.flat[0] = 1.0
    return p / p.sum()


KINDS = ["full", "sparse", "zero_symbols", "nearly_deterministic", "deterministic", "single_symbol"]


def _open_parts(p):
    """The parts of ``p`` a solver has to solve (not closed forms)."""
    return [part.p for part in Reduction(p, tol_nats=TOL).parts if not part.closed]


@pytest.mark.parametrize("kind", KINDS)
def test_native_agrees_with_cvxpy_and_certifies(kind):
    rng = np.random.default_rng(KINDS.index(kind))
    for _ in range(30):
        p = check_joint(_joint(kind, rng))
        reference = pidkit.bertschinger(p, method="cvxpy")
        result = pidkit.bertschinger(p, method="native")
        assert result.method == "native" and result.solver == "pidkit-native"
        for atom in ("red", "uni_t", "uni_s", "syn"):
            assert getattr(result, atom) == pytest.approx(getattr(reference, atom), abs=AGREE_BITS)
            assert getattr(result, atom) >= 0.0
        # The certificate: native's lower bound cannot exceed a feasible value (cvxpy's), and
        # native's feasible value cannot fall below cvxpy's lower bound.
        primal, dual = reference.diagnostics["primal"], reference.diagnostics["dual"]
        assert result.diagnostics["dual"] <= primal + 1e-12
        assert result.diagnostics["primal"] >= dual - 1e-12
        assert result.gap <= 1e-9


def test_solution_is_feasible_and_its_numbers_are_consistent():
    rng = np.random.default_rng(7)
    p = rng.dirichlet(np.ones(5 * 6 * 4)).reshape(5, 6, 4)
    p[:, 2, :] = 0.0  # a teacher symbol of zero mass
    p /= p.sum()
    r = pidkit.bertschinger(p, method="native", units="nats")
    q = r.q
    assert r.success and q.shape == p.shape and (q >= 0).all()
    np.testing.assert_allclose(q.sum(axis=2), p.sum(axis=2), atol=1e-14)
    np.testing.assert_allclose(q.sum(axis=1), p.sum(axis=1), atol=1e-14)
    assert (q[:, 2, :] == 0).all()
    primal, dual = r.diagnostics["primal"], r.diagnostics["dual"]
    assert primal == pytest.approx(float(program.objective(q)), abs=1e-15)
    assert r.gap == pytest.approx(primal - dual, abs=1e-13)
    assert 0.0 <= r.gap <= TOL
    # -H_Q(Y|T,S) can only be raised from the conditionally independent coupling.
    p_yt, p_ys = p.sum(axis=2), p.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        q0 = np.nan_to_num(p_yt[:, :, None] * p_ys[:, None, :] / p_yt.sum(axis=1)[:, None, None])
    assert primal <= float(program.objective(q0)) + 1e-12


def test_dual_bound_is_a_lower_bound_for_any_multipliers():
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(27)).reshape(3, 3, 3)
    value = pidkit.bertschinger(p, units="nats").diagnostics["primal"]
    p_yt, p_ys = program.marginals(p)
    for _ in range(20):
        lam, mu = rng.normal(scale=3.0, size=(3, 3)), rng.normal(scale=3.0, size=(3, 3))
        assert float(program.dual_bound(lam, mu, p_yt, p_ys)) <= value + 1e-12
    # Stacked: one bound per joint, each the single joint's.
    stack = program.dual_bound(np.zeros((2, 3, 3)), np.ones((2, 3, 3)), np.stack([p_yt] * 2),
                               np.stack([p_ys] * 2))
    assert stack.shape == (2,) and stack[0] == stack[1]


@settings(max_examples=60, deadline=None)
@given(joints(max_size=4))
def test_balanced_multipliers_never_lower_the_bound_and_leave_every_line_at_max_m_one(p):
    value = pidkit.bertschinger(p, units="nats").diagnostics["primal"]
    p_yt, p_ys = program.marginals(p)
    rng = np.random.default_rng(int(p.size))
    for scale in (1e-9, 1e-3, 3.0):
        lam = rng.normal(scale=scale, size=p_yt.shape) + np.log(np.maximum(p_yt, 1e-300))
        mu = rng.normal(scale=scale, size=p_ys.shape)
        plain = float(program.dual_bound(lam, mu, p_yt, p_ys))
        lam_b, mu_b, bound = program.balanced_bound(lam, mu, p_yt, p_ys)
        assert plain - 1e-12 <= float(bound) <= value + 1e-12
        assert float(program.dual_bound(lam_b, mu_b, p_yt, p_ys)) == pytest.approx(float(bound), abs=1e-13)
        with np.errstate(divide="ignore"):  # pairs without cells: M = 0
            log_m = np.log(np.einsum("yt,ys->ts", np.exp(lam_b) * (p_yt > 0), np.exp(mu_b) * (p_ys > 0)))
        for axis in (0, 1):  # every line with cells peaks at M = 1
            top = log_m.max(axis=axis)
            np.testing.assert_allclose(top[np.isfinite(top)], 0.0, atol=1e-12)


def test_balancing_undoes_an_offset_on_one_column_of_optimal_multipliers():
    # Optimal multipliers with one column of M raised by 1e-6: the plain bound pays the excess on
    # all the mass (minus that column's share), the balanced one shifts the column back exactly.
    p = np.random.default_rng(11).dirichlet(np.ones(60)).reshape(3, 4, 5)
    sol = native.solve([p], tol_nats=TOL)[0]
    p_yt, p_ys = program.marginals(p)
    mu = sol.mu.copy()
    mu[:, 2] += 1e-6
    optimal = float(program.dual_bound(sol.lam, sol.mu, p_yt, p_ys))
    assert float(program.dual_bound(sol.lam, mu, p_yt, p_ys)) == pytest.approx(
        optimal - (1 - p_ys[:, 2].sum()) * 1e-6, abs=1e-12)
    assert float(program.balanced_bound(sol.lam, mu, p_yt, p_ys)[2]) == pytest.approx(optimal, abs=1e-13)


@pytest.mark.parametrize("shape", [(1, 3, 4), (3, 1, 4), (3, 4, 1)])
def test_single_symbol_alphabets_have_closed_forms(shape):
    p = np.random.default_rng(0).dirichlet(np.ones(int(np.prod(shape)))).reshape(shape)
    sol = program.closed_form(p)
    assert sol.certified and sol.nit == 0 and sol.gap == 0.0
    p_yt, p_ys = program.marginals(p)  # the multipliers prove it
    assert float(program.dual_bound(sol.lam, sol.mu, p_yt, p_ys)) == pytest.approx(sol.value, abs=1e-15)
    np.testing.assert_array_equal(sol.q, p)  # Delta_P = {p}, or every q is optimal (|Y| = 1)
    assert sol.value == pytest.approx(0.0 if shape[0] == 1 else float(program.objective(p)), abs=1e-15)
    r = pidkit.bertschinger(p, method="native")
    assert r.success and r.nit == 0 and "closed form" in r.message


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
    monkeypatch.setattr(native, "MAX_ITER", 1)
    r = pidkit.bertschinger(p)
    assert r.method == "cvxpy" and r.success
    assert "iteration limit" in r.diagnostics["native_fallback"]
    assert "native solver did not certify" in r.message
    reference = pidkit.bertschinger(p, method="cvxpy")
    assert r.uni_s == pytest.approx(reference.uni_s, abs=1e-9)


def test_native_alone_raises_or_reports_when_it_cannot_certify(monkeypatch):
    monkeypatch.setattr(native, "MAX_ITER", 1)
    p = RANDOM_3X3X3
    with pytest.raises(pidkit.SolverError, match=r"status 'optimal_inaccurate', method 'native'"):
        pidkit.bertschinger(p, method="native")
    r = pidkit.bertschinger(p, method="native", strict=False)
    assert r.status == "optimal_inaccurate" and r.method == "native" and not r.success
    assert r.gap > 1e-9 and np.isfinite(r.gap)


def test_a_certificate_that_keeps_failing_is_retried_after_ever_longer_waits(monkeypatch):
    # The stopping test estimates the gap; where the estimate is within tol and the certificate
    # is not, the next attempt waits 1, 2, 4, ... iterations instead of coming every iteration.
    from dataclasses import replace

    from pidkit.broja.native import ipm

    attempts = []
    real = ipm._certificate

    def never_certified(*args, **kwargs):
        cert = real(*args, **kwargs)
        attempts.append(int(cert.certified.size))
        return replace(cert, certified=np.zeros_like(cert.certified))

    monkeypatch.setattr(ipm, "_certificate", never_certified)
    p = RANDOM_3X3X3[None]
    outcome = ipm.interior_point(p, system=DensePairSystem, tol_nats=TOL, max_iter=100)
    assert outcome.nit[0] == 100 or "stalled" in outcome.messages[0]
    assert 1 <= len(attempts) <= 7  # 100 iterations: attempts at most 1 + 2 + 4 + ... + 64 apart
    assert outcome.certificate.certified[0]  # the final certificate, after the loop, is real


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
    r = pidkit.bertschinger(p, method="native", units="nats")
    assert r.success, r.message
    assert (r.q >= 0).all()
    np.testing.assert_allclose(r.q.sum(axis=2), p.sum(axis=2), atol=1e-12)
    np.testing.assert_allclose(r.q.sum(axis=1), p.sum(axis=1), atol=1e-12)
    assert r.diagnostics["dual"] <= r.diagnostics["primal"] + 1e-14
    # The program is symmetric in T and S.
    swapped = pidkit.bertschinger(np.ascontiguousarray(p.transpose(0, 2, 1)), method="native",
                                  units="nats")
    assert swapped.diagnostics["primal"] == pytest.approx(r.diagnostics["primal"], abs=2e-9)


SYSTEMS = [DensePairSystem, NormalSystem, MatrixFreePairSystem]


def _force(monkeypatch, system):
    choice = SystemChoice(system, 0.0, 0.0)
    monkeypatch.setattr(native, "choose_system", lambda shape, memory_bytes=None: choice)


@pytest.mark.parametrize("system", SYSTEMS, ids=lambda s: s.__name__)
@pytest.mark.parametrize("kind", ["full", "sparse", "deterministic", "nearly_deterministic"])
def test_every_newton_system_certifies_the_same_optimum(kind, system, monkeypatch):
    rng = np.random.default_rng(100 + KINDS.index(kind))
    parts = [part for _ in range(12) for part in _open_parts(check_joint(_joint(kind, rng)))]
    reference = native.solve(parts, tol_nats=TOL)
    _force(monkeypatch, system)
    used, interior_point = [], native.interior_point

    def recorded(stack, **options):
        used.append(options["system"])
        return interior_point(stack, **options)

    monkeypatch.setattr(native, "interior_point", recorded)
    for part, a, b in zip(parts, reference, native.solve(parts, tol_nats=TOL), strict=True):
        assert a.certified and b.certified, (part.shape, a.message, b.message)
        assert b.value == pytest.approx(a.value, abs=2e-9)
    assert used and set(used) == {system}


def test_the_message_names_no_class():
    # The --json "message" read "interior point converged after 4 iterations (DensePairSystem)".
    r = pidkit.bertschinger(examples.and_())
    assert r.message == (f"solved by the native interior-point method (interior point converged after "
                         f"{r.nit} iterations)")


def test_system_is_chosen_by_shape():
    def name(shape):
        return native.plan(shape).name

    assert name((10, 10, 10)) == name((100, 10, 10)) == name((2, 3, 5)) == "DensePairSystem"
    assert name((2, 200, 200)) == name((3, 1000, 1000)) == name((10, 300, 300)) == "NormalSystem"
    assert name((100, 100, 100)) == name((30, 30, 30)) == "MatrixFreePairSystem"
    assert name((1000, 1000, 3)) == name((1000, 3, 1000))  # oriented |S| <= |T| first


def test_a_system_that_does_not_fit_in_memory_is_refused_with_its_estimate():
    with pytest.raises(MemoryError, match=r"needs about [0-9,.]+ GiB for a 3x50000x50000 joint.*"
                                          r"more than the 8.0 GiB available"):
        native.plan((3, 50000, 50000), memory_bytes=8 * 2**30)
    assert native.plan((3, 1000, 1000), memory_bytes=4 * 2**30).bytes < 4 * 2**30


def _eligible(rng, shape, count):
    """Random joints of one shape, full and sparse, with every symbol used."""
    out = []
    n = int(np.prod(shape))
    while len(out) < count:
        p = rng.dirichlet(np.ones(n))
        if len(out) % 2:
            p = p * (rng.random(n) < 0.6)
        p = (p / p.sum()).reshape(shape)
        if all((p.sum(axis=axes) > 0).all() for axes in ((1, 2), (0, 2), (0, 1))):
            out.append(p)
    return out


def test_a_joint_solves_the_same_alone_and_in_any_stack(monkeypatch):
    rng = np.random.default_rng(21)
    ps = _eligible(rng, (5, 4, 3), 7)
    alone = [native.solve([p], tol_nats=TOL)[0] for p in ps]
    monkeypatch.setattr(native, "_CHUNK_BYTES", 3 * native.plan((5, 4, 3)).largest)  # chunks of 3
    together = native.solve(ps, tol_nats=TOL)
    for a, b in zip(alone, together, strict=True):
        assert a.nit == b.nit
        assert a.value == pytest.approx(b.value, abs=1e-14)
        np.testing.assert_allclose(a.q, b.q, atol=1e-15)


def test_mixed_shapes_and_orientations_come_back_in_order():
    rng = np.random.default_rng(23)
    p = _eligible(rng, (4, 3, 3), 1)[0]
    wide = _eligible(rng, (3, 2, 4), 1)[0]  # |S| > |T|: solved transposed
    sols = native.solve([p, wide, p], tol_nats=TOL)
    assert sols[1].q.shape == wide.shape and sols[1].lam.shape == (3, 2)
    np.testing.assert_allclose(sols[1].q.sum(axis=2), wide.sum(axis=2), atol=1e-14)
    assert sols[0].value == sols[2].value
    swapped = native.solve([np.ascontiguousarray(wide.transpose(0, 2, 1))], tol_nats=TOL)[0]
    assert sols[1].value == pytest.approx(swapped.value, abs=1e-14)


def test_stacked_cholesky_flags_only_the_matrices_it_cannot_factorise():
    spd = np.array([[4.0, 2.0], [2.0, 3.0]])
    singular = np.array([[1.0, 1.0], [1.0, 1.0]])  # PSD: factorised with a ridge
    indefinite = np.array([[1.0, 2.0], [2.0, 1.0]])
    factors, failed = stack.cholesky_stack(np.stack([spd, singular, indefinite]))
    assert failed.tolist() == [False, False, True]
    np.testing.assert_allclose(factors[0], np.linalg.cholesky(spd), atol=1e-15)
    np.testing.assert_allclose(factors[1] @ factors[1].T, singular, atol=1e-6)


def test_auto_falls_back_to_cvxpy_when_the_native_system_does_not_fit(monkeypatch):
    def refuse(shape, memory_bytes=None):
        raise MemoryError("the native solver needs about 9.9 GiB for a 3x3x3 joint (test)")

    monkeypatch.setattr(native, "plan", refuse)
    r = pidkit.bertschinger(RANDOM_3X3X3)
    assert r.method == "cvxpy" and r.success
    assert r.uni_t == pytest.approx(pidkit.bertschinger(RANDOM_3X3X3, method="cvxpy").uni_t, abs=1e-12)
    with pytest.raises(MemoryError, match=r"3x3x3 joint within the memory available: .*9\.9 GiB"):
        pidkit.bertschinger(RANDOM_3X3X3, method="native")
    with pytest.raises(MemoryError, match=r"^joint 1: cannot solve"):
        pidkit.bertschinger_batch([examples.copy(), RANDOM_3X3X3], method="native")  # COPY: closed forms


@pytest.mark.parametrize("shape", [(1, 10, 10, 10), (64, 5, 6, 6), (2, 3, 40, 40)])
def test_triangular_inverses_on_every_path(shape):
    # (1, 10, ...) and (2, 3, 40, ...): LAPACK per matrix; (64, 5, ...): substitution over the stack.
    rng = np.random.default_rng(sum(shape))
    a = rng.normal(size=shape)
    factor = np.linalg.cholesky(a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1]))
    np.testing.assert_allclose(stack.lower_inverse(factor), np.linalg.inv(factor), rtol=1e-12,
                               atol=1e-14)


def test_cell_sums_and_diagonals_match_numpy():
    a = np.random.default_rng(1).random((3, 4, 5, 6))
    np.testing.assert_allclose(stack.sum_s(a), a.sum(axis=-1), rtol=1e-14)
    np.testing.assert_allclose(stack.sum_t(a), a.sum(axis=-2), rtol=1e-14)
    np.testing.assert_allclose(stack.sum_y(a), a.sum(axis=1), rtol=1e-14)
    m = np.zeros((2, 3, 3))
    stack.add_diagonal(m, np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    np.testing.assert_array_equal(m[1], np.diag([4.0, 5.0, 6.0]))


def test_a_projection_step_gone_wrong_never_costs_the_certificate(monkeypatch):
    # The final Newton projection is a shortcut: if it produces garbage, the certificate is
    # computed from the iterate itself (Sinkhorn), with the same answer.
    p = RANDOM_3X3X3
    expected = native.solve([p], tol_nats=TOL)[0]

    def broken(self, r_t, r_s):
        return np.full_like(r_t, np.nan), np.full_like(r_s, np.nan)

    monkeypatch.setattr(hessian.HessianFactor, "solve", broken)
    sol = native.solve([p], tol_nats=TOL)[0]
    assert sol.certified and sol.gap <= TOL
    assert sol.value == pytest.approx(expected.value, abs=2 * TOL)


def test_projection_checks_both_marginals_before_calling_a_point_feasible():
    p = RANDOM_3X3X3
    p_yt, p_ys = program.marginals(p)
    q = p.copy()
    q[:, :, 0] += q[:, :, 1]  # rows unchanged, columns (y, s) off
    q[:, :, 1] = 0.0
    fitted, _, _, residual = program.project(q, p_yt, p_ys)
    assert residual.max() <= 1e-15
    np.testing.assert_allclose(fitted.sum(axis=-2), p_ys, atol=1e-15)
