"""Class-stratified, nested training subsets: the ``train_fraction`` option of the package's data sets.

:func:`stratified_order` puts the samples in one seeded, class-interleaved order; the
``train_fraction`` subset (:func:`train_subset`) is a prefix of it holding :func:`subset_size`
samples, so a smaller fraction's samples are part of every larger one's.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor

from pidkit_distill.config_errors import ConfigEntryError

__all__ = ["stratified_order", "subset_size", "train_subset"]


def stratified_order(labels: Tensor, *, seed: int = 0) -> Tensor:
    """A seeded order of the samples in which the classes are interleaved in proportion.

    Each class's samples are put in a random order; the ``j``-th of ``n_c`` samples of a class
    gets the key ``j / n_c``, and the samples are sorted by key (ties in a random order). So the
    first sample of every class comes first, and every prefix of the order holds each class in
    proportion to its share of ``labels``: at most one sample more, and at most ``K * share``
    fewer for ``K`` classes (within one sample either way when the classes are equally
    frequent). A prefix is a class-stratified subset, and a shorter prefix is part of every
    longer one.

    Parameters
    ----------
    labels : Tensor
        ``(N,)`` integer class labels.
    seed : int, default=0
        Seeds the order.

    Returns
    -------
    Tensor
        ``(N,)`` int64: a permutation of ``range(N)``.

    Examples
    --------
    >>> from pidkit_distill.data import stratified_order
    >>> import torch
    >>> labels = torch.tensor([0, 0, 0, 0, 0, 0, 1, 1, 1])
    >>> order = stratified_order(labels, seed=0)
    >>> sorted(order.tolist()) == list(range(9))
    True
    >>> [labels[order[:k]].bincount(minlength=2).tolist() for k in (2, 3, 6)]
    [[1, 1], [2, 1], [4, 2]]
    """
    y = np.asarray(labels, dtype=np.int64)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 11]))
    shuffled = rng.permutation(len(y))
    key = np.empty(len(y))
    for c in np.unique(y):
        members = shuffled[y[shuffled] == c]
        key[members] = np.arange(len(members)) / len(members)
    return torch.from_numpy(np.lexsort((rng.random(len(y)), key)))


def subset_size(n_train: int, train_fraction: float, num_classes: int) -> int:
    """Samples in the ``train_fraction`` subset of ``n_train``: ``round(fraction * n_train)``.

    Every loader checks its ``train_fraction`` with this before it reads or draws anything, and
    :func:`~pidkit_distill.data.describe_dataset` reports the size it returns.

    Parameters
    ----------
    n_train : int
        Samples in the whole training split.
    train_fraction : float
        The share of them to keep, in (0, 1]; halves round up.
    num_classes : int
        Classes the subset must hold a sample of each of.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        ``train_fraction`` not in (0, 1], a training split smaller than ``num_classes``, or a
        subset smaller than ``num_classes`` (it could not hold a sample of every class); the
        message gives the smallest fraction that works. A
        :class:`~pidkit_distill.ConfigEntryError` of the options at fault
        (``train_fraction``; ``n_train`` and ``num_classes`` for a split too small), so that the
        command names the one typed.

    Examples
    --------
    >>> subset_size(1347, 0.1, 10)
    135
    >>> subset_size(1347, 0.005, 10)
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigEntryError: train_fraction=0.005 keeps 7 of 1347 training \
samples, fewer than the 10 classes; use train_fraction >= 0.0071.
    """
    real = isinstance(train_fraction, (int, float)) and not isinstance(train_fraction, bool)
    if not real or not 0.0 < train_fraction <= 1.0:
        raise ConfigEntryError(f"train_fraction must be in (0, 1]; got {train_fraction!r}.",
                               train_fraction, entries=("train_fraction",))
    if n_train < num_classes:
        raise ConfigEntryError(f"the training split holds {n_train} samples, fewer than the "
                               f"{num_classes} classes, so no train_fraction can keep one of "
                               "each.", n_train, entries=("n_train", "num_classes"))
    n = math.floor(train_fraction * n_train + 0.5)
    if n < num_classes:
        smallest = math.ceil((num_classes - 0.5) / n_train * 10_000) / 10_000
        raise ConfigEntryError(
            f"train_fraction={train_fraction!r} keeps {n} of {n_train} training samples, fewer "
            f"than the {num_classes} classes; use train_fraction >= {smallest}.",
            train_fraction, entries=("train_fraction",))
    return n


def train_subset(labels: Tensor, train_fraction: float, *, num_classes: int,
                 seed: int) -> Tensor:
    """Indices (ascending) of the ``train_fraction`` subset: a prefix of :func:`stratified_order`.

    ``num_classes`` is the number of classes the subset must cover (every class of
    ``labels``, which must hold them all). The full set (``train_fraction=1.0``) keeps every
    index. ``seed`` seeds the order, so the loaders pass their data seed.

    Parameters
    ----------
    labels : Tensor
        ``(N,)`` integer class labels of the whole training split.
    train_fraction : float
        In (0, 1] (see :func:`subset_size`).
    num_classes : int
        Classes the subset must cover.
    seed : int
        Seeds :func:`stratified_order`.

    Returns
    -------
    Tensor
        ``(subset_size(N, train_fraction, num_classes),)`` int64 indices into ``labels``.

    Examples
    --------
    >>> import torch
    >>> train_subset(torch.tensor([0, 1, 0, 1, 0, 1]), 0.5, num_classes=2, seed=0).tolist()
    [0, 2, 5]
    """
    n = subset_size(len(labels), train_fraction, num_classes)
    return stratified_order(labels, seed=seed)[:n].sort().values

