"""Inputs that hold NaN or an infinity are refused when the run loads its data, naming the data
set, the split and the first such sample (one line, exit status 2): a NaN in a training row
used to stop the run with "the training loss became NaN or infinite ...; lower teacher.lr or
optim.grad_clip", and one in a held-out row was counted in silence, the teacher cached, and the
audit failed with "t_features contains 64 NaN", naming no data."""

from __future__ import annotations

import textwrap

import pytest
import torch
from tiny_runs import loader_module
from torch.utils.data import ConcatDataset, Dataset, Subset, TensorDataset, random_split

from pidkit_distill import DatasetBundle, load_config, register_dataset
from pidkit_distill.cli import main
from pidkit_distill.training.loaders import DataError, load_data

pytestmark = pytest.mark.usefixtures("one_torch_thread")

LOADER = textwrap.dedent("""
    import torch
    from torch.utils.data import TensorDataset
    from pidkit_distill import DatasetBundle, register_dataset

    @register_dataset("holed-blobs")
    def blobs(*, seed=0, n=96, nan_row=-1, inf_row=-1):
        generator = torch.Generator().manual_seed(seed)
        y = torch.arange(n) % 2
        x = torch.randn(n, 12, generator=generator) + y[:, None].float()
        if nan_row >= 0:
            x[nan_row, 3] = float("nan")
        if inf_row >= 0:
            x[inf_row, 0] = float("inf")
        return DatasetBundle(TensorDataset(x[:64], y[:64]), TensorDataset(x[64:], y[64:]),
                             num_classes=2, input_shape=(12,))
""")

RUN = ["--import", "holed_blobs.py", "--data", "holed-blobs", "--model.teacher",
       "synthetic-teacher", "--teacher.epochs", "1", "--run.threads", "1"]
STUDENT = ["--model.student", "synthetic-student", "--epochs", "1"]


@pytest.fixture
def registered(monkeypatch, tmp_path):
    """The loader's module in the test's folder; the data sets it registers end with the test."""
    yield from loader_module(monkeypatch, tmp_path, "holed_blobs", LOADER)


# the data's options, the student's arguments (train alone) -> where the message says
CASES = {
    "nan-in-a-training-row": (["nan_row=5"], ["--method", "kd", "--audit-every", "0"],
                              "sample 5 of its train split"),
    "nan-and-inf-in-training-rows": (["nan_row=7", "inf_row=40"], [],
                                     "sample 7 of its train split (and 1 more of its 64)"),
    "inf-in-a-held-out-row-audited": (["inf_row=67"], [], "sample 3 of its test split"),
}


