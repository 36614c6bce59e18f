"""The distiller base class and the method registry (the parameters' base class,
:class:`Params`, lives in :mod:`~pidkit_distill.methods.method_params`, and what a step returns,
:class:`StepOutput`, in :mod:`~pidkit_distill.methods.step_output`).

A method is a pure loss function plus a thin :class:`Distiller` subclass registered by the
:func:`register_method` decorator. The trainer needs nothing method-specific:

1. ``distiller = get_method(name)(student, teacher, sample_input=x, num_classes=K, **params)``;
2. one optimizer per entry of ``distiller.optimizer_groups()``;
3. each step: ``out = distiller(x, y, epoch=epoch)``, ``out.loss.backward()`` (the sum of the
   named terms), then step (and zero) the optimizer of ``distiller.phase(epoch)`` only.

The teacher is frozen (``requires_grad=False``), pinned to eval mode (``train()`` is
overridden) and run under ``torch.no_grad()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar, cast

import torch
from torch import Tensor, nn

from pidkit.command_line import one_line
from pidkit_distill.config_errors import ConfigEntryTypeError
from pidkit_distill.methods.blocks import eval_mode, trainable
from pidkit_distill.methods.distiller_inputs import (
    check_batch,
    check_built_inputs,
    check_separate_networks,
    one_sample_refusal,
    paired_layer_shapes,
    refusal_after_error,
    weight_at,
    weight_place,
)
from pidkit_distill.methods.method_params import Params
from pidkit_distill.methods.params_resolution import resolve_params
from pidkit_distill.methods.step_output import StepOutput
from pidkit_distill.methods.subclass_checks import check_forward_signature, checked_init
from pidkit_distill.models import Features, check_feature_model, needs_real_tensors
from pidkit_distill.models.features import features_of
from pidkit_distill.option_refusals import with_other_methods
from pidkit_distill.registry import Registry, whole_number, whole_number_fix

__all__ = ["Distiller", "Params", "StepOutput", "available_methods", "default_preset_of",
           "get_method", "method_source", "register_method", "unregister_method"]


_OUT_OF_MEMORY = (MemoryError, torch.cuda.OutOfMemoryError)
"""Errors of a network's run that are the machine's, not its inputs': raised as they are."""


# In Distiller's body ``Params`` is its class attribute (the class of a method's parameters), not
# a type, so its hints name this base class by another name.
_BaseParams = Params


_METHODS = Registry(
    "method", "register_method", builtin={}, decorates="Distiller subclasses",
    accepts=lambda obj: isinstance(obj, type) and issubclass(obj, Distiller),
)

D = TypeVar("D", bound="type[Distiller]")


def register_method(name: str) -> Callable[[D], D]:
    """Class decorator registering a :class:`Distiller` subclass under ``name``.

    Parameters
    ----------
    name : str
        Registry key: lower-case letters, digits, ``.``, ``_``, ``-`` (it becomes part of run
        folder names), e.g. ``"rid"``. Registering the same class again (a notebook cell run
        twice) replaces it; another class under a taken name is an error.

    Raises
    ------
    ValueError
        A bad name, one already registered to another class, or ``"teacher"``, which marks
        the runs that train a teacher (:data:`~pidkit_distill.registry.RESERVED_NAMES`).
    TypeError
        The decorated object is not a :class:`Distiller` subclass.

    Examples
    --------
    >>> from pidkit_distill import Distiller, get_method, register_method
    >>> @register_method("doc-example")
    ... class _Example(Distiller):
    ...     pass
    >>> get_method("doc-example") is _Example, _Example.method_name
    (True, 'doc-example')
    >>> register_method("doc-example")(Distiller)
    Traceback (most recent call last):
    ...
    ValueError: register_method: method name 'doc-example' is already registered (to \
..._Example); choose another name, or, to register this definition under it (a notebook cell \
edited and run again), first remove the old one with pidkit_distill.unregister_method('doc-example').
    >>> from pidkit_distill import unregister_method
    >>> unregister_method("doc-example")
    """
    register = _METHODS.decorator(name, check=check_forward_signature)

    def decorate(cls: D) -> D:
        register(cls)
        cls.method_name = name
        return cls

    return decorate


