"""The refusal of too few samples for the correction states one requirement (task 352).

The rule is that the smallest subsample (n // 4 with the default subsamples=(2, 4)) holds at least
as many samples as cells of the larger pairwise table. Where n was below the cells themselves the
message said "needs at least as many samples as cells ... (3 x 200 = 600)" and then "at least 2400
samples" in its fixes: two requirements in one message.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from pidkit.estimate import check_sample_size, pid_from_representations


def _required(message: str) -> set[int]:
    """Every sample count the message says is needed ("at least 4 x 600 = 2400 samples" reads 2400)."""
    return {int(n) for n in re.findall(r"at least (?:\d+ x \d+ = )?(\d+) samples", message)}


def test_too_many_clusters_for_the_samples_states_one_requirement():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 400)
    t = rng.normal(size=(3, 16))[y] + rng.normal(size=(400, 16))
    s = rng.normal(size=(3, 8))[y] + 2 * rng.normal(size=(400, 8))
    with pytest.raises(ValueError) as info:
        pid_from_representations(y, t, s, n_clusters=200)
    message = str(info.value)
    assert "(3 x 200 = 600) in each piece that subsamples=(2, 4) cuts the sample into, so at least " \
           "4 x 600 = 2400 samples; got 400 samples. Use at most 33 clusters per side" in message
    assert _required(message) == {2400}


@pytest.mark.parametrize(("shape", "n", "subsamples", "needed"),
                         [((10, 6, 6), 50, (2, 4), 240), ((10, 6, 6), 200, (2, 4), 240),
                          ((2, 20, 5), 30, (2, 3), 120), ((2, 20, 5), 100, (2, 3), 120)])
def test_both_wordings_name_the_samples_the_rule_needs(shape, n, subsamples, needed):
    with pytest.raises(ValueError) as info:
        check_sample_size(shape, n, method="eb-extrapolation", subsamples=subsamples)
    assert _required(str(info.value)) == {needed}  # max(subsamples) x n_y x max(n_t, n_s)
    check_sample_size(shape, needed, method="eb-extrapolation", subsamples=subsamples)  # enough
