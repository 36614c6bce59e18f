"""Too few samples for a side given as labels: the fix merges its labels (issue 12).

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
    assert message.startswith("bias_correction='eb-extrapolation' needs at least as many samples as cells "
                              "of the pairwise table p(y,t) (2 x 2000 = 4000); got 2000 samples. Use ")
    assert message.endswith(
        "Use t_features's 2000 distinct labels merged into at most 250 (t_features is given as labels: "
        "n_clusters does not apply to it), at least 16000 samples, or bias_correction='none' (the plug-in)."
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
    merge = (r"Use s's 12 distinct labels merged into at most 11 \(s is given as labels: n_clusters does "
             r"not apply to it\), fewer parts \(subsamples=\(2, 3\)\), at least 480 samples")
    with pytest.raises(ValueError, match=merge):
        check_sample_size((10, 5, 12), 450, method="eb-extrapolation", label_sides={2: "s"})
    with pytest.raises(ValueError, match=r"Use at most 11 clusters per side \(n_clusters=11;"):
        check_sample_size((10, 5, 12), 450, method="eb-extrapolation", label_sides={1: "t"})
    assert check_sample_size((10, 5, 11), 450, method="eb-extrapolation", label_sides={2: "s"}) is None
    for bad in ({3: "s"}, ["t"], "t"):
        with pytest.raises(TypeError, match=r"^label_sides must map axes 1 \(T\) and 2 \(S\) to the names of "
                                            r"sides given as labels, e\.g\. \{1: 't_features'\}; got "):
            check_sample_size((10, 5, 5), 450, method="eb-extrapolation", label_sides=bad)
