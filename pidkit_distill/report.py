"""The report of run folders (``pidkit-distill report RUN_DIR [RUN_DIR ...]``): the summary
table and ``report.md``, beside the figures.

Reads each run folder (:mod:`pidkit_distill.run_records`), draws the figures
(:mod:`pidkit_distill.report_figures`: ``accuracy.png``, and ``pid_atoms.png`` when a run
has an audit, with ``pid_atoms_all_layers.png`` when more than one layer was audited) and
writes them into one output folder with ``report.md``: the summary table (also returned and
printed by the CLI), the table of the experiments run with several seeds (mean ± sd across
them, :mod:`pidkit_distill.run_groups`; none when each experiment has one seed) and the figures.

Runs of the same name (``a/digits-bas-ut-s0``, ``b/digits-bas-ut-s0``) are named by as much of
their path as tells them apart. Every file is written atomically, and a figure a rerun does not
draw (no run has an audit any more) is removed, so the folder never mixes two reports; two
reports written into one folder at once take turns (its lock, ``.report.lock``), and the one
holding it deletes the temporary files of the report's files that a killed report left.
"""

from __future__ import annotations

import os
import shlex
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pidkit.below_zero import confidence_percent
from pidkit_distill.atomic_files import atomic_write, not_a_folder, remove_leftovers
from pidkit_distill.audit_records import (
    ATOM_LABELS,
    CLUSTERING_HELD_FIXED,
    audit_estimate,
    final_audit,
    final_flags,
    flag_notes,
    holds_clustering_fixed,
)
from pidkit_distill.chance import chance_paragraph
from pidkit_distill.folder_locks import folder_lock, lock_held, take_lock
from pidkit_distill.report_cells import atom_cell, table_cell
from pidkit_distill.report_figures import PID_FIGURES, draw_figures
from pidkit_distill.report_groups import group_table, group_table_of
from pidkit_distill.run_files import checkpoint_written, demo_out_dir, ended_train_epochs, train_failure
from pidkit_distill.run_groups import RunGroup, group_runs
from pidkit_distill.run_records import (
    RunRecords,
    given_runs,
    load_run,
    load_runs,
    method_label,
    with_distinct_names,
)
from pidkit_distill.run_summary import RunSummary
from pidkit_distill.unwritten_runs import RUN_LOCK_FILE

__all__ = ["RunRecords", "default_out_dir", "group_table", "load_run", "load_runs",
           "summary_table", "write_report"]

# What the note under the table of each run says of best accuracy after naming it:
# the epoch is picked by the accuracy it reports, on the one held-out set (no validation split),
# so the maximum over the epochs is biased upwards.
_BEST_ACC_CHOSEN = ("chosen on the same held-out set that measures it (no validation split), "
                   "so optimistic: compare runs by last acc")

# What the paragraph under the table says of the runs in each state (:func:`_run_state`),
# after naming them, each with its epochs: what happened, then how to go on (the advice, where
# there is one; a run of a demo's is told to run the demo again instead, :func:`_demo_advice`);
# a failed state's goes on with the advice that fits the errors shown (:func:`_failed_advice`).
_FAILED = (f"No process holds the run folder's {RUN_LOCK_FILE}: its train stopped with the error "
           "shown, which its summary.json records (failed),")
