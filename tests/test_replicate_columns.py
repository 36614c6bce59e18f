"""``pidkit.resampling.replicate_columns``: the one split of a PID statistic's replicates into each
quantity's column, which the Gaussian estimate's ``repr`` read with a copy of its own (t-386 F6)."""

from __future__ import annotations

import numpy as np
import pytest

from pidkit.resampling import ATOMS, INFORMATIONS, QUANTITIES, replicate_columns


def test_each_quantity_gets_its_own_column_in_the_order_of_quantities():
    table = np.arange(21, dtype=float).reshape(3, 7)
    columns = replicate_columns(table)
    assert list(columns) == ["red", "uni_t", "uni_s", "syn", "i_yt", "i_ys", "i_yts"]
    assert QUANTITIES == (*ATOMS, *INFORMATIONS)
    assert columns["red"].tolist() == [0.0, 7.0, 14.0]
    assert columns["i_yts"].tolist() == [6.0, 13.0, 20.0]
    assert replicate_columns(table.tolist())["uni_s"].tolist() == [2.0, 9.0, 16.0]  # a JSON list too


@pytest.mark.parametrize("shape", [(3, 6), (7,), (2, 7, 1)])
def test_a_table_of_another_shape_is_refused_with_the_shape_it_needs(shape):
    with pytest.raises(ValueError, match=r"^replicates must be of shape \(n_boot, 7\), one column for "
                       r"each of red, uni_t, uni_s, syn, i_yt, i_ys, i_yts; got shape "):
        replicate_columns(np.zeros(shape))


def test_words_are_refused_as_words():
    with pytest.raises(TypeError, match=r"^replicates must be a 2-D array of numbers; got str\.$"):
        replicate_columns("red")
