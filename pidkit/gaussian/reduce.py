"""Reduce a joint covariance of (Y, T, S) to the two channels its Gaussian PID depends on.

Whiten Y (``Y' = W_y^T Y``, Cov(Y') = I) and each source (``T' = W_t^T T``, Cov(T') = I). With
``K_t = Cov(T', Y') = U_t diag(rho_t) Q_t^T`` (an SVD: ``rho_t`` are the canonical correlations of
Y and T),

    I(Y;T) = -1/2 sum log(1 - rho_t^2),

and T is equivalent, as a channel from Y, to its ``r_t = rank K_t <= dim Y`` informative components

    T_r = H_t Y' + n_t,   H_t = diag(rho_t / sqrt(1 - rho_t^2)) Q_t^T,   Cov(n_t) = I,

obtained as ``T_r = diag(1/sqrt(1 - rho_t^2)) U_t^T T'``. The remaining components of T' are noise
independent of (Y, T_r). Because the unique information is unchanged when a source is replaced by
a sufficient statistic for Y (each is a garbling of the other), the union information of (T, S)
equals that of (T_r, S_r): the program's size depends on dim Y only. I(Y;T,S) is computed the same
way from the whitened pair (T, S).

Two ways to whiten: Cholesky factors (fast; taken when every block is well conditioned) and
eigendecompositions of the correlation matrix (which drop directions of numerically zero variance:
constant variables, duplicated or collinear columns). A source that determines a linear function
of Y exactly (a canonical correlation of 1) has infinite mutual information with Y and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sl
import scipy.special as sp

PIVOT_RCOND = 1e-10
"""The Cholesky path is used only when every pivot keeps this fraction of its variable's variance."""
EIG_RTOL = 1e-12
"""Eigenvalues of a correlation block below this fraction of the largest count as zero."""
INFINITE_GAP = 1e-12
"""Canonical correlations within this distance of 1 mean a noiseless relation: infinite information."""
INFINITE_INFORMATION = "so the mutual information is infinite and the Gaussian PID is undefined"
"""What the refusal of a noiseless relation says (callers may add their own advice after it)."""
DROP_RHO = 1e-8
"""Canonical correlations at or below this are numerically zero and their directions dropped."""
EPS = float(np.finfo(float).eps)
RHO_ROUNDING = 4 * EPS
"""Assumed absolute rounding of each computed canonical correlation."""
UNRESOLVED_S = 1e-4
"""A dropped direction whose variance is at the rounding level but whose correlation (computed at
that level) with the other side exceeds this, far above the ~sqrt(eps) that rounding gives, may
carry any information: float64 cannot bound it."""
NOISE_PROBABILITY = 1e-6
"""The false-alarm rate of the test of a sample covariance's dropped directions
(:func:`_beyond_noise`): directions independent of the other side count in the gap this rarely."""
NOT_PSD_RHO = 1 + 1e-6
"""Canonical correlations above this are no rounding of 1: the matrix is not positive semi-definite."""
NEGATIVE_RTOL = 1000 * EPS
"""Correlation blocks with an eigenvalue below ``-size * NEGATIVE_RTOL`` times the largest are refused
(the floor of :func:`pidkit._validate.check_covariance`, applied after scaling to unit variances)."""
_MISSED_BY_THE_WHOLE_CHECK = (
    "(its variances are so different in size that the check on the whole matrix missed it). "
    "Check how it was computed."
)


