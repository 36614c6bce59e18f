"""The configuration check's models: resolved, built, run and paired by the method, without
training.

:func:`models_resolved` gives ``model.teacher`` and ``model.student`` of ``"auto"`` the data
set's own models (:mod:`~pidkit_distill.config.model_defaults`), from the registries' names.
:func:`~pidkit_distill.training.check_config` builds ``model.teacher`` and ``model.student``
for the data's classes and input shape (:func:`model_for`), runs each on a batch of two
samples (:func:`check_runs`) and builds the method's Distiller of the pair
(:func:`checked_distiller`). It does so on the ``meta`` device, where a network takes no memory
and no compute, so that a model of billions of weights is checked in a second.

The meta device has shapes but no values: code that reads a value out of a tensor
(``.item()``, ``.tolist()``, ``float(t)``, ``bool(t)``, ``if t.any():``, ``assert``,
``.numpy()``: the drop-path rates ``[x.item() for x in torch.linspace(0, rate, depth)]`` of
timm, ConvNeXt or Swin code), or an operator whose output's shape depends on the values
(``nonzero``, indexing with a mask, ``unique``) cannot run there
(:func:`~pidkit_distill.models.needs_real_tensors`). A model whose build, run or pairing fails
for that reason is checked on the CPU instead: built for real (by
:func:`~pidkit_distill.models.build_model` itself where its builder fails on meta), under a
forked random state (the check draws nothing from the caller's), and run on a batch of two
samples. A model that works is accepted; one that cannot take the data's inputs is refused in
one line either way.

The Distiller then takes one training step, without a backward pass, on a batch of two samples
at the first epoch of each of its phases (:func:`checked_step`): a method's ``forward`` must
return a :class:`~pidkit_distill.methods.StepOutput` whose every loss term is a 0-d tensor that
requires grad (:func:`checked_loss`, which every training step applies too), and the
BatchNorm layers that train on one value per channel per sample (``(N, C)`` features) are
noted (:func:`one_value_norms`): they cannot train on a batch of one sample. A method of one's
own is checked there too (:mod:`~pidkit_distill.methods.subclass_checks`): its phases against
its optimizer groups, every parameter that requires grad in a group, no module made by its
``forward``, and an error of its code in ``forward`` told in one line with its file and line.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain
from typing import Any, cast

import torch
from torch import nn

from pidkit_distill.config import TrainConfig
from pidkit_distill.config.model_defaults import default_models, with_default_models
from pidkit_distill.data import DatasetSpec, available_datasets
from pidkit_distill.launcher_env import world_size_from_env
from pidkit_distill.methods import Distiller, StepOutput
from pidkit_distill.methods.subclass_checks import (
    check_every_parameter_trained,
    check_nothing_created,
    check_phase_groups,
    failure_of_code,
    state_names,
)
from pidkit_distill.models import (
    available_models,
    build_model,
    needs_real_tensors,
    tap_features,
)
from pidkit_distill.training.loaders import ShardedBatchSampler
from pidkit_distill.training.trained_module import TrainedModule

__all__ = ["check_one_sample_batches", "check_runs", "checked_distiller", "checked_loss",
           "checked_step", "model_for", "models_resolved", "one_value_norms"]


def models_resolved(config: TrainConfig, *, teacher_only: bool = False) -> TrainConfig:
    """``config`` with ``model.teacher`` and ``model.student`` of ``"auto"`` resolved to the
    data set's own models, among the models and data sets registered now
    (:func:`~pidkit_distill.config.model_defaults.with_default_models`, whose arguments and errors
    these are): a copy, or ``config`` itself where neither is ``"auto"``.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> models_resolved(load_config(overrides=["data.name=cifar10"])).model
    ModelConfig(teacher='wrn-40-2', student='wrn-16-1')
    """
    return with_default_models(config, models=available_models(),
                               datasets=available_datasets(), teacher_only=teacher_only)


def model_for(name: str, data: DatasetSpec, *, meta: bool) -> nn.Module:
    """The model ``name`` built for ``data``'s classes and input channels: on the meta device
    (``meta``), or on the CPU, its initial weights drawn from a forked random state."""
    with torch.device("meta" if meta else "cpu"), torch.random.fork_rng(devices=[]):
        return build_model(name, num_classes=data.num_classes, in_channels=data.input_shape[0])


def check_runs(net: nn.Module, name: str, role: str, data: DatasetSpec) -> nn.Module:
    """Run ``net`` (the model ``name``, the ``role``'s) on a batch of two samples of the data,
    where it was built: on the meta device (one of empty tensors), or on the CPU (one drawn from
    a generator of its own). A meta network whose run needs the values of tensors
    (:func:`~pidkit_distill.models.needs_real_tensors`) is built on the CPU and run there instead.

    Returns
    -------
    torch.nn.Module
        The network that ran: ``net``, or the one built on the CPU.

    Raises
    ------
    ValueError
        Weights of another floating dtype than float32, the trainer's: they met the float32
        batches in torch's "mat1 and mat2 must have the same dtype" in the first step. An error
        of the network's own forward pass (torch's shape errors, an index beyond the inputs'
        shape, a failed ``assert``): the message names the model and the data it cannot take.
        Logits of another number of classes than the data's (a builder that ignores its
        ``num_classes``: cross-entropy trained such a model in silence).
        The taps' errors (:func:`~pidkit_distill.models.tap_features`: an output changed in
        place, logits of the wrong shape, a module that ran twice or never) already name their
        fix and go through.
    """
    _check_float32(net, name)
    if _ran(net, name, role, data):
        return net
    return _run_on_cpu(name, role, data)


def checked_distiller(method: type[Distiller], student: nn.Module, teacher: nn.Module, *,
                      names: tuple[str, str], data: DatasetSpec, teacher_data: DatasetSpec,
                      meta: bool = True, **options: Any) -> Distiller:
    """``method``'s Distiller of ``student`` and ``teacher`` (the models ``names``, built for
    ``data`` and ``teacher_data`` and run by :func:`check_runs`) for a batch of two samples: on
    the meta device where both networks are on it and the Distiller does not need the values
    of tensors there, on the CPU otherwise (a network on the meta device built and run on the
    CPU first, so that an error of its forward pass that only real values show, an index
    beyond the inputs, is refused as :func:`check_runs` refuses it).

    Parameters
    ----------
    meta : bool, default=True
        ``False``: on the CPU, whatever the Distiller needs (its step needs the values of
        tensors: :func:`checked_step`).
    **options
        The method's preset and parameters.

    Returns
    -------
    Distiller
        Its ``teacher_shapes`` and ``student_shapes`` are those of the run's.
    """
    if meta and _is_meta(student) and _is_meta(teacher):
        try:
            with torch.device("meta"):
                return method(student, teacher, sample_input=_sample(data, meta=True),
                              num_classes=data.num_classes, **options)
        except Exception as err:
            if not needs_real_tensors(err):
                raise
    if _is_meta(student):
        student = _run_on_cpu(names[0], "student", data)
    if _is_meta(teacher):
        teacher = _run_on_cpu(names[1], "teacher", teacher_data)
    with torch.device("cpu"), torch.random.fork_rng(devices=[]):
        return method(student, teacher, sample_input=_sample(data, meta=False),
                      num_classes=data.num_classes, **options)


def checked_step(distiller: nn.Module, data: DatasetSpec, *,
                 run_epochs: int) -> list[nn.Module] | None:
    """Run ``distiller``'s training forward pass (no backward pass) on a batch of two samples of
    ``data`` where it was built (the meta device or the CPU), at the first of the
    ``run_epochs`` epochs of each of its phases, and check what it returns
    (:func:`checked_loss`).

    Before the step, every group that ``phase()`` returns must be one of ``optimizer_groups()``
    and every parameter that requires grad (the frozen teacher's aside) in one of them; the
    step must create no parameter or saved tensor (a head made on the first call)
    (:mod:`~pidkit_distill.methods.subclass_checks`).

    A step that fails in the method's own code (a shape that does not fit in its ``forward``)
    is refused, naming its file and line (:func:`~pidkit_distill.methods.subclass_checks.
    failure_of_code`). Any other failure is not checked here: memory run out, a device
    (``.cuda()`` in the code, checked on the CPU), the batch of two random samples refused
    outside the method's code; the run's first step meets it, if at all, and tells it in its
    own context (the batch's data, the memory advice).

    Parameters
    ----------
    distiller : torch.nn.Module
        A :class:`~pidkit_distill.methods.Distiller`, or the
        :class:`~pidkit_distill.training.SupervisedModel` that trains a teacher: put in
        training mode with its ``train()``, as the run does.

    Returns
    -------
    list of torch.nn.Module or None
        The BatchNorm layers training in the step on one value per channel per sample
        (:func:`one_value_norms`): the student's and the method's own, not the frozen
        teacher's. ``None`` where the step, on the meta device, needs the values of tensors
        (``.item()``): check it again with the Distiller built on the CPU
        (:func:`checked_distiller` with ``meta=False``).

    Raises
    ------
    ValueError
        What ``forward`` returned is no StepOutput of scalar loss terms that require grad; a
        phase of no optimizer group, a parameter trained by no optimizer, a module created by
        ``forward``, an error of the method's code in ``forward``: each naming the method and
        the fix.
    """
    meta = _is_meta(distiller)
    name = getattr(distiller, "method_name", "") or type(distiller).__name__
    trained = cast(TrainedModule, distiller)  # a Distiller, or a teacher's SupervisedModel
    first_epochs: dict[str, int] = {}
    for epoch in range(run_epochs):
        first_epochs.setdefault(trained.phase(epoch), epoch)
    groups = trained.optimizer_groups()
    check_phase_groups(name, first_epochs, groups)
    check_every_parameter_trained(distiller, name, groups)
    norms: list[nn.Module] = []
    was_training = distiller.training
    distiller.train()
    # with gradients, as the run trains, whatever the caller's (an inference cell's) grad mode
    with torch.inference_mode(False), torch.enable_grad():
        x = _sample(data, meta=meta)
        y = torch.arange(2, device=x.device) % data.num_classes
        try:
            for epoch in first_epochs.values():
                before = state_names(distiller)
                try:
                    with torch.device(x.device), torch.random.fork_rng(devices=[]), \
                            one_value_norms() as seen:
                        out = distiller(x, y, epoch=epoch)
                except Exception as err:
                    if meta and needs_real_tensors(err):
                        return None
                    refusal = failure_of_code(err, distiller, name)
                    if refusal is None:  # the run's first step raises it, in its context
                        return norms
                    raise refusal from err
                check_nothing_created(distiller, name, before)
                checked_loss(out, distiller)
                norms += [norm for norm in seen if norm not in norms]
        finally:
            distiller.train(was_training)
    return norms


def checked_loss(out: Any, module: nn.Module) -> torch.Tensor:
    """The sum of the loss terms of ``out``, what ``module``'s ``forward`` returned (a
    Distiller, or its DDP wrapper), after checking that the trainer can back-propagate it.

    Raises
    ------
    ValueError
        ``out`` is no :class:`~pidkit_distill.methods.StepOutput`, or holds no loss term, or a
        term that is no 0-d tensor (a per-sample loss of ``reduction="none"``, an ``.item()``-ed
        one), or no term that requires grad (all ``.detach()``-ed or computed under
        ``torch.no_grad()``). A constant term beside one that requires grad is summed as it is.

    Examples
    --------
    >>> import torch
    >>> from pidkit_distill.methods import StepOutput
    >>> w = torch.ones(3, requires_grad=True)
    >>> checked_loss(StepOutput(w[None], {"a": w.sum(), "b": 2 * w.sum()}), torch.nn.Linear(1, 1))
    tensor(9., grad_fn=<AddBackward0>)
    >>> checked_loss(StepOutput(w[None], {"ce": w * 2}), torch.nn.Linear(1, 1))
    Traceback (most recent call last):
    ...
    ValueError: method 'Linear': losses['ce'] must be a 0-d tensor that requires grad; got shape \
(3,): reduce it to the batch's mean (reduction="mean", or .mean())
    """
    inner = getattr(module, "module", module)  # a DDP wrapper's module
    name = getattr(inner, "method_name", "") or type(inner).__name__
    if not isinstance(out, StepOutput):
        raise ValueError(f"method {name!r}: forward must return a StepOutput(logits, losses); "
                         f"got {type(out).__name__}: end it with return StepOutput(logits, "
                         "{'ce': loss}) (from pidkit_distill import StepOutput), one named term "
                         "per loss")
    if not isinstance(out.losses, dict) or not out.losses:
        got = "an empty dict" if isinstance(out.losses, dict) else type(out.losses).__name__
        raise ValueError(f"method {name!r}: StepOutput.losses must be a dict of at least one "
                         f"named loss term (a 0-d tensor that requires grad); got {got}")
    for key, term in out.losses.items():
        if not isinstance(term, torch.Tensor):
            fix = "return the tensor itself, not its .item() or a number"
            got = f"a {type(term).__name__} ({term!r})"
        elif term.dim() != 0:
            fix = 'reduce it to the batch\'s mean (reduction="mean", or .mean())'
            got = f"shape {tuple(term.shape)}"
        else:
            continue
        raise ValueError(f"method {name!r}: losses[{key!r}] must be a 0-d tensor that requires "
                         f"grad; got {got}: {fix}")
    if not any(term.requires_grad for term in out.losses.values()):
        # a constant term beside one that requires grad (a term switched off, a logged one)
        # adds nothing to the gradient, as before; with none, there is nothing to step on
        terms = ", ".join(f"losses[{key!r}]" for key in out.losses)
        raise ValueError(f"method {name!r}: no loss term requires grad ({terms}): compute them "
                         f"from the networks' outputs, not under torch.no_grad() nor "
                         f".detach()-ed")
    return out.loss


@contextmanager
def one_value_norms() -> Iterator[list[nn.Module]]:
    """The BatchNorm layers that normalise with the batch's statistics (training, or without
    running statistics) an input of one value per channel per sample (``(N, C)``, or ``(N, C,
    1, ...)``) while the block runs: given a batch of one sample they raise torch's "Expected
    more than 1 value per channel when training".

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.LazyLinear(8),
    ...                     nn.BatchNorm1d(8))
    >>> with one_value_norms() as seen:
    ...     _ = net(torch.zeros(2, 1, 5, 5))
    >>> [(type(norm).__name__, norm.num_features) for norm in seen]     # not the BatchNorm2d
    [('BatchNorm1d', 8)]
    """
    seen: list[nn.Module] = []

    def note(module: nn.Module, inputs: tuple[Any, ...]) -> None:
        if isinstance(module, _BATCH_NORMS) and module not in seen and inputs \
                and (module.training or module.running_mean is None) \
                and isinstance(inputs[0], torch.Tensor) and math.prod(inputs[0].shape[2:]) == 1:
            seen.append(module)

    handle = torch.nn.modules.module.register_module_forward_pre_hook(note)
    try:
        yield seen
    finally:
        handle.remove()


# a lazy one is no BatchNorm1d until its first forward pass (a network built anew)
_BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm,
                nn.LazyBatchNorm1d, nn.LazyBatchNorm2d, nn.LazyBatchNorm3d)


def check_one_sample_batches(config: TrainConfig,
                             trained: list[tuple[str, int, list[nn.Module]]]) -> None:
    """Refuse a training batch of one sample (in a process) for the networks ``trained``, in the
    order they train: what each is, the number of samples it trains on, and its BatchNorm
    layers that train on one value per channel per sample (:func:`one_value_norms`). Torch
    raises "Expected more than 1 value per channel when training" in that step, after the
    epochs before it (a teacher's whole training) are done.

    Raises
    ------
    ValueError
        Starting with ``data.batch_size``, naming the networks, their layers, the batch and
        the fixes: ``data.drop_last=true``, or a batch size whose batches all hold two samples
        or more (in each process) for every network of ``trained`` with such layers.
    """
    batch_size, world_size = config.data.batch_size, world_size_from_env()
    failing = [(what, n_train, norms) for what, n_train, norms in trained
               if norms and _smallest_batch(config, n_train, batch_size) == 1]
    if not failing:
        return
    n_train = failing[0][1]  # the first network to train on such batches, and those alike
    named = [f"{what} ({', '.join(sorted({_norm_name(n) for n in norms}))})"
             for what, n, norms in failing if n == n_train]
    # a batch size that every network with such layers trains with, not the first one alone
    better = next((b for b in range(batch_size + 1, max(n for _, n, _ in trained) + 1)
                   if all((_smallest_batch(config, n, b) or 0) > 1
                          for _, n, norms in trained if norms)), None)
    instead = f" (e.g. {better})" if better else ""
    # dropping the last batch helps where a full batch trains (a batch size of 1 does not)
    drop = "" if config.data.drop_last or \
        (_smallest_batch(config, batch_size, batch_size) or 0) < 2 else "set data.drop_last=true or "
    samples = _smallest_batch(config, n_train, batch_size, per_process=False)
    where = "" if world_size == 1 else \
        f", of which a process of the {world_size} gets 1"
    raise ValueError(
        f"data.batch_size: a training batch of data.batch_size={batch_size} from {n_train} "
        f"samples holds only {samples} sample{'s' if samples != 1 else ''}{where}, but "
        f"BatchNorm layers that normalise one value per channel per sample cannot train on one "
        f"sample: those of {' and '.join(named)}; {drop}change data.batch_size{instead}")


def _smallest_batch(config: TrainConfig, n_train: int, batch_size: int, *,
                    per_process: bool = True) -> int | None:
    """The fewest samples a BatchNorm layer normalises together in a training step on
    ``n_train`` samples in global batches of ``batch_size`` (the last's, ``data.drop_last`` as
    configured): each process's share of them under torchrun (``per_process``), unless
    ``run.sync_bn`` normalises with the global batch's statistics; ``None`` where the batches
    leave a process without a sample (refused where the data's batches are checked)."""
    world_size = world_size_from_env()
    try:
        sizes = ShardedBatchSampler(n_train, batch_size, world_size=world_size,
                                    drop_last=config.data.drop_last).global_batch_sizes()
    except ValueError:
        return None
    if not per_process or (config.run.sync_bn and world_size > 1):
        return sizes[-1]
    return sizes[-1] // world_size


def _norm_name(norm: nn.Module) -> str:
    """A BatchNorm layer as a message names it: ``BatchNorm1d(128)``."""
    return f"{type(norm).__name__}({getattr(norm, 'num_features', '?')})"


def _run_on_cpu(name: str, role: str, data: DatasetSpec) -> nn.Module:
    """The model ``name`` (the ``role``'s) built on the CPU and run there on a batch of two
    samples of ``data`` (see :func:`check_runs`)."""
    net = model_for(name, data, meta=False)
    _check_float32(net, name)
    _ran(net, name, role, data)
    return net


def _check_float32(net: nn.Module, name: str) -> None:
    """Refuse weights of another floating dtype than float32 (see :func:`check_runs`)."""
    dtypes = {t.dtype for t in _tensors_of(net) if t.is_floating_point()}
    if dtypes - {torch.float32}:
        raise ValueError(f"{name!r} has {' and '.join(sorted(map(str, dtypes)))} weights, but "
                         "the trainer trains in float32 (whatever torch's default dtype; "
                         "run.amp=true for bf16 autocast on CUDA): build the model in float32, "
                         "without .double(), .half() or a dtype= argument")


def _ran(net: nn.Module, name: str, role: str, data: DatasetSpec) -> bool:
    """Run ``net`` on a batch of two samples where it was built (see :func:`check_runs`);
    ``False`` where it is on the meta device and its run needs the values of tensors."""
    meta = _is_meta(net)
    try:
        with torch.device("meta" if meta else "cpu"), torch.random.fork_rng(devices=[]):
            logits = net.forward_features(_sample(data, meta=meta)).logits  # type: ignore[operator]  # a feature model's method, which torch types as a module's attribute
    except Exception as err:
        if _raised_in(err, tap_features):
            raise
        if meta and needs_real_tensors(err):
            return False
        if isinstance(err, (RuntimeError, ValueError, AssertionError, IndexError)):  # its own
            raise _cannot_take(err, name, role, data) from err
        raise
    if logits.dim() == 2 and logits.shape[1] != data.num_classes:
        raise ValueError(
            f"{name!r} gives {logits.shape[1]} logits a sample, but data {data.name!r} has "
            f"{data.num_classes} classes: build its classifier with the num_classes its builder "
            f"is given (num_classes={data.num_classes} here), not a number of its own")
    return True


def _sample(data: DatasetSpec, *, meta: bool) -> torch.Tensor:
    """A batch of two inputs of ``data``: empty on the meta device, else standard normal values
    on the CPU, drawn from a generator of its own."""
    if meta:
        return torch.empty(2, *data.input_shape, device="meta")
    return torch.randn(2, *data.input_shape, generator=torch.Generator().manual_seed(0))


def _tensors_of(net: nn.Module) -> chain[torch.Tensor]:
    """The weights and buffers of ``net``."""
    return chain(net.parameters(), net.buffers())


def _is_meta(net: nn.Module) -> bool:
    """Whether ``net`` holds tensors on the meta device (one without tensors runs anywhere)."""
    return any(t.is_meta for t in _tensors_of(net))


def _cannot_take(err: BaseException, name: str, role: str, data: DatasetSpec) -> ValueError:
    """The error that the model ``name`` cannot take the inputs of ``data``, with a model that
    can: the one ``"auto"`` means for the data (:func:`~pidkit_distill.config.model_defaults.
    default_models`: ``digits-student``, ``wrn-16-1`` for CIFAR), unless that is ``name``
    itself (a data set's own model of one's own that cannot take it), or one of its shape."""
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    pair = default_models(data.name, available_models())
    usual = None if pair is None else pair[0] if role == "teacher" else pair[1]
    if usual is not None and usual != name:
        hint = f" such as {usual}"
    else:
        hint = f" (one built for input_shape {tuple(data.input_shape)})"
    return ValueError(f"{name!r} cannot take the inputs of data {data.name!r} (shape "
                      f"{data.input_shape}): {first.rstrip('.')}; choose a model made for this "
                      f"data{hint}")


def _raised_in(err: BaseException, function: Any) -> bool:
    """Whether ``err`` was raised by code of the module that defines ``function``."""
    frame = err.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    return frame is not None and frame.tb_frame.f_globals.get("__name__") == function.__module__
