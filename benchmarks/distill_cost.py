"""What one training iteration of each distillation method costs, next to BAS and KD.

Run from the repository root::

    python -m benchmarks.distill_cost                       # both pairs, CPU, 2 threads (~3 min)
    python -m benchmarks.distill_cost --quick               # digits pair, 5 s of rounds (~45 s)
    python -m benchmarks.distill_cost --pairs digits --budget 20
    python -m benchmarks.distill_cost --threads 1 --clock cpu   # on a busy shared machine
    python -m benchmarks.distill_cost --device cuda --amp   # on a GPU: bf16 autocast, images/s

One iteration is what the trainer does per batch: the Distiller's forward pass (under bf16
autocast with ``--amp`` on CUDA), the sum of its loss terms, ``zero_grad(set_to_none=True)``,
backward, and a step of the SGD optimizer (lr 0.05, Nesterov momentum 0.9, weight decay 5e-4)
of the optimizer group that the epoch's phase trains. Inputs are random tensors of the pair's
shape (batch 64 by default), so no data set is needed: the cost of an iteration does not depend
on the pixel values.

Pairs: ``wrn`` is the RID paper's WRN-40-2 -> WRN-16-1 on CIFAR-shaped 3x32x32 inputs with 10
classes; ``digits`` is the embedded digits CNN pair on 1x8x8 inputs. Every registered method is
timed with its ``"paper"`` preset, once per distinct stage of its schedule (RID: warm-up, phase 1,
phase 2; TED: stage 1 ``filter``, stage 2 ``student``), at the first epoch of that stage.
MIMKD's critics have ``--mimkd-critic-hidden`` filters (default 512, the paper's).

Noise control: all variants are built first and then timed in rounds, one iteration of each per
round (in a rotated order), after ``--warmup`` untimed iterations each; a round therefore sees
the same machine load for every method. The table gives the median time over the rounds, the
median over rounds of the per-round ratio to BAS and to KD (so that slow periods of a shared
machine cancel) and images/s. Two machine-independent columns say what an iteration must
compute: GFLOP (convolutions and matrix products, forward and backward, counted by
``torch.utils.flop_counter``; BatchNorm and element-wise work are not counted) and layer calls
(forward calls of ``Conv2d`` and ``Linear`` modules: on small models their per-call overheads
add up). KD runs the teacher's forward pass as every feature method does, so it is the fair
floor for them. Rounds go on until ``--budget`` seconds per pair or ``--rounds`` rounds,
whichever comes first (at least 5).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from benchmarks import _cli
from benchmarks._records import open_records
from benchmarks._timing import markdown, print_table
from pidkit.command_line import one_line
from pidkit_distill.methods import Distiller, available_methods, get_method
from pidkit_distill.models import build_model

PAIRS: dict[str, dict[str, Any]] = {
    "wrn": {"teacher": "wrn-40-2", "student": "wrn-16-1", "shape": (3, 32, 32), "classes": 10},
    "digits": {"teacher": "digits-teacher", "student": "digits-student", "shape": (1, 8, 8),
               "classes": 10},
}
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
SCHEDULE_HORIZON = 1000  # epochs scanned for the stages of a method's schedule


@dataclass
class Variant:
    """One method in one stage of its schedule, ready to run iterations."""

    label: str
    distiller: Distiller
    epoch: int
    step: Callable[[], None]


def stage_of(distiller: Distiller, epoch: int) -> str:
    """The stage name at ``epoch``: ``distiller.stage`` where a method has one, else its phase."""
    stage = getattr(distiller, "stage", None)
    return stage(epoch) if callable(stage) else distiller.phase(epoch)


def first_epoch_of_each_stage(distiller: Distiller) -> dict[str, int]:
    """``{stage: first epoch}`` over the method's schedule, in schedule order."""
    stages: dict[str, int] = {}
    for epoch in range(SCHEDULE_HORIZON):
        stages.setdefault(stage_of(distiller, epoch), epoch)
    return stages


