"""The data sets by name: :func:`available_datasets`, :func:`load_dataset`, :func:`describe_dataset`,
and :func:`register_dataset` for your own.

One place checks a name, the seed and the options against the loader's own keyword arguments,
then hands them to the data set's module (:mod:`~pidkit_distill.data.cifar`,
:mod:`~pidkit_distill.data.digits`, :mod:`~pidkit_distill.data.synthetic`) or to the registered
loader, whose result is checked.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import torch

from pidkit.utils import check_flag
from pidkit_distill.config_errors import ConfigEntryTypeError
from pidkit_distill.data.bundle import DatasetBundle, DatasetSpec
from pidkit_distill.data.cifar import CIFAR_NAMES, describe_cifar, load_cifar
from pidkit_distill.data.digits import describe_digits, load_digits
from pidkit_distill.data.first_sample import first_sample
from pidkit_distill.data.sample_checks import sample_problem
from pidkit_distill.data.synthetic import describe_synthetic, make_synthetic
from pidkit_distill.option_refusals import unknown_options
from pidkit_distill.registry import (
    Registry,
    call_registered,
    registry_key,
    whole_number,
    whole_number_fix,
)

__all__ = ["available_datasets", "dataset_source", "describe_dataset", "describes_its_sizes",
           "is_user_dataset", "load_dataset", "register_dataset", "sample_problem",
           "unregister_dataset"]

L = TypeVar("L", bound=Callable[..., DatasetBundle])

# name -> the loader whose keyword arguments are the data set's options
_LOADERS = Registry("dataset", "register_dataset", decorates="loader functions", builtin={
    "cifar10": load_cifar, "cifar100": load_cifar, "digits": load_digits,
    "synthetic": make_synthetic,
})


def register_dataset(name: str) -> Callable[[L], L]:
    """Decorator registering a loader of your own data under ``name``, for
    :func:`load_dataset`, :func:`describe_dataset` and ``train(config)`` (``data.name``).

    The loader is called with keyword arguments only: ``seed`` (always passed: seed any split
    or draw with it), ``root`` if it declares one (``data.root``), and its own options with defaults,
    which become the data set's options (``data.options``; any other is refused; refuse a bad
    value with ``ValueError("NAME must be ...")``, and the command names the option typed). It
    returns a :class:`DatasetBundle` of map-style datasets yielding ``(x float tensor of shape
    input_shape, y int label in [0, num_classes))``, a label being an int or an int64 (or
    uint8) tensor or numpy scalar of shape ``()`` (return ``y.long()`` for int32 labels,
    ``y.flatten()`` for labels of shape ``(N, 1)``); the first item of each split is checked,
    and a run checks every label of a split that is a ``TensorDataset`` (or a ``Subset`` of one).
    :func:`describe_dataset` calls the loader too (it cannot describe your data without it).
    Registration lasts for the Python process (see :func:`pidkit_distill.models.register_model`).

    Parameters
    ----------
    name : str
        Lower-case letters, digits, ``.``, ``_``, ``-``; not a built-in name. Registering the same
        function again replaces it; another function under a taken name is an error.

    Raises
    ------
    ValueError
        A bad or taken name.
    TypeError
        The loader takes no ``seed``, or has an argument without a default other than ``seed``
        and ``root``.

    Examples
    --------
    >>> from pidkit_distill import (DatasetBundle, available_datasets, describe_dataset,
    ...                             register_dataset)
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> @register_dataset("doc-blobs")
    ... def blobs(*, seed=0, n=40):
    ...     g = torch.Generator().manual_seed(seed)
    ...     y = torch.arange(n) % 2
    ...     x = torch.randn(n, 3, generator=g) + y[:, None]
    ...     return DatasetBundle(TensorDataset(x[:30], y[:30]), TensorDataset(x[30:], y[30:]),
    ...                          num_classes=2, input_shape=(3,))
    >>> "doc-blobs" in available_datasets()
    True
    >>> describe_dataset("doc-blobs", n=50)
    DatasetSpec(name='doc-blobs', num_classes=2, input_shape=(3,), n_train=30, n_test=20)
    >>> from pidkit_distill import unregister_dataset
    >>> unregister_dataset("doc-blobs")
    """
    return _LOADERS.decorator(name, check=_check_loader)


def _check_loader(fn: Callable[..., object]) -> None:
    """A loader takes ``seed`` and options with defaults, all by keyword."""
    params = inspect.signature(fn).parameters.values()
    no_default = [p.name for p in params if p.default is p.empty and p.name not in ("seed", "root")
                  and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if no_default or "seed" not in {p.name for p in params}:
        raise TypeError(
            "register_dataset decorates a loader def load(*, seed=0, OPTION=DEFAULT, ...) -> "
            "DatasetBundle: seed, and options with defaults; "
            f"{getattr(fn, '__qualname__', fn)!r} " + (
                f"has the argument(s) {no_default} without a default." if no_default
                else "takes no seed.")
        )


def unregister_dataset(name: str) -> None:
    """Remove a loader that you registered with :func:`register_dataset` (a notebook's
    experiment, a test's clean-up); the package's own data sets stay.

    Parameters
    ----------
    name : str
        The registered name (read as :func:`load_dataset` reads it).

    Raises
    ------
    ValueError
        ``name`` is one of the package's own data sets, or not registered.

    Examples
    --------
    >>> from pidkit_distill import unregister_dataset
    >>> unregister_dataset("my-data")
    Traceback (most recent call last):
    ...
    ValueError: unregister_dataset: name='my-data' is not a registered dataset; the names you \
registered are [...].
    """
    _LOADERS.unregister(name)


def dataset_source(name: object) -> str | None:
    """Where the data set that ``name`` means (read as :func:`load_dataset` reads it) comes
    from, where you registered it with :func:`register_dataset`: the resolved path of its
    module's file, or that module's name where it has no file (``'__main__'`` in a notebook); ``None`` for the
    package's own data sets and a name not registered. A run records it in its ``config.json``
    (``recorded.registered``), and a cached teacher's folder name hashes it.

    Examples
    --------
    >>> from pidkit_distill.data.registry import dataset_source
    >>> dataset_source("digits") is None, dataset_source("no-such-data") is None
    (True, True)
    """
    return _LOADERS.source(name)


def available_datasets() -> list[str]:
    """Names accepted by :func:`load_dataset`, the registered ones (:func:`register_dataset`)
    included.

    Examples
    --------
    >>> from pidkit_distill import available_datasets
    >>> available_datasets()
    ['cifar10', 'cifar100', 'digits', 'synthetic']
    """
    return _LOADERS.names()


def describes_its_sizes(name: str) -> bool:
    """Whether :func:`describe_dataset` gives the sizes that :func:`load_dataset` loads for the
    data set ``name`` (read as :func:`load_dataset` reads it): those of digits and synthetic
    data are computed, a registered data set's counted (its loader is called); CIFAR's are the
    standard archive's (50,000 training and 10,000 test images), not counted in its files,
    which a folder of one's own (a trimmed copy) may not hold.

    Parameters
    ----------
    name : str
        A data set's name (``data.name``).

    Returns
    -------
    bool

    Examples
    --------
    >>> from pidkit_distill.data.registry import describes_its_sizes
    >>> describes_its_sizes("digits"), describes_its_sizes(" CIFAR10")
    (True, False)
    """
    return registry_key(name) not in CIFAR_NAMES


def is_user_dataset(name: str) -> bool:
    """Whether ``name`` (read as :func:`load_dataset` reads it: stripped, lower-cased) is a data
    set registered with :func:`register_dataset`: ``False`` for the package's own and for a name
    registered nowhere. The one place that tells a user's data set, whose loader is called to
    describe it, from the package's own, which are described without reading them.

    Parameters
    ----------
    name : str
        A data set's name (``data.name``).

    Returns
    -------
    bool

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from pidkit_distill import DatasetBundle, register_dataset, unregister_dataset
    >>> from pidkit_distill.data.registry import is_user_dataset
    >>> @register_dataset("doc-ones")
    ... def ones(*, seed=0):
    ...     data = TensorDataset(torch.ones(4, 2), torch.tensor([0, 1, 0, 1]))
    ...     return DatasetBundle(data, data, num_classes=2, input_shape=(2,))
    >>> is_user_dataset(" Doc-Ones "), is_user_dataset("digits"), is_user_dataset("nowhere")
    (True, False, False)
    >>> unregister_dataset("doc-ones")
    >>> is_user_dataset("doc-ones")
    False
    """
    key = _LOADERS.find(name)
    return key is not None and not _LOADERS.is_builtin(key)


def load_dataset(
    name: str, *, root: str | Path | None = None, seed: int = 0, **kw: Any
) -> DatasetBundle:
    """Load a dataset by name.

    Parameters
    ----------
    name : {"digits", "synthetic", "cifar10", "cifar100"} or a registered name
        Which dataset (see :mod:`pidkit_distill.data` and :func:`register_dataset`).
    root : str or Path, optional
        CIFAR: the folder holding ``cifar-10-batches-py`` / ``cifar-100-python``
        (default ``./data``); a registered loader that declares ``root`` gets it. Ignored by
        the built-in ``digits`` and ``synthetic``.
    seed : int, default=0
        Seeds the digits split, the synthetic task and CIFAR augmentation.
    **kw
        Every data set: ``train_fraction=1.0`` (train on a nested, class-stratified subset of
        the training split; see the module docstring). ``digits``: ``test_fraction=0.25``.
        ``synthetic``: the keyword arguments of :func:`make_synthetic`. CIFAR:
        ``download=False``, ``augment=False``, ``normalization="standard"`` (or ``"kd-rid"``).
        A registered loader: its own keyword options.

    Returns
    -------
    DatasetBundle

    Raises
    ------
    ValueError
        Unknown name or a bad option value; a registered loader that raised (any
        :class:`Exception` of its own code but memory running out, a :class:`MemoryError` or
        torch's ``OutOfMemoryError``, which is raised as it is: the message names the loader
        and its error, which is chained as the cause). Where its error refuses an option
        passed in ``kw`` (a :class:`~pidkit_distill.ConfigEntryError` of it, or
        a ``ValueError`` or ``TypeError`` whose message starts ``"NAME must be "``), a
        ``ConfigEntryError`` of that option, its message as the loader's with the loader named:
        ``n must be >= 8; got 2 (the loader registered as 'my-blobs')``.
    TypeError
        An option the data set does not have (the message lists its options), or a flag option
        (``download``, ``augment``) that is not a bool; a registered loader that returned no
        :class:`DatasetBundle`, a split with no ``len()`` (an ``IterableDataset``), or a
        split that is a ``DataLoader`` (the trainer batches the data set itself).
    FileNotFoundError
        CIFAR folder missing and ``download`` is False or torchvision is not installed.

    Examples
    --------
    >>> from pidkit_distill import load_dataset
    >>> bundle = load_dataset("digits", seed=0)
    >>> len(bundle.train), len(bundle.test), bundle.num_classes, bundle.input_shape
    (1347, 450, 10, (1, 8, 8))
    >>> few = load_dataset("digits", seed=0, train_fraction=0.1)
    >>> len(few.train), len(few.test), few.train.tensors[1].bincount().tolist()
    (135, 450, [13, 14, 13, 14, 14, 14, 14, 13, 13, 13])
    """
    key = _check_name_and_options(name, seed, kw)
    if key == "digits":
        return load_digits(seed=seed, **kw)
    if key == "synthetic":
        return make_synthetic(seed=seed, **kw)
    if key in ("cifar10", "cifar100"):
        return load_cifar(key, root=root, seed=seed, **kw)
    loader, options = _LOADERS.get(key), tuple(kw)
    if "root" in inspect.signature(loader).parameters:
        kw["root"] = root
    bundle = call_registered(loader, {"seed": seed, **kw}, role="loader", key=key,
                             passed=(MemoryError, torch.cuda.OutOfMemoryError),
                             user_options=options)
    return _checked_bundle(bundle, key)


def describe_dataset(
    name: str, *, root: str | Path | None = None, seed: int = 0, **kw: Any
) -> DatasetSpec:
    """Check ``name`` and options as :func:`load_dataset` does, and describe the data set.

    Nothing is loaded or generated: CIFAR's folder and files are only looked up (or, with
    ``download=True``, torchvision's presence); a registered data set is the exception, its
    loader is called. Takes the arguments of :func:`load_dataset` and raises the same errors.

    Returns
    -------
    DatasetSpec

    Examples
    --------
    >>> from pidkit_distill import describe_dataset
    >>> describe_dataset("digits")
    DatasetSpec(name='digits', num_classes=10, input_shape=(1, 8, 8), n_train=1347, n_test=450)
    >>> describe_dataset("synthetic", n_train=64, nuisance_bits=2, target="joint").num_classes
    16
    >>> describe_dataset("digits", train_fraction=0.1).n_train
    135
    >>> describe_dataset("digits", n_train=64)
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigEntryTypeError: unknown option(s) ['n_train'] for data \
set 'digits'; its options are ['test_fraction', 'train_fraction'].
    """
    key = _check_name_and_options(name, seed, kw)
    if is_user_dataset(key):
        return DatasetSpec.of(key, load_dataset(key, root=root, seed=seed, **kw))
    options = {**_keyword_defaults(_LOADERS.get(key)), **kw}
    if key == "digits":
        return describe_digits(**options)
    if key == "synthetic":
        return describe_synthetic(**options)
    return describe_cifar(key, root=root, **options)


def _class_count_fix(classes: object) -> str:
    """The end of the refusal of ``num_classes=classes``: the int to write where ``classes`` is a
    whole number >= 2 of another type (``4.0``), that a classifier needs two classes where it is a
    smaller one (``1``, ``1.0``: writing it as an int would not help), else ``""`` (``4.5``)."""
    fix = whole_number_fix(classes, "num_classes")  # ": write num_classes=N" or ""
    count = int(fix.rpartition("=")[2]) if fix else whole_number(classes)
    if count is not None and count < 2:
        return ": a classifier needs at least two classes, so its labels must take two values or more"
    return fix


def _checked_bundle(bundle: Any, name: str) -> DatasetBundle:
    """``bundle`` if a registered loader returned a usable :class:`DatasetBundle`; checks the
    first item of each split."""
    where = f"the loader registered as {name!r}"
    if not isinstance(bundle, DatasetBundle):
        raise TypeError(f"{where} returned a {type(bundle).__name__}; return a "
                        "pidkit_distill.data.DatasetBundle(train, test, num_classes, input_shape).")
    classes, shape = bundle.num_classes, bundle.input_shape
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 2:
        raise ValueError(f"{where} returned num_classes={classes!r}; it must be an int >= 2"
                         f"{_class_count_fix(classes)}.")
    if not isinstance(shape, tuple) or not shape or not all(
            isinstance(d, int) and d >= 1 for d in shape):
        one = whole_number(shape)
        fix = f": write input_shape=({one},)" if one is not None and one >= 1 else ""
        raise ValueError(f"{where} returned input_shape={shape!r}; it must be a tuple of "
                         "positive ints, the shape of one x, e.g. (3, 32, 32) or (20,)"
                         f"{fix}.")
    if _looks_channels_last(shape):
        height, width, channels = shape
        warnings.warn(
            f"{where} returned input_shape={shape}, which looks channels-last (height, width, "
            f"channels), but the models take images channels first: their builders get "
            f"in_channels=input_shape[0]={height}, and a convolution reads its x's {height} rows "
            f"as channels; if the images are (N, H, W, C), as numpy and PIL give them, return "
            f"x.permute(0, 3, 1, 2) and input_shape=({channels}, {height}, {width})",
            UserWarning, stacklevel=2)
    for split in ("train", "test"):
        data = getattr(bundle, split)
        if isinstance(data, torch.utils.data.DataLoader):  # its data[0] fails, blaming the data
            raise TypeError(f"{where} returned a DataLoader as its {split} split; a DatasetBundle "
                            "holds Datasets, which the trainer batches itself (data.batch_size): "
                            "return loader.dataset")
        if isinstance(data, tuple | list) and len(data) == 2 and all(
                isinstance(t, torch.Tensor) and t.dim() >= 1 for t in data):
            x, y = data
            raise TypeError(
                f"{where} returned its {split} split as a {type(data).__name__} of two tensors, "
                f"x of shape {tuple(x.shape)} and y of shape {tuple(y.shape)}; a split is a "
                f"dataset of (x, y) samples: return TensorDataset(x, y) for it "
                "(torch.utils.data.TensorDataset)."
            )
        if not hasattr(type(data), "__len__"):  # an IterableDataset: no sampler can index it
            raise TypeError(f"{where} returned a {split} split of type {type(data).__name__} "
                            "with no len(); return map-style datasets (len(data) and data[i]), "
                            "e.g. a TensorDataset or a Dataset with __len__ and __getitem__.")
        if len(data) < 1:
            raise ValueError(f"{where} returned an empty {split} split.")
        problem = sample_problem(first_sample(data, f"{where}: reading {split}[0]"), classes, shape)
        if problem is not None:
            raise ValueError(f"{where}: {split}[0] {problem}.")
    return bundle


def _looks_channels_last(input_shape: tuple[int, ...]) -> bool:
    """Whether ``input_shape`` looks like an image's shape channels-last, ``(H, W, C)``: three
    dimensions, the last one 1, 3 or 4 (grey, RGB, RGBA) and the first two above 4.

    Examples
    --------
    >>> _looks_channels_last((32, 32, 3)), _looks_channels_last((3, 32, 32))
    (True, False)
    >>> _looks_channels_last((8, 8, 1)), _looks_channels_last((1, 8, 8)), _looks_channels_last((20,))
    (True, False, False)
    """
    return (len(input_shape) == 3 and input_shape[2] in (1, 3, 4)
            and min(input_shape[0], input_shape[1]) > 4)


def _keyword_defaults(loader: Any) -> dict[str, Any]:
    """A loader's options: its arguments with defaults (``seed`` and ``root`` excluded)."""
    return {
        name: param.default
        for name, param in inspect.signature(loader).parameters.items()
        if param.default is not param.empty and name not in ("seed", "root")
    }


def _check_name_and_options(name: str, seed: int, options: dict[str, Any]) -> str:
    """The normalised name; errors for a bad seed, an unknown name, an unknown option or a flag
    option (``download``, ``augment``) that is not a bool."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be an int >= 0; got {seed!r}.")
    key = _LOADERS.find(name)
    if key is None:
        raise _LOADERS.unknown(name, module="pidkit_distill.data", listed=available_datasets())
    known = _keyword_defaults(_LOADERS.get(key))
    refusal = unknown_options(options, known, kind="option", owner=f"data set {key!r}")
    if refusal is not None:
        raise refusal
    for option, value in options.items():
        if isinstance(known[option], bool):  # a flag: the string "False" would be true
            try:
                check_flag(value, name=option)
            except TypeError as err:
                raise ConfigEntryTypeError(str(err), options, entries=(option,)) from err
    return key
