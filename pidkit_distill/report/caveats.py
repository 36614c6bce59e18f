"""What the report's tables say where a row's numbers cannot be read as they stand: a run whose
method's schedule trained its student in only some of its epochs (:func:`student_epochs`,
marked :data:`SCHEDULE_MARK` and explained by :func:`schedule_note`), and atoms audited at
another epoch than the accuracy beside them (:func:`audit_epoch_words`).

A method whose optimizer groups take turns (RID's filters, TED's stage 1) trains its student
in only some epochs. Its schedule is written for the RID paper's
:data:`~pidkit_distill.chance.PAPER_EPOCHS` epochs; on fewer, train scales it to the run or
cuts it short, so that the student of ``--epochs 6`` trains in 3 of them: beside a method
whose student trained in all 6 its accuracy compares no method
(:func:`~pidkit_distill.chance.trained_whole_schedule` tells a run that trained the whole
schedule).
"""

from __future__ import annotations

from typing import Any

from pidkit_distill.chance import PAPER_EPOCHS, run_trained, trained_whole_schedule

__all__ = ["AUDIT_EPOCH_NOTE", "SCHEDULE_MARK", "audit_epoch_words", "schedule_note",
           "student_epochs"]

SCHEDULE_MARK = "◇"
"""The mark beside the epochs of a row whose student trained in only some of them
(:func:`student_epochs`), before the line under the table that says so (:func:`schedule_note`)."""


AUDIT_EPOCH_NOTE = ("atoms of epoch A; accuracy of epoch B: the atoms were audited at another "
                    "epoch than the accuracy beside them (run.audit_every audits every so many "
                    "epochs and the last, so a run stopped between two audits, or whose last "
                    "audit record was cut off, has an earlier one), so the two describe the "
                    "student at different epochs, epoch 0 before any training; compare atoms "
                    "with atoms of the same audit epoch.")
"""The note under a table whose estimate cell says :func:`audit_epoch_words`."""


def student_epochs(config: dict[str, Any], metrics: list[dict[str, Any]]) -> int | None:
    """How many of the epochs of ``metrics`` (a run's records, up to the epoch a table shows)
    trained the student, where its method's schedule trained another optimizer group in some
    of them (:func:`~pidkit_distill.chance.run_trained`) and it has not trained the paper's
    whole schedule (:func:`~pidkit_distill.chance.trained_whole_schedule`); ``None`` for any
    other run, whose accuracy the schedule does not set apart.

    Examples
    --------
    >>> config = {"data": {"name": "digits"}, "teacher": {"source": "trained"}}
    >>> rid = [{"epoch": e, "phase": p} for e, p in enumerate(["filter"] * 3 + ["student"] * 3, 1)]
    >>> student_epochs(config, rid), student_epochs(config, [{"epoch": 1, "phase": "student"}])
    (3, None)
    >>> print(student_epochs(config, [*rid, {"epoch": 300, "phase": "student"}]))  # the whole
    None
    """
    if (not metrics or not run_trained(config, metrics).scheduled
            or trained_whole_schedule(metrics[-1]["epoch"])):
        return None
    return sum(record.get("phase", "student") == "student" for record in metrics)


def schedule_note(shown: dict[str, tuple[int, int]], every_epoch: list[str], *,
                  seeds: bool = False) -> str:
    """The line under a table that explains its :data:`SCHEDULE_MARK`: for each row marked, by
    its name in ``shown``, the epochs its student trained in and the epochs shown
    (:func:`student_epochs`); why, and what its accuracy is not comparable with: the rows
    ``every_epoch`` names (their methods), whose student trained in every epoch. ``seeds``:
    the rows are groups of seeds (the group table's), whose each seed's student trained so.
    Empty for no row marked.

    Examples
    --------
    >>> print(schedule_note({"rid": (3, 6)}, ["bas", "kd"]))
    ◇ rid: its student trained in 3 of its 6 epochs, and its method's other optimizer group \
(the phase in metrics.jsonl) in the others: the method's schedule is written for the paper's \
300 epochs, and a shorter run scales it to the run or cuts it short. Its accuracy is not \
comparable with that of a run whose student trained in every epoch (here bas, kd), nor with \
the paper's; train 300 epochs or more (run.epochs) to compare methods.
    >>> schedule_note({}, ["bas"])
    ''
    """
    if not shown:
        return ""
    by_share: dict[tuple[int, int], list[str]] = {}
    for name, share in shown.items():
        by_share.setdefault(share, []).append(name)
    its = "its" if len(shown) == 1 else "their"
    rows = "; ".join(f"{', '.join(names)}: " + (
        f"the student of each seed trained in {student} of the {epochs} epochs" if seeds else
        f"{_its(names)} student{'' if len(names) == 1 else 's'} trained in {student} of "
        f"{_its(names)} {epochs} epochs")
        for (student, epochs), names in by_share.items())
    here = f" (here {', '.join(every_epoch)})" if every_epoch else ""
    return (f"{SCHEDULE_MARK} {rows}, and {its} method's other optimizer group (the phase in "
            f"metrics.jsonl) in the others: the method's schedule is written for the paper's "
            f"{PAPER_EPOCHS} epochs, and a shorter run scales it to the run or cuts it short. "
            f"{its.capitalize()} accuracy is not comparable with that of a run whose student "
            f"trained in every epoch{here}, nor with the paper's; train {PAPER_EPOCHS} epochs "
            "or more (run.epochs) to compare methods.")


def _its(names: list[str]) -> str:
    """The possessive of one row, or of several."""
    return "its" if len(names) == 1 else "their"


def audit_epoch_words(audited: int | None, shown: int | list[int] | None) -> str | None:
    """What the estimate cell of a row adds where its atoms were audited at epoch ``audited``
    and its accuracy is of epoch ``shown``, another (a list: each seed's accuracy at its own
    last epoch, seeds that ``run.early_stop`` ended apart); ``None`` where they are the same
    (or either is not known).

    Examples
    --------
    >>> audit_epoch_words(0, 47), audit_epoch_words(40, 47), audit_epoch_words(6, 6)
    ('atoms of epoch 0, before training; accuracy of epoch 47', \
'atoms of epoch 40; accuracy of epoch 47', None)
    >>> audit_epoch_words(5, [7, 9]), audit_epoch_words(7, [7, 7])
    ("atoms of epoch 5; accuracy of each seed's last epoch (7, 9)", None)
    """
    if isinstance(shown, list):
        if audited is None or all(epoch == audited for epoch in shown):
            return None
        accuracy = f"each seed's last epoch ({', '.join(map(str, shown))})"
    elif audited is None or shown is None or audited == shown:
        return None
    else:
        accuracy = f"epoch {shown}"
    return (f"atoms of epoch {audited}{', before training' if audited == 0 else ''}; "
            f"accuracy of {accuracy}")
