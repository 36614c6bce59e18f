"""The files and folders the benchmarks read and write: ``--jsonl`` (its rows, ``-`` for stdout),
distill_cpu's ``--out`` folder and its ``results.jsonl``, bertschinger's ``--baseline``. A name that
cannot serve is refused in one line with exit status 2 before any work; the rows written are the
rows measured, also those read back and those before Ctrl-C."""

from __future__ import annotations

import importlib
import json
import sys

import pytest

from tests.test_benchmarks_cli import INTERRUPTED, interrupted_on_call, table_rows


def _distill_cpu_refuses(args: list[str], capsys) -> str:
    """What ``python -m benchmarks.distill_cpu --quick ARGS`` prints on stderr: one refusal,
    exit 2, nothing on stdout."""
    from benchmarks import distill_cpu

    with pytest.raises(SystemExit) as exit_:
        distill_cpu.main(["--quick", *args])
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    return err


def test_an_out_folder_that_cannot_be_made_is_refused_before_any_run(tmp_path, capsys):
    # It was a FileExistsError traceback from out.mkdir (or, for a folder that cannot be written,
    # an error after the first run had trained).
    taken = tmp_path / "a file"
    taken.write_text("")
    assert _distill_cpu_refuses(["--out", str(taken)], capsys) == (
        f"python -m benchmarks.distill_cpu: error: --out {taken}: cannot keep the runs "
        f"there ([Errno 17] File exists: '{taken}'); give a folder that can be written; "
        f"see 'python -m benchmarks.distill_cpu --help'\n")


_RECORD = {"data": "digits", "teacher": "trained", "method": "bas", "seed": 0, "epochs": 2,
           "train_fraction": 0.1, "last_acc": 0.5, "teacher_acc": 0.9, "red": 0.1, "uni_t": 0.2,
           "uni_s": 0.0, "syn": 0.1, "red_0": 0.1, "uni_t_0": 0.2}


@pytest.mark.parametrize(("line", "why"), [
    # A run killed while its record was written (or a full disk) left the line cut short.
    ('{"data": "digits", "teacher": "trained"', "Expecting ',' delimiter: line 1 column 40 (char 39)"),
    ("[1, 2]", "no data, teacher, method, seed, epochs, train_fraction, last_acc, teacher_acc, red, "
               "uni_t, uni_s, syn, red_0, uni_t_0"),
    (json.dumps({**_RECORD, "seed": [0]}), "unhashable type: 'list'"),
    (json.dumps({k: v for k, v in _RECORD.items() if k != "red"}), "no red"),
    (json.dumps({**_RECORD, "last_acc": "0.5"}), "last_acc not a number"),
])
def test_a_results_line_that_is_no_record_is_one_line_before_any_run(line, why, tmp_path, capsys):
    # It was a JSONDecodeError (or KeyError, TypeError) traceback on every later run of the grid.
    (tmp_path / "results.jsonl").write_text(json.dumps(_RECORD) + "\n\n" + line + "\n")
    assert _distill_cpu_refuses(["--out", str(tmp_path)], capsys) == (
        f"python -m benchmarks.distill_cpu: error: --out {tmp_path}: line 3 of "
        f"{tmp_path / 'results.jsonl'} is no record of a run ({why}); delete that line (its "
        f"run is then done again) or give another --out; see 'python -m "
        f"benchmarks.distill_cpu --help'\n")


def test_the_records_of_finished_runs_are_read_back_by_key(tmp_path):
    from benchmarks import distill_cpu

    nuisance = {**_RECORD, "teacher": "nuisance", "teacher_acc": None}
    (tmp_path / "results.jsonl").write_text(f"{json.dumps(_RECORD)}\n{json.dumps(nuisance)}\n")
    done = distill_cpu.read_finished(tmp_path / "results.jsonl")
    assert done == {("digits", "trained", "bas", 0, 2, 0.1): _RECORD,
                    ("digits", "nuisance", "bas", 0, 2, 0.1): nuisance}


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_jsonl_keeps_the_raw_rows_measured_before_ctrl_c(tmp_path, monkeypatch, capsys):
    # There was no machine-readable output: numbers only as rounded strings in markdown cells.
    from benchmarks import redundancy

    rows = tmp_path / "rows.jsonl"
    rows.write_text("an older run's rows\n")  # emptied first
    monkeypatch.setattr(redundancy, "_capped", interrupted_on_call(4, (0.5, 0.125)))
    with pytest.raises(KeyboardInterrupt):
        redundancy.main(["--repeats", "1", "--jsonl", str(rows)])
    capsys.readouterr()
    common = {"benchmark": "redundancy", "joint": "AND", "shape": [2, 2, 2], "cap_seconds": 120.0,
              "pidkit_seconds": 0.5, "pidkit_bits": 0.125, "pidkit_note": ""}
    assert _lines(rows) == [
        {**common, "measure": "gh", "peer": "PID_GH", "peer_seconds": 0.5, "peer_bits": 0.125,
         "peer_note": ""},
        {**common, "measure": "prec", "peer": None, "peer_seconds": None, "peer_bits": None,
         "peer_note": "no peer run (dit's PID_Prec needs pypoman)"},
    ]


