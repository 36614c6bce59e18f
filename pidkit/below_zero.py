"""Values below 0: which quantities are (beyond the rounding of an exact 0), and what each says.

An information that is exactly 0 (a side with one value, a source independent of the rest) comes
out of a difference of entropies, or of corrected values, as about -1e-16 rather than 0, and an
atom that is exactly 0 comes out of a solve as about -1e-12 (the solves are certified to 1e-9
bits), or out of a bias correction, which combines several solves, as about -1e-9. Such a value is
not "below 0" in any sense a user can act on: :func:`rounding_level` says how far from 0 rounding
and the solves' tolerance reach (times the correction's amplification of it), and
:func:`below_zero` names only the quantities below it. :func:`replicates_without_spread` names
the quantities whose bootstrap replicates all lay within that level of one another, so that an
interval made of their spread has no width, and :func:`no_spread_note` says so in the words the
``repr`` of a :class:`~pidkit.gaussian.GaussianPIDEstimate` uses (the note of a
:class:`~pidkit.estimate.RepresentationPID`).

A bias correction does not clip its values at 0 (``BiasCorrection.negative`` names the ones below
0, :func:`below_zero`). Such a value is one of four things, told apart by
:func:`below_zero_verdicts` from plain values (a result's, or an audit record's fields), or, where
no bootstrap measured its spread, not judged:

- ``"signed measure"``: Syn of a redundancy measure whose Syn is below 0 by definition wherever
  its Red is below I(Y;T) + I(Y;S) - I(Y;T,S) (every measure but ``"broja"`` and ``"mmi"``);
- ``"overshoot"``: the whole centred bootstrap interval lay below 0 (its upper end clipped to 0)
  at ``confidence`` :data:`OVERSHOOT_CONFIDENCE` or above, which a quantity >= 0 estimated
  without bias rarely gives: the correction likely overshoots;
- ``"low confidence"``: the same at a lower ``confidence``, where a quantity at 0 has its whole
  interval below 0 in (1 - confidence) / 2 of samples;
- ``"noise"``: the value cannot be told from 0 at this sample size: its interval reaches above
  0 (an interval that is not read, not centred or of unknown confidence or without ends, gives
  this too);
- ``"not judged"``: there are no intervals (no bootstrap), or they were made of fewer replicates
  than their confidence needs (:func:`fewest_replicates`), so nothing measured how far from 0 the
  value can fall by chance: it is called neither noise nor an overshoot. Its size does not tell
  them apart (20 draws each, B = 50): on 3 labels, 400 samples and a student of noise, Syn's
  centred 95 % interval called it an overshoot where it lay below 0 by 0.24 to 0.42 of what the
  correction removed and noise at 0.03 to 0.24, while on a binary Y with T a 20 % flip of it and S
  independent, and on a noisy XOR (n = 450), values at 0 that their intervals called noise lay
  below 0 by up to 0.99 and 1.0 of their correction.

The bias corrections and the ``repr`` of a :class:`~pidkit.estimate.RepresentationPID` read this
module, and so does the report of ``pidkit-distill``, which reads audit records and needs neither
scikit-learn nor the estimators (``pidkit.estimate`` re-exports :func:`below_zero_verdicts`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

import numpy as np
from numpy.typing import ArrayLike

from pidkit._names import check_choice
from pidkit._rounding import ROUNDING_TOLERANCE, rounding_level
from pidkit._settings import check_confidence, check_int, check_option
from pidkit.gaussian.pid import MEASURE as GAUSSIAN_MEASURE
from pidkit.redundancy import MEASURES, NONNEGATIVE_MEASURES
from pidkit.resampling import CI_METHODS, QUANTITIES

__all__ = ["BELOW_ZERO_VERDICTS", "NO_SPREAD_CAUSE", "OVERSHOOT_CONFIDENCE", "PID_MEASURES",
           "ROUNDING_TOLERANCE", "below_zero", "below_zero_verdicts", "coarse_interval_note",
           "confidence_percent", "fewest_replicates", "no_spread_note", "replicates_without_spread",
           "rounding_level"]


def below_zero(values: Mapping[str, float], scale: Iterable[float] = (), *,
               amplification: float = 1.0) -> tuple[str, ...]:
    """The names of ``values`` below 0 by more than :func:`rounding_level` of them and ``scale``.

    Parameters
    ----------
    values : mapping of str to float
        The quantities, by name (e.g. the corrected atoms and informations).
    scale : iterable of float, optional
        Further values that set the scale of the rounding (e.g. the plug-in ones).
    amplification : float, default=1.0
        How many times the solves' rounding ``values`` can carry, as :func:`rounding_level`
        takes it: 1 for plug-in values, the correction's ``rounding_amplification`` for
        corrected ones.

    Returns
    -------
    tuple of str
        In the order of ``values``.

    Examples
    --------
    >>> from pidkit.below_zero import below_zero
    >>> below_zero({"red": 0.0, "uni_s": -1.5e-12, "syn": -0.01, "i_yts": 1.5})
    ('syn',)
    >>> corrected = {"syn": -1.6e-9, "i_yts": 1.0}  # an exact 0 after an extrapolation of solves
    >>> below_zero(corrected), below_zero(corrected, amplification=5.0)
    (('syn',), ())
    """
    zero = rounding_level([*values.values(), *scale], amplification=amplification)
    return tuple(name for name, value in values.items() if value < -zero)


NO_SPREAD_CAUSE = "too few resamples, or a value pinned at a bound in every one"
"""What :func:`no_spread_note` gives as the cause of replicates without spread, where the caller
knows no other."""


def replicates_without_spread(replicates: Mapping[str, ArrayLike] | None) -> dict[str, float]:
    """The quantities whose bootstrap replicates have no spread, with the median of each.

    A quantity whose finite replicates (two or more) all lie within :func:`rounding_level` of one
    another gets an interval of no width from them (:func:`pidkit.resampling.bootstrap_intervals`):
    the estimate alone.

    Parameters
    ----------
    replicates : mapping of str to array_like of float, or None
        Each quantity's bootstrap replicates, by name (NaN: a failed replicate, left out); None
        without a bootstrap.

    Returns
    -------
    dict of str to float
        Quantity -> the median of its replicates, in the order of ``replicates``.

    Examples
    --------
    >>> from pidkit.below_zero import replicates_without_spread
    >>> replicates_without_spread({"red": [0.2, 0.3], "uni_s": [1e-12, 3e-12, float("nan")]})
    {'uni_s': 2e-12}
    """
    flat = {}
    for name, values in (replicates or {}).items():
        finite = np.asarray(values, dtype=float)
        finite = finite[np.isfinite(finite)]
        if finite.size > 1 and np.ptp(finite) <= rounding_level(finite):
            flat[name] = float(np.median(finite))
    return flat


def no_spread_note(flat: Mapping[str, float], n_boot: int, *, zero: float = 0.0,
                   cause: str = NO_SPREAD_CAUSE) -> str:
    """The note of a result's ``repr`` on bootstrap replicates without spread
    (:func:`replicates_without_spread`): their interval has no width, which says that the
    resamples never moved the value, not that it is certain. The
    :class:`~pidkit.estimate.RepresentationPID` and :class:`~pidkit.gaussian.GaussianPIDEstimate`
    reprs print it.

    Parameters
    ----------
    flat : mapping of str to float
        Quantity -> the one value of its replicates.
    n_boot : int
        The number of replicates asked for (B), as the note names it.
    zero : float, default=0.0
        The caller's :func:`rounding_level`: a value within it of 0 is named as 0.
    cause : str, default=:data:`NO_SPREAD_CAUSE`
        Why the replicates may have no spread.

    Returns
    -------
    str
        The note, from ``"note: "``, on one line.

    Examples
    --------
    >>> from pidkit.below_zero import no_spread_note
    >>> print(no_spread_note({"red": 0.25, "uni_s": 6e-13}, 20, zero=1e-9))
    note: every bootstrap replicate of red was 0.25, of uni_s was 0 (B=20): an interval made of \
