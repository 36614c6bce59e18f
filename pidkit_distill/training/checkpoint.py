"""Checkpoints: written, read, checked for a resume and restored, random states included.

A checkpoint is written atomically and read back with ``torch.load(weights_only=True)``
(:func:`~pidkit_distill.training.torch_files.atomic_save`,
:func:`~pidkit_distill.training.torch_files.safe_load`, re-exported here): a run killed at any
moment leaves the old or the new file, and reading a file cannot run code.

A checkpoint (format 2) holds ``format``, ``config`` (plain dicts), ``epoch``, ``module`` (the
Distiller's state dict, teacher included), ``student``, ``optimizers``, ``schedulers``,
``best_acc``, ``best_epoch``, ``history``, ``audit`` (``validation`` too, with a validation
split: :mod:`~pidkit_distill.training.best_epoch`) and ``rng``: per process, the torch, CUDA,
numpy, python and DataLoader-generator random states, stored as tensors and plain values. It also
holds ``sizes``, the data's ``num_classes`` and ``input_shape`` that the networks were built for
(:func:`recorded_sizes`), and ``device``, the type of device its epochs were trained on, which a
resume compares with its own where ``run.amp`` is set (:mod:`~pidkit_distill.training.amp_resume`),
and ``trained_with``, the fingerprints of the code of the registered builders and of the data it
was trained with (:mod:`~pidkit_distill.training.checkpoint_fit`), which a resume requires
unchanged. Checkpoints written before these were added lack them and resume all the same; a
version that predates them reads a checkpoint that holds them (they are keys it does not ask for),
so the format stays 2.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from pidkit.utils import check_int
from pidkit_distill.atomic_files import FileWriteError, not_written
from pidkit_distill.config import AUDIT_RESUME_FREE_KEYS, RESUME_FREE_KEYS, TrainConfig, config_to_dict
from pidkit_distill.config.key_history import (
    EARLIER_DEFAULTS,
    VALUES_BEFORE_KEYS_EXISTED,
    preset_named_now,
)
from pidkit_distill.config.registered_record import NAMED
from pidkit_distill.config.teacher_keys import with_teacher_run_own
from pidkit_distill.methods.base import default_preset_of, get_method
from pidkit_distill.registry import registry_key
from pidkit_distill.run_folders.files import checkpoint_written, read_run_config
from pidkit_distill.training.amp_resume import amp_device_change
from pidkit_distill.training.checkpoint_fit import misfit_code, misfit_tensors
from pidkit_distill.training.runtime import Runtime
from pidkit_distill.training.torch_files import atomic_save, safe_load
from pidkit_distill.training.trained_module import TrainedModule

__all__ = [
    "CHECKPOINT_FORMAT",
    "atomic_save",
    "check_resumable",
    "kept_checkpoint",
    "python_resume_note",
    "read_checkpoint",
    "recorded_sizes",
    "rerun_hint",
    "restore_checkpoint",
    "resume_changes",
    "resume_refusal",
    "rng_state",
    "run_writes",
    "safe_load",
    "save_checkpoint",
    "set_rng_state",
    "unsaved_epochs_line",
]

CHECKPOINT_FORMAT = 2
_CHECKPOINT_KEYS = ("format", "config", "epoch", "module", "student", "optimizers", "schedulers",
                    "best_acc", "best_epoch", "history", "audit", "rng")
_CHECKPOINT_HOLDS = (
    f"a pidkit_distill checkpoint: a dict with {list(_CHECKPOINT_KEYS)} (format "
    f"{CHECKPOINT_FORMAT}, written by `pidkit-distill train` as RUN_DIR/checkpoint.pt)"
)


# ---------------------------------------------------------------------------------------------
# Random states as tensors and plain values
# ---------------------------------------------------------------------------------------------


def rng_state(loader_generator: torch.Generator) -> dict[str, Any]:
    """This process's random states (torch, CUDA, numpy, python, loader) as safe-to-load values.

    Examples
    --------
    >>> gen = torch.Generator().manual_seed(0)
    >>> state = rng_state(gen)
    >>> a = (torch.rand(1), np.random.rand(), random.random(), torch.rand(1, generator=gen))
    >>> set_rng_state(state, gen)
    >>> a == (torch.rand(1), np.random.rand(), random.random(), torch.rand(1, generator=gen))
    True
    """
    kind, keys, pos, has_gauss, cached = cast(  # legacy=True, get_state's default: MT19937's tuple
        "tuple[str, np.ndarray, int, int, float]", np.random.get_state())  # noqa: NPY002 - part of a run
    version, internal, gauss_next = random.getstate()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": {"kind": str(kind), "keys": torch.from_numpy(keys.astype(np.int64)),
                  "pos": int(pos), "has_gauss": int(has_gauss), "cached": float(cached)},
        "python": {"version": int(version), "internal": torch.tensor(internal, dtype=torch.int64),
                   "gauss_next": gauss_next},
        "loader": loader_generator.get_state(),
    }


def set_rng_state(state: dict[str, Any], loader_generator: torch.Generator) -> None:
    """Restore what :func:`rng_state` returned."""
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    n = state["numpy"]
    np.random.set_state((n["kind"], n["keys"].numpy().astype(np.uint32), n["pos"],  # noqa: NPY002
                         n["has_gauss"], n["cached"]))
    p = state["python"]
    random.setstate((p["version"], tuple(p["internal"].tolist()), p["gauss_next"]))
    loader_generator.set_state(state["loader"])


# ---------------------------------------------------------------------------------------------
# Checkpoints
# ---------------------------------------------------------------------------------------------


def save_checkpoint(path: Path, *, config: TrainConfig, module: nn.Module,
                    optimizers: dict[str, torch.optim.Optimizer], schedulers: dict[str, Any],
                    loader_generator: torch.Generator, state: dict[str, Any],
                    runtime: Runtime, num_classes: int, input_shape: tuple[int, ...],
                    trained_with: dict[str, str | None] | None = None,
                    epochs_saved: int | None = None) -> None:
    """Write everything needed to continue exactly, atomically, from rank 0.

    Each process's random states are gathered, so a DDP run resumes exactly too. ``state``
    holds ``epoch``, ``best_acc``, ``best_epoch``, ``history`` and ``audit``; ``num_classes``
    and ``input_shape`` are the data's (``DatasetBundle``'s), which the networks were built for;
    ``trained_with`` the fingerprints of the run's code and data
    (:func:`~pidkit_distill.training.checkpoint_fit.trained_with`; ``None``: none recorded).
    ``epochs_saved`` is what the checkpoint at ``path`` holds now (``None``: none written yet),
    which the message of a write that fails names (:func:`kept_checkpoint`).

    Raises
    ------
    FileWriteError
        The checkpoint could not be written (a full disk): ``path`` is as it was, and the
        message says after which epoch it holds the run, and how to continue from it.
    """
    rng = rng_state(loader_generator)
    if runtime.distributed:
        gathered: list[Any] = [None] * runtime.world_size
        dist.all_gather_object(gathered, rng)
    else:
        gathered = [rng]
    if not runtime.is_main:
        return
    saved = {
        "format": CHECKPOINT_FORMAT,
        "config": config_to_dict(config),
        "epoch": state["epoch"],
        "module": module.state_dict(),
        "student": cast(TrainedModule, module).student.state_dict(),
        "optimizers": {k: v.state_dict() for k, v in optimizers.items()},
        "schedulers": {k: v.state_dict() for k, v in schedulers.items()},
        "best_acc": state["best_acc"], "best_epoch": state["best_epoch"],
        "history": state["history"], "audit": state["audit"],
        **({"validation": state["validation"]} if "validation" in state else {}),  # best_epoch.py
        "rng": gathered,
        "sizes": {"num_classes": int(num_classes),
                  "input_shape": [int(size) for size in input_shape]},
        "device": runtime.device.type,
        **({} if trained_with is None else {"trained_with": dict(trained_with)}),
    }
    with run_writes(path, resume=config.run.resume) as then:
        try:
            atomic_save(saved, path, then=then)
        except FileWriteError as err:
            raise kept_checkpoint(err, path, epochs_saved, then=then) from err.__cause__


def kept_checkpoint(error: FileWriteError, path: Path, epochs_saved: int | None, *,
                    then: str) -> FileWriteError:
    """``error``, a failed write of the checkpoint ``path``, saying after which epoch the
    checkpoint left in place holds the run (``epochs_saved``), as an interrupt's message does;
    ``error`` itself where no checkpoint was written before or it is gone.

    Examples
    --------
    >>> import errno, tempfile
    >>> from pidkit_distill.atomic_files import not_written
    >>> path = Path(tempfile.mkdtemp()) / "checkpoint.pt"
    >>> _ = path.write_bytes(b"")
    >>> full = not_written(path, OSError(errno.ENOSPC, "No space left on device"),
    ...                    kept="checkpoint.pt is as it was before", then="rerun it")
    >>> print(kept_checkpoint(full, path, 4, then="rerun it").message.split("; ", 1)[1])
    checkpoint.pt still holds the run after epoch 4 (nothing was half-written): free space on \
