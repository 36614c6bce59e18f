"""The demo: its data never shows a network the held-out samples; a small run end to end."""

from __future__ import annotations

import contextlib
import errno
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures.process import BrokenProcessPool

import psutil
import pytest
import torch
from tiny_runs import command_env

from pidkit_distill.cli import main
from pidkit_distill.config_text import apply_overrides
from pidkit_distill.data import describe_dataset
from pidkit_distill.demo import (
    LABELLED_FRACTION,
    _chance_note,
    _estimates,
    _scaled_schedules,
    _worker_pool,
    demo_configs,
    demo_table,
    run_demo,
)
from pidkit_distill.training import check_config
from pidkit_distill.training.loaders import load_data
from pidkit_distill.training.rundir import run_folder_lock


def _rows(dataset) -> set[bytes]:
    x = dataset.tensors[0]
    return {row.numpy().tobytes() for row in x.reshape(len(x), -1)}


def test_demo_data_keeps_the_held_out_samples_from_both_networks(tmp_path):
    configs = demo_configs(tmp_path)
    assert len(configs) == 6
    # every run trains on the same data: checking one checks all
    assert len({(str(c.data), str(c.teacher.data_options)) for c in configs}) == 1
    for config in configs[:1]:
        student, teacher = load_data(config), load_data(config, teacher=True)
        held_out = _rows(student.test)
        # the teacher trains on the whole training split, the student on 2.5 % of it
        assert (len(teacher.train), len(student.train)) == (4000, 100)
        assert len(student.train) == round(LABELLED_FRACTION * len(teacher.train))
        assert _rows(student.train) <= _rows(teacher.train)
        assert not held_out & _rows(teacher.train)
        torch.testing.assert_close(teacher.test.tensors[0], student.test.tensors[0])
        torch.testing.assert_close(teacher.test.tensors[1], student.test.tensors[1])
        assert len(held_out) == 2000
    for config in configs:  # what the trainer is told matches what is loaded
        checked = check_config(config)
        assert (checked.data.n_train, checked.teacher_data.n_train) == (100, 4000)
        assert describe_dataset(config.data.name, **config.data.options).n_test == 2000


def test_demo_configs_differ_only_in_method_and_teacher(tmp_path):
    configs = demo_configs(tmp_path, epochs=300)
    assert {(c.method.name, c.teacher.source) for c in configs} == {
        (m, t) for m in ("bas", "vid", "rid") for t in ("trained", "untrained")}
    assert all(c.run.epochs == 300 and c.run.audit_every == c.run.checkpoint_every == 50
               for c in configs)
    # RID keeps the paper's 300-epoch schedule: nothing to scale, no notice
    rid = next(c for c in configs if c.method.name == "rid")
    checked = check_config(rid)
    assert checked.notices == ()
    assert (checked.params.warmup_epochs, checked.params.cycle_epochs) == (30, 30)
    assert checked.params.student_epochs(300) == 207


# held-out accuracies of `pidkit-distill demo --epochs N` (seed 0, 2,000 held-out samples, the
# most common class 516 of them)
_TEN = [0.3075, 0.294, 0.2595, 0.3075, 0.2565, 0.2605]
_FULL = [0.8745, 0.9315, 0.904, 0.8745, 0.2625, 0.8635]


@pytest.mark.parametrize("accuracies", [
    [0.2575, 0.2575, 0.258, 0.2575, 0.2615, 0.258],  # --epochs 3
    [0.263, 0.2605, 0.258, 0.263, 0.2605, 0.258],  # --epochs 5
    _TEN, _FULL,
])
def test_the_change_against_bas_is_that_of_the_accuracies_shown(accuracies):
    # 25.75 % and 25.8 % both read 25.8 and their change read +0.1; 26.3 and 26.05 (26.1) -0.3
    rows = [{**r, "audit": {}} for r in _records(300, accuracies)]
    lines = [line.split() for line in demo_table(rows).splitlines()[1:]]
    shown = {(line[0], line[1]): float(line[2]) for line in lines}
    for line in lines:
        if line[1] != "BAS":
            assert float(line[4]) == pytest.approx(shown[line[0], line[1]] - shown[line[0], "BAS"])


