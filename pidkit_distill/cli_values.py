"""Readers of single ``pidkit-distill`` option values, run by argparse as each option's
``type``: a bad value is refused at parse time, naming the option as the user typed it."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pidkit_distill.config import TrainConfig, config_fields, unchecked_config_from_dict
from pidkit_distill.config.registered_record import NAMED, recorded_registered
from pidkit_distill.config_errors import ConfigEntryError, ConfigValueError
from pidkit_distill.config_text import (
    LOADER_FIX,
    apply_overrides,
    in_config_file,
    read_config_file,
)
from pidkit_distill.folder_locks import lock_held
from pidkit_distill.name_check import NAMED_KEYS
from pidkit_distill.registry import BUILTIN_NAMES, registry_key
from pidkit_distill.run_folders.files import read_run_config
from pidkit_distill.run_folders.search import did_you_mean_run_folder, instead_of_folder
from pidkit_distill.run_folders.unwritten import RUN_LOCK_FILE, holds_unwritten_run

__all__ = ["GivenAs", "apply_option_values", "check_option_type", "demo_epochs",
           "key_value", "load_config_file", "name_errors_as_typed", "named_option",
           "resumed_run_dir", "run_folder_config", "unregistered_name_refusal",
           "value_as_typed"]


def demo_epochs(text: str) -> int:
    """``demo --epochs``, read as a whole number of at least 2 at once, so that its refusal
    names the option typed (it said 'epochs must be an int >= 2', the Python argument)."""
    try:
        epochs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if epochs < 2:
        raise argparse.ArgumentTypeError(
            "must be a whole number of at least 2 (RID's schedule scaled to one epoch leaves "
            f"its student none); got {epochs}, e.g. --epochs 2")
    return epochs


def key_value(text: str) -> str:
    """``--set``'s value, refused at once where it has no ``=``: ``--set run.epochs 3`` was
    told only 'unrecognized arguments: 3', the key having been taken as a whole override.
    An empty key or an empty part of one (``.epochs``, ``run.``) is refused in one line too,
    instead of the list of every known key. An empty value stays: ``--set run.name=`` clears
    a text key."""
    if "=" not in text:
        fix = f": write --set {text.strip()}=VALUE" if text.strip() else ""
        raise argparse.ArgumentTypeError(
            f"takes KEY=VALUE as one word, e.g. --set run.epochs=3; got {text!r}, with no "
            f"'='{fix}")
    key = text.split("=", 1)[0].strip()
    if not key:
        raise argparse.ArgumentTypeError(
            f"got {text!r}, whose key (before '=') is empty; write KEY=VALUE, "
            f"e.g. --set run.epochs=3")
    if "" in key.split("."):
        raise argparse.ArgumentTypeError(
            f"got {text!r}, whose key {key!r} has an empty part between dots; write "
            f"SECTION.NAME=VALUE, e.g. --set run.epochs=3")
    return text


class GivenAs(argparse.Action):
    """Store a configuration key's option value, and which of the option's names was typed
    (``--epochs`` or ``--run.epochs``) in the namespace's ``given_as`` (key to name), so that a
    mistake in the value names the option as the user wrote it."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        setattr(namespace, self.dest, values)
        typed = {**getattr(namespace, "given_as", {}), self.dest: option_string}
        namespace.given_as = typed


_TURNED_OFF = ("(0 = none", "(0 = never", "(0 = off")
"""What a key's help says where its value 0 turns its feature off (the help text of the key's
setting, not an error's message, which the command never reads)."""

_TURNED_ON = {float: 0.1, int: 5}
"""The example of a key whose default, 0, turns its feature off (:data:`_TURNED_OFF`), by its
type: such a float is a share (``data.val_fraction``), such an int a count of epochs
(``run.early_stop``, ``optim.warmup_epochs``)."""


