"""The data sets by name: :func:`available_datasets`, :func:`load_dataset`, :func:`describe_dataset`.

One place checks a name, the seed and the options against the loader's own keyword arguments,
then hands them to the data set's module (:mod:`~pidkit_distill.data.cifar`,
:mod:`~pidkit_distill.data.digits`, :mod:`~pidkit_distill.data.synthetic`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pidkit._validate import check_flag
from pidkit_distill.data.bundle import DatasetBundle, DatasetSpec
from pidkit_distill.data.cifar import describe_cifar, load_cifar
from pidkit_distill.data.digits import describe_digits, load_digits
from pidkit_distill.data.synthetic import describe_synthetic, make_synthetic

__all__ = ["available_datasets", "describe_dataset", "load_dataset"]

# name -> the loader whose keyword arguments are the data set's options
_LOADERS: dict[str, Callable[..., DatasetBundle]] = {
    "cifar10": load_cifar, "cifar100": load_cifar, "digits": load_digits,
    "synthetic": make_synthetic,
}


def available_datasets() -> list[str]:
    """Names accepted by :func:`load_dataset`.

    Examples
    --------
    >>> available_datasets()
    ['cifar10', 'cifar100', 'digits', 'synthetic']
    """
    return sorted(_LOADERS)


def load_dataset(
    name: str, *, root: str | Path | None = None, seed: int = 0, **kw: Any
) -> DatasetBundle:
    """Load a dataset by name.

    Parameters
    ----------
    name : {"digits", "synthetic", "cifar10", "cifar100"}
        Which dataset (see :mod:`pidkit_distill.data`).
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
        An option the data set does not have (the message lists its options), or a flag option
        (``download``, ``augment``) that is not a bool.
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
        return load_digits(seed=seed, **kw)
    if key == "synthetic":
        return make_synthetic(seed=seed, **kw)
    return load_cifar(key, root=root, seed=seed, **kw)


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
    options = {**_keyword_defaults(_LOADERS[key]), **kw}
    if key == "digits":
        return describe_digits(**options)
    if key == "synthetic":
        return describe_synthetic(**options)
    return describe_cifar(key, root=root, **options)


def _keyword_defaults(loader: Any) -> dict[str, Any]:
    """A loader's keyword options with their defaults (``seed`` and ``root`` excluded)."""
    return {
        name: param.default
        for name, param in inspect.signature(loader).parameters.items()
        if param.kind is param.KEYWORD_ONLY and name not in ("seed", "root")
    }


def _check_name_and_options(name: str, seed: int, options: dict[str, Any]) -> str:
    """The normalised name; errors for a bad seed, an unknown name, an unknown option or a flag
    option (``download``, ``augment``) that is not a bool."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be an int >= 0; got {seed!r}.")
    key = name.strip().lower() if isinstance(name, str) else name
    if key not in available_datasets():
        raise ValueError(f"name={name!r} is not a known dataset; choose one of "
                         f"{available_datasets()}.")
    known = _keyword_defaults(_LOADERS[key])
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise TypeError(
            f"unknown option(s) {unknown} for data set {key!r}; its options are {sorted(known)}."
        )
    for option, value in options.items():
        if isinstance(known[option], bool):  # a flag: the string "False" would be true
            check_flag(value, name=option)
    return key
