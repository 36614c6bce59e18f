"""Fit a method's schedule to the run's epochs before any work: :func:`fit_schedule`.

A schedule written for a 300-epoch run (RID's warm-up and cycles, TED's stage 1) would leave
the student few or none of a short run's epochs: a preset's is scaled to the run, with a
notice, and one that the configuration set is refused, naming the options to change.
"""

from __future__ import annotations

from pidkit_distill.config import TrainConfig
from pidkit_distill.methods import Distiller, Params

__all__ = ["fit_schedule"]


def fit_schedule(params: Params, config: TrainConfig, *,
                 method: type[Distiller]) -> tuple[Params, str | None]:
    """The method's parameters with a schedule that trains the student at least half the run.

    A schedule (RID's warm-up and cycles, TED's stage 1) that leaves the student fewer than
    half of ``run.epochs`` epochs is

    * scaled to the run (:meth:`Params.scaled_to <pidkit_distill.methods.Params.scaled_to>`:
      its epoch counts multiplied by ``run.epochs / 300`` and rounded) when its epoch counts
      come from the preset, with a notice saying so;
    * refused, naming the options to change, when the configuration set one of them
      (``method.params.warmup_epochs=...``; every epoch count of the schedule is named, and
      those it did not set are said to be the preset's, unscaled), or when even the scaled
      schedule leaves the student fewer than half the epochs.

    Returns
    -------
    params : Params
        The parameters to use.
    notice : str or None
        What was scaled, or ``None``.
    """
    epochs = config.run.epochs
    student = params.student_epochs(epochs)
    if 2 * student >= epochs:
        return params, None
    fields = params.schedule_fields
    name = method.method_name
    given = [f for f in fields if f in config.method.params]
    keys = ", ".join(f"method.params.{f}" for f in fields) or "method.params"
    shown = ", ".join(f"{f}={getattr(params, f)}" for f in fields)
    preset = config.method.preset or method.default_preset
    if given or not fields:
        kept = [f"{f}={getattr(params, f)}" for f in fields if f not in given]
        unscaled = (f" ({', '.join(kept)} from preset {preset!r}, the schedule of a "
                    f"{params.schedule_run_epochs}-epoch run, is not scaled to this one where "
                    "method.params sets part of the schedule)") if given and kept else ""
        raise ValueError(
            f"method.params: method {name!r} with {shown or 'these parameters'} trains the "
            f"student in {student} of run.epochs={epochs} epochs, fewer than half; lower "
            f"{keys} or raise run.epochs{unscaled}"
        )
    scaled = params.scaled_to(epochs)
    after = scaled.student_epochs(epochs)
    shown_scaled = ", ".join(f"{f}={getattr(scaled, f)}" for f in fields)
    if 2 * after < epochs:
        raise ValueError(
            f"run.epochs: {epochs} epochs are too few for method {name!r}: even its schedule "
            f"scaled to the run ({shown_scaled}) trains the student in only {after} of them; "
            f"raise run.epochs or set {keys} yourself"
        )
    return scaled, (
        f"notice: method {name!r} (preset {preset!r}): {shown} is the schedule of a "
        f"{params.schedule_run_epochs}-epoch run and would train the student in {student} of "
        f"run.epochs={epochs} epochs; scaled to the run: {shown_scaled} (the student trains in "
        f"{after} of {epochs} epochs). Set {keys} to choose the schedule yourself."
    )
