"""The checks of what a :class:`~pidkit_distill.methods.Distiller` is given in a training loop of
one's own: its networks and ``sample_input`` as it is built (:func:`check_built_inputs`), and
each batch ``(x, y)`` it is called on (:func:`check_batch`). A mistake is refused in one line
that names the argument, what is wrong with it and the fix, where it was met deep inside torch
(``expected target dtype to be Long or Byte, but got Float``, ``mat1 and mat2 must have the same
dtype``, ``mat1 and mat2 shapes cannot be multiplied``, ``Tensor on device cpu is not on the
expected device meta!``, ``flatten() takes from 0 to 1 positional arguments``).

A later batch's labels, and the parts of its shape that a network may take in several sizes
(an image's height and width), are looked at only once torch has raised an error on the batch
(:func:`refusal_after_error`), so that no step waits for the device.

``train()`` checks its data before any work and each batch's labels as it reads them; these
checks are the distiller's own, for the loop that calls it directly. What a label must be is
:func:`~pidkit_distill.label_checks.first_label_problem`'s rule, the trainer's and the audit's,
worded here for ``y``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from pidkit.command_line import one_line
from pidkit_distill.label_checks import LabelProblem, first_label_problem, one_label_fix
from pidkit_distill.models import needs_real_tensors

__all__ = [
    "check_batch",
    "check_built_inputs",
    "check_separate_networks",
    "first_weight",
    "labels_outside_classes",
    "one_sample_refusal",
    "paired_layer_shapes",
    "refusal_after_error",
    "weight_at",
    "weight_place",
]

_LABELS = "int64 (or uint8) class labels, as torch's cross-entropy does"
"""What the methods' losses take as ``y``, for the messages."""

_ONE_VALUE_PER_CHANNEL = "Expected more than 1 value per channel when training"
"""How torch's BatchNorm refuses to train on one value per channel (a batch of one sample of
``(N, C)`` features)."""

_AXIS_ONE = {1: "features", 3: "channels"}
"""What axis 1 of a batch of vectors ``(N, F)`` and of images ``(N, C, H, W)`` is, by the
number of axes of a sample: a first ``Linear``'s ``in_features`` and a first ``Conv2d``'s
``in_channels``, fixed by the weights (a builder's ``in_channels``, the data's
``input_shape[0]``). In a sample of another number of axes axis 1 may be a length that varies
(a sequence's, ``(N, L, D)``), so it is not compared before the networks run."""


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


def weight_place(net: nn.Module) -> tuple[nn.Module, str] | None:
    """Where ``net``'s first floating-point parameter (:func:`first_weight`) is held: the
    module and the name under which :func:`weight_at` finds it as it is now; ``None`` for a
    network without one. The place stays when the parameter does not: a move to the meta device
    (``.to("meta")``) makes new parameters, where a cast or a move to a GPU keeps them.

    Examples
    --------
    >>> net = nn.Sequential(nn.ReLU(), nn.Linear(2, 2))
    >>> place = weight_place(net)
    >>> _ = net.to("meta")
    >>> place[1], weight_at(place).device, weight_place(nn.ReLU())
    ('weight', device(type='meta'), None)
    """
    for module in net.modules():
        for name, parameter in module.named_parameters(recurse=False):
            if parameter.is_floating_point():
                return module, name
    return None


def weight_at(place: tuple[nn.Module, str] | None) -> Tensor | None:
    """The parameter at ``place`` (:func:`weight_place`) as it is now; ``None`` where there is
    none, or it has gone (pruning renames it). Read from the module's table of parameters: a
    step pays 0.1 us for it, where ``getattr`` took 0.9 us."""
    return None if place is None else place[0]._parameters.get(place[1])


