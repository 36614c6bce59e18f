"""The report's advice for a failed run follows what its error was, as the run folder records it
(``kind``, ``says_rerun``: t-377, after t-370's design), not the error's words: memory run out
while loading a data set named 'rerun' was taken for an error that already advised a rerun, and
the report left out its "Rerun the command ...". A record without a kind (an older version's, a
stop that only followed another process's) is judged by its words, as before: for each error a
run raises, both records give the same paragraph."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest
from test_failed_run_states import (  # noqa: F401  (one_epoch: a fixture)
    NAN_NEW_RUN,
    NEVER,
    RERUN_MEMORY,
    one_epoch,
    state_paragraph,
)

from pidkit_distill import PeerStopped, TrainingError
from pidkit_distill.run_folders.files import train_failure
from pidkit_distill.training.epoch_steps import memory_checked
from pidkit_distill.training.loaders import DataOutOfMemory
from pidkit_distill.training.lost_peers import ended_without_message
from pidkit_distill.training.outcomes import out_of_memory_reading
from pidkit_distill.training.rundir import RunFolder

RERUN_DATA = DataOutOfMemory("out of memory (MemoryError) while loading data set 'rerun': it did "
                             "not fit in this machine's memory", hint="load less in its loader "
                             "(or lower its size among data.options), or free memory or use a "
                             "machine with more")


def in_epoch_2(run_dir: Path | None, **keywords) -> dict:
    """What a failure in epoch 2, step 1 of 3, after epoch 1, says was saved in ``run_dir``
    (``None``: nothing)."""
    return dict(epoch=2, step=1, n_steps=3, epochs_done=1, epochs_saved=1,
                checkpoint=run_dir and run_dir / "checkpoint.pt", **keywords)


def memory_in_epoch_2(run_dir: Path | None) -> TrainingError:
    """Memory run out in a training step, as the epoch's own check raises it."""
    with pytest.raises(TrainingError) as raised, memory_checked(
            "", epoch=2, step=1, n_steps=3, hint="lower data.batch_size"):
        raise MemoryError
    return raised.value.replaced(**in_epoch_2(run_dir))


def nan_in_epoch_2(run_dir: Path | None) -> TrainingError:
    return TrainingError("the training loss became NaN or infinite", hint="lower optim.lr",
                         seeded=True, kind="nan", **in_epoch_2(run_dir))


STATES = {"kept": "Failed: kept", "gone": "Failed, its checkpoint.pt gone: gone",
          "never": "Failed before its first checkpoint: never"}


def failed_run(ran: Path, run_dir: Path, error: TrainingError, *, checkpoint: str,
               kind: bool = True) -> Path:
    """A copy of ``ran`` (test_failed_run_states' one_epoch) at ``run_dir`` that failed with
    ``error``: recorded by the train (``kind``), or as a record without a kind (an older
    version's); its checkpoint.pt ``"kept"``, ``"gone"`` (deleted) or ``"never"`` written
    (deleted, run.checkpoint_every 3). Its summary.json holds the record alone, so that it
    shows no run.stop_after that ended by itself."""
    shutil.copytree(ran, run_dir)
    (run_dir / "summary.json").unlink()
    config = json.loads((run_dir / "config.json").read_text())
    config["run"]["checkpoint_every"] = 3 if checkpoint == "never" else 1
    (run_dir / "config.json").write_text(json.dumps(config))
    RunFolder(run_dir).record_failure(error)
    if not kind:
        (run_dir / "summary.json").write_text(json.dumps(
            {"failed": {"message": str(error), "hint": error.hint}}))
    if checkpoint != "kept":
        (run_dir / "checkpoint.pt").unlink()
    return run_dir


def test_memory_run_out_loading_a_data_set_named_rerun_is_advised_a_rerun(
        one_epoch, tmp_path, capsys):  # noqa: F811
    run_dir = failed_run(one_epoch, tmp_path / "never", RERUN_DATA, checkpoint="never")
    assert train_failure(run_dir)["kind"] == "out_of_memory"
    assert train_failure(run_dir)["says_rerun"] is False
    assert state_paragraph(run_dir, capsys) == (
        f"Failed before its first checkpoint: never (after epoch 1 of 3): {RERUN_DATA}. "
        f"{NEVER} {RERUN_MEMORY}")


