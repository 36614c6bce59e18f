"""`pidkit-distill report` and load_runs given the folder of a sweep (`report runs`, as
`tensorboard --logdir runs`): the run folders directly in it, the teacher cache among them, the
count on stderr, a tilde, and a folder whose runs are deeper down or mistyped."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pytest
from test_report import fake_run, rows

from pidkit_distill import write_report
from pidkit_distill.cli import main
from pidkit_distill.report import load_runs


def teacher_run(path: Path) -> Path:
    """A teacher's run folder (method teacher) as the teacher cache under ``runs/`` holds it,
    of one epoch (:func:`fake_run`)."""
    run = fake_run(path, epochs=1)
    config = json.loads((run / "config.json").read_text())
    config["method"]["name"] = "teacher"
    (run / "config.json").write_text(json.dumps(config))
    return run


def test_a_sweep_folder_stands_for_the_run_folders_in_it(tmp_path, capsys):
    # `report runs` (the folder of a sweep, as `tensorboard --logdir runs`) was exit 2, "'runs'
    # is not a run folder (no config.json); it holds 4 run folder(s) (a, b, c, ...): pass them
    # (in a shell, runs/*)"
    runs = tmp_path / "runs"
    for name in ("d", "b", "a", "c"):
        fake_run(runs / name, epochs=1)
    (runs / "notes").mkdir()  # no run: not one of them, and nothing to warn of
    (runs / "log.txt").write_text("")
    assert main(["report", str(runs)]) == 0
    out, err = capsys.readouterr()
    # the count on stderr: `report runs > table.md` keeps the table alone (it was on stdout)
    assert err == f"{runs}: 4 run folders\n"
    assert out.startswith("| run ")
    assert [r.split(" | ")[0] for r in rows(out)] == ["| a", "| b", "| c", "| d"]
    assert rows((runs / "report/report.md").read_text()) == rows(out)
    # again, with the report it wrote in runs/report: the same four runs
    assert main(["report", str(runs)]) == 0
    assert [r.split(" | ")[0] for r in rows(capsys.readouterr().out)] == ["| a", "| b", "| c",
                                                                         "| d"]
    # a report written into the sweep's folder itself (--out runs) leaves it the runs' folder:
    # it was skipped as a report folder, exit 2 "no run folder among [...]"
    assert main(["report", str(runs), "--out", str(runs)]) == 0
    capsys.readouterr()
    assert main(["report", str(runs)]) == 0
    out, err = capsys.readouterr()
    assert err == f"{runs}: 4 run folders\n"
    assert [r.split(" | ")[0] for r in rows(out)] == ["| a", "| b", "| c", "| d"]
    # a damaged run in it is left out with a warning, where it stopped the report of all four
    # (exit 2; test_report_damaged_runs)
    (runs / "c/metrics.jsonl").write_text("{}\n")
    assert main(["report", str(runs)]) == 0
    out, err = capsys.readouterr()
    assert err == (f"pidkit-distill report: warning: left {runs / 'c'} out of the report: "
                   f"{runs / 'c/metrics.jsonl'}: line 1 has no 'epoch'; it is not a record "
                   "written by `pidkit-distill train`\n"
                   f"{runs}: 3 run folders; 1 damaged run folder left out\n")
    assert [r.split(" | ")[0] for r in rows(out)] == ["| a", "| b", "| d"]


def test_load_runs_reads_a_sweep_folder_and_skips_its_teacher_as_runs_star_does(tmp_path,
                                                                                  capsys):
    # the teacher cache under runs/ is a run folder: it is read, and skipped beside the
    # students by the rule for runs/* (method teacher, not its name); without a warning, as
    # train() itself caches its teacher there (every load_runs(out_dir) of a notebook that
    # trained with teacher.source='trained' warned), where a teacher named beside students
    # one by one is skipped with one (test_report_seeds)
    runs = tmp_path / "runs"
    for name in ("s1", "s0"):
        fake_run(runs / name, epochs=1)
    teacher = teacher_run(runs / "teacher-digits-x")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read = load_runs(runs)
        assert [run.name for run in load_runs(os.fsencode(runs))] == ["s0", "s1"]
    assert [run.name for run in read] == ["s0", "s1"]
    assert capsys.readouterr() == ("", "")  # a library prints nothing (it printed the count)
    with pytest.warns(RuntimeWarning, match=r"^skipped the teacher's run folder .*"
                                            r"teacher-digits-x \(method teacher\)"):
        assert [run.name for run in load_runs([runs / "s0", teacher])] == ["s0"]
    assert [run.name for run in load_runs(str(teacher))] == ["teacher-digits-x"]
    # the command's count is of the table's runs: it said "3 run folders" above a table of two;
    # and of the teacher's, apart: "2 run folders and 1 teacher's run folder, skipped" read as
    # all three skipped
    assert main(["report", str(runs)]) == 0
    out, err = capsys.readouterr()
    assert err == f"{runs}: 2 run folders; 1 teacher's run folder skipped\n"  # and no warning
    assert [r.split(" | ")[0] for r in rows(out)] == ["| s0", "| s1"]


def test_the_count_of_a_sweep_folder_counts_a_run_linked_twice_in_it_once(tmp_path, capsys):
    # runs/latest -> s1 (a link to the newest run) was counted beside s1: "3 run folders" above
    # a table of two, and a link to the teacher cache made "2 teacher's run folders"
    runs = tmp_path / "runs"
    for name in ("s0", "s1"):
        fake_run(runs / name, epochs=1)
    teacher = teacher_run(runs / "teacher-digits-x")
    (runs / "latest").symlink_to(runs / "s1")
    (runs / "teacher-latest").symlink_to(teacher)
    assert main(["report", str(runs)]) == 0
    out, err = capsys.readouterr()
    assert f"warning: skipped {runs / 's1'}: given twice\n" in err
    assert err.endswith(f"\n{runs}: 2 run folders; 1 teacher's run folder skipped\n")
    assert len(rows(out)) == 2


def test_a_tilde_is_the_home_folder_in_the_runs_and_the_out_folder(tmp_path, monkeypatch,
                                                                   capsys):
    # as run.out_dir, the demo's out_dir and load_student: load_runs("~/runs") was "'~/runs'
    # does not exist", and out_dir="~/rep" (or --out=~/rep, which no shell expands) made a
    # folder named '~' in the current folder
    monkeypatch.setenv("HOME", str(tmp_path))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    fake_run(tmp_path / "runs/a", epochs=1)
    fake_run(tmp_path / "runs/b", epochs=1)
    assert [run.name for run in load_runs("~/runs")] == ["a", "b"]
    assert write_report("~/runs/a", out_dir="~/rep") == tmp_path / "rep/report.md"
    assert main(["report", "~/runs", "--out=~/rep2"]) == 0
    assert capsys.readouterr().err == "~/runs: 2 run folders\n"
    assert (tmp_path / "rep2/report.md").is_file()
    assert not (work / "~").exists()


def test_a_folder_without_run_folders_in_it_or_mistyped_is_still_refused(tmp_path, capsys):
    # run folders deeper down are not read (not recursive); a typo is told the closest folder
    fake_run(tmp_path / "runs/sweep1/rid-s0", epochs=1)
    runs = tmp_path / "runs"
    assert main(["report", str(runs)]) == 2
    # the demo's layout, runs/demo/RUN: the folder holding the runs is named (it was "pass
    # folders written by `pidkit-distill train`", which runs/sweep1/rid-s0 is)
    assert capsys.readouterr() == ("", (
        f"pidkit-distill report: error: '{runs}' is not a run folder (no config.json); its "
        f"run folders are one level deeper, in '{runs / 'sweep1'}': pass it\n"))
    fake_run(tmp_path / "runs/sweep2/rid-s0", epochs=1)
    with pytest.raises(ValueError, match=r"one level deeper, in '.*sweep1', '.*sweep2': pass one$"):
        load_runs(runs)
    (tmp_path / "empty/sub/sub").mkdir(parents=True)  # no run anywhere in it: said so
    assert main(["report", str(tmp_path / "empty")]) == 2
    assert capsys.readouterr().err.endswith("(no config.json); nor does it hold run folders (a "
                                            "run folder holds the config.json and metrics.jsonl "
                                            "that `pidkit-distill train` writes, as "
                                            "runs/digits-kd-tt-s0 does): pass run folders, or "
                                            "the folder of a sweep that holds them\n")
    assert main(["report", str(tmp_path / "runs/swep1")]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: '{runs / 'swep1'}' does not exist; pass run folders "
        f"written by `pidkit-distill train`. Did you mean '{runs / 'sweep1'}'?\n")
    assert main(["report", str(runs / "sweep1/rid-s1")]) == 2
    assert capsys.readouterr().err.endswith(f". Did you mean '{runs / 'sweep1/rid-s0'}'?\n")
