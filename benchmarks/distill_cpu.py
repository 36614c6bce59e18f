"""Does distillation pay off on CPU? Every method, with students that see few labels.

Run from the repository root::

    python -m benchmarks.distill_cpu                          # the full grid (about 30 min)
    python -m benchmarks.distill_cpu --quick                  # digits, BAS, KD, RID, 2 epochs

The grid is the demo's setting (``pidkit-distill demo``, ``docs/distill.md``) widened to every
method and three seeds. The student sees a class-stratified fraction of the training split
(``data.options.train_fraction``); the teacher was trained on all of it; both are scored on the
held-out split, which neither trains on:

* ``synthetic``: the RID paper's nuisance task (a 2-bit label in 32-d inputs under a 6-bit
  nuisance three times louder); student MLP 8-8-8 on 100 of the 4,000 training samples (2.5 %),
  teacher MLP 128-128-128; 2,000 held-out samples. Teachers: ``trained`` on Y, ``nuisance``
  trained on the pair (Y, G) (256 classes: it must encode the nuisance, Theorem 3.1's
  T = (Z, G); its accuracy on Y is not defined, "—"; KD, which matches logits, cannot use
  it), and ``untrained``;
* ``digits``: scikit-learn's 8x8 digits; student CNN 8/16/32 on 135 of the 1,347 training
  images (10 %), teacher CNN 32/64/128; 450 held-out images. Teachers ``trained`` and
  ``untrained``.

Methods: ``bas``, ``kd``, ``vid``, ``rid`` (its default preset, ``paper-mean``), ``rid-sum``
(the ``paper`` preset: the paper's sums as written), ``ted`` (which starts from a BAS student
trained in its own folder, as the paper's TED does, so it trains for twice the epochs), ``itrd``
and ``mimkd`` (critics with 64 filters instead of the paper's 512, its
``light-critic`` preset). Every other parameter is the method's paper default. One configuration
for all: the RID paper's optimizer and its whole 300-epoch schedule by default (SGD, Nesterov, lr
0.05, weight decay 5e-4, lr x0.2 at epochs 150 and 200; RID's 30 warm-up epochs and cycles of
30, TED's 30-epoch stage 1; with ``--epochs`` under 300 the trainer scales these and says so),
batch 64, gradient norm clipped at 100 (as the authors' code), teachers trained for 15 epochs.

Seed ``s`` is a whole replication: ``data.seed = run.seed = teacher.seed = s`` draws the data
(synthetic) or the split (digits), the labelled subset, the teacher and the student. The gain
against BAS is therefore paired: the mean ± std over seeds of (method - BAS) for the same seed.
The PID audit of the innermost distilled layer (held-out set) runs before training, halfway and
at the end; the table gives its final atoms and their change from epoch 0.

Runs execute in ``--jobs`` processes with one thread each; ``OUT/results.jsonl`` (one JSON line
per run) makes the grid resumable, and a failed run is reported, left out and retried next time.
A record is reused only by a run of the same epochs and training fraction, and the default
``OUT`` is one folder per such setting (``runs/distill_cpu/e300``), so that a short run never
stands in for, nor blocks the checkpoints of, the full grid.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import _cli
from benchmarks._records import Records, check_jsonl_name, open_records
from benchmarks._timing import markdown
from pidkit.command_line import one_line

DATA = {
    "synthetic": {"models": ("synthetic-teacher", "synthetic-student"), "fraction": 0.025,
                  "teachers": ("trained", "nuisance", "untrained")},
    "digits": {"models": ("digits-teacher", "digits-student"), "fraction": 0.1,
               "teachers": ("trained", "untrained")},
}
METHODS = ("bas", "kd", "vid", "rid", "rid-sum", "ted", "itrd", "mimkd")
ATOMS = ("red", "uni_t", "uni_s", "syn")
KEY = ("data", "teacher", "method", "seed", "epochs", "train_fraction")
"""What identifies a run: a record in results.jsonl is reused only by a run of the same key."""
NUMBERS = ("last_acc", "teacher_acc", *ATOMS, "red_0", "uni_t_0")
"""The numbers of a record that the table reads (``teacher_acc`` is null for the nuisance teacher)."""
RECORD = (*KEY, *NUMBERS)
"""What a record of a finished run in results.jsonl holds, at least."""
_METHOD_ITEMS = {
    "rid-sum": ["method.name=rid", "method.preset=paper"],
    "mimkd": ["method.name=mimkd", "method.preset=light-critic"],
}


def overrides(spec: dict[str, Any]) -> list[str]:
    """The configuration of one run as ``section.key=value`` items."""
    teacher_model, student_model = DATA[spec["data"]]["models"]
    seed, method, epochs = spec["seed"], spec["method"], spec["epochs"]
    items = [
        f"data.name={spec['data']}", f"data.seed={seed}",
        f"data.options.train_fraction={spec['train_fraction']}",
        "teacher.data_options.train_fraction=1.0",
        f"model.teacher={teacher_model}", f"model.student={student_model}",
        f"teacher.source={'untrained' if spec['teacher'] == 'untrained' else 'trained'}",
        "teacher.epochs=15", f"teacher.seed={seed}",
        *_METHOD_ITEMS.get(method, [f"method.name={method}"]),
        f"run.epochs={epochs}", f"run.seed={seed}", "optim.grad_clip=100.0", "run.device=cpu",
        "run.threads=1", f"run.audit_every={max(1, epochs // 2)}", "audit.layers=[2]",
        f"run.out_dir={spec['out']}",
        f"run.name={spec['data']}-{method}-{spec['teacher']}-s{seed}", "run.resume=true",
        "run.progress=false",
    ]
    if spec["teacher"] == "nuisance":
        items.append("teacher.data_options.target=joint")
    return items


def run_one(spec: dict[str, Any]) -> dict[str, Any]:
    """Train one student in a worker process and return its record."""
    from pidkit_distill.config_text import load_config
    from pidkit_distill.training import train

    start, cpu_start = time.perf_counter(), time.process_time()
    key = {k: spec[k] for k in KEY}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            summary = train(load_config(overrides=overrides(spec)))
    except Exception as exc:  # one failed run must not stop the grid; it is reported
        return {**key, "error": f"{type(exc).__name__}: {exc}"}
    audits = sorted(summary.audit, key=lambda r: r["epoch"])
    first, last = audits[0], audits[-1]
    for record in (first, last):
        if any(record[a] is None for a in ATOMS):  # a failed solve has no atoms (null in audit.jsonl)
            return {**key, "error": f"the audit of epoch {record['epoch']} has no atoms: solve "
                                    f"{record['status']!r} ({record.get('message', '')})"}
    return {
        **key, "last_acc": summary.last_acc, "best_acc": summary.best_acc,
        "teacher_acc": summary.teacher_acc,
        **{a: last[a] for a in (*ATOMS, "i_yt", "i_ys")},
        "red_0": first["red"], "uni_t_0": first["uni_t"], "audit_status": last["status"],
        "n_samples": last["n_samples"], "audit": {k: v for k, v in last.items()
                                                  if k != "settings"},
        "cpu_s": round(time.process_time() - cpu_start, 1),
        "wall_s": round(time.perf_counter() - start, 1),
    }


def _key(record: dict[str, Any]) -> tuple:
    return tuple(record[k] for k in KEY)


def read_finished(results: Path) -> dict[tuple, dict[str, Any]]:
    """The records of ``results`` (``OUT/results.jsonl``) by their run's key; none if it is empty.

    Raises
    ------
    ValueError
        Naming the line that is no record of a run (cut short when a run was killed while its
        record was written, or edited by hand), and what to do about it.
    """
    done = {}
    for number, line in enumerate(results.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            missing = [k for k in RECORD if not isinstance(record, dict) or k not in record]
            if missing:
                raise ValueError(f"no {', '.join(missing)}")
            numbers = [k for k in NUMBERS if not isinstance(record[k], (int, float))
                       and (k, record[k]) != ("teacher_acc", None)]
            if numbers:
                raise ValueError(f"{', '.join(numbers)} not a number")
            done[_key(record)] = record
        except (ValueError, TypeError) as exc:  # TypeError: a key field that is a list or object
            raise ValueError(f"line {number} of {results} is no record of a run ({one_line(exc)}); "
                             "delete that line (its run is then done again) or give another "
                             "--out") from None
    return done


def run_grid(specs: list[dict[str, Any]], *, jobs: int, out: Path,
             done: dict[tuple, dict[str, Any]], rows: Records | None = None) -> list[dict[str, Any]]:
    """Teachers first, then BAS, then everything else; the runs in ``done`` (records of
    :func:`read_finished`, by key) are not run again, and each finished run is added to it. Every
    run's record also goes to ``rows`` (``--jsonl``): those read back first, then each as it ends."""
    results = out / "results.jsonl"
    todo = [s for s in specs if _key(s) not in done]
    rows = rows or Records(None, "distill_cpu")
    for spec in specs:
        if _key(spec) in done:
            rows.write(**{**done[_key(spec)], "read_back": True})  # whatever the line said
    # Ctrl-C, while the teachers or the students train, prints the table of the runs finished by
    # then (read back or run here).
    with _cli.shown_if_interrupted(lambda: summarise([done[_key(s)] for s in specs if _key(s) in done])):
        _train_teachers(todo)
        _train_students(todo, jobs=jobs, results=results, done=done, rows=rows)
    return [done[_key(s)] for s in specs]


