"""Where this process stands in a torchrun, read from the launcher's environment (``RANK``,
``WORLD_SIZE``, ``LOCAL_RANK``, ``LOCAL_WORLD_SIZE``) without importing PyTorch, so that the
``pidkit-distill`` command reads them as the run does before it waits for PyTorch.

A value that is no whole number is a :class:`ValueError` naming the variable and its value,
not int()'s "invalid literal".

Examples
--------
>>> import os
>>> from pidkit_distill.launcher_env import rank_from_env
>>> os.environ["RANK"] = "x"
>>> rank_from_env()
Traceback (most recent call last):
...
ValueError: RANK='x' in the environment is not a count or index of processes (a whole number, \
as torchrun sets it); unset it or set it as torchrun would
>>> del os.environ["RANK"]
>>> rank_from_env()
0
"""

from __future__ import annotations

import os
import sys

__all__ = ["check_rendezvous", "local_rank_from_env", "local_world_size_from_env",
           "rank_from_env", "world_size_from_env"]


def _from_env(name: str, default: int) -> int:
    """The whole number torchrun sets as ``name`` (``default`` where it is unset); anything else
    is a ValueError naming the variable, not int()'s "invalid literal"."""
    value = os.environ.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()):  # int() takes no '²', which isdigit() does
        raise ValueError(f"{name}={value!r} in the environment is not a count or index of "
                         "processes (a whole number, as torchrun sets it); unset it or set "
                         "it as torchrun would")
    return int(value)


def world_size_from_env() -> int:
    """``WORLD_SIZE`` as torchrun sets it (1 outside torchrun)."""
    return _from_env("WORLD_SIZE", 1)


def local_world_size_from_env() -> int:
    """``LOCAL_WORLD_SIZE`` as torchrun sets it: the processes of the run on this machine, one
    per GPU on CUDA (1 outside torchrun)."""
    return _from_env("LOCAL_WORLD_SIZE", 1)


def rank_from_env() -> int:
    """``RANK`` as torchrun sets it (0 outside torchrun): 0 is the process that writes. One not
    below ``WORLD_SIZE`` (a ``RANK`` left in the environment without torchrun) is a
    :class:`ValueError` naming both: such a process would wait for a rank 0 that never comes."""
    rank, world_size = _from_env("RANK", 0), world_size_from_env()
    if rank >= world_size:
        raise ValueError(f"RANK={rank} in the environment is not below WORLD_SIZE={world_size} "
                         "(1 where it is unset), so no process of this run is rank 0; unset "
                         "RANK outside torchrun, or set both as torchrun would")
    return rank


def local_rank_from_env() -> int:
    """``LOCAL_RANK`` as torchrun sets it, the index of the process on its machine and of its
    GPU on CUDA (``cuda:LOCAL_RANK``); ``RANK`` where it is unset."""
    return _from_env("LOCAL_RANK", rank_from_env())


def _rendezvous_missing() -> str | None:
    """The launcher variable a process of several (``WORLD_SIZE`` above 1) lacks to meet the
    others, ``MASTER_ADDR`` or ``MASTER_PORT`` (torchrun sets both); ``None`` where nothing
    is missing, or where this process is the only one. Such a process was not started by
    torchrun: ``RANK`` and ``WORLD_SIZE`` were left set in the shell."""
    if world_size_from_env() <= 1:
        return None
    return next((name for name in ("MASTER_ADDR", "MASTER_PORT") if not os.environ.get(name)),
                None)


def _group_made() -> bool:
    """Whether this process is in a process group already, read without importing PyTorch: no
    group exists where ``torch.distributed`` was never imported."""
    dist = sys.modules.get("torch.distributed")
    return dist is not None and dist.is_available() and dist.is_initialized()


def check_rendezvous() -> None:
    """Raise a :class:`ValueError` where this process is one of several (``WORLD_SIZE`` above
    1) but has no address to meet the others at (``MASTER_ADDR`` or ``MASTER_PORT`` unset): it
    would fail in torch's "env:// rendezvous" (exit 1), or, as ``RANK=1``, in silence, since
    only rank 0 prints. A process group that exists already (the caller's, made with
    ``file://`` or ``tcp://``) needs neither, and passes.

    Examples
    --------
    >>> import os
    >>> os.environ.update(RANK="1", WORLD_SIZE="2")
    >>> check_rendezvous()
    Traceback (most recent call last):
    ...
    ValueError: WORLD_SIZE=2 and RANK=1 in the environment make this process one of 2, but \
MASTER_ADDR is unset (torchrun sets it, with MASTER_PORT), so it cannot meet the others: launch \
the run with torchrun (torchrun --nproc_per_node 2 -m pidkit_distill ...), or, started by \
another launcher (srun, by hand), set MASTER_ADDR and MASTER_PORT in every process (rank 0's \
host and a free port there), or unset RANK and WORLD_SIZE to train in one process
    >>> del os.environ["RANK"], os.environ["WORLD_SIZE"]
    >>> check_rendezvous()
    """
    missing = _rendezvous_missing()
    if missing is None or _group_made():
        return
    world_size, rank = world_size_from_env(), os.environ.get("RANK")
    other = "MASTER_PORT" if missing == "MASTER_ADDR" else "MASTER_ADDR"
    raise ValueError(f"WORLD_SIZE={world_size}" + ("" if rank is None else f" and RANK={rank}")
                     + f" in the environment make{'s' if rank is None else ''} this process "
                     f"one of {world_size}, but {missing} is unset (torchrun sets it, with "
                     f"{other}), so it cannot meet the others: launch the run with torchrun "
                     f"(torchrun --nproc_per_node {world_size} -m pidkit_distill ...), or, "
                     "started by another launcher (srun, by hand), set MASTER_ADDR and "
                     "MASTER_PORT in every process (rank 0's host and a free port there), or "
                     "unset "
                     + ("WORLD_SIZE" if rank is None else "RANK and WORLD_SIZE")
                     + " to train in one process")
