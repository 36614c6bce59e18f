"""check_config: the whole configuration checked before any work; files read safely."""

from __future__ import annotations

import pathlib
import pickle

import pytest
import torch
from tiny_runs import TINY, tiny
from torch import nn
from torch.utils.data import TensorDataset

from pidkit_distill import register_dataset, register_model, tap_features
from pidkit_distill.cli import config_from_args, get_args_parser, main
from pidkit_distill.config import TrainConfig
from pidkit_distill.data import DatasetBundle, describe_dataset, load_dataset
from pidkit_distill.data.registry import _LOADERS
from pidkit_distill.methods import get_method
from pidkit_distill.models import build_model
from pidkit_distill.models.registry import _MODELS
from pidkit_distill.training import check_config, load_teacher, train
from pidkit_distill.training import loaders as loaders_module
from pidkit_distill.training import rundir as rundir_module
from pidkit_distill.training.checkpoint import read_checkpoint
from pidkit_distill.training.teacher import read_teacher_file, teacher_file_of

QUICK_START = ["train", "--data", "digits", "--method", "rid", "--teacher", "trained",
               "--epochs", "30"]


class Planted:
    """A pickled object that writes a file when it is unpickled (what an attacker plants)."""

    def __init__(self, marker: pathlib.Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.write_text, (self.marker, "the file ran code"))


def planted_files(folder: pathlib.Path) -> tuple[pathlib.Path, list[pathlib.Path]]:
    """The marker that must never appear, and planted files in both torch formats."""
    marker = folder / "PWNED"
    zipped, raw = folder / "planted.pt", folder / "planted.pkl"
    torch.save({"model": Planted(marker)}, zipped)  # torch.save's zip format
    with raw.open("wb") as handle:  # a plain pickle (torch's legacy format)
        pickle.dump({"model": Planted(marker)}, handle)
    assert not marker.exists()
    return marker, [zipped, raw]


def planted_run_folders(folder: pathlib.Path) -> tuple[pathlib.Path, list[pathlib.Path]]:
    """The marker that must never appear, and run folders ``run-pt`` and ``run-pkl`` under
    ``folder`` whose ``checkpoint.pt`` is a planted file (:func:`planted_files`)."""
    marker, files = planted_files(folder)
    run_dirs = []
    for path in files:
        run_dir = folder / f"run-{path.suffix[1:]}"
        run_dir.mkdir()
        path.rename(run_dir / "checkpoint.pt")
        run_dirs.append(run_dir)
    return marker, run_dirs


