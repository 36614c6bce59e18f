"""The report's advice for a student at chance speaks of what the run has (walk t-413 L6): the
RID paper's 300 epochs only for the paper's data sets, and a schedule only for a method that
has one (RID, TED: an epoch that trained the filters). BAS and KD on a data set of the user's
own were told they "trained fewer than the paper's 300 epochs: too few for their method's
schedule"."""

from __future__ import annotations

import json

from test_fell_to_chance import paragraph
from test_report import fake_run
from test_report_chance import write_metrics

from pidkit_distill import write_report

# my-blobs of the walk: 256 held-out samples, 78 of the most common class (30.5 %)
CHANCE, N_TEST = 78 / 256, 256


def _run(path, *, data="synthetic", method="bas", epochs=30, filters=0):
    """A finished run at chance of ``method`` on ``data``, whose first ``filters`` epochs
    trained the filters (RID's warm-up)."""
    run = write_metrics(fake_run(path, epochs=epochs, planned=epochs, audited=False),
                        [0.31] * (epochs - 1) + [78 / 256], test_majority=CHANCE, test_n=N_TEST)
    config = json.loads((run / "config.json").read_text())
    config["data"]["name"], config["method"]["name"] = data, method
    (run / "config.json").write_text(json.dumps(config))
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    for record in records:
        record["phase"] = "filter" if record["epoch"] <= filters else "student"
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return run


def _advice(tmp_path, *runs):
    text = paragraph(write_report(list(runs), out_dir=tmp_path / "rep").read_text())
    return text.split("compares no method. ")[1]


def test_bas_and_kd_on_the_user_s_data_hear_neither_the_paper_nor_a_schedule(tmp_path):
    bas = _run(tmp_path / "my-blobs-bas-tt-s2", data="my-blobs")
    kd = _run(tmp_path / "my-blobs-kd-tt-s2", data="my-blobs", method="kd")
    assert _advice(tmp_path, bas, kd) == (
        "my-blobs-bas-tt-s2, my-blobs-kd-tt-s2 trained 30 epochs of my-blobs, for which the "
        "paper sets no number of epochs: too few to learn the task, or their method's outcome; "
        "train them longer (run.epochs) to tell which.")


def test_300_epochs_of_the_user_s_data_are_not_the_paper_s_whole_schedule(tmp_path):
    run = _run(tmp_path / "long", data="my-blobs", epochs=300)
    assert _advice(tmp_path, run) == (
        "long trained 300 epochs of my-blobs, for which the paper sets no number of epochs: too "
        "few to learn the task, or its method's outcome; train it longer (run.epochs) to tell "
        "which.")


def test_a_method_with_a_schedule_is_told_of_it_on_any_data(tmp_path):
    rid = _run(tmp_path / "rid", method="rid", filters=3)
    own = _run(tmp_path / "own-rid", data="my-blobs", method="rid", filters=3)
    bas = _run(tmp_path / "bas")
    assert _advice(tmp_path, rid, own, bas) == (
        "rid trained fewer than the paper's 300 epochs: too few for its method's schedule, or "
        "its method's outcome; train it longer (run.epochs) to tell which. own-rid trained 30 "
        "epochs of my-blobs, for which the paper sets no number of epochs: too few for its "
        "method's schedule, or its method's outcome; train it longer (run.epochs) to tell "
        "which. bas trained fewer than the paper's 300 epochs: too few to learn the task, or "
        "its method's outcome; train it longer (run.epochs) to tell which.")


def test_the_paper_s_data_after_the_paper_s_epochs_is_the_method_s_outcome(tmp_path):
    cifar = _run(tmp_path / "cifar", data="cifar10", method="kd", epochs=300)
    assert _advice(tmp_path, cifar) == ("cifar trained the paper's whole 300-epoch schedule, or "
                                        "more, so that is its method's outcome.")
