"""`report` given a file of its own report inside a run folder (`runs/x/report/report.md`,
where the report of that run alone goes): it names the run folder to pass instead."""

from __future__ import annotations

from test_report import fake_run

from pidkit_distill.cli import main


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
        f"pidkit-distill report: warning: skipped {given}: a file, not a run folder; pass "
        f"{folder}\npidkit-distill report: error: no run folder among ['{given}']; for "
        f"{str(given)!r}, pass {folder}\n")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes/report.md").write_text("")  # a report.md of one's own, beside no run
    assert main(["report", str(tmp_path / "notes/report.md")]) == 2
    assert capsys.readouterr().err.endswith("; pass folders written by `pidkit-distill train`\n")
