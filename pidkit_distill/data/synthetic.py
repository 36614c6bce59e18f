"""The synthetic nuisance-teacher task of the RID paper's Theorem 3.1 (:func:`make_synthetic`).

Vectors whose label depends on a class code ``Z`` only, mixed by a seeded rotation with a larger
nuisance code ``G`` that a teacher may learn and a student should not have to copy.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import TensorDataset

from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.data.bundle import DatasetBundle, DatasetSpec
from pidkit_distill.data.subsets import subset_size, train_subset

__all__ = ["describe_synthetic", "make_synthetic"]


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
        (see :func:`~pidkit_distill.data.stratified_order`); the draw itself, and so the
        held-out set, does not change.

    Returns
    -------
    DatasetBundle
        ``input_shape == (dim,)``; ``info`` holds ``z_train``, ``g_train``, ``y_train`` (and
        ``_test``) as int64 tensors, ``h_z_bits``, ``h_g_bits`` and the options.

    Examples
    --------
    >>> from pidkit_distill.data import make_synthetic
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
    keep = train_subset(y_tr, train_fraction, num_classes=num_classes, seed=seed)
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


def describe_synthetic(*, n_train: int, n_test: int, num_classes: int, nuisance_bits: int,
                       flip: float, dim: int, signal_scale: float, nuisance_scale: float,
                       noise: float, target: str, train_fraction: float) -> DatasetSpec:
    """What :func:`make_synthetic` returns with these options, checked as it checks them.

    Takes every option of :func:`make_synthetic` but ``seed``, nothing drawn;
    :func:`~pidkit_distill.data.describe_dataset` fills in the defaults.

    Examples
    --------
    >>> describe_synthetic(n_train=64, n_test=32, num_classes=4, nuisance_bits=2, flip=0.0,
    ...                    dim=32, signal_scale=1.0, nuisance_scale=3.0, noise=0.3,
    ...                    target="joint", train_fraction=0.5)
    DatasetSpec(name='synthetic', num_classes=16, input_shape=(32,), n_train=32, n_test=32)
    """
    _check_synthetic(n_train=n_train, n_test=n_test, num_classes=num_classes,
                     nuisance_bits=nuisance_bits, flip=flip, dim=dim, signal_scale=signal_scale,
                     nuisance_scale=nuisance_scale, noise=noise, target=target,
                     train_fraction=train_fraction)
    k = num_classes * 2**nuisance_bits if target == "joint" else num_classes
    return DatasetSpec("synthetic", k, (dim,), subset_size(n_train, train_fraction, num_classes),
                       n_test)


def _check_synthetic(*, n_train: int, n_test: int, num_classes: int, nuisance_bits: int,
                     flip: float, dim: int, signal_scale: float, nuisance_scale: float,
                     noise: float, target: str, train_fraction: float) -> None:
    """The option checks of :func:`make_synthetic` (also used by :func:`describe_synthetic`),
    each refusal a :class:`~pidkit_distill.ConfigEntryError` of the options at
    fault."""
    for arg, value, low in (("n_train", n_train, 1), ("n_test", n_test, 1),
                            ("num_classes", num_classes, 2), ("nuisance_bits", nuisance_bits, 0),
                            ("dim", dim, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigEntryError(f"{arg} must be an int >= {low}; got {value!r}.", value,
                                   entries=(arg,))
    if nuisance_bits > 16:
        raise ConfigEntryError(f"nuisance_bits must be <= 16; got {nuisance_bits!r}.",
                               nuisance_bits, entries=("nuisance_bits",))
    if dim < num_classes + nuisance_bits:  # any of the three may be the one to change
        raise ConfigEntryError(
            f"dim must be at least num_classes + nuisance_bits = "
            f"{num_classes + nuisance_bits}; got dim={dim}.", dim,
            entries=("dim", "num_classes", "nuisance_bits"))
    real = isinstance(flip, (int, float)) and not isinstance(flip, bool)
    if not real or not 0.0 <= flip <= (num_classes - 1) / num_classes:
        raise ConfigEntryError(
            f"flip must be in [0, (K-1)/K] = [0, {(num_classes - 1) / num_classes:.3f}]; "
            f"got {flip!r}.", flip, entries=("flip",))
    for arg, scale in (("signal_scale", signal_scale), ("nuisance_scale", nuisance_scale),
                       ("noise", noise)):
        real = isinstance(scale, (int, float)) and not isinstance(scale, bool)
        if not real or not 0 <= scale < math.inf:
            raise ConfigEntryError(f"{arg} must be a real number >= 0 and finite; got "
                                   f"{scale!r}.", scale, entries=(arg,))
    if target not in ("y", "joint"):
        raise ConfigEntryError(f"target must be 'y' or 'joint'; got {target!r}.", target,
                               entries=("target",))
    subset_size(n_train, train_fraction, num_classes)
