"""BAS: the student trained with cross-entropy alone (the no-distillation baseline)."""

from __future__ import annotations

from typing import Any, ClassVar

from torch import Tensor
from torch.nn import functional as F

from pidkit_distill.methods.base import Distiller, StepOutput, register_method

__all__ = ["BAS"]


@register_method("bas")
class BAS(Distiller):
    """Baseline: ``L = CE(y, student(x))``; the teacher is never run.

    Parameters are those of :class:`~pidkit_distill.Distiller`; BAS has no hyper-parameters of
    its own. One optimizer group, ``"student"``.

    Examples
    --------
    >>> import torch
    >>> from pidkit_distill.models import build_model
    >>> s = build_model("synthetic-student", num_classes=3, in_channels=4)
    >>> t = build_model("synthetic-teacher", num_classes=3, in_channels=4)
    >>> x, y = torch.randn(8, 4), torch.arange(8) % 3
    >>> out = BAS(s, t, sample_input=x, num_classes=3)(x, y, epoch=0)
    >>> sorted(out.losses)
    ['ce']
    """

    presets: ClassVar[dict[str, dict[str, Any]]] = {"paper": {}}  # the paper's setting
    default_preset = "paper"

    def forward(self, x: Tensor, y: Tensor, *, epoch: int) -> StepOutput:
        """Student logits and ``{"ce": CE}``."""
        self.phase(epoch)
        logits = self.student(x)
        return StepOutput(logits, {"ce": F.cross_entropy(logits, y)})
