"""The report says of a run whose loss term jumped (``loss_jumped`` in its metrics) but that did
not end at chance that it diverged, in a line under the table of each run, and counts the seeds
that jumped under the table of the experiments run with several seeds: it said nothing of such a
jump (only the paragraph of the runs at chance named one), and train's warning had scrolled away.
"""

from __future__ import annotations

import json

from test_report import fake_run
from test_report_seeds import seed_run

from pidkit_distill import write_report

ADVICE = "lower optim.lr, or optim.grad_clip (set it where it is 0, e.g. 100)"


def _rewritten(run, acc: float, jumps: dict[int, dict[str, tuple[float, float]]]):
    """``run``'s metrics at held-out accuracy ``acc`` (2 balanced classes of 200 held-out
    samples), each loss term's mean 0.5, but for the terms of ``jumps``: by epoch, each term's
    mean there and its lowest earlier mean (at epoch 1), recorded as train records a jump."""
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    for record in records:
        record.update(test_acc=acc, test_majority=0.5, test_n=200, phase="student",
                      train_losses={"ce": 0.5, "kd": 0.5})
        for term, (mean, lowest) in jumps.get(record["epoch"], {}).items():
            record["train_losses"][term] = mean
            record.setdefault("loss_jumped", {})[term] = {"epoch": 1, "mean": lowest,
                                                          "ratio": mean / lowest}
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return run


def _notes(report) -> list[str]:
    return [part for part in report.read_text().split("\n\n") if part.startswith("Loss jump: ")]


def test_a_run_above_chance_whose_loss_jumped_is_told_it_diverged(tmp_path):
    # the ratio is the term's mean over its lowest earlier mean: 60.42 / 0.2082 = 290.2
    run = _rewritten(fake_run(tmp_path / "kd", epochs=5, planned=5), 0.93,
                     {3: {"ce": (60.42, 0.2082)}, 4: {"kd": (30.0, 0.02)}})
    report = write_report([run], out_dir=tmp_path / "report")
    assert _notes(report) == [
        "Loss jump: kd's loss term ce rose to 290 times its lowest earlier mean at epoch 3, and kd "
        "to 1,500 times at epoch 4 (train_losses in metrics.jsonl): its training diverged, and "
        "may not have recovered all it lost, so its accuracy and atoms may not be its method's; "
        f"{ADVICE}, then train it again."]
    assert "At chance" not in report.read_text()


def test_a_run_at_chance_is_told_once_in_the_paragraph_of_the_runs_at_chance(tmp_path):
    run = _rewritten(fake_run(tmp_path / "vid", epochs=5, planned=5), 0.5,
                     {3: {"ce": (400.0, 0.5)}})
    text = write_report([run], out_dir=tmp_path / "report").read_text()
    assert "vid's loss term ce rose to 800 times its lowest earlier mean at epoch 3: its " in text
    assert "Loss jump: " not in text


def test_a_run_stopped_short_is_told_of_its_jump_whatever_its_accuracy(tmp_path):
    # the paragraph of the runs at chance names only runs that ended their epochs
    run = _rewritten(fake_run(tmp_path / "bas", epochs=3, planned=5), 0.5,
                     {2: {"ce": (150.0, 0.5)}})
    report = write_report([run], out_dir=tmp_path / "report")
    assert [note.split(" (train_losses")[0] for note in _notes(report)] == [
        "Loss jump: bas's loss term ce rose to 300 times its lowest earlier mean at epoch 2"]


def test_runs_without_a_jump_have_no_line(tmp_path):
    run = _rewritten(fake_run(tmp_path / "rid", epochs=5, planned=5), 0.93, {})
    assert _notes(write_report([run], out_dir=tmp_path / "report")) == []


def test_the_table_of_seeds_counts_the_seeds_that_jumped(tmp_path):
    runs = [seed_run(tmp_path / f"kd-s{seed}", seed, [0.8, 0.85, 0.9], method="kd")
            for seed in (0, 1, 2)]
    _rewritten(runs[1], 0.9, {3: {"kd": (30.0, 0.02)}})
    report = write_report(runs, out_dir=tmp_path / "report")
    assert ("kd: a loss term jumped in 1 of 3 seeds (kd-s1: kd at epoch 3), which the mean and "
            "standard deviation count; the notes under the table of each run say what to do."
            ) in report.read_text()
    assert [note.split("'s loss term")[0] for note in _notes(report)] == ["Loss jump: kd-s1"]
