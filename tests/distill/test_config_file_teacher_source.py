"""A teacher file that the ``--config`` file names is refused naming that file, as its other
refused values are; one typed as an option is told as before (the message names the path)."""

from __future__ import annotations

import pytest
from tiny_runs import TINY

from pidkit_distill.cli import main

_OPTIONS = [f"--set={item}" for item in TINY if not item.startswith("teacher.source=")]
_MISSING = ("teacher.source: teacher file 'traind' does not exist; teacher.source is 'trained', "
            "'untrained' (as written, in lower case) or the path of a teacher file. Did you mean "
            "'trained'?\n")


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "rid.toml"
    path.write_text('[teacher]\nsource = "traind"\n', encoding="utf-8")
    return path


def test_a_missing_teacher_file_of_the_config_file_names_the_config_file(tmp_path, capsys,
                                                                           config_file):
    # it was "teacher.source: teacher file 'traind' does not exist; ...", the file unnamed
    assert main(["train", "--config", str(config_file), *_OPTIONS,
                 "--out-dir", str(tmp_path / "runs")]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: config file {str(config_file)!r}: {_MISSING}")
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("typed", [["--teacher", "traind"], ["--set=teacher.source=traind"]])
def test_a_teacher_file_typed_over_the_config_file_is_not_blamed_on_it(tmp_path, capsys,
                                                                        config_file, typed):
    config_file.write_text('[teacher]\nsource = "untrained"\n', encoding="utf-8")
    assert main(["train", "--config", str(config_file), *_OPTIONS,
                 "--out-dir", str(tmp_path / "runs"), *typed]) == 2
    assert capsys.readouterr().err == f"pidkit-distill train: error: {_MISSING}"
