"""The training loop: exact resume (also of a moved run folder), files on disk, phases,
schedules, teachers, the audit hook, durable checkpoints."""

from __future__ import annotations

import json
import os
import shutil

import pytest
import torch
from tiny_runs import RID, comparable, student_state, tiny
from torch import nn

from pidkit_distill import atomic_files
from pidkit_distill.config import TrainConfig, config_to_dict
from pidkit_distill.config_text import apply_overrides
from pidkit_distill.models import build_model
from pidkit_distill.training import check_config, checkpoint, train, train_teacher
from pidkit_distill.training.checkpoint import read_checkpoint
from pidkit_distill.training.optim import make_optimizer, make_scheduler


def test_resume_after_a_stop_matches_an_uninterrupted_run(tmp_path):
    extra = [*RID, "run.epochs=6", "optim.milestones=[0.4]"]
    full = train(tiny(tmp_path, *extra, "run.name=full"))
    part = train(tiny(tmp_path, *extra, "run.name=part", "run.stop_after=2"))
    assert part.epochs_done == 2 and len(part.history) == 2
    resumed = train(tiny(tmp_path, *extra, "run.name=part", "run.resume=true"))
    assert resumed.epochs_done == 6
    assert [r["phase"] for r in full.history] == ["filter", "filter", "student", "student",
                                                  "student", "filter"]
    assert comparable(resumed.history) == comparable(full.history)
    assert (resumed.last_acc, resumed.best_acc, resumed.best_epoch) == (
        full.last_acc, full.best_acc, full.best_epoch)
    a, b = student_state(full.run_dir), student_state(resumed.run_dir)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    lines = (resumed.run_dir / "metrics.jsonl").read_text().splitlines()
    assert comparable([json.loads(line) for line in lines]) == comparable(full.history)


def test_a_moved_and_renamed_run_folder_resumes(tmp_path):
    # a trained teacher and TED's BAS student live next to the original folder; after the move
    # neither is there, and the resumed run takes every weight from its own checkpoint
    extra = ["method.name=ted", "method.params.stage1_epochs=1", "teacher.source=trained",
             "teacher.epochs=1", "run.epochs=3"]
    full = train(tiny(tmp_path / "a", *extra, "run.name=full"))
    train(tiny(tmp_path / "b", *extra, "run.name=part", "run.stop_after=2"))
    shutil.move(tmp_path / "b" / "part", tmp_path / "elsewhere")
    shutil.rmtree(tmp_path / "b")
    resumed = train(tiny(tmp_path, *extra, "run.name=elsewhere", "run.resume=true"))
    assert comparable(resumed.history) == comparable(full.history)
    a, b = student_state(full.run_dir), student_state(resumed.run_dir)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not (tmp_path / "b").exists()  # nothing was trained again in the old place
    assert json.loads((tmp_path / "elsewhere" / "config.json").read_text())["run"]["name"] == \
        "elsewhere"


def test_resume_refuses_a_changed_config(tmp_path):
    train(tiny(tmp_path, "run.epochs=2", "run.stop_after=1", "run.name=r"))
    with pytest.raises(ValueError, match=r"configuration changed \(optim.lr: 0.05 -> 0.1\)"):
        train(tiny(tmp_path, "run.epochs=2", "run.name=r", "run.resume=true", "optim.lr=0.1"))
    with pytest.raises(ValueError, match=r"already holds a checkpoint; pass run\.resume=true"):
        train(tiny(tmp_path, "run.epochs=2", "run.name=r"))


def test_a_run_folder_given_as_out_dir_is_refused(tmp_path):
    # '--out-dir runs/r' meaning the run runs/r put a new run inside it, runs/r/synthetic-...
    train(tiny(tmp_path, "run.epochs=2", "run.stop_after=1", "run.name=r"))
    inside = tiny(tmp_path / "r", "run.epochs=2")
    with pytest.raises(ValueError) as error:
        check_config(inside)
    assert str(error.value) == (
        f"run.out_dir: '{tmp_path / 'r'}' is itself a run folder (it holds config.json and "
        "metrics.jsonl), not a folder of run folders: the run would go into "
        f"'{tmp_path / 'r' / 'synthetic-bas-ut-s0'}'; to continue that run pass --out-dir "
        f"{tmp_path} --run.name r --resume, or choose another run.out_dir")
    assert sorted(p.name for p in (tmp_path / "r").iterdir() if p.is_dir()) == []
    assert check_config(tiny(tmp_path, "run.epochs=2", "run.name=r", "run.resume=true")).resume


