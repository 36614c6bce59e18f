"""Every command line that ``pidkit-distill train --help`` (and ``train-teacher --help``) gives as
an example is accepted as written: the ``--set`` example ``method.params.lam=10`` was refused
under the default method, bas (``unknown parameter(s) ['lam'] for method 'bas'``; t-485's walk,
item 10), and train-teacher refused the other, ``--set run.epochs=3`` (the student's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_runs import TINY

import pidkit_distill.training
from pidkit_distill.cli import main
from pidkit_distill.cli_parser import get_args_parser
from pidkit_distill.config import TrainConfig
from pidkit_distill.training import CheckedConfig

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class Checked(Exception):
    """Raised where the command would start training: its configuration passed every check."""

    def __init__(self, config: TrainConfig) -> None:
        super().__init__("checked")
        self.config = config


def checked_config(command: str, argv: list[str], monkeypatch) -> TrainConfig:
    """The configuration ``pidkit-distill COMMAND ARGV`` would train (``command``: ``train``
    or ``train-teacher``), once every check passed."""
    def stop(checked: CheckedConfig) -> None:
        raise Checked(checked.config)

    monkeypatch.setattr(pidkit_distill.training, command.replace("-", "_"), stop)
    with pytest.raises(Checked) as checked:
        main([command, *argv])
    return checked.value.config


def command_help(command: str, monkeypatch) -> str:
    """``pidkit-distill COMMAND --help``, its lines joined (wide: argparse breaks words at
    hyphens to wrap them)."""
    monkeypatch.setenv("COLUMNS", "1000")
    parser = next(action for action in get_args_parser()._subparsers._group_actions
                  ).choices[command]
    return " ".join(parser.format_help().split())


@pytest.mark.parametrize(("command", "shown", "argv", "key", "value"), [
    ("train", "e.g. --set run.epochs=3,", ["--set", "run.epochs=3"], "run.epochs", 3),
    ("train", "--method kd --set method.params.temperature=2",
     ["--method", "kd", "--set", "method.params.temperature=2"], "method.params",
     {"temperature": 2}),
    ("train", "e.g. target='joint' for the synthetic task's nuisance teacher",
     ["--data", "synthetic", "--teacher.data_options", "target='joint'"],
     "teacher.data_options", {"target": "joint"}),
    ("train", "(--resume false)", ["--resume", "false"], "run.resume", False),
    ("train-teacher", "e.g. --set teacher.epochs=3,", ["--set", "teacher.epochs=3"],
     "teacher.epochs", 3),
    ("train-teacher", "--set data.options.train_fraction=0.5",
     ["--set", "data.options.train_fraction=0.5"], "data.options", {"train_fraction": 0.5}),
    ("train-teacher", "e.g. target='joint' for the synthetic task's nuisance teacher",
     ["--data", "synthetic", "--teacher.data_options", "target='joint'"],
     "teacher.data_options", {"target": "joint"}),
], ids=["set", "set-table-entry", "teacher-data-options", "resume-false", "teacher-set",
        "teacher-set-table-entry", "teacher-teacher-data-options"])
def test_each_example_of_the_help_is_accepted_as_written(command, shown, argv, key, value,
                                                        tmp_path, monkeypatch):
    assert shown in command_help(command, monkeypatch)
    monkeypatch.chdir(tmp_path)  # run.out_dir: runs, here
    section, name = key.split(".")
    config = checked_config(command, argv, monkeypatch)
    assert getattr(getattr(config, section), name) == value


def test_the_resume_examples_are_accepted_beside_a_run_folder(tmp_path, monkeypatch):
    shown = "(--audit-every 5, --run.threads 1, --run.stop_after 2;"
    assert shown in command_help("train", monkeypatch)
    sets = [arg for item in TINY for arg in ("--set", item)]
    assert main(["train", *sets, "--epochs", "3", "--run.stop_after", "1", "--run.out_dir",
                 str(tmp_path), "--run.name", "cut", "--print-every", "0"]) == 0
    run_dir = Path(tmp_path, "cut")
    config = checked_config("train", ["--resume", str(run_dir), "--audit-every", "5", "--run.threads",
                             "1", "--run.stop_after", "2"], monkeypatch)
    assert (config.run.resume, config.run.audit_every, config.run.threads,
            config.run.stop_after) == (True, 5, 1, 2)
