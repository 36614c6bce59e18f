"""The teacher: trained once and cached, left untrained, or read from a file.

``teacher.source`` is ``"trained"`` (train ``model.teacher`` with cross-entropy through the same
loop, in its own run folder ``OUT_DIR/teacher-DATA-MODEL-sSEED-eEPOCHS-HASH`` whose name hashes
every setting that affects it, a registered data set's training samples included, and reuse
it), ``"untrained"`` (the seeded initialisation) or the
path of a teacher file.

A teacher file holds ``{"model": state_dict, "name", "num_classes", "input_shape", "n_train",
"n_test", "train_fingerprint", "config", "code_fingerprint", "run_numbers", "test_acc"}`` (what
:func:`~pidkit_distill.training.train_teacher` writes)
or is a bare state dict (``torch.save(model.state_dict(), path)``). It is read with
``weights_only=True`` and checked before use (:mod:`~pidkit_distill.training.teacher_files`):
the names and shapes of its tensors must be those of ``model.teacher`` built for the data (built
on the meta device, so nothing is allocated), and their values finite. The cached one of
``"trained"`` must also record the settings, the data's sizes and the fingerprint of the
training data (:func:`~pidkit_distill.training.data_fingerprints.data_fingerprint`) of the
current run (:func:`check_cached_teacher`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.nn import functional as F

from pidkit_distill.chance import teacher_at_chance_warning
from pidkit_distill.config import TeacherConfig, TrainConfig, config_to_dict
from pidkit_distill.config.registered_record import registered_now, with_registered
from pidkit_distill.config.teacher_keys import TEACHER_KEYS
from pidkit_distill.data import DatasetBundle, DatasetSpec
from pidkit_distill.data.batch_steps import whole_set_batch_warning
from pidkit_distill.methods import StepOutput
from pidkit_distill.models import adopt_model_fingerprint, build_model
from pidkit_distill.run_folders.files import read_metrics
from pidkit_distill.training.cached_teacher import check_cached_teacher, check_teacher_path
from pidkit_distill.training.checkpoint import atomic_save, run_writes
from pidkit_distill.training.data_fingerprints import data_fingerprint
from pidkit_distill.training.file_sharing import contents_given, read_by_main
from pidkit_distill.training.loaders import DataError, load_data
from pidkit_distill.training.loop import fit
from pidkit_distill.training.model_checks import models_resolved
from pidkit_distill.training.outcomes import TrainingError
from pidkit_distill.training.rundir import REGISTRY_SOURCES, run_dir_of, run_folder_lock
from pidkit_distill.training.runtime import Runtime, from_main, ints_from_main
from pidkit_distill.training.teacher_elsewhere import other_threads_note, trained_elsewhere_note
from pidkit_distill.training.teacher_files import (
    check_teacher_file,
    read_teacher_file,
    read_teacher_for_run,
)
from pidkit_distill.training.teacher_sources import (
    RUN_NUMBERS,
    run_numbers_now,
    teacher_code,
    teacher_file_of,
    teacher_run_config,
)

__all__ = [
    "SupervisedModel",
    "check_cached_teacher",
    "check_teacher_file",
    "check_teacher_path",
    "data_fingerprint",
    "load_teacher",
    "read_teacher_file",
    "read_teacher_for_run",
    "seeded_teacher",
    "teacher_code",
    "teacher_file_of",
    "teacher_run_config",
    "trained_teacher_file",
]


class SupervisedModel(nn.Module):
    """One network trained with cross-entropy alone, behind the Distiller interface.

    Used to train teachers through the same loop as the students (``student`` is the network
    being trained; there is no teacher).

    Parameters
    ----------
    model : torch.nn.Module
        The network.

    Attributes
    ----------
    params, preset : None
        A teacher's run has no method parameters and no preset (``null`` in its ``summary.json``).

    Examples
    --------
    >>> import torch
    >>> from pidkit_distill.models import build_model
    >>> from pidkit_distill.training import SupervisedModel
    >>> net = SupervisedModel(build_model("digits-student", num_classes=10, in_channels=1))
    >>> out = net(torch.zeros(4, 1, 8, 8), torch.zeros(4, dtype=torch.long), epoch=0)
    >>> sorted(out.losses), net.loss_labels()
    (['ce'], {})
    """

    params: None = None
    preset: None = None

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.student = model

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        """One group, ``"student"``: every trainable parameter of the network."""
        return {"student": [p for p in self.student.parameters() if p.requires_grad]}

    def phase(self, epoch: int) -> str:
        """Always ``"student"``."""
        return "student"

    def loss_labels(self) -> dict[str, str]:
        """``{}``: the one loss term, ``"ce"``, carries no weight, so the epoch line names it by
        its key (:meth:`~pidkit_distill.methods.Distiller.loss_labels`)."""
        return {}

    def forward(self, x: Tensor, y: Tensor, *, epoch: int) -> StepOutput:
        """Logits and the cross-entropy loss."""
        logits = self.student(x)
        return StepOutput(logits=logits, losses={"ce": F.cross_entropy(logits, y)})


def load_teacher(config: TrainConfig, *, bundle: Any, runtime: Runtime | None = None,
                 teacher_bundle: DatasetBundle | None = None,
                 resolved: Callable[[Path | None, Any], None] | None = None) -> nn.Module:
    """The teacher named by ``teacher.source``: trained (cached), untrained (seeded,
    :func:`seeded_teacher`) or a file.

    ``bundle`` is the student's data; with ``teacher.data_options`` the teacher's own variant
    of it (its number of classes may differ) is ``teacher_bundle`` where the caller loaded it
    already (:meth:`~pidkit_distill.training.CheckedConfig.take_both_data`), else loaded
    here. ``resolved``, where given, is called with the teacher file read (the cached
    ``teacher.pt`` of ``"trained"``, ``teacher.source``'s own; ``None`` for ``"untrained"``) and
    the teacher's data, once the teacher is built: how a run records which teacher it was
    distilled from (:func:`~pidkit_distill.training.teacher_records.teacher_recorded`). The
    returned network is in eval mode
    with ``requires_grad`` off for every parameter. Memory running out while its file or data
    is read is the run's :class:`~pidkit_distill.TrainingError` (:func:`read_teacher_for_run`).
    A ``model.teacher`` of ``"auto"`` is the data set's own
    (:func:`~pidkit_distill.training.model_checks.models_resolved`).

    Examples
    --------
    >>> from pidkit_distill import load_config, load_dataset
    >>> from pidkit_distill.training import load_teacher
    >>> cfg = load_config(overrides=["teacher.source=untrained"])
    >>> net = load_teacher(cfg, bundle=load_dataset("digits"))
    >>> net.training, any(p.requires_grad for p in net.parameters())
    (False, False)
    """
    runtime = runtime or Runtime.single()
    config = models_resolved(config, teacher_only=True)
    if config.teacher.data_options:
        bundle = teacher_bundle if teacher_bundle is not None else load_data(config, teacher=True)
    path: Path | None = None
    if config.teacher.source == "untrained":
        teacher = seeded_teacher(config.model.teacher, config.teacher.seed,
                                 num_classes=bundle.num_classes,
                                 in_channels=int(bundle.input_shape[0]))
    else:
        if config.teacher.source == "trained":
            path = trained_teacher_file(config, bundle, runtime, for_student=True)
        else:
            path = teacher_file_of(config)
        assert path is not None  # teacher.source names a file: it is not "untrained"
        cached = config.teacher.source == "trained"
        saved = contents_given(read_by_main(runtime, path,  # rank 0's, a cached one too
                                            partial(read_teacher_for_run, cached=cached)), path)
        spec = _spec_of(config, bundle)
        check_teacher_file(saved, path, model=config.model.teacher, spec=spec)
        teacher = build_model(config.model.teacher, num_classes=bundle.num_classes,
                              in_channels=int(bundle.input_shape[0]))
        teacher.load_state_dict(saved["model"])
        if not cached and runtime.is_main:
            _warn_if_at_chance(path, config, cached=False)
    teacher.eval()
    teacher.requires_grad_(False)
    if resolved is not None:
        resolved(path, bundle)
    return teacher


def seeded_teacher(model: str, seed: int, *, num_classes: int, in_channels: int) -> nn.Module:
    """The untrained teacher ``model`` of ``teacher.seed`` ``seed`` (``teacher.source =
    "untrained"``): built after ``torch.manual_seed(seed)``, the caller's random state kept.

    Examples
    --------
    >>> a = seeded_teacher("digits-teacher", 3, num_classes=10, in_channels=1)
    >>> b = seeded_teacher("digits-teacher", 3, num_classes=10, in_channels=1)
    >>> all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    True
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build_model(model, num_classes=num_classes, in_channels=in_channels)


def trained_teacher_file(config: TrainConfig, bundle: Any, runtime: Runtime, *,
                         for_student: bool = False) -> Path:
    """Train (or reuse the cached) teacher of ``config``; return the path of ``teacher.pt``.

    ``bundle`` is the teacher's data (with ``teacher.data_options``). Two processes that need
    the same teacher train it once: the second waits for the first (it holds the teacher's
    run folder, :func:`~pidkit_distill.training.rundir.run_folder_lock`), then reuses it. The
    folder is named by ``bundle``'s training samples too where the data set is registered
    (:func:`teacher_run_config`): a loader edited in place trains a teacher of its own, and
    the samples before find theirs again. The samples' fingerprint is taken once, by rank 0
    under torchrun, and every process names the folder, checks a reused file and records it
    by that one (:func:`_samples_from_main`).
    The file records the fingerprint of the teacher's code (:func:`teacher_code`) that its
    folder's name hashes, taken before the teacher is trained: a value the builder reads that
    the training changes (a tensor its network trains in place) does not make the file refused
    when the same code runs again. Under torchrun it is rank 0's in every process
    (:func:`_code_from_main`), and so is the number of CPU threads that names the folder of a
    teacher of ``run.threads`` 0 (:func:`_threads_from_main`). A ``model.teacher`` of
    ``"auto"`` is the data set's own
    (:func:`~pidkit_distill.training.model_checks.models_resolved`). ``for_student``: a student's
    run needs it, so the line announcing the training says when ``run.epochs`` is the shorter.
    """
    config = models_resolved(config, teacher_only=True)
    code = _code_from_main(config.model.teacher, runtime)
    samples = _samples_from_main(bundle, runtime)
    threads = _threads_from_main(runtime)
    teacher_config = teacher_run_config(config, data=bundle, fingerprint=samples, threads=threads)
    run_dir = run_dir_of(teacher_config)
    path = run_dir / "teacher.pt"

    def reused() -> Path:
        note = _check_reused(path, config=config, bundle=bundle, samples=samples,
                             threads=threads, runtime=runtime)
        if runtime.is_main:
            print(*filter(None, [note, f"reusing the teacher {config.model.teacher} trained before "
                                       f"with the same settings: {path}"]), sep="\n", flush=True)
            _warn_if_at_chance(path, config, cached=True)
        return path

    if from_main(runtime, path.is_file()):  # every process takes rank 0's way
        return reused()
    waiting = (f"waiting for another process that is training the same teacher in {run_dir} "
               "(it is reused when done; Ctrl-C stops waiting, and a rerun then reuses or trains it)")
    with run_folder_lock(run_dir, runtime, waiting=waiting):
        if from_main(runtime, path.is_file()):  # the process waited for has trained it
            return reused()
        if runtime.is_main:
            print(f"training the teacher {config.model.teacher} for {config.teacher.epochs} "
                  f"epochs{_epochs_note(config) if for_student else ''} -> {path}", flush=True)
            elsewhere = trained_elsewhere_note(run_dir, for_student=for_student) or \
                other_threads_note(config, bundle, samples, run_dir, for_student=for_student,
                                   threads=threads)
            for note in (elsewhere,
                         whole_set_batch_warning(len(bundle.train), config.data.batch_size,
                                                 whose="the teacher's", epochs=config.teacher.epochs)):
                if note:
                    print(note, file=sys.stderr, flush=True)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.teacher.seed)
            net = build_model(config.model.teacher, num_classes=bundle.num_classes,
                              in_channels=int(bundle.input_shape[0]))
            try:
                summary = fit(teacher_config, SupervisedModel(net), bundle, run_dir, runtime)
            except TrainingError as err:  # its optim.lr is set by teacher.lr
                hint = err.hint.replace("optim.lr", TEACHER_KEYS["optim.lr"])
                raise err.replaced(hint=hint) from err
        if runtime.is_main:
            settings = config_to_dict(teacher_config)
            with run_writes(run_dir / "checkpoint.pt", resume=True):
                atomic_save({"model": net.state_dict(), "name": config.model.teacher,
                             "num_classes": bundle.num_classes,
                             "input_shape": list(bundle.input_shape),
                             "n_train": len(bundle.train), "n_test": len(bundle.test),
                             "train_fingerprint": samples,
                             "config": with_registered(settings, registered_now(settings,
                                                                                REGISTRY_SOURCES)),
                             "code_fingerprint": code,
                             RUN_NUMBERS: run_numbers_now(settings, threads),
                             "test_acc": summary.last_acc},
                            path, then="rerun the same command (its run is complete: it writes "
                            "teacher.pt at once)")
            _warn_if_at_chance(path, config, cached=True)
    if runtime.distributed:
        dist.barrier()
    return path


