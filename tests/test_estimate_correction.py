"""Bias corrections of PID atoms from counts (``pidkit.estimate.correction``, ``.dirichlet``).

References: the plug-in itself in the large-sample limit (10^6 samples: every correction must agree
with it), the PID identities, closed-form entropies, and the truth of joints with known PID.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pidkit import joint_from_samples, pid
from pidkit.estimate import (
    BIAS_CORRECTIONS,
    PIDStatistic,
    PluginBiasWarning,
    atoms_from_informations,
    correct_counts,
    eb_conditional_entropy,
    kink_fraction,
    pid_from_representations,
)
from pidkit.estimate.dirichlet import grassberger_entropy

LN2 = math.log(2)


def _noisy_xor10(eps: float = 0.2) -> np.ndarray:
    """Y = (T + S) mod 10 with probability 1 - eps, else uniform; T, S uniform on 10 values."""
    p = np.full((10, 10, 10), eps / 10)
    for t in range(10):
        for s in range(10):
            p[(t + s) % 10, t, s] += 1 - eps
    return p / p.sum()


def _equal_channels10(keep: float = 0.9) -> np.ndarray:
    """Y = floor((T + S) / 2) with probability keep, else uniform: p(y|t) = p(y|s), both Uni = 0."""
    p = np.full((10, 10, 10), (1 - keep) / 10)
    for t in range(10):
        for s in range(10):
            p[(t + s) // 2, t, s] += keep
    return p / p.sum()


@pytest.mark.parametrize("k", [4, 10])
@pytest.mark.parametrize("method", BIAS_CORRECTIONS)
def test_all_corrections_agree_with_the_plugin_on_a_million_samples(method, k):
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.full(k**3, 0.5)).reshape(k, k, k)
    counts = rng.multinomial(10**6, p.ravel()).reshape(p.shape)
    fix = correct_counts(counts, method=method, n_repeats=2)
    for name, value in fix.corrected.items():
        assert value == pytest.approx(fix.plugin[name], abs=1e-3), name
        assert fix.kink_corrected[name] == pytest.approx(fix.plugin[name], abs=1e-3), name
    assert fix.subsample_sizes == ((10**6,) if method == "none" else (10**6, 500_000, 250_000))


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(200, 800))
def test_corrected_atoms_satisfy_the_identities_and_flag_negatives(seed, n):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(3 * 4 * 4, 0.3)).reshape(3, 4, 4)
    fix = correct_counts(rng.multinomial(n, p.ravel()).reshape(p.shape), n_repeats=2, random_state=seed)
    c = fix.corrected
    assert c["red"] + c["uni_t"] == pytest.approx(c["i_yt"], abs=1e-9)
    assert c["red"] + c["uni_s"] == pytest.approx(c["i_ys"], abs=1e-9)
    assert c["red"] + c["uni_t"] + c["uni_s"] + c["syn"] == pytest.approx(c["i_yts"], abs=1e-9)
    assert set(fix.negative) == {k for k, v in c.items() if v < 0}
    assert all(fix.bias[k] == pytest.approx(fix.plugin[k] - c[k]) for k in c)
    # The n^-1/2 alternative: never below 0 itself, never pushes a unique information below 0,
    # keeps the identities; the extrapolation's points start at the plug-in.
    k = fix.kink_corrected
    assert 0.0 <= fix.kink <= max(0.0, min(c["uni_t"], c["uni_s"])) + 1e-12
    assert k["red"] + k["uni_t"] == pytest.approx(c["i_yt"], abs=1e-9)
    assert k["red"] + k["uni_s"] == pytest.approx(c["i_ys"], abs=1e-9)
    assert k["red"] + k["uni_t"] + k["uni_s"] + k["syn"] == pytest.approx(c["i_yts"], abs=1e-9)
    means = fix.subsample_means
    assert all(len(v) == len(fix.subsample_sizes) for v in means.values())
    assert means["i_yt"][0] == pytest.approx(fix.plugin["i_yt"])
    assert means["i_star"][0] == pytest.approx(fix.plugin["i_yt"] + fix.plugin["i_ys"] - fix.plugin["red"])


def test_default_correction_removes_most_of_the_synergy_bias_at_450_samples():
    # 1000 cells, 450 samples: the plug-in overstates Syn by ~0.6 bits (docs/estimate-measured.md table).
    p = _noisy_xor10()
    truth = pid(p)
    rng = np.random.default_rng(1)
    plug, fixed = [], []
    for draw in range(6):
        counts = rng.multinomial(450, p.ravel()).reshape(p.shape)
        fix = correct_counts(counts, n_repeats=2, random_state=draw)
        plug.append([fix.plugin[a] for a in ("red", "uni_t", "uni_s", "syn")])
        fixed.append([fix.corrected[a] for a in ("red", "uni_t", "uni_s", "syn")])
    true = np.array([truth.red, truth.uni_t, truth.uni_s, truth.syn])
    plug_bias = np.abs(np.mean(plug, axis=0) - true).sum()
    fixed_bias = np.abs(np.mean(fixed, axis=0) - true).sum()
    assert plug_bias > 0.5
    assert fixed_bias < 0.5 * plug_bias


def test_kink_fraction_is_the_extrapolations_weight_on_a_square_root():
    # Lagrange weights at 1/m = 0 of the quadratic through 1/n, 2/n, 4/n are 8/3, -2, 1/3.
    assert kink_fraction((1200, 600, 300)) == pytest.approx(8 / 3 - 2 * math.sqrt(2) + 2 / 3, abs=1e-12)
    assert kink_fraction((1200, 600, 400)) == pytest.approx(3 - 3 * math.sqrt(2) + math.sqrt(3), abs=1e-12)
    # What correct_counts extrapolates: a bias b m^-1/2 keeps r b n^-1/2.
    sizes = np.array([1200.0, 600.0, 300.0])
    design = np.stack([np.ones(3), 1 / sizes, 1 / sizes**2], axis=1)
    intercept = np.linalg.solve(design, 0.7 / np.sqrt(sizes))[0]
    assert intercept == pytest.approx(kink_fraction(sizes) * 0.7 / np.sqrt(1200.0))


def test_kink_model_removes_the_unique_bias_the_extrapolation_leaves_at_equal_channels():
    # Both unique informations are 0 with equal channels: the plug-in's Uni is biased like n^-1/2
    # (about 0.2 bits at n = 450) and the 1/n extrapolation leaves about half of it (the default's
    # kink pretest moves part of that half: tests/test_estimate_kink_pretest.py).
    p = _equal_channels10()
    truth = pid(p)
    assert max(truth.uni_t, truth.uni_s) < 1e-6
    rng = np.random.default_rng(0)
    fixed, kinked = [], []
    for draw in range(10):
        fix = correct_counts(rng.multinomial(450, p.ravel()).reshape(p.shape), method="eb-extrapolation",
                             n_repeats=2, random_state=draw)
        fixed.append((fix.corrected["uni_t"] + fix.corrected["uni_s"]) / 2)
        kinked.append((fix.kink_corrected["uni_t"] + fix.kink_corrected["uni_s"]) / 2)
        assert fix.kink > 0
    assert np.mean(fixed) > 0.06
    assert 0 <= np.mean(kinked) < 0.5 * np.mean(fixed)


def test_the_correction_record_is_json_ready():
    counts = np.random.default_rng(8).multinomial(450, _noisy_xor10().ravel()).reshape(10, 10, 10)
    record = correct_counts(counts, n_repeats=2).to_dict()
    assert {"kink", "subsample_means"} <= set(record)
    assert set(record["subsample_means"]) == {"i_yt", "i_ys", "i_yts", "i_star"}
    json.dumps(record, allow_nan=False)
    none = correct_counts(counts, method="none")
    assert none.kink == 0.0 and none.subsample_means == {} and none.kink_corrected == none.corrected


def test_eb_conditional_entropy_on_sparse_rows_of_known_entropy():
    # 300 rows of 5 samples each from p(y|x) = 0.82 on one label + 0.02 on the nine others.
    rng = np.random.default_rng(2)
    rows = []
    for _ in range(300):
        q = np.full(10, 0.02)
        q[rng.integers(10)] = 0.82
        rows.append(rng.multinomial(5, q))
    rows = np.array(rows)
    truth = -(0.82 * math.log(0.82) + 9 * 0.02 * math.log(0.02))
    plugin = float(np.mean([-(r[r > 0] / 5 * np.log(r[r > 0] / 5)).sum() for r in rows]))
    assert plugin < truth - 0.3  # the plug-in is far off
    assert eb_conditional_entropy(rows) == pytest.approx(truth, abs=0.1)


def test_grassberger_on_dense_rows():
    rng = np.random.default_rng(3)
    q = np.array([0.5, 0.3, 0.15, 0.05])
    truth = -(q * np.log(q)).sum()
    rows = rng.multinomial(200, q, size=2000)
    plugin = -np.sum(np.where(rows > 0, rows / 200 * np.log(np.where(rows > 0, rows, 1) / 200), 0), axis=1)
    assert abs(grassberger_entropy(rows).mean() - truth) < 0.5 * abs(plugin.mean() - truth)
    assert grassberger_entropy(rows).mean() == pytest.approx(truth, abs=4e-3)


def test_atoms_from_informations_is_the_pid_identity_inverse():
    r = pid(_noisy_xor10())
    atoms = atoms_from_informations(r.i_yt, r.i_ys, r.i_yts, r.i_yt + r.i_ys - r.red)
    for name, value in atoms.items():
        assert value == pytest.approx(getattr(r, name), abs=1e-12)


def test_fixed_seed_gives_identical_numbers_and_the_seed_matters():
    rng = np.random.default_rng(4)
    counts = rng.multinomial(800, _noisy_xor10().ravel()).reshape(10, 10, 10)
    a = correct_counts(counts, method="extrapolation", random_state=5)
    b = correct_counts(counts, method="extrapolation", random_state=5)
    c = correct_counts(counts, method="extrapolation", random_state=6)
    assert a.corrected == b.corrected
    assert a.corrected != c.corrected


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"method": "jackknife"}, ValueError, r"^method must be one of \['none', 'extrapolation'"),
        ({"subsamples": (2, 40)}, ValueError, r"cuts the 450 samples into pieces of 11, fewer than the 100"),
        ({"subsamples": (2, 2)}, ValueError, r"at least two distinct ints >= 2"),
        ({"subsamples": (1, 2)}, ValueError, r"subsamples entries must be an int >= 2"),
        ({"subsamples": "24"}, TypeError, r"subsamples must be a sequence of ints"),
        ({"n_repeats": 0}, ValueError, r"n_repeats must be an int >= 1"),
    ],
)
def test_bad_settings(kwargs, error, match):
    counts = np.random.default_rng(5).multinomial(450, _noisy_xor10().ravel()).reshape(10, 10, 10)
    with pytest.raises(error, match=match):
        correct_counts(counts, **kwargs)


def test_fewer_samples_than_cells_is_an_error_naming_the_fix():
    rng = np.random.default_rng(6)
    y, t, s = rng.integers(0, 10, 80), rng.integers(0, 10, 80), rng.integers(0, 10, 80)
    # y, t, s are labels: the fix is to merge them (it suggested n_clusters, which does not apply to labels)
    match = (r"at least as many samples as cells of the pairwise table .*got 80 samples\. Use t_features's "
             r"10 distinct labels merged into at most 2 .* and s_features's 10 distinct labels merged into "
             r"at most 2")
    with pytest.raises(ValueError, match=match):
        pid_from_representations(y, t, s)
    with pytest.warns(PluginBiasWarning):
        assert pid_from_representations(y, t, s, bias_correction="none").correction.method == "none"
    with pytest.raises(ValueError, match=r"^counts must be a 3-D array of sample counts of shape \(n_y, n_t, "
                                         r"n_s\); got shape \(2, 2\), dtype float64\.$"):
        correct_counts(np.ones((2, 2)))


@pytest.mark.parametrize(
    ("n", "subsamples", "expected", "not_expected"),
    [
        # the trial's case: (2, 3) refused, so it must not be suggested again; 6 clusters fit
        (200, (2, 3), r"Use at most 6 values per axis of counts \(now T 10 and S 10: merge "
                      r"values, or cluster the features into fewer, before counting\), at least 300 "
                      r"samples, or method='none'", r"subsamples=\(2, 3\)\)|n_clusters"),
        (450, (2, 40), r"Use fewer parts \(subsamples=\(2, 4\)\), at least 4000 samples", r"n_clusters="),
        (1797, (2, 40), r"at most 4 values per axis of counts .* fewer parts "
                        r"\(subsamples=\(2, 17\)\)", r"\(2, 3\)|n_clusters"),
        # correct_counts has no n_clusters: the table was counted elsewhere (t-412 L2)
        (80, (2, 4), r"got 80 samples\. Use at most 2 values per axis of counts",
         r"fewer parts|n_clusters"),
    ],
)
def test_the_sample_size_error_computes_a_setting_that_works(n, subsamples, expected, not_expected):
    counts = np.zeros((10, 10, 10), dtype=int)
    counts.ravel()[:n] = 1  # n samples
    counts[0, 0, 0] += n - counts.sum()
    with pytest.raises(ValueError) as info:
        correct_counts(counts, subsamples=subsamples)
    message = str(info.value)
    assert re.search(expected, message), message
    assert not re.search(not_expected, message), message


def test_an_array_of_subsamples_is_a_sequence_of_ints():
    counts = np.random.default_rng(5).multinomial(450, _noisy_xor10().ravel()).reshape(10, 10, 10)
    assert correct_counts(counts, subsamples=np.array([2, 4])).corrected == correct_counts(counts).corrected
    with pytest.raises(TypeError, match=r"subsamples entries must be an int"):
        correct_counts(counts, subsamples=np.array([2.0, 4.0]))


def test_corrected_informations_above_their_entropy_bound_are_flagged():
    # T = S = Y: I(Y;T) = H(Y); the extrapolation lands above the plug-in H(Y) (itself biased low),
    # and I(Y;T,S) = I(Y;T) + I(Y;S) + (Syn - Red) with it (it was the plug-in H(Y), below I(Y;T)).
    y = np.random.default_rng(7).integers(0, 10, 1797)
    res = pid_from_representations(y, y, y)
    h_y = float(-(np.bincount(y) / y.size * np.log2(np.bincount(y) / y.size)).sum())
    assert res.i_yt > h_y and res.correction.above_bound == ("red", "i_yt", "i_ys", "i_yts")  # Red = I(Y;S)
    assert res.i_yts == pytest.approx(res.i_yt, abs=0.005) and res.i_yts >= res.i_yt
    note = "note: i_yt, i_ys, i_yts corrected above min(H(Y), H(source)) of the plug-in entropies"
    assert note in repr(res) and res.correction.to_dict()["above_bound"] == ["red", "i_yt", "i_ys", "i_yts"]
    assert res.i_yt == pytest.approx(h_y, abs=0.01)  # not clipped, and not far above
    # Noisy XOR (Red = Uni = 0): no quantity above its bound from the entropies; Syn above the
    # corrected I(Y;T,S) where the other three atoms sum below 0 (seed 5: Uni -0.019 and -0.012
    # bits) is left to `negative`, which names those atoms.
    for seed in (0, 5):
        counts = np.random.default_rng(seed).multinomial(450, _noisy_xor10().ravel()).reshape(10, 10, 10)
        fix = correct_counts(counts)
        assert fix.above_bound == (), seed
    assert fix.corrected["syn"] > fix.corrected["i_yts"] and {"uni_t", "uni_s"} <= set(fix.negative)


def test_eb_conditional_entropy_of_many_labels_evaluates_only_the_nonzero_counts(monkeypatch):
    # 1,000 labels (ImageNet) over 100 (t, s) rows: 2,587 of the 100,000 counts are nonzero. The
    # estimate evaluated gammaln on every (component, row, label): 55 million values, 3.1 s per
    # call and so per bootstrap replicate (4.4 s of the 5 s of a replicate at n = 50,000). A label
    # without samples in a row contributes through (component, label) tables instead.
    from pidkit.estimate import dirichlet

    rng = np.random.default_rng(3)
    labels = rng.integers(0, 1000, 3000)
    rows = (labels % 10) * 10 + rng.integers(0, 10, 3000)
    counts = np.zeros((100, 1000), dtype=int)
    np.add.at(counts, (rows, labels), 1)
    evaluated = []
    gammaln = dirichlet.gammaln
    monkeypatch.setattr(dirichlet, "gammaln", lambda x: (evaluated.append(np.size(x)), gammaln(x))[1])
    # The value of the dense evaluation (before the change), to rounding: 4.995281266669576 on the
    # floor's grid up to 1e3, 4.995281376079346 on the grid up to 1e5 (task 203; the dense
    # evaluation is 2251b8d~1's pidkit/estimate/dirichlet.py with FLOOR_GRID set to today's), and
    # 4.9961029033811295 with its EM replaced by maximum_likelihood_weights (task 310).
    assert eb_conditional_entropy(counts) == pytest.approx(4.9961029033811295, rel=1e-13)
    components = dirichlet.FLOOR_GRID.size * dirichlet.SPIKE_GRID.size
    assert sum(evaluated) <= 5 * components * ((counts > 0).sum() + counts.shape[0])  # was 31 x this


def _edge_tables() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(11)
    one = np.eye(12, dtype=int)[rng.integers(0, 12, 40)]  # every row one sample
    blocks = np.zeros((40, 12), int)  # labels 0-5 absent from the first 20 rows, 6-11 from the rest
    blocks[:20, 6:] = rng.poisson(0.8, (20, 6))
    blocks[20:, :6] = rng.poisson(0.8, (20, 6))
    blocks[blocks.sum(1) == 0, 6] = 1
    two = rng.poisson([3.0, 0.2], (30, 2))  # 2 labels
    two[two.sum(1) == 0, 0] = 1
    many = rng.poisson(0.05, (30, 300))  # 300 labels, one dominant per row
    many[np.arange(30), rng.integers(0, 300, 30)] += 4
    return {"one": one, "blocks": blocks, "two": two, "many": many}


@pytest.mark.parametrize(("table", "dense"), [
    ("one", 1.4136194243319338), ("blocks", 1.9220238863846295), ("two", 0.2022658161335033),
    ("many", 4.449821888707894),
])
def test_eb_conditional_entropy_of_sparse_rows_is_the_dense_evaluations(table, dense):
    # The values of the dense evaluation (every component, spike location, row and label: 2251b8d~1's
    # pidkit/estimate/dirichlet.py) on the tables where the sparse algebra could go wrong: rows of
    # one sample, labels absent from whole blocks of rows, 2 labels, 300. Recomputed with its
    # FLOOR_GRID set to today's (up to 1e5, task 203) and its 500-iteration EM replaced by
    # maximum_likelihood_weights (task 310): the same fit, so the two agree to rounding.
    assert eb_conditional_entropy(_edge_tables()[table]) == pytest.approx(dense, rel=1e-13)


def test_rows_whose_samples_all_have_labels_left_out_by_base_are_ignored():
    # base leaves label 2 out; the row [0, 0, 3] then holds no sample. The sparse evaluation
    # (2251b8d) summed each row's nonzero counts by their start index, assuming every row had
    # one: such a row took its neighbour's sums (0.6654 instead of 0.6922), and as the last row
    # it raised numpy's IndexError 'index 4 out-of-bounds in add.reduceat [0, 4)'.
    base = np.array([0.5, 0.5, 0.0])
    without = eb_conditional_entropy(np.array([[2, 1], [1, 1]]), base[:2])
    for table in ([[2, 1, 0], [0, 0, 3], [1, 1, 1]], [[2, 1, 0], [1, 1, 1], [0, 0, 3]]):
        assert eb_conditional_entropy(np.array(table), base) == pytest.approx(without, rel=1e-12)
    # The dense evaluation's value (0.6922359730682226 on the floor's grid up to 1e3, before task 203;
    # 0.692961285600644 after the 500-iteration EM, before task 310's maximum-likelihood weights).
    assert without == pytest.approx(0.6931421761285177, rel=1e-12)


@pytest.mark.parametrize(("base", "message"), [
    # numpy's IndexError 'boolean index did not match indexed array along axis 1'
    ([0.5, 0.5], r"^base must hold one mass per label \(column of counts\), shape \(3,\); got shape "
                 r"\(2,\)\.$"),
    ([0.0, 0.0, 0.0], r"^base has total mass 0: every cell is 0, .*one above 0\.$"),  # ZeroDivisionError
    ([1.0, np.nan, 1.0], r"^base contains NaN at index \(1,\); masses must be finite\.$"),  # a number
    ([1.0, -1.0, 1.0], r"^base has negative mass: -1\.0 at index \(1,\)"),  # the same number
])
def test_a_base_that_is_not_masses_of_the_labels_is_refused_by_name(base, message):
    with pytest.raises(ValueError, match=message):
        eb_conditional_entropy(np.array([[2, 1, 0], [1, 1, 1]]), np.array(base))


def test_counts_held_in_floats_are_counts_and_other_tables_are_refused_by_name():
    # np.histogramdd counts in float64: correct_counts refused them ("non-negative integer counts"
    # with the dtype only). eb_conditional_entropy took a 3-D table, or probabilities, and returned a
    # number; PIDStatistic took probabilities and resampled a single sample from them.
    rng = np.random.default_rng(7)
    samples = rng.integers(0, 4, (450, 3))
    counts = np.histogramdd(samples, bins=(np.arange(5),) * 3)[0]
    assert counts.dtype == np.float64 and counts.sum() == 450
    fix = correct_counts(counts)
    assert fix.corrected == correct_counts(counts.astype(int)).corrected
    assert fix.subsample_sizes == (450, 225, 112)
    p = counts / 450
    probabilities = r"It sums to 1, so it looks like probabilities: pass the counts they came from"
    with pytest.raises(ValueError, match=rf"^counts must be a 3-D array .* non-integer .*{probabilities}"):
        correct_counts(p)
    with pytest.raises(ValueError, match=probabilities):
        PIDStatistic(p)
    with pytest.raises(ValueError, match=r"^counts must be a 2-D array of sample counts of shape "
                                         r"\(n_x, n_y\); got shape \(4, 4, 4\), dtype float64\.$"):
        eb_conditional_entropy(counts)
    rows = counts.reshape(4, 16).T
    with pytest.raises(ValueError, match=r"^counts must be a 2-D .*; it holds 1 negative value\(s\)\.$"):
        eb_conditional_entropy(np.where(rows == rows.max(), -1.0, rows))
    assert eb_conditional_entropy(rows) == eb_conditional_entropy(rows.astype(int))


def test_an_information_at_its_bound_by_rounding_is_not_flagged_above_it():
    # A teacher with one value (a constant representation, clustered into 1): I(Y;T) <= H(T) = 0,
    # and the extrapolation of subsample values that are all 0 returns rounding of 0, e.g. 3.3e-18
    # (seed 5 here). It was flagged "corrected above min(H(Y), H(source))", a note with nothing
    # behind it. Twenty draws, so that some round above 0 whatever the platform's BLAS.
    rounded_above = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        y = rng.integers(0, 3, 400)
        s = np.where(rng.random(400) < 0.3, y, rng.integers(0, 3, 400))
        fix = correct_counts(joint_from_samples(y, np.zeros(400, int), s).counts)
        assert abs(fix.corrected["i_yt"]) < 1e-15 and fix.above_bound == (), seed
        rounded_above += fix.corrected["i_yt"] > 0.0
    assert rounded_above > 0
