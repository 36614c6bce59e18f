"""Every registered distillation method, trained and untrained teacher, digits and synthetic task.

Run from the repository root::

    python -m benchmarks.methods                    # the full grid (84 runs) on 2 cores
    python -m benchmarks.methods --epochs 2 --seeds 1 --methods bas itrd mimkd   # smoke run

For each dataset (``digits``: scikit-learn's 8x8 digits with the digits CNN pair; ``synthetic``:
the nuisance-teacher task of the RID paper's Theorem 3.1 with the MLP pair), each teacher
(``trained``: trained on the task by the trainer and cached; ``untrained``: a seeded random
initialisation) and each seed, every method in :func:`pidkit_distill.methods.available_methods`
trains a student through :func:`pidkit_distill.training.train` with the PID audit of the innermost
distilled layer before training and after the last epoch. Printed per (dataset, teacher, method):
held-out accuracy (mean ± std over seeds, %), the final Red(Y:T,S) and Uni(Y:T\\S) in bits (same),
and the mean training time per epoch divided by BAS's in the same (dataset, teacher) cell.

All runs share one configuration except for the method, the one of ``pidkit-distill demo``:
SGD (lr 0.05, Nesterov, weight decay 5e-4, lr x0.2 at 1/2 and 2/3 of the run), batch 64,
gradients clipped to norm 100 (as the RID authors' code; VID diverges from an untrained teacher
without it), ``--epochs`` epochs (default 12), teachers trained for ``--teacher-epochs`` (15).
Methods whose paper schedules assume 300 epochs are scaled to the short run (and printed): RID
warms up for ``max(1, round(epochs / 7))`` epochs (none under 4), then runs cycles of 4 epochs with the first
(``r = 1/4``) in phase 1, with ``reduction="mean"`` (as the demo); TED's stage 1 lasts
``max(1, round(epochs / 7))`` epochs and TED starts from the BAS student of the same cell, as
the paper's TED does. MIMKD's critics use ``--mimkd-critic-hidden`` filters (default 64; the
paper's 512 are sized for CIFAR networks and make an epoch on these CPU-sized pairs tens of
times longer than BAS's). Every other parameter is the method's paper default.

Runs execute in ``--jobs`` processes with one torch thread each; each run's own output goes to
``OUT_DIR/logs/``. The grid is resumable: results already in ``OUT_DIR/results.jsonl`` (one JSON
line per run) are reused; a failed run is reported, left out of that file and retried next time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from benchmarks._timing import print_table

DATASETS = {
    "digits": ("digits-teacher", "digits-student"),
    "synthetic": ("synthetic-teacher", "synthetic-student"),
}
TEACHERS = ("trained", "untrained")


def scaled_params(method: str, *, epochs: int, mimkd_critic_hidden: int) -> dict[str, Any]:
    """Method parameters for a short run (see the module docstring); ``{}`` keeps the paper's."""
    # none in runs under 4 epochs (smoke runs): the trainer refuses a schedule that leaves the
    # student fewer than half the epochs
    short = max(1, round(epochs / 7)) if epochs >= 4 else 0
    if method == "rid":
        return {"warmup_epochs": short, "cycle_epochs": 4, "reduction": "mean"}
    if method == "ted":
        return {"stage1_epochs": short}
    if method == "mimkd":
        return {"critic_hidden": mimkd_critic_hidden}
    return {}


def run_overrides(spec: dict[str, Any]) -> list[str]:
    """The ``section.key=value`` overrides of one run."""
    teacher_model, student_model = DATASETS[spec["data"]]
    overrides = [
        f"data.name={spec['data']}", f"model.teacher={teacher_model}",
        f"model.student={student_model}", f"teacher.source={spec['teacher']}",
        f"teacher.epochs={spec['teacher_epochs']}", f"method.name={spec['method']}",
        f"run.epochs={spec['epochs']}", f"run.seed={spec['seed']}", "run.device=cpu",
        "run.threads=1", "optim.grad_clip=100.0",
        f"run.audit_every={spec['epochs']}", f"run.out_dir={spec['out_dir']}", "run.name=",
        "run.resume=true", "run.progress=false", f"audit.layers=[{spec['layer']}]",
    ]
    overrides += [f"method.params.{k}={v}" for k, v in spec["params"].items()]
    return overrides


