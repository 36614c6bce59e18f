"""What a parallel batch pays for: a small call between large ones keeps joblib's worker
processes, and small joints go to the workers in chunks worth a round trip.

joblib's default backend keeps its pool of worker processes between calls only while each call
asks for as many workers; a call of 3 chunks that asked for 3 of 8 stopped 5 workers, which the
next large call started again, each importing pidkit (n_jobs=8 on 2 cores: 0.6-3 s for 3 joints
after 50, 0.03 s with the pool kept). The pool's size is recorded here by the numbers asked of
joblib, as a fake joblib.Parallel sees them.
"""

import numpy as np
import pytest

import pidkit
from pidkit import parallel
from pidkit.broja import batch


@pytest.fixture
def asked(monkeypatch):
    numbers: list[int | None] = []
    real_parallel = parallel._parallel
    monkeypatch.setattr(parallel, "_parallel", lambda n_jobs: numbers.append(n_jobs) or real_parallel(1))
    monkeypatch.setattr(parallel, "_WORKERS_ASKED", {}, raising=False)  # a fresh process
    monkeypatch.setattr(parallel, "_pool_not_started", lambda backend: False)  # no small work here
    return numbers


def test_a_small_call_after_a_large_one_asks_for_the_same_workers(asked):
    assert parallel.map_chunks(sum, [[k] for k in range(8)], 4) == list(range(8))
    assert parallel.map_chunks(sum, [[1, 2], [3]], 4) == [3, 3]
    assert asked == [4, 4]  # the old code asked for 4, then 2: the pool of 4 shrank to 2
    parallel.map_chunks(sum, [[1], [2], [3]], 2)  # the caller's own smaller n_jobs is obeyed
    parallel.map_chunks(sum, [[1], [2], [3]], 4)  # 3 chunks: the pool of 2 grows to 3, not 4
    assert asked == [4, 4, 2, 3]


def test_a_call_on_another_backend_leaves_the_process_pool_as_asked(asked):
    import joblib

    with joblib.parallel_config(backend="threading"):
        parallel.map_chunks(sum, [[k] for k in range(8)], 8)
    parallel.map_chunks(sum, [[1], [2], [3]], 8)
    # threads are no pool of the default backend: its call asks for its 3 chunks, not the 8
    # threads (the old code asked for 8 and started 5 processes only to wait)
    assert asked == [8, 3]
    with joblib.parallel_config(backend="threading"):
        parallel.map_chunks(sum, [[1], [2]], 8)  # the threads' own record: 8 still
    assert asked == [8, 3, 8]


@pytest.fixture
def chunk_sizes(monkeypatch):
    """The joints per chunk that bertschinger_batch hands to map_chunks (run here, in this process)."""
    sizes: list[list[int]] = []
    real_map_chunks = batch.map_chunks

    def recording(func, chunks, n_jobs, *args, bar=None):
        sizes.append([len(chunk) for chunk in chunks])
        return real_map_chunks(func, chunks, 1, *args, bar=bar)

    monkeypatch.setattr(batch, "map_chunks", recording)
    return sizes


def test_small_joints_go_to_workers_in_chunks_worth_a_round_trip(chunk_sizes):
    rng = np.random.default_rng(0)
    small = [rng.dirichlet(np.ones(18)).reshape(2, 3, 3) for _ in range(50)]
    large = [rng.dirichlet(np.ones(1000)).reshape(10, 10, 10) for _ in range(40)]
    results = pidkit.bertschinger_batch(small, n_jobs=2)
    pidkit.bertschinger_batch(large, n_jobs=2)
    # 50 x 18 cells: one chunk per worker (the old code: 8 chunks of 7 or 1, each a round trip);
    # 40 x 1,000 cells: 4 chunks per worker, as before
    assert chunk_sizes == [[25, 25], [5] * 8]
    assert [r.red for r in results] == pytest.approx([pidkit.bertschinger(p).red for p in small], abs=1e-12)
