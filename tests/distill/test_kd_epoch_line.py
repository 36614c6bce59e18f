"""KD's epoch line names its loss terms with the weights they carry.

User walk t-350, finding 7: "[kd] epoch 1/2 ... loss=0.4598 (ce=0.2339 kd=0.2258)", where "ce" is
(1 - alpha) CE with alpha 0.9: a student at chance (CE 2.30 for 10 classes) read as one that fits
its labels. metrics.jsonl keeps the keys "ce" and "kd"; only the printed labels change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch
from torch.nn import functional as F

from pidkit_distill import get_method
from pidkit_distill.cli import main
from pidkit_distill.models import build_model


def _weight(labels: dict[str, str], key: str) -> float:
    """The weight that a printed label such as ``0.25*ce`` gives the term ``key``; a term of
    weight 1 keeps its bare key (alpha 0: ``ce``)."""
    label = labels.get(key, key)
    if label == key:
        return 1.0
    weight, name = label.split("*")
    assert name == key
    return float(weight)


@pytest.mark.parametrize("alpha", [0.9, 0.25, 0.0])
def test_each_label_gives_the_weight_the_term_carries(alpha):
    torch.manual_seed(0)
    student = build_model("synthetic-student", num_classes=3, in_channels=4)
    teacher = build_model("synthetic-teacher", num_classes=3, in_channels=4)
    x, y = torch.randn(16, 4), torch.arange(16) % 3
    kd = get_method("kd")(student, teacher, sample_input=x[:2], num_classes=3, alpha=alpha,
                          temperature=2.0)
    labels = kd.loss_labels()
    losses = kd(x, y, epoch=0).losses
    # the terms against their definitions, computed here
    with torch.no_grad():
        logits, teacher_logits = student(x), teacher(x)
        ce = F.cross_entropy(logits, y)
        kl = F.kl_div(F.log_softmax(logits / 2.0, dim=1), F.log_softmax(teacher_logits / 2.0, dim=1),
                      reduction="batchmean", log_target=True) * 4.0
    assert float(losses["ce"].detach()) == pytest.approx(_weight(labels, "ce") * float(ce), rel=1e-6)
    assert float(losses["kd"].detach()) == pytest.approx(_weight(labels, "kd") * float(kl), rel=1e-6)


def checked_epoch_line(out_dir: Path, capsys: pytest.CaptureFixture[str], method: str,
                       labels: dict[str, str]) -> str:
    """Train ``method`` for one epoch of tiny synthetic data into ``out_dir`` and return the epoch
    line it printed, checked against the run's metrics.jsonl: the keys there are those of
    ``labels``, the line prints each term under its label (``{"kd": "0.9*kd"}``) with the value
    metrics.jsonl keeps for its key, to 4 decimals, and the printed loss is their sum."""
    assert main(["train", "--data", "synthetic", "--method", method, "--epochs", "1", "--teacher",
                 "untrained", "--audit-every", "0", "--run.progress", "false", "--run.threads",
                 "1", "--device", "cpu", "--data.options", "n_train=96", "--data.options",
                 "n_test=64", "--data.options", "dim=12", "--data.batch_size", "32",
                 "--out-dir", str(out_dir)]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines()
                if line.startswith(f"[{method}]"))
    (record,) = [json.loads(text) for text in
                 (out_dir / f"synthetic-{method}-ut-s0/metrics.jsonl").read_text().splitlines()]
    assert set(record["train_losses"]) == set(labels)  # the schema is unchanged
    printed = dict(re.findall(r"(\S+)=(\S+)", line.split("(", 1)[1].split(")", 1)[0]))
    assert printed == {label: f"{record['train_losses'][key]:.4f}" for key, label in labels.items()}
    # the loss is the sum of the terms printed
    loss = float(re.search(r"loss=(\S+)", line).group(1))
    assert loss == pytest.approx(sum(map(float, printed.values())), abs=2e-4)
    return line


def test_the_epoch_line_prints_the_weighted_labels_and_metrics_keeps_the_keys(tmp_path, capsys):
    checked_epoch_line(tmp_path, capsys, "kd", {"ce": "0.1*ce", "kd": "0.9*kd"})


def test_a_method_without_weighted_labels_prints_its_keys(tmp_path, capsys):
    line = checked_epoch_line(tmp_path, capsys, "bas", {"ce": "ce"})
    assert re.search(r"\(ce=\d\.\d{4}\) ", line), line
