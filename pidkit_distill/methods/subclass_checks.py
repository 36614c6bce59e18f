"""Checks of a :class:`~pidkit_distill.methods.Distiller` subclass of the user's own: that its
``__init__`` runs the base class's, and that its ``forward`` takes what the trainer passes.

Without them, a subclass that forgets ``super().__init__(...)`` failed later, deep inside
torch (``'MyMethod' object has no attribute '_parameters'``), and one whose ``forward`` has no
``epoch`` failed only when the trainer first called it, after training the teacher.

The configuration check's step (:func:`~pidkit_distill.training.model_checks.checked_step`)
checks a built Distiller with the others: every group that ``phase()`` returns is an optimizer
group (:func:`check_phase_groups`), every parameter that requires grad is in a group
(:func:`check_every_parameter_trained`), ``forward`` creates no module of its own
(:func:`check_nothing_created`), and an error of the method's code in ``forward`` is told in one
line naming its file and line (:func:`failure_of_code`). Each of these was met only as the run
trained: a run that stopped after its teacher, or one that trained to the end with a module of
the method's left at its initial values.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import CodeType
from typing import Any

from torch import nn

from pidkit.command_line import one_line

__all__ = ["SUPER_INIT_CALL", "MethodDefinitionError", "check_every_parameter_trained",
           "check_forward_signature", "check_nothing_created", "check_phase_groups",
           "checked_init", "failure_of_code", "state_names"]


class MethodDefinitionError(TypeError):
    """A Distiller subclass written so that it cannot work: a mistake in the method's code, which
    the trainer's checks name as ``method.name``'s (not the student's it was built with)."""


SUPER_INIT_CALL = ("super().__init__(student, teacher, sample_input=sample_input, "
                   "num_classes=num_classes, **params)")


def _base_init_ran(distiller: nn.Module) -> bool:
    """Whether ``Distiller.__init__`` ran on ``distiller``: it registers both networks."""
    modules = vars(distiller).get("_modules")
    return modules is not None and "student" in modules and "teacher" in modules


def checked_init(init: Callable[..., None]) -> Callable[..., None]:
    """``init`` (a subclass's ``__init__``), refusing in one ``TypeError`` to leave an object
    whose ``Distiller.__init__`` did not run, or that set a module before it ran
    (:class:`MethodDefinitionError`)."""

    @functools.wraps(init)
    def run_init(self: nn.Module, *args: Any, **kwargs: Any) -> None:
        name = type(self).__name__
        try:
            init(self, *args, **kwargs)
        except AttributeError as err:
            if "_modules" in vars(self):
                raise
            raise MethodDefinitionError(
                f"{name}.__init__ used self (set or read an attribute) before calling "
                f"{SUPER_INIT_CALL}; call it first, then add your modules (torch said: {err})"
            ) from err
        if not _base_init_ran(self):
            raise MethodDefinitionError(
                f"{name}.__init__ must call {SUPER_INIT_CALL} before anything else; it returned "
                "without calling it, so the distiller has no student, teacher or parameters."
            )

    return run_init


def check_forward_signature(cls: type[nn.Module]) -> None:
    """Refuse a Distiller subclass whose ``forward`` cannot be called as the trainer calls it,
    ``distiller(x, y, epoch=epoch)``. The base class's own ``forward`` (not overridden) passes."""
    forward = cls.forward
    try:
        signature = inspect.signature(forward)
    except (TypeError, ValueError):  # a builtin or C-level callable: nothing to read
        return
    try:
        signature.bind(None, None, None, epoch=0)
    except TypeError as err:
        raise TypeError(
            f"register_method: {cls.__name__}.forward{signature} cannot be called as the trainer calls it, "
            f"forward(x, y, epoch=epoch) ({err}); define it as def forward(self, x, y, *, epoch): "
            "... (take epoch even if the method does not use it)."
        ) from None


def check_phase_groups(name: str, phases: Mapping[str, int], groups: Mapping[str, Any]) -> None:
    """Refuse a group that ``phase()`` returns (``phases``: each group and the first epoch that
    returns it) but ``optimizer_groups()`` (``groups``) does not give: the run stopped at that
    epoch, after its folder was made and its teacher trained or loaded.

    Examples
    --------
    >>> check_phase_groups("gan", {"student": 1, "critic": 0}, {"student": []})
    Traceback (most recent call last):
    ...
    ValueError: method 'gan': phase(0) returned 'critic', not one of its optimizer groups \
['student']: add 'critic' to optimizer_groups(), or return one of ['student'] from phase()
    """
    for phase, epoch in phases.items():
        if phase not in groups:
            known = sorted(groups)
            raise ValueError(f"method {name!r}: phase({epoch}) returned {phase!r}, not one of "
                             f"its optimizer groups {known}: add {phase!r} to "
                             f"optimizer_groups(), or return one of {known} from phase()")


def check_every_parameter_trained(module: nn.Module, name: str,
                                  groups: Mapping[str, Iterable[Any]]) -> None:
    """Refuse parameters of ``module`` (a Distiller) that require grad but are in none of its
    optimizer groups (``groups``, what ``optimizer_groups()`` returned), the frozen teacher's
    aside: no optimizer steps them, so they kept their initial values through the run, in
    silence (a regressor built in ``__init__`` without an ``optimizer_groups`` of its own).

    Examples
    --------
    >>> from torch import nn
    >>> net = nn.Module()
    >>> net.student, net.regressor = nn.Linear(4, 2), nn.Linear(2, 3)
    >>> check_every_parameter_trained(net, "mine", {"student": list(net.student.parameters())})
    Traceback (most recent call last):
    ...
    ValueError: method 'mine': parameter(s) regressor.weight, regressor.bias require grad but are \
in none of optimizer_groups() ['student'], so no optimizer trains them (they keep their initial \
values): return them from optimizer_groups() (e.g. groups['student'] += \
list(self.regressor.parameters()); see Distiller.optimizer_groups in \
pidkit_distill/methods/base.py), or freeze them with .requires_grad_(False)
    >>> check_every_parameter_trained(net, "mine", {"student": list(net.parameters())})
    """
    grouped = {id(p) for params in groups.values() for p in params}
    teacher = getattr(module, "teacher", None)
    if isinstance(teacher, nn.Module):
        grouped |= {id(p) for p in teacher.parameters()}
    left = [key for key, p in module.named_parameters() if p.requires_grad and id(p) not in grouped]
    if not left:
        return
    shown = ", ".join(left[:6]) + (f", ... ({len(left)} in all)" if len(left) > 6 else "")
    owner = left[0].rpartition(".")[0]
    example = f"list(self.{owner}.parameters())" if owner else f"[self.{left[0]}]"
    group = "student" if "student" in groups else next(iter(groups), "student")
    raise ValueError(
        f"method {name!r}: parameter(s) {shown} require grad but are in none of "
        f"optimizer_groups() {sorted(groups)}, so no optimizer trains them (they keep their "
        f"initial values): return them from optimizer_groups() (e.g. groups[{group!r}] += "
        f"{example}; see Distiller.optimizer_groups in pidkit_distill/methods/base.py), or "
        "freeze them with .requires_grad_(False)")


def state_names(module: nn.Module) -> tuple[list[str], set[str]]:
    """The names of ``module``'s parameters and saved tensors (its state dict's keys), in its
    order, and of its submodules: what :func:`check_nothing_created` compares after a forward
    pass."""
    tensors = dict.fromkeys([key for key, _ in module.named_parameters()] + list(module.state_dict()))
    return list(tensors), {key for key, _ in module.named_modules()}


def check_nothing_created(module: nn.Module, name: str,
                          before: tuple[list[str], set[str]]) -> None:
    """Refuse a forward pass of ``module`` (a Distiller) that created parameters or saved
    tensors, ``before`` being its :func:`state_names` until then: a head made on the first call
    (``if not hasattr(self, "head"): self.head = nn.Linear(...)``) is in no optimizer (made
    before the first step), so it kept its initial values, and a resumed run, which builds the
    Distiller anew, could not load its checkpoint. A module without tensors (a loss function
    kept as an attribute) holds nothing to train or save and passes.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> net = nn.Module()
    >>> net.student = nn.Linear(4, 2)
    >>> before = state_names(net)
    >>> net.head = nn.Linear(2, 3)                                # as a lazy forward does
    >>> check_nothing_created(net, "lazy", before)
    Traceback (most recent call last):
    ...
    ValueError: method 'lazy': forward created module(s) head (head.weight, head.bias) on its \
first call: no optimizer trains them (the optimizers were made before it) and a resumed run \
cannot load them; create them in __init__, their sizes from self.student_shapes, \
self.teacher_shapes or the networks run on sample_input
    """
    tensors, modules = state_names(module)
    known = set(before[0])
    created = [key for key in tensors if key not in known]
    if not created:
        return
    new_modules = modules - before[1]
    owners = []
    for key in created:
        parts = key.split(".")
        prefixes = (".".join(parts[:n]) for n in range(1, len(parts)))
        owner = next((p for p in prefixes if p in new_modules), None)
        owners.append(f"module(s) {owner}" if owner else f"tensor(s) {key}")
    what = " and ".join(dict.fromkeys(owners))
    shown = ", ".join(created[:6]) + (f", ... ({len(created)} in all)" if len(created) > 6 else "")
    raise ValueError(
        f"method {name!r}: forward created {what} ({shown}) on its first call: no optimizer "
        "trains them (the optimizers were made before it) and a resumed run cannot load them; "
        "create them in __init__, their sizes from self.student_shapes, self.teacher_shapes or "
        "the networks run on sample_input")


def failure_of_code(err: BaseException, module: nn.Module, name: str) -> ValueError | None:
    """The one-line refusal of ``err``, raised by a forward pass of ``module`` (a Distiller) on
    a batch of two samples, where it is a mistake of the method's own code: an error of
    Python or torch (a shape that does not fit, a missing attribute) raised in, or by a call
    from, the file of a class of the method's (its ``forward``, a helper of its own). ``None``
    for what the run's step may not meet, or tells in its own words: memory run out, a device
    (``.cuda()`` in the code, on a check run on the CPU), an inference tensor (the check called
    in a notebook's ``torch.inference_mode()`` cell), an error outside the method's code (the
    batch refused by :class:`~pidkit_distill.methods.Distiller`'s call).

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> class Mismatch(nn.Module):
    ...     def forward(self, x):
    ...         return x @ torch.ones(3, 3)
    >>> try:
    ...     Mismatch()(torch.ones(2, 4))
    ... except RuntimeError as err:
    ...     print(failure_of_code(err, Mismatch(), "mismatch"))      # doctest: +ELLIPSIS
    method 'mismatch': its code failed at <doctest ...>:3 (in forward) on a batch of two \
samples: mat1 and mat2 shapes cannot be multiplied (2x4 and 3x3) (RuntimeError); fix the \
method's code: every training step fails the same way
    >>> failure_of_code(RuntimeError("CUDA out of memory"), Mismatch(), "mismatch") is None
    True
    """
    if not isinstance(err, _CODE_ERRORS) or isinstance(err, MemoryError) \
            or _NOT_THE_CODE.search(str(err)):
        return None
    files = {code.co_filename for cls in type(module).__mro__ if not _is_library_class(cls)
             for code in _codes_of(cls)}
    frame, at = err.__traceback__, None
    while frame is not None:
        if frame.tb_frame.f_code.co_filename in files:
            at = frame
        frame = frame.tb_next
    if at is None:
        return None
    code = at.tb_frame.f_code
    return ValueError(f"method {name!r}: its code failed at {code.co_filename}:{at.tb_lineno} "
                      f"(in {code.co_name}) on a batch of two samples: {one_line(err)} "
                      f"({type(err).__name__}); fix the method's code: every training step "
                      "fails the same way")


# a mistake of code; not MemoryError (the machine's), nor KeyboardInterrupt and the like
_CODE_ERRORS = (RuntimeError, ValueError, TypeError, IndexError, KeyError, AttributeError,
                AssertionError, NameError, ZeroDivisionError)

# errors that the run may not meet: the machine's (on a GPU, with more memory), and the check's
# own where it is called in a notebook's inference cell (networks built there hold inference
# tensors, which its step, with gradients, cannot update in place)
_NOT_THE_CODE = re.compile(r"out of memory|can't allocate|\bdevices?\b|\bcuda\b|"
                           r"\binference tensors?\b", re.IGNORECASE)


def _is_library_class(cls: type) -> bool:
    """Whether ``cls`` is torch's, Python's or the Distiller base class's, not a method's."""
    module = cls.__module__ or ""
    return module.split(".")[0] in {"torch", "builtins", "typing"} \
        or module == "pidkit_distill.methods.base"


def _codes_of(cls: type) -> Iterator[CodeType]:
    """The code of the functions that ``cls`` defines (methods, static and class methods,
    properties)."""
    for value in vars(cls).values():
        value = getattr(value, "fget", None) or getattr(value, "__func__", value)
        code = getattr(inspect.unwrap(value), "__code__", None) if callable(value) else None
        if isinstance(code, CodeType):
            yield code
