"""The table of each run in the report (:func:`summary_table`): accuracy, the final PID atoms
of the innermost audited layer and how they were estimated, and the notes under it (the runs
whose student trained in only some of their epochs: :mod:`~pidkit_distill.report.caveats`; the audit's
flags, the best accuracy, the intervals, the runs short of their epochs by state:
:class:`~pidkit_distill.report.states.StateNotes`; those that ended at chance, or whose trained
teacher did; the others whose loss term jumped: :mod:`~pidkit_distill.report.loss_jump_notes`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pidkit.below_zero import confidence_percent
from pidkit_distill.audit.records import (
    ATOM_LABELS,
    CLUSTERING_HELD_FIXED,
    audit_estimate,
    final_audit,
    final_flags,
    flag_notes,
    holds_clustering_fixed,
)
from pidkit_distill.chance import (
    RunTrained,
    chance_paragraph,
    ends_at_chance,
    highest_record,
    run_trained,
    student_records,
)
from pidkit_distill.report.caveats import (
    AUDIT_EPOCH_NOTE,
    SCHEDULE_MARK,
    audit_epoch_words,
    schedule_note,
    student_epochs,
)
from pidkit_distill.report.cells import (
    ACCURACY_ERROR_NOTE,
    accuracy_cell,
    atom_cell,
    atom_interval,
    table_cell,
)
from pidkit_distill.report.loss_jump_notes import loss_jump_note
from pidkit_distill.report.states import StateNotes, run_state, stopped_early_at
from pidkit_distill.run_folders.damaged import missing_audit_warning
from pidkit_distill.run_folders.files import train_failure
from pidkit_distill.run_folders.records import RunRecords, method_label, with_distinct_names

__all__ = ["best_record", "summary_table"]

# What the note under the table of each run says of best accuracy after naming it:
# the epoch is picked by the accuracy it reports, on the one held-out set (no validation split),
# so the maximum over the epochs is biased upwards.
_BEST_ACC_CHOSEN = ("chosen on the same held-out set that measures it (no validation split), "
                   "so optimistic: compare runs by last acc")
# ... and of the runs with a validation split (data.val_fraction), whose best epoch is not
_BEST_ON_VALIDATION = ("best acc (epoch) of a run marked (val): the held-out accuracy at the "
                       "epoch of its best validation accuracy, chosen on the validation split "
                       "(data.val_fraction) that it did not train on, so not optimistic.")


# the note on the epochs of a run that run.early_stop ended
_EARLY_STOP_NOTE = ("epochs N/M (early stop): the run stopped after N of its M epochs, its "
                    "validation accuracy not improved for run.early_stop epochs; it is finished.")


def best_record(metrics: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The record of a run's best epoch, as its trainer chose it: of the epochs that trained
    the student (``phase`` ``student``, or none recorded: not RID's and TED's ``filter``
    epochs, whose student is as it was), that of the best validation accuracy (the first of a
    tie) where its records hold one (``data.val_fraction``), else of the best held-out
    accuracy; ``None`` where no such record holds a finite accuracy.

    Examples
    --------
    >>> best_record([{"epoch": 1, "test_acc": 0.5}, {"epoch": 2, "test_acc": 0.75}])["epoch"]
    2
    >>> best_record([{"epoch": 1, "test_acc": 0.5, "val_acc": 0.6},
    ...              {"epoch": 2, "test_acc": 0.75, "val_acc": 0.6}])["epoch"]
    1
    >>> best_record([{"epoch": 1, "phase": "filter", "test_acc": 0.9},
    ...              {"epoch": 2, "phase": "student", "test_acc": 0.5}])["epoch"]
    2
    """
    trained = student_records(metrics)
    key = "val_acc" if any(m.get("val_acc") is not None for m in trained) else "test_acc"
    return max((m for m in trained if None not in (m.get(key), m.get("test_acc"))),
               key=lambda m: m[key], default=None)