def run_one(spec: dict[str, Any]) -> dict[str, Any]:
    """Train one student (in a worker process, one torch thread) and summarise it."""
    import torch

    from pidkit_distill.config import load_config
    from pidkit_distill.training import train

    torch.set_num_threads(1)
    start = time.perf_counter()
    keys = {k: spec[k] for k in ("data", "teacher", "method", "seed", "epochs", "params")}
    log = Path(spec["out_dir"]) / "logs" / "{data}-{teacher}-{method}-s{seed}.log".format(**spec)
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        with log.open("w") as handle, redirect_stdout(handle), redirect_stderr(handle):
            summary = train(load_config(overrides=run_overrides(spec)))
    except Exception as exc:  # one failed run must not stop the grid
        return {**keys, "error": f"{type(exc).__name__}: {exc} (log: {log})"}
    final = [r for r in summary.audit if r["layer"] == spec["layer"]]
    final = max(final, key=lambda r: r["epoch"]) if final else {}
    times = [h["time_s"] for h in summary.history]
    return {
        **keys, "last_acc": summary.last_acc, "best_acc": summary.best_acc,
        "teacher_acc": summary.teacher_acc, "audit_epoch": final.get("epoch"),
        "red": final.get("red"), "uni_t": final.get("uni_t"), "uni_s": final.get("uni_s"),
        "syn": final.get("syn"), "n_samples": final.get("n_samples"),
        "epoch_time_s": statistics.mean(times) if times else float("nan"),
        "wall_s": round(time.perf_counter() - start, 2),
    }


def prepare_teachers(specs: Sequence[dict[str, Any]]) -> None:
    """Train (or find cached) every trained teacher once, before the parallel runs."""
    from pidkit_distill.config import load_config
    from pidkit_distill.training import train_teacher

    seen = set()
    for spec in specs:
        if spec["teacher"] != "trained" or spec["data"] in seen:
            continue
        seen.add(spec["data"])
        path = train_teacher(load_config(overrides=run_overrides(spec)))
        print(f"teacher for {spec['data']}: {path}", flush=True)


def _key(record: dict[str, Any]) -> tuple:
    return record["data"], record["teacher"], record["method"], record["seed"]


def run_grid(specs: list[dict[str, Any]], *, jobs: int, results: Path) -> list[dict[str, Any]]:
    """Run ``specs`` (BAS first: TED starts from its student), appending to ``results``."""
    done = {}
    if results.is_file():
        for line in results.read_text().splitlines():
            record = json.loads(line)
            done[_key(record)] = record
    todo = [s for s in specs if _key(s) not in done]
    stages = [[s for s in todo if s["method"] == "bas"], [s for s in todo if s["method"] != "bas"]]
    context = multiprocessing.get_context("spawn")
    with tqdm(total=len(todo), desc="runs") as bar, \
            ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for stage in stages:
            futures = {pool.submit(run_one, spec): spec for spec in stage}
            for future in as_completed(futures):
                record = future.result()
                done[_key(record)] = record
                tag = f"{record['data']}/{record['teacher']}/{record['method']}/s{record['seed']}"
                if "error" in record:  # not saved: a rerun retries it
                    tqdm.write(f"FAILED {tag}: {record['error']}")
                else:
                    with results.open("a") as handle:
                        handle.write(json.dumps(record) + "\n")
                    bar.set_postfix_str(f"{tag} acc={record['last_acc']:.3f}")
                bar.update()
    return [done[_key(s)] for s in specs]


def _mean_std(values: Sequence[float], scale: float = 1.0, digits: int = 1) -> str:
    values = [v * scale for v in values if v is not None]
    if not values:
        return "n/a"
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.{digits}f} ± {std:.{digits}f}"


