"""Teacher and student networks with a returned list of distilled features.

Every model built here follows one contract:

* ``model(x)`` returns the logits ``(N, num_classes)``;
* ``model.forward_features(x)`` returns a :class:`Features` tuple ``(logits, layers, pooled)``
  where ``layers`` are the outputs of the distilled layers, outermost (closest to the input)
  first, and ``pooled`` is the vector the classifier reads;
* ``model.layer_channels`` is the channel count of each entry of ``layers``.

Features are taken by one mechanism only: the model returns them from ``forward_features``
(no forward hooks). Convolutional layers give ``(N, C, H, W)`` tensors, MLP layers ``(N, C)``.

Names understood by :func:`build_model`:

=====================  ==========================================================  ==========
name                   model                                                        input
=====================  ==========================================================  ==========
``wrn-D-K``            WideResNet of depth D and widen factor K (pre-activation,     (C, H, W)
                       Zagoruyko & Komodakis 2016); e.g. ``wrn-40-2``, ``wrn-16-1``
``digits-teacher``     small CNN, widths 32/64/128, for 1x8x8 digits                 (1, 8, 8)
``digits-student``     small CNN, widths 8/16/32                                     (1, 8, 8)
``synthetic-teacher``  MLP, hidden widths 128/128/128, for the synthetic task        (D,)
``synthetic-student``  MLP, hidden widths 8/8/8 (capacity-limited)                   (D,)
=====================  ==========================================================  ==========
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from torch import Tensor, nn

__all__ = ["Features", "available_models", "build_model"]


class Features(NamedTuple):
    """What ``forward_features`` returns.

    Attributes
    ----------
    logits : Tensor
        ``(N, num_classes)`` classifier output.
    layers : list of Tensor
        Outputs of the distilled layers, outermost first; ``(N, C, H, W)`` for convolutional
        models, ``(N, C)`` for MLPs. ``layers[k].shape[1] == model.layer_channels[k]``.
    pooled : Tensor
        ``(N, D)`` penultimate vector fed to the classifier.
    """

    logits: Tensor
    layers: list[Tensor]
    pooled: Tensor


_WRN_NAME = re.compile(r"^wrn-(\d+)-(\d+)$")


def _build_wrn(depth: int, widen: int, **kw: Any) -> nn.Module:
    from pidkit_distill.models.wrn import WideResNet

    return WideResNet(depth=depth, widen_factor=widen, **kw)


def _small(kind: str) -> Callable[..., nn.Module]:
    def build(**kw: Any) -> nn.Module:
        from pidkit_distill.models import small

        return getattr(small, kind)(**kw)

    return build


_FIXED: dict[str, Callable[..., nn.Module]] = {
    "digits-teacher": _small("digits_teacher"),
    "digits-student": _small("digits_student"),
    "synthetic-teacher": _small("synthetic_teacher"),
    "synthetic-student": _small("synthetic_student"),
}


def available_models() -> list[str]:
    """Names accepted by :func:`build_model` (``wrn-D-K`` stands for any WideResNet).

    Examples
    --------
    >>> available_models()[:2]
    ['digits-student', 'digits-teacher']
    """
    return [*sorted(_FIXED), "wrn-D-K"]


def build_model(name: str, *, num_classes: int, in_channels: int = 3, **kw: Any) -> nn.Module:
    """Build a teacher or student network by name.

    Parameters
    ----------
    name : str
        ``"wrn-D-K"`` (e.g. ``"wrn-40-2"``), ``"digits-teacher"``, ``"digits-student"``,
        ``"synthetic-teacher"`` or ``"synthetic-student"``.
    num_classes : int
        Number of output classes.
    in_channels : int, default=3
        Input channels of convolutional models; for the MLPs (``synthetic-*``) the length of
        the input vector, i.e. ``DatasetBundle.input_shape[0]`` in both cases.
    **kw
        Model-specific keyword options: WideResNet ``drop_rate`` and ``variant``
        (``"preact"`` or ``"kd-rid"``); small CNN ``widths``; MLP ``hidden``.

    Returns
    -------
    torch.nn.Module
        A model with ``forward``, ``forward_features`` and ``layer_channels``.

    Raises
    ------
    ValueError
        Unknown name, or a non-positive ``num_classes``/``in_channels``.

    Examples
    --------
    >>> import torch
    >>> model = build_model("digits-student", num_classes=10, in_channels=1)
    >>> feats = model.forward_features(torch.zeros(2, 1, 8, 8))
    >>> [tuple(t.shape) for t in feats.layers]
    [(2, 8, 8, 8), (2, 16, 4, 4), (2, 32, 4, 4)]
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str such as 'wrn-16-1'; got {type(name).__name__}.")
    for arg, value in (("num_classes", num_classes), ("in_channels", in_channels)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{arg} must be a positive int; got {value!r}.")
    key = name.strip().lower()
    match = _WRN_NAME.match(key)
    if match:
        return _build_wrn(
            int(match.group(1)), int(match.group(2)), num_classes=num_classes,
            in_channels=in_channels, **kw,
        )
    if key not in _FIXED:
        raise ValueError(
            f"name={name!r} is not a known model; choose one of {available_models()} "
            "(wrn-D-K with depth D = 6n+4 and widen factor K, e.g. 'wrn-40-2')."
        )
    return _FIXED[key](num_classes=num_classes, in_channels=in_channels, **kw)
