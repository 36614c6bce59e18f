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

Every data set takes ``train_fraction`` (default 1.0): the run then trains on a class-stratified
subset of the training split holding ``round(train_fraction * n_train)`` samples, while the
held-out split stays the same. The subsets are nested: the samples are put in one seeded,
class-interleaved order (:func:`stratified_order`) and a subset is a prefix of it, so a
smaller fraction's samples are part of every larger one's, and a teacher trained with
``train_fraction=1.0`` has seen every sample of a student's subset and none of the held-out
samples. Every subset holds at least one sample of each class.

The CIFAR pickles are read by an unpickler that builds only plain values and numpy arrays (any
other object in the file is refused, so a file cannot run code when it is read).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import math
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.nn import functional as F
from torch.utils.data import Dataset, TensorDataset

__all__ = [
    "CIFAR_STATS",
    "CifarDataset",
    "DatasetBundle",
    "DatasetSpec",
    "available_datasets",
    "describe_dataset",
    "load_dataset",
    "make_synthetic",
    "stratified_order",
]

CIFAR_STATS: dict[str, dict[str, tuple[float, float, float]]] = {
    "cifar10": {"mean": (0.4914, 0.4822, 0.4465), "std": (0.2470, 0.2435, 0.2616)},
    "cifar100": {"mean": (0.5071, 0.4865, 0.4409), "std": (0.2673, 0.2564, 0.2762)},
    "kd-rid": {"mean": (0.5, 0.5, 0.5), "std": (0.5, 0.5, 0.5)},
}

_CIFAR_FILES = {
    "cifar10": (
        "cifar-10-batches-py",
        [f"data_batch_{i}" for i in range(1, 6)],
        ["test_batch"],
        "labels",
        10,
    ),
    "cifar100": ("cifar-100-python", ["train"], ["test"], "fine_labels", 100),
}
_CIFAR_SIZES = (50_000, 10_000)
_DIGITS_SAMPLES = 1797


@dataclasses.dataclass(frozen=True)
class DatasetBundle:
    """A train/test pair of ``(x, y)`` datasets with what a model needs to know.

    Attributes
    ----------
    train, test : torch.utils.data.Dataset
        Map-style datasets of ``(x float32, y int64)``; each has a ``tensors`` attribute
        ``(X, Y)`` with the whole (unaugmented) set.
    num_classes : int
        Number of classes of ``y``.
    input_shape : tuple of int
        Shape of one ``x``: ``(C, H, W)`` for images, ``(D,)`` for vectors.
    info : dict
        Facts about the data (normalisation, split sizes, the synthetic task's latent
        variables ``z_train``/``g_train``/... and their entropies in bits).
    """

    train: Dataset
    test: Dataset
    num_classes: int
    input_shape: tuple[int, ...]
    info: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """What :func:`load_dataset` will return for a name and options, known without loading.

    Attributes
    ----------
    name : str
        The data set's name, normalised (``"digits"``, ``"synthetic"``, ``"cifar10"``, ...).
    num_classes : int
        Number of classes of ``y``.
    input_shape : tuple of int
        Shape of one ``x``.
    n_train, n_test : int
        Sizes of the training and held-out sets.
    """

    name: str
    num_classes: int
    input_shape: tuple[int, ...]
    n_train: int
    n_test: int


