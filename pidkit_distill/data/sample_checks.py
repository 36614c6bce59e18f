"""What is wrong with one sample of a data set, and how to fix it: :func:`sample_problem`.

A sample is a pair ``(x, y)``: a float tensor ``x`` of the data set's ``input_shape`` and one int
label ``y`` in ``[0, num_classes)``. A registered loader's splits
(:func:`~pidkit_distill.data.load_dataset`) and the trainer's data sets are checked by their first
samples with it, so that a sample of another form is refused naming what it is, with the fix.
"""

from __future__ import annotations

import numpy as np
import torch

from pidkit_distill.label_checks import first_label_problem

__all__ = ["sample_problem"]


def sample_problem(item: object, num_classes: int, input_shape: tuple[int, ...], *,
                   label_value: bool = True) -> str | None:
    """What is wrong with ``item``, one sample of a data set, and how to fix it, as the end of
    a sentence naming the sample ("train[0] must be a pair ..."); ``None`` for a pair
    ``(x, y)`` of a floating-point tensor ``x`` of shape ``input_shape`` and one int label
    ``y`` in ``[0, num_classes)``.

    Parameters
    ----------
    item : object
        What the data set gave for one index.
    num_classes : int
        The data set's number of classes.
    input_shape : tuple of int
        The shape of one ``x``.
    label_value : bool, default=True
        ``False``: the label's type and shape only, not its value (a check that reads the
        labels of many samples at once checks their values).

    Examples
    --------
    >>> sample_problem((torch.zeros(2), 1), 2, (2,)) is None
    True
    >>> sample_problem((torch.zeros(2), torch.tensor(1)), 2, (2,)) is None
    True
    >>> sample_problem((torch.zeros(2), torch.tensor(1, dtype=torch.int32)), 2, (2,))
    'must be a pair (x, y) with y an int label in [0, 2) (an int, or an int64 or uint8 tensor \
of shape ()); y is a torch.int32 tensor: return y.long() from the loader'
    >>> sample_problem((torch.zeros(3), 1), 2, (2,))
    'must be a pair (x, y) with x a float tensor of input_shape (2,); x is a torch.float32 \
tensor of shape (3,)'
    >>> sample_problem((torch.zeros(2), 5), 2, (2,), label_value=False) is None
    True
    >>> sample_problem({"image": torch.zeros(2), "label": 1}, 2, (2,))
    "is a dict with keys ['image', 'label'], not a pair (x, y): return (d['image'], d['label']), \
the input and its label, from its __getitem__"
    """
    if not (isinstance(item, tuple | list) and len(item) == 2):
        return _not_a_pair(item)
    x, y = item
    if not (isinstance(x, torch.Tensor) and x.is_floating_point()
            and tuple(x.shape) == input_shape):
        got = f"{x.dtype} tensor of shape {tuple(x.shape)}" if isinstance(x, torch.Tensor) \
            else type(x).__name__
        fix = (": return torch.as_tensor(x, dtype=torch.float32) from its dataset"
               if isinstance(x, np.ndarray) else "")
        return (f"must be a pair (x, y) with x a float tensor of input_shape {input_shape}; x "
                f"is a {got}{fix}")
    problem = _label_problem(y, num_classes if label_value else None)
    if problem is None:
        return None
    return (f"must be a pair (x, y) with y an int label in [0, {num_classes}) (an int, or an "
            f"int64 or uint8 tensor of shape ()); y is {problem}")


def _not_a_pair(item: object) -> str:
    """What ``item``, a sample that is no pair ``(x, y)``, is, and how to make it one: a dict by
    its keys (as the audit names a batch of dicts), a tuple or list by its items, else its type.

    Examples
    --------
    >>> _not_a_pair((torch.zeros(2), 1, 7))
    'is a tuple of 3 items (Tensor, int, int), not a pair (x, y): return (x, y) alone from its \
__getitem__'
    >>> _not_a_pair(torch.zeros(2))
    'is one Tensor of shape (2,), no label: return a pair (x, y), the input and its int label, \
from its __getitem__'
    """
    if isinstance(item, dict) and len(item) >= 2:
        x_key, y_key = list(item)[:2]
        return (f"is a dict with keys {list(item)}, not a pair (x, y): return (d[{x_key!r}], "
                f"d[{y_key!r}]), the input and its label, from its __getitem__")
    if isinstance(item, tuple | list):
        kinds = ", ".join(type(part).__name__ for part in item)
        what = f"a {type(item).__name__} of {len(item)} item{'s' * (len(item) != 1)} ({kinds})"
        if len(item) > 2:
            return f"is {what}, not a pair (x, y): return (x, y) alone from its __getitem__"
    elif isinstance(item, dict):
        what = f"a dict with keys {list(item)}"
    else:
        shape = f" of shape {tuple(item.shape)}" if isinstance(item, torch.Tensor | np.ndarray) else ""
        what = f"one {type(item).__name__}{shape}"
    return (f"is {what}, no label: return a pair (x, y), the input and its int label, from its "
            "__getitem__")


