"""Bootstrap replicates and intervals (``pidkit.estimate.bootstrap``), serial, loky and Dask."""

from __future__ import annotations

import io

import joblib
import numpy as np
import pytest

from pidkit.estimate import (
    CI_METHODS,
    PIDStatistic,
    bootstrap,
    bootstrap_intervals,
    bootstrap_replicates,
    pid_from_representations,
)
from pidkit.estimate.correction import QUANTITIES
from pidkit.estimate.inputs import cells_of_samples


def _labels(n: int = 600, seed: int = 4):
    rng = np.random.default_rng(seed)
    t, s = rng.integers(0, 3, n), rng.integers(0, 3, n)
    y = np.where(rng.random(n) < 0.7, (t + s) % 3, rng.integers(0, 3, n))
    return y, t, s


def test_interval_formulas_basic_and_percentile():
    reps = np.array([[0.0, np.nan], [1.0, np.nan], [2.0, 5.0], [3.0, np.nan], [4.0, np.nan]])
    # deviations from the reference 1.0: -1..3, quartiles 0 and 2
    basic = bootstrap_intervals(reps, [10.0, 1.0], [1.0, 1.0], confidence=0.5, method="basic")
    pct = bootstrap_intervals(reps, [10.0, 1.0], [1.0, 1.0], confidence=0.5, method="percentile")
    assert basic[0] == pytest.approx((8.0, 10.0)) and pct[0] == pytest.approx((10.0, 12.0))
    assert basic[1] == pytest.approx((-3.0, -3.0)) and pct[1] == pytest.approx((5.0, 5.0))
    clipped = bootstrap_intervals(reps, [1.0, 1.0], [1.0, 1.0], confidence=0.5, method="basic", lower=0.0)
    assert clipped[1] == (0.0, 0.0)


def test_interval_formula_centred():
    # deviations from the replicates' own mean 2.0: -2..2, quartiles -1 and 1; the reference
    # (the plug-in) plays no part, so a biased bootstrap world does not move the interval.
    reps = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])
    for reference in ([1.0], [7.0], None):
        [(lo, hi)] = bootstrap_intervals(reps, [10.0], reference, confidence=0.5, method="centred")
        assert (lo, hi) == pytest.approx((9.0, 11.0))
    [(lo, hi)] = bootstrap_intervals(reps, [0.5], confidence=0.5, lower=0.0)
    assert (lo, hi) == pytest.approx((0.0, 1.5))
    with pytest.raises(ValueError, match="reference"):
        bootstrap_intervals(reps, [1.0], method="basic")
    assert bootstrap_intervals(np.full((3, 1), np.nan), [1.0], [1.0]) != [(1.0, 1.0)]


def test_an_alternative_estimate_stretches_the_interval_to_the_union():
    reps = np.array([[0.9], [1.0], [1.1], [1.2], [1.3]])
    for method in CI_METHODS:
        around = {
            x: bootstrap_intervals(reps, [x], [1.1], confidence=0.5, method=method)[0] for x in (1.0, 0.7)
        }
        both = bootstrap_intervals(reps, [1.0], [1.1], confidence=0.5, method=method, alternative=[0.7])[0]
        assert both == pytest.approx((around[0.7][0], around[1.0][1]))
        same = bootstrap_intervals(reps, [1.0], [1.1], confidence=0.5, method=method, alternative=[1.0])[0]
        assert same == pytest.approx(around[1.0])


