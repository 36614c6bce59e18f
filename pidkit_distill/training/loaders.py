"""Data loaders: one global sample order shared out among DDP processes, without padding.

Training: every epoch draws one permutation of the training set from ``(run.seed, epoch)`` and
cuts it into global batches of ``data.batch_size`` (the last one smaller, or dropped with
``data.drop_last``). Each process takes a contiguous share of every global batch, the shares
differing by at most one sample. The global batches are therefore the same for any number of
processes, and :meth:`ShardedBatchSampler.loss_scale` gives the factor that makes DDP's gradient
average equal to the gradient of the global batch's mean loss even when shares are unequal.
Nothing is repeated or padded.

Evaluation: process ``r`` of ``W`` evaluates samples ``r, r + W, r + 2W, ...``; every held-out
sample is evaluated exactly once and the sums are all-reduced.

A plain :class:`~torch.utils.data.TensorDataset` (digits, synthetic), or a
:class:`~torch.utils.data.Subset` of one (``random_split``), is read a batch at a time: its
tensors are indexed with the batch's indices, the same rows a sample-by-sample read would stack,
in a fraction of the time (evaluating the demo's 2,000 held-out samples took 21 ms sample by
sample and 3 ms a batch at a time). Every other data set is read sample by sample and collated,
a subclass of TensorDataset that overrides ``__getitem__`` included: its per-sample work (a
transform, an augmentation drawn per sample) must see one index at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, cast

import torch
from torch import Tensor
from torch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Sampler,
    Subset,
    TensorDataset,
)

from pidkit_distill.config import TrainConfig
from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.data import DatasetBundle, describe_dataset, load_dataset
from pidkit_distill.data.registry import describes_its_sizes, is_user_dataset, sample_problem
from pidkit_distill.training.outcomes import TrainingError
from pidkit_distill.training.runtime import Runtime

__all__ = ["DataError", "DataOutOfMemory", "ShardedBatchSampler", "batch_sampler",
           "data_options", "eval_loader", "load_data", "one_label", "teacher_option_refusal",
           "train_loader"]


class DataError(ValueError):
    """The run's data cannot be trained on, as found when the run loads it (after
    :func:`~pidkit_distill.training.check_config`, which describes the data without reading
    it): a mistake in the data set, its loader or its files, which the message names. The
    ``pidkit-distill`` command reports it as a mistake of its user (one line, exit status 2),
    not as a failed training."""


class DataOutOfMemory(TrainingError):
    """Memory ran out while the run loaded its data, before it trained: a failure of the run on
    this machine, as memory running out in training is (``pidkit-distill``: one line, exit
    status 1). The message names the data set, its size where it is known without loading it,
    and what to lower; the run folder is as it was (a checkpoint in it is continued by the
    same command once the data fits).

    Examples
    --------
    >>> print(DataOutOfMemory("out of memory (MemoryError) while loading data set 'x'",
    ...                       hint="load less"))
    out of memory (MemoryError) while loading data set 'x'; load less
    """

    def __init__(self, reason: str, *, hint: str = "", **keywords: Any) -> None:
        # TrainingError's other keywords come back from its pickling and replaced()
        super().__init__(reason, hint=hint, **{"epoch": None, "loading_data": True,
                                               "kind": "out_of_memory", **keywords})


def data_options(config: TrainConfig, *, teacher: bool = False) -> dict[str, Any]:
    """The options that the data set is loaded with: ``data.options``, and for the teacher's
    data (``teacher``) ``teacher.data_options`` on top of them.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> config = load_config(overrides=["data.name=synthetic", "data.options.n_train=64",
    ...                                 "teacher.data_options.target=joint"])
    >>> data_options(config), data_options(config, teacher=True)
    ({'n_train': 64}, {'n_train': 64, 'target': 'joint'})
    """
    return {**config.data.options, **(config.teacher.data_options if teacher else {})}


def teacher_option_refusal(err: ConfigEntryError, config: TrainConfig) -> ConfigEntryError:
    """``err``, a refusal of entries of the teacher's data options (:func:`data_options`), keyed
    to the table that gave the entries at fault, so that it names the option the user typed.

    An entry of ``teacher.data_options`` at fault, and none of ``data.options`` alone, is
    ``teacher.data_options``'s, told as ``err`` tells it. An entry of ``data.options`` that
    ``teacher.data_options`` does not replace is ``data.options``'s, though that table alone
    passed: the combination is refused, so the message says that it is the teacher's data, with
    the entries of ``teacher.data_options`` at fault beside it (the whole table where none of its
    entries is). It names no student: ``train-teacher``, which refuses it alike, trains none.

    Parameters
    ----------
    err : ConfigEntryError
        The refusal, its ``entries`` the options at fault (its ``key`` is not read).
    config : TrainConfig
        The configuration whose teacher's data was loaded.

    Returns
    -------
    ConfigEntryError
        Of ``err``'s type, ``err``'s notes kept; its ``key`` ``"data.options"`` or
        ``"teacher.data_options"``, and its message starting with that key.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> config = load_config(overrides=["data.name=synthetic", "data.options.n_train=4",
    ...                                 "teacher.data_options.target=joint"])
    >>> refusal = teacher_option_refusal(ConfigEntryError(
    ...     "n_train must be >= 8 for target='joint'; got 4.", 4, entries=("n_train",)), config)
    >>> print(refusal)
    data.options: the teacher's data (data.options with teacher.data_options target='joint' \
on top; data.options alone is fine): n_train must be >= 8 for target='joint'; got 4.
    >>> refusal.key, refusal.entries
    ('data.options', ('n_train',))
    """
    on_top = config.teacher.data_options
    under = tuple(entry for entry in err.entries
                  if entry in config.data.options and entry not in on_top)
    key, said, entries = "teacher.data_options", err.said, err.entries
    if under:
        at_fault = {entry: on_top[entry] for entry in err.entries if entry in on_top} or on_top
        given = ", ".join(f"{name}={value!r}" for name, value in at_fault.items())
        key, entries = "data.options", under
        said = (f"the teacher's data (data.options with teacher.data_options {given} on top; "
                f"data.options alone is fine): {err.said}")
    refusal = type(err)(said, err.value, lead=err.lead, entries=entries, key=key, about=key)
    for note in getattr(err, "__notes__", ()):
        refusal.add_note(note)
    return refusal


def load_data(config: TrainConfig, *, teacher: bool = False) -> DatasetBundle:
    """The run's data; ``teacher=True``: with ``teacher.data_options`` applied on top.

    Raises
    ------
    DataError
        The data set refused its files when read (a damaged CIFAR batch): ``data.name:`` and
        its message (``data.options:`` for a refusal of options); a refusal of the teacher's
        data options starts with the table that gave the entries at fault
        (:func:`teacher_option_refusal`) instead. Or a sample is no pair
        ``(x, y)`` of a float32 ``x`` of its ``input_shape`` and one int label
        (:func:`_misfit_samples`: each ``TensorDataset`` by its tensors, through Subsets and
        ConcatDatasets; any other part of a split, such as a ``Dataset``
        of one's own, by its first sample, as :func:`~pidkit_distill.data.load_dataset` checks
        a split's): float64 inputs (a loader of one's own that returns ``torch.from_numpy(x)``)
        met the float32 networks in torch's "mat1 and mat2 must have the same dtype" in the
        first step. Or its labels are outside ``[0, num_classes)``
        (:func:`_out_of_range_labels`: each ``TensorDataset`` checked whole), which met torch's
        "Target 4 is out of bounds" after the teacher trained (on CUDA a device-side assert),
        or inputs holding NaN or an infinity.
    DataOutOfMemory
        Memory ran out while it was loaded (a :class:`MemoryError`, torch's
        ``OutOfMemoryError``): a :class:`~pidkit_distill.TrainingError` saying so.
    """
    options = data_options(config, teacher=teacher)
    try:
        bundle = load_dataset(config.data.name, root=config.data.root or None,
                              seed=config.data.seed, **options)
    except ValueError as err:
        if teacher and isinstance(err, ConfigEntryError) and err.entries:
            raise DataError(str(teacher_option_refusal(err, config))) from err
        about = "data.options" if isinstance(err, ConfigEntryError) and err.entries \
            else "data.name"
        raise DataError(f"{about}: {err}") from err
    except (MemoryError, torch.cuda.OutOfMemoryError) as err:
        raise _out_of_memory(config, options, err) from err
    for split_name, split in (("train", bundle.train), ("test", bundle.test)):
        bad = _misfit_samples(split, bundle)
        if bad is not None:
            raise DataError(f"data.name: data set {config.data.name!r}: sample {int(bad[0])} of "
                            f"its {split_name} split {_misfit(split[int(bad[0])], bundle)}")
    for split_name, split in (("train", bundle.train), ("test", bundle.test)):
        bad = _out_of_range_labels(split, bundle.num_classes)
        if bad is not None:
            more = f" (and {len(bad) - 1} more of its {len(split)})" if len(bad) > 1 else ""
            label = int(split[int(bad[0])][1])
            raise DataError(
                f"data.name: data set {config.data.name!r} gives labels outside [0, "
                f"{bundle.num_classes}) (its num_classes={bundle.num_classes}): sample "
                f"{int(bad[0])} of its {split_name} split has label {label}{more}; labels must "
                f"be integers in [0, {bundle.num_classes}): number the classes from 0 in its "
                "loader (y - y.min()), or return a num_classes above its largest label")
    for split_name, split in (("train", bundle.train), ("test", bundle.test)):
        bad = _non_finite_samples(split)
        if bad is not None:
            more = f" (and {len(bad) - 1} more of its {len(split)})" if len(bad) > 1 else ""
            raise DataError(f"data.name: data set {config.data.name!r} gives NaN or infinite "
                            f"inputs: sample {int(bad[0])} of its {split_name} split{more}; drop "
                            "or repair them in its loader (torch.isfinite(x) finds them)")
    return bundle


def _misfit_samples(split: Any, bundle: DatasetBundle) -> Tensor | None:
    """The indices (in order) of ``split``'s samples that the trainer cannot take
    (:func:`_misfit`); ``None`` where there is none.

    Each TensorDataset that ``split`` reads (:func:`_marked_samples`: itself, through Subsets
    and ConcatDatasets) is checked by its first row, whose dtypes and shapes are every row's
    (the labels' values are :func:`_out_of_range_labels`' to check); any other data set (or
    part: each part of a ConcatDataset that mixes kinds of parts) by its own first sample, as
    :func:`~pidkit_distill.data.load_dataset` checks a split's first sample.

    Examples
    --------
    >>> from pidkit_distill.data import DatasetBundle
    >>> parts = ConcatDataset([TensorDataset(torch.zeros(2, 3), torch.tensor([0, 7])),
    ...                        TensorDataset(torch.zeros(2, 3).double(), torch.tensor([0, 1]))])
    >>> bundle = DatasetBundle(parts, parts, num_classes=2, input_shape=(3,))
    >>> _misfit_samples(parts, bundle)
    tensor([2, 3])
    """
    def rows(tensors: tuple[Tensor, ...]) -> Tensor | None:
        first_row = tuple(tensor[0] for tensor in tensors) if len(tensors[0]) else None
        if first_row is None or _misfit(first_row, bundle, label_value=False) is None:
            return None
        return torch.ones(len(tensors[0]), dtype=torch.bool)

    return _marked_samples(split, rows, lambda part: _first_sample_marked(
        part, lambda item: _misfit(item, bundle) is not None))


def _misfit(item: Any, bundle: DatasetBundle, *, label_value: bool = True) -> str | None:
    """What the trainer cannot take in ``item``, one sample of ``bundle``'s data, and the fix,
    as the end of a sentence naming the sample; ``None`` for a pair ``(x, y)`` of a float32
    ``x`` of its ``input_shape`` and one int label (in ``[0, num_classes)``: where
    ``label_value``). The labels' dtype and shape come first, their value last: what every row
    of a TensorDataset shares before what each row has of its own."""
    classes, shape = bundle.num_classes, bundle.input_shape
    problem = sample_problem(item, classes, shape, label_value=False)
    if problem is None and item[0].dtype != torch.float32:
        problem = (f"has {item[0].dtype} inputs, but the trainer trains in float32: return "
                   "x.float() from its loader (torch.from_numpy keeps numpy's float64)")
    if problem is None and label_value:
        problem = sample_problem(item, classes, shape)
    return problem


def _first_sample_marked(part: Any, is_marked: Callable[[Any], bool]) -> Tensor | None:
    """``part``'s first sample marked where ``is_marked(part[0])`` (one bool per sample, as
    :func:`_marked_samples` takes them); ``None`` where it is not, or ``part`` is empty."""
    if not len(part) or not is_marked(part[0]):
        return None
    return torch.arange(len(part)) == 0


def _non_finite_samples(split: Any) -> Tensor | None:
    """The indices (in order) of ``split``'s samples whose inputs hold NaN or an infinity;
    ``None`` where there is none.

    Each TensorDataset that ``split`` reads (:func:`_marked_samples`: itself, through Subsets
    and ConcatDatasets) is checked whole through its input tensor, in one pass where all is
    finite (:func:`_all_finite`); any other data set (or part) by its first sample only, as
    reading every sample of one (decoding files, drawing augmentations) could take long.
    Inputs that are not floating point (CIFAR's uint8 images) or not tensors have none.

    Examples
    --------
    >>> x = torch.zeros(6, 2)
    >>> x[4, 1] = float("nan")
    >>> _non_finite_samples(Subset(TensorDataset(x, torch.zeros(6)), [5, 4, 3, 2]))
    tensor([1])
    >>> _non_finite_samples(TensorDataset(x[:4], torch.zeros(4))) is None
    True
    """
    def rows(tensors: tuple[Tensor, ...]) -> Tensor | None:
        x = tensors[0]
        if _all_finite(x):
            return None
        low, high = torch.aminmax(x.reshape(len(x), -1), dim=1)  # each row's, as _all_finite
        return ~(low.isfinite() & high.isfinite())

    return _marked_samples(split, rows, lambda part: _first_sample_marked(
        part, lambda item: not _all_finite(item[0])))


def _out_of_range_labels(split: Any, num_classes: int) -> Tensor | None:
    """The indices (in order) of ``split``'s samples whose label is outside
    ``[0, num_classes)``; ``None`` where there is none.

    Each TensorDataset that ``split`` reads (:func:`_marked_samples`: itself, through Subsets
    and ConcatDatasets) is checked whole through its label tensor, in one pass where all are
    in range (their least and greatest, as :func:`_all_finite`); any other data set (or part)
    is not read here: its first sample's label has been checked by :func:`_misfit_samples`
    with its type and shape (reading every sample could take long), as have the label
    tensors' dtype and shape.

    Examples
    --------
    >>> y = torch.tensor([0, 1, 4, 2, -1, 3])
    >>> _out_of_range_labels(Subset(TensorDataset(torch.zeros(6, 2), y), [5, 4, 3, 2]), 4)
    tensor([1, 3])
    >>> _out_of_range_labels(TensorDataset(torch.zeros(2, 2), y[:2]), 4) is None
    True
    >>> _out_of_range_labels(ConcatDataset([TensorDataset(torch.zeros(2, 2), y[:2]),
    ...                                     TensorDataset(torch.zeros(4, 2), y[2:])]), 4)
    tensor([2, 4])
    >>> _out_of_range_labels(TensorDataset(torch.zeros(2, 2), torch.tensor([0, 200],
    ...                                    dtype=torch.uint8)), 300) is None
    True
    """
    def rows(tensors: tuple[Tensor, ...]) -> Tensor | None:
        y = tensors[-1]
        if y.dim() != 1 or y.is_floating_point() or y.is_complex() or not len(y):
            return None
        low, high = (int(value) for value in torch.aminmax(y))  # as ints: uint8 compares 256 as 0
        if low >= 0 and high < num_classes:
            return None
        return (y < 0) | (y >= num_classes)

    return _marked_samples(split, rows, lambda part: None)


def one_label(split: Any) -> int | None:
    """The label that every sample of ``split`` holds, where all its labels are read here (each
    TensorDataset it reads, through Subsets and ConcatDatasets, as :func:`_out_of_range_labels`
    reads them) and are one value; ``None`` where two differ, or where a part of ``split`` is
    not read here (a Dataset of one's own: reading every sample could take long).

    Examples
    --------
    >>> x, y = torch.zeros(4, 2), torch.tensor([0, 2, 2, 1])
    >>> one_label(Subset(TensorDataset(x, y), [1, 2])), one_label(TensorDataset(x, y))
    (2, None)
    """
    if not len(split) or not _holds_tensors_read_whole(split):
        return None
    first = int(split[0][1])
    marks = _sample_marks(split, lambda tensors: tensors[-1] != first,
                          lambda part: torch.ones(len(part), dtype=torch.bool))
    return first if marks is None or not bool(marks.any()) else None


def _marked_samples(split: Any, marked_rows: Callable[[tuple[Tensor, ...]], Tensor | None],
                    marked_unread: Callable[[Any], Tensor | None]) -> Tensor | None:
    """The indices (in order) of the samples of ``split`` that are marked; ``None`` where none is.

    ``split`` is taken apart through Subsets (of their own ``__getitem__``) and ConcatDatasets
    (idem) down to its parts: a TensorDataset that :func:`_reads_batches` is marked by
    ``marked_rows(its tensors)``, any other part by ``marked_unread(part)``; each returns one
    bool per row (per sample) of the part, or ``None`` where none is marked (what a fast check
    of the whole part found). A Subset or ConcatDataset that reaches no such TensorDataset
    (:func:`_holds_tensors_read_whole`) is itself the part: ``random_split`` of a data set of
    one's own is checked by each split's own first sample. A sample's index is its place in
    the whole of ``split``.
    """
    marks = _sample_marks(split, marked_rows, marked_unread)
    bad = None if marks is None else marks.cpu().nonzero().flatten()
    return bad if bad is not None and len(bad) else None


def _sample_marks(split: Any, marked_rows: Callable[[tuple[Tensor, ...]], Tensor | None],
                  marked_unread: Callable[[Any], Tensor | None]) -> Tensor | None:
    """One bool per sample of ``split`` (see :func:`_marked_samples`), or ``None``: none marked."""
    if not _holds_tensors_read_whole(split):
        return marked_unread(split)
    if _is_plain(split, Subset):
        marks = _sample_marks(split.dataset, marked_rows, marked_unread)
        return None if marks is None else marks[torch.as_tensor(split.indices, dtype=torch.int64)]
    if _is_plain(split, ConcatDataset):
        parts = [_sample_marks(part, marked_rows, marked_unread) for part in split.datasets]
        if all(marks is None for marks in parts):
            return None
        return torch.cat([torch.zeros(len(part), dtype=torch.bool) if marks is None
                          else marks.cpu() for part, marks in zip(split.datasets, parts, strict=True)])
    marks = marked_rows(split.tensors)
    return None if marks is None else marks.cpu()


def _holds_tensors_read_whole(dataset: Any) -> bool:
    """Whether ``dataset`` is, or reaches through Subsets and ConcatDatasets (of their own
    ``__getitem__``), a TensorDataset that :func:`_reads_batches`: one the data checks read
    whole (:func:`_marked_samples`)."""
    if _is_plain(dataset, Subset):
        return _holds_tensors_read_whole(dataset.dataset)
    if _is_plain(dataset, ConcatDataset):
        return any(_holds_tensors_read_whole(part) for part in dataset.datasets)
    return _reads_batches(dataset)


def _all_finite(x: Any) -> bool:
    """Whether ``x`` holds no NaN or infinity (a value that is no floating-point tensor holds
    none): by its least and greatest values, which a NaN makes NaN. One pass, as fast as a sum:
    0.09 s for CIFAR's training set as float32 on one thread, where ``isfinite(x).all()`` took
    2.3 s."""
    if not (isinstance(x, Tensor) and x.is_floating_point()) or not x.numel():
        return True
    low, high = torch.aminmax(x)
    return bool(low.isfinite() & high.isfinite())


def _out_of_memory(config: TrainConfig, options: dict[str, Any],
                   error: BaseException) -> DataOutOfMemory:
    """The error of the data set of ``config`` (with ``options``) that did not fit in memory
    while it was loaded: its sizes where describing it counts them without loading it (digits',
    synthetic data's; not CIFAR's, a folder's own), and what to lower."""
    name = config.data.name
    size = ""
    if not is_user_dataset(name):
        if describes_its_sizes(name):
            spec = describe_dataset(name, root=config.data.root or None,
                                    seed=config.data.seed, **options)
            size = (f" ({spec.n_train:,} training and {spec.n_test:,} test samples of shape "
                    f"{tuple(spec.input_shape)})")
        hint = ("lower data.options.train_fraction (a class-stratified share of the training "
                "set, e.g. 0.5), or free memory or use a machine with more")
    else:
        hint = ("load less in its loader (or lower its size among data.options), or free "
                "memory or use a machine with more")
    return DataOutOfMemory(f"out of memory ({type(error).__name__}) while loading data set "
                           f"{name!r}{size}: it did not fit in this machine's memory",
                           hint=hint)


class ShardedBatchSampler(Sampler[list[int]]):
    """This process's share of each global batch of a seeded permutation.

    Parameters
    ----------
    n_samples : int
        Size of the data set.
    batch_size : int
        Global batch size (all processes together).
    rank, world_size : int, default=0, 1
        This process and the number of processes.
    seed : int, default=0
        The permutation of epoch ``e`` is ``torch.randperm`` seeded with ``seed + e`` (the
        order :class:`torch.utils.data.DistributedSampler` uses).
    shuffle : bool, default=True
        ``False``: the data set's own order.
    drop_last : bool, default=False
        Drop the last global batch when it is smaller than ``batch_size``.

    Raises
    ------
    ValueError
        A global batch would leave a process without a sample (the last batch has fewer
        samples than there are processes): set ``drop_last`` or change ``batch_size``.

    Examples
    --------
    >>> shares = [list(ShardedBatchSampler(10, 4, rank=r, world_size=2, shuffle=False))
    ...           for r in (0, 1)]
    >>> shares
    [[[0, 1], [4, 5], [8]], [[2, 3], [6, 7], [9]]]
    >>> ShardedBatchSampler(10, 4, rank=0, world_size=2).loss_scale(2)
    1.0
    >>> ShardedBatchSampler(7, 4, rank=0, world_size=2).loss_scale(1)   # 2 of 3 samples
    1.3333333333333333
    """

    def __init__(self, n_samples: int, batch_size: int, *, rank: int = 0, world_size: int = 1,
                 seed: int = 0, shuffle: bool = True, drop_last: bool = False) -> None:
        if n_samples < 1 or batch_size < 1 or world_size < 1 or not 0 <= rank < world_size:
            raise ValueError(
                f"need n_samples, batch_size, world_size >= 1 and 0 <= rank < world_size; got "
                f"{n_samples}, {batch_size}, {world_size}, rank {rank}"
            )
        self.n_samples, self.batch_size = n_samples, batch_size
        self.rank, self.world_size = rank, world_size
        self.seed, self.shuffle, self.drop_last = seed, shuffle, drop_last
        self.epoch = 0
        sizes = self.global_batch_sizes()
        if not sizes:
            raise ValueError(
                f"data.drop_last=true drops every sample: the training set has {n_samples} "
                f"samples, fewer than data.batch_size={batch_size}; lower data.batch_size"
            )
        if sizes[-1] < world_size:
            raise ValueError(
                f"the last training batch holds {sizes[-1]} sample(s) ({n_samples} samples in "
                f"batches of {batch_size}) for {world_size} processes, so a process would get "
                "none; set data.drop_last=true or change data.batch_size"
            )

    def set_epoch(self, epoch: int) -> None:
        """Use the permutation of ``epoch`` (call before each epoch)."""
        self.epoch = epoch

    def global_batch_sizes(self) -> list[int]:
        """Sizes of the global batches of an epoch."""
        full, rest = divmod(self.n_samples, self.batch_size)
        return [self.batch_size] * full + ([rest] if rest and not self.drop_last else [])

    def _share(self, size: int) -> tuple[int, int]:
        """Start and end of this process's share of a global batch of ``size`` samples."""
        base, extra = divmod(size, self.world_size)
        start = self.rank * base + min(self.rank, extra)
        return start, start + base + (self.rank < extra)

    def loss_scale(self, step: int) -> float:
        """``W * n_local / n_global`` at ``step``: the factor for this process's mean loss.

        DDP averages the processes' gradients; scaling each process's mean loss by this factor
        makes that average the gradient of the global batch's mean loss (1.0 for equal shares).
        """
        size = self.global_batch_sizes()[step]
        start, end = self._share(size)
        return self.world_size * (end - start) / size

    def __len__(self) -> int:
        return len(self.global_batch_sizes())

    def __iter__(self) -> Iterator[list[int]]:
        if self.shuffle:
            generator = torch.Generator().manual_seed(self.seed + self.epoch)
            order = torch.randperm(self.n_samples, generator=generator).tolist()
        else:
            order = list(range(self.n_samples))
        begin = 0
        for size in self.global_batch_sizes():
            start, end = self._share(size)
            yield order[begin + start:begin + end]
            begin += size


def train_loader(dataset: Any, config: TrainConfig, runtime: Runtime,
                 generator: torch.Generator) -> DataLoader:
    """The training loader: this process's share of every global batch (see the module doc).

    ``generator`` seeds the workers (its state is part of a checkpoint).
    """
    sampler = ShardedBatchSampler(len(dataset), config.data.batch_size, rank=runtime.rank,
                                  world_size=runtime.world_size, seed=config.run.seed,
                                  drop_last=config.data.drop_last)
    return _loader(dataset, sampler, num_workers=config.data.num_workers, generator=generator,
                   pin_memory=runtime.device.type == "cuda")


def eval_loader(dataset: Any, config: TrainConfig, runtime: Runtime) -> DataLoader:
    """Every ``world_size``-th held-out sample, from ``rank`` on; each sample exactly once."""
    mine = range(runtime.rank, len(dataset), runtime.world_size)
    return _loader(dataset, BatchSampler(mine, config.data.eval_batch_size, drop_last=False),
                   num_workers=config.data.num_workers)


def batch_sampler(loader: DataLoader) -> Sampler[list[int]]:
    """The sampler that draws ``loader``'s batches (of :func:`train_loader`: a
    :class:`ShardedBatchSampler`), however the loader reads them.

    Examples
    --------
    >>> from torch.utils.data import TensorDataset
    >>> loader = eval_loader(TensorDataset(torch.zeros(5, 2)), TrainConfig(), Runtime.single())
    >>> list(batch_sampler(loader))
    [[0, 1, 2, 3, 4]]
    """
    # the sampler that _loader gave the loader, in one of its two places
    return cast(Sampler[list[int]],
                loader.sampler if loader.batch_sampler is None else loader.batch_sampler)


def _loader(dataset: Any, batches: Sampler[list[int]], **options: Any) -> DataLoader:
    """A loader of the batches of indices that ``batches`` draws: a data set that
    :func:`_reads_batches` indexed once per batch, any other once per sample (see the module doc)."""
    if _reads_batches(dataset):  # dataset[indices]: each tensor at those rows
        return DataLoader(dataset, sampler=batches, batch_size=None, **options)
    return DataLoader(dataset, batch_sampler=batches, **options)


def _reads_batches(dataset: Any) -> bool:
    """Whether ``dataset[indices]`` gives the rows that reading each index and stacking gives:
    a TensorDataset whose ``__getitem__`` is TensorDataset's own, or a Subset of one."""
    if _is_plain(dataset, Subset):
        return _reads_batches(dataset.dataset)  # Subset.__getitem__ passes a list of indices on
    return _is_plain(dataset, TensorDataset)


def _is_plain(dataset: Any, kind: type) -> bool:
    """Whether ``dataset`` is a ``kind`` that reads as ``kind`` does: its class keeps ``kind``'s
    own ``__getitem__`` (a subclass that overrides it may transform what it reads)."""
    return isinstance(dataset, kind) and type(dataset).__getitem__ is kind.__getitem__  # type: ignore[index]  # the method, not a generic alias