their spread has no width, which is no certainty: too few resamples, or a value pinned at a bound \
in every one
    """
    were = ", ".join(f"of {name} was {0.0 if abs(value) <= zero else value:.4g}"
                     for name, value in flat.items())
    return (f"note: every bootstrap replicate {were} (B={n_boot}): an interval made of their spread "
            f"has no width, which is no certainty: {cause}")


PID_MEASURES = (*MEASURES, GAUSSIAN_MEASURE)
"""The measures whose values :func:`below_zero_verdicts` reads: every redundancy measure and the
Gaussian BROJA PID."""

BELOW_ZERO_VERDICTS = ("signed measure", "overshoot", "low confidence", "noise", "not judged")
"""What :func:`below_zero_verdicts` can say of a value below 0, in the order the notes give them."""

OVERSHOOT_CONFIDENCE = 0.95
"""The lowest ``confidence`` at which a centred interval wholly below 0 is read as the correction
overshooting: a quantity at 0, estimated without bias, has its whole interval below 0 in
(1 - confidence) / 2 of samples. Measured (binary Y, T a 20 % flip of it, S independent, so
I(Y;S), Red and Syn are 0 and their corrected values centred at 0; 40 draws, B = 50): at 0.5 the
note fired in 17 of 40 results at n = 450 and 16 at n = 2000, at 0.95 in 2 and 1."""

_N_BOOT_HINT = ("Pass the replicates the intervals were made of (a result's settings['bootstrap'] less its "
                "settings['bootstrap_failed']), 0 without a bootstrap, or None where not known.")
"""The end of :func:`below_zero_verdicts`' refusal of an ``n_boot`` that is no count."""


