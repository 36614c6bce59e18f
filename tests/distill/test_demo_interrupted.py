"""What an interrupted demo leaves in its folder and says (task 374, findings F2 and F3).

A stopped demo left ``config.json.XXXXXXXX.tmp`` in a run folder: the worker writing it was
ended by SIGTERM where it stood. And its one line called every run incomplete, the finished ones
included.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from pidkit_distill import demo as demo_module
from pidkit_distill import report, training
from pidkit_distill.demo import DemoInterrupted, _worker_pool, run_demo
from pidkit_distill.signals import Terminated, exit_status
from pidkit_distill.stop_lines import interrupted_line

AGAIN = "run the demo again to start over (it empties its --out-dir first)"


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


def finishing_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, finished: int) -> None:
    """The demo, in this process, with a teacher that takes no time and runs that each write
    their summary.json at once, the first ``finished`` of them; the next is stopped by SIGTERM."""
    monkeypatch.setattr(training, "train_teacher", lambda config: tmp_path / "t" / "teacher.pt")

    def run(config: dict[str, Any]) -> dict[str, Any]:
        folder = Path(config["run"]["out_dir"], config["run"]["name"])
        if len(list(folder.parent.glob("*/summary.json"))) == finished:
            raise Terminated("SIGTERM")
        folder.mkdir()
        (folder / "summary.json").write_text("{}")
        return {"run": folder.name, "run_dir": str(folder), "method": config["method"]["name"],
                "teacher": config["teacher"]["source"], "last_acc": 0.5, "seconds": 0.0}

    monkeypatch.setattr(demo_module, "_train_logged", run)


@pytest.mark.parametrize("finished", [0, 2, 5])
def test_an_interrupted_demo_says_how_many_of_its_runs_had_finished(tmp_path, monkeypatch,
                                                                    finished):
    finishing_runs(monkeypatch, tmp_path, finished)
    with pytest.raises(DemoInterrupted) as stopped:
        run_demo(out_dir=tmp_path / "demo", epochs=2, workers=1)
    assert (stopped.value.finished, stopped.value.runs) == (finished, 6)
    assert exit_status(stopped.value) == 143  # SIGTERM's, raised from it
    said = {0: "interrupted before any of its 6 runs had finished",
            2: "interrupted; 2 of its 6 runs had finished and the other 4 were stopped",
            5: "interrupted; 5 of its 6 runs had finished and the other 1 was stopped"}
    assert interrupted_line("demo", stopped.value) == f"{said[finished]}: {AGAIN}"


def test_a_demo_interrupted_after_its_runs_says_they_had_all_finished(tmp_path, monkeypatch):
    finishing_runs(monkeypatch, tmp_path, 7)  # every run finishes

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "write_report", interrupted)
    with pytest.raises(DemoInterrupted) as stopped:
        run_demo(out_dir=tmp_path / "demo", epochs=2, workers=1)
    assert exit_status(stopped.value) == 130
    assert interrupted_line("demo", stopped.value) == (
        f"interrupted after all 6 of its runs had finished, before its table and report: {AGAIN}")


def test_a_demo_interrupted_before_its_runs_says_none_was_started():
    assert interrupted_line("demo", KeyboardInterrupt()) == (
        f"interrupted before its runs began (none was started): {AGAIN}")
