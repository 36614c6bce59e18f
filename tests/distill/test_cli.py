"""The pidkit-distill command: help, option precedence, errors, train and report."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pidkit_distill.cli import config_from_args, get_args_parser, main
from pidkit_distill.config import TrainConfig, apply_overrides, config_fields, config_to_dict

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def help_text(monkeypatch, command: str) -> str:
    monkeypatch.setenv("COLUMNS", "250")
    parser = get_args_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    return sub.format_help()


@pytest.mark.parametrize("command", ["train", "train-teacher"])
def test_help_lists_every_option_with_its_default(monkeypatch, command):
    text = help_text(monkeypatch, command)
    for key, default, _, _ in config_fields():
        assert f"--{key}" in text
        assert f"(default: {default!r})" in text, key
    for alias in ("--epochs", "--method", "--teacher", "--device", "--amp", "--resume",
                  "--audit-every", "--set", "--config"):
        assert alias in text


def test_module_entry_point_prints_help():
    proc = subprocess.run([sys.executable, "-m", "pidkit_distill", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert all(cmd in proc.stdout for cmd in ("train", "train-teacher", "report", "demo"))


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


def test_bad_keys_exit_with_status_2(capsys):
    assert main(["train", "--set", "run.epoch=3"]) == 2
    err = capsys.readouterr().err
    assert "unknown config key 'run.epoch'" in err and "'run.epochs'" in err
    assert main(["train", "--epochs", "three"]) == 2
    assert "'run.epochs' expects a int, got 'three'" in capsys.readouterr().err


def test_list_methods(capsys):
    assert main(["train", "--list-methods"]) == 0
    assert {"bas", "kd", "rid", "ted", "vid"} <= set(capsys.readouterr().out.split())


def test_train_then_report_from_the_command_line(tmp_path, capsys):
    common = [
        "--data", "synthetic", "--set", "data.options.n_train=64", "--set",
        "data.options.n_test=48", "--set", "data.options.dim=12", "--set",
        "data.options.nuisance_bits=2", "--model.teacher", "synthetic-teacher",
        "--model.student", "synthetic-student", "--teacher", "untrained", "--epochs", "2",
        "--audit-every", "1", "--audit.layers", "[2]", "--audit.clusters", "3",
        "--run.progress", "false", "--run.threads", "1", "--out-dir", str(tmp_path),
    ]
    assert main(["train", *common, "--method", "bas"]) == 0
    assert main(["train", *common, "--method", "vid"]) == 0
    out = capsys.readouterr().out
    assert "last acc" in out and "synthetic-vid-ut-s0" in out
    runs = [str(tmp_path / "synthetic-bas-ut-s0"), str(tmp_path / "synthetic-vid-ut-s0")]
    assert main(["report", *runs, "--out", str(tmp_path / "rep")]) == 0
    printed = capsys.readouterr().out
    assert "| synthetic-bas-ut-s0 | synthetic | bas | untrained | 2/2 |" in printed
    for name in ("accuracy.png", "pid_atoms.png", "pid_atoms_all_layers.png"):
        assert (tmp_path / "rep" / name).read_bytes()[:8] == PNG_MAGIC
    table = (tmp_path / "rep" / "report.md").read_text()
    assert table.count("| synthetic-") == 2
    last = json.loads((tmp_path / "synthetic-vid-ut-s0" / "audit.jsonl").read_text()
                      .splitlines()[-1])
    assert f"| {last['red']:.3f} | {last['uni_t']:.3f} |" in table


def test_report_of_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "is not a run folder" in capsys.readouterr().err
