"""The joint that ``pidkit decompose`` reads: a .npy array (never unpickled) or a .json nested
list p[y][t][s] from a file (told apart by the suffix, else by the content) or piped into standard
input (``-``); and
:class:`UsageError`, the command's refusal of bad input, one line on stderr and exit status 2."""

from __future__ import annotations

import io
import json
import math
import os
import shlex
import sys
import tokenize
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from ._names import closest
from .command_line import one_line

_NPY_MAGIC = b"\x93NUMPY"
_UTF8_BOM = b"\xef\xbb\xbf"
_SNIFFED_BYTES = 4096
"""How much of a joint file is read to tell its format (:func:`sniffed_format`) or that it is blank."""
_NPY_HEADER_LENGTH_BYTES = {1: 2, 2: 4, 3: 4}
"""The .npy format versions NumPy writes (major; the minor is 0), with the bytes of each one's
header length field."""
_PREAMBLE_HOLDS = "which hold NumPy's magic string, format version and header length"
"""What the bytes of a .npy file before its header's text hold."""
_NPY_MOST_HEADER_BYTES = 10_000
"""The longest .npy header NumPy reads from a file it is not told to trust (np.load's
``max_header_size``)."""
_JOINT_SUFFIXES = (".npy", ".json")
"""The files ``decompose`` reads, by suffix (any case)."""
_TEXT_TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
"""The files of a text table, which ``decompose`` refuses with the routes from a table to a joint."""
_MOST_NAMES_COMPARED = 2000
"""The most file names a missing joint file's name is compared with for a did-you-mean."""
STDIN = "-"
"""The joint 'file' that stands for standard input, as in ``python make_joint.py | pidkit decompose -``."""
STDIN_NAME = "standard input"
"""How a refusal names standard input, where it names a joint file by its path."""
_TO_PIPE = ("pipe a joint into it: JSON text, the nested list p[y][t][s], or a .npy array's bytes "
            "(in Python: np.save(sys.stdout.buffer, p))")
_PRINT_TO_STDERR = "print to standard error instead (in Python: print(..., file=sys.stderr))"
"""What a script that printed text into the bytes of its .npy array does instead."""
_SHOWN_TEXT = 40
"""How much of the text before or after a .npy array a refusal shows."""
COUNTED_SAMPLES = "pidkit.joint_from_samples(y, t, s).counts"
"""The Python that counts aligned samples of labels y, t, s into the table this command decomposes
with --normalize, which warns of the plug-in's bias where it is large (the probabilities ``.p``
would be decomposed in silence)."""
_BIAS_HANDLED = ("decompose the counts with --normalize, which warns where the plug-in's bias is large "
                 "(pidkit.estimate.pid_from_representations(y, t, s) gives bias-corrected atoms)")


class UsageError(Exception):
    """A mistake in the command line or its input files: reported in one line, exit status 2."""


def one_joint_advice(each: str, stack: str, *, piped: bool, python: str = "", files: str = "FILE ...") -> str:
    """What a user of ``pidkit decompose`` does with several joints in one file (or piped in at
    once): save ``each`` to a file of its own (with the Python line ``python``) and decompose the
    ``files`` in one run, or pipe each into a run of its own, or solve them all at once with
    ``pidkit.bertschinger_batch(stack)``.

    Examples
    --------
    >>> one_joint_advice("p[k]", "p", piped=True)
    'pidkit decompose reads one joint, so pipe each p[k] into a run of its own, or solve the whole \
stack at once in Python with pidkit.bertschinger_batch(p) (BROJA)'
    """
    runs = (f"pipe each {each} into a run of its own{python}" if piped else
            f"save each {each} to a file of its own{python} and decompose them in one run (pidkit decompose "
            f"{files})")
    return (f"pidkit decompose reads one joint{'' if piped else ' per file'}, so {runs}, or solve the whole "
            f"stack at once in Python with pidkit.bertschinger_batch({stack}) (BROJA)")


