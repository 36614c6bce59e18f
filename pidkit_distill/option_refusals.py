"""Which option an error of the user's own code refuses, so that the ``pidkit-distill`` command
names the option typed: :func:`refused_option`, the one rule that reads it from a plain error's
message (``ValueError("NAME must be ...")``, raised rather than a
:class:`~pidkit_distill.ConfigEntryError` with its ``entries``), behind a method
of one's own (:func:`~pidkit_distill.methods.params_resolution.resolve_params`) and a data set
of one's own (:func:`option_refusal`, for :func:`~pidkit_distill.registry.call_registered`);
and :func:`unknown_options`, the one refusal of options that a method or a data set does not
take, with the closest name for each (and, for a method's, the other methods that take them:
:func:`with_other_methods`).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pidkit.command_line import one_line
from pidkit.utils import closest, did_you_mean
from pidkit_distill.config_errors import ConfigEntryError, ConfigEntryTypeError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance  # the type of a dataclass, to type checkers only

__all__ = ["option_refusal", "refused_option", "unknown_options", "with_other_methods"]


def refused_option(message: str, names: Iterable[str]) -> str | None:
    """The name of ``names`` that ``message`` starts with, followed by ``" must be "``
    (``n must be >= 8; got 2``); ``None`` where it starts with none of them so.

    Parameters
    ----------
    message : str
        An error's message.
    names : iterable of str
        The names it may refuse: a method's parameters, the options passed to a loader.

    Returns
    -------
    str or None

    Examples
    --------
    >>> refused_option("n must be >= 8; got 2", ["seed", "n"])
    'n'
    >>> refused_option("a margin of 5 is too wide", ["margin"]) is None
    True
    >>> refused_option("n_train must be >= 8; got 2", ["n"]) is None
    True
    """
    return next((name for name in names if message.startswith(f"{name} must be ")), None)


def option_refusal(err: BaseException, options: Mapping[str, Any], whose: str
                   ) -> ConfigEntryError | None:
    """``err``, an error of the user's own code (``whose``: ``"the loader registered as
    'my-blobs'"``) called with ``options``, as a
    :class:`~pidkit_distill.ConfigEntryError` of the options it refuses, where it
    refuses some: a ``ConfigEntryError`` of entries among ``options``, or a plain ``ValueError``
    or ``TypeError`` whose message starts with an option's name (:func:`refused_option`). What
    is wrong is told as ``err`` tells it, with ``whose`` before its last full stop; ``None``
    for any other error.

    Parameters
    ----------
    err : BaseException
        What the user's code raised.
    options : mapping of str to object
        The options that the user gave it (a data set's ``data.options``), by name.
    whose : str
        Whose code raised ``err``, for the message.

    Returns
    -------
    ConfigEntryError or None
        Its ``entries`` the options refused, its ``key`` ``None``: the caller that reads the
        configuration names its key (:meth:`~pidkit_distill.ConfigEntryError.keyed`).

    Examples
    --------
    >>> whose = "the loader registered as 'my-blobs'"
    >>> refusal = option_refusal(ValueError("n must be >= 8; got 2."), {"n": 2}, whose)
    >>> print(refusal)
    n must be >= 8; got 2 (the loader registered as 'my-blobs').
    >>> refusal.entries, refusal.key
    (('n',), None)
    >>> option_refusal(ValueError("n must be >= 8; got 2"), {}, whose) is None
    True
    >>> option_refusal(KeyError("n"), {"n": 2}, whose) is None
    True
    """
    if not isinstance(err, ValueError | TypeError):
        return None
    said = one_line(err.said if isinstance(err, ConfigEntryError) else err)
    entries = tuple(entry for entry in getattr(err, "entries", ()) if entry in options)
    if not entries:
        named = refused_option(said, options)
        if named is None:
            return None
        entries = (named,)
    stem, stop = (said[:-1], ".") if said.endswith(".") else (said, "")
    return ConfigEntryError(f"{stem} ({whose}){stop}", dict(options), entries=entries)


def unknown_options(options: Mapping[str, Any], known: Iterable[str], *, kind: str, owner: str
                    ) -> ConfigEntryTypeError | None:
    """The refusal of the ``options`` not among ``known``, told the known ones and, for each
    misspelt one, the closest (:func:`~pidkit.utils.closest`); ``None`` where all are known.

    Parameters
    ----------
    options : mapping of str to object
        The options given, by name (a method's ``method.params``, a data set's
        ``data.options``).
    known : iterable of str
        The names that are taken.
    kind : str
        What an option is called, singular (``"parameter"``, ``"option"``).
    owner : str
        Whose options they are (``"method 'kd'"``, ``"data set 'digits'"``).

    Returns
    -------
    ConfigEntryTypeError or None
        Its ``entries`` the unknown names.

    Examples
    --------
    >>> print(unknown_options({"alpa": 0.5}, ["alpha", "temperature"], kind="parameter",
    ...                       owner="method 'kd'"))
    unknown parameter(s) ['alpa'] for method 'kd'; its parameters are ['alpha', 'temperature']. \
Did you mean 'alpha'?
    >>> print(unknown_options({"n_trian": 9, "sed": 1}, ["n_train", "noise"], kind="option",
    ...                       owner="data set 'synthetic'"))
    unknown option(s) ['n_trian', 'sed'] for data set 'synthetic'; its options are ['n_train', \
'noise']. Did you mean 'n_train' for 'n_trian'?
    >>> unknown_options({"alpha": 0.5}, ["alpha"], kind="parameter", owner="method 'kd'") is None
    True
    """
    known = sorted(known)
    unknown = sorted(set(options) - set(known))
    if not unknown:
        return None
    if len(unknown) == 1:
        hint = did_you_mean(unknown[0], known)
    else:
        hint = "".join(f" Did you mean {guess!r} for {name!r}?" for name in unknown
                       if (guess := closest(name, known)))
    return ConfigEntryTypeError(f"unknown {kind}(s) {unknown} for {owner}; its {kind}s are "
                                f"{known}.{hint}", dict(options), entries=tuple(unknown))


def with_other_methods(refusal: ConfigEntryTypeError,
                       others: Mapping[str, type[DataclassInstance]]) -> ConfigEntryTypeError:
    """``refusal``, of parameters that a method does not take (:func:`unknown_options`), told
    the other methods that take them and how to choose one (``--method.params lambda2=0.5``
    with the default method, BAS, meant RID's); ``refusal`` itself where none does.

    Parameters
    ----------
    refusal : ConfigEntryTypeError
        The refusal, its ``entries`` the unknown names.
    others : mapping of str to type
        The other methods' registry names and their parameters' dataclasses
        (``Distiller.Params``). The method that takes the most of the names is the one the fix
        names (for example the first, where several take as many).

    Returns
    -------
    ConfigEntryTypeError

    Examples
    --------
    >>> from pidkit_distill.methods.kd import KDParams
    >>> refusal = unknown_options({"temperature": 2.0}, [], kind="parameter", owner="method 'bas'")
    >>> print(with_other_methods(refusal, {"kd": KDParams}))
    unknown parameter(s) ['temperature'] for method 'bas'; its parameters are []. 'temperature' \
is a parameter of method 'kd': --method kd on the command line, method.name='kd' in a \
configuration, get_method('kd') for a Distiller of your own.
    >>> with_other_methods(refusal, {}) is refusal
    True
    """
    fields = {method: {field.name for field in dataclasses.fields(params)}
              for method, params in others.items()}
    owners = {name: [method for method in fields if name in fields[method]]
              for name in refusal.entries}
    told = [f"{name!r} is a parameter of method{'s' * (len(methods) > 1)} "
            f"{', '.join(map(repr, methods))}" for name, methods in owners.items() if methods]
    if not told:
        return refusal
    ranked = Counter(method for methods in owners.values() for method in methods).most_common(2)
    choice = ranked[0][0]
    example = "e.g. " if len(ranked) > 1 and ranked[1][1] == ranked[0][1] else ""
    return ConfigEntryTypeError(
        f"{refusal.said} {'; '.join(told)}: {example}--method {choice} on the command line, "
        f"method.name={choice!r} in a configuration, get_method({choice!r}) for a Distiller of "
        "your own.", refusal.value, entries=refusal.entries)
