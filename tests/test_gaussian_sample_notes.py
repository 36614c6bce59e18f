"""gaussian_pid_from_samples notes what pid_from_representations(estimator="gaussian") notes
(t-412 L7, L12): informations above H(Y) where Y is a block of class indicators, and fewer than
5 samples per dimension. Before, on iris with Y = np.eye(3)[y][:, 1:], it reported
I(Y;T,S) = 2.67 bits > H(Y) = log2(3) without a word, and n = 5 for three scalars too.
"""

import math

import numpy as np
import pytest
from sklearn.datasets import load_iris

from pidkit.estimate import pid_from_representations
from pidkit.gaussian import gaussian_pid_from_samples
from pidkit.gaussian.sample_notes import FEW_SAMPLES_PER_DIMENSION, indicator_entropy


def _words(result) -> str:
    return " ".join(repr(result).split())


def test_an_indicator_block_above_its_entropy_is_noted_as_the_sibling_notes_it():
    x, y = load_iris(return_X_y=True)
    res = gaussian_pid_from_samples(np.eye(3)[y][:, 1:], x[:, :2], x[:, 2:])
    assert res.diagnostics["label_entropy"] == pytest.approx(math.log2(3), abs=1e-12)  # 50 per class
    assert res.i_yts == pytest.approx(2.6678, abs=1e-4)
    sibling = pid_from_representations(y, x[:, :2], x[:, 2:], estimator="gaussian", normalize=None,
                                       n_components=None)
    assert sibling.correction.above_bound == ("i_ys", "i_yts")
    shared = ("note: i_ys, i_yts above H(Y) = 1.585 bits, the most a label holds: Gaussian bits of a "
              "discrete label are not bounded by H(Y), so these say that the Gaussian model does not fit Y, "
              "not how well the features classify it; for bits bounded by H(Y) use")
    assert shared in _words(res) and shared in _words(sibling)
    # a Y that is no block of indicators has no entropy to compare with
    plain = gaussian_pid_from_samples(x[:, :1], x[:, 1:2], x[:, 2:])
    assert "label_entropy" not in plain.diagnostics and "above H(Y)" not in _words(plain)


def test_indicator_entropy_counts_the_left_out_class():
    y = np.repeat([0, 1, 2, 3], [10, 20, 30, 40])
    shares = np.array([10, 20, 30, 40]) / 100
    expected = -float(np.sum(shares * np.log2(shares)))
    assert indicator_entropy(np.eye(4)[y][:, 1:], "bits") == pytest.approx(expected, abs=1e-12)
    assert indicator_entropy(np.eye(4)[y], "nats") == pytest.approx(expected * math.log(2), abs=1e-12)
    assert indicator_entropy(np.eye(4)[y] * 2, "bits") is None


@pytest.mark.parametrize("n", [5, 14, 15])
def test_fewer_than_five_samples_per_dimension_are_noted(n):
    rng = np.random.default_rng(0)
    y, t, s = (rng.normal(size=(n, 1)) for _ in range(3))
    text = _words(gaussian_pid_from_samples(y, t, s))
    noted = f"note: n = {n} samples for d_y + d_t + d_s = 3 dimensions, fewer than 5 per dimension"
    assert (noted in text) == (n < FEW_SAMPLES_PER_DIMENSION * 3)


def test_the_sibling_notes_few_samples_too():
    rng = np.random.default_rng(1)
    y = np.tile([0, 1], 6)
    res = pid_from_representations(y, rng.normal(size=(12, 1)), rng.normal(size=(12, 1)),
                                   estimator="gaussian", normalize=None, n_components=None)
    assert "note: n = 12 samples for d_y + d_t + d_s = 3 dimensions" in _words(res)