def load_joint(path: str) -> Any:
    """The joint ``pidkit decompose`` was given, unchecked: the array in a .npy file (never
    unpickled) or the nested list in a .json file, or either piped into standard input. A file
    named otherwise is read by its content, as standard input is (:func:`sniffed_format`).

    Parameters
    ----------
    path : str
        The file's path, or :data:`STDIN` (``"-"``) for standard input.

    Returns
    -------
    numpy.ndarray or list
        A .npy array (memory-mapped from a file) or the JSON's nested list.

    Raises
    ------
    UsageError
        A missing, empty, corrupt or unknown file, a terminal or nothing on standard input.
    """
    if path == STDIN:
        return _read_stdin_joint()
    if not path.strip():
        raise UsageError("the joint file's path is empty; give a .npy or .json file p[y][t][s]")
    file = Path(path)
    if not file.exists():
        raise UsageError(f"{path}: no such file{_close_file_name(file)}")
    if file.is_dir():
        raise UsageError(_folder_refusal(path))
    suffix = file.suffix.lower()
    size = file.stat().st_size
    with file.open("rb") as handle:
        head = handle.read(_SNIFFED_BYTES)
    if size == 0 or (size == len(head) and not head.strip()):
        how = {".npy": "np.save(FILE, p) in Python", ".json": "the nested list p[y][t][s]"}.get(
            suffix, "np.save(FILE, p) in Python, or the nested list p[y][t][s] as JSON")
        raise UsageError(f"{path}: the file is empty ({_emptiness(size)}); write the joint into it: {how}")
    _refuse_text_before_array(head, path)
    # the content first, as np.load reads it: a .npy array saved as joint.json is an array
    kind = sniffed_format(head) or (suffix.removeprefix(".") if suffix in _JOINT_SUFFIXES else None)
    if kind == "npy":
        return _load_npy(file, path)
    if kind == "json":
        return _load_json_file(file, path)
    archive = _npz_advice(file, path) if suffix == ".npz" else ""
    if archive:
        raise UsageError(archive)
    advice = _text_table_advice(path, head) if suffix in _TEXT_TABLE_SUFFIXES else ""
    raise UsageError(f"{path}: expected a .npy array or a .json nested list p[y][t][s]{advice}")


def _folder_refusal(path: str) -> str:
    """The refusal of the folder ``path`` given as a joint file: pass its files instead, as a shell
    glob of the joint suffix (as spelt) most of its files have, ``pidkit decompose joints/*.npy``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     for name in ("a.npy", "b.npy", "c.json", "notes.txt"):
    ...         _ = (Path(folder) / name).write_bytes(b"")
    ...     print(_folder_refusal(folder).replace(folder, "joints"))
    joints: is a directory; pidkit decompose reads joint files, so pass its files (it holds 2 .npy \
files and 1 .json file), e.g. pidkit decompose joints/*.npy
    """
    try:
        with os.scandir(path) as entries:
            held: Counter[str] | None = Counter(
                Path(entry.name).suffix for entry in entries
                if Path(entry.name).suffix.lower() in _JOINT_SUFFIXES and entry.is_file())
    except OSError:  # a folder that cannot be listed: the advice without what it holds
        held = None
    if held is not None and not held:
        return (f"{path}: is a directory, and holds no .npy or .json file; give the path of a joint file "
                "(a .npy array or a .json nested list p[y][t][s])")
    most = held.most_common() if held else [(".npy", 0)]
    kinds = [f"{count} {kind} file{'' if count == 1 else 's'}" for kind, count in most]
    holds = f" (it holds {_and(kinds)})" if held else ""
    glob = Path(path) / f"*{most[0][0]}"
    return (f"{path}: is a directory; pidkit decompose reads joint files, so pass its files{holds}, "
            f"e.g. pidkit decompose {glob}")


def _and(items: list[str]) -> str:
    """``items`` joined by commas, the last two by ``and``.

    Examples
    --------
    >>> _and(["2 .npy files"]), _and(["2 .npy files", "1 .json file"])
    ('2 .npy files', '2 .npy files and 1 .json file')
    """
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


