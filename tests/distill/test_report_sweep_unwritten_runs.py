"""A sweep's run folder that its train made but wrote no run in yet (its ``.lock``, and the
``config.json.XXXXXXXX.tmp`` of a killed write) is named as it is skipped whether the sweep is
given as its folder (`report runs`) or as a glob (`report runs/*`): the folder was left out of
`report runs` and ``load_runs("runs")`` without a word, while ``runs/*`` warned. A folder that
only looks like one (the demo's folder, locked too; a run whose config.json is gone) is no
unwritten run, in either spelling."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from test_report import fake_run, rows

from pidkit_distill import load_student
from pidkit_distill.cli import main
from pidkit_distill.report import load_runs
from pidkit_distill.run_folders.search import run_folders, runs_in
from pidkit_distill.run_folders.unwritten import RUN_LOCK_FILE, holds_unwritten_run, unwritten_run
from pidkit_distill.training.rundir import run_folder_lock

STOPPED = ("a `pidkit-distill train` made this run folder and stopped before it wrote the run in "
           "it (while it checked the configuration, loaded the data or trained the teacher; "
           "nothing of the run was saved): rerun that command")
TRAINING = ("a `pidkit-distill` command holds its .lock now but has written no run in it yet (a "
            "train checks the configuration, loads the data and trains or reads the teacher "
            "first): report it once its first epoch has ended")


def unwritten_run_folder(path: Path, *, killed_write: bool = False) -> Path:
    """A run folder as a train leaves it before its config.json: its lock file, and with
    ``killed_write`` the temporary file of a config.json whose writing was killed (as an
    interrupted demo left it)."""
    path.mkdir(parents=True)
    (path / RUN_LOCK_FILE).write_bytes(b"")
    if killed_write:
        (path / "config.json.c11c735b.tmp").write_text("{")
    return path


def warned(err: str) -> list[str]:
    """The warning lines of the command's stderr, without its prefix."""
    prefix = "pidkit-distill report: warning: "
    return [line.removeprefix(prefix) for line in err.splitlines() if line.startswith(prefix)]


@pytest.mark.parametrize("killed_write", [False, True], ids=["lock alone", "config.json.tmp"])
def test_a_sweep_folder_names_its_unwritten_run_as_its_glob_does(tmp_path, monkeypatch, capsys,
                                                                killed_write):
    monkeypatch.chdir(tmp_path)
    for name in ("a", "c"):
        fake_run(tmp_path / "sweep" / name, epochs=2)
    unwritten_run_folder(tmp_path / "sweep/b", killed_write=killed_write)
    skipped = [f"skipped sweep/b: {STOPPED}"]
    assert main(["report", "sweep"]) == 0
    out, err = capsys.readouterr()
    assert warned(err) == skipped  # it said "sweep: 2 run folders" alone
    assert err.endswith("\nsweep: 2 run folders\n")  # the count is of the runs read
    assert [row.split(" | ")[0] for row in rows(out)] == ["| a", "| c"]
    # as a shell's sweep/* gives it; then both at once: named once, then "given twice", as a
    # run given twice is
    for given, said in ((["sweep"], skipped), (["sweep/a", "sweep/b", "sweep/c"], skipped),
                        (["sweep", "sweep/b"], [*skipped, "skipped sweep/b: given twice"])):
        with pytest.warns(RuntimeWarning) as caught:
            assert [run.name for run in load_runs(given)] == ["a", "c"]
        assert [str(warning.message) for warning in caught] == said


def test_a_sweep_whose_run_is_training_its_teacher_names_it_as_training(tmp_path, monkeypatch,
                                                                          capsys):
    monkeypatch.chdir(tmp_path)
    fake_run(tmp_path / "sweep/a", epochs=2)
    training = tmp_path / "sweep/b"
    with run_folder_lock(training):  # its train holds it while it trains the teacher
        assert main(["report", "sweep"]) == 0
    assert warned(capsys.readouterr().err) == [f"skipped sweep/b: {TRAINING}"]


def test_a_demo_folder_of_unwritten_runs_alone_is_refused_naming_them(tmp_path, monkeypatch,
                                                                     capsys):
    # a demo interrupted in its first runs leaves its folder so (its own .lock and marker): the
    # demo's folder was the one called a run folder whose train "stopped before it wrote the
    # run", and its runs went unnamed
    monkeypatch.chdir(tmp_path)
    demo = unwritten_run_folder(tmp_path / "demo")
    (demo / ".pidkit-distill-demo").write_text("made by `pidkit-distill demo`\n")
    unwritten_run_folder(demo / "synthetic-vid-tt", killed_write=True)
    unwritten_run_folder(demo / "synthetic-bas-tt")
    assert main(["report", "demo"]) == 2
    # one line: each folder was a warning line, then the error named the first again
    assert capsys.readouterr().err == (
        "pidkit-distill report: error: no run folder among ['demo']; 'demo/synthetic-bas-tt' and "
        f"'demo/synthetic-vid-tt' each hold no run yet: {STOPPED}\n")