def _warn_if_at_chance(path: Path, config: TrainConfig, *, cached: bool) -> None:
    """Print on stderr the warning of a teacher that ended at chance
    (:func:`~pidkit_distill.chance.teacher_at_chance_warning`), judged by the last record of the
    ``metrics.jsonl`` beside its file ``path`` where that folder is a teacher's run (one that
    trained it, or a folder ``teacher.source`` names); nothing where it is not at chance, or
    where its folder records no teacher's epochs (a bare state dict, a file copied alone, an
    unreadable record: no accuracy to judge). ``cached``: ``path`` is the ``teacher.pt`` of
    ``teacher.source = "trained"`` (raising ``teacher.epochs`` or ``teacher.lr`` trains another
    teacher; this one stays cached for these settings), else the file ``teacher.source`` names.
    """
    try:
        records = read_metrics(path.parent)
    except (ValueError, OSError):  # a folder that is no run's: nothing to judge, nothing to say
        return
    if not records or records[-1].get("phase") != "teacher":
        return
    fix = (f"raise teacher.epochs (now {config.teacher.epochs}) or teacher.lr (now "
           f"{config.teacher.lr:g}), which trains another teacher in a folder of its own; runs of "
           f"these settings reuse this one until its folder is deleted: {path.parent}"
           if cached else f"pass a teacher trained longer (teacher.epochs) or with a higher "
           f"teacher.lr instead of {path}")
    if line := teacher_at_chance_warning(records[-1], fix=fix):
        print(line, file=sys.stderr, flush=True)


