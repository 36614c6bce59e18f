"""``PIDResult.to_dict(include_q=...)`` governs every measure's optimal joint alike: BROJA's ``q``
and GH's p(q, y, t, s), ``diagnostics["q_joint"]``. ``to_dict()`` put GH's ``q_joint`` in its
diagnostics whatever ``include_q`` (most of a GH record, hundreds of lines of JSON for a 2x3x3
joint), while ``pidkit decompose --json`` left it out unless ``--include-q``."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import pidkit
from pidkit import examples

AND_GH_RED = 2.5 - 1.5 * math.log2(3)
"""I_GH of AND in bits, 5/2 - (3/2) log2 3 (pidkit.redundancy.measure_functions' doctest)."""


def _gh(joint: np.ndarray) -> pidkit.PIDResult:
    pytest.importorskip("cdd")  # pidkit[exact]
    return pidkit.pid(joint, measure="gh")


def _sparse_joint() -> np.ndarray:
    """A 2x3x3 joint with some zero cells, whose GH optimum mixes six vertices."""
    p = np.random.default_rng(0).random((2, 3, 3))
    p[p < 0.3] = 0
    return p / p.sum()


def _strict_json(record: dict) -> dict:
    return json.loads(json.dumps(record, allow_nan=False))


def _mutual_information_q_y_bits(q_joint: np.ndarray) -> float:
    """I(Q;Y) in bits of p(q, y, t, s): GH's redundancy at its optimum."""
    p_qy = q_joint.sum(axis=(2, 3))
    p_q, p_y = p_qy.sum(axis=1, keepdims=True), p_qy.sum(axis=0, keepdims=True)
    cells = p_qy > 0
    return float((p_qy[cells] * np.log2(p_qy[cells] / (p_q @ p_y)[cells])).sum())


def test_to_dict_leaves_gh_q_joint_out_without_include_q():
    result = _gh(examples.and_())
    record = _strict_json(result.to_dict())
    assert record["diagnostics"] == {"n_vertices": 2, "q_size": 2}  # AND: 2 vertices (docs/theory.md)
    assert "q" not in record
    assert record["red"] == pytest.approx(AND_GH_RED, abs=1e-12)
    # the result keeps its joint: to_dict() copies, it does not pop
    assert result.diagnostics["q_joint"].sum(axis=0) == pytest.approx(examples.and_(), abs=1e-15)


def test_include_q_adds_gh_q_joint_in_its_place_and_it_is_the_optimal_joint():
    result = _gh(examples.and_())
    record = _strict_json(result.to_dict(include_q=True))
    assert list(record["diagnostics"]) == ["n_vertices", "q_size", "q_joint"]
    assert record["q"] is None  # GH has no q[y, t, s]: its joint is p(q, y, t, s)
    q_joint = np.array(record["diagnostics"]["q_joint"])
    assert q_joint.shape == (2, 2, 2, 2)
    assert q_joint.sum(axis=0) == pytest.approx(examples.and_(), abs=1e-12)
    assert _mutual_information_q_y_bits(q_joint) == pytest.approx(AND_GH_RED, abs=1e-9)


def test_q_joint_keeps_its_place_among_the_diagnostics():
    result = _gh(examples.xor())  # settled by I_wedge = I_MMI: n_components, q_joint, q_size
    assert list(result.diagnostics) == ["n_components", "q_joint", "q_size"]
    assert list(result.to_dict()["diagnostics"]) == ["n_components", "q_size"]
    record = result.to_dict(include_q=True)
    assert list(record["diagnostics"]) == ["n_components", "q_joint", "q_size"]
    assert np.array(record["diagnostics"]["q_joint"]).sum(axis=0) == pytest.approx(examples.xor(), abs=1e-15)


def test_a_larger_gh_record_is_mostly_q_joint_and_only_with_include_q():
    joint = _sparse_joint()
    result = _gh(joint)
    lean, full = result.to_dict(), result.to_dict(include_q=True)
    assert "q_joint" not in lean["diagnostics"]
    q_joint = np.array(full["diagnostics"]["q_joint"])
    assert q_joint.shape == (lean["diagnostics"]["q_size"], 2, 3, 3) == (6, 2, 3, 3)
    assert q_joint.sum(axis=0) == pytest.approx(joint, abs=1e-12)
    assert _mutual_information_q_y_bits(q_joint) == pytest.approx(result.red, abs=1e-9)
    # the indented JSON was 240 lines, 221 of them q_joint's 6 x 2 x 3 x 3 numbers and brackets
    assert len(json.dumps(lean, indent=2).splitlines()) == 22
    assert {key: value for key, value in full.items() if key != "q"} == {
        **lean, "diagnostics": {**lean["diagnostics"], "q_joint": full["diagnostics"]["q_joint"]}}


@pytest.mark.parametrize("measure", ["broja", "wedge", "prec", "mmi", "gh-target-only"])
def test_measures_without_q_joint_keep_every_diagnostic_either_way(measure):
    if measure == "prec":
        pytest.importorskip("cdd")  # pidkit[exact]
    result = pidkit.pid(examples.and_(), measure=measure)
    assert "q_joint" not in result.diagnostics
    for include_q in (False, True):
        assert list(result.to_dict(include_q=include_q)["diagnostics"]) == list(result.diagnostics)


def test_broja_q_is_still_governed_by_include_q():
    result = pidkit.bertschinger(examples.and_())
    assert "q" not in result.to_dict()
    q = np.array(result.to_dict(include_q=True)["q"])  # q has the joint's pairwise marginals
    assert q.sum(axis=2) == pytest.approx(examples.and_().sum(axis=2), abs=1e-6)
    assert q.sum(axis=1) == pytest.approx(examples.and_().sum(axis=1), abs=1e-6)


def test_to_frame_diagnostics_leave_gh_q_joint_out():
    pytest.importorskip("pandas")
    gh, broja = _gh(examples.and_()), pidkit.bertschinger(examples.and_())
    frame = pidkit.to_frame([gh, broja])
    assert frame["diagnostics"][0] == {"n_vertices": 2, "q_size": 2}
    assert list(frame["diagnostics"][1]) == list(broja.diagnostics)
    broja_red = 2 - 0.75 * math.log2(3) - 0.5  # BROJA's Red of AND is I(Y;T) = h(1/4) - 1/2
    assert frame["red"].tolist() == pytest.approx([AND_GH_RED, broja_red], abs=1e-6)
