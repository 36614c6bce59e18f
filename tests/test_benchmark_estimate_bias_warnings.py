"""benchmarks/estimate_bias.py --warnings counts each draw under the rule of PluginBiasWarning that
pidkit itself warns by: the warning pidkit.pid gives the same counts (normalize=True), read from its
text, is the independent reference (t-496: the benchmark now asks bias_warning_rule, where it
worked the rule out on its own)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from benchmarks.estimate_bias import JOINTS, draw_seeds, warning_rates
from pidkit import pid
from pidkit.estimate import PluginBiasWarning

N, DRAWS, SEED = 200, 6, 0


def warned_by_pid(joint: str) -> list[str]:
    """Per draw of the benchmark's, the rule that pid's own warning on its counts words: ``kink``
    where the text speaks of a kink, ``i_yts`` for the other rule's, ``""`` where none."""
    p = JOINTS[joint]()
    rules = []
    for seed in draw_seeds(SEED, N, joint, DRAWS):
        counts = np.random.default_rng(int(seed)).multinomial(N, p.ravel()).reshape(p.shape)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pid(counts, normalize=True)
        texts = [str(w.message) for w in caught if issubclass(w.category, PluginBiasWarning)]
        assert len(texts) <= 1
        rules.append("" if not texts else "kink" if "kink" in texts[0] else "i_yts")
    return rules


# each joint's draws warn by one rule, so that a rule counted in the other's column shows: copy3
# (Y, T and S copies: both Uni 0) at a kink, xor4 (64 cells, for 200 samples) by I(Y;T,S)'s bias
@pytest.mark.parametrize(("joint", "rule"), [("copy3", "kink"), ("xor4", "i_yts")])
def test_warning_rates_count_the_rule_pid_warns_by(joint, rule):
    assert warned_by_pid(joint) == [rule] * DRAWS
    (row,) = warning_rates([joint], [N], DRAWS, SEED, n_jobs=1)
    assert (row["i_yts_rule"], row["kink_rule"]) == ((1.0, 0.0) if rule == "i_yts" else (0.0, 1.0))