def _example(option: str, key: str) -> str:
    """A right value of ``key`` as ``option`` takes it (``--epochs 30``, ``--set
    run.epochs=30``): the key's default, or a table's entry; where the default is 0 and turns
    the key's feature off (:data:`_TURNED_OFF`), a value that turns it on (:data:`_TURNED_ON`),
    the one a user who gave the key a wrong value meant to set.

    Examples
    --------
    >>> _example("--epochs", "run.epochs"), _example("--set", "data.options")
    ('--epochs 30', '--set data.options.NAME=VALUE')
    >>> _example("--data.val_fraction", "data.val_fraction")  # not 0.0, which is no split
    '--data.val_fraction 0.1'
    >>> _example("--set", "run.early_stop"), _example("--run.stop_after", "run.stop_after")
    ('--set run.early_stop=5', '--run.stop_after 0')
    """
    kind, default, text = next((kind, default, text) for name, default, kind, text
                               in config_fields() if name == key)
    if kind is dict:
        value = "NAME=VALUE"
        return f"--set {key}.{value}" if option == "--set" else f"{option} {value}"
    if default == 0 and kind in _TURNED_ON and any(words in text for words in _TURNED_OFF):
        default = _TURNED_ON[kind]
    value = str(default).lower() if kind is bool else str(default)
    return f"--set {key}={value}" if option == "--set" else f"{option} {value}"


def check_option_type(key: str, text: str, option: str) -> None:
    """Refuse ``text``, given to the configuration key ``key`` by ``option`` (as typed:
    ``--epochs``, ``--run.epochs``, or ``--set`` for ``--set KEY=TEXT``), where it is no value
    of the key's type, naming the option and ending with a right value of it.

    Ranges and choices are not checked here: some depend on other keys
    (``optim.milestones`` on ``optim.milestone_unit``), checked with the whole configuration.

    Raises
    ------
    TypeError
        ``text`` is no value of ``key``'s type, e.g. ``--epochs two: config key 'run.epochs'
        expects an int, got 'two' (str); e.g. --epochs 30``.
    """
    try:
        apply_overrides(TrainConfig(), [f"{key}={text}"])
    except TypeError as err:
        given = f"--set {shlex.quote(f'{key}={text}')}" if option == "--set" else \
            f"{option} {shlex.quote(text)}"
        message = str(err)
        if message.endswith(LOADER_FIX):
            message = f"{message.removesuffix(LOADER_FIX)}; e.g. {_example(option, key)}"
        raise TypeError(f"{given}: {message}") from err
    except ValueError:  # an unknown key, or a range: told with the whole configuration
        return


def load_config_file(path: str | None) -> TrainConfig:
    """The configuration of the ``--config`` file ``path`` (the defaults for ``None``), its
    ranges and choices not checked yet: :func:`apply_option_values` checks them once the
    options are applied, so that a value of the file that an option replaces is no mistake
    (``epochs = 0`` in the file, ``--epochs 3`` typed), and tells one that no option replaces
    naming the file. A value of the wrong type in it, an unknown section or key, are told naming
    the file (:func:`~pidkit_distill.config_text.in_config_file`), as
    :func:`~pidkit_distill.load_config` tells them.

    Raises
    ------
    TypeError
        A value of the file is of the wrong type.
    ValueError
        An unknown section or key of the file, naming the file; as
        :func:`~pidkit_distill.load_config` for a file that cannot be read.
    OSError
        As :func:`~pidkit_distill.load_config`.
    """
    if path is None:
        return TrainConfig()
    data = read_config_file(path)
    try:
        return unchecked_config_from_dict(data)
    except (TypeError, ValueError) as err:
        raise in_config_file(path, err) from err


def resumed_run_dir(args: argparse.Namespace) -> Path | None:
    """The run folder that ``--resume RUN_DIR`` names, or ``None`` where ``--resume`` (or
    ``--run.resume``) was given without one, with a spelling of true or false
    (``--resume``, ``--resume false``), or not at all.

    Examples
    --------
    >>> resumed_run_dir(argparse.Namespace(**{"run.resume": "runs/digits-bas-tt-s0"}))
    PosixPath('runs/digits-bas-tt-s0')
    >>> resumed_run_dir(argparse.Namespace(**{"run.resume": "true"})) is None
    True
    """
    value = vars(args).get("run.resume")
    if value is None:
        return None
    try:
        apply_overrides(TrainConfig(), [f"run.resume={value}"])
    except TypeError:  # no spelling of true or false: a run folder
        return Path(value).expanduser()
    return None


