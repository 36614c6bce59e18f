"""Counts rescaled by ``normalize=True`` warn at the kink of the BROJA optimum as the estimators do.

``copy3`` (Y uniform on 3 values; T and S copies of it, each replaced by a uniform value with
probability 0.2) has both unique informations exactly 0, and its plug-in Uni at n = 200 are biased by
about 0.1 bits, while the first-order bias of I(Y;T,S) is a few per cent of it: the kink rule of
:class:`~pidkit.estimate.PluginBiasWarning` (t-483) is the only one to fire. ``pidkit.pid``,
``pidkit.bertschinger`` and ``pidkit decompose --normalize`` read the counts' plug-in Uni after the
solve and say so in the estimators' words.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import pidkit
from pidkit.cli import main
from pidkit.estimate import PluginBiasWarning
from pidkit.estimate.bias_warning import BIAS_WARNING_FLOOR, unique_kink_bias

KINK_WORDS = "as at a kink of the BROJA optimum"


def _copy3_counts(n: int = 200, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    t, s = (np.where(rng.random(n) < 0.8, y, rng.integers(0, 3, n)) for _ in range(2))
    return pidkit.joint_from_samples(y, t, s).counts


def _said(call) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in caught if w.category is PluginBiasWarning]


@pytest.mark.parametrize("call", [
    lambda counts: pidkit.pid(counts, normalize=True),
    lambda counts: pidkit.pid(counts, measure="mmi", normalize=True),
    lambda counts: pidkit.bertschinger(counts, normalize=True),
], ids=["pid", "pid-mmi", "bertschinger"])
def test_copy3_counts_warn_of_the_unique_informations(call):
    counts = _copy3_counts()
    plugin = pidkit.pid(counts / counts.sum())
    expected = unique_kink_bias(counts, plugin.uni_t, plugin.uni_s)
    assert expected > BIAS_WARNING_FLOOR  # the rule's own threshold, met by the sample
    (said,) = _said(lambda: call(counts))
    assert KINK_WORDS in said and f"is expected to be {expected:.3g} bits or more each" in said
    assert said.startswith("plug-in atoms: the plug-in unique informations with 200 samples over 27 cells")
    assert "pidkit.estimate.correct_counts(p_yts)" in said and "weights of outcomes" in said


def test_the_command_warns_of_the_kink_on_counts(tmp_path, capsys):
    path = tmp_path / "copy3.npy"
    np.save(path, _copy3_counts())
    assert main(["decompose", str(path), "--normalize"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("pidkit decompose: warning: plug-in atoms: the plug-in unique informations")
    assert KINK_WORDS in err and "For bias-corrected atoms, in Python: " in err


def test_a_unique_information_the_sample_shows_rules_the_kink_out():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 2000)
    t, s = y, rng.integers(0, 3, 2000)  # Uni(Y:T\S) = H(Y) = 1.58 bits, S independent
    counts = pidkit.joint_from_samples(y, t, s).counts
    assert unique_kink_bias(counts, *(lambda r: (r.uni_t, r.uni_s))(pidkit.pid(counts / 2000))) == 0.0
    assert not [m for m in _said(lambda: pidkit.pid(counts, normalize=True)) if KINK_WORDS in m]
