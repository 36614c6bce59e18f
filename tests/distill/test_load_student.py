"""load_student: a run folder's trained student back as a model, in one call, with one-line
errors for a folder that holds none."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import warnings
from pathlib import Path

import pytest
import torch
from test_checks import planted_run_folders
from tiny_runs import tiny

import pidkit_distill
from pidkit_distill import load_student, register_model, tap_features
from pidkit_distill.config import config_from_dict, config_to_dict
from pidkit_distill.config_text import apply_overrides
from pidkit_distill.data import describe_dataset, load_dataset
from pidkit_distill.devices import no_cuda
from pidkit_distill.models import TappedModel
from pidkit_distill.models.registry import _MODELS
from pidkit_distill.training import evaluate, train, train_teacher
from pidkit_distill.training.checkpoint import atomic_save, read_checkpoint
from pidkit_distill.training.loaders import eval_loader
from pidkit_distill.training.rundir import run_folder_lock
from pidkit_distill.training.runtime import Runtime
from pidkit_distill.training.sync_bn import SyncBatchNorm2d, convert_sync_batchnorm


@pytest.fixture(autouse=True)
def _registries(monkeypatch):
    """Registrations made by a test end with it."""
    monkeypatch.setattr(_MODELS, "_entries", dict(_MODELS._entries))


@pytest.fixture(scope="module")
def digits_rid(tmp_path_factory) -> Path:
    """A digits RID run of two epochs (as `pidkit-distill train --data.name digits --method.name
    rid`, made small): its run folder."""
    config = apply_overrides(pidkit_distill.TrainConfig(), [
        "data.name=digits", "data.options.train_fraction=0.1", "method.name=rid",
        "teacher.source=untrained", "run.epochs=2",
        "run.audit_every=0", "run.progress=false", "run.threads=1", "run.device=cpu",
        f"run.out_dir={tmp_path_factory.mktemp('runs')}"])
    return train(config).run_dir


def _accuracy(model: torch.nn.Module, run_dir: Path) -> float:
    """The held-out accuracy of ``model`` on the run's data, as the trainer measures it."""
    config = config_from_dict(json.loads((run_dir / "config.json").read_text()))
    bundle = load_dataset(config.data.name, seed=config.data.seed, **config.data.options)
    test = eval_loader(bundle.test, config, Runtime.single())
    return evaluate(model, test, device=torch.device("cpu"))["acc"]


def test_the_student_of_a_digits_rid_run_has_the_runs_last_accuracy(digits_rid):
    student = load_student(digits_rid)
    summary = json.loads((digits_rid / "summary.json").read_text())
    assert type(student).__name__ == "SmallCNN" and not student.training
    assert student.layer_channels == (8, 16, 32)
    assert _accuracy(student, digits_rid) == summary["last_acc"]
    saved = read_checkpoint(digits_rid / "checkpoint.pt")["student"]
    assert all(torch.equal(student.state_dict()[k], v) for k, v in saved.items())


def test_a_bytes_path_is_a_path_as_load_runs_takes_it(digits_rid):
    # load_student(b"runs/x") was "TypeError: run_dir must be the path of a run folder (a str or
    # Path); got bytes" while load_runs and write_report took bytes (os.fsdecode)
    by_bytes = load_student(os.fsencode(digits_rid))
    by_str = load_student(str(digits_rid))
    assert all(torch.equal(by_bytes.state_dict()[key], value)
               for key, value in by_str.state_dict().items())
    with pytest.raises(ValueError, match=r"^run_dir '.*nope' does not exist"):
        load_student(os.fsencode(digits_rid.parent / "nope"))


def test_loading_leaves_the_callers_random_streams(digits_rid):
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    load_student(str(digits_rid))
    assert torch.equal(torch.rand(3), expected)


def test_the_sizes_the_trainer_records_are_the_datas(digits_rid):
    sizes = read_checkpoint(digits_rid / "checkpoint.pt")["sizes"]
    assert sizes == {"num_classes": 10, "input_shape": [1, 8, 8]}


def flat_mlp(*, num_classes: int, in_channels: int) -> TappedModel:
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(in_channels * 32 * 32, 6),
                              torch.nn.ReLU(), torch.nn.Linear(6, num_classes))
    return tap_features(net, layers=["2"])