class CifarDataset(Dataset):
    """CIFAR images kept as uint8, normalised (and optionally augmented) per item.

    Parameters
    ----------
    images : Tensor
        ``(N, 3, 32, 32)`` uint8.
    labels : Tensor
        ``(N,)`` int64.
    mean, std : sequence of 3 floats
        Per-channel normalisation, applied after scaling to [0, 1].
    augment : bool, default=False
        Random 4-pixel-padded crop and horizontal flip, drawn per epoch (see :meth:`set_epoch`).
    seed : int, default=0
        Seed of the augmentation draws.
    """

    def __init__(
        self,
        images: Tensor,
        labels: Tensor,
        *,
        mean: Sequence[float],
        std: Sequence[float],
        augment: bool = False,
        seed: int = 0,
    ) -> None:
        if images.dtype != torch.uint8 or images.dim() != 4:
            raise ValueError(
                f"images must be a uint8 tensor (N, C, H, W); got {images.dtype} "
                f"{tuple(images.shape)}."
            )
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels.")
        self.images = images
        self.labels = labels.long()
        self.mean = torch.tensor(mean, dtype=torch.float32).reshape(-1, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).reshape(-1, 1, 1)
        self.augment = augment
        self.seed = seed
        self.pad = 4
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        """Draw the crop offsets and flips of ``epoch`` from ``(seed, epoch)``."""
        self.epoch = epoch
        state = np.random.SeedSequence([self.seed, epoch]).generate_state(1)[0]
        gen = torch.Generator().manual_seed(int(state))
        n = len(self.images)
        self._offsets = torch.randint(0, 2 * self.pad + 1, (n, 2), generator=gen)
        self._flips = torch.rand(n, generator=gen) < 0.5

    def __len__(self) -> int:
        return len(self.images)

    def _normalise(self, img: Tensor) -> Tensor:
        return (img.float() / 255.0 - self.mean) / self.std

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        img = self.images[index]
        if self.augment:
            h, w = img.shape[-2:]
            dy, dx = (int(v) for v in self._offsets[index])
            img = F.pad(img, (self.pad,) * 4)[:, dy : dy + h, dx : dx + w]
            if self._flips[index]:
                img = img.flip(-1)
        return self._normalise(img), self.labels[index]

    @property
    def tensors(self) -> tuple[Tensor, Tensor]:
        """The whole set, normalised and unaugmented: ``(X float32, Y int64)``."""
        return self._normalise(self.images), self.labels


def available_datasets() -> list[str]:
    """Names accepted by :func:`load_dataset`.

    Examples
    --------
    >>> available_datasets()
    ['cifar10', 'cifar100', 'digits', 'synthetic']
    """
    return ["cifar10", "cifar100", "digits", "synthetic"]


def load_dataset(
    name: str, *, root: str | Path | None = None, seed: int = 0, **kw: Any
) -> DatasetBundle:
    """Load a dataset by name.

    Parameters
    ----------
    name : {"digits", "synthetic", "cifar10", "cifar100"}
        Which dataset (see the module docstring).
    root : str or Path, optional
        CIFAR only: the folder holding ``cifar-10-batches-py`` / ``cifar-100-python``
        (default ``./data``). Ignored by the built-in ``digits`` and ``synthetic``.
    seed : int, default=0
        Seeds the digits split, the synthetic task and CIFAR augmentation.
    **kw
        Every data set: ``train_fraction=1.0`` (train on a nested, class-stratified subset of
        the training split; see the module docstring). ``digits``: ``test_fraction=0.25``.
        ``synthetic``: the keyword arguments of :func:`make_synthetic`. CIFAR:
        ``download=False``, ``augment=False``, ``normalization="standard"`` (or ``"kd-rid"``).

    Returns
    -------
    DatasetBundle

    Raises
    ------
    ValueError
        Unknown name or a bad option value.
    TypeError
        An option the data set does not have (the message lists its options).
    FileNotFoundError
        CIFAR folder missing and ``download`` is False or torchvision is not installed.

    Examples
    --------
    >>> bundle = load_dataset("digits", seed=0)
    >>> len(bundle.train), len(bundle.test), bundle.num_classes, bundle.input_shape
    (1347, 450, 10, (1, 8, 8))
    >>> few = load_dataset("digits", seed=0, train_fraction=0.1)
    >>> len(few.train), len(few.test), few.train.tensors[1].bincount().tolist()
    (135, 450, [13, 14, 13, 14, 14, 14, 14, 13, 13, 13])
    """
    key = _check_name_and_options(name, seed, kw)
    if key == "digits":
        return _load_digits(seed=seed, **kw)
    if key == "synthetic":
        return make_synthetic(seed=seed, **kw)
    return _load_cifar(key, root=_cifar_root(root), seed=seed, **kw)


