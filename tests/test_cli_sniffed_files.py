"""`pidkit decompose FILE` reads a joint file by its content where its name has no .npy or .json
suffix, as it reads standard input: a .npy array saved as `joint` or `joint.bin` was refused with
'expected a .npy array or a .json nested list', although `pidkit decompose - < joint` read it. A
file that is empty or only white space is called empty, whatever its name."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pidkit import examples
from pidkit.cli import main
from tests.test_cli_joint_files import decompose_error

# The decomposition of XOR (all synergy) that every readable file below holds.
XOR_SYN_LINE = "Syn(Y:T,S)    1.000000"


def _decomposed(tmp_path, monkeypatch, capsys, name):
    monkeypatch.chdir(tmp_path)
    assert main(["decompose", name, "--measure", "mmi"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


@pytest.mark.parametrize("name", ["joint", "joint.bin", "joint.NPY.bak"])
def test_an_npy_array_without_the_suffix_is_read(tmp_path, monkeypatch, capsys, name):
    with open(tmp_path / name, "wb") as handle:
        np.save(handle, examples.xor())
    assert XOR_SYN_LINE in _decomposed(tmp_path, monkeypatch, capsys, name)


@pytest.mark.parametrize("text", ["{}", "\n  {}", "\ufeff{}"], ids=["bare", "indented", "bom"])
def test_a_json_list_without_the_suffix_is_read(tmp_path, monkeypatch, capsys, text):
    (tmp_path / "joint.txt").write_text(text.format(json.dumps(examples.xor().tolist())), encoding="utf-8")
    assert XOR_SYN_LINE in _decomposed(tmp_path, monkeypatch, capsys, "joint.txt")


def test_a_json_object_without_the_suffix_is_refused_as_json(tmp_path, monkeypatch, capsys):
    (tmp_path / "joint").write_text('{"p": [[[1]]]}')
    assert decompose_error(tmp_path, monkeypatch, capsys, "joint").startswith(
        'joint: holds an object, {"p": [[[1]]]}, not a joint; a .json joint holds the nested list')


def test_the_content_decides_over_a_suffix_that_contradicts_it(tmp_path, monkeypatch, capsys):
    # a .npy array named .json was refused "not valid JSON ('utf-8' codec can't decode byte
    # 0x93 ...)"; np.load, too, reads a file by its magic string, not its name
    with open(tmp_path / "joint.json", "wb") as handle:
        np.save(handle, examples.xor())
    (tmp_path / "joint.npy").write_text(json.dumps(examples.xor().tolist()))
    for name in ("joint.json", "joint.npy"):
        assert XOR_SYN_LINE in _decomposed(tmp_path, monkeypatch, capsys, name)


def test_a_suffix_decides_where_the_content_is_neither(tmp_path, monkeypatch, capsys):
    (tmp_path / "joint.json").write_text("1, 2, 3")
    assert decompose_error(tmp_path, monkeypatch, capsys, "joint.json").startswith(
        "joint.json: not valid JSON (")
    (tmp_path / "joint.npy").write_text("1, 2, 3")
    assert decompose_error(tmp_path, monkeypatch, capsys, "joint.npy") == (
        "joint.npy: not a .npy file (no NumPy header); save it with np.save")


@pytest.mark.parametrize("content", [b"1 2 3\n", b"PK\x03\x04 not quite a zip", b"\x80\x04pickle"])
def test_an_unrecognisable_file_names_itself_and_the_formats(tmp_path, monkeypatch, capsys, content):
    (tmp_path / "joint").write_bytes(content)
    assert decompose_error(tmp_path, monkeypatch, capsys, "joint") == (
        "joint: expected a .npy array or a .json nested list p[y][t][s]")


@pytest.mark.parametrize(
    ("name", "content", "said", "how"),
    [
        ("joint", b"", "0 bytes", "np.save(FILE, p) in Python, or the nested list p[y][t][s] as JSON"),
        ("joint", b"\n", "only white space: 1 byte",
         "np.save(FILE, p) in Python, or the nested list p[y][t][s] as JSON"),
        ("joint.json", b" \n\t\n", "only white space: 4 bytes", "the nested list p[y][t][s]"),
        ("joint.npy", b"\n", "only white space: 1 byte", "np.save(FILE, p) in Python"),
    ],
)
def test_a_blank_file_is_called_empty(tmp_path, monkeypatch, capsys, name, content, said, how):
    (tmp_path / name).write_bytes(content)
    assert decompose_error(tmp_path, monkeypatch, capsys, name) == (
        f"{name}: the file is empty ({said}); write the joint into it: {how}")
