"""Advice that pointed to the route that cannot help (walk t-451, findings 5, 9 and 10).

- ``pidkit.pid(joint)`` with the EmpiricalJoint of joint_from_samples was told to "pass its .p
  attribute", the one route that cannot warn of sampling bias (p holds no sample count); the bias
  correction came second, in brackets. It is now told the corrected route first, then the plug-in's
  route that warns, and ``.p`` last.
- ``pidkit.pid(joint.counts)`` was told "sums to 1000.0 ... Pass normalize=True to rescale it, or fix
  the input", as if counts were a table off by rounding; the command said only "pass --normalize".
- ``pidkit.correct_counts`` and the other names of pidkit.estimate raised a bare AttributeError, and
  ``pidkit.pid_from_samples`` (no such function) named no function that exists.
- 1-D integer spike counts given as features are labels, and were told to be "merged into at most 31"
  without how, nor that they could be given as one feature.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import warnings

import numpy as np
import pytest

import pidkit
from pidkit.cli import main

pytest.importorskip("sklearn")

from pidkit.estimate import PluginBiasWarning, correct_counts, pid_from_representations


def _independent_labels(n: int, values: int, seed: int) -> pidkit.EmpiricalJoint:
    """The joint counted from ``n`` samples of three independent uniform labels of ``values`` values:
    the truth is 0 bits for every atom."""
    rng = np.random.default_rng(seed)
    return pidkit.joint_from_samples(*(rng.integers(0, values, n) for _ in range(3)))


def test_a_joint_from_samples_is_pointed_first_at_the_correction_then_at_the_plugin_that_warns():
    joint = _independent_labels(300, 6, seed=0)
    with pytest.raises(TypeError) as raised:
        pidkit.pid(joint)
    said = str(raised.value)
    assert said == (
        "p_yts must be an array, not the EmpiricalJoint that holds one. For its bias-corrected atoms use "
        "pidkit.estimate.correct_counts(joint.counts); for the plug-in's, pass joint.counts with "
        "normalize=True, which warns where their bias is a sizeable share of them (joint.p gives them "
        "without that warning).")
    assert said.index("correct_counts(joint.counts)") < said.index("normalize=True") < said.index("joint.p ")
    # Each route does what the advice says: the plug-in by counts warns, by p it does not, and both give
    # the same atoms; the corrected Syn is far nearer the truth (0) than the plug-in's.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        by_counts = pidkit.pid(joint.counts, normalize=True)
        by_p = pidkit.pid(joint.p)
    assert [w.category for w in caught] == [PluginBiasWarning]
    assert by_counts.syn == pytest.approx(by_p.syn, abs=1e-12)
    corrected = correct_counts(joint.counts)
    assert corrected.plugin["syn"] == pytest.approx(by_p.syn, abs=1e-12)
    assert by_p.syn > 0.4 and abs(corrected.corrected["syn"]) < 0.1


def test_a_joint_with_no_samples_behind_it_is_still_told_to_pass_its_p():
    uncounted = pidkit.EmpiricalJoint(np.full((2, 2, 2), 0.125), {}, np.zeros((2, 2, 2), dtype=np.int64), 0)
    with pytest.raises(TypeError, match=r"^p_yts must be an array, not the EmpiricalJoint that holds one; "
                                        r"pass its \.p attribute\.$"):
        pidkit.pid(uncounted)


COUNTED = ("Its cells are whole numbers, so it looks like counts of samples: pidkit.estimate.correct_counts("
           "p_yts) gives their bias-corrected atoms, and normalize=True rescales them into probabilities, "
           "whose atoms are the plug-in estimate (biased by the sampling); otherwise fix the input.")


def test_counts_refused_for_their_total_are_told_the_corrected_route_first():
    counts = _independent_labels(1000, 2, seed=1).counts
    with pytest.raises(ValueError) as raised:
        pidkit.pid(counts)
    assert str(raised.value) == f"p_yts sums to 1000.0 (off by 999), not 1 (allowed: within 1e-09). {COUNTED}"
    # normalize=True is the plug-in (the atoms of the counts divided by their total), which warns of its bias.
    with pytest.warns(PluginBiasWarning, match=r"^plug-in atoms: the expected plug-in bias of I\(Y;T,S\) "
                                               r"with 1000 samples over 8 cells is 0\.00216 bits"):
        plugin = pidkit.pid(counts, normalize=True)
    assert plugin.syn == pytest.approx(pidkit.pid(counts / 1000).syn, abs=1e-12)
    with pytest.raises(ValueError, match=r"^p_yts sums to 5\.0 \(off by 4\), .* like counts of samples"):
        pidkit.pid([[[2.0, 0.0], [1.0, 0.0]], [[0.0, 0.0], [0.0, 2.0]]])  # whole floats, as histogramdd's


@pytest.mark.parametrize(("table", "total"), [
    (np.full((2, 2, 2), 0.1875), "1.5 "),      # fractions: a table off 1, not counts
    (np.full((2, 2, 2), 2.0**52), "3.602879701896397e+16 "),  # whole, but more than float64 counts exactly
])
def test_tables_that_are_not_counts_keep_the_rescale_advice(table, total):
    with pytest.raises(ValueError) as raised:
        pidkit.pid(table)
    assert str(raised.value).startswith(f"p_yts sums to {total}")
    assert str(raised.value).endswith(". Pass normalize=True to rescale it, or fix the input.")


def test_counts_given_to_a_measure_of_one_variable_are_not_told_of_pid_atoms():
    with pytest.raises(ValueError, match=r"Pass normalize=True to rescale it, or fix the input\.$"):
        pidkit.entropy([1, 1, 2])


def test_the_command_says_it_of_counts_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    np.save("counts.npy", _independent_labels(1000, 2, seed=1).counts)
    assert main(["decompose", "counts.npy"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "pidkit decompose: error: counts.npy: the joint sums to 1000.0 (off by 999), not 1 (allowed: "
        "within 1e-09). Its cells are whole numbers, so it looks like counts of samples: pass --normalize "
        "to rescale them into probabilities, whose atoms are the plug-in estimate (biased by the sampling: "
        "in Python, pidkit.estimate.correct_counts of the loaded counts gives bias-corrected atoms), or fix "
        "the input.\n")


def _names_elsewhere(package: str) -> list[str]:
    return sorted(set(importlib.import_module(f"pidkit.{package}").__all__) - set(pidkit.__all__))


@pytest.mark.parametrize(("package", "name"), [
    *(("estimate", name) for name in _names_elsewhere("estimate")),
    *(("gaussian", name) for name in _names_elsewhere("gaussian")),
])
def test_a_name_of_a_subpackage_asked_of_pidkit_says_where_it_is(package, name):
    with pytest.raises(AttributeError) as raised:
        getattr(pidkit, name)
    assert str(raised.value) == (f"module 'pidkit' has no attribute {name!r}; it is pidkit.{package}.{name} "
                                 f"(from pidkit.{package} import {name})")
    assert not hasattr(pidkit, name)
    assert name not in dir(pidkit)
    assert getattr(importlib.import_module(f"pidkit.{package}"), name) is not None  # where it says


def test_the_estimate_names_cover_its_public_names_and_pidkit_misses_only_them():
    assert len(_names_elsewhere("estimate")) >= 30
    assert "correct_counts" in _names_elsewhere("estimate")
    with pytest.raises(AttributeError, match=r"^module 'pidkit' has no attribute 'no_such_name'$"):
        pidkit.no_such_name  # noqa: B018


def test_pid_from_samples_points_to_the_estimators_that_exist():
    with pytest.raises(AttributeError) as raised:
        pidkit.pid_from_samples  # noqa: B018
    said = str(raised.value)
    assert said.startswith("module 'pidkit' has no attribute 'pid_from_samples'; for samples use ")
    named = ["pidkit.estimate.pid_from_representations", "pidkit.estimate.correct_counts",
             "pidkit.joint_from_samples", "pidkit.gaussian_pid_from_samples"]
    assert [said.index(f"{dotted}(") for dotted in named] == sorted(said.index(f"{d}(") for d in named)
    for dotted in named:
        module, _, function = dotted.rpartition(".")
        assert callable(getattr(importlib.import_module(module), function))
    assert not hasattr(pidkit, "pid_from_samples")


def test_asking_pidkit_for_an_estimate_name_does_not_load_scikit_learn():
    code = ("import sys, pidkit; hasattr(pidkit, 'correct_counts'); hasattr(pidkit, 'pid_from_samples'); "
            "print('sklearn' in sys.modules, 'pidkit.estimate' in sys.modules)")
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ran.stdout.split() == ["False", "False"]


def _spike_counts() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """4 labels, 500 samples: 32 spike counts (0 to 31) of a teacher unit, and a student's features."""
    rng = np.random.default_rng(0)
    return rng.integers(0, 4, 500), rng.integers(0, 32, 500), rng.normal(size=(500, 4))


