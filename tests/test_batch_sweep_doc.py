"""The million-joint sweep of docs/performance.md runs as a script, as a user would paste it."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pidkit

DOC = Path(__file__).resolve().parents[1] / "docs" / "performance.md"


def _sweep_script():
    """The Python block of the page's 'A million joints on a Dask or Ray cluster' section."""
    section = DOC.read_text().split("## A million joints on a Dask or Ray cluster", 1)[1]
    (block,) = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], flags=re.DOTALL)
    return block


def _small(script, old, new):
    assert old in script, f"the page's sweep no longer has {old!r}"
    return script.replace(old, new)


def test_the_documented_sweep_runs_as_a_script_on_a_local_cluster(tmp_path):
    # As pasted, `Client(LocalCluster())` failed with "RuntimeError: Nanny failed to start.": the
    # block had no `if __name__ == "__main__":` guard, and each worker process it started
    # imported the script, which started a cluster again.
    pytest.importorskip("dask.distributed")
    script = _sweep_script()
    script = _small(script, 'Client("tcp://scheduler:8786")',
                    "Client(LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None))")
    script = _small(script, "size=10_000", "size=6")
    script = _small(script, "n_blocks=100", "n_blocks=2")
    (tmp_path / "sweep.py").write_text(script)
    run = [sys.executable, "sweep.py"]
    done = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    blocks = sorted((tmp_path / "sweep").iterdir())
    assert [b.name for b in blocks] == ["block-00000.jsonl", "block-00001.jsonl"]
    for i, block in enumerate(blocks):
        records = [json.loads(line) for line in block.read_text().splitlines()]
        joints = np.random.default_rng(i).dirichlet(np.ones(1000), size=6).reshape(-1, 10, 10, 10)
        assert len(records) == 6 and all(r["success"] for r in records)
        for record, p in zip(records, joints, strict=True):
            assert record["syn"] == pytest.approx(pidkit.bertschinger(p).syn, abs=1e-9)
    # a second run finds both blocks written and solves nothing
    written = [b.stat().st_mtime_ns for b in blocks]
    assert subprocess.run(run, cwd=tmp_path, capture_output=True, timeout=300, check=False).returncode == 0
    assert [b.stat().st_mtime_ns for b in blocks] == written
