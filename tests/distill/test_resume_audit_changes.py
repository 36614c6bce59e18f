"""A resume may change when the audit runs and its intervals (run.audit_every, audit.bootstrap,
audit.confidence: config.AUDIT_RESUME_FREE_KEYS); it was refused "the configuration changed
(run.audit_every: 10 -> 5)". Those keys change what is measured, not how the student trains: a
run resumed with another audit_every and bootstrap trains the very weights of one that was not,
though the uninterrupted run audits an epoch (2) that the resumed one skips, so an audit drawing
on the training's random streams would have moved the third epoch. The atoms of an epoch both
audit are the same: the bootstrap sets their intervals only. The resume says what changed from
which epoch on; a key that changes the atoms themselves stays refused."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import torch
from tiny_runs import student_state, tiny
from torch.utils.data import TensorDataset

from pidkit_distill import train
from pidkit_distill.audit import audit_distiller
from pidkit_distill.config import AuditConfig
from pidkit_distill.methods import get_method
from pidkit_distill.models import build_model

pytestmark = pytest.mark.usefixtures("one_torch_thread")

AUDITED = ("run.epochs=3", "audit.layers=[0]", "audit.bias_correction=none", "audit.clusters=3")
ATOMS = ("red", "uni_t", "uni_s", "syn")


def _records(run_dir):
    return [json.loads(line) for line in (run_dir / "audit.jsonl").read_text().splitlines()]


def test_a_resume_with_another_audit_every_and_bootstrap_trains_the_same_student(tmp_path, capsys):
    train(tiny(tmp_path, *AUDITED, "run.name=whole", "run.audit_every=1", "audit.bootstrap=40"))
    train(tiny(tmp_path, *AUDITED, "run.name=cut", "run.audit_every=1", "audit.bootstrap=40",
               "run.stop_after=1"))
    capsys.readouterr()
    train(tiny(tmp_path, *AUDITED, "run.name=cut", "run.audit_every=3", "audit.bootstrap=0",
               "run.resume=true"))
    said = capsys.readouterr().out
    assert ("resuming after epoch 1 with the audit changed from epoch 2 on: audit.bootstrap 40 -> "
            "0, run.audit_every 1 -> 3 (") in said
    whole, cut = student_state(tmp_path / "whole"), student_state(tmp_path / "cut")
    assert whole.keys() == cut.keys()
    assert all(torch.equal(whole[name], cut[name]) for name in whole)
    records = _records(tmp_path / "cut")
    assert [(r["epoch"], r["settings"]["bootstrap"]) for r in records] == [(0, 40), (1, 40), (3, 0)]
    assert records[-1]["intervals"] is None
    last_whole = _records(tmp_path / "whole")[-1]
    assert last_whole["epoch"] == 3 and last_whole["intervals"] is not None
    assert [records[-1][atom] for atom in ATOMS] == [last_whole[atom] for atom in ATOMS]
    saved = json.loads((tmp_path / "cut" / "config.json").read_text())
    assert (saved["run"]["audit_every"], saved["audit"]["bootstrap"]) == (3, 0)


def test_the_audit_leaves_every_global_random_stream_as_it_was():
    # the weights above cannot tell: the default method and models draw on no global stream,
    # but a method or model of the user's (dropout) does, between the audits
    teacher = build_model("synthetic-teacher", num_classes=2, in_channels=12)
    student = build_model("synthetic-student", num_classes=2, in_channels=12)
    distiller = get_method("bas")(student, teacher, sample_input=torch.randn(2, 12), num_classes=2)
    data = TensorDataset(torch.randn(60, 12), torch.arange(60) % 2)
    torch.manual_seed(5)
    np.random.seed(5)  # noqa: NPY002 - the global stream is what is checked
    random.seed(5)
    before = (torch.get_rng_state(), np.random.get_state()[1].copy(), random.getstate())  # noqa: NPY002
    records = audit_distiller(distiller, data, epoch=1, progress=False,
                              settings=AuditConfig(layers=[0], clusters=2, bootstrap=40))
    assert records[0]["intervals"] is not None  # the bootstrap was drawn
    assert torch.equal(torch.get_rng_state(), before[0])
    assert (np.random.get_state()[1] == before[1]).all()  # noqa: NPY002
    assert random.getstate() == before[2]


def test_a_resume_with_the_same_audit_settings_prints_no_note(tmp_path, capsys):
    train(tiny(tmp_path, *AUDITED, "run.name=r", "run.audit_every=1", "audit.bootstrap=0",
               "run.stop_after=1"))
    capsys.readouterr()
    train(tiny(tmp_path, *AUDITED, "run.name=r", "run.audit_every=1", "audit.bootstrap=0",
               "run.resume=true", "run.stop_after=1"))
    assert "with the audit changed" not in capsys.readouterr().out


@pytest.mark.parametrize(("key", "value", "before"), [
    ("audit.clusters", 4, 3), ("audit.layers", [1], [0]), ("audit.seed", 1, 0),
    ("audit.estimator", "gaussian", "discrete"), ("audit.max_samples", 32, 0)])
def test_a_resume_may_not_change_what_the_atoms_are(tmp_path, key, value, before):
    train(tiny(tmp_path, *AUDITED, "run.name=r", "run.audit_every=1", "audit.bootstrap=0",
               "run.stop_after=1"))
    given = json.dumps(value)
    with pytest.raises(ValueError, match=rf"the configuration changed \({key}: "
                                         rf"{before!r} -> {value!r}\)".replace("[", r"\[")):
        train(tiny(tmp_path, *AUDITED, "run.name=r", "run.audit_every=1", "audit.bootstrap=0",
                   "run.resume=true", f"{key}={given}"))