def test_the_demos_documented_table_reads_its_changes_as_shown():
    lines = [line.split() for line in demo_table([{**r, "audit": {}} for r in _records(
        300, _FULL)]).splitlines()[1:]]
    assert [line[2:] for line in lines] == [
        ["87.5", "%"], ["93.2", "%", "+5.7"], ["90.4", "%", "+2.9"],
        ["87.5", "%"], ["26.2", "%", "-61.3"], ["86.4", "%", "-1.1"]]


def test_demo_table_reads_the_change_against_bas_per_teacher():
    def row(teacher, method, acc):
        return {"teacher": teacher, "method": method, "last_acc": acc,
                "audit": {"red": 0.5, "uni_t": 0.25, "uni_s": 0.125, "syn": 0.0625}}

    table = demo_table([row("trained", "bas", 0.80), row("trained", "rid", 0.90),
                        row("untrained", "bas", 0.80), row("untrained", "vid", 0.25)])
    lines = table.splitlines()
    assert lines[0].split() == ["teacher", "method", "student", "acc", "vs", "BAS", "Red",
                                "Uni(Y:T\\S)", "Uni(Y:S\\T)", "Syn"]
    assert lines[2].split() == ["trained", "RID", "90.0", "%", "+10.0", "0.500", "0.250",
                                "0.125", "0.062"]
    assert lines[4].split()[:5] == ["untrained", "VID", "25.0", "%", "-55.0"]
    assert lines[3].split()[:4] == ["untrained", "BAS", "80.0", "%"]  # no change column
    missing = demo_table([{**row("trained", "bas", 0.8), "audit": {}}])
    assert missing.splitlines()[1].split() == ["trained", "BAS", "80.0", "%"]


def test_a_shorter_demo_audits_its_runs_no_more_often_than_the_full_one(tmp_path):
    # the audits are most of a run's time: epochs // 6 audited --epochs 7 to 11 after every
    # epoch, so --epochs 10 took 140 s of CPU time against the full demo's 117 s
    from pidkit_distill.training import train

    small = ["data.options.n_train=400", "data.options.n_test=200", "audit.bootstrap=0",
             "audit.bias_correction=none", "teacher.source=untrained", "run.print_every=0"]
    config = demo_configs(tmp_path, epochs=11, overrides=small)[0]
    with contextlib.redirect_stdout(None):
        folder = train(config).run_dir
    records = (folder / "audit.jsonl").read_text().splitlines()
    audited = [json.loads(line)["epoch"] for line in records]
    assert audited == [0, 2, 4, 6, 8, 10, 11]  # the full demo's 7: 0, 50, ..., 300
    for epochs in range(2, 302):  # the trainer's rule: after epoch 0, every N and the last
        every = demo_configs(tmp_path, epochs=epochs)[0].run.audit_every
        assert len({0, epochs, *range(every, epochs + 1, every)}) <= 7, epochs


def _records(epochs, accuracies):
    return [{"teacher": t, "method": m, "epochs": epochs, "last_acc": a} for (t, m), a in zip(
        [(t, m) for t in ("trained", "untrained") for m in ("bas", "vid", "rid")], accuracies,
        strict=True)]


