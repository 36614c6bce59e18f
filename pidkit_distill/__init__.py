"""pidkit_distill: knowledge distillation with a PID audit, built on pidkit (PyTorch only).

Subpackages: :mod:`pidkit_distill.models` (teachers and students with feature taps, and
:func:`tap_features` for your own models),
:mod:`pidkit_distill.data` (CIFAR-10/100, digits, the synthetic nuisance-teacher task),
:mod:`pidkit_distill.methods` (distillation methods behind a registry),
:mod:`pidkit_distill.training` (the training loop, its checks, checkpoints and DDP),
:mod:`pidkit_distill.audit` (the PID audit of a teacher/student pair, and what its records say)
and :mod:`pidkit_distill.report` (the report of run folders: its tables and figures).
:mod:`pidkit_distill.registry` is the one registry behind :func:`register_model`,
:func:`register_dataset` and :func:`register_method`.

The names below are imported when first used (PEP 562), so that ``import pidkit_distill`` and
the ``pidkit-distill`` command's help and option errors do not wait for PyTorch and
scikit-learn; ``from pidkit_distill import train`` imports what ``train`` needs.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names for type checkers and IDEs, which do not run __getattr__ (they
    # are __all__'s; tests/distill/test_cli_start.py checks that they are those of _SOURCES),
    # imported `as` themselves: a re-export that mypy --strict (no implicit re-export) accepts
    from .audit import audit_distiller as audit_distiller
    from .audit import audit_networks as audit_networks
    from .config import AuditConfig as AuditConfig
    from .config import DataConfig as DataConfig
    from .config import MethodConfig as MethodConfig
    from .config import ModelConfig as ModelConfig
    from .config import OptimConfig as OptimConfig
    from .config import RunConfig as RunConfig
    from .config import TeacherConfig as TeacherConfig
    from .config import TrainConfig as TrainConfig
    from .config_errors import ConfigEntryError as ConfigEntryError
    from .config_errors import ConfigEntryTypeError as ConfigEntryTypeError
    from .config_errors import ConfigValueError as ConfigValueError
    from .config_text import apply_overrides as apply_overrides
    from .config_text import load_config as load_config
    from .data import DatasetBundle as DatasetBundle
    from .data import DatasetSpec as DatasetSpec
    from .data import available_datasets as available_datasets
    from .data import describe_dataset as describe_dataset
    from .data import load_dataset as load_dataset
    from .data import register_dataset as register_dataset
    from .data import unregister_dataset as unregister_dataset
    from .methods import Distiller as Distiller
    from .methods import StepOutput as StepOutput
    from .methods import available_methods as available_methods
    from .methods import get_method as get_method
    from .methods import register_method as register_method
    from .methods import unregister_method as unregister_method
    from .models import Features as Features
    from .models import TappedModel as TappedModel
    from .models import available_models as available_models
    from .models import build_model as build_model
    from .models import register_model as register_model
    from .models import tap_features as tap_features
    from .models import unregister_model as unregister_model
    from .report import load_runs as load_runs
    from .report import write_report as write_report
    from .run_folders.summary import RunSummary as RunSummary
    from .students import load_student as load_student
    from .teachers import load_run_teacher as load_run_teacher
    from .training import PeerStopped as PeerStopped
    from .training import TrainingError as TrainingError
    from .training import TrainingInterrupted as TrainingInterrupted
    from .training import check_config as check_config
    from .training import train as train
    from .training import train_teacher as train_teacher

# Each public name and the module that defines it.
_SOURCES = {
    "audit_distiller": "audit",
    "audit_networks": "audit",
    "AuditConfig": "config",
    "DataConfig": "config",
    "MethodConfig": "config",
    "ModelConfig": "config",
    "OptimConfig": "config",
    "RunConfig": "config",
    "TeacherConfig": "config",
    "TrainConfig": "config",
    "ConfigEntryError": "config_errors",
    "ConfigEntryTypeError": "config_errors",
    "ConfigValueError": "config_errors",
    "apply_overrides": "config_text",
    "load_config": "config_text",
    "DatasetBundle": "data",
    "DatasetSpec": "data",
    "available_datasets": "data",
    "describe_dataset": "data",
    "load_dataset": "data",
    "register_dataset": "data",
    "unregister_dataset": "data",
    "Distiller": "methods",
    "StepOutput": "methods",
    "available_methods": "methods",
    "get_method": "methods",
    "register_method": "methods",
    "unregister_method": "methods",
    "Features": "models",
    "TappedModel": "models",
    "available_models": "models",
    "build_model": "models",
    "register_model": "models",
    "tap_features": "models",
    "unregister_model": "models",
    "load_runs": "report",
    "write_report": "report",
    "RunSummary": "run_folders.summary",
    "load_student": "students",
    "load_run_teacher": "teachers",
    "PeerStopped": "training",
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
    """The public names and subpackages, imported or not, with the package's own attributes and
    the submodules imported since (not the names this module imports for its own use)."""
    own = {name for name, value in globals().items()
           if name.startswith("__")
           or (isinstance(value, ModuleType) and value.__name__ == f"{__name__}.{name}")}
    return sorted({*own, *__all__, *_SUBMODULES})
