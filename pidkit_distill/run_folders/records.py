"""Reading the run folders that ``pidkit-distill train`` writes, for the report.

A run folder holds ``config.json``, ``metrics.jsonl`` (one record per completed epoch) and
``audit.jsonl`` (one record per audited epoch and layer), read by
:mod:`pidkit_distill.run_folders.files`. :func:`load_run` reads one into its :class:`RunRecords` and
checks that it is a run's; :func:`load_runs` reads the folders a shell glob such as ``runs/*``
gives, skipping what such a glob picks up beside the runs, or the run folders in a folder such
as ``runs`` (found by :mod:`pidkit_distill.run_folders.search`);
:func:`with_distinct_names` names runs of the same folder name by as much of their path as
tells them apart.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pidkit_distill.registry import registry_key
from pidkit_distill.run_folders.damaged import (
    DamagedRun,
    checked_on_damaged,
    damaged_summary_warning,
    ended_before_line_cut,
    left_out_warning,
    line_cut_later_warning,
    missing_audit_warning,
    no_run_readable,
)
from pidkit_distill.run_folders.files import (
    check_run_files_are_files,
    killed_line_warning,
    read_lines,
    read_records,
    read_run_config,
)
from pidkit_distill.run_folders.search import (
    did_you_mean_run_folder,
    holds_run,
    instead_of_file,
    instead_of_folder,
    runs_in,
)
from pidkit_distill.run_folders.summary import RunSummary
from pidkit_distill.run_folders.unwritten import unwritten_run
from pidkit_distill.starting_runs import started_run_of

__all__ = ["RunRecords", "given_run", "given_runs", "load_run", "load_runs", "method_label",
           "read_runs", "starting_student_of", "with_distinct_names"]

# The files that make a folder a run folder.
_RUN_FILES = ("config.json", "metrics.jsonl")


@dataclass(frozen=True)
class RunRecords:
    """Everything a report needs from one run folder.

    Attributes
    ----------
    name : str
        The run's name (its folder's, or as much of its path as tells it apart).
    path : Path
        The run folder.
    config : dict
        Its ``config.json``.
    metrics : list of dict
        The records of ``metrics.jsonl``, one per completed epoch.
    audit : list of dict
        The records of ``audit.jsonl``, one per audited epoch and layer.
    line_cut_later : int or None, default=None
        The epoch that the run's last train ended after, whose line, the last of
        ``metrics.jsonl``, was cut later (not by a kill:
        :func:`~pidkit_distill.run_folders.damaged.ended_before_line_cut`), so that ``metrics`` ends
        at the epoch before; ``None`` for any other run. :func:`load_run` finds it as it reads
        the file, which the report's state of the run then reads no more.

    Examples
    --------
    Its repr is one line: the configuration's sections, the epochs and the audit records are
    counted, not printed (a 3-epoch run's was 37,000 characters); the fields hold them.

    >>> run = RunRecords("x", Path("runs/x"), {"data": {}, "run": {}},
    ...                  [{"epoch": 1, "test_acc": 0.5}, {"epoch": 2, "test_acc": 0.75}], [{}] * 4)
    >>> run
    RunRecords(name='x', path='runs/x', config={2 sections}, metrics=[2 epochs], \
audit=[4 records])
    >>> run.name, run.metrics[-1]["test_acc"]
    ('x', 0.75)
    """

    name: str
    path: Path
    config: dict[str, Any]
    metrics: list[dict[str, Any]]
    audit: list[dict[str, Any]]
    line_cut_later: int | None = None

    def __repr__(self) -> str:
        return (f"RunRecords(name={self.name!r}, path={str(self.path)!r}, "
                f"config={{{len(self.config)} sections}}, metrics=[{len(self.metrics)} epochs], "
                f"audit=[{len(self.audit)} records])")


def load_run(path: str | Path) -> RunRecords:
    """Read one run folder written by :func:`pidkit_distill.training.train`.

    A last line of ``metrics.jsonl`` or ``audit.jsonl`` cut off by a killed run is skipped
    with a :class:`RuntimeWarning`, and so, silently, is an audit of an epoch after the last one
    ``metrics.jsonl`` records (a run killed while writing that epoch's checkpoint, or read in
    that instant: its resume trains the epoch again). A cut ``metrics.jsonl`` line of the epoch
    that the run's ``summary.json`` says its train ended after was cut later, not by a kill,
    and its warning says so (:func:`~pidkit_distill.run_folders.damaged.line_cut_later_warning`), its
    records keeping that epoch (``line_cut_later``); ``metrics.jsonl`` is read once. A
    missing ``audit.jsonl`` of a run that audits, and a damaged ``summary.json``, are read
    around with a :class:`RuntimeWarning` naming the file
    (:func:`~pidkit_distill.run_folders.damaged.missing_audit_warning`,
    :func:`~pidkit_distill.run_folders.damaged.damaged_summary_warning`).

    Parameters
    ----------
    path : path
        The run folder.

    Returns
    -------
    RunRecords
        Named by the folder's name.

    Raises
    ------
    ValueError
        ``path`` does not exist, is a file, or is not a run folder (no ``config.json`` or no
        ``metrics.jsonl``; the message names the run folders it holds, a sweep's), a run
        folder's ``metrics.jsonl`` is missing (its ``config.json``, a run's, and
        ``checkpoint.pt`` are there), or a file in it is damaged (a line other than a cut-off
        last one is not JSON) or not a run's (a key the report reads is missing).
    IsADirectoryError
        The run folder's ``metrics.jsonl`` or ``config.json`` is a folder while the other is a
        file: ``cannot read 'RUN/metrics.jsonl': it is a folder, not a run's metrics.jsonl:
        move it away, then rerun the same command``
        (:func:`~pidkit_distill.run_folders.files.unreadable_file`, as ``pidkit-distill report`` and
        ``--resume`` say; it was told the folder is no run folder, "no metrics.jsonl").
    PermissionError
        A file of the run cannot be read (:func:`~pidkit_distill.run_folders.files.unreadable_file`).

    Examples
    --------
    >>> load_run("/nonexistent")
    Traceback (most recent call last):
    ...
    ValueError: '/nonexistent' does not exist; pass run folders written by `pidkit-distill train`
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{str(path)!r} does not exist; pass run folders written by "
                         f"`pidkit-distill train`{did_you_mean_run_folder(path)}")
    if not path.is_dir():
        raise ValueError(_a_file_given(path))
    check_run_files_are_files(path)
    if (path / "config.json").is_file() and (path / "checkpoint.pt").is_file() \
            and not (path / "metrics.jsonl").is_file():
        read_run_config(path)  # another tool's config.json and checkpoint.pt are no run's
        raise ValueError(f"{str(path)!r}: the metrics.jsonl of this run folder is missing (it "
                         "has its config.json and checkpoint.pt; deleted or moved?), so its "
                         "epochs' records are not known; put metrics.jsonl back, or leave this "
                         "run out (its checkpoint still loads with load_student)")
    for name in _RUN_FILES:
        if not (path / name).is_file():
            raise ValueError(f"{str(path)!r} is not a run folder (no {name})"
                             f"{instead_of_folder(path)}")
    metrics, cut_line = read_lines(path / "metrics.jsonl")  # the file read once
    cut_later = ended_before_line_cut(path, metrics, cut_line)
    said_of_cut = None  # the cut line's warning where it was cut later, said with the others
    if cut_line is not None:
        if cut_later is None:
            warnings.warn(killed_line_warning(path / "metrics.jsonl", cut_line), RuntimeWarning,
                          stacklevel=2)
        else:
            said_of_cut = line_cut_later_warning(path, cut_line, cut_later)
    config = read_run_config(path)
    last = metrics[-1]["epoch"] if metrics else 0  # an epoch's audit is written before its line
    for warning in (said_of_cut,
                    missing_audit_warning(path, config, len(metrics)),
                    damaged_summary_warning(path)):
        if warning:
            warnings.warn(warning, RuntimeWarning, stacklevel=2)
    return RunRecords(name=path.resolve().name, path=path, config=config,
                      metrics=metrics, audit=[record for record in read_records(path / "audit.jsonl")
                                              if record["epoch"] <= last],
                      line_cut_later=cut_later)


