"""A run that never got clearly above chance, but whose loss term jumped (``loss_jumped`` in its
metrics), is told by the report that it diverged, not to train longer: walk t-407 found a VID run
whose loss reached 4e8 reported with 'train it longer (run.epochs) to tell which'."""

from __future__ import annotations

import json

from test_report import fake_run

from pidkit_distill import write_report


def _at_chance(run, jump_at: int | None) -> None:
    """``run``'s metrics rewritten at chance (2 balanced classes of 200 held-out samples), with
    a loss-term jump recorded at epoch ``jump_at``."""
    lines = (run / "metrics.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    for record in records:
        record.update(test_acc=0.5, test_majority=0.5, test_n=200,
                      train_losses={"ce": 0.7, "vid": 3.0})
        if record["epoch"] == jump_at:
            record["train_losses"]["vid"] = 4.0e8
            record["loss_jumped"] = {"vid": {"epoch": 1, "mean": 3.0, "ratio": 4.0e8 / 3.0}}
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))


def _paragraph(text: str) -> str:
    return next(part for part in text.split("\n\n") if part.startswith("At chance: "))


def test_a_run_at_chance_whose_loss_jumped_is_told_it_diverged(tmp_path):
    run = fake_run(tmp_path / "vid", epochs=5, planned=5)
    _at_chance(run, jump_at=3)
    said = _paragraph(write_report([run], out_dir=tmp_path / "report").read_text())
    assert ("vid's loss term vid rose to 133,333,333 times its lowest earlier mean at epoch 3: its "
            "training diverged or collapsed, which more epochs do not mend") in said
    assert "train it longer" not in said


def test_a_run_at_chance_without_a_jump_is_still_told_to_train_longer(tmp_path):
    run = fake_run(tmp_path / "bas", epochs=5, planned=5)
    _at_chance(run, jump_at=None)
    said = _paragraph(write_report([run], out_dir=tmp_path / "report").read_text())
    assert "train it longer (run.epochs) to tell which" in said and "loss term" not in said
