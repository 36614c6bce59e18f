"""The figure of ``losses.png``: each run's training loss over epochs, its total and each loss
term of its method in a panel of its own (:func:`plot_losses`).

A researcher reading a sweep sees whether a term went flat, exploded or dominated. The panels
(:func:`loss_panels`) are the total (``train_loss`` in ``metrics.jsonl``) first, then each term
(``train_losses``, as weighted in the loss, as the epoch line names it: ``0.1*ce``) in the order
the runs first record it, in a grid of up to :data:`COLUMNS` columns; a term that only some
runs have (``kd``, RID's ``filter_ce``) has a panel of those runs only, whose title names their
methods. A run whose ``metrics.jsonl`` records no terms (an older version's) is in the total's
panel only. A panel whose values are all above 0 and span :data:`LOG_SPAN` or more (a KD term of
0.008 beside a VID term of 240) has a log scale, which its y label says; else a linear one (a
VID term below 0, a flat CE). A value that is missing or not finite (``null`` in the file),
and an epoch without the term (another phase of the method's schedule: RID's filter epochs
train its filters, whose terms are their own), leave a gap in the line.

Lines, colours, markers, the seeds' bands, the bar ending a stopped or failed run, the square
ending one that ``run.early_stop`` ended, and the legend are those of ``accuracy.png``
(:mod:`~pidkit_distill.report.figure_lines`, :mod:`~pidkit_distill.report.figure_looks`,
:mod:`~pidkit_distill.report.figure_legend`), so a method keeps its colour in every figure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from pidkit_distill.report.figure_legend import figure_legend
from pidkit_distill.report.figure_lines import (
    FONT,
    SPREAD,
    averaged_note,
    end_mark_entries,
    epoch_axis,
    mark_end,
    mean_line,
    plot_line,
    plot_mean,
    same_line_notes,
    state_note,
)
from pidkit_distill.run_folders.groups import RunGroup, common_epochs
from pidkit_distill.run_folders.records import RunRecords

__all__ = ["COLUMNS", "LOG_SPAN", "TOTAL", "loss_panels", "loss_values", "plot_losses"]

TOTAL = "train_loss"
"""The panel of the total loss, first in the figure: its key in ``metrics.jsonl``."""

LOG_SPAN = 100.0
"""The least ratio of a panel's largest value to its smallest, all above 0, that gives the
panel a log scale: two decades, over which a linear axis flattens the smaller lines."""

COLUMNS = 3
"""The most panels in a row of ``losses.png``; more terms take more rows."""

# The width of losses.png by its columns of panels, in inches: one as wide as accuracy.png, three
# as pid_atoms.png, so that their text is as large when a viewer shows them 850 pixels wide.
_WIDTHS = {1: 8.5, 2: 11.0, 3: 13.0}
# The height of a row of panels, in inches (one row: accuracy.png's plot), and of a title line.
_ROW_HEIGHTS = {1: 4.5, 2: 3.6}
_TITLE_LINE = 0.3


def _terms(record: dict[str, Any]) -> dict[str, Any]:
    """The loss terms of a metrics ``record`` (``train_losses``), none where it has none."""
    terms = record.get("train_losses")
    return terms if isinstance(terms, dict) else {}


def _has(run: RunRecords, panel: str) -> bool:
    """Whether some metrics record of ``run`` has a value, or ``null``, for ``panel``."""
    return any(panel in record if panel == TOTAL else panel in _terms(record)
               for record in run.metrics)


def loss_panels(groups: list[RunGroup]) -> list[str]:
    """The panels of ``losses.png`` for the runs of ``groups``: :data:`TOTAL` first (where a run
    records it), then each loss term, in the order the runs first record it; none where no run
    records a training loss (no ``losses.png``).

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(name, *terms):
    ...     metrics = [{"epoch": 1, "train_loss": 1.0, "train_losses": dict.fromkeys(terms, 0.5)}]
    ...     return RunRecords(name, Path(name), {}, metrics, [])
    >>> loss_panels([RunGroup("kd", [run("kd", "ce", "kd")]),
    ...              RunGroup("rid", [run("rid", "filter_ce", "ce", "distill")])])
    ['train_loss', 'ce', 'kd', 'filter_ce', 'distill']
    >>> loss_panels([RunGroup("old", [RunRecords("old", Path("old"), {}, [{"epoch": 1}], [])])])
    []
    """
    runs = [run for group in groups for run in group.runs]
    terms = (term for run in runs for record in run.metrics for term in _terms(record))
    return [*[TOTAL] * any(_has(run, TOTAL) for run in runs),
            *dict.fromkeys(term for term in terms if term != TOTAL)]


def loss_values(metrics: list[dict[str, Any]], panel: str) -> np.ndarray:
    """The values of ``panel`` (:data:`TOTAL`, or a loss term) in each of a run's ``metrics``
    records, as floats: ``NaN`` where a record has none (another phase's epoch, an older
    version's) or one that is missing or not finite (a gap in the line).

    Examples
    --------
    >>> metrics = [{"epoch": 1, "train_loss": 2.0, "train_losses": {"ce": 2.0}},
    ...            {"epoch": 2, "train_loss": float("inf"), "train_losses": {"ce": None}},
    ...            {"epoch": 3, "train_loss": 0.5}]
    >>> loss_values(metrics, "train_loss").tolist(), loss_values(metrics, "ce").tolist()
    ([2.0, nan, 0.5], [2.0, nan, nan])
    """
    values = np.array([(record.get(panel) if panel == TOTAL else _terms(record).get(panel))
                       for record in metrics], dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def _series(run: RunRecords, panel: str) -> list[dict[str, Any]]:
    """The records of ``panel`` in ``run``, as :func:`~pidkit_distill.run_folders.groups.common_epochs`
    reads them: each epoch and its ``value``."""
    return [{"epoch": record["epoch"], "value": value}
            for record, value in zip(run.metrics, loss_values(run.metrics, panel), strict=True)]


def _methods(groups: list[RunGroup]) -> str:
    """The methods of ``groups`` (``method.name`` of their configurations), once each."""
    names = (str((group.runs[0].config.get("method") or {}).get("name", "?")) for group in groups)
    return ", ".join(dict.fromkeys(names))


def plot_losses(groups: list[RunGroup], lines: dict[str, dict[str, Any]],
                rounds: dict[str, int], note: str, *,
                states: Mapping[str, str] | None = None) -> Any:
    """The figure of ``losses.png``: each run's training loss over epochs, the total and each
    term in a panel of its own (:func:`loss_panels`), each group's mean over its seeds with
    their band; a run short of its epochs said so in its legend entry, or its group's, by its
    state in report.md (``states``, by run name), the line of a stopped or failed one ended by
    a bar (:func:`~pidkit_distill.report.figure_lines.state_note`,
    :func:`~pidkit_distill.report.figure_lines.mark_end`).

    Parameters
    ----------
    groups : list of RunGroup
        The runs, some of which record a training loss (:func:`loss_panels` is not empty).
    lines : dict of str to dict
        Each run's line, by name, and ``rounds``, each group's round of colours, and ``note``,
        what the line styles mean: :func:`~pidkit_distill.report.figure_lines.run_lines`'.
    rounds : dict of str to int
    note : str
    states : mapping of str to str, optional
        Each run's state, by its name, as report.md gives it.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        No run of ``groups`` records a training loss.

    Examples
    --------
    >>> from pathlib import Path
    >>> from pidkit_distill.report.figure_lines import run_lines
    >>> config = {"method": {"name": "kd"}, "teacher": {"source": "trained"}}
    >>> metrics = [{"epoch": e, "train_loss": 1.0 / e, "train_losses": {"ce": 0.9 / e,
    ...                                                               "kd": 0.1 / e}}
    ...            for e in (1, 2, 3)]
    >>> groups = [RunGroup("kd", [RunRecords("kd-run", Path("kd"), config, metrics, [])])]
    >>> fig = plot_losses(groups, *run_lines(groups))
    >>> [ax.get_title() for ax in fig.axes]
    ['total loss (train_loss)', 'term ce', 'term kd']
    """
    from matplotlib.figure import Figure

    panels = loss_panels(groups)
    if not panels:
        raise ValueError("groups: no run records a training loss (train_loss in its "
                         "metrics.jsonl), so there is no losses.png to draw; pass runs that "
                         "completed an epoch")
    states = states or {}
    drawn = {panel: [group for group in groups
                     if any(run.metrics and _has(run, panel) for run in group.runs)]
             for panel in panels}
    heading = _losses_title(groups, note)
    columns = min(COLUMNS, len(panels))
    rows = math.ceil(len(panels) / columns)
    fig = Figure(figsize=(_WIDTHS[columns], _ROW_HEIGHTS[min(rows, 2)] * rows
                          + _TITLE_LINE * len(heading.splitlines())), layout="constrained")
    grid = fig.subplots(rows, columns, squeeze=False).ravel()
    for unused in grid[len(panels):]:
        unused.remove()
    band_alpha = min(0.2, 0.6 / len(groups))
    # a line under a later one's in every panel (two runs of one student where a method
    # ignores the teacher: BAS's)
    hidden = same_line_notes([(group.legend, {
        panel: common_epochs([_series(run, panel) for run in group.runs], "value")
        for panel in panels if group in drawn[panel]}) for group in groups])
    labels = {group.legend: _label(group, states, hidden) for group in groups}
    everyone = [group for group in groups if any(group in drawn[panel] for panel in panels)]
    for ax, panel in zip(grid[:len(panels)], panels, strict=True):
        values = [_plot_group(ax, group, panel, lines, rounds, labels[group.legend],
                              band_alpha=band_alpha, states=states)
                  for group in drawn[panel]]
        some = "" if panel == TOTAL or len(drawn[panel]) == len(everyone) else (
            f" ({_methods(drawn[panel])} runs only)")
        _dress_panel(ax, "total loss (train_loss)" if panel == TOTAL else f"term {panel}{some}",
                     np.concatenate(values, axis=None))
    end_mark_entries(fig.axes)
    title = fig.suptitle(heading, fontsize=FONT + 1)
    figure_legend(fig, [labels[group.legend] for group in groups], title)
    return fig


def _label(group: RunGroup, states: Mapping[str, str], hidden: Mapping[str, str]) -> str:
    """The legend entry of ``group`` in ``losses.png``: a lone run's name, or the group's, with
    the epochs of its mean where its seeds' differ, its runs' states and the line it lies
    under (``hidden``), as ``accuracy.png``'s entry says them."""
    records = [run.metrics for run in group.runs]
    averaged = "" if len(group.runs) == 1 else averaged_note(
        common_epochs(records, "epoch")[0], records)
    return (group.legend + averaged + state_note(group, states)
            + hidden.get(group.legend, ""))


def _plot_group(ax: Any, group: RunGroup, panel: str, lines: dict[str, dict[str, Any]],
                rounds: dict[str, int], label: str, *, band_alpha: float,
                states: Mapping[str, str]) -> np.ndarray:
    """One group's ``panel`` in ``ax``: a lone run's line named ``label``, or the seeds' thin
    lines under their mean named ``label``, with its band; a bar ending a stopped or failed
    run's line, a square one that ``run.early_stop`` ended
    (:func:`~pidkit_distill.report.figure_lines.mark_end`). Returns the values drawn, for the
    panel's scale."""
    drawn = []
    for run in group.runs:
        if run.metrics:
            epochs = [record["epoch"] for record in run.metrics]
            values = loss_values(run.metrics, panel)
            line = lines[run.name] if len(group.runs) > 1 else {**lines[run.name], "label": label}
            plot_line(ax, epochs, values, line)
            mark_end(ax, run, epochs, values, states.get(run.name))
            drawn.append(values)
    if len(group.runs) > 1:
        epochs, values = common_epochs([_series(run, panel) for run in group.runs], "value")
        plot_mean(ax, epochs, values, mean_line(group, lines, rounds, label),
                  band_alpha=band_alpha)
    return np.concatenate(drawn) if drawn else np.array([])


def _dress_panel(ax: Any, title: str, values: np.ndarray) -> None:
    """Title, label, ticks and grid of a panel of ``values``: a log scale where they are all
    above 0 and span :data:`LOG_SPAN` or more, which the y label says."""
    finite = values[np.isfinite(values)]
    log = finite.size > 0 and finite.min() > 0 and finite.max() >= LOG_SPAN * finite.min()
    if log:
        ax.set_yscale("log")
    ax.set_title(title, fontsize=FONT + 1)
    epoch_axis(ax)
    ax.set_ylabel("loss, log scale" if log else "loss", fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.grid(alpha=0.3)


def _losses_title(groups: list[RunGroup], note: str) -> str:
    """The title of ``losses.png``: what it shows, the bands of the groups of seeds, the runs
    without terms or with epochs of another phase, and the line styles (``note``)."""
    runs = [run for group in groups for run in group.runs if run.metrics]
    seeds = any(len(group.runs) > 1 for group in groups)
    phases = any(record.get("phase", "student") != "student" for run in runs
                 for record in run.metrics)
    untermed = any(_has(run, TOTAL) and not any(_terms(record) for record in run.metrics)
                   for run in runs)
    return "\n".join([
        "Training loss over epochs: the total, then each term as weighted in the loss "
        "(train_loss, train_losses in metrics.jsonl)",
        f"log scale where a panel's values are all above 0 and span {LOG_SPAN:g} times or more; "
        "gaps: no value, or one not finite",
        *([SPREAD] if seeds else []),
        *(["an epoch of another phase than the student's (metrics.jsonl's phase: RID's "
           "filter epochs) has that phase's total and terms"] if phases else []),
        *(["a run whose metrics.jsonl records no terms (an older version's): its total only"]
          if untermed else []),
        note])
