"""Gaussian PID from samples: the exact Wishart bias of log-det entropies, the corrected channels,
one-hot labels, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.special as sp

import pidkit
from pidkit.gaussian import estimate_from_covariance, information_bias, log_det_bias
from pidkit.gaussian.examples import ATOMS, degraded, scalar_target
from pidkit.gaussian.samples import GaussianStatistic


def draw(rng, cov, dims, n):
    x = rng.standard_normal((n, sum(dims))) @ np.linalg.cholesky(cov).T
    d_y, d_t, _ = dims
    return x[:, :d_y], x[:, d_y : d_y + d_t], x[:, d_y + d_t :]


def test_log_det_bias_in_one_dimension_is_the_chi_square_mean_log():
    for dof in (2, 5, 40):
        assert log_det_bias(1, dof) == pytest.approx(sp.digamma(dof / 2) + np.log(2 / dof), abs=1e-15)


def test_log_det_bias_matches_monte_carlo_wishart_draws():
    rng = np.random.default_rng(0)
    dim, dof, reps = 3, 12, 4000
    c = np.array([[2.0, 0.5, 0.1], [0.5, 1.0, -0.3], [0.1, -0.3, 0.5]])
    root = np.linalg.cholesky(c)
    x = rng.standard_normal((reps, dof, dim)) @ root.T
    w = np.einsum("rni,rnj->rij", x, x) / dof
    values = np.linalg.slogdet(w)[1] - np.linalg.slogdet(c)[1]
    standard_error = values.std() / np.sqrt(reps)
    assert abs(values.mean() - log_det_bias(dim, dof)) < 4 * standard_error
    assert log_det_bias(dim, dof) < -20 * standard_error  # far from zero: the test can fail


def test_corrected_informations_are_unbiased_and_plug_in_ones_are_not():
    rng = np.random.default_rng(1)
    ex = degraded(2, 3, 3, rng=rng)
    cov, dims = ex.cov, ex.dims
    truth = pidkit.gaussian_pid(cov, dims, units="nats")
    corrected, plug_in = [], []
    for _ in range(400):
        r = pidkit.gaussian_pid_from_samples(*draw(rng, cov, dims, 30), units="nats", strict=False)
        corrected.append([r.diagnostics["plug_in"][k] - r.diagnostics["biases"][k] for k in ("i_yt", "i_ys")])
        plug_in.append([r.diagnostics["plug_in"][k] for k in ("i_yt", "i_ys")])
    corrected, plug_in = np.array(corrected), np.array(plug_in)
    error = corrected.std(axis=0) / np.sqrt(len(corrected))
    target = np.array([truth.i_yt, truth.i_ys])
    assert np.all(np.abs(corrected.mean(axis=0) - target) < 4 * error)
    assert np.all(plug_in.mean(axis=0) - target > 8 * error)


def test_information_bias_is_the_plug_in_excess():
    dof = 29
    assert information_bias(2, 3, dof) == pytest.approx(
        0.5 * (log_det_bias(2, dof) + log_det_bias(3, dof) - log_det_bias(5, dof)), abs=1e-15
    )
    assert information_bias(2, 3, dof) > information_bias(2, 3, 10 * dof) > 0


@pytest.mark.parametrize("case", ["scalar", "degraded"])
def test_corrected_atoms_are_several_times_less_biased_than_plug_in(case):
    rng = np.random.default_rng(2)
    ex = scalar_target(8, 8, rng=rng) if case == "scalar" else degraded(3, 8, 8, rng=rng)
    cov, dims = ex.cov, ex.dims
    truth = pidkit.gaussian_pid(cov, dims)
    target = np.array([getattr(truth, a) for a in ATOMS])
    corrected, plug_in = [], []
    for _ in range(200):
        r = pidkit.gaussian_pid_from_samples(*draw(rng, cov, dims, 80), strict=False)
        corrected.append([getattr(r, a) for a in ATOMS])
        plug_in.append([r.diagnostics["plug_in"][a] for a in ATOMS])
    bias_corrected = np.abs(np.mean(corrected, axis=0) - target).sum()
    bias_plug_in = np.abs(np.mean(plug_in, axis=0) - target).sum()
    assert bias_corrected < 0.25 * bias_plug_in


def test_scalar_target_estimate_is_mmi_of_the_corrected_informations():
    rng = np.random.default_rng(3)
    ex = scalar_target(4, 6, rng=rng)
    cov, dims = ex.cov, ex.dims
    r = pidkit.gaussian_pid_from_samples(*draw(rng, cov, dims, 300))
    assert r.red == pytest.approx(min(r.i_yt, r.i_ys), abs=1e-12)
    assert r.uni_t == pytest.approx(max(r.i_yt - r.i_ys, 0.0), abs=1e-12)
    assert r.uni_s == pytest.approx(max(r.i_ys - r.i_yt, 0.0), abs=1e-12)
    assert r.q is None


def test_without_correction_it_is_the_pid_of_the_sample_covariance():
    rng = np.random.default_rng(4)
    ex = degraded(2, 3, 4, rng=rng)
    cov, dims = ex.cov, ex.dims
    y, t, s = draw(rng, cov, dims, 500)
    r = pidkit.gaussian_pid_from_samples(y, t, s, bias_correction=False)
    direct = pidkit.gaussian_pid(np.cov(np.hstack([y, t, s]), rowvar=False), dims)
    for name in (*ATOMS, "i_yts"):
        assert getattr(r, name) == pytest.approx(getattr(direct, name), abs=1e-12)
    assert r.q.shape == cov.shape and r.diagnostics["n_samples"] == 500


def test_a_label_one_hot_in_c_or_c_minus_1_columns_gives_the_same_estimate():
    rng = np.random.default_rng(5)
    n, classes = 2000, 4
    label = rng.integers(0, classes, n)
    onehot = np.eye(classes)[label]
    means = rng.standard_normal((classes, 3))
    t = means[label] + rng.standard_normal((n, 3))
    s = 0.5 * means[label, :2] + t[:, :2] @ rng.standard_normal((2, 2)) + rng.standard_normal((n, 2))
    full = pidkit.gaussian_pid_from_samples(onehot, t, s)
    first = pidkit.gaussian_pid_from_samples(onehot[:, 1:], t, s)
    last = pidkit.gaussian_pid_from_samples(onehot[:, :-1], t, s)
    assert full.diagnostics["ranks"][0] == classes - 1
    for name in (*ATOMS, "i_yts"):
        assert getattr(full, name) == pytest.approx(getattr(first, name), abs=1e-9)
        assert getattr(last, name) == pytest.approx(getattr(first, name), abs=1e-9)


def test_integer_class_codes_in_one_column_draw_a_warning():
    rng = np.random.default_rng(7)
    label = rng.integers(0, 3, 200)
    t = label[:, None] + rng.standard_normal((200, 2))
    s = rng.standard_normal((200, 2))
    for codes in (label, label.astype(float)):  # floats too: labels read from a table, 0.0, 1.0, 2.0
        with pytest.warns(UserWarning, match=r"3 whole-number values.*one-hot encoded in C - 1 columns"):
            pidkit.gaussian_pid_from_samples(codes, t, s)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pidkit.gaussian_pid_from_samples(np.eye(3)[label][:, 1:], t, s)  # the documented encoding
        pidkit.gaussian_pid_from_samples(label % 2, t, s)  # a binary label is its own encoding
        pidkit.gaussian_pid_from_samples(label + 0.5 * rng.random(200), t, s)  # continuous


def test_a_floored_synergy_is_reported():
    rng = np.random.default_rng(6)
    y = rng.standard_normal(60)
    t = y + rng.standard_normal(60)
    s = t + rng.standard_normal(60)  # degraded: true synergy 0, the correction can undershoot it
    r = pidkit.gaussian_pid_from_samples(y, t, s)
    assert r.syn >= 0.0
    assert r.diagnostics.get("synergy_floored", False) == (r.syn == 0.0)


@pytest.mark.parametrize(
    ("arrays", "error", "match"),
    [
        ((np.zeros(10), np.zeros(10), np.zeros(9)), ValueError, r"same number of samples .* \[10, 10, 9\]"),
        ((np.zeros(5), np.zeros((5, 2)), np.zeros((5, 2))), ValueError, "too few samples: n = 5 rows"),
        ((np.full(10, np.nan), np.zeros(10), np.zeros(10)), ValueError, "y contains NaN or infinity"),
        ((np.zeros(10), np.array(["a"] * 10), np.zeros(10)), TypeError, "t must hold real numbers"),
        # class names as y (a pandas column of strings is an object array): the message said
        # 'got dtype <U3.' (or 'If they are numbers, convert them') and nothing of the one-hot
        ((np.array(["cat", "dog"] * 5, dtype=object), np.arange(10.0), np.arange(10.0) % 3), TypeError,
         r"^y must hold real numbers; got text \(e\.g\. 'cat'\)\. The Gaussian PID models numbers: "
         r"pass class labels one-hot in C - 1 columns \(pidkit\.estimate\.continuous\.one_hot\(y, "
         r"'y'\)\[0\]\), or pass them as they are to pidkit\.estimate\.pid_from_representations\(\.\.\., "
         r"estimator='gaussian'\), which encodes them so\.$"),
        ((np.array(["cat", "dog"] * 5), np.arange(10.0), np.arange(10.0) % 3), TypeError,
         r"^y must hold real numbers; got text \(e\.g\. 'cat'\)\. "),
        # numbers held as text (a column read from a file as strings) were told to go in one-hot
        # as class labels; before that, as an object array, to be converted, the fix that runs
        ((np.arange(10.0), np.array(["0.5", "1.25", "-2"] * 3 + ["7"], dtype=object), np.arange(10.0) % 3),
         TypeError, r"^t must hold real numbers; got text that reads as numbers \(e\.g\. '0\.5'\)\. "
         r"Convert it: np\.asarray\(t, dtype=float\) \(t\.astype\(float\) for a pandas column\)\.$"),
        ((np.arange(10.0), np.array(["0.5", "1.25", "-2"] * 3 + ["7"]), np.arange(10.0) % 3), TypeError,
         r"^t must hold real numbers; got text that reads as numbers \(e\.g\. '0\.5'\)\. Convert it"),
        ((np.zeros(10), np.zeros((10, 2, 2)), np.zeros(10)), ValueError, r"t must be of shape \(n_samples,"),
        # t copies y: the error named 'cov', an argument of gaussian_pid, not of this function
        ((np.arange(10.0), np.arange(10.0), np.arange(10.0) % 3), ValueError,
         r"^y, t and s: T determines a linear combination of Y exactly"),
        # y constant: every atom came back 0 with status 'optimal' and no word
        ((np.ones(10), np.arange(10.0), np.arange(10.0) % 3), ValueError,
         r"^y is constant \(every column holds a single value\): a constant target carries no "
         r"information, so every atom would be 0\. Pass a target that varies across the samples "
         r"\(pidkit\.estimate refuses a single-class y alike\)\.$"),
    ],
)
def test_bad_samples_are_refused_with_a_named_message(arrays, error, match):
    with pytest.raises(error, match=match):
        pidkit.gaussian_pid_from_samples(*arrays)


def test_estimate_from_covariance_checks_the_sample_size():
    # the wrong kind is a TypeError, as for every count in pidkit (it was a ValueError)
    with pytest.raises(TypeError, match=r"^n_samples must be an int >= 2; got 1\.5 \(float\)\.$"):
        estimate_from_covariance(np.eye(3), (1, 1, 1), n_samples=1.5)
    with pytest.raises(ValueError, match=r"^n_samples must be an int >= 2; got 1\.$"):
        estimate_from_covariance(np.eye(3), (1, 1, 1), n_samples=1)
    with pytest.raises(ValueError, match="n_samples = 3 is too small"):
        estimate_from_covariance(np.eye(3), (1, 1, 1), n_samples=3)
    with pytest.raises(ValueError, match="sample_cov is not positive semi-definite"):
        estimate_from_covariance(-np.eye(3), (1, 1, 1), n_samples=30)


def test_a_sample_covariance_with_a_constant_target_is_refused():
    # Y's variance 0: all atoms came back 0, 'optimal'; as from samples, it is refused.
    with pytest.raises(ValueError) as info:
        estimate_from_covariance(np.diag([0.0, 1.0, 1.0]), (1, 1, 1), n_samples=30)
    assert str(info.value).startswith(
        "sample_cov gives Y zero variance (its first 1 x 1 block is 0): a constant target carries "
        "no information, so every atom would be 0."
    )


def test_a_resample_that_draws_a_single_value_of_y_is_a_replicate_of_zeros():
    # y rare (2 of 60 samples): about 1 resample in 7 draws neither. Since a constant y is
    # refused, those replicates raised inside the bootstrap and counted as failed (35 of 200),
    # which left the zeros out of the intervals; the estimate of such a resample is 0.
    rng = np.random.default_rng(0)
    y = np.zeros(60)
    y[:2] = 1.0
    t, s = y + rng.standard_normal(60), y + rng.standard_normal(60)
    result = pidkit.gaussian_pid_from_samples(y, t, s, bootstrap=200, random_state=0)
    boot = result.diagnostics["bootstrap"]
    assert boot["n_failed"] == 0
    statistic = GaussianStatistic(np.column_stack([y, t, s]), (1, 1, 1))
    seed = next(k for k in range(100) if (np.random.default_rng(k).integers(0, 60, 60) >= 2).all())
    np.testing.assert_array_equal(statistic(np.random.default_rng(seed)), np.zeros(7))


def test_bootstrap_intervals_are_reproducible_and_independent_of_n_jobs():
    rng = np.random.default_rng(9)
    ex = degraded(2, 2, 2, rng=rng)
    y, t, s = draw(rng, ex.cov, ex.dims, 400)
    truth = pidkit.gaussian_pid(ex.cov, ex.dims)
    one = pidkit.gaussian_pid_from_samples(y, t, s, bootstrap=24, random_state=3, n_jobs=1)
    two = pidkit.gaussian_pid_from_samples(y, t, s, bootstrap=24, random_state=3, n_jobs=2)
    np.testing.assert_array_equal(one.diagnostics["bootstrap"]["replicates"],
                                  two.diagnostics["bootstrap"]["replicates"])
    assert one.diagnostics["intervals"] == two.diagnostics["intervals"]
    other = pidkit.gaussian_pid_from_samples(y, t, s, bootstrap=24, random_state=4)
    assert other.diagnostics["intervals"] != one.diagnostics["intervals"]
    boot = one.diagnostics["bootstrap"]
    assert boot["replicates"].shape == (24, 7) and boot["n_failed"] == 0 and boot["ci_method"] == "centred"
    for q, (lo, hi) in one.diagnostics["intervals"].items():
        assert 0.0 <= lo <= hi, q
    lo, hi = one.diagnostics["intervals"]["i_yt"]
    assert lo < truth.i_yt < hi and hi - lo < 0.5
    assert "intervals" not in pidkit.gaussian_pid_from_samples(y, t, s).diagnostics
    plug_in = pidkit.gaussian_pid_from_samples(y, t, s, bias_correction=False, bootstrap=8)
    assert plug_in.diagnostics["bootstrap"]["ci_method"] == "basic"


def test_progress_shows_or_hides_the_bootstrap_bar(monkeypatch, capsys):
    # gaussian_pid_from_samples took no progress=: pid_from_representations reached its replicates
    # through a context variable, and a direct caller (a script logging to a file, an executed
    # notebook) could not set the bar at all. stderr here is not a terminal: only True draws.
    rng = np.random.default_rng(9)
    ex = degraded(1, 1, 1, rng=rng)
    y, t, s = draw(rng, ex.cov, ex.dims, 200)
    shown = {}
    for progress in (None, False, True):
        result = pidkit.gaussian_pid_from_samples(y, t, s, bootstrap=16, progress=progress)
        shown[progress] = capsys.readouterr().err
        assert result.diagnostics["bootstrap"]["n_boot"] == 16
    assert shown[None] == shown[False] == ""
    assert "bootstrap:   0%|          | 0/16 [" in shown[True]


@pytest.mark.parametrize(
    ("option", "error", "match"),
    [
        ({"bootstrap": -1}, ValueError, r"bootstrap must be an int >= 0"),
        ({"bootstrap": 2.0}, TypeError, r"bootstrap must be an int"),
        ({"ci_method": "bca"}, ValueError,
         r"ci_method must be one of \['auto', 'centred', 'basic', 'percentile'\]"),
        ({"confidence": 95}, ValueError, r"confidence must be a float in \(0, 1\)"),
        ({"n_jobs": 0}, ValueError, r"n_jobs must be None"),
        ({"random_state": -3}, ValueError, r"random_state must be an int"),
    ],
)
def test_bad_bootstrap_options_name_the_argument(option, error, match):
    rng = np.random.default_rng(10)
    with pytest.raises(error, match=match):
        pidkit.gaussian_pid_from_samples(*(rng.standard_normal((50, 2)) for _ in range(3)), **option)


@pytest.mark.parametrize("factor", [1e-200, 1e200])
def test_data_at_extreme_scales_give_the_estimate_of_unit_scale_data(factor):
    # 1e-200: the sample covariance underflowed to 0 and every atom came back 0 ('optimal');
    # 1e200: it overflowed and the finite data were refused as 'containing infinity'
    rng = np.random.default_rng(11)
    y = rng.standard_normal(400)
    t = y + rng.standard_normal(400)
    s = t + 2 * rng.standard_normal(400)
    unit = pidkit.gaussian_pid_from_samples(y, t, s, bias_correction=False)
    scaled = pidkit.gaussian_pid_from_samples(factor * y, t, factor * s, bias_correction=False)
    assert unit.i_yt > 0.3
    for name in (*ATOMS, "i_yt", "i_ys", "i_yts"):
        assert getattr(scaled, name) == pytest.approx(getattr(unit, name), rel=1e-9, abs=1e-12)
    # q is in the input's coordinates: Cov(Y, T) scales by the factor, Var(Y) = factor^2 ~ 1e±400
    # is beyond float64 (0 or inf)
    assert scaled.q[0, 1] == pytest.approx(factor * unit.q[0, 1], rel=1e-9)
    assert scaled.q[1, 1] == pytest.approx(unit.q[1, 1], rel=1e-9)
    assert scaled.q[0, 0] == (0.0 if factor < 1 else np.inf)


def test_masked_samples_are_refused_not_read_through_the_mask():
    rng = np.random.default_rng(12)
    y, t, s = rng.standard_normal((3, 50))
    masked = np.ma.masked_array(y, mask=np.arange(50) < 3)
    with pytest.raises(ValueError) as info:
        pidkit.gaussian_pid_from_samples(masked, t, s)
    assert str(info.value) == (
        "y is a masked array with 3 masked value(s); the estimate would use the values underneath. "
        "Drop the samples with masked values (the same rows of y, t and s), or pass y.data if the "
        "values underneath are right."
    )
    unmasked = pidkit.gaussian_pid_from_samples(np.ma.masked_array(y), t, s)  # nothing masked
    assert unmasked.i_yt == pidkit.gaussian_pid_from_samples(y, t, s).i_yt


def test_estimate_from_covariance_names_its_own_argument_for_bad_dims():
    with pytest.raises(ValueError) as info:
        estimate_from_covariance(np.eye(3), (1, 2), n_samples=30)
    assert str(info.value) == (
        "dims must be the three block sizes (d_y, d_t, d_s) of sample_cov's stacked vector "
        "[Y, T, S]; got (1, 2)."
    )


@pytest.mark.parametrize(("wide", "names"), [((0, 1, 2), "y, t and s have"), ((1,), "t has")])
def test_too_few_samples_with_more_columns_than_rows_suggests_the_transpose(wide, names):
    rng = np.random.default_rng(13)
    arrays = [rng.standard_normal((1, 300)) if i in wide else rng.standard_normal((1, 1))
              for i in range(3)]
    with pytest.raises(ValueError) as info:
        pidkit.gaussian_pid_from_samples(*arrays)
    assert str(info.value).endswith(
        f"or collect more samples. {names} more columns than rows: samples are rows, so if each "
        "column is a sample, pass the transpose (`.T`).")


@pytest.mark.parametrize(
    ("transpose", "hint"),
    [
        ((1,), " t has 40 columns: "),
        ((0, 1, 2), " y, t and s have 40 columns: "),
        ((0,), " y has 40 columns: "),
    ],
)
def test_arrays_of_different_lengths_that_transposed_would_agree_suggest_the_transpose(transpose, hint):
    # Features as (d, n), as torch or MATLAB code often holds them: the message gave the lengths only.
    rng = np.random.default_rng(14)
    arrays = [rng.standard_normal((40, d)) for d in (2, 3, 4)]
    arrays = [a.T if i in transpose else a for i, a in enumerate(arrays)]
    with pytest.raises(ValueError) as info:
        pidkit.gaussian_pid_from_samples(*arrays)
    lengths = [a.shape[0] for a in arrays]
    assert str(info.value) == (
        f"y, t and s must have the same number of samples (rows); got {lengths}.{hint}samples are "
        "rows, so if each column is a sample, pass the transpose (`.T`)."
    )
    with pytest.raises(ValueError) as info:  # no transposing helps: no hint
        pidkit.gaussian_pid_from_samples(np.zeros((40, 2)), np.zeros((39, 3)), np.zeros((40, 4)))
    assert str(info.value).endswith("got [40, 39, 40].")
    with pytest.raises(ValueError) as info:  # 1-D arrays: no transpose helps (it said "have 1 columns")
        pidkit.gaussian_pid_from_samples(np.zeros(10), np.zeros(10), np.zeros(9))
    assert str(info.value).endswith("got [10, 10, 9].")


def test_rank_deficient_float32_features_are_estimated_as_their_rank():
    # float32 features of rank 6 in 24 columns: the 18 null directions hold float32 rounding,
    # correlated with Y at the level of sampling noise. The estimate treats them as a lower rank
    # and stays certified (the exact gaussian_pid of the same matrix counts them in its gap).
    rng = np.random.default_rng(15)
    n = 600
    y = rng.standard_normal((n, 2))
    z = y @ rng.standard_normal((2, 6)) + rng.standard_normal((n, 6))
    t = z.astype(np.float32) @ rng.standard_normal((6, 24)).astype(np.float32)
    s = y[:, :1] + rng.standard_normal((n, 1))
    result = pidkit.gaussian_pid_from_samples(y, t, s)
    reference = pidkit.gaussian_pid_from_samples(y, z, s)
    assert result.status == "optimal" and result.diagnostics["ranks"] == (2, 6, 1, 7)
    assert result.i_yt == pytest.approx(reference.i_yt, abs=1e-4)
    assert result.diagnostics["collinear_nats"] > 1e-6  # what the exact decomposition would count


def test_the_fix_the_text_labels_error_names_runs():
    # the refusal of class names as y names pidkit.estimate.continuous.one_hot(y, 'y')[0]: it gives
    # the C - 1 indicator columns that gaussian_pid_from_samples takes
    from pidkit.estimate.continuous import one_hot

    rng = np.random.default_rng(3)
    codes = rng.integers(0, 3, 300)
    y = np.array(["cat", "dog", "eel"])[codes]
    t = codes + rng.standard_normal(300)
    s = rng.standard_normal(300)
    with pytest.raises(TypeError, match=r"one_hot\(y, 'y'\)\[0\]"):
        pidkit.gaussian_pid_from_samples(y, t, s)
    r = pidkit.gaussian_pid_from_samples(one_hot(y, "y")[0], t, s)
    by_hand = pidkit.gaussian_pid_from_samples(np.eye(3)[codes][:, 1:], t, s)
    assert r.i_yt == pytest.approx(by_hand.i_yt, abs=1e-12) and r.i_yt > 0.3
