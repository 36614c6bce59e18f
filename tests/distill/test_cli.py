"""The pidkit-distill command: help, option precedence, one-line errors, train and report."""

from __future__ import annotations

import io
import itertools
import json
import pickle
import re
import subprocess
import sys
import time

import pytest
import torch
from test_checks import Planted
from tiny_runs import TINY, command_env, run_with_reader_gone

from pidkit_distill import training
from pidkit_distill.cli import config_from_args, get_args_parser, main
from pidkit_distill.config import TrainConfig, config_fields, config_to_dict
from pidkit_distill.config_text import apply_overrides
from pidkit_distill.methods import StepOutput, available_methods, get_method
from pidkit_distill.methods.bas import BAS
from pidkit_distill.models import build_model
from pidkit_distill.teacher_keys import unused_by_teacher
from pidkit_distill.training import run as run_module
from pidkit_distill.training.teacher import SupervisedModel, teacher_run_config

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def as_options(items: list[str]) -> list[str]:
    """``section.key=value`` items as per-key options (which the tests' own options override)."""
    args = []
    for item in items:
        key, value = item.split("=", 1)
        section, name, *entry = key.split(".")
        if entry:
            args += [f"--{section}.{name}", f"{'.'.join(entry)}={value}"]
        else:
            args += [f"--{key}", value]
    return args


BASE = as_options(TINY)  # the tiny synthetic run
# the tiny synthetic run's options that train-teacher reads (no teacher.source, no audit)
TEACHER_BASE = as_options([item for item in TINY
                           if unused_by_teacher(item.split("=", 1)[0]) is None])


def help_text(monkeypatch, command: str) -> str:
    monkeypatch.setenv("COLUMNS", "250")
    parser = get_args_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    return sub.format_help()


@pytest.mark.parametrize("command", ["train", "train-teacher"])
def test_help_lists_every_option_with_its_default(monkeypatch, command):
    # train-teacher's help listed the student's --epochs, --method, --audit.* as well, which
    # it ignored
    text = help_text(monkeypatch, command)
    words = set(text.split("\noptions:", 1)[1].replace(",", " ").split())  # the options
    for key, default, _, _ in config_fields():
        shown = command == "train" or unused_by_teacher(key) is None
        assert (f"\n  --{key} " in text) is shown, key  # an option's line in the list
        if shown:
            assert f"(default: {default!r})" in text, key
    for alias in ("--device", "--amp", "--out-dir", "--set", "--config", "--debug"):
        assert alias in words
    student_aliases = {"--epochs", "--method", "--teacher", "--resume", "--audit-every"}
    assert student_aliases <= words if command == "train" else student_aliases.isdisjoint(words)


def test_train_help_lists_the_methods_and_their_presets(monkeypatch):
    text = help_text(monkeypatch, "train")
    for name in available_methods():
        method = get_method(name)
        line = next(x for x in text.splitlines() if x.strip().startswith(f"{name} "))
        assert f"{method.default_preset}*" in line
        assert all(preset in line for preset in method.presets)
    assert "rid    presets: paper-mean*, kd-rid, paper" in text


def test_help_names_every_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert all(cmd in out for cmd in ("train", "train-teacher", "report", "demo"))


def test_version_names_the_command_and_the_package_version(capsys):
    # `pidkit-distill --version` said "the following arguments are required: COMMAND" (exit 2)
    import pidkit

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert (exit_.value.code, capsys.readouterr().out) == (0, f"pidkit-distill {pidkit.__version__}\n")


@pytest.mark.parametrize("argv", [["train", "--version"], ["report", "--version"],
                                  ["report", "runs", "--version"], ["demo", "--version"]])
def test_version_after_a_command_says_to_put_it_before(capsys, argv):
    # `train --version` said "unrecognized arguments: --version", and `report --version` "the
    # following arguments are required: RUN_DIR"
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr() == ("", (
        f"pidkit-distill: error: --version is an option of 'pidkit-distill' itself, not of its "
        f"command {argv[0]}: put it before the command, as in 'pidkit-distill --version'; see "
        "'pidkit-distill --help'\n"))


