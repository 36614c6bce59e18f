"""`pidkit decompose a.npy b.npy c.json` decomposes each file in one run: a sweep over 1,000 files
by a shell loop paid the command's start-up (about 0.9 s) 1,000 times, and two paths gave
'unrecognized arguments'. Text output heads each table with the file's name; --json prints JSON
Lines, one compact object per file whose first key is "file"; one file's --json is as before. A bad
file is reported in one line naming it, the others still run, and the exit status is 2. A folder
said 'is a directory' without what to do, and file names piped into '-' were 'neither a .npy
array's bytes nor valid JSON'."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys

import numpy as np
import pytest

import pidkit
from pidkit import examples
from pidkit._errors import SolverError
from pidkit.cli import main

ERROR = "pidkit decompose: error: "


@pytest.fixture
def joints(tmp_path, monkeypatch):
    """In ``tmp_path``: xor.npy (Syn 1 bit), rdn.json (Red 1 bit), unq-t.npy (Uni(Y:T\\S) 1 bit)."""
    monkeypatch.chdir(tmp_path)
    np.save("xor.npy", examples.xor())
    (tmp_path / "rdn.json").write_text(json.dumps(examples.rdn().tolist()))
    np.save("unq-t.npy", examples.catalogue()["unq-t"])
    return ["xor.npy", "rdn.json", "unq-t.npy"]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["decompose", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_each_file_is_decomposed_under_a_heading_naming_it(joints, capsys):
    status, out, err = _run(capsys, *joints)
    assert (status, err) == (0, "")
    blocks = out.split("\n\n")
    assert [block.splitlines()[0] for block in blocks] == [f"==> {name} <==" for name in joints]
    # Red, Uni(Y:T\S), Uni(Y:S\T), Syn of each file's joint, known by construction
    atoms = [[float(line.split()[-1]) for line in block.splitlines()[2:6]] for block in blocks]
    assert atoms == [[0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]]


def test_json_lines_name_each_file_first(joints, capsys):
    status, out, err = _run(capsys, *joints, "--json")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 3 and all(" " not in line.split('"message"')[0] for line in lines)  # compact
    records = [json.loads(line) for line in lines]
    assert [next(iter(record)) for record in records] == ["file"] * 3
    assert [record["file"] for record in records] == joints
    assert [round(record[atom], 9) for record, atom in zip(records, ("syn", "red", "uni_t"), strict=True)] \
        == [1.0, 1.0, 1.0]


def test_json_lines_are_read_by_pandas(joints, capsys):
    pd = pytest.importorskip("pandas")
    table = pd.read_json(io.StringIO(_run(capsys, *joints, "--json")[1]), lines=True)
    assert list(table["file"]) == joints and list(table.columns[:2]) == ["file", "red"]
    assert table["i_yts"].round(9).tolist() == [1.0, 1.0, 1.0]


def test_one_files_json_is_as_before(joints, capsys):
    status, out, _ = _run(capsys, "xor.npy", "--json")
    expected = pidkit.pid(examples.xor()).to_dict()
    record = json.loads(out)
    assert status == 0 and list(record) == list(expected)  # no "file" key
    assert record["syn"] == pytest.approx(1.0, abs=1e-9) and record["message"] == expected["message"]
    assert out.startswith('{\n  "red": ') and out.endswith("\n}\n")  # indented, as before


def test_the_options_apply_to_every_file(joints, capsys):
    status, out, _ = _run(capsys, *joints, "--units", "nats", "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and {record["units"] for record in records} == {"nats"}
    assert [record["i_yts"] for record in records] == pytest.approx([math.log(2)] * 3, abs=1e-9)


def test_a_bad_file_is_named_and_the_others_still_run_with_exit_2(joints, capsys):
    np.save("flat.npy", np.full((2, 2), 0.25))
    status, out, err = _run(capsys, "xor.npy", "flat.npy", "missing.npy", "rdn.json", "--json")
    assert status == 2
    assert [json.loads(line)["file"] for line in out.splitlines()] == ["xor.npy", "rdn.json"]
    lines = err.splitlines()
    assert len(lines) == 2 and all(line.startswith(ERROR) for line in lines)
    assert lines[0].startswith(f"{ERROR}flat.npy: the joint must be a 3-D array indexed p[y, t, s]")
    assert lines[1] == f"{ERROR}missing.npy: no such file"


def test_a_solver_failure_is_exit_1_unless_a_file_was_refused(joints, capsys, monkeypatch):
    def pid(joint, **options):
        if np.allclose(joint, examples.rdn()):
            raise SolverError("no certificate")
        return pidkit.pid(joint, **options)

    monkeypatch.setattr("pidkit.cli.pid", pid)
    status, out, err = _run(capsys, *joints)
    assert status == 1 and out.count("==> ") == 2
    assert err == "pidkit decompose: solver failed: rdn.json: no certificate\n"
    status, _, err = _run(capsys, *joints, "missing.npy")
    assert status == 2 and err.count("\n") == 2


def test_a_warning_names_its_file(joints, capsys):
    np.save("counts.npy", np.ones((2, 3, 3)))  # 18 samples over 18 cells: the plug-in's bias warns
    status, out, err = _run(capsys, "xor.npy", "counts.npy", "--normalize")
    assert status == 0 and out.count("==> ") == 2
    assert err.startswith("pidkit decompose: warning: counts.npy: plug-in atoms: the expected plug-in bias "
                          "of I(Y;T,S) with 18 samples over 18 cells")
    assert err.count("\n") == 1


def test_standard_input_stays_alone(joints, capsys):
    status, out, err = _run(capsys, "xor.npy", "-")
    assert (status, out) == (2, "")
    assert err == (f"{ERROR}'-' reads one joint from standard input and takes no joint files beside it: "
                   "give '-' alone, or the files without it\n")


def test_files_on_both_sides_of_an_option_are_refused_saying_why(joints, capsys):
    status, out, err = _run(capsys, "xor.npy", "--json", "rdn.json")
    assert (status, out) == (2, "")
    assert "unrecognized arguments: rdn.json. Give every JOINT together, all before or all after" in err


def test_a_folder_says_to_pass_its_files(joints, capsys, tmp_path):
    status, out, err = _run(capsys, str(tmp_path))
    assert (status, out) == (2, "")
    assert err == (f"{ERROR}{tmp_path}: is a directory; pidkit decompose reads joint files, so pass its "
                   "files (it holds 2 .npy files and 1 .json file), e.g. pidkit decompose "
                   f"{tmp_path}/*.npy\n")
    (tmp_path / "empty").mkdir()
    assert _run(capsys, "empty")[2] == (
        f"{ERROR}empty: is a directory, and holds no .npy or .json file; give the path of a joint file "
        "(a .npy array or a .json nested list p[y][t][s])\n")


def _piped(capsys, monkeypatch, text: str) -> str:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8"))
    status, out, err = _run(capsys, "-")
    assert (status, out) == (2, "") and err.count("\n") == 1
    return err.removeprefix(ERROR).rstrip("\n")


def test_file_names_piped_in_are_told_to_go_on_the_command_line(joints, capsys, monkeypatch):
    assert _piped(capsys, monkeypatch, "rdn.json\nunq-t.npy\nxor.npy\nzz.npy\n") == (
        "standard input: holds 4 file names ('rdn.json', 'unq-t.npy', 'xor.npy', ...), not a joint: '-' "
        "reads one joint itself from standard input. Give the files as arguments instead, which one run "
        "decomposes in turn: pidkit decompose *.npy (a shell glob), or turn a list of names into arguments "
        "with xargs: ... | xargs pidkit decompose")
    assert _piped(capsys, monkeypatch, "xor.npy\n") == (
        "standard input: holds a file's name, 'xor.npy', not a joint: '-' reads the joint itself from "
        "standard input. Give the file as an argument instead: pidkit decompose xor.npy")
    # text that names no file is still refused as before
    assert _piped(capsys, monkeypatch, "xor.npy\ngarbage\n").startswith(
        "standard input: neither a .npy array's bytes nor valid JSON (")


@pytest.mark.parametrize("measure", ["broja", "gh"])
def test_json_leaves_the_optimal_joint_out_for_every_measure(capsys, measure):
    if measure == "gh":
        pytest.importorskip("cdd")  # pidkit[exact]
    status, out, _ = _run(capsys, "--example", "and", "--measure", measure, "--json")
    record = json.loads(out)
    assert status == 0 and "q" not in record and "q_joint" not in record["diagnostics"]
    assert len(out.splitlines()) < 40  # gh's p(q, y, t, s) took hundreds of lines
    status, out, _ = _run(capsys, "--example", "and", "--measure", measure, "--json", "--include-q")
    record = json.loads(out)
    if measure == "broja":  # q has the joint's marginals p(y, t) and p(y, s)
        q = np.array(record["q"])
        assert q.sum(axis=2) == pytest.approx(examples.and_().sum(axis=2), abs=1e-6)
        assert q.sum(axis=1) == pytest.approx(examples.and_().sum(axis=1), abs=1e-6)
    else:  # the mixture's joint p(q, y, t, s) sums over q to p(y, t, s)
        q_joint = np.array(record["diagnostics"]["q_joint"])
        assert q_joint.sum(axis=0) == pytest.approx(examples.and_(), abs=1e-9)


def test_json_is_byte_for_byte_the_record_it_printed_before_to_dict_left_q_joint_out(tmp_path, capsys,
                                                                                      monkeypatch):
    # --json dropped GH's q_joint itself; PIDResult.to_dict() now does. The expected text is built
    # from the result's fields, not from to_dict(), in the record's order.
    pytest.importorskip("cdd")  # pidkit[exact]
    monkeypatch.chdir(tmp_path)
    np.save("and.npy", examples.and_())
    np.save("xor.npy", examples.xor())
    fields = ("red", "uni_t", "uni_s", "syn", "i_yt", "i_ys", "i_yts", "units", "measure", "status",
              "success", "message", "method", "solver", "gap", "nit")

    def expected(joint, include_q):
        result = pidkit.pid(joint, measure="gh")
        record = {key: getattr(result, key) for key in fields}
        # xor's diagnostics are n_components, q_joint, q_size: q_joint stays in its place
        record["diagnostics"] = {key: value.tolist() if key == "q_joint" else value
                                 for key, value in result.diagnostics.items()
                                 if include_q or key != "q_joint"}
        return {**record, "q": None} if include_q else record

    for include_q in (False, True):
        option = ["--include-q"] if include_q else []
        status, out, err = _run(capsys, "and.npy", "--measure", "gh", "--json", *option)
        assert (status, err) == (0, "")
        assert out == json.dumps(expected(examples.and_(), include_q), indent=2) + "\n"
        status, out, err = _run(capsys, "and.npy", "xor.npy", "--measure", "gh", "--json", *option)
        assert (status, err) == (0, "")
        assert out.splitlines() == [
            json.dumps({"file": name, **expected(joint, include_q)}, separators=(",", ":"))
            for name, joint in (("and.npy", examples.and_()), ("xor.npy", examples.xor()))]


def test_include_q_without_json_is_refused(capsys):
    status, out, err = _run(capsys, "--example", "and", "--include-q")
    assert (status, out) == (2, "")
    assert err == (f"{ERROR}--include-q adds the optimal joint to the JSON that --json prints; the table has "
                   "no place for it: add --json\n")


def test_the_command_prints_json_lines_from_a_real_run(joints):
    done = subprocess.run([sys.executable, "-m", "pidkit", "decompose", *joints, "missing.npy", "--json"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and done.stderr == f"{ERROR}missing.npy: no such file\n"
    assert [json.loads(line)["file"] for line in done.stdout.splitlines()] == joints
