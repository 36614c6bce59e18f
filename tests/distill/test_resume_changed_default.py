"""A run resumed after a key's default changed continues with the value it started with
(key_history.EARLIER_DEFAULTS): audit.bootstrap went from 20 to 40 replicates (20 is below the 39 from
which a 95 % interval can be read, pidkit.below_zero.fewest_replicates), and every run started with
20 was refused its --resume as "the configuration changed (audit.bootstrap: 20 -> 40)". Another
value given on the resume is audited with from the resumed epoch on (a resume may change it:
config.AUDIT_RESUME_FREE_KEYS)."""

from __future__ import annotations

import json

import pytest
from tiny_runs import tiny

from pidkit_distill import train
from pidkit_distill.config import AuditConfig
from pidkit_distill.training.checkpoint import read_checkpoint

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# audited at every epoch, so that the resumed epoch's records say which bootstrap they used
AUDITED = ("run.name=r", "run.epochs=2", "run.audit_every=1", "audit.layers=[0]",
           "audit.bias_correction=none")


def test_the_default_is_at_least_the_floor_of_its_confidence_and_20_was_the_one_before():
    from pidkit_distill.config.key_history import (
        EARLIER_DEFAULTS,  # imported here: its absence fails one test
    )

    settings = AuditConfig()
    assert (settings.bootstrap, settings.confidence) == (40, 0.95)
    assert (1 + settings.confidence) / (1 - settings.confidence) <= settings.bootstrap
    assert EARLIER_DEFAULTS["audit.bootstrap"] == (20,)


def test_a_run_started_with_20_replicates_resumes_with_them(tmp_path):
    with pytest.warns(UserWarning, match="'audit.bootstrap' is 20, fewer than the 39"):
        train(tiny(tmp_path, *AUDITED, "audit.bootstrap=20", "run.stop_after=1"))
    run_dir = tmp_path / "r"
    assert read_checkpoint(run_dir / "checkpoint.pt")["config"]["audit"]["bootstrap"] == 20
    config = tiny(tmp_path, *AUDITED, "run.resume=true")  # audit.bootstrap: the default, 40
    assert config.audit.bootstrap == 40
    with pytest.warns(UserWarning, match=r"with audit.bootstrap 20, the value the run started "
                                         r"with \(the default then; it is 40 now\)"):
        summary = train(config)
    assert summary.epochs_done == 2
    records = [json.loads(line) for line in (run_dir / "audit.jsonl").read_text().splitlines()]
    assert [(r["epoch"], r["settings"]["bootstrap"]) for r in records] == [(0, 20), (1, 20), (2, 20)]
    assert json.loads((run_dir / "config.json").read_text())["audit"]["bootstrap"] == 20
    assert read_checkpoint(run_dir / "checkpoint.pt")["config"]["audit"]["bootstrap"] == 20


def test_another_bootstrap_given_on_the_resume_audits_the_epochs_after_it(tmp_path):
    # a resume may change audit.bootstrap (config.AUDIT_RESUME_FREE_KEYS): the value given, not
    # the earlier default, holds from the resumed epoch on, and each record says which it used
    with pytest.warns(UserWarning, match="'audit.bootstrap' is 20, fewer than the 39"):
        train(tiny(tmp_path, *AUDITED, "audit.bootstrap=20", "run.stop_after=1"))
    with pytest.warns(UserWarning, match="'audit.bootstrap' is 30, fewer than the 39"):
        train(tiny(tmp_path, *AUDITED, "run.resume=true", "audit.bootstrap=30"))
    records = [json.loads(line) for line in (tmp_path / "r" / "audit.jsonl").read_text().splitlines()]
    assert [(r["epoch"], r["settings"]["bootstrap"]) for r in records] == [(0, 20), (1, 20), (2, 30)]
