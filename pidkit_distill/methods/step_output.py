"""What a distiller's ``forward`` returns for one training step, :class:`StepOutput`: the
student's logits and the named, weighted loss terms whose sum the trainer back-propagates."""

from __future__ import annotations

import operator
from functools import reduce
from typing import NamedTuple

from torch import Tensor

__all__ = ["StepOutput"]


class StepOutput(NamedTuple):
    """What :meth:`Distiller.forward` returns.

    Attributes
    ----------
    logits : Tensor
        The student's logits ``(N, num_classes)`` (for training accuracy).
    losses : dict of str to Tensor
        Named scalar loss terms, each already weighted; the trainer back-propagates their sum.
        The keys double as log names.

    Examples
    --------
    >>> import torch
    >>> from pidkit_distill.methods import get_method
    >>> from pidkit_distill.models import build_model
    >>> _ = torch.manual_seed(0)
    >>> x, y = torch.randn(4, 1, 8, 8), torch.tensor([0, 1, 2, 3])
    >>> kd = get_method("kd")(build_model("digits-student", num_classes=10, in_channels=1),
    ...                       build_model("digits-teacher", num_classes=10, in_channels=1),
    ...                       sample_input=x, num_classes=10)
    >>> out = kd(x, y, epoch=0)
    >>> logits, losses = out
    >>> tuple(logits.shape), sorted(losses), losses["ce"].dim()
    ((4, 10), ['ce', 'kd'], 0)
    >>> bool(out.loss == losses["ce"] + losses["kd"])
    True
    """

    logits: Tensor
    losses: dict[str, Tensor]

    @property
    def loss(self) -> Tensor:
        """The sum of the loss terms: what the trainer back-propagates.

        Raises
        ------
        ValueError
            Where ``losses`` is empty.
        """
        if not self.losses:
            raise ValueError("StepOutput.losses is empty, so there is no loss to sum: return at "
                             "least one named term, e.g. StepOutput(logits, {'ce': loss})")
        return reduce(operator.add, self.losses.values())
