"""The file ``teacher.source`` names (:func:`teacher_file_of`): the path itself, or, for
``"trained"``, the cached ``teacher.pt`` in the folder of the run that trains the teacher, whose
configuration (:func:`teacher_run_config`) names the folder by a hash of every setting that
affects the teacher, its registered code's fingerprint (:func:`teacher_code`) and the
fingerprint of a registered data set's training samples included.

Nothing here trains or reads a teacher (:mod:`~pidkit_distill.training.teacher` does, through
the loop): the loop's check of the teacher's outputs names the teacher's file from here.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch

from pidkit_distill.config import TrainConfig, config_from_dict, config_to_dict
from pidkit_distill.config.registered_record import registered_now
from pidkit_distill.config.sections import SGD_ONLY
from pidkit_distill.config.teacher_keys import teacher_key, with_teacher_run_own
from pidkit_distill.data import DatasetBundle
from pidkit_distill.data.registry import is_user_dataset
from pidkit_distill.launcher_env import world_size_from_env
from pidkit_distill.models import model_fingerprint
from pidkit_distill.run_folders.files import read_metrics
from pidkit_distill.training.data_fingerprints import data_fingerprint
from pidkit_distill.training.model_checks import models_resolved
from pidkit_distill.training.rundir import REGISTRY_SOURCES, run_dir_of
from pidkit_distill.training.teacher_files import read_teacher_file
from pidkit_distill.training.torch_files import safe_load

__all__ = ["RUN_IN_KEY", "RUN_KEY_UNSET", "RUN_NUMBERS", "keyed_teacher", "recorded_run_numbers",
           "run_numbers_now", "teacher_code", "teacher_file_of", "teacher_run_config",
           "teacher_run_numbers", "teacher_run_settings", "torchrun_sign"]

# Where keyed_teacher holds the run settings that change a teacher's numbers
# (teacher_run_numbers), and what each of them is where the key leaves it out (threads: on a
# GPU with run.threads unset, or in a file trained on the CPU before its count was recorded).
RUN_IN_KEY = "run"
RUN_KEY_UNSET = {"threads": 0, "device": "cpu", "amp": False, "processes": 1, "sync_bn": False}
# Where a teacher file records the run settings that changed its numbers, as its folder's name
# hashes them (run_numbers_now where it was trained); a file of an older version has none.
RUN_NUMBERS = "run_numbers"


def teacher_run_config(config: TrainConfig, *, data: DatasetBundle | None = None,
                       fingerprint: str | None = None, threads: int | None = None
                       ) -> TrainConfig:
    """The configuration of the run that trains ``config``'s teacher.

    It trains ``model.teacher`` with ``teacher.optimizer``, ``teacher.lr``,
    ``teacher.epochs``, ``teacher.seed`` and the other ``optim`` settings (``kd-rid-effective``
    replaced by ``paper``) on the data with ``teacher.data_options``
    (:func:`teacher_run_settings`); its run name hashes every setting
    that affects it, the run settings that change its numbers (``run.threads``, a GPU,
    ``run.amp``, the number of processes under torchrun: :func:`teacher_run_numbers`; on the
    CPU, the number of threads torch uses, set by ``run.threads`` or, where that is 0, torch's
    own) included, and where its data set and ``model.teacher`` come from where the
    user registered them (:func:`keyed_teacher`): a teacher of ``my-net``
    registered by another module, or by code edited since (:func:`teacher_code`), is another
    teacher; and so is a teacher of a registered data set whose loader gives other training
    samples (a loader edited in place), while the same samples again
    find the teacher trained on them. A ``model.teacher`` of ``"auto"`` is the data set's own
    (:func:`~pidkit_distill.training.model_checks.models_resolved`).

    A teacher of a registered data set cached before its samples named the folder is in the
    folder of the name without them: that folder is the run's while no teacher is cached
    under the new name and its ``teacher.pt`` records the same samples (``train_fingerprint``),
    or, written before it recorded them, none and data of the same sizes; so it is reused, not
    trained again. Likewise a teacher of ``run.threads`` 0 on the CPU cached before its folder's
    name held torch's thread count: that folder is the run's while no teacher is cached under
    the name with the count (the run says it takes the file as trained on its own count:
    :func:`~pidkit_distill.training.cached_teacher.check_cached_teacher`).

    Parameters
    ----------
    config : TrainConfig
        The student's run (or ``train-teacher``'s) configuration.
    data : DatasetBundle, optional
        The teacher's data (with ``teacher.data_options``), as the run loaded it: a registered
        data set's teacher is in the folder of its training samples. Every caller that runs
        or checks a teacher passes it (:func:`~pidkit_distill.check_config`,
        :func:`~pidkit_distill.training.teacher.trained_teacher_file`). Without it (a folder
        looked for after the fact) the loader is not called: the folder is read from the
        cached teachers on disk, the one without samples where it holds a ``teacher.pt``, else
        the first by name of these settings whose ``teacher.pt`` records the samples that name
        it, else the name without samples.
    fingerprint : str, optional
        :func:`~pidkit_distill.training.data_fingerprints.data_fingerprint` of ``data``'s
        training set where it is computed already (under torchrun, rank 0's, so that every
        process names one folder); computed from ``data`` otherwise.
    threads : int, optional
        The number of threads torch uses on the CPU, which names the folder of a teacher of
        ``run.threads`` 0 (under torchrun, rank 0's, so that every process names one folder);
        ``torch.get_num_threads()`` where it is not given (:func:`run_numbers_now`). 0 names the
        folder without a count, as an older pidkit named it (where no teacher of the count is
        cached, the run takes that one).

    Examples
    --------
    >>> import tempfile
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from pidkit_distill import load_config, register_dataset, unregister_dataset
    >>> def signs(x):
    ...     return DatasetBundle(TensorDataset(x.view(-1, 1, 2, 2), (x[:, 0] > 0).long()),
    ...                          TensorDataset(x.view(-1, 1, 2, 2), (x[:, 0] > 0).long()),
    ...                          num_classes=2, input_shape=(1, 2, 2))
    >>> _ = register_dataset("doc-signs")(lambda *, seed=0: signs(torch.ones(4, 4)))
    >>> config = load_config(overrides=["data.name=doc-signs", "model.teacher=digits-teacher",
    ...                                 f"run.out_dir={tempfile.mkdtemp()}"])
    >>> first = teacher_run_config(config, data=signs(torch.ones(4, 4))).run.name
    >>> first == teacher_run_config(config, data=signs(torch.ones(4, 4))).run.name
    True
    >>> first == teacher_run_config(config, data=signs(-torch.ones(4, 4))).run.name
    False
    >>> unregister_dataset("doc-signs")
    """
    config = models_resolved(config, teacher_only=True)
    settings = teacher_run_settings(config)
    registered = registered_now(settings, REGISTRY_SOURCES)
    code = teacher_code(config.model.teacher)
    out_dir = Path(os.path.expanduser(config.run.out_dir))

    def keyed_name(numbers: dict[str, Any]) -> str:
        def named(samples: str | None) -> str:
            return _folder_name(config, keyed_teacher(settings, registered, code, samples,
                                                      numbers=numbers))

        plain = out_dir / named(None)  # the folder's name without samples
        if not is_user_dataset(config.data.name):
            return plain.name
        if data is None:
            return _named_from_disk(plain, named)
        samples = fingerprint if fingerprint is not None else data_fingerprint(data.train)
        return _named_by_samples(plain, named, data, samples)

    numbers = run_numbers_now(settings, threads)
    name = keyed_name(numbers)
    if not settings["run"]["threads"] and "threads" in numbers \
            and not (out_dir / name / "teacher.pt").is_file():  # torch's own count, keyed now
        before = keyed_name({key: value for key, value in numbers.items() if key != "threads"})
        name = before if (out_dir / before / "teacher.pt").is_file() else name
    settings["run"]["name"] = name
    return config_from_dict(settings)


def _named_by_samples(plain: Path, named: Callable[[str | None], str], data: DatasetBundle,
                      samples: str | None) -> str:
    """The name of the folder of the teacher of ``data``, whose training samples'
    fingerprint is ``samples``: ``named(samples)``, or the folder without samples ``plain``
    where that holds their teacher, cached before the samples named it, and their own does
    not."""
    own = named(samples)
    if samples is None or (plain.parent / own / "teacher.pt").is_file():
        return own
    return plain.name if _trained_on(plain / "teacher.pt", data, samples) else own


def _named_from_disk(plain: Path, named: Callable[[str | None], str]) -> str:
    """The name of the folder of a teacher whose data is not at hand, as the cached teachers
    on disk record it (see :func:`teacher_run_config`): ``plain`` where it holds a
    ``teacher.pt``, else the first folder of its settings whose ``teacher.pt`` records the
    samples that name it, else ``plain``."""
    if (plain / "teacher.pt").is_file():
        return plain.name
    prefix = glob.escape(plain.name.rsplit("-", 1)[0])
    for folder in sorted(plain.parent.glob(f"{prefix}-*")):
        if folder.name == named(_recorded_samples(folder / "teacher.pt")):
            return folder.name
    return plain.name


def _recorded_samples(path: Path) -> str | None:
    """The fingerprint of the training samples that the teacher file ``path`` records;
    ``None`` where it records none, or is not there or cannot be read."""
    if not path.is_file():
        return None
    try:
        samples = read_teacher_file(path).get("train_fingerprint")
    except (OSError, ValueError, MemoryError):
        return None
    return samples if isinstance(samples, str) else None


def teacher_run_settings(config: TrainConfig) -> dict[str, Any]:
    """The settings (:func:`~pidkit_distill.config.config_to_dict`) of the run that trains
    ``config``'s teacher, but its run name (:func:`teacher_run_config` names it): those that
    :func:`keyed_teacher` keys a teacher by, read without its data.

    Its optimizer is ``teacher.optimizer`` (``sgd`` unless set), not the student's
    ``optim.optimizer``: students of SGD and AdamW share a teacher. An AdamW teacher's run holds
    the SGD keys (:data:`~pidkit_distill.config.sections.SGD_ONLY`) at their defaults, which
    AdamW ignores, so that its student's values of them neither refuse its run nor name
    another folder.

    The student's settings that the teacher's run holds of its own
    (:data:`~pidkit_distill.config.teacher_keys.TEACHER_RUN_OWN`) are not the student's: its audit
    section is the default one (the teacher's run has no audit), and ``run.amp`` and
    ``run.sync_bn`` are off where they do not act (:func:`run_numbers_now`: ``run.amp`` off a
    GPU, ``run.sync_bn`` in one process). None of them names the teacher's folder, so a
    student's choice of them kept there stopped its teacher's run from resuming under another
    student's (the walk of t-392, finding 1).

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> settings = teacher_run_settings(load_config(overrides=["teacher.epochs=2"]))
    >>> settings["method"]["name"], settings["run"]["epochs"], settings["model"]["student"]
    ('teacher', 2, 'digits-teacher')
    >>> teacher_run_settings(load_config(overrides=["optim.optimizer=adamw"]))["optim"]["optimizer"]
    'sgd'
    >>> adamw = teacher_run_settings(load_config(overrides=["teacher.optimizer=adamw",
    ...                                                     "optim.momentum=0.5"]))["optim"]
    >>> adamw["optimizer"], adamw["momentum"]
    ('adamw', 0.9)
    >>> student = load_config(overrides=["audit.bootstrap=100", "run.device=cpu", "run.amp=true"])
    >>> settings = teacher_run_settings(student)
    >>> settings["audit"]["bootstrap"], settings["run"]["amp"]
    (40, False)
    >>> teacher_run_settings(load_config(overrides=["run.device=cuda", "run.amp=true"]))["run"]["amp"]
    True
    """
    config = models_resolved(config, teacher_only=True)
    data = config_to_dict(config)
    data["data"]["options"].update(config.teacher.data_options)
    data["method"] = {"name": "teacher", "preset": "", "params": {}}
    data["model"]["student"] = config.model.teacher
    data["optim"].update(lr=config.teacher.lr, optimizer=config.teacher.optimizer)
    if config.teacher.optimizer != "sgd":  # its student's SGD keys are no teacher's setting
        sgd_defaults = config_to_dict(TrainConfig())["optim"]
        data["optim"].update({name: sgd_defaults[name] for name in SGD_ONLY})
    data["optim"]["schedule"] = "paper" if config.optim.schedule == "kd-rid-effective" \
        else config.optim.schedule
    data["run"].update(epochs=config.teacher.epochs, seed=config.teacher.seed, audit_every=0,
                       stop_after=0, early_stop=0, resume=True)
    data["teacher"]["source"] = "trained"
    numbers = run_numbers_now(data)
    return with_teacher_run_own(data, {
        "audit": config_to_dict(TrainConfig())["audit"],
        "run": {"amp": "amp" in numbers, "sync_bn": "sync_bn" in numbers}})


def teacher_run_numbers(settings: Mapping[str, Any], processes: int = 1,
                        threads_now: int | None = None) -> dict[str, Any]:
    """The settings of the teacher's run ``settings`` (its configuration as a dict) outside
    the sections that :func:`~pidkit_distill.config.teacher_keys.teacher_key` keys, that change the
    teacher's numbers, with ``processes`` the number of processes that train it: ``threads``
    where ``run.threads`` is set (another thread count sums in another order), or, where it
    is 0, ``threads_now``, the threads torch uses on the CPU where it is given
    (:func:`run_numbers_now` gives ``torch.get_num_threads()``, which ``OMP_NUM_THREADS`` or
    the cores set: a shell of ``OMP_NUM_THREADS=1`` and one of 2 threads train two teachers;
    on a GPU the count changes nothing), ``device``,
    ``"cuda"``, where the teacher trains on a GPU (``run.device`` ``cuda``, ``cuda:N``, or
    ``auto`` on a machine with CUDA), ``amp`` where bf16 autocast acts (``run.amp`` on CUDA),
    ``processes`` where there are more than one, and ``sync_bn`` where ``run.sync_bn`` acts
    (more than one process). A setting at its :data:`RUN_KEY_UNSET` value is left out, so that
    a teacher of the default settings on a GPU in one process keeps the folder it always had;
    on the CPU, torch's thread count, keyed since 6 Dec 2026, names a folder of its own
    (:func:`teacher_run_config` finds the one cached before).

    The number of processes is keyed whatever the model: under torchrun every process trains
    the teacher (:func:`~pidkit_distill.training.teacher.trained_teacher_file` runs the loop in
    each, DDP), each on its share of every global batch, the global batches being those of one
    process (:mod:`~pidkit_distill.training.loaders`). The gradient of a batch is then summed
    share by share and all-reduced, in another order than one process sums it, so the weights
    differ in rounding, as with another ``run.threads``; and a BatchNorm layer normalises each
    share by the share's own statistics, another teacher, unless ``run.sync_bn`` gives it the
    global batch's (:mod:`~pidkit_distill.training.sync_bn`; rounding alone differs then).
    ``run.sync_bn`` is keyed with the count, where it acts, not for a teacher without
    BatchNorm alone (the key is read from the settings, without building the model): such a
    teacher trained with and without it is trained twice, never reused wrongly.

    Examples
    --------
    >>> teacher_run_numbers({"run": {"threads": 1, "device": "cpu", "amp": True}})
    {'threads': 1}
    >>> teacher_run_numbers({"run": {"threads": 0, "device": "cuda:1", "amp": True}})
    {'device': 'cuda', 'amp': True}
    >>> teacher_run_numbers({"run": {"threads": 0, "device": "cpu", "amp": False}})
    {}
    >>> teacher_run_numbers({"run": {"threads": 0, "device": "cpu"}}, threads_now=2)
    {'threads': 2}
    >>> teacher_run_numbers({"run": {"threads": 0, "device": "cuda"}}, threads_now=2)
    {'device': 'cuda'}
    >>> teacher_run_numbers({"run": {"device": "cpu", "sync_bn": True}}, processes=2)
    {'processes': 2, 'sync_bn': True}
    >>> teacher_run_numbers({"run": {"device": "cpu", "sync_bn": True}}, processes=1)
    {}
    """
    run = settings.get("run")
    run = run if isinstance(run, Mapping) else {}
    device = run.get("device", "auto")
    on_gpu = isinstance(device, str) and (
        device.startswith("cuda") or (device == "auto" and torch.cuda.is_available()))
    numbers: dict[str, Any] = {}
    if run.get("threads"):
        numbers["threads"] = run["threads"]
    elif threads_now and not on_gpu:
        numbers["threads"] = threads_now
    if on_gpu:
        numbers["device"] = "cuda"
        if run.get("amp"):
            numbers["amp"] = True
    if processes > 1:
        numbers["processes"] = processes
        if run.get("sync_bn"):
            numbers["sync_bn"] = True
    return numbers


def run_numbers_now(settings: Mapping[str, Any], threads: int | None = None) -> dict[str, Any]:
    """:func:`teacher_run_numbers` of the teacher's run ``settings`` trained by this run's
    processes (torchrun's ``WORLD_SIZE``; 1 outside torchrun) on the threads torch uses now
    (where ``run.threads`` is 0: ``threads``, where given, under torchrun rank 0's count, which
    every process keys its teacher by; else ``torch.get_num_threads()``).

    Examples
    --------
    >>> run_numbers_now({"run": {"threads": 2, "device": "cpu"}})  # outside torchrun
    {'threads': 2}
    >>> run_numbers_now({"run": {"threads": 0, "device": "cpu"}}) == {
    ...     "threads": torch.get_num_threads()}
    True
    >>> run_numbers_now({"run": {"threads": 0, "device": "cpu"}}, threads=3)
    {'threads': 3}
    """
    return teacher_run_numbers(settings, world_size_from_env(),
                               torch.get_num_threads() if threads is None else threads)


# The run settings that a teacher file of an older version records in its "config" (not
# RUN_NUMBERS), each with the type of a value that says it.
_RECORDED_RUN = (("threads", int), ("device", str), ("amp", bool), ("sync_bn", bool))


def recorded_run_numbers(saved: Mapping[str, Any], folder: Path, threads_now: int | None = None
                         ) -> tuple[dict[str, Any], list[str], list[str]]:
    """The run settings that changed the numbers of the teacher file ``saved`` (the
    ``teacher.pt`` of the run folder ``folder``), as :func:`teacher_run_numbers` keys them,
    the names of those it does not tell, and the names of those taken without a record:
    ``processes`` taken as one, ``threads`` as ``threads_now`` (this run's count).

    A file records them (:data:`RUN_NUMBERS`) as they were where it was trained. One written
    before it did tells them by the settings of its run (``"config"``): ``run.threads``,
    ``run.device`` (``auto`` as this machine resolves it), ``run.amp`` and ``run.sync_bn``;
    and by its folder's ``metrics.jsonl``, whose epochs each record the processes that trained
    them. An epoch written before they did (3 Dec 2026) was trained by one process, as a
    command without torchrun trains, unless the folder shows torchrun: ``run.sync_bn`` set,
    which acts under torchrun alone, or a ``checkpoint.pt`` whose random states are those of
    several processes (:func:`torchrun_sign`). A setting that none of these tells (a table
    without ``run.threads``, epochs of several counts, a sign of torchrun on epochs that record
    no count) is named, not taken for its unset value: such a file is no match for any run
    (:func:`~pidkit_distill.training.teacher.check_cached_teacher`). ``run.amp`` off a GPU
    and ``run.sync_bn`` in one process change nothing and need no record. A file trained on
    the CPU with ``run.threads`` 0 before torch's own count was recorded (6 Dec 2026: its
    record, if any, holds no ``threads``) is taken as trained on ``threads_now``, where given,
    as the teacher its folder always held for these settings.

    Examples
    --------
    >>> from pathlib import Path
    >>> recorded_run_numbers({"run_numbers": {"threads": 1}}, Path("/nonexistent"))
    ({'threads': 1}, [], [])
    >>> old = {"config": {"run": {"device": "cpu", "amp": False, "sync_bn": False}}}
    >>> recorded_run_numbers(old, Path("/nonexistent"))  # no run.threads, no metrics.jsonl
    ({}, ['threads', 'processes'], [])
    >>> own = {"run_numbers": {}, "config": {"run": {"threads": 0, "device": "cpu"}}}
    >>> recorded_run_numbers(own, Path("/nonexistent"), threads_now=2)  # torch's count untold
    ({'threads': 2}, [], ['threads'])
    """
    config = saved.get("config")
    run = config.get("run") if isinstance(config, Mapping) else None
    run = run if isinstance(run, Mapping) else {}
    recorded = saved.get(RUN_NUMBERS)
    numbers, unknown, taken = dict(recorded) if isinstance(recorded, Mapping) else {}, [], []
    if not isinstance(recorded, Mapping):
        counts = _epoch_processes(folder)
        taken_as_one = counts is not None and None in counts and torchrun_sign(run, folder) is None
        if counts is not None and taken_as_one:
            counts = (counts - {None}) | {1}
        count = counts.pop() if counts is not None and len(counts) == 1 else None
        processes = count if type(count) is int and count >= 1 else None
        numbers = teacher_run_numbers({RUN_IN_KEY: run}, processes or 1)
        unknown = [name for name, kind in _RECORDED_RUN if type(run.get(name)) is not kind]
        if processes is None:
            unknown.append("processes")
        no_effect = {"amp": "device" not in numbers and "device" not in unknown,
                     "sync_bn": processes == 1}
        unknown = [name for name in unknown if not no_effect.get(name)]
        taken = ["processes"] if taken_as_one and processes == 1 else []
    if threads_now and type(run.get("threads")) is int and run["threads"] == 0 \
            and not {"threads", "device"} & (numbers.keys() | set(unknown)):
        numbers["threads"] = threads_now
        taken.append("threads")
    return numbers, unknown, taken


def torchrun_sign(run: Mapping[str, Any], folder: Path) -> str | None:
    """What shows that torchrun trained the run of the folder ``folder``, whose settings'
    ``run`` table is ``run``, where its epochs do not record their processes: ``run.sync_bn``
    set (it acts under torchrun alone), or the random states of several processes in its
    ``checkpoint.pt`` (one per process, as the last epoch's writer saved them); ``None``
    where neither does (no checkpoint, or one that cannot be read, shows nothing).

    Examples
    --------
    >>> from pathlib import Path
    >>> torchrun_sign({"sync_bn": True}, Path("/nonexistent"))
    'its run.sync_bn=True, which acts under torchrun alone, says torchrun trained it'
    >>> torchrun_sign({"sync_bn": False}, Path("/nonexistent")) is None
    True
    """
    if run.get("sync_bn") is True:
        return "its run.sync_bn=True, which acts under torchrun alone, says torchrun trained it"
    try:
        states = safe_load(folder / "checkpoint.pt", what="checkpoint", holds="", mmap=True)
    except (OSError, ValueError):
        return None
    states = states.get("rng") if isinstance(states, dict) else None
    if isinstance(states, list) and len(states) > 1:
        return f"its checkpoint.pt was written by {len(states)} processes, so torchrun trained it"
    return None


def _epoch_processes(folder: Path) -> set[Any] | None:
    """The numbers of processes that the epochs of the run in ``folder`` record (``None``
    among them for an epoch that records none), as its ``metrics.jsonl`` holds them; ``None``
    where it holds no epoch or cannot be read."""
    try:
        counts = {record.get("processes") for record in read_metrics(folder)}
    except (OSError, ValueError):
        return None
    return counts or None


def keyed_teacher(settings: Mapping[str, Any], registered: Mapping[str, str],
                  code: str | None = None, samples: str | None = None,
                  numbers: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The key of the teacher of the teacher's run ``settings``, which its folder's name
    hashes and its cached file must record: :func:`~pidkit_distill.config.teacher_keys.teacher_key`
    (of ``registered``, ``code`` and ``samples``), and, under :data:`RUN_IN_KEY`, the run
    settings that change its numbers where any is set: ``numbers``, or, where it is ``None``,
    those of this run's processes (:func:`run_numbers_now`); so that the same seed, the same
    ``run.threads`` and the same number of processes find the teacher they train, bit for bit.

    Examples
    --------
    >>> settings = {"data": {"name": "digits"}, "run": {"threads": 1, "device": "cpu"}}
    >>> keyed_teacher(settings, {})["run"]
    {'threads': 1}
    >>> keyed_teacher({"data": {"name": "digits"}, "run": {"device": "cpu"}}, {})["run"] == {
    ...     "threads": torch.get_num_threads()}  # run.threads 0: torch's own count on the CPU
    True
    >>> keyed_teacher(settings, {}, numbers={"processes": 2})["run"]
    {'processes': 2}
    """
    key = teacher_key(settings, registered, code, samples)
    numbers = run_numbers_now(settings) if numbers is None else dict(numbers)
    if numbers:
        key[RUN_IN_KEY] = numbers
    return key


def _folder_name(config: TrainConfig, key: dict[str, Any]) -> str:
    """The name of the folder of ``config``'s teacher (its ``model.teacher`` resolved) keyed
    by ``key`` (:func:`keyed_teacher`)."""
    digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:8]
    return (f"teacher-{config.data.name}-{config.model.teacher}"
            f"-s{config.teacher.seed}-e{config.teacher.epochs}-{digest}")


def _trained_on(path: Path, data: DatasetBundle, samples: str) -> bool:
    """Whether the teacher file ``path`` is there and records the training samples of
    fingerprint ``samples``, or, written before it recorded them, none and the sizes of
    ``data``; a file that cannot be read is not."""
    if not path.is_file():
        return False
    try:
        saved = read_teacher_file(path)
    except (OSError, ValueError, MemoryError):
        return False
    if "train_fingerprint" in saved:
        return saved["train_fingerprint"] == samples
    return (saved.get("n_train"), saved.get("n_test")) == (len(data.train), len(data.test))


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


def teacher_file_of(config: TrainConfig, *, data: DatasetBundle | None = None) -> Path | None:
    """The file ``teacher.source`` names: the cached ``teacher.pt`` for ``"trained"`` (which
    may not exist yet; ``data``, the teacher's data as the run loaded it, names a registered
    data set's: :func:`teacher_run_config`), the path itself (a ``~`` that starts it is the
    home folder, as in a shell), or ``None`` for ``"untrained"``.

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
        return run_dir_of(teacher_run_config(config, data=data)) / "teacher.pt"
    return Path(os.path.expanduser(source))
