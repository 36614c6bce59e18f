"""Vertex enumeration in a child process: same vertices, clear failures, and Ctrl-C stops it."""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import psutil  # a dependency of pidkit's (setup.cfg)
import pytest

import pidkit
from pidkit import _cdd, _polytope
from pidkit.redundancy.gh import gh_polytope
from pidkit.redundancy.vertex_lp import exact_joint
from tests.test_cdd_child import enumerates

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("cdd") is None, reason="pycddlib (the exact extra) is not installed"
)


def test_a_child_process_finds_the_same_vertices(monkeypatch: pytest.MonkeyPatch) -> None:
    p = np.random.default_rng(5).dirichlet(np.ones(18)).reshape(2, 3, 3)
    cells, rows, rhs, _ = gh_polytope(exact_joint(p))
    here = _polytope.vertices(rows, rhs, len(cells), measure="gh")
    monkeypatch.setattr(_cdd, "CHILD_PROCESS_FACETS", 0)
    child = _polytope.vertices(rows, rhs, len(cells), measure="gh")
    assert len(here.points) == 328  # this joint's polytope, as enumerated before the child existed
    assert child.free == here.free
    assert child.free_exact == here.free_exact
    np.testing.assert_array_equal(child.points, here.points)


def test_numbers_with_thousands_of_digits_cross_to_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    import cdd.gmp

    big = 3**9000  # past Python's 4300-digit limit on int <-> decimal str
    monkeypatch.setattr(_cdd, "CHILD_PROCESS_FACETS", 0)
    vertices = _cdd.generators(cdd.gmp, [[0, big], [big, -1]], "gh")  # 0 <= z <= big
    assert sorted(v[1] for v in vertices) == [0, big]


def test_a_failing_child_names_the_measure(monkeypatch: pytest.MonkeyPatch) -> None:
    import cdd.gmp

    monkeypatch.setattr(_cdd, "CHILD_PROCESS_FACETS", 0)
    with pytest.raises(RuntimeError, match=r"measure 'prec': the vertex enumeration's child process failed"):
        _cdd.generators(cdd.gmp, [[0, 1], [1]], "prec")  # ragged rows: cddlib refuses them


@pytest.mark.skipif(sys.platform == "win32", reason="signals end processes on POSIX")
@pytest.mark.parametrize(
    ("sig", "said"),
    [
        ("SIGKILL", "SIGKILL (out of memory, if the kernel's OOM killer stopped it)"),
        ("SIGTERM", "SIGTERM"),
        ("SIGSEGV", "SIGSEGV"),
    ],
)
def test_a_child_ended_by_a_signal_names_it(monkeypatch: pytest.MonkeyPatch, sig: str, said: str) -> None:
    # Before, any signal was 'signal 15 (out of memory, if the kernel's OOM killer stopped it)'.
    import cdd.gmp

    monkeypatch.setattr(_cdd, "_CHILD", f"import os, signal; os.kill(os.getpid(), signal.{sig})")
    monkeypatch.setattr(_cdd, "CHILD_PROCESS_FACETS", 0)
    with pytest.raises(RuntimeError) as raised:
        _cdd.generators(cdd.gmp, [[0, 1], [1, -1]], "prec")
    assert str(raised.value) == f"measure 'prec': the vertex enumeration's child process was killed by {said}"


def test_without_processes_it_enumerates_here(monkeypatch: pytest.MonkeyPatch) -> None:
    import cdd.gmp

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("no processes in this sandbox")

    monkeypatch.setattr(_cdd, "CHILD_PROCESS_FACETS", 0)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    assert sorted(_cdd.generators(cdd.gmp, [[0, 1], [1, -1]], "gh")) == [[1, 0], [1, 1]]


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no signal masks (Windows)")
def test_sigint_is_blocked_only_while_the_child_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    # A SIGINT left blocked in the calling thread would make Ctrl-C do nothing from then on.
    import cdd.gmp

    monkeypatch.setattr(_cdd, "CHILD_PROCESS_FACETS", 0)
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert signal.SIGINT not in before
    assert sorted(_cdd.generators(cdd.gmp, [[0, 1], [1, -1]], "gh")) == [[1, 0], [1, 1]]  # a child
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before
    with pytest.raises(RuntimeError, match="child process failed"):
        _cdd.generators(cdd.gmp, [[0, 1], [1]], "gh")  # a child that fails
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("no processes in this sandbox")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    assert sorted(_cdd.generators(cdd.gmp, [[0, 1], [1, -1]], "gh")) == [[1, 0], [1, 1]]  # no child
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before