def run_folder_config(args: argparse.Namespace, run_dir: Path) -> TrainConfig:
    """The configuration that ``--resume RUN_DIR`` continues: the one that ``run_dir``'s
    ``config.json`` records, with ``run.resume`` true, ``run.out_dir`` and ``run.name`` those
    of ``run_dir`` (wherever the command runs, and wherever the folder was moved) and
    ``run.stop_after`` its default, 0 (the one recorded stopped the train that wrote it: the
    resume trains to ``run.epochs`` unless an option says otherwise), its ranges
    not checked yet (as :func:`load_config_file`'s: the options apply on top of it). A path to
    the run's ``checkpoint.pt`` or ``config.json`` stands for its folder.

    Raises
    ------
    ValueError
        ``run_dir`` is no run folder (missing: the closest name beside it that holds runs; no
        ``config.json``: what it holds instead; its lock file alone, a train's stopped before
        it saved ``config.json``: the command to rerun), its ``config.json`` is damaged (beside its
        ``checkpoint.pt``, the command to rerun, which writes it again) or of no run,
        or ``--config``, ``run.name`` or ``run.out_dir`` is given beside it (``run_dir`` names
        the run and its folder), or the command is not ``train``; each starting
        ``--resume RUN_DIR:``.
    OSError
        ``config.json`` cannot be read (no permission).

    Examples
    --------
    >>> import json, tempfile
    >>> from pidkit_distill.config import config_to_dict
    >>> folder = Path(tempfile.mkdtemp()) / "digits-kd-tt-s0"
    >>> folder.mkdir()
    >>> run = config_to_dict(TrainConfig())
    >>> run["method"]["name"], run["run"]["epochs"] = "kd", 40
    >>> _ = (folder / "config.json").write_text(json.dumps(run))
    >>> args = argparse.Namespace(command="train", config=None, overrides=[])
    >>> config = run_folder_config(args, folder)
    >>> config.method.name, config.run.epochs, config.run.resume, config.run.name
    ('kd', 40, True, 'digits-kd-tt-s0')
    >>> run_folder_config(args, folder.parent / "digits-kd-tt-s1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: --resume .../digits-kd-tt-s1: no such run folder. Did you mean '.../digits-kd-tt-s0'?
    """
    typed = vars(args).get("run.resume", str(run_dir))  # as typed: Path('') is '.'
    said = f"--resume {shlex.quote(typed)}"
    if getattr(args, "command", "train") != "train":
        raise ValueError(f"{said}: only train continues a run named by its folder; "
                         f"{args.command} continues its run when given the same options again")
    if args.config is not None:
        raise ValueError(f"{said}: --config {shlex.quote(args.config)} cannot be given with it: "
                         "the run's configuration is its config.json; give the values to change "
                         "as options (--audit-every 5, --set run.threads=1)")
    for key in ("run.name", "run.out_dir"):
        given, _ = named_option(args, key)
        if given != key:
            raise ValueError(f"{said}: {given} cannot be given with it: the run folder names "
                             "the run and where it is")
    if not typed:
        raise ValueError("--resume '': an empty path; pass the run folder to continue, or "
                         "--resume alone for the run folder that the other options name")
    run_dir = Path(os.path.abspath(run_dir))  # '.', '..' named by their own names
    if run_dir.name in ("checkpoint.pt", "config.json") and run_dir.is_file():
        run_dir = run_dir.parent
    if not run_dir.exists():
        hint = did_you_mean_run_folder(run_dir) or (
            "; pass a run folder (it holds the config.json and checkpoint.pt that "
            "`pidkit-distill train` writes), or --resume alone for the run folder that the "
            "other options name")
        raise ValueError(f"{said}: no such run folder{hint}")
    if not run_dir.is_dir():
        raise ValueError(f"{said}: it is a file, not a run folder; pass the folder that holds "
                         "the run's config.json and checkpoint.pt")
    if holds_unwritten_run(run_dir):  # its .lock alone: stopped before config.json
        raise ValueError(f"{said}: {_config_not_saved(run_dir)}")
    if not (run_dir / "config.json").exists():
        rest = ("; it holds a checkpoint.pt: rerun the command that made the run with --resume"
                if (run_dir / "checkpoint.pt").is_file() else instead_of_folder(run_dir))
        raise ValueError(f"{said}: no run folder: it holds no config.json, which "
                         "`pidkit-distill train` writes once the data is loaded and the "
                         f"teacher trained or read{rest}")
    try:
        config = unchecked_config_from_dict(read_run_config(run_dir))
    except (TypeError, ValueError) as err:
        raise ValueError(f"{said}: {err}") from err
    config.run.resume = True
    config.run.stop_after = TrainConfig().run.stop_after  # the stop of the train it continues
    config.run.out_dir = str(run_dir.parent)
    config.run.name = run_dir.name
    return config


