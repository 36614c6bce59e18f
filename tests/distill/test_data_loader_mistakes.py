"""A registered loader that returns its splits as (x, y) pairs of tensors instead of datasets
(task 256): it is told to wrap them in a TensorDataset, where it was told that 'train[0]', the
whole x, is no pair (x, y)."""

from __future__ import annotations

import re

import pytest
import torch
from torch.utils.data import TensorDataset

from pidkit_distill import DatasetBundle, load_dataset, register_dataset
from pidkit_distill.data.registry import _LOADERS

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(autouse=True)
def _registries(monkeypatch):
    """Registrations made by a test end with it."""
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))


def _tensors() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 20, generator=g)
    return x, (x[:, 0] > 0).long()


def _register(name: str, split: str, make_split) -> None:
    """Register under ``name`` a loader whose ``split`` is ``make_split(x, y)`` of its rows and
    whose other split is a TensorDataset."""
    x, y = _tensors()

    def load(*, seed: int = 0) -> DatasetBundle:
        rows = {"train": slice(0, 48), "test": slice(48, 64)}
        parts = {part: (make_split if part == split else TensorDataset)(x[r], y[r])
                 for part, r in rows.items()}
        return DatasetBundle(parts["train"], parts["test"], num_classes=2, input_shape=(20,))

    register_dataset(name)(load)


@pytest.mark.parametrize(("split", "kind"), [("train", "tuple"), ("train", "list"),
                                             ("test", "tuple")])
def test_a_split_of_two_tensors_is_told_to_wrap_them_in_a_tensor_dataset(split, kind):
    _register("pairs", split, (lambda a, b: [a, b]) if kind == "list" else (lambda a, b: (a, b)))
    rows = 48 if split == "train" else 16
    with pytest.raises(TypeError, match="^" + re.escape(
            f"the loader registered as 'pairs' returned its {split} split as a {kind} of two "
            f"tensors, x of shape ({rows}, 20) and y of shape ({rows},); a split is a dataset of "
            "(x, y) samples: return TensorDataset(x, y) for it "
            "(torch.utils.data.TensorDataset).") + "$"):
        load_dataset("pairs")
    # a list of (x, y) samples is a dataset: it loads as before
    _register("listed", split, lambda a, b: list(zip(a, b, strict=True)))
    bundle = load_dataset("listed")
    assert (len(bundle.train), len(bundle.test)) == (48, 16)
