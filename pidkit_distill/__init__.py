"""pidkit_distill: knowledge distillation with a PID audit, built on pidkit (PyTorch only).

Subpackages: :mod:`pidkit_distill.models` (teachers and students with feature taps, and
:func:`tap_features` for your own models),
:mod:`pidkit_distill.data` (CIFAR-10/100, digits, the synthetic nuisance-teacher task),
:mod:`pidkit_distill.methods` (distillation methods behind a registry) and
:mod:`pidkit_distill.training` (the training loop, its checks, checkpoints and DDP).
:mod:`pidkit_distill.registry` is the one registry behind :func:`register_model`,
:func:`register_dataset` and :func:`register_method`.

The names below are imported when first used (PEP 562), so that ``import pidkit_distill`` and
the ``pidkit-distill`` command's help and option errors do not wait for PyTorch and
scikit-learn; ``from pidkit_distill import train`` imports what ``train`` needs.
"""

from __future__ import annotations

import importlib
from typing import Any

# Each public name and the module that defines it.
_SOURCES = {
    "audit_distiller": "audit",
    "TrainConfig": "config",
    "apply_overrides": "config",
    "load_config": "config",
    "DatasetBundle": "data",
    "DatasetSpec": "data",
    "available_datasets": "data",
    "describe_dataset": "data",
    "load_dataset": "data",
    "register_dataset": "data",
    "Distiller": "methods",
    "StepOutput": "methods",
    "available_methods": "methods",
    "get_method": "methods",
    "register_method": "methods",
    "Features": "models",
    "TappedModel": "models",
    "available_models": "models",
    "build_model": "models",
    "register_model": "models",
    "tap_features": "models",
    "load_runs": "report",
    "write_report": "report",
    "RunSummary": "training",
    "TrainingError": "training",
    "TrainingInterrupted": "training",
    "check_config": "training",
    "train": "training",
    "train_teacher": "training",
}

# The subpackages and modules reachable as attributes (``pidkit_distill.training.fit``) after a
# plain ``import pidkit_distill``, as they were when the package imported them all.
_SUBMODULES = frozenset({"audit", "config", "data", "methods", "models", "registry", "report",
                         "training"})

__all__ = sorted(_SOURCES)


def __getattr__(name: str) -> Any:
    """Import a public name (or subpackage) on first use, then keep it in the package."""
    if name in _SOURCES:
        value = getattr(importlib.import_module(f"{__name__}.{_SOURCES[name]}"), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})
