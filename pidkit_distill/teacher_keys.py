"""The teacher's keys (no torch): those of a student's run that the teacher's run does not read,
and why; and the record of which teacher file a run read.

``pidkit-distill train-teacher`` hides the unread keys from its help and refuses or warns about
them on its command line without importing PyTorch;
:func:`pidkit_distill.training.teacher.teacher_run_config` is the run that does not read them.
A relative ``teacher.source`` names a file from the folder the run is trained in, which the
configuration does not say: :func:`teacher_file_now` is the file it names there, which a run's
``config.json`` records in its table :data:`RECORDED`, beside the settings
(:func:`with_teacher_file`, :func:`recorded_teacher_file`; the report tells teachers apart by
it). A record is no setting: no configuration sets it (:func:`record_hint`). The settings
that a teacher depends on (:func:`teacher_key`) name its folder and are compared with those its
cached file records. A teacher registered by the user is keyed by its code too
(:func:`code_fingerprint`), not only by the module that registered it.
"""

from __future__ import annotations

import dis
import functools
import hashlib
import json
import os
import re
import site
import sys
import sysconfig
import types
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["CODE_IN_KEY", "RECORDED", "REGISTERED_IN_KEY", "TEACHER_KEYS", "code_fingerprint",
           "flat_settings", "record_hint", "recorded_teacher_file", "teacher_file_now",
           "teacher_key", "unused_by_teacher", "with_teacher_file"]

# The table of a run's config.json that holds what the run recorded of itself, beside its
# settings' sections: "teacher_file", the file its teacher.source named (teacher_file_now).
RECORDED = "recorded"
_TEACHER_FILE = "teacher_file"

# The student's keys that have a teacher's counterpart, which the teacher's run reads instead.
TEACHER_KEYS = {"run.epochs": "teacher.epochs", "run.seed": "teacher.seed",
                "optim.lr": "teacher.lr"}

# Why the teacher's run (teacher_run_config) does not read the other keys of a student's run;
# a key ending in "." stands for its whole section.
_UNUSED_BY_TEACHER = {
    "model.student": "the teacher is model.teacher",
    "teacher.source": "the teacher is trained, or the one trained before with the same "
                      "settings is reused",
    "method.": "the teacher trains with cross-entropy alone",
    "audit.": "the teacher's run has no audit",
    "run.audit_every": "the teacher's run has no audit",
    "run.name": "the teacher's run folder is named by its settings "
                "(teacher-DATA-MODEL-sSEED-eEPOCHS-HASH)",
    "run.resume": "an interrupted teacher's run is always resumed",
    "run.stop_after": "the teacher's run trains teacher.epochs epochs",
}


def unused_by_teacher(key: str) -> str | None:
    """Why the teacher's run (:func:`~pidkit_distill.training.teacher.teacher_run_config`) does
    not read the config key ``key``, or ``None`` when it does.

    Examples
    --------
    >>> unused_by_teacher("run.epochs")
    "it is the student's; the teacher's is teacher.epochs"
    >>> unused_by_teacher("method.params.lam")
    'the teacher trains with cross-entropy alone'
    >>> unused_by_teacher("data.batch_size") is None
    True
    """
    if key in TEACHER_KEYS:
        return f"it is the student's; the teacher's is {TEACHER_KEYS[key]}"
    return next((why for k, why in _UNUSED_BY_TEACHER.items()
                 if key == k or (k.endswith(".") and key.startswith(k))), None)


# The names a teacher's run reads that the user may have registered: its data set and its model.
_TEACHER_NAMES = ("data.name", "model.teacher")
# Where teacher_key (and flat_settings of it) holds the module that each of them came from.
REGISTERED_IN_KEY = "registered"
# Where teacher_key holds the fingerprint of the code of a model.teacher the user registered.
CODE_IN_KEY = "code"


