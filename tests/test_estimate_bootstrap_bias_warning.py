"""``pidkit.estimate.bootstrap`` warns where its plug-in intervals surround a sizeable bias.

On independent 10 x 10 x 10 labels at n = 1000 (every atom 0) its 95 % Syn interval was
(0.255, 0.374) bits and excluded 0 on every draw, with no word; the estimators warn on the same
table (``PluginBiasWarning``). The bias the message names is checked here against the first-order
rule written out from its closed form: ``(m_YB - m_Y - m_B + 1) / (2 n)`` nats, each table
counting its seen cells plus, for its unseen ones, the share ``2 (E[X ln X] - m ln m)`` of a
Poisson count ``X`` of mean ``m = f1 / unseen`` (Good and Turing's unseen mass).
"""

import math
import warnings

import numpy as np
import pytest
from scipy.stats import poisson

from pidkit import joint_from_samples
from pidkit.estimate import PluginBiasWarning, bootstrap, pid_from_representations


def _counted_cells(table: np.ndarray) -> float:
    counts = table.ravel()
    unseen = int(np.sum(counts == 0))
    if unseen == 0:
        return float(counts.size)
    mean = np.sum(counts == 1) / unseen
    if mean == 0:
        return float(counts.size - unseen)
    x = np.arange(1, 400)
    expected_x_log_x = float(np.sum(poisson.pmf(x, mean) * x * np.log(x)))
    return counts.size - unseen + unseen * 2.0 * (expected_x_log_x - mean * math.log(mean))


def _first_order_bias_bits(counts: np.ndarray) -> float:
    by_sources = counts.reshape(counts.shape[0], -1)
    cells = (_counted_cells(by_sources) - _counted_cells(by_sources.sum(axis=1))
             - _counted_cells(by_sources.sum(axis=0)) + 1.0)
    return max(0.0, cells) / (2.0 * counts.sum()) / math.log(2.0)


def _plugin_i_yts_bits(counts: np.ndarray) -> float:
    p = counts.reshape(counts.shape[0], -1) / counts.sum()
    outer = p.sum(axis=1, keepdims=True) * p.sum(axis=0, keepdims=True)
    seen = p > 0
    return float(np.sum(p[seen] * np.log2(p[seen] / outer[seen])))


def _bias_warnings(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [w for w in caught if w.category is PluginBiasWarning]


def test_sparse_independent_labels_warn_naming_the_first_order_bias_and_the_corrected_route():
    y, t, s = np.random.default_rng(0).integers(0, 10, (3, 1000))
    counts = joint_from_samples(y, t, s).counts
    assert counts.shape == (10, 10, 10) and np.sum(counts == 0) > 300  # a sparse table
    bias, i_yts = _first_order_bias_bits(counts), _plugin_i_yts_bits(counts)
    assert 0.6 < bias < 0.75 and bias / i_yts > 0.9  # the plug-in is mostly its bias

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = bootstrap(y, t, s, n_boot=5)
    said = [w for w in caught if w.category is PluginBiasWarning]
    assert len(said) == 1 and said[0].filename == __file__  # the caller's line, once
    message = str(said[0].message)
    assert message.startswith(
        f"the expected plug-in bias of I(Y;T,S) with 1000 samples over 1000 cells is {bias:.3g} bits, "
        f"{bias / i_yts:.0%} of the estimate {i_yts:.3g} bits, so the atoms are likely overestimated. "
    )
    assert ("These basic intervals, 2 x the estimate less the replicates' quantiles, are moved down from "
            "the plug-in by the part of its bias the resamples show, so they can leave out both the "
            "estimate and the truth.") in message
    assert "pidkit.estimate.pid_from_representations(y, t, s, bootstrap=5)" in message
    low, high = out["intervals"]["syn"]
    assert 0.2 < low and high < out["estimate"].syn  # what the warning says: 0 and the estimate lie outside


def test_nats_name_the_bias_in_nats():
    y, t, s = np.random.default_rng(0).integers(0, 10, (3, 1000))
    bias = _first_order_bias_bits(joint_from_samples(y, t, s).counts) * math.log(2.0)
    [said] = _bias_warnings(lambda: bootstrap(y, t, s, n_boot=2, units="nats"))
    assert f" is {bias:.3g} nats, " in str(said.message)


def test_a_well_sampled_dependent_table_does_not_warn():
    rng = np.random.default_rng(0)
    y, t, s = rng.integers(0, 3, (3, 2000))
    y = np.where(rng.random(2000) < 0.7, (t + s) % 3, y)
    counts = joint_from_samples(y, t, s).counts
    assert counts.shape == (3, 3, 3) and counts.min() > 0  # every cell seen: Miller and Madow's count
    bias = (3 - 1) * (9 - 1) / (2 * 2000) / math.log(2.0)
    assert _first_order_bias_bits(counts) == pytest.approx(bias, rel=1e-12)
    assert bias / _plugin_i_yts_bits(counts) < 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("error", PluginBiasWarning)
        bootstrap(y, t, s, n_boot=5)


@pytest.mark.parametrize("values, n", [(3, 2000), (4, 500), (10, 1000), (2, 40)])
def test_bootstrap_warns_where_the_uncorrected_estimator_does_in_its_words(values, n):
    # one rule: the plug-in of pid_from_representations(bias_correction="none") on the same labels
    y, t, s = np.random.default_rng(values).integers(0, values, (3, n))
    ours = _bias_warnings(lambda: bootstrap(y, t, s, n_boot=2))
    theirs = _bias_warnings(lambda: pid_from_representations(y, t, s, bias_correction="none"))
    assert len(ours) == len(theirs) == 1  # independent labels: the plug-in is mostly bias
    first_sentence = str(theirs[0].message).split(". ")[0]
    assert str(ours[0].message).startswith(first_sentence + ". ")
