"""Fixtures shared by the trainer's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    """Run the test on one PyTorch thread: tiny models and small convolutions run far faster
    on one thread than on oversubscribed cores. Use it with
    ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``."""
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(saved)


@pytest.fixture
def tmp_path(tmp_path: Path) -> Path:
    """pytest's ``tmp_path`` one level down, a folder that holds nothing beside it: a teacher
    about to be trained into a ``run.out_dir`` names the same teacher finished in the folders
    beside it (:func:`~pidkit_distill.training.teacher_elsewhere.trained_elsewhere`), which for
    pytest's own ``tmp_path`` are the other tests' folders, so that a test's output would
    depend on which tests ran before it."""
    own = tmp_path / "own"
    own.mkdir()
    return own
