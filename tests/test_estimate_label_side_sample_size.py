"""Too few samples for a side given as labels or reused from discretizers: the fix merges its labels,
or fits it afresh (issue 12).

Before: ``pid_from_representations(y, np.arange(2000), s_labels, n_clusters=250)`` was refused with
"Use at most 250 clusters per side (n_clusters=250; ...)", the setting already passed: n_clusters
does not apply to a side given as labels, so the advice could not work.
"""

from __future__ import annotations

import numpy as np
import pytest

from pidkit.estimate import check_sample_size, pid_from_representations


def test_a_label_side_with_too_many_values_is_named_with_its_count():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    s = y ^ (rng.random(2000) < 0.2)
    with pytest.raises(ValueError) as info:
        pid_from_representations(y, np.arange(2000), s, n_clusters=250)
    message = str(info.value)
    assert message.startswith("bias_correction='eb-extrapolation-kink' needs at least as many samples as "
                              "cells "
                              "of the pairwise table p(y,t) (2 x 2000 = 4000) in each piece that "
                              "subsamples=(2, 4) cuts the sample into, so at least 4 x 4000 = 16000 "
                              "samples; got 2000 samples. Use ")
    assert message.endswith(
        "Use t_features's 2000 distinct labels merged into at most 250 (t_features is given as labels, so "
        "n_clusters does not apply to it: for labels 0, 1, 2, ... np.minimum(t_features, 249) pools the "
        "largest, or np.digitize(t_features, edges) with 249 edges bins them; for values on a scale, such as "
        "spike counts, t_features.reshape(-1, 1) with normalize=None makes them one feature, clustered as "
        "features are), at least 16000 samples, or bias_correction='none' (the plug-in)."
    )


def test_a_clustered_side_and_a_label_side_are_told_apart():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 2000)
    with pytest.raises(ValueError) as info:
        pid_from_representations(y, rng.normal(size=(2000, 3)), np.arange(2000), n_clusters=400)
    assert ("Use at most 250 clusters per side (n_clusters=250; pidkit.estimate.clusters_for_samples "
            "gives a size that fits) and s_features's 2000 distinct labels merged into at most 250"
            ) in str(info.value)


def test_check_sample_size_takes_the_sides_given_as_labels():
    merge = (r"Use s's 12 distinct labels merged into at most 11 \(s is given as labels, so n_clusters does "
             r"not apply to it: for labels 0, 1, 2, \.\.\. np\.minimum\(s, 10\) pools the largest, or "
             r"np\.digitize\(s, edges\) with 10 edges bins them; for values on a scale, such as spike "
             r"counts, s\.reshape\(-1, 1\) with normalize=None makes them one feature, clustered as features "
             r"are\), "
             r"fewer parts \(subsamples=\(2, 3\)\), at least 480 samples")
    with pytest.raises(ValueError, match=merge):
        check_sample_size((10, 5, 12), 450, method="eb-extrapolation", label_sides={2: "s"})
    with pytest.raises(ValueError, match=r"Use at most 11 clusters per side \(n_clusters=11;"):
        check_sample_size((10, 5, 12), 450, method="eb-extrapolation", label_sides={1: "t"})
    assert check_sample_size((10, 5, 11), 450, method="eb-extrapolation", label_sides={2: "s"}) is None
    for bad in ({3: "s"}, ["t"], "t"):
        with pytest.raises(TypeError, match=r"^label_sides must map axes 1 \(T\) and 2 \(S\) to the names of "
                                            r"sides given as labels, e\.g\. \{1: 't_features'\}; got "):
            check_sample_size((10, 5, 5), 450, method="eb-extrapolation", label_sides=bad)


def test_a_side_reused_from_discretizers_is_told_to_be_fitted_afresh():
    # Before: "Use at most 7 clusters per side (n_clusters=7; ...)", which a reused Discretizer
    # ignores (with both sides reused, passing it was refused as "applies to no side").
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 3000)
    x = rng.normal(size=(3000, 8)) + y[:, None]
    _, student = pid_from_representations(y, x, x[:, :4], n_clusters=10).discretizers
    with pytest.raises(ValueError) as info:
        pid_from_representations(y[:300], x[:300], x[:300, :4], discretizers=(None, student), n_clusters=5)
    message = str(info.value)
    assert "n_clusters=7" not in message
    assert message.startswith("subsamples=(2, 4) cuts the 300 samples into pieces of 75, fewer than the 100 "
                              "cells of p(y,s)")
    assert ("Use s_features fitted afresh with at most 7 clusters (its Discretizer from discretizers "
            "gives 10 values, and n_clusters does not apply to it: pass None for it in discretizers, with "
            "n_clusters='auto' or at most 7), fewer parts") in message


def test_check_sample_size_takes_the_sides_reused_from_discretizers():
    fresh = r"Use t fitted afresh with at most 11 clusters \(its Discretizer from discretizers gives 12"
    with pytest.raises(ValueError, match=fresh):
        check_sample_size((10, 12, 5), 450, method="eb-extrapolation", reused_sides={1: "t"})
    with pytest.raises(ValueError, match=r"^label_sides and reused_sides name axis 2 both: a side is given"):
        check_sample_size((10, 5, 12), 450, method="eb-extrapolation", label_sides={2: "s"},
                          reused_sides={2: "s"})
    reused = r"^reused_sides must map axes 1 \(T\) and 2 \(S\) to the names of sides reused from discretizers"
    with pytest.raises(TypeError, match=reused + r", e\.g\. \{1: 't_features'\}; got 5\."):
        check_sample_size((10, 5, 5), 450, method="eb-extrapolation", reused_sides=5)
    # A name that is not a string was printed as "None's 12 distinct labels merged ...".
    with pytest.raises(TypeError, match=r"^label_sides must map .*; got \{1: None\}\."):
        check_sample_size((10, 12, 5), 450, method="eb-extrapolation", label_sides={1: None})


def test_a_clusterer_whose_clusters_fit_is_not_told_to_lower_them():
    # Before: "... Use t_features's 50 distinct labels merged into at most 11 (...). The clusters come
    # from clusterer=KMeans (3 for s_features), whose own setting sets their number ...: lower it
    # there", though 3 clusters fit: only the labels are too many.
    from sklearn.cluster import KMeans

    rng = np.random.default_rng(0)
    y, x = rng.integers(0, 10, 450), rng.normal(size=(450, 5))
    with pytest.raises(ValueError) as info:
        pid_from_representations(y, rng.integers(0, 50, 450), x, clusterer=KMeans(n_clusters=3, n_init=1))
    assert str(info.value).endswith(
        "Use t_features's 50 distinct labels merged into at most 11 (t_features is given as labels, so "
        "n_clusters does not apply to it: for labels 0, 1, 2, ... np.minimum(t_features, 10) pools the "
        "largest, or np.digitize(t_features, edges) with 10 edges bins them; for values on a scale, such as "
        "spike counts, t_features.reshape(-1, 1) with normalize=None makes them one feature, clustered as "
        "features are), at least 2000 samples, or bias_correction='none' (the plug-in).")
    come = r"The clusters come from clusterer=KMeans \(20 for s_features\), whose"
    with pytest.raises(ValueError, match=come):
        pid_from_representations(y, rng.integers(0, 5, 450), x, clusterer=KMeans(n_clusters=20, n_init=1))
