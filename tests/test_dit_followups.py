"""A dit user's follow-ups in pidkit's core (t-473: walk t-466, notes of t-469 and t-470).

``pidkit.redundancy``, its single measures of two sources and the Shannon measures take a dit
Distribution with ``target``/``sources`` as ``pidkit.pid`` does; the functions that still take an
array only say which calls take ``d`` and what to pass elsewhere; ``--example cat`` and ``tbc`` are
``copy``; ``correct_counts`` of ``joint_from_dit``'s all-zero counts says that a dit distribution
holds probabilities. The numbers are checked against closed forms of the AND gate.
"""

import inspect
import json
import math
import re

import numpy as np
import pytest

import pidkit
from pidkit import examples
from pidkit.cli import main
from pidkit.estimate import correct_counts
from pidkit.theorems import check_theorem_3_2

dit = pytest.importorskip("dit")


def binary_entropy(q: float) -> float:
    return -q * math.log2(q) - (1 - q) * math.log2(1 - q)


AND_RED = binary_entropy(0.25) - 0.5          # I(Y;T) of Y = T and S: BROJA's and MMI's Red
AND_GH = 2.5 - 1.5 * math.log2(3)             # Griffith & Ho's I_GH of AND (Q = T or S)


@pytest.fixture
def and_gate():
    """Y = X and Z written as dit writes it, target last, with variables named X, Y, Z."""
    d = dit.Distribution(["000", "010", "100", "111"], [0.25] * 4)
    d.set_rv_names("XYZ")
    return d


@pytest.fixture
def copy_of_first():
    """Y = X0 with X1 an independent fair bit (target last): T tells all of Y, S nothing."""
    return dit.Distribution(["000", "010", "101", "111"], [0.25] * 4)


@pytest.mark.parametrize(("measure", "expected"), [
    ("broja", AND_RED), ("mmi", AND_RED), ("wedge", 0.0), ("gh", AND_GH), ("prec", AND_RED),
    ("gh-target-only", 0.0),
])
def test_redundancy_of_dits_and_is_pids_and_the_closed_form(and_gate, measure, expected):
    pytest.importorskip("cdd") if measure in ("gh", "prec") else None
    red = pidkit.redundancy(and_gate, target="Z", measure=measure)
    assert red == pytest.approx(expected, abs=1e-7)
    assert red == pytest.approx(pidkit.pid(and_gate, target=2, measure=measure).red, abs=1e-9)
    assert red == pytest.approx(pidkit.redundancy(examples.and_(), measure=measure), abs=1e-9)


def test_single_measures_take_dit_with_target_and_sources(and_gate, copy_of_first):
    assert pidkit.i_mmi(and_gate, target=-1) == pytest.approx(AND_RED, abs=1e-12)
    assert pidkit.i_wedge(and_gate, target=2) == 0.0
    assert pidkit.i_target_common(and_gate, target="Z") == 0.0
    assert pidkit.i_mmi(copy_of_first, target=2, sources=[0, 1]) == pytest.approx(0.0, abs=1e-12)
    # T = S = Y: f(T) = T tells Y's bit and I(Y; T | S) = 0, so the Q = f(T) reading gives H(Y) = 1
    all_three = dit.Distribution(["000", "111"], [0.5, 0.5])
    assert pidkit.i_function_of_source(all_three, target=0, source="s") == pytest.approx(1.0, abs=1e-12)


def test_shannon_measures_take_dit_and_their_letters_name_target_and_sources(and_gate, copy_of_first):
    assert pidkit.mutual_information(and_gate, "y", "ts", target="Z") == pytest.approx(
        binary_entropy(0.25), abs=1e-12)
    assert pidkit.conditional_mutual_information(and_gate, "y", "t", "s", target=2) == pytest.approx(
        0.5, abs=1e-12)
    assert pidkit.co_information(and_gate, target=2) == pytest.approx(AND_RED - 0.5, abs=1e-12)
    info = pidkit.measures.informations(and_gate, target="Z", sources=["X", "Y"])
    assert (info.h_y, info.i_yt, info.i_ys, info.i_yts) == pytest.approx(
        (binary_entropy(0.25), AND_RED, AND_RED, binary_entropy(0.25)), abs=1e-12)
    # "t" is sources[0]: X0 carries Y's bit, X1 none
    assert pidkit.mutual_information(copy_of_first, "y", "t", target=2, sources=[0, 1]) == pytest.approx(1.0)
    assert pidkit.mutual_information(copy_of_first, "y", "t", target=2, sources=[1, 0]) == pytest.approx(0.0)


@pytest.mark.parametrize(("call", "example", "expected"), [
    (lambda d: pidkit.redundancy(d, measure="wedge"),
     "pidkit.redundancy(d, target=2, sources=[0, 1], measure='wedge')", 0.0),
    (lambda d: pidkit.i_mmi(d), "pidkit.redundancy(d, target=2, sources=[0, 1], measure='mmi')", AND_RED),
    (lambda d: pidkit.mutual_information(d, "y", "ts"),
     "pidkit.mutual_information(d, 'y', 'ts', target=2, sources=[0, 1])", binary_entropy(0.25)),
    (lambda d: pidkit.conditional_mutual_information(d, "y", "t", "s"),
     "pidkit.conditional_mutual_information(d, 'y', 't', 's', target=2, sources=[0, 1])", 0.5),
    (lambda d: pidkit.co_information(d), "pidkit.co_information(d, target=2, sources=[0, 1])", AND_RED - 0.5),
    (lambda d: pidkit.pid(d).red, "pidkit.pid(d, target=2, sources=[0, 1]).red", AND_RED),
])
def test_dit_without_target_is_shown_a_call_that_works(and_gate, call, example, expected):
    with pytest.raises(TypeError) as refusal:
        call(and_gate)
    shown = example.removesuffix(".red")
    assert str(refusal.value) == f"p_yts is a dit Distribution: name its target variable, e.g. {shown}."
    # the call shown runs on d and gives AND's number
    assert eval(example, {"pidkit": pidkit, "d": and_gate}) == pytest.approx(expected, abs=1e-7)


