"""CIFAR as a new user meets it, on a machine without the files or a network (task 269): what
each refusal says, and what the public fit records of models left "auto"."""

from __future__ import annotations

import importlib.machinery
import json
import socket
import sys
import types
import urllib.error
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from pidkit_distill import DatasetBundle, get_method, load_config, tap_features
from pidkit_distill.cli import main
from pidkit_distill.training import Runtime, fit

pytestmark = pytest.mark.usefixtures("one_torch_thread")

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
# the models named, so that the check builds no wide ResNet
SMALL = ["--model.teacher", "digits-teacher", "--model.student", "digits-student",
         "--teacher", "untrained", "--epochs", "1", "--audit-every", "0", "--run.threads", "1"]


def _train(tmp_path, root, *options: str) -> int:
    return main(["train", "--data", "cifar10", "--data.root", str(root), *options, *SMALL,
                 "--out-dir", str(tmp_path / "runs")])


def test_a_missing_folder_names_the_archive_and_how_to_extract_it(tmp_path, capsys):
    root = tmp_path / "data"
    assert _train(tmp_path, root) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: data.root: {root}/cifar-10-batches-py not found; put the "
        "python-pickle cifar10 archive's folder there, point root (the configuration's "
        "data.root) at the folder that holds it, or pass download=True "
        "(data.options.download=true; needs torchvision: pip install 'pidkit[vision]'); the "
        f"archive is {URL} (then tar -xzf {root}/cifar-10-python.tar.gz -C {root}).\n")


def test_an_archive_left_unextracted_is_named(tmp_path, capsys):
    root = tmp_path / "data"
    root.mkdir()
    (root / "cifar-10-python.tar.gz").write_bytes(b"\x1f\x8b" + bytes(998))  # cut short
    assert _train(tmp_path, root) == 2
    err = capsys.readouterr().err
    assert err.endswith(
        f"'pidkit[vision]'); {root}/cifar-10-python.tar.gz is there but not extracted: extract "
        f"it (tar -xzf {root}/cifar-10-python.tar.gz -C {root}; an archive that tar cannot read "
        "is a download cut short: download it again).\n")
    assert err.count("\n") == 1


def _offline_torchvision(monkeypatch, timeouts: list) -> None:
    """A stand-in ``torchvision`` whose CIFAR10 download fails as urllib does with no network,
    noting the socket timeout in force while it ran."""

    class CIFAR10:
        def __init__(self, root, *, train, download):
            timeouts.append(socket.getdefaulttimeout())
            raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name "
                                                            "resolution"))

    module = types.ModuleType("torchvision")
    module.__spec__ = importlib.machinery.ModuleSpec("torchvision", None)
    module.datasets = types.SimpleNamespace(CIFAR10=CIFAR10)
    monkeypatch.setitem(sys.modules, "torchvision", module)


def test_a_download_without_a_network_is_one_line_with_the_way_by_hand(tmp_path, monkeypatch,
                                                                        capsys):
    # it was urllib's URLError traceback, 'training failed: <urlopen error ...>', exit 1, and a
    # download that the network stalled waited for good (torchvision's urlopen has no timeout)
    _offline_torchvision(monkeypatch, timeouts := [])
    root = tmp_path / "data"
    assert _train(tmp_path, root, "--data.options", "download=true") == 2
    assert timeouts == [60.0]
    assert socket.getdefaulttimeout() is None  # as it was
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: data.root: cannot download cifar10 from {URL} (gaierror: "
        "[Errno -3] Temporary failure in name resolution); download it on a machine that can, "
        f"copy it into {str(root)!r} and extract it there (tar -xzf "
        f"{root}/cifar-10-python.tar.gz -C {root}), or point root (the configuration's "
        "data.root) at a folder that holds cifar-10-batches-py\n")


def _fit(run_dir, *overrides: str):
    """fit of BAS on 32 samples of 4 features (two small MLPs); returns the configuration."""
    x = torch.randn(48, 4, generator=torch.Generator().manual_seed(0))
    y = (x[:, 0] > 0).long()
    bundle = DatasetBundle(TensorDataset(x[:32], y[:32]), TensorDataset(x[32:], y[32:]),
                           num_classes=2, input_shape=(4,))

    def mlp(width: int) -> nn.Module:
        net = nn.Sequential(nn.Linear(4, width), nn.ReLU(), nn.Linear(width, 2))
        return tap_features(net, layers=["1"])

    module = get_method("bas")(mlp(8), mlp(16), sample_input=x[:2], num_classes=2)
    config = load_config(overrides=["method.name=bas", "data.name=synthetic",
                                    "data.batch_size=16", "run.audit_every=0",
                                    "run.progress=false", *overrides])
    fit(config, module, bundle, run_dir, Runtime.single())
    return config


def test_fit_records_the_models_that_auto_stands_for(tmp_path):
    # fit recorded model.teacher='auto' in config.json where check_config had not resolved it
    config = _fit(tmp_path / "run", "run.epochs=1", "run.print_every=0")
    recorded = json.loads(Path(tmp_path / "run" / "config.json").read_text())["model"]
    assert recorded == {"teacher": "synthetic-teacher", "student": "synthetic-student"}
    assert config.model.teacher == "auto"  # the caller's, as given


@pytest.mark.parametrize(("seconds", "pace"), [
    (250.0, "epoch 1 took 4m10s on cpu: the 3 epochs left take about 12m30s at this pace\n"),
    (150.0, ""),  # 7m30s left: not said
])
def test_a_long_run_says_what_its_epochs_left_take_after_the_first(tmp_path, monkeypatch, capsys,
                                                                    seconds, pace):
    # nothing said what a run was in for (wrn-40-2 on CIFAR on the CPU: hours) but each epoch's
    # time, and no progress bar outside a terminal; the clock here is the test's
    from pidkit_distill.training import loop

    ticks = iter(range(100))
    monkeypatch.setattr(loop, "time", types.SimpleNamespace(
        perf_counter=lambda: next(ticks) * seconds))  # an epoch: two readings apart
    _fit(tmp_path / "run", "run.epochs=4", "run.print_every=2")
    assert capsys.readouterr().out.split("[bas] epoch 2/4")[0] == pace


def test_a_download_without_torchvision_names_the_archive(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torchvision", None)  # not installed
    root = tmp_path / "data"
    assert _train(tmp_path, root, "--data.options", "download=true") == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: data.root: cifar10 is not under {root} and torchvision "
        "(the 'vision' extra) is not installed to download it; pip install 'pidkit[vision]' or "
        f"place the folder there; the archive is {URL} (then tar -xzf "
        f"{root}/cifar-10-python.tar.gz -C {root}).\n")
