"""How large a polytope I_GH and I_prec enumerate: ``max_vertices``, checked before any work.

Both measures enumerate the vertices of a polytope exactly (:func:`pidkit._polytope.vertices`),
at a cost that grows with the vertices it finds. McMullen's bound on them
(:func:`pidkit._polytope.vertex_bound`), from the polytope's facets and dimension alone, predicts
that cost before the enumeration starts; past ``max_vertices`` the joint is refused with
:class:`TooManyVertices`, which names the size and the alternatives, instead of running for hours
or out of memory.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _polytope
from .._settings import check_int

MAX_VERTICES = {"gh": 300_000, "prec": 20_000}
"""Each measure's default ``max_vertices`` (``"auto"``): the largest McMullen bound
(:func:`pidkit._polytope.vertex_bound`) on the vertices of the polytope it enumerates, set where
the bound says "about a minute" on 2 cores. The bound is loose for I_GH and close for I_prec, so
the limits differ. Measured on random full-support joints, 2 cores under load:

- I_GH: 3x3x3 (bound 104,652; 18,000-22,000 vertices) 28-50 s and 270 MB, 2x3x5 (184,756) 10-35 s,
  6x2x3 (197,316; 18,000 vertices) 46 s, all let through; 2x4x4 (335,920; 11,176 vertices) 47 s,
  3x2x5 (341,088) 30 s, 4x2x4 (354,200; 18,780 vertices) 211 s, 2x3x6 (1,790,712) 125 s and 4x3x3
  (4,440,150) more than ten minutes, refused. The bound is loose where one source and Y are binary
  (2x2x8: 705,432, 866 vertices, 3 s; 2x2x10: 20,801,200, 5 s, refused) but cheap.
- I_prec (one coordinate per symbol of each source, not per cell): 10x10x10 (bound 2,730; 1,526
  vertices) 3-25 s and 4x16x16 (17,136; 15,552 vertices) 48 s, let through; 5x16x16 (45,696; 39,027
  vertices) 164 s, refused.

``max_vertices=None`` insists."""

VERTEX_MEASURES = tuple(MAX_VERTICES)
"""The measures that enumerate vertices under ``max_vertices``."""

_COSTS = {
    "gh": ("a random 3x3x3 joint (bound 104,652) takes 8-50 s on 2 cores, a 4x3x3 one (bound "
           "4,440,150) more than ten minutes"),
    "prec": ("a random 10x10x10 joint (bound 2,730) takes 3-25 s on 2 cores, a 4x16x16 one (bound "
             "17,136) about a minute"),
}
_ALTERNATIVES: dict[str, tuple[tuple[str, ...], str]] = {
    "gh": (("prec", "wedge", "broja"),
           "Use {} (I_GH <= I_prec; its polytope grows with the sources' symbols, not the cells: 10x10x10 "
           "in 3-25 s), {} (a lower bound) or {} (see docs/which-measure.md)"),
    "prec": (("broja", "mmi", "wedge"),
             "Use {} (I_prec <= I_BROJA), {} (an upper bound) or {} (a lower one; see "
             "docs/which-measure.md)"),
}
"""Each measure's alternatives, in the order the advice names them, and the advice, a ``{}`` for each."""
_GH_ALTERNATIVES_WITHOUT_PREC = (
    ("broja", "wedge"),
    "Use {} (see docs/which-measure.md; prec, whose polytope grows with the sources' symbols, is past "
    "its own limit here too) or {} (a lower bound)")
"""I_GH's alternatives where I_prec's bound is past its default limit too (:func:`_prec_refused`)."""


def _prec_refused(shape: tuple[int, ...]) -> bool:
    """Whether I_prec's McMullen bound for a joint of ``shape`` with no two symbols of a source
    merged (one coordinate per symbol of each source; dimension the coordinates less one less |Y|
    per source after the first, as :mod:`pidkit.redundancy.prec` counts them) is past its default
    limit: a gh refusal then does not advise prec (a 40x40x40 joint: 80 facets in dimension 39).

    Examples
    --------
    >>> _prec_refused((10, 10, 10)), _prec_refused((40, 40, 40))
    (False, True)
    """
    coordinates = sum(shape[1:])
    dim = max(coordinates - 1 - (len(shape) - 2) * shape[0], 0)
    return _polytope.vertex_bound(coordinates, dim) > MAX_VERTICES["prec"]