_STATE_NOTES = {
    "still training": (f"A `pidkit-distill train` holds the run folder's {RUN_LOCK_FILE} now, so "
                       "its row and lines show the epochs done so far; report again once it "
                       "ends.", ""),
    "stopped by run.stop_after": ("A `pidkit-distill train` with run.stop_after trained the "
                                  "epochs it asked for and ended", "; rerun the same command "
                                  "with --resume (run.resume=true) to train as many more from "
                                  "its checkpoint.pt, or with --run.stop_after 0 too to train to "
                                  "run.epochs."),
    "stopped": (f"No process holds the run folder's {RUN_LOCK_FILE} and its train did not end: "
                "it was killed or failed (its last lines say why)", "; to continue it from its "
                "checkpoint.pt, rerun the same command with --resume (run.resume=true)."),
    "failed": (f"{_FAILED} and its checkpoint.pt holds the epochs saved before", "."),
    "failed, its checkpoint.pt gone": (f"{_FAILED} and the checkpoint.pt its train had written "
                                       "by then (run.checkpoint_every) is not in it: it was "
                                       "deleted or not copied with the folder", "."),
    "failed before its first checkpoint": (f"{_FAILED} before it wrote a checkpoint.pt", "."),
    "stopped before its first checkpoint": (f"No process holds the run folder's {RUN_LOCK_FILE}, "
                                            "and it has no checkpoint.pt: its train was killed "
                                            "or failed before writing one "
                                            "(run.checkpoint_every)", "; the same command with "
                                            "--resume (run.resume=true) trains it again from "
                                            "epoch 1."),
    "stopped, its checkpoint.pt gone": (f"No process holds the run folder's {RUN_LOCK_FILE}, "
                                        "and its checkpoint.pt, which its train had written by "
                                        "then (run.checkpoint_every), is not in it: it was "
                                        "deleted or not copied with the folder", ". To continue "
                                        "the run, rerun the same command with --resume "
                                        "(run.resume=true) where its checkpoint.pt is; here, "
                                        "--resume trains it again from epoch 1."),
    "stopped teacher's run": (f"No process holds the run folder's {RUN_LOCK_FILE}: the "
                              "teacher's training was killed or failed", "; rerun the same "
                              "command (train-teacher, or the train that trains this teacher): "
                              "a teacher's run continues from its checkpoint.pt by itself."),
    "running or stopped, not known": (f"The run folder's {RUN_LOCK_FILE} cannot be tested here "
                                      "(its file system cannot lock files: NFS without its lock "
                                      "service, Lustre without -o flock; or it cannot be read), "
                                      "so it may be training or stopped; look for its process "
                                      "(ps, squeue).", ""),
}


def _demo_advice(run: RunRecords) -> str:
    """How to go on with ``run`` where ``pidkit-distill demo`` wrote it (:func:`~pidkit_distill.
    run_files.demo_out_dir`): the demo has no ``--resume``, and run again it starts over,
    emptying its folder first; ``""`` for any other run."""
    out_dir = demo_out_dir(Path(run.path))
    if out_dir is None:
        return ""
    epochs = ("[--epochs N]" if run.config.get("method", {}).get("name") == "teacher" else
              f"--epochs {run.config['run']['epochs']}")  # a teacher's are not the runs'
    return (f"A run of `pidkit-distill demo` ({out_dir} is the demo's --out-dir) cannot be "
            "resumed, as the demo has no --resume: run the demo again to start over, "
            f"`pidkit-distill demo --out-dir {shlex.quote(str(out_dir))} {epochs}`; it empties "
            f"{out_dir} first, the teacher and the finished runs too, and trains them all again.")


