"""What a notebook user's walk through a few small runs' report found (task 276): the table row
of a run killed in its first epoch, a run without an audit, and the chance lines of runs on two
data sets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_report import fake_run, figures, rows  # noqa: F401  (figures: a fixture)

from pidkit_distill import load_config, train, write_report
from pidkit_distill.cli import main
from pidkit_distill.report import load_run, summary_table


def test_a_run_killed_in_its_first_epoch_shows_no_atoms_of_its_untrained_student(tmp_path):
    # train writes the audit of epoch 0 (the untrained student) before epoch 1: a run killed (or
    # failed on a NaN loss) in epoch 1 showed those atoms as its final ones, "0/5 | ... | 0 |
    # discrete, eb-extrapolation | 0.200 [0.000, 0.300] | ...", beside the trained runs' atoms
    # (the figures draw no line of it, and the docs promised empty cells)
    killed = fake_run(tmp_path / "killed", epochs=0)
    audit = (killed / "audit.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in audit] == [0, 0]
    row = rows(summary_table([load_run(killed)]))[0]
    assert row == "| killed | synthetic | bas | untrained | 0/5 |" + "  |" * 11


def test_the_chance_lines_of_runs_on_two_data_sets_name_them(tmp_path, figures):  # noqa: F811
    # a digits run and a synthetic one in one report: two identical dotted grey lines whose
    # legend entries, 'chance: always the most common class (10.2 %)' and '(25.8 %)', said not
    # which data set each is the chance of
    digits = fake_run(tmp_path / "digits", epochs=2, planned=2)
    config = json.loads((digits / "config.json").read_text())
    config["data"]["name"] = "digits"
    (digits / "config.json").write_text(json.dumps(config))
    for run, chance, n in ((digits, 46 / 450, 450), (fake_run(tmp_path / "synth", epochs=2, planned=2),
                                                     516 / 2000, 2000)):
        (run / "metrics.jsonl").write_text("".join(json.dumps(
            {"epoch": e, "test_acc": 0.4 * e - 0.2, "teacher_acc": 0.9, "test_majority": chance,
             "test_n": n}) + "\n" for e in (1, 2)))
    write_report([digits, tmp_path / "synth"], out_dir=tmp_path / "rep")
    (fig,) = [fig for title, fig in figures.items() if title.startswith("Student")]
    legend = [text.get_text() for text in fig.legends[0].get_texts()]
    assert legend == ["digits (same as synth)", "synth",  # the same accuracies: one line
                      "chance on digits: always the most common class (10.2 %)",
                      "chance on synthetic: always the most common class (25.8 %)"]
    write_report(digits, out_dir=tmp_path / "one")  # one data set: its entry as before
    legend = [text.get_text() for text in figures[next(t for t in figures if t.startswith(
        "Student"))].legends[0].get_texts()]
    assert legend == ["digits", "chance: always the most common class (10.2 %)"]


def test_a_run_without_an_audit_says_so_in_its_estimate_cell(tmp_path):
    # a run of --run.audit_every 0 beside audited ones had a row of empty atom cells with
    # nothing saying why: not audited, or its numbers lost
    run = fake_run(tmp_path / "plain", epochs=2, audited=False)
    for audit_every, estimate in ((0, "not audited (run.audit_every = 0)"),
                                  (2, "no audit record in audit.jsonl")):
        config = json.loads((run / "config.json").read_text())
        config["run"]["audit_every"] = audit_every
        (run / "config.json").write_text(json.dumps(config))
        row = rows(summary_table([load_run(run)]))[0]
        assert row.split(" | ")[8:] == ["", "", estimate, "", "", "", "", " |"]


def test_a_run_stopped_in_its_first_epoch_is_not_said_to_be_after_epoch_0(tmp_path):
    # a run killed (or failed on a NaN loss) in epoch 1 read 'Stopped before its first
    # checkpoint: killed (after epoch 0 of 5).'
    killed = fake_run(tmp_path / "killed", epochs=0)
    table = summary_table([load_run(killed)])
    assert "Stopped before its first checkpoint: killed (in epoch 1 of 5). No process" in table
    assert "epoch 0" not in table


def test_the_guides_audit_of_a_trained_student_gives_its_last_audit(tmp_path, monkeypatch,
                                                                   capsys):
    # docs/distill.md, The PID audit: a trained run's student and its teacher, read back with
    # load_student, audited on the run's held-out split give the records of its last audit
    monkeypatch.chdir(tmp_path)
    train(load_config(overrides=["data.name=digits", "method.name=bas", "run.epochs=3",
                                 "teacher.epochs=1", "run.threads=1", "run.out_dir=runs"]))
    text = (Path(__file__).parents[2] / "docs" / "distill.md").read_text(encoding="utf-8")
    section = text.split("\n## The PID audit", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, re.S)
    capsys.readouterr()
    exec(compile(block, "docs/distill.md", "exec"), {})
    assert capsys.readouterr().out == "True\n"
    assert "# True\n" in block


def test_an_interval_written_as_null_is_refused_without_saying_null_is_allowed(tmp_path):
    # 'line 1 has 'intervals.red': null, where `pidkit-distill train` writes [low, high], two
    # numbers (or null)': the refusal of a null read as if null were allowed there
    run = fake_run(tmp_path / "run", epochs=1)
    records = [json.loads(line) for line in (run / "audit.jsonl").read_text().splitlines()]
    records[0]["intervals"]["red"] = None
    (run / "audit.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    with pytest.raises(ValueError, match=re.escape(
            "line 1 has 'intervals.red': null, where `pidkit-distill train` writes [low, high], "
            "two numbers (each may be null); the line was edited or is damaged")):
        load_run(run)


def test_a_sweeps_folder_given_twice_is_skipped_once(tmp_path, capsys):
    # 'report runs runs' warned 'skipped runs/a: given twice', then the same for each run folder
    # in it, one line per run (a teacher's run folder too, before its own warning)
    for name in ("a", "b", "c"):
        fake_run(tmp_path / "runs" / name, epochs=1)
    runs = str(tmp_path / "runs")
    assert main(["report", runs, runs, "--out", str(tmp_path / "rep")]) == 0
    assert capsys.readouterr().err == (f"pidkit-distill report: warning: skipped {runs}: given "
                                       f"twice\n{runs}: 3 run folders\n")