@dataclass(frozen=True)
class ReducedSystem:
    """The Gaussian system (Y, T, S) reduced to its whitened informative channels.

    Attributes
    ----------
    h_t, h_s : numpy.ndarray of shape (r_t, r_y), (r_s, r_y)
        The reduced channels: ``T_r = h_t Y' + n_t`` with Cov(Y') = Cov(n_t) = I, likewise S.
    i_yt, i_ys, i_yts : float
        I(Y;T), I(Y;S) and I(Y;T,S), in nats.
    dropped_nats : float
        Information carried by directions dropped as numerically zero: a bound on the error the
        reduction adds to the union information.
    collinear_nats : float
        A bound on the information carried by the directions the eigendecomposition dropped as
        collinear (correlation eigenvalue below ``EIG_RTOL`` of the largest), beyond the kept
        ones: of order eps for truly collinear columns, large when a tiny difference of nearly
        collinear columns is informative (see :func:`_collinear_bound`).
    counted_collinear_nats : float
        The part of ``collinear_nats`` an answer's gap counts: all of it for a covariance taken as
        it is; for a sample covariance of ``n_samples`` rows, the bounds of the dropped
        directions whose correlations with the other side exceed sampling noise (see
        :func:`_beyond_noise`), and 0 for those within it.
    conditioning_nats : float
        The rounding that ill-conditioned (nearly collinear) kept directions add to the three
        informations beyond ``rounding_nats``: a canonical correlation whose canonical weights
        (in the variables scaled to unit variance) have squared norms ``a`` and ``b`` moves by
        up to ``RHO_ROUNDING * (a + b) / 2`` (a perturbation E of the correlation matrix moves it
        by ``a' E b - rho/2 (a' E a + b' E b)``), which is ``RHO_ROUNDING`` only for well
        conditioned blocks. Counted, like ``collinear_nats``, by the decomposition of a given
        covariance.
    rounding_nats : float
        Allowance for rounding in the three informations: each canonical correlation is taken to
        be off by :data:`RHO_ROUNDING`, which moves ``-1/2 log(1 - rho^2)`` by
        ``RHO_ROUNDING * rho / (1 - rho^2)`` (summed over T, S and the pair).
    ranks : tuple of int
        Dimensions after whitening: (Y, T, S, (T,S) jointly).
    path : {"cholesky", "eigh"}
        How the blocks were whitened.
    u_t, u_s : numpy.ndarray of shape (rank T, r_t), (rank S, r_s)
        Orthonormal columns placing the reduced noise in the whitened source: the unreduced
        whitened channel is ``u_t @ h_t`` and an unreduced coupling maps to ``u_t.T @ sigma @ u_s``.
    cov_ty, cov_sy : numpy.ndarray of shape (d_t, r_y), (d_s, r_y)
        Cov(T, Y') and Cov(S, Y') in the input's coordinates.
    load_t, load_s : numpy.ndarray of shape (d_t, r_t), (d_s, r_s)
        Cov(T, n_t) and Cov(S, n_s): how the reduced noises enter the input's coordinates.
    """

    h_t: np.ndarray
    h_s: np.ndarray
    i_yt: float
    i_ys: float
    i_yts: float
    dropped_nats: float
    collinear_nats: float
    counted_collinear_nats: float
    conditioning_nats: float
    rounding_nats: float
    ranks: tuple[int, int, int, int]
    path: str
    u_t: np.ndarray
    u_s: np.ndarray
    cov_ty: np.ndarray
    cov_sy: np.ndarray
    load_t: np.ndarray
    load_s: np.ndarray

    def coupling_covariance(
        self, cov: np.ndarray, sigma: np.ndarray, dims: tuple[int, int, int]
    ) -> np.ndarray:
        """The covariance of the coupling Q that ``sigma`` defines, in the input's coordinates.

        Q keeps the (Y,T) and (Y,S) blocks of ``cov`` and sets Cov_Q(T,S) = Cov(T,Y')Cov(Y',S) +
        load_t sigma load_s^T; the uninformative parts of the noises are independent under Q.
        """
        d_y, d_t, _ = dims
        q = cov.copy()
        cross = self.cov_ty @ self.cov_sy.T + self.load_t @ sigma @ self.load_s.T
        q[d_y : d_y + d_t, d_y + d_t :] = cross
        q[d_y + d_t :, d_y : d_y + d_t] = cross.T
        return q


