"""bertschinger_batch: same answers as one call per joint, in order, with options passed through."""

import numpy as np
import pytest

import pidkit
from pidkit import examples
from pidkit.batch import bertschinger_batch

ATOMS = ("red", "uni_t", "uni_s", "syn")


def _atoms(r):
    return tuple(getattr(r, a) for a in ATOMS)


def _mixed_shapes():
    rng = np.random.default_rng(0)
    shapes = [(2, 2, 2), (3, 2, 4), (1, 3, 3), (4, 4, 4), (2, 5, 3)]
    return [rng.dirichlet(np.ones(int(np.prod(s)))).reshape(s) for s in shapes]


def test_sequence_of_different_shapes_matches_single_calls():
    ps = [*_mixed_shapes(), examples.and_()]
    results = bertschinger_batch(ps)
    assert len(results) == len(ps)
    for p, r in zip(ps, results, strict=True):
        assert r.q.shape == p.shape
        assert _atoms(r) == _atoms(pidkit.bertschinger(p))
    assert results[-1].red == pytest.approx(0.311278124459133, abs=1e-9)


def test_stacked_array_and_options_are_passed_through():
    rng = np.random.default_rng(1)
    stack = rng.dirichlet(np.ones(27), size=4).reshape(4, 3, 3, 3)
    results = bertschinger_batch(stack, units="nats", method="cvxpy")
    for p, r in zip(stack, results, strict=True):
        assert r.units == "nats" and r.method == "cvxpy"
        assert r.uni_t == pytest.approx(pidkit.bertschinger(p, units="nats").uni_t, abs=1e-9)


def test_processes_give_the_same_results_in_order():
    ps = _mixed_shapes()
    serial = bertschinger_batch(ps)
    parallel = bertschinger_batch(ps, n_jobs=2)
    assert [_atoms(r) for r in parallel] == [_atoms(r) for r in serial]


def test_progress_bar_is_written_on_request(capsys):
    bertschinger_batch([examples.xor(), examples.rdn()], progress=True)
    assert "bertschinger" in capsys.readouterr().err
    bertschinger_batch([examples.xor(), examples.rdn()], progress=False)
    assert capsys.readouterr().err == ""


def test_empty_batch_gives_an_empty_list():
    assert bertschinger_batch([]) == []


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"tolerance": 1e-6}, TypeError, r"does not take: \['tolerance'\]; the known ones"),
        ({"n_jobs": 0}, TypeError, r"n_jobs must be a non-zero int.*got 0"),
        ({"n_jobs": 1.5}, TypeError, r"n_jobs must be a non-zero int"),
        ({"progress": "yes"}, TypeError, r"progress must be True, False or None; got 'yes'"),
    ],
)
def test_bad_options_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        bertschinger_batch([examples.xor()], **kwargs)


def test_bad_containers_and_joints_are_named():
    with pytest.raises(ValueError, match=r"4-D \(n_joints, n_y, n_t, n_s\); got shape \(2, 2, 2\)"):
        bertschinger_batch(examples.xor())
    with pytest.raises(TypeError, match=r"sequence of joints.*got int"):
        bertschinger_batch(3)
    with pytest.raises(ValueError, match=r"^joint 1: "):
        bertschinger_batch([examples.xor(), -examples.xor()])


def test_uncertified_joint_raises_with_its_index_unless_not_strict():
    ps = [examples.copy(), examples.perturbed_xor()]  # COPY: |T|, |S| > 1, solved exactly
    with pytest.raises(pidkit.SolverError, match=r"^joint 1: .*status 'optimal_inaccurate'"):
        bertschinger_batch(ps, tol=1e-30)
    results = bertschinger_batch(ps, tol=1e-30, strict=False)
    assert results[1].status == "optimal_inaccurate" and not results[1].success
