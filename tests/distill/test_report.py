"""pidkit-distill report and write_report on the folders a user really has: globs, killed runs,
runs of the same name, reruns; and what its figures show (colours, line styles, one epoch). The
folder of a sweep (`report runs`) is tests/distill/test_report_sweep_folders.py's."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from tiny_runs import run_with_reader_gone, tiny

from pidkit_distill import write_report
from pidkit_distill.cli import main
from pidkit_distill.config import config_to_dict
from pidkit_distill.report import load_run, summary_table
from pidkit_distill.training.rundir import run_folder_lock

ATOMS = ("red", "uni_t", "uni_s", "syn", "i_yt", "i_ys")


def fake_run(path: Path, *, epochs: int, audited: bool = True, teacher: str = "untrained",
             planned: int = 5) -> Path:
    """A run folder as `pidkit-distill train` writes it: ``epochs`` of ``planned`` epochs done,
    with an audit of layers 0 and 1 at each epoch (and before the first) when ``audited``."""
    path.mkdir(parents=True)
    config = config_to_dict(tiny(path.parent, f"run.epochs={planned}",
                                 f"teacher.source={teacher}"))
    (path / "config.json").write_text(json.dumps(config))
    metrics = [{"epoch": e, "test_acc": 0.5 + e / 100, "teacher_acc": 0.9}
               for e in range(1, epochs + 1)]
    (path / "metrics.jsonl").write_text("".join(json.dumps(m) + "\n" for m in metrics))
    audit = [{"epoch": e, "layer": k, "n_samples": 64, **dict.fromkeys(ATOMS, 0.1 * (k + 1)),
              "plugin": dict.fromkeys(ATOMS, 0.2), "intervals": {key: [0.0, 0.3] for key in ATOMS},
              "measure": "broja", "status": "optimal",
              "bias_correction": {"method": "eb-extrapolation", "negative": []}}
             for e in range(epochs + 1) for k in (0, 1)] if audited else []
    (path / "audit.jsonl").write_text("".join(json.dumps(r) + "\n" for r in audit))
    return path


def rows(text: str) -> list[str]:
    """The table rows (not the header) of a printed or written summary table."""
    return [line for line in text.splitlines() if line.startswith("| ") and "| data |" not in line]


@pytest.fixture()
def figures(monkeypatch):
    """The matplotlib figures a report saves, by title, as they were when saved."""
    saved: dict[str, Figure] = {}
    savefig = Figure.savefig

    def keep(fig: Figure, *args, **kwargs):
        saved[fig.get_suptitle() or fig.axes[0].get_title()] = fig
        return savefig(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    return saved


def test_a_glob_over_runs_skips_the_report_written_next_to_them(tmp_path, capsys):
    # `report runs/a runs/b` writes runs/report; `report runs/*` then used to stop on it
    # ("'runs/report' is not a run folder (no config.json)", exit 2)
    # (and, as the demo's folder does, a file: results.jsonl, which stopped it too)
    for name in ("a", "b"):
        fake_run(tmp_path / "runs" / name, epochs=2)
    (tmp_path / "runs/results.jsonl").write_text("{}\n")
    assert main(["report", str(tmp_path / "runs/a"), str(tmp_path / "runs/b")]) == 0
    assert (tmp_path / "runs/report/report.md").is_file()
    capsys.readouterr()
    assert main(["report", *sorted(map(str, (tmp_path / "runs").iterdir()))]) == 0
    out, err = capsys.readouterr()
    assert err == (f"pidkit-distill report: warning: skipped {tmp_path / 'runs/report'}: a "
                   "folder written by `pidkit-distill report`, not a run\n"
                   f"pidkit-distill report: warning: skipped {tmp_path / 'runs/results.jsonl'}: "
                   "a file, not a run folder\n")
    assert [r.split(" | ")[0] for r in rows(out)] == ["| a", "| b"]


def test_a_missing_folder_and_a_file_are_named_as_such(tmp_path, capsys):
    # both used to be "'...' is not a run folder (no config.json)"
    run = fake_run(tmp_path / "run", epochs=1)
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert capsys.readouterr().err == (f"pidkit-distill report: error: '{tmp_path / 'nope'}' "
                                       "does not exist; pass run folders written by "
                                       "`pidkit-distill train`\n")
    (tmp_path / "notes.txt").write_text("")
    assert main(["report", str(tmp_path / "notes.txt")]) == 2
    assert capsys.readouterr().err == (  # one line: a warning said the same before it
        f"pidkit-distill report: error: {str(tmp_path / 'notes.txt')!r} is a file, not a run "
        "folder; pass run folders written by `pidkit-distill train`\n")
    # a file of a run folder (what a shell completes `runs/x/` to) was told only to pass folders
    # written by `pidkit-distill train`, which it is in
    folder = f"the run folder it is in, {str(run)!r}"
    assert main(["report", str(run / "config.json")]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: {str(run / 'config.json')!r} is a file, not a run "
        f"folder; pass {folder}\n")
    other = fake_run(tmp_path / "other", epochs=1)
    assert main(["report", str(run / "metrics.jsonl"), str(other),
                 "--out", str(tmp_path / "rep")]) == 0
    assert capsys.readouterr().err == (f"pidkit-distill report: warning: skipped "
                                       f"{run / 'metrics.jsonl'}: a file, not a run folder; "
                                       f"pass {folder}\n")
    with pytest.raises(ValueError, match=re.escape(f"is a file, not a run folder; pass {folder}")):
        load_run(run / "audit.jsonl")
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty")]) == 2
    assert "'empty' is not a run folder (no config.json)" in capsys.readouterr().err.replace(
        str(tmp_path) + "/", "")


def test_runs_of_the_same_name_are_told_apart_and_a_run_given_twice_counts_once(
        tmp_path, capsys, figures):
    # two folders named x in the table and the legends could not be told apart; a folder
    # given twice was drawn twice
    a, b = fake_run(tmp_path / "a/x", epochs=2, planned=2), fake_run(tmp_path / "b/x", epochs=3,
                                                                   planned=3)
    assert main(["report", str(a), str(b), str(a), "--out", str(tmp_path / "rep")]) == 0
    out, err = capsys.readouterr()
    assert err == f"pidkit-distill report: warning: skipped {a}: given twice\n"
    assert [r.split(" | ")[0] for r in rows(out)] == ["| a/x", "| b/x"]
    assert rows((tmp_path / "rep/report.md").read_text()) == rows(out)
    accuracy = figures["Student accuracy on the held-out set\n(dashed: untrained teacher)"]
    # the fake runs' accuracies are the same at each epoch: b/x's line goes on beyond a/x's
    assert accuracy.axes[0].get_legend_handles_labels()[1] == ["a/x (same as b/x at epochs 1-2)",
                                                               "b/x"]


def test_a_run_killed_before_its_first_epoch_ended(tmp_path, capsys, figures):
    # a zero-byte metrics.jsonl gave a row "| 0/5 | ... | () |" and, alone, an empty accuracy
    # plot whose y axis ran from -0.04 to 0.04, with exit 0 and nothing said
    done = fake_run(tmp_path / "done", epochs=2, planned=2)
    killed = fake_run(tmp_path / "killed", epochs=0)
    (killed / "audit.jsonl").write_text("")
    assert main(["report", str(done), str(killed), "--out", str(tmp_path / "rep")]) == 0
    out, err = capsys.readouterr()
    assert err == (f"pidkit-distill report: warning: {killed}: no completed epoch (metrics.jsonl "
                   "is empty); the run has a row in the table but no line in the figures\n")
    assert rows(out)[1] == "| killed | synthetic | bas | untrained | 0/5 |" + "  |" * 11
    accuracy = next(fig for title, fig in figures.items() if title.startswith("Student"))
    assert accuracy.axes[0].get_legend_handles_labels()[1] == ["done"]
    assert main(["report", str(killed)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == ("pidkit-distill report: error: no run has completed an epoch "
                                 "(each metrics.jsonl is empty), and none is training now (no "
                                 "process holds its run folder's .lock): each stopped in its "
                                 "first epoch, before anything was saved; rerun its command\n")
    assert not (killed / "report").exists()
    with run_folder_lock(killed):  # its train in its first epoch now (it said to wait, killed)
        assert main(["report", str(killed)]) == 2
    assert capsys.readouterr().err == ("pidkit-distill report: error: no run has completed an "
                                       "epoch (each metrics.jsonl is empty), so there is nothing "
                                       "to report yet; wait for an epoch to end\n")


def test_a_rerun_into_the_same_folder_leaves_no_figure_of_the_first(tmp_path):
    # pid_atoms*.png of the first report stayed beside a report.md that no longer showed them
    out = tmp_path / "rep"
    write_report([fake_run(tmp_path / "audited", epochs=1)], out_dir=out)
    assert sorted(p.name for p in out.iterdir()) == [
        ".report.lock", "accuracy.png", "groups.csv", "pid_atoms.png", "pid_atoms_all_layers.png",
        "report.md", "runs.csv"]
    path = write_report([fake_run(tmp_path / "plain", epochs=1, audited=False)], out_dir=out)
    assert path == out / "report.md"
    assert sorted(p.name for p in out.iterdir()) == [".report.lock", "accuracy.png", "groups.csv",
                                                     "report.md", "runs.csv"]
    text = path.read_text()
    assert "pid_atoms" not in text
    assert ("No run has an audit record (run.audit_every = 0, or audit.jsonl is empty), so there "
            "is no PID figure.") in text


def test_write_report_takes_one_run_folder_as_it_is(tmp_path):
    # write_report("runs/x") iterated over the string's characters: "'r' is not a run folder"
    run = fake_run(tmp_path / "x", epochs=1)
    assert write_report(str(run)) == run / "report" / "report.md"
    assert rows((run / "report/report.md").read_text())[0].startswith("| x | synthetic | bas |")


def audit_lines(*changes: dict) -> str:
    """``audit.jsonl`` of one line per change: an audit record of layer 1 at epoch 0 with the
    values of the change."""
    return "".join(json.dumps({"epoch": 0, "layer": 1, **dict.fromkeys(ATOMS, 0.1), **change})
                   + "\n" for change in changes)


@pytest.mark.parametrize(("name", "text", "line"), [
    ("config.json", "{}\n", "config.json has no 'data.name'; it is not the configuration of a "
                            "`pidkit-distill train` run"),
    ("config.json", "[1]\n", "config.json has no 'data.name'; it is not the configuration of a "
                             "`pidkit-distill train` run"),
    ("metrics.jsonl", '{"epoch": 1, "loss": 0.5}\n',
     "metrics.jsonl: line 1 has no 'test_acc'; it is not a record written by "
     "`pidkit-distill train`"),
    ("audit.jsonl", '{"epoch": 0, "layer": 1, "red": 1.0}\n',
     "audit.jsonl: line 1 has no 'uni_t'; it is not a record written by `pidkit-distill train`"),
    ("audit.jsonl", audit_lines({"epoch": 0}, {"epoch": None}),
     "audit.jsonl: line 2 has 'epoch': null, where `pidkit-distill train` writes a whole number; "
     "the line was edited or is damaged: write the value back as train wrote it, or delete the line"),
    ("audit.jsonl", audit_lines({"layer": "1"}),
     "audit.jsonl: line 1 has 'layer': \"1\", where `pidkit-distill train` writes a whole number; "
     "the line was edited or is damaged: write the value back as train wrote it, or delete the line"),
    ("audit.jsonl", audit_lines({"red": "x", "syn": None}),
     "audit.jsonl: line 1 has 'red': \"x\", where `pidkit-distill train` writes a number (or "
     "null); the line was edited or is damaged: write the value back as train wrote it, or "
     "delete the line"),
    ("metrics.jsonl", '{"epoch": null, "test_acc": 0.5}\n',
     "metrics.jsonl: line 1 has 'epoch': null, where `pidkit-distill train` writes a whole "
     "number; the line was edited or is damaged: write the value back as train wrote it, or "
     "delete the line"),
    ("metrics.jsonl", '{"epoch": 1, "test_acc": 0.5, "teacher_acc": "x"}\n',
     "metrics.jsonl: line 1 has 'teacher_acc': \"x\", where `pidkit-distill train` writes a "
     "number (or null); the line was edited or is damaged: write the value back as train wrote "
     "it, or delete the line"),
    # a held-out size of 0 (or below) was numpy's 'divide by zero encountered in divide'
    ("metrics.jsonl", '{"epoch": 1, "test_acc": 0.5, "test_n": 0}\n',
     "metrics.jsonl: line 1 has 'test_n': 0, where `pidkit-distill train` writes a whole number "
     "above 0 (or null); the line was edited or is damaged: write the value back as train wrote "
     "it, or delete the line"),
    ("audit.jsonl", audit_lines({"intervals": "x"}),
     "audit.jsonl: line 1 has 'intervals': \"x\", where `pidkit-distill train` writes an object "
     "(or null); the line was edited or is damaged: write the value back as train wrote it, or "
     "delete the line"),
    ("audit.jsonl", audit_lines({"bias_correction": None}),
     "audit.jsonl: line 1 has 'bias_correction': null, where `pidkit-distill train` writes an "
     "object; the line was edited or is damaged: write the value back as train wrote it, or "
     "delete the line"),
    ("audit.jsonl", audit_lines({"intervals": None}, {"bias_correction": {"negative": 3}}),
     "audit.jsonl: line 2 has 'bias_correction.negative': 3, where `pidkit-distill train` writes "
     "a list of names; the line was edited or is damaged: write the value back as train wrote "
     "it, or delete the line"),
    # values the report only shows, edited out of the range train writes: the table said
    # "150% centred bootstrap interval", "few distinct rows: student 3 (< 0 clusters)", n -3
    ("audit.jsonl", audit_lines({"settings": {"confidence": 1.5}}),
     "audit.jsonl: line 1 has 'settings.confidence': 1.5, where `pidkit-distill train` writes a "
     "number between 0 and 1, both excluded (or null); the line was edited or is damaged: write "
     "the value back as train wrote it, or delete the line"),
    ("audit.jsonl", audit_lines({"settings": {"confidence": 0}}),
     "audit.jsonl: line 1 has 'settings.confidence': 0, where `pidkit-distill train` writes a "
     "number between 0 and 1, both excluded (or null); the line was edited or is damaged: write "
     "the value back as train wrote it, or delete the line"),
    ("audit.jsonl", audit_lines({"settings": {"clusters_used": 0}}),
     "audit.jsonl: line 1 has 'settings.clusters_used': 0, where `pidkit-distill train` writes a "
     "whole number of at least 2 (or null); the line was edited or is damaged: write the value "
     "back as train wrote it, or delete the line"),
    ("audit.jsonl", audit_lines({"settings": {"discretisation": {"s": {"distinct_rows": 0}}}}),
     "audit.jsonl: line 1 has 'settings.discretisation.s.distinct_rows': 0, where "
     "`pidkit-distill train` writes a whole number above 0 (or null); the line was edited or is "
     "damaged: write the value back as train wrote it, or delete the line"),
    # names the audit's flags read (pidkit.estimate.below_zero_verdicts): "centered" read no
    # interval and "Wedge" kept Syn >= 0 (an "overshoot"), each silently, until that function
    # refused them, in a line that named no file
    ("audit.jsonl", audit_lines({"settings": {"ci_method": "centered"}}),
     "audit.jsonl: line 1 has 'settings.ci_method': \"centered\", where `pidkit-distill train` "
     "writes one of \"centred\", \"basic\", \"percentile\" (or null); the line was edited or is "
     "damaged: write the value back as train wrote it, or delete the line"),
    ("audit.jsonl", audit_lines({"measure": "Wedge"}),
     "audit.jsonl: line 1 has 'measure': \"Wedge\", where `pidkit-distill train` writes the name "
     "of a PID measure, e.g. \"broja\"; the line was edited or is damaged: write the value back "
     "as train wrote it, or delete the line"),
    ("audit.jsonl", audit_lines({"n_samples": -3}),
     "audit.jsonl: line 1 has 'n_samples': -3, where `pidkit-distill train` writes a whole "
     "number above 0 (or null); the line was edited or is damaged: write the value back as train "
     "wrote it, or delete the line"),
])
def test_files_that_are_json_but_not_a_runs_are_one_line(tmp_path, capsys, name, text, line):
    # a config.json or a record of another shape ended in a KeyError or TypeError traceback
    # (or, for a list, "list indices must be integers or slices, not str"); an epoch of null
    # (a hand-edited line) in "'<=' not supported between instances of 'NoneType' and 'int'",
    # which named no file, and a metrics epoch of null in numpy's "ufunc 'isfinite' not supported".
    # A key a record may lack, edited: a teacher_acc of "x" was "Unknown format code 'f' for
    # object of type 'str'", intervals of "x" "string indices must be integers", a
    # bias_correction's negative of 3 "argument of type 'int' is not iterable" (naming no file),
    # and a bias_correction of null an AttributeError traceback
    run = fake_run(tmp_path / "run", epochs=1)
    (run / name).write_text(text)
    assert main(["report", str(run)]) == 2
    assert capsys.readouterr() == ("", f"pidkit-distill report: error: {run / line}\n")


def test_a_reader_that_goes_away_is_told_the_report_was_written(tmp_path):
    # `pidkit-distill report ... | head` said a run keeps its checkpoint.pt and to rerun with
    # --resume, which is about training: the report's files were all written already
    run = fake_run(tmp_path / "run", epochs=2)
    status, err = run_with_reader_gone("report", str(run))
    assert status == 141, err
    assert err == ("pidkit-distill report: stopped: the reader of its output went away (as "
                   "`| head` does); the report was written in full before its table was printed; "
                   "send the output to a file or through `tee` to keep it running\n")
    assert sorted(p.name for p in (run / "report").iterdir()) == [
        ".report.lock", "accuracy.png", "groups.csv", "pid_atoms.png", "pid_atoms_all_layers.png",
        "report.md", "runs.csv"]


def test_a_reader_of_output_and_errors_that_goes_away_is_status_141(tmp_path):
    # `pidkit-distill report runs 2>&1 | head` ended with status 1, as a report not written
    run = fake_run(tmp_path / "run", epochs=2)
    assert run_with_reader_gone("report", str(run), errors_too=True) == (141, "")
    assert (run / "report" / "report.md").is_file()


def test_the_help_says_what_report_writes(capsys):
    # it said only "RUN_DIR  run folders": nothing of the files it writes or of globs
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert exit_.value.code == 0
    assert ("Draw accuracy.png, losses.png (the training loss and each of its terms), "
            "pid_atoms.png (and pid_atoms_all_layers.png when more than one "
            "layer was audited) and write report.md (the summary table, which is also printed, "
            "and, where runs differ only in their seed, a table of mean ± sd across the seeds)"
            ) in text
    assert ("the teacher's own run folders, the runs a method starts from (TED's RUN.bas-init, no "
            "seed of your bas runs) and folders given twice are skipped") in text
    assert ("A sweep's folder (runs) stands for the run folders directly in it, and a glob such "
            "as runs/* works") in text
    assert "RUN_DIR run folders (each with config.json and metrics.jsonl), or folders holding them" in text
    assert ("(default: report/ in the one folder given, a run's or a sweep's, else beside the "
            "first run)") in text


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_an_out_folder_that_cannot_be_written_is_one_line(tmp_path, capsys):
    # a folder that exists but takes no new file (read-only, or /proc here, where even root is
    # refused) gave Python's "[Errno 2] No such file or directory: '.../accuracy.png.tmp'"
    run = fake_run(tmp_path / "run", epochs=1)
    assert main(["report", str(run), "--out", "/proc/self"]) == 1
    assert capsys.readouterr() == ("", "pidkit-distill report: report not written: cannot write "
                                       "'/proc/self/accuracy.png': No such file or directory; "
                                       "accuracy.png was not written: no file or folder can be "
                                       "made in '/proc/self': choose another folder, then make "
                                       "the report again\n")


def test_an_earlier_pid_figure_that_cannot_be_removed_is_one_line(tmp_path, capsys):
    # a run without an audit draws no PID figure, so the earlier report's is removed; a folder
    # of that name cannot be, and the line says which and what to do
    run = fake_run(tmp_path / "run", epochs=1, audited=False)
    (tmp_path / "rep" / "pid_atoms.png").mkdir(parents=True)
    assert main(["report", str(run), "--out", str(tmp_path / "rep")]) == 2
    assert capsys.readouterr() == ("", f"pidkit-distill report: error: out_dir='{tmp_path}/rep': "
                                       "pid_atoms.png, left by an earlier report, cannot be "
                                       "removed (Is a directory); remove it or choose another "
                                       "folder (--out)\n")
    assert (tmp_path / "rep" / "report.md").is_file()


def test_a_run_given_as_dot_and_a_run_named_by_hand_keep_their_names(tmp_path, monkeypatch):
    # `report .` inside a run folder gave a row with no name ("|  | synthetic | ..."); a name
    # given to RunRecords by hand is kept unless another run has it too
    run = fake_run(tmp_path / "x", epochs=1)
    monkeypatch.chdir(run)
    assert rows(write_report(".").read_text())[0].startswith("| x | synthetic |")
    mine = replace(load_run(run), name="RID, trained teacher")
    other = fake_run(tmp_path / "y", epochs=1)
    assert [r.split(" | ")[0] for r in rows(summary_table([mine, load_run(other)]))] == [
        "| RID, trained teacher", "| y"]


@pytest.mark.parametrize("first", [".", "../x/sub/.."])
def test_several_runs_led_by_dot_are_reported_beside_it_not_inside_it(tmp_path, monkeypatch,
                                                                       first):
    # `report . ../y` from inside run x wrote x/report (Path(".").parent is "."): the report of
    # both runs inside one of them, where the help says "report/ beside the first run"
    run = fake_run(tmp_path / "x", epochs=1)
    (run / "sub").mkdir()
    fake_run(tmp_path / "y", epochs=1)
    monkeypatch.chdir(run)
    path = write_report([first, "../y"])
    assert path.resolve() == (tmp_path / "report" / "report.md").resolve()
    assert not (run / "report").exists()


@pytest.mark.parametrize("name", ["config.json", "metrics.jsonl", "audit.jsonl"])
def test_a_file_that_is_not_text_is_named(tmp_path, capsys, name):
    # a binary file (a disk error, a file of another tool) gave only "'utf-8' codec can't decode
    # byte 0x80 in position 0: invalid start byte": which of the runs' files, the user could not
    # tell
    run = fake_run(tmp_path / "run", epochs=1)
    (run / name).write_bytes(b"\x80\x81 binary\n")
    assert main(["report", str(run)]) == 2
    assert capsys.readouterr() == ("", f"pidkit-distill report: error: {run / name} is not UTF-8 "
                                       "text (byte 0x80 at position 0); the file is damaged\n")


def edit_audit(run: Path, change) -> Path:
    """``run`` with ``change(record)`` applied to each record of its audit.jsonl."""
    records = [json.loads(line) for line in (run / "audit.jsonl").read_text().splitlines()]
    for record in records:
        change(record)
    (run / "audit.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return run


def gaussian(record: dict) -> None:
    record.update(measure="gaussian-broja", bias_correction={"method": "wishart", "negative": []})


def plug_in(record: dict) -> None:
    record["bias_correction"] = {"method": "none", "negative": []}
    record.update({key: record["plugin"][key] for key in ATOMS})


def test_an_old_metrics_file_reads_non_finite_numbers_as_missing_as_a_new_one(tmp_path):
    # runs now write a non-finite number as null (8d9251c); an older metrics.jsonl holds the
    # tokens NaN / Infinity, which were read back as floats while audit.jsonl's became None
    old, new = fake_run(tmp_path / "old", epochs=2), fake_run(tmp_path / "new", epochs=2)
    for run, token in ((old, "Infinity"), (new, "null")):
        lines = (run / "metrics.jsonl").read_text().splitlines()
        lines[0] = lines[0].rstrip("}") + f', "test_loss": {token}}}'
        (run / "metrics.jsonl").write_text("\n".join(lines) + "\n")
    assert load_run(old).metrics[0]["test_loss"] is None
    assert load_run(old).metrics == load_run(new).metrics


def test_a_bytes_path_is_a_run_and_a_wrong_run_names_its_argument(tmp_path):
    # load_runs(b"runs/x") read the bytes as a list of ints ("got 114 (int)"), and neither
    # load_runs' nor write_report's TypeError said which argument was wrong
    from pidkit_distill import load_runs

    run = fake_run(tmp_path / "runs" / "x", epochs=1)
    assert [r.path for r in load_runs(bytes(run))] == [run]
    assert [r.path for r in load_runs([bytes(run)])] == [run]
    why = ("a run is given by its folder (a str, bytes or Path), its RunRecords or the "
           "RunSummary that train returned; got 3 (int)")
    with pytest.raises(TypeError) as refused:
        load_runs([run, 3])
    assert str(refused.value) == f"paths: {why}"
    with pytest.raises(TypeError) as refused:
        write_report(3, out_dir=tmp_path / "rep")
    assert str(refused.value) == f"run_dirs: {why}"
    assert not (tmp_path / "rep").exists()


def test_no_run_at_all_names_the_argument(tmp_path):
    # load_runs([]) and write_report([]) both said "no run folder given; pass at least one run
    # folder": which argument was empty, the message did not say
    from pidkit_distill import load_runs

    with pytest.raises(ValueError) as refused:
        load_runs([])
    assert str(refused.value) == ("paths: no run folder given (an empty list); pass at least "
                                  "one run folder")
    with pytest.raises(ValueError) as refused:
        write_report((p for p in ()), out_dir=tmp_path / "rep")
    assert str(refused.value) == ("run_dirs: no run folder given (an empty generator); pass at "
                                  "least one run folder")
    assert not (tmp_path / "rep").exists()


def test_a_report_groups_its_runs_once(tmp_path, monkeypatch):
    # the figures and report.md's group table each grouped the runs anew
    import pidkit_distill.report.write as report_write
    from pidkit_distill.run_folders.groups import group_runs

    calls = []

    def counted(runs):
        calls.append(len(runs))
        return group_runs(runs)

    monkeypatch.setattr(report_write, "group_runs", counted)  # draw_figures takes the groups
    runs = [fake_run(tmp_path / name, epochs=1) for name in ("a", "b")]
    assert write_report(runs, out_dir=tmp_path / "rep") == tmp_path / "rep" / "report.md"
    assert calls == [2]


def test_a_report_tests_each_runs_lock_once_for_its_table_and_figures(tmp_path, monkeypatch):
    # write_report worked each run's state out for the figures, then summary_table again for
    # the paragraph under the table: a train starting or ending in between could leave a run
    # "still training" in the legend and "stopped" in the paragraph
    import pidkit_distill.report.states as report_states
    from pidkit_distill.folder_locks import lock_held

    tested = []

    def counted(path):
        tested.append(path.parent.name)
        return lock_held(path)

    monkeypatch.setattr(report_states, "lock_held", counted)
    runs = [fake_run(tmp_path / name, epochs=2, planned=4) for name in ("a", "b")]
    text = write_report(runs, out_dir=tmp_path / "rep").read_text()
    assert sorted(tested) == ["a", "b"]
    assert "Stopped, its checkpoint.pt gone: a (after epoch 2 of 4), b (after epoch 2 of 4)." in text


REPORT_FILES = ["accuracy.png", "groups.csv", "pid_atoms.png", "pid_atoms_all_layers.png",
                "report.md", "runs.csv"]


def test_a_report_deletes_what_a_killed_report_left_of_its_own_files_only(tmp_path):
    # a report killed while writing left report.md.XXXXXXXX.tmp and the like in its folder for
    # good: nothing ever deleted them
    out = tmp_path / "rep"
    out.mkdir()
    left = ["report.md.0123abcd.tmp", "accuracy.png.89abcdef.tmp", "pid_atoms.png.deadbeef.tmp",
            "pid_atoms_all_layers.png.00000000.tmp"]
    theirs = ["notes.txt.01234567.tmp", "checkpoint.pt.3f9a1c2b.tmp", "report.md.tmp"]
    for name in left + theirs:
        (out / name).write_bytes(b"")
    write_report(fake_run(tmp_path / "run", epochs=1), out_dir=out)
    assert sorted(p.name for p in out.iterdir()) == sorted([".report.lock", *REPORT_FILES,
                                                            *theirs])


def test_a_report_waits_for_another_writing_into_its_folder(tmp_path, monkeypatch, capsys):
    # a second report deleting the first's temporary files while the first wrote them would
    # have failed the first report's writes: while one holds the folder's lock, the other waits,
    # then says so, and deletes nothing
    from filelock import FileLock

    import pidkit_distill.report.folder as report_folder

    out = tmp_path / "rep"
    out.mkdir()
    (out / "report.md.0123abcd.tmp").write_bytes(b"")  # the other report's, being written
    monkeypatch.setattr(report_folder, "_WAIT_S", 0.2)
    run = fake_run(tmp_path / "run", epochs=1)
    with FileLock(str(out / ".report.lock")):
        assert main(["report", str(run), "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: out_dir='{out}' is being written by another report "
        f"(which holds {out}/.report.lock) for over 0.2 s; wait for it to end, or choose another "
        "folder (--out)\n")
    assert sorted(p.name for p in out.iterdir()) == [".report.lock", "report.md.0123abcd.tmp"]
    write_report(run, out_dir=out)  # the lock released: the leftover is deleted
    assert sorted(p.name for p in out.iterdir()) == [".report.lock", *REPORT_FILES]


def test_a_missing_accuracy_is_an_empty_point_not_an_error(tmp_path, capsys):
    # a metrics.jsonl whose test_acc is null (or NaN, read as missing) stopped the report with
    # "error: '>' not supported between instances of 'NoneType' and 'float'"
    run = fake_run(tmp_path / "run", epochs=3, audited=False)
    lines = (run / "metrics.jsonl").read_text().splitlines()
    lines[2] = lines[2].replace('"test_acc": 0.53', '"test_acc": NaN')
    (run / "metrics.jsonl").write_text("\n".join(lines) + "\n")
    assert main(["report", str(run), "--out", str(tmp_path / "rep")]) == 0
    (row,) = rows(capsys.readouterr().out)
    assert row.startswith("| run | synthetic | bas | untrained | 3/5 | 0.9000 |  | 0.5200 (2) |")


def test_a_folder_on_a_file_system_without_file_locks_is_written_unlocked(tmp_path, monkeypatch):
    # where flock is not implemented (ENOSYS) filelock fell back to its soft lock, for which an
    # existing lock file is a lock held; .report.lock was made before locking and is left by
    # every report, so every report waited a minute, then failed "being written by another
    # report", the first one too
    import errno

    import pidkit_distill.report.folder as report_folder

    fcntl = pytest.importorskip("fcntl")

    def no_flock(fd, operation):
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(fcntl, "flock", no_flock)
    monkeypatch.setattr(report_folder, "_WAIT_S", 0.2)
    out = tmp_path / "rep"
    run = fake_run(tmp_path / "run", epochs=1)
    assert write_report(run, out_dir=out) == out / "report.md"
    (out / "report.md.0123abcd.tmp").write_bytes(b"")  # not known to be a killed report's
    assert write_report(run, out_dir=out) == out / "report.md"
    assert sorted(p.name for p in out.iterdir()) == sorted([".report.lock", *REPORT_FILES,
                                                            "report.md.0123abcd.tmp"])
