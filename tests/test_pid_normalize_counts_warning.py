"""``pidkit.pid(counts, normalize=True)`` warns of the plug-in's bias as ``pidkit decompose
--normalize`` does, by the same rule and in the same words (walk t-422, finding 3): on 300 samples
of independent 10-valued labels it gave Syn 1.34 bits, truth 0, in silence, where the command warned
that the expected bias is 1.85 bits, 106% of the estimate."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import pidkit
from pidkit.cli import main
from pidkit.estimate import PluginBiasWarning

ATOMS = ("red", "uni_t", "uni_s", "syn", "i_yts")


def _noise_counts() -> np.ndarray:
    y, t, s = np.random.default_rng(0).integers(0, 10, (3, 300))  # independent: every atom truly 0
    return pidkit.joint_from_samples(y, t, s).counts


def test_counts_rescaled_by_pid_warn_in_the_commands_words(tmp_path, capsys):
    counts = _noise_counts()
    with pytest.warns(PluginBiasWarning) as caught:
        result = pidkit.pid(counts, normalize=True)
    assert len(caught) == 1 and caught[0].filename == __file__  # it names the caller's line
    said = str(caught[0].message)
    assert said == (
        "plug-in atoms: the expected plug-in bias of I(Y;T,S) with 300 samples over 1000 cells is 1.85 "
        "bits, 106% of the estimate 1.75 bits, so the atoms are likely overestimated. For bias-corrected "
        "atoms: pidkit.estimate.correct_counts(p_yts), or pidkit.estimate.pid_from_representations(y, t, "
        "s) from the samples (each says what to change where the samples are too few for it); or count "
        "more samples. If these numbers are weights of outcomes rather than counts of samples (as papers "
        "and dit often write an exact joint), the atoms are exact: pass p / p.sum() and no warning comes "
        "(normalize only rescales; it cannot tell weights from counts)."
    )
    # the atoms are the plug-in's, those of the probabilities counts / n, unchanged by the warning
    plugin = pidkit.pid(counts / counts.sum())
    assert [getattr(result, a) for a in ATOMS] == [getattr(plugin, a) for a in ATOMS]
    assert result.syn > 1.3
    # the command's warning on the same counts: the same sentence of bias, its own route after it
    path = tmp_path / "counts.npy"
    np.save(path, counts)
    assert main(["decompose", str(path), "--normalize"]) == 0
    commands = capsys.readouterr().err.removeprefix("pidkit decompose: warning: ")
    bias = said[:said.index(" For bias-corrected atoms")]
    assert commands.startswith(bias + " For bias-corrected atoms, in Python: ")


@pytest.mark.parametrize("joint", [
    np.rint(pidkit.examples.and_() * 40000),  # I(Y;T,S) 0.81 bits, expected bias 5.4e-5 bits
    pidkit.examples.and_() * 3.5,  # cells 0.875 and 1.75: no counts
    np.eye(8)[3].reshape(2, 2, 2),  # whole numbers summing to 1: a probability table, one sure outcome
    pidkit.examples.and_() / 0.25 * 1.5e308,  # whole numbers, but a scaled joint: its total overflows
], ids=["many samples", "not whole numbers", "sums to 1", "cells of 1.5e308"])
def test_no_warning_where_the_bias_is_small_or_the_cells_are_no_counts(joint):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = pidkit.pid(joint, normalize=True)
    scaled = joint / joint.max()  # cells at most 1: their total does not overflow
    assert result.i_yts == pytest.approx(pidkit.pid(scaled / scaled.sum()).i_yts, abs=1e-12)


def test_counts_are_judged_for_every_measure_that_normalizes():
    with pytest.warns(PluginBiasWarning, match=r"^plug-in atoms: the expected plug-in bias of I\(Y;T,S\) "
                                               "with 300 samples over 1000 cells is 1.85 bits"):
        pidkit.pid(_noise_counts(), measure="mmi", normalize=True)


def test_the_command_decomposes_cells_too_large_to_be_counts_in_silence(tmp_path, capsys):
    # it judged them as counts: their int64 cells overflowed and the bias divided by a total of 0
    path = tmp_path / "scaled.npy"
    np.save(path, pidkit.examples.and_() / 0.25 * 1.5e308)
    assert main(["decompose", str(path), "--normalize"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "Syn(Y:T,S)    0.500000" in captured.out
