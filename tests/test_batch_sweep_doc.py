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


def _section_block(marker):
    """The Python block of the page's 'A million joints on a Dask or Ray cluster' section that
    holds ``marker``."""
    section = DOC.read_text().split("## A million joints on a Dask or Ray cluster", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], flags=re.DOTALL)
    (block,) = [b for b in blocks if marker in b]
    return block


def _sweep_script():
    """The section's sweep of a million joints in blocks."""
    return _section_block("def sweep(")


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


def test_the_documented_bias_corrected_sweep_prints_the_numbers_the_page_gives(capsys):
    # A sweep over joint_from_samples(...).p decomposed plug-in tables in silence (task 432: mean
    # Syn 0.112 of I 0.147 bits for neurons blind to the stimulus); the page's route passes the
    # counts, with normalize=True's warning and each joint's correct_counts.
    from pidkit.estimate import PluginBiasWarning, correct_counts

    script = _small(_section_block("correct_counts"), "map_chunks(correct_counts, counts, -1)",
                    "map_chunks(correct_counts, counts, 1)")
    namespace = {}
    with pytest.warns(PluginBiasWarning) as caught:
        exec(compile(script, "performance.md", "exec"), namespace)  # the page's own block
    said = [str(w.message) for w in caught if w.category is PluginBiasWarning]
    assert len(said) == 1 and said[0].startswith("plug-in atoms: 66 of 66 joints are counts rescaled")
    assert said[0].endswith("pidkit.parallel.map_chunks(pidkit.estimate.correct_counts, ps, n_jobs), one "
                            "BiasCorrection per joint, in order (docs/performance.md).")
    plugin_syn, corrected_syn = map(float, capsys.readouterr().out.split())
    assert (round(plugin_syn, 3), round(corrected_syn, 3)) == (0.105, 0.003)  # as the page says
    assert "a mean Syn of 0.105 bits for the plug-in and 0.003 corrected" in " ".join(DOC.read_text().split())
    counts, plugin, fixes = namespace["counts"], namespace["plugin"], namespace["fixes"]
    for k in (0, 33, 65):  # each equals the single calls
        assert plugin[k].syn == pytest.approx(pidkit.bertschinger(counts[k] / counts[k].sum()).syn, abs=1e-12)
        assert fixes[k].corrected == correct_counts(counts[k]).corrected
