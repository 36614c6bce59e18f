"""The training loop: one readable file, no framework.

Read it top to bottom:

* :func:`train` runs one distillation run from a :class:`~pidkit_distill.config.TrainConfig`:
  data, teacher (trained, untrained or loaded), student, the method's :class:`Distiller`, one SGD
  optimizer and one learning-rate scheduler per optimizer group of the Distiller, then the epochs.
* :func:`train_teacher` trains a teacher with cross-entropy through the same loop and saves it.
* :func:`train_one_epoch` steps only the optimizer of the Distiller's phase of that epoch.
* :func:`evaluate` measures the student's held-out accuracy.

Epochs are counted from 0 inside the loop (``Distiller.phase(epoch)``, ``forward(..., epoch=)``);
every record written to disk carries ``"epoch": k`` meaning "after k completed epochs", so the
audit at ``epoch == 0`` describes the networks before training.

A run folder (``run.out_dir/run.name``) holds ``config.json`` (the resolved configuration),
``metrics.jsonl`` (one JSON line per epoch), ``audit.jsonl`` (one line per audited epoch and layer),
``checkpoint.pt`` (written atomically every epoch) and ``summary.json``.

Distributed data parallel is switched on by the environment ``torchrun`` sets (``RANK``,
``WORLD_SIZE``, ``LOCAL_RANK``): gloo on CPU, nccl on CUDA. ``data.batch_size`` is the global
batch; each process gets an equal share of every batch, so a run's sample order does not depend
on the number of processes. Only rank 0 prints and writes files. BatchNorm statistics are per
process (as in any DDP run without SyncBatchNorm).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
import warnings
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from threadpoolctl import threadpool_limits
from torch import Tensor, nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, DistributedSampler, Subset
from tqdm.auto import tqdm

from pidkit_distill.config import (
    RESUME_FREE_KEYS,
    TrainConfig,
    check_config,
    config_from_dict,
    config_to_dict,
)
from pidkit_distill.data import load_dataset
from pidkit_distill.methods import get_method
from pidkit_distill.methods.base import StepOutput
from pidkit_distill.models import build_model

__all__ = [
    "RunSummary",
    "SupervisedModel",
    "evaluate",
    "load_teacher",
    "train",
    "train_one_epoch",
    "train_teacher",
]

CHECKPOINT_FORMAT = 1


@dataclass(frozen=True)
class RunSummary:
    """What a finished (or stopped) run reports.

    Attributes
    ----------
    last_acc : float
        Held-out accuracy of the student after the last completed epoch (in [0, 1]).
    best_acc : float
        Best held-out accuracy over the completed epochs.
    best_epoch : int
        Completed-epoch count at which ``best_acc`` was reached.
    run_dir : Path
        The run folder.
    history : list of dict
        The per-epoch records of ``metrics.jsonl``.
    teacher_acc : float or None
        Held-out accuracy of the teacher (None for teacher-training runs and for a teacher
        trained on other labels through ``teacher.data_options``).
    epochs_done : int
        Completed epochs (smaller than ``run.epochs`` when stopped by ``run.stop_after``).
    audit : list of dict
        The records of ``audit.jsonl``.
    """

    last_acc: float
    best_acc: float
    best_epoch: int
    run_dir: Path
    history: list[dict[str, Any]]
    teacher_acc: float | None = None
    epochs_done: int = 0
    audit: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Runtime:
    """Process-level facts: device, DDP rank and world size, whether we own the process group."""

    device: torch.device
    rank: int
    world_size: int
    local_rank: int
    owns_group: bool

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


class SupervisedModel(nn.Module):
    """One network trained with cross-entropy alone, behind the Distiller interface.

    Used to train teachers through the same loop as the students (``student`` is the network
    being trained; there is no teacher).

    Parameters
    ----------
    model : torch.nn.Module
        The network.

    Example
    -------
    >>> import torch
    >>> from pidkit_distill.models import build_model
    >>> net = SupervisedModel(build_model("digits-student", num_classes=10, in_channels=1))
    >>> out = net(torch.zeros(4, 1, 8, 8), torch.zeros(4, dtype=torch.long), epoch=0)
    >>> sorted(out.losses)
    ['ce']
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.student = model

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        """One group, ``"student"``: every trainable parameter of the network."""
        return {"student": [p for p in self.student.parameters() if p.requires_grad]}

    def phase(self, epoch: int) -> str:
        """Always ``"student"``."""
        return "student"

    def forward(self, x: Tensor, y: Tensor, *, epoch: int) -> StepOutput:
        """Logits and the cross-entropy loss."""
        logits = self.student(x)
        return StepOutput(logits=logits, losses={"ce": F.cross_entropy(logits, y)})


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def train(config: TrainConfig) -> RunSummary:
    """Run one distillation run described by ``config``.

    Parameters
    ----------
    config : TrainConfig
        The resolved configuration (see :func:`pidkit_distill.config.load_config`).

    Returns
    -------
    RunSummary
        Last and best held-out accuracy, the per-epoch history and the run folder.

    Examples
    --------
    >>> from pidkit_distill.config import load_config
    >>> cfg = load_config(overrides=["run.epochs=1", "teacher.source=untrained",
    ...                              "run.out_dir=/tmp/pidkit-doctest", "run.name=bas",
    ...                              "run.audit_every=0", "run.progress=false",
    ...                              "run.resume=true"])
    >>> summary = train(cfg)                                      # doctest: +SKIP
    >>> 0.0 <= summary.last_acc <= 1.0                            # doctest: +SKIP
    True
    """
    check_config(config)
    runtime = _init_runtime(config)
    try:
        bundle = _load_data(config)
        teacher = load_teacher(config, bundle=bundle, runtime=runtime)
        method = get_method(config.method.name)
        init_state = _student_init_state(config, method.student_init, runtime)
        _seed_everything(config.run.seed)
        student = _build(config.model.student, bundle)
        if init_state is not None:
            student.load_state_dict(init_state)
        params = dict(config.method.params)
        if config.method.preset:
            params["preset"] = config.method.preset
        distiller = method(student, teacher, sample_input=_sample_input(bundle),
                           num_classes=bundle.num_classes, **params)
        return _fit(config, distiller, bundle, _run_dir(config), runtime)
    finally:
        _close_runtime(runtime)