@pytest.mark.parametrize(("student", "num_classes"), [("wrn-16-1", 100), ("own-flat", 10)])
def test_cifar_sizes_come_from_the_checkpoint_without_the_data_files(tmp_path, student,
                                                                      num_classes):
    # describe_dataset("cifar100") needs the CIFAR files, which a notebook's machine may lack;
    # in_channels enters own-flat's weights only as in_channels * 32 * 32, which the odd-size
    # probe this replaced could not read: it needed the data, and failed without its files
    register_model("own-flat")(flat_mlp)
    config = apply_overrides(pidkit_distill.TrainConfig(), [
        f"data.name=cifar{num_classes}", f"data.root={tmp_path / 'no-data'}",
        f"model.student={student}"])
    with pytest.raises(FileNotFoundError):
        describe_dataset(f"cifar{num_classes}", root=tmp_path / "no-data")
    net = pidkit_distill.build_model(student, num_classes=num_classes, in_channels=3)
    run_dir = _fake_run(tmp_path / "cifar", config, net.state_dict(),
                        sizes={"num_classes": num_classes, "input_shape": [3, 32, 32]})
    loaded = load_student(run_dir)
    x = torch.randn(2, 3, 32, 32)
    assert loaded(x).shape == (2, num_classes)
    assert torch.equal(loaded(x), net.eval()(x))


def test_a_teacher_run_gives_the_teacher(tmp_path):
    teacher_file = train_teacher(tiny(tmp_path, "teacher.epochs=1"))
    teacher = load_student(teacher_file.parent)
    saved = torch.load(teacher_file, weights_only=True)["model"]
    assert type(teacher).__name__ == "MLP" and not teacher.training
    assert teacher.state_dict().keys() == saved.keys()
    assert all(torch.equal(teacher.state_dict()[k], v) for k, v in saved.items())


def own_student(*, num_classes: int, in_channels: int) -> TappedModel:
    net = torch.nn.Sequential(torch.nn.Linear(in_channels, 4), torch.nn.ReLU(),
                              torch.nn.Linear(4, num_classes))
    return tap_features(net, layers=["1"])


def test_a_student_of_ones_own_is_its_tapped_model_and_needs_registering(tmp_path):
    register_model("own-load")(own_student)
    run_dir = train(tiny(tmp_path, "model.student=own-load", "run.epochs=1")).run_dir
    student = load_student(run_dir)
    assert isinstance(student, TappedModel) and not student.training
    spec = describe_dataset("synthetic", n_train=96, n_test=64, dim=12, nuisance_bits=2)
    assert (student.model[0].in_features, student.model[2].out_features) == (12, spec.num_classes)
    del _MODELS._entries["own-load"]  # a fresh notebook that did not import the builder
    with pytest.raises(ValueError, match=r"^run_dir '.*': its student model.student='own-load' "
                                         r"is not known in this process: name='own-load' is not "
                                         r"a known model; .*register your own with "
                                         r"pidkit_distill.models.register_model.*\(this run "
                                         r"registered it from .*test_load_student\.py: import that "
                                         r"module first, then call load_student again\)$"):
        load_student(run_dir)


def rgb_or_grey(*, num_classes: int, in_channels: int) -> TappedModel:
    assert in_channels in (1, 3), "images of 1 or 3 channels"  # refuses any other size
    net = torch.nn.Sequential(torch.nn.Conv2d(in_channels, 4, 3), torch.nn.ReLU(),
                              torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
                              torch.nn.Linear(4, num_classes))
    return tap_features(net, layers=["1"])


def lazy_mlp(*, num_classes: int, in_channels: int) -> TappedModel:
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.LazyLinear(6), torch.nn.ReLU(),
                              torch.nn.Linear(6, num_classes))
    return tap_features(net, layers=["2"])


