"""The report on a run stopped while it audited the untrained networks (epoch 0), before its
first epoch (walk t-433, L7): `train` said "interrupted while auditing the untrained networks",
the report "Stopped before its first checkpoint: int2 (in epoch 1 of 200)". Its records tell
it: train writes audit.jsonl empty before that audit and appends the audit's records of every
layer at once when it ends, so a run that audits and has no epoch and no record of epoch 0 in
audit.jsonl had not ended it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_out_of_memory import out_of_memory_in_eval_mode
from test_report import fake_run
from test_report_running import NO_CHECKPOINT, STILL, states
from tiny_runs import TINY, lock_held_by_another_process, tiny

from pidkit_distill import TrainingInterrupted
from pidkit_distill.cli import main
from pidkit_distill.training import loop, train
from pidkit_distill.training.rundir import LOCK_FILE

UNENDED = "before epoch 1 of 3: its audit of the untrained networks had not ended"


def interrupted_in_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                         epoch: int) -> str:
    """Train the tiny run ``name`` of 3 epochs, audited every epoch, interrupted (Ctrl-C) in
    its audit of ``epoch``; return what train said."""
    audit = loop._audit

    def interrupted(*args, **kwargs):
        if kwargs["epoch"] == epoch:
            raise KeyboardInterrupt
        return audit(*args, **kwargs)

    monkeypatch.setattr(loop, "_audit", interrupted)
    with pytest.raises(TrainingInterrupted) as stopped:
        train(tiny(tmp_path, "run.epochs=3", "run.audit_every=1", f"run.name={name}"))
    monkeypatch.undo()
    return str(stopped.value)


def reported(run: Path, capsys: pytest.CaptureFixture) -> list[str]:
    """The paragraphs under the report's table of ``run``, beside a finished run (a report of
    runs without an epoch alone is refused), that name their states."""
    done = run.parent / "done"
    if not done.exists():
        fake_run(done, epochs=5)
    capsys.readouterr()
    assert main(["report", str(run), str(done)]) == 0
    out = capsys.readouterr().out
    return [*states(out), *(paragraph for paragraph in out.split("\n\n")
                            if paragraph.startswith("Failed"))]


def test_a_run_interrupted_in_its_untrained_audit_is_said_to_be_before_epoch_1(
        tmp_path, monkeypatch, capsys):
    said = interrupted_in_audit(tmp_path, monkeypatch, "int2", epoch=0)
    assert said.startswith("interrupted while auditing the untrained networks of ")
    run = tmp_path / "int2"
    assert (run / "metrics.jsonl").read_text() == (run / "audit.jsonl").read_text() == ""
    assert reported(run, capsys) == [
        f"Stopped before its first checkpoint: int2 ({UNENDED}). {NO_CHECKPOINT}"]


def test_a_run_interrupted_after_its_untrained_audit_is_in_epoch_1(tmp_path, monkeypatch,
                                                                   capsys):
    # its audit of epoch 0 ended (its 3 layers' records), then epoch 1's audit was interrupted
    said = interrupted_in_audit(tmp_path, monkeypatch, "cut", epoch=1)
    assert said.startswith("interrupted during epoch 1 of ")
    run = tmp_path / "cut"
    audited = [json.loads(line)["epoch"] for line in (run / "audit.jsonl").read_text().splitlines()]
    assert audited == [0, 0, 0] and (run / "metrics.jsonl").read_text() == ""
    assert reported(run, capsys) == [
        f"Stopped before its first checkpoint: cut (in epoch 1 of 3). {NO_CHECKPOINT}"]


def test_a_run_failing_in_its_untrained_audit_is_said_to_be_before_epoch_1(tmp_path,
                                                                           monkeypatch, capsys):
    # the student's first features in eval mode are the audit's: memory runs out there
    out_of_memory_in_eval_mode(monkeypatch, "student", "forward_features", 1)
    assert main(["train", *[arg for item in [*TINY, "run.epochs=3", "run.audit_every=1",
                                             f"run.out_dir={tmp_path}", "run.name=oom"]
                            for arg in ("--set", item)]]) == 1
    (paragraph,) = reported(tmp_path / "oom", capsys)
    assert paragraph.startswith(
        "Failed before its first checkpoint: oom (before epoch 1 of 3): out of memory "
        "(OutOfMemoryError) while auditing the untrained networks; nothing was saved")


def untrained_audit_not_written(path: Path) -> Path:
    """A run folder of 5 epochs, audited every 2, as train leaves it before its audit of the
    untrained networks ends: no epoch, and audit.jsonl empty."""
    fake_run(path, epochs=0)
    config = json.loads((path / "config.json").read_text())
    config["run"]["audit_every"] = 2
    (path / "config.json").write_text(json.dumps(config))
    (path / "audit.jsonl").write_text("")
    return path


def test_a_run_still_in_its_untrained_audit_has_not_ended_it(tmp_path, capsys):
    run = untrained_audit_not_written(tmp_path / "run")
    with lock_held_by_another_process(run / LOCK_FILE):
        assert reported(run, capsys) == [
            "Still training: run (before epoch 1 of 5: its audit of the untrained networks has "
            f"not ended). {STILL}"]


def test_without_audit_jsonl_or_an_audit_the_report_cannot_tell_and_says_in_epoch_1(tmp_path,
                                                                                    capsys):
    # audit.jsonl deleted: what it held is not known; a run that does not audit has no such step
    deleted = untrained_audit_not_written(tmp_path / "deleted")
    (deleted / "audit.jsonl").unlink()
    plain = fake_run(tmp_path / "plain", epochs=0, audited=False)  # run.audit_every 0
    for run in (deleted, plain):
        assert reported(run, capsys) == [
            f"Stopped before its first checkpoint: {run.name} (in epoch 1 of 5). {NO_CHECKPOINT}"]
