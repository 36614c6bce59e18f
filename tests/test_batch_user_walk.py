"""What a sweep over thousands of joints runs into (task 284): invalid joints found and named
before any solve, no more workers than chunks of work, and arrays or lists of the wrong depth told
how to reshape or flatten them."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import pidkit.broja.batch as broja_batch
import pidkit.parallel as parallel
from pidkit import bertschinger_batch, examples


def _joints(n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return list(rng.dirichlet(np.ones(8), size=n).reshape(n, 2, 2, 2))


def test_every_invalid_joint_is_named_before_any_joint_is_solved(monkeypatch):
    solved = []
    real_solve = broja_batch.solve_joints
    monkeypatch.setattr(broja_batch, "solve_joints",
                        lambda ps, options: solved.append(len(ps)) or real_solve(ps, options))
    ps = _joints(300)  # two serial chunks: the old code solved the first 256 before it saw joint 270
    ps[270] = -ps[270]
    ps[280] = np.full((2, 2, 2), np.nan)
    ps[299] = ps[299] * 2
    with pytest.raises(ValueError) as raised:
        bertschinger_batch(ps)
    message = str(raised.value)
    assert message.startswith("joint 270: ps[270] has negative mass: ")
    assert message.endswith(" Also invalid: joints 280 and 299 (3 of 300 joints in all).")
    assert solved == []


def test_a_long_list_of_invalid_joints_is_cut_short():
    ps = [examples.xor().astype(str)] * 40  # text, not numbers
    with pytest.raises(TypeError) as raised:
        bertschinger_batch(ps)
    assert str(raised.value).startswith("joint 0: ps[0] ")
    assert str(raised.value).endswith(
        " Also invalid: joints 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 29 more (40 of 40 joints in all).")


def test_strict_false_says_it_does_not_let_invalid_joints_through():
    ps = _joints(5)
    ps[2] = -ps[2]
    with pytest.raises(ValueError, match=r"^joint 2: .* strict=False lets uncertified answers through, "
                       r"not invalid joints: fix or drop them\.$"):
        bertschinger_batch(ps, strict=False)


def test_no_more_workers_are_asked_for_than_there_are_chunks(monkeypatch):
    asked = []
    real_parallel = parallel._parallel
    monkeypatch.setattr(parallel, "_parallel", lambda n_jobs: asked.append(n_jobs) or real_parallel(1))
    monkeypatch.setattr(parallel, "_WORKERS_ASKED", {}, raising=False)  # a fresh process
    monkeypatch.setattr(parallel, "SERIAL_SECONDS", 0.0)  # small work would run in this process
    assert parallel.map_chunks(sum, [[1, 2], [3], [4]], 16) == [3, 3, 4]
    results = bertschinger_batch([examples.and_(), examples.xor()], n_jobs=64)
    # 16 and 64 worker processes before task 284; the second keeps the first one's 3 (task 295)
    assert asked == [3, 3]
    assert [round(r.syn, 6) for r in results] == [0.5, 1.0]


def test_a_single_joint_as_an_array_is_told_to_use_bertschinger():
    with pytest.raises(ValueError, match=r"got shape \(2, 2, 2\), one joint: pass \[p\], or use "
                       r"pidkit\.bertschinger\(p\)\.$"):
        bertschinger_batch(examples.xor())


def test_a_grid_of_joints_is_told_how_to_flatten_it():
    grid = np.broadcast_to(examples.xor(), (3, 4, 2, 2, 2))  # checkpoints x seeds x p[y, t, s]
    with pytest.raises(ValueError) as raised:
        bertschinger_batch(grid)
    assert str(raised.value) == (
        "ps as an array must be 4-D (n_joints, n_y, n_t, n_s); got shape (3, 4, 2, 2, 2), a grid "
        "of joints: pass ps.reshape(-1, 2, 2, 2), whose result k is the joint at "
        "np.unravel_index(k, (3, 4)).")


def test_a_list_of_stacks_is_told_how_to_flatten_it():
    stacks = [np.stack(_joints(3)), np.stack(_joints(2))]  # a stack per checkpoint
    with pytest.raises(ValueError) as raised:
        bertschinger_batch(stacks)
    assert str(raised.value) == (
        "ps holds stacks of joints, not joints: ps[0] is a 4-D array of shape (3, 2, 2, 2). Pass the "
        "flat list [p for stack in ps for p in stack], or np.concatenate(ps) if the joints share a "
        "shape.")


@pytest.mark.parametrize("config", [{"backend": "threading"}, {"require": "sharedmem"}])
def test_a_thread_backend_solves_in_this_process(monkeypatch, config):
    # On threads the solvers fought over BLAS's thread count, a setting of the whole process:
    # 40 20x20x20 joints took 29-67 s on two threads against 1.0-1.3 s serially, the same numbers.
    # require="sharedmem" was refused by joblib, which was asked for processes.
    from joblib import parallel_config

    threads = []
    real_solve = broja_batch.solve_joints
    monkeypatch.setattr(broja_batch, "solve_joints", lambda ps, options: threads.append(
        threading.current_thread()) or real_solve(ps, options))
    with parallel_config(**config):
        results = bertschinger_batch(_joints(40), n_jobs=2)
    assert set(threads) == {threading.main_thread()}
    atoms = [(r.red, r.uni_t, r.uni_s, r.syn) for r in results]
    assert atoms == [(r.red, r.uni_t, r.uni_s, r.syn) for r in bertschinger_batch(_joints(40))]
