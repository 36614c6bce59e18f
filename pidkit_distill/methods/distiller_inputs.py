"""The checks of what a :class:`~pidkit_distill.methods.Distiller` is given in a training loop of
one's own: its networks and ``sample_input`` as it is built (:func:`check_built_inputs`), and
each batch ``(x, y)`` it is called on (:func:`check_batch`). A mistake is refused in one line
that names the argument, what is wrong with it and the fix, where it was met deep inside torch
(``expected target dtype to be Long or Byte, but got Float``, ``mat1 and mat2 must have the same
dtype``, ``flatten() takes from 0 to 1 positional arguments``).

A later batch's labels are read only once torch has raised an ``IndexError`` on them
(:func:`labels_outside_classes`), so that no step waits for the device.

``train()`` checks its data before any work and each batch's labels as it reads them; these
checks are the distiller's own, for the loop that calls it directly. What a label must be is
:func:`~pidkit_distill.label_checks.first_label_problem`'s rule, the trainer's and the audit's,
worded here for ``y``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from pidkit_distill.label_checks import LabelProblem, first_label_problem, one_label_fix

__all__ = ["check_batch", "check_built_inputs", "first_weight", "labels_outside_classes"]

_LABELS = "int64 (or uint8) class labels, as torch's cross-entropy does"
"""What the methods' losses take as ``y``, for the messages."""


def first_weight(net: nn.Module) -> Tensor | None:
    """``net``'s first floating-point parameter, whose dtype its layers compute in; ``None``
    for a network without one. The parameter stays the same object when the network is cast
    (``.double()``, ``.to(dtype)``), so its ``dtype`` follows the cast.

    Examples
    --------
    >>> net = nn.Linear(2, 2)
    >>> weight = first_weight(net)
    >>> _ = net.double()
    >>> weight.dtype, first_weight(nn.ReLU())
    (torch.float64, None)
    """
    return next((p for p in net.parameters() if p.is_floating_point()), None)


def _dtype_of(net: nn.Module) -> torch.dtype | None:
    """The dtype of ``net``'s weights (:func:`first_weight`), ``None`` for a network without."""
    weight = first_weight(net)
    return None if weight is None else weight.dtype


def _cast(name: str, dtype: torch.dtype) -> str:
    """The code that casts ``name`` to ``dtype``: ``x.float()`` for float32."""
    return f"{name}.float()" if dtype == torch.float32 else f"{name}.to({dtype})"


def _dtype_refusal(name: str, tensor: Tensor, weights: torch.dtype | None) -> str | None:
    """Why ``tensor``, given as ``name``, cannot go into networks whose weights are
    ``weights``: floating-point values of another dtype, which torch refuses in the first layer
    ("mat1 and mat2 must have the same dtype"). ``None`` where it can: the same dtype, values
    that are not floating-point (indices, which an embedding takes), no weights, or autocast on
    for the tensor's device, which casts them."""
    if weights is None or tensor.dtype == weights or not tensor.is_floating_point() \
            or torch.is_autocast_enabled(tensor.device.type):
        return None
    numpy = " (torch.from_numpy keeps numpy's float64)" if tensor.dtype == torch.float64 else ""
    return (f"{name} is {tensor.dtype}, but the networks' weights are {weights}: pass "
            f"{_cast(name, weights)}{numpy}")


def _not_a_tensor(name: str, value: object, fix: str) -> TypeError:
    """The refusal of ``value``, given as ``name`` where a tensor goes: a numpy array is
    named with its dtype and shape."""
    got = (f"a numpy.ndarray of {value.dtype} and shape {value.shape}"
           if isinstance(value, np.ndarray) else f"a {type(value).__name__}")
    return TypeError(f"{name} is {got}, not a tensor; pass {fix}")


