"""A loader's num_classes below two is told that a classifier needs two classes (t-413 M4); it was
told "write num_classes=1", the value refused. A whole number of two or more in another type
(4.0) is still told the int to write."""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import TensorDataset

from pidkit_distill.data import DatasetBundle, load_dataset, register_dataset, unregister_dataset

pytestmark = pytest.mark.usefixtures("one_torch_thread")

X = torch.randn(12, 20, generator=torch.Generator().manual_seed(0))
Y = torch.arange(12) % 4


def _refusal_of_count(num_classes) -> str:
    @register_dataset("walk-count")
    def walk_count(*, seed=0):
        data = TensorDataset(X, Y)
        return DatasetBundle(data, data, num_classes=num_classes, input_shape=(20,))

    try:
        with pytest.raises(ValueError) as info:
            load_dataset("walk-count")
    finally:
        unregister_dataset("walk-count")
    return str(info.value)


@pytest.mark.parametrize("classes", [1, 0, 1.0, torch.tensor(1.0), -2])
def test_a_loader_counting_fewer_than_two_classes_is_told_a_classifier_needs_two(classes):
    said = _refusal_of_count(classes)
    # it was told "write num_classes=1", the value refused
    assert "write num_classes" not in said
    assert said == (f"the loader registered as 'walk-count' returned num_classes={classes!r}; it "
                    "must be an int >= 2: a classifier needs at least two classes, so its labels "
                    "must take two values or more.")


@pytest.mark.parametrize(("classes", "end"), [(4.0, ": write num_classes=4."),
                                              (torch.tensor([3]), ": write num_classes=3."),
                                              (4.5, "it must be an int >= 2.")])
def test_a_count_of_two_or_more_in_another_type_is_still_told_the_int(classes, end):
    assert _refusal_of_count(classes).endswith(end)
