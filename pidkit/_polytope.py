"""Exact vertex enumeration behind the Griffith–Ho and Blackwell redundancies.

Both measures reduce to the same computation (see ``docs/theory.md``): enumerate, in exact rational
arithmetic, the vertices ``v`` of a polytope ``{x >= 0 : A x = b}``, then mix them by a linear
program (:mod:`pidkit._mixture`). Vertex enumeration is cddlib's double description method in GMP
rational arithmetic (the optional ``exact`` extra, ``pip install pidkit[exact]``); floating-point
enumeration is not used because it misses vertices on these degenerate polytopes.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np

from . import _cdd
from ._progress import AUTO_DELAY_S, bar_class, check_progress, show_progress

_LOG = logging.getLogger(__name__)
"""Where a long enumeration's notice goes (:func:`vertices`): silent unless the caller shows
pidkit's INFO records, as the ``pidkit`` command does on stderr."""

_INSTALL_HINT = (
    "needs pycddlib for exact rational vertex enumeration; install it with "
    "`pip install pidkit[exact]` (or `pip install pycddlib`; building it needs the system "
    "packages libcdd-dev and libgmp-dev)."
)


def require_cdd(measure: str) -> Any:
    """Return the ``cdd.gmp`` module, or raise ``ImportError`` saying how to install it."""
    try:
        import cdd.gmp
    except ImportError as exc:
        raise ImportError(f"measure {measure!r} {_INSTALL_HINT}") from exc
    return cdd.gmp


SNAP_DENOMINATOR = 10**6
"""Floats within a few ulps of a fraction with at most this denominator are read as that fraction."""


def _snapped(value: float) -> Fraction | None:
    guess = Fraction(value).limit_denominator(SNAP_DENOMINATOR)
    return guess if abs(float(guess) - value) <= 4 * math.ulp(value) else None


def exact_masses(values: np.ndarray) -> list[int]:
    """The float masses as integers with one common denominator.

    Masses computed in floating point from simple fractions (``0.5 * 0.9 * 0.9``, counts / n) are
    read as those fractions when every mass is within 4 ulps of one with denominator at most
    :data:`SNAP_DENOMINATOR`; this restores exact ties such as equal conditionals p(y|t), which
    round-off would otherwise turn into a different, nearly degenerate polytope. Otherwise each float
    is taken as the dyadic rational it is, exactly.
    """
    floats = [float(v) for v in values]
    snapped = [_snapped(v) for v in floats]
    if all(f is not None for f in snapped):
        fracs = [f for f in snapped if f is not None]
    else:
        fracs = [Fraction(v) for v in floats]
    denominator = 1
    for f in fracs:
        denominator = denominator * f.denominator // math.gcd(denominator, f.denominator)
    return [int(f * denominator) for f in fracs]


