"""Mistakes of a ``pidkit-distill train`` user that reached the run: one line, exit status 2,
naming what to change; and a registered data set's loader called once per run."""

from __future__ import annotations

import importlib.util
import shlex
import sys
import textwrap

import pytest
from test_cifar_files import _fake_torchvision, _read_only
from test_cli_data_errors import SMALL_RUN

from pidkit_distill.cli import main
from pidkit_distill.data.registry import _LOADERS


def test_a_cifar_download_into_a_read_only_root_is_a_usage_error(tmp_path, monkeypatch, capsys):
    # the check looks the folder up; the download, when the run loads the data, found the root
    # read-only: 'training failed: cannot download cifar10 ...', exit status 1
    _fake_torchvision(monkeypatch, calls := [])
    root = tmp_path / "shared"
    root.mkdir()
    with _read_only(monkeypatch, root):
        status = main(["train", "--data", "cifar10", "--data.root", str(root),
                       "--data.options", "download=true", "--model.teacher", "digits-teacher",
                       "--model.student", "digits-student", "--teacher", "untrained",
                       "--epochs", "1", "--audit-every", "0",
                       "--out-dir", str(tmp_path / "runs")])
    assert (status, calls) == (2, [])
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: data.root: cannot download cifar10 into {str(root)!r}: "
        "Permission denied; download it into a folder you can write (point root, the "
        f"configuration's data.root, at it), or ask for write access to {str(root)!r}\n")


BAD_RANK = ("pidkit-distill train: error: RANK='x' in the environment is not a count or index "
            "of processes (a whole number, as torchrun sets it); unset it or set it as torchrun "
            "would\n")


@pytest.mark.parametrize("local_rank", [None, "0"])
def test_a_rank_that_is_no_number_is_one_line(tmp_path, monkeypatch, capsys, local_rank):
    # the command read RANK with int() to know who prints: a ValueError traceback; with
    # LOCAL_RANK set, the check named it as 'run.out_dir: RANK=...'
    monkeypatch.setenv("RANK", "x")
    if local_rank is None:
        monkeypatch.delenv("LOCAL_RANK", raising=False)
    else:
        monkeypatch.setenv("LOCAL_RANK", local_rank)
    status = main(["train", "--data", "synthetic", *SMALL_RUN, "--out-dir", str(tmp_path)])
    assert (status, capsys.readouterr().err) == (2, BAD_RANK)


COUNTING_LOADER = textwrap.dedent("""
    import torch
    from torch.utils.data import TensorDataset
    from pidkit_distill import DatasetBundle, register_dataset

    CALLS = []

    @register_dataset("counted-blobs")
    def blobs(*, seed=0, n=48):
        CALLS.append(n)
        g = torch.Generator().manual_seed(seed)
        y = torch.arange(n) % 2
        x = torch.randn(n, 8, generator=g) + y[:, None]
        return DatasetBundle(TensorDataset(x[:32], y[:32]), TensorDataset(x[32:], y[32:]),
                             num_classes=2, input_shape=(8,))
""")


@pytest.fixture
def counted(tmp_path, monkeypatch):
    """The command line of a module registering 'counted-blobs', whose loader counts its calls
    in ``CALLS``; the registration and the module end with the test."""
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "counted_blobs", raising=False)
    (tmp_path / "counted_blobs.py").write_text(COUNTING_LOADER)
    yield ["--import", "counted_blobs.py", "--data", "counted-blobs", "--model.teacher",
           "synthetic-teacher", "--out-dir", str(tmp_path / "runs")]
    sys.modules.pop("counted_blobs", None)


def test_a_registered_loader_is_called_once_per_run(counted, capsys):
    # the command's check, train's own check and the run each called it: a loader that takes
    # a minute took three (in every process of a torchrun)
    assert main(["train", *counted, *SMALL_RUN[2:]]) == 0
    assert "last acc " in capsys.readouterr().out
    assert sys.modules["counted_blobs"].CALLS == [48]


def test_a_registered_loader_is_called_once_per_teacher_run(counted, capsys):
    assert main(["train-teacher", *counted, "--teacher.epochs", "1", "--data.options", "n=40",
                 "--run.threads", "1"]) == 0
    assert "teacher: " in capsys.readouterr().out
    assert sys.modules["counted_blobs"].CALLS == [40]


