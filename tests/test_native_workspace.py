"""The Newton systems' workspace: large arrays reused from one interior-point iteration to the next
(pidkit.broja.native.stack.Workspace), and a system built in a reused workspace solves as a fresh one."""

import numpy as np
import pytest

from pidkit.broja.native.normal_system import NormalSystem
from pidkit.broja.native.pair_systems import DensePairSystem, MatrixFreePairSystem
from pidkit.broja.native.stack import Masks, Workspace


def test_a_smaller_request_is_the_front_of_the_buffer_and_a_larger_one_a_new_buffer():
    workspace = Workspace()
    first = workspace.array("x", (3, 4, 5))
    first[...] = 7.0
    smaller = workspace.array("x", (2, 4, 5))
    assert smaller.shape == (2, 4, 5) and smaller.flags.c_contiguous
    assert smaller.__array_interface__["data"][0] == first.__array_interface__["data"][0]
    np.testing.assert_array_equal(smaller, 7.0)  # the same memory, not a copy
    assert not np.shares_memory(workspace.array("other", (3, 4, 5)), first)
    larger = workspace.array("x", (4, 4, 5))
    assert larger.shape == (4, 4, 5) and not np.shares_memory(larger, first)


def _iterate(n: int, seed: int, shape=(4, 3, 3)):
    """A full, interior iterate of ``n`` joints as the systems take it, and residuals to solve for."""
    rng = np.random.default_rng(seed)
    e = rng.uniform(0.2, 1.0, (n, *shape))
    kk = rng.uniform(0.5, 2.0, (n, *shape[1:]))
    g = rng.uniform(0.1, 1.0, (n, *shape[1:]))
    q = kk[:, None] * e
    row, col = q.sum(axis=3), q.sum(axis=2)
    system = (q, row, col, e, kk, g, Masks.of(row, col))
    rhs = (rng.normal(size=row.shape), rng.normal(size=col.shape), rng.normal(size=kk.shape),
           rng.normal(size=kk.shape), kk, g)
    return system, rhs


@pytest.mark.parametrize(("system", "largest"), [(DensePairSystem, "x"), (NormalSystem, "x"),
                                                 (MatrixFreePairSystem, "et")])
def test_a_system_built_in_a_reused_smaller_workspace_solves_as_a_fresh_one(system, largest):
    # As in the interior point once a joint leaves: the next system of the stack, one joint
    # fewer, is built in the front of the buffers the previous one filled.
    workspace = Workspace()
    before = system(*_iterate(3, 1)[0], workspace)
    args, rhs = _iterate(2, 2)
    reused = system(*args, workspace)
    assert np.shares_memory(getattr(reused, largest), getattr(before, largest))
    fresh = system(*args)
    assert not np.shares_memory(getattr(fresh, largest), getattr(reused, largest))
    for a, b in zip(reused.direction(*rhs), fresh.direction(*rhs), strict=True):
        assert a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    assert np.abs(fresh.direction(*rhs)[2]).max() > 0.1  # a real step, not zeros on both sides