def unregister_method(name: str) -> None:
    """Remove a method that you registered with :func:`register_method` (a notebook's
    experiment, a test's clean-up); the package's own methods stay.

    Parameters
    ----------
    name : str
        The registered name (read as :func:`get_method` reads it).

    Raises
    ------
    ValueError
        ``name`` is one of the package's own methods, or not registered.

    Examples
    --------
    >>> from pidkit_distill import unregister_method
    >>> unregister_method("kd")
    Traceback (most recent call last):
    ...
    ValueError: unregister_method: name='kd' is one of the package's own methods, which stay \
registered; only the names you registered can be removed.
    """
    _METHODS.unregister(name)


def method_source(name: object) -> str | None:
    """Where the method that ``name`` means (read as :func:`get_method` reads it) comes from,
    where you registered it with :func:`register_method`: the resolved path of its module's file, or
    that module's name where it has no file (``'__main__'`` in a notebook); ``None`` for the
    package's own methods and a name not registered. A run records it in its ``config.json``
    (``recorded.registered``), and a cached teacher's folder name hashes it.

    Examples
    --------
    >>> from pidkit_distill.methods.base import method_source
    >>> method_source("bas") is None, method_source("no-such-method") is None
    (True, True)
    """
    return _METHODS.source(name)


def default_preset_of(name: object) -> str | None:
    """The default preset of the method that ``name`` means (read as :func:`get_method` reads
    it); ``None`` for a name not registered.

    Examples
    --------
    >>> from pidkit_distill.methods.base import default_preset_of
    >>> default_preset_of("KD"), default_preset_of("no-such-method"), default_preset_of(3)
    ('paper', None, None)
    """
    key = _METHODS.find(name)
    return None if key is None else cast("type[Distiller]", _METHODS.get(key)).default_preset


def available_methods() -> list[str]:
    """Sorted names of the registered methods.

    Examples
    --------
    >>> from pidkit_distill import available_methods
    >>> import pidkit_distill.methods
    >>> {"bas", "kd", "rid", "ted", "vid"} <= set(available_methods())
    True
    """
    return _METHODS.names()


def get_method(name: str) -> type[Distiller]:
    """The :class:`Distiller` subclass registered under ``name``.

    Raises
    ------
    ValueError
        Unknown name; the message lists the known ones, says where to register one of your own
        and suggests the closest name.

    Examples
    --------
    >>> from pidkit_distill import get_method
    >>> import pidkit_distill.methods
    >>> get_method("bas").__name__
    'BAS'
    """
    key = _METHODS.find(name)
    if key is None:
        raise _METHODS.unknown(name, module="pidkit_distill.methods", listed=available_methods())
    return cast("type[Distiller]", _METHODS.get(key))  # the registry accepts Distillers only