def test_train_refuses_a_teacher_only_check(tmp_path):
    from pidkit_distill import load_config
    from pidkit_distill.training import check_config, train

    config = load_config(overrides=[f"run.out_dir={tmp_path}"])
    with pytest.raises(ValueError) as err:
        train(check_config(config, teacher_only=True))
    assert str(err.value) == (
        "config: this CheckedConfig is from check_config(config, teacher_only=True), which "
        "resolves no method; pass the TrainConfig, or check_config(config) without teacher_only")


@pytest.mark.parametrize("name", ["../../etc", "/abs", "a/b", "..", ".", "a\\b"])
def test_a_run_name_that_is_a_path_is_refused(tmp_path, capsys, name):
    # the run folder, run.out_dir/run.name, was made outside run.out_dir (or was run.out_dir)
    status = main(["train", "--data", "synthetic", *SMALL_RUN, "--run.name", name,
                   "--out-dir", str(tmp_path / "runs")])
    # the value once, in the option typed (it was told again: "...; got '../../etc'")
    assert (status, capsys.readouterr().err) == (2, (
        f"pidkit-distill train: error: --run.name {shlex.quote(name)}: config key 'run.name' "
        "must be a folder's name (made in run.out_dir), not a path; to put the run elsewhere, "
        "set run.out_dir to the folder that holds it\n"))
    assert sorted(tmp_path.rglob("*")) == []


def test_a_run_name_that_is_a_path_is_told_once_from_set(tmp_path, capsys):
    status = main(["train", "--data", "synthetic", *SMALL_RUN, "--set", "run.name=../x",
                   "--out-dir", str(tmp_path / "runs")])
    assert (status, capsys.readouterr().err) == (2, (
        "pidkit-distill train: error: --set run.name=../x: config key 'run.name' must be a "
        "folder's name (made in run.out_dir), not a path; to put the run elsewhere, set "
        "run.out_dir to the folder that holds it\n"))


def test_a_run_name_that_is_a_path_is_refused_from_python(tmp_path):
    from pidkit_distill import load_config
    from pidkit_distill.training import check_config

    config = load_config(overrides=[f"run.out_dir={tmp_path}"])
    config.run.name = "../elsewhere"
    with pytest.raises(ValueError) as err:
        check_config(config)
    assert str(err.value) == (
        "config key 'run.name' must be a folder's name (made in run.out_dir), not a path, got "
        "'../elsewhere'; to put the run elsewhere, set run.out_dir to the folder that holds it")


@pytest.mark.parametrize(("make", "said"), [
    (lambda root: root.mkdir(),
     "config file '{root}' is a folder, not a file; pass the path of the TOML file itself"),
    (lambda root: root.write_bytes(b"\xff[run]\n"),
     "config file '{root}' is not valid TOML: not UTF-8 text (byte 0xff at position 0)"),
], ids=["folder", "not-utf-8"])
def test_a_config_path_that_is_no_toml_file_says_what_it_is(tmp_path, capsys, make, said):
    # a folder was 'config file ... does not exist'; a file that is not UTF-8 was the codec's
    # words alone, naming no file
    root = tmp_path / "configs"
    make(root)
    assert main(["train", "--config", str(root)]) == 2
    assert capsys.readouterr().err == f"pidkit-distill train: error: {said.format(root=root)}\n"


def _without_torchvision(monkeypatch):
    """``importlib.util.find_spec`` finds no torchvision, installed or not."""
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "torchvision" else find_spec(name, *a))


