"""Each experiment's line in the report's figures: its look, and how it is drawn.

Each experiment keeps one colour and marker in every figure, its colour fixed by its method
(:func:`run_lines`, :mod:`pidkit_distill.report.figure_looks`); a run's line style says where its
teacher came from. The seeds of one experiment are thin and faint under their mean, drawn with
a band of ±1 standard deviation across them (:func:`plot_mean`). A long line has markers on
about :data:`_MOST_MARKERS` points (:func:`plot_line`). The epoch axis has its ticks on
multiples of the epochs' common step (:func:`epoch_axis`). The line of a run that ended short of
its epochs ends in a mark, the same in every figure (:func:`mark_end`): a bar where it was
stopped or failed, a square where ``run.early_stop`` ended it. Where ``run.early_stop`` ended a
group's seeds at different epochs, the table of seeds gives each seed's own last value, beyond
the epochs its mean line covers: a diamond with a bar marks that mean ± sd at the seeds' mean
last epoch (:func:`plot_seed_ends`). Text is at least :data:`FONT` points.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np

from pidkit_distill.registry import registry_key
from pidkit_distill.report.cells import table_cell
from pidkit_distill.report.figure_looks import experiment_looks, marker
from pidkit_distill.report.states import stopped_early_at
from pidkit_distill.run_folders.groups import RunGroup, mean_sd
from pidkit_distill.run_folders.records import RunRecords

__all__ = ["EARLY_STOP", "ENDED", "FEWER_SEEDS", "FONT", "SEED_ENDS", "SPREAD", "averaged_note",
           "end_mark_entries", "epoch_axis", "epoch_step", "float_values", "last_audit_note",
           "mark_end", "marked_points", "mean_line", "plot_band", "plot_line", "plot_mean",
           "plot_seed_ends", "run_lines", "same_line_notes", "state_note"]

# A line of more points than this has markers on about this many, evenly spaced in epochs:
# markers on each of 300 epochs hid its dashes, the teacher's line style.
_MOST_MARKERS = 20

# The size of the figures' smallest text (legend, axis labels, ticks), in points: 7 points of a
# 13-inch figure were 6 pixels high where a markdown viewer shows it 850 pixels wide.
FONT = 10

_LINE_STYLES = {"trained": ("-", "solid: trained teacher"),
                "untrained": ("--", "dashed: untrained teacher")}
_FILE_STYLE = ("-.", "dash-dot: teacher from a file")

# A seed of a group of runs: thin and faint under its group's mean, unnamed in the legend.
_SEED = {"linewidth": 0.8, "alpha": 0.4, "marker": ""}
# The legend's entry of a group's mean where some seed has no value (:func:`plot_mean`).
FEWER_SEEDS = {"linestyle": "none", "marker": "o", "fillstyle": "none", "color": "black",
               "markersize": 8, "markeredgewidth": 1.5,
               "label": "hollow: mean of fewer seeds (how many above it); no line there"}
# The legend's entry of the bar that ends the line of a stopped or failed run (:func:`mark_end`):
# a bar, as the line was cut there; not a cross, which marks a solve not certified (or failed).
ENDED = {"linestyle": "none", "marker": "|", "color": "black", "markersize": 12,
         "markeredgewidth": 2, "label": "bar: where a stopped or failed run's line ends"}
EARLY_STOP = {"linestyle": "none", "marker": "s", "color": "black", "markersize": 6, "zorder": 3,
              "label": "square: where run.early_stop ended a run (finished)"}
"""The legend's entry of the square ending the line of a run that ``run.early_stop`` ended
(:func:`mark_end`), in every figure: finished, not cut as a stopped run's, whose bar
(``ENDED``) it is not."""
SEED_ENDS = {"linestyle": "none", "marker": "D", "markersize": 8, "color": "0.6",
             "markeredgecolor": "black", "markeredgewidth": 1, "zorder": 4,
             "label": "diamond and bar: mean ± sd of each seed's own end, as the table of seeds "
                      "gives it\n(run.early_stop ended the seeds apart), at their mean last epoch"}
"""The legend's entry of the mark of a group whose seeds ``run.early_stop`` ended at different
epochs (:func:`plot_seed_ends`): a diamond in the group's colour, edged in black, with a bar of
±1 sd; not hollow, which is a mean of fewer seeds (:data:`FEWER_SEEDS`), nor a dot, a best
epoch."""
# What a legend entry says of a run short of its run.epochs, by the start of its state as
# report.md gives it (pidkit_distill.report); the first two have their line ended by a bar.
_STATE_WORDS = {"stopped": "stopped after", "failed": "failed after",
                "still training": "still training, at", "running or stopped": "running or "
                "stopped (not known), after"}
# What the band of a group's mean is, in a figure's title.
SPREAD = "bands: ±1 sd across seeds about each mean (faint lines: the seeds)"


def _teacher_style(run: RunRecords) -> tuple[str, str]:
    """The line style of ``run`` (from where its teacher came) and what it means."""
    return _LINE_STYLES.get(run.config["teacher"]["source"], _FILE_STYLE)


def _method(group: RunGroup) -> str:
    """The method of ``group`` as the registries name it (``method.name``, without its preset:
    ``rid (paper)`` is a variant of ``rid``), ``""`` for a configuration without one."""
    name = (group.runs[0].config.get("method") or {}).get("name", "")
    return registry_key(name) if isinstance(name, str) else ""


def run_lines(groups: list[RunGroup]
              ) -> tuple[dict[str, dict[str, Any]], dict[str, int], str]:
    """Each run's line (by name: one colour, marker and style in every figure; a seed of a
    group thin, faint and unmarked in its group's colour), each group's round of colours (by
    its first run's name: which markers it has, :func:`~pidkit_distill.report.figure_looks.marker`),
    and a note saying what the line styles in use mean.

    A group's colour is its method's, a shade of it for a further variant of the method with
    the same line style (:func:`~pidkit_distill.report.figure_looks.experiment_looks`): adding an
    experiment of another method, or of another teacher, re-colours no other.

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(name, method, source):
    ...     config = {"method": {"name": method}, "teacher": {"source": source}}
    ...     return RunRecords(name, Path(name), config, [], [])
    >>> lines, rounds, note = run_lines([RunGroup("kd", [run("a", "kd", "trained")]),
    ...                                  RunGroup("vid", [run("b", "vid", "untrained")])])
    >>> [(line["color"], line["linestyle"]) for line in lines.values()], note
    ([('#ffa90e', '-'), ('#832db6', '--')], 'solid: trained teacher, dashed: untrained teacher')
    """
    styles = [_teacher_style(group.runs[0])[0] for group in groups]
    looks = experiment_looks([_method(group) for group in groups], styles)
    lines, rounds = {}, {}
    for group, style, (color, round_) in zip(groups, styles, looks, strict=True):
        rounds[group.runs[0].name] = round_
        for run in group.runs:
            line = {"color": color, "linestyle": style, "label": run.name, **marker(round_)}
            lines[run.name] = line if len(group.runs) == 1 else {
                **line, **_SEED, "label": f"_{run.name}"}
    note = ", ".join(dict.fromkeys(_teacher_style(run)[1] for group in groups
                                   for run in group.runs))
    return lines, rounds, note


def mean_line(group: RunGroup, lines: dict[str, dict[str, Any]], rounds: dict[str, int],
              label: str) -> dict[str, Any]:
    """The line of a group's mean, in its colour, style and marker, named ``label``."""
    first = lines[group.runs[0].name]
    return {"color": first["color"], "linestyle": first["linestyle"], "label": label,
            "linewidth": 2, **marker(rounds[group.runs[0].name])}


def averaged_note(epochs: list[int], records: list[list[dict[str, Any]]]) -> str:
    """What a legend entry says, on a line of its own, of a mean over the ``epochs`` that all
    seeds' ``records`` have, where some seed has others (a killed seed): which epochs it is
    of; nothing where the seeds have the same epochs."""
    if not any({record["epoch"] for record in run} - set(epochs) for run in records):
        return ""
    if not epochs:
        return "\nno mean: no epoch that all seeds have"
    return f"\nmean of {_span(epochs)} only (all seeds have them)"


def _span(epochs: list[int]) -> str:
    """``epochs``, in order, in words: ``epoch 0``, or ``epochs 1-2`` from the first to the last."""
    return f"epoch {epochs[0]}" if len(epochs) == 1 else f"epochs {epochs[0]}-{epochs[-1]}"


def same_line_notes(drawn: Sequence[tuple[str, Mapping[Hashable, tuple[list[int], Any]]]]
                    ) -> dict[str, str]:
    """The legend note of each entry of a figure whose lines a line drawn after them covers in
    every panel, by its name: `` (same as NAME)``, or, where NAME's line goes on beyond them,
    `` (same as NAME at epochs 1-2)`` (the epochs of the covered line); NAME is the last of
    those that cover it, the one seen. So the legend names a line that cannot be seen: two
    runs of one student where a method ignores the teacher (``synthetic-bas-tt`` under
    ``synthetic-bas-ut`` in the demo), a killed copy of a run under the run's first epochs, the
    epoch-0 audits of runs of the same untrained networks.

    Parameters
    ----------
    drawn : sequence of (str, mapping)
        Each legend entry in drawing order: its name, and its line in each panel it has one
        in, by panel: the line's epochs, in order, and its values, the last axis along the
        epochs (a row per seed for a group's seeds: their mean is the same where they are).
        A line covers another in a panel where the other's epochs follow one another among its
        own and its values there are the other's (``NaN`` where the other's are).

    Returns
    -------
    dict of str to str
        The note of each covered entry; an entry without a point is not one.

    Examples
    --------
    >>> line = ([1, 2], np.array([0.5, 0.75]))
    >>> longer = ([1, 2, 3], np.array([0.5, 0.75, 0.8]))
    >>> same_line_notes([("tt", {"accuracy": line}), ("ut", {"accuracy": line})])
    {'tt': ' (same as ut)'}
    >>> same_line_notes([("k9", {"accuracy": line}), ("k9b", {"accuracy": longer})])
    {'k9': ' (same as k9b at epochs 1-2)'}
    >>> same_line_notes([("k9b", {"accuracy": longer}), ("k9", {"accuracy": line})])
    {}
    """
    notes = {}
    for i, (name, panels) in enumerate(drawn):
        lines = {panel: line for panel, line in panels.items() if line[0]}
        over = [(later, later_panels) for later, later_panels in drawn[i + 1:] if lines and all(
            panel in later_panels and _covers(later_panels[panel], line)
            for panel, line in lines.items())]
        if over:
            later, later_panels = over[-1]
            exact = all(later_panels[panel][0] == line[0] for panel, line in lines.items())
            epochs = sorted({epoch for line in lines.values() for epoch in line[0]})
            notes[name] = f" (same as {later})" if exact else f" (same as {later} at {_span(epochs)})"
    return notes


def _covers(over: tuple[list[int], Any], under: tuple[list[int], Any]) -> bool:
    """Whether the line ``over`` (its epochs and values, :func:`same_line_notes`) passes through
    each point of ``under`` and between them as ``under`` does: ``under``'s epochs follow one
    another among its own, with the same values (``NaN`` where ``under``'s are)."""
    epochs, values = under
    if epochs[0] not in over[0]:
        return False
    start = over[0].index(epochs[0])
    points = slice(start, start + len(epochs))
    return over[0][points] == epochs and np.array_equal(
        np.asarray(over[1], dtype=float)[..., points], np.asarray(values, dtype=float),
        equal_nan=True)


def state_note(group: RunGroup, states: Mapping[str, str], *, audits: bool = False) -> str:
    """What a legend entry says, on a line of its own, of the runs of ``group`` short of their
    ``run.epochs``: each one's state as report.md gives it (``states``, by run name: ``""``, or
    a name not in it, for a run that ended its epochs) and its last epoch, after the seeds it
    is true of in a group of seeds; nothing where every run ended its epochs. In a figure of
    ``audits`` (the PID figures), whose lines end at a run's last audit, the note names that
    audit's epoch too where it is not the last epoch (:func:`last_audit_note`): a run stopped
    after epoch 47 whose last audit is of epoch 0 has its line, and the bar ending it, at 0.

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(name, seed, done):
    ...     return RunRecords(name, Path(name), {"run": {"seed": seed, "epochs": 40}},
    ...                       [{"epoch": e} for e in range(1, done + 1)], [])
    >>> print(state_note(RunGroup("vid", [run("s2", 2, 40), run("s3", 3, 8), run("s4", 4, 8)]),
    ...                  {"s2": "", "s3": "stopped, its checkpoint.pt gone", "s4": "stopped"}))
    <BLANKLINE>
    seeds 3, 4 stopped after epoch 8 of 40
    >>> state_note(RunGroup("bas", [run("s0", 0, 2)]), {"s0": "failed"})
    '\\nfailed after epoch 2 of 40'
    >>> audited = RunRecords("kd", Path("kd"), {"run": {"epochs": 200}},
    ...                      [{"epoch": e} for e in range(1, 48)], [{"epoch": 0, "layer": 2}])
    >>> print(state_note(RunGroup("kd", [audited]), {"kd": "stopped"}, audits=True))
    <BLANKLINE>
    stopped after epoch 47 of 200; last audit epoch 0, before training
    """
    said: dict[str, list[str]] = {}  # the seeds (or names) of the runs of each note
    for run, seed in zip(group.runs, group.seeds, strict=True):
        state = states.get(run.name, "")
        if state and run.metrics:  # a run without an epoch has no line
            words = next((words for start, words in _STATE_WORDS.items()
                          if state.startswith(start)), f"{state}, after")
            note = f"{words} epoch {run.metrics[-1]['epoch']} of {run.config['run']['epochs']}"
            if audits:
                note += last_audit_note(run)
            said.setdefault(note, []).append(run.name if seed is None else str(seed))
    if len(group.runs) == 1:
        return "".join(f"\n{note}" for note in said)
    notes = [f"seed{'s' * (len(seeds) > 1)} {', '.join(seeds)} {note}"
             for note, seeds in said.items()]
    return "\n" + "; ".join(notes) if notes else ""


def last_audit_note(run: RunRecords) -> str:
    """What a PID figure's legend entry adds to the state of ``run`` (:func:`state_note`) where
    its last audit, where its lines and the bar ending them stand, is of an earlier epoch than
    its last epoch done: that audit's epoch (``epoch 0``: the untrained networks, before
    training); nothing where they are the same, or it has no audit or no epoch.

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(done, audited):
    ...     return RunRecords("r", Path("r"), {}, [{"epoch": e} for e in range(1, done + 1)],
    ...                       [{"epoch": e, "layer": 1} for e in audited])
    >>> last_audit_note(run(31, [0, 10, 20, 30])), last_audit_note(run(47, [0]))
    ('; last audit epoch 30', '; last audit epoch 0, before training')
    >>> last_audit_note(run(30, [0, 10, 20, 30])), last_audit_note(run(0, [0]))
    ('', '')
    """
    if not run.audit or not run.metrics:
        return ""
    last = max(record["epoch"] for record in run.audit)
    if last == run.metrics[-1]["epoch"]:
        return ""
    return f"; last audit epoch {last}{', before training' if last == 0 else ''}"


def mark_end(ax: Any, run: RunRecords, epochs: list[int], values: Any, state: str | None
             ) -> None:
    """End the line of ``run`` through ``values`` over ``epochs``, at its last point that has
    a value: with :data:`ENDED`'s bar where the run is stopped or failed (its ``state`` in
    report.md, as :func:`state_note` reads it), so that it does not read as a run planned that
    short; with :data:`EARLY_STOP`'s square where ``run.early_stop`` ended it at that point's
    epoch (:func:`~pidkit_distill.report.states.stopped_early_at`; ``state`` ``None``: not
    known, read from its ``summary.json``), finished there.

    Examples
    --------
    >>> from pathlib import Path
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> run = RunRecords("kd", Path("/nonexistent/kd"), {"run": {"epochs": 8}},
    ...                  [{"epoch": e, "test_acc": 0.5} for e in (1, 2, 3)], [])
    >>> mark_end(ax, run, [1, 2, 3], [0.5, 0.6, 0.7], "")
    >>> mark_end(ax, run, [1, 2, 3], [0.5, 0.6, 0.7], "stopped")
    >>> [(line.get_marker(), line.get_xdata().tolist()) for line in ax.get_lines()]
    [('s', [3]), ('|', [3])]
    """
    values = np.asarray(values, dtype=float)
    finite = np.flatnonzero(np.isfinite(values))
    if not finite.size:
        return
    end = finite[-1]
    if (state or "").startswith(("stopped", "failed")):
        look = ENDED
    elif stopped_early_at(run, state) == epochs[end]:
        look = EARLY_STOP
    else:
        return
    ax.plot(epochs[end], values[end], **{**look, "label": f"_{look['label']}"})


def end_mark_entries(axes: list[Any]) -> int:
    """Give each mark of :func:`mark_end` (:data:`ENDED`, :data:`EARLY_STOP`) and of
    :func:`plot_seed_ends` (:data:`SEED_ENDS`) its legend entry, once, in the first of ``axes``,
    where it ends a line in some of them; return how many entries were given."""
    drawn = {line.get_label() for ax in axes for line in ax.get_lines()}
    given = [look for look in (ENDED, EARLY_STOP, SEED_ENDS) if f"_{look['label']}" in drawn]
    for look in given:
        axes[0].plot([], [], **look)
    return len(given)


def plot_seed_ends(ax: Any, epochs: Sequence[int], values: Sequence[float | None],
                   color: str, *, spec: str | None = None) -> str:
    """Mark the end of a group whose seeds ``run.early_stop`` ended at different ``epochs``, each
    seed's last, where its mean line, over the epochs all have, stops short: the mean and ±1
    sample standard deviation of the seeds' ``values`` there (``None``: a seed without one, left
    out), the numbers of the table of seeds, as a :data:`SEED_ENDS` diamond in ``color`` with a
    bar, at the mean of ``epochs``. Returns what the group's legend entry says of it, on a line
    of its own: the seeds' epochs and, given a format ``spec``, the mean ± sd as the table writes
    it (:func:`~pidkit_distill.report.cells.table_cell`); nothing where no seed has a value
    (nothing drawn).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> print(plot_seed_ends(ax, [10, 10, 7], [0.9, 0.8, 0.7], "C0", spec=".4f"))
    <BLANKLINE>
    diamond: each seed's own end (epochs 10, 10, 7): 0.8000 ± 0.1000
    >>> [(float(line.get_xdata()[0]), round(float(line.get_ydata()[0]), 6))
    ...  for line in ax.get_lines() if line.get_marker() == "D"]  # the bar's caps are lines too
    [(9.0, 0.8)]
    >>> print(plot_seed_ends(ax, [10, 7], [0.9, None], "C0", spec=".4f"))
    <BLANKLINE>
    diamond: each seed's own end (epochs 10, 7): 0.9000 (1 of 2 seeds)
    """
    seeds = float_values(values)
    mean, sd = (float(x) for x in mean_sd(seeds))
    if np.isnan(mean):
        return ""
    middle = float(np.mean(epochs))
    if not np.isnan(sd):
        ax.errorbar(middle, mean, yerr=sd, fmt="none", ecolor=color, elinewidth=1.5, capsize=4,
                    zorder=SEED_ENDS["zorder"])
    ax.plot(middle, mean, **{**SEED_ENDS, "color": color, "label": f"_{SEED_ENDS['label']}"})
    note = f"\ndiamond: each seed's own end (epochs {', '.join(map(str, epochs))})"
    if spec is None:
        return note
    known = int(np.isfinite(seeds).sum())
    return (note + f": {table_cell(mean, spec)}"
            + ("" if np.isnan(sd) else f" ± {table_cell(sd, spec)}")
            + ("" if known == len(seeds) else f" ({known} of {len(seeds)} seeds)"))


def plot_mean(ax: Any, epochs: list[int], values: np.ndarray, line: dict[str, Any], *,
              band_alpha: float) -> None:
    """A group's mean of the seeds' ``values`` (a row per seed) over ``epochs``, with a band of
    ±1 sample standard deviation across the seeds (a bar for one epoch).

    The line and its band stand only where every seed has a value. Where some seed has none (a
    failed solve) the mean of the others is a hollow marker, off the line, with the count of
    seeds in it above it ("1/2"): drawn on, the line read as the mean of all seeds, quietly
    turned into one seed's value."""
    mean, sd = mean_sd(values)
    counts = (~np.isnan(np.asarray(values, dtype=float))).sum(axis=0)
    everyone = counts == len(values)
    plot_line(ax, epochs, np.where(everyone, mean, np.nan), line)
    complete = [epoch for epoch, full in zip(epochs, everyone, strict=True) if full]
    if len(complete) == 1:  # one epoch of all seeds: its bar
        plot_band(ax, complete, (mean - sd)[everyone], (mean + sd)[everyone], line["color"],
                  band_alpha)
    else:  # a gap in the band where some seed has no value
        plot_band(ax, epochs, np.where(everyone, mean - sd, np.nan),
                  np.where(everyone, mean + sd, np.nan), line["color"], band_alpha)
    fewer = [i for i, count in enumerate(counts) if 0 < count < len(values)]
    if not fewer:
        return
    hollow = {key: line[key] for key in ("color", "marker")}
    ax.plot([epochs[i] for i in fewer], mean[fewer], linestyle="none", fillstyle="none",
            markersize=FEWER_SEEDS["markersize"], markeredgewidth=1.5, **hollow)
    for i in fewer:
        # above the marker, centred: to its right the count ran over the last epoch's panel edge
        ax.annotate(f"{counts[i]}/{len(values)}", (epochs[i], mean[i]), xytext=(0, 7),
                    textcoords="offset points", ha="center", va="bottom", fontsize=FONT,
                    color=line["color"])
    ax.plot([], [], **FEWER_SEEDS)  # the legend's entry, in black as the crosses'


def plot_band(ax: Any, epochs: list[int], low: Any, high: Any, color: str, alpha: float) -> None:
    """A band from ``low`` to ``high`` over ``epochs``; over one epoch, which gives a band no
    width, a bar."""
    if len(epochs) == 1:
        ax.vlines(epochs, low, high, color=color, alpha=max(alpha, 0.4), linewidth=4)
    elif epochs:
        ax.fill_between(epochs, low, high, color=color, alpha=alpha, linewidth=0)


def plot_line(ax: Any, epochs: list[int], values: Any, line: dict[str, Any]) -> None:
    """Draw ``line`` through ``values`` over ``epochs``, with a marker on every point, or, on a
    long line, whose line style stays visible, on the points nearest :data:`_MOST_MARKERS`
    epochs evenly spaced from its first to its last (epochs missing from a resumed run's
    records, or audited every k-th only, move no marker), and on each lone point
    (:func:`marked_points`)."""
    ax.plot(epochs, values, **line, markevery=marked_points(epochs, values))


def marked_points(epochs: Sequence[int], values: Any) -> slice | list[int]:
    """Which points of a line through ``values`` over ``epochs`` have a marker (a ``markevery``):
    each lone point, a value whose neighbours have none (``NaN``), which no segment of the line
    reaches, so that only its marker shows it (a RID filter epoch between student epochs); and
    of the points on segments, all where they are at most :data:`_MOST_MARKERS`, else those
    nearest :data:`_MOST_MARKERS` epochs evenly spaced from the first of them to the last.

    Examples
    --------
    >>> nan = float("nan")
    >>> marked_points([1, 2, 3], [0.5, nan, 0.7])
    slice(None, None, None)
    >>> epochs = list(range(1, 31))
    >>> filter_epochs = [1, 2, 3, 4, 8, 12, 16, 20, 24, 28]
    >>> points = marked_points(epochs, [1.0 if e in filter_epochs else nan for e in epochs])
    >>> points == slice(None)  # ten points: all marked, 8 and 20 included
    True
    >>> lone_two = [nan if e in (1, 3) else 1.0 for e in epochs]  # 2 between gaps: no segment
    >>> print(*(epochs[i] for i in marked_points(epochs, lone_two)))  # 20 of 4-30, and 2
    2 4 5 7 8 9 11 12 14 15 16 18 19 20 22 23 25 26 27 29 30
    """
    known = np.isfinite(np.asarray(values, dtype=float))
    before = np.concatenate([[False], known[:-1]])
    after = np.concatenate([known[1:], [False]])
    lone = known & ~before & ~after
    on_segments = np.flatnonzero(known & ~lone)
    if len(on_segments) <= _MOST_MARKERS:
        return slice(None)
    spots = np.asarray(epochs, dtype=float)[on_segments]
    even = {int(on_segments[np.abs(spots - epoch).argmin()])
            for epoch in np.linspace(spots[0], spots[-1], _MOST_MARKERS)}
    return sorted(even | {int(i) for i in np.flatnonzero(lone)})


def epoch_step(epochs: Iterable[float]) -> int:
    """The step that all ``epochs`` are multiples of, the greatest: ``run.audit_every`` for the
    audits of one (``0, 2, 4, 6``: 2), 1 for the epochs of accuracies; 1 where some epoch is
    not whole, or none is above 0.

    Examples
    --------
    >>> epoch_step([0, 2, 4, 6]), epoch_step([0, 2, 4, 5]), epoch_step([0]), epoch_step([])
    (2, 1, 1, 1)
    """
    values = np.asarray(list(epochs), dtype=float)
    if not np.array_equal(values, np.round(values)):
        return 1
    return int(np.gcd.reduce(np.abs(values).astype(np.int64), initial=0)) or 1


def epoch_axis(ax: Any) -> None:
    """Label the x axis "epoch", with ticks on multiples of the :func:`epoch_step` of the epochs
    drawn on it, so on the audited ones (``0, 2, 4, 6``: matplotlib's ticks were ``0, 3, 6`` in
    the narrow panels of ``pid_atoms_all_layers.png``, every epoch in the wider ones of
    ``pid_atoms.png``), as many as its width leaves room for beside their labels
    (:data:`_TICK_ROOM`; a fixed ten ran into each other in a narrow panel). Call it once the
    axes' lines are drawn."""
    drawn = [line.get_xdata() for line in ax.get_lines()  # not a line across it (a chance level)
             if line.get_transform().contains_branch_seperately(ax.transData)[0]]
    ax.set_xlabel("epoch", fontsize=FONT)
    ax.xaxis.set_major_locator(_epoch_locator()(epoch_step(
        np.concatenate([np.asarray(x, dtype=float) for x in drawn]) if drawn else [])))


# The room of an epoch tick, in font sizes of its label (FONT): a digit's width (0.64 in
# DejaVu Sans) for each digit, and 1.5 between labels. matplotlib's own room, 3 font sizes
# whatever the label, left a 2.2-inch panel of epochs 0 to 6 three ticks: 0, 3, 6.
_TICK_ROOM = (0.64, 1.5)


@cache
def _epoch_locator() -> type:
    """The class of :func:`epoch_axis`'s ticks: matplotlib's whole ticks, at most ten, counted
    in steps of epochs (the class is made here: matplotlib is imported only when a figure is
    drawn)."""
    from matplotlib.ticker import MaxNLocator

    class EpochLocator(MaxNLocator):
        """Whole ticks on multiples of ``step`` epochs, as many as the axis leaves room for."""

        def __init__(self, step: int) -> None:
            super().__init__(integer=True, min_n_ticks=1)
            self.step = step

        def tick_values(self, vmin: float, vmax: float) -> np.ndarray:  # type: ignore[override]  # an ndarray, as MaxNLocator's own (its stubs say Sequence), which the formatters take
            self.set_params(nbins=self._room(vmin, vmax))
            return self.step * np.asarray(super().tick_values(vmin / self.step,
                                                              vmax / self.step))

        def _room(self, vmin: float, vmax: float) -> int:
            """How many spaces between ticks the axis has room for, 1 to 9."""
            axes = getattr(self.axis, "axes", None)  # none: no axis, or a dummy one
            if axes is None:
                return 9
            digits = len(str(int(max(abs(vmin), abs(vmax)))))
            points = axes.bbox.width * 72 / axes.figure.dpi
            return int(np.clip(points // ((_TICK_ROOM[0] * digits + _TICK_ROOM[1]) * FONT), 1, 9))

    return EpochLocator


def float_values(values: Iterable[float | None]) -> np.ndarray:
    """``values`` as floats, a missing one (``None``) as NaN: a gap in a line or band."""
    return np.array(list(values), dtype=float)