def describe_dataset(
    name: str, *, root: str | Path | None = None, seed: int = 0, **kw: Any
) -> DatasetSpec:
    """Check ``name`` and options as :func:`load_dataset` does, and describe the data set.

    Nothing is loaded or generated: CIFAR's folder and files are only looked up (or, with
    ``download=True``, torchvision's presence). Takes the arguments of :func:`load_dataset`
    and raises the same errors.

    Returns
    -------
    DatasetSpec

    Examples
    --------
    >>> describe_dataset("digits")
    DatasetSpec(name='digits', num_classes=10, input_shape=(1, 8, 8), n_train=1347, n_test=450)
    >>> describe_dataset("synthetic", n_train=64, nuisance_bits=2, target="joint").num_classes
    16
    >>> describe_dataset("digits", train_fraction=0.1).n_train
    135
    >>> describe_dataset("digits", n_train=64)
    Traceback (most recent call last):
    ...
    TypeError: unknown option(s) ['n_train'] for data set 'digits'; its options are \
['test_fraction', 'train_fraction'].
    """
    key = _check_name_and_options(name, seed, kw)
    if key == "digits":
        options = {**_keyword_defaults(_load_digits), **kw}
        _check_test_fraction(options["test_fraction"])
        n_test = math.ceil(options["test_fraction"] * _DIGITS_SAMPLES)
        n_train = _subset_size(_DIGITS_SAMPLES - n_test, options["train_fraction"], 10)
        return DatasetSpec(key, 10, (1, 8, 8), n_train, n_test)
    if key == "synthetic":
        options = {**_keyword_defaults(make_synthetic), **kw}
        _check_synthetic(**options)
        k = options["num_classes"]
        if options["target"] == "joint":
            k *= 2 ** options["nuisance_bits"]
        n_train = _subset_size(options["n_train"], options["train_fraction"],
                              options["num_classes"])
        return DatasetSpec(key, k, (options["dim"],), n_train, options["n_test"])
    options = {**_keyword_defaults(_load_cifar), **kw}
    _check_normalization(options["normalization"])
    folder = _cifar_folder(key, _cifar_root(root), download=options["download"])
    if folder.is_dir():
        _, train_files, test_files, _, _ = _CIFAR_FILES[key]
        for fname in (*train_files, *test_files):
            if not (folder / fname).is_file():
                raise FileNotFoundError(
                    f"CIFAR file {folder / fname} is missing; the folder is incomplete."
                )
    num_classes = _CIFAR_FILES[key][4]
    n_train = _subset_size(_CIFAR_SIZES[0], options["train_fraction"], num_classes)
    return DatasetSpec(key, num_classes, (3, 32, 32), n_train, _CIFAR_SIZES[1])


def _keyword_defaults(loader: Any) -> dict[str, Any]:
    """A loader's keyword options with their defaults (``seed`` and ``root`` excluded)."""
    return {
        name: param.default
        for name, param in inspect.signature(loader).parameters.items()
        if param.kind is param.KEYWORD_ONLY and name not in ("seed", "root")
    }


