"""The fingerprint of a training set's samples that a trained teacher's file records:
:func:`data_fingerprint`. A cached teacher is reused only on data with the same fingerprint
(:func:`~pidkit_distill.training.teacher.check_cached_teacher`).
"""

from __future__ import annotations

import hashlib
from typing import Any

import torch
from torch import Tensor
from torch.utils.data import Subset, TensorDataset

from pidkit_distill.data import CifarDataset

__all__ = ["data_fingerprint"]

_FINGERPRINT_BYTES = 1 << 26
"""The most bytes of one tensor that :func:`data_fingerprint` hashes (64 MiB, under 0.1 s):
a larger tensor is hashed by an evenly spaced sample of its rows."""

_NOT_INDEX_NUMBERS = (torch.bool, torch.uint8, torch.complex64, torch.complex128)
"""Dtypes of a ``Subset``'s indices that :func:`data_fingerprint` hashes as they are, not as
int64: a bool or uint8 tensor indexes as a mask, not by the numbers 0 and 1 (nor do complex
numbers index), so ``[True, False, True]`` is not the samples ``[1, 0, 1]``."""


def data_fingerprint(dataset: Any) -> str | None:
    """A fingerprint of a training set's samples, recorded in a trained teacher's file and
    compared when it is reused
    (:func:`~pidkit_distill.training.teacher.check_cached_teacher`): data changed with the
    same sizes (a registered loader that returns other samples, CIFAR files replaced) has
    another.

    It hashes (BLAKE2b) the dtype, shape and bytes of the data set's tensors: a CIFAR set's
    images and labels (before normalisation and augmentation), a ``TensorDataset``'s tensors,
    a ``Subset``'s indices (integers as int64: the same indices as int32 are the same samples;
    a bool or uint8 mask, floats as they are) and its
    data set's. A tensor of more than 64 MiB is hashed by every k-th row from the first, the
    smallest k that keeps to 64 MiB: CIFAR's 50,000 uint8 images (150 MiB) by every third, in
    about 0.1 s (0.2 s to hash them whole), its labels whole; CIFAR as float32 (600 MiB) by
    every tenth image. Files replaced change the sampled rows
    too (each CIFAR file holds 10,000 images in a row), though one image changed alone may
    not.

    Parameters
    ----------
    dataset : torch.utils.data.Dataset
        The training set.

    A tensor on the GPU is copied to the host by the rows hashed only. Tensors without plain
    memory of their own (sparse, nested, on the meta device) are not hashed: their data set
    has no fingerprint.

    Returns
    -------
    str or None
        32 hex digits; ``None`` for any other data set, whose samples are not at hand as
        tensors (reading them all through ``dataset[i]`` could take long and, augmented, differ
        from read to read), or one of such tensors: its teacher is checked without it.

    Examples
    --------
    >>> x, y = torch.arange(12.0).reshape(6, 2), torch.tensor([0, 1, 0, 1, 0, 1])
    >>> first = data_fingerprint(TensorDataset(x, y))
    >>> len(first), first == data_fingerprint(TensorDataset(x.clone(), y.clone()))
    (32, True)
    >>> x[5, 1] = -1.0
    >>> first == data_fingerprint(TensorDataset(x, y))
    False
    >>> data_fingerprint([(x[0], 0)]) is None
    True
    >>> data_fingerprint(TensorDataset(x.to_sparse(), y)) is None
    True
    """
    if isinstance(dataset, Subset):
        inner = data_fingerprint(dataset.dataset)
        indices = torch.as_tensor(dataset.indices)
        if indices.dtype not in _NOT_INDEX_NUMBERS and not indices.is_floating_point():
            indices = indices.to(torch.int64)  # int32 or int64: one set
        return None if inner is None else _hashed([indices], inner)
    if isinstance(dataset, CifarDataset):
        return _hashed([dataset.images, dataset.labels])
    if isinstance(dataset, TensorDataset):
        return _hashed(list(dataset.tensors))
    return None


def _hashed(tensors: list[Tensor], salt: str = "") -> str | None:
    """BLAKE2b of ``salt`` and each tensor's dtype, shape and bytes (see
    :func:`data_fingerprint`); ``None`` where a tensor has no plain memory to read."""
    if any(t.layout != torch.strided or t.is_nested or t.is_meta for t in tensors):
        return None
    digest = hashlib.blake2b(salt.encode(), digest_size=16)
    for tensor in tensors:
        digest.update(f"{tensor.dtype}{tuple(tensor.shape)};".encode())
        nbytes = tensor.numel() * tensor.element_size()
        if tensor.dim() and nbytes > _FINGERPRINT_BYTES:
            tensor = tensor[::-(-nbytes // _FINGERPRINT_BYTES)]  # before the copy to the host
        host = tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy()
        digest.update(host)  # type: ignore[arg-type]  # ndarray is a Buffer, typed so on Python 3.12+ only
    return digest.hexdigest()