def python_spelling(max_vertices: int | None) -> str:
    """``max_vertices`` as a Python caller passes it: ``max_vertices=300,000``, ``max_vertices=None``."""
    return "max_vertices=None" if max_vertices is None else f"max_vertices={max_vertices:,}"


def python_measure(measure: str, first: bool) -> str:
    """A measure as a Python caller passes it: ``measure='gh'`` where it is named first, ``'wedge'``
    where it follows another in a list.

    Examples
    --------
    >>> python_measure("prec", True), python_measure("wedge", False)
    ("measure='prec'", "'wedge'")
    """
    return f"measure={measure!r}" if first else repr(measure)


def pidkit_limit(max_vertices: int | None) -> str:
    """``max_vertices`` named as pidkit's limit, for a caller that takes no such option."""
    return f"pidkit's limit of {max_vertices:,}"


class TooManyVertices(ValueError):
    """A joint whose polytope could have more vertices than ``max_vertices``, refused before the
    enumeration. The fields are kept, so that a command line can say the same in its own options'
    spelling (:meth:`explain`), and a caller that takes no ``max_vertices`` its own way out
    (:meth:`without_the_option`). The refusal keeps its type and text through a joblib worker.

    Attributes
    ----------
    remedy : str or None
        The caller's last advice, set by :meth:`without_the_option`; None: merge rare symbols, or
        insist with ``max_vertices=None``.
    alternatives : bool
        Whether the message names the other measures (False for a caller that fixes its measures).
    resample : str or None
        The resample of the caller's sample that was refused, when it was not the sample itself
        (:meth:`on_resample`: ``"bootstrap replicate 3"``); None: the joint the caller passed.

    Examples
    --------
    >>> error = TooManyVertices("gh", (4, 4, 4), 64, 39, 10**12, 300_000, 1)
    >>> str(error).split("; ")[0].endswith("up to about 10^12 vertices to enumerate exactly (McMullen's "
    ...                                    "bound), more than max_vertices=300,000")
    True
    """

    remedy: str | None = None
    alternatives: bool = True
    resample: str | None = None

    def __init__(self, measure: str, shape: tuple[int, ...], facets: int, dim: int, bound: int,
                 max_vertices: int, n_blocks: int) -> None:
        super().__init__(measure, shape, facets, dim, bound, max_vertices, n_blocks)
        self.measure, self.shape, self.max_vertices = measure, shape, max_vertices
        self.facets, self.dim, self.bound, self.n_blocks = facets, dim, bound, n_blocks

    def explain(self, spell: Callable[[int | None], str] | None = None, remedy: str | None = None,
                spell_measure: Callable[[str, bool], str] = python_measure) -> str:
        """The refusal, with ``max_vertices`` written by ``spell`` (a number, or None to insist;
        default: as a Python caller passes it, or as pidkit's limit after :meth:`without_the_option`);
        ``remedy``, if given, replaces the last advice (default: :attr:`remedy`, else merge rare
        symbols, or insist); each measure written by ``spell_measure`` (the measure, and whether it
        is named first, not after another in a list; default :func:`python_measure`).

        Examples
        --------
        >>> error = TooManyVertices("prec", (5, 16, 16), 37, 30, 45_696, 20_000, 1)
        >>> def as_option(measure, first):
        ...     return f"--measure {measure}" if first else measure
        >>> text = error.explain(spell_measure=as_option)
        >>> text.startswith("--measure prec on this 5x16x16 joint"), "Use --measure broja (" in text
        (True, True)
        >>> "), mmi (an upper bound) or wedge (a lower one; " in text
        True
        """
        if spell is None:
            spell = python_spelling if self.remedy is None else pidkit_limit
        # refused only by a limit the caller set below the default, where it can set one
        default = MAX_VERTICES[self.measure]
        under_the_default = remedy is None and self.remedy is None and self.bound <= default
        remedy = remedy or self.remedy or (
            f"merge rare symbols of the sources, or pass {spell(None)} to enumerate anyway (this can take "
            f"{_polytope.enumeration_time(self.bound, default)}; Ctrl-C stops it)")
        shown = _polytope.count_text(self.bound)
        name = {"gh": "I_GH", "prec": "I_prec"}[self.measure]
        where = ("" if self.n_blocks == 1
                 else f" (the largest of the {self.n_blocks} blocks the sources split p into)")
        shape = "x".join(map(str, self.shape))
        joint, resampled = f"this {shape} joint", ""
        if self.resample is not None:
            joint = f"{self.resample} (a {shape} resample of the sample)"
            resampled = (" (a resample can tell apart values of a source whose conditionals are equal in "
                         "the full sample, which pidkit merges, so its polytope can be larger than the full "
                         "sample's; fewer resamples would not help)")
        refusal = (f"{spell_measure(self.measure, True)} on {joint}: the polytope of {name}{where} has "
                   f"{self.facets} facets in dimension {self.dim}, so up to {shown} vertices to enumerate "
                   f"exactly (McMullen's bound), more than {spell(self.max_vertices)}{resampled}")
        if under_the_default:
            return (f"{refusal}, the limit given; the default, {spell(default)} (set at about a minute's "
                    f"enumeration on 2 cores), lets it through: pass {spell(self.bound)} or more, or leave "
                    "the limit out.")
        alternatives, sentence = _ALTERNATIVES[self.measure]
        if self.measure == "gh" and _prec_refused(self.shape):
            alternatives, sentence = _GH_ALTERNATIVES_WITHOUT_PREC
        named = sentence.format(*(spell_measure(other, i == 0) for i, other in enumerate(alternatives)))
        advice = f"{named}, {remedy}" if self.alternatives else remedy
        return f"{refusal}; {_COSTS[self.measure]}. {advice}."

    def without_the_option(self, remedy: str, *, alternatives: bool = True) -> TooManyVertices:
        """The refusal for a caller that takes no ``max_vertices`` (the estimators, which solve many
        joints; the theorem checks): the limit is named as pidkit's, ``remedy`` says what that caller
        can change (after the other measures, unless ``alternatives`` is False: a caller that fixes
        its measures). A copy, still a :class:`TooManyVertices`, so that a caller further out can
        name its own."""
        refused = copy.copy(self)
        refused.remedy, refused.alternatives = remedy, alternatives
        return refused

    def on_resample(self, resample: str) -> None:
        """Mark the refusal as one of ``resample`` (``"bootstrap replicate 3"``), a resample of the
        caller's sample, not the sample itself; one marked already (a subsample of the bias
        correction) is named within it.

        Examples
        --------
        >>> error = TooManyVertices("gh", (3, 4, 4), 46, 29, 530_365_050, 300_000, 1)
        >>> error.on_resample("a bias-correction subsample of 115 samples")
        >>> error.on_resample("bootstrap replicate 3")
        >>> str(error).split(": ")[0]
        "measure='gh' on a bias-correction subsample of 115 samples of bootstrap replicate 3 (a 3x4x4 \
resample of the sample)"
        """
        self.resample = resample if self.resample is None else f"{self.resample} of {resample}"

    def __str__(self) -> str:
        return self.explain()


