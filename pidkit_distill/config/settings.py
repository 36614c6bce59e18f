"""The base of the configuration's sections (:mod:`pidkit_distill.config`): what setting a
field does.

Only a section's fields can be set, and a field that names a registered entry
(:data:`~pidkit_distill.config.registered_record.NAMED`: ``data.name``, ``model.teacher``,
``model.student``, ``method.name``) holds the name in its registry spelling
(:func:`~pidkit_distill.registry.registry_key`: stripped, lower case) from the moment it is set,
whether by ``DataConfig(name=...)``, an assignment, a TOML file or an override: the run's folder,
its teacher's folder, its ``config.json`` and the comparison that resumes it all see the one
spelling that the lookups read. A field whose value is one of a list of choices
(:func:`field_choices`: ``optim.schedule``, ``audit.estimator``, ...) holds a choice given in
another case as the choice (``"Gaussian"``: ``"gaussian"``), so that runs given either spelling
are one configuration.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Iterable
from typing import Any, ClassVar

from pidkit.utils import closest, did_you_mean
from pidkit_distill.config.registered_record import NAMED
from pidkit_distill.config.teacher_keys import record_hint
from pidkit_distill.registry import registry_key

__all__ = ["Settings", "choice_spelling", "closest_name_hint", "field_choices", "field_kinds",
           "hinted_key", "misplaced_key_hint", "misplaced_key_table", "misplaced_table",
           "table_hint", "table_option"]


@functools.cache
def field_kinds(cls: type) -> dict[str, type]:
    """The type of each field of the configuration dataclass ``cls``, by name."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


@functools.cache
def field_choices(cls: type) -> dict[str, tuple[str, ...]]:
    """The accepted values of each field of the configuration dataclass ``cls`` that is a
    choice (its metadata's ``"choices"``), by name: the one list that both reads a value
    (:func:`choice_spelling`) and checks it.

    Examples
    --------
    >>> from pidkit_distill.config import OptimConfig
    >>> field_choices(OptimConfig)["milestone_unit"]
    ('fraction', 'epoch')
    """
    return {f.name: f.metadata["choices"] for f in dataclasses.fields(cls)
            if "choices" in f.metadata}


def choice_spelling(value: str, choices: Iterable[str]) -> str:
    """The one of ``choices`` that ``value`` spells in another case (``"Gaussian"``:
    ``"gaussian"``), compared case-folded; ``value`` itself where it is a choice already, or
    where no choice or more than one matches it so (the check then refuses it, naming the
    closest).

    Examples
    --------
    >>> choice_spelling("Kd-Rid-Effective", ("paper", "constant", "kd-rid-effective"))
    'kd-rid-effective'
    >>> choice_spelling("cosine", ("paper", "constant"))
    'cosine'
    """
    choices = tuple(choices)
    matches = [choice for choice in choices if choice.casefold() == value.casefold()]
    return matches[0] if value not in choices and len(matches) == 1 else value


def closest_name_hint(name: str, known: Iterable[str]) -> str:
    """". Did you mean 'x'?" for the closest known name (:func:`pidkit.utils.did_you_mean`),
    ending the sentence before it; or nothing. A name of a run's record (``run.teacher_file``)
    is said to be no setting instead (:func:`~pidkit_distill.config.teacher_keys.record_hint`)."""
    suggestion = did_you_mean(name, list(known))
    return record_hint(name) or (f".{suggestion}" if suggestion else "")


def hinted_key(key: str, kinds: dict[str, type]) -> str | None:
    """The key that the hint for the unknown configuration ``key`` names, as
    :func:`~pidkit_distill.apply_overrides` picks it (``kinds``: the type of every
    configuration key): the entry of another section's nested table that it names in the wrong
    place (:func:`misplaced_key_table`), else the closest key (:func:`closest_name_hint`);
    ``None`` where ``key`` is known (an entry of a known table too), near none, or names a run's
    record (:func:`~pidkit_distill.config.teacher_keys.record_hint`: the hint says it is no setting).

    Examples
    --------
    >>> kinds = {"method.params": dict, "run.epochs": int, "teacher.epochs": int}
    >>> hinted_key("params.lambda2", kinds), hinted_key("run.epoch", kinds)
    ('method.params.lambda2', 'run.epochs')
    >>> print(hinted_key("method.params.lambda2", kinds), hinted_key("run.teacher_file", kinds))
    None None
    """
    parts = key.split(".")
    head = ".".join(parts[:2])
    if head in kinds:
        return None
    misplaced = misplaced_key_table(parts, kinds)
    if misplaced is not None:
        return ".".join(filter(None, misplaced))
    return None if record_hint(head) else closest(head, list(kinds))