def _check_name_and_options(name: str, seed: int, options: dict[str, Any]) -> str:
    """The normalised name; errors for a bad seed, an unknown name or an unknown option."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be an int >= 0; got {seed!r}.")
    key = name.strip().lower() if isinstance(name, str) else name
    if key not in available_datasets():
        raise ValueError(f"name={name!r} is not a known dataset; choose one of "
                         f"{available_datasets()}.")
    loader = {"digits": _load_digits, "synthetic": make_synthetic}.get(key, _load_cifar)
    known = _keyword_defaults(loader)
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise TypeError(
            f"unknown option(s) {unknown} for data set {key!r}; its options are {sorted(known)}."
        )
    return key


def _cifar_root(root: str | Path | None) -> Path:
    return Path("data") if root is None else Path(root)


def _load_digits(*, seed: int, test_fraction: float = 0.25,
                 train_fraction: float = 1.0) -> DatasetBundle:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    _check_test_fraction(test_fraction)
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]
    x_tr, x_te, y_tr, y_te = train_test_split(
        images, digits.target, test_size=test_fraction, stratify=digits.target,
        random_state=seed,
    )
    keep = _train_subset(torch.from_numpy(y_tr), train_fraction, num_classes=10, seed=seed)
    train = TensorDataset(torch.from_numpy(x_tr)[keep], torch.from_numpy(y_tr).long()[keep])
    test = TensorDataset(torch.from_numpy(x_te), torch.from_numpy(y_te).long())
    return DatasetBundle(train, test, 10, (1, 8, 8), {
        "source": "sklearn.datasets.load_digits", "scale": "pixels / 16",
        "test_fraction": test_fraction, "train_fraction": train_fraction,
        "n_train_split": len(y_tr), "n_train": len(train), "n_test": len(test),
    })


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


def _subset_size(n_train: int, train_fraction: float, num_classes: int) -> int:
    """Samples in the ``train_fraction`` subset of ``n_train``: ``round(fraction * n_train)``.

    Raises
    ------
    ValueError
        ``train_fraction`` not in (0, 1], or a subset smaller than ``num_classes`` (it could
        not hold a sample of every class); the message gives the smallest fraction that works.

    Examples
    --------
    >>> _subset_size(1347, 0.1, 10)
    135
    >>> _subset_size(1347, 0.005, 10)
    Traceback (most recent call last):
    ...
    ValueError: train_fraction=0.005 keeps 7 of 1347 training samples, fewer than the 10 \
classes; use train_fraction >= 0.0071.
    """
    real = isinstance(train_fraction, (int, float)) and not isinstance(train_fraction, bool)
    if not real or not 0.0 < train_fraction <= 1.0:
        raise ValueError(f"train_fraction must be in (0, 1]; got {train_fraction!r}.")
    n = math.floor(train_fraction * n_train + 0.5)
    if n < num_classes:
        smallest = math.ceil((num_classes - 0.5) / n_train * 10_000) / 10_000
        raise ValueError(
            f"train_fraction={train_fraction!r} keeps {n} of {n_train} training samples, fewer "
            f"than the {num_classes} classes; use train_fraction >= {smallest}."
        )
    return n


def _train_subset(labels: Tensor, train_fraction: float, *, num_classes: int,
                 seed: int) -> Tensor:
    """Indices (ascending) of the ``train_fraction`` subset: a prefix of :func:`stratified_order`.

    ``num_classes`` is the number of classes the subset must cover (every class of
    ``labels``, which must hold them all). The full set (``train_fraction=1.0``) keeps every
    index.

    Examples
    --------
    >>> import torch
    >>> _train_subset(torch.tensor([0, 1, 0, 1, 0, 1]), 0.5, num_classes=2, seed=0).tolist()
    [0, 2, 5]
    """
    n = _subset_size(len(labels), train_fraction, num_classes)
    return stratified_order(labels, seed=seed)[:n].sort().values


def _check_test_fraction(test_fraction: Any) -> None:
    real = isinstance(test_fraction, (int, float)) and not isinstance(test_fraction, bool)
    if not real or not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1); got {test_fraction!r}.")


class _ArrayUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds plain values and numpy arrays, and refuses anything else."""

    _ALLOWED = frozenset({("numpy", "ndarray"), ("numpy", "dtype"),
                          ("numpy.core.multiarray", "_reconstruct"),
                          ("numpy._core.multiarray", "_reconstruct"),
                          ("_codecs", "encode")})  # bytes in protocol-2 pickles (as torch)

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed")
        return super().find_class(module, name)


def _unpickle(path: Path) -> dict[str, Any]:
    """A CIFAR batch file as a dict with str keys (read safely, see the module docstring)."""
    try:
        with path.open("rb") as fh:
            raw = _ArrayUnpickler(fh, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, AttributeError) as err:
        raise ValueError(
            f"{path} is not a python-pickle CIFAR batch of plain values and numpy arrays "
            f"({type(err).__name__}: {err}); replace it with the original file"
        ) from None
    if not isinstance(raw, dict):
        raise ValueError(f"{path} holds a {type(raw).__name__}, not a CIFAR batch (a dict)")
    return {(k.decode() if isinstance(k, bytes) else k): v for k, v in raw.items()}


