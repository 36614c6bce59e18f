"""Reading the files of a run folder that ``pidkit-distill train`` writes, checked line by line.

A run folder holds ``config.json`` (:func:`read_run_config`), ``metrics.jsonl`` (one record per
completed epoch, :func:`read_metrics`) and ``audit.jsonl`` (one record per audited epoch and
layer); :func:`read_records` reads a JSON-lines file of them, skipping a last line cut off by a
killed run and refusing any other damaged line or a record that is no run's (:func:`read_lines`
reads it so and gives the cut line's number, for the caller to say why it was cut);
:func:`read_summary` reads ``summary.json``, :func:`ended_train_epochs` what it says of the
last train that ended, :func:`train_failure` the error its last train stopped with (its
``failed`` record), :func:`checkpoint_written` whether a run's train had written its
``checkpoint.pt``, and :func:`demo_out_dir` whether ``pidkit-distill demo`` wrote the run.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from pidkit.below_zero import PID_MEASURES
from pidkit.resampling import CI_METHODS
from pidkit.utils import jsonable
from pidkit_distill.audit.records import AUDITED_ATOMS
from pidkit_distill.starting_runs import started_run_of

__all__ = ["DEMO_MARKER", "FAILED", "FAILURE_KINDS", "TEACHER_USED", "check_run_files_are_files",
           "checkpoint_written", "demo_out_dir", "ended_train_epochs", "killed_line_warning",
           "missing_config_key", "read_lines", "read_metrics", "read_records", "read_run_config",
           "read_summary", "train_failure", "unreadable_file"]

FAILED = "failed"
"""The key of ``summary.json`` that records the error (a ``TrainingError``: a NaN loss, memory
run out) that the run's last train stopped with: ``{"message": its one line, "hint": what to
change}``, with ``"before_training": true`` where it stopped before it trained (loading its data
or its teacher; records of older versions have no such key), and ``"kind"`` (one of
:data:`FAILURE_KINDS`, said where the error was raised) with ``"says_rerun"`` (whether the
message already advises a rerun), which the report's advice reads instead of the message's
words; records of older versions, and a process's stop that only followed another's (its
message is the other's), have neither. The train writes it beside what the file held (the last
train that ended by itself), and the next train of the folder removes it as it starts."""

FAILURE_KINDS = ("out_of_memory", "nan", "lost_peer", "error")
"""What a ``TrainingError`` says failed (its ``kind``, :data:`FAILED`'s ``"kind"``): memory ran
out, the loss or the weights became NaN or infinite, another process of the run ended without a
word, or anything else."""

TEACHER_USED = "teacher_used"
"""The key of ``summary.json`` that records the teacher the run was distilled from:
``{"source": "trained" | "file" | "untrained", "model", "num_classes", "in_channels"}`` with,
for a teacher file (the cached ``teacher.pt`` of ``"trained"``, or ``teacher.source``'s own),
``"file"`` (absolute), ``"file_from_run"`` (relative to the run folder) and ``"sha256"``, for
the cached one its folder's ``"cache_key"``, and for ``"untrained"`` its ``"seed"``. A train
writes it beside what the file holds; a run of an older version has none."""

DEMO_MARKER = ".pidkit-distill-demo"
"""The file that ``pidkit-distill demo`` writes into its ``--out-dir``, beside the folders of its
teacher and its runs: the folder is the demo's, which the next demo empties."""

# What the report reads of each file (a file without it is not a run's, and is refused).
_CONFIG_KEYS = ("data.name", "method.name", "teacher.source", "run.epochs")
_RECORD_KEYS = {"metrics.jsonl": ("epoch", "test_acc"),
                "audit.jsonl": ("epoch", "layer", *AUDITED_ATOMS)}


def _is_whole(value: Any) -> TypeGuard[int]:
    """Whether ``value`` is a whole number (a JSON integer, not ``true`` or ``false``)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    """Whether ``value`` is a JSON number or null (a number that was not finite)."""
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


# What `pidkit-distill train` writes under a key the report reads: its words, and the test of a
# value. A number that was not finite (a failed solve's atoms) is null.
_WHOLE = ("a whole number", _is_whole)
_NUMBER = ("a number (or null)", _is_number)
# the held-out set's size (which the report divides by), an audit's samples, distinct rows
_SIZE = ("a whole number above 0 (or null)",
         lambda value: value is None or (_is_whole(value) and value > 0))
_CLUSTERS = ("a whole number of at least 2 (or null)",  # the fewest the audit clusters into
             lambda value: value is None or (_is_whole(value) and value >= 2))
_SHARE = ("a number between 0 and 1, both excluded (or null)",  # a nominal coverage
          lambda value: value is None or (_is_number(value) and 0 < value < 1))
_MAJORITY = ("a number above 0, at most 1 (or null)",  # the share of the most common class
             lambda value: value is None or (_is_number(value) and 0 < value <= 1))
_NAME = ("a name", lambda value: isinstance(value, str))
# what audit_flags reads (pidkit.estimate.below_zero_verdicts), which refuses any other name
_MEASURE = ("the name of a PID measure, e.g. \"broja\"",
            lambda value: value in PID_MEASURES)
_CI_METHOD = (f"one of {', '.join(map(json.dumps, CI_METHODS))} (or null)",
              lambda value: value is None or value in CI_METHODS)
_NAMES = ("a list of names",
          lambda value: isinstance(value, list) and all(isinstance(item, str) for item in value))
_INTERVAL = ("[low, high], two numbers (each may be null)", lambda value: isinstance(value, list)
             and len(value) == 2 and all(map(_is_number, value)))


@dataclass(frozen=True)
class _Object:
    """A JSON object that train writes under a key: the shapes of the keys the report reads in
    it (each there where ``every``, else those there), and whether it may be null instead."""

    keys: dict[str, Any]
    every: bool = False
    null: bool = False


# The keys the report reads in each record (after the required ones, _RECORD_KEYS, those of the
# keys a record may lack: a run of an older version wrote fewer), by what train writes there.
_RECORD_SHAPES: dict[str, dict[str, tuple[str, Callable[[Any], bool]] | _Object]] = {
    "metrics.jsonl": {"epoch": _WHOLE, "test_acc": _NUMBER, "teacher_acc": _NUMBER,
                      "test_n": _SIZE, "test_majority": _MAJORITY},
    "audit.jsonl": {
        "epoch": _WHOLE, "layer": _WHOLE, **dict.fromkeys(AUDITED_ATOMS, _NUMBER),
        "n_samples": _SIZE, "measure": _MEASURE,
        "plugin": _Object(dict.fromkeys(AUDITED_ATOMS, _NUMBER), every=True),
        "intervals": _Object(dict.fromkeys(AUDITED_ATOMS, _INTERVAL), every=True, null=True),
        "bias_correction": _Object({"method": _NAME, "negative": _NAMES}),
        "settings": _Object({
            "confidence": _SHARE, "ci_method": _CI_METHOD, "clusters_used": _CLUSTERS,
            "discretisation": _Object({side: _Object({"distinct_rows": _SIZE}, null=True)
                                       for side in ("t", "s")}, null=True)}),
    },
}


def _read_text(path: Path) -> str:
    """The text of ``path``.

    Raises
    ------
    ValueError
        The file is not UTF-8 text (named, where Python's error names no file).
    OSError
        The file cannot be read (:func:`unreadable_file`).
    """
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path} is not UTF-8 text (byte {err.object[err.start]:#04x} at "
                         f"position {err.start}); the file is damaged") from None
    except OSError as err:
        raise unreadable_file(path, err) from err


def unreadable_file(path: Path, error: OSError) -> OSError:
    """The one-line error of a run folder's file that cannot be read, ``error`` the operating
    system's: its type, the file named, the problem and the fix, where Python's
    ``[Errno 13] Permission denied: 'PATH'`` said no fix.

    Examples
    --------
    >>> err = unreadable_file(Path("runs/a/metrics.jsonl"), PermissionError(13, "Permission denied"))
    >>> type(err).__name__, str(err)  # doctest: +NORMALIZE_WHITESPACE
    ('PermissionError', "cannot read 'runs/a/metrics.jsonl': Permission denied; ask for read
    access to it (or copy the run folder to a place you can read), then rerun the same command")
    """
    if isinstance(error, IsADirectoryError):
        fix = f"it is a folder, not a run's {path.name}: move it away, then rerun the same command"
    else:
        fix = (f"{error.strerror or error}; ask for read access to it (or copy the run folder to "
               "a place you can read), then rerun the same command")
    return type(error)(f"cannot read {str(path)!r}: {fix}")


def check_run_files_are_files(folder: Path) -> None:
    """Refuse a run folder whose ``config.json`` or ``metrics.jsonl`` is a folder while the
    other is a file, as reading it does (:func:`unreadable_file`: 'it is a folder, not a run's
    metrics.jsonl: move it away, ...', what ``--resume`` says), where the report and
    :func:`~pidkit_distill.load_runs` (whose reading of each run runs it) said the folder is no
    run folder ('no metrics.jsonl') and nothing of the folder in the way.

    Raises
    ------
    IsADirectoryError
        That file is a folder.
    """
    for name, other in (("config.json", "metrics.jsonl"), ("metrics.jsonl", "config.json")):
        if (folder / name).is_dir() and (folder / other).is_file():
            _read_text(folder / name)


def _wrong_value(record: dict[str, Any], shapes: dict[str, Any], within: str = "") -> str | None:
    """What is wrong with the first value of ``record`` under a key of ``shapes``, the keys the
    report reads, that ``train`` never writes so (``None`` when there is none): an ``epoch`` of
    ``null`` (a hand-edited line), an atom of ``"x"``, a ``bias_correction`` of ``null``; a key
    inside an object is named by its path (``settings.confidence``).

    Examples
    --------
    >>> metrics = _RECORD_SHAPES["metrics.jsonl"]
    >>> print(_wrong_value({"epoch": None, "test_acc": 0.5}, metrics))
    has 'epoch': null, where `pidkit-distill train` writes a whole number
    >>> print(_wrong_value({"epoch": 2, "test_acc": "0.5"}, metrics))
    has 'test_acc': "0.5", where `pidkit-distill train` writes a number (or null)
    >>> print(_wrong_value({"epoch": 2, "test_acc": None, "teacher_acc": None}, metrics))
    None
    >>> audit = {"bias_correction": _RECORD_SHAPES["audit.jsonl"]["bias_correction"]}
    >>> print(_wrong_value({"bias_correction": None}, audit))
    has 'bias_correction': null, where `pidkit-distill train` writes an object
    >>> print(_wrong_value({"bias_correction": {"negative": "syn"}}, audit))
    has 'bias_correction.negative': "syn", where `pidkit-distill train` writes a list of names
    """
    for key, shape in shapes.items():
        if key not in record:
            continue
        name, value = within + key, record[key]
        if isinstance(shape, _Object):
            if value is None and shape.null:
                continue
            if not isinstance(value, dict):
                wanted = "an object" + (" (or null)" if shape.null else "")
                return (f"has {name!r}: {json.dumps(value)}, where `pidkit-distill train` "
                        f"writes {wanted}")
            lacking = [inner for inner in shape.keys if inner not in value] if shape.every else []
            if lacking:
                return (f"has {name!r} without {lacking[0]!r}, which `pidkit-distill train` "
                        "writes in it")
            wrong = _wrong_value(value, shape.keys, f"{name}.")
            if wrong:
                return wrong
        elif not shape[1](value):
            return (f"has {name!r}: {json.dumps(value)}, where `pidkit-distill train` writes "
                    f"{shape[0]}")
    return None


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of the JSON-lines file ``path`` of a run folder, ``metrics.jsonl`` or
    ``audit.jsonl`` (none if there is no file).

    A last line cut off (no newline at its end, not a JSON object: a run killed while writing
    it) is skipped with a warning (:func:`killed_line_warning`); any other line that is not a
    JSON object is an error, and so is a record without the keys the report reads
    (``_RECORD_KEYS``) or with a value there, or under a key it reads that a record may lack
    (``_RECORD_SHAPES``), that train never writes (an ``epoch`` of ``null`` or ``"3"``, a
    ``bias_correction`` of ``null``: a hand-edited line). A number that is not finite (an
    audit's atoms where the solve failed, its gap; a held-out loss of inf) is ``None``: written
    as ``null``, or as ``NaN`` / ``Infinity`` by runs before the run folder's JSON was kept
    strict, in either file. :func:`read_lines` reads it so without the warning, giving the cut
    line's number instead.

    Parameters
    ----------
    path : Path
        The file, named ``metrics.jsonl`` or ``audit.jsonl``.

    Returns
    -------
    list of dict
        One record per line, in order.

    Raises
    ------
    ValueError
        The file is not text, a line other than a cut-off last one is not a JSON object, or
        a record lacks a key or holds a value there that train never writes.

    Examples
    --------
    >>> read_records(Path("/nonexistent/audit.jsonl"))
    []
    """
    records, cut_line = read_lines(path)
    if cut_line is not None:
        warnings.warn(killed_line_warning(path, cut_line), RuntimeWarning, stacklevel=2)
    return records


def read_lines(path: Path) -> tuple[list[dict[str, Any]], int | None]:
    """The records of the JSON-lines file ``path`` of a run folder, as :func:`read_records`
    reads them, with the number of its last line where that line is cut off and skipped (no
    newline at its end, not a JSON object), without a warning: the caller says why it was cut
    (:func:`killed_line_warning`, or :func:`~pidkit_distill.run_folders.damaged.line_cut_later_warning`
    where the run's train had ended after that line). The file is read once.

    Parameters
    ----------
    path : Path
        The file, named ``metrics.jsonl`` or ``audit.jsonl``.

    Returns
    -------
    records : list of dict
        One record per whole line, in order (none if there is no file).
    cut_line : int or None
        The number of the cut-off last line, counting from 1; ``None`` where the file ends
        whole.

    Raises
    ------
    ValueError
        As :func:`read_records` raises it.

    Examples
    --------
    >>> import json, tempfile
    >>> file = Path(tempfile.mkdtemp()) / "metrics.jsonl"
    >>> _ = file.write_text('{"epoch": 1, "test_acc": 0.5}\\n{"epoch": 2, "test_a')
    >>> read_lines(file)
    ([{'epoch': 1, 'test_acc': 0.5}], 2)
    >>> read_lines(Path("/nonexistent/audit.jsonl"))
    ([], None)
    """
    if not path.is_file():
        return [], None
    text = _read_text(path)
    lines = text.splitlines()
    records = []
    cut_line = None
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
            wrong = _wrong_value(record, _RECORD_SHAPES[path.name])
            if wrong:
                raise ValueError(f"{path}: line {number} {wrong}; the line was edited or is "
                                 "damaged: write the value back as train wrote it, or delete "
                                 "the line")
            records.append(jsonable(record, finite=True))
        elif number == len(lines) and not text.endswith("\n"):
            cut_line = number
        else:
            raise ValueError(f"{path}: line {number} {problem}; the file is damaged (only a "
                             "cut-off last line, from a killed run, is skipped)")
    return records, cut_line


def killed_line_warning(path: Path, number: int) -> str:
    """The warning of the JSON-lines file ``path`` whose last line, line ``number``, is cut off
    and skipped, as a run killed while writing it leaves it (:func:`read_lines`).

    Examples
    --------
    >>> print(killed_line_warning(Path("runs/a/metrics.jsonl"), 3))
    runs/a/metrics.jsonl: skipped line 3, the last, which is cut off (the run was killed while \
writing it)
    """
    return (f"{path}: skipped line {number}, the last, which is cut off (the run was killed "
            "while writing it)")


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

    The one reader of a run's ``config.json``: the report's
    :func:`~pidkit_distill.report.load_run`, ``load_student`` (a folder without a
    checkpoint) and the check that ``run.out_dir`` is no run folder use it. Only ``config.json``
    is read (not the logs beside it).

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
        ``config.json`` is not UTF-8 text or not JSON (the file is damaged; beside the run's
        ``checkpoint.pt``, the command that writes it again), or lacks a key
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
        raise ValueError(f"{file} is not JSON ({err}); the file is damaged"
                         f"{_config_rewrite_fix(path)}") from None
    except ValueError as err:  # not UTF-8 text (_read_text's reason)
        raise ValueError(f"{err}{_config_rewrite_fix(path)}") from None
    key = missing_config_key(config)
    if key is not None:
        raise ValueError(f"{file} has no {key!r}; it is not the configuration of a "
                         "`pidkit-distill train` run")
    return config


def _config_rewrite_fix(path: Path) -> str:
    """The fix ending the refusal of a damaged ``config.json`` (not UTF-8 JSON) of the run
    folder ``path`` beside its ``checkpoint.pt``: the command that started the run, rerun with
    ``--resume``, continues the checkpoint (a finished run's: nothing to train) and writes
    ``config.json`` again; nothing for a folder without a checkpoint (that command refuses to
    write over it), a cached teacher's (its ``teacher.pt``) or a method's starting student's
    (``RUN.bas-init``, :func:`~pidkit_distill.starting_runs.started_run_of`), which no command
    of their own started and a rerun leaves as they are."""
    started_by_another = (path / "teacher.pt").exists() or started_run_of(path.name) is not None
    if started_by_another or not (path / "checkpoint.pt").is_file():
        return ""
    return (f"; rerun the command that started the run {path.name!r} with --resume added: it "
            "continues the run's checkpoint.pt (a finished run has nothing left to train) and "
            "writes config.json again")


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """The epoch records of the ``metrics.jsonl`` of the run folder ``path`` (none if it has
    none), read as :func:`~pidkit_distill.report.load_run` reads them, without the rest of
    the folder: what ``load_student`` compares its checkpoint with, where ``audit.jsonl`` can
    hold 100,000 lines.

    Parameters
    ----------
    path : Path
        The run folder.

    Returns
    -------
    list of dict
        One record per epoch line, in order; a cut-off last line (a killed run's) is skipped
        with a :class:`RuntimeWarning`, as :func:`~pidkit_distill.report.load_run`
        skips it (which says instead that the line was cut later where the run's train had
        ended after it).

    Raises
    ------
    ValueError
        ``metrics.jsonl`` is damaged or not a run's (see
        :func:`~pidkit_distill.report.load_run`).
    OSError
        ``metrics.jsonl`` cannot be read (no permission).

    Examples
    --------
    >>> read_metrics(Path("/nonexistent"))
    []
    """
    return read_records(path / "metrics.jsonl")


def ended_train_epochs(path: Path) -> int | None:
    """The epochs the run of the folder ``path`` had done when its last ``pidkit-distill
    train`` to end by itself ended: the ``epochs_done`` of the ``summary.json`` it writes then
    (at ``run.epochs``, or earlier where ``run.stop_after`` stopped it; a train killed or
    failed writes none). ``None`` where there is none, or it cannot be read.

    Examples
    --------
    >>> import json, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> print(ended_train_epochs(folder))
    None
    >>> _ = (folder / "summary.json").write_text(json.dumps({"epochs_done": 2, "epochs": 6}))
    >>> ended_train_epochs(folder)
    2
    """
    done = read_summary(path).get("epochs_done")
    return done if _is_whole(done) else None


def read_summary(path: Path) -> dict[str, Any]:
    """The ``summary.json`` of the run folder ``path``; ``{}`` where there is none, or it cannot
    be read or holds no JSON object (unreadable, not UTF-8 or not JSON: nothing known).

    Examples
    --------
    >>> import json, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> read_summary(folder)
    {}
    >>> _ = (folder / "summary.json").write_text(json.dumps({"epochs_done": 2}))
    >>> read_summary(folder)
    {'epochs_done': 2}
    """
    try:
        summary = json.loads(_read_text(path / "summary.json"))
    except (OSError, ValueError):
        return {}
    return summary if isinstance(summary, dict) else {}


def train_failure(path: Path) -> dict[str, Any] | None:
    """The error that the last train of the run folder ``path`` stopped with, as its
    ``summary.json`` records it (:data:`FAILED`): ``{"message": ..., "hint": ...,
    "before_training": ..., "kind": ..., "says_rerun": ...}`` (``before_training`` and
    ``says_rerun`` ``False`` where the record does not say ``true``, ``kind`` ``None`` where it
    names none of :data:`FAILURE_KINDS`: an older version's record, a stop that followed
    another process's); ``None``
    where it records none (the train ended, was killed or interrupted, or is still running), or
    there is no such file or it cannot be read.

    Examples
    --------
    >>> import json, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> print(train_failure(folder))
    None
    >>> _ = (folder / "summary.json").write_text(json.dumps(
    ...     {FAILED: {"message": "the training loss became NaN", "hint": "lower optim.lr"}}))
    >>> train_failure(folder)["hint"], train_failure(folder)["kind"]
    ('lower optim.lr', None)
    """
    failure = read_summary(path).get(FAILED)
    if not isinstance(failure, dict) or not isinstance(failure.get("message"), str):
        return None
    return {"message": failure["message"], "hint": str(failure.get("hint") or ""),
            "before_training": failure.get("before_training") is True,
            "kind": failure["kind"] if failure.get("kind") in FAILURE_KINDS else None,
            "says_rerun": failure.get("says_rerun") is True}


def checkpoint_written(path: Path, config: dict[str, Any], epochs_done: int) -> bool:
    """Whether the train of the run folder ``path``, whose ``config.json`` is ``config``, had
    written its ``checkpoint.pt`` once its ``metrics.jsonl`` recorded ``epochs_done`` epochs: it
    writes one after every ``run.checkpoint_every`` epochs (1 in runs from before the setting)
    and after the last it trains (``run.epochs``, or ``run.stop_after``'s, which its
    ``summary.json`` records: :func:`ended_train_epochs`), before that epoch's line. A run
    folder without one after that had it deleted, or was copied without it; before that, its
    train was killed or failed before writing one (or is still training).

    Examples
    --------
    >>> nowhere = Path("/nonexistent")
    >>> checkpoint_written(nowhere, {"run": {"epochs": 6, "checkpoint_every": 3}}, 2)
    False
    >>> checkpoint_written(nowhere, {"run": {"epochs": 6, "checkpoint_every": 3}}, 3)
    True
    >>> checkpoint_written(nowhere, {"run": {"epochs": 2, "checkpoint_every": 3}}, 2)
    True
    >>> checkpoint_written(nowhere, {"run": {}}, 1), checkpoint_written(nowhere, {"run": {}}, 0)
    (True, False)
    """
    run = config.get("run") or {}
    every, epochs = run.get("checkpoint_every", 1), run.get("epochs")
    if epochs_done < 1:
        return False
    if epochs_done >= (every if _is_whole(every) else 1):
        return True
    return (_is_whole(epochs) and epochs_done >= epochs) or ended_train_epochs(path) == epochs_done


def demo_out_dir(path: Path) -> Path | None:
    """The ``--out-dir`` of the ``pidkit-distill demo`` that wrote the run folder ``path`` (the
    folder above it, where that holds :data:`DEMO_MARKER`), or ``None`` for any other run.

    Examples
    --------
    >>> import tempfile
    >>> demo = Path(tempfile.mkdtemp())
    >>> print(demo_out_dir(demo / "synthetic-rid-ut"))
    None
    >>> _ = (demo / DEMO_MARKER).write_text("made by `pidkit-distill demo`")
    >>> demo_out_dir(demo / "synthetic-rid-ut") == demo
    True
    """
    # the folder above "." or ".." is above where it leads, not the folder itself or inside it
    out_dir = (path.resolve() if path.name in ("", "..") else path).parent
    return out_dir if (out_dir / DEMO_MARKER).is_file() else None
