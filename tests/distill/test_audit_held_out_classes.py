"""The audit's refusals name the fixes that work (walk t-413, M1 and M3).

M1: a held-out split of one class passed the checks, the teacher trained, and the audit of the
untrained networks refused it with advice on audit.* settings, none of which helps; nothing was
recorded, and the report advised a rerun, which met it again. It is refused by check_config
now (a registered data set's labels are read there), naming a held-out split of two classes or
run.audit_every=0; where the check cannot read the labels (a Dataset of one's own), the audit's
refusal in training is the run's recorded failure.

M3: too few held-out samples for the audit's estimator was refused advising to lower
audit.clusters (already 2, the least), to use audit.cluster_rule=auto (the default already) and
to raise audit.max_samples (0 already: every sample); the advice now follows the settings.
"""

from __future__ import annotations

import json

import pytest
import torch
from tiny_runs import TINY, tiny
from torch.utils.data import Dataset, TensorDataset

from pidkit_distill import DatasetBundle, TrainingError
from pidkit_distill.cli import main
from pidkit_distill.config import TrainConfig
from pidkit_distill.config_text import apply_overrides
from pidkit_distill.data.registry import _LOADERS, register_dataset
from pidkit_distill.training import check_config, train

N_TEST = 64


class Pairs(Dataset):
    """A Dataset of one's own over ``x`` and ``y``: the check reads its first sample only."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor) -> None:
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.x[i], self.y[i]


@pytest.fixture
def held_out(monkeypatch):
    """Register 'one-class': 96 training samples of 4 classes, and held-out samples whose
    labels the test sets (``labels``), as a TensorDataset, or a :class:`Pairs` (``own``)."""
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))
    made = {"labels": torch.zeros(N_TEST, dtype=torch.long), "own": False}

    @register_dataset("one-class")
    def load(*, seed=0):
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(96 + N_TEST, 12, generator=g)
        split = Pairs if made["own"] else TensorDataset
        return DatasetBundle(TensorDataset(x[:96], torch.arange(96) % 4),
                             split(x[96:], made["labels"]), num_classes=4, input_shape=(12,))

    return made


def config(tmp_path, *extra: str) -> TrainConfig:
    kept = [item for item in TINY if not item.startswith(("data.options", "run.audit_every"))]
    return apply_overrides(TrainConfig(), [*kept, "data.name=one-class", "method.name=kd",
                                           "run.epochs=2", "run.audit_every=1",
                                           "run.print_every=0", f"run.out_dir={tmp_path}",
                                           "run.name=r", *extra])


ONE_CLASS = (
    "run.audit_every: data set 'one-class' gives label 0 to all 64 held-out samples that the "
    "audit (run.audit_every=1) reads, but it needs two classes at least (what networks carry "
    "about a constant label is nothing); return a held-out split of two or more classes from the "
    "data set's loader (one class is likely a mistake in it: a split taken from samples sorted "
    "by class, say), or set run.audit_every=0 to train without the audit")


def test_a_held_out_split_of_one_class_is_refused_before_the_teacher_trains(tmp_path,
                                                                           held_out):
    with pytest.raises(ValueError) as refused:
        check_config(config(tmp_path, "teacher.source=trained", "teacher.epochs=2"))
    assert str(refused.value) == ONE_CLASS
    assert list(tmp_path.iterdir()) == []  # no teacher trained, no run folder
    check_config(config(tmp_path, "run.audit_every=0"))  # the fix it names: no audit


def test_the_command_says_it_in_one_line_with_exit_2(tmp_path, held_out, capsys):
    args = [f"--set={item}" for item in TINY
            if not item.startswith(("data.options", "data.name", "run.audit_every"))]
    assert main(["train", *args, "--data", "one-class", "--method", "kd", "--epochs", "2",
                 "--out-dir", str(tmp_path), "--audit-every", "1"]) == 2
    assert capsys.readouterr().err == f"pidkit-distill train: error: {ONE_CLASS}\n"


def test_the_first_max_samples_of_one_class_name_audit_max_samples(tmp_path, held_out):
    held_out["labels"] = (torch.arange(N_TEST) >= 40).long()  # 40 of class 0, then class 1
    with pytest.raises(ValueError, match=r"gives label 0 to the first 32 held-out samples "
                                         r"\(audit.max_samples=32\) that the audit .* raise "
                                         r"audit.max_samples \(0 audits them all\), or set "
                                         r"run.audit_every=0"):
        check_config(config(tmp_path, "audit.max_samples=32", "audit.bias_correction=none"))
    check_config(config(tmp_path, "audit.max_samples=0", "audit.bias_correction=none"))


def test_one_class_the_check_cannot_read_is_the_runs_recorded_failure(tmp_path, held_out,
                                                                      capsys):
    held_out["own"] = True  # its labels are read by the audit only
    with pytest.raises(TrainingError) as failed:
        train(config(tmp_path))
    message = str(failed.value)
    assert message.startswith(
        "the audit of the untrained networks failed: audit of layer 0 on 64 held-out samples of "
        "1 class: y holds a single value (0)")
    assert ("No setting of the audit changes that: audit samples of two classes at least (in a "
            "run: a held-out split of two or more classes from the data set's loader, or "
            "run.audit_every=0 to train without the audit).; nothing was saved (no epoch had "
            "completed)") in message
    record = json.loads((tmp_path / "r" / "summary.json").read_text())["failed"]
    assert record == {"message": message, "hint": "", "kind": "error", "says_rerun": False}
    capsys.readouterr()
    assert main(["report", str(tmp_path / "r")]) == 2  # no run with a row: its failure said
    assert f"r failed: {message}; do what its error says" in capsys.readouterr().err


def test_too_few_samples_advise_more_samples_not_settings_already_at_their_limit(tmp_path):
    with pytest.raises(ValueError) as refused:
        check_config(tiny(tmp_path, "run.audit_every=1", "data.options.n_test=8"))
    message = str(refused.value)
    assert message.startswith("audit.clusters: 8 held-out samples are audited, too few for 2 "
                              "clusters per side with 4 classes")
    assert message.endswith(
        "; raise data.options.n_test (now 8: 8 held-out samples); set "
        "audit.bias_correction=none (the plug-in); or set run.audit_every=0 to train without "
        "the audit")
    for fix in ("audit.clusters (now", "cluster_rule=auto", "audit.max_samples"):
        assert fix not in message
    check_config(tiny(tmp_path, "run.audit_every=1", "data.options.n_test=40"))  # the fix


def test_settings_that_can_change_are_named_with_their_values(tmp_path):
    with pytest.raises(ValueError) as refused:
        check_config(tiny(tmp_path, "run.audit_every=1", "audit.max_samples=8",
                          "audit.cluster_rule=fixed", "audit.clusters=5"))
    assert str(refused.value).endswith(
        "; raise audit.max_samples (now 8; 0 audits all 64); use audit.cluster_rule=auto, or "
        "lower audit.clusters (now 5); set audit.bias_correction=none (the plug-in); or set "
        "run.audit_every=0 to train without the audit")
