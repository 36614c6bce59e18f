"""Labels the trainer cannot train on are refused when the run loads its data, before any work
(no teacher trained, no run folder), in one line naming the data set, the split, the first bad
sample and the fix (exit status 2). They used to end in a 29-line torch traceback, exit 1, and a
half-written run folder: int32 labels in "expected target dtype to be Long or Byte, but got
Int", labels of shape (N, 1) in "0D or 1D target tensor expected", a label past num_classes
after sample 0 in "IndexError: Target 4 is out of bounds" once the teacher had trained (on CUDA
a device-side assert). uint8 labels, which torch's cross-entropy takes, train."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
import torch
from tiny_runs import loader_module
from torch.utils.data import ConcatDataset, Dataset, Subset, TensorDataset, random_split

from pidkit_distill import DatasetBundle, load_config, load_dataset, register_dataset
from pidkit_distill.cli import main
from pidkit_distill.training.loaders import DataError, load_data

pytestmark = pytest.mark.usefixtures("one_torch_thread")

LOADER = textwrap.dedent("""
    import torch
    from torch.utils.data import TensorDataset
    from pidkit_distill import DatasetBundle, register_dataset

    @register_dataset("labelled-blobs")
    def blobs(*, seed=0, dtype="int64", column=False, shift=0, bad_row=-1, bad_label=0):
        generator = torch.Generator().manual_seed(seed)
        y = torch.arange(96) % 4 + shift
        y[0] = 0  # the first sample of the training split is right
        y[64] = 0  # and of the held-out split
        if bad_row >= 0:
            y[bad_row] = bad_label
        x = torch.randn(96, 12, generator=generator) + y[:, None].float()
        y = y.to(getattr(torch, dtype))
        y = y[:, None] if column else y
        return DatasetBundle(TensorDataset(x[:64], y[:64]), TensorDataset(x[64:], y[64:]),
                             num_classes=4, input_shape=(12,))
