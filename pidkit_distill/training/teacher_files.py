"""Teacher files: read one safely (:func:`read_teacher_file`, :func:`read_teacher_for_run`) and
check that it holds the finite weights of ``model.teacher`` for the data
(:func:`check_teacher_file`), or, for a resumed run, the teacher its checkpoint holds
(:func:`check_resumed_teacher`).

A teacher file holds ``{"model": state_dict, ...}`` (what
:func:`~pidkit_distill.training.train_teacher` writes) or is a bare state dict
(``torch.save(model.state_dict(), path)``).
"""

from __future__ import annotations

import os
import pickletools
import shlex
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from pidkit.command_line import one_line
from pidkit.utils import did_you_mean
from pidkit_distill.config import TrainConfig
from pidkit_distill.config.teacher_keys import recorded_teacher_file, teacher_file_now
from pidkit_distill.data import DatasetSpec
from pidkit_distill.models import build_model
from pidkit_distill.registry import registry_key
from pidkit_distill.run_folders.files import read_run_config
from pidkit_distill.training.checkpoint import safe_load
from pidkit_distill.training.checkpoint_fit import misfit_tensors
from pidkit_distill.training.outcomes import out_of_memory_error, out_of_memory_reading

__all__ = ["check_resumed_teacher", "check_teacher_file", "first_other_tensor",
           "read_teacher_file", "read_teacher_for_run"]

_TEACHER_HOLDS = ("a teacher: a dict whose 'model' entry is a state dict of tensors (as "
                  "`pidkit-distill train-teacher` writes), or such a state dict itself")


def read_teacher_file(path: Path) -> dict[str, Any]:
    """A teacher file's contents as ``{"model": state_dict, ...}`` (read safely, its tensors
    mapped: ``mmap``).

    Raises
    ------
    FileNotFoundError, OSError
        No such file (a bare name, with no folder or suffix, close to ``trained`` or
        ``untrained`` is told that keyword), or one that could not be read (no permission, a
        failing disk).
    ValueError
        The file does not hold a teacher (or cannot be loaded safely); a run's
        ``checkpoint.pt`` is told the ``teacher.pt`` beside it (a teacher's run folder has one),
        a whole pickled model (``torch.save(model)``) how to save its state dict instead (the
        model's class is read from the pickle's opcodes, never unpickled).
    MemoryError
        Memory ran out while it was read (Python's, or torch's allocator refusing): the message
        names the teacher file.
    """
    # a bare name is a keyword misspelt (`--teacher Untrained`, `trainde`); a name with a folder
    # or a suffix (`pretrained.pt`) is a file's, which the error below says is missing
    bare = len(path.parts) == 1 and not path.suffix
    keyword = did_you_mean(str(path).lower(), ["trained", "untrained"]) if bare else ""
    if keyword and not path.exists():
        raise FileNotFoundError(f"teacher file {str(path)!r} does not exist; teacher.source is "
                                "'trained', 'untrained' (as written, in lower case) or the path "
                                f"of a teacher file.{keyword}")
    if path.is_dir():
        inside = path / "teacher.pt"
        raise ValueError(f"teacher file {str(path)!r} is a folder; " + (
            f"pass the teacher.pt in it: {inside}" if inside.is_file()
            else f"expected the path of a file holding {_TEACHER_HOLDS}"))
    try:
        saved = safe_load(path, what="teacher file", holds=_TEACHER_HOLDS, mmap=True)
    except MemoryError as err:
        raise out_of_memory_error(path, what="teacher file", then="read it again") from err
    except ValueError:
        pickled = _pickled_model(path)
        if pickled is None:
            raise
        model_class, key = pickled
        saved_as = "torch.save(model)" if key is None else f"torch.save({{{key!r}: model, ...}})"
        model = "" if key is None else f"[{key!r}]"
        raise ValueError(
            f"teacher file {str(path)!r} holds a whole pickled model (a {model_class}, as "
            f"{saved_as} writes it), not its weights; it was not loaded: unpickling it would "
            "run the code it names (teacher files are read with torch.load(weights_only=True) "
            "and never run). Save its state dict instead: torch.save(model.state_dict(), PATH) "
            "where you trained it, or, if you trust this file, "
            f"torch.save(torch.load({str(path)!r}, weights_only=False){model}.state_dict(), "
            "'teacher-weights.pt') once, and pass that file") from None
    if _is_state_dict(saved):
        return {"model": saved}
    if isinstance(saved, dict) and _is_state_dict(saved.get("model")):
        return saved
    if isinstance(saved, dict) and {"format", "student"} <= saved.keys():  # a checkpoint.pt
        beside = path.parent / "teacher.pt"
        raise ValueError(
            f"teacher file {str(path)!r} is a run's checkpoint (the file a run resumes from), "
            "not a teacher; " + (f"pass the teacher.pt beside it: {beside}" if beside.is_file()
                                 else "pass the teacher.pt that `pidkit-distill train-teacher` "
                                      "prints (to teach with a run's student, save "
                                      "pidkit_distill.load_student(RUN_DIR).state_dict() to a "
                                      "file and set model.teacher to the run's model.student)"))
    keys = sorted(map(str, saved)) if isinstance(saved, dict) else type(saved).__name__
    raise ValueError(f"teacher file {str(path)!r} holds {keys}; expected {_TEACHER_HOLDS}"
                     f"{_inner_state_dict_fix(saved, path)}")


