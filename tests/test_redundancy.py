"""The intersection-information family against the issue's oracle table and its theorems."""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pidkit
from pidkit import examples
from pidkit.redundancy import (
    MAX_PARTITION_SYMBOLS,
    MEASURES,
    NONNEGATIVE_MEASURES,
    i_function_of_source,
    i_gh,
    i_mmi,
    i_prec,
    i_target_common,
    i_wedge,
    pid_from_measure,
    redundancy,
)

HAVE_CDD = importlib.util.find_spec("cdd") is not None
needs_cdd = pytest.mark.skipif(not HAVE_CDD, reason="pycddlib (the exact extra) is not installed")

H_03 = -(0.3 * math.log2(0.3) + 0.7 * math.log2(0.7))
AND_GH = 2.5 - 1.5 * math.log2(3)  # Q = T or S


def correlated(copy_target: bool) -> np.ndarray:
    """p(t,s) = [[.35,.15],[.15,.35]] with Y = T, or Y = (T, S) coded 2t + s."""
    p_ts = np.array([[0.35, 0.15], [0.15, 0.35]])
    p = np.zeros((4 if copy_target else 2, 2, 2))
    for t, s in itertools.product(range(2), repeat=2):
        p[2 * t + s if copy_target else t, t, s] = p_ts[t, s]
    return p


def and3() -> np.ndarray:
    """Y = X1 and X2 and X3 for three fair independent bits, indexed p[y, x1, x2, x3]."""
    p = np.zeros((2, 2, 2, 2))
    for a, b, c in itertools.product(range(2), repeat=3):
        p[a & b & c, a, b, c] = 1 / 8
    return p


# The oracle table (bits): wedge, gh, prec, broja, mmi.
ORACLES = {
    "rdn": (examples.rdn(), (1, 1, 1, 1, 1)),
    "unq": (examples.unq("t"), (0, 0, 0, 0, 0)),
    "xor": (examples.xor(), (0, 0, 0, 0, 0)),
    "and": (examples.and_(), (0, AND_GH, 0.311278124459133, 0.311278124459133, 0.311278124459133)),
    "sum": (examples.sum_(), (0, 0, 0.5, 0.5, 0.5)),
    "copy": (examples.copy(), (0, 0, 0, 0, 1)),
    "nuisance": (examples.nuisance_teacher(flip=0.1), (0.531004,) * 5),
    "y=t correlated": (correlated(False), (0, 1 - H_03, 1 - H_03, 1 - H_03, 1 - H_03)),
    "copy correlated": (correlated(True), (0, 0, 0, 1 - H_03, 1)),
    "imperfect rdn": (examples.imperfect_rdn(), (0, 0.98959, 0.98959, 0.98959, 0.98959)),
    "diff": (examples.diff(), (0, 0.081704, 0.081704, 0.122556248918266, 0.311278124459133)),
}
TABLE_MEASURES = ("wedge", "gh", "prec", "broja", "mmi")


@pytest.mark.parametrize("name", list(ORACLES))
@pytest.mark.parametrize("col", range(len(TABLE_MEASURES)), ids=TABLE_MEASURES)
def test_oracle_table(name: str, col: int) -> None:
    p, expected = ORACLES[name]
    if TABLE_MEASURES[col] in ("gh", "prec") and not HAVE_CDD:
        pytest.skip("pycddlib (the exact extra) is not installed")
    assert redundancy(p, measure=TABLE_MEASURES[col]) == pytest.approx(expected[col], abs=1e-6)


@needs_cdd
def test_and_closed_form_to_machine_precision() -> None:
    assert i_gh(examples.and_()) == pytest.approx(AND_GH, abs=1e-12)
    assert AND_GH == pytest.approx(0.122556, abs=1e-6)


@needs_cdd
def test_three_input_and() -> None:
    assert i_gh(and3()) == pytest.approx(0.034632, abs=1e-6)


@needs_cdd
def test_three_sources_keep_the_chain() -> None:
    p = and3()
    mmi = min(
        pidkit.measures.cmi_nats(np.moveaxis(p, k, 1).reshape(2, 2, 4), "y", "t") / math.log(2)
        for k in (1, 2, 3)
    )
    assert i_gh(p) <= i_prec(p) + 1e-9 <= mmi + 2e-9


