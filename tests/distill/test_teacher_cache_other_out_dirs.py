"""A teacher about to be trained into a ``run.out_dir`` that another ``run.out_dir`` (the
default ``runs``, or a folder beside it) holds finished, under the same cached folder's name,
is named in one line on stderr with how to reuse it, then trained all the same (t-350 finding
4: a new ``--out-dir`` trained the same teacher again without a word, 300 epochs on CIFAR)."""

from __future__ import annotations

import shlex

import pytest

from pidkit_distill import load_config, train, train_teacher

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _config(out_dir, *more: str):
    return load_config(overrides=[
        "data.name=synthetic", "data.options.n_train=64", "data.options.n_test=32",
        "model.teacher=synthetic-teacher", "model.student=synthetic-student",
        "teacher.epochs=1", "run.epochs=1", "run.audit_every=0", f"run.out_dir='{out_dir}'",
        *more])


def _notes(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("note: ")]


def test_a_teacher_finished_beside_the_out_dir_is_named_and_trained_again(tmp_path, monkeypatch,
                                                                          capsys):
    monkeypatch.chdir(tmp_path)  # no default runs folder
    first = train_teacher(_config(tmp_path / "a"))
    capsys.readouterr()
    second = train_teacher(_config(tmp_path / "b"))
    out, err = capsys.readouterr()
    assert second == tmp_path / "b" / first.parent.name / "teacher.pt" and second.is_file()
    assert f"training the teacher synthetic-teacher for 1 epochs -> {second}" in out
    [note] = _notes(err)
    assert note.startswith(f"note: {first} holds this very teacher, trained before with the "
                           "same settings in another run.out_dir")
    assert note.endswith(f"rerun with run.out_dir={str(tmp_path / 'a')!r} "
                         f"(--out-dir {shlex.quote(str(tmp_path / 'a'))})")
    assert "teacher.source" not in note and "--teacher" not in note  # it takes no teacher


def test_a_student_run_names_the_teacher_of_the_default_out_dir(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    cached = train_teacher(_config("runs"))
    assert cached.parts[0] == "runs"  # the relative default out dir
    capsys.readouterr()
    far = tmp_path / "far" / "away"
    train(_config(far, "method.name=kd"))
    out, err = capsys.readouterr()
    assert f"-> {far / cached.parent.name / 'teacher.pt'}" in out
    [note] = _notes(err)
    assert note.startswith(f"note: {cached} holds this very teacher")
    # train(config) prints it as the command does: the key first (Python), the option after it;
    # it said "stop this run (Ctrl-C) and rerun with --teacher ... (teacher.source) or
    # --out-dir runs (run.out_dir)" to a notebook (walk t-421, finding 9)
    assert note.endswith(f"stop this run (Ctrl-C, or interrupt the kernel in a notebook) and "
                         f"rerun with teacher.source={str(cached)!r} (--teacher {cached}) or "
                         "run.out_dir='runs' (--out-dir runs)")


def test_nothing_is_said_where_no_other_out_dir_holds_it_finished(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = train_teacher(_config(tmp_path / "a"))
    unfinished = tmp_path / "b" / path.parent.name
    unfinished.mkdir(parents=True)  # a folder whose training never wrote teacher.pt
    other = train_teacher(_config(tmp_path / "c", "teacher.seed=1"))  # another teacher
    assert other.parent.name != path.parent.name
    assert train_teacher(_config(tmp_path / "a")) == path  # reused: nothing trained
    train_teacher(_config(tmp_path / "b"))
    out, err = capsys.readouterr()
    assert out.count("training the teacher") == 3
    [note] = _notes(err)  # b's own training alone: a holds it finished
    assert note.startswith(f"note: {path} holds")
