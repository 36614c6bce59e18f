"""The one registry of named callables, behind :func:`~pidkit_distill.models.register_model`,
:func:`~pidkit_distill.data.register_dataset` and :func:`~pidkit_distill.methods.register_method`.

A name is lower case (the lookups lower-case what they are given) and made of letters, digits,
``.``, ``_`` and ``-``, because it becomes part of a run folder's name. Registering a name
twice is an error, except for the same definition registered again (a notebook cell run a
second time), which replaces the first: a function or class of the same module and qualified
name (closing over the same values); a ``functools.partial`` of the same function with the same
arguments; a lambda of the same code; an instance (with ``__call__``) of the same class with the
same attributes. Values compare by content (an array's every element), and one that cannot be
compared is another definition: the name is refused rather than silently replaced
(:func:`~pidkit_distill.definitions.same_definition`).
"""

from __future__ import annotations

import functools
import math
import numbers
import operator
import os
import re
import sys
import threading
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from pidkit.command_line import one_line
from pidkit.utils import did_you_mean
from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.definitions import described, same_definition
from pidkit_distill.option_refusals import option_refusal

__all__ = [
    "BUILTIN_NAMES", "RESERVED_NAMES", "WRN_NAME", "WRN_NOTE", "Registry", "call_registered",
    "registry_key", "unknown_name", "whole_number", "whole_number_fix",
]

F = TypeVar("F", bound=Callable[..., object])

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

# The package's own names of each kind, known without importing the modules that build them
# (they import PyTorch): the pidkit-distill command checks a configuration's names against them
# at once. They are the registries' built-in entries (tests/distill/test_builtin_names.py).
BUILTIN_NAMES: dict[str, tuple[str, ...]] = {
    "dataset": ("cifar10", "cifar100", "digits", "synthetic"),
    "method": ("bas", "itrd", "kd", "mimkd", "rid", "ted", "vid"),
    "model": ("digits-student", "digits-teacher", "synthetic-student", "synthetic-teacher"),
}

# The names of each kind that the package gives a meaning of their own, which no entry can take,
# and what each means: a run whose method.name is "teacher" is one that trains a teacher
# (training.teacher_sources.teacher_run_config), and reports, run records and epoch lines read it so.
RESERVED_NAMES: dict[str, dict[str, str]] = {
    "method": {"teacher": "it marks the runs that train a teacher (pidkit-distill train-teacher), "
                          "which reports and run records read as a teacher's"},
}

# The name of a built-in WideResNet, any depth and widen factor: wrn-40-2; and what the list of
# model names says of it.
WRN_NAME = re.compile(r"^wrn-(\d+)-(\d+)$")
WRN_NOTE = " (wrn-D-K with depth D = 6n+4 and widen factor K, e.g. 'wrn-40-2')"


def registry_key(name: str) -> str:
    """The registered name that ``name`` is read as: stripped and lower-cased, as registered
    names are, so that a configuration's ``" CIFAR10"`` means ``"cifar10"``. The one spelling of
    that rule, for :meth:`Registry.find` and for what compares a name with a registry's names
    without a lookup (CIFAR's names, the key of a data set that its loader described).

    Parameters
    ----------
    name : str
        A name as given (``data.name``, an argument).

    Returns
    -------
    str

    Examples
    --------
    >>> registry_key(" CIFAR10 ")
    'cifar10'
    """
    return name.strip().lower()


def whole_number(value: object) -> int | None:
    """``value`` as an int where it is one whole number whatever its type, as a count given to
    the extension API (``num_classes``, ``in_channels``) is read: an int, a numpy integer, or a
    0-d tensor or array of an integer dtype (``y.max() + 1``, ``len(np.unique(y))``); ``None``
    for anything else (a bool, a float, a tensor of one element but of shape ``(1,)``).

    Examples
    --------
    >>> import numpy as np
    >>> whole_number(4), whole_number(np.int64(4)), whole_number(np.array(4))
    (4, 4, 4)
    >>> whole_number(4.0), whole_number(True), whole_number(np.array([4]))
    (None, None, None)
    """
    if isinstance(value, bool) or "bool" in str(getattr(value, "dtype", "")):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if tuple(getattr(value, "shape", (None,))) != ():
        return None
    try:
        return operator.index(value)  # type: ignore[arg-type]  # no __index__: the TypeError caught
    except TypeError:  # a float tensor or array
        return None


