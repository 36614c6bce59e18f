"""Reading the run folders that ``pidkit-distill train`` writes, for the report.

A run folder holds ``config.json``, ``metrics.jsonl`` (one record per completed epoch) and
``audit.jsonl`` (one record per audited epoch and layer). :func:`load_run` reads one and checks
that it is a run's; :func:`load_runs` reads the folders a shell glob such as ``runs/*`` gives,
skipping what such a glob picks up beside the runs, or the run folders in a folder such as
``runs`` (:func:`run_folders`, which ``load_student``'s errors also use);
:func:`with_distinct_names` names runs of the same folder name by as much of their path as
tells them apart.
"""

from __future__ import annotations

import itertools
import json
import os
import shlex
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pidkit._result import jsonable
from pidkit._validate import closest
from pidkit_distill.audit_records import AUDITED_ATOMS
from pidkit_distill.registry import registry_key
from pidkit_distill.unwritten_runs import RUN_LOCK_FILE, unwritten_run

__all__ = ["RUN_LOCK_FILE", "RunRecords", "given_runs", "holds_run", "load_run", "load_runs",
           "method_label", "missing_config_key", "read_metrics", "read_run_config", "run_folders",
           "runs_in", "with_distinct_names"]

# The files that make a folder a run folder.
_RUN_FILES = ("config.json", "metrics.jsonl")

# What the report reads of each file (a file without it is not a run's, and is refused).
_CONFIG_KEYS = ("data.name", "method.name", "teacher.source", "run.epochs")
_RECORD_KEYS = {"metrics.jsonl": ("epoch", "test_acc"),
                "audit.jsonl": ("epoch", "layer", *AUDITED_ATOMS)}

# The entries of one folder that an error's hint reads at most (the work of a misspelt path in
# a home folder or in one of 100,000 entries stays small: difflib's grows with the names), and
# the closest names it tries, one after another, for one that holds runs.
_HINT_ENTRIES = 1000
_HINT_TRIES = 3


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

    def __repr__(self) -> str:
        return (f"RunRecords(name={self.name!r}, path={str(self.path)!r}, "
                f"config={{{len(self.config)} sections}}, metrics=[{len(self.metrics)} epochs], "
                f"audit=[{len(self.audit)} records])")


def _read_text(path: Path) -> str:
    """The text of ``path``.

    Raises
    ------
    ValueError
        The file is not UTF-8 text (named, where Python's error names no file).
    """
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path} is not UTF-8 text (byte {err.object[err.start]:#04x} at "
                         f"position {err.start}); the file is damaged") from None


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON-lines file (none if there is no file).

    A last line cut off (no newline at its end, not a JSON object: a run killed while writing
    it) is skipped with a warning; any other line that is not a JSON object is an error, and
    so is a record without the keys the report reads (``_RECORD_KEYS``). A number that is not
    finite (an audit's atoms where the solve failed, its gap; a held-out loss of inf) is
    ``None``: written as ``null``, or as ``NaN`` / ``Infinity`` by runs before the run folder's
    JSON was kept strict, in either file.

    Raises
    ------
    ValueError
        The file is not text, a line other than a cut-off last one is not a JSON object, or
        a record lacks a key.
    """
    if not path.is_file():
        return []
    text = _read_text(path)
    lines = text.splitlines()
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            record, problem = None, f"is not JSON ({err.msg}, column {err.colno})"
        else:
            problem = "is not a JSON object"
        if isinstance(record, dict):
            missing = [key for key in _RECORD_KEYS[path.name] if key not in record]
            if missing:
                raise ValueError(f"{path}: line {number} has no {missing[0]!r}; it is not a "
                                 "record written by `pidkit-distill train`")
            records.append(jsonable(record, finite=True))
        elif number == len(lines) and not text.endswith("\n"):
            warnings.warn(f"{path}: skipped line {number}, the last, which is cut off (the run "
                          "was killed while writing it)", RuntimeWarning, stacklevel=2)
        else:
            raise ValueError(f"{path}: line {number} {problem}; the file is damaged (only a "
                             "cut-off last line, from a killed run, is skipped)")
    return records


def missing_config_key(config: Any) -> str | None:
    """The first key that the ``config.json`` of a run holds and ``config`` (its parsed JSON)
    lacks; ``None`` when ``config`` is a run's configuration.

    Examples
    --------
    >>> missing_config_key({"sweep": ["kd", "rid"]})
    'data.name'
    """
    for key in _CONFIG_KEYS:
        section, name = key.split(".")
        if not (isinstance(config, dict) and isinstance(config.get(section), dict)
                and name in config[section]):
            return key
    return None


def read_run_config(path: Path) -> dict[str, Any]:
    """The configuration in the ``config.json`` of the run folder ``path``, checked to be a run's.

    The one reader of a run's ``config.json``: the report's :func:`load_run`, ``load_student``
    (a folder without a checkpoint) and the check that ``run.out_dir`` is no run folder use it.
    Only ``config.json`` is read (not the logs beside it).

    Parameters
    ----------
    path : Path
        The run folder.

    Returns
    -------
    dict
        The parsed configuration, which holds every key the report reads.

    Raises
    ------
    ValueError
        ``config.json`` is not UTF-8 text or not JSON (the file is damaged), or lacks a key
        that a run's configuration holds (it is not a run's: a model folder's of another
        library, say).
    OSError
        ``config.json`` cannot be read (there is none, no permission).

    Examples
    --------
    >>> import json, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "config.json").write_text(json.dumps({"model_type": "bert"}))
    >>> read_run_config(folder)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: .../config.json has no 'data.name'; it is not the configuration of a \