def make_step(distiller: Distiller, x: Tensor, y: Tensor, *, epoch: int, amp: bool,
              grad_clip: float) -> Callable[[], None]:
    """One trainer iteration of ``distiller`` at ``epoch`` on the batch ``(x, y)``."""
    params = distiller.optimizer_groups()[distiller.phase(epoch)]
    optimizer = torch.optim.SGD(params, lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True)
    cuda = x.device.type == "cuda"
    autocast = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) if amp and cuda \
        else contextlib.nullcontext

    def step() -> None:
        with autocast():
            out = distiller(x, y, epoch=epoch)
        loss = sum(out.losses.values())
        distiller.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip > 0:
            nn.utils.clip_grad_norm_(params, grad_clip)
        optimizer.step()
        if cuda:
            torch.cuda.synchronize()

    return step


def build_variants(pair: str, *, batch: int, device: torch.device, amp: bool, grad_clip: float,
                   methods: Sequence[str], mimkd_critic_hidden: int,
                   seed: int = 0) -> list[Variant]:
    """Every method of ``methods`` in every stage of its schedule, on the pair ``pair``."""
    spec = PAIRS[pair]
    torch.manual_seed(seed)
    in_channels, classes = spec["shape"][0], spec["classes"]
    teacher = build_model(spec["teacher"], num_classes=classes, in_channels=in_channels)
    student = build_model(spec["student"], num_classes=classes, in_channels=in_channels)
    x = torch.randn(batch, *spec["shape"])
    y = torch.randint(classes, (batch,))
    sample = x
    if device.type == "cuda":  # as the trainer does on CUDA
        x = x.to(device).contiguous(memory_format=torch.channels_last)
        y = y.to(device)
    variants = []
    for method in methods:
        params = {"critic_hidden": mimkd_critic_hidden} if method == "mimkd" else {}
        distiller = get_method(method)(copy.deepcopy(student), teacher, sample_input=sample,
                                       num_classes=classes, **params)
        if device.type == "cuda":
            distiller.to(device, memory_format=torch.channels_last)
        distiller.train()
        stages = first_epoch_of_each_stage(distiller)
        for stage, epoch in stages.items():
            label = method if len(stages) == 1 else f"{method} {stage}"
            if len(stages) > 1:  # each stage trains its own copy, as a run in that stage would
                distiller = copy.deepcopy(distiller)
            variants.append(Variant(label, distiller, epoch,
                                    make_step(distiller, x, y, epoch=epoch, amp=amp,
                                              grad_clip=grad_clip)))
    return variants


def count_work(step: Callable[[], None]) -> tuple[int, int]:
    """FLOPs of one call of ``step`` (convolutions and matrix products, forward and backward,
    from ``torch.utils.flop_counter``) and its forward calls of ``Conv2d`` and ``Linear`` modules.
    """
    from torch.utils.flop_counter import FlopCounterMode

    calls = 0

    def hook(module: nn.Module, args: Any, output: Any) -> None:
        nonlocal calls
        calls += isinstance(module, (nn.Conv2d, nn.Linear))

    handle = nn.modules.module.register_module_forward_hook(hook)
    try:
        with FlopCounterMode(display=False) as counter:
            step()
    finally:
        handle.remove()
    return counter.get_total_flops(), calls


def time_rounds(variants: Sequence[Variant], *, warmup: int, budget: float, max_rounds: int,
                clock: Callable[[], float] = time.perf_counter) -> dict[str, list[float]]:
    """Seconds per iteration of each variant on ``clock``, one iteration of each per round."""
    for variant in variants:
        for _ in range(warmup):
            variant.step()
    times: dict[str, list[float]] = {v.label: [] for v in variants}
    start = time.perf_counter()
    for r in range(max_rounds):
        shift = r % len(variants)
        for variant in [*variants[shift:], *variants[:shift]]:
            t0 = clock()
            variant.step()
            times[variant.label].append(clock() - t0)
        if r + 1 >= 5 and time.perf_counter() - start > budget:
            break
    return times


