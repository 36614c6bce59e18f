"""`pidkit decompose` refuses every corrupt .npy file, or .npy bytes piped into it, in one line
that names the file and what is wrong, with exit status 2 and nothing unpickled. An unknown
format version said 'corrupt .npy header (EOF: reading array header, expected 662372470 bytes got
180)', the header's length read as 4 bytes of the next version's; a header of unbalanced brackets
was a traceback (NumPy's tokenize.TokenError); a header that is no dictionary printed the address
of an ast node; a negative length in the shape 'cannot read it as a numeric .npy array (negative
dimensions are not allowed)'."""

from __future__ import annotations

import io
import pickle
import sys

import numpy as np
import pytest

from pidkit.cli import main

XOR = np.array([[[0.25, 0], [0, 0.25]], [[0, 0.25], [0.25, 0]]])
AGAIN = "save the joint again (in Python: np.save(FILE, p))"
PIPE_AGAIN = "pipe the joint again (in Python: np.save(sys.stdout.buffer, p))"
PREAMBLE = "which hold NumPy's magic string, format version and header length"


def _npy(array: np.ndarray, version: tuple[int, int] | None = None, **kwargs) -> bytes:
    """The bytes np.save writes for ``array``, in format ``version`` where given."""
    buffer = io.BytesIO()
    if version is None:
        np.save(buffer, array, **kwargs)
    else:
        np.lib.format.write_array(buffer, array, version=version, **kwargs)
    return buffer.getvalue()


GOOD = _npy(XOR)  # 128 bytes: 10 of magic, version and header length, 118 of header, 64 of data


def _with_header(text: str) -> bytes:
    """A version 1.0 .npy file whose header's text is ``text``, then XOR's data."""
    header = text.encode("latin-1") + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + GOOD[128:]


# (id, the file's bytes, the message after "FILE: "; <again>, <ended> and <held> differ for a pipe)
CORRUPT = [
    ("bad magic", b"\x93NUMPX" + GOOD[6:], "not a .npy file (no NumPy header); save it with np.save"),
    ("pickle", pickle.dumps(XOR), "not a .npy file (no NumPy header); save it with np.save"),
    ("unknown version", b"\x93NUMPY\x09\x00" + GOOD[8:],
     "unknown .npy format version 9.0: NumPy writes 1.0, 2.0 and 3.0, so it is corrupt or not written by "
     "NumPy; <again>"),
    ("unknown minor version", b"\x93NUMPY\x01\x05" + GOOD[8:],
     "unknown .npy format version 1.5: NumPy writes 1.0, 2.0 and 3.0, so it is corrupt or not written by "
     "NumPy; <again>"),
    ("cut in the version", GOOD[:7],
     "truncated .npy header: <ended> after 7 bytes, within the first 10 bytes, " + PREAMBLE + "; <again>"),
    ("cut in the header length", _npy(XOR, version=(2, 0))[:10],
     "truncated .npy header: <ended> after 10 bytes, within the first 12 bytes, " + PREAMBLE + "; <again>"),
    ("cut in the header", GOOD[:20],
     "truncated .npy header: <ended> after 20 bytes, within its 128-byte header; <again>"),
    ("header length too long", GOOD[:8] + b"\xff\xff" + GOOD[10:],
     "corrupt .npy header: its length field says 65535 bytes, more than the 10000 NumPy reads (a joint's "
     "takes about 120); <again>"),
    ("header no dictionary", _with_header("xyz"),
     "corrupt .npy header: 'xyz' is not the dictionary of 'descr', 'fortran_order' and 'shape' that np.save "
     "writes; <again>"),
    ("long header no dictionary", _with_header("x" * 150),
     "corrupt .npy header: '" + "x" * 99 + "... is not the dictionary of 'descr', 'fortran_order' and "
     "'shape' that np.save writes; <again>"),
    ("header of unbalanced brackets", _with_header("{'descr': '<f8', 'shape': (2,"),
     "corrupt .npy header: \"{'descr': '<f8', 'shape': (2,\" is not the dictionary of 'descr', "
     "'fortran_order' and 'shape' that np.save writes; <again>"),
    ("header of other keys", _with_header("{'descr': '<f8', 'shape': (2, 2, 2)}"),
     "corrupt .npy header: \"{'descr': '<f8', 'shape': (2, 2, 2)}\" is not the dictionary of 'descr', "
     "'fortran_order' and 'shape' that np.save writes; <again>"),
    ("unknown dtype", _with_header("{'descr': '<f3', 'fortran_order': False, 'shape': (2, 2, 2), }"),
     "corrupt .npy header: \"{'descr': '<f3', 'fortran_order': False, 'shape': (2, 2, 2), }\" is not the "
     "dictionary of 'descr', 'fortran_order' and 'shape' that np.save writes; <again>"),
    ("version 3 header not UTF-8", b"\x93NUMPY\x03\x00" + (4).to_bytes(4, "little") + b"\xff\xfe\xfd\n",
     "corrupt .npy header: '\\xff\\xfe\\xfd' is not the dictionary of 'descr', 'fortran_order' and 'shape' "
     "that np.save writes; <again>"),
    ("negative shape", _with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, -2, 2), }"),
     "corrupt .npy header: shape (2, -2, 2) has a negative length; <again>"),
    ("cut in the data", GOOD[:-8],
     "truncated: its header promises shape (2, 2, 2) of float64 (64 bytes), but <held> 56 bytes of data; "
     "<again>"),
    ("objects", _npy(np.array([[[0.5, None]]], dtype=object), allow_pickle=True),
     "holds Python objects, not numbers; pidkit never unpickles files: save the joint as numbers (in Python: "
     "np.save(FILE, np.asarray(p, dtype=float)))"),
    ("a field of objects", _npy(np.zeros(2, dtype=[("p", "f8"), ("note", "O")]), allow_pickle=True),
     "holds Python objects, not numbers; pidkit never unpickles files: save the joint as numbers (in Python: "
     "np.save(FILE, np.asarray(p, dtype=float)))"),
]


def _filled(message: str, again: str, ended: str, held: str) -> str:
    return message.replace("<again>", again).replace("<ended>", ended).replace("<held>", held)


def _one_line(capsys) -> str:
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    assert "Traceback" not in captured.err
    return captured.err.removeprefix("pidkit decompose: error: ").rstrip("\n")


@pytest.mark.parametrize(("data", "message"), [row[1:] for row in CORRUPT], ids=[row[0] for row in CORRUPT])
def test_a_corrupt_npy_file_is_one_line_naming_the_file(tmp_path, monkeypatch, capsys, data, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "joint.npy").write_bytes(data)
    monkeypatch.setattr(pickle, "loads", lambda *_: pytest.fail("a .npy file was unpickled"))
    assert main(["decompose", "joint.npy"]) == 2
    assert _one_line(capsys) == "joint.npy: " + _filled(message, AGAIN, "the file ends", "the file holds")


@pytest.mark.parametrize(("data", "message"), [row[1:] for row in CORRUPT if row[1].startswith(b"\x93NUMPY")],
                         ids=[row[0] for row in CORRUPT if row[1].startswith(b"\x93NUMPY")])
def test_corrupt_npy_bytes_piped_in_are_one_line_naming_standard_input(monkeypatch, capsys, data, message):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    monkeypatch.setattr(pickle, "loads", lambda *_: pytest.fail("the piped bytes were unpickled"))
    assert main(["decompose", "-"]) == 2
    expected = _filled(message, PIPE_AGAIN, "it ended", "it held").replace("np.save(FILE, ",
                                                                           "np.save(sys.stdout.buffer, ")
    assert _one_line(capsys) == "standard input: " + expected