def test_the_quick_start_resolves_a_schedule_that_trains_the_student(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    checked = check_config(config_from_args(get_args_parser().parse_args(QUICK_START)))
    assert checked.method is get_method("rid") and checked.preset is None
    params = checked.params
    assert params.reduction == "mean"  # the default preset, paper-mean
    assert (params.warmup_epochs, params.cycle_epochs, params.phase1_epochs) == (3, 4, 1)
    phases = [params.phase(e) for e in range(30)]
    assert phases[:5] == ["filter"] * 4 + ["student"] and phases.count("student") == 20
    (notice,) = checked.notices
    assert "warmup_epochs=30, cycle_epochs=30" in notice and "0 of run.epochs=30" in notice
    assert "warmup_epochs=3, cycle_epochs=4" in notice and "method.params.warmup_epochs" in notice
    assert not list(tmp_path.iterdir())  # nothing was loaded, trained or written


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # (warmup, cycle) or stage 1 after the check, and the student's epochs
        (["method.name=rid", "run.epochs=300"], ((30, 30), 207)),  # the paper's run: as is
        (["method.name=rid", "run.epochs=100"], ((10, 10), 72)),  # 49 of 100 before
        (["method.name=rid", "run.epochs=120"], ((30, 30), 69)),  # already more than half
        (["method.name=rid", "run.epochs=2"], ((0, 4), 1)),
        (["method.name=rid", "method.preset=kd-rid", "run.epochs=30"], ((0, 30), 22)),
        (["method.name=rid", "method.preset=kd-rid", "run.epochs=10"], ((0, 2), 5)),
        (["method.name=ted", "run.epochs=30"], ((3,), 27)),
        (["method.name=ted", "run.epochs=300"], ((30,), 270)),
    ],
)
def test_schedules_are_fitted_to_the_run(tmp_path, overrides, expected):
    checked = check_config(tiny(tmp_path, *overrides))
    p = checked.params
    assert tuple(getattr(p, f) for f in p.schedule_fields) == expected[0]
    epochs = checked.config.run.epochs
    assert p.student_epochs(epochs) == expected[1] and 2 * expected[1] >= epochs
    scaled = expected[0] != tuple(getattr(get_method(checked.method.method_name).make_params(
        preset=checked.preset), f) for f in p.schedule_fields)
    assert bool(checked.notices) is scaled


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        (["method.name=rid", "method.params.warmup_epochs=30", "run.epochs=30"],
         r"method.params: method 'rid' with warmup_epochs=30, cycle_epochs=30 trains the "
         r"student in 0 of run.epochs=30 epochs.*lower method.params.warmup_epochs, "
         r"method.params.cycle_epochs or raise"),
        (["method.name=ted", "method.params.stage1_epochs=20", "run.epochs=30"],
         r"trains the student in 10 of run.epochs=30.*lower method.params.stage1_epochs"),
        (["method.name=rid", "run.epochs=1"],
         r"run.epochs: 1 epochs are too few for method 'rid'.*\(warmup_epochs=0, "
         r"cycle_epochs=4\) trains the student in only 0"),
    ],
)
def test_a_schedule_the_config_set_is_refused_not_changed(tmp_path, overrides, match):
    with pytest.raises(ValueError, match=match):
        check_config(tiny(tmp_path, *overrides))


def test_an_unknown_preset_of_make_params_names_the_closest():
    rid = get_method("rid")
    with pytest.raises(ValueError, match=r"^preset='paper-men' is not a preset of method 'rid'; "
                       r"choose one of \['kd-rid', 'paper', 'paper-mean'\]\. Did you mean "
                       r"'paper-mean'\?$"):
        rid.make_params(preset="paper-men")
    with pytest.raises(ValueError, match=r"choose one of \['kd-rid', 'paper', 'paper-mean'\]\.$"):
        rid.make_params(preset="xyz")  # nothing close: no guess


def test_rid_defaults_to_the_preset_that_trains():
    rid = get_method("rid")
    assert rid.default_preset == "paper-mean"
    assert rid.make_params() == rid.make_params(preset="paper-mean")
    assert rid.make_params().reduction == "mean" and rid.make_params(preset="paper").reduction \
        == "sum"
    assert all(get_method(m).default_preset == "paper" for m in ("bas", "kd", "vid", "ted"))


