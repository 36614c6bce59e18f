"""The figure of ``accuracy.png``: held-out accuracy of every run over epochs
(:func:`plot_accuracy`).

Each group of seeds has its mean with a band of ±1 standard deviation across them; where the
metrics records give the size of the held-out set (``test_n``), a lone run's accuracy has a
band of one binomial standard error, so that the axis does not zoom into noise; where they give
the share of the held-out set's most common class (``test_majority``), a dotted grey line marks
that chance level (:mod:`pidkit_distill.chance`), one per level the runs have (dotted, as no
run's line is: dashed is an untrained teacher's), whose legend entry names its data sets where the
runs are of several. A level far below (or above) every curve is not
drawn, as it would stretch the axis and squeeze the curves (CIFAR-100: chance 1 %, runs at
60-75 %): its legend entry says it lies below (above) the axis instead.

A run with a validation split (``data.val_fraction``) has its validation accuracy too, thinner
and dotted in its colour (:data:`VALIDATION`; a group's mean of its seeds'), and a dot on its
held-out line at its best epoch, chosen on that split (:data:`BEST_EPOCH`: its best acc in
report.md); a run that ``run.early_stop`` ended has a square at its line's end, as in every
figure (:func:`~pidkit_distill.report.figure_lines.mark_end`), not the bar of a stopped run.
Each has its legend entry once. Where it ended a group's seeds at different epochs, their mean
line stops at the last epoch all have, and a diamond with a bar stands at the table's last acc,
the mean ± sd of each seed's accuracy at its own last epoch, which the group's legend entry
gives (:func:`~pidkit_distill.report.figure_lines.plot_seed_ends`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from pidkit_distill.chance import shown_percent
from pidkit_distill.report.figure_legend import place_legend
from pidkit_distill.report.figure_lines import (
    FONT,
    SPREAD,
    averaged_note,
    end_mark_entries,
    epoch_axis,
    float_values,
    mark_end,
    mean_line,
    plot_line,
    plot_mean,
    plot_seed_ends,
    same_line_notes,
    state_note,
)
from pidkit_distill.report.groups import seed_last_accuracies
from pidkit_distill.report.table import best_record
from pidkit_distill.run_folders.groups import RunGroup, common_epochs, mean_sd
from pidkit_distill.run_folders.records import RunRecords

__all__ = ["BEST_EPOCH", "CHANCE_STRETCH", "VALIDATION", "plot_accuracy"]

CHANCE_STRETCH = 0.25
"""How far beyond the curves' range (bands included) a chance level is still drawn, as a share
of that range, or of 0.2 (20 points of accuracy) where the range is narrower: a level farther
off is named in the legend as below (or above) the axis."""

VALIDATION = {"color": "0.3", "linestyle": ":", "linewidth": 1.2,
              "label": "dotted, thin, in a run's colour: its validation accuracy "
                       "(data.val_fraction)"}
"""The legend's entry of the validation accuracy of a run with a split: dotted, not dashed
(an untrained teacher's), in a dark grey where its lines are in their run's colour; thinner
than the grey chance level, which is straight across."""

BEST_EPOCH = {"linestyle": "none", "marker": "o", "markersize": 8, "color": "0.6",
              "markeredgecolor": "black", "markeredgewidth": 1,
              "label": "dot: the best epoch, chosen on the validation split (best acc)"}
"""The legend's entry of the dot on a held-out line at its run's best epoch (where the run has
a validation split): the run's colour with a black edge, larger than a line's markers."""


def plot_accuracy(groups: list[RunGroup], lines: dict[str, dict[str, Any]],
                  rounds: dict[str, int], note: str, *,
                  states: Mapping[str, str] | None = None) -> Any:
    """The figure of ``accuracy.png``: each run's held-out accuracy over epochs, and each
    group's mean; a run short of its epochs said so in its legend entry, or its group's, by its
    state in report.md (``states``, by run name), the line of a stopped or failed one ended by
    a bar, that of one ``run.early_stop`` ended by a square
    (:func:`~pidkit_distill.report.figure_lines.state_note`,
    :func:`~pidkit_distill.report.figure_lines.mark_end`)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.5, 4.5), layout="constrained")
    ax = fig.subplots()
    band_alpha = min(0.2, 0.6 / len(groups))
    binomial = spread = False
    states = states or {}
    # a line under a later one's (two runs of one student where a method ignores the teacher)
    hidden = same_line_notes([(group.legend, {"accuracy": common_epochs(
        [run.metrics for run in group.runs], "test_acc")}) for group in groups])
    for group in groups:
        said = state_note(group, states)
        for run in group.runs:
            if run.metrics:
                epochs = [m["epoch"] for m in run.metrics]
                acc = float_values(m["test_acc"] for m in run.metrics)
                lone = len(group.runs) == 1
                plot_line(ax, epochs, acc, {**lines[run.name], "label": lines[run.name]["label"]
                                            + (said + hidden.get(run.name, "") if lone else "")})
                mark_end(ax, run, epochs, acc, states.get(run.name))
                _mark_best(ax, run, lines[run.name]["color"], seed=not lone)
                if lone:
                    _plot_validation(ax, [run], lines[run.name]["color"])
                n = float_values(m.get("test_n") for m in run.metrics)
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
            color = lines[group.runs[0].name]["color"]
            label = (group.legend + averaged_note(epochs, records)
                     + _seed_ends(ax, group, epochs, color, states) + said
                     + hidden.get(group.legend, ""))
            plot_mean(ax, epochs, values, mean_line(group, lines, rounds, label),
                      band_alpha=band_alpha)
            _plot_validation(ax, group.runs, lines[group.runs[0].name]["color"])
            spread = True
    chances: dict[float, set[str]] = {}  # each chance level, and the data sets that have it
    for group in groups:
        for run in group.runs:
            if run.metrics and (chance := run.metrics[-1].get("test_majority")) is not None:
                chances.setdefault(chance, set()).add(run.config["data"]["name"])
    several_data = len(set().union(*chances.values())) > 1
    low, high = ax.dataLim.intervaly  # the curves' range, bands included (inf, -inf: none)
    reach = CHANCE_STRETCH * max(high - low, 0.2)
    for chance, data in sorted(chances.items()):
        on = f" on {', '.join(sorted(data))}" if several_data else ""
        label = f"chance{on}: always the most common class ({shown_percent(chance):.1f} %)"
        side = ("" if not np.isfinite([low, high]).all() else "below" if chance < low - reach
                else "above" if chance > high + reach else "")
        if side:  # the line's style in the legend, no line on the axes
            ax.plot([], [], color="0.4", linestyle=":", linewidth=1.5,
                    label=f"{label}, {side} the axis")
        else:
            ax.axhline(chance, color="0.4", linestyle=":", linewidth=1.5, zorder=1, label=label)
    epoch_axis(ax)
    ax.set_ylabel("held-out accuracy (fraction correct)", fontsize=FONT)
    bands = [SPREAD] if spread else []
    if binomial:
        lead = "a lone run's band" if spread else "bands"
        bands.append(f"{lead}: ±1 binomial standard error of each accuracy")
    ax.set_title("\n".join([f"Student accuracy on the held-out set\n({note})", *bands]),
                 fontsize=FONT + 1)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=FONT)
    ended = end_mark_entries([ax])  # after the chance lines
    marks = _marks_entries(ax)
    handles, labels = ax.get_legend_handles_labels()  # the chance lines last, drawn last
    place_legend(fig, handles, labels, experiments=len(labels) - len(chances) - ended - marks)
    return fig