@dataclass(frozen=True)
class _Whitening:
    """One block whitened: X' = w^T X has identity covariance and X = f X' on the block's range.

    ``w`` is kept implicit (``w = f^-T``) when ``f`` is a Cholesky factor. ``dropped`` maps X to
    the directions the eigendecomposition dropped, each divided by the square root of the least
    variance its rounded eigenvalue allows (floored at the rounding level): ``dropped^T Cov(X, Z)``
    are their correlations with a whitened Z, which only rounding keeps from 0 when the columns
    are truly collinear. ``unresolved`` marks the dropped directions whose variance is no larger
    than the rounding of their eigenvalue (so not known even roughly).
    """

    f: np.ndarray
    w: np.ndarray | None = None
    dropped: np.ndarray | None = None
    unresolved: np.ndarray | None = None

    @property
    def rank(self) -> int:
        return self.f.shape[1]

    def white(self, cross: np.ndarray) -> np.ndarray:
        """Map Cov(X, Z) to Cov(X', Z)."""
        if self.w is None:
            return sl.solve_triangular(self.f, cross, lower=True, check_finite=False)
        return self.w.T @ cross

    def weights(self, vectors: np.ndarray, scale: np.ndarray) -> np.ndarray:
        """Map directions in X' (columns of ``vectors``) to their weights on X, each variable
        scaled to unit variance (``scale``: the standard deviations of X)."""
        if self.w is None:
            w = sl.solve_triangular(self.f, vectors, lower=True, trans="T", check_finite=False)
        else:
            w = self.w @ vectors
        return w * scale[:, None]


def reduce_covariance(
    cov: np.ndarray,
    dims: tuple[int, int, int],
    *,
    name: str = "cov",
    bounds: bool = True,
    n_samples: int | None = None,
) -> ReducedSystem:
    """Reduce a validated covariance of the stacked [Y, T, S] (block sizes ``dims``); ``name``
    is what the error calls it. ``bounds=False`` skips ``collinear_nats`` and
    ``conditioning_nats`` (left 0): a bootstrap replicate, which reports neither, need not pay for
    them (they double the cost of a small reduction). ``n_samples``: ``cov`` is a sample
    covariance of that many rows, whose dropped directions count in
    ``counted_collinear_nats`` only where they correlate beyond sampling noise.

    Raises
    ------
    ValueError
        If a source, or the pair, determines a linear function of Y exactly (infinite information),
        or if the matrix scaled to unit variances shows it is not positive semi-definite (a block
        with a clearly negative eigenvalue, a canonical correlation above 1).
    """
    whitenings = _cholesky_whitenings(cov, dims) or _eigen_whitenings(cov, dims, name)
    return _assemble(cov, dims, *whitenings, name=name, bounds=bounds, n_samples=n_samples)


