"""The check of a batch's labels, as read: :func:`first_label_problem` finds the first label
that is no class number and says where it is, what kind of problem it has and its value, as data;
each caller words its own message from it (the trainer's steps and evaluation,
:mod:`pidkit_distill.training.epoch_steps`, and the audit, :mod:`pidkit_distill.audit`).

Only the labels already in hand are read, once, on the host: the check is made before a batch
moves to the device, so that a label torch's cross-entropy cannot take is named with its sample,
not met as ``IndexError: Target 7 is out of bounds`` (on CUDA a device-side assert).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

__all__ = ["CROSS_ENTROPY_DTYPES", "LabelProblem", "first_label_problem", "one_label_fix"]

CROSS_ENTROPY_DTYPES = (torch.int64, torch.uint8)
"""The label dtypes that torch's cross-entropy takes as class indices."""

LabelProblemKind = Literal["shape", "bool", "fraction", "outside", "dtype"]


@dataclass(frozen=True)
class LabelProblem:
    """The first problem of a batch's labels, as :func:`first_label_problem` finds it.

    Attributes
    ----------
    position : int
        The position in the batch of the first label at fault (0 where the problem is the
        batch's: its shape, its dtype).
    kind : {"shape", "bool", "fraction", "outside", "dtype"}
        ``"shape"``: not one label per row (``value``: the labels' shape); ``"bool"``: bool (or
        complex) labels, no class numbers (``value``: the first); ``"fraction"``: a float label
        with a fraction, NaN or an infinity (``value``: it, a float); ``"outside"``: a label
        outside ``[0, num_classes)`` (``value``: it, an int); ``"dtype"``: class numbers of a
        dtype that torch's cross-entropy does not take (:data:`CROSS_ENTROPY_DTYPES`), such as
        int32 or floats of whole numbers (``value``: the first).
    value : object
        The label at fault as a Python number, or the labels' shape, a tuple of ints.
    """

    position: int
    kind: LabelProblemKind
    value: object


def first_label_problem(labels: Tensor, n_rows: int,
                        num_classes: int | None) -> LabelProblem | None:
    """The first problem of ``labels``, the labels of a batch of ``n_rows`` samples, for
    ``num_classes`` classes; ``None`` where they are one int64 (or uint8) label per row, in
    ``[0, num_classes)`` (any value where ``num_classes`` is ``None``).

    The problems are looked for in this order, each over the whole batch: the labels' shape;
    bool (or complex) labels; fractions; labels outside ``[0, num_classes)``; last, a dtype
    other than int64 or uint8, so that a caller that takes any class numbers (the audit reads
    int32 labels, and floats of whole numbers once the rest show no fraction) finds the labels'
    values checked first. Only ``labels``, already in hand, are read.

    Parameters
    ----------
    labels : torch.Tensor
        The batch's labels, as its loader gave them.
    n_rows : int
        The number of samples in the batch (its inputs' rows).
    num_classes : int or None
        The number of classes; ``None``: the labels' range is not checked.

    Returns
    -------
    LabelProblem or None
        Where the first label at fault is in the batch, the kind of problem and its value.

    Examples
    --------
    >>> import torch
    >>> first_label_problem(torch.tensor([0, 2, 1]), 3, 3) is None
    True
    >>> first_label_problem(torch.tensor([0, 7, 9]), 3, 4)
    LabelProblem(position=1, kind='outside', value=7)
    >>> first_label_problem(torch.tensor([1.0, float("nan"), 0.5]), 3, 4)
    LabelProblem(position=1, kind='fraction', value=nan)
    >>> first_label_problem(torch.tensor([1.0, 0.0]), 2, 4)
    LabelProblem(position=0, kind='dtype', value=1.0)
    >>> first_label_problem(torch.tensor([True, False]), 2, None)
    LabelProblem(position=0, kind='bool', value=True)
    >>> first_label_problem(torch.tensor([[0], [1]]), 2, 4)
    LabelProblem(position=0, kind='shape', value=(2, 1))
    """
    if labels.dim() != 1 or len(labels) != n_rows:
        return LabelProblem(0, "shape", tuple(labels.shape))
    if not len(labels):
        return None
    if labels.dtype == torch.bool or labels.is_complex():
        return LabelProblem(0, "bool", labels[0].item())
    if labels.is_floating_point():
        fractional = ((labels != labels.round()) | ~labels.isfinite()).nonzero()  # NaN, inf too
        if len(fractional):
            at = int(fractional[0])
            return LabelProblem(at, "fraction", labels[at].item())
    if num_classes is not None:
        # as int64: a uint8 label compares 256 as 0; floats compared as they are (no fraction)
        values = labels if labels.is_floating_point() else labels.long()
        outside = ((values < 0) | (values >= num_classes)).nonzero()
        if len(outside):
            at = int(outside[0])
            return LabelProblem(at, "outside", int(values[at].item()))
    if labels.dtype not in CROSS_ENTROPY_DTYPES:
        return LabelProblem(0, "dtype", labels[0].item())
    return None


def one_label_fix(shape: tuple[int, ...]) -> str:
    """How to make labels of ``shape`` (a ``"shape"`` problem's value) one class index per sample:
    the index of the largest entry of one-hot labels or class scores, else the labels flattened.

    Examples
    --------
    >>> one_label_fix((16, 4)), one_label_fix((16, 1))
    ('y.argmax(dim=1) of one-hot labels or class scores of shape (N, 4)', 'y.flatten() of an (N, 1) y')
    """
    if len(shape) == 2 and shape[1] > 1:
        return f"y.argmax(dim=1) of one-hot labels or class scores of shape (N, {shape[1]})"
    return "y.flatten() of an (N, 1) y"