@pytest.mark.parametrize("command", ["train", "train-teacher"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_non_finite_inputs_of_a_loader_are_one_line_naming_the_sample(tmp_path, capsys,
                                                                       registered, command,
                                                                       case):
    options, student, where = CASES[case]
    argv = [command, *RUN, *(arg for option in options for arg in ("--data.options", option)),
            *(STUDENT + student if command == "train" else []),
            "--out-dir", str(tmp_path / "runs")]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill {command}: error: data.name: data set 'holed-blobs' gives NaN or "
        f"infinite inputs: {where}; drop or repair them in its loader (torch.isfinite(x) finds "
        "them)\n")
    assert not (tmp_path / "runs").exists()  # no teacher cached, no run folder


def _bundle_of(train: Dataset, test: Dataset) -> DatasetBundle:
    return DatasetBundle(train, test, num_classes=2, input_shape=(3,))


class Samples(Dataset):
    """A data set of one's own, read sample by sample."""

    def __init__(self, x: torch.Tensor) -> None:
        self.x = x

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return self.x[index], index % 2


def test_the_split_s_own_sample_number_is_named_through_subsets(registered):
    # random_split's Subsets share one tensor: a NaN in a held-out row names that split and
    # that sample's place in it, through a Subset of a Subset too
    x, y = torch.zeros(40, 3), torch.arange(40) % 2
    train, test = random_split(TensorDataset(x, y), [30, 10],
                               generator=torch.Generator().manual_seed(0))
    x[test.indices[6], 2] = float("nan")
    x[test.indices[8], 0] = float("-inf")
    outer = Subset(test, [9, 8, 7, 6, 5])  # the 8th and 6th held-out samples at places 1 and 3

    @register_dataset("split-blobs")
    def split_blobs(*, seed=0, nested=False):
        return _bundle_of(train, outer if nested else test)

    config = load_config(overrides=["data.name=split-blobs"])
    with pytest.raises(DataError, match="inputs: sample 6 of its test split \\(and 1 more of its "
                                        "10\\); drop"):
        load_data(config)
    with pytest.raises(DataError, match="inputs: sample 1 of its test split \\(and 1 more of its "
                                        "5\\); drop"):
        load_data(load_config(overrides=["data.name=split-blobs", "data.options.nested=true"]))


def test_each_part_of_a_concatenated_data_set_is_checked_whole(registered):
    # a ConcatDataset was checked by its first sample only: a NaN in its second part stopped
    # the run in training ("the training loss became NaN or infinite ...")
    x = torch.zeros(12, 3)
    x[5, 1] = float("nan")
    parts = [TensorDataset(torch.zeros(20, 3), torch.arange(20) % 2),
             TensorDataset(x, torch.arange(12) % 2)]

    @register_dataset("joined-blobs")
    def joined(*, seed=0, subset=False):
        train = ConcatDataset(parts)
        return _bundle_of(Subset(train, [0, 25, 1]) if subset else train, parts[0])

    with pytest.raises(DataError, match="inputs: sample 25 of its train split; drop"):
        load_data(load_config(overrides=["data.name=joined-blobs"]))
    with pytest.raises(DataError, match="inputs: sample 1 of its train split; drop"):
        load_data(load_config(overrides=["data.name=joined-blobs", "data.options.subset=true"]))


def test_a_data_set_of_ones_own_is_checked_by_its_first_sample(registered):
    x = torch.zeros(8, 3)
    x[0, 1] = float("nan")

    @register_dataset("own-samples")
    def own(*, seed=0, first=True):
        return _bundle_of(Samples(x if first else x.roll(1, 0)), Samples(torch.zeros(4, 3)))

    with pytest.raises(DataError, match="inputs: sample 0 of its train split; drop"):
        load_data(load_config(overrides=["data.name=own-samples"]))
    # the rest is not read (a decoder, an augmentation per sample: it could take long)
    bundle = load_data(load_config(overrides=["data.name=own-samples", "data.options.first=false"]))
    assert torch.isnan(bundle.train[1][0]).any()


def test_a_split_of_a_data_set_of_ones_own_is_checked_by_its_own_first_sample(registered):
    # random_split of one's own Dataset: each split (a Subset) is checked by its own first
    # sample, as a data set of one's own is; 106ec49 read the whole set's first sample instead
    # and kept it only where the split holds it, so a NaN first held-out sample passed
    x = torch.zeros(8, 3)
    x[6, 1] = float("nan")

    @register_dataset("own-split")
    def own(*, seed=0):
        return _bundle_of(Subset(Samples(x), range(6)), Subset(Samples(x), [6, 7]))

    with pytest.raises(DataError, match="inputs: sample 0 of its test split; drop"):
        load_data(load_config(overrides=["data.name=own-split"]))


def test_finite_inputs_whose_sum_overflows_pass(registered):
    # the check looks at each value: float32's largest values, whose sum is infinite, are finite
    @register_dataset("huge-values")
    def huge(*, seed=0):
        x = torch.full((8, 3), torch.finfo(torch.float32).max)
        x[::2] *= -1
        data = TensorDataset(x, torch.arange(8) % 2)
        return _bundle_of(data, Subset(data, [1, 2]))

    assert torch.isinf(torch.full((8, 3), torch.finfo(torch.float32).max).sum())
    bundle = load_data(load_config(overrides=["data.name=huge-values"]))
    assert (len(bundle.train), len(bundle.test)) == (8, 2)