def teacher_key(settings: Mapping[str, Any], registered: Mapping[str, str],
                code: str | None = None) -> dict[str, Any]:
    """The settings of a teacher's run (its configuration as a dict) that the teacher depends
    on, which its folder's name hashes
    (:func:`~pidkit_distill.training.teacher.teacher_run_config`) and its cached file must
    record: the sections ``data`` (less ``num_workers`` and ``eval_batch_size``), ``model``,
    ``teacher`` and ``optim``, as JSON reads them back; and, under :data:`REGISTERED_IN_KEY`,
    where its data set and ``model.teacher`` come from where the user registered them
    (``registered``: :func:`~pidkit_distill.registered_record.registered_now` of the settings,
    or what a file records), so that one name registered by two modules is two teachers; and,
    under :data:`CODE_IN_KEY`, ``code``, the fingerprint of a registered ``model.teacher``'s
    code (:func:`code_fingerprint`), where given, so that a builder edited in place (a notebook's
    cell run again) is another teacher. A teacher of the package's names alone has the key it
    always had.

    Examples
    --------
    >>> settings = {"data": {"name": "blobs", "num_workers": 2}, "run": {"seed": 1}}
    >>> teacher_key(settings, {})
    {'data': {'name': 'blobs'}, 'model': None, 'optim': None, 'teacher': None}
    >>> teacher_key(settings, {"data.name": "/a/m.py", "model.student": "/a/m.py"})["registered"]
    {'data.name': '/a/m.py'}
    >>> teacher_key(settings, {}, "0123abcd")["code"]
    '0123abcd'
    """
    key = {k: settings.get(k) for k in ("data", "model", "teacher", "optim")}
    if isinstance(key["data"], dict):
        key["data"] = {k: v for k, v in key["data"].items() if k not in ("num_workers",
                                                                          "eval_batch_size")}
    sources = {name: registered[name] for name in _TEACHER_NAMES if name in registered}
    if sources:
        key[REGISTERED_IN_KEY] = sources
    if code is not None:
        key[CODE_IN_KEY] = code
    return json.loads(json.dumps(key, sort_keys=True))


def code_fingerprint(builder: Any) -> str:
    """A fingerprint (16 hex digits) of the code of a registered ``builder`` (a function, a
    class, a ``functools.partial``, a callable object): what :func:`teacher_key` keys a
    registered teacher by, so that its cached file is reused only by the code that trained it.

    It hashes (BLAKE2b) what the code does, not where it is written: a function's bytecode,
    constants, names, argument names and defaults, its nested functions' and lambdas' alike,
    the values it closes over; a class's bases and the members it defines (methods, properties,
    values), sorted by name. From these it follows the globals of its module that the code
    reads (not an attribute of the same name: ``self.data`` is no global ``data``) and the
    values above: every function and class, where that is the user's code (a notebook's, a
    script's, a module of one's own; not Python's, an installed package's (torch) or pidkit's,
    which change with their versions), the items of a tuple, list, set or dict (a notebook's
    settings, its table of helpers), any other object by its repr and, where its class is the
    user's, by its class's code. So a builder edited in place (a notebook's cell run again,
    ``ReLU`` made ``Tanh``), or a helper, a module class or a setting of yours that it reads (a
    default ``block=MyBlock`` included), has another fingerprint; lines moved, comments, the
    file's path and the module's name (a script run as ``__main__`` or imported) do not change
    it. It is stable across processes for the same code and Python version: no memory address
    (stripped from reprs), set order or hash seed enters it (a value that holds itself is
    walked once); another Python version compiles other bytecode (one retrain).

    Examples
    --------
    >>> def relu_net(*, num_classes, in_channels):
    ...     return ("ReLU", num_classes)
    >>> def tanh_net(*, num_classes, in_channels):
    ...     return ("Tanh", num_classes)
    >>> len(code_fingerprint(relu_net)), code_fingerprint(relu_net) == code_fingerprint(tanh_net)
    (16, False)
    >>> code_fingerprint(functools.partial(relu_net, num_classes=3)) == code_fingerprint(relu_net)
    False
    """
    digest = hashlib.blake2b(digest_size=8)
    for part in _code_parts(builder, set()):
        digest.update(part.encode("utf-8", "backslashreplace") + b"\0")
    return digest.hexdigest()