""")

RUN = ["--import", "labelled_blobs.py", "--data", "labelled-blobs", "--model.teacher",
       "synthetic-teacher", "--teacher.epochs", "1", "--run.threads", "1"]
STUDENT = ["--model.student", "synthetic-student", "--epochs", "1", "--audit-every", "0"]

FIRST = ("data.name: the loader registered as 'labelled-blobs': train[0] must be a pair (x, y) with "
         "y an int label in [0, 4) (an int, or an int64 or uint8 tensor of shape ()); y is ")
OUTSIDE = ("data.name: data set 'labelled-blobs' gives labels outside [0, 4) (its "
           "num_classes=4): ")
RENUMBER = ("; labels must be integers in [0, 4): number the classes from 0 in its loader (y - "
            "y.min()), or return a num_classes above its largest label")

# the data's options -> the message
BAD_LABELS = {
    "int32": (["dtype=int32"], FIRST + "a torch.int32 tensor: return y.long() from the loader."),
    "int16": (["dtype=int16"], FIRST + "a torch.int16 tensor: return y.long() from the loader."),
    "float": (["dtype=float32"],
              FIRST + "a torch.float32 tensor: return y.long() from the loader (if the floats are "
              "class numbers: a score or a probability is no class, and would be cut to one)."),
    "shape (N, 1)": (["column=true"],
                     FIRST + "a torch.int64 tensor of shape (1,): give one label per sample, y "
                             "of shape (N,) (y.flatten() of an (N, 1) y)."),
    "1..4 for 4 classes": (["shift=1"], OUTSIDE + "sample 3 of its train split has label 4 "
                                                  "(and 15 more of its 64)" + RENUMBER),
    "one past num_classes in the held-out split": (
        ["bad_row=70", "bad_label=4"],
        OUTSIDE + "sample 6 of its test split has label 4" + RENUMBER),
    "a negative label": (["bad_row=9", "bad_label=-1"],
                         OUTSIDE + "sample 9 of its train split has label -1" + RENUMBER),
}


@pytest.fixture
def registered(monkeypatch, tmp_path):
    """The loader's module in the test's folder; the data sets it registers end with the test."""
    yield from loader_module(monkeypatch, tmp_path, "labelled_blobs", LOADER)


@pytest.mark.parametrize("command", ["train", "train-teacher"])
@pytest.mark.parametrize("case", sorted(BAD_LABELS))
def test_bad_labels_of_a_loader_are_one_line_before_any_work(tmp_path, capsys, registered,
                                                             command, case):
    options, message = BAD_LABELS[case]
    argv = [command, *RUN, *(arg for option in options for arg in ("--data.options", option)),
            *(STUDENT if command == "train" else []), "--out-dir", str(tmp_path / "runs")]
    assert main(argv) == 2
    assert capsys.readouterr().err == f"pidkit-distill {command}: error: {message}\n"
    assert not (tmp_path / "runs").exists()  # no teacher cached, no run folder


def test_uint8_labels_which_cross_entropy_takes_train(tmp_path, capsys, registered):
    argv = ["train", *RUN, "--data.options", "dtype=uint8", *STUDENT,
            "--teacher", "untrained", "--out-dir", str(tmp_path / "runs")]
    assert main(argv) == 0
    assert "last acc " in capsys.readouterr().out


def _bundle_of(train: Dataset, test: Dataset) -> DatasetBundle:
    return DatasetBundle(train, test, num_classes=2, input_shape=(3,))


def test_the_split_s_own_sample_number_is_named_through_subsets(registered):
    # random_split's Subsets share one tensor: a bad label names that split's sample, and one
    # in a row that no split holds is never trained on, so it is not refused
    x, y = torch.zeros(40, 3), torch.arange(40) % 2
    train, test = random_split(TensorDataset(x, y), [30, 10],
                               generator=torch.Generator().manual_seed(0))
    unused = Subset(train, range(1, 30))

    @register_dataset("split-labels")
    def split_labels(*, seed=0, whole=True):
        return _bundle_of(train if whole else unused, test)

    y[train.indices[0]] = 2
    bundle = load_data(load_config(overrides=["data.name=split-labels",
                                              "data.options.whole=false"]))
    assert len(bundle.train) == 29
    y[test.indices[6]] = 7
    y[test.indices[8]] = 2
    with pytest.raises(DataError, match=r"^data\.name: data set 'split-labels' gives labels "
                                        r"outside \[0, 2\) \(its num_classes=2\): sample 6 of "
                                        r"its test split has label 7 \(and 1 more of its 10\); "):
        load_data(load_config(overrides=["data.name=split-labels", "data.options.whole=false"]))


def test_each_part_of_a_concatenated_data_set_is_checked_whole(registered):
    # a ConcatDataset of TensorDatasets was checked by its first sample only: a bad label in
    # its second part met torch's "Target 2 is out of bounds" once the teacher had trained.
    # The sample named is its place in the whole split, through Subsets and nesting.
    first = TensorDataset(torch.zeros(20, 3), torch.arange(20) % 2)
    y = torch.arange(12) % 2
    y[5], y[9] = 2, -1
    second = TensorDataset(torch.zeros(12, 3), y)
    splits = {
        "concat": ConcatDataset([first, second]),  # samples 25 and 29
        "subset-of-concat": Subset(ConcatDataset([first, second]), [3, 29, 0, 25]),  # 1, 3
        "concat-of-subset": ConcatDataset([first, Subset(second, [0, 9, 5])]),  # 21, 22
        "nested": ConcatDataset([Samples([0, 1, 0]), ConcatDataset([first, second])]),  # 28, 32
    }

    @register_dataset("joined-labels")
    def joined(*, seed=0, kind="concat"):
        return _bundle_of(splits[kind], TensorDataset(torch.zeros(4, 3), torch.arange(4) % 2))

    for kind, (sample, label, n) in {"concat": (25, 2, 32), "subset-of-concat": (1, -1, 4),
                                     "concat-of-subset": (21, -1, 23),
                                     "nested": (28, 2, 35)}.items():
        with pytest.raises(DataError, match=(
                r"^data\.name: data set 'joined-labels' gives labels outside \[0, 2\) \(its "
                rf"num_classes=2\): sample {sample} of its train split has label {label} \(and 1 "
                rf"more of its {n}\); labels must be integers in \[0, 2\)")):
            load_data(load_config(overrides=["data.name=joined-labels",
                                             f"data.options.kind={kind}"]))
    y[5], y[9] = 1, 0
    assert len(load_data(load_config(overrides=["data.name=joined-labels",
                                                "data.options.kind=nested"])).train) == 35


class Samples(Dataset):
    """A data set of one's own, read sample by sample."""

    def __init__(self, labels: list[int], *, numpy: bool = False) -> None:
        self.labels, self.numpy = labels, numpy

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor | np.ndarray, int]:
        x = np.zeros(3, dtype=np.float32) if self.numpy else torch.zeros(3)
        return x, self.labels[index]


