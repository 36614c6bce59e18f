"""A teacher's outputs on the training data: finite and of a size that a trained network gives.

A teacher file whose weights are finite but huge (a state dict scaled by 1e30) passes the
teacher-file check, and so may a teacher trained on inputs scaled unlike the run's: its logits,
distilled layers or pooled features on the training data are NaN, infinite, or
:data:`ENORMOUS` or more in magnitude, and the loss of every method that distils it fails.
:func:`check_teacher_outputs` runs the teacher on the run's first training batch before any
epoch and refuses it (:func:`~pidkit_distill.training.fit` calls it); :func:`outputs_found`
measures a batch's outputs on their device, without a synchronisation, for that check and for
the one that names the teacher where a training loss became NaN later
(:func:`~pidkit_distill.training.train_one_epoch`).
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.utils.data import DataLoader

from pidkit_distill.config import TrainConfig
from pidkit_distill.data import DatasetBundle
from pidkit_distill.models import Features
from pidkit_distill.training.loaders import DataError, batch_sampler
from pidkit_distill.training.runtime import Runtime, autocast, random_streams_kept, to_device
from pidkit_distill.training.teacher_sources import teacher_file_of

__all__ = ["ENORMOUS", "TEACHER_CHECKS", "check_teacher_outputs", "outputs_found", "outputs_problem",
           "teacher_described"]

ENORMOUS = 1e15
"""An output this large (in absolute value) is no trained network's: a teacher file's weights
scaled up, or inputs scaled unlike those it was trained on. Its square, which feature losses
take, comes within a few powers of ten of float32's largest value."""

TEACHER_CHECKS = ("its weights (huge or broken weights give such outputs) and that it was trained "
                  "on inputs scaled as these are")
"""What to check of a teacher whose outputs are NaN, infinite or :data:`ENORMOUS`: the end of
both refusals that name it (before the first epoch, and once a loss has failed)."""


def outputs_found(features: Features) -> Tensor:
    """What each of ``features``' outputs holds: one row per output (the logits, each distilled
    layer, the pooled vector, in that order) of ``[has NaN, has an infinity, largest finite
    magnitude]``, float64, on their device, computed without a synchronisation. The rows of
    several batches combine by their elementwise maximum (``torch.maximum``, or
    ``dist.all_reduce`` with ``MAX``).

    Examples
    --------
    >>> import torch
    >>> from pidkit_distill.models import Features
    >>> found = outputs_found(Features(torch.tensor([[1.0, float("nan")]]),
    ...                                [torch.tensor([[-2.0**70, float("inf")]])], torch.ones(1, 2)))
    >>> found.tolist()
    [[1.0, 0.0, 1.0], [0.0, 1.0, 1.1805916207174113e+21], [0.0, 0.0, 1.0]]
    """
    rows = []
    for values in [features.logits, *features.layers, features.pooled]:
        values = values.detach()
        if not values.numel():
            rows.append(torch.zeros(3, dtype=torch.float64, device=values.device))
            continue
        finite = torch.isfinite(values)
        largest = torch.where(finite, values.abs(), torch.zeros((), dtype=values.dtype,
                                                                 device=values.device)).amax()
        rows.append(torch.stack([values.isnan().any().double(), values.isinf().any().double(),
                                 largest.double()]))
    return torch.stack(rows)


def teacher_described(config: TrainConfig, checkpoint: Path | None = None, *,
                      data: DatasetBundle | None = None) -> str:
    """The run's teacher as a message names it: its file, or ``model.teacher`` at its seeded
    initialisation; the checkpoint ``checkpoint`` where the run continues one, whose teacher
    it holds. ``data``, the teacher's data as the run loaded it, names the cached file of a
    registered data set's samples
    (:func:`~pidkit_distill.training.teacher_sources.teacher_file_of`).

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> teacher_described(load_config(overrides=["teacher.source=/data/teacher.pt"]))
    "teacher file '/data/teacher.pt'"
    >>> teacher_described(load_config(overrides=["teacher.source=untrained",
    ...                                          "model.teacher=digits-teacher"]))
    "model.teacher 'digits-teacher' untrained, at its initialisation of teacher.seed = 0"
    """
    source = config.teacher.source
    if checkpoint is not None:
        return (f"the teacher of checkpoint {str(checkpoint)!r}, which this run continues "
                f"(teacher.source = {source!r})")
    if source == "untrained":
        return (f"model.teacher {config.model.teacher!r} untrained, at its initialisation of "
                f"teacher.seed = {config.teacher.seed}")
    if source == "trained":
        return (f"the cached teacher file {str(teacher_file_of(config, data=data))!r} "
                "(teacher.source = 'trained')")
    return f"teacher file {str(teacher_file_of(config))!r}"