def train_teacher(config: TrainConfig) -> Path:
    """Train the teacher ``config.model.teacher`` on ``config.data`` and save its weights.

    The teacher run uses ``teacher.epochs``, ``teacher.lr`` and ``teacher.seed`` with the
    optimizer settings of ``config.optim`` (``kd-rid-effective`` is replaced by ``paper``: the
    authors trained their teacher differently anyway). It is cached: a second call with the same
    settings returns the saved file without training.

    Returns
    -------
    Path
        ``teacher.pt``: ``{"model": state_dict, "name", "num_classes", "input_shape", "config",
        "test_acc"}``, loadable with ``teacher.source=PATH``.

    Examples
    --------
    >>> from pidkit_distill.config import load_config
    >>> path = train_teacher(load_config(overrides=["teacher.epochs=1"]))  # doctest: +SKIP
    """
    check_config(config)
    runtime = _init_runtime(config)
    try:
        return _train_teacher(config, _load_data(config, teacher=True), runtime)
    finally:
        _close_runtime(runtime)


def load_teacher(config: TrainConfig, *, bundle: Any, runtime: _Runtime | None = None) -> nn.Module:
    """The teacher named by ``teacher.source``: trained (cached), untrained (seeded) or a file.

    ``bundle`` is the student's data; with ``teacher.data_options`` the teacher's own variant
    of it is loaded (its number of classes may differ). The returned network is in eval mode
    with ``requires_grad`` off for every parameter.

    Example
    -------
    >>> from pidkit_distill.config import load_config
    >>> from pidkit_distill.data import load_dataset
    >>> cfg = load_config(overrides=["teacher.source=untrained"])
    >>> net = load_teacher(cfg, bundle=load_dataset("digits"))
    >>> net.training, any(p.requires_grad for p in net.parameters())
    (False, False)
    """
    runtime = runtime or _Runtime(torch.device("cpu"), 0, 1, 0, False)
    if config.teacher.data_options:
        bundle = _load_data(config, teacher=True)
    source = config.teacher.source
    if source == "untrained":
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.teacher.seed)
            teacher = _build(config.model.teacher, bundle)
    else:
        path = _train_teacher(config, bundle, runtime) if source == "trained" else Path(source)
        if not path.is_file():
            raise ValueError(
                f"teacher.source={source!r} is neither 'trained', 'untrained' nor an existing "
                "file; pass a path written by `pidkit-distill train-teacher`"
            )
        saved = torch.load(path, map_location="cpu", weights_only=False)
        if not isinstance(saved, dict) or "model" not in saved:
            raise ValueError(f"teacher file {str(path)!r} holds no 'model' state dict")
        if saved.get("name", config.model.teacher) != config.model.teacher:
            raise ValueError(
                f"teacher file {str(path)!r} holds a {saved['name']!r}, but model.teacher is "
                f"{config.model.teacher!r}; set model.teacher={saved['name']}"
            )
        teacher = _build(config.model.teacher, bundle)
        teacher.load_state_dict(saved["model"])
    teacher.eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    return teacher


