"""The memory the size checks count on is the container's, not only the host's: a process in a
control group is ended at the group's limit (exit 137, no message), whatever the host has free."""

from __future__ import annotations

from pathlib import Path

import pytest

from pidkit import _memory
from pidkit._memory import cgroup_headroom

GiB = 2**30


def _tree(tmp_path: Path, own: str, files: dict[str, str]) -> tuple[Path, Path]:
    """A cgroup mount under ``tmp_path`` holding ``files``, and a /proc/self/cgroup ``own``."""
    root = tmp_path / "cgroup"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (tmp_path / "self-cgroup").write_text(own)
    return root, tmp_path / "self-cgroup"


def test_a_v2_limit_less_the_usage_that_is_not_reclaimable_cache(tmp_path):
    root, own = _tree(tmp_path, "0::/job\n", {
        "job/memory.max": f"{4 * GiB}\n", "job/memory.current": f"{3 * GiB}\n",
        "job/memory.stat": f"anon {2 * GiB}\ninactive_file {GiB}\nactive_file 0\n"})
    assert cgroup_headroom(root, own) == 2 * GiB  # 4 - (3 - 1)


def test_the_tightest_of_the_group_and_those_above_it(tmp_path):
    root, own = _tree(tmp_path, "0::/slurm/job7\n", {
        "slurm/memory.max": f"{2 * GiB}\n", "slurm/memory.current": f"{GiB}\n",
        "slurm/job7/memory.max": "max\n", "slurm/job7/memory.current": "0\n"})
    assert cgroup_headroom(root, own) == GiB


def test_a_v1_limit_and_no_limit_at_all(tmp_path):
    root, own = _tree(tmp_path, "9:cpu,cpuacct:/\n4:memory:/docker/abc\n", {
        "memory/docker/abc/memory.limit_in_bytes": f"{8 * GiB}\n",
        "memory/docker/abc/memory.usage_in_bytes": f"{5 * GiB}\n",
        "memory/docker/abc/memory.stat": f"total_inactive_file {GiB}\n",
        "memory/memory.limit_in_bytes": "9223372036854771712\n"})  # v1's "no limit"
    assert cgroup_headroom(root, own) == 4 * GiB
    root, own = _tree(tmp_path / "free", "4:memory:/\n",
                      {"memory/memory.limit_in_bytes": "9223372036854771712\n"})
    assert cgroup_headroom(root, own) is None


def test_no_cgroup_is_no_limit(tmp_path):
    assert cgroup_headroom(tmp_path, tmp_path / "missing") is None


def test_a_joint_too_large_for_the_containers_limit_is_refused_up_front(monkeypatch):
    # a host with 64 GiB free and a container limited to 1 GiB: the size check counted on the
    # host's 64 GiB, and the kernel ended the solve at the limit without a word
    monkeypatch.setattr(_memory.psutil, "virtual_memory",
                        lambda: type("Memory", (), {"available": 64 * GiB})())
    monkeypatch.setattr(_memory, "cgroup_headroom", lambda: GiB)
    assert _memory.available_memory() == GiB
    with pytest.raises(ValueError, match=r"needs about 4 GiB, but only 1 GiB of memory is available"):
        _memory.check_memory(4 * GiB, name="p_yts", what="holding it as float64")