def test_a_data_set_of_ones_own_is_checked_by_its_first_sample(registered):
    @register_dataset("own-labels")
    def own(*, seed=0, first=5, numpy=False):
        return _bundle_of(Samples([first, 1, 5, 0], numpy=numpy), Samples([0, 1]))

    with pytest.raises(ValueError, match=r"^the loader registered as 'own-labels': train\[0\] "
                                         r"must be a pair \(x, y\) with y an int label in \[0, "
                                         r"2\) \(.*\); y is 5: number the classes from 0"):
        load_dataset("own-labels")
    # the rest is not read (a decoder, an augmentation per sample: it could take long)
    bundle = load_data(load_config(overrides=["data.name=own-labels", "data.options.first=0"]))
    assert bundle.train[2][1] == 5
    with pytest.raises(DataError, match=r"^data.name: the loader registered as 'own-labels': "
                                        r"train\[0\] must be a pair \(x, y\) with x a float tensor "
                                        r"of input_shape \(3,\); x is a ndarray: return "
                                        r"torch\.as_tensor\(x, dtype=torch\.float32\) from its "
                                        r"dataset\.$"):
        load_data(load_config(overrides=["data.name=own-labels", "data.options.first=0",
                                         "data.options.numpy=true"]))


def test_uint8_labels_of_more_than_255_classes_pass(registered):
    # the check compared the uint8 labels with num_classes in uint8, which wraps: all of
    # 0..255 were "outside [0, 256)" (256 is 0), 60 "outside [0, 300)" (300 is 44)
    @register_dataset("many-classes")
    def many(*, seed=0, classes=256):
        y = torch.arange(256, dtype=torch.uint8)
        return DatasetBundle(TensorDataset(torch.zeros(256, 3), y),
                             TensorDataset(torch.zeros(56, 3), y[200:]),
                             num_classes=classes, input_shape=(3,))

    for classes in (256, 300):
        bundle = load_data(load_config(overrides=["data.name=many-classes",
                                                  f"data.options.classes={classes}"]))
        assert bundle.num_classes == classes
        assert bundle.train.tensors[1].tolist() == list(range(256))
    with pytest.raises(DataError, match=r"gives labels outside \[0, 255\) \(its num_classes="
                                        r"255\): sample 255 of its train split has label 255; "):
        load_data(load_config(overrides=["data.name=many-classes", "data.options.classes=255"]))


class NumpyLabels(Dataset):
    """A data set of one's own whose labels are numpy scalars (``self.y[index]`` of a numpy y)."""

    def __init__(self, n: int, dtype: str) -> None:
        self.y = (np.arange(n) % 2).astype(dtype)

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, np.generic]:
        return torch.full((3,), float(self.y[index])), self.y[index]


def test_numpy_int64_and_uint8_labels_which_torch_batches_as_such_train(tmp_path, capsys,
                                                                         registered):
    # they were refused ("y is np.int64(0)", then "y is of type int64") though torch's collate
    # batches them as int64 and uint8 tensors, which cross-entropy takes; a numpy int32 it
    # batches as int32, which cross-entropy refuses: that one is refused, naming the fix
    @register_dataset("numpy-labels")
    def numpy_labels(*, seed=0, dtype="int64"):
        return _bundle_of(NumpyLabels(32, dtype), NumpyLabels(16, dtype))

    for dtype in ("int64", "uint8"):
        argv = ["train", "--data", "numpy-labels", "--data.options", f"dtype={dtype}",
                "--model.teacher", "synthetic-teacher", "--teacher", "untrained", "--run.threads",
                "1", *STUDENT, "--out-dir", str(tmp_path / dtype)]
        assert main(argv) == 0
        assert "last acc " in capsys.readouterr().out
    with pytest.raises(ValueError, match=r"; y is a numpy int32 of shape \(\): return one int "
                                         r"label per sample, int\(y\), from the loader\.$"):
        load_dataset("numpy-labels", dtype="int32")


