"""The PID figures: ``pid_atoms.png`` and ``pid_atoms_all_layers.png`` (:func:`plot_atoms`).

The PID of (Y, T, S) over epochs, one line per run or group of seeds (in the panel of I(Y;T),
the teacher's, the lines of the runs of one teacher overlap, which its title says): each run's
estimates with their bootstrap interval as a band, the plug-in values of a corrected run as a
faint dotted line, and a black cross on a solve that was not certified (on the epoch axis itself
when it gave no number); Gaussian runs beside discrete ones have panels of their own. Where a
band holds the KMeans clustering fixed
(:func:`~pidkit_distill.audit.records.holds_clustering_fixed`), the title says so, as the
report's interval note does, in :data:`~pidkit_distill.audit.records.CLUSTERING_HELD_FIXED`'s
words. Where ``run.early_stop`` ended a group's seeds at different epochs, a diamond with a bar
marks the mean ± sd of each seed's own last audit of a panel's layer, as the table of seeds
averages them (:func:`_own_last_audits`), beyond the mean line of the epochs all audited.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from pidkit_distill.audit.records import (
    AUDITED_ATOMS,
    CLUSTERING_HELD_FIXED,
    audit_estimate,
    certified,
    corrected,
    holds_clustering_fixed,
    innermost_layer,
)
from pidkit_distill.report.figure_legend import figure_legend
from pidkit_distill.report.figure_lines import (
    FONT,
    SPREAD,
    averaged_note,
    end_mark_entries,
    epoch_axis,
    float_values,
    mark_end,
    mean_line,
    plot_band,
    plot_line,
    plot_mean,
    plot_seed_ends,
    same_line_notes,
    state_note,
)
from pidkit_distill.report.figure_looks import marker
from pidkit_distill.report.group_audit import GroupAudit, group_audit
from pidkit_distill.run_folders.groups import RunGroup, audit_epochs, common_epochs
from pidkit_distill.run_folders.records import RunRecords

__all__ = ["audited_layers", "plot_atoms"]

# I(Y;T) is the teacher's alone (frozen, on the held-out set): the lines of runs that share a
# teacher lie on one another there, and seemed missing, so its title says so.
_PANELS = tuple(zip(AUDITED_ATOMS, ("Red(Y:T,S)", "Uni(Y:T\\S)", "Uni(Y:S\\T)", "Syn(Y:T,S)",
                                    "I(Y;T), the teacher's:\nruns of one teacher overlap",
                                    "I(Y;S)"), strict=True))

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


def audited_layers(groups: list[RunGroup]) -> set[int]:
    """The layers that some run of ``groups`` audited."""
    return {record["layer"] for group in groups for run in group.runs for record in run.audit}


def _clustering_line(runs: Iterable[RunRecords]) -> list[str]:
    """The PID figure's title line on bands that hold the KMeans clustering fixed, where a
    record of one of ``runs`` (those drawn with their own bands) has such intervals; else none."""
    if not any(holds_clustering_fixed(record) for run in runs for record in run.audit):
        return []
    return [f"with audit.cluster_seeds 1 the bands {CLUSTERING_HELD_FIXED}"]


def _atoms_averaged(group: RunGroup, layers: set[int]) -> str:
    """What a PID figure's legend entry says, on a line of its own, of a group's means where
    some seed has audit epochs that others lack: that they are of the epochs all have, or that
    there is none (a seed without an audit); nothing where the seeds have the same."""
    spans = [audit_epochs(group, layer) for layer in layers]
    if not any(averaged_note(*span) for span in spans):
        return ""
    if not any(epochs for epochs, _ in spans):
        return "\nno mean: no audit epoch that all seeds have"
    return "\nmean only of the epochs all seeds have"


def _plot_series(ax: Any, run: RunRecords, recs: list[dict[str, Any]], key: str,
                 line: dict[str, Any], *, band_alpha: float | None, state: str | None) -> None:
    """One of ``run``'s quantities from its audit records ``recs``: its estimates, their
    interval band, the plug-in values beside corrected ones, a cross on each estimate whose
    solve was not certified, and a bar at the end of a stopped or failed run's line, a square
    at the end of one that ``run.early_stop`` ended (its ``state`` in report.md, ``None`` where
    not known, :func:`~pidkit_distill.report.figure_lines.mark_end`); a seed of a group
    (``band_alpha`` None) has its line, crosses and end mark only, under its group's band.

    A value that is missing (``None``: a failed solve gave no number) leaves a gap in the line;
    its cross stands on the epoch axis, below every value.
    """
    epochs = [r["epoch"] for r in recs]
    values = float_values(r[key] for r in recs)
    plot_line(ax, epochs, values, line)
    mark_end(ax, run, epochs, values, state)
    uncertified = [r for r in recs if not certified(r)]
    valued = [r for r in uncertified if r[key] is not None]
    if valued:
        ax.plot([r["epoch"] for r in valued], float_values(r[key] for r in valued), **_UNCERTIFIED)
    missing = [r["epoch"] for r in uncertified if r[key] is None]
    if missing:
        ax.plot(missing, [0] * len(missing), transform=ax.get_xaxis_transform(), **_NO_NUMBER)
    if band_alpha is None:
        return
    banded = [r for r in recs if r.get("intervals")]
    low, high = (float_values(r["intervals"][key][i] for r in banded) for i in (0, 1))
    plot_band(ax, [r["epoch"] for r in banded], low, high, line["color"], band_alpha)
    plugged = [r for r in recs if r.get("plugin") and corrected(r)]
    if plugged:
        ax.plot([r["epoch"] for r in plugged], float_values(r["plugin"][key] for r in plugged),
                color=line["color"], linestyle=":", linewidth=0.8, alpha=0.6)


def plot_atoms(groups: list[RunGroup], lines: dict[str, dict[str, Any]],
               rounds: dict[str, int], note: str, *, all_layers: bool,
               states: Mapping[str, str] | None = None) -> Any:
    """The figure of ``pid_atoms.png`` (the innermost layer, six panels) or, ``all_layers``, of
    ``pid_atoms_all_layers.png`` (a row of four atoms per audited layer), of the audited
    ``groups``; a run short of its epochs said so in its legend entry, or its group's, by its
    state in report.md (``states``, by run name), the line of a stopped or failed one ended by
    a bar at its last audit, whose epoch the entry names where it is not the run's last epoch,
    that of one ``run.early_stop`` ended by a square at its audit of that epoch
    (:func:`~pidkit_distill.report.figure_lines.state_note`,
    :func:`~pidkit_distill.report.figure_lines.mark_end`).

    Gaussian runs beside discrete ones get panels of their own, below the discrete ones: their
    bits are not comparable, and on a shared axis (or a twin axis on the right) heights
    invited the comparison."""
    from matplotlib.figure import Figure

    estimates = {group.legend: audit_estimate(next(run for run in group.runs
                                                   if run.audit).audit[-1])
                 for group in groups}
    kind = {legend: estimate.split(",")[0] for legend, estimate in estimates.items()}
    kinds = sorted(set(kind.values()))  # discrete above gaussian
    # the innermost layer of each group, which the title names, or each group's legend entry
    # when they differ (another network, or a run killed before its last layer's audit)
    inner = {group.legend: max(layer for run in group.runs
                               if (layer := innermost_layer(run.audit)) is not None)
             for group in groups}  # each group drawn has an audit
    same = next(iter(inner.values())) if len(set(inner.values())) == 1 else None
    where = {legend: "" if all_layers or same is not None else f", layer {layer}"
             for legend, layer in inner.items()}
    lone = any(len(group.runs) == 1 for group in groups)
    seeds = any(len(group.runs) > 1 for group in groups)
    # as the legend names each run or group
    entry = ("run" if not seeds else "run or group of seeds" if lone else "group of seeds") + (
        ", layer" if any(where.values()) else "")
    heading = _atoms_title(all_layers=all_layers, same=same, entry=entry, kinds=kinds, note=note,
                           lone=lone, seeds=seeds, clustering=_clustering_line(
                               group.runs[0] for group in groups if len(group.runs) == 1))
    blocks, panels, shape, size = _atom_layout(groups, kind, all_layers=all_layers,
                                               title_lines=len(heading.splitlines()))
    fig = Figure(figsize=size, layout="constrained")
    # each block (a layer, an estimator) has its panels in order, in a row or two of the grid
    grid = fig.subplots(shape[0] * len(blocks), shape[1], squeeze=False)
    # the bands of many groups, stacked, stay see-through (at most 0.6 opaque)
    band_alpha = min(0.2, 0.6 / len(groups))
    # a mean where some seed has epochs that others lack is of those all have, so the legend
    # says (in words, not epochs: a seed killed during an audit has more of a layer than another)
    layers = audited_layers(groups)
    states = states or {}
    # where run.early_stop ended the seeds apart, each one's own last audit of each layer drawn,
    # as the table's of its row's layer
    drawn = {group.legend: sorted(layers) if all_layers else [inner[group.legend]]
             for group in groups}
    ends = {(group.legend, layer): _own_last_audits(group, layer, states)
            for group in groups for layer in drawn[group.legend]}
    averaged = {group.legend: _atoms_averaged(group, layers) + _ends_note(
        [ends[group.legend, layer] for layer in drawn[group.legend]]) for group in groups}
    # a stopped run's lines end at its last audit: the note names its epoch where it is earlier
    said = {group.legend: state_note(group, states, audits=True) for group in groups}
    # a line under a later one's in every panel (runs of one untrained pair audited at epoch 0)
    hidden = same_line_notes(_drawn_lines(groups, blocks, panels, kind, inner))
    order = []  # the legend's entries of the groups, by their group's place
    for (layer, each), row in zip(blocks, grid.reshape(len(blocks), -1), strict=True):
        for ax, (key, label) in zip(row, panels, strict=True):
            for group in (group for group in groups if kind[group.legend] == each):
                # the legend says how a group's atoms were estimated; Gaussian ones are squares
                style = {"label": f"{where[group.legend]} ({estimates[group.legend]})"
                                   f"{averaged[group.legend]}{said[group.legend]}"
                                   f"{hidden.get(group.legend, '')}",
                         **marker(rounds[group.runs[0].name], gaussian=each == "gaussian")}
                shown = inner[group.legend] if layer is None else layer
                order.append((groups.index(group), _plot_group_atoms(
                    ax, group, key, shown, lines, rounds, style, band_alpha=band_alpha,
                    states=states, ends=ends.get((group.legend, shown)))))
            title = label if layer is None else f"layer {layer}: {label}"
            _dress_panel(ax, f"{title}, {each}" if len(kinds) > 1 else title,
                         f"{each} bits" if len(kinds) > 1 or each == "gaussian" else "bits")
    end_mark_entries(fig.axes)
    title = fig.suptitle(heading, fontsize=FONT + 1)
    figure_legend(fig, [label for _, label in sorted(order, key=lambda place: place[0])],
                  title)
    return fig


def _atom_layout(groups: list[RunGroup], kind: dict[str, str], *, all_layers: bool,
                 title_lines: int) -> tuple[list[tuple[int | None, str]], tuple, tuple[int, int],
                                            tuple[float, float]]:
    """The blocks of a PID figure (a layer, or ``None`` for each group's innermost, and an
    estimator: a row of panels, or two), its panels, the shape of a block and the figure's
    size in inches, 0.3 inch of its height for each of the title's ``title_lines``."""
    kinds = sorted(set(kind.values()))
    title = 0.3 * title_lines
    if not all_layers:
        return [(None, each) for each in kinds], _PANELS, (2, 3), (13, 5.4 * len(kinds) + title)
    records = [(kind[group.legend], record["layer"]) for group in groups for run in group.runs
               for record in run.audit]
    # a row for each layer and estimator that has records (a run may audit other layers)
    blocks = [(layer, each) for layer in sorted({layer for _, layer in records})
              for each in kinds if (each, layer) in records]
    # 2.6 inches for each row of panels, the title's lines above them, and no wider than
    # pid_atoms.png, so that its text is as large when shown 850 pixels wide
    return blocks, _PANELS[:4], (1, 4), (2.6 * 4 + 2.4, 2.6 * len(blocks) + title)


