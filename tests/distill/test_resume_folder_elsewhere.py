"""``pidkit-distill train --resume`` that derives another run folder than the run it was meant to
continue (task 297). The folder's default name is made of the data set, method, preset, teacher
kind and seed, so a resume with another ``--seed``, ``--method`` or ``--teacher`` (or a
``--run.name`` of its own) found no checkpoint and started a new run, told only "run folder
'...' holds no checkpoint: this run starts at epoch 1; to continue a run, set run.out_dir and
run.name to its folder". ``run.resume`` is resume-or-start (torchrun's restarts rely on it), so
the run still starts; the notice now names each run folder beside it that the command would
continue but for those options, the options, and what to pass to continue it. And ``--preset
paper``, kd's default, derived ``digits-kd-paper-tt-s0`` beside ``digits-kd-tt-s0`` for the same
configuration: it now derives the same folder, except where a run made before has the other.
The check of the configuration words the notice (task 300), so Python's ``train(config)`` prints
the same line, its advice in options and in keys."""

from __future__ import annotations

import shutil

import pytest
from tiny_runs import TINY

from pidkit_distill import load_config
from pidkit_distill.cli import main
from pidkit_distill.training import train as train_in_python
from pidkit_distill.training.rundir import run_dir_of


def train(capsys, out_dir, *extra: str) -> tuple[int, str]:
    """``pidkit-distill train`` of the tiny KD run (2 epochs, untrained teacher unless ``extra``
    says otherwise) writing under ``out_dir``: its exit status and its notices (the lines of
    stdout that start ``notice:``)."""
    options = [f"--set={option}" for option in TINY if not option.startswith("teacher.source")]
    status = main(["train", *options, "--method", "kd", "--teacher", "untrained", "--epochs", "2",
                   "--out-dir", str(out_dir), *extra])
    out = capsys.readouterr().out
    return status, "\n".join(line for line in out.splitlines() if line.startswith("notice:"))


@pytest.fixture
def stopped(tmp_path, capsys):
    """A tiny KD run (untrained teacher, seed 0) stopped after its first epoch of 2."""
    assert train(capsys, tmp_path, "--run.stop_after", "1") == (0, "")
    assert (tmp_path / "synthetic-kd-ut-s0" / "checkpoint.pt").is_file()
    return tmp_path


@pytest.mark.parametrize(("changed", "folder", "differs", "restores", "keys"), [
    (["--seed", "1"], "synthetic-kd-ut-s1", "run.seed (0 there, 1 now)", " --run.seed 0",
     ", run.seed=0"),
    (["--method", "vid"], "synthetic-vid-ut-s0", "method.name ('kd' there, 'vid' now)",
     " --method.name kd", ", method.name='kd'"),
    (["--run.name", "mine"], "mine", None, "", ""),
], ids=["seed", "method", "run-name"])
def test_a_resume_that_starts_anew_names_the_run_beside_it(stopped, capsys, changed, folder,
                                                         differs, restores, keys):
    status, notice = train(capsys, stopped, "--resume", *changed)
    how = (f"holds a run that differs in {differs}" if differs
           else "holds a run of this configuration")
    assert (status, notice) == (0, (
        f"notice: run.resume is set, but run folder '{stopped / folder}' holds no checkpoint: "
        "this run starts at epoch 1; to continue a run, set run.out_dir and run.name to its "
        f"folder; beside it, 'synthetic-kd-ut-s0' {how}: to continue it, pass --run.name "
        f"synthetic-kd-ut-s0{restores} with --resume (run.name='synthetic-kd-ut-s0'{keys} in "
        "Python or a --config file)"))
    assert (stopped / folder / "checkpoint.pt").is_file()  # resume-or-start: it started
    # the advice continues the run that was meant
    assert train(capsys, stopped, "--resume", *changed, "--run.name", "synthetic-kd-ut-s0",
                 *restores.split()) == (0, "")
    assert (stopped / "synthetic-kd-ut-s0" / "metrics.jsonl").read_text().count("\n") == 2


