"""Teacher and student networks with a returned list of distilled features.

Every model built here follows one contract:

* ``model(x)`` returns the logits ``(N, num_classes)``;
* ``model.forward_features(x)`` returns a :class:`Features` tuple ``(logits, layers, pooled)``
  where ``layers`` are the outputs of the distilled layers, outermost (closest to the input)
  first, and ``pooled`` is the vector the classifier reads;
* ``model.layer_channels`` is the channel count of each entry of ``layers``.

Built-in models return their features from ``forward_features`` (no forward hooks). Your own
``nn.Module`` gets the same contract from :func:`tap_features`, which takes the outputs of the
submodules you name with forward hooks (see :mod:`pidkit_distill.models.taps`).
Convolutional layers give ``(N, C, H, W)`` tensors, MLP layers ``(N, C)``.

Names understood by :func:`build_model`:

=====================  ==========================================================  ==========
name                   model                                                        input
=====================  ==========================================================  ==========
``wrn-D-K``            WideResNet of depth D and widen factor K (pre-activation,     (C, H, W)
                       Zagoruyko & Komodakis 2016); e.g. ``wrn-40-2``, ``wrn-16-1``
``digits-teacher``     small CNN, widths 32/64/128, for 1x8x8 digits                 (1, 8, 8)
``digits-student``     small CNN, widths 8/16/32                                     (1, 8, 8)
``synthetic-teacher``  MLP, hidden widths 128/128/128, for the synthetic task        (D,)
``synthetic-student``  MLP, hidden widths 8/8/8 (capacity-limited)                   (D,)
=====================  ==========================================================  ==========

plus every name registered with :func:`register_model` (:func:`available_models` lists them).
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import torch
from torch import nn

from pidkit.command_line import one_line
from pidkit.utils import did_you_mean
from pidkit_distill.code_fingerprint import BuilderFingerprints
from pidkit_distill.config_sections import AUTO_MODEL
from pidkit_distill.models.features import Features, check_feature_model
from pidkit_distill.models.taps import TappedModel, tap_features
from pidkit_distill.registry import (
    BUILTIN_NAMES,
    WRN_NAME,
    WRN_NOTE,
    Registry,
    call_registered,
    registry_key,
    whole_number,
    whole_number_fix,
)

__all__ = [
    "Features",
    "TappedModel",
    "adopt_model_fingerprint",
    "available_models",
    "build_model",
    "building_models",
    "check_feature_model",
    "model_builder",
    "model_fingerprint",
    "model_source",
    "needs_real_tensors",
    "register_model",
    "tap_features",
    "unregister_model",
]

_OUT_OF_MEMORY = (MemoryError, torch.cuda.OutOfMemoryError)
"""Errors a builder raises that are the machine's, not its code's: raised as they are."""

B = TypeVar("B", bound=Callable[..., nn.Module])

# how torch says that an operation needs values that the meta device does not have: "Tensor.item()
# cannot be called on meta tensors", "Cannot copy out of meta tensor", "can't convert meta device
# type tensor to numpy", "... with Meta tensors, but there was no fake impl or Meta kernel", "a
# correct data-independent implementation does not exist"; and formatting a meta value
# (f"{t:.3f}") is "unsupported format string passed to Tensor.__format__"
_META_LIMIT = re.compile(r"\bmeta\b|\bdata-(?:in)?dependent\b|Tensor\.__format__",
                         re.IGNORECASE)


def _build_wrn(depth: int, widen: int, **kw: Any) -> nn.Module:
    from pidkit_distill.models.wrn import WideResNet

    return WideResNet(depth=depth, widen_factor=widen, **kw)


def _small(kind: str) -> Callable[..., nn.Module]:
    def build(**kw: Any) -> nn.Module:
        from pidkit_distill.models import small

        return getattr(small, kind)(**kw)

    return build


# the package's own names (known without torch: registry.BUILTIN_NAMES), each the network of
# pidkit_distill.models.small with its name's "-" as "_" (digits-teacher: small.digits_teacher)
_MODELS = Registry("model", "register_model", decorates="builder functions", builtin={
    name: _small(name.replace("-", "_")) for name in BUILTIN_NAMES["model"]
})
# the fingerprints of the teachers' builders you registered, as their builds leave them
# (model_fingerprint)
_FINGERPRINTS = BuilderFingerprints()


def _check_builder(fn: Callable[..., object]) -> None:
    """A builder must take the keywords ``num_classes`` and ``in_channels``; an ``nn.Module``
    class without ``forward_features`` is no builder (its models cannot be distilled)."""
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


def register_model(name: str) -> Callable[[B], B]:
    """Decorator registering a builder of your own model under ``name``, for :func:`build_model`
    and ``train(config)`` (``model.teacher`` / ``model.student``).

    The builder is called as ``build(num_classes=K, in_channels=C)`` (``C`` is the first entry
    of the data's input shape: image channels, or a vector's length) and must return a model
    with ``forward_features``: wrap a plain ``nn.Module`` with :func:`tap_features`. The trainer
    first builds it on the ``meta`` device to check the configuration (no memory, however large
    the model); a builder that reads the values of tensors (``.item()`` of a ``torch.linspace``:
    timm's drop-path rates) is built on the CPU there instead (see :func:`build_model`).
    Registration lasts for the Python process; under ``torchrun`` register in the script every
    process runs.

    Parameters
    ----------
    name : str
        Lower-case letters, digits, ``.``, ``_``, ``-`` (it becomes part of run folder names),
        not a built-in name nor of the form ``wrn-D-K``, nor ``auto`` (which ``model.teacher``
        and ``model.student`` take for the data set's own). Registering the same builder again
        (a notebook cell run twice: a function of the same name, a lambda of the same code, a
        ``functools.partial`` or an instance holding equal values) replaces it; another
        builder under a taken name is an error.

    Raises
    ------
    ValueError
        A bad or taken name.
    TypeError
        The builder does not take ``num_classes`` and ``in_channels``, or what it takes cannot
        be read (a ``functools.partial`` of arguments that its function does not take).

    Examples
    --------
    >>> from pidkit_distill import available_models, build_model, register_model, tap_features
    >>> from torch import nn
    >>> @register_model("doc-mlp")
    ... def doc_mlp(*, num_classes, in_channels):
    ...     net = nn.Sequential(nn.Linear(in_channels, 16), nn.ReLU(), nn.Linear(16, num_classes))
    ...     return tap_features(net, layers=["1"])
    >>> "doc-mlp" in available_models()
    True
    >>> build_model("doc-mlp", num_classes=3, in_channels=5)
    TappedModel(
      layers=['1'], pooled (the input of '2', the last nn.Linear)
      (model): Sequential(
        (0): Linear(in_features=5, out_features=16, bias=True)
        (1): ReLU()
        (2): Linear(in_features=16, out_features=3, bias=True)
      )
    )
    >>> from pidkit_distill import unregister_model
    >>> unregister_model("doc-mlp")
    """
    if isinstance(name, str) and WRN_NAME.match(name):
        raise ValueError(f"register_model: name {name!r} has the form wrn-D-K of the built-in "
                         "WideResNets; choose another name.")
    if isinstance(name, str) and registry_key(name) == AUTO_MODEL:
        raise ValueError(f"register_model: name {name!r} is what model.teacher and model.student "
                         "are set to for the data set's own models (their default, "
                         "pidkit_distill.model_defaults); choose another name.")
    return _MODELS.decorator(name, check=_check_builder)


def unregister_model(name: str) -> None:
    """Remove a builder that you registered with :func:`register_model` (a notebook's
    experiment, a test's clean-up); the package's own models stay.

    Parameters
    ----------
    name : str
        The registered name (read as :func:`build_model` reads it).

    Raises
    ------
    ValueError
        ``name`` is one of the package's own models, or not registered.

    Examples
    --------
    >>> from pidkit_distill import unregister_model
    >>> unregister_model("digits-student")
    Traceback (most recent call last):
    ...
    ValueError: unregister_model: name='digits-student' is one of the package's own models, \
which stay registered; only the names you registered can be removed.
    """
    key = _MODELS.find(name)
    _MODELS.unregister(name)
    _FINGERPRINTS.forget(key)


def model_source(name: object) -> str | None:
    """Where the model that ``name`` means (read as :func:`build_model` reads it) comes from,
    where you registered it with :func:`register_model`: the resolved path of its module's file, or
    that module's name where it has no file (``'__main__'`` in a notebook); ``None`` for the
    package's own models and a name not registered. A run records it in its ``config.json``
    (``recorded.registered``), and a cached teacher's folder name hashes it.

    Examples
    --------
    >>> from pidkit_distill.models import model_source
    >>> model_source("digits-student") is None, model_source("no-such-model") is None
    (True, True)
    """
    return _MODELS.source(name)


def model_builder(name: object) -> Callable[..., object] | None:
    """The builder that you registered with :func:`register_model` under the model name
    ``name`` (read as :func:`build_model` reads it); ``None`` for the package's own models and
    a name not registered. A cached teacher's folder name hashes its code
    (:func:`~pidkit_distill.code_fingerprint.code_fingerprint`).

    Examples
    --------
    >>> from pidkit_distill.models import model_builder
    >>> model_builder("digits-teacher") is None, model_builder("no-such-model") is None
    (True, True)
    """
    key = _MODELS.find(name)
    return None if key is None or _MODELS.is_builtin(key) else _MODELS.get(key)


def model_fingerprint(name: object) -> str | None:
    """The fingerprint of the code of the builder that you registered under the model name
    ``name`` (:func:`~pidkit_distill.code_fingerprint.code_fingerprint`), which a cached
    teacher's folder name hashes: as it was when first asked for in this process (a run's
    :func:`~pidkit_distill.check_config` asks for its teacher's before it builds anything), or
    when your code changed it since (a setting it reads edited), not as builds and runs change
    it (a list it appends to, a counter, a tensor trained in place: :func:`building_models`),
    so that the same command run twice, in one process too, finds the same teacher; or as
    another process of the run has it (:func:`adopt_model_fingerprint`). Only the builders
    asked for are watched (a student's never is). ``None`` for the package's own models and a
    name not registered.

    Examples
    --------
    >>> from pidkit_distill.models import model_fingerprint
    >>> model_fingerprint("digits-teacher") is None, model_fingerprint("no-such-model") is None
    (True, True)
    """
    builder = model_builder(name)
    return None if builder is None else _FINGERPRINTS.fingerprint(_MODELS.find(name), builder)


def adopt_model_fingerprint(name: object, fingerprint: str) -> None:
    """Key the builder that you registered under the model name ``name`` by ``fingerprint``,
    another process's :func:`model_fingerprint` of it (under torchrun, rank 0's: a value that
    the builder reads may differ from process to process, its device ``cuda:LOCAL_RANK``),
    until your code changes it; nothing for the package's own models.

    Examples
    --------
    >>> from torch import nn
    >>> from pidkit_distill import register_model, tap_features, unregister_model
    >>> from pidkit_distill.models import adopt_model_fingerprint, model_fingerprint
    >>> @register_model("doc-adopted")
    ... def doc_adopted(*, num_classes, in_channels):
    ...     return tap_features(nn.Sequential(nn.Linear(in_channels, num_classes)), layers=["0"])
    >>> own = model_fingerprint("doc-adopted")
    >>> adopt_model_fingerprint("doc-adopted", "0123456789abcdef")
    >>> model_fingerprint("doc-adopted"), own != "0123456789abcdef"
    ('0123456789abcdef', True)
    >>> unregister_model("doc-adopted")
    """
    builder = model_builder(name)
    if builder is not None:
        _FINGERPRINTS.adopt(_MODELS.find(name), builder, fingerprint)


@contextmanager
def building_models() -> Iterator[None]:
    """Inside the block pidkit builds models, or checks or runs a configuration
    (:func:`build_model`, ``check_config``, ``train``): what changes in the code of the
    builders you registered is not a change of their teachers' code (:func:`model_fingerprint`):
    a list that a builder appends to, a tensor it reads that the training changes in place.
    Blocks nest; a teacher's builder is walked as the outermost one starts and ends.

    Examples
    --------
    >>> from torch import nn
    >>> from pidkit_distill import build_model, register_model, tap_features, unregister_model
    >>> from pidkit_distill.models import building_models, model_fingerprint
    >>> built = []
    >>> @register_model("doc-counted")
    ... def doc_counted(*, num_classes, in_channels):
    ...     built.append(num_classes)           # state the builder reads and changes
    ...     return tap_features(nn.Sequential(nn.Linear(in_channels, num_classes)), layers=["0"])
    >>> before = model_fingerprint("doc-counted")
    >>> with building_models():
    ...     _ = build_model("doc-counted", num_classes=3, in_channels=4)
    >>> built, model_fingerprint("doc-counted") == before
    ([3], True)
    >>> unregister_model("doc-counted")
    """
    with _FINGERPRINTS.building():
        yield


def available_models() -> list[str]:
    """Names accepted by :func:`build_model` (``wrn-D-K`` stands for any WideResNet), the
    registered ones (:func:`register_model`) included.

    Examples
    --------
    >>> from pidkit_distill import available_models
    >>> available_models()[:2]
    ['digits-student', 'digits-teacher']
    """
    return [*_MODELS.names(), "wrn-D-K"]


def build_model(name: str, *, num_classes: int, in_channels: int = 3, **kw: Any) -> nn.Module:
    """Build a teacher or student network by name.

    Parameters
    ----------
    name : str
        ``"wrn-D-K"`` (e.g. ``"wrn-40-2"``), ``"digits-teacher"``, ``"digits-student"``,
        ``"synthetic-teacher"``, ``"synthetic-student"``, or a name registered with
        :func:`register_model`.
    num_classes : int
        Number of output classes (a numpy integer or a 0-d integer tensor, ``y.max() + 1``,
        is read as its int; a float such as ``4.0`` is refused with the int to write).
    in_channels : int, default=3
        Input channels of convolutional models; for the MLPs (``synthetic-*``) the length of
        the input vector, i.e. ``DatasetBundle.input_shape[0]`` in both cases (read as
        ``num_classes`` is). The models take no ``input_shape``: one given to a model that
        does not take it is refused with the ``in_channels`` to write.
    **kw
        Model-specific keyword options: WideResNet ``drop_rate`` and ``variant``
        (``"preact"`` or ``"kd-rid"``); small CNN ``widths``; MLP ``hidden``; a registered
        builder's own keywords.

    Returns
    -------
    torch.nn.Module
        A model with ``forward``, ``forward_features`` and ``layer_channels``, on the default
        device. On the ``meta`` device (``with torch.device("meta"):``), a registered builder
        that fails there because it needs the values of tensors
        (:func:`~pidkit_distill.models.needs_real_tensors`) is called again on the CPU, its
        initial weights drawn from a forked random state, and its model moved to the meta
        device.

    Raises
    ------
    ValueError
        Unknown name (``"auto"``, a configuration's default, is told to name a model), or a
        non-positive ``num_classes``/``in_channels``; a registered builder
        that raised (any :class:`Exception` of its own code but memory running out, a
        :class:`MemoryError` or torch's ``OutOfMemoryError``, which is raised as it is: the
        message names the builder and its error, which is chained as the cause).
    TypeError
        A registered builder returned a model without ``forward_features``, ``**kw`` holds
        a keyword that it does not take (``input_shape``: the message gives the call with
        ``in_channels``), or it has a parameter without a default that is not given; ``**kw``
        holds a keyword that one of the package's own models does not take (the message names
        the model, the keyword and those it takes).

    Examples
    --------
    >>> from pidkit_distill import build_model
    >>> import torch
    >>> model = build_model("digits-student", num_classes=10, in_channels=1)
    >>> feats = model.forward_features(torch.zeros(2, 1, 8, 8))
    >>> [tuple(t.shape) for t in feats.layers]
    [(2, 8, 8, 8), (2, 16, 4, 4), (2, 32, 4, 4)]
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str such as 'wrn-16-1'; got {type(name).__name__}.")
    num_classes, in_channels = (_positive_count(value, arg) for arg, value in (
        ("num_classes", num_classes), ("in_channels", in_channels)))
    key = registry_key(name)
    match = WRN_NAME.match(key)
    if "input_shape" in kw and (match or _MODELS.is_builtin(key)):
        raise TypeError(_input_shape_refusal(name, kw["input_shape"], num_classes))
    if match:
        _check_builtin_keywords(name, key, kw)
        return _build_wrn(
            int(match.group(1)), int(match.group(2)), num_classes=num_classes,
            in_channels=in_channels, **kw,
        )
    if key == AUTO_MODEL:  # a configuration's default, which names no network
        raise ValueError(
            f"name={name!r} is the configuration's default of model.teacher and model.student, "
            "which pidkit_distill.train resolves to the data set's own pair (DATA-teacher and "
            "DATA-student, wrn-40-2 and wrn-16-1 for CIFAR); build_model needs a model's own "
            "name, e.g. build_model('digits-teacher', num_classes=10, in_channels=1)")
    if key not in _MODELS:
        raise _MODELS.unknown(name, module="pidkit_distill.models", listed=available_models(),
                              note=WRN_NOTE)
    builder = _MODELS.get(key)
    if _MODELS.is_builtin(key):
        _check_builtin_keywords(name, key, kw)
        return builder(num_classes=num_classes, in_channels=in_channels, **kw)
    given = {"num_classes": num_classes, "in_channels": in_channels, **kw}
    _check_call(builder, key, given)
    with building_models():  # what it changes is no change of the teacher's code
        return _build_registered(builder, key, given)


def _check_builtin_keywords(name: str, key: str, kw: dict[str, Any]) -> None:
    """Refuse a keyword of ``kw`` that the package's own model ``name`` (registry spelling
    ``key``: a ``wrn-D-K`` or one of :mod:`pidkit_distill.models.small`'s networks) does not
    take, naming the model, the keyword and those it takes; Python's own error named the
    function (``synthetic_student() got an unexpected keyword argument 'widths'``)."""
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


def _positive_count(value: object, arg: str) -> int:
    """``value``, the argument ``arg`` of :func:`build_model`, as a positive int: an int, a numpy
    integer or a 0-d integer tensor (:func:`~pidkit_distill.registry.whole_number`); refused
    otherwise, with the int to write where ``value`` holds one (``4.0``)."""
    number = whole_number(value)
    if number is None or number < 1:
        fix = whole_number_fix(value, arg) if number is None else ""
        raise ValueError(f"{arg} must be a positive int; got {value!r}{fix}.")
    return number


def _input_shape_refusal(name: str, shape: object, num_classes: int) -> str:
    """The refusal of ``input_shape=shape`` given to :func:`build_model` for the model ``name``,
    which takes the first entry of the data's input shape as ``in_channels``."""
    first = whole_number(shape[0]) if isinstance(shape, tuple | list) and shape else None
    channels = first if first is not None and first >= 1 else "C"
    return (f"build_model: {name!r} takes no input_shape; it takes in_channels, the first "
            f"entry of the data's input shape (DatasetBundle.input_shape[0]): write "
            f"build_model({name!r}, num_classes={num_classes}, in_channels={channels})")


def _build_registered(builder: Callable[..., nn.Module], key: str, kw: dict[str, Any]) -> nn.Module:
    """The model of the builder that the user registered as ``key``, built with ``kw``
    (:func:`build_model`)."""
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
    :func:`build_model`, an error raised while handling another), is the ``meta`` device's:
    an operation that needs the values of tensors, which it does not have. Such are reading a
    value (``.item()``, ``.tolist()``, ``float(t)``, ``bool(t)``, ``if t.any():``, ``.numpy()``,
    ``f"{t:.3f}"``) and an operator whose output's shape depends on the values (``nonzero``,
    indexing with a mask, ``unique``); torch's messages for them say "meta" or
    "data-dependent" (formatting: "unsupported format string passed to Tensor.__format__").

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


def _check_call(builder: Callable[..., nn.Module], key: str, kw: dict[str, Any]) -> None:
    """Refuse a call of the builder registered as ``key`` with the keywords ``kw`` that its
    parameters do not take: a keyword that it does not take (the caller's mistake), or a
    parameter without a default that is not given (the builder's: the trainer passes only
    ``num_classes`` and ``in_channels``)."""
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
            raise TypeError(_input_shape_refusal(key, kw["input_shape"], kw["num_classes"])
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
