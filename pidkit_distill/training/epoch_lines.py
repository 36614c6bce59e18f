"""The lines an epoch prints: :func:`epoch_line` (its accuracies and losses),
:func:`pace_line` (how long the epochs left take, after the first of a long run) and, where it
was audited, :func:`audit_line` (its audit's atoms and how long the audit took) with the notes
under it (:class:`AuditLines`, each once in a run), which :func:`~pidkit_distill.training.fit`
prints under ``run.print_every``; and, once, whatever ``run.print_every``, where the audits took
most of the run's time (:meth:`AuditLines.cost_line`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch

from pidkit.gaussian.pid import MEASURE as GAUSSIAN_MEASURE
from pidkit_distill.audit.records import ATOM_LABELS, final_audit, final_flags, flag_notes
from pidkit_distill.config import TrainConfig

__all__ = ["LONG_S", "AuditLines", "audit_line", "duration", "epoch_line", "pace_line"]

LONG_S = 600.0
"""The epochs left of a run that take this long are said after its first (:func:`pace_line`)."""


def epoch_line(record: dict[str, Any], config: TrainConfig, labels: dict[str, str]) -> str:
    """An epoch's line; its ``phase=`` is the record's, which names what trained (``teacher``
    in a teacher's run, :func:`~pidkit_distill.training.teacher_sources.teacher_run_config`).
    Each loss term is named by its label in ``labels`` (a method's ``loss_labels()``: KD's
    weighted terms as ``0.1*ce``), else by its key. A run with a validation split
    (``data.val_fraction``) says its ``val_acc=`` too, and its ``best=`` is the test accuracy
    at the epoch of the best validation accuracy. Only an epoch that trained the student can be
    the best: before one has (RID's warm-up, TED's stage 1), ``best=none``.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> record = {"epoch": 1, "phase": "student", "train_loss": 0.46, "train_acc": 0.11,
    ...           "train_losses": {"ce": 0.23, "kd": 0.23}, "test_acc": 0.1, "best_acc": 0.1,
    ...           "time_s": 1.0}
    >>> config = load_config(overrides=["method.name=kd", "run.epochs=2"])
    >>> epoch_line(record, config, {"ce": "0.1*ce"})
    '[kd] epoch 1/2 phase=student loss=0.4600 (0.1*ce=0.2300 kd=0.2300) train_acc=0.1100 \
test_acc=0.1000 best=0.1000 1.0s'
    >>> epoch_line({**record, "val_acc": 0.125}, config, {})[-47:]
    'test_acc=0.1000 val_acc=0.1250 best=0.1000 1.0s'
    >>> epoch_line({**record, "phase": "filter", "best_acc": None}, config, {})[-30:]
    'test_acc=0.1000 best=none 1.0s'
    """
    terms = " ".join(f"{labels.get(k, k)}={v:.4f}" for k, v in record["train_losses"].items())
    validation = f"val_acc={record['val_acc']:.4f} " if "val_acc" in record else ""
    best = "none" if record["best_acc"] is None else f"{record['best_acc']:.4f}"
    return (f"[{config.method.name}] epoch {record['epoch']}/{config.run.epochs} "
            f"phase={record['phase']} loss={record['train_loss']:.4f} ({terms}) "
            f"train_acc={record['train_acc']:.4f} test_acc={record['test_acc']:.4f} "
            f"{validation}best={best} {record['time_s']:.1f}s")


def pace_line(record: dict[str, Any], end: int, device: torch.device) -> str | None:
    """What the epochs left (to ``end``) take at the pace of ``record``'s, measured, where
    that is :data:`LONG_S` or more (a wide ResNet on CIFAR on the CPU: hours); else None.

    >>> pace_line({"epoch": 1, "time_s": 506.0}, 30, torch.device("cpu"))
    'epoch 1 took 8m26s on cpu: the 29 epochs left take about 4h04m at this pace'
    >>> pace_line({"epoch": 1, "time_s": 8.4}, 30, torch.device("cpu")) is None
    True
    """
    left = end - record["epoch"]
    if left * record["time_s"] < LONG_S:
        return None
    return (f"epoch {record['epoch']} took {duration(record['time_s'])} on {device.type}: the "
            f"{left} epoch{'s' * (left > 1)} left take about {duration(left * record['time_s'])} "
            "at this pace")


def duration(seconds: float) -> str:
    """``seconds`` as ``4h04m``, ``8m26s`` or ``12s`` (whole minutes or seconds, rounded down).

    >>> duration(14_640), duration(506), duration(12.4)
    ('4h04m', '8m26s', '12s')
    """
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def audit_line(audited: list[dict[str, Any]], seconds: float | None = None) -> str:
    """An audit's line: the atoms of the innermost layer of the ``audited`` records (one
    audit's), in ``gaussian bits`` for the Gaussian estimator's as the report's figures say,
    the samples audited and the ``seconds`` the audit took (``None``: not said), flagged as the
    report flags them: every layer's flags, those of the other layers named by layer
    (:func:`~pidkit_distill.audit.records.final_flags`).

    Examples
    --------
    >>> record = {"epoch": 5, "layer": 2, "red": 0.5, "uni_t": 1.8, "uni_s": 0.3, "syn": 0.002,
    ...           "n_samples": 450}
    >>> audit_line([record], 6.54)
    '  audit epoch 5 layer 2: red=0.500 uni_t=1.800 uni_s=0.300 syn=0.002 bits (n=450) in 6.5s'
    """
    inner = final_audit(audited)
    assert inner is not None  # its callers print the audit only of an epoch that was audited
    atoms = " ".join(f"{key}={'none' if inner[key] is None else format(inner[key], '.3f')}"
                     for key in ATOM_LABELS)
    units = "gaussian bits" if inner.get("measure") == GAUSSIAN_MEASURE else "bits"
    took = "" if seconds is None else f" in {seconds:.1f}s"
    flags = "".join(f"; {flag}" for flag in final_flags(audited))
    return (f"  audit epoch {inner['epoch']} layer {inner['layer']}: {atoms} {units} "
            f"(n={inner['n_samples']}){took}{flags}")


class AuditLines:
    """What a run prints of its audits: each audit's line (:func:`audit_line`) with the notes
    under it that the run has not printed yet (:meth:`print_audit`), and the time the audits
    and the epochs took in this invocation (:meth:`timed`, :meth:`epoch_trained`), of which the
    audits' share is said once where it is most of it (:meth:`cost_line`).

    Parameters
    ----------
    config : TrainConfig
        The run's configuration: its ``data`` (the fixes the notes name), ``run.audit_every``
        and ``audit.bootstrap`` (what :meth:`cost_line` says to lower).
    classes : int
        The data's number of classes: H(Y) is at most log2 of it.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> lines = AuditLines(load_config(overrides=["method.name=kd"]), classes=10)
    >>> lines.audits_s, lines.epochs_s = 13.0, 2.5  # two audits, five epochs
    >>> lines.audits, lines.epochs = 2, 5
    >>> print(lines.cost_line())
    note: the PID audits took 13.0s of the 15.5s this run has trained and audited so far (6.5s \
each, against 0.5s an epoch): audit less often, --audit-every N (run.audit_every, now 5; 0 = \
never), or with fewer bootstrap replicates, --audit.bootstrap N (now 40; 0 = no intervals)
    >>> print(lines.cost_line())  # once in a run
    None
    """

    def __init__(self, config: TrainConfig, classes: int) -> None:
        self.data = {"name": config.data.name, "options": config.data.options}
        self.classes = classes
        self.every = config.run.audit_every
        self.bootstrap = config.audit.bootstrap
        self.said: set[str] = set()  # the notes printed
        self.audits_s = 0.0  # the time of this invocation's audits, and their number
        self.audits = 0
        self.last_s = 0.0  # of the last audit
        self.epochs_s = 0.0  # the time of this invocation's epochs, and their number
        self.epochs = 0
        self.cost_said = False

    @contextmanager
    def timed(self) -> Iterator[None]:
        """A block that runs an audit: its time is the audit's (:attr:`last_s`), counted."""
        start = time.perf_counter()
        yield
        self.last_s = time.perf_counter() - start
        self.audits_s += self.last_s
        self.audits += 1

    def epoch_trained(self, seconds: float) -> None:
        """Count an epoch that took ``seconds`` (its record's ``time_s``: training and
        evaluation) in the run's time."""
        self.epochs_s += seconds
        self.epochs += 1

    def print_audit(self, audited: list[dict[str, Any]], seconds: float | None) -> None:
        """The line of the ``audited`` records, which took ``seconds``, and under it the notes
        on them that the run has not printed yet: the report's notes on a cap by clusters and
        its fixes for the run's data and on row lengths that audit.normalize l2 dropped
        (:func:`~pidkit_distill.audit.records.flag_notes`), and why Gaussian atoms can add up
        to more than H(Y)."""
        print(audit_line(audited, seconds), flush=True)
        inner = final_audit(audited)
        assert inner is not None  # as in audit_line
        notes = {key: note for key, note in flag_notes(inner, final_flags(audited),
                                                       data=self.data).items()
                 if key.startswith(("capped by clusters", "lengths dropped"))}
        if inner.get("measure") == GAUSSIAN_MEASURE and "i_yts" in (
                inner.get("bias_correction") or {}).get("above_bound", ()):
            notes["above H(Y)"] = (
                f"the gaussian atoms add up to I(Y;T,S) = {inner['i_yts']:.3f} gaussian bits, "
                f"above the labels' entropy H(Y) (at most log2({self.classes}) = "
                f"{math.log2(self.classes):.3f} bits): Gaussian information measures how far "
                "linear read-outs of the features separate the classes, which H(Y) does not "
                "bound; they are not bits of the label (audit.estimator discrete gives those; "
                "docs/estimate.md, The Gaussian estimator)")
        for key in [key for key in notes if key not in self.said]:
            print(f"  note: {notes[key]}", flush=True)
        self.said.update(notes)

    def cost_line(self) -> str | None:
        """Once in a run, once an epoch has trained, where the audits have taken more than
        half of the time this invocation has trained and audited, what they took and how to
        make them cheaper (the names of docs/distill.md, The loop); else ``None``."""
        if self.cost_said or not self.epochs or self.audits_s <= self.epochs_s:
            return None
        self.cost_said = True
        return (f"note: the PID audits took {self.audits_s:.1f}s of the "
                f"{self.audits_s + self.epochs_s:.1f}s this run has trained and audited so far "
                f"({self.audits_s / self.audits:.1f}s each, against "
                f"{self.epochs_s / self.epochs:.1f}s an epoch): audit less often, --audit-every "
                f"N (run.audit_every, now {self.every}; 0 = never), or with fewer bootstrap "
                f"replicates, --audit.bootstrap N (now {self.bootstrap}; 0 = no intervals)")
