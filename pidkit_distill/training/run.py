"""One run from a configuration: :func:`train` (a student) and :func:`train_teacher`.

Read it top to bottom, as torchvision's reference ``train.py``: check the whole configuration
(:func:`~pidkit_distill.check_config`, before any work), set up the process
(device, DDP), load the data (under torchrun, rank 0 first: :func:`_load_data`), get the
teacher, build the student and the method's Distiller, then :func:`~pidkit_distill.training.fit`.
"""

from __future__ import annotations

import copy
import http.client
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

import torch
import torch.distributed as dist
from torch import nn

from pidkit.command_line import one_line
from pidkit_distill.config import TrainConfig, config_from_dict, config_to_dict
from pidkit_distill.config_errors import ConfigValueError
from pidkit_distill.data import DatasetBundle
from pidkit_distill.data.cifar import download_failure, is_root_error
from pidkit_distill.data.validation_split import split_validation, training_labels
from pidkit_distill.folder_locks import others_wait
from pidkit_distill.models import build_model, building_models
from pidkit_distill.run_folders.summary import RunSummary
from pidkit_distill.signals import interrupts_deferred
from pidkit_distill.starting_runs import starting_run_name
from pidkit_distill.training.checkpoint import read_checkpoint
from pidkit_distill.training.checks import CheckedConfig, check_config
from pidkit_distill.training.file_sharing import contents_given, read_by_main
from pidkit_distill.training.late_files import file_refused_late
from pidkit_distill.training.loaders import DataError, data_options, load_data
from pidkit_distill.training.loop import fit
from pidkit_distill.training.lost_peers import (
    ended_as_processes_met,
    failure_of_lost_peer,
    failure_of_peer_sigterm,
)
from pidkit_distill.training.outcomes import (
    TrainingError,
    TrainingInterrupted,
    failure_leaving,
    out_of_memory_reading,
)
from pidkit_distill.training.peer_stopped import PeerStopped, as_stopped
from pidkit_distill.training.resume import audit_change_note
from pidkit_distill.training.rundir import RunFolder, run_dir_of, run_folder_lock
from pidkit_distill.training.runtime import (
    Runtime,
    caller_state_kept,
    close_runtime,
    first_stop,
    from_main,
    init_runtime,
    leave_runtime,
    seed_everything,
    token_from_main,
    wait_for_all,
)
from pidkit_distill.training.stop_records import FirstStop, record_first_stop, stop_cause
from pidkit_distill.training.teacher import load_teacher, trained_teacher_file
from pidkit_distill.training.teacher_records import teacher_recorded

__all__ = ["PeerStopped", "train", "train_teacher"]


