"""`pidkit decompose` refuses a .npy file or input with bytes after the array its header describes
(np.save called twice into one file or pipe, text printed after np.save, junk appended), and one
whose array starts after text (a script's print before its np.save into standard output). The
first decomposed the first array and dropped the rest unseen, with exit status 0; the second said
"neither a .npy array's bytes nor valid JSON ('utf-8' codec can't decode byte 0x93 ...)"."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pytest

from pidkit import examples
from pidkit.cli import main

XOR = examples.xor()


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _refusal(capsys, argv: list[str]) -> str:
    """The one line `pidkit decompose ARGV` prints on stderr, exit status 2, after its prefix."""
    assert main(["decompose", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    return captured.err.removeprefix("pidkit decompose: error: ").rstrip("\n")


def _piped(capsys, monkeypatch, data: bytes) -> str:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    return _refusal(capsys, ["-"])


XOR_BYTES = len(_npy(XOR))  # 192: 128 of header, 64 of data
SHAPE = "shape (2, 2, 2) of float64, 64 bytes"
BATCH = "or solve the whole stack at once in Python with pidkit.bertschinger_batch(np.stack(joints)) (BROJA)."


def test_two_arrays_saved_into_one_file_are_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with open("two.npy", "wb") as file:
        np.save(file, XOR)
        np.save(file, examples.rdn())
    assert _refusal(capsys, ["two.npy"]) == (
        f"two.npy: {XOR_BYTES} bytes follow the array its header describes ({SHAPE}): another .npy array "
        "(np.save called more than once). pidkit decompose reads one joint per file, so save each joint to "
        "a file of its own (in Python: one np.save(FILE, p) per file) and decompose them in one run (pidkit "
        f"decompose FILE ...), {BATCH}")


def test_two_arrays_piped_in_are_refused(capsys, monkeypatch):
    second = _npy(np.ones((3, 1, 1), dtype=np.float32) / 3)
    assert len(second) == 128 + 3 * 4
    assert _piped(capsys, monkeypatch, _npy(XOR) + second) == (
        f"standard input: 140 bytes follow the array its header describes ({SHAPE}): another .npy array "
        "(np.save called more than once). pidkit decompose reads one joint, so pipe each joint into a run "
        f"of its own, {BATCH}")


def test_text_appended_to_a_file_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    np.save("joint.npy", XOR)
    with open("joint.npy", "ab") as file:
        file.write(b"junk\n")  # (cat joint.npy; echo junk) > joint.npy
    assert _refusal(capsys, ["joint.npy"]) == (
        f"joint.npy: 5 bytes follow the array its header describes ({SHAPE}): text ('junk\\n'); pidkit "
        "decompose reads one joint per file and nothing after it: save the joint again (in Python: "
        "np.save(FILE, p))")


def test_one_binary_byte_appended_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "joint.npy").write_bytes(_npy(XOR) + b"\x00")
    assert _refusal(capsys, ["joint.npy"]) == (
        f"joint.npy: 1 byte follows the array its header describes ({SHAPE}): bytes that are no .npy array; "
        "pidkit decompose reads one joint per file and nothing after it: save the joint again (in Python: "
        "np.save(FILE, p))")


def test_text_printed_after_the_array_is_refused(capsys, monkeypatch):
    assert _piped(capsys, monkeypatch, _npy(XOR) + "done ✓\n".encode()) == (
        f"standard input: 9 bytes follow the array its header describes ({SHAPE}): text ('done ✓\\n'), "
        "printed to standard output after np.save; print to standard error instead (in Python: print(..., "
        "file=sys.stderr))")


def test_text_printed_before_the_array_is_refused(capsys, monkeypatch):
    # python make_joint.py | pidkit decompose -, with a print() before np.save(sys.stdout.buffer, p)
    assert _piped(capsys, monkeypatch, b"making joint\n" + _npy(XOR)) == (
        "standard input: a .npy array starts at byte 13, after text ('making joint\\n'): something was "
        "printed to standard output before np.save; print to standard error instead (in Python: "
        "print(..., file=sys.stderr))")


def test_text_redirected_into_a_file_before_the_array_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "joint.npy").write_bytes(b"x" * 60 + b"\n" + _npy(XOR))  # python make_joint.py > joint.npy
    assert _refusal(capsys, ["joint.npy"]) == (
        f"joint.npy: a .npy array starts at byte 61, after text ('{'x' * 40}...'): something was printed to "
        "standard output, redirected into the file, before np.save; print to standard error instead (in "
        "Python: print(..., file=sys.stderr))")


def test_the_refusal_in_a_shell_pipe():
    script = ("import sys, numpy as np\nprint('making joint')\nsys.stdout.flush()\n"
              "np.save(sys.stdout.buffer, np.full((2, 2, 2), 1 / 8))")
    maker = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True)
    done = subprocess.run([sys.executable, "-m", "pidkit", "decompose", "-"], input=maker.stdout,
                          capture_output=True, check=False)
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.startswith(b"pidkit decompose: error: standard input: a .npy array starts at byte 13")


@pytest.mark.parametrize("data", [
    json.dumps({"\u00d3NUMPY": 1}).encode(),  # UTF-8 C3 93: the magic's first byte ends a letter
    json.dumps([[["\u00d3NUMPY"]]], ensure_ascii=False).encode(),
], ids=["object", "text-cell"])
def test_json_that_holds_the_magic_in_a_letter_is_read_as_json(capsys, monkeypatch, data):
    assert "a .npy array starts" not in _piped(capsys, monkeypatch, data)


def test_a_single_array_is_still_decomposed(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    np.save("joint.npy", XOR)
    assert main(["decompose", "joint.npy", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["syn"] == pytest.approx(1.0, abs=1e-9)
