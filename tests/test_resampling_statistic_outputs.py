"""What a user's own bootstrap statistic returns is checked (pidkit.resampling.bootstrap_replicates):
a statistic that forgot its ``return`` gave replicates of NaN and intervals of (nan, nan) without a
word; text or a dict gave numpy's "could not convert string to float: 'a'"; vectors of different
lengths numpy's "inhomogeneous shape after 1 dimensions"."""

from __future__ import annotations

import re

import numpy as np
import pytest

from pidkit.estimate import bootstrap_intervals, bootstrap_replicates

SAMPLE = np.arange(10.0)


def _mean_without_return(rng: np.random.Generator) -> None:
    SAMPLE[rng.integers(0, SAMPLE.size, SAMPLE.size)].mean()


class _WiderAfter:
    """One number for the first ``calls`` replicates, two after (run serially, in order)."""

    def __init__(self, calls: int) -> None:
        self.calls = calls

    def __call__(self, rng: np.random.Generator) -> list[float]:
        self.calls -= 1
        return [rng.random()] if self.calls >= 0 else [rng.random(), 0.0]


# With workers, the replicate named is the first of whichever chunk of 8 fails first.
@pytest.mark.parametrize(("n_jobs", "first"), [(1, "0"), (2, "(0|8|16)")])
def test_a_statistic_without_return_is_named_not_turned_into_nan_intervals(n_jobs, first):
    with pytest.raises(TypeError) as caught:
        bootstrap_intervals(bootstrap_replicates(_mean_without_return, 20, n_jobs=n_jobs), [4.5])
    assert re.fullmatch(
        f"statistic returned None for bootstrap replicate {first}; it must return its numbers as a "
        r"vector \(NaN for those it could not compute\)\. Does it end without a return statement\?",
        str(caught.value),
    ), str(caught.value)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ("a", TypeError, "statistic returned a str for bootstrap replicate 0 ('a'); it must return its "
                         "numbers as a vector (NaN for those it could not compute)."),
        ({"mean": 1.0}, TypeError, "statistic returned a dict for bootstrap replicate 0 ({'mean': 1.0}); "
                                   "it must return its numbers as a vector (NaN for those it could not "
                                   "compute)."),
        ([], ValueError, "statistic returned no numbers for bootstrap replicate 0; it must return its "
                         "numbers as a vector (NaN for those it could not compute)."),
    ],
)
def test_a_statistic_that_returns_no_vector_of_numbers_is_named(value, error, message):
    with pytest.raises(error) as caught:
        bootstrap_replicates(lambda rng: value, 3)
    assert str(caught.value) == message


@pytest.mark.parametrize(("calls", "second"), [(2, 2), (8, 8)])  # within the first chunk of 8; in the next
def test_replicates_of_different_lengths_name_the_first_that_differs(calls, second):
    with pytest.raises(ValueError) as caught:
        bootstrap_replicates(_WiderAfter(calls), 20, n_jobs=1)
    assert str(caught.value) == (
        f"statistic returned 1 number(s) for bootstrap replicate 0 but 2 for replicate {second}; it "
        "must return the same quantities, in the same order, every time (NaN for those it could not "
        "compute)."
    )

