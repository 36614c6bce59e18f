"""``bertschinger_batch(ps)`` names its joints as its argument is named: ``ps[k]``, not ``p_yts``
(the argument of :func:`pidkit.bertschinger`, which the batch's messages said although no
``p_yts`` is in the call), so that the code a refusal gives runs as written."""

from __future__ import annotations

import re

import numpy as np
import pytest

import pidkit


def test_the_fix_a_refusal_gives_runs_on_the_callers_list():
    rng = np.random.default_rng(0)
    ps = list(rng.dirichlet(np.ones(8), size=3).reshape(3, 2, 2, 2))
    ps[1] = ps[1].copy()
    ps[1][0, 0, 0] = -1e-12  # a cell computed as 1 - the others, a little below 0
    ps[1] /= ps[1].sum()
    with pytest.raises(ValueError) as refused:
        pidkit.bertschinger_batch(ps)
    message = str(refused.value)
    assert message.startswith("joint 1: ps[1] has negative mass: ") and "p_yts" not in message
    (fix,) = re.findall(r"pass (np\.clip\(ps\[1\], 0, None\))", message)
    ps[1] = eval(fix, {"np": np, "ps": ps})
    atoms = ("red", "uni_t", "uni_s", "syn")
    batch = pidkit.bertschinger_batch(ps)
    assert [[getattr(r, a) for a in atoms] for r in batch] == [
        [getattr(pidkit.bertschinger(p), a) for a in atoms] for p in ps
    ]


def test_each_invalid_joint_is_named_by_its_index_in_ps():
    with pytest.raises(ValueError, match=r"^joint 2: ps\[2\] sums to 2\.0 .* Also invalid: joint 3 "):
        pidkit.bertschinger_batch([pidkit.examples.and_(), pidkit.examples.xor(), 2 * pidkit.examples.xor(),
                                   np.full((2, 2, 2), np.nan)])