def vertex_bound(facets: int, dim: int) -> int:
    """McMullen's upper bound on the vertices of a ``dim``-dimensional polytope with ``facets`` facets.

    ``C(m - ceil(d/2), m - d) + C(m - floor(d/2) - 1, m - d)``, attained by the duals of cyclic
    polytopes. The double description method's time and memory grow with the vertices it finds
    and the intermediate ones, so the bound, which only needs the sizes, predicts its cost before
    it starts.

    Examples
    --------
    >>> vertex_bound(6, 3), vertex_bound(5, 2), vertex_bound(27, 14)  # cube, pentagon, a 3x3x3 I_GH
    (8, 5, 104652)
    """
    if dim == 0:
        return 1
    return math.comb(facets - (dim + 1) // 2, facets - dim) + math.comb(facets - dim // 2 - 1, facets - dim)


def count_text(count: int) -> str:
    """A vertex count for a message: with thousands separators below 10^9, else its order of
    magnitude, found without writing the integer out in decimal (Python 3.11 and later refuse
    ``str()`` of an int of more than 4,300 digits, and McMullen's bound of a 40x40x40 I_GH has 4,508).

    Examples
    --------
    >>> count_text(104_652), count_text(10**12), count_text(10**12 - 1)
    ('104,652', 'about 10^12', 'about 10^11')
    >>> count_text(vertex_bound(64_000, 60_879))  # I_GH of a random 40x40x40 joint
    'about 10^4507'
    """
    if count < 10**9:
        return f"{count:,}"
    exponent = int(math.log10(count))  # a float: one off where count is within rounding of a power of 10
    if 10**exponent > count:
        exponent -= 1
    elif 10 ** (exponent + 1) <= count:
        exponent += 1
    return f"about 10^{exponent}"


def enumeration_time(bound: int, minute_bound: int) -> str:
    """How long an enumeration of up to ``bound`` vertices (McMullen's bound) can take, for a measure
    whose enumeration at a bound of ``minute_bound`` takes about a minute on 2 cores (its default
    ``max_vertices``): the one wording of the long enumeration's notice and of the refusal's advice to
    enumerate anyway. The bound is loose (``docs/which-measure.md``), so this says what it can take.

    Examples
    --------
    >>> enumeration_time(104_652, 300_000), enumeration_time(4_440_150, 300_000)
    ('seconds to a minute', 'minutes to hours')
    >>> enumeration_time(10**40, 300_000)
    'hours or more, and gigabytes of memory'
    """
    if bound <= minute_bound:
        return "seconds to a minute"
    if bound <= 1000 * minute_bound:
        return "minutes to hours"
    return "hours or more, and gigabytes of memory"


def row_reduce(rows: list[list[Fraction]], n: int) -> tuple[list[list[Fraction]], list[int], bool]:
    """Reduced row echelon form of the augmented rows ``[a_1..a_n | b]`` (exact Gauss–Jordan).

    Returns the non-zero reduced rows, the pivot column of each, and whether the system is
    consistent (no reduced row reads ``0 = b`` with ``b != 0``). Columns are pivoted in order, so
    the pivots are the first linearly independent columns.
    """
    rows = [r[:] for r in rows]
    pivots: list[int] = []
    rank = 0
    for col in range(n):
        pick = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pick is None:
            continue
        rows[rank], rows[pick] = rows[pick], rows[rank]
        lead = rows[rank][col]
        rows[rank] = [v / lead for v in rows[rank]]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                factor = rows[i][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        pivots.append(col)
        rank += 1
        if rank == len(rows):
            break
    consistent = all(r[n] == 0 for r in rows[rank:])
    return rows[:rank], pivots, consistent


def _integer_row(row: list[Fraction]) -> list[int]:
    """The same inequality with coprime integer coefficients (cddlib runs faster on them)."""
    denominator = 1
    for v in row:
        denominator = denominator * v.denominator // math.gcd(denominator, v.denominator)
    ints = [int(v * denominator) for v in row]
    divisor = math.gcd(*ints) or 1
    return [v // divisor for v in ints]


class Polytope(NamedTuple):
    """The vertices of ``{x >= 0 : A x = b}``, as floats and, in the free coordinates, exactly.

    Attributes
    ----------
    points : numpy.ndarray of shape (n_vertices, n)
        Every coordinate the correctly rounded float of the exact vertex.
    free : list of int
        The coordinates that parametrise the polytope's affine hull: the others are affine
        functions of these, so two points of the hull agree iff their free coordinates do.
    free_exact : list of list of Fraction
        ``free_exact[v][j]`` is coordinate ``free[j]`` of vertex ``v``, exactly.
    """

    points: np.ndarray
    free: list[int]
    free_exact: list[list[Fraction]]


def vertices(
    equalities: list[list[Any]],
    rhs: list[Any],
    n: int,
    *,
    measure: str,
    eliminate_first: Sequence[int] | np.ndarray | None = None,
    progress: bool | None = None,
    long_bound: int | None = None,
    minute_bound: int | None = None,
) -> Polytope:
    """Vertices of ``{x in R^n : x >= 0, equalities @ x = rhs}`` (a non-empty, bounded polytope).

    The equalities are eliminated first (exact Gauss–Jordan on rationals), so cddlib enumerates a
    full-dimensional polytope in the free coordinates, in exact GMP arithmetic; that is several
    times faster than passing the equalities as a linearity set. The vertices come back as float64,
    every coordinate the correctly rounded value of the exact rational one, together with their
    exact free coordinates.

    ``eliminate_first`` orders the coordinates to solve for; the last ones tend to stay free.
    Leaving a point's small coordinates free keeps what distinguishes the vertices in numbers of
    its own size rather than in tiny differences between large ones (the mixture LP's rows).

    An enumeration of at least :data:`pidkit._cdd.PROGRESS_FACETS` facets (seconds to minutes)
    first logs a notice at INFO level naming McMullen's bound on the vertices
    (:func:`vertex_bound`), and shows its time on a bar: ``progress`` True at once, False never,
    None where a person watches after :data:`~pidkit._progress.AUTO_DELAY_S` seconds (cddlib
    reports no progress of its own). ``long_bound`` makes an enumeration of fewer facets long too
    (notice, bar, and a child process that Ctrl-C stops) where McMullen's bound reaches it: a
    measure whose polytopes are few-faceted but slow to enumerate says so (I_prec). ``minute_bound``,
    the bound the measure enumerates in about a minute, lets the notice say how long it can take
    (:func:`enumeration_time`); None: it does not.
    """
    progress = check_progress(progress)
    cdd = require_cdd(measure)
    perm = list(range(n)) if eliminate_first is None else [int(j) for j in eliminate_first]
    augmented = [
        [Fraction(row[j]) for j in perm] + [Fraction(b)] for row, b in zip(equalities, rhs, strict=True)
    ]
    polytope = _enumerate(cdd, augmented, n, measure, progress, long_bound, minute_bound)
    points = np.empty_like(polytope.points)
    points[:, perm] = polytope.points
    return Polytope(points, [perm[j] for j in polytope.free], polytope.free_exact)


def _enumerate(
    cdd: Any, augmented: list[list[Fraction]], n: int, measure: str, progress: bool | None,
    long_bound: int | None, minute_bound: int | None,
) -> Polytope:
    reduced, pivots, consistent = row_reduce(augmented, n)
    if not consistent:
        raise ValueError("internal error: the polytope's equality system is inconsistent.")
    pivot_set = set(pivots)
    free = [j for j in range(n) if j not in pivot_set]
    if not free:
        point = np.zeros((1, n))
        point[0, pivots] = [float(row[n]) for row in reduced]
        return Polytope(point, [], [[]])
    # x_pivot = b' - sum_f a'_f z_f >= 0 ;  z_f >= 0.   cdd row [b, a] means b + a.z >= 0.
    ineq = [_integer_row([row[n]] + [-row[f] for f in free]) for row in reduced]
    for k in range(len(free)):
        unit = [0] * (len(free) + 1)
        unit[k + 1] = 1
        ineq.append(unit)
    bound = vertex_bound(len(ineq), len(free))
    long = len(ineq) >= _cdd.PROGRESS_FACETS or (long_bound is not None and bound >= long_bound)
    if long:
        time = "" if minute_bound is None else f"; this can take {enumeration_time(bound, minute_bound)}"
        _LOG.info("measure %r: enumerating the vertices of a polytope of %d facets in dimension %d, up to %s "
                  "of them (McMullen's bound)%s (Ctrl-C stops it)", measure, len(ineq), len(free),
                  count_text(bound), time)
    bar = None
    if show_progress(progress, long=long):
        bar = functools.partial(bar_class(), delay=AUTO_DELAY_S if progress is None else 0.0)
    generators = _cdd.generators(cdd, ineq, measure, bar, desc=f"measure {measure!r}: vertex enumeration "
                                 f"(up to {count_text(bound)} vertices)", long=long)
    if any(gen[0] != 1 for gen in generators):
        raise ValueError("internal error: the polytope is unbounded.")
    points = _exact_points(generators, reduced, pivots, free, n)
    return Polytope(points, free, [list(gen[1:]) for gen in generators])


def _exact_points(
    generators: Any, reduced: list[list[Fraction]], pivots: list[int], free: list[int], n: int
) -> np.ndarray:
    """Full coordinates of each vertex, each the correctly rounded float of its exact value.

    x_pivot = b' - sum_f a'_f z_f is evaluated in integers: one common denominator per reduced row
    and per vertex, then a single correctly rounded integer division. The integer products run as
    one matrix product of Python ints (numpy object arrays), which saves the interpreter's loop
    over them (I_GH of a random 3x3x3 joint, 18,481 vertices: 1.27 s -> 0.98 s, the same floats).
    """
    row_dens = [math.lcm(*(row[j].denominator for j in [n, *free])) for row in reduced]
    constants = np.array([int(row[n] * d) for row, d in zip(reduced, row_dens, strict=True)], dtype=object)
    coefficients = np.empty((len(reduced), len(free)), dtype=object)
    for i, (row, d) in enumerate(zip(reduced, row_dens, strict=True)):
        coefficients[i] = [int(row[f] * d) for f in free]
    dens = np.empty((len(generators), 1), dtype=object)
    nums = np.empty((len(generators), len(free)), dtype=object)
    for i, gen in enumerate(generators):
        zs = gen[1:]  # cddlib's GMP mode returns Fractions already
        dens[i, 0] = math.lcm(*[z.denominator for z in zs])
        nums[i] = [z.numerator * (dens[i, 0] // z.denominator) for z in zs]
    points = np.empty((len(generators), n))
    points[:, free] = (nums / dens).astype(float)  # int / int: correctly rounded
    row_dens_array = np.array(row_dens, dtype=object)
    points[:, pivots] = ((constants * dens - nums @ coefficients.T) / (row_dens_array * dens)).astype(float)
    return points