def test_spike_counts_read_as_labels_are_told_how_to_merge_them_or_give_them_as_a_feature():
    y, spikes, student = _spike_counts()
    assert np.unique(spikes).size == 32
    with pytest.raises(ValueError) as raised:
        pid_from_representations(y, spikes, student)
    # 500 // 4 parts // 4 labels = 31 values per side fit the smallest subsample.
    assert ("Use t_features's 32 distinct labels merged into at most 31 (t_features is given as labels, so "
            "n_clusters does not apply to it: for labels 0, 1, 2, ... np.minimum(t_features, 30) pools the "
            "largest, or np.digitize(t_features, edges) with 30 edges bins them; for values on a scale, such "
            "as spike counts, t_features.reshape(-1, 1) with normalize=None makes them one feature, "
            "clustered as features are), fewer parts") in str(raised.value)
    # Each way the message gives is taken.
    pooled = pid_from_representations(y, np.minimum(spikes, 30), student)
    assert pooled.settings["t"] == {"kind": "labels", "n_values": 31}
    edges = np.quantile(spikes, np.linspace(0, 1, 32)[1:-1])  # 30 edges
    binned = pid_from_representations(y, np.digitize(spikes, edges), student)
    assert edges.size == 30 and 2 <= binned.settings["t"]["n_values"] <= 31
    as_feature = pid_from_representations(y, spikes.reshape(-1, 1), student, normalize=None)
    assert as_feature.settings["t"]["kind"] == "clustered"
    assert as_feature.settings["t"]["n_features"] == 1


def test_two_values_a_side_are_one_edge():
    from pidkit.estimate import check_sample_size

    with pytest.raises(ValueError, match=r"np\.minimum\(s, 1\) pools the largest, or "
                                         r"np\.digitize\(s, edges\) with 1 edge bins them;"):
        check_sample_size((10, 2, 12), 80, method="eb-extrapolation", label_sides={2: "s"})