@pytest.mark.parametrize("sizes", [{"num_classes": 10, "input_shape": [1, 8, 8]}, None])
@pytest.mark.parametrize("builder", [rgb_or_grey, lazy_mlp])
def test_a_builder_of_ones_own_gets_the_recorded_or_the_datas_sizes(tmp_path, builder, sizes):
    # rgb_or_grey refuses sizes other than the data's; a lazy layer's weights have no shape
    # before a first call. A checkpoint written before the sizes were recorded (sizes=None)
    # takes them from the run's data, here digits, which needs no files
    register_model("own-sized")(builder)
    config = apply_overrides(pidkit_distill.TrainConfig(), ["data.name=digits",
                                                            "model.student=own-sized"])
    net = builder(num_classes=10, in_channels=1)
    net(torch.zeros(1, 1, 8, 8))  # a lazy layer takes its shape
    run_dir = _fake_run(tmp_path / "run", config, net.state_dict(), sizes=sizes)
    student = load_student(run_dir)
    assert student.state_dict().keys() == net.state_dict().keys()
    assert all(torch.equal(student.state_dict()[k], v) for k, v in net.state_dict().items())
    x = torch.randn(3, 1, 8, 8)
    assert torch.equal(student(x), net.eval()(x))


def test_a_checkpoint_without_sizes_and_no_data_to_describe_is_one_error(tmp_path):
    # written before checkpoints recorded the data's sizes: they come from the CIFAR files,
    # which this machine lacks; the error names run_dir, not describe_dataset's data.root
    config = apply_overrides(pidkit_distill.TrainConfig(), [
        "data.name=cifar100", f"data.root={tmp_path / 'no-data'}", "model.student=wrn-16-1"])
    net = pidkit_distill.build_model("wrn-16-1", num_classes=100, in_channels=3)
    run_dir = _fake_run(tmp_path / "old", config, net.state_dict())
    with pytest.raises(ValueError, match=r"^run_dir '.*old': its checkpoint.pt does not record "
                                         r"the data's sizes \(it was written before checkpoints "
                                         r"did\), and the run's data \(data.name='cifar100'\) "
                                         r"cannot be described here to give them \(.*no-data/"
                                         r"cifar-100-python not found; .*\); call load_student "
                                         r"where the run's data can be read \(a data set of your "
                                         r"own registered first\)$"):
        load_student(run_dir)


def test_a_student_trained_with_sync_bn_and_channels_last_comes_back_plain(tmp_path):
    # what the trainer saves from DDP with run.sync_bn=true on CUDA (channels_last): the
    # student's own state dict, SyncBatchNorm layers included; it loads into plain BatchNorm
    config = apply_overrides(pidkit_distill.TrainConfig(), [
        "data.name=cifar100", f"data.root={tmp_path / 'no-data'}", "model.student=wrn-10-1"])
    net = pidkit_distill.build_model("wrn-10-1", num_classes=100, in_channels=3)
    synced = convert_sync_batchnorm(net, device_type="cpu").to(memory_format=torch.channels_last)
    assert sum(isinstance(m, SyncBatchNorm2d) for m in synced.modules()) == 7
    student = load_student(_fake_run(tmp_path / "run", config, synced.state_dict(),
                                     sizes={"num_classes": 100, "input_shape": [3, 32, 32]}))
    assert sum(type(m) is torch.nn.BatchNorm2d for m in student.modules()) == 7
    assert not any(isinstance(m, SyncBatchNorm2d) for m in student.modules())
    assert not student.training
    assert all(p.is_contiguous() and p.device.type == "cpu" for p in student.parameters())
    x = torch.randn(2, 3, 32, 32)
    assert torch.allclose(student(x), synced.eval()(x), atol=1e-5)


def _fake_run(run_dir: Path, config: pidkit_distill.TrainConfig,
              student: dict[str, torch.Tensor], *, sizes: object = None) -> Path:
    """A run folder holding ``config.json`` and a checkpoint with ``student``'s weights and,
    unless ``sizes`` is None (a checkpoint written before they were recorded), the data's
    ``sizes``."""
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps(config_to_dict(config)))
    recorded = {} if sizes is None else {"sizes": sizes}
    atomic_save({"format": 2, "config": config_to_dict(config), "epoch": 1, "module": {},
                 "student": student, "optimizers": {}, "schedulers": {}, "best_acc": 0.0,
                 "best_epoch": 1, "history": [], "audit": [], "rng": [], **recorded},
                run_dir / "checkpoint.pt")
    return run_dir


