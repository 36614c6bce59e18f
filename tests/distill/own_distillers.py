"""Networks, a method and a data set of a user's own, shared by the tests of the extension API:
an MLP on 20 inputs and 4 classes tapped at its hidden ReLU, a Distiller that trains the student
on the labels alone, and the module of a registered data set whose sample 37 has a label of the
test's choosing."""

from __future__ import annotations

import textwrap

from torch import nn
from torch.nn import functional as F

from pidkit_distill import Distiller, StepOutput, tap_features


def tapped_mlp(width: int) -> nn.Module:
    """An MLP 20 -> ``width`` -> 4, tapped at its ReLU."""
    return tap_features(nn.Sequential(nn.Linear(20, width), nn.ReLU(), nn.Linear(width, 4)),
                        layers=["1"])


class LogitMatch(Distiller):
    """Cross-entropy of the student's logits; the teacher is never run."""

    def forward(self, x, y, *, epoch):
        logits = self.student(x)
        return StepOutput(logits, {"ce": F.cross_entropy(logits, y)})


_BLOBS_MODULE = textwrap.dedent("""
    import torch
    from torch.utils.data import Dataset
    from pidkit_distill import DatasetBundle, register_dataset

    class Blobs(Dataset):
        def __init__(self, n, label_37):
            self.x = torch.randn(n, 8, generator=torch.Generator().manual_seed(n))
            self.label_37 = label_37

        def __len__(self):
            return len(self.x)

        def __getitem__(self, i):
            return self.x[i], self.label_37 if i == 37 else i % 2

    @register_dataset({name!r})
    def blobs(*, seed=0):
        return DatasetBundle(Blobs(64, {train_37!r}), Blobs(60, {test_37!r}), num_classes=2,
                             input_shape=(8,))
""")


def blobs_module(name: str, *, train_37: object = 1, test_37: object = 1) -> str:
    """The source of a module that registers the data set ``name``: a ``Dataset`` class of its
    own (checked when loaded by its first sample only), 8 inputs, 2 classes, labels ``i % 2``
    but for sample 37, whose label is ``train_37`` in the train split (64 samples) and
    ``test_37`` in the test split (60)."""
    return _BLOBS_MODULE.format(name=name, train_37=train_37, test_37=test_37)