def confidence_percent(share: float) -> str:
    """A confidence (or another share in [0, 1]) as a percentage, never rounded across a bound
    that changes what it means.

    Six significant digits, as ``:g`` prints them (0.949: ``94.9%``), and as many more as it
    takes for the printed share, read back, to be on the same side of
    :data:`OVERSHOOT_CONFIDENCE` as ``share`` (0.9499996: ``94.99996%``, not the ``95%`` that
    would say the confidence at which :func:`below_zero_verdicts` reads an overshoot), and
    strictly between 0 and 100 where ``share`` is (0.9999999: ``99.99999%``, not ``100%``).

    Parameters
    ----------
    share : float
        The share, e.g. ``confidence`` (0.95) or ``(1 - confidence) / 2``.

    Returns
    -------
    str
        The percentage with its sign, e.g. ``"95%"``.

    Examples
    --------
    >>> from pidkit.below_zero import confidence_percent
    >>> confidence_percent(0.95), confidence_percent(0.949), confidence_percent(0.9499996)
    ('95%', '94.9%', '94.99996%')
    >>> confidence_percent((1 - 0.95) / 2), confidence_percent(0.9999999)
    ('2.5%', '99.99999%')
    """
    def same_side(text: str) -> bool:
        shown = float(text)
        return ((shown >= OVERSHOOT_CONFIDENCE) == (share >= OVERSHOOT_CONFIDENCE)
                and (0.0 < shown < 1.0) == (0.0 < share < 1.0))

    # 17 significant digits read back as the float itself, so the loop always ends
    text = next(text for digits in range(6, 18)
                if same_side(text := f"{share:.{digits}g}"))
    return f"{Decimal(text).scaleb(2).normalize():f}%"


def fewest_replicates(confidence: float) -> int:
    """The fewest bootstrap replicates B from which an interval at ``confidence`` can be read.

    The range of B replicates (from the smallest to the largest) holds on average (B - 1) / (B + 1)
    of the distribution they are drawn from. Where that is below ``confidence``, even the whole
    range is expected to hold less than the interval claims: its ends are no quantiles but the
    most extreme replicates, interpolated (B = 2 at 95 %: 95 % of the distance between two
    numbers, a range that holds a third of the distribution on average). So B must be at least
    (1 + confidence) / (1 - confidence): 39 at 95 %, 199 at 99 %, 1999 at 99.9 %, about one
    replicate expected beyond each end, the least from which an end is a quantile at all. It is
    a floor, not a recommendation: an end set by a handful of replicates still moves from one
    bootstrap to the next (a few hundred at 95 % steady it).

    Parameters
    ----------
    confidence : float
        The intervals' confidence, in (0, 1).

    Returns
    -------
    int

    Raises
    ------
    TypeError, ValueError
        For a ``confidence`` that is no number in (0, 1).

    Examples
    --------
    >>> from pidkit.below_zero import fewest_replicates
    >>> fewest_replicates(0.95), fewest_replicates(0.99), fewest_replicates(0.999), fewest_replicates(0.5)
    (39, 199, 1999, 3)
    """
    confidence = check_confidence(confidence)
    # rounded first, so that 1.95 / 0.05 = 38.99999999999999 (or 39.00000000000001) gives 39
    return math.ceil(round((1.0 + confidence) / (1.0 - confidence), 6))


