"""What the report says of a run whose loss term jumped (``loss_jumped`` in its metrics records:
:mod:`pidkit_distill.loss_jumps`) where the paragraph of the runs at chance does not say it
(:func:`~pidkit_distill.chance.chance_paragraph` tells a run that ended at chance that it
diverged): a line under the table of each run (:func:`loss_jump_note`), and, under the table of
the experiments run with several seeds, how many seeds of a group jumped
(:func:`seeds_jumped_note`), as their audit's flags are counted.

A run whose loss jumped and that still ended above chance trained through a divergence: its
accuracy and atoms may not be its method's, and train's warning of the jump scrolled away
with its epoch lines, so the report says it.
"""

from __future__ import annotations

from typing import Any

from pidkit_distill.run_folders.groups import RunGroup
from pidkit_distill.step_advice import step_size_advice

__all__ = ["loss_jump_note", "seeds_jumped_note"]


def loss_jump_note(name: str, metrics: list[dict[str, Any]]) -> str:
    """The line under the report's table of each run for the run ``name`` whose ``metrics``
    records say a loss term jumped (``loss_jumped``): each term, the ratio to its lowest earlier
    mean and the epoch it jumped at, and what to do
    (:func:`~pidkit_distill.step_advice.step_size_advice`, as the report words it, for the
    learning rate of the phase the first jump was in); ``""`` where no term jumped.

    Parameters
    ----------
    name : str
        The run's name in the table.
    metrics : list of dict
        The run's metrics records, oldest first.

    Returns
    -------
    str

    Examples
    --------
    >>> metrics = [{"epoch": 1, "phase": "student"},
    ...            {"epoch": 12, "phase": "student",
    ...             "loss_jumped": {"ce": {"epoch": 9, "mean": 0.2082, "ratio": 290.2}}},
    ...            {"epoch": 14, "phase": "student",
    ...             "loss_jumped": {"vid": {"epoch": 2, "mean": 3.0, "ratio": 1520.0}}}]
    >>> print(loss_jump_note("digits-vid-tt-s0", metrics))
    Loss jump: digits-vid-tt-s0's loss term ce rose to 290 times its lowest earlier mean at epoch \
12, and vid to 1,520 times at epoch 14 (train_losses in metrics.jsonl): its training diverged, \
and may not have recovered all it lost, so its accuracy and atoms may not be its method's; lower \
optim.lr, or optim.grad_clip (set it where it is 0, e.g. 100), then train it again.
    >>> loss_jump_note("bas", [{"epoch": 1, "phase": "student"}])
    ''
    """
    jumps = [(record, term, lowest) for record in metrics
             for term, lowest in record.get("loss_jumped", {}).items()]
    if not jumps:
        return ""
    (first, term, lowest), *later = jumps
    more = "".join(f", and {each} to {jumped['ratio']:,.0f} times at epoch {record['epoch']}"
                   for record, each, jumped in later)
    return (f"Loss jump: {name}'s loss term {term} rose to {lowest['ratio']:,.0f} times its "
            f"lowest earlier mean at epoch {first['epoch']}{more} (train_losses in "
            "metrics.jsonl): its training diverged, and may not have recovered all it lost, so "
            "its accuracy and atoms may not be its method's; "
            f"{step_size_advice(None, phase=first.get('phase'))}, then train it again.")


def seeds_jumped_note(group: RunGroup) -> str:
    """The line under the report's table of the experiments run with several seeds for
    ``group`` where a loss term of some of its seeds jumped (``loss_jumped`` in a seed's
    metrics records): how many of its seeds, and which (a seed's term and epoch), counted as
    the seeds' audit flags are; ``""`` where none jumped.

    Examples
    --------
    >>> from pathlib import Path
    >>> from pidkit_distill.report import RunRecords
    >>> def seed(name, jumped):
    ...     record = {"epoch": 7, **({"loss_jumped": {"kd": {"ratio": 240.0}}} if jumped else {})}
    ...     return RunRecords(name, Path(name), {}, [{"epoch": 1}, record], [])
    >>> print(seeds_jumped_note(RunGroup("kd", [seed("kd-s0", False), seed("kd-s1", True),
    ...                                         seed("kd-s2", False)])))
    kd: a loss term jumped in 1 of 3 seeds (kd-s1: kd at epoch 7), which the mean and standard \
deviation count; the notes under the table of each run say what to do.
    """
    jumped = []  # each seed whose loss jumped, with its first jump's term and epoch
    for run in group.runs:
        first = next((record for record in run.metrics if record.get("loss_jumped")), None)
        if first is not None:
            jumped.append(f"{run.name}: {next(iter(first['loss_jumped']))} at epoch "
                          f"{first['epoch']}")
    if not jumped:
        return ""
    return (f"{group.label}: a loss term jumped in {len(jumped)} of {len(group.runs)} seeds "
            f"({', '.join(jumped)}), which the mean and standard deviation count; the notes "
            "under the table of each run say what to do.")