@needs_cdd
def test_nats_are_bits_times_ln2() -> None:
    p = examples.and_()
    for measure in ("gh", "prec", "mmi"):
        bits = redundancy(p, measure=measure)
        assert redundancy(p, measure=measure, units="nats") == pytest.approx(bits * math.log(2))


@needs_cdd
def test_named_variants() -> None:
    # Q from Y alone: breaks self-redundancy (T = S = Z, Y a noisy copy of Z).
    noisy_self = examples.nuisance_teacher(p_g=(1.0,), flip=0.1)
    assert i_target_common(noisy_self) == 0.0
    assert i_gh(noisy_self) == pytest.approx(1 - 0.4689955935892812, abs=1e-9)
    assert i_target_common(examples.rdn()) == pytest.approx(1.0)
    # Q = f(T) vs Q = f(S) on Y = T with correlated sources: only f(S) = S qualifies.
    assert i_function_of_source(correlated(False), source="t") == 0.0
    assert i_function_of_source(correlated(False), source="s") == pytest.approx(1 - H_03)
    assert i_function_of_source(examples.nuisance_teacher(flip=0.1)) == pytest.approx(0.531004, abs=1e-6)


@needs_cdd
def test_convenience_functions_agree_with_redundancy() -> None:
    p = examples.diff()
    assert i_wedge(p) == redundancy(p, measure="wedge")
    assert i_mmi(p) == redundancy(p, measure="mmi")
    assert i_prec(p) == pytest.approx(redundancy(p, measure="prec"))


def _joint(draw: st.DrawFn, max_size: int = 3) -> np.ndarray:
    shape = tuple(draw(st.integers(2, max_size)) for _ in range(3))
    if np.prod(shape) > 12:
        shape = (2, 2, shape[2])
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(int(np.prod(shape)))).reshape(shape)
    p[rng.random(shape) < draw(st.sampled_from([0.0, 0.3, 0.5]))] = 0
    if p.sum() == 0:
        p.flat[0] = 1
    return p / p.sum()


joints = st.composite(_joint)


@needs_cdd
@settings(max_examples=25, deadline=None)
@given(joints())
def test_chain_holds_on_random_joints(p: np.ndarray) -> None:
    chain = ["gh-target-only", "wedge", "gh-function-of-t", "gh", "prec", "broja", "mmi"]
    values = [redundancy(p, measure=m) for m in chain]
    for (lo_name, lo), (hi_name, hi) in itertools.pairwise(zip(chain, values, strict=True)):
        assert lo <= hi + 1e-7, (lo_name, lo, hi_name, hi)
    assert redundancy(p, measure="gh-function-of-s") <= values[3] + 1e-7


@needs_cdd
@settings(max_examples=15, deadline=None)
@given(joints(), st.randoms(use_true_random=False))
def test_symmetric_and_relabelling_invariant(p: np.ndarray, rnd) -> None:
    swapped = np.transpose(p, (0, 2, 1))
    perm = [rnd.sample(range(n), n) for n in p.shape]
    relabelled = p[np.ix_(*perm)]
    for measure in ("wedge", "gh", "prec", "mmi"):
        value = redundancy(p, measure=measure)
        assert redundancy(swapped, measure=measure) == pytest.approx(value, abs=1e-9)
        assert redundancy(relabelled, measure=measure) == pytest.approx(value, abs=1e-9)
    assert redundancy(swapped, measure="gh-function-of-t") == pytest.approx(
        redundancy(p, measure="gh-function-of-s"), abs=1e-12
    )


@needs_cdd
@settings(max_examples=10, deadline=None)
@given(joints())
def test_self_redundancy(p: np.ndarray) -> None:
    p_yt = p.sum(axis=2)
    doubled = np.zeros((*p_yt.shape, p_yt.shape[1]))
    for t in range(p_yt.shape[1]):
        doubled[:, t, t] = p_yt[:, t]
    i_yt = pidkit.mutual_information(doubled, "y", "t")
    for measure in ("wedge", "gh", "prec", "broja", "mmi", "gh-function-of-t"):
        assert redundancy(doubled, measure=measure) == pytest.approx(i_yt, abs=1e-7)


