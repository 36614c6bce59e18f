"""The sections of the training configuration (:mod:`pidkit_distill.config`): their keys,
defaults and help texts, and the checks that need nothing but a section.

One dataclass per section, on the base :class:`~pidkit_distill.config.settings.Settings`, and
:class:`~pidkit_distill.config.TrainConfig`, the tree of them; :func:`config_fields` lists every
key. A value set in a section is checked for its type by :func:`check_key_type` (the audit's
section checks all of its values itself, :meth:`~pidkit_distill.config.AuditConfig.check`);
the ranges of the others are checked by :func:`~pidkit_distill.config.check_values`.
"""

from __future__ import annotations

import dataclasses
import typing
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pidkit.below_zero import fewest_replicates
from pidkit.utils import did_you_mean
from pidkit_distill.config.settings import Settings, field_choices, field_kinds
from pidkit_distill.config_errors import ConfigValueError

__all__ = [
    "AUTO_MODEL",
    "SGD_ONLY",
    "WARMUP_START_FACTOR",
    "AuditConfig",
    "DataConfig",
    "MethodConfig",
    "ModelConfig",
    "OptimConfig",
    "RunConfig",
    "TeacherConfig",
    "TrainConfig",
    "check_is_config",
    "check_key_type",
    "config_fields",
]

AUTO_MODEL = "auto"
"""The default of ``model.teacher`` and ``model.student``: the data set's own model
(:mod:`~pidkit_distill.config.model_defaults` resolves it)."""

SGD_ONLY = ("momentum", "nesterov")
"""The keys of ``optim`` that SGD alone reads: AdamW takes torch's betas, and ignores them."""

WARMUP_START_FACTOR = 0.01
"""The share of ``optim.lr`` that the warm-up (``optim.warmup_epochs``) starts from, rising
linearly to the whole lr (torch's ``LinearLR``; torchvision's reference trainer's
``--lr-warmup-decay``)."""


def _opt(default: Any, text: str, *, choices: tuple[str, ...] = ()) -> Any:
    """A dataclass field with an immutable default and a help string; ``choices``, the values
    it accepts where it is a choice (:func:`~pidkit_distill.config.settings.field_choices`)."""
    return field(default=default, metadata={"help": text, **({"choices": choices} if choices
                                                             else {})})


# The choices of optim.optimizer and teacher.optimizer: torch's SGD and AdamW.
_OPTIMIZERS = ("sgd", "adamw")

# The bias corrections of each audit estimator (the first of each is the default, "auto").
_CORRECTIONS = {"discrete": ("auto", "eb-extrapolation-kink", "eb-extrapolation", "extrapolation",
                             "none"),
                "gaussian": ("auto", "wishart", "none")}


def _a(name: str) -> str:
    """``name`` with its indefinite article: ``"an int"``, ``"a dict"``."""
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


@dataclass
class DataConfig(Settings):
    """Which data set and how it is batched.

    Examples
    --------
    >>> from pidkit_distill import DataConfig, TrainConfig
    >>> TrainConfig(data=DataConfig(name="Synthetic", batch_size=32)).data.name
    'synthetic'
    """

    _section = "data"

    name: str = _opt("digits", "data set: digits | synthetic | cifar10 | cifar100")
    root: str = _opt("", "folder holding CIFAR data ('' = the loader's default)")
    seed: int = _opt(0, "seed of the data set's split / generation (fixed across run seeds)")
    batch_size: int = _opt(64, "global training batch size (shared out among DDP processes)")
    eval_batch_size: int = _opt(512, "batch size for evaluation and the audit")
    num_workers: int = _opt(0, "DataLoader worker processes")
    drop_last: bool = _opt(False, "drop the last, smaller training batch of every epoch")
    val_fraction: float = _opt(0.0, "share of the training set held out, stratified by class, as "
                                    "the validation split the best epoch is chosen on (0 = none: "
                                    "the best test accuracy)")
    options: dict = field(default_factory=dict, metadata={
        "help": "extra keyword options for load_dataset (e.g. synthetic n_train)"})


