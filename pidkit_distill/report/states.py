"""The state of each run that the report names under its table: whether a run short of its
``run.epochs`` is training now, stopped or failed, and how (:func:`run_state`), and the
paragraphs under the table that name the runs of each state, each with its epochs, say what
happened and how to go on (:class:`StateNotes`).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pidkit_distill.folder_locks import lock_held
from pidkit_distill.report.failures import failed_advice, failure_message
from pidkit_distill.run_folders.files import (
    checkpoint_written,
    demo_out_dir,
    ended_train_epochs,
    read_summary,
)
from pidkit_distill.run_folders.records import RunRecords
from pidkit_distill.run_folders.unwritten import RUN_LOCK_FILE

__all__ = ["StateNotes", "all_ended", "ended_by_early_stop", "run_state", "stopped_early_at"]

# What the paragraph under the table says of the runs in each state (:func:`run_state`),
# after naming them, each with its epochs: what happened, then how to go on (the advice, where
# there is one; a run of a demo's is told to run the demo again instead, :func:`_demo_advice`);
# a failed state's goes on with the advice that fits the errors shown
# (:func:`~pidkit_distill.report.failures.failed_advice`).
_FAILED = (f"No process holds the run folder's {RUN_LOCK_FILE}: its train stopped with the error "
           "shown, which its summary.json records (failed),")
# What the paragraph of a run whose last metrics.jsonl line, of the epoch its train ended after,
# is cut (:func:`~pidkit_distill.run_folders.damaged.ended_before_line_cut`) says of that line; how to
# write it again depends on the run (:func:`_cut_line_advice`).
_CUT_LATER = ("its summary.json records that it ended after that epoch, which train writes only "
              "once the epoch's line of metrics.jsonl is written whole; that line, the file's "
              "last, was cut later (a copy cut short, or the machine stopped before the line "
              "reached the disk), not by a kill")
_CUT_LINE_STATES = ("stopped by run.stop_after, its last metrics line cut",
                    "finished, its last metrics line cut")
_STATE_NOTES = {
    "still training": (f"A `pidkit-distill train` holds the run folder's {RUN_LOCK_FILE} now, so "
                       "its row and lines show the epochs done so far; report again once it "
                       "ends.", ""),
    "stopped by run.stop_after": ("A `pidkit-distill train` with run.stop_after trained the "
                                  "epochs it asked for and ended", "; rerun the same command "
                                  "with --resume (run.resume=true) to train as many more from "
                                  "its checkpoint.pt, or with --run.stop_after 0 too to train to "
                                  "run.epochs."),
    _CUT_LINE_STATES[0]: ("A `pidkit-distill train` with run.stop_after trained the epochs it "
                          f"asked for and ended: {_CUT_LATER}", ""),
    _CUT_LINE_STATES[1]: (f"Its train finished: {_CUT_LATER}", ""),
    "stopped": (f"No process holds the run folder's {RUN_LOCK_FILE} and its train did not end: "
                "it was killed or failed (if it failed, the last lines its command printed say "
                "why; a killed process prints nothing)", "; to continue it from its "
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
    run_folders.files.demo_out_dir`): the demo has no ``--resume``, and run again it starts over,
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


def _cut_line_advice(run: RunRecords, state: str) -> str:
    """How to write again the cut last ``metrics.jsonl`` line of ``run``, in one of the
    :data:`_CUT_LINE_STATES` ``state``: ``--resume`` writes the file again from its
    ``checkpoint.pt`` (which holds every epoch's line), and trains nothing or, stopped by
    ``run.stop_after``, as many more epochs; where it has no ``checkpoint.pt``, or is a demo's
    or a teacher's run (neither is resumed so), ``summary.json`` still keeps that epoch's
    accuracy.

    Examples
    --------
    >>> run = RunRecords("x", Path("/nonexistent/x"), {"run": {"epochs": 3}}, [], [])
    >>> print(_cut_line_advice(run, "finished, its last metrics line cut"))
    Its checkpoint.pt, from which the same command with --resume (run.resume=true) writes \
metrics.jsonl again, is not in the run folder (deleted, or not copied with it): rerun it where \
checkpoint.pt is (here, --resume trains the run again from epoch 1); its summary.json keeps \
that epoch's held-out accuracy (last_acc).
    """
    kept = "its summary.json keeps that epoch's held-out accuracy (last_acc)."
    if demo_out_dir(Path(run.path)) is not None or \
            run.config.get("method", {}).get("name") == "teacher":
        return f"{kept[0].upper()}{kept[1:]}"
    if not (Path(run.path) / "checkpoint.pt").is_file():
        return ("Its checkpoint.pt, from which the same command with --resume (run.resume=true) "
                "writes metrics.jsonl again, is not in the run folder (deleted, or not copied "
                "with it): rerun it where checkpoint.pt is (here, --resume trains the run again "
                f"from epoch 1); {kept}")
    then = ("trains nothing" if state == _CUT_LINE_STATES[1] else
            "trains as many more epochs (with --run.stop_after 0 too, to run.epochs)")
    return ("Rerun the same command with --resume (run.resume=true): it writes metrics.jsonl "
            f"again from its checkpoint.pt and {then}.")


def run_state(run: RunRecords, failure: dict[str, Any] | None) -> str:
    """Whether ``run`` (its last train's ``failure``, as its summary.json records it:
    :func:`~pidkit_distill.run_folders.files.train_failure`) is training now: ``still training`` (a
    process holds its run folder's lock, :func:`~pidkit_distill.folder_locks.lock_held`: never
    held), ``failed`` (short of ``run.epochs``, none holds it, and its last train recorded the
    error it stopped with; ``failed before its first checkpoint`` where its folder holds no
    ``checkpoint.pt`` and its train wrote none, ``failed, its checkpoint.pt gone`` where it
    wrote one (deleted, or not copied): the same ``run.name`` then trains it again), ``stopped``
    (short of ``run.epochs`` and none holds it: killed or failed; ``stopped by run.stop_after``
    where its last train ended there by itself,
    :func:`~pidkit_distill.run_folders.files.ended_train_epochs`; ``stopped before its first
    checkpoint`` where it has no ``checkpoint.pt`` and fewer epochs than
    ``run.checkpoint_every``; ``stopped, its checkpoint.pt gone`` where it has none but its
    train wrote one (deleted, or not copied); ``stopped teacher's run`` for a teacher's,
    which resumes by itself), ``running or stopped, not known`` (short of them, and its lock
    cannot be tested: a file system that cannot lock files), ``finished, its last metrics line
    cut`` or ``stopped by run.stop_after, its last metrics line cut`` (its last train ended by
    itself after the epoch whose line, the last of its ``metrics.jsonl``, was cut later:
    :func:`~pidkit_distill.run_folders.damaged.ended_before_line_cut`, kept in its records'
    ``line_cut_later``; once called stopped, killed),
    or ``""`` (it reached its epochs, or ``run.early_stop`` ended it, as its summary.json's
    ``stopped_early_at`` records, and nothing holds its lock).

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(done, every=1):
    ...     return RunRecords("x", Path("/nonexistent/x"),
    ...                       {"run": {"epochs": 3, "checkpoint_every": every}},
    ...                       [{"epoch": e, "test_acc": 0.5} for e in range(1, done + 1)], [])
    >>> run_state(run(2, every=5), None), run_state(run(2), None), run_state(run(3), None)
    ('stopped before its first checkpoint', 'stopped, its checkpoint.pt gone', '')
    """
    held = lock_held(Path(run.path) / RUN_LOCK_FILE)
    if held:
        return "still training"
    done = run.metrics[-1]["epoch"] if run.metrics else 0
    if done >= run.config["run"]["epochs"]:
        return ""
    if done and failure is None and read_summary(Path(run.path)).get("stopped_early_at") == done:
        return ""  # run.early_stop ended it: finished, in the epochs it trained
    ended = run.line_cut_later  # as load_run read it; None where summary.json records a failure
    if ended is not None:
        return _CUT_LINE_STATES[ended >= run.config["run"]["epochs"]]
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


def stopped_early_at(run: RunRecords, state: str | None = None) -> int | None:
    """The epoch after which ``run.early_stop`` ended ``run``, short of its ``run.epochs`` (its
    last epoch); ``None`` where it did not: it reached them, has no epoch, or is short of them
    otherwise (stopped, failed, still training).

    ``state``: the run's state (:func:`run_state`), which calls a
    run short of its epochs finished (``""``) only where ``run.early_stop`` ended it; ``None``
    to read that from its ``summary.json`` (``stopped_early_at``) instead, as ``run_state``
    does, without testing its lock or its failure record.

    Examples
    --------
    >>> from pathlib import Path
    >>> run = RunRecords("kd", Path("/nonexistent/kd"), {"run": {"epochs": 8}},
    ...                  [{"epoch": e, "test_acc": 0.5} for e in (1, 2, 3)], [])
    >>> stopped_early_at(run, ""), stopped_early_at(run, "stopped"), stopped_early_at(run)
    (3, None, None)
    """
    done = run.metrics[-1]["epoch"] if run.metrics else 0
    planned = (run.config.get("run") or {}).get("epochs")  # none said: none known short
    if not done or planned is None or done >= planned:
        return None
    ended = (read_summary(Path(run.path)).get("stopped_early_at") == done if state is None
             else not state)
    return done if ended else None


def all_ended(runs: Sequence[RunRecords], states: Mapping[str, str] | None = None) -> bool:
    """Whether each of ``runs`` ended its epochs: it has one, and reached its ``run.epochs``
    (or its config names none, as :func:`stopped_early_at` takes it) or ``run.early_stop``
    ended it (:func:`stopped_early_at`). ``states``: each run's state by its name
    (:func:`run_state`, as the report computed it); ``None``, or a run not in it, reads its
    ``summary.json`` instead.

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(done, config):
    ...     return RunRecords("x", Path("/nonexistent/x"), config,
    ...                       [{"epoch": e, "test_acc": 0.5} for e in range(1, done + 1)], [])
    >>> all_ended([run(3, {"run": {"epochs": 3}}), run(2, {})])
    True
    >>> short = [run(2, {"run": {"epochs": 3}})]
    >>> all_ended(short), all_ended(short, {"x": ""})
    (False, True)
    >>> all_ended([run(0, {})])
    False
    """
    for run in runs:
        done = run.metrics[-1]["epoch"] if run.metrics else 0
        planned = (run.config.get("run") or {}).get("epochs")
        if not done or (planned is not None and done < planned
                        and stopped_early_at(run, _given_state(run, states)) is None):
            return False
    return True


def ended_by_early_stop(runs: Sequence[RunRecords], states: Mapping[str, str] | None = None) -> bool:
    """Whether each of ``runs`` ended its epochs (:func:`all_ended`), ``run.early_stop`` ending
    one or more of them, at different epochs or all at the same one: each one's result is then
    of its own epochs (its best epoch on the validation split, ``best.pt``), not of an epoch
    they all reached. ``states`` as :func:`all_ended`'s.

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(name, done):
    ...     return RunRecords(name, Path(f"/nonexistent/{name}"), {"run": {"epochs": 8}},
    ...                       [{"epoch": e, "test_acc": 0.5} for e in range(1, done + 1)], [])
    >>> ended_by_early_stop([run("a", 3), run("b", 8)], {"a": "", "b": ""})
    True
    >>> ended_by_early_stop([run("a", 3), run("b", 3)], {"a": "", "b": ""})  # the same epoch
    True
    >>> ended_by_early_stop([run("a", 3), run("b", 8)], {"a": "stopped", "b": ""})
    False
    >>> ended_by_early_stop([run("a", 8), run("b", 8)], {"a": "", "b": ""})
    False
    """
    return all_ended(runs, states) and any(
        stopped_early_at(run, _given_state(run, states)) is not None for run in runs)


def _given_state(run: RunRecords, states: Mapping[str, str] | None) -> str | None:
    """The state of ``run`` in ``states`` (by run name), ``None`` where it is not given."""
    return None if states is None else states.get(run.name)


def _untrained_audit_unended(run: RunRecords) -> bool:
    """Whether ``run``, which has no epoch done, was stopped before its audit of the untrained
    networks (epoch 0) ended: it audits (``run.audit_every`` above 0, a student's run: a
    teacher's has no audit), and its ``audit.jsonl``, which its train writes empty before that
    audit and appends the audit's records of every layer to at once when it ends, holds none of
    epoch 0. Its train said "interrupted while auditing the untrained networks"; the records
    cannot tell that from a stop in the teacher's evaluation just before the audit. ``False``
    for a run with an epoch done, one that does not audit, or whose ``audit.jsonl`` is not
    there (deleted: what it held is not known).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "audit.jsonl").write_text("")
    >>> config = {"run": {"epochs": 200, "audit_every": 50}, "method": {"name": "kd"}}
    >>> _untrained_audit_unended(RunRecords("int2", folder, config, [], []))
    True
    >>> _untrained_audit_unended(RunRecords("int2", folder, config, [], [{"epoch": 0}]))
    False
    >>> _untrained_audit_unended(RunRecords("plain", folder, {"run": {"audit_every": 0}}, [], []))
    False
    """
    every = run.config.get("run", {}).get("audit_every")
    return (not run.metrics and isinstance(every, int) and every > 0
            and run.config.get("method", {}).get("name") != "teacher"
            and (Path(run.path) / "audit.jsonl").is_file()
            and not any(record.get("epoch") == 0 for record in run.audit))


def _where(run: RunRecords, state: str, failure: dict[str, Any] | None) -> str:
    """Where ``run``, in ``state`` (:func:`run_state`) with its last train's ``failure``
    record, stands in its epochs, as :meth:`StateNotes.add` names it: ``in epoch 1 of 5``
    (none done: in its first, or after), ``after epoch 3 of 5`` (at it, still training),
    ``before epoch N of 5`` (failed before training it, or before its audit of the untrained
    networks ended, which its error names), ``after epoch 5 of 5; its row and lines show epoch
    4`` (its last line cut, :data:`_CUT_LINE_STATES`), and, stopped or training before that
    audit ended (:func:`_untrained_audit_unended`), ``before epoch 1 of 5: its audit of the
    untrained networks had not ended`` (``has not ended``, training)."""
    last = run.metrics[-1]["epoch"] if run.metrics else 0
    of = f"of {run.config['run']['epochs']}"
    if state in _CUT_LINE_STATES:
        return (f"after epoch {last + 1} {of}; its row and lines show "
                f"{f'epoch {last}' if last else 'no epoch'}")
    unaudited = _untrained_audit_unended(run)
    if state.startswith("failed") and failure is not None and (failure["before_training"]
                                                                or unaudited):
        return f"before epoch {last + 1} {of}"
    if unaudited:
        tense = "has" if state == "still training" else "had"
        return f"before epoch 1 {of}: its audit of the untrained networks {tense} not ended"
    if not run.metrics:
        return f"in epoch 1 {of}"
    return f"{'after ' if state != 'still training' else ''}epoch {last} {of}"


class StateNotes:
    """The paragraphs under the report's table that name the runs short of their epochs, a
    paragraph for the runs of each state (:func:`run_state`) and, for a demo's runs, of each
    demo: the runs each with its epochs (a failed one with its error,
    :func:`~pidkit_distill.report.failures.failure_message`), what happened, and how to go on.

    Examples
    --------
    >>> from pathlib import Path
    >>> run = RunRecords("x", Path("/nonexistent/x"), {"run": {"epochs": 3}},
    ...                  [{"epoch": 1, "test_acc": 0.5}], [])
    >>> notes = StateNotes()
    >>> notes.add(run, "running or stopped, not known", None)
    >>> print(notes.paragraphs()["running or stopped, not known"][:54])
    Running or stopped, not known: x (after epoch 1 of 3).
    """

    def __init__(self) -> None:
        self._named: dict[tuple[str, str], list[str]] = {}  # the runs of each state, named (and demo)
        self._failures: dict[tuple[str, str], list[dict[str, Any]]] = {}  # each failed state's errors

    def add(self, run: RunRecords, state: str, failure: dict[str, Any] | None) -> None:
        """Name ``run``, short of its epochs in ``state`` (:func:`run_state`; not ``""``), with
        its last train's ``failure`` record (:func:`~pidkit_distill.run_folders.files.train_failure`)."""
        named = f"{run.name} ({_where(run, state, failure)})"
        group = (state, _cut_line_advice(run, state) if state in _CUT_LINE_STATES else
                 _demo_advice(run) if _STATE_NOTES[state][1] else "")
        if state.startswith("failed") and failure is not None:  # each its own error
            self._failures.setdefault(group, []).append(
                {**failure, "message": failure_message(run, failure)})
            named += f": {self._failures[group][-1]['message']}"
        self._named.setdefault(group, []).append(named)

    def paragraphs(self) -> dict[str, str]:
        """The paragraph of each state (and demo) that a run was added in, by the state (then
        the demo's advice), in the order of the states above, then as met."""
        paragraphs = {}
        for (state, demo), named in sorted(self._named.items(), key=lambda item: [*_STATE_NOTES].index(
                item[0][0])):  # in _STATE_NOTES's order, then as met
            what, advice = _STATE_NOTES[state]
            between = ". " if state.startswith("failed") else ", "  # an error's words hold commas
            if demo:
                advice = f". {demo}"
            elif (state, demo) in self._failures:
                advice = " ".join(filter(None, [advice, failed_advice(state, self._failures[state, ""])]))
            paragraphs[state + demo] = f"{state[0].upper()}{state[1:]}: {between.join(named)}. {what}{advice}"
        return paragraphs
