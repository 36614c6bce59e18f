"""How an estimate explains itself to a new user (t-403's walk, findings M4, L3, L4, L5 and L14):
a dead layer is named as the cause, the notes speak the result's units, no "None" in the pipeline
line, no bare "~ 0 bits (0.0%)" beside a visible correction, and the one-line display rounds as the
table does."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest
from IPython.core.formatters import PlainTextFormatter

from pidkit.estimate import FewDistinctRowsWarning, pid_from_representations


def _labels_and_student(seed: int = 0, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    return y, rng.normal(size=(n, 4)) + y[:, None]


@pytest.mark.parametrize("side", ["t", "s"])
def test_a_constant_side_warns_and_its_note_names_the_dead_layer_first(side):
    # Before: no warning at all, and the note read "the sample shows S determining T (...)", true
    # of a constant T but not why it carries nothing.
    y, other = _labels_and_student()
    dead = np.ones((400, 6))
    t, s = (dead, other) if side == "t" else (other, dead)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = pid_from_representations(y, t, s)
    letter = side.upper()
    said = [str(w.message) for w in caught if w.category is FewDistinctRowsWarning]
    assert len(said) == 1 and said[0].startswith(f"{side}_features has every row the same after the L2 ")
    assert f"I(Y;{letter}) is 0 by construction" in said[0] and "dead layer" in said[0]
    # I(Y;T) of a constant T is exactly 0, and I(Y;T,S) is I(Y;S) (chain rule)
    assert res.correction.corrected[f"i_y{side}"] == 0.0 and res.plugin[f"i_y{side}"] == 0.0
    assert res.i_yts == pytest.approx(res.i_yt + res.i_ys, abs=1e-12)
    notes = " ".join(repr(res).split()).split(" note: ")
    assert notes[1].startswith("no intervals (bootstrap=0)")  # of the values: under the table
    assert notes[2].startswith(f"{letter} is constant (every row of its features the same: one cluster; "
                               f"most likely a dead layer), so I(Y;{letter}) is 0 by construction, and ")
    assert "the sample shows" not in repr(res)


def test_a_constant_side_of_the_gaussian_estimator_warns_and_is_named_too():
    y, other = _labels_and_student()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = pid_from_representations(y, np.zeros((400, 6)), other, estimator="gaussian")
    said = [str(w.message) for w in caught if w.category is FewDistinctRowsWarning]
    assert len(said) == 1 and "its Gaussian dimensions are all 0" in said[0]
    assert res.i_yt == 0.0 and res.red == 0.0
    assert ("  note: T is constant (every row of its features the same: its Gaussian dimensions all 0; "
            "most") in repr(res)


def test_the_gaussian_note_above_the_label_entropy_speaks_the_results_units():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 600)
    t = 8.0 * y[:, None] + rng.normal(size=(600, 3))  # classes far apart: Gaussian I(Y;T) >> H(Y)
    s = rng.normal(size=(600, 3))
    res = pid_from_representations(y, t, s, estimator="gaussian", units="nats", normalize=None)
    assert "i_yt" in res.correction.above_bound and res.i_yt > math.log(2)
    text = " ".join(repr(res).split())
    assert ("Gaussian nats of a discrete label are not bounded by H(Y), so these say that the Gaussian "
            "model does not fit Y, not how well the features classify it; for nats bounded") in text
    assert "bits" not in text


def test_no_normalisation_is_said_in_words():
    y, t = _labels_and_student()
    res = pid_from_representations(y, t, t[:, ::-1], n_components=2, n_clusters=3, normalize=None)
    assert res.settings["t"]["normalize"] is None
    lines = repr(res).splitlines()
    assert "  T: 4 features -> no normalisation -> PCA 2 -> KMeans 3 (seed 0, 3 clusters used)" in lines
    assert not any("None" in line for line in lines)


def test_a_first_order_bias_of_0_beside_a_correction_says_what_it_means():
    # The RepresentationPID docstring's example: each (T, S) cell holds one label, so the first-order
    # rule (m_YB - m_Y - m_B + 1) / (2 n) is below 0 and clipped to 0, while the extrapolation moves
    # i_yts. It printed "~ 0 bits (0.0% of the plug-in)".
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    t = 4.0 * y[:, None] + rng.normal(size=(500, 4))
    res = pid_from_representations(y, t, rng.normal(size=(500, 4)), n_components=2, n_clusters=2,
                                   normalize=None)
    counts = res.counts
    cells = [np.count_nonzero(table) for table in (counts, counts.sum(axis=(1, 2)), counts.sum(axis=0))]
    assert cells[0] - cells[1] - cells[2] + 1 <= 0 and res.bias["i_yts"] == 0.0
    moved = res.i_yts - res.plugin["i_yts"]
    assert abs(moved) > 1e-4
    text = " ".join(repr(res).split())
    assert ("first-order plug-in bias of i_yts 0 bits: (m_YB - m_Y - m_B + 1) / (2 n) is 0 or less at these "
            "counts, so that rule expects none; the correction, extrapolated from subsamples, changed "
            f"i_yts by {moved:+.4g} bits all the same") in text
    assert "0.0%" not in text


def test_a_bias_below_a_tenth_of_a_percent_is_not_printed_as_0_percent():
    # T = Y with 10 % flipped, S independent, 20,000 samples: every cell seen many times, so the
    # first-order bias is exactly (m_YB - m_Y - m_B + 1) / (2 n) = (8 - 2 - 4 + 1) / 40,000 nats,
    # about 0.02 % of the 0.53 bits of I(Y;T,S).
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 20_000)
    t = np.where(rng.random(20_000) < 0.1, 1 - y, y)
    res = pid_from_representations(y, t, rng.integers(0, 2, 20_000))
    bias = 3 / 40_000 / math.log(2)
    assert res.bias["i_yts"] == pytest.approx(bias, rel=1e-12)
    ratio = bias / res.plugin["i_yts"]
    assert 1e-4 < ratio < 1e-3
    assert f"({100 * ratio:.2g}% of the plug-in)" in repr(res) and "(0.0% of the plug-in)" not in repr(res)


def test_the_one_line_display_rounds_an_atom_as_the_table_does():
    # T given as the labels themselves: Uni(Y:S\T) is 0, computed as 4.4e-16, which the table shows
    # as 0.000000 and the one line in a list showed as uni_s=4.44089e-16.
    y, s = _labels_and_student(seed=0, n=300)
    res = pid_from_representations(y, y, s)
    assert 0 < abs(res.uni_s) < 1e-14
    row = next(line for line in repr(res).splitlines() if line.startswith("  uni_s "))
    assert row.split()[1] == "0.000000"
    line = PlainTextFormatter()([res])
    assert ", uni_s=0, " in line and "e-16" not in line
    assert f"red={res.red:.6g}, uni_t={res.uni_t:.6g}" in line
    assert PlainTextFormatter()(res) == repr(res)


def test_an_overshoot_of_the_textbook_extrapolation_is_read_against_its_plug_in_only():
    # It was told to "cross-check with bias_correction='eb-extrapolation-kink'", which corrects
    # more; the empirical-Bayes corrections are told of the extrapolation as a closer upper reference
    # (test_estimate_result_edge_values), the extrapolation itself only of its plug-in.
    y, s = _labels_and_student(seed=2, n=300)
    res = pid_from_representations(y, s[:, :2], s[:, 2:], bias_correction="extrapolation", bootstrap=40)
    fix = res.correction
    below = dataclasses.replace(fix, corrected={**fix.corrected, "syn": -0.1}, negative=("syn",))
    shown = dataclasses.replace(res, correction=below, intervals={**res.intervals, "syn": (-0.1, 0.0)})
    text = " ".join(repr(shown).split())
    assert ("so the correction likely overshoots here. Read it as 0 or a little above: its plug-in value "
            f"({fix.plugin['syn']:.4g} bits), biased up, is an upper reference; more samples shrink the "
            "overshoot (docs/estimate.md)") in text
    assert "bias_correction='" not in text
