"""The samples' labels are encoded once, and the count table is counted from their cells (task 313).

``pid_from_representations`` and ``bootstrap`` encoded the labels twice, for the count table
(``joint_from_samples``) and for each sample's cell (``cells_of_samples``), and the correction and
every bootstrap replicate counted the cells again to check them against the table. Now
``pidkit.samples.encoded_samples`` encodes them once and counts the table from the cells
(``SampleCells``), which the estimators compare with their table instead of counting it again.
The numbers are those of the old code, to the last bit (recorded below as it gave them).
"""

from __future__ import annotations

import re
from unittest.mock import patch

import numpy as np
import pytest

import pidkit.samples
from pidkit import joint_from_samples
from pidkit.estimate import PIDStatistic, bootstrap, correct_counts, pid_from_representations
from pidkit.estimate.correction import QUANTITIES
from pidkit.estimate.inputs import cells_of_samples, check_sample_cells
from pidkit.samples import SampleCells, encoded_samples

_PLATFORM_ROUNDING = 1e-12
"""How far another machine's BLAS and solver may move the recorded numbers, in bits."""


def _samples() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """300 samples: string classes (whose axis sorts them), teacher values 0-30, student 0-2."""
    rng = np.random.default_rng(7)
    t, s = rng.integers(0, 4, 300), rng.integers(0, 3, 300)
    y = np.where(rng.random(300) < 0.7, (t + s) % 3, rng.integers(0, 3, 300))
    return np.array(["low", "mid", "high"])[y], t * 10, s


# Given by the code before this change (two encodings), as float.hex: corrected atoms and interval
# ends of pid_from_representations(*_samples(), bootstrap=6, random_state=4), and the interval ends
# of bootstrap(*_samples(), n_boot=6, random_state=4), in QUANTITIES' order.
_CORRECTED = ["-0x1.fbf87f5f4e9d0p-9", "0x1.08b32c6447680p-10", "0x1.056d49bf5968ep-4",
              "0x1.39eb3e3c196bfp-1", "-0x1.779ee92d2ae92p-9", "0x1.eb1b0b88bde7fp-5",
              "0x1.5921488ad76e2p-1"]
_INTERVALS = [("-0x1.fbf87f5f4e9d0p-9", "0x1.0461b9f912595p-5"), ("0x0.0p+0", "0x1.49f0b7fe0ae1ap-8"),
              ("0x1.f5e06276f27a0p-7", "0x1.d9aeab20af742p-4"),
              ("0x1.2b16ac338dbe5p-1", "0x1.46b60781969fap-1"),
              ("-0x1.779ee92d2ae92p-9", "0x1.289f977686c63p-5"),
              ("0x1.db951136891a0p-8", "0x1.a94a96fc0cd56p-4"),
              ("0x1.3d337758ebee6p-1", "0x1.7bfb4938ad0cdp-1")]
_PLUGIN_INTERVALS = [("0x0.0p+0", "0x1.57041e8688cc4p-7"), ("0x0.0p+0", "0x0.0p+0"),
                     ("0x1.a6c4eca5d67e8p-8", "0x1.8ffcb022dafd6p-4"),
                     ("0x1.137d5847db374p-1", "0x1.3c84be3e73b49p-1"),
                     ("0x0.0p+0", "0x1.57041e8688c95p-7"), ("0x1.6f92baee49740p-8", "0x1.8b088dd39794bp-4"),
                     ("0x1.21716ae27f4acp-1", "0x1.60927e73b16dbp-1")]


def _floats(hexes) -> np.ndarray:
    return np.vectorize(float.fromhex)(np.array(hexes))


def test_the_estimates_are_the_old_codes():
    res = pid_from_representations(*_samples(), bootstrap=6, random_state=4, progress=False)
    assert {k: v.tolist() for k, v in res.labels.items()} == {
        "y": ["high", "low", "mid"], "t": [0, 10, 20, 30], "s": [0, 1, 2]}
    assert res.counts[:, 0, :].tolist() == [[5, 4, 20], [20, 2, 2], [2, 15, 1]]
    np.testing.assert_allclose([res.correction.corrected[q] for q in QUANTITIES], _floats(_CORRECTED),
                               rtol=0, atol=_PLATFORM_ROUNDING)
    np.testing.assert_allclose([res.intervals[q] for q in QUANTITIES], _floats(_INTERVALS),
                               rtol=0, atol=_PLATFORM_ROUNDING)
    plugin = bootstrap(*_samples(), n_boot=6, random_state=4, progress=False)["intervals"]
    np.testing.assert_allclose([plugin[q] for q in QUANTITIES], _floats(_PLUGIN_INTERVALS),
                               rtol=0, atol=_PLATFORM_ROUNDING)


def test_cells_counted_once_give_the_numbers_of_rows_checked_and_counted():
    # The public route (rows (y, t, s), checked and counted) and the internal one (SampleCells,
    # compared with the table) give the same numbers, exactly.
    joint, cells = encoded_samples(*_samples())

    def numbers(sample_cells) -> tuple[list[float], list[float]]:
        fix = correct_counts(joint.counts, sample_cells=sample_cells, n_repeats=2, n_jobs=1)
        replicate = PIDStatistic(joint.counts, method="eb-extrapolation", sample_cells=sample_cells)
        return [fix.corrected[q] for q in QUANTITIES], replicate(np.random.default_rng(5)).tolist()

    assert numbers(cells) == numbers(cells.rows)


