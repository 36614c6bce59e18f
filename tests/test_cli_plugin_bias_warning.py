"""``pidkit decompose COUNTS --normalize`` says when its atoms are a plug-in too biased to read
(walk t-412 M1): on 300 samples of independent 10-valued labels it printed Syn 1.34 bits, truth 0,
with no word on sample size."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

import pidkit
from pidkit.cli import main


def saved_counts(tmp_path, counts: np.ndarray) -> str:
    path = tmp_path / "counts.npy"
    np.save(path, counts)
    return str(path)


def test_independent_labels_get_the_estimators_bias_line_with_the_corrected_route(tmp_path, capsys):
    y, t, s = np.random.default_rng(0).integers(0, 10, (3, 300))  # independent: every atom truly 0
    path = saved_counts(tmp_path, pidkit.joint_from_samples(y, t, s).counts)
    assert main(["decompose", path, "--normalize"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "pidkit decompose: warning: plug-in atoms: the expected plug-in bias of I(Y;T,S) with 300 "
        "samples over 1000 cells is 1.85 bits, 106% of the estimate 1.75 bits, so the atoms are likely "
        "overestimated. For bias-corrected atoms, in Python: "
        f"pidkit.estimate.correct_counts(np.load({path!r})); or count more samples."
    ]
    # The same number the estimator gives for the same labels (its PluginBiasWarning).
    from pidkit.estimate import PluginBiasWarning, pid_from_representations
    quoted = re.escape("over 1000 cells is 1.85 bits, 106% of the estimate")
    with pytest.warns(PluginBiasWarning, match=quoted):
        pid_from_representations(y, t, s, bias_correction="none", progress=False)


def test_full_support_counts_match_miller_madow(tmp_path, capsys):
    y, t, s = np.random.default_rng(1).integers(0, 3, (3, 5000))
    counts = pidkit.joint_from_samples(y, t, s).counts
    assert counts.min() > 0  # every cell seen: the first-order bias is (|Y| - 1)(|T||S| - 1) / (2 n)
    expected = (3 - 1) * (9 - 1) / (2 * 5000 * math.log(2))
    assert main(["decompose", saved_counts(tmp_path, counts), "--normalize"]) == 0
    quoted = float(re.search(r"over 27 cells is ([0-9.e-]+) bits", capsys.readouterr().err).group(1))
    assert quoted == pytest.approx(expected, rel=2e-3)  # printed to 3 significant digits


def test_no_warning_where_the_bias_is_a_small_share_or_the_cells_are_probabilities(tmp_path, capsys):
    and_counts = np.rint(pidkit.examples.and_() * 40000)  # I(Y;T,S) 0.81 bits, bias 5.4e-5 bits
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["decompose", saved_counts(tmp_path, and_counts), "--normalize"]) == 0
        assert main(["decompose", saved_counts(tmp_path, pidkit.examples.and_() * 3.5), "--normalize"]) == 0
    assert capsys.readouterr().err == ""