@pytest.mark.parametrize(("epochs", "accuracies", "note"), [
    # --epochs 2: every student at 25.8 %, and the table read as if it compared the methods
    (2, [0.258] * 6, "note: every student ended at chance (held-out accuracy at most 27.8 %, "
                     "two standard errors above the 25.8 % of always answering the most common "
                     "class): 2 epochs are too few to learn the task, so the table compares no "
                     "method; run more --epochs (the default, 300, is the paper's schedule)"),
    (10, _TEN, "note: 3 of the 6 students ended at chance (trained RID, untrained VID, untrained "
               "RID: held-out accuracy at most 27.8 %, two standard errors above the 25.8 % of "
               "always answering the most common class) after 10 epochs: too few for their "
               "method's schedule, or their method's outcome, which a run shorter than the "
               "paper's 300 epochs cannot tell apart; run more --epochs (the default, 300) to "
               "compare the methods"),
    # VID with the untrained teacher ended at chance alone at --epochs 150 and 200 (25.0 % and
    # 25.6 %) as in the full demo: the note told a 200-epoch demo that "it has learnt next to
    # nothing of the task, so its row does not compare the methods; run more --epochs", which
    # would not change its row (the other rows here: the full demo's, above chance)
    (200, [*_FULL[:4], 0.256, _FULL[5]],
     "note: 1 of the 6 students ended at chance (untrained VID: held-out accuracy at most 27.8 %, "
     "two standard errors above the 25.8 % of always answering the most common class) after "
     "200 epochs: too few for its method's schedule, or its method's outcome, which a run "
     "shorter than the paper's 300 epochs cannot tell apart; run more --epochs (the default, "
     "300) to compare the methods"),
    # the whole schedule: VID with the untrained teacher at chance is the method's outcome
    (300, _FULL, ""),
])
def test_the_demo_says_when_a_short_run_left_students_at_chance(epochs, accuracies, note):
    got = _chance_note(_records(epochs, accuracies), chance=516 / 2000, n_test=2000)
    assert " ".join(got.split()) == note


def test_the_demos_public_names_are_what_a_user_runs_or_rebuilds():
    # the note of students at chance was public: a line of the demo's output, from the held-out
    # share of the most common class that no public function gives, and it took its arguments
    # unchecked (n_test=0: ZeroDivisionError, chance=1.5: "math domain error")
    from pidkit_distill import demo

    # DemoInterrupted: what run_demo raises at an interrupt, a caller may catch it by name
    assert demo.__all__ == ["DEMO_EPOCHS", "LABELLED_FRACTION", "DemoInterrupted", "demo_configs",
                            "demo_table", "run_demo"]


def test_at_chance_means_at_most_two_standard_errors_above_the_most_common_class():
    # 0.25 of 300 samples: standard error sqrt(0.25 * 0.75 / 300) = 0.025, so 30.0 % is the
    # limit, to the tenth of a point the table shows
    def at_chance(acc, chance=0.25, n_test=300):
        return bool(_chance_note(_records(5, [0.9] * 5 + [acc]), chance=chance, n_test=n_test))

    assert at_chance(0.25) and at_chance(0.2999) and at_chance(0.3004) and at_chance(0.10)
    assert not at_chance(0.301) and not at_chance(0.9)
    # the demo's: 27.76 %, shown 27.8; a student at 27.8 % was not at chance while one at
    # 27.75 %, shown 27.8 too, was, under a note that said "at most 27.8 %"
    demo = {"chance": 516 / 2000, "n_test": 2000}
    assert at_chance(0.2775, **demo) and at_chance(0.278, **demo)
    assert not at_chance(0.2785, **demo)  # shown 27.9


@pytest.mark.parametrize(("method", "says"), [
    ("eb-extrapolation", " (bias-corrected estimates, n = 200; a corrected atom"),
    # every audit record has its plug-in atoms under 'plugin': with --set
    # audit.bias_correction=none the demo called its plug-in atoms bias-corrected
    ("none", " (plug-in estimates from n = 200 samples, biased upward)"),
])
def test_the_demo_says_whether_its_atoms_are_bias_corrected(method, says):
    final = {"red": 0.1, "uni_t": 0.0, "uni_s": 0.0, "syn": 0.2, "n_samples": 200,
             "plugin": {"red": 0.1, "uni_t": 0.0, "uni_s": 0.0, "syn": 0.2},
             "bias_correction": {"method": method}}
    assert _estimates([{"audit": final}, {"audit": final}]).startswith(says)