# --------------------------------------------------------------------------------------------
# The loop
# --------------------------------------------------------------------------------------------


def _fit(config: TrainConfig, module: nn.Module, bundle: Any, run_dir: Path,
         runtime: _Runtime) -> RunSummary:
    """Optimizers, schedulers, resume, then the epochs: train, evaluate, audit, log, save."""
    device = runtime.device
    module.to(device)
    if device.type == "cuda":
        module.to(memory_format=torch.channels_last)
    groups = module.optimizer_groups()
    optimizers = {name: _make_optimizer(params, config, name)
                  for name, params in groups.items()}
    schedulers = {name: _make_scheduler(opt, config, name, len(groups))
                  for name, opt in optimizers.items()}
    loader_gen = torch.Generator().manual_seed(config.run.seed)
    state: dict[str, Any] = {"epoch": 0, "best_acc": -1.0, "best_epoch": 0, "history": [],
                             "audit": []}
    checkpoint_path = run_dir / "checkpoint.pt"
    if checkpoint_path.exists() and not config.run.resume:
        raise ValueError(
            f"run folder {str(run_dir)!r} already holds a checkpoint; pass run.resume=true to "
            "continue it, or choose another run.name / run.out_dir"
        )
    if config.run.resume and checkpoint_path.exists():
        state = _load_checkpoint(checkpoint_path, config, module, optimizers, schedulers,
                                 loader_gen, runtime)
    if runtime.is_main:
        run_dir.mkdir(parents=True, exist_ok=True)
        _write_json(run_dir / "config.json", config_to_dict(config))
        _rewrite_jsonl(run_dir / "metrics.jsonl", state["history"])
        _rewrite_jsonl(run_dir / "audit.jsonl", state["audit"])

    model: nn.Module = module
    if runtime.distributed:
        model = nn.parallel.DistributedDataParallel(
            module, device_ids=[runtime.local_rank] if device.type == "cuda" else None,
            find_unused_parameters=len(groups) > 1,  # a phase leaves the other groups unused
        )
    train_loader, sampler = _train_loader(bundle.train, config, runtime, loader_gen)
    test_loader = _eval_loader(bundle.test, config, runtime)
    teacher = getattr(module, "teacher", None)
    teacher_acc = None
    if teacher is not None and getattr(module, "teacher_num_logits", 0) == bundle.num_classes:
        teacher_acc = evaluate(teacher, test_loader, device=device, amp=config.run.amp,
                               runtime=runtime)["acc"]
    audit_enabled = teacher is not None and config.run.audit_every > 0
    if audit_enabled and state["epoch"] == 0 and not state["audit"]:
        state["audit"] += _audit(module, bundle, config, run_dir, runtime, epoch=0)

    end = config.run.epochs
    if config.run.stop_after:
        end = min(end, state["epoch"] + config.run.stop_after)
    for epoch in range(state["epoch"], end):
        start = time.perf_counter()
        sampler.set_epoch(epoch)
        if hasattr(bundle.train, "set_epoch"):
            bundle.train.set_epoch(epoch)  # per-epoch augmentation draws (CIFAR)
        phase = module.phase(epoch)
        if phase not in optimizers:
            raise ValueError(f"{type(module).__name__}.phase({epoch}) returned {phase!r}, not "
                             f"one of its optimizer groups {sorted(optimizers)}")
        lrs = {name: opt.param_groups[0]["lr"] for name, opt in optimizers.items()}
        stats = train_one_epoch(model, train_loader, optimizers[phase], epoch=epoch,
                                device=device, amp=config.run.amp,
                                grad_clip=config.optim.grad_clip, runtime=runtime,
                                progress=config.run.progress and runtime.is_main)
        with warnings.catch_warnings():
            # the groups not trained this epoch have not stepped yet; their lr still follows
            # the epoch count, which is what we want
            warnings.filterwarnings("ignore", message="Detected call of `lr_scheduler.step")
            for scheduler in schedulers.values():
                scheduler.step()
        test = evaluate(module.student, test_loader, device=device, amp=config.run.amp,
                        runtime=runtime)
        done = epoch + 1
        if test["acc"] > state["best_acc"]:
            state["best_acc"], state["best_epoch"] = test["acc"], done
        record = {"epoch": done, "phase": phase, "lr": lrs, "train_loss": stats["loss"],
                  "train_losses": stats["losses"], "train_acc": stats["acc"],
                  "test_loss": test["loss"], "test_acc": test["acc"],
                  "best_acc": state["best_acc"], "teacher_acc": teacher_acc,
                  "time_s": round(time.perf_counter() - start, 3)}
        state["history"].append(record)
        state["epoch"] = done
        if audit_enabled and (done % config.run.audit_every == 0 or done == config.run.epochs):
            state["audit"] += _audit(module, bundle, config, run_dir, runtime, epoch=done)
        _save_checkpoint(checkpoint_path, config, module, optimizers, schedulers, loader_gen,
                         state, runtime)
        if runtime.is_main:
            _append_jsonl(run_dir / "metrics.jsonl", record)
            _print_record(record, config)

    history = state["history"]
    summary = RunSummary(
        last_acc=history[-1]["test_acc"] if history else float("nan"),
        best_acc=max(state["best_acc"], 0.0) if history else float("nan"),
        best_epoch=state["best_epoch"], run_dir=run_dir, history=list(history),
        teacher_acc=teacher_acc, epochs_done=state["epoch"], audit=list(state["audit"]),
    )
    if runtime.is_main:
        _write_json(run_dir / "summary.json", {
            "last_acc": summary.last_acc, "best_acc": summary.best_acc,
            "best_epoch": summary.best_epoch, "teacher_acc": teacher_acc,
            "epochs_done": summary.epochs_done, "epochs": config.run.epochs,
            "method": config.method.name, "teacher": config.teacher.source,
            "data": config.data.name, "seed": config.run.seed,
        })
    return summary


