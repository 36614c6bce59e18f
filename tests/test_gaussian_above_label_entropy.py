"""The Gaussian estimator says when its information exceeds the label's entropy H(Y) (task 323).

``estimator="gaussian"`` on a classifier's ``predict_proba`` reported I(Y;S) = 18.9 bits for ten
digits (H(Y) = 3.32 bits) and said nothing, where the discrete estimator lists its informations
above their entropy bound in ``correction.above_bound``. The Gaussian bits are not bounded by H(Y)
(they measure linear class separation), so a value above it is not bits of the label: the
Gaussian result now lists those informations in ``correction.above_bound`` too and keeps the
labels' plug-in H(Y) in ``settings["y"]["entropy"]``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from pidkit.estimate import pid_from_representations
from pidkit.estimate.continuous import above_label_entropy, one_hot

N = 600


def _samples():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, N)
    teacher = y[:, None] * np.array([1.0, -0.5]) + rng.normal(size=(N, 2))
    saturated = np.eye(3)[y] + rng.normal(scale=1e-2, size=(N, 3))  # one-hot to 1 %: probabilities
    noise = rng.normal(size=(N, 2))
    return y, teacher, saturated, noise


def _h_y_bits(y):
    shares = np.bincount(y) / y.size
    return -float(np.sum(shares * np.log2(shares)))


def test_saturated_features_are_flagged_above_the_labels_entropy():
    y, teacher, saturated, _ = _samples()
    assert np.bincount(y).tolist() == [188, 189, 223]
    res = pid_from_representations(y, teacher, saturated, estimator="gaussian", normalize=None)
    h_y = _h_y_bits(y)
    assert h_y == pytest.approx(1.580273, abs=1e-6)
    assert res.settings["y"] == {"kind": "one-hot", "n_values": 3, "entropy": pytest.approx(h_y, abs=1e-12)}
    assert res.i_ys == pytest.approx(11.6596, abs=1e-3) and res.i_yts == pytest.approx(11.6596, abs=1e-3)
    assert res.i_yt == pytest.approx(0.4812, abs=1e-3)  # the teacher's 0.48 bits stay below H(Y)
    assert res.correction.above_bound == ("i_ys", "i_yts")
    assert res.to_dict()["bias_correction"]["above_bound"] == ["i_ys", "i_yts"]
    assert res.to_dict()["settings"]["y"]["entropy"] == pytest.approx(h_y, abs=1e-12)
    notes = [line.strip() for line in repr(res).splitlines() if line.strip().startswith("note:")]
    assert any(line.startswith("note: i_ys, i_yts ") for line in notes), notes


def test_informations_below_the_labels_entropy_are_not_flagged_and_h_y_is_in_the_units():
    y, teacher, _, noise = _samples()
    bits = pid_from_representations(y, teacher, noise, estimator="gaussian", normalize=None)
    assert bits.i_yts == pytest.approx(0.4812, abs=1e-3) and bits.correction.above_bound == ()
    assert bits.settings["y"]["entropy"] == pytest.approx(1.580273, abs=1e-6)
    nats = pid_from_representations(y, teacher, noise, estimator="gaussian", normalize=None, units="nats")
    assert nats.settings["y"]["entropy"] == pytest.approx(1.580273 * math.log(2), abs=1e-6)
    assert nats.correction.above_bound == ()


def test_the_bound_is_the_plug_in_entropy_up_to_rounding():
    columns, _ = one_hot(np.arange(100) % 4, "y")  # four equiprobable classes: H(Y) = 2 bits
    at = {"i_yt": 2.0, "i_ys": 2.0 + 1e-12, "i_yts": 2.0 + 1e-7}
    names, h_y = above_label_entropy(at, at, columns, "bits")
    # within below_zero.rounding_level (the solves' tolerance, 1e-9 per unit of scale) is rounding
    assert h_y == 2.0 and names == ("i_yts",)
    names, h_y = above_label_entropy(at, at, columns, "nats")
    assert h_y == pytest.approx(math.log(4)) and names == ("i_yt", "i_ys", "i_yts")  # 2 > 1.386 nats
