"""A fingerprint of a user's code (no torch): what a registered teacher's cached file is keyed
by (:func:`~pidkit_distill.config.teacher_keys.teacher_key`), so that a builder edited in place is
another teacher; and the fingerprints of teachers' builders as their builds leave them
(:class:`BuilderFingerprints`), so that a builder that changes a value it reads (a list it
appends to) is the same teacher at each build.
"""

from __future__ import annotations

import dis
import functools
import hashlib
import os
import re
import site
import sys
import sysconfig
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["BuilderFingerprints", "code_fingerprint"]


def code_fingerprint(builder: Any) -> str:
    """A fingerprint (16 hex digits) of the code of a registered ``builder`` (a function, a
    class, a ``functools.partial``, a callable object): what
    :func:`~pidkit_distill.config.teacher_keys.teacher_key` keys a registered teacher by, so that its
    cached file is reused only by the code that trained it.

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


@dataclass
class _Watched:
    """A builder looked at under a name: the fingerprint its teacher is keyed by, and its
    :func:`code_fingerprint` when last looked at."""

    builder: Any
    key: str
    seen: str


class BuilderFingerprints:
    """The fingerprints that the builders of teachers, registered under names, are keyed by:
    each one's :func:`code_fingerprint` as it was when first looked at (:meth:`fingerprint`:
    before a run first builds it as its teacher), or when your code last changed it since (a
    setting it reads edited: another teacher), not as the builds change it.

    A builder that changes a value it reads as it builds (a module's list or dict it appends
    to, a counter, a default argument it fills), or whose network trains a tensor it reads in
    place, changed its :func:`code_fingerprint` at each build or run: a run that built it once
    more before it took the fingerprint, or a second run in the same process, trained another
    teacher. What changes while pidkit builds or runs (:meth:`building`: a build, a check, a
    run, in which a student's build may append to the list that the teacher's reads) is left
    out; what changes between them is yours. Only the builders looked at are watched (a run's
    teacher's and student's, whose fingerprints its checkpoints record), once as a block starts
    and once as it ends, never at each build (a value it reads may be slow to walk, a list of a
    million items). :meth:`adopt` keys a builder by another process's fingerprint of it (rank
    0's).

    Examples
    --------
    >>> cell = {"__name__": "notebook"}  # a notebook's code
    >>> exec('''if True:
    ...     built, width = [], {"hidden": 8}
    ...     def build(*, num_classes, in_channels):
    ...         built.append(num_classes)
    ...         return (width["hidden"], num_classes)''', cell)
    >>> build, watched = cell["build"], BuilderFingerprints()
    >>> first = watched.fingerprint("my-net", build)
    >>> with watched.building():
    ...     _ = build(num_classes=3, in_channels=1)
    >>> watched.fingerprint("my-net", build) == first != code_fingerprint(build)
    True
    >>> cell["width"]["hidden"] = 16  # a setting of yours: another teacher
    >>> watched.fingerprint("my-net", build) == code_fingerprint(build) != first
    True
    """

    def __init__(self) -> None:
        self._watched: dict[str, _Watched] = {}
        self._builds = 0  # builds under way (a builder may build another)
        self._lock = threading.RLock()

    def forget(self, name: str | None) -> None:
        """Stop watching the builder registered as ``name`` (unregistered); ``None`` or a name
        not watched: nothing."""
        with self._lock:
            self._watched.pop(name, None)  # type: ignore[arg-type]  # None is no key: pops nothing

    def fingerprint(self, name: str, builder: Any) -> str:
        """The fingerprint that ``builder``, registered as ``name``, is keyed by: its
        :func:`code_fingerprint` when first looked at (from then on it is watched), or as your
        code changed it since, less what builds changed."""
        with self._lock:
            return self._looked_at(name, builder).key

    def adopt(self, name: str, builder: Any, fingerprint: str) -> None:
        """Key ``builder``, registered as ``name``, by ``fingerprint`` (another process's
        :meth:`fingerprint` of it: rank 0's) until your code changes it."""
        with self._lock:
            self._looked_at(name, builder).key = fingerprint

    @contextmanager
    def building(self) -> Iterator[None]:
        """Inside the block pidkit builds, checks or runs: what changes in the fingerprints
        of the builders watched is the block's, not a change of yours. Blocks nest; the
        builders are walked as the outermost one starts and as it ends, not in between."""
        with self._lock:
            if not self._builds:
                for name, watched in list(self._watched.items()):
                    self._looked_at(name, watched.builder)
            self._builds += 1
        try:
            yield
        finally:
            with self._lock:
                self._builds -= 1
                if not self._builds:
                    for watched in self._watched.values():
                        watched.seen = code_fingerprint(watched.builder)

    def _looked_at(self, name: str, builder: Any) -> _Watched:
        """The record of ``builder`` as ``name``, its key moved on to its fingerprint now where
        that changed since it was last looked at outside a build (by your code)."""
        watched = self._watched.get(name)
        if watched is None or watched.builder is not builder:
            now = code_fingerprint(builder)
            watched = self._watched[name] = _Watched(builder, now, now)
        elif not self._builds:
            now = code_fingerprint(builder)
            if now != watched.seen:
                watched.key = watched.seen = now
        return watched


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
                used = getattr(value, attribute, None)
                if isinstance(used, (types.FunctionType, type)):
                    yield from _code_parts(used, seen)


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