@needs_cdd
def test_pid_from_measure_identities_and_signs() -> None:
    p = examples.imperfect_rdn()
    r = pid_from_measure(p, measure="wedge")
    assert r.syn == pytest.approx(-0.98959, abs=1e-5)  # derived synergy goes negative
    for measure in MEASURES:
        r = pid_from_measure(examples.diff(), measure=measure)
        assert r.measure == measure and r.success
        assert r.uni_t + r.red == pytest.approx(r.i_yt, abs=1e-9)
        assert r.uni_s + r.red == pytest.approx(r.i_ys, abs=1e-9)
        assert r.red + r.uni_t + r.uni_s + r.syn == pytest.approx(r.i_yts, abs=1e-9)
        assert min(r.red, r.uni_t, r.uni_s) >= 0
    copy_gh = pid_from_measure(correlated(True), measure="gh")
    assert copy_gh.syn == pytest.approx(-(1 - H_03), abs=1e-6)


def test_nonnegative_measures_are_exported_at_the_top_level_beside_redundancy_measures() -> None:
    # `pidkit.redundancy` is the function, so pidkit.redundancy.NONNEGATIVE_MEASURES raised
    # AttributeError and only `from pidkit.redundancy import NONNEGATIVE_MEASURES` reached the set,
    # though MEASURES, the measure functions and redundancy itself are all at the top level.
    assert pidkit.NONNEGATIVE_MEASURES is NONNEGATIVE_MEASURES == frozenset({"broja", "mmi"})
    assert "NONNEGATIVE_MEASURES" in pidkit.__all__
    assert pidkit.NONNEGATIVE_MEASURES < set(pidkit.REDUNDANCY_MEASURES)


@needs_cdd
def test_nonnegative_measures_are_exported_and_exactly_those_whose_syn_stays_at_or_above_0() -> None:
    # b0af813 made the set public in dispatch for the estimate repr, but pidkit.redundancy neither
    # exported nor documented it. On these joints every other measure's Syn goes negative (the
    # wedge -0.98959 of imperfect_rdn, the gh -(1 - H(0.3)) of Y = T), while BROJA's and MMI's stay >= 0.
    package = importlib.import_module("pidkit.redundancy")  # pidkit.redundancy is the function
    assert "NONNEGATIVE_MEASURES" in package.__all__ and "NONNEGATIVE_MEASURES" in package.__doc__
    joints = (examples.imperfect_rdn(), examples.imperfect_rdn().transpose(0, 2, 1), correlated(True))
    lowest = {m: min(pid_from_measure(p, measure=m).syn for p in joints) for m in MEASURES}
    assert {m for m, syn in lowest.items() if syn >= 0} == NONNEGATIVE_MEASURES
    assert max(lowest[m] for m in MEASURES if m not in NONNEGATIVE_MEASURES) == pytest.approx(-(1 - H_03))


@needs_cdd
def test_gh_diagnostics_bound_q() -> None:
    p = examples.diff()
    r = pid_from_measure(p, measure="gh")
    assert r.status == "exact" and r.solver == "exact-simplex" and r.method == "vertex-lp"
    assert 1 <= r.diagnostics["q_size"] <= np.count_nonzero(p)
    assert r.gap <= 1e-9


def test_unknown_measure_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"measure must be one of \['broja', 'wedge'.*got 'ghh'"):
        redundancy(examples.and_(), measure="ghh")
    with pytest.raises(ValueError, match="source must be 't' or 's'; got 'x'"):
        i_function_of_source(examples.and_(), source="x")
    with pytest.raises(ValueError, match="units must be 'bits' or 'nats'"):
        redundancy(examples.and_(), measure="gh", units="bans")


