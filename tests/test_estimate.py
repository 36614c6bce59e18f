"""Tests of ``pidkit.estimate``: features -> clusters -> joint -> PID, with bias rule and bootstrap.

Synthetic representations are Gaussian blobs (noise sd 1, centres drawn with sd 6 in 10 dimensions,
so blobs are far apart) whose blob ids are the discrete variables of a textbook example. The
estimated atoms are compared with the discrete truth (THEORY.md §1 table and closed forms), at
N = 4000 samples, with tolerances

- ``TOL_EDGE = 0.01`` bits for atoms whose truth is 0 or the maximum H(Y): there the plug-in error
  is second order, about (|Y|-1)(|T||S|-1) / (2 N ln 2) <= 3e-3 bits for the sizes used here;
- ``TOL_INSIDE = 0.04`` bits for interior values (Red or Uni = 1 - h(0.1) = 0.531 bits): the
  plug-in standard deviation there is about 0.012 bits at N = 4000, so this is about 3 sd.
"""

from __future__ import annotations

import dataclasses
import json
import math
import pickle
import warnings

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from pidkit.estimate import (
    BIAS_WARNING_RATIO,
    DEFAULT_CI_METHOD,
    Discretizer,
    PluginBiasWarning,
    RepresentationPID,
    bootstrap,
    discretize,
    pid_from_representations,
)
from pidkit.measures import mutual_information
from pidkit.samples import joint_from_samples
from tests.estimate_data import blobs, same_partition, small_sample

N = 4000
TOL_EDGE = 0.01
TOL_INSIDE = 0.04
FLIP = 0.1
ATOMS = ("red", "uni_t", "uni_s", "syn")


def _h(q: float) -> float:
    return -q * math.log2(q) - (1 - q) * math.log2(1 - q)


def _xor(rng):
    t, s = rng.integers(0, 2, N), rng.integers(0, 2, N)
    truth = {"red": 0.0, "uni_t": 0.0, "uni_s": 0.0, "syn": 1.0}
    return t ^ s, (t, 2), (s, 2), truth


def _rdn(rng):
    y = rng.integers(0, 2, N)
    truth = {"red": 1.0, "uni_t": 0.0, "uni_s": 0.0, "syn": 0.0}
    return y, (y, 2), (y.copy(), 2), truth


def _nuisance(rng, student: str):
    # Theorem 3.1: T = (Z, G), Y = Z flipped with probability FLIP, G a uniform nuisance on 4 values.
    z, g = rng.integers(0, 2, N), rng.integers(0, 4, N)
    y = z ^ (rng.random(N) < FLIP).astype(z.dtype)
    info = 1.0 - _h(FLIP)
    if student == "Z":
        truth = {"red": info, "uni_t": 0.0, "uni_s": 0.0, "syn": 0.0}
        s = (z, 2)
    else:
        truth = {"red": 0.0, "uni_t": info, "uni_s": 0.0, "syn": 0.0}
        s = (g, 4)
    return y, (4 * z + g, 8), s, truth


CASES = {
    "xor": _xor,
    "rdn": _rdn,
    "nuisance-student-Z": lambda rng: _nuisance(rng, "Z"),
    "nuisance-student-G": lambda rng: _nuisance(rng, "G"),
}


def _features(name: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    y, (t, nt), (s, ns), truth = CASES[name](rng)
    if name.startswith("nuisance"):
        # The teacher's two factors live in separate feature blocks.
        z, g = t // 4, t % 4
        t_feat = np.hstack([blobs(z, 2, rng), blobs(g, 4, rng)])
    else:
        t_feat = blobs(t, nt, rng)
    return y, t_feat, blobs(s, ns, rng), (t, nt), (s, ns), truth


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request):
    name = request.param
    y, t_feat, s_feat, (t, nt), (s, ns), truth = _features(name)
    # Each side is clustered into as many clusters as its true alphabet: the student side through a
    # separately fitted Discretizer, which also exercises reuse via ``discretizers=``.
    _, s_disc = discretize(s_feat, n_clusters=ns)
    res = pid_from_representations(
        y, t_feat, s_feat, n_clusters=nt, discretizers=(None, s_disc), bootstrap=40
    )
    return name, res, truth, (y, t, s)


