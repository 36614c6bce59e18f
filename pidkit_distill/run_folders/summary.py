"""What a finished (or stopped) run gives back: :class:`~pidkit_distill.RunSummary`, its
accuracies, records and folder, which :func:`~pidkit_distill.train` returns and
:func:`~pidkit_distill.write_report`, :func:`~pidkit_distill.load_runs` and
:func:`~pidkit_distill.load_student` take for its run folder.

It needs no PyTorch, so that reading runs (``pidkit-distill report``) can name it without
importing PyTorch; what stops a run is in :mod:`pidkit_distill.training.outcomes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pidkit_distill.audit.records import final_audit, final_flags

__all__ = ["RunSummary"]


@dataclass(frozen=True)
class RunSummary:
    """What a finished (or stopped) run reports.

    Attributes
    ----------
    last_acc : float
        Held-out accuracy of the student after the last completed epoch (in [0, 1]).
    best_acc : float
        Best held-out accuracy over the completed epochs; with a validation split, the held-out
        accuracy at the epoch of the best validation accuracy.
    best_epoch : int
        Completed-epoch count at which ``best_acc`` was reached (the best validation accuracy,
        with a split).
    run_dir : Path
        The run folder.
    history : list of dict
        The per-epoch records of ``metrics.jsonl``.
    teacher_acc : float or None
        Held-out accuracy of the teacher (None for teacher-training runs and for a teacher
        trained on other labels through ``teacher.data_options``).
    epochs_done : int
        Completed epochs (smaller than ``run.epochs`` when stopped by ``run.stop_after``).
    audit : list of dict
        The records of ``audit.jsonl``; :attr:`last_audit` is the one a notebook wants next.
    selected_on : {"test", "validation"}
        Which split chose ``best_epoch``: the held-out (test) set itself, or the validation
        split of ``data.val_fraction``, whose best epoch's test accuracy ``best_acc`` then is.
    best_val_acc : float or None
        The validation accuracy at ``best_epoch`` (None without a validation split).
    stopped_early_at : int or None
        The epoch after which ``run.early_stop`` ended the run (None where it did not).

    Examples
    --------
    Its repr is one line: the history and the audit records are counted, not printed (a
    300-epoch run's would fill a notebook).

    >>> from pathlib import Path
    >>> from pidkit_distill import RunSummary
    >>> RunSummary(0.9133, 0.95, 7, Path("runs/x"), history=[{}] * 10, teacher_acc=0.98,
    ...            epochs_done=10, audit=[{}] * 6)
    RunSummary(last_acc=0.9133, best_acc=0.95, best_epoch=7, epochs_done=10, teacher_acc=0.98, \
run_dir='runs/x', history=[10 epochs], audit=[6 records])

    A run with a validation split says so, with the epoch an early stop ended it after:

    >>> RunSummary(0.9133, 0.95, 7, Path("runs/x"), history=[{}] * 9, epochs_done=9,
    ...            selected_on="validation", best_val_acc=0.9612, stopped_early_at=9)
    RunSummary(last_acc=0.9133, best_acc=0.95, best_epoch=7, epochs_done=9, teacher_acc=None, \
selected_on='validation', best_val_acc=0.9612, stopped_early_at=9, run_dir='runs/x', \
history=[9 epochs], audit=[0 records])

    The atoms of the last audit, of its innermost layer (those the last epoch's line printed):

    >>> records = [{"epoch": e, "layer": k, "red": e + k / 10} for e in (0, 5, 10) for k in (1, 2)]
    >>> RunSummary(0.9, 0.9, 10, Path("runs/x"), history=[], audit=records).last_audit["red"]
    10.2

    The flags of that audit, every audited layer's, as that line and the report say them (here
    a Syn below 0 at the innermost layer, 2, in a record without bootstrap intervals, which
    nothing judged):

    >>> records[-1]["bias_correction"] = {"method": "eb-extrapolation", "negative": ["syn"]}
    >>> RunSummary(0.9, 0.9, 10, Path("runs/x"), history=[], audit=records).last_audit_flags
    ['below 0, not judged: Syn']
    """

    last_acc: float
    best_acc: float
    best_epoch: int
    run_dir: Path
    history: list[dict[str, Any]]
    teacher_acc: float | None = None
    epochs_done: int = 0
    audit: list[dict[str, Any]] = field(default_factory=list)
    selected_on: str = "test"
    best_val_acc: float | None = None
    stopped_early_at: int | None = None

    @property
    def last_audit(self) -> dict[str, Any] | None:
        """The record of the last audited epoch's innermost (highest) audited layer, the one the
        trainer prints under that epoch's line and the report's table shows: ``red``, ``uni_t``,
        ``uni_s``, ``syn`` and the rest of an ``audit.jsonl`` record; ``None`` for a run without
        an audit (:func:`~pidkit_distill.audit.records.final_audit`)."""
        return final_audit(self.audit)

    @property
    def last_audit_flags(self) -> list[str]:
        """The flags of the last audit, of every layer audited at :attr:`last_audit`'s epoch
        (:func:`~pidkit_distill.audit.records.final_flags`): what the trainer printed after the
        atoms of that epoch's line and the report's table of each run says in its estimate
        cell, those of a layer other than :attr:`last_audit`'s named by it (``['below 0: Syn',
        'layer 0: capped by clusters: teacher 2 (< 10 labels)']``); empty for a run without an
        audit or one not flagged. Each layer's own record is in ``audit``."""
        return final_flags(self.audit)

    def __repr__(self) -> str:
        teacher = "None" if self.teacher_acc is None else f"{self.teacher_acc:.4g}"
        validation = ""
        if self.selected_on != "test":
            best_val = "None" if self.best_val_acc is None else f"{self.best_val_acc:.4g}"
            validation = f"selected_on={self.selected_on!r}, best_val_acc={best_val}, "
        if self.stopped_early_at is not None:
            validation += f"stopped_early_at={self.stopped_early_at}, "
        return (f"RunSummary(last_acc={self.last_acc:.4g}, best_acc={self.best_acc:.4g}, "
                f"best_epoch={self.best_epoch}, epochs_done={self.epochs_done}, "
                f"teacher_acc={teacher}, {validation}"
                f"run_dir={str(self.run_dir)!r}, history=[{len(self.history)} epochs], "
                f"audit=[{len(self.audit)} records])")