def test_intervals_of_the_atoms_cover_the_n_half_alternative():
    # T and S: equally noisy copies of Y, independent given Y (equal channels, both Uni = 0).
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 400)
    t, s = (np.where(rng.random(400) < 0.7, y, rng.integers(0, 3, 400)) for _ in range(2))
    # random_state=0: kink 0.036 (partitions by the samples' positions, task 309; random_state=3
    # gave 0.0008, a kink too small to show)
    res = pid_from_representations(y, t, s, bootstrap=8, n_repeats=2, random_state=0)
    fix = res.correction
    assert fix.kink > 0.005
    boot = np.column_stack([res.bootstrap_samples[q] for q in QUANTITIES])
    estimate = [fix.corrected[q] for q in QUANTITIES]
    reference = [fix.plugin[q] for q in QUANTITIES]
    plain = dict(zip(QUANTITIES, bootstrap_intervals(boot, estimate, reference, lower=0.0), strict=True))
    for q, (lo, hi) in res.intervals.items():
        shift = fix.kink_corrected[q] - fix.corrected[q]
        assert lo == pytest.approx(max(0.0, plain[q][0] + min(shift, 0.0)), abs=1e-12), q
        assert hi == pytest.approx(max(0.0, plain[q][1] + max(shift, 0.0)), abs=1e-12), q
    said = " ".join(repr(res).split())
    assert "kink: both Uni are near 0" in said and "the intervals include that" in said


def test_replicates_use_one_child_seed_each():
    first = bootstrap_replicates(lambda rng: [rng.random()], 20, random_state=3)
    again = bootstrap_replicates(lambda rng: [rng.random()], 20, random_state=3)
    other = bootstrap_replicates(lambda rng: [rng.random()], 20, random_state=4)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert len(np.unique(first)) == 20


def test_corrected_replicates_are_identical_for_any_n_jobs_and_backend():
    # Same subsample partitions and resamples whatever runs them; the solves agree to well below
    # their certified tolerance (BLAS rounding may differ between processes).
    from distributed import Client, LocalCluster

    y, t, s = _labels()
    kwargs = {"n_clusters": 3, "bootstrap": 8, "random_state": 7, "n_repeats": 2}
    serial = pid_from_representations(y, t, s, n_jobs=1, **kwargs)
    processes = pid_from_representations(y, t, s, n_jobs=2, **kwargs)
    with LocalCluster(n_workers=2, processes=False, dashboard_address=None) as cluster, Client(cluster):
        with joblib.parallel_config(backend="dask"):
            dask = pid_from_representations(y, t, s, n_jobs=-1, **kwargs)
    for other in (processes, dask):
        assert other.correction.corrected == pytest.approx(serial.correction.corrected, abs=1e-9)
        for name, values in serial.bootstrap_samples.items():
            np.testing.assert_allclose(other.bootstrap_samples[name], values, rtol=0, atol=1e-9)
        np.testing.assert_allclose(list(other.intervals.values()), list(serial.intervals.values()), atol=1e-9)


def test_intervals_are_around_the_corrected_estimate():
    y, t, s = _labels(n=400, seed=5)
    res = pid_from_representations(y, t, s, bootstrap=30, n_repeats=2)
    assert res.settings["bootstrap_partitions"] == 1
    for name, (lo, hi) in res.intervals.items():
        value = max(getattr(res, name), 0.0)
        assert lo - 1e-9 <= value <= hi + 1e-9, name
    # The replicates went through the correction: their mean is near the plug-in, not below it.
    syn = res.bootstrap_samples["syn"]
    assert abs(np.nanmean(syn) - res.plugin["syn"]) < abs(np.nanmean(syn) - res.syn) + 0.2


def test_plugin_bootstrap_keeps_its_replicates():
    y, t, s = _labels()
    out = bootstrap(y, t, s, n_boot=12, random_state=7)
    statistic = PIDStatistic(_counts(y, t, s), sample_cells=cells_of_samples(y, t, s))
    direct = bootstrap_replicates(statistic, 12, random_state=7)
    np.testing.assert_allclose(out["samples"]["syn"], direct[:, 3], atol=1e-12)


def _counts(y, t, s):
    from pidkit import joint_from_samples

    return joint_from_samples(y, t, s).counts


class _Terminal(io.StringIO):
    """stderr of a terminal, recording what is written."""

    def isatty(self) -> bool:
        return True


