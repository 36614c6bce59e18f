"""cddlib's vertex enumeration, run where Ctrl-C can stop it and where it dies with its caller.

cddlib's double description loop does not return to Python until it has finished, so a
``KeyboardInterrupt`` waits for it: on a polytope of 36 facets (I_GH of a random 4x3x3 joint) that
is more than ten minutes, and a notebook's "interrupt kernel" does nothing. Polytopes of at least
:data:`CHILD_PROCESS_FACETS` facets are therefore enumerated in a child Python process, which an
interrupt kills; smaller ones, which take milliseconds, stay in this process. The child gets this
process's ``sys.path``; integers travel as hexadecimal JSON strings, which carry any number of
digits.

The child must not outlive this process, however it ends (``timeout 300 python ...``, a
notebook kernel's restart, a ``kill -9``): left alone it would enumerate at full CPU for hours.
cddlib holds the GIL throughout, so a watchdog thread in the child would never run; the child is
stopped from outside instead:

- On Linux it asks the kernel, first thing, to SIGKILL it when its parent thread ends
  (``prctl(PR_SET_PDEATHSIG)``; the thread that starts it waits for it, so that is when this
  process ends, also in a worker thread), then exits if its parent had already ended: if this
  process is no longer among its ancestors (a launcher may stand between them, where
  ``sys.executable`` is a wrapper script; then the kernel's signal follows the launcher). Where
  ``ctypes`` or ``prctl`` is missing it enumerates without. Measured on 2 cores with I_GH of a
  random 4x3x3 joint: the child was gone within 10 ms of this process's SIGKILL or SIGTERM.
- It stays in this process's process group (no session of its own), so whoever signals the
  whole group stops it too, also where there is no ``PR_SET_PDEATHSIG`` (macOS): GNU
  ``timeout`` signals its group, and jupyter_client's shutdown and restart send SIGTERM, then
  SIGKILL, to the kernel's group. Measured with the prctl left out: the child was gone within 1 ms
  of ``timeout``'s SIGTERM and of a SIGTERM to the group. Ctrl-Z stops it with this process.
  Not covered there: this process alone killed by its pid. Windows has neither mechanism.
- It ignores SIGINT, which a terminal's Ctrl-C or "interrupt kernel" sends it as well: this
  process decides, and kills it when the interrupt stops this process (``KeyboardInterrupt``);
  a handler that lets the computation go on lets the child go on. It starts with SIGINT blocked
  (this thread blocks it while it starts the child, POSIX), so a Ctrl-C during its start
  (Python's 20-40 ms, before its first line) does not end it either.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from fractions import Fraction
from typing import Any

__all__ = ["CHILD_PROCESS_FACETS", "PROGRESS_FACETS", "generators"]

CHILD_PROCESS_FACETS = 24
"""Facets from which the enumeration runs in a child process. Measured for I_GH of random joints
(2 cores): 18 facets 0.09 s, 24 facets 0.5 s, 27-32 facets 14-20 s, 36 facets over 10 minutes; a
child process costs about 0.1 s to start."""

PROGRESS_FACETS = 27
"""Facets from which :func:`pidkit._polytope.vertices` asks for a bar of the enumeration's time
where a person watches (a terminal, a notebook); 27-32 facets take seconds to minutes. cddlib says
nothing of its progress, so the bar counts the time, refreshed every :data:`POLL_SECONDS`."""

POLL_SECONDS = 0.5
"""How often the bar is refreshed while the child enumerates."""

_CHILD = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)  # blocked since the start: one sent meanwhile ends here

def started_by(parent):  # parent, or a launcher it started (a wrapper script), is our parent
    pid = os.getppid()
    while pid > 1 and pid != parent:
        try:
            with open(f"/proc/{pid}/stat") as stat:  # "pid (name) state ppid ..."
                pid = int(stat.read().rpartition(")")[2].split()[1])
        except (OSError, ValueError, IndexError):  # no /proc to ask: take it that it did
            return True
    return pid == parent

if sys.platform.startswith("linux"):
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the parent thread
    except (ImportError, OSError, AttributeError):  # no ctypes, no prctl: enumerate without
        pass
    if not started_by(int(sys.argv[1])):  # the parent ended before prctl: no one awaits the answer
        sys.exit(1)
import json
request = json.load(sys.stdin)
sys.path[:] = request["path"]
import cdd.gmp as cdd
rows = [[int(v, 16) for v in row] for row in request["rows"]]
matrix = cdd.matrix_from_array(rows, rep_type=cdd.RepType.INEQUALITY)
found = cdd.copy_generators(cdd.polyhedron_from_matrix(matrix)).array
text = {}  # vertices share most coordinates' values: each distinct one is written once

def encoded(v):
    key = (v.numerator, v.denominator)
    if key not in text:
        text[key] = f"{v.numerator:x}/{v.denominator:x}"
    return text[key]

json.dump([[encoded(v) for v in row] for row in found], sys.stdout)
"""


def _in_this_process(cdd: Any, rows: list[list[int]]) -> list[list[Fraction]]:
    matrix = cdd.matrix_from_array(rows, rep_type=cdd.RepType.INEQUALITY)
    return [list(row) for row in cdd.copy_generators(cdd.polyhedron_from_matrix(matrix)).array]


def _signal_name(number: int) -> str:
    """``"SIGTERM"`` for 15; SIGKILL with the likeliest sender, the kernel's OOM killer."""
    try:
        name = signal.Signals(number).name
    except ValueError:  # a real-time signal has no name
        return f"signal {number}"
    if number == signal.SIGKILL:
        return f"{name} (out of memory, if the kernel's OOM killer stopped it)"
    return name