def measured(pair: str, variants: Sequence[Variant], times: dict[str, list[float]], *,
             batch: int, work: dict[str, tuple[int, int]]) -> list[dict[str, Any]]:
    """Each variant's raw numbers: median seconds per iteration, medians of its per-round ratios to
    BAS and to KD (``None`` without that method), images/s, FLOPs (and over KD's), layer calls,
    rounds."""
    def ratio(label: str, base: str) -> float | None:
        if base not in times:
            return None
        return statistics.median(a / b for a, b in zip(times[label], times[base], strict=True))

    flops_kd = work["kd"][0] if "kd" in work else float("nan")
    rows = []
    for v in variants:
        median = statistics.median(times[v.label])
        flops, calls = work[v.label]
        rows.append({"pair": pair, "method": v.label, "epoch": v.epoch, "batch": batch,
                     "seconds_per_iteration": median, "ratio_to_bas": ratio(v.label, "bas"),
                     "ratio_to_kd": ratio(v.label, "kd"), "images_per_second": batch / median,
                     "flops": flops, "flops_ratio_to_kd": flops / flops_kd, "layer_calls": calls,
                     "rounds": len(times[v.label])})
    return rows


def summarise(rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    """Table rows of :func:`measured`'s: median ms, ratios to BAS and KD (medians of per-round
    ratios), images/s, GFLOP."""
    def fmt(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f}"

    return [[r["pair"], r["method"], str(r["epoch"]), f"{1000 * r['seconds_per_iteration']:.1f}",
             fmt(r["ratio_to_bas"]), fmt(r["ratio_to_kd"]), f"{r['images_per_second']:,.0f}",
             f"{r['flops'] / 1e9:.3g}", f"{r['flops_ratio_to_kd']:.2f}", str(r["layer_calls"]),
             str(r["rounds"])] for r in rows]


QUICK = ["--pairs", "digits", "--budget", "5", "--warmup", "1"]
"""``--quick``: the digits pair, 5 s of timed rounds."""


def get_parser() -> argparse.ArgumentParser:
    """Command-line options of the benchmark."""
    parser = _cli.parser(
        "distill_cost", __doc__, docs="docs/performance.md (Distillation cost)",
        duration="about 3 minutes on 2 cores (--budget seconds of rounds per pair, plus building "
                 "the models and counting their FLOPs)",
        quick=QUICK, quick_duration="about 45 s: MIMKD's 512-filter critics take over 1 s an iteration",
    )
    parser.add_argument("--pairs", nargs="+", default=list(PAIRS), choices=list(PAIRS),
                        help="teacher/student pairs (default: wrn digits)")
    parser.add_argument("--methods", nargs="+", default=None, choices=available_methods(),
                        metavar="NAME",
                        help=f"methods: {', '.join(available_methods())} (default: all; bas and kd "
                             "always run)")
    parser.add_argument("--batch", type=_cli.integer(2, " (ITRD and MIMKD need batch statistics)"),
                        default=64, help="batch size (default: 64)")
    parser.add_argument("--threads", type=_cli.processes, default=2,
                        help="torch CPU threads, at most the CPUs here (default: 2)")
    parser.add_argument("--clock", default="wall", choices=list(CLOCKS),
                        help="wall: elapsed time (default); cpu: this process's CPU time, which "
                             "other jobs on a shared machine disturb far less (with --threads 1; "
                             "with more threads it also counts threads waiting for each other)")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                        help="device (default: cpu)")
    parser.add_argument("--amp", action="store_true",
                        help="bf16 autocast, as the trainer's run.amp (CUDA only)")
    parser.add_argument("--grad-clip", type=_cli.nonnegative_float, default=0.0,
                        help="clip the gradient norm, as optim.grad_clip (default: 0 = off)")
    parser.add_argument("--warmup", type=_cli.nonnegative_int, default=2,
                        help="untimed iterations per variant first (default: 2)")
    parser.add_argument("--budget", type=_cli.positive_float, default=60.0,
                        help="seconds of timed rounds per pair (default: 60; at least 5 rounds)")
    parser.add_argument("--rounds", type=_cli.positive_int, default=200,
                        help="at most this many rounds per pair (default: 200)")
    parser.add_argument("--mimkd-critic-hidden", type=_cli.positive_int, default=512,
                        help="filters of MIMKD's critics (default: 512, the paper's)")
    return parser


