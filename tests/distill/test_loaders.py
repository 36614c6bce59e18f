"""The trainer's loaders read a TensorDataset a batch at a time, giving the batches a
sample-by-sample read gives."""

from __future__ import annotations

import pytest
import torch
from tiny_runs import tiny
from torch.utils.data import DataLoader, TensorDataset

from pidkit_distill.training.loaders import batch_sampler, eval_loader, train_loader
from pidkit_distill.training.runtime import Runtime


class CountedReads(TensorDataset):
    """A TensorDataset that counts its reads (one per ``dataset[index]``)."""

    reads = 0

    def __getitem__(self, index):
        CountedReads.reads += 1
        return super().__getitem__(index)


@pytest.fixture
def data():
    CountedReads.reads = 0
    generator = torch.Generator().manual_seed(0)
    return CountedReads(torch.randn(70, 3, generator=generator), torch.arange(70) % 4)


def test_the_training_loader_reads_a_batch_at_a_time_the_batches_of_its_sampler(tmp_path, data):
    config = tiny(tmp_path, "data.batch_size=32")
    loader = train_loader(data, config, Runtime.single(), torch.Generator().manual_seed(0))
    batch_sampler(loader).set_epoch(3)
    batches = list(loader)
    assert CountedReads.reads == 3  # 70 samples in batches of 32: one read per batch, not 70
    indices = list(batch_sampler(loader))
    assert [len(i) for i in indices] == [32, 32, 6]
    for (x, y), i in zip(batches, indices, strict=True):
        torch.testing.assert_close(x, data.tensors[0][i], rtol=0, atol=0)
        torch.testing.assert_close(y, data.tensors[1][i], rtol=0, atol=0)
    by_sample = DataLoader(data, batch_sampler=batch_sampler(loader))
    for (x, y), (xs, ys) in zip(batches, by_sample, strict=True):
        assert torch.equal(x, xs) and torch.equal(y, ys)


@pytest.mark.parametrize(("rank", "world_size"), [(0, 1), (1, 3)])
def test_the_evaluation_loader_reads_its_share_a_batch_at_a_time(tmp_path, data, rank,
                                                                 world_size):
    config = tiny(tmp_path, "data.eval_batch_size=16")
    runtime = Runtime(torch.device("cpu"), rank, world_size, rank, False)
    batches = list(eval_loader(data, config, runtime))
    mine = list(range(rank, 70, world_size))
    assert CountedReads.reads == len(batches) == -(-len(mine) // 16)
    assert torch.equal(torch.cat([x for x, _ in batches]), data.tensors[0][mine])
    assert torch.equal(torch.cat([y for _, y in batches]), data.tensors[1][mine])
