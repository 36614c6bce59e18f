"""The README says how to get bootstrap intervals from pid_from_representations: its default,
bootstrap=0, computes none (walk t-494: the README said it "adds bootstrap intervals")."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from pidkit.estimate import pid_from_representations

README = Path(__file__).resolve().parents[1] / "README.md"


def _mentions() -> list[str]:
    """The README's sentences (up to a colon or full stop) that speak of bootstrap intervals."""
    text = re.sub(r"\s*\n\s*#?\s*", " ", README.read_text(encoding="utf-8"))
    return [part for part in re.split(r"(?<=[.:])\s", text) if "bootstrap intervals" in part]


def test_every_mention_of_bootstrap_intervals_says_to_pass_bootstrap():
    mentions = _mentions()
    assert mentions
    for sentence in mentions:
        assert re.search(r"bootstrap=[1-9]\d*", sentence), sentence


def test_the_default_gives_none_and_bootstrap_gives_an_interval_around_each_atom():
    rng = np.random.default_rng(0)
    y, t, s = rng.integers(0, 2, (3, 400))
    assert pid_from_representations(y, t, s).intervals is None
    result = pid_from_representations(y, t, s, bootstrap=20)
    assert set(result.intervals) >= {"red", "uni_t", "uni_s", "syn"}
    assert all(low <= high for low, high in result.intervals.values())