def test_a_folder_of_runs_with_a_config_and_metrics_of_its_own_is_not_a_run(tmp_path):
    # a folder of experiments with the user's own config.json and metrics.jsonl (a sweep's
    # settings, collected results) was taken for a run folder and refused as run.out_dir
    (tmp_path / "config.json").write_text('{"sweep": ["kd", "rid"]}\n')
    (tmp_path / "metrics.jsonl").write_text('{"run": "old", "acc": 0.9}\n')
    (tmp_path / "old").mkdir()
    checked = check_config(tiny(tmp_path, "run.epochs=2"))
    assert checked.run_dir == tmp_path / "synthetic-bas-ut-s0" and not checked.resume


def test_run_folder_holds_config_metrics_and_summary(tmp_path):
    cfg = tiny(tmp_path, "run.epochs=3", "run.name=files", "optim.milestone_unit=epoch",
               "optim.milestones=[1, 2]", "optim.gamma=0.5")
    summary = train(cfg)
    run_dir = tmp_path / "files"
    assert summary.run_dir == run_dir
    assert json.loads((run_dir / "config.json").read_text()) == config_to_dict(cfg)
    records = [json.loads(x) for x in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records] == [1, 2, 3]
    # MultiStepLR stepped by us once per epoch: 0.05, then halved at epochs 1 and 2
    assert [r["lr"]["student"] for r in records] == pytest.approx([0.05, 0.025, 0.0125])
    assert summary.best_acc == max(r["test_acc"] for r in records)
    assert summary.last_acc == records[-1]["test_acc"]
    assert records[summary.best_epoch - 1]["test_acc"] == summary.best_acc
    saved = json.loads((run_dir / "summary.json").read_text())
    assert saved["last_acc"] == summary.last_acc and saved["epochs_done"] == 3
    assert saved["method_preset"] == "paper" and saved["method_params"] == {}
    assert not list(run_dir.glob("*.tmp"))  # atomic writes leave no temporary files
    saved = read_checkpoint(run_dir / "checkpoint.pt")
    assert saved["format"] == 2 and saved["epoch"] == 3


def test_summary_records_the_schedule_the_run_used(tmp_path):
    summary = train(tiny(tmp_path, "method.name=rid", "run.epochs=2", "run.name=scaled"))
    saved = json.loads((summary.run_dir / "summary.json").read_text())
    # rid's paper-mean preset at 2 epochs: no warm-up, cycles of 4 with one phase-1 epoch
    assert saved["method_preset"] == "paper-mean"
    assert (saved["method_params"]["warmup_epochs"], saved["method_params"]["cycle_epochs"]) == \
        (0, 4)
    assert [r["phase"] for r in summary.history] == ["filter", "student"]


def test_only_the_phase_optimizer_steps(tmp_path):
    # one warm-up epoch of RID trains the teacher filters only: the student must not move
    cfg = tiny(tmp_path, *RID, "run.epochs=6", "run.stop_after=1", "run.name=warmup")
    torch.manual_seed(cfg.run.seed)
    fresh = build_model("synthetic-student", num_classes=4, in_channels=12).state_dict()
    train(cfg)
    saved = read_checkpoint(tmp_path / "warmup" / "checkpoint.pt")
    assert all(torch.equal(fresh[k], saved["student"][k]) for k in fresh)
    filt = {k: v for k, v in saved["module"].items() if k.startswith("teacher_filters")}
    assert filt and saved["optimizers"]["filter"]["state"]  # the filter optimizer stepped
    assert not saved["optimizers"]["student"]["state"]  # the student optimizer never did


def test_schedules():
    cfg = apply_overrides(TrainConfig(), ["run.epochs=300"])
    param = nn.Parameter(torch.zeros(1))

    def lrs(cfg, group, n_groups, epochs=(0, 149, 150, 199, 200, 299)):
        opt = make_optimizer([param], cfg, group)
        sched = make_scheduler(opt, cfg, group, n_groups)
        out = {}
        for epoch in range(300):
            if epoch in epochs:
                out[epoch] = opt.param_groups[0]["lr"]
            opt.step()
            sched.step()
        return [out[e] for e in epochs]

    assert lrs(cfg, "student", 1) == pytest.approx([0.05, 0.05, 0.01, 0.01, 0.002, 0.002])
    eff = apply_overrides(cfg, ["optim.schedule=kd-rid-effective"])
    # kd-rid's LambdaLR multiplies the base lr by the lambda's value (0.05 * 0.05)
    assert lrs(eff, "student", 1) == pytest.approx([0.0025, 0.0025, 5e-4, 5e-4, 1e-4, 1e-4])
    # manual optimisation (several groups): the scheduler is never stepped
    assert lrs(eff, "student", 2) == pytest.approx([0.0025] * 6)
    assert lrs(eff, "filter", 2) == pytest.approx([0.05] * 6)
    const = apply_overrides(cfg, ["optim.schedule=constant"])
    assert lrs(const, "student", 1) == pytest.approx([0.05] * 6)


