"""The words of :class:`~pidkit.estimate.RepresentationPID`'s ``repr``: the line that says how a
side was discretised or projected, the phrases its notes share (a constant side, a side that
determines the other, a ratio as a percentage), and the note on values outside their own intervals.

The notes themselves, and when each is printed, are :mod:`pidkit.estimate.result`'s; this module
only words them, so that the result's file keeps to its one job.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .correction import DETERMINING_MIN_COUNT

__all__ = [
    "clusters_note",
    "constant_side_words",
    "determination_words",
    "outside_interval_note",
    "percent_words",
    "side_settings_words",
]

_WHY_OUTSIDE = {
    "basic": "a basic interval, 2 x the value less the replicates' quantiles, is moved from the value by "
             "the bias the resamples add to the estimate",
    "percentile": "a percentile interval is the replicates' own quantiles, which carry the bias the "
                  "resamples add to the estimate",
    "centred": "a centred interval leaves its value out only where the replicates are skewed, most of "
               "them at one end",
}
"""Why an interval of each ``ci_method`` can leave out the value it is printed with
(:func:`pidkit.resampling.bootstrap_intervals`)."""


def side_settings_words(setting: dict[str, Any]) -> str:
    """How one side was discretised or projected, in words: the ``repr``'s ``T:`` and ``S:`` lines.

    Parameters
    ----------
    setting : dict
        ``settings["t"]`` or ``settings["s"]`` of a :class:`~pidkit.estimate.RepresentationPID`.

    Returns
    -------
    str
        The pipeline from features to clusters (or Gaussian dimensions), with the seed, the rule
        that chose the number of clusters and how many were used; or how labels were taken.

    Examples
    --------
    >>> from pidkit.estimate.result_words import side_settings_words
    >>> side_settings_words({"kind": "labels", "n_values": 3})
    'labels as given (3 values)'
    >>> side_settings_words({"kind": "projected", "normalize": None, "n_components": None,
    ...                      "svd_solver": None, "n_features": 1, "n_outputs": 1})
    '1 feature -> no normalisation -> no PCA -> 1 Gaussian dimension'
    """
    if setting["kind"] == "labels":
        return f"labels as given ({setting['n_values']} values)"
    if setting["kind"] == "one-hot":
        return f"labels one-hot ({setting['n_values']} values -> {setting['n_values'] - 1} columns)"
    norm = setting["normalize"] or "no normalisation"  # "l2", or None
    features = _counted(setting["n_features"], "feature")
    ran = setting["n_components"] is not None and setting["svd_solver"] is not None
    if ran:
        pca = f"PCA {setting['n_components']}"
    elif setting["n_components"] is None:
        pca = "no PCA"
    else:  # skipped: it would have kept every feature
        pca = f"no PCA ({setting['n_components_requested']} components would keep every feature)"
    reused = ["reused from an earlier fit"] if setting.get("fitted") == "reused" else []
    if setting["kind"] == "projected":
        notes = ([f"seed {setting['random_state']}"] if ran else []) + reused  # the PCA's seed
        shown = f" ({', '.join(notes)})" if notes else ""
        if setting.get("rows_equal"):
            return (f"{features} -> {norm} -> every row the same "
                    f"-> {_counted(setting['n_outputs'], 'Gaussian dimension')}, all 0{shown}")
        cut = ran and setting["n_outputs"] < setting["n_components"]  # rounding-noise components
        rank = " (numerical rank; the rest rounding noise)" if cut else ""
        return (
            f"{features} -> {norm} -> {pca}{shown} -> "
            f"{_counted(setting['n_outputs'], 'Gaussian dimension')}{rank}"
        )
    if setting.get("rows_equal") or setting.get("distinct_rows"):
        rows = (
            "every row the same -> 1 cluster" if setting.get("rows_equal")
            else f"only {setting['distinct_rows']} distinct rows -> one cluster each"
        )
        notes = [f"{setting['n_values']} used", *reused]
        return f"{features} -> {norm} -> {rows} ({', '.join(notes)})"
    rule = f", {setting['n_clusters_rule']}" if setting.get("n_clusters_rule") else ""
    fixed = [setting["fixed_seed"]] if setting.get("fixed_seed") else []  # why the seed missed it
    notes = [f"seed {setting['random_state']}", *fixed, f"{setting['n_values']} clusters used", *reused]
    return (
        f"{features} -> {norm} -> {pca} -> "
        f"{setting['clusterer']} {setting['n_clusters']}{rule} ({', '.join(notes)})"
    )


def _counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural but for one: ``"1 feature"``, ``"12 features"``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def constant_side_words(side: str, gaussian: bool) -> str:
    """What a side (``"t"``, ``"s"``) whose features had every row the same is, in words, and why
    it carries nothing; ``gaussian``: the Gaussian estimator's result (no clusters).

    Examples
    --------
    >>> from pidkit.estimate.result_words import constant_side_words
    >>> constant_side_words("t", gaussian=False).endswith("so I(Y;T) is 0 by construction")
    True
    """
    letter = side.upper()
    made = "its Gaussian dimensions all 0" if gaussian else "one cluster"
    return (f"{letter} is constant (every row of its features the same: {made}; most likely a dead "
            f"layer), so I(Y;{letter}) is 0 by construction")


def determination_words(determiner: str, dependent: str) -> str:
    """What ``correction.determining_side`` says, in words, of the ``determiner`` and ``dependent``
    sides (``"T"``, ``"S"``).

    Examples
    --------
    >>> from pidkit.estimate.result_words import determination_words
    >>> determination_words("T", "S")[:32]
    'the sample shows T determining S'
    """
    return (f"the sample shows {determiner} determining {dependent} (each value of {determiner} seen "
            f"{DETERMINING_MIN_COUNT} times or more, always with one value of {dependent})")


def percent_words(ratio: float) -> str:
    """``ratio`` as a percentage, 1 decimal, or 2 significant digits below 0.1 % (not "0.0%").

    Examples
    --------
    >>> from pidkit.estimate.result_words import percent_words
    >>> percent_words(0.128), percent_words(0.00042), percent_words(0.0)
    ('12.8%', '0.042%', '0.0%')
    """
    return f"{ratio:.1%}" if abs(ratio) >= 1e-3 or ratio == 0.0 else f"{100 * ratio:.2g}%"


def clusters_note(settings: dict[str, Any], with_intervals: bool) -> str | None:
    """The ``repr``'s ``clusters:`` line: which informations are of clusters, not of the features.

    A clustered side's I(Y;side) is I(Y; its clusters), a lower bound of the features' I(Y;side)
    (the clusters are a function of the features: data processing), and a bootstrap interval
    re-counts the same clusters, so it does not include what the clustering lost. Y a function of
    5 logits (``y = logits.argmax(1)``, I(Y;T) = H(Y) = 2.32 bits) showed i_yt 0.93 [0.89, 0.97]
    with 10 clusters at n = 2000 (docs/estimate.md, "What the clusters lose").

    Parameters
    ----------
    settings : dict
        ``RepresentationPID.settings``.
    with_intervals : bool
        Whether the result has bootstrap intervals (the line then says they leave the loss out
        too).

    Returns
    -------
    str or None
        The line, or ``None`` where no side's features were merged into fewer clusters: sides
        given as labels, the Gaussian estimator, features with every row the same or with no more
        distinct rows than clusters (each row its own cluster loses nothing), and sides with an
        ``information_cap`` (its ``cap:`` line says this and more).

    Examples
    --------
    >>> from pidkit.estimate.result_words import clusters_note
    >>> clustered, labels = {"kind": "clustered"}, {"kind": "labels"}
    >>> print(clusters_note({"t": clustered, "s": labels}, with_intervals=False))
    clusters: i_yt and i_yts are of T's clusters, lower bounds of the features' (data processing): \
