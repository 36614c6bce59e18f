"""Every public function of pidkit's core that takes a joint takes a dit Distribution (t-478).

``pidkit.entropy``, ``pidkit.measures.marginal``, ``pidkit.i_gh`` and ``pidkit.i_prec`` now take
``d`` with ``target``/``sources`` as ``pidkit.pid`` does, through the one conversion
(``pidkit.samples.joint_of_dit_or_array``); ``i_gh`` and ``i_prec`` take two or more sources. Each
function's answer on dit's AND, XOR and a random 3x3x3 distribution is checked against its answer on
the joint pidkit builds (itself checked against a joint built here by hand), against closed forms
(AND: BROJA's Red = h(1/4) - 1/2 = 0.311278, H(Y) = h(1/4) = 0.811278) and against dit's own
Shannon measures.
"""

import itertools
import math

import numpy as np
import pytest

import pidkit
from pidkit.measures import informations, marginal

dit = pytest.importorskip("dit")
bivariates = pytest.importorskip("dit.pid.distributions").bivariates


def binary_entropy(q: float) -> float:
    return -q * math.log2(q) - (1 - q) * math.log2(1 - q)


H_QUARTER = binary_entropy(0.25)          # 0.811278: H(Y) of AND, and its I(Y;T,S)
AND_RED = H_QUARTER - 0.5                 # 0.311278: I(Y;T), BROJA's, MMI's and I_prec's Red
AND_GH = 2.5 - 1.5 * math.log2(3)         # Griffith & Ho's I_GH of AND (Q = T or S)


def and_gate():
    """dit's AND, Y = X0 and X1, target last."""
    return bivariates["and"].copy()


def xor_gate():
    """dit's XOR, Y = X0 xor X1, target last."""
    return dit.example_dists.Xor()


def random_3x3x3():
    """A random distribution of three ternary variables, every one of the 27 outcomes present."""
    outcomes = ["".join(symbols) for symbols in itertools.product("012", repeat=3)]
    return dit.Distribution(outcomes, np.random.default_rng(478).dirichlet(np.ones(27)))


DISTRIBUTIONS = {"and": and_gate, "xor": xor_gate, "random 3x3x3": random_3x3x3}


def hand_joint(d, target, sources):
    """p[y, x1, ...] of ``d``'s variables ``target`` and ``sources`` (indices), each axis its
    variable's symbols in sorted order, summed outcome by outcome."""
    variables = (target, *sources)
    alphabets = [sorted({outcome[i] for outcome in d.outcomes}) for i in variables]
    p = np.zeros([len(alphabet) for alphabet in alphabets])
    for outcome, mass in zip(d.outcomes, d.pmf, strict=True):
        p[tuple(alphabet.index(outcome[i]) for alphabet, i in zip(alphabets, variables, strict=True))] += mass
    return p


@pytest.mark.parametrize("name", DISTRIBUTIONS)
def test_the_joint_pidkit_builds_is_the_joint_built_by_hand(name):
    d = DISTRIBUTIONS[name]()
    np.testing.assert_allclose(pidkit.joint_from_dit(d, target=2).p, hand_joint(d, 2, (0, 1)), atol=1e-15)


