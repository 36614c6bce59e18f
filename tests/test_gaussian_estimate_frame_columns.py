"""pidkit.to_frame fills a Gaussian estimate's plugin_* and *_low / *_high columns from its
``plugin`` and ``intervals``, as it does for a RepresentationPID (they were NaN: walk 351,
finding 3)."""

import numpy as np
import pytest

import pidkit
from pidkit.estimate import pid_from_representations
from pidkit.gaussian import information_bias
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
    assert np.isnan(frame.loc["gaussian", "kink"])


def test_the_frame_tells_a_corrected_gaussian_estimate_from_a_plug_in_one():
    # bias_correction was NaN and bias_* NaN in both rows (walk 373, finding 3), where
    # pid_from_representations(..., estimator="gaussian") records "wishart" or "none"
    y, t, s = _samples()
    corrected = pidkit.gaussian_pid_from_samples(y, t, s)
    plug_in = pidkit.gaussian_pid_from_samples(y, t, s, bias_correction=False)
    frame = pidkit.to_frame({"corrected": corrected, "plug-in": plug_in})
    assert frame["bias_correction"].tolist() == ["wishart", "none"]
    # n = 400, scalar blocks: the exact Wishart bias of I(Y;T), psi-terms of b_d(399), in bits
    assert frame.loc["corrected", "bias_i_yt"] == pytest.approx(
        information_bias(1, 1, 399) / np.log(2), abs=1e-12)
    assert frame.loc["corrected", "bias_i_yt"] == pytest.approx(
        corrected.diagnostics["biases"]["i_yt"], abs=1e-12)
    assert [frame.loc["corrected", f"bias_{q}"] for q in QUANTITIES] == [
        corrected.plugin[q] - getattr(corrected, q) for q in QUANTITIES]
    assert (frame.loc["plug-in", [f"bias_{q}" for q in QUANTITIES]] == 0.0).all()
    assert {str(frame[f"bias_{q}"].dtype) for q in QUANTITIES} == {"float64"}
    # the same method names as the Gaussian estimator of pid_from_representations
    represented = pid_from_representations((y > 0).astype(int), t[:, None], s[:, None], estimator="gaussian",
                                          normalize=None)
    assert pidkit.to_frame([represented, corrected])["bias_correction"].tolist() == ["wishart", "wishart"]


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
