"""A run's metrics.jsonl is opened once per report (a review's leftovers of t-447): load_run
opened it for the cut-later test, again for the cut line's number and again to read the
records, and run_state once more for a run short of its epochs; and in the cut-later case
load_run silenced every RuntimeWarning its reading raised, not only the killed-run line it
replaces."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_report import fake_run

from pidkit_distill import write_report
from pidkit_distill.report import load_run
from pidkit_distill.run_folders import files as run_files


def ended_run(path: Path, *, epochs: int, cut: bool) -> Path:
    """A run folder of 5 planned epochs whose train ended by itself after ``epochs`` (its
    summary.json says so), its last metrics.jsonl line cut in the middle where ``cut``."""
    fake_run(path, epochs=epochs)
    (path / "summary.json").write_text(json.dumps({"epochs_done": epochs, "epochs": 5}))
    if cut:
        metrics = path / "metrics.jsonl"
        metrics.write_text(metrics.read_text()[:-20])
    return path


def metrics_opened(monkeypatch: pytest.MonkeyPatch, action: Callable[[], Any]) -> list[Path]:
    """The metrics.jsonl files that ``action`` opens through pathlib (read_text and read_bytes
    open them so), one entry per opening."""
    opened: list[Path] = []
    path_open = Path.open

    def counted(self: Path, *args, **kwargs):
        if self.name == "metrics.jsonl":
            opened.append(self)
        return path_open(self, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(Path, "open", counted)
        action()
    return opened


@pytest.mark.parametrize(("epochs", "cut"), [(5, False), (5, True), (2, True), (3, False)])
def test_load_run_opens_the_metrics_file_once(tmp_path, monkeypatch, epochs, cut):
    # finished whole (2 openings before), finished and cut later (3), stopped by
    # run.stop_after and cut later (3), stopped by run.stop_after whole (2)
    run = ended_run(tmp_path / "run", epochs=epochs, cut=cut)
    loaded = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        opened = metrics_opened(monkeypatch, lambda: loaded.append(load_run(run)))
    assert opened == [run / "metrics.jsonl"]
    (records,) = loaded
    assert [record["epoch"] for record in records.metrics] == list(range(1, epochs + 1 - cut))
    assert len(caught) == cut
    assert records.line_cut_later == (epochs if cut else None)  # what the report's state reads


@pytest.mark.parametrize(("epochs", "state"), [(5, "finished, its last metrics line cut"),
                                                (2, "stopped by run.stop_after, its last "
                                                    "metrics line cut")])
def test_a_report_of_a_run_cut_later_opens_its_metrics_file_once(tmp_path, monkeypatch,
                                                                   epochs, state):
    # the report's state of the run (run_state) opened it a fourth time
    run = ended_run(tmp_path / "run", epochs=epochs, cut=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        opened = metrics_opened(monkeypatch,
                                lambda: write_report([run], out_dir=tmp_path / "report"))
    assert opened == [run / "metrics.jsonl"]
    assert f"{state[0].upper()}{state[1:]}: run (after epoch {epochs} of 5" in (
        tmp_path / "report" / "report.md").read_text()


def test_another_warning_of_reading_a_run_cut_later_still_reaches_the_user(tmp_path,
                                                                          monkeypatch):
    # only the killed-run line is said otherwise; load_run silenced every RuntimeWarning
    run = ended_run(tmp_path / "run", epochs=5, cut=True)
    jsonable = run_files.jsonable

    def noted(record, **kwargs):
        if "test_acc" in record:  # a metrics record, not an audit's
            warnings.warn(f"read epoch {record['epoch']}", RuntimeWarning, stacklevel=2)
        return jsonable(record, **kwargs)

    monkeypatch.setattr(run_files, "jsonable", noted)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_run(run)
    said = [str(warning.message) for warning in caught]
    assert said[:4] == [f"read epoch {epoch}" for epoch in range(1, 5)]
    assert len(said) == 5 and "the line was cut later" in said[4]
    assert not any("killed while writing" in message for message in said)
