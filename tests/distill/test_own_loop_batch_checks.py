"""A training loop of one's own (docs/distill.md, "Your own models and data") is told its
mistakes in one line naming ``x``, ``y``, ``sample_input`` or the teacher and the fix, as
``train()`` and the audit tell them (t-421, findings 1 and 5): ``distiller(x, y, epoch=)`` with
float, int32, one-hot, ``(N, 1)``, too few or out-of-range labels, float64 or numpy inputs, and
a Distiller built with a float64 or numpy ``sample_input`` or a float64 teacher were torch's
tracebacks (``expected target dtype to be Long or Byte``, ``mat1 and mat2 must have the same
dtype``, ``flatten() takes from 0 to 1 positional arguments``). Applying the fix each message
names gives the loss of the right batch. A later batch's label outside the classes, whose
values no call reads before torch raises, was torch's ``IndexError: Target 4 is out of bounds.``
(t-434)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from own_distillers import tapped_mlp
from torch.nn import functional as F

from pidkit_distill import get_method, tap_features
from pidkit_distill.label_checks import first_label_problem
from pidkit_distill.methods import distiller_inputs
from pidkit_distill.methods.distiller_inputs import check_batch

pytestmark = pytest.mark.usefixtures("one_torch_thread")

X = torch.randn(8, 20, generator=torch.Generator().manual_seed(0))
Y = torch.arange(8) % 4
LABELS = "the distiller takes int64 (or uint8) class labels, as torch's cross-entropy does"


def _kd(teacher: torch.nn.Module | None = None, student: torch.nn.Module | None = None,
        **built: object):
    torch.manual_seed(0)
    student = tapped_mlp(8) if student is None else student
    return get_method("kd")(student, tapped_mlp(16) if teacher is None else teacher,
                            **{"sample_input": X[:2], "num_classes": 4, **built})


# (what is given as x and y, the error, its message, the fix the message names)
BATCHES = {
    "float labels": (X, Y.float(), ValueError, f"y is a torch.float32 tensor; {LABELS}: pass y.long()",
                     lambda x, y: (x, y.long())),
    "int32 labels": (X, Y.int(), ValueError, f"y is a torch.int32 tensor; {LABELS}: pass y.long()",
                     lambda x, y: (x, y.long())),
    "one-hot labels": (X, F.one_hot(Y, 4), ValueError,
                       "y has shape (8, 4) for the 8 inputs of x; the distiller takes one label "
                       "per input, y of shape (8,): pass y.argmax(dim=1) of one-hot labels or "
                       "class scores of shape (N, 4)", lambda x, y: (x, y.argmax(dim=1))),
    "(N, 1) labels": (X, Y[:, None], ValueError,
                      "y has shape (8, 1) for the 8 inputs of x; the distiller takes one label "
                      "per input, y of shape (8,): pass y.flatten() of an (N, 1) y",
                      lambda x, y: (x, y.flatten())),
    "classes from 1": (X, Y + 1, ValueError,
                       "y[3] is 4, outside [0, 4), the distiller's classes (num_classes=4): "
                       "number the classes from 0 (y - y.min()), or build the distiller with a "
                       "num_classes above the largest label", lambda x, y: (x, y - y.min())),
    "numpy labels": (X, Y.numpy(), TypeError,
                     "y is a numpy.ndarray of int64 and shape (8,), not a tensor; pass a tensor "
                     f"of {LABELS.removeprefix('the distiller takes ')}, one per row of x: "
                     "torch.as_tensor(y).long()", lambda x, y: (x, torch.as_tensor(y).long())),
    "float64 inputs": (X.double(), Y, ValueError,
                       "x is torch.float64, but the networks' weights are torch.float32: pass "
                       "x.float() (torch.from_numpy keeps numpy's float64)",
                       lambda x, y: (x.float(), y)),
    "numpy inputs": (X.numpy().astype(np.float64), Y, TypeError,
                     "x is a numpy.ndarray of float64 and shape (8, 20), not a tensor; pass "
                     "torch.as_tensor(x, dtype=torch.float32)",
                     lambda x, y: (torch.as_tensor(x, dtype=torch.float32), y)),
}


@pytest.mark.parametrize("case", list(BATCHES))
def test_a_wrong_batch_is_told_in_one_line_and_its_fix_gives_the_right_batchs_loss(case):
    x, y, error, message, fix = BATCHES[case]
    distiller = _kd()
    with pytest.raises(error) as info:
        distiller(x, y, epoch=0)
    assert str(info.value) == message
    assert info.value.__cause__ is None and info.value.__context__ is None  # not torch's
    expected = distiller(X, Y, epoch=0).loss
    assert distiller(*fix(x, y), epoch=0).loss.item() == pytest.approx(expected.item(), rel=1e-6)


def test_labels_and_inputs_that_disagree_in_count_are_told_with_both():
    with pytest.raises(ValueError) as info:
        _kd()(X, Y[:7], epoch=0)
    assert str(info.value) == ("y holds 7 labels for the 8 inputs of x (shape (8, 20)); pass one "
                               "label per row of x, the same rows of both: x[i:j], y[i:j]")


def test_labels_that_are_scores_or_bools_are_told_as_no_classes():
    distiller = _kd()
    with pytest.raises(ValueError, match=r"^y\[1\] is 0\.5, no class; the distiller takes int64 "
                                         r"\(or uint8\) class labels, .*: pass the class of each "
                                         "sample, not a score or a probability$"):
        distiller(X, Y / 2, epoch=0)
    with pytest.raises(ValueError, match=r"^y is a torch\.bool tensor; .*: pass y\.long\(\)$"):
        distiller(X, Y > 1, epoch=0)


def test_a_later_label_outside_the_classes_is_named_as_in_the_first_call():
    # it was torch's "IndexError: Target 4 is out of bounds." from deep inside cross-entropy
    # (t-434): a later batch's labels are read only once torch has raised, so that no step
    # waits for the device
    distiller = _kd()
    assert torch.isfinite(distiller(X, Y, epoch=0).loss)
    negative = Y.clone()
    negative[5] = -1
    outside = ("outside [0, 4), the distiller's classes (num_classes=4): number the classes "
               "from 0 (y - y.min()), or build the distiller with a num_classes above the "
               "largest label")
    assert BATCHES["classes from 1"][3] == f"y[3] is 4, {outside}"  # the first call's words
    for labels, named in [(Y + 1, f"y[3] is 4, {outside}"), (negative, f"y[5] is -1, {outside}")]:
        with pytest.raises(ValueError) as info:
            distiller(X, labels, epoch=1)
        assert str(info.value) == named
        assert info.value.__cause__ is None and info.value.__context__ is None  # not torch's
    expected = F.cross_entropy(distiller.student(X), Y)  # kd's ce, weighted 1 - alpha = 0.1
    fixed = distiller(X, (Y + 1) - (Y + 1).min(), epoch=1)
    assert fixed.losses["ce"].item() == pytest.approx(0.1 * expected.item(), rel=1e-6)


def test_later_calls_read_no_label_value_unless_torch_has_raised(monkeypatch):
    reads = []

    def counted(labels, n_rows, num_classes):
        reads.append(num_classes)
        return first_label_problem(labels, n_rows, num_classes)

    monkeypatch.setattr(distiller_inputs, "first_label_problem", counted)
    distiller = _kd()
    for epoch in range(3):
        distiller(X, Y, epoch=epoch)
    assert reads == [4, None, None]  # the range in the first call; dtype and shape after
    with pytest.raises(ValueError, match=r"^y\[3\] is 4, outside \[0, 4\)"):
        distiller(X, Y + 1, epoch=3)
    assert reads == [4, None, None, None, 4]  # read once torch had raised
    # without num_classes the check reads no value: on the meta device, which has none, it passes
    check_batch(torch.empty(8, 20, device="meta"), torch.empty(8, dtype=torch.int64, device="meta"),
                weights=torch.float32, num_classes=None)


def test_the_modules_hooks_run_around_a_later_batchs_checks():
    distiller = _kd()
    calls = []
    distiller.register_forward_pre_hook(lambda module, args: calls.append(("pre", len(args[1]))))
    distiller.register_forward_hook(lambda module, args, out: calls.append(("post", out.loss)))
    distiller(X, Y, epoch=0)
    with pytest.raises(ValueError, match=r"^y\[3\] is 4, outside"):
        distiller(X, Y + 1, epoch=1)
    assert [call[0] for call in calls] == ["pre", "post", "pre"]  # the bad batch's forward raised
    assert calls[0][1] == 8 and torch.isfinite(calls[1][1])


class _RowWeights(torch.nn.Module):
    """A network's own bug: a weight per row for batches of up to 8 rows."""

    def __init__(self):
        super().__init__()
        self.weights = torch.nn.Parameter(torch.ones(8))

    def forward(self, x):
        return x * self.weights[torch.arange(len(x))][:, None]