def _tolerance(value: float) -> float:
    return TOL_EDGE if value in (0.0, 1.0) else TOL_INSIDE


@pytest.fixture(scope="module", autouse=True)
def _one_blas_thread():
    # The test matrices are small: on a shared 2-core machine, multi-threaded BLAS on them is mostly
    # contention (PCA of 4000 x 20 took 0.5 s threaded vs 0.006 s on one thread).
    with threadpool_limits(limits=1, user_api="blas"):
        yield


# --------------------------------------------------------------------------------------------------
# known structure


def test_clusters_recover_the_generating_ids(case):
    _, res, _, (_, t, _) = case
    disc_t, disc_s = res.discretizers
    assert same_partition(disc_t.labels_, t)
    assert disc_s.n_samples_fit_ == N
    assert res.settings["s"]["fitted"] == "reused"
    assert res.settings["t"]["fitted"] == "on these samples"


def test_atoms_match_discrete_truth(case):
    _, res, truth, _ = case
    assert res.pid.success
    for atom, value in truth.items():
        assert getattr(res, atom) == pytest.approx(value, abs=_tolerance(value)), atom
    # The three identities of THEORY.md §1 hold in the corrected estimate (with the corrected
    # informations) and in the plug-in.
    for est in (res, res.pid):
        assert est.red + est.uni_t == pytest.approx(est.i_yt, abs=1e-9)
        assert est.red + est.uni_s == pytest.approx(est.i_ys, abs=1e-9)
        assert sum(getattr(est, a) for a in ATOMS) == pytest.approx(est.i_yts, abs=1e-9)
    assert res.plugin == {name: getattr(res.pid, name) for name in res.plugin}


def test_default_bootstrap_intervals_cover_the_truth(case):
    _, res, truth, _ = case
    assert res.settings["ci_method"] == DEFAULT_CI_METHOD
    assert res.settings["bootstrap_failed"] == 0
    for atom, value in truth.items():
        lo, hi = res.intervals[atom]
        assert lo - 1e-9 <= value <= hi + 1e-9, (atom, lo, value, hi)
        assert min(0.0, getattr(res, atom)) <= lo <= hi  # clipped at 0, down to a value below 0
        assert hi - lo < 0.15


def test_joint_is_the_count_of_the_cluster_ids(case):
    _, res, _, (y, _, _) = case
    disc_t, disc_s = res.discretizers
    ref = joint_from_samples(y, disc_t.labels_, disc_s.labels_)
    np.testing.assert_array_equal(res.counts, ref.counts)
    np.testing.assert_allclose(res.p, ref.counts / N)
    assert res.n_samples == N == int(res.counts.sum())


def test_percentile_interval_cannot_reach_a_boundary_truth():
    # Documented reason for the default: with a fair-bit XOR every replicate has H(Y) < 1, so the
    # percentile interval of Syn lies entirely below the truth 1; the basic interval covers it.
    rng = np.random.default_rng(3)
    t, s = rng.integers(0, 2, N), rng.integers(0, 2, N)
    pct = bootstrap(t ^ s, t, s, n_boot=50, ci_method="percentile")
    basic = bootstrap(t ^ s, t, s, n_boot=50, ci_method="basic")
    assert pct["intervals"]["syn"][1] < 1.0
    assert basic["intervals"]["syn"][0] <= 1.0 <= basic["intervals"]["syn"][1]
    np.testing.assert_array_equal(pct["samples"]["syn"], basic["samples"]["syn"])


def test_nuisance_teacher_red_prefers_the_task_factor():
    # Theorem 3.1 (ii) seen through the estimator: Red is larger for S = Z than for S = G.
    red = {}
    for student in ("Z", "G"):
        y, t_feat, s_feat, (_, nt), (_, ns), _ = _features(f"nuisance-student-{student}")
        _, s_disc = discretize(s_feat, n_clusters=ns)
        res = pid_from_representations(y, t_feat, s_feat, n_clusters=nt, discretizers=(None, s_disc))
        red[student] = res.red
    assert red["Z"] > red["G"] + 0.4