def _drawn_lines(groups: list[RunGroup], blocks: list[tuple[int | None, str]], panels: tuple,
                 kind: dict[str, str], inner: dict[str, int]
                 ) -> list[tuple[str, Mapping[Hashable, tuple[list[int], Any]]]]:
    """Each group's lines in the panels of a PID figure's ``blocks`` (its layer, or each group's
    innermost, ``inner``, and its estimator, ``kind``), by panel, in drawing order, as
    :func:`~pidkit_distill.report.figure_lines.same_line_notes` reads them: a lone run's values, or
    its seeds' over the epochs all have, as :func:`_plot_group_atoms` draws them."""
    return [(group.legend, {
        (layer, each, key): common_epochs(audit_epochs(
            group, inner[group.legend] if layer is None else layer)[1], key)
        for layer, each in blocks if kind[group.legend] == each for key, _ in panels})
        for group in groups]


def _plot_group_atoms(ax: Any, group: RunGroup, key: str, layer: int,
                      lines: dict[str, dict[str, Any]], rounds: dict[str, int],
                      style: dict[str, Any], *, band_alpha: float,
                      states: Mapping[str, str], ends: GroupAudit | None = None) -> str:
    """One group's quantity ``key`` at ``layer`` in a panel: a lone run's line, or the seeds'
    thin lines under their mean over the epochs all have, with its band, and, where
    ``run.early_stop`` ended them apart, the mark of the mean ± sd of each seed's own last
    audit of ``layer`` (``ends``, :func:`_own_last_audits`;
    :func:`~pidkit_distill.report.figure_lines.plot_seed_ends`). ``style`` is the marker and
    what the legend entry says after the group's name; ``states``: each run's state in
    report.md (a bar ends a stopped or failed one's line, a square one that ``run.early_stop``
    ended). Returns the entry."""
    recs = audit_epochs(group, layer)[1]
    if len(group.runs) == 1:
        run = group.runs[0]
        line = {**lines[run.name], **style, "label": run.name + style["label"]}
        _plot_series(ax, run, recs[0], key, line, band_alpha=band_alpha,
                     state=states.get(run.name))
        return line["label"]
    for run, series in zip(group.runs, recs, strict=True):
        _plot_series(ax, run, series, key, lines[run.name], band_alpha=None,
                     state=states.get(run.name))
    line = {**mean_line(group, lines, rounds, ""), **style,
            "label": group.legend + style["label"]}
    plot_mean(ax, *common_epochs(recs, key), line, band_alpha=band_alpha)
    if ends is not None:
        plot_seed_ends(ax, ends.epochs, [record[key] for record in ends.records], line["color"])
    return line["label"]


