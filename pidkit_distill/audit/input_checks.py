"""The audit's checks of what it is given (:func:`~pidkit_distill.audit.collect_features`): the
held-out set as ``(x, y)`` batches (:func:`as_dataset`, :func:`batch_pair`), its labels
(:func:`labels_refusal`, :func:`float_labels_error`) and inputs (:func:`inputs_refusal`), the
layers it pairs (:func:`layer_refusal`) and the networks' device (:func:`device_of`), each
refused with a message that names what was wrong and how to fix it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import TensorDataset

from pidkit_distill.devices import devices_here, on_this_machine
from pidkit_distill.label_checks import first_label_problem, one_label_fix

__all__ = ["as_dataset", "batch_pair", "device_of", "float_labels_error", "inputs_refusal",
           "labels_error", "labels_refusal", "layer_refusal"]


def as_dataset(dataset: Any) -> Any:
    """``dataset``, or the ``TensorDataset`` of an ``(x, y)`` pair of tensors (a pair given
    as it is made batches of the two tensors stacked, torch's "stack expects each tensor to be
    equal size")."""
    if not (isinstance(dataset, tuple | list) and len(dataset) == 2):
        return dataset
    if any(isinstance(t, np.ndarray) for t in dataset):
        raise TypeError("dataset=(x, y) holds numpy arrays; pass tensors: "
                        "(torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(y))")
    if not any(isinstance(t, torch.Tensor) for t in dataset):
        return dataset  # a list of two samples
    x, y = dataset
    for name, given, fix in (("x", x, "(torch.as_tensor(x, dtype=torch.float32), y)"),
                             ("y", y, "(x, torch.as_tensor(y))")):
        if not isinstance(given, torch.Tensor):
            raise TypeError(f"dataset=(x, y) holds a {type(given).__name__} as {name}; pass "
                            f"tensors: {fix}")
    if x.dim() == 0 or y.dim() != 1 or len(x) != len(y):
        raise ValueError(f"dataset=(x, y) needs one label per row of x: x has shape "
                         f"{tuple(x.shape)} and y {tuple(y.shape)}; pass the labels as a 1-D y "
                         "of len(x), or a Dataset yielding (x, y)")
    return TensorDataset(x, y)


def layer_refusal(k: int, n_teacher: int, n_student: int) -> str:
    """Why the audit cannot read layer ``k`` of networks that distil ``n_teacher`` and
    ``n_student`` layers, with the layers it can read, named as each caller sets them.

    Examples
    --------
    >>> layer_refusal(1, 2, 1)
    "audit layer index 1 is out of range: the teacher has 2 and the student 1 distilled layers \
(their forward_features(x).layers; the audit pairs the teacher's layer k with the student's); \
audit the layers both have, [0]: layers=[0] (settings=AuditConfig(layers=[0]) for \
audit_distiller and audit_networks, audit.layers=[0] in a configuration), or tap as many layers \
of each network"
    """
    both = list(range(min(n_teacher, n_student)))
    taps = ", or tap as many layers of each network" if n_teacher != n_student else ""
    return (f"audit layer index {k} is out of range: the teacher has {n_teacher} and the student "
            f"{n_student} distilled layers (their forward_features(x).layers; the audit pairs the "
            f"teacher's layer k with the student's); audit the layers both have, {both}: "
            f"layers={both} (settings=AuditConfig(layers={both}) for audit_distiller and "
            f"audit_networks, audit.layers={both} in a configuration){taps}")


def inputs_refusal(x: torch.Tensor, teacher: nn.Module, student: nn.Module,
                   input_shape: tuple[int, ...] | None) -> str | None:
    """Why the networks could not run on the batch ``x``, where it is the inputs' fault: a
    per-sample shape other than ``input_shape``, networks whose weights differ in dtype, or a
    dtype other than their weights' (``None`` where none: the error is the networks' own). With
    no ``input_shape`` to hold them to (two networks audited without a Distiller), the inputs'
    shape is named as the likely fault.

    Examples
    --------
    >>> net = nn.Linear(3, 2)
    >>> print(inputs_refusal(torch.zeros(4, 5), net, net, None))
    dataset: the networks could not run on its inputs of shape (5,) per sample (a batch of \
(4, 5)); pass inputs of the shape the teacher and the student take
    """
    shape = tuple(x.shape[1:])
    if input_shape is not None and shape != tuple(input_shape):
        wanted = tuple(input_shape)
        same_size = int(np.prod(shape)) == int(np.prod(wanted))
        fix = (f"x.reshape(-1, *{wanted}) if they are those samples laid out otherwise" if same_size
               else "the held-out split of the data the distiller was built for")
        return (f"dataset: its inputs have shape {shape} per sample (a batch of "
                f"{tuple(x.shape)}), but the distiller was built for samples of shape {wanted} "
                f"(its sample_input); pass {fix}")
    teacher_weights, weights = (next((p.dtype for p in net.parameters() if p.is_floating_point()),
                                     None) for net in (teacher, student))
    if None not in (teacher_weights, weights) and teacher_weights != weights:
        return (f"the teacher's weights are {teacher_weights} and the student's {weights}: the "
                f"audit runs both on the same inputs; cast one to the other's dtype "
                f"(teacher.to({weights}))")
    weights = weights or teacher_weights
    if weights is not None and x.dtype != weights:
        source = (" (torch.from_numpy keeps numpy's float64)" if x.dtype == torch.float64
                  else "")
        return (f"dataset: its inputs are {x.dtype}, but the networks' weights are {weights}: "
                f"pass the inputs as x.to({weights}){source}")
    if input_shape is None:
        return (f"dataset: the networks could not run on its inputs of shape {shape} per sample "
                f"(a batch of {tuple(x.shape)}); pass inputs of the shape the teacher and the "
                "student take")
    return None


def batch_pair(batch: Any, start: int, num_classes: int | None) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch`` as ``(x, y)``, refused, naming what it is, when it is no pair of tensors; a
    batch whose labels are strings (collated as a list of them), naming the first, read at
    index ``start``."""
    if (isinstance(batch, tuple | list) and len(batch) == 2
            and all(isinstance(t, torch.Tensor) for t in batch)):
        return batch[0], batch[1]
    if (isinstance(batch, tuple | list) and len(batch) == 2 and isinstance(batch[0], torch.Tensor)
            and isinstance(batch[1], tuple | list) and batch[1]
            and all(isinstance(label, str) for label in batch[1])):
        raise labels_error(f"its label at index {start} is {batch[1][0]!r}, a str; the audit "
                           f"takes {_classes(num_classes)}: number the classes from 0 "
                           "(classes.index(name))")
    if isinstance(batch, tuple | list):
        what = f"a {type(batch).__name__} of {[type(b).__name__ for b in batch]}"
    elif isinstance(batch, dict):
        what = f"a dict with keys {list(batch)}"
    else:
        what = f"a {type(batch).__name__}"
    raise TypeError(f"dataset must yield (x, y) pairs of tensors, inputs and labels; its batches "
                    f"are {what}; pass a Dataset or DataLoader of (x, y), or a pair (x, y) of "
                    "tensors")


def labels_refusal(y: torch.Tensor, n_rows: int, start: int,
                   num_classes: int | None) -> str | None:
    """What is wrong with ``y``, the labels of a batch of ``n_rows`` inputs read from index
    ``start`` on, as the end of a sentence naming the data ("dataset: ..."), with the fix;
    ``None`` where they are one int (or float, see
    :func:`~pidkit_distill.audit.collect_features`) per row, no fraction, in
    ``[0, num_classes)``. The first wrong label is named with its index in the order read;
    only the batch's labels, already in hand, are read.

    Examples
    --------
    >>> labels_refusal(torch.tensor([0, 3, 1]), 3, 0, 4) is None
    True
    >>> labels_refusal(torch.tensor([0, 7, 9]), 3, 30, 4)
    "its label at index 31 is 7, outside [0, 4), the distiller's classes (num_classes=4): pass \
the held-out split of the data the distiller was built for, its classes numbered from 0"
    >>> labels_refusal(torch.tensor([1.0, 0.5]), 2, 0, 4)
    'its label at index 1 is 0.5, no class: the audit takes int class labels in [0, 4) \
(num_classes=4); pass the class of each sample, not a score or a probability'
    >>> labels_refusal(torch.tensor([True, False]), 2, 8, None)
    'its labels are bool (at index 8: True); the audit takes int class labels: pass y.long() \
(int(y) for a label a Dataset returns)'
    >>> labels_refusal(torch.tensor([[0], [1]]), 2, 0, 4)
    'its labels have shape (2, 1) in a batch of 2 samples (from index 0); the audit takes one \
int class label per sample, y of shape (N,): pass y.flatten() of an (N, 1) y'
    >>> labels_refusal(torch.eye(2), 2, 0, 2).split(": ")[-1]
    'pass y.argmax(dim=1) of one-hot labels or class scores of shape (N, 2)'
    """
    problem = first_label_problem(y, n_rows, num_classes)
    if problem is None or problem.kind == "dtype":  # int32 labels, whole floats: class numbers
        return None
    at, value = start + problem.position, problem.value
    if problem.kind == "shape":
        return (f"its labels have shape {value} in a batch of {n_rows} samples (from "
                f"index {start}); the audit takes one int class label per sample, y of shape "
                f"(N,): pass {one_label_fix(tuple(y.shape))}")
    if problem.kind == "bool":
        return (f"its labels are {_dtype_name(y)} (at index {at}: {value!r}); the audit "
                f"takes {_classes(num_classes)}: pass y.long() (int(y) for a label a Dataset "
                "returns)")
    if problem.kind == "fraction":
        return (f"its label at index {at} is {value!r}, no class: the audit takes "
                f"{_classes(num_classes)}; pass the class of each sample, not a score or a "
                "probability")
    return (f"its label at index {at} is {value}, outside [0, {num_classes}), the "
            f"distiller's classes (num_classes={num_classes}): pass the held-out split of the "
            "data the distiller was built for, its classes numbered from 0")


def _classes(num_classes: int | None) -> str:
    """The labels the audit takes, for its messages."""
    return "int class labels" + ("" if num_classes is None else
                                 f" in [0, {num_classes}) (num_classes={num_classes})")


def _dtype_name(values: torch.Tensor) -> str:
    """The dtype of ``values`` as numpy names it (``float32``, ``bool``), for messages."""
    return str(values.dtype).removeprefix("torch.")


def labels_error(problem: str) -> ValueError:
    """The error of held-out labels that are no classes: a
    :class:`~pidkit_distill.training.loaders.DataError`, which the ``pidkit-distill`` command
    reports as its user's mistake (one line, exit status 2), as it does the data's other
    mistakes. Imported here: the training package imports this module."""
    from pidkit_distill.training.loaders import DataError

    return DataError(f"dataset: {problem}")


def device_of(teacher: nn.Module, student: nn.Module,
              device: torch.device | str | None) -> torch.device:
    """``device`` if the networks' parameters and buffers are all on it; ``None``: their device
    (the CPU for networks without any). A network on another device than its batches fails deep
    in torch ("Expected all tensors to be on the same device"), so that is refused here."""
    on = {t.device for net in (teacher, student) for t in (*net.parameters(), *net.buffers())}
    if len(on) > 1:
        raise ValueError(f"the teacher and the student are on several devices "
                         f"{sorted(map(str, on))}; move both to one with .to(device)")
    found = on.pop() if on else None
    if device is None:
        return found or torch.device("cpu")
    try:
        wanted = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"device={device!r} is not a torch device; {_devices_or_none()}") from err
    if not on_this_machine(wanted):
        raise ValueError(f"device={device!r} is not a device this machine has; "
                         f"{_devices_or_none()}")
    if found is not None and (wanted.type != found.type
                              or wanted.index not in (None, found.index)):
        raise ValueError(f"device={device!r}, but the networks are on {str(found)!r}; pass "
                         f"device={str(found)!r} or None (their device), or move them with "
                         f".to({str(wanted)!r})")
    return wanted


def _devices_or_none() -> str:
    """What to pass as ``device``: the devices this machine has, or None."""
    return f"{devices_here()}, or None (the networks' device)"


def float_labels_error(at: int, value: torch.Tensor, num_classes: int | None) -> ValueError:
    """The error of float labels that are all whole numbers, the first ``value`` read at index
    ``at``: the audit takes class numbers as torch's cross-entropy does, int64 (or uint8), so
    the fix is ``y.long()`` (:func:`labels_error`)."""
    return labels_error(f"its labels are {_dtype_name(value)} numbers (at index {at}: "
                        f"{value.item()!r}); the audit takes {_classes(num_classes)}: pass "
                        "y.long()")
