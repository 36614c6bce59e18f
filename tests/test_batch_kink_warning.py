"""``bertschinger_batch(..., normalize=True)`` warns by the kink rule too, as ``pidkit.bertschinger`` does.

``copy3`` (Y uniform on 3 values; T and S copies of it, each replaced by a uniform value with
probability 0.2) has both unique informations exactly 0; at n = 200 its plug-in Uni are biased by
about 0.1 bits while the first-order bias of I(Y;T,S) is a few per cent of it, so only the kink rule
of :class:`~pidkit.estimate.PluginBiasWarning` fires. The batch read only the first rule (it warned
before the solve, without the plug-in Uni) and kept quiet on such counts; its one warning now names
the joints of each rule. Independent counts at n = 10,000 (every atom 0, the expected bias under the
floor) stay quiet.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import pidkit
from pidkit.estimate import PluginBiasWarning
from pidkit.estimate.bias_warning import BIAS_WARNING_FLOOR, information_difference_se

BATCH = "plug-in atoms:"
KINK_GROUP = ("whose plug-in unique informations are as at a kink of the BROJA optimum, where they are "
              "likely overestimated")


def _copy3_counts(n: int = 200, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    t, s = (np.where(rng.random(n) < 0.8, y, rng.integers(0, 3, n)) for _ in range(2))
    return pidkit.joint_from_samples(y, t, s).counts


def _independent_counts(seed: int, n: int = 10_000) -> np.ndarray:
    return np.random.default_rng(seed).multinomial(n, np.full(8, 1 / 8)).reshape(2, 2, 2)


def _noise_counts(seed: int = 0) -> np.ndarray:
    y, t, s = np.random.default_rng(seed).integers(0, 10, (3, 300))  # 300 samples over 1000 cells
    return pidkit.joint_from_samples(y, t, s).counts


def _said(call) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    assert all(w.filename == __file__ for w in caught if w.category is PluginBiasWarning)
    return [str(w.message) for w in caught if w.category is PluginBiasWarning]


def test_copy3_counts_at_200_samples_warn_in_a_batch():
    copies = [_copy3_counts(seed=seed) for seed in (0, 1)]
    for counts in copies:  # the kink, by hand: both plug-in Uni within 2.5 sigma, sigma / sqrt(2 pi) named
        plug = pidkit.pid(counts / counts.sum())
        sigma = information_difference_se(counts)
        assert max(plug.uni_t, plug.uni_s) <= 2.5 * sigma and plug.uni_t + plug.uni_s > 0.1
        assert min(sigma / math.sqrt(2 * math.pi), (plug.uni_t + plug.uni_s) / 2) > 50 * BIAS_WARNING_FLOOR
    ps = [_independent_counts(0), *copies, copies[0] / 200]
    (said,) = _said(lambda: pidkit.bertschinger_batch(ps, normalize=True, n_jobs=1))
    assert said.startswith(f"{BATCH} 2 of 4 joints are counts rescaled by normalize=True {KINK_GROUP}: "
                           "ps[1], ps[2]. ps[1]: the plug-in unique informations with 200 samples over 27 ")
    (alone,) = _said(lambda: pidkit.bertschinger(copies[0], normalize=True))  # the joint's own words
    assert said.split(". ps[1]: ")[1].startswith(alone.removeprefix("plug-in atoms: ").split(
        " For bias-corrected atoms: ")[0])
    assert "pidkit.estimate.correct_counts(ps[1])" in said and said.endswith("(docs/performance.md).")


def test_the_warning_names_the_joints_of_each_rule():
    ps = [_copy3_counts(), _noise_counts(), _independent_counts(1), _copy3_counts(seed=1)]
    (said,) = _said(lambda: pidkit.bertschinger_batch(ps, normalize=True, n_jobs=1))
    assert said.startswith(f"{BATCH} 3 of 4 joints are counts rescaled by normalize=True whose expected "
                           "plug-in bias of I(Y;T,S) is a sizeable share of its estimate: ps[1]; and "
                           f"{KINK_GROUP}: ps[0], ps[3]. ps[0]: the plug-in unique informations with 200")


def test_more_than_five_kinks_are_counted_not_listed():
    ps = [_copy3_counts(seed=seed) for seed in range(7)]
    (said,) = _said(lambda: pidkit.bertschinger_batch(ps, normalize=True, n_jobs=1))
    assert said.startswith(f"{BATCH} 7 of 7 joints are counts rescaled by normalize=True {KINK_GROUP}: "
                           "ps[0], ps[1], ps[2], ps[3], ps[4] and 2 more. ps[0]: ")


@pytest.mark.parametrize("n", [10_000, 100_000])
def test_independent_counts_stay_quiet(n):
    ps = [_independent_counts(seed, n) for seed in range(20)]
    assert _said(lambda: pidkit.bertschinger_batch(ps, normalize=True, n_jobs=1)) == []
    assert all(_said(lambda p=p: pidkit.bertschinger(p, normalize=True)) == [] for p in ps)  # as one by one
