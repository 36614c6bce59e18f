"""The vertex enumeration's child process ends with the process that started it, however that ends.

Before, ``timeout 300 python ...``, a notebook kernel's restart or a ``kill -9`` ended Python and
left the child enumerating at full CPU for hours. The enumeration here is I_GH's polytope of a
random 4x3x3 joint (36 facets, more than ten minutes); the parent loads ``pidkit/_cdd.py`` alone,
which starts in milliseconds where ``import pidkit`` takes seconds.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import psutil  # a dependency of pidkit's (setup.cfg)
import pytest

import pidkit
from pidkit import _cdd

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("cdd") is None, reason="pycddlib (the exact extra) is not installed"
    ),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG and /proc are Linux's"),
]

PARENT = textwrap.dedent(
    """
    import importlib.util, json, sys
    spec = importlib.util.spec_from_file_location("cdd_under_test", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if sys.argv[2] == "without PR_SET_PDEATHSIG":  # as on macOS
        linux = 'sys.platform.startswith("linux")'
        if linux not in module._CHILD:
            sys.exit("the child script no longer asks for PR_SET_PDEATHSIG this way")
        module._CHILD = module._CHILD.replace(linux, "False")
    rows = [[int(v, 16) for v in row] for row in json.load(sys.stdin)]
    module._in_a_child(None, rows, "gh")
    """
)


class _Captured(Exception):
    pass


@pytest.fixture(scope="module")
def hard_rows() -> bytes:
    """The integer rows [b, A] of I_GH's polytope for a random 4x3x3 joint, as hexadecimal JSON."""
    captured: list[list[list[int]]] = []

    def capture(cdd: object, rows: list[list[int]], measure: str, bar: object, desc: object = None,
                long: bool = False) -> None:
        captured.append(rows)
        raise _Captured

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_cdd, "generators", capture)
        with pytest.raises(_Captured):
            joint = np.random.default_rng(5).dirichlet(np.ones(36)).reshape(4, 3, 3)
            pidkit.pid(joint, measure="gh", max_vertices=None)  # past the default limit
    assert len(captured[0]) == 36
    return json.dumps([[hex(v) for v in row] for row in captured[0]]).encode()


CDD_LIBRARY = importlib.util.find_spec("cdd.gmp").origin if importlib.util.find_spec("cdd") else None


def enumerates(child: psutil.Process) -> bool:
    """Whether ``child`` runs the child script (``python -I -c``) and has loaded pycddlib, which the
    script imports once it has ignored SIGINT, asked for PR_SET_PDEATHSIG and read its request: it
    enumerates from then on. Its command line is read first: until the exec, the child is its
    parent's (v)fork, whose memory holds pycddlib where the parent imported it (``import pidkit``)."""
    try:
        if child.cmdline()[1:2] != ["-I"]:
            return False
        return CDD_LIBRARY in pathlib.Path(f"/proc/{child.pid}/maps").read_text()
    except (psutil.Error, OSError):  # ended
        return False