its disk (or choose a folder on another one), then rerun it
    """
    if epochs_saved is None or not path.is_file():
        return error
    kept = f"{path.name} still holds the run after epoch {epochs_saved} (nothing was half-written)"
    return not_written(path, error, kept=kept, then=then)


def read_checkpoint(path: Path, *, mmap: bool = False, fix: str = "") -> dict[str, Any]:
    """A checkpoint's contents, checked to be a format-2 pidkit_distill checkpoint.

    ``fix``, where given, ends the message about a file that is no such checkpoint (what
    to do about it, for the caller's purpose); another format's says to start a new run.

    Raises
    ------
    ValueError
        The file is not a checkpoint (or one that cannot be loaded safely).
    """
    holds = f"{_CHECKPOINT_HOLDS}; {fix}" if fix else _CHECKPOINT_HOLDS
    saved = safe_load(path, what="checkpoint", holds=holds, mmap=mmap)
    if not isinstance(saved, dict) or not set(_CHECKPOINT_KEYS) <= set(saved):
        keys = sorted(saved) if isinstance(saved, dict) else type(saved).__name__
        raise ValueError(f"checkpoint {str(path)!r} holds {keys}; expected {holds}")
    if saved["format"] != CHECKPOINT_FORMAT:
        raise ValueError(
            f"checkpoint {str(path)!r} has format {saved['format']!r}; this version reads "
            f"format {CHECKPOINT_FORMAT} only; {fix or 'start a new run (another run.name)'}"
        )
    return saved


def recorded_sizes(saved: dict[str, Any], path: Path) -> dict[str, Any] | None:
    """The data's sizes that a checkpoint read by :func:`read_checkpoint` records.

    Returns
    -------
    dict or None
        ``{"num_classes": int, "input_shape": tuple of int}``, which the run's networks were
        built for; ``None`` for a checkpoint written before they were recorded.

    Raises
    ------
    ValueError
        ``sizes`` is there but not two positive sizes (the file, ``path``, is damaged).

    Examples
    --------
    >>> recorded_sizes({"sizes": {"num_classes": 10, "input_shape": [1, 8, 8]}}, Path("c.pt"))
    {'num_classes': 10, 'input_shape': (1, 8, 8)}
    >>> recorded_sizes({}, Path("c.pt")) is None
    True
    """
    if "sizes" not in saved:
        return None
    sizes = saved["sizes"]
    try:
        num_classes = check_int(sizes["num_classes"], "num_classes", minimum=1)
        shape = tuple(check_int(size, "input_shape", minimum=1) for size in sizes["input_shape"])
        check_int(len(shape), "the length of input_shape", minimum=1)
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"checkpoint {str(path)!r} records the data's sizes as {sizes!r}; "
                         "expected {'num_classes': a positive int, 'input_shape': a list of "
                         "positive ints}; the file is damaged") from None
    return {"num_classes": num_classes, "input_shape": shape}


def check_resumable(saved_config: dict[str, Any], config: TrainConfig, path: Path) -> None:
    """Raise :class:`ValueError` unless ``config`` may continue the run saved with ``saved_config``
    in the checkpoint ``path``: ``cannot resume PATH:`` and :func:`resume_refusal`'s reasons.

    Where it may, a key whose default changed since the run started
    (:data:`~pidkit_distill.config.key_history.EARLIER_DEFAULTS`) and that the run holds at an earlier default
    is set in ``config`` back to the run's value (:func:`resume_changes`), with a ``UserWarning``
    naming both: the resumed run goes on as it started (a run of ``audit.bootstrap`` 20, the
    default before 40, keeps auditing with 20 replicates).
    """
    refusal = resume_refusal(saved_config, config)
    if refusal is not None:
        raise ValueError(f"cannot resume {str(path)!r}: {refusal}")
    _, continued, _ = resume_changes(saved_config, config)
    for key in EARLIER_DEFAULTS:
        section, name = key.split(".")
        now = getattr(getattr(config, section), name)
        if key in continued and continued[key] != now:
            setattr(getattr(config, section), name, continued[key])
            warnings.warn(f"resuming {str(path)!r} with {key} {continued[key]!r}, the value the run "
                          f"started with (the default then; it is {now!r} now), so that its records "
                          f"stay comparable; for {key} {now!r}, start a new run (another run.name)",
                          UserWarning, stacklevel=2)


def resume_refusal(saved_config: dict[str, Any], config: TrainConfig) -> str | None:
    """Why ``config`` may not continue the run saved with ``saved_config``, with what to do, or
    ``None`` where it may: :func:`check_resumable`'s refusal, and the advice of a run folder
    that holds a checkpoint given without ``run.resume``
    (:func:`~pidkit_distill.training.resume.resume_point`).

    Keys in ``RESUME_FREE_KEYS`` may differ (so a moved or renamed run folder resumes), and so
    may those of ``AUDIT_RESUME_FREE_KEYS`` (when the audit runs, its intervals), and
    ``teacher.source`` when both are file paths (the teacher's weights are in the
    checkpoint). Any other change is refused naming each changed key; a key that the
    checkpoint lacks (written by an older version) or that this version lacks (a newer one) is
    named as such, since no value of the configuration restores it. The names that a
    registry looks up (:data:`~pidkit_distill.config.registered_record.NAMED`) are compared as it reads
    them (:func:`~pidkit_distill.registry.registry_key`): a checkpoint written before a
    configuration held them in the registry's spelling records ``"Digits"`` where ``config``
    holds ``"digits"``, the same data set. A teacher's run compares the settings it holds of its
    own (:data:`~pidkit_distill.config.teacher_keys.TEACHER_RUN_OWN`) as :func:`resume_changes` says.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> saved = config_to_dict(load_config(overrides=["run.epochs=3"]))
    >>> resume_refusal(saved, load_config(overrides=["run.epochs=6"])).split("; a resume")[0]
    'the configuration changed (run.epochs: 3 -> 6); restore those values or start a new run \
(another run.name'
    >>> print(resume_refusal(saved, load_config(overrides=["run.epochs=3", "run.threads=1"])))
    None
    """
    old, new, changed = resume_changes(saved_config, config)
    if not changed:
        return None
    problems = []
    if edited := [k for k in changed if k in old and k in new]:
        details = ", ".join(f"{k}: {old[k]!r} -> {new[k]!r}" for k in edited)
        free = ", ".join(sorted(RESUME_FREE_KEYS - {"run.out_dir", "run.name"}))
        audit = ", ".join(sorted(AUDIT_RESUME_FREE_KEYS))
        problems.append(f"the configuration changed ({details}); restore those values or start "
                        f"a new run (another run.name; a resume may change only {free}, when "
                        f"the audit runs and its intervals ({audit}), teacher.source from one "
                        "file to another, and run.out_dir / run.name with --resume to find a "
                        "moved or renamed folder: --resume RUN_DIR takes both from RUN_DIR and "
                        "refuses them beside it)")
    if older := [k for k in changed if k not in old]:
        details = ", ".join(f"{k} = {new[k]!r}" for k in older)
        problems.append(f"its checkpoint was written by an older pidkit-distill, before the "
                        f"key(s) {', '.join(older)} existed, so whether the run trained as they "
                        f"say now ({details}) is not known; resume it with the version that "
                        "wrote it, or start a new run (another run.name)")
    if newer := [k for k in changed if k not in new]:
        details = ", ".join(f"{k} = {old[k]!r}" for k in newer)
        problems.append(f"its checkpoint was written by a newer pidkit-distill, with key(s) "
                        f"this version does not know ({details}); resume it with that version")
    return "; and ".join(problems)


def resume_changes(saved_config: dict[str, Any], config: TrainConfig
                   ) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """The flat configurations (``{"run.seed": 0, ...}``) that :func:`check_resumable` compares,
    saved and now, and the keys in which ``config`` may not continue the saved run, sorted.

    Parameters
    ----------
    saved_config : dict
        The configuration the run was saved with (a checkpoint's ``config``, or the settings of
        its ``config.json``).
    config : TrainConfig
        The configuration that would continue it.

    Returns
    -------
    old, new : dict
        Both configurations flattened, the registry's names in its spelling and a method's
        default preset by its name. A key whose default changed since the run started
        (:data:`~pidkit_distill.config.key_history.EARLIER_DEFAULTS`) holds in ``new`` the run's value where
        the run holds an earlier default and ``config`` the default of now: the run continues
        with it (:func:`check_resumable` sets it). ``config`` cannot tell a default from the
        same value given, so either keeps the run's; another value is a change.
    changed : list of str
        The keys that differ, but those a resume may change (``RESUME_FREE_KEYS``,
        ``AUDIT_RESUME_FREE_KEYS``) and a
        ``teacher.source`` naming one file instead of another
        (:func:`~pidkit_distill.training.teacher_files.check_resumed_teacher` checks that).
        A teacher's run (``method.name`` ``teacher``) does not compare the settings it holds of
        its own (:func:`~pidkit_distill.config.teacher_keys.with_teacher_run_own`): its folder's name
        hashes its key, which decides them, and a checkpoint written before 5 Dec 2026 holds
        its student's audit section, and its student's ``run.amp`` and ``run.sync_bn`` where
        they did not act.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> saved = config_to_dict(load_config())
    >>> resume_changes(saved, load_config(overrides=["run.seed=1", "run.threads=1"]))[2]
    ['run.seed']
    >>> teacher = config_to_dict(load_config(overrides=["method.name=teacher", "audit.seed=3"]))
    >>> resume_changes(teacher, load_config(overrides=["method.name=teacher"]))[2]
    []

    A run started when audit.bootstrap defaulted to 20 continues with 20; 30, which a resume may
    set (``AUDIT_RESUME_FREE_KEYS``), is audited with from then on; audit.clusters may not change:

    >>> before = config_to_dict(load_config(overrides=["audit.bootstrap=20"]))
    >>> resume_changes(before, load_config())[1]["audit.bootstrap"]
    20
    >>> resume_changes(before, load_config(overrides=["audit.bootstrap=30", "audit.clusters=8"]))[2]
    ['audit.clusters']
    """
    settings = config_to_dict(config)
    if config.method.name == "teacher":
        saved_config = with_teacher_run_own(saved_config, settings)
    old: dict[str, Any] = {
        **VALUES_BEFORE_KEYS_EXISTED,
        **{key: registry_key(value) if key in NAMED and isinstance(value, str) else value
           for key, value in _flatten(saved_config).items()}}
    new = _flatten(settings)
    defaults = _flatten(config_to_dict(TrainConfig()))
    new.update({key: old[key] for key, earlier in EARLIER_DEFAULTS.items()
                if key in old and old[key] in earlier and new.get(key) == defaults[key]})
    # "" (the method's default preset) by the default's name, so that a run of --method kd resumes
    # with --preset paper, the same preset named; "" where the method is not registered. A preset
    # renamed since the run was saved by its name of now (preset_named_now: a user's method's
    # "paper", "default" since 6 Dec 2026), as check_config reads it
    for flat in (old, new):
        preset, default = flat.get("method.preset"), default_preset_of(flat.get("method.name"))
        if preset == "":
            flat["method.preset"] = default or ""
        elif default is not None:
            flat["method.preset"] = preset_named_now(preset, default,
                                                     get_method(flat["method.name"]).presets)
    named = ("trained", "untrained")
    return old, new, sorted(
        k for k in old.keys() | new.keys()
        if k not in RESUME_FREE_KEYS and k not in AUDIT_RESUME_FREE_KEYS
        and old.get(k) != new.get(k)
        and not (k == "teacher.source" and old.get(k) not in named and new.get(k) not in named))


def python_resume_note(*, resume: bool) -> str:
    """How a Python caller continues a run, for a message that says it with ``--resume``.

    Added as a note (PEP 678, ``add_note``) to the errors that say how to continue a run, so
    that Python and Jupyter show it under the message, with the traceback, while the command
    line prints the one-line message alone. ``resume``: the run already has ``run.resume``.

    Examples
    --------
    >>> python_resume_note(resume=False)
    "In Python: set config.run.resume = True (or pass 'run.resume=true' in load_config's \
overrides), then call train(config) again."
    """
    if resume:
        return ("In Python: call the same function (train or train_teacher) with the same "
                "configuration again.")
    return ("In Python: set config.run.resume = True (or pass 'run.resume=true' in load_config's "
            "overrides), then call train(config) again.")


def rerun_hint(checkpoint: Path, *, resume: bool) -> str:
    """How to go on after a run stopped because a file of its folder could not be written.

    ``checkpoint``: the run's ``checkpoint.pt``; ``resume``: the run already has ``run.resume``
    (a teacher's run, which the same command continues).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "checkpoint.pt"
    >>> rerun_hint(path, resume=False)
    'rerun the same command (no epoch was saved yet)'
    >>> _ = path.write_bytes(b"")
    >>> rerun_hint(path, resume=False)
    'rerun the same command with --resume (run.resume=true) to continue from its checkpoint.pt'
    """
    if not checkpoint.exists():
        return "rerun the same command (no epoch was saved yet)"
    flag = "" if resume else " with --resume (run.resume=true)"
    return f"rerun the same command{flag} to continue from its {checkpoint.name}"


def unsaved_epochs_line(path: Path, logged: int, config: TrainConfig) -> str:
    """The line a train prints as it starts from epoch 1 in the run folder ``path``, which holds
    no checkpoint but ``logged`` epochs in its ``metrics.jsonl``: an earlier run stopped before
    its first checkpoint, or (where the ``config.json`` there says that its train had written
    one by then: :func:`~pidkit_distill.run_folders.files.checkpoint_written`) the checkpoint was
    deleted or not copied with the folder.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> config = load_config(overrides=["run.checkpoint_every=5"])
    >>> unsaved_epochs_line(Path("runs/x"), 3, config)  # no config.json there
    'runs/x holds no checkpoint but 3 epoch(s) logged by an earlier run that stopped before its \
first one (run.checkpoint_every = 5): training from epoch 1'
    """
    try:
        earlier = read_run_config(path)
    except (OSError, ValueError):  # none, or not readable: the earlier run's settings not known
        earlier = {}
    if earlier and checkpoint_written(path, earlier, logged):
        every = (earlier.get("run") or {}).get("checkpoint_every", 1)
        cause = (f"whose train had written a checkpoint by then (run.checkpoint_every = {every}, "
                 "and after its last epoch), so it was deleted or not copied with the folder")
    else:
        cause = ("that stopped before its first one (run.checkpoint_every = "
                 f"{config.run.checkpoint_every})")
    return (f"{path} holds no checkpoint but {logged} epoch(s) logged by an earlier run {cause}: "
            "training from epoch 1")


@contextmanager
def run_writes(checkpoint: Path, *, resume: bool) -> Iterator[str]:
    """Around a run's file writes: yields their ``then`` (:func:`rerun_hint`), and gives a
    :class:`~pidkit_distill.atomic_files.FileWriteError` raised in the block the Python
    spelling of what to do, as a note (:func:`python_resume_note`).

    Parameters
    ----------
    checkpoint : Path
        The run's ``checkpoint.pt``.
    resume : bool
        The run already has ``run.resume`` (a teacher's run, which the same command continues).

    Examples
    --------
    >>> import errno, tempfile
    >>> from pidkit_distill.atomic_files import not_written
    >>> path = Path(tempfile.mkdtemp()) / "checkpoint.pt"
    >>> _ = path.write_bytes(b"")
    >>> try:
    ...     with run_writes(path, resume=False) as then:
    ...         raise not_written(path.with_name("summary.json"),
    ...                           OSError(errno.ENOSPC, "No space left on device"),
    ...                           kept="summary.json was not written", then=then)
    ... except OSError as err:
    ...     err.__notes__ == [python_resume_note(resume=False)]
    True
    """
    try:
        yield rerun_hint(checkpoint, resume=resume)
    except FileWriteError as err:
        err.add_note(python_resume_note(resume=resume or not checkpoint.exists()))
        raise


def restore_checkpoint(saved: dict[str, Any], *, module: nn.Module,
                       optimizers: dict[str, torch.optim.Optimizer], schedulers: dict[str, Any],
                       loader_generator: torch.Generator, runtime: Runtime,
                       path: Path | None = None) -> dict[str, Any]:
    """Load a checkpoint read by :func:`read_checkpoint` (from ``path``) into the run; return
    its loop state.

    A checkpoint whose tensors do not fit ``module`` (a builder edited to other shapes, in a
    checkpoint that records no fingerprint of its code; a module of the method's own edited,
    or made by its ``forward`` on its first call) is refused with a :class:`ValueError` naming
    the file, the tensors and the code they point to
    (:func:`~pidkit_distill.training.checkpoint_fit.misfit_code`), before anything is loaded. It warns
    (:class:`RuntimeWarning`) where the run resumes with another number of processes; rank 0
    warns where ``run.amp`` takes effect on this device and did not on the saved one, or the
    reverse (:func:`~pidkit_distill.training.amp_resume.amp_device_change`).
    """
    if problems := misfit_tensors(saved["module"], module.state_dict()):
        where = "checkpoint" if path is None else f"checkpoint {str(path)!r}"
        shown = "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else "")
        method = getattr(module, "method_name", "") or type(module).__name__
        edited = misfit_code(saved["module"], module.state_dict(), method=method)
        raise ValueError(
            f"{where} does not fit the networks built now ({shown}): their code changed since "
            f"the run was trained ({edited}); restore the code the run was trained with to "
            "continue it, or start a new run (another run.name)")
    module.load_state_dict(saved["module"])
    for name, opt in optimizers.items():
        opt.load_state_dict(saved["optimizers"][name])
    for name, scheduler in schedulers.items():
        scheduler.load_state_dict(saved["schedulers"][name])
    states = saved["rng"]
    if len(states) != runtime.world_size:
        before = len(states)
        how = "one process (no torchrun, or torchrun --nproc_per_node 1)" if before == 1 else \
            f"torchrun --nproc_per_node {before}"
        warnings.warn(
            f"checkpoint was written by {_processes(before)}, after epoch {saved['epoch']}, and "
            f"the run resumes with {_processes(runtime.world_size)}: allowed, as data.batch_size "
            "is the global batch (the same batches in the same order), but each process's share "
            "of a batch changes, and with it the BatchNorm statistics (unless run.sync_bn = "
            "true), the order of the gradients' sums and the random streams: the epochs trained "
            "from here on differ from an uninterrupted run's beyond rounding; resume with "
            f"{how} to continue the run as it was trained", RuntimeWarning, stacklevel=2)
    if runtime.is_main and (amp_change := amp_device_change(saved, runtime.device)):
        warnings.warn(amp_change, RuntimeWarning, stacklevel=2)
    set_rng_state(states[min(runtime.rank, len(states) - 1)], loader_generator)
    return {k: saved[k] for k in ("epoch", "best_acc", "best_epoch", "history", "audit",
                                  "validation") if k in saved}


def _processes(count: int) -> str:
    """``"one process"``, ``"2 processes"``."""
    return "one process" if count == 1 else f"{count} processes"


def _flatten(tree: dict[str, Any]) -> dict[str, Any]:
    """``{"run": {"epochs": 3}}`` -> ``{"run.epochs": 3}`` (one level, as config keys are)."""
    return {f"{section}.{key}": value for section, values in tree.items()
            for key, value in values.items()}
