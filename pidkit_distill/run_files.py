"""Reading the files of a run folder that ``pidkit-distill train`` writes, checked line by line.

A run folder holds ``config.json`` (:func:`read_run_config`), ``metrics.jsonl`` (one record per
completed epoch, :func:`read_metrics`) and ``audit.jsonl`` (one record per audited epoch and
layer); :func:`read_records` reads a JSON-lines file of them, skipping a last line cut off by a
killed run and refusing any other damaged line or a record that is no run's;
:func:`ended_train_epochs` reads what ``summary.json`` says of the last train that ended.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from pidkit._result import jsonable
from pidkit_distill.audit_records import AUDITED_ATOMS

__all__ = ["ended_train_epochs", "missing_config_key", "read_metrics", "read_records",
           "read_run_config"]

# What the report reads of each file (a file without it is not a run's, and is refused).
_CONFIG_KEYS = ("data.name", "method.name", "teacher.source", "run.epochs")
_RECORD_KEYS = {"metrics.jsonl": ("epoch", "test_acc"),
                "audit.jsonl": ("epoch", "layer", *AUDITED_ATOMS)}
# Of those, the keys whose value is a whole number in every record (the others are numbers, or
# null where the number was not finite: a failed solve's atoms).
_WHOLE_NUMBER_KEYS = ("epoch", "layer")


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


def _wrong_value(record: dict[str, Any]) -> str | None:
    """What is wrong with the first value of a key the report reads that ``train`` never writes
    so in ``record`` (``None`` when there is none): an ``epoch`` of ``null`` (a hand-edited
    line), an atom of ``"x"``.

    Examples
    --------
    >>> print(_wrong_value({"epoch": None, "test_acc": 0.5}))
    has 'epoch': null, where `pidkit-distill train` writes a whole number
    >>> print(_wrong_value({"epoch": 2, "test_acc": "0.5"}))
    has 'test_acc': "0.5", where `pidkit-distill train` writes a number (or null)
    >>> print(_wrong_value({"epoch": 2, "test_acc": None}))
    None
    """
    for key, value in record.items():
        if key in _WHOLE_NUMBER_KEYS:
            wanted, fits = "a whole number", isinstance(value, int)
        else:
            wanted, fits = "a number (or null)", value is None or isinstance(value, (int, float))
        if isinstance(value, bool) or not fits:
            return (f"has {key!r}: {json.dumps(value)}, where `pidkit-distill train` writes "
                    f"{wanted}")
    return None


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of the JSON-lines file ``path`` of a run folder, ``metrics.jsonl`` or
    ``audit.jsonl`` (none if there is no file).

    A last line cut off (no newline at its end, not a JSON object: a run killed while writing
    it) is skipped with a warning; any other line that is not a JSON object is an error, and
    so is a record without the keys the report reads (``_RECORD_KEYS``) or with one of them
    that is no number (an ``epoch`` of ``null`` or ``"3"``: a hand-edited line). A number that
    is not finite (an audit's atoms where the solve failed, its gap; a held-out loss of inf)
    is ``None``: written as ``null``, or as ``NaN`` / ``Infinity`` by runs before the run
    folder's JSON was kept strict, in either file.

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
        a record lacks a key or holds no number in it.

    Examples
    --------
    >>> read_records(Path("/nonexistent/audit.jsonl"))
    []
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
            wrong = _wrong_value({key: record[key] for key in _RECORD_KEYS[path.name]})
            if wrong:
                raise ValueError(f"{path}: line {number} {wrong}; the line was edited or is "
                                 "damaged: write the value back as train wrote it, or delete "
                                 "the line")
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
        skips it.

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
    try:
        summary = json.loads(_read_text(path / "summary.json"))
    except (OSError, ValueError):  # none, unreadable, not UTF-8 or not JSON: nothing known
        return None
    done = summary.get("epochs_done") if isinstance(summary, dict) else None
    return done if isinstance(done, int) and not isinstance(done, bool) else None
