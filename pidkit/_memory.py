"""The memory a container lets this process have: its control group's limit less its usage.

psutil reports the host's free memory. In a container (Docker, Kubernetes, Slurm's cgroup
plugin) the kernel ends the process at its control group's limit instead (exit 137, no
message), which can be far below what the host has free. Both cgroup v2 (``memory.max``) and
v1 (``memory.limit_in_bytes``) are read, for the process's own group and every group above it,
as the kernel applies them.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["cgroup_headroom"]

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