def test_bad_inputs_name_the_argument() -> None:
    with pytest.raises(ValueError, match="p_yts must be a 3-D array"):
        redundancy(np.ones((2, 2)) / 4, measure="wedge")
    with pytest.raises(ValueError, match=r"p must have a target axis and at least two source axes"):
        i_gh(np.ones((2, 2)) / 4)
    with pytest.raises(ValueError, match="p has negative mass"):
        i_gh(np.array([[[[1.5, -0.5]]]]))
    with pytest.raises(ValueError, match="sums to"):
        i_prec(np.full((2, 2, 2, 2), 0.1))


def test_partition_limit_is_an_error() -> None:
    n = MAX_PARTITION_SYMBOLS + 1
    p = np.full((1, n, 1), 1 / n)
    with pytest.raises(ValueError, match=rf"source T has {n} symbols of positive mass"):
        redundancy(p, measure="gh-function-of-t")


def test_missing_pycddlib_raises_a_helpful_import_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cdd", None)
    monkeypatch.setitem(sys.modules, "cdd.gmp", None)
    with pytest.raises(ImportError, match=r"measure 'gh' needs pycddlib.*pip install pidkit\[exact\]"):
        redundancy(examples.and_(), measure="gh")
    with pytest.raises(ImportError, match=r"measure 'prec' needs pycddlib"):
        i_prec(examples.and_())
    assert redundancy(examples.and_(), measure="mmi") == pytest.approx(0.311278, abs=1e-6)


def test_pidkit_imports_without_pycddlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cdd", None)
    monkeypatch.setitem(sys.modules, "cdd.gmp", None)
    for name in ("redundancy", "_polytope"):
        monkeypatch.setattr(pidkit, name, getattr(pidkit, name))  # restored after the re-import
    for module in [m for m in sys.modules if m == "pidkit._polytope" or m.startswith("pidkit.redundancy")]:
        monkeypatch.delitem(sys.modules, module)  # the package and every one of its modules
    module = importlib.import_module("pidkit.redundancy")
    assert module.redundancy(examples.rdn(), measure="wedge") == 1.0


@needs_cdd
def test_pid_dispatches_every_measure() -> None:
    p = examples.and_()
    for measure in MEASURES:
        r = pidkit.pid(p, measure=measure, units="nats")
        assert r.measure == measure and r.units == "nats"
        assert r.red == pytest.approx(redundancy(p, measure=measure, units="nats"), abs=1e-9)
    assert pidkit.pid(p, measure="gh").syn == pytest.approx(0.311278124459133, abs=1e-9)
    with pytest.raises(TypeError, match="tol"):
        pidkit.pid(p, measure="gh", tol=1e-3)


