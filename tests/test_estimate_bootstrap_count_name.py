"""``pidkit.estimate.bootstrap`` names its count ``n_boot``, as ``bootstrap_replicates`` and
``below_zero_verdicts`` do; the estimators' ``bootstrap=B`` (which turns their intervals on) passed
to it is told its name: it was Python's bare "got an unexpected keyword argument 'bootstrap'".
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from pidkit.estimate import below_zero_verdicts, bootstrap, bootstrap_replicates


def _xor(n: int = 400):
    rng = np.random.default_rng(0)
    t, s = rng.integers(0, 2, n), rng.integers(0, 2, n)
    return t ^ s, t, s


def test_the_estimators_spelling_is_told_n_boot():
    with pytest.raises(TypeError) as refused:
        bootstrap(*_xor(), bootstrap=20)
    assert str(refused.value) == (
        "bootstrap takes its number of resamples as n_boot, as bootstrap_replicates does: pass "
        "n_boot=20, not bootstrap=20. bootstrap=B is how pid_from_representations and "
        "gaussian_pid_from_samples, whose intervals are off by default, turn them on.")
    # the advice, followed: 20 replicates of XOR's synergy, about 1 bit each
    out = bootstrap(*_xor(), n_boot=20)
    syn = out["samples"]["syn"]
    assert len(syn) == 20 and out["n_failed"] == 0
    assert np.all((syn > 0.9) & (syn <= 1.0 + 1e-9))


def test_the_count_keeps_one_name_across_the_resampling_functions():
    for function in (bootstrap, bootstrap_replicates, below_zero_verdicts):
        assert "n_boot" in inspect.signature(function).parameters
    assert list(inspect.signature(bootstrap).parameters)[:4] == ["y", "t", "s", "n_boot"]
