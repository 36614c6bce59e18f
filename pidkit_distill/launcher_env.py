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

__all__ = ["local_rank_from_env", "local_world_size_from_env", "rank_from_env",
           "world_size_from_env"]


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