FUNCTIONS = {
    "entropy of all cells": lambda p, **dit_args: pidkit.entropy(p, **dit_args),
    "entropy y": lambda p, **dit_args: pidkit.entropy(p, "y", **dit_args),
    "entropy ts": lambda p, **dit_args: pidkit.entropy(p, "ts", units="nats", **dit_args),
    "marginal ys": lambda p, **dit_args: marginal(p, "sy", **dit_args),
    "mutual_information": lambda p, **dit_args: pidkit.mutual_information(p, "y", "ts", **dit_args),
    "conditional_mutual_information":
        lambda p, **dit_args: pidkit.conditional_mutual_information(p, "y", "t", "s", **dit_args),
    "co_information": lambda p, **dit_args: pidkit.co_information(p, **dit_args),
    "informations": lambda p, **dit_args: tuple(informations(p, **dit_args)),
    "pid": lambda p, **dit_args: pidkit.pid(p, **dit_args).red,
    "i_mmi": lambda p, **dit_args: pidkit.i_mmi(p, **dit_args),
    "i_wedge": lambda p, **dit_args: pidkit.i_wedge(p, **dit_args),
    "i_target_common": lambda p, **dit_args: pidkit.i_target_common(p, **dit_args),
    "i_function_of_source t": lambda p, **dit_args: pidkit.i_function_of_source(p, **dit_args),
    "i_function_of_source s": lambda p, **dit_args: pidkit.i_function_of_source(p, source="s", **dit_args),
    "i_prec": lambda p, **dit_args: pidkit.i_prec(p, **dit_args),
    "i_gh": lambda p, **dit_args: pidkit.i_gh(p, **dit_args),
    **{f"redundancy {measure}": (lambda p, measure=measure, **dit_args:
                                 pidkit.redundancy(p, measure=measure, **dit_args))
       for measure in pidkit.REDUNDANCY_MEASURES},
}
SLOW_ON_RANDOM = {"i_gh", "redundancy gh"}
"""I_GH's vertex enumeration of a dense 3x3x3 joint takes 10-50 s: checked on AND and XOR only."""
VERTEX_FUNCTIONS = {"i_gh", "i_prec", "redundancy gh", "redundancy prec"}


@pytest.mark.parametrize("name", DISTRIBUTIONS)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_of_a_dit_is_its_function_of_the_joint_pidkit_builds(function, name):
    if name == "random 3x3x3" and function in SLOW_ON_RANDOM:
        pytest.skip("I_GH of a dense 3x3x3 joint takes 10-50 s")
    if function in VERTEX_FUNCTIONS:
        pytest.importorskip("cdd")
    d = DISTRIBUTIONS[name]()
    on_the_array = FUNCTIONS[function](pidkit.joint_from_dit(d, target=2, sources=[0, 1]).p)
    assert FUNCTIONS[function](d, target=2) == pytest.approx(on_the_array, abs=1e-12)
    d.set_rv_names("ABY")  # the same variables by name, and the sources swapped
    swapped = FUNCTIONS[function](pidkit.joint_from_dit(d, target="Y", sources=["B", "A"]).p)
    assert FUNCTIONS[function](d, target="Y", sources=["B", "A"]) == pytest.approx(swapped, abs=1e-12)


def test_and_of_dit_gives_the_closed_forms():
    d = and_gate()
    assert pidkit.entropy(d, "y", target=2) == pytest.approx(H_QUARTER, abs=1e-12)
    assert pidkit.entropy(d, target=2) == pytest.approx(2.0, abs=1e-12)  # four outcomes of 1/4
    assert pidkit.entropy(d, "t", target=2) == pytest.approx(1.0, abs=1e-12)
    assert marginal(d, "y", target=2).tolist() == [0.75, 0.25]
    assert marginal(d, "ty", target=-1).tolist() == [[0.5, 0.0], [0.25, 0.25]]
    assert pidkit.mutual_information(d, "y", "ts", target=2) == pytest.approx(H_QUARTER, abs=1e-12)
    assert pidkit.co_information(d, target=2) == pytest.approx(AND_RED - 0.5, abs=1e-12)
    assert pidkit.pid(d, target=2).red == pytest.approx(AND_RED, abs=1e-7)
    assert pidkit.i_mmi(d, target=2) == pytest.approx(AND_RED, abs=1e-12)
    assert pidkit.i_wedge(d, target=2) == 0.0
    pytest.importorskip("cdd")
    assert pidkit.i_gh(d, target=2) == pytest.approx(AND_GH, abs=1e-9)
    assert pidkit.i_prec(d, target=2) == pytest.approx(AND_RED, abs=1e-9)