def _train_teachers(todo: list[dict[str, Any]]) -> None:
    """Train (or find in their cache) the teachers the runs ``todo`` need, one by one."""
    from pidkit_distill.config_text import load_config
    from pidkit_distill.training import train_teacher

    for spec in {(s["data"], s["teacher"], s["seed"]): s for s in todo
                 if s["teacher"] != "untrained"}.values():
        with contextlib.redirect_stdout(io.StringIO()):
            path = train_teacher(load_config(overrides=overrides(spec)))
        print(f"{spec['teacher']} teacher for {spec['data']}, seed {spec['seed']}: {path}",
              flush=True)


def _train_students(todo: list[dict[str, Any]], *, jobs: int, results: Path,
                    done: dict[tuple, dict[str, Any]], rows: Records) -> None:
    """Run ``todo`` in ``jobs`` processes, BAS first; each record goes to ``done`` and ``rows``, and
    a finished run's to ``results``."""
    stages = [[s for s in todo if s["method"] == "bas"], [s for s in todo if s["method"] != "bas"]]
    bar = _cli.progress(total=len(todo), desc="runs")
    # Leaving the block, even by Ctrl-C (which the workers leave to this process), ends them.
    with multiprocessing.get_context("spawn").Pool(jobs, initializer=_cli.ignore_interrupt) as pool:
        for stage in stages:
            for record in pool.imap_unordered(run_one, stage):
                done[_key(record)] = record
                rows.write(**record, read_back=False)
                bar.update()
                tag = "/".join(str(record[k]) for k in KEY[:4])
                if "error" in record:
                    bar.write(f"  FAILED {tag}: {record['error']}", file=sys.stdout)
                    continue
                with results.open("a") as handle:
                    handle.write(json.dumps(record) + "\n")
                bar.write(f"  {tag:<32} acc {record['last_acc']:.3f}  red {record['red']:.3f}  "
                          f"uni_t {record['uni_t']:.3f}  {record['cpu_s']:.0f} s CPU", file=sys.stdout)
    bar.close()


