"""The errors of a refused configuration value, carrying the key (and for a name or a table's
entries, the entries) that the ``pidkit-distill`` command needs to name the option the user typed
(:func:`pidkit_distill.cli_values.name_errors_as_typed`). Below every module that raises them: the
registries, the methods' and data sets' checks and the configuration's own.

Users import them from ``pidkit_distill`` (``except pidkit_distill.ConfigEntryError:``), the path
that tracebacks and pickles name.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ConfigEntryError", "ConfigEntryTypeError", "ConfigValueError"]


class ConfigValueError(ValueError):
    """A configuration key's value outside its range or choices, the message naming the key.

    Parameters
    ----------
    message : str
        The whole message, ``config key 'run.epochs' must be >= 1, got 0``.
    key : str
        The key whose value is refused. The attribute ``key`` is ``str | None``: it is ``None``
        on a :class:`ConfigEntryError` that no key names yet (:meth:`ConfigEntryError.keyed`
        names one).
    value : object
        That value, told in ``message`` as ``, got VALUE!r`` (where it is so told).
    related : tuple of str
        Keys whose values the check depends on too (``optim.milestone_unit`` of
        ``optim.milestones``): another value of one of them may be the fix.
    advised : bool
        Whether ``message`` ends with advice of its own, so that a caller adds no example.

    Examples
    --------
    It survives pickling, as an error of a worker process (joblib, a torchrun spawn) must:

    >>> import pickle
    >>> from pidkit_distill import ConfigValueError
    >>> err = pickle.loads(pickle.dumps(ConfigValueError("config key 'run.epochs' must be >= 1, "
    ...                                                  "got 0", "run.epochs", 0)))
    >>> str(err), err.key, err.value
    ("config key 'run.epochs' must be >= 1, got 0", 'run.epochs', 0)
    """

    __module__ = "pidkit_distill"  # where users import it from: tracebacks and pickles name it

    def __init__(self, message: str, key: str, value: object, *,
                 related: tuple[str, ...] = (), advised: bool = False) -> None:
        super().__init__(message)
        self.key: str | None = key
        self.value = value
        self.related = related
        self.advised = advised

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle the message as it stands and every field (``__init__`` takes other arguments
        than ``args``, so the default, ``cls(*args)``, could not rebuild it)."""
        return _rebuilt_error, (type(self), self.args), self.__dict__


def _rebuilt_error(kind: type[ConfigValueError], args: tuple[Any, ...]) -> ConfigValueError:
    """An error of ``kind`` with ``args``, its fields not yet set (:meth:`ConfigValueError.
    __reduce__`: unpickling sets them next)."""
    error = kind.__new__(kind)
    error.args = args
    return error


class ConfigEntryError(ConfigValueError):
    """A name (data set, model, method, preset) or entries of a table (method parameters, data
    options) refused by the check that reads them, with what the command needs to name the
    option that gave them: the key, the entries and what is wrong (``said``).

    A registry or a method raises it knowing no configuration key (``key=None``): the caller
    that reads the configuration names it with :meth:`keyed`.

    Parameters
    ----------
    said : str
        What is wrong, told after the option that gave the value: ``not a known method; ...``.
    value : object
        The refused name or the table.
    lead : str, default=""
        What the message tells before ``said`` (``"name='rdi' is "``), not after an option.
    entries : tuple of str, default=()
        The table's entries at fault (unknown names, or the one out of range); empty for a name.
    key : str or None, default=None
        The configuration key (``"data.name"``, ``"method.params"``).
    about : str or None, default=None
        What the message starts with, ``"ABOUT: "``: the key, as the checks name it
        (``"data.name"``, ``"data.options"``).

    Examples
    --------
    A registered data set's loader refuses an option it was given; the caller that reads the
    configuration names the key:

    >>> from pidkit_distill import ConfigEntryError
    >>> err = ConfigEntryError("n must be >= 8; got 2", {"n": 2}, entries=("n",))
    >>> str(err), err.key, isinstance(err, ValueError)
    ('n must be >= 8; got 2', None, True)
    >>> named = err.keyed("data.options", "data.options")
    >>> str(named), named.key, named.entries
    ('data.options: n must be >= 8; got 2', 'data.options', ('n',))
    """

    __module__ = "pidkit_distill"  # where users import it from: tracebacks and pickles name it

    def __init__(self, said: str, value: object, *, lead: str = "", entries: tuple[str, ...] = (),
                 key: str | None = None, about: str | None = None) -> None:
        start = f"{about}: " if about else ""
        super().__init__(f"{start}{lead}{said}", key or "", value)
        self.key = key
        self.said = said
        self.lead = lead
        self.entries = entries

    def keyed(self, about: str, key: str) -> ConfigEntryError:
        """This error of the configuration key ``key``, its message starting with ``about``:
        a lead that names the function's argument (``name='digts' is``) names the value alone,
        as the key says what it is (``data.name: 'digts' is not a known dataset; ...``).

        Examples
        --------
        >>> from pidkit_distill import ConfigEntryError
        >>> err = ConfigEntryError("not a known dataset", "digts", lead="name='digts' is ")
        >>> print(err.keyed("data.name", "data.name"))
        data.name: 'digts' is not a known dataset
        """
        lead = self.lead.removeprefix("name=") if about else self.lead
        named = type(self)(self.said, self.value, lead=lead, entries=self.entries, key=key,
                           about=about)
        for note in getattr(self, "__notes__", ()):
            named.add_note(note)
        return named

    def retold(self, message: str) -> ConfigEntryError:
        """This error told as ``message`` (naming the option typed instead of the key)."""
        told = self.keyed("", self.key or "")
        told.args = (message,)
        told.key = self.key
        return told


class ConfigEntryTypeError(ConfigEntryError, TypeError):
    """A :class:`ConfigEntryError` of names a table does not have (unknown method parameters or
    data options), a :class:`TypeError` too, as an unknown keyword argument is.

    Examples
    --------
    >>> from pidkit_distill import ConfigEntryTypeError
    >>> err = ConfigEntryTypeError("unknown option(s) ['n_train']", {"n_train": 64},
    ...                            entries=("n_train",), key="data.options", about="data.options")
    >>> str(err), err.entries, isinstance(err, TypeError), isinstance(err, ValueError)
    ("data.options: unknown option(s) ['n_train']", ('n_train',), True, True)
    """

    __module__ = "pidkit_distill"  # where users import it from: tracebacks and pickles name it
