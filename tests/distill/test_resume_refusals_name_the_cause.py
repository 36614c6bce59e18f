"""A run folder met again is refused naming the real cause (walk t-467 M3, M4): a finished run
of other settings names the keys that changed, not "nothing is left to continue"; a resume of a
run of the user's own names without its --import names the module that registered them, not
the closest name of the package ("Did you mean 'digits'?"); load_student names it too."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
from tiny_runs import TINY, tiny

from pidkit_distill import load_student, train, unregister_dataset, unregister_model
from pidkit_distill.cli import main

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _sets(tmp_path: Path, *extra: str) -> list[str]:
    """The tiny synthetic run under ``tmp_path`` as --set options."""
    return [arg for item in [*TINY, f"run.out_dir={tmp_path}", *extra] for arg in ("--set", item)]


def test_a_finished_run_of_other_method_params_names_them_and_a_folder_of_their_own(tmp_path):
    train(tiny(tmp_path, "method.name=kd", "run.epochs=1"))
    folder = tmp_path / "synthetic-kd-ut-s0"
    assert folder.is_dir()  # the default run.name holds no method.params
    with pytest.raises(ValueError) as refused:
        train(tiny(tmp_path, "method.name=kd", "run.epochs=1", "method.params.temperature=2.5"))
    assert str(refused.value) == (
        f"run.name: run folder {str(folder)!r} holds a finished run (epochs 1 of 1) of another "
        "configuration: method.params.temperature 4.0 -> 2.5. To train this configuration, give "
        "it a folder of its own: another run.name (--run.name NAME) or run.out_dir; the default "
        "run.name, DATA-METHOD[-PRESET]-tt|ut|tp-sSEED, does not tell these keys apart")
    # the advice holds: the same settings in a folder of their own train
    assert train(tiny(tmp_path, "method.name=kd", "run.epochs=1", "method.params.temperature=2.5",
                      "run.name=t2.5")).epochs_done == 1


def test_a_named_folder_is_not_told_of_the_default_name_and_run_epochs_alone_is_a_longer_run(
        tmp_path):
    train(tiny(tmp_path, "method.name=kd", "run.epochs=1", "run.name=r"))
    with pytest.raises(ValueError) as refused:
        train(tiny(tmp_path, "method.name=kd", "run.epochs=2", "run.name=r", "run.seed=3"))
    assert str(refused.value).endswith(
        "of another configuration: run.epochs 1 -> 2, run.seed 0 -> 3. To train this "
        "configuration, give it a folder of its own: another run.name (--run.name NAME) or "
        "run.out_dir")
    with pytest.raises(ValueError, match=r"holds a finished run \(epochs 1 of 1\): nothing is "
                                         r"left to continue\. To train longer"):
        train(tiny(tmp_path, "method.name=kd", "run.epochs=2", "run.name=r"))


def test_the_command_names_the_changed_parameter_in_one_line(tmp_path, capsys):
    sets = _sets(tmp_path, "method.name=kd")
    assert main(["train", *sets, "--epochs", "1"]) == 0
    capsys.readouterr()
    assert main(["train", *sets, "--epochs", "1", "--method.params", "alpha=0.5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pidkit-distill train: error: run.name: run folder "
                          f"{str(tmp_path / 'synthetic-kd-ut-s0')!r} holds a finished run "
                          "(epochs 1 of 1) of another configuration: method.params.alpha 0.9 -> "
                          "0.5. To train this configuration")
    assert err.count("\n") == 1


OWN_MODULE = textwrap.dedent("""
    import torch
    from torch import nn
    from torch.utils.data import TensorDataset

    from pidkit_distill import DatasetBundle, register_dataset, register_model, tap_features


    @register_dataset("t472-blobs")
    def blobs(*, seed: int = 0):
        g = torch.Generator().manual_seed(seed)
        y = torch.arange(160) % 3
        x = torch.randn(160, 6, generator=g) + 2.0 * nn.functional.one_hot(y, 6).float()
        return DatasetBundle(TensorDataset(x[:96], y[:96]), TensorDataset(x[96:], y[96:]),
                             num_classes=3, input_shape=(6,))


    @register_model("t472-mlp")
    def mlp(*, num_classes, in_channels):
        net = nn.Sequential(nn.Linear(in_channels, 8), nn.ReLU(), nn.Linear(8, num_classes))
        return tap_features(net, layers=["1"])
""")


@pytest.fixture
def own_run(tmp_path: Path):
    """A finished run of a data set and models that a module file registered, trained by the
    command with --import; the names unregistered again afterwards, as in a fresh process."""
    module = tmp_path / "t472_models.py"
    module.write_text(OWN_MODULE)
    run = ["--data", "t472-blobs", "--model.teacher", "t472-mlp", "--model.student",
           "t472-mlp", "--method", "kd", "--teacher", "untrained", "--epochs", "1",
           "--run.progress", "false", "--run.threads", "1", "--run.device", "cpu",
           "--out-dir", str(tmp_path / "runs"), "--audit-every", "0"]
    try:
        assert main(["train", "--import", str(module), *run]) == 0
        folder = tmp_path / "runs" / "t472-blobs-kd-ut-s0"
        unregister_dataset("t472-blobs")
        unregister_model("t472-mlp")
        yield folder, str(module.resolve())
    finally:
        sys.modules.pop("t472_models", None)


def test_a_resume_without_its_import_names_the_module_that_registered_the_names(own_run, capsys):
    folder, module = own_run
    recorded = json.loads((folder / "config.json").read_text())["recorded"]["registered"]
    assert recorded["data.name"] == module  # what the refusal reads
    capsys.readouterr()
    assert main(["train", "--resume", str(folder), "--epochs", "2"]) == 2
    assert capsys.readouterr().err == (
        "pidkit-distill train: error: data.name: 't472-blobs' is not known in this process: "
        f"this run registered it from {module}; add --import {module} (a run folder records the "
        "names it used and the module that registered them, but imports no module)\n")


def test_load_student_names_the_module_that_registered_the_student(own_run):
    folder, module = own_run
    with pytest.raises(ValueError) as refused:
        load_student(folder)
    assert str(refused.value).endswith(
        f"(this run registered it from {module}: import that module first, then call "
        "load_student again)")
    assert "its student model.student='t472-mlp' is not known in this process" in str(
        refused.value)