def train(config: TrainConfig | CheckedConfig) -> RunSummary:
    """Run one distillation run described by ``config``.

    The configuration is checked completely first (:func:`check_config`): a mistake raises
    before any data is loaded (but a registered data set's, whose loader the check calls, once)
    or any network trained. The run folder is locked while the run
    writes it, so a second run started on it meanwhile raises instead of mixing its records in
    (:func:`~pidkit_distill.training.rundir.run_folder_lock`). A resumed run takes its teacher's
    weights from its checkpoint (the teacher file is not needed again). The run's thread count
    (``run.threads``) and seeds do not outlast it: torch's thread count and python's, numpy's
    and torch's global random streams (CUDA's too) are the caller's again when it returns or
    raises; it runs in float32, with the CPU as default device and with gradients on whatever
    the caller's default dtype and device, grad mode and inference mode
    (:func:`~pidkit_distill.training.runtime.caller_state_kept`). A network of one's own built
    in another dtype, or inputs of another floating dtype, are refused, naming them.

    Parameters
    ----------
    config : TrainConfig or CheckedConfig
        The configuration (see :func:`pidkit_distill.load_config`), or what
        :func:`check_config` returned for it just before, which is not checked again (a
        registered data set's loader, which the check calls, is then called once in all), but
        refused where the configuration changed since (a run given it again loads its data
        again).

    Returns
    -------
    RunSummary
        Last and best held-out accuracy, the per-epoch history and the run folder.

    Raises
    ------
    ValueError, TypeError, OSError
        A mistake in the configuration (the message starts with the key to change).
    RunFolderBusy
        Another process is writing the run folder (a :class:`ValueError`).
    DataError
        The data cannot be trained on, as found when it is loaded (a :class:`ValueError`): its
        inputs' dtype, a damaged file, a ``data.root`` that a CIFAR download cannot write
        (caused by the :class:`~pidkit_distill.atomic_files.FileWriteError`). So is a teacher
        file (``teacher.source``) damaged, of other shapes or removed since the check, and the
        trained ``student_init`` run that the method starts from, whose folder only the run
        checks (``method.name: the student's initial weights ...``); the error of the file is
        its cause.
    TrainingError
        The loss became NaN or infinite, or memory ran out (says where and what was saved).
    PeerStopped
        Under torchrun, another process of the run failed or was interrupted first, and this
        one stopped with it (a :class:`TrainingError` with that process's message).

    Examples
    --------
    >>> import tempfile
    >>> from pidkit_distill import load_config, train
    >>> cfg = load_config(overrides=[
    ...     "data.name=synthetic", "data.options.n_train=64", "data.options.n_test=32",
    ...     "model.teacher=synthetic-teacher", "model.student=synthetic-student",
    ...     "teacher.source=untrained", "run.epochs=2", "run.audit_every=0",
    ...     f"run.out_dir={tempfile.mkdtemp()}", "run.name=doc"])
    >>> summary = train(cfg)                                      # doctest: +ELLIPSIS
    [bas] epoch 1/2 ...
    [bas] epoch 2/2 ...
    >>> summary.epochs_done, 0.0 <= summary.last_acc <= 1.0
    (2, True)
    """
    checked = _checked(config, teacher_only=False)
    if checked.method is None:
        raise ValueError("config: this CheckedConfig is from check_config(config, "
                         "teacher_only=True), which resolves no method; pass the TrainConfig, "
                         "or check_config(config) without teacher_only")
    config = checked.config
    with _run_session(config) as runtime:  # a notebook's session goes on after the run
        with _peer_end_named(runtime, "while taking the run folder's lock"), \
                run_folder_lock(checked.run_dir, runtime), _failure_recorded(checked, runtime), \
                teacher_recorded(config, checked.run_dir, runtime) as teacher_used:
            if runtime.is_main:
                for notice in checked.notices:
                    print(notice, flush=True)
            bundle, teacher_bundle = checked.take_both_data()
            bundle, teacher_bundle, validation = _validation_split(
                config, runtime, bundle or _load_data(config, runtime), teacher_bundle)
            with _peer_end_named(runtime, "while loading the teacher"):
                # rank 0's checkpoint decides (fit reads it: read_by_main), so that no process
                # goes the new run's way alone, making the teacher's and student_init's
                # collective calls
                resumed = from_main(runtime, checked.resume)
                if resumed and runtime.is_main and (
                        note := audit_change_note(checked.run_dir / "checkpoint.pt", config)):
                    print(note, flush=True)  # another run.audit_every, audit.bootstrap, ...
                if resumed:  # the checkpoint holds every weight
                    teacher = _build(config.model.teacher, checked.teacher_data.num_classes,
                                     checked.teacher_data.input_shape).requires_grad_(False)
                    teacher_used.keep_resumed(teacher, checked.teacher_data)
                else:
                    # a file of the user's (teacher.source=PATH), which check_config read; a
                    # cached teacher.pt refused is a DataError of load_teacher's own
                    reads_file = config.teacher.source not in ("trained", "untrained")
                    with file_refused_late("teacher.source") if reads_file \
                            else nullcontext():
                        teacher = load_teacher(config, bundle=bundle, runtime=runtime,
                                               teacher_bundle=teacher_bundle,
                                               resolved=teacher_used.keep)
            init_state = None
            if not resumed:
                with _peer_end_named(runtime, "while reading the student's initial weights"):
                    init_state = _student_init_state(config, checked.method.student_init,
                                                     runtime)
            seed_everything(config.run.seed)
            student = _build(config.model.student, bundle.num_classes, bundle.input_shape)
            if init_state is not None:
                student.load_state_dict(init_state)
            distiller = checked.method(student, teacher, sample_input=_sample_input(bundle),
                                       num_classes=bundle.num_classes, **checked.method_options())
            # its collective calls before the epochs' error handling: the checkpoint's reading
            with _peer_end_named(runtime, "while reading the run folder's checkpoint, before "
                                 "any epoch"):
                summary = fit(config, distiller, bundle, checked.run_dir, runtime,
                              teacher_bundle=teacher_bundle, validation=validation)
        with _peer_end_named(runtime, "as the processes ended the finished run"):
            wait_for_all(runtime)
        return summary