@pytest.mark.parametrize(("overrides", "expected"), [
    # both default milestones (1/2, 2/3) round to epoch 1 of a 2-epoch run: two decays there
    (["run.epochs=2"], [0.05, 0.05 * 0.2 * 0.2]),
    (["run.epochs=3", "optim.milestone_unit=epoch", "optim.milestones=[2, 2]"],
     [0.05, 0.05, 0.05 * 0.04]),
    (["run.epochs=3"], [0.05, 0.05, 0.05 * 0.04]),  # 1.5 and 2 both round to epoch 2
    (["run.epochs=4"], [0.05, 0.05, 0.05 * 0.2, 0.05 * 0.04]),  # epochs 2 and 3
    # 1/2 and 2/3 of one epoch round to 0 and 1: epoch 0 would start decayed; both are epoch 1
    (["run.epochs=1"], [0.05]),
    (["run.epochs=2", "optim.milestones=[0.2]"], [0.05, 0.05 * 0.2]),  # 0.4 rounds to epoch 1
])
def test_milestones_on_the_same_epoch_each_decay(overrides, expected):
    cfg = apply_overrides(TrainConfig(), overrides)
    opt = make_optimizer([nn.Parameter(torch.zeros(1))], cfg, "student")
    sched = make_scheduler(opt, cfg, "student", 1)
    lrs = []
    for _ in range(cfg.run.epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs == pytest.approx(expected)


def test_teacher_training_is_cached_and_loadable(tmp_path):
    cfg = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1", "run.epochs=1",
               "run.name=tt")
    path = train_teacher(cfg)
    mtime = path.stat().st_mtime_ns
    summary = train(cfg)  # reuses the cached teacher
    assert path.stat().st_mtime_ns == mtime
    saved = read_checkpoint.__globals__["safe_load"](path, what="teacher", holds="a teacher")
    assert saved["name"] == "synthetic-teacher"
    assert summary.teacher_acc == pytest.approx(saved["test_acc"])
    by_path = train(tiny(tmp_path, f"teacher.source={path}", "run.epochs=1", "run.name=tp"))
    assert by_path.teacher_acc == summary.teacher_acc
    # a bare state dict (torch.save(model.state_dict())) is a teacher file too
    bare = tmp_path / "bare.pt"
    torch.save(saved["model"], bare)
    by_bare = train(tiny(tmp_path, f"teacher.source={bare}", "run.epochs=1", "run.name=bare"))
    assert by_bare.teacher_acc == summary.teacher_acc


def test_audit_records_are_written_during_training(tmp_path, capsys):
    summary = train(tiny(tmp_path, "run.epochs=3", "run.audit_every=2", "audit.layers=[2]",
                         "audit.clusters=3", "audit.pca_components=2", "run.name=audited",
                         "run.progress=true"))
    records = [json.loads(x) for x in (summary.run_dir / "audit.jsonl").read_text().splitlines()]
    # before training, every audit_every epochs, and at the end
    assert [(r["epoch"], r["layer"]) for r in records] == [(0, 2), (2, 2), (3, 2)]
    assert all(r["n_samples"] == 64 and r["run"] == "audited" for r in records)
    # each audit's line comes under the line of the epoch it audits (it came before it)
    # (the note of audits that take most of the run, bd2bb940, speaks of epochs too)
    lines = [line.split(":")[0].split("/")[0] for line in capsys.readouterr().out.splitlines()
             if "epoch" in line and "resumed" not in line and not line.startswith("note:")]
    assert lines == ["  audit epoch 0 layer 2", "[bas] epoch 1", "[bas] epoch 2", "  audit epoch 2 layer 2",
                     "[bas] epoch 3", "  audit epoch 3 layer 2"]


def test_amp_on_cpu_warns_and_changes_nothing(tmp_path):
    plain = train(tiny(tmp_path, "run.epochs=1", "run.name=fp32"))
    with pytest.warns(RuntimeWarning, match="run.amp=true has no effect on CPU"):
        amp = train(tiny(tmp_path, "run.epochs=1", "run.name=amp", "run.amp=true"))
    assert comparable(amp.history) == comparable(plain.history)


