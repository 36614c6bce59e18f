"""RID: Redundant Information Distillation (Dissanayake et al., AISTATS 2025, Algorithm 1).

Per distilled layer pair k (teacher ``T_k`` with ``Ct`` channels, student ``S_k`` with ``Cs``):

* teacher filter ``f_t``: ``1x1 conv(Ct -> Ct) - BN - ReLU - 1x1 conv(Ct -> Cs)``;
* student filter ``f_s``: ``1x1 conv(Cs -> h) - BN - ReLU - 1x1 conv(h -> Cs)``,
  ``h = student_filter_hidden_factor * Cs``;
* teacher head ``g_t``: ``Flatten - (ReLU if head_relu) - Linear(Cs*H*W -> num_classes)``;
* ``sigma_k``: one positive weight per filter-output channel,
  ``sigma = softplus(raw) + sigma_eps`` (strictly positive; ``F.softplus`` does not overflow).

(``Linear`` replaces the 1x1 convolutions for ``(N, C)`` features.) With ``V = f_t(T) - f_s(S)``:

* **warm-up** (group ``"filter"``): ``sum_k CE(y, g_t(f_t(T_k)))``;
* **phase 1** (group ``"filter"``: ``f_t``, ``g_t``; student, ``f_s`` and ``sigma`` frozen):
  ``sum_k [ CE(y, g_t(f_t(T_k))) + D(V_k; sigma_k) ]`` with ``D = red(V^2 / sigma_c)``;
* **phase 2** (group ``"student"``: student, ``f_s``, ``sigma``; ``f_t`` frozen):
  ``lambda1 CE(y, s) + lambda2 sum_k [ P(sigma_k) + D(V_k; sigma_k) ]``.

``red`` is the ``reduction``: ``"sum"`` sums over channels and positions and averages over the
batch (the paper's eqs. (11) and (13): ``||sigma||^2 + sum_chw E[V^2 / sigma_c]``);
``"mean"`` averages over batch, channels and positions, so ``P = mean_c sigma_c^2`` (kd-rid's
``mean(var**2 + d**2 / var)``). Frozen parts run under ``torch.no_grad()``, so a backward pass
reaches only the parameters of the phase's group; with ``freeze_bn_stats=True`` they also run
in eval mode, so their BatchNorm statistics do not move either. A stage computes only what its
loss uses: the warm-up runs the student (for its logits) but not the student filters, so with
``freeze_bn_stats=False`` their BatchNorm statistics start moving in phase 1 (kd-rid computes
the filters in its warm-up and multiplies their term by 0; the statistics are not read while
the filters run in train mode).

Schedule (epochs are 0-based; :meth:`RIDParams.stage`): with ``warmup="epochs"`` (the paper)
the first ``warmup_epochs`` (n_w) epochs are warm-up, then cycles of ``cycle_epochs`` (q) epochs
each start with ``n1`` phase-1 epochs followed by phase 2, where ``n1 = floor(r q)`` or
``ceil(r q)`` (``phase1_rounding``; ``r = filter_ratio``). With ``warmup="first-cycle"``
(kd-rid) there are no separate warm-up epochs: the phase-1 epochs of cycle 0 are the warm-up.
The defaults (n_w = q = 30) are the paper's for a 300-epoch run; :meth:`RIDParams.scaled_to`
shortens them in proportion for a shorter run (the trainer does so, with a notice, when the
schedule would leave the student fewer than half the run's epochs).

Presets: ``"paper-mean"`` (the default: the paper's equations with ``reduction="mean"``),
``"paper"`` (the paper's equations, literally summed: the summed terms' curvature grows with
``C*H*W`` and diverges at the paper's lr 0.05 without clipping, on small nets and on the
paper's WRN pair alike) and ``"kd-rid"`` (what the authors' code does). Every difference is
listed in ``docs/rid-presets.md``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.methods.base import Distiller, Params, StepOutput, register_method
from pidkit_distill.methods.blocks import (
    at_least_float32,
    channel_mean_square,
    channels_last,
    check_choice,
    check_epoch,
    check_positive,
    eval_mode,
    filter_net,
    inverse_softplus,
    layer_sum,
    positive,
    trainable,
)
from pidkit_distill.methods.method_params import scale_epochs
from pidkit_distill.models.features import features_of

__all__ = ["RID", "RIDParams", "rid_distance", "rid_sigma_penalty"]


def rid_distance(v: Tensor, sigma: Tensor, *, reduction: str) -> Tensor:
    """The sigma-weighted squared distance ``red(V^2 / sigma_c)`` of ``V`` ``(N, C, ...)``.

    Examples
    --------
    >>> import torch
    >>> v = torch.ones(2, 3, 4, 4)
    >>> float(rid_distance(v, torch.full((3,), 2.0), reduction="sum"))
    24.0
    >>> float(rid_distance(v, torch.full((3,), 2.0), reduction="mean"))
    0.5
    """
    v = at_least_float32(v)  # accumulate in float32 under bf16 autocast
    weighted = channel_mean_square(v) / at_least_float32(sigma)
    if reduction == "sum":  # sum over C, H, W of the per-sample values = positions * sum_c
        return weighted.sum() * v[0, 0].numel()
    if reduction == "mean":
        return weighted.mean()
    raise ValueError(f"reduction must be 'sum' or 'mean'; got {reduction!r}.")


def rid_sigma_penalty(sigma: Tensor, *, reduction: str) -> Tensor:
    """``||sigma||^2`` for ``reduction="sum"``, ``mean_c sigma_c^2`` for ``"mean"``.

    Examples
    --------
    >>> import torch
    >>> float(rid_sigma_penalty(torch.tensor([1.0, 3.0]), reduction="sum"))
    10.0
    >>> float(rid_sigma_penalty(torch.tensor([1.0, 3.0]), reduction="mean"))
    5.0
    """
    squares = at_least_float32(sigma) ** 2
    if reduction == "sum":
        return squares.sum()
    if reduction == "mean":
        return squares.mean()
    raise ValueError(f"reduction must be 'sum' or 'mean'; got {reduction!r}.")


@dataclasses.dataclass(frozen=True)
class RIDParams(Params):
    """RID hyper-parameters (field defaults: the ``"paper"`` preset; see ``RID.presets``).

    Attributes
    ----------
    lambda1 : float, default=1.0
        Weight of the student's cross-entropy in phase 2. The paper does not state it.
    lambda2 : float, default=1.0
        Weight of the distillation term in phase 2. The paper does not state it (kd-rid: 10).
    warmup_epochs : int, default=30
        n_w: epochs of warm-up before the first cycle (``warmup="epochs"`` only); the paper's
        value for a 300-epoch run.
    cycle_epochs : int, default=30
        q: epochs per cycle (the paper's value for a 300-epoch run).
    filter_ratio : float, default=0.25
        r: fraction of each cycle spent in phase 1, in (0, 1).
    phase1_rounding : {"floor", "ceil"}, default="floor"
        Phase-1 epochs per cycle are ``floor(r q)`` or ``ceil(r q)`` (paper: 7 of 30; kd-rid's
        ``epoch % q < r q`` is ``ceil``: 8 of 30).
    warmup : {"epochs", "first-cycle"}, default="epochs"
        ``"epochs"``: ``warmup_epochs`` separate epochs (Algorithm 1); ``"first-cycle"``:
        the phase-1 epochs of cycle 0 train the teacher filter on CE only (kd-rid);
        requires ``warmup_epochs=0``.
    reduction : {"sum", "mean"}, default="sum"
        See the module docstring.
    student_filter_hidden_factor : int, default=1
        Hidden width of ``f_s`` as a multiple of ``Cs`` (kd-rid: 2).
    head_relu : bool, default=False
        ReLU between the flattened filter output and ``g_t``'s Linear layer (kd-rid: True).
    sigma_init : float, default=1.0
        Initial value of every sigma (kd-rid: ``softplus(5) + 1e-3``, about 5.0077).
    sigma_eps : float, default=1e-3
        Floor in ``sigma = softplus(raw) + sigma_eps``.
    freeze_bn_stats : bool, default=True
        Run frozen parts in eval mode so their BatchNorm statistics stay fixed (kd-rid: False,
        they run in train mode and their statistics move).
    """

    schedule_fields: ClassVar[tuple[str, ...]] = ("warmup_epochs", "cycle_epochs")

    lambda1: float = 1.0
    lambda2: float = 1.0
    warmup_epochs: int = 30
    cycle_epochs: int = 30
    filter_ratio: float = 0.25
    phase1_rounding: str = "floor"
    warmup: str = "epochs"
    reduction: str = "sum"
    student_filter_hidden_factor: int = 1
    head_relu: bool = False
    sigma_init: float = 1.0
    sigma_eps: float = 1e-3
    freeze_bn_stats: bool = True

    def __post_init__(self) -> None:
        check_positive("lambda1", self.lambda1, allow_zero=True)
        check_positive("lambda2", self.lambda2, allow_zero=True)
        for name in ("warmup_epochs", "cycle_epochs", "student_filter_hidden_factor"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigEntryError(f"{name} must be an int >= 0; got {value!r}.", value,
                                       entries=(name,))
        check_positive("cycle_epochs", self.cycle_epochs)
        check_positive("student_filter_hidden_factor", self.student_filter_hidden_factor)
        check_choice("phase1_rounding", self.phase1_rounding, ("floor", "ceil"))
        check_choice("warmup", self.warmup, ("epochs", "first-cycle"))
        check_choice("reduction", self.reduction, ("sum", "mean"))
        check_choice("head_relu", self.head_relu, (True, False))
        check_choice("freeze_bn_stats", self.freeze_bn_stats, (True, False))
        check_positive("sigma_eps", self.sigma_eps)
        if not 0.0 < self.filter_ratio < 1.0:
            raise ConfigEntryError(f"filter_ratio (r) must be in (0, 1); got "
                                   f"{self.filter_ratio!r}.", self.filter_ratio,
                                   entries=("filter_ratio",))
        if self.sigma_init <= self.sigma_eps:  # either may be the one to change
            raise ConfigEntryError(
                f"sigma_init must exceed sigma_eps={self.sigma_eps}; got {self.sigma_init!r}.",
                self.sigma_init, entries=("sigma_init", "sigma_eps"))
        if self.warmup == "first-cycle" and self.warmup_epochs != 0:
            raise ConfigEntryError(
                "warmup='first-cycle' uses the first cycle as warm-up, so warmup_epochs must be "
                f"0; got warmup_epochs={self.warmup_epochs}.", self.warmup,
                entries=("warmup", "warmup_epochs"))
        n1 = self.phase1_epochs
        if not 0 < n1 < self.cycle_epochs:
            raise ConfigEntryError(
                f"{self.phase1_rounding}(filter_ratio * cycle_epochs) = {n1} leaves no "
                f"{'phase-1' if n1 == 0 else 'phase-2'} epoch in a cycle of {self.cycle_epochs}; "
                "change filter_ratio, cycle_epochs or phase1_rounding.", n1,
                entries=("filter_ratio", "cycle_epochs", "phase1_rounding"))

    @property
    def phase1_epochs(self) -> int:
        """Phase-1 epochs per cycle: ``floor`` or ``ceil`` of ``filter_ratio * cycle_epochs``."""
        return self._phase1_of(self.cycle_epochs)

    def _phase1_of(self, cycle_epochs: int) -> int:
        x = self.filter_ratio * cycle_epochs
        return math.floor(x) if self.phase1_rounding == "floor" else math.ceil(x)

    def stage(self, epoch: int) -> str:
        """``"warmup"``, ``"phase1"`` or ``"phase2"`` at 0-based ``epoch`` (see the module doc).

        Examples
        --------
        >>> p = RIDParams()
        >>> [p.stage(e) for e in (0, 29, 30, 36, 37, 59, 60)]
        ['warmup', 'warmup', 'phase1', 'phase1', 'phase2', 'phase2', 'phase1']
        """
        check_epoch(epoch)
        if self.warmup == "epochs":
            if epoch < self.warmup_epochs:
                return "warmup"
            in_cycle = (epoch - self.warmup_epochs) % self.cycle_epochs
            return "phase1" if in_cycle < self.phase1_epochs else "phase2"
        in_cycle = epoch % self.cycle_epochs
        if in_cycle < self.phase1_epochs:
            return "warmup" if epoch < self.cycle_epochs else "phase1"
        return "phase2"

    def phase(self, epoch: int) -> str:
        """``"filter"`` in warm-up and phase 1, ``"student"`` in phase 2."""
        return "student" if self.stage(epoch) == "phase2" else "filter"

    def scaled_to(self, epochs: int) -> RIDParams:
        """The schedule shrunk in proportion to a run of ``epochs`` epochs.

        ``warmup_epochs`` and ``cycle_epochs`` are multiplied by ``epochs /
        schedule_run_epochs`` (300) and rounded; the cycle is then lengthened, if needed, to the
        shortest one with at least one phase-1 and one phase-2 epoch. ``filter_ratio``, the
        rounding and every other field are kept. A run of 300 epochs or more is returned
        unchanged.

        Examples
        --------
        >>> p = RIDParams().scaled_to(30)
        >>> p.warmup_epochs, p.cycle_epochs, p.phase1_epochs
        (3, 4, 1)
        """
        if epochs >= self.schedule_run_epochs:
            return self
        warmup = scale_epochs(self.warmup_epochs, epochs, self.schedule_run_epochs)
        cycle = scale_epochs(self.cycle_epochs, epochs, self.schedule_run_epochs, minimum=2)
        while not 0 < self._phase1_of(cycle) < cycle:
            cycle += 1
        return dataclasses.replace(self, warmup_epochs=warmup, cycle_epochs=cycle)


_KD_RID_SIGMA = float(F.softplus(torch.tensor(5.0, dtype=torch.float64))) + 1e-3


@register_method("rid")
class RID(Distiller):
    """Redundant Information Distillation with two optimizer groups.

    Groups: ``"filter"`` (teacher filters ``f_t`` and heads ``g_t``) and ``"student"`` (the
    student, student filters ``f_s`` and the raw sigmas). :meth:`phase` names the group to
    step; :meth:`stage` names the loss (``"warmup"``, ``"phase1"``, ``"phase2"``).
    Loss keys: warm-up ``"filter_ce"``; phase 1 ``"filter_ce"``, ``"filter_distill"``;
    phase 2 ``"ce"`` (times ``lambda1``), ``"distill"`` (times ``lambda2``).

    Examples
    --------
    >>> import torch
    >>> from pidkit_distill.models import build_model
    >>> s = build_model("synthetic-student", num_classes=3, in_channels=4)
    >>> t = build_model("synthetic-teacher", num_classes=3, in_channels=4)
    >>> x, y = torch.randn(8, 4), torch.arange(8) % 3
    >>> rid = RID(s, t, sample_input=x, num_classes=3)
    >>> [rid.stage(e) for e in (0, 29, 30, 36, 37, 59, 60)]
    ['warmup', 'warmup', 'phase1', 'phase1', 'phase2', 'phase2', 'phase1']
    >>> sorted(rid(x, y, epoch=40).losses)
    ['ce', 'distill']
    """

    Params = RIDParams
    params: RIDParams
    default_preset = "paper-mean"
    presets: ClassVar[dict[str, dict[str, Any]]] = {
        "paper": {},
        "paper-mean": {"reduction": "mean"},
        "kd-rid": {
            "lambda1": 1.0,
            "lambda2": 10.0,
            "warmup_epochs": 0,
            "cycle_epochs": 30,
            "filter_ratio": 0.25,
            "phase1_rounding": "ceil",
            "warmup": "first-cycle",
            "reduction": "mean",
            "student_filter_hidden_factor": 2,
            "head_relu": True,
            "sigma_init": _KD_RID_SIGMA,
            "sigma_eps": 1e-3,
            "freeze_bn_stats": False,
        },
    }

    def __init__(self, student: nn.Module, teacher: nn.Module, **kw: Any) -> None:
        super().__init__(student, teacher, **kw)
        p = self.params
        t_filters, s_filters, heads, raws = [], [], [], []
        for ts, ss in self.paired_shapes():
            spatial = len(ts) == 3
            ct, cs = ts[0], ss[0]
            t_filters.append(filter_net(ct, ct, cs, spatial=spatial))
            s_filters.append(
                filter_net(cs, p.student_filter_hidden_factor * cs, cs, spatial=spatial)
            )
            head = [nn.Flatten(), *([nn.ReLU()] if p.head_relu else [])]
            heads.append(nn.Sequential(*head, nn.Linear(ss.numel(), self.num_classes)))
            raw = inverse_softplus(p.sigma_init - p.sigma_eps)
            raws.append(nn.Parameter(torch.full((cs,), raw)))
        self.teacher_filters = nn.ModuleList(t_filters)
        self.student_filters = nn.ModuleList(s_filters)
        self.teacher_heads = nn.ModuleList(heads)
        self.raw_sigmas = nn.ParameterList(raws)

    def sigmas(self) -> list[Tensor]:
        """Per-layer positive weights ``softplus(raw) + sigma_eps``, each of shape ``(Cs,)``."""
        return [positive(r, self.params.sigma_eps) for r in self.raw_sigmas]

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        """``{"student": student + f_s + raw sigmas, "filter": f_t + g_t}``."""
        return {
            "student": [*trainable(self.student, self.student_filters), *self.raw_sigmas],
            "filter": trainable(self.teacher_filters, self.teacher_heads),
        }

    def stage(self, epoch: int) -> str:
        """``"warmup"``, ``"phase1"`` or ``"phase2"`` at 0-based ``epoch``: ``params.stage``."""
        return self.params.stage(epoch)

    def loss_weights(self) -> dict[str, float]:
        """``{"ce": lambda1, "distill": lambda2}``, the weights of phase 2's terms (warm-up's and
        phase 1's are not weighted), by which the epoch line names them
        (:meth:`~pidkit_distill.methods.Distiller.loss_labels`)."""
        return {"ce": self.params.lambda1, "distill": self.params.lambda2}

    def forward(self, x: Tensor, y: Tensor, *, epoch: int) -> StepOutput:
        """Student logits and the loss terms of ``stage(epoch)`` (see the class doc)."""
        stage = self.stage(epoch)
        p = self.params
        t_layers = self.teacher_features(x).layers
        if stage == "phase2":
            with torch.no_grad(), eval_mode(self.teacher_filters, enabled=p.freeze_bn_stats):
                ft = self._filtered(self.teacher_filters, t_layers)
            s = features_of(self.student, x)
            distill = layer_sum(
                rid_sigma_penalty(sig, reduction=p.reduction)
                + rid_distance(a - b, sig, reduction=p.reduction)
                for a, b, sig in zip(
                    ft, self._filtered(self.student_filters, s.layers), self.sigmas(), strict=True
                )
            )
            return StepOutput(s.logits, {
                "ce": p.lambda1 * F.cross_entropy(s.logits, y),
                "distill": p.lambda2 * distill,
            })
        with torch.no_grad(), eval_mode(
            self.student, self.student_filters, enabled=p.freeze_bn_stats
        ):
            s = features_of(self.student, x)
            if stage == "phase1":
                fs = self._filtered(self.student_filters, s.layers)
                sigmas = self.sigmas()
        ft = self._filtered(self.teacher_filters, t_layers)
        losses = {
            "filter_ce": layer_sum(
                F.cross_entropy(g(a), y) for g, a in zip(self.teacher_heads, ft, strict=True)
            )
        }
        if stage == "phase1":
            losses["filter_distill"] = layer_sum(
                rid_distance(a - b, sig, reduction=p.reduction)
                for a, b, sig in zip(ft, fs, sigmas, strict=True)
            )
        return StepOutput(s.logits, losses)

    @staticmethod
    def _filtered(filters: nn.ModuleList, layers: list[Tensor]) -> list[Tensor]:
        return [f(channels_last(t)) for f, t in zip(filters, layers, strict=True)]
