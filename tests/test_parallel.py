"""pidkit.parallel.map_chunks: results in input order, and a bar advanced as they arrive."""

from __future__ import annotations

import threading

import joblib
import pytest

from pidkit.parallel import map_chunks


class _Bar:
    """A tqdm-like bar recording its count."""

    def __init__(self) -> None:
        self.n = 0

    def update(self, n: int) -> None:
        self.n += n


def _seen(chunk: list[int], bar: _Bar) -> tuple[int, int]:
    return sum(chunk), bar.n  # the bar's count when this chunk starts


@pytest.mark.parametrize("backend", [None, "multiprocessing"])
def test_the_bar_advances_as_each_chunk_arrives_in_input_order(backend):
    # One worker runs the chunks one after another: chunk k starts after the bar counted chunks
    # 0 .. k-1 (joblib's return_as="generator"); a list of all results would count them only at
    # the end, and a long bootstrap would sit at 0/200. joblib's "multiprocessing" backend refuses
    # generators, so there the results come at once; in order, and counted, either way.
    chunks = [[1, 2], [3], [4, 5, 6], [7]]
    bar = _Bar()
    if backend is None:
        out = map_chunks(_seen, chunks, 1, bar, bar=bar)
        assert out == [(3, 0), (3, 2), (15, 3), (7, 6)]
    else:
        with joblib.parallel_config(backend=backend):
            out = map_chunks(sum, chunks, 2, bar=bar)
        assert out == [3, 3, 15, 7]
    assert bar.n == 7


def _thread(chunk: list[int]) -> int:
    return threading.get_ident()


def test_one_job_runs_in_this_process_under_a_dask_cluster():
    # joblib sends even n_jobs=1 to a cluster of two workers (a one-worker cluster it runs here);
    # bertschinger_batch documents "1 solves in this process" (and did so before it ran its chunks
    # here), and the bootstraps' n_jobs=1 now does too.
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        with joblib.parallel_config(backend="dask"), distributed.get_task_stream(client) as stream:
            here = map_chunks(_thread, [[1], [2]], 1)
            there = map_chunks(_thread, [[1], [2]], 2)
    assert here == [threading.get_ident()] * 2 and threading.get_ident() not in there
    assert len(stream.data) == 2  # the two chunks of n_jobs=2


def test_a_slow_first_chunk_does_not_hold_back_the_count_of_the_others():
    # The first chunk finishes only once the bar has counted another: joblib's ordered generator
    # held every result back until the first chunk's, so the bar of a batch whose first joint
    # was slow sat at 0 while the rest were done (here the first chunk gave up waiting: False).
    # Results still come back in input order.
    counted = threading.Event()

    class Bar(_Bar):
        def update(self, n: int) -> None:
            super().update(n)
            counted.set()

    def solve(chunk: list[int]) -> tuple[bool, int]:
        return (counted.wait(timeout=30) if chunk[0] == 0 else True), sum(chunk)

    bar = Bar()
    with joblib.parallel_config(backend="threading"):
        out = map_chunks(solve, [[0, 1], [5], [6, 7]], 2, bar=bar)
    assert out == [(True, 1), (True, 5), (True, 13)]
    assert bar.n == 5