def load_runs(paths: str | bytes | os.PathLike[str] | RunRecords | RunSummary
              | Iterable[str | bytes | os.PathLike[str] | RunRecords | RunSummary],
              *, on_damaged: str = "skip") -> list[RunRecords]:
    """Read the run folders ``paths`` (as a shell glob such as ``runs/*`` gives them).

    Records already read (:class:`RunRecords`) are taken as they are, and the
    :class:`~pidkit_distill.RunSummary` that :func:`~pidkit_distill.train` returns stands for
    its run folder, so a notebook can pass ``[summary_bas, summary_rid]``; ``~`` is the home
    folder, as in ``run.out_dir`` and :func:`~pidkit_distill.load_student`. A folder that is no
    run but holds run folders (``runs``, a sweep's ``run.out_dir``) stands for those directly in
    it (:func:`~pidkit_distill.run_folders.search.runs_in`: not deeper down), in sorted order,
    and for its run folders not written yet, which are skipped as ``runs/*`` skips them (below);
    nothing is printed (``len`` of the result says how many were read).

    Four kinds of path are skipped, each with a :class:`RuntimeWarning`, as ``runs/*`` picks
    them up beside the runs: a file (a log, the demo's ``results.jsonl``), a report folder
    (``report.md`` and no ``config.json``, written by an earlier report), a folder given
    twice, and a run folder whose train has not written the run yet, or stopped before
    (:func:`~pidkit_distill.run_folders.unwritten.unwritten_run`); where no run is left, the error
    names the files and the last kind instead of warning of them (a file given alone, such as
    ``runs/x/metrics.jsonl``, is told as :func:`load_run` tells it, with the run folder to pass
    instead). Anything else that is not a run is an error
    (see :func:`load_run`). The teacher's own run folders (method ``teacher``:
    ``train-teacher``'s, or the teacher cache under ``runs/``) are skipped beside students'
    runs, with one warning naming those given one by one (the teacher cache that a folder of
    runs holds, as ``train`` writes it in ``run.out_dir``, without one); given alone, they are
    the runs. So are the runs that a method starts from (:func:`starting_student_of`: TED's
    ``RUN.bas-init``), which would pose as seeds of the user's runs of their method.

    A damaged run (a run folder, found in a sweep's folder or named one by one as ``runs/*``
    names it, a file of which :func:`load_run` refuses as damaged: a line cut in the middle of
    its ``audit.jsonl``, a deleted ``metrics.jsonl``, a ``config.json`` that is not JSON or not
    a run's) is left out beside runs that can be read, with a :class:`RuntimeWarning` naming
    it and why (``on_damaged="skip"``), so that one damaged run does not stop the report of the
    others, and ``runs/*`` reads as ``runs``; where no run is left, the error names each (one
    given alone, as :func:`load_run` tells it). A path that is no run folder (a typo) is
    refused, and so is a file that cannot be read (no permission, a folder in its place: an
    :class:`OSError`) either way: what to do is the machine's, not the run's.

    Parameters
    ----------
    paths : path, RunRecords, RunSummary, or an iterable of them
        Run folders (or folders of them), their records, or the summaries of the runs; one
        alone is one run (or the runs of one folder).
    on_damaged : {"skip", "raise"}, default="skip"
        What to do with a damaged run beside runs that can be read: leave it out with a
        warning, or raise :func:`load_run`'s error, as for a run given alone
        (:data:`~pidkit_distill.run_folders.damaged.ON_DAMAGED`). :func:`read_runs` also gives the
        runs left out.

    Returns
    -------
    list of RunRecords
        In the order given, each named by its folder (see :func:`with_distinct_names`).

    Raises
    ------
    ValueError
        No path, no run left after the skips, a path that is not a run folder (a folder
        holding none; one that does not exist: the message names the closest that does), a
        damaged run given alone, or only damaged runs (or, with ``on_damaged="raise"``, any
        damaged run), or an ``on_damaged`` other than ``"skip"`` and ``"raise"``.
    TypeError
        Something that is none of those (the message names it).
    OSError
        A run's file that cannot be read, or that is a folder (see :func:`load_run`).

    Examples
    --------
    >>> load_runs([])
    Traceback (most recent call last):
    ...
    ValueError: paths: no run folder given (an empty list); pass at least one run folder
    >>> load_runs([3])
    Traceback (most recent call last):
    ...
    TypeError: paths: a run is given by its folder (a str, bytes or Path), its RunRecords or the \
RunSummary that train returned; got 3 (int)
    """
    return read_runs(paths, on_damaged=on_damaged)[0]


