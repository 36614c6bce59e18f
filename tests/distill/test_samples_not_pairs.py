"""A data set of one's own handed over in the shapes PyTorch users reach for first (t-421's
notebook walk): splits as DataLoaders, and samples that are dicts, (x, y, index) triples or one
tensor. Each is told what it is and the fix; a DataLoader was blamed on the data set ("reading
train[0] raised TypeError ('DataLoader' object is not subscriptable); the error is the data set's
own ... mend it"), and a dict sample was called "x is a dict"."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset

from pidkit_distill import DatasetBundle, load_config, load_dataset, register_dataset, train
from pidkit_distill.data.registry import _LOADERS, sample_problem

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SHAPE = (1, 8, 8)


@pytest.fixture(autouse=True)
def _registries(monkeypatch):
    """Registrations made by a test end with it."""
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))


class Samples(Dataset):
    """A dataset whose every sample is ``make(x, y)`` of an image and its label."""

    def __init__(self, make, n: int = 12):
        self.make, self.n = make, n
        self.x = torch.randn(n, *SHAPE, generator=torch.Generator().manual_seed(0))

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return self.make(self.x[i], i % 4)


def _register(name: str, train_split, test_split) -> None:
    def load(*, seed: int = 0) -> DatasetBundle:
        return DatasetBundle(train_split, test_split, num_classes=4, input_shape=SHAPE)

    register_dataset(name)(load)


@pytest.mark.parametrize("split", ["train", "test"])
def test_a_split_given_as_a_data_loader_is_told_to_give_its_dataset(tmp_path, split):
    pairs = TensorDataset(torch.randn(12, *SHAPE), torch.arange(12) % 4)
    loader = DataLoader(pairs, batch_size=4, shuffle=True)
    _register("as-loader", *((loader, pairs) if split == "train" else (pairs, loader)))
    told = (f"the loader registered as 'as-loader' returned a DataLoader as its {split} split; a "
            "DatasetBundle holds Datasets, which the trainer batches itself (data.batch_size): "
            "return loader.dataset")
    with pytest.raises(TypeError, match="^" + re.escape(told) + "$"):
        load_dataset("as-loader")
    config = load_config(overrides=["data.name=as-loader", "model.teacher=digits-teacher",
                                    "model.student=digits-student", f"run.out_dir={tmp_path}"])
    with pytest.raises(TypeError, match="^" + re.escape(f"data.name: {told}") + "$"):
        train(config)
    assert list(tmp_path.iterdir()) == []  # refused before any run folder was made


NOT_PAIRS = [
    (lambda x, y: {"image": x, "label": y},
     "is a dict with keys ['image', 'label'], not a pair (x, y): return (d['image'], "
     "d['label']), the input and its label, from its __getitem__"),
    (lambda x, y: (x, y, 7),
     "is a tuple of 3 items (Tensor, int, int), not a pair (x, y): return (x, y) alone from its "
     "__getitem__"),
    (lambda x, y: [x, y, "cat", 0.5],
     "is a list of 4 items (Tensor, int, str, float), not a pair (x, y): return (x, y) alone "
     "from its __getitem__"),
    (lambda x, y: x,
     "is one Tensor of shape (1, 8, 8), no label: return a pair (x, y), the input and its int "
     "label, from its __getitem__"),
    (lambda x, y: x.numpy(),
     "is one ndarray of shape (1, 8, 8), no label: return a pair (x, y), the input and its int "
     "label, from its __getitem__"),
    (lambda x, y: (x,),
     "is a tuple of 1 item (Tensor), no label: return a pair (x, y), the input and its int "
     "label, from its __getitem__"),
    (lambda x, y: {"image": x},
     "is a dict with keys ['image'], no label: return a pair (x, y), the input and its int "
     "label, from its __getitem__"),
]


@pytest.mark.parametrize(("make", "problem"), NOT_PAIRS,
                         ids=["dict", "triple", "list-of-4", "tensor", "ndarray", "one-tuple",
                              "dict-of-one"])
def test_a_sample_that_is_no_pair_is_told_what_it_is_and_the_fix(make, problem):
    # before: "must be a pair (x, y) with x a float tensor of input_shape (1, 8, 8); x is a dict"
    # (a tuple, an ndarray), or for one tensor of the right shape "y is of type NoneType"
    sample = Samples(make)[0]
    assert sample_problem(sample, 4, SHAPE) == problem
    _register("not-pairs", Samples(make), TensorDataset(torch.randn(4, *SHAPE),
                                                        torch.arange(4)))
    with pytest.raises(ValueError, match="^" + re.escape(
            f"the loader registered as 'not-pairs': train[0] {problem}.") + "$"):
        load_dataset("not-pairs")


def test_the_fix_given_for_a_dict_makes_a_sample_that_passes():
    sample = Samples(lambda x, y: {"image": x, "label": y})[1]
    assert sample_problem((sample["image"], sample["label"]), 4, SHAPE) is None
    triple = Samples(lambda x, y: (x, y, 7))[1]
    assert sample_problem(triple[:2], 4, SHAPE) is None


def test_pairs_are_still_told_of_their_x_and_y():
    # a pair keeps its words: its x or y is what is wrong
    assert sample_problem((np.zeros(SHAPE), 1), 4, SHAPE) == (
        "must be a pair (x, y) with x a float tensor of input_shape (1, 8, 8); x is a ndarray: "
        "return torch.as_tensor(x, dtype=torch.float32) from its dataset")
    assert sample_problem((torch.zeros(SHAPE), None), 4, SHAPE) == (
        "must be a pair (x, y) with y an int label in [0, 4) (an int, or an int64 or uint8 "
        "tensor of shape ()); y is of type NoneType: return int labels, or "
        "torch.as_tensor(y).long()")
