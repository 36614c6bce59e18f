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
are fitted by maximum marginal likelihood (EM over the Dirichlet-multinomial likelihoods of all
rows: non-parametric empirical Bayes). Each row's estimate is its posterior mean entropy, in closed
form (Wolpert & Wolf 1995): E[H] = psi(A + 1) - sum_y (a_y / A) psi(a_y + 1), A = sum_y a_y.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln, logsumexp

from .inputs import check_counts

__all__ = [
    "DENSE_ROW_SAMPLES_PER_LABEL",
    "FLOOR_GRID",
    "SPIKE_GRID",
    "eb_conditional_entropy",
    "grassberger_entropy",
]

FLOOR_GRID = np.logspace(-2, 3, 16)
"""Concentrations beta_f of the floor (a multiple of the marginal of Y)."""
SPIKE_GRID = np.concatenate([[0.0], np.logspace(-1, 2.5, 10)])
"""Concentrations beta_s of the spike on one label (0: no spike)."""
DENSE_ROW_SAMPLES_PER_LABEL = 10
"""Rows with at least this many samples per label are estimated on their own (Grassberger 2003):
there the data decide, and a prior learned from many similar rows can only pull them off (it is
tight and sits on a grid point)."""
_EM_MAX_ITER = 500
_EM_TOL = 1e-10
_CHUNK_ELEMENTS = 2_000_000


def _row_terms(counts: np.ndarray, base: np.ndarray, floor: np.ndarray, spike: np.ndarray):
    """Per component k, row x and spike location j: log-likelihood and posterior mean entropy."""
    n_x = counts.sum(axis=1)
    total = floor + spike  # (k,)
    a = floor[:, None, None] * base[None, None, :]  # (k, 1, y): the floor
    alpha = counts[None, :, :] + a  # (k, x, y)
    base_ll = (gammaln(alpha) - gammaln(a)).sum(axis=-1)  # (k, x)
    base_sum = (alpha * digamma(alpha + 1)).sum(axis=-1)  # (k, x)
    # The spike adds beta_s to one label j: only that label's terms change.
    s = spike[:, None, None]
    a_j = a  # (k, 1, y): floor of label j
    alpha_j = alpha  # (k, x, y)
    adj_ll = (gammaln(alpha_j + s) - gammaln(a_j + s)) - (gammaln(alpha_j) - gammaln(a_j))
    adj_sum = (alpha_j + s) * digamma(alpha_j + s + 1) - alpha_j * digamma(alpha_j + 1)
    head = gammaln(total)[:, None] - gammaln(n_x[None, :] + total[:, None])  # (k, x)
    loglik = head[:, :, None] + base_ll[:, :, None] + adj_ll + np.log(base)[None, None, :]
    big = n_x[None, :, None] + total[:, None, None]  # (k, 1 or x, 1)
    entropy = digamma(big + 1) - (base_sum[:, :, None] + adj_sum) / big
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

    The prior is fitted on every row; sparse rows get their posterior mean entropy, rows with at
    least ``DENSE_ROW_SAMPLES_PER_LABEL`` samples per label their Grassberger estimate.

    Parameters
    ----------
    counts : numpy.ndarray of shape (n_x, n_y)
        Sample counts of (X = x, Y = y), ints or floats holding whole numbers; rows without
        samples are ignored. Anything else (another shape, probabilities, negative or non-finite
        entries, no samples at all) is a ValueError.
    base : numpy.ndarray of shape (n_y,), optional
        The floor's shape; default the observed marginal of Y. Labels with zero base mass are
        left out (they cannot occur).

    Returns
    -------
    float
        ``sum_x p(x) E[H(Y | X = x) | counts]`` in nats, ``p(x)`` the observed frequencies.

    Examples
    --------
    Y a copy of X (10 values, 5 samples per value): the plug-in H(Y|X) is 0 and so is the truth;
    Y independent of X: the plug-in says about 1.4 nats where the truth is log 10 = 2.30.

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
    counts = counts[counts.sum(axis=1) > 0]
    if base is None:
        base = counts.sum(axis=0)
    base = np.asarray(base, dtype=np.float64)
    keep = base > 0
    counts, base = counts[:, keep], base[keep] / base[keep].sum()
    if base.size == 1:
        return 0.0
    floor, spike = (g.ravel() for g in np.meshgrid(FLOOR_GRID, SPIKE_GRID, indexing="ij"))

    rows = max(1, _CHUNK_ELEMENTS // (floor.size * base.size))
    loglik_k = []  # (k, x): log-likelihood of each component, spike location summed out
    entropy_k = []  # (k, x): posterior mean entropy given the component (spike location averaged)
    for start in range(0, counts.shape[0], rows):
        loglik, entropy = _row_terms(counts[start : start + rows], base, floor, spike)
        lk = logsumexp(loglik, axis=-1)
        loglik_k.append(lk)
        entropy_k.append(np.sum(np.exp(loglik - lk[:, :, None]) * entropy, axis=-1))
    lk = np.concatenate(loglik_k, axis=1)
    ek = np.concatenate(entropy_k, axis=1)

    # EM in linear space: the likelihoods are scaled per row, which the posterior does not see.
    scaled = np.exp(lk - lk.max(axis=0))
    w = np.full(floor.size, 1.0 / floor.size)
    previous = -np.inf
    for _ in range(_EM_MAX_ITER):
        evidence = w @ scaled
        posterior = w[:, None] * scaled / evidence
        w = posterior.mean(axis=1)
        current = float(np.log(evidence).sum())
        if current - previous < _EM_TOL * max(1.0, abs(current)):
            break
        previous = current
    n_x = counts.sum(axis=1)
    per_row = np.sum(posterior * ek, axis=0)
    dense = n_x >= DENSE_ROW_SAMPLES_PER_LABEL * base.size
    per_row[dense] = grassberger_entropy(counts[dense])
    return float(np.sum(n_x * per_row) / n_x.sum())
