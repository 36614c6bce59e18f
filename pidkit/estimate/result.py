"""The result of :func:`pidkit.estimate.pid_from_representations`, for either estimator.

:class:`RepresentationPID` holds the corrected atoms, the plug-in ones, how the bias was
corrected, the intervals and every setting, in the same fields whether the PID was estimated from
clusters (``estimator="discrete"``) or from a Gaussian model of the components
(``estimator="gaussian"``), so that the training audit and users read both alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from pidkit._result import PIDResult, attribute_error, jsonable, show_pretty
from pidkit._text_wrap import wrapped_line
from pidkit._value_table import as_printed, value_table
from pidkit.below_zero import (
    BELOW_ZERO_VERDICTS,
    NO_SPREAD_CAUSE,
    OVERSHOOT_CONFIDENCE,
    below_zero_verdicts,
    coarse_interval_note,
    confidence_percent,
    no_spread_note,
    replicates_without_spread,
)
from pidkit.gaussian.sample_notes import (
    NO_INTERVALS_NOTE,
    above_label_entropy_note,
    few_samples_note,
    replicate_failures_note,
)
from pidkit.redundancy import NONNEGATIVE_MEASURES
from pidkit.resampling import ATOMS, INFORMATIONS, QUANTITIES

from .bias_warning import BIAS_WARNING_RATIO, PluginBiasWarning, bias_ratio, bias_warning_text
from .cluster_seeds import first_clustering_note, seed_line
from .correction import BiasCorrection, determined_zeros
from .discretize import Discretizer
from .kink import KINK_PRETEST, kink_fraction
from .project import Projector
from .result_words import (
    clusters_note,
    constant_side_words,
    determination_words,
    outside_interval_note,
    percent_words,
    side_settings_words,
)

__all__ = [
    "BIAS_WARNING_RATIO",
    "KINK_SHOWN_BELOW",
    "PluginBiasWarning",
    "RepresentationPID",
    "bias_ratio",
    "bias_warning_text",
]

KINK_SHOWN_BELOW = 10.0
"""The ``repr`` prints the kink line while the smaller corrected Uni is at most this many kinks (the
n**-1/2 model would move it by a tenth or more) and the larger at most this many times the shift
that model gives before its cap at the smaller Uni (both could be the 0 it assumes). At the kink
itself (Y, T, S of 3 values, T and S equally noisy copies of Y: both Uni 0) the smaller was 1 to
4.3 kinks and the larger 1.2 to 7.6 shifts in the 14 of 40 draws at n = 400 and 2000 with a kink;
with only Uni(Y:S\\T) at 0 (Y -> T -> S, the plug-in's bias of the mean Uni shrinking like 1/n,
not n**-1/2) the larger was 110 to 6000 shifts in the 11 with one; two noisy copies of different
bits of Y gave Uni of 0.7 bits, 270 kinks."""

_PRINTED_ROUNDING = 5e-7
"""Half the last digit the ``repr`` prints of a value (6 decimals)."""


@dataclass(frozen=True, eq=False)
class RepresentationPID:
    """PID of (labels, teacher features, student features) with everything needed to trust it.

    The atoms (``red``, ``uni_t``, ``uni_s``, ``syn``) and informations (``i_yt``, ``i_ys``,
    ``i_yts``) are the bias-corrected values (``correction.method``; equal to the plug-in for
    ``"none"``). They satisfy the PID identities with each other. The discrete estimator's values
    are not clipped at 0, and ``correction.negative`` names any that came out below 0
    (the ``repr`` reads them with the intervals); the Gaussian estimator's atoms are never below 0.

    Attributes
    ----------
    pid : PIDResult
        The decomposition solved on the full sample, with the solver's status: for
        ``estimator="discrete"`` the plug-in PID of the empirical joint ``p``; for ``"gaussian"``
        the result of :func:`pidkit.gaussian_pid_from_samples` (corrected atoms; its
        ``diagnostics["plug_in"]`` holds the plug-in ones). With ``cluster_seeds`` above 1, ``pid``,
        ``p``, ``counts``, ``labels`` and ``discretizers`` are the first clustering's (the atoms and
        ``plugin`` their mean), so ``pid`` stays the plug-in PID of ``p``.
    p : numpy.ndarray or None
        The empirical joint ``p[y, t, s]`` (None for the Gaussian estimator).
    counts : numpy.ndarray of int or None
        Sample counts behind ``p`` (``p = counts / n_samples``; None for the Gaussian estimator).
    labels : dict of str to numpy.ndarray or None
        For ``"y"``, ``"t"``, ``"s"``: the original label (or cluster id) of every index of ``p``
        (for the Gaussian estimator, only ``"y"``: the label of every one-hot column but the first).
    n_samples : int
    settings : dict
        Every setting used: estimator, measure, units, seed, bias correction, bootstrap, and per
        variable how it was discretised or projected (features, components, clusters and the rule
        that chose their number, normalisation, seed, explained variance). A clustered side with
        fewer clusters than labels whose plug-in I(Y;side) reaches :data:`~pidkit.estimate.CAP_SHARE`
        (90 %) of the ``log2(k)`` its ``k`` clusters can hold has ``information_cap`` too
        (:func:`~pidkit.estimate.information_cap`): the cap, the share, the samples and clusters
        that lift it and their cost in bias, and the ``note`` the ``repr`` prints. With
        ``cluster_seeds=k`` above 1, ``cluster_seed_values`` and ``cluster_seed_sd`` (the ``repr``
        prints them), and the atoms are the mean over the k clusterings.
    correction : BiasCorrection
        Method, plug-in and corrected values, the estimated bias of each, subsample sizes.
    bias : dict of str to float
        Expected plug-in bias of ``i_yt``, ``i_ys`` and ``i_yts``, in ``units``, and ``"ratio"`` =
        bias of ``i_yts`` / plug-in ``i_yts``: first order, ``(m_YB - m_Y - m_B + 1) / (2 n)``
        nats over the cells the samples reach (a cell seen counts 1; the cells not seen share the
        Good-Turing mass ``f1 / n``), at least 0, for the discrete estimator (docs/estimate.md,
        "The first-order rule"); exact under the Gaussian model (the Wishart bias of the
        log-determinants, :func:`pidkit.gaussian.information_bias`) for the Gaussian one. The
        ratio is :func:`bias_ratio`: 0.0 when the bias is 0 (Y or (T, S) of one value: the 0/0 of
        an information that is exactly 0), ``inf`` (None in ``to_dict``) when only the plug-in is 0.
        The discrete estimator's also holds ``"uni_at_kink"``: the plug-in bias each unique
        information is expected to have at least if the joint is at a kink of the BROJA optimum,
        0.0 where a plug-in Uni is more than 2.5 standard errors of I(Y;T) - I(Y;S) above 0
        (:func:`~pidkit.estimate.bias_warning.unique_kink_bias`; the mean over the clusterings
        with ``cluster_seeds``).
    bias_warning : str or None
        With ``bias_correction="none"``: the warning text when ``bias["ratio"] >
        BIAS_WARNING_RATIO`` and ``bias["i_yts"]`` is above ``BIAS_WARNING_FLOOR`` (5e-4 bits; never
        when the bias is 0: there is nothing to correct), else when ``bias["uni_at_kink"]`` is
        above that floor (the text then names the unique informations).
    intervals : dict of str to (float, float) or None
        Bootstrap intervals around the corrected values (``settings["ci_method"]``), when
        ``bootstrap > 0``; ``None`` without ``bootstrap=`` (the default, 0), so that
        ``res.intervals["red"]`` then fails with Python's ``'NoneType' object is not subscriptable``:
        pass ``bootstrap=200`` for intervals, or test ``res.intervals is None`` first (it stays
        ``None``, not an empty dict, for the callers that test it). Those of the four atoms
        stretch by ``correction.kink`` towards the values under an n**-1/2 bias of the union
        information (``correction.kink_corrected``).
        Ends are clipped at 0 (no quantity is below 0), but never above the value: a corrected
        value below 0 (in ``correction.negative``) is its interval's lower end, not left below
        an interval starting at 0. (``ci_method="basic"`` and ``"percentile"`` move an interval
        by the bias the bootstrap shows, so those can leave the value out; so can ``"centred"``
        at a low ``confidence``, e.g. 0.5, where the replicates are skewed.)
    bootstrap_samples : dict of str to numpy.ndarray or None
        The (corrected) replicates behind ``intervals``; NaN where a replicate failed; ``None``
        without ``bootstrap=``, as ``intervals``.
    discretizers : tuple of (Discretizer, Projector or None)
        The fitted teacher and student pipelines: :class:`~pidkit.estimate.Discretizer` for the
        discrete estimator, :class:`~pidkit.estimate.Projector` for the Gaussian one (``None`` for a
        side given as labels); pass them back as ``discretizers=`` to reuse them on other features.

    Notes
    -----
    The ``repr`` is a table of the corrected and plug-in values (and intervals), then notes:

    - Values within :func:`rounding_level` of 0 (an exact 0 that came back as -7e-17; for the
      corrected values and intervals, times ``correction.rounding_amplification``) print as 0
      and are not listed as "corrected below 0" (nor in ``correction.negative``).
    - The kink line (``correction.kink``) is printed only where it says something: the kink
      would change a printed digit (at least 5e-7), the smaller corrected Uni is at most
      :data:`KINK_SHOWN_BELOW` kinks (the kink moves it by a tenth or more) and the larger at
      most as many times the n**-1/2 model's shift before its cap, i.e. neither clearly above the
      0 that the model assumes of both Uni. It gives both Uni under that model and what to do.
    - Where the kink pretest of ``"eb-extrapolation-kink"`` moved the atoms
      (``correction.kink_pretest_shift`` > 0), a ``pretest:`` line says why and by how much.
    - The bias line gives ``bias["ratio"]`` as a percentage of the plug-in, or says "the plug-in
      is 0" where it is; where the first-order bias is 0 while the plug-in is not, it says so and
      how far the correction moved ``i_yts`` all the same.
    - A side whose features had every row the same (``settings[side]["rows_equal"]``, a dead
      layer) gets a note that names that first: I(Y;side) is 0 by construction.
    - A ``cap:`` line for each side in ``settings[side]["information_cap"]``: its clusters, fewer
      than the labels, hold at most ``log2(k)`` bits and it shows 90 % of that or more, so its
      information is a lower bound of the features' (the clusters are a function of them) and its
      atoms are the clusters'; the line gives the fixes.
    - A ``clusters:`` line where features were merged into clusters and no ``cap:`` line speaks for
      that side (:func:`~pidkit.estimate.result_words.clusters_note`): its informations are the
      clusters', lower bounds of the features', and what the clustering loses is in no value or
      interval (Y a function of 5 logits: i_yt 0.93 [0.89, 0.97] bits against H(Y) = 2.32).
    - A corrected value below 0 whose whole centred interval lay below 0 is read as the correction
      likely overshooting only at ``confidence`` 0.95 or above; below that the note gives the
      share of samples, (1 - confidence) / 2, in which a quantity at 0 gets such an interval.
      Without intervals a value below 0 is not judged (``below_zero_verdicts``' ``"not
      judged"``): the note gives the values and asks for ``bootstrap=``.
    - Where every bootstrap replicate of a quantity lay at one value (within
      :func:`rounding_level`), a note says so: its interval, made of their spread, has no width,
      which says that the resamples never moved it, not that the value is certain. Where
      ``correction.determining_side`` is set, a note names the side the sample shows determining
      the other and the atoms that makes 0, and the no-width note gives that as their cause.
    - Where a value, as printed, lies outside its own interval, a note names it, says why (a basic
      or percentile interval moves by the bias the resamples add: with ``bias_correction="none"``,
      10-valued independent labels at n = 1000 gave syn 0.651735 [0.254518, 0.373812]) and how to
      get values and intervals that agree (:func:`~pidkit.estimate.result_words.outside_interval_note`).
    - Notes longer than a line are wrapped at 100 characters.

    Examples
    --------
    What :func:`pidkit.estimate.pid_from_representations` returns; its ``repr`` prints the
    corrected and plug-in values with the settings. A teacher whose features separate the two
    classes, a student whose features are noise:

    >>> import numpy as np
    >>> from pidkit.estimate import pid_from_representations
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 500)
    >>> t = 4.0 * y[:, None] + rng.normal(size=(500, 4))
    >>> s = rng.normal(size=(500, 4))
    >>> res = pid_from_representations(y, t, s, n_components=2, n_clusters=2, normalize=None)
    >>> res.shape, res.n_samples, res.status, res.units
    ([2, 2, 2], 500, 'optimal', 'bits')
    >>> round(res.uni_t, 3), round(res.plugin["uni_t"], 3)       # corrected, plug-in
    (0.995, 0.992)
    >>> res.correction.negative       # below 0 after the correction (bootstrap= judges them)
    ('red', 'syn', 'i_ys')
    >>> res.intervals is None         # no bootstrap=: no intervals (bootstrap=200 gives them)
    True
    >>> res.to_dict()["settings"]["t"]["n_clusters"]              # JSON-ready, every setting
    2
    """

    pid: PIDResult
    p: np.ndarray | None
    counts: np.ndarray | None
    labels: dict[str, np.ndarray] | None
    n_samples: int
    settings: dict[str, Any]
    correction: BiasCorrection
    bias: dict[str, float]
    bias_warning: str | None = None
    intervals: dict[str, tuple[float, float]] | None = None
    bootstrap_samples: dict[str, np.ndarray] | None = field(default=None, repr=False)
    discretizers: tuple[Discretizer | Projector | None, Discretizer | Projector | None] = (None, None)

    def __post_init__(self) -> None:
        # The ratio is defined here, once for both estimators (0/0 included: bias_ratio).
        ratio = bias_ratio(self.bias["i_yts"], self.correction.plugin["i_yts"])
        object.__setattr__(self, "bias", {**self.bias, "ratio": ratio})

    @property
    def red(self) -> float:
        """Red(Y:T,S), corrected."""
        return self.correction.corrected["red"]

    @property
    def uni_t(self) -> float:
        """Uni(Y:T\\S), corrected."""
        return self.correction.corrected["uni_t"]

    @property
    def uni_s(self) -> float:
        """Uni(Y:S\\T), corrected."""
        return self.correction.corrected["uni_s"]

    @property
    def syn(self) -> float:
        """Syn(Y:T,S), corrected."""
        return self.correction.corrected["syn"]

    @property
    def i_yt(self) -> float:
        """I(Y;T), corrected."""
        return self.correction.corrected["i_yt"]

    @property
    def i_ys(self) -> float:
        """I(Y;S), corrected."""
        return self.correction.corrected["i_ys"]

    @property
    def i_yts(self) -> float:
        """I(Y;T,S), corrected."""
        return self.correction.corrected["i_yts"]

    @property
    def plugin(self) -> dict[str, float]:
        """The plug-in values of the seven quantities."""
        return self.correction.plugin

    @property
    def shape(self) -> list[int]:
        """``[|Y|, |T|, |S|]`` of the joint, or the dimensions ``[d_y, d_t, d_s]`` of the Gaussian."""
        return list(self.p.shape) if self.p is not None else list(self.settings["dims"])

    @property
    def units(self) -> str:
        """Units of every number in this result."""
        return self.pid.units

    @property
    def status(self) -> str:
        """Status of the full sample's solve (``"optimal"`` when certified)."""
        return self.pid.status

    @property
    def success(self) -> bool:
        """True when the full sample's solve is certified (``pid.success``; it says nothing of the
        sampling error: see ``intervals``)."""
        return self.pid.success

    @property
    def message(self) -> str:
        """The full sample's solver message (``pid.message``)."""
        return self.pid.message

    @property
    def gap(self) -> float:
        """The full sample's certified gap (``pid.gap``), in ``units``: every atom of ``pid`` is
        within it of the decomposition of its joint; it says nothing of the sampling error."""
        return self.pid.gap

    @property
    def measure(self) -> str:
        """The redundancy measure, e.g. ``"broja"``."""
        return self.pid.measure

    def to_dict(self, *, include_q: bool = False) -> dict[str, Any]:
        """A JSON-serialisable dict: corrected numbers, plug-in, correction, settings, intervals.

        Parameters
        ----------
        include_q : bool, default=False
            Passed to the nested ``pid`` record (:meth:`PIDResult.to_dict
            <pidkit.PIDResult.to_dict>`): add the full sample's optimal joint there, ``pid["q"]``
            as nested lists (``None`` where the measure has no such ``q``) and GH's p(q, y, t, s)
            as ``pid["diagnostics"]["q_joint"]``. Left out by default, as there: they can run to
            hundreds of lines.

        Returns
        -------
        dict
            Strict JSON (NaN and infinities as None; arrays as lists): the seven corrected
            quantities, ``units``, ``measure``, ``status``, ``success``, ``message``, ``gap``,
            ``n_samples``, ``shape``, ``plugin``, ``bias_correction``
            (:meth:`pidkit.estimate.BiasCorrection.to_dict`), ``settings``, ``bias``,
            ``bias_warning``, ``intervals``, ``p``, ``counts``, ``labels``, ``pid``
            (:meth:`PIDResult.to_dict <pidkit.PIDResult.to_dict>`, with ``q`` only with
            ``include_q``) and ``first_clustering``: with ``cluster_seeds`` above 1, a note that
            ``p`` ... ``pid`` are the first seed's, else None.

        Examples
        --------
        >>> import numpy as np
        >>> from pidkit.estimate import pid_from_representations
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 300)
        >>> t = 4.0 * y[:, None] + rng.normal(size=(300, 2))
        >>> res = pid_from_representations(y, t, rng.normal(size=(300, 2)), n_components=2,
        ...                                n_clusters=2, normalize=None, bias_correction="none")
        >>> "q" in res.to_dict()["pid"]
        False
        >>> np.shape(res.to_dict(include_q=True)["pid"]["q"])       # BROJA's q[y, t, s]
        (2, 2, 2)
        """
        out: dict[str, Any] = {name: float(self.correction.corrected[name]) for name in QUANTITIES}
        out.update(
            units=self.pid.units,
            measure=self.pid.measure,
            status=self.pid.status,
            success=self.pid.success,
            message=self.pid.message,
            gap=self.pid.gap,
            n_samples=self.n_samples,
            shape=self.shape,
            plugin=self.correction.plugin,
            bias_correction=self.correction.to_dict(),
            settings=self.settings,
            bias=self.bias,
            bias_warning=self.bias_warning,
            intervals=self.intervals,
            p=self.p,
            counts=self.counts,
            labels=self.labels,
            pid=self.pid.to_dict(include_q=include_q),
            first_clustering=first_clustering_note(self.settings),
        )
        return jsonable(out, finite=True)

    def __repr__(self) -> str:
        u = self.pid.units
        fix = self.correction
        shape = "x".join(str(k) for k in self.shape)
        what = "|Y|x|T|x|S|" if self.p is not None else "dims Y x T x S"
        lines = [
            f"RepresentationPID({self.pid.measure}, n={self.n_samples}, {what} = {shape}, "
            f"status={self.pid.status}, bias_correction={fix.method})"
        ]
        used = coarse = None  # the replicates the intervals are made of; the note if too few
        interval_head = ""
        failures = replicate_failures_note(self.pid.diagnostics, "n_components sets them per side")
        if self.intervals is not None:
            failed = self.settings.get("bootstrap_failed", 0)
            level = confidence_percent(self.settings["confidence"])
            used = self.settings["bootstrap"] - failed
            # failures that leave too few are the failure note's: more replicates would not help
            coarse = coarse_interval_note(self.settings["bootstrap"] if failures else used,
                                          self.settings["confidence"])
            interval_head = (f"{level} {self.settings['ci_method']} interval, B={self.settings['bootstrap']}"
                             + (f" ({failed} failed, left out)" if failed else ""))
        zero, fitted_zero = self._rounding_levels()

        def shown(value: float, zero: float = fitted_zero) -> float:
            return as_printed(value, zero)

        lines.extend(value_table([("value", fix.corrected, fitted_zero), ("plug-in", fix.plugin, zero)], u,
                                 intervals=self.intervals, interval_head=interval_head,
                                 interval_zero=fitted_zero))
        if self.intervals is None:
            lines.append(f"  {NO_INTERVALS_NOTE}")
        lines.extend(f"  {note}" for note in (coarse, failures) if note)
        if self.intervals is not None and (outside := outside_interval_note(
                fix.corrected, self.intervals, ci_method=self.settings["ci_method"],
                level=confidence_percent(self.settings["confidence"]), corrected=fix.method != "none")):
            lines.append(f"  {outside}")
        if fix.n_repeats > 0:
            lines.append(f"  subsample sizes {list(fix.subsample_sizes)} x {fix.n_repeats} partitions")
        if (seeds := seed_line(self.settings, u)) is not None:
            lines.append(seeds)
        if fix.kink_pretest_shift > 0:
            seeds = self.settings.get("cluster_seeds", 1)
            mean = f" (the mean over the {seeds} clusterings)" if seeds > 1 else ""
            lines.append(
                f"  pretest: the smaller Uni the extrapolation left was at most {KINK_PRETEST:g} times what "
                "it took off the mean Uni, too close to 0 to rule out both Uni being 0 at a kink, whose "
                "bias the extrapolation only halves; so the kink pretest lowered both Uni by half the "
                f"smaller one, {fix.kink_pretest_shift:.4g} {u}{mean}, and raised Red and Syn as much "
                "(correction.kink_pretest_shift)"
            )
        if _kink_matters(fix):
            kinked = fix.kink_corrected
            act = ("the intervals include that: read a Uni as unique information where its interval "
                   "starts above 0" if self.intervals is not None
                   else "pass bootstrap=200 for intervals that include it before reading a Uni as unique "
                   "information")
            lines.append(
                f"  kink: both Uni are near 0; were both 0 with p(y|t) = p(y|s) (a kink of the BROJA "
                f"optimum, where their bias shrinks like n^-1/2), the correction would leave {fix.kink:.4g} "
                f"{u} in each: uni_t {kinked['uni_t']:.4g}, uni_s {kinked['uni_s']:.4g}, Red and Syn "
                f"{fix.kink:.4g} {u} higher (correction.kink_corrected); {act}"
            )
        negative = [name for name in fix.negative if fix.corrected[name] < -zero]
        confidence: Any = self.settings.get("confidence")  # a float where intervals were made
        verdicts = below_zero_verdicts(negative, measure=self.pid.measure, intervals=self.intervals,
                                       ci_method=self.settings.get("ci_method"), confidence=confidence,
                                       zero=zero, n_boot=used)  # 0 or 1 left: "not judged"
        said = {verdict: [name for name in negative if verdicts[name] == verdict]
                for verdict in BELOW_ZERO_VERDICTS}
        if said["signed measure"]:
            kept = " and ".join(repr(name) for name in sorted(NONNEGATIVE_MEASURES))
            clipped = ("; its interval is clipped at 0 like the others', so it does not show how far below 0 "
                       "Syn can be") if self.intervals is not None else ""
            lines.append(
                f"  note: syn below 0 need not be noise: measure {self.pid.measure!r} gives Syn < 0 "
                f"wherever its Red is below I(Y;T) + I(Y;S) - I(Y;T,S) (only {kept} keep every "
                f"atom >= 0){clipped}"
            )
        if said["low confidence"]:
            lines.append(
                f"  note: {', '.join(said['low confidence'])} corrected below 0 with the whole "
                f"{confidence_percent(confidence)} interval: a quantity at 0 gets that in "
                f"{confidence_percent((1 - confidence) / 2)} of samples at this confidence; at "
                f"confidence={OVERSHOOT_CONFIDENCE} it would point to the correction overshooting"
            )
        if said["overshoot"]:
            names = said["overshoot"]
            one = len(names) == 1
            it, its = ("it", "its plug-in value") if one else ("them", "their plug-in values")
            is_a, one_s = ("is an upper reference", "one") if one else ("are upper references", "ones")
            plugs = ", ".join(f"{fix.plugin[name]:.4g}" for name in names)
            eb = fix.method.startswith("eb-")  # the textbook extrapolation corrects less than these
            closer = (f", and bias_correction='extrapolation', which corrects less, gives closer {one_s} "
                      "(no better an estimate: it leaves part of the bias)") if eb else ""
            lines.append(
                f"  note: {', '.join(names)} below 0 beyond the bootstrap spread: the whole "
                f"{confidence_percent(confidence)} interval lay below 0 (its upper end is clipped to 0), "
                f"which a quantity >= 0 cannot, so the correction likely overshoots here. Read {it} as 0 "
                f"or a little above: {its} ({plugs} {u}), biased up, {is_a}{closer}; "
                "more samples shrink the overshoot (docs/estimate.md)"
            )
        if said["noise"]:
            lines.append(
                f"  note: {', '.join(said['noise'])} corrected below 0: indistinguishable from 0 at "
                f"n = {self.n_samples} (values are not clipped; their intervals reach down to them)"
            )
        if said["not judged"]:
            values = ", ".join(f"{fix.corrected[name]:.4g}" for name in said["not judged"])
            lines.append(
                f"  note: {', '.join(said['not judged'])} corrected below 0 ({values} {u}; not clipped), "
                f"not judged: without intervals{'' if coarse is None else ' of enough replicates'} nothing "
                "measured how far from 0 they can fall by chance, so they are called neither noise nor an "
                "overshoot of the correction; " + ("pass bootstrap=200 for intervals that tell"
                                                   if coarse is None else "pass the B the note above gives"))
        zeroed = determined_zeros(fix.determining_side, self.pid.measure)
        determiner, dependent = ("T", "S") if fix.determining_side == "t" else ("S", "T")
        determined = dependent.lower() if fix.determining_side is not None else None
        for side in ("t", "s"):  # a constant side (a dead layer): its cause first
            if self.settings[side].get("rows_equal") and side != determined:
                lines.append(f"  note: {constant_side_words(side, self.p is None)}")
        if determined is not None:
            shows = (f"{constant_side_words(determined, self.p is None)}, and {determiner} determines it"
                     if self.settings[determined].get("rows_equal")
                     else determination_words(determiner, dependent))
            lines.append(f"  note: {shows}: i_yts is the corrected "
                         f"i_y{fix.determining_side}" + (f", so {' and '.join(zeroed)} are 0 by the PID "
                         "identities" if zeroed else "") + " (correction.determining_side)")
        if flat := replicates_without_spread(self.bootstrap_samples):
            by_side = [name for name in flat if name in zeroed and shown(flat[name]) == 0.0]
            others = [name for name in flat if name not in by_side]
            causes = [f"{determiner} determines {dependent} in every resample as in the sample, which "
                      f"makes {' and '.join(by_side)} 0 in each (the note above)"] if by_side else []
            if others:
                causes.append(("for " + " and ".join(others) + ": " if by_side else "") + NO_SPREAD_CAUSE)
            lines.append("  " + no_spread_note(flat, self.settings["bootstrap"], zero=zero,
                                               cause="; ".join(causes)))
        if self.p is None and (few := few_samples_note(self.n_samples, self.settings["dims"],
                                                       self.intervals is not None)):
            lines.append(f"  {few}")
        if fix.above_bound and self.p is None:  # the Gaussian estimator: no H(Y) ceiling
            lines.append("  " + above_label_entropy_note(fix.above_bound, self.settings["y"]["entropy"], u,
                                                         "estimator='discrete'"))
        elif fix.above_bound:
            noise = f": at that bound within noise at n = {self.n_samples} (values are not clipped)"
            if atoms := [name for name in fix.above_bound if name in ATOMS]:
                lines.append(f"  note: {', '.join(atoms)} corrected above min(H(Y), H(source)) of the "
                             "plug-in entropies, which bounds each atom of that information" + noise)
            if informations := [name for name in fix.above_bound if name in INFORMATIONS]:
                lines.append(f"  note: {', '.join(informations)} corrected above min(H(Y), H(source)) "
                             "of the plug-in entropies" + noise)
        lines.append(self._bias_line(shown(fix.plugin["i_yts"]) == 0.0, fitted_zero))
        if (clusters := clusters_note(self.settings, self.intervals is not None)) is not None:
            lines.append(f"  {clusters}")
        for side in ("t", "s"):  # a side whose clusters, fewer than the labels, cap what it shows
            if "information_cap" in self.settings.get(side, {}):
                lines.append(f"  cap: {self.settings[side]['information_cap']['note']}")
        for side in ("t", "s"):
            lines.append(f"  {side.upper()}: {side_settings_words(self.settings[side])}")
        if self.bias_warning:
            lines.append(f"  warning: {self.bias_warning}")
        return "\n".join([lines[0], *map(wrapped_line, lines[1:])])

    def _bias_line(self, plugin_zero: bool, zero: float) -> str:
        """The ``repr``'s line of the expected plug-in bias of ``i_yts`` (``bias``); ``plugin_zero``:
        the plug-in prints as 0; ``zero``: the corrected values' rounding level."""
        u, bias = self.pid.units, self.bias["i_yts"]
        if self.p is None or bias != 0.0 or plugin_zero:
            order = "first-order" if self.p is not None else "exact Gaussian"
            share = ("the plug-in is 0" if plugin_zero
                     else f"{percent_words(self.bias['ratio'])} of the plug-in")
            return f"  {order} plug-in bias of i_yts ~ {bias:.4g} {u} ({share})"
        moved = -self.correction.bias["i_yts"]  # corrected minus plug-in
        still = (f"; the correction, extrapolated from subsamples, changed i_yts by {moved:+.4g} {u} all the "
                 "same" if abs(moved) > zero else "")
        return (f"  first-order plug-in bias of i_yts 0 {u}: (m_YB - m_Y - m_B + 1) / (2 n) is 0 or less at "
                f"these counts, so that rule expects none{still}")

    def _rounding_levels(self) -> tuple[float, float]:
        """Below what a plug-in value, and a corrected value or interval end, prints as 0."""
        return self.correction.rounding_levels()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # The one line inside a list (an indented printer) rounds the atoms as the table does.
        shown = self
        if printer.indentation:
            zero = self._rounding_levels()[1]
            rounded = {name: as_printed(value, zero) for name, value in self.correction.corrected.items()}
            shown = replace(self, correction=replace(self.correction, corrected=rounded))
        show_pretty(printer, shown, f"n={self.n_samples}")

    if not TYPE_CHECKING:  # type checkers keep flagging misspelt attributes

        def __getattr__(self, name: str) -> Any:
            raise attribute_error(self, name)


def _kink_matters(fix: BiasCorrection) -> bool:
    """Whether the kink line says something (:data:`KINK_SHOWN_BELOW`): the kink changes a printed
    digit, the smaller Uni is within that many kinks of 0 and the larger within that many of the
    n**-1/2 model's shift before its cap at the smaller."""
    low, high = sorted((fix.corrected["uni_t"], fix.corrected["uni_s"]))
    if fix.kink < _PRINTED_ROUNDING or low > KINK_SHOWN_BELOW * fix.kink:
        return False
    r = kink_fraction(fix.subsample_sizes)
    unique_fix = (fix.bias["uni_t"] + fix.bias["uni_s"]) / 2 - fix.kink_pretest_shift  # the extrapolation's
    return high <= KINK_SHOWN_BELOW * r / (1.0 - r) * unique_fix
