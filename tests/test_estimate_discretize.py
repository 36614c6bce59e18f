"""The discretiser (a scikit-learn Pipeline) and the rule for the number of clusters."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.cluster import MiniBatchKMeans
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import Pipeline

from pidkit.estimate import Discretizer, clusters_for_samples, discretize, pid_from_representations


def _blobs(n: int = 300, k: int = 3, dim: int = 12, seed: int = 0):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, k, n)
    return codes, rng.normal(0, 6, (k, dim))[codes] + rng.normal(size=(n, dim))


@pytest.mark.parametrize("normalize", ["l2", None])
@pytest.mark.parametrize("scale", [1e-200, 1e200, 1e-30, 1e30])
def test_extreme_feature_scales_give_the_same_clusters(normalize, scale):
    _, X = _blobs()
    plain, _ = discretize(X, n_clusters=3, normalize=normalize)
    scaled, disc = discretize(X * scale, n_clusters=3, normalize=normalize)
    np.testing.assert_array_equal(plain, scaled)
    assert len(np.unique(scaled)) == 3
    np.testing.assert_array_equal(disc.predict(X * scale), scaled)


def test_the_discretizer_is_a_seeded_sklearn_pipeline():
    codes, X = _blobs()
    disc = Discretizer(n_components=5, n_clusters=3).fit(X)
    assert isinstance(disc.pipeline_, Pipeline)
    assert list(disc.pipeline_.named_steps) == ["scale", "normalize", "pca", "cluster"]
    assert disc.clusterer_.random_state == 0 and disc.pca_.random_state == 0
    np.testing.assert_array_equal(disc.pipeline_.predict(X), disc.labels_)
    assert clone(disc).get_params() == disc.get_params()
    table = np.zeros((3, 3), int)
    np.add.at(table, (codes, disc.labels_), 1)
    assert ((table > 0).sum(axis=1) == 1).all()


def test_fitted_discretizer_pickles_and_maps_a_later_epochs_features():
    codes, X = _blobs(seed=1)
    _, disc = discretize(X, n_clusters=3)
    clone_ = pickle.loads(pickle.dumps(disc))
    later = X + 0.05 * np.random.default_rng(2).normal(size=X.shape)  # the next epoch, barely moved
    np.testing.assert_array_equal(clone_.predict(later), disc.labels_)
    res = pid_from_representations(codes, later, later, discretizers=(clone_, clone_), bias_correction="none")
    assert res.settings["t"]["fitted"] == "reused"
    np.testing.assert_array_equal(res.discretizers[0].labels_, disc.labels_)


@pytest.mark.parametrize(
    "clusterer",
    [MiniBatchKMeans(n_clusters=3, n_init=3), GaussianMixture(n_components=3)],
    ids=["minibatch-kmeans", "gaussian-mixture"],
)
def test_any_clusterer_with_fit_predict_and_predict(clusterer):
    codes, X = _blobs(seed=3)
    a = Discretizer(n_components=4, clusterer=clusterer).fit(X)
    b = Discretizer(n_components=4, clusterer=clusterer).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)  # seeded through random_state
    assert a.clusterer_.random_state == 0 and clusterer.get_params()["random_state"] is None
    table = np.zeros((3, 3), int)
    np.add.at(table, (codes, a.labels_), 1)
    assert ((table > 0).sum(axis=1) == 1).all()
    res = pid_from_representations(codes, X, X, n_components=4, clusterer=clusterer, bias_correction="none")
    assert res.settings["t"]["clusterer"] == type(clusterer).__name__
    with pytest.raises(TypeError, match=r"clusterer must be a scikit-learn style clusterer"):
        Discretizer(clusterer=object()).fit(X)


def test_cluster_rule_from_the_sample_size():
    assert [clusters_for_samples(n, 10) for n in (100, 200, 450, 1000, 2000, 10_000)] == [2, 4, 6, 10, 10, 10]
    assert clusters_for_samples(10_000, 10, max_clusters=40) == 31
    assert clusters_for_samples(450, 2) == 10  # sqrt(225) = 15, capped at 10
    for n in (120, 450, 2000, 10_000):
        k = clusters_for_samples(n, 10)
        assert 10 * k * k <= n and 4 * 10 * k <= n
    with pytest.raises(ValueError, match=r"n_samples must be an int >= 1"):
        clusters_for_samples(0, 10)


def test_auto_clusters_in_the_pipeline_are_recorded():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 10, 450)
    X = rng.normal(size=(450, 8))
    res = pid_from_representations(y, X, X + rng.normal(size=X.shape), n_clusters="auto")
    assert res.settings["t"]["n_clusters"] == 6
    assert res.settings["t"]["n_clusters_rule"] == "clusters_for_samples(n_samples=450, n_labels=10) = 6"
    assert "clusters_for_samples" in repr(res)
    with pytest.raises(ValueError, match=r"n_clusters must be an int >= 2 or 'auto'; got 'many'"):
        pid_from_representations(y, X, X, n_clusters="many")


def test_import_pidkit_stays_light():
    import subprocess
    import sys

    code = "import sys, pidkit; print('sklearn' in sys.modules, 'pidkit.estimate' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
