"""What a data set is handed out as: :class:`DatasetBundle`, and described as: :class:`DatasetSpec`.

Every loader of the package returns a :class:`DatasetBundle`;
:func:`~pidkit_distill.data.describe_dataset` returns a :class:`DatasetSpec` without loading.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pidkit_distill.registry import whole_number

__all__ = ["DatasetBundle", "DatasetSpec"]


@dataclasses.dataclass(frozen=True)
class DatasetBundle:
    """A train/test pair of ``(x, y)`` datasets with what a model needs to know.

    Attributes
    ----------
    train, test : torch.utils.data.Dataset
        Map-style datasets (``len(data)`` and ``data[i]``) of pairs ``(x, y)``: ``x`` a float
        tensor of shape ``input_shape``, ``y`` an int label in ``[0, num_classes)`` (an int64
        tensor or a Python int), as a ``DataLoader`` batches them. That is all the trainer and
        the audit use; a ``train`` with a ``set_epoch(epoch)`` method is told each epoch before
        it starts (the package's CIFAR draws its augmentation from it). The package's own data
        sets are ``TensorDataset``-like, with ``tensors = (X, Y)``; yours need not be. Not a
        ``DataLoader``: the trainer batches the data set itself (``data.batch_size``), and a
        loader's ``loader.dataset`` is the data set to give.
    num_classes : int
        Number of classes of ``y`` (a numpy integer or a 0-d integer tensor, ``y.max() + 1``,
        is kept as its int).
    input_shape : tuple of int
        Shape of one ``x``: ``(C, H, W)`` for images, ``(D,)`` for vectors (a list of
        ints, ``[20]``, or a ``torch.Size``, ``x.shape[1:]``, is kept as a tuple of ints).
    info : dict
        Facts about the data (normalisation, split sizes, the synthetic task's latent
        variables ``z_train``/``g_train``/... and their entropies in bits).

    Examples
    --------
    Every loader returns one (:func:`~pidkit_distill.data.load_dataset`); a loader of your own
    (:func:`~pidkit_distill.data.register_dataset`) builds it from its train and test sets:

    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from pidkit_distill.data import DatasetBundle
    >>> x = torch.randn(10, 3, generator=torch.Generator().manual_seed(0))
    >>> y = torch.arange(10) % 2
    >>> bundle = DatasetBundle(TensorDataset(x[:6], y[:6]), TensorDataset(x[6:], y[6:]),
    ...                        num_classes=2, input_shape=(3,), info={"source": "toy"})
    >>> len(bundle.train), len(bundle.test), bundle.num_classes, bundle.input_shape
    (6, 4, 2, (3,))
    >>> x0, y0 = bundle.train[1]                      # one (x, y) pair
    >>> tuple(x0.shape), int(y0)
    ((3,), 1)
    """

    # Any: a map-style dataset, yours or the package's TensorDataset-like ones (whose ``tensors``
    # users read); torch's ``Dataset`` type has no ``len``, which the trainer and users take.
    train: Any
    test: Any
    num_classes: int
    input_shape: tuple[int, ...]
    info: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        """Keep ``num_classes`` and ``input_shape`` as an int and a tuple of ints where they
        are those in another type; anything else is kept as given, for the loader's check
        (:func:`~pidkit_distill.data.load_dataset`) to name."""
        classes = whole_number(self.num_classes)
        if classes is not None:
            object.__setattr__(self, "num_classes", classes)
        if isinstance(self.input_shape, list | tuple):
            sizes = [whole_number(size) for size in self.input_shape]
            if all(size is not None for size in sizes):
                object.__setattr__(self, "input_shape", tuple(sizes))


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """What :func:`load_dataset` will return for a name and options, known without loading.

    Attributes
    ----------
    name : str
        The data set's name, normalised (``"digits"``, ``"synthetic"``, ``"cifar10"``, ...).
    num_classes : int
        Number of classes of ``y``.
    input_shape : tuple of int
        Shape of one ``x``.
    n_train, n_test : int
        Sizes of the training and held-out sets.

    Examples
    --------
    :func:`~pidkit_distill.data.describe_dataset` returns one without loading: what building
    the models needs, known before any data is read.

    >>> import torch
    >>> from pidkit_distill.data import describe_dataset
    >>> from pidkit_distill.models import build_model
    >>> spec = describe_dataset("digits", train_fraction=0.1)
    >>> spec
    DatasetSpec(name='digits', num_classes=10, input_shape=(1, 8, 8), n_train=135, n_test=450)
    >>> model = build_model("digits-student", num_classes=spec.num_classes,
    ...                     in_channels=spec.input_shape[0])
    >>> model(torch.zeros(2, *spec.input_shape)).shape
    torch.Size([2, 10])
    """

    name: str
    num_classes: int
    input_shape: tuple[int, ...]
    n_train: int
    n_test: int

    @classmethod
    def of(cls, name: str, bundle: DatasetBundle) -> DatasetSpec:
        """The description of ``bundle``, data loaded as ``name`` (its sizes counted).

        Examples
        --------
        >>> import torch
        >>> from torch.utils.data import TensorDataset
        >>> from pidkit_distill.data import DatasetBundle, DatasetSpec
        >>> pairs = TensorDataset(torch.zeros(4, 3), torch.zeros(4, dtype=torch.long))
        >>> DatasetSpec.of("toy", DatasetBundle(pairs, pairs, num_classes=2, input_shape=(3,)))
        DatasetSpec(name='toy', num_classes=2, input_shape=(3,), n_train=4, n_test=4)
        """
        return cls(name, bundle.num_classes, tuple(bundle.input_shape), len(bundle.train),
                   len(bundle.test))
