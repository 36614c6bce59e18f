"""A sweep's folder holding a run whose ``config.json`` is a folder (task 257): the search for
its runs (``run_folders.search.runs_in``) looked for ``config.json`` files only, so
``pidkit-distill report SWEEP`` and ``load_runs([SWEEP])`` said "'SWEEP' is not a run folder (no
config.json)" and listed nothing. The run is found and refused as one given alone is, and as
a sweep's run whose ``metrics.jsonl`` is a folder is: with ``run_folders.files.unreadable_file``'s
message, other runs beside it or not (``load_runs`` skips no broken run)."""

from __future__ import annotations

import json

import pytest

from pidkit_distill.cli import main
from pidkit_distill.run_folders.records import load_runs
from pidkit_distill.run_folders.search import holds_run, runs_in


def _run(folder):
    """A one-epoch run folder, written by hand."""
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({
        "data": {"name": "digits"}, "method": {"name": "bas", "params": {}},
        "teacher": {"source": "trained"}, "run": {"epochs": 1}}))
    (folder / "metrics.jsonl").write_text(json.dumps({"epoch": 1, "test_acc": 0.5}) + "\n")
    return folder


def _config_json_a_folder(run):
    (run / "config.json").unlink()
    (run / "config.json" / "inside").mkdir(parents=True)
    return run


@pytest.fixture
def sweep(tmp_path):
    """``runs`` with the run ``a``, whose config.json is a folder, and the whole run ``b``."""
    _config_json_a_folder(_run(tmp_path / "runs" / "a"))
    _run(tmp_path / "runs" / "b")
    return tmp_path / "runs"


def test_the_search_finds_the_run(sweep):
    (sweep / "c" / "config.json").mkdir(parents=True)  # a folder so named alone is no run
    assert not holds_run(sweep / "c")
    assert runs_in(sweep) == [sweep / "a", sweep / "b"]


@pytest.mark.parametrize("beside", [False, True])
def test_load_runs_refuses_it_through_the_sweep(sweep, beside):
    if not beside:
        (sweep / "b" / "metrics.jsonl").unlink()  # b is no run: the sweep holds a alone
        (sweep / "b" / "config.json").unlink()
    with pytest.raises(IsADirectoryError) as info:
        load_runs([sweep])
    assert str(info.value) == (f"cannot read '{sweep}/a/config.json': it is a folder, not a "
                               "run's config.json: move it away, then rerun the same command")


def test_report_refuses_it_through_the_sweep(sweep, capsys):
    assert main(["report", str(sweep)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", (
        f"pidkit-distill report: error: cannot read '{sweep}/a/config.json': it is a folder, "
        "not a run's config.json: move it away, then rerun the same command\n"))
    assert not (sweep / "report").exists()
