"""Where a report goes without ``--out`` (``out_dir``): ``report`` in the one folder given (a
run's, ``RUN_DIR/report``; a sweep's, ``SWEEP/report``), else beside the first run. A sweep's
folder that held one run, or a glob (``runs/*``) of which one entry was a run, wrote into that
run's folder (``runs/x/report``), where the same command with two runs wrote ``runs/report``."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from test_report import fake_run

from pidkit_distill import load_runs, write_report
from pidkit_distill.cli import main

RUN_FILES = ["audit.jsonl", "config.json", "metrics.jsonl"]


def _files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))


@pytest.mark.parametrize("count", [1, 2])
def test_a_sweep_folder_s_report_is_in_it_however_many_runs_it_holds(tmp_path, count):
    sweep = tmp_path / "runs"
    runs = [fake_run(sweep / f"digits-bas-ut-s{seed}", epochs=2) for seed in range(count)]
    assert write_report(sweep) == sweep / "report" / "report.md"
    assert [_files(run) for run in runs] == [RUN_FILES] * count  # no report among a run's files
    assert _files(sweep) == sorted([*(run.name for run in runs), "report"])


def test_a_glob_of_one_run_and_a_file_reports_beside_the_run(tmp_path):
    sweep = tmp_path / "runs"
    run = fake_run(sweep / "digits-bas-ut-s0", epochs=2)
    (sweep / "train.log").write_text("a log\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the log is skipped with one
        path = write_report(sorted(sweep.iterdir()))
    assert (path, _files(run)) == (sweep / "report" / "report.md", RUN_FILES)


def test_one_run_folder_given_alone_reports_in_a_folder_of_its_own_inside_it(tmp_path):
    # as docs/distill.md and the command's help say: RUN_DIR/report
    run = fake_run(tmp_path / "runs" / "digits-bas-ut-s0", epochs=2)
    [records] = load_runs(run)
    for given in (run, str(run), [run], records):
        assert write_report(given) == run / "report" / "report.md"
    assert _files(run) == sorted([*RUN_FILES, "report"])
    assert _files(run / "report") == ["accuracy.png", "groups.csv", "pid_atoms.png",
                                      "pid_atoms_all_layers.png", "report.md", "runs.csv"]


def test_an_out_dir_given_is_kept(tmp_path):
    sweep = tmp_path / "runs"
    fake_run(sweep / "digits-bas-ut-s0", epochs=2)
    assert write_report(sweep, out_dir=sweep) == sweep / "report.md"


def test_the_command_writes_a_sweep_of_one_run_where_write_report_does(tmp_path, capsys):
    # `pidkit-distill report runs` chose by the runs found: one gave runs/x/report
    sweep = tmp_path / "runs"
    run = fake_run(sweep / "digits-bas-ut-s0", epochs=2)
    assert main(["report", str(sweep)]) == 0
    assert f"report written to {sweep / 'report' / 'report.md'}" in capsys.readouterr().out
    assert _files(run) == RUN_FILES
    assert main(["report", str(run)]) == 0
    assert (run / "report" / "report.md").is_file()