def _ms(values: Sequence[float], scale: float = 1.0, digits: int = 3,
        sign: bool = False) -> str:
    values = [v * scale for v in values]
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):{'+' if sign else ''}.{digits}f} ± {std:.{digits}f}"


def summarise(records: list[dict[str, Any]]) -> str:
    """The markdown table, one row per (data, teacher, method); "" without records.

    "vs BAS (pp)" is the mean ± std over seeds of (method - BAS) at the same seed, as
    docs/results.md's table gives it (a single seed: ± 0.0). It is not
    :func:`pidkit_distill.report.pairs.paired_difference`, which reads run folders
    (``RunGroup`` of ``RunRecords``, per-epoch metrics), not these records, and gives the
    standard error, none under 2 seeds.
    """
    if not records:
        return ""
    cells: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    failed: dict[tuple, int] = defaultdict(int)
    for r in records:
        key = r["data"], r["teacher"], r["method"]
        if "error" in r:
            failed[key] += 1
        else:
            cells[key].append(r)
    rows = []
    for key in dict.fromkeys((r["data"], r["teacher"], r["method"]) for r in records):
        runs = cells.get(key, [])
        n = f"{len(runs)}/{len(runs) + failed[key]}"
        if not runs:
            rows.append([*key, "", "failed", *[""] * 7, n])
            continue
        bas = {r["seed"]: r["last_acc"] for r in cells.get((*key[:2], "bas"), [])}
        paired = [r["last_acc"] - bas[r["seed"]] for r in runs if r["seed"] in bas]
        gain = "" if key[2] == "bas" or not paired else _ms(paired, 100, 1, sign=True)
        teacher_acc = [r["teacher_acc"] for r in runs if r["teacher_acc"] is not None]
        rows.append([
            *key, _ms(teacher_acc, 100, 1) if teacher_acc else "—",
            _ms([r["last_acc"] for r in runs], 100, 1), gain,
            *(_ms([r[a] for r in runs]) for a in ATOMS),
            _ms([r["red"] - r["red_0"] for r in runs], digits=2, sign=True),
            _ms([r["uni_t"] - r["uni_t_0"] for r in runs], digits=2, sign=True), n,
        ])
    return markdown(
        ["data", "teacher", "method", "teacher acc %", "student acc %", "vs BAS (pp)", "Red",
         "Uni(Y:T\\S)", "Uni(Y:S\\T)", "Syn", "ΔRed", "ΔUni(Y:T\\S)", "seeds ok"], rows)