def whole_number_fix(value: object, name: str, *, minimum: int | None = None) -> str:
    """The end of a refusal of ``value`` given as the count ``name``, where ``value`` holds one
    whole number that :func:`whole_number` does not read as an int (a float ``4.0``, a float
    tensor, a tensor of shape ``(1,)``) and that is at least ``minimum``: ``": write name=4"``;
    ``""`` otherwise (writing a number below the minimum as an int would not help).

    Examples
    --------
    >>> import numpy as np
    >>> whole_number_fix(4.0, "num_classes"), whole_number_fix(np.array([4]), "num_classes")
    (': write num_classes=4', ': write num_classes=4')
    >>> whole_number_fix(4.5, "num_classes"), whole_number_fix("4", "num_classes")
    ('', '')
    >>> whole_number_fix(1.0, "num_classes", minimum=2)
    ''
    """
    if isinstance(value, bool):
        return ""
    if not isinstance(value, numbers.Real):
        shape = getattr(value, "shape", None)
        if shape is None or math.prod(shape) != 1 or not callable(getattr(value, "item", None)):
            return ""
        value = value.item()  # type: ignore[attr-defined]  # an object whose item is callable, checked above
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return ""
    number = float(value)
    if not number.is_integer() or (minimum is not None and number < minimum):
        return ""
    return f": write {name}={int(number)}"


def call_registered(function: Callable[..., Any], kw: Mapping[str, Any], *, role: str, key: str,
                    passed: tuple[type[BaseException], ...] = (MemoryError,),
                    user_options: Collection[str] = ()) -> Any:
    """``function(**kw)``, the user's function registered as ``key`` (its ``role``: "builder",
    "loader"), with any :class:`Exception` of its own code raised as a :class:`ValueError` that
    names it (the cause chained: ``pidkit-distill --debug`` shows its traceback). The
    exceptions in ``passed`` (memory running out: the machine's, not the user's mistake) and a
    KeyboardInterrupt are raised as they are. An error about one of ``user_options``, the
    names of ``kw`` that the user gave as options (a data set's ``data.options``), is raised as
    a :class:`~pidkit_distill.ConfigEntryError` of those options, saying whose
    code raised it (:func:`~pidkit_distill.option_refusals.option_refusal`), so that the
    command names the option typed: ``--data.options n=2: n must be >= 8; got 2 (the loader
    registered as 'my-blobs')``. ``kw`` is a mapping, not keyword arguments, so that the
    function's own options may be called anything (``key``, ``role``).

    Examples
    --------
    >>> def broken(**kw):
    ...     raise KeyError("width")
    >>> call_registered(broken, {"width": 2}, role="builder", key="my-net")
    Traceback (most recent call last):
    ...
    ValueError: the builder registered as 'my-net' failed: KeyError: 'width' (an error of the \
builder's own code; its traceback is this error's cause, which pidkit-distill shows with --debug)
    """
    try:
        return function(**kw)
    except passed:
        raise
    except Exception as err:
        refusal = option_refusal(err, {name: kw[name] for name in user_options if name in kw},
                                 f"the {role} registered as {key!r}")
        if refusal is not None:
            raise refusal from err
        kind, text = type(err).__name__, one_line(err)
        raise ValueError(
            f"the {role} registered as {key!r} failed: "
            f"{kind if text == kind else f'{kind}: {text}'} (an error of the {role}'s own "
            "code; its traceback is this error's cause, which pidkit-distill shows with "
            "--debug)") from err


