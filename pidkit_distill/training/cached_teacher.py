"""The checks of a teacher file before it is used: :func:`check_teacher_path` reads one safely
and checks its tensors (:func:`~pidkit_distill.training.teacher_files.check_teacher_file`) and,
for the ``teacher.pt`` cached for ``teacher.source = "trained"``, that it was trained for the
run's settings, data and code (:func:`check_cached_teacher`), naming the first that differs and
the folder to delete.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pidkit_distill.config import TrainConfig
from pidkit_distill.config.registered_record import recorded_registered, registered_now
from pidkit_distill.config.teacher_keys import (
    CODE_IN_KEY,
    REGISTERED_IN_KEY,
    flat_settings,
)
from pidkit_distill.data import DatasetBundle, DatasetSpec
from pidkit_distill.data.registry import describes_its_sizes
from pidkit_distill.training.data_fingerprints import data_fingerprint
from pidkit_distill.training.model_checks import models_resolved
from pidkit_distill.training.rundir import REGISTRY_SOURCES
from pidkit_distill.training.teacher_files import check_teacher_file, read_teacher_for_run
from pidkit_distill.training.teacher_sources import (
    RUN_IN_KEY,
    RUN_KEY_UNSET,
    keyed_teacher,
    recorded_run_numbers,
    run_numbers_now,
    teacher_code,
    teacher_run_settings,
    torchrun_sign,
)

__all__ = ["check_cached_teacher", "check_teacher_path"]


# The teacher run's keys that repeat another of its keys (teacher_run_config): a change shows
# in the key a user sets.
_MIRRORS = ("model.student", "optim.lr")
# Where the teacher's key (flat_settings of keyed_teacher) holds the module of a registered name,
# and the run settings that change its numbers.
_REGISTERED_IN = f"{REGISTERED_IN_KEY}."
_RUN_IN = f"{RUN_IN_KEY}."
# The run number that is no setting, the processes (torchrun's WORLD_SIZE), in a user's words.
_PROCESSES = f"{_RUN_IN}processes"
_THREADS = f"{_RUN_IN}threads"
_SAID = {_PROCESSES: "number of torchrun processes", _THREADS: "number of CPU threads"}


def _run_number(name: str, value: Any) -> str:
    """The run setting ``name`` of a teacher's flat key at ``value``, as a message says it: the
    processes and the CPU threads (set by ``run.threads``, or torch's own where it is 0) by
    their count.

    Examples
    --------
    >>> _run_number("run.threads", 1), _run_number("run.threads", 4)
    ('1 CPU thread', '4 CPU threads')
    >>> _run_number("run.processes", 1), _run_number("run.amp", True)
    ('one process (no torchrun)', 'run.amp=True')
    """
    if name == _PROCESSES:
        return "one process (no torchrun)" if value == 1 else f"{value} torchrun processes"
    if name == _THREADS and value:
        return f"{value} CPU thread{'' if value == 1 else 's'}"
    return f"{name}={value!r}"


def _run_numbers(key: dict[str, Any], names: list[str]) -> str:
    """The run settings ``names`` (``run.threads``, ...) of a teacher's flat key, each at its
    value where the key leaves it out, as a message says them.

    Examples
    --------
    >>> _run_numbers({"run.threads": 1}, ["run.amp", "run.threads", "run.processes"])
    'run.amp=False, 1 CPU thread, one process (no torchrun)'
    >>> _run_numbers({"run.processes": 2}, ["run.processes"])
    '2 torchrun processes'
    """
    return ", ".join(_run_number(name, key.get(name, RUN_KEY_UNSET[name.removeprefix(_RUN_IN)]))
                     for name in names)


def _taken_note(name: str, path: Path, numbers: dict[str, Any]) -> str:
    """The line said where the run takes the cached teacher ``path`` for its own value of the
    run setting ``name`` (``processes`` or ``threads``), which the file does not record (an
    older version wrote it); ``numbers`` are those it is taken with."""
    if name == "processes":
        return (f"taking the teacher {path} as trained by one process (no torchrun): an older "
                "pidkit did not record the number of torchrun processes, and its folder shows "
                "no sign of torchrun")
    count = _run_number(_THREADS, numbers["threads"])
    return (f"taking the teacher {path} as trained on this run's {count}: an older pidkit did "
            "not record how many CPU threads torch used with run.threads=0 (its own count, "
            "set by OMP_NUM_THREADS or the cores), and another count gives a teacher other "
            f"numbers in rounding; delete {path.parent} to train a teacher of {count} instead")


def check_cached_teacher(saved: dict[str, Any], path: Path, *, config: TrainConfig,
                         spec: DatasetSpec, fingerprint: str | None = None,
                         sizes_known: bool = True, threads: int | None = None) -> str | None:
    """Raise :class:`ValueError` unless the cached ``teacher.pt`` (``saved``, read from
    ``path``) was trained for ``config``'s teacher, on data the size of ``spec``'s (where
    ``sizes_known``), and on the training samples that ``fingerprint`` stands for.

    The file records the settings of the run that trained it (``"config"``), the sizes of its
    data (``"n_train"``, ``"n_test"``) and the fingerprint of its training data
    (``"train_fingerprint"``, :func:`data_fingerprint`; neither in a file written before
    they were, which is checked without them): a file copied from another teacher's folder,
    or trained on data that has changed since (CIFAR files replaced; a registered data set
    whose loader returns other samples has a folder of its own,
    :func:`teacher_run_config`), or of a data set or ``model.teacher`` of one name
    that another module registered (the file records where they came from), or of a registered
    ``model.teacher`` whose code was edited since (the file records :func:`teacher_code`,
    which one written by an older version lacks), is refused,
    where the names and shapes of its tensors (:func:`check_teacher_file`) would pass. So is
    one trained with other run settings that change a teacher's numbers (``run.threads``, a
    GPU, ``run.amp``, the number of processes and ``run.sync_bn`` under torchrun:
    :func:`recorded_run_numbers`, the file's record of them, against those of this run's
    processes), and one of an older version that does not tell one of them (it records no
    ``run.threads``, or its ``metrics.jsonl`` no single number of processes, or epochs that
    record none in a folder that shows torchrun), for any run: such a setting is unknown, not
    taken for its unset value. The CPU threads are torch's own where ``run.threads`` is 0
    (:func:`~pidkit_distill.training.teacher_sources.run_numbers_now`): a file trained on 1
    and a run on 2 differ, as a file of ``run.threads=1`` and a run of ``run.threads=2`` do.
    The message names the first setting that differs (both modules,
    where they differ) and says to delete the folder to train the teacher again (or, where
    run settings alone differ, to pass the file as ``--teacher PATH`` to use it as it is). A
    ``model.teacher`` of ``"auto"`` is the data set's own
    (:func:`~pidkit_distill.training.model_checks.models_resolved`).

    Parameters
    ----------
    saved : dict
        The file's contents (:func:`read_teacher_file`).
    path : Path
        The file, for the message.
    config : TrainConfig
        The student's run (or ``train-teacher``'s) configuration.
    spec : DatasetSpec
        The teacher's data (with ``teacher.data_options``).
    fingerprint : str, optional
        :func:`data_fingerprint` of that data's training set, where it is loaded (``None``:
        not compared).
    sizes_known : bool, default=True
        ``spec`` holds the sizes the run loads; ``False`` where it holds a data set's nominal
        ones, not compared (CIFAR described without reading it:
        :func:`~pidkit_distill.data.registry.describes_its_sizes`; the run compares those it
        loads).
    threads : int, optional
        The threads torch uses on the CPU, compared where ``run.threads`` is 0 (under torchrun,
        rank 0's, which names the folder in every process); ``torch.get_num_threads()`` where
        it is not given.

    Returns
    -------
    str or None
        The lines to print where the file is reused with its number of processes taken as one,
        or with its CPU threads taken as this run's (``run.threads`` 0), as an older version did
        not record them (:func:`recorded_run_numbers`); else ``None``.

    Raises
    ------
    ValueError
        The file records other settings, none, data of other sizes, or other training data.
    """
    config = models_resolved(config, teacher_only=True)
    recorded = saved.get("config")
    sizes = (saved.get("n_train"), saved.get("n_test"))
    settings = teacher_run_settings(config)
    now = run_numbers_now(settings, threads)
    numbers, untold, taken = recorded_run_numbers(saved, path.parent, now.get("threads"))
    have = (flat_settings(keyed_teacher(recorded, recorded_registered(recorded),
                                        saved.get("code_fingerprint"), numbers=numbers))
            if isinstance(recorded, dict) else {})
    want = flat_settings(keyed_teacher(settings, registered_now(settings, REGISTRY_SOURCES),
                                       teacher_code(config.model.teacher), numbers=now))
    # compared as the folder's name hashes them, by their JSON text: a NaN setting (a loader's
    # option), which equals nothing, is the same NaN, not a setting that differs; where a name
    # came from first, as the settings of two modules' models of one name may all agree
    differ = sorted((key for key in want.keys() | have.keys()
                     if key not in _MIRRORS and (key not in want or key not in have
                                                 or json.dumps(want[key]) != json.dumps(have[key]))),
                    key=lambda key: (not key.startswith(_REGISTERED_IN), key))
    # the run settings alone differ: those the file tells first, then those it does not
    run_only = all(key.startswith(_RUN_IN) for key in differ)
    told = [key for key in differ if key.removeprefix(_RUN_IN) not in untold]
    if not have:
        problem = ("records no settings (the teacher.pt that `pidkit-distill train-teacher` "
                   "writes records them)")
    elif differ and differ[0].startswith(_REGISTERED_IN):
        name = differ[0].removeprefix(_REGISTERED_IN)
        problem = (f"holds the teacher of {name}={want.get(name)!r} registered by "
                   f"{have.get(differ[0]) or 'a module it does not record'}, but this run's "
                   f"{want.get(name)!r} is registered by "
                   f"{want.get(differ[0]) or 'no module of yours'}: one name, two modules' code")
    elif differ and differ[0] == CODE_IN_KEY:
        problem = (f"holds a teacher of model.teacher={config.model.teacher!r} built by other "
                   "code than the one registered now (its builder, or code of yours that it "
                   "names, was edited since)" if CODE_IN_KEY in have else
                   f"records no fingerprint of the code of model.teacher="
                   f"{config.model.teacher!r} (written by an older version)")
    elif run_only and told:
        problem = (f"was trained with {_run_numbers(have, told)}, but this run has "
                   f"{_run_numbers(want, told)}, which gives a teacher other numbers (a version "
                   "before this one reused a teacher whatever these were)")
    elif run_only and untold:
        names = [f"{_RUN_IN}{name}" for name in untold]
        run = recorded.get(RUN_IN_KEY) if isinstance(recorded, dict) else None
        sign = torchrun_sign(run if isinstance(run, dict) else {}, path.parent) \
            if _PROCESSES in names else None
        problem = (f"does not record the {' or '.join(_SAID.get(n, n) for n in names)} it was "
                   f"trained with (an older version wrote it{f'; {sign}' if sign else ''}), which "
                   "gives a teacher other numbers, so it is not taken for this run's "
                   f"{_run_numbers(want, names)}")
    elif differ:
        key = differ[0]
        more = f" (and {len(differ) - 1} more setting(s))" if len(differ) > 1 else ""
        problem = (f"was trained with {key}={have.get(key)!r}, but these settings have "
                   f"{key}={want.get(key)!r}{more}: a file from another teacher's folder")
    elif sizes_known and None not in sizes and sizes != (spec.n_train, spec.n_test):
        problem = (f"was trained on {sizes[0]} training and {sizes[1]} test samples of "
                   f"data.name={config.data.name!r}, which has {spec.n_train} and {spec.n_test} "
                   "now (its loader changed?)")
    elif None not in (fingerprint, saved.get("train_fingerprint")) \
            and fingerprint != saved["train_fingerprint"]:
        problem = (f"was trained on other samples of data.name={config.data.name!r} than it "
                   "has now, of the same sizes: the data changed since the teacher was trained "
                   "(a loader that returns other samples, data files replaced)")
    else:
        return "\n".join(_taken_note(name, path, numbers) for name in taken) or None
    keep = f", or pass --teacher {path} to use it as it is" if run_only and (told or untold) else ""
    raise ValueError(f"teacher file {str(path)!r} {problem}; it is the teacher cached for "
                     f"these settings: delete {path.parent} to train it again{keep}")


def check_teacher_path(path: Path, *, model: str, spec: DatasetSpec, cached: bool,
                       config: TrainConfig | None = None, data: DatasetBundle | None = None
                       ) -> None:
    """Read the teacher file ``path`` safely and check it (:func:`check_teacher_file`; for the
    cached one with ``config``, :func:`check_cached_teacher` too).

    Parameters
    ----------
    path : Path
        The teacher file.
    model : str
        The architecture it must hold (``model.teacher``).
    spec : DatasetSpec
        The data it must fit (classes, input channels).
    cached : bool
        ``path`` is the ``teacher.pt`` cached for ``teacher.source = "trained"``, which the
        user did not name; a message about it says so, and how to train the teacher again.
    config : TrainConfig, optional
        The run's configuration: the cached file must record its teacher's settings.
    data : DatasetBundle, optional
        The teacher's data where it is loaded already (a registered data set's): the cached
        file's training data must be its training set (:func:`data_fingerprint`); ``path`` is
        then the file of its samples' folder (:func:`teacher_file_of` given the data). Without
        it, the file's data sizes are compared with ``spec``'s only where those are the sizes
        the run loads (not CIFAR's nominal ones: a trimmed folder's teacher was refused for
        good).

    Raises
    ------
    ValueError
        The file is not a teacher, or not one of ``model`` for ``spec``.
    TrainingError
        Memory ran out while it was read (:func:`read_teacher_for_run`).

    Examples
    --------
    >>> import tempfile
    >>> from pidkit_distill.data import describe_dataset
    >>> cache = Path(tempfile.mkdtemp()) / "teacher.pt"
    >>> _ = cache.write_bytes(b"")  # damaged: emptied
    >>> check_teacher_path(cache, model="digits-teacher", spec=describe_dataset("digits"),
    ...                    cached=True)
    Traceback (most recent call last):
    ...
    ValueError: teacher file '...teacher.pt' is not a file written by torch.save; ...; it is the \
teacher cached for these settings: delete ... to train it again
    """
    try:
        saved = read_teacher_for_run(path, cached=cached)
        check_teacher_file(saved, path, model=model, spec=spec)
    except ValueError as err:
        if not cached:
            raise
        raise ValueError(f"{err}; it is the teacher cached for these settings: delete "
                         f"{path.parent} to train it again") from None
    if cached and config is not None:
        fingerprint = None if data is None else data_fingerprint(data.train)
        check_cached_teacher(saved, path, config=config, spec=spec, fingerprint=fingerprint,
                             sizes_known=data is not None or describes_its_sizes(spec.name))