what the clustering loses is in no value (docs/estimate.md, "What the clusters lose")
    >>> clusters_note({"t": labels, "s": labels}, with_intervals=False) is None
    True
    """
    sides = [side for side in ("t", "s") if _merged(settings[side])]
    if not sides:
        return None
    names = " and ".join(f"i_y{side}" for side in sides) + " and i_yts"
    names = names.replace(" and ", ", ", 1) if len(sides) == 2 else names
    whose = " and ".join(f"{side.upper()}'s" for side in sides)
    where = "in no value or interval" if with_intervals else "in no value"
    return (f"clusters: {names} are of {whose} clusters, lower bounds of the features' (data "
            f"processing): what the clustering loses is {where} (docs/estimate.md, \"What the clusters "
            "lose\")")


def _merged(setting: dict[str, Any]) -> bool:
    """Whether a side's features were merged into clusters that may lose information about Y and
    no ``cap:`` line says so already."""
    kept = setting.get("rows_equal") or setting.get("distinct_rows")  # each row its own cluster
    return setting.get("kind") == "clustered" and not kept and "information_cap" not in setting


def outside_interval_note(values: Mapping[str, float], intervals: Mapping[str, tuple[float, float]], *,
                          ci_method: str, level: str, corrected: bool) -> str | None:
    """The ``repr``'s note on the values that lie outside their own bootstrap intervals, as printed.

    With ``bias_correction="none"`` the default basic interval is ``2 x value`` less the quantiles
    of plug-in replicates, which carry the resamples' own bias on top of the plug-in's: it is moved
    down by that bias, roughly a bootstrap bias-corrected interval beside a value that is not
    corrected. Independent 10-valued labels at n = 1000 gave syn 0.651735 [0.254518, 0.373812]
    bits, and every value outside its interval. The note says why, and how to get values and
    intervals that agree: the bias correction with centred intervals, which hold their values.

    Parameters
    ----------
    values : dict of str to float
        The ``value`` column, by quantity.
    intervals : dict of str to (float, float)
        The intervals, by quantity (NaN ends, where every replicate failed, hold nothing out).
    ci_method : {"basic", "percentile", "centred"}
        ``settings["ci_method"]``.
    level : str
        The confidence as printed, e.g. ``"95%"``.
    corrected : bool
        Whether the values are bias-corrected (``bias_correction`` other than ``"none"``).

    Returns
    -------
    str or None
        The note, or None where every value printed (6 decimals) lies within its interval.

    Examples
    --------
    >>> from pidkit.estimate.result_words import outside_interval_note
    >>> print(outside_interval_note({"syn": 0.651735, "red": 0.02}, {"syn": (0.254518, 0.373812),
    ...                             "red": (0.0, 0.03)}, ci_method="basic", level="95%", corrected=False))
    note: syn lies outside its own 95% basic interval: a basic interval, 2 x the value less the \
