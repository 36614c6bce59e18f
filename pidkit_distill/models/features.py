"""The feature contract of distilled networks: :class:`Features`, and the check that a network
keeps it."""

from __future__ import annotations

from typing import Any, NamedTuple

from torch import Tensor, nn

__all__ = ["Features", "check_feature_model"]


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


def check_feature_model(model: Any, role: str) -> nn.Module:
    """Return ``model`` if it is an ``nn.Module`` with ``forward_features(x) -> Features``.

    Raises
    ------
    TypeError
        Naming ``role`` and telling a plain ``nn.Module`` to be wrapped with
        :func:`~pidkit_distill.models.tap_features`.

    Examples
    --------
    >>> from torch import nn
    >>> check_feature_model(nn.Linear(2, 2), "student")
    Traceback (most recent call last):
    ...
    TypeError: student must be an nn.Module with forward_features(x) -> Features; got a Linear \
without it. Wrap your own model: pidkit_distill.models.tap_features(model, layers=[...]) \
takes the outputs of the submodules named in layers (paths of model.named_modules()), or use \
pidkit_distill.models.build_model.
    """
    if isinstance(model, nn.Module) and callable(getattr(model, "forward_features", None)):
        return model
    if isinstance(model, nn.Module):
        raise TypeError(
            f"{role} must be an nn.Module with forward_features(x) -> Features; got a "
            f"{type(model).__name__} without it. Wrap your own model: "
            "pidkit_distill.models.tap_features(model, layers=[...]) takes the outputs of the "
            "submodules named in layers (paths of model.named_modules()), or use "
            "pidkit_distill.models.build_model."
        )
    raise TypeError(
        f"{role} must be an nn.Module with forward_features(x) -> Features (a model of "
        "pidkit_distill.models.build_model, or your own wrapped with "
        f"pidkit_distill.models.tap_features); got {type(model).__name__}."
    )
