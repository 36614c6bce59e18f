"""What a model builder takes and how it is called: the check of a builder at
:func:`~pidkit_distill.models.register_model`, the checks of the arguments of a call of
:func:`~pidkit_distill.models.build_model` (the package's own models' keywords, a registered
builder's parameters, ``num_classes`` and ``in_channels``), and the build of a registered model,
on the CPU where it needs the values of tensors that the ``meta`` device does not have
(:func:`needs_real_tensors`).
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from pidkit.command_line import one_line
from pidkit.utils import did_you_mean
from pidkit_distill.models.features import check_feature_model
from pidkit_distill.registry import WRN_NAME, call_registered, whole_number, whole_number_fix

__all__ = [
    "build_registered",
    "check_builder_signature",
    "check_builtin_keywords",
    "check_registered_call",
    "input_shape_refusal",
    "needs_real_tensors",
    "positive_count",
]

_OUT_OF_MEMORY = (MemoryError, torch.cuda.OutOfMemoryError)
"""Errors a builder raises that are the machine's, not its code's: raised as they are."""

# how torch says that an operation needs values that the meta device does not have: "Tensor.item()
# cannot be called on meta tensors", "Cannot copy out of meta tensor", "can't convert meta device
# type tensor to numpy", "... with Meta tensors, but there was no fake impl or Meta kernel", "a
# correct data-independent implementation does not exist"; and formatting a meta value
# (f"{t:.3f}") is "unsupported format string passed to Tensor.__format__"
_META_LIMIT = re.compile(r"\bmeta\b|\bdata-(?:in)?dependent\b|Tensor\.__format__",
                         re.IGNORECASE)


def check_builder_signature(fn: Callable[..., object]) -> None:
    """Refuse ``fn`` as a builder for :func:`~pidkit_distill.models.register_model` unless it
    takes the keywords ``num_classes`` and ``in_channels``; an ``nn.Module`` class without
    ``forward_features`` is no builder (its models cannot be distilled).

    Parameters
    ----------
    fn : callable
        The builder being registered.

    Raises
    ------
    TypeError
        ``fn`` is such a class, takes neither keyword or only one, or what it takes cannot be
        read (a ``functools.partial`` of arguments that its function does not take).
    """
    if isinstance(fn, type) and issubclass(fn, nn.Module) and not hasattr(fn, "forward_features"):
        raise TypeError(
            f"register_model decorates a builder def build(*, num_classes, in_channels) -> "
            f"nn.Module; got the nn.Module class {fn.__name__}, whose models have no "
            f"forward_features: register a builder that taps one, def build(*, num_classes, "
            f"in_channels): return tap_features({fn.__name__}(...), layers=[...]) (the "
            "paths of the submodules to distil, as model.named_modules() names them)."
        )
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError) as err:  # a partial's arguments that its function refuses
        if isinstance(fn, functools.partial):
            name = getattr(fn.func, "__qualname__", repr(fn.func))
            what = (f"a functools.partial gives {name!r} arguments that it does not take "
                    f"(positional {list(fn.args)!r}, keywords {sorted(fn.keywords)}): give "
                    f"only keywords that {name!r} takes")
        else:
            what = (f"what {fn!r} takes cannot be read ({one_line(err)}): wrap it in a def "
                    "build(*, num_classes, in_channels)")
        raise TypeError("register_model decorates a builder def build(*, num_classes, "
                        f"in_channels) -> nn.Module; {what}.") from err
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    missing = [k for k in ("num_classes", "in_channels") if k not in params and not takes_any]
    if missing:
        raise TypeError(
            f"register_model decorates a builder def build(*, num_classes, in_channels) -> "
            f"nn.Module; {getattr(fn, '__qualname__', fn)!r} takes no {missing} (accept and "
            "ignore in_channels if your model does not need it)."
        )


def check_builtin_keywords(name: str, key: str, kw: dict[str, Any]) -> None:
    """Refuse a keyword of ``kw`` that the package's own model ``name`` does not take, naming
    the model, the keyword and those it takes; Python's own error named the function
    (``synthetic_student() got an unexpected keyword argument 'widths'``).

    Parameters
    ----------
    name : str
        The model's name as given to :func:`~pidkit_distill.models.build_model`.
    key : str
        Its registry spelling: a ``wrn-D-K`` or one of :mod:`pidkit_distill.models.small`'s
        networks.
    kw : dict
        The keywords given besides ``num_classes`` and ``in_channels``.

    Raises
    ------
    TypeError
        A keyword that the model does not take.
    """
    from pidkit_distill.models import small
    from pidkit_distill.models.wrn import WideResNet

    in_name = ("depth", "widen_factor") if WRN_NAME.match(key) else ()
    network = WideResNet if in_name else getattr(small, key.replace("-", "_"))
    takes = sorted(set(inspect.signature(network).parameters)
                   - {"num_classes", "in_channels", *in_name})
    unknown = sorted(set(kw) - set(takes))
    if not unknown:
        return
    besides = "besides num_classes and in_channels"
    if in_name:
        besides += f"; its depth and widen_factor are those of its name {name!r}"
    hint = did_you_mean(unknown[0], takes) if len(unknown) == 1 else ""
    raise TypeError(f"build_model: model {name!r} takes no keyword(s) {unknown}; the keywords "
                    f"it takes are {takes} ({besides}).{hint}")


def positive_count(value: object, arg: str) -> int:
    """``value``, the argument ``arg`` of :func:`~pidkit_distill.models.build_model`, as a
    positive int: an int, a numpy integer or a 0-d integer tensor
    (:func:`~pidkit_distill.registry.whole_number`).

    Parameters
    ----------
    value : object
        The value given.
    arg : str
        The argument's name (``num_classes``, ``in_channels``), for the message.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        ``value`` is no positive whole number; the message gives the int to write where
        ``value`` holds one (``4.0``).
    """
    number = whole_number(value)
    if number is None or number < 1:
        fix = whole_number_fix(value, arg, minimum=1) if number is None else ""
        raise ValueError(f"{arg} must be a positive int; got {value!r}{fix}.")
    return number


def input_shape_refusal(name: str, shape: object, num_classes: int) -> str:
    """The refusal of ``input_shape=shape`` given to :func:`~pidkit_distill.models.build_model`
    for the model ``name``, which takes the first entry of the data's input shape as
    ``in_channels``.

    Parameters
    ----------
    name : str
        The model's name.
    shape : object
        The ``input_shape`` given; its first entry, where it is a positive whole number, is the
        ``in_channels`` that the message writes (``C`` otherwise).
    num_classes : int
        The ``num_classes`` of the call, which the message writes too.

    Returns
    -------
    str
    """
    first = whole_number(shape[0]) if isinstance(shape, tuple | list) and shape else None
    channels = first if first is not None and first >= 1 else "C"
    return (f"build_model: {name!r} takes no input_shape; it takes in_channels, the first "
            f"entry of the data's input shape (DatasetBundle.input_shape[0]): write "
            f"build_model({name!r}, num_classes={num_classes}, in_channels={channels})")


def check_registered_call(builder: Callable[..., object], key: str, kw: dict[str, Any]) -> None:
    """Refuse a call of the builder registered as ``key`` with the keywords ``kw`` that its
    parameters do not take: a keyword that it does not take (the caller's mistake), or a
    parameter without a default that is not given (the builder's: the trainer passes only
    ``num_classes`` and ``in_channels``).

    Parameters
    ----------
    builder : callable
        The registered builder.
    key : str
        The name it is registered under.
    kw : dict
        The keywords of the call, ``num_classes`` and ``in_channels`` included.

    Raises
    ------
    TypeError
        The call does not bind to the builder's parameters; the message says what is wrong and
        how to fix it (``in_channels`` for an ``input_shape``).
    """
    signature = inspect.signature(builder)
    try:
        signature.bind(**kw)
    except TypeError as err:
        params = signature.parameters
        takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
        unexpected = sorted(k for k in kw if k not in params and not takes_any)
        missing = [k for k, p in params.items() if k not in kw and p.default is p.empty
                   and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if unexpected == ["input_shape"]:
            raise TypeError(input_shape_refusal(key, kw["input_shape"], kw["num_classes"])
                            ) from err
        if unexpected:
            wrong, fix = f"cannot take {unexpected}", "pass only keywords that it takes"
        elif missing:
            them = "it" if len(missing) == 1 else "them"
            wrong = f"needs {missing}, which {'is' if them == 'it' else 'are'} not given"
            fix = (f"give {them} a default in the builder (the trainer passes only num_classes "
                   f"and in_channels), or pass {them} to build_model")
        else:  # num_classes or in_channels positional-only
            wrong = f"cannot be called with the keywords {sorted(kw)}"
            fix = "take them as keywords: def build(*, num_classes, in_channels)"
        raise TypeError(f"build_model: the builder registered as {key!r} {wrong} "
                        f"({one_line(err)}); {fix}") from err


def build_registered(builder: Callable[..., object], key: str, kw: dict[str, Any]) -> nn.Module:
    """The model of the builder that the user registered as ``key``, built with ``kw``
    (:func:`~pidkit_distill.models.build_model`): checked for ``forward_features``; on the
    ``meta`` device, a builder that fails there because it needs the values of tensors
    (:func:`needs_real_tensors`) is called again on the CPU, its initial weights drawn from a
    forked random state, and its model moved to the meta device.

    Parameters
    ----------
    builder : callable
        The registered builder.
    key : str
        The name it is registered under.
    kw : dict
        The keywords of the call, checked by :func:`check_registered_call`.

    Returns
    -------
    torch.nn.Module

    Raises
    ------
    ValueError
        The builder raised (its error chained), memory running out excepted, which is raised
        as it is.
    TypeError
        The builder's model has no ``forward_features``.
    """
    made_by = f"the model built by register_model({key!r})"
    try:
        return check_feature_model(
            call_registered(builder, kw, role="builder", key=key, passed=_OUT_OF_MEMORY),
            made_by)
    except ValueError as err:
        if not (torch.empty(0).is_meta and needs_real_tensors(err)):
            raise
    # a builder that reads values (timm's drop-path rates: .item() of a linspace) builds on the
    # CPU, its initial weights drawn from a forked random state, and moves to the meta device
    # (called outside the except: its error does not chain the meta one)
    with torch.device("cpu"), torch.random.fork_rng(devices=[]):
        model = call_registered(builder, kw, role="builder", key=key, passed=_OUT_OF_MEMORY)
        return check_feature_model(model, made_by).to("meta")


def needs_real_tensors(err: BaseException) -> bool:
    """Whether ``err``, or an error that it chains (a builder's error wrapped by
    :func:`~pidkit_distill.models.build_model`, an error raised while handling another), is
    the ``meta`` device's: an operation that needs the values of tensors, which it does not
    have. Such are reading a value (``.item()``, ``.tolist()``, ``float(t)``, ``bool(t)``,
    ``if t.any():``, ``.numpy()``, ``f"{t:.3f}"``) and an operator whose output's shape depends
    on the values (``nonzero``, indexing with a mask, ``unique``); torch's messages for them
    say "meta" or "data-dependent" (formatting: "unsupported format string passed to
    Tensor.__format__").

    Examples
    --------
    >>> import torch
    >>> from pidkit_distill.models import needs_real_tensors
    >>> try:
    ...     torch.zeros(2, device="meta").sum().item()
    ... except RuntimeError as err:
    ...     needs_real_tensors(err)
    True
    >>> needs_real_tensors(RuntimeError("mat1 and mat2 shapes cannot be multiplied (2x20 and 8x4)"))
    False
    """
    seen: set[int] = set()
    error: BaseException | None = err
    while error is not None and id(error) not in seen:
        if _META_LIMIT.search(str(error)):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


# the module that users import it from, as for the functions of models.registry (which see)
needs_real_tensors.__module__ = "pidkit_distill.models"