def check_built_inputs(student: nn.Module, teacher: nn.Module, sample_input: object) -> None:
    """Refuse what :class:`~pidkit_distill.methods.Distiller` is built with, before it runs
    the networks on ``sample_input``: a ``sample_input`` that is no tensor (a numpy array),
    a teacher whose weights are of another dtype than the student's, or a floating-point
    ``sample_input`` of another dtype than their weights (a ``.double()`` network, a numpy
    array's float64 made a tensor).

    Raises
    ------
    TypeError
        ``sample_input`` is no tensor.
    ValueError
        The dtypes differ; the message names the cast.

    Examples
    --------
    >>> check_built_inputs(nn.Linear(3, 2), nn.Linear(3, 2), torch.zeros(2, 3))
    >>> check_built_inputs(nn.Linear(3, 2), nn.Linear(3, 2).double(), torch.zeros(2, 3))
    Traceback (most recent call last):
    ...
    ValueError: the teacher's weights are torch.float64 and the student's torch.float32: the \
distiller runs both on the same inputs; cast the teacher to the student's dtype: teacher.float()
    >>> check_built_inputs(nn.Linear(3, 2), nn.Linear(3, 2), np.zeros((2, 3)))
    Traceback (most recent call last):
    ...
    TypeError: sample_input is a numpy.ndarray of float64 and shape (2, 3), not a tensor; pass a \
batch tensor of shape (N, ...), e.g. the first training batch: \
torch.as_tensor(sample_input, dtype=torch.float32)
    """
    weights, teacher_weights = _dtype_of(student), _dtype_of(teacher)
    if not isinstance(sample_input, Tensor):
        to = weights or torch.float32
        raise _not_a_tensor("sample_input", sample_input, "a batch tensor of shape (N, ...), e.g. "
                            f"the first training batch: torch.as_tensor(sample_input, dtype={to})")
    if None not in (weights, teacher_weights) and weights != teacher_weights:
        raise ValueError(f"the teacher's weights are {teacher_weights} and the student's "
                         f"{weights}: the distiller runs both on the same inputs; cast the "
                         f"teacher to the student's dtype: {_cast('teacher', weights)}")
    refusal = _dtype_refusal("sample_input", sample_input, weights or teacher_weights)
    if refusal is not None:
        raise ValueError(refusal)


def check_batch(x: object, y: object, *, weights: torch.dtype | None,
                num_classes: int | None) -> None:
    """Refuse a batch ``(x, y)`` that a distiller's networks or its cross-entropy cannot take,
    naming ``x`` or ``y``, what is wrong and the fix: no tensor (a numpy array), ``x`` of
    another floating-point dtype than ``weights`` (the student's), labels that are not one
    int64 (or uint8) class label per row of ``x`` (floats, int32, one-hot, ``(N, 1)``, another
    count), and, where ``num_classes`` is given, a label outside ``[0, num_classes)``.

    Without ``num_classes`` only the tensors' types, dtypes and shapes are read, so that no
    step waits for the device (float labels, refused whatever their values, are read to tell
    a fraction from a class number).

    Raises
    ------
    TypeError
        ``x`` or ``y`` is no tensor.
    ValueError
        Their dtypes, shapes or the labels' values are wrong.

    Examples
    --------
    >>> x, y = torch.zeros(3, 4), torch.tensor([0, 2, 1])
    >>> check_batch(x, y, weights=torch.float32, num_classes=3)
    >>> check_batch(x, y.float(), weights=torch.float32, num_classes=3)
    Traceback (most recent call last):
    ...
    ValueError: y is a torch.float32 tensor; the distiller takes int64 (or uint8) class labels, \
as torch's cross-entropy does: pass y.long()
    >>> check_batch(x, y[:, None], weights=torch.float32, num_classes=3)
    Traceback (most recent call last):
    ...
    ValueError: y has shape (3, 1) for the 3 inputs of x; the distiller takes one label per \
input, y of shape (3,): pass y.flatten() of an (N, 1) y
    >>> check_batch(x.double(), y, weights=torch.float32, num_classes=3)
    Traceback (most recent call last):
    ...
    ValueError: x is torch.float64, but the networks' weights are torch.float32: pass x.float() \
(torch.from_numpy keeps numpy's float64)
    """
    if not isinstance(x, Tensor):
        to = weights or torch.float32
        raise _not_a_tensor("x", x, f"torch.as_tensor(x, dtype={to})")
    if not isinstance(y, Tensor):
        raise _not_a_tensor("y", y, f"a tensor of {_LABELS}, one per row of x: "
                            "torch.as_tensor(y).long()")
    if x.dim() == 0:
        raise ValueError("x is a 0-d tensor; pass a batch of inputs, x of shape (N, ...)")
    refusal = _dtype_refusal("x", x, weights) or _labels_refusal(y, x, num_classes)
    if refusal is not None:
        raise ValueError(refusal)


