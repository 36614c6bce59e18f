"""train learns that fit recorded its error from the error itself (TrainingError.recorded_in,
which RunFolder.record_failure sets where it writes the record), not by reading summary.json
back in every rank and comparing messages (t-385 F2)."""

from __future__ import annotations

import json

import pytest
from tiny_runs import tiny

from pidkit_distill import TrainingError
from pidkit_distill.config import TrainConfig
from pidkit_distill.run_folders.files import FAILED
from pidkit_distill.training import train
from pidkit_distill.training.rundir import RunFolder


def out_of_memory() -> TrainingError:
    return TrainingError("out of memory while loading data set 'x'", epoch=None,
                         loading_data=True, kind="out_of_memory")


def test_an_error_is_marked_with_the_folder_whose_summary_records_it(tmp_path):
    folder = RunFolder(tmp_path / "run")
    error = out_of_memory()
    folder.record_failure(error)  # no config.json: the run wrote nothing yet, nor does this
    assert error.recorded_in is None and not folder.path.exists()
    folder.record_failure(error, before_training=TrainConfig())
    assert error.recorded_in == folder.path
    assert json.loads((folder.path / "summary.json").read_text())[FAILED]["message"] == \
        str(error)
    assert error.replaced(hint="load less").recorded_in is None  # another error, unrecorded


def test_an_error_is_unmarked_where_no_record_was_written(tmp_path, monkeypatch, capsys):
    other_rank = out_of_memory()
    RunFolder(tmp_path / "run", is_main=False).record_failure(other_rank,
                                                              before_training=TrainConfig())
    assert other_rank.recorded_in is None and not (tmp_path / "run").exists()

    def disk_full(self, name, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(RunFolder, "write_json", disk_full)
    refused = out_of_memory()
    RunFolder(tmp_path / "run").record_failure(refused, before_training=TrainConfig())
    assert refused.recorded_in is None
    assert "note: the run's failure is not recorded in its folder: " in capsys.readouterr().err


@pytest.mark.parametrize("lr", ["1e6", "1e10"], ids=["epoch 2", "epoch 1, nothing saved"])
def test_fits_record_is_the_one_train_keeps(tmp_path, lr):
    with pytest.raises(TrainingError) as failed:
        train(tiny(tmp_path, "run.epochs=3", f"optim.lr={lr}", "run.name=diverge"))
    run_dir = tmp_path / "diverge"
    assert failed.value.recorded_in == run_dir
    record = json.loads((run_dir / "summary.json").read_text())[FAILED]
    assert record["message"] == str(failed.value) and "before_training" not in record