def check_teacher_outputs(module: nn.Module, loader: DataLoader, *, epoch: int,
                          device: torch.device, amp: bool, runtime: Runtime,
                          teacher: str) -> None:
    """Run ``module``'s teacher (``teacher_features``: eval mode, ``torch.no_grad()``) on the
    first batch ``loader`` gives in ``epoch`` (0-based), and refuse it where its logits, a
    distilled layer or its pooled features there are NaN, infinite or :data:`ENORMOUS` or more
    in magnitude. A module without a teacher (a teacher's own training) reads nothing.

    The batch is read from ``loader``'s data set as the loader reads it (its batch sampler's
    first batch of ``epoch``, the data set's ``set_epoch`` where it has one), in this process,
    without starting the loader's workers or drawing from its generator; the random streams
    (torch's, CUDA's, Python's and numpy's) are as they were after it, so that a run whose
    teacher passes trains as it did without the check. Under DDP every process checks its own
    share of the batch and all are told the worst (a collective call, which every process of
    the run makes at once), so that all refuse together.

    Parameters
    ----------
    module : torch.nn.Module
        The module the run trains (not its DDP wrapper): a
        :class:`~pidkit_distill.methods.Distiller`.
    loader : DataLoader
        The training loader (:func:`~pidkit_distill.training.loaders.train_loader`).
    epoch : int
        The first epoch that the run trains.
    device : torch.device
        The run's device, where ``module`` is.
    amp : bool
        bf16 autocast on CUDA, as the run's steps.
    runtime : Runtime
        The run's processes.
    teacher : str
        The teacher as the message names it (:func:`teacher_described`).

    Raises
    ------
    DataError
        Starting with ``teacher.source``: what the outputs hold (NaN, infinite, or as large as
        their largest magnitude) and in which, the teacher, and what to check (its weights, the
        scale of the inputs it was trained on). ``pidkit-distill`` prints it as one line, exit
        status 2.
    """
    teacher_features = getattr(module, "teacher_features", None)
    if teacher_features is None:
        return
    with random_streams_kept():
        x, y = _first_batch(loader, epoch)
        with autocast(device, amp):
            found = outputs_found(teacher_features(to_device(x, y, device)[0]))
    if runtime.distributed:
        dist.all_reduce(found, op=dist.ReduceOp.MAX)
    problem = outputs_problem(found.tolist(), on="the run's first training batch")
    if problem is not None:
        raise DataError(f"teacher.source: {problem}, so no epoch was trained: check the teacher "
                        f"({teacher}): {TEACHER_CHECKS}")


def outputs_problem(found: list[list[float]], *, on: str) -> str | None:
    """What the rows of :func:`outputs_found` say is wrong with a teacher's outputs, as both
    refusals that name the teacher say it: whether they are NaN, infinite or as large as their
    largest magnitude, and which outputs show it, on ``on`` (the batches that were checked);
    ``None`` where every output is finite and below :data:`ENORMOUS`.

    Examples
    --------
    >>> outputs_problem([[1, 1, 0], [0, 1, 0], [0, 1, 0], [0, 0, 2.0]], on="a batch")
    "the teacher's outputs on the training data are NaN and infinite (its logits and distilled \
layers [0, 1], on a batch)"
    >>> outputs_problem([[0, 0, 3.0], [0, 0, 1.4e32], [0, 0, 2e16]], on="a batch")
    "the teacher's outputs on the training data are as large as 1.4e+32 (its distilled layer 0 \
and pooled features, on a batch)"
    >>> outputs_problem([[0, 0, 3.0], [0, 0, 1e3]], on="a batch") is None
    True
    """
    nan, inf = (any(row[k] for row in found) for k in (0, 1))
    if nan or inf:
        what = " and ".join(word for word, seen in [("NaN", nan), ("infinite", inf)] if seen)
        bad = [bool(row[0] or row[1]) for row in found]
    else:
        largest = max(row[2] for row in found)
        if largest < ENORMOUS:
            return None
        what, bad = f"as large as {largest:.1e}", [row[2] >= ENORMOUS for row in found]
    layers = [k for k, is_bad in enumerate(bad[1:-1]) if is_bad]
    named = [*(["logits"] if bad[0] else []),
             *([f"distilled layer {layers[0]}" if len(layers) == 1 else
                f"distilled layers {layers}"] if layers else []),
             *(["pooled features"] if bad[-1] else [])]
    which = ", ".join(named[:-1]) + " and " * (len(named) > 1) + named[-1]
    return f"the teacher's outputs on the training data are {what} (its {which}, on {on})"


def _first_batch(loader: DataLoader, epoch: int) -> tuple[Tensor, Tensor]:
    """The first batch ``loader`` gives in ``epoch``, read from its data set in this process
    as its fetcher reads it: ``dataset[indices]`` where the loader reads whole batches (no
    batch sampler of its own), else each sample (``__getitems__`` where the data set has it),
    then the loader's ``collate_fn``."""
    sampler, dataset = batch_sampler(loader), loader.dataset
    if hasattr(sampler, "set_epoch"):
        sampler.set_epoch(epoch)
    if hasattr(dataset, "set_epoch"):
        dataset.set_epoch(epoch)  # the augmentation of that epoch (CIFAR's)
    indices = next(iter(sampler))
    if loader.batch_sampler is None:  # a data set indexed by a batch's indices at once
        return loader.collate_fn(dataset[indices])
    read = getattr(dataset, "__getitems__", None)
    return loader.collate_fn(read(indices) if read else [dataset[i] for i in indices])
