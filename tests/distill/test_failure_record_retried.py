"""The run folder's record of a failure does not depend on where torchrun's SIGTERM lands, nor
on a first write that failed (t-399).

1. ``run._failure_recorded`` defers signals while it records the run's failure; a SIGTERM that
   landed as it caught the error, before the deferral held, skipped the record: a failure before
   training was recorded nowhere, and fit's own record of a lost peer stayed where the first
   process's recorded stop should have replaced it. The record is now made, then the signal
   passes on.
2. Where fit's record of its failure could not be written (a full disk), the run tried again as a
   failure before training, so the report read an epoch's failure as one before training. The
   retry now says what fit's record said.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from tiny_runs import sigterm_at_first_deferral, tiny

from pidkit_distill import TrainingError
from pidkit_distill.config import TrainConfig
from pidkit_distill.run_folders.files import FAILED
from pidkit_distill.signals import Terminated, sigterm_interrupts
from pidkit_distill.training import run, train
from pidkit_distill.training.lost_peers import ended_without_message
from pidkit_distill.training.rundir import RunFolder
from pidkit_distill.training.runtime import Runtime
from pidkit_distill.training.stop_records import FirstStop, record_first_stop

GLOO_GONE = "[gloo/transport/tcp/pair.cc:553] Connection closed by peer [127.0.0.1]:25497"
RANK_1 = ("out of memory (OutOfMemoryError) in epoch 2, step 3 of 3; saved: runs/r/checkpoint.pt "
          "holds the run after epoch 1 (resume with run.resume=true)")
RANK_0_OF_2 = Runtime(torch.device("cpu"), rank=0, world_size=2, local_rank=0, owns_group=False)


def _failed(run_dir: Path) -> dict:
    return json.loads((run_dir / "summary.json").read_text())[FAILED]


def _started(tmp_path: Path) -> SimpleNamespace:
    """What _failure_recorded reads of a CheckedConfig, for a run whose folder fit started."""
    config = tiny(tmp_path, "run.name=run")
    RunFolder(tmp_path / "run").start(config, [], [])
    return SimpleNamespace(run_dir=tmp_path / "run", config=config)


def _before_training(tmp_path: Path) -> tuple[TrainingError, Runtime]:
    """A failure of this process alone before the run wrote its folder: recorded by the run."""
    return TrainingError("out of memory while loading data set 'x'", epoch=None,
                         loading_data=True, kind="out_of_memory"), Runtime.single()


def _lost_peer_after_rank_1(tmp_path: Path) -> tuple[TrainingError, Runtime]:
    """fit's failure in epoch 2 where gloo's call failed as rank 1 went, which had recorded its
    own stop first: fit's record (a lost peer, written) is the run's to replace by rank 1's."""
    _started(tmp_path)
    lost = ended_without_message(None, 2)
    lost.__cause__ = RuntimeError(GLOO_GONE)
    record_first_stop(lost, FirstStop(1, RANK_1, False, "TrainingError: out of memory"))
    RunFolder(tmp_path / "run").record_failure(lost)
    assert lost.recorded_in == tmp_path / "run"
    return lost, RANK_0_OF_2


def _expected(case: str, error: TrainingError) -> dict:
    if case == "before training":
        return {"message": str(error), "hint": "", "before_training": True,
                "kind": "out_of_memory", "says_rerun": False}
    return {"message": f"rank 1 of 2 failed: {RANK_1} (the other processes stopped with it)",
            "hint": ""}


def _sigterm_at_first_deferral(monkeypatch, when: str) -> list[str]:
    """Make SIGTERM land at run's first interrupts_deferred: ``before`` it holds (as the error
    is caught) or ``inside`` it; the record_failure calls are listed."""
    calls: list[str] = []
    sigterm_at_first_deferral(monkeypatch, when)
    record = RunFolder.record_failure

    def counted(self, failure, **options):
        calls.append(str(failure))
        record(self, failure, **options)

    monkeypatch.setattr(RunFolder, "record_failure", counted)
    return calls


@pytest.mark.parametrize("when", ["before", "inside"])
@pytest.mark.parametrize(("case", "made"), [("before training", _before_training),
                                            ("fit's lost peer", _lost_peer_after_rank_1)],
                         ids=["before training", "fit's lost peer"])
