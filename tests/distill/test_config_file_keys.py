"""An unknown key or section of a ``--config`` file names the file, and a key left in the table
above it by a missing section header is told so (task 278). The docs' example file with its
``[method]`` header left out said "unknown config key 'teacher.name'; ... Did you mean
'teacher.seed'?", advice that changes the teacher's seed, and a misspelt key of a file was
told without the file's name, where a value of the wrong type there names it."""

from __future__ import annotations

import pytest

from pidkit_distill.cli import main
from pidkit_distill.config import config_from_dict

ERROR = "pidkit-distill train: error: "
TEACHER_KEYS = ("['teacher.data_options', 'teacher.epochs', 'teacher.lr', 'teacher.optimizer', "
                "'teacher.seed', 'teacher.source']")


def test_a_key_under_a_missing_header_names_the_sections_that_have_it(tmp_path, capsys):
    path = tmp_path / "rid.toml"
    path.write_text('[teacher]\nsource = "trained"\nepochs = 2\n\nname = "rid"\n')
    assert main(["train", "--config", str(path)]) == 2
    assert capsys.readouterr() == ("", (
        f"{ERROR}config file {str(path)!r}: unknown config key 'teacher.name'. 'name' is a key "
        "of [data], [method] and [run], not of [teacher]: put it in the table of its section (in "
        "a TOML file, a key below the [teacher] table belongs to it until the next [section] "
        f"header; is a header missing above it?) (known keys: {TEACHER_KEYS})\n"))


def test_a_key_of_one_other_section_names_it():
    with pytest.raises(ValueError, match=r"'grad_clip' is a key of \[optim\], not of \[run\]"):
        config_from_dict({"run": {"grad_clip": 1.0}})


@pytest.mark.parametrize(("data", "hint"), [
    # a misspelt key of its own section, a nested table in the wrong place: as before
    ({"data": {"batchsize": 3}}, "Did you mean 'data.batch_size'?"),
    ({"data": {"params": {}}}, "Did you mean [method.params]?"),
])
def test_other_unknown_keys_keep_their_hints(data, hint):
    with pytest.raises(ValueError) as caught:
        config_from_dict(data)
    assert hint in str(caught.value)


def test_a_misspelt_key_of_the_file_names_the_file(tmp_path, capsys):
    path = tmp_path / "rid.toml"
    path.write_text("[data]\nbatchsize = 128\n")
    assert main(["train", "--config", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"{ERROR}config file {str(path)!r}: unknown config key 'data.batchsize'. Did you mean "
        "'data.batch_size'? (known keys: ['data.batch_size', 'data.drop_last', "
        "'data.eval_batch_size', 'data.name', 'data.num_workers', 'data.options', 'data.root', "
        "'data.seed', 'data.val_fraction'])\n")


def test_a_misspelt_section_of_the_file_names_the_file(tmp_path, capsys):
    path = tmp_path / "rid.toml"
    path.write_text("[optimizer]\nlr = 0.1\n")
    assert main(["train", "--config", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"{ERROR}config file {str(path)!r}: unknown config section(s) ['optimizer']; known "
        "sections: ['audit', 'data', 'method', 'model', 'optim', 'run', 'teacher']. Did you "
        "mean 'optim'?\n")
