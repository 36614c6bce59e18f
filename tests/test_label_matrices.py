"""A matrix given as labels is told the fix its values call for (t-422's finding 4): one-hot
targets their argmax, class probabilities their argmax or the order of the arguments, and a
matrix of features, most often passed first in scikit-learn's ``X, y`` order, that ``y`` comes
first. Every matrix was told "For one-hot targets pass y.argmax(axis=1)", which ran on features
and gave estimates of labels that meant nothing."""

import numpy as np
import pytest
import scipy.sparse
from scipy.special import softmax

from pidkit import joint_from_samples
from pidkit._label_matrices import matrix_kind
from pidkit.estimate import bootstrap, pid_from_representations

RNG = np.random.default_rng(0)
Y = RNG.integers(0, 3, 60)
T = RNG.normal(size=(60, 6))
S = RNG.normal(size=(60, 4))
ORDER_FIX = ("y, the labels, is the first argument, before the features (not scikit-learn's X, y "
             "order): pid_from_representations(y, t_features, s_features).")


def _refusal(*args):
    with pytest.raises(ValueError) as refused:
        pid_from_representations(*args)
    return str(refused.value)


def test_features_passed_first_are_told_the_order_not_argmax():
    said = _refusal(T, S, Y)
    assert said == f"y must be a 1-D array of labels, one per sample; got shape (60, 6). {ORDER_FIX}"
    assert "argmax" not in said


def test_integer_features_that_are_not_one_hot_are_told_the_order():
    counts = RNG.integers(0, 5, size=(60, 6))  # e.g. a bag of words
    assert _refusal(counts, S, Y).endswith(ORDER_FIX)


def test_one_hot_targets_keep_their_argmax_fix():
    said = _refusal(np.eye(3)[Y], T, S)
    assert said.endswith("got shape (60, 3). For one-hot targets pass y.argmax(axis=1).")


@pytest.mark.parametrize("probabilities", [
    softmax(T[:, :3], axis=1).astype(np.float32),  # a softmax in float32: rows sum to 1 +- 1e-7
    np.eye(3)[Y] * 0.9 + 0.1 / 3,  # label-smoothed targets, whose argmax is Y
], ids=["softmax", "smoothed"])
def test_class_probabilities_are_told_both_readings(probabilities):
    said = _refusal(probabilities, T, S)
    assert said.endswith("For class probabilities (soft targets) pass y.argmax(axis=1), each sample's "
                         f"likeliest class. {ORDER_FIX}")


def test_the_told_argmax_of_smoothed_targets_gives_the_labels():
    smoothed = np.eye(3)[Y] * 0.9 + 0.1 / 3
    assert smoothed.argmax(axis=1).tolist() == Y.tolist()


def test_bootstrap_given_features_as_y_is_pointed_to_the_estimator_of_features():
    with pytest.raises(ValueError, match=r"got shape \(60, 6\)\. y, the labels, is the first argument"):
        bootstrap(T, Y, Y, n_boot=2)


@pytest.mark.parametrize(("values", "kind"), [
    (np.eye(4)[[0, 3, 1, 2, 0]], "one-hot"),
    (np.eye(4, dtype=bool)[[0, 3, 1]], "one-hot"),
    (np.array([[0.2, 0.8], [0.5, 0.5], [1.0, 0.0]]), "probabilities"),
    (np.array([[0.2, 0.7], [0.5, 0.5]]), "other"),  # a row sums to 0.9
    (np.array([[1.5, -0.5], [0.5, 0.5]]), "other"),  # sums to 1, but not probabilities
    (np.array([[0, 1, 1], [1, 0, 0]]), "other"),  # two 1s in a row: multi-label
    (np.array([[0.0, 1.0], [np.nan, 1.0]]), "other"),
    (np.array([[0, 1]]), "other"),  # one row: as much one sample's features
    (np.array(["a", "b"] * 2).reshape(2, 2), "other"),
    (None, "other"),
])
def test_matrix_kind(values, kind):
    assert matrix_kind(values) == kind


def test_a_sparse_matrix_is_read_from_its_stored_values():
    rows = np.arange(2**20)
    one_hot = scipy.sparse.csr_array((np.ones(2**20), (rows, rows % 5)), shape=(2**20, 2**20))
    assert matrix_kind(one_hot) == "one-hot"
    assert matrix_kind(scipy.sparse.csr_array(T)) == "other"


def test_joint_from_samples_keeps_its_advice_for_one_hot_and_features():
    with pytest.raises(ValueError, match=r"t is one-hot \(one 1 a row\): pass each sample's class, "
                                         r"t\.argmax\(axis=1\)\.$"):
        joint_from_samples(Y, np.eye(3)[Y], Y)
    with pytest.raises(ValueError, match=r"For feature matrices use pidkit\.estimate\."
                                         r"pid_from_representations, which discretises them\.$"):
        joint_from_samples(Y, T, Y)
