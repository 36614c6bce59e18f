"""A clusterer that puts every row of a side in one cluster, or in noise, says so.

Before, ``pid_from_representations(y, X, X[:, :32], clusterer=DBSCAN())`` on the digits gave a
10 x 1 x 1 joint and atoms of 0 without a word: DBSCAN's default ``eps`` joined every
L2-normalised row into one cluster (a tiny ``eps`` labels every row -1, noise, to the same effect).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.cluster import DBSCAN
from sklearn.datasets import load_digits

from pidkit.estimate import Discretizer, pid_from_representations


def _collapse_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "so t_features takes one value" in str(w.message)
            or "so s_features takes one value" in str(w.message)]


def test_one_dbscan_cluster_per_side_is_named_with_the_setting_to_change():
    X, y = load_digits(return_X_y=True)
    with pytest.warns(UserWarning) as caught:
        res = pid_from_representations(y, X, X[:, :32], clusterer=DBSCAN())
    assert res.shape == [10, 1, 1]
    assert _collapse_warnings(caught) == [
        f"{side}: the clusterer DBSCAN put all 1797 rows in one cluster, so {side} takes one value "
        "in the joint p[y, t, s] and every atom with it is 0. Pass a DBSCAN with a smaller eps "
        "(now 0.5) or a larger min_samples (now 5), or clusterer=None (KMeans with n_clusters)."
        for side in ("t_features", "s_features")
    ]


def test_every_row_noise_asks_for_a_larger_eps():
    X, _ = load_digits(return_X_y=True)
    with pytest.warns(UserWarning, match=r"^X: the clusterer DBSCAN labelled all 1797 rows -1 \(noise\), "
                                         r"so X takes one value .* a larger eps \(now 0\.01\) or a "
                                         r"smaller min_samples \(now 5\)"):
        disc = Discretizer(clusterer=DBSCAN(eps=0.01)).fit(X)
    assert set(disc.labels_.tolist()) == {-1}


def test_clusters_found_give_no_such_warning():
    X, y = load_digits(return_X_y=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = pid_from_representations(y, X, X[:, :32], n_clusters=5, bias_correction="none")
    assert res.shape == [10, 5, 5] and _collapse_warnings(caught) == []
    with warnings.catch_warnings(record=True) as caught:  # every row the same: one cluster by design,
        warnings.simplefilter("always")                   # recorded as settings["rows_equal"]
        disc = Discretizer(n_clusters=2).fit(np.zeros((15, 3)))
    assert disc.rows_equal_ and not [w for w in caught if "takes one value" in str(w.message)]


def test_a_clusterer_set_by_its_distance_threshold_is_told_to_lower_it():
    # Before: "Pass a AgglomerativeClustering with a larger n_clusters (now None)": n_clusters is None
    # (and must be, with a distance_threshold), so the advice named a setting that cannot be raised.
    from sklearn.cluster import AgglomerativeClustering

    X, _ = load_digits(return_X_y=True)
    one = AgglomerativeClustering(n_clusters=None, distance_threshold=1e9)
    with pytest.warns(UserWarning) as caught:
        Discretizer(clusterer=one).fit(X[:300])
    said = [str(w.message) for w in caught if "takes one value" in str(w.message)]
    assert said == [
        "X: the clusterer AgglomerativeClustering put all 300 rows in one cluster, so X takes one value in "
        "the joint p[y, t, s] and every atom with it is 0. Pass an AgglomerativeClustering with a smaller "
        "distance_threshold (now 1000000000.0), or clusterer=None (KMeans with n_clusters)."
    ]
