"""The benchmarks' command lines: bad values are one line on stderr and exit status 2, before any
work; ``--quick`` sets the smallest settings; Ctrl-C and a closed output end without a traceback.
Only argument parsing runs here, never a benchmark."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import _cli

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("bertschinger", "redundancy", "gaussian", "estimate", "estimate_bias", "estimate_kink",
         "distill_cost", "distill_cpu", "parallel")
BAD = [
    ("bertschinger", ["--repeats", "0"]),
    ("bertschinger", ["--cap", "-1"]),
    ("bertschinger", ["--batch", "-5"]),
    ("bertschinger", ["--suites", "smal"]),
    ("bertschinger", ["--peers", "cvxpy+ECOS"]),  # native is every comparison's base
    ("bertschinger", ["--max-cells", "many"]),
    ("redundancy", ["--repeats", "0"]),
    ("redundancy", ["--cap", "nan"]),
    ("gaussian", ["--repeats", "0"]),
    ("gaussian", ["--bias-reps", "-1"]),
    ("gaussian", ["--cap", "inf"]),
    ("parallel", ["--repeats", "0"]),
    ("parallel", ["--n-jobs", "0"]),
    ("estimate", ["--n", "100"]),
    ("estimate", ["--widths", "-3"]),
    ("estimate", ["--n-jobs", "0"]),
    # A ValueError traceback from pid_from_representations after the first steps' work (the help's
    # own '--classes 1000' with the default --n 10000 too).
    ("estimate", ["--classes", "1000", "--n", "10000", "--widths", "10"]),
    ("estimate_bias", ["--n", "0"]),
    ("estimate_bias", ["--joints", "xor"]),
    ("estimate_bias", ["--n-jobs", "0"]),
    ("estimate_bias", ["--quick", "--full"]),
    ("estimate_kink", ["--draws", "0"]),
    ("estimate_kink", ["--n", "-5"]),
    ("estimate_kink", ["--n", "100", "--joints", "sum10"]),  # was a ValueError traceback from a draw
    ("estimate_kink", ["--joints", "sum10", "--heldout"]),
    ("distill_cost", ["--budget", "-1"]),
    ("distill_cost", ["--batch", "1"]),
    ("distill_cost", ["--grad-clip", "nan"]),
    ("distill_cost", ["--amp"]),  # needs --device cuda
    ("distill_cpu", ["--epochs", "0"]),
    ("distill_cpu", ["--train-fraction", "2"]),
    ("distill_cpu", ["--methods", "foo"]),
    ("distill_cpu", ["--epoch", "3", "--unknown"]),
]


def _module(name: str):
    if name == "distill_cost":
        pytest.importorskip("torch")
    return importlib.import_module(f"benchmarks.{name}")


@pytest.mark.parametrize(("name", "argv"), BAD, ids=[f"{n} {' '.join(a)}" for n, a in BAD])
def test_bad_value_is_one_line_and_status_2(name, argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        _module(name).main(argv)
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"python -m benchmarks.{name}: error: ")
    at_fault = argv[-1] if argv[-1].startswith("--") else argv[0]  # a flag, or an option and its value
    assert at_fault in err


@pytest.mark.parametrize("name", NAMES)
def test_help_names_the_command_and_the_quick_run(name, capsys, monkeypatch):
    # argparse wraps the help to $COLUMNS: exported at 50 or fewer, it broke a long setting
    # ('native,cvxpy+Cla' / 'rabel,cvxpy+ECOS') across lines and the quick settings were not found
    monkeypatch.setenv("COLUMNS", "80")
    module = _module(name)
    with pytest.raises(SystemExit) as exit_:
        module.main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m benchmarks.{name} ")
    text = " ".join(out.split())
    assert f"--quick smallest settings: {' '.join(module.QUICK)} (" in text
    assert "The default run takes" in text


def test_listing_names_every_benchmark():
    from benchmarks.__main__ import listing

    names = [line.split()[0] for line in listing().splitlines()[2:]]
    assert names == sorted(NAMES)


def test_quick_sets_the_defaults_and_options_still_win():
    from benchmarks import bertschinger

    quick = _cli.parse_args(bertschinger.get_parser(), ["--quick"], bertschinger.QUICK)
    assert quick.max_cells == 1000 and quick.suites == {"small", "batch"}
    assert "dit cone" not in quick.peers
    mixed = _cli.parse_args(bertschinger.get_parser(), ["--quick", "--repeats", "5"], bertschinger.QUICK)
    assert mixed.repeats == 5 and mixed.batch == 100
    plain = _cli.parse_args(bertschinger.get_parser(), [], bertschinger.QUICK)
    assert plain.repeats == 5 and plain.batch == 900 and plain.suites == {"small", "large", "batch"}


def test_interrupt_is_one_line_and_status_130(capsys):
    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(SystemExit) as exit_:
        _cli.run(interrupted, "redundancy")
    assert exit_.value.code == 130
    assert capsys.readouterr().err == "python -m benchmarks.redundancy: interrupted\n"


@pytest.mark.parametrize("command", [
    ["-c", "from benchmarks import _cli; _cli.run(lambda: print('| table |'), 'demo')"],
    ["-m", "benchmarks"],  # the listing
])
def test_closed_output_is_status_141_without_traceback(command):
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first write: `| head` that has read enough
    # A table shorter than the pipe's buffer meets the closed pipe when stdout is flushed at the end.
    try:
        done = subprocess.run([sys.executable, *command], stdout=write, stderr=subprocess.PIPE,
                              cwd=ROOT, timeout=60)
    finally:
        os.close(write)
    assert done.returncode == 141
    assert done.stderr == b""


def _older_checkout_batch(*args):
    raise AttributeError("module 'pidkit' has no attribute 'bertschinger_batch'")


def _silent_failure(*args):
    raise KeyError


def _killed_batch(*args):
    os._exit(9)


def test_a_failing_baseline_batch_is_a_note_not_an_eoferror():
    # `--baseline OLD_CHECKOUT --suites batch` ended in EOFError when the other checkout's child
    # raised (an older pidkit without bertschinger_batch) or was killed.
    bench = importlib.import_module("benchmarks.bertschinger")
    assert bench._in_child(_older_checkout_batch) == (
        "failed (AttributeError: module 'pidkit' has no attribute 'bertschinger_batch')")
    assert bench._in_child(_killed_batch) == "failed (exit code 9)"
    assert bench._in_child(_silent_failure) == "failed (KeyError)"  # was "failed (KeyError: )"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        # The benchmarks took abbreviations ('--repeat 1' ran as '--repeats 1') and named no option
        # for a misspelt one, unlike the pidkit and pidkit-distill commands.
        (["--repeat", "1"], "unrecognized arguments: --repeat 1. Did you mean '--repeats'?"),
        (["--quik"], "unrecognized arguments: --quik. Did you mean '--quick'?"),
    ],
)
def test_options_are_taken_whole_and_a_misspelt_one_is_named(argv, message, capsys):
    from benchmarks import redundancy

    with pytest.raises(SystemExit) as exit_:
        redundancy.main(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (
        f"python -m benchmarks.redundancy: error: {message} See 'python -m benchmarks.redundancy --help'\n"
    )


@pytest.mark.parametrize(("argv", "hint"), [
    (["bertschinger", "--quick"], "to run it: python -m benchmarks.bertschinger --quick\n"),
    (["bertschinger.py"], "'bertschinger.py' is not a benchmark. Did you mean 'bertschinger'?"),
    (["--quick"], "'--quick' is not a benchmark. Run python -m benchmarks to list them"),
])
def test_the_listing_refuses_arguments_with_the_command_to_run(argv, hint, capsys):
    from benchmarks.__main__ import main

    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("python -m benchmarks: takes no arguments, it lists the benchmarks; ")
    assert hint in captured.err and captured.err.count("\n") == 1
    assert main([]) == 0 and capsys.readouterr().out.startswith("python -m benchmarks.NAME")


@pytest.mark.parametrize("argv", [["--help"], ["-h"]])
def test_the_listing_is_its_own_help(argv, capsys):
    # 'python -m benchmarks --help' said "'--help' is not a benchmark", exit status 2
    from benchmarks.__main__ import listing, main

    assert main(argv) == 0
    assert capsys.readouterr() == (listing() + "\n", "")


@pytest.mark.parametrize(("name", "argv", "message"), [
    # both were a TypeError traceback once the header had printed: no joint or system to measure,
    # and a table of none
    ("bertschinger", ["--max-cells", "7"],
     "argument --max-cells: expected an integer >= 8 (the smallest joint, 2 x 2 x 2, has 8 cells); got '7'"),
    ("gaussian", ["--max-d", "1"],
     "argument --max-d: expected an integer >= 2 (the smallest systems have d = 2); got '1'"),
])
def test_a_size_that_leaves_nothing_to_measure_is_refused(name, argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        _module(name).main(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr() == ("", f"python -m benchmarks.{name}: error: {message}; see "
                                       f"'python -m benchmarks.{name} --help'\n")


@pytest.mark.parametrize(("name", "hint"), [
    ("bertschinge", " Did you mean 'bertschinger'? Run python -m benchmarks to list them\n"),
    ("nothing_like_it", " Run python -m benchmarks to list them\n"),
])
@pytest.mark.parametrize("options", [
    ["-m", "{module}"],
    ["-m{module}"],  # were Python's own message, exit 1: '-m' was looked for alone
    ["-Bm{module}"],
    ["-X", "dev", "-Bm", "{module}", "-m"],  # the script's own '-m' after the name
])
def test_an_unknown_benchmark_is_one_line_and_status_2(name, hint, options):
    # Python's own 'No module named benchmarks.bertschinge' exited with status 1 and named no
    # benchmark.
    command = [option.format(module=f"benchmarks.{name}") for option in options]
    done = subprocess.run([sys.executable, *command, "--quick"], capture_output=True,
                          cwd=ROOT, timeout=60, text=True)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"python -m benchmarks.{name}: no such benchmark.{hint}"


@pytest.mark.parametrize("helper", ["_cli", "_timing", "_records"])
def test_a_helper_run_as_a_benchmark_is_one_line_and_status_2(helper):
    # 'python -m benchmarks._cli' ran silently and exited 0, as if a benchmark had run.
    done = subprocess.run([sys.executable, "-m", f"benchmarks.{helper}", "--quick"], capture_output=True,
                          cwd=ROOT, timeout=60, text=True)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"python -m benchmarks.{helper}: not a benchmark but a module the benchmarks use; run python -m "
        "benchmarks.NAME with NAME one of bertschinger, distill_cost, distill_cpu, estimate, "
        "estimate_bias, estimate_kink, gaussian, parallel, redundancy\n")


def test_a_run_whose_audit_solve_failed_is_a_failed_run_not_a_crash(monkeypatch, tmp_path):
    pytest.importorskip("torch")
    import pidkit_distill.training as training
    from benchmarks import distill_cpu

    failed = {"epoch": 2, "red": None, "uni_t": None, "uni_s": None, "syn": None, "i_yt": 0.4,
              "i_ys": 0.3, "status": "failed", "message": "the solver failed", "n_samples": 300}
    first = {**failed, "epoch": 0, "red": 0.1, "uni_t": 0.2, "uni_s": 0.0, "syn": 0.1,
             "status": "optimal"}
    summary = type("Summary", (), {"audit": [failed, first], "last_acc": 0.5, "best_acc": 0.5,
                                   "teacher_acc": 0.9})()
    monkeypatch.setattr(training, "train", lambda config: summary)
    spec = {"data": "digits", "teacher": "digits-teacher", "method": "bas", "seed": 0, "epochs": 2,
            "train_fraction": 1.0, "out": str(tmp_path)}
    record = distill_cpu.run_one(spec)
    assert record["error"] == ("the audit of epoch 2 has no atoms: solve 'failed' "
                               "(the solver failed)")
    assert "red" not in record


def _no_memory_to_spare(monkeypatch):
    monkeypatch.setattr(_cli, "available_memory", lambda: 0)


@pytest.mark.parametrize(("name", "argv", "needs"), [
    ("bertschinger", ["--suites", "batch", "--batch", "200"], "--batch 200: the batch's 10x10x10 joints"),
    ("estimate", ["--n", "400", "--widths", "10", "64", "--bootstrap", "0"],
     "--n 400 with --widths 10 64: the features"),
])
def test_a_size_that_does_not_fit_is_refused_before_any_work(name, argv, needs, monkeypatch, capsys):
    # '--batch 100000000' ended, after the other suites' minutes, in numpy's _ArrayMemoryError
    # traceback ('Unable to allocate 745. GiB'); estimate's --n and --widths likewise.
    _no_memory_to_spare(monkeypatch)
    with pytest.raises(SystemExit) as exit_:
        _module(name).main(argv)
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"python -m benchmarks.{name}: error: {needs}")
    assert "GiB, but only 0.0 GiB of memory is available; give a smaller" in err
    assert err.count("\n") == 1


def test_memory_that_runs_out_anyway_is_one_line_and_status_2(capsys):
    def allocate() -> None:
        bar = _cli.progress(total=2, desc="steps")
        bar.update()
        raise MemoryError("Unable to allocate 745. GiB for an array with shape (100000000, 1000)")

    with pytest.raises(SystemExit) as exit_:
        _cli.run(allocate, "demo")
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "steps:  50%" in err
    assert err.endswith(  # on a line of its own, after the bar's last state (not amid it)
        "\npython -m benchmarks.demo: error: out of memory (Unable to allocate 745. GiB for an array "
        "with shape (100000000, 1000)); give smaller sizes (see 'python -m benchmarks.demo --help')\n")


CPU_ALLOCATOR_FAILED = ("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate "
                     "memory: you tried to allocate 25600000000 bytes.")


@pytest.mark.parametrize(("argv", "sizes", "error"), [
    (["--batch", "100000000"], "--batch 100000000 or --mimkd-critic-hidden 512", CPU_ALLOCATOR_FAILED),
    (["--batch", "100000000", "--methods", "vid"], "--batch 100000000", CPU_ALLOCATOR_FAILED),
    # It blamed '--batch 64' alone for 512000000000 bytes of MIMKD critics.
    (["--methods", "mimkd", "--mimkd-critic-hidden", "1000000000"],
     "--batch 64 or --mimkd-critic-hidden 1000000000", CPU_ALLOCATOR_FAILED),
    # Windows' allocator says 'not enough memory': it was still torch's traceback, exit 1, there.
    (["--batch", "100000000", "--methods", "vid"], "--batch 100000000",
     "[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough memory: you tried to "
     "allocate 25600000000 bytes."),
])
def test_torch_out_of_memory_is_one_line_and_status_2(argv, sizes, error, monkeypatch, capsys):
    # 'distill_cost --batch 100000000' ended in torch's RuntimeError traceback ('DefaultCPUAllocator:
    # can't allocate memory: you tried to allocate 25600000000 bytes'), exit 1.
    distill_cost = _module("distill_cost")

    def allocate(*args, **kwargs):
        raise RuntimeError(error)

    monkeypatch.setattr(distill_cost, "build_variants", allocate)
    with pytest.raises(SystemExit) as exit_:
        _cli.run(lambda: distill_cost.main(["--pairs", "digits", *argv]), "distill_cost")
    assert exit_.value.code == 2
    assert capsys.readouterr().err.endswith(
        f"\npython -m benchmarks.distill_cost: error: out of memory ({sizes}: {error}); give smaller "
        "sizes (see 'python -m benchmarks.distill_cost --help')\n")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
def test_an_output_that_cannot_be_written_is_one_line_and_status_2():
    # `python -m benchmarks.NAME > FILE` on a full disk ended in an OSError traceback, status 1.
    command = "from benchmarks import _cli; _cli.run(lambda: print('| table |', flush=True), 'demo')"
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-c", command], stdout=full, stderr=subprocess.PIPE,
                              cwd=ROOT, timeout=60, text=True)
    assert done.returncode == 2
    assert done.stderr == "python -m benchmarks.demo: error: [Errno 28] No space left on device\n"


def interrupted_on_call(number: int, value):
    """A stand-in for a measuring function: ``value`` until Ctrl-C arrives on call ``number``."""
    calls = []

    def measure(*args, **kwargs):
        calls.append(1)
        if len(calls) == number:
            raise KeyboardInterrupt
        return value

    return measure


SOLVE = {"time": 0.002, "cpu": 0.002, "uni_t": 0.25, "gap": 1e-9, "certified": True, "peak": 0.1,
         "note": ""}
NOT_RUN = ["not run", "not run", "not run", "- / - / -", "-", "-"]
INTERRUPTED = [
    ("redundancy", ["--repeats", "1"], "_capped", (0.5, 0.125), 4, [
        ["AND", "gh", "0.5000 s", "0.125000", "PID_GH", "0.5000 s", "0.125000"],
        ["AND", "prec", "0.5000 s", "0.125000", "-", "-", "no peer run (dit's PID_Prec needs pypoman)"],
    ]),
    ("bertschinger", ["--suites", "small", "--peers", "native", "--max-cells", "1000"], "measure", SOLVE, 3, [
        ["2x2x2", "full", "2.00 ms", "2.00 ms", "1.0e-09", *NOT_RUN],
        ["2x2x2", "half", "2.00 ms", "2.00 ms", "1.0e-09", *NOT_RUN],
    ]),
]


def table_rows(out: str) -> list[list[str]]:
    """The cells of the rows of the markdown tables in ``out``, headers left out."""
    lines = [*out.splitlines(), ""]
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for i, line in enumerate(lines) if line.startswith("| ") and not lines[i + 1].startswith("|--")]


@pytest.mark.parametrize(("name", "argv", "target", "value", "on_call", "rows"), INTERRUPTED,
                         ids=[row[0] for row in INTERRUPTED])
def test_ctrl_c_prints_the_rows_measured_so_far(name, argv, target, value, on_call, rows, monkeypatch,
                                               capsys):
    # Ctrl-C half-way printed only 'interrupted' on stderr: minutes of measurements were lost.
    module = _module(name)
    monkeypatch.setattr(module, target, interrupted_on_call(on_call, value))
    with pytest.raises(KeyboardInterrupt):
        module.main(argv)
    out = capsys.readouterr().out
    assert table_rows(out) == rows
    assert out.endswith("|\n# interrupted by Ctrl-C: the rows above are those measured before it\n")


def test_gaussian_builds_its_systems_under_the_progress_bar(monkeypatch, capsys):
    # At the default --max-d 1024 the systems were all built first, over 25 s with no progress bar,
    # and Ctrl-C then printed no rows: each is now built as its turn comes, under the bar.
    from benchmarks import gaussian
    from pidkit.gaussian import examples

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(examples, "degraded", interrupted)  # the second system, degraded (2, 2, 2)
    monkeypatch.setattr(gaussian, "_timing_row", lambda name, ex, args, out: [name, ex.dims, *"abcdefg"])
    with pytest.raises(KeyboardInterrupt):
        gaussian.main(["--max-d", "2", "--bias-reps", "0"])
    out, err = capsys.readouterr()
    assert table_rows(out) == [["scalar target (1, 2, 2)", "(1, 2, 2)", *"abcdefg"]]
    assert out.endswith("|\n# interrupted by Ctrl-C: the rows above are those measured before it\n")
    assert "systems:  50%" in err and "| 1/2 [" in err


@pytest.mark.parametrize(("name", "argv"), [
    ("redundancy", ["--repeats", "1"]),
    ("bertschinger", ["--suites", "small", "--max-cells", "8", "--repeats", "1",
                      "--peers", "native,dit cone"]),  # the 2x2x2 joints, full and half
])
def test_a_peer_that_is_not_installed_is_said_so_in_its_cells(name, argv, monkeypatch, capsys):
    # Without dit, its cells read 'failed (ModuleNotFoundError)' (bertschinger) or a cut
    # 'error: ModuleNotFoundError: No module named 'dit'' (redundancy), as if dit had failed.
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda mod, *a: None if mod == "dit" else real(mod, *a))
    module = _module(name)
    if name == "redundancy":
        monkeypatch.setattr(module, "_capped", lambda fn, **kw: (0.5, 0.125))
    module.main(argv)
    peer_cells = [row[5] if name == "redundancy" else row[7] for row in table_rows(capsys.readouterr().out)
                  if "no peer run (dit's PID_Prec needs pypoman)" not in row]
    assert peer_cells == ["not installed (pip install dit)"] * (6 if name == "redundancy" else 2)


@pytest.mark.parametrize(("name", "option", "words"), [
    ("distill_cpu", "--jobs", "an integer from 1 to {cpus}, the CPUs here"),
    ("distill_cost", "--threads", "an integer from 1 to {cpus}, the CPUs here"),
    ("estimate_bias", "--n-jobs", "a nonzero integer from -{cpus} to {cpus}, the CPUs here (-1: every CPU)"),
])
@pytest.mark.parametrize("beyond", [1, 1000])
def test_more_processes_than_cpus_is_one_line_and_status_2(name, option, words, beyond, capsys):
    # 'distill_cpu --jobs 1000' started 1000 processes on 2 cores, each importing torch; joblib's
    # n_jobs likewise, and a negative one under -CPUs silently meant 1.
    from joblib import cpu_count

    cpus = cpu_count()
    too_many = str(-cpus - beyond) if option == "--n-jobs" else str(cpus + beyond)
    module = _module(name)
    with pytest.raises(SystemExit) as exit_:  # the parser alone: before the fix the grid would run
        _cli.parse_args(module.get_parser(), [option, too_many], module.QUICK)
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (
        f"python -m benchmarks.{name}: error: argument {option}: expected {words.format(cpus=cpus)}; "
        f"got '{too_many}'; see 'python -m benchmarks.{name} --help'\n")


def test_too_few_samples_for_the_classes_name_the_fewest(capsys):
    from benchmarks import estimate

    with pytest.raises(SystemExit):
        estimate.main(["--classes", "11", "--n", "439", "--widths", "10"])
    assert capsys.readouterr().err == (
        "python -m benchmarks.estimate: error: --n 439 is too few samples for --classes 11: the default "
        "correction needs at least 440 (11 classes x 10 clusters, in a quarter of the samples); give a "
        "larger --n or fewer --classes; see 'python -m benchmarks.estimate --help'\n")
    shapes = [(10, 10, 10), (11, 10, 10), (4, 4, 4), (10**5, 10, 10)]
    assert [_cli.fewest_samples(shape) for shape in shapes] == [400, 440, 64, 4 * 10**6]


def test_the_partial_table_starts_on_a_line_of_its_own_not_on_the_bars():
    # On a terminal (stdout and stderr on one screen) the table's header row was written after the
    # open bar's text, on its line: 'joints x n:   0%|...| 0/2 [00:00<?, ?it/s]| a | b |'.
    command = ("from benchmarks import _cli\n"
               "def main():\n"
               "    bar = _cli.progress(total=2, desc='joints x n')\n"
               "    with _cli.shown_if_interrupted(lambda: '| a | b |'):\n"
               "        raise KeyboardInterrupt\n"
               "_cli.run(main, 'demo')\n")
    done = subprocess.run([sys.executable, "-c", command], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          cwd=ROOT, timeout=60, text=True)
    assert done.returncode == 130
    lines = [line.rsplit("\r", 1)[-1] for line in done.stdout.split("\n")]  # as a terminal shows them
    assert lines[lines.index("| a | b |") + 1] == (
        "# interrupted by Ctrl-C: the rows above are those measured before it")


@pytest.mark.parametrize("option", ["--cap", "--big-cap", "--large-cap"])
def test_a_cap_past_what_a_wait_takes_is_one_line_and_status_2(option, capsys):
    # 'bertschinger --cap 1e300' ended in 'OverflowError: timeout is too large' (a traceback, exit 1)
    # once the first measurement had started: Connection.poll takes at most 2**31 ms.
    from benchmarks import bertschinger

    with pytest.raises(SystemExit) as exit_:  # the parser alone: before the fix the suites would run
        _cli.parse_args(bertschinger.get_parser(), [option, "3e6"], bertschinger.QUICK)
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (
        f"python -m benchmarks.bertschinger: error: argument {option}: expected a positive number of "
        f"seconds up to 1000000 (11.6 days); got '3e6'; see 'python -m benchmarks.bertschinger --help'\n")
    assert getattr(_cli.parse_args(bertschinger.get_parser(), [option, "1e6"], []),
                   option[2:].replace("-", "_")) == 1e6
