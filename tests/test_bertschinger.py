import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pidkit
from pidkit import bertschinger, bertschinger_batch, examples
from pidkit.broja import cvxpy as cvxpy_path
from pidkit.broja.program import rounding_allowance
from tests.strategies import joints

H = lambda x: -x * math.log2(x) - (1 - x) * math.log2(1 - x)  # noqa: E731

# (Red, Uni_T, Uni_S, Syn) in bits. Sources: THEORY.md §1 and §3, dit's PID tests, BROJA_2PID's
# gates, and closed forms noted per row.
EXPECTED = {
    "xor": (0, 0, 0, 1),
    "and": (1.5 - 0.75 * math.log2(3), 0, 0, 0.5),  # AND red 0.311278124459133
    "copy": (0, 1, 1, 0),
    "rdn": (1, 0, 0, 0),
    "unq-t": (0, 1, 0, 0),
    "unq-s": (0, 0, 1, 0),
    "sum": (0.5, 0, 0, 1),
    "diff": (0.122556248918266, 0.188721875540867, 0.188721875540867, 0),
    "reduced-or": (1.5 - 0.75 * math.log2(3), 0, 0, 1 - (1.5 - 0.75 * math.log2(3))),
    "pnt-unq": (0.5, 0, 0, 0.5),
    "imperfect-rdn": (0.98959, 0.01041, 0, 0),
    # Closed forms: Uni_T = 0, so Red = I(Y;T) and Uni_S = I(Y;S) - I(Y;T); Syn = H(Y) - I(Y;S).
    "perturbed-xor": (
        1 - 0.3 * H(1 / 3) - 0.7 * H(4 / 7),
        0,
        0.3 * H(1 / 3) + 0.7 * H(4 / 7) - 0.4 * H(0.25) - 0.6 * H(1 / 3),
        0.4 * H(0.25) + 0.6 * H(1 / 3),
    ),
    "rdn-xor": (1, 0, 0, 1),
    "xor-and": (0.5, 0, 0, 1),
    "example-1": (0, 0, 0, 0),
    "example-2": (H(0.2), 0, 0, 0),
    "example-3": (0, 0, 0, 1),
    "nuisance": (1 - H(0.1), 0, 0, 0),
}
# imperfect-rdn is published to 5 digits (0.98959): check it to the last digit the source gives.
DIGITS = {"imperfect-rdn": 5e-6}