def train_one_epoch(model: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer, *,
                    epoch: int, device: torch.device, amp: bool = False, grad_clip: float = 0.0,
                    runtime: _Runtime | None = None, progress: bool = False) -> dict[str, Any]:
    """One pass over ``loader``: sum the Distiller's losses, backpropagate, step ``optimizer``.

    Only ``optimizer`` (the one of this epoch's phase) steps; the gradients of every parameter
    are cleared before each backward pass. Returns the sample-weighted means of the total loss,
    of each loss term and the training accuracy (all-reduced over DDP processes).
    """
    model.train()
    sums: dict[str, Tensor] = {}
    total = torch.zeros(3, dtype=torch.float64, device=device)  # samples, loss, correct
    params = [p for group in optimizer.param_groups for p in group["params"]]
    for x, y in tqdm(loader, desc=f"epoch {epoch + 1}", leave=False, disable=not progress):
        x, y = _to_device(x, y, device)
        with _autocast(device, amp):
            out = model(x, y, epoch=epoch)
        loss = sum(out.losses.values())
        model.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip > 0:
            nn.utils.clip_grad_norm_(params, grad_clip)
        optimizer.step()
        n = y.shape[0]
        with torch.no_grad():
            total += torch.stack([
                torch.tensor(float(n), dtype=torch.float64, device=device),
                loss.detach().double() * n,
                (out.logits.argmax(1) == y).sum().double(),
            ])
            for name, value in out.losses.items():
                sums[name] = sums.get(name, 0.0) + value.detach().double() * n
    names = sorted(sums)
    packed = torch.cat([total, torch.stack([sums[k] for k in names])]) if names else total
    if runtime is not None and runtime.distributed:
        dist.all_reduce(packed)
    count = packed[0].item()
    if not np.isfinite(packed[1].item()):
        raise FloatingPointError(
            f"the training loss became {packed[1].item()} in epoch {epoch + 1}; lower optim.lr or "
            "set optim.grad_clip"
        )
    return {"loss": packed[1].item() / count, "acc": packed[2].item() / count,
            "losses": {k: packed[3 + i].item() / count for i, k in enumerate(names)}}


