"""bertschinger_batch: same answers as one call per joint, in order, with options passed through."""

import numpy as np
import pytest

import pidkit
from pidkit import examples
from pidkit.batch import bertschinger_batch
from pidkit.broja import native

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
        ({"tolerance": 1e-6}, TypeError, r"^bertschinger_batch takes no option 'tolerance'; its options are"),
        ({"n_jobs": 0}, ValueError, r"n_jobs must be None, a positive int, .*got 0\. Pass 1"),
        ({"n_jobs": 1.5}, TypeError, r"n_jobs must be None, a positive int, .*got 1\.5 \(float\)"),
        ({"progress": "yes"}, TypeError, r"progress must be True, False or None; got 'yes'"),
        ({"units": "bit"}, ValueError, r"^units must be 'bits' or 'nats'; got 'bit'"),
        ({"tol": True}, TypeError, r"^tol must be a positive number of bits.*got True"),
        ({"strict": "no"}, TypeError, r"^strict must be True or False; got 'no'"),
        ({"method": "fast"}, ValueError, r"^method must be one of"),
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
    # one joint where a batch was expected: each was blamed on "joint 0" or on a field
    with pytest.raises(ValueError, match=r"^ps looks like a single joint \(a nested list of 2 tables\)"):
        bertschinger_batch(examples.xor().tolist())
    with pytest.raises(TypeError, match=r"got one EmpiricalJoint\. For its bias-corrected atoms use "
                       r"pidkit\.estimate\.correct_counts\(joint\.counts\)"):
        bertschinger_batch(pidkit.joint_from_samples([0, 1], [0, 1], [1, 0]))
    with pytest.raises(TypeError, match=r"got a dict\. Pass list\(ps\.values\(\)\)"):
        bertschinger_batch({"a": examples.xor()})
    with pytest.raises(ValueError, match=r"^joint 1: "):
        bertschinger_batch([examples.xor(), -examples.xor()])


def test_uncertified_joint_raises_with_its_index_unless_not_strict():
    ps = [examples.copy(), examples.perturbed_xor()]  # COPY: |T|, |S| > 1, solved exactly
    with pytest.raises(pidkit.SolverError, match=r"^joint 1: .*status 'optimal_inaccurate'"):
        bertschinger_batch(ps, tol=1e-30)
    results = bertschinger_batch(ps, tol=1e-30, strict=False)
    assert results[1].status == "optimal_inaccurate" and not results[1].success


def _stackable_and_mixed():
    """Same-shape joints the stacked solver takes (full and sparse with positive p(y,t), p(y,s)),
    plus joints it does not: zero-mass symbols, a zero p(y,t), other shapes, a 1-symbol alphabet."""
    rng = np.random.default_rng(5)
    ps = [rng.dirichlet(np.ones(36)).reshape(4, 3, 3) for _ in range(5)]
    sparse = rng.dirichlet(np.ones(36)).reshape(4, 3, 3)
    sparse[0, 0, 0] = sparse[1, 2, 1] = sparse[3, 1, 2] = 0.0
    ps.append(sparse / sparse.sum())
    zero_symbol = rng.dirichlet(np.ones(36)).reshape(4, 3, 3)
    zero_symbol[:, 1, :] = 0.0
    zero_yt = rng.dirichlet(np.ones(36)).reshape(4, 3, 3)
    zero_yt[2, 0, :] = 0.0
    ps += [zero_symbol / zero_symbol.sum(), zero_yt / zero_yt.sum()]
    ps += [rng.dirichlet(np.ones(24)).reshape(3, 2, 4) for _ in range(3)]  # |S| > |T|
    ps += [examples.and_(), rng.dirichlet(np.ones(12)).reshape(4, 1, 3)]
    return ps


def test_stacked_batch_equals_single_calls_on_a_mixed_batch():
    ps = _stackable_and_mixed()
    results = bertschinger_batch(ps)
    for p, r in zip(ps, results, strict=True):
        single = pidkit.bertschinger(p)
        reference = pidkit.bertschinger(p, method="cvxpy")
        assert r.method == "native" and r.success and r.gap <= 1e-9
        assert r.q.shape == p.shape and (r.q >= 0).all()
        np.testing.assert_allclose(r.q.sum(axis=2), p.sum(axis=2), atol=1e-13)
        np.testing.assert_allclose(r.q.sum(axis=1), p.sum(axis=1), atol=1e-13)
        for atom in ATOMS:
            assert getattr(r, atom) == pytest.approx(getattr(single, atom), abs=1e-9)
            assert getattr(r, atom) == pytest.approx(getattr(reference, atom), abs=1e-7)
            assert getattr(r, atom) >= 0.0


def test_a_joint_the_stack_does_not_certify_falls_back_alone(monkeypatch):
    ps = _stackable_and_mixed()[:6]
    original = native.solve
    calls = []

    def drop_third(joints, **options):
        out = original(joints, **options)
        calls.append(len(joints))
        if len(joints) == 6:  # the batch's stack: pretend the third joint was not certified
            out[2] = out[2].__class__(**{**out[2].__dict__, "certified": False})
        return out

    monkeypatch.setattr(native, "solve", drop_third)
    results = bertschinger_batch(ps)
    assert calls == [6]  # one stack of six 4x3x3 joints
    assert [r.method for r in results] == ["native", "native", "cvxpy", "native", "native", "native"]
    assert "native solver did not certify" in results[2].message
    assert _atoms(results[2]) == pytest.approx(_atoms(pidkit.bertschinger(ps[2])), abs=1e-9)


