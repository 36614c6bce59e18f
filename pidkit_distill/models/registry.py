"""The models by name: :func:`~pidkit_distill.models.build_model`,
:func:`~pidkit_distill.models.available_models`, and
:func:`~pidkit_distill.models.register_model` for your own, with the fingerprints of the code of
the builders you registered that a cached teacher is keyed by
(:func:`~pidkit_distill.models.model_fingerprint`).

One place resolves a name to the package's own network (:mod:`pidkit_distill.models.wrn`,
:mod:`pidkit_distill.models.small`) or to the registered builder, and hands the call to it;
:mod:`pidkit_distill.models.builder_calls` checks what a builder takes and each call of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from torch import nn

from pidkit_distill.code_fingerprint import BuilderFingerprints
from pidkit_distill.config.sections import AUTO_MODEL
from pidkit_distill.models.builder_calls import (
    build_registered,
    check_builder_signature,
    check_builtin_keywords,
    check_registered_call,
    input_shape_refusal,
    positive_count,
)
from pidkit_distill.registry import (
    BUILTIN_NAMES,
    WRN_NAME,
    WRN_NOTE,
    Registry,
    registry_key,
)

__all__ = [
    "adopt_model_fingerprint",
    "available_models",
    "build_model",
    "building_models",
    "model_builder",
    "model_fingerprint",
    "model_source",
    "register_model",
    "unregister_model",
]

B = TypeVar("B", bound=Callable[..., nn.Module])


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
# the input channels of the data that each of the package's own models is made for, where that
# data fixes them: build_model's default in_channels (1x8x8 digits; CIFAR's RGB images for a
# WideResNet). The synthetic data's vectors are as long as its option dim, which no default knows.
_OWN_CHANNELS = {"digits-teacher": 1, "digits-student": 1}
_WRN_CHANNELS = 3
_SYNTHETIC_MODELS = ("synthetic-teacher", "synthetic-student")
_SYNTHETIC_DIM = 32  # the synthetic data set's default dim (pidkit_distill.data.make_synthetic)
# the fingerprints of the teachers' builders you registered, as their builds leave them
# (model_fingerprint)
_FINGERPRINTS = BuilderFingerprints()


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
                         "pidkit_distill.config.model_defaults); choose another name.")
    return _MODELS.decorator(name, check=check_builder_signature)


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
    asked for are watched (a run's teacher and student: its checkpoints record both). ``None``
    for the package's own models and a name not registered.

    Examples
    --------
    >>> from pidkit_distill.models import model_fingerprint
    >>> model_fingerprint("digits-teacher") is None, model_fingerprint("no-such-model") is None
    (True, True)
    """
    builder, key = model_builder(name), _MODELS.find(name)  # a builder only of a name found
    return None if builder is None or key is None else _FINGERPRINTS.fingerprint(key, builder)


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
    builder, key = model_builder(name), _MODELS.find(name)  # a builder only of a name found
    if builder is not None and key is not None:
        _FINGERPRINTS.adopt(key, builder, fingerprint)


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


def _default_in_channels(name: str, key: str, num_classes: int) -> int:
    """The ``in_channels`` that :func:`build_model` builds the model ``name`` (read as ``key``)
    for when none is given: those of the data that the package's own model is made for, and 3
    for a registered builder; an MLP of the synthetic data is refused, as the length of that
    data's vectors is an option of it.

    Examples
    --------
    >>> _default_in_channels("digits-student", "digits-student", 10)
    1
    >>> _default_in_channels("Synthetic-Student", "synthetic-student", 4)
    Traceback (most recent call last):
    ...
    TypeError: build_model: 'Synthetic-Student' needs in_channels, the length of the input \
vectors (DatasetBundle.input_shape[0]), which the synthetic data set's option dim sets (32 by \
default): write build_model('Synthetic-Student', num_classes=4, in_channels=32)
    """
    if key in _SYNTHETIC_MODELS:
        raise TypeError(
            f"build_model: {name!r} needs in_channels, the length of the input vectors "
            "(DatasetBundle.input_shape[0]), which the synthetic data set's option dim sets "
            f"({_SYNTHETIC_DIM} by default): write build_model({name!r}, "
            f"num_classes={num_classes}, in_channels={_SYNTHETIC_DIM})")
    return _OWN_CHANNELS.get(key, _WRN_CHANNELS)


def build_model(name: str, *, num_classes: int, in_channels: int | None = None, **kw: Any
                ) -> nn.Module:
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
    in_channels : int, optional
        Input channels of convolutional models; for the MLPs (``synthetic-*``) the length of
        the input vector, i.e. ``DatasetBundle.input_shape[0]`` in both cases (read as
        ``num_classes`` is). The models take no ``input_shape``: one given to a model that
        does not take it is refused with the ``in_channels`` to write. By default, the
        channels of the data that the package's own model is made for: 1 for ``digits-*``
        (1x8x8 digits), 3 for ``wrn-D-K`` (CIFAR's RGB images); ``synthetic-*`` need it (the
        synthetic data set's option ``dim``, 32 by default); a registered builder is called
        with 3.
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
        the model, the keyword and those it takes); ``in_channels`` is not given for a
        ``synthetic-*`` model (the message gives the call with the default data's).

    Examples
    --------
    >>> from pidkit_distill import build_model
    >>> import torch
    >>> model = build_model("digits-student", num_classes=10)   # in_channels=1: the digits'
    >>> feats = model.forward_features(torch.zeros(2, 1, 8, 8))
    >>> [tuple(t.shape) for t in feats.layers]
    [(2, 8, 8, 8), (2, 16, 4, 4), (2, 32, 4, 4)]
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str such as 'wrn-16-1'; got {type(name).__name__}.")
    num_classes = positive_count(num_classes, "num_classes")
    if in_channels is not None:
        in_channels = positive_count(in_channels, "in_channels")
    key = registry_key(name)
    match = WRN_NAME.match(key)
    if "input_shape" in kw and (match or _MODELS.is_builtin(key)):
        raise TypeError(input_shape_refusal(name, kw["input_shape"], num_classes))
    if in_channels is None:
        in_channels = _default_in_channels(name, key, num_classes)
    if match:
        check_builtin_keywords(name, key, kw)
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
        check_builtin_keywords(name, key, kw)
        model = builder(num_classes=num_classes, in_channels=in_channels, **kw)
        assert isinstance(model, nn.Module)  # the package's own builders make networks
        return model
    given = {"num_classes": num_classes, "in_channels": in_channels, **kw}
    check_registered_call(builder, key, given)
    with building_models():  # what it changes is no change of the teacher's code
        return build_registered(builder, key, given)


# Each public function keeps the module that users import it from, where it was defined before
# this module held it: code_fingerprint names the package's code that a registered builder reads
# (a builder wrapping build_model) by module and name, and model_source of a builder made of one
# (functools.partial(build_model, ...)) is its module's file; a cached teacher's folder name
# hashes both, so that another module here would train such a teacher again.
for _name in __all__:
    globals()[_name].__module__ = "pidkit_distill.models"
del _name
