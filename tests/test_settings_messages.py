"""The settings' refusals say what the number is (pidkit._settings).

A bool where a count is meant (``bootstrap=True``, a switch to the caller) was told only "must be
an int >= 0; got True (bool)."; it now hears what the number counts and an example. A float32
confidence is read as the decimal it holds (0.95, not 0.949999988).
"""

from __future__ import annotations

import numpy as np
import pytest

import pidkit
from pidkit._settings import check_confidence
from pidkit.estimate import (
    PIDStatistic,
    below_zero_verdicts,
    bootstrap,
    bootstrap_intervals,
    correct_counts,
    pid_from_representations,
)

_RNG = np.random.default_rng(0)
_Y = _RNG.integers(0, 2, 40)
_T, _S = _RNG.normal(size=(40, 3)), _RNG.normal(size=(40, 3))

_BOOTSTRAP = ("bootstrap must be an int >= 0, the number of bootstrap resamples, e.g. bootstrap=200 "
              "(0 for none); got {} (bool).")


@pytest.mark.parametrize("value", [True, False])
def test_a_bool_bootstrap_is_told_the_number_it_counts(value):
    with pytest.raises(TypeError) as refused:
        pid_from_representations(_Y, _T, _S, bootstrap=value)
    assert str(refused.value) == _BOOTSTRAP.format(value)
    with pytest.raises(TypeError) as refused:
        pidkit.gaussian_pid_from_samples(_T[:, 0], _T[:, 1:], _S, bootstrap=value)
    assert str(refused.value) == _BOOTSTRAP.format(value)


def test_a_bool_n_boot_is_told_the_number_it_counts_without_zero():
    with pytest.raises(TypeError) as refused:
        bootstrap(_Y, _Y, _Y, n_boot=True)
    assert str(refused.value) == (
        "n_boot must be an int >= 2, the number of bootstrap resamples, e.g. n_boot=200; got True (bool).")


def test_a_bool_n_jobs_is_told_the_number_it_counts():
    with pytest.raises(TypeError) as refused:
        pid_from_representations(_Y, _T, _S, n_jobs=True)
    assert str(refused.value) == (
        "n_jobs must be None, a positive int, or a negative int (-1 = all cores), the number of "
        "parallel workers, e.g. n_jobs=4; got True (bool).")


_REPEATS = ("n_repeats must be an int >= 1, the number of random partitions of the sample per subsample "
            "size, e.g. n_repeats=8; got True (bool).")


def test_a_bool_n_repeats_is_told_the_number_it_counts():
    counts = pidkit.joint_from_samples(_Y, _Y, _Y).counts
    for call in (lambda: pid_from_representations(_Y, _T, _S, n_repeats=True),
                 lambda: correct_counts(counts, n_repeats=True),
                 lambda: PIDStatistic(counts, n_repeats=True)):
        with pytest.raises(TypeError) as refused:
            call()
        assert str(refused.value) == _REPEATS


def test_a_bool_n_components_or_n_clusters_is_told_the_number_it_counts():
    with pytest.raises(TypeError) as refused:
        pid_from_representations(_Y, _T, _S, n_components=True)
    assert str(refused.value) == (
        "n_components must be an int >= 1 or None (no PCA), the number of principal components kept per "
        "side, e.g. n_components=10; got True (bool).")
    with pytest.raises(TypeError) as refused:  # the hint on 'auto' follows, as for any other refusal
        pid_from_representations(_Y, _T, _S, n_clusters=True)
    assert str(refused.value) == (
        "n_clusters must be an int >= 2 or 'auto', the number of clusters each side's features are cut "
        "into, e.g. n_clusters=8; got True (bool). 'auto', the default, takes the number from the sample "
        "size and labels (clusters_for_samples).")


def test_other_refusals_of_counts_keep_their_words():
    with pytest.raises(TypeError) as refused:
        pid_from_representations(_Y, _T, _S, bootstrap=2.0)
    assert str(refused.value) == "bootstrap must be an int >= 0; got 2.0 (float)."
    with pytest.raises(TypeError) as refused:
        pid_from_representations(_Y, _T, _S, n_jobs=2.0)
    assert str(refused.value) == (
        "n_jobs must be None, a positive int, or a negative int (-1 = all cores); got 2.0 (float).")
    with pytest.raises(TypeError) as refused:
        pid_from_representations(_Y, _T, _S, n_components=2.0)
    assert str(refused.value) == "n_components must be an int >= 1 or None (no PCA); got 2.0 (float)."


def test_a_float32_confidence_is_read_as_the_decimal_it_holds():
    # np.float32(0.95) is 0.949999988...: it printed as 94.999999 % and fell short of 0.95
    assert check_confidence(np.float32(0.95)) == 0.95
    assert check_confidence(np.float16(0.9)) == 0.9
    assert check_confidence(np.float64(0.95)) == 0.95 == check_confidence(0.95)
    assert check_confidence(0.9499999999) == 0.9499999999
    below = {"syn": (-0.147, 0.0)}
    assert below_zero_verdicts(["syn"], measure="broja", intervals=below, ci_method="centred",
                               confidence=np.float32(0.95)) == {"syn": "overshoot"}
    replicates = np.arange(100.0)[:, None]
    assert (bootstrap_intervals(replicates, [50.0], confidence=np.float32(0.95))
            == bootstrap_intervals(replicates, [50.0], confidence=0.95))
