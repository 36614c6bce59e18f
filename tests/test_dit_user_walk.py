"""What a PID theorist who knows dit met (walk t-466, items L6 to L11): dit variables taken by name
and by negative index, the dyadic and triadic distributions and dit's name ``cat`` among the
examples, ``nuisance_teacher``'s default that of the catalogue, Theorem 3.1's advice on a regime
that is one vector, and names in docstrings that work when typed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import pidkit
from pidkit import examples

ATOMS = ("red", "uni_t", "uni_s", "syn")
XOR = ["000", "011", "101", "110"]


def _atoms(p: np.ndarray) -> list[float]:
    result = pidkit.bertschinger(p)
    return [getattr(result, atom) for atom in ATOMS]


def _h(q: float) -> float:
    return -q * math.log2(q) - (1 - q) * math.log2(1 - q)


def test_dit_variables_are_taken_by_name_and_by_negative_index():
    dit = pytest.importorskip("dit")
    d = dit.Distribution(["000", "010", "101", "111"], [0.15, 0.15, 0.35, 0.35])  # Z = X, Y apart
    d.set_rv_names("XYZ")
    by_index = pidkit.joint_from_dit(d, target=2, sources=[0, 1]).p
    for target, sources in [("Z", ["X", "Y"]), (-1, [-3, -2]), ("Z", None), (["Z"], [0, "Y"])]:
        np.testing.assert_array_equal(pidkit.joint_from_dit(d, target=target, sources=sources).p, by_index)
    # target Z = X, a bit with P(1) = 0.7, and Y a fair bit apart: Uni_T = H(X) = h(0.3), the rest 0
    result = pidkit.pid(d, target="Z")
    assert [getattr(result, a) for a in ATOMS] == pytest.approx([0.0, _h(0.3), 0.0, 0.0], abs=1e-8)


def test_a_name_or_index_that_names_no_variable_says_what_is_taken():
    dit = pytest.importorskip("dit")
    unnamed = dit.Distribution(XOR, [0.25] * 4)
    with pytest.raises(TypeError) as refusal:
        pidkit.pid(unnamed, target="Z")
    assert str(refusal.value) == (
        "target must be a variable's index (this distribution's variables have no names: "
        "d.set_rv_names('XYZ') gives them), or a sequence of them; got 'Z'. Indices count from 0 in "
        "the order of the outcomes' characters: 2 (or -1) is the last.")
    named = unnamed.copy()
    named.set_rv_names("XYZ")
    with pytest.raises(TypeError, match=r"^sources\[1\] must be a variable's index or a name among "
                                        r"\['X', 'Y', 'Z'\], or a sequence of them; got 'W'"):
        pidkit.joint_from_dit(named, target="Z", sources=["X", "W"])
    with pytest.raises(ValueError) as refusal:
        pidkit.pid(unnamed, target=-4)
    assert str(refusal.value) == ("target and sources must index the distribution's 3 variables (0 to "
                                  "2, or -3 to -1 from the end); target got -4.")


def test_dyadic_and_triadic_are_dits_and_have_their_closed_form_atoms():
    # dyadic: Z's bit a is X's alone, c Y's alone; triadic: a shared by all, Z's other bit the XOR
    assert _atoms(examples.dyadic()) == pytest.approx([0.0, 1.0, 1.0, 0.0], abs=1e-7)
    assert _atoms(examples.triadic()) == pytest.approx([1.0, 0.0, 0.0, 1.0], abs=1e-7)
    for p in (examples.dyadic(), examples.triadic()):  # every entropy alike: 2 bits each, 3 for pairs
        assert pidkit.entropy(p, "y") == pytest.approx(2.0) and pidkit.entropy(p, "ts") == pytest.approx(3.0)
    pytest.importorskip("dit")
    from dit.example_dists import dyadic, triadic
    for ours, theirs in [(examples.dyadic(), dyadic), (examples.triadic(), triadic)]:
        np.testing.assert_array_equal(pidkit.joint_from_dit(theirs, target=2).p, ours)


def test_cat_and_tbc_are_copy_and_list_no_row_of_their_own():
    np.testing.assert_array_equal(examples.by_name("cat"), examples.copy())
    np.testing.assert_array_equal(examples.by_name("TBC"), examples.copy())
    np.testing.assert_array_equal(examples.by_name("Dyadic"), examples.dyadic())
    assert not set(examples.ALIASES) & set(examples.catalogue())
    with pytest.raises(ValueError, match=r"^name must be an example of the catalogue or an alias; got 'tcb'"):
        examples.by_name("tcb")
    pytest.importorskip("dit")
    from dit.pid.distributions import bivariates
    np.testing.assert_array_equal(pidkit.joint_from_dit(bivariates["cat"], target=2).p, examples.copy())


def test_the_nuisance_teacher_defaults_to_the_catalogues_flip():
    np.testing.assert_array_equal(examples.nuisance_teacher(), examples.catalogue()["nuisance"])
    assert pidkit.bertschinger(examples.nuisance_teacher()).red == pytest.approx(1 - _h(0.1), abs=1e-8)


@pytest.mark.parametrize(("regimes", "said"), [
    ([(0.5, 0.5)], "regimes[0][0] (p_z) must be a probability vector; got 0.5 in regimes[0] = (0.5, 0.5): "
                   "each regime is (p_z, p_g), two probability vectors, e.g. "
                   "regimes=[((0.5, 0.5), (0.9, 0.1))]."),
    ([((0.5, 0.5), (0.9, 0.2))], "regimes[0][1] (p_g) sums to 1.1, not 1: each regime is (p_z, p_g), two "
                                 "probability vectors, e.g. regimes=[((0.5, 0.5), (0.9, 0.1))]. Give "
                                 "masses that sum to 1."),
])
def test_theorem_3_1_says_what_a_regime_is(regimes, said):
    with pytest.raises(ValueError) as refusal:
        pidkit.check_theorem_3_1(regimes=regimes)
    assert str(refusal.value) == said
    assert "normalize" not in said  # check_theorem_3_1 takes no such keyword


def test_names_the_docstrings_give_work_when_typed():
    namespace: dict[str, object] = {}
    exec("from pidkit.redundancy import MEASURES, MAX_PARTITION_SYMBOLS\n"
         "from pidkit.redundancy.prec import LONG_BOUND", namespace)
    assert namespace["MAX_PARTITION_SYMBOLS"] == 9 and namespace["LONG_BOUND"] == 1000
    assert "broja" in namespace["MEASURES"]


def test_gaussian_examples_exports_its_builders_only():
    from pidkit.gaussian import examples as gaussian_examples
    exported = set(gaussian_examples.__all__)
    assert {"np", "dataclass", "Any", "Sequence"}.isdisjoint(exported)
    assert {"scalar_target", "degraded", "tied", "direct_sum", "GaussianExample"} <= exported
    assert all(hasattr(gaussian_examples, name) for name in exported)
