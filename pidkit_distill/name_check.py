"""Refuse a misspelt data set, model or method name before PyTorch is imported, and a method
parameter that the method does not take.

``pidkit-distill train --data digts`` is told the names it could mean at once, instead of after
the seconds PyTorch takes to import; :func:`check_builtin_names` gives
:func:`~pidkit_distill.training.check_config`'s own error. The command and
:func:`~pidkit_distill.load_config` both run it, so that a configuration file that one refuses
the other refuses too, in the same words.

Examples
--------
>>> from pidkit_distill.config import TrainConfig
>>> from pidkit_distill.name_check import check_builtin_names
>>> config = TrainConfig()
>>> config.data.name = "digts"
>>> check_builtin_names(config, teacher_only=False)
Traceback (most recent call last):
...
pidkit_distill.ConfigEntryError: data.name: 'digts' is not a known dataset; ...
"""

from __future__ import annotations

import sys
from typing import cast

from pidkit_distill.config import TrainConfig
from pidkit_distill.config.sections import AUTO_MODEL
from pidkit_distill.config.teacher_keys import unused_by_teacher
from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.registry import BUILTIN_NAMES, WRN_NAME, WRN_NOTE, registry_key, unknown_name

__all__ = ["NAMED_KEYS", "check_builtin_names"]

# The configuration's names: the key (which check_config's error for it starts with), the kind
# of name, where one of the user's is registered and the function of that module that lists
# them all (check_config's errors come from the registries; tests/distill/test_builtin_names.py
# checks that these say the same).
NAMED_KEYS = (
    ("data.name", "dataset", "register_dataset", "pidkit_distill.data", "available_datasets"),
    ("model.teacher", "model", "register_model", "pidkit_distill.models", "available_models"),
    ("model.student", "model", "register_model", "pidkit_distill.models", "available_models"),
    ("method.name", "method", "register_method", "pidkit_distill.methods", "available_methods"),
)


def check_builtin_names(config: TrainConfig, *, teacher_only: bool) -> None:
    """Refuse a data set, model or method name that is none of the package's own
    (:data:`~pidkit_distill.registry.BUILTIN_NAMES`) with check_config's error, before PyTorch is
    imported: a misspelt ``--data digts`` waited seconds for its line. Only for a command that
    imports no module of the user's (``--import``), which could register the name; the names
    train-teacher does not read are not checked, nor a model of ``"auto"``, which check_config
    resolves to the data set's own (:mod:`~pidkit_distill.config.model_defaults`). Where a kind's
    registry is imported already (a script that registers its own data set and then calls
    :func:`main`), its list is read.

    Then, for a command that reads the method (not ``teacher_only``), the entries of
    ``method.params`` are checked as the method reads them (:func:`_check_method_params`).

    Raises
    ------
    ConfigEntryError
        A name that is neither the package's nor registered in this process: the key, the
        names known and the closest one (a :class:`ValueError`); a parameter that the method
        refuses (:func:`_check_method_params`).
    """
    for key, kind, decorator, module, available in NAMED_KEYS:
        if teacher_only and unused_by_teacher(key) is not None:
            continue
        section, field = key.split(".")
        name = getattr(getattr(config, section), field)
        found = registry_key(name)
        if kind == "model" and found == AUTO_MODEL:  # check_config picks the data set's own
            continue
        if module in sys.modules:  # the names registered in this process, the package's too
            listed = getattr(sys.modules[module], available)()
        else:
            listed = [*BUILTIN_NAMES[kind], *(["wrn-D-K"] if kind == "model" else [])]
        if found in listed or (kind == "model" and WRN_NAME.match(found)):
            continue
        error = unknown_name(name, kind=kind, decorator=decorator, module=module, listed=listed,
                             note=WRN_NOTE if kind == "model" else "")
        raise cast(ConfigEntryError, error).keyed(key, key)  # unknown_name's: it is one
    if not teacher_only:
        _check_method_params(config)


def _check_method_params(config: TrainConfig) -> None:
    """Refuse an entry of ``method.params`` that the method ``method.name`` does not take, or a
    value of one that it refuses, with :func:`~pidkit_distill.training.check_config`'s error: the
    method builds its parameters from them
    (:meth:`~pidkit_distill.methods.Distiller.make_params`), whose refusal names the
    parameters it takes and the closest one, keyed ``method.params``. The methods are imported
    (and PyTorch with them) only where there are entries to check. A preset that the method
    does not have is left to check_config, whose refusal names the methods that have it: the
    entries are checked against the method's default preset then.

    Examples
    --------
    >>> config = TrainConfig()
    >>> config.method.name, config.method.params = "rid", {"lamda2": 0.5}
    >>> _check_method_params(config)
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigEntryTypeError: method.params: unknown parameter(s) ['lamda2'] for \
method 'rid'; its parameters are [...]. Did you mean 'lambda2'?
    """
    if not config.method.params:
        return
    from pidkit_distill.methods import get_method  # PyTorch, for a table to check only

    method = get_method(config.method.name)
    preset = config.method.preset if config.method.preset in method.presets else None
    try:
        method.make_params(preset=preset, **config.method.params)
    except ConfigEntryError as err:
        if err.key is not None:
            raise
        raise err.keyed("method.params", "method.params") from err