def coarse_interval_note(n_boot: int, confidence: float) -> str | None:
    """The note of a result's ``repr`` whose ``n_boot`` replicates are too few for intervals at
    ``confidence`` (:func:`fewest_replicates`); None where they are enough. The
    :class:`~pidkit.estimate.RepresentationPID` and :class:`~pidkit.gaussian.GaussianPIDEstimate`
    reprs print it, and :func:`below_zero_verdicts` given ``n_boot`` reads no such interval.

    Parameters
    ----------
    n_boot : int
        The number of replicates the intervals were made of (B).
    confidence : float
        The intervals' confidence, in (0, 1).

    Returns
    -------
    str or None
        The note, from ``"note: "``, on one line.

    Examples
    --------
    >>> from pidkit.below_zero import coarse_interval_note
    >>> print(coarse_interval_note(2, 0.95))
    note: the 95% intervals are too coarse to read: B=2 replicates, fewer than the 39 whose whole \
range is expected to hold 95% of their distribution, so their ends are no quantiles; pass \
bootstrap=200 (at least 39), or a lower confidence
    >>> coarse_interval_note(39, 0.95) is None
    True
    """
    fewest = fewest_replicates(confidence)
    if n_boot >= fewest:
        return None
    level = confidence_percent(confidence)
    suggested = max(200, 100 * math.ceil(fewest / 100))
    return (f"note: the {level} intervals are too coarse to read: B={n_boot} replicates, fewer than "
            f"the {fewest} whose whole range is expected to hold {level} of their distribution, so "
            f"their ends are no quantiles; pass bootstrap={suggested} (at least {fewest}), or a lower "
            "confidence")


