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

Each run keeps one colour in every figure (up to ten runs, colours that colour-blind readers
tell apart); its line style says where its teacher came from (solid: trained, dashed:
untrained, dash-dot: a teacher file), and the figures say so. Where the metrics records give the
size of the held-out set (``test_n``), the accuracy has a band of one binomial standard error,
so that the axis does not zoom into noise. Text is at least :data:`_FONT` points, readable
when a markdown viewer shows a figure about 850 pixels wide. They are drawn on
:class:`matplotlib.figure.Figure` objects, not through pyplot, so the caller's
backend and open figures (a notebook's) are left as they are.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import numpy as np

from pidkit_distill.run_records import (
    AUDITED_ATOMS,
    RunRecords,
    audit_estimate,
    certified,
    corrected,
    innermost_layer,
)

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

# A line of more points than this has markers on about this many, evenly spaced in epochs:
# markers on each of 300 epochs hid its dashes, the teacher's line style.
_MOST_MARKERS = 20

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

# The least height of a PID panel's y axis, in bits: the table gives atoms to 0.001 bits, and a
# Gaussian Uni of 0 +- 8e-15 (solver noise) drew an axis of '1e-15' over the panel's title.
_LEAST_BITS = 0.01


def draw_figures(runs: list[RunRecords]) -> dict[str, bytes]:
    """Draw the figures of ``runs``; return each PNG file's bytes by file name.

    ``accuracy.png`` always; the :data:`PID_FIGURES` when a run with a completed epoch has an
    audit (``pid_atoms_all_layers.png`` only when more than one layer was audited). A run
    without a completed epoch has no line. Runs are told apart by their names,
    which must differ (:func:`pidkit_distill.run_records.with_distinct_names`).

    Parameters
    ----------
    runs : list of RunRecords

    Returns
    -------
    dict of str to bytes

    Examples
    --------
    >>> from pathlib import Path
    >>> run = RunRecords("x", Path("x"), {"teacher": {"source": "trained"}},
    ...                  [{"epoch": 1, "test_acc": 0.5}], [])
    >>> {name: png[:4] for name, png in draw_figures([run]).items()}
    {'accuracy.png': b'\\x89PNG'}
    """
    lines, note = _run_lines(runs)
    figures = {"accuracy.png": _png(_plot_accuracy(runs, lines, note))}
    audited = [run for run in runs if run.metrics and run.audit]
    layers = {record["layer"] for run in audited for record in run.audit}
    figures.update({name: _png(_plot_atoms(audited, lines, note, all_layers=all_layers))
                    for name, all_layers in PID_FIGURES.items()
                    if audited and (len(layers) > 1 or not all_layers)})
    return figures


def _teacher_style(run: RunRecords) -> tuple[str, str]:
    """The line style of ``run`` (from where its teacher came) and what it means."""
    return _LINE_STYLES.get(run.config["teacher"]["source"], _FILE_STYLE)


def _run_lines(runs: list[RunRecords]) -> tuple[dict[str, dict[str, Any]], str]:
    """Each run's line (by name: one colour and style in every figure), and a note saying what
    the line styles in use mean.

    The colours are the shortest of :data:`_COLORS` that has one for each run (told apart by
    colour-blind readers too) for up to ten runs, then ``tab20``'s twenty, then as many taken
    evenly from ``turbo``: no two runs share one.
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    n = len(runs)
    colors = (list(next(seq for size, seq in _COLORS.items() if n <= size)[:n]) if n <= 10
              else [to_hex(colormaps["tab20"](i)) for i in range(n)] if n <= 20
              else [to_hex(colormaps["turbo"](i / (n - 1))) for i in range(n)])
    lines = {run.name: {"color": color, "linestyle": _teacher_style(run)[0], "label": run.name,
                        "marker": "o", "markersize": 3}
             for run, color in zip(runs, colors, strict=True)}
    note = ", ".join(dict.fromkeys(_teacher_style(run)[1] for run in runs))
    return lines, note


def _plot_accuracy(runs: list[RunRecords], lines: dict[str, dict[str, Any]], note: str) -> Any:
    """The figure of ``accuracy.png``: each run's held-out accuracy over epochs."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.5, 4.5), layout="constrained")
    ax = fig.subplots()
    banded = False
    for run in runs:
        if run.metrics:
            epochs = [m["epoch"] for m in run.metrics]
            acc = _values(m["test_acc"] for m in run.metrics)
            _plot_line(ax, epochs, acc, lines[run.name])
            n = _values(m.get("test_n") for m in run.metrics)
            if not np.isnan(n).all():  # one binomial standard error, the noise of the estimate
                error = np.sqrt(acc * (1 - acc) / n)
                ax.fill_between(epochs, acc - error, acc + error, color=lines[run.name]["color"],
                                alpha=min(0.2, 0.6 / len(runs)), linewidth=0)
                banded = True
    _epoch_axis(ax)
    ax.set_ylabel("held-out accuracy (fraction correct)", fontsize=_FONT)
    band = "\nbands: ±1 binomial standard error of each accuracy" if banded else ""
    ax.set_title(f"Student accuracy on the held-out set\n({note}){band}", fontsize=_FONT + 1)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=_FONT)
    # beside the plot, never over a line; halfway down, clear of the title's long lines
    fig.legend(loc="outside right", fontsize=_FONT)
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
                 band_alpha: float) -> None:
    """One run's estimates of one quantity, their interval band, the plug-in values beside
    corrected ones, and a cross on each estimate whose solve was not certified.

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
    banded = [r for r in recs if r.get("intervals")]
    band_epochs = [r["epoch"] for r in banded]
    low, high = (_values(r["intervals"][key][i] for r in banded) for i in (0, 1))
    if len(banded) == 1:  # a band over one epoch has no width: a bar shows the interval
        ax.vlines(band_epochs, low, high, color=line["color"], alpha=max(band_alpha, 0.4),
                  linewidth=4)
    elif banded:
        ax.fill_between(band_epochs, low, high, color=line["color"], alpha=band_alpha,
                        linewidth=0)
    plugged = [r for r in recs if r.get("plugin") and corrected(r)]
    if plugged:
        ax.plot([r["epoch"] for r in plugged], _values(r["plugin"][key] for r in plugged),
                color=line["color"], linestyle=":", linewidth=0.8, alpha=0.6)


def _values(values: Iterable[float | None]) -> np.ndarray:
    """``values`` as floats, a missing one (``None``) as NaN: a gap in a line or band."""
    return np.array(list(values), dtype=float)


def _plot_atoms(audited: list[RunRecords], lines: dict[str, dict[str, Any]], note: str, *,
                all_layers: bool) -> Any:
    """The figure of ``pid_atoms.png`` (the innermost layer, six panels) or, ``all_layers``, of
    ``pid_atoms_all_layers.png`` (a row of four atoms per audited layer).

    Gaussian runs beside discrete ones get panels of their own, below the discrete ones: their
    bits are not comparable, and on a shared axis (or a twin axis on the right) heights
    invited the comparison."""
    from matplotlib.figure import Figure

    estimates = {run.name: audit_estimate(run.audit[-1]) for run in audited}
    kind = {name: estimate.split(",")[0] for name, estimate in estimates.items()}
    kinds = sorted(set(kind.values()))  # discrete above gaussian
    mixed = len(kinds) > 1
    if all_layers:
        layers = sorted({r["layer"] for run in audited for r in run.audit})
        panels, shape = _PANELS[:4], (1, 4)
        # a row for each layer and estimator that has records (a run may audit other layers)
        blocks = [(layer, each) for layer in layers for each in kinds
                  if any(kind[run.name] == each and r["layer"] == layer
                         for run in audited for r in run.audit)]
        # 2.6 inches for each row of panels, 1.2 for the title's four lines above them, and no
        # wider than pid_atoms.png, so that its text is as large when shown 850 pixels wide
        size = (2.6 * len(panels) + 2.4, 2.6 * len(blocks) + 1.2)
    else:
        panels, shape = _PANELS, (2, 3)
        blocks = [(None, each) for each in kinds]
        size = (13, 5.4 * len(blocks) + 1.2)
    fig = Figure(figsize=size, layout="constrained")
    # each block (a layer, an estimator) has its panels in order, in a row or two of the grid
    grid = fig.subplots(shape[0] * len(blocks), shape[1], squeeze=False)
    rows = list(zip(blocks, grid.reshape(len(blocks), -1), strict=True))
    # the innermost layer of each run, which the title names, or each run's legend entry when
    # the runs differ (another network, or a run killed before its last layer's audit)
    inner = {run.name: innermost_layer(run.audit) for run in audited}
    same = inner[audited[0].name] if len(set(inner.values())) == 1 else None
    where = {name: "" if all_layers or same is not None else f", layer {layer}"
             for name, layer in inner.items()}
    # the legend says how each run's atoms were estimated; a Gaussian estimate has squares
    styles = {name: {**lines[name], "label": f"{name}{where[name]} ({estimate})",
                     "marker": "s" if kind[name] == "gaussian" else "o"}
              for name, estimate in estimates.items()}
    for (layer, each), row in rows:
        for ax, (key, label) in zip(row, panels, strict=True):
            for run in audited:
                if kind[run.name] != each:
                    continue
                shown = inner[run.name] if layer is None else layer
                recs = [r for r in run.audit if r["layer"] == shown]
                # the bands of many runs, stacked, stay see-through (at most 0.6 opaque)
                _plot_series(ax, recs, key, styles[run.name],
                             band_alpha=min(0.2, 0.6 / len(audited)))
            title = label if layer is None else f"layer {layer}: {label}"
            ax.set_title(f"{title}, {each}" if mixed else title, fontsize=_FONT + 1)
            _epoch_axis(ax)
            ax.set_ylabel(f"{each} bits" if mixed or each == "gaussian" else "bits",
                          fontsize=_FONT)
            ax.tick_params(labelsize=_FONT)
            ax.grid(alpha=0.3)
            low, high = ax.get_ylim()
            if high - low < _LEAST_BITS:
                middle = (low + high) / 2
                ax.set_ylim(middle - _LEAST_BITS / 2, middle + _LEAST_BITS / 2)
    handles = {label: handle for ax in fig.axes
               for handle, label in zip(*ax.get_legend_handles_labels(), strict=True)}
    runs_first = [styles[run.name]["label"] for run in audited]  # in the runs' order, then crosses
    handles = {label: handles[label] for label in sorted(
        handles, key=lambda label: runs_first.index(label) if label in runs_first else len(audited))}
    # beside the plots, halfway down: at the top it ran into the title's long lines
    fig.legend(handles.values(), handles.keys(), loc="outside right", fontsize=_FONT)
    which = "each run's: in the legend" if same is None else f"layer {same}"
    title = "PID of (Y, T, S) per layer" if all_layers else (
        f"PID of (Y, T, S), innermost distilled layer ({which}), held-out set")
    squares = (f"squares: gaussian{', in panels of their own' if mixed else ''} (linearly "
               "decodable bits: may exceed H(Y), not comparable with discrete ones)"
               if "gaussian" in kinds else "")
    entry = "run, layer" if any(where.values()) else "run"  # as the legend names each run
    fig.suptitle(f"{title}\nlegend: {entry} (estimator, correction or plug-in); dotted: plug-in of a "
                 "corrected line\nbands (a bar for one epoch): bootstrap intervals, which need not "
                 "hold their line (docs/estimate.md, Bootstrap intervals)\n"
                 f"{', '.join(filter(None, (note, squares)))}", fontsize=_FONT + 1)
    return fig


def _png(fig: Any) -> bytes:
    """``fig`` as a PNG file's bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    return buffer.getvalue()
