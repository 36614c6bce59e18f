"""A loss term that jumps by two orders of magnitude is told, once per term in a run: the rule on
made-up histories shaped like the stored runs that chose it (pidkit_distill.loss_jumps), and
train's record and line on a real run that diverges (BAS at optim.lr 3 without a gradient
clip). Before, train went on with no word of it: VID on the docs' my-blobs had a ce 290 times
its lowest and only the fall to chance was said."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from pidkit_distill import DatasetBundle, get_method, load_config, tap_features
from pidkit_distill.loss_jumps import jumped_terms, loss_jump_warnings
from pidkit_distill.training import Runtime, fit

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# What the warning says of its means: those of train_losses in metrics.jsonl, which weight a term
# that the method weights (KD's ce is (1 - alpha) CE, shown 0.1*ce on the epoch line); it gave
# the number with nothing saying so, and was read as the unweighted term.
AS_LOGGED = ("both as train_losses in metrics.jsonl logs them, weighted where the epoch line "
             "shows the term's weight")


def history(terms: dict[str, list[float | None]]) -> list[dict]:
    """Metrics records of one epoch per position, each holding the terms not ``None`` there."""
    epochs = len(next(iter(terms.values())))
    return [{"epoch": e + 1, "train_losses": {t: v[e] for t, v in terms.items() if v[e] is not None}}
            for e in range(epochs)]


def judged(records: list[dict]) -> dict[int, dict[str, float]]:
    """What the rule says of each epoch in turn, as train records it: {epoch: {term: ratio}}."""
    said: dict[int, dict[str, float]] = {}
    for i, record in enumerate(records):
        if jumped := jumped_terms(records[:i], record):
            record["loss_jumped"] = jumped
            said[record["epoch"]] = {term: round(j["ratio"], 1) for term, j in jumped.items()}
    return said


def test_a_term_two_orders_of_magnitude_above_its_lowest_and_its_start_jumped():
    # the my-blobs VID run: ce 1.39 at epoch 1, lowest 0.208 at 9, 9.04 at 11 (43 times), 60.4
    # at 12 (290 times), 11.3 at 13; its vid term goes below zero and has no ratio
    ce = [1.39, 1.31, 0.93, 0.60, 0.43, 0.32, 0.26, 0.23, 0.208, 0.67, 9.04, 60.4, 11.3, 90.0]
    vid = [169.1, 159.0, 150.4, 140.0, 126.9, 109.6, 86.4, 52.0, 3.2, -22.8, 83.7, 315.7,
           36.6, 2000.0]
    records = history({"ce": ce, "vid": vid})
    assert judged(records) == {12: {"ce": round(60.4 / 0.208, 1)}}  # once: not at 14 again
    assert records[11]["loss_jumped"]["ce"] == {"epoch": 9, "mean": 0.208, "ratio": 60.4 / 0.208}


def test_another_term_is_said_in_its_own_epoch_after_the_first():
    records = history({"ce": [2.0, 0.01, 5.0, 8.0], "kd": [1.0, 0.5, 0.6, 60.0]})
    assert judged(records) == {3: {"ce": 500.0}, 4: {"kd": 120.0}}


@pytest.mark.parametrize(("terms", "why"), [
    # the full demo's BAS with the untrained teacher: near zero, 54 times its lowest at epoch 270,
    # far below its first epoch
    ({"ce": [1.47, 0.3, 0.00072, 0.002, 0.039]}, "below its first epoch"),
    # RID's filter: filter_ce alone in the warm-up down to 0.0021, 2.92 once filter_distill
    # joins it (1,400 times); its student's terms absent from the filter's epochs
    ({"filter_ce": [3.93, 0.5, 0.0021, 0.056, 2.58, 2.92, None],
      "filter_distill": [None, None, None, 27.6, 1.2, 0.38, None],
      "ce": [None] * 6 + [1.47]}, "below its first epoch"),
    ({"ce": [1.46, 0.5, 0.0834, 1.75]}, "21 times its lowest"),  # the full demo's VID
    ({"ce": [1.0, 0.01, 0.99]}, "99 times its lowest"),
    ({"vid": [200.0, 50.0, -100.0, 300.0]}, "a lowest below zero"),
    ({"ce": [0.0, 0.0, 2.0]}, "a lowest of zero"),
])
def test_a_term_that_wavers_near_zero_or_rises_less_than_a_hundredfold_did_not_jump(terms, why):
    assert judged(history(terms)) == {}, why


def test_the_first_epoch_is_not_judged_and_a_term_is_judged_against_the_epochs_that_hold_it():
    assert jumped_terms([], {"epoch": 1, "train_losses": {"ce": 1e6}}) == {}
    records = history({"filter_ce": [2.0, 0.01, None, None, 1.5, 2.5],
                       "ce": [None, None, 3.0, 0.02, None, None]})
    assert judged(records) == {6: {"filter_ce": 250.0}}


def test_the_warning_names_the_term_the_ratio_and_the_options_to_lower():
    record = {"epoch": 7, "phase": "student", "train_losses": {"ce": 5647.3, "kd": 3.0},
              "loss_jumped": {"ce": {"epoch": 1, "mean": 14.758, "ratio": 5647.3 / 14.758},
                              "kd": {"epoch": 2, "mean": 0.0125, "ratio": 240.0}}}
    assert loss_jump_warnings(record, lr=3.0, grad_clip=0.0) == [
        "warning: epoch 7: the loss term ce rose to 5647, 383 times its lowest earlier mean "
        f"(14.76 at epoch 1; {AS_LOGGED}): its training diverges; lower optim.lr (now 3) or set "
        "optim.grad_clip (e.g. 100); the run goes on",
        "warning: epoch 7: the loss term kd rose to 3, 240 times its lowest earlier mean "
        f"(0.0125 at epoch 2; {AS_LOGGED}): its training diverges; lower optim.lr (now 3) or set "
        "optim.grad_clip (e.g. 100); the run goes on"]
    teacher = {**record, "phase": "teacher", "loss_jumped": {"ce": record["loss_jumped"]["ce"]}}
    assert loss_jump_warnings(teacher, lr=0.05, grad_clip=100.0) == [
        "warning: epoch 7: the loss term ce rose to 5647, 383 times its lowest earlier mean "
        f"(14.76 at epoch 1; {AS_LOGGED}): its training diverges; lower teacher.lr (now 0.05) or "
        "optim.grad_clip (now 100); the run goes on"]


def _diverging_run(tmp_path, *overrides):
    """BAS at optim.lr 3 without a gradient clip on the docs' my-blobs data: its ce goes from
    about 15 at epoch 1 to thousands (finite) in 20 epochs before it settles at chance."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(512, 20, generator=g)
    y = (x[:, 0] > 0).long() + 2 * (x[:, 1] > 0).long()
    bundle = DatasetBundle(TensorDataset(x[128:], y[128:]), TensorDataset(x[:128], y[:128]),
                           num_classes=4, input_shape=(20,))

    def mlp(width):
        net = nn.Sequential(nn.Linear(20, width), nn.ReLU(), nn.Linear(width, 4))
        return tap_features(net, layers=["1"])

    torch.manual_seed(0)
    module = get_method("bas")(mlp(8), mlp(64), sample_input=x[:2], num_classes=4)
    config = load_config(overrides=[
        "method.name=bas", "run.epochs=20", "data.batch_size=32", "optim.lr=3",
        "optim.grad_clip=0", "run.audit_every=0", "run.print_every=1", "run.progress=false",
        *overrides])
    return fit(config, module, bundle, tmp_path / "run", Runtime.single())