@pytest.mark.parametrize(
    ("overrides", "error", "match"),
    [
        (["method.name=rdi"], ValueError, r"^method.name: 'rdi' is not a known method.*'rid'"),
        (["method.name=rid", "method.preset=fast"], ValueError,
         r"^method.preset: 'fast' is not a preset of method 'rid'; choose one of \['kd-rid', "),
        # matched exactly, as documented, but a near name is suggested as for every other name
        (["method.name=rid", "method.preset=Paper"], ValueError,
         r"^method.preset: 'Paper' is not a preset of method 'rid'; choose one of \['kd-rid', "
         r"'paper', 'paper-mean'\]\. Did you mean 'paper'\?$"),
        (["method.name=rid", "method.params.n_warmup=3"], TypeError,
         r"^method.params: unknown parameter\(s\) \['n_warmup'\] for method 'rid'"),
        (["method.name=kd", "method.params.temperature=inf"], ValueError,
         r"^method.params: parameter temperature of method 'kd' must be finite"),
        (["method.name=rid", "method.params.lambda2=-1.0"], ValueError,
         r"^method.params: lambda2 must be a real number >= 0"),
        (["model.student=resnet-18"], ValueError, r"^model.student: 'resnet-18' is not a"),
        (["model.teacher=digits-teacher"], ValueError,
         r"^model.teacher: 'digits-teacher' cannot take the inputs of data 'synthetic' \(shape "
         r"\(12,\)\).*such as synthetic-teacher"),
        (["method.name=rid", "model.teacher=wrn-16-2", "model.student=digits-student",
          "data.name=digits", "data.options={}"], ValueError,
         r"^model.student: layer 2: teacher feature shape \(128, 2, 2\) and student feature "
         r"shape \(32, 4, 4\) differ beyond the channel axis"),
        (["data.name=mnist"], ValueError, r"^data.name: 'mnist' is not a known dataset"),
        (["data.options.n_trian=64"], TypeError,
         r"^data.options: unknown option\(s\) \['n_trian'\] for data set 'synthetic'; its options are"),
        (["data.options.flip=0.9"], ValueError, r"^data.options: flip must be in"),
        (["teacher.data_options.target=g"], ValueError,
         r"^teacher.data_options: target must be 'y' or 'joint'"),
        (["data.name=cifar10", "data.options={}", "data.root=nowhere"], FileNotFoundError,
         r"^data.root: nowhere/cifar-10-batches-py not found; .*data.options.download=true"),
        (["teacher.source=/nonexistent/teacher.pt"], FileNotFoundError,
         r"^teacher.source: teacher file '/nonexistent/teacher.pt' does not exist; expected a "
         r"teacher"),
        (["run.audit_every=1", "audit.layers=[3]"], ValueError,
         r"^audit.layers: \[3\] holds an index beyond the 3 distilled layers of the models "
         r"\(0 to 2\); audit the layers both have, \[0, 1, 2\]$"),
        (["run.audit_every=1", "audit.cluster_rule=fixed", "audit.clusters=500"], ValueError,
         r"^audit.clusters: \d+ held-out samples are audited, too few for 500 clusters per side.*"
         r"KMeans cannot make 500 clusters"),
        (["run.audit_every=1", "audit.max_samples=10"], ValueError,
         r"^audit.clusters: 10 held-out samples are audited, too few for 2 clusters per side with "
         r"\d+ classes and bias correction 'eb-extrapolation-kink'.*raise audit.max_samples \(now "
         r"10; 0 audits all 64\); set audit.bias_correction=none \(the plug-in\); or set "
         r"run.audit_every=0 to train without the audit$"),
        (["run.audit_every=1", "audit.estimator=gaussian", "audit.max_samples=20"], ValueError,
         r"^audit.pca_components: the Gaussian audit needs more held-out samples than "
         r"dimensions, but 20 samples"),
        (["audit.estimator=gaussian", "audit.bias_correction=eb-extrapolation"], ValueError,
         r"'audit.bias_correction' must be one of \['auto', 'wishart', 'none'\] with "
         r"audit.estimator='gaussian', got 'eb-extrapolation'"),
        (["audit.estimator=gauss"], ValueError,
         r"'audit.estimator' must be one of \['discrete', 'gaussian'\], got 'gauss'"),
        (["optim.lr=nan"], ValueError, r"'optim.lr' must be a finite number > 0.0, got nan"),
        (["optim.grad_clip=inf"], ValueError, r"'optim.grad_clip' must be a finite number >= 0"),
        (["optim.momentum=1.0"], ValueError, r"'optim.momentum' must be a finite number >= 0.0 "
                                             r"and < 1.0"),
        (["teacher.lr=0.0"], ValueError, r"'teacher.lr' must be a finite number > 0.0"),
    ],
)
def test_mistakes_are_found_before_any_work_and_name_the_key(tmp_path, monkeypatch, overrides,
                                                              error, match):
    def no_loading(*args, **kwargs):
        raise AssertionError("check_config loaded data")

    monkeypatch.setattr(loaders_module, "load_dataset", no_loading)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error, match=match):
        check_config(tiny(tmp_path / "runs", *overrides))
    assert not list(tmp_path.iterdir())  # nothing written (no teacher trained, no run folder)


def test_an_audit_without_correction_needs_only_a_sample_per_cluster(tmp_path):
    overrides = ["run.audit_every=1", "audit.max_samples=10", "audit.bias_correction=none"]
    assert check_config(tiny(tmp_path, *overrides)).config.audit.max_samples == 10


