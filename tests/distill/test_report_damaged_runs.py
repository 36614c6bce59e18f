"""A damaged run in a sweep's folder (`pidkit-distill report runs`): left out with a warning
and a paragraph of report.md naming it and why, where one cut line in one run's audit.jsonl, or
one deleted metrics.jsonl, stopped the report of every run (exit 2, nothing written); a run
named one by one is still refused. And the files the report reads around: a deleted
audit.jsonl, a damaged summary.json; and a folder that holds no run folders."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest
from test_report import fake_run, rows

from pidkit_distill import write_report
from pidkit_distill.cli import main
from pidkit_distill.report import load_run, load_runs, read_runs

MISSING_METRICS = ("{run!r}: the metrics.jsonl of this run folder is missing (it has its "
                   "config.json and checkpoint.pt; deleted or moved?), so its epochs' records "
                   "are not known; put metrics.jsonl back, or leave this run out (its "
                   "checkpoint still loads with load_student)")


def sweep_with_two_damaged(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A sweep's folder of four whole runs (a to d), one (cut) whose audit.jsonl has a line
    cut in the middle, and one (gone) whose metrics.jsonl was deleted."""
    runs = tmp_path / "runs"
    for name in ("a", "b", "c", "d"):
        fake_run(runs / name, epochs=2)
    cut = fake_run(runs / "cut", epochs=2)
    lines = (cut / "audit.jsonl").read_text().splitlines(keepends=True)
    lines[3] = lines[3][:20] + "\n"  # line 4 of 6, as a disk error or a copy cut short leaves it
    (cut / "audit.jsonl").write_text("".join(lines))
    gone = fake_run(runs / "gone", epochs=2)
    (gone / "checkpoint.pt").write_bytes(b"")  # only looked up
    (gone / "metrics.jsonl").unlink()
    return runs, cut, gone


def cut_reason(cut: Path) -> str:
    return (f"{cut / 'audit.jsonl'}: line 4 is not JSON (Expecting ':' delimiter, "
            "column 21); the file is damaged (only a cut-off last line, from a killed run, is "
            "skipped)")


def test_a_sweeps_folder_reports_its_whole_runs_and_names_the_damaged(tmp_path, capsys):
    runs, cut, gone = sweep_with_two_damaged(tmp_path)
    assert main(["report", str(runs)]) == 0  # was 2, with nothing written
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"pidkit-distill report: warning: left {cut} out of the report: {cut_reason(cut)}",
        f"pidkit-distill report: warning: left {gone} out of the report: "
        f"{MISSING_METRICS.format(run=str(gone))}",
        f"{runs}: 4 run folders; 2 damaged run folders left out"]
    assert [row.split(" | ")[0] for row in rows(out)] == ["| a", "| b", "| c", "| d"]
    text = (runs / "report/report.md").read_text()
    assert [row.split(" | ")[0] for row in rows(text)] == ["| a", "| b", "| c", "| d"]
    assert ("Left out, as damaged (the tables and figures show the other runs; restore the file "
            f"named, then report again): `{cut}` ({cut_reason(cut)}); `{gone}` "
            f"({MISSING_METRICS.format(run=str(gone))}).") in text.split("\n\n")


def test_a_damaged_run_named_beside_readable_ones_is_left_out_as_in_a_folder(tmp_path, capsys):
    # `report runs/*` exited 2 with the first damaged run's error and wrote no report, where
    # `report runs` left it out with a warning, though the help says a glob such as runs/* works
    runs, cut, gone = sweep_with_two_damaged(tmp_path)
    named = [str(path) for path in sorted(runs.iterdir())]
    assert main(["report", *named, "--out", str(tmp_path / "rep_all")]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"pidkit-distill report: warning: left {cut} out of the report: {cut_reason(cut)}",
        f"pidkit-distill report: warning: left {gone} out of the report: "
        f"{MISSING_METRICS.format(run=str(gone))}"]
    assert [row.split(" | ")[0] for row in rows(out)] == ["| a", "| b", "| c", "| d"]
    text = (tmp_path / "rep_all/report.md").read_text()
    assert [row.split(" | ")[0] for row in rows(text)] == ["| a", "| b", "| c", "| d"]
    assert f"`{cut}` ({cut_reason(cut)})" in text and f"`{gone}` (" in text
    assert main(["report", str(runs / "a"), str(cut)]) == 0  # two named: the same rule
    assert capsys.readouterr().err == (f"pidkit-distill report: warning: left {cut} out of the "
                                       f"report: {cut_reason(cut)}\n")
    with pytest.warns(RuntimeWarning, match="out of the report"):
        assert [run.name for run in load_runs([runs / "a", cut])] == ["a"]
    with pytest.raises(ValueError, match=re.escape(cut_reason(cut))):
        load_runs([runs / "a", cut], on_damaged="raise")


