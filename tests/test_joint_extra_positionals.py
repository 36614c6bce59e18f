"""Every public function that takes one joint positionally tells positional arguments after it what
they most likely were, as :func:`pidkit.pid` does (f0d8f62): ``pidkit.bertschinger(y, t, s)`` raised
Python's bare "bertschinger() takes 1 positional argument but 3 were given", with no word of
:func:`pidkit.joint_from_samples`, and ``pidkit.i_mmi(p, "nats")`` no word of ``units=``.
"""

from __future__ import annotations

import inspect
import math
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import pidkit
import pidkit.measures

# how users call each function, and its value on a joint (the fixed call must compute it)
JOINT_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "pidkit.pid": lambda p, **kw: pidkit.pid(p, **kw).red,
    "pidkit.bertschinger": lambda p, **kw: pidkit.bertschinger(p, **kw).red,
    "pidkit.redundancy": pidkit.redundancy,
    "pidkit.i_mmi": pidkit.i_mmi,
    "pidkit.i_wedge": pidkit.i_wedge,
    "pidkit.i_target_common": pidkit.i_target_common,
    "pidkit.i_function_of_source": pidkit.i_function_of_source,
    "pidkit.i_gh": pidkit.i_gh,
    "pidkit.i_prec": pidkit.i_prec,
    "pidkit.co_information": pidkit.co_information,
    "pidkit.measures.informations": lambda p, **kw: pidkit.measures.informations(p, **kw).i_yts,
}


def _function(called_as: str) -> Callable[..., Any]:
    module, _, name = called_as.rpartition(".")
    return getattr(pidkit.measures if module == "pidkit.measures" else pidkit, name)


def _samples() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    t, s = rng.integers(0, 2, 300), rng.integers(0, 2, 300)
    return t & s, t, s  # y = AND of t and s


def test_the_table_holds_every_public_function_of_one_positional_joint():
    """A public function taking the joint positionally and only options after it is in the table,
    so that a new one cannot be missed."""
    found = set()
    for module in (pidkit, pidkit.measures):
        for name in module.__all__:
            obj = getattr(module, name)
            if not inspect.isfunction(obj) or obj in map(_function, found):
                continue
            (first, *others) = inspect.signature(obj).parameters.values()
            options = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD)
            if first.name in ("p", "p_yts") and all(other.kind in options for other in others):
                found.add(f"{module.__name__}.{name}")
    assert found == set(JOINT_FUNCTIONS)


@pytest.mark.parametrize("called_as", JOINT_FUNCTIONS)
def test_samples_passed_as_the_joint_are_pointed_to_joint_from_samples(called_as):
    y, t, s = _samples()
    name = called_as.rpartition(".")[2]
    example = "measure='mmi', units='nats'" if name in ("pid", "redundancy") else "units='nats'"
    with pytest.raises(TypeError) as refused:
        _function(called_as)(y, t, s)
    assert str(refused.value) == (
        f"{name} takes one positional argument, the joint p[y, t, s]; got 3. For aligned samples of "
        f"labels y, t, s, count their joint first: {called_as}(pidkit.joint_from_samples(y, t, s).p). "
        f"Options go by keyword ({example}). That joint is the plug-in estimate, which overestimates "
        "information where the samples are few for its cells; "
        "pidkit.estimate.pid_from_representations(y, t, s) gives bias-corrected atoms."
    )
    # the call it gives computes the function of the joint counted independently
    counted = np.bincount(4 * y + 2 * t + s, minlength=8).reshape(2, 2, 2) / len(y)
    value = JOINT_FUNCTIONS[called_as]
    assert value(pidkit.joint_from_samples(y, t, s).p) == pytest.approx(value(counted), abs=1e-12)


@pytest.mark.parametrize("called_as", JOINT_FUNCTIONS)
def test_units_passed_positionally_are_told_their_keyword(called_as):
    name = called_as.rpartition(".")[2]
    with pytest.raises(TypeError) as refused:
        _function(called_as)(pidkit.examples.and_(), "nats")
    assert str(refused.value) == (
        f"{name} takes one positional argument, the joint p[y, t, s]; got 2. Pass the units by "
        f"keyword: {called_as}(p, units='nats')."
    )
    value = JOINT_FUNCTIONS[called_as]
    in_bits = value(pidkit.examples.and_())
    assert value(pidkit.examples.and_(), units="nats") == pytest.approx(in_bits * math.log(2), abs=1e-9)


@pytest.mark.parametrize(("called_as", "given", "advice"), [
    ("pidkit.redundancy", "mmi", "Pass the measure by keyword: pidkit.redundancy(p, measure='mmi')."),
    ("pidkit.i_function_of_source", "s",
     "Pass the source by keyword: pidkit.i_function_of_source(p, source='s')."),
    ("pidkit.i_function_of_source", "x",
     "Options go by keyword; its options are source, target, sources, units, normalize."),
    ("pidkit.bertschinger", "cvxpy",
     "Options go by keyword; its options are target, sources, units, method, solver, tol, normalize, "
     "strict."),
])
def test_another_string_is_told_its_keyword_or_the_options(called_as, given, advice):
    name = called_as.rpartition(".")[2]
    with pytest.raises(TypeError) as refused:
        _function(called_as)(pidkit.examples.and_(), given)
    opening = f"{name} takes one positional argument, the joint p[y, t, s]; got 2."
    assert str(refused.value) == f"{opening} {advice}"


def test_the_advised_keyword_calls_compute_their_closed_forms():
    and_ = pidkit.examples.and_()
    i_yt = 1.5 - 0.75 * math.log2(3)  # I(Y;T) of AND: H(Y) - H(Y|T) = 0.311278 bits
    assert pidkit.redundancy(and_, measure="mmi") == pytest.approx(i_yt, abs=1e-9)
    rdn = pidkit.examples.rdn()  # Y = T = S, one bit
    assert pidkit.i_function_of_source(rdn, source="s") == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("called_as", JOINT_FUNCTIONS)
def test_the_signature_and_name_are_the_functions(called_as):
    function = _function(called_as)
    parameters = list(inspect.signature(function).parameters.values())
    assert parameters[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(parameter.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD for parameter in parameters[1:])
    assert function.__name__ == called_as.rpartition(".")[2] and function.__doc__


def test_bertschinger_still_pickles_by_its_public_path():
    """pidkit.bertschinger wraps pidkit.broja's solver; pickle must find the wrapper, not refuse it
    as a different object from the solver's."""
    assert pickle.loads(pickle.dumps(pidkit.bertschinger)) is pidkit.bertschinger
    assert pidkit.bertschinger(pidkit.examples.xor()).syn == pytest.approx(1.0, abs=1e-9)