def train_teacher(config: TrainConfig | CheckedConfig) -> Path:
    """Train the teacher ``config.model.teacher`` on ``config.data`` and save its weights.

    The teacher run uses ``teacher.epochs``, ``teacher.lr`` and ``teacher.seed`` with the
    optimizer settings of ``config.optim`` (``kd-rid-effective`` is replaced by ``paper``: the
    authors trained their teacher differently anyway). It is cached: a second call with the same
    settings returns the saved file without training, and says so.

    Parameters
    ----------
    config : TrainConfig or CheckedConfig
        The configuration, or what :func:`check_config` (``teacher_only=True``) returned for
        it just before, which is not checked again (see :func:`train`).

    Returns
    -------
    Path
        ``teacher.pt``: ``{"model": state_dict, "name", "num_classes", "input_shape", "n_train",
        "n_test", "train_fingerprint", "config", "test_acc"}``, loadable with
        ``teacher.source=PATH``.

    Examples
    --------
    >>> import tempfile
    >>> from pidkit_distill import load_config, train_teacher
    >>> cfg = load_config(overrides=[
    ...     "data.name=synthetic", "data.options.n_train=64", "data.options.n_test=32",
    ...     "model.teacher=synthetic-teacher", "teacher.epochs=1",
    ...     f"run.out_dir={tempfile.mkdtemp()}"])
    >>> path = train_teacher(cfg)                                 # doctest: +ELLIPSIS
    training the teacher synthetic-teacher for 1 epochs -> ...teacher.pt
    [teacher] epoch 1/1 ...
    >>> train_teacher(cfg) == path                                # doctest: +ELLIPSIS
    reusing the teacher synthetic-teacher trained before with the same settings: ...teacher.pt
    True
    """
    checked = _checked(config, teacher_only=True)
    config = checked.config
    with _run_session(config) as runtime:
        bundle = checked.take_data(teacher=True) or _load_data(config, runtime, teacher=True)
        student_data = None
        if config.data.val_fraction and config.teacher.data_options:  # split by its labels
            student_data = _load_data(config, runtime)
        teacher_data = _validation_split(config, runtime, student_data or bundle, bundle)[1]
        with _peer_end_named(runtime, "while training or reusing the teacher, outside its "
                                      "epochs"):
            path = trained_teacher_file(config, teacher_data, runtime)
        with _peer_end_named(runtime, "as the processes ended the finished run"):
            wait_for_all(runtime)
        return path


def _checked(config: TrainConfig | CheckedConfig, *, teacher_only: bool) -> CheckedConfig:
    """``config`` checked (:func:`check_config`); a :class:`CheckedConfig` is not checked again,
    but refused where its configuration changed since (:meth:`CheckedConfig.check_unchanged`)."""
    if not isinstance(config, CheckedConfig):
        return check_config(config, teacher_only=teacher_only)
    config.check_unchanged()
    return config