def _read_cifar_split(folder: Path, files: list[str], label_key: str) -> tuple[Tensor, Tensor]:
    images, labels = [], []
    for fname in files:
        path = folder / fname
        if not path.is_file():
            raise FileNotFoundError(f"CIFAR file {path} is missing; the folder is incomplete.")
        batch = _unpickle(path)
        if "data" not in batch or label_key not in batch:
            raise ValueError(
                f"{path} has keys {sorted(batch)}; expected 'data' and {label_key!r} "
                "(the python-pickle CIFAR format)."
            )
        images.append(np.asarray(batch["data"], dtype=np.uint8).reshape(-1, 3, 32, 32))
        labels.append(np.asarray(batch[label_key], dtype=np.int64))
    return torch.from_numpy(np.concatenate(images)), torch.from_numpy(np.concatenate(labels))


def _load_cifar(
    key: str,
    *,
    root: Path,
    seed: int,
    download: bool = False,
    augment: bool = False,
    normalization: str = "standard",
    train_fraction: float = 1.0,
) -> DatasetBundle:
    _, train_files, test_files, label_key, num_classes = _CIFAR_FILES[key]
    _check_normalization(normalization)
    _subset_size(_CIFAR_SIZES[0], train_fraction, num_classes)  # checked before reading
    folder = _cifar_folder(key, root, download=download)
    if not folder.is_dir():
        _download_cifar(key, root)
    x_tr, y_tr = _read_cifar_split(folder, train_files, label_key)
    n_split = len(y_tr)
    if train_fraction < 1.0:
        keep = _train_subset(y_tr, train_fraction, num_classes=num_classes, seed=seed)
        x_tr, y_tr = x_tr[keep], y_tr[keep]
    x_te, y_te = _read_cifar_split(folder, test_files, label_key)
    stats = CIFAR_STATS[key if normalization == "standard" else "kd-rid"]
    train = CifarDataset(x_tr, y_tr, mean=stats["mean"], std=stats["std"], augment=augment,
                         seed=seed)
    test = CifarDataset(x_te, y_te, mean=stats["mean"], std=stats["std"])
    return DatasetBundle(train, test, num_classes, (3, 32, 32), {
        "folder": str(folder), "normalization": normalization, "mean": stats["mean"],
        "std": stats["std"], "augment": augment, "train_fraction": train_fraction,
        "n_train_split": n_split, "n_train": len(train), "n_test": len(test),
    })


def _check_normalization(normalization: Any) -> None:
    if normalization not in ("standard", "kd-rid"):
        raise ValueError(
            f"normalization must be 'standard' or 'kd-rid'; got {normalization!r}."
        )


def _cifar_folder(key: str, root: Path, *, download: bool) -> Path:
    """The CIFAR folder under ``root``; an error unless it exists or can be downloaded."""
    folder = root / _CIFAR_FILES[key][0]
    if not folder.is_dir():
        if not download:
            raise FileNotFoundError(
                f"{folder} not found. Put the python-pickle {key} archive's folder there, pass "
                "another root=, or pass download=True (needs torchvision: pip install "
                "'pidkit[vision]')."
            )
        if importlib.util.find_spec("torchvision") is None:
            raise FileNotFoundError(
                f"{key} is not under {root} and torchvision (the 'vision' extra) is not "
                "installed to download it; pip install 'pidkit[vision]' or place the folder there."
            )
    return folder


def _download_cifar(key: str, root: Path) -> None:
    try:
        from torchvision import datasets
    except ImportError as exc:
        raise FileNotFoundError(
            f"{key} is not under {root} and torchvision (the 'vision' extra) is not installed "
            "to download it; pip install 'pidkit[vision]' or place the folder there."
        ) from exc
    cls = datasets.CIFAR10 if key == "cifar10" else datasets.CIFAR100
    cls(str(root), train=True, download=True)