def _seed_ends(ax: Any, group: RunGroup, epochs: list[int], color: str,
               states: Mapping[str, str]) -> str:
    """Where ``run.early_stop`` ended the seeds of ``group`` at different epochs, beyond the
    ``epochs`` all have, which its mean line covers: mark in ``color`` the mean ± sd of each
    seed's accuracy at its own last epoch, the table's last acc
    (:func:`~pidkit_distill.report.groups.seed_last_accuracies`, ``states`` as it takes them;
    :func:`~pidkit_distill.report.figure_lines.plot_seed_ends`), and return what the group's
    legend entry says of it; nothing where the table's last acc is of an epoch all have."""
    last, accuracies = seed_last_accuracies(group, states)
    if not epochs or last == epochs[-1]:
        return ""
    ends = [run.metrics[-1]["epoch"] for run in group.runs]
    return plot_seed_ends(ax, ends, accuracies, color, spec=".4f")


def _plot_validation(ax: Any, runs: list[RunRecords], color: str) -> None:
    """The validation accuracy (``val_acc``) of a lone run, or the mean of a group's ``runs``
    over the epochs they all have, in ``color`` as :data:`VALIDATION`; nothing where they have
    none (no validation split)."""
    epochs, values = common_epochs([[{"epoch": m["epoch"], "val_acc": m.get("val_acc")}
                                     for m in run.metrics] for run in runs], "val_acc")
    if not epochs or np.isnan(values).all():
        return
    mean = mean_sd(values)[0] if len(runs) > 1 else values[0]
    ax.plot(epochs, mean, **{**VALIDATION, "color": color, "label": f"_{VALIDATION['label']}"})


def _mark_best(ax: Any, run: RunRecords, color: str, *, seed: bool) -> None:
    """Mark on the held-out line of ``run`` (in ``color``; a ``seed`` of a group's, smaller) its
    best epoch where it was chosen on a validation split (:data:`BEST_EPOCH`)."""
    smaller = {"markersize": 6} if seed else {}
    best = best_record(run.metrics)
    if best is not None and "val_acc" in best:
        ax.plot(best["epoch"], best["test_acc"], zorder=3, **{
            **BEST_EPOCH, **smaller, "color": color, "label": f"_{BEST_EPOCH['label']}"})


def _marks_entries(ax: Any) -> int:
    """Give each of :data:`VALIDATION` and :data:`BEST_EPOCH` drawn on ``ax`` its legend entry,
    once; return how many were given."""
    drawn = {line.get_label() for line in ax.get_lines()}
    given = [entry for entry in (VALIDATION, BEST_EPOCH)
             if f"_{entry['label']}" in drawn]
    for entry in given:
        ax.plot([], [], **entry)
    return len(given)
