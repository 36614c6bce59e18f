"""The best epoch of a run, and early stopping: what :func:`~pidkit_distill.training.fit` keeps
of its epochs besides their records, and what it returns.

Without a validation split (``data.val_fraction = 0``) the best epoch is the one of the best
held-out (test) accuracy, as it always was. With one, it is the epoch of the best validation
accuracy, ``best_acc`` is the test accuracy of that epoch, and the student's weights at it are
kept in the loop's state (so in its checkpoint, which a resume continues) and written as
``RUN_DIR/best.pt`` (:func:`write_best`); ``run.early_stop`` ends the run once the validation
accuracy has not improved for that many epochs (:func:`stops_early`), before its last epoch.

Only an epoch that trains the student (its method's ``phase`` is :data:`STUDENT_PHASE`) can be
the best epoch, and only such epochs count toward ``run.early_stop``: RID's warm-up and filter
epochs, and TED's stage 1, train the method's filters and leave the student as it was (TED's
starts as BAS's student), so their accuracy is not the method's.

The loop's state holds ``epoch``, ``best_acc``, ``best_epoch``, ``history`` and ``audit``, and,
with a split, :data:`VALIDATION`: ``best_val_acc``, ``student`` (the weights at the best epoch,
on the CPU) and ``stopped_early_at`` (the epoch the run stopped after, or ``None``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from torch import nn

from pidkit_distill.config import TrainConfig
from pidkit_distill.run_folders.summary import RunSummary
from pidkit_distill.training.rundir import RunFolder
from pidkit_distill.training.torch_files import atomic_save
from pidkit_distill.training.trained_module import TrainedModule

__all__ = ["BEST_FILE", "STUDENT_PHASE", "VALIDATION", "choose_best", "early_stop_line", "finished_summary",
           "has_best", "loop_state", "stopped_early_at", "stops_early", "write_best"]

VALIDATION = "validation"
"""The key of the loop's state (and of a checkpoint) that holds what the validation split chose."""

BEST_FILE = "best.pt"
"""The student's weights at the best epoch of a run with a validation split, in its folder."""

STUDENT_PHASE = "student"
"""The phase (a method's optimizer group) of an epoch that trains the student; an epoch of
another phase (RID's and TED's ``"filter"``) can be no best epoch and counts toward no patience."""


def loop_state(*, validated: bool) -> dict[str, Any]:
    """The loop's state before any epoch; ``validated``: the run has a validation split.

    Examples
    --------
    >>> loop_state(validated=True)[VALIDATION]
    {'best_val_acc': -1.0, 'student': None, 'stopped_early_at': None}
    >>> VALIDATION in loop_state(validated=False)
    False
    """
    state: dict[str, Any] = {"epoch": 0, "best_acc": -1.0, "best_epoch": 0, "history": [],
                             "audit": []}
    if validated:
        state[VALIDATION] = {"best_val_acc": -1.0, "student": None, "stopped_early_at": None}
    return state


def choose_best(state: dict[str, Any], *, epoch: int, phase: str, test_acc: float,
                val_acc: float | None, student: nn.Module) -> bool:
    """Update ``state``'s best epoch with ``epoch``'s accuracies; whether it is the new best.

    Only an epoch whose ``phase`` trains the student (:data:`STUDENT_PHASE`) can be the best.
    Without a split (``val_acc`` is ``None``) the best is the best ``test_acc``; with one, the
    best ``val_acc`` (the first epoch of a tie), whose ``test_acc`` becomes ``best_acc``, and
    whose ``student`` weights the state keeps (a copy on the CPU).

    Examples
    --------
    >>> student = nn.Linear(2, 1)
    >>> state = loop_state(validated=True)
    >>> [choose_best(state, epoch=e, phase=p, test_acc=t, val_acc=v, student=student)
    ...  for e, p, t, v in ((1, "filter", 0.9, 0.9), (2, "student", 0.5, 0.6),
    ...                     (3, "student", 0.9, 0.55), (4, "student", 0.7, 0.6))]
    [False, True, False, False]
    >>> state["best_epoch"], state["best_acc"], state[VALIDATION]["best_val_acc"]
    (2, 0.5, 0.6)
    """
    if phase != STUDENT_PHASE:
        return False
    if val_acc is None:
        if test_acc <= state["best_acc"]:
            return False
        state["best_acc"], state["best_epoch"] = test_acc, epoch
        return True
    chosen = state[VALIDATION]
    if val_acc <= chosen["best_val_acc"]:
        return False
    state["best_acc"], state["best_epoch"] = test_acc, epoch
    chosen["best_val_acc"] = val_acc
    chosen["student"] = {key: value.detach().to("cpu", copy=True)
                         for key, value in student.state_dict().items()}
    return True


