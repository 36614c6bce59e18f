"""The ``clusters:`` line of a RepresentationPID: its informations are those of the clusters.

Before (t-422, finding 2): Y a deterministic function of the teacher's features (``y =
logits.argmax(1)``, I(Y;T) = H(Y) = 2.32 bits for 5 classes) printed i_yt 0.93 with the interval
[0.89, 0.97] and no word that the number is I(Y; clusters of T), a lower bound of the features'
I(Y;T) whose loss no interval includes. Now a line says so wherever features were merged into
clusters, and only there: not for labels, the Gaussian estimator, features with no more distinct
rows than clusters (each row its own cluster) or a side whose ``cap:`` line says it already.
"""

from __future__ import annotations

import numpy as np
import pytest

from pidkit.estimate import FewDistinctRowsWarning, pid_from_representations

CLUSTERS_LINE = "clusters: i_yt, i_ys and i_yts are of T's and S's clusters, lower bounds of the features'"


def _words(res) -> str:
    """The repr with its wrapped notes joined, single-spaced: the words a reader reads."""
    return " ".join(repr(res).split())


def _label_entropy(y: np.ndarray) -> float:
    """H(Y) in bits of the labels' frequencies: I(Y;T) where Y is a function of T."""
    p = np.bincount(y) / y.size
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


@pytest.fixture(scope="module")
def determined():
    """Y = argmax of 5 logits (T), S independent noise: the t-422 reproducer, with intervals."""
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2000, 5)) * 2
    y = logits.argmax(1)
    s = rng.normal(size=(2000, 5))
    return y, pid_from_representations(y, logits, s, n_jobs=1, bootstrap=50)


def test_a_label_the_features_determine_shows_far_less_in_clusters_and_the_repr_says_whose_it_is(determined):
    y, res = determined
    truth = _label_entropy(y)  # I(Y;T) = H(Y): the features determine the label
    assert truth == pytest.approx(2.32, abs=0.01)
    assert res.i_yt == pytest.approx(0.932, abs=0.01)        # I(Y; 10 clusters of T), 40 % of it
    assert res.intervals["i_yt"][1] < 0.5 * truth            # the interval leaves the loss out
    words = _words(res)
    assert CLUSTERS_LINE in words
    assert ("what the clustering loses is in no value or interval (docs/estimate.md, "
            "\"What the clusters lose\")") in words


def test_without_intervals_the_line_names_only_the_values():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 10, 1000)          # independent data: every I is 0, the line a statement only
    res = pid_from_representations(y, rng.normal(size=(1000, 64)), rng.normal(size=(1000, 32)))
    words = _words(res)
    assert CLUSTERS_LINE in words
    assert "what the clustering loses is in no value (docs" in words


def test_labels_and_the_gaussian_estimator_get_no_line():
    rng = np.random.default_rng(0)
    t, s = rng.integers(0, 2, (2, 400))
    codes = pid_from_representations(t ^ s, t, s)          # XOR of labels: nothing clustered
    assert codes.syn == pytest.approx(1.0, abs=0.03)
    assert "clusters:" not in repr(codes)
    y = rng.integers(0, 3, 400)
    gaussian = pid_from_representations(y, rng.normal(size=(400, 4)) + y[:, None],
                                        rng.normal(size=(400, 4)), estimator="gaussian")
    assert "clusters:" not in repr(gaussian)


def test_one_clustered_side_names_only_its_informations():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 600)
    res = pid_from_representations(y, rng.normal(size=(600, 4)) + y[:, None], y, n_clusters=6)
    assert ("clusters: i_yt and i_yts are of T's clusters, lower bounds of the features' (data "
            "processing)") in _words(res)


def test_features_with_no_more_distinct_rows_than_clusters_lose_nothing_and_get_no_line():
    rng = np.random.default_rng(0)
    t = rng.integers(0, 3, 600)
    y = (t + (rng.random(600) < 0.1)) % 3                 # Y a noisy copy of T's 3 values
    with pytest.warns(FewDistinctRowsWarning, match="only 3 distinct rows"):
        res = pid_from_representations(y, np.eye(3)[t], rng.integers(0, 2, 600), n_clusters=6)
    assert res.settings["t"]["distinct_rows"] == 3          # each row its own cluster
    as_labels = pid_from_representations(y, t, rng.integers(0, 2, 600))
    assert res.plugin["i_yt"] == pytest.approx(as_labels.plugin["i_yt"], abs=1e-12)  # nothing lost
    assert "clusters:" not in repr(res)


def test_a_capped_side_is_left_to_its_cap_line():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 300)
    t = 8.0 * np.eye(10)[y] + rng.normal(size=(300, 10))  # knows every label; 5 clusters cap it
    res = pid_from_representations(y, t, y % 2, n_clusters=5, normalize=None)
    assert "information_cap" in res.settings["t"]
    words = _words(res)
    assert "cap: T's 5 clusters" in words and "clusters:" not in words.replace("cap: T's 5 clusters", "")