# --------------------------------------------------------------------------------------------------
# reproducibility, reuse, pickling


def test_same_seed_gives_identical_numbers():
    y, t_feat, s_feat, *_ = _features("xor", seed=1)
    runs = [
        pid_from_representations(y, t_feat, s_feat, n_clusters=2, bootstrap=20).to_dict() for _ in range(2)
    ]
    for run in runs:
        run["pid"].pop("diagnostics")  # holds wall-clock solve times
    assert runs[0] == runs[1]
    assert runs[0]["settings"]["random_state"] == 0
    json.dumps(runs[0], allow_nan=False)


def test_random_state_none_records_the_seed_it_drew():
    y, t_feat, s_feat, *_ = _features("rdn", seed=2)
    first = pid_from_representations(y, t_feat, s_feat, n_clusters=2, random_state=None)
    seed = first.settings["random_state"]
    assert isinstance(seed, int)
    assert first.discretizers[0].random_state_ == seed
    again = pid_from_representations(y, t_feat, s_feat, n_clusters=2, random_state=seed)
    np.testing.assert_array_equal(again.counts, first.counts)
    assert again.settings == first.settings
    assert (again.red, again.syn) == (first.red, first.syn)


def test_discretizer_pickle_round_trip_and_predict():
    _, t_feat, *_ = _features("nuisance-student-Z", seed=5)
    labels, disc = discretize(t_feat, n_clusters=8)
    clone = pickle.loads(pickle.dumps(disc))
    assert repr(clone) == repr(disc)
    np.testing.assert_array_equal(clone.predict(t_feat), labels)
    np.testing.assert_array_equal(disc.predict(t_feat), disc.labels_)
    rng = np.random.default_rng(9)
    fresh = t_feat[:50] + 0.01 * rng.normal(size=(50, t_feat.shape[1]))
    np.testing.assert_array_equal(clone.predict(fresh), labels[:50])


def test_reusing_discretizers_reproduces_the_result():
    y, t_feat, s_feat, *_ = _features("xor", seed=6)
    first = pid_from_representations(y, t_feat, s_feat, n_clusters=2)
    again = pid_from_representations(y, t_feat, s_feat, discretizers=first.discretizers)
    np.testing.assert_array_equal(again.counts, first.counts)
    assert again.syn == first.syn
    assert again.settings["t"]["fitted"] == "reused"
    assert again.settings["t"]["n_clusters"] == 2


# --------------------------------------------------------------------------------------------------
# labels path and the plug-in bias rule


def test_bias_rule_matches_the_simulated_plugin_bias():
    # Independent Y, T, S (true I(Y;T,S) = 0): the mean plug-in estimate is the bias itself, and
    # the first-order rule (|Y|-1)(|T||S|-1) / (2 n ln 2) bits must predict it.
    rng = np.random.default_rng(13)
    n, sims = 300, 300
    est = []
    for _ in range(sims):
        y, t, s = rng.integers(0, 3, n), rng.integers(0, 3, n), rng.integers(0, 3, n)
        est.append(mutual_information(joint_from_samples(y, t, s).p, "y", "ts"))
    rule = 2 * 8 / (2 * n * math.log(2))
    assert np.mean(est) == pytest.approx(rule, rel=0.1)


def test_bias_warning_fires_for_few_samples_per_cell():
    y, t_feat, s_feat, *_ = _features("xor", seed=14)
    with pytest.warns(PluginBiasWarning, match=r"expected plug-in bias of I\(Y;T,S\) with 200"):
        small = pid_from_representations(y[:200], t_feat[:200], s_feat[:200], bias_correction="none")
    assert small.bias["ratio"] > BIAS_WARNING_RATIO
    assert "overestimated" in small.bias_warning
    assert "warning:" in repr(small)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PluginBiasWarning)
        large = pid_from_representations(y, t_feat, s_feat, n_clusters=2, bias_correction="none")
        corrected = pid_from_representations(y[:400], t_feat[:400], s_feat[:400], n_clusters=4)
    assert large.bias_warning is None and corrected.bias_warning is None
    # XOR: Y is a function of (T, S) and every (y, t) cell is seen, so (4 - 2 - 4 + 1) / (2 n) is
    # below 0 for I(Y;T,S), hence 0, and (2 - 1)(2 - 1) / (2 n) for I(Y;T) (docs/estimate.md, "The
    # first-order rule"); every cell counted, I(Y;T,S) got (2 - 1)(4 - 1) / (2 n).
    assert large.counts.tolist() == [[[1019, 0], [0, 1015]], [[0, 963], [1003, 0]]]
    assert large.bias["i_yts"] == 0.0 and large.bias["ratio"] == 0.0
    assert large.bias["i_yt"] == large.bias["i_ys"] == pytest.approx(1 / (2 * N * math.log(2)))