def misplaced_table(name: str, known: Iterable[str], tables: Iterable[str]) -> str | None:
    """The nested table of another section (one of ``tables``, the dict keys) that the unknown
    section or key ``name`` (nearly) names: ``method.params`` for ``params``, ``param`` or
    ``data.params``; ``None`` where ``name`` is closest to one of ``known`` that is a table
    itself (``teacher.options``: ``teacher.data_options``) or to another of ``known`` (a
    misspelt section, ``optm``: ``optim``), or names a run's record.

    Examples
    --------
    >>> tables = ["data.options", "method.params", "teacher.data_options"]
    >>> sections = ["data", "method", "optim", "teacher"]
    >>> misplaced_table("param", sections, tables), misplaced_table("optm", sections, tables)
    ('method.params', None)
    >>> misplaced_table("method.data_options", ["method.name", "method.params"], tables)
    'teacher.data_options'
    >>> print(misplaced_table("teacher.options", ["teacher.lr", "teacher.data_options"], tables))
    None
    """
    known, tables = list(known), list(tables)
    near = closest(name, known)
    if near in tables or record_hint(name):
        return None
    section, _, field = name.rpartition(".")
    elsewhere = {key.split(".")[1]: key for key in tables if key.split(".")[0] != section}
    match = field if field in elsewhere else None if near else closest(field, list(elsewhere))
    return None if match is None else elsewhere[match]


def table_hint(name: str, known: Iterable[str], tables: Iterable[str], *,
               entry: str | None = None, value: str | None = None) -> str:
    """The hint of the error for an unknown section or key ``name`` (``params``,
    ``data.params``), ending the sentence before it: the nested table of another section that
    it names in the wrong place (:func:`misplaced_table`), with its section; else the closest
    of ``known`` (:func:`closest_name_hint`), or nothing. For an override
    (``--set params.lambda2=0.5``), ``entry`` is the rest of its key after ``name``
    (``lambda2``, or ``""``), and the table is named as the override's key
    (``'method.params.lambda2'``) instead of as a TOML table; for an option
    (``--params.lambda2 0.5``), ``value`` is its value too (``0.5``), and the table is named
    as the option that sets the entry (``'--method.params lambda2=0.5'``).

    Examples
    --------
    >>> tables = ["data.options", "method.params", "teacher.data_options"]
    >>> sections = ["data", "method", "optim", "teacher"]
    >>> print(table_hint("options", sections, tables)[2:])
    Did you mean [data.options]? ('options' is a table of the section [data])
    >>> print(table_hint("params", sections, tables, entry="lambda2")[2:])
    Did you mean 'method.params.lambda2'? ('params' is a table of the section [method])
    >>> print(table_hint("params", sections, tables, entry="lambda2", value="0.5")[2:])
    Did you mean '--method.params lambda2=0.5'? ('params' is a table of the section [method])
    >>> table_hint("optm", sections, tables)
    ". Did you mean 'optim'?"
    """
    known = list(known)
    key = misplaced_table(name, known, tables)
    if key is None:
        return closest_name_hint(name, known)
    section, field = key.split(".")
    spelt = (f"[{key}]" if entry is None else
             repr(".".join(filter(None, (key, entry)))) if value is None else
             repr(table_option(key, entry, value)))
    return f". Did you mean {spelt}? ({field!r} is a table of the section [{section}])"


def table_option(table: str, entry: str, value: str) -> str:
    """The option of the command line that sets the entry ``entry`` of the nested table
    ``table`` to ``value``: ``--method.params lambda2=0.5``. Where ``entry`` is ``""`` (the
    table named alone), ``value`` is the whole ``NAME=VALUE``, or the value of an entry not
    named (``NAME=0.5``).

    Examples
    --------
    >>> table_option("method.params", "lambda2", "0.5")
    '--method.params lambda2=0.5'
    >>> table_option("data.options", "", "n_train=64"), table_option("method.params", "", "-1")
    ('--data.options n_train=64', '--method.params NAME=-1')
    """
    setting = f"{entry}={value}" if entry else value if "=" in value else f"NAME={value}"
    return f"--{table} {setting}"