@dataclass
class ModelConfig(Settings):
    """Teacher and student architectures (names understood by ``build_model``), or ``"auto"``:
    the data set's own (:mod:`~pidkit_distill.config.model_defaults`).

    Examples
    --------
    >>> from pidkit_distill import ModelConfig
    >>> ModelConfig(teacher="wrn-40-2").student
    'auto'
    """

    _section = "model"

    teacher: str = _opt(AUTO_MODEL, "teacher architecture; auto = the data set's own: "
                                    "DATA-teacher where DATA-teacher and DATA-student are "
                                    "models (digits, synthetic, registered), wrn-40-2 for "
                                    "cifar10 and cifar100")
    student: str = _opt(AUTO_MODEL, "student architecture; auto = the data set's own: "
                                    "DATA-student where DATA-teacher and DATA-student are "
                                    "models (digits, synthetic, registered), wrn-16-1 for "
                                    "cifar10 and cifar100")


@dataclass
class TeacherConfig(Settings):
    """Where the teacher's weights come from.

    Examples
    --------
    >>> from pidkit_distill import TeacherConfig
    >>> TeacherConfig(source="untrained").epochs
    30
    """

    source: str = _opt(
        "trained",
        "trained (train or reuse a cached teacher) | untrained (seeded random init) | PATH",
    )
    epochs: int = _opt(30, "epochs when a teacher has to be trained")
    lr: float = _opt(0.05, "initial learning rate when a teacher has to be trained")
    optimizer: str = _opt("sgd", "sgd | adamw: the optimizer when a teacher has to be trained "
                                 "(optim.optimizer is the student's)", choices=_OPTIMIZERS)
    seed: int = _opt(0, "seed of the teacher's initialisation and training")
    data_options: dict = field(default_factory=dict, metadata={
        "help": "load_dataset options that differ for the teacher, e.g. target='joint' for "
                "the synthetic task's nuisance teacher"})


@dataclass
class MethodConfig(Settings):
    """The distillation method and its parameters.

    Examples
    --------
    >>> from pidkit_distill import MethodConfig
    >>> MethodConfig(name="rid", params={"lambda2": 0.5}).params
    {'lambda2': 0.5}
    """

    _section = "method"

    name: str = _opt("bas", "distillation method (see `pidkit-distill train --list-methods`)")
    preset: str = _opt("", "named parameter preset of the method ('' = the method's "
                           "default_preset; see `pidkit-distill train --list-methods`)")
    params: dict = field(default_factory=dict, metadata={
        "help": "method parameters overriding the preset (method.params.NAME=VALUE)"})


