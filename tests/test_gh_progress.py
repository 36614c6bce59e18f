"""A vertex enumeration that can take seconds or more says so (finding 5 of the t-334 walk:
`pidkit decompose r333.npy --measure gh`, a random 3x3x3 joint, printed nothing for 53 s).

cddlib reports no progress of its own, so pidkit.pid(measure='gh' or 'prec') takes ``progress``
as pidkit's other long calls do (True: a bar of the time at once; False: never; None: where a
person watches, after a second), the bar names McMullen's bound on the vertices, and the
``pidkit`` command prints a one-line notice with the polytope's size before such an enumeration
starts, on stderr, where the library stays silent. The patched thresholds make a small joint's
enumeration count as long, so that the tests take milliseconds."""

from __future__ import annotations

import importlib.util
import logging
import re

import numpy as np
import pytest

import pidkit
from pidkit import _cdd, _polytope, _progress, examples
from pidkit.cli import main
from pidkit.redundancy import pid_from_measure

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("cdd") is None, reason="pycddlib (the exact extra) is not installed"
)

NOTICE = re.compile(r"measure '(gh|prec)': enumerating the vertices of a polytope of (\d+) facets in "
                    r"dimension (\d+), up to ([\d,]+) of them \(McMullen's bound\); this can take seconds "
                    r"to a minute \(Ctrl-C stops it\)")


def _joint(shape: tuple[int, ...], seed: int) -> np.ndarray:
    p = np.random.default_rng(seed).random(shape)
    return p / p.sum()


@pytest.fixture
def long_enumerations(monkeypatch):
    """Every enumeration runs in a child process and counts as long; the bar polls every 1 ms."""
    monkeypatch.setattr(_cdd, "CHILD_PROCESS_FACETS", 0)
    monkeypatch.setattr(_cdd, "PROGRESS_FACETS", 0)
    monkeypatch.setattr(_cdd, "POLL_SECONDS", 0.001)


@pytest.mark.parametrize("measure", ["gh", "prec"])
def test_progress_true_draws_the_bar_at_once_naming_the_bound(long_enumerations, monkeypatch, capsys,
                                                              measure):
    monkeypatch.setattr(_progress, "watched", lambda: False)  # True draws it wherever stderr goes
    p = _joint((2, 3, 3), 1)
    shown = pidkit.pid(p, measure=measure, progress=True).red
    assert shown == pidkit.pid(p, measure=measure, progress=False).red
    drawn = capsys.readouterr().err
    bar = rf"measure '{measure}': vertex enumeration \(up to [\d,]+ vertices\): 00:0"
    assert re.search(bar, drawn), drawn


def test_progress_false_draws_nothing_where_a_person_watches(long_enumerations, monkeypatch, capsys):
    monkeypatch.setattr(_progress, "watched", lambda: True)
    pidkit.pid(_joint((2, 3, 3), 1), measure="gh", progress=False)
    assert capsys.readouterr().err == ""


def test_progress_none_draws_the_bar_where_watched_once_its_delay_has_passed(long_enumerations, monkeypatch,
                                                                            capsys):
    monkeypatch.setattr(_progress, "watched", lambda: True)
    monkeypatch.setattr(_polytope, "AUTO_DELAY_S", 60.0)  # a quick enumeration stays silent
    pidkit.pid(_joint((2, 3, 3), 1), measure="gh", progress=None)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(_polytope, "AUTO_DELAY_S", 0.0)
    pidkit.pid(_joint((2, 3, 3), 1), measure="gh")  # None is the default
    assert "measure 'gh': vertex enumeration (up to" in capsys.readouterr().err
    monkeypatch.setattr(_progress, "watched", lambda: False)
    pidkit.pid(_joint((2, 3, 3), 1), measure="gh")
    assert capsys.readouterr().err == ""


def test_progress_is_checked_and_refused_for_the_other_measures():
    with pytest.raises(TypeError, match=r"^progress must be True, False or None; got 'yes' \(str\)\.$"):
        pidkit.pid(examples.and_(), measure="gh", progress="yes")
    with pytest.raises(TypeError) as raised:
        pidkit.pid(examples.and_(), measure="mmi", progress=True)
    assert str(raised.value) == (
        "progress applies to measure='gh' and measure='prec' only (their vertex enumeration); "
        "measure='mmi' shows none. Drop progress.")
    with pytest.raises(TypeError, match=r"^progress applies to measure='gh' and measure='prec' only"):
        pid_from_measure(examples.and_(), measure="wedge", progress=False)


@pytest.mark.parametrize(("measure", "shape"), [("gh", (2, 3, 3)), ("prec", (3, 4, 4))])
def test_the_command_says_before_a_long_enumeration_how_large_it_can_be(long_enumerations, tmp_path,
                                                                        monkeypatch, capsys, measure, shape):
    p = _joint(shape, 2)
    np.save(tmp_path / "joint.npy", p)
    monkeypatch.chdir(tmp_path)
    assert main(["decompose", "joint.npy", "--measure", measure]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pidkit decompose: "), lines
    found = NOTICE.fullmatch(lines[0].removeprefix("pidkit decompose: "))
    assert found is not None and found[1] == measure, lines
    facets, dim, bound = int(found[2]), int(found[3]), int(found[4].replace(",", ""))
    assert bound == _polytope.vertex_bound(facets, dim)
    vertices = pidkit.pid(p, measure=measure).diagnostics.get("n_vertices")
    assert vertices is None or 1 <= vertices <= bound  # McMullen's bound holds
    assert capsys.readouterr().err == ""  # the library call is silent where nobody watches
    assert logging.getLogger("pidkit").level == logging.NOTSET  # the command put its level back


def test_a_short_enumeration_gets_no_notice(capsys):
    assert main(["decompose", "--example", "AND", "--measure", "gh"]) == 0  # 4 facets
    assert capsys.readouterr().err == ""