def one_sample_refusal(sample_input: Tensor) -> str:
    """The refusal of ``sample_input``, one sample that both networks take as a batch of one
    (``sample_input[None]``), given where a distiller wants a batch.

    Examples
    --------
    >>> one_sample_refusal(torch.zeros(20))
    'sample_input has shape (20,), one sample of the inputs, but it must be a batch of shape \
(N, *input_shape), here (N, 20): pass the first samples, x[:2] rather than x[0], or this one as \
a batch of one, sample_input[None]'
    """
    shape = tuple(sample_input.shape)
    return (f"sample_input has shape {shape}, one sample of the inputs, but it must be a batch "
            f"of shape (N, *input_shape), here {_batch_of(shape)}: pass the first samples, "
            "x[:2] rather than x[0], or this one as a batch of one, sample_input[None]")


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
    if weights is not None and teacher_weights is not None and weights != teacher_weights:
        raise ValueError(f"the teacher's weights are {teacher_weights} and the student's "
                         f"{weights}: the distiller runs both on the same inputs; cast the "
                         f"teacher to the student's dtype: {_cast('teacher', weights)}")
    refusal = _dtype_refusal("sample_input", sample_input, weights or teacher_weights)
    if refusal is not None:
        raise ValueError(refusal)


def check_separate_networks(student: nn.Module, teacher: nn.Module) -> None:
    """Refuse a student and a teacher that are one network, or share parameters: the teacher
    is frozen, so the student could not train.

    Raises
    ------
    ValueError
        They are the same module, or share a parameter.

    Examples
    --------
    >>> net = nn.Linear(3, 2)
    >>> check_separate_networks(net, nn.Sequential(net))
    Traceback (most recent call last):
    ...
    ValueError: student and teacher share parameters (one model wrapped twice by \
tap_features?); the teacher is frozen, so the student could not train: give them separate models.
    """
    if student is teacher:
        raise ValueError("student and teacher must be different modules; got the same one.")
    if {id(p) for p in student.parameters()} & {id(p) for p in teacher.parameters()}:
        raise ValueError(
            "student and teacher share parameters (one model wrapped twice by tap_features?);"
            " the teacher is frozen, so the student could not train: give them separate models."
        )


def paired_layer_shapes(method: str, teacher: list[torch.Size], student: list[torch.Size]
                        ) -> list[tuple[torch.Size, torch.Size]]:
    """The per-sample shapes of the distilled layers of a ``teacher`` and a ``student`` that
    ``method`` pairs one to one, as ``(teacher_shape, student_shape)`` pairs (the
    :meth:`~pidkit_distill.methods.Distiller.paired_shapes` of a distiller).

    Raises
    ------
    ValueError
        The networks have different numbers of distilled layers, or none (a method's loss is
        summed over the pairs: over none it is no tensor), or a pair differs beyond the
        channel axis.

    Examples
    --------
    >>> paired_layer_shapes("vid", [torch.Size([8, 4, 4])], [torch.Size([2, 4, 4])])
    [(torch.Size([8, 4, 4]), torch.Size([2, 4, 4]))]
    >>> paired_layer_shapes("vid", [], [])
    Traceback (most recent call last):
    ...
    ValueError: method 'vid' pairs the distilled layers of the teacher and the student, and \
neither has any (their forward_features(x).layers are empty); tap layers of each: \
pidkit_distill.tap_features(model, layers=[...]) with as many names for both.
    """
    if len(teacher) != len(student):
        raise ValueError(
            f"method {method!r} pairs layers one to one, but the teacher has "
            f"{len(teacher)} distilled layers and the student "
            f"{len(student)}; tap as many layers of each: "
            "pidkit_distill.tap_features(model, layers=[...]) with as many names for both.")
    if not teacher:
        raise ValueError(
            f"method {method!r} pairs the distilled layers of the teacher and the student, and "
            "neither has any (their forward_features(x).layers are empty); tap layers of each: "
            "pidkit_distill.tap_features(model, layers=[...]) with as many names for both.")
    for k, (ts, ss) in enumerate(zip(teacher, student, strict=True)):
        if ts[1:] != ss[1:]:
            raise ValueError(
                f"layer {k}: teacher feature shape {tuple(ts)} and student feature shape "
                f"{tuple(ss)} differ beyond the channel axis; method {method!r} "
                "needs equal spatial sizes: tap layers of one kind in both models (feature "
                "maps of one height and width, or vectors (C,) in both) with "
                "pidkit_distill.tap_features(model, layers=[...]), or use a method that "
                "takes such a pair: kd, itrd, bas, or mimkd with method.params.lambda_f=0.")
    return list(zip(teacher, student, strict=True))