def check_max_vertices(max_vertices: Any, measure: str) -> int | None:
    """``max_vertices`` as an int >= 1, or None (no limit); ``"auto"`` is the measure's default
    (:data:`MAX_VERTICES`); otherwise the error says what to pass.

    Examples
    --------
    >>> check_max_vertices(None, "gh"), check_max_vertices(10**6, "gh"), check_max_vertices("auto", "prec")
    (None, 1000000, 20000)
    """
    if max_vertices is None:
        return None
    if isinstance(max_vertices, str) and max_vertices == "auto":
        return MAX_VERTICES[measure]
    try:
        return check_int(max_vertices, "max_vertices", minimum=1, meaning=(
            "the largest polytope (in vertices) the measure enumerates, e.g. max_vertices=10**6"))
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"{exc} Pass \"auto\" (the default: {MAX_VERTICES[measure]:,} for measure={measure!r}), or None "
            "to enumerate the vertices whatever their number."
        ) from None


def check_vertex_option(measure: str, max_vertices: Any) -> int | None:
    """``max_vertices`` checked (:func:`check_max_vertices`); a ``TypeError`` if it is set for a
    measure that enumerates no vertices under a limit (anything but the default ``"auto"``), for
    which it is None."""
    if measure in VERTEX_MEASURES:
        return check_max_vertices(max_vertices, measure)
    if not (isinstance(max_vertices, str) and max_vertices == "auto"):
        raise TypeError(
            "max_vertices applies to measure='gh' and measure='prec' only (their vertex enumeration); "
            f"measure={measure!r} takes none. Drop max_vertices."
        )
    return None


