"""Several KMeans seeds for the discrete estimator: their seeds, their mean, their bootstrap.

The discrete estimator's atoms move with the clustering seed about as much as with new data
(docs/estimate.md, "Known limit: the clustering is not resampled"), and a bootstrap that resamples
rows with the clusters fixed leaves that out. With ``cluster_seeds=k``,
:func:`pidkit.estimate.pid_from_representations` clusters the features ``k`` times, with the seeds
:func:`cluster_seed_values` derives from ``random_state``, reports the mean of the ``k`` corrected
estimates (:func:`mean_correction`) with their spread (:func:`seed_spread`), and makes its
bootstrap replicates cycle through the ``k`` clusterings (:func:`cycled_replicates`), so that the
intervals carry the seed's variance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from pidkit._settings import check_int
from pidkit.below_zero import below_zero
from pidkit.resampling import QUANTITIES, bootstrap_replicates

from .clusterers import fixed_seed_text
from .correction_result import BiasCorrection

__all__ = [
    "check_cluster_seeds",
    "check_seeds_change_clusters",
    "check_something_clustered",
    "cluster_seed_values",
    "cycled_replicates",
    "first_clustering_note",
    "mean_correction",
    "seed_line",
    "seed_spread",
]

_SEED_STREAM = 0xC1057
"""Mixed with ``random_state`` into the seeds of the second and later clusterings."""


def check_cluster_seeds(cluster_seeds: Any, estimator: str) -> int:
    """``cluster_seeds`` as an int >= 1; a ValueError for more than one with the Gaussian estimator.

    Examples
    --------
    >>> check_cluster_seeds(3, "discrete")
    3
    >>> check_cluster_seeds(0, "discrete")
    Traceback (most recent call last):
    ...
    ValueError: cluster_seeds must be an int >= 1; got 0. It is the number of KMeans seeds whose \
estimates are averaged, e.g. cluster_seeds=5 (1, the default: one clustering).
    """
    k = check_int(cluster_seeds, "cluster_seeds", minimum=1, hint=(
        "It is the number of KMeans seeds whose estimates are averaged, e.g. cluster_seeds=5 (1, "
        "the default: one clustering)."))
    if k > 1 and estimator != "discrete":
        raise ValueError(
            f"cluster_seeds={k} averages over clusterings, but estimator={estimator!r} does not "
            "cluster (its PCA is deterministic up to sign); pass cluster_seeds=1, or "
            "estimator='discrete'."
        )
    return k


def check_something_clustered(k: int, clustered_here: bool) -> None:
    """A ValueError for ``cluster_seeds`` above 1 when neither side is clustered by this call."""
    if k > 1 and not clustered_here:
        raise ValueError(
            f"cluster_seeds={k} averages over clusterings fitted here, but neither t_features nor "
            "s_features is clustered by this call (each is 1-D labels or reused from "
            "discretizers); pass cluster_seeds=1, or None for a side in discretizers to fit it "
            "afresh with each seed."
        )


def check_seeds_change_clusters(k: int, clusterer: Any) -> None:
    """A ValueError for ``cluster_seeds`` above 1 with a ``clusterer`` the call's seeds do not
    reach (its own ``random_state`` set, or none at all): its ``k`` clusterings would be the same,
    and their mean and spread would say the seed was averaged over when it was not. A user's own
    ``random_state`` is kept (:func:`~pidkit.estimate.clusterers.seeded_clusterer`), as
    scikit-learn keeps it.

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> check_seeds_change_clusters(3, KMeans(5))
    >>> check_seeds_change_clusters(3, KMeans(5, random_state=7))
    Traceback (most recent call last):
    ...
    ValueError: cluster_seeds=3 averages over clusterings with different seeds, but clusterer=KMeans \