@contextmanager
def _run_session(config: TrainConfig) -> Iterator[Runtime]:
    """The run's process setup (:func:`init_runtime`), closed after the block if it ended
    well (:func:`close_runtime`), else left to the next run (:func:`leave_runtime`), inside
    :func:`caller_state_kept`; what the run changes in the teacher's code (a tensor that its
    builder reads, trained in place) is not a change of its code (:func:`building_models`).

    Under torchrun, an error records that this process stopped (:func:`first_stop`); one that
    only followed another process's stop (a collective call that failed when that process
    exited, torchrun's SIGTERM) becomes :class:`PeerStopped`, which says which process stopped
    first and why, instead of gloo's "Connection closed by peer" or an interrupt; another
    process that ended without a word as the processes met is this one's failure
    (:func:`ended_as_processes_met`).

    Signals wait while a failed run is left (:func:`_leave_failed`); one that lands as the
    error is caught, before they wait, passes on once the run is left, over the run's error,
    as one that waited does (a second signal in that instant waits too). One that lands as the
    ``with`` statement takes the runtime, before its block begins, leaves the session unentered:
    it is left as after a failure, and no stop is recorded for it (the interrupt is no error of
    the run's: the command says it was interrupted).
    """
    with caller_state_kept(), building_models():
        try:
            runtime = init_runtime(config)
        except RuntimeError as err:
            failure = ended_as_processes_met(err)
            if failure is None:
                raise
            raise failure from err
        try:
            yield runtime
        except GeneratorExit:  # closed unentered: a signal landed as the with statement began
            leave_runtime(runtime)  # no error of the run's to record as its stop
            raise
        except BaseException as err:
            deferring = False
            try:
                with interrupts_deferred():  # torchrun's SIGTERM comes once the stop is recorded
                    deferring = True
                    _leave_failed(err, runtime)
            except KeyboardInterrupt as interrupt:
                if deferring:  # the run's own interrupt, or a signal that waited for the record
                    raise
                try:  # the signal came before the deferral held: the run is left first
                    with interrupts_deferred():
                        _leave_failed(err, runtime)
                except BaseException:
                    # over the run's error, as a signal that waited is: not its cause
                    raise interrupt  # noqa: B904
        close_runtime(runtime)


def _leave_failed(err: BaseException, runtime: Runtime) -> NoReturn:
    """Leave the run that ``err`` ended (:func:`leave_runtime`) and raise what
    :func:`_run_session` raises for it: the failure that torchrun's SIGTERM caught on its way
    out (``err`` an interrupt: :func:`~pidkit_distill.training.outcomes.failure_leaving`) or
    ``err``, recorded as this process's stop, or the :class:`PeerStopped` raised from it where
    it only followed another process's (:func:`~pidkit_distill.training.peer_stopped.
    as_stopped`)."""
    leave_runtime(runtime)
    failure = failure_leaving(err) if isinstance(err, KeyboardInterrupt) else None
    err = failure or err
    if (stopped := as_stopped(err, runtime)) is not err:
        raise stopped from err
    raise err


@contextmanager
def _peer_end_named(runtime: Runtime, doing: str) -> Iterator[None]:
    """Under torchrun, where another process of the run ended without a word (SIGKILL, the
    OOM-killer) while this one made the block's collective calls, which come before or after
    :func:`~pidkit_distill.training.fit`'s error handling (taking the run folder's lock,
    loading the teacher, reading the checkpoint, the last barrier): the run's one-line
    :class:`TrainingError` saying so, ``doing`` (what the run did), as it says for a process
    gone in an epoch, instead of gloo's "Connection closed by peer" traceback or, where
    torchrun's SIGTERM came first, an interrupt. It says nothing of what was saved: the run
    wrote nothing to its folder yet, or (after the last epoch) all of it. Any other error,
    and an interrupt that is not torchrun's for a process gone without a word, passes as it is;
    so does a :class:`TrainingError` (an inner block's, :func:`~pidkit_distill.training.fit`'s
    own), and :func:`_run_session` makes one that only followed another process's recorded
    stop a :class:`PeerStopped`."""
    try:
        yield
    except RuntimeError as err:
        failure = (None if isinstance(err, TrainingError)
                   else failure_of_lost_peer(err, runtime, doing, 0))
        if failure is None:
            raise
        raise failure.replaced(loading_data=True) from err
    except KeyboardInterrupt as interrupt:
        if isinstance(interrupt, TrainingInterrupted) or failure_leaving(interrupt) is not None:
            raise  # fit's own, or a failure on its way out (_run_session's to take)
        failure = failure_of_peer_sigterm(interrupt, runtime, doing, 0)
        if failure is None:
            raise
        raise failure.replaced(loading_data=True) from interrupt


