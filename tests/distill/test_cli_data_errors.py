"""Data the run cannot train on, found only when the run loads it, is the user's mistake: one
line, exit status 2, naming what to change (it was 'training failed', exit 1)."""

from __future__ import annotations

import sys
import textwrap

import numpy as np
import pytest
import torch
from test_cifar_files import _cifar10, _replace

from pidkit_distill.cli import main
from pidkit_distill.data.registry import _LOADERS

SMALL_RUN = ["--model.teacher", "synthetic-teacher", "--model.student", "synthetic-student",
             "--teacher", "untrained", "--epochs", "1", "--audit-every", "0",
             "--run.threads", "1"]

LOADER = textwrap.dedent("""
    import numpy as np
    import torch
    from torch.utils.data import TensorDataset
    from pidkit_distill import DatasetBundle, register_dataset

    @register_dataset("numpy-blobs")
    def blobs(*, seed=0, n=48):
        rng = np.random.default_rng(seed)
        y = np.arange(n) % 2
        x = torch.from_numpy(rng.normal(size=(n, 8)) + y[:, None])  # float64, as numpy's
        x = x if {dtype!r} == "float64" else x.float()
        y = torch.from_numpy(y)
        return DatasetBundle(TensorDataset(x[:32], y[:32]), TensorDataset(x[32:], y[32:]),
                             num_classes=2, input_shape=(8,))
""")


@pytest.fixture
def registered(monkeypatch):
    """Data sets registered by the test's --import end with it."""
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))


def test_float64_inputs_from_ones_loader_are_a_usage_error(tmp_path, capsys, monkeypatch,
                                                           registered):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f64_blobs.py").write_text(LOADER.format(dtype="float64"))
    argv = ["train", "--import", "f64_blobs.py", "--data", "numpy-blobs", *SMALL_RUN,
            "--out-dir", str(tmp_path / "runs")]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "pidkit-distill train: error: data.name: data set 'numpy-blobs': sample 0 of its train "
        "split has torch.float64 inputs, but the trainer trains in float32: return x.float() "
        "from its loader (torch.from_numpy keeps numpy's float64)\n")
    # the loader fixed, the same command trains in the same folder
    (tmp_path / "f64_blobs.py").write_text(LOADER.format(dtype="float32"))
    del sys.modules["f64_blobs"]  # --import imports it again
    assert main(argv) == 0
    assert "last acc " in capsys.readouterr().out


def test_a_cifar_file_damaged_past_the_check_is_a_usage_error(tmp_path, capsys):
    # the configuration's check looks CIFAR's files up without reading them
    folder = _cifar10(tmp_path)
    _replace(folder / "data_batch_2", data=np.zeros((3, 10), dtype=np.uint8))
    status = main(["train", "--data", "cifar10", "--data.root", str(tmp_path),
                   "--model.teacher", "digits-teacher", "--model.student", "digits-student",
                   "--teacher", "untrained", "--epochs", "1", "--audit-every", "0",
                   "--out-dir", str(tmp_path / "runs")])
    assert status == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: data.name: {folder / 'data_batch_2'}: 'data' is a uint8 array "
        "of shape (3, 10), not the uint8 array of shape (N, 3072) of the python-pickle CIFAR "
        "format; replace it with the original file\n")


FAILING_LOADER = textwrap.dedent("""
    from pidkit_distill import register_dataset

    @register_dataset("failing-data")
    def failing(*, seed=0):
        {body}
""")

LOADER_ERRORS = {  # the loader's body -> how the error reads
    "raise RuntimeError('db down')": "RuntimeError: db down",
    "return {}['labels']": "KeyError: 'labels'",
    "assert False": "AssertionError",  # no text: its type once, not 'AssertionError: AssertionError'
}


@pytest.mark.parametrize("command", ["train", "train-teacher"])
@pytest.mark.parametrize("body", sorted(LOADER_ERRORS))
def test_a_registered_loader_that_raises_is_one_line_naming_it(tmp_path, capsys, monkeypatch,
                                                               registered, command, body):
    # it was the loader's traceback, exit status 1
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "failing_data", raising=False)
    (tmp_path / "failing_data.py").write_text(FAILING_LOADER.format(body=body))
    run = SMALL_RUN if command == "train" else ["--model.teacher", "synthetic-teacher",
                                                "--teacher.epochs", "1", "--run.threads", "1"]
    status = main([command, "--import", "failing_data.py", "--data", "failing-data", *run,
                   "--out-dir", str(tmp_path / "runs")])
    sys.modules.pop("failing_data", None)
    assert (status, capsys.readouterr().err) == (2, (
        f"pidkit-distill {command}: error: data.name: the loader registered as 'failing-data' "
        f"failed: {LOADER_ERRORS[body]} (an error of the loader's own code; its traceback is "
        "this error's cause, which pidkit-distill shows with --debug)\n"))
    assert not (tmp_path / "runs").exists()


def test_a_registered_loader_that_raises_is_a_data_error_of_check_config(tmp_path, registered):
    from pidkit_distill import check_config, load_config, load_dataset, register_dataset
    from pidkit_distill.training.loaders import DataError

    down = RuntimeError("db down")

    @register_dataset("failing-data")
    def failing(*, seed=0):
        raise down

    with pytest.raises(ValueError) as loaded:
        load_dataset("failing-data")
    assert str(loaded.value).startswith("the loader registered as 'failing-data' failed: "
                                        "RuntimeError: db down (")
    assert loaded.value.__cause__ is down
    with pytest.raises(DataError) as checked:
        check_config(load_config(overrides=["data.name=failing-data",
                                            "model.teacher=synthetic-teacher",
                                            "model.student=synthetic-student",
                                            f"run.out_dir={tmp_path / 'runs'}"]))
    assert str(checked.value) == f"data.name: {loaded.value}"
    assert checked.value.__cause__.__cause__ is down


@pytest.mark.parametrize("raised", [MemoryError(), torch.OutOfMemoryError("CUDA out of memory")],
                         ids=["MemoryError", "OutOfMemoryError"])
def test_memory_running_out_in_a_registered_loader_is_not_its_mistake(registered, raised):
    # it was "the loader registered as 'hungry-data' failed: MemoryError" (a ValueError, which
    # pidkit-distill said as a mistake in the data, exit status 2)
    from pidkit_distill import load_dataset, register_dataset

    @register_dataset("hungry-data")
    def hungry(*, seed=0):
        raise raised

    with pytest.raises(type(raised)) as loaded:
        load_dataset("hungry-data")
    assert loaded.value is raised