def _epochs_note(config: TrainConfig) -> str:
    """What the line announcing a teacher's training adds when the student's run is the shorter
    and ``teacher.epochs`` is still its default: that ``run.epochs`` does not shorten it (a quick
    ``--epochs 1`` try on CIFAR starts hours of teacher training); nothing otherwise, and nothing
    where ``teacher.epochs`` was set (to set it is the note's advice).

    Examples
    --------
    >>> from pidkit_distill.config import TrainConfig
    >>> config = TrainConfig()
    >>> config.run.epochs, config.teacher.epochs = 1, 30
    >>> print(_epochs_note(config))
     (teacher.epochs; the student's run.epochs=1 does not shorten it: set teacher.epochs too for a short try)
    >>> config.teacher.epochs = 3  # set: no advice to set it
    >>> _epochs_note(config)
    ''
    """
    if config.run.epochs >= config.teacher.epochs or config.teacher.epochs != TeacherConfig().epochs:
        return ""
    return (f" (teacher.epochs; the student's run.epochs={config.run.epochs} does not shorten it: "
            "set teacher.epochs too for a short try)")


def _code_from_main(model: str, runtime: Runtime) -> str | None:
    """:func:`teacher_code` of ``model`` as rank 0 has it, which every process of the run keys
    its teacher by from now on (:func:`~pidkit_distill.models.adopt_model_fingerprint`): a
    value that the builder reads may differ from process to process (its device
    ``cuda:LOCAL_RANK``, the ``RANK``), which gave each process a teacher folder of its own. A
    collective call where the run is distributed."""
    code = teacher_code(model)
    if not (runtime.distributed and dist.is_initialized()):
        return code
    digits = ints_from_main(runtime, list(bytes.fromhex(code)) if code else [-1] * 8)  # 16 hex
    if digits[0] < 0:
        return None
    code = bytes(digits).hex()
    adopt_model_fingerprint(model, code)
    return code


