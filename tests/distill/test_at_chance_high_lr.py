"""A user's walk of `pidkit-distill train` (t-509): `--data digits --method kd --optim.lr 3
--epochs 3` ended at 9.3 % (chance 10.2 %), and the warning told it to train longer (run.epochs),
where its learning rate, 60 times the default, is what keeps it from learning; the loss rose only
about 3 times, so no loss jump said it either. The paragraph of a run at chance (train's warning
and the report's) now names a learning rate at least HIGH_LR_FACTOR times its default instead."""

from __future__ import annotations

from pidkit_distill import load_config
from pidkit_distill.chance import (
    HIGH_LR_FACTOR,
    RunTrained,
    chance_paragraph,
    default_lr,
    run_trained,
)
from pidkit_distill.cli import main
from pidkit_distill.report import load_run, summary_table

WARNING = "warning: the student ended at chance, as `pidkit-distill report` will say of this run: "
HIGH = ("kd trained with optim.lr 3, 60 times its default 0.05: a learning rate that high can keep "
        "a network from learning at all; train it again at the default (leave optim.lr out) or "
        "near it.")


def _record(epoch: int, acc: float) -> dict:
    """A student epoch's metrics record on digits' 450 held-out samples (chance 10.2 %)."""
    return {"epoch": epoch, "phase": "student", "test_acc": acc, "test_majority": 0.1022,
            "test_n": 450}


def _config(**optim: float) -> dict:
    return {"data": {"name": "digits"}, "method": {"name": "kd"}, "teacher": {"source": "trained"},
            "optim": optim}


def _paragraph(config: dict, last: dict | None = None, best: dict | None = None,
               jumped: dict | None = None) -> str:
    last = _record(3, 0.0933) if last is None else last
    best = _record(2, 0.1067) if best is None else best
    return chance_paragraph({"kd": (last, best)}, jumped, trained={"kd": run_trained(config, [last])})


def test_a_run_at_chance_at_60_times_the_default_lr_is_told_so_not_to_train_longer():
    paragraph = _paragraph(_config(lr=3.0))
    assert paragraph.endswith(HIGH)
    assert "train it longer" not in paragraph


def test_a_learning_rate_below_the_factor_keeps_the_advice_to_train_longer():
    # optim.lr 0.3, 6 times the default: the most a documented run meant to learn uses
    paragraph = _paragraph(_config(lr=0.3))
    assert paragraph.endswith("train it longer (run.epochs) to tell which.")
    assert "times its default" not in paragraph


def test_the_factor_is_inclusive():
    exact = _paragraph(_config(lr=HIGH_LR_FACTOR * default_lr()))
    assert f"kd trained with optim.lr 0.5, {HIGH_LR_FACTOR} times its default 0.05:" in exact


def test_a_config_of_an_older_version_without_optim_lr_says_nothing_of_it():
    config = _config()
    del config["optim"]
    paragraph = _paragraph(config)
    assert run_trained(config, [_record(1, 0.1)]).lr is None
    assert "times its default" not in paragraph
    assert paragraph.endswith("train it longer (run.epochs) to tell which.")


def test_the_default_is_the_one_train_uses_where_optim_lr_is_not_given():
    assert run_trained(_config(lr=3.0), []).default_lr == load_config().optim.lr
    teacher = {**_config(lr=3.0), "method": {"name": "teacher"}}
    assert run_trained(teacher, []).default_lr == load_config().teacher.lr


def test_a_teachers_run_is_told_of_teacher_lr():
    teacher = {**_config(lr=3.0), "method": {"name": "teacher"}}
    assert "leave teacher.lr out" in _paragraph(teacher)


def test_a_fall_or_a_loss_jump_keeps_its_own_advice():
    fell = _paragraph(_config(lr=3.0), best=_record(1, 0.9))
    assert "fell to chance after reaching 90.0 % at epoch 1" in fell
    assert "times its default" not in fell
    jump = {"epoch": 2, "loss_jumped": {"kd": {"epoch": 1, "mean": 1.0, "ratio": 300.0}}}
    jumped = _paragraph(_config(lr=3.0), jumped={"kd": jump})
    assert "rose to 300 times its lowest earlier mean" in jumped
    assert "times its default" not in jumped


def test_the_whole_paper_schedule_at_a_high_lr_is_not_called_the_methods_outcome():
    config = {**_config(lr=3.0), "data": {"name": "synthetic"}}
    last = {**_record(300, 0.0933), "test_majority": 0.258, "test_n": 2000, "test_acc": 0.25}
    paragraph = _paragraph(config, last=last, best=last)
    assert "method's outcome" not in paragraph
    assert paragraph.endswith(HIGH)


def test_several_runs_are_told_together():
    last, best = _record(3, 0.0933), _record(2, 0.1067)
    trained = {"kd": RunTrained("digits", False, lr=3.0, default_lr=0.05),
               "bas": RunTrained("digits", False, lr=0.625, default_lr=0.05)}
    paragraph = chance_paragraph({"kd": (last, best), "bas": (last, best)}, trained=trained)
    assert ("kd trained with optim.lr 3, 60 times its default 0.05; bas trained with optim.lr "
            "0.625, 12.5 times its default 0.05: a learning rate that high can keep a network "
            "from learning at all; train them again at the default") in paragraph


def test_trains_warning_of_a_real_run_at_optim_lr_3_names_it_as_the_report_does(tmp_path, capsys):
    # digits, BAS with the untrained teacher (nothing to train first), one epoch at optim.lr 3:
    # 10.4 % held-out accuracy, chance 10.2 %
    assert main(["train", "--data", "digits", "--method", "bas", "--teacher", "untrained",
                 "--optim.lr", "3", "--epochs", "1", "--audit-every", "0", "--print-every", "0",
                 "--run.progress", "false", "--run.threads", "1", "--device", "cpu",
                 "--out-dir", str(tmp_path), "--run.name", "divlr"]) == 0
    warned = capsys.readouterr().err.splitlines()[-1]
    assert warned.startswith(WARNING)
    paragraph = warned.removeprefix(WARNING)
    assert paragraph.endswith(HIGH.replace("kd", "divlr"))
    assert paragraph in summary_table([load_run(tmp_path / "divlr")])  # word for word
