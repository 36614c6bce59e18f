"""Conditional entropy H(Y|X) from counts by empirical Bayes over a spike-and-floor Dirichlet family.

With a few samples per value of X (4.5 on average for the 100 (t, s) pairs of a 10 x 10 x 10 audit
joint at n = 450) the plug-in H(Y|X=x) of each row is far too small, and first-order corrections
(Miller-Madow, the jackknife, extrapolation in 1/n) are far from enough. The rows are many, though,
and they share their shape: each conditional p(y|x) is typically a peak on one label over a floor.
This estimator learns that shape from all rows at once and averages the entropy over what each
row's counts leave possible.

Prior of one row: p(.|x) ~ Dirichlet(beta_f m + beta_s e_j), with m the marginal of Y (the
"floor"), e_j a unit vector (a "spike" on label j, drawn with probability m_j), and (beta_f, beta_s)
from a fixed grid (beta_s = 0 gives the plain symmetric family). The mixture weights over the grid
maximise the marginal (Dirichlet-multinomial) likelihood of all rows: non-parametric empirical
Bayes, solved to a certified maximum by ``mixture_weights.maximum_likelihood_weights`` (until task
310, 500 EM iterations from uniform weights, which stopped up to 0.07 nats of log-likelihood short
of it on audit-sized tables). Each row's estimate is its posterior mean entropy, in closed form
(Wolpert & Wolf 1995): E[H] = psi(A + 1) - sum_y (a_y / A) psi(a_y + 1), A = sum_y a_y.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import overload

import numpy as np
from scipy.special import digamma, gammaln

from .._units import from_nats
from .._validate import check_pmf
from .inputs import check_counts
from .mixture_weights import maximum_likelihood_weights

__all__ = [
    "DENSE_ROW_SAMPLES_PER_LABEL",
    "FLOOR_GRID",
    "RAREST_LABEL_SAMPLES",
    "SPIKE_GRID",
    "dense_label_count",
    "eb_conditional_entropy",
    "eb_interaction_information",
    "grassberger_entropy",
]

FLOOR_GRID = np.logspace(-2, 5, 22)
"""Concentrations beta_f of the floor (a multiple of the marginal of Y), 3.1 per decade. Up to 1e5:
rows that are draws from the marginal (a source independent of Y) are fitted by the tightest floor
on the grid, and a row's posterior mean entropy sits about (K - 1) / (2 (beta_f + n_x)) nats below
the entropy of its posterior mean (K labels). With the grid's top at 1e3 that was 0.045 nats on
rows of 100 samples over 100 labels, a bias the estimate of a dense table beside it does not share."""
SPIKE_GRID = np.concatenate([[0.0], np.logspace(-1, 2.5, 10)])
"""Concentrations beta_s of the spike on one label (0: no spike)."""
DENSE_ROW_SAMPLES_PER_LABEL = 10
"""Rows with at least this many samples per label are estimated on their own (Grassberger 2003):
there the data decide, and a prior learned from many similar rows can only pull them off (it is
tight and sits on a grid point). :func:`eb_conditional_entropy` switches there row by row;
:func:`eb_interaction_information` moves between the two estimators smoothly around it."""
RAREST_LABEL_SAMPLES = 1.0
"""A row counts as dense only where, at the dense threshold, it also expects this many samples of
the rarest label (of the marginal of Y): the rules below count samples per label in units of
:func:`dense_label_count`, ``max(K, RAREST_LABEL_SAMPLES / (DENSE_ROW_SAMPLES_PER_LABEL * min_y m_y))``.
Grassberger's estimator is accurate once every label with mass has a few samples; a row that
mostly holds 0 or 1 of a label is where its singleton term goes wrong. Y with one class seen 2
times in 1000 (T and S pure noise, 10 clusters each: rows of about 100 samples, 50 per label on
average) had H(Y|T) and H(Y|S) by Grassberger's estimator (0.031 and 0.026 bits in one draw,
H(Y) = 0.021) and H(Y|T,S)'s sparse rows by the empirical Bayes, and the corrected I(Y;T,S)
above the plug-in in 10 draws of 10 (0 of 10 with this rule). At 1 the rule leaves a label down
to a tenth of its uniform share (1 / K) alone: in ``benchmarks.estimate_bias``' grid (seed 0, 20
draws) only 3 draws of ``sum10`` at n = 450 have a rarer label, and there no row is dense either way,
so every cell is unchanged."""
_ROW_RAMP = (0.7, 1.0)
"""In :func:`eb_interaction_information`, a row's weight on Grassberger's estimator rises smoothly
from 0 at 0.7 to 1 at 1.0 times ``DENSE_ROW_SAMPLES_PER_LABEL`` samples per label."""
_PAIRWISE_RAMP = (1.0, 2.0)
"""A row of a pairwise table (Y by T, Y by S) counts as dense from 0 at 1 to 1 at 2 times
``DENSE_ROW_SAMPLES_PER_LABEL`` samples per label ..."""
_DENSE_SHARE = (0.9, 1.0)
"""... and Grassberger's estimator is let in from 0 to fully as the dense share of the samples of
the sparser pairwise table goes from 0.9 to 1."""
_CHUNK_ELEMENTS = 2_000_000


def _row_posteriors(counts: np.ndarray, base: np.ndarray, floor: np.ndarray, spike: np.ndarray):
    """Per component k and row x: the log-likelihood (the spike location j summed out) and the
    posterior mean entropy (j averaged over its posterior), both of shape (k, x).

    A label without samples in a row changes neither term's dependence on the row: its
    likelihood factor is 1 and its entropy term depends on (k, j) only. So the special functions
    are evaluated on the row's nonzero counts only, and the zero counts enter through (k, j)
    tables and one matrix product: with 1,000 labels most of a row's counts are 0.
    """
    n_x = counts.sum(axis=1)
    total = floor + spike  # (k,)
    s = spike[:, None]
    a = floor[:, None] * base[None, :]  # (k, y): the floor
    # Zero counts: alpha = a, so the likelihood terms are 0 and the entropy terms these tables.
    zero_sum = a * digamma(a + 1)  # (k, y): alpha * psi(alpha + 1)
    zero_adj = (a + s) * digamma(a + s + 1) - zero_sum  # (k, y): what a spike on j adds to it
    empty = (counts == 0).T.astype(np.float64)  # (y, x)
    rows, cols = np.nonzero(counts)  # row-major: each row's nonzero labels together, rows in order
    starts = np.searchsorted(rows, np.arange(counts.shape[0]))  # every row has a sample
    a_nz = a[:, cols]  # (k, m)
    alpha = counts[rows, cols][None, :] + a_nz
    ll = gammaln(alpha) - gammaln(a_nz)
    term = alpha * digamma(alpha + 1)
    # The spike adds beta_s to one label j: only that label's terms change.
    adj_ll = (gammaln(alpha + s) - gammaln(a_nz + s)) - ll
    adj_sum = (alpha + s) * digamma(alpha + s + 1) - term
    base_ll = np.add.reduceat(ll, starts, axis=1)  # (k, x)
    base_sum = zero_sum @ empty + np.add.reduceat(term, starts, axis=1)  # (k, x)
    head = gammaln(total)[:, None] - gammaln(n_x[None, :] + total[:, None])  # (k, x)
    # sum_j base_j exp(adj_ll_j), adj_ll_j = 0 for labels without samples, shifted by its maximum.
    shift = np.maximum(np.maximum.reduceat(adj_ll, starts, axis=1), 0.0)  # (k, x)
    weight = base[cols] * np.exp(adj_ll - shift[:, rows])  # (k, m)
    outside = np.exp(-shift)
    evidence = outside * (base @ empty) + np.add.reduceat(weight, starts, axis=1)
    loglik = head + base_ll + shift + np.log(evidence)
    spread = outside * ((zero_adj * base) @ empty) + np.add.reduceat(weight * adj_sum, starts, axis=1)
    big = n_x[None, :] + total[:, None]  # (k, x)
    entropy = digamma(big + 1) - (base_sum + spread / evidence) / big
    return loglik, entropy


def grassberger_entropy(counts: np.ndarray) -> np.ndarray:
    """Grassberger's (2003) entropy estimate, in nats, of each row of ``counts``.

    ``H = log n - (1/n) sum_i k_i G(k_i)`` with ``G(k) = psi(k) + (-1)**k (psi((k+1)/2) - psi(k/2)) / 2``;
    its bias falls much faster than the plug-in's once every label with mass has a few samples.

    Examples
    --------
    >>> import numpy as np
    >>> [round(float(h), 3) + 0.0 for h in grassberger_entropy(np.array([[50, 50], [100, 0]]))]  # no -0.0
    [0.693, 0.0]
    """
    counts = np.asarray(counts, dtype=np.float64)
    n = counts.sum(axis=1)
    safe = np.where(counts > 0, counts, 1.0)
    g = digamma(safe) + 0.5 * (-1.0) ** safe * (digamma((safe + 1) / 2) - digamma(safe / 2))
    return np.log(n) - np.sum(np.where(counts > 0, counts * g, 0.0), axis=1) / n + 0.0


def eb_conditional_entropy(counts: np.ndarray, base: np.ndarray | None = None) -> float:
    """Empirical-Bayes estimate of H(Y|X), in nats, from a count table ``counts[x, y]``.

    The prior is fitted on every row (its mixture weights the maximum of the rows' marginal
    likelihood, certified to 1e-7 nats per row); sparse rows get their posterior mean entropy,
    rows with at least ``DENSE_ROW_SAMPLES_PER_LABEL`` samples per label (labels counted by
    :func:`dense_label_count`, which counts a rare label as more) their Grassberger estimate.

    Parameters
    ----------
    counts : numpy.ndarray of shape (n_x, n_y)
        Sample counts of (X = x, Y = y), ints or floats holding whole numbers; rows without
        samples are ignored. Anything else (another shape, probabilities, negative or non-finite
        entries, no samples at all) is a ValueError.
    base : numpy.ndarray of shape (n_y,), optional
        The floor's shape (non-negative finite masses, rescaled to sum to 1); default the observed
        marginal of Y. Labels with zero base mass are left out (they cannot occur).

    Returns
    -------
    float
        ``sum_x p(x) E[H(Y | X = x) | counts]`` in nats, ``p(x)`` the observed frequencies.

    Examples
    --------
    Y a copy of X (10 values, 5 samples per value): the plug-in H(Y|X) is 0 and so is the truth;
    Y independent of X: the plug-in says about 1.4 nats where the truth is log 10 = 2.30.

    >>> from pidkit.estimate import eb_conditional_entropy
    >>> import numpy as np
    >>> copy = 5 * np.eye(10)
    >>> round(eb_conditional_entropy(copy), 2)
    0.0
    >>> rng = np.random.default_rng(0)
    >>> noise = np.stack([np.bincount(rng.integers(0, 10, 5), minlength=10) for _ in range(400)])
    >>> round(eb_conditional_entropy(noise), 1)
    2.3
    """
    counts = check_counts(counts, "counts", "(n_x, n_y)").astype(np.float64)
    if base is not None:
        base = check_pmf(base, name="base", normalize=True)
        if base.shape != counts.shape[1:]:
            raise ValueError(
                f"base must hold one mass per label (column of counts), shape ({counts.shape[1]},); "
                f"got shape {base.shape}."
            )
    return _entropy(counts, counts.sum(axis=0) if base is None else base, _dense)


def dense_label_count(base: np.ndarray) -> float:
    """The number of labels the dense-row rules divide a row's samples by: the count K of labels
    with mass in ``base``, or more where a label is rare, so that a row is dense only where it
    also expects :data:`RAREST_LABEL_SAMPLES` samples of the rarest label.

    Parameters
    ----------
    base : numpy.ndarray of shape (n_y,)
        Non-negative masses of the labels (the marginal of Y, or its counts), with a positive one.

    Returns
    -------
    float
        ``max(K, RAREST_LABEL_SAMPLES / (DENSE_ROW_SAMPLES_PER_LABEL * min m))``, ``m`` the
        positive masses rescaled to sum to 1.

    Examples
    --------
    >>> import numpy as np
    >>> dense_label_count(np.array([30, 50, 20, 0]))  # three labels, none rare
    3.0
    >>> dense_label_count(np.array([998, 2]))  # one in 500: a dense row expects a sample of it
    50.0
    """
    masses = np.asarray(base, dtype=np.float64)
    share = masses[masses > 0] / masses.sum()
    return float(max(share.size, RAREST_LABEL_SAMPLES / (DENSE_ROW_SAMPLES_PER_LABEL * share.min())))


def _dense(n_x: np.ndarray, n_labels: float) -> np.ndarray:
    """Which rows of ``n_x`` samples over ``n_labels`` labels (:func:`dense_label_count`)
    Grassberger's estimator takes alone."""
    return (n_x >= DENSE_ROW_SAMPLES_PER_LABEL * n_labels).astype(np.float64)


