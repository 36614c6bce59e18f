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

    Examples
    --------
    The package's models (:func:`~pidkit_distill.models.build_model`) and wrapped ones
    (:func:`~pidkit_distill.models.tap_features`) return it; a model of your own can too, by a
    ``forward_features`` method:

    >>> import torch
    >>> from torch import nn
    >>> from pidkit_distill.models import Features, check_feature_model
    >>> class TwoLayer(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.body, self.head = nn.Linear(4, 8), nn.Linear(8, 3)
    ...     def forward_features(self, x):
    ...         h = torch.relu(self.body(x))
    ...         return Features(logits=self.head(h), layers=[h], pooled=h)
    ...     def forward(self, x):
    ...         return self.forward_features(x).logits
    >>> logits, layers, pooled = check_feature_model(TwoLayer(), "student").forward_features(
    ...     torch.zeros(5, 4))
    >>> tuple(logits.shape), [tuple(h.shape) for h in layers], tuple(pooled.shape)
    ((5, 3), [(5, 8)], (5, 8))
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


def features_of(model: nn.Module, x: Tensor) -> Features:
    """``model.forward_features(x)``, for a network that :func:`check_feature_model` accepted,
    typed as it is: ``nn.Module`` hints an attribute that it does not define as a tensor or a
    submodule.

    Examples
    --------
    >>> import torch
    >>> from pidkit_distill.models import build_model
    >>> net = build_model("digits-student", num_classes=10, in_channels=1)
    >>> tuple(features_of(net, torch.zeros(2, 1, 8, 8)).logits.shape)
    (2, 10)
    """
    features: Features = model.forward_features(x)  # type: ignore[operator]  # nn.Module hints a tensor
    return features
