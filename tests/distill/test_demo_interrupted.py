"""What an interrupted demo leaves in its folder (task 374, finding F2).

A stopped demo left ``config.json.XXXXXXXX.tmp`` in a run folder: the worker writing it was
ended by SIGTERM where it stood.
"""

from __future__ import annotations

import os
import time

import pytest

from pidkit_distill.demo import _worker_pool


def test_a_worker_terminated_while_writing_leaves_no_temporary_file(tmp_path):
    run = tmp_path / "synthetic-bas-ut"
    run.mkdir()
    (run / "notes.tmp").write_text("the user's")  # no temporary file of a write: kept
    # the worker stops in the middle of writing config.json, as SIGTERM finds it
    write = ("import time; from pidkit_distill.atomic_files import atomic_write; "
             f"atomic_write({str(run / 'config.json')!r}, "
             "lambda handle: (handle.write(b'{'), time.sleep(60)))")
    with pytest.raises(KeyboardInterrupt), _worker_pool(2, tmp_path) as pool:
        writing = pool.submit(exec, write, {})
        deadline = time.monotonic() + 120  # a worker starts in seconds, more on a busy machine
        while not list(run.glob("config.json.*.tmp")):
            assert not writing.done() and time.monotonic() < deadline, writing.exception(0)
            time.sleep(0.05)
        raise KeyboardInterrupt
    assert os.listdir(run) == ["notes.tmp"]
