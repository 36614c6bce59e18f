"""ITRD: Information Theoretic Representation Distillation (Miles et al., BMVC 2022).

Two losses on the penultimate ("pooled") features, the student's passed through a linear embedding
to the teacher's width:

* the correlation loss (paper eq. 6) drives every feature dimension of the embedded student to be
  perfectly correlated with the same dimension of the teacher across the batch;
* the mutual-information loss (paper eq. 9 without the logs, as the paper settles on and as its
  Algorithm 1 computes) transfers the intra-batch similarity structure of the teacher.

The total loss is ``CE + beta_corr * L_corr + beta_mi * L_mi`` (paper eq. 10).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from pidkit_distill.methods.base import Distiller, Params, StepOutput, register_method
from pidkit_distill.methods.blocks import at_least_float32, check_positive, trainable
from pidkit_distill.models.features import features_of

__all__ = [
    "ITRD",
    "ITRDParams",
    "itrd_correlation_loss",
    "itrd_mutual_information_loss",
]

_STD_EPS = 1e-8


def _check_pair(zs: Tensor, zt: Tensor) -> None:
    for name, z in (("zs", zs), ("zt", zt)):
        if not isinstance(z, Tensor):
            raise TypeError(
                f"{name} must be a torch.Tensor of shape (n, d); got {type(z).__name__}."
            )
        if z.dim() != 2:
            raise ValueError(
                f"{name} must be 2-D (n, d); got shape {tuple(z.shape)}. Flatten or pool the "
                "features first (ITRD works on the penultimate vector)."
            )
    if zs.shape != zt.shape:
        raise ValueError(
            f"zs and zt must have the same shape (embed the student to the teacher's width first); "
            f"got zs {tuple(zs.shape)} and zt {tuple(zt.shape)}."
        )
    if zs.shape[0] < 2:
        raise ValueError(
            f"ITRD needs a batch of at least 2 samples to standardise over; got n={zs.shape[0]}. "
            "Use a larger batch (drop_last=True avoids a final batch of 1)."
        )


def itrd_correlation_loss(zs: Tensor, zt: Tensor, *, alpha: float = 1.01) -> Tensor:
    r"""ITRD correlation loss ``log2 sum_i |c_i - 1|^(2 alpha)`` (Miles et al. 2022, eq. 6).

    Each feature dimension is standardised over the batch (mean 0, unbiased standard deviation 1,
    as in the authors' code), and ``c_i = sum_b zs_norm[b, i] * zt_norm[b, i] / n`` is the
    per-dimension cross-correlation. With the unbiased standard deviation ``c_i = (n-1)/n * rho_i``
    where ``rho_i`` is Pearson's correlation, so ``|c_i - 1| >= 1/n`` and the loss is bounded below
    by ``log2(d) - 2 * alpha * log2(n)``, reached exactly when every embedded student dimension is
    an increasing affine function of the teacher's (``rho_i = 1`` for all ``i``).

    Parameters
    ----------
    zs : Tensor, shape (n, d)
        Student representations, already embedded to the teacher's width ``d``.
    zt : Tensor, shape (n, d)
        Teacher representations (detached; the teacher is frozen).
    alpha : float, default=1.01
        Exponent generalising the squared distance; the paper uses 1.01 for same-family pairs and
        1.50 for cross-architecture pairs. Must be positive.

    Returns
    -------
    Tensor
        Scalar loss (float32, or float64 for float64 input), differentiable with respect to ``zs``.

    Raises
    ------
    ValueError
        If the shapes differ, are not 2-D, ``n < 2``, or ``alpha <= 0``.

    Examples
    --------
    >>> import math, torch
    >>> z = torch.randn(16, 4, generator=torch.Generator().manual_seed(0))
    >>> loss = itrd_correlation_loss(2 * z + 1, z, alpha=1.0)
    >>> bool(abs(loss.item() - (math.log2(4) - 2 * math.log2(16))) < 1e-4)
    True
    """
    _check_pair(zs, zt)
    if not isinstance(alpha, (int, float)) or isinstance(alpha, bool) or not alpha > 0:
        raise ValueError(f"alpha must be a positive number (paper: 1.01 or 1.5); got {alpha!r}.")
    zs, zt = at_least_float32(zs), at_least_float32(zt)
    n = zs.shape[0]
    zs_norm = (zs - zs.mean(0)) / torch.sqrt(zs.var(0) + _STD_EPS)
    zt_norm = (zt - zt.mean(0)) / torch.sqrt(zt.var(0) + _STD_EPS)
    c = (zs_norm * zt_norm).sum(0) / n
    return torch.log2((c - 1.0).abs().pow(2.0 * alpha).sum())


def itrd_mutual_information_loss(zs: Tensor, zt: Tensor) -> Tensor:
    r"""ITRD mutual-information loss ``sum(G_s**2 - G_st**2)`` (Miles et al. 2022, eq. 9, no logs).

    Rows are L2-normalised, ``K = zs zs^T`` and ``M = zt zt^T`` are the degree-1 polynomial
    (cosine) Gram matrices, ``G_s = K / tr K`` and ``G_st = (K * M) / tr(K * M)`` (``*`` is the
    Hadamard product).
    For non-zero rows both traces equal ``n`` and the loss is
    ``sum_{i != j} K_ij**2 * (1 - M_ij**2) / n**2``: non-negative, zero exactly when the student's
    cosine similarities vanish wherever the teacher's are not +-1. So a student equal to the teacher
    is a global minimiser only when the teacher's similarities are all 0 or +-1 (for example
    class prototypes); for a general teacher this term alone prefers a less similar student. This
    is the paper's loss as written; it is used together with the correlation loss.

    Parameters
    ----------
    zs : Tensor, shape (n, d)
        Student representations (embedded to the teacher's width when the widths differ).
    zt : Tensor, shape (n, d)
        Teacher representations.

    Returns
    -------
    Tensor
        Scalar loss (float32, or float64 for float64 input), differentiable with respect to ``zs``.

    Examples
    --------
    >>> import torch
    >>> zt = torch.eye(4).repeat(2, 1)  # two samples per class, orthogonal prototypes
    >>> float(itrd_mutual_information_loss(zt.clone(), zt))
    0.0
    """
    _check_pair(zs, zt)
    zs_unit = F.normalize(at_least_float32(zs), dim=1)
    zt_unit = F.normalize(at_least_float32(zt), dim=1)
    gram_s = zs_unit @ zs_unit.T
    gram_t = zt_unit @ zt_unit.T
    gram_st = gram_s * gram_t
    tiny = torch.finfo(gram_s.dtype).tiny
    gram_s = gram_s / torch.trace(gram_s).clamp_min(tiny)
    gram_st = gram_st / torch.trace(gram_st).clamp_min(tiny)
    return (gram_s.pow(2) - gram_st.pow(2)).sum()


@dataclasses.dataclass(frozen=True)
class ITRDParams(Params):
    """ITRD hyper-parameters (defaults: the paper's CIFAR-100 settings, Section 5.1).

    Attributes
    ----------
    beta_corr : float, default=2.0
        Weight of the correlation loss.
    beta_mi : float, default=1.0
        Weight of the mutual-information loss (0 gives the paper's ``L_corr``-only variant).
    alpha : float, default=1.01
        Exponent of the correlation loss: 1.01 for same-family pairs (the ``"paper"`` preset;
        every pair in pidkit_distill is one), 1.50 for cross-architecture pairs (the
        ``"cross-architecture"`` preset).
    """

    beta_corr: float = 2.0
    beta_mi: float = 1.0
    alpha: float = 1.01

    def __post_init__(self) -> None:
        check_positive("beta_corr", self.beta_corr, allow_zero=True)
        check_positive("beta_mi", self.beta_mi, allow_zero=True)
        check_positive("alpha", self.alpha)


@register_method("itrd")
class ITRD(Distiller):
    """Information Theoretic Representation Distillation on the penultimate features.

    ``L = CE(y, s) + beta_corr * L_corr(embed(z_s), z_t) + beta_mi * L_mi(z_s', z_t)`` where
    ``z`` is each network's pooled vector, ``embed`` a linear layer from the student's width to
    the teacher's, and ``z_s'`` is ``embed(z_s)`` when the widths differ and ``z_s`` otherwise
    (the paper shares the embedding with the MI loss only on a width mismatch). One optimizer
    group, ``"student"``: the student and the embedding. Loss keys: ``"ce"``, ``"corr"``,
    ``"mi"`` (weighted; a term with weight 0 is omitted). ``"corr"`` is a log2 and is negative
    once the features correlate; its minimum is ``beta_corr * (log2(d) - 2 alpha log2(n))``.
    A batch of one sample (a loader's last batch) has no batch statistics: only the
    cross-entropy is returned for it.

    Examples
    --------
    >>> import torch
    >>> from pidkit_distill.models import build_model
    >>> s = build_model("synthetic-student", num_classes=3, in_channels=4)
    >>> t = build_model("synthetic-teacher", num_classes=3, in_channels=4)
    >>> x, y = torch.randn(8, 4), torch.arange(8) % 3
    >>> itrd = ITRD(s, t, sample_input=x, num_classes=3)
    >>> sorted(itrd(x, y, epoch=0).losses), itrd.embed
    (['ce', 'corr', 'mi'], Linear(in_features=8, out_features=128, bias=True))
    """

    Params = ITRDParams
    params: ITRDParams
    default_preset = "paper"
    presets: ClassVar[dict[str, dict[str, Any]]] = {
        "paper": {},
        "cross-architecture": {"alpha": 1.5},
    }

    def __init__(self, student: nn.Module, teacher: nn.Module, **kw: Any) -> None:
        super().__init__(student, teacher, **kw)
        self.embed = nn.Linear(self.student_pooled_dim, self.teacher_pooled_dim)

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        """``{"student": student + embedding}``."""
        return {"student": trainable(self.student, self.embed)}

    def loss_weights(self) -> dict[str, float]:
        """``{"corr": beta_corr, "mi": beta_mi}`` (``"ce"`` is not weighted), by which the epoch
        line names the terms (:meth:`~pidkit_distill.methods.Distiller.loss_labels`)."""
        return {"corr": self.params.beta_corr, "mi": self.params.beta_mi}

    def forward(self, x: Tensor, y: Tensor, *, epoch: int) -> StepOutput:
        """Student logits and ``{"ce": CE, "corr": beta_corr L_corr, "mi": beta_mi L_mi}``."""
        self.phase(epoch)
        p = self.params
        s = features_of(self.student, x)
        losses = {"ce": F.cross_entropy(s.logits, y)}
        if x.shape[0] < 2:  # batch statistics are undefined for one sample
            return StepOutput(s.logits, losses)
        zt = self.teacher_features(x).pooled
        zs = self.embed(s.pooled)
        if p.beta_corr > 0:
            losses["corr"] = p.beta_corr * itrd_correlation_loss(zs, zt, alpha=p.alpha)
        if p.beta_mi > 0:
            mi_input = zs if self.student_pooled_dim != self.teacher_pooled_dim else s.pooled
            losses["mi"] = p.beta_mi * itrd_mutual_information_loss(mi_input, zt)
        return StepOutput(s.logits, losses)