def test_demo_runs_end_to_end_and_writes_everything_under_its_folder(tmp_path, capsys):
    out = tmp_path / "demo"
    out.mkdir()
    (out / ".pidkit-distill-demo").write_text("an earlier demo\n")
    (out / "stale.txt").write_text("from an earlier demo\n")
    small = ["data.options.n_train=400", "data.options.n_test=200", "teacher.epochs=1"]
    report = run_demo(out_dir=out, epochs=2, workers=1, overrides=small)
    assert not (out / "stale.txt").exists()  # an earlier demo's folder is replaced
    printed = capsys.readouterr().out
    assert "sees 10 of them (2.5 %)" in printed and "all 400 training samples" in printed
    assert "200 held-out samples no network trains on" in printed
    assert "How to read it" in printed and "n = 200" in printed
    # 2 epochs of 10 samples learn nothing: the table read as if it compared the methods
    assert "\nnote: every student ended at chance (held-out accuracy at most " in printed
    # a short demo's RID row is not the paper's schedule: it was said only in the runs' train.log
    assert ("\n  schedule RID's 300-epoch schedule scaled to the run: warmup_epochs=0, "
            "cycle_epochs=4 (its student trains in 1 of 2 epochs)\n  writing ") in printed
    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [(r["method"], r["teacher"]) for r in results] == [
        (m, t) for t in ("trained", "untrained") for m in ("bas", "vid", "rid")]
    for r in results:
        assert 0.0 <= r["last_acc"] <= 1.0 and r["epochs"] == 2
        assert {"red", "uni_t", "uni_s", "syn", "n_samples"} <= set(r["audit"])
        run = out / r["run"]
        assert (run / "audit.jsonl").is_file() and (run / "train.log").is_file()
    table = printed[printed.index("teacher    method"):].splitlines()[1:7]
    assert [line.split()[:2] for line in table] == [
        [t, m] for t in ("trained", "untrained") for m in ("BAS", "VID", "RID")]
    assert report == out / "report" / "report.md" and report.is_file()
    assert {p.name for p in (out / "report").glob("*.png")} == {"accuracy.png", "losses.png",
                                                                "pid_atoms.png"}
    assert sum(1 for p in out.iterdir() if p.name.startswith("teacher-")) == 1


def test_demo_refuses_bad_arguments_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="workers must be an int >= 1"):
        run_demo(out_dir=tmp_path, workers=0)
    afile = tmp_path / "afile"
    afile.write_text("not a folder\n")
    with pytest.raises(ValueError, match=r"out_dir='.*afile' is a file; choose a folder"):
        run_demo(out_dir=afile)
    with pytest.raises(ValueError, match=r"out_dir='.*afile/sub' cannot be created \(Not a "
                                         r"directory\); choose another folder"):
        run_demo(out_dir=afile / "sub")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


@pytest.mark.parametrize(("there", "failed"), [(True, "cannot be written"),
                                              (False, "cannot be created")])
def test_a_read_only_out_dir_is_said_to_be_unwritable_not_uncreatable(tmp_path, monkeypatch,
                                                                      there, failed):
    # an empty folder on a read-only file system read "out_dir='ro' cannot be created
    # (Read-only file system)", of a folder that was there
    from pidkit_distill.training import rundir

    def read_only(folder):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(rundir, "run_folder_lock", read_only)
    out = tmp_path / "ro"
    if there:
        out.mkdir()
    with pytest.raises(ValueError) as refused:
        run_demo(out_dir=out, epochs=2)
    assert str(refused.value) == (f"out_dir='{out}' {failed} ({os.strerror(errno.EROFS)}); "
                                  "choose another folder")


