"""The record of one bias correction: :class:`BiasCorrection`, what
:func:`~pidkit.estimate.correct_counts` returns.

It holds the plug-in and corrected values of the seven quantities, the estimated bias, the
extrapolation's points and the flags on the corrected values (below 0, above their bound), and
converts itself to JSON-ready values. How the values are computed is
:mod:`pidkit.estimate.correction`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pidkit._text_wrap import wrapped_line
from pidkit._value_table import value_table
from pidkit.below_zero import rounding_level

from .kink import unique_lowered

__all__ = ["BiasCorrection"]


@dataclass(frozen=True, eq=False)
class BiasCorrection:
    """How the atoms of one joint were corrected for sampling bias, and by how much.

    Attributes
    ----------
    method : str
        One of :data:`~pidkit.estimate.BIAS_CORRECTIONS`.
    plugin : dict of str to float
        The plug-in values of ``red, uni_t, uni_s, syn, i_yt, i_ys, i_yts``.
    corrected : dict of str to float
        The corrected values (equal to ``plugin`` for ``"none"``). They satisfy the PID identities
        (``i_yt = red + uni_t`` and so on) to rounding. They are not clipped: a value below 0 is
        shown as estimated, and what it says (noise, an overshooting correction, or not judged
        without bootstrap intervals) is in the result's ``negative`` and its notes.
    bias : dict of str to float
        The estimated bias of the plug-in, ``plugin - corrected``.
    subsample_sizes : tuple of int
        Sample sizes fitted by the extrapolation, the full sample first (``(n,)`` for ``"none"``).
    n_repeats : int
        Random partitions of the sample per subsample size (0 for ``"none"``).
    negative : tuple of str
        The corrected quantities below 0, leaving out an exact 0 that rounding or the solves'
        tolerance left just below it: within :func:`~pidkit.below_zero.rounding_level` of the
        plug-in and corrected values times ``rounding_amplification`` (5e-9 bits at the default
        sizes and a scale of 1 bit; a Syn exactly 0 came back as -1.6e-9).
    n_failed : int
        Subsample solves that were not certified (possible only with ``strict=False``); they are
        left out of the means.
    units : str
    kink : float
        How much lower the union information I* (so both unique informations) and how much higher
        Red and Syn would be if I*'s bias shrank like n**-1/2 instead of in powers of 1/n. That
        happens where both unique informations are 0 with equal channels p(y|t) = p(y|s) (a kink
        of the BROJA optimum); the extrapolation then leaves :func:`~pidkit.estimate.kink_fraction`
        (about half) of the plug-in's bias of the unique informations in place, and samples of one
        size cannot tell the two cases apart. It is ``r / (1 - r)`` times the extrapolation's own
        correction of the mean unique information (without ``kink_pretest_shift``),
        ``r = kink_fraction(subsample_sizes)``, capped at the smaller corrected unique
        information after the pretest (it never pushes one below 0), and 0 for ``"none"``. The
        bootstrap intervals of :func:`pidkit.estimate.pid_from_representations` cover both models.
    subsample_means : dict of str to list of float
        The points the extrapolation fits: the mean plug-in ``"i_yt"``, ``"i_ys"``, ``"i_yts"``
        and ``"i_star"`` (I*) at each of ``subsample_sizes`` (empty for ``"none"``).
    above_bound : tuple of str
        The corrected quantities above their bound by more than rounding
        (:func:`pidkit.below_zero.rounding_level`). An information's is ``min(H(Y), H(X))`` of
        the plug-in entropies: ``H(T)`` for ``i_yt``, ``H(S)`` for ``i_ys``, ``H(T,S)`` for
        ``i_yts``. The four atoms are >= 0 and sum to I(Y;T,S), so an atom's is the bound of each
        information it is part of: ``min(H(Y), H(T,S))`` for ``syn``, ``min(H(Y), H(T), H(S),
        H(T,S))`` for ``red``. (An atom above a corrected information holding it, Syn above
        ``i_yts``, is another atom below 0: ``negative`` lists that one, not this.) Like
        ``negative``, a value a correction can reach (the plug-in entropies are biased low
        themselves) and read as "at the bound within noise"; never clipped.
    determining_side : str or None
        ``"t"`` or ``"s"`` where the sample's counts show that side determining the other (each of
        its observed values seen at least
        :data:`~pidkit.estimate.correction.DETERMINING_MIN_COUNT` times, always with one value of
        the other side: a copy, a coarsening, a one-valued side;
        :func:`~pidkit.estimate.correction.determining_side`), else ``None``. The corrected
        ``i_yts`` is then that side's corrected information, as the plug-in's is in every table,
        and for the measures of :data:`~pidkit.estimate.correction.DEPENDENT_SIDE_HAS_NO_UNIQUE`
        so is I*: Syn and the other side's Uni are exactly 0. ``None`` for ``"none"`` (the
        plug-in is reported as solved).
    rounding_amplification : float
        How many times the solves' tolerance the corrected values can carry: each is a weighted
        sum of solves certified to within it, and this is the sum of ``|w|`` of the weights,
        :func:`~pidkit.estimate.extrapolation.rounding_amplification` of ``subsample_sizes``
        (5 for halves and quarters: 8/3, -2 and 1/3; 4.98 at (450, 225, 112)); for the mean over
        clusterings (``cluster_seeds``) the largest of theirs. 1 for ``"none"`` and for the
        Gaussian estimator (one solve, on the corrected channels). ``negative`` is judged with it.
    kink_pretest_shift : float
        How far the kink pretest of ``"eb-extrapolation-kink"`` lowered both unique informations
        and raised Red and Syn from the extrapolation's values
        (:func:`~pidkit.estimate.kink.kink_pretest_shift`: half the smaller Uni where the
        extrapolation left it above 0 and at most 1.5 times what it took off the mean Uni);
        ``corrected`` and ``bias`` include it. 0 where the pretest did not fire and for every other
        method.

    Its ``repr`` is a table of the corrected and plug-in values and the bias of each (values
    within :meth:`rounding_levels` of 0 print as 0), then a line for each flag that is set:
    ``negative``, ``above_bound``, ``determining_side``, ``kink_pretest_shift``, ``kink`` and
    ``n_failed``; notes longer than a line are wrapped at 100 characters.

    Examples
    --------
    :func:`~pidkit.estimate.correct_counts` returns one, and every :class:`~pidkit.estimate.RepresentationPID`
    carries one as ``correction``. Y = (T + S) mod 4 for independent uniform T, S in 0..3, 400
    samples: the truth is I(Y;T) = I(Y;S) = 0 and Syn = 2 bits; the plug-in sees information in
    each input alone, which the correction mostly removes.

    >>> import numpy as np
    >>> from pidkit import joint_from_samples
    >>> from pidkit.estimate import correct_counts
    >>> rng = np.random.default_rng(0)
    >>> t, s = rng.integers(0, 4, 400), rng.integers(0, 4, 400)
    >>> fix = correct_counts(joint_from_samples((t + s) % 4, t, s).counts)
    >>> fix.method, fix.subsample_sizes, fix.n_repeats
    ('eb-extrapolation-kink', (400, 200, 100), 8)
    >>> [round(fix.plugin[k], 4) for k in ("i_yt", "i_ys", "syn")]
    [0.0142, 0.022, 1.9687]
    >>> [round(fix.corrected[k], 4) for k in ("i_yt", "i_ys", "syn")]
    [0.0054, 0.0099, 2.0408]
    >>> fix.negative             # corrected below 0: indistinguishable from 0 at this n
    ('uni_t',)
    >>> fix.above_bound          # Syn 2.04 and I(Y;T,S) 2.05 above H(Y) = 2 bits: there within noise
    ('syn', 'i_yts')
    >>> print(fix)          # the table, and what the flags say
    BiasCorrection(eb-extrapolation-kink, subsample sizes [400, 200, 100] x 8 partitions)
      atom      corrected    plug-in       bias   (bits)
      red        0.005897   0.008952   0.003055
      uni_t     -0.000449   0.005234   0.005683
      uni_s      0.004032   0.013087   0.009054
      syn        2.040844   1.968716  -0.072128
      i_yt       0.005448   0.014187   0.008739
      i_ys       0.009929   0.022039   0.012110
      i_yts      2.050325   1.995989  -0.054335
      note: uni_t corrected below 0, not clipped (negative): pid_from_representations(...,
            bootstrap=200) tells noise from an overshoot
      note: syn, i_yts corrected above min(H(Y), H(source)) of the plug-in entropies, not clipped
            (above_bound): at that bound within noise
    >>> fix.to_dict()["corrected"] == fix.corrected      # JSON-ready
    True

    A student that copies the teacher's values under other names: the sample shows T determining S,
    and Syn and Uni(Y:S\\T) are exactly 0, as in the plug-in.

    >>> copy = correct_counts(joint_from_samples((t + s) % 4, t, 3 - t).counts)
    >>> copy.determining_side, copy.corrected["syn"], copy.corrected["uni_s"]
    ('t', 0.0, 0.0)
    >>> round(copy.rounding_amplification, 12)  # weights 8/3, -2 and 1/3 at (400, 200, 100)
    5.0
    """

    __module__ = "pidkit.estimate"  # where users import it from: messages and pickles name it

    method: str
    plugin: dict[str, float]
    corrected: dict[str, float]
    bias: dict[str, float]
    subsample_sizes: tuple[int, ...]
    n_repeats: int
    negative: tuple[str, ...] = ()
    n_failed: int = 0
    units: str = "bits"
    kink: float = 0.0
    subsample_means: dict[str, list[float]] = field(default_factory=dict)
    above_bound: tuple[str, ...] = ()
    determining_side: str | None = None
    rounding_amplification: float = 1.0
    kink_pretest_shift: float = 0.0

    @property
    def kink_corrected(self) -> dict[str, float]:
        """The seven quantities if the union information's bias shrank like n**-1/2 (see ``kink``).

        Unique informations ``kink`` lower, Red and Syn ``kink`` higher, the informations as they
        are; the PID identities still hold.
        """
        return unique_lowered(self.corrected, self.kink)

    def rounding_levels(self) -> tuple[float, float]:
        """Below what a plug-in value, and a corrected value or bias, is taken for 0.

        The corrected values combine several solves' rounding, so theirs is the plug-in's level
        times ``rounding_amplification`` (:func:`pidkit.below_zero.rounding_level`); the ``repr``
        of this record and of :class:`~pidkit.estimate.RepresentationPID` print values within
        them as 0.

        Returns
        -------
        (float, float)
            The plug-in values' level, then the corrected values' (and their intervals').

        Examples
        --------
        >>> from pidkit.estimate import correct_counts
        >>> fix = correct_counts([[[40, 10], [10, 40]], [[10, 40], [40, 10]]])
        >>> plugin_level, corrected_level = fix.rounding_levels()
        >>> round(corrected_level / plugin_level, 12) == round(fix.rounding_amplification, 12)
        True
        """
        values = [*self.corrected.values(), *self.plugin.values()]
        return rounding_level(values), rounding_level(values, amplification=self.rounding_amplification)

    def __repr__(self) -> str:
        u = self.units
        how = (f"subsample sizes {list(self.subsample_sizes)} x {self.n_repeats} partitions"
               if self.n_repeats > 0 else "no correction: corrected = plug-in")
        zero, fitted_zero = self.rounding_levels()
        lines = [f"BiasCorrection({self.method}, {how})"]
        lines.extend(value_table([("corrected", self.corrected, fitted_zero), ("plug-in", self.plugin, zero),
                                  ("bias", self.bias, fitted_zero)], u))
        notes = []
        if self.negative:
            notes.append(f"  note: {', '.join(self.negative)} corrected below 0, not clipped (negative): "
                         "pid_from_representations(..., bootstrap=200) tells noise from an overshoot")
        if self.above_bound:
            notes.append(f"  note: {', '.join(self.above_bound)} corrected above min(H(Y), H(source)) of the "
                         "plug-in entropies, not clipped (above_bound): at that bound within noise")
        if self.determining_side is not None:
            side, other = ("T", "S") if self.determining_side == "t" else ("S", "T")
            notes.append(f"  note: the sample shows {side} determining {other} (determining_side "
                         f"{self.determining_side!r}): i_yts is the corrected i_y{self.determining_side}")
        if self.kink_pretest_shift > 0:
            notes.append(f"  pretest: the kink pretest lowered both Uni by {self.kink_pretest_shift:.4g} {u} "
                         "and raised Red and Syn as much (kink_pretest_shift)")
        if self.kink > 0:
            notes.append(f"  kink: were both Uni 0 at a kink of the BROJA optimum (a bias ~ n^-1/2), each "
                         f"would be {self.kink:.4g} {u} lower, Red and Syn as much higher (kink_corrected)")
        if self.n_failed:
            notes.append(f"  note: {self.n_failed} subsample solves not certified, left out of the means "
                         "(n_failed)")
        return "\n".join([*lines, *map(wrapped_line, notes)])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field.

        Returns
        -------
        dict
            The fields by name; tuples as lists, the dicts copied.
        """
        return {
            "method": self.method,
            "plugin": dict(self.plugin),
            "corrected": dict(self.corrected),
            "bias": dict(self.bias),
            "subsample_sizes": list(self.subsample_sizes),
            "n_repeats": self.n_repeats,
            "negative": list(self.negative),
            "n_failed": self.n_failed,
            "units": self.units,
            "kink": self.kink,
            "subsample_means": {name: list(values) for name, values in self.subsample_means.items()},
            "above_bound": list(self.above_bound),
            "determining_side": self.determining_side,
            "rounding_amplification": self.rounding_amplification,
            "kink_pretest_shift": self.kink_pretest_shift,
        }