@torch.no_grad()
def evaluate(model: nn.Module, loader: DataLoader, *, device: torch.device, amp: bool = False,
             runtime: _Runtime | None = None) -> dict[str, float]:
    """Mean cross-entropy and accuracy of ``model`` on ``loader`` (all-reduced over DDP).

    The model is put in eval mode for the pass and returned to its previous mode afterwards.
    """
    was_training = model.training
    model.eval()
    total = torch.zeros(3, dtype=torch.float64, device=device)  # samples, loss sum, correct
    for x, y in loader:
        x, y = _to_device(x, y, device)
        with _autocast(device, amp):
            logits = model(x)
        total += torch.stack([
            torch.tensor(float(y.shape[0]), dtype=torch.float64, device=device),
            F.cross_entropy(logits.float(), y, reduction="sum").double(),
            (logits.argmax(1) == y).sum().double(),
        ])
    model.train(was_training)
    if runtime is not None and runtime.distributed:
        dist.all_reduce(total)
    count = max(total[0].item(), 1.0)
    return {"loss": total[1].item() / count, "acc": total[2].item() / count}


# --------------------------------------------------------------------------------------------
# Teacher, optimizers, schedules
# --------------------------------------------------------------------------------------------


def _teacher_run_config(config: TrainConfig) -> TrainConfig:
    """The configuration of the run that trains ``config``'s teacher."""
    data = config_to_dict(config)
    data["data"]["options"].update(config.teacher.data_options)
    data["method"] = {"name": "teacher", "preset": "", "params": {}}
    data["model"]["student"] = config.model.teacher
    data["optim"]["lr"] = config.teacher.lr
    data["optim"]["schedule"] = "paper" if config.optim.schedule == "kd-rid-effective" \
        else config.optim.schedule
    data["run"].update(epochs=config.teacher.epochs, seed=config.teacher.seed, audit_every=0,
                       stop_after=0, resume=True)
    data["teacher"]["source"] = "trained"
    key = {k: data[k] for k in ("data", "model", "teacher", "optim")}
    key["data"] = {k: v for k, v in key["data"].items() if k not in ("num_workers",
                                                                      "eval_batch_size")}
    digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:8]
    data["run"]["name"] = (f"teacher-{config.data.name}-{config.model.teacher}"
                           f"-s{config.teacher.seed}-e{config.teacher.epochs}-{digest}")
    return config_from_dict(data)