def test_xor_of_dit_gives_the_closed_forms():
    d = xor_gate()
    assert pidkit.entropy(d, "y", target=2) == pytest.approx(1.0, abs=1e-12)
    assert pidkit.entropy(d, target=2) == pytest.approx(2.0, abs=1e-12)
    assert marginal(d, "ts", target=2).tolist() == [[0.25, 0.25], [0.25, 0.25]]
    assert pidkit.mutual_information(d, "y", "ts", target=2) == pytest.approx(1.0, abs=1e-12)
    assert pidkit.mutual_information(d, "y", "t", target=2) == pytest.approx(0.0, abs=1e-12)
    assert pidkit.co_information(d, target=2) == pytest.approx(-1.0, abs=1e-12)
    assert pidkit.pid(d, target=2).syn == pytest.approx(1.0, abs=1e-7)
    reds = [pidkit.i_mmi(d, target=2), pidkit.i_wedge(d, target=2), pidkit.i_target_common(d, target=2)]
    pytest.importorskip("cdd")
    reds += [pidkit.i_gh(d, target=2), pidkit.i_prec(d, target=2)]
    assert reds == pytest.approx([0.0] * 5, abs=1e-9)


def test_random_dit_agrees_with_dits_own_shannon_measures():
    d = random_3x3x3()
    assert pidkit.entropy(d, target=2) == pytest.approx(dit.shannon.entropy(d), abs=1e-12)
    assert pidkit.entropy(d, "y", target=2) == pytest.approx(dit.shannon.entropy(d, [2]), abs=1e-12)
    assert pidkit.entropy(d, "ts", target=2) == pytest.approx(dit.shannon.entropy(d, [0, 1]), abs=1e-12)
    np.testing.assert_allclose(marginal(d, "y", target=2), d.marginal([2]).pmf, atol=1e-15)
    assert pidkit.mutual_information(d, "y", "ts", target=2) == pytest.approx(
        dit.shannon.mutual_information(d, [2], [0, 1]), abs=1e-12)
    assert pidkit.conditional_mutual_information(d, "y", "t", "s", target=2) == pytest.approx(
        dit.multivariate.coinformation(d, [[2], [0]], [1]), abs=1e-12)
    assert pidkit.co_information(d, target=2) == pytest.approx(
        dit.multivariate.coinformation(d, [[0], [1], [2]]), abs=1e-12)
    i_yt, i_ys = (dit.shannon.mutual_information(d, [2], [source]) for source in (0, 1))
    assert pidkit.i_mmi(d, target=2) == pytest.approx(min(i_yt, i_ys), abs=1e-12)


def random_four_bits():
    """A random distribution of four bits, every one of the 16 outcomes present."""
    outcomes = ["".join(bits) for bits in itertools.product("01", repeat=4)]
    d = dit.Distribution(outcomes, np.random.default_rng(4780).dirichlet(np.ones(16)))
    d.set_rv_names("YABC")
    return d


@pytest.mark.parametrize("function", [pidkit.i_gh, pidkit.i_prec], ids=["i_gh", "i_prec"])
def test_i_gh_and_i_prec_take_a_dit_of_three_sources(function):
    pytest.importorskip("cdd")
    copies = dit.Distribution(["0000", "1111"], [0.5, 0.5])  # Y and three copies of it: Red = H(Y)
    assert function(copies, target=0) == pytest.approx(1.0, abs=1e-9)
    d = random_four_bits()
    by_hand = function(hand_joint(d, 0, (1, 2, 3)))
    assert 0.0 < by_hand < 0.1
    assert function(d, target=0) == pytest.approx(by_hand, abs=1e-12)  # sources: every other variable
    assert function(d, target="Y", sources=["A", "B", "C"]) == pytest.approx(by_hand, abs=1e-12)
    merged = function(pidkit.joint_from_dit(d, target="Y", sources=[["A", "B"], "C"]).p)
    assert function(d, target="Y", sources=[["A", "B"], "C"]) == pytest.approx(merged, abs=1e-12)


