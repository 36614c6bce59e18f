"""Labels given as a scipy.sparse matrix or array of two axes or more (a one-hot matrix, a column)
are refused by label_array itself, from their shape and without densifying them, with the way to
make them 1-D; it read them as all zeros of their shape, which only its callers' shape checks
kept from being counted as labels."""

import numpy as np
import pytest
import scipy.sparse

from pidkit import joint_from_samples
from pidkit._labels import label_array

Y = np.array([0, 2, 1, 0, 2])
ONE_HOT_FIX = "For one-hot targets pass np.asarray(y.argmax(axis=1)).ravel()."


@pytest.mark.parametrize(("given", "shape", "fix"), [
    (scipy.sparse.csr_matrix(np.eye(3)[Y]), "(5, 3)", ONE_HOT_FIX),
    (scipy.sparse.csr_array(np.eye(3)[Y]), "(5, 3)", ONE_HOT_FIX),
    (scipy.sparse.coo_array(np.eye(3)[Y]), "(5, 3)", ONE_HOT_FIX),
    (scipy.sparse.csr_matrix(Y[:, None]), "(5, 1)", "For a column of labels pass y.toarray().ravel()."),
    (scipy.sparse.coo_array(np.ones((5, 3, 2))), "(5, 3, 2)", "Pass one label per sample."),
], ids=["csr_matrix", "csr_array", "coo_array", "column", "three-axes"])
def test_sparse_labels_of_two_axes_are_refused_by_label_array(given, shape, fix):
    said = f"y must be a 1-D array of labels, one per sample; got shape {shape}. {fix}"
    with pytest.raises(ValueError) as err:
        label_array(given, "y")
    assert str(err.value) == said


def test_a_large_sparse_one_hot_is_refused_without_densifying_it():
    # dense, its 2**40 cells would take 8 TiB: the error comes from its shape and stored values
    rows = np.arange(2**20)
    huge = scipy.sparse.csr_array((np.ones(2**20), (rows, rows % 7)), shape=(2**20, 2**20))
    with pytest.raises(ValueError) as err:
        label_array(huge, "y")
    assert str(err.value) == ("y must be a 1-D array of labels, one per sample; got shape "
                              f"(1048576, 1048576). {ONE_HOT_FIX}")


def test_a_sparse_one_hot_in_joint_from_samples_is_told_its_argmax():
    # it was "t must be 1-D (one label per sample); got shape (5, 3). For feature matrices use
    # pidkit.estimate.pid_from_representations", the advice for a dense matrix of features
    t = scipy.sparse.csr_array(np.eye(3)[Y])
    with pytest.raises(ValueError) as err:
        joint_from_samples(Y, t, Y)
    assert str(err.value) == ("t must be a 1-D array of labels, one per sample; got shape (5, 3). "
                              "For one-hot targets pass np.asarray(t.argmax(axis=1)).ravel().")
    fixed = eval("np.asarray(t.argmax(axis=1)).ravel()", {"np": np, "t": t})  # the told fix
    assert joint_from_samples(Y, fixed, Y).labels["t"].tolist() == [0, 1, 2]


def test_a_sparse_array_of_one_axis_is_read_as_its_labels():
    assert label_array(scipy.sparse.coo_array(Y), "y").tolist() == Y.tolist()