`pidkit-distill train` run
    """
    file = path / "config.json"
    try:
        config = json.loads(_read_text(file))
    except json.JSONDecodeError as err:
        raise ValueError(f"{file} is not JSON ({err}); the file is damaged") from None
    key = missing_config_key(config)
    if key is not None:
        raise ValueError(f"{file} has no {key!r}; it is not the configuration of a "
                         "`pidkit-distill train` run")
    return config


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """The epoch records of the ``metrics.jsonl`` of the run folder ``path`` (none if it has
    none), read as :func:`load_run` reads them, without the rest of the folder: what
    ``load_student`` compares its checkpoint with, where ``audit.jsonl`` can hold 100,000 lines.

    Parameters
    ----------
    path : Path
        The run folder.

    Returns
    -------
    list of dict
        One record per epoch line, in order; a cut-off last line (a killed run's) is skipped
        with a :class:`RuntimeWarning`, as :func:`load_run` skips it.

    Raises
    ------
    ValueError
        ``metrics.jsonl`` is damaged or not a run's (see :func:`load_run`).
    OSError
        ``metrics.jsonl`` cannot be read (no permission).

    Examples
    --------
    >>> read_metrics(Path("/nonexistent"))
    []
    """
    return _read_jsonl(path / "metrics.jsonl")


def load_run(path: str | Path) -> RunRecords:
    """Read one run folder written by :func:`pidkit_distill.training.train`.

    A last line of ``metrics.jsonl`` or ``audit.jsonl`` cut off by a killed run is skipped
    with a :class:`RuntimeWarning`, and so, silently, is an audit of an epoch after the last one
    ``metrics.jsonl`` records (a run killed while writing that epoch's checkpoint, or read in
    that instant: its resume trains the epoch again).

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

    Examples
    --------
    >>> load_run("/nonexistent")
    Traceback (most recent call last):
    ...
    ValueError: '/nonexistent' does not exist; pass run folders written by `pidkit-distill train`
    """
    path = Path(path)
    if not path.exists():
        near = _near_folder_of_runs(path.name, path.parent)
        raise ValueError(f"{str(path)!r} does not exist; pass run folders written by "
                         "`pidkit-distill train`"
                         + (f". Did you mean {str(path.parent / near)!r}?" if near else ""))
    if not path.is_dir():
        raise ValueError(f"{str(path)!r} is a file, not a run folder; pass "
                         f"{_folder_of_file(path) or 'run folders written by `pidkit-distill train`'}")
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
                             f"{_instead_of(path)}")
    metrics = read_metrics(path)
    last = metrics[-1]["epoch"] if metrics else 0  # an epoch's audit is written before its line
    return RunRecords(name=path.resolve().name, path=path, config=read_run_config(path),
                      metrics=metrics, audit=[record for record in _read_jsonl(path / "audit.jsonl")
                                              if record["epoch"] <= last])


def _folder_of_file(path: Path) -> str:
    """For a file ``path`` of a run folder (``runs/x/metrics.jsonl``, the path a shell completes
    to), or of the report folder in it (``runs/x/report/report.md``, where a report of the run
    alone goes), what to pass instead: ``the run folder it is in, 'runs/x'``; else nothing.

    Examples
    --------
    >>> _folder_of_file(Path("/nonexistent/metrics.jsonl"))
    ''
    """
    folder = path.parent
    if not holds_run(folder) and (folder / "report.md").is_file():
        folder = folder.parent
    return f"the run folder it is in, {str(folder)!r}" if holds_run(folder) else ""


def holds_run(folder: Path) -> bool:
    """Whether ``folder`` holds a run: a ``checkpoint.pt`` or a ``config.json`` (only looked up,
    not read); not a folder that cannot be looked into (another user's).

    Examples
    --------
    >>> holds_run(Path("/nonexistent"))
    False
    """
    return os.path.isfile(folder / "checkpoint.pt") or os.path.isfile(folder / "config.json")


def run_folders(folder: Path) -> list[Path]:
    """The run folders directly in ``folder`` (:func:`holds_run`; not those deeper down), sorted;
    none where ``folder`` cannot be listed (no such folder, no permission).

    Examples
    --------
    >>> run_folders(Path("/nonexistent"))
    []
    """
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return sorted(sub for sub in entries if holds_run(sub))


def _instead_of(folder: Path) -> str:
    """What to pass instead of ``folder``, which is no run folder, as the end of the error: the
    run folders it holds, else the folders in it that hold runs (``runs/demo/RUN``), else
    folders written by ``pidkit-distill train``."""
    held = [sub.name for sub in run_folders(folder)]
    if held:
        # the glob unquoted, or a shell would not expand it
        return (f"; it holds {len(held)} run folder(s) ({', '.join(held[:3])}"
                f"{', ...' if len(held) > 3 else ''}): pass them (in a shell, "
                f"{shlex.quote(str(folder))}/*)")
    deeper = sorted(str(sub) for sub in _first_folders(folder) if _holds_runs(sub))
    if deeper:
        return (f"; its run folders are one level deeper, in {', '.join(map(repr, deeper[:3]))}"
                f"{', ...' if len(deeper) > 3 else ''}: pass {'it' if len(deeper) == 1 else 'one'}")
    return "; pass folders written by `pidkit-distill train`"


def _first_folders(folder: Path) -> list[Path]:
    """The folders among the first :data:`_HINT_ENTRIES` entries of ``folder``, as listed (none
    where it cannot be listed): an error's hint looks no further, in a home folder or one of
    100,000 entries."""
    try:
        with os.scandir(folder) as entries:
            return [Path(entry.path) for entry in itertools.islice(entries, _HINT_ENTRIES)
                    if entry.is_dir()]
    except OSError:
        return []


def _holds_runs(folder: Path) -> bool:
    """Whether ``folder`` is a run folder or holds one among its first entries
    (:func:`_first_folders`)."""
    return holds_run(folder) or any(holds_run(sub) for sub in _first_folders(folder))


def _near_folder_of_runs(name: str, folder: Path) -> str | None:
    """The name of the folder in ``folder`` closest to the misspelt ``name`` that holds runs
    (:func:`_holds_runs`), or ``None``: of the first entries of ``folder``
    (:func:`_first_folders`), the :data:`_HINT_TRIES` closest names are tried, closest first."""
    names = [sub.name for sub in _first_folders(folder)]
    for _ in range(_HINT_TRIES):
        near = closest(name, names)
        if near is None or _holds_runs(folder / near):
            return near
        names.remove(near)
    return None


def runs_in(path: Path) -> list[Path]:
    """The run folders that ``path`` stands for: itself, or, for a folder that is no run (no
    ``config.json``) but holds run folders (a sweep's ``runs``, a report written into it
    included), those (:func:`run_folders`), sorted.

    Examples
    --------
    >>> runs_in(Path("/nonexistent"))
    [PosixPath('/nonexistent')]
    """
    if (path / "config.json").exists():
        return [path]
    return run_folders(path) or [path]


def load_runs(paths: str | bytes | os.PathLike | RunRecords | Any
              | Iterable[str | bytes | os.PathLike | RunRecords | Any]) -> list[RunRecords]:
    """Read the run folders ``paths`` (as a shell glob such as ``runs/*`` gives them).

    Records already read (:class:`RunRecords`) are taken as they are, and the
    :class:`~pidkit_distill.RunSummary` that :func:`~pidkit_distill.train` returns stands for
    its run folder, so a notebook can pass ``[summary_bas, summary_rid]``; ``~`` is the home
    folder, as in ``run.out_dir`` and :func:`~pidkit_distill.load_student`. A folder that is no
    run but holds run folders (``runs``, a sweep's ``run.out_dir``) stands for those directly in
    it (:func:`runs_in`: not deeper down), in sorted order; nothing is printed (``len`` of
    the result says how many were read).

    Four kinds of path are skipped, each with a :class:`RuntimeWarning`, as ``runs/*`` picks
    them up beside the runs: a file (a log, the demo's ``results.jsonl``), a report folder
    (``report.md`` and no ``config.json``, written by an earlier report), a folder given
    twice, and a run folder whose train has not written the run yet, or stopped before
    (:func:`~pidkit_distill.unwritten_runs.unwritten_run`). Anything else that is not a run is
    an error (see :func:`load_run`). The teacher's own run folders (method ``teacher``:
    ``train-teacher``'s, or the teacher cache under ``runs/``) are skipped beside students'
    runs, with one warning naming them; given alone, they are the runs.

    Parameters
    ----------
    paths : path, RunRecords, RunSummary, or an iterable of them
        Run folders (or folders of them), their records, or the summaries of the runs; one
        alone is one run (or the runs of one folder).

    Returns
    -------
    list of RunRecords
        In the order given, each named by its folder (see :func:`with_distinct_names`).

    Raises
    ------
    ValueError
        No path, no run left after the skips, or a path that is not a run folder (a folder
        holding none; one that does not exist: the message names the closest that does).
    TypeError
        Something that is none of those (the message names it).

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
    paths = given_runs(paths)
    runs: list[RunRecords] = []
    seen: set[Path] = set()
    instead = ""  # what to pass for the first file of a run folder given
    for given in [run for each in paths for run in (
            [each] if isinstance(each, RunRecords) else runs_in(Path(each).expanduser()))]:
        path = given.path if isinstance(given, RunRecords) else Path(given)
        if path.is_file():
            folder = _folder_of_file(path)
            instead = instead or (f"; for {str(path)!r}, pass {folder}" if folder else "")
            warnings.warn(f"skipped {path}: a file, not a run folder"
                          + (f"; pass {folder}" if folder else ""), RuntimeWarning, stacklevel=2)
        elif (path / "report.md").is_file() and not (path / "config.json").exists():
            warnings.warn(f"skipped {path}: a folder written by `pidkit-distill report`, not a "
                          "run", RuntimeWarning, stacklevel=2)
        elif path.resolve() in seen:
            warnings.warn(f"skipped {path}: given twice", RuntimeWarning, stacklevel=2)
        elif unwritten := unwritten_run(path):
            instead = instead or f"; {str(path)!r} holds no run yet: {unwritten}"
            warnings.warn(f"skipped {path}: {unwritten}", RuntimeWarning, stacklevel=2)
        else:
            runs.append(given if isinstance(given, RunRecords) else load_run(path))
            seen.add(path.resolve())
    if not runs:
        raise ValueError(f"no run folder among {[str(p) for p in paths]}"
                         + (instead or "; pass folders written by `pidkit-distill train`"))
    return _students(runs)


def _students(runs: list[RunRecords]) -> list[RunRecords]:
    """``runs`` without the teachers' own run folders (method ``teacher``: written by
    ``train-teacher``, or the teacher cache under ``runs/`` that ``runs/*`` takes in), skipped
    with one warning naming them; all of ``runs`` when they are all teachers'."""
    teachers, students = [], []
    for run in runs:
        is_teacher = (run.config.get("method") or {}).get("name") == "teacher"
        (teachers if is_teacher else students).append(run)
    if not teachers or not students:
        return runs
    warnings.warn(f"skipped the teacher's run folder{'s' if len(teachers) > 1 else ''} "
                  f"{', '.join(str(run.path) for run in teachers)} (method teacher): not a "
                  "student; its accuracy is the teacher acc column", RuntimeWarning,
                  stacklevel=3)
    return students


def given_runs(paths: Any, name: str = "paths") -> list[str | os.PathLike | RunRecords]:
    """``paths`` as a list of run folders and records: one run alone (a path, which is no list of
    one-letter folders, a :class:`RunRecords`, a ``RunSummary``) or an iterable of runs; a
    ``RunSummary`` (anything with a ``run_dir`` path) becomes its folder, a bytes path its str
    (:func:`os.fsdecode`). A :class:`TypeError`, or a :class:`ValueError` for no run at all,
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
    def run(given: Any) -> str | os.PathLike | RunRecords:
        if isinstance(given, bytes):
            return os.fsdecode(given)
        if isinstance(given, str | os.PathLike | RunRecords):
            return given
        if isinstance(getattr(given, "run_dir", None), str | os.PathLike):
            return given.run_dir
        raise TypeError(f"{name}: a run is given by its folder (a str, bytes or Path), its "
                        "RunRecords or the RunSummary that train returned; got "
                        f"{given!r} ({type(given).__name__})")

    if (isinstance(paths, str | bytes | os.PathLike | RunRecords) or hasattr(paths, "run_dir")
            or not isinstance(paths, Iterable)):  # one run, or refused by run() naming it
        return [run(paths)]
    runs = [run(given) for given in paths]
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
