"""A training configuration from text: a TOML file and ``section.key=value`` overrides.

:func:`load_config` reads a TOML file (one table per section of
:class:`~pidkit_distill.config.TrainConfig`) and applies overrides; :func:`apply_overrides` applies
overrides (the command's ``--set`` and ``--section.key`` options) to a configuration. Values are
read as TOML literals and checked against their key's type by
:func:`~pidkit_distill.config.config_from_dict`.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pidkit_distill.config import (
    TrainConfig,
    coerce_value,
    config_fields,
    config_from_dict,
    config_to_dict,
)
from pidkit_distill.config.settings import closest_name_hint, misplaced_key_hint
from pidkit_distill.config.teacher_keys import RECORDED
from pidkit_distill.config_errors import ConfigEntryError, ConfigValueError
from pidkit_distill.name_check import check_builtin_names
from pidkit_distill.registry import RESERVED_NAMES, registry_key

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

__all__ = ["apply_overrides", "load_config"]

LOADER_FIX = "; fix the TOML file or the override"
"""The advice that :func:`~pidkit_distill.config.coerce_value` ends a value's type error with,
whichever of the two the value came from; replaced by the one it came from where that is known
(:func:`in_config_file`)."""


# The spellings of true and false that an override accepts for a bool key (``--run.amp False``).
_BOOLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _parse_literal(text: str) -> Any:
    """Read a TOML literal (``3``, ``0.5``, ``true``, ``[1, 2]``, ``"x"``); bare words stay text."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _parse_entry(text: str) -> Any:
    """Read the value of a dict key's entry (``data.options.download=False``).

    A TOML literal, except that a bare word spelling true or false as a bool key accepts it
    (``False``, ``Yes``: in any case) is that bool, not a string, which would be truthy.

    Examples
    --------
    >>> _parse_entry("False"), _parse_entry("yes"), _parse_entry("0"), _parse_entry("kd-rid")
    (False, True, 0, 'kd-rid')
    """
    value = _parse_literal(text)
    if isinstance(value, str) and value == text:  # a bare word, not a quoted string
        return _BOOLS.get(value.strip().lower(), value)
    return value


def _parse_override(key: str, text: str, kind: type) -> Any:
    """Turn the text of ``key=text`` into a value of the field's type."""
    if kind is str:
        value = _parse_literal(text) if text[:1] in "\"'" else text
    elif kind is bool:
        value = _BOOLS.get(text.strip().lower())
        if value is None:
            raise TypeError(f"config key {key!r} expects true or false, got "
                            f"{text!r}{_resume_path_hint(key, text)}")
    elif kind is list:
        value = _parse_literal(text) if text.strip().startswith("[") else [
            _parse_literal(item) for item in text.split(",") if item.strip()
        ]
    else:
        value = _parse_literal(text)
    return coerce_value(key, value, kind)


def _resume_path_hint(key: str, text: str) -> str:
    """What to do where ``run.resume`` was given a path (``--set run.resume=runs/x``, a TOML
    ``resume = "runs/x"``, as other trainers take a checkpoint's path): ``--resume RUN_DIR`` takes
    the folder, ``run.resume`` only true or false.

    Examples
    --------
    >>> print(_resume_path_hint("run.resume", "runs/digits-rid-tt-s0/checkpoint.pt"))
    ; run.resume is true or false, and a run continues in the run folder that its configuration \
names (run.out_dir/run.name): to continue 'runs/digits-rid-tt-s0', run pidkit-distill train \
--resume runs/digits-rid-tt-s0 (which reads its configuration from the folder), or set \
run.resume=true with --out-dir runs --run.name digits-rid-tt-s0, which name that folder
    >>> _resume_path_hint("run.resume", "ture")
    ''
    """
    path = Path(text).expanduser()
    if key != "run.resume" or not text.strip() or not (
            "/" in text or os.sep in text or path.exists()):
        return ""
    folder = path.parent if path.name == "checkpoint.pt" or path.is_file() else path
    if folder.name in ("", ".."):  # '.', '..', 'x/..', a checkpoint.pt in the current folder
        folder = Path(os.path.abspath(folder))
    if not folder.name:  # the root: no run folder to name
        return ""
    return ("; run.resume is true or false, and a run continues in the run folder that its "
            f"configuration names (run.out_dir/run.name): to continue {str(folder)!r}, run "
            f"pidkit-distill train --resume {shlex.quote(str(folder))} (which reads its "
            "configuration from the folder), or set run.resume=true with --out-dir "
            f"{shlex.quote(str(folder.parent))} --run.name {shlex.quote(folder.name)}, which name "
            "that folder")