def has_best(state: dict[str, Any]) -> bool:
    """Whether ``state`` has a best epoch: an epoch has trained the student (none has after
    RID's warm-up or TED's stage 1 alone).

    >>> has_best(loop_state(validated=False))
    False
    """
    return state["best_epoch"] > 0


def stopped_early_at(state: dict[str, Any]) -> int | None:
    """The epoch after which ``run.early_stop`` ended the run, or ``None``.

    >>> stopped_early_at(loop_state(validated=False)) is None
    True
    """
    return (state.get(VALIDATION) or {}).get("stopped_early_at")


def stops_early(state: dict[str, Any], config: TrainConfig, phase: Callable[[int], str]) -> bool:
    """Whether the run stops after the epoch ``state`` has just done, before its last
    (``run.epochs``): its validation accuracy has not improved in the last
    ``run.early_stop`` epochs that trained the student (0, or no split: never). ``phase``: the
    method's phase of a 0-based epoch (``Distiller.phase``); the epochs of another phase than
    :data:`STUDENT_PHASE` are not counted. The state then records the stop
    (:func:`stopped_early_at`).

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> config = load_config(overrides=["data.val_fraction=0.2", "run.early_stop=2",
    ...                                 "run.epochs=10"])
    >>> state = loop_state(validated=True)
    >>> state.update(epoch=4, best_epoch=2)
    >>> filter_at_3 = lambda epoch: "filter" if epoch == 2 else "student"
    >>> stops_early(state, config, filter_at_3), stopped_early_at(state)
    (False, None)
    >>> stops_early(state, config, lambda epoch: "student"), stopped_early_at(state)
    (True, 4)
    """
    patience = config.run.early_stop
    if not patience or VALIDATION not in state or state["epoch"] >= config.run.epochs:
        return False
    if _student_epochs_since_best(state, phase) < patience:
        return False
    state[VALIDATION]["stopped_early_at"] = state["epoch"]
    return True


def _student_epochs_since_best(state: dict[str, Any], phase: Callable[[int], str]) -> int:
    """The epochs after the best one, up to ``state``'s last, that trained the student."""
    return sum(phase(epoch - 1) == STUDENT_PHASE
               for epoch in range(state["best_epoch"] + 1, state["epoch"] + 1))