def _check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """The checks that involve two options or the machine; one line on stderr and exit 2."""
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda but CUDA is not available; use --device cpu")
    if args.clock == "cpu" and args.device == "cuda":
        parser.error("--clock cpu measures CPU time, not GPU time; use --clock wall on CUDA")
    if args.amp and args.device != "cuda":
        parser.error("--amp needs --device cuda (the trainer's bf16 autocast is CUDA only)")


CPU_OUT_OF_MEMORY = ("DefaultCPUAllocator: can't allocate memory",  # Linux, macOS
                     "DefaultCPUAllocator: not enough memory")  # Windows
"""What torch's CPU allocator says on running out of memory: it raises a plain ``RuntimeError``,
not the ``torch.cuda.OutOfMemoryError`` of CUDA (``torch.OutOfMemoryError`` since torch 2.5)."""


@contextlib.contextmanager
def _memory_error_if_out_of_memory(setting: str) -> Iterator[None]:
    """Raise torch running out of memory (CUDA's ``OutOfMemoryError``, the CPU allocator's
    ``RuntimeError``, :data:`CPU_OUT_OF_MEMORY`) in the block as ``MemoryError``, which
    :func:`_cli.run` reports in one line."""
    try:
        yield
    except RuntimeError as exc:
        cpu = any(text in str(exc) for text in CPU_OUT_OF_MEMORY)
        if cpu or isinstance(exc, torch.cuda.OutOfMemoryError):
            raise MemoryError(f"{setting}: {one_line(exc)}") from None
        raise


def main(argv: Sequence[str] | None = None) -> str:
    """Time every method on every pair and print the table; returns its markdown."""
    parser = get_parser()
    args = _cli.parse_args(parser, argv, QUICK)
    _check_args(parser, args)
    with open_records(parser, args) as out:
        torch.set_num_threads(args.threads)
        device = torch.device(args.device)
        methods = list(dict.fromkeys(["bas", "kd", *(args.methods or available_methods())]))
        where = torch.cuda.get_device_name(device) if device.type == "cuda" else \
            f"{platform.machine()}, {os.cpu_count()} CPUs, {args.threads} torch threads"
        print(f"# one training iteration (forward + backward + SGD step), batch {args.batch}, "
              f"{where}, torch {torch.__version__}, amp {'bf16' if args.amp else 'off'}, "
              f"{args.clock} clock, "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        headers = ["pair", "method", "epoch", "ms/iter", "÷ BAS", "÷ KD", "images/s", "GFLOP",
                   "GFLOP ÷ KD", "layer calls", "rounds"]
        rows: list[list[str]] = []
        sizes = f"--batch {args.batch}" + (f" or --mimkd-critic-hidden {args.mimkd_critic_hidden}"
                                           if "mimkd" in methods else "")  # what memory running out blames
        bar = _cli.progress(total=3 * len(args.pairs), desc="pairs x (build, count FLOPs, time)")
        with _cli.shown_if_interrupted(lambda: markdown(headers, rows) if rows else ""), \
                _memory_error_if_out_of_memory(sizes):
            for pair in args.pairs:
                variants = build_variants(pair, batch=args.batch, device=device, amp=args.amp,
                                          grad_clip=args.grad_clip, methods=methods,
                                          mimkd_critic_hidden=args.mimkd_critic_hidden)
                bar.update()
                work = {v.label: count_work(v.step) for v in variants}
                bar.update()
                times = time_rounds(variants, warmup=args.warmup, budget=args.budget,
                                    max_rounds=args.rounds, clock=CLOCKS[args.clock])
                bar.update()
                for row in measured(pair, variants, times, batch=args.batch, work=work):
                    rows += summarise([row])
                    out.write(**row)
        bar.close()
        return print_table(headers, rows)


if __name__ == "__main__":
    _cli.run(main, "distill_cost")
