"""How much memory this process can have, and the up-front refusal of work that would not fit.

:func:`available_memory` is the smaller of the host's free memory and the container's: its
control group's limit less its usage (:func:`cgroup_headroom`).

psutil reports the host's free memory. In a container (Docker, Kubernetes, Slurm's cgroup
plugin) the kernel ends the process at its control group's limit instead (exit 137, no
message), which can be far below what the host has free. Both cgroup v2 (``memory.max``) and
v1 (``memory.limit_in_bytes``) are read, for the process's own group and every group above it,
as the kernel applies them.
"""

from __future__ import annotations

from pathlib import Path

import psutil

__all__ = ["ALWAYS_FITS_BYTES", "available_memory", "cgroup_headroom", "check_memory"]

ALWAYS_FITS_BYTES = 2**28
"""Estimates up to this size (256 MiB) pass :func:`check_memory` without asking the system."""

_UNLIMITED = 2**60  # v1 writes "no limit" as a huge page-aligned number (9223372036854771712)


def cgroup_headroom(root: Path = Path("/sys/fs/cgroup"),
                    own: Path = Path("/proc/self/cgroup")) -> int | None:
    """Bytes this process can still allocate before its tightest control group's memory limit,
    or ``None`` where no limit applies (or none can be read: not Linux, no cgroup mounted).

    The usage counted is the group's less its inactive file cache, which the kernel reclaims
    before it ends a process (as ``docker stats`` counts it).

    Examples
    --------
    >>> headroom = cgroup_headroom()
    >>> headroom is None or headroom >= 0
    True
    """
    try:
        lines = own.read_text().splitlines()
    except OSError:
        return None
    headrooms = []
    for line in lines:
        if line.count(":") < 2:
            continue
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # cgroup v2's unified hierarchy
            headrooms += _headrooms(root, path, "memory.max", "memory.current", "inactive_file")
        elif "memory" in controllers.split(","):
            headrooms += _headrooms(root / "memory", path, "memory.limit_in_bytes",
                                    "memory.usage_in_bytes", "total_inactive_file")
    return min(headrooms, default=None)


def _headrooms(mount: Path, path: str, limit_file: str, usage_file: str,
               cache_key: str) -> list[int]:
    """The headroom of each group from ``path`` up to the mount's root that has a limit."""
    headrooms = []
    group = mount / path.lstrip("/")
    for folder in (group, *group.parents):
        limit = _number(folder / limit_file)
        if limit is not None and limit < _UNLIMITED:
            usage = _number(folder / usage_file) or 0
            headrooms.append(max(limit - max(usage - _cache(folder, cache_key), 0), 0))
        if folder == mount:
            break
    return headrooms


def _number(path: Path) -> int | None:
    """The whole number in a cgroup file; ``None`` for ``max`` (v2's no limit) or no file."""
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _cache(folder: Path, key: str) -> int:
    """The group's inactive file cache (``memory.stat``), 0 where it cannot be read."""
    try:
        for line in (folder / "memory.stat").read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == key and value.strip().isdigit():
                return int(value)
    except OSError:
        pass
    return 0


def available_memory() -> int:
    """Bytes of memory the operating system can give this process now without swapping, and
    its container's memory limit allows (:func:`cgroup_headroom`)."""
    free = int(psutil.virtual_memory().available)
    headroom = cgroup_headroom()
    return free if headroom is None else min(free, headroom)


def check_memory(n_bytes: float, *, name: str, what: str) -> None:
    """Raise ``ValueError`` up front when ``n_bytes`` will not fit in the available memory.

    Parameters
    ----------
    n_bytes : float
        The estimate of the memory the work needs.
    name : str
        The argument whose size drives the estimate, used in the message.
    what : str
        What needs the memory, e.g. ``"holding it as float64"``.

    Examples
    --------
    >>> check_memory(1e6, name="p_yts", what="a test")
    >>> check_memory(1e30, name="p_yts", what="a test")
    Traceback (most recent call last):
    ...
    ValueError: p_yts is too large: a test needs about 9.31e+20 GiB, but only ...
    """
    if n_bytes <= ALWAYS_FITS_BYTES:
        return
    free = available_memory()
    if n_bytes > free:
        raise ValueError(
            f"{name} is too large: {what} needs about {n_bytes / 2**30:.3g} GiB, but only "
            f"{free / 2**30:.3g} GiB of memory is available. Merge or drop symbols (e.g. fewer "
            "clusters when discretising), or run on a machine with more memory."
        )
