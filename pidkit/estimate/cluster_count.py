"""How many clusters: the default, and the rule that sizes the alphabet to the sample.

A side clustered into ``k`` values makes the joint ``p[y, t, s]`` ``k`` times larger; too many
cells for the samples and the bias corrections fail. :func:`clusters_for_samples` is the rule
:func:`~pidkit.estimate.pid_from_representations` applies by default (``n_clusters="auto"``);
:data:`DEFAULT_CLUSTERS` is the RID paper's fixed 10 that :class:`~pidkit.estimate.Discretizer`
keeps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pidkit._settings import check_int

from .correction import DEFAULT_SUBSAMPLES, check_subsamples

__all__ = ["DEFAULT_CLUSTERS", "clusters_for_samples"]


DEFAULT_CLUSTERS = 10
"""Clusters of :class:`~pidkit.estimate.Discretizer` and :func:`~pidkit.estimate.discretize` by
default (the RID paper's); with a ``clusterer`` it means "not set".
:func:`~pidkit.estimate.pid_from_representations` defaults to ``"auto"``
(:func:`clusters_for_samples`, which needs the labels a Discretizer never sees) and takes 10 as
"not set" too."""


def clusters_for_samples(
    n_samples: int, n_labels: int, *, max_clusters: int = 10, subsamples: Sequence[int] = DEFAULT_SUBSAMPLES,
    other_values: int | None = None,
) -> int:
    """Clusters per side (teacher and student) for ``n_samples`` samples of ``n_labels`` labels.

    The joint ``p[y, t, s]`` has ``n_labels * k * k`` cells. The rule takes the largest ``k`` up to
    ``max_clusters`` such that

    * there is at least one sample per cell of the joint on average (``n_labels * k**2 <= n``),
      where the bias corrections of :mod:`pidkit.estimate.correction` still work (they were
      measured down to 0.45 samples per cell, see ``docs/estimate.md``), and
    * the smallest subsample of the correction (``n // max(subsamples)``, a quarter by default)
      still has one sample per cell of the pairwise tables ``p(y, t)`` and ``p(y, s)``
      (``4 * n_labels * k <= n``), as :func:`pidkit.estimate.check_sample_size` requires,

    and at least 2. At the paper's n = 10,000 with 10 labels this is 10; at 450 it is 6. Below
    ``max(subsamples) * 2 * n_labels`` samples (80 for ten labels) even 2 is more than a bias
    correction accepts: only ``bias_correction="none"`` works there. When only one side is
    clustered (the other given as labels, or a partition reused), ``other_values`` is the other
    side's number of values and the joint's ``n_labels * other_values * k`` cells are counted.

    Parameters
    ----------
    n_samples : int
        Number of samples that will be counted.
    n_labels : int
        Number of distinct target labels ``|Y|``.
    max_clusters : int, default=10
        Upper bound (the RID paper's 10).
    subsamples : sequence of int, default=(2, 4)
        The correction's numbers of parts (as in :func:`pidkit.estimate.correct_counts`).
    other_values : int or None, default=None
        Values of the other side when it is not clustered with this ``k`` (labels, or a reused
        partition); ``None``: both sides get ``k`` clusters.

    Returns
    -------
    int

    Examples
    --------
    >>> from pidkit.estimate import clusters_for_samples
    >>> clusters_for_samples(10_000, 10), clusters_for_samples(2000, 10), clusters_for_samples(450, 10)
    (10, 10, 6)
    >>> clusters_for_samples(100, 10), clusters_for_samples(450, 10, subsamples=(2, 8))
    (2, 5)
    >>> clusters_for_samples(450, 10, other_values=10)   # 10 x 10 x 4 = 400 cells <= 450
    4
    """
    n_samples = check_int(n_samples, "n_samples", minimum=1, meaning=(
        "the number of samples that will be counted, e.g. n_samples=10_000"))
    n_labels = check_int(n_labels, "n_labels", minimum=1, meaning=(
        "the number of distinct target labels, e.g. n_labels=10"))
    max_clusters = check_int(max_clusters, "max_clusters", minimum=2, meaning=(
        "the most clusters per side, e.g. max_clusters=10"))
    if other_values is None:
        by_joint = math.isqrt(n_samples // n_labels)
    else:
        other_values = check_int(other_values, "other_values", minimum=1, meaning=(
            "the number of values of the side that is not clustered, e.g. other_values=10"))
        by_joint = n_samples // n_labels // other_values
    by_subsample = n_samples // max(check_subsamples(subsamples)) // n_labels
    return max(2, min(max_clusters, by_joint, by_subsample))
