"""What ``model.teacher`` and ``model.student`` mean when left at their default, ``"auto"``: the
data set's own pair of models, as a library's default follows the data it is given.

:func:`with_default_models` resolves them where the configuration is checked
(:func:`~pidkit_distill.training.check_config`), before anything derives a name from them (the
cached teacher's folder, the fingerprint of its code) or writes them (``config.json``, the
checkpoint): a run's records hold the models it trained, never ``"auto"``. Without PyTorch:
the registered names are passed in.

==========================  ==========================================================
``data.name``               ``model.teacher``, ``model.student``
==========================  ==========================================================
``D`` (digits, synthetic,   ``D-teacher``, ``D-student``, where both are registered
a data set of one's own)    models (:func:`~pidkit_distill.models.register_model`)
cifar10, cifar100           ``wrn-40-2``, ``wrn-16-1`` (the RID paper's pair)
==========================  ==========================================================

Any other data set with ``"auto"`` is refused, naming the key.
"""

from __future__ import annotations

import copy
from collections.abc import Collection

from pidkit_distill.config.sections import AUTO_MODEL, TrainConfig
from pidkit_distill.config_errors import ConfigEntryError

__all__ = ["PAPER_MODELS", "default_models", "with_default_models"]

PAPER_MODELS = {"cifar10": ("wrn-40-2", "wrn-16-1"), "cifar100": ("wrn-40-2", "wrn-16-1")}
"""The teacher and student of the RID paper's CIFAR runs, by data set."""

_ROLES = ("teacher", "student")


def default_models(data: str, models: Collection[str]) -> tuple[str, str] | None:
    """The teacher and student that ``"auto"`` means for the data set ``data`` (registry
    spelling), given the registered model names ``models``; ``None`` where there are none.

    Examples
    --------
    >>> known = ["digits-student", "digits-teacher", "my-blobs-teacher"]
    >>> default_models("digits", known), default_models("cifar100", known)
    (('digits-teacher', 'digits-student'), ('wrn-40-2', 'wrn-16-1'))
    >>> print(default_models("my-blobs", known))
    None
    """
    own = _own_models(data)
    if all(name in models for name in own):
        return own
    return PAPER_MODELS.get(data)


def with_default_models(config: TrainConfig, *, models: Collection[str],
                        datasets: Collection[str], teacher_only: bool = False) -> TrainConfig:
    """``config`` with each of ``model.teacher`` and ``model.student`` that is ``"auto"``
    replaced by the data set's own model (:func:`default_models`), in a copy; ``config``
    itself where neither is ``"auto"``, or where ``data.name`` is none of ``datasets`` (the data
    set's check refuses it next).

    Parameters
    ----------
    config : TrainConfig
        The configuration; it is not changed.
    models, datasets : collection of str
        The registered model and data set names.
    teacher_only : bool, default=False
        Only ``model.teacher`` is needed (``pidkit-distill train-teacher``): a ``model.student``
        of ``"auto"`` that the data set has no model for stays ``"auto"``.

    Returns
    -------
    TrainConfig

    Raises
    ------
    ConfigEntryError
        ``"auto"`` of a needed key, for a data set that has no pair of models: naming the key
        (``model.teacher`` where both are ``"auto"``).

    Examples
    --------
    >>> from pidkit_distill.config import TrainConfig
    >>> config = TrainConfig()
    >>> config.data.name = "synthetic"
    >>> known = ["synthetic-student", "synthetic-teacher"]
    >>> resolved = with_default_models(config, models=known, datasets=["synthetic", "my-blobs"])
    >>> resolved.model.teacher, resolved.model.student, config.model.teacher
    ('synthetic-teacher', 'synthetic-student', 'auto')
    >>> config.data.name = "my-blobs"
    >>> with_default_models(config, models=known, datasets=["synthetic", "my-blobs"])
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigEntryError: model.teacher: 'auto' has no model for data \
set 'my-blobs'; pass --model.teacher and --model.student (e.g. --model.teacher NAME ...
    """
    auto = [role for role in _ROLES if getattr(config.model, role) == AUTO_MODEL]
    if not auto or config.data.name not in datasets:
        return config
    pair = default_models(config.data.name, models)
    needed = [role for role in auto if role == "teacher" or not teacher_only]
    if pair is None and needed:
        raise _no_default(config.data.name, [f"model.{role}" for role in needed], models)
    if pair is None:
        return config
    resolved = copy.deepcopy(config)
    for role in auto:
        setattr(resolved.model, role, pair[_ROLES.index(role)])
    return resolved


def _own_models(data: str) -> tuple[str, str]:
    """The names of the data set ``data``'s own teacher and student, which ``"auto"`` picks
    where both are registered: ``DATA-teacher``, ``DATA-student``."""
    return f"{data}-teacher", f"{data}-student"


def _no_default(data: str, keys: list[str], models: Collection[str]) -> ConfigEntryError:
    """The refusal of ``"auto"`` for ``keys`` (the first named): ``data`` has no pair of models
    (``models``: the registered names), with the options that name them and the names that
    ``"auto"`` looks for."""
    own = _own_models(data)
    registered = [name for name in own if name in models]
    only = f" (only {registered[0]!r} is registered)" if registered else ""
    said = (f"has no model for data set {data!r}; pass {' and '.join(f'--{k}' for k in keys)} "
            f"(e.g. {' '.join(f'--{k} NAME' for k in keys)}, names of {sorted(models)}), or "
            f"register models named {own[0]!r} and {own[1]!r} (register_model), the pair that "
            f"auto picks{only}")
    error = ConfigEntryError(said, AUTO_MODEL, lead=f"{AUTO_MODEL!r} ", key=keys[0], about=keys[0])
    error.add_note(f"In Python: set {' and '.join(f'config.{k}' for k in keys)} to models made "
                   f"for data set {data!r} (pidkit_distill.available_models()).")
    return error
