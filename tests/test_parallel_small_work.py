"""Small work runs in this process rather than start joblib's process pool (F9): the first
``n_jobs=2`` call on 2 cores took seconds for work of milliseconds (benchmarks/parallel.py). A
backend chosen with ``joblib.parallel_config`` still gets every chunk, and the numbers do not
depend on where the chunks ran."""

from __future__ import annotations

import os
import threading

import joblib
import numpy as np
import pytest

import pidkit
from pidkit import parallel


def _where(chunk: list[int]) -> tuple[int, int, int]:
    return sum(chunk), os.getpid(), threading.get_ident()


@pytest.fixture
def fresh_process(monkeypatch):
    """A process that has not started joblib's pool; the chunks that joblib is given, recorded."""
    given: list[list[int]] = []
    real_parallel = parallel._parallel

    def recording(n_jobs):
        run = real_parallel(1)
        return lambda calls: run(given.append(call[1][0]) or call for call in calls)

    monkeypatch.setattr(parallel, "_WORKERS_ASKED", {})
    monkeypatch.setattr(parallel, "_parallel", recording)
    return given


def test_small_work_runs_here_and_starts_no_pool(fresh_process):
    chunks = [[k, k + 1] for k in range(6)]
    out = parallel.map_chunks(_where, chunks, 2)
    assert [o[0] for o in out] == [2 * k + 1 for k in range(6)]
    assert {o[1] for o in out} == {os.getpid()} and fresh_process == []
    assert parallel._WORKERS_ASKED == {}  # the next call still counts as one that starts the pool


def test_work_that_projects_long_sends_the_rest_to_joblib(fresh_process, monkeypatch):
    monkeypatch.setattr(parallel, "SERIAL_SECONDS", 1e-12)  # any chunk projects past it
    chunks = [[k] for k in range(5)]
    out = parallel.map_chunks(_where, chunks, 2)
    assert [o[0] for o in out] == [0, 1, 2, 3, 4]  # in input order
    assert fresh_process == [1, 2, 3, 4]  # the first chunk ran here, the rest went to joblib
    assert parallel._WORKERS_ASKED == {"LokyBackend": 2}


def test_a_threshold_of_zero_sends_every_chunk_to_joblib(fresh_process, monkeypatch):
    monkeypatch.setattr(parallel, "SERIAL_SECONDS", 0.0)
    assert parallel.map_chunks(sum, [[1], [2], [3]], 2) == [1, 2, 3]
    assert fresh_process == [0, 1, 2]


def test_a_backend_the_caller_chose_gets_every_chunk(fresh_process):
    with joblib.parallel_config(backend="threading"):
        parallel.map_chunks(_where, [[1], [2], [3]], 2)
    assert fresh_process == [0, 1, 2]


def test_the_numbers_do_not_depend_on_where_the_chunks_ran():
    rng = np.random.default_rng(4)
    joints = [rng.dirichlet(np.ones(8)).reshape(2, 2, 2) for _ in range(20)]
    here = [r.syn for r in pidkit.bertschinger_batch(joints, n_jobs=1)]
    small = [r.syn for r in pidkit.bertschinger_batch(joints, n_jobs=2)]
    assert small == here
