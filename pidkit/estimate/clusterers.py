"""A user's clusterer in a Discretizer: checked, copied and seeded, its number of clusters read,
and what to change when it found a single cluster.

:class:`~pidkit.estimate.Discretizer` takes any object with ``fit_predict`` in place of its
KMeans (``clusterer=``). These functions are what it needs to know of one: whether it can be used
at all, a seeded copy of it to fit, the number of clusters it is set to make, and the warning
when it put every row in one cluster (or all in noise).
"""

from __future__ import annotations

import numbers
from typing import Any

from sklearn.base import clone

from .cluster_count import DEFAULT_CLUSTERS

__all__ = ["check_clusterer", "declared_clusters", "fixed_seed_text", "one_cluster_text", "seeded_clusterer"]


def check_clusterer(clusterer: Any, n_clusters: int) -> None:
    """Refuse a ``clusterer`` a Discretizer cannot use, or an ``n_clusters`` that contradicts it.

    A class instead of an instance and an object without ``fit_predict`` are TypeErrors;
    ``n_clusters`` other than its default (:data:`~pidkit.estimate.cluster_count.DEFAULT_CLUSTERS`,
    "not set") and other than the clusterer's own number (:func:`declared_clusters`) is a
    ValueError, since the clusterer's setting applies.

    Examples
    --------
    >>> from sklearn.cluster import MiniBatchKMeans
    >>> check_clusterer(MiniBatchKMeans(n_clusters=4), 4), check_clusterer(MiniBatchKMeans(n_clusters=4), 10)
    (None, None)
    """
    if isinstance(clusterer, type):
        raise TypeError(
            f"clusterer must be a clusterer instance, not the class {clusterer.__name__}; "
            f"pass an instance, e.g. {clusterer.__name__}(n_clusters=8)."
        )
    if not hasattr(clusterer, "fit_predict"):
        raise TypeError(
            "clusterer must be a scikit-learn style clusterer with fit_predict (e.g. "
            f"sklearn.cluster.MiniBatchKMeans); got {type(clusterer).__name__}."
        )
    declared = declared_clusters(clusterer)
    if declared is not None and n_clusters not in (DEFAULT_CLUSTERS, declared[1]):
        raise ValueError(
            f"n_clusters={n_clusters} conflicts with clusterer={type(clusterer).__name__}"
            f"({declared[0]}={declared[1]}), whose own setting applies; leave n_clusters at its "
            f"default or pass n_clusters={declared[1]}."
        )


def seeded_clusterer(clusterer: Any, seed: int) -> Any:
    """A fresh copy of ``clusterer`` to fit, every ``random_state`` left at None set to ``seed``.

    A scikit-learn estimator (one with ``get_params``) is cloned, nested ``random_state``
    parameters (``kmeans__random_state``) included; any other object is deep-copied as it is.

    Examples
    --------
    >>> from sklearn.cluster import MiniBatchKMeans
    >>> seeded_clusterer(MiniBatchKMeans(n_clusters=4), 7).random_state
    7
    >>> seeded_clusterer(MiniBatchKMeans(n_clusters=4, random_state=3), 7).random_state
    3
    """
    step = clone(clusterer, safe=False)  # a deep copy of an object without get_params
    unset = _seed_keys(step, unset=True)
    if unset:
        step.set_params(**dict.fromkeys(unset, seed))
    return step


def _seed_keys(clusterer: Any, *, unset: bool) -> list[str]:
    """The ``random_state`` parameters of ``clusterer``, nested ones included: those left at None
    (``unset=True``) or those set by the user (``unset=False``); none for an object without
    ``get_params``."""
    if not hasattr(clusterer, "get_params"):
        return []
    return [key for key, value in clusterer.get_params(deep=True).items()
            if (key == "random_state" or key.endswith("__random_state")) and (value is None) == unset]


