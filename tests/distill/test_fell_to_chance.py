"""A student at chance that had learnt the task and fell (diverged or collapsed) is told apart from
one that never learnt it: the report's paragraph advises a lower lr or gradient clip for the first,
and, for the second, more epochs only where the run trained fewer than the paper's 300 (the
demo's rule, pidkit_distill.chance); train warns of the fall at the epoch it happens."""

from __future__ import annotations

import json
import math

import pytest
import torch
from test_report import fake_run
from test_report_chance import write_metrics
from torch.nn import functional as F
from torch.utils.data import TensorDataset

from pidkit_distill import DatasetBundle, load_config, tap_features, write_report
from pidkit_distill.chance import RunTrained, chance_paragraph
from pidkit_distill.demo import _chance_note
from pidkit_distill.methods import StepOutput
from pidkit_distill.methods.bas import BAS
from pidkit_distill.training import Runtime, fit

# the demo's held-out set: 4 classes, 2000 samples, 516 of the most common
CHANCE, N_TEST = 516 / 2000, 2000
ADVICE = ("its training diverged or collapsed, which more epochs do not mend; look at its loss "
          "terms (train_losses in metrics.jsonl) and lower optim.lr, or optim.grad_clip (set it "
          "where it is 0, e.g. 100)")


# train's warning, at the epoch it fell: one epoch at chance may be a bad epoch the next ones
# recover from (t-407: BAS at optim.lr 2 on digits, 11.6 % at epoch 9 and 85.3 % at epoch 10),
# and the run's own lr and clip are known (optim.grad_clip 0 clips none: 'set' it, not 'lower')
WARNED = ("its training diverged or collapsed if the next epochs stay at chance, which more "
          "epochs do not mend; look at its loss terms (train_losses in metrics.jsonl) and lower "
          "optim.lr (now 0.2) or optim.grad_clip (now 100)")


def paragraph(text: str) -> str:
    """The report's paragraph of the runs at chance, or ``""``."""
    return next((part for part in text.split("\n\n") if part.startswith("At chance: ")), "")


def test_a_run_that_learnt_and_fell_to_chance_is_told_to_lower_its_lr_not_to_train_longer(
        tmp_path):
    # VID on the docs' my-blobs (t-392): 85.9 % at epoch 8, then one class (78 of the 256
    # held-out samples, 30.5 %) from epoch 19 on; the paragraph said "its epochs were too few
    # for its method's schedule ... train it longer (run.epochs)"
    accuracies = [0.5, 0.62, 0.7, 0.75, 0.8, 0.83, 0.85, 0.8594, 0.84, 0.7, 0.6, 0.45]
    accuracies += [78 / 256] * (30 - len(accuracies))
    run = write_metrics(fake_run(tmp_path / "ci", epochs=30, planned=30, audited=False),
                        accuracies, test_majority=78 / 256, test_n=256)
    text = paragraph(write_report(run, out_dir=tmp_path / "rep").read_text())
    assert text == ("At chance: ci (30.5 % at epoch 30): held-out accuracy at most 36.2 %, two "
                    "standard errors above the 30.5 % of always answering the most common class. "
                    "A student at chance has learnt nothing the held-out set shows, so its row "
                    f"compares no method. ci fell to chance after reaching 85.9 % at epoch 8: "
                    f"{ADVICE}.")


def _demo_vid_untrained(epochs: int) -> list[float]:
    """Held-out accuracies like those of the full demo's VID with the untrained teacher: up to
    33.15 % at epoch 43 (chance 25.8 %), at chance from epoch 60 on, 26.25 % at the end."""
    rise = [CHANCE + (0.3315 - CHANCE) * e / 43 for e in range(1, 44)]
    return [*rise, *[0.27] * 16, *[0.2625] * (epochs - 59)][:epochs]


@pytest.mark.parametrize("epochs", [200, 300, 400])
def test_the_report_and_the_demo_agree_on_a_student_at_chance_after_the_paper_s_schedule(
        tmp_path, epochs):
    # the full demo printed no note (300 epochs: VID with the untrained teacher at chance is its
    # method's outcome) while its report told the same run to "train it longer (run.epochs)"
    runs = [write_metrics(fake_run(tmp_path / name, epochs=epochs, planned=epochs,
                                   audited=False), accuracies, test_majority=CHANCE,
                          test_n=N_TEST)
            for name, accuracies in (("vid-ut", _demo_vid_untrained(epochs)),
                                     ("bas", [min(0.3 + e / 100, 0.8745)
                                              for e in range(1, epochs + 1)]))]
    text = paragraph(write_report(runs, out_dir=tmp_path / "rep").read_text())
    note = _chance_note([{"teacher": "untrained", "method": "vid", "epochs": epochs,
                          "last_acc": 0.2625},
                         {"teacher": "untrained", "method": "bas", "epochs": epochs,
                          "last_acc": 0.8745}], chance=CHANCE, n_test=N_TEST)
    assert text.startswith(f"At chance: vid-ut (26.2 % at epoch {epochs}): ")
    whole = ("vid-ut trained the paper's whole 300-epoch schedule, or more, so that is its "
             "method's outcome.")
    short = ("vid-ut trained fewer than the paper's 300 epochs: too few to learn the task, or "
             "its method's outcome; train it longer (run.epochs) to tell which.")
    assert ("train it longer" in text) == bool(note) == (epochs < 300)
    assert text.endswith(short if epochs < 300 else whole)
    assert "fell to chance" not in text  # 33.15 %: not halfway from 25.8 % to 100 %


