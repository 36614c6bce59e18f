"""A run.device that this machine cannot run is told naming where it came from (walk t-413 L2):
the option as typed, with the advice in that option's words, or the --config file's name first,
as every other refused value is. It said "run.device: 'cuda' was asked for, ...; use
run.device=cpu or auto" whatever gave the value; Python's check_config still says that."""

from __future__ import annotations

import pytest
import torch
from tiny_runs import TINY, tiny

from pidkit_distill import ConfigValueError
from pidkit_distill.cli import main
from pidkit_distill.training import check_config

ERROR = "pidkit-distill train: error: "
NO_CUDA = "'cuda' was asked for, but this machine has no CUDA device; use"


@pytest.fixture()
def no_gpu(monkeypatch):
    """A machine without CUDA, whatever this one has."""
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)


def _sets(out_dir):
    """The tiny run's settings as --set options, but its run.device (cpu)."""
    return [arg for item in [*TINY, f"run.out_dir={out_dir}"]
            if not item.startswith("run.device=") for arg in ("--set", item)]


@pytest.mark.parametrize(("typed", "expected"), [
    (["--device", "cuda"], f"--device cuda: {NO_CUDA} --device cpu or auto"),
    (["--device", "CUDA:0"], f"--device CUDA:0: {NO_CUDA.replace('cuda', 'cuda:0', 1)} "
                             "--device cpu or auto"),
    (["--run.device=cuda"], f"--run.device cuda: {NO_CUDA} --run.device cpu or auto"),
    (["--set", "run.device=cuda"], f"--set run.device=cuda: {NO_CUDA} --set run.device=cpu or "
                                   "auto"),
])
def test_a_device_typed_is_refused_naming_the_option(tmp_path, capsys, no_gpu, typed, expected):
    assert main(["train", *_sets(tmp_path), *typed]) == 2
    assert capsys.readouterr() == ("", f"{ERROR}{expected}\n")
    assert sorted(tmp_path.rglob("*")) == []


def test_a_device_of_the_config_file_starts_with_the_file_s_name(tmp_path, capsys, no_gpu):
    path = tmp_path / "gpu.toml"
    path.write_text('[run]\ndevice = "cuda"\n')
    assert main(["train", *_sets(tmp_path / "runs"), "--config", str(path)]) == 2
    assert capsys.readouterr().err == (f"{ERROR}config file {str(path)!r}: run.device: {NO_CUDA} "
                                       "run.device=cpu or auto\n")
    # an option typed over the file's value is the one named
    assert main(["train", *_sets(tmp_path / "runs"), "--config", str(path), "--device",
                 "cuda:1"]) == 2
    assert capsys.readouterr().err.startswith(f"{ERROR}--device cuda:1: 'cuda:1' was asked for")


def test_python_keeps_the_key_and_the_error_keeps_its_fields(tmp_path, no_gpu):
    with pytest.raises(ConfigValueError) as refused:
        check_config(tiny(tmp_path, "run.device=cuda"))  # the last of run.device wins
    assert str(refused.value) == f"run.device: {NO_CUDA} run.device=cpu or auto"
    assert (refused.value.key, refused.value.value) == ("run.device", "cuda")


def test_a_gpu_index_beyond_the_machine_s_names_the_option(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert main(["train", *_sets(tmp_path), "--device", "cuda:2"]) == 2
    assert capsys.readouterr().err == (
        f"{ERROR}--device cuda:2: 'cuda:2' was asked for, but this machine has 2 CUDA "
        "device(s), cuda:0 to cuda:1; pass an index below 2, or cuda\n")