@contextmanager
def _failure_recorded(checked: CheckedConfig, runtime: Runtime) -> Iterator[None]:
    """Record a :class:`TrainingError` of the block as the run raises it
    (:func:`~pidkit_distill.training.peer_stopped.as_stopped`):
    as from before training where :func:`~pidkit_distill.training.fit` did not (``RunFolder.
    record_failure``), or in place of fit's record of an error that only followed a peer's stop.
    So is an interrupt that is another process's failure: torchrun's SIGTERM, come before the
    collective call that would have failed (as fit records it in its epochs), or a failure on
    its way out when the SIGTERM came (:func:`~pidkit_distill.training.outcomes.
    failure_leaving`); the interrupt itself passes on, as before, for :func:`_run_session`.

    Signals wait while the record is made; torchrun's SIGTERM landing as the error is caught,
    before they wait, is passed on once the record is made (a second signal in that instant
    still passes at once, without it). A record that fit decided but could not write (a full
    disk) is tried again as fit said it (``RunFolder.record_failure``'s ``retrying``)."""
    try:
        yield
    except TrainingInterrupted:
        raise  # fit's own: an interrupt that is no other process's failure
    except (TrainingError, KeyboardInterrupt) as caught:
        recorded = False
        try:
            with interrupts_deferred():  # torchrun's SIGTERM, once the stop is recorded
                _record_failure(caught, checked, runtime)
                recorded = True
        except KeyboardInterrupt:  # a signal, held till the record was made or come before
            if not recorded:  # the deferral held: made now, then the signal passes on
                with interrupts_deferred():
                    _record_failure(caught, checked, runtime)
            raise
        raise


def _record_failure(caught: TrainingError | KeyboardInterrupt, checked: CheckedConfig,
                    runtime: Runtime) -> None:
    """What :func:`_failure_recorded` records of ``caught`` in the run folder, if anything."""
    err = (failure_leaving(caught) or caught) if isinstance(caught, KeyboardInterrupt) \
        else caught
    failure = as_stopped(err, runtime)
    by_fit = getattr(err, "recorded_in", None) == Path(checked.run_dir)
    if isinstance(failure, TrainingError) and (failure is not err or not by_fit):
        RunFolder(checked.run_dir, is_main=runtime.is_main).record_failure(
            failure, before_training=checked.config, retrying=err)


def _validation_split(config: TrainConfig, runtime: Runtime, bundle: DatasetBundle,
                      teacher_bundle: DatasetBundle | None
                      ) -> tuple[DatasetBundle, DatasetBundle | None, Any]:
    """The student's data ``bundle`` and the teacher's ``teacher_bundle`` (under
    ``teacher.data_options``; ``None``: the student's, or not loaded yet) with the validation
    split of ``data.val_fraction`` taken out of their training sets
    (:func:`~pidkit_distill.data.validation_split.split_validation`), and the split (``None``
    without one). The teacher's data is loaded here where a split is made and the caller has
    not loaded it, so that the teacher trains on the student's reduced training set; where it
    holds as many training samples, it holds out the student's samples (split by the student's
    labels). A split too small to hold a sample of each class is a :class:`DataError` naming
    ``data.val_fraction``."""
    if not config.data.val_fraction:
        return bundle, teacher_bundle, None
    if teacher_bundle is None and config.teacher.data_options:
        teacher_bundle = _load_data(config, runtime, teacher=True)
    fraction, seed = config.data.val_fraction, config.data.seed
    labels = training_labels(bundle.train)
    try:
        reduced, validation = split_validation(bundle, fraction, seed=seed, labels=labels)
        if teacher_bundle is not None:
            same = len(teacher_bundle.train) == len(labels)
            teacher_bundle = split_validation(teacher_bundle, fraction, seed=seed,
                                              labels=labels if same else None)[0]
    except ConfigValueError as err:
        raise DataError(str(err)) from err
    return reduced, teacher_bundle, validation