def check_batch(x: object, y: object, *, weights: torch.dtype | None, num_classes: int | None,
                sample_shape: tuple[int, ...] | None = None) -> None:
    """Refuse a batch ``(x, y)`` that a distiller's networks or its cross-entropy cannot take,
    naming ``x`` or ``y``, what is wrong and the fix: no tensor (a numpy array), no sample,
    ``x`` of another number of axes than ``sample_shape`` (the per-sample shape of the
    distiller's ``sample_input``) or of another axis 1 where that is the features ``(N, F)``
    or the channels ``(N, C, H, W)``, ``x`` of another floating-point dtype than ``weights``
    (the student's), labels that are not one int64 (or uint8) class label per row of ``x`` (floats, int32,
    one-hot, ``(N, 1)``, another count), and, where ``num_classes`` is given, a label outside
    ``[0, num_classes)`` or an ``x`` that holds a NaN or an infinity.

    Without ``num_classes`` only the tensors' types, dtypes and shapes are read, so
    that no step waits for the device (float labels, refused whatever their values, are read
    to tell a fraction from a class number). The other axes of ``x`` (an image's height and
    width, which a network with adaptive pooling takes in any size) are compared only once the
    networks have raised an error on the batch (:func:`refusal_after_error`), and so are their
    devices: a network of one's own may move its inputs to its device in ``forward``.

    Raises
    ------
    TypeError
        ``x`` or ``y`` is no tensor.
    ValueError
        Their shapes, dtypes or values are wrong.

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
    >>> check_batch(x[:, :3], y, weights=torch.float32, num_classes=None, sample_shape=(4,))
    Traceback (most recent call last):
    ...
    ValueError: x has shape (3, 3), but the distiller was built with a sample_input of shape \
(N, 4): its networks take 4 features (axis 1 of x), not 3; pass x of shape (N, 4)
    """
    if not isinstance(x, Tensor):
        to = weights or torch.float32
        raise _not_a_tensor("x", x, f"torch.as_tensor(x, dtype={to})")
    if not isinstance(y, Tensor):
        raise _not_a_tensor("y", y, f"a tensor of {_LABELS}, one per row of x: "
                            "torch.as_tensor(y).long()")
    if x.dim() == 0:
        raise ValueError("x is a 0-d tensor; pass a batch of inputs, x of shape (N, ...)")
    refusal = _shape_refusal(x, sample_shape) or _dtype_refusal("x", x, weights) \
        or _labels_refusal(y, x, num_classes)
    if refusal is None and num_classes is not None:
        refusal = _non_finite_refusal(x)
    if refusal is not None:
        raise ValueError(refusal)