def _run_state(run: RunRecords, failure: dict[str, Any] | None) -> str:
    """Whether ``run`` (its last train's ``failure``, as its summary.json records it:
    :func:`~pidkit_distill.run_files.train_failure`) is training now: ``still training`` (a
    process holds its run folder's lock, :func:`~pidkit_distill.folder_locks.lock_held`: never
    held), ``failed`` (short of ``run.epochs``, none holds it, and its last train recorded the
    error it stopped with; ``failed before its first checkpoint`` where its folder holds no
    ``checkpoint.pt`` and its train wrote none, ``failed, its checkpoint.pt gone`` where it
    wrote one (deleted, or not copied): the same ``run.name`` then trains it again), ``stopped``
    (short of ``run.epochs`` and none holds it: killed or failed; ``stopped by run.stop_after``
    where its last train ended there by itself,
    :func:`~pidkit_distill.run_files.ended_train_epochs`; ``stopped before its first
    checkpoint`` where it has no ``checkpoint.pt`` and fewer epochs than
    ``run.checkpoint_every``; ``stopped, its checkpoint.pt gone`` where it has none but its
    train wrote one (deleted, or not copied); ``stopped teacher's run`` for a teacher's,
    which resumes by itself), ``running or stopped, not known`` (short of them, and its lock
    cannot be tested: a file system that cannot lock files), or ``""`` (it
    reached its epochs, and nothing holds its lock).

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(done, every=1):
    ...     return RunRecords("x", Path("/nonexistent/x"),
    ...                       {"run": {"epochs": 3, "checkpoint_every": every}},
    ...                       [{"epoch": e, "test_acc": 0.5} for e in range(1, done + 1)], [])
    >>> _run_state(run(2, every=5), None), _run_state(run(2), None), _run_state(run(3), None)
    ('stopped before its first checkpoint', 'stopped, its checkpoint.pt gone', '')
    """
    held = lock_held(Path(run.path) / RUN_LOCK_FILE)
    if held:
        return "still training"
    done = run.metrics[-1]["epoch"] if run.metrics else 0
    if done >= run.config["run"]["epochs"]:
        return ""
    if held is None:
        return "running or stopped, not known"
    if failure is None and run.config.get("method", {}).get("name") == "teacher":
        return "stopped teacher's run"
    if failure is None and ended_train_epochs(Path(run.path)) == done:
        return "stopped by run.stop_after"
    how = "stopped" if failure is None else "failed"
    if (Path(run.path) / "checkpoint.pt").is_file():
        return how
    gone = checkpoint_written(Path(run.path), run.config, done)
    return f"{how}, its checkpoint.pt gone" if gone else f"{how} before its first checkpoint"


def _failed_advice(state: str, failures: list[dict[str, Any]]) -> str:
    """How to go on after the failures (each the run's :func:`~pidkit_distill.run_files.
    train_failure` record, its ``"message"`` as :func:`_failure_message` gives it) of the runs
    in the failed ``state`` (:func:`_run_state`), where an error does not already say it: a
    NaN's new run beside a checkpoint, the rerun with the same ``run.name`` where the folder
    holds none, and memory's own way (a resume from the checkpoint.pt) only where an error was
    about memory. What each failure was, and whether it advised a rerun, are its record's
    ``kind`` and ``says_rerun``; a record without a kind (an older version's, a stop that
    followed another process's) is judged by its message's words.

    Examples
    --------
    >>> nan = {"message": "the training loss became NaN or infinite in epoch 1, step 4 of 22; "
    ...        "nothing was saved (no epoch had completed); lower optim.lr, then rerun: the same "
    ...        "run.name starts the run again", "kind": "nan", "says_rerun": True}
    >>> _failed_advice("failed before its first checkpoint", [nan])
    ''
    >>> print(_failed_advice("failed before its first checkpoint", [{
    ...     "message": "out of memory (MemoryError) while loading data set 'rerun': it did not "
    ...                "fit in this machine's memory; load less", "kind": "out_of_memory",
    ...     "says_rerun": False}]))
    Rerun the command with the change the error names (where memory ran out, once it is freed): \
the same run.name starts the run again from epoch 1.
    """
    memory = any(map(_about_memory, failures))
    advice = []
    if state == "failed":
        if any(map(_advised_the_same_run_after_nan, failures)):
            advice.append("Where the loss or the weights became NaN or infinite, the run is "
                          "seeded, so resuming it meets the error again, and the same command "
                          "without --resume is refused, as the folder holds a checkpoint: make "
                          "the change the error names in a new run, with another run.name "
                          "(--run.name NEW).")
        if memory:
            advice.append("Where memory ran out, free it, then rerun the same command with "
                          "--resume (run.resume=true) to continue from the checkpoint.pt.")
        return " ".join(advice)
    if not all(map(_advises_rerun, failures)):
        freed = " (where memory ran out, once it is freed)" if memory else ""
        advice.append(f"Rerun the command with the change the error names{freed}: the same "
                      "run.name starts the run again from epoch 1.")
    if state == "failed, its checkpoint.pt gone" and memory:
        advice.append("Where memory ran out, the run can instead continue from its "
                      "checkpoint.pt: rerun the same command with --resume (run.resume=true) "
                      "where that file is.")
    return " ".join(advice)


