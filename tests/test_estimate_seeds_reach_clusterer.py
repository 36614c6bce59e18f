"""``cluster_seeds=k`` with a user's clusterer: refused where the call's seeds cannot reach it (its
own ``random_state`` kept, or none at all), since its k clusterings would be one; the printout
names the clusterer that was seeded."""

from __future__ import annotations

import pytest
from sklearn.cluster import AgglomerativeClustering, KMeans, MiniBatchKMeans

from pidkit.estimate import pid_from_representations
from tests.estimate_data import three_class_features

OPTIONS = {"n_components": 3, "normalize": None}


def test_a_clusterer_with_its_own_random_state_is_refused_with_the_fix():
    y, t, s = three_class_features()
    # before: each of the 3 seeds counted the same joint, and the printout claimed a mean over seeds
    with pytest.raises(ValueError) as info:
        pid_from_representations(y, t, s, cluster_seeds=3, clusterer=KMeans(4, n_init=1, random_state=7),
                                 **OPTIONS)
    assert str(info.value) == (
        "cluster_seeds=3 averages over clusterings with different seeds, but clusterer=KMeans keeps "
        "its own random_state=7, so all 3 would be the same; pass random_state=None to the clusterer "
        "(the call's seeds then reach it), or cluster_seeds=1.")


def test_a_clusterer_without_random_state_is_refused():
    y, t, s = three_class_features()
    with pytest.raises(ValueError, match=r"clusterer=AgglomerativeClustering takes no random_state, so "
                                         r"all 2 would be the same; pass cluster_seeds=1\.$"):
        pid_from_representations(y, t, s, cluster_seeds=2, clusterer=AgglomerativeClustering(4), **OPTIONS)


def test_the_same_clusterers_with_one_seed_still_run():
    y, t, s = three_class_features()
    for clusterer in (KMeans(4, n_init=1, random_state=7), AgglomerativeClustering(4)):
        res = pid_from_representations(y, t, s, clusterer=clusterer, **OPTIONS)
        assert res.counts.shape == (3, 4, 4)


def test_an_unseeded_clusterer_s_seeds_differ_and_the_printout_names_it():
    y, t, s = three_class_features()
    res = pid_from_representations(y, t, s, cluster_seeds=3, clusterer=MiniBatchKMeans(4, n_init=1),
                                   **OPTIONS)
    assert max(res.settings["cluster_seed_sd"].values()) > 1e-3  # the seeds reached the clusterer
    shown = " ".join(repr(res).split())
    assert "seeds: the mean over 3 MiniBatchKMeans seeds" in shown and "KMeans seeds" not in shown.replace(
        "MiniBatchKMeans seeds", "")
    one = " ".join(repr(pid_from_representations(y, t, s, bootstrap=5, clusterer=MiniBatchKMeans(4, n_init=1),
                                                 **OPTIONS)).split())
    assert "the intervals leave out the MiniBatchKMeans seed's variance" in one


@pytest.mark.parametrize(("clusterer", "why"), [
    (KMeans(4, random_state=7), "clusterer=KMeans keeps its own random_state=7"),
    (AgglomerativeClustering(4), "clusterer=AgglomerativeClustering takes no random_state"),
])
def test_one_clustering_the_seed_misses_is_recorded_and_not_told_to_average_seeds(clusterer, why):
    # its record said "random_state": 0 and its printout "cluster_seeds=3 puts it in", which
    # cluster_seeds refuses for such a clusterer
    y, t, s = three_class_features()
    res = pid_from_representations(y, t, s, clusterer=clusterer, bootstrap=10, progress=False, **OPTIONS)
    assert res.settings["t"]["fixed_seed"] == why and "cluster_seeds=3" not in repr(res)
    assert f"(seed 0, {why}, 4 clusters used)" in " ".join(repr(res).split())
    plain = pid_from_representations(y, t, s, clusterer=KMeans(4), bootstrap=10, progress=False, **OPTIONS)
    assert plain.settings["t"]["fixed_seed"] is None and "cluster_seeds=3 puts it in" in " ".join(
        repr(plain).split())
