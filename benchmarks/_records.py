"""``--jsonl FILE``: a benchmark's measured rows as JSON lines, for scripts and notebooks.

Each row the tables show is one JSON object on a line of its own, with the raw numbers (seconds,
bits, sizes; ``null`` where there is none: a measurement skipped at its cap, failed or not run)
and the peers' numbers beside pidkit's, under ``"benchmark"``, the module's name. The file is
emptied before any work and each line is appended and flushed as its row is measured, so Ctrl-C
keeps the rows measured before it, as the printed tables do. ``--jsonl -`` writes the rows to
stdout, as Unix tools read ``-``, and the tables and the other lines meant for people to stderr,
so that stdout holds JSON lines only (``... --jsonl - | jq .pidkit_seconds``).

>>> import json, pandas  # doctest: +SKIP
>>> rows = pandas.DataFrame(map(json.loads, open("redundancy.jsonl")))  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from typing import Any, TextIO

import numpy as np

from pidkit.command_line import one_line

STDOUT = "-"
"""The ``--jsonl`` name of stdout."""


def plain(value: Any) -> Any:
    """``value`` with numpy's numbers and arrays as Python's, tuples as lists and a number that is
    not finite as ``None`` (JSON has no NaN).

    Examples
    --------
    >>> plain({"t": np.float64(0.5), "n": np.int64(3), "gap": float("nan"), "q": np.ones(2), "s": (1, 2)})
    {'t': 0.5, 'n': 3, 'gap': None, 'q': [1.0, 1.0], 's': [1, 2]}
    """
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, (np.ndarray, np.generic)):
        return plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class Records:
    """Where a benchmark writes its measured rows: ``FILE`` of ``--jsonl FILE``, or nowhere.

    A context manager for the run: with :data:`STDOUT`, ``sys.stdout`` is stderr inside the
    ``with`` block, for the tables, and is put back when the block ends, however it ends (done, an
    error, Ctrl-C), so that a notebook that calls a benchmark's ``main`` prints to its own stdout
    afterwards.

    Parameters
    ----------
    path : str or None
        The file, emptied here; :data:`STDOUT` (``"-"``) writes to ``sys.stdout`` as it is now;
        ``None`` writes nothing.
    benchmark : str
        The module's name in ``benchmarks``, written in every row.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "rows.jsonl")
    >>> records = Records(path, "demo")
    >>> records.write(joint="AND", pidkit_seconds=0.01, peer_seconds=None)
    >>> open(path).read()
    '{"benchmark": "demo", "joint": "AND", "pidkit_seconds": 0.01, "peer_seconds": null}\\n'
    >>> with Records(STDOUT, "demo") as records:
    ...     records.write(joint="AND")
    ...     print("| table |")  # on stderr
    {"benchmark": "demo", "joint": "AND"}
    >>> print("after the block")
    after the block
    """

    def __init__(self, path: str | None, benchmark: str) -> None:
        self.path, self.benchmark = path, benchmark
        self.stream: TextIO | None = sys.stdout if path == STDOUT else None
        self._stdout_before: TextIO | None = None
        if path is not None and self.stream is None:
            open(path, "w", encoding="utf-8").close()

    def __enter__(self) -> Records:
        """Point ``sys.stdout`` at stderr when the rows go to stdout; the block's records."""
        self._stdout_before = sys.stdout
        if self.stream is not None:
            sys.stdout = sys.stderr
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Put ``sys.stdout`` back as it was before the block, whatever ended it."""
        sys.stdout = self._stdout_before

    def write(self, **fields: Any) -> None:
        """Append one row, ``fields`` (raw numbers), and flush it to the file."""
        if self.path is None:
            return
        line = json.dumps(plain({"benchmark": self.benchmark, **fields}), allow_nan=False)
        try:
            if self.stream is None:
                with open(self.path, "a", encoding="utf-8") as handle:
                    handle.write(line + "\n")
            else:
                self.stream.write(line + "\n")
                self.stream.flush()
        except BrokenPipeError:  # `--jsonl - | head`: no full disk, but status 141 (_cli.run)
            raise
        except OSError as exc:  # a full disk (or /dev/full), which opening the file did not show
            raise OSError(f"--jsonl {self.path}: cannot write a row there ({one_line(exc)})") from exc


def check_jsonl_name(parser: argparse.ArgumentParser, path: str | None) -> None:
    """Refuse a ``--jsonl`` ``path`` that names no file (empty, or a folder) in one line with exit
    status 2 (``parser.error``), touching nothing: a benchmark that makes folders of its own
    checks it before them.

    Examples
    --------
    >>> check_jsonl_name(argparse.ArgumentParser(), "rows.jsonl")  # a file's name
    """
    if path is not None and not path.strip():
        parser.error(f"--jsonl {path!r} names no file; give the file for the rows, e.g. --jsonl rows.jsonl")
    if path is not None and (os.path.isdir(path) or path.endswith(("/", os.sep))):
        parser.error(f"--jsonl {path} names a folder; give the file for the rows in it, e.g. --jsonl "
                     f"{os.path.join(path, 'rows.jsonl')}")


def open_records(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Records:
    """The :class:`Records` of ``args.jsonl``; an empty name, a folder (:func:`check_jsonl_name`)
    and a file that cannot be written are refused in one line with exit status 2
    (``parser.error``), before any work. A file that opens but takes no rows (a full disk) fails
    at the first row, naming ``--jsonl`` (:meth:`Records.write`). Run the benchmark in its
    ``with`` block: with ``--jsonl -`` the rows keep stdout and ``sys.stdout`` is stderr inside
    it, for the tables.

    Examples
    --------
    >>> from benchmarks import _cli
    >>> demo = _cli.parser("demo", "Time a demo.", duration="1 s", quick=[], quick_duration="0.1 s",
    ...                    docs="docs/benchmarks.md")
    >>> with open_records(demo, demo.parse_args([])) as out:
    ...     out.path is None
    True
    """
    path = args.jsonl
    check_jsonl_name(parser, path)
    try:
        records = Records(path, parser.prog.rpartition(".")[2])
    except OSError as exc:
        parser.error(f"--jsonl {path}: cannot write the rows there ({one_line(exc)}); give a "
                     "file in a folder that can be written")
    return records