def _about_memory(failure: dict[str, Any]) -> bool:
    """Whether the failure record ``failure`` (:func:`_failed_advice`) is memory run out: its
    kind, or, without one, its message's words before the first ``;``."""
    if failure["kind"] is None:
        return "out of memory" in failure["message"].partition(";")[0]
    return failure["kind"] == "out_of_memory"


def _advises_rerun(failure: dict[str, Any]) -> bool:
    """Whether the failure record ``failure``'s error already advises a rerun: its
    ``says_rerun``, or, without a kind, the word in its message."""
    if failure["kind"] is None:
        return "rerun" in failure["message"]
    return failure["says_rerun"]


def _advised_the_same_run_after_nan(failure: dict[str, Any]) -> bool:
    """Whether the failure record ``failure`` is a NaN whose error did not advise a new run
    (``--run.name NEW``), as it does where it saved a checkpoint: one of an older version, or
    one that advised a rerun where nothing was saved, which the checkpoint now in the folder
    refuses."""
    if failure["kind"] is None:
        return ("NaN or infinite" in failure["message"]
                and "--run.name NEW" not in failure["message"])
    return failure["kind"] == "nan" and failure["says_rerun"]


def _failure_message(run: RunRecords, failure: dict[str, Any]) -> str:
    """The error that the last train of ``run`` stopped with (its ``failure`` record:
    :func:`~pidkit_distill.run_files.train_failure`), without its closing full stop.

    What was saved is judged from the folder, not from the record's words: where it holds no
    ``checkpoint.pt`` (a record of an older version that advised ``run.resume=true`` without
    one, a checkpoint deleted since), the message's ``saved: ...`` part and its advice give way
    to that, followed by the record's hint.

    Examples
    --------
    >>> import json, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "summary.json").write_text(json.dumps({"failed": {
    ...     "message": "the training loss became nan in epoch 2, step 1 of 3; saved: "
    ...                "runs/x/checkpoint.pt holds the run after epoch 1 (resume with "
    ...                "run.resume=true); lower optim.lr", "hint": "lower optim.lr"}}))
    >>> print(_failure_message(RunRecords("x", folder, {}, [], []), train_failure(folder)))
    the training loss became nan in epoch 2, step 1 of 3; nothing is saved to resume from (the \
run folder holds no checkpoint.pt); lower optim.lr
    """
    message = failure["message"]
    reason, saved, _ = message.partition("; saved: ")
    if saved and not (Path(run.path) / "checkpoint.pt").is_file():
        message = "; ".join(filter(None, (reason, "nothing is saved to resume from (the run "
                                          "folder holds no checkpoint.pt)", failure["hint"])))
    return message.rstrip(".")


