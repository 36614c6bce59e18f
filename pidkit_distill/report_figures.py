"""The report's figures, drawn from run records (:mod:`pidkit_distill.run_records`) as PNG bytes.

* ``accuracy.png`` — held-out accuracy of every run over epochs;
* ``pid_atoms.png`` — the PID of (Y, T, S) over epochs for the innermost audited layer (named in
  the title, or in each run's legend entry where the runs' differ), one line per run: Red,
  Uni(Y:T\\S), Uni(Y:S\\T), Syn, I(Y;T), I(Y;S) (the RID paper's Figures 4 and 5): each run's
  estimates, named in the legend by estimator and bias correction (or plug-in; squares for the
  Gaussian estimator), with their bootstrap interval as a band, the plug-in values of a
  corrected run as a faint dotted line, and a black cross on a solve that was not certified
  (on the epoch axis itself when it gave no number: a failed solve's atoms are missing);
  Gaussian runs beside discrete ones have panels of their own (their bits are not comparable);
* ``pid_atoms_all_layers.png`` — the four atoms for every audited layer, when more than one
  layer was audited (else it would repeat ``pid_atoms.png``).

Each experiment keeps one colour and marker in every figure (ten colours that colour-blind
readers tell apart; beyond ten they come round again, with markers of another shape in each
round: :func:`_run_lines`). The seeds of one (:mod:`pidkit_distill.run_groups`) are thin and
faint under their mean, with a band of ±1 standard deviation across them, over the epochs all of
them reached; the legend has an entry per experiment (``rid, 3 seeds``), or the run's name for a
run alone (the first hundred experiments, where colours and markers start to repeat), beside
the plots, or below them in columns where one column would not fit (some 30 experiments, or long
names; a label naming many settings wrapped: :func:`_place_legend`). A run's line style says
where its teacher came from (solid: trained, dashed: untrained, dash-dot: a teacher file), and
the figures say so. Where the metrics records give the size of the held-out set (``test_n``),
the accuracy has a band of one binomial standard error, so that the axis does not zoom into
noise. Text is at least :data:`_FONT` points, readable when a markdown viewer shows a figure
about 850 pixels wide. They are drawn on :class:`matplotlib.figure.Figure` objects, not through
pyplot, so the caller's backend and open figures (a notebook's) are left as they are.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable
from typing import Any

import numpy as np

from pidkit_distill.audit_records import AUDITED_ATOMS, audit_estimate, certified, corrected, innermost_layer
from pidkit_distill.run_groups import RunGroup, audit_epochs, common_epochs, mean_sd
from pidkit_distill.run_records import RunRecords

__all__ = ["PID_FIGURES", "draw_figures"]

# The files of the PID figures, drawn when a run has an audit; True: every layer.
PID_FIGURES = {"pid_atoms.png": False, "pid_atoms_all_layers.png": True}

_PANELS = tuple(zip(AUDITED_ATOMS, ("Red(Y:T,S)", "Uni(Y:T\\S)", "Uni(Y:S\\T)", "Syn(Y:T,S)",
                                    "I(Y;T)", "I(Y;S)"), strict=True))

# The colours of up to 6, 8 or 10 runs, in order: M. A. Petroff's sequences of that many, each
# chosen to stay apart for colour-blind readers too ("Accessible Color Sequences for Data
# Visualization", 2021; matplotlib 3.10's petroff6/8/10 styles). matplotlib's default ten put
# green beside red and brown.
_COLORS = {6: ("#5790fc", "#f89c20", "#e42536", "#964a8b", "#9c9ca1", "#7a21dd"),
           8: ("#1845fb", "#ff5e02", "#c91f16", "#c849a9", "#adad7d", "#86c8dd", "#578dff",
               "#656364"),
           10: ("#3f90da", "#ffa90e", "#bd1f01", "#94a4a2", "#832db6", "#a96b59", "#e76300",
                "#b9ac70", "#717581", "#92dadd")}

# Beyond ten experiments the ten colours come round again, each round with markers of another
# shape, larger, so that the shape shows (a colour and a shape tell a hundred apart); never a
# square (a Gaussian estimate's) nor a cross (a solve not certified, or failed: the filled plus
# "P" read as one). A Gaussian estimate keeps its square, filled otherwise in each round (sixty
# told apart). Two are outlines (vertices) of matplotlib's: a diamond lying down and an
# hourglass; its pentagon "p" and hexagon "h" were circles at the markers' 5 points.
_LYING_DIAMOND = ((-1, 0), (0, 0.6), (1, 0), (0, -0.6), (-1, 0))
_HOURGLASS = ((-0.7, 1), (0.7, 1), (-0.7, -1), (0.7, -1), (-0.7, 1))
_SHAPES = ("o", "^", "D", "v", "d", "<", ">", _LYING_DIAMOND, _HOURGLASS, "*")
# The most experiments a legend names: the hundred that a colour and a shape tell apart (its
# title says how many there are; their lines repeat those above); 1000 runs of 60-character names
# made accuracy.png 1020 x 49422 pixels, its legend 400 inches high.
_MOST_ENTRIES = len(_COLORS[10]) * len(_SHAPES)
_FILLS = ("full", "none", "left", "right", "bottom", "top")

# A line of more points than this has markers on about this many, evenly spaced in epochs:
# markers on each of 300 epochs hid its dashes, the teacher's line style.
_MOST_MARKERS = 20

# The most of a figure's width that a legend below its plots takes: one as wide as the figure
# was cut at both edges when saved.
_LEGEND_WIDTH = 0.95
# The most of a figure's width that a legend beside its plots takes; a wider one (long run
# names: two of 60 characters took 64% of accuracy.png, its plot squeezed to a third) goes below.
_BESIDE_WIDTH = 0.4
# The fewest characters a line of a wrapped legend label has (:func:`_wrapped_legend`): a
# figure too narrow for its legend's keys and lines of these is made wider.
_LEAST_WRAP = 20

# The size of the figures' smallest text (legend, axis labels, ticks), in points: 7 points of a
# 13-inch figure were 6 pixels high where a markdown viewer shows it 850 pixels wide.
_FONT = 10

_LINE_STYLES = {"trained": ("-", "solid: trained teacher"),
                "untrained": ("--", "dashed: untrained teacher")}
_FILE_STYLE = ("-.", "dash-dot: teacher from a file")

# The marker of an estimate whose solve was not certified, drawn over the run's own marker.
_UNCERTIFIED = {"linestyle": "none", "marker": "x", "color": "black", "markersize": 7,
                "label": "solve NOT certified"}
# The marker of a solve that gave no number (failed): on the epoch axis itself, half below
# it, where no value is (at 3% of the panel's height it read as a value near 0 bits).
_NO_NUMBER = {**_UNCERTIFIED, "marker": "X", "markersize": 10, "clip_on": False, "zorder": 5,
              "label": "solve failed: no number (X on the epoch axis)"}

# A seed of a group of runs: thin and faint under its group's mean, unnamed in the legend.
_SEED = {"linewidth": 0.8, "alpha": 0.4, "marker": ""}
# What the band of a group's mean is, in a figure's title.
_SPREAD = "bands: ±1 sd across seeds about each mean (faint lines: the seeds)"

# The least height of a PID panel's y axis, in bits: the table gives atoms to 0.001 bits, and a
# Gaussian Uni of 0 +- 8e-15 (solver noise) drew an axis of '1e-15' over the panel's title.
_LEAST_BITS = 0.01


def draw_figures(groups: list[RunGroup]) -> dict[str, bytes]:
    """Draw the figures of the runs in ``groups``; return each PNG file's bytes by file name.

    ``accuracy.png`` always; the :data:`PID_FIGURES` when a run with a completed epoch has an
    audit (``pid_atoms_all_layers.png`` only when more than one layer was audited). A run
    without a completed epoch has no line. Runs are told apart by their names,
    which must differ (:func:`pidkit_distill.run_records.with_distinct_names`). The seeds of
    one experiment share a colour, and their mean, with a band of ±1 standard deviation across
    them, is the line in the legend.

    Parameters
    ----------
    groups : list of RunGroup
        Every run of the report in one group (its experiment), in the order of the legend, as
        :func:`pidkit_distill.run_groups.group_runs` gives them (the report groups its runs
        once, for its table and its figures).

    Returns
    -------
    dict of str to bytes

    Examples
    --------
    >>> from pathlib import Path
    >>> from pidkit_distill.run_groups import group_runs
    >>> run = RunRecords("x", Path("x"), {"teacher": {"source": "trained"}},
    ...                  [{"epoch": 1, "test_acc": 0.5}], [])
    >>> {name: png[:4] for name, png in draw_figures(group_runs([run])).items()}
    {'accuracy.png': b'\\x89PNG'}
    """
    # the package first: where it is blocked (None in sys.modules), importing matplotlib.figure
    # first would raise an error naming 'matplotlib.figure', which the command does not tell
    # as matplotlib missing (pip install 'pidkit[distill]')
    import matplotlib  # noqa: F401
    lines, rounds, note = _run_lines(groups)
    figures = {"accuracy.png": _png(_plot_accuracy(groups, lines, rounds, note))}
    audited = [group for group in groups
               if any(run.metrics and run.audit for run in group.runs)]
    layers = _audited_layers(audited)
    figures.update({name: _png(_plot_atoms(audited, lines, rounds, note,
                                                all_layers=all_layers))
                    for name, all_layers in PID_FIGURES.items()
                    if audited and (len(layers) > 1 or not all_layers)})
    return figures


def _audited_layers(groups: list[RunGroup]) -> set[int]:
    """The layers that some run of ``groups`` audited."""
    return {record["layer"] for group in groups for run in group.runs for record in run.audit}


def _teacher_style(run: RunRecords) -> tuple[str, str]:
    """The line style of ``run`` (from where its teacher came) and what it means."""
    return _LINE_STYLES.get(run.config["teacher"]["source"], _FILE_STYLE)


def _run_lines(groups: list[RunGroup]
               ) -> tuple[dict[str, dict[str, Any]], dict[str, int], str]:
    """Each run's line (by name: one colour, marker and style in every figure; a seed of a
    group thin, faint and unmarked in its group's colour), each group's round of colours (by
    its first run's name: which markers it has, :func:`_marker`), and a note saying what the
    line styles in use mean.

    The colours, one per group, are the shortest of :data:`_COLORS` that has one for each
    group (told apart by colour-blind readers too); beyond ten, the ten come round again with
    another marker in each round: no two groups (up to a hundred) share a colour and a marker.
    """
    palette = next((seq for size, seq in _COLORS.items() if len(groups) <= size), _COLORS[10])
    lines, rounds = {}, {}
    for i, group in enumerate(groups):
        rounds[group.runs[0].name] = i // len(palette)
        for run in group.runs:
            line = {"color": palette[i % len(palette)], "linestyle": _teacher_style(run)[0],
                    "label": run.name, **_marker(i // len(palette))}
            lines[run.name] = line if len(group.runs) == 1 else {
                **line, **_SEED, "label": f"_{run.name}"}
    note = ", ".join(dict.fromkeys(_teacher_style(run)[1] for group in groups
                                   for run in group.runs))
    return lines, rounds, note


def _marker(round_: int, *, gaussian: bool = False) -> dict[str, Any]:
    """The marker of a group in round ``round_`` of the colours (:data:`_SHAPES`), or of its
    Gaussian estimates: a square (:data:`_FILLS`).

    Examples
    --------
    >>> _marker(0), _marker(1, gaussian=True)
    ({'marker': 'o', 'markersize': 3}, {'marker': 's', 'markersize': 5, 'fillstyle': 'none'})
    """
    size = {"markersize": 3 if round_ == 0 else 5}
    if gaussian:
        return {"marker": "s", **size, "fillstyle": _FILLS[round_ % len(_FILLS)]}
    return {"marker": _SHAPES[round_ % len(_SHAPES)], **size}


def _mean_line(group: RunGroup, lines: dict[str, dict[str, Any]], rounds: dict[str, int],
               label: str) -> dict[str, Any]:
    """The line of a group's mean, in its colour, style and marker, named ``label``."""
    first = lines[group.runs[0].name]
    return {"color": first["color"], "linestyle": first["linestyle"], "label": label,
            "linewidth": 2, **_marker(rounds[group.runs[0].name])}


def _averaged(epochs: list[int], records: list[list[dict[str, Any]]]) -> str:
    """What a legend entry says, on a line of its own, of a mean over the ``epochs`` that all
    seeds' ``records`` have, where some seed has others (a killed seed): which epochs it is
    of; nothing where the seeds have the same epochs."""
    if not any({record["epoch"] for record in run} - set(epochs) for run in records):
        return ""
    if not epochs:
        return "\nno mean: no epoch that all seeds have"
    span = f"epoch {epochs[0]}" if len(epochs) == 1 else f"epochs {epochs[0]}-{epochs[-1]}"
    return f"\nmean of {span} only (all seeds have them)"


def _atoms_averaged(group: RunGroup, layers: set[int]) -> str:
    """What a PID figure's legend entry says, on a line of its own, of a group's means where
    some seed has audit epochs that others lack: that they are of the epochs all have, or that
    there is none (a seed without an audit); nothing where the seeds have the same."""
    spans = [audit_epochs(group, layer) for layer in layers]
    if not any(_averaged(*span) for span in spans):
        return ""
    if not any(epochs for epochs, _ in spans):
        return "\nno mean: no audit epoch that all seeds have"
    return "\nmean only of the epochs all seeds have"


def _plot_mean(ax: Any, epochs: list[int], values: np.ndarray, line: dict[str, Any], *,
               band_alpha: float) -> None:
    """A group's mean of the seeds' ``values`` (a row per seed) over ``epochs``, with a band of
    ±1 sample standard deviation across the seeds (a bar for one epoch)."""
    mean, sd = mean_sd(values)
    _plot_line(ax, epochs, mean, line)
    _band(ax, epochs, mean - sd, mean + sd, line["color"], band_alpha)


def _band(ax: Any, epochs: list[int], low: Any, high: Any, color: str, alpha: float) -> None:
    """A band from ``low`` to ``high`` over ``epochs``; over one epoch, which gives a band no
    width, a bar."""
    if len(epochs) == 1:
        ax.vlines(epochs, low, high, color=color, alpha=max(alpha, 0.4), linewidth=4)
    elif epochs:
        ax.fill_between(epochs, low, high, color=color, alpha=alpha, linewidth=0)


def _plot_accuracy(groups: list[RunGroup], lines: dict[str, dict[str, Any]],
                   rounds: dict[str, int], note: str) -> Any:
    """The figure of ``accuracy.png``: each run's held-out accuracy over epochs, and each
    group's mean."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.5, 4.5), layout="constrained")
    ax = fig.subplots()
    band_alpha = min(0.2, 0.6 / len(groups))
    binomial = spread = False
    for group in groups:
        for run in group.runs:
            if run.metrics:
                epochs = [m["epoch"] for m in run.metrics]
                acc = _values(m["test_acc"] for m in run.metrics)
                _plot_line(ax, epochs, acc, lines[run.name])
                n = _values(m.get("test_n") for m in run.metrics)
                if len(group.runs) == 1 and not np.isnan(n).all():
                    # one binomial standard error, the noise of the estimate
                    error = np.sqrt(acc * (1 - acc) / n)
                    ax.fill_between(epochs, acc - error, acc + error,
                                    color=lines[run.name]["color"], alpha=band_alpha,
                                    linewidth=0)
                    binomial = True
        if len(group.runs) > 1:
            records = [run.metrics for run in group.runs]
            epochs, values = common_epochs(records, "test_acc")
            label = group.legend + _averaged(epochs, records)
            _plot_mean(ax, epochs, values, _mean_line(group, lines, rounds, label),
                       band_alpha=band_alpha)
            spread = True
    _epoch_axis(ax)
    ax.set_ylabel("held-out accuracy (fraction correct)", fontsize=_FONT)
    bands = [_SPREAD] if spread else []
    if binomial:
        lead = "a lone run's band" if spread else "bands"
        bands.append(f"{lead}: ±1 binomial standard error of each accuracy")
    ax.set_title("\n".join([f"Student accuracy on the held-out set\n({note})", *bands]),
                 fontsize=_FONT + 1)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=_FONT)
    _place_legend(fig, *ax.get_legend_handles_labels())
    return fig


def _plot_line(ax: Any, epochs: list[int], values: Any, line: dict[str, Any]) -> None:
    """Draw ``line`` through ``values`` over ``epochs``, with a marker on every point, or, on a
    long line, whose line style stays visible, on the points nearest :data:`_MOST_MARKERS`
    epochs evenly spaced from its first to its last (epochs missing from a resumed run's
    records, or audited every k-th only, move no marker)."""
    marked = slice(None)
    if len(epochs) > _MOST_MARKERS:
        marked = sorted({int(np.abs(np.asarray(epochs) - epoch).argmin())
                         for epoch in np.linspace(epochs[0], epochs[-1], _MOST_MARKERS)})
    ax.plot(epochs, values, **line, markevery=marked)


def _epoch_axis(ax: Any) -> None:
    """Label the x axis "epoch", with ticks on whole epochs only, as many as its width leaves
    room for (a fixed ten ran into each other in a narrow panel)."""
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("epoch", fontsize=_FONT)
    ax.xaxis.set_major_locator(MaxNLocator("auto", integer=True, min_n_ticks=1))


def _plot_series(ax: Any, recs: list[dict[str, Any]], key: str, line: dict[str, Any], *,
                 band_alpha: float | None) -> None:
    """One run's estimates of one quantity, their interval band, the plug-in values beside
    corrected ones, and a cross on each estimate whose solve was not certified; a seed of a
    group (``band_alpha`` None) has its line and crosses only, under its group's band.

    A value that is missing (``None``: a failed solve gave no number) leaves a gap in the line;
    its cross stands on the epoch axis, below every value.
    """
    epochs = [r["epoch"] for r in recs]
    _plot_line(ax, epochs, _values(r[key] for r in recs), line)
    uncertified = [r for r in recs if not certified(r)]
    valued = [r for r in uncertified if r[key] is not None]
    if valued:
        ax.plot([r["epoch"] for r in valued], _values(r[key] for r in valued), **_UNCERTIFIED)
    missing = [r["epoch"] for r in uncertified if r[key] is None]
    if missing:
        ax.plot(missing, [0] * len(missing), transform=ax.get_xaxis_transform(), **_NO_NUMBER)
    if band_alpha is None:
        return
    banded = [r for r in recs if r.get("intervals")]
    _band(ax, [r["epoch"] for r in banded], *(_values(r["intervals"][key][i] for r in banded)
                                             for i in (0, 1)), line["color"], band_alpha)
    plugged = [r for r in recs if r.get("plugin") and corrected(r)]
    if plugged:
        ax.plot([r["epoch"] for r in plugged], _values(r["plugin"][key] for r in plugged),
                color=line["color"], linestyle=":", linewidth=0.8, alpha=0.6)


def _values(values: Iterable[float | None]) -> np.ndarray:
    """``values`` as floats, a missing one (``None``) as NaN: a gap in a line or band."""
    return np.array(list(values), dtype=float)


def _plot_atoms(groups: list[RunGroup], lines: dict[str, dict[str, Any]],
                rounds: dict[str, int], note: str, *, all_layers: bool) -> Any:
    """The figure of ``pid_atoms.png`` (the innermost layer, six panels) or, ``all_layers``, of
    ``pid_atoms_all_layers.png`` (a row of four atoms per audited layer), of the audited
    ``groups``.

    Gaussian runs beside discrete ones get panels of their own, below the discrete ones: their
    bits are not comparable, and on a shared axis (or a twin axis on the right) heights
    invited the comparison."""
    from matplotlib.figure import Figure

    estimates = {group.legend: audit_estimate(next(run for run in group.runs
                                                   if run.audit).audit[-1])
                 for group in groups}
    kind = {legend: estimate.split(",")[0] for legend, estimate in estimates.items()}
    kinds = sorted(set(kind.values()))  # discrete above gaussian
    blocks, panels, shape, size = _atom_layout(groups, kind, all_layers=all_layers)
    fig = Figure(figsize=size, layout="constrained")
    # each block (a layer, an estimator) has its panels in order, in a row or two of the grid
    grid = fig.subplots(shape[0] * len(blocks), shape[1], squeeze=False)
    # the innermost layer of each group, which the title names, or each group's legend entry
    # when they differ (another network, or a run killed before its last layer's audit)
    inner = {group.legend: max(innermost_layer(run.audit) for run in group.runs if run.audit)
             for group in groups}
    same = next(iter(inner.values())) if len(set(inner.values())) == 1 else None
    where = {legend: "" if all_layers or same is not None else f", layer {layer}"
             for legend, layer in inner.items()}
    # the bands of many groups, stacked, stay see-through (at most 0.6 opaque)
    band_alpha = min(0.2, 0.6 / len(groups))
    # a mean where some seed has epochs that others lack is of those all have, so the legend
    # says (in words, not epochs: a seed killed during an audit has more of a layer than another)
    layers = _audited_layers(groups)
    averaged = {group.legend: _atoms_averaged(group, layers) for group in groups}
    order = []  # the legend's entries of the groups, by their group's place
    for (layer, each), row in zip(blocks, grid.reshape(len(blocks), -1), strict=True):
        for ax, (key, label) in zip(row, panels, strict=True):
            for group in (group for group in groups if kind[group.legend] == each):
                # the legend says how a group's atoms were estimated; Gaussian ones are squares
                style = {"label": f"{where[group.legend]} ({estimates[group.legend]})"
                                   f"{averaged[group.legend]}",
                         **_marker(rounds[group.runs[0].name], gaussian=each == "gaussian")}
                shown = inner[group.legend] if layer is None else layer
                order.append((groups.index(group), _plot_group_atoms(
                    ax, group, key, shown, lines, rounds, style, band_alpha=band_alpha)))
            title = label if layer is None else f"layer {layer}: {label}"
            _dress_panel(ax, f"{title}, {each}" if len(kinds) > 1 else title,
                         f"{each} bits" if len(kinds) > 1 or each == "gaussian" else "bits")
    lone = any(len(group.runs) == 1 for group in groups)
    seeds = any(len(group.runs) > 1 for group in groups)
    # as the legend names each run or group
    entry = ("run" if not seeds else "run or group of seeds" if lone else "group of seeds") + (
        ", layer" if any(where.values()) else "")
    title = fig.suptitle(_atoms_title(all_layers=all_layers, same=same, entry=entry,
                                      kinds=kinds, note=note, lone=lone, seeds=seeds),
                         fontsize=_FONT + 1)
    _figure_legend(fig, [label for _, label in sorted(order, key=lambda place: place[0])],
                   title)
    return fig


def _atom_layout(groups: list[RunGroup], kind: dict[str, str], *, all_layers: bool
                 ) -> tuple[list[tuple[int | None, str]], tuple, tuple[int, int],
                            tuple[float, float]]:
    """The blocks of a PID figure (a layer, or ``None`` for each group's innermost, and an
    estimator: a row of panels, or two), its panels, the shape of a block and the figure's
    size in inches."""
    kinds = sorted(set(kind.values()))
    if not all_layers:
        return [(None, each) for each in kinds], _PANELS, (2, 3), (13, 5.4 * len(kinds) + 1.2)
    records = [(kind[group.legend], record["layer"]) for group in groups for run in group.runs
               for record in run.audit]
    # a row for each layer and estimator that has records (a run may audit other layers)
    blocks = [(layer, each) for layer in sorted({layer for _, layer in records})
              for each in kinds if (each, layer) in records]
    # 2.6 inches for each row of panels, 1.2 for the title's four lines above them, and no
    # wider than pid_atoms.png, so that its text is as large when shown 850 pixels wide
    return blocks, _PANELS[:4], (1, 4), (2.6 * 4 + 2.4, 2.6 * len(blocks) + 1.2)


def _plot_group_atoms(ax: Any, group: RunGroup, key: str, layer: int,
                      lines: dict[str, dict[str, Any]], rounds: dict[str, int],
                      style: dict[str, Any], *, band_alpha: float) -> str:
    """One group's quantity ``key`` at ``layer`` in a panel: a lone run's line, or the seeds'
    thin lines under their mean over the epochs all have, with its band. ``style`` is the
    marker and what the legend entry says after the group's name. Returns the entry."""
    recs = audit_epochs(group, layer)[1]
    if len(group.runs) == 1:
        run = group.runs[0]
        line = {**lines[run.name], **style, "label": run.name + style["label"]}
        _plot_series(ax, recs[0], key, line, band_alpha=band_alpha)
        return line["label"]
    for run, series in zip(group.runs, recs, strict=True):
        _plot_series(ax, series, key, lines[run.name], band_alpha=None)
    line = {**_mean_line(group, lines, rounds, ""), **style,
            "label": group.legend + style["label"]}
    _plot_mean(ax, *common_epochs(recs, key), line, band_alpha=band_alpha)
    return line["label"]


def _dress_panel(ax: Any, title: str, ylabel: str) -> None:
    """Title, label, ticks and grid of a PID panel, whose y axis is at least
    :data:`_LEAST_BITS` high."""
    ax.set_title(title, fontsize=_FONT + 1)
    _epoch_axis(ax)
    ax.set_ylabel(ylabel, fontsize=_FONT)
    ax.tick_params(labelsize=_FONT)
    ax.grid(alpha=0.3)
    low, high = ax.get_ylim()
    if high - low < _LEAST_BITS:
        middle = (low + high) / 2
        ax.set_ylim(middle - _LEAST_BITS / 2, middle + _LEAST_BITS / 2)


def _figure_legend(fig: Any, order: list[str], title: Any) -> None:
    """A legend of one entry per label of ``fig``'s panels, clear of its ``title``
    (:func:`_place_legend`): the entries in ``order`` first, then the rest (the crosses)."""
    handles = {label: handle for ax in fig.axes
               for handle, label in zip(*ax.get_legend_handles_labels(), strict=True)}
    first = list(dict.fromkeys(order))
    handles = {label: handles[label] for label in sorted(
        handles, key=lambda label: first.index(label) if label in first else len(first))}
    _place_legend(fig, list(handles.values()), list(handles), title=title,
                  experiments=len(first))


def _place_legend(fig: Any, handles: list[Any], labels: list[str], *, title: Any = None,
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
        kept = {"title": f"the first {_MOST_ENTRIES} of {named} experiments (beyond, colours "
                         "and markers repeat; report.md's tables name every run)",
                "title_fontsize": _FONT}
        handles = [*handles[:_MOST_ENTRIES], *handles[named:]]
        labels = [*labels[:_MOST_ENTRIES], *labels[named:]]
    renderer = FigureCanvasAgg(fig).get_renderer()
    width, height = fig.get_size_inches()
    legend = fig.legend(handles, labels, loc="outside right", fontsize=_FONT)
    column = legend.get_window_extent(renderer)
    above = 0 if title is None else title.get_window_extent(renderer).height
    if (not kept and column.height <= height * fig.dpi - 2 * above
            and column.width <= _BESIDE_WIDTH * width * fig.dpi):
        return
    room = _LEGEND_WIDTH * width * fig.dpi  # clear of the figure's edges
    for ncols in range(max(1, int(room // column.width)), 0, -1):
        legend.remove()
        legend = fig.legend(handles, labels, loc="outside lower center", fontsize=_FONT,
                            ncols=ncols, **kept)
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
    wider by :func:`_place_legend`); ``kept``: its title, if any."""
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
                            loc="outside lower center", fontsize=_FONT, **kept)
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


def _atoms_title(*, all_layers: bool, same: int | None, entry: str, kinds: list[str],
                 note: str, lone: bool, seeds: bool) -> str:
    """The title of a PID figure: what it shows, what its legend, lines and bands are (those
    of a ``lone`` run, and of the groups of ``seeds``), and the line styles (``note``) and
    markers in use."""
    which = "each run's: in the legend" if same is None else f"layer {same}"
    title = "PID of (Y, T, S) per layer" if all_layers else (
        f"PID of (Y, T, S), innermost distilled layer ({which}), held-out set")
    squares = (f"squares: gaussian{', in panels of their own' if len(kinds) > 1 else ''} "
               "(linearly decodable bits: may exceed H(Y), not comparable with discrete ones)"
               if "gaussian" in kinds else "")
    legend = f"legend: {entry} (estimator, correction or plug-in)"
    bands = "a lone run's bands" if seeds else "bands"
    return "\n".join([
        title, f"{legend}; dotted: plug-in of a corrected line" if lone else legend,
        *([_SPREAD] if seeds else []),
        *([f"{bands} (a bar for one epoch): bootstrap intervals, which need not hold their line "
           "(docs/estimate.md, Bootstrap intervals)"] if lone else []),
        ", ".join(filter(None, (note, squares)))])


def _png(fig: Any) -> bytes:
    """``fig`` as a PNG file's bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    return buffer.getvalue()
