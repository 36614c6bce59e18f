"""One value given to a list key means the same list in a ``--config`` file as on the command
line: ``--audit.layers 1`` was taken as [1], while ``layers = 1`` under
``[audit]`` was refused ("expects a list, got 1 (int)") (t-392 section 6)."""

from __future__ import annotations

import pytest

from pidkit_distill import load_config
from pidkit_distill.cli import main


@pytest.mark.parametrize(("section", "name", "text", "expected"), [
    ("audit", "layers", "1", [1]),
    ("optim", "milestones", "0.5", [0.5]),
    ("optim", "milestones", "0.25, 0.75", [0.25, 0.75]),
])
def test_a_list_key_reads_one_value_alike_from_a_file_and_an_override(tmp_path, section, name,
                                                                    text, expected):
    path = tmp_path / "c.toml"
    literal = f"[{text}]" if "," in text else text
    path.write_text(f"[{section}]\n{name} = {literal}\n")
    from_file = getattr(getattr(load_config(path), section), name)
    from_option = getattr(getattr(load_config(overrides=[f"{section}.{name}={text}"]), section),
                          name)
    assert from_file == from_option == expected


def test_a_single_layer_in_the_config_file_passes_the_command_s_checks(tmp_path, capsys):
    # the file's value reaches the checks of the registry: the unknown teacher is the error
    path = tmp_path / "c.toml"
    path.write_text("[audit]\nlayers = 1\n")
    assert main(["train", "--config", str(path), "--model.teacher", "nosuch"]) == 2
    assert capsys.readouterr().err.startswith(
        "pidkit-distill train: error: --model.teacher nosuch: not a known model")


def test_a_table_given_to_a_list_key_is_still_refused(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[audit]\nlayers = {first = 1}\n")
    with pytest.raises(TypeError, match=r"config key 'audit.layers' expects a list, got "
                                        r"\{'first': 1\} \(dict\)"):
        load_config(path)
