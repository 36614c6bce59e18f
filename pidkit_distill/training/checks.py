"""Check a whole configuration before any work: :func:`check_config`.

A run fails early or not at all for a mistake in its configuration. :func:`check_config`
resolves and checks, without loading data (but a registered data set's) or training anything:

* every value's range (:func:`~pidkit_distill.config.check_values`; numbers finite);
* ``model.teacher`` and ``model.student`` of ``"auto"`` (their default): the data set's own
  models (:func:`~pidkit_distill.training.model_checks.models_resolved`), resolved in a copy before
  any name is derived from them (the teacher's folder, the fingerprint of its code), so that
  the run's records hold the models it trains;
* ``run.out_dir``, where it does not exist, can be created (a folder is made and removed in
  its nearest existing folder: :func:`~pidkit_distill.atomic_files.check_folder_can_be_made`),
  before any data is loaded;
* the data set's name and options (:func:`~pidkit_distill.data.describe_dataset`: CIFAR's
  folder is looked up, nothing is read; a registered data set's loader is called, once, and
  the run trains on what it returned), and that every process gets a share of every batch;
* the method, its preset and every parameter against the method registry
  (:meth:`Distiller.make_params <pidkit_distill.methods.Distiller.make_params>`); a resumed
  run's preset by its name of now (:func:`~pidkit_distill.config.key_history.preset_named_now`: a
  user's method's ``paper``, saved before 6 Dec 2026, is its ``default``), as its resume
  compares it;
* the method's schedule against ``run.epochs``: a schedule that would train the student in
  fewer than half the epochs is scaled to the run with a notice when it comes from a preset,
  and refused, naming the option, when the configuration set it
  (:func:`~pidkit_distill.training.schedule_fit.fit_schedule`);
* the model names and the pair itself: teacher, student and the method's Distiller are built
  for the data's classes and input shape, and the models run on a batch of two samples, on the
  meta device (no memory, no compute), or on the CPU where a model needs the values of tensors
  (``.item()`` in a builder or a forward; :mod:`~pidkit_distill.training.model_checks`), which
  also checks that the method can pair their layers, and ``audit.layers``;
* the method's training step: one forward pass of its Distiller on a batch of two samples at
  the first epoch of each of its phases must return scalar loss terms that require grad,
  without an error of the method's code, a module made on the way or a phase of no optimizer
  group, and every parameter that requires grad must be in one
  (:func:`~pidkit_distill.training.model_checks.checked_step`);
* a batch of one sample (the last one of ``n_train = k * data.batch_size + 1`` samples, or each
  process's share of it under torchrun) for a network that trains BatchNorm layers on one
  value per channel per sample (``(N, C)`` features: the student's, the method's own
  modules, the teacher's where the run trains it), which torch refuses in the step;
* the teacher file (``teacher.source=PATH``, or a cached trained teacher): read with
  ``weights_only=True`` and compared tensor by tensor with ``model.teacher``'s shapes;
* the run folder: creatable and writable, not being written by another process right now (a
  second command on the folder of a running one); an existing checkpoint is continued only
  with ``run.resume=true`` and only if it is a checkpoint of the same configuration, and
  ``run.resume=true`` without one is a notice naming the folder looked in and the run folders
  beside it that the command would continue but for the options that name the folder
  (``pidkit_distill.training.resume_neighbours``); the folder of a trained teacher not cached
  yet is creatable and writable too, and a run done, given again, is refused before its
  networks are built (:func:`~pidkit_distill.training.folder_checks.rerun_folder`);
* ``run.device=cuda`` without CUDA, and a torchrun of more processes than this machine has
  GPUs (on CUDA each process takes its own:
  :func:`~pidkit_distill.training.device_checks.check_devices`);
* with an audit, its held-out samples against its clusters (discrete) or components
  (Gaussian), a registered data set's held-out labels for two classes at least (of one class,
  the audit is refused before the teacher trains), and ``audit.layers`` against the layers both
  models distil
  (:func:`~pidkit_distill.training.audit_checks.check_audit`).

It checks under torch's default dtype float32 and the CPU as the default device, as the run
builds its networks and loads its data
(:func:`~pidkit_distill.training.runtime.caller_state_kept`), and refuses networks whose
weights are of another dtype.

Errors are :class:`ValueError`, :class:`TypeError` or :class:`OSError` subclasses whose message
starts with the configuration key to change.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from pidkit.utils import did_you_mean
from pidkit_distill.atomic_files import check_folder_can_be_made
from pidkit_distill.config import TrainConfig, check_values, config_fields
from pidkit_distill.config.key_history import preset_named_now
from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.data import DatasetBundle, DatasetSpec, describe_dataset
from pidkit_distill.data.cifar import is_root_error
from pidkit_distill.data.registry import is_user_dataset
from pidkit_distill.data.validation_split import spec_without_validation
from pidkit_distill.launcher_env import rank_from_env, world_size_from_env
from pidkit_distill.methods import Distiller, Params, available_methods, get_method
from pidkit_distill.methods.subclass_checks import MethodDefinitionError
from pidkit_distill.models import building_models, model_fingerprint
from pidkit_distill.registry import registry_key
from pidkit_distill.starting_runs import started_run_of
from pidkit_distill.training.audit_checks import check_audit
from pidkit_distill.training.device_checks import check_devices
from pidkit_distill.training.folder_checks import nothing_to_resume, rerun_folder
from pidkit_distill.training.loaders import (
    DataError,
    ShardedBatchSampler,
    data_options,
    load_data,
    teacher_option_refusal,
)
from pidkit_distill.training.model_checks import (
    check_one_sample_batches,
    check_runs,
    checked_distiller,
    checked_step,
    model_for,
    models_resolved,
)
from pidkit_distill.training.outcomes import out_of_memory_reading
from pidkit_distill.training.resume import resume_point
from pidkit_distill.training.rundir import (
    RunFolder,
    check_not_busy,
    check_out_dir,
    run_dir_of,
)
from pidkit_distill.training.runtime import float32_default
from pidkit_distill.training.schedule_fit import fit_schedule
from pidkit_distill.training.teacher import (
    SupervisedModel,
    check_teacher_path,
    teacher_code,
    teacher_file_of,
    teacher_run_config,
)

__all__ = ["CheckedConfig", "check_config", "fit_schedule"]


@dataclass(frozen=True)
class CheckedConfig:
    """A configuration that passed :func:`check_config`, with what was resolved.

    A data set registered with :func:`~pidkit_distill.register_dataset` is described by calling
    its loader: what that call returned is kept for the first run given this object
    (:meth:`take_data`), which trains on it instead of calling the loader again, and is let go
    then; it is neither shown nor pickled (a copy's run calls the loader). A run given this
    object refuses it once its configuration has changed (:meth:`check_unchanged`).

    Attributes
    ----------
    config : TrainConfig
        The configuration, its ``model.teacher`` and ``model.student`` resolved: where one was
        ``"auto"``, a copy of the configuration checked with the data set's own model
        (:mod:`~pidkit_distill.config.model_defaults`); else the configuration checked itself.
    method : type of Distiller or None
        The method's class (``None`` when only the teacher is checked).
    preset : str or None
        The method's preset (``None``: its ``default_preset``).
    params : Params or None
        The method's parameters: preset, overrides, and the schedule fitted to the run.
    notices : tuple of str
        What was changed and why (a scaled schedule), to be printed.
    data, teacher_data : DatasetSpec
        The student's and the teacher's data (the same unless ``teacher.data_options``).
    run_dir : Path
        The run folder.
    resume : bool
        The run folder holds a checkpoint that this run continues.

    Examples
    --------
    :func:`check_config` returns one; what it resolved builds the run's distiller:

    >>> import tempfile
    >>> import torch
    >>> from pidkit_distill import load_config
    >>> from pidkit_distill.models import build_model
    >>> from pidkit_distill.training import check_config
    >>> tmp = tempfile.TemporaryDirectory()
    >>> checked = check_config(load_config(overrides=[
    ...     "method.name=kd", "teacher.source=untrained", f"run.out_dir={tmp.name}"]))
    >>> checked.method.method_name, checked.resume, checked.notices
    ('kd', False, ())
    >>> checked.data
    DatasetSpec(name='digits', num_classes=10, input_shape=(1, 8, 8), n_train=1347, n_test=450)
    >>> checked.method_options()
    {'preset': None, 'temperature': 4.0, 'alpha': 0.9}
    >>> spec, models = checked.data, checked.config.model
    >>> teacher, student = (build_model(name, num_classes=spec.num_classes,
    ...                                 in_channels=spec.input_shape[0])
    ...                     for name in (models.teacher, models.student))
    >>> distiller = checked.method(student, teacher, sample_input=torch.zeros(2, *spec.input_shape),
    ...                            num_classes=spec.num_classes, **checked.method_options())
    >>> distiller.params
    KDParams(temperature=4.0, alpha=0.9)
    >>> tmp.cleanup()
    """

    config: TrainConfig
    method: type[Distiller] | None
    preset: str | None
    params: Params | None
    notices: tuple[str, ...]
    data: DatasetSpec
    teacher_data: DatasetSpec
    run_dir: Path
    resume: bool
    # the student's and the teacher's data that the check loaded, [] once taken (take_data)
    _loaded: list[DatasetBundle | None] = field(default_factory=list, repr=False, compare=False)
    # a copy of the configuration as it was checked (check_unchanged)
    _checked_as: TrainConfig | None = field(default=None, repr=False, compare=False)
    # where ``config`` is a copy with the models resolved: a copy of the caller's configuration
    # as it was checked, and the caller's configuration itself (check_unchanged)
    _given: tuple[TrainConfig, TrainConfig] | None = field(default=None, repr=False,
                                                           compare=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (and copied) without the data the check loaded: a whole data set, which may
        hold what pickle cannot (a loader's lambda)."""
        return {**self.__dict__, "_loaded": []}

    def take_data(self, *, teacher: bool = False) -> DatasetBundle | None:
        """The data that the check loaded (``teacher``: the teacher's), for the run: handed over
        once, then let go (a second run loads its data again, as it is then).

        Returns
        -------
        DatasetBundle or None
            ``None`` for the package's own data sets, which the check describes without
            reading them, and once taken.
        """
        if not self._loaded:
            return None
        bundle = self._loaded[1 if teacher else 0]
        self._loaded.clear()  # the other one's run loads it itself
        return bundle

    def take_both_data(self) -> tuple[DatasetBundle | None, DatasetBundle | None]:
        """The student's and the teacher's data that the check loaded, for a student's run,
        which needs both (:meth:`take_data`: handed over once); the teacher's is the student's
        unless ``teacher.data_options``. A run that took the student's alone called the loader
        again for the teacher's.

        Examples
        --------
        >>> import tempfile
        >>> from pidkit_distill import load_config
        >>> from pidkit_distill.training import check_config
        >>> checked = check_config(load_config(overrides=[f"run.out_dir={tempfile.mkdtemp()}"]))
        >>> checked.take_both_data()  # digits: described, not loaded
        (None, None)
        """
        student, teacher = self._loaded or (None, None)
        self._loaded.clear()
        return student, teacher

    def check_unchanged(self) -> None:
        """Raise :class:`ValueError` if ``config`` changed after :func:`check_config` checked it
        (a setting changed in a notebook between the check and the run, which would train
        with values never checked, a schedule fitted to other epochs, another run folder's
        checks).

        Examples
        --------
        >>> import tempfile
        >>> from pidkit_distill import load_config
        >>> from pidkit_distill.training import check_config
        >>> config = load_config(overrides=[f"run.out_dir={tempfile.mkdtemp()}"])
        >>> checked = check_config(config)
        >>> config.run.epochs = 300
        >>> checked.check_unchanged()
        Traceback (most recent call last):
        ...
        ValueError: config: the configuration changed after check_config checked it \
(run.epochs: 30 -> 300); pass the TrainConfig itself, which is then checked, or check it again
        """
        if self._checked_as is None:
            raise ValueError("config: this CheckedConfig was not made by check_config; pass the "
                             "TrainConfig itself, which is then checked")
        pairs = [(self._checked_as, self.config), *([self._given] if self._given else [])]
        changed = [(key, _value_of(before, key), _value_of(now, key))
                   for before, now in pairs for key, *_ in config_fields()
                   if _value_of(before, key) != _value_of(now, key)]
        if changed:
            details = ", ".join(f"{key}: {old!r} -> {new!r}" for key, old, new in changed)
            raise ValueError(f"config: the configuration changed after check_config checked it "
                             f"({details}); pass the TrainConfig itself, which is then checked, "
                             "or check it again")

    def method_options(self) -> dict[str, Any]:
        """Keyword arguments for ``method(student, teacher, ...)``: preset and parameters.

        Returns
        -------
        dict
            ``preset`` and every field of ``params`` (the schedule as fitted to the run).

        Raises
        ------
        ValueError
            For the result of a teacher-only check, which resolves no method: check the
            configuration with ``check_config(config)`` for it.
        """
        if self.params is None:
            raise ValueError(
                "method_options: this CheckedConfig is from check_config(config, "
                "teacher_only=True), which checks only what training the teacher needs and "
                "resolves no method; call check_config(config) without teacher_only for the "
                "method's options")
        return {"preset": self.preset, **self.params.to_dict()}


def check_config(config: TrainConfig, *, teacher_only: bool = False) -> CheckedConfig:
    """Check ``config`` completely before any work (see the module docstring).

    Parameters
    ----------
    config : TrainConfig
        The configuration.
    teacher_only : bool, default=False
        Check what training the teacher needs (``pidkit-distill train-teacher``): the data,
        ``model.teacher`` and the teacher's run folder; not the method, the student or the
        teacher source.

    Returns
    -------
    CheckedConfig

    Raises
    ------
    ValueError, TypeError, OSError
        The message starts with the configuration key to change.
    TrainingError
        Memory ran out while the data was loaded, or while the run's checkpoint (to resume) or
        the teacher's file was read: the run's failure, as in training, naming what was read.

    Examples
    --------
    >>> import tempfile
    >>> from pidkit_distill import check_config, load_config
    >>> tmp = tempfile.TemporaryDirectory()
    >>> checked = check_config(load_config(overrides=[
    ...     "method.name=rid", "run.epochs=30", "teacher.source=untrained",
    ...     f"run.out_dir={tmp.name}"]))
    >>> checked.preset, checked.params.warmup_epochs, checked.params.cycle_epochs
    (None, 3, 4)
    >>> print(checked.notices[0])                                   # doctest: +ELLIPSIS
    notice: method 'rid' (preset 'paper-mean'): warmup_epochs=30, cycle_epochs=30 ...
    >>> check_config(load_config(overrides=["method.name=rdi"]))
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigEntryError: method.name: 'rdi' is not a known method; ...
    >>> tmp.cleanup()
    """
    # the networks are built, and a registered data set loaded, as the run does: in float32,
    # with the CPU as the default device (caller_state_kept), whatever the caller set; what
    # that changes in the teacher's code is not its code (building_models)
    with float32_default(), torch.device("cpu"), building_models():
        checked = _checked(config, teacher_only=teacher_only)
    given = None if checked.config is config else (copy.deepcopy(config), config)
    return replace(checked, _checked_as=copy.deepcopy(checked.config), _given=given)


def _trained_teacher(config: TrainConfig, data: DatasetSpec,
                     when: str = "") -> tuple[str, int, list[nn.Module]]:
    """``model.teacher`` (trained ``when``), its training samples and BatchNorm layers of
    ``checked_step``, built anew and put in the mode ``train()`` gives, as the run trains it."""
    for meta in (True, False):  # on the CPU where its step needs the values of tensors
        net = SupervisedModel(model_for(config.model.teacher, data, meta=meta))
        norms = checked_step(net, data, run_epochs=1)
        if norms is not None:
            break
    return f"model.teacher {config.model.teacher!r}{when}", data.n_train, norms or []


def _checked(config: TrainConfig, *, teacher_only: bool) -> CheckedConfig:
    """:func:`check_config`'s checks, under the run's default dtype."""
    check_values(config)
    check_devices(config)
    # a run.out_dir that cannot be made is refused before the data is loaded (the run made it
    # only once it had loaded its data and trained its teacher)
    check_folder_can_be_made(config.run.out_dir, "run.out_dir", "run.out_dir=VALUE")
    # "auto" models resolved before the teacher's code, folder and records are named after them
    config = models_resolved(config, teacher_only=teacher_only)
    # the teacher's code as it is before this process builds it: what the check and the run
    # change is not its code (teacher_code), a student's appending to a list the teacher reads
    teacher_code(config.model.teacher)
    if not teacher_only:  # and the student's, which its checkpoints record (checkpoint_fit)
        model_fingerprint(config.model.student)
    with _about("data.name", data_name=config.data.name, table_key="data.options"):
        data, bundle = _data_of(config, teacher=False)
    teacher_data, teacher_bundle = data, bundle
    if config.teacher.data_options:
        with _about_teachers_data(config):
            teacher_data, teacher_bundle = _data_of(config, teacher=True)
    with _about("data.batch_size"):
        ShardedBatchSampler(data.n_train, config.data.batch_size, world_size=world_size_from_env(),
                            drop_last=config.data.drop_last)
    if not teacher_only and (rerun := rerun_folder(config, teacher_bundle)) is not None:
        _judged_folder(config, rerun, bundle)  # refused, as at the end, before the networks
    with _about("model.teacher"):
        teacher = check_runs(model_for(config.model.teacher, teacher_data, meta=True),
                             config.model.teacher, "teacher", teacher_data)
    if teacher_only:
        run_dir = run_dir_of(teacher_run_config(config, data=teacher_bundle))
        with _about("run.out_dir"):  # a teacher.pt reused: nothing is written beside it
            check_out_dir(run_dir, writes_run=not (run_dir / "teacher.pt").is_file())
        if not (run_dir / "teacher.pt").is_file():  # to be trained
            check_one_sample_batches(config, [_trained_teacher(config, teacher_data)])
        if (run_dir / "teacher.pt").is_file():  # reused: it must be whole and fit
            check_teacher_path(run_dir / "teacher.pt", model=config.model.teacher,
                               spec=teacher_data, cached=True, config=config,
                               data=teacher_bundle)
        return CheckedConfig(config, None, None, None, (), data, teacher_data, run_dir, False,
                             [bundle, teacher_bundle])

    with _about("model.student"):
        student = model_for(config.model.student, data, meta=True)
    with _about("method.name"):
        method = get_method(config.method.name)
        if method.student_init is not None:
            get_method(method.student_init)
    preset = config.method.preset or None
    if config.run.resume:  # a resumed run's preset by its name of now, as its resume compares it
        preset = preset_named_now(preset, method.default_preset, method.presets)
    if preset is not None and preset not in method.presets:
        _refuse_preset(preset, method)
    with _about("method.params"):
        params = method.make_params(preset=preset, **config.method.params)
    params, notice = fit_schedule(params, config, method=method)
    with _about("model.student"):
        student = check_runs(student, config.model.student, "student", data)
    for meta in (True, False):  # on the CPU where the step needs the values of tensors
        with _about("model.student", method_errors=True):
            distiller = checked_distiller(method, student, teacher, meta=meta,
                                          names=(config.model.student, config.model.teacher),
                                          data=data, teacher_data=teacher_data, preset=preset,
                                          **params.to_dict())
        with _about("method.name"):
            norms = checked_step(distiller, data, run_epochs=config.run.epochs)
        if norms is not None:
            break
    students = set(distiller.student.modules())
    trained = [  # the networks that train, with their BatchNorm layers of one value per sample
        (f"model.student {config.model.student!r}", data.n_train,
         [n for n in norms or [] if n in students]),
        (f"method {method.method_name!r}, its own modules", data.n_train,
         [n for n in norms or [] if n not in students])]
    check_audit(config, data, n_teacher=len(distiller.teacher_shapes),
                n_student=len(distiller.student_shapes),
                held_out=None if bundle is None else bundle.test,
                teacher_paths=getattr(distiller.teacher, "layer_paths", ()),
                student_paths=getattr(distiller.student, "layer_paths", ()))

    run_dir = run_dir_of(config)
    # the teacher file before the run folder is judged: a folder of an earlier run (every
    # teacher file's default run name is the same) was refused first, and its advice, --resume,
    # took the teacher from the checkpoint, the file never read
    path = teacher_file_of(config, data=teacher_bundle)
    continues = config.run.resume and (run_dir / "checkpoint.pt").exists()
    if path is not None and not continues:  # a resumed run's teacher is in its checkpoint
        if config.teacher.source == "trained" and not path.is_file():  # to be trained there
            with _about("run.out_dir"):  # the refusal names the student's folder, not its teacher's
                check_out_dir(path.parent, run=run_dir)
            trained.insert(0, _trained_teacher(config, teacher_data, ", trained first"))
        else:
            with _about("teacher.source"):
                cached = config.teacher.source == "trained"
                check_teacher_path(path, model=config.model.teacher, spec=teacher_data,
                                   cached=cached, config=config if cached else None,
                                   data=teacher_bundle)
    resume = _judged_folder(config, run_dir, bundle)
    notices: tuple[str, ...] = (notice,) if notice else ()
    # a folder whose metrics.jsonl logs epochs is this run's, its checkpoint gone: the run says
    # so as it starts (not that the run's folder is elsewhere); a method's starting run sets
    # run.resume whether or not it has a checkpoint yet
    if (config.run.resume and not resume and started_run_of(run_dir.name) is None
            and not RunFolder(run_dir).logged_epochs()):
        notices += (nothing_to_resume(config, run_dir),)
    check_one_sample_batches(config, trained)
    return CheckedConfig(config, method, preset, params, notices, data, teacher_data, run_dir,
                         resume, [bundle, teacher_bundle])


def _judged_folder(config: TrainConfig, run_dir: Path, bundle: DatasetBundle | None) -> bool:
    """The run folder checked (:func:`check_config`): whether the run continues its checkpoint."""
    with _about("run.out_dir"):
        check_out_dir(run_dir)
        if rank_from_env() == 0:  # under torchrun, rank 0 writes (and locks) the folder
            check_not_busy(run_dir, resume=config.run.resume)
    with _about("run.resume" if config.run.resume else "run.name"):  # no resume: the folder
        try:
            return resume_point(run_dir / "checkpoint.pt", config, mmap=True,
                                data=bundle) is not None
        except MemoryError as err:  # the run's failure, as where the run reads it whole
            raise out_of_memory_reading(run_dir / "checkpoint.pt") from err


def _refuse_preset(preset: str, method: type[Distiller]) -> None:
    """Refuse ``preset``, which ``method`` does not have: its presets, the closest one, and the
    registered methods that have ``preset`` (``--preset paper-mean`` with the default method,
    BAS, meant RID's) with what to set."""
    said = f"not a preset of method {method.method_name!r}; choose one of {sorted(method.presets)}"
    others = [name for name in available_methods() if preset in get_method(name).presets]
    if others:  # the name is right, the method not: no closest preset of this one
        said += (f", or a method that has it: {', '.join(repr(name) for name in others)} "
                 f"(--method {others[0]} --preset {preset} on the command line; "
                 f"method.name={others[0]!r} in Python or a --config file)")
    elif guess := did_you_mean(preset, list(method.presets)):  # exactly: 'Paper' is refused
        said += f".{guess}"
    raise ConfigEntryError(said, preset, lead=f"{preset!r} is ", key="method.preset",
                           about="method.preset")


def _data_of(config: TrainConfig, *, teacher: bool) -> tuple[DatasetSpec, DatasetBundle | None]:
    """The student's data (``teacher``: the teacher's, with ``teacher.data_options``) described,
    its training samples those that ``data.val_fraction`` leaves, and loaded where describing it
    loads it: the package's own data sets are described without reading them (``None``); a
    registered one by calling its loader once, through ``loaders.load_data`` (whose checks the
    run needs), and the run trains on what it returned."""
    options = data_options(config, teacher=teacher)
    if not is_user_dataset(config.data.name):
        spec, bundle = describe_dataset(config.data.name, root=config.data.root or None,
                                        seed=config.data.seed, **options), None
    else:
        bundle = load_data(config, teacher=teacher)
        spec = DatasetSpec.of(registry_key(config.data.name), bundle)
    return spec_without_validation(spec, config.data.val_fraction), bundle


def _value_of(config: TrainConfig, key: str) -> Any:
    """The value of ``key`` (``"run.epochs"``) in ``config``."""
    section, name = key.split(".")
    return getattr(getattr(config, section), name)


@contextmanager
def _about_teachers_data(config: TrainConfig) -> Iterator[None]:
    """:func:`_about` ``teacher.data_options``, the teacher's data being described, where a
    refusal of entries is keyed to the table that gave them
    (:func:`~pidkit_distill.training.loaders.teacher_option_refusal`): an entry of
    ``data.options`` at fault is ``data.options``'s, though ``data.options`` alone passed."""
    try:
        with _about("teacher.data_options", data_name=config.data.name):
            yield
    except ConfigEntryError as err:  # _about's, keyed teacher.data_options
        if not err.entries:
            raise
        raise teacher_option_refusal(err, config) from err.__cause__


@contextmanager
def _about(key: str, *, data_name: str | None = None, method_errors: bool = False,
           table_key: str | None = None) -> Iterator[None]:
    """Re-raise a checking error with the configuration key it is about in front (``data.root``
    instead where describing the data set ``data_name`` failed for its folder:
    :func:`~pidkit_distill.data.cifar.is_root_error`; ``method.name`` instead, with
    ``method_errors``, for a :class:`~pidkit_distill.methods.subclass_checks.MethodDefinitionError`
    of the method's own code). A :class:`~pidkit_distill.ConfigEntryError` of a
    registry or a method is given its configuration key, which its message starts with: ``key``
    for a name, ``table_key`` for a table's entries (``key`` by default), also where
    :func:`load_data` told it (``data.options: unknown option(s) ...``, where it said
    ``data:``, the section, which a user cannot type)."""
    table_key = table_key or key
    try:
        yield
    except DataError as err:  # load_data's, which names its key already
        if isinstance(err.__cause__, ConfigEntryError) and err.__cause__.key is None:
            entry_key = table_key if err.__cause__.entries else key
            raise err.__cause__.keyed(entry_key, entry_key) from err.__cause__
        raise
    except (ValueError, TypeError, OSError) as err:
        about = "data.root" if data_name and is_root_error(data_name, err) else key
        if method_errors and isinstance(err, MethodDefinitionError):
            about = "method.name"
        if isinstance(err, ConfigEntryError) and err.key is None and about == key:
            entry_key = table_key if err.entries else key
            raise err.keyed(entry_key, entry_key) from err
        try:
            named = type(err)(f"{about}: {err}")
        except TypeError:  # a type of its own arguments (FileWriteError): its base's
            base = next(t for t in (ValueError, TypeError, OSError) if isinstance(err, t))
            named = base(f"{about}: {err}")
        for note in getattr(err, "__notes__", ()):  # the Python spelling of a command-line fix
            named.add_note(note)
        raise named from err
