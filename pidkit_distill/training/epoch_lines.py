"""The lines an epoch prints: :func:`epoch_line` (its accuracies and losses) and
:func:`pace_line` (how long the epochs left take, after the first of a long run), which
:func:`~pidkit_distill.training.fit` prints under ``run.print_every``."""

from __future__ import annotations

from typing import Any

import torch

from pidkit_distill.config import TrainConfig

__all__ = ["LONG_S", "duration", "epoch_line", "pace_line"]

LONG_S = 600.0
"""The epochs left of a run that take this long are said after its first (:func:`pace_line`)."""


def epoch_line(record: dict[str, Any], config: TrainConfig, labels: dict[str, str]) -> str:
    """An epoch's line; its ``phase=`` is the record's, which names what trained (``teacher``
    in a teacher's run, :func:`~pidkit_distill.training.teacher_sources.teacher_run_config`).
    Each loss term is named by its label in ``labels`` (a method's ``loss_labels()``: KD's
    weighted terms as ``0.1*ce``), else by its key. A run with a validation split
    (``data.val_fraction``) says its ``val_acc=`` too, and its ``best=`` is the test accuracy
    at the epoch of the best validation accuracy. Only an epoch that trained the student can be
    the best: before one has (RID's warm-up, TED's stage 1), ``best=none``.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> record = {"epoch": 1, "phase": "student", "train_loss": 0.46, "train_acc": 0.11,
    ...           "train_losses": {"ce": 0.23, "kd": 0.23}, "test_acc": 0.1, "best_acc": 0.1,
    ...           "time_s": 1.0}
    >>> config = load_config(overrides=["method.name=kd", "run.epochs=2"])
    >>> epoch_line(record, config, {"ce": "0.1*ce"})
    '[kd] epoch 1/2 phase=student loss=0.4600 (0.1*ce=0.2300 kd=0.2300) train_acc=0.1100 \
test_acc=0.1000 best=0.1000 1.0s'
    >>> epoch_line({**record, "val_acc": 0.125}, config, {})[-47:]
    'test_acc=0.1000 val_acc=0.1250 best=0.1000 1.0s'
    >>> epoch_line({**record, "phase": "filter", "best_acc": None}, config, {})[-30:]
    'test_acc=0.1000 best=none 1.0s'
    """
    terms = " ".join(f"{labels.get(k, k)}={v:.4f}" for k, v in record["train_losses"].items())
    validation = f"val_acc={record['val_acc']:.4f} " if "val_acc" in record else ""
    best = "none" if record["best_acc"] is None else f"{record['best_acc']:.4f}"
    return (f"[{config.method.name}] epoch {record['epoch']}/{config.run.epochs} "
            f"phase={record['phase']} loss={record['train_loss']:.4f} ({terms}) "
            f"train_acc={record['train_acc']:.4f} test_acc={record['test_acc']:.4f} "
            f"{validation}best={best} {record['time_s']:.1f}s")


def pace_line(record: dict[str, Any], end: int, device: torch.device) -> str | None:
    """What the epochs left (to ``end``) take at the pace of ``record``'s, measured, where
    that is :data:`LONG_S` or more (a wide ResNet on CIFAR on the CPU: hours); else None.

    >>> pace_line({"epoch": 1, "time_s": 506.0}, 30, torch.device("cpu"))
    'epoch 1 took 8m26s on cpu: the 29 epochs left take about 4h04m at this pace'
    >>> pace_line({"epoch": 1, "time_s": 8.4}, 30, torch.device("cpu")) is None
    True
    """
    left = end - record["epoch"]
    if left * record["time_s"] < LONG_S:
        return None
    return (f"epoch {record['epoch']} took {duration(record['time_s'])} on {device.type}: the "
            f"{left} epoch{'s' * (left > 1)} left take about {duration(left * record['time_s'])} "
            "at this pace")


def duration(seconds: float) -> str:
    """``seconds`` as ``4h04m``, ``8m26s`` or ``12s`` (whole minutes or seconds, rounded down).

    >>> duration(14_640), duration(506), duration(12.4)
    ('4h04m', '8m26s', '12s')
    """
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
