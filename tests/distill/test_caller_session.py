"""``train`` and ``train_teacher`` leave the caller's session as they found it: a notebook goes on
after a run, on the threads and random streams it had."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch
from tiny_runs import tiny

from pidkit_distill.training import train, train_teacher


def _draws() -> tuple[float, float, float]:
    return random.random(), float(np.random.random()), float(torch.rand(()))  # noqa: NPY002


def _seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002
    torch.manual_seed(seed)


@pytest.mark.parametrize("call", [train, train_teacher], ids=["train", "train_teacher"])
def test_a_run_leaves_the_callers_threads_and_random_streams(tmp_path, call):
    # train set torch.set_num_threads(run.threads) for good (a notebook's later cells ran on one
    # thread) and left the global streams seeded with run.seed
    threads = torch.get_num_threads()
    wanted = 2 if threads == 1 else 1
    _seed(123)
    expected = _draws()
    _seed(123)
    try:
        call(tiny(tmp_path, "run.epochs=1", "teacher.epochs=1", f"run.threads={wanted}"))
        assert torch.get_num_threads() == threads
        assert _draws() == expected
    finally:
        torch.set_num_threads(threads)


def test_a_failed_run_leaves_them_too(tmp_path, monkeypatch):
    from pidkit_distill.training import loop

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(loop, "train_one_epoch", interrupted)
    threads = torch.get_num_threads()
    wanted = 2 if threads == 1 else 1
    _seed(5)
    expected = _draws()
    _seed(5)
    try:
        with pytest.raises(KeyboardInterrupt):
            train(tiny(tmp_path, "run.epochs=1", f"run.threads={wanted}"))
        assert torch.get_num_threads() == threads
        assert _draws() == expected
    finally:
        torch.set_num_threads(threads)