def test_a_long_bootstrap_shows_its_progress_where_someone_watches(monkeypatch):
    # bootstrap=200 of 1,000 ImageNet classes took 4.5 s per replicate (1.3 s now), 15 minutes
    # with nothing on the screen. The bar appears after a second (0 here), for any n_jobs.
    import sys

    from pidkit import _progress

    monkeypatch.setattr(_progress, "AUTO_DELAY_S", 0.0)
    y, t, s = _labels(n=400, seed=5)
    for n_jobs in (1, 2):
        terminal = _Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        res = pid_from_representations(y, t, s, bootstrap=20, n_repeats=2, n_jobs=n_jobs)
        assert res.settings["bootstrap"] == 20
        shown = terminal.getvalue()
        assert "bootstrap:   0%|          | 0/20 [" in shown, shown  # removed when done
    log = io.StringIO()  # a log file: no bar
    monkeypatch.setattr(sys, "stderr", log)
    bootstrap_replicates(lambda rng: [rng.random()], 20)
    assert log.getvalue() == ""
    bootstrap_replicates(lambda rng: [rng.random()], 20, progress=True)
    assert "0/20 [" in log.getvalue()


def _fails_at_third(rng: np.random.Generator, error: type[BaseException], seen: list[int]) -> list[float]:
    seen.append(1)
    if len(seen) == 3:
        raise error("stop")
    return [rng.random()]


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_the_bar_is_removed_when_a_replicate_raises_or_is_interrupted(monkeypatch, error):
    # A bar left on the screen would run into the traceback's first line (or the next prompt).
    import sys
    from functools import partial

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with pytest.raises(error, match=r"^stop$") as caught:  # its traceback keeps the frames alive:
        bootstrap_replicates(partial(_fails_at_third, error=error, seen=[]), 20, n_jobs=1, progress=True)
    assert caught.traceback  # the bar is not closed by being garbage collected
    text = terminal.getvalue()
    assert "0/20 [" in text
    last = text.rstrip("\r").rsplit("\r", 1)[-1]
    assert text.endswith("\r") and last.strip() == "", repr(text[-120:])  # cleared


def test_pid_from_representations_sets_the_bar_for_either_estimator(capsys):
    # progress= reaches the Gaussian estimator's replicates too, which pidkit.gaussian runs.
    # stderr here is not a terminal: only progress=True shows.
    y, t, s = _labels(n=400, seed=5)
    features = np.column_stack([t, s]) + np.random.default_rng(0).normal(size=(400, 2))
    for estimator in ("discrete", "gaussian"):
        for progress in (False, True):
            pid_from_representations(y, features, s, estimator=estimator, bootstrap=16, n_components=2,
                                     normalize=None, progress=progress)
            shown = capsys.readouterr().err
            assert ("bootstrap:   0%|          | 0/16 [" in shown) is progress, (estimator, progress)
    with pytest.raises(TypeError, match=r"^progress must be True, False or None; got 1 \(int\)\.$"):
        pid_from_representations(y, t, s, progress=1)


def test_the_plugin_bootstrap_takes_progress_too(capsys):
    # bootstrap(y, t, s) runs 1,000 replicates by default and drew the bar wherever a person
    # watched, with no progress= to turn it off (or on), unlike pid_from_representations.
    y, t, s = _labels(n=400, seed=5)
    shown = {}
    for progress in (None, False, True):
        out = bootstrap(y, t, s, n_boot=16, progress=progress)
        shown[progress] = capsys.readouterr().err
        assert out["samples"]["syn"].shape == (16,)
    assert shown[None] == shown[False] == ""  # stderr is not a terminal here
    assert "bootstrap:   0%|          | 0/16 [" in shown[True]
    with pytest.raises(TypeError, match=r"^progress must be True, False or None; got 'on' \(str\)\.$"):
        bootstrap(y, t, s, n_boot=16, progress="on")


def test_replicates_run_under_joblibs_multiprocessing_backend_too():
    # The bar takes results as they arrive (joblib's return_as="generator"), which the
    # "multiprocessing" backend refuses: there they come all at the end, as before.
    statistic = PIDStatistic(_counts(*_labels()))
    with joblib.parallel_config(backend="multiprocessing"):
        reps = bootstrap_replicates(statistic, 16, random_state=7, n_jobs=2)
    np.testing.assert_allclose(reps, bootstrap_replicates(statistic, 16, random_state=7), atol=1e-9)