def summary_table(runs: list[RunRecords], *, records: list[dict[str, Any] | None] | None = None,
                  states: list[str] | None = None) -> str:
    """A markdown table: accuracy (last, best) and the final PID atoms of the innermost layer,
    each with its bootstrap interval, the epoch they were audited at and how they were
    estimated.

    The last accuracy carries its binomial standard error where the records give the size of
    the held-out set (:func:`~pidkit_distill.report.cells.accuracy_cell`); a run whose method's
    schedule trained its student in only some of its epochs has a mark after them, explained
    in a line under the table (:mod:`~pidkit_distill.report.caveats`), and the estimate cell of
    atoms audited at another epoch than the accuracy says so
    (:func:`~pidkit_distill.report.caveats.audit_epoch_words`).

    Runs of the same name are named by as much of their path as tells them apart; the cells of a run
    without a completed epoch are empty, and so are the atoms' of a run without an audit, whose
    estimate cell says why: not audited, its ``audit.jsonl`` missing though it audits
    (:func:`~pidkit_distill.run_folders.damaged.missing_audit_warning`), or no record in it. A
    paragraph under the table names the runs still training, and those stopped short of their
    epochs, each with its epoch
    (:func:`~pidkit_distill.report.states.run_state`), and another those that
    ended their epochs at chance where their metrics records give it, and the trained teachers
    at chance (:func:`~pidkit_distill.chance.chance_paragraph`), then a line for each other run whose loss
    term jumped (:func:`~pidkit_distill.report.loss_jump_notes.loss_jump_note`). The estimate cell
    also names the corrected atoms below 0 and says when the solve was not certified, each
    explained under the table, and so are the best accuracy (chosen on the held-out set, or on
    the validation split of a run with one, marked ``(val)``: :func:`best_record`), a run ended
    by ``run.early_stop`` (its epochs cell marked ``(early stop)``: finished) and the
    intervals, with their confidence and, where they hold the KMeans clustering fixed
    (audit.cluster_seeds 1), that they do. ``records``
    and ``states``: the runs' failure records (:func:`~pidkit_distill.run_folders.files.train_failure`)
    and states worked out by the caller, which this table and the figures then share.

    Examples
    --------
    >>> print(summary_table([]).splitlines()[0])
    | run | data | method | teacher | epochs | teacher acc | last acc | best acc (epoch) | \
layer | audit epoch | estimate | Red | Uni(Y:T\\S) | Uni(Y:S\\T) | Syn | n |
    """
    head = ("| run | data | method | teacher | epochs | teacher acc | last acc | best acc (epoch) "
            f"| layer | audit epoch | estimate | {' | '.join(ATOM_LABELS.values())} | n |")
    # numbers right-aligned, so that their digits line up where the table is shown; words left
    align = ["---"] * 4 + ["---:"] * 6 + ["---"] + ["---:"] * (len(ATOM_LABELS) + 1)
    lines = [head, f"|{'|'.join(align)}|"]
    notes: dict[str, str] = {}
    levels: set[str] = set()  # the intervals' confidence and method ("" where not recorded)
    outside = False  # whether an interval shown leaves its estimate out
    held_fixed = False  # whether an interval shown holds the KMeans clustering fixed
    best_shown = False  # whether a best acc cell is not empty
    error_shown = False  # whether a last acc cell gives its standard error
    short = StateNotes()  # the runs short of their epochs, by state
    # the last record of each run that ended its epochs, and that of its highest held-out
    # accuracy of a student epoch (what the paragraph of the runs at chance tells a fall by)
    ended: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {}
    jumped: dict[str, dict[str, Any]] = {}  # and the record of each one's first loss-term jump
    trained: dict[str, RunTrained] = {}  # and its data set and whether its method has a schedule
    jump_notes: dict[str, str] = {}  # the line of each other run whose loss term jumped
    # the runs whose student trained in only some of their epochs (how many of how many), and
    # the methods of the others, whose student trained in every epoch (a dict keeps their order)
    scheduled: dict[str, tuple[int, int]] = {}
    every_epoch: dict[str, None] = {}
    for i, run in enumerate(with_distinct_names(runs)):
        cfg, metrics = run.config, run.metrics
        last = metrics[-1] if metrics else {}
        best = best_record(metrics)  # None: no finite accuracy
        validated = best is not None and "val_acc" in best
        best_cell = "" if best is None else \
            f"{best['test_acc']:.4f} ({best['epoch']}){' (val)' * validated}"
        best_shown = best_shown or (best is not None and not validated)
        if validated:
            notes["best on validation"] = _BEST_ON_VALIDATION
        # a run without a completed epoch has only its untrained student's audit (epoch 0)
        atoms = (final_audit(run.audit) if metrics else None) or {}
        layer = atoms.get("layer")
        flags = final_flags(run.audit) if atoms else []  # every layer's, as the audit line's
        estimate = "; ".join([audit_estimate(atoms), *flags]) if atoms else ""
        if metrics and not atoms:  # its atom cells are empty: say why
            estimate = ("not audited (run.audit_every = 0)"
                        if cfg["run"].get("audit_every") == 0 else
                        "audit.jsonl is missing (deleted or moved?)"
                        if missing_audit_warning(Path(run.path), cfg, len(metrics)) else
                        "no audit record in audit.jsonl")
        elif apart := audit_epoch_words(atoms.get("epoch"), last.get("epoch")):
            estimate = f"{estimate}; {apart}"
            notes["audit epoch"] = AUDIT_EPOCH_NOTE
        student = student_epochs(cfg, metrics)
        if student is not None:
            scheduled[run.name] = (student, last["epoch"])
        elif metrics:
            every_epoch.setdefault(method_label(cfg))
        notes.update(flag_notes(atoms, flags, data=cfg.get("data")))
        failure = train_failure(Path(run.path)) if records is None else records[i]  # read once
        state = run_state(run, failure) if states is None else states[i]  # its lock tested once
        stopped_early = stopped_early_at(run, state) is not None
        if stopped_early:
            notes["early stop"] = _EARLY_STOP_NOTE
        first_jump = next((m for m in metrics if m.get("loss_jumped")), None)
        if not state and metrics:
            ended[run.name] = (last, highest_record(metrics))
            trained[run.name] = run_trained(cfg, metrics)
            if first_jump:
                jumped[run.name] = first_jump
        if first_jump and (state or not ends_at_chance(last)):  # else the chance paragraph's
            jump_notes[f"loss jump: {run.name}"] = loss_jump_note(run.name, metrics)
        if state:
            short.add(run, state, failure)
        last_cell = accuracy_cell(last)
        error_shown = error_shown or last_cell.endswith(" s.e.")
        cells = [atom_cell(atoms, key) for key in ATOM_LABELS]
        if any("[" in cell for cell in cells):
            settings = atoms.get("settings", {})
            confidence = settings.get("confidence")
            levels.add(" ".join(filter(None, ("" if confidence is None else
                                              confidence_percent(confidence),
                                              settings.get("ci_method")))))
            outside = outside or any(not _holds(atoms, key) for key in ATOM_LABELS)
            held_fixed = held_fixed or holds_clustering_fixed(atoms)
        lines.append(
            f"| {run.name} | {cfg['data']['name']} | {method_label(cfg)} | "
            f"{cfg['teacher']['source']} | "
            f"{last.get('epoch', 0)}/{cfg['run']['epochs']}{' (early stop)' * stopped_early}"
            f"{f' {SCHEDULE_MARK}' if student is not None else ''} | "
            f"{table_cell(last.get('teacher_acc'))} | "
            f"{last_cell} | {best_cell} | {table_cell(layer, 'd')} | "
            f"{table_cell(atoms.get('epoch'), 'd')} | {estimate} | "
            f"{' | '.join(cells)} | "
            f"{atoms.get('n_samples', '')} |"
        )
    if error_shown:
        notes["accuracy error"] = ACCURACY_ERROR_NOTE
    if best_shown:
        notes["best"] = f"best acc (epoch): the highest held-out accuracy, {_BEST_ACC_CHOSEN}."
    if levels:
        level = " or ".join(sorted(filter(None, levels)))
        # a centred interval takes the estimate as unbiased and holds it; a basic or percentile
        # one (or a centred one audited before pidkit held it there) need not
        holds = "which need not hold the estimate" if outside else "each holding its estimate"
        notes["interval"] = (f"[low, high]: the {level + ' ' if level else ''}bootstrap interval "
                             f"of the atom (audit.confidence, audit.bootstrap), {holds} "
                             "(docs/estimate.md, Bootstrap intervals)." +
                             (f" With audit.cluster_seeds 1 the intervals {CLUSTERING_HELD_FIXED} "
                              "(docs/distill.md, Seeds of the clustering)."
                              if held_fixed else ""))
    notes.update(short.paragraphs())
    notes["at chance"] = chance_paragraph(ended, jumped, trained=trained)
    notes.update(jump_notes)
    paragraphs = [schedule_note(scheduled, list(every_epoch)), *notes.values()]
    return "\n".join([*lines, *(f"\n{note}" for note in paragraphs if note)])  # a paragraph each


def _holds(record: dict[str, Any], key: str) -> bool:
    """Whether the bootstrap interval of atom ``key`` of an audit ``record`` holds its value
    (``True`` where there is no value or no interval, as
    :func:`~pidkit_distill.report.cells.atom_interval` reads them)."""
    interval = atom_interval(record, key)
    return interval is None or interval[0] <= record[key] <= interval[1]
