"""The range and choice of every value of a training configuration: :func:`check_values`.

What needs no registry, no file and no run length: numbers finite and in their ranges, seeds in
numpy's range, the choices of ``optim.schedule``, ``optim.milestone_unit``, ``optim.optimizer``,
``teacher.optimizer`` and ``run.device``, milestones that fit their unit, and ``run.name`` a
folder's name. The audit's section checks its own values
(:meth:`~pidkit_distill.config.AuditConfig.check`). What needs the registries or the file
system is checked by :func:`pidkit_distill.training.check_config`.
"""

from __future__ import annotations

import dataclasses
import math
import re
import typing
from collections.abc import Sequence

from pidkit.utils import SEED_MAX, did_you_mean
from pidkit_distill.config.sections import (
    SGD_ONLY,
    OptimConfig,
    TrainConfig,
    check_is_config,
    check_key_type,
    config_fields,
)
from pidkit_distill.config.settings import field_choices
from pidkit_distill.config_errors import ConfigValueError

__all__ = ["DEVICES", "MILESTONE_UNITS", "OPTIMIZERS", "SCHEDULES", "check_values"]

SCHEDULES = field_choices(OptimConfig)["schedule"]
OPTIMIZERS = field_choices(OptimConfig)["optimizer"]
MILESTONE_UNITS = field_choices(OptimConfig)["milestone_unit"]
DEVICES = ("auto", "cpu", "cuda")
_NOT_A_RUN_DEVICE = ("; the trainer runs on the CPU or on CUDA GPUs, each process on its own "
                     "(cuda:LOCAL_RANK; choose them with CUDA_VISIBLE_DEVICES): on another "
                     "accelerator (xpu, mps, hpu) pass cpu")
# the device types of torch.device but the CPU and CUDA, and names of accelerators that torch
# reaches through one of them (a TPU through xla, an Ascend NPU through privateuseone)
_OTHER_DEVICE_TYPES = frozenset({
    "fpga", "hip", "hpu", "ideep", "ipu", "lazy", "maia", "meta", "mkldnn", "mps", "mtia",
    "npu", "opencl", "opengl", "privateuseone", "tpu", "ve", "vulkan", "xla", "xpu"})
# a CUDA device with an index, as torch.device reads it: no sign, no leading zero, no space
# (cuda:1 trains on GPU 1 in one process; check_devices refuses it under torchrun)
_CUDA_INDEX = re.compile(r"cuda:(0|[1-9][0-9]*)")


def _check_choice(key: str, value: str, choices: Sequence[str]) -> None:
    """``value`` of ``key`` must be one of ``choices``; a misspelt one is told the choice it
    is closest to (:func:`pidkit.utils.did_you_mean`), which then ends the message as its advice.

    Examples
    --------
    >>> _check_choice("optim.schedule", "paper", SCHEDULES)
    >>> _check_choice("optim.schedule", "constnt", SCHEDULES)
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigValueError: config key 'optim.schedule' must be one of ['paper', \
'constant', 'cosine', 'kd-rid-effective'], got 'constnt'. Did you mean 'constant'?
    """
    if value not in choices:
        why = did_you_mean(value, choices)
        why = why and f".{why}"
        raise ConfigValueError(f"config key {key!r} must be one of {list(choices)}, got {value!r}"
                               f"{why}", key, value, advised=bool(why))


def _check_device(value: str) -> None:
    """``run.device`` must be one of :data:`DEVICES`, or a CUDA device with an index, ``cuda:1``,
    as torch spells it (its value is held in lower case: ``RunConfig(device="CPU")`` holds
    ``"cpu"``). Whether this machine has that GPU, and whether the run is one process (each
    process of a torchrun takes ``cuda:LOCAL_RANK``), is checked before the run, by
    :func:`~pidkit_distill.training.device_checks.check_devices`. Another accelerator's device
    is told that the trainer cannot run on it; anything else, the choice it is closest to.

    Examples
    --------
    >>> _check_device("cuda")
    >>> _check_device("cuda:1")
    >>> _check_device("gpu")
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigValueError: config key 'run.device' must be one of ['auto', 'cpu', \
'cuda', 'cuda:N'], got 'gpu'. Did you mean 'cuda'?
    """
    if value in DEVICES or _CUDA_INDEX.fullmatch(value):
        return
    if value.partition(":")[0] in _OTHER_DEVICE_TYPES:
        why = _NOT_A_RUN_DEVICE
    else:  # "gpu" is closest to "cpu"
        why = " Did you mean 'cuda'?" if value.startswith("gpu") else did_you_mean(value, DEVICES)
        why = why and f".{why}"
    raise ConfigValueError(f"config key 'run.device' must be one of {[*DEVICES, 'cuda:N']}, "
                           f"got {value!r}{why}", "run.device", value, advised=bool(why))


