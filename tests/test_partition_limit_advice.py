"""The refusal of a source with too many symbols for the Q = f(T) reading of Red_∩ sent the user
to measure='gh' "which has no such limit", and I_GH refuses the same joint (its vertex bound):
the advice now names the bounds that answer it, and they do."""

import numpy as np
import pytest

import pidkit
from pidkit.redundancy.vertex_limit import TooManyVertices


def test_the_advised_bounds_answer_a_joint_the_partitions_refuse():
    p = np.random.default_rng(0).dirichlet(np.ones(200)).reshape(2, 10, 10)
    with pytest.raises(ValueError) as refusal:
        pidkit.pid(p, measure="gh-function-of-t")
    message = str(refusal.value)
    assert "which has no such limit" not in message
    assert message.startswith("source T has 10 symbols of positive mass; enumerating its set partitions "
                              "is limited to 9 symbols")
    assert "measure='wedge' is at most it and takes any size" in message
    assert "refuses a joint whose polytope could have more than max_vertices vertices" in message
    with pytest.raises(TooManyVertices):  # gh refuses this one, as the advice says it may
        pidkit.pid(p, measure="gh")
    wedge, prec, broja = (pidkit.pid(p, measure=m).red for m in ("wedge", "prec", "broja"))
    assert wedge == 0.0
    assert 0.0 <= prec <= broja + 1e-9
    assert broja == pytest.approx(pidkit.pid(p).red)
