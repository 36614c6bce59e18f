"""Every public measure of one joint warns of the plug-in's bias on counts rescaled by
``normalize=True``, not only :func:`pidkit.pid` (d613bee): ``bertschinger``, ``redundancy`` and its
per-measure functions, ``pid_from_measure``, by the rule and in the words of ``pid``, once per
call, at the caller's line; ``bertschinger_batch`` once for the batch, naming how many joints."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import pidkit
from pidkit.estimate import PluginBiasWarning
from pidkit.redundancy import pid_from_measure

ROUTE = ("For bias-corrected atoms: pidkit.estimate.correct_counts(p_yts), or "
         "pidkit.estimate.pid_from_representations(y, t, s) from the samples (each says what to "
         "change where the samples are too few for it); or count more samples. If these numbers are "
         "weights of outcomes rather than counts of samples (as papers and dit often write an exact "
         "joint), the atoms are exact: pass p / p.sum() and no warning comes (normalize only rescales; "
         "it cannot tell weights from counts).")


def _noise_counts(seed: int = 0) -> np.ndarray:
    y, t, s = np.random.default_rng(seed).integers(0, 10, (3, 300))  # independent: every atom truly 0
    return pidkit.joint_from_samples(y, t, s).counts


def _plugin_i_yts_bits(counts: np.ndarray) -> float:
    """I(Y;T,S) of counts / n from its entropies, independently of pidkit."""
    p = counts.reshape(counts.shape[0], -1) / counts.sum()

    def h(q: np.ndarray) -> float:
        q = q[q > 0]
        return float(-(q * np.log2(q)).sum())

    return h(p.sum(axis=1)) + h(p.sum(axis=0)) - h(p)


def _miller_madow_bits(counts: np.ndarray) -> float:
    """(|Y| - 1)(|T||S| - 1) / (2 n ln 2): the first-order bias with every cell counted, an upper
    bound on the warning's (which counts unseen cells for less)."""
    n_y, n_t, n_s = counts.shape
    return (n_y - 1) * (n_t * n_s - 1) / (2 * counts.sum() * np.log(2))


def _one_warning(call) -> str:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    assert [w.category for w in caught] == [PluginBiasWarning]
    assert caught[0].filename == __file__  # the caller's line, not pidkit's
    return str(caught[0].message)


@pytest.mark.parametrize("call", [
    lambda c: pidkit.bertschinger(c, normalize=True),
    lambda c: pidkit.i_mmi(c, normalize=True),
    lambda c: pidkit.redundancy(c, measure="wedge", normalize=True),
    lambda c: pid_from_measure(c, measure="mmi", normalize=True),
], ids=["bertschinger", "i_mmi", "redundancy", "pid_from_measure"])
def test_each_measure_warns_once_in_pids_words(call):
    counts = _noise_counts()
    said = _one_warning(lambda: call(counts))
    i_yts = _plugin_i_yts_bits(counts)
    assert round(i_yts, 2) == 1.75  # the estimate the warning names
    assert said.startswith("plug-in atoms: the expected plug-in bias of I(Y;T,S) with 300 samples over "
                           f"1000 cells is 1.85 bits, {1.85 / i_yts:.0%} of the estimate {i_yts:.3g} bits")
    assert 1.85 < _miller_madow_bits(counts)  # 7.6 bits: most of the 1000 cells are never seen
    assert said.endswith(ROUTE)
    with pytest.warns(PluginBiasWarning) as from_pid:  # pid's words are the same
        pidkit.pid(counts, normalize=True)
    assert str(from_pid[0].message) == said


@pytest.mark.parametrize("measure", ["broja", "mmi", "wedge"])
def test_pid_warns_once_though_its_measure_warns_too(measure):
    said = _one_warning(lambda: pidkit.pid(_noise_counts(), measure=measure, normalize=True))
    assert said.startswith("plug-in atoms: the expected plug-in bias of I(Y;T,S) with 300 samples")


def test_a_float_measure_names_its_own_argument():
    pytest.importorskip("cdd")
    said = _one_warning(lambda: pidkit.i_gh(np.full((2, 2, 2), 3), normalize=True))  # 24 samples, I = 0
    assert "pidkit.estimate.correct_counts(p)," in said


@pytest.mark.parametrize("call", [
    lambda p: pidkit.bertschinger(p, normalize=True),
    lambda p: pidkit.i_mmi(p, normalize=True),
    lambda p: pidkit.redundancy(p, measure="wedge", normalize=True),
    lambda p: pidkit.bertschinger_batch([p, p], normalize=True, n_jobs=1),
], ids=["bertschinger", "i_mmi", "redundancy", "batch"])
def test_no_warning_on_a_probability_table(call):
    counts = _noise_counts()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        call(counts / counts.sum())
        call(counts / counts.sum() * 3.5)  # no whole numbers: a scaled table, not counts


def test_a_batch_warns_once_naming_how_many_joints():
    noisy = [_noise_counts(seed) for seed in range(7)]
    many = np.rint(pidkit.examples.and_() * 40000)  # 0.81 bits against a bias of 5.4e-5: no warning
    ps = [many, *noisy, many / many.sum()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = pidkit.bertschinger_batch(ps, normalize=True, n_jobs=1)
    assert [w.category for w in caught] == [PluginBiasWarning] and caught[0].filename == __file__
    said = str(caught[0].message)
    assert said.startswith("plug-in atoms: 7 of 9 joints are counts rescaled by normalize=True whose "
                           "expected plug-in bias of I(Y;T,S) is a sizeable share of its estimate: "
                           "ps[1], ps[2], ps[3], ps[4], ps[5] and 2 more. ps[1]: the expected plug-in bias "
                           "of I(Y;T,S) with 300 samples over 1000 cells is 1.85 bits")
    assert "pidkit.estimate.correct_counts(ps[1])" in said
    assert results[1].i_yts == pytest.approx(_plugin_i_yts_bits(noisy[0]), abs=1e-9)