def _samples_from_main(bundle: Any, runtime: Runtime) -> str | None:
    """:func:`data_fingerprint` of ``bundle``'s training set as rank 0 has it, in every process
    (computed by rank 0 alone): a loader that gives each process other samples (it reads
    ``RANK``, or draws without a seed) named a teacher folder for each. A collective call
    where the run is distributed.

    Examples
    --------
    >>> from torch.utils.data import TensorDataset
    >>> data = TensorDataset(torch.zeros(4, 2), torch.zeros(4, dtype=torch.long))
    >>> bundle = DatasetBundle(data, data, num_classes=1, input_shape=(2,))
    >>> _samples_from_main(bundle, Runtime.single()) == data_fingerprint(data)
    True
    """
    if not (runtime.distributed and dist.is_initialized()):
        return data_fingerprint(bundle.train)
    samples = data_fingerprint(bundle.train) if runtime.is_main else None
    digits = ints_from_main(runtime, list(bytes.fromhex(samples)) if samples else [-1] * 16)
    return None if digits[0] < 0 else bytes(digits).hex()


def _threads_from_main(runtime: Runtime) -> int:
    """The number of threads torch uses on the CPU (``torch.get_num_threads()``) as rank 0
    has it, in every process: where ``run.threads`` is 0 it names the teacher's folder
    (:func:`~pidkit_distill.training.teacher_sources.run_numbers_now`), and a process on another
    count (its own ``OMP_NUM_THREADS``) named another folder than rank 0's, the one rank 0 trains
    or reuses. Each process keeps its own count. A collective call where the run is
    distributed.

    Examples
    --------
    >>> _threads_from_main(Runtime.single()) == torch.get_num_threads()
    True
    """
    if not (runtime.distributed and dist.is_initialized()):
        return torch.get_num_threads()
    return ints_from_main(runtime, [torch.get_num_threads()])[0]