def test_a_damaged_run_given_alone_or_beside_damaged_ones_only_is_still_refused(tmp_path,
                                                                                capsys):
    runs, cut, gone = sweep_with_two_damaged(tmp_path)
    assert main(["report", str(cut)]) == 2
    assert capsys.readouterr().err == f"pidkit-distill report: error: {cut_reason(cut)}\n"
    assert main(["report", str(cut), str(gone)]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: no run of [{str(cut)!r}, {str(gone)!r}] can be read, so "
        f"there is nothing to report: {cut_reason(cut)}; "
        f"{MISSING_METRICS.format(run=str(gone))}; restore the files named (a damaged run is "
        "left out only beside runs that can be read)\n")
    assert not (cut / "report").exists() and not (runs / "report").exists()
    # a path that is no run folder beside runs (a typo) is refused, not left out
    assert main(["report", str(runs / "a"), str(runs / "e")]) == 2
    assert capsys.readouterr().err.startswith(
        f"pidkit-distill report: error: {str(runs / 'e')!r} does not exist; ")


def test_load_runs_skips_the_damaged_runs_of_a_folder_or_raises_when_asked(tmp_path):
    runs, cut, gone = sweep_with_two_damaged(tmp_path)
    with pytest.warns(RuntimeWarning) as caught:
        read, damaged = read_runs(runs)
    assert [run.name for run in read] == ["a", "b", "c", "d"]
    assert [(run.path, run.reason) for run in damaged] == [
        (cut, cut_reason(cut)), (gone, MISSING_METRICS.format(run=str(gone)))]
    assert [str(w.message) for w in caught] == [f"left {cut} out of the report: "
                                                f"{cut_reason(cut)}",
                                                f"left {gone} out of the report: "
                                                f"{MISSING_METRICS.format(run=str(gone))}"]
    with pytest.warns(RuntimeWarning):
        assert [run.name for run in load_runs(runs)] == ["a", "b", "c", "d"]
    with pytest.raises(ValueError) as info:
        load_runs(runs, on_damaged="raise")
    assert str(info.value) == cut_reason(cut)
    with pytest.raises(ValueError, match=r"^on_damaged='keep' is not one of 'skip', 'raise'; "):
        load_runs(runs, on_damaged="keep")
    with pytest.raises(ValueError, match=r"^on_damaged=None is not one of 'skip', 'raise'; "):
        write_report(runs, on_damaged=None)


def test_write_report_of_a_folder_names_the_damaged_runs_in_report_md(tmp_path):
    runs, cut, gone = sweep_with_two_damaged(tmp_path)
    with pytest.warns(RuntimeWarning, match="out of the report"):
        path = write_report(runs, out_dir=tmp_path / "rep")
    text = path.read_text()
    assert f"`{cut}` ({cut_reason(cut)})" in text and f"`{gone}` (" in text
    assert [row.split(" | ")[0] for row in rows(text)] == ["| a", "| b", "| c", "| d"]
    with pytest.raises(ValueError, match=re.escape(cut_reason(cut))):
        write_report(runs, out_dir=tmp_path / "rep2", on_damaged="raise")
    assert not (tmp_path / "rep2").exists()