def _check_number(key: str, value: float, minimum: float, *, strict: bool = False,
                  below: float = math.inf) -> None:
    """``value`` must be finite, ``>= minimum`` (``> minimum`` when ``strict``) and ``< below``."""
    low_ok = value > minimum if strict else value >= minimum
    if not (math.isfinite(value) and low_ok and value < below):
        bound = f"> {minimum}" if strict else f">= {minimum}"
        if below < math.inf:
            bound += f" and < {below}"
        kind = "" if isinstance(value, int) else "a finite number "
        raise ConfigValueError(f"config key {key!r} must be {kind}{bound}, got {value!r}", key,
                               value)


def check_values(config: TrainConfig) -> None:
    """Check every value's range or choice; raise :class:`ConfigValueError` (a
    :class:`ValueError`) naming the key.

    Values must be of their key's type (:class:`TypeError`; one set from Python is checked
    here); numbers must be finite; learning rates and the lr factor positive; seeds in
    [0, 2**32 - 1] (numpy's and scikit-learn's range). This needs no registry
    and no file: :func:`~pidkit_distill.config.config_from_dict` (so every loaded configuration) runs it.
    :func:`pidkit_distill.training.check_config` runs it too, then checks the rest.

    Examples
    --------
    >>> check_values(TrainConfig())
    >>> cfg = TrainConfig()
    >>> cfg.optim.grad_clip = float("inf")
    >>> check_values(cfg)
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigValueError: config key 'optim.grad_clip' must be a finite \
number >= 0.0, got inf
    """
    check_is_config(config)
    for key, _, kind, _ in config_fields():  # a value set from Python, not through coerce_value
        section, name = key.split(".")
        if section == "audit":
            continue  # AuditConfig.check, next (audit_distiller runs it too)
        check_key_type(key, getattr(getattr(config, section), name), kind)
    _check_audit(config)
    _check_choice("optim.schedule", config.optim.schedule, SCHEDULES)
    _check_choice("optim.milestone_unit", config.optim.milestone_unit, MILESTONE_UNITS)
    _check_choice("optim.optimizer", config.optim.optimizer, OPTIMIZERS)
    _check_choice("teacher.optimizer", config.teacher.optimizer, OPTIMIZERS)
    _check_device(config.run.device)
    for key, value, minimum in [
        ("data.batch_size", config.data.batch_size, 1),
        ("data.eval_batch_size", config.data.eval_batch_size, 1),
        ("data.num_workers", config.data.num_workers, 0),
        ("teacher.epochs", config.teacher.epochs, 1),
        ("optim.weight_decay", config.optim.weight_decay, 0.0),
        ("optim.grad_clip", config.optim.grad_clip, 0.0),
        ("optim.min_lr", config.optim.min_lr, 0.0),
        ("optim.warmup_epochs", config.optim.warmup_epochs, 0),
        ("run.epochs", config.run.epochs, 1),
        ("run.audit_every", config.run.audit_every, 0),
        ("run.checkpoint_every", config.run.checkpoint_every, 1),
        ("run.threads", config.run.threads, 0),
        ("run.stop_after", config.run.stop_after, 0),
        ("run.early_stop", config.run.early_stop, 0),
        ("run.print_every", config.run.print_every, 0),
        ("run.join_timeout", config.run.join_timeout, 0.0),
    ]:
        _check_number(key, value, minimum)
    for key, value in [("data.seed", config.data.seed), ("teacher.seed", config.teacher.seed),
                       ("run.seed", config.run.seed), ("audit.seed", config.audit.seed)]:
        _check_number(key, value, 0, below=SEED_MAX + 1)  # numpy's and scikit-learn's seeds
    for key, value in [("teacher.lr", config.teacher.lr), ("optim.lr", config.optim.lr),
                       ("optim.gamma", config.optim.gamma)]:
        _check_number(key, value, 0.0, strict=True)
    _check_number("optim.momentum", config.optim.momentum, 0.0, below=1.0)
    _check_number("data.val_fraction", config.data.val_fraction, 0.0, below=1.0)
    if config.run.early_stop and not config.data.val_fraction:
        raise ConfigValueError(
            f"config key 'run.early_stop' is {config.run.early_stop}, but data.val_fraction is 0: "
            "early stopping watches the validation accuracy, and there is no validation split; "
            "set data.val_fraction (0.1 holds out a tenth of the training set), or run.early_stop "
            "to 0", "run.early_stop", config.run.early_stop, related=("data.val_fraction",),
            advised=True)
    for milestone in config.optim.milestones:
        if isinstance(milestone, bool) or not isinstance(milestone, (int, float)):
            raise TypeError(f"config key 'optim.milestones' holds numbers, got {milestone!r}")
    milestones, unit = config.optim.milestones, config.optim.milestone_unit
    if unit == "fraction" and not all(0 < m < 1 for m in milestones):
        raise ConfigValueError("config key 'optim.milestones' must hold fractions in (0, 1) when "
                               f"optim.milestone_unit='fraction', got {milestones!r}",
                               "optim.milestones", milestones, related=("optim.milestone_unit",))
    if unit == "epoch" and not all(isinstance(m, int) and m >= 1 for m in milestones):
        raise ConfigValueError("config key 'optim.milestones' must hold epoch numbers >= 1 when "
                               f"optim.milestone_unit='epoch', got {milestones!r}",
                               "optim.milestones", milestones, related=("optim.milestone_unit",))
    _check_optimizer_keys(config.optim)
    _check_schedule_keys(config.optim, ("optim.lr", config.optim.lr),
                         ("run.epochs", config.run.epochs))
    if config.teacher.source == "trained" and config.method.name != "teacher":
        # the teacher's run that trains it first reads the same keys at its own lr and length
        _check_schedule_keys(config.optim, ("teacher.lr", config.teacher.lr),
                             ("teacher.epochs", config.teacher.epochs))
    if not config.teacher.source:
        raise ConfigValueError("config key 'teacher.source' must be 'trained', 'untrained' or a "
                               "path", "teacher.source", config.teacher.source)
    _check_run_name(config.run.name)


