"""The training loop: exact resume, DDP equivalence, schedules, phases, files on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from torch import nn

from pidkit_distill import trainer
from pidkit_distill.config import TrainConfig, apply_overrides, config_to_dict
from pidkit_distill.models import build_model

TINY = [
    "data.name=synthetic",
    "data.options.n_train=96",
    "data.options.n_test=64",
    "data.options.dim=12",
    "data.options.nuisance_bits=2",
    "data.batch_size=32",
    "model.teacher=synthetic-teacher",
    "model.student=synthetic-student",
    "teacher.source=untrained",
    "run.audit_every=0",
    "run.progress=false",
    "run.threads=1",
    "run.device=cpu",
]

RID = [
    "method.name=rid",
    "method.params.warmup_epochs=1",
    "method.params.cycle_epochs=2",
    "method.params.filter_ratio=0.5",
    "method.params.reduction=mean",
]


def tiny(tmp_path: Path, *extra: str) -> TrainConfig:
    return apply_overrides(TrainConfig(), [*TINY, f"run.out_dir={tmp_path}", *extra])


def comparable(history):
    return [{k: v for k, v in rec.items() if k != "time_s"} for rec in history]


def student_state(run_dir: Path) -> dict[str, torch.Tensor]:
    return torch.load(run_dir / "checkpoint.pt", map_location="cpu", weights_only=False)["student"]


def test_resume_after_a_kill_matches_an_uninterrupted_run(tmp_path):
    extra = [*RID, "run.epochs=5", "optim.milestones=[0.4]"]
    full = trainer.train(tiny(tmp_path, *extra, "run.name=full"))
    # "kill" after 2 epochs, then resume to the end in a new call
    part = trainer.train(tiny(tmp_path, *extra, "run.name=part", "run.stop_after=2"))
    assert part.epochs_done == 2 and len(part.history) == 2
    resumed = trainer.train(tiny(tmp_path, *extra, "run.name=part", "run.resume=true"))
    assert resumed.epochs_done == 5
    assert [r["phase"] for r in full.history] == ["filter", "filter", "student", "filter",
                                                  "student"]
    assert comparable(resumed.history) == comparable(full.history)
    assert (resumed.last_acc, resumed.best_acc, resumed.best_epoch) == (
        full.last_acc, full.best_acc, full.best_epoch)
    a, b = student_state(full.run_dir), student_state(resumed.run_dir)
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    lines = (resumed.run_dir / "metrics.jsonl").read_text().splitlines()
    assert comparable([json.loads(line) for line in lines]) == comparable(full.history)


def test_resume_refuses_a_changed_config(tmp_path):
    trainer.train(tiny(tmp_path, "run.epochs=2", "run.stop_after=1", "run.name=r"))
    with pytest.raises(ValueError, match=r"configuration changed \(optim.lr: 0.05 -> 0.1\)"):
        trainer.train(tiny(tmp_path, "run.epochs=2", "run.name=r", "run.resume=true",
                           "optim.lr=0.1"))
    with pytest.raises(ValueError, match=r"already holds a checkpoint; pass run\.resume=true"):
        trainer.train(tiny(tmp_path, "run.epochs=2", "run.name=r"))


def test_run_folder_holds_config_metrics_and_summary(tmp_path):
    cfg = tiny(tmp_path, "run.epochs=3", "run.name=files", "optim.milestone_unit=epoch",
               "optim.milestones=[1, 2]", "optim.gamma=0.5")
    summary = trainer.train(cfg)
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
    assert not list(run_dir.glob("*.tmp"))  # atomic writes leave no temporary files


def test_only_the_phase_optimizer_steps(tmp_path):
    # one warm-up epoch of RID trains the teacher filters only: the student must not move
    cfg = tiny(tmp_path, *RID, "run.epochs=1", "run.name=warmup")
    torch.manual_seed(cfg.run.seed)
    fresh = build_model("synthetic-student", num_classes=4, in_channels=12).state_dict()
    trainer.train(cfg)
    saved = torch.load(tmp_path / "warmup" / "checkpoint.pt", weights_only=False)
    assert all(torch.equal(fresh[k], saved["student"][k]) for k in fresh)
    filt = {k: v for k, v in saved["module"].items() if k.startswith("teacher_filters")}
    assert filt and saved["optimizers"]["filter"]["state"]  # the filter optimizer stepped
    assert not saved["optimizers"]["student"]["state"]  # the student optimizer never did


def test_schedules():
    cfg = apply_overrides(TrainConfig(), ["run.epochs=300"])
    param = nn.Parameter(torch.zeros(1))

    def lrs(cfg, group, n_groups, epochs=(0, 149, 150, 199, 200, 299)):
        opt = trainer._make_optimizer([param], cfg, group)
        sched = trainer._make_scheduler(opt, cfg, group, n_groups)
        out = {}
        for epoch in range(300):
            if epoch in epochs:
                out[epoch] = opt.param_groups[0]["lr"]
            opt.step()
            sched.step()
        return [out[e] for e in epochs]

    assert lrs(cfg, "student", 1) == pytest.approx([0.05, 0.05, 0.01, 0.01, 0.002, 0.002])
    eff = apply_overrides(cfg, ["optim.schedule=kd-rid-effective"])
    # KD-RID-NOTES §1.4: LambdaLR multiplies the base lr by the lambda's value (0.05 * 0.05)
    assert lrs(eff, "student", 1) == pytest.approx([0.0025, 0.0025, 5e-4, 5e-4, 1e-4, 1e-4])
    # manual optimisation (several groups): the scheduler is never stepped
    assert lrs(eff, "student", 2) == pytest.approx([0.0025] * 6)
    assert lrs(eff, "filter", 2) == pytest.approx([0.05] * 6)
    const = apply_overrides(cfg, ["optim.schedule=constant"])
    assert lrs(const, "student", 1) == pytest.approx([0.05] * 6)


def test_teacher_training_is_cached_and_loadable(tmp_path):
    cfg = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1", "run.epochs=1",
               "run.name=tt")
    path = trainer.train_teacher(cfg)
    mtime = path.stat().st_mtime_ns
    summary = trainer.train(cfg)  # reuses the cached teacher
    assert path.stat().st_mtime_ns == mtime
    saved = torch.load(path, weights_only=False)
    assert saved["name"] == "synthetic-teacher"
    assert summary.teacher_acc == pytest.approx(saved["test_acc"])
    by_path = trainer.train(tiny(tmp_path, f"teacher.source={path}", "run.epochs=1",
                                 "run.name=tp"))
    assert by_path.teacher_acc == summary.teacher_acc
    with pytest.raises(ValueError, match="neither 'trained', 'untrained' nor an existing file"):
        trainer.train(tiny(tmp_path, "teacher.source=/nonexistent.pt", "run.name=bad"))


def test_audit_records_are_written_during_training(tmp_path):
    summary = trainer.train(tiny(tmp_path, "run.epochs=3", "run.audit_every=2",
                                 "audit.layers=[2]", "audit.clusters=3",
                                 "audit.pca_components=2", "run.name=audited"))
    records = [json.loads(x) for x in
               (summary.run_dir / "audit.jsonl").read_text().splitlines()]
    # before training, every audit_every epochs, and at the end
    assert [(r["epoch"], r["layer"]) for r in records] == [(0, 2), (2, 2), (3, 2)]
    assert all(r["n_samples"] == 64 and r["run"] == "audited" for r in records)


# --- DDP -------------------------------------------------------------------------------------
# BatchNorm statistics are per process in DDP (no SyncBatchNorm on CPU), so the comparison
# uses the synthetic MLPs with their BatchNorm layers replaced by identities.


def no_bn_build(name: str, **kw) -> nn.Module:
    model = build_model(name, **kw)
    for block in model.blocks:
        block[1] = nn.Identity()
    return model


DDP_SCRIPT = textwrap.dedent("""
    import json, os, sys
    import torch
    sys.path.insert(0, {tests!r})
    import test_trainer
    from pidkit_distill import trainer
    trainer.build_model = test_trainer.no_bn_build
    cfg = test_trainer.tiny(__import__("pathlib").Path({out!r}), *{extra!r})
    summary = trainer.train(cfg)
    if os.environ["RANK"] == "0":
        state = torch.load(summary.run_dir / "checkpoint.pt", weights_only=False)["student"]
        torch.save({{"history": summary.history, "student": state}}, {result!r})
