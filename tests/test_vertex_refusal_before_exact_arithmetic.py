"""A joint too large for I_GH or I_prec is refused from its support pattern, before any exact
arithmetic, and the refusal can be written at any size (t-412 findings H1, M2 and L11).

Refusing a random 40x40x40 joint with measure='gh' took 10.5 s of CPU (50x50x50: 33 s) building the
exact joint and its polytope's rows, then crashed writing the refusal: McMullen's bound has 4,508
digits, and Python 3.11+ refuses ``str()`` of an int of more than 4,300 (``pidkit decompose`` printed
"Exceeds the limit (4300 digits) for integer string conversion"). The size now comes from the
support where no two symbols of a source can merge, and is the one the exact route finds: nothing
it lets through is refused, nothing it refuses is let through. The enumeration's notice and the
refusal's advice say how long an enumeration can take in one wording that grows with the bound."""

from __future__ import annotations

import importlib.util
import logging
import math

import numpy as np
import pytest

import pidkit
from pidkit import _cdd, _polytope
from pidkit.cli import main
from pidkit.redundancy import gh, prec
from pidkit.redundancy.vertex_limit import TooManyVertices, rows_may_be_proportional

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("cdd") is None, reason="pycddlib (the exact extra) is not installed"
)


def _random(shape: tuple[int, ...], seed: int = 0, zeros: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(math.prod(shape), 0.3)).reshape(shape)
    p[rng.random(shape) < zeros] = 0.0
    return p / p.sum()


def _blocks(*parts: np.ndarray) -> np.ndarray:
    """The joint whose sources split into one block per part, each of equal mass."""
    joint = np.zeros((parts[0].shape[0], sum(p.shape[1] for p in parts), sum(p.shape[2] for p in parts)))
    t = s = 0
    for part in parts:
        joint[:, t:t + part.shape[1], s:s + part.shape[2]] = part / len(parts)
        t, s = t + part.shape[1], s + part.shape[2]
    return joint


def _no_exact_arithmetic(*args, **kwargs):
    raise AssertionError("the exact joint was built")


def _no_enumeration(*args, **kwargs):
    raise AssertionError("the vertex enumeration started")


@pytest.fixture
def refused_at_once(monkeypatch):
    """Building the exact joint, or enumerating, fails the test."""
    monkeypatch.setattr(gh, "exact_joint", _no_exact_arithmetic)
    monkeypatch.setattr(prec, "exact_joint", _no_exact_arithmetic)
    monkeypatch.setattr(_cdd, "generators", _no_enumeration)


@pytest.mark.parametrize(("measure", "size"), [
    # 64,000 cells; 3,200 pairs (t, y) and (s, y), 80 symbols: dimension 64,000 - 3,201 + 80
    ("gh", "64000 facets in dimension 60879, so up to about 10^4507 vertices"),
    ("prec", "80 facets in dimension 39, so up to about 10^15 vertices"),  # 40 + 40 symbols, 1 + 40 rows
])
def test_a_40x40x40_joint_is_refused_at_once_naming_its_size_and_the_measures_that_work(refused_at_once,
                                                                                       measure, size):
    with pytest.raises(TooManyVertices) as error:
        pidkit.pid(_random((40, 40, 40)), measure=measure)
    said = str(error.value)
    assert said.startswith(f"measure={measure!r} on this 40x40x40 joint: the polytope of ")
    assert size in said
    assert "Use measure='broja' (" in said  # for gh: prec's polytope is past its own limit too
    assert measure == "prec" or "measure='prec'" not in said
    assert said.endswith("or pass max_vertices=None to enumerate anyway (this can take hours or more, and "
                         "gigabytes of memory; Ctrl-C stops it).")
    assert error.value.bound == _polytope.vertex_bound(error.value.facets, error.value.dim)
    assert math.floor(math.log10(error.value.bound)) == int(size.split("10^")[1].split()[0])


