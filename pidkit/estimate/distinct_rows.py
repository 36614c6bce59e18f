"""Which rows of a projected feature matrix are distinct, and whether all are one row.

Both estimators look at the rows after the scaling and the L2 normalisation before they project
or cluster them: rows that are all the same (a dead layer; one direction at several scales) carry
no information, and fewer distinct rows than clusters are each one cluster
(:class:`pidkit.estimate.Discretizer`). "The same" is up to a tolerance, which each function
states and explains; :func:`constant_rows_text` is the warning that a side's rows are all one.
"""

from __future__ import annotations

import numpy as np

__all__ = ["constant_rows_text", "few_distinct_rows", "rows_all_equal"]


def few_distinct_rows(rows: np.ndarray, fewer_than: int, rtol: float | None = None) -> np.ndarray | None:
    """The distinct rows of ``rows`` (first occurrences, in order) when there are fewer than
    ``fewer_than``, else ``None``.

    Rows equal up to ``rtol`` are the same row: every element within ``rtol`` of its own magnitude
    in the first such row (a zero only equals a zero). The default, ``sqrt(eps)`` (``eps`` of the
    rows' dtype: 1.5e-8 in float64, 3.5e-4 in float32), is what KMeans' distances
    (``|x|^2 - 2 x.c + |c|^2``) resolve between rows that are not centred: closer rows, kept apart,
    were merged by the KMeans started at them. The tolerance is per element, not relative to the
    row's largest element: rows that share one large feature (a constant or "massive" activation
    1e5 times the others, in float32) differ in the small ones, which carry the information, and
    were taken for one row (I(Y;S) 0 bits for 2.03). Each row is compared with the distinct rows
    found so far, a block of rows at a time, and the search stops at the ``fewer_than``-th:
    features whose rows all differ cost a block, features of few distinct rows
    ``n_samples * n_features * (fewer_than - 1)`` operations at most.

    Examples
    --------
    >>> few_distinct_rows(np.array([[0.0, 1.0], [-0.0, 1.0], [2.0, 0.0]]), 3)
    array([[0., 1.],
           [2., 0.]])
    >>> few_distinct_rows(np.array([[0.6, 0.8], [0.6 * (1 + 1e-12), 0.8], [0.8, 0.6]]), 3)
    array([[0.6, 0.8],
           [0.8, 0.6]])
    >>> few_distinct_rows(np.array([[1.0, 1e-9], [1.0, 2e-9]]), 2) is None  # the small ones differ
    True
    >>> few_distinct_rows(np.eye(3), 3) is None
    True
    """
    n_samples, n_features = rows.shape
    rtol = rows.dtype.type(np.sqrt(np.finfo(rows.dtype).eps) if rtol is None else rtol)  # float32 stays
    found: list[int] = []
    tolerances: list[np.ndarray] = []  # per found row: rtol * |row|, what each element may differ by
    block = max(1, 2**17 // n_features)  # rows compared at once: temporaries of ~1 MB
    for start in range(0, n_samples, block):
        chunk = rows[start:start + block]
        left = np.arange(len(chunk))
        for i, tolerance in zip(found, tolerances, strict=True):
            left = left[~(np.abs(chunk[left] - rows[i]) <= tolerance).all(axis=1)]
        while left.size:
            if len(found) == fewer_than - 1:
                return None
            new = start + int(left[0])
            found.append(new)
            tolerances.append(rtol * np.abs(rows[new]))
            left = left[~(np.abs(chunk[left] - rows[new]) <= tolerances[-1]).all(axis=1)]
    return rows[found]


def rows_all_equal(rows: np.ndarray) -> bool:
    """Whether every row of ``rows`` is the first one up to the rounding of the scaling and the L2
    normalisation: every element within ``max(64, sqrt(n_features)) * eps`` of its own magnitude.

    Scaled copies of a row (one direction at several scales) come out of the normalisation a few
    ``eps`` apart (at most 1.9 ``eps`` at 5 features, 11.5 at 8,192, in float64 and float32), which
    the exact comparison missed: the Gaussian estimator scaled that noise to unit variance (1.06
    bits of I(Y;S)). Not :func:`few_distinct_rows`' ``sqrt(eps)``: rows that share a large offset
    (float32 features 1000 + 0.01 y + noise, float64 ones 1e7 + 0.01 y) differ by less than that,
    were taken for a dead layer (I(Y;S) 0 bits, no warning), and PCA's centring resolves them
    (2.25 bits).

    Examples
    --------
    >>> rows = np.array([0.3, -1.7, 2.9, 0.0]) * np.array([[1.0], [3.1], [0.7]])
    >>> rows_all_equal(rows / np.linalg.norm(rows, axis=1, keepdims=True))
    True
    >>> rows_all_equal(np.array([[1e7, 1e7], [1e7 + 0.01, 1e7]]))
    False
    """
    rtol = np.finfo(rows.dtype).eps * max(64.0, float(np.sqrt(rows.shape[1])))
    return few_distinct_rows(rows, 2, rtol) is not None


def constant_rows_text(name: str, normalised: bool, outcome: str) -> str:
    """The warning that every row of the features ``name`` is the same (:func:`rows_all_equal`):
    ``outcome`` says what the estimator makes of them; ``normalised``: after the L2 normalisation.

    Examples
    --------
    >>> print(constant_rows_text("t_features", True, "one cluster, one value in the joint p[y, t, s]"))
    ... # doctest: +NORMALIZE_WHITESPACE
    t_features has every row the same after the L2 normalisation: one cluster, one value in the
    joint p[y, t, s], so it carries no information about the labels (I(Y;T) is 0 by construction,
    and so are Red, Syn and its Uni). Constant features are most likely a dead layer
    (all-zero ReLU outputs) or not the features meant: check what was passed.
    """
    where = " after the L2 normalisation" if normalised else ""
    side = f"I(Y;{name[0].upper()})" if name in ("t_features", "s_features") else "its information"
    return (f"{name} has every row the same{where}: {outcome}, so it carries no information about the "
            f"labels ({side} is 0 by construction, and so are Red, Syn and its Uni). Constant "
            "features are most likely a dead layer (all-zero ReLU outputs) or not the features meant: "
            "check what was passed.")