def test_bias_warning_for_an_estimate_of_zero_gives_no_infinite_percentage():
    # 60 samples, T = S of 3 values, y independent of them in the sample: the plug-in is exactly 0
    # and the ratio inf; the warning said "0.0962 bits, inf% of the estimate 0 bits, so the atoms
    # are likely overestimated" (they are all 0). The bias counts the 3 (t, s) pairs seen of the 9:
    # (6 - 2 - 3 + 1) / 120 nats, 0.024 bits (every cell counted: (2 - 1)(9 - 1) / 120, 0.0962).
    X = np.repeat(np.eye(3), 20, axis=0)
    with pytest.warns(PluginBiasWarning) as caught:
        res = pid_from_representations(np.tile([0, 1], 30), X, X, n_clusters=3, bias_correction="none")
    assert res.i_yts == 0.0 and res.bias["ratio"] == math.inf
    assert str(next(w.message for w in caught if w.category is PluginBiasWarning)).startswith(
        "the expected plug-in bias of I(Y;T,S) with 60 samples over 18 cells is 0.024 bits, and the "
        "estimate 0 bits, so the atoms cannot be told from that bias. Use a bias correction"
    )


def test_result_repr_and_dict():
    y, t_feat, s_feat, *_ = _features("rdn", seed=15)
    res = pid_from_representations(y, t_feat, s_feat, n_clusters=2, bootstrap=10, units="nats")
    assert isinstance(res, RepresentationPID)
    text = repr(res)
    for fragment in ("n=4000", "2x2x2", "red", f"95% {DEFAULT_CI_METHOD} interval, B=10   (nats)",
                     "KMeans 2 (seed 0", "bias_correction=eb-extrapolation",
                     "subsample sizes [4000, 2000, 1000] x 8"):
        assert fragment in text
    # Replicates whose solve was not certified (strict=False) are left out; the header says so.
    failed = dataclasses.replace(res, settings={**res.settings, "bootstrap_failed": 3})
    assert "95% centred interval, B=10 (3 failed, left out)   (nats)" in repr(failed)
    # 10 replicates are fewer than the 39 a 95 % interval needs (below_zero.fewest_replicates)
    assert "note: the 95% intervals are too coarse to read: B=10 replicates" in " ".join(text.split())
    d = res.to_dict()
    assert d["red"] == pytest.approx(math.log(2), abs=TOL_EDGE)
    assert d["units"] == "nats" and d["n_samples"] == N
    assert d["settings"]["t"]["n_features"] == 10
    assert d["settings"]["t"]["n_components"] == 10
    assert d["settings"]["t"]["normalize"] == "l2"
    assert d["intervals"]["red"][0] <= d["red"] <= d["intervals"]["red"][1]
    with pytest.raises(AttributeError):
        res.n_samples = 3


# --------------------------------------------------------------------------------------------------
# errors


