"""The record of where the user's registered names that a run used come from (no torch).

A run names its data set, models and method (:data:`NAMED`); a name that the user registered
(``register_model`` in a module given with ``--import``, or in the script that trains) is that
module's code, and two projects may register different code under one name. A run's
``config.json`` records, in its table :data:`~pidkit_distill.config.teacher_keys.RECORDED`, under
:data:`REGISTERED`, the module each such name came from (:func:`registered_now`, given the
registries' lookups by the code that records, :func:`with_registered`); the report tells
experiments apart by it (:func:`recorded_registered`) without importing any of the user's
code. The package's own names are not recorded: a run of them alone writes the
``config.json`` it always did.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pidkit_distill.config.teacher_keys import RECORDED

__all__ = ["NAMED", "REGISTERED", "recorded_registered", "registered_now", "with_registered"]

# The table of the record (RECORDED) that maps each configuration key naming a user's entry to
# where that entry comes from.
REGISTERED = "registered"

# The configuration keys that name a registered entry, and the kind of registry they name one of.
NAMED = {"data.name": "dataset", "model.teacher": "model", "model.student": "model",
         "method.name": "method"}


def registered_now(settings: Mapping[str, Any],
                   sources: Mapping[str, Callable[[object], str | None]]) -> dict[str, str]:
    """Where each name of the run's ``settings`` (:func:`~pidkit_distill.config.config_to_dict`)
    that the user registered comes from, by its key (:data:`NAMED`): what the lookup of its
    kind in ``sources`` says (``{"model": model_source, "dataset": dataset_source, "method":
    method_source}``, which ask the package's registries: the resolved file of the module that
    registered it, or the module's name where it has no file); the package's own names, for
    which the lookups say ``None``, are left out.

    Examples
    --------
    >>> mine = {"model": {"my-net": "/p/my_models.py"}.get, "dataset": {}.get}
    >>> registered_now({"data": {"name": "digits"}, "model": {"student": "my-net"}}, mine)
    {'model.student': '/p/my_models.py'}
    """
    found = {}
    for key, kind in NAMED.items():
        section, field = key.split(".")
        table = settings.get(section)
        lookup = sources.get(kind)
        source = lookup(table.get(field)) if isinstance(table, Mapping) and lookup else None
        if source is not None:
            found[key] = source
    return found


def with_registered(settings: dict[str, Any], sources: Mapping[str, str]) -> dict[str, Any]:
    """A run's ``config.json`` content ``settings`` with ``sources`` (:func:`registered_now`)
    recorded in its table :data:`~pidkit_distill.config.teacher_keys.RECORDED`, beside what that
    already holds; ``settings`` as they are where there are none.

    Examples
    --------
    >>> with_registered({"recorded": {"teacher_file": "/p/t.pt"}},
    ...                 {"model.student": "/p/my_models.py"})
    {'recorded': {'teacher_file': '/p/t.pt', 'registered': {'model.student': '/p/my_models.py'}}}
    >>> with_registered({"run": {"seed": 1}}, {})
    {'run': {'seed': 1}}
    """
    if not sources:
        return settings
    return {**settings, RECORDED: {**settings.get(RECORDED, {}), REGISTERED: dict(sources)}}


def recorded_registered(config: Mapping[str, Any]) -> dict[str, str]:
    """Where the user's names that a run's ``config`` (its ``config.json``) used come from, as
    it recorded them (:func:`with_registered`): only the keys of :data:`NAMED` with a string;
    nothing where it records none (the package's names alone, a run of an older version).

    Examples
    --------
    >>> recorded_registered({"recorded": {"registered": {"model.student": "/p/m.py", "x": "y"}}})
    {'model.student': '/p/m.py'}
    >>> recorded_registered({"run": {"seed": 1}})
    {}
    """
    table = config.get(RECORDED)
    sources = table.get(REGISTERED) if isinstance(table, Mapping) else None
    if not isinstance(sources, Mapping):
        return {}
    return {key: source for key, source in sources.items()
            if key in NAMED and isinstance(source, str)}
