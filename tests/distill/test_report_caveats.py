"""What the report's tables say where a row's numbers cannot be compared as they stand: a run
whose method's schedule trained its student in only some of its epochs (a mark and a line
under each table), atoms audited at another epoch than the accuracy beside them (the estimate
cell says so) and the binomial standard error of each run's last accuracy."""

from __future__ import annotations

import json
import math
from pathlib import Path

from scipy.stats import binom
from test_report import fake_run, rows
from test_report_seeds import group_rows, seed_run
from tiny_runs import RID, tiny

from pidkit_distill.report import group_table, load_run, summary_table
from pidkit_distill.run_folders.records import load_runs
from pidkit_distill.training import train

# RID's phases on 6 epochs with warmup_epochs=1, cycle_epochs=4, filter_ratio=0.25 (tiny_runs'
# RID): warm-up, phase 1, then phase 2 (the student) for 3 epochs, and phase 1 again
RID_PHASES = ["filter", "filter", "student", "student", "student", "filter"]

SCHEDULE_WORDS = (
    "and {its} method's other optimizer group (the phase in metrics.jsonl) in the others: the "
    "method's schedule is written for the paper's 300 epochs, and a shorter run scales it to the "
    "run or cuts it short. {It} accuracy is not comparable with that of a run whose student "
    "trained in every epoch (here {others}), nor with the paper's; train 300 epochs or more "
    "(run.epochs) to compare methods.")


def with_phases(path: Path, phases: list[str], *, method: str) -> Path:
    """The run folder ``path`` of ``method`` whose metrics records trained ``phases``, one an
    epoch, as train records them."""
    config = json.loads((path / "config.json").read_text())
    config["method"]["name"] = method
    (path / "config.json").write_text(json.dumps(config))
    records = [json.loads(line) for line in (path / "metrics.jsonl").read_text().splitlines()]
    (path / "metrics.jsonl").write_text("".join(
        json.dumps({**record, "phase": phase}) + "\n"
        for record, phase in zip(records, phases, strict=True)))
    return path


def test_a_run_whose_student_trained_in_half_its_epochs_is_marked_above_chance_too(tmp_path):
    # `train --method rid --epochs 6` ("the student trains in 3 of 6 epochs") sat beside bas
    # at 0.7133 against 0.9281 with no word: the caveat of the schedule was said only of runs
    # at chance, and this one was well above
    bas = with_phases(fake_run(tmp_path / "bas", epochs=6, planned=6), ["student"] * 6,
                      method="bas")
    rid = with_phases(fake_run(tmp_path / "rid", epochs=6, planned=6), RID_PHASES, method="rid")
    table = summary_table([load_run(bas), load_run(rid)])
    assert [row.split(" | ")[4] for row in rows(table)] == ["6/6", "6/6 ◇"]
    assert ("◇ rid: its student trained in 3 of its 6 epochs, "
            + SCHEDULE_WORDS.format(its="its", It="Its", others="bas")) in table.splitlines()


def test_a_run_of_the_papers_whole_schedule_is_not_marked(tmp_path):
    # RID's student trains in 207 of the paper's 300 epochs: that is the method compared, not a
    # schedule cut short
    rid = with_phases(fake_run(tmp_path / "rid", epochs=300, planned=300),
                      ["filter"] * 93 + ["student"] * 207, method="rid")
    table = summary_table([load_run(rid)])
    assert rows(table)[0].split(" | ")[4] == "300/300"
    assert "◇" not in table


def test_a_trained_rid_run_of_six_epochs_is_marked_as_its_student_trained(tmp_path):
    # the records of a real train, not written by hand: the phase of each epoch is in them
    summary = train(tiny(tmp_path, *RID, "run.epochs=6", "run.name=rid"))
    records = map(json.loads, (summary.run_dir / "metrics.jsonl").read_text().splitlines())
    assert [record["phase"] for record in records] == RID_PHASES
    table = summary_table([load_run(summary.run_dir)])
    assert rows(table)[0].split(" | ")[4] == "6/6 ◇"
    assert "◇ rid: its student trained in 3 of its 6 epochs, and its method's" in table


