"""One process at a time writes a run folder: a second run on a folder being written is refused,
and a second process that needs a teacher being trained waits for it and reuses it."""

from __future__ import annotations

import json
import threading

import pytest
from tiny_runs import tiny

from pidkit_distill.training import check_config, checks, loop, teacher, train, train_teacher

WAIT_S = 120


def _pause_in_first_epoch(monkeypatch, paused: threading.Event, go_on: threading.Event) -> None:
    """In threads other than the main one, fit stops before writing its first checkpoint (the
    first epoch trained, nothing saved yet) until ``go_on`` is set."""
    save = loop.save_checkpoint

    def wait_then_save(path, **kw):
        if threading.current_thread() is not threading.main_thread() and \
                kw["state"]["epoch"] == 1:
            paused.set()
            assert go_on.wait(WAIT_S)
        save(path, **kw)

    monkeypatch.setattr(loop, "save_checkpoint", wait_then_save)


def test_a_second_run_on_a_folder_being_written_is_refused(tmp_path, monkeypatch):
    paused, go_on = threading.Event(), threading.Event()
    _pause_in_first_epoch(monkeypatch, paused, go_on)
    first = tiny(tmp_path, "run.epochs=3", "run.name=shared")
    results = {}
    worker = threading.Thread(target=lambda: results.update(summary=train(first)))
    worker.start()
    try:
        assert paused.wait(WAIT_S)
        # the same folder, another method: it used to pass every check (no checkpoint yet)
        # and train too, and the folder ended with the first run's config.json, the second's
        # summary.json and both runs' epochs interleaved in metrics.jsonl
        second = tiny(tmp_path, "run.epochs=3", "run.name=shared", "method.name=kd")
        busy = (r"run folder '.*shared' is being written by another process \(which holds "
                r".*shared/\.lock\); wait for that run to end, or choose another run\.name or "
                r"run\.out_dir")
        with pytest.raises(ValueError, match="^run.out_dir: " + busy):
            check_config(second)
        # two commands started at the same moment both pass that check: the lock, which train
        # holds while it writes, still refuses the second
        monkeypatch.setattr(checks, "check_not_busy", lambda run_dir: None)
        with pytest.raises(ValueError, match="^" + busy):
            train(second)
    finally:
        go_on.set()
        worker.join(WAIT_S)
    run_dir = tmp_path / "shared"
    assert results["summary"].epochs_done == 3
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records] == [1, 2, 3]
    assert all(set(r["train_losses"]) == {"ce"} for r in records)  # BAS's, none of KD's
    assert json.loads((run_dir / "summary.json").read_text())["method"] == "bas"
    # once the first run has ended, the folder is free again (with --resume it continues)
    assert check_config(tiny(tmp_path, "run.epochs=3", "run.name=shared",
                             "run.resume=true")).resume


def test_a_teacher_being_trained_is_waited_for_and_reused(tmp_path, monkeypatch, capsys):
    paused, go_on = threading.Event(), threading.Event()
    _pause_in_first_epoch(monkeypatch, paused, go_on)
    fits = []
    fit = teacher.fit
    monkeypatch.setattr(teacher, "fit", lambda *a, **kw: fits.append(1) or fit(*a, **kw))
    config = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=2")
    paths = {}
    first = threading.Thread(target=lambda: paths.update(first=train_teacher(config)))
    first.start()
    assert paused.wait(WAIT_S)
    second = threading.Thread(target=lambda: paths.update(second=train_teacher(config)))
    second.start()
    try:
        second.join(5)
        assert second.is_alive()  # waiting for the first, not training the teacher again
    finally:
        go_on.set()
        first.join(WAIT_S)
        second.join(WAIT_S)
    assert paths["first"] == paths["second"] and paths["first"].is_file()
    assert len(fits) == 1
    out = capsys.readouterr().out
    assert f"waiting for another process that is training the same teacher in " \
           f"{paths['first'].parent}" in out
    assert f"reusing the teacher synthetic-teacher trained before with the same settings: " \
           f"{paths['first']}" in out
    records = (paths["first"].parent / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in records] == [1, 2]