def read_runs(paths: str | bytes | os.PathLike[str] | RunRecords | RunSummary
              | Iterable[str | bytes | os.PathLike[str] | RunRecords | RunSummary],
              *, on_damaged: str = "skip") -> tuple[list[RunRecords], list[DamagedRun]]:
    """:func:`load_runs`, with the damaged runs that it left out beside the others, each with
    why (:class:`~pidkit_distill.report.DamagedRun`), for the report to name them
    (:func:`~pidkit_distill.write_report`'s ``left_out``).

    Examples
    --------
    >>> read_runs("runs", on_damaged="ignore")
    Traceback (most recent call last):
    ...
    ValueError: on_damaged='ignore' is not one of 'skip', 'raise'; pass 'skip' to leave a \
damaged run beside runs that can be read out of the report with a warning, or 'raise' to refuse \
the report
    """
    on_damaged = checked_on_damaged(on_damaged)
    paths = given_runs(paths)
    runs: list[RunRecords] = []
    damaged: list[DamagedRun] = []  # the damaged runs, left out beside runs that can be read
    seen: set[Path] = set()
    files: list[Path] = []  # the files given
    instead = ""  # what to pass for the files of run folders given
    skipped: list[tuple[str, bool]] = []  # each skip's warning, and whether the error names it
    unwritten: dict[str, list[Path]] = {}  # the folders of no run yet, by why
    found_in_folders: set[Path] = set()  # runs found in a folder of runs, not named one by one
    for given, in_folder in _expanded(paths):
        path = given.path if isinstance(given, RunRecords) else Path(given)
        if path.is_file():
            files.append(path)
            folder = instead_of_file(path)
            instead += f"; for {str(path)!r}, pass {folder}" if folder else ""
            skipped.append((f"skipped {path}: a file, not a run folder"
                            + (f"; pass {folder}" if folder else ""), True))
        elif (path / "report.md").is_file() and not (path / "config.json").exists():
            skipped.append((f"skipped {path}: a folder written by `pidkit-distill report`, not a "
                            "run", False))
        elif path.resolve() in seen:
            skipped.append((f"skipped {path}: given twice", False))
        elif not (path / "config.json").exists() and (why := unwritten_run(path)):  # else a run
            unwritten.setdefault(why, []).append(path)
            skipped.append((f"skipped {path}: {why}", True))
            seen.add(path.resolve())  # named once, in a sweep's folder and one by one
        else:
            seen.add(path.resolve())
            try:
                runs.append(given if isinstance(given, RunRecords) else load_run(path))
            except ValueError as err:  # damaged: left out beside runs that can be read
                if on_damaged == "raise" or not (in_folder or holds_run(path)):
                    raise  # asked to, or no run folder (a typo's): not a damaged run
                damaged.append(DamagedRun(path, str(err)))
                skipped.append((left_out_warning(damaged[-1]), True))
                continue
            if in_folder:
                found_in_folders.add(path.resolve())
    for warning, named_by_the_error in skipped:  # the files, folders of no run yet, damaged
        if runs or not named_by_the_error:
            warnings.warn(warning, RuntimeWarning, stacklevel=3)
    if not runs and len(paths) == 1 and files:  # one file given alone (runs/x/metrics.jsonl)
        raise ValueError(_a_file_given(files[0]))
    if not runs and damaged:  # one alone is told as given alone
        raise ValueError(damaged[0].reason if len(damaged) == 1 else
                         no_run_readable([str(path) for path in paths], damaged))
    if not runs:
        raise ValueError(f"no run folder among {[str(p) for p in paths]}"
                         + (instead + _no_run_yet(unwritten)
                            or "; pass folders written by `pidkit-distill train`"))
    return _own_runs(_students(runs, found_in_folders), found_in_folders), damaged