def summary_table(runs: list[RunRecords], *, records: list[dict[str, Any] | None] | None = None) -> str:
    """A markdown table: accuracy (last, best) and the final PID atoms of the innermost layer,
    each with its bootstrap interval, the epoch they were audited at and how they were
    estimated.

    Runs of the same name are named by as much of their path as tells them apart; the cells of a run
    without a completed epoch are empty, and so are the atoms' of a run without an audit, whose
    estimate cell says so. A paragraph under the table names the runs still training, and those
    stopped short of their epochs, each with its epoch (:func:`_run_state`), and another those that
    ended their epochs at chance where their metrics records give it
    (:func:`~pidkit_distill.chance.chance_paragraph`). The estimate cell also names the corrected
    atoms below 0 and says when the solve was not certified, each explained under the table, and so
    are the best accuracy (chosen on the held-out set) and the intervals, with their confidence and,
    where they hold the KMeans clustering fixed (audit.cluster_seeds 1), that they do. ``records``:
    the runs' failure records (:func:`~pidkit_distill.run_files.train_failure`) read by the caller.

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
    held_fixed = False  # whether an interval shown holds the KMeans clustering fixed
    best_shown = False  # whether a best acc cell is not empty
    states: dict[tuple[str, str], list[str]] = {}  # the runs of each state, named (and demo)
    failures: dict[str, list[dict[str, Any]]] = {}  # the errors of the runs of each failed state
    ended: dict[str, dict[str, Any]] = {}  # the last record of each run that ended its epochs
    for i, run in enumerate(with_distinct_names(runs)):
        cfg, metrics = run.config, run.metrics
        last = metrics[-1] if metrics else {}
        best = max((m for m in metrics if m["test_acc"] is not None),  # None: non-finite
                   key=lambda m: m["test_acc"], default=None)
        best_cell = "" if best is None else f"{best['test_acc']:.4f} ({best['epoch']})"
        best_shown = best_shown or best is not None
        # a run without a completed epoch has only its untrained student's audit (epoch 0)
        atoms = (final_audit(run.audit) if metrics else None) or {}
        layer = atoms.get("layer")
        flags = final_flags(run.audit) if atoms else []  # every layer's, as the audit line's
        estimate = "; ".join([audit_estimate(atoms), *flags]) if atoms else ""
        if metrics and not atoms:  # its atom cells are empty: say why
            estimate = ("not audited (run.audit_every = 0)"
                        if cfg["run"].get("audit_every") == 0 else "no audit record in audit.jsonl")
        notes.update(flag_notes(atoms, flags, data=cfg.get("data")))
        failure = train_failure(Path(run.path)) if records is None else records[i]  # read once
        state = _run_state(run, failure)
        if not state and metrics:
            ended[run.name] = last
        if state:  # where it is: in its first epoch, or after (training: at) its last logged
            where = ("in epoch 1" if not metrics else
                     f"{'after ' if state != 'still training' else ''}epoch {last['epoch']}")
            if state.startswith("failed") and failure["before_training"]:
                where = f"before epoch {last.get('epoch', 0) + 1}"
            named = f"{run.name} ({where} of {cfg['run']['epochs']})"
            group = (state, _demo_advice(run) if _STATE_NOTES[state][1] else "")
            if state.startswith("failed"):  # each its own error: where, what was saved
                failures.setdefault(group, []).append(
                    {**failure, "message": _failure_message(run, failure)})
                named += f": {failures[group][-1]['message']}"
            states.setdefault(group, []).append(named)
        cells = [atom_cell(atoms, key) for key in ATOM_LABELS]
        if any("[" in cell for cell in cells):
            settings = atoms.get("settings", {})
            confidence = settings.get("confidence")
            levels.add(" ".join(filter(None, ("" if confidence is None else
                                              confidence_percent(confidence),
                                              settings.get("ci_method")))))
            held_fixed = held_fixed or holds_clustering_fixed(atoms)
        lines.append(
            f"| {run.name} | {cfg['data']['name']} | {method_label(cfg)} | "
            f"{cfg['teacher']['source']} | "
            f"{last.get('epoch', 0)}/{cfg['run']['epochs']} | "
            f"{table_cell(last.get('teacher_acc'))} | "
            f"{table_cell(last.get('test_acc'))} | {best_cell} | {table_cell(layer, 'd')} | "
            f"{table_cell(atoms.get('epoch'), 'd')} | {estimate} | "
            f"{' | '.join(cells)} | "
            f"{atoms.get('n_samples', '')} |"
        )
    if best_shown:
        notes["best"] = f"best acc (epoch): the highest held-out accuracy, {_BEST_ACC_CHOSEN}."
    if levels:
        level = " or ".join(sorted(filter(None, levels)))
        notes["interval"] = (f"[low, high]: the {level + ' ' if level else ''}bootstrap interval "
                             "of the atom (audit.confidence, audit.bootstrap), which need not "
                             "hold the estimate (docs/estimate.md, Bootstrap intervals)." +
                             (f" With audit.cluster_seeds 1 the intervals {CLUSTERING_HELD_FIXED} "
                              "(docs/distill.md, Seeds of the clustering)."
                              if held_fixed else ""))
    for (state, demo), named in sorted(states.items(), key=lambda item: [*_STATE_NOTES].index(
            item[0][0])):  # in _STATE_NOTES's order, then as met
        what, advice = _STATE_NOTES[state]
        between = ". " if state.startswith("failed") else ", "  # an error's words hold commas
        if demo:
            advice = f". {demo}"
        elif (state, demo) in failures:
            advice = " ".join(filter(None, [advice, _failed_advice(state, failures[state, ""])]))
        notes[state + demo] = f"{state[0].upper()}{state[1:]}: {between.join(named)}. {what}{advice}"
    notes["at chance"] = chance_paragraph(ended)
    return "\n".join([*lines, *(f"\n{note}" for note in notes.values() if note)])  # a paragraph each


def write_report(run_dirs: str | bytes | os.PathLike[str] | RunRecords | RunSummary
                 | Iterable[str | bytes | os.PathLike[str] | RunRecords | RunSummary],
                 *, out_dir: str | Path | None = None) -> Path:
    """Draw the figures and write ``report.md`` for ``run_dirs``; return the report's path.

    Parameters
    ----------
    run_dirs : path, RunRecords, RunSummary, or an iterable of them
        Run folders written by ``pidkit-distill train`` (or their records, from
        :func:`load_run`, or the summaries :func:`~pidkit_distill.train` returns); a file, a
        report folder, a folder given twice and, beside students' runs, the teacher's own run
        folders are skipped with a warning (see :func:`load_runs`).
    out_dir : path, optional
        Where to write (``~`` is the home folder). By default the folder ``report`` in the one
        folder given, as the command's ``--out`` is: ``RUN_DIR/report`` for one run folder (or
        its records, or its summary) given alone, a folder of the report's files only, beside
        the run's own; ``SWEEP/report`` for a sweep's folder (``runs``), however many runs it
        holds. Given several (``runs/*``), ``report`` beside the first run, also where only
        one of them is a run.
        It is created before anything is drawn. Every file is written atomically; a PID figure
        left there by an earlier report and not drawn this time (no run has an audit, or one
        layer only) is removed, and so are the temporary files of the report's own files that
        a report killed while writing left (``report.md.XXXXXXXX.tmp``; never another file's).
        Reports written into one folder at once take turns, each holding its lock
        (``.report.lock``) while it writes, so that the folder never mixes two.

    Returns
    -------
    Path
        ``out_dir/report.md``.

    Raises
    ------
    ValueError
        No run folder, a folder that is not a run (see :func:`load_run`), no run with a
        completed epoch, an ``out_dir`` that cannot be created (a file is in the way, no
        permission), another report writing into ``out_dir`` for over a minute, or a PID
        figure of an earlier report there that cannot be removed.
    pidkit_distill.atomic_files.FileWriteError
        A file that could not be written (no permission, a full disk; found once everything
        is drawn): the message names it, says whether it is as it was before or was not
        written, and what to do.
    TypeError
        A run that is none of a path (str, bytes or PathLike), a RunRecords or a RunSummary.

    Warns
    -----
    RuntimeWarning
        A run without a completed epoch (an empty ``metrics.jsonl``: it has a row in the table
        but no line in the figures), or a skipped folder.

    Examples
    --------
    >>> write_report([])
    Traceback (most recent call last):
    ...
    ValueError: run_dirs: no run folder given (an empty list); pass at least one run folder
    """
    given = given_runs(run_dirs, "run_dirs")
    runs = with_distinct_names(load_runs(given))
    records = [train_failure(Path(run.path)) for run in runs]  # once, for the table and figures
    states = [_run_state(run, failure) for run, failure in zip(runs, records, strict=True)]
    if not any(run.metrics for run in runs):
        if all(state.startswith(("stopped", "failed")) for state in states):
            before = [failure is not None and failure["before_training"] for failure in records]
            failed = "".join(
                f"; {run.name} failed{' before training started' * early}: "
                f"{_failure_message(run, failure)}"
                for run, failure, state, early in zip(runs, records, states, before, strict=True)
                if state.startswith("failed"))
            when = ("before its first epoch" if all(before) else
                    "before or in its first epoch" if any(before) else "in its first epoch")
            raise ValueError("no run has completed an epoch (each metrics.jsonl is empty), and "
                             f"none is training now (no process holds its run folder's "
                             f"{RUN_LOCK_FILE}): each stopped {when}, before "
                             f"anything was saved{failed}; "
                             f"{'do what its error says, then ' if failed else ''}rerun its command")
        raise ValueError("no run has completed an epoch (each metrics.jsonl is empty), so there "
                         "is nothing to report yet; wait for an epoch to end")
    for run in runs:
        if not run.metrics:
            warnings.warn(f"{run.path}: no completed epoch (metrics.jsonl is empty); the run "
                          "has a row in the table but no line in the figures", RuntimeWarning,
                          stacklevel=2)
    if out_dir is None:
        out_dir = default_out_dir(given, runs)
    out = Path(out_dir).expanduser()  # '--out=~/r', which no shell expands, included
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:  # a file in the way is named, where mkdir says 'File exists'
        in_the_way = not_a_folder(out)
        why = err.strerror if in_the_way is None else f"{str(in_the_way)!r} is a file, not a folder"
        raise ValueError(f"out_dir={str(out)!r} cannot be created ({why}); choose another folder "
                         "(--out)") from None
    groups = group_runs(runs)
    files = draw_figures(groups, {run.name: state for run, state in zip(runs, states, strict=True)})
    files["report.md"] = _markdown(runs, groups, drawn=files, records=records).encode()
    with _report_folder_lock(out) as locked:
        if locked:  # no other report is writing here: a temporary file left was a killed one's
            remove_leftovers(out, [*files, *PID_FIGURES])
        for name, data in files.items():  # everything is drawn: write it, each file atomically
            atomic_write(out / name, lambda handle, data=data: handle.write(data),
                         then="make the report again")
        for name in PID_FIGURES.keys() - files.keys():
            try:
                (out / name).unlink(missing_ok=True)
            except OSError as err:
                raise ValueError(f"out_dir={str(out)!r}: {name}, left by an earlier report, "
                                 f"cannot be removed ({err.strerror}); remove it or choose "
                                 "another folder (--out)") from None
    return out / "report.md"


def default_out_dir(run_dirs: str | bytes | os.PathLike[str] | RunRecords | RunSummary
                    | Iterable[str | bytes | os.PathLike[str] | RunRecords | RunSummary],
                    runs: list[RunRecords]) -> Path:
    """Where :func:`write_report` writes without an ``out_dir``: ``report`` in the one folder
    given (a run's, ``RUN_DIR/report``; a sweep's, ``SWEEP/report``, however many runs it
    holds), else ``report`` beside the first run.

    Parameters
    ----------
    run_dirs : path, RunRecords, RunSummary, or an iterable of them
        The runs as the user gave them (``write_report``'s ``run_dirs``, the command's
        ``RUN_DIR`` arguments).
    runs : list of RunRecords
        The runs read from them (:func:`load_runs`); only the first is used, and only where
        several were given.

    Returns
    -------
    Path

    Examples
    --------
    >>> from pidkit_distill.report import default_out_dir
    >>> default_out_dir("runs/digits-bas-ut-s0", []).as_posix()
    'runs/digits-bas-ut-s0/report'
    >>> default_out_dir(["runs"], []).as_posix()
    'runs/report'
    """
    given = given_runs(run_dirs, "run_dirs")
    if len(given) == 1:
        only = given[0]
        return (only.path if isinstance(only, RunRecords) else Path(only).expanduser()) / "report"
    # beside the first run (the parent of "." or ".." is itself or inside it)
    first = runs[0].path
    return (first.resolve() if first.name in ("", "..") else first).parent / "report"


# How long a report waits, in seconds, for another writing into the same folder (which
# holds it for the moment its files take to write, once drawn).
_WAIT_S = 60.0
# The lock of a report folder, held while a report writes its files.
_LOCK_FILE = ".report.lock"


@contextmanager
def _report_folder_lock(out: Path) -> Iterator[bool]:
    """Hold the lock of the report folder ``out`` while the block runs, waiting up to
    :data:`_WAIT_S` seconds for another report writing there; give whether it is held. A
    folder whose lock file cannot be made, or whose file system cannot lock files, is written
    unlocked (``False``): the writes then say what is wrong (a lock file that cannot be made)
    or go ahead (a file system that cannot lock).

    The lock is :func:`~pidkit_distill.folder_locks.folder_lock`'s, never filelock's soft lock,
    which would take the lock file, which every report leaves, for one held."""
    lock = folder_lock(out / _LOCK_FILE)
    try:
        if take_lock(lock, _WAIT_S) is False:
            raise ValueError(f"out_dir={str(out)!r} is being written by another report (which "
                             f"holds {out / _LOCK_FILE}) for over {_WAIT_S:g} s; wait for it to "
                             "end, or choose another folder (--out)")
    except OSError:  # the lock file cannot be made: the writes say what is wrong
        pass
    try:
        yield lock.is_locked
    finally:
        if lock.is_locked:
            lock.release()


def _markdown(runs: list[RunRecords], groups: list[RunGroup], *, drawn: dict[str, bytes],
              records: list[dict[str, Any] | None]) -> str:
    """The text of ``report.md``: the ``runs``, the table of their ``groups``
    (:func:`~pidkit_distill.report_groups.group_table_of`) under a heading that says what it
    holds, their :func:`summary_table` (their failure ``records``) and the figures ``drawn``."""
    seeds_table = group_table_of(groups)
    several = any(len(group.runs) > 1 for group in groups)  # else only runs kept apart
    heading = ("## Experiments run with several seeds" if several else
               "## Runs kept apart by a key an older config.json lacks")
    text = ["# Distillation report", "", "Runs: " + ", ".join(f"`{r.path}`" for r in runs), "",
            *([heading, "", seeds_table, "", "## Each run", ""] if seeds_table else []),
            summary_table(runs, records=records), "",
            "Accuracy is on the held-out set; PID atoms are in bits, for the innermost audited layer "
            "at its last audit (audit epoch), estimated from n held-out samples as the estimate "
            "column says: the estimator (discrete, or gaussian: linearly decodable information, not "
            "comparable with discrete bits), then the correction of the plug-in's sampling bias "
            "(audit.bias_correction), or plug-in for none. The records in audit.jsonl hold the "
            "plug-in values and the estimated bias too.", "", "![accuracy](accuracy.png)", ""]
    if "pid_atoms.png" in drawn:
        text += ["![PID atoms](pid_atoms.png)", ""]
        text += (["![PID atoms, every layer](pid_atoms_all_layers.png)", ""]
                 if "pid_atoms_all_layers.png" in drawn else
                 ["One layer was audited, so pid_atoms.png shows every layer (there is no "
                  "pid_atoms_all_layers.png).", ""])
    else:
        text += ["No run has an audit record (run.audit_every = 0, or audit.jsonl is empty), so "
                 "there is no PID figure.", ""]
    return "\n".join(text)
