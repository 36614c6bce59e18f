"""pidkit_distill: knowledge distillation with a PID audit, built on pidkit (PyTorch only).

Subpackages: :mod:`pidkit_distill.models` (teachers and students with feature taps, and
:func:`tap_features` for your own models),
:mod:`pidkit_distill.data` (CIFAR-10/100, digits, the synthetic nuisance-teacher task),
:mod:`pidkit_distill.methods` (distillation methods behind a registry) and
:mod:`pidkit_distill.training` (the training loop, its checks, checkpoints and DDP).
:mod:`pidkit_distill.registry` is the one registry behind :func:`register_model`,
:func:`register_dataset` and :func:`register_method`.
"""

from .audit import audit_distiller
from .config import TrainConfig, apply_overrides, load_config
from .data import (
    DatasetBundle,
    DatasetSpec,
    available_datasets,
    describe_dataset,
    load_dataset,
    register_dataset,
)
from .methods import Distiller, StepOutput, available_methods, get_method, register_method
from .models import (
    Features,
    TappedModel,
    available_models,
    build_model,
    register_model,
    tap_features,
)
from .report import load_runs, write_report
from .training import (
    RunSummary,
    TrainingError,
    TrainingInterrupted,
    check_config,
    train,
    train_teacher,
)

__all__ = [
    "DatasetBundle",
    "DatasetSpec",
    "Distiller",
    "Features",
    "RunSummary",
    "StepOutput",
    "TappedModel",
    "TrainConfig",
    "TrainingError",
    "TrainingInterrupted",
    "apply_overrides",
    "audit_distiller",
    "available_datasets",
    "available_methods",
    "available_models",
    "build_model",
    "check_config",
    "describe_dataset",
    "get_method",
    "load_config",
    "load_dataset",
    "load_runs",
    "register_dataset",
    "register_method",
    "register_model",
    "tap_features",
    "train",
    "train_teacher",
    "write_report",
]