def _config_not_saved(run_dir: Path) -> str:
    """Why ``--resume RUN_DIR`` cannot continue ``run_dir``, a run folder that a train made and
    saved no configuration in (:func:`~pidkit_distill.run_folders.unwritten.holds_unwritten_run`:
    its lock file alone, as while it loads the data and trains or reads its teacher, which it
    does before it writes ``config.json``), and what to do: by whether the train that locked it
    is still running (:func:`~pidkit_distill.folder_locks.lock_held`)."""
    rerun = f"rerun the command that started the run {run_dir.name!r} with --resume added"
    written = "config.json, written once the data is loaded and the teacher trained or read"
    held = lock_held(run_dir / RUN_LOCK_FILE)
    if held:
        return (f"its train is still running (it holds its {RUN_LOCK_FILE}) and has not saved "
                f"the run's configuration yet ({written}); let it run, or stop it and {rerun}")
    if held is None:
        return (f"its train saved no configuration ({written}), and is still running or was "
                f"stopped: its {RUN_LOCK_FILE} cannot be tested here (a file system that cannot "
                f"lock files, or no permission); look for its process (ps, squeue), and if none "
                f"runs, {rerun}")
    return (f"its train was stopped before it saved the run's configuration ({written}), so "
            f"--resume RUN_DIR cannot know it; {rerun}")


def apply_option_values(args: argparse.Namespace, config: TrainConfig,
                        overrides: Sequence[str]) -> TrainConfig:
    """``config`` with the command line's ``overrides`` applied
    (:func:`~pidkit_distill.apply_overrides`), a value out of its key's range or
    choices told naming the option as the user typed it (:func:`named_option`), as a value of
    the wrong type is (:func:`check_option_type`).

    Where the refused key's own value came from an option, its value is the option's, so the
    message's ``, got VALUE`` is left out, and a right value (the key's default) ends it unless
    the message ends with advice of its own or the check depends on other keys. Where only a
    key that the check depends on came from one (``--optim.milestone_unit epoch`` refusing the
    default ``optim.milestones``), that option is named before the whole message.

    Where no option gave the refused key or those it depends on, their values are the
    ``--config`` file's (:func:`load_config_file`; the defaults are in range), and the file is
    named.

    Raises
    ------
    ConfigValueError
        A value out of range, e.g. ``--epochs 0: config key 'run.epochs' must be >= 1; e.g.
        --epochs 30``, or ``config file 'rid.toml': config key 'run.epochs' must be >= 1, got
        0; fix the value in that file``.
    TypeError
        An item of a list of the ``--config`` file of the wrong type, naming the file
        (``config file 'rid.toml': config key 'optim.milestones' holds numbers, got 'x'; fix
        the value in that file``): every option's value was checked for its type as it was
        read (:func:`check_option_type`), so only the file's can be.
    ValueError, TypeError
        As :func:`~pidkit_distill.apply_overrides`.
    """
    try:
        return apply_overrides(config, overrides)
    except TypeError as err:
        if args.config is None:
            raise
        raise in_config_file(args.config, err) from err
    except ConfigValueError as err:
        if err.key is None:  # a check that knew no key: no option to name
            raise
        for key in (err.key, *err.related):
            given, option = named_option(args, key)
            if given != key:  # the key alone: from the --config file or the default
                break
        else:
            if args.config is None:
                raise
            raise in_config_file(args.config, err) from err
        message = str(err)
        if key == err.key:
            message = message.replace(f", got {err.value!r}", "", 1)
            if not (err.advised or err.related):  # the default may not fit the related keys
                message += f"; e.g. {_example(option.split()[0], key)}"
        raise ConfigValueError(f"{given}: {message}", err.key, err.value,
                               related=err.related, advised=True) from err