keeps its own random_state=7, so all 3 would be the same; pass random_state=None to the clusterer \
(the call's seeds then reach it), or cluster_seeds=1.
    """
    if k == 1 or clusterer is None or (why := fixed_seed_text(clusterer)) is None:
        return
    fix = ("pass random_state=None to the clusterer (the call's seeds then reach it), or cluster_seeds=1"
           if "keeps its own" in why else "pass cluster_seeds=1")
    raise ValueError(
        f"cluster_seeds={k} averages over clusterings with different seeds, but {why}, so all {k} "
        f"would be the same; {fix}."
    )


def cluster_seed_values(random_state: int, k: int) -> list[int]:
    """The ``random_state`` of each of ``k`` clusterings: ``random_state`` itself first (so that
    ``k=1`` is the call without ``cluster_seeds``), then seeds drawn from it.

    Each seed drives one whole single-seed estimate (PCA, KMeans, the correction's partitions and its
    share of the bootstrap), so ``pid_from_representations(..., random_state=s)`` for ``s`` in them
    reproduces each of the ``k`` estimates.

    Examples
    --------
    >>> seeds = cluster_seed_values(0, 3)
    >>> seeds[0], len(set(seeds)), seeds == cluster_seed_values(0, 3)
    (0, 3, True)
    """
    later = np.random.SeedSequence([random_state, _SEED_STREAM]).generate_state(max(k - 1, 0))
    return [int(random_state), *(int(seed) for seed in later)]


def mean_correction(fixes: Sequence[BiasCorrection]) -> BiasCorrection:
    """The mean of the corrections of ``k`` clusterings of the same samples, field by field.

    Plug-in, corrected and bias values, ``kink``, ``kink_pretest_shift`` and the extrapolation's
    points are means (so the PID identities of each estimate hold for the mean), ``negative`` is
    judged on the means with the largest ``rounding_amplification`` of the ``k`` (the mean of
    values each within its own amplification of the solves' tolerance is within the largest),
    ``n_failed`` is the sum,
    ``above_bound`` lists the quantities above their bound in any clustering and
    ``determining_side`` is kept where every clustering has the same one. One correction is
    returned as it is.
    """
    if len(fixes) == 1:
        return fixes[0]
    first = fixes[0]

    def mean_of(field: str) -> dict[str, float]:
        return {name: float(np.mean([getattr(fix, field)[name] for fix in fixes])) for name in QUANTITIES}

    plugin, corrected = mean_of("plugin"), mean_of("corrected")
    curves = {name: np.mean([fix.subsample_means[name] for fix in fixes], axis=0).tolist()
              for name in first.subsample_means}
    above = tuple(name for name in QUANTITIES if any(name in fix.above_bound for fix in fixes))
    sides = {fix.determining_side for fix in fixes}
    amplification = max(fix.rounding_amplification for fix in fixes)
    return BiasCorrection(
        first.method, plugin, corrected, mean_of("bias"), first.subsample_sizes, first.n_repeats,
        below_zero(corrected, plugin.values(), amplification=amplification),
        sum(fix.n_failed for fix in fixes), first.units,
        kink=float(np.mean([fix.kink for fix in fixes])), subsample_means=curves, above_bound=above,
        determining_side=sides.pop() if len(sides) == 1 else None, rounding_amplification=amplification,
        kink_pretest_shift=float(np.mean([fix.kink_pretest_shift for fix in fixes])),
    )


def seed_spread(fixes: Sequence[BiasCorrection]) -> dict[str, float]:
    """The standard deviation (``ddof=1``) of each corrected quantity over the clusterings.

    It is the spread of one clustering's estimate; that of their mean is about it over
    ``sqrt(k)``.
    """
    return {name: float(np.std([fix.corrected[name] for fix in fixes], ddof=1)) for name in QUANTITIES}


def cycled_replicates(
    statistics: Sequence[Callable[[np.random.Generator], Any]], n_boot: int, seeds: Sequence[int], *,
    n_jobs: int | None, progress: bool | None,
) -> np.ndarray:
    """``n_boot`` replicates, replicate ``i`` from ``statistics[i % k]``, the statistic of the
    ``i % k``-th clustering, with that clustering's seed.

    The replicates of clustering ``j`` are those of ``bootstrap_replicates(statistics[j], n_j,
    random_state=seeds[j])``, ``n_j`` being how many ``i < n_boot`` have ``i % k == j``: the
    bootstrap of a single-seed call with that seed, so the numbers do not depend on ``n_jobs``.
    """
    k = len(statistics)
    out = np.empty((0, 0))
    for j, (statistic, seed) in enumerate(zip(statistics, seeds, strict=True)):
        share = len(range(j, n_boot, k))
        if share == 0:
            continue
        block = bootstrap_replicates(statistic, share, random_state=seed, n_jobs=n_jobs, progress=progress)
        if out.size == 0:
            out = np.full((n_boot, block.shape[1]), np.nan)
        out[j::k] = block
    return out


def seed_line(settings: dict[str, Any], units: str) -> str | None:
    """The ``repr``'s line on the clusterings averaged; for one, where intervals were made with a
    side clustered by the call, that they hold that clustering fixed; else None.

    Examples
    --------
    >>> side = {"kind": "clustered", "fitted": "on these samples"}
    >>> print(seed_line({"bootstrap": 200, "t": side, "s": {"kind": "labels"}}, "bits"))
    ... # doctest: +NORMALIZE_WHITESPACE
      seeds: one clustering, held fixed by the bootstrap: the intervals leave out the KMeans
      seed's variance (90 % intervals covered 0.75-0.80 in docs/estimate.md's measurements);
      cluster_seeds=3 puts it in
    >>> seed_line({"bootstrap": 0, "t": side, "s": side}, "bits") is None
    True
    """
    spread = settings.get("cluster_seed_sd")
    fitted_here = [own for own in (settings.get(side, {}) for side in ("t", "s"))  # seeded here
                   if own.get("kind") == "clustered" and own.get("fitted") != "reused"
                   and not own.get("fixed_seed")]
    clusterer = fitted_here[0].get("clusterer", "KMeans") if fitted_here else "KMeans"
    if not spread:
        if not settings.get("bootstrap") or not any(
                not own.get("rows_equal") and not own.get("distinct_rows") for own in fitted_here):
            return None
        return ("  seeds: one clustering, held fixed by the bootstrap: the intervals leave out the "
                f"{clusterer} seed's variance (90 % intervals covered 0.75-0.80 in docs/estimate.md's "
                "measurements); cluster_seeds=3 puts it in")
    shown = ", ".join(f"{name} {spread[name]:.4f}" for name in QUANTITIES)
    return (f"  seeds: the mean over {settings['cluster_seeds']} {clusterer} seeds "
            f"{settings['cluster_seed_values']}; one seed's sd ({units}): {shown}; p, counts and pid "
            f"are seed {settings['cluster_seed_values'][0]}'s")


def first_clustering_note(settings: dict[str, Any]) -> str | None:
    """``to_dict()["first_clustering"]`` of an estimate over several clusterings: that its joint
    and plug-in PID are the first clustering's, where its numbers are the mean; None for one.

    Examples
    --------
    >>> first_clustering_note({"cluster_seeds": 1}) is None
    True
    >>> first_clustering_note({"cluster_seeds": 3, "cluster_seed_values": [7, 11, 13]})
    ... # doctest: +NORMALIZE_WHITESPACE
    "p, counts, labels and pid are the first of 3 clusterings' (seed 7); the seven quantities and \
plugin are the mean of the 3, settings['cluster_seed_sd'] their sd"
    """
    k = settings.get("cluster_seeds", 1)
    if k == 1:
        return None
    return (f"p, counts, labels and pid are the first of {k} clusterings' (seed "
            f"{settings['cluster_seed_values'][0]}); the seven quantities and plugin are the mean "
            f"of the {k}, settings['cluster_seed_sd'] their sd")