@pytest.mark.parametrize(("epochs", "error", "message"), [
    # they said "config key 'run.epochs' must be >= 1, got 0", and for 1 "run.epochs: 1 epochs
    # are too few for method 'rid' ...; raise run.epochs or set method.params.warmup_epochs,
    # method.params.cycle_epochs yourself": keys the demo's user does not set
    (0, ValueError, "epochs must be an int >= 2; got 0."),
    (-3, ValueError, "epochs must be an int >= 2; got -3."),
    (1, ValueError, "epochs must be an int >= 2; got 1."),
    (2.0, TypeError, "epochs must be an int >= 2; got 2.0 (float)."),
    (True, TypeError, "epochs must be an int >= 2; got True (bool)."),
])
def test_demo_refuses_too_few_epochs_naming_its_argument(tmp_path, epochs, error, message):
    with pytest.raises(error) as refused:
        run_demo(out_dir=tmp_path / "demo", epochs=epochs)
    assert str(refused.value) == message
    assert not (tmp_path / "demo").exists()


def test_the_demos_fewest_epochs_are_the_trainers(tmp_path):
    # 2 epochs pass every run's check; RID's schedule scaled to 1 leaves its student none
    assert all(check_config(config) for config in demo_configs(tmp_path, epochs=2))
    rid = apply_overrides(demo_configs(tmp_path, epochs=2)[2], ["run.epochs=1"])
    with pytest.raises(ValueError, match=r"^run\.epochs: 1 epochs are too few for method 'rid'"):
        check_config(rid)


def test_the_demo_command_says_which_epochs_it_takes(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["demo", "--epochs", "1", "--out-dir", str(tmp_path / "demo")])
    assert (stop.value.code, capsys.readouterr().err) == (2, (
        "pidkit-distill demo: error: argument --epochs: must be a whole number of at least 2 "
        "(RID's schedule scaled to one epoch leaves its student none); got 1, e.g. --epochs 2; "
        "see 'pidkit-distill demo --help'\n"))


def test_demo_does_not_empty_the_folder_of_a_demo_still_running(tmp_path):
    # a second `make demo` deleted the runs of the first while they trained
    out = tmp_path / "demo"
    (out / "synthetic-bas-tt").mkdir(parents=True)
    (out / ".pidkit-distill-demo").write_text("made by `pidkit-distill demo`\n")
    (out / "synthetic-bas-tt" / "metrics.jsonl").write_text("")
    with run_folder_lock(out / "synthetic-bas-tt"), pytest.raises(
            ValueError, match=r"^out_dir='.*demo' is in use by a demo that is still running \(it "
                              r"is writing synthetic-bas-tt\); wait for it to end, or choose "
                              r"another folder$"):
        run_demo(out_dir=out, epochs=2)
    assert (out / "synthetic-bas-tt" / "metrics.jsonl").is_file()  # nothing was deleted
    assert (out / ".pidkit-distill-demo").is_file()


def test_demo_does_not_empty_the_folder_of_a_demo_between_its_runs(tmp_path, monkeypatch):
    # a demo writes no run folder while it checks its runs, while its workers start and while
    # it writes its report: a second demo then emptied the folder under the first
    from pidkit_distill import training

    paused, go_on = threading.Event(), threading.Event()

    def teacher_of_the_first_demo(config):
        assert threading.current_thread() is not threading.main_thread(), "second demo ran"
        paused.set()
        assert go_on.wait(120)
        raise KeyboardInterrupt  # the first demo ends here

    monkeypatch.setattr(training, "train_teacher", teacher_of_the_first_demo)
    out = tmp_path / "demo"

    def first_demo():
        with pytest.raises(KeyboardInterrupt):
            run_demo(out_dir=out, epochs=2)

    first = threading.Thread(target=first_demo)
    first.start()
    try:
        assert paused.wait(120)
        with pytest.raises(ValueError, match=r"^out_dir='.*demo' is in use by a demo that is "
                                             r"still running; wait for it to end, or choose "
                                             r"another folder$"):
            run_demo(out_dir=out, epochs=2)
        assert (out / ".pidkit-distill-demo").is_file()  # nothing was deleted
    finally:
        go_on.set()
        first.join(120)
    with pytest.raises(AssertionError, match="second demo ran"):  # free again once it ended
        run_demo(out_dir=out, epochs=2)