def _chol(block: np.ndarray) -> np.ndarray | None:
    """Lower Cholesky factor, or None when the block is singular or ill-conditioned."""
    try:
        low = sl.cholesky(block, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    diag = np.diag(block)
    if np.any(diag <= 0) or np.any(np.diag(low) ** 2 < PIVOT_RCOND * diag):
        return None
    return low


def _cholesky_whitenings(cov: np.ndarray, dims: tuple[int, int, int]) -> tuple[_Whitening, ...] | None:
    """Whitenings of Y, T, S and (T, S) by Cholesky factors, or None if a block is ill-conditioned."""
    d_y, d_t, _ = dims
    l_y = _chol(cov[:d_y, :d_y])
    l_ts = _chol(cov[d_y:, d_y:]) if l_y is not None else None
    l_s = _chol(cov[d_y + d_t :, d_y + d_t :]) if l_ts is not None else None
    if l_y is None or l_ts is None or l_s is None:  # l_s is None where an earlier one is
        return None
    return _Whitening(l_y), _Whitening(l_ts[:d_t, :d_t]), _Whitening(l_s), _Whitening(l_ts)


def _eigen_whitening(cov: np.ndarray, what: str, name: str) -> _Whitening:
    """Whitening of a block on its numerical range, from the eigenvectors of its correlation matrix.

    Variables of zero variance are constant and drop out; so do directions whose correlation
    eigenvalue is below ``EIG_RTOL`` times the largest (duplicated or collinear columns). A
    correlation eigenvalue below ``-size * NEGATIVE_RTOL`` times the largest is refused: the block
    is not positive semi-definite, which the check at the whole matrix's scale misses when the
    variances differ by orders of magnitude.
    """
    variance = np.diag(cov)
    scale = np.sqrt(np.maximum(variance, 0.0))
    inverse = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale > 0)
    values, vectors = np.linalg.eigh(cov * inverse[:, None] * inverse[None, :])
    if values[0] < -cov.shape[0] * NEGATIVE_RTOL * max(float(values[-1]), 0.0):
        raise ValueError(
            f"{name} is not positive semi-definite: scaled to unit variances, the block of {what} "
            f"has eigenvalue {values[0]:.3g} (largest {values[-1]:.3g}), so it is not a covariance "
            f"matrix {_MISSED_BY_THE_WHOLE_CHECK}"
        )
    largest = max(float(values[-1]), 0.0)
    keep = values > EIG_RTOL * largest
    floor = cov.shape[0] * EPS * largest or 1.0  # 1.0 for an all-zero block: nothing to scale
    # eigh may overstate a small eigenvalue by the rounding level: take the least it can be
    root_dropped = np.sqrt(np.maximum(values[~keep] - floor, floor))
    kept, root = vectors[:, keep], np.sqrt(values[keep])
    return _Whitening(
        f=kept * root * scale[:, None],
        w=kept / root * inverse[:, None],
        dropped=vectors[:, ~keep] / root_dropped * inverse[:, None],
        unresolved=values[~keep] <= 2 * floor,
    )


def _eigen_whitenings(
    cov: np.ndarray, dims: tuple[int, int, int], name: str
) -> tuple[_Whitening, ...]:
    d_y, d_t, _ = dims
    blocks = {
        "Y": slice(0, d_y),
        "T": slice(d_y, d_y + d_t),
        "S": slice(d_y + d_t, None),
        "(T, S)": slice(d_y, None),
    }
    return tuple(_eigen_whitening(cov[b, b], what, name) for what, b in blocks.items())


