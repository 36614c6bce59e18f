"""The report's "fell to chance" is told by the student's own epochs: its highest held-out
accuracy among the epochs that trained it (t-490), not a filter epoch's (RID's, TED's: the
student as it was) nor the epoch its validation split chose, whose accuracy need not be its
highest."""

from __future__ import annotations

import json

from test_fell_to_chance import ADVICE, paragraph
from test_report import fake_run
from test_report_chance import write_metrics

from pidkit_distill import write_report

# the docs' my-blobs held-out set: 256 samples, 78 of the most common class (30.5 %)
CHANCE, N_TEST = 78 / 256, 256
AT_CHANCE = ("held-out accuracy at most 36.2 %, two standard errors above the 30.5 % of always "
             "answering the most common class. A student at chance has learnt nothing the "
             "held-out set shows, so its row compares no method.")


def with_records(run, **by_epoch):
    """Add to each metrics record of ``run`` the values of ``by_epoch`` (key: a list by epoch)."""
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    (run / "metrics.jsonl").write_text("".join(
        json.dumps({**record, **{key: values[i] for key, values in by_epoch.items()}}) + "\n"
        for i, record in enumerate(records)))
    return run


def test_a_filter_epochs_accuracy_is_no_height_the_student_fell_from(tmp_path):
    # TED-like: stage 1 (epochs 1-2, phase filter) holds 85.9 %, the student never got clearly
    # above chance after: it did not fall, it never learnt
    accuracies = [0.8594, 0.8594, 0.32, 0.33, 0.31, 78 / 256]
    run = write_metrics(fake_run(tmp_path / "ted", epochs=6, planned=6, audited=False),
                        accuracies, test_majority=CHANCE, test_n=N_TEST)
    with_records(run, phase=["filter"] * 2 + ["student"] * 4)
    text = paragraph(write_report(run, out_dir=tmp_path / "rep").read_text())
    assert text.startswith(f"At chance: ted (30.5 % at epoch 6): {AT_CHANCE} ted trained ")
    assert "fell to chance" not in text


def test_a_fall_is_told_from_the_highest_student_epoch_not_the_validation_choice(tmp_path):
    # a validation split chose epoch 3 (held-out 40.0 %, not clearly above chance); the student
    # reached 85.9 % at epoch 8 and fell to chance: the paragraph said "trained fewer than the
    # paper's 300 epochs ... train it longer", advice for a run that never learnt
    accuracies = [0.35, 0.38, 0.40, 0.6, 0.7, 0.8, 0.85, 0.8594, 0.5, 78 / 256]
    run = write_metrics(fake_run(tmp_path / "kd", epochs=10, planned=10, audited=False),
                        accuracies, test_majority=CHANCE, test_n=N_TEST)
    with_records(run, val_acc=[0.5, 0.6, 0.9, 0.7, 0.7, 0.7, 0.7, 0.7, 0.4, 0.3])
    text = paragraph(write_report(run, out_dir=tmp_path / "rep").read_text())
    assert text == (f"At chance: kd (30.5 % at epoch 10): {AT_CHANCE} kd fell to chance after "
                    f"reaching 85.9 % at epoch 8: {ADVICE}.")
