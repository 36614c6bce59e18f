"""The documented ``pidkit-distill`` commands run end to end: train then report, the quick
start, train-teacher, progress bars on a terminal, and report on damaged run folders."""

from __future__ import annotations

import io
import json
import sys

import pytest
import torch
from test_cli import BASE, TEACHER_BASE
from tiny_runs import TINY

from pidkit_distill.cli import main
from pidkit_distill.config import TrainConfig, config_fields, config_to_dict
from pidkit_distill.config.teacher_keys import unused_by_teacher
from pidkit_distill.config_text import apply_overrides
from pidkit_distill.training.teacher import teacher_run_config

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --- progress bars only on a terminal ----------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [False, True])
def test_progress_bars_are_drawn_only_on_a_terminal(tmp_path, monkeypatch, capsys, terminal):
    stream = Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    assert main(["train", *BASE, "--run.progress", "true", "--out-dir", str(tmp_path)]) == 0
    assert ("epoch 1:" in stream.getvalue()) is terminal  # tqdm's bar, on stderr
    out = capsys.readouterr().out
    assert "[bas] epoch 1/30 phase=student" in out and "\r" not in out  # plain lines


# --- the documented commands --------------------------------------------------------------------


def test_quick_start_trains_the_rid_student(tmp_path, capsys):
    # docs/distill.md's quick start, as written, with the teacher trained 3 epochs instead of 30
    # and the run stopped after 7 of its 30 epochs (its first 3 student epochs) to keep the
    # test short; the schedule is the one the full command uses (see test_checks), and the
    # full command reaches about 98 % (docs/distill.md).
    argv = ["train", "--data", "digits", "--method", "rid", "--teacher", "trained",
            "--epochs", "30"]
    assert main([*argv, "--teacher.epochs", "3", "--run.stop_after", "7", "--out-dir",
                 str(tmp_path), "--run.threads", "1", "--audit-every", "0",
                 "--run.progress", "false"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("notice: method 'rid' (preset 'paper-mean'): warmup_epochs=30, "
                          "cycle_epochs=30 is the schedule of a 300-epoch run")
    summary = json.loads((tmp_path / "digits-rid-tt-s0" / "summary.json").read_text())
    assert summary["epochs_done"] == 7 and summary["method_preset"] == "paper-mean"
    records = [json.loads(x) for x in
               (tmp_path / "digits-rid-tt-s0" / "metrics.jsonl").read_text().splitlines()]
    assert [r["phase"] for r in records] == ["filter"] * 4 + ["student"] * 3
    assert summary["last_acc"] > 0.5


def test_train_then_report_from_the_command_line(tmp_path, capsys):
    common = [
        *BASE, "--epochs", "2", "--audit-every", "1", "--audit.layers", "[2]",
        "--audit.clusters", "3", "--out-dir", str(tmp_path),
    ]
    assert main(["train", *common, "--method", "bas"]) == 0
    assert main(["train", *common, "--method", "vid"]) == 0
    out = capsys.readouterr().out
    assert "last acc" in out and "synthetic-vid-ut-s0" in out
    runs = [str(tmp_path / "synthetic-bas-ut-s0"), str(tmp_path / "synthetic-vid-ut-s0")]
    assert main(["report", *runs, "--out", str(tmp_path / "rep")]) == 0
    printed = capsys.readouterr().out
    assert "| synthetic-bas-ut-s0 | synthetic | bas | untrained | 2/2 |" in printed
    for name in ("accuracy.png", "losses.png", "pid_atoms.png"):
        assert (tmp_path / "rep" / name).read_bytes()[:8] == PNG_MAGIC
    assert not (tmp_path / "rep" / "pid_atoms_all_layers.png").exists()  # one layer audited
    table = (tmp_path / "rep" / "report.md").read_text()
    assert table.count("| synthetic-") == 2
    last = json.loads((tmp_path / "synthetic-vid-ut-s0" / "audit.jsonl").read_text()
                      .splitlines()[-1])

    def cell(atom: str) -> str:  # the atom and its bootstrap interval
        low, high = last["intervals"][atom]
        return f"{last[atom]:.3f} [{low:.3f}, {high:.3f}]"

    assert f"| {cell('red')} | {cell('uni_t')} |" in table
    # the held-out set's size, for the accuracy's standard-error band (it was recorded nowhere)
    metrics = (tmp_path / "synthetic-vid-ut-s0" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["test_n"] for line in metrics] == [64, 64]  # data.options.n_test of TINY


# --- train-teacher ----------------------------------------------------------------------------


def test_train_teacher_refuses_the_students_epochs_and_warns_about_the_rest(tmp_path, capsys):
    # `train-teacher --epochs 1` trained the teacher for teacher.epochs = 30 epochs, saying
    # nothing; --method, --audit.* and the like were ignored as silently
    out_dir = ["--out-dir", str(tmp_path)]
    assert main(["train-teacher", *TEACHER_BASE, *out_dir, "--epochs", "1"]) == 2
    assert capsys.readouterr() == ("", "pidkit-distill train-teacher: error: --run.epochs/--epochs "
                                   "is the student's, not used by train-teacher; pass "
                                   "--teacher.epochs\n")
    assert main(["train-teacher", *TEACHER_BASE, *out_dir, "--set", "optim.lr=0.1"]) == 2
    assert capsys.readouterr().err == ("pidkit-distill train-teacher: error: --set optim.lr=0.1 "
                                       "is the student's, not used by train-teacher; pass "
                                       "--teacher.lr\n")
    assert not list(tmp_path.iterdir())
    assert main(["train-teacher", *TEACHER_BASE, *out_dir, "--teacher.epochs", "1",
                 "--method", "rid", "--set", "audit.clusters=3"]) == 0
    assert capsys.readouterr().err == (
        "pidkit-distill train-teacher: warning: --method.name/--method is not used by "
        "train-teacher: the teacher trains with cross-entropy alone\n"
        "pidkit-distill train-teacher: warning: --set audit.clusters=3 is not used by "
        "train-teacher: the teacher's run has no audit\n")
    (run,) = tmp_path.glob("teacher-synthetic-synthetic-teacher-s0-e1-*")
    assert len((run / "metrics.jsonl").read_text().splitlines()) == 1


def test_a_teachers_epoch_lines_say_the_teacher_is_training(tmp_path, capsys):
    # the lines of a teacher's epochs, by train-teacher or first by a train, said phase=student
    out_dir = ["--out-dir", str(tmp_path)]
    assert main(["train-teacher", *TEACHER_BASE, *out_dir, "--teacher.epochs", "1"]) == 0
    assert "[teacher] epoch 1/1 phase=teacher loss=" in capsys.readouterr().out
    # and its metrics.jsonl, which said "phase": "student" (t-392 section 6)
    (run,) = tmp_path.glob("teacher-*")
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [record["phase"] for record in records] == ["teacher"]
    assert main(["train", *BASE, *out_dir, "--teacher", "trained", "--teacher.epochs", "2",
                 "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "[teacher] epoch 2/2 phase=teacher loss=" in out
    assert "[bas] epoch 1/1 phase=student loss=" in out
    assert "phase=student" not in out.split("[bas]")[0]


def test_the_keys_train_teacher_refuses_or_ignores_change_nothing_of_the_teachers_run():
    # unused_by_teacher is what train-teacher's help hides and its command line refuses: each
    # key it names must leave the teacher's run (teacher_run_config) as it is
    changed = {"run.epochs": "7", "run.seed": "5", "optim.lr": "0.3", "optim.optimizer": "adamw",
               "model.student": "synthetic-teacher", "teacher.source": "trained",
               "method.name": "rid", "method.preset": "kd-rid", "method.params.lambda2": "0.5",
               "audit.clusters": "3", "run.audit_every": "2", "run.name": "mine",
               "run.resume": "true", "run.stop_after": "1"}
    keys = {key for key, _, _, _ in config_fields()} | set(changed)
    sections = {key for key in keys if key.startswith(("audit.", "method."))}  # one stands for all
    # run.early_stop needs a validation split, so it is changed on a run that has one (below)
    expected = set(changed) | {"run.early_stop"} | sections
    assert {key for key in keys if unused_by_teacher(key)} == expected
    base = apply_overrides(TrainConfig(), TINY)

    def teachers_run(config: TrainConfig) -> dict:
        run = config_to_dict(teacher_run_config(config))
        return {section: values for section, values in run.items() if section != "audit"}

    for key, value in changed.items():
        assert teachers_run(apply_overrides(base, [f"{key}={value}"])) == teachers_run(base), key
    split = apply_overrides(base, ["data.val_fraction=0.25"])
    assert teachers_run(apply_overrides(split, ["run.early_stop=2"])) == teachers_run(split)


def test_a_student_run_shorter_than_its_teacher_says_that_run_epochs_does_not_shorten_it(
        tmp_path, capsys):
    # "--epochs 1" for a quick try trained the teacher its 30 epochs (hours for CIFAR's
    # wrn-40-2 on a CPU) with nothing saying that run.epochs was not what set them
    argv = ["train", *BASE, "--teacher.source", "trained", "--out-dir", str(tmp_path),
            "--epochs", "1"]
    assert main(argv) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(
        "training the teacher synthetic-teacher for 30 epochs (teacher.epochs; the student's "
        "run.epochs=1 does not shorten it: set teacher.epochs too for a short try) -> ")
    # teacher.epochs set, as the note advises: no advice to set it (walk t-421, finding 8)
    assert main([*argv, "--teacher.epochs", "2", "--run.name", "set"]) == 0
    assert capsys.readouterr().out.startswith("training the teacher synthetic-teacher for 2 "
                                              "epochs -> ")
    # train-teacher trains no student: its line does not speak of run.epochs (30 by default)
    assert main(["train-teacher", *TEACHER_BASE, "--out-dir", str(tmp_path / "t"),
                 "--teacher.epochs", "31", "--data.options", "n_train=32"]) == 0
    assert capsys.readouterr().out.startswith("training the teacher synthetic-teacher for 31 "
                                              "epochs -> ")


def test_train_teacher_says_when_it_reuses_a_teacher_and_gives_its_accuracy(tmp_path, capsys):
    # the second run printed "teacher saved to PATH" as the first did, without saying that
    # nothing was trained (or saved), and neither said how good the teacher was
    argv = ["train-teacher", *TEACHER_BASE, "--out-dir", str(tmp_path), "--teacher.epochs", "2"]
    assert main(argv) == 0
    (path,) = tmp_path.glob("teacher-*/teacher.pt")
    saved = f"teacher: {path} (held-out accuracy "
    accuracy = torch.load(path, weights_only=True)["test_acc"]
    out = capsys.readouterr().out
    assert out.startswith("training the teacher synthetic-teacher for 2 epochs -> ")
    assert out.endswith(f"{saved}{accuracy:.4f})\n")
    written = path.stat().st_mtime_ns
    assert main(argv) == 0
    assert capsys.readouterr().out == (
        f"reusing the teacher synthetic-teacher trained before with the same settings: {path}\n"
        f"{saved}{accuracy:.4f})\n")
    assert path.stat().st_mtime_ns == written
    # a damaged cached teacher was reused as if whole: one line, exit 2, naming the cache (which
    # the user never named) and how to train the teacher again
    path.write_bytes(b"")
    line = (f"teacher file '{path}' is not a file written by torch.save; expected a teacher: a "
            "dict whose 'model' entry is a state dict of tensors (as `pidkit-distill "
            "train-teacher` writes), or such a state dict itself; it is the teacher cached for "
            f"these settings: delete {path.parent} to train it again\n")
    assert main(argv) == 2
    assert capsys.readouterr() == ("", f"pidkit-distill train-teacher: error: {line}")
    assert main(["train", *BASE, "--teacher", "trained", "--teacher.epochs", "2", "--out-dir",
                 str(tmp_path)]) == 2
    assert capsys.readouterr() == ("", f"pidkit-distill train: error: teacher.source: {line}")


def test_a_run_s_checkpoint_given_as_the_teacher_names_the_teacher_file(tmp_path, capsys):
    # a teacher's run folder holds checkpoint.pt beside teacher.pt; the checkpoint given to
    # --teacher was told "holds ['audit', 'best_acc', ...]; expected a teacher: ...", nothing
    # of the teacher.pt beside it (the folder itself was told it)
    assert main(["train-teacher", *TEACHER_BASE, "--out-dir", str(tmp_path),
                 "--teacher.epochs", "1"]) == 0
    (teacher,) = tmp_path.glob("teacher-*/teacher.pt")
    assert main(["train", *BASE, "--epochs", "1", "--out-dir", str(tmp_path / "runs")]) == 0
    (student,) = (tmp_path / "runs").glob("*/checkpoint.pt")
    capsys.readouterr()
    start = "pidkit-distill train: error: teacher.source: teacher file"
    for given, then in [(teacher.parent / "checkpoint.pt", f"beside it: {teacher}"), (
            student, "that `pidkit-distill train-teacher` prints (to teach with a run's "
                     "student, save pidkit_distill.load_student(RUN_DIR).state_dict() to a file "
                     "and set model.teacher to the run's model.student)")]:
        assert main(["train", *BASE, "--teacher", str(given), "--epochs", "1", "--out-dir",
                     str(tmp_path / "more")]) == 2
        assert capsys.readouterr() == ("", (
            f"{start} '{given}' is a run's checkpoint (the file a run resumes from), not a "
            f"teacher; pass the teacher.pt {then}\n"))
    assert not (tmp_path / "more").exists()


# --- report on damaged run folders -------------------------------------------------------------


@pytest.fixture()
def three_epochs(tmp_path, capsys):
    """A finished 3-epoch run with an audit, and its folder."""
    assert main(["train", *BASE, "--epochs", "3", "--audit-every", "1", "--audit.layers", "[2]",
                 "--audit.clusters", "3", "--audit.bootstrap", "0", "--out-dir",
                 str(tmp_path / "runs")]) == 0
    capsys.readouterr()
    return tmp_path / "runs" / "synthetic-bas-ut-s0"


@pytest.mark.parametrize("name", ["metrics.jsonl", "audit.jsonl"])
def test_report_skips_a_last_line_cut_off_by_a_killed_run(three_epochs, capsys, name):
    path = three_epochs / name
    text = path.read_text()
    path.write_text(text[:-40])  # killed while writing the last record
    (three_epochs / "summary.json").unlink()  # a killed train writes none
    lines = text.count("\n")
    assert main(["report", str(three_epochs)]) == 0
    out, err = capsys.readouterr()
    assert err == (f"pidkit-distill report: warning: {path}: skipped line {lines}, the last, "
                   "which is cut off (the run was killed while writing it)\n")
    row = next(line for line in out.splitlines() if line.startswith("| synthetic-bas-ut-s0"))
    assert ("| 2/3 |" in row) is (name == "metrics.jsonl")


@pytest.mark.parametrize("name", ["metrics.jsonl", "audit.jsonl"])
def test_report_refuses_a_file_damaged_before_its_last_line(three_epochs, capsys, name):
    path = three_epochs / name
    lines = path.read_text().splitlines(keepends=True)
    lines[1] = lines[1][:30] + "\n"
    path.write_text("".join(lines))
    assert main(["report", str(three_epochs)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith(f"pidkit-distill report: error: {path}: line 2 is not JSON (")
    assert err.endswith("; the file is damaged (only a cut-off last line, from a killed run, "
                        "is skipped)\n")
    path.write_text("".join([*lines[:1], "[1, 2]\n", *lines[2:]]))  # JSON, not a record
    assert main(["report", str(three_epochs)]) == 2
    assert f"{path}: line 2 is not a JSON object; the file is damaged" in capsys.readouterr().err


def test_report_refuses_a_folder_without_metrics_and_an_out_that_is_a_file(three_epochs, capsys):
    afile = three_epochs.parent / "afile"
    afile.write_text("")
    assert main(["report", str(three_epochs), "--out", str(afile)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == (f"pidkit-distill report: error: out_dir='{afile}' cannot be "
                                 f"created ('{afile}' is a file, not a folder); choose another "
                                 "folder (--out)\n")
    assert not (three_epochs / "report").exists()
    (three_epochs / "metrics.jsonl").unlink()
    assert main(["report", str(three_epochs)]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: '{three_epochs}': the metrics.jsonl of this run folder is "
        "missing (it has its config.json and checkpoint.pt; deleted or moved?), so its epochs' "
        "records are not known; put metrics.jsonl back, or leave this run out (its checkpoint "
        "still loads with load_student)\n")
