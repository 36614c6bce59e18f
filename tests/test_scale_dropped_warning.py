"""ScaleDroppedWarning: normalize="l2" dropped row lengths that tell the labels apart.

The walk's case (t-451): Poisson spike counts whose rates code 4 stimuli lose nearly all their
information to the default L2 normalisation, silently. The check fires there and on class means
that differ only in scale, with the share of the log lengths' variance the labels explain, and
stays silent where the lengths carry nothing, without the normalisation, and once per call.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from pidkit.estimate import Discretizer, ScaleDroppedWarning, pid_from_representations
from pidkit.estimate.dropped_scale import DROPPED_SCALE_SHARE, labels_share_of_lengths, log_row_lengths

N = 500


@pytest.fixture(scope="module")
def spikes() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The walk's population: 20 and 15 neurons whose Poisson rates code 4 stimuli."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, N)
    t = rng.poisson(np.array([2, 5, 10, 20])[y][:, None] * np.ones(20))
    s = rng.poisson(np.array([3, 3, 8, 8])[y][:, None] * np.ones(15))
    return y, t, s


def _caught(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [w for w in caught if w.category is ScaleDroppedWarning]


def _adjusted_share_by_dummies(log_len: np.ndarray, y: np.ndarray, clusters: np.ndarray) -> float:
    """Reference: the adjusted share from two least-squares fits on indicator columns (clusters,
    then cluster-by-class cells), not from group means."""
    def fit(groups: np.ndarray) -> tuple[float, int]:
        _, codes = np.unique(groups, return_inverse=True)
        design = np.eye(codes.max() + 1)[codes]
        residual = log_len - design @ np.linalg.lstsq(design, log_len, rcond=None)[0]
        return float(residual @ residual), len(log_len) - design.shape[1]
    left, left_df = fit(clusters)
    rest, rest_df = fit(clusters * 10 + y)
    return max(0.0, 1 - (rest / rest_df) / (left / left_df))


def _adjusted_share_by_regression(log_len: np.ndarray, y: np.ndarray, components: np.ndarray) -> float:
    """Reference: scikit-learn's linear regression on the components, then with y's classes."""
    def rss(columns: np.ndarray) -> float:
        residual = log_len - LinearRegression().fit(columns, log_len).predict(columns)
        return float(residual @ residual)
    classes = np.eye(y.max() + 1)[y][:, 1:]
    d = components.shape[1]
    left, rest = rss(components), rss(np.column_stack([components, classes]))
    return max(0.0, 1 - (rest / (len(y) - d - classes.shape[1] - 1)) / (left / (len(y) - d - 1)))


def _percent(message: str, name: str) -> int:
    return int(re.search(rf"in {name}, y explains (\d+)%", message).group(1))


def test_spike_counts_warn_once_with_the_share_and_the_estimate(spikes):
    y, t, s = spikes
    res, caught = _caught(lambda: pid_from_representations(y, t, s))
    assert len(caught) == 1
    message = str(caught[0].message)
    t_share = _adjusted_share_by_dummies(np.log(np.linalg.norm(t, axis=1)), y, res.discretizers[0].labels_)
    s_share = _adjusted_share_by_dummies(np.log(np.linalg.norm(s, axis=1)), y, res.discretizers[1].labels_)
    assert 0.97 < t_share < 0.99 and 0.93 < s_share < 0.96  # the walk's 98 % and 94 %
    assert _percent(message, "t_features") == round(100 * t_share)
    assert _percent(message, "s_features") == round(100 * s_share)
    assert f"I(Y;T) is estimated at {res.i_yt:.3g} bits" in message and round(res.i_yt, 3) == 0.311
    assert f"I(Y;S) is estimated at {res.i_ys:.3g} bits" in message
    assert "normalize=None" in message and "StandardScaler" in message
    assert caught[0].filename == __file__  # it points at the caller's line
    kept = pid_from_representations(y, t, s, normalize=None)  # what the fix recovers: ~2 and ~1 bits
    assert kept.i_yt > 1.9 and kept.i_ys > 0.9


def test_gaussian_estimator_warns_with_its_linear_share(spikes):
    y, t, s = spikes
    res, caught = _caught(lambda: pid_from_representations(y, t, s, estimator="gaussian"))
    assert len(caught) == 1
    message = str(caught[0].message)
    t_share = _adjusted_share_by_regression(np.log(np.linalg.norm(t, axis=1)), y, res.discretizers[0].scores_)
    assert 0.97 < t_share < 0.99
    assert _percent(message, "t_features") == round(100 * t_share)
    assert "beyond a linear fit on its Gaussian dimensions" in message


def test_class_means_that_differ_only_in_scale_warn():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 4, N)
    direction = rng.normal(size=32)
    t = np.array([1.0, 2.0, 3.0, 4.0])[y][:, None] * 3 * direction / np.linalg.norm(direction)
    t = t + rng.normal(size=(N, 32))
    for estimator in ("discrete", "gaussian"):
        _, caught = _caught(lambda e=estimator: pid_from_representations(y, t, rng.normal(size=(N, 3)),
                                                                       estimator=e))
        assert len(caught) == 1 and "in t_features" in str(caught[0].message)
        assert "in s_features" not in str(caught[0].message)
        assert _percent(str(caught[0].message), "t_features") >= 60  # measured 73 % and 61 %


def _equal_norm_clusters(rng):
    means = rng.normal(size=(4, 16))
    means = 3 * means / np.linalg.norm(means, axis=1, keepdims=True)
    y = rng.integers(0, 4, N)
    return y, means[y] + rng.normal(size=(N, 16))


def _unrelated(rng):
    return rng.integers(0, 4, N), rng.normal(size=(N, 16))


def _unit_rows(rng):
    y, t = _equal_norm_clusters(rng)
    return y, (t / np.linalg.norm(t, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("make", [_equal_norm_clusters, _unrelated, _unit_rows])
@pytest.mark.parametrize("estimator", ["discrete", "gaussian"])
def test_silent_where_the_lengths_carry_nothing(make, estimator):
    rng = np.random.default_rng(2)
    y, t = make(rng)
    other = rng.normal(size=(N, 3))
    res, caught = _caught(lambda: pid_from_representations(y, t, other, estimator=estimator))
    assert caught == []
    kept = res.discretizers[0].labels_ if estimator == "discrete" else res.discretizers[0].scores_
    assert labels_share_of_lengths(log_row_lengths(t), y, kept) < 0.05


@pytest.mark.parametrize("estimator", ["discrete", "gaussian"])
def test_silent_without_the_normalisation(spikes, estimator):
    y, t, s = spikes
    _, caught = _caught(lambda: pid_from_representations(y, t, s, normalize=None, estimator=estimator))
    assert caught == []


@pytest.mark.parametrize("options", [{"estimator": "discrete", "cluster_seeds": 2},
                                     {"estimator": "gaussian"}])
def test_one_warning_per_call_not_per_replicate(spikes, options):
    y, t, s = spikes
    res, caught = _caught(lambda: pid_from_representations(y, t, s, bootstrap=20, **options))
    assert len(caught) == 1 and res.settings["bootstrap"] == 20


def test_sides_given_as_labels_are_not_measured(spikes):
    y, _, s = spikes
    _, caught = _caught(lambda: pid_from_representations(y, y, s))
    assert len(caught) == 1
    assert "in s_features" in str(caught[0].message) and "t_features" not in str(caught[0].message)


def test_a_reused_discretizer_is_measured_by_its_own_normalisation(spikes):
    y, t, s = spikes
    fitted = (Discretizer(n_clusters=6).fit(t), Discretizer(n_clusters=6, normalize=None).fit(s))
    _, caught = _caught(lambda: pid_from_representations(y, t, s, discretizers=fitted))
    assert len(caught) == 1
    assert "in t_features" in str(caught[0].message) and "s_features" not in str(caught[0].message)


def test_share_matches_the_dummy_regression_and_leaves_out_zero_rows():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 300)
    clusters = rng.integers(0, 4, 300)
    rows = rng.normal(size=(300, 5)) * (1.0 + 0.3 * y + 0.2 * clusters)[:, None]
    rows[:7] = 0.0
    share = labels_share_of_lengths(log_row_lengths(rows), y, clusters)
    lengths = np.log(np.linalg.norm(rows[7:], axis=1))
    assert share == pytest.approx(_adjusted_share_by_dummies(lengths, y[7:], clusters[7:]), abs=1e-12)
    assert 0.1 < share < 0.2 < DROPPED_SCALE_SHARE  # lengths that y explains in part: no warning


def test_log_row_lengths_of_huge_and_tiny_rows():
    rows = np.array([[3e200, 4e200], [3e-200, 4e-200], [0.0, 0.0]])
    lengths = log_row_lengths(rows)
    assert lengths[:2] == pytest.approx([np.log(5.0) + 200 * np.log(10), np.log(5.0) - 200 * np.log(10)],
                                        rel=1e-14)
    assert np.isnan(lengths[2])
