"""CIFAR-10/100 from the standard python-pickle folders, as :class:`CifarDataset` pairs.

Images stay uint8 and are normalised (and, for training, optionally augmented) per item. The
pickles are read by an unpickler that builds only plain values and numpy arrays, so a file cannot
run code when it is read (:func:`~pidkit_distill.data.cifar_pickles.unpickle_batch`).
torchvision is needed only to download a missing or incomplete folder
(:mod:`~pidkit_distill.data.cifar_download`).
"""

from __future__ import annotations

import importlib.util
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.nn import functional as F
from torch.utils.data import Dataset

from pidkit_distill.atomic_files import FileWriteError, not_a_folder
from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.data.bundle import DatasetBundle, DatasetSpec
from pidkit_distill.data.cifar_download import (
    CIFAR_ARCHIVES,
    CIFAR_FOLDERS,
    cifar_root,
    download_cifar,
    download_failure,
)
from pidkit_distill.data.cifar_pickles import unpickle_batch
from pidkit_distill.data.subsets import subset_size, train_subset
from pidkit_distill.registry import registry_key

__all__ = ["CIFAR_NAMES", "CIFAR_STATS", "CifarDataset", "describe_cifar", "download_failure",
           "is_root_error", "load_cifar"]

CIFAR_STATS: dict[str, dict[str, tuple[float, float, float]]] = {
    "cifar10": {"mean": (0.4914, 0.4822, 0.4465), "std": (0.2470, 0.2435, 0.2616)},
    "cifar100": {"mean": (0.5071, 0.4865, 0.4409), "std": (0.2673, 0.2564, 0.2762)},
    "kd-rid": {"mean": (0.5, 0.5, 0.5), "std": (0.5, 0.5, 0.5)},
}