def _text_table_advice(path: str, head: bytes) -> str:
    """What to do with a text table (.csv, .tsv, .txt) that starts with ``head``, named ``path``.
    Its first row (after the blank and ``#`` comment lines np.loadtxt skips) decides: a header (a
    field that is no number) shows samples, which pidkit.joint_from_samples counts into a table saved
    as ``<stem>-counts.npy`` (not ``<stem>.npy``, which may hold the samples) and decomposed with
    --normalize, which warns of the plug-in's bias; numbers may be the joint's, which np.loadtxt
    reads and reshape makes 3-D, or samples' labels, so both routes are given. The fields split at
    the commas or tabs in ``head``, else at white space."""
    delimiter = next((mark for mark in (",", "\t") if mark.encode() in head), None)
    split = f", delimiter={delimiter!r}" if delimiter else ""
    row = _first_row(head, delimiter)
    if row is not None and not all(_is_number(field) for field in row[2] if field):
        line, shown, header = row
        columns = _label_columns(header)
        where = ("" if columns else ", with COLUMN_Y, COLUMN_T and COLUMN_S the columns of y, t and s, "
                 "counted from 0")
        counted = str(Path(path).with_name(f"{Path(path).stem}-counts.npy"))  # not the samples' .npy
        return (f"; its first row, {shown!r}, is a header, not numbers, as in a table of samples (one row "
                "of labels per sample): count them into a table (in Python: "
                f"y, t, s = np.loadtxt({path!r}{split}, skiprows={line + 1}, "
                f"usecols={columns or '(COLUMN_Y, COLUMN_T, COLUMN_S)'}, dtype=str, ndmin=2, unpack=True); "
                f"np.save({counted!r}, {COUNTED_SAMPLES})){where}, and {_BIAS_HANDLED}")
    saved = str(Path(path).with_suffix(".npy"))
    return (f"; for a table of the joint's numbers, save them with three axes and decompose that file "
            f"(in Python: np.save({saved!r}, np.loadtxt({path!r}{split}).reshape(n_y, n_t, n_s))); "
            "for samples (one row of labels y, t, s per sample), count them in Python with "
            f"{COUNTED_SAMPLES}, np.save that and {_BIAS_HANDLED}")


def _first_row(head: bytes, delimiter: str | None) -> tuple[int, str, list[str]] | None:
    """The first line of ``head`` that np.loadtxt reads (neither blank nor a ``#`` comment): its
    index among the lines, its text (at most 60 characters shown) and its fields, split at
    ``delimiter`` (None: white space), less one that ``head`` cuts off. None where no line of
    ``head`` holds a whole field."""
    text = head.removeprefix(_UTF8_BOM).decode("utf-8", errors="replace")
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        fields = [field.strip() for field in content.split(delimiter)]
        if len(head) == _SNIFFED_BYTES and index == len(lines) - 1 and not line.endswith(("\n", "\r")):
            fields = fields[:-1] if "#" not in line else fields
        shown = content if len(content) <= 60 else content[:60] + "..."
        return (index, shown, fields) if fields else None
    return None


_LABEL_COLUMN_NAMES = {"y": ("y", "target"), "t": ("t", "teacher"), "s": ("s", "student")}
"""The names of a samples table's columns of y, t and s (any case, quoted or not)."""


def _label_columns(header: list[str]) -> tuple[int, int, int] | None:
    """The columns of y, t and s in a table under ``header``, found by their names
    (:data:`_LABEL_COLUMN_NAMES`), each once; None where a name is missing or repeated."""
    names = [name.strip("\"'").lower() for name in header]
    found = [[index for index, name in enumerate(names) if name in _LABEL_COLUMN_NAMES[label]]
             for label in "yts"]
    return (found[0][0], found[1][0], found[2][0]) if all(len(places) == 1 for places in found) else None


def _is_number(field: str) -> bool:
    """Whether a table's ``field`` reads as a number (as np.loadtxt reads a float)."""
    try:
        float(field)
    except ValueError:
        return False
    return True


def sniffed_format(head: bytes) -> str | None:
    """The format of a joint whose bytes start with ``head``, read from its content, not its name:
    ``"npy"`` for NumPy's magic string, ``"json"`` where the first character after white space (and
    a UTF-8 byte order mark) opens a JSON list or object, else None.

    Examples
    --------
    >>> import io, numpy as np
    >>> buffer = io.BytesIO()
    >>> np.save(buffer, np.ones((1, 1, 1)))
    >>> sniffed_format(buffer.getvalue()), sniffed_format(b"\\n  [[[1]]]"), sniffed_format(b"1,2,3")
    ('npy', 'json', None)
    """
    if head.startswith(_NPY_MAGIC):
        return "npy"
    text = head.removeprefix(_UTF8_BOM).lstrip()
    return "json" if text[:1] in (b"[", b"{") else None


def _emptiness(size: int) -> str:
    """How empty a joint of ``size`` bytes, all white space, is: ``"0 bytes"``, or
    ``"only white space: 1 byte"``."""
    if size == 0:
        return "0 bytes"
    return f"only white space: {size} byte{'' if size == 1 else 's'}"


