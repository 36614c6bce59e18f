"""One epoch's training steps (:func:`train_one_epoch`) and a held-out evaluation
(:func:`evaluate`), which :func:`~pidkit_distill.training.fit` runs in turn; and
:func:`memory_checked`, which turns memory running out in a step, the evaluation or the audit into
the run's one-line :class:`~pidkit_distill.TrainingError`.

A step's loss that becomes NaN or infinite is found at the end of the epoch, without a device
synchronisation per step; the statistics are summed over DDP processes.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any, cast

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.nn import functional as F
from torch.utils.data import BatchSampler, DataLoader, SequentialSampler

from pidkit.utils import person_is_watching, progress_bar_factory
from pidkit_distill.label_checks import first_label_problem, one_label_fix
from pidkit_distill.step_advice import step_size_advice
from pidkit_distill.training.loaders import DataError, ShardedBatchSampler, batch_sampler
from pidkit_distill.training.model_checks import checked_loss
from pidkit_distill.training.outcomes import TrainingError
from pidkit_distill.training.runtime import Runtime, autocast, to_device
from pidkit_distill.training.teacher_outputs import (
    ENORMOUS,
    TEACHER_CHECKS,
    outputs_found,
    outputs_problem,
)

__all__ = ["evaluate", "memory_checked", "train_one_epoch"]


_SAME_MEMORY_STRIDES = "Grad strides do not match bucket view strides"
"""DDP's warning, once per process, where a gradient's strides differ from its bucket's. On the
CPU it comes where only the strides of dimensions of size 1 differ, which lay out the same
memory: the weight of a convolution of one input channel (digits' first layer) or of a 1x1
kernel, whose gradient the CPU's convolution gives in the channels-last strides."""


def train_one_epoch(model: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer, *,
                    epoch: int, device: torch.device, amp: bool = False, grad_clip: float = 0.0,
                    runtime: Runtime | None = None, progress: bool = False,
                    num_classes: int | None = None,
                    teacher_source: str | None = None) -> dict[str, Any]:
    """One pass over ``loader``: sum the module's losses, backpropagate, step ``optimizer``.

    Only ``optimizer`` (the one of this epoch's phase) steps; the gradients of every parameter
    are cleared before each backward pass. Under DDP each process's loss is scaled by
    :meth:`ShardedBatchSampler.loss_scale`, so the averaged gradient is the global batch's.
    Returns the sample-weighted means of the total loss, of each loss term and the training
    accuracy (summed over DDP processes). A progress bar is drawn when ``progress`` is true and
    someone watches (a terminal, a notebook); none is made otherwise.

    Parameters
    ----------
    model : nn.Module
        What ``model(x, y, epoch=epoch)`` trains: a :class:`~pidkit_distill.methods.Distiller`
        (or its DDP wrapper), returning a :class:`~pidkit_distill.methods.StepOutput`.
    loader : DataLoader
        The training batches ``(x, y)``.
    optimizer : torch.optim.Optimizer
        The optimizer of this epoch's phase (the only one that steps).
    epoch : int
        The 0-based epoch, passed to the model and used in messages (as ``epoch + 1``).
    device : torch.device
        Where the batches are moved.
    amp : bool, default=False
        bf16 autocast on CUDA.
    grad_clip : float, default=0.0
        Clip the gradient norm of the optimizer's parameters to this value (0: no clipping).
    runtime : Runtime, optional
        Under DDP, the process facts for summing the statistics over processes.
    progress : bool, default=False
        Draw a progress bar where someone watches.
    num_classes : int, optional
        The data's number of classes, which each batch's labels must fall in; ``None``: the
        model's ``num_classes`` (a Distiller's), where it has one (else any value is taken).
    teacher_source : str, optional
        Where the teacher came from (``teacher.source``), named where a NaN or infinite loss is
        found to come from the teacher's outputs.

    Returns
    -------
    dict
        ``"loss"`` (the total), ``"acc"`` (training accuracy) and ``"losses"`` (each term by
        name, in the order the module's forward gives them): sample-weighted means over the
        epoch.

    Raises
    ------
    DataError
        A batch's labels are not what torch's cross-entropy takes (:func:`_labels_refusal`): one
        int64 (or uint8) label per sample in ``[0, num_classes)``. Checked on the host as each
        batch is read, before it moves to the device, so that a label the data's check when
        loaded did not read (:func:`~pidkit_distill.training.load_data` reads a ``Dataset`` of
        one's own by its first sample) is named with its index in the training split
        (:func:`_sample_named`), not met as torch's ``Target 7 is out of bounds`` in the
        method's cross-entropy (on CUDA a device-side assert).
    ValueError
        The module's ``forward`` returned no StepOutput of 0-d loss terms that require grad
        (:func:`~pidkit_distill.training.model_checks.checked_loss`), naming the method and
        the term.
    TrainingError
        The loss was NaN or infinite at some step (found at the end of the epoch, without a
        device synchronisation per step), the last step made weights NaN or infinite, or
        memory ran out. A loss that failed while the student's logits were finite, where the
        teacher's outputs on the training data are NaN, infinite or enormous, names the teacher
        rather than ``optim.lr``; one that failed at the run's first step (before any update)
        says that ``optim.lr`` is not the cause.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from torch.utils.data import DataLoader, TensorDataset
    >>> from pidkit_distill import get_method, tap_features
    >>> from pidkit_distill.training import train_one_epoch
    >>> _ = torch.manual_seed(0)
    >>> x = torch.randn(64, 4)
    >>> y = (x[:, 0] > 0).long()                       # the sign of the first input
    >>> def mlp(width):
    ...     net = nn.Sequential(nn.Linear(4, width), nn.ReLU(), nn.Linear(width, 2))
    ...     return tap_features(net, layers=["1"])
    >>> module = get_method("kd")(mlp(8), mlp(16), sample_input=x[:2], num_classes=2, alpha=0.5)
    >>> optimizer = torch.optim.SGD(module.optimizer_groups()["student"], lr=0.5)
    >>> loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    >>> stats = [train_one_epoch(module, loader, optimizer, epoch=epoch, device=torch.device("cpu"))
    ...          for epoch in range(5)]
    >>> sorted(stats[0]), sorted(stats[0]["losses"])
    (['acc', 'loss', 'losses'], ['ce', 'kd'])
    >>> bool(stats[-1]["loss"] < stats[0]["loss"]), stats[0]["acc"], stats[-1]["acc"]
    (True, 0.546875, 0.875)
    """
    model.train()
    sums: dict[str, Tensor] = {}
    went: dict[str, Tensor] = {}  # per loss term: not finite at the first bad step
    total = torch.zeros(3, dtype=torch.float64, device=device)  # samples, loss, correct
    n_steps = len(loader)
    first_bad = torch.tensor(n_steps, dtype=torch.int64, device=device)  # n_steps = none
    student_sane = torch.tensor(1, dtype=torch.int64, device=device)  # its logits at first_bad
    params = [p for group in optimizer.param_groups for p in group["params"]]
    sampler = batch_sampler(loader)
    if num_classes is None:
        inner = model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model
        num_classes = getattr(inner, "num_classes", None)
    # Shown where someone watches: a terminal or a notebook (whose stderr says it is no terminal).
    # No bar where none is shown: tqdm's __del__ closes a hidden bar too, when the epoch's frame
    # goes, and a Ctrl-C that comes in it is lost ("Exception ignored in ... tqdm.__del__").
    batches = progress_bar_factory()(loader, desc=f"epoch {epoch + 1}", leave=False) \
        if progress and person_is_watching() else loader
    with warnings.catch_warnings():  # once per epoch: entering it forgets the warnings shown
        if device.type == "cpu":
            warnings.filterwarnings("ignore", message=_SAME_MEMORY_STRIDES)
        for step, (x, y) in enumerate(batches):
            refusal = _labels_refusal(y, len(x), num_classes)  # on the host, as read
            if refusal is not None:
                raise DataError(f"data.name: {_sample_named(loader, step, refusal[0], 'train')} "
                                f"{refusal[1]}")
            with memory_checked("", epoch=epoch + 1, step=step + 1, n_steps=n_steps,
                                 hint="lower data.batch_size"):
                x, y = to_device(x, y, device)
                with autocast(device, amp):
                    out = model(x, y, epoch=epoch)
                loss = checked_loss(out, model)
                scale = sampler.loss_scale(step) if isinstance(sampler, ShardedBatchSampler) else 1.0
                model.zero_grad(set_to_none=True)
                (loss * scale if scale != 1.0 else loss).backward()
                if grad_clip > 0:
                    nn.utils.clip_grad_norm_(params, grad_clip)
                optimizer.step()
            n = y.shape[0]
            with torch.no_grad():
                value = loss.detach()
                now_bad = (first_bad == n_steps) & ~torch.isfinite(value)
                first_bad = torch.where(now_bad, torch.tensor(step, device=device), first_bad)
                student_sane = torch.where(now_bad, _sane(out.logits.detach()).long(),
                                           student_sane)
                total += torch.stack([
                    torch.tensor(float(n), dtype=torch.float64, device=device),
                    value.double() * n,
                    (out.logits.argmax(1) == y).sum().double(),
                ])
                for name, term in out.losses.items():
                    sums[name] = sums.get(name, 0.0) + term.detach().double() * n
                    # the terms not finite at the first step whose loss was not
                    went[name] = went.get(name, 0.0) + (now_bad & ~torch.isfinite(term.detach()))
    names = sorted(sums)  # one order in every process, whatever order each met the terms in
    packed = torch.cat([total, torch.stack([sums[k] for k in names]),
                        torch.stack([went[k] for k in names]).double()]) if names else total
    # the last step, whose loss was finite, may have made weights NaN or infinite, which the
    # epoch's checkpoint (a teacher's teacher.pt) would hold: -1 where it did
    finite = torch.stack([p.isfinite().all() for p in params]).all() if params \
        else torch.tensor(True, device=device)
    bad = torch.stack([first_bad, finite.long() - 1, student_sane])
    distributed = runtime is not None and runtime.distributed
    if distributed:
        dist.all_reduce(packed)
        dist.all_reduce(bad, op=dist.ReduceOp.MIN)
    first, weights, student_was_sane = bad.tolist()
    hint = step_size_advice(grad_clip)
    if first < n_steps:
        teacher_outputs = _teacher_outputs_problem(model, loader, first + 1, device, amp,
                                                   distributed) if student_was_sane else None
        reason = _loss_failure(names, packed[3 + len(names):].tolist())
        raise TrainingError(reason, epoch=epoch + 1,
                            step=first + 1, n_steps=n_steps, hint=_loss_failure_hint(
                                teacher_outputs, teacher_source, first_step=epoch == first == 0,
                                lr_hint=hint), seeded=True, kind="nan")
    if weights < 0:
        raise TrainingError("the weights became NaN or infinite (the step's loss was finite)",
                            epoch=epoch + 1, step=n_steps, n_steps=n_steps, hint=hint,
                            seeded=True, kind="nan")
    count = packed[0].item()
    return {"loss": packed[1].item() / count, "acc": packed[2].item() / count,
            # each term in the order the module's forward gave it, its loss formula's
            "losses": {k: packed[3 + names.index(k)].item() / count for k in sums}}


def _loss_failure(names: list[str], went: list[float]) -> str:
    """What became NaN or infinite: the training loss, through the loss terms ``names`` of
    ``went`` above 0 (not finite at the failed step, in some process) where others stayed
    finite, the term to look into (a method's term of its own: a log of 0, a division by 0).

    Examples
    --------
    >>> _loss_failure(["bad", "ce"], [1.0, 0.0])
    "the training loss became NaN or infinite through its term 'bad' ('ce' stayed finite)"
    >>> _loss_failure(["ce", "kd"], [1.0, 1.0])
    'the training loss became NaN or infinite'
    """
    failed = [name for name, count in zip(names, went, strict=True) if count > 0]
    finite = [name for name in names if name not in failed]
    if not failed or not finite:  # each term, or none (a sum of infinities of both signs)
        return "the training loss became NaN or infinite"
    return (f"the training loss became NaN or infinite through its term"
            f"{'s' if len(failed) > 1 else ''} {', '.join(map(repr, failed))} "
            f"({', '.join(map(repr, finite))} stayed finite)")


def _sane(values: Tensor) -> Tensor:
    """Whether ``values`` are all finite and below ``ENORMOUS`` (a 0-d bool, on their
    device, without a synchronisation)."""
    values = values.float()
    return torch.isfinite(values).all() & (values.abs().amax() < ENORMOUS) if values.numel() \
        else torch.tensor(True, device=values.device)


def _teacher_outputs_problem(model: nn.Module, loader: DataLoader, n_batches: int,
                             device: torch.device, amp: bool, distributed: bool) -> str | None:
    """What is wrong with the teacher's outputs (logits, distilled layers, pooled vector) on the
    first ``n_batches`` batches ``loader`` gives (as many as the failed epoch had run: the cost
    of the check is at most theirs) as ``outputs_problem`` words it, or ``None``: all finite
    and below ``ENORMOUS``, the model has no teacher, or ``loader`` gives no batch again (a
    stream read once). Under DDP every process checks its own batches and all are told the
    worst (every one comes here, having agreed on the failed step, and its model, the same as
    theirs, has a teacher where theirs do)."""
    inner = model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model
    teacher_features = getattr(inner, "teacher_features", None)
    if teacher_features is None:
        return None
    batches = []  # each: one row per output of NaN, infinite, largest |value|
    for x, y in islice(loader, n_batches):
        with autocast(device, amp):
            batches.append(outputs_found(teacher_features(to_device(x, y, device)[0])))
    if not batches:  # a stream read once; under DDP each process reads its sampler's batches
        return None
    found = torch.stack(batches).amax(dim=0)
    if distributed:
        dist.all_reduce(found, op=dist.ReduceOp.MAX)
    return outputs_problem(found.tolist(), on="the epoch's batches up to the failed step")


def _loss_failure_hint(teacher_outputs: str | None, teacher_source: str | None, *,
                       first_step: bool, lr_hint: str) -> str:
    """The advice of a NaN or infinite training loss: the teacher where its outputs are what
    ``teacher_outputs`` says (:func:`_teacher_outputs_problem`; the student's logits were
    finite), else ``lr_hint`` unless the loss failed at the run's ``first_step``, before any
    update, which no learning rate changes.

    Examples
    --------
    >>> print(_loss_failure_hint("the teacher's outputs on the training data are NaN (its logits, "
    ...                          "on a batch)", "t.pt", first_step=True, lr_hint="lower it"))
    the teacher's outputs on the training data are NaN (its logits, on a batch) while the \
student's logits were finite, so the teacher is the cause, not optim.lr: check the teacher \
(teacher.source = 't.pt'): its weights (huge or broken weights give such outputs) and that it \
was trained on inputs scaled as these are
    >>> _loss_failure_hint(None, "t.pt", first_step=False, lr_hint="lower optim.lr")
    'lower optim.lr'
    """
    if teacher_outputs is not None:
        source = "" if teacher_source is None else f" (teacher.source = {teacher_source!r})"
        return (f"{teacher_outputs} while the student's logits were finite, so the teacher is "
                f"the cause, not optim.lr: check the teacher{source}: {TEACHER_CHECKS}")
    if first_step:
        return ("it came at the run's first step, before any update, so optim.lr is not the "
                "cause: check the student's initial outputs and the method's parameters "
                "(method.params) on this data")
    return lr_hint


@torch.no_grad()
def evaluate(model: nn.Module, loader: DataLoader, *, device: torch.device, amp: bool = False,
             runtime: Runtime | None = None) -> dict[str, float]:
    """Mean cross-entropy and accuracy of ``model`` on ``loader``, its number of samples ``n``
    (summed over DDP processes) and the share of its most common label, ``majority``: the
    accuracy of always answering that class, chance.

    The model is put in eval mode for the pass and returned to its previous mode afterwards.

    Raises
    ------
    DataError
        A batch's labels are not what torch's cross-entropy takes (:func:`_labels_refusal`): one
        int64 (or uint8) label per sample in ``[0, classes)``, ``classes`` the model's logits.
        Checked as each batch is read, on its labels in hand, so that a label the data's check
        when loaded did not read (:func:`~pidkit_distill.training.load_data` reads a ``Dataset``
        of one's own by its first sample) is named with its sample's index, not met as torch's
        ``Target 7 is out of bounds`` (on CUDA a device-side assert).

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import DataLoader, TensorDataset
    >>> from pidkit_distill.training import evaluate
    >>> data = DataLoader(TensorDataset(torch.eye(3), torch.arange(3)), batch_size=2)
    >>> net = torch.nn.Linear(3, 3, bias=False)
    >>> _ = net.weight.data.copy_(10 * torch.eye(3))
    >>> result = evaluate(net, data, device=torch.device("cpu"))
    >>> result["acc"], result["n"], round(result["majority"], 3)
    (1.0, 3, 0.333)
    """
    was_training = model.training
    model.eval()
    total = torch.zeros(3, dtype=torch.float64, device=device)  # samples, loss sum, correct
    labels = torch.zeros(0, dtype=torch.float64, device=device)  # samples of each class
    for step, (x, y) in enumerate(loader):
        given = y  # checked on the host, as read
        x, y = to_device(x, y, device)
        with autocast(device, amp):
            logits = model(x)
        refusal = _labels_refusal(given, len(x), logits.shape[1])
        if refusal is not None:
            raise DataError(f"data.name: {_sample_named(loader, step, refusal[0], 'test')} "
                            f"{refusal[1]}")
        total += torch.stack([
            torch.tensor(float(y.shape[0]), dtype=torch.float64, device=device),
            F.cross_entropy(logits.float(), y, reduction="sum").double(),
            (logits.argmax(1) == y).sum().double(),
        ])
        if labels.numel() == 0:
            labels = torch.zeros(logits.shape[1], dtype=torch.float64, device=device)
        labels += torch.bincount(y, minlength=labels.numel()).double()
    model.train(was_training)
    if runtime is not None and runtime.distributed:
        dist.all_reduce(total)
        # a process whose share of a held-out set smaller than the run saw no batch, so no
        # classes: each sums as many as the most any process saw (unequal sizes hung gloo)
        classes = torch.tensor([labels.numel()], device=device)
        dist.all_reduce(classes, op=dist.ReduceOp.MAX)
        labels = F.pad(labels, (0, int(classes.item()) - labels.numel()))
        dist.all_reduce(labels)
    count = max(total[0].item(), 1.0)
    return {"loss": total[1].item() / count, "acc": total[2].item() / count,
            "n": int(total[0].item()),
            "majority": labels.max().item() / count if labels.numel() else 0.0}


def _labels_refusal(y: Tensor, n_rows: int, classes: int | None) -> tuple[int, str] | None:
    """The position in its batch of ``n_rows`` samples of the first of the labels ``y`` that
    torch's cross-entropy cannot take for ``classes`` classes, and what is wrong with it and the
    fix, as the end of a sentence naming that sample; ``None`` where the labels are one int64
    (or uint8) per sample, in ``[0, classes)`` (any value where ``classes`` is ``None``). The
    problem is :func:`~pidkit_distill.label_checks.first_label_problem`'s, worded here.

    Examples
    --------
    >>> _labels_refusal(torch.tensor([0, 2, 1]), 3, 3) is None
    True
    >>> print(*_labels_refusal(torch.tensor([0, 2, 1]), 3, 2))
    1 has label 2, outside [0, 2) (its num_classes=2); labels must be integers in [0, 2): number \
the classes from 0 in its loader (y - y.min()), or return a num_classes above its largest label
    >>> print(*_labels_refusal(torch.tensor([0.0, 1.5, 1.0]), 3, 2))
    1 has label 1.5, no class: return the class of each sample, an int, from its loader, not a \
score or a probability
    >>> print(*_labels_refusal(torch.eye(3), 3, 3))
    0 comes in a batch of 3 samples with labels of shape (3, 3): return one int label per sample \
from its loader (y.argmax(dim=1) of one-hot labels or class scores of shape (N, 3))
    >>> print(*_labels_refusal(torch.tensor([True, False, True]), 3, 2))
    0 has a torch.bool label (True), but the trainer takes int64 (or uint8) labels, as torch's \
cross-entropy does: return y.long() (int(y) for one label) from its loader
    """
    problem = first_label_problem(y, n_rows, classes)
    if problem is None:
        return None
    at, value = problem.position, problem.value
    if problem.kind == "shape":
        shape = cast("tuple[int, ...]", value)  # a "shape" problem's value: the labels' shape
        return at, (f"comes in a batch of {n_rows} samples with labels of shape {value}: return "
                    f"one int label per sample from its loader ({one_label_fix(shape)})")
    if problem.kind == "fraction":
        return at, (f"has label {value!r}, no class: return the class of each sample, an int, "
                    "from its loader, not a score or a probability")
    if problem.kind == "outside":
        return at, (f"has label {value}, outside [0, {classes}) (its num_classes={classes}); "
                    f"labels must be integers in [0, {classes}): number the classes from 0 in "
                    "its loader (y - y.min()), or return a num_classes above its largest label")
    return at, (f"has a {y.dtype} label ({value!r}), but the trainer takes int64 (or uint8) "
                "labels, as torch's cross-entropy does: return y.long() (int(y) for one label) "
                "from its loader")


def _sample_named(loader: DataLoader, step: int, position: int, split: str) -> str:
    """The sample at ``position`` of ``loader``'s batch ``step`` (0-based), named by its index
    in the data set's ``split``, as ``loader``'s batch sampler draws that batch again: a
    :class:`ShardedBatchSampler` (the trainer's: each process's share, in the epoch's order) or
    a batch sampler of a fixed order (a ``SequentialSampler``, a range: the held-out loader's).
    A loader that draws its order anew each pass (``shuffle=True``), reads an
    ``IterableDataset`` or is no ``DataLoader`` (a list of batches, which :func:`evaluate`
    takes) names the batch and the row instead.

    Examples
    --------
    >>> from torch.utils.data import TensorDataset
    >>> data = TensorDataset(torch.zeros(10, 2))
    >>> _sample_named(DataLoader(data, batch_size=4), 1, 2, "test")
    "sample 6 of the data set's test split"
    >>> _sample_named(DataLoader(data, batch_size=4, shuffle=True), 1, 2, "train")
    "row 2 of batch 2 of the data set's train split"
    >>> _sample_named([(torch.zeros(4, 2), torch.zeros(4))], 0, 3, "test")
    "row 3 of batch 1 of the data set's test split"
    """
    sampler = batch_sampler(loader) if isinstance(loader, DataLoader) else None
    fixed = isinstance(sampler, ShardedBatchSampler) or (
        isinstance(sampler, BatchSampler)
        and isinstance(sampler.sampler, SequentialSampler | range | list | tuple))
    if not fixed:
        return f"row {position} of batch {step + 1} of the data set's {split} split"
    batch = next(islice(iter(sampler), step, None))
    return f"sample {batch[position]} of the data set's {split} split"


@contextmanager
def memory_checked(doing: str, *, epoch: int | None, step: int | None = None,
                    n_steps: int | None = None, hint: str) -> Iterator[None]:
    """Memory running out in the block (torch's ``OutOfMemoryError`` on the GPU, a
    ``MemoryError`` on the host) as a :class:`~pidkit_distill.TrainingError` saying what the
    run was ``doing`` (``""``: a training step, ``step`` of ``n_steps``) in ``epoch`` (1-based;
    ``None``: outside any epoch, which ``doing`` says), with ``hint``: the one line the command
    prints, not torch's traceback in every process."""
    try:
        yield
    except (torch.cuda.OutOfMemoryError, MemoryError) as err:
        reason = " ".join(filter(None, [f"out of memory ({type(err).__name__})", doing]))
        raise TrainingError(reason, epoch=epoch, step=step, n_steps=n_steps, hint=hint,
                            kind="out_of_memory") from err
