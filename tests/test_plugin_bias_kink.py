"""PluginBiasWarning at the kink of the BROJA optimum (task t-483).

On ``copy3`` (Y uniform on 3 values, T and S copies of it each replaced by a uniform value with
probability 0.2: Red 0.885, Syn 0.335 bits, both unique informations exactly 0) the plug-in's Uni are
biased like n**-1/2: +0.10 bits at n = 200, +0.04 at 1000. The warning read only the first-order
bias of I(Y;T,S) (4 % of it there) and never fired. Its second rule reads the unique informations:
both within ``KINK_WARNING_SPREAD`` standard errors of I(Y;T) - I(Y;S) of 0, where each is then
biased by ``bias["uni_at_kink"]`` or more. The standard error is checked against one computed from
the samples themselves, not from the table.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pidkit
from pidkit.estimate import PluginBiasWarning, bootstrap, pid_from_representations
from pidkit.estimate.bias_warning import (
    BIAS_WARNING_FLOOR,
    KINK_WARNING_SPREAD,
    bias_ratio,
    information_difference_se,
    unique_kink_bias,
)


def _copy3(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    t, s = (np.where(rng.random(n) < 0.8, y, rng.integers(0, 3, n)) for _ in range(2))
    return y, t, s


def _bias_warnings(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [str(w.message) for w in caught if w.category is PluginBiasWarning]


def _sample_se_bits(y: np.ndarray, t: np.ndarray, s: np.ndarray) -> float:
    """The standard error of the plug-in I(Y;T) - I(Y;S) from each sample's pointwise informations."""
    def pointwise(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        pair = np.array([np.mean((a == a_i) & (b == b_i)) for a_i, b_i in zip(a, b, strict=True)])
        first = np.array([np.mean(a == a_i) for a_i in a])
        second = np.array([np.mean(b == b_i) for b_i in b])
        return np.log2(pair / (first * second))

    return float(np.std(pointwise(y, t) - pointwise(y, s)) / math.sqrt(len(y)))


def test_copy3_at_200_samples_warns_of_the_unique_informations():
    y, t, s = _copy3(200, 0)
    res, said = _bias_warnings(lambda: pid_from_representations(y, t, s, bias_correction="none",
                                                                progress=False))
    uni_t, uni_s = res.plugin["uni_t"], res.plugin["uni_s"]
    assert bias_ratio(res.bias["i_yts"], res.plugin["i_yts"]) < 0.1  # the first rule is quiet
    sigma = _sample_se_bits(y, t, s)
    assert information_difference_se(res.counts) == pytest.approx(sigma, rel=1e-9)
    assert 0.10 < sigma < 0.15 and max(uni_t, uni_s) <= KINK_WARNING_SPREAD * sigma
    expected = min(sigma / math.sqrt(2 * math.pi), (uni_t + uni_s) / 2)
    assert res.bias["uni_at_kink"] == pytest.approx(expected, rel=1e-9) and expected > 0.03
    assert len(said) == 1 and res.bias_warning == said[0]
    assert said[0].startswith(
        f"the plug-in unique informations with 200 samples over 27 cells, Uni(Y:T\\S) {uni_t:.3g} and "
        f"Uni(Y:S\\T) {uni_s:.3g} bits, are within 2.5 standard errors of I(Y;T) - I(Y;S) of 0, as at a "
        "kink of the BROJA optimum (both 0, with p(y|t) = p(y|s)), where their plug-in bias shrinks like "
        f"n**-1/2, not 1/n, and is expected to be {expected:.3g} bits or more each: Uni(Y:T\\S) and "
        "Uni(Y:S\\T) are likely overestimated, and Red and Syn underestimated, by about that much. ")
    assert said[0].endswith("Use a bias correction (bias_correction='auto'), more samples or fewer clusters "
                            "or components.")
    assert res.to_dict()["bias"]["uni_at_kink"] == res.bias["uni_at_kink"]
    assert "\n  warning: the plug-in unique informations with 200 samples" in repr(res)  # wrapped


def test_the_bias_it_names_is_below_the_plug_ins_mean_error_on_copy3():
    # 20 draws at n = 200 and 1000: the Uni's mean error (truth 0) is at least the bias it names
    for n, least in ((200, 0.07), (1000, 0.03)):
        unis, named = [], []
        for seed in range(20):
            counts = pidkit.joint_from_samples(*_copy3(n, seed)).counts
            plug = pidkit.pid(counts / n)
            unis.append((plug.uni_t + plug.uni_s) / 2)
            named.append(unique_kink_bias(counts, plug.uni_t, plug.uni_s))
        assert np.mean(unis) > least and 0 < np.mean(named) < np.mean(unis)
        assert np.mean(np.array(named) > BIAS_WARNING_FLOOR) == 1.0


def test_bootstrap_warns_at_the_kink_with_its_intervals_words():
    y, t, s = _copy3(200, 0)
    _, said = _bias_warnings(lambda: bootstrap(y, t, s, n_boot=2, progress=False))
    assert len(said) == 1
    assert said[0].startswith("the plug-in unique informations with 200 samples over 27 cells, ")
    assert " by about that much. These basic intervals, 2 x the estimate less " in said[0]


def test_the_default_correction_records_the_bias_and_does_not_warn():
    y, t, s = _copy3(200, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PluginBiasWarning)
        res = pid_from_representations(y, t, s, progress=False)
    assert res.bias_warning is None and res.bias["uni_at_kink"] > BIAS_WARNING_FLOOR


@pytest.mark.parametrize("k, n", [(2, 10_000), (2, 100_000), (3, 30_000), (3, 100_000), (4, 100_000)])
def test_independent_tables_where_the_first_rule_is_quiet_stay_quiet(k, n):
    # the floor's cases (BIAS_WARNING_FLOOR): every atom 0, the expected bias under 5e-4 bits
    draws = np.random.default_rng(k * n).multinomial(n, np.full(k**3, 1 / k**3), size=20)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for counts in draws.reshape(20, k, k, k):
            plug = pidkit.pid(counts / n)
            assert unique_kink_bias(counts, plug.uni_t, plug.uni_s) <= BIAS_WARNING_FLOOR
    assert [w for w in caught if w.category is PluginBiasWarning] == []
    y, t, s = np.random.default_rng(k).integers(0, k, (3, n))
    res, said = _bias_warnings(lambda: pid_from_representations(y, t, s, bias_correction="none",
                                                                progress=False))
    assert said == [] and res.bias_warning is None and res.bias["uni_at_kink"] <= BIAS_WARNING_FLOOR


def test_a_unique_information_the_sample_shows_rules_the_kink_out():
    # T = Y kept with probability 0.9, S pure noise: Uni(Y:T\S) about 1.1 bits at n = 1000
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 1000)
    t, s = np.where(rng.random(1000) < 0.9, y, rng.integers(0, 3, 1000)), rng.integers(0, 3, 1000)
    counts = pidkit.joint_from_samples(y, t, s).counts
    plug = pidkit.pid(counts / 1000)
    assert plug.uni_t > 1.0 > KINK_WARNING_SPREAD * information_difference_se(counts)
    assert unique_kink_bias(counts, plug.uni_t, plug.uni_s) == 0.0