def _check_optimizer_keys(optim: OptimConfig) -> None:
    """``optim.momentum`` and ``optim.nesterov`` are SGD's: with ``optim.optimizer='adamw'``
    a value other than the default is refused, naming the key (AdamW keeps torch's betas). A
    configuration does not record which keys were given, so the defaults, given or not, are
    taken for keys left alone, which adamw ignores.

    Examples
    --------
    >>> _check_optimizer_keys(OptimConfig(optimizer="adamw"))
    >>> _check_optimizer_keys(OptimConfig(optimizer="adamw", momentum=0.5))
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigValueError: config key 'optim.momentum' is 0.5, but it is SGD's and \
optim.optimizer is 'adamw' (AdamW takes torch's betas, (0.9, 0.999)): leave optim.momentum at \
its default, 0.9, which adamw ignores, or set optim.optimizer to 'sgd'
    """
    if optim.optimizer != "adamw":
        return
    defaults = OptimConfig()
    for name in SGD_ONLY:
        value, default = getattr(optim, name), getattr(defaults, name)
        if value != default:
            key = f"optim.{name}"
            raise ConfigValueError(
                f"config key {key!r} is {value!r}, but it is SGD's and optim.optimizer is "
                f"'adamw' (AdamW takes torch's betas, (0.9, 0.999)): leave {key} at its "
                f"default, {default!r}, which adamw ignores, or set optim.optimizer to 'sgd'",
                key, value, related=("optim.optimizer",), advised=True)


