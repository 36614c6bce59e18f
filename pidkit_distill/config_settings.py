"""The base of the configuration's sections (:mod:`pidkit_distill.config`): what setting a
field does.

Only a section's fields can be set, and a field that names a registered entry
(:data:`~pidkit_distill.registered_record.NAMED`: ``data.name``, ``model.teacher``,
``model.student``, ``method.name``) holds the name in its registry spelling
(:func:`~pidkit_distill.registry.registry_key`: stripped, lower case) from the moment it is set,
whether by ``DataConfig(name=...)``, an assignment, a TOML file or an override: the run's folder,
its teacher's folder, its ``config.json`` and the comparison that resumes it all see the one
spelling that the lookups read.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Iterable
from typing import Any, ClassVar

from pidkit._validate import closest, did_you_mean
from pidkit_distill.registered_record import NAMED
from pidkit_distill.registry import registry_key
from pidkit_distill.teacher_keys import record_hint

__all__ = ["Settings", "closest_name_hint", "field_kinds", "table_hint"]


@functools.cache
def field_kinds(cls: type) -> dict[str, type]:
    """The type of each field of the configuration dataclass ``cls``, by name."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def closest_name_hint(name: str, known: Iterable[str]) -> str:
    """". Did you mean 'x'?" for the closest known name (:func:`pidkit._validate.did_you_mean`),
    ending the sentence before it; or nothing. A name of a run's record (``run.teacher_file``)
    is said to be no setting instead (:func:`~pidkit_distill.teacher_keys.record_hint`)."""
    suggestion = did_you_mean(name, list(known))
    return record_hint(name) or (f".{suggestion}" if suggestion else "")


def table_hint(name: str, known: Iterable[str], tables: Iterable[str]) -> str:
    """The hint of the error for an unknown section or key ``name`` (``params``,
    ``data.params``), ending the sentence before it; or nothing.

    Where ``name`` is (nearly) the name of a nested table of another section (``tables``, the
    dict keys: ``[params]`` or ``[data.params]`` for ``[method.params]``), that table, with
    its section; the closest of ``known`` (:func:`closest_name_hint`) otherwise, and first where
    it is a table itself (``[teacher.options]``: ``teacher.data_options``) or where ``name`` is
    a misspelt section (``[optm]``: ``optim``) or names a run's record.

    Examples
    --------
    >>> tables = ["data.options", "method.params", "teacher.data_options"]
    >>> sections = ["data", "method", "optim", "teacher"]
    >>> print(table_hint("options", sections, tables)[2:])
    Did you mean [data.options]? ('options' is a table of the section [data])
    >>> print(table_hint("param", sections, tables)[2:])
    Did you mean [method.params]? ('params' is a table of the section [method])
    >>> print(table_hint("method.data_options", ["method.name", "method.params"], tables)[2:])
    Did you mean [teacher.data_options]? ('data_options' is a table of the section [teacher])
    >>> table_hint("optm", sections, tables), table_hint("teacher.options", ["teacher.lr",
    ...     "teacher.data_options"], tables)
    (". Did you mean 'optim'?", ". Did you mean 'teacher.data_options'?")
    """
    known, tables = list(known), list(tables)
    near = closest(name, known)
    section, _, field = name.rpartition(".")
    elsewhere = {key.split(".")[1]: key for key in tables if key.split(".")[0] != section}
    if near not in tables and not record_hint(name):
        match = field if field in elsewhere else None if near else closest(field, list(elsewhere))
        if match is not None:
            key = elsewhere[match]
            return (f". Did you mean [{key}]? ({match!r} is a table of the section "
                    f"[{key.split('.')[0]}])")
    return closest_name_hint(name, known)


class Settings:
    """Base of the configuration's dataclasses: only their fields can be set, and a registered
    name is held as the registry spells it.

    ``config.run.epoch = 3`` (for ``run.epochs``) would add an attribute that nothing reads, and
    the run would keep the default; it raises :class:`AttributeError` naming the setting, the
    accepted ones and the closest. ``DataConfig(name="CIFAR10")`` holds ``"cifar10"``, the
    name the data set is registered under. Copies and pickles restore the fields without
    setting them.

    Examples
    --------
    >>> from pidkit_distill.config import DataConfig, RunConfig
    >>> RunConfig().epoch = 3
    Traceback (most recent call last):
    ...
    AttributeError: RunConfig has no setting 'epoch'; its settings are [...]. Did you mean 'epochs'?
    >>> DataConfig(name=" CIFAR10").name
    'cifar10'
    """

    __slots__ = ()
    _noun: ClassVar[str] = "setting"  # what a field is called in messages
    _section: ClassVar[str] = ""  # the section's name, which names its registered names (NAMED)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in field_kinds(type(self)):
            noun, names = self._noun, sorted(field_kinds(type(self)))
            raise AttributeError(f"{type(self).__name__} has no {noun} {name!r}; its {noun}s are "
                                 f"{names}{closest_name_hint(name, names)}")
        if isinstance(value, str) and f"{self._section}.{name}" in NAMED:
            value = registry_key(value)  # one that is no str is refused by its type's check
        object.__setattr__(self, name, value)