def test_train_records_and_says_a_jump_once_and_goes_on(tmp_path, capsys):
    summary = _diverging_run(tmp_path)
    out = capsys.readouterr().out.splitlines()
    ce = [record["train_losses"]["ce"] for record in summary.history]
    # independently: every epoch whose ce is above its first and 100 times its lowest before
    above = [e for e in range(1, len(ce)) if ce[e] > ce[0] and ce[e] > 100 * min(ce[:e])]
    assert summary.epochs_done == 20 and len(above) >= 2  # the run went on past the jump
    first = above[0]
    lowest = min(range(first), key=ce.__getitem__)
    assert [i for i, r in enumerate(summary.history) if "loss_jumped" in r] == [first]
    said = {"epoch": lowest + 1, "mean": ce[lowest], "ratio": ce[first] / ce[lowest]}
    assert summary.history[first]["loss_jumped"] == {"ce": said}
    written = [json.loads(line) for line in (summary.run_dir / "metrics.jsonl").read_text()
               .splitlines()]
    assert written[first]["loss_jumped"] == {"ce": said}
    assert written[first]["train_losses"]["ce"] == ce[first]  # the warning's number, as logged
    warnings = [line for line in out if line.startswith("warning: ") and "loss term" in line]
    assert warnings == [
        f"warning: epoch {first + 1}: the loss term ce rose to {ce[first]:.4g}, "
        f"{ce[first] / ce[lowest]:.0f} times its lowest earlier mean ({ce[lowest]:.4g} at epoch "
        f"{lowest + 1}; {AS_LOGGED}): its training diverges; lower optim.lr (now 3) or set "
        "optim.grad_clip "
        "(e.g. 100); the run goes on"]
    assert out.index(warnings[0]) == 1 + next(  # under its epoch's line
        i for i, line in enumerate(out) if line.startswith(f"[bas] epoch {first + 1}/20 "))


def test_a_resumed_run_that_said_a_jump_does_not_say_it_again(tmp_path, capsys):
    first = _diverging_run(tmp_path, "run.stop_after=8")
    assert any("loss_jumped" in r for r in first.history)
    capsys.readouterr()
    summary = _diverging_run(tmp_path, "run.resume=true")
    assert summary.epochs_done == 20
    assert "loss term" not in capsys.readouterr().out
    assert sum("loss_jumped" in r for r in summary.history) == 1