def below_zero_verdicts(
    negative: Iterable[str],
    *,
    measure: str,
    intervals: Mapping[str, Sequence[float]] | None = None,
    ci_method: str | None = None,
    confidence: float | None = None,
    zero: float = 0.0,
    n_boot: int | None = None,
) -> dict[str, str]:
    """What each corrected value below 0 says, one of :data:`BELOW_ZERO_VERDICTS`.

    Parameters
    ----------
    negative : iterable of str
        The quantities corrected below 0 (``BiasCorrection.negative``; an audit record's
        ``bias_correction["negative"]``), names of ``pidkit.resampling.QUANTITIES``, e.g.
        ``["syn"]``.
    measure : str
        The measure of the PID, as its result names it (``"broja"``, ``"wedge"``, ...,
        ``"gaussian-broja"``); only Syn of a measure other than ``"broja"``, ``"mmi"`` and
        ``"gaussian-broja"`` is ``"signed measure"``.
    intervals : mapping of str to (low, high), optional
        The bootstrap intervals by quantity, ends clipped at 0 as a result holds them; ``None``
        (no bootstrap) makes every other value ``"not judged"``; an upper end that is ``None`` or
        NaN (a failed solve's, as an audit record writes it) makes it ``"noise"``.
    ci_method : {"centred", "basic", "percentile"}, optional
        How the intervals were made. Only a ``"centred"`` interval is read: ``"basic"`` and
        ``"percentile"`` move theirs by the bias of the bootstrap world, not this one's; ``None``
        (not known) reads no interval.
    confidence : float, optional
        The intervals' confidence, in (0, 1); ``None`` (not known) reads no interval.
    zero : float, default 0.0
        How far above 0 an interval's upper end can be and still be 0 (the rounding level of the
        values, :func:`rounding_level`).
    n_boot : int, optional
        The number of replicates the intervals were made of, e.g. a result's
        ``settings["bootstrap"]`` less its ``settings["bootstrap_failed"]``. Fewer than
        :func:`fewest_replicates` of ``confidence`` make every value that ``intervals`` would
        judge ``"not judged"``: such intervals cannot say how far from 0 a value falls by chance.
        0 (no bootstrap, as ``bootstrap=0`` records it) or 1 (one replicate: no spread) do so at
        any ``confidence``, known or not, as ``intervals=None`` does. ``None`` (not known): the
        intervals are read as they are.

    Returns
    -------
    dict of str to str
        The verdict of each quantity of ``negative``, in its order.

    Raises
    ------
    TypeError
        ``negative`` is one string (``"syn"``, not ``["syn"]``), ``confidence`` is no number, or
        ``n_boot`` is no int.
    ValueError
        ``measure`` is no measure of a PID, ``negative`` names no quantity of a PID,
        ``ci_method`` is not one of ``pidkit.resampling.CI_METHODS``, ``confidence`` is not in
        (0, 1), ``n_boot`` is below 0, or ``intervals`` has no interval for a quantity of
        ``negative``.

    Examples
    --------
    A centred 95 % interval wholly below 0 (``[value, 0.0]``) against one that reaches above 0:

    >>> from pidkit.below_zero import below_zero_verdicts
    >>> intervals = {"syn": (-0.147, 0.0), "uni_s": (-0.02, 0.013)}
    >>> below_zero_verdicts(["uni_s", "syn"], measure="broja", intervals=intervals,
    ...                     ci_method="centred", confidence=0.95)
    {'uni_s': 'noise', 'syn': 'overshoot'}
    >>> below_zero_verdicts(["syn"], measure="broja", intervals=intervals,
    ...                     ci_method="centred", confidence=0.5)
    {'syn': 'low confidence'}
    >>> below_zero_verdicts(["syn"], measure="wedge")
    {'syn': 'signed measure'}

    Without a bootstrap nothing measured the values' spread, nor with too few replicates for the
    confidence (2 at 95 %):

    >>> below_zero_verdicts(["uni_s", "syn"], measure="broja")
    {'uni_s': 'not judged', 'syn': 'not judged'}
    >>> below_zero_verdicts(["uni_s", "syn"], measure="broja", intervals=intervals,
    ...                     ci_method="centred", confidence=0.95, n_boot=2)
    {'uni_s': 'not judged', 'syn': 'not judged'}

    A result made without ``bootstrap=`` records ``bootstrap=0``: its own settings can be passed
    as they are:

    >>> below_zero_verdicts(["syn"], measure="broja", intervals=None, ci_method="centred",
    ...                     confidence=0.95, n_boot=0)
    {'syn': 'not judged'}
    """
    if isinstance(negative, str):
        raise TypeError(f"negative must be a list of quantity names, e.g. [{negative!r}]; got the "
                        f"string {negative!r}, whose letters would be read as names")
    names = [check_choice(name, QUANTITIES, name="a name in negative") for name in negative]
    check_choice(measure, PID_MEASURES, name="measure")
    check_option(ci_method, "ci_method", (*CI_METHODS, None))
    if confidence is not None:
        confidence = check_confidence(confidence)
    missing = [name for name in names if intervals is not None and name not in intervals]
    if missing:
        raise ValueError(
            f"intervals has no interval for {', '.join(map(repr, missing))} of negative; pass the "
            "result's intervals (one (low, high) per quantity), or None without a bootstrap"
        )
    if n_boot is not None:
        n_boot = check_int(n_boot, "n_boot", minimum=0, hint=_N_BOOT_HINT,
                           meaning="a count of replicates, e.g. n_boot=200")
    # 0 or 1 replicate: no spread at any confidence (fewest_replicates is at least 2)
    coarse = n_boot is not None and (n_boot < 2 or (confidence is not None
                                                    and coarse_interval_note(n_boot, confidence) is not None))
    verdicts = {}
    for name in names:
        if name == "syn" and measure in MEASURES and measure not in NONNEGATIVE_MEASURES:
            verdicts[name] = "signed measure"
        elif intervals is None or coarse:
            verdicts[name] = "not judged"
        elif (ci_method == "centred" and confidence is not None
              and (high := intervals[name][1]) is not None and high <= zero):
            verdicts[name] = "overshoot" if confidence >= OVERSHOOT_CONFIDENCE else "low confidence"
        else:
            verdicts[name] = "noise"
    return verdicts
