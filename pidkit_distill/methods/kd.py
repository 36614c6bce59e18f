"""KD: Hinton, Vinyals & Dean (2015), "Distilling the Knowledge in a Neural Network"."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from torch import Tensor, nn
from torch.nn import functional as F

from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.methods.base import Distiller, Params, StepOutput, register_method
from pidkit_distill.methods.blocks import check_positive

__all__ = ["KD", "KDParams", "kd_loss"]


def kd_loss(student_logits: Tensor, teacher_logits: Tensor, *, temperature: float) -> Tensor:
    """``T^2 * KL(softmax(t / T) || softmax(s / T))``, averaged over the batch.

    The ``T^2`` factor keeps gradient magnitudes comparable across temperatures.

    Examples
    --------
    >>> import torch
    >>> z = torch.randn(4, 3)
    >>> float(kd_loss(z, z, temperature=4.0))
    0.0
    """
    log_p_s = F.log_softmax(student_logits / temperature, dim=1)
    log_p_t = F.log_softmax(teacher_logits / temperature, dim=1)
    kl = F.kl_div(log_p_s, log_p_t, reduction="batchmean", log_target=True)
    return kl * temperature**2


@dataclasses.dataclass(frozen=True)
class KDParams(Params):
    """KD hyper-parameters.

    Attributes
    ----------
    temperature : float, default=4.0
        Softmax temperature T.
    alpha : float, default=0.9
        Weight of the distillation term; the cross-entropy gets ``1 - alpha``.
    """

    temperature: float = 4.0
    alpha: float = 0.9

    def __post_init__(self) -> None:
        check_positive("temperature", self.temperature)
        check_positive("alpha", self.alpha, allow_zero=True)
        if self.alpha > 1:
            raise ConfigEntryError(f"alpha must be in [0, 1]; got {self.alpha!r}.", self.alpha,
                                   entries=("alpha",))


@register_method("kd")
class KD(Distiller):
    """Hinton KD: ``L = (1 - alpha) CE(y, s) + alpha T^2 KL(p_t^T || p_s^T)``.

    The teacher must output the task's ``num_classes`` logits. One optimizer group,
    ``"student"``. Loss keys: ``"ce"``, ``"kd"`` (both weighted, as ``metrics.jsonl`` records
    them; the epoch line names them with their weights, :meth:`loss_weights`).

    Examples
    --------
    >>> import torch
    >>> from pidkit_distill.models import build_model
    >>> s = build_model("synthetic-student", num_classes=3, in_channels=4)
    >>> t = build_model("synthetic-teacher", num_classes=3, in_channels=4)
    >>> x, y = torch.randn(8, 4), torch.arange(8) % 3
    >>> sorted(KD(s, t, sample_input=x, num_classes=3)(x, y, epoch=0).losses)
    ['ce', 'kd']
    """

    Params = KDParams
    params: KDParams
    presets: ClassVar[dict[str, dict[str, Any]]] = {"paper": {}}  # the paper's setting
    default_preset = "paper"

    def __init__(self, student: nn.Module, teacher: nn.Module, **kw: Any) -> None:
        super().__init__(student, teacher, **kw)
        if self.teacher_num_logits != self.num_classes:
            raise ValueError(
                f"kd matches output distributions, but the teacher outputs "
                f"{self.teacher_num_logits} logits and the task has {self.num_classes} classes; "
                "use a teacher trained on the same label set."
            )

    def loss_weights(self) -> dict[str, float]:
        """``{"ce": 1 - alpha, "kd": alpha}``: the epoch line prints ``0.1*ce`` at alpha 0.9
        (:meth:`~pidkit_distill.methods.Distiller.loss_labels`), so that the (1 - alpha) CE of a
        student at chance (2.30 nats for 10 classes, 0.230 at alpha 0.9) does not read as a
        fitted one.

        Examples
        --------
        >>> import torch
        >>> from pidkit_distill.models import build_model
        >>> s = build_model("synthetic-student", num_classes=3, in_channels=4)
        >>> t = build_model("synthetic-teacher", num_classes=3, in_channels=4)
        >>> KD(s, t, sample_input=torch.randn(2, 4), num_classes=3).loss_labels()
        {'ce': '0.1*ce', 'kd': '0.9*kd'}
        """
        return {"ce": 1.0 - self.params.alpha, "kd": self.params.alpha}

    def forward(self, x: Tensor, y: Tensor, *, epoch: int) -> StepOutput:
        """Student logits and ``{"ce": (1-alpha) CE, "kd": alpha T^2 KL}``."""
        self.phase(epoch)
        p = self.params
        teacher_logits = self.teacher_features(x).logits
        logits = self.student(x)
        return StepOutput(logits, {
            "ce": (1.0 - p.alpha) * F.cross_entropy(logits, y),
            "kd": p.alpha * kd_loss(logits, teacher_logits, temperature=p.temperature),
        })
