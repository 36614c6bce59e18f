"""``pidkit decompose`` over several joint files in one run (``pidkit decompose runs/*.npy``), which
pays the command's start-up once rather than once a file.

Each file is decomposed with the same options. Text output gives each file's table under a heading
naming it, ``==> runs/a.npy <==``, as ``head`` and ``tail`` head theirs; with --json each file is one
compact line of JSON (JSON Lines) whose first key, ``file``, is its path as given, which
``pandas.read_json(..., lines=True)`` and ``jq`` read. A file the command refuses (or whose solver
could not certify its answer) gets its one line on standard error, naming it, and the other files
are still decomposed: a sweep keeps its good results, and the exit status, 2 (1 where only solvers
failed), still tells a script that something went wrong. A warning names its file too."""

from __future__ import annotations

import json
import traceback
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from ._errors import SolverError
from ._joint_input import UsageError
from ._result import PIDResult
from .command_line import one_line, say_on_stderr

REFUSED_FILE = 2
"""The exit status of a run in which the command refused a file (as it does for one file)."""
SOLVER_FAILED = 1
"""The exit status of a run in which no file was refused but a solver could not certify its answer."""


def heading(path: str) -> str:
    """The line above a file's table in text output.

    Examples
    --------
    >>> heading("runs/a.npy")
    '==> runs/a.npy <=='
    """
    return f"==> {path} <=="


def json_line(path: str, record: dict[str, Any]) -> str:
    """A file's result as one compact line of JSON, ``file`` its first key.

    Examples
    --------
    >>> json_line("a.npy", {"red": 0.5, "diagnostics": {}})
    '{"file":"a.npy","red":0.5,"diagnostics":{}}'
    """
    return json.dumps({"file": path, **record}, separators=(",", ":"))


def decompose_files(paths: Sequence[str], solve: Callable[[str], PIDResult],
                    record: Callable[[PIDResult], dict[str, Any]], *, as_json: bool, debug: bool,
                    command: str) -> int:
    """Decompose each file of ``paths`` and print its result; the run's exit status.

    Parameters
    ----------
    paths : sequence of str
        The joint files, as given on the command line.
    solve : callable
        The result of one file's joint, given its path; raises :class:`UsageError` (or another
        ``TypeError``, ``ValueError`` or ``OSError``) for a file the command refuses and
        :class:`~pidkit.SolverError` where the solver failed.
    record : callable
        A result as the dict that --json prints.
    as_json : bool
        Print JSON Lines rather than tables under headings.
    debug : bool
        Print a failed file's traceback before its line (--debug).
    command : str
        The command's name, which starts each line on standard error (``"pidkit decompose"``).

    Returns
    -------
    int
        0 where every file was decomposed; :data:`REFUSED_FILE` (2) where one was refused;
        else :data:`SOLVER_FAILED` (1) where a solver failed.

    Examples
    --------
    >>> import numpy as np, pidkit
    >>> joints = {"xor.npy": pidkit.examples.xor(), "flat.npy": np.ones((2, 2))}
    >>> status = decompose_files(list(joints), lambda path: pidkit.pid(joints[path]),
    ...                          lambda result: {"syn": round(result.syn, 6)}, as_json=True,
    ...                          debug=False, command="demo")
    {"file":"xor.npy","syn":1.0}
    >>> status
    2
    """
    status, printed = 0, False
    for path in paths:
        try:
            result = _solved_naming_warnings(path, solve, command)
        except SolverError as exc:
            _say_failure(command, "solver failed", path, exc, debug)
            status = max(status, SOLVER_FAILED)
            continue
        except (UsageError, TypeError, ValueError, OSError) as exc:
            _say_failure(command, "error", path, exc, debug)
            status = REFUSED_FILE
            continue
        # flushed at once, so that with stderr into the same pipe (2>&1) each line comes in order
        if as_json:
            print(json_line(path, record(result)), flush=True)
        else:
            print(f"{chr(10) if printed else ''}{heading(path)}\n{result}", flush=True)
        printed = True
    return status


def _solved_naming_warnings(path: str, solve: Callable[[str], PIDResult], command: str) -> PIDResult:
    """``solve(path)``, each warning it gave shown afterwards as one line naming the file,
    ``COMMAND: warning: PATH: TEXT`` (the warning filters in force still apply, and a warning
    shown for one file is shown again for the next)."""
    with warnings.catch_warnings(record=True) as caught:
        try:
            return solve(path)
        finally:
            for warning in caught:
                say_on_stderr(f"{command}: warning: {_naming(path, warning.message)}")


def _say_failure(command: str, kind: str, path: str, exc: BaseException, debug: bool) -> None:
    """Report the failure of the file at ``path`` in one line, ``COMMAND: KIND: PATH: TEXT``,
    after its traceback where ``debug``."""
    if debug:
        traceback.print_exception(exc)
    say_on_stderr(f"{command}: {kind}: {_naming(path, exc)}")


def _naming(path: str, message: BaseException | Warning | str) -> str:
    """``message`` on one line, starting with ``PATH: `` (most refusals name their file already)."""
    text = one_line(message)
    return text if text.startswith(f"{path}: ") else f"{path}: {text}"
