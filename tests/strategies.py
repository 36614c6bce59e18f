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
