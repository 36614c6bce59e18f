"""The report's tables as data a script reads (``pandas.read_csv``): ``runs.csv``, a row per
run (:func:`runs_csv`), and ``groups.csv``, a row per experiment with the mean and sample
standard deviation across its seeds (:func:`groups_csv`), which
:func:`~pidkit_distill.write_report` writes beside ``report.md``.

Their numbers are those of ``report.md``'s tables, unrounded: each run's last record of
``metrics.jsonl``, its best accuracy and the last audit of its innermost layer
(:func:`~pidkit_distill.audit.records.final_audit`), as the table of each run shows them; each
experiment's accuracy at the last epoch all its seeds reached and its atoms at the last epoch
at which all of them audited its innermost layer (each seed's own last, where
``run.early_stop`` ended them apart), where they were estimated alike
(:func:`~pidkit_distill.run_folders.groups.common_epochs`, :func:`~pidkit_distill.report.groups.
group_audit`, :func:`~pidkit_distill.run_folders.groups.mean_sd`), as the table of seeds averages them.
A value not known (no audit, a failed solve, seeds estimated differently, the standard
deviation of one seed) is an empty cell, which pandas reads as NaN.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

import numpy as np

from pidkit_distill.audit.records import ATOM_LABELS, audit_estimate, final_audit, final_flags
from pidkit_distill.report.group_audit import group_audit
from pidkit_distill.report.groups import seed_best_records, seed_last_accuracies
from pidkit_distill.report.pairs import PairedDifference, bas_pairs
from pidkit_distill.report.states import stopped_early_at
from pidkit_distill.report.table import best_record
from pidkit_distill.run_folders.groups import RunGroup, mean_sd
from pidkit_distill.run_folders.records import RunRecords, method_label

__all__ = ["GROUP_COLUMNS", "RUN_COLUMNS", "groups_csv", "runs_csv"]

RUN_COLUMNS = ("run", "path", "data", "method", "teacher", "seed", "epochs_reached",
               "epochs_total", "state", "stopped_early_at", "teacher_acc", "last_acc",
               "best_acc", "best_epoch", "selected_on", "best_val_acc",
               "layer", "audit_epoch", "estimate", "flags",
               *(f"{atom}{end}" for atom in ATOM_LABELS for end in ("", "_low", "_high")),
               "n_samples")
"""The columns of ``runs.csv``: the atoms are Red (``red``), Uni(Y:T\\S) (``uni_t``),
Uni(Y:S\\T) (``uni_s``) and Syn (``syn``), each with the ends of its bootstrap interval;
``state`` is empty for a run that reached its epochs or that ``run.early_stop`` ended, else as
the paragraph under the table of each run names it (``stopped``, ``still training``, ...);
``stopped_early_at`` the epoch after which ``run.early_stop`` ended a run (the table's ``(early
stop)``), empty for the others; ``selected_on`` where ``best_epoch`` was chosen, ``validation``
(the split of ``data.val_fraction``, the table's ``(val)``: ``best_acc`` is the held-out accuracy
at the epoch of the best validation accuracy, ``best_val_acc``) or ``test`` (the highest
held-out accuracy, so optimistic; ``best_val_acc`` empty), as ``summary.json`` says."""

GROUP_COLUMNS = ("group", "data", "method", "teacher", "n_seeds", "seeds", "runs", "epochs",
                 "epochs_total", "last_acc_mean", "last_acc_sd", "best_acc_mean", "best_acc_sd",
                 "selected_on",
                 "vs_bas_group", "vs_bas_epoch", "vs_bas_n", "vs_bas_mean", "vs_bas_se",
                 "layer", "audit_epoch", "estimate",
                 *(f"{atom}_{of}" for atom in ATOM_LABELS for of in ("mean", "sd")))
"""The columns of ``groups.csv``: ``seeds`` and ``runs`` are space-separated, in the order of
the seeds; ``epochs`` is the last epoch every seed reached, whose accuracy ``last_acc_*`` are of,
or, where ``run.early_stop`` ended the seeds at different epochs, the last any reached, each
seed's last accuracy at its own last epoch
(:func:`~pidkit_distill.report.groups.seed_last_accuracies`); an experiment of one seed has a row
too (its standard deviations empty), where the table of seeds has rows only for several.
``best_acc_*`` are of each seed's ``best_acc`` in ``runs.csv`` (over the epochs every seed reached
where a seed is short of its epochs: :func:`~pidkit_distill.report.groups.seed_best_records`),
``selected_on`` where they were chosen, as in ``runs.csv``.
``layer``, ``audit_epoch`` and the atoms' ``_mean`` and ``_sd`` are of the seeds' audit records
that the table of seeds averages (:func:`~pidkit_distill.report.group_audit.group_audit`): at the
last epoch at which every seed audited its innermost layer, or, where ``run.early_stop`` ended
the seeds apart, each seed's own last record of it, as its last accuracy is; ``audit_epoch`` is
empty where those are of different epochs (each seed's is its ``audit_epoch`` in ``runs.csv``).
``vs_bas_*`` are the line under the table of seeds (:func:`~pidkit_distill.report.pairs.
bas_pairs`): the ``bas`` experiment paired with, the epoch compared, the number of seeds paired,
and the mean and standard error of the experiment's last accuracy minus BAS's, paired by seed
(``vs_bas_epoch`` empty where ``run.early_stop`` ended seeds at different epochs and each seed's
result, its best acc on the validation split, is paired instead:
:func:`~pidkit_distill.report.pairs.paired_difference`);
empty where no ``bas`` experiment of its data, teacher source and ``run.epochs`` shares 2 of its
seeds (one of other ``run.epochs`` has a note in ``report.md`` instead), or more than one does (each
has its line in ``report.md``)."""


def runs_csv(runs: list[RunRecords], states: list[str]) -> bytes:
    """``runs.csv``: a row per run of ``runs`` (named as the report names them), ``states`` its
    state (:func:`~pidkit_distill.report.states.run_state`), in :data:`RUN_COLUMNS`.

    Examples
    --------
    >>> from pathlib import Path
    >>> config = {"data": {"name": "digits"}, "method": {"name": "kd"},
    ...           "teacher": {"source": "trained"}, "run": {"seed": 0, "epochs": 2}}
    >>> run = RunRecords("kd-s0", Path("runs/kd-s0"), config,
    ...                  [{"epoch": 1, "test_acc": 0.5}, {"epoch": 2, "test_acc": 0.25}], [])
    >>> print(runs_csv([run], [""]).decode().splitlines()[1])
    kd-s0,runs/kd-s0,digits,kd,trained,0,2,2,,,,0.25,0.5,1,test,,,,,,,,,,,,,,,,,,

    A run with a validation split that ``run.early_stop`` ended after epoch 2 of 5:

    >>> config["run"]["epochs"] = 5
    >>> run = RunRecords("kd-s0", Path("runs/kd-s0"), config,
    ...                  [{"epoch": 1, "test_acc": 0.5, "val_acc": 0.75},
    ...                   {"epoch": 2, "test_acc": 0.625, "val_acc": 0.5}], [])
    >>> row = dict(zip(RUN_COLUMNS, runs_csv([run], [""]).decode().splitlines()[1].split(",")))
    >>> [row[key] for key in ("epochs_reached", "stopped_early_at", "last_acc", "best_acc",
    ...                       "best_epoch", "selected_on", "best_val_acc")]
    ['2', '2', '0.625', '0.5', '1', 'validation', '0.75']
    """
    rows = []
    for run, state in zip(runs, states, strict=True):
        cfg, metrics = run.config, run.metrics
        last = metrics[-1] if metrics else {}
        best = best_record(metrics) or {}  # on the validation split where it has one
        atoms = (final_audit(run.audit) if metrics else None) or {}  # as the table's row
        row: dict[str, Any] = {
            "run": run.name, "path": str(run.path), "data": cfg["data"]["name"],
            "method": method_label(cfg), "teacher": cfg["teacher"]["source"],
            "seed": cfg["run"].get("seed"), "epochs_reached": last.get("epoch", 0),
            "epochs_total": cfg["run"]["epochs"], "state": state,
            "stopped_early_at": stopped_early_at(run, state),
            "teacher_acc": last.get("teacher_acc"), "last_acc": last.get("test_acc"),
            "best_acc": best.get("test_acc"), "best_epoch": best.get("epoch"),
            "selected_on": _selected_on([best] if best else []),
            "best_val_acc": best.get("val_acc"),
            "layer": atoms.get("layer"), "audit_epoch": atoms.get("epoch"),
            "estimate": audit_estimate(atoms) if atoms else None,
            "flags": "; ".join(final_flags(run.audit)) if atoms else None,
            "n_samples": atoms.get("n_samples")}
        for atom in ATOM_LABELS:
            low, high = (atoms.get("intervals") or {}).get(atom) or (None, None)
            row.update({atom: atoms.get(atom), f"{atom}_low": low, f"{atom}_high": high})
        rows.append(row)
    return _csv(RUN_COLUMNS, rows)


def groups_csv(groups: list[RunGroup], states: Mapping[str, str] | None = None) -> bytes:
    """``groups.csv``: a row per experiment of ``groups``
    (:func:`~pidkit_distill.run_folders.groups.group_runs`), in :data:`GROUP_COLUMNS`;
    ``states``: each run's state by its name, as the table of seeds takes them
    (:func:`~pidkit_distill.report.groups.group_table_of`).

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(seed, accs):
    ...     config = {"data": {"name": "digits"}, "method": {"name": "kd"},
    ...               "teacher": {"source": "trained"}, "run": {"seed": seed, "epochs": 2}}
    ...     metrics = [{"epoch": e, "test_acc": a} for e, a in enumerate(accs, 1)]
    ...     return RunRecords(f"kd-s{seed}", Path(f"kd-s{seed}"), config, metrics, [])
    >>> text = groups_csv([RunGroup("kd", [run(0, [0.5, 0.6]), run(1, [0.7, 0.8])])]).decode()
    >>> row = dict(zip(GROUP_COLUMNS, text.splitlines()[1].split(",")))
    >>> [row[key] for key in ("seeds", "epochs", "last_acc_mean", "last_acc_sd", "best_acc_mean",
    ...                       "best_acc_sd", "selected_on", "vs_bas_mean", "red_mean")]
    ['0 1', '2', '0.7', '0.14142135623730953', '0.7', '0.14142135623730953', 'test', '', '']
    """
    paired: dict[int, list[tuple[str, PairedDifference]]] = {}  # by id of the group, each bas paired with
    for group, baseline, pair in bas_pairs(groups, states):
        paired.setdefault(id(group), []).append((baseline.label, pair))
    rows = []
    for group in groups:
        cfg = group.runs[0].config
        epoch, accs = seed_last_accuracies(group, states)
        last_acc = mean_sd(np.array(accs, float)) if accs else (None, None)
        best = seed_best_records(group, states)
        best_acc = mean_sd(np.array([np.nan if record is None else record["test_acc"]
                                     for record in best], float))
        row: dict[str, Any] = {
            "group": group.label, "data": cfg["data"]["name"], "method": method_label(cfg),
            "teacher": cfg["teacher"]["source"], "n_seeds": len(group.runs),
            "seeds": " ".join(map(str, group.seeds)),
            "runs": " ".join(run.name for run in group.runs),
            "epochs": epoch, "epochs_total": cfg["run"]["epochs"],
            "last_acc_mean": last_acc[0], "last_acc_sd": last_acc[1],
            "best_acc_mean": best_acc[0], "best_acc_sd": best_acc[1],
            "selected_on": _selected_on(best)}
        if len(paired.get(id(group), [])) == 1:  # one bas to pair with
            ((bas_label, pair),) = paired[id(group)]
            row.update({"vs_bas_group": bas_label, "vs_bas_epoch": pair.epoch,
                        "vs_bas_n": len(pair.seeds), "vs_bas_mean": pair.mean,
                        "vs_bas_se": pair.se})
        audit = group_audit(group, states)  # as the table of seeds shows it
        row.update({"layer": audit.layer, "audit_epoch": audit.epoch,
                    "estimate": "; ".join(sorted(set(audit.estimates))) or None})
        for atom in ATOM_LABELS:
            values = np.array([np.nan if r[atom] is None else r[atom] for r in audit.records],
                              float)
            mean, sd = mean_sd(values) if audit.records else (None, None)  # else not averaged
            row.update({f"{atom}_mean": mean, f"{atom}_sd": sd})
        rows.append(row)
    return _csv(GROUP_COLUMNS, rows)


def _selected_on(best: list[dict[str, Any] | None]) -> str | None:
    """Where the ``best`` records of a run or of a group's seeds
    (:func:`~pidkit_distill.report.table.best_record`) were chosen: ``validation`` where each
    holds a validation accuracy, ``test`` where none does; ``None`` where there is none, or
    some seed has no best record."""
    records = [record for record in best if record is not None]
    if not records or len(records) < len(best):
        return None
    validated = {"val_acc" in record for record in records}
    return None if len(validated) > 1 else "validation" if validated.pop() else "test"


def _csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    """``rows`` as CSV text in ``columns``, UTF-8: a ``None`` or NaN is an empty cell, a float
    as Python writes it back exactly (``repr``)."""
    def cell(value: Any) -> Any:
        if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
            return ""
        return repr(float(value)) if isinstance(value, float | np.floating) else value

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([cell(row.get(column)) for column in columns] for row in rows)
    return text.getvalue().encode()
