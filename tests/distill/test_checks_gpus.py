"""check_config on CUDA and under torchrun: a device that is not there, more processes than GPUs,
a process whose GPU index is beyond them and launcher variables that are no numbers are refused
before any work, in every process (moved from test_checks.py, which had reached 600 lines)."""

from __future__ import annotations

import pytest
import torch
from tiny_runs import TINY, tiny

from pidkit_distill.cli import main
from pidkit_distill.training import check_config, joining
from pidkit_distill.training import run as run_module


def _must_not_start(config):
    raise AssertionError("the run went on to set up its process and GPU")


def test_cuda_without_cuda_is_refused_in_the_words_of_every_device_message(tmp_path,
                                                                         monkeypatch):
    # it said "CUDA is not available", where load_student and the audit say "this machine has
    # no CUDA device" (pidkit_distill.devices, which all three now ask)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError) as info:
        check_config(tiny(tmp_path, "run.device=cuda"))
    assert str(info.value) == ("run.device: 'cuda' was asked for, but this machine has no CUDA "
                               "device; use run.device=cpu or auto")


def _torchrun_on_gpus(monkeypatch, *, gpus: int, processes: int, rank: int = 0) -> None:
    """This process as rank ``rank`` of a torchrun of ``processes`` on a machine of ``gpus``."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: gpus > 0)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: gpus)
    for key, value in {"RANK": rank, "LOCAL_RANK": rank, "WORLD_SIZE": processes,
                       "LOCAL_WORLD_SIZE": processes, "MASTER_ADDR": "127.0.0.1",
                       "MASTER_PORT": 29500}.items():
        monkeypatch.setenv(key, str(value))


def gpus_refused(processes: int, gpus: int, chose: str = "") -> str:
    return (f"run.device: on CUDA{chose} each process of a torchrun takes its own GPU "
            f"(cuda:LOCAL_RANK), but torchrun started {processes} processes on this machine "
            f"(LOCAL_WORLD_SIZE={processes}) and it has {gpus} CUDA device(s); start at most "
            f"{gpus}: torchrun --nproc_per_node {gpus} (or make more GPUs visible with "
            "CUDA_VISIBLE_DEVICES)")


@pytest.mark.parametrize(("device", "chose"), [("cuda", ""), ("auto", " ('auto' chose CUDA)")])
@pytest.mark.parametrize("rank", [0, 3])
def test_more_processes_than_gpus_is_refused_in_every_process(tmp_path, monkeypatch, device,
                                                                chose, rank):
    # torchrun --nproc_per_node 4 on 2 GPUs passed the check; ranks 2 and 3 then failed in
    # torch.cuda.set_device with torch's "invalid device ordinal" traceback, and rank 0,
    # killed by torchrun, said "interrupted ... rerun the same command"
    _torchrun_on_gpus(monkeypatch, gpus=2, processes=4, rank=rank)
    with pytest.raises(ValueError) as info:
        check_config(tiny(tmp_path, f"run.device={device}"))
    assert str(info.value) == gpus_refused(4, 2, chose)


@pytest.mark.parametrize(("unset", "rank"), [("LOCAL_WORLD_SIZE", 2), ("LOCAL_RANK", 4)])
def test_a_process_whose_own_gpu_is_beyond_the_gpus_is_refused_without_torchrun(
        tmp_path, monkeypatch, unset, rank):
    # srun, mpirun or by hand, without LOCAL_WORLD_SIZE (it read 1) or without LOCAL_RANK (RANK
    # numbers the GPU): the check passed, and init_runtime's set_device(cuda:2) or cuda:4 on 2
    # GPUs failed with torch's "invalid device ordinal" traceback
    _torchrun_on_gpus(monkeypatch, gpus=2, processes=2, rank=rank)
    monkeypatch.setenv("WORLD_SIZE", "8")  # a run over machines: RANK is below WORLD_SIZE
    monkeypatch.delenv(unset)
    with pytest.raises(ValueError) as info:
        check_config(tiny(tmp_path, "run.device=cuda"))
    assert str(info.value) == (
        f"run.device: on CUDA each process takes its own GPU (cuda:LOCAL_RANK), but this one "
        f"would take cuda:{rank} (LOCAL_RANK, or RANK where it is unset) and this machine has 2 "
        "CUDA device(s); give each process its index among the processes on this machine, "
        "below 2, as LOCAL_RANK (torchrun sets it, with LOCAL_WORLD_SIZE)")


@pytest.mark.parametrize(("device", "gpus"), [("cuda", 2), ("auto", 2), ("auto", 0), ("cpu", 2)])
@pytest.mark.parametrize("name", ["LOCAL_WORLD_SIZE", "LOCAL_RANK", "RANK", "WORLD_SIZE"])
def test_a_local_count_or_index_that_is_no_number_is_named(tmp_path, monkeypatch, device, gpus,
                                                          name):
    # LOCAL_WORLD_SIZE=x was "invalid literal for int() with base 10: 'x'", naming no variable,
    # on the CPU too; LOCAL_RANK=x passed the check and was the same ValueError's traceback from
    # init_runtime, which reads it on the CPU too; RANK=x and WORLD_SIZE=x were int()'s message
    _torchrun_on_gpus(monkeypatch, gpus=gpus, processes=2)
    monkeypatch.setenv(name, "x")
    with pytest.raises(ValueError) as info:
        check_config(tiny(tmp_path, f"run.device={device}"))
    assert str(info.value) == (
        f"{name}='x' in the environment is not a count or index of processes (a whole number, "
        "as torchrun sets it); unset it or set it as torchrun would")


@pytest.mark.parametrize(("device", "gpus", "processes"), [
    ("cuda", 2, 2), ("cuda", 4, 2), ("auto", 0, 4), ("cpu", 2, 4), ("cuda", 1, 1)])
def test_a_gpu_for_every_process_or_no_gpu_at_all_passes(tmp_path, monkeypatch, device, gpus,
                                                         processes):
    _torchrun_on_gpus(monkeypatch, gpus=gpus, processes=processes)
    assert check_config(tiny(tmp_path, f"run.device={device}")).config.run.device == device


@pytest.mark.parametrize("rank", [0, 1])
def test_more_processes_than_gpus_is_one_line_a_process_before_they_meet_and_exits_2(
        tmp_path, monkeypatch, capsys, rank):
    # the check runs in each process before the processes meet; without the store of torchrun's
    # agent (srun, by hand: here) each says it, named when it is not rank 0 (under torchrun the
    # first to record it in that store does: test_ddp_check_fails_on_one_rank.py). An earlier
    # test that met and left its group (joining._MET, cleared when a run destroys the group it
    # made) must not silence it.
    _torchrun_on_gpus(monkeypatch, gpus=2, processes=4, rank=rank)
    monkeypatch.delenv("TORCHELASTIC_USE_AGENT_STORE", raising=False)
    monkeypatch.setattr(joining, "_MET", [])
    monkeypatch.setattr(run_module, "init_runtime", _must_not_start)  # the check must stop it
    sets = [arg for item in [*TINY, "run.device=cuda", f"run.out_dir={tmp_path}"]
            for arg in ("--set", item)]
    assert main(["train", *sets]) == 2
    named = f" (rank {rank} of 4)" if rank else ""
    assert capsys.readouterr().err == f"pidkit-distill train{named}: error: {gpus_refused(4, 2)}\n"