def _check_reused(path: Path, *, config: TrainConfig, bundle: Any, samples: str | None,
                  threads: int, runtime: Runtime) -> str | None:
    """Check the cached teacher that rank 0 found (:func:`check_cached_teacher`, against
    ``bundle``, the teacher's data, whose training samples' fingerprint is ``samples``, and
    the CPU threads ``threads``, rank 0's) in
    each process that finds it too: in all of them where
    they share ``run.out_dir`` (the same error in each at once); a process on a node whose own
    disk lacks the file takes rank 0's way. A file refused is the user's to delete, not a
    failed training: a :class:`~pidkit_distill.training.loaders.DataError` (``pidkit-distill``:
    one line, exit status 2), as :func:`~pidkit_distill.check_config` finds it where it loads
    the data (a registered data set's). Memory running out while it is read is the run's
    failure (:func:`read_teacher_for_run`). Returns the line :func:`check_cached_teacher`
    gives to print (``None`` in a process that does not read the file)."""
    if runtime.is_main or path.is_file():
        try:
            return check_cached_teacher(read_teacher_for_run(path, cached=True), path,
                                        config=config, spec=_spec_of(config, bundle),
                                        fingerprint=samples, threads=threads)
        except ValueError as err:
            raise DataError(str(err)) from err
    return None


def _spec_of(config: TrainConfig, bundle: Any) -> DatasetSpec:
    """The description of ``config``'s data loaded as ``bundle`` (the teacher's)."""
    return DatasetSpec.of(config.data.name, bundle)