def test_the_record_is_made_wherever_torchruns_sigterm_lands(tmp_path, monkeypatch, case,
                                                              made, when):
    error, runtime = made(tmp_path)
    checked = SimpleNamespace(run_dir=tmp_path / "run", config=tiny(tmp_path, "run.name=run"))
    calls = _sigterm_at_first_deferral(monkeypatch, when)
    with sigterm_interrupts(), pytest.raises(Terminated) as interrupt:
        with run._failure_recorded(checked, runtime):
            raise error
    assert interrupt.value.__context__ is error  # the run's error, for _run_session to take
    assert _failed(tmp_path / "run") == _expected(case, error)
    assert len(calls) == 1  # once, however the signal came


@pytest.mark.parametrize(("case", "made"), [("before training", _before_training),
                                            ("fit's lost peer", _lost_peer_after_rank_1)],
                         ids=["before training", "fit's lost peer"])
def test_without_a_signal_the_record_is_the_same(tmp_path, case, made):
    error, runtime = made(tmp_path)
    checked = SimpleNamespace(run_dir=tmp_path / "run", config=tiny(tmp_path, "run.name=run"))
    with pytest.raises(TrainingError) as raised, run._failure_recorded(checked, runtime):
        raise error
    assert raised.value is error
    assert _failed(tmp_path / "run") == _expected(case, error)


def _summary_write_fails_once(monkeypatch) -> list[str]:
    """The first write of a failure's record fails as on a full disk; later ones succeed."""
    write, refused = RunFolder.write_json, []

    def full_once(self, name, obj):
        if name == "summary.json" and FAILED in obj and not refused:
            refused.append(obj[FAILED]["message"])
            raise OSError(28, "No space left on device")
        write(self, name, obj)

    monkeypatch.setattr(RunFolder, "write_json", full_once)
    return refused


def test_a_record_retried_after_a_failed_write_says_what_the_first_said(tmp_path, monkeypatch):
    folder = RunFolder(tmp_path / "run")
    folder.start(TrainConfig(), [], [])
    refused = _summary_write_fails_once(monkeypatch)
    nan = TrainingError("the training loss became nan", epoch=2, kind="nan")
    folder.record_failure(nan)  # fit's, in epoch 2: not written
    assert refused == [str(nan)] and nan.recorded_in is None
    folder.record_failure(nan, before_training=TrainConfig())  # the run's retry
    assert nan.recorded_in == folder.path
    assert _failed(folder.path) == {"message": str(nan), "hint": "", "kind": "nan",
                                    "says_rerun": False}


@pytest.mark.parametrize("peer", [False, True], ids=["fit's own", "rank 1's, found after"])
def test_fits_failure_whose_write_failed_is_not_retried_as_before_training(tmp_path, monkeypatch,
                                                                           peer):
    checked = _started(tmp_path)
    refused = _summary_write_fails_once(monkeypatch)
    if peer:
        error, runtime = ended_without_message(None, 2), RANK_0_OF_2
        error.__cause__ = RuntimeError(GLOO_GONE)
        record_first_stop(error, FirstStop(1, RANK_1, False, "TrainingError: out of memory"))
    else:
        error = TrainingError("the training loss became nan", epoch=2, kind="nan")
        runtime = Runtime.single()
    RunFolder(checked.run_dir).record_failure(error)  # fit's
    assert refused == [str(error)]
    with pytest.raises(TrainingError), run._failure_recorded(checked, runtime):
        raise error
    failed = _failed(checked.run_dir)
    assert "before_training" not in failed
    assert failed["message"] == (_expected("peer", error)["message"] if peer else str(error))


def test_a_train_whose_first_record_failed_records_its_epochs_failure(tmp_path, monkeypatch,
                                                                      capsys):
    refused = _summary_write_fails_once(monkeypatch)
    with pytest.raises(TrainingError) as failed:
        train(tiny(tmp_path, "run.epochs=3", "optim.lr=1e6", "run.name=diverge"))
    assert refused == [str(failed.value)]
    assert "note: the run's failure is not recorded in its folder: " in capsys.readouterr().err
    record = _failed(tmp_path / "diverge")
    assert record["message"] == str(failed.value) and "before_training" not in record
    assert failed.value.epoch == 2 and record["kind"] == "nan"
