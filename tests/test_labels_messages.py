"""Labels held in one row are told to ravel it, not to take a one-hot matrix's argmax
(pidkit._labels).

A y of shape (1, n), the labels of n samples in a row, was told "For one-hot targets pass
y.argmax(axis=1)", which gives one label. A column (n, 1) was already told to ravel it, and a
one-hot (n, k) matrix keeps its argmax.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_array

from pidkit.estimate import pid_from_representations

_Y = np.arange(6) % 2
_T = np.random.default_rng(0).normal(size=(6, 2))


@pytest.mark.parametrize(("given", "fix"), [
    (_Y[None, :], "y.ravel()"),
    (_Y[None, :].tolist(), "np.asarray(y).ravel()"),
    (csr_array(_Y[None, :]), "y.toarray().ravel()"),
])
def test_a_row_of_labels_is_told_to_ravel_it(given, fix):
    with pytest.raises(ValueError) as refused:
        pid_from_representations(given, _T, _T)
    assert str(refused.value) == (
        f"y must be a 1-D array of labels, one per sample; got shape (1, 6). For a row of labels pass {fix}.")


def test_a_column_and_a_one_hot_matrix_keep_their_advice():
    with pytest.raises(ValueError) as refused:
        pid_from_representations(_Y[:, None], _T, _T)
    assert str(refused.value).endswith("got shape (6, 1). For a column of labels pass y.ravel().")
    with pytest.raises(ValueError) as refused:
        pid_from_representations(np.eye(2)[_Y], _T, _T)
    assert str(refused.value).endswith("got shape (6, 2). For one-hot targets pass y.argmax(axis=1).")
    with pytest.raises(ValueError) as refused:
        pid_from_representations(_Y.reshape(1, 2, 3), _T, _T)
    assert str(refused.value).endswith("got shape (1, 2, 3). Pass one label per sample.")