def _own_last_audits(group: RunGroup, layer: int, states: Mapping[str, str]
                     ) -> GroupAudit | None:
    """Each seed's own last audit of ``layer`` where ``run.early_stop`` ended the seeds of
    ``group`` at different epochs, as the table of seeds averages them at its row's layer: the
    :func:`~pidkit_distill.report.group_audit.group_audit` of the seeds' records of ``layer`` alone
    (``states`` as it takes them); ``None`` for a lone run, where the records are of one epoch
    (the epoch the mean line ends at), or where they are not averaged (none, or estimated
    unlike)."""
    if len(group.runs) == 1:
        return None
    alone = RunGroup(group.label, [replace(run, audit=[r for r in run.audit if r["layer"] == layer])
                                   for run in group.runs])
    audit = group_audit(alone, states)
    return audit if audit.records and audit.epoch is None else None


def _ends_note(audits: list[GroupAudit | None]) -> str:
    """What a group's legend entry in a PID figure says of the marks of its seeds' own last
    ``audits`` (:func:`_own_last_audits`, one per layer drawn), on a line of its own: their
    epochs, where every layer's are the same; nothing where none is marked."""
    epochs = {audit.epochs for audit in audits if audit is not None}
    if not epochs:
        return ""
    if len(epochs) > 1:
        return "\ndiamond: each seed's own last audit of each layer"
    return f"\ndiamond: each seed's own last audit (epochs {', '.join(map(str, epochs.pop()))})"


def _dress_panel(ax: Any, title: str, ylabel: str) -> None:
    """Title, label, ticks and grid of a PID panel, whose y axis is at least
    :data:`_LEAST_BITS` high."""
    ax.set_title(title, fontsize=FONT + 1)
    epoch_axis(ax)
    ax.set_ylabel(ylabel, fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.grid(alpha=0.3)
    low, high = ax.get_ylim()
    if high - low < _LEAST_BITS:
        middle = (low + high) / 2
        ax.set_ylim(middle - _LEAST_BITS / 2, middle + _LEAST_BITS / 2)


def _atoms_title(*, all_layers: bool, same: int | None, entry: str, kinds: list[str],
                 note: str, lone: bool, seeds: bool, clustering: list[str]) -> str:
    """The title of a PID figure: what it shows, what its legend, lines and bands are (those
    of a ``lone`` run, with the line of ``clustering`` under them, and of the groups of
    ``seeds``), and the line styles (``note``) and markers in use."""
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
        *([SPREAD] if seeds else []),
        *([f"{bands} (a bar for one epoch): bootstrap intervals, which need not hold their line "
           "(docs/estimate.md, Bootstrap intervals)", *clustering] if lone else []),
        ", ".join(filter(None, (note, squares)))])
