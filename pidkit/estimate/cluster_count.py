"""How many clusters: the default, and the rule that sizes the alphabet to the sample.

A side clustered into ``k`` values makes the joint ``p[y, t, s]`` ``k`` times larger; too many
cells for the samples and the bias corrections fail. :func:`clusters_for_samples` is the rule
:func:`~pidkit.estimate.pid_from_representations` applies by default (``n_clusters="auto"``);
:data:`DEFAULT_CLUSTERS` is the RID paper's fixed 10 that :class:`~pidkit.estimate.Discretizer`
keeps. Too few clusters cap what a side can say of the label: ``k`` clusters hold at most
``log2(k)`` bits of it, fewer than ``H(Y)`` when ``k`` is below the number of labels;
:func:`~pidkit.estimate.information_cap` tells when a side reaches that cap and what lifts it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from pidkit._settings import check_int, check_option
from pidkit._units import check_units, from_nats
from pidkit.measures import cmi_nats, entropy_nats

from .correction import DEFAULT_BIAS_CORRECTION, DEFAULT_SUBSAMPLES, check_subsamples

__all__ = ["CAP_SHARE", "DEFAULT_CLUSTERS", "SETTERS", "clusters_for_samples", "information_cap"]


DEFAULT_CLUSTERS = 10
"""Clusters of :class:`~pidkit.estimate.Discretizer` and :func:`~pidkit.estimate.discretize` by
default (the RID paper's); with a ``clusterer`` it means "not set".
:func:`~pidkit.estimate.pid_from_representations` defaults to ``"auto"``
(:func:`clusters_for_samples`, which needs the labels a Discretizer never sees) and takes 10 as
"not set" too."""

CAP_SHARE = 0.9
"""A side of ``k`` clusters, fewer than the labels, is at its cap when its plug-in I(Y;side)
reaches this share of ``log2(k)`` (:func:`~pidkit.estimate.information_cap`). Measured on 432 KMeans fits (10
labels, k = 3, 5, 6, 9, n = 300 to 2000, features that tell m groups of labels apart): teachers
that knew more groups than clusters (m > k, where the cap costs information) reached 0.9 in 94 to
100 % of fits at k = 5 to 9 (77 % at k = 3, whose clusters merge labels unevenly); teachers that
knew m <= k - 2 groups reached at most 0.86, so the cap cannot bind on them and none was flagged.
At m = k - 1 the ideal share is ``log2(k - 1) / log2(k)``, above 0.9 from k = 7: such a side is
within a tenth of its cap and cannot be told from one that is capped."""


def clusters_for_samples(
    n_samples: int, n_labels: int, *, max_clusters: int = 10, subsamples: Sequence[int] = DEFAULT_SUBSAMPLES,
    other_values: int | None = None,
) -> int:
    """Clusters per side (teacher and student) for ``n_samples`` samples of ``n_labels`` labels.

    The joint ``p[y, t, s]`` has ``n_labels * k * k`` cells. The rule takes the largest ``k`` up to
    ``max_clusters`` such that

    * there is at least one sample per cell of the joint on average (``n_labels * k**2 <= n``),
      where the bias corrections of :mod:`pidkit.estimate.correction` still work (they were
      measured down to 0.45 samples per cell, see ``docs/estimate.md``), and
    * the smallest subsample of the correction (``n // max(subsamples)``, a quarter by default)
      still has one sample per cell of the pairwise tables ``p(y, t)`` and ``p(y, s)``
      (``4 * n_labels * k <= n``), as :func:`pidkit.estimate.check_sample_size` requires,

    and at least 2. At the paper's n = 10,000 with 10 labels this is 10; at 450 it is 6. Below
    ``max(subsamples) * 2 * n_labels`` samples (80 for ten labels) even 2 is more than a bias
    correction accepts: only ``bias_correction="none"`` works there. When only one side is
    clustered (the other given as labels, or a partition reused), ``other_values`` is the other
    side's number of values and the joint's ``n_labels * other_values * k`` cells are counted.

    Parameters
    ----------
    n_samples : int
        Number of samples that will be counted.
    n_labels : int
        Number of distinct target labels ``|Y|``.
    max_clusters : int, default=10
        Upper bound (the RID paper's 10).
    subsamples : sequence of int, default=(2, 4)
        The correction's numbers of parts (as in :func:`pidkit.estimate.correct_counts`).
    other_values : int or None, default=None
        Values of the other side when it is not clustered with this ``k`` (labels, or a reused
        partition); ``None``: both sides get ``k`` clusters.

    Returns
    -------
    int

    Examples
    --------
    >>> from pidkit.estimate import clusters_for_samples
    >>> clusters_for_samples(10_000, 10), clusters_for_samples(2000, 10), clusters_for_samples(450, 10)
    (10, 10, 6)
    >>> clusters_for_samples(100, 10), clusters_for_samples(450, 10, subsamples=(2, 8))
    (2, 5)
    >>> clusters_for_samples(450, 10, other_values=10)   # 10 x 10 x 4 = 400 cells <= 450
    4
    """
    n_samples = check_int(n_samples, "n_samples", minimum=1, meaning=(
        "the number of samples that will be counted, e.g. n_samples=10_000"))
    n_labels = check_int(n_labels, "n_labels", minimum=1, meaning=(
        "the number of distinct target labels, e.g. n_labels=10"))
    max_clusters = check_int(max_clusters, "max_clusters", minimum=2, meaning=(
        "the most clusters per side, e.g. max_clusters=10"))
    if other_values is None:
        by_joint = math.isqrt(n_samples // n_labels)
    else:
        other_values = check_int(other_values, "other_values", minimum=1, meaning=(
            "the number of values of the side that is not clustered, e.g. other_values=10"))
        by_joint = n_samples // n_labels // other_values
    by_subsample = n_samples // max(check_subsamples(subsamples)) // n_labels
    return max(2, min(max_clusters, by_joint, by_subsample))


SETTERS = ("n_clusters", "clusterer", "discretizers")
"""What set a side's number of clusters, for :func:`~pidkit.estimate.information_cap`'s fix."""


def information_cap(
    p_y_side: Any, *, n_samples: int, side: str = "T", units: str = "bits",
    method: str = DEFAULT_BIAS_CORRECTION,
    subsamples: Sequence[int] = DEFAULT_SUBSAMPLES, other_values: int | None = None,
    set_by: str = "n_clusters", max_clusters: int = 10, bias_now: float | None = None,
) -> dict[str, Any] | None:
    """Whether a clustered side is at the cap its clusters put on I(Y;side), and what lifts it.

    ``k`` clusters carry at most ``log2(k)`` bits of the label, fewer than ``H(Y)`` when ``k`` is
    below the number of labels: a side that reaches :data:`~pidkit.estimate.CAP_SHARE` of that cap
    may know more than its clusters can show. Returns None when ``k`` is not below the number of
    labels, or the plug-in I(Y;side) is below :data:`~pidkit.estimate.CAP_SHARE` of the cap (then
    the cap does not bind); else the numbers and a one-line ``note`` with the fixes and what they
    cost.

    Parameters
    ----------
    p_y_side : array_like of shape (n_labels, k)
        The empirical joint of the label and the side's clusters (every row and column used).
    n_samples : int
        Samples behind it.
    side : {"T", "S"}, default="T"
        Which side it is, as the note names it.
    units : {"bits", "nats"}, default="bits"
    method : str, default="eb-extrapolation-kink"
        The bias correction in use: it decides how many samples ``n_labels`` clusters need.
    subsamples : sequence of int, default=(2, 4)
        The correction's numbers of parts.
    other_values : int or None, default=None
        Values of the other side when the fix does not change it (labels, or a reused partition);
        ``None``: the other side gets ``n_labels`` clusters too.
    set_by : {"n_clusters", "clusterer", "discretizers"}, default="n_clusters"
        What set this side's clusters: ``n_clusters`` (or its ``"auto"`` rule), a ``clusterer``'s
        own number, or a Discretizer reused from ``discretizers``; the fix names it.
    max_clusters : int, default=10
        The most clusters ``n_clusters="auto"`` gives (:func:`~pidkit.estimate.clusters_for_samples`).
    bias_now : float or None, default=None
        The plug-in bias of I(Y;T,S) of the joint now, in ``units``, as estimated from its counts
        (a :class:`~pidkit.estimate.RepresentationPID`'s ``bias["i_yts"]``, which
        :func:`~pidkit.estimate.pid_from_representations` passes). The bias with ``n_labels``
        clusters is then that estimate scaled by the ratio of the two first-order figures over
        every cell. ``None``: both are the figures over every cell,
        ``(|Y| - 1)(|T| |S| - 1) / (2 n)`` nats, as if every cell had samples, which joints with
        most cells empty (well-separated features) stay far below.

    Returns
    -------
    dict or None
        ``n_labels``, ``n_values`` (k), ``cap`` (``log2(k)`` in ``units``), ``plugin`` (I(Y;side)),
        ``share`` (``plugin / cap``), ``entropy_y`` (plug-in H(Y)), ``auto_samples`` (samples from
        which ``n_clusters="auto"`` gives ``n_labels`` clusters; None above ``max_clusters``
        labels), ``min_samples`` (from which ``method`` accepts ``n_labels`` clusters; 0 for
        ``"none"``), ``cells`` and ``bias`` (the joint's cells with ``n_labels`` clusters, and the
        first-order plug-in bias of I(Y;T,S) with them at ``n_samples``, see ``bias_now``),
        ``bias_now`` (that bias now) and ``note``.

    Raises
    ------
    ValueError
        ``bias_now`` not a finite number >= 0.

    Examples
    --------
    A teacher whose 5 clusters each hold two of 10 equally frequent labels, 300 samples:

    >>> import numpy as np
    >>> from pidkit.estimate import information_cap
    >>> p = np.kron(np.eye(5), np.ones((2, 1))) / 10          # p[y, t]: label y in cluster y // 2
    >>> cap = information_cap(p, n_samples=300)
    >>> round(cap["cap"], 3), round(cap["share"], 3), cap["auto_samples"], cap["min_samples"]
    (2.322, 1.0, 1000, 400)
    >>> print(cap["note"])                  # doctest: +NORMALIZE_WHITESPACE
    T's 5 clusters for 10 labels hold at most log2(5) = 2.322 bits of H(Y) = 3.322, and the plug-in
    I(Y;T) = 2.322 is 100% of that: I(Y;T), Red and Uni(Y:T\\S) are the clusters', the features may
    know more. Fix: more samples: n_clusters='auto' gives 10 clusters from 1000; n_clusters=10 needs at
    least 400 (bias_correction='eb-extrapolation-kink' refuses fewer; 300 samples over 10x10x10 = 1000
    cells: first-order plug-in bias of I(Y;T,S) 2.14 bits, against 0.519 now)
    >>> information_cap(np.eye(10) / 10, n_samples=300) is None      # 10 clusters: no cap
    True
    """
    p = np.asarray(p_y_side, dtype=float)
    if p.ndim != 2 or not p.size:
        raise ValueError(f"p_y_side must be the 2-D joint p[y, side] of the label and one side's clusters, "
                         f"e.g. joint.p.sum(axis=2) for T; got shape {p.shape}.")
    n_labels, k = p.shape
    units = check_units(units)
    check_option(side, "side", ("T", "S"))
    check_option(set_by, "set_by", SETTERS)
    number = isinstance(bias_now, (int, float, np.integer, np.floating)) and not isinstance(bias_now, bool)
    if bias_now is not None and not (number and math.isfinite(bias_now) and bias_now >= 0):
        raise ValueError(f"bias_now must be the plug-in bias of I(Y;T,S) now, a finite number >= 0 in "
                         f"{units} (e.g. a RepresentationPID's bias['i_yts']), or None; got {bias_now!r}.")
    if k >= n_labels or k < 2:  # one cluster says nothing: a warning of its own (clusterers)
        return None
    information = from_nats(cmi_nats(p[:, :, None], "y", "t"), units)
    cap = from_nats(math.log(k), units)
    if information < CAP_SHARE * cap:
        return None
    parts = max(check_subsamples(subsamples))
    other = n_labels if other_values is None else other_values
    fixed_cells = n_labels * n_labels * other
    entropy_y = from_nats(entropy_nats(p.sum(axis=1)), units)
    auto = n_labels * n_labels * max(other, parts) if n_labels <= max_clusters else None
    least = 0 if method == "none" else parts * n_labels * max(n_labels, other)

    def every_cell(n_cells: int) -> float:  # the first-order figure if every cell had samples
        return from_nats((n_labels - 1) * (n_cells / n_labels - 1) / (2.0 * n_samples), units)

    bias_fixed = every_cell(fixed_cells)
    bound_now = every_cell(n_labels * k * (k if other_values is None else other))
    if bias_now is None:
        bias_now = bound_now
    elif bound_now > 0:  # the estimate now, scaled to the fix's cells
        bias_fixed *= float(bias_now) / bound_now
    record: dict[str, Any] = {
        "n_labels": n_labels, "n_values": k, "cap": cap, "plugin": information, "share": information / cap,
        "entropy_y": entropy_y, "auto_samples": auto, "min_samples": least, "cells": fixed_cells,
        "bias": bias_fixed, "bias_now": float(bias_now),
    }
    record["note"] = _cap_note(record, side, units, method, n_samples, set_by, max_clusters, other)
    return record


def _cap_note(cap: dict[str, Any], side: str, units: str, method: str, n_samples: int, set_by: str,
              max_clusters: int, other: int) -> str:
    """``information_cap``'s one line: the cap, the side's share of it, the fixes and their cost."""
    k, n_labels = cap["n_values"], cap["n_labels"]
    other_side = "S" if side == "T" else "T"
    if set_by == "clusterer":  # its own number applies: n_clusters="auto" sets nothing
        auto = ""
    elif cap["auto_samples"] is not None:
        auto = f"n_clusters='auto' gives {n_labels} clusters from {cap['auto_samples']}"
    else:
        auto = f"n_clusters='auto' stops at {max_clusters} clusters"
    how = {
        "n_clusters": f"n_clusters={n_labels}",
        "clusterer": f"a clusterer of {n_labels} clusters",
        "discretizers": f"{side} fitted afresh with n_clusters={n_labels} (None for it in discretizers)",
    }[set_by]
    least = cap["min_samples"]
    cost = (f"{n_samples} samples over {n_labels}x{n_labels}x{other} = {cap['cells']} cells: first-order "
            f"plug-in bias of I(Y;T,S) {cap['bias']:.3g} {units}, against {cap['bias_now']:.3g} now")
    if least > n_samples:  # the correction refuses that many clusters at this n: only more samples fix it
        fix = (f"more samples: {auto + '; ' if auto else ''}{how} needs at least {least} "
               f"(bias_correction={method!r} refuses fewer; {cost})")
    else:
        more = "" if not auto else (f"more samples ({auto}), or " if cap["auto_samples"] is not None
                                    else f"{auto}; ")
        takes = f"bias_correction={method!r} takes it from {least} samples; " if least else ""
        fix = f"{more}{how} ({takes}{cost})"
    log = "log2" if units == "bits" else "ln"
    return (
        f"{side}'s {k} clusters for {n_labels} labels hold at most {log}({k}) = {cap['cap']:.3f} {units} of "
        f"H(Y) = {cap['entropy_y']:.3f}, and the plug-in I(Y;{side}) = {cap['plugin']:.3f} is "
        f"{cap['share']:.0%} of that: I(Y;{side}), Red and Uni(Y:{side}\\{other_side}) are the clusters', "
        f"the features may know more. Fix: {fix}"
    )