def named_option(args: argparse.Namespace, key: str) -> tuple[str, str]:
    """Where the value of the configuration key ``key`` came from, as the user gave it
    (``"--out-dir /x"``, ``"--set run.out_dir=/x"``, or the key alone, from the ``--config``
    file or the default), and how to give another value, ``VALUE`` standing for it
    (``"--out-dir VALUE"``, ``"--set run.out_dir=VALUE"``, ``"--run.out_dir VALUE"``). An entry
    of a table (``method.params.lam``) is named by the ``--set`` or the table's option that gave
    it (``"--method.params lam=10"``)."""
    sets = [item for item in args.overrides if item.split("=", 1)[0].strip() == key]
    if sets:
        return f"--set {shlex.quote(sets[-1])}", f"--set {key}=VALUE"
    table, _, entry = key.rpartition(".")
    items = vars(args).get(table)  # a table's option: its NAME=VALUE items
    entries = [item for item in items if item.split("=", 1)[0].strip() == entry] \
        if isinstance(items, list) else []
    if entries:
        return f"--{table} {shlex.quote(entries[-1])}", f"--{table} {entry}=VALUE"
    if key in vars(args):
        typed = getattr(args, "given_as", {}).get(key, f"--{key}")
        return f"{typed} {shlex.quote(str(vars(args)[key]))}", f"{typed} VALUE"
    return key, f"--{key} VALUE"


_FILE_KEYS = ("teacher.source", "data.root")
"""The keys naming a file or folder that the run's check reads, whose refusal (a
:class:`ValueError` or :class:`OSError`: missing, a folder, not a teacher) starts with the
key."""


