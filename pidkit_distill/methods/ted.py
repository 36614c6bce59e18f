"""TED: task-aware layer-wise distillation (Liang et al., ICML 2023), as the RID paper uses it.

TED fine-tunes an already trained BAS student (``TED.student_init == "bas"``: the trainer
loads the BAS student's weights before building the distiller). Per distilled layer pair k:

* teacher filter ``f_t``: ``1x1 conv(Ct -> Ct) - BN - ReLU - 1x1 conv(Ct -> Cs)``;
* student filter ``f_s``: ``1x1 conv(Cs -> Cs) - BN - ReLU - 1x1 conv(Cs -> Cs)``;
* task heads ``g_t``, ``g_s``: global average pooling then ``Linear(Cs -> num_classes)``
  (``Linear`` replaces the 1x1 convolutions, and there is no pooling, for ``(N, C)`` features).

Stage 1 (epochs ``< stage1_epochs``, group ``"filter"``; 30 of the RID paper's 300 epochs,
shortened in proportion for a shorter run by :meth:`TEDParams.scaled_to`): teacher and
student both frozen;
the filters learn the task through their heads::

    L1 = sum_k [ CE(y, g_t(f_t(T_k))) + CE(y, g_s(f_s(S_k))) ]

Stage 2 (group ``"student"``): the heads are dropped, the teacher filter is frozen, and the
student and its filter are trained on::

    L2 = CE(y, s) + weight * sum_k mean_{n,c,h,w} (f_t(T_k) - f_s(S_k))^2

The student filter ``f_s`` is trained in both stages, so it belongs to both optimizer groups
(``"filter"`` and ``"student"``), each with its own optimizer state, as in TED's and kd-rid's
code. It is the only parameter shared between groups (``shared_parameters``).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.methods.base import Distiller, Params, StepOutput, register_method
from pidkit_distill.methods.blocks import (
    at_least_float32,
    channels_last,
    check_choice,
    check_epoch,
    check_positive,
    eval_mode,
    filter_net,
    layer_sum,
    trainable,
)
from pidkit_distill.methods.method_params import scale_epochs
from pidkit_distill.models.features import features_of

__all__ = ["TED", "TEDParams", "ted_loss"]


def ted_loss(teacher_filtered: Tensor, student_filtered: Tensor) -> Tensor:
    """Mean squared difference of the filtered representations.

    Examples
    --------
    >>> import torch
    >>> float(ted_loss(torch.ones(2, 3), torch.zeros(2, 3)))
    1.0
    """
    return F.mse_loss(at_least_float32(teacher_filtered), at_least_float32(student_filtered))


@dataclasses.dataclass(frozen=True)
class TEDParams(Params):
    """TED hyper-parameters.

    Attributes
    ----------
    stage1_epochs : int, default=30
        Epochs of stage 1 (filter training) before stage 2 (the value for a 300-epoch run).
    weight : float, default=1.0
        Weight of the layer-wise distance in stage 2 (the RID paper's eq. (46) has none).
    freeze_bn_stats : bool, default=True
        Run frozen parts (the student in stage 1, ``f_t`` in stage 2) in eval mode.
    """

    schedule_fields: ClassVar[tuple[str, ...]] = ("stage1_epochs",)

    stage1_epochs: int = 30
    weight: float = 1.0
    freeze_bn_stats: bool = True

    def __post_init__(self) -> None:
        if (
            isinstance(self.stage1_epochs, bool)
            or not isinstance(self.stage1_epochs, int)
            or self.stage1_epochs < 0
        ):
            raise ConfigEntryError(f"stage1_epochs must be an int >= 0; got "
                                   f"{self.stage1_epochs!r}.", self.stage1_epochs,
                                   entries=("stage1_epochs",))
        check_positive("weight", self.weight, allow_zero=True)
        check_choice("freeze_bn_stats", self.freeze_bn_stats, (True, False))

    def phase(self, epoch: int) -> str:
        """``"filter"`` for ``epoch < stage1_epochs``, then ``"student"``."""
        check_epoch(epoch)
        return "filter" if epoch < self.stage1_epochs else "student"

    def scaled_to(self, epochs: int) -> TEDParams:
        """Stage 1 shrunk in proportion to a run of ``epochs`` epochs (at least one epoch).

        Examples
        --------
        >>> TEDParams().scaled_to(30).stage1_epochs, TEDParams().scaled_to(300).stage1_epochs
        (3, 30)
        """
        if epochs >= self.schedule_run_epochs:
            return self
        stage1 = scale_epochs(self.stage1_epochs, epochs, self.schedule_run_epochs, minimum=1)
        return dataclasses.replace(self, stage1_epochs=stage1)


class _Head(nn.Module):
    def __init__(self, channels: int, num_classes: int) -> None:
        super().__init__()
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(x.mean(tuple(range(2, x.dim()))) if x.dim() > 2 else x)


@register_method("ted")
class TED(Distiller):
    """Two-stage task-aware layer-wise distillation, fine-tuning a BAS student.

    Loss keys: stage 1 ``"teacher_filter_ce"``, ``"student_filter_ce"``; stage 2 ``"ce"``,
    ``"ted"`` (times ``weight``).

    Examples
    --------
    >>> import torch
    >>> from pidkit_distill.models import build_model
    >>> s = build_model("synthetic-student", num_classes=3, in_channels=4)
    >>> t = build_model("synthetic-teacher", num_classes=3, in_channels=4)
    >>> x, y = torch.randn(8, 4), torch.arange(8) % 3
    >>> ted = TED(s, t, sample_input=x, num_classes=3, stage1_epochs=2)
    >>> [ted.phase(e) for e in range(4)]
    ['filter', 'filter', 'student', 'student']
    """

    Params = TEDParams
    params: TEDParams
    presets: ClassVar[dict[str, dict[str, Any]]] = {"paper": {}}  # the paper's setting
    default_preset = "paper"
    student_init = "bas"

    def __init__(self, student: nn.Module, teacher: nn.Module, **kw: Any) -> None:
        super().__init__(student, teacher, **kw)
        t_filters, s_filters, t_heads, s_heads = [], [], [], []
        for ts, ss in self.paired_shapes():
            spatial = len(ts) == 3
            ct, cs = ts[0], ss[0]
            t_filters.append(filter_net(ct, ct, cs, spatial=spatial))
            s_filters.append(filter_net(cs, cs, cs, spatial=spatial))
            t_heads.append(_Head(cs, self.num_classes))
            s_heads.append(_Head(cs, self.num_classes))
        self.teacher_filters = nn.ModuleList(t_filters)
        self.student_filters = nn.ModuleList(s_filters)
        self.teacher_heads = nn.ModuleList(t_heads)
        self.student_heads = nn.ModuleList(s_heads)

    def shared_parameters(self) -> list[nn.Parameter]:
        """Parameters in both groups: the student filters'."""
        return trainable(self.student_filters)

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        """``{"filter": f_t + g_t + f_s + g_s, "student": student + f_s}``."""
        return {
            "filter": trainable(
                self.teacher_filters, self.teacher_heads, self.student_filters, self.student_heads
            ),
            "student": trainable(self.student, self.student_filters),
        }

    def loss_weights(self) -> dict[str, float]:
        """``{"ted": weight}``, the weight of stage 2's distance (the other terms are not
        weighted), by which the epoch line names it
        (:meth:`~pidkit_distill.methods.Distiller.loss_labels`)."""
        return {"ted": self.params.weight}

    def forward(self, x: Tensor, y: Tensor, *, epoch: int) -> StepOutput:
        """Student logits and the loss terms of the current stage (see the class doc)."""
        p = self.params
        t_layers = [channels_last(t) for t in self.teacher_features(x).layers]
        if self.phase(epoch) == "filter":
            with torch.no_grad(), eval_mode(self.student, enabled=p.freeze_bn_stats):
                s = features_of(self.student, x)
            t_ce = layer_sum(
                F.cross_entropy(g(f(t)), y)
                for f, g, t in zip(self.teacher_filters, self.teacher_heads, t_layers, strict=True)
            )
            s_ce = layer_sum(
                F.cross_entropy(g(f(channels_last(t))), y)
                for f, g, t in zip(self.student_filters, self.student_heads, s.layers, strict=True)
            )
            return StepOutput(s.logits, {"teacher_filter_ce": t_ce, "student_filter_ce": s_ce})
        with torch.no_grad(), eval_mode(self.teacher_filters, enabled=p.freeze_bn_stats):
            ft = [f(t) for f, t in zip(self.teacher_filters, t_layers, strict=True)]
        s = features_of(self.student, x)
        distance = layer_sum(
            ted_loss(a, f(channels_last(b)))
            for a, f, b in zip(ft, self.student_filters, s.layers, strict=True)
        )
        return StepOutput(s.logits, {
            "ce": F.cross_entropy(s.logits, y),
            "ted": p.weight * distance,
        })
