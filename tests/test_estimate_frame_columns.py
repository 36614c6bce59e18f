"""``pidkit.to_frame`` of RepresentationPIDs: every number a float64 column (task 323).

The plug-in values, the interval ends, the biases and the correction stayed dicts in object
columns (``frame["plugin"][0]["red"]``), though docs/estimate.md said every number was a float64
column. They are now ``plugin_red``, ``red_low`` / ``red_high``, ``bias_red`` (plug-in minus
corrected), ``kink`` and ``expected_bias_*``; ``bias_correction`` is the method's name, and only
what is not a number (shape, flags, settings, warning, arrays, the full sample's PID record) stays
in object columns.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import pidkit
from pidkit.batch import ESTIMATE_COLUMNS
from pidkit.estimate import PluginBiasWarning, pid_from_representations
from pidkit.resampling import QUANTITIES

pd = pytest.importorskip("pandas")

# the columns that hold no number (strings: object, or pandas 3's str)
OBJECT_COLUMNS = ["units", "measure", "status", "message", "shape", "bias_correction", "negative",
                  "above_bound", "settings", "bias_warning", "p", "counts", "labels", "pid",
                  "first_clustering"]


def _runs(**options):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 400)
    t = rng.normal(size=(400, 6)) + y[:, None]
    s = rng.normal(size=(400, 5))
    return [pid_from_representations(y, t, s, random_state=k, progress=False, **options) for k in range(2)]


def test_plug_in_values_intervals_and_biases_are_float64_columns():
    runs = _runs(bootstrap=10)
    frame = pidkit.to_frame(runs)
    assert [column for column in frame.columns if not pd.api.types.is_numeric_dtype(frame[column])] \
        == OBJECT_COLUMNS
    assert not any(isinstance(value, dict) for column in OBJECT_COLUMNS if column not in
                   ("settings", "labels", "pid") for value in frame[column])
    for column in ESTIMATE_COLUMNS:
        assert frame[column].dtype == np.float64, column
    first = runs[0]
    assert frame.loc[0, "plugin_syn"] == first.plugin["syn"] == pytest.approx(0.151248, abs=1e-6)
    assert frame.loc[0, "syn"] == pytest.approx(-0.137095, abs=1e-6)
    assert frame.loc[0, "bias_syn"] == pytest.approx(0.151248 + 0.137095, abs=2e-6)
    assert (frame.loc[0, "i_yts_low"], frame.loc[0, "i_yts_high"]) == first.intervals["i_yts"]
    assert frame.loc[0, "i_yts_low"] == pytest.approx(0.363276, abs=1e-6)
    assert frame.loc[1, "red_high"] == runs[1].intervals["red"][1]
    assert frame["expected_bias_i_yts"].tolist() == [run.bias["i_yts"] for run in runs]
    assert frame["expected_bias_ratio"].tolist() == [run.bias["ratio"] for run in runs]
    assert frame["expected_bias_uni_at_kink"].tolist() == [run.bias["uni_at_kink"] for run in runs]
    assert frame["kink"].tolist() == [run.correction.kink for run in runs]
    for q in QUANTITIES:  # plug-in minus the estimated bias is the corrected value
        np.testing.assert_allclose(frame[f"plugin_{q}"] - frame[f"bias_{q}"], frame[q], atol=1e-12)
    assert frame["bias_correction"].tolist() == ["eb-extrapolation-kink"] * 2
    assert frame.loc[0, "negative"] == first.correction.negative == ("red", "syn", "i_ys")
    assert frame.loc[0, "settings"]["bootstrap"] == 10


def test_results_without_intervals_have_nan_interval_ends():
    frame = pidkit.to_frame(_runs())
    assert frame["red_low"].dtype == np.float64 and frame[[f"{q}_{end}" for q in QUANTITIES
                                                           for end in ("low", "high")]].isna().all().all()
    assert frame["plugin_red"].notna().all()


def test_estimates_beside_other_results_and_the_gaussian_estimator():
    gaussian = _runs(estimator="gaussian")[0]
    frame = pidkit.to_frame({"xor": pidkit.pid(pidkit.examples.xor()), "gaussian": gaussian})
    assert math.isnan(frame.loc["xor", "plugin_red"]) and frame["plugin_red"].dtype == np.float64
    assert frame.loc["gaussian", "plugin_i_yt"] == gaussian.plugin["i_yt"]
    assert frame.loc["gaussian", "plugin_i_yt"] == pytest.approx(0.972587, abs=1e-6)
    assert frame.loc["gaussian", "bias_correction"] == "wishart"
    assert frame.loc["gaussian", "above_bound"] == ()
    assert frame.loc["xor", "syn"] == pytest.approx(1.0, abs=1e-9)


def test_an_infinite_bias_ratio_stays_infinite():
    # I(Y;T,S) is exactly 0 in the counts, its expected bias is not: to_dict() says None (JSON)
    y, t = np.tile([0, 0, 1, 1], 50), np.tile([0, 1, 0, 1], 50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginBiasWarning)
        res = pid_from_representations(y, t, np.zeros(200, dtype=int), bias_correction="none")
    assert res.to_dict()["bias"]["ratio"] is None
    frame = pidkit.to_frame([res])
    assert frame.loc[0, "expected_bias_ratio"] == math.inf
    assert frame.loc[0, "expected_bias_i_yts"] == res.bias["i_yts"] > 0