@pytest.mark.parametrize("values", [
    _samples(),
    ([True, False, True, True], ["b", "a", "b", "c"], [2.0, 1.0, 2.0, 1.0]),
    ([(1, 2), (0, 1), (1, 2)], [None, 1, 1], [0, 0, 0]),  # objects; labels that do not sort
], ids=["strings", "bools-floats", "objects"])
def test_the_table_is_the_cells_count_in_the_labels_order(values):
    joint, cells = encoded_samples(*values)
    old_table = np.zeros(joint.counts.shape, dtype=np.int64)
    np.add.at(old_table, tuple(cells.rows.T), 1)  # how joint_from_samples counted before
    assert cells.counts is joint.counts
    assert joint.counts.dtype == np.int64
    np.testing.assert_array_equal(joint.counts, old_table)
    np.testing.assert_array_equal(joint.p, old_table / len(values[0]))
    for axis, v in zip("yts", values, strict=True):
        assert [joint.labels[axis][code] for code in cells.rows[:, "yts".index(axis)]] == list(v)
    np.testing.assert_array_equal(joint_from_samples(*values).counts, joint.counts)
    np.testing.assert_array_equal(cells_of_samples(*values), cells.rows)


def test_pid_from_representations_encodes_each_variable_once():
    encoded = []

    def counting(values, name, *args, **options):
        encoded.append(name)
        return encode(values, name, *args, **options)

    encode = pidkit.samples.encode_labels
    # cells_of_samples in pidkit.estimate.inputs encoded the labels a second time, before
    with patch("pidkit.samples.encode_labels", counting), \
            patch("pidkit.estimate.inputs.encode_labels", counting, create=True):
        pid_from_representations(*_samples(), bootstrap=2, n_repeats=2, progress=False)
        bootstrap(*_samples(), n_boot=2, progress=False)
    assert encoded == ["y", "t", "s"] * 2


def test_sample_cells_are_compared_with_the_table_not_counted_again():
    joint, cells = encoded_samples(*_samples())
    with patch("numpy.bincount", side_effect=AssertionError("counted again")):
        assert check_sample_cells(cells, joint.counts.copy()) is cells.index
        statistic = PIDStatistic(joint.counts, sample_cells=cells)
    assert statistic.cells is cells.index


_COUNTS = np.array([[[1, 0], [0, 2]]])
_WHAT = (r"sample_cells must hold one row \(y, t, s\) of indices into counts per sample, shape "
         r"\(3, 3\) for the 3 samples counts holds")
_NOT_COUNTS = (r"sample_cells must hold the cells of the samples counts was counted from; ")


@pytest.mark.parametrize(("sample_cells", "error", "message"), [
    ([], ValueError, _WHAT + r"; got shape \(0,\)\.$"),
    ([3, 0, 3], ValueError, _WHAT + r"; got shape \(3,\)\.$"),  # flat cells are not rows
    ([[0.0, 1.0, 1.0]], ValueError, _WHAT + r"; got shape \(1, 3\)\.$"),
    ([[0.0, 1.0, 1.0]] * 3, TypeError, _WHAT + r", as ints; got dtype float64\.$"),
    ([[True, True, True]] * 3, TypeError, _WHAT + r", as ints; got dtype bool\.$"),
    ([[0, 1, 1], [0, 0, 0], [0, 1, 2]], ValueError,
     _WHAT + r"; row 2 has index 2 on axis 2, where counts has 2 values \(indices 0 to 1\)\.$"),
    ([[0, 1, 1], [-1, 0, 0], [0, 1, 1]], ValueError,
     _WHAT + r"; row 1 has index -1 on axis 0, where counts has 1 values \(indices 0 to 0\)\.$"),
    ([[0, 1, 1], [0, 0, 0], [0, 0, 0]], ValueError,
     _NOT_COUNTS + r"it puts 2 samples in cell \(0, 0, 0\), where counts holds 1\. Pass each sample's"),
    (SampleCells(np.array([3, 0, 0]), (1, 2, 2)), ValueError,
     _NOT_COUNTS + r"it puts 2 samples in cell \(0, 0, 0\), where counts holds 1\. Pass each sample's"),
    (SampleCells(np.array([3, 0, 3]), (1, 4)), ValueError,
     _NOT_COUNTS + r"its table has shape \(1, 4\), counts \(1, 2, 2\)\. Pass each sample's"),
])
def test_sample_cells_mistakes_are_told_shape_first_then_dtype_then_range(sample_cells, error, message):
    with pytest.raises(error, match=message):
        check_sample_cells(sample_cells, _COUNTS)
    with pytest.raises(error, match=message):  # where a user passes them
        correct_counts(_COUNTS, sample_cells=sample_cells, method="none")
    with pytest.raises(error, match=message):
        PIDStatistic(_COUNTS, sample_cells=sample_cells)


@pytest.mark.parametrize(("index", "shape", "got"), [
    ([[3, 0]], (1, 2, 2), "shape (1, 2), dtype int64"),
    ([0.0, 1.0], (1, 2, 2), "shape (2,), dtype float64"),
    ([0, 4], (1, 2, 2), "shape (2,), dtype int64"),
    ([-1, 0], (1, 2, 2), "shape (2,), dtype int64"),
])
def test_sample_cells_refuse_an_index_outside_the_table(index, shape, got):
    with pytest.raises(ValueError, match=re.escape(
            f"index must be a 1-D array of ints in [0, 4), the flat cells of a table of shape (1, 2, 2); "
            f"got {got}.")):
        SampleCells(np.array(index), shape)
