"""A run folder whose metrics.jsonl was deleted (its config.json and checkpoint.pt are there):
`report` and load_run say that its metrics.jsonl is missing, where they said it "is not a run
folder (no metrics.jsonl)"."""

from __future__ import annotations

import pytest
from test_report import fake_run

from pidkit_distill.cli import main
from pidkit_distill.run_folders.records import load_run


def _without_metrics(tmp_path):
    run = fake_run(tmp_path / "run", epochs=2)
    (run / "checkpoint.pt").write_bytes(b"")  # only looked up
    (run / "metrics.jsonl").unlink()
    return run


MISSING = ("{run!r}: the metrics.jsonl of this run folder is missing (it has its config.json and "
           "checkpoint.pt; deleted or moved?), so its epochs' records are not known; put "
           "metrics.jsonl back, or leave this run out (its checkpoint still loads with "
           "load_student)")


def test_load_run_says_the_metrics_of_a_run_folder_are_missing(tmp_path):
    run = _without_metrics(tmp_path)
    with pytest.raises(ValueError) as info:
        load_run(run)
    assert str(info.value) == MISSING.format(run=str(run))


def test_report_says_the_metrics_of_a_run_folder_are_missing(tmp_path, capsys):
    run = _without_metrics(tmp_path)
    assert main(["report", str(run)]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: {MISSING.format(run=str(run))}\n")


def test_a_folder_without_a_checkpoint_or_config_is_still_no_run_folder(tmp_path):
    run = fake_run(tmp_path / "run", epochs=2)
    (run / "metrics.jsonl").unlink()  # config.json alone: no checkpoint was ever written
    with pytest.raises(ValueError, match=r"is not a run folder \(no metrics.jsonl\)"):
        load_run(run)


def test_another_tools_config_and_checkpoint_are_not_told_of_a_missing_metrics_jsonl(tmp_path):
    # a model folder of another library (config.json and checkpoint.pt) was told that "the
    # metrics.jsonl of this run folder is missing ... deleted or moved?"
    folder = tmp_path / "bert"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "bert"}')
    (folder / "checkpoint.pt").write_bytes(b"")
    with pytest.raises(ValueError) as info:
        load_run(folder)
    assert str(info.value) == (f"{folder / 'config.json'} has no 'data.name'; it is not the "
                               "configuration of a `pidkit-distill train` run")