def test_a_passing_check_loads_no_data(tmp_path, monkeypatch):
    monkeypatch.setattr(loaders_module, "load_dataset", lambda *a, **k: pytest.fail("loaded"))
    checked = check_config(tiny(tmp_path, "method.name=vid"))
    assert checked.data == describe_dataset("synthetic", n_train=96, n_test=64, dim=12,
                                            nuisance_bits=2)
    assert checked.run_dir == tmp_path / "synthetic-vid-ut-s0" and not checked.resume


@pytest.mark.parametrize("options", [{}, {"test_fraction": 0.1}])
def test_described_digits_are_the_loaded_digits(options):
    spec, bundle = describe_dataset("digits", **options), load_dataset("digits", **options)
    assert (spec.num_classes, spec.input_shape, spec.n_train, spec.n_test) == (
        bundle.num_classes, bundle.input_shape, len(bundle.train), len(bundle.test))


def test_an_unwritable_run_folder_is_refused(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError) as info:  # run.out_dir itself, before the data (task 255)
        check_config(tiny(tmp_path / "file" / "runs"))
    assert str(info.value) == (
        f"run.out_dir: cannot create the folder '{tmp_path}/file/runs': '{tmp_path}/file' is a "
        "file, not a folder; choose another folder (run.out_dir=DIR), or move the file away")
    config = tiny(tmp_path / "runs")
    (tmp_path / "runs").mkdir()
    rundir_module.run_dir_of(config).write_text("")  # a file where run.out_dir's run folder goes
    with pytest.raises(ValueError, match=rf"^run.out_dir: run folder .* cannot be created: "
                                         rf"'{rundir_module.run_dir_of(config)}' is a file"):
        check_config(config)


def test_a_resume_that_finds_no_checkpoint_says_where_it_looked(tmp_path, monkeypatch):
    # a relative --out-dir, then cd elsewhere and --resume: it trained a new run, unsaid
    started, elsewhere = tmp_path / "started", tmp_path / "elsewhere"
    started.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(started)
    train(tiny("runs", "run.epochs=2", "run.name=r", "run.stop_after=1"))
    monkeypatch.chdir(elsewhere)
    checked = check_config(tiny("runs", "run.epochs=2", "run.name=r", "run.resume=true"))
    assert not checked.resume
    assert checked.notices == (
        f"notice: run.resume is set, but run folder '{elsewhere}/runs/r' holds no checkpoint: "
        "this run starts at epoch 1 (run.out_dir='runs' is relative: it is taken from the "
        f"current folder, '{elsewhere}'); to continue a run, set run.out_dir and run.name to "
        "its folder",)
    monkeypatch.chdir(started)  # found: no notice
    assert check_config(tiny("runs", "run.epochs=2", "run.name=r", "run.resume=true")).notices == ()
    absolute = check_config(tiny(tmp_path, "run.name=r", "run.resume=true")).notices
    assert absolute == (f"notice: run.resume is set, but run folder '{tmp_path}/r' holds no "
                        "checkpoint: this run starts at epoch 1; to continue a run, set "
                        "run.out_dir and run.name to its folder",)
    # the RUN.METHOD-init run a method starts from (TED: BAS) always sets run.resume
    assert check_config(tiny(tmp_path, "run.name=r.bas-init", "run.resume=true")).notices == ()


def test_a_resume_where_the_run_s_checkpoint_is_gone_is_not_sent_to_another_folder(tmp_path,
                                                                                 capsys):
    # the run's own folder, its checkpoint.pt deleted (or not copied): --resume was told 'to
    # continue a run, set run.out_dir and run.name to its folder', and then, by the run, that
    # this folder's checkpoint was deleted: two lines that disagree on whose folder it is
    config = tiny(tmp_path, "run.name=done", "run.epochs=2", "run.resume=true")
    (train(config).run_dir / "checkpoint.pt").unlink()
    assert check_config(config).notices == ()
    capsys.readouterr()
    train(config)
    said = [line for line in capsys.readouterr().out.splitlines() if "checkpoint" in line]
    assert said == [f"{tmp_path / 'done'} holds no checkpoint but 2 epoch(s) logged by an earlier "
                    "run whose train had written a checkpoint by then (run.checkpoint_every = 1, "
                    "and after its last epoch), so it was deleted or not copied with the folder: "
                    "training from epoch 1"]


