"""The table of the experiments run with several seeds in the report (:func:`group_table`): a
row per group of seeds (:mod:`pidkit_distill.run_folders.groups`), mean ± sample standard deviation
across them, the audit's flags of the seeds (a mark beside an atom below 0, with a legend under
the table; a count of the seeds in the estimate cell for the other flags:
:mod:`pidkit_distill.report.group_audit`), and the notes under
it (each experiment's last accuracy minus BAS's, paired by seed,
:mod:`pidkit_distill.report.pairs`; the seeds rerun, a teacher file not known, the seeds whose
loss term jumped, runs kept apart by keys an older ``config.json`` lacks).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from pidkit_distill.audit.records import ATOM_LABELS
from pidkit_distill.report import states as run_states
from pidkit_distill.report.caveats import (
    AUDIT_EPOCH_NOTE,
    SCHEDULE_MARK,
    audit_epoch_words,
    schedule_note,
    student_epochs,
)
from pidkit_distill.report.cells import spread_cell, table_cell
from pidkit_distill.report.group_audit import (
    BELOW_ZERO_MARKS,
    GroupAudit,
    atom_marks,
    confidences_note,
    group_audit,
    marks_legend,
)
from pidkit_distill.report.loss_jump_notes import seeds_jumped_note
from pidkit_distill.report.pairs import pair_lines
from pidkit_distill.report.table import best_record
from pidkit_distill.run_folders.groups import (
    AUDIT_KEYS_NOT_ATOMS,
    BOOKKEEPING,
    Rerun,
    RunGroup,
    common_epochs,
    group_runs,
    lacking_keys,
    teacher_not_known,
)
from pidkit_distill.run_folders.records import RunRecords, method_label, with_distinct_names

__all__ = ["group_table", "group_table_of", "seed_best_records", "seed_last_accuracies"]

_GROUP_NOTE = ("Each row is one experiment run with several seeds: runs whose config.json differ "
               "only in run.seed, the run's bookkeeping "
               f"({', '.join(sorted(BOOKKEEPING - AUDIT_KEYS_NOT_ATOMS - {'run.seed'}))}), "
               "when the audit ran and the intervals around its atoms "
               f"({', '.join(sorted(AUDIT_KEYS_NOT_ATOMS))}: the atoms are the same at any "
               "value, and each audit record holds its own bootstrap and confidence, which its "
               "marks read; a seed resumed with another keeps its group), "
               "and in settings that did not affect them (teacher.epochs and teacher.lr where no "
               "teacher was trained, teacher.seed too for a teacher file; audit.* where "
               "run.audit_every is 0; the decay of a constant optim.schedule). "
               "A cell is the mean ± the sample standard deviation "
               "across the seeds, then each seed's value in the order of the seeds column; "
               "only epochs that every seed reached are averaged (last accuracy, and best "
               "accuracy where a seed is short of its epochs, stopped or still training; atoms "
               "at the last audit epoch they all have), unless run.early_stop ended the seeds: "
               "then each seed's last accuracy is of its own last epoch, and its atoms of its "
               "own last audit. Atoms below 0 are averaged as they are, unclipped, as in the "
               "table of each run. Where every seed finished (reached run.epochs, or "
               "run.early_stop ended it, each at its own epoch), a seed's best acc is its best "
               "acc in the table of each run, over all its epochs.")

# What the note under the table of seeds says where run.early_stop ended a group's seeds
# (:func:`~pidkit_distill.report.states.ended_by_early_stop`, :func:`seed_last_accuracies`)
_ENDED_BY_EARLY_STOP_NOTE = (
    "Where run.early_stop ended the seeds of a row (its epochs say early stop: the last any seed "
    "reached, then each one's), a seed's last acc and atoms are at its own last epoch (train "
    "audits it), as in the table of each run, not at an epoch all seeds reached: one stopped "
    "after epoch 6 has no epoch 12, and one that ran on was partway through at epoch 6. Each "
    "seed's result is its best acc (val), at its best validation epoch (best.pt), which the line "
    "of its difference with BAS pairs.")

# What the note under the table of seeds says of a seed's best acc, by how it was chosen: on
# the held-out set that measures it (no validation split), or on the validation split.
_BEST_ACC_NOTES = {
    False: ("A seed's best acc is its highest held-out accuracy, so optimistic, as the note "
            "under the table of each run says."),
    True: ("A best acc marked (val) is each seed's held-out accuracy at the epoch of its best "
           "validation accuracy, chosen on the validation split (data.val_fraction) that it did "
           "not train on, so not optimistic, as its run's in the table of each run.")}


def group_table(runs: list[RunRecords]) -> str:
    """A markdown table of the experiments run with several seeds
    (:mod:`pidkit_distill.run_folders.groups`): a row per group, its accuracy (last, best) and
    the atoms of its innermost layer at the last audit epoch all its seeds reached
    (:func:`~pidkit_distill.report.group_audit.group_audit`), each as mean ± sample standard
    deviation across the seeds, then, for up to :data:`~pidkit_distill.report.cells.FEW_SEEDS`
    seeds, each seed's value.

    Only epochs every seed of a group reached are averaged: ``epochs`` says so where the seeds
    reached different ones (a killed seed), or that ``run.early_stop`` ended them, and has a mark
    where the method's schedule trained the students in only some of them, explained under the table
    (:func:`~pidkit_distill.report.caveats.schedule_note`); the estimate cell says so where the
    atoms are of an earlier epoch than the accuracy, and where each seed's are of its own last
    epoch. Under the table, a line for each experiment that shares 2 seeds or more with a ``bas``
    one of the same data and teacher source: its last accuracy minus BAS's, paired by seed
    (:func:`~pidkit_distill.report.pairs.pair_lines`); a paragraph for each rerun of a seed, and for
    runs kept apart only by keys one's ``config.json`` lacks (an older version's); those paragraphs
    alone when no experiment has two seeds, and nothing when there are none either.

    Examples
    --------
    >>> group_table([])
    ''
    """
    return group_table_of(group_runs(with_distinct_names(runs)))


def group_table_of(every: list[RunGroup], states: Mapping[str, str] | None = None) -> str:
    """:func:`group_table` of runs already grouped (:func:`~pidkit_distill.run_folders.groups.
    group_runs`), each run in one of ``every``; ``states``: each run's state by its name
    (:func:`~pidkit_distill.report.states.run_state`) where the caller has them, else read from
    its ``summary.json`` (:func:`seed_best_records`)."""
    groups = [group for group in every if len(group.runs) > 1]
    lacking = [f"{a.legend} and {b.legend} are kept apart: their config.json differ only in "
               f"keys that one lacks ({', '.join(keys)}), written by an older pidkit-distill, "
               "whose default may have been another; compare them by hand, or rerun the older."
               for a, b, keys in lacking_keys(every)]
    if not groups:
        return "\n\n".join(lacking)
    head = ("| group | data | method | teacher | epochs | seeds | last acc | best acc | layer "
            f"| audit epoch | estimate | {' | '.join(ATOM_LABELS.values())} |")
    align = ["---"] * 4 + ["---:"] * 4 + ["---:"] * 2 + ["---"] + ["---:"] * len(ATOM_LABELS)
    shown = [_group_row(group, states) for group in groups]
    lines = [head, f"|{'|'.join(align)}|", *(row.text for row in shown)]
    scheduled = {group.label: row.student for group, row in zip(groups, shown, strict=True)
                 if row.student is not None}
    every_epoch = [group.label for group, row in zip(groups, shown, strict=True)
                   if row.student is None]
    chosen = {"val_acc" in record for row in shown for record in row.best if record}
    notes = [*pair_lines(groups, states),
             *filter(None, [schedule_note(scheduled, every_epoch, seeds=True),
                            marks_legend({mark: text for row in shown
                                           for mark, text in row.marks.items()})]),
             *([AUDIT_EPOCH_NOTE] if any(row.apart for row in shown) else []),
             *([_ENDED_BY_EARLY_STOP_NOTE] if any(row.ended_by_early_stop for row in shown)
               else []),
             _GROUP_NOTE, *(_BEST_ACC_NOTES[on] for on in sorted(chosen)),
             *(note for group in groups for note in _rerun_notes(group)),
             *filter(None, (confidences_note(group, row.audit)
                            for group, row in zip(groups, shown, strict=True))),
             *filter(None, map(_teacher_note, groups)),
             *filter(None, map(seeds_jumped_note, groups)), *lacking]
    return "\n".join([*lines, "", "\n\n".join(notes)])


class _GroupRow(NamedTuple):
    """The row of a group in :func:`group_table` (``text``), the words of each mark beside its
    atoms (:func:`~pidkit_distill.report.group_audit.atom_marks`), the epochs its student trained
    in and the epochs averaged where its method's schedule trained it in only some
    (:func:`~pidkit_distill.report.caveats.student_epochs`; else ``None``), whether its atoms
    are of another epoch than its accuracy, its seeds' best records
    (:func:`seed_best_records`), its seeds' audit
    (:func:`~pidkit_distill.report.group_audit.group_audit`) and whether ``run.early_stop``
    ended them (:func:`~pidkit_distill.report.states.ended_by_early_stop`), decided once for
    the row, its notes and its audit."""

    text: str
    marks: dict[str, str]
    student: tuple[int, int] | None
    apart: bool
    best: list[dict[str, Any] | None]
    audit: GroupAudit
    ended_by_early_stop: bool


def _group_row(group: RunGroup, states: Mapping[str, str] | None) -> _GroupRow:
    """The row of ``group`` (two seeds or more) in :func:`group_table`, its runs' ``states`` by
    name (or ``None``, :func:`seed_best_records`)."""
    cfg = group.runs[0].config
    epochs = common_epochs((run.metrics for run in group.runs), "test_acc")[0]
    reached = [run.metrics[-1]["epoch"] for run in group.runs]
    shown = epochs[-1] if epochs else 0
    student = student_epochs(cfg, [m for m in group.runs[0].metrics if m["epoch"] <= shown])
    early_stop = run_states.ended_by_early_stop(group.runs, states)  # once, for every cell
    last_epoch, last_acc = seed_last_accuracies(group, states, ended_by_early_stop=early_stop)
    epochs_cell = f"{last_epoch}/{cfg['run']['epochs']}"
    if last_epoch != shown:  # ended at different epochs: each seed's last acc at its own last
        epochs_cell += f" (early stop: seeds ended at {', '.join(map(str, reached))})"
    elif len(set(reached)) > 1:
        epochs_cell += f" (seeds reached {', '.join(map(str, reached))})"
    elif early_stop:  # run.early_stop ended every seed at the same epoch
        epochs_cell += " (early stop)"
    if student is not None:
        epochs_cell += f" {SCHEDULE_MARK}"
    audit = group_audit(group, states, ended_by_early_stop=early_stop)
    estimate = audit.estimate
    # records only where every seed completed an epoch (group_audit), so epochs has one
    words, apart = _audit_epoch_words(audit, reached if last_epoch != shown else epochs[-1]
                                      ) if audit.records else (None, False)
    if words:
        estimate = f"{estimate}; {words}"
    marks, marks_words = atom_marks(audit.records)
    best = seed_best_records(group, states)
    best_cell = spread_cell([None if record is None else record["test_acc"] for record in best],
                            ".4f")
    if best_cell and all(record and "val_acc" in record for record in best):
        best_cell += " (val)"
    atoms = [" ".join([spread_cell([r[key] for r in audit.records], ".3f"),
                       *(f"{mark}{marks[key][mark]}/{len(audit.records)}"
                         for mark in BELOW_ZERO_MARKS.values() if mark in marks[key])])
             for key in ATOM_LABELS]
    return _GroupRow(
        f"| {group.label} | {cfg['data']['name']} | {method_label(cfg)} | "
        f"{cfg['teacher']['source']} | "
        f"{epochs_cell} | {len(group.runs)} ({', '.join(map(str, group.seeds))}) | "
        f"{spread_cell(last_acc, '.4f')} | "
        f"{best_cell} | {table_cell(audit.layer, 'd')} | {table_cell(audit.epoch, 'd')} | "
        f"{estimate} | {' | '.join(atoms)} |", marks_words,
        None if student is None else (student, shown), apart, best, audit, early_stop)


def _audit_epoch_words(audit: GroupAudit, shown: int | list[int]) -> tuple[str | None, bool]:
    """What the estimate cell of a row adds of the epochs of its seeds' ``audit`` records and of
    its accuracy, ``shown`` (as :func:`~pidkit_distill.report.caveats.audit_epoch_words` takes
    it, which says it of records of one epoch), and whether they are of other epochs
    (:data:`~pidkit_distill.report.caveats.AUDIT_EPOCH_NOTE`); ``(None, False)`` for nothing.

    Examples
    --------
    >>> _audit_epoch_words(GroupAudit(1, None, "", (), (), (7, 7, 9)), [7, 7, 9])
    ("atoms and accuracy of each seed's last epoch (7, 7, 9)", False)
    >>> _audit_epoch_words(GroupAudit(1, None, "", (), (), (6, 9)), [7, 9])
    ("atoms of each seed's last audit (epochs 6, 9); accuracy of each seed's last epoch (7, 9)", \
True)
    """
    if audit.epoch is not None or not audit.epochs:
        words = audit_epoch_words(audit.epoch, shown)
        return words, words is not None
    atoms = ", ".join(map(str, audit.epochs))
    if list(audit.epochs) == shown:
        return f"atoms and accuracy of each seed's last epoch ({atoms})", False
    accuracy = (f"each seed's last epoch ({', '.join(map(str, shown))})"
                if isinstance(shown, list) else f"epoch {shown}")
    return f"atoms of each seed's last audit (epochs {atoms}); accuracy of {accuracy}", True


def seed_best_records(group: RunGroup, states: Mapping[str, str] | None = None
                      ) -> list[dict[str, Any] | None]:
    """Each seed's record of its best epoch, in the order of the seeds, as the table of each run
    chooses it (:func:`~pidkit_distill.report.table.best_record`: on the validation split where
    the seed has one, else its highest held-out accuracy): over all its epochs where every seed
    finished (reached ``run.epochs``, or a config naming none, or ``run.early_stop`` ended it:
    :func:`~pidkit_distill.report.states.all_ended`; seeds stopped early end at different
    epochs, and each one's best epoch is its result, ``best.pt``), else over the epochs every
    seed reached, which the row of the group averages (a seed stopped or still training);
    ``None`` for a seed without a finite accuracy there. ``states``: each run's state by its
    name (:func:`~pidkit_distill.report.states.run_state`), which says whether
    ``run.early_stop`` ended it; ``None``, or a run not in it, reads its ``summary.json``.

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(name, epochs, accs):
    ...     metrics = [{"epoch": e, "test_acc": a} for e, a in enumerate(accs, 1)]
    ...     return RunRecords(name, Path(f"/nonexistent/{name}"), {"run": {"epochs": epochs}},
    ...                       metrics, [])
    >>> finished = RunGroup("kd", [run("a", 3, [0.5, 0.7, 0.6]), run("b", 3, [0.4, 0.5, 0.8])])
    >>> [record["epoch"] for record in seed_best_records(finished)]
    [2, 3]
    >>> killed = RunGroup("kd", [run("a", 3, [0.5, 0.7, 0.6]), run("b", 3, [0.4])])
    >>> [record["epoch"] for record in seed_best_records(killed)]
    [1, 1]
    """
    epochs = set(common_epochs((run.metrics for run in group.runs), "test_acc")[0])
    finished = run_states.all_ended(group.runs, states)
    return [best_record(run.metrics if finished else
                        [record for record in run.metrics if record["epoch"] in epochs])
            for run in group.runs]


def seed_last_accuracies(group: RunGroup, states: Mapping[str, str] | None = None, *,
                         ended_by_early_stop: bool | None = None
                         ) -> tuple[int, list[float | None]]:
    """The epoch that the last acc of ``group`` is of, and each seed's held-out accuracy then,
    in the order of the seeds (``None`` where a seed's last record has none): the last epoch
    every seed reached (:func:`~pidkit_distill.run_folders.groups.common_epochs`); where
    ``run.early_stop`` ended the seeds, at different epochs say, the last epoch any reached,
    each seed's accuracy at its own last epoch, as the table of each run shows it (the epochs
    they all reached would end none's run, only the shortest's). ``(0, [])`` where they share
    no epoch with an accuracy.

    Parameters
    ----------
    group : RunGroup
        An experiment (:func:`~pidkit_distill.run_folders.groups.group_runs`), one run per seed.
    states : mapping of str to str, optional
        Each run's state by its name (:func:`~pidkit_distill.report.states.run_state`), which
        says whether ``run.early_stop`` ended it; by default read from its ``summary.json``.
    ended_by_early_stop : bool, optional
        Whether ``run.early_stop`` ended the seeds
        (:func:`~pidkit_distill.report.states.ended_by_early_stop` of their runs and
        ``states``), where the caller decided it for the group's other cells; by default
        decided here.

    Returns
    -------
    tuple of int and list of float or None

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(name, accs):
    ...     metrics = [{"epoch": e, "test_acc": a} for e, a in enumerate(accs, 1)]
    ...     return RunRecords(name, Path(f"/nonexistent/{name}"), {"run": {"epochs": 4}},
    ...                       metrics, [])
    >>> group = RunGroup("kd", [run("a", [0.5, 0.7]), run("b", [0.4, 0.6, 0.8, 0.9])])
    >>> seed_last_accuracies(group, {"a": "", "b": ""})
    (4, [0.7, 0.9])
    >>> seed_last_accuracies(group, {"a": "stopped", "b": ""})
    (2, [0.7, 0.6])
    >>> seed_last_accuracies(group, ended_by_early_stop=True)  # as the caller decided it
    (4, [0.7, 0.9])
    """
    if ended_by_early_stop is None:
        ended_by_early_stop = run_states.ended_by_early_stop(group.runs, states)
    if ended_by_early_stop:
        return (max(run.metrics[-1]["epoch"] for run in group.runs),
                [run.metrics[-1].get("test_acc") for run in group.runs])
    epochs, acc = common_epochs((run.metrics for run in group.runs), "test_acc")
    return (epochs[-1], [float(value) for value in acc[:, -1]]) if epochs else (0, [])


def _teacher_note(group: RunGroup) -> str | None:
    """What the group table says under it where which teacher file the seeds of ``group`` read
    is not known (:func:`~pidkit_distill.run_folders.groups.teacher_not_known`), else ``None``.

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(name):
    ...     config = {"teacher": {"source": "t.pt"}, "run": {"out_dir": "/runs"}}
    ...     return RunRecords(name, Path("/runs") / name, config, [], [])
    >>> print(_teacher_note(RunGroup("bas", [run("s1"), run("s2")])))  # doctest: +ELLIPSIS
    bas: teacher not known: s1 and s2 name it 't.pt', a relative path, and record neither ...
    """
    written = teacher_not_known(group.runs[0])
    if written is None:
        return None
    return (f"{group.label}: teacher not known: {' and '.join(run.name for run in group.runs)} "
            f"name it {written!r}, a relative path, and record neither the file it named nor "
            "the folder they were trained in (runs of an older pidkit-distill with an absolute "
            "run.out_dir, or moved since): they are averaged as seeds of one teacher, which "
            "they may not be, trained in different folders; compare their teachers by hand, or "
            "rerun them.")


def _rerun_notes(group: RunGroup) -> list[str]:
    """What the group table says under it of the runs that rerun a seed of ``group``: those
    counted once, then those of other results, each kept apart.

    Examples
    --------
    >>> from pathlib import Path
    >>> from pidkit_distill.run_folders.groups import Rerun
    >>> def run(name, seed):
    ...     return RunRecords(name, Path(name), {"run": {"seed": seed}}, [], [])
    >>> r1, r2, w2 = run("r1", 0), run("r2", 0), run("w2", 0)
    >>> print(_rerun_notes(RunGroup("rid", [r1, run("s1", 1)],
    ...                             (Rerun(r2, r1, True), Rerun(w2, r1, False))))[0])
    rid: r2 reruns seed 0 (r1) with the same accuracy and atoms: counted once.
    """
    counted_once: dict[str, list[Rerun]] = {}  # by the name of the seed's run, in order
    for rerun in group.reruns:
        if rerun.same:
            counted_once.setdefault(rerun.of.name, []).append(rerun)
    notes = []
    for of, reruns in counted_once.items():
        names = [rerun.run.name for rerun in reruns]
        notes.append(f"{group.label}: {' and '.join(names)} rerun{'s' if len(names) == 1 else ''}"
                     f" seed {reruns[0].of.config['run']['seed']} ({of}) with the same accuracy "
                     "and atoms: counted once.")
    notes.extend(f"{group.label}: {rerun.run.name} reruns seed {rerun.of.config['run']['seed']} "
                 f"({rerun.of.name}) with other results (nondeterministic GPU kernels, or "
                 f"another version of the code): the mean counts {rerun.of.name} only, and "
                 f"{rerun.run.name} has a row and a line of its own." for rerun in group.reruns
                 if not rerun.same)
    return notes