def test_a_folder_of_damaged_runs_only_names_each(tmp_path, capsys):
    runs = tmp_path / "runs"
    for name in ("x", "y"):
        fake_run(runs / name, epochs=1)
        (runs / name / "metrics.jsonl").write_text('{"epoch": 1, "test_acc": 0.5}\n{"ep\n{}\n')
    reasons = [f"{runs / name / 'metrics.jsonl'}: line 2 is not JSON (Unterminated string "
               "starting at, column 2); the file is damaged (only a cut-off last line, from a "
               "killed run, is skipped)" for name in ("x", "y")]
    assert main(["report", str(runs)]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: no run of [{str(runs)!r}] can be read, so there is "
        f"nothing to report: {reasons[0]}; {reasons[1]}; restore the files named (a damaged run "
        "is left out only beside runs that can be read)\n")
    # one alone is told as given alone
    (runs / "y/config.json").unlink()
    (runs / "y/metrics.jsonl").unlink()
    assert main(["report", str(runs)]) == 2
    assert capsys.readouterr().err == f"pidkit-distill report: error: {reasons[0]}\n"


def test_a_deleted_audit_jsonl_is_said_missing_not_empty(tmp_path, capsys):
    # with run.audit_every=2 it read "(run.audit_every = 0, or audit.jsonl is empty)"
    run = fake_run(tmp_path / "run", epochs=2)
    config = json.loads((run / "config.json").read_text())
    config["run"]["audit_every"] = 2
    (run / "config.json").write_text(json.dumps(config))
    (run / "audit.jsonl").unlink()
    missing = (f"{run / 'audit.jsonl'} is missing (deleted or moved?), though its run audits "
               "(run.audit_every = 2): the run's atoms are not known; put audit.jsonl back, "
               "then report again")
    with pytest.warns(RuntimeWarning) as caught:
        load_run(run)
    assert [str(w.message) for w in caught] == [missing]
    assert main(["report", str(run)]) == 0
    assert capsys.readouterr().err == f"pidkit-distill report: warning: {missing}\n"
    text = (run / "report/report.md").read_text()
    assert ("No run has an audit record, so there is no PID figure: the audit.jsonl of run is "
            "missing (deleted or moved?), though run.audit_every is not 0.") in text
    assert "audit.jsonl is empty" not in text
    # an empty audit.jsonl, and run.audit_every = 0, are told as before, without a warning
    (run / "audit.jsonl").write_text("")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_run(run)
    assert main(["report", str(run)]) == 0
    assert ("No run has an audit record (run.audit_every = 0, or audit.jsonl is empty), so there "
            "is no PID figure.") in (run / "report/report.md").read_text()


@pytest.mark.parametrize(("text", "why"), [
    ('{"last_acc": 0.5,', "not JSON: Expecting property name enclosed in double quotes, line 1 "
                          "column 18"),
    ("[1, 2]", "a JSON list, not an object"),
])
def test_a_damaged_summary_json_is_named_in_a_warning(tmp_path, capsys, text, why):
    # it was ignored without a word, where a damaged config.json or metrics.jsonl is an error
    run = fake_run(tmp_path / "run", epochs=5)
    (run / "summary.json").write_text(text)
    said = (f"{run / 'summary.json'} is damaged ({why}), so the report reads the run without "
            "it: how its last train ended (stopped by run.stop_after, or the error it failed "
            "with) is not known; the run's next train writes it again as it ends")
    with pytest.warns(RuntimeWarning) as caught:
        load_run(run)
    assert [str(w.message) for w in caught] == [said]
    assert main(["report", str(run)]) == 0
    assert capsys.readouterr().err == f"pidkit-distill report: warning: {said}\n"
    (run / "summary.json").write_text('{"epochs_done": 5}')
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_run(run)


def test_an_empty_folder_is_told_it_holds_no_run_folders(tmp_path, capsys):
    # it was told only "'empty' is not a run folder (no config.json)", as a run missing a file
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty")]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: {str(tmp_path / 'empty')!r} is not a run folder (no "
        "config.json); nor does it hold run folders (a run folder holds the config.json and "
        "metrics.jsonl that `pidkit-distill train` writes, as runs/digits-kd-tt-s0 does): pass "
        "run folders, or the folder of a sweep that holds them\n")
    # a folder with a run's file of its own is a damaged run, told as before
    (tmp_path / "empty/metrics.jsonl").write_text("")
    assert main(["report", str(tmp_path / "empty")]) == 2
    assert capsys.readouterr().err.endswith("(no config.json); pass folders written by "
                                            "`pidkit-distill train`\n")
