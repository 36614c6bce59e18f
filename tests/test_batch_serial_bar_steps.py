"""A serial bertschinger_batch advances its bar every few joints, not once at the end of a chunk of
256: 200 slow joints showed 0 % until all were done."""

from __future__ import annotations

import contextlib

import numpy as np

import pidkit
import pidkit.broja.batch as batch_module


class _RecordingBar:
    def __init__(self) -> None:
        self.steps: list[int] = []

    def update(self, n: int) -> None:
        self.steps.append(n)


def _record_bar(monkeypatch) -> _RecordingBar:
    bar = _RecordingBar()

    @contextlib.contextmanager
    def fake_progress_bar(progress, **kwargs):
        yield bar

    monkeypatch.setattr(batch_module, "progress_bar", fake_progress_bar)
    return bar


def test_serial_bar_advances_per_sixteen_joints_of_10x10x10(monkeypatch):
    bar = _record_bar(monkeypatch)
    rng = np.random.default_rng(0)
    ps = [rng.dirichlet(np.ones(1000)).reshape(10, 10, 10) for _ in range(200)]
    results = pidkit.bertschinger_batch(ps, n_jobs=1, progress=True)
    assert bar.steps == [16] * 12 + [8]
    # the batch solves stacks of joints: its BLAS calls may round otherwise than a single solve's
    np.testing.assert_allclose([r.syn for r in results[::50]],
                               [pidkit.bertschinger(p).syn for p in ps[::50]], rtol=1e-12, atol=1e-14)


def test_serial_bar_advances_per_joint_of_a_large_one(monkeypatch):
    bar = _record_bar(monkeypatch)
    ps = [np.full((30, 30, 30), 1 / 27000)] * 3
    pidkit.bertschinger_batch(ps, n_jobs=1, progress=True)
    assert bar.steps == [1, 1, 1]


def test_small_joints_still_go_256_at_a_time(monkeypatch):
    bar = _record_bar(monkeypatch)
    pidkit.bertschinger_batch([pidkit.examples.and_()] * 300, n_jobs=1, progress=True)
    assert bar.steps == [256, 44]
