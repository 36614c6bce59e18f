"""A run of a user's method saved with ``method.preset`` ``"paper"`` resumes both ways (t-477).

A method that declares no presets had one named ``paper`` before 6 Dec 2026, ``default`` since.
``resume_changes`` read a saved ``paper`` of such a method as ``default``, but ``check_config``
did not: ``--resume RUN_DIR``, whose configuration is the run's ``config.json``, and the
command that started the run (``--preset paper``) with ``--resume`` were refused with
"'paper' is not a preset of method ...", advice to use another method. Both read the name
through one function now (:func:`~pidkit_distill.config.key_history.preset_named_now`)."""

from __future__ import annotations

import json
import sys
import textwrap

import pytest
import torch
from tiny_runs import TINY, comparable, tiny

from pidkit_distill.cli import main
from pidkit_distill.methods import unregister_method
from pidkit_distill.run_folders.files import read_metrics
from pidkit_distill.training import check_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# The user's module: a method of no presets, which trains the student on the labels alone.
OWN_METHOD = textwrap.dedent("""
    from torch.nn import functional as F

    from pidkit_distill import Distiller, StepOutput, register_method


    @register_method("own-labels")
    class OwnLabels(Distiller):
        def forward(self, x, y, *, epoch):
            logits = self.student(x)
            return StepOutput(logits, {"ce": F.cross_entropy(logits, y)})
""")

SETS = [arg for item in TINY for arg in ("--set", item)]


@pytest.fixture(scope="module")
def own_module(tmp_path_factory):
    """The file of the user's module, imported as ``--import`` imports it; its method
    unregistered, and the module forgotten, after the tests."""
    path = tmp_path_factory.mktemp("module") / "own_labels_t477.py"
    path.write_text(OWN_METHOD)
    assert main(["train", "--import", str(path), "--list-methods"]) == 0
    yield str(path)
    unregister_method("own-labels")
    del sys.modules["own_labels_t477"]


def _saved_as_paper(run_dir) -> None:
    """The run in ``run_dir`` as a version before 6 Dec 2026 saved it with ``--preset paper``:
    its config.json and checkpoint hold ``method.preset`` ``"paper"``."""
    config = json.loads((run_dir / "config.json").read_text())
    config["method"]["preset"] = "paper"
    (run_dir / "config.json").write_text(json.dumps(config))
    checkpoint = torch.load(run_dir / "checkpoint.pt", weights_only=True)
    checkpoint["config"]["method"]["preset"] = "paper"
    torch.save(checkpoint, run_dir / "checkpoint.pt")


def _first_epoch(own_module, out_dir, name: str):
    argv = ["train", "--import", own_module, *SETS, "--method", "own-labels", "--epochs", "2",
            "--run.stop_after", "1", "--out-dir", str(out_dir), "--run.name", name]
    assert main(argv) == 0
    _saved_as_paper(out_dir / name)
    return argv


def test_resume_run_dir_and_resume_of_the_command_continue_a_saved_paper(own_module, tmp_path,
                                                                         capsys):
    straight = ["train", "--import", own_module, *SETS, "--method", "own-labels", "--epochs",
                "2", "--out-dir", str(tmp_path), "--run.name", "straight"]
    assert main(straight) == 0
    expected = comparable(read_metrics(tmp_path / "straight"))
    assert [record["epoch"] for record in expected] == [1, 2]

    _first_epoch(own_module, tmp_path, "by-folder")
    capsys.readouterr()
    assert main(["train", "--import", own_module, "--resume", str(tmp_path / "by-folder")]) == 0
    # nothing but the warning of a student at chance, which two epochs of this task leave
    assert [line for line in capsys.readouterr().err.splitlines()
            if not line.startswith("warning: the student ended at chance")] == []

    command = _first_epoch(own_module, tmp_path, "by-command")
    command[command.index("--run.stop_after") + 1] = "0"
    assert main([*command, "--preset", "paper", "--resume"]) == 0

    for name in ("by-folder", "by-command"):
        # the same two epochs as the run trained without a stop, not a run started again
        assert comparable(read_metrics(tmp_path / name)) == expected
        summary = json.loads((tmp_path / name / "summary.json").read_text())
        assert summary["method_preset"] == "default"


@pytest.mark.usefixtures("own_module")
def test_check_config_reads_paper_as_the_default_of_a_resumed_run_only(tmp_path):
    resumed = check_config(tiny(tmp_path, "method.name=own-labels", "method.preset=paper",
                                "run.resume=true"))
    assert resumed.preset == "default"
    # a new run names the preset of now: "paper" is none of this method's
    with pytest.raises(ValueError, match=r"^method.preset: 'paper' is not a preset of method "
                                         r"'own-labels'; choose one of \['default'\]"):
        check_config(tiny(tmp_path, "method.name=own-labels", "method.preset=paper"))


def test_resume_of_the_command_without_a_run_name_finds_the_folder_it_saved(own_module, tmp_path):
    # the run's folder is named by its default preset, which has no part in the name; "paper"
    # named again must find it, not start a run in a folder named "...-paper-..."
    command = ["train", "--import", own_module, *SETS, "--method", "own-labels", "--epochs", "2",
               "--out-dir", str(tmp_path)]
    assert main([*command, "--run.stop_after", "1"]) == 0
    (folder,) = tmp_path.glob("*own-labels*")
    assert "paper" not in folder.name and "default" not in folder.name
    _saved_as_paper(folder)
    assert main([*command, "--preset", "paper", "--resume"]) == 0
    assert sorted(path.name for path in tmp_path.glob("*own-labels*")) == [folder.name]
    assert [record["epoch"] for record in read_metrics(folder)] == [1, 2]