TIE_TOLERANCE = 1e-8
"""Relative difference within which two rows of floats count as possibly proportional in
:func:`rows_may_be_proportional`. pidkit reads a float mass exactly as itself or as a fraction within 4
ulps of it (:func:`pidkit._polytope.exact_masses`, about 1e-15 relative), and a row's float sum is off
by at most its length times 1.1e-16, so exactly proportional rows of up to 10^7 entries have float
shares within about 2e-9 of each other: this tolerance leaves room."""


def rows_may_be_proportional(rows: np.ndarray) -> bool:
    """Whether two rows of positive mass of ``rows`` (non-negative floats) can be exactly proportional
    once read as pidkit's exact masses, which merges their symbols (I_GH's slices, I_prec's p(y | x)).
    False is certain, so the polytope's size follows from the support pattern alone, with no exact
    arithmetic; True (within :data:`TIE_TOLERANCE`) leaves it to the exact merge.

    Each row is scaled to sum 1 and projected on fixed weights in [0, 1]; rows within the tolerance of
    each other project within it too, so only neighbours in that order are compared in full.

    Examples
    --------
    >>> rows_may_be_proportional(np.array([[0.1, 0.2], [0.3, 0.6], [0.2, 0.1]]))  # 0.3 : 0.6 = 0.1 : 0.2
    True
    >>> rows_may_be_proportional(np.array([[0.1, 0.2], [0.3, 0.5], [0.0, 0.0]]))
    False
    """
    rows = rows[rows.sum(axis=1) > 0]
    shares = rows / rows.sum(axis=1, keepdims=True)
    weights = np.random.default_rng(0).random(shares.shape[1])
    order = np.argsort(shares @ weights)
    keys = (shares @ weights)[order]
    for i, j in enumerate(order[:-1]):
        for k in range(i + 1, len(order)):
            if keys[k] - keys[i] > 2 * TIE_TOLERANCE:
                break
            if np.all(np.abs(shares[j] - shares[order[k]]) <= TIE_TOLERANCE * np.maximum(shares[j],
                                                                                        shares[order[k]])):
                return True
    return False


def refuse_if_too_large(
    measure: str, shape: tuple[int, ...], sizes: list[tuple[int, int]], max_vertices: int | None
) -> None:
    """Raise :class:`TooManyVertices` if the largest of the polytopes of ``sizes`` (facets and
    dimension, one per block enumerated alone) could have more vertices than ``max_vertices``."""
    if max_vertices is None or not sizes:
        return
    bound, facets, dim = max((_polytope.vertex_bound(facets, dim), facets, dim) for facets, dim in sizes)
    if bound > max_vertices:
        raise TooManyVertices(measure, shape, facets, dim, bound, max_vertices, len(sizes))