def _canonical(k: np.ndarray, what: str, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SVD of a whitened cross-covariance: (u, rho, q) with ``k = u diag(rho) q^T``; checks rho < 1."""
    if k.size == 0:
        return np.zeros((k.shape[0], 0)), np.zeros(0), np.zeros((k.shape[1], 0))
    u, rho, vt = np.linalg.svd(k, full_matrices=False)
    _check_finite_information(rho, what, name)
    return u, rho, vt.T


def _check_finite_information(rho: np.ndarray, what: str, name: str) -> None:
    if rho.size and rho[0] > NOT_PSD_RHO:
        raise ValueError(
            f"{name} is not positive semi-definite: the canonical correlation of Y and {what} is "
            f"{rho[0]:.6g}, above 1, which no covariance matrix has {_MISSED_BY_THE_WHOLE_CHECK}"
        )
    if rho.size and rho[0] > 1 - INFINITE_GAP:
        raise ValueError(
            f"{name}: {what} determines a linear combination of Y exactly (canonical correlation "
            f"{rho[0]:.15f}, within {INFINITE_GAP:g} of 1), {INFINITE_INFORMATION}. Look for a target "
            "column copied into the features, or add observation noise."
        )


def _collinear_bound(
    whitening: _Whitening, cross: np.ndarray, rho: np.ndarray, n_samples: int | None
) -> tuple[float, float]:
    """A bound, in nats, on the information the directions ``whitening`` dropped carry beyond the
    kept ones, and the part of it that counts: ``cross`` is Cov(X, Z') (Z' the whitened other
    side), ``rho`` the canonical correlations of the kept X' and Z'. All of the bound counts,
    except for a sample covariance of ``n_samples`` rows whose dropped directions correlate with
    Z' within sampling noise (:func:`_beyond_noise`): then none of it does.

    A dropped direction D is uncorrelated with the kept X', so I(Z; D | X') <= I(Z, X'; D)
    = -1/2 sum log(1 - s_i^2 / (1 - rho_max^2)) at most, with s_i the singular values of
    Cov(D, Z') (D at unit variance) and 1 - rho_max^2 the smallest eigenvalue of Cov(Z'|X').
    Collinear columns give s of order sqrt(eps); columns whose tiny difference is informative
    give s of order 1 (infinite when the bound reaches a canonical correlation of 1). So is a
    direction of unresolved variance that correlates above :data:`UNRESOLVED_S` at the rounding
    level: its true variance, and so its correlation, may be anything smaller.
    """
    if whitening.dropped is None or whitening.dropped.shape[1] == 0 or cross.size == 0:
        return 0.0, 0.0
    correlations = whitening.dropped.T @ cross
    s = np.linalg.svd(correlations, compute_uv=False)
    if np.any(np.abs(correlations[whitening.unresolved]) > UNRESOLVED_S):
        bound = float("inf")
    else:
        ratio = s**2 / (1.0 - (float(rho[0]) ** 2 if rho.size else 0.0))
        bound = float("inf") if ratio.max() >= 1.0 else -0.5 * float(np.sum(np.log1p(-ratio)))
    counts = n_samples is None or _beyond_noise(s, correlations.shape, n_samples)
    return bound, bound if counts else 0.0


def _beyond_noise(s: np.ndarray, shape: tuple[int, int], n_samples: int) -> bool:
    """Whether ``k`` dropped directions whose correlations with the ``m`` whitened columns of
    the other side have singular values ``s`` (``shape == (k, m)``) correlate beyond sampling
    noise in ``n_samples`` rows.

    Bartlett's test of independence: were the directions independent of the other side, the
    statistic ``-(n - 1 - (k + m + 1) / 2) sum log(1 - s_i^2)`` would be chi-squared with
    ``k m`` degrees of freedom, which exceeds its ``1 - NOISE_PROBABILITY`` quantile (24 for
    ``k m = 1``) that rarely. Directions within it carry at most about that quantile over
    ``2 n (1 - rho_max^2)`` nats (the bound of :func:`_collinear_bound` for small ``s``): for
    ``n`` in the hundreds or more, less than the sampling error of the informations themselves,
    of order ``1 / sqrt(n)`` nats.

    Examples
    --------
    >>> _beyond_noise(np.array([0.05]), (1, 1), 2000), _beyond_noise(np.array([0.2]), (1, 1), 2000)
    (False, True)
    """
    if s.max() >= 1.0:
        return True
    k, m = shape
    statistic = -(n_samples - 1 - (k + m + 1) / 2) * float(np.sum(np.log1p(-(s**2))))
    return bool(statistic > sp.chdtri(k * m, NOISE_PROBABILITY))


def _information_rounding(rho: np.ndarray) -> float:
    return RHO_ROUNDING * float(np.sum(rho / (1 - rho**2)))


def _conditioning(
    white_x: _Whitening, u: np.ndarray, sd_x: np.ndarray, white_y: _Whitening, q: np.ndarray,
    sd_y: np.ndarray, rho: np.ndarray,
) -> float:
    """What ill-conditioning adds, in nats, to the rounding of the information between X and Y
    whose canonical directions are ``u`` (in X') and ``q`` (in Y') and standard deviations
    ``sd_x`` and ``sd_y``: ``RHO_ROUNDING * rho / (1 - rho^2)`` times ``(a + b) / 2 - 1`` for
    canonical weights of squared norms ``a`` and ``b`` (see :class:`ReducedSystem`), where that
    exceeds 0."""
    if rho.size == 0:
        return 0.0
    a = np.sum(white_x.weights(u, sd_x) ** 2, axis=0)
    b = np.sum(white_y.weights(q, sd_y) ** 2, axis=0)
    excess = np.maximum((a + b) / 2 - 1.0, 0.0)
    return RHO_ROUNDING * float(np.sum(excess * rho / (1 - rho**2)))


def _information(rho: np.ndarray) -> float:
    return 0.0 - 0.5 * float(np.sum(np.log1p(-(rho**2))))


def _assemble(
    cov: np.ndarray,
    dims: tuple[int, int, int],
    white_y: _Whitening,
    white_t: _Whitening,
    white_s: _Whitening,
    white_ts: _Whitening,
    *,
    name: str,
    bounds: bool,
    n_samples: int | None,
) -> ReducedSystem:
    """Channels, informations and coupling maps from the whitened blocks."""
    d_y, d_t, _ = dims
    cov_y = white_y.white(cov[:d_y, d_y:]).T  # Cov([T, S], Y')
    cov_ty, cov_sy = cov_y[:d_t], cov_y[d_t:]
    u_t, rho_t, q_t = _canonical(white_t.white(cov_ty), "T", name)
    u_s, rho_s, q_s = _canonical(white_s.white(cov_sy), "S", name)
    u_ts, rho_ts, q_ts = _canonical(white_ts.white(cov_y), "(T, S) jointly", name)
    conditioning = collinear = counted = 0.0
    if bounds:
        sd = np.sqrt(np.diag(cov))
        sd_y, sd_t, sd_s = sd[:d_y], sd[d_y : d_y + d_t], sd[d_y + d_t :]
        conditioning = (
            _conditioning(white_t, u_t, sd_t, white_y, q_t, sd_y, rho_t)
            + _conditioning(white_s, u_s, sd_s, white_y, q_s, sd_y, rho_s)
            + _conditioning(white_ts, u_ts, sd[d_y:], white_y, q_ts, sd_y, rho_ts)
        )
        terms = [
            _collinear_bound(white_t, cov_ty, rho_t, n_samples),
            _collinear_bound(white_s, cov_sy, rho_s, n_samples),
            _collinear_bound(white_ts, cov_y, rho_ts, n_samples),
            _collinear_bound(white_y, white_ts.white(cov[d_y:, :d_y]).T, rho_ts, n_samples),
        ]
        collinear, counted = (sum(part) for part in zip(*terms, strict=True))
    keep_t, keep_s = rho_t > DROP_RHO, rho_s > DROP_RHO
    dropped = _information(rho_t[~keep_t]) + _information(rho_s[~keep_s])
    u_t, rho_t, q_t = u_t[:, keep_t], rho_t[keep_t], q_t[:, keep_t]
    u_s, rho_s, q_s = u_s[:, keep_s], rho_s[keep_s], q_s[:, keep_s]
    root_t, root_s = np.sqrt(1 - rho_t**2), np.sqrt(1 - rho_s**2)
    return ReducedSystem(
        h_t=(rho_t / root_t)[:, None] * q_t.T,
        h_s=(rho_s / root_s)[:, None] * q_s.T,
        i_yt=_information(rho_t),
        i_ys=_information(rho_s),
        i_yts=_information(rho_ts),
        dropped_nats=dropped,
        collinear_nats=collinear,
        counted_collinear_nats=counted,
        conditioning_nats=conditioning,
        rounding_nats=sum(_information_rounding(rho) for rho in (rho_t, rho_s, rho_ts)),
        ranks=(white_y.rank, white_t.rank, white_s.rank, white_ts.rank),
        path="cholesky" if white_y.w is None else "eigh",
        u_t=u_t,
        u_s=u_s,
        cov_ty=cov_ty,
        cov_sy=cov_sy,
        load_t=white_t.f @ (u_t * root_t),
        load_s=white_s.f @ (u_s * root_s),
    )