@pytest.mark.parametrize("download", ["false", "true-no-torchvision", "true"])
@pytest.mark.parametrize("below", [False, True], ids=["file", "under-a-file"])
def test_a_cifar_root_that_is_a_file_is_named(tmp_path, monkeypatch, capsys, download, below):
    # it was 'data.root: afile.txt/cifar-10-batches-py not found; put ...' (with download and
    # no torchvision: 'cifar10 is not under afile.txt and torchvision ... is not installed')
    if download == "true":
        _fake_torchvision(monkeypatch, calls := [])
    else:
        _without_torchvision(monkeypatch)
    afile = tmp_path / "afile.txt"
    afile.write_text("x")
    root = afile / "sub" if below else afile
    status = main(["train", "--data", "cifar10", "--data.root", str(root), "--data.options",
                   f"download={download.split('-')[0]}", "--model.teacher", "digits-teacher",
                   "--model.student", "digits-student", "--teacher", "untrained",
                   "--out-dir", str(tmp_path / "runs")])
    if download == "true":  # the download's own error, when the run loads the data
        said = (f"cannot download cifar10 into {str(root)!r}: {str(afile)!r} is a file, not a "
                "folder; point root (the configuration's data.root) at a folder")
        assert calls == []
    else:
        what = (f"cannot be a folder: {str(afile)!r} is a file" if below
                else "is a file, not a folder")
        said = (f"{str(root)!r} {what}; point root (the configuration's data.root) at the "
                "folder that holds cifar-10-batches-py")
    assert (status, capsys.readouterr().err) == (
        2, f"pidkit-distill train: error: data.root: {said}\n")


MISSING_FILE_LOADER = textwrap.dedent("""
    from pidkit_distill import register_dataset

    @register_dataset("csv-blobs")
    def blobs(*, seed=0):
        open("labels.csv").close()  # a file of the loader's own, not under data.root
""")


def test_a_missing_file_of_a_loader_that_reads_no_data_root_is_not_data_root(
        tmp_path, monkeypatch, capsys):
    # it was 'data.root: [Errno 2] ...': data.root, which this loader does not take
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "csv_blobs", raising=False)
    (tmp_path / "csv_blobs.py").write_text(MISSING_FILE_LOADER)
    status = main(["train", "--import", "csv_blobs.py", "--data", "csv-blobs", *SMALL_RUN,
                   "--out-dir", str(tmp_path / "runs")])
    sys.modules.pop("csv_blobs", None)
    assert (status, capsys.readouterr().err) == (2, (
        "pidkit-distill train: error: data.name: the loader registered as 'csv-blobs' failed: "
        "FileNotFoundError: [Errno 2] No such file or directory: 'labels.csv' (an error of the "
        "loader's own code; its traceback is this error's cause, which pidkit-distill shows "
        "with --debug)\n"))


def test_a_missing_file_of_the_digits_is_not_data_root(tmp_path, monkeypatch, capsys):
    # scikit-learn's own file gone (a damaged install), found when the run loads the digits:
    # it was 'error: data.root: [Errno 2] ...', exit 2, the user's data.root blamed
    import sklearn.datasets

    def gone(**kwargs):
        raise FileNotFoundError(2, "No such file or directory", "sklearn/datasets/digits.csv.gz")

    monkeypatch.setattr(sklearn.datasets, "load_digits", gone)
    status = main(["train", "--data", "digits", "--model.teacher", "digits-teacher",
                   "--model.student", "digits-student", "--teacher", "untrained", "--epochs",
                   "1", "--audit-every", "0", "--out-dir", str(tmp_path / "runs")])
    assert (status, capsys.readouterr().err) == (1, (
        "pidkit-distill train: training failed: [Errno 2] No such file or directory: "
        "'sklearn/datasets/digits.csv.gz'\n"))


def test_a_launcher_variable_of_other_digits_is_named(monkeypatch):
    # '²' passed str.isdigit() and failed in int(): "invalid literal for int() with base 10"
    from pidkit_distill.launcher_env import world_size_from_env

    monkeypatch.setenv("WORLD_SIZE", "²")
    with pytest.raises(ValueError) as err:
        world_size_from_env()
    assert str(err.value) == (
        "WORLD_SIZE='²' in the environment is not a count or index of processes (a whole "
        "number, as torchrun sets it); unset it or set it as torchrun would")