def refusal_after_error(err: Exception, x: Tensor, y: Tensor, *, num_classes: int,
                        sample_shape: tuple[int, ...],
                        device: torch.device | None = None) -> str | None:
    """The refusal of the batch ``(x, y)``, on which a distiller's ``forward`` raised ``err``,
    in :func:`check_batch`'s words, where the batch is at fault; ``None`` where the error is
    the network's own, which then goes through unchanged.

    The batch is read here, after the error, at no cost to a step that runs. It is at fault:

    - for a ``RuntimeError``, where ``x`` or ``y`` is on another device than ``device`` (the
      student's weights'; torch's ``Expected all tensors to be on the same device``), told only
      now, as a network may move its inputs itself;
    - for an ``IndexError``, where ``y`` holds a label outside ``[0, num_classes)``
      (:func:`labels_outside_classes`; on the CPU torch's ``Target 4 is out of bounds.``);
    - for torch's ``Expected more than 1 value per channel when training``, where ``x`` holds
      one sample: BatchNorm over ``(N, C)`` features trains on two or more;
    - for any ``IndexError``, ``RuntimeError`` or ``ValueError``, where ``x``'s per-sample
      shape is not ``sample_shape``, the shape the distiller was built with (an image of
      another size, where a flattening layer fixes it: ``mat1 and mat2 shapes cannot be
      multiplied``); torch's words are told with it. Running out of memory and the meta
      device's limits are not the batch's shape's, whatever it is.

    Examples
    --------
    >>> x, y = torch.zeros(4, 1, 7, 7), torch.tensor([0, 1, 2, 1])
    >>> err = RuntimeError("mat1 and mat2 shapes cannot be multiplied (4x49 and 64x8)")
    >>> refusal_after_error(err, x, y, num_classes=3, sample_shape=(1, 8, 8))
    'x has shape (4, 1, 7, 7), but the distiller was built with a sample_input of shape \
(N, 1, 8, 8), and its networks refused it (torch said: mat1 and mat2 shapes cannot be \
multiplied (4x49 and 64x8)); pass x of shape (N, 1, 8, 8)'
    >>> refusal_after_error(err, x, y, num_classes=3, sample_shape=(1, 7, 7)) is None
    True
    >>> err = RuntimeError("Tensor on device cpu is not on the expected device meta!")
    >>> refusal_after_error(err, x, y, num_classes=3, sample_shape=(1, 7, 7),
    ...                     device=torch.device("meta"))
    "x and y are on cpu, but the networks' weights are on meta: move the batch to their device, \
x.to('meta'), y.to('meta')"
    """
    if isinstance(err, RuntimeError) and (moved := _device_refusal(x, y, device)) is not None:
        return moved
    if isinstance(err, IndexError):
        refusal = labels_outside_classes(x, y, num_classes=num_classes)
        if refusal is not None:
            return refusal
    if isinstance(err, ValueError) and str(err).startswith(_ONE_VALUE_PER_CHANNEL) \
            and len(x) == 1:
        return ("x holds 1 sample, but BatchNorm layers that normalise one value per channel "
                f"per sample cannot train on one sample (torch said: {one_line(err)}); pass "
                "batches of 2 or more samples: DataLoader(..., drop_last=True) drops a last "
                "batch of 1 (distiller.eval() evaluates one sample)")
    if tuple(x.shape[1:]) == tuple(sample_shape) or needs_real_tensors(err) \
            or isinstance(err, torch.cuda.OutOfMemoryError):
        return None
    return (f"x has shape {tuple(x.shape)}, but the distiller was built with a sample_input of "
            f"shape {_batch_of(sample_shape)}, and its networks refused it (torch said: "
            f"{one_line(err)}); pass x of shape {_batch_of(sample_shape)}")


def _batch_of(shape: tuple[int, ...]) -> str:
    """The shape of a batch of samples of ``shape``: ``(N, 1, 8, 8)``."""
    return f"(N, {', '.join(map(str, shape))})"