def _train_teacher(config: TrainConfig, bundle: Any, runtime: _Runtime) -> Path:
    """Train (or reuse the cached) teacher of ``config``; return the path of ``teacher.pt``."""
    teacher_config = _teacher_run_config(config)
    run_dir = _run_dir(teacher_config)
    path = run_dir / "teacher.pt"
    if path.is_file():
        return path
    if runtime.is_main:
        print(f"training the teacher {config.model.teacher} for {config.teacher.epochs} epochs "
              f"-> {path}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.teacher.seed)
        net = _build(config.model.teacher, bundle)
        summary = _fit(teacher_config, SupervisedModel(net), bundle, run_dir, runtime)
    if runtime.is_main:
        _atomic_save({"model": net.state_dict(), "name": config.model.teacher,
                      "num_classes": bundle.num_classes,
                      "input_shape": list(bundle.input_shape),
                      "config": config_to_dict(teacher_config), "test_acc": summary.last_acc},
                     path)
    if runtime.distributed:
        dist.barrier()
    return path


def _student_init_state(config: TrainConfig, init_method: str | None,
                        runtime: _Runtime) -> dict | None:
    """Weights of the trained ``init_method`` student a method starts from (TED: BAS).

    The ``init_method`` run uses this run's configuration with the method replaced, in its own
    folder ``RUN_DIR.INIT_METHOD-init`` next to this run's; it is trained there, or resumed, or,
    when complete, only read (the trainer's resume check guarantees its configuration matches).
    """
    if init_method is None:
        return None
    data = config_to_dict(config)
    data["method"] = {"name": init_method, "preset": "", "params": {}}
    data["run"].update(name=f"{_run_dir(config).name}.{init_method}-init", resume=True,
                       stop_after=0)
    init_config = config_from_dict(data)
    if runtime.is_main:
        print(f"{config.method.name} starts from a trained {init_method} student: "
              f"{_run_dir(init_config)}")
    train(init_config)
    return torch.load(_run_dir(init_config) / "checkpoint.pt", map_location="cpu",
                      weights_only=False)["student"]


def _make_optimizer(params: list[nn.Parameter], config: TrainConfig,
                    group: str) -> torch.optim.Optimizer:
    """SGD for one optimizer group; ``kd-rid-effective`` gives the student group lr**2."""
    o = config.optim
    lr = o.lr * o.lr if o.schedule == "kd-rid-effective" and group == "student" else o.lr
    return torch.optim.SGD(params, lr=lr, momentum=o.momentum, weight_decay=o.weight_decay,
                           nesterov=o.nesterov and o.momentum > 0)


def _make_scheduler(optimizer: torch.optim.Optimizer, config: TrainConfig, group: str,
                    n_groups: int) -> torch.optim.lr_scheduler.MultiStepLR:
    """Per-epoch MultiStepLR for one group (no milestones = constant).

    ``paper``: every group is multiplied by ``gamma`` at each milestone. ``kd-rid-effective``
    (KD-RID-NOTES §1.4): the student group starts at lr**2 (LambdaLR multiplies the base lr by
    the lambda's return value) and decays at the milestones only for single-group methods (the
    authors' automatically optimised BAS/VID); with several groups (their manually optimised RID,
    TED) no scheduler is ever stepped, so every group keeps its initial lr.
    """
    o = config.optim
    if o.milestone_unit == "fraction":
        milestones = sorted({round(m * config.run.epochs) for m in o.milestones})
    else:
        milestones = sorted({int(m) for m in o.milestones})
    if o.schedule == "constant" or (o.schedule == "kd-rid-effective" and
                                    (n_groups > 1 or group != "student")):
        milestones = []
    return torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=milestones, gamma=o.gamma)


# --------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------


