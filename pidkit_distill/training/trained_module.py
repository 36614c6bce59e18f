"""What the trainer reads of the module it trains besides what every ``torch.nn.Module`` has:
:class:`TrainedModule`, the parts of :func:`~pidkit_distill.training.fit`'s ``module`` that a
:class:`~pidkit_distill.methods.Distiller` and a
:class:`~pidkit_distill.training.SupervisedModel` have, and a module of the user's given to
``fit`` must have too.

Type hints only: torch's hints type any other attribute of a module as a tensor or a module, so
the trainer's functions take an ``nn.Module`` and read these parts through this protocol
(``typing.cast``); nothing is checked at run time.
"""

from __future__ import annotations

from typing import Any, Protocol

from torch import nn

__all__ = ["TrainedModule"]


class TrainedModule(Protocol):
    """The parts of a trained module that the trainer reads: the ``student`` it evaluates and
    saves, the optimizer group trained in each epoch, the groups, how the epoch line names the
    loss terms, and the ``params`` and ``preset`` that ``summary.json`` records.

    Examples
    --------
    >>> from pidkit_distill.training import SupervisedModel
    >>> from torch import nn
    >>> module: TrainedModule = SupervisedModel(nn.Linear(2, 2))
    >>> module.phase(0), module.loss_labels()
    ('student', {})
    """

    student: nn.Module
    params: Any
    preset: str | None

    def phase(self, epoch: int) -> str:
        """The optimizer group trained in the 0-based ``epoch``."""
        ...

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        """The parameters to optimize, by group."""
        ...

    def loss_labels(self) -> dict[str, str]:
        """How the epoch line names each loss term."""
        ...
