"""The report's figures, drawn from run records (:mod:`pidkit_distill.run_folders.records`) as PNG bytes.

* ``accuracy.png`` — held-out accuracy of every run over epochs;
* ``losses.png`` — the training loss of every run over epochs, when a run records it: the total,
  then each loss term of its method in a panel of its own (a term only some methods have: a
  panel of those runs only; a run whose ``metrics.jsonl`` has no terms, an older version's: the
  total only), on a log scale where a panel's values are all above 0 and span two decades
  (:mod:`~pidkit_distill.report.figure_losses`);
* ``pid_atoms.png`` — the PID of (Y, T, S) over epochs for the innermost audited layer (named in
  the title, or in each run's legend entry where the runs' differ), one line per run: Red,
  Uni(Y:T\\S), Uni(Y:S\\T), Syn, I(Y;T) (the teacher's: the runs of one teacher overlap, as its
  title says), I(Y;S) (the RID paper's Figures 4 and 5): each run's
  estimates, named in the legend by estimator and bias correction (or plug-in; squares for the
  Gaussian estimator), with their bootstrap interval as a band, the plug-in values of a
  corrected run as a faint dotted line, and a black cross on a solve that was not certified
  (on the epoch axis itself when it gave no number: a failed solve's atoms are missing);
  Gaussian runs beside discrete ones have panels of their own (their bits are not comparable);
* ``pid_atoms_all_layers.png`` — the four atoms for every audited layer, when more than one
  layer was audited (else it would repeat ``pid_atoms.png``).

Each experiment keeps one colour and marker in every figure, its method's colour, which no other
experiment changes (colours that colour-blind readers tell apart, never the chance line's grey;
another variant of a method with the same line style has a shade of it and another marker:
:mod:`~pidkit_distill.report.figure_looks`). The seeds of one
(:mod:`pidkit_distill.run_folders.groups`) are thin and faint under their mean, with a band of ±1
standard deviation across them, over the epochs all of them reached; the legend has an entry per
experiment (``rid, 3 seeds``), or the run's name for a run alone (the first hundred
experiments), beside the plots, or below them in columns where one
column would not fit (some 30 experiments, or long names; a label naming many settings wrapped:
:func:`~pidkit_distill.report.figure_legend.place_legend`). A run's line style says where its teacher
came from (solid: trained, dashed: untrained, dash-dot: a teacher file), and the figures say so.
A run short of its ``run.epochs`` says so in its legend entry (its group's, naming its seed):
``stopped after epoch 8 of 40``, ``failed after ...``, ``still training, at ...``, by its state
in report.md; a black bar ends the line of a stopped or failed one, explained once in the legend
(:func:`~pidkit_distill.report.figure_lines.state_note`), so that a figure shown alone does not make a
killed run look planned that short.
The epoch axes have their ticks on multiples of the epochs' common step: on the audited epochs
in both PID figures (:func:`~pidkit_distill.report.figure_lines.epoch_axis`).
Where the metrics records give the size of the held-out set (``test_n``), the accuracy has a
band of one binomial standard error, so that the axis does not zoom into noise. Text is at least
:data:`~pidkit_distill.report.figure_lines.FONT` points, readable when a markdown viewer shows a figure
about 850 pixels wide. They are drawn on :class:`matplotlib.figure.Figure` objects, not through
pyplot, so the caller's backend and open figures (a notebook's) are left as they are.

Each job has its module: :mod:`~pidkit_distill.report.figure_accuracy`,
:mod:`~pidkit_distill.report.figure_losses` and :mod:`~pidkit_distill.report.figure_atoms` draw
the figures, from the lines of
:mod:`~pidkit_distill.report.figure_lines` in the looks of :mod:`~pidkit_distill.report.figure_looks`, and the
legends of :mod:`~pidkit_distill.report.figure_legend`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from pidkit_distill.report.figure_accuracy import plot_accuracy
from pidkit_distill.report.figure_atoms import audited_layers, plot_atoms
from pidkit_distill.report.figure_lines import run_lines
from pidkit_distill.report.figure_losses import loss_panels, plot_losses
from pidkit_distill.run_folders.groups import RunGroup

__all__ = ["LOSS_FIGURE", "PID_FIGURES", "SOMETIMES_DRAWN", "draw_figures"]

# The files of the PID figures, drawn when a run has an audit; True: every layer.
PID_FIGURES = {"pid_atoms.png": False, "pid_atoms_all_layers.png": True}
# The file of the training loss's figure, drawn when a run records its training loss.
LOSS_FIGURE = "losses.png"
# The figures that a report does not always draw: one an earlier report left and this one does
# not draw is removed (pidkit_distill.report.folder.write_files).
SOMETIMES_DRAWN = (LOSS_FIGURE, *PID_FIGURES)


def draw_figures(groups: list[RunGroup], states: Mapping[str, str] | None = None
                 ) -> dict[str, bytes]:
    """Draw the figures of the runs in ``groups``; return each PNG file's bytes by file name.

    ``accuracy.png`` always; :data:`LOSS_FIGURE` when a run records its training loss
    (``train_loss`` in ``metrics.jsonl``: each run of this version does); the
    :data:`PID_FIGURES` when a run with a completed epoch has an audit
    (``pid_atoms_all_layers.png`` only when more than one layer was audited). A run
    without a completed epoch has no line. Runs are told apart by their names,
    which must differ (:func:`pidkit_distill.run_folders.records.with_distinct_names`). The seeds of
    one experiment share a colour, and their mean, with a band of ±1 standard deviation across
    them, is the line in the legend.

    Parameters
    ----------
    groups : list of RunGroup
        Every run of the report in one group (its experiment), in the order of the legend, as
        :func:`pidkit_distill.run_folders.groups.group_runs` gives them (the report groups its runs
        once, for its table and its figures).
    states : mapping of str to str, optional
        Each run's state, by its name, as report.md gives it (``""``: it ended its
        ``run.epochs``; ``"stopped"``, ``"failed"``, ``"still training"``, ...): a run short
        of its epochs says so in its legend entry, and a bar ends a stopped or failed one's
        line. Default: none said (every run drawn as if it ended its epochs).

    Returns
    -------
    dict of str to bytes

    Examples
    --------
    >>> from pathlib import Path
    >>> from pidkit_distill.run_folders.groups import group_runs
    >>> from pidkit_distill.report import RunRecords
    >>> run = RunRecords("x", Path("x"), {"teacher": {"source": "trained"}},
    ...                  [{"epoch": 1, "test_acc": 0.5}], [])
    >>> {name: png[:4] for name, png in draw_figures(group_runs([run])).items()}
    {'accuracy.png': b'\\x89PNG'}
    """
    # the package first: where it is blocked (None in sys.modules), importing matplotlib.figure
    # first would raise an error naming 'matplotlib.figure', which the command does not tell
    # as matplotlib missing (pip install 'pidkit[distill]')
    import matplotlib  # noqa: F401
    lines, rounds, note = run_lines(groups)
    figures = {"accuracy.png": _png(plot_accuracy(groups, lines, rounds, note, states=states))}
    if loss_panels(groups):
        figures[LOSS_FIGURE] = _png(plot_losses(groups, lines, rounds, note, states=states))
    audited = [group for group in groups
               if any(run.metrics and run.audit for run in group.runs)]
    layers = audited_layers(audited)
    figures.update({name: _png(plot_atoms(audited, lines, rounds, note,
                                               all_layers=all_layers, states=states))
                    for name, all_layers in PID_FIGURES.items()
                    if audited and (len(layers) > 1 or not all_layers)})
    return figures


def _png(fig: Any) -> bytes:
    """``fig`` as a PNG file's bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    return buffer.getvalue()
