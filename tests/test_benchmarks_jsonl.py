"""``--jsonl FILE`` of every benchmark: a name that is no file (empty, a folder) or a file that
cannot be written is refused in one line with exit status 2 before any work; a file that takes no
rows (a full disk) is named at the first row. Only argument parsing and one row's write run here."""

from __future__ import annotations

import os

import pytest

from benchmarks import _cli, _records


def test_a_jsonl_file_that_cannot_be_written_is_refused_before_any_work(tmp_path, capsys):
    from benchmarks import redundancy

    where = tmp_path / "no such folder" / "rows.jsonl"
    with pytest.raises(SystemExit) as exit_:
        redundancy.main(["--jsonl", str(where)])
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (f"python -m benchmarks.redundancy: error: --jsonl {where}: cannot write the rows there "
                   f"([Errno 2] No such file or directory: '{where}'); give a file in a folder that can "
                   "be written; see 'python -m benchmarks.redundancy --help'\n")


@pytest.mark.parametrize(("where", "said"), [
    # was "--jsonl : cannot write the rows there ([Errno 2] No such file or directory: '')"
    ("", "--jsonl '' names no file; give the file for the rows, e.g. --jsonl rows.jsonl"),
    ("  ", "--jsonl '  ' names no file; give the file for the rows, e.g. --jsonl rows.jsonl"),
    # was "--jsonl FOLDER: cannot write the rows there ([Errno 21] Is a directory: 'FOLDER')"
    ("{tmp}", "--jsonl {tmp} names a folder; give the file for the rows in it, e.g. --jsonl "
              "{tmp}/rows.jsonl"),
    ("{tmp}/new/", "--jsonl {tmp}/new/ names a folder; give the file for the rows in it, e.g. --jsonl "
                   "{tmp}/new/rows.jsonl"),
])
def test_a_jsonl_that_names_no_file_is_refused_before_any_work(tmp_path, capsys, where, said):
    from benchmarks import redundancy

    with pytest.raises(SystemExit) as exit_:
        redundancy.main(["--jsonl", where.format(tmp=tmp_path)])
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (f"python -m benchmarks.redundancy: error: {said.format(tmp=tmp_path)}; see "
                   "'python -m benchmarks.redundancy --help'\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
def test_a_jsonl_on_a_full_disk_is_named_at_the_first_row(capsys):
    # opening /dev/full works; its first row failed with "error: [Errno 28] No space left on
    # device", which did not say that it was --jsonl's file
    records = _records.Records("/dev/full", "demo")
    with pytest.raises(SystemExit) as exit_:
        _cli.run(lambda: records.write(joint="AND", pidkit_seconds=0.5), "demo")
    assert exit_.value.code == 2
    assert capsys.readouterr().err == ("python -m benchmarks.demo: error: --jsonl /dev/full: cannot write a "
                                       "row there ([Errno 28] No space left on device)\n")


@pytest.mark.parametrize(("where", "said"), [
    ("", "--jsonl '' names no file; give the file for the rows, e.g. --jsonl rows.jsonl"),
    ("{tmp}", "--jsonl {tmp} names a folder; give the file for the rows in it, e.g. --jsonl "
              "{tmp}/rows.jsonl"),
])
def test_distill_cpu_refuses_a_jsonl_that_names_no_file_before_making_its_out_folder(tmp_path, capsys,
                                                                                     where, said):
    # the refusal came after OUT (runs/distill_cpu/e300 by default) and its empty results.jsonl
    # were made, so a mistyped --jsonl left them behind
    from benchmarks import distill_cpu

    out = tmp_path / "runs"
    with pytest.raises(SystemExit) as exit_:
        distill_cpu.main(["--quick", "--out", str(out), "--jsonl", where.format(tmp=tmp_path)])
    assert exit_.value.code == 2
    assert capsys.readouterr() == ("", f"python -m benchmarks.distill_cpu: error: "
                                       f"{said.format(tmp=tmp_path)}; see 'python -m "
                                       "benchmarks.distill_cpu --help'\n")
    assert not out.exists()
