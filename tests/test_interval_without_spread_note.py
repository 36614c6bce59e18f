"""A bootstrap interval of no width says so (t-351 finding 4).

Three labels, n = 400, a student whose clusters hold nothing of Y beyond the teacher's: every one
of 20 bootstrap replicates of Uni(Y:S\\T) lay within 1.4e-12 bits of 0, so the centred 95 %
interval was the estimate alone, ``[0.000026, 0.000026]``, printed without a word, as if the
value were certain to 6 decimals. The interval stays as the method makes it; the repr now says
that its replicates had no spread.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from pidkit.estimate import RepresentationPID, pid_from_representations

# the note of a repr whose bootstrap replicates of uni_s all lay at 0, with ``B`` to fill in
NO_SPREAD_NOTE = ("note: every bootstrap replicate of uni_s was 0 (B={}): an interval made of "
                  "their spread has no width, which is no certainty: too few resamples, or a "
                  "value pinned at a bound in every one")


def repr_words(result: object) -> str:
    """The repr with its wrapped lines joined, single-spaced: the words a reader reads."""
    return " ".join(repr(result).split())


def pinned_uni_s_estimate() -> RepresentationPID:
    """Three labels, n = 400, a student whose clusters hold nothing of Y beyond the teacher's,
    20 bootstrap replicates: every replicate of Uni(Y:S\\T) lies at 0."""
    rng = np.random.default_rng(0)
    n = 400
    y = rng.integers(0, 3, n)
    t = rng.normal(size=(3, 16))[y] + rng.normal(size=(n, 16))
    s = rng.normal(size=(3, 8))[y] + 2 * rng.normal(size=(n, 8))
    return pid_from_representations(y, t, s, random_state=0, bootstrap=20)


@pytest.fixture(scope="module")
def pinned_uni_s():
    return pinned_uni_s_estimate()


def test_an_interval_of_replicates_without_spread_gets_a_note(pinned_uni_s):
    res = pinned_uni_s
    replicates = res.bootstrap_samples["uni_s"]
    assert replicates.size == 20 and np.abs(replicates).max() < 1e-9  # every replicate at 0
    low, high = res.intervals["uni_s"]
    assert low == pytest.approx(res.uni_s, abs=1e-9) and high == pytest.approx(res.uni_s, abs=1e-9)
    assert res.uni_s > 1e-6  # the method's interval, kept: the estimate alone
    assert NO_SPREAD_NOTE.format(20) in repr_words(res)


def test_quantities_whose_replicates_spread_get_no_such_note(pinned_uni_s):
    res = pinned_uni_s
    assert np.ptp(res.bootstrap_samples["red"]) > 0.05
    assert "replicate of red" not in repr_words(res)
    # A spread restored to uni_s's replicates takes the note away; one failed replicate (NaN) is
    # left out, as the intervals leave it out.
    spread = {**res.bootstrap_samples, "uni_s": np.r_[np.linspace(0.0, 0.01, 19), np.nan]}
    assert "every bootstrap replicate" not in repr_words(dataclasses.replace(res, bootstrap_samples=spread))
    pinned = {**res.bootstrap_samples, "red": np.r_[np.full(19, 0.25), np.nan]}
    assert "every bootstrap replicate of red was 0.25, of uni_s was 0 (B=20)" in repr_words(
        dataclasses.replace(res, bootstrap_samples=pinned))
