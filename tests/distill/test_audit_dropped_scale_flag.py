"""Row lengths that ``audit.normalize l2`` dropped, and that told the labels apart, are a flag of
the audit record and its console line, with the fix (``--audit.normalize none``) said once a run.

pidkit's ScaleDroppedWarning reached the console at every audit, naming no layer nor epoch, with
pidkit's fix (``normalize=None``) rather than the trainer's.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import torch
from test_audit_cluster_cap import CAPPED
from tiny_runs import tiny
from torch import nn

from pidkit.estimate import DROPPED_SCALE_SHARE, ScaleDroppedWarning, pid_from_representations
from pidkit_distill import audit_networks, tap_features, write_report
from pidkit_distill.audit.records import FLAG_NOTES, audit_flags, flag_notes
from pidkit_distill.config import AuditConfig
from pidkit_distill.training import train

N_SAMPLES, N_LABELS = 400, 4


class UnitRows(nn.Module):
    """Each row scaled to length 1: features whose lengths say nothing."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x / x.norm(dim=1, keepdim=True)


def labels_and_rows(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Labels, and rows of one direction whose length is 1 + the label, with noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, N_LABELS, N_SAMPLES)
    lengths = 1 + y + 0.2 * rng.normal(size=N_SAMPLES)
    return y, lengths[:, None] * rng.normal(size=8)[None, :]


def adjusted_share(log_lengths: np.ndarray, y: np.ndarray) -> float:
    """The share of the log lengths' variance that y explains, adjusted for chance (adjusted R^2
    of a one-way ANOVA), computed here by hand."""
    _, codes = np.unique(y, return_inverse=True)
    means = np.bincount(codes, weights=log_lengths) / np.bincount(codes)
    within = np.sum((log_lengths - means[codes]) ** 2) / (log_lengths.size - means.size)
    total = np.sum((log_lengths - log_lengths.mean()) ** 2) / (log_lengths.size - 1)
    return 1.0 - within / total


def audit(x: np.ndarray, y: np.ndarray, student: nn.Module, **settings) -> dict:
    """The audit record of an identity teacher on ``x`` and ``student``, with the warnings given."""
    teacher = nn.Sequential(nn.Identity(), nn.Linear(x.shape[1], 2))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (record,) = audit_networks(tap_features(teacher, layers=["0"]),
                                   tap_features(nn.Sequential(student, nn.Linear(x.shape[1], 2)),
                                                layers=["0"]),
                                   (torch.tensor(x, dtype=torch.float32), torch.tensor(y)),
                                   settings=AuditConfig(bootstrap=0, **settings))
    assert not [w for w in caught if issubclass(w.category, ScaleDroppedWarning)]
    return record


def dropped(flags: list[str]) -> list[str]:
    return [flag for flag in flags if "lengths dropped" in flag]


def test_an_audit_of_lengths_that_code_the_labels_flags_them_with_the_share():
    y, x = labels_and_rows()
    record = audit(x, y, UnitRows())
    sides = record["settings"]["discretisation"]
    # one direction: every normalised row is the same, one cluster, so the share within it is
    # the share of all the log lengths' variance
    expected = adjusted_share(np.log(np.linalg.norm(x.astype(np.float32).astype(np.float64), axis=1)), y)
    assert sides["t"]["dropped_scale_share"] == pytest.approx(expected, abs=1e-6)
    assert expected == pytest.approx(0.937, abs=0.001)
    assert sides["s"]["dropped_scale_share"] == 0.0  # rows of length 1
    assert dropped(audit_flags(record)) == ["lengths dropped: teacher 94% (audit.normalize l2)"]
    note = flag_notes(record, audit_flags(record))["lengths dropped"]
    assert note == FLAG_NOTES["lengths dropped"]
    assert "--audit.normalize none" in note and "paper" in note and f"{DROPPED_SCALE_SHARE:.0%}" in note