@contextmanager
def enumerating(
    rows: bytes, variant: str = "as shipped", own_session: bool = False
) -> Iterator[tuple[subprocess.Popen[bytes], psutil.Process]]:
    """A parent process enumerating ``rows`` in its child, and that child; both killed at the end."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, _cdd.__file__, variant],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=own_session,
    )
    children: list[psutil.Process] = []
    try:
        assert parent.stdin is not None
        parent.stdin.write(rows)
        parent.stdin.close()
        deadline = time.monotonic() + 20
        while not children and parent.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
            children = psutil.Process(parent.pid).children()
        if not children:  # the parent may be enumerating by itself: stop it before reading its stderr
            parent.kill()
            parent.wait()
            pytest.fail(f"no child process appeared: {parent.stderr.read() if parent.stderr else b''!r}")
        # past the child's first lines, into the enumeration (a fixed 0.3 s pause let the start of
        # a child slowed by a loaded machine read as a child that does not ignore Ctrl-C)
        deadline = time.monotonic() + 60
        while not enumerates(children[0]) and parent.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert enumerates(children[0]), "the child did not start its enumeration"
        assert children[0].is_running() and children[0].status() != psutil.STATUS_ZOMBIE
        yield parent, children[0]
    finally:
        with parent:  # its stderr closed, and waited for
            parent.kill()
        for child in children:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass


def ended_within(child: psutil.Process, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if child.status() == psutil.STATUS_ZOMBIE:  # ended, not yet reaped by its new parent
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.01)
    return False


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_the_child_ends_when_its_parent_is_killed(hard_rows: bytes, sig: signal.Signals) -> None:
    with enumerating(hard_rows) as (parent, child):
        parent.send_signal(sig)
        parent.wait()
        assert ended_within(child, 3.0), f"the child enumerates on after its parent's {sig.name}"


def test_a_signal_to_the_parents_group_ends_the_child_too(hard_rows: bytes) -> None:
    # What stops it where there is no PR_SET_PDEATHSIG (macOS): GNU timeout and jupyter_client's
    # restart signal the whole process group (a kernel is started in a session of its own).
    with enumerating(hard_rows, "without PR_SET_PDEATHSIG", own_session=True) as (parent, child):
        assert os.getpgid(child.pid) == os.getpgid(parent.pid) == parent.pid
        with open(f"/proc/{child.pid}/status") as status:
            ignored = int(next(line for line in status if line.startswith("SigIgn:")).split()[1], 16)
        assert ignored & (1 << (signal.SIGINT - 1)), "Ctrl-C reaches the child now: the parent must decide"
        os.killpg(parent.pid, signal.SIGTERM)
        parent.wait()
        assert ended_within(child, 3.0), "the child enumerates on after a SIGTERM to its group"


REQUEST = json.dumps({"path": sys.path, "rows": [["0x0", "0x1"], ["0x1", "-0x1"]]}).encode()  # 0 <= z <= 1
VERTICES = [["1/1", "0/1"], ["1/1", "1/1"]]


def test_a_child_whose_parent_already_ended_does_not_enumerate() -> None:
    # The parent may end before the child asks for PR_SET_PDEATHSIG; then the child's parent is
    # another process, and the child stops instead of answering no one.
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    someone_else = str(ended.pid)
    done = subprocess.run([sys.executable, "-I", "-c", _cdd._CHILD, someone_else], input=REQUEST,
                          capture_output=True, timeout=60)
    assert (done.returncode, done.stdout) == (1, b"")
    here = subprocess.run([sys.executable, "-I", "-c", _cdd._CHILD, str(os.getpid())], input=REQUEST,
                          capture_output=True, timeout=60)
    assert (here.returncode, sorted(json.loads(here.stdout))) == (0, VERTICES)


def test_a_launcher_between_parent_and_child_is_no_ended_parent(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A sys.executable that is a wrapper script starting Python (not exec'ing it) stands between:
    # the child's parent is the shell. Before, the child took that for an ended parent and exited,
    # and every large polytope failed with "child process failed (exit status 1): no message".
    import cdd.gmp

    launcher = tmp_path / "python"
    launcher.write_text(f'#!/bin/sh\n"{os.path.realpath(sys.executable)}" "$@"\n')
    launcher.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(launcher))
    monkeypatch.setattr(_cdd, "CHILD_PROCESS_FACETS", 0)
    assert sorted(_cdd.generators(cdd.gmp, [[0, 1], [1, -1]], "gh")) == [[1, 0], [1, 1]]


def test_without_ctypes_the_child_enumerates_all_the_same(tmp_path: pathlib.Path) -> None:
    # A Python built without libffi has no ctypes: the child goes on without PR_SET_PDEATHSIG
    # (before, it failed with the ImportError's traceback, and so did every large polytope).
    (tmp_path / "ctypes").mkdir()
    (tmp_path / "ctypes" / "__init__.py").write_text("raise ImportError('No module named _ctypes')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}  # found before the standard library's ctypes
    done = subprocess.run([sys.executable, "-c", _cdd._CHILD, str(os.getpid())], input=REQUEST,
                          capture_output=True, timeout=60, env=env)
    assert (done.returncode, done.stderr) == (0, b"")
    assert sorted(json.loads(done.stdout)) == VERTICES


INTERRUPTED_AT_START = textwrap.dedent(
    """
    import importlib.util, signal, sys
    spec = importlib.util.spec_from_file_location("cdd_under_test", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    signal.signal(signal.SIGINT, lambda *args: print("noted", flush=True))  # and go on
    # Ctrl-C while the child starts, before its first line can ignore SIGINT:
    module._CHILD = "import os, signal; os.killpg(0, signal.SIGINT)" + module._CHILD
    print(sorted(module._in_a_child(None, [[0, 1], [1, -1]], "gh")))
    """
)


def test_a_ctrl_c_while_the_child_starts_leaves_it_to_the_parent() -> None:
    # The child ignores SIGINT from its first line; before that, Python's start (20-40 ms) took a
    # group SIGINT as a KeyboardInterrupt. Where the parent's handler goes on (pidkit_distill's
    # interrupts_deferred, a training loop's "stop after this epoch"), the computation failed:
    # "child process failed (exit status 1): KeyboardInterrupt" or "killed by SIGINT".
    done = subprocess.run([sys.executable, "-c", INTERRUPTED_AT_START, _cdd.__file__], capture_output=True,
                          text=True, timeout=60, start_new_session=True)
    assert (done.stdout, done.returncode) == ("noted\n[[Fraction(1, 1), Fraction(0, 1)], [Fraction(1, 1), "
                                              "Fraction(1, 1)]]\n", 0), done.stderr