class Distiller(nn.Module):
    """Base class of every distillation method.

    Parameters
    ----------
    student, teacher : nn.Module
        Models with ``forward_features(x) -> Features``: from
        :func:`pidkit_distill.models.build_model`, or your own wrapped with
        :func:`pidkit_distill.models.tap_features`. The teacher is frozen here:
        ``requires_grad_(False)``, eval mode, and every forward under ``torch.no_grad()``.
    sample_input : Tensor
        One input batch (at least one sample) of shape ``(N, *input_shape)``: ``x[:2]``, not
        the one sample ``x[0]``, which is refused with that fix; used once to infer feature
        shapes, with both models in eval mode so no BatchNorm statistic moves.
    num_classes : int
        Number of classes of the task.
    preset : str, optional
        Name of a parameter preset in ``cls.presets``; every shipped method has ``"paper"``,
        one that declares none ``"default"``. The default is ``cls.default_preset``.
    **params
        Overrides of fields of ``cls.Params``; unknown names raise ``TypeError``.

    Attributes
    ----------
    params : Params
        The resolved, frozen hyper-parameters.
    teacher_shapes, student_shapes : list of torch.Size
        Per-sample shape of each distilled layer, ``(C, H, W)`` or ``(C,)``.
    teacher_pooled_dim, student_pooled_dim : int
        Width of each network's ``pooled`` vector (by default its classifier's input), which
        sizes a module comparing them (ITRD's embedding, MIMKD's critic).
    sample_input_shape : tuple of int
        Per-sample shape of ``sample_input`` (``sample_input.shape[1:]``), which
        :func:`~pidkit_distill.audit_distiller` names when a held-out set's inputs do not fit.
    method_name : str
        The registry name (class attribute).
    default_preset : str
        Class attribute: the preset used when none is named (``"default"``; a shipped method's
        is ``"paper"`` unless the paper's literal setting does not train; RID: ``"paper-mean"``).
    student_init : str or None
        Class attribute: the registry name of a method whose trained student this method
        must start from (TED: ``"bas"``), or ``None`` to start from scratch.

    Examples
    --------
    A method of your own is a subclass with a ``forward`` (register it with
    :func:`register_method` to train it by name). Here: cross-entropy plus the distance to
    the teacher's logits, trained by the loop the module docstring describes:

    >>> import torch
    >>> from torch import nn
    >>> from torch.nn import functional as F
    >>> from pidkit_distill.methods import Distiller, StepOutput
    >>> from pidkit_distill.models import tap_features
    >>> class LogitMatch(Distiller):
    ...     def forward(self, x, y, *, epoch):
    ...         logits = self.student(x)
    ...         target = self.teacher_features(x).logits
    ...         return StepOutput(logits, {"ce": F.cross_entropy(logits, y),
    ...                                    "match": F.mse_loss(logits, target)})
    >>> def mlp(width):
    ...     net = nn.Sequential(nn.Linear(4, width), nn.ReLU(), nn.Linear(width, 3))
    ...     return tap_features(net, layers=["1"])
    >>> _ = torch.manual_seed(0)
    >>> x, y = torch.randn(32, 4), torch.arange(32) % 3
    >>> distiller = LogitMatch(mlp(6), mlp(16), sample_input=x, num_classes=3)
    >>> distiller.student_shapes, distiller.teacher_shapes      # per-sample layer shapes
    ([torch.Size([6])], [torch.Size([16])])
    >>> distiller.student_pooled_dim, distiller.teacher_pooled_dim  # the classifiers' inputs
    (6, 16)
    >>> optimizers = {group: torch.optim.SGD(params, lr=0.1)
    ...               for group, params in distiller.optimizer_groups().items()}
    >>> losses = []
    >>> for epoch in range(5):
    ...     out = distiller(x, y, epoch=epoch)
    ...     loss = out.loss                     # the sum of out.losses' terms
    ...     loss.backward()
    ...     optimizers[distiller.phase(epoch)].step()
    ...     optimizers[distiller.phase(epoch)].zero_grad()
    ...     losses.append(loss.item())
    >>> list(optimizers), sorted(out.losses), bool(losses[-1] < losses[0])
    (['student'], ['ce', 'match'], True)
    >>> distiller.teacher.training, any(p.requires_grad for p in distiller.teacher.parameters())
    (False, False)
    """

    Params: ClassVar[type[_BaseParams]] = Params
    params: _BaseParams
    presets: ClassVar[dict[str, dict[str, Any]]] = {"default": {}}
    default_preset: ClassVar[str] = "default"
    method_name: ClassVar[str] = ""
    student_init: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Make a subclass's own ``__init__`` refuse, naming the fix, to return without
        running this class's (``super().__init__(...)`` forgotten or called after setting a
        module), which torch reported later as a missing ``_parameters``."""
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = checked_init(cls.__dict__["__init__"])  # type: ignore[method-assign]  # the subclass's own __init__, wrapped on purpose

    def __init__(
        self,
        student: nn.Module,
        teacher: nn.Module,
        *,
        sample_input: Tensor,
        num_classes: int,
        preset: str | None = None,
        **params: Any,
    ) -> None:
        super().__init__()
        self.params = self.make_params(preset=preset, **params)
        self.preset = self.default_preset if preset is None else preset
        self.student = check_feature_model(student, "student")
        self.teacher = check_feature_model(teacher, "teacher")
        check_separate_networks(student, teacher)
        classes = whole_number(num_classes)  # a numpy integer, a 0-d integer tensor: its int
        if classes is None or classes < 2:
            fix = whole_number_fix(num_classes, "num_classes", minimum=2) if classes is None else ""
            raise ValueError(f"num_classes must be an int >= 2; got {num_classes!r}{fix}.")
        check_built_inputs(student, teacher, sample_input)
        if sample_input.dim() == 1 and self._runs_as_one_sample(sample_input):
            raise ValueError(one_sample_refusal(sample_input))
        if sample_input.dim() < 2 or len(sample_input) < 1:
            raise ValueError("sample_input must be a batch tensor of shape (N, ...) with N >= 1, "
                             f"e.g. the first training batch; got {sample_input.shape!r}.")
        self.num_classes = classes
        # the student's first weight's place: a batch's x takes its dtype and device as they are
        self._student_weight_at = weight_place(student)
        self._labels_read = False  # whether a call has read its labels' values (__call__)
        self.sample_input_shape = tuple(sample_input.shape[1:])
        self.teacher.requires_grad_(False)
        self.teacher.eval()
        try:
            t, s = self._probe(sample_input[:2])
        except Exception as err:
            # a meta-device limit goes through as it is: the trainer's check retries on the CPU
            if isinstance(err, _OUT_OF_MEMORY) or needs_real_tensors(err) \
                    or not self._runs_as_one_sample(sample_input):
                raise
            raise ValueError(f"{one_sample_refusal(sample_input)} (torch said: "
                             f"{one_line(err)})") from err
        self.teacher_shapes: list[torch.Size] = [f.shape[1:] for f in t.layers]
        self.student_shapes: list[torch.Size] = [f.shape[1:] for f in s.layers]
        self.teacher_pooled_dim: int = t.pooled.shape[1]
        self.student_pooled_dim: int = s.pooled.shape[1]
        self.teacher_num_logits = t.logits.shape[1]
        if s.logits.shape[1] != classes:
            raise ValueError(
                f"the student outputs {s.logits.shape[1]} logits but num_classes={classes}; "
                "build the student with the task's number of classes.")

    @classmethod
    def make_params(cls, *, preset: str | None = None, **overrides: Any) -> _BaseParams:
        """Resolve a preset (default ``cls.default_preset``) plus overrides into ``cls.Params``.

        Every field is validated by the Params class; a real-valued field must also be finite
        (:func:`~pidkit_distill.methods.params_resolution.resolve_params`).

        Raises
        ------
        ValueError
            Unknown preset (the message lists the method's presets) or a bad value: a
            :class:`~pidkit_distill.ConfigEntryError` naming the parameter(s),
            raised by the Params class (a plain ``ValueError`` of a Params class of your own
            that starts with ``NAME must be`` is made one).
        TypeError
            Unknown parameter name (the message lists the method's parameters, and the
            methods that have it): a :class:`~pidkit_distill.ConfigEntryTypeError`.

        Examples
        --------
        >>> from pidkit_distill.methods import get_method
        >>> get_method("kd").make_params(temperature=2.0).temperature
        2.0
        >>> get_method("kd").make_params(temperature=float("inf"))
        Traceback (most recent call last):
        ...
        pidkit_distill.ConfigEntryError: parameter temperature of method 'kd' must \
be finite; got inf.
        >>> get_method("bas").make_params(lambda2=0.5)
        Traceback (most recent call last):
        ...
        pidkit_distill.ConfigEntryTypeError: unknown parameter(s) ['lambda2'] for method 'bas'; \
its parameters are []. 'lambda2' is a parameter of method 'rid': --method rid on the command \
line, method.name='rid' in a configuration, get_method('rid') for a Distiller of your own.
        """
        if preset is None:
            preset = cls.default_preset
        try:
            return resolve_params(cls.Params, cls.presets, preset, method=cls.method_name,
                                  overrides=overrides)
        except ConfigEntryTypeError as err:  # unknown names: the methods that have them, if any
            others = {n: get_method(n).Params for n in available_methods() if n != cls.method_name}
            raise with_other_methods(err, others) from None

    def _runs_as_one_sample(self, sample_input: Tensor) -> bool:
        """Whether both networks run on ``sample_input[None]``: it is one sample, not a batch
        (``x[0]`` given for ``x[:2]``). A run that needs the values of tensors on the meta
        device raises its error, which the trainer's check retries on the CPU, where it is
        told."""
        try:
            with eval_mode(self.teacher):  # not yet pinned to it where the first check asks
                self._probe(sample_input[None])
        except Exception as err:
            if needs_real_tensors(err):
                raise
            return False
        return True

    def _probe(self, x: Tensor) -> tuple[Features, Features]:
        x = x.to(next(self.student.parameters()).device)
        with torch.no_grad(), eval_mode(self.student):
            return features_of(self.teacher, x), features_of(self.student, x)

    def train(self, mode: bool = True) -> Distiller:
        """Set training mode on everything except the teacher, which stays in eval mode."""
        super().train(mode)
        self.teacher.eval()
        return self

    def teacher_features(self, x: Tensor) -> Features:
        """The teacher's features, computed under ``torch.no_grad()``.

        Parameters
        ----------
        x : Tensor
            A batch of inputs, on the teacher's device.

        Returns
        -------
        Features
            The teacher's logits, distilled layers and pooled vector (no gradient flows).
        """
        with torch.no_grad():
            return features_of(self.teacher, x)

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        """Parameters to optimize, by group; default ``{"student": student parameters}``.

        Returns
        -------
        dict of str to list of nn.Parameter
            One entry per optimizer the trainer makes, keyed by the group names that
            :meth:`phase` returns. Methods with modules of their own (filters, regressors,
            critics) add their parameters to a group or make one of their own (RID: ``"filter"``).
        """
        return {"student": trainable(self.student)}

    def shared_parameters(self) -> list[nn.Parameter]:
        """Parameters listed in more than one optimizer group; default none (TED: ``f_s``)."""
        return []

    def phase(self, epoch: int) -> str:
        """The optimizer group trained at ``epoch`` (0-based): ``self.params.phase(epoch)``."""
        return self.params.phase(epoch)

    def loss_weights(self) -> dict[str, float]:
        """The weight, from ``self.params``, that each weighted loss term of :meth:`forward`
        carries; default none. A method overrides it for the terms it multiplies by a parameter
        (VID: ``{"vid": lam}``); :meth:`loss_labels` names those terms by it.

        Returns
        -------
        dict of str to float
            The weight of each weighted loss key; a key not listed carries none.
        """
        return {}

    def loss_labels(self) -> dict[str, str]:
        """How the epoch line names each loss term: ``"0.9*kd"`` for the key ``"kd"`` of weight
        0.9 (:meth:`loss_weights`), so that a weighted term does not read as the loss it
        weights; a term of weight 1, or not weighted, keeps its key, which ``metrics.jsonl``
        records in every case.

        Returns
        -------
        dict of str to str
            The label of each loss key that differs from the key.

        Examples
        --------
        >>> import torch
        >>> from pidkit_distill.methods import get_method
        >>> from pidkit_distill.models import build_model
        >>> s = build_model("synthetic-student", num_classes=3, in_channels=4)
        >>> t = build_model("synthetic-teacher", num_classes=3, in_channels=4)
        >>> get_method("vid")(s, t, sample_input=torch.randn(2, 4), num_classes=3).loss_labels()
        {'vid': '100*vid'}
        >>> get_method("bas")(s, t, sample_input=torch.randn(2, 4), num_classes=3).loss_labels()
        {}
        """
        return {key: f"{weight:g}*{key}" for key, weight in self.loss_weights().items()
                if weight != 1}

    def forward(self, x: Tensor, y: Tensor, *, epoch: int) -> StepOutput:
        """One training forward pass: the student's logits and the weighted loss terms.

        Subclasses implement it (the base class raises ``NotImplementedError``).

        Parameters
        ----------
        x : Tensor
            A batch of inputs ``(N, ...)``.
        y : Tensor
            Their int64 labels ``(N,)``.
        epoch : int
            The 0-based epoch, for methods whose losses depend on :meth:`phase`.

        Returns
        -------
        StepOutput
            The student's logits and the named, weighted loss terms whose sum is
            back-propagated.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x, y, epoch=)")

    def __call__(self, x: Tensor, y: Tensor, *args: Any, **kwargs: Any) -> StepOutput:
        """Check the batch, then run :meth:`forward` (through ``nn.Module``'s call, hooks and
        all). A batch the networks or the loss cannot take (numpy arrays, no sample, ``x`` of
        another dtype or shape than ``sample_input``, labels not one int64 label per row of
        ``x``) is refused in one line naming ``x`` or ``y`` and the fix, not met deep inside
        torch (:func:`~pidkit_distill.methods.distiller_inputs.check_batch`). Each call reads
        types, dtypes and shapes, not values, so that no step waits for the device; the first
        also reads the labels' range and whether ``x`` is finite. A batch on another device than
        the networks, a later label outside ``[0, num_classes)``, one sample that BatchNorm
        cannot train on and an image size that a flattening layer does not take are told once
        torch has raised on them (a network may move its inputs to its device itself)
        (:func:`~pidkit_distill.methods.distiller_inputs.refusal_after_error`); on CUDA a label
        outside the range is a device-side assert, which poisons the process.

        A later batch's NaN or infinity is not looked for (a wait for the device each step): the
        loss is NaN, and in training mode the BatchNorm running statistics become NaN (RID's
        filters', in their phase), so every later loss is NaN too. Check the loss,
        ``torch.isfinite(out.loss)``, as ``train()`` does (on the device, read once an epoch),
        or the data once before training, ``torch.isfinite(x).all()``.

        Examples
        --------
        >>> import torch
        >>> from pidkit_distill.methods import get_method
        >>> from pidkit_distill.models import build_model
        >>> s = build_model("synthetic-student", num_classes=3, in_channels=4)
        >>> t = build_model("synthetic-teacher", num_classes=3, in_channels=4)
        >>> x, y = torch.randn(8, 4), torch.arange(8) % 3
        >>> kd = get_method("kd")(s, t, sample_input=x, num_classes=3)
        >>> kd(x, y.float(), epoch=0)
        Traceback (most recent call last):
        ...
        ValueError: y is a torch.float32 tensor; the distiller takes int64 (or uint8) class \
labels, as torch's cross-entropy does: pass y.long()
        >>> kd(x[:, :3], y, epoch=0)
        Traceback (most recent call last):
        ...
        ValueError: x has shape (8, 3), but the distiller was built with a sample_input of shape \
(N, 4): its networks take 4 features (axis 1 of x), not 3; pass x of shape (N, 4)
        >>> sorted(kd(x, y, epoch=0).losses)
        ['ce', 'kd']
        """
        first = not self._labels_read and isinstance(y, Tensor) and not y.is_meta
        weight = weight_at(self._student_weight_at)
        check_batch(x, y, weights=None if weight is None else weight.dtype,
                    num_classes=self.num_classes if first else None,
                    sample_shape=self.sample_input_shape)
        self._labels_read = self._labels_read or first
        try:
            return super().__call__(x, y, *args, **kwargs)
        except (IndexError, RuntimeError, ValueError) as err:
            refusal = refusal_after_error(err, x, y, num_classes=self.num_classes,
                                          sample_shape=self.sample_input_shape,
                                          device=None if weight is None else weight.device)
            if refusal is None:
                raise
        raise ValueError(refusal)  # out of the except clause: not chained to torch's error

    def paired_shapes(self) -> list[tuple[torch.Size, torch.Size]]:
        """Per-layer ``(teacher_shape, student_shape)``; checks counts and spatial sizes
        (:func:`~pidkit_distill.methods.distiller_inputs.paired_layer_shapes`)."""
        return paired_layer_shapes(self.method_name, self.teacher_shapes, self.student_shapes)
