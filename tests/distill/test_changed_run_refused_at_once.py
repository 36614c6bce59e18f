"""A run folder's checkpoint met again without run.resume, by a configuration that --resume
could not continue, is refused with the resume's own reason at once (walk t-413 L7): it said
"pass run.resume=true (--resume) to continue it", and --resume then said "the configuration
changed (run.epochs: 3 -> 6); ... start a new run", two round trips where one does."""

from __future__ import annotations

import pytest
from tiny_runs import TINY, tiny

from pidkit_distill import train
from pidkit_distill.cli import main
from pidkit_distill.training import check_config

FREE = ("a resume may change only data.eval_batch_size, data.num_workers, run.checkpoint_every, "
        "run.device, run.join_timeout, run.print_every, run.progress, "
        "run.resume, run.stop_after, run.threads, when the audit runs and its intervals "
        "(audit.bootstrap, audit.confidence, run.audit_every), teacher.source from one file "
        "to another, and run.out_dir / run.name with --resume to find a moved or renamed folder: "
        "--resume RUN_DIR takes both from RUN_DIR and refuses them beside it")


def test_a_changed_configuration_is_told_what_resume_would_tell(tmp_path):
    train(tiny(tmp_path, "run.epochs=3", "run.stop_after=1", "run.name=r"))
    folder, checkpoint = tmp_path / "r", tmp_path / "r" / "checkpoint.pt"
    reason = ("the configuration changed (run.epochs: 3 -> 6); restore those values or start a "
              f"new run (another run.name; {FREE})")
    with pytest.raises(ValueError) as refused:
        check_config(tiny(tmp_path, "run.epochs=6", "run.name=r"))
    assert str(refused.value) == (
        f"run.name: run folder {str(folder)!r} already holds a checkpoint, of a run that "
        f"run.resume=true (--resume) continues only as it was configured: {reason}")
    assert not getattr(refused.value, "__notes__", [])  # no 'set config.run.resume = True'
    # the reason is the resume's own
    with pytest.raises(ValueError) as resumed:
        check_config(tiny(tmp_path, "run.epochs=6", "run.name=r", "run.resume=true"))
    assert str(resumed.value) == f"run.resume: cannot resume {str(checkpoint)!r}: {reason}"


def test_the_same_configuration_is_still_told_to_resume(tmp_path):
    # a key a resume may change (run.threads) is no change
    train(tiny(tmp_path, "run.epochs=3", "run.stop_after=1", "run.name=r"))
    with pytest.raises(ValueError, match=r"already holds a checkpoint; pass run\.resume=true "
                                         r"\(--resume\) to continue it") as refused:
        check_config(tiny(tmp_path, "run.epochs=3", "run.name=r", "run.threads=2"))
    assert refused.value.__notes__[0].startswith("In Python: set config.run.resume = True")
    assert train(tiny(tmp_path, "run.epochs=3", "run.name=r", "run.resume=true")).epochs_done == 3


def test_a_damaged_checkpoint_without_resume_is_told_to_resume_as_before(tmp_path):
    # it cannot be compared; the resume, which reads it whole, says what is wrong with it
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "checkpoint.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match=r"already holds a checkpoint; pass run\.resume=true"):
        check_config(tiny(tmp_path, "run.name=r"))


def test_the_command_tells_it_in_one_line(tmp_path, capsys):
    sets = [arg for item in [*TINY, f"run.out_dir={tmp_path}", "run.name=r", "method.name=kd"]
            for arg in ("--set", item)]
    assert main(["train", *sets, "--epochs", "3", "--run.stop_after", "1"]) == 0
    capsys.readouterr()
    assert main(["train", *sets, "--epochs", "6"]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: run.name: run folder {str(tmp_path / 'r')!r} already "
        "holds a checkpoint, of a run that run.resume=true (--resume) continues only as it was "
        "configured: the configuration changed (run.epochs: 3 -> 6); restore those values or "
        f"start a new run (another run.name; {FREE})\n")