def test_the_paragraph_names_each_way_to_chance_in_its_own_sentence():
    def record(epoch, acc):
        return {"epoch": epoch, "test_acc": acc, "test_majority": CHANCE, "test_n": N_TEST}

    text = chance_paragraph({
        "a": (record(300, 0.26), record(250, 0.9)), "b": (record(50, 0.25), record(9, 0.7)),
        "c": (record(300, 0.27), record(40, 0.33)), "d": (record(30, 0.2), record(3, 0.28)),
        "e": (record(300, 0.8), record(300, 0.8)), "f": (record(3, 0.25), None)},
        trained=dict.fromkeys("abcdef", RunTrained("synthetic", scheduled=True)))
    # 62.9 % is halfway from 25.8 % to 100 %: a and b were clearly above chance, c and d not
    assert text.endswith(
        "A student at chance has learnt nothing the held-out set shows, so its row compares no "
        "method. a fell to chance after reaching 90.0 % at epoch 250; b fell to chance after "
        "reaching 70.0 % at epoch 9: their training diverged or collapsed, which more epochs do "
        "not mend; look at their loss terms (train_losses in metrics.jsonl) and lower optim.lr, or "
        "optim.grad_clip (set it where it is 0, e.g. 100). c trained the paper's whole 300-epoch "
        "schedule, or more, so that is its "
        "method's outcome. d, f trained fewer than the paper's 300 epochs: too few for their "
        "method's schedule, or their method's outcome; train them longer (run.epochs) to tell "
        "which.")
    assert " e (" not in text


class _Collapsing(BAS):
    """BAS that trains towards class 0 alone from epoch 4 (0-based): its student learns the
    task, then answers one class, at chance."""

    def forward(self, x, y, *, epoch):
        logits = self.student(x)
        target = y if epoch < 4 else torch.zeros_like(y)
        return StepOutput(logits, {"ce": F.cross_entropy(logits, target)})


def _collapsing_run(tmp_path, *overrides):
    torch.manual_seed(0)
    x = torch.randn(400, 4)
    y = (x[:, 0] > 0).long()
    bundle = DatasetBundle(TensorDataset(x[:240], y[:240]), TensorDataset(x[240:], y[240:]),
                           num_classes=2, input_shape=(4,))

    def mlp(width):
        net = torch.nn.Sequential(torch.nn.Linear(4, width), torch.nn.ReLU(),
                                  torch.nn.Linear(width, 2))
        return tap_features(net, layers=["1"])

    module = _Collapsing(mlp(8), mlp(16), sample_input=x[:2], num_classes=2)
    config = load_config(overrides=[
        "method.name=bas", "run.epochs=10", "data.batch_size=16", "optim.lr=0.2",
        "run.audit_every=0", "run.print_every=1", "run.progress=false", *overrides])
    return fit(config, module, bundle, tmp_path / "run", Runtime.single())


def test_train_warns_once_when_a_student_that_learnt_falls_to_chance_and_goes_on(
        tmp_path, capsys):
    # a student at 85.9 % that fell to chance trained on with no word of it (t-392)
    summary = _collapsing_run(tmp_path)
    out = capsys.readouterr().out.splitlines()
    history = summary.history
    chance, n = history[0]["test_majority"], history[0]["test_n"]
    ceiling = round(100 * (chance + 2 * math.sqrt(chance * (1 - chance) / n)), 1)
    shown = [round(100 * r["test_acc"], 1) for r in history]
    # independently: the first epoch at chance after one at least halfway from chance to 100 %
    peak = next(i for i, acc in enumerate(shown) if acc >= round(100 * (1 + chance) / 2, 1))
    fell = next(i for i in range(peak, len(shown)) if shown[i] <= ceiling)
    best = max(range(fell), key=lambda i: history[i]["test_acc"])
    assert summary.epochs_done == 10 and shown[-1] <= ceiling  # the run went on, at chance
    assert [i for i, r in enumerate(history) if "fell_to_chance_from" in r] == [fell]
    assert history[fell]["fell_to_chance_from"] == {"epoch": best + 1,
                                                    "test_acc": history[best]["test_acc"]}
    written = [json.loads(line) for line in (summary.run_dir / "metrics.jsonl").read_text()
               .splitlines()]
    assert written[fell]["fell_to_chance_from"] == history[fell]["fell_to_chance_from"]
    warnings = [line for line in out if line.startswith("warning: ")]
    assert warnings == [
        f"warning: epoch {fell + 1}: the held-out accuracy fell to {shown[fell]:.1f} %, at "
        f"chance (held-out accuracy at most {ceiling:.1f} %, two standard errors above the "
        f"{100 * chance:.1f} % of always answering the most common class), after reaching "
        f"{shown[best]:.1f} % at epoch {best + 1}: {WARNED}; the run goes on"]
    assert out.index(warnings[0]) == 1 + next(  # under its epoch's line
        i for i, line in enumerate(out) if line.startswith(f"[bas] epoch {fell + 1}/10 "))


def test_a_resumed_run_that_fell_to_chance_before_does_not_warn_again(tmp_path, capsys):
    first = _collapsing_run(tmp_path, "run.stop_after=8")
    assert any("fell_to_chance_from" in r for r in first.history)
    capsys.readouterr()
    summary = _collapsing_run(tmp_path, "run.resume=true")
    assert summary.epochs_done == 10
    assert "warning: " not in capsys.readouterr().out
    assert sum("fell_to_chance_from" in r for r in summary.history) == 1