@pytest.mark.parametrize("method", ["auto", "cvxpy"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_named_example_atoms(name, method):
    result = bertschinger(examples.catalogue()[name], method=method)
    atoms = (result.red, result.uni_t, result.uni_s, result.syn)
    assert atoms == pytest.approx(EXPECTED[name], abs=DIGITS.get(name, 1e-6)), result
    assert result.status == "optimal" and result.success
    assert result.gap <= 1e-9


def test_paper_examples_students():
    assert bertschinger(examples.uninformative_teacher("u1")).uni_s == pytest.approx(1.0, abs=1e-9)
    r = bertschinger(examples.extra_complex_teacher("u2"))
    assert (r.red, r.uni_t) == pytest.approx((0.0, H(0.2)), abs=1e-9)


def test_perturbed_xor_reproduces_the_published_unique_information():
    # admUI's and dit's perturbed XOR: uni_s 0.08966, published to 5 digits.
    assert bertschinger(examples.perturbed_xor()).uni_s == pytest.approx(0.08966, abs=5e-6)


def test_perturbed_xor_matches_dit_cone():
    dit_pid = pytest.importorskip("dit.pid")
    p = examples.perturbed_xor((0.4, 0.1, 0.2, 0.3))
    ours = bertschinger(p)
    theirs = dit_pid.PID_BROJA(_to_dit(p), [[0], [1]], [2], method="cone")
    assert ours.uni_s == pytest.approx(theirs.get_pi(((1,),)), abs=1e-6)
    assert ours.uni_t == pytest.approx(theirs.get_pi(((0,),)), abs=1e-6)
    assert ours.red == pytest.approx(theirs.get_pi(((0,), (1,))), abs=1e-6)
    assert ours.red > 0 and ours.syn < 1  # uneven inputs create redundancy


def test_units_nats_scale_every_field():
    bits = bertschinger(examples.and_())
    nats = bertschinger(examples.and_(), units="nats")
    assert nats.units == "nats"
    for key in ("red", "uni_t", "uni_s", "syn", "i_yt", "i_ys", "i_yts"):
        assert getattr(nats, key) == pytest.approx(getattr(bits, key) * math.log(2), abs=1e-12)


def test_optimal_q_has_p_marginals_and_full_shape():
    p = examples.nuisance_teacher(p_z=[0.3, 0.7], p_g=[0.2, 0.8], flip=0.2, student="g")
    r = bertschinger(p)
    assert r.q.shape == p.shape
    np.testing.assert_allclose(r.q.sum(axis=2), p.sum(axis=2), atol=1e-12)
    np.testing.assert_allclose(r.q.sum(axis=1), p.sum(axis=1), atol=1e-12)
    assert (r.q >= 0).all()


def test_zero_mass_symbols_and_single_symbol_axes():
    padded = np.zeros((3, 3, 4))
    padded[:2, :2, :2] = examples.and_()
    assert bertschinger(padded).red == pytest.approx(EXPECTED["and"][0], abs=1e-9)
    single = np.full((1, 2, 3), 1 / 6)
    r = bertschinger(single)
    assert (r.red, r.uni_t, r.uni_s, r.syn) == (0.0, 0.0, 0.0, 0.0)
    deterministic = np.zeros((2, 2, 2))
    deterministic[1, 0, 1] = 1.0
    assert bertschinger(deterministic).i_yts == 0.0


def test_result_object_contract():
    r = bertschinger(examples.and_())
    text = repr(r)
    assert "status='optimal'" in text and "Red(Y:T,S)" in text and "0.311278" in text
    d = r.to_dict()
    assert d["status"] == "optimal" and d["success"] is True and d["measure"] == "broja"
    assert "q" not in d and len(r.to_dict(include_q=True)["q"]) == 2
    assert (r.method, r.solver) in {("native", "pidkit-native"), ("cvxpy", "CLARABEL")}
    reference = bertschinger(examples.and_(), method="cvxpy")
    assert (reference.method, reference.solver) == ("cvxpy", "CLARABEL")
    assert reference.red == pytest.approx(r.red, abs=1e-9)
    with pytest.raises(AttributeError):
        r.red = 1.0


def test_ecos_fallback_solver_selectable():
    r = bertschinger(examples.diff(), solver="ECOS")
    assert r.solver == "ECOS" and r.red == pytest.approx(EXPECTED["diff"][0], abs=1e-6)


def test_uncertified_answer_raises_unless_not_strict():
    # A tolerance Clarabel's floating-point iterates cannot certify: strict raises, else reports.
    with pytest.raises(pidkit.SolverError, match=r"status 'optimal_inaccurate'.*joint 2x2x2"):
        bertschinger(examples.perturbed_xor(), method="cvxpy", tol=1e-30)
    r = bertschinger(examples.perturbed_xor(), method="cvxpy", tol=1e-30, strict=False)
    assert r.status == "optimal_inaccurate" and not r.success and "exceeds tol" in r.message


def test_a_tol_below_the_rounding_allowance_stops_at_the_floor_and_says_so():
    # No certificate's gap falls below its float64 rounding allowance, 1e-14 (1 + |f| + |D|) nats.
    # With a tol under it the native solver stops once its gap is down to the allowance (it used to
    # run all 200 iterations, then cvxpy: 100 times slower) and the message says what to pass.
    p = np.random.default_rng(3).dirichlet(np.ones(1000)).reshape(10, 10, 10)
    r = bertschinger(p, tol=1e-14, strict=False)
    allowance = rounding_allowance(r.diagnostics["primal"], r.diagnostics["dual"]) / math.log(2)
    assert r.status == "optimal_inaccurate" and r.method == "native" and r.nit <= 20
    # gap = max(f - D, 0) + allowance: equal to it where f - D rounds to 0 or below (this AMD EPYC)
    assert 1e-14 < allowance <= r.gap <= 2 * allowance
    assert "below the float64 rounding allowance" in r.message
    assert re.search(r"pass tol=\de-\d+ or more \(twice the allowance, for a margin; tol is in bits",
                     r.message)
    assert bertschinger(p, tol=4 * allowance).success
    assert bertschinger(p, tol=1e-30, strict=False).nit <= 20  # below any allowance
    assert all(x.nit <= 20 and x.method == "native"
               for x in bertschinger_batch([p, p[::-1]], tol=1e-14, strict=False))
    with pytest.raises(pidkit.SolverError, match="below the float64 rounding allowance"):
        bertschinger(p, tol=1e-14)


def test_program_is_built_once_per_support():
    cvxpy_path.cached_problem.cache_clear()
    rng = np.random.default_rng(1)
    for _ in range(3):
        bertschinger(rng.dirichlet(np.ones(8)).reshape(2, 2, 2), method="cvxpy")
    info = cvxpy_path.cached_problem.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def _atoms(r):
    return np.array([r.red, r.uni_t, r.uni_s, r.syn])


@settings(max_examples=60)
@given(joints())
def test_atoms_are_nonnegative_and_satisfy_the_identities(p):
    r = bertschinger(p)
    assert min(r.red, r.uni_t, r.uni_s, r.syn) >= 0
    assert r.uni_t + r.red == pytest.approx(r.i_yt, abs=1e-9)
    assert r.uni_s + r.red == pytest.approx(r.i_ys, abs=1e-9)
    assert r.red + r.uni_t + r.uni_s + r.syn == pytest.approx(r.i_yts, abs=1e-9)
    assert r.gap <= 1e-9


@settings(max_examples=30)
@given(joints())
def test_swapping_sources_swaps_unique_informations(p):
    r, swapped = bertschinger(p), bertschinger(p.transpose(0, 2, 1))
    np.testing.assert_allclose(
        _atoms(swapped), [r.red, r.uni_s, r.uni_t, r.syn], atol=1e-8
    )


@settings(max_examples=30)
@given(joints(), st.integers(0, 1000))
def test_relabelling_any_alphabet_changes_nothing(p, seed):
    rng = np.random.default_rng(seed)
    y, t, s = (rng.permutation(n) for n in p.shape)
    permuted = p[y][:, t][:, :, s]
    np.testing.assert_allclose(_atoms(bertschinger(permuted)), _atoms(bertschinger(p)), atol=1e-8)


def _to_dit(p):
    import dit

    outcomes, masses = [], []
    for y, t, s in zip(*np.nonzero(p), strict=True):
        outcomes.append((int(t), int(s), int(y)))
        masses.append(p[y, t, s])
    return dit.Distribution(outcomes, masses)


@settings(max_examples=15)
@given(joints(max_size=3))
def test_agrees_with_dit_cone_method(p):
    dit_pid = pytest.importorskip("dit.pid")
    if min(p.shape) < 2 or (p > 0).sum() < 3:
        return  # dit needs every variable to vary
    theirs = dit_pid.PID_BROJA(_to_dit(p), [[0], [1]], [2], method="cone")
    r = bertschinger(p)
    assert r.uni_t == pytest.approx(theirs.get_pi(((0,),)), abs=1e-6)
    assert r.uni_s == pytest.approx(theirs.get_pi(((1,),)), abs=1e-6)
    assert r.red == pytest.approx(theirs.get_pi(((0,), (1,))), abs=1e-6)


def test_the_message_states_no_number_in_other_units_than_the_result():
    # The message said "certified gap 1.25e-11 nats" beside r.gap = 1.80e-11 (bits).
    p = np.random.default_rng(0).dirichlet(np.ones(27)).reshape(3, 3, 3)
    for units in ("bits", "nats"):
        r = pidkit.bertschinger(p, units=units)
        assert r.message.startswith("solved by the native interior-point method (interior point "
                                    "converged after ")
        assert ("nats" in r.message) == ("bits" in r.message) == False  # noqa: E712
