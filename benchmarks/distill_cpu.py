"""RID against its baselines on CPU: BAS, VID, RID and TED, trained and untrained teacher.

Run from the repository root::

    python -m benchmarks.distill_cpu                      # the full grid (75 runs, ~15 min on 2 cores)
    python -m benchmarks.distill_cpu --seeds 1 --epochs 2 # smoke run

Grid: data ``synthetic`` (the nuisance-teacher task of the RID paper's Theorem 3.1: label Z with
2 bits, nuisance G with 6 bits at three times the amplitude; MLP teacher 128/128/128, student
8/8/8) and ``digits`` (scikit-learn's 8x8 digits; CNN teacher 32/64/128, student 8/16/32) x
teacher ``trained`` (trained on the task once, cached) and ``untrained`` (seeded random init) x
method x seeds 0, 1, 2, plus for ``synthetic`` a ``nuisance`` teacher: trained to predict
the pair (Y, G) (256 classes), so that it must encode the 6-bit nuisance next to the 2-bit label
— the teacher T = (Z, G) of Theorem 3.1 (its accuracy on Y alone is not defined, "—"). Every run
goes through :func:`pidkit_distill.training.train` with one
configuration (the paper's optimizer shrunk to ``--epochs``: SGD, Nesterov, lr 0.05, weight decay
5e-4, lr x0.2 at 1/2 and 2/3 of the run, batch 64, gradient norm clipped at 100 as in the authors'
code) and only the method changing:

* ``bas``: cross-entropy only;
* ``vid``: lambda = 100 (the paper's value);
* ``rid``: the ``paper`` preset with ``reduction = "mean"`` (the demo's setting), warm-up
  ``max(1, epochs // 7)`` epochs (none under 4 epochs), then cycles of 4 epochs, the first of
  each in phase 1
  (r = 1/4);
* ``rid-sum``: the same with the paper's ``reduction = "sum"`` (eqs. 11 and 13 as written);
* ``ted``: stage 1 for ``max(1, epochs // 7)`` epochs (none under 4), starting from the trained BAS student of
  the same cell, as the paper's TED does (so TED sees ``2 x epochs`` epochs in total).

The PID audit of the innermost distilled layer (held-out set, PCA 10, KMeans 10, BROJA) runs
before training, halfway and at the end. The table gives accuracy (mean ± std over seeds, %),
the final atoms (bits, mean ± std) and the change of Red and Uni(Y:T\\S) from epoch 0 to the
end. Runs execute in ``--jobs`` processes with one thread each; ``OUT/results.jsonl`` makes the
grid resumable.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from benchmarks._timing import print_table

DATA = {"synthetic": ("synthetic-teacher", "synthetic-student"),
        "digits": ("digits-teacher", "digits-student")}
TEACHERS = ("trained", "nuisance", "untrained")
METHODS = ("bas", "vid", "rid", "rid-sum", "ted")
ATOMS = ("red", "uni_t", "uni_s", "syn")


def overrides(spec: dict[str, Any]) -> list[str]:
    """The configuration of one run as ``section.key=value`` items."""
    teacher_model, student_model = DATA[spec["data"]]
    # warm-up / stage 1: a seventh of the run; none in runs under 4 epochs (smoke runs), where
    # it would leave the student fewer than half the epochs (the trainer refuses that)
    epochs = spec["epochs"]
    short = max(1, epochs // 7) if epochs >= 4 else 0
    method = spec["method"]
    source = "untrained" if spec["teacher"] == "untrained" else "trained"
    items = [
        f"data.name={spec['data']}", f"model.teacher={teacher_model}",
        f"model.student={student_model}", f"teacher.source={source}",
        "teacher.epochs=15", f"method.name={method.split('-')[0]}", f"run.epochs={epochs}",
        f"run.seed={spec['seed']}", "optim.grad_clip=100.0", "run.device=cpu", "run.threads=1",
        f"run.audit_every={max(1, epochs // 2)}", "audit.layers=[2]",
        f"run.out_dir={spec['out']}", f"run.name={spec['data']}-{method}-{spec['teacher']}"
        f"-s{spec['seed']}", "run.resume=true", "run.progress=false",
    ]
    if spec["teacher"] == "nuisance":
        items.append("teacher.data_options.target=joint")
    if method.startswith("rid"):
        items += [f"method.params.warmup_epochs={short}", "method.params.cycle_epochs=4",
                  "method.params.filter_ratio=0.25",
                  f"method.params.reduction={'sum' if method == 'rid-sum' else 'mean'}"]
    if method == "ted":
        items += [f"method.params.stage1_epochs={short}"]
    return items


def run_one(spec: dict[str, Any]) -> dict[str, Any]:
    """Train one student in a worker process and return its record."""
    import contextlib
    import io

    from pidkit_distill.config import load_config
    from pidkit_distill.training import train

    start = time.perf_counter()
    key = {k: spec[k] for k in ("data", "teacher", "method", "seed")}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            summary = train(load_config(overrides=overrides(spec)))
    except Exception as exc:  # one diverged run must not stop the grid; it is reported
        return {**key, "error": f"{type(exc).__name__}: {exc}"}
    audits = sorted(summary.audit, key=lambda r: r["epoch"])
    first, last = audits[0], audits[-1]
    return {
        **key, "last_acc": summary.last_acc, "best_acc": summary.best_acc,
        "teacher_acc": summary.teacher_acc, "epochs": spec["epochs"],
        **{a: last[a] for a in (*ATOMS, "i_yt", "i_ys")},
        "red_0": first["red"], "uni_t_0": first["uni_t"], "audit_status": last["status"],
        "n_samples": last["n_samples"],
        "epoch_s": statistics.mean(h["time_s"] for h in summary.history),
        "wall_s": round(time.perf_counter() - start, 1),
    }


def _key(record: dict[str, Any]) -> tuple:
    return record["data"], record["teacher"], record["method"], record["seed"]


def run_grid(specs: list[dict[str, Any]], *, jobs: int, out: Path) -> list[dict[str, Any]]:
    """Teachers first, then BAS (TED starts from its students), then everything else."""
    from pidkit_distill.config import load_config
    from pidkit_distill.training import train_teacher

    results = out / "results.jsonl"
    done = {}
    if results.is_file():
        for line in results.read_text().splitlines():
            done[_key(json.loads(line))] = json.loads(line)
    todo = [s for s in specs if _key(s) not in done]
    for data, teacher in sorted({(s["data"], s["teacher"]) for s in todo
                                 if s["teacher"] != "untrained"}):
        spec = next(s for s in todo if s["data"] == data and s["teacher"] == teacher)
        path = train_teacher(load_config(overrides=overrides(spec)))
        print(f"{teacher} teacher for {data}: {path}", flush=True)
    stages = [[s for s in todo if s["method"] == "bas"], [s for s in todo if s["method"] != "bas"]]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for stage in stages:
            futures = [pool.submit(run_one, spec) for spec in stage]
            for future in as_completed(futures):
                record = future.result()
                done[_key(record)] = record
                tag = "/".join(str(v) for v in _key(record))
                if "error" in record:
                    print(f"  FAILED {tag}: {record['error']}", flush=True)
                    continue
                with results.open("a") as handle:
                    handle.write(json.dumps(record) + "\n")
                print(f"  {tag:<30} acc {record['last_acc']:.3f}  red {record['red']:.3f}  "
                      f"uni_t {record['uni_t']:.3f}  {record['wall_s']:.0f} s", flush=True)
    return [done[_key(s)] for s in specs]


def _ms(values: list[float], scale: float = 1.0, digits: int = 3) -> str:
    values = [v * scale for v in values]
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.{digits}f} ± {std:.{digits}f}"


def summarise(records: list[dict[str, Any]]) -> str:
    """The markdown table: one row per (data, teacher, method)."""
    cells: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    failed: dict[tuple, list[str]] = defaultdict(list)
    for r in records:
        key = r["data"], r["teacher"], r["method"]
        (failed[key].append(r["error"]) if "error" in r else cells[key].append(r))
    rows = []
    for key in dict.fromkeys((r["data"], r["teacher"], r["method"]) for r in records):
        runs = cells.get(key, [])
        n = f"{len(runs)}/{len(runs) + len(failed[key])}"
        if not runs:
            rows.append([*key, "", "diverged", *[""] * 6, n])
            continue
        teacher_acc = runs[0]["teacher_acc"]
        rows.append([
            *key, "—" if teacher_acc is None else f"{100 * teacher_acc:.1f}",
            _ms([r["last_acc"] for r in runs], 100, 1),
            *(_ms([r[a] for r in runs]) for a in ATOMS),
            _ms([r["red"] - r["red_0"] for r in runs], digits=2),
            _ms([r["uni_t"] - r["uni_t_0"] for r in runs], digits=2), n,
        ])
    return print_table(
        ["data", "teacher", "method", "teacher acc %", "student acc %", "Red", "Uni(Y:T\\S)",
         "Uni(Y:S\\T)", "Syn", "ΔRed", "ΔUni(Y:T\\S)", "seeds ok"], rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.distill_cpu",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=14, help="student epochs (default: 14)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per cell (default: 3)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel runs (default: 2)")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS,
                        help=f"methods (default: {' '.join(METHODS)})")
    parser.add_argument("--data", nargs="+", default=list(DATA), choices=list(DATA),
                        help="data sets (default: synthetic digits)")
    parser.add_argument("--out", default="runs/distill_cpu",
                        help="folder for runs and results.jsonl (default: runs/distill_cpu)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    methods = ["bas", *[m for m in args.methods if m != "bas"]] if "ted" in args.methods \
        else args.methods
    specs = [{"data": d, "teacher": t, "method": m, "seed": s, "epochs": args.epochs,
              "out": str(out)}
             for d in args.data for t in TEACHERS for m in methods for s in range(args.seeds)
             if t != "nuisance" or d == "synthetic"]
    start = time.perf_counter()
    print(f"{len(specs)} runs, {args.epochs} epochs each, {args.jobs} at a time -> {out}/",
          flush=True)
    records = run_grid(specs, jobs=args.jobs, out=out)
    print()
    table = summarise([r for r in records if r["method"] in args.methods])
    (out / "table.md").write_text(table + "\n")
    print(f"\nAccuracy on the held-out set; atoms in bits for the innermost distilled layer at "
          f"the last epoch (n = {records[0].get('n_samples', '?')} held-out samples, plug-in); "
          f"Δ = last minus epoch 0. {time.perf_counter() - start:.0f} s in all.")


if __name__ == "__main__":
    main()
