"""The look of each experiment's line in the report's figures: its colour, fixed by its method,
and its marker (:func:`experiment_looks`, :func:`marker`).

Each method of the package has a colour of its own (:data:`METHOD_COLORS`) in every report,
whatever other experiments it holds. (Colours given by place among the experiments drew kd
orange, rid red and vid purple in a report of bas, kd, rid and vid; one more experiment of bas
made them red, purple and grey, the last beside the chance line's grey.) The colours are M. A.
Petroff's ten (:data:`PALETTE`), less its two greys. A method the user registered takes the colour
that no method of the package has (:data:`SPARE_COLORS`), in the order of the names of such
methods in the report; beyond it, the colours come round again, a shade darker, then lighter,
each round with markers of another shape (:data:`SHAPES`). The variants of one method (a
preset, another setting) with one line style take a shade of its colour and a marker of another
shape each. A line style says where the teacher came from (solid, dashed, dash-dot), so a
variant of another teacher keeps the method's colour and marker.
"""

from __future__ import annotations

import colorsys
from collections import Counter
from collections.abc import Sequence
from typing import Any

__all__ = ["DISTINCT_LOOKS", "METHOD_COLORS", "PALETTE", "SHAPES", "SPARE_COLORS",
           "experiment_looks", "marker", "shade"]

# M. A. Petroff's ten colours, in his order, which stay apart for colour-blind readers too
# ("Accessible Color Sequences for Data Visualization", 2021; matplotlib's petroff10 style),
# less its two greys (#94a4a2, #717581), which the chance line's dotted grey would blur.
PALETTE = ("#3f90da", "#ffa90e", "#bd1f01", "#832db6", "#a96b59", "#e76300", "#b9ac70",
           "#92dadd")

# Each method of the package (pidkit_distill.registry.BUILTIN_NAMES["method"]) and its colour:
# bas, kd, rid and vid in the hues a report of those four gave them when colours went by place.
METHOD_COLORS = {"bas": "#3f90da", "kd": "#ffa90e", "rid": "#bd1f01", "vid": "#832db6",
                 "ted": "#a96b59", "itrd": "#e76300", "mimkd": "#b9ac70"}
# The colours that no method of the package has: a method the user registered takes them first.
SPARE_COLORS = tuple(color for color in PALETTE if color not in METHOD_COLORS.values())

# How each shade moves a colour's lightness (HLS, hue and saturation kept): toward 0 by the
# share given where it is negative, toward 1 by the share given where it is positive. Itself,
# darker (lightness times 0.7: still apart from the black of the crosses and bars), lighter (35%
# of the way to white).
_SHADES = (0.0, -0.3, 0.35)

# The markers of each round of colours, of another shape in each, larger than the first round's,
# so that the shape shows; never a square (a Gaussian estimate's) nor a cross (a solve not
# certified, or failed: the filled plus "P" read as one). A Gaussian estimate keeps its square,
# filled otherwise in each round. Two are outlines (vertices) of matplotlib's: a diamond lying
# down and an hourglass; its pentagon "p" and hexagon "h" were circles at the markers' 5 points.
_LYING_DIAMOND = ((-1, 0), (0, 0.6), (1, 0), (0, -0.6), (-1, 0))
_HOURGLASS = ((-0.7, 1), (0.7, 1), (-0.7, -1), (0.7, -1), (-0.7, 1))
SHAPES = ("o", "^", "D", "v", "d", "<", ">", _LYING_DIAMOND, _HOURGLASS, "*")
_FILLS = ("full", "none", "left", "right", "bottom", "top")

# The looks of one colour: each shade of it with each marker shape (look j: shade j % 3 and
# shape j % 10, apart for 30 consecutive j).
_LOOKS_PER_COLOR = len(_SHADES) * len(SHAPES)
# How many experiments of one line style have looks of their own.
DISTINCT_LOOKS = len(PALETTE) * _LOOKS_PER_COLOR