def test_errors_name_run_dir_and_say_what_to_do(tmp_path, digits_rid):
    (tmp_path / "a-file").write_text("")
    killed = tmp_path / "killed"  # as a run killed in its first epochs leaves its folder
    killed.mkdir()
    config = json.loads((digits_rid / "config.json").read_text())
    config["run"]["checkpoint_every"] = 3
    (killed / "config.json").write_text(json.dumps(config))
    (killed / "metrics.jsonl").write_text("")
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "x").symlink_to(digits_rid, target_is_directory=True)
    digits = config_from_dict(json.loads((digits_rid / "config.json").read_text()))
    wrong = _fake_run(tmp_path / "wrong", digits, {"w": torch.ones(2)})
    damaged = _fake_run(tmp_path / "damaged", digits, {"w": torch.ones(2)},
                        sizes={"num_classes": 0, "input_shape": [1, 8, 8]})
    shapeless = _fake_run(tmp_path / "shapeless", digits, {"w": torch.ones(2)},
                          sizes={"num_classes": 10, "input_shape": []})
    cases = [
        (tmp_path / "nowhere", r"^run_dir '.*nowhere' does not exist; pass a run folder written "
                               r"by train\(config\) or `pidkit-distill train`$"),
        (tmp_path / "a-file", r"^run_dir '.*a-file' is a file, not a run folder"),
        (killed, r"^run_dir '.*killed' holds no checkpoint.pt: the run stopped \(or is still "
                 r"training\) before its first checkpoint \(written every "
                 r"run.checkpoint_every = 3 epoch\(s\) and after the last\), so there is no "
                 r"trained student yet; resume the run or train it again$"),
        (sweep, r"^run_dir '.*sweep' is not a run folder \(no config.json, no checkpoint.pt\); "
                r"pass a folder written by train\(config\) or `pidkit-distill train` "
                r"\(run.out_dir/run.name\); it "
                r"holds run folders: pass one, such as '.*sweep/x'$"),
        (wrong, r"^run_dir: checkpoint '.*wrong/checkpoint.pt': its student weights do not fit "
                r"model.student='digits-student' \(Error\(s\) in loading state_dict .*\); the "
                r"file is damaged, or 'digits-student' is registered with another builder"),
        (damaged, r"^run_dir: checkpoint '.*damaged/checkpoint.pt' records the data's sizes as "
                  r"\{'num_classes': 0, 'input_shape': \[1, 8, 8\]\}; expected "
                  r"\{'num_classes': a positive int, 'input_shape': a list of positive ints\}; "
                  r"the file is damaged$"),
        # not a traceback from input_shape[0], the channels the student is built for
        (shapeless, r"^run_dir: checkpoint '.*shapeless/checkpoint.pt' records the data's sizes "
                    r"as \{'num_classes': 10, 'input_shape': \[\]\}; expected .*; the file is "
                    r"damaged$"),
    ]
    for run_dir, message in cases:
        with pytest.raises(ValueError, match=message):
            load_student(run_dir)
    with pytest.raises(TypeError, match=r"^run_dir: a run is given by its folder \(a str, "
                                        r"bytes or Path\), its RunRecords or the RunSummary "
                                        r"that train returned; got 3 \(int\)$"):
        load_student(3)
    with pytest.raises(ValueError, match=r"^map_location='gpu' is not a device the student can "
                                         r"be moved to \(Expected one of cpu, cuda, .*\); "):
        load_student(digits_rid, map_location="gpu")


def test_a_mistyped_run_folder_is_told_the_closest_run_folder_beside_it(tmp_path):
    # it said "run_dir 'runs/digits-rid-tt-s1' does not exist; pass a run folder written by
    # `pidkit-distill train`", with runs/digits-rid-tt-s0 right beside it
    runs = tmp_path / "runs"
    for name, file in [("digits-rid-tt-s0", "checkpoint.pt"), ("cifar-kd-s0", "config.json")]:
        (runs / name).mkdir(parents=True)
        (runs / name / file).write_text("")
    (runs / "digits-rid-tt-s1-notes").mkdir()  # a folder, but no run: never suggested
    (runs / "digits-rid-tt-s2").write_text("")  # a file, not a folder
    for typed, hint in [("digits-rid-tt-s1", f". Did you mean {str(runs / 'digits-rid-tt-s0')!r}?"),
                        ("digit-rid-tt-s0", f". Did you mean {str(runs / 'digits-rid-tt-s0')!r}?"),
                        ("CIFAR-kd-s0", f". Did you mean {str(runs / 'cifar-kd-s0')!r}?"),
                        ("teacher", "")]:
        with pytest.raises(ValueError) as info:
            load_student(runs / typed)
        assert str(info.value) == (f"run_dir {str(runs / typed)!r} does not exist; pass a run "
                                   f"folder written by train(config) or `pidkit-distill train`{hint}")
    with pytest.raises(ValueError, match=r"does not exist; pass a run folder written by "
                                         r"train\(config\) or `pidkit-distill train`$"):
        load_student(tmp_path / "no-such-folder" / "digits-rid-tt-s0")


