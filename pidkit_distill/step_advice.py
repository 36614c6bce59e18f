"""The advice for a training that diverges: a lower learning rate or a gradient clip, worded
once for every message that gives it (a NaN loss, a loss term that jumps, a fall to chance).

Examples
--------
>>> step_size_advice(100.0)
'lower optim.lr or optim.grad_clip (now 100)'
>>> step_size_advice(0.0, lr=3.0)
'lower optim.lr (now 3) or set optim.grad_clip (e.g. 100)'
"""

from __future__ import annotations

__all__ = ["step_size_advice"]


def step_size_advice(grad_clip: float | None, *, lr: float | None = None,
                     phase: str | None = None) -> str:
    """Lower the learning rate (``teacher.lr`` where ``phase``, an epoch record's, is that of a
    teacher's run, else ``optim.lr``), or clip the
    gradients harder: ``optim.grad_clip`` lowered where it is ``grad_clip`` > 0, set where it is 0
    (the run clips none), and either where it is not known (``None``: the report, which reads
    records, not the configuration). ``lr``, where given, is said as the value now.

    Examples
    --------
    >>> step_size_advice(None)
    'lower optim.lr, or optim.grad_clip (set it where it is 0, e.g. 100)'
    >>> step_size_advice(100.0, lr=0.05, phase="teacher")
    'lower teacher.lr (now 0.05) or optim.grad_clip (now 100)'
    """
    lr_key = "teacher.lr" if phase == "teacher" else "optim.lr"
    rate = f"lower {lr_key}" + (f" (now {lr:g})" if lr is not None else "")
    if grad_clip is None:
        return f"{rate}, or optim.grad_clip (set it where it is 0, e.g. 100)"
    if grad_clip > 0:
        return f"{rate} or optim.grad_clip (now {grad_clip:g})"
    return f"{rate} or set optim.grad_clip (e.g. 100)"