def test_precedence_defaults_file_options_set(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[run]\nepochs = 9\nseed = 5\n[method]\nname = "vid"\n')
    args = get_args_parser().parse_args([
        "train", "--config", str(path), "--epochs", "4", "--amp", "--method.params", "lam=2.5",
        "--set", "run.epochs=6", "--teacher", "untrained",
    ])
    cfg = config_from_args(args)
    expected = apply_overrides(TrainConfig(), [
        "run.epochs=6", "run.seed=5", "method.name=vid", "run.amp=true",
        "method.params.lam=2.5", "teacher.source=untrained",
    ])
    assert config_to_dict(cfg) == config_to_dict(expected)


def test_list_methods_shows_presets_and_parameters(capsys):
    assert main(["train", "--list-methods"]) == 0
    out = capsys.readouterr().out
    assert {"bas", "kd", "rid", "ted", "vid"} <= {line.split()[0] for line in out.splitlines()
                                                   if not line.startswith(" ")}
    assert "warmup_epochs=30, cycle_epochs=30" in out and "reduction='mean'" in out


# --- user errors: one line on stderr, exit 2, no traceback, found before any work ------------


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Files for the bad inputs: planted pickles, teachers that do not fit, old run folders."""
    root = tmp_path_factory.mktemp("files")
    marker = root / "PWNED"
    torch.save({"model": Planted(marker)}, root / "planted.pt")
    with (root / "planted.pkl").open("wb") as handle:
        pickle.dump(Planted(marker), handle)
    net = build_model("synthetic-teacher", num_classes=4, in_channels=12)
    torch.save({"model": net.state_dict(), "name": "synthetic-teacher"}, root / "named.pt")
    (root / "teacher-run").mkdir()
    torch.save({"model": net.state_dict(), "name": "synthetic-teacher", "num_classes": 4,
                "input_shape": [12]}, root / "teacher-run" / "teacher.pt")
    torch.save(build_model("synthetic-teacher", num_classes=9, in_channels=12).state_dict(),
               root / "bare.pt")
    (root / "a-file").write_text("")
    (root / "bad.toml").write_text("[run\nepochs = 3\n")
    runs = root / "runs"
    assert main(["train", *BASE, "--out-dir", str(runs), "--run.name", "old", "--epochs", "2",
                 "--run.stop_after", "1"]) == 0
    (runs / "planted").mkdir()
    torch.save({"format": 2, "config": Planted(marker)}, runs / "planted" / "checkpoint.pt")
    return root


OUT = ["--out-dir", "{root}/runs"]
BAD_INPUTS = {
    # name: (arguments after `train`, what the one line must say)
    # the shared registry's message, like models and data: where to register, and the closest
    # name (the whole line: test_the_module_entry_point_exits_2_with_one_line)
    "unknown method": (["--method", "rdi"], "method.name: name='rdi' is not a known method; "
                                            "choose one of ['bas', "),
    "unknown preset": (["--method", "rid", "--preset", "fast"],
                       "method.preset: 'fast' is not a preset of method 'rid'"),
    "unknown method parameter": (["--method", "rid", "--set", "method.params.n_warmup=3"],
                                 "unknown parameter(s) ['n_warmup'] for method 'rid'"),
    "negative method weight": (["--method", "rid", "--set", "method.params.lambda2=-1.0"],
                               "method.params: lambda2 must be a real number >= 0"),
    "infinite method parameter": (["--method", "kd", "--set", "method.params.temperature=inf"],
                                  "parameter temperature of method 'kd' must be finite"),
    "misspelt audit estimator": (["--audit.estimator", "gausian"],
                                 "'audit.estimator' must be one of ['discrete', 'gaussian']"),
    "correction of the other estimator": (
        ["--audit.estimator", "gaussian", "--audit.bias_correction", "extrapolation"],
        "'audit.bias_correction' must be one of ['auto', 'wishart', 'none'] with "
        "audit.estimator='gaussian'"),
    "schedule longer than the run": (
        ["--method", "rid", "--set", "method.params.warmup_epochs=30", "--epochs", "30"],
        "trains the student in 0 of run.epochs=30 epochs, fewer than half; lower "
        "method.params.warmup_epochs"),
    "NaN learning rate": (["--optim.lr", "nan"], "'optim.lr' must be a finite number > 0.0, got nan"),
    "zero learning rate": (["--optim.lr", "0"], "'optim.lr' must be a finite number > 0.0, got 0.0"),
    "infinite gradient clip": (["--optim.grad_clip", "inf"],
                               "'optim.grad_clip' must be a finite number >= 0.0, got inf"),
    "momentum of one": (["--optim.momentum", "1"], "'optim.momentum' must be a finite number"),
    "missing teacher file": (["--teacher", "{root}/none.pt"],
                             "teacher.source: teacher file '{root}/none.pt' does not exist"),
    "planted teacher file (zip)": (["--teacher", "{root}/planted.pt"],
                                   "holds Python objects other than tensors"),
    "planted teacher file (pickle)": (["--teacher", "{root}/planted.pkl"],
                                      "holds Python objects other than tensors"),
    "teacher file of another model": (
        ["--teacher", "{root}/named.pt", "--model.teacher", "digits-teacher", "--data", "digits",
         "--model.student", "digits-student", "--set", "data.options={{}}"],
        "holds a 'synthetic-teacher', but model.teacher is 'digits-teacher'"),
    "teacher file of another model and data": (
        ["--teacher", "{root}/teacher-run/teacher.pt", "--model.teacher", "digits-teacher",
         "--data", "digits", "--model.student", "digits-student", "--set", "data.options={{}}"],
        "holds a 'synthetic-teacher', but model.teacher is 'digits-teacher'; set "
        "model.teacher=synthetic-teacher and use the data it was trained on (the file's teacher "
        "has 4 classes and input shape (12,)), not 'digits' (10 classes, input shape (1, 8, 8))\n"),
    "teacher run folder for its file": (
        ["--teacher", "{root}/teacher-run"],
        "teacher.source: teacher file '{root}/teacher-run' is a folder; pass the teacher.pt in "
        "it: {root}/teacher-run/teacher.pt\n"),
    "folder for a teacher file": (
        ["--teacher", "{root}"],
        "teacher.source: teacher file '{root}' is a folder; expected the path of a file holding "
        "a teacher: "),
    "teacher file of another shape": (["--teacher", "{root}/bare.pt"],
                                      "does not fit model.teacher='synthetic-teacher'"),
    "unknown data set": (["--data", "mnist"], "data: name='mnist' is not a known dataset"),
    # "register your own" alone sent a command-line user to a registry the command could not
    # see; it sees those of an --import module, also needed to resume a run that names them
    "misspelt data set": (["--data", "digts"], "runs included). Did you mean 'digits'?\n"),
    "misspelt model": (["--set", "model.student=synthetic-studnet"],
                       "runs included). Did you mean 'synthetic-student'?\n"),
    "unknown model, registered elsewhere": (
        ["--set", "model.student=my-mlp"],
        "register_model in the Python script that calls pidkit_distill.train, or in a module "
        "that you pass to the pidkit-distill command with --import MODULE (on every run that "
        "names it, resumed runs included).\n"),
    "unknown data option": (["--set", "data.options.n_trian=5"],
                            "unknown option(s) ['n_trian'] for data set 'synthetic'"),
    "CIFAR without data": (["--data", "cifar10", "--set", "data.options={{}}", "--data.root",
                            "{root}/nowhere"],
                           "error: data.root: {root}/nowhere/cifar-10-batches-py not found; put "
                           "the python-pickle cifar10 archive's folder there, point root (the "
                           "configuration's data.root) at the folder that holds it, or pass "
                           "download=True (data.options.download=true; "),
    "CIFAR without data, download=False": (
        ["--data", "cifar10", "--set", "data.options={{}}", "--set", "data.options.download=False",
         "--data.root", "{root}/nowhere"],
        "error: data.root: {root}/nowhere/cifar-10-batches-py not found;"),
    "flag option that is not a bool": (
        ["--data", "cifar10", "--set", "data.options={{}}", "--set", "data.options.augment=maybe"],
        "error: data: augment must be True or False; got 'maybe' (str)."),
    "digits held out too few": (
        ["--data", "digits", "--set", "data.options={{}}", "--set",
         "data.options.test_fraction=0.001"],
        "error: data: test_fraction=0.001 holds out 2 of the 1797 digits, fewer than the 10 "
        "classes; use test_fraction >= 0.0051."),
    "digits left to train on too few": (
        ["--data", "digits", "--set", "data.options={{}}", "--set",
         "data.options.test_fraction=0.9999"],
        "error: data: test_fraction=0.9999 leaves 0 of the 1797 digits to train on"),
    "negative seed": (["--seed", "-1"],
                      "error: config key 'run.seed' must be >= 0 and < 4294967296, got -1"),
    "seed beyond numpy's": (["--seed", "4294967296"], "'run.seed' must be >= 0 and < 4294967296"),
    "teacher trained for no epoch": (["--teacher", "trained", "--teacher.epochs", "0"],
                                     "error: config key 'teacher.epochs' must be >= 1, got 0"),
    "unknown model": (["--model.student", "resnet-18"],
                      "model.student: name='resnet-18' is not a known model"),
    "model for other data": (["--model.student", "digits-student"],
                             "'digits-student' cannot take the inputs of data 'synthetic'"),
    "run folder under a file": (["--out-dir", "{root}/a-file/runs"],
                                "run.out_dir: run folder '{root}/a-file/runs/"),
    "checkpoint without --resume": (["--run.name", "old", "--epochs", "2"],
                                    "already holds a checkpoint; pass run.resume=true"),
    "resume with another config": (["--run.name", "old", "--epochs", "2", "--resume",
                                    "--optim.lr", "0.1"],
                                   "configuration changed (optim.lr: 0.05 -> 0.1)"),
    "planted checkpoint": (["--run.name", "planted", "--resume"],
                           "run.resume: checkpoint '{root}/runs/planted/checkpoint.pt' holds "
                           "Python objects other than tensors"),
    "audit layer beyond the models": (["--audit-every", "1", "--audit.layers", "[5]"],
                                      "audit.layers: [5] holds an index beyond"),
    "unknown key": (["--set", "run.epoch=3"], "unknown config key 'run.epoch'"),
    "value of the wrong type": (["--epochs", "three"], "'run.epochs' expects an int, got 'three'"),
    "missing config file": (["--config", "{root}/none.toml"], "does not exist"),
    "broken config file": (["--config", "{root}/bad.toml"], "error: "),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_a_bad_input_is_one_line_exit_2_and_no_work(name, files, capsys):
    args, expected = BAD_INPUTS[name]
    args = [a.format(root=files) for a in [*OUT, *args]]
    before = sorted(files.rglob("*"))
    start = time.perf_counter()
    status = main(["train", *BASE, *args])
    seconds = time.perf_counter() - start
    out, err = capsys.readouterr()
    assert status == 2, (out, err)
    assert err.endswith("\n") and err.count("\n") == 1, err  # one line
    assert err.startswith("pidkit-distill train: error: ") and "Traceback" not in err
    assert expected.format(root=files) in err, err
    assert seconds < 10
    assert sorted(files.rglob("*")) == before  # nothing trained, loaded into place or written
    assert not (files / "PWNED").exists()


@pytest.mark.parametrize(("argv", "line"), [
    (["trian"], "pidkit-distill: error: argument COMMAND: invalid choice: 'trian' (choose from "
                "'train', 'train-teacher', 'report', 'demo'). Did you mean 'train'? See "
                "'pidkit-distill --help'"),
    (["train", "--epochs"], "pidkit-distill train: error: argument --run.epochs/--epochs: "
                            "expected one argument; see 'pidkit-distill train --help'"),
    (["report"], "pidkit-distill report: error: the following arguments are required: RUN_DIR; "
                 "see 'pidkit-distill report --help'"),
    # no abbreviations: '--epo 3' ran 3 epochs, and '--out runs/x' (report's option) put the
    # run in runs/x/digits-bas-tt-s0 as --out-dir; either breaks when a new option shares the
    # prefix. A misspelt option is the command's error, with the closest option
    (["train", "--epo", "3"], "pidkit-distill train: error: unrecognized arguments: --epo 3. Did "
                              "you mean '--epochs'? See 'pidkit-distill train --help'"),
    (["train", "--out", "runs/x"], "pidkit-distill train: error: unrecognized arguments: --out "
                                   "runs/x. Did you mean '--out-dir'? See 'pidkit-distill train "
                                   "--help'"),
    (["demo", "--epoch=3"], "pidkit-distill demo: error: unrecognized arguments: --epoch=3. Did "
                            "you mean '--epochs'? See 'pidkit-distill demo --help'"),
])
def test_a_command_line_mistake_is_one_line_that_points_to_the_help(argv, line, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and out == "" and err == line + "\n"


def test_subcommand_help_still_exits_0(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train-teacher", "--help"])
    assert exit_.value.code == 0 and "--teacher.epochs" in capsys.readouterr().out


def test_the_module_entry_point_exits_2_with_one_line(tmp_path):
    command = [sys.executable, "-m", "pidkit_distill", "train", "--method", "rdi",
               "--out-dir", str(tmp_path)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60,
                          env=command_env())
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "pidkit-distill train: error: method.name: name='rdi' is not a known method; choose one "
        f"of {available_methods()}, or register your own with "
        "pidkit_distill.methods.register_method in the Python script that calls "
        "pidkit_distill.train, or in a module that you pass to the pidkit-distill command with "
        "--import MODULE (on every run that names it, resumed runs included). Did you mean "
        "'rid'?"]
    assert not list(tmp_path.iterdir())


def test_debug_raises_with_the_traceback(tmp_path):
    with pytest.raises(ValueError, match=r"^method\.name: name='rdi' is not a known method"):
        main(["train", "--method", "rdi", "--out-dir", str(tmp_path), "--debug"])


def test_other_commands_report_errors_in_one_line(tmp_path, capsys):
    assert main(["train-teacher", "--model.teacher", "nosuch"]) == 2
    assert capsys.readouterr().err.startswith(
        "pidkit-distill train-teacher: error: model.teacher: name='nosuch' is not a known model")
    assert main(["report", str(tmp_path)]) == 2
    assert "is not a run folder" in capsys.readouterr().err
    (tmp_path / "mine.txt").write_text("")
    assert main(["demo", "--out-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "was not made by the demo" in err


# --- failures during training: exit 1, one line with the epoch, the step and what was saved --


def test_a_nan_loss_exits_1_and_says_where_and_what_was_saved(tmp_path, capsys, monkeypatch):
    calls = itertools.count(1)
    forward = BAS.forward

    def nan_from_step_5(self, x, y, *, epoch):  # 3 steps an epoch: epoch 2, step 2
        out = forward(self, x, y, epoch=epoch)
        if next(calls) >= 5:
            return StepOutput(out.logits, {k: v * float("nan") for k, v in out.losses.items()})
        return out

    monkeypatch.setattr(BAS, "forward", nan_from_step_5)
    assert main(["train", *BASE, "--out-dir", str(tmp_path), "--epochs", "3"]) == 1
    err = capsys.readouterr().err
    checkpoint = tmp_path / "synthetic-bas-ut-s0" / "checkpoint.pt"
    assert err == (
        "pidkit-distill train: training failed: the training loss became NaN or infinite in "
        f"epoch 2, step 2 of 3; saved: {checkpoint} holds the run after epoch 1 (resume with "
        "run.resume=true); lower optim.lr or optim.grad_clip (now 100)\n")
    lines = (checkpoint.parent / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1]
    calls = itertools.count(1)  # unclipped, the hint says to clip
    assert main(["train", *BASE, "--out-dir", str(tmp_path / "unclipped"), "--epochs", "3",
                 "--optim.grad_clip", "0"]) == 1
    assert capsys.readouterr().err.endswith("lower optim.lr or set optim.grad_clip (e.g. 100)\n")


def test_running_out_of_memory_exits_1_and_says_nothing_was_saved(tmp_path, capsys, monkeypatch):
    def out_of_memory(self, x, y, *, epoch):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(BAS, "forward", out_of_memory)
    assert main(["train", *BASE, "--out-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        "pidkit-distill train: training failed: out of memory (OutOfMemoryError) in epoch 1, "
        "step 1 of 3; nothing was saved (no epoch had completed); lower data.batch_size\n")


# --- Ctrl-C: one line saying what was saved and how to go on, exit 130 -------------------------


def interrupted_status(argv: list[str]) -> int:
    """``main(argv)``'s exit status; a KeyboardInterrupt let through fails the test (only)."""
    try:
        return main(argv)
    except KeyboardInterrupt:
        pytest.fail("pidkit-distill let the KeyboardInterrupt through (a traceback)")


def interrupt_at(monkeypatch, cls, call: int) -> None:
    """Make the ``call``-th training step of ``cls`` raise KeyboardInterrupt (as Ctrl-C does)."""
    calls = itertools.count(1)
    forward = cls.forward

    def interrupted(self, *args, **kwargs):
        if next(calls) == call:
            raise KeyboardInterrupt
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(cls, "forward", interrupted)


def test_ctrl_c_in_training_says_what_the_checkpoint_holds_and_how_to_resume(
        tmp_path, capsys, monkeypatch):
    argv = ["train", *BASE, "--out-dir", str(tmp_path), "--epochs", "4"]
    interrupt_at(monkeypatch, BAS, 8)  # 3 steps an epoch: epoch 3, step 2
    assert interrupted_status(argv) == 130
    out, err = capsys.readouterr()
    run = tmp_path / "synthetic-bas-ut-s0"
    assert err == (f"pidkit-distill train: interrupted during epoch 3 of {run}; its checkpoint.pt "
                   "holds the run after epoch 2: rerun the same command with --resume "
                   "(run.resume=true) to continue from there\n")
    assert "epoch 2/4" in out and "epoch 3/4" not in out
    monkeypatch.undo()
    assert main([*argv, "--resume"]) == 0  # what the line says to do works
    assert f"resumed {run / 'checkpoint.pt'} after epoch 2" in capsys.readouterr().out
    lines = (run / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2, 3, 4]


def test_the_last_line_says_when_a_run_stopped_early_and_when_nothing_was_left(tmp_path, capsys):
    # '--run.stop_after 1' ended with the line of a finished run, and resuming a complete run
    # said only 'resumed ... after epoch 2'
    argv = ["train", *BASE, "--out-dir", str(tmp_path), "--epochs", "2"]
    run = tmp_path / "synthetic-bas-ut-s0"
    assert main([*argv, "--run.stop_after", "1"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.endswith(f"(epoch 1); run folder {run}; stopped after epoch 1 of 2 "
                         "(run.stop_after=1): rerun with --resume to continue"), last
    assert main([*argv, "--resume"]) == 0
    out = capsys.readouterr().out
    assert f"resumed {run / 'checkpoint.pt'} after epoch 1\n" in out
    assert out.splitlines()[-1].endswith(f"; run folder {run}")
    assert main([*argv, "--resume"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"resumed {run / 'checkpoint.pt'} after epoch 2 (the run is complete: "
                      "nothing to train)")
    assert len(out) == 2 and out[1].endswith(f"; run folder {run}")


def test_ctrl_c_in_the_first_epoch_says_nothing_was_saved(tmp_path, capsys, monkeypatch):
    argv = ["train", *BASE, "--out-dir", str(tmp_path), "--epochs", "2"]
    interrupt_at(monkeypatch, BAS, 2)
    assert interrupted_status(argv) == 130
    assert capsys.readouterr().err == (
        f"pidkit-distill train: interrupted during epoch 1 of {tmp_path / 'synthetic-bas-ut-s0'}; "
        "nothing was saved (no epoch had completed): rerun the same command to start again\n")
    monkeypatch.undo()
    assert main(argv) == 0


def test_ctrl_c_while_a_teacher_trains_resumes_with_the_same_command(tmp_path, capsys,
                                                                     monkeypatch):
    argv = ["train-teacher", *TEACHER_BASE, "--out-dir", str(tmp_path), "--teacher.epochs", "3"]
    interrupt_at(monkeypatch, SupervisedModel, 5)  # epoch 2, step 2
    assert interrupted_status(argv) == 130
    (run,) = tmp_path.glob("teacher-*")
    assert capsys.readouterr().err == (
        f"pidkit-distill train-teacher: interrupted during epoch 2 of {run}; its checkpoint.pt "
        "holds the run after epoch 1: rerun the same command to continue from there\n")
    monkeypatch.undo()
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"resumed {run / 'checkpoint.pt'} after epoch 1" in out and "teacher: " in out


def test_ctrl_c_outside_the_epochs_and_in_the_demo(tmp_path, capsys, monkeypatch):
    def ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_module, "load_data", ctrl_c)
    assert interrupted_status(["train", *BASE, "--out-dir", str(tmp_path)]) == 130
    assert capsys.readouterr().err == ("pidkit-distill train: interrupted while no epoch was "
                                       "running (nothing was left half-done): rerun the same "
                                       "command\n")
    with pytest.raises(KeyboardInterrupt):  # --debug: the traceback
        main(["train", *BASE, "--out-dir", str(tmp_path), "--debug"])
    monkeypatch.setattr(training, "train_teacher", ctrl_c)
    assert interrupted_status(["demo", "--out-dir", str(tmp_path / "demo")]) == 130
    assert capsys.readouterr().err == (
        "pidkit-distill demo: interrupted; its runs are incomplete and were stopped: run the demo "
        "again to start over (it empties its --out-dir first)\n")


def test_sigterm_stops_training_as_ctrl_c_does_with_status_143(tmp_path):
    # kill, timeout and a scheduler's pre-emption send SIGTERM: it used to end the process at
    # once with no word of what was saved (status 143 from the signal itself)
    command = [sys.executable, "-m", "pidkit_distill", "train", *BASE, "--out-dir",
               str(tmp_path), "--epochs", "100000"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, env=command_env())
    metrics = tmp_path / "synthetic-bas-ut-s0" / "metrics.jsonl"
    try:
        deadline = time.monotonic() + 120
        while not (metrics.exists() and metrics.read_text().count("\n") >= 2):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.1)
        proc.terminate()
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 143, err
    run = re.escape(str(metrics.parent))
    line = re.fullmatch(
        rf"pidkit-distill train: interrupted (during|after) epoch (\d+) of {run}; "
        r"its checkpoint.pt holds the run after epoch (\d+): rerun the same command with "
        r"--resume \(run.resume=true\) to continue from there\n", err)
    assert line, err
    saved = int(line[3])
    assert saved >= 2
    assert main([*command[3:], "--resume", "--run.stop_after", "1"]) == 0  # it resumes
    assert json.loads(metrics.read_text().splitlines()[-1])["epoch"] == saved + 1


def test_a_reader_that_goes_away_stops_training_in_one_line_with_status_141(tmp_path):
    # `pidkit-distill train ... | head`: it said "training failed: [Errno 32] Broken pipe", exit 1
    status, err = run_with_reader_gone("train", *BASE, "--out-dir", str(tmp_path), "--epochs", "2")
    assert status == 141, err
    assert err == ("pidkit-distill train: stopped: the reader of its output went away (as `| head` "
                   "does); a run keeps its checkpoint.pt of the last completed epoch, and "
                   "rerunning the same command with --resume continues it; send the output to a "
                   "file or through `tee` to keep it running\n")


def test_a_reader_that_goes_away_stops_a_teacher_saying_the_same_command_continues(tmp_path):
    # it said to rerun with --resume, which train-teacher does not take (it resumes by itself)
    status, err = run_with_reader_gone("train-teacher", *TEACHER_BASE, "--out-dir", str(tmp_path),
                                       "--teacher.epochs", "2")
    assert status == 141, err
    assert err == ("pidkit-distill train-teacher: stopped: the reader of its output went away (as "
                   "`| head` does); the teacher's run keeps its checkpoint.pt of the last "
                   "completed epoch, and rerunning the same command continues it; send the "
                   "output to a file or through `tee` to keep it running\n")


def test_a_warning_is_one_line(tmp_path, capsys):
    assert main(["train", *BASE, "--out-dir", str(tmp_path), "--epochs", "1", "--amp"]) == 0
    assert capsys.readouterr().err == ("pidkit-distill train: warning: run.amp=true has no effect "
                                       "on CPU (bf16 autocast is used on CUDA only)\n")


# --- progress bars only on a terminal ----------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [False, True])
def test_progress_bars_are_drawn_only_on_a_terminal(tmp_path, monkeypatch, capsys, terminal):
    stream = Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    assert main(["train", *BASE, "--run.progress", "true", "--out-dir", str(tmp_path)]) == 0
    assert ("epoch 1:" in stream.getvalue()) is terminal  # tqdm's bar, on stderr
    out = capsys.readouterr().out
    assert "[bas] epoch 1/30 phase=student" in out and "\r" not in out  # plain lines


# --- the documented commands --------------------------------------------------------------------


def test_quick_start_trains_the_rid_student(tmp_path, capsys):
    # docs/distill.md's quick start, as written, with the teacher trained 3 epochs instead of 30
    # and the run stopped after 7 of its 30 epochs (its first 3 student epochs) to keep the
    # test short; the schedule is the one the full command uses (see test_checks), and the
    # full command reaches about 98 % (docs/distill.md).
    argv = ["train", "--data", "digits", "--method", "rid", "--teacher", "trained",
            "--epochs", "30"]
    assert main([*argv, "--teacher.epochs", "3", "--run.stop_after", "7", "--out-dir",
                 str(tmp_path), "--run.threads", "1", "--audit-every", "0",
                 "--run.progress", "false"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("notice: method 'rid' (preset 'paper-mean'): warmup_epochs=30, "
                          "cycle_epochs=30 is the schedule of a 300-epoch run")
    summary = json.loads((tmp_path / "digits-rid-tt-s0" / "summary.json").read_text())
    assert summary["epochs_done"] == 7 and summary["method_preset"] == "paper-mean"
    records = [json.loads(x) for x in
               (tmp_path / "digits-rid-tt-s0" / "metrics.jsonl").read_text().splitlines()]
    assert [r["phase"] for r in records] == ["filter"] * 4 + ["student"] * 3
    assert summary["last_acc"] > 0.5


def test_train_then_report_from_the_command_line(tmp_path, capsys):
    common = [
        *BASE, "--epochs", "2", "--audit-every", "1", "--audit.layers", "[2]",
        "--audit.clusters", "3", "--out-dir", str(tmp_path),
    ]
    assert main(["train", *common, "--method", "bas"]) == 0
    assert main(["train", *common, "--method", "vid"]) == 0
    out = capsys.readouterr().out
    assert "last acc" in out and "synthetic-vid-ut-s0" in out
    runs = [str(tmp_path / "synthetic-bas-ut-s0"), str(tmp_path / "synthetic-vid-ut-s0")]
    assert main(["report", *runs, "--out", str(tmp_path / "rep")]) == 0
    printed = capsys.readouterr().out
    assert "| synthetic-bas-ut-s0 | synthetic | bas | untrained | 2/2 |" in printed
    for name in ("accuracy.png", "pid_atoms.png"):
        assert (tmp_path / "rep" / name).read_bytes()[:8] == PNG_MAGIC
    assert not (tmp_path / "rep" / "pid_atoms_all_layers.png").exists()  # one layer audited
    table = (tmp_path / "rep" / "report.md").read_text()
    assert table.count("| synthetic-") == 2
    last = json.loads((tmp_path / "synthetic-vid-ut-s0" / "audit.jsonl").read_text()
                      .splitlines()[-1])

    def cell(atom: str) -> str:  # the atom and its bootstrap interval
        low, high = last["intervals"][atom]
        return f"{last[atom]:.3f} [{low:.3f}, {high:.3f}]"

    assert f"| {cell('red')} | {cell('uni_t')} |" in table
    # the held-out set's size, for the accuracy's standard-error band (it was recorded nowhere)
    metrics = (tmp_path / "synthetic-vid-ut-s0" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["test_n"] for line in metrics] == [64, 64]  # data.options.n_test of TINY


# --- train-teacher ----------------------------------------------------------------------------


def test_train_teacher_refuses_the_students_epochs_and_warns_about_the_rest(tmp_path, capsys):
    # `train-teacher --epochs 1` trained the teacher for teacher.epochs = 30 epochs, saying
    # nothing; --method, --audit.* and the like were ignored as silently
    out_dir = ["--out-dir", str(tmp_path)]
    assert main(["train-teacher", *TEACHER_BASE, *out_dir, "--epochs", "1"]) == 2
    assert capsys.readouterr() == ("", "pidkit-distill train-teacher: error: --run.epochs/--epochs "
                                   "is the student's, not used by train-teacher; pass "
                                   "--teacher.epochs\n")
    assert main(["train-teacher", *TEACHER_BASE, *out_dir, "--set", "optim.lr=0.1"]) == 2
    assert capsys.readouterr().err == ("pidkit-distill train-teacher: error: --set optim.lr=0.1 "
                                       "is the student's, not used by train-teacher; pass "
                                       "--teacher.lr\n")
    assert not list(tmp_path.iterdir())
    assert main(["train-teacher", *TEACHER_BASE, *out_dir, "--teacher.epochs", "1",
                 "--method", "rid", "--set", "audit.clusters=3"]) == 0
    assert capsys.readouterr().err == (
        "pidkit-distill train-teacher: warning: --method.name/--method is not used by "
        "train-teacher: the teacher trains with cross-entropy alone\n"
        "pidkit-distill train-teacher: warning: --set audit.clusters=3 is not used by "
        "train-teacher: the teacher's run has no audit\n")
    (run,) = tmp_path.glob("teacher-synthetic-synthetic-teacher-s0-e1-*")
    assert len((run / "metrics.jsonl").read_text().splitlines()) == 1


def test_the_keys_train_teacher_refuses_or_ignores_change_nothing_of_the_teachers_run():
    # unused_by_teacher is what train-teacher's help hides and its command line refuses: each
    # key it names must leave the teacher's run (teacher_run_config) as it is
    changed = {"run.epochs": "7", "run.seed": "5", "optim.lr": "0.3",
               "model.student": "synthetic-teacher", "teacher.source": "trained",
               "method.name": "rid", "method.preset": "kd-rid", "method.params.lambda2": "0.5",
               "audit.clusters": "3", "run.audit_every": "2", "run.name": "mine",
               "run.resume": "true", "run.stop_after": "1"}
    keys = {key for key, _, _, _ in config_fields()} | set(changed)
    sections = {key for key in keys if key.startswith(("audit.", "method."))}  # one stands for all
    assert {key for key in keys if unused_by_teacher(key)} == set(changed) | sections
    base = apply_overrides(TrainConfig(), TINY)

    def teachers_run(config: TrainConfig) -> dict:
        run = config_to_dict(teacher_run_config(config))
        return {section: values for section, values in run.items() if section != "audit"}

    for key, value in changed.items():
        assert teachers_run(apply_overrides(base, [f"{key}={value}"])) == teachers_run(base), key


def test_train_teacher_says_when_it_reuses_a_teacher_and_gives_its_accuracy(tmp_path, capsys):
    # the second run printed "teacher saved to PATH" as the first did, without saying that
    # nothing was trained (or saved), and neither said how good the teacher was
    argv = ["train-teacher", *TEACHER_BASE, "--out-dir", str(tmp_path), "--teacher.epochs", "2"]
    assert main(argv) == 0
    (path,) = tmp_path.glob("teacher-*/teacher.pt")
    saved = f"teacher: {path} (held-out accuracy "
    accuracy = torch.load(path, weights_only=True)["test_acc"]
    out = capsys.readouterr().out
    assert out.startswith("training the teacher synthetic-teacher for 2 epochs -> ")
    assert out.endswith(f"{saved}{accuracy:.4f})\n")
    written = path.stat().st_mtime_ns
    assert main(argv) == 0
    assert capsys.readouterr().out == (
        f"reusing the teacher synthetic-teacher trained before with the same settings: {path}\n"
        f"{saved}{accuracy:.4f})\n")
    assert path.stat().st_mtime_ns == written
    # a damaged cached teacher was reused as if whole: one line, exit 2, naming the cache (which
    # the user never named) and how to train the teacher again
    path.write_bytes(b"")
    line = (f"teacher file '{path}' is not a file written by torch.save; expected a teacher: a "
            "dict whose 'model' entry is a state dict of tensors (as `pidkit-distill "
            "train-teacher` writes), or such a state dict itself; it is the teacher cached for "
            f"these settings: delete {path.parent} to train it again\n")
    assert main(argv) == 2
    assert capsys.readouterr() == ("", f"pidkit-distill train-teacher: error: {line}")
    assert main(["train", *BASE, "--teacher", "trained", "--teacher.epochs", "2", "--out-dir",
                 str(tmp_path)]) == 2
    assert capsys.readouterr() == ("", f"pidkit-distill train: error: teacher.source: {line}")


# --- report on damaged run folders -------------------------------------------------------------


@pytest.fixture()
def three_epochs(tmp_path, capsys):
    """A finished 3-epoch run with an audit, and its folder."""
    assert main(["train", *BASE, "--epochs", "3", "--audit-every", "1", "--audit.layers", "[2]",
                 "--audit.clusters", "3", "--audit.bootstrap", "0", "--out-dir",
                 str(tmp_path / "runs")]) == 0
    capsys.readouterr()
    return tmp_path / "runs" / "synthetic-bas-ut-s0"


@pytest.mark.parametrize("name", ["metrics.jsonl", "audit.jsonl"])
def test_report_skips_a_last_line_cut_off_by_a_killed_run(three_epochs, capsys, name):
    path = three_epochs / name
    text = path.read_text()
    path.write_text(text[:-40])  # killed while writing the last record
    lines = text.count("\n")
    assert main(["report", str(three_epochs)]) == 0
    out, err = capsys.readouterr()
    assert err == (f"pidkit-distill report: warning: {path}: skipped line {lines}, the last, "
                   "which is cut off (the run was killed while writing it)\n")
    row = next(line for line in out.splitlines() if line.startswith("| synthetic-bas-ut-s0"))
    assert ("| 2/3 |" in row) is (name == "metrics.jsonl")


@pytest.mark.parametrize("name", ["metrics.jsonl", "audit.jsonl"])
def test_report_refuses_a_file_damaged_before_its_last_line(three_epochs, capsys, name):
    path = three_epochs / name
    lines = path.read_text().splitlines(keepends=True)
    lines[1] = lines[1][:30] + "\n"
    path.write_text("".join(lines))
    assert main(["report", str(three_epochs)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith(f"pidkit-distill report: error: {path}: line 2 is not JSON (")
    assert err.endswith("; the file is damaged (only a cut-off last line, from a killed run, "
                        "is skipped)\n")
    path.write_text("".join([*lines[:1], "[1, 2]\n", *lines[2:]]))  # JSON, not a record
    assert main(["report", str(three_epochs)]) == 2
    assert f"{path}: line 2 is not a JSON object; the file is damaged" in capsys.readouterr().err


def test_report_refuses_a_folder_without_metrics_and_an_out_that_is_a_file(three_epochs, capsys):
    afile = three_epochs.parent / "afile"
    afile.write_text("")
    assert main(["report", str(three_epochs), "--out", str(afile)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == (f"pidkit-distill report: error: out_dir='{afile}' cannot be "
                                 "created (File exists); choose another folder (--out)\n")
    assert not (three_epochs / "report").exists()
    (three_epochs / "metrics.jsonl").unlink()
    assert main(["report", str(three_epochs)]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: '{three_epochs}': the metrics.jsonl of this run folder is "
        "missing (it has its config.json and checkpoint.pt; deleted or moved?), so its epochs' "
        "records are not known; put metrics.jsonl back, or leave this run out (its checkpoint "
        "still loads with load_student)\n")
