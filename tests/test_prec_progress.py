"""I_prec's enumeration of a 10x10x10 joint takes seconds (task 343: 3-5 s on 2 cores, 8-25 s under
load) on a polytope of only 20 facets, below the 27 from which I_GH's counts as long: its exact
coefficients run to hundreds of bits. It now counts as long from McMullen's bound
(:data:`pidkit.redundancy.prec.LONG_BOUND`): the notice, the bar that ``progress`` asks for, and a
child process that Ctrl-C stops. Patching the bound makes a small joint's enumeration long, so
that the tests take milliseconds."""

from __future__ import annotations

import importlib.util
import logging

import numpy as np
import pytest

import pidkit
from pidkit import _cdd, _polytope, _progress
from pidkit.redundancy import prec

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("cdd") is None, reason="pycddlib (the exact extra) is not installed"
)


def _joint(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.ones(int(np.prod(shape)))).reshape(shape)


def test_a_10x10x10_polytope_counts_as_long_by_its_bound_not_its_facets():
    facets, dim = 20, 9  # 10 + 10 distinct conditionals, less 11 equalities of rank 11
    assert facets < _cdd.PROGRESS_FACETS and facets < _cdd.CHILD_PROCESS_FACETS
    assert _polytope.vertex_bound(facets, dim) == 2_730 >= prec.LONG_BOUND
    assert _polytope.vertex_bound(16, 7) == 440 < prec.LONG_BOUND  # 8x8x8: half a second


def test_progress_true_draws_the_bar_of_a_long_few_faceted_enumeration(monkeypatch, capsys):
    monkeypatch.setattr(prec, "LONG_BOUND", 1)
    monkeypatch.setattr(_cdd, "POLL_SECONDS", 0.001)
    monkeypatch.setattr(_progress, "watched", lambda: False)  # True draws it wherever stderr goes
    children = []
    in_a_child = _cdd._in_a_child
    monkeypatch.setattr(_cdd, "_in_a_child", lambda *args: children.append(1) or in_a_child(*args))
    p = _joint((3, 4, 4), 7)  # 8 facets: short by its facets
    shown = pidkit.pid(p, measure="prec", progress=True)
    assert children == [1]  # in a child process, which Ctrl-C stops
    assert "measure 'prec': vertex enumeration (up to" in capsys.readouterr().err
    monkeypatch.setattr(prec, "LONG_BOUND", 10**9)
    quiet = pidkit.pid(p, measure="prec", progress=True)
    assert children == [1] and capsys.readouterr().err == ""  # short: in this process, no bar
    assert shown.red == quiet.red and shown.diagnostics["n_vertices"] == quiet.diagnostics["n_vertices"]


def test_a_long_few_faceted_enumeration_logs_its_notice(monkeypatch, caplog):
    monkeypatch.setattr(prec, "LONG_BOUND", 1)
    with caplog.at_level(logging.INFO, logger="pidkit._polytope"):
        pidkit.pid(_joint((3, 4, 4), 7), measure="prec", progress=False)
    assert [r.getMessage() for r in caplog.records] == [
        "measure 'prec': enumerating the vertices of a polytope of 8 facets in dimension 4, up to 20 of them "
        "(McMullen's bound); this can take seconds to a minute (Ctrl-C stops it)"]