def _a_file_given(path: Path) -> str:
    """The refusal of the file ``path`` given as a run folder, naming the run folder to pass
    instead where it is in one (:func:`~pidkit_distill.run_folders.search.instead_of_file`).

    Examples
    --------
    >>> _a_file_given(Path("/nonexistent/metrics.jsonl"))
    "'/nonexistent/metrics.jsonl' is a file, not a run folder; pass run folders written by \
`pidkit-distill train`"
    """
    return (f"{str(path)!r} is a file, not a run folder; pass "
            f"{instead_of_file(path) or 'run folders written by `pidkit-distill train`'}")


def _no_run_yet(unwritten: dict[str, list[Path]]) -> str:
    """What an error says of the run folders that hold no run yet, by why (``unwritten``, each
    reason of :func:`~pidkit_distill.run_folders.unwritten.unwritten_run` with its folders): each
    folder named, and why once for the folders of one reason; ``""`` for none.

    Examples
    --------
    >>> _no_run_yet({"a train holds it": [Path("runs/a")], "it stopped": [Path("runs/b"),
    ...                                                                  Path("runs/c")]})
    "; 'runs/a' holds no run yet: a train holds it; 'runs/b' and 'runs/c' each hold no run yet: \
it stopped"
    """
    said = []
    for why, folders in unwritten.items():
        named = [repr(str(folder)) for folder in folders]
        said.append(f"; {named[0]} holds no run yet: {why}" if len(named) == 1 else
                    f"; {', '.join(named[:-1])} and {named[-1]} each hold no run yet: {why}")
    return "".join(said)