@pytest.mark.parametrize(("call", "shown", "expected"), [
    (lambda d: pidkit.entropy(d), "pidkit.entropy(d, target=2, sources=[0, 1])", 2.0),
    (lambda d: pidkit.entropy(d, "y"), "pidkit.entropy(d, 'y', target=2, sources=[0, 1])", H_QUARTER),
    (lambda d: marginal(d, "y"), "pidkit.measures.marginal(d, 'y', target=2, sources=[0, 1])", [0.75, 0.25]),
    (lambda d: pidkit.i_gh(d), "pidkit.i_gh(d, target=2, sources=[0, 1])", AND_GH),
    (lambda d: pidkit.i_prec(d), "pidkit.i_prec(d, target=2, sources=[0, 1])", AND_RED),
])
def test_a_dit_without_target_is_shown_a_call_that_works(call, shown, expected):
    d = and_gate()
    name = "p_yts" if "marginal" in shown else "p"
    with pytest.raises(TypeError) as refusal:
        call(d)
    assert str(refusal.value) == f"{name} is a dit Distribution: name its target variable, e.g. {shown}."
    if "i_gh" in shown or "i_prec" in shown:
        pytest.importorskip("cdd")
    assert eval(shown, {"pidkit": pidkit, "d": d}) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(("call", "name", "axes"), [
    (lambda p: pidkit.entropy(p, "y", target=0), "p", "[y, t, s]"),
    (lambda p: marginal(p, "y", target=0), "p_yts", "[y, t, s]"),
    (lambda p: pidkit.i_gh(p, target=0), "p", "[y, x1, x2, ...]"),
    (lambda p: pidkit.i_prec(p, target=0), "p", "[y, x1, x2, ...]"),
])
def test_an_array_takes_no_target(call, name, axes):
    with pytest.raises(TypeError) as refusal:
        call(pidkit.examples.and_())
    assert str(refusal.value).startswith(
        f"target only applies to a dit Distribution; {name} is an array, indexed {axes} already. Drop it, ")


def test_i_gh_of_a_dit_needs_two_sources_and_warns_of_a_repeated_one():
    pair = dit.Distribution(["00", "11"], [0.5, 0.5])
    with pytest.raises(ValueError) as refusal:
        pidkit.i_gh(pair, target=0)
    assert str(refusal.value) == (
        "sources: the dit Distribution has 2 variables, and target=0 leaves 1 ([1]): a redundancy "
        "needs two or more source variables besides the target.")
    with pytest.raises(ValueError, match=r"^sources must name two or more variables \(X1, X2, \.\.\.\); "
                                         r"got \['A'\]\.$"):
        pidkit.i_prec(random_four_bits(), target="Y", sources=["A"])
    pytest.importorskip("cdd")
    d = random_four_bits()
    with pytest.warns(UserWarning) as warned:
        repeated = pidkit.i_prec(d, target="Y", sources=["A", "B", "A"])
    assert str(warned[0].message) == (
        "sources=['A', 'B', 'A'] name the same variable(s) twice, so sources[0] and sources[2] are one "
        "source and Red is that of the sources without the repeat. If that was a typo, name 3 different "
        "sources, e.g. sources=[1, 2, 3].")
    assert repeated == pytest.approx(pidkit.i_prec(d, target="Y", sources=["A", "B"]), abs=1e-12)


@pytest.mark.parametrize("name", DISTRIBUTIONS)
def test_bertschinger_of_a_dit_is_bertschinger_of_the_joint_pidkit_builds(name):
    d = DISTRIBUTIONS[name]()
    of_the_array = pidkit.bertschinger(pidkit.joint_from_dit(d, target=2).p)
    of_the_dit = pidkit.bertschinger(d, target=2, sources=[0, 1])
    atoms = ("red", "uni_t", "uni_s", "syn")
    assert [getattr(of_the_dit, atom) for atom in atoms] == pytest.approx(
        [getattr(of_the_array, atom) for atom in atoms], abs=1e-12)
    if name == "and":
        assert of_the_dit.red == pytest.approx(AND_RED, abs=1e-7)
    with pytest.raises(TypeError, match=r"^p_yts is a dit Distribution: name its target variable, e\.g\. "
                                        r"pidkit\.bertschinger\(d, target=2, sources=\[0, 1\]\)\.$"):
        pidkit.bertschinger(d)