@pytest.mark.parametrize("first_call", [True, False])
def test_an_index_error_of_the_networks_own_code_is_raised_unchanged(first_call):
    student = tap_features(torch.nn.Sequential(_RowWeights(), torch.nn.Linear(20, 8),
                                               torch.nn.ReLU(), torch.nn.Linear(8, 4)),
                           layers=["2"])
    distiller = _kd(student=student)
    if not first_call:
        assert torch.isfinite(distiller(X, Y, epoch=0).loss)
    x9, y9 = torch.cat([X, X[:1]]), torch.cat([Y, Y[:1]])  # good labels; 9 rows
    with pytest.raises(IndexError) as info:
        distiller(x9, y9, epoch=1)
    assert type(info.value) is IndexError
    assert str(info.value) == "index 8 is out of bounds for dimension 0 with size 8"
    assert info.traceback[-1].name == "forward" and info.value.__context__ is None


def test_a_distiller_cast_after_it_was_built_takes_inputs_of_its_new_dtype():
    distiller = _kd().double()
    assert distiller(X.double(), Y, epoch=0).loss.dtype == torch.float64
    with pytest.raises(ValueError, match=r"^x is torch\.float32, but the networks' weights are "
                                         r"torch\.float64: pass x\.to\(torch\.float64\)$"):
        distiller(X, Y, epoch=0)


