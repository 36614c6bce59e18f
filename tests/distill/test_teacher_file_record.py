"""The record of the teacher file a run read (``recorded.teacher_file`` in its config.json): a
resumed run keeps the one it was trained with, no configuration sets it, and the settings
(``config_to_dict``: the checkpoint's, the teacher cache's key, ``--set``'s) never hold it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest
from test_report_teacher_files import rows, teacher_file
from tiny_runs import tiny

from pidkit_distill.cli import main
from pidkit_distill.config import config_from_dict, config_to_dict
from pidkit_distill.config_text import apply_overrides, load_config
from pidkit_distill.run_folders.groups import group_runs, lacking_keys
from pidkit_distill.run_folders.records import RunRecords
from pidkit_distill.training import train

# what a configuration that names the record as a setting is told (the key, then why and how)
WHY = (r"'run.teacher_file' is no setting: a run records the teacher file it read in its "
       r"config.json \(as recorded.teacher_file\), and no configuration sets it; name the "
       r"teacher with teacher.source")
REFUSED = {
    # why, then a file's or dict's section keys
    "TOML file": rf"unknown config key 'run.teacher_file'\. {WHY} \(known keys: \['run\..*\]\)$",
    "config_from_dict": rf"unknown config key 'run.teacher_file'\. {WHY} \(known keys: \['run\..*\]\)$",
    # why, then every key, 50 of them
    "--set": rf"unknown config key 'run.teacher_file'\. {WHY} \(known keys: \['audit\..*\]\)$",
}


def recorded(run_dir: Path) -> str | None:
    """The teacher file that the config.json of ``run_dir`` records."""
    return json.loads((run_dir / "config.json").read_text()).get("recorded", {}).get(
        "teacher_file")


def test_a_resumed_run_keeps_the_teacher_file_it_was_trained_with(tmp_path, monkeypatch):
    # a's runs, each stopped after epoch 1: a1 resumed from b (its own teacher.pt), a2 where
    # a's teacher.pt is gone (both resume with the checkpoint's teacher, a's). The resume
    # recorded b's file for a1 (a seed of b's teacher in the report: 'bas, b | 2 (1, 2)' with
    # b1 as a rerun, a2 alone) and none for a2
    runs, here = tmp_path / "runs", Path(os.path.realpath(tmp_path))
    for project, seed in (("a", 0), ("b", 1)):
        teacher_file(tmp_path / project / "teacher.pt", seed)

    def run(folder: str, name: str, seed: int, *extra: str) -> Path:
        monkeypatch.chdir(tmp_path / folder)
        return train(tiny(runs, "teacher.source=teacher.pt", f"run.seed={seed}",
                          f"run.name={name}", "run.epochs=2", *extra)).run_dir

    a1, a2 = (run("a", f"a{seed}", seed, "run.stop_after=1") for seed in (1, 2))
    run("b", "a1", 1, "run.resume=true")
    shutil.move(tmp_path / "a" / "teacher.pt", tmp_path / "moved.pt")
    run("a", "a2", 2, "run.resume=true")
    b1, b2 = (run("b", f"b{seed}", seed) for seed in (1, 2))
    monkeypatch.chdir(tmp_path)
    assert rows([a1, a2, b1, b2]) == [
        (f"| bas, teacher.source={here / 'a/teacher.pt'}", "2 (1, 2)"),
        (f"| bas, teacher.source={here / 'b/teacher.pt'}", "2 (1, 2)")]
    assert [recorded(folder) for folder in (a1, a2, b1)] == [str(here / "a/teacher.pt")] * 2 + [
        str(here / "b/teacher.pt")]


@pytest.mark.parametrize("how", ["TOML file", "--set", "config_from_dict"])
def test_a_teacher_file_record_written_by_a_user_is_refused_as_a_record(tmp_path, how):
    # a TOML file's and config_from_dict's were dropped without a word; --set's said
    # "Did you mean 'teacher.lr'?"
    toml = tmp_path / "c.toml"
    toml.write_text('[run]\nteacher_file = "/p/t.pt"\n')
    read = {"TOML file": lambda: load_config(toml),
            "--set": lambda: load_config(overrides=["run.teacher_file=/p/t.pt"]),
            "config_from_dict": lambda: config_from_dict({"run": {"teacher_file": "/p/t.pt"}})}
    with pytest.raises(ValueError, match=REFUSED[how]):
        read[how]()


def test_a_recorded_table_in_a_toml_file_is_refused_not_skipped(tmp_path):
    # config_from_dict skips [recorded], as a run's own config.json holds it: written by hand in
    # a TOML file it was dropped without a word
    toml = tmp_path / "c.toml"
    toml.write_text('[recorded]\nteacher_file = "/p/t.pt"\n')
    with pytest.raises(ValueError) as refused:
        load_config(toml)
    assert str(refused.value) == (
        f"config file {str(toml)!r} has a table [recorded]: what a run records of itself in its "
        "config.json, which no configuration sets; remove the table (name a teacher file with "
        "teacher.source)")


def test_the_command_line_refuses_a_teacher_file_record_in_one_line(tmp_path, capsys):
    assert main(["train", "--set", "run.teacher_file=t.pt", "--out-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pidkit-distill train: error: unknown config "
                                                   "key 'run.teacher_file'")
    assert ("'run.teacher_file'. 'run.teacher_file' is no setting: a run records the teacher "
            "file it read in its config.json (as recorded.teacher_file), and no configuration "
            "sets it; name the teacher with teacher.source (known keys: ['audit.") in err
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_refuses_a_registered_record_without_the_teacher_file_hint(tmp_path, capsys):
    # every recorded.* key got the teacher file's words ("name the teacher with teacher.source")
    assert main(["train", "--set", "recorded.registered.model.student=/p/m.py",
                 "--out-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert ("is no setting: a run records in its config.json's table 'recorded' what it read "
            "(the teacher file, where the names you registered come from), and no configuration "
            "sets it; remove it (known keys: ['audit.") in err
    assert list(tmp_path.iterdir()) == []


def test_the_settings_hold_no_record_whatever_folder_they_are_taken_in(tmp_path, monkeypatch):
    # config_to_dict (a checkpoint's configuration, the teacher cache's key, --set) added the
    # file teacher.source named from the current folder, and raised os's 'embedded null byte'
    # for a teacher.source with a NUL character (apply_overrides too)
    teacher_file(tmp_path / "teacher.pt", 0)
    monkeypatch.chdir(tmp_path)
    config = tiny(tmp_path / "runs", "teacher.source=teacher.pt")
    assert config_to_dict(config) == dataclasses.asdict(config)
    config.teacher.source = "teacher\0.pt"
    assert config_to_dict(config)["teacher"]["source"] == "teacher\0.pt"
    assert apply_overrides(config, ["run.epochs=2"]).run.epochs == 2


def test_a_record_tells_one_teacher_file_as_its_relative_path_does(tmp_path):
    # a run that records its teacher file and an older one whose run folder tells where its
    # relative teacher.source starts, of one file: seeds of one experiment, the record no key
    # that one config.json lacks
    def run(seed: int, **record: str) -> RunRecords:
        config = {"method": {"name": "bas"}, "teacher": {"source": "t.pt"},
                  "run": {"seed": seed, "out_dir": "runs", "name": f"s{seed}"}}
        if record:
            config["recorded"] = record
        return RunRecords(f"s{seed}", tmp_path / "runs" / f"s{seed}", config,
                          [{"epoch": 1, "test_acc": 0.5}], [])

    file = os.path.realpath(tmp_path / "t.pt")
    groups = group_runs([run(1), run(2, teacher_file=file)])
    assert [(group.label, group.seeds) for group in groups] == [("bas", [1, 2])]
    assert lacking_keys(groups) == []
