"""The trainer's loaders read a TensorDataset (or a Subset of one) a batch at a time, giving the
batches a sample-by-sample read gives; a data set that does work per sample is read per sample."""

from __future__ import annotations

import pytest
import torch
from tiny_runs import tiny
from torch.utils.data import DataLoader, Subset, TensorDataset

from pidkit_distill.training.loaders import batch_sampler, eval_loader, train_loader
from pidkit_distill.training.runtime import Runtime


@pytest.fixture
def reads(monkeypatch) -> list[object]:
    """The indices every TensorDataset is read with from now on (one entry per read)."""
    seen: list[object] = []
    getitem = TensorDataset.__getitem__

    def counted(self, index):
        seen.append(index)
        return getitem(self, index)

    monkeypatch.setattr(TensorDataset, "__getitem__", counted)
    return seen


@pytest.fixture
def data():
    generator = torch.Generator().manual_seed(0)
    return TensorDataset(torch.randn(70, 3, generator=generator), torch.arange(70) % 4)


class PerSampleScaled(TensorDataset):
    """A user's TensorDataset whose ``__getitem__`` works on one sample: it scales it to norm 1."""

    def __getitem__(self, index):
        x, y = super().__getitem__(index)
        return x / x.norm(), y


def assert_read_as_by_sample(batches, dataset, loader) -> None:
    """``batches`` are the batches of ``loader``'s sampler read one sample at a time and
    collated."""
    by_sample = DataLoader(dataset, batch_sampler=batch_sampler(loader))
    for (x, y), (xs, ys) in zip(batches, by_sample, strict=True):
        assert torch.equal(x, xs) and torch.equal(y, ys)


def test_the_training_loader_reads_a_batch_at_a_time_the_batches_of_its_sampler(tmp_path, data,
                                                                                reads):
    config = tiny(tmp_path, "data.batch_size=32")
    loader = train_loader(data, config, Runtime.single(), torch.Generator().manual_seed(0))
    batch_sampler(loader).set_epoch(3)
    batches = list(loader)
    indices = list(batch_sampler(loader))
    assert reads == indices and [len(i) for i in indices] == [32, 32, 6]  # not 70 reads
    for (x, y), i in zip(batches, indices, strict=True):
        torch.testing.assert_close(x, data.tensors[0][i], rtol=0, atol=0)
        torch.testing.assert_close(y, data.tensors[1][i], rtol=0, atol=0)
    assert_read_as_by_sample(batches, data, loader)


@pytest.mark.parametrize(("rank", "world_size"), [(0, 1), (1, 3)])
def test_the_evaluation_loader_reads_its_share_a_batch_at_a_time(tmp_path, data, reads, rank,
                                                                 world_size):
    config = tiny(tmp_path, "data.eval_batch_size=16")
    runtime = Runtime(torch.device("cpu"), rank, world_size, rank, False)
    batches = list(eval_loader(data, config, runtime))
    mine = list(range(rank, 70, world_size))
    assert len(reads) == len(batches) == -(-len(mine) // 16)
    assert torch.equal(torch.cat([x for x, _ in batches]), data.tensors[0][mine])
    assert torch.equal(torch.cat([y for _, y in batches]), data.tensors[1][mine])


def test_a_subset_of_a_tensor_dataset_is_read_a_batch_at_a_time(tmp_path, data, reads):
    # random_split gives Subsets; Subset.__getitem__ passes a batch's indices on to its data set
    subset = Subset(data, list(range(69, -1, -2)))  # 35 samples, backwards
    config = tiny(tmp_path, "data.batch_size=16")
    loader = train_loader(subset, config, Runtime.single(), torch.Generator().manual_seed(0))
    batches = list(loader)
    assert len(reads) == len(batches) == 3
    assert_read_as_by_sample(batches, subset, loader)


def test_a_tensor_dataset_that_works_per_sample_is_read_per_sample(tmp_path, data):
    # read a batch at a time, each batch was scaled by the norm of the whole batch: a norm of
    # about 0.18 per row (1 / sqrt(32)) instead of 1, and no error
    scaled = PerSampleScaled(*data.tensors)
    config = tiny(tmp_path, "data.batch_size=32", "data.eval_batch_size=32")
    train = train_loader(scaled, config, Runtime.single(), torch.Generator().manual_seed(0))
    test = eval_loader(scaled, config, Runtime.single())
    for loader in (train, test):
        batches = list(loader)
        assert [len(y) for _, y in batches] == [32, 32, 6]
        for x, _ in batches:
            torch.testing.assert_close(x.norm(dim=1), torch.ones(len(x)))
        assert_read_as_by_sample(batches, scaled, loader)
