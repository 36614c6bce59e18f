"""The default correction's interaction information is continuous in the data.

Before: its four entropies switched, all at once, from the empirical Bayes to Grassberger's
estimator for their dense rows when the dense rows (10 samples per label) of each pairwise table
held 95 % of its samples. With many labels the rows of H(Y|T,S) are still sparse there, and the
empirical Bayes's low bias on them stopped cancelling: one sample more moved an independent
100 x 2 x 2 table (every atom 0) from -0.006 to +0.085 bits, and a 100 x 10 x 10 one from -0.026
to +0.077. Now a weight moves smoothly between the estimators (see
``pidkit.estimate.dirichlet.eb_interaction_information``).

The bound on one sample's step, 0.01 bits: one sample is 1/2000 to 1/10,000 of these tables, and
along the same stream of samples the plug-in interaction information of the 100 x 2 x 2 table
never moves by more than 0.0015 bits per sample (n = 1900 to 4600); the estimate's spread over
draws at these n is 0.006 bits or less. A step of 0.01 is already several samples' worth.
"""

from __future__ import annotations

import numpy as np
import pytest

from pidkit.estimate.dirichlet import eb_interaction_information

ONE_SAMPLE_STEP_BOUND = 0.01


def _stream(shape: tuple[int, int, int], length: int, seed: int) -> np.ndarray:
    """Cell indices of ``length`` i.i.d. samples of the uniform (independent) joint of ``shape``."""
    return np.random.default_rng(seed).integers(0, int(np.prod(shape)), length)


def _counts(stream: np.ndarray, shape: tuple[int, int, int], n: int) -> np.ndarray:
    return np.bincount(stream[:n], minlength=int(np.prod(shape))).reshape(shape)


def _steps(shape: tuple[int, int, int], sizes: list[int], seed: int = 0) -> np.ndarray:
    """|estimate(n + 1) - estimate(n)| in bits for each n in ``sizes``, along one stream."""
    stream = _stream(shape, max(sizes) + 1, seed)
    return np.array([
        abs(eb_interaction_information(_counts(stream, shape, n + 1), "bits")
            - eb_interaction_information(_counts(stream, shape, n), "bits"))
        for n in sizes
    ])


def test_one_sample_more_does_not_step_an_independent_100x2x2_table():
    # Seed 0: the old switch came between n = 2083 and 2084 (+0.091 bits); the new weights move
    # between n of about 3000 and 4700 (pairwise rows 10 to 20 samples per label).
    sizes = [*range(2075, 2095), *range(3000, 4800, 150)]
    steps = _steps((100, 2, 2), sizes)
    assert steps.max() <= ONE_SAMPLE_STEP_BOUND, (sizes[int(np.argmax(steps))], steps.max())


def test_one_sample_more_does_not_step_an_independent_100x10x10_table():
    # A 100-class test set of about 10,000 in 10 x 10 clusters; seed 0: the old switch came
    # between n = 10,432 and 10,433 (-0.026 to +0.077 bits).
    steps = _steps((100, 10, 10), [10_432])
    assert steps.max() <= ONE_SAMPLE_STEP_BOUND, steps


@pytest.mark.parametrize("n", [2500, 4000, 6000])
def test_an_independent_100x2x2_table_has_no_interaction_information(n):
    # Y, T, S independent: the truth is 0. Between n = 2000 and 4000 it was +0.08 to +0.09 bits.
    shape = (100, 2, 2)
    value = eb_interaction_information(_counts(_stream(shape, n, 1), shape, n), "bits")
    assert value == pytest.approx(0.0, abs=0.015)


def test_sparse_rows_beside_dense_pairwise_tables_keep_no_empirical_bayes_bias():
    # Independent 100 x 10 x 10, n = 25,000: pairwise rows of 25 samples per label (Grassberger's
    # estimator fully in), the rows of H(Y|T,S) 2.5 per label (the empirical Bayes). With the
    # floor's concentration capped at 1e3 the empirical Bayes put each such row about
    # 99 / (2 (1000 + 250)) nats (0.057 bits) below the marginal's entropy, uncancelled: the
    # estimate was +0.073 bits.
    shape = (100, 10, 10)
    value = eb_interaction_information(_counts(_stream(shape, 25_000, 2), shape, 25_000), "bits")
    assert value == pytest.approx(0.0, abs=0.02)
