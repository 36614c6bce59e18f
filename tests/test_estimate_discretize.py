"""The discretiser (a scikit-learn Pipeline) and the rule for the number of clusters."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.cluster import AgglomerativeClustering, KMeans, MiniBatchKMeans
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from pidkit.estimate import (
    Discretizer,
    FewDistinctRowsWarning,
    Projector,
    clusters_for_samples,
    discretize,
    pid_from_representations,
)
from pidkit.estimate.distinct_rows import few_distinct_rows


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


def test_a_clusterer_without_predict_labels_its_rows_and_refuses_to_map_new_ones():
    # AgglomerativeClustering, DBSCAN, SpectralClustering have fit_predict only. Before, they were
    # refused outright, although one audit of one set of samples never calls predict.
    codes, X = _blobs(seed=4)
    res = pid_from_representations(codes, X, X, n_components=4, clusterer=AgglomerativeClustering(3),
                                   bias_correction="none")
    assert res.settings["t"]["clusterer"] == "AgglomerativeClustering" and res.shape == [3, 3, 3]
    h_y = -sum(q * np.log2(q) for q in np.bincount(codes) / codes.size)
    assert res.i_yt == pytest.approx(h_y, abs=1e-12)  # the blobs are found exactly: I(Y;T) = H(Y)
    disc = res.discretizers[0]
    cannot = (r"^This Discretizer's clusterer AgglomerativeClustering has no predict: it labels only the "
              r"rows it was fitted on, so it cannot map {}\. Fit a new Discretizer on {} \(in "
              r"pid_from_representations: None for that side of discretizers=\), or use a clusterer with "
              r"predict \(KMeans, MiniBatchKMeans, GaussianMixture, Birch\) to reuse the clusters\.$")
    with pytest.raises(TypeError, match=cannot.format("X", "X")):
        disc.predict(X)
    with pytest.raises(TypeError, match=cannot.format("s_features", "s_features")):
        pid_from_representations(codes, X, X, discretizers=(None, disc), bias_correction="none")
    with pytest.raises(TypeError, match=r"clusterer must be a scikit-learn style clusterer with fit_predict"):
        Discretizer(clusterer=object()).fit(X)


def test_unfitted_pipelines_raise_sklearns_not_fitted_error():
    # scikit-learn code catches NotFittedError (or calls check_is_fitted); a plain ValueError
    # escaped it. NotFittedError is a ValueError, so code catching that still works.
    from sklearn.utils.estimator_checks import check_estimators_unfitted

    codes, X = _blobs()
    calls = {
        "Discretizer": lambda: Discretizer().predict(X),
        "Discretizer settings": lambda: Discretizer().settings(),
        "Projector": lambda: Projector().transform(X),
        "Projector settings": lambda: Projector().settings(),
    }
    for kind, call in calls.items():
        with pytest.raises(NotFittedError, match=rf"^This {kind.split()[0]} is not fitted yet; call fit"):
            call()
    with pytest.raises(NotFittedError, match=r"^discretizers: the student Discretizer is not fitted"):
        pid_from_representations(codes, X, X, discretizers=(None, Discretizer()))
    check_estimators_unfitted("Discretizer", Discretizer())


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


def test_a_discretizer_asked_for_auto_clusters_says_it_cannot_see_the_labels():
    # 'auto' is pid_from_representations' default; Discretizer's TypeError said only "must be an int".
    _, X = _blobs()
    for make in (lambda: Discretizer(n_clusters="auto").fit(X), lambda: discretize(X, n_clusters="auto")):
        with pytest.raises(TypeError, match=r"^n_clusters='auto' is pid_from_representations' rule, which "
                                            r"needs the number of labels; a Discretizer never sees them\. "
                                            r"Pass an int, e\.g\. n_clusters=clusters_for_samples\("):
            make()


def test_the_default_number_of_clusters_follows_the_sample_size():
    # Issue 12: 450 held-out samples of 10 labels got a 10 x 10 x 10 joint (about 0.45 samples per
    # cell) by the default n_clusters=10; the default is now the rule "auto".
    rng = np.random.default_rng(4)
    y = rng.integers(0, 10, 450)
    X = rng.normal(size=(450, 8))
    res = pid_from_representations(y, X, X + rng.normal(size=X.shape))
    assert res.shape == [10, 6, 6]
    for side in ("t", "s"):
        assert res.settings[side]["n_clusters"] == 6
        assert res.settings[side]["n_clusters_rule"] == "clusters_for_samples(n_samples=450, n_labels=10) = 6"
    # 120 samples: 10 clusters a side failed the correction's sample-size check; the rule takes 3
    small = pid_from_representations(y[:120], X[:120], X[:120])
    assert small.shape == [10, 3, 3] and small.settings["t"]["n_clusters"] == 3


def test_the_default_sets_nothing_where_no_side_is_clustered_here():
    # With both sides given as labels or reused, "auto" (the default) means "not set": a sample too
    # small for the correction gets the joint's own message, not the rule's "n_clusters='auto'
    # found no number of clusters", about clusters no side makes.
    y = np.random.default_rng(5).integers(0, 10, 60)
    joint = (r"^bias_correction='eb-extrapolation-kink' needs at least as many samples as cells of the "
             r"pairwise")
    with pytest.raises(ValueError, match=joint + r" table p\(y,t\) \(10 x 10 = 100\)"):
        pid_from_representations(y, y, y)
    codes, X = _blobs(seed=8)
    fitted = pid_from_representations(codes, X, X, n_clusters=2).discretizers
    with pytest.raises(ValueError, match=r"^subsamples=\(2, 4\) cuts the 20 samples into pieces of 5, "
                                         r"fewer than the 6 cells of p\(y,t\)"):
        pid_from_representations(codes[:20], X[:20], X[:20], discretizers=fitted)
    reused = pid_from_representations(codes[:100], X[:100], X[:100], discretizers=fitted)
    assert reused.shape == [3, 2, 2] and "n_clusters_rule" not in reused.settings["t"]


def test_auto_counts_the_other_sides_values_where_one_side_is_not_clustered_here():
    # The rule took k for both sides (|Y| k^2 <= n): with the teacher given as 10 labels (its
    # predictions) 450 samples of 10 labels got k = 6, a 10 x 10 x 6 joint of 600 cells (0.75
    # samples per cell), below the one per cell the rule promises. Now |Y| |T| k <= n: k = 4.
    rng = np.random.default_rng(6)
    y = rng.integers(0, 10, 450)
    X = rng.normal(size=(450, 8))
    res = pid_from_representations(y, y, X)
    assert res.shape == [10, 10, 4]
    assert res.settings["s"]["n_clusters_rule"] == (
        "clusters_for_samples(n_samples=450, n_labels=10, other_values=10) = 4")
    assert clusters_for_samples(450, 10, other_values=10) == 4
    assert clusters_for_samples(450, 10, other_values=1) == 10  # the pairwise check still binds
    # A partition reused on one side counts its clusters: 10 for t, so s gets 4 as well
    fitted_t = pid_from_representations(y, X, X, n_clusters=10).discretizers[0]
    mixed = pid_from_representations(y, X, X, discretizers=(fitted_t, None))
    assert mixed.shape == [10, 10, 4] and mixed.settings["s"]["n_clusters"] == 4
    with pytest.raises(ValueError, match=r"^other_values must be an int >= 1; got 0\.$"):
        clusters_for_samples(450, 10, other_values=0)


def test_the_recorded_rule_gives_the_recorded_number():
    # settings["t"]["n_clusters_rule"] left out subsamples: with subsamples=(2, 8) it read
    # "clusters_for_samples(n_samples=450, n_labels=10) = 5", a call that gives 6.
    rng = np.random.default_rng(11)
    y, X = rng.integers(0, 10, 450), rng.normal(size=(450, 6))
    res = pid_from_representations(y, X, X, subsamples=(2, 8))
    rule = res.settings["t"]["n_clusters_rule"]
    assert rule == "clusters_for_samples(n_samples=450, n_labels=10, subsamples=(2, 8)) = 5"
    call, number = rule.split(" = ")
    assert eval(call, {"clusters_for_samples": clusters_for_samples}) == int(number) == 5


def test_a_float32_fit_maps_float64_features_and_back():
    codes, X = _blobs(seed=5)
    narrow = Discretizer(n_clusters=3).fit(X.astype(np.float32))
    wide = Discretizer(n_clusters=3).fit(X)
    np.testing.assert_array_equal(narrow.predict(X), narrow.labels_)
    np.testing.assert_array_equal(wide.predict(X.astype(np.float32)), wide.labels_)
    res = pid_from_representations(codes, X, X, discretizers=(narrow, None), bias_correction="none")
    assert res.settings["t"]["fitted"] == "reused" and res.settings["t"]["n_values"] == 3


@pytest.mark.parametrize(
    "rows",
    [
        np.zeros((300, 12)),
        np.ones((300, 12)),
        np.full((300, 12), 3.7, dtype=np.float32),
        # rows that differ only in scale are one point after the L2 normalisation
        np.random.default_rng(6).uniform(0.1, 50, (300, 1)) * np.eye(12)[4],
    ],
    ids=["zeros", "ones", "3.7-float32", "one-direction"],
)
def test_rows_all_equal_are_one_cluster_and_no_information(rows):
    codes, X = _blobs(seed=6)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # no PCA 0/0 and no KMeans "fewer distinct clusters" warning
        disc = Discretizer(n_clusters=3).fit(rows)
        res = pid_from_representations(codes, rows, X, n_clusters=3)
    # only the dead-layer warning, once for each fit
    assert [(w.category, str(w.message).split(" has")[0]) for w in caught] == [
        (FewDistinctRowsWarning, "X"), (FewDistinctRowsWarning, "t_features")]
    assert disc.rows_equal_ and disc.n_clusters_ == 1 and disc.pca_ is None
    assert (disc.labels_ == 0).all() and (disc.predict(X) == 0).all()
    assert res.settings["t"]["n_values"] == 1 and res.settings["t"]["rows_equal"]
    assert res.settings["t"]["n_clusters"] == 1 and "every row the same -> 1 cluster" in repr(res)
    for quantity in ("i_yt", "red", "uni_t"):
        assert getattr(res, quantity) == pytest.approx(0.0, abs=1e-12)
    assert res.uni_s == pytest.approx(res.i_ys, abs=1e-12)
    assert not Discretizer(n_clusters=3).fit(X).rows_equal_


def test_a_clusterers_own_number_of_clusters_is_recorded_and_checked():
    codes, X = _blobs(seed=7)
    res = pid_from_representations(codes, X, X, clusterer=MiniBatchKMeans(4, n_init=3), n_clusters="auto",
                                   bias_correction="none")
    assert res.settings["t"]["n_clusters"] == 4 and "n_clusters_rule" not in res.settings["t"]
    res = pid_from_representations(codes, X, X, clusterer=GaussianMixture(5), bias_correction="none")
    assert res.settings["t"]["n_clusters"] == 5 and "GaussianMixture 5 (seed 0" in repr(res)
    same = pid_from_representations(codes, X, X, clusterer=MiniBatchKMeans(4, n_init=3), n_clusters=4,
                                    bias_correction="none")
    assert same.settings["t"]["n_clusters"] == 4
    with pytest.raises(ValueError, match=r"n_clusters=5 conflicts with clusterer=MiniBatchKMeans\("
                                         r"n_clusters=4\), whose own setting applies; .* pass n_clusters=4"):
        pid_from_representations(codes, X, X, clusterer=MiniBatchKMeans(4), n_clusters=5)
    with pytest.raises(ValueError, match=r"the clusterer GaussianMixture's n_components=50 is more than "
                                         r"the 30 samples in t_features"):
        pid_from_representations(codes[:30], X[:30], X[:30], clusterer=GaussianMixture(50),
                                 bias_correction="none")


@pytest.mark.filterwarnings("ignore::pidkit.estimate.PluginBiasWarning")
def test_a_pipeline_clusterer_is_seeded_throughout():
    codes, X = _blobs(n=600, k=6, seed=8)
    pipe = make_pipeline(StandardScaler(), KMeans(8, n_init=1))
    first, second = (pid_from_representations(codes, X, X, clusterer=pipe, bias_correction="none")
                     for _ in range(2))
    assert first.discretizers[0].clusterer_.get_params()["kmeans__random_state"] == 0
    assert pipe.get_params()["kmeans__random_state"] is None  # the user's object is not touched
    np.testing.assert_array_equal(first.discretizers[0].labels_, second.discretizers[0].labels_)
    assert first.red == second.red and first.settings["t"]["n_clusters"] == 8  # distinct labels found


class _PlainClusterer:
    """fit_predict and predict, nothing else (no get_params, no fit)."""

    def __init__(self):
        self.model = KMeans(3, n_init=2, random_state=1)

    def fit_predict(self, X, y=None):
        return self.model.fit_predict(X)

    def predict(self, X):
        return self.model.predict(X)


def test_any_object_with_fit_predict_and_predict_is_copied_and_used_as_it_is():
    codes, X = _blobs(seed=9)
    plain = _PlainClusterer()
    disc = Discretizer(n_components=4, clusterer=plain).fit(X)
    assert not hasattr(plain.model, "cluster_centers_")  # a copy was fitted
    np.testing.assert_array_equal(disc.predict(X), disc.labels_)
    assert disc.settings()["clusterer"] == "_PlainClusterer" and disc.n_clusters_ == 3
    res = pid_from_representations(codes, X, X, clusterer=plain, bias_correction="none")
    assert res.settings["t"]["n_values"] == 3
    with pytest.raises(TypeError, match=r"not the class KMeans; pass an instance, e\.g\. KMeans\(n_clu"):
        Discretizer(clusterer=KMeans).fit(X)


def test_single_features_and_1d_input_name_normalize():
    _, X = _blobs(seed=10)
    with pytest.raises(ValueError, match=r"X\.reshape\(-1, 1\) with normalize=None \(L2 normalisation of a "
                                         r"single feature keeps only its sign\)\.$"):
        Discretizer().fit(X[:, 0])  # no "pass integer labels": a Discretizer takes none
    with pytest.raises(ValueError, match=r"normalize='l2' scales every row of X to unit length"):
        discretize(X[:, :1], n_clusters=4)
    labels, _ = discretize(X[:, :1], n_clusters=4, normalize=None)
    assert len(np.unique(labels)) == 4


@pytest.mark.filterwarnings("ignore::pidkit.estimate.PluginBiasWarning")
def test_auto_clusters_never_pick_what_the_correction_refuses():
    assert clusters_for_samples(450, 10, subsamples=(2, 8)) == 5  # pieces of 56: 5 x 10 cells
    rng = np.random.default_rng(11)
    y, X = rng.integers(0, 10, 450), rng.normal(size=(450, 6))
    res = pid_from_representations(y, X, X, n_clusters="auto", subsamples=(2, 8))
    assert res.settings["t"]["n_clusters"] == 5
    with pytest.raises(ValueError, match=r"n_clusters='auto' found no number of clusters that "
                                         r"bias_correction='eb-extrapolation-kink' accepts with 70 "
                                         r"samples of 10 "
                                         r"labels .*subsamples=\(2, 3\).*bias_correction='none'"):
        pid_from_representations(y[:70], X[:70], X[:70], n_clusters="auto")
    plugin = pid_from_representations(y[:70], X[:70], X[:70], n_clusters="auto", bias_correction="none")
    assert plugin.shape[1] == 2


def test_import_pidkit_stays_light():
    import subprocess
    import sys

    code = "import sys, pidkit; print('sklearn' in sys.modules, 'pidkit.estimate' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_too_many_clusters_from_a_clusterer_name_the_clusterer_not_n_clusters():
    # The sample-size error suggested n_clusters=K, which a clusterer overrides: passing it then
    # conflicted with the clusterer's own number. Now the message says whose number to lower.
    codes, X = _blobs(n=200, seed=12)
    with pytest.raises(ValueError, match=(
        r"bias_correction='none' \(the plug-in\)\. The clusters come from clusterer=MiniBatchKMeans \(40 "
        r"for t_features and 40 for s_features\), whose own setting sets their number \(n_clusters does "
        r"not apply to it\): lower it there, e\.g\. its n_clusters, n_components or distance_threshold\.$"
    )):
        pid_from_representations(codes, X, X, clusterer=MiniBatchKMeans(40, n_init=1))
    res = pid_from_representations(codes, X, X, clusterer=MiniBatchKMeans(8, n_init=1))  # the fix
    assert res.shape == [3, 8, 8]


def test_scikit_learns_clustering_warnings_name_the_side():
    # A GaussianMixture stopped after one iteration warns "did not converge", but scikit-learn's
    # warning did not say which of the two representations it was about.
    from sklearn.exceptions import ConvergenceWarning

    codes, X = _blobs(n=300, seed=13)
    other = np.random.default_rng(14).integers(0, 3, 300)  # labels: used as they are
    gm = GaussianMixture(3, max_iter=1)
    with pytest.warns(ConvergenceWarning, match=r"^s_features: .*did not converge") as record:
        pid_from_representations(codes, other, X, n_clusters=3, clusterer=gm, bias_correction="none")
    assert all(str(w.message).startswith("s_features: ") for w in record)
    # The user's own filters still apply to scikit-learn's warning, by its text or its module: the
    # relabelled copy once carried them past an "ignore" (its text starts with the side's name).
    for ignore in ({"message": "Best performing initialization"}, {"module": "sklearn"}):
        with warnings.catch_warnings(record=True) as shown:
            warnings.simplefilter("always")
            warnings.filterwarnings("ignore", category=ConvergenceWarning, **ignore)
            pid_from_representations(codes, other, X, n_clusters=3, clusterer=gm, bias_correction="none")
        assert [str(w.message) for w in shown] == []


@pytest.mark.parametrize("normalize", ["l2", None])
def test_fewer_distinct_rows_than_clusters_are_one_cluster_each(normalize):
    # Mostly-zero ReLU features with 6 distinct rows and n_clusters=10: the PCA's rounding noise
    # made KMeans split identical rows between clusters (8 "clusters" of 6 points, each split
    # counted as information), and scikit-learn's warning spoke of "duplicate points in X".
    from pidkit import joint_from_samples, pid

    rng = np.random.default_rng(15)
    y = rng.integers(0, 4, 2000)
    S = np.zeros((2000, 32), np.float32)
    S[:, 0], S[:, 1], S[:, 2] = y == 1, 2.0 * (y == 2), rng.integers(0, 2, 2000)
    _, T = _blobs(n=2000, seed=15)
    _, rows = np.unique(S, axis=0, return_inverse=True)
    where = " after the L2 normalisation" if normalize else ""
    with pytest.warns(UserWarning, match=rf"^s_features has only 6 distinct rows{where}, fewer than "
                                         r"n_clusters=10: each distinct row is one cluster, so it takes 6 "
                                         r"values in the joint p\[y, t, s\] \(PCA skipped\)"):
        res = pid_from_representations(y, T, S, normalize=normalize)
    disc = res.discretizers[1]
    assert [len(set(disc.labels_[rows == g])) for g in range(6)] == [1] * 6
    assert len(set(disc.labels_)) == 6 and disc.distinct_rows_ == 6 and disc.pca_ is None
    np.testing.assert_array_equal(disc.predict(S[::-1]), disc.labels_[::-1])
    assert res.settings["s"]["n_values"] == res.settings["s"]["n_clusters"] == 6
    assert res.settings["s"]["distinct_rows"] == 6 and res.settings["s"]["n_init"] is None
    assert "only 6 distinct rows -> one cluster each (6 used)" in repr(res)
    exact = pid(joint_from_samples(y, res.discretizers[0].labels_, rows).p)
    assert res.pid.i_ys == pytest.approx(exact.i_ys, abs=1e-12)
    assert res.pid.i_yts == pytest.approx(exact.i_yts, abs=1e-12)
    assert Discretizer(n_clusters=3).fit(T).distinct_rows_ is None


@pytest.mark.parametrize(("kind", "normalize"), [(Discretizer, "l2"), (Discretizer, None), (Projector, "l2")])
def test_fit_and_predict_hold_one_copy_of_the_features_and_leave_them_as_they_are(kind, normalize):
    # 10,000 x 16,384 float32 conv maps are 655 MB. The scaler's np.abs and the copies of the
    # Normalizer and the PCA held two (l2: three) such matrices at once; now the scaled copy is
    # normalised and centred where it lies. The caller's array is only read.
    import tracemalloc

    X = np.random.default_rng(0).normal(size=(3000, 800)).astype(np.float32)
    before = X.copy()
    kind(normalize=normalize).fit(X[:600])  # imports and first-call caches outside the count

    def peak(call):
        tracemalloc.start()
        try:
            value = call()
            return value, tracemalloc.get_traced_memory()[1] / X.nbytes
        finally:
            tracemalloc.stop()

    fitted, fit_peak = peak(lambda: kind(normalize=normalize).fit(X))
    _, predict_peak = peak(lambda: fitted.predict(X) if kind is Discretizer else fitted.transform(X))
    assert fit_peak < 1.3 and predict_peak < 1.3, (fit_peak, predict_peak)  # 2.0-2.1 before
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("given", ["already scaled", "read-only memmap", "DataFrame"])
def test_the_in_place_steps_never_reach_the_callers_features(given, tmp_path):
    # The Normalizer and the PCA overwrite their input (copy=False), which is safe only because
    # the power-of-two scaler before them returns a new array, also where its factor is 1 (float64
    # rows with max |x| in [0.5, 1)), for a memmap opened read-only and for a DataFrame's values.
    pd = pytest.importorskip("pandas")
    X = np.random.default_rng(0).uniform(-0.9, 0.9, size=(200, 12))
    X[0, 0] = 0.75
    before = X.copy()
    if given == "read-only memmap":
        np.save(tmp_path / "features.npy", X)
        X = np.load(tmp_path / "features.npy", mmap_mode="r")
    elif given == "DataFrame":
        X = pd.DataFrame(X, columns=[f"f{i}" for i in range(12)])
    for normalize in ("l2", None):
        disc = Discretizer(n_clusters=3, n_components=4, normalize=normalize).fit(X)
        disc.predict(X)
        disc.pipeline_[:-1].transform(X)
        Projector(n_components=4, normalize=normalize).fit(X).transform(X)
        np.testing.assert_array_equal(np.asarray(X), before, err_msg=f"normalize={normalize!r}")


@pytest.mark.filterwarnings("ignore::pidkit.estimate.PluginBiasWarning")
def test_rows_equal_up_to_rounding_are_one_distinct_row():
    # 6 directions at random scales (3 times larger for y == 1): the L2 normalisation leaves scaled
    # copies a few eps apart, and the exact comparison took them for 2,000 distinct rows: KMeans cut
    # 2 of the directions in two on rounding alone (8 clusters, I(Y;S) 0.00374 bits for 0.00307).
    from pidkit import joint_from_samples, pid

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 2000)
    direction = rng.integers(0, 6, 2000)
    base = rng.integers(0, 2, (6, 40)) * rng.normal(size=40)
    S = base[direction] * np.where(y == 1, 3.0, 1.0)[:, None] * rng.uniform(0.5, 1.5, (2000, 1))
    with pytest.warns(UserWarning, match=r"^s_features has only 6 distinct rows after the L2"):
        res = pid_from_representations(y, rng.normal(size=(2000, 12)), S, bias_correction="none")
    disc = res.discretizers[1]
    assert disc.distinct_rows_ == 6
    assert [len(set(disc.labels_[direction == g])) for g in range(6)] == [1] * 6
    exact = pid(joint_from_samples(y, res.discretizers[0].labels_, direction).p)
    assert res.pid.i_ys == pytest.approx(exact.i_ys, abs=1e-12)
    # One direction at many scales is "every row the same" (the docs said so; it was not caught).
    with pytest.warns(FewDistinctRowsWarning, match=r"^X has every row the same after the L2 normalisation"):
        one = Discretizer(n_clusters=3).fit(base[1] * rng.uniform(0.5, 3.0, (500, 1)))
    assert one.rows_equal_ and one.n_clusters_ == 1 and set(one.labels_) == {0}
    # Rows that differ beyond rounding stay distinct clusters: 1e-6 apart in float64. (1e-9 apart
    # they are one: KMeans' own distances do not resolve them, and merged them.)
    for gap, clusters in ((1e-6, [0, 1, 2]), (1e-9, [0, 0, 1])):
        near = np.array([[0.6, 0.8], [0.6 + gap, 0.8], [0.8, 0.6]] * 10)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)  # KMeans merged none of the rows
            with pytest.warns(UserWarning, match=f"only {max(clusters) + 1} distinct rows"):
                disc = Discretizer(n_clusters=5, normalize=None).fit(near)
        np.testing.assert_array_equal(disc.labels_, clusters * 10)
        np.testing.assert_array_equal(disc.predict(near[:3]), clusters)


@pytest.mark.parametrize("estimator", ["discrete", "gaussian"])
def test_rows_that_share_one_large_feature_are_not_equal(estimator):
    # float32 student rows: a constant feature 1e5 times the others (a bias unit, a "massive
    # activation"), and 8 features that carry y. Compared within sqrt(eps) of the row's largest
    # element (3.45 here), every row was "the same": a dead layer, I(Y;S) = 0 bits and no warning.
    # PCA centres the constant away: the PID is that of the 8 features without it.
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 600)
    t = rng.normal(size=(600, 6)) + y[:, None]
    small = (rng.normal(size=(600, 8)) + y[:, None]).astype(np.float32)
    s = np.concatenate([np.full((600, 1), 1e5, dtype=np.float32), small], axis=1)
    kwargs = {"estimator": estimator, "normalize": None, "n_clusters": 4 if estimator == "discrete" else 10}
    with warnings.catch_warnings():
        warnings.simplefilter("error", FewDistinctRowsWarning)
        res = pid_from_representations(y, t, s, **kwargs)
    assert not res.settings["s"]["rows_equal"]
    assert res.i_ys == pytest.approx(pid_from_representations(y, t, small, **kwargs).i_ys, abs=1e-9)
    assert res.i_ys > 0.5
    assert few_distinct_rows(np.array([[1.0, 1e-9], [1.0, 2e-9]], dtype=np.float32), 2) is None


@pytest.mark.parametrize("estimator", ["discrete", "gaussian"])
@pytest.mark.parametrize(("dtype", "offset"), [(np.float32, 1000.0), (np.float64, 1e7)])
def test_rows_that_share_a_large_offset_are_not_a_dead_layer(estimator, dtype, offset):
    # Every student feature is offset + 0.01 y + noise: each row is within sqrt(eps) of the first
    # one, element by element, and both estimators took the side for a dead layer (I(Y;S) = 0 bits,
    # no warning). Only rounding of the scaling and normalisation makes rows equal; PCA centres the
    # offset away, and the PID is that of the centred features.
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 600)
    t = rng.normal(size=(600, 4)) + y[:, None]
    wiggle = 0.01 * y[:, None] + 0.003 * rng.normal(size=(600, 8))
    kwargs = {"estimator": estimator, "normalize": None, "n_clusters": 4 if estimator == "discrete" else 10}
    with warnings.catch_warnings():
        warnings.simplefilter("error", FewDistinctRowsWarning)
        res = pid_from_representations(y, t, (offset + wiggle).astype(dtype), **kwargs)
    centred = pid_from_representations(y, t, (wiggle - wiggle.mean(axis=0)).astype(dtype), **kwargs)
    assert not res.settings["s"]["rows_equal"]
    assert res.i_ys == pytest.approx(centred.i_ys, abs=0.02) and res.i_ys > 0.9


@pytest.mark.parametrize("n_components", [None, 50])  # PCA skipped: asked for, or it keeps all 40
def test_predict_without_pca_gives_the_fitted_labels_under_a_large_offset(n_components):
    # float32 features 1000 + 0.01 noise, clustered without PCA: KMeans centres the rows for fit,
    # not for predict, whose distances lost the 1e-5 variation: predict(X) relabelled 676 of the
    # 800 rows it was fitted on, and a Discretizer reused on a later epoch clustered noise.
    X = (1000 + 0.01 * np.random.default_rng(0).normal(size=(800, 40))).astype(np.float32)
    disc = Discretizer(n_components=n_components, n_clusters=6, normalize=None).fit(X)
    assert disc.pca_ is None and len(set(disc.labels_)) == 6
    np.testing.assert_array_equal(disc.predict(X), disc.labels_)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(disc)).predict(X[::-1]), disc.labels_[::-1])


@pytest.mark.filterwarnings("ignore::pidkit.estimate.PluginBiasWarning")
def test_the_few_distinct_rows_warning_points_at_the_callers_line():
    # stacklevel=3 was right for Discretizer(...).fit(X) only: through pid_from_representations
    # and discretize the warning named a line inside pidkit, which a user cannot change or filter.
    X = np.repeat(np.eye(3), 20, axis=0)
    y = np.tile([0, 1], 30)
    for call in (lambda: Discretizer(n_clusters=8).fit(X), lambda: discretize(X, n_clusters=8),
                 lambda: pid_from_representations(y, X, X, n_clusters=8, bias_correction="none")):
        with pytest.warns(FewDistinctRowsWarning) as caught:
            call()
        assert {w.filename for w in caught if w.category is FewDistinctRowsWarning} == {__file__}


def test_a_clusterer_replaced_for_few_distinct_rows_is_named_in_the_warning():
    # MiniBatchKMeans(n_clusters=8) on 3 distinct rows: a KMeans centred on them labelled the rows,
    # and the warning did not say that the user's clusterer was not used.
    X = np.repeat(np.eye(3), 20, axis=0)
    with pytest.warns(UserWarning, match=r"^X has only 3 distinct rows after the L2 normalisation, fewer "
                                         r"than n_clusters=8 of the clusterer MiniBatchKMeans: each .*"
                                         r"\(PCA skipped; MiniBatchKMeans is not used, a KMeans centred on"):
        disc = Discretizer(clusterer=MiniBatchKMeans(n_clusters=8, n_init=1)).fit(X)
    assert disc.settings()["clusterer"] == "KMeans" and disc.distinct_rows_ == 3
    with warnings.catch_warnings():  # its own category, which a training loop's audit can filter
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", FewDistinctRowsWarning)
        Discretizer(n_clusters=8).fit(X)
    np.testing.assert_array_equal(disc.labels_, np.repeat([0, 1, 2], 20))
    np.testing.assert_array_equal(disc.predict(np.eye(3)[::-1] * 5), [2, 1, 0])
    again = pickle.loads(pickle.dumps(disc))
    np.testing.assert_array_equal(again.predict(X), disc.labels_)