def _one_hot_problem(described: str, width: int) -> str:
    """The problem of a label ``described`` (its type and shape) that is a vector of ``width``
    entries: one-hot or class scores, whose class index is the label to give."""
    return (f"{described}, a one-hot vector or class scores: give one int label per sample, the "
            f"class's index: return y.argmax(dim=1) of the (N, {width}) labels from the loader")


def _label_problem(y: object, classes: int | None) -> str | None:
    """What is wrong with the label ``y`` of one sample, and how to fix it; ``None`` for an
    int in ``[0, classes)`` (any int where ``classes`` is ``None``), alone or as a tensor or
    numpy scalar of shape () of a dtype that torch's cross-entropy takes (int64, uint8;
    torch's collate keeps a numpy scalar's dtype).

    Examples
    --------
    >>> _label_problem(torch.tensor(3), 4) is None, _label_problem(2, 4) is None
    (True, True)
    >>> _label_problem(np.int64(3), 4) is None
    True
    >>> _label_problem(np.int32(3), 4)
    'a numpy int32 of shape (): return one int label per sample, int(y), from the loader'
    >>> _label_problem(torch.tensor(3, dtype=torch.int32), 4)
    'a torch.int32 tensor: return y.long() from the loader'
    >>> _label_problem(torch.tensor([3]), 4)
    'a torch.int64 tensor of shape (1,): give one label per sample, y of shape (N,) (y.flatten() \
of an (N, 1) y)'
    >>> print(_label_problem(torch.tensor([0.0, 1.0, 0.0, 0.0]), 4))
    a torch.float32 tensor of shape (4,), a one-hot vector or class scores: give one int label \
per sample, the class's index: return y.argmax(dim=1) of the (N, 4) labels from the loader
    >>> _label_problem(4, 4)
    '4: number the classes from 0 in the loader (y - y.min()), or return a num_classes above \
its largest label'
    >>> _label_problem(torch.tensor(0.5), 4)
    '0.5, no class: return the class of each sample, an int, from the loader, not a score or a \
probability'
    """
    fraction = _fraction(y)
    if fraction is not None:  # y.long() or int(y) would cut it to a class silently
        return (f"{fraction!r}, no class: return the class of each sample, an int, from the "
                "loader, not a score or a probability")
    if isinstance(y, torch.Tensor):
        if y.dim() == 1 and y.numel() > 1:
            return _one_hot_problem(f"a {y.dtype} tensor of shape {tuple(y.shape)}", y.numel())
        if y.dim() != 0:
            return (f"a {y.dtype} tensor of shape {tuple(y.shape)}: give one label per sample, y "
                    "of shape (N,) (y.flatten() of an (N, 1) y)")
        if y.dtype not in (torch.int64, torch.uint8):
            return (f"a {y.dtype} tensor: return y.long() from the loader"
                    + (_FLOAT_CLASSES if y.is_floating_point() else ""))
        y = int(y)
    elif isinstance(y, np.ndarray | np.generic):  # torch's collate makes a tensor of its dtype
        if y.ndim == 1 and y.size > 1:
            return _one_hot_problem(f"a numpy {y.dtype} of shape {y.shape}", y.size)
        if y.shape != () or y.dtype not in (np.int64, np.uint8):
            return (f"a numpy {y.dtype} of shape {y.shape}: return one int label per sample, "
                    "int(y), from the loader"
                    + (_FLOAT_CLASSES if np.issubdtype(y.dtype, np.floating) else ""))
        y = int(y)
    if isinstance(y, bool) or not isinstance(y, int):
        return (f"of type {type(y).__name__}: return int labels, or torch.as_tensor(y).long()"
                + (_FLOAT_CLASSES if isinstance(y, float) else ""))
    if classes is not None and not 0 <= y < classes:
        return (f"{y}: number the classes from 0 in the loader (y - y.min()), or return a "
                "num_classes above its largest label")
    return None


_FLOAT_CLASSES = (" (if the floats are class numbers: a score or a probability is no class, and "
                  "would be cut to one)")
"""What the fix of float labels holds for: labels that are class numbers held as floats."""


def _fraction(y: object) -> float | None:
    """The value of a single label ``y`` (a float, or a float tensor or numpy scalar of shape
    ()) that is no class number (a fraction, NaN, infinite), as
    :func:`~pidkit_distill.label_checks.first_label_problem` finds it, else ``None``."""
    if not ((isinstance(y, torch.Tensor) and y.dim() == 0 and y.is_floating_point())
            or isinstance(y, float | np.floating)
            or (isinstance(y, np.ndarray) and y.shape == () and np.issubdtype(y.dtype, np.floating))):
        return None
    problem = first_label_problem(torch.tensor([float(y)], dtype=torch.float64), 1, None)
    if problem is None or problem.kind != "fraction":
        return None
    assert isinstance(problem.value, float)  # a float64 label's item()
    return problem.value
