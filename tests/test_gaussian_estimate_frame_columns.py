"""pidkit.to_frame fills a Gaussian estimate's plugin_* and *_low / *_high columns from its
``plugin`` and ``intervals``, as it does for a RepresentationPID (they were NaN: walk 351,
finding 3)."""

import numpy as np
import pytest

import pidkit
from pidkit.estimate import pid_from_representations
from pidkit.resampling import QUANTITIES

pd = pytest.importorskip("pandas")


def _samples(n=400):
    rng = np.random.default_rng(0)
    y = rng.normal(size=n)
    return y, y + rng.normal(size=n), y + 2 * rng.normal(size=n)


def test_the_frame_of_a_gaussian_estimate_has_its_plugin_values_and_intervals():
    g = pidkit.gaussian_pid_from_samples(*_samples(), bootstrap=20, progress=False)
    row = pidkit.to_frame({"gaussian": g}).loc["gaussian"]
    for q in QUANTITIES:
        assert row[f"plugin_{q}"] == g.diagnostics["plug_in"][q]
        assert (row[f"{q}_low"], row[f"{q}_high"]) == g.diagnostics["intervals"][q]
    # the plug-in I(Y;T) exceeds the corrected one by the exact Wishart bias it subtracted
    assert row["plugin_i_yt"] - row["i_yt"] == pytest.approx(g.diagnostics["biases"]["i_yt"], abs=1e-12)


def test_beside_a_representation_estimate_both_rows_fill_the_same_columns():
    y, t, s = _samples()
    labels = (y > 0).astype(int)
    discrete = pid_from_representations(labels, t[:, None], s[:, None], normalize=None, n_clusters=4,
                                        bootstrap=20, progress=False)
    gaussian = pidkit.gaussian_pid_from_samples(y, t, s, bootstrap=20, progress=False)
    frame = pidkit.to_frame({"discrete": discrete, "gaussian": gaussian})
    columns = ["plugin_red", "red_low", "red_high"]
    assert frame[columns].notna().all().all()
    assert frame.loc["gaussian", columns].tolist() == [gaussian.plugin["red"], *gaussian.intervals["red"]]
    assert {str(frame[c].dtype) for c in pidkit.batch.ESTIMATE_COLUMNS} == {"float64"}
    # what only a RepresentationPID has stays NaN in the Gaussian row
    assert np.isnan(frame.loc["gaussian", "bias_red"]) and np.isnan(frame.loc["gaussian", "kink"])


def test_without_bootstrap_the_intervals_are_nan_and_the_plugin_values_are_there():
    uncorrected = pidkit.gaussian_pid_from_samples(*_samples(), bias_correction=False)
    corrected = pidkit.gaussian_pid_from_samples(*_samples())
    exact = pidkit.gaussian_pid(np.cov(np.column_stack(_samples()), rowvar=False), (1, 1, 1))
    frame = pidkit.to_frame([uncorrected, corrected, exact])
    assert frame.loc[0, "plugin_syn"] == uncorrected.syn           # plug-in values are the values
    assert frame.loc[1, "plugin_syn"] == corrected.diagnostics["plug_in"]["syn"]
    assert np.isnan(frame.loc[2, "plugin_syn"])                    # no samples, no plug-in
    assert frame[[f"{q}_{end}" for q in QUANTITIES for end in ("low", "high")]].isna().all().all()
    keys = list(frame.columns)
    assert keys.index("n_samples") < keys.index("plugin_red") < keys.index("i_yts_high") < keys.index(
        "diagnostics")
