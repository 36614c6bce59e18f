"""The words of :class:`~pidkit.estimate.RepresentationPID`'s ``repr``: the line that says how a
side was discretised or projected, and the phrases its notes share (a constant side, a side that
determines the other, a ratio as a percentage).

The notes themselves, and when each is printed, are :mod:`pidkit.estimate.result`'s; this module
only words them, so that the result's file keeps to its one job.
"""

from __future__ import annotations

from typing import Any

from .correction import DETERMINING_MIN_COUNT

__all__ = ["constant_side_words", "determination_words", "percent_words", "side_settings_words"]


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
    """
    if setting["kind"] == "labels":
        return f"labels as given ({setting['n_values']} values)"
    if setting["kind"] == "one-hot":
        return f"labels one-hot ({setting['n_values']} values -> {setting['n_values'] - 1} columns)"
    norm = setting["normalize"] or "no normalisation"  # "l2", or None
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
            return (f"{setting['n_features']} features -> {norm} -> every row the same "
                    f"-> {setting['n_outputs']} Gaussian dimensions, all 0{shown}")
        cut = ran and setting["n_outputs"] < setting["n_components"]  # rounding-noise components
        rank = " (numerical rank; the rest rounding noise)" if cut else ""
        return (
            f"{setting['n_features']} features -> {norm} -> {pca}{shown} -> "
            f"{setting['n_outputs']} Gaussian dimensions{rank}"
        )
    if setting.get("rows_equal") or setting.get("distinct_rows"):
        rows = (
            "every row the same -> 1 cluster" if setting.get("rows_equal")
            else f"only {setting['distinct_rows']} distinct rows -> one cluster each"
        )
        notes = [f"{setting['n_values']} used", *reused]
        return f"{setting['n_features']} features -> {norm} -> {rows} ({', '.join(notes)})"
    rule = f", {setting['n_clusters_rule']}" if setting.get("n_clusters_rule") else ""
    fixed = [setting["fixed_seed"]] if setting.get("fixed_seed") else []  # why the seed missed it
    notes = [f"seed {setting['random_state']}", *fixed, f"{setting['n_values']} clusters used", *reused]
    return (
        f"{setting['n_features']} features -> {norm} -> {pca} -> "
        f"{setting['clusterer']} {setting['n_clusters']}{rule} ({', '.join(notes)})"
    )


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