def test_jsonl_rows_are_the_rows_the_tables_show(tmp_path, capsys):
    from benchmarks import estimate_bias

    rows = tmp_path / "rows.jsonl"
    estimate_bias.main(["--joints", "xor4", "--n", "64", "--draws", "2", "--n-jobs", "1", "--methods",
                        "none", "--jsonl", str(rows)])
    assert "xor4 (truth 0.00 0.00 0.00 1.15)" in capsys.readouterr().out
    [row] = _lines(rows)
    assert (row["benchmark"], row["joint"], row["cells"], row["n"], row["method"]) == (
        "estimate_bias", "xor4", 64, 64, "none")
    assert row["bias_ratio"] == 1.0 and row["total_bias"] == row["plugin_total_bias"] > 0
    assert row["truth"] == pytest.approx([0, 0, 0, 1.1524153201754272], abs=1e-9)


def test_jsonl_dash_writes_the_rows_to_stdout_and_the_tables_to_stderr(tmp_path, monkeypatch, capsys):
    # '--jsonl -' wrote the rows to a file named '-' and the tables to stdout; then sys.stdout stayed
    # pointed at stderr after main returned, so a notebook's later prints went to stderr.
    from benchmarks import estimate_bias

    monkeypatch.chdir(tmp_path)
    stdout = sys.stdout
    estimate_bias.main(["--joints", "xor4", "--n", "64", "--draws", "2", "--n-jobs", "1", "--methods",
                        "none", "--jsonl", "-"])
    assert sys.stdout is stdout
    out, err = capsys.readouterr()
    [row] = [json.loads(line) for line in out.splitlines()]  # every line of stdout is a row
    assert (row["benchmark"], row["joint"], row["cells"], row["n"], row["method"]) == (
        "estimate_bias", "xor4", 64, 64, "none")
    assert row["truth"] == pytest.approx([0, 0, 0, 1.1524153201754272], abs=1e-9)
    assert "xor4 (truth 0.00 0.00 0.00 1.15)" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("name", "argv", "target", "value", "on_call", "rows"), INTERRUPTED,
                         ids=[row[0] for row in INTERRUPTED])
def test_ctrl_c_with_jsonl_dash_keeps_the_rows_and_puts_stdout_back(name, argv, target, value, on_call,
                                                                    rows, monkeypatch, capsys):
    # After Ctrl-C sys.stdout stayed pointed at stderr: a notebook's later prints went there.
    module = importlib.import_module(f"benchmarks.{name}")
    monkeypatch.setattr(module, target, interrupted_on_call(on_call, value))
    stdout = sys.stdout
    with pytest.raises(KeyboardInterrupt):
        module.main([*argv, "--jsonl", "-"])
    assert sys.stdout is stdout
    out, err = capsys.readouterr()
    assert [json.loads(line)["benchmark"] for line in out.splitlines()] == [name] * len(rows)
    assert table_rows("\n".join(line.rsplit("\r", 1)[-1] for line in err.split("\n"))) == rows


def test_jsonl_has_the_runs_read_back_from_results(tmp_path, capsys):
    pytest.importorskip("torch")
    from benchmarks import distill_cpu

    specs = [{**_RECORD, "teacher": teacher, "method": method}
             for teacher in ("trained", "untrained") for method in ("bas", "kd", "rid")]
    specs[-1]["read_back"] = False  # a line edited by hand: was a TypeError (read_back given twice)
    (tmp_path / "results.jsonl").write_text("".join(json.dumps(spec) + "\n" for spec in specs))
    rows = tmp_path / "rows.jsonl"
    distill_cpu.main(["--quick", "--jobs", "1", "--out", str(tmp_path), "--jsonl", str(rows)])
    assert "| digits | untrained |    rid |" in capsys.readouterr().out
    assert _lines(rows) == [{"benchmark": "distill_cpu", **spec, "read_back": True} for spec in specs]


class _Ran(Exception):
    """Raised by a stand-in for the grid: the benchmark got as far as running it."""


def _grid_ran(*args, **kwargs):
    raise _Ran


FAILING_STEP = [  # the benchmark, its options and the step after open_records that fails
    ("bertschinger", ["--suites", "small"], "_small_rows"),
    ("distill_cost", ["--quick"], "build_variants"),
    ("distill_cpu", ["--quick", "--jobs", "1", "--out", "{tmp}"], "run_grid"),
    ("estimate", ["--quick"], "_measure"),
    ("estimate_bias", ["--quick"], "run"),
    ("estimate_kink", ["--quick"], "run"),
    ("gaussian", ["--quick"], "_timing_row"),
    ("redundancy", ["--quick"], "_capped"),
    ("parallel", ["--quick"], "_timed"),
]