def test_the_command_refuses_a_40x40x40_joint_in_one_line_naming_its_options(refused_at_once, tmp_path,
                                                                            capsys):
    path = tmp_path / "p40.npy"
    np.save(path, _random((40, 40, 40)))
    assert main(["decompose", str(path), "--measure", "gh"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"pidkit decompose: error: {path}: --measure gh on this 40x40x40 joint: the "
                          "polytope of I_GH has 64000 facets in dimension 60879, so up to about 10^4507 "
                          "vertices")
    assert (" Use --measure broja (see docs/which-measure.md; prec, whose polytope grows with the "
            "sources' symbols, is past its own limit here too) or wedge (a lower bound), merge") in err
    assert "--max-vertices none to enumerate anyway" in err and "set_int_max_str_digits" not in err


def _exact_route(monkeypatch) -> None:
    """Every pair of symbols may merge: the size comes from the exact merged joint, as before."""
    monkeypatch.setattr(gh, "rows_may_be_proportional", lambda rows: True)
    monkeypatch.setattr(prec, "rows_may_be_proportional", lambda rows: True)


class _Started(Exception):
    pass


def _decision(p: np.ndarray, measure: str, max_vertices: int) -> tuple[int, int, int, int] | str:
    """The refusal's facets, dimension, bound and blocks, or "enumerated"."""
    try:
        pidkit.pid(p, measure=measure, max_vertices=max_vertices)
    except TooManyVertices as error:
        return error.facets, error.dim, error.bound, error.n_blocks
    except _Started:
        return "enumerated"
    raise AssertionError("neither refused nor enumerated")


def _started(*args, **kwargs):
    raise _Started


JOINTS = {
    "random 4x4x4": _random((4, 4, 4), 1),
    "random 3x3x3": _random((3, 3, 3), 2),
    "half-zero 4x4x4": _random((4, 4, 4), 3, zeros=0.5),
    "half-zero 3x6x5": _random((3, 6, 5), 4, zeros=0.5),
    "three blocks": _blocks(*(_random((2, 3, 3), seed) for seed in (5, 6, 7))),
    "2x2x10": _random((2, 2, 10), 8),
    "4x16x16": _random((4, 16, 16), 9),
    "5x16x16": _random((5, 16, 16), 10),
}


@pytest.mark.parametrize("name", list(JOINTS))
@pytest.mark.parametrize("measure", ["gh", "prec"])
@pytest.mark.parametrize("max_vertices", [1_000, 20_000, 300_000, 10**12])
def test_the_support_decides_as_the_exact_merged_joint_does(monkeypatch, name, measure, max_vertices):
    monkeypatch.setattr(_cdd, "generators", _started)
    early = _decision(JOINTS[name], measure, max_vertices)
    _exact_route(monkeypatch)
    assert early == _decision(JOINTS[name], measure, max_vertices)


def _with_a_copy(p: np.ndarray, axis: int, scale: float) -> np.ndarray:
    """p with one more symbol of source ``axis`` whose slice is ``scale`` times symbol 0's: I_GH and
    I_prec merge the two, so the polytope is p's."""
    copy = np.expand_dims(np.take(p, 0, axis=axis) * scale, axis)
    joint = np.concatenate([p, copy], axis=axis)
    return joint / joint.sum()


@pytest.mark.parametrize(("measure", "p", "alone", "merged"), [
    # 3x4x3 unmerged: 36 cells in dimension 21, bound 21,474,180 > 300,000; merged it is 3x3x3's 104,652
    ("gh", _with_a_copy(_random((3, 3, 3), 11), 1, 0.5), (36, 21), (27, 14)),
    # 17 + 16 coordinates in dimension 28, bound 20,196 > 20,000; merged 16 + 16 in 27, bound 17,136
    ("prec", _with_a_copy(_random((4, 16, 16), 12), 1, 0.25), (33, 28), (32, 27)),
])
def test_a_joint_whose_symbols_merge_below_the_limit_is_let_through(monkeypatch, measure, p, alone, merged):
    monkeypatch.setattr(_cdd, "generators", _started)
    limit = {"gh": 300_000, "prec": 20_000}[measure]
    assert _polytope.vertex_bound(*alone) > limit >= _polytope.vertex_bound(*merged)
    with pytest.raises(_Started):
        pidkit.pid(p, measure=measure)
    with pytest.raises(TooManyVertices) as error:  # the merged polytope's size, not the support's
        pidkit.pid(p, measure=measure, max_vertices=1)
    assert (error.value.facets, error.value.dim) == merged


def test_proportional_rows_are_found_and_others_are_not():
    rng = np.random.default_rng(13)
    rows = rng.random((500, 40))
    assert not rows_may_be_proportional(rows)
    rows[321] = rows[17] * (1 / 3)  # not exact in floats: within an ulp or two of a third
    assert rows_may_be_proportional(rows)
    rows[321, 5] *= 1 + 1e-6  # no longer proportional
    assert not rows_may_be_proportional(rows)
    rows[321] = rows[17]
    rows[321, 0] = 0.0  # another support
    assert not rows_may_be_proportional(rows)
    assert not rows_may_be_proportional(np.zeros((3, 4)))  # rows of no mass are no symbols


def test_a_long_enumeration_notice_says_what_its_bound_can_cost(monkeypatch, caplog):
    monkeypatch.setattr(_cdd, "generators", _started)
    with caplog.at_level(logging.INFO, logger="pidkit._polytope"), pytest.raises(_Started):
        pidkit.pid(_random((4, 4, 4), 1), measure="gh", max_vertices=None)
    assert [r.getMessage() for r in caplog.records] == [
        "measure 'gh': enumerating the vertices of a polytope of 64 facets in dimension 39, up to about "
        "10^12 of them (McMullen's bound); this can take hours or more, and gigabytes of memory (Ctrl-C "
        "stops it)"]