_POLL_S = 0.2
"""How often a process waiting for rank 0's data (:func:`_load_data`) asks the store."""


def _load_data(config: TrainConfig, runtime: Runtime, *, teacher: bool = False) -> DatasetBundle:
    """:func:`~pidkit_distill.training.loaders.load_data` in this process; under torchrun, rank 0
    first (it downloads a missing CIFAR, :func:`~pidkit_distill.folder_locks.others_wait`),
    then the others, which find the files whole.

    So the set is downloaded once even where its folder cannot be locked (Lustre without
    ``-o flock``). Rank 0 only: a folder on each node's own disk is downloaded after it by one
    process of each other node, which its lock lets through one at a time; the local rank 0 of
    every node at once would download a shared folder that cannot be locked once per node.
    The others wait by asking the process group's store every :data:`_POLL_S` seconds, never
    in a collective call, which the process group's timeout (NCCL's 10 minutes) would end
    during a slow download and which a signal cannot interrupt. Where rank 0 fails it records
    its stop (:func:`~pidkit_distill.training.runtime.first_stop`) before it tells them, and
    they raise :class:`PeerStopped` with its message. Without a process group, or without
    torch's store accessor, every process loads at once, as one alone does; so they do where
    the data set's options ask for no download (``download``): digits, synthetic data, a
    CIFAR folder in place, whose load the others would only wait for (digits: seconds, most
    of them importing scikit-learn, which each then imports again).
    """
    # first_stop's accessor of the default group's store (see there)
    default_store = getattr(dist.distributed_c10d, "_get_default_store", None)
    options = data_options(config, teacher=teacher)
    if (not (runtime.distributed and dist.is_initialized()) or default_store is None
            or not options.get("download")):
        return _loaded(config, teacher=teacher)
    store = default_store()
    key = f"pidkit_distill/data_loaded/{token_from_main(runtime)}"
    if runtime.is_main:
        try:
            with others_wait():
                bundle = _loaded(config, teacher=teacher)
        except BaseException as err:
            first_stop(runtime, err)  # recorded before the others are told: they report it
            store.set(key, "failed")
            raise
        store.set(key, "loaded")
        return bundle
    try:
        while not store.check([key]):
            time.sleep(_POLL_S)
        failed = store.get(key) == b"failed"
    except RuntimeError as err:  # the store's host has gone: rank 0 itself, without torchrun
        raise _rank_0_gone(runtime) from err
    if failed:
        first = first_stop(runtime, RuntimeError("rank 0 failed to load the data"))  # rank 0's
        if first is None:  # the store went away with rank 0 meanwhile
            raise _rank_0_gone(runtime)
        stopped = PeerStopped(first.rank, runtime.world_size, first.message,
                              interrupted=first.interrupted)
        first_stop(runtime, stopped)  # the same record, kept on the error
        raise stopped
    return _loaded(config, teacher=teacher)


def _loaded(config: TrainConfig, *, teacher: bool) -> DatasetBundle:
    """:func:`~pidkit_distill.training.loaders.load_data`, where a CIFAR folder that the load
    cannot write or find (a download into a ``data.root`` that is read-only, another user's or
    full; files gone since the check: :func:`~pidkit_distill.data.cifar.is_root_error`, as
    :func:`~pidkit_distill.check_config` decides it) is a :class:`~pidkit_distill.training.loaders.DataError`
    naming ``data.root``, the user's mistake, not a failed training (``pidkit-distill``: one
    line, exit status 2); so is a CIFAR download that the network refused or cut
    (:func:`~pidkit_distill.data.cifar.download_failure`: the way to get the files by hand)."""
    try:
        return load_data(config, teacher=teacher)
    except (OSError, http.client.HTTPException) as err:
        by_hand = download_failure(config.data.name, config.data.root or None, err)
        if by_hand is not None:
            raise DataError(f"data.root: {by_hand}") from err
        if not is_root_error(config.data.name, err):
            raise
        raise DataError(f"data.root: {one_line(err)}") from err


