"""The guide's "Your own method" (docs/distill.md, walk t-467 H2) runs as written: a Distiller
subclass with a frozen Params class, presets, a regressor trained through optimizer_groups()
and weighted loss terms, trained by name, with what the page says is logged; and the audit's
refusal of layers that the networks do not both have names the layers each index pairs (L5)."""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path

import pytest
import torch

from pidkit_distill import unregister_method
from pidkit_distill.cli import main
from pidkit_distill.config import TrainConfig
from pidkit_distill.config_text import apply_overrides
from pidkit_distill.data import DatasetSpec
from pidkit_distill.training.audit_checks import check_audit
from pidkit_distill.training.checkpoint import read_checkpoint

ROOT = Path(__file__).parents[2]

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _section() -> str:
    text = (ROOT / "docs" / "distill.md").read_text(encoding="utf-8")
    return text.split("\n## Your own method\n", 1)[1].split("\n## ", 1)[0]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", _section(), re.S)


@pytest.fixture
def hint_registered(monkeypatch):
    """The guide's first block run as a module's code (a dataclass needs its module), its
    method 'hint' removed again afterwards."""
    module = types.ModuleType("guide_hint")
    monkeypatch.setitem(sys.modules, "guide_hint", module)
    exec(compile(_blocks("python")[0], "docs/distill.md", "exec"), vars(module))
    yield vars(module)
    unregister_method("hint")


def test_the_guides_method_trains_by_name_and_logs_what_the_page_says(
        hint_registered, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    exec(compile(_blocks("python")[1], "docs/distill.md", "exec"), hint_registered)
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "runs/synthetic-hint-tt-s0" == _blocks("python")[1].splitlines()[-1][2:]
    last = next(line for line in out if line.startswith("[hint] epoch 4/4 "))
    assert re.fullmatch(r"\[hint\] epoch 4/4 phase=student loss=\S+ \(ce=\S+ 0\.5\*hint=\S+\) "
                        r"train_acc=\S+ test_acc=\S+ best=\S+ \S+s", last)
    folder = tmp_path / "runs" / "synthetic-hint-tt-s0"
    records = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]
    for record in records:  # train_loss is the sum of the terms, each logged as weighted
        assert set(record["train_losses"]) == {"ce", "hint"}
        assert record["train_loss"] == pytest.approx(sum(record["train_losses"].values()),
                                                     rel=1e-6)
    assert records[-1]["test_acc"] > 0.9
    summary = json.loads((folder / "summary.json").read_text())
    assert (summary["method_preset"], summary["method_params"]) == ("default", {"beta": 0.5})
    saved = read_checkpoint(folder / "checkpoint.pt")
    # the regressor is saved with the Distiller and trained by the student's optimizer: 2
    # tensors of it beside the student's, each with a momentum buffer that moved
    student = sum(1 for key in saved["student"] if "running" not in key and "num_batches" not in key)
    assert {"regressor.weight", "regressor.bias"} <= set(saved["module"])
    state = saved["optimizers"]["student"]["state"]
    assert len(state) == student + 2
    assert all(torch.count_nonzero(entry["momentum_buffer"]) > 0 for entry in state.values())
    audited = {json.loads(line)["layer"] for line in (folder / "audit.jsonl").read_text().splitlines()}
    assert audited == {0, 1, 2}


def test_the_guides_method_is_listed_with_its_presets_and_refuses_a_bad_beta(
        hint_registered, tmp_path, capsys):
    assert main(["train", "--list-methods"]) == 0
    listed = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(listed) if line.startswith("hint "))
    assert [line.split() for line in listed[at:at + 3]] == [
        ["hint", "presets:", "default*,", "strong"], ["parameters:", "beta=1.0"],
        ["--preset", "strong:", "beta=4.0"]]
    assert "# hint   presets: default*, strong" in _blocks("bash")[0]
    assert main(["train", "--data", "synthetic", "--method", "hint", "--method.params", "beta=-1",
                 "--out-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "pidkit-distill train: error: --method.params beta=-1: beta must be >= 0; got -1.\n")


def _audit_refusal(layers: str, teacher_paths=(), student_paths=()) -> str:
    config = apply_overrides(TrainConfig(), ["run.audit_every=1", f"audit.layers={layers}"])
    data = DatasetSpec(name="x", num_classes=10, input_shape=(1, 8, 8), n_train=1000,
                       n_test=400)
    with pytest.raises(ValueError) as refused:
        check_audit(config, data, n_teacher=3, n_student=2, teacher_paths=teacher_paths,
                    student_paths=student_paths)
    return str(refused.value)


def test_an_audit_of_layers_not_both_have_names_what_each_index_pairs():
    paths = (["flat", "act1", "act2"], ["block1", "block2"])
    pairs = (", which pair by index: 0 the teacher's 'flat' with the student's 'block1', 1 the "
             "teacher's 'act1' with the student's 'block2' (to pair other layers, tap those of "
             "the teacher that match the student's, in order: tap_features(model, layers=[...]))")
    assert _audit_refusal("[]", *paths) == (
        "audit.layers: [] audits every distilled layer, but the teacher has 3 and the student 2 "
        f"distilled layers; list the layers both have, e.g. audit.layers=[0, 1] (0 to 1){pairs}, "
        "or set run.audit_every=0")
    assert _audit_refusal("[2]", *paths).endswith(f"audit the layers both have, [0, 1]{pairs}")
    # networks that are not tapped have no paths to name: the refusal is as it was
    assert _audit_refusal("[]").endswith("e.g. audit.layers=[0, 1] (0 to 1), or set "
                                         "run.audit_every=0")