def test_nats_and_bits_give_one_bias():
    counts = pidkit.joint_from_samples(*_copy3(200, 0)).counts
    bits, nats = pidkit.pid(counts / 200), pidkit.pid(counts / 200, units="nats")
    in_bits = unique_kink_bias(counts, bits.uni_t, bits.uni_s)
    assert unique_kink_bias(counts, nats.uni_t, nats.uni_s, "nats") == pytest.approx(in_bits * math.log(2))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=27, max_size=27).filter(lambda c: sum(c) > 0),
       st.floats(0, 0.5), st.floats(0, 0.5))
def test_the_bias_is_a_bounded_share_of_the_spread(cells, uni_t, uni_s):
    counts = np.array(cells).reshape(3, 3, 3)
    sigma = information_difference_se(counts)
    swapped = information_difference_se(counts.transpose(0, 2, 1))  # T and S swapped: the sign only
    assert sigma >= 0.0 and swapped == pytest.approx(sigma, rel=1e-9, abs=1e-15)
    bias = unique_kink_bias(counts, uni_t, uni_s)
    assert 0.0 <= bias <= min(sigma / math.sqrt(2 * math.pi), (uni_t + uni_s) / 2) + 1e-15
    if max(uni_t, uni_s) > KINK_WARNING_SPREAD * sigma:
        assert bias == 0.0
    else:
        assert bias == pytest.approx(min(sigma / math.sqrt(2 * math.pi), (uni_t + uni_s) / 2))


def test_a_failed_solve_is_not_read_as_a_kink():
    # strict=False keeps a solve that failed, its atoms NaN: no unique information to read
    counts = pidkit.joint_from_samples(*_copy3(200, 0)).counts
    assert unique_kink_bias(counts, 0.04, 0.15) > BIAS_WARNING_FLOOR
    assert unique_kink_bias(counts, math.nan, 0.01) == 0.0 == unique_kink_bias(counts, 0.01, math.nan)
