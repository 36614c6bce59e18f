"""Small samples and Gaussian-blob features shared by the tests of :mod:`pidkit.estimate`."""

from __future__ import annotations

import numpy as np

from pidkit.samples import joint_from_samples


def blobs(codes: np.ndarray, n_values: int, rng: np.random.Generator, dim: int = 10) -> np.ndarray:
    """Features of ``codes``: a centre per value (sd 6, far apart) plus unit noise."""
    centres = rng.normal(0.0, 6.0, (n_values, dim))
    return centres[codes] + rng.normal(size=(codes.size, dim))


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """True when the labels ``a`` and ``b`` split the samples alike (up to renaming)."""
    table = joint_from_samples(a, b, np.zeros_like(a)).counts[:, :, 0]
    return bool(((table > 0).sum(axis=0) == 1).all() and ((table > 0).sum(axis=1) == 1).all())


def small_sample() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """40 binary labels and two 6-feature noise matrices: a valid input to change one thing in."""
    rng = np.random.default_rng(16)
    return rng.integers(0, 2, 40), rng.normal(size=(40, 6)), rng.normal(size=(40, 6))


def separated_teacher() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The RepresentationPID docstring's example: 500 binary labels, a teacher of 4 features that
    separates the classes and a student of 4 noise features (Red and Syn are 0)."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    return y, 4.0 * y[:, None] + rng.normal(size=(500, 4)), rng.normal(size=(500, 4))


def three_class_features(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """3 classes; a teacher of 6 features that knows them well (centres 2.5 apart) and a student
    of 6 that knows them a little (1.0), with unit noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    t = 2.5 * np.eye(3, 6)[y] + rng.normal(size=(n, 6))
    s = 1.0 * np.eye(3, 6)[y] + rng.normal(size=(n, 6))
    return y, t, s
