"""The interaction information of the default correction takes one estimator decision per table.

Before: each of its four entropies H(Y|T) + H(Y|S) - H(Y|T,S) - H(Y) left every row with at least
10 samples per label to Grassberger's estimator and gave the others their empirical-Bayes posterior
mean, row by row. With 100 labels and n = 1000 the single row of H(Y) holds 10 samples per label
and the rows of H(Y|T), H(Y|S) about 5: H(Y) alone changed estimator, the empirical-Bayes bias of
the other three stopped cancelling, and an independent joint (every atom 0) got an interaction
information of -0.12 bits; one sample less (H(Y) below the threshold too) gave -0.01.
"""

from __future__ import annotations

import numpy as np
import pytest

from pidkit.estimate import correct_counts, dirichlet, eb_conditional_entropy
from pidkit.estimate.dirichlet import eb_interaction_information


def _independent(n_y: int, n_t: int, n_s: int, n: int, seed: int) -> np.ndarray:
    cells = n_y * n_t * n_s
    return np.random.default_rng(seed).multinomial(n, np.full(cells, 1 / cells)).reshape(n_y, n_t, n_s)


def _four_entropies(counts: np.ndarray) -> float:
    """H(Y|T) + H(Y|S) - H(Y|T,S) - H(Y) in bits, each by eb_conditional_entropy."""
    n_y = counts.shape[0]
    h_y = eb_conditional_entropy(counts.sum(axis=(1, 2))[None, :])
    h_y_t = eb_conditional_entropy(counts.sum(axis=2).T)
    h_y_s = eb_conditional_entropy(counts.sum(axis=1).T)
    h_y_ts = eb_conditional_entropy(counts.reshape(n_y, -1).T)
    return ((h_y_t - h_y_ts) + (h_y_s - h_y)) / np.log(2)


def test_one_sample_less_does_not_move_a_many_label_interaction_information():
    counts = _independent(100, 2, 2, 1000, seed=0)
    fewer = counts.copy()
    fewer[np.unravel_index(np.argmax(counts), counts.shape)] -= 1
    assert (counts.sum(axis=(1, 2)) > 0).all()  # 100 labels: H(Y)'s row holds 10 per label, fewer's not
    full, less = eb_interaction_information(counts, "bits"), eb_interaction_information(fewer, "bits")
    assert full == pytest.approx(less, abs=1e-3)  # were -0.1219 and -0.0100
    assert abs(full) < 0.02  # the truth is 0


def test_an_independent_many_label_joint_has_no_corrected_synergy():
    fix = correct_counts(_independent(100, 2, 2, 1000, seed=0))
    assert fix.corrected["syn"] == pytest.approx(0.0, abs=0.03)  # was -0.122 (the plug-in +0.104)
    assert fix.corrected["i_yts"] == pytest.approx(0.0, abs=0.05)  # was -0.144


def test_sparse_pairwise_rows_put_every_row_of_the_four_tables_to_empirical_bayes(monkeypatch):
    counts = _independent(100, 2, 2, 1000, seed=1)  # rows of H(Y|T), H(Y|S): about 5 per label
    value = eb_interaction_information(counts, "bits")
    monkeypatch.setattr(dirichlet, "DENSE_ROW_SAMPLES_PER_LABEL", np.inf)  # no row is dense
    assert value == pytest.approx(_four_entropies(counts), rel=1e-12)


def test_well_dense_pairwise_rows_leave_every_dense_row_to_grassberger():
    # 4 labels, n = 2500, T = 0 nine times in ten: every pairwise row holds at least 20 samples per
    # label (twice the threshold: Grassberger's estimator fully let in), and every row of H(Y|T,S)
    # either at least 10 per label (T = 0: Grassberger's) or under 7 (T = 1: the empirical Bayes),
    # none in between, where the two are blended.
    p = np.einsum("y,t,s->yts", np.full(4, 0.25), np.array([0.9, 0.1]), np.full(25, 1 / 25))
    counts = np.random.default_rng(2).multinomial(2500, p.ravel()).reshape(p.shape)
    per_label = dirichlet.DENSE_ROW_SAMPLES_PER_LABEL * 4
    assert min(counts.sum(axis=(0, 2)).min(), counts.sum(axis=(0, 1)).min()) >= 2 * per_label
    rows = counts.reshape(4, -1).sum(axis=0)
    assert ((rows >= per_label) | (rows < 0.7 * per_label)).all()
    assert (rows < per_label).any() and (rows >= per_label).any()
    assert eb_interaction_information(counts, "bits") == pytest.approx(_four_entropies(counts), rel=1e-12)


def _with_rare_t_value(counts: np.ndarray, k: int, seed: int) -> np.ndarray:
    """``counts`` with ``k`` samples of T = 0, picked at random, moved to a new value of T: an
    independent coin, so the joint's interaction information is the same."""
    rng = np.random.default_rng(seed)
    out = np.concatenate([counts, np.zeros((counts.shape[0], 1, counts.shape[2]), counts.dtype)], axis=1)
    for _ in range(k):
        row = out[:, 0, :]
        y, s = np.unravel_index(rng.choice(row.size, p=row.ravel() / row.sum()), row.shape)
        out[y, 0, s] -= 1
        out[y, -1, s] += 1
    return out


def test_a_rare_source_value_does_not_switch_the_whole_table_to_empirical_bayes():
    # Y a noisy copy of T (kept with probability 0.8), S independent, 10 x 10 x 10, n = 2000: the
    # rows of H(Y|T) and H(Y|S) hold about 200 samples, 20 per label, all dense. Three samples of
    # T = 0 moved to an 11th value (a rare cluster) made that row sparse, and with it every row of
    # the four tables went to the empirical Bayes: the value (truth 0) went from +0.013 to +0.058 bits.
    y_t = np.full((10, 10), 0.02) + 0.8 * np.eye(10)
    p = np.repeat(y_t[:, :, None] / 100, 10, axis=2)
    counts = np.random.default_rng(3).multinomial(2000, p.ravel()).reshape(p.shape)
    rare = _with_rare_t_value(counts, 3, seed=4)
    assert rare.sum(axis=(0, 2))[-1] == 3 and rare.sum(axis=(0, 2))[:-1].min() >= 100
    value = eb_interaction_information(rare, "bits")
    assert value == pytest.approx(eb_interaction_information(counts, "bits"), abs=0.005)  # was 0.045 off
    assert value == pytest.approx(0.0, abs=0.02)  # the truth; all empirical Bayes gave 0.058