def _expanded(paths: list[str | os.PathLike | RunRecords]) -> list[tuple[Path | RunRecords, bool]]:
    """``paths`` with each folder of run folders (a sweep's ``runs``) in place of the run
    folders in it (:func:`~pidkit_distill.run_folders.search.runs_in`), those not written yet
    included, which :func:`load_runs` names as it skips them (they were left out unsaid: a run
    stopped before its ``config.json`` went missing from a report of its sweep), each with
    whether it was found in such a folder; such a folder given again is skipped with one
    warning, where its runs each said ``given twice``."""
    expanded: list[tuple[Path | RunRecords, bool]] = []
    sweeps: set[Path] = set()
    for each in paths:
        if isinstance(each, RunRecords):
            expanded.append((each, False))
            continue
        folder = Path(each).expanduser()
        runs = runs_in(folder, unwritten=True)
        if runs != [folder]:  # a folder of run folders
            if folder.resolve() in sweeps:
                warnings.warn(f"skipped {each}: given twice", RuntimeWarning, stacklevel=3)
                continue
            sweeps.add(folder.resolve())
        expanded.extend((run, runs != [folder]) for run in runs)
    return expanded


def _students(runs: list[RunRecords], found_in_folders: set[Path]) -> list[RunRecords]:
    """``runs`` without the teachers' own run folders (method ``teacher``: written by
    ``train-teacher``, or the teacher cache under ``runs/`` that ``runs/*`` takes in), skipped
    with one warning naming those given one by one (a teacher that a folder of runs holds, as
    ``train`` caches it in ``run.out_dir``, is skipped without one, as ``load_runs("runs")``
    expects); all of ``runs`` when they are all teachers'."""
    teachers: list[RunRecords] = []
    students: list[RunRecords] = []
    for run in runs:
        is_teacher = (run.config.get("method") or {}).get("name") == "teacher"
        (teachers if is_teacher else students).append(run)
    if not teachers or not students:
        return runs
    named = [run for run in teachers if Path(run.path).resolve() not in found_in_folders]
    if named:
        warnings.warn(f"skipped the teacher's run folder{'s' if len(named) > 1 else ''} "
                      f"{', '.join(str(run.path) for run in named)} (method teacher): not a "
                      "student; its accuracy is the teacher acc column", RuntimeWarning,
                      stacklevel=3)
    return students


