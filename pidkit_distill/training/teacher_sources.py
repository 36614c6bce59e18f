"""The file ``teacher.source`` names (:func:`teacher_file_of`): the path itself, or, for
``"trained"``, the cached ``teacher.pt`` in the folder of the run that trains the teacher, whose
configuration (:func:`teacher_run_config`) names the folder by a hash of every setting that
affects the teacher, its registered code's fingerprint (:func:`teacher_code`) included.

Nothing here trains or reads a teacher (:mod:`~pidkit_distill.training.teacher` does, through
the loop): the loop's check of the teacher's outputs names the teacher's file from here.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pidkit_distill.config import TrainConfig, config_from_dict, config_to_dict
from pidkit_distill.models import model_fingerprint
from pidkit_distill.registered_record import registered_now
from pidkit_distill.teacher_keys import teacher_key
from pidkit_distill.training.model_checks import models_resolved
from pidkit_distill.training.rundir import REGISTRY_SOURCES, run_dir_of

__all__ = ["teacher_code", "teacher_file_of", "teacher_run_config"]


def teacher_run_config(config: TrainConfig) -> TrainConfig:
    """The configuration of the run that trains ``config``'s teacher.

    It trains ``model.teacher`` with ``teacher.lr``, ``teacher.epochs``, ``teacher.seed`` and
    the ``optim`` settings (``kd-rid-effective`` replaced by ``paper``) on the data with
    ``teacher.data_options``; its run name hashes every setting that affects it, and where
    its data set and ``model.teacher`` come from where the user registered them
    (:func:`~pidkit_distill.teacher_keys.teacher_key`): a teacher of ``my-net`` registered by
    another module, or by code edited since (:func:`teacher_code`), is another teacher. A
    ``model.teacher`` of ``"auto"`` is the data set's own
    (:func:`~pidkit_distill.training.model_checks.models_resolved`).
    """
    config = models_resolved(config, teacher_only=True)
    data = config_to_dict(config)
    data["data"]["options"].update(config.teacher.data_options)
    data["method"] = {"name": "teacher", "preset": "", "params": {}}
    data["model"]["student"] = config.model.teacher
    data["optim"]["lr"] = config.teacher.lr
    data["optim"]["schedule"] = "paper" if config.optim.schedule == "kd-rid-effective" \
        else config.optim.schedule
    data["run"].update(epochs=config.teacher.epochs, seed=config.teacher.seed, audit_every=0,
                       stop_after=0, resume=True)
    data["teacher"]["source"] = "trained"
    key = teacher_key(data, registered_now(data, REGISTRY_SOURCES),
                      teacher_code(config.model.teacher))
    digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:8]
    data["run"]["name"] = (f"teacher-{config.data.name}-{config.model.teacher}"
                           f"-s{config.teacher.seed}-e{config.teacher.epochs}-{digest}")
    return config_from_dict(data)


def teacher_code(model: str) -> str | None:
    """The fingerprint of the code of the teacher ``model`` that the user registered
    (:func:`~pidkit_distill.models.model_fingerprint`: its builder's as registered, not as its
    builds change it), which its cached folder's name hashes and its file records; ``None``
    for the package's own models.

    Examples
    --------
    >>> teacher_code("digits-teacher") is None
    True
    """
    return model_fingerprint(model)


def teacher_file_of(config: TrainConfig) -> Path | None:
    """The file ``teacher.source`` names: the cached ``teacher.pt`` for ``"trained"`` (which
    may not exist yet), the path itself (a ``~`` that starts it is the home folder, as in a
    shell), or ``None`` for ``"untrained"``.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> home = load_config(overrides=["teacher.source='~/teacher.pt'"])
    >>> teacher_file_of(home) == Path.home() / "teacher.pt"
    True
    """
    source = config.teacher.source
    if source == "untrained":
        return None
    if source == "trained":
        return run_dir_of(teacher_run_config(config)) / "teacher.pt"
    return Path(os.path.expanduser(source))
