"""Handles a long session must not leak: file descriptors, files, processes (Python hides their
ResourceWarning by default, so a leak is seen here by counting what is open)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from pidkit.command_line import end_closed_output

_FDS = Path("/proc/self/fd")
needs_proc = pytest.mark.skipif(not _FDS.is_dir(), reason="counts descriptors in /proc/self/fd (Linux)")


def _open_descriptors() -> int:
    return len(os.listdir(_FDS))


@needs_proc
def test_ending_closed_output_points_stdout_at_the_null_device_and_opens_nothing_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command lines' answer to a reader gone (| head) runs in-process where main() is called
    # from Python; it kept the descriptor it had opened on the null device, one per call.
    with (tmp_path / "stdout").open("w") as stdout:
        monkeypatch.setattr(sys, "stdout", stdout)
        before = _open_descriptors()
        statuses = [end_closed_output() for _ in range(5)]
        assert _open_descriptors() == before
        assert os.readlink(_FDS / str(stdout.fileno())) == os.devnull
    assert statuses == [128 + signal.SIGPIPE] * 5