def _load_json_file(file: Path, path: str) -> list[Any]:
    """The nested list in a JSON file, refused with the reason where it is not valid JSON or no list."""
    try:
        # utf-8-sig: also the UTF-8 that Windows editors start with a byte order mark
        loaded = json.loads(file.read_text(encoding="utf-8-sig"))
    # ValueError: JSONDecodeError, or an integer of more digits than Python converts;
    # RecursionError: lists nested thousands deep.
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"{path}: not valid JSON ({one_line(exc)})") from exc
    if not isinstance(loaded, list):
        raise UsageError(_not_a_json_list(loaded, path))
    return loaded


def _close_file_name(file: Path) -> str:
    """``". Did you mean 'joint.npy'?"``, naming the joint file (.npy or .json) in the missing
    ``file``'s folder whose name, less its suffix, is closest to its name less its suffix (as the
    user wrote the folder; a file of the suffix typed first), or ``""`` where none is close: the
    suffixes, alike in most names, would make ``stk.npy`` close to ``jiont.npy``. Names too long or
    short to be close are skipped unread; a folder with more than :data:`_MOST_NAMES_COMPARED` of
    the rest gets no suggestion (difflib reads 100,000 in 3 s)."""
    size = len(file.stem)
    try:
        with os.scandir(file.parent) as entries:
            # difflib's closeness 2 M / (len(a) + len(b)) >= 0.6, M <= the shorter length
            names = [entry.name for entry in entries
                     if Path(entry.name).suffix.lower() in _JOINT_SUFFIXES and entry.is_file()
                     and 2 * min(size, len(stem := Path(entry.name).stem)) >= 0.6 * (size + len(stem))]
    except OSError:  # no such folder, or one that cannot be listed
        return ""
    if len(names) > _MOST_NAMES_COMPARED:
        return ""
    by_stem: dict[str, str] = {}
    for name in sorted(names, key=lambda name: Path(name).suffix.lower() != file.suffix.lower()):
        by_stem.setdefault(Path(name).stem, name)
    match = closest(file.stem, list(by_stem))
    return f". Did you mean {str(file.with_name(by_stem[match]))!r}?" if match is not None else ""


def _not_a_json_list(loaded: Any, path: str) -> str:
    """The refusal of a .json file whose value is not a list: an object, a string, a number,
    true, false or null."""
    text = json.dumps(loaded, ensure_ascii=False)
    shown = text if len(text) <= 40 else text[:40] + "..."
    kinds: dict[type, str] = {dict: "an object, ", str: "a string, "}
    kind = kinds.get(type(loaded), "")
    if isinstance(loaded, (int, float)) and not isinstance(loaded, bool):
        kind = "a number, "
    lists = [key for key, value in loaded.items() if isinstance(value, list)] if kind == "an object, " else []
    inside = f" (its key {lists[0]!r} holds a list: write that list alone)" if len(lists) == 1 else ""
    return (f"{path}: holds {kind}{shown}, not a joint; a .json joint holds the nested list "
            f"p[y][t][s] itself, e.g. [[[0.5, 0], [0, 0]], [[0, 0], [0, 0.5]]]{inside}")