_CIFAR_FILES = {
    "cifar10": (
        CIFAR_FOLDERS["cifar10"],
        [f"data_batch_{i}" for i in range(1, 6)],
        ["test_batch"],
        "labels",
        10,
    ),
    "cifar100": (CIFAR_FOLDERS["cifar100"], ["train"], ["test"], "fine_labels", 100),
}
CIFAR_NAMES = tuple(_CIFAR_FILES)
"""The data sets read from ``root`` (``data.root``): a file missing is about it."""
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

    Attributes
    ----------
    images, labels : Tensor
        As given (``labels`` as int64).
    mean, std : Tensor
        The normalisation, of shape ``(3, 1, 1)``.
    augment : bool
        Whether items are cropped and flipped.
    seed : int
        Seed of the augmentation draws.
    epoch : int
        The epoch whose augmentation draws are in use (:meth:`set_epoch`).

    Examples
    --------
    :func:`~pidkit_distill.data.load_dataset` reads the python-pickle CIFAR folder into two of
    them. A miniature folder of that format, four images per batch file:

    >>> import pickle, tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from pidkit_distill.data import load_dataset
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = Path(tmp.name) / "cifar-10-batches-py"
    >>> folder.mkdir()
    >>> rng = np.random.default_rng(0)
    >>> for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
    ...     batch = {"data": rng.integers(0, 256, (4, 3072), dtype=np.uint8), "labels": [0, 1, 2, 3]}
    ...     with open(folder / name, "wb") as fh:
    ...         pickle.dump(batch, fh)
    >>> bundle = load_dataset("cifar10", root=tmp.name, seed=0, augment=True)
    >>> train = bundle.train
    >>> type(train).__name__, len(train), len(bundle.test), train.images.dtype
    ('CifarDataset', 20, 4, torch.uint8)
    >>> x, y = train[0]                                   # normalised float, augmented
    >>> x.dtype, tuple(x.shape), int(y)
    (torch.float32, (3, 32, 32), 0)
    >>> train.set_epoch(1)                                # the trainer calls it every epoch
    >>> bool((train[0][0] != x).any())                    # another crop and flip
    True
    >>> X, Y = bundle.test.tensors                        # the whole set, unaugmented
    >>> tuple(X.shape), Y.tolist()
    ((4, 3, 32, 32), [0, 1, 2, 3])
    >>> tmp.cleanup()

    Or from tensors of your own: white images, normalised with mean and std 0.5, are all 1.

    >>> import torch
    >>> from pidkit_distill.data import CifarDataset
    >>> white = CifarDataset(torch.full((2, 3, 32, 32), 255, dtype=torch.uint8), torch.tensor([0, 1]),
    ...                      mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
    >>> white[0][0].unique().tolist(), len(white)
    ([1.0], 2)
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
        """Draw the crop offsets and flips of ``epoch`` from ``(seed, epoch)``.

        Parameters
        ----------
        epoch : int
            The epoch about to start; the same ``(seed, epoch)`` gives the same augmentation
            (a resumed run sees the images it would have seen).
        """
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
        The folder holding the set's folder (default ``./data``; a leading ``~`` is expanded).
    seed : int
        Seeds the augmentation draws and the ``train_fraction`` subset.
    download : bool, default=False
        Download a missing or incomplete folder through torchvision (the ``vision`` extra), one
        process at a time (a lock file in ``root``).
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
        The folder or one of its files is missing and cannot be downloaded (under torchrun, also
        where ``root``'s file system cannot lock files: the processes would each download it;
        not in the trainer, whose rank 0 loads the data while the others wait).
    FileWriteError
        The set must be downloaded and ``root`` cannot be written (a shared, read-only folder);
        a complete folder is only read, even with ``download=True``.
    CifarDownloadError
        The network refused or cut the download (no network, a proxy, a timeout): the archive's
        address and how to extract it by hand
        (:class:`~pidkit_distill.data.cifar_download.CifarDownloadError`, an ``OSError``; the
        network's own error, urllib's ``URLError`` say, is its cause).
    ValueError
        A bad option, or a file that is not a CIFAR batch of plain values and numpy arrays:
        ``data`` a uint8 ``(N, 3072)`` array and one label in ``0 .. num_classes - 1`` per image.
    """
    _, train_files, test_files, label_key, num_classes = _CIFAR_FILES[key]
    _check_normalization(normalization)
    subset_size(_CIFAR_SIZES[0], train_fraction, num_classes)  # checked before reading
    root = cifar_root(root)
    folder = _cifar_folder(key, root, download=download)
    if _missing_file(key, folder) is not None:  # only with download=True
        download_cifar(key, root, is_whole=lambda: _missing_file(key, folder) is None)
    x_tr, y_tr = _read_cifar_split(key, folder, train_files, label_key, num_classes)
    n_split = len(y_tr)
    if train_fraction < 1.0:
        keep = train_subset(y_tr, train_fraction, num_classes=num_classes, seed=seed)
        x_tr, y_tr = x_tr[keep], y_tr[keep]
    x_te, y_te = _read_cifar_split(key, folder, test_files, label_key, num_classes)
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

    The folder and its files are only looked up (with ``download=True`` and a missing or
    incomplete folder, only torchvision's presence). Takes every option of :func:`load_cifar`
    but ``seed``; :func:`~pidkit_distill.data.describe_dataset` fills in the defaults. ``augment`` does not
    change the sizes.

    Raises
    ------
    FileNotFoundError, ValueError
        As :func:`load_cifar` would, before it reads anything.
    """
    _check_normalization(normalization)
    num_classes = _CIFAR_FILES[key][4]
    n_train = subset_size(_CIFAR_SIZES[0], train_fraction, num_classes)  # before the folder too
    _cifar_folder(key, cifar_root(root), download=download)
    return DatasetSpec(key, num_classes, (3, 32, 32), n_train, _CIFAR_SIZES[1])


def is_root_error(name: str, err: BaseException) -> bool:
    """Whether ``err``, raised describing or loading the data set ``name`` (``data.name``), is
    about ``data.root``, the configuration key to change: CIFAR's folder or one of its files
    not found (:class:`FileNotFoundError`) or not readable (:class:`PermissionError`: the
    folder or a file another user's), or a download into it refused
    (:class:`~pidkit_distill.atomic_files.FileWriteError`: a folder read-only, another user's or
    full). The other data sets read no ``data.root``: a file missing for them (scikit-learn's
    digits, a registered loader's own file) is not about it.

    Parameters
    ----------
    name : str
        The data set's name, as the configuration spells it.
    err : BaseException
        What describing or loading it raised.

    Returns
    -------
    bool

    Examples
    --------
    >>> missing = FileNotFoundError("data/cifar-10-batches-py not found")
    >>> is_root_error(" CIFAR10", missing), is_root_error("digits", missing)
    (True, False)
    >>> is_root_error("cifar100", ValueError("normalization must be 'standard' or 'kd-rid'"))
    False
    """
    return (registry_key(name) in CIFAR_NAMES
            and isinstance(err, (FileNotFoundError, FileWriteError, PermissionError)))


def _check_normalization(normalization: Any) -> None:
    if normalization not in ("standard", "kd-rid"):
        raise ConfigEntryError(
            f"normalization must be 'standard' or 'kd-rid'; got {normalization!r}.",
            normalization, entries=("normalization",))


def _cifar_folder(key: str, root: Path, *, download: bool) -> Path:
    """The CIFAR folder under ``root``; an error unless it holds every batch file or can be
    downloaded (with ``download``, a missing or incomplete folder needs torchvision). A
    ``root`` that is a file, or under one, is said first (where torchvision would download,
    its download says it: :func:`~pidkit_distill.data.cifar_download.download_cifar`)."""
    folder = root / _CIFAR_FILES[key][0]
    missing = _missing_file(key, folder)
    if missing is None:
        return folder
    no_torchvision = importlib.util.find_spec("torchvision") is None
    if not download or no_torchvision:
        _refuse_a_file_root(root, folder)
    if not download:
        if folder.is_dir():
            raise FileNotFoundError(
                f"CIFAR file {missing} is missing; the folder is incomplete: extract the "
                f"python-pickle {key} archive there again, or pass download=True "
                "(data.options.download=true)."
            )
        raise FileNotFoundError(
            f"{folder} not found; put the python-pickle {key} archive's folder there, point "
            "root (the configuration's data.root) at the folder that holds it, or pass "
            "download=True (data.options.download=true; needs torchvision: pip install "
            f"'pidkit[vision]'){_misplaced_hint(key, root) or _archive_hint(key, root)}."
        )
    if no_torchvision:
        raise FileNotFoundError(
            f"{key} is not under {root} and torchvision (the 'vision' extra) is not "
            "installed to download it; pip install 'pidkit[vision]' or place the folder "
            f"there{_archive_hint(key, root)}.")
    return folder


def _refuse_a_file_root(root: Path, folder: Path) -> None:
    """Raise :class:`FileNotFoundError` where ``root`` is a file or under one: no ``folder``
    can be there (it was "``folder`` not found; put the archive's folder there")."""
    in_the_way = not_a_folder(root)
    if in_the_way is not None:
        what = ("is a file, not a folder" if in_the_way == root
                else f"cannot be a folder: {str(in_the_way)!r} is a file")
        raise FileNotFoundError(f"{str(root)!r} {what}; point root (the configuration's "
                                f"data.root) at the folder that holds {folder.name}")


def _misplaced_hint(key: str, root: Path) -> str:
    """Why ``root`` lacks ``key``'s folder when the reason can be seen: it is that folder itself,
    or it holds the other CIFAR's folder."""
    if (root / _CIFAR_FILES[key][2][0]).is_file():
        return f"; {root} is itself the {key} folder: set data.root to {root.parent}"
    return _other_set_hint(key, [name for name, *_ in _CIFAR_FILES.values()
                                 if (root / name).is_dir()])


def _archive_hint(key: str, root: Path) -> str:
    """Where the set's archive is and how to extract it; or that it is in ``root``, unextracted."""
    archive = root / CIFAR_ARCHIVES[key].rsplit("/", 1)[1]
    extract = f"tar -xzf {archive} -C {root}"
    return (f"; {archive} is there but not extracted: extract it ({extract}; an archive that tar "
            "cannot read is a download cut short: download it again)" if archive.is_file()
            else f"; the archive is {CIFAR_ARCHIVES[key]} (then {extract})")


def _missing_file(key: str, folder: Path) -> Path | None:
    """The first of the set's batch files that ``folder`` lacks; None when it has them all. A
    folder that cannot be looked into is said (:func:`_no_permission`), not taken for one
    without the files (as ``Path.is_file`` does from Python 3.13)."""
    _, train_files, test_files, _, _ = _CIFAR_FILES[key]
    for fname in (*train_files, *test_files):
        try:
            found = stat.S_ISREG((folder / fname).stat().st_mode)
        except PermissionError as err:
            raise _no_permission(key, f"look into {str(folder)!r}", err) from err
        except OSError:  # not there, or under a file
            found = False
        if not found:
            return folder / fname
    return None


def _no_permission(key: str, what: str, error: OSError) -> PermissionError:
    """The error of a CIFAR folder or file that cannot be looked into or read (``what``:
    "look into 'FOLDER'", "read 'FILE'"), ``error`` the operating system's: data.root's
    (:func:`is_root_error`)."""
    access = "access" if what.startswith("look") else "read access"
    return PermissionError(f"cannot {what}: {error.strerror or 'Permission denied'}; ask for "
                           f"{access} to it, or copy the {key} folder to one you can read and "
                           "point root (the configuration's data.root) at the folder that holds it")


def _other_set_hint(key: str, found: Any) -> str:
    """A hint when ``found`` (a folder's entries or a batch's keys) belongs to the other CIFAR."""
    other = "cifar100" if key == "cifar10" else "cifar10"
    folder, _, _, label_key, _ = _CIFAR_FILES[other]
    if folder in found or label_key in found:
        return f"; this is {other}'s data: set data.name={other}"
    return ""


def _read_cifar_split(
    key: str, folder: Path, files: list[str], label_key: str, num_classes: int
) -> tuple[Tensor, Tensor]:
    """The images ``(N, 3, 32, 32)`` uint8 and labels ``(N,)`` int64 of ``files``, checked."""
    images, labels = [], []
    for fname in files:
        path = folder / fname
        try:
            if not path.is_file():
                raise FileNotFoundError(f"CIFAR file {path} is missing; the folder is incomplete.")
            batch = unpickle_batch(path)
        except PermissionError as err:
            raise _no_permission(key, f"read {str(path)!r}", err) from err
        if "data" not in batch or label_key not in batch:
            raise ValueError(
                f"{path} has keys {sorted(map(str, batch))}; expected 'data' and "
                f"{label_key!r} (the python-pickle {key} format){_other_set_hint(key, batch)}"
            )
        data = batch["data"]
        if (not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2
                or data.shape[1] != 3 * 32 * 32):
            what = (f"a {data.dtype} array of shape {data.shape}" if isinstance(data, np.ndarray)
                    else f"a {type(data).__name__}")
            raise ValueError(
                f"{path}: 'data' is {what}, not the uint8 array of shape (N, 3072) of the "
                "python-pickle CIFAR format; replace it with the original file"
            )
        try:
            y = np.asarray(batch[label_key])
        except ValueError:  # ragged nested lists
            y = np.asarray(None)
        if y.ndim != 1 or y.dtype.kind not in "iu" or len(y) != len(data):
            raise ValueError(
                f"{path}: {label_key!r} is not a list of {len(data)} int labels, one per image "
                f"(got {type(batch[label_key]).__name__} of shape {y.shape} and dtype {y.dtype}); "
                "replace it with the original file"
            )
        if len(y) and (y.min() < 0 or y.max() >= num_classes):
            hint = (" (CIFAR-100 labels? set data.name=cifar100 and put the cifar-100-python "
                    "folder under data.root)" if key == "cifar10" and 0 <= y.min() and y.max() < 100
                    else "")
            raise ValueError(
                f"{path}: {label_key!r} holds labels from {y.min()} to {y.max()}, outside "
                f"0..{num_classes - 1} of {key}{hint}; replace it with the original file"
            )
        images.append(data.reshape(-1, 3, 32, 32))
        labels.append(y.astype(np.int64))
    return torch.from_numpy(np.concatenate(images)), torch.from_numpy(np.concatenate(labels))