QUICK = ["--seeds", "1", "--epochs", "2", "--data", "digits", "--methods", "bas", "kd", "rid"]
"""``--quick``: the digits data, BAS, KD and RID, one seed of 2 epochs."""


def get_parser() -> argparse.ArgumentParser:
    """Command-line options of the benchmark."""
    parser = _cli.parser(
        "distill_cpu", __doc__, docs="docs/results.md",
        duration="about 30 minutes with 2 jobs on 2 cores (runs of the same settings already in "
                 "OUT/results.jsonl are read back, not rerun)",
        quick=QUICK, quick_duration="1-2 minutes",
    )
    parser.add_argument("--epochs", type=_cli.positive_int, default=300,
                        help="student epochs (default: 300, the RID paper's schedule)")
    parser.add_argument("--seeds", type=_cli.positive_int, default=3, help="seeds per cell (default: 3)")
    parser.add_argument("--jobs", type=_cli.processes, default=2,
                        help="parallel runs, at most the CPUs here (default: 2)")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS, metavar="NAME",
                        help=f"methods: {', '.join(METHODS)} (default: all)")
    parser.add_argument("--data", nargs="+", default=list(DATA), choices=list(DATA),
                        help="data sets (default: synthetic digits)")
    parser.add_argument("--train-fraction", type=_cli.positive_float, default=None, metavar="F",
                        help="fraction of the training split the students see, in (0, 1] (default: "
                             "synthetic 0.025, digits 0.1; 1 = all of it)")
    parser.add_argument("--out", help="folder for runs and results.jsonl (default: one per setting, "
                                      "runs/distill_cpu/eEPOCHS, with -fF after a --train-fraction)")
    return parser


def main(argv: Sequence[str] | None = None) -> str:
    """Run the grid, print the table (also written to ``OUT/table.md``) and return it."""
    parser = get_parser()
    args = _cli.parse_args(parser, argv, QUICK)
    if args.train_fraction is not None and args.train_fraction > 1:
        parser.error(f"--train-fraction must be in (0, 1]; got {args.train_fraction:g}")
    fraction = "" if args.train_fraction is None else f"-f{args.train_fraction:g}"
    default = f"runs/distill_cpu/e{args.epochs}{fraction}"
    if args.out is not None and not args.out.strip():  # an unset shell variable: '--out "$DIR"'
        parser.error(f"--out is empty; give a folder, or leave --out out for the default, {default}")
    check_jsonl_name(parser, args.jsonl)  # before --out's folder is made
    out = Path(args.out or default)
    try:  # before any run: a record that cannot be kept would be lost at the end of its run
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.jsonl").open("a").close()
        done = read_finished(out / "results.jsonl")
    except OSError as exc:
        parser.error(f"--out {out}: cannot keep the runs there ({one_line(exc)}); give a folder "
                     "that can be written")
    except ValueError as exc:
        parser.error(f"--out {out}: {exc}")
    if args.jsonl and Path(args.jsonl).resolve() == (out / "results.jsonl").resolve():
        parser.error(f"--jsonl {args.jsonl} is the runs' own record, which it would empty; give "
                     "another file")
    with open_records(parser, args) as rows:
        methods = ["bas", *[m for m in args.methods if m != "bas"]]  # the gain needs BAS
        specs = [{"data": d, "teacher": t, "method": m, "seed": s, "epochs": args.epochs,
                  "train_fraction": args.train_fraction or DATA[d]["fraction"], "out": str(out)}
                 for d in args.data for t in DATA[d]["teachers"] for m in methods
                 for s in range(args.seeds) if (t, m) != ("nuisance", "kd")]
        start = time.perf_counter()
        print(f"{len(specs)} runs, {args.epochs} epochs each, {args.jobs} at a time -> {out}/",
              flush=True)
        records = run_grid(specs, jobs=args.jobs, out=out, done=done, rows=rows)
        print()
        table = summarise(records)
        print(table, flush=True)
        (out / "table.md").write_text(table + "\n")
        cpu = sum(r.get("cpu_s", 0.0) for r in records)
        print(f"\nHeld-out accuracy (mean ± std over seeds, %) and its paired change against BAS; "
              f"atoms in bits for the innermost distilled layer at the last epoch (held-out set, "
              f"n = {records[0].get('n_samples', '?')} for {records[0]['data']}); Δ = last minus "
              f"epoch 0. {time.perf_counter() - start:.0f} s wall, {cpu:.0f} s CPU in the runs.")
        return table


if __name__ == "__main__":
    _cli.run(main, "distill_cpu")