def starting_student_of(config: dict[str, Any]) -> str | None:
    """The name of the run whose starting student a run of ``config`` is, where it is one:
    ``RUN`` for a ``run.name`` ``RUN.METHOD-init`` of its own method, the name that ``train``
    gives the run of a method's
    :attr:`~pidkit_distill.methods.Distiller.student_init` (TED's ``RUN.bas-init``, the BAS
    student that the TED run ``RUN`` starts from, trained first in that folder beside it);
    ``None`` for any other run. Its ``config.json`` is that of a run of the method, but for
    ``run.name`` and ``run.resume``, which tell no experiment apart. The name is read by
    :func:`~pidkit_distill.starting_runs.started_run_of`, as the trainer reads its folders.

    Examples
    --------
    >>> starting_student_of({"run": {"name": "digits-ted-tt-s0.bas-init"},
    ...                      "method": {"name": "bas"}})
    'digits-ted-tt-s0'
    >>> starting_student_of({"run": {"name": ""}, "method": {"name": "bas"}}) is None
    True
    """
    name = (config.get("run") or {}).get("name")
    method = (config.get("method") or {}).get("name")
    if not isinstance(name, str) or not isinstance(method, str):
        return None
    started = started_run_of(name, method=method)
    return None if started is None else started[0]


def _own_runs(runs: list[RunRecords], found_in_folders: set[Path]) -> list[RunRecords]:
    """``runs`` without those that are another run's starting student
    (:func:`starting_student_of`: TED's ``RUN.bas-init``), which ``train`` writes beside that
    run for it, a run of the method's configuration that would pose as a seed of the user's
    own runs of that method (BAS's); skipped as the teacher cache is (:func:`_students`): with
    a warning each where given one by one (``runs/*``), without one where found in a folder of
    runs; all of ``runs`` when they are all such runs (one given alone is reported)."""
    starting = [run for run in runs if starting_student_of(run.config) is not None]
    if not starting or len(starting) == len(runs):
        return runs
    for run in starting:
        if Path(run.path).resolve() not in found_in_folders:
            method = method_label({"method": {"name": run.config["method"]["name"]}})
            warnings.warn(f"skipped {run.path}: the {method} student that the run "
                          f"{starting_student_of(run.config)} starts from (its train trains it "
                          "first, in this folder), not a run of its own nor a seed of a "
                          f"{method} experiment; report its folder alone to see it",
                          RuntimeWarning, stacklevel=3)
    return [run for run in runs if starting_student_of(run.config) is None]


