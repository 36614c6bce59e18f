"""What ``fit`` reads of the module it trains, a Distiller's or a teacher's SupervisedModel.

The loop asked ``hasattr(module, "loss_labels")`` and ``hasattr(module, "params")`` to tell a
teacher's SupervisedModel from a Distiller (t-369, review finding): SupervisedModel now answers
``loss_labels()`` (``{}``: its one term, ``ce``, carries no weight), ``params`` and ``preset``
(``None``: a teacher's run has neither) as a Distiller does, and the loop reads them without
asking. A teacher's epoch lines and summary.json are what they were.
"""

from __future__ import annotations

import json
import re

import pytest
import torch
from test_cli import TEACHER_BASE

from pidkit_distill.cli import main
from pidkit_distill.models import build_model
from pidkit_distill.training import SupervisedModel


def test_a_supervised_model_answers_what_fit_reads_of_a_distiller():
    net = SupervisedModel(build_model("synthetic-student", num_classes=3, in_channels=4))
    assert net.loss_labels() == {}
    assert net.params is None and net.preset is None
    x, y = torch.randn(6, 4), torch.arange(6) % 3
    assert list(net(x, y, epoch=0).losses) == ["ce"]  # each key that loss_labels leaves bare


def test_a_teachers_run_prints_its_ce_bare_and_records_no_method_parameters(tmp_path, capsys):
    assert main(["train-teacher", *TEACHER_BASE, "--out-dir", str(tmp_path),
                 "--teacher.epochs", "2"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines()
             if line.startswith("[teacher] epoch")]
    (run_dir,) = [path.parent for path in tmp_path.rglob("summary.json")]
    records = [json.loads(text) for text in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert len(lines) == len(records) == 2
    for line, record in zip(lines, records, strict=True):
        assert list(record["train_losses"]) == ["ce"]
        # the one term under its key, equal to the loss it is the whole of
        terms = re.search(r"loss=(\S+) \((.*?)\) ", line)
        assert terms.group(2) == f"ce={record['train_losses']['ce']:.4f}"
        assert float(terms.group(1)) == pytest.approx(record["train_losses"]["ce"], abs=1e-4)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["method"] == "teacher"
    assert summary["method_preset"] is None and summary["method_params"] is None