def test_a_folder_whose_config_json_is_no_runs_is_not_taken_for_a_stopped_run(tmp_path,
                                                                               digits_rid):
    # each said "holds no checkpoint.pt: the run stopped (or is still training) before its
    # first checkpoint (written every run.checkpoint_every = N epoch(s) ...); resume the run":
    # config.json was read by hand, any JSON (or none) taken for a run's
    model = tmp_path / "bert"  # a model folder of another library, with its own config.json
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"model_type": "bert"}))
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "config.json").write_text(json.dumps({"model_type": "bert"}))
    (foreign / "metrics.jsonl").write_text("")
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "config.json").write_text((digits_rid / "config.json").read_text()[:40])
    (damaged / "metrics.jsonl").write_text("")
    cases = [
        (model, f"run_dir: {model / 'config.json'} has no 'data.name'; it is not the "
                "configuration of a `pidkit-distill train` run"),
        (foreign, f"run_dir: {foreign / 'config.json'} has no 'data.name'; it is not the "
                  "configuration of a `pidkit-distill train` run"),
        (damaged, f"run_dir: {damaged / 'config.json'} is not JSON (Expecting"),
    ]
    for run_dir, message in cases:
        with pytest.raises(ValueError) as info:
            load_student(run_dir)
        assert str(info.value).startswith(message)
    assert str(info.value).endswith("; the file is damaged")


def test_the_closest_run_folder_is_shown_as_the_path_to_pass(tmp_path, monkeypatch):
    # the hint named the bare folder, "Did you mean 'digits-rid-tt-s0'?", not the path to pass
    runs = tmp_path / "home" / "runs"
    (runs / "digits-rid-tt-s0").mkdir(parents=True)
    (runs / "digits-rid-tt-s0" / "checkpoint.pt").write_text("")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path / "home")
    for typed, shown in [("runs/digits-rid-tt-s1", "runs/digits-rid-tt-s0"),  # relative
                         (Path("runs/digits-rid-tt-s1/"), "runs/digits-rid-tt-s0"),
                         ("~/runs/digits-rid-tt-s1", str(runs / "digits-rid-tt-s0"))]:
        with pytest.raises(ValueError) as info:
            load_student(typed)
        assert str(info.value).endswith(f"`pidkit-distill train`. Did you mean {shown!r}?")


def test_a_file_of_a_run_folder_is_told_to_pass_the_folder(digits_rid, monkeypatch):
    # load_student('runs/digits-rid-tt-s0/checkpoint.pt'), as torch.load takes it, said "is a
    # file, not a run folder; pass a run folder written by `pidkit-distill train`"
    monkeypatch.chdir(digits_rid.parent)
    for typed in (f"{digits_rid.name}/checkpoint.pt", digits_rid / "summary.json"):
        with pytest.raises(ValueError) as info:
            load_student(typed)
        assert str(info.value) == (f"run_dir {str(typed)!r} is a file, not a run folder; pass "
                                   f"the run folder it is in, {str(Path(typed).parent)!r}")