def apply_overrides(config: TrainConfig, overrides: Sequence[str]) -> TrainConfig:
    """Return a copy of ``config`` with ``section.key=value`` overrides applied, in order.

    Values are read as TOML literals and checked against the field's type. Entries of the dict
    fields are set one by one: ``method.params.warmup_epochs=3``, ``data.options.n_train=512``;
    an entry spelt as a bool key's true or false (``data.options.augment=False``) is a bool.

    Examples
    --------
    >>> from pidkit_distill import TrainConfig, apply_overrides
    >>> cfg = apply_overrides(TrainConfig(), ["run.epochs=3", "method.params.lam=10.0"])
    >>> cfg.run.epochs, cfg.method.params
    (3, {'lam': 10.0})
    """
    if isinstance(overrides, str):
        raise TypeError("overrides must be a sequence of 'key=value' strings, not one string")
    if isinstance(overrides, Mapping):
        raise TypeError("overrides must be a sequence of 'key=value' strings, not a dict: pass "
                        f"{_spelt_as_overrides(overrides)}")
    data = config_to_dict(config)
    kinds = {key: kind for key, _, kind, _ in config_fields()}
    for item in overrides:
        if not isinstance(item, str) or "=" not in item:
            raise ValueError(f"override {item!r} is not of the form section.key=value")
        key, text = (part.strip() for part in item.split("=", 1))
        parts = key.split(".")
        head = ".".join(parts[:2])
        if head not in kinds:
            hint = misplaced_key_hint(parts, kinds) or closest_name_hint(head, kinds)
            known = f"known keys: {sorted(kinds)}"  # after the hint: 50 keys hid it at the end
            raise ValueError(f"unknown config key {key!r}{hint} ({known})" if hint
                             else f"unknown config key {key!r}; {known}")
        section, name = parts[0], parts[1]
        if kinds[head] is dict and len(parts) > 2:
            data[section][name][".".join(parts[2:])] = _parse_entry(text)
        elif len(parts) > 2:
            raise ValueError(f"config key {head!r} is not a table; cannot set {key!r}")
        elif kinds[head] is dict:
            data[section][name] = coerce_value(key, _parse_literal(text), dict)
        else:
            data[section][name] = _parse_override(key, text, kinds[head])
    return config_from_dict(data)


def _spelt_as_overrides(settings: Mapping[str, Any]) -> list[str]:
    """``settings``, a dict of keys to values, as the ``key=value`` overrides that set them (a
    dict value, a table's entries, as one override per entry), for the refusal of such a dict.

    Examples
    --------
    >>> _spelt_as_overrides({"run.epochs": 2, "data.options": {"n_train": 64}})
    ['run.epochs=2', 'data.options.n_train=64']
    """
    spelt = []
    for key, value in settings.items():
        entries = value.items() if isinstance(value, Mapping) else [(None, value)]
        spelt += [f"{key}{'' if entry is None else f'.{entry}'}={one}" for entry, one in entries]
    return spelt


def _json_hint(path: Path) -> str:
    """For a configuration file that is not TOML but JSON (a run's ``config.json`` given to
    ``--config``), what to do instead, ending the error's sentence; else nothing."""
    try:
        json.loads(path.read_bytes())
    except ValueError:  # not JSON (json.JSONDecodeError), or not text (UnicodeDecodeError)
        return ""
    return ("; it holds JSON: --config reads TOML, a [section] table of key = value lines per "
            "section ([run] then epochs = 3), as in docs/distill.md, Configuration; from Python, "
            "pidkit_distill.config.config_from_dict(json.load(file)) reads JSON, a run's "
            "config.json too")


def load_config(
    path: str | Path | None = None, *, overrides: Sequence[str] = ()
) -> TrainConfig:
    """Read a TOML file (or start from the defaults) and apply overrides.

    The names of the data set, models and method must be the package's or registered in this
    process, and the entries of ``method.params`` parameters that the method takes, with
    values it accepts: the ``pidkit-distill`` command refuses the same file with the same
    check (:func:`~pidkit_distill.name_check.check_builtin_names`), before any work. What
    needs the data, the teacher or the run folder is checked by
    :func:`~pidkit_distill.check_config`.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file with tables named like the sections of :class:`TrainConfig`.
    overrides : sequence of str
        ``section.key=value`` items applied after the file.

    Returns
    -------
    TrainConfig

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> load_config(overrides=["method.name=rid"]).method.name
    'rid'

    A mistake in the file is told naming it (:func:`in_config_file`), as ``pidkit-distill
    train --config`` tells it:

    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "rid.toml"
    >>> _ = path.write_text("[audit]\\nlayers = ['a']\\n")
    >>> load_config(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: config file '...rid.toml': config key 'audit.layers' must be a list of distinct \
layer indices >= 0 ([] = every layer), got ['a'] ('a' is not an int); fix the value in that file
    >>> _ = path.write_text("[method]\\nname = 'rid'\\n[method.params]\\nlamda2 = 0.5\\n")
    >>> load_config(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigEntryTypeError: config file '...rid.toml': method.params: unknown \
parameter(s) ['lamda2'] for method 'rid'; its parameters are [...]. Did you mean 'lambda2'?
    >>> load_config({"run": {"epochs": 3}})
    Traceback (most recent call last):
    ...
    TypeError: path must be the path of a TOML file (a str or Path), or None for the defaults; got \
{'run': {'epochs': 3}} (dict); a dict of sections goes to pidkit_distill.config.config_from_dict
    """
    if path is None:
        config = apply_overrides(TrainConfig(), overrides)
        check_builtin_names(config, teacher_only=_trains_a_teacher(config))
        return config
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be the path of a TOML file (a str or Path), or None for the "
                        f"defaults; got {path!r} ({type(path).__name__}); a dict of sections goes "
                        "to pidkit_distill.config.config_from_dict")
    data = read_config_file(path)
    try:
        config = config_from_dict(data)
    except (TypeError, ValueError) as err:
        raise in_config_file(path, err) from err
    config = apply_overrides(config, overrides)
    try:
        check_builtin_names(config, teacher_only=_trains_a_teacher(config))
    except ConfigEntryError as err:
        if _given_by_overrides(err, overrides):
            raise
        raise in_config_file(path, err) from err
    return config


