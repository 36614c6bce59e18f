"""Check ``run.device`` against this machine before any work: :func:`check_devices`.

``run.device=cuda`` needs CUDA here, and on CUDA each process of a torchrun takes its own GPU,
``cuda:LOCAL_RANK``: a launch of more processes than this machine has GPUs is refused before
the run, in every process alike. ``run.device=cuda:N`` trains one process on GPU ``N``, which
this machine must have; a run of several processes, which take their GPUs by ``LOCAL_RANK``, is
refused it.
"""

from __future__ import annotations

import os

import torch

from pidkit_distill.config import TrainConfig
from pidkit_distill.config_errors import ConfigValueError
from pidkit_distill.devices import cuda_devices, no_cuda, on_this_machine
from pidkit_distill.launcher_env import (
    check_rendezvous,
    local_rank_from_env,
    local_world_size_from_env,
    rank_from_env,
    world_size_from_env,
)

__all__ = ["check_devices"]


def check_devices(config: TrainConfig) -> None:
    """Raise :class:`ValueError`, naming ``run.device``, where this machine cannot run ``config``.

    Parameters
    ----------
    config : TrainConfig
        The configuration; its ``run.device`` and the launcher's environment are read.

    Raises
    ------
    ValueError
        ``run.device=cuda`` (or ``cuda:N``) without CUDA; ``cuda:N`` where this machine has no
        GPU ``N``, or in a run of several processes (these three a
        :class:`~pidkit_distill.ConfigValueError` of ``run.device``, which the command tells
        naming the option typed or the ``--config`` file:
        :func:`~pidkit_distill.cli_values.name_errors_as_typed`); or, on CUDA, more processes on this machine
        than it has GPUs, or a process whose own GPU index is beyond them. An environment variable of
        the launcher that is no number, or a process of several without ``MASTER_ADDR`` (not
        started by torchrun), is named without a configuration key in front.
    """
    device = config.run.device
    if device.startswith("cuda") and not on_this_machine(torch.device("cuda")):
        raise ConfigValueError(f"run.device: {device!r} was asked for, but {no_cuda()}; use "
                               "run.device=cpu or auto", "run.device", device, advised=True)
    if device.startswith("cuda:"):
        _check_gpu_named(torch.device(device))
    _check_gpu_per_process(config)


def _check_gpu_named(device: torch.device) -> None:
    """``run.device=cuda:N`` is one process on GPU ``N``: a GPU this machine has (of those that
    ``CUDA_VISIBLE_DEVICES`` leaves visible, numbered from 0), in a run of one process (each
    process of a torchrun takes its own GPU, ``cuda:LOCAL_RANK``, so that one index named for
    all of them would put them all on one GPU)."""
    processes = world_size_from_env()
    if processes > 1:
        raise ConfigValueError(
            f"run.device: {str(device)!r} names one GPU, but this process is one of {processes} "
            f"(WORLD_SIZE={processes}), and each process of a torchrun takes its own GPU, "
            "cuda:LOCAL_RANK; pass run.device=cuda (or auto), and choose the GPUs with "
            "CUDA_VISIBLE_DEVICES", "run.device", str(device), advised=True)
    gpus = cuda_devices()
    if device.index is not None and device.index >= gpus:
        visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        hidden = ("" if visible is None else
                  f" (those that CUDA_VISIBLE_DEVICES={visible!r} leaves visible, numbered "
                  "from 0)")
        last = "cuda:0" if gpus == 1 else f"cuda:0 to cuda:{gpus - 1}"
        raise ConfigValueError(
            f"run.device: {str(device)!r} was asked for, but this machine has {gpus} CUDA "
            f"device(s){hidden}, {last}; pass an index below {gpus}, or cuda", "run.device",
            str(device), advised=True)


def _check_gpu_per_process(config: TrainConfig) -> None:
    """On CUDA each process of a torchrun takes the GPU ``cuda:LOCAL_RANK``: a machine with
    fewer GPUs than processes is refused in every process alike (the processes beyond the
    GPUs failed in torch's ``set_device`` with "invalid device ordinal", before the run), and
    so is a process whose own GPU index is beyond them where ``LOCAL_WORLD_SIZE`` does not say
    so (srun, mpirun or by hand, without it)."""
    # read first, also on the CPU, where init_runtime reads them too: one that is no number is
    # named here, with no configuration key in front (LOCAL_RANK reads RANK where it is unset)
    world_size_from_env(), rank_from_env()
    check_rendezvous()
    processes, local_rank = local_world_size_from_env(), local_rank_from_env()
    gpus = cuda_devices()
    # no GPU: run.device=cuda is refused above, and auto runs every process on the CPU; a GPU
    # named (cuda:N, one process: _check_gpu_named) is not chosen by LOCAL_RANK
    if config.run.device == "cpu" or gpus == 0 or config.run.device.startswith("cuda:"):
        return
    chose = " ('auto' chose CUDA)" if config.run.device == "auto" else ""
    if processes > gpus:
        raise ValueError(
            f"run.device: on CUDA{chose} each process of a torchrun takes its own GPU "
            f"(cuda:LOCAL_RANK), "
            f"but torchrun started {processes} processes on this machine "
            f"(LOCAL_WORLD_SIZE={processes}) and it has {gpus} CUDA device(s); start at most "
            f"{gpus}: torchrun --nproc_per_node {gpus} (or make more GPUs visible with "
            "CUDA_VISIBLE_DEVICES)")
    if local_rank >= gpus:
        raise ValueError(
            f"run.device: on CUDA{chose} each process takes its own GPU (cuda:LOCAL_RANK), but "
            f"this one would take cuda:{local_rank} (LOCAL_RANK, or RANK where it is unset) and "
            f"this machine has {gpus} CUDA device(s); give each process its index among the "
            f"processes on this machine, below {gpus}, as LOCAL_RANK (torchrun sets it, with "
            "LOCAL_WORLD_SIZE)")
