"""Every coordinate of :func:`pidkit._polytope.vertices`' points is the correctly rounded float of
the exact vertex, also where its exact value is a ratio of integers of hundreds of bits (task 343
computes the pivot coordinates as one matrix product of Python ints)."""

from __future__ import annotations

import importlib.util
from fractions import Fraction

import numpy as np
import pytest

from pidkit import _polytope

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("cdd") is None, reason="pycddlib (the exact extra) is not installed"
)


def _exact_vertex(equalities, rhs, free, free_values, n):
    """The vertex whose free coordinates are ``free_values``, the others solved for in Fractions."""
    fixed = dict(zip(free, free_values, strict=True))
    unknown = [j for j in range(n) if j not in fixed]
    rows = []
    for row, b in zip(equalities, rhs, strict=True):
        rest = Fraction(b) - sum(Fraction(row[j]) * v for j, v in fixed.items())
        rows.append([Fraction(row[j]) for j in unknown] + [rest])
    reduced, pivots, consistent = _polytope.row_reduce(rows, len(unknown))
    assert consistent and len(pivots) == len(unknown)
    x = dict(fixed)
    x.update({unknown[col]: row[-1] for row, col in zip(reduced, pivots, strict=True)})
    return [x[j] for j in range(n)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_coordinate_is_the_correctly_rounded_exact_value(seed):
    rng = np.random.default_rng(seed)
    n, m = 9, 3
    equalities = [[Fraction(int(v), 2**61 - 1) for v in rng.integers(1, 2**60, size=n)] for _ in range(m)]
    weights = rng.dirichlet(np.ones(n))  # the point these weights give lies in the polytope
    rhs = [sum(a * Fraction(w) for a, w in zip(row, weights, strict=True)) for row in equalities]
    polytope = _polytope.vertices(equalities, rhs, n, measure="prec")
    assert len(polytope.points) > 3
    for point, free_values in zip(polytope.points, polytope.free_exact, strict=True):
        exact = _exact_vertex(equalities, rhs, polytope.free, free_values, n)
        assert min(exact) >= 0
        assert point.tolist() == [float(v) for v in exact]  # float(Fraction) rounds correctly