def _check_schedule_keys(optim: OptimConfig, lr: tuple[str, float],
                         epochs: tuple[str, int]) -> None:
    """The keys of the schedule that depend on each other and on the run's lr and length
    (``lr`` and ``epochs``: each key with its value, ``optim.lr`` and ``run.epochs``, or, for
    the teacher's run that a student's trains first, ``teacher.lr`` and ``teacher.epochs``):
    ``optim.min_lr`` is read by the ``cosine`` schedule alone, and is below the lr there;
    ``optim.warmup_epochs`` is below the epochs, is 0 for ``kd-rid-effective`` (the authors'
    schedule, which has none), and ends no later than the first milestone of ``paper``.

    Examples
    --------
    >>> _check_schedule_keys(OptimConfig(schedule="cosine", warmup_epochs=2), ("optim.lr", 0.05),
    ...                      ("run.epochs", 10))
    >>> _check_schedule_keys(OptimConfig(warmup_epochs=10), ("teacher.lr", 0.05),
    ...                      ("teacher.epochs", 10))
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigValueError: config key 'optim.warmup_epochs' is 10, which leaves the \
schedule none of the teacher's teacher.epochs=10 epochs: lower optim.warmup_epochs below 10, or \
raise teacher.epochs
    """
    def refuse(key: str, message: str, related: tuple[str, ...]) -> typing.NoReturn:
        value = getattr(optim, key.split(".")[1])
        raise ConfigValueError(f"config key {key!r} is {value!r}{message}", key, value,
                               related=related, advised=True)

    (lr_key, lr_value), (epochs_key, n_epochs) = lr, epochs
    whose = "teacher's" if epochs_key.startswith("teacher.") else "run's"
    if optim.min_lr != 0 and optim.schedule != "cosine":
        refuse("optim.min_lr", f", but only optim.schedule 'cosine' reads it (the schedule is "
                               f"{optim.schedule!r}): set optim.min_lr to 0, or optim.schedule "
                               "to 'cosine'", ("optim.schedule",))
    if optim.schedule == "cosine" and optim.min_lr >= lr_value:
        refuse("optim.min_lr", f", not below {lr_key} ({lr_value!r}), so the cosine schedule "
                               "would not anneal the lr down: lower optim.min_lr (its default "
                               f"is 0) or raise {lr_key}", (lr_key,))
    warmup = optim.warmup_epochs
    if warmup == 0:
        return
    if optim.schedule == "kd-rid-effective":
        refuse("optim.warmup_epochs", ", but optim.schedule 'kd-rid-effective' (the authors' "
                                      "schedule) has no warm-up: set optim.warmup_epochs to 0, "
                                      "or choose another optim.schedule", ("optim.schedule",))
    if warmup >= n_epochs:
        refuse("optim.warmup_epochs", f", which leaves the schedule none of the {whose} "
                                      f"{epochs_key}={n_epochs} epochs: lower "
                                      f"optim.warmup_epochs below {n_epochs}, or raise "
                                      f"{epochs_key}", (epochs_key,))
    early = [m for m in optim.milestone_epochs(n_epochs) if m < warmup]
    if optim.schedule == "paper" and early:
        refuse("optim.milestones", f", a milestone at epoch {early[0]} of {epochs_key}="
                                   f"{n_epochs}, inside the warm-up of optim.warmup_epochs="
                                   f"{warmup} epochs (milestones count from the run's start): "
                                   f"move the milestones to epoch {warmup} or later, or shorten "
                                   "the warm-up", ("optim.warmup_epochs", "optim.milestone_unit",
                                                   epochs_key))


def _check_audit(config: TrainConfig) -> None:
    """:meth:`~pidkit_distill.config.AuditConfig.check`, whose range or choice error becomes a
    :class:`ConfigValueError` of the key its message names."""
    try:
        config.audit.check()
    except ValueError as err:
        message = str(err)
        name = next((field.name for field in dataclasses.fields(config.audit)
                     if message.startswith(f"config key 'audit.{field.name}' ")), None)
        if name is None:
            raise
        related = ("audit.estimator",) if name == "bias_correction" else ()
        raise ConfigValueError(message, f"audit.{name}", getattr(config.audit, name),
                               related=related, advised=getattr(err, "advised", False)) from err


def _check_run_name(name: str) -> None:
    """``run.name`` is one folder's name, made in ``run.out_dir``: a path (``a/b``, ``/abs``,
    ``../x``, ``..``) put the run folder elsewhere, outside ``run.out_dir``.

    Examples
    --------
    >>> _check_run_name("seed-1")
    >>> _check_run_name("../runs")
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigValueError: config key 'run.name' must be a folder's name \
(made in run.out_dir), not a path, got '../runs'; to put the run elsewhere, set run.out_dir to \
the folder that holds it
    """
    if name in (".", "..") or any(s in name for s in ("/", "\\", "\0")):  # POSIX's, Windows'
        # ", got VALUE", as ConfigValueError tells a value: the command leaves it out where
        # the option typed shows it (cli_values.apply_option_values)
        raise ConfigValueError(f"config key 'run.name' must be a folder's name (made in "
                               f"run.out_dir), not a path, got {name!r}; to put the run "
                               "elsewhere, set run.out_dir to the folder that holds it",
                               "run.name", name, advised=True)
