"""A schedule that the configuration sets in part, and that leaves the student too few epochs,
names every epoch count of it (task 278): ``--method rid --set method.params.warmup_epochs=1
--epochs 2`` was told "lower method.params.warmup_epochs or raise run.epochs", and no warm-up
fits: the preset's cycle_epochs=30, which a schedule set in part does not scale, leaves the
student no epoch of the two whatever the warm-up."""

from __future__ import annotations

from pidkit_distill.cli import main

ERROR = "pidkit-distill train: error: method.params: "


def test_the_preset_s_unscaled_counts_are_named(tmp_path, capsys):
    args = ["train", "--data", "synthetic", "--method", "rid", "--set",
            "method.params.warmup_epochs=1", "--epochs", "2", "--out-dir", str(tmp_path)]
    assert main(args) == 2
    assert capsys.readouterr() == ("", (
        f"{ERROR}method 'rid' with warmup_epochs=1, cycle_epochs=30 trains the student in 0 of "
        "run.epochs=2 epochs, fewer than half; lower method.params.warmup_epochs, "
        "method.params.cycle_epochs or raise run.epochs (cycle_epochs=30 from preset "
        "'paper-mean', the schedule of a 300-epoch run, is not scaled to this one where "
        "method.params sets part of the schedule)\n"))


def test_a_schedule_set_whole_names_its_counts_alone(tmp_path, capsys):
    args = ["train", "--data", "synthetic", "--method", "ted", "--set",
            "method.params.stage1_epochs=2", "--epochs", "2", "--out-dir", str(tmp_path)]
    assert main(args) == 2
    assert capsys.readouterr().err == (
        f"{ERROR}method 'ted' with stage1_epochs=2 trains the student in 0 of run.epochs=2 "
        "epochs, fewer than half; lower method.params.stage1_epochs or raise run.epochs\n")
