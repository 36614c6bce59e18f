"""Where T and S tie (equally informative), the corrected Gaussian estimate's informations are
unbiased but its Red and Syn are biased low by the expected minimum of two noisy equal values
(walk 373, finding 1; docs/performance.md, "Estimator bias"), a limit the docs state."""

from __future__ import annotations

import numpy as np
import pytest

import pidkit
from pidkit.gaussian.examples import tied

DRAWS, N = 300, 200


@pytest.fixture(scope="module")
def estimates():
    ex = tied(1, 3, rng=0)
    root = np.linalg.cholesky(ex.cov)
    rng = np.random.default_rng(1)
    rows = []
    for _ in range(DRAWS):
        x = rng.standard_normal((N, 7)) @ root.T
        r = pidkit.gaussian_pid_from_samples(x[:, :1], x[:, 1:4], x[:, 4:])
        rows.append([r.red, r.uni_t, r.uni_s, r.syn, r.i_yt, r.i_ys, r.i_yts])
    return ex, np.array(rows)


def test_the_corrected_informations_are_unbiased_at_a_tie(estimates):
    ex, rows = estimates
    truth = pidkit.gaussian_pid(ex.cov, ex.dims)
    error = rows[:, 4:].std(axis=0) / np.sqrt(DRAWS)
    assert np.all(np.abs(rows[:, 4:].mean(axis=0) - [truth.i_yt, truth.i_ys, truth.i_yts]) < 4 * error)


def test_red_and_syn_are_biased_low_by_the_expected_minimum(estimates):
    ex, rows = estimates
    red, uni_t, uni_s, syn, i_yt, i_ys, _ = rows.T
    # every draw keeps the atoms >= 0 and the identities, so Red <= min(i_yt, i_ys) ...
    assert np.all(red <= np.minimum(i_yt, i_ys) + 1e-12) and np.all(uni_t >= 0) and np.all(uni_s >= 0)
    # ... and its mean falls short of the truth by E[min(A, B)] - a = -sd(A - B) / sqrt(2 pi) for
    # normal A, B of equal means (Clark 1961), sd measured over the draws: about 0.4 sd
    expected = -np.std(i_yt - i_ys) / np.sqrt(2 * np.pi)
    for atom, values in (("red", red), ("syn", syn)):
        bias = values.mean() - ex.atoms[atom]
        error = values.std() / np.sqrt(DRAWS)
        assert bias < -3 * error                                   # biased low, beyond noise
        assert bias == pytest.approx(expected, abs=4 * error)