def _shape_refusal(x: Tensor, sample_shape: tuple[int, ...] | None) -> str | None:
    """Why ``x``'s shape cannot be a batch of the networks built on samples of ``sample_shape``,
    told before they run: no sample, another number of axes, or another axis 1 where that is
    fixed by the first layer's weights (:data:`_AXIS_ONE`, floating-point inputs: integers are
    indices, whose axis 1 may be a length); ``None`` where it may be (or no shape is given).

    Examples
    --------
    >>> _shape_refusal(torch.zeros(5, 1, 20), (20,))
    'x has shape (5, 1, 20), but the distiller was built with a sample_input of shape (N, 20), \
2 axes: pass x of shape (N, 20), x.reshape(len(x), 20) where each row of x holds one sample'
    >>> _shape_refusal(torch.zeros(5, 1, 16, 16), (3, 32, 32))
    'x has shape (5, 1, 16, 16), but the distiller was built with a sample_input of shape \
(N, 3, 32, 32): its networks take 3 channels (axis 1 of x), not 1; pass x of shape (N, 3, H, W)'
    >>> _shape_refusal(torch.zeros(5, 3, 16, 16), (3, 32, 32)) is None  # the networks may
    True
    """
    if sample_shape is None:
        return None
    shape = x.shape  # read once: 0.1 us, where len(x) takes 0.5 us
    axis_one = _AXIS_ONE.get(len(sample_shape))
    if shape[0] and len(shape) == len(sample_shape) + 1 and (
            axis_one is None or shape[1] == sample_shape[0] or not x.is_floating_point()):
        return None
    built = f"the distiller was built with a sample_input of shape {_batch_of(sample_shape)}"
    if not shape[0]:
        return (f"x holds no sample (shape {tuple(shape)}); pass a batch of one sample or more "
                "(x[i:j] with i < j)")
    if tuple(shape) == tuple(sample_shape):
        return (f"x has shape {tuple(shape)}, one sample, but {built}: pass a batch, x[None] "
                "for this sample alone")
    if len(shape) != len(sample_shape) + 1:
        per_sample = 1
        for size in sample_shape:
            per_sample *= size
        reshape = (f", x.reshape(len(x), {', '.join(map(str, sample_shape))}) where each row "
                   "of x holds one sample") if x[0].numel() == per_sample else ""
        return (f"x has shape {tuple(shape)}, but {built}, {len(sample_shape) + 1} axes: "
                f"pass x of shape {_batch_of(sample_shape)}{reshape}")
    fix = _batch_of(sample_shape) if axis_one == "features" else f"(N, {sample_shape[0]}, H, W)"
    return (f"x has shape {tuple(shape)}, but {built}: its networks take {sample_shape[0]} "
            f"{axis_one} (axis 1 of x), not {shape[1]}; pass x of shape {fix}")


def _device_refusal(x: Tensor, y: Tensor, device: torch.device | None) -> str | None:
    """Why ``x`` or ``y`` cannot go into networks whose weights are on ``device``: they are on
    another (torch's ``Tensor on device cpu is not on the expected device meta!``); ``None``
    where both are on it (or no device is given)."""
    if device is None or x.device == device == y.device:
        return None
    names = [name for name, tensor in (("x", x), ("y", y)) if tensor.device != device]
    where = " and ".join(sorted({str(t.device) for t in (x, y) if t.device != device}))
    verb = "is" if len(names) == 1 else "are"
    moves = ", ".join(f"{name}.to({str(device)!r})" for name in names)
    return (f"{' and '.join(names)} {verb} on {where}, but the networks' weights are on "
            f"{device}: move the batch to their device, {moves}")


def _non_finite_refusal(x: Tensor) -> str | None:
    """Why the networks cannot train on ``x``: a sample holds a NaN or an infinity, which makes
    the loss NaN and, in training mode, the BatchNorm running statistics NaN for every later
    batch; ``None`` where all are finite (or not floating-point, or on the meta device). It
    reads the values: a distiller asks it in its first call only."""
    if not x.is_floating_point() or x.is_meta or len(x) == 0:
        return None
    bad = (~torch.isfinite(x)).reshape(len(x), -1).any(dim=1)
    if not bool(bad.any()):
        return None
    count = int(bad.sum())
    more = f" (and {count - 1} more of its {len(x)})" if count > 1 else ""
    return (f"x[{int(bad.nonzero()[0, 0])}] holds a NaN or an infinity{more}: the loss would be "
            "NaN, and BatchNorm's running statistics NaN for every later batch; drop or repair "
            "those samples (torch.isfinite(x) finds them)")


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
                f"label per input, y of shape ({n},): pass {one_label_fix(tuple(y.shape))}")
    if problem.kind == "fraction":
        return (f"y[{problem.position}] is {problem.value!r}, no class; the distiller takes "
                f"{_LABELS}: pass the class of each sample, not a score or a probability")
    if problem.kind == "outside":
        return (f"y[{problem.position}] is {problem.value}, outside [0, {classes}), the "
                f"distiller's classes (num_classes={classes}): number the classes from 0 "
                "(y - y.min()), or build the distiller with a num_classes above the largest "
                "label")
    return f"y is a {y.dtype} tensor; the distiller takes {_LABELS}: pass y.long()"
