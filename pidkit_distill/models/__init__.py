"""Teacher and student networks with a returned list of distilled features.

Every model built here follows one contract:

* ``model(x)`` returns the logits ``(N, num_classes)``;
* ``model.forward_features(x)`` returns a :class:`Features` tuple ``(logits, layers, pooled)``
  where ``layers`` are the outputs of the distilled layers, outermost (closest to the input)
  first, and ``pooled`` is the vector the classifier reads;
* ``model.layer_channels`` is the channel count of each entry of ``layers``.

Built-in models return their features from ``forward_features`` (no forward hooks). Your own
``nn.Module`` gets the same contract from :func:`tap_features`, which takes the outputs of the
submodules you name with forward hooks (see :mod:`pidkit_distill.models.taps`).
Convolutional layers give ``(N, C, H, W)`` tensors, MLP layers ``(N, C)``.

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

plus every name registered with :func:`register_model` (:func:`available_models` lists them).

Modules: :mod:`~pidkit_distill.models.registry` (the names, :func:`build_model`, registration
and the fingerprints of registered builders), :mod:`~pidkit_distill.models.builder_calls` (what
a builder takes, the checks of a call, a registered model's build),
:mod:`~pidkit_distill.models.features` (the contract), :mod:`~pidkit_distill.models.taps` (your
own models' features), :mod:`~pidkit_distill.models.wrn` and
:mod:`~pidkit_distill.models.small` (the package's own networks).
"""

from pidkit_distill.models.builder_calls import needs_real_tensors
from pidkit_distill.models.features import Features, check_feature_model
from pidkit_distill.models.registry import (
    adopt_model_fingerprint,
    available_models,
    build_model,
    building_models,
    model_builder,
    model_fingerprint,
    model_source,
    register_model,
    unregister_model,
)
from pidkit_distill.models.taps import TappedModel, tap_features

__all__ = [
    "Features",
    "TappedModel",
    "adopt_model_fingerprint",
    "available_models",
    "build_model",
    "building_models",
    "check_feature_model",
    "model_builder",
    "model_fingerprint",
    "model_source",
    "needs_real_tensors",
    "register_model",
    "tap_features",
    "unregister_model",
]
