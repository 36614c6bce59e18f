"""MIMKD: Mutual Information Maximization Knowledge Distillation (Shrivastava et al., CVPRW 2022).

Three mutual-information terms between the frozen teacher and the student, each estimated by a
trained critic and maximised jointly over the critic and the student:

* global: teacher vs student penultimate vectors, a project-and-dot critic. The paper uses InfoNCE
  with a 4096-entry memory bank; here InfoNCE uses the other samples of the batch as negatives
  (memory-free; the bound is capped at ``log(batch size)``). ``global_bound="jsd"`` gives the JSD
  variant of the paper's ablation.
* local: the teacher's penultimate vector, replicated over space, vs every location of the student's
  last intermediate feature map; a 1x1-convolution critic; JSD bound with one negative per sample.
* feature: region-consistent locations of same-sized intermediate maps of both networks; one
  1x1-convolution critic per pair; JSD bound with one negative per sample.

Negatives for the JSD terms come from shuffling the batch: sample ``i`` is paired with the teacher
representation of another sample ``pi(i) != i`` (a random derangement, same locations).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.methods.base import Distiller, Params, StepOutput, register_method
from pidkit_distill.methods.blocks import (
    at_least_float32,
    channels_last,
    check_choice,
    check_positive,
    trainable,
)
from pidkit_distill.models.features import features_of

__all__ = [
    "MIMKD",
    "ConvCritic",
    "MIMKDParams",
    "ProjectDotCritic",
    "derangement",
    "infonce_loss",
    "jsd_loss",
]


def jsd_loss(pos_scores: Tensor, neg_scores: Tensor) -> Tensor:
    r"""Negative Jensen-Shannon MI lower bound (MIMKD eq. 2, Deep InfoMax).

    ``I_JSD = E_pos[-softplus(-T)] - E_neg[softplus(T)]``; the loss is ``-I_JSD``, which is
    non-negative, equals ``2 log 2`` for an uninformative critic (all scores 0) and tends to 0 as
    the critic separates positive from negative pairs.

    Parameters
    ----------
    pos_scores : Tensor
        Critic scores of pairs drawn from the joint distribution (any shape).
    neg_scores : Tensor
        Critic scores of pairs drawn from the product of marginals (any shape).

    Returns
    -------
    Tensor
        Scalar loss in nats (float32).

    Examples
    --------
    >>> import math, torch
    >>> bool(abs(jsd_loss(torch.zeros(5), torch.zeros(7)).item() - 2 * math.log(2)) < 1e-6)
    True
    """
    if pos_scores.numel() == 0 or neg_scores.numel() == 0:
        raise ValueError(
            f"pos_scores and neg_scores must be non-empty; got {pos_scores.numel()} and "
            f"{neg_scores.numel()} elements."
        )
    return F.softplus(-at_least_float32(pos_scores)).mean() + F.softplus(
        at_least_float32(neg_scores)
    ).mean()


def infonce_loss(scores: Tensor) -> Tensor:
    r"""In-batch InfoNCE loss: cross-entropy of picking the positive in each row of ``scores``.

    ``scores[i, j]`` is the critic's score of teacher sample ``i`` with student sample ``j``; the
    diagonal holds the positive pairs and the other ``n - 1`` entries of a row are the negatives.
    The InfoNCE bound is ``I >= log(n) - loss``; the loss is ``log(n)`` for an uninformative critic.

    Parameters
    ----------
    scores : Tensor, shape (n, n)
        Critic score matrix, ``n >= 2``.

    Returns
    -------
    Tensor
        Scalar loss in nats (float32).

    Examples
    --------
    >>> import math, torch
    >>> bool(abs(infonce_loss(torch.zeros(8, 8)).item() - math.log(8)) < 1e-6)
    True
    """
    if scores.dim() != 2 or scores.shape[0] != scores.shape[1] or scores.shape[0] < 2:
        raise ValueError(
            f"scores must be a square (n, n) matrix with n >= 2; got shape {tuple(scores.shape)}."
        )
    target = torch.arange(scores.shape[0], device=scores.device)
    return F.cross_entropy(at_least_float32(scores), target)


def derangement(n: int, *, device: torch.device | str | None = None,
                generator: torch.Generator | None = None) -> Tensor:
    """Random permutation of ``range(n)`` without fixed points, for one negative per sample.

    A random ordering of the batch is drawn and each sample is paired with its successor in that
    ordering (cyclically), so ``perm[i] != i`` for every ``i``.

    Parameters
    ----------
    n : int
        Batch size, at least 2.
    device : torch.device or str, optional
        Device of the returned index tensor.
    generator : torch.Generator, optional
        Source of randomness; ``None`` uses torch's default generator, which the trainer seeds
        and checkpoints.

    Returns
    -------
    Tensor
        Long tensor of shape (n,).

    Examples
    --------
    >>> import torch
    >>> perm = derangement(5, generator=torch.Generator().manual_seed(0))
    >>> sorted(perm.tolist()), bool((perm != torch.arange(5)).all())
    ([0, 1, 2, 3, 4], True)
    """
    if not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an int >= 2 to draw a negative sample per item; got {n!r}.")
    order = torch.randperm(n, generator=generator).to(device)
    perm = torch.empty_like(order)
    perm[order] = order.roll(-1)
    return perm


class _Projection(nn.Module):
    """Two-layer MLP with a linear shortcut (the Deep InfoMax 'project' block)."""

    def __init__(self, in_dim: int, hidden: int, out_dim: int) -> None:
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, out_dim))
        self.shortcut = nn.Linear(in_dim, out_dim)

    def forward(self, x: Tensor) -> Tensor:
        return self.mlp(x) + self.shortcut(x)


class ProjectDotCritic(nn.Module):
    """Global critic: project teacher and student vectors, score by their scaled cosine.

    Both projections are L2-normalised and the dot product is divided by ``temperature``, as in
    CRD, whose InfoNCE set-up MIMKD's global term follows; the scores are then bounded by
    ``1 / temperature`` (raw dot products diverged under SGD on the CPU-sized pairs).

    Parameters
    ----------
    teacher_dim, student_dim : int
        Widths of the teacher's and the student's penultimate vectors.
    hidden : int, default=512
        Hidden width of each projection MLP.
    out_dim : int, default=128
        Width of the shared projection space.
    temperature : float, default=0.07
        Divides the cosine similarities (CRD's value).

    Examples
    --------
    >>> import torch
    >>> critic = ProjectDotCritic(6, 4, hidden=8, out_dim=3, temperature=0.5)
    >>> scores = critic(torch.randn(5, 6), torch.randn(5, 4))
    >>> scores.shape, bool(scores.abs().max() <= 2.0 + 1e-6)
    (torch.Size([5, 5]), True)
    """

    def __init__(self, teacher_dim: int, student_dim: int, *, hidden: int = 512,
                 out_dim: int = 128, temperature: float = 0.07) -> None:
        super().__init__()
        self.teacher_proj = _Projection(teacher_dim, hidden, out_dim)
        self.student_proj = _Projection(student_dim, hidden, out_dim)
        self.temperature = temperature

    def _embed(self, t: Tensor, s: Tensor) -> tuple[Tensor, Tensor]:
        return (F.normalize(self.teacher_proj(t), dim=1),
                F.normalize(self.student_proj(s), dim=1) / self.temperature)

    def forward(self, t: Tensor, s: Tensor) -> Tensor:
        """Score matrix ``(n_t, n_s)``: entry ``(i, j)`` scores teacher ``i`` with student ``j``."""
        zt, zs = self._embed(t, s)
        return zt @ zs.T

    def pair_scores(self, t: Tensor, s: Tensor) -> Tensor:
        """Scores of the aligned pairs ``(t[i], s[i])``, shape ``(n,)``."""
        zt, zs = self._embed(t, s)
        return (zt * zs).sum(1)


class ConvCritic(nn.Module):
    """Location-wise critic: 1x1 conv + ReLU, 1x1 conv + ReLU, 1x1 conv to one score.

    The input is the channel concatenation ``[teacher, student]`` at each location; a teacher
    vector of shape ``(n, C)`` is replicated over the student's spatial grid (MIMKD's local term).

    The first convolution is linear in the concatenation, ``W [t; s] + b = W_t t + W_s s + b``,
    so it is computed as two products that are never concatenated: a replicated teacher vector
    costs one ``(n, C)`` product instead of one per location, and a negative pair reuses both
    products (:meth:`scores_with_negatives`). The scores are those of the concatenated
    input up to float rounding.

    Parameters
    ----------
    teacher_channels, student_channels : int
        Channels of the teacher and student inputs.
    hidden : int, default=512
        Filters of the two hidden 1x1 convolutions (the paper's 512).

    Examples
    --------
    >>> import torch
    >>> critic = ConvCritic(6, 4, hidden=8)
    >>> critic(torch.randn(2, 6), torch.randn(2, 4, 3, 3)).shape
    torch.Size([2, 3, 3])
    """

    def __init__(self, teacher_channels: int, student_channels: int, *, hidden: int = 512) -> None:
        super().__init__()
        self.teacher_channels = teacher_channels
        self.net = nn.Sequential(
            nn.Conv2d(teacher_channels + student_channels, hidden, kernel_size=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, hidden, kernel_size=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, 1, kernel_size=1),
        )

    def _first_layer(self, t: Tensor, s: Tensor) -> tuple[Tensor, Tensor]:
        """``W_t t`` (``(n, h, 1, 1)`` for a teacher vector) and ``W_s s + b``, in channels-last."""
        first = self.net[0]
        assert isinstance(first, nn.Conv2d)  # made so in __init__
        w_t, w_s = first.weight[:, : self.teacher_channels], first.weight[:, self.teacher_channels:]
        if t.dim() == 2:
            from_t = F.linear(t, w_t.flatten(1))[:, :, None, None]
        else:
            from_t = F.conv2d(channels_last(t), w_t)
        return from_t, F.conv2d(channels_last(s), w_s, first.bias)

    def _score(self, first: Tensor) -> Tensor:
        return self.net[1:](first).squeeze(1)

    def forward(self, t: Tensor, s: Tensor) -> Tensor:
        """Scores ``(n, H, W)`` for teacher ``t`` ((n, C) or (n, C, H, W)) and student map ``s``."""
        from_t, from_s = self._first_layer(t, s)
        return self._score(from_t + from_s)

    def scores_with_negatives(self, t: Tensor, s: Tensor, perm: Tensor) -> tuple[Tensor, Tensor]:
        """Scores of the pairs ``(t, s)`` and of the negatives ``(t[perm], s)``, each ``(n, H, W)``.

        Equal to ``(self(t, s), self(t[perm], s))`` with the first layer computed once.
        """
        from_t, from_s = self._first_layer(t, s)
        return self._score(from_t + from_s), self._score(from_t[perm] + from_s)


def _as_map(z: Tensor) -> Tensor:
    """View a layer output as a feature map: ``(n, C)`` becomes ``(n, C, 1, 1)``."""
    if z.dim() == 2:
        return z[:, :, None, None]
    if z.dim() == 4:
        return z
    raise ValueError(
        f"a distilled layer output must be (n, C) or (n, C, H, W); got shape {tuple(z.shape)}."
    )


@dataclasses.dataclass(frozen=True)
class MIMKDParams(Params):
    """MIMKD hyper-parameters (weights: the paper's Section 4 values for all its experiments).

    Attributes
    ----------
    alpha : float, default=1.0
        Weight of the cross-entropy loss.
    lambda_g : float, default=1.0
        Weight of the global term.
    lambda_l : float, default=0.75
        Weight of the local term.
    lambda_f : float, default=1.0
        Weight of the feature term.
    global_bound : {"infonce", "jsd"}, default="infonce"
        Bound of the global term: in-batch InfoNCE (the paper's final models use InfoNCE with a
        4096-entry memory bank; ours uses the batch's other samples as negatives) or the JSD
        bound with one shuffled negative (the paper's ablation, Section 4.1).
    critic_hidden : int, default=512
        Filters of the hidden 1x1 convolutions of the local and feature critics (the paper's
        512), also the hidden width of the global critic's projections. These critics run at
        every location of every paired map, twice (positive and negative pair): on WRN-40-2 ->
        WRN-16-1 they make an iteration about 10x KD's. The ``"light-critic"`` preset (64) costs
        about 1.1x KD; it is a smaller critic, i.e. a looser bound, not the paper's.
    projection_dim : int, default=128
        Width of the global critic's shared projection space (not given in the paper; 128 as
        in CRD, which MIMKD's global term follows).
    temperature : float, default=0.07
        The global critic scores L2-normalised projections by ``cosine / temperature`` (CRD's
        0.07; not given in the paper).
    """

    alpha: float = 1.0
    lambda_g: float = 1.0
    lambda_l: float = 0.75
    lambda_f: float = 1.0
    global_bound: str = "infonce"
    critic_hidden: int = 512
    projection_dim: int = 128
    temperature: float = 0.07

    def __post_init__(self) -> None:
        for name in ("alpha", "lambda_g", "lambda_l", "lambda_f"):
            check_positive(name, getattr(self, name), allow_zero=True)
        check_choice("global_bound", self.global_bound, ("infonce", "jsd"))
        check_positive("temperature", self.temperature)
        for name in ("critic_hidden", "projection_dim"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigEntryError(f"{name} must be a positive int; got {value!r}.", value,
                                       entries=(name,))


@register_method("mimkd")
class MIMKD(Distiller):
    """Mutual-information maximisation distillation: global, local and feature terms.

    ``L = alpha CE(y, s) + lambda_g L_g + lambda_l L_l + lambda_f L_f`` where each ``L_*`` is the
    negative of a mutual-information lower bound (nats) estimated by its critic:

    * ``L_g``: teacher vs student pooled vectors, :class:`ProjectDotCritic`, in-batch InfoNCE
      (``log(n) - L_g`` is the bound) or JSD;
    * ``L_l``: teacher pooled vector vs each location of the student's innermost distilled layer
      (``layers[-1]``), :class:`ConvCritic`, JSD with one shuffled negative per sample;
    * ``L_f``: mean, over the layer pairs ``k`` (paired by index) whose spatial sizes match, of
      the JSD term between region-consistent locations of ``teacher.layers[k]`` and
      ``student.layers[k]``, one :class:`ConvCritic` per pair (``feature_pairs`` lists them).

    ``(N, C)`` layers of MLP models are treated as ``1 x 1`` maps, so the local and feature terms
    become vector critics on one location. One optimizer group, ``"student"``: the student and
    every critic. Loss keys: ``"ce"``, ``"global"``, ``"local"``, ``"feature"`` (weighted; a term
    with weight 0 is omitted). A batch of one sample (a loader's last batch) has no negative
    sample: only the cross-entropy is returned for it.

    Examples
    --------
    >>> import torch
    >>> from pidkit_distill.models import build_model
    >>> s = build_model("synthetic-student", num_classes=3, in_channels=4)
    >>> t = build_model("synthetic-teacher", num_classes=3, in_channels=4)
    >>> x, y = torch.randn(8, 4), torch.arange(8) % 3
    >>> mimkd = MIMKD(s, t, sample_input=x, num_classes=3, critic_hidden=16)
    >>> sorted(mimkd(x, y, epoch=0).losses), mimkd.feature_pairs
    (['ce', 'feature', 'global', 'local'], (0, 1, 2))
    """

    Params = MIMKDParams
    params: MIMKDParams
    default_preset = "paper"
    presets: ClassVar[dict[str, dict[str, Any]]] = {
        "paper": {},
        "light-critic": {"critic_hidden": 64},
    }

    def __init__(self, student: nn.Module, teacher: nn.Module, **kw: Any) -> None:
        super().__init__(student, teacher, **kw)
        p = self.params
        if not self.student_shapes:
            raise ValueError(
                "method 'mimkd' contrasts the teacher's pooled features with the student's last "
                "distilled layer, and the student has none (its forward_features(x).layers are "
                "empty); tap its layers: pidkit_distill.tap_features(model, layers=[...]).")
        t_dim, s_dim = self.teacher_pooled_dim, self.student_pooled_dim
        self.global_critic = ProjectDotCritic(
            t_dim, s_dim, hidden=p.critic_hidden, out_dim=p.projection_dim,
            temperature=p.temperature,
        )
        self.local_critic = ConvCritic(t_dim, self.student_shapes[-1][0], hidden=p.critic_hidden)
        self.feature_pairs: tuple[int, ...] = tuple(
            k
            for k, (ts, ss) in enumerate(
                zip(self.teacher_shapes, self.student_shapes, strict=False)
            )
            if ts[1:] == ss[1:]
        )
        if p.lambda_f > 0 and not self.feature_pairs:
            raise ValueError(
                "mimkd's feature term needs teacher and student layers of equal spatial size, "
                f"but the teacher's are {[tuple(v) for v in self.teacher_shapes]} and the "
                f"student's {[tuple(v) for v in self.student_shapes]}; pass lambda_f=0 or use "
                "a matching pair."
            )
        self.feature_critics = nn.ModuleList(
            ConvCritic(self.teacher_shapes[k][0], self.student_shapes[k][0],
                       hidden=p.critic_hidden)
            for k in self.feature_pairs
        )

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        """``{"student": student + global, local and feature critics}``."""
        return {
            "student": trainable(
                self.student, self.global_critic, self.local_critic, self.feature_critics
            )
        }

    def loss_weights(self) -> dict[str, float]:
        """``{"ce": alpha, "global": lambda_g, "local": lambda_l, "feature": lambda_f}``, by which
        the epoch line names the terms (:meth:`~pidkit_distill.methods.Distiller.loss_labels`)."""
        p = self.params
        return {"ce": p.alpha, "global": p.lambda_g, "local": p.lambda_l, "feature": p.lambda_f}

    def forward(self, x: Tensor, y: Tensor, *, epoch: int) -> StepOutput:
        """Student logits and the weighted ``"ce"``, ``"global"``, ``"local"``, ``"feature"``."""
        self.phase(epoch)
        p = self.params
        s = features_of(self.student, x)
        losses = {"ce": p.alpha * F.cross_entropy(s.logits, y)}
        if x.shape[0] < 2:  # no negative sample exists in a batch of one
            return StepOutput(s.logits, losses)
        t = self.teacher_features(x)
        perm = derangement(x.shape[0], device=x.device)
        if p.lambda_g > 0:
            if p.global_bound == "infonce":
                global_loss = infonce_loss(self.global_critic(t.pooled, s.pooled))
            else:
                global_loss = jsd_loss(
                    self.global_critic.pair_scores(t.pooled, s.pooled),
                    self.global_critic.pair_scores(t.pooled[perm], s.pooled),
                )
            losses["global"] = p.lambda_g * global_loss
        if p.lambda_l > 0:
            losses["local"] = p.lambda_l * jsd_loss(
                *self.local_critic.scores_with_negatives(t.pooled, _as_map(s.layers[-1]), perm)
            )
        if p.lambda_f > 0:
            terms = []
            for k, critic in zip(self.feature_pairs, self.feature_critics, strict=True):
                assert isinstance(critic, ConvCritic)  # made so in __init__
                terms.append(jsd_loss(*critic.scores_with_negatives(
                    _as_map(t.layers[k]), _as_map(s.layers[k]), perm
                )))
            losses["feature"] = p.lambda_f * torch.stack(terms).mean()
        return StepOutput(s.logits, losses)