@contextmanager
def name_errors_as_typed(args: argparse.Namespace, config: TrainConfig) -> Iterator[None]:
    """Re-raise an unknown data set, model, method or preset name, method parameter or data
    option, a wrn-D-K name of no WideResNet or a method parameter that must be finite, of
    ``config`` (resolved from the command line ``args``) naming the option as the user typed
    it (:func:`named_option`), read from the fields of the check's
    :class:`~pidkit_distill.ConfigEntryError` (its key, the table's entries at
    fault and what is wrong), not from its message: ``--method rdi: not a known
    method; choose one of [...] ... Did you mean 'rid'?`` (``method.name: 'rdi' is ...``
    from Python), ``--preset fast: not a preset of method 'rid'; ...``, ``--method.params
    n_warmup=3: unknown parameter(s) ['n_warmup'] for method 'rid'; ...``, ``--data.options
    foo=1: unknown option(s) ['foo'] for data set 'digits'; ...``, ``--model.student wrn-41-2:
    depth must be 6n+4 ...``, ``--method.params temperature=inf: parameter temperature of
    method 'kd' must be finite; got inf.``, ``--data.options train_fraction=2: train_fraction
    must be in (0, 1]; got 2.``, or an error of a method or data set of the user's own raised
    with those fields. A name from the ``--config`` file is told with the file's name and the
    key in full before the whole message: ``config file 'rid.toml': method.name: 'rdi' is
    not a known method; ...``, ``config file 'rid.toml': data.name: 'digitz' is not a known
    dataset; ...``. A check's refusal of one key's value, a
    :class:`~pidkit_distill.ConfigValueError` whose message starts with its key
    (``run.device: 'cuda' was asked for, but this machine has no CUDA device; use
    run.device=cpu or auto``), is told so too (:func:`value_as_typed`), and so is the
    refusal of a file that ``teacher.source`` or ``data.root`` of the ``--config`` file names
    (``config file 'rid.toml': teacher.source: teacher file 'traind' does not exist; ...``;
    typed as an option, the message names the file already). Other
    errors, and those of a name or value from the defaults, are raised as they are.

    Raises
    ------
    ValueError, TypeError, OSError
        Of the type raised in the ``with`` block.
    """
    try:
        yield
    except ConfigEntryError as err:
        message = unregistered_name_refusal(config, err.key) or (
            None if err.key is None else _as_typed(args, config, err))
        if message is None:
            raise
        raise err.retold(message) from err
    except ConfigValueError as err:
        message = value_as_typed(args, config, err)
        if message is None:
            raise
        raise ConfigValueError(message, err.key or "", err.value, related=err.related,
                               advised=err.advised) from err
    except (ValueError, OSError) as err:  # a file a key names: "teacher.source: teacher file ..."
        key = str(err).partition(": ")[0]
        # from the --config file only: an option typed would repeat the path the message names
        message = value_as_typed(args, config, ConfigValueError(str(err), key, None)) \
            if key in _FILE_KEYS and named_option(args, key)[0] == key else None
        if message is None:
            raise
        try:
            retold = type(err)(message)
        except TypeError:  # a type of its own arguments: its base's
            retold = (ValueError if isinstance(err, ValueError) else OSError)(message)
        raise retold from err


def unregistered_name_refusal(config: TrainConfig, key: str | None) -> str | None:
    """The refusal of the name of ``key`` (``data.name``, ``model.teacher``, ``model.student``,
    ``method.name``) that ``config``, a resume, holds and that no registry of this process
    knows, where the run's ``config.json`` records the module of the user's that registered it
    (:func:`~pidkit_distill.config.registered_record.recorded_registered`): ``data.name: 'my-digits'
    is not known in this process: this run registered it from /p/my_models.py; add --import
    /p/my_models.py ...``, in place of the unknown name's refusal, whose closest package name
    (``Did you mean 'digits'?``) was no fix. ``None`` where ``config`` resumes no run folder
    that it names (``run.resume`` true and ``run.name`` given: ``--resume RUN_DIR`` gives
    both), the folder records no module for ``key``, or the name is known.

    Examples
    --------
    >>> import json, tempfile
    >>> from pidkit_distill.config import config_to_dict
    >>> out = Path(tempfile.mkdtemp())
    >>> (out / "r").mkdir()
    >>> config = TrainConfig()
    >>> config.data.name, config.run.out_dir, config.run.name = "my-digits", str(out), "r"
    >>> run = config_to_dict(config)
    >>> run["recorded"] = {"registered": {"data.name": "/p/my_models.py"}}
    >>> _ = (out / "r" / "config.json").write_text(json.dumps(run))
    >>> unregistered_name_refusal(config, "data.name") is None   # not a resume
    True
    >>> config.run.resume = True
    >>> print(unregistered_name_refusal(config, "data.name"))
    data.name: 'my-digits' is not known in this process: this run registered it from \
/p/my_models.py; add --import /p/my_models.py (a run folder records the names it used and the \
module that registered them, but imports no module)
    """
    if key not in NAMED or not config.run.resume or not config.run.name:
        return None
    try:
        recorded = read_run_config(Path(config.run.out_dir).expanduser() / config.run.name)
    except (OSError, ValueError):  # no run folder yet, or one the resume tells the fault of
        return None
    source = recorded_registered(recorded).get(key)
    section, field = key.split(".")
    name = getattr(getattr(config, section), field)
    if source is None or _known_now(key, name):
        return None
    said = f"{key}: {name!r} is not known in this process: this run registered it"
    if source == "__main__":
        return (f"{said} in __main__ (a notebook, or python -c), which no --import gives; "
                "register it again there and resume the run from Python (train(config) with "
                "config.run.resume = True), or move the registration into a module and pass "
                "it with --import")
    return (f"{said} from {source}; add --import {shlex.quote(source)} (a run folder records "
            "the names it used and the module that registered them, but imports no module)")