def test_a_sweep_of_unwritten_runs_alone_is_one_error_line_naming_each(tmp_path, monkeypatch,
                                                                       capsys):
    # a warning line per folder came before the error, which named only the first folder
    monkeypatch.chdir(tmp_path)
    for name in ("a", "c"):
        unwritten_run_folder(tmp_path / "sweep" / name)
    with run_folder_lock(tmp_path / "sweep/b"):  # its train is training the teacher now
        assert main(["report", "sweep"]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: no run folder among ['sweep']; 'sweep/a' and 'sweep/c' "
        f"each hold no run yet: {STOPPED}; 'sweep/b' holds no run yet: {TRAINING}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning either where load_runs is called
        with pytest.raises(ValueError, match=r"^no run folder among \['sweep/a'\]; 'sweep/a' holds no "
                                             r"run yet: a `pidkit-distill train` made"):
            load_runs(["sweep/a"])


def test_folders_that_are_no_unwritten_run_are_not_named_in_a_sweep(tmp_path, monkeypatch,
                                                                    capsys):
    # the demo's folder holds a .lock too (its own, beside its marker and its run folders), and
    # a run whose config.json is gone its .lock and metrics.jsonl: a glob called the latter a
    # run "stopped before it wrote the run ... nothing of the run was saved"
    monkeypatch.chdir(tmp_path)
    fake_run(tmp_path / "sweep/a", epochs=2)
    (tmp_path / "sweep/notes").mkdir()
    demo = tmp_path / "sweep/demo"
    fake_run(demo / "synthetic-bas-tt", epochs=1)
    (demo / RUN_LOCK_FILE).write_bytes(b"")
    (demo / ".pidkit-distill-demo").write_text("made by `pidkit-distill demo`\n")
    damaged = unwritten_run_folder(tmp_path / "sweep/damaged")
    (damaged / "metrics.jsonl").write_text('{"epoch": 1, "test_acc": 0.5}\n')
    assert not holds_unwritten_run(demo) and not holds_unwritten_run(damaged)
    assert runs_in(tmp_path / "sweep", unwritten=True) == [tmp_path / "sweep/a"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [run.name for run in load_runs("sweep")] == ["a"]
    assert main(["report", "sweep"]) == 0
    assert capsys.readouterr().err == "sweep: 1 run folder\n"
    assert main(["report", "sweep/a", "sweep/damaged"]) == 2  # one by one: no run, as notes
    assert capsys.readouterr().err == ("pidkit-distill report: error: 'sweep/damaged' is not a "
                                       "run folder (no config.json); pass folders written by "
                                       "`pidkit-distill train`\n")
    with pytest.raises(ValueError, match=r"^run_dir 'sweep/damaged' is not a run folder \(no "
                                         r"config.json, no checkpoint.pt\)"):
        load_student("sweep/damaged")  # it said "holds no run: ... nothing of the run was saved"


def test_run_folders_counts_unwritten_runs_only_when_asked(tmp_path):
    fake_run(tmp_path / "b", epochs=1)
    unwritten_run_folder(tmp_path / "a", killed_write=True)
    (tmp_path / "c").mkdir()  # a folder of the user's
    (tmp_path / "c" / "config.json.c11c735b.tmp").write_text("{")  # no lock: no run's
    assert run_folders(tmp_path) == [tmp_path / "b"]
    assert run_folders(tmp_path, unwritten=True) == [tmp_path / "a", tmp_path / "b"]
    assert runs_in(tmp_path / "a", unwritten=True) == [tmp_path / "a"]  # itself: no sweep


def test_load_runs_lists_no_folder_that_holds_a_config_json_again(tmp_path, monkeypatch):
    # every run folder of a sweep, already found to hold a run, was listed again to learn
    # whether it held no run yet (its .lock and temporary files alone), which a config.json
    # rules out
    import pidkit_distill.run_folders.records as run_records

    asked = []

    def counted(folder, **kwargs):
        asked.append(folder.name)
        return unwritten_run(folder, **kwargs)

    monkeypatch.setattr(run_records, "unwritten_run", counted)
    for name in ("a", "c"):
        (fake_run(tmp_path / "sweep" / name, epochs=2) / RUN_LOCK_FILE).write_bytes(b"")
    unwritten_run_folder(tmp_path / "sweep/b")
    with pytest.warns(RuntimeWarning, match=r"skipped .*sweep/b: a `pidkit-distill train` made"):
        assert [run.name for run in load_runs(tmp_path / "sweep")] == ["a", "c"]
    assert asked == ["b"]