def _exit_code(process: multiprocessing.Process, seconds: float) -> int | None:
    """``process``'s exit code, waiting up to ``seconds``; None if it is still running.

    Read through multiprocessing, which the pool's own thread polls too: a wait from outside it
    (psutil's) reaps the workers behind its back and leaves that thread spinning forever at
    interpreter exit. Polled, not joined once: when both threads wait at the same instant, the
    one that loses reads None until the other has stored the code.
    """
    deadline = time.monotonic() + seconds
    while process.exitcode is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return process.exitcode


def test_an_interrupt_ends_the_pool_s_workers_at_once(tmp_path):
    others = set(multiprocessing.active_children())
    with pytest.raises(KeyboardInterrupt), _worker_pool(2, tmp_path) as pool:
        runs = [pool.submit(time.sleep, 600) for _ in range(5)]  # ten minutes each
        workers = set(multiprocessing.active_children()) - others
        assert len(workers) == 2
        threads = set(threading.enumerate())
        raise KeyboardInterrupt
    # the pool's own thread has finished: left running, it closed its wake-up pipe while the
    # interpreter exited and the exit's wake-up failed on it ("Bad file descriptor", 1 CI in ~40)
    assert set(threading.enumerate()) < threads
    for worker in workers:  # terminated, not left to finish its run
        assert _exit_code(worker, 10) == -signal.SIGTERM
    for run in runs:  # each run cancelled, or failed with its worker: none goes on
        assert run.cancelled() or isinstance(run.exception(timeout=10), BrokenProcessPool)


_DEMO = """
import sys
import pidkit_distill.demo as demo
demo._COMMON += ["data.options.n_train=400", "data.options.n_test=200", "teacher.epochs=1",
                 "audit.bootstrap=0"]
from pidkit_distill.cli import main
raise SystemExit(main(["demo", "--epochs", "5000", "--out-dir", sys.argv[1]]))
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_demo_interrupted_alone_ends_its_workers_and_exits_with_one_line(tmp_path, signum):
    # the signal reaches the main process only (as `timeout -s INT` or `kill` send it): it used
    # to wait forever for its workers (SIGINT) or to leave them running orphaned (SIGTERM)
    out = tmp_path / "demo"
    proc = subprocess.Popen([sys.executable, "-c", _DEMO, str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=command_env(),
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob("synthetic-*/config.json")):  # the workers are training
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.2)
        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=20)
    finally:  # whatever failed, nothing of the demo is left running
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    _, alive = psutil.wait_procs(children, timeout=10)  # not ours: the demo's children
    assert not alive
    assert proc.returncode == 128 + signum, stderr  # 130 for SIGINT, 143 for SIGTERM
    # one line, after the warning that its one-epoch teacher may give of ending at chance
    assert [line for line in stderr.splitlines()
            if not line.startswith("warning: the teacher ended at ")] == [
        "pidkit-distill demo: interrupted before any of its 6 runs had finished: run the demo "
        "again to start over (it empties its --out-dir first)"]
    assert stderr.endswith("(it empties its --out-dir first)\n")
    assert "teacher trained" in stdout


_POOL_STOPPED = """
import pathlib, sys, time
from pidkit_distill.demo import _worker_pool
folder = pathlib.Path(sys.argv[1])
# each worker draws a (hidden) progress bar, as a run's epoch does, says so, then works on
work = ("from pidkit._progress import bar_class; bar_class()(range(1), disable=True); "
        f"import os, pathlib, time; pathlib.Path({str(folder)!r}, str(os.getpid())).touch(); "
        "time.sleep(60)")
try:
    with _worker_pool(2, folder) as pool:
        for _ in range(2):
            pool.submit(exec, work)
        while len(list(folder.iterdir())) < 2:
            time.sleep(0.1)
        raise KeyboardInterrupt  # as SIGTERM in the demo: the workers are terminated