# what a class's namespace holds of where it is written (its line, from Python 3.13), not of what
# it does
_CLASS_BOOKKEEPING = ("__dict__", "__weakref__", "__module__", "__doc__", "__qualname__",
                      "__firstlineno__", "__static_attributes__")
# a memory address in a repr (<object at 0x7f...>), which differs from process to process
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
# values whose repr is what they are, the same in every process
_PLAIN = (type(None), bool, int, float, complex, str, bytes)


def _code_parts(obj: Any, seen: set[int]) -> Iterator[str]:
    """The texts that :func:`code_fingerprint` hashes for ``obj``, following the user's code
    it names; each function or class once (``seen``: their ids, and those of the containers
    being walked)."""
    while isinstance(obj, functools.partial):
        yield "partial"
        yield from _value_parts(obj.args, seen)
        yield from _value_parts(dict(sorted(obj.keywords.items())), seen)
        obj = obj.func
    if isinstance(obj, types.MethodType):
        yield from _state_parts(obj.__self__, seen)
        obj = obj.__func__
    if not isinstance(obj, (types.FunctionType, type)):  # a callable object: its class's code
        yield from _state_parts(obj, seen)
        obj = type(obj)
    users = _is_users(obj)
    if id(obj) in seen or not users:
        # the user's code by its name alone, as that of a script's __main__ is when imported
        module = "" if users else f"{getattr(obj, '__module__', '?')}."
        yield f"{module}{getattr(obj, '__qualname__', '?')}"
        return
    seen.add(id(obj))
    if isinstance(obj, type):
        yield f"class {obj.__qualname__}"
        for base in obj.__bases__:
            yield from _code_parts(base, seen)
        for member, value in sorted(vars(obj).items()):
            if member not in _CLASS_BOOKKEEPING:
                yield member
                yield from _value_parts(value, seen)
        return
    yield from _bytecode_parts(obj.__code__)
    yield from _value_parts(obj.__defaults__, seen)
    yield from _value_parts(dict(sorted((obj.__kwdefaults__ or {}).items())), seen)
    for cell in obj.__closure__ or ():
        try:
            value = cell.cell_contents
        except ValueError:  # a cell not yet set
            value = None
        yield from _value_parts(value, seen)
    for global_name in sorted(_globals_read(obj.__code__) & obj.__globals__.keys()):
        value = obj.__globals__[global_name]
        if not isinstance(value, types.ModuleType):
            yield global_name
            yield from _value_parts(value, seen)
        elif _is_users(value):  # mymodels.Net(...)
            for attribute in sorted(_names(obj.__code__)):
                member = getattr(value, attribute, None)
                if isinstance(member, (types.FunctionType, type)):
                    yield from _code_parts(member, seen)


def _state_parts(instance: Any, seen: set[int]) -> Iterator[str]:
    """The texts of the object a builder is (a callable object) or is bound to: its attributes,
    sorted by name; a class's code."""
    if isinstance(instance, type):
        yield from _code_parts(instance, seen)
        return
    for name, value in sorted(getattr(instance, "__dict__", {}).items()):
        yield name
        yield from _value_parts(value, seen)


def _value_parts(value: Any, seen: set[int]) -> Iterator[str]:
    """The texts of a value that the code reads (a closure cell, a default, a class member, a
    global, an attribute, a ``functools.partial``'s argument, an item of one of these): code
    followed; a container's items, a set's sorted (their order follows the hash seed); a plain
    value as it is; any other object by its repr without memory addresses (by its type where
    its repr fails), and by its class's code where that is yours. A container that holds
    itself is walked once."""
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    if isinstance(value, property):
        for accessor in (value.fget, value.fset, value.fdel):
            yield from _value_parts(accessor, seen)
    elif isinstance(value, (types.FunctionType, type, functools.partial, types.MethodType)):
        yield from _code_parts(value, seen)
    elif isinstance(value, _PLAIN):
        yield repr(value)
    elif isinstance(value, (set, frozenset)):
        # each item walked from the same start, so that the order they are met in does not
        # matter
        yield from _walked(value, seen, iter(sorted("\x1f".join(_value_parts(item, set(seen)))
                                                    for item in value)))
    elif isinstance(value, (tuple, list)):
        yield from _walked(value, seen, (part for item in value
                                         for part in _value_parts(item, seen)))
    elif isinstance(value, dict):
        yield from _walked(value, seen, (part for item in value.items()
                                         for part in _value_parts(item, seen)))
    else:
        try:
            yield _ADDRESS.sub("0x", repr(value))
        except Exception:  # an object half made, whose repr reads what it lacks
            yield f"{type(value).__module__}.{type(value).__qualname__}"
        if _is_users(type(value)):
            yield from _code_parts(type(value), seen)