def _with(arr, index, value):
    arr = arr.copy()
    arr[index] = value
    return arr


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda y, t, s: (y[:-1], t, s), ValueError, r"one row per sample.*39, 40 and 40"),
        (lambda y, t, s: (y, t, s[:30]), ValueError, r"40, 40 and 30 rows\.$"),
        (lambda y, t, s: (y, t, s.T), ValueError, r"40, 40 and 6 rows\. s_features has shape \(6, 40\), "
                                                  r"one column per label: if its rows are features, pass "
                                                  r"s_features\.T\.$"),
        # Features collected batch by batch in a list: numpy made batches of one size one "sample"
        # each (no word of batches) and refused a smaller last one in its own words only.
        (lambda y, t, s: (y, [t[:20], t[20:]], s), ValueError,
         r"40, 2 and 40 rows\. t_features is a list of 2 arrays of 40 rows in all: if they are batches, "
         r"pass np\.concatenate\(t_features\) \(torch\.cat for tensors\)\.$"),
        (lambda y, t, s: (y, [t[:32], t[32:]], s), TypeError,
         r"^t_features must be an array; could not convert it: .*inhomogeneous.* t_features is a list "
         r"of 2 arrays of 40 rows in all: if they are batches, pass np\.concatenate\(t_features\)"),
        (lambda y, t, s: (y, _with(t, (3, 2), np.nan), s), ValueError, r"t_features contains 1 NaN"),
        (lambda y, t, s: (y, t, _with(s, (5, 0), np.inf)), ValueError, r"s_features .* 1 infinite"),
        (
            lambda y, t, s: (y[:5], t[:5], s[:5]),
            ValueError,
            r"^n_clusters='auto' found no number of clusters that "
            r"bias_correction='eb-extrapolation-kink' accepts "
            r"with 5 samples of 2 labels \(its smallest, 2, is too many\): .* Use at least 16 samples, or "
            r"bias_correction='none'",
        ),
        (
            lambda y, t, s: (y, t[:, 0], s),
            ValueError,
            r"t_features must be a feature matrix.*"
            r"reshape\(-1, 1\)",
        ),
        # cluster ids off by a rounding error (0.999999999): t_features.astype(int) truncated them
        # to 0, merging clusters 0 and 1
        (lambda y, t, s: (y, y - 1e-9, s), ValueError,
         r"^t_features must be a feature matrix .*; if it already holds discrete labels pass them as "
         r"integers \(np\.rint\(t_features\)\.astype\(int\)\) and they are used as they are"),
        (lambda y, t, s: (y, t, s.astype(str)), TypeError, r"s_features must be a numeric"),
        (lambda y, t, s: (np.stack([y, y], 1), t, s), ValueError, r"y must be a 1-D array"),
        (lambda y, t, s: (y.astype(float) * np.nan, t, s), ValueError,
         r"y contains 40 missing label\(s\) \(NaN, NA or NaT; the first at index 0\)"),
        (lambda y, t, s: (_with(y.astype(float), 9, -np.inf), t, s), ValueError,
         r"y contains 1 infinite value\(s\) \(the first at index 9\); labels must be finite"),
        (lambda y, t, s: (y, t[:, :0], s), ValueError, r"t_features is empty"),
        (lambda y, t, s: (y, None, s), TypeError, r"^t_features must be a numeric feature matrix; got None\. "
                                                  r"Pass the array itself \(t_features may hold a result"),
    ],
)
def test_bad_data(change, error, match):
    with pytest.raises(error, match=match):
        pid_from_representations(*change(*small_sample()))


