"""The CPU demo (``python -m pidkit_distill demo``, ``make demo``): a teacher that pays off.

The embedded task is the RID paper's nuisance task (:func:`pidkit_distill.data.make_synthetic`:
a 2-bit label in 32-dimensional inputs under a 6-bit nuisance three times louder; generated, no
download). The teacher, an MLP 128-128-128, is trained on all 4,000 training samples; the
student, an MLP 8-8-8, sees only 100 of them (``train_fraction = 0.025``, a class-stratified
subset); both are scored on the 2,000 held-out samples, which neither ever trains on.

Why this task: 100 labels are too few for the student to tell the label's 4 input directions
from the 6 louder nuisance directions, so alone (BAS) it stays well below the teacher; the
teacher learnt those directions from 4,000 samples and its deeper layers carry them, so a
student that matches its features on the same 100 inputs learns them too. An untrained teacher's
features are mostly the nuisance (Theorem 3.1 of the RID paper): a method that copies them (VID)
loses the label, one that keeps only what they say about the label (RID) stays near BAS.

Six runs: BAS, VID and RID, each with the trained and with an untrained teacher (the same
architecture at its seeded initialisation), two at a time on two cores, one thread each. Every
run uses the RID paper's whole 300-epoch schedule (SGD, Nesterov, lr 0.05, x0.2 at epochs 150
and 200; RID's 30 warm-up epochs and cycles of 30 with 7 phase-1 epochs, so nothing is scaled)
-- affordable because 100 samples make an epoch two steps. Gradients are clipped at norm 100 for
every method, as the authors' code does. The PID audit of the innermost distilled layer runs
every 50 epochs, and each run writes its checkpoint as often (``run.checkpoint_every``; written
every epoch, the 300 checkpoints cost more than the 600 training steps). Everything is written
under ``out_dir``: the teacher's folder, one folder per run (``metrics.jsonl``, ``audit.jsonl``,
``summary.json``, ``train.log``), ``results.jsonl`` (one line per run: accuracy and the final
audit) and ``report/`` (``report.md`` and PNG plots).
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import shutil
import signal
import textwrap
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pidkit.utils import check_int
from pidkit_distill.atomic_files import remove_leftovers
from pidkit_distill.audit.records import corrected
from pidkit_distill.chance import (
    PAPER_EPOCHS,
    at_chance,
    chance_words,
    recorded_chance,
    shown_percent,
    trained_whole_schedule,
)
from pidkit_distill.config import TrainConfig, config_from_dict, config_to_dict
from pidkit_distill.config_text import apply_overrides
from pidkit_distill.run_folders.files import DEMO_MARKER, read_metrics
from pidkit_distill.signals import sigterm_interrupts

if TYPE_CHECKING:
    from pidkit_distill.training import CheckedConfig

__all__ = ["DEMO_EPOCHS", "LABELLED_FRACTION", "DemoInterrupted", "demo_configs", "demo_table",
           "run_demo"]

DEMO_EPOCHS = PAPER_EPOCHS
# The fewest student epochs: RID's schedule scaled to one epoch leaves its student none
# (tests/distill/test_demo.py checks that 2 pass the trainer's check and 1 does not).
_MIN_EPOCHS = 2
LABELLED_FRACTION = 0.025
_ATOMS = (("red", "Red"), ("uni_t", "Uni(Y:T\\S)"), ("uni_s", "Uni(Y:S\\T)"), ("syn", "Syn"))

_COMMON = [
    "data.name=synthetic",
    f"data.options.train_fraction={LABELLED_FRACTION}",
    "teacher.data_options.train_fraction=1.0",
    "model.teacher=synthetic-teacher",
    "model.student=synthetic-student",
    "teacher.epochs=15",
    "optim.grad_clip=100.0",
    "audit.layers=[2]",
    "run.threads=1",
    "run.progress=false",
    "run.device=cpu",
]
_METHODS = {
    "bas": ("BAS", "labels only"),
    "vid": ("VID", "labels + predict the teacher's features (Ahn et al. 2019)"),
    "rid": ("RID", "labels + match what the teacher's features say about the label (the paper)"),
}
_TEACHERS = (("trained", "tt"), ("untrained", "ut"))


def demo_configs(out_dir: str | Path = "runs/demo", *, epochs: int = DEMO_EPOCHS,
                 overrides: Sequence[str] = ()) -> list[TrainConfig]:
    """The six run configurations of the demo: BAS, VID, RID x trained, untrained teacher.

    Parameters
    ----------
    out_dir : path, default="runs/demo"
        Folder of the runs (``run.out_dir``).
    epochs : int, default=300
        Student epochs per run, at least 2. Where RID's 300-epoch schedule would leave its
        student fewer than half of them (up to 101 epochs), the trainer scales it to the run;
        the demo's header says so. Each run is audited (and checkpointed) every
        ``ceil(epochs / 6)`` epochs and after the last: at most 7 audits, with the untrained
        one, whatever ``epochs``.
    overrides : sequence of str, default=()
        ``section.key=value`` items applied to every run after the demo's own.

    Examples
    --------
    >>> configs = demo_configs()
    >>> [c.run.name for c in configs][:3]
    ['synthetic-bas-tt', 'synthetic-vid-tt', 'synthetic-rid-tt']
    >>> configs[0].data.options, configs[0].teacher.data_options
    ({'train_fraction': 0.025}, {'train_fraction': 1.0})
    """
    check_int(epochs, "epochs", minimum=_MIN_EPOCHS)
    # at most 6 audits after the untrained one, as the full demo's: the audits are most of a
    # run's time, and epochs // 6 audited --epochs 7 to 11 after every epoch (up to 12 audits)
    every = -(-epochs // 6)
    configs = []
    for teacher, tag in _TEACHERS:
        for method in _METHODS:
            configs.append(apply_overrides(TrainConfig(), [
                *_COMMON, f"method.name={method}", f"run.epochs={epochs}",
                f"run.audit_every={every}", f"run.checkpoint_every={every}",
                f"run.out_dir={out_dir}",
                f"teacher.source={teacher}", f"run.name=synthetic-{method}-{tag}", *overrides,
            ]))
    return configs


class DemoInterrupted(KeyboardInterrupt):
    """The demo's interrupt (Ctrl-C, or SIGTERM), raised from it once its workers have ended; its
    message says how many of the runs had finished (their folders hold ``summary.json``) and how
    to go on.

    Parameters
    ----------
    finished : int
        The runs that had finished.
    runs : int
        The demo's runs.

    Examples
    --------
    >>> print(DemoInterrupted(2, 6))
    interrupted; 2 of its 6 runs had finished and the other 4 were stopped: run the demo again \