@pytest.mark.parametrize(("files", "why"), [
    ({"config.json": '{"model_type": "bert"}\n'},
     "{config} has no 'data.name'; it is not the configuration of a `pidkit-distill train` run"),
    ({"config.json": '{"data": {"name": "digits"', "metrics.jsonl": '{"epoch": 1}\n'},
     "{config} is not JSON (Expecting ',' delimiter: line 1 column 27 (char 26)); the file is "
     "damaged"),
    ({"metrics.jsonl": "kept\n", "notes.txt": "mine\n"}, "it has no config.json"),
])
def test_a_folder_of_other_files_named_as_a_run_folder_is_not_written_over(tmp_path, capsys, files,
                                                                           why):
    # `--run.name my-model` naming a folder of another tool's files: the run wrote its
    # config.json, metrics.jsonl, audit.jsonl and summary.json over those of the same names.
    # Why its config.json is none of a run's is said: a run's damaged one was told "its
    # config.json is not a run's configuration", as another tool's was
    folder = tmp_path / "runs" / "my-model"
    why = why.format(config=folder / "config.json")
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    assert main(["train", "--teacher", "untrained", "--epochs", "1", "--audit-every", "0",
                 "--run.threads", "1", "--out-dir", str(tmp_path / "runs"),
                 "--run.name", "my-model"]) == 2
    named = ", ".join(name for name in sorted(files) if name != "notes.txt")
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: run.out_dir: run folder {str(folder)!r} holds {named} but "
        f"is no run folder ({why}): the run would write over them; choose another run.name or "
        "run.out_dir, or move them away\n")
    assert {p.name: p.read_text() for p in folder.iterdir()} == files


_OPTION_MISTAKE = ("pidkit-distill train: error: unrecognized arguments: --run.epoch 3. Did you "
                   "mean '--run.epochs'? See 'pidkit-distill train --help'\n")
"""argparse's line for the mistyped option of :func:`_option_mistake_printed`."""


def _option_mistake_printed(capsys: pytest.CaptureFixture[str]) -> str:
    """What ``pidkit-distill train --run.epoch 3`` (an option's mistake, found before any work)
    prints on stderr; it exits 2."""
    with pytest.raises(SystemExit) as stop:
        main(["train", "--run.epoch", "3"])
    assert stop.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("rank, printed", [("0", True), ("1", False)])
def test_an_option_mistake_under_torchrun_is_printed_by_rank_0_alone(monkeypatch, capsys, rank,
                                                                     printed):
    # every process of a torchrun parses the same command line: each printed argparse's line
    # (the same line twice under --nproc_per_node 2), where the configuration's mistakes were
    # printed once
    monkeypatch.setenv("RANK", rank)
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")  # and MASTER_PORT, as torchrun sets them
    monkeypatch.setenv("MASTER_PORT", "29500")
    assert _option_mistake_printed(capsys) == (_OPTION_MISTAKE if printed else "")