@pytest.mark.parametrize(
    ("option", "error", "match"),
    [
        ({"normalize": "l1"}, ValueError, r"normalize must be one of \['l2', None\]; got 'l1'"),
        # False or 'none', natural guesses for "no normalisation", are told that None is it
        ({"normalize": False}, ValueError, r"^normalize must be one of \['l2', None\]; got False\. "
                                           r"None \(no quotes\) turns it off\.$"),
        ({"normalize": "none"}, ValueError, r"got 'none'\. None \(no quotes\) turns it off\.$"),
        # every refusal names "auto" (None is how one asks for "choose for me")
        ({"n_clusters": 1}, ValueError, r"^n_clusters must be an int >= 2 or 'auto'; got 1\. 'auto', the "
                                        r"default, takes the number from the sample size and labels"),
        ({"n_clusters": None}, TypeError, r"^n_clusters must be an int >= 2 or 'auto'; got None "
                                          r"\(NoneType\)\. 'auto', the default, takes the number"),
        ({"n_clusters": 2.5}, TypeError, r"n_clusters must be an int >= 2 or 'auto'; got 2\.5 \(float\)"),
        ({"n_clusters": 41}, ValueError, r"^n_clusters=41 is more than the 40 samples in t_features; pass "
                                         r"more samples or fewer clusters\.$"),
        ({"n_components": 0}, ValueError, r"n_components must be an int >= 1 or None \(no PCA\); got 0\.$"),
        ({"n_components": "auto"}, TypeError, r"n_components must be an int >= 1 or None \(no PCA\); got 'a"),
        ({"bootstrap": -1}, ValueError, r"bootstrap must be an int >= 0"),
        ({"bootstrap": True}, TypeError, r"bootstrap must be an int"),
        ({"bootstrap": 1}, ValueError, r"^bootstrap=1: one replicate has no spread, so its interval would "
                                       r"have zero width; pass 0 for no intervals, or at least 2"),
        ({"confidence": 1.5}, ValueError, r"confidence must be a float in \(0, 1\)"),
        ({"ci_method": "bca"}, ValueError, r"ci_method must be one of"),
        ({"n_jobs": 0}, ValueError, r"n_jobs must be None"),
        ({"units": "bit"}, ValueError, r"units must be 'bits' or 'nats'"),
        ({"random_state": -1}, ValueError, r"random_state must be an int in \[0, 2\*\*32 - 1\]"),
        ({"random_state": "0"}, TypeError, r"random_state must be an int"),
        ({"discretizers": "ab"}, TypeError, r"discretizers must be None or a pair"),
        ({"discretizers": (Discretizer(), None)}, ValueError, r"teacher Discretizer is not fitted"),
        ({"discretizers": (None, 3)}, TypeError, r"student entry must be a Discretizer"),
        ({"measure": "no-such-measure"}, ValueError, r"no-such-measure"),
        ({"n_cluster": 3}, TypeError, r"n_cluster"),
        ({"bias_correction": "eb_extrapolation"}, ValueError,
         r"got 'eb_extrapolation'\. Did you mean 'eb-extrapolation'\?$"),
    ],
)
def test_bad_options(option, error, match):
    with pytest.raises(error, match=match):
        pid_from_representations(*small_sample(), **{"n_clusters": 3, **option})


def test_discretizer_misuse():
    y, t, s = small_sample()
    fitted = pid_from_representations(y, t, s, n_clusters=3).discretizers
    with pytest.raises(ValueError, match=r"^n_clusters=4 applies to no side: both are reused Discretizers "
                                         r"from discretizers, fitted with 3 clusters, which apply; leave"):
        pid_from_representations(y, t, s, n_clusters=4, discretizers=fitted)  # once: 3 x 3, silently
    for n_clusters in (3, 10, "auto"):  # the reused ones' number, or "not set"
        res = pid_from_representations(y, t, s, n_clusters=n_clusters, discretizers=fitted)
        assert res.shape == [2, 3, 3]
    one_side = pid_from_representations(y, t, s, n_clusters=4, discretizers=(None, fitted[1]))
    assert one_side.shape == [2, 4, 3]  # n_clusters sets the side fitted here
    with pytest.raises(ValueError, match=r"not fitted yet"):
        Discretizer().predict(t)
    _, disc = discretize(t, n_clusters=3)
    with pytest.raises(ValueError, match=r"X has 5 features, but Discretizer is expecting 6 features"):
        disc.predict(t[:, :5])
    with pytest.raises(ValueError, match=r"t_features is a 1-D array of labels"):
        pid_from_representations(y, y, s, n_clusters=3, discretizers=(disc, None))
    with pytest.raises(ValueError, match=r"s_features has 4 features, but Discretizer is expecting 6"):
        pid_from_representations(y, t, s[:, :4], n_clusters=3, discretizers=(None, disc))
    with pytest.raises(ValueError, match=r"svd_solver must be one of"):
        discretize(t, svd_solver="arpack")
    with pytest.raises(ValueError, match=r"n_init must be an int >= 1"):
        Discretizer(n_clusters=3, n_init=0).fit(t)
    with pytest.raises(ValueError, match=r"^n_boot must be an int >= 2; got 0\.$"):  # not ">= 1": 1 fails too
        bootstrap(y, y, y, n_boot=0)
    with pytest.raises(ValueError, match=r"^n_boot=1: one replicate .* zero width; pass at least 2 \("):
        bootstrap(y, y, y, n_boot=1)  # an interval [x, x] once