def shade(color: str, step: int) -> str:
    """``color`` (``#rrggbb``) in shade ``step`` of :data:`_SHADES`, counted round: itself,
    darker, lighter.

    Examples
    --------
    >>> shade("#3f90da", 0), shade("#3f90da", 1), shade("#3f90da", 2), shade("#3f90da", 3)
    ('#3f90da', '#2065a5', '#82b7e7', '#3f90da')
    """
    red, green, blue = (int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    move = _SHADES[step % len(_SHADES)]
    lightness += move * (lightness if move < 0 else 1 - lightness)
    return "#" + "".join(f"{round(channel * 255):02x}"
                         for channel in colorsys.hls_to_rgb(hue, lightness, saturation))


def _first_look(method: str, others: list[str]) -> tuple[int, int]:
    """The colour (its place in :data:`PALETTE`) and the look of it (its round) of the first
    variant of ``method``: a method of the package's own colour in round 0; the user's methods
    (``others``, in name order) the :data:`SPARE_COLORS` in round 0, then each colour of the
    palette in round 1, then in round 2, ..."""
    if method in METHOD_COLORS:
        return PALETTE.index(METHOD_COLORS[method]), 0
    place = others.index(method)
    if place < len(SPARE_COLORS):
        return PALETTE.index(SPARE_COLORS[place]), 0
    beyond = place - len(SPARE_COLORS)
    return beyond % len(PALETTE), 1 + beyond // len(PALETTE)


def experiment_looks(methods: Sequence[str], styles: Sequence[str]) -> list[tuple[str, int]]:
    """The colour and the round (its marker: :func:`marker`) of each experiment, by its method
    (``methods``: ``method.name``, without its preset) and its line style (``styles``, the
    teacher's), in the order of the legend.

    A method of the package has its colour of :data:`METHOD_COLORS`; the methods the user
    registered have the :data:`SPARE_COLORS`, in the order of their names, and beyond them the
    colours of the palette in further rounds (another marker). The variants of one method with
    one line style (its experiments: a preset, another setting) have, in legend order, the
    method's colour, then a darker and a lighter shade of it (:func:`shade`), each in the next
    round. A look that an experiment before it has taken (a user's method come round to a
    variant's look) moves an experiment on to its next; so the first :data:`DISTINCT_LOOKS`
    experiments of one line style look alike in no two. No experiment's look depends on one
    of another method: adding an experiment changes no colour but those of its method's
    later variants of its line style, and of the user's methods named after it.

    Examples
    --------
    >>> experiment_looks(["kd", "bas", "bas", "bas"], ["-", "-", "--", "-"])
    [('#ffa90e', 0), ('#3f90da', 0), ('#3f90da', 0), ('#2065a5', 1)]
    >>> experiment_looks(["mine", "yours"], ["-", "-"])
    [('#92dadd', 0), ('#2065a5', 1)]
    """
    others = sorted(set(methods) - set(METHOD_COLORS))
    variants: Counter[tuple[str, str]] = Counter()
    taken: set[tuple[int, int, str]] = set()
    looks = []
    for method, style in zip(methods, styles, strict=True):
        color, first = _first_look(method, others)
        first += variants[method, style]
        variants[method, style] += 1
        candidates = [(color, first + step) for step in range(_LOOKS_PER_COLOR)] + [
            ((color + hop) % len(PALETTE), step) for hop in range(1, len(PALETTE))
            for step in range(_LOOKS_PER_COLOR)]
        chosen = next((look for look in candidates
                       if (look[0], look[1] % _LOOKS_PER_COLOR, style) not in taken),
                      candidates[0])
        taken.add((chosen[0], chosen[1] % _LOOKS_PER_COLOR, style))
        looks.append((shade(PALETTE[chosen[0]], chosen[1]), chosen[1]))
    return looks


def marker(round_: int, *, gaussian: bool = False) -> dict[str, Any]:
    """The marker of an experiment in round ``round_`` of the colours (:data:`SHAPES`), or of its
    Gaussian estimates: a square (:data:`_FILLS`).

    Examples
    --------
    >>> marker(0), marker(1, gaussian=True)
    ({'marker': 'o', 'markersize': 3}, {'marker': 's', 'markersize': 5, 'fillstyle': 'none'})
    """
    size = {"markersize": 3 if round_ == 0 else 5}
    if gaussian:
        return {"marker": "s", **size, "fillstyle": _FILLS[round_ % len(_FILLS)]}
    return {"marker": SHAPES[round_ % len(SHAPES)], **size}
