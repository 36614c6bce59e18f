"""pid_from_representations(..., measure="gh-function-of-t") with the default 10 clusters ended in
the measure's own refusal, "source T has 10 symbols of positive mass ... Merge symbols first",
which names no option of the estimator. It now names the side and n_clusters=9, before any solve."""

import numpy as np
import pytest

from pidkit.estimate import pid_from_representations


def _data():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 1200)
    return y, np.eye(4)[y] * 2 + rng.normal(size=(1200, 4)), rng.normal(size=(1200, 5))


@pytest.mark.parametrize(("measure", "side"), [("gh-function-of-t", "t_features"),
                                               ("gh-function-of-s", "s_features")])
def test_too_many_clusters_for_the_partitions_name_n_clusters(measure, side):
    y, t, s = _data()
    with pytest.raises(ValueError) as refusal:
        pid_from_representations(y, t, s, measure=measure)
    assert str(refusal.value) == (
        f"measure={measure!r} enumerates the set partitions of {side}'s values, at most 9, and "
        f"{side} has 10 here: pass n_clusters=9 or fewer, or bound this reading with "
        "measure='wedge' (at most it) or 'broja' (at least it)."
    )


def test_the_advised_settings_answer():
    y, t, s = _data()
    fewer = pid_from_representations(y, t, s, measure="gh-function-of-t", n_clusters=6)
    assert fewer.shape == [4, 6, 6]
    wedge = pid_from_representations(y, t, s, measure="wedge", n_clusters=6)
    broja = pid_from_representations(y, t, s, measure="broja", n_clusters=6)
    assert wedge.plugin["red"] <= fewer.plugin["red"] + 1e-9 <= broja.plugin["red"] + 2e-9
    with pytest.raises(ValueError, match="labels with rare ones merged"):
        pid_from_representations(y, (y * 3 + s[:, 0].round().astype(int) % 3) % 10, s,
                                 measure="gh-function-of-t")