def test_a_split_without_len_is_refused_naming_it(registered):
    # it was "object of type 'Stream' has no len()", without the loader, the split or the fix
    class Stream(torch.utils.data.IterableDataset):
        def __iter__(self):
            yield torch.zeros(3), 0

    @register_dataset("stream")
    def stream(*, seed=0):
        return _bundle_of(Stream(), Stream())

    with pytest.raises(TypeError, match=r"^the loader registered as 'stream' returned a train "
                                        r"split of type Stream with no len\(\); return map-style "
                                        r"datasets \(len\(data\) and data\[i\]\), e\.g\. a "
                                        r"TensorDataset or a Dataset with __len__ and "
                                        r"__getitem__\.$"):
        load_dataset("stream")


class Counted(Dataset):
    """A data set of one's own of ``n`` samples like ``sample``, which counts what is read."""

    def __init__(self, n: int, sample: tuple[object, object]) -> None:
        self.n, self.sample, self.read = n, sample, []

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> tuple[object, object]:
        self.read.append(index)
        return self.sample


def test_each_part_of_a_concatenation_of_mixed_kinds_is_checked_by_its_own_first_sample(
        registered):
    # a ConcatDataset of a TensorDataset and other parts was checked by the split's first
    # sample only: a float64 part met torch's "mat1 and mat2 must have the same dtype" in the
    # first step, an int32 or out-of-range label of a later part torch's cross-entropy errors
    good = TensorDataset(torch.zeros(20, 3), torch.arange(20) % 2)
    f64 = TensorDataset(torch.zeros(4, 3, dtype=torch.float64), torch.zeros(4, dtype=torch.long))
    parts = {
        "label 5": Counted(4, (torch.zeros(3), 5)),
        "int32 label": Counted(4, (torch.zeros(3), torch.tensor(1, dtype=torch.int32))),
        "float64 inputs": Counted(4, (torch.zeros(3, dtype=torch.float64), 1)),
        "inputs of shape (4,)": Counted(4, (torch.zeros(4), 1)),
        "clean": Counted(4, (torch.zeros(3), 1)),
    }
    splits = {
        **{name: ConcatDataset([good, part]) for name, part in parts.items()},
        "float64 tensors": ConcatDataset([good, f64]),
        "int32 label tensor": ConcatDataset(
            [good, TensorDataset(torch.zeros(4, 3), torch.zeros(4, dtype=torch.int32))]),
        "subset of float64 tensors": Subset(ConcatDataset([good, f64]), [0, 21, 1]),
        # a ConcatDataset of one's own parts only is itself a part, read by its first sample
        "nested": ConcatDataset([good, ConcatDataset([parts["label 5"], parts["clean"]])]),
    }

    @register_dataset("mixed-parts")
    def mixed(*, seed=0, kind="clean"):
        return _bundle_of(splits[kind], TensorDataset(torch.zeros(4, 3), torch.arange(4) % 2))

    pair = "must be a pair (x, y) with "
    label = "y an int label in [0, 2) (an int, or an int64 or uint8 tensor of shape ()); y is "
    float64 = ("has torch.float64 inputs, but the trainer trains in float32: return x.float() "
               "from its loader (torch.from_numpy keeps numpy's float64)")
    int32 = pair + label + "a torch.int32 tensor: return y.long() from the loader"
    refusals = {
        "label 5": (20, pair + label + "5: number the classes from 0 in the loader (y - y.min()), "
                    "or return a num_classes above its largest label"),
        "int32 label": (20, int32),
        "float64 inputs": (20, float64),
        "inputs of shape (4,)": (20, pair + "x a float tensor of input_shape (3,); x is a "
                                 "torch.float32 tensor of shape (4,)"),
        "float64 tensors": (20, float64),
        "int32 label tensor": (20, int32),
        "subset of float64 tensors": (1, float64),
        "nested": (20, pair + label + "5: number the classes"),
    }
    for kind, (sample, message) in refusals.items():
        with pytest.raises(DataError) as refused:
            load_data(load_config(overrides=["data.name=mixed-parts",
                                             f"data.options.kind={kind}"]))
        assert str(refused.value).startswith(
            f"data.name: data set 'mixed-parts': sample {sample} of its train split {message}")
    for part in parts.values():
        part.read.clear()
    assert len(load_data(load_config(overrides=["data.name=mixed-parts"])).train) == 24
    assert set(parts["clean"].read) == {0}  # one sample of the part (read by each check), no more