@pytest.mark.parametrize(("name", "argv", "target"), FAILING_STEP, ids=[row[0] for row in FAILING_STEP])
def test_a_failed_run_with_jsonl_dash_puts_stdout_back(name, argv, target, tmp_path, monkeypatch, capsys):
    # A run that failed left sys.stdout pointed at stderr: a notebook's later prints went there.
    if name.startswith("distill"):
        pytest.importorskip("torch")
    module = importlib.import_module(f"benchmarks.{name}")
    monkeypatch.setattr(module, target, _grid_ran)
    stdout = sys.stdout
    with pytest.raises(_Ran):
        module.main([*(arg.format(tmp=tmp_path) for arg in argv), "--jsonl", "-"])
    assert sys.stdout is stdout
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("empty", ["", " "])
def test_an_empty_out_is_refused_not_taken_for_the_default(empty, monkeypatch, capsys):
    # '--out "$DIR"' with DIR unset ran the grid in the shared default folder, runs/distill_cpu/e2.
    from benchmarks import distill_cpu

    monkeypatch.setattr(distill_cpu, "run_grid", _grid_ran)
    assert _distill_cpu_refuses(["--out", empty], capsys) == (
        "python -m benchmarks.distill_cpu: error: --out is empty; give a folder, or leave --out out for "
        "the default, runs/distill_cpu/e2; see 'python -m benchmarks.distill_cpu --help'\n")


@pytest.mark.parametrize("empty", ["", " "])
def test_an_empty_baseline_is_refused_not_ignored(empty, monkeypatch, capsys):
    # '--baseline "$DIR"' with DIR unset ran the whole benchmark without the baseline peer, silently.
    from benchmarks import bertschinger

    monkeypatch.setattr(bertschinger, "open_records", _grid_ran)  # the first step of the run itself
    with pytest.raises(SystemExit) as exit_:
        bertschinger.main(["--baseline", empty])
    assert exit_.value.code == 2
    assert capsys.readouterr() == ("", (
        "python -m benchmarks.bertschinger: error: --baseline is empty; give a pidkit checkout "
        "(DIR/pidkit/__init__.py), or leave --baseline out to time this checkout's solver alone; see "
        "'python -m benchmarks.bertschinger --help'\n"))


def test_ctrl_c_while_a_teacher_trains_prints_the_runs_read_back(tmp_path, monkeypatch, capsys):
    # Ctrl-C before the students' pool printed nothing, not even the runs read back from results.jsonl.
    pytest.importorskip("torch")
    import pidkit_distill.training as training
    from benchmarks import distill_cpu

    def interrupted(config):
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "train_teacher", interrupted)
    (tmp_path / "results.jsonl").write_text(json.dumps(_RECORD) + "\n")
    with pytest.raises(KeyboardInterrupt):
        distill_cpu.main(["--quick", "--jobs", "1", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert [row[:3] + row[-1:] for row in table_rows(out)] == [["digits", "trained", "bas", "1/1"]]
    assert out.endswith("|\n# interrupted by Ctrl-C: the rows above are those measured before it\n")


def test_a_jsonl_that_is_the_runs_own_record_is_refused(tmp_path, monkeypatch, capsys):
    # '--jsonl OUT/results.jsonl' emptied the record of the finished runs, which were then run again.
    from benchmarks import distill_cpu

    monkeypatch.setattr(distill_cpu, "run_grid", _grid_ran)
    (tmp_path / "results.jsonl").write_text(json.dumps(_RECORD) + "\n")
    jsonl = f"{tmp_path}/./results.jsonl"
    assert _distill_cpu_refuses(["--out", str(tmp_path), "--jsonl", jsonl], capsys) == (
        f"python -m benchmarks.distill_cpu: error: --jsonl {tmp_path}/./results.jsonl is the runs' own "
        "record, which it would empty; give another file; see 'python -m benchmarks.distill_cpu --help'\n")
    assert (tmp_path / "results.jsonl").read_text() == json.dumps(_RECORD) + "\n"


def test_acceptance_line_names_only_the_sample_sizes_that_ran(capsys):
    # The acceptance line said "at n = 450 and 2000" after a run of n = 450 alone (--quick).
    from benchmarks import estimate_bias

    estimate_bias.main(["--joints", "xor10", "--n", "450", "--draws", "2", "--n-jobs", "1",
                        "--methods", "eb-extrapolation"])
    [line] = [t for t in capsys.readouterr().out.splitlines() if t.startswith("eb-extrapolation:")]
    assert line.endswith("(joint, n) cells with 1000 cells at n = 450")
