"""The report of run folders, written (:func:`write_report`): ``report.md`` with its tables,
beside the figures and the tables as data, in one folder.

Reads each run folder (:mod:`pidkit_distill.run_folders.records`), draws the figures
(:mod:`pidkit_distill.report.figures`: ``accuracy.png``, ``losses.png`` when a run records
its training loss, and ``pid_atoms.png`` when a run has an audit, with
``pid_atoms_all_layers.png`` when more than one layer was audited) and
writes them into one output folder with ``report.md``: the summary table (also returned and
printed by the CLI), the table of the experiments run with several seeds (mean ± sd across
them, :mod:`pidkit_distill.run_folders.groups`; none when each experiment has one seed) and the figures.

Runs of the same name (``a/digits-bas-ut-s0``, ``b/digits-bas-ut-s0``) are named by as much of
their path as tells them apart. Every file is written atomically, and a figure a rerun does not
draw (no run has an audit, or a training loss, any more) is removed, so the folder never
mixes two reports; two reports written into one folder at once take turns (its lock,
``.report.lock``), and the one holding it deletes the temporary files of the report's files
that a killed report left.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pidkit_distill.report.csv_tables import groups_csv, runs_csv
from pidkit_distill.report.failures import failure_message
from pidkit_distill.report.figures import LOSS_FIGURE, draw_figures
from pidkit_distill.report.folder import check_not_other_run, default_out_dir, made_out_dir, write_files
from pidkit_distill.report.groups import group_table_of
from pidkit_distill.report.states import run_state
from pidkit_distill.report.table import summary_table
from pidkit_distill.run_folders.damaged import DamagedRun, left_out_paragraph, missing_audit_warning
from pidkit_distill.run_folders.files import train_failure
from pidkit_distill.run_folders.groups import RunGroup, group_runs
from pidkit_distill.run_folders.records import (
    RunRecords,
    given_runs,
    read_runs,
    with_distinct_names,
)
from pidkit_distill.run_folders.summary import RunSummary
from pidkit_distill.run_folders.unwritten import RUN_LOCK_FILE

__all__ = ["write_report"]


def write_report(run_dirs: str | bytes | os.PathLike[str] | RunRecords | RunSummary
                 | Iterable[str | bytes | os.PathLike[str] | RunRecords | RunSummary],
                 *, out_dir: str | Path | None = None, on_damaged: str = "skip",
                 left_out: Sequence[DamagedRun] = ()) -> Path:
    """Draw the figures and write ``report.md``, with its tables as data (``runs.csv`` and
    ``groups.csv``), for ``run_dirs``; return the report's path.

    Parameters
    ----------
    run_dirs : path, RunRecords, RunSummary, or an iterable of them
        Run folders written by ``pidkit-distill train`` (or their records, from
        :func:`~pidkit_distill.report.load_run`, or the summaries :func:`~pidkit_distill.train`
        returns); a file, a report folder, a folder given twice and, beside students' runs, the
        teacher's own run folders are skipped with a warning (see :func:`load_runs`).
    out_dir : path, optional
        Where to write (``~`` is the home folder). By default the folder ``report`` in the one
        folder given, as the command's ``--out`` is: ``RUN_DIR/report`` for one run folder (or
        its records, or its summary) given alone, a folder of the report's files only, beside
        the run's own; ``SWEEP/report`` for a sweep's folder (``runs``), however many runs it
        holds. Given several (``runs/*``), ``report`` beside the first run, also where only
        one of them is a run.
        It is created before anything is drawn. Every file is written atomically; a figure
        left there by an earlier report and not drawn this time (a PID figure: no run has an
        audit, or one layer only; ``losses.png``: no run records its training loss) is
        removed, and so are the temporary files of the report's own files that a report killed
        while writing left (``report.md.XXXXXXXX.tmp``; never another file's).
        Reports written into one folder at once take turns, each holding its lock
        (``.report.lock``) while it writes, so that the folder never mixes two. A folder that
        is, or is in, the folder of a run not reported (``out_dir=other.run_dir``, or its
        ``report``) is refused before anything is made or drawn: the report would be taken
        for that run's (:func:`~pidkit_distill.report.folder.check_not_other_run`).
    on_damaged : {"skip", "raise"}, default="skip"
        What to do with a damaged run beside runs that can be read, found in a sweep's folder
        or named one by one (see :func:`load_runs`): leave it out, with a warning and a
        paragraph of ``report.md`` naming it and why, or refuse the report. A damaged run
        given alone, or runs all damaged, are refused either way.
    left_out : sequence of DamagedRun, default=()
        Runs already left out as damaged by the caller's :func:`read_runs`, which
        ``report.md`` names too (the command reads the runs once, then passes their records).

    Returns
    -------
    Path
        ``out_dir/report.md``.

    Raises
    ------
    ValueError
        No run folder, a folder that is not a run (see
        :func:`~pidkit_distill.report.load_run`), no run with a completed epoch, an ``out_dir``
        that is or is in the folder of a run not reported, or that cannot be created (a file is
        in the way, no permission), another report writing into ``out_dir`` for over a minute,
        or a figure of an earlier report there that cannot be removed.
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
        but no line in the figures), a skipped folder, a damaged run of a sweep's folder left
        out, a missing ``audit.jsonl`` or a damaged ``summary.json`` (see
        :func:`~pidkit_distill.report.load_run`).

    Notes
    -----
    Beside ``report.md``, ``runs.csv`` holds a row per run and ``groups.csv`` a row per
    experiment (mean and sample standard deviation across its seeds), the numbers of its
    tables unrounded (:mod:`pidkit_distill.report.csv_tables`):
    ``pandas.read_csv(out_dir / "groups.csv")``.

    Examples
    --------
    >>> write_report([])
    Traceback (most recent call last):
    ...
    ValueError: run_dirs: no run folder given (an empty list); pass at least one run folder
    """
    given = given_runs(run_dirs, "run_dirs")
    loaded, damaged = read_runs(given, on_damaged=on_damaged)
    runs, damaged = with_distinct_names(loaded), [*left_out, *damaged]
    records = [train_failure(Path(run.path)) for run in runs]  # once, for the table and figures
    states = [run_state(run, failure) for run, failure in zip(runs, records, strict=True)]
    if not any(run.metrics for run in runs):
        if all(state.startswith(("stopped", "failed")) for state in states):
            before = [failure is not None and failure["before_training"] for failure in records]
            failed = "".join(
                f"; {run.name} failed{' before training started' * early}: "
                f"{failure_message(run, failure)}"
                for run, failure, state, early in zip(runs, records, states, before, strict=True)
                if state.startswith("failed") and failure is not None)  # failed: it has one
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
    default = default_out_dir(given, runs)
    asked = default if out_dir is None else out_dir
    check_not_other_run(asked, runs, default=default)  # before anything is made or drawn
    out = made_out_dir(asked)
    groups = group_runs(runs)
    by_name = {run.name: state for run, state in zip(runs, states, strict=True)}
    files = draw_figures(groups, by_name)
    files["report.md"] = _markdown(runs, groups, drawn=files, records=records, states=states,
                                   damaged=damaged).encode()
    files["runs.csv"] = runs_csv(runs, states)
    files["groups.csv"] = groups_csv(groups, by_name)
    write_files(out, files)
    return out / "report.md"


def _markdown(runs: list[RunRecords], groups: list[RunGroup], *, drawn: dict[str, bytes],
              records: list[dict[str, Any] | None], states: list[str],
              damaged: list[DamagedRun]) -> str:
    """The text of ``report.md``: the ``runs`` and the ``damaged`` ones left out, the table of
    their ``groups`` (:func:`~pidkit_distill.report.groups.group_table_of`) under a heading
    that says what it holds, their :func:`summary_table` (their failure ``records`` and
    ``states``, as the figures ``drawn`` show them), where the tables are as data, and those
    figures."""
    seeds_table = group_table_of(groups, dict(zip((run.name for run in runs), states,
                                                  strict=True)))
    several = any(len(group.runs) > 1 for group in groups)  # else only runs kept apart
    heading = ("## Experiments run with several seeds" if several else
               "## Runs kept apart by a key an older config.json lacks")
    text = ["# Distillation report", "", "Runs: " + ", ".join(f"`{r.path}`" for r in runs), "",
            *([left_out_paragraph(damaged), ""] if damaged else []),
            *([heading, "", seeds_table, "", "## Each run", ""] if seeds_table else []),
            summary_table(runs, records=records, states=states), "",
            "Accuracy is on the held-out set; PID atoms are in bits, for the innermost audited layer "
            "at its last audit (audit epoch), estimated from n held-out samples as the estimate "
            "column says: the estimator (discrete, or gaussian: linearly decodable information, not "
            "comparable with discrete bits), then the correction of the plug-in's sampling bias "
            "(audit.bias_correction), or plug-in for none. The records in audit.jsonl hold the "
            "plug-in values and the estimated bias too.", "",
            "The tables as data: runs.csv (a row per run) and groups.csv (a row per experiment, "
            "the mean and sample standard deviation across its seeds), their numbers unrounded.",
            "", "![accuracy](accuracy.png)", ""]
    if LOSS_FIGURE in drawn:
        text += ["![training loss and its terms](losses.png)", ""]
    if "pid_atoms.png" in drawn:
        text += ["![PID atoms](pid_atoms.png)", ""]
        text += (["![PID atoms, every layer](pid_atoms_all_layers.png)", ""]
                 if "pid_atoms_all_layers.png" in drawn else
                 ["One layer was audited, so pid_atoms.png shows every layer (there is no "
                  "pid_atoms_all_layers.png).", ""])
    else:
        text += [_no_audit_sentence(runs), ""]
    return "\n".join(text)


def _no_audit_sentence(runs: list[RunRecords]) -> str:
    """What ``report.md`` says where none of ``runs`` has an audit record: why, naming the runs
    whose ``audit.jsonl`` is missing though they audit (it said that audit.jsonl was empty)."""
    missing = [run.name for run in runs if run.metrics
               and missing_audit_warning(Path(run.path), run.config, len(run.metrics))]
    if not missing:
        return ("No run has an audit record (run.audit_every = 0, or audit.jsonl is empty), so "
                "there is no PID figure.")
    whose = (f"the audit.jsonl of {missing[0]} is" if len(missing) == 1 else
             f"the audit.jsonl files of {', '.join(missing)} are")
    others = ("; the other runs have run.audit_every = 0, or an empty audit.jsonl"
              if len(missing) < len(runs) else "")
    return (f"No run has an audit record, so there is no PID figure: {whose} missing (deleted "
            f"or moved?), though run.audit_every is not 0{others}.")
