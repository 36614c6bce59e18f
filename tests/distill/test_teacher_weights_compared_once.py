"""One comparison of a teacher's weights with a file's (t-363 "Left alone"): the resume check of
teacher_files and the resumed record of teacher_records both ask
:func:`~pidkit_distill.training.teacher_files.first_other_tensor`, which names the first tensor
that tells two state dicts apart."""

from __future__ import annotations

import torch

from pidkit_distill.models import build_model
from pidkit_distill.training import teacher_records
from pidkit_distill.training.teacher_files import first_other_tensor


def _weights(seed: int) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    return build_model("digits-teacher", num_classes=10, in_channels=1).state_dict()


def test_a_state_dict_holds_its_own_weights_and_their_float64_copy():
    held = _weights(0)
    assert first_other_tensor(held, held) is None
    assert first_other_tensor({name: t.double() if t.is_floating_point() else t
                               for name, t in held.items()}, held) is None


def test_the_first_tensor_that_differs_is_named():
    held, other = _weights(0), _weights(1)
    differing = [name for name in held if not torch.equal(held[name], other[name])]
    assert first_other_tensor(other, held) == differing[0]
    one_value = dict(held)
    last = differing[-1]
    one_value[last] = held[last].clone()
    one_value[last].view(-1)[0] += 1.0  # one value of the last tensor
    assert first_other_tensor(one_value, held) == last


def test_names_shapes_and_values_that_are_not_tensors_tell_them_apart():
    held = {"a.weight": torch.ones(2, 3), "b.bias": torch.zeros(3)}
    assert first_other_tensor({"a.weight": torch.ones(2, 3)}, held) == "b.bias"
    assert first_other_tensor({**held, "c": torch.ones(1)}, held) == "c"
    assert first_other_tensor({**held, "a.weight": torch.ones(3, 2)}, held) == "a.weight"
    assert first_other_tensor({**held, "b.bias": [0.0, 0.0, 0.0]}, held) == "b.bias"
    assert first_other_tensor({**held, "b.bias": torch.zeros(3, device="meta")}, held) == "b.bias"


def test_the_records_keep_no_comparison_of_their_own():
    assert teacher_records.first_other_tensor is first_other_tensor
    assert not hasattr(teacher_records, "_holds_weights")
