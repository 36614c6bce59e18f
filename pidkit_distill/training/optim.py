"""One optimizer (SGD or AdamW) and one per-epoch learning-rate scheduler per optimizer group."""

from __future__ import annotations

import torch
from torch import nn
from torch.optim.lr_scheduler import (
    CosineAnnealingLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    SequentialLR,
)

from pidkit_distill.config import TrainConfig
from pidkit_distill.config.sections import WARMUP_START_FACTOR

__all__ = ["make_optimizer", "make_scheduler"]


def make_optimizer(params: list[nn.Parameter], config: TrainConfig,
                   group: str) -> torch.optim.Optimizer:
    """The optimizer of one optimizer group: ``optim.optimizer`` ``sgd`` (torch's SGD with
    ``momentum``, ``nesterov`` and ``weight_decay``) or ``adamw`` (torch's AdamW with
    ``weight_decay`` and torch's default betas); ``kd-rid-effective`` gives the student group
    lr**2.

    Examples
    --------
    >>> from pidkit_distill.config import TrainConfig
    >>> opt = make_optimizer([nn.Parameter(torch.zeros(1))], TrainConfig(), "student")
    >>> opt.param_groups[0]["lr"], opt.param_groups[0]["nesterov"]
    (0.05, True)
    >>> config = TrainConfig()
    >>> config.optim.optimizer = "adamw"
    >>> opt = make_optimizer([nn.Parameter(torch.zeros(1))], config, "student")
    >>> type(opt).__name__, opt.param_groups[0]["betas"], opt.param_groups[0]["weight_decay"]
    ('AdamW', (0.9, 0.999), 0.0005)
    """
    o = config.optim
    lr = o.lr * o.lr if o.schedule == "kd-rid-effective" and group == "student" else o.lr
    if o.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=o.weight_decay)
    return torch.optim.SGD(params, lr=lr, momentum=o.momentum, weight_decay=o.weight_decay,
                           nesterov=o.nesterov and o.momentum > 0)


def make_scheduler(optimizer: torch.optim.Optimizer, config: TrainConfig, group: str,
                   n_groups: int) -> LRScheduler:
    """The per-epoch scheduler of one group: ``optim.warmup_epochs`` of torch's LinearLR
    (from ``WARMUP_START_FACTOR`` * lr to lr), then the schedule, chained by torch's
    SequentialLR; without a warm-up, the schedule alone. Every group gets the same schedule
    (but for ``kd-rid-effective``, below).

    ``paper``: torch's MultiStepLR, every group multiplied by ``gamma`` at each milestone
    (:meth:`~pidkit_distill.config.OptimConfig.milestone_epochs`; epochs of the run, counted
    from its start, the warm-up's included). Milestones that fall on the same epoch are kept,
    not merged: MultiStepLR then multiplies by ``gamma`` once for each of them, so a run decays
    as many times as it has milestones. ``constant``: no decay.

    ``cosine``: torch's CosineAnnealingLR, from lr to ``optim.min_lr`` over the epochs after the
    warm-up, ``T = run.epochs - optim.warmup_epochs``: the ``e``-th of them trains at
    ``min_lr + (lr - min_lr) * (1 + cos(pi * e / T)) / 2`` (``e`` from 0; ``min_lr`` is reached
    after the last epoch).

    ``kd-rid-effective`` (what the authors' code applied): the student group starts at lr**2
    (its LambdaLR multiplies the base lr by the lambda's return value) and decays at the
    milestones only for single-group methods (the authors' automatically optimised BAS/VID);
    with several groups (their manually optimised RID, TED) no scheduler is ever stepped, so
    every group keeps its initial lr. It has no warm-up.

    Examples
    --------
    >>> config = TrainConfig()
    >>> config.optim.schedule, config.optim.warmup_epochs, config.run.epochs = "cosine", 2, 6
    >>> opt = make_optimizer([nn.Parameter(torch.zeros(1))], config, "student")
    >>> scheduler = make_scheduler(opt, config, "student", 1)
    >>> lrs = []
    >>> for _ in range(6):
    ...     lrs.append(round(opt.param_groups[0]["lr"], 6))
    ...     opt.step()
    ...     scheduler.step()
    >>> lrs
    [0.0005, 0.02525, 0.05, 0.042678, 0.025, 0.007322]
    """
    o = config.optim
    warmup = o.warmup_epochs
    if o.schedule == "cosine":
        schedule: LRScheduler = CosineAnnealingLR(optimizer, T_max=config.run.epochs - warmup,
                                                  eta_min=o.min_lr)
    else:
        milestones = o.milestone_epochs(config.run.epochs)
        if o.schedule == "constant" or (o.schedule == "kd-rid-effective" and
                                        (n_groups > 1 or group != "student")):
            milestones = []
        # counted from the schedule's own start, after the warm-up
        schedule = MultiStepLR(optimizer, milestones=[m - warmup for m in milestones],
                               gamma=o.gamma)
    if warmup == 0:
        return schedule
    ramp = LinearLR(optimizer, start_factor=WARMUP_START_FACTOR, total_iters=warmup)
    return SequentialLR(optimizer, [ramp, schedule], milestones=[warmup])
