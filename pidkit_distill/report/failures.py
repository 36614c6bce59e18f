"""What the report says of a run whose train failed, by the error its ``summary.json`` records
(:func:`~pidkit_distill.run_folders.files.train_failure`): the error as the folder bears it out
(:func:`failure_message`), and how to go on where the error does not already say it
(:func:`failed_advice`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pidkit_distill.run_folders.records import RunRecords

__all__ = ["failed_advice", "failure_message"]


def failed_advice(state: str, failures: list[dict[str, Any]]) -> str:
    """How to go on after the failures (each the run's :func:`~pidkit_distill.run_folders.files.
    train_failure` record, its ``"message"`` as :func:`failure_message` gives it) of the runs
    in the failed ``state`` (:func:`~pidkit_distill.report.states.run_state`), where an error
    does not already say it: a NaN's new run beside a checkpoint, the rerun with the same
    ``run.name`` where the folder holds none, and memory's own way (a resume from the
    checkpoint.pt) only where an error was about memory. What each failure was, and whether it
    advised a rerun, are its record's ``kind`` and ``says_rerun``; a record without a kind (an
    older version's, a stop that followed another process's) is judged by its message's words.

    Examples
    --------
    >>> nan = {"message": "the training loss became NaN or infinite in epoch 1, step 4 of 22; "
    ...        "nothing was saved (no epoch had completed); lower optim.lr, then rerun: the same "
    ...        "run.name starts the run again", "kind": "nan", "says_rerun": True}
    >>> failed_advice("failed before its first checkpoint", [nan])
    ''
    >>> print(failed_advice("failed before its first checkpoint", [{
    ...     "message": "out of memory (MemoryError) while loading data set 'rerun': it did not "
    ...                "fit in this machine's memory; load less", "kind": "out_of_memory",
    ...     "says_rerun": False}]))
    Rerun the command with the change the error names (where memory ran out, once it is freed): \
the same run.name starts the run again from epoch 1.
    """
    judged = [_judged(failure) for failure in failures]
    memory = any(about_memory for about_memory, _, _ in judged)
    advice = []
    if state == "failed":
        if any(same_run_after_nan for _, _, same_run_after_nan in judged):
            advice.append("Where the loss or the weights became NaN or infinite, the run is "
                          "seeded, so resuming it meets the error again, and the same command "
                          "without --resume is refused, as the folder holds a checkpoint: make "
                          "the change the error names in a new run, with another run.name "
                          "(--run.name NEW).")
        if memory:
            advice.append("Where memory ran out, free it, then rerun the same command with "
                          "--resume (run.resume=true) to continue from the checkpoint.pt.")
        return " ".join(advice)
    if not all(advises_rerun for _, advises_rerun, _ in judged):
        freed = " (where memory ran out, once it is freed)" if memory else ""
        advice.append(f"Rerun the command with the change the error names{freed}: the same "
                      "run.name starts the run again from epoch 1.")
    if state == "failed, its checkpoint.pt gone" and memory:
        advice.append("Where memory ran out, the run can instead continue from its "
                      "checkpoint.pt: rerun the same command with --resume (run.resume=true) "
                      "where that file is.")
    return " ".join(advice)


def _judged(failure: dict[str, Any]) -> tuple[bool, bool, bool]:
    """What the failure record ``failure`` (:func:`failed_advice`) was: whether memory ran out,
    whether its error already advises a rerun, and whether it is a NaN whose error did not
    advise a new run (``--run.name NEW``), as it does where it saved a checkpoint (one of an
    older version, or one that advised a rerun where nothing was saved, which the checkpoint
    now in the folder refuses). Read from its ``kind`` and ``says_rerun``, or, a record
    without a kind, from its message's words (memory: before the first ``;``).

    Examples
    --------
    >>> _judged({"kind": "nan", "says_rerun": True, "message": "the training loss became NaN"})
    (False, True, True)
    >>> _judged({"kind": None, "says_rerun": False, "message": "out of memory; rerun"})
    (True, True, False)
    """
    kind, message = failure["kind"], failure["message"]
    if kind is None:
        return ("out of memory" in message.partition(";")[0], "rerun" in message,
                "NaN or infinite" in message and "--run.name NEW" not in message)
    return kind == "out_of_memory", failure["says_rerun"], kind == "nan" and failure["says_rerun"]


def failure_message(run: RunRecords, failure: dict[str, Any]) -> str:
    """The error that the last train of ``run`` stopped with (its ``failure`` record:
    :func:`~pidkit_distill.run_folders.files.train_failure`), without its closing full stop.

    What was saved is judged from the folder, not from the record's words: where it holds no
    ``checkpoint.pt`` (a record of an older version that advised ``run.resume=true`` without
    one, a checkpoint deleted since), the message's ``saved: ...`` part and its advice give way
    to that, followed by the record's hint.

    Examples
    --------
    >>> import json, tempfile
    >>> from pidkit_distill.run_folders.files import train_failure
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "summary.json").write_text(json.dumps({"failed": {
    ...     "message": "the training loss became nan in epoch 2, step 1 of 3; saved: "
    ...                "runs/x/checkpoint.pt holds the run after epoch 1 (resume with "
    ...                "run.resume=true); lower optim.lr", "hint": "lower optim.lr"}}))
    >>> print(failure_message(RunRecords("x", folder, {}, [], []), train_failure(folder)))
    the training loss became nan in epoch 2, step 1 of 3; nothing is saved to resume from (the \
run folder holds no checkpoint.pt); lower optim.lr
    """
    message = failure["message"]
    reason, saved, _ = message.partition("; saved: ")
    if saved and not (Path(run.path) / "checkpoint.pt").is_file():
        message = "; ".join(filter(None, (reason, "nothing is saved to resume from (the run "
                                          "folder holds no checkpoint.pt)", failure["hint"])))
    return message.rstrip(".")