def test_nuisance_teacher_trained_on_other_labels(tmp_path):
    # Theorem 3.1's teacher: trained to predict (Y, G), so it must encode the nuisance G
    cfg = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1", "run.epochs=1",
               "teacher.data_options.target=joint", "method.name=vid", "run.name=joint")
    summary = train(cfg)
    path = train_teacher(cfg)
    saved = read_checkpoint.__globals__["safe_load"](path, what="teacher", holds="a teacher")
    assert saved["num_classes"] == 4 * 2**2  # Y has 4 classes, G 2 bits
    assert saved["config"]["data"]["options"]["target"] == "joint"
    assert summary.teacher_acc is None  # its predictions are not labels of the student's task
    plain = train_teacher(tiny(tmp_path, "teacher.epochs=1"))
    assert plain != path
    assert read_checkpoint.__globals__["safe_load"](plain, what="t", holds="t")[
        "num_classes"] == 4


def test_ted_starts_from_the_trained_bas_student(tmp_path):
    cfg = tiny(tmp_path, "method.name=ted", "method.params.stage1_epochs=1", "run.epochs=2",
               "run.name=ted")
    train(cfg)
    bas = student_state(tmp_path / "ted.bas-init")
    init_record = json.loads((tmp_path / "ted.bas-init" / "config.json").read_text())
    assert init_record["method"]["name"] == "bas" and init_record["run"]["epochs"] == 2
    torch.manual_seed(cfg.run.seed)  # the BAS run's initial student
    fresh = build_model("synthetic-student", num_classes=4, in_channels=12).state_dict()
    assert not torch.equal(bas["fc.weight"], fresh["fc.weight"])  # BAS did train it
    # TED's stage 1 trains only the filters (student frozen in eval mode), so after it TED's
    # student is still exactly the BAS student it started from; stage 2 then moves it
    one = train(tiny(tmp_path, "method.name=ted", "method.params.stage1_epochs=1",
                     "run.epochs=2", "run.name=ted1", "run.stop_after=1"))
    assert one.history[0]["phase"] == "filter"
    ted = student_state(tmp_path / "ted1")
    assert all(torch.equal(bas[k], ted[k]) for k in bas)
    assert not torch.equal(student_state(tmp_path / "ted")["fc.weight"], bas["fc.weight"])


def test_checkpoints_are_fsynced_before_they_replace_the_old_one(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(atomic_files.os, "fsync", lambda fd: events.append("fsync") or
                        real_fsync(fd))
    monkeypatch.setattr(atomic_files.os, "replace", lambda a, b: events.append(
        ("replace", os.path.basename(b))) or real_replace(a, b))
    checkpoint.atomic_save({"w": torch.ones(1)}, tmp_path / "checkpoint.pt")
    # file data, then the rename, then the folder entry
    assert events == ["fsync", ("replace", "checkpoint.pt"), "fsync"]


def test_training_errors_survive_pickling_from_a_worker_process():
    # the demo trains in worker processes: a TrainingError (a diverged run) could not be
    # unpickled ("__init__() missing 1 required keyword-only argument: 'epoch'"), so the demo
    # said "BrokenProcessPool: A process in the process pool was terminated abruptly"
    import pickle
    from pathlib import Path

    from pidkit_distill.training import TrainingError, TrainingInterrupted

    for error in (TrainingError("the training loss became NaN or infinite", epoch=3, step=2,
                                n_steps=5, checkpoint=Path("x/checkpoint.pt"), epochs_saved=2,
                                hint="lower optim.lr"),
                  TrainingInterrupted(Path("x"), epoch=2, epochs_saved=1, resume=False)):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
        assert vars(copy) == vars(error) and copy.__notes__ == error.__notes__


def test_a_run_folder_given_as_out_dir_names_the_student_s_folder_not_its_teacher_s(tmp_path):
    # with a teacher to train first the refusal came from the teacher's cache folder and said
    # the run would go into '.../r/teacher-synthetic-...', a folder the user never named
    train(tiny(tmp_path, "run.epochs=2", "run.stop_after=1", "run.name=r"))
    inside = tiny(tmp_path / "r", "run.epochs=2", "teacher.source=trained", "teacher.epochs=1")
    with pytest.raises(ValueError, match=r"the run would go into '([^']*)'") as error:
        check_config(inside)
    assert error.value.args[0].count("teacher") == 0
    assert f"the run would go into '{tmp_path / 'r' / 'synthetic-bas-tt-s0'}'" in str(error.value)
