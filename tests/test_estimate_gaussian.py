"""``pid_from_representations(..., estimator="gaussian")``: one-hot labels, projected features, the
Gaussian PID of their covariance with bootstrap intervals, and the same result type as discrete."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest

import pidkit
from pidkit.estimate import (
    DEFAULT_CI_METHOD,
    Discretizer,
    FewDistinctRowsWarning,
    PluginBiasWarning,
    Projector,
    RepresentationPID,
    ScaleDroppedWarning,
    pid_from_representations,
)
from pidkit.resampling import QUANTITIES

# Three equiprobable classes; T and S read two different linear mixtures of the class indicators
# through independent unit Gaussian noise.
A = np.array([[1.0, 0.3], [0.0, 0.8]])
B = np.array([[0.5, -0.7], [0.2, 0.4]])
P = np.full(3, 1 / 3)


def population_cov() -> np.ndarray:
    """Covariance of [e_1, e_2, T, S], e the class indicators of classes 1 and 2."""
    sigma_e = (np.diag(P) - np.outer(P, P))[1:, 1:]
    m = np.vstack([np.eye(2), A, B])  # [e, T, S] = m e + noise
    return m @ sigma_e @ m.T + np.diag([0.0, 0.0, 1.0, 1.0, 1.0, 1.0])


def draw(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = rng.integers(0, 3, n)
    e = np.eye(3)[y][:, 1:]
    return y, e @ A.T + rng.standard_normal((n, 2)), e @ B.T + rng.standard_normal((n, 2))


def exact_moments(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Samples whose class frequencies are exactly P and whose noise is exactly white and
    uncorrelated with the classes, so their covariance is the population one (up to n / (n - 1))."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 3)
    e = np.eye(3)[y][:, 1:]
    design = np.column_stack([np.ones(n), e])
    noise = rng.standard_normal((n, 4))
    noise -= design @ np.linalg.lstsq(design, noise, rcond=None)[0]
    noise = noise @ np.linalg.inv(np.linalg.cholesky(noise.T @ noise / (n - 1))).T
    return y, e @ A.T + noise[:, :2], e @ B.T + noise[:, 2:]


def test_huge_samples_give_the_gaussian_pid_of_the_population_covariance():
    truth = pidkit.gaussian_pid(population_cov(), (2, 2, 2))
    y, t, s = exact_moments(300_000)
    res = pid_from_representations(y, t, s, estimator="gaussian", n_components=None, normalize=None)
    assert res.settings["dims"] == [2, 2, 2] and res.settings["bias_correction"] == "wishart"
    for q in QUANTITIES:
        assert getattr(res, q) == pytest.approx(getattr(truth, q), abs=1e-3), q
    # the truth is not trivial: every atom is far from 0 compared with the tolerance
    assert min(truth.red, truth.uni_t, truth.uni_s, truth.syn) > 0.02
    # PCA to all components is a rotation: it changes nothing
    pca = pid_from_representations(y, t, s, estimator="gaussian", n_components=2, normalize=None)
    for q in QUANTITIES:
        assert getattr(pca, q) == pytest.approx(getattr(res, q), abs=1e-9), q


def test_same_result_type_and_fields_as_the_discrete_estimator():
    y, t, s = draw(np.random.default_rng(1), 900)
    res = pid_from_representations(y, t, s, estimator="gaussian", n_components=None, normalize=None,
                                   bootstrap=30, bias_correction="auto")
    disc = pid_from_representations(y, t, s, n_clusters=3, normalize=None, bootstrap=30)
    assert isinstance(res, RepresentationPID) and res.status == "optimal"
    for q in QUANTITIES:  # corrected values, plug-in, bias of each, intervals around the corrected
        assert res.correction.bias[q] == pytest.approx(res.plugin[q] - getattr(res, q), abs=1e-12)
        lo, hi = res.intervals[q]
        assert 0.0 <= lo < hi
    assert res.plugin["i_yts"] > res.i_yts  # the plug-in overestimates; the correction lowers it
    assert res.correction.method == "wishart" and res.settings["ci_method"] == DEFAULT_CI_METHOD
    assert res.red + res.uni_t == pytest.approx(res.i_yt, abs=1e-9)
    atoms = sum(getattr(res, a) for a in ("red", "uni_t", "uni_s", "syn"))
    assert atoms == pytest.approx(res.i_yts, abs=1e-9)
    d, dd = res.to_dict(), disc.to_dict()
    assert set(dd) == set(d)  # the audit reads both alike
    discrete_only = {"subsamples", "n_repeats", "bootstrap_partitions", "cluster_seeds"}
    assert set(dd["settings"]) - set(d["settings"]) <= discrete_only
    json.dumps(d)
    assert d["settings"]["estimator"] == "gaussian" and d["shape"] == [2, 2, 2]
    assert isinstance(res.discretizers[0], Projector)
    text = repr(res)
    assert "gaussian-broja" in text and "dims Y x T x S = 2x2x2" in text


def test_fitted_projectors_are_reused_and_labels_as_a_source_are_one_hot():
    y, t, s = draw(np.random.default_rng(2), 600)
    first = pid_from_representations(y, t, s, estimator="gaussian", n_components=2)
    again = pid_from_representations(y, t, s, estimator="gaussian", n_components=2,
                                     discretizers=first.discretizers)
    assert again.settings["t"]["fitted"] == "reused"
    for q in QUANTITIES:
        assert getattr(again, q) == pytest.approx(getattr(first, q), abs=1e-12)
    # the label itself as the teacher: T determines Y, so I(Y;T) would be infinite; a noisy copy
    # of the label is one-hot encoded like Y
    noisy = np.where(np.random.default_rng(3).random(600) < 0.8, y, (y + 1) % 3)
    res = pid_from_representations(y, noisy, s, estimator="gaussian", n_components=2)
    assert res.settings["t"] == {"kind": "one-hot", "n_values": 3} and res.settings["dims"][1] == 2


def test_intervals_cover_a_known_gaussian_system():
    # 40 draws of n = 600, 100 replicates each. Measured with 100 draws (docs/estimate.md, "The
    # Gaussian estimator"): 0.90-0.97 for every quantity but the smaller unique information
    # (truth 0.047 bits, 1.5 standard deviations from 0), whose intervals undercover (0.74): the
    # bootstrap underestimates its spread there. The test holds that known exception to 0.6.
    truth = pidkit.gaussian_pid(population_cov(), (2, 2, 2))
    rng = np.random.default_rng(5)
    draws, inside = 40, np.zeros(len(QUANTITIES))
    for i in range(draws):
        y, t, s = draw(rng, 600)
        res = pid_from_representations(y, t, s, estimator="gaussian", n_components=None, normalize=None,
                                       bootstrap=100, random_state=i)
        inside += [lo <= getattr(truth, q) <= hi for q, (lo, hi) in res.intervals.items()]
    coverage = dict(zip(res.intervals, inside / draws, strict=True))
    assert min(v for q, v in coverage.items() if q != "uni_s") >= 0.8, coverage
    assert coverage["uni_s"] >= 0.6, coverage


@pytest.mark.parametrize(
    ("option", "error", "match"),
    [
        ({"estimator": "gauss"}, ValueError,
         r"estimator must be one of \['discrete', 'gaussian'\]; got 'gauss'\. Did you mean 'gaussian'\?"),
        ({"bias_correction": "eb-extrapolation"}, ValueError,
         r"bias_correction must be 'auto' or one of \['wishart', 'none'\] with estimator='gaussian'.*"
         r"a correction of the discrete estimator"),
        ({"measure": "imin"}, ValueError, r"measure applies to estimator='discrete' only"),
        ({"clusterer": object()}, ValueError, r"clusterer applies to estimator='discrete' only"),
        ({"n_clusters": 5}, ValueError,
         r"n_clusters applies to estimator='discrete' only; with estimator='gaussian' leave it at 'auto' "
         r"or 10 "),
        ({"subsamples": (2, 3)}, ValueError, r"subsamples applies to estimator='discrete' only"),
        ({"n_repeats": 4}, ValueError, r"n_repeats applies to estimator='discrete' only"),
        ({"discretizers": (Discretizer(), None)}, TypeError, r"teacher entry must be a Projector"),
        ({"discretizers": (Projector(), None)}, ValueError, r"teacher Projector is not fitted"),
    ],
)
def test_bad_options_name_the_argument(option, error, match):
    y, t, s = draw(np.random.default_rng(6), 200)
    with pytest.raises(error, match=match):
        pid_from_representations(y, t, s, **{"estimator": "gaussian", **option})


def test_too_few_samples_for_the_dimensions():
    rng = np.random.default_rng(7)
    y = rng.integers(0, 10, 30)
    t, s = rng.standard_normal((30, 20)), rng.standard_normal((30, 20))
    with pytest.raises(ValueError, match=r"n = 30 samples for d_y \+ d_t \+ d_s = 9 \+ 10 \+ 10 = 29.*"
                                         r"Pass n_components=9 or fewer"):
        pid_from_representations(y, t, s, estimator="gaussian", n_components=10)
    with pytest.raises(ValueError, match=r"y holds a single value"):
        pid_from_representations(np.zeros(30, int), t, s, estimator="gaussian", n_components=2)
    res = pid_from_representations(y, t, s, estimator="gaussian", n_components=2)
    assert res.settings["dims"] == [9, 2, 2]


def test_plug_in_warns_when_its_bias_is_large():
    rng = np.random.default_rng(8)
    y = rng.integers(0, 10, 60)
    t, s = rng.standard_normal((60, 8)), rng.standard_normal((60, 8))
    with pytest.warns(PluginBiasWarning, match=r"Gaussian dimensions"):
        res = pid_from_representations(y, t, s, estimator="gaussian", n_components=8, normalize=None,
                                       bias_correction="none", bootstrap=10)
    assert res.bias_warning and res.bias["ratio"] > 0.1
    assert res.settings["ci_method"] == "basic"  # "auto": a plug-in estimate is biased
    assert res.plugin == {q: getattr(res, q) for q in QUANTITIES}


def test_projector_misuse_names_the_argument():
    y, t, s = draw(np.random.default_rng(9), 200)
    with pytest.raises(ValueError, match=r"This Projector is not fitted yet; call fit\(X\) first"):
        Projector().transform(t)
    fitted = pid_from_representations(y, t, s, estimator="gaussian", n_components=2).discretizers
    with pytest.raises(ValueError, match=r"s_features has 3 features, but Projector is expecting 2 "
                                         r"features as input"):
        pid_from_representations(y, t, np.hstack([s, s[:, :1]]), estimator="gaussian",
                                 discretizers=fitted)


def test_n_clusters_auto_means_not_set_for_the_gaussian_estimator():
    y, t, s = draw(np.random.default_rng(10), 300)
    auto = pid_from_representations(y, t, s, estimator="gaussian", n_clusters="auto")
    plain = pid_from_representations(y, t, s, estimator="gaussian")
    assert auto.red == plain.red and auto.settings["dims"] == [2, 2, 2]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_worked_comparison_on_digits_runs_as_documented(capsys):
    # docs/estimate.md's example loops over both estimators with n_clusters="auto"; run it as written
    # (200 bootstrap replicates cut to 2: the point estimates do not depend on them) and compare its
    # output with the table below it.
    text = (Path(__file__).resolve().parents[1] / "docs" / "estimate.md").read_text(encoding="utf-8")
    section = text.split("**Worked comparison on digits.**", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert code.count("bootstrap=200") == 1 and 'n_clusters="auto"' in code
    exec(compile(code.replace("bootstrap=200", "bootstrap=2"), "docs/estimate.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    for estimator, line in zip(("discrete", "gaussian"), printed, strict=True):
        assert line.startswith(estimator)
        values = ast.literal_eval(line[line.index("{"):])
        row = re.search(rf"^\| {estimator} \|.*$", section, re.M).group(0)
        documented = [float(cell.split()[0]) for cell in row.split("|")[3:-1]]
        assert list(values.values()) == documented, (line, row)


def test_labels_are_checked_as_for_the_discrete_estimator():
    y, t, s = draw(np.random.default_rng(11), 300)
    missing = y.astype(object)
    missing[7] = np.nan  # would be one-hot encoded as a fourth class
    with pytest.raises(ValueError, match=r"y contains 1 missing label\(s\) \(NaN, NA or NaT; the first at "
                                         r"index 7\)"):
        pid_from_representations(missing, t, s, estimator="gaussian")
    with pytest.raises(ValueError, match=r"s_features contains 1 missing label"):
        pid_from_representations(y, t, missing, estimator="gaussian")
    with pytest.raises(ValueError, match=r"^y holds \d+ distinct non-integer floats"):
        pid_from_representations(y + 0.5 * s[:, 0], t, s, estimator="gaussian")


def test_a_dead_layer_is_no_information_without_numpys_divide_warning():
    # All-zero student features: PCA's explained-variance ratio was 0/0, shown as numpy's raw
    # "invalid value encountered in divide", and settings held NaN as the explained fraction.
    import warnings

    rng = np.random.default_rng(21)
    y = rng.integers(0, 4, 2000)
    t = rng.normal(size=(2000, 32)) + y[:, None]
    dead = np.zeros((2000, 32), np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = pid_from_representations(y, t, dead, estimator="gaussian")
    # t's class means differ in length only (y * ones), which normalize="l2" drops: that side's
    # ScaleDroppedWarning is right and is another test's; this one is about the dead side's words
    shown = [str(w.message)[:40] for w in caught if w.category is not ScaleDroppedWarning]
    assert shown == ["s_features has every row the same after "]
    assert res.i_ys == 0.0 and res.red == 0.0 and res.uni_t == pytest.approx(res.i_yt, abs=1e-12)
    assert res.settings["s"]["rows_equal"] and res.settings["s"]["explained_variance_ratio"] is None
    assert not res.settings["t"]["rows_equal"]
    assert "every row the same -> 10 Gaussian dimensions, all 0" in repr(res)


@pytest.mark.parametrize("dtype, width", [(np.float64, 30), (np.float64, 200), (np.float32, 30)])
def test_a_low_rank_layer_gets_the_pid_of_its_rank(dtype, width):
    # S = 3 of T's columns mixed into `width`: rank 3. PCA to 10 components left 7 of rounding noise
    # (variance ~1e-31 of the largest), which the Gaussian estimator scaled to unit variance:
    # dims (3, 10, 10) and, at width 30, 1.2008 bits of I(Y; S) for the rank-3 reference's 1.1878.
    rng = np.random.default_rng(0)
    n = 5000
    y = rng.integers(0, 4, n)
    t = np.eye(4)[y] @ rng.normal(size=(4, 20)) + rng.normal(size=(n, 20))
    s3 = t[:, :3]
    s = (s3 @ rng.normal(size=(3, width))).astype(dtype)
    reference = pid_from_representations(y, t, s3.astype(dtype), estimator="gaussian", normalize=None)
    low_rank = pid_from_representations(y, t, s, estimator="gaussian", normalize=None)
    assert reference.settings["dims"] == low_rank.settings["dims"] == [3, 10, 3]
    assert low_rank.settings["s"]["n_components"] == 10 and low_rank.settings["s"]["n_outputs"] == 3
    tol = 1e-9 if dtype == np.float64 else 1e-4
    for atom in ("red", "uni_t", "uni_s", "syn", "i_ys"):
        assert getattr(low_rank.pid, atom) == pytest.approx(getattr(reference.pid, atom), abs=tol)
    proj = Projector(normalize=None).fit(s)
    assert proj.transform(s[:7]).shape == (7, 3) and proj.pca_.components_.shape == (3, width)
    shown = "PCA 10 (seed 0) -> 3 Gaussian dimensions (numerical rank; the rest rounding noise)"
    assert shown in " ".join(str(low_rank).split())  # the repr wraps its lines at 100


@pytest.mark.parametrize("width", [40, 5])  # with PCA, and without (5 features <= 10 components)
def test_one_direction_at_several_scales_is_a_dead_layer(width):
    # Every student row is one direction, 3 times longer for class 1: after the L2 normalisation
    # the rows differ only by rounding, which the exact check missed; the Gaussian estimator scaled
    # that noise to unit variance and reported I(Y;S) = 1.06 bits (width 40).
    import pickle

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 3000)
    t = np.eye(3)[y] @ rng.normal(size=(3, 20)) + rng.normal(size=(3000, 20))
    s = rng.normal(size=width) * np.where(y == 1, 3.0, 1.0)[:, None] * rng.uniform(0.5, 1.5, (3000, 1))
    with pytest.warns(FewDistinctRowsWarning, match=r"^s_features has every row the same after the L2 "):
        res = pid_from_representations(y, t, s, estimator="gaussian")
    assert res.settings["s"]["rows_equal"] and res.i_ys == 0.0 and res.red == 0.0 and res.syn == 0.0
    proj = pickle.loads(pickle.dumps(res.discretizers[1]))
    assert not proj.transform(rng.normal(size=(4, width))).any() and not proj.scores_.any()


def test_labels_that_cannot_be_sorted_are_one_hot_encoded_in_first_seen_order():
    # np.unique raised numpy's "TypeError: '<' not supported between instances of 'str' and
    # 'int'" for y = [0, "a", 1, ...], which the discrete estimator and joint_from_samples accepted
    # (now refused as a mix of label types); a tuple and ints cannot be sorted either
    rng = np.random.default_rng(4)
    codes = np.concatenate([[0, 1, 2], rng.integers(0, 3, 297)])  # first seen: 0, "a", 1
    t = rng.normal(size=(3, 3))[codes] + rng.normal(size=(300, 3))
    s = rng.normal(size=(300, 3))
    mixed = np.array([0, ("a",), 1], dtype=object)[codes]
    res = pid_from_representations(mixed, t, s, estimator="gaussian", n_components=2)
    ref = pid_from_representations(codes, t, s, estimator="gaussian", n_components=2)
    assert res.labels["y"].tolist() == [0, ("a",), 1]
    assert res.i_yts == pytest.approx(ref.i_yts) and res.red == pytest.approx(ref.red)


@pytest.mark.parametrize(
    ("n", "n_classes", "match", "fitting"),
    [
        # 5 features a side: the message said 'the features keep n_components=10 principal
        # components each' and 'Pass a smaller n_components', though 8 or 6 changed nothing
        (9, 2, r"^estimator='gaussian' needs more samples than dimensions: n = 9 samples for d_y \+ d_t "
               r"\+ d_s = 1 \+ 5 \+ 5 = 11 \(2 classes give 1 label column, T 5 principal components, S 5 "
               r"principal components\); n_samples > 12 is required, and the estimate is most reliable "
               r"with d_y \+ d_t \+ d_s well below n\. Pass n_components=3 or fewer, or more samples\.$", 3),
        (20, 10, r"\(10 classes give 9 label columns, .*\. Pass n_components=4 or fewer, or more samples", 4),
        # no n_components helps: the label columns alone leave no room
        (12, 10, r"n_samples > 20 is required, .*\. Use at least 13 samples \(with n_components=1\)", None),
    ],
)
def test_too_few_samples_names_the_n_components_that_fits(n, n_classes, match, fitting):
    rng = np.random.default_rng(0)
    y = np.arange(n) % n_classes
    t, s = rng.normal(size=(n, 5)), rng.normal(size=(n, 5))
    with pytest.raises(ValueError, match=match):
        pid_from_representations(y, t, s, estimator="gaussian")
    if fitting is not None:  # the fix the message names runs
        res = pid_from_representations(y, t, s, estimator="gaussian", n_components=fitting)
        assert res.shape[1] == res.shape[2] == fitting
        with pytest.raises(ValueError, match="needs more samples than dimensions"):
            pid_from_representations(y, t, s, estimator="gaussian", n_components=fitting + 1)


def test_too_few_samples_counts_a_label_side_as_fixed():
    # a teacher given as labels is one-hot encoded: n_components does not shrink it
    rng = np.random.default_rng(0)
    y, t = np.arange(9) % 2, np.arange(9) % 3
    with pytest.raises(ValueError, match=r"T 2 one-hot label columns, S 8 principal components\); .* "
                                         r"Pass n_components=4 or fewer, or more samples\.$"):
        pid_from_representations(y, t, rng.normal(size=(9, 8)), estimator="gaussian")


def test_too_few_samples_names_the_largest_n_components_where_a_side_keeps_fewer():
    # T has 2 features, so it keeps 2 components whatever n_components is; S keeps 10. With
    # n = 14 the blocks may hold 12 dimensions: 1 label column + 2 + 9. The message split the room
    # evenly between the two sides and said 'Pass n_components=5 or fewer', where 9 runs.
    rng = np.random.default_rng(0)
    y, t, s = np.arange(14) % 2, rng.normal(size=(14, 2)), rng.normal(size=(14, 20))
    with pytest.raises(ValueError, match=r"T 2 principal components, S 10 principal components\); .*"
                                         r"Pass n_components=9 or fewer, or more samples\.$"):
        pid_from_representations(y, t, s, estimator="gaussian")
    assert pid_from_representations(y, t, s, estimator="gaussian", n_components=9).shape == [1, 2, 9]
    with pytest.raises(ValueError, match="needs more samples than dimensions"):
        pid_from_representations(y, t, s, estimator="gaussian", n_components=10)


def test_too_few_samples_calls_features_kept_without_pca_features():
    # n_components=None keeps the features as they are; the message called them '3 principal
    # components' and '20 principal components', a PCA that did not run
    rng = np.random.default_rng(0)
    y, t, s = np.arange(14) % 2, rng.normal(size=(14, 3)), rng.normal(size=(14, 20))
    with pytest.raises(ValueError, match=r"\(2 classes give 1 label column, T 3 features \(no PCA: "
                                         r"n_components=None\), S 20 features \(no PCA: n_components="
                                         r"None\)\); .* Pass n_components=8 or fewer, or more samples\.$"):
        pid_from_representations(y, t, s, estimator="gaussian", n_components=None)
    assert pid_from_representations(y, t, s, estimator="gaussian", n_components=8).shape == [1, 3, 8]
