"""Checks of a :class:`~pidkit_distill.methods.Distiller` subclass of the user's own: that its
``__init__`` runs the base class's, and that its ``forward`` takes what the trainer passes.

Without them, a subclass that forgets ``super().__init__(...)`` failed later, deep inside
torch (``'MyMethod' object has no attribute '_parameters'``), and one whose ``forward`` has no
``epoch`` failed only when the trainer first called it, after training the teacher.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from torch import nn

__all__ = ["SUPER_INIT_CALL", "MethodDefinitionError", "check_forward_signature", "checked_init"]


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


def check_forward_signature(cls: type) -> None:
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
