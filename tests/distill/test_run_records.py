"""The hint of load_run's error for a misspelt run folder: a folder that holds runs, found
among the first entries of the folder above, never a scan of all of it (a home folder, a
folder of 100,000 entries)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pidkit_distill.audit.records import AUDITED_ATOMS
from pidkit_distill.run_folders import search as run_folder_search
from pidkit_distill.run_folders.records import load_run, load_runs


def looks_counted(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders that load_run looks into for a run (each call of holds_run), recorded."""
    looked: list[Path] = []
    holds_run = run_folder_search.holds_run

    def counted(folder: Path) -> bool:
        looked.append(folder)
        return holds_run(folder)

    monkeypatch.setattr(run_folder_search, "holds_run", counted)
    return looked


def test_a_misspelt_run_folder_looks_into_the_closest_folders_only(tmp_path, monkeypatch):
    # the hint looked into every folder beside the misspelt one and every folder in those
    # (242 here; 20,000 folders of 5 files took 2.6 s, now 0.02 s), for a run or a sweep
    for i in range(40):
        for j in range(5):
            (tmp_path / f"run-{i:02d}" / f"part-{j}").mkdir(parents=True)
    (tmp_path / "real-sweep/rid-s0").mkdir(parents=True)
    (tmp_path / "real-sweep/rid-s0/config.json").write_text("{}")
    looked = looks_counted(monkeypatch)
    with pytest.raises(ValueError) as err:
        load_run(tmp_path / "run-7x")
    assert str(err.value) == (f"{str(tmp_path / 'run-7x')!r} does not exist; pass run folders "
                              "written by `pidkit-distill train`")
    # the three closest names, each itself and its five folders
    assert len(looked) == 3 * 6
    looked.clear()
    with pytest.raises(ValueError, match=r"\. Did you mean '.*real-sweep'\?$"):
        load_run(tmp_path / "real-swep")
    assert looked == [tmp_path / "real-sweep", tmp_path / "real-sweep/rid-s0"]


def test_the_hint_reads_the_first_entries_of_a_folder_only(tmp_path, monkeypatch):
    # every name of the folder went to difflib, whose work grows with them (10,000 similar
    # names: 0.8 s)
    for i in range(20):
        (tmp_path / f"rid-s{i}").mkdir()
        (tmp_path / f"rid-s{i}/config.json").write_text("{}")
    monkeypatch.setattr(run_folder_search, "_HINT_ENTRIES", 5)
    given: list[list[str]] = []
    closest = run_folder_search.closest
    monkeypatch.setattr(run_folder_search, "closest",
                        lambda name, names: given.append(list(names)) or closest(name, names))
    with pytest.raises(ValueError, match=r"\. Did you mean '.*rid-s\d+'\?$"):
        load_run(tmp_path / "rid-s")
    assert [len(names) for names in given] == [5]


def test_a_runs_repr_is_one_line_that_counts_its_records(tmp_path):
    # the repr was the dataclass's, every setting, epoch and audit record in full: 37,103
    # characters for a 3-epoch run in a notebook's cell
    run = tmp_path / "rid-s0"
    run.mkdir()
    sections = {"data": {"name": "digits"}, "method": {"name": "rid", "params": {"lam": 0.5}},
                "teacher": {"source": "trained"}, "run": {"epochs": 3}}
    (run / "config.json").write_text(json.dumps(sections))
    atoms = dict.fromkeys(AUDITED_ATOMS, 0.25)
    (run / "metrics.jsonl").write_text("".join(
        json.dumps({"epoch": epoch, "test_acc": 0.5, **{f"loss_{i}": 1.0 for i in range(200)}})
        + "\n" for epoch in (1, 2, 3)))
    (run / "audit.jsonl").write_text("".join(
        json.dumps({"epoch": epoch, "layer": layer, **atoms}) + "\n"
        for epoch in (1, 2, 3) for layer in (0, 1)))
    [records] = load_runs([run])
    assert repr(records) == (f"RunRecords(name='rid-s0', path={str(run)!r}, config={{4 sections}}, "
                             "metrics=[3 epochs], audit=[6 records])")
    assert records.config == sections and records.metrics[2]["loss_199"] == 1.0
    assert [record["layer"] for record in records.audit] == [0, 1] * 3
