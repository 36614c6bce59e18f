"""Renaming the labels of y, t or s leaves a seeded estimate unchanged (task 309).

The PID is invariant to relabelling each variable, which only permutes the axes of the count
table. The subsample partitions and bootstrap resamples were drawn from the table cell by cell,
so a relabelling changed which samples shared a piece, and the corrected atoms and interval ends
moved by up to 0.03 and 0.06 bits at a fixed ``random_state``. They are now drawn as positions of
the samples: the tables agree exactly up to the axis permutation, and the numbers to the solver's
rounding (the plug-in PID of a permuted table differs in the 16th digit).
"""

from __future__ import annotations

from types import SimpleNamespace
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pidkit import joint_from_samples
from pidkit.estimate import (
    BIAS_CORRECTIONS,
    PIDStatistic,
    bootstrap,
    correct_counts,
    pid_from_representations,
)
from pidkit.estimate.correction import QUANTITIES, subsample_tables
from pidkit.estimate.inputs import cells_of_samples

_ROUNDING = 1e-12
"""How far numbers of a relabelled sample may differ: the solver's rounding, not the partitions."""


def _samples(n: int = 320, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """4 labels, 5 teacher and 5 student values, Y = T + S mod 4 with 30 % label noise."""
    rng = np.random.default_rng(seed)
    t, s = rng.integers(0, 5, n), rng.integers(0, 5, n)
    y = np.where(rng.random(n) < 0.7, (t + s) % 4, rng.integers(0, 4, n))
    return y, t, s


def _relabelled(samples: tuple[np.ndarray, ...], axis: int, seed: int) -> tuple[np.ndarray, ...]:
    """``samples`` with the labels of variable ``axis`` renamed by a random permutation."""
    values = samples[axis]
    perm = np.random.default_rng(seed).permutation(int(values.max()) + 1)
    assert (perm != np.arange(perm.size)).any()
    return tuple(perm[v] if i == axis else v for i, v in enumerate(samples))


def _numbers(res) -> dict[str, np.ndarray]:
    return {
        "corrected": np.array([res.correction.corrected[q] for q in QUANTITIES]),
        "bias": np.array([res.correction.bias[q] for q in QUANTITIES]),
        "intervals": np.array([res.intervals[q] for q in QUANTITIES]),
    }


@pytest.mark.filterwarnings("ignore::pidkit.estimate.PluginBiasWarning")  # bias_correction="none"
@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("method", BIAS_CORRECTIONS)
def test_relabelling_any_variable_leaves_the_estimate_and_intervals(method, n_jobs):
    samples = _samples()
    options = {"bias_correction": method, "bootstrap": 12, "n_jobs": n_jobs, "random_state": 3,
               "progress": False}
    base = _numbers(pid_from_representations(*samples, **options))
    for axis in range(3):
        renamed = _numbers(pid_from_representations(*_relabelled(samples, axis, seed=axis), **options))
        for key, values in base.items():
            np.testing.assert_allclose(renamed[key], values, rtol=0, atol=_ROUNDING,
                                       err_msg=f"{key}, variable {'yts'[axis]} relabelled")


def test_relabelling_leaves_the_plugin_bootstrap_intervals():
    samples = _samples(seed=1)
    base = bootstrap(*samples, n_boot=30, random_state=5, progress=False)["intervals"]
    for axis in range(3):
        y, t, s = _relabelled(samples, axis, seed=10 + axis)
        # t and s as generators too: they are read twice (the table, and each sample's cell)
        renamed = bootstrap(y, (v for v in t.tolist()), iter(s.tolist()), n_boot=30, random_state=5,
                            progress=False)["intervals"]
        np.testing.assert_allclose([renamed[q] for q in QUANTITIES], [base[q] for q in QUANTITIES],
                                   rtol=0, atol=_ROUNDING)


@st.composite
def _relabelled_pairs(draw):
    """Samples of up to 4 x 4 x 4 values and a random renaming of each variable's labels."""
    n = draw(st.integers(8, 60))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    sizes = [draw(st.integers(1, 4)) for _ in range(3)]
    samples = tuple(rng.permutation(np.arange(n) % k) for k in sizes)  # every label occurs
    perms = [rng.permutation(k) for k in sizes]
    return samples, tuple(p[v] for p, v in zip(perms, samples, strict=True)), perms


def _in_renamed_order(table: np.ndarray, perms: list[np.ndarray]) -> np.ndarray:
    """``table`` with axis ``i``'s label ``v`` moved to ``perms[i][v]``, where the renamed label sorts."""
    return table[np.ix_(*(np.argsort(p) for p in perms))]


@given(_relabelled_pairs(), st.integers(0, 2**32 - 1))
def test_subsample_tables_of_relabelled_samples_are_the_same_tables_permuted(pair, seed):
    samples, renamed, perms = pair
    tables = [subsample_tables(joint_from_samples(*v).counts, (2, 3), 2, seed, _flat_cells(v))
              for v in (samples, renamed)]
    assert len(tables[0]) == len(tables[1]) == 10
    for original, relabelled in zip(*tables, strict=True):
        np.testing.assert_array_equal(relabelled, _in_renamed_order(original, perms))


@given(_relabelled_pairs(), st.integers(0, 2**32 - 1))
def test_bootstrap_resamples_of_relabelled_samples_are_the_same_samples(pair, seed):
    samples, renamed, perms = pair
    handed = []  # what each replicate hands to its correction: the resample's table and cells

    def record(draw, **options):
        assert options["sample_cells"].counts is draw  # the table counted from the cells, once
        handed.append((draw, options["sample_cells"].rows, options["random_state"]))
        return SimpleNamespace(corrected=dict.fromkeys(QUANTITIES, 0.0))

    with patch("pidkit.estimate.bootstrap.correct_counts", record):
        for values in (samples, renamed):
            counts = joint_from_samples(*values).counts
            PIDStatistic(counts, sample_cells=cells_of_samples(*values))(np.random.default_rng(seed))
    (table, cells, state), (renamed_table, renamed_cells, renamed_state) = handed
    np.testing.assert_array_equal(renamed_table, _in_renamed_order(table, perms))
    renamed_rows = np.column_stack([p[c] for p, c in zip(perms, cells.T, strict=True)])
    np.testing.assert_array_equal(renamed_cells, renamed_rows)
    assert renamed_state == state


def _flat_cells(samples: tuple[np.ndarray, ...]) -> np.ndarray:
    counts = joint_from_samples(*samples).counts
    return np.ravel_multi_index(tuple(cells_of_samples(*samples).T), counts.shape)


def test_count_tables_alone_still_draw_cell_by_cell():
    # Without the samples' order the partitions follow the table's cells, as documented: the same
    # numbers as before sample_cells existed (the benchmarks' path), and the same as passing the
    # samples sorted by cell.
    y, t, s = _samples(seed=2)
    counts = joint_from_samples(y, t, s).counts
    by_cell = np.column_stack(np.unravel_index(np.repeat(np.arange(counts.size), counts.ravel()),
                                               counts.shape))
    alone = correct_counts(counts, method="extrapolation", n_jobs=1)
    sorted_samples = correct_counts(counts, method="extrapolation", n_jobs=1, sample_cells=by_cell)
    recipe = np.column_stack([np.unique(v, return_inverse=True)[1] for v in (y, t, s)])  # the docstring's
    np.testing.assert_array_equal(recipe, cells_of_samples(y, t, s))
    given_order = correct_counts(counts, method="extrapolation", n_jobs=1, sample_cells=recipe)
    assert alone.corrected == sorted_samples.corrected
    assert alone.corrected != given_order.corrected
    assert round(alone.corrected["syn"], 6) == 0.872791


def test_sample_cells_that_do_not_match_the_counts_are_refused():
    y, t, s = _samples(n=40, seed=3)
    counts = joint_from_samples(y, t, s).counts
    cells = cells_of_samples(y, t, s)
    with pytest.raises(ValueError, match=r"sample_cells must hold one row \(y, t, s\) of indices into "
                                         r"counts per sample, shape \(40, 3\) for the 40 samples counts "
                                         r"holds; got shape \(39, 3\)\."):
        correct_counts(counts, sample_cells=cells[1:], method="none")
    with pytest.raises(TypeError, match=r"shape \(40, 3\) for the 40 samples counts holds, as ints; "
                                        r"got dtype float64\."):
        PIDStatistic(counts, sample_cells=cells.astype(float))
    outside = cells.copy()
    outside[7, 2] = 5
    with pytest.raises(ValueError, match=r"row 7 has index 5 on axis 2, where counts has 5 values "
                                         r"\(indices 0 to 4\)\."):
        correct_counts(counts, sample_cells=outside, method="none")
    flat = np.ravel_multi_index(tuple(cells.T), counts.shape)
    first, last = int(np.argmin(flat)), int(np.argmax(flat))
    moved = cells.copy()
    moved[first] = cells[last]  # the first cell in the table's order loses a sample
    y0, t0, s0 = (int(i) for i in cells[first])
    with pytest.raises(ValueError, match=rf"it puts {counts[y0, t0, s0] - 1} samples in cell "
                                         rf"\({y0}, {t0}, {s0}\), where counts holds "
                                         rf"{counts[y0, t0, s0]}\. Pass each sample's \(y, t, s\) indices"):
        correct_counts(counts, sample_cells=moved, method="none")
