import json
import math
import os
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest

import pidkit
from pidkit import examples
from pidkit.cli import main
from pidkit.redundancy.vertex_limit import TooManyVertices


def test_decompose_example_prints_the_table(capsys):
    assert main(["decompose", "--example", "AND"]) == 0
    out = capsys.readouterr().out
    assert "Red(Y:T,S)" in out and "0.311278" in out and "status='optimal'" in out


def test_decompose_file_as_json(tmp_path, capsys):
    path = tmp_path / "joint.npy"
    np.save(path, examples.xor())
    assert main(["decompose", str(path), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["syn"] == pytest.approx(1.0, abs=1e-9) and record["status"] == "optimal"


def test_decompose_json_file_with_normalize(tmp_path, capsys):
    path = tmp_path / "joint.json"
    path.write_text(json.dumps((examples.rdn() * 4).tolist()))
    assert main(["decompose", str(path), "--normalize", "--units", "nats"]) == 0
    assert "0.693147" in capsys.readouterr().out


def test_examples_table_lists_every_example(capsys):
    main(["examples"])
    out = capsys.readouterr().out
    for name in examples.catalogue():
        assert name in out


def _write(path, content):
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content)
    elif content is not None:
        content(path)
    return str(path)


def _npy(array, **kwargs):
    return lambda path: np.save(path, array, **kwargs)


def _truncated(path):
    np.save(path, np.full((20, 20, 20), 1 / 8000))
    path.write_bytes(path.read_bytes()[:300])


# (id, file name, content or writer, extra argv, message regex). Each must exit 2 with one line.
BAD_INPUTS = [
    ("missing file", "missing.npy", None, [], r"missing\.npy: no such file"),
    ("directory", "dir.npy", lambda p: p.mkdir(), [], r"dir\.npy: is a directory"),
    ("unknown suffix", "joint.dat", "1 2 3", [],
     r"joint\.dat: expected a \.npy array or a \.json nested list p\[y\]\[t\]\[s\]$"),
    ("samples csv", "labels.csv", "y,t,s\n0,0,1\n", [],
     r"labels\.csv: expected a \.npy .* is a header, .* samples .* pidkit\.joint_from_samples\(y, t, s\)"),
    ("corrupt npy", "bad.npy", b"garbage bytes, not an array", [], r"bad\.npy: not a \.npy file"),
    ("pickle in npy", "pickled.npy", pickle.dumps([1, 2, 3]), [], r"pickled\.npy: not a \.npy file"),
    ("truncated npy", "cut.npy", _truncated, [], r"cut\.npy: truncated: .*64000 bytes"),
    (
        "object npy",
        "obj.npy",
        _npy(np.array([[[0.5, None]]], dtype=object), allow_pickle=True),
        [],
        r"obj\.npy: holds Python objects, not numbers; pidkit never unpickles",
    ),
    ("string npy", "str.npy", _npy(np.array([[["a", "b"]]])), [], r"str\.npy: the joint must be an array of"),
    ("2-D npy", "flat.npy", _npy(np.full((2, 2), 0.25)), [], r"flat\.npy: the joint must be a 3-D array"),
    ("empty axis", "empty.npy", _npy(np.zeros((0, 2, 2))), [], r"the joint has an empty axis"),
    ("negative mass", "neg.npy", _npy(np.array([[[1.5, -0.5]]])), [], r"the joint has negative mass: -0\.5"),
    ("does not sum to 1", "half.npy", _npy(np.full((2, 2, 2), 0.0625)), [],
     r"the joint sums to 0\.5.*Pass --normalize to rescale it"),
    ("invalid json", "bad.json", "[[[0.5, 0.5]], ", [], r"bad\.json: not valid JSON \(Expecting value"),
    ("not utf-8", "latin.json", b"\xff\xfe\x00", [], r"latin\.json: not valid JSON"),
    ("non-numeric json", "abc.json", '[[["a", "b"]]]', [], r"abc\.json: the joint must be an array of real"),
    ("null in json", "null.json", "[[[0.5, null]]]", [],
     r"p\[0, 0, 1\] is null: the cell is missing\. Write the probability it holds as a number: 0 "),
    ("object json", "dict.json", '{"p": 1}', [],
     r'dict\.json: holds an object, \{"p": 1\}, not a joint; a \.json joint holds the nested list p\[y\]'),
    ("ragged json", "ragged.json", "[[[0.5, 0.5]], [[0.5]]]", [], r"ragged\.json: the joint is ragged"),
    ("NaN in json", "nan.json", "[[[NaN, 1]]]", [], r"the joint contains NaN at index \(0, 0, 0\)"),
    ("unknown measure", "ok.json", "[[[1]]]", ["--measure", "ghh"], r"--measure must be one of .*'gh'\?"),
    ("file and example", "ok.json", "[[[1]]]", ["--example", "AND"], r"either a joint file or --example"),
]


@pytest.mark.parametrize(
    ("name", "content", "extra", "match"), [r[1:] for r in BAD_INPUTS], ids=[r[0] for r in BAD_INPUTS]
)
def test_bad_input_is_one_line_on_stderr_with_exit_2(tmp_path, capsys, name, content, extra, match):
    path = _write(tmp_path / name, content)
    assert main(["decompose", path, *extra]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pidkit decompose: error: "), captured.err
    assert "Traceback" not in captured.err
    assert re.search(match, lines[0]), lines[0]


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["decompose", "--example", "nope"],
         r"unknown example 'nope'; known: \['and'.*'xor-and'\], and the aliases cat = copy, tbc = copy\.$"),
        # the known names were listed without the one meant
        (["decompose", "--example", "unq_t"],
         r"unknown example 'unq_t'; known: .*\. Did you mean 'unq-t'\?$"),
        (["decompose"], "give either a joint file or --example"),
        (["decompose", ""], "the joint file's path is empty"),  # it said ': is a directory'
        (["decompose", "--example", "and", "--measure", "mmi "], "--measure must be one of"),
        # --n was ignored: the examples ran and passed as without it
        (["check", "examples", "--n", "5"],
         r"^pidkit check: error: examples takes no --n \(only theorem-3\.2, theorem-4\.1 and all do\); "
         r"drop it$"),
    ],
)
def test_argument_errors_are_one_line(capsys, argv, match):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and re.search(match, err), err


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        # It named neither the subcommand nor the option meant: "pidkit: error: unrecognized
        # arguments: --exmaple; see 'pidkit --help'".
        (["decompose", "--exmaple", "and"],
         r"^pidkit decompose: error: unrecognized arguments: --exmaple\. Did you mean '--example'\? "
         r"See 'pidkit decompose --help'$"),
        # argparse takes one run of joint files only: the rest was "unrecognized", without why
        (["decompose", "joint.json", "--json", "other.json"],
         r"^pidkit decompose: error: unrecognized arguments: other\.json\. Give every JOINT together, all "
         r"before or all after the options \(not some on each side\); see 'pidkit decompose --help'$"),
        # a command's option before the command: it did not say where the option goes
        (["--debug", "decompose", "--example", "and"],
         r"^pidkit: error: unrecognized arguments: --debug\. --debug is an option of the commands "
         r"decompose, examples, check: put it after the command, e\.g\. 'pidkit decompose --debug "
         r"\.\.\.'; see 'pidkit --help'$"),
        (["--json", "check"], r"^pidkit: error: unrecognized arguments: --json\. --json is an option of "
                              r"the commands decompose, examples, check: put it after the command"),
        # Abbreviations were taken: --jso printed JSON, --ex and --meas ran the example under gh.
        (["decompose", "--example", "and", "--jso"],
         r"^pidkit decompose: error: unrecognized arguments: --jso\. Did you mean '--json'\?"),
        (["decompose", "--ex", "and", "--meas", "gh"],
         r"^pidkit decompose: error: unrecognized arguments: --ex --meas gh\. Did you mean '--example'\?"),
        (["check", "theorem-3.2", "--se", "3"], r"^pidkit check: error: unrecognized arguments: --se 3\. "
                                                r"Did you mean '--seed'\?"),
        # A misspelt command or choice was listed without the one meant.
        (["decompse", "--example", "and"],
         r"^pidkit: error: argument command: invalid choice: 'decompse' \(choose from 'decompose', "
         r"'examples', 'check'\)\. Did you mean 'decompose'\? See 'pidkit --help'$"),
        (["check", "theorem3.1"], r"invalid choice: 'theorem3\.1' .*\. Did you mean 'theorem-3\.1'\? "
                                  r"See 'pidkit check --help'$"),
        (["decompose", "--example"], r"^pidkit decompose: error: argument --example: expected one argument; "
                                     r"see 'pidkit decompose --help'"),
        (["decompose", "--example", "and", "--units", "bit"],
         r"argument --units: invalid choice: 'bit' \(choose from 'bits', 'nats'\)\. Did you mean 'bits'\?"),
        (["check", "theorem-5"], r"^pidkit check: error: argument which: invalid choice: 'theorem-5'"),
        (["check", "theorem-3.2", "--seed", "-1"],
         r"argument --seed: expected an integer from 0 to 2\*\*32 - 1"),
        (["nosuch"], r"argument command: invalid choice: 'nosuch'"),
        # A misspelt option before its value blamed the value, taken as the check: "argument
        # which: invalid choice: '3' (choose from 'all', ...)" ('--se 3' meant --seed 3 before
        # abbreviations were refused).
        (["check", "--se", "3"], r"^pidkit check: error: unrecognized arguments: --se\. Did you mean "
                                 r"'--seed'\? See 'pidkit check --help'$"),
        (["check", "--flp=0.2", "0.5", "theorem-3.1"],
         r"^pidkit check: error: unrecognized arguments: --flp=0\.2\. Did you mean '--flip'\? See"),
        (["--quiet", "decompse"], r"^pidkit: error: unrecognized arguments: --quiet; see 'pidkit --help'$"),
        (["check", "--n", "3", "-5"], r"argument which: invalid choice: '-5'"),  # a number, no option
        # A value starting with '-' that is no plain number read as an option, and the message said
        # only "expected one argument".
        (["check", "theorem-3.2", "--sizes", "-1,2,3"],
         r"^pidkit check: error: argument --sizes: expected one argument \('-1,2,3' reads as an option: "
         r"write --sizes=-1,2,3\); see 'pidkit check --help'$"),
        (["check", "theorem-3.1", "--flip", "-1e-3"], r"\('-1e-3' reads as an option: write --flip=-1e-3\)"),
        (["decompose", "--example", "--json"], r"--example: expected one argument; see"),  # no value at all
        # pidkit's own option after a command was "unrecognized arguments: --version. Did you
        # mean '--json'?"
        (["decompose", "--example", "and", "--version"],
         r"^pidkit: error: --version is an option of 'pidkit' itself, not of its command decompose: "
         r"put it before the command, as in 'pidkit --version'; see 'pidkit --help'$"),
        (["check", "--version"], r"^pidkit: error: --version is an option of 'pidkit' itself, not "
                                 r"of its command check: put it before"),
        # --version in the place of an option's value was called misplaced, and the hint said to
        # write --measure=--version: the option lacks its value, as argparse says
        (["decompose", "--measure", "--version"],
         r"^pidkit decompose: error: argument --measure: expected one argument; "
         r"see 'pidkit decompose --help'$"),
    ],
)
def test_argparse_errors_are_one_line_too(capsys, argv, match):
    # argparse's own errors printed the usage (2-5 lines) before the error
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    assert re.search(match, captured.err), captured.err


