"""VID: Ahn et al. (2019), "Variational Information Distillation for Knowledge Transfer".

Per distilled layer k a regressor ``mu_k`` maps the student's layer to a Gaussian mean for the
teacher's layer, with one learned variance per teacher channel. The loss is the Gaussian
negative log-likelihood (THEORY.md §4, the RID paper's eq. (44) with ``sigma_c^2 = var_c``)::

    L = CE(y, s) + lam * sum_k mean_{n,c,h,w} [ 0.5 log var_c + (T_chw - mu_chw(S))^2 / (2 var_c) ]

averaged (not summed) over batch, channels and positions, as the authors of both VID's
reference code and the RID paper's code (kd-rid) do; ``lam = 100`` is calibrated for that.
The constant ``0.5 log 2 pi`` is dropped.

Regressor: ``1x1 conv(Cs -> h) - BN - ReLU - 1x1 conv(h -> h) - BN - ReLU - 1x1 conv(h -> Ct)``
with ``h = hidden_factor * Ct`` (kd-rid's shape; ``Linear`` instead of 1x1 convolutions for
``(N, C)`` features). The variance is ``softplus(raw) + eps`` (always positive, no overflow),
initialised to ``init_variance``.
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
    batch_norm,
    channel_mean_square,
    channels_last,
    check_positive,
    inverse_softplus,
    layer_sum,
    pointwise,
    positive,
    trainable,
)
from pidkit_distill.models.features import features_of

__all__ = ["VID", "VIDParams", "vid_nll"]


def vid_nll(target: Tensor, mean: Tensor, variance: Tensor) -> Tensor:
    """Mean Gaussian NLL (without the constant): ``mean(0.5 log var + (t - mu)^2 / (2 var))``.

    ``variance`` is a ``(C,)`` vector broadcast over ``target`` of shape ``(N, C, ...)``.

    Examples
    --------
    >>> import torch
    >>> t = torch.zeros(2, 3, 4, 4)
    >>> float(vid_nll(t, t, torch.ones(3)))
    0.0
    """
    target, mean = at_least_float32(target), at_least_float32(mean)  # float32 under bf16 autocast
    var = at_least_float32(variance)
    # mean - target: the difference, hence the gradient, takes the layout of the regressor output
    return (0.5 * torch.log(var) + channel_mean_square(mean - target) / (2.0 * var)).mean()


@dataclasses.dataclass(frozen=True)
class VIDParams(Params):
    """VID hyper-parameters.

    Attributes
    ----------
    lam : float, default=100.0
        Weight of the summed per-layer NLL (the RID paper's Appendix C value).
    hidden_factor : int, default=2
        Regressor hidden width as a multiple of the teacher's channels (kd-rid uses 2).
    init_variance : float, default=5.0
        Initial per-channel variance (kd-rid: ``softplus(5) + 1e-3``, about 5.008).
    eps : float, default=1e-3
        Floor added to the softplus.
    """

    lam: float = 100.0
    hidden_factor: int = 2
    init_variance: float = 5.0
    eps: float = 1e-3

    def __post_init__(self) -> None:
        check_positive("lam", self.lam, allow_zero=True)
        check_positive("hidden_factor", self.hidden_factor)
        check_positive("eps", self.eps)
        if self.init_variance <= self.eps:  # either may be the one to change
            raise ConfigEntryError(
                f"init_variance must exceed eps={self.eps}; got {self.init_variance!r}.",
                self.init_variance, entries=("init_variance", "eps"))


def _regressor(cin: int, cout: int, hidden: int, spatial: bool) -> nn.Sequential:
    return nn.Sequential(
        pointwise(cin, hidden, spatial=spatial),
        batch_norm(hidden, spatial=spatial),
        nn.ReLU(inplace=True),
        pointwise(hidden, hidden, spatial=spatial),
        batch_norm(hidden, spatial=spatial),
        nn.ReLU(inplace=True),
        pointwise(hidden, cout, spatial=spatial),
    )


@register_method("vid")
class VID(Distiller):
    """Variational information distillation on every distilled layer pair.

    One optimizer group, ``"student"``: the student, the regressors and the raw variances.
    Loss keys: ``"ce"``, ``"vid"`` (already multiplied by ``lam``).

    Examples
    --------
    >>> import torch
    >>> from pidkit_distill.models import build_model
    >>> s = build_model("synthetic-student", num_classes=3, in_channels=4)
    >>> t = build_model("synthetic-teacher", num_classes=3, in_channels=4)
    >>> x, y = torch.randn(8, 4), torch.arange(8) % 3
    >>> vid = VID(s, t, sample_input=x, num_classes=3)
    >>> sorted(vid(x, y, epoch=0).losses)
    ['ce', 'vid']
    """

    Params = VIDParams
    params: VIDParams
    presets: ClassVar[dict[str, dict[str, Any]]] = {"paper": {}}  # the paper's setting
    default_preset = "paper"

    def __init__(self, student: nn.Module, teacher: nn.Module, **kw: Any) -> None:
        super().__init__(student, teacher, **kw)
        p = self.params
        regressors, raws = [], []
        for ts, ss in self.paired_shapes():
            spatial = len(ts) == 3
            regressors.append(_regressor(ss[0], ts[0], p.hidden_factor * ts[0], spatial))
            raw = inverse_softplus(p.init_variance - p.eps)
            raws.append(nn.Parameter(torch.full((ts[0],), raw)))
        self.regressors = nn.ModuleList(regressors)
        self.raw_variances = nn.ParameterList(raws)

    def variances(self) -> list[Tensor]:
        """Per-layer positive variances ``softplus(raw) + eps``, each of shape ``(Ct,)``."""
        return [positive(r, self.params.eps) for r in self.raw_variances]

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        """``{"student": student + regressors + raw variances}``."""
        return {"student": [*trainable(self.student, self.regressors), *self.raw_variances]}

    def loss_weights(self) -> dict[str, float]:
        """``{"vid": lam}``, the weight of the summed NLL (``"ce"`` is not weighted), by which the
        epoch line names it (:meth:`~pidkit_distill.methods.Distiller.loss_labels`)."""
        return {"vid": self.params.lam}

    def forward(self, x: Tensor, y: Tensor, *, epoch: int) -> StepOutput:
        """Student logits and ``{"ce": CE, "vid": lam * sum_k NLL_k}``."""
        self.phase(epoch)
        t_layers = self.teacher_features(x).layers
        s = features_of(self.student, x)
        nll = layer_sum(
            vid_nll(t, reg(channels_last(sk)), var)
            for t, sk, reg, var in zip(
                t_layers, s.layers, self.regressors, self.variances(), strict=True
            )
        )
        return StepOutput(s.logits, {
            "ce": F.cross_entropy(s.logits, y),
            "vid": self.params.lam * nll,
        })
