"""The configuration check's models: built, run and paired by the method, without training.

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
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import torch
from torch import nn

from pidkit_distill.data import DatasetSpec
from pidkit_distill.methods import Distiller
from pidkit_distill.models import (
    available_models,
    build_model,
    needs_real_tensors,
    tap_features,
)

__all__ = ["check_runs", "checked_distiller", "model_for"]


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
                      **options: Any) -> Distiller:
    """``method``'s Distiller of ``student`` and ``teacher`` (the models ``names``, built for
    ``data`` and ``teacher_data`` and run by :func:`check_runs`) for a batch of two samples: on
    the meta device where both networks are on it and the Distiller does not need the values
    of tensors there, on the CPU otherwise (a network on the meta device built and run on the
    CPU first, so that an error of its forward pass that only real values show, an index
    beyond the inputs, is refused as :func:`check_runs` refuses it).

    Parameters
    ----------
    **options
        The method's preset and parameters.

    Returns
    -------
    Distiller
        Its ``teacher_shapes`` and ``student_shapes`` are those of the run's.
    """
    if _is_meta(student) and _is_meta(teacher):
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
            net.forward_features(_sample(data, meta=meta))
    except Exception as err:
        if _raised_in(err, tap_features):
            raise
        if meta and needs_real_tensors(err):
            return False
        if isinstance(err, (RuntimeError, ValueError, AssertionError, IndexError)):  # its own
            raise _cannot_take(err, name, role, data) from err
        raise
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
    can: the data's own (``digits-student``), a WideResNet for CIFAR, or one of its shape."""
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    usual = f"{data.name}-{role}"
    if usual in available_models():
        hint = f" such as {usual}"
    elif data.name.startswith("cifar"):
        hint = " (wrn-D-K for CIFAR)"
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