def _inner_state_dict_fix(saved: Any, path: Path) -> str:
    """The end of the refusal of a file holding a dict with a state dict under another key than
    ``'model'`` (``{"state_dict": sd, "epoch": 200}``, a Lightning or training loop's
    checkpoint): the line that saves that state dict alone; ``""`` for any other file."""
    inner = sorted(str(k) for k, v in saved.items() if _is_state_dict(v)) \
        if isinstance(saved, dict) else []
    if not inner:
        return ""
    key = "state_dict" if "state_dict" in inner else inner[0]
    return (f". Its entry {key!r} is a state dict: if it holds the teacher's weights, save it "
            f"alone once, torch.save(torch.load({str(path)!r}, weights_only=True)[{key!r}], "
            "'teacher-weights.pt'), and pass that file")


def read_teacher_for_run(path: Path, *, cached: bool) -> dict[str, Any]:
    """:func:`read_teacher_file` for a run (``train``'s, ``train-teacher``'s): memory running
    out is the run's failure (:func:`~pidkit_distill.training.outcomes.out_of_memory_reading`)
    naming the file as ``teacher.source``'s or, where ``cached``, as the teacher cached for the
    run's settings (``teacher.source = "trained"``, ``train-teacher``'s ``teacher.pt``).

    Raises
    ------
    FileNotFoundError, ValueError, OSError
        As :func:`read_teacher_file`.
    TrainingError
        Memory ran out while the file was read; its cause is the :class:`MemoryError`.
    """
    try:
        return read_teacher_file(path)
    except MemoryError as err:
        whose = "teacher cached for these settings" if cached else "teacher (teacher.source)"
        raise out_of_memory_reading(path, purpose=f"for the {whose}",
                                    what="teacher file") from err