def test_a_nan_after_a_checkpoint_gets_the_new_run_note_only_where_it_advised_a_rerun(
        one_epoch, tmp_path, capsys):  # noqa: F811
    saved = failed_run(one_epoch, tmp_path / "saved", nan_in_epoch_2(tmp_path / "saved"),
                       checkpoint="kept")
    assert state_paragraph(saved, capsys).endswith(
        "and its checkpoint.pt holds the epochs saved before.")
    # nothing saved when it failed ("then rerun": the same run.name), but a checkpoint.pt is
    # in the folder now, which refuses the same command: the note says to start a new run
    unsaved = failed_run(one_epoch, tmp_path / "unsaved", nan_in_epoch_2(None), checkpoint="kept")
    assert train_failure(unsaved)["says_rerun"] is True
    assert state_paragraph(unsaved, capsys).endswith(
        f"and its checkpoint.pt holds the epochs saved before. {NAN_NEW_RUN}")


@pytest.mark.parametrize("checkpoint", ["kept", "gone", "never"])
def test_a_record_with_a_kind_reads_as_one_without_for_each_error_a_run_raises(
        one_epoch, tmp_path, capsys, checkpoint):  # noqa: F811
    errors = {
        "memory": lambda run_dir: memory_in_epoch_2(run_dir),
        "nan": lambda run_dir: nan_in_epoch_2(run_dir),
        "reading": lambda run_dir: out_of_memory_reading(Path("t.pt"), purpose="for the teacher",
                                                         what="teacher file"),
        "data": lambda run_dir: DataOutOfMemory("out of memory (MemoryError) while loading data "
                                                "set 'x'", hint="load less"),
        "lost": lambda run_dir: ended_without_message(None, 2).replaced(**in_epoch_2(run_dir)),
        "other": lambda run_dir: TrainingError("the teacher's outputs are not finite",
                                               hint="check the teacher", **in_epoch_2(run_dir)),
        "peer": lambda run_dir: PeerStopped(1, 2, "out of memory (MemoryError) in epoch 2, step "
                                            "1 of 3", interrupted=False),
    }
    for name, error_in in errors.items():
        paragraphs = []
        error = error_in(None if checkpoint == "never" else tmp_path / "ran")
        for kind in (True, False):
            run_dir = tmp_path / f"{name}-{kind}" / checkpoint
            failed_run(one_epoch, run_dir, error, checkpoint=checkpoint, kind=kind)
            assert (train_failure(run_dir)["kind"] is None) == (not kind or name == "peer")
            paragraphs.append(state_paragraph(run_dir, capsys))
        assert paragraphs[0] == paragraphs[1], name
        assert paragraphs[0].startswith(STATES[checkpoint])


def test_the_kind_is_what_the_raise_site_says_and_survives_a_pickle_and_a_replace():
    assert memory_in_epoch_2(None).kind == "out_of_memory"
    assert RERUN_DATA.replaced(hint="less").kind == "out_of_memory"
    assert pickle.loads(pickle.dumps(RERUN_DATA)).kind == "out_of_memory"
    assert ended_without_message(None, 2).kind == "lost_peer"
    reading = out_of_memory_reading(Path("c.pt"))
    assert (reading.kind, reading.says_rerun, "then rerun" in reading.hint) == (
        "out_of_memory", True, True)
    assert pickle.loads(pickle.dumps(reading)).says_rerun is True
    peer = PeerStopped(1, 2, "out of memory", interrupted=False)
    assert (peer.kind, peer.replaced(hint="x").kind) == (None, None)
    assert TrainingError("x", epoch=1).kind == "error"
    assert (nan_in_epoch_2(None).says_rerun, nan_in_epoch_2(Path("r")).says_rerun) == (True, False)


def test_a_kind_not_known_is_refused_where_raised_and_read_as_none(tmp_path):
    with pytest.raises(ValueError, match=r"kind must be one of 'out_of_memory', 'nan', "
                                         r"'lost_peer', 'error' \(what failed\); got kind='oom'"):
        TrainingError("out of memory", epoch=1, kind="oom")
    (tmp_path / "summary.json").write_text(json.dumps({"failed": {
        "message": "out of memory", "hint": "", "kind": "oom", "says_rerun": "yes"}}))
    assert train_failure(tmp_path) == {"message": "out of memory", "hint": "",
                                       "before_training": False, "kind": None,
                                       "says_rerun": False}