def test_a_folder_that_cannot_be_looked_into_does_not_hide_the_closest_run(tmp_path,
                                                                           monkeypatch):
    # one sibling of another user's (no permission to look into it) made the listing fail
    # whole, and the typo got no hint at all
    runs = tmp_path / "runs"
    for name in ("digits-rid-tt-s0", "locked"):
        (runs / name).mkdir(parents=True)
        (runs / name / "checkpoint.pt").write_text("")
    stat = os.stat

    def refused(path, *args, **kwargs):
        if str(runs / "locked") in str(path) and str(path) != str(runs / "locked"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", refused)
    with pytest.raises(ValueError) as info:
        load_student(runs / "digits-rid-tt-s1")
    assert str(info.value).endswith(f". Did you mean {str(runs / 'digits-rid-tt-s0')!r}?")


def test_a_stopped_run_is_told_so_whatever_its_logs_hold(tmp_path, digits_rid):
    # its config.json is a run's, and only that is read: a folder without metrics.jsonl (a run
    # killed between writing its config.json and its logs) was "not a run folder (no
    # metrics.jsonl)", one whose audit.jsonl was damaged was told of that line, and a cut-off
    # last line of metrics.jsonl was a RuntimeWarning from the report's reader
    config = json.loads((digits_rid / "config.json").read_text())
    logs = {"no-logs": {}, "cut-off": {"metrics.jsonl": '{"epoch": 1, "test_a'},
            "damaged-audit": {"metrics.jsonl": "", "audit.jsonl": "not json\n{}\n"}}
    for name, files in logs.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text(json.dumps(config))
        for file, text in files.items():
            (tmp_path / name / file).write_text(text)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(ValueError) as info:
                load_student(tmp_path / name)
        assert str(info.value) == (
            f"run_dir {str(tmp_path / name)!r} holds no checkpoint.pt: the run stopped (or is "
            "still training) before its first checkpoint (written every run.checkpoint_every = "
            f"{config['run']['checkpoint_every']} epoch(s) and after the last), so there is no "
            "trained student yet; resume the run or train it again")


def test_a_run_folder_whose_checkpoint_is_gone_is_not_told_it_stopped_before_writing_one(
        tmp_path, digits_rid):
    # a run folder copied without its checkpoint.pt (or with it deleted) was "the run stopped
    # (or is still training) before its first checkpoint": its train wrote one after epoch 1
    # (run.checkpoint_every = 1), and the report says "Stopped, its checkpoint.pt gone" (bc21876).
    # Train writes one after its last epoch too, whatever run.checkpoint_every: a finished run
    # (2 epochs of run.epochs = 2) or one that run.stop_after ended (its summary.json) had one
    config = json.loads((digits_rid / "config.json").read_text())
    assert config["run"]["epochs"] == 2
    folders = {"copied": (1, 2, False), "finished": (3, 2, False), "stopped-after": (3, 6, True),
               "early": (3, 6, False)}  # run.checkpoint_every, run.epochs, a summary.json
    for name, (every, epochs, summary) in folders.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text(json.dumps(
            {**config, "run": {**config["run"], "checkpoint_every": every, "epochs": epochs}}))
        shutil.copy(digits_rid / "metrics.jsonl", tmp_path / name)
        if summary:
            shutil.copy(digits_rid / "summary.json", tmp_path / name)
    for name in ("copied", "finished", "stopped-after"):
        with pytest.raises(ValueError) as gone:
            load_student(tmp_path / name)
        assert str(gone.value) == (
            f"run_dir {str(tmp_path / name)!r} holds no checkpoint.pt, though its train had "
            "written one by epoch 2, the last its metrics.jsonl records (run.checkpoint_every = "
            f"{folders[name][0]}): it was deleted or not copied with the folder; pass the run "
            "folder where its checkpoint.pt is (a resume here trains the run again from epoch 1)")
    # after 2 epochs of 6, run.checkpoint_every = 3 (killed before its first), as before
    with pytest.raises(ValueError, match=r"holds no checkpoint.pt: the run stopped \(or is still "
                       r"training\) before its first checkpoint \(written every "
                       r"run.checkpoint_every = 3 epoch"):
        load_student(tmp_path / "early")


def test_a_run_folder_whose_train_has_not_written_the_run_is_told_so(tmp_path):
    # a train checking or training its teacher (or killed then) has made and locked its run
    # folder only: it was "not a run folder ...; pass a folder written by `pidkit-distill train`";
    # while it runs, it was then told the report's "report it once its first epoch has ended"
    with run_folder_lock(tmp_path / "x"):
        with pytest.raises(ValueError) as running:
            load_student(tmp_path / "x")
    with pytest.raises(ValueError) as stopped:  # its lock file left
        load_student(tmp_path / "x")
    assert [str(running.value), str(stopped.value)] == [
        f"run_dir {str(tmp_path / 'x')!r} holds no run: a `pidkit-distill` command holds its "
        ".lock now but has written no run in it yet (a train checks the configuration, loads "
        "the data and trains or reads the teacher first): load its student once the run has "
        "written its first checkpoint.pt",
        f"run_dir {str(tmp_path / 'x')!r} holds no run: a `pidkit-distill train` made this run "
        "folder and stopped before it wrote the run in it (while it checked the configuration, "
        "loaded the data or trained the teacher; nothing of the run was saved): rerun that "
        "command"]


def test_a_stopped_run_whose_config_json_cannot_be_read_is_told_so(tmp_path, digits_rid,
                                                                   monkeypatch):
    # a PermissionError traceback from reading config.json (since e3cb8a1; before, as now, the
    # run's checkpoint_every is then not known)
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "config.json").write_text((digits_rid / "config.json").read_text())
    (tmp_path / "r" / "metrics.jsonl").write_text("")
    read_text = Path.read_text

    def refused(self, *args, **kwargs):
        if self == tmp_path / "r" / "config.json":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refused)
    with pytest.raises(ValueError, match=r"holds no checkpoint.pt: the run stopped .* \(written "
                                         r"every run.checkpoint_every = N epoch\(s\) and after"):
        load_student(tmp_path / "r")


