"""benchmarks/estimate.py draws one bar (its widths x steps), not the bootstrap's inside it."""

from __future__ import annotations

import pidkit.estimate
from benchmarks import estimate


def test_the_benchmarks_bootstrap_draws_no_bar_of_its_own(monkeypatch):
    # Its bootstrap(...) took the default progress=None, which draws a bar on a terminal once the
    # replicates take a second: a second bar inside the benchmark's own (B=20 of a wide layer).
    calls = []
    real = pidkit.estimate.bootstrap

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(pidkit.estimate, "bootstrap", spy)
    table = estimate.main(["--n", "400", "--widths", "10", "--bootstrap", "2"])
    assert "bootstrap B=2, n_jobs=1" in table
    assert [c.get("progress", "not given") for c in calls] == [False]