def given_run(given: Any, name: str = "run_dir") -> str | os.PathLike | RunRecords:
    """One run as a user gives it, the argument ``name``: its folder (a str or path, kept; a
    bytes path becomes its str, :func:`os.fsdecode`), its :class:`RunRecords` (kept) or the
    ``RunSummary`` that :func:`~pidkit_distill.train` returned (anything with a ``run_dir``
    path: that folder). Every function that takes a run reads it so.

    Raises
    ------
    TypeError
        ``given`` is none of these; the message names ``name`` and what was given.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> given_run(b"runs/x"), given_run(SimpleNamespace(run_dir="runs/y"))
    ('runs/x', 'runs/y')
    >>> given_run(3)
    Traceback (most recent call last):
    ...
    TypeError: run_dir: a run is given by its folder (a str, bytes or Path), its RunRecords or \
the RunSummary that train returned; got 3 (int)
    """
    if isinstance(given, bytes):
        return os.fsdecode(given)
    if isinstance(given, str | os.PathLike | RunRecords):
        return given
    if isinstance(getattr(given, "run_dir", None), str | os.PathLike):
        return given.run_dir
    raise TypeError(f"{name}: a run is given by its folder (a str, bytes or Path), its "
                    "RunRecords or the RunSummary that train returned; got "
                    f"{given!r} ({type(given).__name__})")


def given_runs(paths: Any, name: str = "paths") -> list[str | os.PathLike | RunRecords]:
    """``paths`` as a list of run folders and records: one run alone (a path, which is no list of
    one-letter folders, a :class:`RunRecords`, a ``RunSummary``) or an iterable of runs, each
    read by :func:`given_run`. A :class:`TypeError`, or a :class:`ValueError` for no run at all,
    names the argument ``name``.

    Examples
    --------
    >>> given_runs(b"runs/x"), given_runs([b"runs/x", "runs/y"])
    (['runs/x'], ['runs/x', 'runs/y'])
    >>> given_runs(3, "run_dirs")
    Traceback (most recent call last):
    ...
    TypeError: run_dirs: a run is given by its folder (a str, bytes or Path), its RunRecords or \
the RunSummary that train returned; got 3 (int)
    """
    if (isinstance(paths, str | bytes | os.PathLike | RunRecords) or hasattr(paths, "run_dir")
            or not isinstance(paths, Iterable)):  # one run, or refused by given_run naming it
        return [given_run(paths, name)]
    runs = [given_run(given, name) for given in paths]
    if not runs:
        raise ValueError(f"{name}: no run folder given (an empty {type(paths).__name__}); pass "
                         "at least one run folder")
    return runs


def with_distinct_names(runs: list[RunRecords]) -> list[RunRecords]:
    """``runs``, those of a name another run has too renamed by as many trailing parts of their
    path as tell them apart (the others keep their names, chosen ones included).

    Parameters
    ----------
    runs : list of RunRecords

    Returns
    -------
    list of RunRecords
        In the same order.

    Examples
    --------
    >>> runs = [RunRecords(p.name, p, {}, [], []) for p in map(Path, ["a/x", "b/x", "c/y"])]
    >>> mine = RunRecords("mine", Path("d/x"), {}, [], [])
    >>> [run.name for run in with_distinct_names([*runs, mine])]
    ['a/x', 'b/x', 'y', 'mine']
    """
    paths = [run.path.resolve() for run in runs]
    named = []
    for run, path in zip(runs, paths, strict=True):
        rivals = [other for twin, other in zip(runs, paths, strict=True)
                  if twin.name == run.name and other != path]
        depth = 1
        while rivals and depth < len(path.parts) and any(
                other.parts[-depth:] == path.parts[-depth:] for other in rivals):
            depth += 1
        named.append(replace(run, name=str(Path(*path.parts[-depth:]))) if rivals else run)
    return named


def method_label(config: dict[str, Any]) -> str:
    """The method of a run's ``config`` as the report names it: its name, then its preset in
    brackets (empty for a configuration without a method).

    Examples
    --------
    >>> method_label({"method": {"name": "rid", "preset": "paper"}})
    'rid (paper)'
    >>> method_label({"method": {"name": "kd", "preset": ""}}), method_label({})
    ('kd', '')
    """
    section = config.get("method") or {}
    preset, name = section.get("preset"), section.get("name", "")
    name = registry_key(name) if isinstance(name, str) else name  # 'RID' of an older config
    return f"{name} ({preset})" if preset else name