@dataclass
class OptimConfig(Settings):
    """The optimizer (SGD with Nesterov momentum, or AdamW) and its learning-rate schedule, one
    optimizer per Distiller group, the schedule stepped per epoch.

    Examples
    --------
    >>> from pidkit_distill import OptimConfig
    >>> OptimConfig(lr=0.1).milestones
    [0.5, 0.6666666666666666]
    >>> OptimConfig(optimizer="AdamW", schedule="cosine").optimizer
    'adamw'
    """

    lr: float = _opt(0.05, "initial learning rate")
    momentum: float = _opt(0.9, "SGD momentum (sgd only)")
    weight_decay: float = _opt(5e-4, "weight decay")
    nesterov: bool = _opt(True, "Nesterov momentum (sgd only)")
    schedule: str = _opt(
        "paper",
        "paper (multiply by gamma at each milestone) | constant | cosine (anneal to min_lr "
        "over the epochs after the warm-up) | kd-rid-effective (the schedule the authors' code "
        "really applied)",
        choices=("paper", "constant", "cosine", "kd-rid-effective"),
    )
    milestones: list = field(default_factory=lambda: [0.5, 2.0 / 3.0], metadata={
        "help": "where the lr is multiplied by gamma (the paper: epochs 150, 200 of 300)"})
    milestone_unit: str = _opt(
        "fraction", "fraction (milestones are fractions of run.epochs) | epoch",
        choices=("fraction", "epoch"),
    )
    gamma: float = _opt(0.2, "lr factor at each milestone")
    grad_clip: float = _opt(100.0, "clip the gradient norm to this value, as the authors' code does "
                                   "(0 = off)")
    optimizer: str = _opt("sgd", "sgd (momentum, nesterov) | adamw (torch's AdamW: lr, "
                                 "weight_decay and torch's betas)", choices=_OPTIMIZERS)
    min_lr: float = _opt(0.0, "the lr that the cosine schedule anneals to")
    warmup_epochs: int = _opt(0, f"epochs of linear warm-up from {WARMUP_START_FACTOR} * lr to lr "
                                 "before the schedule (0 = none; not with kd-rid-effective)")

    def milestone_epochs(self, epochs: int) -> list[int]:
        """The epochs (counted from the run's start) at whose end the ``paper`` schedule
        multiplies the lr by ``gamma``, in a run of ``epochs`` epochs, sorted.

        A fraction never rounds to epoch 0 (which would decay the lr before the first epoch):
        its earliest epoch is 1, as for ``milestone_unit='epoch'``. Milestones that fall on
        the same epoch (fractions that round alike in a short run) are kept, not merged.

        Examples
        --------
        >>> from pidkit_distill import OptimConfig
        >>> OptimConfig().milestone_epochs(300), OptimConfig().milestone_epochs(2)
        ([150, 200], [1, 1])
        >>> OptimConfig(milestones=[20, 10], milestone_unit="epoch").milestone_epochs(30)
        [10, 20]
        """
        if self.milestone_unit == "fraction":
            return sorted(max(1, round(m * epochs)) for m in self.milestones)
        return sorted(int(m) for m in self.milestones)


@dataclass
class RunConfig(Settings):
    """Length, seeds, hardware, logging and checkpoints of one run.

    ``device`` is held in lower case, however it is given.

    Examples
    --------
    >>> from pidkit_distill import RunConfig
    >>> RunConfig(device=" CPU").device, RunConfig(device="CUDA:1").device
    ('cpu', 'cuda:1')
    """

    epochs: int = _opt(30, "training epochs")
    seed: int = _opt(0, "seed for python, numpy, torch and the data order")
    device: str = _opt("auto", "auto | cpu | cuda | cuda:N (GPU N, in a run of one process)")
    threads: int = _opt(0, "CPU threads for torch and the audit (0 = library defaults)")
    amp: bool = _opt(False, "bf16 autocast on CUDA (no-op with a warning on CPU)")
    sync_bn: bool = _opt(False, "synchronise BatchNorm statistics over DDP processes")
    audit_every: int = _opt(5, "run the PID audit every N epochs (0 = never)")
    checkpoint_every: int = _opt(1, "write RUN_DIR/checkpoint.pt every N epochs and after the last "
                                    "(a killed run resumes from the last one written)")
    out_dir: str = _opt("runs", "folder that holds run folders")
    name: str = _opt("", "run folder name ('' = derived from data, method, teacher and seed)")
    resume: bool = _opt(False, "continue from RUN_DIR/checkpoint.pt if there is one (the config "
                               "must match); without, a run folder is never overwritten")
    stop_after: int = _opt(0, "stop after this many epochs in this invocation (0 = run to the end)")
    early_stop: int = _opt(0, "stop once the validation accuracy has not improved for N epochs "
                              "(0 = never; needs data.val_fraction > 0)")
    progress: bool = _opt(True, "show tqdm progress bars (where someone watches: a terminal or a notebook)")
    print_every: int = _opt(1, "print the epoch's line (and its audit's) every N epochs and after "
                               "the last (0 = none); metrics.jsonl keeps every epoch")
    join_timeout: float = _opt(600.0, "seconds a process of several (RANK, WORLD_SIZE) waits for the "
                                      "others to join before it stops, naming what is missing (0 = "
                                      "as long as torch waits: 30 min with gloo, 10 with nccl)")

    def __setattr__(self, name: str, value: Any) -> None:
        # a device is held as torch spells it, in lower case, however it was given: "CPU" is
        # "cpu" (a value that is no str is refused by its type's check)
        if name == "device" and isinstance(value, str):
            value = value.strip().lower()
        super().__setattr__(name, value)


