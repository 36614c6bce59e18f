"""Datasets for distillation: CIFAR-10/100, scikit-learn's digits, and a synthetic nuisance task.

:func:`load_dataset` returns a :class:`DatasetBundle` of two map-style datasets yielding
``(x, y)`` pairs (``x`` float32, ``y`` int64), the number of classes and the per-sample input
shape. Everything is a torch tensor; torchvision is never needed (it is used only to download
CIFAR when it is importable and ``download=True``). :func:`describe_dataset` checks a name and
its options exactly as :func:`load_dataset` does and returns a :class:`DatasetSpec` (classes,
input shape, split sizes) without loading anything, so that a training run can be checked
before any work.

Names
-----
``"digits"``
    scikit-learn's 8x8 handwritten digits (1,797 images, 10 classes, shipped with
    scikit-learn, so no download). Pixels (0..16) are divided by 16 into [0, 1]; shape
    ``(1, 8, 8)``. Split: stratified by class with ``train_test_split(...,
    random_state=seed)``; ``test_fraction`` (default 0.25) gives 1,347 train / 450 test.
``"synthetic"``
    The nuisance-teacher task of the RID paper's Theorem 3.1; see :func:`make_synthetic`.
``"cifar10"``, ``"cifar100"``
    Read from the standard pickled folders ``root/cifar-10-batches-py`` (``data_batch_1..5``,
    ``test_batch``) and ``root/cifar-100-python`` (``train``, ``test``; the 100 fine labels).
    Images are kept as uint8 and converted per item: ``x = (u8 / 255 - mean) / std`` with
    ``normalization="standard"`` (CIFAR-10 mean ``(0.4914, 0.4822, 0.4465)``, std
    ``(0.2470, 0.2435, 0.2616)``; CIFAR-100 mean ``(0.5071, 0.4865, 0.4409)``, std
    ``(0.2673, 0.2564, 0.2762)``: the per-channel training-set statistics), or
    ``normalization="kd-rid"``, mean = std = 0.5 (what the RID authors' code uses).
    ``augment=True`` applies, to the training set only, a random crop of the 4-pixel
    zero-padded image (black padding, before normalisation) and a horizontal flip with
    probability 1/2, drawn per epoch from ``(seed, epoch)``: call
    ``bundle.train.set_epoch(epoch)`` before each epoch (the same contract as
    ``DistributedSampler``; do not use ``persistent_workers``). The default is no augmentation,
    as in the RID authors' code.

The package's data sets take ``train_fraction`` (default 1.0; a registered loader takes it where
it declares it, keeping a prefix of :func:`stratified_order`): the run trains on a class-stratified
subset of the training split holding ``round(train_fraction * n_train)`` samples, while the
held-out split stays the same. The subsets are nested: the samples are put in one seeded,
class-interleaved order (:func:`stratified_order`) and a subset is a prefix of it, so a
smaller fraction's samples are part of every larger one's, and a teacher trained with
``train_fraction=1.0`` has seen every sample of a student's subset and none of the held-out
samples. Every subset holds at least one sample of each class.

The CIFAR pickles are read by an unpickler that builds only plain values and numpy arrays (any
other object in the file is refused, so a file cannot run code when it is read).

Your own data: decorate a loader returning a :class:`DatasetBundle` with
:func:`register_dataset`; its name then works everywhere a built-in one does (``data.name``),
until :func:`unregister_dataset` removes it.

Modules: :mod:`~pidkit_distill.data.registry` (the names, their checks, registration),
:mod:`~pidkit_distill.data.bundle` (what is returned), :mod:`~pidkit_distill.data.cifar`,
:mod:`~pidkit_distill.data.digits`, :mod:`~pidkit_distill.data.synthetic` (one data set each),
:mod:`~pidkit_distill.data.subsets` (the ``train_fraction`` subsets) and
:mod:`~pidkit_distill.data.batch_steps` (the warning of a batch larger than the training set).
"""

from pidkit_distill.data.bundle import DatasetBundle, DatasetSpec
from pidkit_distill.data.cifar import CIFAR_STATS, CifarDataset
from pidkit_distill.data.registry import (
    available_datasets,
    describe_dataset,
    load_dataset,
    register_dataset,
    unregister_dataset,
)
from pidkit_distill.data.subsets import stratified_order
from pidkit_distill.data.synthetic import make_synthetic

__all__ = [
    "CIFAR_STATS",
    "CifarDataset",
    "DatasetBundle",
    "DatasetSpec",
    "available_datasets",
    "describe_dataset",
    "load_dataset",
    "make_synthetic",
    "register_dataset",
    "stratified_order",
    "unregister_dataset",
]