def _rng_state(loader_gen: torch.Generator) -> dict[str, Any]:
    numpy_state = np.random.get_state()  # noqa: NPY002 - the global stream is part of a run
    return {"torch": torch.get_rng_state(), "numpy": numpy_state,
            "python": random.getstate(), "loader": loader_gen.get_state(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []}


def _set_rng_state(rng: dict[str, Any], loader_gen: torch.Generator) -> None:
    torch.set_rng_state(rng["torch"])
    np.random.set_state(rng["numpy"])  # noqa: NPY002 - restores the global stream
    random.setstate(rng["python"])
    loader_gen.set_state(rng["loader"])
    if rng["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(rng["cuda"])


def _save_checkpoint(path: Path, config: TrainConfig, module: nn.Module,
                     optimizers: dict[str, torch.optim.Optimizer],
                     schedulers: dict[str, Any], loader_gen: torch.Generator,
                     state: dict[str, Any], runtime: _Runtime) -> None:
    """Write everything needed to continue exactly, atomically, from rank 0.

    Each process's RNG states are gathered so that a DDP run resumes bit-exactly too.
    """
    rng = _rng_state(loader_gen)
    if runtime.distributed:
        gathered: list[Any] = [None] * runtime.world_size
        dist.all_gather_object(gathered, rng)
    else:
        gathered = [rng]
    if runtime.is_main:
        _atomic_save({
            "format": CHECKPOINT_FORMAT,
            "config": config_to_dict(config),
            "epoch": state["epoch"],
            "module": module.state_dict(),
            "student": module.student.state_dict(),
            "optimizers": {k: v.state_dict() for k, v in optimizers.items()},
            "schedulers": {k: v.state_dict() for k, v in schedulers.items()},
            "best_acc": state["best_acc"], "best_epoch": state["best_epoch"],
            "history": state["history"], "audit": state["audit"],
            "rng": gathered,
        }, path)


def _load_checkpoint(path: Path, config: TrainConfig, module: nn.Module,
                     optimizers: dict[str, torch.optim.Optimizer], schedulers: dict[str, Any],
                     loader_gen: torch.Generator, runtime: _Runtime) -> dict[str, Any]:
    """Restore a checkpoint after checking that its configuration matches ``config``."""
    saved = torch.load(path, map_location="cpu", weights_only=False)
    if saved.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{str(path)!r} is not a pidkit_distill checkpoint of format "
                         f"{CHECKPOINT_FORMAT}")
    old, new = _flatten(saved["config"]), _flatten(config_to_dict(config))
    changed = sorted(k for k in old.keys() | new.keys()
                     if k not in RESUME_FREE_KEYS and old.get(k) != new.get(k))
    if changed:
        details = ", ".join(f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in changed)
        raise ValueError(f"cannot resume {str(path)!r}: the configuration changed ({details}); "
                         "restore those values or start a new run")
    module.load_state_dict(saved["module"])
    for name, opt in optimizers.items():
        opt.load_state_dict(saved["optimizers"][name])
    for name, scheduler in schedulers.items():
        scheduler.load_state_dict(saved["schedulers"][name])
    states = saved["rng"]
    if len(states) != runtime.world_size:
        warnings.warn(f"checkpoint was written by {len(states)} process(es), resuming with "
                      f"{runtime.world_size}: the data order is kept but random streams differ",
                      RuntimeWarning, stacklevel=2)
    _set_rng_state(states[min(runtime.rank, len(states) - 1)], loader_gen)
    if runtime.is_main:
        print(f"resumed {path} after epoch {saved['epoch']}")
    return {k: saved[k] for k in ("epoch", "best_acc", "best_epoch", "history", "audit")}


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict) and prefix == "":
            out.update(_flatten(value, f"{key}."))
        else:
            out[prefix + key] = value
    return out


