"""Whether a checkpoint's weights belong to the code and data of now: the fingerprints of the
registered builders and of the data set that a run's checkpoint records (:func:`trained_with`),
compared where the run continues (:func:`changed_since`) or its student is loaded, and the
tensors of a state dict against the network it loads into (:func:`misfit_tensors`), with the
code that a misfit points to (:func:`misfit_code`).

A builder edited in place (a notebook's cell run again, ``ReLU`` made ``Tanh``) builds a network
of the same shapes, into which the old weights load without an error; a loader edited in place
gives other samples under the same ``data.name``. Neither is in the configuration that
:func:`~pidkit_distill.training.checkpoint.check_resumable` compares, so the checkpoint records
their fingerprints, as the teacher cache keys its teachers by them
(:func:`~pidkit_distill.models.model_fingerprint`,
:func:`~pidkit_distill.training.data_fingerprints.data_fingerprint`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch import Tensor

from pidkit_distill.config import TrainConfig
from pidkit_distill.data import DatasetBundle
from pidkit_distill.models import model_fingerprint
from pidkit_distill.training.data_fingerprints import data_fingerprint

__all__ = ["FINGERPRINTED", "changed_since", "misfit_code", "misfit_tensors", "trained_with"]

FINGERPRINTED = ("model.student", "model.teacher", "data.train", "data.test")
"""What a checkpoint's ``trained_with`` holds a fingerprint of: the code of the builders of
``model.student`` and ``model.teacher``, the training and the held-out samples."""


def trained_with(config: TrainConfig, *, teacher: bool,
                 data: DatasetBundle | None) -> dict[str, str | None]:
    """The fingerprints of the code and data that ``config``'s run trains with, which its
    checkpoint records as ``trained_with``.

    Parameters
    ----------
    config : TrainConfig
        The run's configuration, its models resolved (no ``"auto"``).
    teacher : bool
        Whether the run's networks hold ``model.teacher`` (a method without a teacher, a
        teacher's own run: ``None`` for it).
    data : DatasetBundle or None
        The run's data (``None``: not at hand, no fingerprint).

    Returns
    -------
    dict
        ``{key: fingerprint}`` for each of :data:`FINGERPRINTED`: the builder's
        :func:`~pidkit_distill.models.model_fingerprint` (``None`` for the package's own
        models, whose code changes only with pidkit's version) and the training and held-out
        sets' :func:`~pidkit_distill.training.data_fingerprints.data_fingerprint` (``None``
        for a data set whose samples are not at hand as tensors).

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from pidkit_distill import load_config
    >>> x, y = torch.zeros(4, 2), torch.tensor([0, 1, 0, 1])
    >>> data = DatasetBundle(TensorDataset(x, y), TensorDataset(x, y), num_classes=2,
    ...                      input_shape=(2,))
    >>> recorded = trained_with(load_config(), teacher=True, data=data)
    >>> recorded["model.student"], recorded["model.teacher"], len(recorded["data.train"])
    (None, None, 32)
    """
    return {
        "model.student": model_fingerprint(config.model.student),
        "model.teacher": model_fingerprint(config.model.teacher) if teacher else None,
        "data.train": None if data is None else data_fingerprint(data.train),
        "data.test": None if data is None else data_fingerprint(data.test),
    }


def changed_since(saved: dict[str, Any], config: TrainConfig, *,
                  data: DatasetBundle | None) -> str | None:
    """What changed since the checkpoint ``saved`` was written, of the code and data that it
    records the fingerprints of (:func:`trained_with`), in words; ``None`` where nothing did.

    Only what both the checkpoint and now have a fingerprint of is compared: a checkpoint
    written before they were recorded has none (it resumes and loads as it always did), and
    ``data`` of ``None`` leaves the data out.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> config = load_config(overrides=["data.name=digits"])
    >>> saved = {"trained_with": {"model.student": None, "model.teacher": None,
    ...                           "data.train": "0f", "data.test": "1e"}}
    >>> changed_since(saved, config, data=None) is None, changed_since({}, config, data=None)
    (True, None)
    """
    recorded = saved.get("trained_with")
    if not isinstance(recorded, dict):  # written before trained_with was recorded
        return None
    now = trained_with(config, teacher=recorded.get("model.teacher") is not None, data=data)
    changed = [key for key in FINGERPRINTED if isinstance(recorded.get(key), str)
               and now[key] is not None and now[key] != recorded[key]]
    said = [f"{key}'s builder {getattr(config.model, key.split('.')[1])!r} (its code)"
            for key in changed if key.startswith("model.")]
    samples = [{"data.train": "training", "data.test": "held-out"}[key]
               for key in changed if key.startswith("data.")]
    if samples:
        said.append(f"the data set {config.data.name!r} (its {' and '.join(samples)} samples)")
    return ", ".join(said) or None


def misfit_tensors(have: Mapping[str, Tensor], want: Mapping[str, Tensor]) -> list[str]:
    """How the state dict ``have`` does not fit a network whose state dict is ``want``: a
    tensor missing, one unexpected, one of another shape; empty where it fits. A checkpoint and
    a teacher file that does not fit ``model.teacher`` are told so in these words.

    Examples
    --------
    >>> import torch
    >>> misfit_tensors({"w": torch.zeros(8, 4), "old": torch.zeros(1)},
    ...                {"w": torch.zeros(16, 4), "b": torch.zeros(16)})
    ['b missing', 'old unexpected', 'w has shape (8, 4), the model (16, 4)']
    """
    shapes = {k: tuple(v.shape) for k, v in have.items()}
    wanted = {k: tuple(v.shape) for k, v in want.items()}
    problems = [f"{k} missing" for k in sorted(wanted.keys() - shapes.keys())]
    problems += [f"{k} unexpected" for k in sorted(shapes.keys() - wanted.keys())]
    problems += [f"{k} has shape {shapes[k]}, the model {wanted[k]}"
                 for k in sorted(wanted.keys() & shapes.keys()) if wanted[k] != shapes[k]]
    return problems


def misfit_code(have: Mapping[str, Tensor], want: Mapping[str, Tensor], *, method: str) -> str:
    """The code that the tensors of a Distiller's state dict ``have`` that do not fit ``want``
    (:func:`misfit_tensors`) point to, in words: a builder of ``model.student`` or
    ``model.teacher`` for the networks' tensors (``student.*``, ``teacher.*``), the code of
    ``method`` for its own modules' (a regressor, a head made by ``forward`` on its first call,
    which a Distiller built anew does not have).

    Examples
    --------
    >>> import torch
    >>> misfit_code({"student.w": torch.zeros(2), "head.bias": torch.zeros(3)},
    ...             {"student.w": torch.zeros(4)}, method="lazy-head")
    "a builder of model.student or model.teacher edited; the code of method 'lazy-head', whose \
own module(s) head differ (edited, or made by its forward on its first call, not in __init__)"
    """
    keys = (have.keys() ^ want.keys()) | {key for key in have.keys() & want.keys()
                                           if tuple(have[key].shape) != tuple(want[key].shape)}
    roots = {key.split(".", 1)[0] for key in keys}
    said = []
    if roots & {"student", "teacher"}:
        said.append("a builder of model.student or model.teacher edited")
    if own := sorted(roots - {"student", "teacher"}):
        said.append(f"the code of method {method!r}, whose own module(s) {', '.join(own)} "
                    "differ (edited, or made by its forward on its first call, not in __init__)")
    return "; ".join(said)