@dataclass
class AuditConfig(Settings):
    """Settings of the PID audit of (Y, T^(k), S^(k)) on the held-out set.

    Examples
    --------
    >>> from pidkit_distill import AuditConfig
    >>> AuditConfig(bootstrap=0).confidence
    0.95
    """

    pca_components: int = _opt(10, "PCA components per representation before clustering")
    clusters: int = _opt(10, "KMeans clusters per representation: the most when cluster_rule=auto, "
                             "exactly this many when fixed")
    cluster_rule: str = _opt("auto", "auto (clusters per side from the sample size, "
                                     "pidkit.estimate.clusters_for_samples) | fixed",
                              choices=("auto", "fixed"))
    normalize: str = _opt("l2", "row normalisation before PCA: l2 (as the paper's code) | none",
                          choices=("l2", "none"))
    estimator: str = _opt("discrete", "discrete (cluster, count and decompose, as the paper) | "
                                      "gaussian (Gaussian PID of the PCA components: linearly "
                                      "decodable information, see docs/estimate.md)",
                          choices=tuple(_CORRECTIONS))
    bias_correction: str = _opt("auto", "auto (eb-extrapolation-kink for the discrete estimator, "
                                        "wishart for the gaussian one) | eb-extrapolation-kink | "
                                        "eb-extrapolation | extrapolation "
                                        "(discrete) | wishart (gaussian) | none (plug-in)",
                                choices=tuple(dict.fromkeys(choice for own in _CORRECTIONS.values()
                                                            for choice in own)))
    bootstrap: int = _opt(40, "bootstrap replicates for the interval bands (0 = none; fewer than "
                              "(1 + confidence) / (1 - confidence), 39 at 0.95, draw no 'below 0' "
                              "verdict)")
    confidence: float = _opt(0.95, "nominal coverage of the intervals, in (0, 1)")
    layers: list = field(default_factory=list, metadata={
        "help": "indices of the distilled layers to audit ([] = all)"})
    max_samples: int = _opt(0, "audit at most this many held-out samples (0 = all)")
    seed: int = _opt(0, "seed of PCA, KMeans, the subsamples and the bootstrap")
    cluster_seeds: int = _opt(1, "KMeans seeds whose estimates are averaged, the bootstrap's "
                                 "replicates cycling through their clusterings so that the "
                                 "intervals carry the seed's variance (discrete estimator only: "
                                 "the gaussian one does not cluster, so it needs 1)")

    def check(self, *, warn: bool = True) -> None:
        """Raise ValueError (TypeError for a value of the wrong type) naming the key for a
        setting the audit cannot use; a choice outside the allowed ones raises the ValueError
        :class:`~pidkit_distill.ConfigValueError`, told the closest choice where one is close.
        With ``warn``, a ``UserWarning`` says where ``bootstrap`` is too few for ``confidence``
        (:meth:`coarse_intervals`); the audit, which checks its settings at every epoch, passes
        ``warn=False``, as the configuration's check said it once.

        Examples
        --------
        >>> AuditConfig(cluster_rule="sqrt").check()
        Traceback (most recent call last):
        ...
        pidkit_distill.ConfigValueError: config key 'audit.cluster_rule' must be one of ['auto', \
'fixed'], got 'sqrt'
        >>> AuditConfig(cluster_rule="fixd").check()
        Traceback (most recent call last):
        ...
        pidkit_distill.ConfigValueError: config key 'audit.cluster_rule' must be one of ['auto', \
'fixed'], got 'fixd'. Did you mean 'fixed'?
        >>> AuditConfig(bias_correction="wishart").check()
        Traceback (most recent call last):
        ...
        pidkit_distill.ConfigValueError: config key 'audit.bias_correction' must be one of ['auto', \
'eb-extrapolation-kink', 'eb-extrapolation', 'extrapolation', 'none'] with audit.estimator='discrete', \
got 'wishart'. 'wishart' is a correction of audit.estimator 'gaussian': set audit.estimator gaussian, \
or audit.bias_correction auto
        >>> AuditConfig(clusters="3").check()
        Traceback (most recent call last):
        ...
        TypeError: config key 'audit.clusters' expects an int, got '3' (str)
        >>> AuditConfig(layers=[2, 2]).check()
        Traceback (most recent call last):
        ...
        ValueError: config key 'audit.layers' must be a list of distinct ... (2 is there twice)
        >>> AuditConfig(estimator="gaussian", cluster_seeds=3).check()
        Traceback (most recent call last):
        ...
        ValueError: config key 'audit.cluster_seeds' is 3, but audit.estimator='gaussian' does \
not cluster, so there are no seeds to average: set audit.cluster_seeds to 1, or audit.estimator \
to 'discrete'
        """
        kinds = field_kinds(AuditConfig)
        for f in dataclasses.fields(self):
            if f.name == "layers":
                continue  # its own message (_check_layers)
            check_key_type(f"audit.{f.name}", getattr(self, f.name), kinds[f.name])
        # the choices of each key, the bias corrections those of the estimator set
        choices = {**field_choices(AuditConfig),
                   "bias_correction": _CORRECTIONS.get(self.estimator, ())}
        for key, allowed in choices.items():
            value = getattr(self, key)
            if value not in allowed:
                given = f" with audit.estimator={self.estimator!r}" if key == "bias_correction" else ""
                guess = did_you_mean(value, allowed) if isinstance(value, str) else ""
                owner = [name for name, own in _CORRECTIONS.items()
                         if key == "bias_correction" and value in own]
                if owner:  # a correction of the other estimator: that estimator is the fix
                    guess = (f" {value!r} is a correction of audit.estimator {owner[0]!r}: set "
                             f"audit.estimator {owner[0]}, or audit.bias_correction auto")
                raise ConfigValueError(f"config key 'audit.{key}' must be one of {list(allowed)}{given}, "
                                       f"got {value!r}{guess and '.' + guess}", f"audit.{key}", value,
                                       advised=bool(guess))
        for key, minimum in (("pca_components", 1), ("clusters", 2), ("bootstrap", 0),
                             ("max_samples", 0), ("cluster_seeds", 1)):
            if getattr(self, key) < minimum:
                raise ValueError(f"config key 'audit.{key}' must be >= {minimum}, "
                                 f"got {getattr(self, key)!r}")
        if self.estimator == "gaussian" and self.cluster_seeds != 1:
            raise ValueError(f"config key 'audit.cluster_seeds' is {self.cluster_seeds}, but "
                             "audit.estimator='gaussian' does not cluster, so there are no seeds "
                             "to average: set audit.cluster_seeds to 1, or audit.estimator to "
                             "'discrete'")
        if self.bootstrap == 1:
            raise ValueError("config key 'audit.bootstrap' must be 0 (no intervals) or at least 2 "
                             "(one replicate has no spread), got 1")
        if not 0 < self.confidence < 1:
            raise ValueError(f"config key 'audit.confidence' must be in (0, 1), got {self.confidence!r}")
        self._check_layers()
        if warn and (coarse := self.coarse_intervals()):
            warnings.warn(coarse, UserWarning, stacklevel=2)

    def coarse_intervals(self) -> str | None:
        """What :meth:`check` warns of where ``bootstrap`` is above 0 but under the fewest
        replicates from which an interval at ``confidence`` can be read
        (:func:`pidkit.below_zero.fewest_replicates`, (1 + confidence) / (1 - confidence): 39 at
        0.95, 199 at 0.99), naming both keys and the value to set; ``None`` where it is not.
        Such intervals are drawn and kept (enough for a quick look at the bands), but the audit
        reads no "below 0" verdict from them (its flag says "not judged").

        Examples
        --------
        >>> from pidkit_distill import AuditConfig
        >>> AuditConfig().coarse_intervals(), AuditConfig(bootstrap=0).coarse_intervals()
        (None, None)
        >>> print(AuditConfig(confidence=0.99).coarse_intervals())
        config key 'audit.bootstrap' is 40, fewer than the 199 replicates that intervals at \
audit.confidence 0.99 need ((1 + confidence) / (1 - confidence)): their ends are no quantiles, and \
the audit draws no 'below 0' verdict from them (its flags say 'not judged'). Set audit.bootstrap=199 \
or more (a few hundred steady the ends), or audit.confidence=0.95 (39 replicates); fewer are fine \
for a quick look at the bands
        """
        fewest = fewest_replicates(self.confidence)
        if not 0 < self.bootstrap < fewest:
            return None
        lower = (f"audit.confidence=0.95 ({fewest_replicates(0.95)} replicates)"
                 if self.confidence > 0.95 else "a lower audit.confidence")
        return (f"config key 'audit.bootstrap' is {self.bootstrap}, fewer than the {fewest} replicates "
                f"that intervals at audit.confidence {self.confidence:g} need ((1 + confidence) / (1 - "
                "confidence)): their ends are no quantiles, and the audit draws no 'below 0' verdict "
                f"from them (its flags say 'not judged'). Set audit.bootstrap={fewest} or more (a few "
                f"hundred steady the ends), or {lower}; fewer are fine for a quick look at the bands")

    def _check_layers(self) -> None:
        """Raise naming ``audit.layers`` unless it is a list of distinct ints >= 0 (whether the
        models have that many layers is checked where they are known)."""
        def refuse(error: type[Exception], why: str) -> typing.NoReturn:
            raise error("config key 'audit.layers' must be a list of distinct layer indices >= 0 "
                        f"([] = every layer), got {self.layers!r} ({why})")

        if not isinstance(self.layers, list):
            refuse(TypeError, _a(type(self.layers).__name__))
        for layer in self.layers:
            if isinstance(layer, bool) or not isinstance(layer, int):
                refuse(TypeError, f"{layer!r} is not an int")
            if layer < 0:
                refuse(ValueError, f"{layer} is below 0")
        twice = [layer for i, layer in enumerate(self.layers) if layer in self.layers[:i]]
        if twice:
            refuse(ValueError, f"{twice[0]} is there twice")


