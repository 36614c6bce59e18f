"""Fixtures shared by the trainer's tests."""

from __future__ import annotations

from collections.abc import Iterator

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