def unknown_name(name: object, *, kind: str, decorator: str, module: str, listed: list[str],
                 note: str = "") -> ValueError | TypeError:
    """The error for a ``name`` of no registered ``kind`` (see :meth:`Registry.unknown`), also
    for a check that has no registry at hand (the command's, before PyTorch is imported): a
    :class:`~pidkit_distill.ConfigEntryError`, whose fields the command reads
    to name the option that gave ``name``.

    Examples
    --------
    >>> print(unknown_name("digts", kind="dataset", decorator="register_dataset",
    ...                    module="pidkit_distill.data", listed=["digits"]))   # doctest: +ELLIPSIS
    name='digts' is not a known dataset; choose one of ['digits'], or register your own with \
pidkit_distill.data.register_dataset in the Python script ... Did you mean 'digits'?
    """
    if not isinstance(name, str):
        return _not_a_name(name, kind=kind, listed=listed)
    guess = did_you_mean(name, listed)
    return ConfigEntryError(
        f"not a known {kind}; choose one of {listed}{note}, or register "
        f"your own with {module}.{decorator} in the Python script that calls "
        "pidkit_distill.train, or in a module that you pass to the pidkit-distill command "
        f"with --import MODULE (on every run that names it, resumed runs included).{guess}",
        name, lead=f"name={name!r} is ")


_CONFIG_FIELDS = {"dataset": "config.data.name",
                  "model": "config.model.teacher or config.model.student",
                  "method": "config.method.name"}  # where a configuration holds each kind's name


def _not_a_name(name: object, *, kind: str, listed: list[str]) -> TypeError:
    """The error for a ``name`` that is no string: a whole configuration (``load_dataset(cfg)``
    in a notebook) is told the field that holds the name.

    Examples
    --------
    >>> print(_not_a_name(3, kind="dataset", listed=["digits"]))
    name must be the name of a dataset, a str such as 'digits'; got 3 (int).
    """
    hint = ""
    if hasattr(name, "data") and hasattr(name, "method") and kind in _CONFIG_FIELDS:
        hint = f": pass {_CONFIG_FIELDS[kind]}"
    example = f" such as {listed[0]!r}" if listed else ""
    shown = f"a {type(name).__name__}" if hint else f"{name!r} ({type(name).__name__})"
    return TypeError(f"name must be the name of a {kind}, a str{example}; got {shown}{hint}.")