def _walked(value: Any, seen: set[int], parts: Iterator[str]) -> Iterator[str]:
    """The texts ``parts`` of the container ``value``, bracketed; ``...`` where it is already
    being walked (it holds itself)."""
    if id(value) in seen:
        yield "..."
        return
    seen.add(id(value))
    yield f"{type(value).__qualname__}("
    yield from parts
    yield ")"
    seen.discard(id(value))


def _bytecode_parts(code: types.CodeType) -> Iterator[str]:
    """A code object's bytecode, names and constants, its nested code objects' alike; not its
    file, line numbers or name."""
    yield code.co_code.hex()
    yield f"{code.co_argcount},{code.co_kwonlyargcount},{code.co_flags}"
    yield ",".join(code.co_names + code.co_varnames + code.co_freevars)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _bytecode_parts(const)
        else:
            yield from _value_parts(const, set())


def _names(code: types.CodeType) -> set[str]:
    """The names that ``code`` and the code nested in it read as globals or attributes."""
    return set(code.co_names).union(*(_names(c) for c in code.co_consts
                                      if isinstance(c, types.CodeType)))


def _globals_read(code: types.CodeType) -> set[str]:
    """The names that ``code`` and the code nested in it read as globals (not as attributes:
    ``self.data`` does not read a global ``data``)."""
    return {instruction.argval for instruction in dis.get_instructions(code)
            if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME")}.union(
        *(_globals_read(c) for c in code.co_consts if isinstance(c, types.CodeType)))