""")


def test_two_process_gloo_ddp_matches_one_process(tmp_path, monkeypatch):
    extra = ["method.name=bas", "run.epochs=2", "run.name=ddp"]
    script = tmp_path / "ddp_run.py"
    result = tmp_path / "ddp_result.pt"
    script.write_text(DDP_SCRIPT.format(tests=str(Path(__file__).parent),
                                        out=str(tmp_path / "ddp"), extra=extra,
                                        result=str(result)))
    env = {**os.environ, "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(Path(trainer.__file__).parents[1]),
                                          os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         str(script)], env=env, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    ddp = torch.load(result, weights_only=False)

    monkeypatch.setattr(trainer, "build_model", no_bn_build)
    single = trainer.train(tiny(tmp_path / "single", *extra))
    one = student_state(single.run_dir)
    assert len(ddp["history"]) == len(single.history) == 2
    for a, b in zip(ddp["history"], single.history, strict=True):
        for key in ("train_loss", "train_acc", "test_loss", "test_acc"):
            assert a[key] == pytest.approx(b[key], rel=1e-5, abs=1e-6), key
    assert all(torch.allclose(ddp["student"][k], one[k], atol=1e-5) for k in one)


def test_amp_on_cpu_warns_and_changes_nothing(tmp_path):
    plain = trainer.train(tiny(tmp_path, "run.epochs=1", "run.name=fp32"))
    with pytest.warns(RuntimeWarning, match="run.amp=true has no effect on CPU"):
        amp = trainer.train(tiny(tmp_path, "run.epochs=1", "run.name=amp", "run.amp=true"))
    assert comparable(amp.history) == comparable(plain.history)


def test_nuisance_teacher_trained_on_other_labels(tmp_path):
    # Theorem 3.1's teacher: trained to predict (Y, G), so it must encode the nuisance G
    cfg = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1", "run.epochs=1",
               "teacher.data_options.target=joint", "method.name=vid", "run.name=joint")
    summary = trainer.train(cfg)
    path = trainer.train_teacher(cfg)
    saved = torch.load(path, weights_only=False)
    assert saved["num_classes"] == 4 * 2**2  # Y has 4 classes, G 2 bits
    assert saved["config"]["data"]["options"]["target"] == "joint"
    assert summary.teacher_acc is None  # its predictions are not labels of the student's task
    plain = trainer.train_teacher(tiny(tmp_path, "teacher.epochs=1"))
    assert plain != path and torch.load(plain, weights_only=False)["num_classes"] == 4


def test_ted_starts_from_the_trained_bas_student(tmp_path):
    cfg = tiny(tmp_path, "method.name=ted", "method.params.stage1_epochs=1", "run.epochs=1",
               "run.name=ted")
    trainer.train(cfg)
    bas = student_state(tmp_path / "ted.bas-init")
    # TED's stage 1 trains only the filters (student frozen in eval mode), so after one stage-1
    # epoch TED's student is still exactly the BAS student it started from
    ted = student_state(tmp_path / "ted")
    assert all(torch.equal(bas[k], ted[k]) for k in bas)
    init_record = json.loads((tmp_path / "ted.bas-init" / "config.json").read_text())
    assert init_record["method"]["name"] == "bas" and init_record["run"]["epochs"] == 1
    torch.manual_seed(cfg.run.seed)  # the BAS run's initial student
    fresh = build_model("synthetic-student", num_classes=4, in_channels=12).state_dict()
    assert not torch.equal(bas["fc.weight"], fresh["fc.weight"])  # and BAS did train it