def test_a_teacher_cache_folder_that_cannot_be_written_is_refused_before_any_work(
        tmp_path, monkeypatch, capsys):
    config = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1")
    folder = teacher_file_of(config).parent
    folder.mkdir(parents=True)  # left by a teacher's run stopped before it wrote teacher.pt
    access = rundir_module.os.access
    monkeypatch.setattr(rundir_module.os, "access",
                        lambda path, mode: pathlib.Path(path) != folder and access(path, mode))
    monkeypatch.setattr(loaders_module, "load_dataset", lambda *a, **k: pytest.fail("loaded"))
    options = [f"--set={item}" for item in [*TINY, "teacher.source=trained", "teacher.epochs=1"]]
    status = main(["train", *options, "--out-dir", str(tmp_path)])
    assert status == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: run.out_dir: run folder '{folder}' cannot be written: no "
        f"write permission on '{folder}'; choose another run.out_dir\n")
    assert list(folder.iterdir()) == []


def test_a_last_batch_that_leaves_a_process_without_samples_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")  # and MASTER_PORT, as torchrun sets them
    monkeypatch.setenv("MASTER_PORT", "29500")
    cfg = tiny(tmp_path, "data.options.n_train=97")  # batches of 32: the last holds 1 sample
    with pytest.raises(ValueError, match=r"^data.batch_size: the last training batch holds 1 "
                                         r"sample.*set data.drop_last=true"):
        check_config(cfg)
    check_config(tiny(tmp_path, "data.options.n_train=97", "data.drop_last=true"))


def _no_runtime(config):
    raise AssertionError("the run went on to set up its process and GPU")


# --- files are data, never code ---------------------------------------------------------------


def test_a_planted_teacher_file_is_refused_without_running(tmp_path):
    marker, files = planted_files(tmp_path)
    bundle = load_dataset("synthetic", n_train=96, n_test=64, dim=12, nuisance_bits=2)
    for path in files:
        cfg = tiny(tmp_path, f"teacher.source={path}")
        with pytest.raises(ValueError, match=r"^teacher.source: teacher file .* holds Python "
                                             r"objects other than tensors and plain values"):
            check_config(cfg)
        with pytest.raises(ValueError, match="was not loaded"):
            train(cfg)
        with pytest.raises(ValueError, match="was not loaded"):
            load_teacher(cfg, bundle=bundle)
    assert not marker.exists()


def test_a_planted_checkpoint_is_refused_without_running(tmp_path):
    marker, run_dirs = planted_run_folders(tmp_path)
    for run_dir in run_dirs:
        cfg = tiny(tmp_path, f"run.name={run_dir.name}", "run.resume=true")
        with pytest.raises(ValueError, match=r"^run.resume: checkpoint .* holds Python objects "
                                             r"other than tensors.*expected a pidkit_distill "
                                             r"checkpoint"):
            check_config(cfg)
        with pytest.raises(ValueError, match="was not loaded"):
            train(cfg)
        with pytest.raises(ValueError, match="was not loaded"):
            read_checkpoint(run_dir / "checkpoint.pt")
    assert not marker.exists()


def test_a_planted_cifar_batch_is_refused_without_running(tmp_path):
    marker = tmp_path / "PWNED"
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        with (folder / name).open("wb") as handle:
            pickle.dump({b"data": Planted(marker), b"labels": [0]}, handle, protocol=2)
    describe_dataset("cifar10", root=tmp_path)  # the files are there; nothing is read
    with pytest.raises(ValueError, match=r"data_batch_1 is not a python-pickle CIFAR batch of "
                                         r"plain values and numpy arrays"):
        load_dataset("cifar10", root=tmp_path)
    assert not marker.exists()