def _atomic_save(obj: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------
# Audit hook, data, devices, logging
# --------------------------------------------------------------------------------------------


def _audit(module: nn.Module, bundle: Any, config: TrainConfig, run_dir: Path,
           runtime: _Runtime, *, epoch: int) -> list[dict[str, Any]]:
    """Run the PID audit on rank 0 and append its records to ``audit.jsonl``."""
    records: list[dict[str, Any]] = []
    if runtime.is_main:
        from pidkit_distill.audit import audit_distiller

        limits = threadpool_limits(config.run.threads) if config.run.threads else nullcontext()
        with limits:
            records = audit_distiller(module, bundle.test, epoch=epoch, settings=config.audit,
                                      device=runtime.device,
                                      batch_size=config.data.eval_batch_size)
        for record in records:
            record["run"] = run_dir.name
            _append_jsonl(run_dir / "audit.jsonl", record)
        if config.run.progress:
            inner = records[-1] if records else None
            if inner is not None:
                print(f"  audit epoch {epoch} layer {inner['layer']}: red={inner['red']:.3f} "
                      f"uni_t={inner['uni_t']:.3f} uni_s={inner['uni_s']:.3f} "
                      f"syn={inner['syn']:.3f} bits (n={inner['n_samples']})")
    if runtime.distributed:
        dist.barrier()
    return records


def _train_loader(dataset: Any, config: TrainConfig, runtime: _Runtime,
                  generator: torch.Generator) -> tuple[DataLoader, DistributedSampler]:
    """Shuffled loader; the sampler's order depends only on (seed, epoch), never on world size."""
    if config.data.batch_size % runtime.world_size:
        raise ValueError(f"data.batch_size={config.data.batch_size} must be divisible by the "
                         f"number of processes ({runtime.world_size})")
    sampler = DistributedSampler(dataset, num_replicas=runtime.world_size, rank=runtime.rank,
                                 shuffle=True, seed=config.run.seed)
    loader = DataLoader(dataset, batch_size=config.data.batch_size // runtime.world_size,
                        sampler=sampler, num_workers=config.data.num_workers,
                        generator=generator, pin_memory=runtime.device.type == "cuda")
    return loader, sampler


def _eval_loader(dataset: Any, config: TrainConfig, runtime: _Runtime) -> DataLoader:
    """Each process evaluates every world_size-th sample; sums are all-reduced (no padding)."""
    if runtime.distributed:
        dataset = Subset(dataset, range(runtime.rank, len(dataset), runtime.world_size))
    return DataLoader(dataset, batch_size=config.data.eval_batch_size, shuffle=False,
                      num_workers=config.data.num_workers)


def _sample_input(bundle: Any) -> Tensor:
    """A few training inputs, for the Distiller to infer feature shapes."""
    n = min(len(bundle.train), 16)
    return torch.stack([bundle.train[i][0] for i in range(n)])


def _load_data(config: TrainConfig, *, teacher: bool = False) -> Any:
    """The run's data; ``teacher=True``: with ``teacher.data_options`` applied on top."""
    options = {**config.data.options, **(config.teacher.data_options if teacher else {})}
    return load_dataset(config.data.name, root=config.data.root or None, seed=config.data.seed,
                        **options)


def _build(name: str, bundle: Any) -> nn.Module:
    return build_model(name, num_classes=bundle.num_classes,
                       in_channels=int(bundle.input_shape[0]))


def _run_dir(config: TrainConfig) -> Path:
    name = config.run.name
    if not name:
        source = config.teacher.source
        tag = {"trained": "tt", "untrained": "ut"}.get(source, "tp")
        preset = f"-{config.method.preset}" if config.method.preset else ""
        name = f"{config.data.name}-{config.method.name}{preset}-{tag}-s{config.run.seed}"
    return Path(config.run.out_dir) / name


def _to_device(x: Tensor, y: Tensor, device: torch.device) -> tuple[Tensor, Tensor]:
    x = x.to(device, non_blocking=True)
    if device.type == "cuda" and x.dim() == 4:
        x = x.contiguous(memory_format=torch.channels_last)
    return x, y.to(device, non_blocking=True)


def _autocast(device: torch.device, amp: bool) -> Any:
    """bf16 autocast on CUDA when ``amp``; nothing otherwise (one mixed-precision path)."""
    if amp and device.type == "cuda":
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    return nullcontext()


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - seeds code that uses the global stream
    torch.manual_seed(seed)


def _init_runtime(config: TrainConfig) -> _Runtime:
    """Device and DDP setup from torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK)."""
    want = config.run.device
    if want == "cuda" and not torch.cuda.is_available():
        raise ValueError("run.device='cuda' but CUDA is not available; use run.device=cpu or auto")
    use_cuda = want == "cuda" or (want == "auto" and torch.cuda.is_available())
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", str(rank)))
    device = torch.device(f"cuda:{local_rank}" if use_cuda else "cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    owns_group = False
    if world_size > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if use_cuda else "gloo", init_method="env://")
        owns_group = True
    if config.run.threads:
        torch.set_num_threads(config.run.threads)
    if config.run.amp and not use_cuda:
        warnings.warn("run.amp=true has no effect on CPU (bf16 autocast is used on CUDA only)",
                      RuntimeWarning, stacklevel=3)
    return _Runtime(device, rank, world_size, local_rank, owns_group)


def _close_runtime(runtime: _Runtime) -> None:
    if runtime.owns_group and dist.is_initialized():
        dist.destroy_process_group()


def _write_json(path: Path, obj: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=str) + "\n")
    os.replace(tmp, path)


def _append_jsonl(path: Path, record: dict[str, Any]) -> None:
    with path.open("a") as handle:
        handle.write(json.dumps(record, default=str) + "\n")


def _rewrite_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(r, default=str) + "\n" for r in records))
    os.replace(tmp, path)


def _print_record(record: dict[str, Any], config: TrainConfig) -> None:
    terms = " ".join(f"{k}={v:.4f}" for k, v in record["train_losses"].items())
    print(f"[{config.method.name}] epoch {record['epoch']}/{config.run.epochs} "
          f"phase={record['phase']} loss={record['train_loss']:.4f} ({terms}) "
          f"train_acc={record['train_acc']:.4f} test_acc={record['test_acc']:.4f} "
          f"best={record['best_acc']:.4f} {record['time_s']:.1f}s", flush=True)