to start over (it empties its --out-dir first)
    >>> print(DemoInterrupted(0, 6))
    interrupted before any of its 6 runs had finished: run the demo again to start over (it \
empties its --out-dir first)
    """

    def __init__(self, finished: int, runs: int) -> None:
        super().__init__(finished, runs)
        self.finished = finished
        self.runs = runs

    def __str__(self) -> str:
        if self.finished == 0:
            when = f" before any of its {self.runs} runs had finished"
        elif self.finished == self.runs:
            when = f" after all {self.runs} of its runs had finished, before its table and report"
        else:
            left = self.runs - self.finished
            when = (f"; {self.finished} of its {self.runs} runs had finished and the other "
                    f"{left} {'was' if left == 1 else 'were'} stopped")
        return (f"interrupted{when}: run the demo again to start over (it empties its --out-dir "
                "first)")


def _train_logged(config_dict: dict[str, Any]) -> dict[str, Any]:
    """Worker: one run, its printed lines kept in RUN_DIR/train.log; its result record."""
    from pidkit_distill.training import train

    start = time.perf_counter()
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        summary = train(config_from_dict(config_dict))
    (summary.run_dir / "train.log").write_text(buffer.getvalue())
    final = summary.last_audit or {}  # audited after the last epoch, as every run is
    return {
        "run": summary.run_dir.name, "run_dir": str(summary.run_dir),
        "teacher": config_dict["teacher"]["source"], "method": config_dict["method"]["name"],
        "epochs": summary.epochs_done, "last_acc": summary.last_acc,
        "best_acc": summary.best_acc, "teacher_acc": summary.teacher_acc,
        "audit": {k: v for k, v in final.items() if k != "settings"},
        "seconds": round(time.perf_counter() - start, 1),
    }


def _estimates(results: list[dict[str, Any]]) -> str:
    """What the table's atoms are, for the reading under it: bias-corrected when the runs'
    final audit records say so (:func:`~pidkit_distill.audit.records.corrected`), else plug-in
    (``audit.bias_correction=none``, whose records hold the plug-in atoms twice).

    Examples
    --------
    >>> _estimates([{"audit": {"n_samples": 200, "plugin": {}, "bias_correction": {"method": "none"}}}])
    ' (plug-in estimates from n = 200 samples, biased upward)'
    """
    n = results[0]["audit"].get("n_samples", "?")
    if any(corrected(r["audit"]) for r in results):
        return (f" (bias-corrected estimates, n = {n}; a corrected atom whose true value is 0 "
                "can come out slightly below 0: it is shown as estimated, not clipped; the "
                "intervals are in report.md, the plug-in atoms in each run's audit.jsonl)")
    return f" (plug-in estimates from n = {n} samples, biased upward)"


def _start_worker() -> None:
    """Initializer of the pool's workers. An interrupt is the main process's to handle (it ends
    the workers), so that Ctrl-C in a terminal, which reaches every process, prints nothing. And
    tqdm's lock is a thread lock: its default, a multiprocessing lock made at a worker's first
    progress bar, is a named semaphore that a terminated worker never removes, and the
    ``resource_tracker`` then warned of "2 leaked semaphore objects" after the demo's last line.
    """
    from tqdm import tqdm

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tqdm.set_lock(threading.RLock())  # a worker's bars are drawn by its threads alone


@contextlib.contextmanager
def _worker_pool(workers: int, out: Path) -> Iterator[ProcessPoolExecutor | None]:
    """The processes that train the runs in ``out``, ``workers`` at a time (``None`` for 1:
    this process).

    When the block ends by an exception (an interrupt, a failed run), the workers are terminated
    at once and the runs not started cancelled or failed, instead of waiting for the running runs
    to finish (which, after an interrupt of this process alone, they would do unwatched). SIGTERM
    ends a worker where it stands, in the middle of writing a file of its run folder maybe: once
    the workers have ended, the temporary files of those writes are removed from the run folders.
    """
    if workers == 1:
        yield None
        return
    others = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker)
    try:
        yield pool
    except BaseException:
        for process in set(multiprocessing.active_children()) - others:  # the pool's workers
            process.terminate()
        # joined, not left running: on Python 3.11 the pool's own thread, closing its wake-up
        # pipe while the interpreter exits, raced the exit's wake-up ("Bad file descriptor")
        pool.shutdown(wait=True, cancel_futures=True)
        _remove_unfinished_writes(out)
        raise
    pool.shutdown()


def _remove_unfinished_writes(out: Path) -> None:
    """Delete the temporary files of :func:`~pidkit_distill.atomic_files.atomic_write` in the run
    folders of ``out``, once no process writes there (the workers have ended; the demo holds
    ``out``'s lock). Best effort, as :func:`~pidkit_distill.atomic_files.remove_leftovers`."""
    try:
        folders = [path for path in out.iterdir() if path.is_dir() and not path.is_symlink()]
    except OSError:
        return
    for folder in folders:
        remove_leftovers(folder, None)


def demo_table(results: list[dict[str, Any]]) -> str:
    """The demo's table: accuracy, the change against BAS and the final audit, per run.

    ``results`` are the records of ``results.jsonl``. The atoms are whatever the audit
    recorded for the innermost audited layer at the last epoch.

    Examples
    --------
    >>> row = {"teacher": "trained", "method": "bas", "last_acc": 0.875,
    ...        "audit": {"red": 1.2, "uni_t": 0.3, "uni_s": 0.05, "syn": 0.01}}
    >>> print(demo_table([row, {**row, "method": "rid", "last_acc": 0.926}]))
    teacher    method  student acc  vs BAS     Red  Uni(Y:T\\S)  Uni(Y:S\\T)     Syn
    trained    BAS          87.5 %           1.200       0.300       0.050   0.010
    trained    RID          92.6 %    +5.1   1.200       0.300       0.050   0.010
    """
    widths = [max(len(label), 6) for _, label in _ATOMS]
    lines = ["teacher    method  student acc  vs BAS  " + "  ".join(
        f"{label:>{w}}" for (_, label), w in zip(_ATOMS, widths, strict=True))]
    # in points, as shown: the change between 25.75 % and 25.8 % (both shown 25.8) is +0.0
    shown = [shown_percent(r["last_acc"]) for r in results]
    bas = {r["teacher"]: acc for r, acc in zip(results, shown, strict=True)
           if r["method"] == "bas"}
    for r, acc in zip(results, shown, strict=True):
        base = bas.get(r["teacher"])
        delta = "" if r["method"] == "bas" or base is None else f"{acc - base:+.1f}"
        values = [r["audit"].get(key) for key, _ in _ATOMS]
        atoms = "  ".join(" " * w if v is None else f"{0.0 if abs(v) < 5e-4 else v:{w}.3f}"
                          for v, w in zip(values, widths, strict=True))
        lines.append(f"{r['teacher']:<10} {_METHODS[r['method']][0]:<7} "
                     f"{acc:>9.1f} %  {delta:>6}  {atoms}".rstrip())
    return "\n".join(lines)


def _chance_note(results: list[dict[str, Any]], *, chance: float, n_test: int) -> str:
    """The note under the demo's table when a shortened demo left students at chance, or ``""``.

    A student is at chance by :func:`~pidkit_distill.chance.at_chance`: its held-out accuracy
    at most two binomial standard errors above ``chance``, the share of the held-out set's most
    common class (what a student that always answers that class scores). Where every student is at
    chance, the run was too short to learn the task and the table compares no method. Where
    some are, a run shorter than the paper's 300 epochs cannot tell a method whose schedule
    needs more epochs (RID's student trains after its warm-up) from a method that ends at
    chance however long it trains (VID's with the untrained teacher, at chance from 150 to 300
    epochs): the note names those rows and says so, where the table read like a comparison.
    At 300 epochs or more, every method has trained its whole schedule, so a student at chance
    is its method's outcome: no note.

    Parameters
    ----------
    results : list of dict
        The records of ``results.jsonl`` (``teacher``, ``method``, ``epochs``, ``last_acc``).
    chance : float
        The held-out share of the most common class, in [0, 1].
    n_test : int
        The number of held-out samples the accuracies are measured on.

    Examples
    --------
    >>> rows = [{"teacher": t, "method": m, "epochs": 10, "last_acc": a}
    ...         for t, m, a in [("trained", "bas", 0.3075), ("trained", "rid", 0.2595)]]
    >>> print(_chance_note(rows, chance=0.258, n_test=2000))
    note: 1 of the 2 students ended at chance (trained RID: held-out accuracy at most 27.8 %,
    two standard errors above the 25.8 % of always answering the most common class) after 10
    epochs: too few for its method's schedule, or its method's outcome, which a run shorter than
    the paper's 300 epochs cannot tell apart; run more --epochs (the default, 300) to compare the
    methods
    >>> _chance_note([{**rows[1], "epochs": 300}], chance=0.258, n_test=2000)
    ''
    """
    epochs = min(r["epochs"] for r in results)
    low = [r for r in results if at_chance(r["last_acc"], chance, n_test)]
    if trained_whole_schedule(epochs) or not low:
        return ""
    level = chance_words(chance, n_test)
    if len(low) == len(results):
        text = (f"note: every student ended at chance ({level}): {epochs} epochs are too few "
                f"to learn the task, so the table compares no method; run more --epochs (the "
                f"default, {DEMO_EPOCHS}, is the paper's schedule)")
    else:
        names = ", ".join(f"{r['teacher']} {_METHODS[r['method']][0]}" for r in low)
        its = "its" if len(low) == 1 else "their"
        text = (f"note: {len(low)} of the {len(results)} students ended at chance "
                f"({names}: {level}) after {epochs} epochs: too few for {its} method's "
                f"schedule, or {its} method's outcome, which a run shorter than the paper's "
                f"{DEMO_EPOCHS} epochs cannot tell apart; run more --epochs (the default, "
                f"{DEMO_EPOCHS}) to compare the methods")
    return textwrap.fill(text, width=95)


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (this process on Windows)."""
    try:
        import resource
    except ImportError:
        return time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _header(config: TrainConfig, out: Path, workers: int, scaled: Sequence[str]) -> list[str]:
    from pidkit_distill.data import describe_dataset
    from pidkit_distill.training.loaders import data_options

    student = describe_dataset(config.data.name, seed=config.data.seed, **data_options(config))
    full = describe_dataset(config.data.name, seed=config.data.seed,
                            **data_options(config, teacher=True))
    runs = len(_METHODS) * len(_TEACHERS)
    return [
        "pidkit-distill demo: does a trained teacher help a student that has few labels?",
        "  task     the RID paper's nuisance task (synthetic, generated here): 4 classes in "
        "32-d inputs",
        "           under a 6-bit nuisance three times louder; "
        f"{student.n_test:,} held-out samples no network trains on",
        f"  teacher  MLP 128-128-128 trained on all {full.n_train:,} training samples "
        f"({config.teacher.epochs} epochs), or left untrained",
        f"  student  MLP 8-8-8 that sees {student.n_train:,} of them "
        f"({100 * student.n_train / full.n_train:g} %), {config.run.epochs} epochs, "
        f"seed {config.run.seed}",
        *(f"  {'methods' if i == 0 else '':<8} {name}: {what}"
          for i, (name, what) in enumerate(_METHODS.values())),
        *(f"  {'schedule' if i == 0 else '':<8} {line}" for i, line in enumerate(scaled)),
        f"  writing  {out}/ ({runs} runs, {workers} at a time)",
    ]


def _scaled_schedules(checked: Sequence[CheckedConfig]) -> list[str]:
    """One line per method whose schedule the trainer scaled to the run (RID's under 102
    epochs), from the checked runs: a short demo's RID row is not the paper's schedule."""
    lines: dict[str, str] = {}
    for run in checked:
        if run.method is None or run.params is None:
            continue
        epochs, params = run.config.run.epochs, run.params
        given = run.method.make_params(preset=run.preset, **run.config.method.params)
        if params != given:  # fit_schedule scaled it (a notice may also be of something else)
            shown = ", ".join(f"{f}={getattr(params, f)}" for f in params.schedule_fields)
            lines[run.method.method_name] = (
                f"{_METHODS[run.method.method_name][0]}'s {params.schedule_run_epochs}-epoch "
                f"schedule scaled to the run: {shown} (its student trains in "
                f"{params.student_epochs(epochs)} of {epochs} epochs)")
    return list(lines.values())


_READING = """\
How to read it: held-out accuracy after the last epoch, and its change against BAS with the same
teacher (BAS ignores the teacher: its two rows are one student, audited against each teacher).
The atoms, in bits, decompose what the innermost distilled layers of teacher (T) and student (S)
tell about the label Y, on the held-out set at the last epoch{estimate}: Red = label information
both hold (what was distilled), Uni(Y:T\\S) = only the teacher holds (what is left to distil),
Uni(Y:S\\T) = only the student, Syn = only the two together. An untrained teacher has no label
information to give (Red and Uni(Y:T\\S) near 0): copying its features costs accuracy."""


def run_demo(*, out_dir: str | Path = "runs/demo", epochs: int | None = None, workers: int = 2,
             overrides: Sequence[str] = ()) -> Path:
    """Run the demo, print its table and write its files; return the path of ``report.md``.

    Parameters
    ----------
    out_dir : path, default="runs/demo"
        Folder for the teacher, the runs, ``results.jsonl`` and ``report/``. It is emptied
        first, but only if it is empty or was made by an earlier demo that is not running.
    epochs : int, optional
        Student epochs per run (default 300).
    workers : int, default=2
        Runs trained at the same time (one process and one thread each); 1 trains them one
        after the other in this process.
    overrides : sequence of str, default=()
        ``section.key=value`` items applied to every run (see :func:`demo_configs`).

    Raises
    ------
    ValueError
        ``out_dir`` is a file, cannot be created or written, holds files the demo did not make
        or is in use by a demo still running, or ``workers`` is below 1 or ``epochs`` below 2.
    TypeError
        ``workers`` or ``epochs`` is not an int.
    DemoInterrupted
        Ctrl-C, or SIGTERM (while it trains, when called from the main thread): the runs not
        started are cancelled and the workers terminated before it is raised (a
        :class:`KeyboardInterrupt`, raised from the interrupt, whose message says how many
        runs had finished). An interrupt before the teacher's training is raised as it is.

    Examples
    --------
    >>> run_demo(out_dir="runs/demo")  # doctest: +SKIP
    """
    from pidkit_distill.training.rundir import LOCK_FILE, RunFolderBusy, run_folder_lock

    workers = check_int(workers, "workers", minimum=1)
    start, cpu_start = time.perf_counter(), _cpu_seconds()
    out = Path(out_dir).expanduser()  # as the runs, whose run.out_dir is expanded where it is read
    configs = demo_configs(out, epochs=DEMO_EPOCHS if epochs is None else epochs,
                           overrides=overrides)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out_dir={str(out)!r} is a file; choose a folder")
    if out.exists() and not (out / DEMO_MARKER).exists() and \
            any(path.name != LOCK_FILE for path in out.iterdir()):
        raise ValueError(f"out_dir={str(out)!r} exists and was not made by the demo; "
                         "choose another folder")
    with contextlib.ExitStack() as stack:
        try:  # held from before emptying the folder to the end of the report: its runs lock
            # their own folders, but between runs (checking them, starting the workers,
            # writing the report) the demo writes none
            stack.enter_context(run_folder_lock(out))
        except RunFolderBusy:
            raise ValueError(f"out_dir={str(out)!r} is in use by a demo that is still running; "
                             "wait for it to end, or choose another folder") from None
        except OSError as err:  # a folder that is there, read-only, is not one to create
            failed = "cannot be written" if out.is_dir() else "cannot be created"
            raise ValueError(f"out_dir={str(out)!r} {failed} ({err.strerror}); "
                             "choose another folder") from None
        return _start(configs, out, workers=workers, start=start, cpu_start=cpu_start)


def _start(configs: list[TrainConfig], out: Path, *, workers: int, start: float,
           cpu_start: float) -> Path:
    """Empty ``out`` (locked, made by a demo or new), check every run, then train."""
    from pidkit_distill.training import check_config
    from pidkit_distill.training.rundir import LOCK_FILE, RunFolderBusy, check_not_busy

    for path in out.iterdir():
        if path.is_dir():  # a run being written there (by a `train` command, say)
            try:
                check_not_busy(path)
            except RunFolderBusy:
                raise ValueError(f"out_dir={str(out)!r} is in use by a demo that is still "
                                 f"running (it is writing {path.name}); wait for it to end, "
                                 "or choose another folder") from None
    for path in out.iterdir():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.name != LOCK_FILE:
            path.unlink()
    (out / DEMO_MARKER).write_text("made by `pidkit-distill demo`; deleted by the next demo\n")
    checked = [check_config(config) for config in configs]  # every mistake before any training
    with sigterm_interrupts():
        try:
            return _train_and_report(configs, out, workers=workers, start=start,
                                     cpu_start=cpu_start, scaled=_scaled_schedules(checked))
        except KeyboardInterrupt as interrupt:  # the workers have ended: the folders are final
            finished = sum((out / config.run.name / "summary.json").is_file()
                           for config in configs)
            raise DemoInterrupted(finished, len(configs)) from interrupt


def _train_and_report(configs: list[TrainConfig], out: Path, *, workers: int, start: float,
                      cpu_start: float, scaled: Sequence[str]) -> Path:
    """The work of :func:`run_demo` once everything is checked: teacher, runs, table, report."""
    from pidkit_distill.report import write_report
    from pidkit_distill.training import train_teacher

    print("\n".join(_header(configs[0], out, workers, scaled)), flush=True)
    with contextlib.redirect_stdout(io.StringIO()):
        teacher_path = train_teacher(configs[0])
    print(f"\n  teacher trained: {teacher_path.parent.name} "
          f"[{time.perf_counter() - start:.0f} s]", flush=True)
    results = []
    with _worker_pool(workers, out) as pool:
        dicts = [config_to_dict(c) for c in configs]
        records = map(_train_logged, dicts) if pool is None else pool.map(_train_logged, dicts)
        for record in records:
            results.append(record)
            name = _METHODS[record["method"]][0]
            print(f"  {name} with the {record['teacher']} teacher: "
                  f"{100 * record['last_acc']:.1f} % held-out  [{record['seconds']:.0f} s]",
                  flush=True)
    with (out / "results.jsonl").open("w") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in results)
    report = write_report([r["run_dir"] for r in results], out_dir=out / "report")
    reading = textwrap.fill(" ".join(_READING.format(estimate=_estimates(results)).split()),
                            width=95)
    # every run holds out the same samples: the share train counted in their held-out pass
    recorded = recorded_chance(read_metrics(Path(results[0]["run_dir"]))[-1])
    assert recorded is not None  # trained just now: every epoch's record holds its chance
    chance, n_test = recorded
    note = _chance_note(results, chance=chance, n_test=n_test)
    print("\n" + "\n".join([demo_table(results), *([note] if note else []), "", reading, ""]))
    print(f"report   {report}  (accuracy.png, losses.png, pid_atoms.png)")
    print(f"results  {out / 'results.jsonl'}; each run's metrics.jsonl and audit.jsonl in "
          f"{out}/RUN/")
    print(f"demo finished in {time.perf_counter() - start:.0f} s "
          f"(CPU time {_cpu_seconds() - cpu_start:.0f} s)")
    return report
