"""A report is refused a folder that is, or is in, the folder of a run it does not report on
(walk t-421, finding 12: ``write_report(s1, out_dir=s2.run_dir)`` and ``report runs/r-kd --out
runs/r-bas`` wrote report.md and the figures into the other run's folder without a word, where
they would be taken for that run's). A run's own folder and a folder of runs stay allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_report import fake_run

from pidkit_distill import write_report
from pidkit_distill.cli import main
from pidkit_distill.training.rundir import run_folder_lock


@pytest.fixture()
def runs(tmp_path: Path) -> Path:
    """A folder of two run folders, ``kd`` and ``bas``, two epochs each, without an audit."""
    for name in ("kd", "bas"):
        fake_run(tmp_path / "runs" / name, epochs=2, audited=False)
    return tmp_path / "runs"


def _files(folder: Path) -> dict[str, bytes]:
    """The files of ``folder`` and below, by their path in it, with their bytes."""
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_write_report_refuses_another_runs_folder_and_writes_nothing(runs):
    before = _files(runs)
    with pytest.raises(ValueError) as refused:
        write_report(runs / "kd", out_dir=runs / "bas")
    assert str(refused.value) == (
        f"out_dir={str(runs / 'bas')!r} is the folder of the run {str(runs / 'bas')!r}, which "
        f"is not among the runs reported ({str(runs / 'kd')!r}): the report written there would "
        "be taken for that run's; choose another folder (--out), such as "
        f"{str(runs / 'kd' / 'report')!r} (the default)")
    assert _files(runs) == before  # no report.md, no figure, no lock file


def test_the_command_refuses_it_in_one_line_with_status_2(runs, capsys, monkeypatch):
    monkeypatch.chdir(runs.parent)
    before = _files(runs)
    assert main(["report", "runs/kd", "--out", "runs/bas"]) == 2
    assert capsys.readouterr().err == (
        "pidkit-distill report: error: out_dir='runs/bas' is the folder of the run "
        f"{str(runs / 'bas')!r}, which is not among the runs reported ('runs/kd'): the report "
        "written there would be taken for that run's; choose another folder (--out), such as "
        "'runs/kd/report' (the default)\n")
    assert _files(runs) == before


def test_another_runs_own_report_folder_is_refused_and_its_report_kept(runs):
    write_report(runs / "bas")  # bas's own report, in runs/bas/report
    own = (runs / "bas" / "report" / "report.md").read_bytes()
    with pytest.raises(ValueError, match=r"^out_dir='.*/runs/bas/report' is in the folder of the "
                                         r"run '.*/runs/bas', which is not among the runs "
                                         r"reported \('.*/runs/kd'\): the report written there "
                                         r"would be taken for that run's, and would replace the "
                                         r"report.md there; choose another folder \(--out\)"):
        write_report(runs / "kd", out_dir=runs / "bas" / "report")
    assert (runs / "bas" / "report" / "report.md").read_bytes() == own


def test_a_folder_a_train_has_made_and_not_written_yet_is_another_runs(runs):
    with run_folder_lock(runs / "new"):  # as a train holds it while it checks or trains a teacher
        with pytest.raises(ValueError, match=r"is the folder of the run '.*/runs/new', which is "
                                             r"not among the runs reported"):
            write_report(runs / "kd", out_dir=runs / "new")
    assert not (runs / "new" / "report.md").exists()


def test_a_refused_default_names_no_folder_to_choose(tmp_path):
    # a run whose folder is inside another run's: the default, beside the first run given, is
    # in that other run's folder
    outer = fake_run(tmp_path / "outer", epochs=1, audited=False)
    inner = fake_run(outer / "inner", epochs=1, audited=False)
    other = fake_run(tmp_path / "other", epochs=1, audited=False)
    with pytest.raises(ValueError) as refused:
        write_report([inner, other])
    assert str(refused.value).startswith(f"out_dir={str(outer / 'report')!r} is in the folder "
                                         f"of the run {str(outer)!r}, ")
    assert str(refused.value).endswith("; choose another folder (--out)")
    assert write_report([inner, other], out_dir=tmp_path / "both").is_file()


def test_a_runs_own_folder_a_folder_of_runs_and_a_projects_folder_are_written(runs, tmp_path):
    assert write_report(runs / "kd", out_dir=runs / "kd") == runs / "kd" / "report.md"
    assert write_report(runs / "kd") == runs / "kd" / "report" / "report.md"
    assert write_report(runs) == runs / "report" / "report.md"
    assert write_report(runs / "kd", out_dir=runs) == runs / "report.md"
    # bas is among the runs reported, with kd: its folder may hold their report
    assert write_report([runs / "kd", runs / "bas"], out_dir=runs / "bas").is_file()
    # another tool's config.json, in a project's folder that holds the reports, is no run's
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    assert write_report(runs / "kd", out_dir=tmp_path / "reports").is_file()