def _as_lists(labels):
    arr = np.empty(labels.size, dtype=object)
    arr[:] = [[label] for label in labels.tolist()]
    return arr


def _obj_with_nan(labels):
    arr = labels.astype(object)
    arr[7] = np.nan
    return arr


def _obj_with_string(labels):
    arr = labels.astype(object)
    arr[7] = str(arr[7])  # 0 and '0' were two classes, silently
    return arr


@pytest.mark.parametrize(
    ("change", "options", "error", "match"),
    [
        (lambda y, t, s: (np.random.default_rng(0).normal(size=40), t, s), {}, ValueError,
         r"^y holds 40 distinct non-integer floats .*np\.digitize"),
        (lambda y, t, s: (y[:, None], t, s), {}, ValueError, r"shape \(40, 1\)\. For a column of labels pass "
                                                             r"y\.ravel\(\)"),
        (lambda y, t, s: (np.eye(2)[y], t, s), {}, ValueError, r"For one-hot targets pass y\.argmax"),
        # labels collected batch by batch: the fix is np.concatenate, not tuples or argmax
        (lambda y, t, s: ([y[:32], y[32:]], t, s), {}, ValueError,
         r"^y is ragged: some labels are sequences of different lengths\. y is a list of 2 arrays of 40 rows "
         r"in all: if they are batches, pass np\.concatenate\(y\) \(torch\.cat for tensors\)\. Otherwise"),
        (lambda y, t, s: ([y[:20], y[20:]], t, s), {}, ValueError,
         r"got shape \(2, 20\)\. y is a list of 2 arrays of 40 rows in all: if they are batches, pass "
         r"np\.concatenate\(y\) \(torch\.cat for tensors\)\.$"),
        (lambda y, t, s: (np.array(3), t, s), {}, ValueError, r"got shape \(\)\. Pass one label per sample"),
        (lambda y, t, s: (_obj_with_nan(y), t, s), {}, ValueError,
         r"y contains 1 missing label\(s\) \(NaN, NA or NaT; the first at index 7\)"),
        (lambda y, t, s: (y, _obj_with_nan(y), s), {}, ValueError, r"t_features contains 1 missing label"),
        (lambda y, t, s: (_obj_with_string(y), t, s), {}, ValueError,
         r"^y mixes label types, numbers and strings \(1 at index 0, '0' at index 7\): labels of different "
         r"types are different classes even where they print alike \(5 and '5'\)\. Pass labels of one "
         r"type: make every label a string, np\.asarray\(y\)\.astype\(str\), or every one a number\.$"),
        (lambda y, t, s: (_obj_with_string(y), t, s), {"estimator": "gaussian", "n_clusters": 10}, ValueError,
         r"^y mixes label types, numbers and strings"),
        (lambda y, t, s: (y, t, _obj_with_string(y)), {}, ValueError,
         r"^s_features mixes label types, numbers and strings \(1 at index 0, '0' at index 7\)"),
        (lambda y, t, s: (np.ma.masked_array(y, mask=np.arange(40) < 20), t, s), {}, ValueError,
         r"^y is a masked array with 20 masked label\(s\); pidkit does not guess"),  # its data, once
        (lambda y, t, s: (set(y.tolist()), t, s), {}, TypeError, r"^y is a set, which has no order"),
        (lambda y, t, s: ((y + 0.5).astype(object), t, s), {}, ValueError,  # e.g. a pandas object column
         r"^y holds 2 distinct non-integer floats \(e\.g\. 0\.5\); labels must be discrete"),
        (lambda y, t, s: (y + 1e-9, t, s), {}, ValueError,  # class ids off by a rounding error: not binned
         r"^y holds 2 distinct non-integer floats \(e\.g\. 1e-09\); labels must be discrete "
         r".*\. They are all "
         r"within 1e-06 of whole numbers: if they are class ids with a rounding error, round them: "
         r"np\.rint\(y\)\.astype\(int\)\.$"),
        (lambda y, t, s: (y, t, (y - 0.25).astype(object)), {}, ValueError,
         r"^s_features holds 2 distinct non-integer floats \(e\.g\. -0\.25\); labels must be discrete "
         r".*\. Labels given in place of a representation are used as they are, without clustering; pass "
         r"features as a matrix of shape \(n_samples, n_features\), which is clustered\.$"),
        (lambda y, t, s: (y, t, (y + 1e-9).astype(object)), {}, ValueError,  # ids off by rounding
         r"^s_features holds 2 distinct non-integer floats \(e\.g\. 1e-09\); labels must be discrete "
         r".*\. They are all within 1e-06 of whole numbers: if they are class ids with a rounding "
         r"error, round them: np\.rint\(s_features\)\.astype\(int\)\.$"),
        (lambda y, t, s: (np.zeros_like(y), t, s), {}, ValueError,
         r"y holds a single value \(0\); the discrete estimator needs at least two classes"),
        (lambda y, t, s: (np.arange(40) * 3, t, s), {}, ValueError,
         r"^y has a different value for each of its 40 samples, so it is no class label .*is it a "
         r"sample id or a continuous target\?"),
        (lambda y, t, s: (np.arange(40).astype(str), t, s), {"estimator": "gaussian", "n_clusters": 10},
         ValueError, r"^y has a different value for each of its 40 samples"),
        (lambda y, t, s: (_as_lists(y), t, s), {}, TypeError,
         r"^y labels must be hashable \(numbers, strings, tuples\); the one at index 0 is a list: convert"),
        (lambda y, t, s: (y, t[:, 0], s), {}, ValueError,
         r"t_features\.reshape\(-1, 1\) with normalize=None .*keeps only its sign\); if it already "
         r"holds discrete labels"),
        (lambda y, t, s: (y, t, s[:, :1]), {}, ValueError,
         r"normalize='l2' scales every row of s_features to unit length, which leaves a single "
         r"feature only its sign .*pass normalize=None"),
        (lambda y, t, s: (y, y[:, None], s), {}, ValueError,  # cluster ids as a column
         r"pass normalize=None for one feature per sample\. A column of discrete labels goes to "
         r"pid_from_representations 1-D \(t_features\.ravel\(\)\) and is used as it is\.$"),
        (lambda y, t, s: (y, t, s), {"clusterer": Discretizer}, TypeError,
         r"clusterer must be a clusterer instance, not the class Discretizer; pass an instance"),
    ],
)
def test_bad_labels(change, options, error, match):
    with pytest.raises(error, match=match):
        pid_from_representations(*change(*small_sample()), **{"n_clusters": 3, **options})


