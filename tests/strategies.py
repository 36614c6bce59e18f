"""Hypothesis strategies for random joints ``p[y, t, s]``."""

import numpy as np
from hypothesis import strategies as st


@st.composite
def joints(draw, max_size: int = 3, sparse: bool = True) -> np.ndarray:
    """A random joint of shape up to (max_size,)*3, optionally with zero cells."""
    shape = tuple(draw(st.integers(1, max_size)) for _ in range(3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(int(np.prod(shape)), draw(st.sampled_from([0.3, 1.0, 3.0]))))
    if sparse and draw(st.booleans()):
        p = p * (rng.random(p.size) < 0.6)
        if p.sum() == 0:
            p[0] = 1.0
    return (p / p.sum()).reshape(shape)


def deterministic_joint(rng: np.random.Generator, shape: tuple[int, int, int]) -> np.ndarray:
    """A joint with Y a function of (T, S), (T, S) drawn from a Dirichlet(1) (mass 1)."""
    y = rng.integers(0, shape[0], size=shape[1:])
    p = np.zeros(shape)
    t, s = np.indices(shape[1:])
    p[y, t, s] = rng.dirichlet(np.ones(shape[1] * shape[2])).reshape(shape[1:])
    return p
