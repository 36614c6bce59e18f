"""The functions that return Red as a float refuse the options of ``pidkit.pid`` by name, with
the call of ``pid`` that takes them, instead of Python's bare "unexpected keyword argument"."""

import re

import pytest

import pidkit

AND = pidkit.examples.and_()


def test_strict_false_on_redundancy_points_to_pid_with_the_measure_asked_for() -> None:
    with pytest.raises(TypeError) as info:
        pidkit.redundancy(AND, measure="gh", strict=False)
    assert str(info.value) == (
        "redundancy takes no option 'strict'; its options are measure, target, sources, units, normalize, "
        "max_vertices, progress. It returns Red as a float, which cannot carry the status of an "
        "answer that is not certified: for the best effort and its status use pidkit.pid(p, "
        "measure='gh', strict=False), whose result has .red and .status."
    )
    # and the call it points to answers: 5/2 - (3/2) log2 3 bits, the value without the option
    assert pidkit.pid(AND, measure="gh", strict=False).red == pytest.approx(0.122556, abs=1e-6)


def test_a_broja_solver_option_points_to_pid() -> None:
    message = ("redundancy takes no option 'tol'; its options are measure, target, sources, units, "
               "normalize, max_vertices, progress. pidkit.pid(p, measure='broja', tol=...) takes it: "
               "read .red of its result.")
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        pidkit.redundancy(AND, tol=1e-6)


def test_a_misspelt_option_gets_the_close_match() -> None:
    with pytest.raises(TypeError, match=r"takes no option 'unit'; .* Did you mean 'units'\?$"):
        pidkit.redundancy(AND, unit="nats")


@pytest.mark.parametrize(("function", "kwargs", "measure"), [
    (pidkit.i_mmi, {}, "mmi"),
    (pidkit.i_wedge, {}, "wedge"),
    (pidkit.i_target_common, {}, "gh-target-only"),
    (pidkit.i_function_of_source, {"source": "s"}, "gh-function-of-s"),
    (pidkit.i_gh, {}, "gh"),
    (pidkit.i_prec, {}, "prec"),
])
def test_each_measure_function_names_its_measure(function, kwargs, measure) -> None:
    pattern = (rf"^{function.__name__} takes no option 'strict'; .* use "
               rf"pidkit\.pid\(p, measure='{measure}', strict=False\)")
    with pytest.raises(TypeError, match=pattern):
        function(AND, strict=False, **kwargs)


def test_an_option_no_measure_takes_is_refused_without_a_pointer() -> None:
    message = ("i_gh takes no option 'tol'; its options are target, sources, units, normalize, max_vertices, "
               "progress.")
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        pidkit.i_gh(AND, tol=1e-6)


def test_a_bad_source_is_not_named_as_a_measure_the_user_did_not_type() -> None:
    # i_function_of_source(source='x') is no measure: the option is refused alone, and the
    # function then refuses what the user typed (before: "measure must be one of [...]; got
    # 'gh-function-of-x'", a measure nobody asked for)
    message = ("i_function_of_source takes no option 'strict'; its options are source, target, sources, "
               "units, normalize.")
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        pidkit.i_function_of_source(AND, source="x", strict=False)
    with pytest.raises(ValueError, match=r"^source must be 't' or 's'; got 'x'\.$"):
        pidkit.i_function_of_source(AND, source="x")
