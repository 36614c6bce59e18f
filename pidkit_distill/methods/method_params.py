"""The parameters of a distillation method: :class:`Params`, the frozen dataclass that each
method's parameters extend and that owns its schedule, and :func:`scale_epochs`, which shortens a
schedule's epoch counts for a shorter run.

:class:`Params` is public as ``pidkit_distill.methods.Params``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

from pidkit_distill.methods.blocks import check_epoch

__all__ = ["Params", "scale_epochs"]


@dataclasses.dataclass(frozen=True)
class Params:
    """Hyper-parameters of a method (a frozen dataclass; subclasses add fields).

    The parameters also own the method's *schedule*: which optimizer group trains at each
    epoch. Single-group methods train ``"student"`` every epoch. Methods whose groups take
    turns (RID, TED) override :meth:`phase`, list the epoch counts that define the schedule
    in ``schedule_fields`` and shorten them for a shorter run in :meth:`scaled_to`.

    Attributes
    ----------
    schedule_fields : tuple of str
        Class attribute: names of the fields that are epoch counts of the schedule.
    schedule_run_epochs : int
        Class attribute: length of the run the defaults of ``schedule_fields`` were chosen
        for (the RID paper's 300 epochs).

    Examples
    --------
    >>> from pidkit_distill.methods import get_method
    >>> rid = get_method("rid").make_params()
    >>> rid.schedule_fields, rid.student_epochs(300), rid.student_epochs(30)
    (('warmup_epochs', 'cycle_epochs'), 207, 0)
    >>> short = rid.scaled_to(30)
    >>> (short.warmup_epochs, short.cycle_epochs), short.student_epochs(30)
    ((3, 4), 20)
    """

    schedule_fields: ClassVar[tuple[str, ...]] = ()
    schedule_run_epochs: ClassVar[int] = 300

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (for configs and logs)."""
        return dataclasses.asdict(self)

    def phase(self, epoch: int) -> str:
        """The optimizer group trained at 0-based ``epoch``; ``"student"`` unless overridden."""
        check_epoch(epoch)
        return "student"

    def student_epochs(self, epochs: int) -> int:
        """How many of the first ``epochs`` epochs train the ``"student"`` group."""
        return sum(self.phase(epoch) == "student" for epoch in range(epochs))

    def scaled_to(self, epochs: int) -> Params:
        """These parameters with the schedule shortened for a run of ``epochs`` epochs.

        The base class has no schedule and returns ``self``; see :meth:`RIDParams.scaled_to
        <pidkit_distill.methods.rid.RIDParams.scaled_to>` and ``TEDParams.scaled_to``.
        """
        return self


def scale_epochs(value: int, epochs: int, run_epochs: int, *, minimum: int = 0) -> int:
    """``value`` epochs of a ``run_epochs`` run, rescaled to a run of ``epochs`` (rounded).

    The result keeps the same share of the run (half-way cases round up) and is at least
    ``minimum``, or 0 when ``value`` is 0.

    Examples
    --------
    >>> scale_epochs(30, 30, 300), scale_epochs(30, 4, 300), scale_epochs(30, 4, 300, minimum=1)
    (3, 0, 1)
    """
    if value == 0:
        return 0
    return max(minimum, math.floor(value * epochs / run_epochs + 0.5))
