"""Small edges of a sweep that a new user's walk found (task 432, M4 and L1-L4): joints counted from
samples pointed first at their silent plug-in table, pidkit.gaussian.examples missing after ``import
pidkit``, map_chunks running with any n_jobs, a DataFrame looped over by its columns, and
``measure=`` refused without saying that the batch is BROJA's."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import warnings

import numpy as np
import pytest

import pidkit
import pidkit.broja.batch as broja_batch
from pidkit import bertschinger_batch, examples
from pidkit.estimate import PluginBiasWarning, correct_counts
from pidkit.parallel import map_chunks

pd = pytest.importorskip("pandas")


def _sampled_joints(n_joints: int) -> list[pidkit.EmpiricalJoint]:
    """Joints of 200 samples whose target is blind to both sources (every atom is 0)."""
    rng = np.random.default_rng(3)
    return [pidkit.joint_from_samples(rng.integers(0, 3, 200), rng.integers(0, 4, 200),
                                      rng.integers(0, 4, 200)) for _ in range(n_joints)]


@pytest.fixture
def nothing_solved(monkeypatch):
    solved = []
    monkeypatch.setattr(broja_batch, "solve_joints", lambda ps, options: solved.append(ps) or [])
    yield solved
    assert solved == []


def test_joints_from_samples_are_pointed_first_at_routes_that_correct_or_warn(nothing_solved):
    joints = _sampled_joints(4)
    with pytest.raises(TypeError) as raised:
        bertschinger_batch([joints[0].p, *joints[1:]])
    said = str(raised.value)
    # before: "ps[0] must be an array, not the EmpiricalJoint that holds one; pass its .p attribute"
    assert said.startswith("joint 1: ps[1] is an EmpiricalJoint, not a joint p[y, t, s] (3 of 4 entries "
                           "are): pass each joint's counts. For bias-corrected atoms, pidkit.parallel."
                           "map_chunks(pidkit.estimate.correct_counts, [joint.counts for joint in ps], "
                           "n_jobs) gives one BiasCorrection per joint")
    assert said.index("correct_counts") < said.index("normalize=True") < said.index("[joint.p for")
    with pytest.raises(TypeError, match=r"^ps must be a sequence of joints; got one EmpiricalJoint\. "
                       r"For its bias-corrected atoms use pidkit\.estimate\.correct_counts\(joint\."
                       r"counts\); for the plug-in's, pidkit\.bertschinger\(joint\.counts, "
                       r"normalize=True\), which warns"):
        bertschinger_batch(joints[0])


def test_the_routes_the_refusal_gives_warn_and_correct():
    counts = [joint.counts for joint in _sampled_joints(3)]
    with pytest.warns(PluginBiasWarning) as caught:
        plugin = bertschinger_batch(counts, normalize=True, n_jobs=1)
    (said,) = [str(w.message) for w in caught]
    assert said.startswith("plug-in atoms: 3 of 3 joints are counts rescaled by normalize=True")
    assert said.endswith(" For the bias-corrected atoms of every joint of the batch: pidkit.parallel."
                         "map_chunks(pidkit.estimate.correct_counts, ps, n_jobs), one BiasCorrection "
                         "per joint, in order (docs/performance.md).")
    fixes = map_chunks(correct_counts, counts, 1)
    for table, result, fix in zip(counts, plugin, fixes, strict=True):
        assert result.i_yts == pytest.approx(pidkit.bertschinger(table / table.sum()).i_yts, abs=1e-12)
        assert fix.corrected == correct_counts(table).corrected
    # every atom is 0: the plug-in's I(Y;T,S) is all bias, most of it corrected away
    assert np.mean([r.i_yts for r in plugin]) > 0.05
    assert abs(np.mean([f.corrected["i_yts"] for f in fixes])) < np.mean([r.i_yts for r in plugin]) / 4


def test_gaussian_examples_is_an_attribute_after_import_pidkit():
    # docs/gaussian.md's spelling raised "module 'pidkit.gaussian' has no attribute 'examples'"
    fresh = ("import json, pidkit\n"
             "print(json.dumps(pidkit.gaussian.examples.degraded(1, 2, 2, rng=0).atoms))")
    run = subprocess.run([sys.executable, "-c", fresh], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    atoms = json.loads(run.stdout)
    from pidkit.gaussian.examples import degraded

    assert atoms == degraded(1, 2, 2, rng=0).atoms
    assert atoms["uni_s"] == atoms["syn"] == 0.0  # Y -> T -> S
    estimate = pidkit.gaussian_pid(degraded(1, 2, 2, rng=0).cov, [1, 2, 2])
    assert estimate.red == pytest.approx(atoms["red"], abs=1e-9)


@pytest.mark.parametrize("n_jobs", [0, "2", 2.5, True])
def test_map_chunks_refuses_n_jobs_in_the_batch_words_before_any_chunk_runs(n_jobs):
    ran = []
    with pytest.raises((TypeError, ValueError)) as refused:
        map_chunks(ran.append, [[1], [2]], n_jobs)
    assert ran == []
    with pytest.raises(type(refused.value)) as batch_refused:
        bertschinger_batch([examples.xor()], n_jobs=n_jobs)
    assert str(refused.value) == str(batch_refused.value)
    assert str(refused.value).startswith("n_jobs must be None, a positive int, or a negative int")


def test_map_chunks_takes_joblib_counts_of_workers():
    assert map_chunks(sum, [[1, 2], [3]], np.int64(1)) == [3, 3]
    assert map_chunks(sum, [[1, 2], [3]], None) == [3, 3]


def test_a_dataframe_or_series_is_refused_with_the_shapes_the_batch_takes(nothing_solved):
    joints = np.random.default_rng(0).dirichlet(np.ones(8), size=5).reshape(5, 2, 2, 2)
    # before: "joint 0: ... got 0-D with shape () ... (8 of 8 joints in all)", its column labels
    with pytest.raises(TypeError) as raised:
        bertschinger_batch(pd.DataFrame(joints.reshape(5, 8)))
    assert str(raised.value) == (
        "ps must be a 4-D array of joints (k, n_y, n_t, n_s) or a list of 3-D arrays p[y, t, s]; got a "
        "pandas DataFrame of shape (5, 8), a loop over which gives its column labels. If each row holds "
        "one joint's cells flattened (s fastest), pass ps.to_numpy().reshape(5, n_y, n_t, n_s).")
    with pytest.raises(TypeError, match=r"got a pandas Series of shape \(5,\), a loop over which gives "
                       r"its values one by one\. If it holds one 3-D array per entry, pass ps\.tolist\(\)"):
        bertschinger_batch(pd.Series(list(joints), index=list("abcde")))


def test_the_fixes_a_pandas_refusal_gives_solve_the_joints():
    joints = np.random.default_rng(0).dirichlet(np.ones(8), size=5).reshape(5, 2, 2, 2)
    table = pd.DataFrame(joints.reshape(5, 8))
    reference = [pidkit.bertschinger(p).syn for p in joints]
    assert [r.syn for r in bertschinger_batch(table.to_numpy().reshape(5, 2, 2, 2))] == reference
    series = pd.Series(list(joints), index=list("abcde"))
    frame = pidkit.to_frame(pd.Series(bertschinger_batch(series.tolist()), index=series.index))
    assert frame["syn"].to_dict() == dict(zip("abcde", reference, strict=True))


def test_measure_is_refused_as_the_batch_is_broja_s_and_the_sweep_of_another_is_named(nothing_solved):
    joints = [examples.and_(), examples.xor(), examples.rdn()]
    with pytest.raises(TypeError) as raised:  # before: "takes no option 'measure'; its options are ..."
        bertschinger_batch(joints, measure="gh")
    assert str(raised.value) == (
        "bertschinger_batch takes no option 'measure' (got 'gh'): it is the batch of the BROJA measure "
        "(Bertschinger et al. 2014) only. To sweep another measure, map pidkit.pid over the joints: "
        "pidkit.parallel.map_chunks(functools.partial(pidkit.pid, measure='gh'), ps, n_jobs), or "
        "[pidkit.pid(p, measure='gh') for p in ps]; pidkit.to_frame takes either list.")
    with pytest.raises(TypeError, match=r"always solves the BROJA measure .* Drop measure='broja'\.$"):
        bertschinger_batch(joints, measure="broja")


def test_the_sweep_the_measure_refusal_names_gives_that_measure():
    joints = [examples.and_(), examples.xor(), examples.rdn()]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = map_chunks(functools.partial(pidkit.pid, measure="gh"), joints, 1)
    assert [r.measure for r in results] == ["gh"] * 3
    # I_GH of XOR is 0 and of RDN 1 bit, as BROJA's; of AND, as i_gh gives it, below BROJA's 0.311278
    assert [round(r.red, 6) for r in results[1:]] == [0.0, 1.0]
    assert results[0].red == pytest.approx(pidkit.i_gh(examples.and_()), abs=1e-12)
    assert results[0].red < pidkit.bertschinger(examples.and_()).red - 1e-3
