"""The run a method starts from (TED's ``RUN.bas-init``, the BAS student that ``train --method
ted`` trains first in its own folder beside the TED run's) in the report: its config.json is a
BAS run's but for ``run.name`` and ``run.resume``, which tell no experiment apart, so
``report runs`` counted it as a seed of the user's BAS runs (``bas, 3 seeds (0, 1, 2)`` of two
BAS runs, seeds 1 and 2: the baseline's mean and every pair against it moved). It is now left
out beside other runs, as the teacher cache is, and never grouped with other runs."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from test_report import fake_run, rows

from pidkit_distill.cli import main
from pidkit_distill.report import group_table, load_run, load_runs
from pidkit_distill.run_folders.groups import group_runs
from pidkit_distill.run_folders.records import starting_student_of

SKIPPED = ("{path}: the bas student that the run synthetic-ted-ut-s0 starts from (its train "
           "trains it first, in this folder), not a run of its own nor a seed of a bas "
           "experiment; report its folder alone to see it")


def configured(path: Path, seed: int, acc: float, **run: object) -> Path:
    """:func:`fake_run` of 2 epochs of 2, its ``run.seed`` ``seed``, its other ``run`` keys
    set, and ``acc`` its last accuracy."""
    fake_run(path, epochs=2, planned=2)
    config = json.loads((path / "config.json").read_text())
    config["run"].update(seed=seed, **run)
    if path.name == "synthetic-ted-ut-s0":
        config["method"].update(name="ted", preset="paper")
    (path / "config.json").write_text(json.dumps(config))
    (path / "metrics.jsonl").write_text("".join(
        json.dumps({"epoch": e, "test_acc": a, "teacher_acc": 0.9}) + "\n"
        for e, a in ((1, 0.5), (2, acc))))
    return path


def sweep(tmp_path: Path) -> Path:
    """A sweep's folder as ``train`` writes it for BAS seeds 1 and 2 and TED seed 0: the TED
    run's starting student (seed 0, ``run.name`` and ``run.resume`` as ``train`` sets them)
    beside it, and the BAS runs' mean 0.7."""
    runs = tmp_path / "runs"
    configured(runs / "synthetic-bas-ut-s1", 1, 0.6)
    configured(runs / "synthetic-bas-ut-s2", 2, 0.8)
    configured(runs / "synthetic-ted-ut-s0", 0, 0.9)
    configured(runs / "synthetic-ted-ut-s0.bas-init", 0, 0.95,
               name="synthetic-ted-ut-s0.bas-init", resume=True)
    return runs


def test_the_starting_student_is_no_seed_of_the_users_bas_runs(tmp_path, capsys):
    runs = sweep(tmp_path)
    init = runs / "synthetic-ted-ut-s0.bas-init"
    assert main(["report", str(runs)]) == 0
    out, err = capsys.readouterr()
    # was "runs: 4 run folders" and "| bas | ... | 3 (0, 1, 2) | 0.7833 ± 0.1756 ..."
    assert err == (f"{runs}: 3 run folders; 1 run folder that a run starts from skipped "
                   "(synthetic-ted-ut-s0.bas-init)\n")
    seeds_row, = [row for row in rows(out) if row.startswith("| bas |")]
    assert " | 2/2 | 2 (1, 2) | 0.7000 ± 0.1414 (0.6000, 0.8000) | " in seeds_row
    assert [row.split(" | ")[0] for row in rows(out)][1:] == [
        "| synthetic-bas-ut-s1", "| synthetic-bas-ut-s2", "| synthetic-ted-ut-s0"]
    text = (runs / "report/report.md").read_text()
    assert str(init) not in text and "3 (0, 1, 2)" not in text
    # runs/* names it one by one: skipped with the warning that says what it is
    assert main(["report", *(str(path) for path in sorted(runs.iterdir())
                             if path.name != "report"), "--out", str(tmp_path / "rep")]) == 0
    out, err = capsys.readouterr()
    assert err == "pidkit-distill report: warning: skipped " + SKIPPED.format(path=init) + "\n"
    assert " | 2 (1, 2) | 0.7000 ± 0.1414 " in out
    # given alone, it is the run reported
    assert main(["report", str(init)]) == 0
    assert [row.split(" | ")[0] for row in rows(capsys.readouterr().out)] == [
        "| synthetic-ted-ut-s0.bas-init"]


def test_load_runs_leaves_it_out_and_group_runs_never_groups_it(tmp_path):
    runs = sweep(tmp_path)
    init = runs / "synthetic-ted-ut-s0.bas-init"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # found in a folder of runs: left out without a word
        assert [run.name for run in load_runs(runs)] == [
            "synthetic-bas-ut-s1", "synthetic-bas-ut-s2", "synthetic-ted-ut-s0"]
    with pytest.warns(RuntimeWarning) as caught:
        load_runs([runs / "synthetic-bas-ut-s1", init])
    assert [str(w.message) for w in caught] == ["skipped " + SKIPPED.format(path=init)]
    # read one by one (a notebook's [load_run(p) for p in ...]), it is a group of its own
    every = [load_run(path) for path in sorted(runs.iterdir())]
    assert [(group.legend, group.seeds) for group in group_runs(every)] == [
        ("bas, 2 seeds", [1, 2]), ("synthetic-ted-ut-s0", [0]),
        ("synthetic-ted-ut-s0.bas-init", [0])]
    assert "| bas | synthetic | bas | untrained | 2/2 | 2 (1, 2) |" in group_table(every)


def test_starting_student_of_reads_the_name_train_gives_it():
    def config(name: object, method: object = "bas") -> dict:
        return {"run": {"name": name}, "method": {"name": method}}

    assert starting_student_of(config("digits-ted-tt-s0.bas-init")) == "digits-ted-tt-s0"
    assert starting_student_of(config("x.BAS-init", "BAS")) == "x"  # an older config's case
    assert starting_student_of(config("digits-bas-tt-s0")) is None
    assert starting_student_of(config("")) is None
    assert starting_student_of(config(".bas-init")) is None
    assert starting_student_of(config("x.kd-init")) is None  # not its own method
    assert starting_student_of(config(None)) is None
    assert starting_student_of({}) is None