def check_teacher_file(saved: dict[str, Any], path: Path, *, model: str,
                       spec: DatasetSpec) -> None:
    """Raise :class:`ValueError` unless ``saved`` holds the finite weights of ``model`` for
    ``spec``.

    Compares the names and shapes of the file's tensors with those of ``model`` built for the
    data's classes and input channels (on the meta device: nothing is allocated), then looks
    for tensors without values (saved from the meta device), then for NaN or infinite values
    in its parameters and NaN in its floating-point buffers (a teacher whose training
    diverged, a tensor damaged): the message names the first such tensor (such a teacher's NaN
    logits gave a teacher accuracy of one class's share, or a student's loss of NaN). A buffer
    may hold an infinity: a mask of ``-inf``, a clamp's bound, which the model's own code puts
    there.

    Examples
    --------
    >>> from pidkit_distill.data import describe_dataset
    >>> weights = build_model("digits-teacher", num_classes=10, in_channels=1).state_dict()
    >>> weights["fc.bias"][3] = float("nan")
    >>> check_teacher_file({"model": weights}, Path("t.pt"), model="digits-teacher",
    ...                    spec=describe_dataset("digits"))
    Traceback (most recent call last):
    ...
    ValueError: teacher file 't.pt' holds NaN or infinite weights in 1 of its 20 tensors, the \
first fc.bias: 1 NaN and 0 infinite of its 10 values (a training that diverged?); use a teacher \
trained with a lower learning rate (teacher.lr)
    """
    name = saved.get("name")
    shape = ((saved["num_classes"], tuple(saved["input_shape"]))
             if "num_classes" in saved and "input_shape" in saved else None)
    trained_on = "" if shape is None else (
        f" (the file's teacher has {shape[0]} classes and input shape {shape[1]})")
    # Names are read in any case (registry_key): a file of 'DIGITS-TEACHER', trained before
    # configurations stored names lower-cased, holds the model 'digits-teacher'.
    if isinstance(name, str) and registry_key(name) != registry_key(model):
        other_data = shape is not None and shape != (spec.num_classes, tuple(spec.input_shape))
        raise ValueError(
            f"teacher file {str(path)!r} holds a {name!r}, but model.teacher is {model!r}; set "
            f"model.teacher={name}" + (f" and use the data it was trained on{trained_on}, not "
                                       f"{spec.name!r} ({spec.num_classes} classes, input shape "
                                       f"{tuple(spec.input_shape)})" if other_data else ""))
    with torch.device("meta"):
        net = build_model(model, num_classes=spec.num_classes, in_channels=spec.input_shape[0])
    state = net.state_dict(keep_vars=True)  # a parameter as its nn.Parameter, a buffer not
    want = {k: tuple(v.shape) for k, v in state.items()}
    have = {k: tuple(v.shape) for k, v in saved["model"].items()}
    problems = misfit_tensors(saved["model"], state)
    if problems:
        _refuse_wrapped_keys(have, want, path, model)
        shown = "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else "")
        classes = _classes_of_file(have, want, spec.num_classes)
        fix = ("use the model.teacher and data it was trained with" if classes is None else
               f"its classifier has {classes} outputs, a teacher of {classes} classes, not "
               f"{spec.num_classes}: pass the data it was trained on, or train a teacher on "
               "this data (teacher.source=trained)")
        raise ValueError(
            f"teacher file {str(path)!r} does not fit model.teacher={model!r} for data "
            f"{spec.name!r} ({spec.num_classes} classes, input shape {spec.input_shape}): "
            f"{shown}{trained_on}; {fix}"
        )
    shapes_only = [k for k, v in saved["model"].items() if v.is_meta]
    if shapes_only:
        raise ValueError(
            f"teacher file {str(path)!r} holds tensors without values (on the meta device) in "
            f"{len(shapes_only)} of its {len(have)} tensors, the first {shapes_only[0]}; save "
            "the state dict of the teacher once its weights are trained or loaded (a model "
            "built under torch.device('meta') has their shapes only)")
    weights = {k for k, v in state.items() if isinstance(v, nn.Parameter)}
    bad = [(k, v) for k, v in saved["model"].items()
           if (v.is_floating_point() or v.is_complex())
           and not bool((v.isfinite() if k in weights else ~v.isnan()).all())]
    if bad:
        first, tensor = bad[0]
        raise ValueError(
            f"teacher file {str(path)!r} holds NaN or infinite weights in {len(bad)} of its "
            f"{len(have)} tensors, the first {first}: {int(torch.isnan(tensor).sum())} NaN and "
            f"{int(torch.isinf(tensor).sum())} infinite of its {tensor.numel()} values (a "
            "training that diverged?); use a teacher trained with a lower learning rate "
            "(teacher.lr)")


_TEACHER_PREFIX = "teacher."
"""The prefix of the teacher's tensors in a checkpoint's ``module`` (the Distiller's state)."""