def test_files_that_are_not_what_they_should_be(tmp_path):
    text = tmp_path / "notes.pt"
    text.write_text("not a checkpoint")
    with pytest.raises(ValueError, match=r"notes.pt' is not a file written by torch.save; "
                                         r"expected a teacher"):
        read_teacher_file(text)
    listed = tmp_path / "list.pt"
    torch.save([1, 2], listed)
    with pytest.raises(ValueError, match=r"holds list; expected a teacher"):
        read_teacher_file(listed)
    with pytest.raises(ValueError, match=r"holds list; expected a pidkit_distill checkpoint: a "
                                         r"dict with \['format', 'config'"):
        read_checkpoint(listed)
    old = tmp_path / "old.pt"
    torch.save({"format": 1, **{k: 0 for k in ("config", "epoch", "module", "student",
                                               "optimizers", "schedulers", "best_acc",
                                               "best_epoch", "history", "audit", "rng")}}, old)
    with pytest.raises(ValueError, match=r"has format 1; this version reads format 2 only"):
        read_checkpoint(old)


def test_a_teacher_file_must_fit_the_teacher_architecture(tmp_path):
    net = build_model("synthetic-teacher", num_classes=4, in_channels=12)
    named = tmp_path / "named.pt"
    torch.save({"model": net.state_dict(), "name": "synthetic-teacher", "num_classes": 4,
                "input_shape": [12]}, named)
    bare = tmp_path / "bare.pt"
    torch.save(net.state_dict(), bare)
    check_config(tiny(tmp_path, f"teacher.source={named}"))  # fits
    with pytest.raises(ValueError, match=r"^teacher.source: teacher file .*named.pt' holds a "
                                         r"'synthetic-teacher', but model.teacher is "
                                         r"'digits-teacher'; set model.teacher=synthetic-teacher"):
        check_config(tiny(tmp_path, f"teacher.source={named}", "model.teacher=digits-teacher",
                          "model.student=digits-student", "data.name=digits", "data.options={}"))
    with pytest.raises(ValueError, match=r"does not fit model.teacher='synthetic-teacher' for "
                                         r"data 'synthetic' \(16 classes.*fc.weight has shape "
                                         r"\(4, 128\), the model \(16, 128\)"):
        check_config(tiny(tmp_path, f"teacher.source={bare}", "teacher.data_options.target=joint"))


def test_a_resumed_run_needs_no_teacher_file(tmp_path):
    net = build_model("synthetic-teacher", num_classes=4, in_channels=12)
    path = tmp_path / "teacher.pt"
    torch.save(net.state_dict(), path)
    extra = ["run.epochs=3", "run.name=r"]
    first = train(tiny(tmp_path, f"teacher.source={path}", *extra, "run.stop_after=1"))
    path.unlink()  # the teacher's weights are in the checkpoint
    second = train(tiny(tmp_path, f"teacher.source={path}", *extra, "run.resume=true",
                        "run.stop_after=1"))
    # a teacher file that moved: another path holding the run's teacher is accepted, another
    # kind of source is not (a path naming no file is refused: test_resume_teacher_file.py)
    torch.save(net.state_dict(), tmp_path / "moved.pt")
    moved = tiny(tmp_path, f"teacher.source={tmp_path / 'moved.pt'}", *extra, "run.resume=true")
    assert train(moved).epochs_done == 3
    assert first.teacher_acc == second.teacher_acc
    with pytest.raises(ValueError, match=r"teacher.source: '.*moved.pt' -> 'untrained'"):
        check_config(tiny(tmp_path, "teacher.source=untrained", *extra, "run.resume=true"))


def test_check_config_takes_a_train_config():
    with pytest.raises(TypeError, match="config must be a TrainConfig, got dict"):
        check_config({"run": {"epochs": 3}})
    assert isinstance(TrainConfig(), TrainConfig)