@pytest.mark.parametrize(("cuda", "advice"), [
    (0, "{no_cuda}: pass 'cpu'"),  # the product's words, which name a CUDA_VISIBLE_DEVICES set
    (2, "pass 'cpu', 'cuda' or 'cuda:N' with N < 2"),
])
def test_a_bad_map_location_is_told_the_devices_this_machine_has(digits_rid, monkeypatch, cuda,
                                                                  advice):
    advice = advice.format(no_cuda=no_cuda())
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda > 0)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(ValueError, match=r"^map_location='gpu' is not a device the student can "
                                         r"be moved to \(.*\); " + re.escape(advice) + "$"):
        load_student(digits_rid, map_location="gpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="'cuda' is a device on this machine")
def test_map_location_cuda_on_a_machine_without_cuda_says_pass_cpu(digits_rid):
    # it said "pass 'cpu', 'cuda' or 'cuda:N'", suggesting the device that had just failed
    with pytest.raises(ValueError, match=r"^map_location='cuda' is not a device the student "
                                         r"can be moved to \(.*\); " + re.escape(no_cuda())
                                         + r": pass 'cpu'$"):
        load_student(digits_rid, map_location="cuda")


def test_a_planted_or_damaged_checkpoint_is_refused_without_running(tmp_path):
    marker, run_dirs = planted_run_folders(tmp_path)
    for run_dir in run_dirs:
        with pytest.raises(ValueError, match=r"^run_dir: checkpoint '.*checkpoint.pt' holds "
                                             r"Python objects other than tensors and plain "
                                             r"values.*was not loaded"):
            load_student(run_dir)
    assert not marker.exists()
    cut = tmp_path / "cut"
    cut.mkdir()
    (cut / "checkpoint.pt").write_bytes(b"PK\x03\x04 cut off")
    with pytest.raises(ValueError, match=re.escape("run_dir: checkpoint '") + r".*is not a file "
                                         r"written by torch.save"):
        load_student(cut)


def test_map_location_moves_the_student(digits_rid):
    student = load_student(digits_rid, map_location=torch.device("meta"))
    assert {p.device.type for p in student.parameters()} == {"meta"}


def test_a_run_named_by_a_path_before_the_check_still_loads(tmp_path):
    # run.name="a/b" was accepted before a0f3a51 (the run folder then is out_dir/a/b); loading
    # the student of such a run said its checkpoint "holds no run configuration (config key
    # 'run.name' must be a folder's name ...); the file is damaged"
    run_dir = train(tiny(tmp_path, "run.epochs=1", "run.name=plain")).run_dir
    checkpoint = run_dir / "checkpoint.pt"
    saved = read_checkpoint(checkpoint)
    saved["config"]["run"]["name"] = "a/b"
    atomic_save(saved, checkpoint)
    student = load_student(run_dir)
    assert student(torch.zeros(3, 12)).shape == (3, 4)  # synthetic: 12 inputs, 4 classes