@pytest.mark.parametrize("make", [np.random.default_rng, np.random.RandomState],
                         ids=["Generator", "RandomState"])
def test_a_numpy_random_generator_gives_a_recorded_seed(make):
    # scikit-learn users pass random_state=np.random.RandomState(0); it used to be a TypeError.
    y, t_feat, s_feat, *_ = _features("rdn", seed=2)
    first = pid_from_representations(y, t_feat, s_feat, n_clusters=2, random_state=make(3))
    seed = first.settings["random_state"]
    assert isinstance(seed, int) and 0 <= seed <= 2**32 - 1
    replay = pid_from_representations(y, t_feat, s_feat, n_clusters=2, random_state=make(3))
    assert replay.settings["random_state"] == seed
    again = pid_from_representations(y, t_feat, s_feat, n_clusters=2, random_state=seed)
    np.testing.assert_array_equal(again.counts, first.counts)
    assert (again.red, again.syn) == (first.red, first.syn)


@pytest.mark.parametrize("estimator", ["discrete", "gaussian"])
def test_the_plugin_bias_warning_points_at_the_callers_line(estimator):
    # a guard: a frame added between the estimators and the caller (hints_unknown_keywords' wrapper
    # added one) pointed the warning inside pidkit while they warned with fixed stacklevels
    rng = np.random.default_rng(2)
    t, s = rng.normal(size=(60, 3)), rng.normal(size=(60, 3))
    options = {"n_clusters": 3} if estimator == "discrete" else {"n_components": 2}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pid_from_representations(np.tile([0, 1], 30), t, s, estimator=estimator, bias_correction="none",
                                 **options)
    assert [w.filename for w in caught if w.category is PluginBiasWarning] == [__file__]