def test_help_exits_0(capsys):
    assert main(["decompose", "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: pidkit decompose")


def test_version(capsys):
    # `pidkit --version` said "the following arguments are required: command" (exit 2)
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"pidkit {pidkit.__version__}\n"


def test_debug_shows_the_traceback_and_keeps_the_exit_status(tmp_path):
    # --debug raised the error: Python's exit status 1, which reads as a failed computation.
    path = _write(tmp_path / "bad.npy", b"garbage")
    done = subprocess.run([sys.executable, "-m", "pidkit", "decompose", path, "--debug"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert re.match(r"pidkit\._joint_input\.UsageError: .*bad\.npy: not a \.npy file", lines[-2])
    assert re.match(r"pidkit decompose: error: .*bad\.npy: not a \.npy file", lines[-1])


def test_debug_keeps_exit_1_of_an_uncertified_answer(capsys, monkeypatch):
    from pidkit import _mixture

    monkeypatch.setattr(_mixture, "MAX_EXACT_PIVOTS", 0)
    assert main(["decompose", "--example", "and", "--measure", "gh", "--debug"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert err.splitlines()[-1].startswith("pidkit decompose: solver failed: gh:")


def test_the_installed_command_exits_2(tmp_path):
    path = _write(tmp_path / "bad.json", "[[[0.5, 0.5]], ")
    done = subprocess.run(
        [sys.executable, "-m", "pidkit", "decompose", path], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "not valid JSON" in done.stderr


def test_uncertified_answer_exits_1(capsys, monkeypatch):
    from pidkit import _mixture

    monkeypatch.setattr(_mixture, "MAX_EXACT_PIVOTS", 0)
    assert main(["decompose", "--example", "and", "--measure", "gh"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pidkit decompose: solver failed: gh:")


def test_a_huge_npy_is_refused_before_it_is_read(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("pidkit._memory.available_memory", lambda: 64 * 2**30)
    # A sparse file of 10^10 float64 cells (80 GB on paper, a few KiB on disk): the size check
    # fires on the memory map, before anything is read.
    path = tmp_path / "huge.npy"
    shape = (10, 10**3, 10**6)
    with path.open("wb") as handle:
        np.lib.format.write_array_header_1_0(handle, {"descr": "<f8", "fortran_order": False, "shape": shape})
        handle.truncate(handle.tell() + 8 * math.prod(shape))
    assert main(["decompose", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and re.search(r"the joint is too large: .* needs about 224 GiB", err), err


@pytest.mark.parametrize(
    ("text", "match"),
    [
        # json raised RecursionError, which escaped as a traceback (exit 1)
        ("[" * 100_000 + "]" * 100_000, r"^pidkit decompose: error: "
         r"deep\.json: not valid JSON \(maximum recursion"),
        # json raised a plain ValueError: one line, but without the file's name
        ("[[[" + "9" * 5000 + ", 1]]]", r"^pidkit decompose: error: "
         r"deep\.json: not valid JSON \(Exceeds the limit"),
    ],
    ids=["nested too deep", "integer too long"],
)
def test_json_the_parser_refuses_is_one_line_naming_the_file(tmp_path, capsys, text, match):
    path = _write(tmp_path / "deep.json", text)
    assert main(["decompose", path]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    assert re.search(match, captured.err.replace(str(tmp_path) + "/", "")), captured.err


def test_check_theorem_3_2_merges_a_teacher_that_still_varies(capsys):
    # The shared default --sizes 2,2,3 gave a two-symbol teacher, which the merge h of property
    # (3) made constant: Uni_h(T) was 0 in every row, so (3) could not fail.
    # (sparsity 0.3, which the command used for 3.2 before it took the function's 0.2: of these
    # 5 joints under 0.2, no merge changed Uni)
    assert main(["check", "theorem-3.2", "--n", "5", "--sparsity", "0.3", "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["details"]["sizes"] == [2, 3, 3]
    assert {row["shape"] for row in report["rows"]} == {"2x3x3"}
    assert max(row["Uni_h(T)"] for row in report["rows"]) > 1e-3


def test_check_theorem_4_1_keeps_its_default_sizes(capsys):
    assert main(["check", "theorem-4.1", "--n", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["details"]["sizes"] == [2, 2, 3]


def test_check_names_a_misspelt_measure_before_running_anything(capsys, monkeypatch):
    # The library's message named `measure`, without a suggestion, after `all` had run the examples.
    monkeypatch.setattr("pidkit.theorems.check_paper_examples", lambda: pytest.fail("ran the examples"))
    assert main(["check", "--measure", "ghh"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    assert re.match(r"pidkit check: error: "
                    r"--measure must be one of \['broja', .*got 'ghh'\. Did you mean 'gh'\?$",
                    captured.err), captured.err


def test_a_json_file_with_a_byte_order_mark_is_read(tmp_path, capsys):
    # It was refused: "not valid JSON (Unexpected UTF-8 BOM (decode using utf-8-sig) ...)".
    path = _write(tmp_path / "bom.json", b"\xef\xbb\xbf" + json.dumps(examples.xor().tolist()).encode())
    assert main(["decompose", path, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["syn"] == pytest.approx(1.0, abs=1e-9)


def test_top_level_help_is_plain_text_and_places_debug_after_the_command(capsys):
    # It showed reST markup (``pidkit``, ``--debug``), and `pidkit --debug ...` is refused.
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "``" not in out and "'pidkit COMMAND --debug' shows the traceback" in out
    assert "or a check that found a violation, exits with status 1" in " ".join(out.split())


def test_a_reader_that_goes_away_ends_the_command_quietly_with_status_141():
    # `pidkit examples | head`: exit 1 read as a failed computation under `set -o pipefail`
    proc = subprocess.Popen([sys.executable, "-m", "pidkit", "examples"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # before the command writes anything (its imports take longer)
    _, err = proc.communicate(timeout=120)
    assert (proc.returncode, err) == (141, b"")


def test_an_error_whose_reader_went_away_keeps_status_2(tmp_path):
    # `pidkit decompose missing.npy 2>&1 | head`: the error line met the closed pipe and its
    # BrokenPipeError made the status 1, which reads as a solver that could not certify
    proc = subprocess.Popen([sys.executable, "-m", "pidkit", "decompose", str(tmp_path / "missing.npy")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    proc.stdout.close()  # before the command writes anything (its imports take longer)
    assert proc.wait(timeout=120) == 2


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--n", "0", "argument --n: expected a positive integer; got '0'"),
        ("--sparsity", "1", "argument --sparsity: expected a number in [0, 1); got '1'"),
        ("--sparsity", "nan", "argument --sparsity: expected a number in [0, 1); got 'nan'"),
        ("--flip", "1.5", "argument --flip: expected a number in [0, 1]; got '1.5'"),
    ],
)
def test_check_options_are_refused_before_any_check_runs(capsys, monkeypatch, option, value, message):
    # `pidkit check --n 0` ran the examples and Theorem 3.1, then failed naming the library's `n`
    monkeypatch.setattr("pidkit.theorems.check_paper_examples", lambda: pytest.fail("ran the examples"))
    assert main(["check", option, value]) == 2
    assert capsys.readouterr().err == f"pidkit check: error: {message}; see 'pidkit check --help'\n"


def test_a_warning_is_one_line_naming_the_command(capsys, monkeypatch):
    import warnings

    from pidkit import cli

    def slow(args):
        warnings.warn("this joint\n   is large", RuntimeWarning, stacklevel=2)
        return 0

    parser = cli.get_parser()
    args = parser.parse_args(["examples"])
    monkeypatch.setattr(args, "func", slow)
    monkeypatch.setattr(cli, "get_parser", lambda: type("P", (), {"parse_args": lambda self, argv: args})())
    assert cli.main(["examples"]) == 0
    assert capsys.readouterr().err == "pidkit examples: warning: this joint is large\n"


@pytest.mark.parametrize(
    ("argv", "takers"),
    [
        (["check", "examples", "--measure", "gh"], "theorem-3.1"),
        (["check", "theorem-3.1", "--seed", "3"], "theorem-3.2, theorem-4.1"),
        (["check", "theorem-3.1", "--sizes", "2,2,2"], "theorem-3.2, theorem-4.1"),
        (["check", "theorem-3.2", "--flip", "0.2"], "theorem-3.1"),
        (["check", "theorem-4.1", "--measure", "broja"], "theorem-3.1"),  # given, even as the default
    ],
)
def test_a_check_refuses_an_option_it_does_not_take(capsys, monkeypatch, argv, takers):
    # Each ran the check as if the option had not been given, and exited 0.
    monkeypatch.setattr("pidkit.theorems.check_paper_examples", lambda: pytest.fail("ran the examples"))
    assert main(argv) == 2
    option = argv[2]
    assert capsys.readouterr().err == (
        f"pidkit check: error: {argv[1]} takes no {option} (only {takers} and all do); drop it\n"
    )


def test_check_passes_each_check_the_options_it_takes(capsys, monkeypatch):
    from types import SimpleNamespace

    calls = {}

    def recorder(name):
        def run(**kwargs):
            calls[name] = kwargs
            return SimpleNamespace(passed=True)
        return run

    for name in ("check_paper_examples", "check_theorem_3_1", "check_theorem_3_2", "check_theorem_4_1"):
        monkeypatch.setattr(f"pidkit.theorems.{name}", recorder(name))
    assert main(["check", "all", "--n", "3", "--seed", "7", "--flip", "0.25", "--measure", "mmi"]) == 0
    assert calls == {
        "check_paper_examples": {},
        "check_theorem_3_1": {"flip": 0.25, "measure": "mmi"},
        "check_theorem_3_2": {"n": 3, "random_state": 7},
        "check_theorem_4_1": {"n": 3, "random_state": 7},
    }
    assert main(["check", "theorem-4.1", "--sizes", "2,2,2"]) == 0
    assert calls["check_theorem_4_1"] == {"random_state": 0, "sizes": (2, 2, 2)}
    assert main(["check", "theorem-3.1"]) == 0
    assert calls["check_theorem_3_1"] == {}
    # only what was given, and the seed 0: each function's own defaults, so that a check of the
    # command is repeated from Python (Theorem 3.2 was passed n=50 and sparsity 0.3)
    calls.clear()
    for which in ("theorem-3.1", "theorem-3.2", "theorem-4.1"):
        assert main(["check", which]) == 0
    assert calls == {"check_theorem_3_1": {}, "check_theorem_3_2": {"random_state": 0},
                     "check_theorem_4_1": {"random_state": 0}}
    calls.clear()
    assert main(["check", "theorem-3.2", "--sparsity", "0.5", "--sizes", "2,3,4"]) == 0
    assert calls == {"check_theorem_3_2": {"sparsity": 0.5, "sizes": (2, 3, 4), "random_state": 0}}


def test_output_the_terminal_cannot_encode_is_escaped_not_an_error():
    # Theorem 4.1's statement has 'Red_∩': on an ASCII or cp1252 stdout (a Windows redirect) the
    # print raised UnicodeEncodeError, reported as bad input ("pidkit: error: 'ascii' codec
    # can't encode character '\u2229'", exit 2) after the check had passed.
    done = subprocess.run(
        [sys.executable, "-m", "pidkit", "check", "theorem-4.1", "--n", "2"],
        capture_output=True, check=False, env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )
    assert (done.returncode, done.stderr) == (0, b""), done.stderr
    assert b"Theorem 4.1: HELD" in done.stdout and b"Red_\\u2229(Y:T,S)" in done.stdout


def test_main_called_in_process_gives_stdout_its_error_mode_back(monkeypatch, capsys):
    # main() escapes what stdout cannot encode; called from Python it left the caller's stdout
    # set to backslashreplace for good.
    import io

    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")
    monkeypatch.setattr(sys, "stdout", stream)
    assert main(["examples"]) == 0
    assert stream.errors == "strict"


def test_a_joint_too_large_for_gh_says_the_option_that_insists(tmp_path, capsys, monkeypatch):
    # The refusal told command-line users to pass max_vertices=None, which they cannot, and to use
    # measure='prec' (task 371): the measures are named as --measure takes them.
    monkeypatch.setattr(pidkit._cdd, "generators", lambda *args, **kwargs: pytest.fail("enumerated"))
    path = tmp_path / "joint.npy"
    np.save(path, np.random.default_rng(0).dirichlet(np.ones(64)).reshape(4, 4, 4))
    assert main(["decompose", str(path), "--measure", "gh"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("pidkit decompose: error: "
                          f"{path}: --measure gh on this 4x4x4 joint: the polytope of I_GH "
                          "has 64 facets in dimension 39, so up to about 10^12 vertices to enumerate "
                          "exactly (McMullen's bound), more than --max-vertices 300000; ")
    assert " Use --measure prec (I_GH <= I_prec; its polytope grows with the sources' symbols, " in err
    assert "), wedge (a lower bound) or broja (see docs/which-measure.md), merge rare symbols" in err
    assert err.endswith("or pass --max-vertices none to enumerate anyway (this can take hours or more, and "
                        "gigabytes of memory; Ctrl-C stops it).\n")
    assert "max_vertices" not in err and "measure=" not in err and "'wedge'" not in err
    # past prec's default limit too (bound 45,696), so --max-vertices 5 is not all that refused it
    np.save(path, np.random.default_rng(0).dirichlet(np.ones(1280)).reshape(5, 16, 16))
    assert main(["decompose", str(path), "--measure", "PREC", "--max-vertices", "5"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: --measure prec on this 5x16x16 joint: the polytope of I_prec has 32 facets" in err
    assert "Use --measure broja (I_prec <= I_BROJA), mmi (an upper bound) or wedge (a lower one; see " in err
    # the Python API keeps its own spelling; prec, refused here too, is not advised
    with pytest.raises(TooManyVertices, match=r"^measure='gh' on .* Use measure='broja' \(see "
                       r"docs/which-measure\.md; prec, .* is past its own limit here too\) or "
                       r"'wedge' \(a lower bound\), merge"):
        pidkit.pid(np.load(path), measure="gh")


@pytest.mark.parametrize("limit", ["none", "NONE", "2", "auto", "Auto"])
def test_max_vertices_sets_the_limit_of_gh_and_prec(capsys, limit):
    for measure, red in (("gh", "0.122556"), ("prec", "0.311278")):
        assert main(["decompose", "--example", "AND", "--measure", measure, "--max-vertices", limit]) == 0
        assert f"Red(Y:T,S)    {red}" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["--measure", "wedge", "--max-vertices", "10"],
     "pidkit decompose: error: "
     "--max-vertices applies to --measure gh and prec only (their vertex enumeration); "
     "--measure wedge takes none. Drop --max-vertices.\n"),
    (["--max-vertices", "none"],  # broja, the default measure
     "pidkit decompose: error: "
     "--max-vertices applies to --measure gh and prec only (their vertex enumeration); "
     "--measure broja takes none. Drop --max-vertices.\n"),
    (["--measure", "gh", "--max-vertices", "0"],
     "pidkit decompose: error: argument --max-vertices: expected a positive integer, 'auto' or 'none'; "
     "got '0'; see 'pidkit decompose --help'\n"),
])
def test_a_misplaced_or_bad_max_vertices_is_one_line(capsys, argv, message):
    assert main(["decompose", "--example", "AND", *argv]) == 2
    assert capsys.readouterr().err == message