def test_features_of_equal_lengths_and_audit_normalize_none_give_no_flag():
    y, x = labels_and_rows()
    unit = x / np.linalg.norm(x, axis=1, keepdims=True) + np.eye(8)[y]  # directions code y
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    record = audit(unit, y, UnitRows())
    assert [record["settings"]["discretisation"][side]["dropped_scale_share"]
            for side in ("t", "s")] == [0.0, 0.0]
    assert dropped(audit_flags(record)) == []
    kept = audit(x, y, UnitRows(), normalize="none")  # the lengths kept: nothing measured
    assert kept["settings"]["discretisation"]["t"]["dropped_scale_share"] is None
    assert dropped(audit_flags(kept)) == []


def test_the_flag_starts_at_the_share_pidkit_warns_from_and_old_records_have_none():
    def record(t_share, s_share=None, normalize="l2"):
        return {"settings": {"normalize": normalize, "dropped_scale_from": DROPPED_SCALE_SHARE,
                             "discretisation": {
            "t": {"kind": "clustered", "dropped_scale_share": t_share},
            "s": {"kind": "clustered", "dropped_scale_share": s_share}}}}

    assert audit_flags(record(DROPPED_SCALE_SHARE - 1e-9)) == []
    assert audit_flags(record(DROPPED_SCALE_SHARE, 0.97)) == [
        "lengths dropped: teacher 50%, student 97% (audit.normalize l2)"]
    old = {"settings": {"discretisation": {"t": {"kind": "clustered"}, "s": {"kind": "labels"}}}}
    assert audit_flags(old) == []


def test_a_run_flags_each_audit_line_says_the_fix_once_and_prints_no_warning(tmp_path, capsys):
    # 90 held-out samples of 10 labels, 2 clusters a side: the row lengths tell the labels apart
    run = train(tiny(tmp_path, *CAPPED, "audit.layers=[2]", "run.epochs=2")).run_dir
    out, err = capsys.readouterr()
    lines = out.splitlines()
    records = [json.loads(line) for line in (run / "audit.jsonl").read_text().splitlines()]
    shares = [[record["settings"]["discretisation"][side]["dropped_scale_share"] for side in "ts"]
              for record in records]
    assert len(records) == 3 and all(share >= DROPPED_SCALE_SHARE for pair in shares for share in pair)
    audits = [line for line in lines if line.startswith("  audit epoch")]
    assert [audit_line.split("; ", 1)[1] for audit_line in audits] == [
        f"capped by clusters: student 2 (< 10 labels); lengths dropped: teacher {t:.0%}, "
        f"student {s:.0%} (audit.normalize l2)" for t, s in shares]
    notes = [line for line in lines if line.startswith("  note: lengths dropped: ")]
    assert len(notes) == 1 and lines.index(notes[0]) == lines.index(audits[0]) + 1
    assert "ScaleDroppedWarning" not in err and "normalize='l2'" not in err + out
    paragraphs = write_report([run], out_dir=tmp_path / "rep").read_text().split("\n\n")
    assert paragraphs.count(notes[0].removeprefix("  note: ")) == 1


def test_pidkit_still_warns_a_direct_call_and_records_the_share():
    y, x = labels_and_rows(1)
    rng = np.random.default_rng(2)
    x = x + 0.1 * rng.normal(size=x.shape)  # not one direction: more than one cluster
    with pytest.warns(ScaleDroppedWarning) as caught:
        res = pid_from_representations(y, x, rng.normal(size=x.shape), bootstrap=0)
    share = res.settings["t"]["dropped_scale_share"]
    assert share >= DROPPED_SCALE_SHARE and res.settings["s"]["dropped_scale_share"] < 0.1
    assert [w.category for w in caught] == [ScaleDroppedWarning]
    assert f"in t_features, y explains {share:.0%}" in str(caught[0].message)
    labels = pid_from_representations(y, y % 2, x, bootstrap=0, normalize=None)
    assert "dropped_scale_share" not in labels.settings["t"]
    assert labels.settings["s"]["dropped_scale_share"] is None
