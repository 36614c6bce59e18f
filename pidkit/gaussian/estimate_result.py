"""The result of a Gaussian PID estimated from samples: a :class:`~pidkit.PIDResult` that says so.

:func:`pidkit.gaussian_pid_from_samples` and :func:`pidkit.gaussian.estimate_from_covariance`
return a :class:`GaussianPIDEstimate`. It has the fields and ``to_dict()`` of every
:class:`~pidkit.PIDResult` (the plug-in values, subtracted biases and intervals stay in
``diagnostics``, where the estimator puts them), plus ``n_samples`` and ``bias_correction``,
which ``to_dict()`` and so :func:`pidkit.to_frame` list beside the atoms with the ``bias_red``
... ``bias_i_yts`` the correction took off; its ``repr`` prints what a reader of an estimate
needs beside each number: the sample size, the correction, the plug-in value and the interval.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .._result import ATOM_LABELS, PIDResult, headline, show_pretty
from .._text_wrap import wrapped_line
from .._units import from_nats
from .._value_table import as_printed, value_table
from ..below_zero import (
    coarse_interval_note,
    confidence_percent,
    no_spread_note,
    replicates_without_spread,
    rounding_level,
)
from ..resampling import INFORMATIONS, QUANTITIES, replicate_columns
from .bias import information_bias
from .sample_notes import (
    NO_INTERVALS_NOTE,
    above_label_entropy_note,
    few_samples_note,
    informations_above,
    replicate_failures_note,
)

__all__ = ["GaussianPIDEstimate", "as_estimate"]

CORRECTION_TEXT = "Wishart bias subtracted exactly; union information from rescaled channels"
"""How ``bias_correction=True`` corrects, as the ``repr`` says it (docs/gaussian.md#from-samples)."""


class GaussianPIDEstimate(PIDResult):
    """A Gaussian PID estimated from ``n`` samples: a :class:`~pidkit.PIDResult` whose ``repr``
    says that it is an estimate.

    Its fields are those of :class:`~pidkit.PIDResult`, and ``isinstance(r, pidkit.PIDResult)``
    holds; ``n_samples`` is the sample size, and ``to_dict()`` lists it after ``nit``, so that a
    :func:`pidkit.to_frame` of estimates has it as a column, as for
    :class:`~pidkit.estimate.RepresentationPID`. The atoms and informations are the
    bias-corrected estimates (the plug-in ones with ``bias_correction=False``); ``diagnostics``
    holds ``n_samples`` too, the ``plug_in`` values and subtracted ``biases`` (with the
    correction) and, with ``bootstrap=B``, the ``intervals`` and the ``bootstrap`` settings;
    ``plugin`` and ``intervals`` read them under the names a
    :class:`~pidkit.estimate.RepresentationPID` gives them (``intervals`` is None without
    ``bootstrap=B``).

    Notes
    -----
    The ``repr`` is the table of a :class:`~pidkit.PIDResult` with, under its first line, the
    sample size and how the values were corrected; beside each corrected value its plug-in value
    and, with ``bootstrap=B``, its interval (confidence, interval method, B and failed
    replicates in the header), or, for an estimate from samples without it, a line that says
    there are no intervals and asks for them; then the notes on failed replicates (how many, why,
    :func:`~pidkit.gaussian.sample_notes.replicate_failures_note`) and the subtracted biases of the
    three informations. Without the
    correction the values are the plug-in ones, and the last line gives the exact bias the
    Gaussian model expects of the plug-in I(Y;T,S) at this ``n``. Values within
    :func:`~pidkit.below_zero.rounding_level` of 0 print as 0. Where every bootstrap replicate of
    a quantity lay at one value (a scalar Y's weaker side has Uni = 0 in each), a note says that
    its interval, of no width, is no certainty (:func:`~pidkit.below_zero.no_spread_note`, the
    note of a :class:`~pidkit.estimate.RepresentationPID`).

    Examples
    --------
    >>> import numpy as np, pidkit
    >>> rng = np.random.default_rng(0)
    >>> y = rng.standard_normal(500)
    >>> t, s = y + rng.standard_normal(500), y + 2 * rng.standard_normal(500)
    >>> r = pidkit.gaussian_pid_from_samples(y, t, s, bootstrap=100, progress=False)
    >>> isinstance(r, pidkit.PIDResult), r.n_samples, r.to_dict()["n_samples"]
    (True, 500, 500)
    >>> r.intervals["red"] == r.diagnostics["intervals"]["red"], round(r.plugin["red"], 6)
    (True, 0.176938)
    >>> print(r)                                  # doctest: +ELLIPSIS
    GaussianPIDEstimate(measure='gaussian-broja', units='bits', status='optimal', method='native', \
solver='pidkit-closed-form', gap=...)
      estimate from n = 500 samples, bias-corrected (Wishart bias subtracted exactly; union \
information from rescaled channels)
      quantity         value    plug-in   95% centred interval, B=100   (bits)
      Red(Y:T,S)    0.175488   0.176938   [0.116995, 0.233146]
      Uni(Y:T\\S)    0.384969   0.384969   [0.282119, 0.491686]
      Uni(Y:S\\T)    0.000000   0.000000   [0.000000, 0.000000]
      Syn(Y:T,S)    0.093771   0.095224   [0.043183, 0.130995]
      I(Y;T)        0.560457   0.561907   [0.476754, 0.666173]
      I(Y;S)        0.175488   0.176938   [0.116995, 0.233146]
      I(Y;T,S)      0.654228   0.657131   [0.562830, 0.756804]
      subtracted (exact Gaussian plug-in bias): i_yt 0.001450, i_ys 0.001450, i_yts 0.002903 bits
      note: every bootstrap replicate of uni_s was 0 (B=100): an interval made of their spread has no
            width, which is no certainty: too few resamples, or a value pinned at a bound in every one
    """

    __module__ = "pidkit.gaussian"  # where users import it from: pickles and reprs name it

    @property
    def n_samples(self) -> int | None:
        """The number of samples the estimate was made from (``diagnostics["n_samples"]``);
        None where those diagnostics were replaced."""
        n = self.diagnostics.get("n_samples")
        return None if n is None else int(n)

    @property
    def intervals(self) -> dict[str, tuple[float, float]] | None:
        """The bootstrap intervals, quantity -> ``(low, high)`` (``diagnostics["intervals"]``), as
        a :class:`~pidkit.estimate.RepresentationPID` has them; None without ``bootstrap=B``, as
        there: ``r.intervals["red"]`` is then Python's ``TypeError`` (``'NoneType' object is not
        subscriptable``), so test ``r.intervals is None`` first, or pass ``bootstrap=200``."""
        return self.diagnostics.get("intervals")

    @property
    def plugin(self) -> dict[str, float] | None:
        """The plug-in values of the seven quantities (``diagnostics["plug_in"]``), as a
        :class:`~pidkit.estimate.RepresentationPID` has them: the values themselves with
        ``bias_correction=False``; None where ``diagnostics`` no longer say which they are."""
        plug_in: dict[str, float] | None = self.diagnostics.get("plug_in")
        if plug_in is None and self.n_samples is not None:
            return {key: getattr(self, key) for key, _ in ATOM_LABELS}
        return plug_in

    @property
    def bias_correction(self) -> str | None:
        """How the values were corrected, named as
        :func:`pidkit.estimate.pid_from_representations` names the Gaussian corrections:
        ``"wishart"`` (``bias_correction=True``), ``"none"`` (the plug-in values), or None where
        ``diagnostics`` no longer say which."""
        if "biases" in self.diagnostics:
            return "wishart"
        return None if self.n_samples is None else "none"

    def to_dict(self, *, include_q: bool = False) -> dict[str, Any]:
        """A JSON-serialisable dict of the estimate: :meth:`pidkit.PIDResult.to_dict` with
        ``n_samples``, ``bias_correction`` and ``bias_red`` ... ``bias_i_yts`` after ``nit``.

        Parameters
        ----------
        include_q : bool, default=False
            Add ``q`` as nested lists.

        Returns
        -------
        dict
            The keys of :meth:`pidkit.PIDResult.to_dict` in their order, with ``n_samples`` (an
            int), ``bias_correction`` (see :attr:`bias_correction`) and, for each of the seven
            quantities, ``bias_{q}``: its plug-in value minus its value (0.0 for the plug-in
            ``"none"``), as the columns of a :class:`~pidkit.estimate.RepresentationPID` in
            :func:`pidkit.to_frame`; all None where ``diagnostics`` no longer hold them. They
            come before ``diagnostics``.

        Examples
        --------
        >>> import numpy as np, pidkit
        >>> rng = np.random.default_rng(0)
        >>> y = rng.standard_normal(200)
        >>> r = pidkit.gaussian_pid_from_samples(y, y + rng.standard_normal(200), rng.standard_normal(200))
        >>> record = r.to_dict()
        >>> record["bias_correction"], round(record["bias_i_yt"], 6)    # the exact Wishart bias
        ('wishart', 0.003652)
        """
        record = super().to_dict(include_q=include_q)
        plugin = self.plugin
        corrections: dict[str, Any] = {"n_samples": self.n_samples, "bias_correction": self.bias_correction}
        corrections.update({f"bias_{q}": None if plugin is None else plugin[q] - getattr(self, q)
                            for q in QUANTITIES})
        ordered: dict[str, Any] = {}
        for key, value in record.items():
            if key == "diagnostics":
                ordered.update(corrections)
            ordered[key] = value
        return ordered

    def __repr__(self) -> str:
        d = self.diagnostics
        plug_in: dict[str, float] | None = d.get("plug_in")
        intervals: dict[str, tuple[float, float]] | None = d.get("intervals")
        n = d.get("n_samples")
        if plug_in is not None:
            how = f"bias-corrected ({CORRECTION_TEXT})"
        elif n is not None:
            how = "not bias-corrected (bias_correction=False): plug-in values, biased upward"
        else:  # diagnostics replaced: nothing left says how it was made
            how = "its diagnostics no longer say how it was corrected"
        made = "estimate from samples" if n is None else f"estimate from n = {n} samples"
        lines = [headline(self), f"  {made}, {how}"]
        boot = d.get("bootstrap")
        failures = replicate_failures_note(d, "e.g. PCA")
        coarse, interval_head = None, ""  # coarse: the note on intervals of too few replicates
        if intervals is not None and boot is not None:
            failed = boot.get("n_failed", 0)
            # failures that leave too few are the failure note's: more replicates would not help
            coarse = coarse_interval_note(boot["n_boot"] - (0 if failures else failed), boot["confidence"])
            interval_head = (f"{confidence_percent(boot['confidence'])} {boot['ci_method']} interval, "
                             f"B={boot['n_boot']}" + (f" ({failed} failed, left out)" if failed else ""))
        values = {key: getattr(self, key) for key in QUANTITIES}
        zero = rounding_level([*values.values(), *(plug_in or {}).values()])
        columns = [("value", values, zero)] + ([("plug-in", plug_in, zero)] if plug_in is not None else [])
        lines.extend(value_table(columns, self.units, intervals=intervals, interval_head=interval_head,
                                 interval_zero=zero, labels=dict(ATOM_LABELS), label_head="quantity"))
        if intervals is None and "dims" in d:  # from samples (not a covariance), diagnostics kept
            lines.append(wrapped_line(f"  {NO_INTERVALS_NOTE}"))
        lines.extend(wrapped_line(f"  {note}") for note in (coarse, failures) if note)
        lines.extend(self._correction_lines(zero))
        lines.extend(wrapped_line(f"  {note}") for note in self._sample_notes(plug_in))
        if boot is not None and boot.get("replicates") is not None:
            if flat := replicates_without_spread(replicate_columns(boot["replicates"])):
                note = no_spread_note(flat, boot["n_boot"], zero=zero)
                lines.append(wrapped_line(f"  {note}"))
        return "\n".join(lines)

    def _sample_notes(self, plug_in: dict[str, float] | None) -> list[str]:
        """The notes of :mod:`pidkit.gaussian.sample_notes` that apply: few samples per dimension,
        and informations above H(Y) where Y is a block of class indicators."""
        d, notes = self.diagnostics, []
        if "dims" in d and "n_samples" in d and (few := few_samples_note(int(d["n_samples"]), d["dims"],
                                                                          "intervals" in d)):
            notes.append(few)
        if (h_y := d.get("label_entropy")) is not None:
            values = {q: getattr(self, q) for q in INFORMATIONS}
            if above := informations_above(values, plug_in or values, h_y):
                notes.append(above_label_entropy_note(
                    above, h_y, self.units, "pidkit.estimate.pid_from_representations on the class labels "
                    "(its default estimator='discrete')"))
        return notes

    def _correction_lines(self, zero: float) -> list[str]:
        """The lines under the table: the subtracted biases and what was clipped, or the bias
        the plug-in I(Y;T,S) is expected to have (``zero``: the table's rounding level)."""
        d, u = self.diagnostics, self.units
        biases: dict[str, float] | None = d.get("biases")
        if biases is not None:
            listed = ", ".join(f"{key} {biases[key]:.6f}" for key in INFORMATIONS)
            lines = [f"  subtracted (exact Gaussian plug-in bias): {listed} {u}"]
            plug_in = d["plug_in"]
            clipped = [key for key in ("i_yt", "i_ys") if plug_in[key] - biases[key] < 0.0]
            if clipped:
                lines.append(f"  note: {', '.join(clipped)} corrected below 0, reported as 0")
            if d.get("synergy_floored"):
                lines.append("  note: syn floored at 0: the corrected i_yts was below the union "
                             "information, so i_yts reports that union information")
            return lines
        if "ranks" not in d or "n_samples" not in d:
            return []
        rank_y, _, _, rank_ts = d["ranks"]
        expected = from_nats(information_bias(rank_y, rank_ts, int(d["n_samples"]) - 1), u)
        share = (f"{expected / self.i_yts:.1%} of the estimate" if as_printed(self.i_yts, zero) != 0.0
                 else "the estimate is 0")
        return [f"  exact Gaussian plug-in bias expected of i_yts: {expected:.6f} {u} ({share}); "
                "bias_correction=True removes it"]

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        n = self.n_samples
        show_pretty(printer, self, f"n={n}" if n is not None else f"gap={self.gap:.2e}")


def as_estimate(result: PIDResult) -> GaussianPIDEstimate:
    """``result`` (made from a sample covariance) as a :class:`GaussianPIDEstimate`, every field
    as it is.

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.gaussian.estimate_result import as_estimate
    >>> exact = pidkit.gaussian_pid([[1.0, 0.5, 0.5], [0.5, 1.0, 0.0], [0.5, 0.0, 1.0]], (1, 1, 1))
    >>> estimate = as_estimate(exact)
    >>> type(estimate).__name__, estimate.i_yt == exact.i_yt, estimate.diagnostics == exact.diagnostics
    ('GaussianPIDEstimate', True, True)
    """
    return GaussianPIDEstimate(**{f.name: getattr(result, f.name) for f in dataclasses.fields(result)})
