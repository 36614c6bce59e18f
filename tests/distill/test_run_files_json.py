"""The run folder's JSON files are strict JSON: no NaN or Infinity tokens, NumPy numbers as
numbers (not their str), and the run's readers take them back."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pidkit_distill.config import TrainConfig
from pidkit_distill.run_folders.records import load_run
from pidkit_distill.training.rundir import RunFolder


def strict(text: str):
    """``text`` parsed as JSON that jq and JavaScript accept (no NaN, Infinity, -Infinity)."""
    def refuse(token):
        raise ValueError(f"not strict JSON: {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("resumed", [False, True], ids=["appended", "rewritten on resume"])
def test_a_diverged_epochs_record_is_strict_json_and_read_back(tmp_path, resumed):
    # a student whose logits overflowed: its held-out loss is inf, its accuracy still a number
    record = {"epoch": 1, "test_loss": float("inf"), "test_acc": 0.1, "train_loss": float("nan"),
              "lr": {"student": np.float64(0.05)}, "train_losses": {"ce": np.float32(2.5)}}
    folder = RunFolder(tmp_path / "run")
    folder.start(TrainConfig(), [record] if resumed else [], [])
    if not resumed:
        folder.append("metrics.jsonl", [record])
    text = (folder.path / "metrics.jsonl").read_text()
    assert strict(text) == {"epoch": 1, "test_loss": None, "test_acc": 0.1, "train_loss": None,
                            "lr": {"student": 0.05}, "train_losses": {"ce": 2.5}}
    assert load_run(folder.path).metrics == [strict(text)]


def test_the_summarys_numpy_numbers_are_numbers(tmp_path):
    folder = RunFolder(tmp_path / "run")
    folder.write_json("summary.json", {"best_acc": np.float64(0.5), "epochs_done": np.int64(3),
                                       "method_params": {"lam": np.float32(0.25)},
                                       "last_acc": float("nan")})
    assert strict((folder.path / "summary.json").read_text()) == {
        "best_acc": 0.5, "epochs_done": 3, "method_params": {"lam": 0.25}, "last_acc": None}
