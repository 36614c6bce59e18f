"""The ``cap:`` note of pid_from_representations offers only fixes that work at the sample's n
(walk t-494: at 300 samples it advised "or n_clusters=10", which the correction refuses below 400)."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from pidkit.estimate import pid_from_representations


def _labels_known(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """10 labels, a teacher at a class centre per label, a student of noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    t = 3.0 * rng.normal(size=(10, 16))[y] + 0.5 * rng.normal(size=(n, 16))
    return y, t, rng.normal(size=(n, 16))


def _estimate(n: int, **options: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the features' row lengths tell the labels: not at issue here
        return pid_from_representations(*_labels_known(n), **options)


def test_the_note_at_300_samples_says_more_samples_and_the_n_at_which_n_clusters_10_is_taken():
    note = _estimate(300).settings["t"]["information_cap"]["note"]
    assert "or n_clusters=10" not in note
    least = int(re.search(r"Fix: more samples: n_clusters='auto' gives 10 clusters from 1000; n_clusters=10 "
                          r"needs at least (\d+) \(bias_correction='eb-extrapolation-kink' refuses fewer; "
                          r"300 samples over", note).group(1))
    assert least == 4 * 10 * 10  # quarters of the sample of at least the 100 cells of p(y, t)
    with pytest.raises(ValueError, match="fewer than the 100 cells of p"):
        _estimate(least - 1, n_clusters=10)
    assert _estimate(least, n_clusters=10).settings["t"]["n_values"] == 10


def test_from_that_n_the_note_offers_n_clusters_10_as_an_alternative():
    note = _estimate(500).settings["t"]["information_cap"]["note"]
    assert "Fix: more samples (n_clusters='auto' gives 10 clusters from 1000), or n_clusters=10 " \
        "(bias_correction='eb-extrapolation-kink' takes it from 400 samples; 500 samples over" in note
