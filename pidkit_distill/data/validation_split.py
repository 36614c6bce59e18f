"""The validation split of ``data.val_fraction``: a class-stratified share of the training set,
held out of training, on which the trainer chooses the best epoch.

:func:`split_validation` makes it, once, where a run loads its data
(:func:`pidkit_distill.training.train` and ``train_teacher``): the student and its teacher then
train on the same reduced training set, and neither sees the validation samples. The split is
scikit-learn's ``train_test_split(..., stratify=labels, random_state=data.seed)`` on the
indices, so it is the same for every ``run.seed``; the held-out (test) set is not touched.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset, Subset

from pidkit_distill.config_errors import ConfigValueError
from pidkit_distill.data.bundle import DatasetBundle, DatasetSpec

__all__ = ["TrainingSubset", "spec_without_validation", "split_validation", "training_labels",
           "validation_size"]


class TrainingSubset(Subset):
    """A :class:`~torch.utils.data.Subset` that passes ``set_epoch(epoch)`` on to its data set,
    so that a CIFAR training set keeps drawing its augmentation per epoch once split.

    Examples
    --------
    >>> from torch.utils.data import TensorDataset
    >>> part = TrainingSubset(TensorDataset(torch.arange(5.0), torch.arange(5)), [4, 0])
    >>> len(part), [int(y) for _, y in part]
    (2, [4, 0])
    >>> part.set_epoch(3)  # the TensorDataset has none: nothing to tell
    """

    def set_epoch(self, epoch: int) -> None:
        """Tell the data set that ``epoch`` starts, where it has ``set_epoch``."""
        if hasattr(self.dataset, "set_epoch"):
            self.dataset.set_epoch(epoch)


def training_labels(dataset: Any) -> Tensor:
    """The int64 labels of a map-style ``dataset`` of ``(x, y)`` pairs, in its order.

    Read without the inputs where the data set holds them as a tensor (``labels``, a
    :class:`~pidkit_distill.data.CifarDataset`'s; ``tensors[1]``, a ``TensorDataset``'s), through
    :class:`~torch.utils.data.Subset` s; otherwise sample by sample.

    Examples
    --------
    >>> from torch.utils.data import TensorDataset
    >>> data = TensorDataset(torch.zeros(4, 2), torch.tensor([2, 0, 1, 0]))
    >>> training_labels(Subset(data, [3, 0])).tolist()
    [0, 2]
    """
    if isinstance(dataset, Subset):
        return training_labels(dataset.dataset)[torch.as_tensor(dataset.indices, dtype=torch.long)]
    held = getattr(dataset, "labels", None)
    if isinstance(held, Tensor) and len(held) == len(dataset):
        return held.long()
    tensors = getattr(dataset, "tensors", None)
    if isinstance(tensors, tuple | list) and len(tensors) >= 2 and isinstance(tensors[1], Tensor):
        return tensors[1].long().reshape(-1)
    return torch.tensor([int(dataset[index][1]) for index in range(len(dataset))],
                        dtype=torch.long)


def validation_size(n_train: int, val_fraction: float) -> int:
    """The samples that ``data.val_fraction`` holds out of ``n_train``: ``ceil(f * n_train)``,
    as scikit-learn's ``train_test_split`` counts a share.

    >>> validation_size(96, 0.25), validation_size(1347, 0.1), validation_size(96, 0.0)
    (24, 135, 0)
    """
    return math.ceil(val_fraction * n_train)


def spec_without_validation(spec: DatasetSpec, val_fraction: float) -> DatasetSpec:
    """``spec`` (a data set described) with the training samples that a run of
    ``data.val_fraction`` trains on: what its teacher file records, where it is trained.

    >>> spec = DatasetSpec("digits", 10, (1, 8, 8), 1347, 450)
    >>> spec_without_validation(spec, 0.1).n_train
    1212
    """
    return dataclasses.replace(spec, n_train=spec.n_train - validation_size(spec.n_train,
                                                                            val_fraction))


def split_validation(bundle: DatasetBundle, val_fraction: float, *, seed: int,
                     labels: Tensor | None = None) -> tuple[DatasetBundle, Dataset | None]:
    """``bundle`` with its training set reduced by a stratified validation split, and the split.

    Parameters
    ----------
    bundle : DatasetBundle
        The run's data, as loaded.
    val_fraction : float
        ``data.val_fraction``: the share of the training samples held out, in [0, 1); 0 holds
        none, and ``bundle`` comes back as it is.
    seed : int
        ``data.seed``: the split's ``random_state``.
    labels : Tensor, optional
        The labels to stratify by, one per training sample; by default the bundle's own
        (:func:`training_labels`). The teacher's data under ``teacher.data_options`` (other labels
        of the same samples) is split by its student's, so that both hold out the same samples.

    Returns
    -------
    tuple of (DatasetBundle, Dataset or None)
        The bundle whose ``train`` is a :class:`TrainingSubset` of the samples kept for training
        (its ``info`` records ``n_val`` and ``val_fraction``), and the validation samples (a
        :class:`~torch.utils.data.Subset`, unaugmented where the training set augments);
        ``(bundle, None)`` where ``val_fraction`` is 0.

    Raises
    ------
    ConfigValueError
        A split, or the training set that is left, of fewer samples than the classes (it could
        not hold one of each): naming ``data.val_fraction``, the counts and the fractions that
        work.

    Examples
    --------
    >>> from torch.utils.data import TensorDataset
    >>> y = torch.arange(40) % 4
    >>> pairs = TensorDataset(torch.randn(40, 3), y)
    >>> bundle = DatasetBundle(pairs, pairs, num_classes=4, input_shape=(3,))
    >>> reduced, val = split_validation(bundle, 0.2, seed=0)
    >>> len(reduced.train), len(val), training_labels(val).bincount().tolist()
    (32, 8, [2, 2, 2, 2])
    >>> set(reduced.train.indices).isdisjoint(val.indices)
    True
    >>> split_validation(bundle, 0.05, seed=0)
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigValueError: config key 'data.val_fraction' is 0.05, which holds out 2 \
of the 40 training samples, fewer than the 4 classes (the split needs one of each); use \
data.val_fraction >= 0.1 (at most 0.9), or 0 for no validation split
    """
    if not val_fraction:
        return bundle, None
    from sklearn.model_selection import train_test_split

    sample_labels = (training_labels(bundle.train) if labels is None else labels).numpy()
    n_train = len(sample_labels)
    n_val = validation_size(n_train, val_fraction)
    held = len(np.unique(sample_labels))
    if min(n_val, n_train - n_val) < held:
        low, high = held / n_train, 1 - held / n_train
        part = f"holds out {n_val}" if n_val < held else f"leaves {n_train - n_val} to train on"
        raise ConfigValueError(
            f"config key 'data.val_fraction' is {val_fraction!r}, which {part} of the {n_train} "
            f"training samples, fewer than the {held} classes (the split needs one of each); use "
            f"data.val_fraction >= {np.ceil(low * 1000) / 1000:g} (at most "
            f"{np.floor(high * 1000) / 1000:g}), or 0 for no validation split",
            "data.val_fraction", val_fraction, advised=True)
    try:
        kept, validation = train_test_split(np.arange(n_train), test_size=val_fraction,
                                            stratify=sample_labels, random_state=seed)
    except ValueError as err:  # a class of one sample, which stratifying cannot split
        raise ConfigValueError(
            f"config key 'data.val_fraction' is {val_fraction!r}, but the training set cannot "
            f"be split by class: {err}; use data.val_fraction 0 (no validation split)",
            "data.val_fraction", val_fraction, advised=True) from err
    source = bundle.train
    plain = source
    if getattr(source, "augment", False):  # evaluated as the test set is: unaugmented
        plain = copy.copy(source)
        plain.augment = False
    info = {**bundle.info, "val_fraction": val_fraction, "n_val": len(validation)}
    reduced = dataclasses.replace(bundle, train=TrainingSubset(source, sorted(kept.tolist())),
                                  info=info)
    return reduced, Subset(plain, sorted(validation.tolist()))