def fixed_seed_text(clusterer: Any) -> str | None:
    """Why ``clusterer`` clusters the same rows the same way whatever seed a call passes, or None
    where it takes the call's seed (some ``random_state`` left at None, as
    :func:`seeded_clusterer` sets).

    Examples
    --------
    >>> from sklearn.cluster import AgglomerativeClustering, MiniBatchKMeans
    >>> fixed_seed_text(MiniBatchKMeans(n_clusters=4)) is None
    True
    >>> fixed_seed_text(MiniBatchKMeans(n_clusters=4, random_state=3))
    'clusterer=MiniBatchKMeans keeps its own random_state=3'
    >>> fixed_seed_text(AgglomerativeClustering(n_clusters=4))
    'clusterer=AgglomerativeClustering takes no random_state'
    """
    if _seed_keys(clusterer, unset=True):
        return None
    name = type(clusterer).__name__
    own = _seed_keys(clusterer, unset=False)
    if not own:
        return f"clusterer={name} takes no random_state"
    params = clusterer.get_params(deep=True)
    return f"clusterer={name} keeps its own " + ", ".join(f"{key}={params[key]!r}" for key in own)


_MORE_CLUSTERS = {
    "eps": ("a larger eps", "a smaller eps"),
    "min_samples": ("a smaller min_samples", "a larger min_samples"),
    "min_cluster_size": ("a smaller min_cluster_size", "a smaller min_cluster_size"),
    "n_clusters": ("a larger n_clusters", "a larger n_clusters"),
    "n_components": ("a larger n_components", "a larger n_components"),
    "distance_threshold": ("a smaller distance_threshold", "a smaller distance_threshold"),
}
"""What makes a clusterer with each of these parameters find more clusters: (where it labelled every
row -1, noise; where it put every row in one cluster). A parameter left at None is not named:
AgglomerativeClustering's n_clusters is None when its distance_threshold sets the number."""


def one_cluster_text(name: str, n_samples: int, cluster: Any, label: int, default: bool) -> str:
    """The warning of a side whose rows the clusterer put all in one cluster, or all in noise.

    ``label`` is the one label every row got (-1: noise); ``default`` says whether ``cluster`` is
    the Discretizer's own KMeans (no user clusterer to swap out).

    Examples
    --------
    >>> from sklearn.cluster import DBSCAN
    >>> print(one_cluster_text("t_features", 300, DBSCAN(eps=1e-6), -1, default=False))
    t_features: the clusterer DBSCAN labelled all 300 rows -1 (noise), so t_features takes one
    value in the joint p[y, t, s] and every atom with it is 0. Pass a DBSCAN with a larger eps
    (now 1e-06) or a smaller min_samples (now 5), or clusterer=None (KMeans with n_clusters).
    """
    kind = type(cluster).__name__
    noise = label == -1
    found = (f"labelled all {n_samples} rows -1 (noise)" if noise
             else f"put all {n_samples} rows in one cluster")
    settings = [f"{_MORE_CLUSTERS[key][0 if noise else 1]} (now {getattr(cluster, key)!r})"
                for key in _MORE_CLUSTERS if getattr(cluster, key, None) is not None]
    change = " or ".join(settings) if settings else "settings that find more than one cluster"
    other = "" if default else ", or clusterer=None (KMeans with n_clusters)"
    article = "an" if kind[:1] in "AEIOU" else "a"
    return (
        f"{name}: the clusterer {kind} {found}, so {name} takes one value in the joint p[y, t, s] "
        f"and every atom with it is 0. Pass {article} {kind} with {change}{other}."
    )


def declared_clusters(clusterer: Any) -> tuple[str, int] | None:
    """``(parameter, value)`` of the number of clusters ``clusterer`` is set to make, if it says.

    Read from its ``n_clusters`` or ``n_components`` attribute (scikit-learn keeps parameters as
    attributes of the same name); ``None`` when it has neither as an int (a Pipeline, or
    ``AgglomerativeClustering(n_clusters=None)``).

    Examples
    --------
    >>> from sklearn.cluster import AgglomerativeClustering
    >>> from sklearn.mixture import GaussianMixture
    >>> declared_clusters(GaussianMixture(n_components=4))
    ('n_components', 4)
    >>> declared_clusters(AgglomerativeClustering(n_clusters=None, distance_threshold=1.0)) is None
    True
    """
    for key in ("n_clusters", "n_components"):
        value = getattr(clusterer, key, None)
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return key, int(value)
    return None
