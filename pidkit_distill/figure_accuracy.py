"""The figure of ``accuracy.png``: held-out accuracy of every run over epochs
(:func:`plot_accuracy`).

Each group of seeds has its mean with a band of ±1 standard deviation across them; where the
metrics records give the size of the held-out set (``test_n``), a lone run's accuracy has a
band of one binomial standard error, so that the axis does not zoom into noise; where they give
the share of the held-out set's most common class (``test_majority``), a dotted grey line marks
that chance level (:mod:`pidkit_distill.chance`), one per level the runs have (dotted, as no
run's line is: dashed is an untrained teacher's).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pidkit_distill.chance import shown_percent
from pidkit_distill.figure_legend import place_legend
from pidkit_distill.figure_lines import (
    FONT,
    SPREAD,
    averaged_note,
    epoch_axis,
    float_values,
    mean_line,
    plot_line,
    plot_mean,
)
from pidkit_distill.run_groups import RunGroup, common_epochs

__all__ = ["plot_accuracy"]


def plot_accuracy(groups: list[RunGroup], lines: dict[str, dict[str, Any]],
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
                acc = float_values(m["test_acc"] for m in run.metrics)
                plot_line(ax, epochs, acc, lines[run.name])
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
            label = group.legend + averaged_note(epochs, records)
            plot_mean(ax, epochs, values, mean_line(group, lines, rounds, label),
                      band_alpha=band_alpha)
            spread = True
    chances = sorted({chance for group in groups for run in group.runs if run.metrics
                      and (chance := run.metrics[-1].get("test_majority")) is not None})
    for chance in chances:
        ax.axhline(chance, color="0.4", linestyle=":", linewidth=1.5, zorder=1,
                   label=f"chance: always the most common class ({shown_percent(chance):.1f} %)")
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
    handles, labels = ax.get_legend_handles_labels()  # the chance lines last, drawn last
    place_legend(fig, handles, labels, experiments=len(labels) - len(chances))
    return fig