@dataclass
class TrainConfig(Settings):
    """A whole training run: data, models, teacher, method, optimizer, run, audit.

    Its sections, each a dataclass of ``pidkit_distill.config``: ``data`` (``DataConfig``),
    ``model`` (``ModelConfig``), ``teacher`` (``TeacherConfig``), ``method``
    (``MethodConfig``), ``optim`` (``OptimConfig``), ``run`` (``RunConfig``) and ``audit``
    (``AuditConfig``); ``pidkit_distill.config.config_fields()`` lists every key with its
    default, type and help text. Set a key (``config.run.epochs = 3``), or replace a section
    with its own class (``from pidkit_distill import RunConfig``, then ``config.run =
    RunConfig(epochs=3)``): ``config.run = {"epochs": 3}`` raises :class:`TypeError` naming
    the section, the class and where to import it from.

    Examples
    --------
    >>> TrainConfig().run = {"epochs": 3}
    Traceback (most recent call last):
    ...
    TypeError: config section 'run' must be a RunConfig, got a dict; assign RunConfig(epochs=3) \
(from pidkit_distill import RunConfig) or set its keys one by one: config.run.epochs = 3
    """

    _noun = "section"

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    teacher: TeacherConfig = field(default_factory=TeacherConfig)
    method: MethodConfig = field(default_factory=MethodConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    run: RunConfig = field(default_factory=RunConfig)
    audit: AuditConfig = field(default_factory=AuditConfig)

    def __setattr__(self, name: str, value: Any) -> None:
        kind = field_kinds(type(self)).get(name)  # type: ignore[arg-type]  # mypy#11470: a class is Hashable
        if kind is not None and not isinstance(value, kind):
            pairs = ["KEY=VALUE", "..."]
            if isinstance(value, Mapping) and value and all(isinstance(k, str) for k in value):
                pairs = [f"{key}={item!r}" for key, item in value.items()]
            first = pairs[0].replace("=", " = ", 1)
            raise TypeError(f"config section {name!r} must be {_a(kind.__name__)}, got "
                            f"{_a(type(value).__name__)}; assign {kind.__name__}({', '.join(pairs)})"
                            f" (from pidkit_distill import {kind.__name__}) or set its keys "
                            f"one by one: config.{name}.{first}")
        super().__setattr__(name, value)


def config_fields() -> Iterator[tuple[str, Any, type, str]]:
    """Every configurable key with its default, type and help text.

    Yields
    ------
    key, default, type, help : tuple
        ``key`` is dotted (``"run.epochs"``); ``type`` is one of ``str, int, float, bool, list,
        dict``.

    Examples
    --------
    >>> keys = [key for key, *_ in config_fields()]
    >>> "run.epochs" in keys and "method.params" in keys
    True
    """
    default = TrainConfig()
    for section in dataclasses.fields(TrainConfig):
        sub = getattr(default, section.name)
        hints = field_kinds(type(sub))  # type: ignore[arg-type]  # mypy#11470: a class is Hashable
        for f in dataclasses.fields(sub):
            key = f"{section.name}.{f.name}"
            yield key, getattr(sub, f.name), hints[f.name], f.metadata["help"]


def check_is_config(config: Any) -> None:
    """Raise :class:`TypeError` unless ``config`` is a :class:`TrainConfig`, saying how to build
    one from what was given (a file's path, nested dicts).

    Examples
    --------
    >>> check_is_config("rid.toml")
    Traceback (most recent call last):
    ...
    TypeError: config must be a TrainConfig, got str 'rid.toml'; read the file with pidkit_distill...
    """
    if isinstance(config, TrainConfig):
        return
    given = type(config).__name__
    if isinstance(config, (str, PurePath)):
        raise TypeError(f"config must be a TrainConfig, got {given} {str(config)!r}; read the file "
                        f"with pidkit_distill.load_config({str(config)!r})")
    fix = ("build one from nested dicts with pidkit_distill.config.config_from_dict(...)"
           if isinstance(config, Mapping) else
           "build one with TrainConfig() or pidkit_distill.load_config(PATH)")
    raise TypeError(f"config must be a TrainConfig, got {given}; {fix}")


def check_key_type(key: str, value: Any, kind: type, *, fix: str = "") -> None:
    """Raise :class:`TypeError` naming ``key`` unless ``value`` is of the field type ``kind`` (an
    int is a float, a bool is no int); ``fix`` ends the message.

    Examples
    --------
    >>> check_key_type("audit.clusters", "3", int)
    Traceback (most recent call last):
    ...
    TypeError: config key 'audit.clusters' expects an int, got '3' (str)
    """
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise TypeError(f"config key {key!r} expects {_a(kind.__name__)}, got {value!r} "
                        f"({type(value).__name__}){fix}")