def test_a_polytope_of_many_facets_is_enumerated_without_a_warning() -> None:
    # 34 facets or more warned "can take minutes to hours (on 2 cores, 27-32 facets took 15-20 s and
    # 36 more than ten minutes)", I_GH's numbers, for any measure; max_vertices now refuses, before
    # the enumeration, what its vertex bound says would take long (pidkit.redundancy.vertex_limit).
    import cdd.gmp

    def simplex(d: int) -> list[list[int]]:  # z >= 0, sum z <= 1: d + 1 facets and vertices
        return [[0] + [int(j == k) for j in range(d)] for k in range(d)] + [[1] + [-1] * d]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(_cdd.generators(cdd.gmp, simplex(33), "gh")) == 34


def test_prec_that_the_vertex_limit_lets_through_does_not_warn_of_hours() -> None:
    # I_prec of a 2x2x32 joint (34 facets, bound 1,632, 2 s) warned that it could take minutes to
    # hours, with I_GH's timings.
    p = np.random.default_rng(0).dirichlet(np.ones(128)).reshape(2, 2, 32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = pidkit.pid(p, measure="prec")
    assert r.diagnostics["n_vertices"] == 508
    assert r.red == pytest.approx(0.0013579952701331499, abs=1e-12)


def test_gh_on_a_large_joint_answers_as_before() -> None:
    # 24 cells: over the child-process threshold (polytope of 24 facets, 1377 vertices).
    p = np.random.default_rng(5)
    p.dirichlet(np.ones(18))
    joint = p.dirichlet(np.ones(24)).reshape(2, 3, 4)
    r = pidkit.pid(joint, measure="gh")
    assert r.diagnostics["n_vertices"] == 1377
    assert r.red == pytest.approx(0.009518326334899931, abs=1e-12)


def test_ctrl_c_stops_a_long_enumeration() -> None:
    # I_GH of a random 4x3x3 joint enumerates for more than ten minutes; cddlib never returns to
    # Python meanwhile, so before the child process an interrupt waited for all of it.
    script = textwrap.dedent(
        """
        import signal, sys, time
        import numpy as np, psutil, pidkit
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a background job ignores SIGINT
        p = np.random.default_rng(5).dirichlet(np.ones(36)).reshape(4, 3, 3)
        print("started", flush=True)
        try:
            pidkit.pid(p, measure="gh", max_vertices=None)  # past the default limit: 36 facets
        except KeyboardInterrupt:
            print("interrupted; children left:", len(psutil.Process().children()), flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    with proc:  # its pipes closed, and waited for
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline() == "started\n"
            # into the enumeration: its child has loaded pycddlib (a fixed 2 s pause could interrupt,
            # on a loaded machine, a parent that had not started it, and test nothing)
            children: list[psutil.Process] = []
            deadline = time.monotonic() + 60
            while not any(map(enumerates, children)) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
                children = psutil.Process(proc.pid).children()
            if not any(map(enumerates, children)):
                proc.kill()
                pytest.fail(f"the enumeration did not start: {proc.communicate()}")
            proc.send_signal(signal.SIGINT)
            try:
                out, err = proc.communicate(timeout=120)  # the enumeration takes more than ten minutes
            except subprocess.TimeoutExpired:
                pytest.fail("the interrupt waited for the enumeration")
        finally:
            proc.kill()
    assert out == "interrupted; children left: 0\n", err
    assert proc.returncode == 0
