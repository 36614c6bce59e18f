"""The redundancy family at the extremes: spread-out, nearly deterministic, float32 and count joints.

Every answer is finite or a failure with a reason; gh and prec are never declined; and the chain
H(Y∧T∧S) <= I_wedge <= I_GH <= I_prec <= Red_BROJA <= I_MMI holds wherever all are answered.
"""

from __future__ import annotations

import importlib.util
import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import pidkit
from pidkit import _mixture, _polytope, examples
from pidkit._validate import check_joint
from pidkit.redundancy import redundancy
from pidkit.redundancy.gh import gh_polytope
from pidkit.redundancy.vertex_lp import entropy_rows, exact_joint

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("cdd") is None, reason="pycddlib (the exact extra) is not installed"
)

CHAIN = ("gh-target-only", "wedge", "gh", "prec", "broja", "mmi")
TOL_BITS = 1e-7
KINDS = ("log-spread", "near-deterministic", "one-symbol axis", "float32", "integer counts")


@st.composite
def extreme_joints(draw: st.DrawFn) -> np.ndarray:
    """Tiny joints (at most 12 cells, so exact vertex enumeration stays fast) from the hard families."""
    kind = draw(st.sampled_from(KINDS))
    shape = [draw(st.integers(2, 3)) for _ in range(3)]
    if math.prod(shape) > 12:
        shape = [2, 2, shape[2]]
    if kind == "one-symbol axis":
        shape[draw(st.integers(0, 2))] = 1
    n = math.prod(shape)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "log-spread":
        p = 10.0 ** rng.uniform(-draw(st.sampled_from([30.0, 100.0, 300.0])), 0, n)
    elif kind == "near-deterministic":
        p = np.zeros(n)
        p[rng.choice(n, size=max(1, n // 3), replace=False)] = rng.random(max(1, n // 3)) + 0.5
        p += 1e-9 * rng.random(n)
    elif kind == "integer counts":
        p = rng.integers(0, 6, n)
        p[rng.integers(n)] += 1
    else:
        p = rng.dirichlet(np.full(n, 0.5))
        p = p.astype(np.float32) if kind == "float32" else p
    return p.reshape(shape)


@settings(max_examples=60, deadline=None)
@given(extreme_joints())
def test_answers_are_finite_and_the_chain_holds(p: np.ndarray) -> None:
    values = {}
    for measure in CHAIN:
        r = pidkit.pid(p, measure=measure, normalize=True, strict=False)
        if r.success:
            atoms = (r.red, r.uni_t, r.uni_s, r.syn, r.i_yt, r.i_ys, r.i_yts, r.gap)
            assert all(math.isfinite(v) for v in atoms), (measure, r)
            assert r.gap <= 1e-9, (measure, r.gap)
            values[measure] = r.red
        else:
            assert r.message, measure
            assert measure == "broja", (measure, r.status, r.message)  # the exact family always answers
    answered = [m for m in CHAIN if m in values]
    for lo, hi in itertools.pairwise(answered):
        assert values[lo] <= values[hi] + TOL_BITS, (lo, values[lo], hi, values[hi])


@pytest.mark.parametrize("measure", ["gh", "prec"])
def test_a_trivially_zero_joint_with_noise_is_answered(measure: str) -> None:
    # 2x1x3 with 1e-9 noise: T has one symbol, so I(Y;T) = 0 and Red = 0 for every measure.
    p = np.zeros((2, 1, 3))
    p[0, 0, 0] = p[1, 0, 1] = 0.5
    p += 1e-9 * np.random.default_rng(0).random(p.shape)
    r = pidkit.pid(p, measure=measure, normalize=True)
    assert r.red == 0.0 and r.status == "exact" and r.method == "reduction"


@pytest.mark.parametrize("name", ["and_", "rdn", "diff", "imperfect_rdn", "copy", "sum_"])
@pytest.mark.parametrize("measure", ["gh", "prec"])
def test_nearly_deterministic_examples_are_answered(name: str, measure: str) -> None:
    base = getattr(examples, name)()
    noisy = base + 1e-9 * np.random.default_rng(1).random(base.shape)
    r = pidkit.pid(noisy, measure=measure, normalize=True)
    assert r.success and math.isfinite(r.red)
    assert r.red <= min(r.i_yt, r.i_ys) + 1e-12
    assert r.red >= redundancy(noisy, measure="wedge", normalize=True) - 1e-12


def _lp(p: np.ndarray):
    exact = exact_joint(p)
    cells, rows, rhs, target = gh_polytope(exact)
    order = np.argsort(-np.array(target), kind="stable")
    polytope = _polytope.vertices(rows, rhs, len(cells), measure="gh", eliminate_first=order)
    m_y = np.zeros((len(polytope.points), p.shape[0]))
    np.add.at(m_y.T, cells[:, 0], polytope.points.T)
    return entropy_rows(m_y), polytope, target


@settings(max_examples=15, deadline=None)
@given(extreme_joints())
def test_the_exact_mixture_is_feasible_and_needs_no_proposal(p: np.ndarray) -> None:
    p = check_joint(p, normalize=True)
    assume(min(np.count_nonzero(p.sum(axis=tuple(a for a in range(3) if a != k))) for k in range(3)) > 1)
    costs, polytope, target = _lp(p)
    seeded = _mixture.min_mixture(costs, polytope, target)
    assert seeded.status == "exact" and seeded.gap == 0.0
    mixed = seeded.weights @ polytope.points
    np.testing.assert_allclose(mixed, [float(t) for t in target], rtol=1e-12, atol=0)
    assert seeded.value == pytest.approx(float(seeded.weights @ costs), abs=1e-15)
    original = _mixture._highs_proposal
    try:
        _mixture._highs_proposal = lambda *args: ([], "no proposal")
        unseeded = _mixture.min_mixture(costs, polytope, target)
    finally:
        _mixture._highs_proposal = original
    assert unseeded.value == pytest.approx(seeded.value, abs=1e-15)


def test_the_exact_lp_matches_a_float_lp_peer_on_well_conditioned_joints() -> None:
    from scipy.optimize import linprog

    rng = np.random.default_rng(7)
    for _ in range(8):
        p = rng.dirichlet(np.ones(12)).reshape(3, 2, 2)
        costs, polytope, target = _lp(p)
        ours = _mixture.min_mixture(costs, polytope, target)
        peer = linprog(costs, A_eq=polytope.points.T, b_eq=[float(t) for t in target], method="highs")
        assert peer.status == 0
        assert ours.value == pytest.approx(peer.fun, abs=1e-9)


def test_the_pivot_cap_is_a_failure_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_mixture, "MAX_EXACT_PIVOTS", 0)
    r = pidkit.pid(examples.and_(), measure="gh", strict=False)
    assert r.status == "failed" and "ran past 0 pivots" in r.message
    with pytest.raises(pidkit.SolverError, match=r"gh: .*status 'failed'.*ran past 0 pivots"):
        pidkit.redundancy(examples.and_(), measure="gh")


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([(0.5, 0.5), (0.25, 0.25, 0.5), (0.125, 0.125, 0.25, 0.5)]))
def test_copies_of_a_symbol_are_merged_exactly(seed: int, shares: tuple[float, ...]) -> None:
    # Splitting a teacher symbol into proportional copies (shares exact in binary) is undone exactly.
    p = np.random.default_rng(seed).dirichlet(np.ones(8)).reshape(2, 2, 2)
    split = np.concatenate([p[:, :1] * f for f in shares] + [p[:, 1:]], axis=1)
    for measure in ("gh", "prec"):
        whole, parts = pidkit.pid(p, measure=measure), pidkit.pid(split, measure=measure)
        assert parts.red == pytest.approx(whole.red, abs=1e-12)
        if whole.method == "vertex-lp":  # merged back to the same polytope
            assert parts.diagnostics["n_vertices"] == whole.diagnostics["n_vertices"]
    q = pidkit.pid(split, measure="gh").diagnostics["q_joint"]
    assert q.shape[1:] == split.shape
    np.testing.assert_allclose(q.sum(axis=0), split, rtol=1e-12, atol=1e-16)