except KeyboardInterrupt:
    sys.exit(143)
"""


def test_workers_terminated_leave_no_semaphore_behind(tmp_path):
    # after a SIGTERM, the demo's one line was followed by "resource_tracker: There appear to be
    # 2 leaked semaphore objects": each terminated worker's tqdm lock (a named semaphore)
    proc = subprocess.run([sys.executable, "-c", _POOL_STOPPED, str(tmp_path)],
                          capture_output=True, text=True, env=command_env(), timeout=60)
    assert (proc.returncode, proc.stderr) == (143, "")


def test_a_tilde_out_dir_is_the_home_folder_as_for_its_runs(tmp_path, monkeypatch):
    # the runs expanded '~' (run.out_dir) while the demo's own lock, marker and report went to a
    # folder literally named '~' under the current one
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    (tmp_path / "taken").write_text("a file")
    with pytest.raises(ValueError, match=f"^out_dir='{tmp_path}/taken' is a file; choose a folder$"):
        run_demo(out_dir="~/taken", epochs=2)
    assert not (tmp_path / "work" / "~").exists()


@pytest.mark.parametrize(("error", "status", "start"), [
    (OSError(28, "No space left on device"), 1, "pidkit-distill demo: training failed: "),
    (ValueError("out_dir='x' is a file; choose a folder"), 2, "pidkit-distill demo: error: "),
])
def test_the_demos_full_disk_is_the_machines_failure_not_a_usage_error(monkeypatch, capsys, error,
                                                                        status, start):
    def failing(**kwargs):
        raise error

    monkeypatch.setattr("pidkit_distill.demo.run_demo", failing)
    assert main(["demo"]) == status
    assert capsys.readouterr().err.startswith(start)


@pytest.mark.parametrize(("epochs", "scaled"), [(2, ["RID"]), (300, [])])
def test_the_header_names_only_schedules_that_were_scaled(tmp_path, epochs, scaled):
    # any notice of a run was read as a scaled schedule: run.resume=true on a new folder (a notice
    # that nothing is there to resume) named BAS's and VID's schedules "scaled" too
    small = ["data.options.n_train=400", "data.options.n_test=200", "run.resume=true"]
    checked = [check_config(c) for c in demo_configs(tmp_path, epochs=epochs, overrides=small)]
    assert all(run.notices for run in checked)
    assert [line.split("'")[0] for line in _scaled_schedules(checked)] == scaled


def test_a_demo_killed_on_a_file_system_without_flock_leaves_a_folder_a_demo_takes(
        tmp_path, monkeypatch):
    # where flock is not implemented (ENOSYS: Lustre without -o flock) filelock's soft lock took
    # the .lock a killed demo left in its folder for a lock held: every demo there was refused,
    # 'out_dir=... is in use by a demo that is still running', for good
    from pidkit_distill import training

    fcntl = pytest.importorskip("fcntl")

    def no_flock(fd, operation):
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS))

    def first_run(config):
        raise KeyboardInterrupt  # the demo has emptied its folder and started its runs

    monkeypatch.setattr(fcntl, "flock", no_flock)
    monkeypatch.setattr(training, "train_teacher", first_run)
    out = tmp_path / "demo"
    (out / "synthetic-bas-tt").mkdir(parents=True)
    (out / ".pidkit-distill-demo").write_text("made by `pidkit-distill demo`\n")
    for folder in (out, out / "synthetic-bas-tt"):  # left by the killed demo
        (folder / ".lock").write_bytes(b"")
    with pytest.warns(RuntimeWarning, match=r"^run folder '.*demo' is not locked: its file "
                      r"system cannot lock files \(Function not implemented\)"), \
            pytest.raises(KeyboardInterrupt):
        run_demo(out_dir=out, epochs=2)
    assert not (out / "synthetic-bas-tt").exists()  # emptied: the killed demo's runs are gone
