"""A researcher's own data set as numpy gives it: one-hot labels (told to give the class's index,
not to flatten them) and channels-last images (warned of, since a convolution built with
in_channels=input_shape[0] reads the rows as channels and trains without an error)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch.utils.data import Dataset, TensorDataset

from pidkit_distill.data import (
    DatasetBundle,
    available_datasets,
    load_dataset,
    register_dataset,
    unregister_dataset,
)
from pidkit_distill.data.registry import _LOADERS


class PairsOf(Dataset):
    """A dataset class of one's own: the ``i``-th entries of two arrays."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


@pytest.fixture
def own_data(monkeypatch):
    """``register(make_split, input_shape, labels)`` registers 'own-images' (again), whose splits
    are ``make_split(x, y)`` of 24 images of shape ``input_shape`` and ``labels`` of labels in
    [0, 4)."""
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))

    def register(make_split, input_shape, labels=lambda y: y):
        if "own-images" in available_datasets():
            unregister_dataset("own-images")

        @register_dataset("own-images")
        def own_images(*, seed: int = 0) -> DatasetBundle:
            x = torch.randn(24, *input_shape, generator=torch.Generator().manual_seed(seed))
            y = labels(torch.arange(24) % 4)
            return DatasetBundle(make_split(x[:16], y[:16]), make_split(x[16:], y[16:]),
                                 num_classes=4, input_shape=input_shape)

    return register


@pytest.mark.parametrize("make_split", [TensorDataset, PairsOf], ids=["tensors", "own-class"])
def test_one_hot_labels_are_told_to_give_the_class_index(own_data, make_split):
    # it was "give one label per sample, y of shape (N,) (y.flatten() of an (N, 1) y)": a
    # flattened one-hot y holds 4 labels per sample
    own_data(make_split, (1, 8, 8), labels=lambda y: torch.nn.functional.one_hot(y, 4).float())
    with pytest.raises(ValueError) as err:
        load_dataset("own-images")
    assert str(err.value) == (
        "the loader registered as 'own-images': train[0] must be a pair (x, y) with y an int "
        "label in [0, 4) (an int, or an int64 or uint8 tensor of shape ()); y is a torch.float32 "
        "tensor of shape (4,), a one-hot vector or class scores: give one int label per sample, "
        "the class's index: return y.argmax(dim=1) of the (N, 4) labels from the loader.")


def test_numpy_one_hot_labels_are_told_to_give_the_class_index(own_data):
    # it was "return one int label per sample, int(y)": int() of a vector of 4 fails
    own_data(lambda x, y: PairsOf(x, np.eye(4, dtype=np.float32)[y.numpy()]), (1, 8, 8))
    with pytest.raises(ValueError, match=r"; y is a numpy float32 of shape \(4,\), a one-hot "
                                         r"vector or class scores: give one int label per "
                                         r"sample, the class's index: return y.argmax\(dim=1\) "
                                         r"of the \(N, 4\) labels from the loader.$"):
        load_dataset("own-images")
    own_data(TensorDataset, (1, 8, 8), labels=lambda y: y[:, None])  # one label, in a vector
    with pytest.raises(ValueError, match=r"y is a torch.int64 tensor of shape \(1,\): give one "
                                         r"label per sample, y of shape \(N,\) \(y.flatten\(\) of "
                                         r"an \(N, 1\) y\).$"):
        load_dataset("own-images")


def test_channels_last_images_are_warned_of_with_the_permutation(own_data):
    # it trained without a word: the builders got in_channels=8, the image's rows
    own_data(TensorDataset, (8, 8, 1))
    with pytest.warns(UserWarning) as caught:
        bundle = load_dataset("own-images")
    assert [str(w.message) for w in caught] == [
        "the loader registered as 'own-images' returned input_shape=(8, 8, 1), which looks "
        "channels-last (height, width, channels), but the models take images channels first: "
        "their builders get in_channels=input_shape[0]=8, and a convolution reads its x's 8 rows "
        "as channels; if the images are (N, H, W, C), as numpy and PIL give them, return "
        "x.permute(0, 3, 1, 2) and input_shape=(1, 8, 8)"]
    assert bundle.input_shape == (8, 8, 1)  # a warning: such data may be meant
    for input_shape in [(1, 8, 8), (3, 32, 32), (20,), (4, 16)]:  # channels first, vectors
        own_data(TensorDataset, input_shape)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            load_dataset("own-images")


@pytest.mark.parametrize("fraction", [
    lambda y: y.float() + 0.5,  # torch scalars: y.long() cut 0.5 to class 0
    lambda y: (y.float() + 0.5).numpy(),  # numpy float32 scalars: int(y) did
    lambda y: (y.float() + 0.5).tolist(),  # floats: torch.as_tensor(y).long() did
], ids=["torch", "numpy", "python"])
def test_fractional_labels_are_no_class_not_cut_to_one(own_data, fraction):
    own_data(lambda x, y: PairsOf(x, y), (1, 8, 8), labels=fraction)
    with pytest.raises(ValueError, match=r"train\[0\] must be a pair \(x, y\) with y an int label "
                                         r"in \[0, 4\) .*; y is 0\.5, no class: return the class of "
                                         r"each sample, an int, from the loader, not a score or a "
                                         r"probability\.$"):
        load_dataset("own-images")


def test_float_labels_are_told_y_long_only_for_class_numbers(own_data):
    # whole floats (0.0) passed, and "return y.long()" then cut the later 0.5 to a class unsaid
    own_data(lambda x, y: PairsOf(x, y), (1, 8, 8), labels=lambda y: y.float())
    with pytest.raises(ValueError, match=r"; y is a torch\.float32 tensor: return y\.long\(\) from "
                                         r"the loader \(if the floats are class numbers: a score or "
                                         r"a probability is no class, and would be cut to one\)\.$"):
        load_dataset("own-images")
