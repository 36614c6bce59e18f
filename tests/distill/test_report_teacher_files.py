"""The report tells teacher files apart by the file each run read, not by how its path is spelt:
a relative ``teacher.source`` names a file from the folder ``train`` ran in, which a run folder
of an absolute ``run.out_dir`` does not tell, so the run records the file in its config.json
(``recorded.teacher_file``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch
from test_report_seeds import group_rows
from tiny_runs import tiny

from pidkit_distill.config import config_from_dict
from pidkit_distill.models import build_model
from pidkit_distill.report import group_table
from pidkit_distill.run_folders.records import load_runs
from pidkit_distill.training import train


def teacher_file(path: Path, seed: int) -> Path:
    """A teacher of the tiny configuration (a bare state dict, initialised from ``seed``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    torch.save(build_model("synthetic-teacher", num_classes=4, in_channels=12).state_dict(), path)
    return path


def trained(monkeypatch: pytest.MonkeyPatch, folder: Path, runs: Path, name: str, seed: int,
            teacher: str) -> Path:
    """The run folder of ``cd folder; pidkit-distill train --teacher TEACHER --out-dir RUNS``
    (``runs`` absolute) of seed ``seed``, one epoch."""
    monkeypatch.chdir(folder)
    return train(tiny(runs, f"teacher.source={teacher}", f"run.seed={seed}", f"run.name={name}",
                      "run.epochs=1")).run_dir


def rows(runs: list[Path]) -> list[tuple[str, str]]:
    """Each row of the report's group table: its label and seeds."""
    return [(row[0], row[5]) for row in (line.split(" | ")
                                         for line in group_rows(group_table(load_runs(runs))))]


def test_two_folders_teachers_of_one_relative_name_are_two_experiments(tmp_path, monkeypatch):
    # `cd a; train --teacher teacher.pt --out-dir /abs/runs` and the same from b, each with its
    # own teacher.pt, made one experiment 'bas, 4 seeds' (the seeds of two teachers averaged)
    runs, here = tmp_path / "runs", Path(os.path.realpath(tmp_path))
    for project, seed in (("a", 0), ("b", 1)):
        teacher_file(tmp_path / project / "teacher.pt", seed)
    folders = [trained(monkeypatch, tmp_path / project, runs, f"{project}{seed}", seed,
                       "teacher.pt") for project in ("a", "b") for seed in (1, 2)]
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert rows(folders) == [(f"| bas, teacher.source={here / 'a/teacher.pt'}", "2 (1, 2)"),
                             (f"| bas, teacher.source={here / 'b/teacher.pt'}", "2 (1, 2)")]
    recorded = json.loads((folders[2] / "config.json").read_text())
    assert recorded["recorded"] == {"teacher_file": str(here / "b/teacher.pt")}
    assert config_from_dict(recorded).teacher.source == "teacher.pt"  # a record, not a setting


def test_one_teacher_file_reached_relative_absolute_and_through_links_is_one(tmp_path,
                                                                            monkeypatch):
    # the relative spelling was compared as written, apart from the absolute one: two rows
    runs, proj = tmp_path / "runs", tmp_path / "proj"
    teacher = teacher_file(proj / "teacher.pt", 0)
    (tmp_path / "link").symlink_to(proj)
    (tmp_path / "linked.pt").symlink_to(teacher)
    spellings = [(proj, "teacher.pt"), (tmp_path, str(teacher)), (tmp_path / "link", "teacher.pt"),
                 (tmp_path, "./linked.pt")]
    folders = [trained(monkeypatch, folder, runs, f"s{seed}", seed, spelt)
               for seed, (folder, spelt) in enumerate(spellings, 1)]
    monkeypatch.chdir(tmp_path / "runs")
    assert rows(folders) == [("| bas", "4 (1, 2, 3, 4)")]


def test_runs_that_record_no_teacher_file_say_their_teacher_is_not_known(tmp_path, monkeypatch):
    # runs of an older version (no record) of an absolute run.out_dir: which file a
    # relative teacher.source named cannot be told; grouped by the path as written, said so
    runs = tmp_path / "runs"
    for project, seed in (("a", 0), ("b", 1)):
        teacher_file(tmp_path / project / "teacher.pt", seed)
    folders = [trained(monkeypatch, tmp_path / project, runs, project, seed, "./teacher.pt")
               for project, seed in (("a", 1), ("b", 2))]
    for folder in folders:
        config = json.loads((folder / "config.json").read_text())
        del config["recorded"]
        (folder / "config.json").write_text(json.dumps(config))
    table = group_table(load_runs(folders))
    assert rows(folders) == [("| bas", "2 (1, 2)")]
    assert ("bas: teacher not known: a and b name it 'teacher.pt', a relative path, and record "
            "neither the file it named nor the folder they were trained in (runs of an older "
            "pidkit-distill with an absolute run.out_dir, or moved since): they are averaged as "
            "seeds of one teacher, which they may not be, trained in different folders; compare "
            "their teachers by hand, or rerun them.") in table
