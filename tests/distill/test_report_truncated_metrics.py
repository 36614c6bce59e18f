"""A run whose last metrics.jsonl line is cut off though its summary.json says its train ended
after that epoch (walk t-433, L4): summary.json is written only once that line is written whole,
so the line was cut later (a copy cut short, a crash before it reached the disk). Such a run was
reported "Stopped ... it was killed or failed", with a warning that "the run was killed while
writing it", contradicting its summary.json; a run killed while writing the line still is."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from test_report import rows
from tiny_runs import tiny

from pidkit_distill.cli import main
from pidkit_distill.run_folders.files import FAILED
from pidkit_distill.training import train

CUT_LATER = ("its summary.json records that it ended after that epoch, which train writes only "
             "once the epoch's line of metrics.jsonl is written whole; that line, the file's "
             "last, was cut later (a copy cut short, or the machine stopped before the line "
             "reached the disk), not by a kill.")
KILLED = ("No process holds the run folder's .lock and its train did not end: it was killed or "
          "failed (if it failed, the last lines its command printed say why; a killed process "
          "prints nothing); to continue it from its checkpoint.pt, rerun the same command with "
          "--resume (run.resume=true).")


def trained_and_cut(tmp_path: Path, name: str, *settings: str) -> tuple[Path, str]:
    """Train the tiny run ``name`` of 5 epochs with ``settings``, cut the last line of its
    metrics.jsonl in the middle, and return its folder and the whole file as train wrote it."""
    train(tiny(tmp_path, "run.epochs=5", f"run.name={name}", *settings))
    metrics = tmp_path / name / "metrics.jsonl"
    whole = metrics.read_text()
    metrics.write_text(whole[:-40])
    return tmp_path / name, whole


def reported(run: Path, capsys: pytest.CaptureFixture) -> tuple[str, str, dict[str, str]]:
    """Report ``run`` alone: the warnings on stderr, report.md, and its row of runs.csv."""
    out = run.parent / f"report-{run.name}"
    assert main(["report", str(run), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    with (out / "runs.csv").open(newline="") as handle:
        (row,) = csv.DictReader(handle)
    return err, (out / "report.md").read_text(), row


def state_paragraphs(report: str) -> list[str]:
    """The paragraphs of report.md that name the runs short of their epochs by state."""
    return [paragraph for paragraph in report.split("\n\n")
            if paragraph.startswith(("Finished, ", "Stopped", "Failed"))]


def cut_later_warning(run: Path, ended: int) -> str:
    return (f"pidkit-distill report: warning: {run / 'metrics.jsonl'}: skipped line {ended}, "
            "the last, which is cut off, though the run's summary.json records that its train "
            f"ended after epoch {ended}, which train writes only once that epoch's line is "
            "written whole: the line was cut later (a copy cut short, or the machine stopped "
            f"before the line reached the disk), not by a kill, so the run shows epoch "
            f"{ended - 1} as its last; its summary.json keeps epoch {ended}'s held-out "
            "accuracy (last_acc)\n")


def test_a_finished_run_whose_last_line_was_cut_is_finished_and_resume_writes_it_again(
        tmp_path, capsys):
    run, whole = trained_and_cut(tmp_path, "done")
    summary = json.loads((run / "summary.json").read_text())
    err, report, row = reported(run, capsys)
    assert err == cut_later_warning(run, 5)
    assert state_paragraphs(report) == [
        "Finished, its last metrics line cut: done (after epoch 5 of 5; its row and lines show "
        f"epoch 4). Its train finished: {CUT_LATER} Rerun the same command with --resume "
        "(run.resume=true): it writes metrics.jsonl again from its checkpoint.pt and trains "
        "nothing."]
    (table_row,) = rows(report)
    assert " | 4/5 | " in table_row
    epoch_4 = json.loads(whole.splitlines()[3])
    assert (row["state"], int(row["epochs_reached"]), float(row["last_acc"])) == (
        "finished, its last metrics line cut", 4, epoch_4["test_acc"])
    # what summary.json keeps, as the warning says: the cut line's accuracy
    assert summary["last_acc"] == json.loads(whole.splitlines()[4])["test_acc"]
    # what the paragraph says: --resume writes the file again as train wrote it, training nothing
    assert train(tiny(tmp_path, "run.epochs=5", "run.name=done", "run.resume=true")).epochs_done == 5
    assert (run / "metrics.jsonl").read_text() == whole
    err, report, row = reported(run, capsys)
    assert (err, state_paragraphs(report), row["state"]) == ("", [], "")


def test_a_run_stopped_by_run_stop_after_whose_last_line_was_cut_is_not_called_killed(
        tmp_path, capsys):
    run, whole = trained_and_cut(tmp_path, "part", "run.stop_after=2")
    err, report, _ = reported(run, capsys)
    assert err == cut_later_warning(run, 2)
    assert state_paragraphs(report) == [
        "Stopped by run.stop_after, its last metrics line cut: part (after epoch 2 of 5; its "
        "row and lines show epoch 1). A `pidkit-distill train` with run.stop_after trained the "
        f"epochs it asked for and ended: {CUT_LATER} Rerun the same command with --resume "
        "(run.resume=true): it writes metrics.jsonl again from its checkpoint.pt and trains as "
        "many more epochs (with --run.stop_after 0 too, to run.epochs)."]
    resumed = train(tiny(tmp_path, "run.epochs=5", "run.name=part", "run.stop_after=2",
                         "run.resume=true"))
    assert [record["epoch"] for record in resumed.history] == [1, 2, 3, 4]
    assert (run / "metrics.jsonl").read_text().startswith(whole)


def test_without_its_checkpoint_the_run_is_told_where_resume_writes_the_line_again(tmp_path,
                                                                                  capsys):
    run, _ = trained_and_cut(tmp_path, "copied")
    (run / "checkpoint.pt").unlink()  # a copy cut short, without the checkpoint
    _, report, _ = reported(run, capsys)
    assert state_paragraphs(report) == [
        "Finished, its last metrics line cut: copied (after epoch 5 of 5; its row and lines "
        f"show epoch 4). Its train finished: {CUT_LATER} Its checkpoint.pt, from which the "
        "same command with --resume (run.resume=true) writes metrics.jsonl again, is not in the "
        "run folder (deleted, or not copied with it): rerun it where checkpoint.pt is (here, "
        "--resume trains the run again from epoch 1); its summary.json keeps that epoch's "
        "held-out accuracy (last_acc)."]


@pytest.mark.parametrize("summary", ["none", "earlier", "failed"])
def test_a_run_killed_while_writing_its_last_line_is_still_told_it_was_killed(tmp_path, capsys,
                                                                             summary):
    # none: a train killed writes no summary.json; earlier: the one of an earlier train, which
    # ended after epoch 3 (run.stop_after), where this one was killed writing epoch 5's line;
    # failed: its train failed, as summary.json records, after it wrote the line
    run, _ = trained_and_cut(tmp_path, "killed")
    file = run / "summary.json"
    if summary == "none":
        file.unlink()
    elif summary == "earlier":
        file.write_text(json.dumps({**json.loads(file.read_text()), "epochs_done": 3}))
    else:
        file.write_text(json.dumps({**json.loads(file.read_text()), FAILED: {
            "message": "cannot write 'summary.json': No space left on device", "hint": ""}}))
    err, report, row = reported(run, capsys)
    assert err == (f"pidkit-distill report: warning: {run / 'metrics.jsonl'}: skipped line 5, "
                   "the last, which is cut off (the run was killed while writing it)\n")
    if summary == "failed":
        assert row["state"] == "failed"
    else:
        assert state_paragraphs(report) == [f"Stopped: killed (after epoch 4 of 5). {KILLED}"]
