"""The pidkit-distill command: help, option precedence, one-line errors, train and report."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest
import torch
from test_checks import Planted
from tiny_runs import TINY, command_env

import pidkit_distill.training
from pidkit_distill.cli import config_from_args, get_args_parser, main
from pidkit_distill.config import TrainConfig, config_fields, config_to_dict
from pidkit_distill.config.teacher_keys import unused_by_teacher
from pidkit_distill.config_text import apply_overrides
from pidkit_distill.methods import available_methods, get_method
from pidkit_distill.models import build_model


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


@pytest.mark.parametrize("command", ["train", "train-teacher", "report", "demo"])
def test_every_command_s_help_says_what_it_does(capsys, command):
    # `pidkit-distill demo --help` printed its usage and two options, nothing of what the demo
    # trains, how long it takes or what it writes (the other commands' help says so)
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    out = capsys.readouterr().out
    usage, _, rest = out.partition("\n\n")
    said = rest.partition("\n\n")[0]
    assert exit_.value.code == 0 and usage.startswith(f"usage: pidkit-distill {command} ")
    assert not said.startswith(("options:", "positional arguments:")) and len(said) > 100, out
    if command == "demo":
        flat = " ".join(said.split())
        assert all(part in flat for part in ("BAS, VID and RID", "4,000", "100 of them",
                                             "--out-dir", "report/")), flat


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
    "unknown method": (["--method", "rdi"], "error: --method rdi: not a known method; "
                                            "choose one of ['bas', "),
    "unknown preset": (["--method", "rid", "--preset", "fast"],
                       "error: --preset fast: not a preset of method 'rid'"),
    "preset in capitals": (["--method", "rid", "--preset", "Paper"],
                           "error: --preset Paper: not a preset of method 'rid'; choose one of "
                           "['kd-rid', 'paper', 'paper-mean']. Did you mean 'paper'?\n"),
    "unknown method parameter": (["--method", "rid", "--set", "method.params.n_warmup=3"],
                                 "error: --set method.params.n_warmup=3: unknown parameter(s) "
                                 "['n_warmup'] for method 'rid'"),
    # it listed the parameters only, where every other name of the command gets the closest
    "misspelt method parameter": (["--method", "rid", "--set", "method.params.lamda2=0.5"],
                                  "'warmup', 'warmup_epochs']. Did you mean 'lambda2'?\n"),
    "negative method weight": (["--method", "rid", "--set", "method.params.lambda2=-1.0"],
                               "--set method.params.lambda2=-1.0: lambda2 must be a real number >= 0"),
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
    "NaN learning rate": (["--optim.lr", "nan"], "error: --optim.lr nan: config key 'optim.lr' "
                                                 "must be a finite number > 0.0; e.g. "
                                                 "--optim.lr 0.05\n"),
    "zero learning rate": (["--optim.lr", "0"], "--optim.lr 0: config key 'optim.lr' must be a "
                                                "finite number > 0.0; e.g."),
    "infinite gradient clip": (["--optim.grad_clip", "inf"],
                               "--optim.grad_clip inf: config key 'optim.grad_clip' must be a "
                               "finite number >= 0.0; e.g."),
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
    "unknown data set": (["--data", "mnist"], "error: --data mnist: not a known dataset"),
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
        "error: --set data.options.augment=maybe: augment must be True or False; got 'maybe' (str)."),
    "digits held out too few": (
        ["--data", "digits", "--set", "data.options={{}}", "--set",
         "data.options.test_fraction=0.001"],
        "error: --set data.options.test_fraction=0.001: test_fraction=0.001 holds out 2 of the "
        "1797 digits, fewer than the 10 classes; use test_fraction >= 0.0051."),
    "digits left to train on too few": (
        ["--data", "digits", "--set", "data.options={{}}", "--set",
         "data.options.test_fraction=0.9999"],
        "error: --set data.options.test_fraction=0.9999: test_fraction=0.9999 leaves 0 of the "
        "1797 digits to train on"),
    "negative seed": (["--seed", "-1"],
                      "error: --seed -1: config key 'run.seed' must be >= 0 and < 4294967296; "
                      "e.g. --seed 0\n"),
    "seed beyond numpy's": (["--seed", "4294967296"], "'run.seed' must be >= 0 and < 4294967296"),
    "teacher trained for no epoch": (["--teacher", "trained", "--teacher.epochs", "0"],
                                     "error: --teacher.epochs 0: config key 'teacher.epochs' "
                                     "must be >= 1; e.g. --teacher.epochs 30\n"),
    "unknown model": (["--model.student", "resnet-18"],
                      "error: --model.student resnet-18: not a known model"),
    "model for other data": (["--model.student", "digits-student"],
                             "'digits-student' cannot take the inputs of data 'synthetic'"),
    "run folder under a file": (["--out-dir", "{root}/a-file/runs"],
                                "--out-dir {root}/a-file/runs: cannot create the folder "
                                "'{root}/a-file/runs': '{root}/a-file' is a file, not a folder"),
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
def test_a_bad_input_is_one_line_exit_2_and_no_work(name, files, capsys, monkeypatch):
    args, expected = BAD_INPUTS[name]
    args = [a.format(root=files) for a in [*OUT, *args]]
    before = sorted(files.rglob("*"))

    def trained(*args, **kwargs):
        raise AssertionError("the bad input reached the training")
    monkeypatch.setattr(pidkit_distill.training, "train", trained)
    status = main(["train", *BASE, *args])
    out, err = capsys.readouterr()
    assert status == 2, (out, err)
    assert err.endswith("\n") and err.count("\n") == 1, err  # one line
    assert err.startswith("pidkit-distill train: error: ") and "Traceback" not in err
    assert expected.format(root=files) in err, err
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
    # the dashes every option shares made '--import' (train's) close to report's '--out'
    (["report", "runs", "--import", "my_models"], "pidkit-distill report: error: unrecognized "
                                                  "arguments: --import my_models; see "
                                                  "'pidkit-distill report --help'"),
    (["report", "runs", "--out-dir", "x"], "pidkit-distill report: error: unrecognized arguments: "
                                           "--out-dir x. Did you mean '--out'? See "
                                           "'pidkit-distill report --help'"),
    (["train", "--seeds", "2"], "pidkit-distill train: error: unrecognized arguments: --seeds 2. "
                                "Did you mean '--seed'? See 'pidkit-distill train --help'"),
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
        "pidkit-distill train: error: --method rdi: not a known method; choose one "
        f"of {available_methods()}, or register your own with "
        "pidkit_distill.methods.register_method in the Python script that calls "
        "pidkit_distill.train, or in a module that you pass to the pidkit-distill command with "
        "--import MODULE (on every run that names it, resumed runs included). Did you mean "
        "'rid'?"]
    assert not list(tmp_path.iterdir())


def test_debug_raises_with_the_traceback(tmp_path):
    with pytest.raises(ValueError, match=r"^--method rdi: not a known method"):
        main(["train", "--method", "rdi", "--out-dir", str(tmp_path), "--debug"])


def test_other_commands_report_errors_in_one_line(tmp_path, capsys):
    assert main(["train-teacher", "--model.teacher", "nosuch"]) == 2
    assert capsys.readouterr().err.startswith(
        "pidkit-distill train-teacher: error: --model.teacher nosuch: not a known model")
    assert main(["report", str(tmp_path)]) == 2
    assert "is not a run folder" in capsys.readouterr().err
    (tmp_path / "mine.txt").write_text("")
    assert main(["demo", "--out-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "was not made by the demo" in err


def test_a_warning_is_one_line(tmp_path, capsys):
    assert main(["train", *BASE, "--out-dir", str(tmp_path), "--epochs", "1", "--amp"]) == 0
    # each warning one line; a one-epoch run may end at chance, which train says too (d1b175fa)
    first, *rest = capsys.readouterr().err.splitlines(keepends=True)
    assert first == ("pidkit-distill train: warning: run.amp=true has no effect "
                     "on CPU (bf16 autocast is used on CUDA only)\n")
    assert all(line.startswith("warning: the student ended at chance") for line in rest)