def early_stop_line(state: dict[str, Any], config: TrainConfig,
                    phase: Callable[[int], str]) -> str:
    """The line that says the run stopped early; where epochs that did not train the student
    (``phase``: the method's phase of a 0-based epoch) came after the best one, it says they
    were not counted.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> config = load_config(overrides=["data.val_fraction=0.2", "run.early_stop=2",
    ...                                 "run.epochs=10"])
    >>> state = loop_state(validated=True)
    >>> state.update(epoch=5, best_epoch=3, best_acc=0.8125)
    >>> state[VALIDATION].update(best_val_acc=0.75, stopped_early_at=5)
    >>> early_stop_line(state, config, lambda epoch: "student")
    'stopped early after epoch 5 of 10: the validation accuracy has not improved for 2 epochs \
(run.early_stop=2); best epoch 3: val_acc=0.7500 test_acc=0.8125'
    >>> state.update(epoch=6)
    >>> state[VALIDATION].update(stopped_early_at=6)
    >>> early_stop_line(state, config, lambda epoch: "filter" if epoch == 3 else "student")[35:]
    'the validation accuracy has not improved for 2 epochs that trained the student \
(run.early_stop=2; the 1 epoch of another phase between, which leaves the student as it was, is \
not counted); best epoch 3: val_acc=0.7500 test_acc=0.8125'
    """
    chosen = state[VALIDATION]
    patience = config.run.early_stop
    skipped = state["epoch"] - state["best_epoch"] - _student_epochs_since_best(state, phase)
    counted = f"{patience} epoch{'s' * (patience > 1)} (run.early_stop={patience})"
    if skipped:
        counted = (f"{patience} epoch{'s' * (patience > 1)} that trained the student "
                   f"(run.early_stop={patience}; the {skipped} epoch{'s' * (skipped > 1)} of "
                   f"another phase between, which leave{'s' * (skipped == 1)} the student as it "
                   f"was, {'is' if skipped == 1 else 'are'} not counted)")
    return (f"stopped early after epoch {chosen['stopped_early_at']} of {config.run.epochs}: the "
            f"validation accuracy has not improved for {counted}; best epoch "
            f"{state['best_epoch']}: val_acc={chosen['best_val_acc']:.4f} "
            f"test_acc={state['best_acc']:.4f}")


def write_best(folder: RunFolder, state: dict[str, Any]) -> None:
    """Write the student's weights at the best epoch (a state dict, loadable with
    ``torch.load(..., weights_only=True)``) as ``RUN_DIR/best.pt``, atomically, from rank 0."""
    if folder.is_main and state[VALIDATION]["student"] is not None:
        atomic_save(state[VALIDATION]["student"], folder.path / BEST_FILE,
                    then="free space, then resume the run (--resume) to write it again")


def finished_summary(config: TrainConfig, module: nn.Module, state: dict[str, Any],
                     folder: RunFolder, run_dir: Path, teacher_acc: float | None) -> RunSummary:
    """What :func:`~pidkit_distill.training.fit` returns for ``state`` after its last epoch, also
    written as ``summary.json``: the accuracies, the epochs, which split chose the best epoch
    (``selected_on``: ``"validation"`` or ``"test"``), the best validation accuracy and the
    epoch the run stopped early after (``None`` where it did not). Where no epoch trained the
    student (a run stopped within RID's warm-up), ``best_epoch`` is 0 and ``best_acc`` NaN."""
    history = state["history"]
    chosen = state.get(VALIDATION)
    trained = cast(TrainedModule, module)  # its params and preset, which fit's module has
    summary = RunSummary(
        last_acc=history[-1]["test_acc"] if history else float("nan"),
        best_acc=state["best_acc"] if has_best(state) else float("nan"),
        best_epoch=state["best_epoch"], run_dir=run_dir, history=list(history),
        teacher_acc=teacher_acc, epochs_done=state["epoch"], audit=list(state["audit"]),
        selected_on="test" if chosen is None else "validation",
        best_val_acc=chosen["best_val_acc"] if chosen is not None and has_best(state) else None,
        stopped_early_at=stopped_early_at(state))
    folder.write_json("summary.json", {
        "last_acc": summary.last_acc, "best_acc": summary.best_acc,
        "best_epoch": summary.best_epoch, "teacher_acc": teacher_acc,
        "epochs_done": summary.epochs_done, "epochs": config.run.epochs,
        "method": config.method.name, "teacher": config.teacher.source,
        "data": config.data.name, "seed": config.run.seed,
        "method_preset": trained.preset,
        "method_params": None if trained.params is None else trained.params.to_dict(),
        "selected_on": summary.selected_on, "best_val_acc": summary.best_val_acc,
        "stopped_early_at": summary.stopped_early_at,
    })
    return summary