def labels_outside_classes(x: Tensor, y: Tensor, *, num_classes: int) -> str | None:
    """The refusal of the first label of ``y``, the labels of the batch ``x``, outside
    ``[0, num_classes)``, in :func:`check_batch`'s words; ``None`` where all are in it, where
    the labels' problem is another (which :func:`check_batch` refuses before torch runs) or
    ``y`` has no values to read (the meta device).

    The distiller reads a later batch's labels only where torch has raised an ``IndexError``
    on it (``Target 10 is out of bounds.``, from deep inside cross-entropy on the CPU), so
    that no step waits for the device: the values are read after the error, at no cost to a
    step that runs. Where they are all classes the ``IndexError`` is not theirs (the
    network's own code raised it) and goes through unchanged. On CUDA torch's device-side
    assert is a ``RuntimeError`` that poisons the process; it is not read here.

    Examples
    --------
    >>> x = torch.zeros(4, 2)
    >>> labels_outside_classes(x, torch.tensor([0, 1, 2, 1]), num_classes=3) is None
    True
    >>> labels_outside_classes(x, torch.tensor([0, 1, -1, 3]), num_classes=3)
    "y[2] is -1, outside [0, 3), the distiller's classes (num_classes=3): number the classes \
from 0 (y - y.min()), or build the distiller with a num_classes above the largest label"
    >>> labels_outside_classes(x, torch.empty(4, dtype=torch.int64, device="meta"),
    ...                        num_classes=3) is None
    True
    """
    problem = None if y.is_meta else first_label_problem(y, x.shape[0], num_classes)
    if problem is None or problem.kind != "outside":
        return None
    return _words_of(problem, y, x, num_classes)


def _labels_refusal(y: Tensor, x: Tensor, classes: int | None) -> str | None:
    """What is wrong with ``y``, the labels of the batch ``x``, and the fix (the problem is
    :func:`~pidkit_distill.label_checks.first_label_problem`'s); ``None`` where they are
    one int64 (or uint8) label per row of ``x``, in ``[0, classes)`` where ``classes`` is
    given.

    Examples
    --------
    >>> x = torch.zeros(4, 2)
    >>> _labels_refusal(torch.tensor([0, 1, 5, 9]), x, None) is None
    True
    >>> _labels_refusal(torch.tensor([0, 1, 5, 9]), x, 3)
    "y[2] is 5, outside [0, 3), the distiller's classes (num_classes=3): number the classes \
from 0 (y - y.min()), or build the distiller with a num_classes above the largest label"
    >>> _labels_refusal(torch.eye(4, dtype=torch.int64), x, 4)
    'y has shape (4, 4) for the 4 inputs of x; the distiller takes one label per input, y of \
shape (4,): pass y.argmax(dim=1) of one-hot labels or class scores of shape (N, 4)'
    >>> _labels_refusal(torch.tensor([0, 1, 2]), x, 4)
    'y holds 3 labels for the 4 inputs of x (shape (4, 2)); pass one label per row of x, the \
same rows of both: x[i:j], y[i:j]'
    >>> _labels_refusal(torch.tensor([0.0, 0.5, 1.0, 1.0]), x, 4)
    "y[1] is 0.5, no class; the distiller takes int64 (or uint8) class labels, as torch's \
cross-entropy does: pass the class of each sample, not a score or a probability"
    """
    problem = first_label_problem(y, x.shape[0], classes)
    return None if problem is None else _words_of(problem, y, x, classes)


def _words_of(problem: LabelProblem, y: Tensor, x: Tensor, classes: int | None) -> str:
    """The refusal of ``problem``, the first of the labels ``y`` of the batch ``x``, naming
    ``y`` and the fix (:func:`_labels_refusal`)."""
    n = x.shape[0]
    if problem.kind == "shape" and y.dim() == 1:
        return (f"y holds {len(y)} labels for the {n} inputs of x (shape {tuple(x.shape)}); "
                "pass one label per row of x, the same rows of both: x[i:j], y[i:j]")
    if problem.kind == "shape" and y.dim() == 0:
        return (f"y is one label, a 0-d tensor, for the {n} inputs of x; pass one label per "
                f"input, y of shape ({n},)")
    if problem.kind == "shape":
        return (f"y has shape {problem.value} for the {n} inputs of x; the distiller takes one "
                f"label per input, y of shape ({n},): pass {one_label_fix(problem.value)}")
    if problem.kind == "fraction":
        return (f"y[{problem.position}] is {problem.value!r}, no class; the distiller takes "
                f"{_LABELS}: pass the class of each sample, not a score or a probability")
    if problem.kind == "outside":
        return (f"y[{problem.position}] is {problem.value}, outside [0, {classes}), the "
                f"distiller's classes (num_classes={classes}): number the classes from 0 "
                "(y - y.min()), or build the distiller with a num_classes above the largest "
                "label")
    return f"y is a {y.dtype} tensor; the distiller takes {_LABELS}: pass y.long()"