class Registry:
    """Named callables of one kind (model builders, data set loaders, distillation methods).

    Parameters
    ----------
    kind : str
        What the callables make, for messages: ``"model"``, ``"dataset"``, ``"method"``.
    decorator : str
        The public decorator's name, for messages: ``"register_model"``.
    builtin : dict of str to callable
        The package's own entries given at once; they and the names that the package's own
        modules register later (:data:`BUILTIN_NAMES` of ``kind``: the methods) are the
        package's own names, which a user entry cannot take; nor can it take a name of
        :data:`RESERVED_NAMES` of ``kind``.
    decorates : str, default="functions"
        What the decorator takes, for the message when it is given something else.
    accepts : callable, default=callable
        ``accepts(obj)`` is true for what the decorator takes.

    Examples
    --------
    >>> registry = Registry("model", "register_model", builtin={"mlp": print})
    >>> @registry.decorator("my-net")
    ... def build(**kw):
    ...     return kw
    >>> registry.names(), registry.get("my-net") is build, registry.find(" My-Net ")
    (['mlp', 'my-net'], True, 'my-net')
    >>> registry.decorator("my-int")(3)
    Traceback (most recent call last):
    ...
    TypeError: register_model('my-int') decorates functions; got 3.
    >>> registry.decorator("My Net")
    Traceback (most recent call last):
    ...
    ValueError: register_model: name must be a lower-case str of letters, digits, '.', '_' and \
'-' (it becomes part of a run folder's name), e.g. 'my-model'; got 'My Net'.
    """

    def __init__(self, kind: str, decorator: str, *, builtin: dict[str, Callable[..., object]],
                 decorates: str = "functions", accepts: Callable[[object], bool] = callable
                 ) -> None:
        self.kind = kind
        self.decorator_name = decorator
        self.decorates = decorates
        self.accepts = accepts
        self._entries: dict[str, Callable[..., object]] = dict(builtin)
        # the one set of the package's own names, for unregistering, is_builtin and messages
        self._builtin = frozenset(builtin).union(BUILTIN_NAMES.get(kind, ()))
        # of them, those given here, which nothing registers again (a module reloaded makes its
        # registry anew): the package's builders share one qualified name (a closure's)
        self._given = frozenset(builtin)
        # registering checks the name then sets it: one thread at a time, or two registering
        # one name would both succeed, the second silently replacing the first
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        """The registered names, sorted."""
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def find(self, name: object) -> str | None:
        """The registered name that ``name`` means (stripped and lower-cased), or ``None``."""
        key = registry_key(name) if isinstance(name, str) else None
        return key if key in self._entries else None

    def get(self, name: str) -> Callable[..., object]:
        """The callable registered under ``name`` (already normalised; ``KeyError`` if none)."""
        return self._entries[name]

    def unknown(self, name: object, *, module: str, listed: list[str], note: str = ""
                ) -> ValueError | TypeError:
        """The error for a ``name`` not registered: the names ``listed`` (with ``note``), where
        registering works (``module``: the public decorator's module) for a Python script and
        for the ``pidkit-distill`` command (a module it imports with ``--import``, needed again
        to resume a run that names it), and the listed name a misspelt ``name`` is closest to.

        Examples
        --------
        >>> registry = Registry("model", "register_model", builtin={"mlp": print})
        >>> print(registry.unknown("my-net", module="pidkit_distill.models", listed=["mlp"]))
        name='my-net' is not a known model; choose one of ['mlp'], or register your own with \
pidkit_distill.models.register_model in the Python script that calls pidkit_distill.train, or \
in a module that you pass to the pidkit-distill command with --import MODULE (on every run that \
names it, resumed runs included).
        """
        return unknown_name(name, kind=self.kind, decorator=self.decorator_name, module=module,
                            listed=listed, note=note)

    def source(self, name: object) -> str | None:
        """Where the entry that ``name`` means (as :meth:`find` reads it) comes from: the
        resolved path of the file of the module that defined it (links followed; for a
        ``functools.partial``, its function's), or that module's name where it has no file (a
        notebook's ``__main__``, or ``python -``'s); ``None`` for the package's own entries and
        a name not registered. Behind ``model_source`` and its siblings.

        Examples
        --------
        >>> registry = Registry("model", "register_model", builtin={"mlp": print})
        >>> _ = registry.decorator("my-net")(functools.partial(registry_key))
        >>> registry.source(" My-Net ") == os.path.realpath(__file__), registry.source("mlp")
        (True, None)
        """
        key = self.find(name)
        entry = self._entries.get(key) if key is not None and not self.is_builtin(key) else None
        if entry is None:
            return None
        while isinstance(entry, functools.partial):  # its own module is functools
            entry = entry.func
        module = getattr(entry, "__module__", None) or "?"
        file = getattr(sys.modules.get(module), "__file__", None)
        # "<stdin>" is no file: the __main__ of `python -`, as a notebook's has none
        return os.path.realpath(file) if isinstance(file, str) and not file.startswith("<") else module

    def is_builtin(self, name: str) -> bool:
        """Whether ``name`` is one of the package's own entries (given to the registry, or
        registered by the package's own modules: :data:`BUILTIN_NAMES`), a built-in
        WideResNet's :data:`WRN_NAME` included."""
        return name in self._builtin or (self.kind == "model" and WRN_NAME.match(name) is not None)

    def decorator(self, name: str, *, check: Callable[[Any], None] | None = None
                  ) -> Callable[[F], F]:
        """A decorator registering a callable under ``name``; ``check(fn)``, called once
        ``accepts`` took ``fn``, raises for a callable of the wrong shape. The decorator returns
        what it was given.

        Examples
        --------
        >>> registry = Registry("model", "register_model", builtin={"mlp": print})
        >>> registry.decorator("my-net")(registry_key) is registry_key
        True
        >>> registry.decorator("my-net")(print)
        Traceback (most recent call last):
        ...
        ValueError: register_model: model name 'my-net' is already registered (to \
pidkit_distill.registry.registry_key); choose another name, or, to register this definition \
under it (a notebook cell edited and run again), first remove the old one with \
pidkit_distill.unregister_model('my-net').
        >>> registry.decorator("mlp")(print)
        Traceback (most recent call last):
        ...
        ValueError: register_model: model name 'mlp' is already registered (to the package); \
choose another name.
        """
        where = self.decorator_name
        if callable(name) and not isinstance(name, str):
            raise TypeError(_decorated_without_name(where, self.kind, name))
        if not isinstance(name, str) or not _NAME.match(name):
            lower = registry_key(name) if isinstance(name, str) else ""
            hint = (f" Register it as {lower!r}: names are read in lower case, so {name!r} in a "
                    "configuration finds it." if _NAME.match(lower) else "")
            raise ValueError(
                f"{where}: name must be a lower-case str of letters, digits, '.', '_' and '-' "
                f"(it becomes part of a run folder's name), e.g. 'my-{self.kind}'; got {name!r}."
                + hint
            )
        meaning = RESERVED_NAMES.get(self.kind, {}).get(name)
        if meaning is not None:
            raise ValueError(f"{where}: {self.kind} name {name!r} is reserved: {meaning}; choose "
                             "another name.")

        def register(fn: F) -> F:
            if not self.accepts(fn):
                raise TypeError(f"{where}({name!r}) decorates {self.decorates}; got {fn!r}.")
            if check is not None:
                check(fn)
            with self._lock:
                old = self._entries.get(name)
                # the same definition again replaces it, the package's own registered by its
                # modules included: a method's module reloaded (importlib.reload, IPython's
                # %autoreload)
                if old is not None and (name in self._given or not same_definition(old, fn)):
                    raise ValueError(self._taken(name, old))
                self._entries[name] = fn
            return fn

        return register

    def _taken(self, name: str, old: Callable[..., object]) -> str:
        """The refusal of registering another definition under ``name``, taken by ``old``: a
        name the user registered can be freed with the matching ``unregister_...`` (a notebook
        cell edited and run again, its function renamed); the package's own names stay."""
        where = self.decorator_name
        # a class of the package's (a method) is named, as the user's are
        owner = ("the package" if name in self._builtin and not isinstance(old, type)
                 else described(old))
        refusal = f"{where}: {self.kind} name {name!r} is already registered (to {owner}); "
        if self.is_builtin(name):
            return refusal + "choose another name."
        return (refusal + "choose another name, or, to register this definition under it (a "
                "notebook cell edited and run again), first remove the old one with "
                f"pidkit_distill.un{where}({name!r}).")

    def unregister(self, name: object) -> None:
        """Remove the entry that ``name`` means (as :meth:`find` reads it) registered by the
        user; the package's own entries stay. Behind ``unregister_model`` and its siblings,
        whose name (``"un"`` and the decorator's) the errors give.

        Raises
        ------
        ValueError
            ``name`` is one of the package's own entries, or no registered entry.

        Examples
        --------
        >>> registry = Registry("model", "register_model", builtin={"mlp": print})
        >>> _ = registry.decorator("my-net")(print)
        >>> registry.unregister(" My-Net "), registry.names()
        (None, ['mlp'])
        >>> registry.unregister("my-net")
        Traceback (most recent call last):
        ...
        ValueError: unregister_model: name='my-net' is not a registered model; the names you \
registered are [].
        >>> registry.unregister("mlp")
        Traceback (most recent call last):
        ...
        ValueError: unregister_model: name='mlp' is one of the package's own models, which stay \
registered; only the names you registered can be removed.
        """
        where = f"un{self.decorator_name}"
        key = self.find(name)
        if isinstance(name, str) and self.is_builtin(registry_key(name)):
            raise ValueError(f"{where}: name={name!r} is one of the package's own {self.kind}s, "
                             "which stay registered; only the names you registered can be "
                             "removed.")
        # pop, one step: a name that another thread removed since find is not a KeyError
        if key is None or self._entries.pop(key, None) is None:
            own = [entry for entry in self.names() if not self.is_builtin(entry)]
            guess = did_you_mean(name, own) if isinstance(name, str) else ""
            raise ValueError(f"{where}: name={name!r} is not a registered {self.kind}; the "
                             f"names you registered are {own}.{guess}")


def _decorated_without_name(where: str, kind: str, given: Callable[..., object]) -> str:
    """The refusal of ``@register_model`` (or a sibling) written without its name: Python then
    passes the decorated function or class as the name."""
    own = getattr(given, "__name__", "")
    suggested = own.lower().replace("_", "-") if isinstance(own, str) else ""
    if not _NAME.match(suggested):
        suggested = f"my-{kind}"
    return (f"{where} takes the name to register first, then decorates: write "
            f"@{where}({suggested!r}), with the parentheses and a name; got "
            f"{described(given)} itself as the name (@{where} without a name?).")