@pytest.mark.parametrize("call", [
    lambda p: pidkit.redundancy(p, target=0),
    lambda p: pidkit.mutual_information(p, "y", "t", target=0),
    lambda p: pidkit.co_information(p, target=0),
])
def test_an_array_takes_no_target(call):
    with pytest.raises(TypeError, match=r"^target only applies to a dit Distribution; p_yts is an array, "
                                        r"indexed \[y, t, s\] already\. Drop it, or reorder its axes"):
        call(examples.and_())


def test_functions_of_stacks_name_the_calls_that_take_d_and_a_p_that_they_take(and_gate):
    # entropy, bertschinger and i_gh took arrays only; they now take d with its target, and what
    # takes a sequence of joints refuses one d in one line instead of reading its outcomes as cells
    assert pidkit.bertschinger(and_gate, target=2).red == pytest.approx(AND_RED, abs=1e-7)
    assert pidkit.i_gh(and_gate, target=2) == pytest.approx(0.122556, abs=1e-6)
    assert pidkit.entropy(and_gate, "y", target=2) == pytest.approx(0.811278, abs=1e-6)   # h(1/4)
    stacks = (lambda d: pidkit.bertschinger_batch(d), lambda d: check_theorem_3_2(d))
    for call, name in zip(stacks, ("ps", "joints"), strict=True):
        with pytest.raises(TypeError) as refusal:
            call(and_gate)
        assert str(refusal.value) == (
            f"{name} is one dit Distribution, not a sequence of joints: pass "
            "[pidkit.joint_from_dit(d, target=2).p] (one entry per distribution), or decompose d "
            "alone with pidkit.pid(d, target=2).")
    with pytest.raises(TypeError) as refusal:   # a list of d: each entry told what takes d
        pidkit.bertschinger_batch([and_gate])
    message = str(refusal.value)
    assert "pidkit.pid(d, target=2)" in message and "pidkit.bertschinger" in message
    assert message.endswith("pidkit.joint_from_dit(d, target=..., sources=...).p.")
    p = pidkit.joint_from_dit(and_gate, target=2).p   # what it advises is taken, with AND's numbers
    assert pidkit.bertschinger_batch([p])[0].red == pytest.approx(AND_RED, abs=1e-7)
    assert pidkit.entropy(p) == pytest.approx(2.0, abs=1e-12)   # Y is a function of T, S: H = H(T, S)
    assert pidkit.pid(pidkit.measures.marginal(p, "yts")).red == pytest.approx(AND_RED, abs=1e-7)


def test_pid_says_target_and_sources_take_names_and_negative_indices(and_gate):
    parameters = inspect.signature(pidkit.pid).parameters
    assert "str" in str(parameters["target"].annotation) and "str" in str(parameters["sources"].annotation)
    assert "negative" in pidkit.pid.__doc__ and "set_rv_names" in pidkit.pid.__doc__
    by_name = pidkit.pid(and_gate, target="Z", sources=["X", "Y"])
    assert by_name.red == pytest.approx(pidkit.pid(and_gate, target=-1, sources=[-3, -2]).red, abs=1e-12)


def test_correct_counts_of_a_dit_joint_says_it_holds_probabilities(and_gate):
    with pytest.raises(ValueError) as refusal:
        correct_counts(pidkit.joint_from_dit(and_gate, target=2).counts)
    message = str(refusal.value)
    assert "every count is 0: no samples were counted" in message
    assert "a dit distribution holds probabilities, not counts" in message


def test_correct_counts_of_any_empty_table_says_no_samples_were_counted():
    with pytest.raises(ValueError, match=r"^counts must be a 3-D array .*; every count is 0: no samples were "
                                         r"counted\."):
        correct_counts(np.zeros((2, 2, 2), dtype=int))


@pytest.mark.parametrize("alias", ["cat", "TBC", "tbc"])
def test_cli_decomposes_an_alias_as_its_example(capsys, alias):
    assert main(["decompose", "--example", alias, "--json"]) == 0
    aliased = json.loads(capsys.readouterr().out)
    assert main(["decompose", "--example", "copy", "--json"]) == 0
    atoms = ("red", "uni_t", "uni_s", "syn", "i_yt", "i_ys", "i_yts")
    copy = json.loads(capsys.readouterr().out)
    assert [aliased[a] for a in atoms] == [copy[a] for a in atoms]
    assert (aliased["uni_t"], aliased["uni_s"]) == pytest.approx((1.0, 1.0), abs=1e-9)


def test_cli_refusal_knows_the_aliases_and_suggests_one(capsys):
    assert main(["decompose", "--example", "caat"]) == 2
    err = capsys.readouterr().err
    assert "and the aliases cat = copy, tbc = copy." in err and err.rstrip().endswith("Did you mean 'cat'?")


def test_cli_examples_lists_each_catalogue_row_once_and_no_alias(capsys):
    assert main(["examples"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()[3:] if line.strip()]
    assert sorted(names) == sorted(examples.catalogue())
    assert not set(names) & set(examples.ALIASES)
    assert main(["decompose", "--help"]) == 0
    assert re.search(r"\(or an alias: cat = copy, tbc = copy\)", " ".join(capsys.readouterr().out.split()))