@needs_cdd
@pytest.mark.parametrize("snap", [True, False], ids=["snapped", "dyadic"])
def test_round_off_ties_do_not_break_the_exact_lp(snap: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # 0.5 * 0.9 * 0.9 etc.: equal conditionals p(y|t) that round-off makes unequal. Read as the
    # intended fractions (snapped) or as the exact dyadic floats, the LP must stay feasible.
    from pidkit import _polytope

    if not snap:
        monkeypatch.setattr(_polytope, "SNAP_DENOMINATOR", 1)
    pz, pg = (0.5, 0.5), (0.9, 0.1)
    constant = examples.nuisance_teacher(pz, pg, 0.1, student=np.zeros(4, dtype=int))
    assert i_gh(constant) == pytest.approx(0.0, abs=1e-9)
    assert i_prec(constant) == pytest.approx(0.0, abs=1e-9)
    copy_z = examples.nuisance_teacher(pz, pg, 0.1, student="z")
    assert i_gh(copy_z) == pytest.approx(0.531004406410719, abs=1e-9)
    mixed = examples.nuisance_teacher(pz, pg, 0.1, student=np.array([0, 0, 0, 1]))
    assert i_gh(mixed) <= i_prec(mixed) + 1e-9 <= redundancy(mixed) + 2e-9


def test_snapping_reads_simple_fractions() -> None:
    from fractions import Fraction

    from pidkit._polytope import exact_masses

    assert exact_masses(np.array([0.5 * 0.9 * 0.9, 0.5 * 0.9 * 0.1, 0.1])) == [81, 9, 20]
    third = 1 / 3 + 2**-40  # not within 4 ulps of a small fraction: taken exactly
    masses = exact_masses(np.array([third, 0.25]))
    assert Fraction(masses[0], masses[1]) == Fraction(third) / Fraction(0.25)


def _cmi_bits(joint: np.ndarray, a: int, b: int, given: tuple[int, ...]) -> float:
    """I(A;B|C) in bits of a joint over axes, from entropies (independent of pidkit.measures)."""

    def h(axes: tuple[int, ...]) -> float:
        drop = tuple(ax for ax in range(joint.ndim) if ax not in axes)
        m = joint.sum(axis=drop).ravel()
        m = m[m > 0]
        return float(-(m * np.log2(m)).sum())

    return h((a, *given)) + h((b, *given)) - h((a, b, *given)) - h(given)


@needs_cdd
@settings(max_examples=15, deadline=None)
@given(joints())
def test_gh_optimal_channel_is_feasible_and_attains_the_value(p: np.ndarray) -> None:
    r = pid_from_measure(p, measure="gh")
    q = r.diagnostics["q_joint"]  # axes (q, y, t, s)
    assert q.shape[0] == r.diagnostics["q_size"] <= np.count_nonzero(p)
    np.testing.assert_allclose(q.sum(axis=0), p, atol=1e-12)
    assert _cmi_bits(q, 0, 1, (2,)) == pytest.approx(0.0, abs=1e-9)  # I(Q;Y|T) = 0
    assert _cmi_bits(q, 0, 1, (3,)) == pytest.approx(0.0, abs=1e-9)  # I(Q;Y|S) = 0
    assert _cmi_bits(q, 0, 1, ()) == pytest.approx(r.red, abs=1e-9)  # I(Q;Y) = I_GH


@needs_cdd
def test_and_optimum_is_t_or_s() -> None:
    q = pid_from_measure(examples.and_(), measure="gh").diagnostics["q_joint"]
    masses = sorted(q.sum(axis=(1, 2, 3)).tolist())
    assert masses == pytest.approx([0.25, 0.75])
    small = q[int(np.argmin(q.sum(axis=(1, 2, 3))))]
    assert small[0, 0, 0] == pytest.approx(0.25)  # Q = 0 exactly when T = S = 0


@needs_cdd
@settings(max_examples=10, deadline=None)
@given(joints())
def test_eliminated_enumeration_matches_cddlib_with_a_linearity_set(p: np.ndarray) -> None:
    # The polytope K two ways: our exact Gauss-Jordan elimination + cddlib, and cddlib alone with
    # the equalities as a linearity set (slower, no elimination or recovery code involved).
    import cdd.gmp

    from pidkit._polytope import vertices
    from pidkit.redundancy.gh import gh_polytope
    from pidkit.redundancy.vertex_lp import exact_joint

    _, rows, rhs, _ = gh_polytope(exact_joint(p))
    n = len(rows[0])
    ours = vertices(rows, rhs, n, measure="gh").points
    array = [[-b, *row] for row, b in zip(rows, rhs, strict=True)]
    array += [[0] * (j + 1) + [1] + [0] * (n - j - 1) for j in range(n)]
    mat = cdd.gmp.matrix_from_array(array, lin_set=range(len(rows)), rep_type=cdd.gmp.RepType.INEQUALITY)
    generators = cdd.gmp.copy_generators(cdd.gmp.polyhedron_from_matrix(mat)).array
    theirs = np.array([[float(v) for v in g[1:]] for g in generators])
    assert sorted(map(tuple, np.round(ours, 12))) == sorted(map(tuple, np.round(theirs, 12)))


@needs_cdd
@pytest.mark.parametrize("measure", MEASURES)
def test_zero_mass_symbols_and_trivial_axes(measure: str) -> None:
    padded = np.pad(examples.and_(), ((0, 1), (1, 0), (0, 2)))  # symbols of zero mass on every axis
    assert redundancy(padded, measure=measure) == pytest.approx(
        redundancy(examples.and_(), measure=measure), abs=1e-9
    )
    assert redundancy(np.array([0.3, 0.7]).reshape(2, 1, 1), measure=measure) == 0.0  # constant sources
