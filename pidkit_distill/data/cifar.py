"""CIFAR-10/100 from the standard python-pickle folders, as :class:`CifarDataset` pairs.

Images stay uint8 and are normalised (and, for training, optionally augmented) per item. The
pickles are read by an unpickler that builds only plain values and numpy arrays, so a file cannot
run code when it is read. torchvision is needed only to download a missing folder.
"""

from __future__ import annotations

import importlib.util
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.nn import functional as F
from torch.utils.data import Dataset

from pidkit_distill.data.bundle import DatasetBundle, DatasetSpec
from pidkit_distill.data.subsets import subset_size, train_subset

__all__ = ["CIFAR_STATS", "CifarDataset", "describe_cifar", "load_cifar"]

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


def load_cifar(
    key: str,
    *,
    root: str | Path | None = None,
    seed: int,
    download: bool = False,
    augment: bool = False,
    normalization: str = "standard",
    train_fraction: float = 1.0,
) -> DatasetBundle:
    """CIFAR-10 or CIFAR-100 read from its python-pickle folder under ``root``.

    Parameters
    ----------
    key : {"cifar10", "cifar100"}
        Which set (``root/cifar-10-batches-py`` or ``root/cifar-100-python``, its fine labels).
    root : str or Path, optional
        The folder holding the set's folder (default ``./data``).
    seed : int
        Seeds the augmentation draws and the ``train_fraction`` subset.
    download : bool, default=False
        Download a missing folder through torchvision (the ``vision`` extra).
    augment : bool, default=False
        Random 4-pixel-padded crop and horizontal flip of the training set, per epoch.
    normalization : {"standard", "kd-rid"}, default="standard"
        The per-channel statistics of :data:`CIFAR_STATS`: the set's own, or 0.5 and 0.5.
    train_fraction : float, default=1.0
        Train on this nested, class-stratified share of the 50,000 training images (see
        :func:`~pidkit_distill.data.subsets.train_subset`); the test set does not change.

    Returns
    -------
    DatasetBundle
        Two :class:`CifarDataset`; ``info`` holds the folder, the normalisation and the sizes.

    Raises
    ------
    FileNotFoundError
        The folder or one of its files is missing and cannot be downloaded.
    ValueError
        A bad option, or a file that is not a CIFAR batch of plain values and numpy arrays.
    """
    _, train_files, test_files, label_key, num_classes = _CIFAR_FILES[key]
    _check_normalization(normalization)
    subset_size(_CIFAR_SIZES[0], train_fraction, num_classes)  # checked before reading
    root = _cifar_root(root)
    folder = _cifar_folder(key, root, download=download)
    if not folder.is_dir():
        _download_cifar(key, root)
    x_tr, y_tr = _read_cifar_split(folder, train_files, label_key)
    n_split = len(y_tr)
    if train_fraction < 1.0:
        keep = train_subset(y_tr, train_fraction, num_classes=num_classes, seed=seed)
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


def describe_cifar(key: str, *, root: str | Path | None, download: bool, augment: bool,
                   normalization: str, train_fraction: float) -> DatasetSpec:
    """What :func:`load_cifar` returns with these options, checked without reading an image.

    The folder and its files are only looked up (with ``download=True`` and no folder, only
    torchvision's presence). Takes every option of :func:`load_cifar` but ``seed``;
    :func:`~pidkit_distill.data.describe_dataset` fills in the defaults. ``augment`` does not
    change the sizes.

    Raises
    ------
    FileNotFoundError, ValueError
        As :func:`load_cifar` would, before it reads anything.
    """
    _check_normalization(normalization)
    folder = _cifar_folder(key, _cifar_root(root), download=download)
    if folder.is_dir():
        _, train_files, test_files, _, _ = _CIFAR_FILES[key]
        for fname in (*train_files, *test_files):
            if not (folder / fname).is_file():
                raise FileNotFoundError(
                    f"CIFAR file {folder / fname} is missing; the folder is incomplete."
                )
    num_classes = _CIFAR_FILES[key][4]
    n_train = subset_size(_CIFAR_SIZES[0], train_fraction, num_classes)
    return DatasetSpec(key, num_classes, (3, 32, 32), n_train, _CIFAR_SIZES[1])


def _cifar_root(root: str | Path | None) -> Path:
    return Path("data") if root is None else Path(root)


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
                f"{folder} not found; put the python-pickle {key} archive's folder there, point "
                "root (the configuration's data.root) at the folder that holds it, or pass "
                "download=True (data.options.download=true; needs torchvision: pip install "
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