def test_autocast_inputs_and_integer_inputs_are_left_to_the_networks():
    distiller = _kd()
    with torch.autocast("cpu", dtype=torch.bfloat16):  # autocast casts what each layer takes
        assert torch.isfinite(distiller(X.bfloat16(), Y, epoch=0).loss)
    # indices, which an embedding takes, are no floating-point values of another dtype
    check_batch(torch.zeros(8, 5, dtype=torch.int64), Y, weights=torch.float32, num_classes=4)


# (what the Distiller is built with, the error, its message, the fix the message names)
BUILT = {
    "float64 sample_input": (
        {"sample_input": X[:2].double()}, ValueError,
        "sample_input is torch.float64, but the networks' weights are torch.float32: pass "
        "sample_input.float() (torch.from_numpy keeps numpy's float64)",
        lambda built: {"sample_input": built["sample_input"].float()}),
    "numpy sample_input": (
        {"sample_input": X[:4].numpy().astype(np.float64)}, TypeError,
        "sample_input is a numpy.ndarray of float64 and shape (4, 20), not a tensor; pass a batch "
        "tensor of shape (N, ...), e.g. the first training batch: "
        "torch.as_tensor(sample_input, dtype=torch.float32)",
        lambda built: {"sample_input": torch.as_tensor(built["sample_input"], dtype=torch.float32)}),
    "float64 teacher": (
        {"teacher": tapped_mlp(16).double()}, ValueError,
        "the teacher's weights are torch.float64 and the student's torch.float32: the distiller "
        "runs both on the same inputs; cast the teacher to the student's dtype: teacher.float()",
        lambda built: {"teacher": built["teacher"].float()}),
}


@pytest.mark.parametrize("case", list(BUILT))
def test_a_distiller_built_with_the_wrong_dtype_or_a_numpy_sample_is_told_the_cast(case):
    built, error, message, fix = BUILT[case]
    with pytest.raises(error) as info:
        _kd(**built)
    assert str(info.value) == message
    distiller = _kd(**fix(built))
    assert distiller.sample_input_shape == (20,)
    assert torch.isfinite(distiller(X, Y, epoch=0).loss)