# the folders of code that is not the user's: Python's own and installed packages'
_NOT_USERS = tuple(os.path.realpath(path) + os.sep for path in {
    *(sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")),
    *site.getsitepackages(), site.getusersitepackages()})
# the packages whose code changes with their versions, wherever they are installed
_PACKAGES = ("pidkit", "pidkit_distill", "torch", "numpy")


def _is_users(obj: Any) -> bool:
    """Whether the function, class or module ``obj`` is the user's code: (defined in) a
    notebook's or a script's ``__main__``, code run as a module that is not imported, or a
    module whose file is outside Python's and installed packages' folders; not one of
    :data:`_PACKAGES`."""
    module_name = (obj.__name__ if isinstance(obj, types.ModuleType)
                   else getattr(obj, "__module__", None) or "")
    if module_name.split(".")[0] in _PACKAGES or module_name in sys.builtin_module_names:
        return False
    module = sys.modules.get(module_name)
    file = getattr(module, "__file__", None)
    if isinstance(file, str) and not file.startswith("<"):
        return not os.path.realpath(file).startswith(_NOT_USERS)
    # code run as a module that is not imported (a notebook's cell), python - ("<stdin>"), a
    # notebook's __main__; not a frozen or namespace module, which have no file either
    return module is None or module_name == "__main__" or isinstance(file, str)


def flat_settings(settings: Any, prefix: str = "") -> dict[str, Any]:
    """Nested settings as ``{"section.key": value}`` (a non-empty dict is a level deeper).

    Examples
    --------
    >>> flat_settings({"data": {"name": "digits", "options": {}}, "registered": {"data.name": "m"}})
    {'data.name': 'digits', 'data.options': {}, 'registered.data.name': 'm'}
    """
    if isinstance(settings, dict) and settings:
        return {key: value for name, inner in settings.items()
                for key, value in flat_settings(inner, f"{prefix}{name}.").items()}
    return {prefix[:-1]: settings}


def teacher_file_now(source: Any) -> str | None:
    """The file that the ``teacher.source`` ``source`` names from the current folder: its
    absolute path (``~`` the home folder, links followed), where it is a file; ``None`` for
    ``trained`` and ``untrained``, and where no file is there.

    The same file however it is spelt (relative, absolute, through a link) has one such path;
    a relative name (``teacher.pt``) has one for each folder that holds a file of that name.

    Examples
    --------
    >>> import tempfile
    >>> folder = os.path.realpath(tempfile.mkdtemp())
    >>> file, link = os.path.join(folder, "t.pt"), os.path.join(folder, "link.pt")
    >>> open(file, "wb").close(); os.symlink(file, link)
    >>> teacher_file_now(link) == teacher_file_now(folder + "/./t.pt") == file
    True
    >>> teacher_file_now("untrained"), teacher_file_now("missing.pt")
    (None, None)
    """
    if not isinstance(source, str) or source in ("trained", "untrained"):
        return None
    path = os.path.expanduser(source)
    return os.path.realpath(path) if os.path.isfile(path) else None  # False for a NUL byte


def with_teacher_file(settings: dict[str, Any], teacher_file: str | None) -> dict[str, Any]:
    """A run's ``settings`` (:func:`~pidkit_distill.config.config_to_dict`) as its
    ``config.json`` holds them: with the record of the teacher file it read (an absolute path,
    :func:`teacher_file_now`) in the table :data:`RECORDED`, where ``teacher_file`` is one.

    Examples
    --------
    >>> with_teacher_file({"run": {"seed": 1}}, "/p/t.pt")
    {'run': {'seed': 1}, 'recorded': {'teacher_file': '/p/t.pt'}}
    >>> with_teacher_file({"run": {"seed": 1}}, None)
    {'run': {'seed': 1}}
    """
    if teacher_file is None:
        return settings
    return {**settings, RECORDED: {_TEACHER_FILE: teacher_file}}


def recorded_teacher_file(config: Mapping[str, Any]) -> str | None:
    """The teacher file that a run's ``config`` (its ``config.json``) records it read
    (:func:`with_teacher_file`); ``None`` where it records none (a teacher that is no file, a
    run of a version that recorded none) or something that is no absolute path.

    Examples
    --------
    >>> recorded_teacher_file({"recorded": {"teacher_file": "/p/t.pt"}})
    '/p/t.pt'
    >>> recorded_teacher_file({"run": {"teacher_file": "/p/t.pt"}}) is None
    True
    """
    table = config.get(RECORDED)
    file = table.get(_TEACHER_FILE) if isinstance(table, Mapping) else None
    return file if isinstance(file, str) and os.path.isabs(file) else None


def record_hint(name: str) -> str:
    """What a message refusing the configuration key (or setting) ``name`` says where it names
    a run's record (:data:`RECORDED`, the teacher file it read), ending the sentence before
    it; or nothing.

    Examples
    --------
    >>> record_hint("run.teacher_file")
    ". 'run.teacher_file' is no setting: a run records the teacher file it read in its \
config.json (as recorded.teacher_file), and no configuration sets it; name the teacher \
with teacher.source"
    >>> record_hint("recorded.registered")
    ". 'recorded.registered' is no setting: a run records in its config.json's table \
'recorded' what it read (the teacher file, where the names you registered come from), and no \
configuration sets it; remove it"
    >>> record_hint("run.epoch")
    ''
    """
    if name.rsplit(".", 1)[-1] != _TEACHER_FILE:
        if name.split(".", 1)[0] != RECORDED:
            return ""
        return (f". {name!r} is no setting: a run records in its config.json's table "
                f"{RECORDED!r} what it read (the teacher file, where the names you registered "
                "come from), and no configuration sets it; remove it")
    return (f". {name!r} is no setting: a run records the teacher file it read in its "
            f"config.json (as {RECORDED}.{_TEACHER_FILE}), and no configuration sets it; name "
            "the teacher with teacher.source")
