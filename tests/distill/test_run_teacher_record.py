"""A run folder records the teacher it was distilled from (summary.json's ``teacher_used``), and
``load_run_teacher`` gives that teacher back: the walk of t-350 (finding 2) re-audited a run with
``next(Path("runs").glob("teacher-digits-*"))``, any of the three cached digits teachers, whose
layer-2 Red was 1.228, 1.461 or 1.482."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
import torch
from tiny_runs import tiny

from pidkit_distill import load_dataset, load_run_teacher, load_student, train
from pidkit_distill.config import TrainConfig
from pidkit_distill.config_text import apply_overrides
from pidkit_distill.training import load_teacher

DIGITS = ["data.name=digits", "teacher.source=trained", "run.epochs=1", "run.audit_every=0",
          "run.progress=false", "run.threads=1", "run.device=cpu"]


def digits(out_dir: Path, *extra: str) -> TrainConfig:
    return apply_overrides(TrainConfig(), [*DIGITS, f"run.out_dir={out_dir}", *extra])


def summary_of(run_dir: Path) -> dict:
    return json.loads((run_dir / "summary.json").read_text())


def outputs(net: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return net(x)


@pytest.fixture(scope="module")
def two_teachers(tmp_path_factory):
    """Two digits runs in one run.out_dir, distilled from two cached teachers (1 and 2 epochs)."""
    out = tmp_path_factory.mktemp("runs")
    runs = {epochs: train(digits(out, f"teacher.epochs={epochs}", f"run.name=e{epochs}")).run_dir
            for epochs in (1, 2)}
    return out, runs


def test_a_run_records_the_cached_teacher_it_was_distilled_from(two_teachers):
    out, runs = two_teachers
    folders = sorted(out.glob("teacher-digits-*"))
    assert len(folders) == 2  # what the docs' glob chose from
    for epochs, run_dir in runs.items():
        folder, = (f for f in folders if f"-e{epochs}-" in f.name)
        file = folder / "teacher.pt"
        assert summary_of(run_dir)["teacher_used"] == {
            "source": "trained", "model": "digits-teacher", "num_classes": 10, "in_channels": 1,
            "file": os.path.realpath(file), "file_from_run": f"../{folder.name}/teacher.pt",
            "sha256": hashlib.sha256(file.read_bytes()).hexdigest(),
            "cache_key": folder.name.rsplit("-", 1)[1]}


def test_load_run_teacher_gives_each_run_its_own_teacher(two_teachers):
    out, runs = two_teachers
    x = torch.stack([load_dataset("digits").test[i][0] for i in range(32)])
    given = {epochs: outputs(load_run_teacher(run_dir), x) for epochs, run_dir in runs.items()}
    for epochs in runs:
        folder, = out.glob(f"teacher-digits-*-e{epochs}-*")
        assert torch.equal(given[epochs], outputs(load_student(folder), x))  # the cached teacher
    assert not torch.allclose(given[1], given[2])  # the two teachers differ
    teacher = load_run_teacher(runs[1])
    assert not teacher.training and not any(p.requires_grad for p in teacher.parameters())
    with pytest.raises(ValueError, match=r"is a teacher's own run folder, distilled from no "
                                         r"teacher; load_student\(run_dir\) gives the teacher"):
        load_run_teacher(folder)


def test_a_resumed_run_keeps_its_record_and_a_moved_out_dir_finds_its_teacher(tmp_path):
    first = train(digits(tmp_path / "runs", "teacher.epochs=1", "run.epochs=2", "run.stop_after=1",
                         "run.name=r"))
    record = summary_of(first.run_dir)["teacher_used"]
    resumed = train(digits(tmp_path / "runs", "teacher.epochs=1", "run.epochs=2", "run.name=r",
                           "run.resume=true"))
    assert resumed.epochs_done == 2 and summary_of(resumed.run_dir)["teacher_used"] == record
    x = torch.stack([load_dataset("digits").test[i][0] for i in range(8)])
    before = outputs(load_run_teacher(resumed.run_dir), x)
    shutil.move(tmp_path / "runs", tmp_path / "moved")  # its cached teacher moved with it
    assert torch.equal(outputs(load_run_teacher(tmp_path / "moved" / "r"), x), before)


def test_an_untrained_teacher_is_recorded_by_its_seed(tmp_path):
    config = tiny(tmp_path, "run.epochs=1", "teacher.seed=7", "run.name=u")
    summary = train(config)
    assert summary_of(summary.run_dir)["teacher_used"] == {
        "source": "untrained", "model": "synthetic-teacher", "num_classes": 4, "in_channels": 12,
        "seed": 7}
    bundle = load_dataset("synthetic", n_train=96, n_test=64, dim=12, nuisance_bits=2)
    x = torch.stack([bundle.test[i][0] for i in range(16)])
    assert torch.equal(outputs(load_run_teacher(summary), x),
                       outputs(load_teacher(config, bundle=bundle), x))


def test_a_teacher_file_is_recorded_and_refused_once_replaced(tmp_path):
    untrained = train(tiny(tmp_path, "run.epochs=1", "run.name=u"))
    teacher_file = tmp_path / "mine.pt"
    torch.save(load_run_teacher(untrained).state_dict(), teacher_file)
    run_dir = train(tiny(tmp_path, "run.epochs=1", "run.name=f",
                         f"teacher.source={teacher_file}")).run_dir
    record = summary_of(run_dir)["teacher_used"]
    assert (record["source"], record["file"], record["file_from_run"]) == (
        "file", os.path.realpath(teacher_file), "../mine.pt")
    load_run_teacher(run_dir)
    weights = torch.load(teacher_file)
    next(iter(weights.values())).add_(1.0)  # another teacher in the same file
    torch.save(weights, teacher_file)
    with pytest.raises(ValueError) as replaced:
        load_run_teacher(run_dir)
    assert str(replaced.value) == (
        f"run_dir {str(run_dir)!r}: the teacher file {str(run_dir / '../mine.pt')!r} is not the "
        "one the run was distilled from (its SHA-256 differs from the one the run recorded: the "
        "teacher was trained again or the file replaced since); restore the file the run read, "
        "or train the run again")
    teacher_file.unlink()
    with pytest.raises(ValueError, match=r"the teacher file the run was distilled from, "
                                         r"'.*mine\.pt', is gone \(deleted, or moved"):
        load_run_teacher(run_dir)


def test_a_folder_without_the_record_is_refused_clearly(tmp_path):
    run_dir = train(tiny(tmp_path, "run.epochs=1", "run.name=old")).run_dir
    summary = summary_of(run_dir)
    del summary["teacher_used"]  # as a version before this one wrote it
    (run_dir / "summary.json").write_text(json.dumps(summary))
    unknown = (
        f"run_dir {str(run_dir)!r}: its summary.json does not record the teacher the run was "
        "distilled from (no 'teacher_used'): it was written by a version before runs recorded "
        "it, or its first train was interrupted and the resume that ended it found another "
        "teacher than the checkpoint's in the file teacher.source names; ")
    with pytest.raises(ValueError) as old:
        load_run_teacher(run_dir)
    assert str(old.value) == unknown + (
        "rerun the run's train command with --resume (run.resume=true; a complete run trains no "
        "epoch again), which records it where the file teacher.source names holds the "
        "checkpoint's teacher, or load the teacher you know it used "
        "(load_student(TEACHER_RUN_DIR) for a teacher's run folder)")
    (run_dir / "checkpoint.pt").rename(tmp_path / "checkpoint.pt")
    with pytest.raises(ValueError) as old:
        load_run_teacher(run_dir)
    assert str(old.value) == unknown + (
        "train the run again to have it recorded, or load the teacher you know it used "
        "(load_student(TEACHER_RUN_DIR) for a teacher's run folder)")
    (tmp_path / "checkpoint.pt").rename(run_dir / "checkpoint.pt")
    resumed = train(tiny(tmp_path, "run.epochs=1", "run.name=old", "run.resume=true"))
    assert resumed.epochs_done == 1 and summary_of(run_dir)["teacher_used"]["seed"] == 0
    load_run_teacher(run_dir)  # as the message says
    (run_dir / "summary.json").unlink()
    with pytest.raises(ValueError, match=r"holds no summary\.json .*: its train has not ended"):
        load_run_teacher(run_dir)
    with pytest.raises(ValueError, match="missing' does not exist; pass a run folder"):
        load_run_teacher(tmp_path / "missing")
    with pytest.raises(TypeError, match=r"got 3 \(int\)$"):
        load_run_teacher(3)


def test_a_report_folder_and_a_folder_of_runs_are_named_as_such(tmp_path):
    # the walk of t-361 (finding 5): both were told first that their train had not ended
    for name in ("a", "b", "c"):
        train(tiny(tmp_path / "runs", "run.epochs=1", f"run.name={name}"))
    report = tmp_path / "rep"
    report.mkdir()
    (report / "report.md").write_text("# report\n")
    (report / "accuracy.png").write_bytes(b"")
    with pytest.raises(ValueError) as refused:
        load_run_teacher(report)
    assert str(refused.value) == (
        f"run_dir {str(report)!r} is a report's folder (report.md and its figures), written by "
        "`pidkit-distill report`; pass the folder of one of the runs it reports on")
    runs = tmp_path / "runs"
    with pytest.raises(ValueError) as refused:
        load_run_teacher(runs)
    assert str(refused.value) == (
        f"run_dir {str(runs)!r} is a folder of run folders ({str(runs / 'a')!r}, "
        f"{str(runs / 'b')!r} and 1 more), not a run folder; pass one of them")
    load_run_teacher(runs / "a")  # as it says


def test_a_run_that_failed_before_training_says_no_teacher_was_used(tmp_path):
    # the walk of t-361 (finding 6), in the format of test_failure_before_training
    run_dir = tmp_path / "early"
    run_dir.mkdir()
    failed = {"message": "out of memory (MemoryError) while loading data set 'digits'",
              "hint": "free memory", "before_training": True}
    (run_dir / "summary.json").write_text(json.dumps({"failed": failed}))
    with pytest.raises(ValueError) as refused:
        load_run_teacher(run_dir)
    assert str(refused.value) == (
        f"run_dir {str(run_dir)!r}: the run failed before training started (summary.json "
        "failed.before_training), so no teacher was used: out of memory (MemoryError) while "
        "loading data set 'digits'; do what its error says, rerun its command, then call "
        "load_run_teacher again")
    # a resume that failed before training, of a run that trained (before runs recorded it)
    (run_dir / "summary.json").write_text(json.dumps({"epochs_done": 1, "failed": failed}))
    with pytest.raises(ValueError, match="does not record the teacher the run was distilled"):
        load_run_teacher(run_dir)
