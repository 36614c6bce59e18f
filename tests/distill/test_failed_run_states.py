"""The report says of a failed run what its folder shows and the advice that fits its error
(t-361 finding 3, t-364): a run whose checkpoint.pt was deleted after its train wrote one is
"Failed, its checkpoint.pt gone", not "before its first checkpoint"; the memory clause comes
only where the error was about memory, and advice the error already gives is not repeated."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tiny_runs import tiny

from pidkit_distill import TrainingError
from pidkit_distill.cli import main
from pidkit_distill.training import train

HEAD = ("No process holds the run folder's .lock: its train stopped with the error shown, which "
        "its summary.json records (failed),")
GONE = (f"{HEAD} and the checkpoint.pt its train had written by then (run.checkpoint_every) is "
        "not in it: it was deleted or not copied with the folder.")
NEVER = f"{HEAD} before it wrote a checkpoint.pt."
RERUN = "Rerun the command with the change the error names: the same run.name starts the run again "
RERUN_MEMORY = ("Rerun the command with the change the error names (where memory ran out, once it "
                "is freed): the same run.name starts the run again from epoch 1.")
RESUME_ELSEWHERE = ("Where memory ran out, the run can instead continue from its checkpoint.pt: "
                    "rerun the same command with --resume (run.resume=true) where that file is.")
MEMORY_RESUME = ("Where memory ran out, free it, then rerun the same command with --resume "
                 "(run.resume=true) to continue from the checkpoint.pt.")
NAN_NEW_RUN = ("Where the loss or the weights became NaN or infinite, the run is seeded, so "
               "resuming it meets the error again, and the same command without --resume is "
               "refused, as the folder holds a checkpoint: make the change the error names in a "
               "new run, with another run.name (--run.name NEW).")


@pytest.fixture(scope="module")
def one_epoch(tmp_path_factory) -> Path:
    """A run of 3 epochs that ended after its first (run.stop_after), its checkpoint.pt written."""
    out = tmp_path_factory.mktemp("runs")
    train(tiny(out, "run.epochs=3", "run.stop_after=1", "run.name=ran"))
    return out / "ran"


def failed_copy(one_epoch: Path, where: Path, error: TrainingError, *, checkpoint: str,
                every: int = 1) -> Path:
    """A copy of ``one_epoch`` that failed with ``error``, as its train records it; its
    checkpoint.pt ``"kept"``, ``"gone"`` (deleted) or ``"never"`` written (deleted, and the
    run checkpointed every ``every`` epochs)."""
    run_dir = where / checkpoint
    shutil.copytree(one_epoch, run_dir)
    config = json.loads((run_dir / "config.json").read_text())
    config["run"]["checkpoint_every"] = every
    (run_dir / "config.json").write_text(json.dumps(config))
    (run_dir / "summary.json").write_text(json.dumps(
        {"failed": {"message": str(error), "hint": error.hint}}))
    if checkpoint != "kept":
        (run_dir / "checkpoint.pt").unlink()
    return run_dir


def state_paragraph(run_dir: Path, capsys) -> str:
    """The paragraph under the report's table that names the failed run."""
    capsys.readouterr()
    assert main(["report", str(run_dir), "--out", str(run_dir.parent / "report")]) == 0
    return next(paragraph.split("\nreport written to ")[0]
                for paragraph in capsys.readouterr().out.split("\n\n")
                if paragraph.startswith("Failed"))


def nan_saved(run_dir: Path, *, seeded: bool) -> TrainingError:
    """A NaN loss in epoch 2 after epoch 1 was saved (``seeded=False``: an older version's
    words, which advised a resume)."""
    return TrainingError("the training loss became NaN or infinite", epoch=2, step=1, n_steps=3,
                         checkpoint=run_dir / "checkpoint.pt", epochs_saved=1,
                         hint="lower optim.lr", seeded=seeded)


def out_of_memory(run_dir: Path | None) -> TrainingError:
    """Memory run out in epoch 2, after epoch 1 was saved in ``run_dir`` (``None``: not)."""
    return TrainingError("out of memory (OutOfMemoryError)", epoch=2, step=1, n_steps=3,
                         checkpoint=run_dir and run_dir / "checkpoint.pt", epochs_saved=1,
                         epochs_done=1, hint="lower data.batch_size")


def test_a_failed_run_whose_checkpoint_was_deleted_is_not_before_its_first(one_epoch, tmp_path,
                                                                           capsys):
    run_dir = failed_copy(one_epoch, tmp_path, nan_saved(tmp_path / "gone", seeded=False),
                          checkpoint="gone")
    assert state_paragraph(run_dir, capsys) == (
        "Failed, its checkpoint.pt gone: gone (after epoch 1 of 3): the training loss became NaN "
        "or infinite in epoch 2, step 1 of 3; nothing is saved to resume from (the run folder "
        f"holds no checkpoint.pt); lower optim.lr. {GONE} {RERUN}from epoch 1.")


def test_memory_is_named_only_where_the_error_was_about_memory(one_epoch, tmp_path, capsys):
    gone = failed_copy(one_epoch, tmp_path, out_of_memory(tmp_path / "gone"), checkpoint="gone")
    assert state_paragraph(gone, capsys).endswith(f"{GONE} {RERUN_MEMORY} {RESUME_ELSEWHERE}")
    never = failed_copy(one_epoch, tmp_path, out_of_memory(None), checkpoint="never", every=3)
    assert state_paragraph(never, capsys) == (
        "Failed before its first checkpoint: never (after epoch 1 of 3): out of memory "
        "(OutOfMemoryError) in epoch 2, step 1 of 3; nothing was saved (1 epoch(s) completed, but "
        "none was checkpointed yet: one is written every run.checkpoint_every epochs); lower "
        f"data.batch_size. {NEVER} {RERUN_MEMORY}")
    kept = failed_copy(one_epoch, tmp_path, out_of_memory(tmp_path / "kept"), checkpoint="kept")
    assert state_paragraph(kept, capsys).endswith(
        f"and its checkpoint.pt holds the epochs saved before. {MEMORY_RESUME}")


def test_a_nans_note_gives_no_advice_its_error_gives(one_epoch, tmp_path, capsys):
    seeded = failed_copy(one_epoch, tmp_path, nan_saved(tmp_path / "kept", seeded=True),
                         checkpoint="kept")
    paragraph = state_paragraph(seeded, capsys)
    assert paragraph.count("--run.name NEW") == 1
    assert paragraph.endswith("and its checkpoint.pt holds the epochs saved before.")
    assert "memory" not in paragraph
    shutil.rmtree(seeded)
    # an older version's error advised a resume, which meets the NaN again: the note corrects it
    old = failed_copy(one_epoch, tmp_path, nan_saved(tmp_path / "kept", seeded=False),
                      checkpoint="kept")
    assert state_paragraph(old, capsys).endswith(
        f"and its checkpoint.pt holds the epochs saved before. {NAN_NEW_RUN}")
    never = failed_copy(one_epoch, tmp_path, TrainingError(
        "the training loss became NaN or infinite", epoch=2, step=1, n_steps=3, epochs_done=1,
        hint="lower optim.lr", seeded=True), checkpoint="never", every=3)
    paragraph = state_paragraph(never, capsys)
    assert paragraph.endswith(f"then rerun: the same run.name starts the run again. {NEVER}")
    assert paragraph.count("rerun") == 1
