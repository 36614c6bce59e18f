"""Whether a callable registered again under a name is the definition it holds, re-made.

A notebook cell run a second time makes new objects of the same definition; the registry
(:class:`~pidkit_distill.registry.Registry`) lets such a registration replace the first and
refuses another definition. :func:`same_definition` tells them apart by content (functions by
module, qualified name and the values they close over, lambdas by code, partials by function and
arguments, instances by class and attributes, arrays and tensors element by element);
:func:`described` names the earlier definition in the refusal.
"""

from __future__ import annotations

import functools
import reprlib
import sys
import types
from typing import Any

import numpy as np

__all__ = ["described", "same_definition"]


def _qualified(obj: object) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


# what the "already registered (to ...)" error shows of a value: a long repr cut, one that raises
# shown as such (reprlib catches it)
_SHORT = reprlib.Repr()
_SHORT.maxother = 80
# an attribute or closure cell without a value, the same in two definitions
_UNSET = object()


def _shown(obj: object) -> str:
    """A value as the "already registered (to ...)" error shows it: a function's or class's
    qualified name (its repr has a memory address), otherwise a short repr on one line."""
    return _qualified(obj) if hasattr(obj, "__qualname__") else " ".join(_SHORT.repr(obj).split())


def same_definition(old: object, new: object) -> bool:
    """Whether ``new``, registered under a name that ``old`` holds, is the same definition (a
    notebook cell run again, which makes new objects) rather than another one: a function or
    class of the same module and qualified name, closing over the same values; a lambda (any
    lambda of a module is ``<lambda>``) of the same code, which compares by what it does and its
    line, and defaults; a ``functools.partial`` of the same function and arguments; a bound
    method of the same function and object; an instance of the same class with the same
    attributes. Values compare by content, an array's every element included (not by repr,
    which cuts a long array and holds a memory address); a value whose comparison raises is not
    the same: the name is refused rather than silently replaced.

    Examples
    --------
    >>> import functools
    >>> same_definition(functools.partial(round, ndigits=2), functools.partial(round, ndigits=2))
    True
    >>> same_definition(functools.partial(round, ndigits=2), functools.partial(round, ndigits=3))
    False
    >>> described(functools.partial(round, ndigits=2))
    'functools.partial(builtins.round, ndigits=2)'
    """
    try:
        return _same(old, new, {})
    except Exception:  # what a value's own comparison raises: not known to be the same
        return False


def _same(old: object, new: Any, seen: dict[tuple[int, int], tuple[object, object]]) -> bool:
    """:func:`same_definition` of two values. ``seen``: the pairs of callables and instances
    compared so far (held, so that their ids stay theirs), the same if met again (an object
    that refers to itself). ``new`` is read as a value of ``old``'s kind: its class has the
    qualified name of ``old``'s, which a class made anew shares, and one that is not that kind
    raises (:func:`same_definition`: not the same)."""
    if old is new:
        return True
    if _qualified(type(old)) != _qualified(type(new)):  # a cell run again makes its classes anew
        return False
    if isinstance(old, (str, bytes, int, float, complex)):
        return bool(old == new) or repr(old) == repr(new)  # a NaN is the same NaN
    if isinstance(old, (tuple, list)):
        return len(old) == len(new) and all(_same(a, b, seen) for a, b in zip(old, new, strict=True))
    if isinstance(old, dict):
        return old.keys() == new.keys() and all(_same(old[key], new[key], seen) for key in old)
    if isinstance(old, (np.ndarray, np.generic)):  # an object array's bytes are addresses
        return (old.dtype == new.dtype != object and old.shape == new.shape
                and old.tobytes() == new.tobytes())
    torch = sys.modules.get("torch")  # a tensor exists only once torch is imported
    if torch is not None and isinstance(old, torch.Tensor):
        return (old.dtype == new.dtype and old.shape == new.shape and old.device == new.device
                and bool(torch.equal(old.detach(), new.detach())))
    if isinstance(old, (type, types.ModuleType, types.BuiltinFunctionType)):
        return _qualified(old) == _qualified(new) and _same(
            getattr(old, "__self__", None), getattr(new, "__self__", None), seen)
    if (id(old), id(new)) in seen:
        return True
    seen[id(old), id(new)] = (old, new)
    if isinstance(old, functools.partial):
        return all(_same(getattr(old, key), getattr(new, key), seen)
                   for key in ("func", "args", "keywords"))
    if isinstance(old, types.MethodType):
        return _same(old.__func__, new.__func__, seen) and _same(old.__self__, new.__self__,
                                                                 seen)
    if isinstance(old, types.FunctionType):
        lambda_same = old.__name__ != "<lambda>" or (
            old.__code__ == new.__code__ and _same(old.__defaults__, new.__defaults__, seen)
            and _same(old.__kwdefaults__, new.__kwdefaults__, seen))
        return (_qualified(old) == _qualified(new) and lambda_same
                and _same(_cells(old), _cells(new), seen))
    if type(old).__eq__ is not object.__eq__:  # a set, a path: its own ==
        try:
            if (old == new) is True:
                return True
        except Exception:  # a dataclass of arrays, or of a class made anew: by its attributes
            pass
    state, other = _state(old), _state(new)
    # no attributes to compare (a lock)
    return state is not None and other is not None and _same(state, other, seen)


def _cells(fn: types.FunctionType) -> list[object]:
    """The values that ``fn`` closes over (an empty cell's as :data:`_UNSET`)."""
    values = []
    for cell in fn.__closure__ or ():
        try:
            values.append(cell.cell_contents)
        except ValueError:
            values.append(_UNSET)
    return values


def _state(obj: object) -> dict[str, object] | None:
    """An instance's attributes, of its ``__dict__`` and its ``__slots__`` (an unset slot's as
    :data:`_UNSET`); ``None`` for an object with neither."""
    state = dict(vars(obj)) if hasattr(obj, "__dict__") else None
    for cls in type(obj).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for slot in [slots] if isinstance(slots, str) else slots:
            if slot in ("__dict__", "__weakref__"):
                continue
            private = slot.startswith("__") and not slot.endswith("__")
            attr = f"_{cls.__name__.lstrip('_')}{slot}" if private else slot
            state = {} if state is None else state
            state[f"{cls.__qualname__}.{attr}"] = getattr(obj, attr, _UNSET)
    return state


def described(obj: object) -> str:
    """``obj`` as the "already registered (to ...)" error names it."""
    if isinstance(obj, functools.partial):
        given = [_shown(arg) for arg in obj.args]
        given += [f"{key}={_shown(arg)}" for key, arg in obj.keywords.items()]
        return f"functools.partial({', '.join([described(obj.func), *given])})"
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        return f"{_qualified(obj)} of line {obj.__code__.co_firstlineno}"
    if not hasattr(obj, "__qualname__") and type(obj).__repr__ is object.__repr__:
        return f"a {_qualified(type(obj))} instance"
    return _shown(obj)
