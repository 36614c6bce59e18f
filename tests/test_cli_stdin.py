"""``pidkit decompose -`` reads the joint from standard input, as Unix commands do: JSON text or
the bytes of a .npy array (``python make_joint.py | pidkit decompose -``). It said '-: no such
file'. A terminal with nothing piped is refused at once instead of waiting for typing."""

import io
import json
import pickle
import subprocess
import sys

import numpy as np
import pytest

from pidkit.cli import main

XOR = [[[0.25, 0], [0, 0.25]], [[0, 0.25], [0.25, 0]]]
TO_PIPE = ("pipe a joint into it: JSON text, the nested list p[y][t][s], or a .npy array's bytes "
           "(in Python: np.save(sys.stdout.buffer, p))")


def _npy_bytes(array: np.ndarray, **kwargs) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, **kwargs)
    return buffer.getvalue()


def _pipe(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def _error(capsys, *argv: str) -> str:
    assert main(["decompose", "-", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    return captured.err.removeprefix("pidkit decompose: error: ").rstrip("\n")


@pytest.mark.parametrize("data", [json.dumps(XOR).encode(), ("\ufeff" + json.dumps(XOR) + "\n").encode(),
                                  _npy_bytes(np.array(XOR)), _npy_bytes(np.array(XOR, dtype=np.float32))],
                         ids=["json", "json-with-bom", "npy", "npy-float32"])
def test_a_joint_piped_in_is_decomposed(capsys, monkeypatch, data):
    _pipe(monkeypatch, data)
    assert main(["decompose", "-", "--json"]) == 0
    atoms = json.loads(capsys.readouterr().out)
    assert [round(atoms[name], 6) for name in ("red", "uni_t", "uni_s", "syn")] == [0, 0, 0, 1]


def test_a_text_stream_without_bytes_is_read_too(capsys, monkeypatch):
    # main called in-process with sys.stdin a StringIO, which has no .buffer
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps([[[3, 1]], [[0, 4]]])))
    assert main(["decompose", "-", "--normalize"]) == 0
    assert "I(Y;T,S)      0.548795" in capsys.readouterr().out


def test_the_command_reads_a_pipe(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pidkit", "decompose", "-"], input=_npy_bytes(np.array(XOR)),
                          capture_output=True, check=False)
    assert (done.returncode, done.stderr) == (0, b""), done.stderr
    assert b"Syn(Y:T,S)    1.000000" in done.stdout


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True

    def read(self, *args) -> str:
        pytest.fail("waited for a terminal's typing")


def test_a_terminal_is_refused_at_once(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Terminal())
    assert _error(capsys) == (
        "'-' reads the joint from standard input, which is a terminal here; pipe a joint into it "
        "(python make_joint.py | pidkit decompose -), or give the path of a .npy or .json file")


@pytest.mark.parametrize("stdin", [None, "closed"])
def test_no_standard_input_is_refused(capsys, monkeypatch, stdin):
    stream = None if stdin is None else io.StringIO()
    if stream is not None:
        stream.close()
    monkeypatch.setattr(sys, "stdin", stream)
    assert _error(capsys) == ("'-' reads the joint from standard input, which is closed; "
                              f"{TO_PIPE}, or give the path of a .npy or .json file")


BAD_INPUTS = [
    ("empty", b"", f"standard input is empty (0 bytes); {TO_PIPE}"),
    ("blank", b"\n  \n", f"standard input is empty (only white space: 4 bytes); {TO_PIPE}"),
    ("newline", b"\n", f"standard input is empty (only white space: 1 byte); {TO_PIPE}"),  # echo '' |
    ("garbage", b"garbage",
     "standard input: neither a .npy array's bytes nor valid JSON (Expecting value: line 1 column 1 "
     "(char 0))"),
    ("pickle", pickle.dumps(XOR),  # never unpickled
     "standard input: neither a .npy array's bytes nor valid JSON ('utf-8' codec can't decode byte 0x80 in "
     "position 0: invalid start byte)"),
    ("object", b'{"p": [1]}',
     "standard input: holds an object, {\"p\": [1]}, not a joint; a .json joint holds the nested list "
     "p[y][t][s] itself, e.g. [[[0.5, 0], [0, 0]], [[0, 0], [0, 0.5]]] (its key 'p' holds a list: write "
     "that list alone)"),
    ("objects-npy", _npy_bytes(np.array([[[0.5, None]]], dtype=object), allow_pickle=True),
     "standard input: holds Python objects, not numbers; pidkit never unpickles files: save the joint as "
     "numbers (in Python: np.save(sys.stdout.buffer, np.asarray(p, dtype=float)))"),
    ("truncated-npy", _npy_bytes(np.full((20, 20, 20), 1 / 8000))[:300],
     "standard input: truncated: its header promises shape (20, 20, 20) of float64 (64000 bytes), but it "
     "held 172 bytes of data; pipe the joint again (in Python: np.save(sys.stdout.buffer, p))"),
    ("corrupt-npy", b"\x93NUMPY\x09\x00rest",
     "standard input: unknown .npy format version 9.0: NumPy writes 1.0, 2.0 and 3.0, so it is corrupt or "
     "not written by NumPy; pipe the joint again (in Python: np.save(sys.stdout.buffer, p))"),
    ("stack-npy", _npy_bytes(np.full((3, 2, 2, 2), 1 / 8)),
     "standard input: the joint must be a 3-D array indexed p[y, t, s] (target, teacher, student); got 4-D "
     "with shape (3, 2, 2, 2). For a stack of 3 joints p[k, y, t, s]: pidkit decompose reads one joint, so "
     "pipe each p[k] into a run of its own, or solve the whole stack at once in Python with "
     "pidkit.bertschinger_batch(p) (BROJA)."),
    ("one-stacked-json", json.dumps([XOR]).encode(),
     "standard input: the joint must be a 3-D array indexed p[y, t, s] (target, teacher, student); got 4-D "
     "with shape (1, 2, 2, 2). It holds one joint, p[0]: pipe p[0] alone."),
    ("bool-json", b"[[[0.5, true]]]",
     "standard input: the joint must be an array of real numbers; p[0, 0, 1] is the bool true, which numpy "
     "would read as 1.0; write the probability it stands for as a number, not true or false (or a count, "
     "with --normalize)."),
    ("half", json.dumps(np.full((2, 2, 2), 0.0625).tolist()).encode(),
     "standard input: the joint sums to 0.5 (off by 0.5), not 1 (allowed: within 1e-09). Pass --normalize to "
     "rescale it, or fix the input."),
]


@pytest.mark.parametrize(("data", "message"), [row[1:] for row in BAD_INPUTS],
                         ids=[row[0] for row in BAD_INPUTS])
def test_bad_input_on_standard_input_is_one_line(capsys, monkeypatch, data, message):
    _pipe(monkeypatch, data)
    assert _error(capsys) == message


def test_lists_nested_too_deep_are_one_line(capsys, monkeypatch):
    _pipe(monkeypatch, ("[" * 100_000 + "]" * 100_000).encode())
    assert _error(capsys).startswith(
        "standard input: neither a .npy array's bytes nor valid JSON (maximum recursion")


def test_the_help_says_how(capsys):
    assert main(["decompose", "--help"]) == 0
    assert "'-' reads it from standard input" in " ".join(capsys.readouterr().out.split())