@overload
def _smoothstep(u: np.ndarray) -> np.ndarray: ...
@overload
def _smoothstep(u: float) -> float: ...
def _smoothstep(u: np.ndarray | float) -> np.ndarray | float:
    """3 u^2 - 2 u^3 of ``u`` clipped to [0, 1]: 0 at and below 0, 1 at and above 1, flat at both."""
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def _smooth_ramp(n_x: np.ndarray, n_labels: float, ramp: tuple[float, float]) -> np.ndarray:
    """0 below ``ramp[0]``, 1 above ``ramp[1]`` times ``DENSE_ROW_SAMPLES_PER_LABEL`` samples per
    label, between them a smoothstep in the logarithm of the samples per label."""
    start = ramp[0] * DENSE_ROW_SAMPLES_PER_LABEL * n_labels
    # log 0 = -inf, clipped to 0: a row without samples (a value of T or S never seen), or an
    # infinite DENSE_ROW_SAMPLES_PER_LABEL (no row dense; tests set it so).
    with np.errstate(divide="ignore"):
        return _smoothstep(np.log(np.asarray(n_x, dtype=np.float64) / start) / np.log(ramp[1] / ramp[0]))


def _entropy(counts: np.ndarray, base: np.ndarray,
             grassberger_weight: Callable[[np.ndarray, float], np.ndarray]) -> float:
    """H(Y|X) in nats from checked float counts and non-negative label masses ``base``: each row
    ``w`` times its Grassberger estimate plus ``1 - w`` times its empirical-Bayes posterior mean,
    ``w = grassberger_weight(n_x, dense_label_count(base))`` (0 everywhere: every row by the
    empirical Bayes)."""
    keep = base > 0
    counts, base = counts[:, keep], base[keep] / base[keep].sum()
    counts = counts[counts.sum(axis=1) > 0]  # after leaving labels out: _row_posteriors needs a sample a row
    if base.size == 1:
        return 0.0
    floor, spike = (g.ravel() for g in np.meshgrid(FLOOR_GRID, SPIKE_GRID, indexing="ij"))

    rows = max(1, _CHUNK_ELEMENTS // (floor.size * base.size))
    chunks = [_row_posteriors(counts[start : start + rows], base, floor, spike)
              for start in range(0, counts.shape[0], rows)]
    lk = np.concatenate([loglik for loglik, _ in chunks], axis=1)  # (k, x)
    ek = np.concatenate([entropy for _, entropy in chunks], axis=1)  # (k, x)

    # The likelihoods are scaled per row (each row's largest is 1), which the weights do not see.
    scaled = np.exp(lk - lk.max(axis=0))
    weights, _ = maximum_likelihood_weights(scaled)
    posterior = weights[:, None] * scaled / (scaled.T @ weights)
    n_x = counts.sum(axis=1)
    per_row = np.sum(posterior * ek, axis=0)
    weight = grassberger_weight(n_x, dense_label_count(base))
    some = weight > 0
    per_row[some] = weight[some] * grassberger_entropy(counts[some]) + (1.0 - weight[some]) * per_row[some]
    return float(np.sum(n_x * per_row) / n_x.sum())


def _pairwise_gate(tables: tuple[np.ndarray, ...], n_labels: float) -> float:
    """How far (0 to 1) :func:`eb_interaction_information` lets Grassberger's estimator in: the
    smoothstep of the share of samples in dense rows (rows weighted by ``_PAIRWISE_RAMP``) of the
    sparser pairwise table, between the two ends of ``_DENSE_SHARE``."""
    share = min(float(np.sum(n_x * _smooth_ramp(n_x, n_labels, _PAIRWISE_RAMP)) / n_x.sum())
                for n_x in (table.sum(axis=1) for table in tables))
    return float(_smoothstep((share - _DENSE_SHARE[0]) / (_DENSE_SHARE[1] - _DENSE_SHARE[0])))


def eb_interaction_information(counts: np.ndarray, units: str) -> float:
    """The interaction information I(Y;T,S) - I(Y;T) - I(Y;S) (Syn - Red for every redundancy
    measure) from a count table ``counts[y, t, s]``, with all four entropies of

        H(Y|T) + H(Y|S) - H(Y|T,S) - H(Y)

    by the estimator of :func:`eb_conditional_entropy` (H(Y) as that of the single row of the
    marginal), with one rule for the rows of all four tables, continuous in the counts: a row of
    ``n_x`` samples over K labels gets ``g w`` times its Grassberger estimate plus ``1 - g w``
    times its empirical-Bayes posterior mean. ``w`` rises smoothly (a smoothstep in log n_x) from
    0 at 7 to 1 at 10 samples per label; ``g``, one number for the table, rises smoothly from 0 to
    1 as the share of the samples of the sparser pairwise table (Y by T, Y by S) that sit in rows
    of at least 10 to 20 samples per label (weighted the same way) goes from 0.9 to 1. Labels
    are counted by :func:`dense_label_count`: with a rare label, more than there are.

    Why one rule for the four: the empirical-Bayes entropy of sparse rows that look like the
    marginal is biased low, and that bias cancels between the four terms only if all four carry
    it (deciding row by row, H(Y) alone went to Grassberger's estimator at 10 samples per label:
    100 labels, n = 1000, Y independent of T and S, Syn -0.12 bits instead of -0.01). Why ``g``
    lets Grassberger's estimator in only once the pairwise tables are well past dense: there only
    H(Y|T,S) keeps sparse rows, and on ten labels that mix is the most accurate choice (the
    empirical Bayes on the dense rows of H(Y|T) misses by up to 0.09 bits); with many labels it
    leaves the sparse rows' low bias uncancelled, and by the time ``g`` reaches 1 for 100 x 2 x 2
    (n = 4000) the rows of H(Y|T,S) are dense too. Why smooth: this rule was a switch at 95 %
    of the pairwise samples in rows of 10 per label, and one sample more moved an independent
    100 x 2 x 2 table of 2071 samples from -0.005 to +0.093 bits.

    A source with one value gives exactly 0: H(Y|S) is then H(Y) and H(Y|T,S) is H(Y|T), the same
    rows under the same weights.

    Parameters
    ----------
    counts : ndarray of shape (n_y, n_t, n_s)
        Sample counts, label first.
    units : {"bits", "nats"}

    Returns
    -------
    float

    Examples
    --------
    Y = T xor S of two fair coins, 40 samples per cell: 1 bit of synergy, no redundancy.

    >>> counts = np.zeros((2, 2, 2))
    >>> for t in (0, 1):
    ...     for s in (0, 1):
    ...         counts[t ^ s, t, s] = 40
    >>> round(eb_interaction_information(counts, "bits"), 2)
    1.0
    >>> eb_interaction_information(counts.sum(axis=2, keepdims=True), "bits")  # S has one value
    0.0
    """
    counts = check_counts(counts, "counts", "(n_y, n_t, n_s)").astype(np.float64)
    n_y = counts.shape[0]
    marginal = counts.sum(axis=(1, 2))
    by_t, by_s = counts.sum(axis=2).T, counts.sum(axis=1).T
    gate = _pairwise_gate((by_t, by_s), dense_label_count(marginal))

    def grassberger_weight(n_x: np.ndarray, n_labels: float) -> np.ndarray:
        return gate * _smooth_ramp(n_x, n_labels, _ROW_RAMP)

    h_y, h_y_t, h_y_s, h_y_ts = (
        _entropy(table, marginal, grassberger_weight)
        for table in (marginal[None, :], by_t, by_s, counts.reshape(n_y, -1).T)
    )
    return from_nats((h_y_t - h_y_ts) + (h_y_s - h_y), units)