def _known_now(key: str, name: object) -> bool:
    """Whether a registry of this process knows ``name`` for ``key``: the package's own names
    where the registry of its kind is not imported yet (no module of the user's was)."""
    for named, kind, _, module, available in NAMED_KEYS:
        if named == key:
            listed = getattr(sys.modules[module], available)() if module in sys.modules \
                else BUILTIN_NAMES[kind]
            return isinstance(name, str) and registry_key(name) in listed
    return False


def value_as_typed(args: argparse.Namespace, config: TrainConfig, err: ConfigValueError
                   ) -> str | None:
    """The message of ``err``, a check's refusal of the value of its ``key``, whose message
    starts with the key (``run.device: ...``), naming where that value came from
    (:func:`named_option`): the option as typed in place of the key, and the key's other
    settings it advises (``run.device=cpu``) as that option takes them (``--device cpu``);
    or, for a value of the ``--config`` file, the file's name before the whole message.
    ``None`` where the value is the default's, or the message does not start with the key.

    Examples
    --------
    >>> from pidkit_distill import ConfigValueError, load_config
    >>> err = ConfigValueError("run.device: 'cuda' was asked for, but this machine has no "
    ...                        "CUDA device; use run.device=cpu or auto", "run.device", "cuda")
    >>> typed = argparse.Namespace(overrides=[], config=None, **{"run.device": "cuda"},
    ...                            given_as={"run.device": "--device"})
    >>> print(value_as_typed(typed, load_config(overrides=["run.device=cuda"]), err))
    --device cuda: 'cuda' was asked for, but this machine has no CUDA device; use --device \
cpu or auto
    >>> in_file = argparse.Namespace(overrides=[], config="gpu.toml")
    >>> print(value_as_typed(in_file, load_config(overrides=["run.device=cuda"]), err))
    config file 'gpu.toml': run.device: 'cuda' was asked for, but this machine has no CUDA \
device; use run.device=cpu or auto
    """
    key, message = err.key, str(err)
    if key is None or not message.startswith(f"{key}: "):
        return None
    given, how = named_option(args, key)
    if given != key:  # an option gave it
        said = message.removeprefix(f"{key}: ").replace(f"{key}=", how.removesuffix("VALUE"))
        return f"{given}: {said}"
    if args.config is not None and _value_of(config, key) != _value_of(TrainConfig(), key):
        return f"config file {args.config!r}: {message}"
    return None


def _as_typed(args: argparse.Namespace, config: TrainConfig, err: ConfigEntryError
              ) -> str | None:
    """The message of ``err``, a check's error of a key, naming the options typed or the
    ``--config`` file instead (:func:`name_errors_as_typed`); ``None`` for one of the
    defaults."""
    key, said = err.key or "", err.said
    keys = [f"{key}.{entry}" for entry in err.entries] if err.entries else [key]
    typed = [given for given in (named_option(args, key)[0] for key in keys)
             if given not in keys]
    in_file = args.config is not None and any(
        _value_of(config, key) != _value_of(TrainConfig(), key)
        for key in keys if named_option(args, key)[0] == key)
    if not typed:  # the file's key named in full, as an option names it (data.name, not data)
        return f"config file {args.config!r}: {err.keyed(key, key)}" if in_file else None
    also = f" (and config file {args.config!r})" if in_file else ""
    return f"{', '.join(typed)}{also}: {said}"


def _value_of(config: TrainConfig, key: str) -> object:
    """The value of ``key`` in ``config``, an entry of a table too (``method.params.lam``;
    ``None`` where the table has none)."""
    section, name, *entry = key.split(".", 2)
    value = getattr(getattr(config, section), name)
    return value.get(entry[0]) if entry else value