def _hold_sigint() -> set[int | signal.Signals] | None:
    """Block SIGINT in this thread, so that a child started meanwhile starts with it blocked.

    Returns the signal mask to restore, ``None`` where there are none (Windows).
    """
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _release_sigint(mask: set[int | signal.Signals] | None) -> None:
    """Restore the signal mask :func:`_hold_sigint` returned; a SIGINT held back acts now."""
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _answer(child: subprocess.Popen[bytes], request: bytes, bar: Any, desc: str) -> tuple[bytes, bytes]:
    """The child's stdout and stderr once it ends, under a bar of the time elapsed, described as
    ``desc``, if ``bar`` (what builds a tqdm bar from tqdm's arguments:
    ``pidkit._progress.bar_class()`` or a tqdm class) is given."""
    if bar is None:
        return child.communicate(request)
    with bar(desc=desc, bar_format="{desc}: {elapsed}", leave=False) as shown:
        sent: bytes | None = request
        while True:
            try:
                return child.communicate(sent, timeout=POLL_SECONDS)
            except subprocess.TimeoutExpired:  # the child goes on; the request was sent
                sent = None
                shown.update(0)  # a redraw that keeps the bar's delay (refresh would draw it at once)


def _in_a_child(
    cdd: Any, rows: list[list[int]], measure: str, bar: Any = None, desc: str | None = None
) -> list[list[Fraction]]:
    request = json.dumps({"path": sys.path, "rows": [[hex(v) for v in row] for row in rows]})
    held = _hold_sigint()
    try:
        child = subprocess.Popen(
            [sys.executable, "-I", "-c", _CHILD, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except BaseException as error:
        _release_sigint(held)
        if isinstance(error, OSError):  # no process can be started here (a sandbox): enumerate here
            return _in_this_process(cdd, rows)
        raise
    with child:
        try:
            _release_sigint(held)  # a Ctrl-C held back meanwhile acts here, where it stops the child
            described = desc or f"measure {measure!r}: vertex enumeration"
            out, err = _answer(child, request.encode(), bar, described)
        except BaseException:  # KeyboardInterrupt above all: stop the enumeration with us
            child.kill()
            child.wait()
            raise
    if child.returncode < 0:
        raise RuntimeError(
            f"measure {measure!r}: the vertex enumeration's child process was killed by "
            f"{_signal_name(-child.returncode)}"
        )
    if child.returncode != 0:
        reason = err.decode(errors="replace").strip().splitlines()
        raise RuntimeError(
            f"measure {measure!r}: the vertex enumeration's child process failed (exit status "
            f"{child.returncode}): {reason[-1] if reason else 'no message'}"
        )
    return _read_generators(out)


def _read_generators(out: bytes) -> list[list[Fraction]]:
    """The generators the child wrote, each value ``"NUM/DEN"`` in hexadecimal. Each distinct value
    is read once: the vertices share most of their coordinates' values (I_GH of a random 3x3x3
    joint: 9,624 distinct among 389,160), and building a Fraction, which normalises it, was most of
    the reading's time (1.4 s of it, 0.35 s with each built once).

    Examples
    --------
    >>> _read_generators(b'[["1/1", "-1/3"], ["1/1", "-1/3"]]')
    [[Fraction(1, 1), Fraction(-1, 3)], [Fraction(1, 1), Fraction(-1, 3)]]
    """
    made: dict[str, Fraction] = {}

    def value(text: str) -> Fraction:
        if text not in made:
            numerator, _, denominator = text.partition("/")
            made[text] = Fraction(int(numerator, 16), int(denominator, 16))
        return made[text]

    return [[value(text) for text in row] for row in json.loads(out)]


def generators(
    cdd: Any, rows: list[list[int]], measure: str, bar: Any = None, desc: str | None = None,
    *, long: bool = False,
) -> list[list[Fraction]]:
    """The generators of the polyhedron ``{z : b + A z >= 0}`` given as integer rows ``[b, A]``.

    Each generator is ``[1, z_1, ..., z_d]`` for a vertex (``[0, ...]`` for a ray), exactly.
    ``cdd`` is the ``cdd.gmp`` module (:func:`pidkit._polytope.require_cdd`); ``measure`` names
    the caller in errors; ``bar``, what builds a tqdm bar from tqdm's arguments
    (``pidkit._progress.bar_class()`` or a tqdm class), shows the time of an enumeration in a child
    process, described as ``desc`` (default: ``"measure 'gh': vertex enumeration"``); this module
    imports nothing of pidkit's, so that a child test loads it alone. ``long`` True runs it in a
    child process (stoppable, with its bar) below :data:`CHILD_PROCESS_FACETS` too: the caller knows
    it is long from more than its facets (I_prec's 20 facets of a 10x10x10 joint take seconds).

    Examples
    --------
    >>> import cdd.gmp
    >>> sorted(generators(cdd.gmp, [[0, 1], [1, -1]], "gh"))  # 0 <= z <= 1: vertices 0 and 1
    [[Fraction(1, 1), Fraction(0, 1)], [Fraction(1, 1), Fraction(1, 1)]]
    """
    if (long or len(rows) >= CHILD_PROCESS_FACETS) and sys.executable:
        return _in_a_child(cdd, rows, measure, bar, desc)
    return _in_this_process(cdd, rows)