def test_the_seeds_table_marks_a_group_whose_students_trained_in_part_of_the_epochs(tmp_path):
    runs = [with_phases(seed_run(tmp_path / f"rid-s{seed}", seed, [0.3, 0.4, 0.6, 0.7],
                                 method="rid"), RID_PHASES[:4], method="rid")
            for seed in (1, 2)]
    runs += [with_phases(seed_run(tmp_path / f"kd-s{seed}", seed, [0.8, 0.85, 0.9, 0.92],
                                  method="kd"), ["student"] * 4, method="kd")
             for seed in (1, 2)]
    table = group_table(load_runs(runs))
    assert [row.split(" | ")[4] for row in group_rows(table)] == ["4/4 ◇", "4/4"]  # rid, kd
    assert ("◇ rid: the student of each seed trained in 2 of the 4 epochs, "
            + SCHEDULE_WORDS.format(its="its", It="Its", others="kd")) in table.splitlines()


def test_atoms_audited_before_training_beside_a_later_accuracy_are_said_so(tmp_path):
    # a kd run stopped at epoch 47 of 200 with run.audit_every 50 showed the atoms of its
    # untrained student (epoch 0) beside the accuracy of epoch 47; only the audit epoch
    # column (0) hinted at it
    stopped = fake_run(tmp_path / "stopped", epochs=47, planned=200)
    audit = (stopped / "audit.jsonl").read_text().splitlines(keepends=True)
    (stopped / "audit.jsonl").write_text("".join(audit[:2]))  # epoch 0, layers 0 and 1
    at_40 = fake_run(tmp_path / "at_40", epochs=47, planned=200)
    audit = [json.loads(line) for line in (at_40 / "audit.jsonl").read_text().splitlines()]
    (at_40 / "audit.jsonl").write_text("".join(
        json.dumps(record) + "\n" for record in audit if record["epoch"] in (0, 40)))
    same = fake_run(tmp_path / "same", epochs=2, planned=2)
    table = summary_table([load_run(path) for path in (stopped, at_40, same)])
    assert [row.split(" | ")[9:11] for row in rows(table)] == [
        ["0", "discrete, eb-extrapolation; atoms of epoch 0, before training; accuracy of "
              "epoch 47"],
        ["40", "discrete, eb-extrapolation; atoms of epoch 40; accuracy of epoch 47"],
        ["2", "discrete, eb-extrapolation"]]
    assert ("atoms of epoch A; accuracy of epoch B: the atoms were audited at another epoch than "
            "the accuracy beside them") in table


def test_the_seeds_table_says_when_its_atoms_are_of_an_earlier_epoch(tmp_path):
    # the seeds reached epoch 3, but seed 2's audit of epoch 3 is lost: the last epoch both
    # audited is 2, whose atoms sat beside the accuracy of epoch 3
    runs = [seed_run(tmp_path / f"bas-s{seed}", seed, [0.7, 0.8, 0.85]) for seed in (1, 2)]
    audit = [json.loads(line) for line in (runs[1] / "audit.jsonl").read_text().splitlines()]
    (runs[1] / "audit.jsonl").write_text("".join(
        json.dumps(record) + "\n" for record in audit if record["epoch"] < 3))
    (row,) = group_rows(group_table(load_runs(runs)))
    assert row.split(" | ")[9:11] == ["2", "discrete, eb-extrapolation; atoms of epoch 2; "
                                           "accuracy of epoch 3"]


def test_the_last_accuracy_gives_its_binomial_standard_error(tmp_path):
    # 0.9281 of 450 held-out samples has a binomial standard error of 0.0122, which
    # accuracy.png drew as a band while the table gave the bare number
    run = fake_run(tmp_path / "run", epochs=1, planned=1)
    (run / "metrics.jsonl").write_text(json.dumps(
        {"epoch": 1, "test_acc": 0.9281, "test_n": 450, "teacher_acc": 0.9}) + "\n")
    error = binom(450, 0.9281).std() / 450  # the count's sd, as a share of the set
    assert math.isclose(error, 0.01218, abs_tol=5e-6)
    table = summary_table([load_run(run)])
    assert rows(table)[0].split(" | ")[6] == f"0.9281 ± {error:.4f} s.e."
    assert ("last acc ± s.e.: ±1 binomial standard error of each accuracy, sqrt(acc (1 - acc) / "
            "n) on the run's n held-out samples (test_n in metrics.jsonl), as accuracy.png's "
            "band") in table
    old = fake_run(tmp_path / "old", epochs=1, planned=1)  # no test_n: an older record
    table = summary_table([load_run(old)])
    assert rows(table)[0].split(" | ")[6] == "0.5100"
    assert "s.e." not in table
