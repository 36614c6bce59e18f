"""pidkit-distill report and write_report on the folders a user really has: globs, killed runs,
runs of the same name, reruns; and what its figures show (colours, line styles, one epoch)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from tiny_runs import run_with_reader_gone, tiny

from pidkit_distill import write_report
from pidkit_distill.cli import main
from pidkit_distill.config import config_to_dict
from pidkit_distill.report import load_run, load_runs, summary_table

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
    assert capsys.readouterr().err == (
        f"pidkit-distill report: warning: skipped {tmp_path / 'notes.txt'}: a file, not a run "
        f"folder\npidkit-distill report: error: no run folder among ['{tmp_path / 'notes.txt'}']; "
        "pass folders written by `pidkit-distill train`\n")
    # a file of a run folder (what a shell completes `runs/x/` to) was told only to pass folders
    # written by `pidkit-distill train`, which it is in
    folder = f"the run folder it is in, {str(run)!r}"
    assert main(["report", str(run / "config.json")]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: warning: skipped {run / 'config.json'}: a file, not a run "
        f"folder; pass {folder}\npidkit-distill report: error: no run folder among "
        f"['{run / 'config.json'}']; for {str(run / 'config.json')!r}, pass {folder}\n")
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
    a, b = fake_run(tmp_path / "a/x", epochs=2), fake_run(tmp_path / "b/x", epochs=3)
    assert main(["report", str(a), str(b), str(a), "--out", str(tmp_path / "rep")]) == 0
    out, err = capsys.readouterr()
    assert err == f"pidkit-distill report: warning: skipped {a}: given twice\n"
    assert [r.split(" | ")[0] for r in rows(out)] == ["| a/x", "| b/x"]
    assert rows((tmp_path / "rep/report.md").read_text()) == rows(out)
    accuracy = figures["Student accuracy on the held-out set\n(dashed: untrained teacher)"]
    assert accuracy.axes[0].get_legend_handles_labels()[1] == ["a/x", "b/x"]


def test_a_run_killed_before_its_first_epoch_ended(tmp_path, capsys, figures):
    # a zero-byte metrics.jsonl gave a row "| 0/5 | ... | () |" and, alone, an empty accuracy
    # plot whose y axis ran from -0.04 to 0.04, with exit 0 and nothing said
    done = fake_run(tmp_path / "done", epochs=2)
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
                                 "(each metrics.jsonl is empty), so there is nothing to report "
                                 "yet; wait for an epoch to end\n")
    assert not (killed / "report").exists()


def test_each_run_keeps_its_colour_and_its_teacher_style_in_every_figure(tmp_path, figures):
    # the colours were given in order among the runs drawn in each figure, so a run without an
    # audit shifted every later run's colour between accuracy.png and pid_atoms.png; the
    # teacher-file runs were dotted, as the plug-in values are; nothing said what the styles meant
    runs = [fake_run(tmp_path / "plain", epochs=2, audited=False),
            fake_run(tmp_path / "file", epochs=2, teacher=str(tmp_path / "t.pt")),
            fake_run(tmp_path / "trained", epochs=1, teacher="trained")]
    write_report(runs, out_dir=tmp_path / "rep")
    note = "dashed: untrained teacher, dash-dot: teacher from a file, solid: trained teacher"
    accuracy = figures[f"Student accuracy on the held-out set\n({note})"]
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    assert atoms.get_suptitle().endswith(f"need not hold their line (docs/estimate.md, Bootstrap "
                                         f"intervals)\n{note}")

    def drawn(fig: Figure) -> dict[str, tuple]:
        lines = fig.axes[0].get_lines()
        return {line.get_label(): (line.get_color(), line.get_linestyle(), line.get_marker(),
                                   len(line.get_xdata())) for line in lines
                if not line.get_label().startswith("_")}

    # Petroff's six colours, which a colour-blind reader tells apart (matplotlib's C0, C1, C2 ...
    # put green beside red and brown)
    blue, orange, red = "#5790fc", "#f89c20", "#e42536"
    assert drawn(accuracy) == {"plain": (blue, "--", "o", 2), "file": (orange, "-.", "o", 2),
                               "trained": (red, "-", "o", 1)}  # one epoch: a visible marker
    assert drawn(atoms) == {"file (discrete, eb-extrapolation)": (orange, "-.", "o", 3),
                            "trained (discrete, eb-extrapolation)": (red, "-", "o", 2)}
    plugins = [line for line in atoms.axes[0].get_lines() if line.get_label().startswith("_")]
    assert {line.get_linestyle() for line in plugins} == {":"}


def test_a_rerun_into_the_same_folder_leaves_no_figure_of_the_first(tmp_path):
    # pid_atoms*.png of the first report stayed beside a report.md that no longer showed them
    out = tmp_path / "rep"
    write_report([fake_run(tmp_path / "audited", epochs=1)], out_dir=out)
    assert sorted(p.name for p in out.iterdir()) == [
        ".report.lock", "accuracy.png", "pid_atoms.png", "pid_atoms_all_layers.png", "report.md"]
    path = write_report([fake_run(tmp_path / "plain", epochs=1, audited=False)], out_dir=out)
    assert path == out / "report.md"
    assert sorted(p.name for p in out.iterdir()) == [".report.lock", "accuracy.png", "report.md"]
    text = path.read_text()
    assert "pid_atoms" not in text
    assert ("No run has an audit record (run.audit_every = 0, or audit.jsonl is empty), so there "
            "is no PID figure.") in text


def test_write_report_takes_one_run_folder_as_it_is(tmp_path):
    # write_report("runs/x") iterated over the string's characters: "'r' is not a run folder"
    run = fake_run(tmp_path / "x", epochs=1)
    assert write_report(str(run)) == run / "report" / "report.md"
    assert rows((run / "report/report.md").read_text())[0].startswith("| x | synthetic | bas |")


def test_many_runs_keep_distinct_colours_see_through_bands_and_a_legend_off_the_lines(
        tmp_path, figures):
    # from the eleventh run on the colours came round again (run 11 drawn as run 1: now it has
    # another marker), the bands of a dozen runs stacked into an opaque block, and the legend
    # sat over the lines
    runs = [fake_run(tmp_path / f"s{i}", epochs=2) for i in range(12)]
    write_report(runs, out_dir=tmp_path / "rep")
    for title, fig in figures.items():
        labelled = [line for line in fig.axes[0].get_lines()
                    if not line.get_label().startswith("_")]
        assert len({(line.get_color(), line.get_marker()) for line in labelled}) == 12, title
        assert all(ax.get_legend() is None for ax in fig.axes), title
        estimate = " (discrete, eb-extrapolation)" if title.startswith("PID") else ""
        assert [t.get_text() for t in fig.legends[0].get_texts()] == [
            f"s{i}{estimate}" for i in range(12)]
        bands = fig.axes[0].collections
        if title.startswith("PID"):
            assert [band.get_alpha() for band in bands] == [pytest.approx(0.6 / 12)] * 12


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
])
def test_files_that_are_json_but_not_a_runs_are_one_line(tmp_path, capsys, name, text, line):
    # a config.json or a record of another shape ended in a KeyError or TypeError traceback
    # (or, for a list, "list indices must be integers or slices, not str")
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
        ".report.lock", "accuracy.png", "pid_atoms.png", "pid_atoms_all_layers.png", "report.md"]


def test_the_help_says_what_report_writes(capsys):
    # it said only "RUN_DIR  run folders": nothing of the files it writes or of globs
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert exit_.value.code == 0
    assert ("Draw accuracy.png, pid_atoms.png (and pid_atoms_all_layers.png when more than one "
            "layer was audited) and write report.md (the summary table, which is also printed, "
            "and, where runs differ only in their seed, a table of mean ± sd across the seeds)"
            ) in text
    assert "the teacher's own run folders and folders given twice are skipped" in text
    assert ("A sweep's folder (runs) stands for the run folders directly in it, and a glob such "
            "as runs/* works") in text
    assert "RUN_DIR run folders (each with config.json and metrics.jsonl), or folders holding them" in text
    assert "(default: RUN_DIR/report for one run, else report/ beside the first run)" in text


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_an_out_folder_that_cannot_be_written_is_one_line(tmp_path, capsys):
    # a folder that exists but takes no new file (read-only, or /proc here, where even root is
    # refused) gave Python's "[Errno 2] No such file or directory: '.../accuracy.png.tmp'"
    run = fake_run(tmp_path / "run", epochs=1)
    assert main(["report", str(run), "--out", "/proc/self"]) == 1
    assert capsys.readouterr() == ("", "pidkit-distill report: report not written: cannot write "
                                       "'/proc/self/accuracy.png': No such file or directory; "
                                       "accuracy.png was not written: make '/proc/self' writable "
                                       "(or choose another folder), then make the report again\n")


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

def test_the_interval_of_a_run_audited_once_is_drawn(tmp_path, figures):
    # a run killed before its second audit has one audited epoch: its band had no width, so its
    # bootstrap interval was not drawn at all
    run = fake_run(tmp_path / "once", epochs=2)
    (run / "audit.jsonl").write_text("".join(
        line + "\n" for line in (run / "audit.jsonl").read_text().splitlines()[:2]))  # epoch 0
    write_report([run], out_dir=tmp_path / "rep")
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    (bar,) = atoms.axes[0].collections
    assert [segment.tolist() for segment in bar.get_segments()] == [[[0.0, 0.0], [0.0, 0.3]]]


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


def test_write_report_leaves_the_callers_matplotlib_backend_as_it_was(tmp_path):
    # write_report switched matplotlib to Agg for the whole process: in a notebook (inline
    # backend) plt.show() showed nothing afterwards
    import matplotlib

    before = matplotlib.get_backend()
    matplotlib.use("svg")
    try:
        write_report(fake_run(tmp_path / "run", epochs=2), out_dir=tmp_path / "rep")
        assert matplotlib.get_backend() == "svg"
    finally:
        matplotlib.use(before)


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


def test_the_table_says_how_each_runs_atoms_were_estimated_and_at_which_epoch(tmp_path, capsys):
    # the table had one column per atom and report.md called every number "corrected for the
    # plug-in's sampling bias": a Gaussian run (linearly decodable bits, 3.36 where a discrete
    # run of the same students had 1.41), a bias_correction=none run and a run whose last audit
    # line was cut off (atoms of epoch 0 beside the accuracy of epoch 2) looked all alike
    gauss = edit_audit(fake_run(tmp_path / "gauss", epochs=2), gaussian)
    plain = edit_audit(fake_run(tmp_path / "plain", epochs=2), plug_in)
    old = edit_audit(fake_run(tmp_path / "old", epochs=2),
                     lambda r: [r.pop(key) for key in ("plugin", "intervals", "bias_correction")])
    cut = fake_run(tmp_path / "cut", epochs=2)
    text = (cut / "audit.jsonl").read_text().splitlines(keepends=True)
    (cut / "audit.jsonl").write_text("".join(text[:2]) + text[2][:30])  # killed at epoch 1
    with pytest.warns(RuntimeWarning, match="cut off"):
        report = write_report([gauss, plain, old, cut], out_dir=tmp_path / "rep").read_text()
    table = rows(report)
    banded = "0.200 [0.000, 0.300]"  # the value and its bootstrap interval
    assert [row.split(" | ")[8:12] for row in table] == [
        ["1", "2", "gaussian, wishart", banded], ["1", "2", "discrete, plug-in", banded],
        ["1", "2", "discrete, plug-in", "0.200"], ["1", "0", "discrete, eb-extrapolation", banded]]
    assert "corrected for the plug-in's sampling bias" not in report
    assert "gaussian: linearly decodable information, not comparable with discrete bits" in report


def test_a_negative_corrected_atom_and_an_uncertified_solve_are_flagged(tmp_path, capsys):
    # Syn corrected to -0.006 bits was printed as "-0.006", unmarked, and a solve the solver could not
    # certify ("optimal_inaccurate") as a number like any other, with nothing said
    def negative(record: dict) -> None:
        record.update(syn=-0.006, bias_correction={"method": "eb-extrapolation",
                                                   "negative": ["syn"]})

    below = edit_audit(fake_run(tmp_path / "below", epochs=1), negative)
    loose = edit_audit(fake_run(tmp_path / "loose", epochs=1),
                       lambda r: r.update(status="optimal_inaccurate"))
    assert main(["report", str(below), str(loose), "--out", str(tmp_path / "rep")]) == 0
    out = capsys.readouterr().out
    table = rows(out)
    assert table[0].split(" | ")[10:15] == ["discrete, eb-extrapolation; below 0: Syn",
                                            *["0.200 [0.000, 0.300]"] * 3, "-0.006 [0.000, 0.300]"]
    assert table[1].split(" | ")[10] == ("discrete, eb-extrapolation; solve NOT certified "
                                         "(status 'optimal_inaccurate')")
    assert ("solve NOT certified: the solver could not certify those atoms (a failed solve gives "
            "none: the cells are empty); audit.jsonl has its gap and message. Do not trust "
            "them.") in out.splitlines()
    assert ("below 0: corrected atoms below 0, indistinguishable from 0 at that n (kept "
            "unclipped, see docs/estimate.md).") in out.splitlines()
    # each note its own paragraph in report.md (on consecutive lines, markdown ran them into one)
    assert out.split(" |\n\n", 1)[1].startswith(
        "below 0: corrected atoms below 0, indistinguishable from 0 at that n (kept unclipped, "
        "see docs/estimate.md).\n\nsolve NOT certified: ")


def test_the_pid_figures_tell_estimators_plug_ins_and_uncertified_solves_apart(tmp_path,
                                                                            figures):
    # a Gaussian and a discrete run were drawn alike under a title calling every line
    # "bias-corrected", a plug-in run's dotted "plug-in" line lay on its own line, and an
    # uncertified solve was a point like any other
    gauss = edit_audit(fake_run(tmp_path / "gauss", epochs=1), gaussian)
    plain = edit_audit(fake_run(tmp_path / "plain", epochs=1), plug_in)
    loose = edit_audit(fake_run(tmp_path / "loose", epochs=1),  # numbers, not certified
                       lambda r: r.update(status="optimal_inaccurate") if r["epoch"] == 1 else None)
    write_report([gauss, plain, loose], out_dir=tmp_path / "rep")
    for title, fig in figures.items():
        if not title.startswith("PID"):
            continue
        assert "bias-corrected" not in title
        assert title.endswith("squares: gaussian, in panels of their own (linearly decodable "
                              "bits: may exceed H(Y), not comparable with discrete ones)")
        assert [t.get_text() for t in fig.legends[0].get_texts()] == [
            "gauss (gaussian, wishart)", "plain (discrete, plug-in)",
            "loose (discrete, eb-extrapolation)", "solve NOT certified"]
        left = fig.axes[0]  # the first discrete panel, and the first Gaussian one
        right = next(ax for ax in fig.axes if ax.get_title().endswith(", gaussian"))
        assert (left.get_ylabel(), right.get_ylabel()) == ("discrete bits", "gaussian bits")

        def labelled(ax) -> list[tuple[str, str]]:
            return [(line.get_label(), line.get_marker()) for line in ax.get_lines()
                    if not line.get_label().startswith("_")]

        assert labelled(left) == [("plain (discrete, plug-in)", "o"),
                                  ("loose (discrete, eb-extrapolation)", "o"),
                                  ("solve NOT certified", "x")]
        assert labelled(right) == [("gauss (gaussian, wishart)", "s")]
        crosses = [line for line in left.get_lines() if line.get_label() == "solve NOT certified"]
        assert list(crosses[0].get_xdata()) == [1]
        dotted = [line.get_color() for ax in (left, right) for line in ax.get_lines()
                  if line.get_linestyle() == ":"]
        assert dotted == ["#e42536", "#5790fc"]  # loose's and gauss's, none for plain


def test_gaussian_runs_beside_discrete_ones_have_panels_of_their_own(tmp_path, figures):
    # a Gaussian run (I(Y;T) = 1.5 linearly decodable bits) and discrete ones (0.03 bits) shared
    # one axis in "bits": the discrete lines lay flat along 0, and the two kinds of bits, which
    # are not comparable, looked comparable; then a twin axis on the right ("gaussian bits
    # (squares)") laid the Gaussian line over the discrete ones, inviting the same comparison
    runs = [edit_audit(fake_run(tmp_path / "gauss", epochs=1), gaussian),
            fake_run(tmp_path / "discrete", epochs=1)]
    write_report(runs, out_dir=tmp_path / "rep")
    pid = {title: fig for title, fig in figures.items() if title.startswith("PID")}
    # the six panels discrete, then six Gaussian; per layer, a row of four of each
    assert [len(fig.axes) for fig in pid.values()] == [12, 16]
    for fig in pid.values():
        assert all(len(ax.get_shared_x_axes().get_siblings(ax)) == 1 for ax in fig.axes)  # no twin
        for ax in fig.axes:
            kind = ax.get_title().rsplit(", ", 1)[1]
            assert ax.get_ylabel() == f"{kind} bits"
            # the run of that kind and its plug-in values (dotted), only
            assert [line.get_linestyle() if line.get_label().startswith("_") else line.get_label()
                    for line in ax.get_lines()] == [
                "gauss (gaussian, wishart)" if kind == "gaussian"
                else "discrete (discrete, eb-extrapolation)", ":"]
    assert [ax.get_title() for ax in pid["PID of (Y, T, S) per layer" + next(
        title for title in pid if title.startswith("PID of (Y, T, S) per layer"))[26:]].axes[:8:4]
            ] == ["layer 0: Red(Y:T,S), discrete", "layer 0: Red(Y:T,S), gaussian"]
    figures.clear()
    write_report(runs[:1], out_dir=tmp_path / "rep")  # Gaussian alone: one axis, so named
    pid = [fig for title, fig in figures.items() if title.startswith("PID")]
    assert [len(fig.axes) for fig in pid] == [6, 8]
    assert {ax.get_ylabel() for fig in pid for ax in fig.axes} == {"gaussian bits"}
    figures.clear()
    write_report(runs[1:], out_dir=tmp_path / "rep")
    pid = [fig for title, fig in figures.items() if title.startswith("PID")]
    assert {ax.get_ylabel() for fig in pid for ax in fig.axes} == {"bits"}


def test_a_gaussian_run_alone_is_said_to_be_in_linearly_decodable_bits(tmp_path, figures):
    # a Gaussian audit alone showed I(Y;T) = 4.47 "bits" for a 2-bit label with nothing saying
    # that these are not the label's Shannon bits (the note was there only beside discrete runs)
    gauss = edit_audit(fake_run(tmp_path / "gauss", epochs=1), gaussian)
    write_report(gauss, out_dir=tmp_path / "rep")
    titles = [title for title in figures if title.startswith("PID")]
    assert len(titles) == 2 and all(title.endswith(
        "dashed: untrained teacher, squares: gaussian (linearly decodable bits: may exceed H(Y), "
        "not comparable with discrete ones)") for title in titles)


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
    # a damaged run in it: the error is the one line (the count was printed before it)
    (runs / "c/metrics.jsonl").write_text("{}\n")
    assert main(["report", str(runs)]) == 2
    assert capsys.readouterr() == ("", (
        f"pidkit-distill report: error: {runs / 'c/metrics.jsonl'}: line 1 has no 'epoch'; "
        "it is not a record written by `pidkit-distill train`\n"))


def test_load_runs_reads_a_sweep_folder_and_skips_its_teacher_as_runs_star_does(tmp_path,
                                                                                  capsys):
    # the teacher cache under runs/ is a run folder: it is read, and skipped beside the
    # students by the rule for runs/* (method teacher, not its name), with one warning
    runs = tmp_path / "runs"
    for name in ("s1", "s0"):
        fake_run(runs / name, epochs=1)
    teacher = fake_run(runs / "teacher-digits-x", epochs=1)
    config = json.loads((teacher / "config.json").read_text())
    config["method"]["name"] = "teacher"
    (teacher / "config.json").write_text(json.dumps(config))
    with pytest.warns(RuntimeWarning, match=r"^skipped the teacher's run folder .*"
                                            r"teacher-digits-x \(method teacher\)"):
        read = load_runs(runs)
    assert [run.name for run in read] == ["s0", "s1"]
    assert capsys.readouterr() == ("", "")  # a library prints nothing (it printed the count)
    with pytest.warns(RuntimeWarning, match="skipped the teacher's run folder"):
        assert [run.name for run in load_runs(os.fsencode(runs))] == ["s0", "s1"]
    assert [run.name for run in load_runs(str(teacher))] == ["teacher-digits-x"]


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
    (tmp_path / "empty/sub/sub").mkdir(parents=True)  # no run anywhere in it: as before
    assert main(["report", str(tmp_path / "empty")]) == 2
    assert capsys.readouterr().err.endswith("(no config.json); pass folders written by "
                                            "`pidkit-distill train`\n")
    assert main(["report", str(tmp_path / "runs/swep1")]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: '{runs / 'swep1'}' does not exist; pass run folders "
        f"written by `pidkit-distill train`. Did you mean '{runs / 'sweep1'}'?\n")
    assert main(["report", str(runs / "sweep1/rid-s1")]) == 2
    assert capsys.readouterr().err.endswith(f". Did you mean '{runs / 'sweep1/rid-s0'}'?\n")


def failed_at(epoch: int, missing: float | None):
    """A change making the audit of ``epoch`` a failed solve as the audit records it: no atoms
    (``missing``: None as written now, NaN as runs wrote it before), informations kept."""
    def change(record: dict) -> None:
        if record["epoch"] != epoch:
            return
        no_atoms = dict.fromkeys(ATOMS[:4], missing)
        record.update(no_atoms, status="failed", gap=missing, message="every solver failed")
        record["plugin"].update(no_atoms)
        record["intervals"].update({key: [missing, missing] for key in ATOMS[:4]})
    return change


@pytest.mark.parametrize("missing", [None, float("nan")], ids=["null", "NaN"])
def test_a_failed_solve_has_empty_cells_a_gap_and_a_cross_on_the_epoch_axis(tmp_path, capsys,
                                                                      figures, missing):
    # a failed solve's atoms were written as NaN, which jq and JavaScript refuse: the table
    # showed "nan" and the figures a gap with nothing at it (the cross for a solve not
    # certified was drawn at the value, NaN, so nowhere); null (as written now) and NaN (old
    # files) are both read as missing
    run = edit_audit(fake_run(tmp_path / "run", epochs=1), failed_at(1, missing))
    assert main(["report", str(run)]) == 0
    out = capsys.readouterr().out
    assert rows(out)[0].endswith("| 1 | 1 | discrete, eb-extrapolation; solve NOT certified "
                                 "(status 'failed') |  |  |  |  | 64 |")  # no atoms, not nan
    assert "solve NOT certified: the solver could not certify those atoms (a failed solve " \
           "gives none: the cells are empty)" in out
    fig = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "run (discrete, eb-extrapolation)", "solve failed: no number (X on the epoch axis)",
        "solve NOT certified"]
    red, i_yt = fig.axes[0], fig.axes[4]
    line = red.get_lines()[0]
    assert list(line.get_xdata()) == [0, 1] and line.get_ydata()[0] == pytest.approx(0.2)
    assert str(line.get_ydata()[1]) == "nan"  # a gap
    (foot,) = [ln for ln in red.get_lines() if ln.get_label().startswith("solve failed")]
    # on the epoch axis itself, not clipped (at 3% of the panel's height it read as a value
    # near 0 bits), and an X, not the x of a solve that was not certified
    assert (list(foot.get_xdata()), list(foot.get_ydata()), foot.get_marker()) == ([1], [0], "X")
    assert foot.get_transform() == red.get_xaxis_transform() and not foot.get_clip_on()
    (cross,) = [ln for ln in i_yt.get_lines() if ln.get_label() == "solve NOT certified"]
    assert (list(cross.get_xdata()), list(cross.get_ydata())) == ([1], [pytest.approx(0.2)])


def test_the_pid_figures_title_clears_their_legend(tmp_path, figures):
    # the legend stood in the top right corner, where the title's second line ("... dotted:
    # plug-in of a corrected line") ran under "digits-rid-tt-s0 (discrete, eb-extrapolation)";
    # and a plug-in run's band lay wholly below its line (basic intervals move by the bias)
    # with nothing saying that it may
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    runs = [fake_run(tmp_path / "digits-rid-tt-s0", epochs=1),
            edit_audit(fake_run(tmp_path / "cifar10-vid-tp-s0", epochs=1), gaussian)]
    write_report(runs, out_dir=tmp_path / "rep")
    pid = [fig for title, fig in figures.items() if title.startswith("PID")]
    assert len(pid) == 2
    for fig in pid:
        FigureCanvasAgg(fig)
        renderer = fig.canvas.get_renderer()
        (title,) = [child for child in fig.get_children()
                    if isinstance(child, Text) and child.get_text() == fig.get_suptitle()]
        assert not title.get_window_extent(renderer).overlaps(
            fig.legends[0].get_window_extent(renderer)), title.get_text()
        assert "bootstrap intervals, which need not hold their line" in title.get_text()


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


def test_a_side_with_fewer_distinct_rows_than_clusters_is_flagged_and_explained(tmp_path,
                                                                                capsys):
    # the audit recorded settings.discretisation.s.distinct_rows, but the table said nothing
    # (the warning, shown at every audited layer, was the only sign)
    def few(record: dict) -> None:
        record["settings"] = {"estimator": "discrete", "clusters_used": 4, "discretisation": {
            "t": {"distinct_rows": None}, "s": {"distinct_rows": 3}}}

    run = edit_audit(fake_run(tmp_path / "few", epochs=1), few)
    assert main(["report", str(run), "--out", str(tmp_path / "rep")]) == 0
    out = capsys.readouterr().out
    assert rows(out)[0].split(" | ")[10] == ("discrete, eb-extrapolation; few distinct rows: "
                                             "student 3 (< 4 clusters)")
    assert ("few distinct rows: that side's features had fewer distinct rows than clusters "
            "(mostly-zero ReLU or binary features); each distinct row was one cluster, and the "
            "atoms are those of these values.") in out.splitlines()


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


def test_seven_runs_get_colours_a_colour_blind_reader_tells_apart(tmp_path, figures):
    # seven runs were drawn in matplotlib's C0 ... C6: green (C2) beside red (C3), brown, pink and
    # grey, which readers with red-green colour blindness confuse
    runs = [fake_run(tmp_path / f"m{i}", epochs=1, audited=False) for i in range(7)]
    write_report(runs, out_dir=tmp_path / "rep")
    (accuracy,) = figures.values()
    assert [line.get_color() for line in accuracy.axes[0].get_lines()] == [
        "#1845fb", "#ff5e02", "#c91f16", "#c849a9", "#adad7d", "#86c8dd", "#578dff"]


def test_a_long_run_has_markers_on_some_epochs_so_its_line_style_shows(tmp_path, figures):
    # every one of 300 epochs had a marker: the markers ran into one thick line and hid its
    # dashes, which say that the teacher was untrained
    long, short = fake_run(tmp_path / "long", epochs=300), fake_run(tmp_path / "short", epochs=3)
    write_report([long, short], out_dir=tmp_path / "rep")
    for title, fig in figures.items():
        lines = [line for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")]
        points = [len(line.get_xdata()) for line in lines]
        assert points == ([300, 3] if title.startswith("Student") else [301, 4]), title
        marked = [line.get_xdata()[line.get_markevery()] for line in lines]
        assert [len(epochs) for epochs in marked] == [20, 3 if title.startswith("Student") else 4]
        assert {round(b - a) for a, b in pairwise(marked[0])} <= {15, 16}, title


def test_markers_are_evenly_spaced_in_epochs_on_a_line_of_uneven_epochs(tmp_path, figures):
    # markers on every k-th record: a run resumed with run.audit_every raised (every epoch to 20,
    # then every 20th) had seven markers in its first 20 epochs and one per 60 after
    run = fake_run(tmp_path / "run", epochs=300)
    kept = {*range(0, 21), *range(40, 301, 20)}
    (run / "audit.jsonl").write_text("".join(
        line + "\n" for line in (run / "audit.jsonl").read_text().splitlines()
        if json.loads(line)["epoch"] in kept))
    write_report(run, out_dir=tmp_path / "rep")
    fig = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    (line,) = [line for line in fig.axes[0].get_lines() if line.get_label() == "run (discrete, "
               "eb-extrapolation)"]
    assert len(line.get_xdata()) == 35
    marked = line.get_xdata()[line.get_markevery()]
    assert marked[0] == 0 and marked[-1] == 300
    # about 300 / 19 apart, but for the records' own gaps (20 epochs, then 16 + 24)
    assert all(10 <= b - a <= 25 for a, b in pairwise(marked)), list(marked)


def test_runs_audited_at_different_innermost_layers_say_which_layer_each_line_is(tmp_path,
                                                                                  figures):
    # pid_atoms.png drew a run killed after its audit of layer 0 beside runs at layer 1, under
    # "innermost distilled layer", with nothing saying that its points were another layer's
    done = fake_run(tmp_path / "done", epochs=2)
    killed = fake_run(tmp_path / "killed", epochs=1)
    (killed / "audit.jsonl").write_text((killed / "audit.jsonl").read_text().splitlines()[0]
                                        + "\n")  # epoch 0, layer 0 only
    write_report([done, killed], out_dir=tmp_path / "rep")
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    assert atoms.get_suptitle().startswith("PID of (Y, T, S), innermost distilled layer (each "
                                           "run's: in the legend), held-out set\nlegend: run, "
                                           "layer (estimator, correction or plug-in); ")
    assert [t.get_text() for t in atoms.legends[0].get_texts()] == [
        "done, layer 1 (discrete, eb-extrapolation)",
        "killed, layer 0 (discrete, eb-extrapolation)"]
    figures.clear()
    write_report([done], out_dir=tmp_path / "rep")
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    assert atoms.get_suptitle().startswith("PID of (Y, T, S), innermost distilled layer (layer "
                                           "1), held-out set\nlegend: run (estimator, ")
    assert [t.get_text() for t in atoms.legends[0].get_texts()] == [
        "done (discrete, eb-extrapolation)"]


def test_the_tables_atoms_carry_their_bootstrap_interval_and_its_confidence(tmp_path, capsys):
    # the table gave each atom as a bare number ("0.336") though the audit had its bootstrap
    # interval: "Uni(Y:S\\T) = 0.336" of 64 samples read as precise to the third digit, and
    # nothing said how sure it was
    def at_90(record: dict) -> None:
        record.update(uni_s=0.336, intervals={**record["intervals"], "uni_s": [0.188, 0.421]},
                      settings={"confidence": 0.9})

    run = edit_audit(fake_run(tmp_path / "run", epochs=1), at_90)
    old = edit_audit(fake_run(tmp_path / "old", epochs=1), lambda r: r.pop("intervals"))
    assert main(["report", str(run), str(old), "--out", str(tmp_path / "rep")]) == 0
    out = capsys.readouterr().out
    table = rows(out)
    assert table[0].split(" | ")[11:15] == ["0.200 [0.000, 0.300]", "0.200 [0.000, 0.300]",
                                            "0.336 [0.188, 0.421]", "0.200 [0.000, 0.300]"]
    assert table[1].split(" | ")[11:15] == ["0.200"] * 4  # an audit without intervals
    assert ("[low, high]: the 90% bootstrap interval of the atom (audit.confidence, "
            "audit.bootstrap), which need not hold the estimate (docs/estimate.md, Bootstrap "
            "intervals).") in out.splitlines()
    assert rows((tmp_path / "rep/report.md").read_text()) == table


def test_the_epoch_labels_of_a_long_run_do_not_run_into_each_other(tmp_path, figures):
    # the narrow panels of pid_atoms_all_layers.png had eight epoch ticks for 300 epochs, their
    # labels 5 pixels apart, less than a space: "0 40 80 120 160 200 240 280" read as one number
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    write_report(fake_run(tmp_path / "long", epochs=300), out_dir=tmp_path / "rep")
    for title, fig in figures.items():
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        for ax in fig.axes:
            low, high = ax.get_xlim()
            boxes = [label.get_window_extent(renderer) for tick, label in zip(
                ax.get_xticks(), ax.get_xticklabels(), strict=True) if low <= tick <= high]
            assert len(boxes) >= 3, title
            # apart by half a label's height at least (about a character)
            assert all(right.x0 - left.x1 > left.height / 2 for left, right in pairwise(boxes)), (
                title, [label.get_text() for label in ax.get_xticklabels()])


def test_the_tables_numbers_are_right_aligned(tmp_path):
    # every column was left-aligned ("|---|"): a rendered report.md put "-0.044" one place to the
    # right of "0.336", and "9/30" beside "30/30", so digits did not line up
    table = summary_table([load_run(fake_run(tmp_path / "x", epochs=1))]).splitlines()
    assert table[0].split(" | ")[4:10] == ["epochs", "teacher acc", "last acc", "best acc (epoch)",
                                           "layer", "audit epoch"]
    assert table[1] == "|---|---|---|---|" + "---:|" * 6 + "---|" + "---:|" * 5


def test_the_title_of_the_figure_of_every_layer_leaves_its_panels_their_height(tmp_path, figures):
    # pid_atoms_all_layers.png kept 0.4 inch for its title's four lines: its panels were 1.7
    # inches high with two audited layers, squashed under the title
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    write_report(fake_run(tmp_path / "run", epochs=2), out_dir=tmp_path / "rep")
    fig = figures[next(title for title in figures if title.startswith("PID of (Y, T, S) per"))]
    FigureCanvasAgg(fig).draw()
    assert len(fig.axes) == 8
    height = fig.get_size_inches()[1]
    assert all(ax.get_position().height * height > 2 for ax in fig.axes)


def test_an_intervals_confidence_is_given_as_set_not_rounded(tmp_path, capsys):
    # audit.confidence = 0.975 was said to be "98%", and 0.999 "100%"
    runs = [edit_audit(fake_run(tmp_path / name, epochs=1),
                       lambda r, c=confidence: r.update(settings={"confidence": c}))
            for name, confidence in (("a", 0.975), ("b", 0.999))]
    assert main(["report", *map(str, runs), "--out", str(tmp_path / "rep")]) == 0
    assert "[low, high]: the 97.5% or 99.9% bootstrap interval of the atom" in capsys.readouterr().out


def test_one_audited_layer_has_no_figure_of_every_layer(tmp_path, figures):
    # with one audited layer (the demo's) pid_atoms_all_layers.png drew the four atoms of
    # pid_atoms.png again, and report.md showed both
    run = fake_run(tmp_path / "run", epochs=2)
    (run / "audit.jsonl").write_text("".join(
        line + "\n" for line in (run / "audit.jsonl").read_text().splitlines()
        if json.loads(line)["layer"] == 0))
    out = tmp_path / "rep"
    write_report(fake_run(tmp_path / "two", epochs=1), out_dir=out)  # a first report had it
    figures.clear()
    write_report(run, out_dir=out)
    assert sorted(p.name for p in out.iterdir()) == [".report.lock", "accuracy.png", "pid_atoms.png",
                                                     "report.md"]
    assert [title.split("\n")[0] for title in figures] == [
        "Student accuracy on the held-out set", "PID of (Y, T, S), innermost distilled layer "
        "(layer 0), held-out set"]
    text = (out / "report.md").read_text()
    assert "](pid_atoms_all_layers.png)" not in text
    assert ("![PID atoms](pid_atoms.png)\n\nOne layer was audited, so pid_atoms.png shows every "
            "layer (there is no pid_atoms_all_layers.png).") in text


def test_a_cell_that_rounds_to_zero_is_never_negative_zero(tmp_path):
    # a corrected atom of -0.0002 (and its interval's low end) showed as "-0.000": a value
    # below 0 to a reader, though it rounds to 0
    run = edit_audit(fake_run(tmp_path / "run", epochs=1), lambda r: r.update(
        uni_s=-0.0002, intervals={**r["intervals"], "uni_s": [-0.0004, 0.1]}))
    table = summary_table([load_run(run)])
    assert rows(table)[0].split(" | ")[13] == "0.000 [0.000, 0.100]"
    assert "-0.000" not in table


def test_the_intervals_note_names_their_bootstrap_method(tmp_path):
    # "[low, high]: the 95% bootstrap interval" left a reader to guess how it was made (a
    # percentile interval? the audit's default is a centred one, which can lie off the line)
    run = edit_audit(fake_run(tmp_path / "run", epochs=1),
                     lambda r: r.update(settings={"confidence": 0.95, "ci_method": "centred"}))
    assert ("[low, high]: the 95% centred bootstrap interval of the atom (audit.confidence, "
            "audit.bootstrap), which need not hold the estimate") in summary_table([load_run(run)])


def test_the_figures_text_is_readable_when_shown_850_pixels_wide(tmp_path, figures):
    # legend text of 7 points on a 13-inch figure was 6 pixels high where a markdown viewer
    # shows the figure 850 pixels wide
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    runs = [fake_run(tmp_path / "a", epochs=3),
            edit_audit(fake_run(tmp_path / "b", epochs=3), gaussian)]
    write_report(runs, out_dir=tmp_path / "rep")
    assert len(figures) == 3
    for title, fig in figures.items():
        FigureCanvasAgg(fig).draw()
        width = fig.get_size_inches()[0]
        small = {(text.get_text(), round(text.get_fontsize() * 850 / (72 * width), 1))
                 for text in fig.findobj(Text) if text.get_visible() and text.get_text()
                 and text.get_fontsize() * 850 / (72 * width) < 9}  # pixels high at 850 wide
        assert not small, (title, sorted(small)[:3])


def test_accuracy_has_a_standard_error_band_where_the_held_out_size_is_recorded(tmp_path,
                                                                              figures):
    # accuracies of 0.257-0.262 on 2000 held-out samples (one standard error 0.01) filled the
    # axis, which zoomed into noise
    run = fake_run(tmp_path / "run", epochs=4)
    (run / "metrics.jsonl").write_text("".join(json.dumps(
        {"epoch": e, "test_acc": acc, "teacher_acc": 0.9, "test_n": 2000}) + "\n"
        for e, acc in enumerate((0.257, 0.262, 0.259, 0.26), 1)))
    write_report(run, out_dir=tmp_path / "rep")
    (fig,) = [fig for title, fig in figures.items() if title.startswith("Student")]
    ax = fig.axes[0]
    (band,) = ax.collections
    low, high = band.get_paths()[0].vertices[:, 1].min(), band.get_paths()[0].vertices[:, 1].max()
    error = (0.257 * 0.743 / 2000) ** 0.5
    assert (low, high) == (pytest.approx(0.257 - error), pytest.approx(0.262 + (
        0.262 * 0.738 / 2000) ** 0.5))
    assert ax.get_ylim()[1] - ax.get_ylim()[0] > 2 * error  # no zoom below the noise
    assert ax.get_title().endswith("\nbands: ±1 binomial standard error of each accuracy")


def test_a_pid_panel_does_not_zoom_into_solver_noise(tmp_path, figures):
    # a Gaussian Uni(Y:S\\T) of 0 +- 8e-15 (solver noise) filled its panel: an axis labelled
    # '1e-15' over the panel's title, the noise drawn as a signal
    run = edit_audit(fake_run(tmp_path / "run", epochs=2), lambda r: r.update(
        uni_s=8e-15 * r["epoch"], intervals={**r["intervals"], "uni_s": [0.0, 1e-14]},
        plugin={**r["plugin"], "uni_s": 0.0}))
    write_report(run, out_dir=tmp_path / "rep")
    for title, fig in figures.items():
        if title.startswith("PID"):
            panels = [ax for ax in fig.axes if "Uni(Y:S\\T)" in ax.get_title()]
            assert len(panels) == (1 if title.startswith("PID of (Y, T, S), ") else 2)
            for ax in panels:
                low, high = ax.get_ylim()
                assert high - low == pytest.approx(0.01) and low < 0 < 1e-14 < high, title


def test_a_layer_only_the_discrete_runs_audited_has_no_empty_gaussian_row(tmp_path, figures):
    # a Gaussian run auditing layer 1 only beside a discrete run auditing layers 0 and 1 had a
    # row of four empty 'layer 0: ..., gaussian' panels
    gauss = edit_audit(fake_run(tmp_path / "gauss", epochs=1), gaussian)
    (gauss / "audit.jsonl").write_text("".join(
        line + "\n" for line in (gauss / "audit.jsonl").read_text().splitlines()
        if json.loads(line)["layer"] == 1))
    write_report([fake_run(tmp_path / "discrete", epochs=1), gauss], out_dir=tmp_path / "rep")
    fig = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S) per"))
    assert [ax.get_title() for ax in fig.axes[::4]] == [
        "layer 0: Red(Y:T,S), discrete", "layer 1: Red(Y:T,S), discrete",
        "layer 1: Red(Y:T,S), gaussian"]
    assert all(ax.get_lines() for ax in fig.axes)


def test_more_than_ten_runs_come_round_the_colours_with_other_markers(tmp_path, figures):
    # beyond ten runs, tab20's pairs gave runs 1 and 2 (3 and 4, ...) two shades of one hue,
    # which a reader took for one run, and turbo's colours of 30 runs ran into each other; the
    # colours come round again instead, each round with markers of another shape (a Gaussian
    # estimate keeps its square, hollow in the second round)
    runs = [fake_run(tmp_path / f"s{i}", epochs=2) for i in range(12)]
    edit_audit(runs[10], gaussian)
    write_report(runs, out_dir=tmp_path / "rep")
    accuracy = figures[next(title for title in figures if title.startswith("Student"))]
    drawn = [(line.get_color(), line.get_marker(), line.get_markersize())
             for line in accuracy.axes[0].get_lines()]
    petroff10 = ["#3f90da", "#ffa90e", "#bd1f01", "#94a4a2", "#832db6", "#a96b59", "#e76300",
                 "#b9ac70", "#717581", "#92dadd"]
    assert drawn == [(color, "o", 3) for color in petroff10] + [
        ("#3f90da", "^", 5), ("#ffa90e", "^", 5)]
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    gaussian_panel = next(ax for ax in atoms.axes if ax.get_title().endswith(", gaussian"))
    (square,) = [line for line in gaussian_panel.get_lines() if line.get_label().startswith("s10")]
    assert (square.get_color(), square.get_marker(), square.get_fillstyle()) == (
        "#3f90da", "s", "none")
    discrete = [(line.get_label(), line.get_marker()) for line in atoms.axes[0].get_lines()
                if not line.get_label().startswith("_")]
    assert discrete[-2:] == [("s9 (discrete, eb-extrapolation)", "o"),
                             ("s11 (discrete, eb-extrapolation)", "^")]


def test_a_report_groups_its_runs_once(tmp_path, monkeypatch):
    # the figures and report.md's group table each grouped the runs anew
    import pidkit_distill.report as report
    from pidkit_distill.run_groups import group_runs

    calls = []

    def counted(runs):
        calls.append(len(runs))
        return group_runs(runs)

    monkeypatch.setattr(report, "group_runs", counted)  # draw_figures takes the groups
    runs = [fake_run(tmp_path / name, epochs=1) for name in ("a", "b")]
    assert write_report(runs, out_dir=tmp_path / "rep") == tmp_path / "rep" / "report.md"
    assert calls == [2]


REPORT_FILES = ["accuracy.png", "pid_atoms.png", "pid_atoms_all_layers.png", "report.md"]


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

    import pidkit_distill.report as report

    out = tmp_path / "rep"
    out.mkdir()
    (out / "report.md.0123abcd.tmp").write_bytes(b"")  # the other report's, being written
    monkeypatch.setattr(report, "_WAIT_S", 0.2)
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

    import pidkit_distill.report as report

    fcntl = pytest.importorskip("fcntl")

    def no_flock(fd, operation):
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(fcntl, "flock", no_flock)
    monkeypatch.setattr(report, "_WAIT_S", 0.2)
    out = tmp_path / "rep"
    run = fake_run(tmp_path / "run", epochs=1)
    assert write_report(run, out_dir=out) == out / "report.md"
    (out / "report.md.0123abcd.tmp").write_bytes(b"")  # not known to be a killed report's
    assert write_report(run, out_dir=out) == out / "report.md"
    assert sorted(p.name for p in out.iterdir()) == [".report.lock", *REPORT_FILES,
                                                     "report.md.0123abcd.tmp"]