class _Reshaped(nn.Module):
    """A model whose logits come out as (N, K, 1)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.body = model

    def forward(self, x):
        return self.body(x).unsqueeze(-1)


def _own_mlp(d_in: int, classes: int, *, inplace: bool = False) -> nn.Sequential:
    return nn.Sequential(nn.Linear(d_in, 8), nn.ReLU(inplace=inplace), nn.Linear(8, classes))


_OWN_MODELS = {
    # the model's own shape error: a network built for 5 inputs, the data has 6
    "own-five": (lambda *, num_classes, in_channels: tap_features(
        _own_mlp(5, num_classes), layers=["1"]),
        r"^model.student: 'own-five' cannot take the inputs of data 'own-six' \(shape \(6,\)\): "
        r".*\[2, 6\].*; choose a model made for this data "
        r"\(one built for input_shape \(6,\)\)$"),
    # the taps' own errors name their fix; they said "'own-inplace' cannot take the inputs of
    # data 'own-six' ...; choose a model made for this data (wrn-D-K for CIFAR)"
    "own-inplace": (lambda *, num_classes, in_channels: tap_features(
        _own_mlp(in_channels, num_classes, inplace=True), layers=["0"]),
        r"^model.student: layers\[0\]='0': the Sequential changed that submodule's output in "
        r"place later in its forward pass .* \(inplace=False\)\.$"),
    "own-3d-logits": (lambda *, num_classes, in_channels: tap_features(
        _Reshaped(_own_mlp(in_channels, num_classes)), layers=["body.1"], pooled="body.2"),
        r"^model.student: model: a tapped _Reshaped must return logits of shape "
        r"\(N, num_classes\) = \(2, K\); it returned \(2, 3, 1\)\. Wrap it"),
}


@pytest.mark.parametrize("student", sorted(_OWN_MODELS))
def test_a_registered_model_that_cannot_run_on_registered_data_is_named(tmp_path, monkeypatch,
                                                                         student):
    monkeypatch.setattr(_MODELS, "_entries", dict(_MODELS._entries))
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))

    def six(*, seed: int = 0) -> DatasetBundle:
        x, y = torch.randn(40, 6), torch.arange(40) % 3
        return DatasetBundle(TensorDataset(x[:24], y[:24]), TensorDataset(x[24:], y[24:]),
                             num_classes=3, input_shape=(6,))

    register_dataset("own-six")(six)
    register_model("own-teacher")(lambda *, num_classes, in_channels: tap_features(
        _own_mlp(in_channels, num_classes), layers=["1"]))
    build, match = _OWN_MODELS[student]
    register_model(student)(build)
    with pytest.raises(ValueError, match=match):
        check_config(tiny(tmp_path, "data.name=own-six", "data.options={}",
                          "model.teacher=own-teacher", f"model.student={student}",
                          "teacher.source=untrained", "run.audit_every=0"))


def test_every_layer_audited_of_models_with_different_layer_counts_is_refused(tmp_path,
                                                                               monkeypatch):
    # a student tapping 2 layers beside the 3-layer synthetic teacher passed check_config, then
    # failed after the run folder was written: "training failed: audit layer index 2 is out of
    # range: the teacher has 3 and the student 2 distilled layers; fix audit.layers" (exit 1)
    monkeypatch.setattr(_MODELS, "_entries", dict(_MODELS._entries))
    register_model("own-two-taps")(lambda *, num_classes, in_channels: tap_features(
        nn.Sequential(nn.Linear(in_channels, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(),
                      nn.Linear(8, num_classes)), layers=["1", "3"]))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=r"^audit.layers: \[\] audits every distilled layer, but "
                                         r"the teacher has 3 and the student 2 distilled layers; "
                                         r"list the layers both have, e.g. audit.layers=\[0, 1\] "
                                         r"\(0 to 1\), or set run.audit_every=0$"):
        check_config(tiny(tmp_path / "runs", "model.student=own-two-taps", "method.name=bas",
                          "run.audit_every=1"))
    assert not list(tmp_path.iterdir())
    checked = check_config(tiny(tmp_path / "runs", "model.student=own-two-taps",
                                "method.name=bas", "run.audit_every=1", "audit.layers=[0, 1]"))
    assert checked.config.audit.layers == [0, 1]