@pytest.mark.parametrize("world_size", [None, "1"])
def test_a_rank_left_in_the_environment_without_torchrun_is_said_in_one_line(
        monkeypatch, capsys, tmp_path, world_size):
    # RANK=1 outside torchrun (WORLD_SIZE unset or 1): no process is rank 0, so every line was
    # dropped as another rank's; an option's mistake, and a correct command too, exited 2 in
    # silence
    monkeypatch.setenv("RANK", "1")
    if world_size is None:
        monkeypatch.delenv("WORLD_SIZE", raising=False)
    else:
        monkeypatch.setenv("WORLD_SIZE", world_size)
    assert _option_mistake_printed(capsys) == _OPTION_MISTAKE
    status = main(["train", "--data.name", "digits", "--run.out_dir", str(tmp_path)])
    assert (status, capsys.readouterr().err) == (2, (
        "pidkit-distill train: error: RANK=1 in the environment is not below WORLD_SIZE=1 (1 "
        "where it is unset), so no process of this run is rank 0; unset RANK outside torchrun, "
        "or set both as torchrun would\n"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("rank", [None, "0", "1"])
def test_a_world_size_left_in_the_environment_without_torchrun_is_said_in_one_line(
        monkeypatch, capsys, tmp_path, rank):
    # WORLD_SIZE=2 (and RANK) left set in a shell, no torchrun, so no MASTER_ADDR: RANK=1
    # printed nothing, an option's mistake (exit 2) and a correct run (exit 1) alike, as only
    # rank 0 prints; rank 0 said torch's 'training failed: Error initializing torch.distributed
    # using env:// rendezvous: environment variable MASTER_ADDR expected, but not set', exit 1
    for name in ("MASTER_ADDR", "MASTER_PORT", "RANK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WORLD_SIZE", "2")
    if rank is not None:
        monkeypatch.setenv("RANK", rank)
    assert _option_mistake_printed(capsys) == _OPTION_MISTAKE
    status = main(["train", "--data.name", "digits", "--run.out_dir", str(tmp_path)])
    ranked = (" in the environment makes" if rank is None
              else f" and RANK={rank} in the environment make")
    unset = "WORLD_SIZE" if rank is None else "RANK and WORLD_SIZE"
    # a launch by srun or by hand is told what it lacks, not only torchrun
    assert (status, capsys.readouterr().err) == (2, (
        f"pidkit-distill train: error: WORLD_SIZE=2{ranked} this process one of 2, but "
        "MASTER_ADDR is unset (torchrun sets it, with MASTER_PORT), so it cannot meet the "
        "others: launch the run with torchrun (torchrun --nproc_per_node 2 -m pidkit_distill "
        "...), or, started by another launcher (srun, by hand), set MASTER_ADDR and MASTER_PORT "
        f"in every process (rank 0's host and a free port there), or unset {unset} to train in "
        "one process\n"))
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")  # its port alone is missing
    assert main(["train", "--data.name", "digits", "--run.out_dir", str(tmp_path)]) == 2
    assert "but MASTER_PORT is unset (torchrun sets it, with MASTER_ADDR)" in (
        capsys.readouterr().err)


@pytest.mark.parametrize("given", ["runs/digits-rid-tt-s0", "runs/digits-rid-tt-s0/",
                                   "runs/digits-rid-tt-s0/checkpoint.pt", "ture"])
def test_a_path_given_to_resume_that_is_no_run_folder_is_one_line(tmp_path, monkeypatch, capsys,
                                                                  given):
    # --resume RUN_DIR continues the run in RUN_DIR (tests/distill/test_resume_from_folder.py);
    # a path that is none says what to pass ('ture', no spelling of true, is a path too)
    monkeypatch.chdir(tmp_path)
    status = main(["train", "--resume", given])
    assert (status, capsys.readouterr().err) == (2, (
        f"pidkit-distill train: error: --resume {given}: no such run folder; pass a run folder "
        "(it holds the config.json and checkpoint.pt that `pidkit-distill train` writes), or "
        "--resume alone for the run folder that the other options name\n"))


@pytest.mark.parametrize(("given", "cwd"), [(".", "runs/r"), ("checkpoint.pt", "runs/r"),
                                            ("..", "runs/r/logs"), ("runs/r/logs/..", ".")])
def test_a_path_to_resume_with_no_name_of_its_own_names_the_folder_it_stands_for(
        tmp_path, monkeypatch, capsys, given, cwd):
    # '--resume .' from inside the run folder (or its checkpoint.pt, or '..') stands for the
    # folder by its own name; one with a checkpoint but no config.json cannot be read so
    (tmp_path / "runs/r/logs").mkdir(parents=True)
    (tmp_path / "runs/r/checkpoint.pt").touch()
    monkeypatch.chdir(tmp_path / cwd)
    assert main(["train", "--resume", given]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: --resume {given}: no run folder: it holds no config.json, "
        "which `pidkit-distill train` writes once the data is loaded and the teacher trained or "
        "read; it holds a checkpoint.pt: rerun the command that made the run with --resume\n")


@pytest.mark.parametrize(("given", "error"), [
    ("", "--resume '': an empty path; pass the run folder to continue, or --resume alone for "
         "the run folder that the other options name"),
    ("/", "--resume /: no run folder: it holds no config.json, which `pidkit-distill train` "
          "writes once the data is loaded and the teacher trained or read")])
def test_an_empty_resume_or_the_root_is_no_run_folder(tmp_path, monkeypatch, capsys, given, error):
    # '' was taken for the current folder: "to continue '.', ... --run.name ''"
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--resume", given]) == 2
    assert capsys.readouterr().err.startswith(f"pidkit-distill train: error: {error}")


@pytest.mark.parametrize(("given", "then"), [
    ("", ""), (" ", ""), ("run.epochs", ": write --set run.epochs=VALUE"),
    (" run.epochs ", ": write --set run.epochs=VALUE")])
def test_a_set_with_no_equals_sign_is_told_a_fix_only_where_it_names_a_key(capsys, given, then):
    # --set '' was told 'write --set =VALUE', an override with no key
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--set", given])
    assert exit_.value.code == 2 and capsys.readouterr().err == (
        "pidkit-distill train: error: argument --set: takes KEY=VALUE as one word, e.g. --set "
        f"run.epochs=3; got {given!r}, with no '='{then}; see 'pidkit-distill train --help'\n")
