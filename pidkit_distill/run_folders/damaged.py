"""What the report does with a run folder it cannot read whole: a damaged run left out beside
runs that can be read (:class:`DamagedRun`, :data:`ON_DAMAGED`), and the warnings of a run's files
that it reads around (:func:`missing_audit_warning`, :func:`damaged_summary_warning`), and the
cut last line of a run whose train had ended (:func:`ended_before_line_cut`,
:func:`line_cut_later_warning`).

A sweep's folder (``pidkit-distill report runs``) stands for every run folder in it; one of them
with a damaged file (a line cut in the middle of its ``audit.jsonl``, a ``metrics.jsonl``
deleted) stopped the whole report, and a folder gives no way to leave one run out. Such a run
is now left out with a warning (:func:`left_out_warning`) and a paragraph of ``report.md``
(:func:`left_out_paragraph`) naming it and why; and so is one among several run folders given
(``report runs/*``, which then reads as ``report runs``). A damaged run given alone is refused,
as is a report whose every run is damaged (:func:`no_run_readable`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pidkit_distill.run_folders.files import ended_train_epochs, train_failure

__all__ = ["ON_DAMAGED", "DamagedRun", "checked_on_damaged", "damaged_summary_warning",
           "ended_before_line_cut", "left_out_paragraph", "left_out_warning",
           "line_cut_later_warning", "missing_audit_warning", "no_run_readable"]

ON_DAMAGED = ("skip", "raise")
"""What :func:`~pidkit_distill.load_runs` and :func:`~pidkit_distill.write_report` do with a
damaged run beside runs that can be read (in a sweep's folder, or among the run folders given):
leave it out with a warning (``"skip"``, the default, as ``pidkit-distill report runs`` and
``report runs/*`` do), or refuse the report as for a run given alone (``"raise"``)."""


@dataclass(frozen=True)
class DamagedRun:
    """A damaged run folder that the report left out beside the runs it read, and why.

    Attributes
    ----------
    path : Path
        The run folder.
    reason : str
        The error its reading raised (a :class:`ValueError` of :func:`~pidkit_distill.
        run_folders.records.load_run`), which names the file and what is wrong with it.

    Examples
    --------
    >>> run = DamagedRun(Path("runs/b"), "runs/b/audit.jsonl: line 4 is not JSON")
    >>> print(left_out_warning(run))
    left runs/b out of the report: runs/b/audit.jsonl: line 4 is not JSON
    """

    path: Path
    reason: str


def checked_on_damaged(on_damaged: Any) -> str:
    """``on_damaged``, one of :data:`ON_DAMAGED`.

    Raises
    ------
    ValueError
        Any other value; the message names the argument and the values it takes.

    Examples
    --------
    >>> checked_on_damaged("skip")
    'skip'
    >>> checked_on_damaged("ignore")
    Traceback (most recent call last):
    ...
    ValueError: on_damaged='ignore' is not one of 'skip', 'raise'; pass 'skip' to leave a \
damaged run beside runs that can be read out of the report with a warning, or 'raise' to refuse \
the report
    """
    if isinstance(on_damaged, str) and on_damaged in ON_DAMAGED:
        return on_damaged
    raise ValueError(f"on_damaged={on_damaged!r} is not one of 'skip', 'raise'; pass 'skip' to "
                     "leave a damaged run beside runs that can be read out of the report with "
                     "a warning, or 'raise' to refuse the report")


def left_out_warning(run: DamagedRun) -> str:
    """The warning that names the damaged ``run`` as the report leaves it out (one line)."""
    return f"left {run.path} out of the report: {run.reason}"


def no_run_readable(given: list[str], damaged: list[DamagedRun]) -> str:
    """The error of a report whose every run is ``damaged``, among the folders ``given``.

    Examples
    --------
    >>> print(no_run_readable(["runs"], [DamagedRun(Path("runs/a"), "runs/a/metrics.jsonl: "
    ...                                             "line 2 is not JSON")]))
    no run of ['runs'] can be read, so there is nothing to report: runs/a/metrics.jsonl: line 2 \
is not JSON; restore the files named (a damaged run is left out only beside runs that can be read)
    """
    return (f"no run of {given} can be read, so there is nothing to report: "
            f"{'; '.join(run.reason for run in damaged)}; restore the files named (a damaged "
            "run is left out only beside runs that can be read)")


def left_out_paragraph(damaged: list[DamagedRun]) -> str:
    """The paragraph of ``report.md`` naming the ``damaged`` runs left out, each with why;
    ``""`` for none.

    Examples
    --------
    >>> print(left_out_paragraph([DamagedRun(Path("runs/b"), "runs/b/audit.jsonl: line 4 is "
    ...                                                      "not JSON")]))
    Left out, as damaged (the tables and figures show the other runs; restore the file named, \
then report again): `runs/b` (runs/b/audit.jsonl: line 4 is not JSON).
    """
    if not damaged:
        return ""
    return ("Left out, as damaged (the tables and figures show the other runs; restore the file "
            "named, then report again): "
            + "; ".join(f"`{run.path}` ({run.reason})" for run in damaged) + ".")


def missing_audit_warning(path: Path, config: dict[str, Any], epochs: int) -> str | None:
    """The warning of the run folder ``path`` whose ``audit.jsonl`` is missing though its train
    wrote one: a run of ``config`` that audits (``run.audit_every`` above 0, a student's:
    a teacher's run has no audit) and completed ``epochs`` above 0 (its train audited the
    untrained networks before its first epoch); else ``None``.

    Examples
    --------
    >>> config = {"run": {"audit_every": 2}, "method": {"name": "kd"}}
    >>> print(missing_audit_warning(Path("/nonexistent/r"), config, 3))
    /nonexistent/r/audit.jsonl is missing (deleted or moved?), though its run audits \
(run.audit_every = 2): the run's atoms are not known; put audit.jsonl back, then report again
    >>> missing_audit_warning(Path("/nonexistent/r"), config, 0) is None
    True
    """
    every = (config.get("run") or {}).get("audit_every")
    method = (config.get("method") or {}).get("name")
    if (not isinstance(every, int) or every <= 0 or epochs <= 0 or method == "teacher"
            or (path / "audit.jsonl").exists()):
        return None
    return (f"{path / 'audit.jsonl'} is missing (deleted or moved?), though its run audits "
            f"(run.audit_every = {every}): the run's atoms are not known; put audit.jsonl back, "
            "then report again")


def damaged_summary_warning(path: Path) -> str | None:
    """The warning of the run folder ``path`` whose ``summary.json`` cannot be read (not UTF-8,
    not JSON, no JSON object, unreadable), which the report then reads the run without; ``None``
    where it can, or there is none (a run whose train has not ended yet).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> damaged_summary_warning(folder) is None
    True
    >>> _ = (folder / "summary.json").write_text('{"last_acc": 0.5,')
    >>> print(damaged_summary_warning(folder).replace(str(folder), "RUN"))
    RUN/summary.json is damaged (not JSON: Expecting property name enclosed in double quotes, \
line 1 column 18), so the report reads the run without it: how its last train ended (stopped \
by run.stop_after, or the error it failed with) is not known; the run's next train writes it \
again as it ends
    """
    file = path / "summary.json"
    if not file.is_file():
        return None
    try:
        summary = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        why = f"not JSON: {err.msg}, line {err.lineno} column {err.colno}"
    except UnicodeDecodeError:
        why = "not UTF-8 text"
    except OSError as err:
        why = f"cannot be read: {err.strerror}"
    else:
        if isinstance(summary, dict):
            return None
        why = f"a JSON {type(summary).__name__}, not an object"
    return (f"{file} is damaged ({why}), so the report reads the run without it: how its last "
            "train ended (stopped by run.stop_after, or the error it failed with) is not known; "
            "the run's next train writes it again as it ends")


def ended_before_line_cut(path: Path, metrics: list[dict[str, Any]],
                          cut_line: int | None) -> int | None:
    """The epoch after which the last train of the run folder ``path`` ended by itself, where
    the line of that epoch, the last of its ``metrics.jsonl``, is cut off: ``cut_line``, the
    number of that file's last line skipped as cut off, is given (read with its ``metrics``,
    the records of the lines before it, by :func:`~pidkit_distill.run_folders.files.read_lines`), and
    the run's ``summary.json`` records no failure and ``epochs_done`` one more than the epoch
    of the last of ``metrics`` (0 for none). A train appends an epoch's line before it writes
    ``summary.json``, and fails where it cannot write the line, so that line was written whole
    and cut later: a copy cut short, or the machine stopped before the line reached the disk,
    not a kill. ``None`` otherwise: no cut line, or a killed run's (a train killed writes no
    ``summary.json``; an earlier train's records fewer epochs). Only ``summary.json`` is read.

    Examples
    --------
    >>> import json, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "summary.json").write_text(json.dumps({"epochs_done": 2, "epochs": 2}))
    >>> ended_before_line_cut(folder, [{"epoch": 1}], 2)
    2
    >>> print(ended_before_line_cut(folder, [{"epoch": 1}, {"epoch": 2}], None))  # whole
    None
    >>> _ = (folder / "summary.json").write_text(json.dumps({"epochs_done": 1, "epochs": 2}))
    >>> print(ended_before_line_cut(folder, [{"epoch": 1}], 2))  # an earlier train's: killed
    None
    """
    if cut_line is None:
        return None
    ended = ended_train_epochs(path)
    if ended is None or train_failure(path) is not None:
        return None
    before = metrics[-1]["epoch"] if metrics else 0
    return ended if before == ended - 1 else None


def line_cut_later_warning(path: Path, cut_line: int, ended: int) -> str:
    """The warning of the run folder ``path`` whose last ``metrics.jsonl`` line, line
    ``cut_line``, of the epoch ``ended`` that its train ended after, is cut off
    (:func:`ended_before_line_cut`): it says so, in place of the warning of a run killed while
    writing the line (:func:`~pidkit_distill.run_folders.files.killed_line_warning`).

    Examples
    --------
    >>> print(line_cut_later_warning(Path("RUN"), 2, 2))
    RUN/metrics.jsonl: skipped line 2, the last, which is cut off, though the run's \
summary.json records that its train ended after epoch 2, which train writes only once that \
epoch's line is written whole: the line was cut later (a copy cut short, or the machine \
stopped before the line reached the disk), not by a kill, so the run shows epoch 1 as its \
last; its summary.json keeps epoch 2's held-out accuracy (last_acc)
    """
    return (f"{path / 'metrics.jsonl'}: skipped line {cut_line}, the last, which is cut off, "
            f"though the run's summary.json records that its train ended after epoch {ended}, "
            "which train writes only once that epoch's line is written whole: the line was cut "
            "later (a copy cut short, or the machine stopped before the line reached the "
            f"disk), not by a kill, so the run shows epoch {ended - 1} as its last; its "
            f"summary.json keeps epoch {ended}'s held-out accuracy (last_acc)")