def check_resumed_teacher(saved: dict[str, Any], config: TrainConfig, path: Path) -> None:
    """Raise :class:`ValueError` where ``config``'s ``teacher.source`` names another teacher
    than the one the checkpoint ``saved`` (read from ``path``) holds.

    A resumed run takes every weight from its checkpoint, the teacher's included, so a
    ``teacher.source`` naming another file than the run was started with cannot change its
    teacher: ``--resume --teacher other.pt`` trained on with the first teacher without a
    word. Such a file must now hold the checkpoint's teacher, tensor for tensor (the same file
    spelt otherwise, a copy of it; a file of float64 tensors holds them where they are equal
    once cast to the checkpoint's type, as loading it casts them); a file that is not there
    passes only where it is the one the run recorded reading (its ``config.json``'s
    ``recorded.teacher_file``), gone since. The same ``teacher.source`` as the run was started
    with is the run's own command, and resumes as it always did, whatever file it names now.
    Any other change of ``teacher.source`` is refused with the configuration's
    (:func:`~pidkit_distill.training.checkpoint.check_resumable`).

    Parameters
    ----------
    saved : dict
        The checkpoint, as :func:`~pidkit_distill.training.checkpoint.read_checkpoint` returns
        it.
    config : TrainConfig
        The configuration that resumes it, its other keys checked to be the checkpoint's.
    path : Path
        The checkpoint's file, in its run folder.

    Raises
    ------
    ValueError
        The file ``teacher.source`` names now holds another teacher, cannot be read as one, or
        is not there; the message names the teacher the run was started with and how to
        start a new run with this one instead.
    """
    before = saved["config"].get("teacher", {}).get("source")
    now = config.teacher.source
    named = ("trained", "untrained")
    if now == before or now in named or before in named or not isinstance(before, str):
        return
    recorded = _recorded_file(path.parent)
    file = teacher_file_now(now)
    if file is None:
        if recorded is not None and os.path.realpath(os.path.expanduser(now)) == recorded:
            return  # the file the run read, spelt otherwise and gone since
        where = "" if os.path.isabs(os.path.expanduser(now)) else \
            f" from the folder {os.getcwd()!r}"
        why: str | None = f"{now!r} names no file{where}"
    else:
        why = _other_teacher(Path(file), saved["module"])
        if why is None:
            return
    started = f"{before!r}" + ("" if recorded is None else f" ({recorded})")
    raise ValueError(
        f"cannot resume {str(path)!r}: teacher.source is {now!r} now, {started} when the run "
        f"started, and {why}: a resumed run continues with the teacher its checkpoint holds, "
        f"never another; resume with teacher.source={before!r} (--teacher {shlex.quote(before)}), or, to "
        f"train with {now!r}, start a new run (another run.name, without run.resume)")


def _recorded_file(run_dir: Path) -> str | None:
    """The teacher file that the ``config.json`` of ``run_dir`` records the run read; ``None``
    where it records none or cannot be read."""
    try:
        return recorded_teacher_file(read_run_config(run_dir))
    except (OSError, ValueError):
        return None


def _other_teacher(file: Path, module: dict[str, Any]) -> str | None:
    """Why the teacher file ``file`` is not the teacher whose tensors the checkpoint's
    ``module`` holds (under ``teacher.``): it cannot be read as a teacher, its tensors are
    named otherwise, or the first that differs; ``None`` where it holds those weights."""
    try:
        weights = read_teacher_file(file)["model"]
    except (OSError, ValueError) as err:
        return f"{str(file)!r} could not be read as a teacher ({one_line(err)})"
    held = {name.removeprefix(_TEACHER_PREFIX): tensor for name, tensor in module.items()
            if name.startswith(_TEACHER_PREFIX)}
    first = first_other_tensor(weights, held)
    if first is None:
        return None
    if weights.keys() != held.keys():
        whose = "the file's" if first in weights else "the checkpoint's"
        return (f"{str(file)!r} holds another teacher (its tensors are named otherwise: "
                f"{first}, {whose}, is not the other's)")
    return f"{str(file)!r} holds another teacher (its {first} is not the checkpoint's)"


def first_other_tensor(given: Mapping[str, Any], held: Mapping[str, Tensor]) -> str | None:
    """The name of the first tensor that tells the weights ``given`` (a teacher file's state
    dict) from the weights ``held`` (a teacher's): the first name, sorted, that only one of
    them has, else the first of ``held`` whose values ``given`` does not hold once cast to its
    type (a value that is not a tensor, another shape, a tensor on the meta device, which holds
    no values); ``None`` where ``given`` holds ``held``, name for name and value for value.
    Tensors on a GPU are compared on the CPU.

    Examples
    --------
    >>> held = {"w": torch.tensor([0.5, 1.0]), "b": torch.zeros(2)}
    >>> first_other_tensor({"w": torch.tensor([0.5, 1.0]).double(), "b": torch.zeros(2)}, held)
    >>> first_other_tensor({"w": torch.tensor([0.5, 2.0]), "b": torch.zeros(2)}, held)
    'w'
    >>> first_other_tensor({"w": torch.ones(3), "b": torch.zeros(2)}, held)
    'w'
    >>> first_other_tensor({"w": held["w"].to("meta"), "b": torch.zeros(2)}, held)
    'w'
    >>> first_other_tensor({"w": held["w"], "c": torch.zeros(2)}, held)
    'b'
    """
    if given.keys() != held.keys():
        return sorted(given.keys() ^ held.keys())[0]
    for name, tensor in held.items():
        if not _same_values(given[name], tensor):
            return name
    return None