def _rank_0_gone(runtime: Runtime) -> PeerStopped:
    """The error of a process that waited for rank 0's data (:func:`_load_data`) when the
    process group's store went away: it was rank 0's own (no torchrun: ``srun``, ``mpirun``,
    processes started by hand), which ended without a word (the OOM-killer, SIGKILL, its
    machine gone). No process can record a first stop then, so this one is recorded as the
    first to stop, and ``pidkit-distill`` prints its line (named by its rank) instead of
    torch's traceback or nothing."""
    stopped = PeerStopped(
        0, runtime.world_size, "it ended while it loaded the data, without a message, and the "
        "process group's store went with it (killed: by the OOM-killer, SIGKILL, or its "
        "machine went down; see its log and the kernel's, dmesg)", interrupted=False)
    # first_stop cannot reach the store: this process is the first to say that the run stopped
    record_first_stop(stopped, FirstStop(runtime.rank, stopped.peer_message, False,
                                         stop_cause(stopped)))
    return stopped


def _student_init_state(config: TrainConfig, init_method: str | None,
                        runtime: Runtime) -> dict[str, Any] | None:
    """Weights of the trained ``init_method`` student a method starts from (TED: BAS).

    The ``init_method`` run uses this run's configuration with the method replaced, in its own
    folder ``RUN_DIR.INIT_METHOD-init`` next to this run's; it is trained there, or resumed, or,
    when complete, only read (the resume check guarantees that its configuration matches).
    Its checkpoint is mapped (``mmap``), not read whole: only the student's weights are read
    of it, copied out of the mapping, so that the run does not hold the file (on a process that
    received rank 0's, its copy in the temporary folder) while it trains. Memory running out
    while it is read is the run's one-line failure, as in resuming
    (:func:`~pidkit_distill.training.outcomes.out_of_memory_reading`); its folder refused by
    its check (a damaged checkpoint), or its checkpoint by the reading, is the user's mistake
    (:func:`_file_refused_late`).
    """
    if init_method is None:
        return None
    data = config_to_dict(config)
    data["method"] = {"name": init_method, "preset": "", "params": {}}
    data["run"].update(name=starting_run_name(run_dir_of(config).name, init_method), resume=True,
                       stop_after=0)
    init_config = config_from_dict(data)
    init_dir = run_dir_of(init_config)
    if runtime.is_main:
        print(f"{config.method.name} starts from a trained {init_method} student: {init_dir}",
              flush=True)
    whose = (f"method.name: the student's initial weights ({config.method.name} starts from "
             f"the trained {init_method} student of {str(init_dir)!r})")
    with file_refused_late(whose):  # its folder, which the run's own check did not read
        init_checked = check_config(init_config)
    train(init_checked)
    checkpoint = init_dir / "checkpoint.pt"
    try:  # mapped: of the whole training state, only the student's weights are used
        with file_refused_late(whose):
            saved = read_by_main(runtime, checkpoint, partial(
                read_checkpoint, mmap=True, fix=f"delete the folder {str(init_dir)!r} to train "
                f"the {init_method} student again"))
    except MemoryError as err:
        raise out_of_memory_reading(checkpoint, purpose=f"for the trained {init_method} student "
                                     f"that {config.method.name} starts from") from err
    return copy.deepcopy(contents_given(saved, checkpoint)["student"])


def _build(name: str, num_classes: int, input_shape: tuple[int, ...]) -> nn.Module:
    return build_model(name, num_classes=num_classes, in_channels=int(input_shape[0]))


def _sample_input(bundle: Any) -> torch.Tensor:
    """A few training inputs, for the Distiller to infer feature shapes."""
    n = min(len(bundle.train), 16)
    return torch.stack([bundle.train[i][0] for i in range(n)])
