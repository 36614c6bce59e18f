"""What the plug-in's bootstrap intervals are, in words that hold (walk t-451, t-454).

With ``bias_correction="none"`` and ``bootstrap=200``, independent 10-valued labels at n = 1000
printed syn 0.651735 [0.254518, 0.373812]: every interval left out its own value, and
``pidkit.estimate.bootstrap``'s warning said "These intervals are around the plug-in", which is
false. The basic interval, ``2 x estimate - q`` for the replicates' quantiles ``q``, is moved by the
bias the resamples add to the plug-in; the percentile interval (``q`` itself) carries that bias on
top of it; only the centred one is around the plug-in. Each is checked here against the
replicates' own quantiles, computed apart.
"""

import warnings

import numpy as np
import pytest

from pidkit.estimate import PluginBiasWarning, bootstrap, pid_from_representations
from pidkit.estimate.result_words import outside_interval_note

SPARSE = np.random.default_rng(0).integers(0, 10, (3, 1000))  # 1000 samples over 1000 cells, atoms 0


def _bootstrap_said(ci_method: str, n_boot: int = 40):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = bootstrap(*SPARSE, n_boot=n_boot, ci_method=ci_method, progress=False)
    [said] = [str(w.message) for w in caught if w.category is PluginBiasWarning]
    return out, said


def _quantiles(out, name):
    replicates = out["samples"][name]
    return np.quantile(replicates[~np.isnan(replicates)], [0.025, 0.975])


def test_basic_intervals_are_said_to_move_down_and_do_leave_out_the_estimate_and_0():
    out, said = _bootstrap_said("basic")
    assert ("so the atoms are likely overestimated. These basic intervals, 2 x the estimate less the "
            "replicates' quantiles, are moved down from the plug-in by the part of its bias the resamples "
            "show, so they can leave out both the estimate and the truth. For bias-corrected atoms with "
            "centred intervals around them, use pidkit.estimate.pid_from_representations(y, t, s, "
            "bootstrap=40), which takes labels as they are; or count more samples.") in said
    assert "around the plug-in" not in said
    syn = out["estimate"].syn
    q_low, q_high = _quantiles(out, "syn")
    low, high = out["intervals"]["syn"]
    assert (low, high) == pytest.approx((2 * syn - q_high, 2 * syn - q_low), abs=1e-9)
    assert 0.0 < low and high < syn  # both the truth (0) and the estimate (0.652) outside
    assert q_low > syn  # the replicates lie above the plug-in: the resamples' own bias


def test_percentile_intervals_are_said_to_add_the_resamples_bias_and_lie_above_the_estimate():
    out, said = _bootstrap_said("percentile")
    assert ("These percentile intervals, the replicates' own quantiles, add the part of the bias the "
            "resamples show on top of the plug-in's, so they can leave out both the estimate and the "
            "truth.") in said
    low, high = out["intervals"]["syn"]
    assert (low, high) == pytest.approx(tuple(_quantiles(out, "syn")), abs=1e-9)
    assert low > out["estimate"].syn > 0.6


def test_centred_intervals_are_said_to_be_around_the_plugin_and_hold_it():
    out, said = _bootstrap_said("centred")
    assert "These centred intervals are around the plug-in and do not cover its bias." in said
    low, high = out["intervals"]["syn"]
    assert low < out["estimate"].syn < high and low > 0.5  # around the plug-in, far from 0


def test_the_note_names_every_value_outside_its_interval_on_the_sparse_labels():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginBiasWarning)
        res = pid_from_representations(*SPARSE, bias_correction="none", bootstrap=40, progress=False)
    assert res.settings["ci_method"] == "basic"
    values = res.correction.corrected
    assert all(not low <= values[name] <= high for name, (low, high) in res.intervals.items())
    note = outside_interval_note(res.correction.corrected, res.intervals, ci_method="basic", level="95%",
                                 corrected=False)
    assert note == (
        "note: every value lies outside its own 95% basic interval: a basic interval, 2 x the value less "
        "the replicates' quantiles, is moved from the value by the bias the resamples add to the estimate "
        "(here a plug-in, so the interval is roughly a bootstrap bias-corrected one beside a value that is "
        "not); for bias-corrected values with centred intervals, which hold them, pass "
        "bias_correction='auto' and ci_method='auto' (the defaults)"
    )
    assert note in " ".join(repr(res).split())  # the repr's line, unwrapped


def test_no_note_where_every_interval_holds_its_value():
    rng = np.random.default_rng(0)
    t, s = rng.integers(0, 2, (2, 2000))
    y = np.where(rng.random(2000) < 0.8, t ^ s, rng.integers(0, 2, 2000))  # a noisy XOR, 8 cells
    res = pid_from_representations(y, t, s, bias_correction="none", bootstrap=40, progress=False)
    assert res.bias_warning is None and res.settings["ci_method"] == "basic"
    values = res.correction.corrected
    assert all(low <= values[name] <= high for name, (low, high) in res.intervals.items())
    assert outside_interval_note(res.correction.corrected, res.intervals, ci_method="basic", level="95%",
                                 corrected=False) is None
    assert "lies outside" not in repr(res) and "lie outside" not in repr(res)


@pytest.mark.parametrize("ci_method, corrected, says", [
    ("percentile", False, "a percentile interval is the replicates' own quantiles, which carry the bias the "
                          "resamples add to the estimate; for bias-corrected values with centred intervals"),
    ("basic", True, "is moved from the value by the bias the resamples add to the estimate; for intervals "
                    "centred on the values, which hold them, pass ci_method='centred'"),
    ("centred", True, "a centred interval leaves its value out only where the replicates are skewed, most of "
                      "them at one end"),
])
def test_the_note_says_why_for_each_interval(ci_method, corrected, says):
    values = {"red": 0.1, "uni_t": -0.02, "syn": 0.5}
    intervals = {"red": (0.0, 0.2), "uni_t": (-0.02, 0.01), "syn": (0.5000004, 0.7)}  # syn as printed: in
    words = {"ci_method": ci_method, "level": "90%", "corrected": corrected}
    assert outside_interval_note(values, intervals, **words) is None
    intervals = {**intervals, "red": (0.11, 0.2), "syn": (0.2, 0.49)}
    note = outside_interval_note(values, intervals, **words)
    assert note.startswith(f"note: red, syn lie outside their own 90% {ci_method} intervals: ")
    assert says in note
    failed = {**intervals, "red": (np.nan, np.nan), "syn": (0.0, 1.0)}  # every replicate failed: no interval
    assert outside_interval_note(values, failed, **words) is None
