"""``run.device=cuda:N`` as a PyTorch user passes it: one process trains on GPU ``N``, which this
machine must have; under torchrun, where each process takes ``cuda:LOCAL_RANK``, an index is
refused with what to pass instead. ``cuda:1`` was refused in every case ("takes no GPU index"),
with advice to set ``CUDA_VISIBLE_DEVICES`` instead. This machine has no GPU: torch's CUDA
queries are replaced, as test_checks_gpus.py does."""

from __future__ import annotations

import pytest
import torch
from tiny_runs import TINY, tiny

from pidkit_distill import check_config, load_config
from pidkit_distill.cli import main
from pidkit_distill.config import RunConfig
from pidkit_distill.training.runtime import close_runtime, init_runtime

_LAUNCHER = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def _gpus(monkeypatch, count: int) -> list[torch.device]:
    """This process alone (no launcher variables) on a machine of ``count`` GPUs; the list
    receives the devices that ``torch.cuda.set_device`` is given."""
    for name in (*_LAUNCHER, "CUDA_VISIBLE_DEVICES"):
        monkeypatch.delenv(name, raising=False)
    chosen: list[torch.device] = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: count > 0)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: count)
    monkeypatch.setattr(torch.cuda, "set_device", chosen.append)
    return chosen


@pytest.mark.parametrize(("given", "held"), [("cuda:1", "cuda:1"), ("CUDA:12", "cuda:12"),
                                             ("cuda:0", "cuda:0")])
def test_a_gpu_index_is_a_device_the_configuration_holds(given, held):
    assert load_config(overrides=[f"run.device={given}"]).run.device == held
    assert RunConfig(device=given).device == held


def test_one_process_trains_on_the_gpu_it_names(tmp_path, monkeypatch):
    chosen = _gpus(monkeypatch, 2)
    config = check_config(tiny(tmp_path, "run.device=cuda:1")).config
    runtime = init_runtime(config)
    close_runtime(runtime)
    assert (runtime.device, chosen) == (torch.device("cuda", 1), [torch.device("cuda", 1)])
    # cuda without an index is still the process's own GPU, cuda:0 in one process
    runtime = init_runtime(check_config(tiny(tmp_path, "run.device=cuda")).config)
    close_runtime(runtime)
    assert (runtime.device, chosen[1:]) == (torch.device("cuda", 0), [torch.device("cuda", 0)])


@pytest.mark.parametrize(("gpus", "visible", "told"), [
    (2, None, "2 CUDA device(s), cuda:0 to cuda:1; pass an index below 2, or cuda"),
    (1, "3", "1 CUDA device(s) (those that CUDA_VISIBLE_DEVICES='3' leaves visible, numbered "
             "from 0), cuda:0; pass an index below 1, or cuda"),
])
def test_an_index_beyond_the_gpus_is_refused_naming_those_there(tmp_path, monkeypatch, gpus,
                                                                visible, told):
    _gpus(monkeypatch, gpus)
    if visible is not None:
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", visible)
    with pytest.raises(ValueError) as refused:
        check_config(tiny(tmp_path, "run.device=cuda:2"))
    assert str(refused.value) == f"run.device: 'cuda:2' was asked for, but this machine has {told}"


def test_an_index_without_cuda_is_refused_as_cuda_is(tmp_path, monkeypatch):
    _gpus(monkeypatch, 0)
    with pytest.raises(ValueError) as refused:
        check_config(tiny(tmp_path, "run.device=cuda:1"))
    assert str(refused.value) == ("run.device: 'cuda:1' was asked for, but this machine has no "
                                  "CUDA device; use run.device=cpu or auto")


@pytest.mark.parametrize("rank", [0, 1])
def test_an_index_under_torchrun_is_refused_with_what_to_pass(tmp_path, monkeypatch, rank):
    # one index for every process would put them all on one GPU
    _gpus(monkeypatch, 2)
    for name, value in {"RANK": rank, "LOCAL_RANK": rank, "WORLD_SIZE": 2, "LOCAL_WORLD_SIZE": 2,
                        "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": 29500}.items():
        monkeypatch.setenv(name, str(value))
    with pytest.raises(ValueError) as refused:
        check_config(tiny(tmp_path, "run.device=cuda:1"))
    assert str(refused.value) == (
        "run.device: 'cuda:1' names one GPU, but this process is one of 2 (WORLD_SIZE=2), and "
        "each process of a torchrun takes its own GPU, cuda:LOCAL_RANK; pass run.device=cuda "
        "(or auto), and choose the GPUs with CUDA_VISIBLE_DEVICES")


def test_the_command_says_a_missing_gpu_in_one_line(tmp_path, monkeypatch, capsys):
    _gpus(monkeypatch, 1)
    sets = [arg for item in [*TINY, "run.device=cuda:3", f"run.out_dir={tmp_path}"]
            for arg in ("--set", item)]
    assert main(["train", *sets]) == 2
    assert capsys.readouterr().err == (
        "pidkit-distill train: error: --set run.device=cuda:3: 'cuda:3' was asked for, but this "
        "machine has 1 CUDA device(s), cuda:0; pass an index below 1, or cuda\n")
    assert sorted(tmp_path.rglob("*")) == []
