"""One entry per option of a table option (``--data.options``, ``--method.params``, ...):
:func:`check_one_entry` refuses a value that holds several (``n_train=512,train_fraction=0.5``),
naming the options to type instead. It reads what the user typed, never an error's text.
"""

from __future__ import annotations

import re

__all__ = ["check_one_entry"]

_NEXT_ENTRY = re.compile(r"[,;\s]\s*([A-Za-z_][A-Za-z0-9_]*)\s*=")


def check_one_entry(table: str, entry: str, *, option: str) -> None:
    """Refuse the entry ``entry`` (``NAME=VALUE``) of the dict key ``table`` where its value
    holds more entries (``n_train=512,train_fraction=0.5``): it was taken as one entry whose
    value is the rest, and the refusal of that value (``n_train must be an int >= 1; got
    '512,train_fraction=0.5'``) did not say how to set two. ``option`` is ``"--set"`` for an
    override, else the table's option; a value that is a TOML string, list or table (quoted,
    ``[...]``, ``{...}``) is one entry.

    Raises
    ------
    ValueError
        Naming the option as typed and the options that set the entries one by one.

    Examples
    --------
    >>> check_one_entry("data.options", "n_train=512", option="--data.options")
    >>> try:
    ...     check_one_entry("data.options", "n_train=512,n_test=64", option="--data.options")
    ... except ValueError as err:
    ...     print(str(err).split("; ")[1])
    pass each in an option of its own: --data.options n_train=512 --data.options n_test=64
    """
    name, _, value = entry.partition("=")
    if value.strip()[:1] in ("'", '"', "[", "{"):
        return
    starts = [0, *(found.start() for found in _NEXT_ENTRY.finditer(value))]
    if len(starts) == 1:
        return
    parts = [value[start:end].lstrip(",; \t").strip()
             for start, end in zip(starts, [*starts[1:], len(value)], strict=True)]
    entries = [f"{name.strip()}={parts[0]}", *parts[1:]]
    names = [part.split("=", 1)[0].strip() for part in entries]
    if option == "--set":
        typed = f"--set {table}.{entry}"
        each = " ".join(f"--set {table}.{part}" for part in entries)
    else:
        typed = f"{option} {entry}"
        each = " ".join(f"{option} {part}" for part in entries)
    raise ValueError(f"{typed}: one option sets one entry, and this value holds {len(entries)} "
                     f"({', '.join(names)}); pass each in an option of its own: {each}")