def _npz_advice(file: Path, path: str) -> str:
    """The refusal of an .npz archive, naming the arrays in it and how to save one as a .npy; ``""``
    for a file that is no archive (refused as any file of another kind)."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = [name.removesuffix(".npy") for name in archive.namelist()]
    except (zipfile.BadZipFile, OSError):
        return ""
    held = f" (it holds {', '.join(map(repr, names[:5]))}{' ...' if len(names) > 5 else ''})" if names else ""
    name = repr(names[0]) if len(names) == 1 else "NAME"
    return (f"{path}: pidkit decompose reads one joint from a .npy or .json file, not an .npz archive{held}: "
            f"save the joint alone (in Python: np.save('joint.npy', np.load({path!r})[{name}])) and "
            "decompose that file")


def _load_npy(file: Path, path: str) -> np.ndarray:
    """The array in a .npy file, memory-mapped so that the size check runs before it is read."""
    with file.open("rb") as handle:
        needed = _checked_npy_header(handle, path, file.stat().st_size)
    try:
        return np.load(file, mmap_mode="r" if needed else None, allow_pickle=False)
    except (ValueError, EOFError, OSError) as exc:
        raise UsageError(f"{path}: cannot read it as a numeric .npy array ({one_line(exc)})") from exc


def _checked_npy_header(handle: io.BufferedIOBase, path: str, size: int) -> int:
    """The bytes of data that the .npy header at the start of ``handle`` (``size`` bytes in all,
    named ``path`` in a refusal) promises, after refusing a file with no NumPy magic, an unknown
    format version, a header cut short, longer than NumPy reads or other than the dictionary
    np.save writes, Python objects (never unpickled) or fewer bytes of data than promised."""
    start = handle.read(len(_NPY_MAGIC) + 2)
    if not start or not _NPY_MAGIC.startswith(start[:len(_NPY_MAGIC)]):
        raise UsageError(f"{path}: not a .npy file (no NumPy header); save it with np.save")
    if len(start) < len(_NPY_MAGIC) + 2:
        raise UsageError(_truncated_header(path, size, f"within the first {len(_NPY_MAGIC) + 4} bytes, "
                                           f"{_PREAMBLE_HOLDS}"))
    major, minor = start[-2], start[-1]
    length_bytes = _NPY_HEADER_LENGTH_BYTES.get(major) if minor == 0 else None
    if length_bytes is None:
        raise UsageError(f"{path}: unknown .npy format version {major}.{minor}: NumPy writes 1.0, 2.0 and "
                         f"3.0, so it is corrupt or not written by NumPy; {_save_again(path)}")
    preamble = len(start) + length_bytes
    length_field = handle.read(length_bytes)
    if len(length_field) < length_bytes:
        where = f"within the first {preamble} bytes, {_PREAMBLE_HOLDS}"
        raise UsageError(_truncated_header(path, size, where))
    header_length = int.from_bytes(length_field, "little")
    if header_length > _NPY_MOST_HEADER_BYTES:
        raise UsageError(f"{path}: corrupt .npy header: its length field says {header_length} bytes, more "
                         f"than the {_NPY_MOST_HEADER_BYTES} NumPy reads (a joint's takes about 120); "
                         f"{_save_again(path)}")
    header = handle.read(header_length)
    if len(header) < header_length:
        raise UsageError(_truncated_header(path, size, f"within its {preamble + header_length}-byte header"))
    shape, dtype = _parsed_npy_header(path, length_field, header, major)
    if dtype.hasobject:
        as_numbers = f"np.save({npy_target(path)}, np.asarray(p, dtype=float))"
        raise UsageError(f"{path}: holds Python objects, not numbers; pidkit never unpickles files: save the "
                         f"joint as numbers (in Python: {as_numbers})")
    stored = size - handle.tell()
    needed = math.prod(shape) * dtype.itemsize
    if stored < needed:
        raise UsageError(
            f"{path}: truncated: its header promises shape {shape} of {dtype} ({needed} bytes), "
            f"but {'the file holds' if path != STDIN_NAME else 'it held'} {stored} bytes of data; "
            f"{_save_again(path)}"
        )
    if stored > needed:
        handle.seek(needed, io.SEEK_CUR)
        raise UsageError(_more_than_the_array(path, stored - needed, handle.read(_SNIFFED_BYTES),
                                              f"shape {shape} of {dtype}, {needed} bytes"))
    return needed


def _more_than_the_array(path: str, extra: int, after: bytes, promised: str) -> str:
    """The refusal of a .npy file or input, named ``path``, with ``extra`` bytes after the data its
    header ``promised``; ``after`` starts those bytes: another .npy array (np.save called twice),
    text (printed after np.save) or anything else, which ``pidkit decompose`` would drop unseen."""
    piped = path == STDIN_NAME
    bytes_follow = f"{extra} byte follows" if extra == 1 else f"{extra} bytes follow"
    follow = f"{path}: {bytes_follow} the array its header describes ({promised})"
    if sniffed_format(after) == "npy":
        several = one_joint_advice("joint", "np.stack(joints)", piped=piped,
                                   python="" if piped else " (in Python: one np.save(FILE, p) per file)")
        return f"{follow}: another .npy array (np.save called more than once). {several}."
    text = _shown_text(after, cut_short=len(after) == _SNIFFED_BYTES)
    if text is not None and piped:
        return (f"{follow}: text ({text}), printed to standard output after np.save; {_PRINT_TO_STDERR}")
    what = f"text ({text})" if text is not None else "bytes that are no .npy array"
    return (f"{follow}: {what}; pidkit decompose reads one joint {'' if piped else 'per file '}and nothing "
            f"after it: {_save_again(path)}")


def _refuse_text_before_array(data: bytes, path: str) -> None:
    """Refuse ``data``, the start of a joint named ``path``, where a .npy array starts after text
    (a script's print before its np.save into standard output), which would read as neither
    format."""
    start = data.find(_NPY_MAGIC)
    text = _shown_text(data[:start], cut_short=False) if start > 0 else None
    if text is None:
        return
    where = "standard output" if path == STDIN_NAME else "standard output, redirected into the file,"
    raise UsageError(f"{path}: a .npy array starts at byte {start}, after text ({text}): something was "
                     f"printed to {where} before np.save; {_PRINT_TO_STDERR}")


def _shown_text(data: bytes, *, cut_short: bool) -> str | None:
    """The start of ``data`` as a refusal shows it (quoted, at most :data:`_SHOWN_TEXT`
    characters), where ``data`` is printable UTF-8 text; None for other bytes. Where ``data`` is
    ``cut_short`` (the first bytes of more), its last character may be cut too, and is dropped.

    Examples
    --------
    >>> _shown_text(b"making joint\\n", cut_short=False), _shown_text(b"\\x00\\x01", cut_short=False)
    ("'making joint\\\\n'", None)
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not (cut_short and exc.reason == "unexpected end of data"):
            return None
        text = data[:exc.start].decode("utf-8")
    if not text.strip() or not all(character.isprintable() or character.isspace() for character in text):
        return None
    return repr(text if len(text) <= _SHOWN_TEXT else text[:_SHOWN_TEXT] + "...")


def _parsed_npy_header(
    path: str, length_field: bytes, header: bytes, major: int
) -> tuple[tuple[int, ...], np.dtype]:
    """The shape and dtype in the .npy ``header`` (its bytes, after its ``length_field``) of
    format version ``major``.0, after refusing one that is no dictionary np.save writes: text
    NumPy cannot parse, other keys, or a shape of a negative length."""
    shown = ascii(header.decode("latin-1").strip())  # np.save writes ASCII: the rest shows as \xff
    shown = shown if len(shown) <= 100 else shown[:100] + "..."
    corrupt = (f"{path}: corrupt .npy header: {shown} is not the dictionary of 'descr', 'fortran_order' "
               f"and 'shape' that np.save writes; {_save_again(path)}")
    read_header = (np.lib.format.read_array_header_1_0 if major == 1
                   else np.lib.format.read_array_header_2_0)  # 3.0 differs only in encoding its text as UTF-8
    try:
        if major == 3:
            header.decode("utf-8")
        shape, _, dtype = read_header(io.BytesIO(length_field + header))
    # tokenize.TokenError: NumPy's reading of Python 2 headers, on unbalanced brackets
    except (ValueError, TypeError, SyntaxError, RecursionError, tokenize.TokenError) as exc:
        raise UsageError(corrupt) from exc
    if any(length < 0 for length in shape):
        raise UsageError(f"{path}: corrupt .npy header: shape {shape} has a negative length; "
                         f"{_save_again(path)}")
    return shape, dtype


def _truncated_header(path: str, size: int, where: str) -> str:
    """The refusal of a .npy file or input of ``size`` bytes that ends ``where`` in its header."""
    ends = "the file ends" if path != STDIN_NAME else "it ended"
    return f"{path}: truncated .npy header: {ends} after {size} bytes, {where}; {_save_again(path)}"


def _save_again(path: str) -> str:
    """How to write a .npy joint again: into a file, or into a pipe for standard input."""
    again = "pipe the joint again" if path == STDIN_NAME else "save the joint again"
    return f"{again} (in Python: np.save({npy_target(path)}, p))"


def samples_advice(save_to: str) -> str:
    """What a user with samples of labels does for this command: count them into a table saved to
    ``save_to``, and decompose it with --normalize, which warns of the plug-in's bias.

    Examples
    --------
    >>> print(samples_advice("FILE"))
    samples (labels y, t, s) are counted in Python: np.save(FILE, \
pidkit.joint_from_samples(y, t, s).counts); then decompose the counts with --normalize, which warns \
where the plug-in's bias is large (pidkit.estimate.pid_from_representations(y, t, s) gives \
bias-corrected atoms)
    """
    return (f"samples (labels y, t, s) are counted in Python: np.save({save_to}, {COUNTED_SAMPLES}); "
            f"then {_BIAS_HANDLED}")


def npy_target(path: str) -> str:
    """Where np.save writes the joint that ``path`` names, in the Python of advice: a file, or the
    pipe into standard input (``path`` is :data:`STDIN_NAME`).

    Examples
    --------
    >>> npy_target(STDIN_NAME), npy_target("joint.npy")
    ('sys.stdout.buffer', 'FILE')
    """
    return "sys.stdout.buffer" if path == STDIN_NAME else "FILE"


def _read_stdin_joint() -> Any:
    """The joint piped into standard input: the bytes of a .npy array (they start with its
    magic, never unpickled) or JSON text, the nested list p[y][t][s]. A terminal, which would
    wait for typing, is refused at once, as is standard input closed or empty."""
    stream = sys.stdin
    if stream is None or stream.closed:
        raise UsageError(f"'{STDIN}' reads the joint from standard input, which is closed; "
                         f"{_TO_PIPE}, or give the path of a .npy or .json file")
    if stream.isatty():
        raise UsageError(f"'{STDIN}' reads the joint from standard input, which is a terminal here; "
                         f"pipe a joint into it (python make_joint.py | pidkit decompose {STDIN}), "
                         "or give the path of a .npy or .json file")
    binary = getattr(stream, "buffer", None)  # a caller's text stream (main in-process) has none
    data = binary.read() if binary is not None else stream.read().encode("utf-8")
    if sniffed_format(data) == "npy":
        handle = io.BytesIO(data)
        _checked_npy_header(handle, STDIN_NAME, len(data))
        handle.seek(0)
        try:
            return np.load(handle, allow_pickle=False)
        except (ValueError, EOFError, OSError) as exc:
            raise UsageError(
                f"{STDIN_NAME}: cannot read it as a numeric .npy array ({one_line(exc)})") from exc
    _refuse_text_before_array(data, STDIN_NAME)
    if not data.strip():
        raise UsageError(f"{STDIN_NAME} is empty ({_emptiness(len(data))}); {_TO_PIPE}")
    try:
        loaded = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        names = _file_names(data)
        if names:
            raise UsageError(_file_names_refusal(names)) from exc
        raise UsageError(f"{STDIN_NAME}: neither a .npy array's bytes nor valid JSON "
                         f" ({one_line(exc)})") from exc
    if not isinstance(loaded, list):
        raise UsageError(_not_a_json_list(loaded, STDIN_NAME))
    return loaded


def _file_names(data: bytes) -> list[str] | None:
    """The lines of ``data``, piped into standard input, where each names a file (a .npy or .json
    one, or any that exists), as ``ls *.npy`` prints them; None where a line names none.

    Examples
    --------
    >>> _file_names(b"a.npy\\nb.NPY\\n"), _file_names(b"garbage"), _file_names(b"\\xff.npy")
    (['a.npy', 'b.NPY'], None, None)
    """
    try:
        lines = [line.strip() for line in data.decode("utf-8").splitlines() if line.strip()]
    except UnicodeDecodeError:
        return None
    named = all(Path(line).suffix.lower() in _JOINT_SUFFIXES or os.path.isfile(line) for line in lines)
    return lines if lines and named else None


def _file_names_refusal(names: list[str]) -> str:
    """The refusal of file names piped into standard input (``ls *.npy | pidkit decompose -``): the
    files go on the command line instead, where one run decomposes them all.

    Examples
    --------
    >>> print(_file_names_refusal(["run 1.npy"]))
    standard input: holds a file's name, 'run 1.npy', not a joint: '-' reads the joint itself from \
standard input. Give the file as an argument instead: pidkit decompose 'run 1.npy'
    """
    if len(names) == 1:
        return (f"{STDIN_NAME}: holds a file's name, {names[0]!r}, not a joint: '{STDIN}' reads the joint "
                f"itself from standard input. Give the file as an argument instead: pidkit decompose "
                f"{shlex.quote(names[0])}")
    shown = ", ".join(map(repr, names[:3])) + (", ..." if len(names) > 3 else "")
    suffix = Counter(Path(name).suffix for name in names).most_common(1)[0][0] or ".npy"
    return (f"{STDIN_NAME}: holds {len(names)} file names ({shown}), not a joint: '{STDIN}' reads one joint "
            "itself from standard input. Give the files as arguments instead, which one run decomposes "
            f"in turn: pidkit decompose *{suffix} (a shell glob), or turn a list of names into arguments "
            "with xargs: ... | xargs pidkit decompose")

