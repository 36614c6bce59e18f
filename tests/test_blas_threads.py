"""blas_threads under threads: the first block sets the count, the last one out restores it.

Fake BLAS controllers (``_blas_libraries`` monkeypatched) record every ``set_num_threads`` call
with the thread that made it; the blocks of two threads are made to overlap with events.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from pidkit import _blas
from pidkit._blas import blas_threads

WAIT_S = 30


class FakeBlas:
    """A BLAS controller that logs ``(thread name, count)`` for each ``set_num_threads``."""

    def __init__(self, num_threads):
        self.num_threads = num_threads
        self.calls = []

    def set_num_threads(self, num_threads):
        self.calls.append((threading.current_thread().name, num_threads))
        self.num_threads = num_threads


@pytest.fixture
def fake(monkeypatch):
    lib = FakeBlas(4)
    monkeypatch.setattr(_blas, "_blas_libraries", lambda: (lib,))
    return lib


def _in_thread(name, target):
    thread = threading.Thread(target=target, name=name)
    thread.start()
    return thread


def _wait(event):
    assert event.wait(WAIT_S), "the other thread did not get there"


def test_overlapping_blocks_set_on_first_entry_and_restore_on_last_exit(fake):
    """first opens, second opens (another limit), first closes, second closes: two calls."""
    first_open, second_open, first_closed = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with blas_threads(1):
            first_open.set()
            _wait(second_open)
        first_closed.set()

    def second():
        _wait(first_open)
        with blas_threads(2):
            seen["inside"] = fake.num_threads
            second_open.set()
            _wait(first_closed)
            seen["after the first closed"] = fake.num_threads

    threads = [_in_thread("first", first), _in_thread("second", second)]
    for thread in threads:
        thread.join(WAIT_S)
    assert seen == {"inside": 1, "after the first closed": 1}
    assert fake.calls == [("first", 1), ("second", 4)]
    assert fake.num_threads == 4


def test_nested_blocks_of_the_first_thread_set_the_inner_limit_while_another_is_open(fake):
    other_open, nested_done = threading.Event(), threading.Event()
    seen = []

    def other():
        with blas_threads(2):
            seen.append(("other", fake.num_threads))
            other_open.set()
            _wait(nested_done)

    with blas_threads(1):
        thread = _in_thread("other", other)
        _wait(other_open)
        with blas_threads(3):
            seen.append(("nested", fake.num_threads))
        seen.append(("outer", fake.num_threads))
        nested_done.set()
        thread.join(WAIT_S)
    me = threading.current_thread().name
    assert seen == [("other", 1), ("nested", 3), ("outer", 1)]
    assert fake.calls == [(me, 1), (me, 3), (me, 1), (me, 4)]
    assert fake.num_threads == 4


def test_a_worker_thread_sets_the_real_count_after_the_main_thread_did():
    """threadpoolctl (3.8 and later) ignores a thread's OpenBLAS setting while another thread
    holds its control: the main thread's first block took it for good, and a worker's
    blas_threads(1) then ran BLAS on every core."""
    libs = _blas._blas_libraries()
    before = [lib.num_threads for lib in libs]
    if not libs or min(before) < 2:
        pytest.skip("needs a BLAS library on more than one thread")

    def counts_inside():
        with blas_threads(1):
            return [lib.num_threads for lib in libs]

    with ThreadPoolExecutor(1) as pool:  # one worker thread, alive throughout
        assert counts_inside() == [1] * len(libs)
        assert pool.submit(counts_inside).result() == [1] * len(libs)
        assert counts_inside() == [1] * len(libs)
    assert [lib.num_threads for lib in libs] == before
