"""The legend of a report figure, placed outside its plots and never over a line:
:func:`place_legend` (beside them, or below them in columns, wrapped where one column would not
fit), :func:`figure_legend` (one entry per label of a figure's panels).
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from pidkit_distill.report.figure_lines import FONT

__all__ = ["figure_legend", "place_legend"]

# The most experiments a legend names (its title says how many there are): 1000 runs of
# 60-character names made accuracy.png 1020 x 49422 pixels, its legend 400 inches high.
_MOST_ENTRIES = 100

# The most of a figure's width that a legend below its plots takes: one as wide as the figure
# was cut at both edges when saved.
_LEGEND_WIDTH = 0.95
# The most of a figure's width that a legend beside its plots takes; a wider one (long run
# names: two of 60 characters took 64% of accuracy.png, its plot squeezed to a third) goes below.
_BESIDE_WIDTH = 0.4
# The length of a legend's keys, in font sizes: two periods of the longest line style's dashes
# (dash-dot, a teacher from a file: 10.6 line widths, 21.2 points on a mean's line of width 2).
# matplotlib's 2 showed less than one, the marker over its dot: it read as dashed (untrained).
_KEY_LENGTH = 4.5
# The fewest characters a line of a wrapped legend label has (:func:`_wrapped_legend`): a
# figure too narrow for its legend's keys and lines of these is made wider.
_LEAST_WRAP = 20


def figure_legend(fig: Any, order: list[str], title: Any) -> None:
    """A legend of one entry per label of ``fig``'s panels, clear of its ``title``
    (:func:`place_legend`): the entries in ``order`` first, then the rest (the crosses)."""
    handles = {label: handle for ax in fig.axes
               for handle, label in zip(*ax.get_legend_handles_labels(), strict=True)}
    first = list(dict.fromkeys(order))
    handles = {label: handles[label] for label in sorted(
        handles, key=lambda label: first.index(label) if label in first else len(first))}
    place_legend(fig, list(handles.values()), list(handles), title=title,
                 experiments=len(first))


def place_legend(fig: Any, handles: list[Any], labels: list[str], *, title: Any = None,
                 experiments: int | None = None) -> None:
    """``fig``'s legend of ``handles`` named ``labels``, outside the plots, never over a line:
    beside them in one column, halfway down (at the top it ran into the title's long lines);
    or, where that column is taller than the figure less twice the figure's ``title`` (a
    :class:`~matplotlib.text.Text` across the figure, or ``None``; some 30 entries ran off
    the figure's top and bottom) or wider than :data:`_BESIDE_WIDTH` of it (long names),
    below the plots in as many columns as the figure's width holds, the figure made taller by
    the legend's height so that the plots keep theirs. Where even one column is wider than
    the figure (labels naming many settings), the labels are wrapped (:func:`_wrapped_legend`)
    and, should the figure be too narrow for that too, the figure made wider: every key and
    label inside it. Of the first ``experiments`` entries (default: all), which name
    experiments, the first :data:`_MOST_ENTRIES` are kept, and the legend, below the plots,
    says so in its title."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    named = len(labels) if experiments is None else experiments
    kept = {}
    if named > _MOST_ENTRIES:
        kept = {"title": f"the first {_MOST_ENTRIES} of {named} experiments (report.md's "
                         "tables name every run)",
                "title_fontsize": FONT}
        handles = [*handles[:_MOST_ENTRIES], *handles[named:]]
        labels = [*labels[:_MOST_ENTRIES], *labels[named:]]
    renderer = FigureCanvasAgg(fig).get_renderer()
    width, height = fig.get_size_inches()
    legend = fig.legend(handles, labels, loc="outside right", fontsize=FONT,
                        handlelength=_KEY_LENGTH)
    column = legend.get_window_extent(renderer)
    above = 0 if title is None else title.get_window_extent(renderer).height
    if (not kept and column.height <= height * fig.dpi - 2 * above
            and column.width <= _BESIDE_WIDTH * width * fig.dpi):
        return
    room = _LEGEND_WIDTH * width * fig.dpi  # clear of the figure's edges
    for ncols in range(max(1, int(room // column.width)), 0, -1):
        legend.remove()
        legend = fig.legend(handles, labels, loc="outside lower center", fontsize=FONT,
                            handlelength=_KEY_LENGTH, ncols=ncols, **kept)
        if ncols == 1 or legend.get_window_extent(renderer).width <= room:
            break
    if legend.get_window_extent(renderer).width > room:
        legend = _wrapped_legend(fig, legend, handles, labels, room, kept)
    box = legend.get_window_extent(renderer)
    fig.set_size_inches(max(width, box.width / (_LEGEND_WIDTH * fig.dpi)),
                        height + box.height / fig.dpi)


def _wrapped_legend(fig: Any, legend: Any, handles: list[Any], labels: list[str], room: float,
                    kept: dict[str, Any]) -> Any:
    """``fig``'s one-column ``legend`` below its plots, wider than ``room`` pixels, drawn anew
    with its ``labels`` wrapped (:func:`_wrap`) to as many characters as leave it within
    ``room``, and no fewer than :data:`_LEAST_WRAP` (a figure too narrow for those is made
    wider by :func:`place_legend`); ``kept``: its title, if any."""
    renderer = fig.canvas.get_renderer()
    texts = [text.get_window_extent(renderer).width for text in legend.get_texts()]
    widest = int(np.argmax(texts))
    # the characters of the widest label's longest line, and the width of the rest (its key,
    # the padding and the frame), give how many characters the room holds
    chars = max(len(line) for line in labels[widest].split("\n"))
    keys = legend.get_window_extent(renderer).width - texts[widest]
    width = max(_LEAST_WRAP, int((room - keys) * chars / texts[widest]))
    while True:
        legend.remove()
        legend = fig.legend(handles, [_wrap(label, width) for label in labels],
                            loc="outside lower center", fontsize=FONT,
                            handlelength=_KEY_LENGTH, **kept)
        if width == _LEAST_WRAP or legend.get_window_extent(renderer).width <= room:
            return legend
        width = max(_LEAST_WRAP, width - max(1, width // 10))


def _wrap(label: str, width: int) -> str:
    """``label`` with each of its lines wrapped at ``width`` characters: between the settings
    of a group's label (``key=value, ...``), within a word (a run's name) only where one is
    longer than a line.

    Examples
    --------
    >>> print(_wrap("bas, data.batch_size=32, optim.lr=0.1, 2 seeds\\nmean of epoch 1 only", 24))
    bas, data.batch_size=32,
    optim.lr=0.1, 2 seeds
    mean of epoch 1 only
    """
    return "\n".join(textwrap.fill(line, width, break_on_hyphens=False) for line in label.split("\n"))
