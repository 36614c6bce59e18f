"""i_gh, i_prec and redundancy(measure='gh' or 'prec') take ``progress`` as pidkit.pid does (task
348): a notebook user calling them on a 10x10x10 joint waited seconds to minutes with nothing shown
and could not ask for the bar. The option has pid's default (None) and meaning, and reaches the one
bar of a vertex enumeration (pidkit._polytope.vertices) unchanged. The patched thresholds make the
AND joint's enumeration count as long, so that the tests take milliseconds."""

from __future__ import annotations

import importlib.util
import inspect
import math

import pytest

import pidkit
from pidkit import _cdd, _polytope, _progress, examples
from pidkit.redundancy import pid_from_measure

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("cdd") is None, reason="pycddlib (the exact extra) is not installed"
)

AND = examples.and_()
AND_BITS = {"gh": 2.5 - 1.5 * math.log2(3), "prec": 1.5 - 0.75 * math.log2(3)}  # I_prec = I(Y;T) here
CALLS = {
    "i_gh": (pidkit.i_gh, {}, "gh"),
    "i_prec": (pidkit.i_prec, {}, "prec"),
    "redundancy gh": (pidkit.redundancy, {"measure": "gh"}, "gh"),
    "redundancy prec": (pidkit.redundancy, {"measure": "prec"}, "prec"),
}


@pytest.fixture
def long_enumerations(monkeypatch):
    """Every enumeration runs in a child process and counts as long; the bar polls every 1 ms."""
    monkeypatch.setattr(_cdd, "CHILD_PROCESS_FACETS", 0)
    monkeypatch.setattr(_cdd, "PROGRESS_FACETS", 0)
    monkeypatch.setattr(_cdd, "POLL_SECONDS", 0.001)


def _bar(measure: str) -> str:
    return f"measure '{measure}': vertex enumeration (up to"


@pytest.mark.parametrize("call", list(CALLS))
def test_progress_true_draws_the_bar_and_the_number_is_the_same(long_enumerations, monkeypatch, capsys, call):
    function, options, measure = CALLS[call]
    monkeypatch.setattr(_progress, "watched", lambda: False)  # True draws it wherever stderr goes
    shown = function(AND, progress=True, **options)
    assert _bar(measure) in capsys.readouterr().err
    quiet = function(AND, progress=False, **options)
    assert capsys.readouterr().err == ""
    assert shown == quiet == pidkit.pid(AND, measure=measure, progress=False).red
    assert shown == pytest.approx(AND_BITS[measure], abs=1e-12)


@pytest.mark.parametrize("call", list(CALLS))
def test_progress_false_draws_nothing_where_a_person_watches(long_enumerations, monkeypatch, capsys, call):
    function, options, _ = CALLS[call]
    monkeypatch.setattr(_progress, "watched", lambda: True)
    monkeypatch.setattr(_polytope, "AUTO_DELAY_S", 0.0)
    function(AND, progress=False, **options)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("call", list(CALLS))
def test_the_default_is_pids_none_a_bar_only_where_a_person_watches(long_enumerations, monkeypatch, capsys,
                                                                    call):
    function, options, measure = CALLS[call]
    assert inspect.signature(function).parameters["progress"].default is None
    assert inspect.signature(pid_from_measure).parameters["progress"].default is None
    monkeypatch.setattr(_polytope, "AUTO_DELAY_S", 0.0)  # pid's second before the bar, made none
    monkeypatch.setattr(_progress, "watched", lambda: True)
    function(AND, **options)
    assert _bar(measure) in capsys.readouterr().err
    monkeypatch.setattr(_progress, "watched", lambda: False)
    function(AND, **options)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("progress", [True, False, None])
def test_progress_reaches_the_one_enumeration_unchanged(monkeypatch, call, progress):
    function, options, measure = CALLS[call]
    seen = []
    vertices = _polytope.vertices
    monkeypatch.setattr(_polytope, "vertices",
                        lambda *args, **kwargs: seen.append(kwargs["progress"]) or vertices(*args, **kwargs))
    assert function(AND, progress=progress, **options) == pytest.approx(AND_BITS[measure], abs=1e-12)
    assert seen == [progress]


def test_a_bad_progress_is_refused_before_any_work_as_pid_refuses_it():
    message = r"^progress must be True, False or None; got 'yes' \(str\)\.$"
    for function, options, _ in CALLS.values():
        with pytest.raises(TypeError, match=message):
            function(AND, progress="yes", **options)
    # a joint answered without an enumeration (I_wedge = I_MMI: no polytope) refuses it too
    with pytest.raises(TypeError, match=message):
        pidkit.i_gh(examples.rdn(), progress="yes")


@pytest.mark.parametrize("measure", ["mmi", "wedge", "broja", "gh-function-of-t"])
def test_redundancy_refuses_progress_for_a_measure_without_a_bar(measure):
    with pytest.raises(TypeError) as raised:
        pidkit.redundancy(AND, measure=measure, progress=True)
    assert str(raised.value) == (
        f"progress applies to measure='gh' and measure='prec' only (their vertex enumeration); "
        f"measure={measure!r} shows none. Drop progress.")
    assert pidkit.redundancy(AND, measure=measure, progress=None) == pidkit.redundancy(AND, measure=measure)
