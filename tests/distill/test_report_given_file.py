"""`report` given a file of its own report inside a run folder (`runs/x/report/report.md`,
where the report of that run alone goes): it names the run folder to pass instead."""

from __future__ import annotations

import warnings

import pytest
from test_report import fake_run

from pidkit_distill.cli import main
from pidkit_distill.run_folders.records import load_runs


def test_a_file_of_the_report_in_a_run_folder_names_the_run_folder(tmp_path, capsys):
    # it was only told to pass folders written by `pidkit-distill train`, as for a file anywhere
    run = fake_run(tmp_path / "run", epochs=1)
    assert main(["report", str(run)]) == 0
    assert (run / "report/report.md").is_file()
    capsys.readouterr()
    given = run / "report/report.md"
    folder = f"the run folder it is in, {str(run)!r}"
    assert main(["report", str(given)]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: {str(given)!r} is a file, not a run folder; pass "
        f"{folder}\n")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes/report.md").write_text("")  # a report.md of one's own, beside no run
    assert main(["report", str(tmp_path / "notes/report.md")]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: {str(tmp_path / 'notes/report.md')!r} is a file, not a "
        "run folder; pass run folders written by `pidkit-distill train`\n")


def test_a_file_of_a_run_folder_given_alone_is_one_line_naming_its_folder(tmp_path, capsys):
    # `report runs/x/metrics.jsonl` printed a warning ("skipped ...: a file, not a run folder;
    # pass ...") and then an error saying the same (t-400 finding 3)
    run = fake_run(tmp_path / "runs/x", epochs=1)
    assert main(["report", str(run / "metrics.jsonl")]) == 2
    assert capsys.readouterr() == ("", (
        f"pidkit-distill report: error: {str(run / 'metrics.jsonl')!r} is a file, not a run "
        f"folder; pass the run folder it is in, {str(run)!r}\n"))
    with pytest.raises(ValueError) as refused, warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning from Python either
        load_runs(run / "metrics.jsonl")
    assert str(refused.value) == (f"{str(run / 'metrics.jsonl')!r} is a file, not a run folder; "
                                  f"pass the run folder it is in, {str(run)!r}")


def test_files_of_run_folders_and_no_run_are_one_line_naming_each_folder(tmp_path, capsys):
    # each file was a warning, and the error named the first one's folder only
    run, other = fake_run(tmp_path / "x", epochs=1), fake_run(tmp_path / "y", epochs=1)
    given = [str(run / "config.json"), str(other / "metrics.jsonl")]
    assert main(["report", *given]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: no run folder among {given}; for {given[0]!r}, pass the "
        f"run folder it is in, {str(run)!r}; for {given[1]!r}, pass the run folder it is in, "
        f"{str(other)!r}\n")