def test_stacked_batch_falls_back_to_cvxpy_under_auto(monkeypatch):
    monkeypatch.setattr(native, "MAX_ITER", 1)
    ps = _stackable_and_mixed()[:4]
    results = bertschinger_batch(ps)
    for p, r in zip(ps, results, strict=True):
        assert r.method == "cvxpy" and r.success
        assert "native solver did not certify" in r.message
        assert r.uni_t == pytest.approx(pidkit.bertschinger(p, method="cvxpy").uni_t, abs=1e-9)
    with pytest.raises(pidkit.SolverError, match=r"^joint 0: .*method 'native'"):
        bertschinger_batch(ps, method="native")


def test_stacked_batch_with_processes_and_options():
    ps = _stackable_and_mixed()
    serial = bertschinger_batch(ps, units="nats", tol=1e-10)
    parallel = bertschinger_batch(ps, units="nats", tol=1e-10, n_jobs=2)
    for a, b in zip(serial, parallel, strict=True):
        assert a.units == b.units == "nats" and a.gap <= 1e-10 * np.log(2)
        assert _atoms(a) == pytest.approx(_atoms(b), abs=1e-12)


def test_a_dask_cluster_gives_the_serial_numbers():
    distributed = pytest.importorskip("dask.distributed")
    from joblib import parallel_config

    ps = _stackable_and_mixed()
    serial = bertschinger_batch(ps)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        with parallel_config(backend="dask"):
            clustered = bertschinger_batch(ps, n_jobs=2)
            # the default n_jobs=None follows the active config: the chunks go to the cluster
            with distributed.get_task_stream(client) as stream:
                following = bertschinger_batch(ps)
            with distributed.get_task_stream(client) as none:
                here = bertschinger_batch(ps, n_jobs=1)  # "1 solves in this process"
    assert len(stream.data) >= 2 and none.data == []
    assert [_atoms(r) for r in here] == [_atoms(r) for r in serial]
    assert [r.method for r in clustered] == [r.method for r in following] == [r.method for r in serial]
    for a, b, c in zip(serial, clustered, following, strict=True):  # stacks differ: rounding only
        assert _atoms(a) == pytest.approx(_atoms(b), abs=1e-12) and b.gap <= 1e-9
        assert _atoms(a) == pytest.approx(_atoms(c), abs=1e-12)


def test_a_failing_chunk_ends_the_progress_bar_before_its_error(capsys):
    # The bar was left open: the error's traceback began on the bar's line, and the bar printed
    # itself again, after the error, once the traceback was freed.
    ps = [examples.copy()] * 300 + [examples.perturbed_xor()]
    with pytest.raises(pidkit.SolverError, match=r"^joint 300: ") as raised:
        bertschinger_batch(ps, tol=1e-30, progress=True)
    err = capsys.readouterr().err  # what a terminal shows above the traceback (`raised` holds it)
    assert "256/301" in err and err.endswith("\n"), repr(err[-200:])
    assert raised.traceback  # kept alive to here
    # An invalid joint is found before any is solved: no bar is drawn at all.
    with pytest.raises(ValueError, match=r"^joint 300: ps\[300\] sums to 2"):
        bertschinger_batch([examples.xor()] * 300 + [2 * examples.xor()], progress=True)
    assert capsys.readouterr().err == ""


def test_a_preference_for_threads_still_solves_in_processes(monkeypatch):
    # Under joblib.parallel_config(prefer="threads") the chunks ran in threads: the same numbers
    # (the cvxpy path locks its cached problems since 9300f33; before, Clarabel raised "Already
    # mutably borrowed" or the process aborted), but 600 10x10x10 joints took 10-13 s on two
    # threads against 2-3 s serial or on two processes (docs/performance.md).
    import joblib

    backends = []

    class Spy(joblib.Parallel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            backends.append(type(self._backend).__name__)

    monkeypatch.setattr(joblib, "Parallel", Spy)
    monkeypatch.setattr(pidkit.parallel, "SERIAL_SECONDS", 0.0)  # small work would run here
    ps = _mixed_shapes()
    with joblib.parallel_config(prefer="threads"):
        parallel = bertschinger_batch(ps, n_jobs=2)
    assert backends == ["LokyBackend"]
    assert [_atoms(r) for r in parallel] == [_atoms(r) for r in bertschinger_batch(ps)]


def test_the_multiprocessing_backend_gives_the_serial_numbers_in_order():
    # Under joblib.parallel_config(backend="multiprocessing") the batch raised joblib's
    # "ValueError: Backend <MultiprocessingBackend ...> does not support return_as=generator":
    # it asked for the results as they come, which that backend refuses. It now collects them at
    # the end there (pidkit.parallel.map_chunks), the bar counting every joint.
    import joblib

    ps = [*_mixed_shapes(), examples.and_(), examples.xor()]
    with joblib.parallel_config(backend="multiprocessing"):
        parallel = bertschinger_batch(ps, n_jobs=2)
    assert [_atoms(r) for r in parallel] == [_atoms(r) for r in bertschinger_batch(ps)]
    assert parallel[5].red == pytest.approx(0.311278124459133, abs=1e-9)
    assert parallel[6].syn == pytest.approx(1.0, abs=1e-9)