def misplaced_key_hint(parts: list[str], kinds: dict[str, type], *,
                       value: str | None = None) -> str | None:
    """The hint of the error for the unknown key of an override or option, split at its dots
    (``params``, ``lambda2``), that names a nested table of another section in the wrong place
    (``params.lambda2`` or ``data.params.lambda2`` for ``method.params.lambda2``:
    :func:`table_hint`, ``value`` the option's value); ``None`` where it names none.
    ``kinds`` is the type of every configuration key (a table's is ``dict``).

    Examples
    --------
    >>> kinds = {"data.name": str, "data.options": dict, "method.params": dict, "run.epochs": int}
    >>> print(misplaced_key_hint(["data", "params", "x"], kinds, value="1")[2:])
    Did you mean '--method.params x=1'? ('params' is a table of the section [method])
    >>> print(misplaced_key_hint(["data", "nme"], kinds))
    None
    """
    found = misplaced_key_table(parts, kinds)
    if found is None:
        return None
    name, known, tables = _misplaced_key_names(parts, kinds)
    return table_hint(name, known, tables, entry=found[1], value=value)


def misplaced_key_table(parts: list[str], kinds: dict[str, type]) -> tuple[str, str] | None:
    """The nested table of another section that the unknown key of an override or option,
    split at its dots, names in the wrong place, and the entry of it that the key names
    (``("method.params", "lambda2")`` for ``params.lambda2``, which :func:`misplaced_key_hint`
    hints); ``None`` where it names none.

    Examples
    --------
    >>> kinds = {"data.name": str, "data.options": dict, "method.params": dict, "run.epochs": int}
    >>> misplaced_key_table(["data", "params", "x"], kinds), misplaced_key_table(["nme"], kinds)
    (('method.params', 'x'), None)
    """
    name, known, tables = _misplaced_key_names(parts, kinds)
    table = misplaced_table(name, known, tables)
    return None if table is None else (table, ".".join(parts[name.count(".") + 1:]))


def _misplaced_key_names(parts: list[str], kinds: dict[str, type]
                         ) -> tuple[str, list[str], list[str]]:
    """What :func:`misplaced_table` compares for the unknown key split into ``parts``: the name
    that may name a table (``section.table``, or ``table`` with its section left out), the
    known names it is compared with, and the nested tables of ``kinds``."""
    sections = sorted({key.split(".")[0] for key in kinds})
    tables = [key for key, kind in kinds.items() if kind is dict]
    if parts[0] in sections:  # section.table.entry, the table another section's
        return (".".join(parts[:2]), [key for key in kinds if key.startswith(parts[0] + ".")],
                tables)
    return parts[0], sections, tables  # table.entry, its section left out


class Settings:
    """Base of the configuration's dataclasses: only their fields can be set, a registered
    name is held as the registry spells it, and a choice (:func:`field_choices`) as the choice
    that it spells in any case.

    ``config.run.epoch = 3`` (for ``run.epochs``) would add an attribute that nothing reads, and
    the run would keep the default; it raises :class:`AttributeError` naming the setting, the
    accepted ones and the closest. ``DataConfig(name="CIFAR10")`` holds ``"cifar10"``, the
    name the data set is registered under; ``AuditConfig(estimator="Gaussian")`` holds
    ``"gaussian"``. Copies and pickles restore the fields without setting them.

    Examples
    --------
    >>> from pidkit_distill.config import DataConfig, RunConfig
    >>> RunConfig().epoch = 3
    Traceback (most recent call last):
    ...
    AttributeError: RunConfig has no setting 'epoch'; its settings are [...]. Did you mean 'epochs'?
    >>> DataConfig(name=" CIFAR10").name
    'cifar10'
    >>> from pidkit_distill.config import AuditConfig
    >>> AuditConfig(estimator="Gaussian", bias_correction="WISHART").bias_correction
    'wishart'
    """

    __slots__ = ()
    _noun: ClassVar[str] = "setting"  # what a field is called in messages
    _section: ClassVar[str] = ""  # the section's name, which names its registered names (NAMED)

    def __setattr__(self, name: str, value: Any) -> None:
        cls: type = type(self)  # not type[Settings], which mypy finds no Hashable (python/mypy#11470)
        if name not in field_kinds(cls):
            noun, names = self._noun, sorted(field_kinds(cls))
            raise AttributeError(f"{type(self).__name__} has no {noun} {name!r}; its {noun}s are "
                                 f"{names}{closest_name_hint(name, names)}")
        if isinstance(value, str) and f"{self._section}.{name}" in NAMED:
            value = registry_key(value)  # one that is no str is refused by its type's check
        elif isinstance(value, str) and name in field_choices(cls):
            value = choice_spelling(value, field_choices(cls)[name])
        object.__setattr__(self, name, value)