replicates' quantiles, is moved from the value by the bias the resamples add to the estimate (here \
a plug-in, so the interval is roughly a bootstrap bias-corrected one beside a value that is not); \
for bias-corrected values with centred intervals, which hold them, pass bias_correction='auto' and \
ci_method='auto' (the defaults)
    >>> outside_interval_note({"syn": 0.3}, {"syn": (0.254518, 0.373812)}, ci_method="basic",
    ...                       level="95%", corrected=False) is None
    True
    """
    outside = [name for name, (low, high) in intervals.items()
               if not (math.isnan(low) or math.isnan(high)  # every replicate failed: no interval
                       or round(low, 6) <= round(values[name], 6) <= round(high, 6))]  # as printed
    if not outside:
        return None
    if len(outside) == len(intervals) > 1:
        which = f"every value lies outside its own {level} {ci_method} interval"
    elif len(outside) == 1:
        which = f"{outside[0]} lies outside its own {level} {ci_method} interval"
    else:
        which = f"{', '.join(outside)} lie outside their own {level} {ci_method} intervals"
    why = _WHY_OUTSIDE[ci_method]
    if not corrected and ci_method == "basic":
        why += (" (here a plug-in, so the interval is roughly a bootstrap bias-corrected one beside a "
                "value that is not)")
    if not corrected:
        why += ("; for bias-corrected values with centred intervals, which hold them, pass "
                "bias_correction='auto' and ci_method='auto' (the defaults)")
    elif ci_method != "centred":
        why += ("; for intervals centred on the values, which hold them, pass ci_method='centred' (what "
                "'auto', the default, picks for a corrected estimate)")
    return f"note: {which}: {why}"