def _same_values(given: Any, held: Tensor) -> bool:
    """Whether ``given`` is a tensor that holds the values of ``held`` once cast to its type,
    both on the CPU (a tensor on the meta device holds none)."""
    if not isinstance(given, Tensor) or given.shape != held.shape or given.is_meta \
            or held.is_meta:
        return False
    return torch.equal(given.detach().cpu().to(held.dtype), held.detach().cpu())


_WRAPPERS = {  # a wrapper's prefix of its model's keys: the wrapper, how to save the model's
    "module.": ("a DistributedDataParallel or DataParallel wrapper (ddp.state_dict())",
                "ddp.module.state_dict()"),
    "_orig_mod.": ("a model compiled with torch.compile (compiled.state_dict())",
                   "compiled._orig_mod.state_dict()"),
}


def _refuse_wrapped_keys(have: dict[str, Any], want: dict[str, Any], path: Path,
                         model: str) -> None:
    """Raise :class:`ValueError` where every key of the file's state dict ``have`` starts with
    the prefix of a wrapper's (``module.``, ``_orig_mod.``) that ``model``'s keys ``want`` lack."""
    for prefix, (wrapper, saved) in _WRAPPERS.items():
        if all(k.startswith(prefix) for k in have) and not any(k.startswith(prefix)
                                                                for k in want):
            first = sorted(have)[0]
            raise ValueError(
                f"teacher file {str(path)!r} has every key prefixed {prefix!r} ({first}), as "
                f"the state dict of {wrapper} has them, but model.teacher={model!r} has its "
                f"keys without it ({first.removeprefix(prefix)}): save {saved}, or strip the "
                f"prefix once: state = {{k.removeprefix({prefix!r}): v for k, v in "
                "state.items()}, then torch.save(state, PATH)")


def _classes_of_file(have: dict[str, Any], want: dict[str, Any],
                     num_classes: int) -> int | None:
    """The number of classes of the teacher in a file whose tensor shapes ``have`` differ from
    the model's ``want`` (for ``num_classes``) only in their first dimension, the model's being
    ``num_classes`` (its classifier's outputs); ``None`` where they differ otherwise."""
    if have.keys() != want.keys():
        return None
    outputs = {have[k][0] if len(have[k]) == len(want[k]) and have[k][1:] == want[k][1:]
               and want[k][0] == num_classes else None for k in want if have[k] != want[k]}
    return None if len(outputs) != 1 or None in outputs else outputs.pop()


def _pickled_model(path: Path) -> tuple[str, str | None] | None:
    """The class (``module.Name``) of the model pickled whole in ``path``, a file of
    ``torch.save(model)``, and ``None``, or of ``torch.save({KEY: model, ...})``, and ``KEY``;
    read from the opcodes of its pickle without running any. ``None`` where ``path`` holds no
    ``torch.nn`` module (or is not a zip-format torch file).

    The class is the first one named that is not torch's, Python's or numpy's (a model of your
    own), else the first ``torch.nn`` module's (an ``nn.Sequential``).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            pickles = [n for n in archive.namelist() if n.rpartition("/")[2] == "data.pkl"]
            if not pickles:
                return None
            opcodes = [(op.name, arg) for op, arg, _ in pickletools.genops(archive.read(pickles[0]))]
    except (OSError, zipfile.BadZipFile, ValueError, KeyError, IndexError):
        return None
    named: list[tuple[str, str | None]] = []  # each global, and the string pushed before it
    strings: list[str] = []
    for name, arg in opcodes:
        if name == "GLOBAL":
            named.append((str(arg).replace(" ", "."), strings[-1] if strings else None))
        elif name in ("SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE"):
            strings.append(str(arg))
        elif name == "STACK_GLOBAL" and len(strings) >= 2:
            named.append((f"{strings[-2]}.{strings[-1]}", strings[-3] if len(strings) > 2 else None))
            strings[-2:] = []
    modules = [(n, k) for n, k in named if n.startswith("torch.nn.modules.")]
    if not modules:
        return None
    library = ("torch.", "collections.", "builtins.", "__builtin__.", "copyreg.", "_codecs.",
               "numpy.")
    model, key = ([(n, k) for n, k in named if not n.startswith(library)] or modules)[0]
    top = next((name for name, _ in opcodes if name not in ("PROTO", "FRAME")), "")
    return model, (key if top == "EMPTY_DICT" else None)


def _is_state_dict(obj: Any) -> bool:
    return (isinstance(obj, dict) and bool(obj)
            and all(isinstance(k, str) and isinstance(v, Tensor) for k, v in obj.items()))