def test_train_in_python_names_the_run_beside_it_and_its_advice_continues_it(stopped, capsys):
    # the notice was completed by the command alone: train(config) told only "to continue a
    # run, set run.out_dir and run.name to its folder"
    tiny = [option for option in TINY if not option.startswith("teacher.source")]
    overrides = [*tiny, "method.name=kd", "teacher.source=untrained", "run.epochs=2",
                 f"run.out_dir={stopped}", "run.resume=true"]
    train_in_python(load_config(overrides=[*overrides, "run.seed=1"]))
    notices = [line for line in capsys.readouterr().out.splitlines()
               if line.startswith("notice:")]
    assert notices == [
        f"notice: run.resume is set, but run folder '{stopped / 'synthetic-kd-ut-s1'}' holds no "
        "checkpoint: this run starts at epoch 1; to continue a run, set run.out_dir and run.name "
        "to its folder; beside it, 'synthetic-kd-ut-s0' holds a run that differs in run.seed (0 "
        "there, 1 now): to continue it, pass --run.name synthetic-kd-ut-s0 --run.seed 0 with "
        "--resume (run.name='synthetic-kd-ut-s0', run.seed=0 in Python or a --config file)"]
    # the keys it gives, as load_config's overrides, continue the run that was meant
    summary = train_in_python(load_config(overrides=[
        *overrides, "run.seed=1", "run.name='synthetic-kd-ut-s0'", "run.seed=0"]))
    assert (summary.run_dir, summary.epochs_done) == (stopped / "synthetic-kd-ut-s0", 2)
    assert "notice:" not in capsys.readouterr().out
    assert (stopped / "synthetic-kd-ut-s0" / "metrics.jsonl").read_text().count("\n") == 2


def test_another_teacher_kind_is_named(stopped, capsys):
    status, notice = train(capsys, stopped, "--resume", "--teacher", "trained")
    assert status == 0
    assert notice.endswith(
        "; beside it, 'synthetic-kd-ut-s0' holds a run that differs in teacher.source "
        "('untrained' there, 'trained' now): to continue it, pass --run.name synthetic-kd-ut-s0 "
        "--teacher.source untrained with --resume (run.name='synthetic-kd-ut-s0', "
        "teacher.source='untrained' in Python or a --config file)")


def test_a_run_that_differs_in_another_option_is_not_named(stopped, capsys):
    # a run of another learning rate is none this command would continue, nor the run that a
    # method starts from (TED's RUN.bas-init), which that method's run continues itself
    assert train(capsys, stopped, "--optim.lr", "0.01", "--run.name", "lr",
                 "--run.stop_after", "1") == (0, "")
    shutil.copytree(stopped / "synthetic-kd-ut-s0", stopped / "synthetic-kd-ut-s0.bas-init")
    status, notice = train(capsys, stopped, "--resume", "--seed", "1")
    assert status == 0
    assert notice.endswith(
        "; beside it, 'synthetic-kd-ut-s0' holds a run that differs in run.seed (0 there, 1 "
        "now): to continue it, pass --run.name synthetic-kd-ut-s0 --run.seed 0 with --resume "
        "(run.name='synthetic-kd-ut-s0', run.seed=0 in Python or a --config file)")


def test_the_default_preset_named_has_the_folder_of_none_named(tmp_path):
    out = f"run.out_dir={tmp_path}"
    default = load_config(overrides=["method.name=kd", out])
    named = load_config(overrides=["method.name=kd", "method.preset=paper", out])
    assert run_dir_of(named) == run_dir_of(default) == tmp_path / "digits-kd-tt-s0"
    rid = load_config(overrides=["method.name=rid", "method.preset=paper-mean", out])
    assert run_dir_of(rid) == tmp_path / "digits-rid-tt-s0"
    other = load_config(overrides=["method.name=rid", "method.preset=paper", out])
    assert run_dir_of(other) == tmp_path / "digits-rid-paper-tt-s0"  # another preset: its own


def test_the_default_preset_named_resumes_the_run_of_none_named(stopped, capsys):
    assert train(capsys, stopped, "--resume", "--preset", "paper", "--run.stop_after", "1") \
        == (0, "")
    assert (stopped / "synthetic-kd-ut-s0" / "metrics.jsonl").read_text().count("\n") == 2
    assert not (stopped / "synthetic-kd-paper-ut-s0").exists()
    # a run that such a command made before, under the preset's name, keeps its folder
    (stopped / "synthetic-kd-ut-s0").rename(stopped / "synthetic-kd-paper-ut-s0")
    assert train(capsys, stopped, "--resume", "--preset", "paper") == (0, "")
    assert not (stopped / "synthetic-kd-ut-s0").exists()


def test_a_run_beside_it_that_ended_is_not_offered(tmp_path, capsys):
    # a run that did all its epochs holds a checkpoint too, but a resume of it has nothing to do:
    # the notice offered "to continue it, pass --run.name synthetic-kd-ut-s0 --run.seed 0"
    assert train(capsys, tmp_path) == (0, "")
    status, notice = train(capsys, tmp_path, "--resume", "--seed", "1")
    assert (status, notice) == (0, (
        f"notice: run.resume is set, but run folder '{tmp_path / 'synthetic-kd-ut-s1'}' holds no "
        "checkpoint: this run starts at epoch 1; to continue a run, set run.out_dir and run.name "
        "to its folder"))