def make_synthetic(
    *,
    seed: int = 0,
    n_train: int = 4000,
    n_test: int = 2000,
    num_classes: int = 4,
    nuisance_bits: int = 6,
    flip: float = 0.0,
    dim: int = 32,
    signal_scale: float = 1.0,
    nuisance_scale: float = 3.0,
    noise: float = 0.3,
    target: str = "y",
    train_fraction: float = 1.0,
) -> DatasetBundle:
    """The nuisance-teacher task of the RID paper's Theorem 3.1, as vectors.

    Latent variables, all independent except ``Y``:

    * ``Z`` uniform on ``{0, ..., K-1}`` (``K = num_classes``), ``H(Z) = log2 K`` bits;
    * ``G`` uniform on ``{0, ..., 2^b - 1}`` (``b = nuisance_bits``), ``H(G) = b`` bits,
      ``I(Y; G) = 0``: the nuisance;
    * ``Y = Z``, except that with probability ``flip`` it is replaced by one of the other
      ``K - 1`` classes, uniformly (``I(Y; Z, G) = I(Y; Z)``).

    Input: ``u = [signal_scale * e_Z, nuisance_scale * (2 bits(G) - 1), 0, ...]`` in
    ``R^dim`` (``e_Z`` one-hot in the first ``K`` coordinates, then the ``b`` bits of G as
    +-1), ``x = R u + noise * N(0, I)`` with ``R`` a seeded random orthogonal matrix, so Z and
    G are spread over every coordinate. With the defaults G has 6 bits against Z's 2 and
    three times the amplitude: any representation that keeps the input's variance (an
    untrained teacher, a teacher trained with ``target="joint"``, and to a good degree even a
    teacher trained on Y, whose hidden layers keep much of G) is dominated by G, and a narrow
    student (``synthetic-student``, 8 units a layer) asked to reproduce it must spend its
    capacity on G — the situation in which the paper claims that I(T;S)-maximising
    distillation (VID) hurts and RID does not. The Bayes accuracy with the defaults is about
    97.6% (four orthogonal unit codes under noise 0.3); BAS reaches it within 30 epochs of 4,000
    samples (about 10 s on one CPU thread).

    Parameters
    ----------
    seed : int, default=0
        Seeds the prototypes, the rotation and all draws (train and test independent).
    n_train, n_test : int, default=4000, 2000
        Sample sizes.
    num_classes : int, default=4
        ``K``.
    nuisance_bits : int, default=6
        ``b = H(G)`` in bits (0 gives no nuisance).
    flip : float, default=0.0
        Label noise probability, in [0, (K-1)/K].
    dim : int, default=32
        Input dimension, at least ``K + b``.
    signal_scale, nuisance_scale, noise : float, default=1.0, 3.0, 0.3
        Amplitudes of the Z code, the G code and the additive Gaussian noise.
    target : {"y", "joint"}, default="y"
        Labels of the returned datasets: ``Y`` (``K`` classes), or the pair ``(Y, G)`` as
        ``Y * 2^b + G`` (``K 2^b`` classes) to train a teacher that must encode the nuisance.
    train_fraction : float, default=1.0
        Train on a subset of the ``n_train`` samples drawn, stratified by ``Y`` and nested
        (see :func:`stratified_order`); the draw itself, and so the held-out set, does not
        change.

    Returns
    -------
    DatasetBundle
        ``input_shape == (dim,)``; ``info`` holds ``z_train``, ``g_train``, ``y_train`` (and
        ``_test``) as int64 tensors, ``h_z_bits``, ``h_g_bits`` and the options.

    Examples
    --------
    >>> b = make_synthetic(n_train=64, n_test=32, nuisance_bits=3)
    >>> b.input_shape, b.num_classes, b.info["h_g_bits"]
    ((32,), 4, 3.0)
    """
    _check_synthetic(n_train=n_train, n_test=n_test, num_classes=num_classes,
                     nuisance_bits=nuisance_bits, flip=flip, dim=dim, signal_scale=signal_scale,
                     nuisance_scale=nuisance_scale, noise=noise, target=target,
                     train_fraction=train_fraction)
    gen = torch.Generator().manual_seed(int(np.random.SeedSequence([seed, 7]).generate_state(1)[0]))
    rotation, _ = torch.linalg.qr(torch.randn(dim, dim, generator=gen, dtype=torch.float64))
    rotation = rotation.float()
    n_g = 2**nuisance_bits
    bit_weights = 2 ** torch.arange(nuisance_bits)

    def draw(n: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        z = torch.randint(0, num_classes, (n,), generator=gen)
        g = torch.randint(0, n_g, (n,), generator=gen)
        shift = torch.randint(1, num_classes, (n,), generator=gen)
        flipped = torch.rand(n, generator=gen) < flip
        y = torch.where(flipped, (z + shift) % num_classes, z)
        u = torch.zeros(n, dim)
        u[torch.arange(n), z] = signal_scale
        bits = ((g[:, None] // bit_weights) % 2).float()
        u[:, num_classes : num_classes + nuisance_bits] = nuisance_scale * (2 * bits - 1)
        x = u @ rotation.T + noise * torch.randn(n, dim, generator=gen)
        return x, y, z, g

    x_tr, y_tr, z_tr, g_tr = draw(n_train)
    x_te, y_te, z_te, g_te = draw(n_test)
    keep = _train_subset(y_tr, train_fraction, num_classes=num_classes, seed=seed)
    x_tr, y_tr, z_tr, g_tr = x_tr[keep], y_tr[keep], z_tr[keep], g_tr[keep]
    if target == "joint":
        lab_tr, lab_te, k = y_tr * n_g + g_tr, y_te * n_g + g_te, num_classes * n_g
    else:
        lab_tr, lab_te, k = y_tr, y_te, num_classes
    info = {
        "z_train": z_tr, "g_train": g_tr, "y_train": y_tr,
        "z_test": z_te, "g_test": g_te, "y_test": y_te,
        "h_z_bits": math.log2(num_classes), "h_g_bits": float(nuisance_bits),
        "num_classes_y": num_classes, "nuisance_bits": nuisance_bits, "flip": flip,
        "dim": dim, "signal_scale": signal_scale, "nuisance_scale": nuisance_scale,
        "noise": noise, "target": target, "train_fraction": train_fraction,
        "n_train_split": n_train, "n_train": len(keep), "n_test": n_test,
    }
    return DatasetBundle(
        TensorDataset(x_tr, lab_tr), TensorDataset(x_te, lab_te), k, (dim,), info
    )


def _check_synthetic(*, n_train: int, n_test: int, num_classes: int, nuisance_bits: int,
                     flip: float, dim: int, signal_scale: float, nuisance_scale: float,
                     noise: float, target: str, train_fraction: float) -> None:
    """The option checks of :func:`make_synthetic` (also used by :func:`describe_dataset`)."""
    for arg, value, low in (("n_train", n_train, 1), ("n_test", n_test, 1),
                            ("num_classes", num_classes, 2), ("nuisance_bits", nuisance_bits, 0),
                            ("dim", dim, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{arg} must be an int >= {low}; got {value!r}.")
    if nuisance_bits > 16:
        raise ValueError(f"nuisance_bits must be <= 16; got {nuisance_bits!r}.")
    if dim < num_classes + nuisance_bits:
        raise ValueError(
            f"dim must be at least num_classes + nuisance_bits = "
            f"{num_classes + nuisance_bits}; got dim={dim}."
        )
    real = isinstance(flip, (int, float)) and not isinstance(flip, bool)
    if not real or not 0.0 <= flip <= (num_classes - 1) / num_classes:
        raise ValueError(
            f"flip must be in [0, (K-1)/K] = [0, {(num_classes - 1) / num_classes:.3f}]; "
            f"got {flip!r}."
        )
    for arg, value in (("signal_scale", signal_scale), ("nuisance_scale", nuisance_scale),
                       ("noise", noise)):
        real = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not real or not 0 <= value < math.inf:
            raise ValueError(f"{arg} must be a real number >= 0 and finite; got {value!r}.")
    if target not in ("y", "joint"):
        raise ValueError(f"target must be 'y' or 'joint'; got {target!r}.")
    _subset_size(n_train, train_fraction, num_classes)