def summarise(records: Sequence[dict[str, Any]], methods: Sequence[str]) -> str:
    """Print and return the markdown table of the grid."""
    cells: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    failed: dict[tuple, int] = defaultdict(int)
    for record in records:
        key = record["data"], record["teacher"], record["method"]
        if "error" in record:
            failed[key] += 1
        else:
            cells[key].append(record)
    rows = []
    for data in DATASETS:
        for teacher in TEACHERS:
            base = cells.get((data, teacher, "bas"))
            base_time = statistics.mean(r["epoch_time_s"] for r in base) if base else None
            for method in methods:
                runs = cells.get((data, teacher, method))
                if not runs:
                    if failed[data, teacher, method]:
                        rows.append([data, teacher, "", method, "failed", "", "", "",
                                     f"0/{failed[data, teacher, method]}"])
                    continue
                time_s = statistics.mean(r["epoch_time_s"] for r in runs)
                ratio = f"{time_s / base_time:.2f}" if base_time else "n/a"
                teacher_acc = runs[0]["teacher_acc"]
                rows.append([
                    data, teacher, f"{100 * teacher_acc:.1f}" if teacher_acc is not None else "",
                    method, _mean_std([r["last_acc"] for r in runs], 100.0),
                    _mean_std([r["red"] for r in runs], digits=3),
                    _mean_std([r["uni_t"] for r in runs], digits=3), ratio,
                    f"{len(runs)}/{len(runs) + failed[data, teacher, method]}",
                ])
    return print_table(
        ["data", "teacher", "teacher acc %", "method", "student acc %", "Red (bits)",
         "Uni(Y:T\\S) (bits)", "time/epoch ÷ BAS", "seeds ok"],
        rows,
    )


def get_args_parser() -> argparse.ArgumentParser:
    """Command-line options of the benchmark."""
    from pidkit_distill.methods import available_methods

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=12, help="student epochs (default: 12)")
    parser.add_argument("--teacher-epochs", type=int, default=15,
                        help="epochs of the trained teachers (default: 15)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per cell (default: 3)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel runs (default: 2)")
    parser.add_argument("--methods", nargs="+", default=available_methods(),
                        choices=available_methods(), help="methods (default: all registered)")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--mimkd-critic-hidden", type=int, default=64,
                        help="filters of MIMKD's critics (default: 64; the paper: 512)")
    parser.add_argument("--out-dir", default="", help="run folder (default: runs/bench-methods-eN)")
    return parser


def main(argv: Sequence[str] | None = None) -> str:
    """Run the grid and print the table; returns the table's markdown."""
    args = get_args_parser().parse_args(argv)
    for name in ("epochs", "teacher_epochs", "seeds", "jobs", "mimkd_critic_hidden"):
        if getattr(args, name) < 1:
            raise SystemExit(f"--{name.replace('_', '-')} must be >= 1; got {getattr(args, name)}")
    methods = ["bas", *[m for m in args.methods if m != "bas"]]
    out_dir = Path(args.out_dir or f"runs/bench-methods-e{args.epochs}")
    out_dir.mkdir(parents=True, exist_ok=True)
    specs = [
        {"data": data, "teacher": teacher, "method": method, "seed": seed,
         "epochs": args.epochs, "teacher_epochs": args.teacher_epochs, "layer": 2,
         "out_dir": str(out_dir),
         "params": scaled_params(method, epochs=args.epochs,
                                 mimkd_critic_hidden=args.mimkd_critic_hidden)}
        for data in args.datasets for teacher in TEACHERS for method in methods
        for seed in range(args.seeds)
    ]
    print(f"{len(specs)} runs, {args.jobs} processes, {args.epochs} epochs each; out: {out_dir}")
    for method in methods:
        params = scaled_params(method, epochs=args.epochs,
                               mimkd_critic_hidden=args.mimkd_critic_hidden)
        print(f"  {method}: {params or 'paper defaults'}")
    start = time.perf_counter()
    prepare_teachers(specs)
    records = run_grid(specs, jobs=args.jobs, results=out_dir / "results.jsonl")
    table = summarise(records, methods)
    print(f"total wall time {time.perf_counter() - start:.0f} s")
    return table


if __name__ == "__main__":
    main()
