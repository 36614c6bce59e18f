"""The report of a run that ``pidkit-distill demo`` wrote tells it to run the demo again, which
starts over, not to resume it with a train command the user never typed (t-374, finding 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_report import fake_run
from test_report_running import NO_CHECKPOINT, STOPPED, checkpointed_run, states
from tiny_runs import lock_held_by_another_process

from pidkit_distill.cli import main
from pidkit_distill.demo import run_demo
from pidkit_distill.run_folders.files import DEMO_MARKER, FAILED
from pidkit_distill.training.rundir import LOCK_FILE


def demo_folder(path: Path) -> Path:
    """An empty folder as ``pidkit-distill demo`` marks its ``--out-dir``."""
    path.mkdir(parents=True)
    (path / DEMO_MARKER).write_text("made by `pidkit-distill demo`; deleted by the next demo\n")
    return path


def demo_advice(out_dir: str, typed: str, epochs: str) -> str:
    """What the report says of a demo's stopped or failed runs: ``out_dir`` its folder,
    ``typed`` that folder as the shell takes it."""
    return (f"A run of `pidkit-distill demo` ({out_dir} is the demo's --out-dir) cannot be "
            "resumed, as the demo has no --resume: run the demo again to start over, "
            f"`pidkit-distill demo --out-dir {typed} {epochs}`; it empties {out_dir} first, the "
            "teacher and the finished runs too, and trains them all again.")


def paragraphs(text: str, start: str) -> list[str]:
    """The paragraphs of the printed report that begin with ``start``."""
    return [paragraph.split("\nreport written to ")[0] for paragraph in text.split("\n\n")
            if paragraph.startswith(start)]


def test_the_marker_read_is_the_one_the_demo_recognises(tmp_path):
    # a folder holding a file the demo did not make is refused unless it holds the marker; with
    # it, the demo goes on to the folder's lock (held here, so that nothing is emptied)
    out = tmp_path / "demo"
    out.mkdir()
    (out / "notes.txt").write_text("not the demo's\n")
    with pytest.raises(ValueError, match="was not made by the demo"):
        run_demo(out_dir=out, epochs=2)
    (out / DEMO_MARKER).write_text("made by `pidkit-distill demo`\n")
    with lock_held_by_another_process(out / LOCK_FILE), \
            pytest.raises(ValueError, match="in use by a demo that is still running"):
        run_demo(out_dir=out, epochs=2)
    assert (out / "notes.txt").is_file()


def test_a_demos_stopped_runs_are_told_to_run_the_demo_again(tmp_path, monkeypatch, capsys):
    # the report said "the same command with --resume (run.resume=true) trains it again from
    # epoch 1": no train command was typed, and the demo has no --resume
    monkeypatch.chdir(tmp_path)
    demo = demo_folder(tmp_path / "my demo")
    fake_run(demo / "synthetic-bas-tt", epochs=5)  # finished
    checkpointed_run(demo / "synthetic-vid-tt", epochs=2)
    unsaved = fake_run(demo / "synthetic-rid-tt", epochs=1)
    config = json.loads((unsaved / "config.json").read_text())
    config["run"]["checkpoint_every"] = 3
    (unsaved / "config.json").write_text(json.dumps(config))
    checkpointed_run(tmp_path / "runs/digits-kd", epochs=2)  # a train's: as before
    assert main(["report", "my demo", "runs/digits-kd"]) == 0
    advice = demo_advice("my demo", "'my demo'", "--epochs 5")
    unsaved_what = NO_CHECKPOINT.partition("; the same command")[0]
    assert states(capsys.readouterr().out) == [
        "Stopped: synthetic-vid-tt (after epoch 2 of 5). No process holds the run folder's .lock "
        "and its train did not end: it was killed or failed (if it failed, the last lines its "
        f"command printed say why; a killed process prints nothing). {advice}",
        f"Stopped: digits-kd (after epoch 2 of 5). {STOPPED}",
        "Stopped before its first checkpoint: synthetic-rid-tt (after epoch 1 of 5). "
        f"{unsaved_what}. {advice}",
    ]


def test_a_demos_failed_run_is_told_to_run_the_demo_again(tmp_path, capsys):
    # its advice was "Rerun the command with the change the error names: the same run.name
    # starts the run again from epoch 1"
    demo = demo_folder(tmp_path / "demo")
    failed = fake_run(demo / "synthetic-rid-ut", epochs=0)
    fake_run(demo / "synthetic-bas-tt", epochs=5)
    (failed / "summary.json").write_text(json.dumps({FAILED: {
        "message": "out of memory in epoch 1, step 1 of 2; nothing was saved", "hint": "",
        "kind": "out_of_memory", "says_rerun": False}}))
    assert main(["report", str(demo)]) == 0
    assert paragraphs(capsys.readouterr().out, "Failed") == [
        "Failed before its first checkpoint: synthetic-rid-ut (in epoch 1 of 5): out of memory "
        "in epoch 1, step 1 of 2; nothing was saved. No process holds the run folder's .lock: "
        "its train stopped with the error shown, which its summary.json records (failed), "
        f"before it wrote a checkpoint.pt. {demo_advice(str(demo), str(demo), '--epochs 5')}"]


def test_a_demos_stopped_teacher_is_told_to_run_the_demo_again_with_its_epochs(tmp_path, capsys):
    # a teacher's run.epochs are its own (the demo's 15), not the --epochs of the demo's runs
    demo = demo_folder(tmp_path / "demo")
    teacher = fake_run(demo / "teacher-x", epochs=2)
    config = json.loads((teacher / "config.json").read_text())
    config["method"]["name"] = "teacher"
    (teacher / "config.json").write_text(json.dumps(config))
    assert main(["report", str(teacher)]) == 0
    assert states(capsys.readouterr().out) == [
        "Stopped teacher's run: teacher-x (after epoch 2 of 5). No process holds the run "
        "folder's .lock: the teacher's training was killed or failed. "
        f"{demo_advice(str(demo), str(demo), '[--epochs N]')}"]
