"""Seeds resumed with another audit.bootstrap or audit.confidence stay seeds of one experiment.

A resume may change run.audit_every, audit.bootstrap and audit.confidence
(config.AUDIT_RESUME_FREE_KEYS), and config.json then holds the new value while the records
audited before were made with the old. The report grouped runs by config.json's audit.* keys, so
a seed resumed with audit.bootstrap 40 -> 0 left its experiment and joined the runs of bootstrap
0 ("bas, audit.bootstrap=0" beside "bas, audit.bootstrap=40", each of one seed). Those keys set
when the atoms are measured and the intervals around them, not the atoms, which the group table
compares, so they tell no experiment apart; a row whose seeds' records were made at other
confidences says so under the table, as its marks below 0 are judged at each seed's own.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from tiny_runs import tiny

from pidkit_distill import train
from pidkit_distill.report.groups import group_table
from pidkit_distill.run_folders.groups import group_runs
from pidkit_distill.run_folders.records import load_runs

pytestmark = pytest.mark.usefixtures("one_torch_thread")

AUDITED = ("run.epochs=2", "run.audit_every=1", "audit.layers=[0]", "audit.bias_correction=none",
           "audit.clusters=3")


def _records(run_dir):
    return [json.loads(line) for line in (run_dir / "audit.jsonl").read_text().splitlines()]


def _seed_and_resumed_seed(tmp_path, *changed: str):
    """Seed 1 run through, and seed 2 stopped after epoch 1 and resumed with ``changed``."""
    train(tiny(tmp_path, *AUDITED, "run.name=s1", "run.seed=1"))
    train(tiny(tmp_path, *AUDITED, "run.name=s2", "run.seed=2", "run.stop_after=1"))
    train(tiny(tmp_path, *AUDITED, "run.name=s2", "run.seed=2", "run.resume=true", *changed))
    return load_runs([str(tmp_path / "s1"), str(tmp_path / "s2")])


def test_a_seed_resumed_with_another_bootstrap_stays_in_its_group(tmp_path, capsys):
    runs = _seed_and_resumed_seed(tmp_path, "audit.bootstrap=0")
    capsys.readouterr()
    saved = json.loads((tmp_path / "s2" / "config.json").read_text())["audit"]["bootstrap"]
    assert [(r["epoch"], r["settings"]["bootstrap"]) for r in _records(tmp_path / "s2")] == [
        (0, 40), (1, 40), (2, 0)] and saved == 0
    assert [(group.label, group.seeds) for group in group_runs(runs)] == [("bas", [1, 2])]
    table = group_table(runs)
    (row,) = [line for line in table.splitlines() if line.startswith("| bas | ")]
    # the row's Syn: mean ± sd of the two seeds' epoch-2 records, as read from their files
    syn = [_records(tmp_path / name)[-1]["syn"] for name in ("s1", "s2")]
    assert row.split(" | ")[-1] == (f"{np.mean(syn):.3f} ± {np.std(syn, ddof=1):.3f} "
                                    f"({syn[0]:.3f}, {syn[1]:.3f}) |")
    assert "when the audit ran and the intervals around its atoms (audit.bootstrap, " \
           "audit.confidence, run.audit_every: " in table
    assert "other confidences" not in table  # both at the default, 0.95


def test_a_seed_resumed_with_another_confidence_stays_and_is_named_under_the_table(tmp_path):
    runs = _seed_and_resumed_seed(tmp_path, "audit.confidence=0.9")
    assert [(group.label, group.seeds) for group in group_runs(runs)] == [("bas", [1, 2])]
    assert ("bas, 2 seeds: the seeds' audit records of the row (layer 0, epoch 2) were made at "
            "other confidences, 95% (s1) and 90% (s2) (audit.confidence, which a resume may "
            "change): their atoms are the same at any, and a mark below 0 is judged at its "
            "seed's own.") in group_table(runs)


def test_another_audit_setting_still_tells_experiments_apart(tmp_path):
    # audit.clusters changes the atoms: the seeds of 3 and 4 clusters are two experiments
    train(tiny(tmp_path, *AUDITED, "run.name=s1", "run.seed=1"))
    train(tiny(tmp_path, *AUDITED, "run.name=s2", "run.seed=2", "audit.clusters=4"))
    runs = load_runs([str(tmp_path / "s1"), str(tmp_path / "s2")])
    assert [(group.label, group.seeds) for group in group_runs(runs)] == [
        ("bas, audit.clusters=3", [1]), ("bas, audit.clusters=4", [2])]
