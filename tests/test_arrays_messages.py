"""Users' arrays that numpy cannot read are told where and how to fix them (pidkit._arrays).

A ragged nested list of feature rows gave numpy's "inhomogeneous shape after 1 dimensions" text,
with no row named and no fix.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_array

import pidkit
from pidkit import _arrays
from pidkit.estimate import inputs, pid_from_representations
from pidkit.gaussian import sample_inputs

_FIX = ("Give every row the same number of values (drop the rows that differ, or fill in the values "
        "they lack).")


def test_ragged_features_name_the_first_row_of_another_length():
    t = [[1.0, 2.0], [3.0, 4.0], [5.0], [6.0, 7.0]]
    with pytest.raises(TypeError) as refused:
        pid_from_representations([0, 1, 0, 1], t, np.ones((4, 2)))
    assert str(refused.value) == (
        f"t_features must be an array whose rows have one length; row 2 has 1 value(s) where row 0 has "
        f"2 value(s). {_FIX}")


def test_ragged_samples_of_the_gaussian_pid_name_the_row():
    with pytest.raises(TypeError) as refused:
        pidkit.gaussian_pid_from_samples([0.0, 1.0, 2.0], [[1.0], [2.0], [3.0, 4.0]], [1.0, 2.0, 3.0])
    assert str(refused.value) == (
        f"t must be an array of numbers whose rows have one length; row 2 has 2 value(s) where row 0 "
        f"has 1 value(s). {_FIX}")


def test_a_number_among_rows_and_a_ragged_deeper_axis_are_named():
    with pytest.raises(TypeError) as refused:
        pidkit.gaussian_pid_from_samples([0.0, 1.0], [[1.0, 2.0], 3.0], [1.0, 2.0])
    assert str(refused.value) == (
        f"t must be an array of numbers whose rows have one length; row 1 is a single number where "
        f"row 0 has 2 value(s). {_FIX}")
    with pytest.raises(TypeError) as refused:
        pidkit.gaussian_pid_from_samples([0.0, 1.0], [[[1, 2], [3, 4]], [[5, 6], [7]]], [1.0, 2.0])
    assert str(refused.value) == (
        f"t must be an array of numbers whose rows have one length; t[1][1] has 1 value(s) where "
        f"t[1][0] has 2 value(s). {_FIX}")


def test_rows_of_another_length_than_their_cousins_are_named():
    # rows are compared with the first row at their depth, not only with their siblings: t[1][0]
    # has no sibling of another length, and numpy's "inhomogeneous shape" was all it said
    with pytest.raises(TypeError) as refused:
        pidkit.gaussian_pid_from_samples([0.0, 1.0], [[[1, 2]], [[3]]], [1.0, 2.0])
    assert str(refused.value) == (
        f"t must be an array of numbers whose rows have one length; t[1][0] has 1 value(s) where "
        f"t[0][0] has 2 value(s). {_FIX}")
    assert (_arrays.ragged_row_text([[1, 2], [3]], "t", indexed=True)
            == "t[1] has 1 value(s) where t[0] has 2 value(s)")
    assert _arrays.ragged_row_text([], "t") is None


def test_a_list_of_batches_keeps_its_own_advice():
    t = np.ones((40, 3))
    with pytest.raises(TypeError, match=r"could not convert it: .*inhomogeneous.* t_features is a list of "
                                         r"2 arrays of 40 rows in all: if they are batches"):
        pid_from_representations(np.arange(40) % 2, [t[:32], t[32:]], np.ones((40, 2)))


def test_one_sparse_check_serves_both_estimators():
    # check_not_sparse lived in pidkit.gaussian.sample_inputs, which pidkit.estimate imported it from
    assert sample_inputs.check_not_sparse is _arrays.check_not_sparse
    assert inputs.check_not_sparse is _arrays.check_not_sparse
    with pytest.raises(TypeError) as refused:
        pid_from_representations(np.arange(4) % 2, csr_array(np.eye(4)), np.ones((4, 2)))
    assert str(refused.value) == (
        "t_features is a scipy sparse matrix of shape (4, 4) (4 stored values); pidkit needs dense "
        "features: pass t_features.toarray() (0.0 MiB as float64).")


def test_a_sparse_covariance_is_told_to_densify_it():
    # it said "cov must be an array of real numbers; got csr_array <Compressed Sparse Row sparse array
    # of d." (its repr cut off), with no fix
    with pytest.raises(TypeError) as refused:
        pidkit.gaussian_pid(csr_array(np.eye(3)), (1, 1, 1))
    assert str(refused.value) == (
        "cov is a scipy sparse matrix of shape (3, 3) (3 stored values); pidkit needs dense covariance "
        "matrices: pass cov.toarray() (0.0 MiB as float64).")
    with pytest.raises(TypeError) as refused:
        pidkit.gaussian.estimate_from_covariance(csr_array(np.eye(3)), (1, 1, 1), n_samples=100)
    assert str(refused.value).startswith("sample_cov is a scipy sparse matrix of shape (3, 3)")
    assert str(refused.value).endswith("pass sample_cov.toarray() (0.0 MiB as float64).")
