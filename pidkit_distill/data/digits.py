"""scikit-learn's 8x8 handwritten digits as a :class:`~pidkit_distill.data.DatasetBundle`.

Shipped with scikit-learn, so nothing is downloaded: pixels scaled into [0, 1], a class-stratified
train/test split seeded by the data seed, and the nested ``train_fraction`` subset of
:mod:`pidkit_distill.data.subsets`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch.utils.data import TensorDataset

from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.data.bundle import DatasetBundle, DatasetSpec
from pidkit_distill.data.subsets import subset_size, train_subset

__all__ = ["describe_digits", "load_digits"]

_SAMPLES = 1797
_CLASSES = 10
_SHAPE = (1, 8, 8)


def load_digits(*, seed: int, test_fraction: float = 0.25,
                train_fraction: float = 1.0) -> DatasetBundle:
    """The digits, split by class into train and test, as ``(1, 8, 8)`` images in [0, 1].

    Parameters
    ----------
    seed : int
        ``random_state`` of scikit-learn's ``train_test_split`` and the seed of the subset.
    test_fraction : float, default=0.25
        Share of each class held out, in (0, 1), leaving both splits a sample of every class
        (0.0051 to 0.9944; the default gives 1,347 train / 450 test).
    train_fraction : float, default=1.0
        Train on this nested, class-stratified share of the training split (see
        :func:`~pidkit_distill.data.subsets.train_subset`); the test split does not change.

    Returns
    -------
    DatasetBundle

    Examples
    --------
    >>> bundle = load_digits(seed=0)
    >>> len(bundle.train), len(bundle.test), bundle.num_classes, bundle.input_shape
    (1347, 450, 10, (1, 8, 8))
    """
    from sklearn.datasets import load_digits as sklearn_digits
    from sklearn.model_selection import train_test_split

    _check_test_fraction(test_fraction)
    digits = sklearn_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]
    x_tr, x_te, y_tr, y_te = train_test_split(
        images, digits.target, test_size=test_fraction, stratify=digits.target,
        random_state=seed,
    )
    keep = train_subset(torch.from_numpy(y_tr), train_fraction, num_classes=_CLASSES,
                        seed=seed)
    train = TensorDataset(torch.from_numpy(x_tr)[keep], torch.from_numpy(y_tr).long()[keep])
    test = TensorDataset(torch.from_numpy(x_te), torch.from_numpy(y_te).long())
    return DatasetBundle(train, test, _CLASSES, _SHAPE, {
        "source": "sklearn.datasets.load_digits", "scale": "pixels / 16",
        "test_fraction": test_fraction, "train_fraction": train_fraction,
        "n_train_split": len(y_tr), "n_train": len(train), "n_test": len(test),
    })


def describe_digits(*, test_fraction: float, train_fraction: float) -> DatasetSpec:
    """What :func:`load_digits` returns with these options, checked as it checks them.

    Takes every option of :func:`load_digits` but ``seed`` (the split sizes do not depend on
    it); :func:`~pidkit_distill.data.describe_dataset` fills in the defaults.

    Examples
    --------
    >>> describe_digits(test_fraction=0.25, train_fraction=0.1)
    DatasetSpec(name='digits', num_classes=10, input_shape=(1, 8, 8), n_train=135, n_test=450)
    """
    _check_test_fraction(test_fraction)
    n_test = math.ceil(test_fraction * _SAMPLES)
    n_train = subset_size(_SAMPLES - n_test, train_fraction, _CLASSES)
    return DatasetSpec("digits", _CLASSES, _SHAPE, n_train, n_test)


def _check_test_fraction(test_fraction: Any) -> None:
    """``test_fraction`` must leave both splits a sample of every class, as scikit-learn's
    stratified ``train_test_split`` (which holds out ``ceil(test_fraction * 1797)``) requires;
    a :class:`~pidkit_distill.ConfigEntryError` of the option otherwise.

    Examples
    --------
    >>> _check_test_fraction(0.001)
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigEntryError: test_fraction=0.001 holds out 2 of the 1797 \
digits, fewer than the 10 classes; use test_fraction >= 0.0051.
    >>> _check_test_fraction(0.9999)
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigEntryError: test_fraction=0.9999 leaves 0 of the 1797 \
digits to train on, fewer than the 10 classes; use test_fraction <= 0.9944.
    """
    real = isinstance(test_fraction, (int, float)) and not isinstance(test_fraction, bool)
    if not real or not 0.0 < test_fraction < 1.0:
        raise ConfigEntryError(f"test_fraction must be in (0, 1); got {test_fraction!r}.",
                               test_fraction, entries=("test_fraction",))
    n_test = math.ceil(test_fraction * _SAMPLES)
    if n_test < _CLASSES:
        smallest = math.floor((_CLASSES - 1) / _SAMPLES * 10_000 + 1) / 10_000
        raise ConfigEntryError(f"test_fraction={test_fraction!r} holds out {n_test} of the "
                               f"{_SAMPLES} digits, fewer than the {_CLASSES} classes; use "
                               f"test_fraction >= {smallest}.", test_fraction,
                               entries=("test_fraction",))
    if _SAMPLES - n_test < _CLASSES:
        largest = math.floor((_SAMPLES - _CLASSES) / _SAMPLES * 10_000) / 10_000
        raise ConfigEntryError(f"test_fraction={test_fraction!r} leaves {_SAMPLES - n_test} of "
                               f"the {_SAMPLES} digits to train on, fewer than the {_CLASSES} "
                               f"classes; use test_fraction <= {largest}.", test_fraction,
                               entries=("test_fraction",))