def _trains_a_teacher(config: TrainConfig) -> bool:
    """Whether ``config`` is a teacher's run (``method.name`` the reserved ``"teacher"``, as a
    teacher's folder's config.json holds it), whose names are checked as train-teacher checks
    them: it reads no method and no student."""
    return registry_key(config.method.name) in RESERVED_NAMES["method"]


def _given_by_overrides(err: ConfigEntryError, overrides: Sequence[str]) -> bool:
    """Whether the overrides gave every value that ``err`` refuses (the name of its key, or the
    entries of its table), so that the error is theirs, not the file's.

    Examples
    --------
    >>> err = ConfigEntryError("unknown parameter(s) ['x']", {"x": 1}, entries=("x",),
    ...                        key="method.params")
    >>> _given_by_overrides(err, ["method.params.x=1"]), _given_by_overrides(err, [])
    (True, False)
    """
    keys = [f"{err.key}.{entry}" for entry in err.entries] if err.entries else [err.key or ""]
    given = [item.split("=", 1)[0].strip() for item in overrides]
    return all(any(key == item or key.startswith(f"{item}.") for item in given) for key in keys)


def in_config_file(path: str | Path, err: TypeError | ValueError) -> TypeError | ValueError:
    """``err``, refusing a value, key or section of the configuration file ``path``, told
    naming that file: ``config file 'rid.toml': `` before its message, and for a refused value
    ``; fix the value in that file`` after it (in place of the loader's advice, which named
    "the TOML file or the override"), unless the message ends with advice of its own
    (``Did you mean 'constant'?``) or refuses a name or a table's entries (a
    :class:`~pidkit_distill.ConfigEntryError`, whose message says what is accepted). The same
    type of error, a :class:`~pidkit_distill.ConfigValueError` keeping its key, value, related
    keys and advice, a ``ConfigEntryError`` its entries too.

    :func:`load_config` and the ``--config`` option of ``pidkit-distill train`` tell the
    mistakes of their file by it.

    Examples
    --------
    >>> from pidkit_distill import ConfigValueError
    >>> err = ConfigValueError("config key 'run.epochs' must be >= 1, got 0", "run.epochs", 0)
    >>> told = in_config_file("rid.toml", err)
    >>> print(told)
    config file 'rid.toml': config key 'run.epochs' must be >= 1, got 0; fix the value in that file
    >>> told.key, told.value
    ('run.epochs', 0)
    >>> print(in_config_file("rid.toml", ValueError("unknown config key 'run.epoch'")))
    config file 'rid.toml': unknown config key 'run.epoch'
    """
    told = f"config file {str(path)!r}: {str(err).removesuffix(LOADER_FIX)}"
    if isinstance(err, ConfigEntryError):  # a name or a table's entries: as the command tells it
        return err.retold(told)
    if isinstance(err, ConfigValueError) and err.key is not None:
        fix = "" if err.advised else "; fix the value in that file"
        return ConfigValueError(f"{told}{fix}", err.key, err.value, related=err.related,
                                advised=err.advised)
    if isinstance(err, TypeError):
        return TypeError(f"{told}; fix the value in that file")
    return ValueError(told)  # an unknown key or section: no value to fix


def read_config_file(path: str | Path) -> dict[str, Any]:
    """The tables of the TOML configuration file ``path``, read as they are (their keys and
    values are checked by :func:`~pidkit_distill.config.config_from_dict`).

    Raises
    ------
    ValueError
        ``path`` is a folder, no file, no TOML (JSON: what to do instead), or has the table
        that a run records of itself.
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"config file {str(path)!r} is a folder, not a file; pass the "
                         "path of the TOML file itself")
    if not path.is_file():
        raise ValueError(f"config file {str(path)!r} does not exist; pass a TOML file path")
    with path.open("rb") as handle:
        try:
            data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as err:
            raise ValueError(f"config file {str(path)!r} is not valid TOML: {err}"
                             f"{_json_hint(path)}") from err
        except UnicodeDecodeError as err:  # tomllib's own error names no file
            raise ValueError(
                f"config file {str(path)!r} is not valid TOML: not UTF-8 text (byte "
                f"{err.object[err.start]:#04x} at position {err.start})") from err
    if RECORDED in data:  # config_from_dict skips it, as a run's own config.json holds it
        raise ValueError(
            f"config file {str(path)!r} has a table [{RECORDED}]: what a run records of itself "
            "in its config.json, which no configuration sets; remove the table (name a teacher "
            "file with teacher.source)")
    return data
