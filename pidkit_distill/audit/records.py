"""What a run's audit records say: the innermost audited layer and its last record, whether
its atoms were corrected for bias and by which estimate, whether its solve was certified, and
the flags the trainer and the report print beside the atoms: a record's own
(:func:`audit_flags`), and those of every layer of the last audit, each named by the layers it
holds at (:func:`final_flags`), with what the report's note says of each, :data:`FLAG_NOTES`,
or :data:`GAUSSIAN_FLAG_NOTES` in a record of the Gaussian estimator (:func:`flag_notes`).

An audit record is one line of a run folder's ``audit.jsonl``
(:mod:`pidkit_distill.run_folders.records` reads them), written by the trainer's audit
(:func:`~pidkit_distill.audit.audit_distiller`).
"""

from __future__ import annotations

import re
from typing import Any

from pidkit.below_zero import (
    BELOW_ZERO_VERDICTS,
    OVERSHOOT_CONFIDENCE,
    below_zero_verdicts,
    confidence_percent,
    rounding_level,
)
from pidkit.gaussian.pid import MEASURE as GAUSSIAN_MEASURE
from pidkit.utils import CERTIFIED
from pidkit_distill.audit.held_out_fixes import held_out_fix

__all__ = ["ATOM_LABELS", "AUDITED_ATOMS", "CLUSTERING_HELD_FIXED", "FLAG_NOTES", "GAUSSIAN_FLAG_NOTES",
           "SHOWN_ATOMS_ONLY", "audit_estimate",
           "audit_flags", "capped_fixes", "certified", "corrected", "final_audit", "final_flags",
           "flag_notes", "held_out_fix", "holds_clustering_fixed",
           "innermost_layer", "layer_named_flags"]

# The quantities of an audit record that the report shows (a record without one is refused).
AUDITED_ATOMS = ("red", "uni_t", "uni_s", "syn", "i_yt", "i_ys")

# The four atoms, by their key in an audit record, as the table and the flags name them.
ATOM_LABELS = {"red": "Red", "uni_t": "Uni(Y:T\\S)", "uni_s": "Uni(Y:S\\T)", "syn": "Syn"}

# What the note on "capped by clusters" says before its fixes, which depend on the record
# (:func:`flag_notes`).
_CAPPED = ("capped by clusters: that side's k clusters, fewer than the labels, hold at most "
           "log2(k) bits of Y, and its plug-in I(Y;side) reached 0.9 of that "
           "(pidkit.estimate.information_cap): its I(Y;side), Red and Uni are the clusters', the "
           "features may know more (audit.jsonl: settings.discretisation.t or .s, "
           "information_cap). ")

# What the report's note under its table says of each flag of :func:`audit_flags`, by the flag's
# start (each flag starts with one of them only).
FLAG_NOTES = {
    "solve NOT certified": "solve NOT certified: the solver could not certify those atoms (a "
                           "failed solve gives none: the cells are empty); audit.jsonl has its "
                           "gap and message. Do not trust them.",
    "below 0, signed measure:": "below 0, signed measure: Syn of a redundancy measure other than "
                                "BROJA and MMI is below 0 by definition wherever its Red is "
                                "below I(Y;T) + I(Y;S) - I(Y;T,S), so it need not be noise.",
    "below 0, likely overshoot:": "below 0, likely overshoot: corrected atoms whose whole centred "
                                  "bootstrap interval lay below 0 (the cell shows [value, 0.000]) "
                                  f"at audit.confidence {OVERSHOOT_CONFIDENCE} or above, which an "
                                  "atom at 0 estimated without bias gives in at most (1 - "
                                  "confidence) / 2 of samples: the bias correction likely overshoots "
                                  "there. Read such an atom as 0 or a little above: its plug-in "
                                  "value (biased up) is an upper reference, and more held-out "
                                  "samples shrink the overshoot; audit.bias_correction "
                                  "extrapolation corrects less, so it is a closer upper reference "
                                  "but no better an estimate (docs/estimate.md).",
    "below 0, whole ": "below 0, whole N% interval: corrected atoms whose whole centred bootstrap "
                       "interval lay below 0 at an audit.confidence N% under "
                       f"{confidence_percent(OVERSHOOT_CONFIDENCE)}, which an atom at 0 gets in "
                       "(1 - N%) / 2 of samples: not read as the correction overshooting, as it would be at "
                       f"audit.confidence {OVERSHOOT_CONFIDENCE} or above.",
    "below 0:": "below 0: corrected atoms below 0, indistinguishable from 0 at that n (kept "
                "unclipped, see docs/estimate.md).",
    "below 0, not judged:": "below 0, not judged: corrected atoms below 0 in a record without bootstrap "
                            "intervals (audit.bootstrap 0), or whose intervals are of fewer replicates "
                            "than audit.confidence needs to place their ends, (1 + confidence) / (1 - "
                            "confidence): 39 at 0.95, 199 at 0.99; so nothing measured how far from 0 they "
                            "can fall by chance: neither indistinguishable from 0 nor a likely overshoot of "
                            "the correction is said of them (kept unclipped). audit.bootstrap 40 (the "
                            "default) or more gives intervals that tell at 0.95, 200 at 0.99.",
    "constant:": "constant: every audited row of that side's features was the same (after the "
                 "L2 normalisation, where audit.normalize is l2): one cluster, so its information "
                 "about the labels and every atom of it are 0 by construction. Most likely a dead "
                 "layer (all-zero ReLU outputs) or a network that collapsed; its metrics.jsonl "
                 "losses and accuracy tell which.",
    "few distinct rows": "few distinct rows: that side's features had fewer distinct rows than "
                         "clusters (mostly-zero ReLU or binary features); each distinct row was "
                         "one cluster, and the atoms are those of these values.",
    "lengths dropped": "lengths dropped: audit.normalize l2 (the default: the RID paper's audit "
                       "scales each row to unit length before KMeans, as networks' features carry "
                       "the classes in their directions) dropped the lengths of that side's rows, "
                       "and the lengths told the labels apart: y explained that share (adjusted "
                       "for chance) of the variance of the log row lengths that the clusters, or "
                       "the Gaussian estimator's components, leave; flagged from the share the "
                       "record holds as settings.dropped_scale_from, 50% (pidkit.estimate."
                       "DROPPED_SCALE_SHARE, from which pidkit.estimate.ScaleDroppedWarning fires; "
                       "audit.jsonl: settings.discretisation.t or .s, dropped_scale_share). That "
                       "side's I(Y;side) and its atoms leave out what the lengths say. Fix: "
                       "--audit.normalize none keeps the lengths (a new run: a resume refuses "
                       "another audit.normalize); keep l2 to compare with the paper's audit.",
    "capped by clusters": f"{_CAPPED}Fixes: more audited samples: where audit.max_samples "
                          "audits part of the held-out set, audit.max_samples 0 for the whole of "
                          "it (or a larger number); where the whole held-out set is audited, a "
                          "larger held-out set "
                          "(the data set's option, e.g. --data.options test_fraction=... for "
                          "digits). From labels^3 samples (1,000 for 10 labels, 1,000,000 for "
                          "100) audit.cluster_rule auto gives one cluster per label when "
                          "audit.clusters is at least the labels. Or audit.cluster_rule fixed "
                          "with audit.clusters the labels at any size, whose joint of labels^3 "
                          "cells the bias correction accepts from 4 x labels^2 samples, with a "
                          "larger plug-in bias; or audit.estimator gaussian, which does not "
                          "cluster (linearly decodable information only).",
}

# What the note says instead for a record of the Gaussian estimator (measure gaussian-broja),
# where FLAG_NOTES' words hold for the discrete one only, by the flag's start.
GAUSSIAN_FLAG_NOTES = {
    "below 0, likely overshoot:": "below 0, likely overshoot, in a record of audit.estimator "
                                  "gaussian: corrected atoms whose whole centred bootstrap "
                                  "interval lay below 0 (the cell shows [value, 0.000]) at "
                                  f"audit.confidence {OVERSHOOT_CONFIDENCE} or above. The discrete "
                                  "corrections (extrapolation, eb-extrapolation, "
                                  "eb-extrapolation-kink) do not apply to "
                                  "the Gaussian estimator, and its wishart correction, like its "
                                  "plug-in, keeps every atom at 0 or above (docs/gaussian.md, From "
                                  "samples): its audit writes no atom below 0, so check where "
                                  "that record of audit.jsonl came from.",
}

# How layer_named_flags names the layers that a flag of a layer other than the one shown holds
# at, before the flag: "layer 0: " or "layers 0, 2: ".
_LAYERS_NAMED = re.compile(r"^layers? \d+(, \d+)*: ")

# The flags that explain an atom below 0 beside it (by their start, in FLAG_NOTES) rather than
# warn of a problem: final_flags says them of the innermost layer, whose atoms the line and the
# table show, and not of the others (at most epochs, some atom of some layer is a few
# thousandths of a bit below 0).
SHOWN_ATOMS_ONLY = ("below 0:", "below 0, signed measure:", "below 0, whole ", "below 0, not judged:")


def innermost_layer(audit: list[dict[str, Any]]) -> int | None:
    """The innermost audited layer (the largest index) of a run's audit records, or ``None``.

    Parameters
    ----------
    audit : list of dict
        The records of ``audit.jsonl``.

    Returns
    -------
    int or None
        ``None`` for a run without an audit.

    Examples
    --------
    >>> innermost_layer([{"layer": 0}, {"layer": 2}, {"layer": 1}]), innermost_layer([])
    (2, None)
    """
    return max((record["layer"] for record in audit), default=None)


def final_audit(audit: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The last record of the innermost audited layer, or ``None`` for a run without an audit:
    the atoms the trainer printed under the last audited epoch's line, and the report's table
    shows.

    Examples
    --------
    >>> records = [{"epoch": e, "layer": k} for e in (0, 5, 10) for k in (1, 2)]
    >>> final_audit(records), final_audit([])
    ({'epoch': 10, 'layer': 2}, None)
    """
    layer = innermost_layer(audit)
    return next((record for record in reversed(audit) if record["layer"] == layer), None)


def corrected(record: dict[str, Any]) -> bool:
    """Whether the atoms of an audit record are bias-corrected (not the plug-in's).

    Records written before the audit corrected its estimates (no ``bias_correction``) hold the
    plug-in values.

    Examples
    --------
    >>> corrected({"bias_correction": {"method": "wishart"}}), corrected({"red": 0.1})
    (True, False)
    """
    return record.get("bias_correction", {}).get("method", "none") != "none"


# What the PID figure's title ("with audit.cluster_seeds 1 the bands ...") and the report's
# interval note ("... the intervals ...") say of intervals that holds_clustering_fixed finds: their
# bootstrap resamples the samples' clusters of one KMeans seed, and another seed moves the atoms
# by about an interval's width (digits, 450 held-out samples, layer 2: Red by sd 0.12 bits over
# six seeds, against 95% intervals 0.2 bits wide that did not overlap between seeds 0 and 1).
CLUSTERING_HELD_FIXED = ("leave out the variance of the KMeans clustering, so they are too narrow: "
                         "audit.cluster_seeds 3 includes it")


def audit_estimate(record: dict[str, Any]) -> str:
    """What the atoms of an audit record are: the estimator, then the bias correction or
    ``plug-in``.

    Examples
    --------
    >>> audit_estimate({"measure": "gaussian-broja", "bias_correction": {"method": "wishart"}})
    'gaussian, wishart'
    >>> audit_estimate({"measure": "broja", "bias_correction": {"method": "none"}})
    'discrete, plug-in'
    """
    estimator = "gaussian" if record.get("measure") == "gaussian-broja" else "discrete"
    method = record["bias_correction"]["method"] if corrected(record) else "plug-in"
    return f"{estimator}, {method}"


def holds_clustering_fixed(record: dict[str, Any]) -> bool:
    """Whether the bootstrap intervals of an audit record hold the KMeans clustering fixed: a
    record of the discrete estimator (the Gaussian one does not cluster) with intervals, of one
    clustering seed (``settings.cluster_seeds``; a record written before the key existed had one).

    Examples
    --------
    >>> discrete = {"measure": "broja", "intervals": {"red": [0.1, 0.3]}}
    >>> holds_clustering_fixed(discrete)
    True
    >>> holds_clustering_fixed({**discrete, "settings": {"cluster_seeds": 3}})
    False
    >>> holds_clustering_fixed({**discrete, "measure": "gaussian-broja"})
    False
    >>> holds_clustering_fixed({**discrete, "intervals": None})
    False
    """
    return (bool(record.get("intervals")) and audit_estimate(record).startswith("discrete")
            and record.get("settings", {}).get("cluster_seeds", 1) == 1)


def certified(record: dict[str, Any]) -> bool:
    """Whether the solve of an audit record was certified (a record that says nothing of its
    status is taken as it is).

    Examples
    --------
    >>> certified({"status": "optimal"}), certified({"status": "failed"}), certified({})
    (True, False, True)
    """
    return record.get("status", "optimal") in CERTIFIED


def audit_flags(record: dict[str, Any]) -> list[str]:
    """What to say of an audit record's atoms beside their numbers: a solve that was not certified
    (with its status), the corrected atoms below 0 (:data:`ATOM_LABELS`) by what they say
    (:func:`~pidkit.estimate.below_zero_verdicts` on the record's own measure, intervals,
    ``settings["ci_method"]`` and ``settings["confidence"]``: "below 0, not judged" in a record without
    intervals or of fewer replicates (``settings["bootstrap"]`` less its failed) than
    :func:`~pidkit.below_zero.fewest_replicates` (39 at 0.95), "below 0" where they reach above 0 or
    are not read (not centred, or a record without ``ci_method`` or ``confidence``)), a side whose
    rows were all the same (``settings["discretisation"][side]["rows_equal"]``: one cluster), a side
    with fewer distinct rows than clusters (each distinct row was one cluster; the count is
    ``settings["discretisation"][side]["distinct_rows"]``), and the sides whose clusters, fewer than
    the labels, cap what they show of them (their ``settings["discretisation"][side]`` holds
    :func:`~pidkit.estimate.information_cap`'s ``information_cap``; records written before it give
    no flag), and the sides whose row lengths, dropped by ``audit.normalize l2``, told the labels
    apart (``settings["discretisation"][side]["dropped_scale_share"]`` at least
    :data:`~pidkit.estimate.DROPPED_SCALE_SHARE`; records written before it give no flag).

    The report's table and the trainer's audit line both say it in these words, and the report's
    note under its table explains each flag (:data:`FLAG_NOTES`).

    Examples
    --------
    >>> audit_flags({"status": "failed", "bias_correction": {"negative": ["syn", "i_yt"]}})
    ["solve NOT certified (status 'failed')", 'below 0, not judged: Syn']
    >>> audit_flags({"status": "optimal", "bias_correction": {"negative": []}})
    []
    >>> audit_flags({"settings": {"clusters_used": 10, "discretisation": {
    ...     "t": {"distinct_rows": None}, "s": {"distinct_rows": 3}}}})
    ['few distinct rows: student 3 (< 10 clusters)']
    >>> audit_flags({"settings": {"clusters_used": 10, "discretisation": {
    ...     "t": {"rows_equal": False}, "s": {"rows_equal": True}}}})
    ['constant: student (every row the same: one cluster, likely a dead layer)']
    >>> audit_flags({"settings": {"clusters_used": 2, "discretisation": {
    ...     "t": {"information_cap": {"n_labels": 10, "n_values": 2}}, "s": {}}}})
    ['capped by clusters: teacher 2 (< 10 labels)']
    >>> audit_flags({"settings": {"normalize": "l2", "dropped_scale_from": 0.5, "discretisation": {
    ...     "t": {"dropped_scale_share": 0.1}, "s": {"dropped_scale_share": 0.66}}}})
    ['lengths dropped: student 66% (audit.normalize l2)']

    Syn's centred interval wholly below 0, Red's reaching above it:

    >>> audit_flags({"measure": "broja", "red": -0.01, "syn": -0.147,
    ...              "bias_correction": {"negative": ["red", "syn"]},
    ...              "intervals": {"red": [-0.01, 0.02], "syn": [-0.147, 0.0]},
    ...              "settings": {"ci_method": "centred", "confidence": 0.95}})
    ['below 0, likely overshoot: Syn', 'below 0: Red']
    >>> syn = {"measure": "broja", "syn": -0.147, "bias_correction": {"negative": ["syn"]},
    ...        "intervals": {"syn": [-0.147, 0.0]}}
    >>> audit_flags({**syn, "settings": {"ci_method": "centred", "confidence": 0.5}})
    ['below 0, whole 50% interval: Syn']
    >>> audit_flags({**syn, "settings": {"ci_method": "centred", "confidence": 0.95, "bootstrap": 20}})
    ['below 0, not judged: Syn']
    """
    flags = [] if certified(record) else [f"solve NOT certified (status {record['status']!r})"]
    settings = record.get("settings", {})
    flags += _below_zero_flags(record, settings)
    sides = settings.get("discretisation") or {}
    constant = [name for side, name in (("t", "teacher"), ("s", "student"))
                if (sides.get(side) or {}).get("rows_equal")]
    flags += [f"constant: {', '.join(constant)} (every row the same: one cluster, likely a dead "
              "layer)"] if constant else []
    few = [f"{name} {sides[side]['distinct_rows']}"
           for side, name in (("t", "teacher"), ("s", "student"))
           if (sides.get(side) or {}).get("distinct_rows")]
    flags += ([f"few distinct rows: {', '.join(few)} (< {settings.get('clusters_used')} "
               "clusters)"] if few else [])
    return flags + _capped_flags(sides) + _dropped_lengths_flags(sides, settings)


def final_flags(audit: list[dict[str, Any]]) -> list[str]:
    """The flags of a run's last audit, where its atoms are shown (the trainer's audit line, the
    report's table): those of every layer audited at the epoch of :func:`final_audit`'s record,
    in :func:`audit_flags`' words, innermost layer first.

    A flag of the innermost layer alone is said as it is: the line and the table name that
    layer beside its atoms, so the line of a one-layer audit, or of one whose other layers are
    not flagged, is as :func:`audit_flags` says it. A flag that holds at other layers (the same
    words in their records) is said once, after the layers it holds at (``layer 0: ...``,
    ``layers 0, 2: ...``), those of other layers after the innermost's. Of the other layers,
    whose atoms are not shown there, only the problems are said: a solve not certified, a
    likely overshoot, a constant side, few distinct rows, a cap by clusters, lengths dropped;
    not an atom below 0 that is noise (``below 0``) or not judged, the measure's sign or a
    low-confidence interval, which explain a number beside them. A layer of that epoch audited
    twice (a record appended again) is read from its last record.

    Parameters
    ----------
    audit : list of dict
        A run's audit records (``audit.jsonl``), or one audit's (one per audited layer).

    Returns
    -------
    list of str
        Empty for no audit, or none flagged.

    Examples
    --------
    >>> def capped(*sides):
    ...     return {"t": {}, "s": {}, **{side: {"information_cap": {"n_labels": 10, "n_values": 2}}
    ...                                    for side in sides}}
    >>> def record(layer, *sides):
    ...     return {"epoch": 1, "layer": layer,
    ...             "settings": {"clusters_used": 2, "discretisation": capped(*sides)}}
    >>> final_flags([record(0), record(2, "s")])
    ['capped by clusters: student 2 (< 10 labels)']
    >>> final_flags([record(0, "t", "s"), record(1, "s"), record(2, "s")])
    ['layers 1, 2: capped by clusters: student 2 (< 10 labels)', \
'layer 0: capped by clusters: teacher 2, student 2 (< 10 labels)']
    >>> final_flags([record(0, "s"), record(2)]), final_flags([])
    (['layer 0: capped by clusters: student 2 (< 10 labels)'], [])
    >>> below = {"bias_correction": {"negative": ["red"]}}
    >>> final_flags([{**record(0, "s"), **below}, {**record(2), **below}])
    ['below 0, not judged: Red', 'layer 0: capped by clusters: student 2 (< 10 labels)']
    """
    inner = final_audit(audit)
    if inner is None:
        return []
    at_epoch = {record["layer"]: record for record in audit if record["epoch"] == inner["epoch"]}
    return layer_named_flags({layer: [flag for flag in audit_flags(record)
                                      if layer == inner["layer"]
                                      or not flag.startswith(SHOWN_ATOMS_ONLY)]
                              for layer, record in at_epoch.items()}, inner["layer"])


def layer_named_flags(flags_of_layers: dict[int, list[str]], shown: int) -> list[str]:
    """Each flag of ``flags_of_layers`` (the flags of each audited layer) once, where the atoms
    of layer ``shown`` are: a flag of that layer alone as it is, any other after the layers it
    holds at (``layer 0: ...``, ``layers 0, 2: ...``); those of the deepest layer first, each
    layer's in its order.

    Examples
    --------
    >>> layer_named_flags({0: ["a", "b"], 1: [], 2: ["b", "c"]}, 2)
    ['layers 0, 2: b', 'c', 'layer 0: a']
    """
    layers_of: dict[str, list[int]] = {}  # each flag's layers
    for layer in sorted(flags_of_layers, reverse=True):
        for flag in flags_of_layers[layer]:
            layers_of.setdefault(flag, []).insert(0, layer)
    return [flag if layers == [shown] else
            f"layer{'s' * (len(layers) > 1)} {', '.join(map(str, layers))}: {flag}"
            for flag, layers in layers_of.items()]


def flag_notes(record: dict[str, Any], flags: list[str], *,
               data: dict[str, Any] | None = None) -> dict[str, str]:
    """The notes that explain the ``flags`` of the audit ``record`` (:func:`audit_flags`), by a
    key per note: :data:`FLAG_NOTES`' note of each flag's start, or, in a record of the
    Gaussian estimator (its ``measure`` ``gaussian-broja``), :data:`GAUSSIAN_FLAG_NOTES`' where
    it has one, keyed with the measure, so that a report of both kinds of runs gives both. A
    flag of :func:`final_flags` is read after the layers it names.

    The note on ``capped by clusters`` gives the fixes that apply to the record
    (:func:`capped_fixes`), keyed by what limited its samples, where the record says how many
    held-out samples it audited (``settings["max_samples"]``); :data:`FLAG_NOTES`' words, which
    name every case, where it does not (records written before it was recorded).

    Parameters
    ----------
    record : dict
        The audit record whose atoms the flags are shown beside.
    flags : list of str
        Its flags (:func:`audit_flags`, :func:`final_flags`).
    data : dict, optional
        The run's ``data`` section (``{"name": ..., "options": {...}}`` of ``config.json``): the
        fix that enlarges the held-out set is then that data set's alone.

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> record = {"measure": "gaussian-broja"}
    >>> list(flag_notes(record, ["below 0, likely overshoot: Syn", "below 0: Red"]))
    ['below 0, likely overshoot: gaussian-broja', 'below 0:']
    >>> list(flag_notes({"measure": "broja"}, ["below 0, likely overshoot: Syn"]))
    ['below 0, likely overshoot:']
    >>> list(flag_notes({"measure": "broja"}, ["layers 0, 1: capped by clusters: student 2"]))
    ['capped by clusters']
    >>> capped = {"n_samples": 450, "settings": {"max_samples": 0, "discretisation": {
    ...     "t": {"information_cap": {"n_labels": 10, "n_values": 6}}, "s": {}}}}
    >>> list(flag_notes(capped, ["capped by clusters: teacher 6 (< 10 labels)"]))
    ['capped by clusters: held-out set']
    """
    gaussian = record.get("measure") == GAUSSIAN_MEASURE
    flags = [_LAYERS_NAMED.sub("", flag) for flag in flags]
    notes = {}
    for start, note in FLAG_NOTES.items():
        if not any(flag.startswith(start) for flag in flags):
            continue
        fixes = (capped_fixes(record, data, labels=_flag_labels(flags))
                 if start == "capped by clusters" else None)
        if gaussian and start in GAUSSIAN_FLAG_NOTES:
            notes[f"{start} {GAUSSIAN_MEASURE}"] = GAUSSIAN_FLAG_NOTES[start]
        elif fixes:
            notes[f"{start}: {fixes[0]}"] = _CAPPED + fixes[1]
        else:
            notes[start] = note
    return notes


def capped_fixes(record: dict[str, Any], data: dict[str, Any] | None = None, *,
                 labels: int | None = None) -> tuple[str, str] | None:
    """What limited the samples of an audit record capped by clusters, and the fixes that apply
    to it, in the report's words; ``None`` for a record that does not say how many samples it
    audited of how many (``settings["max_samples"]``) or has no side capped.

    ``audit.max_samples`` took part of the held-out set where it is above 0 and the record holds
    that many samples: more audited samples then lift the cap. Otherwise the whole held-out set
    was audited and is too small; the fix enlarges it (:func:`held_out_fix`).

    Parameters
    ----------
    record : dict
        An audit record with ``n_samples`` and ``settings`` (``max_samples``, ``clusters``,
        ``discretisation``).
    data : dict, optional
        The run's ``data`` section, as for :func:`flag_notes`.
    labels : int, optional
        The labels of a cap flagged at another layer of the audit than the record's
        (:func:`final_flags`); ``None``: those of the record's capped sides.

    Returns
    -------
    tuple of (str, str) or None
        ``"max_samples"`` or ``"held-out set"``, and the fixes.

    Examples
    --------
    >>> capped = {"n_samples": 450, "settings": {"max_samples": 0, "clusters": 10,
    ...     "discretisation": {"t": {"information_cap": {"n_labels": 10}}, "s": {}}}}
    >>> print(capped_fixes(capped, {"name": "digits", "options": {}})[1])
    ... # doctest: +NORMALIZE_WHITESPACE
    Fixes: all 450 held-out samples were audited (audit.max_samples 0), fewer than the 1,000
    (10^3) from which audit.cluster_rule auto gives one cluster per label: the held-out set is
    too small. Enlarge it: --data.options test_fraction=0.56 holds out 1,007 of the 1,797
    digits (790 left to train). Or audit.cluster_rule fixed with audit.clusters 10 at any size,
    whose joint of 1,000 cells the bias correction accepts from 400 samples, with a larger
    plug-in bias; or audit.estimator gaussian, which does not cluster (linearly decodable
    information only).
    >>> capped["settings"]["max_samples"] = 450
    >>> capped_fixes(capped)[0], capped_fixes({"n_samples": 450, "settings": {}})
    ('max_samples', None)
    """
    settings = record.get("settings") or {}
    sides = settings.get("discretisation") or {}
    labels = labels or max((((sides.get(side) or {}).get("information_cap") or {}).get("n_labels", 0)
                            for side in ("t", "s")), default=0)
    n, most = record.get("n_samples"), settings.get("max_samples")
    if not labels or n is None or most is None:
        return None
    needed = labels ** 3
    clusters = settings.get("clusters")
    raise_clusters = (f"audit.clusters {labels} (it is {clusters}, fewer than the labels) and "
                      if clusters is not None and clusters < labels else "")
    others = (f" Or audit.cluster_rule fixed with audit.clusters {labels} at any size, whose joint "
              f"of {needed:,} cells the bias correction accepts from {4 * labels ** 2:,} samples, "
              "with a larger plug-in bias; or audit.estimator gaussian, which does not cluster "
              "(linearly decodable information only).")
    if most and n >= most:
        return "max_samples", (
            f"Fixes: {raise_clusters}more audited samples: audit.max_samples {most} took {n} of the "
            f"held-out set; 0 audits the whole of it (or a larger number). From {needed:,} "
            f"({labels}^3) samples audit.cluster_rule auto gives one cluster per label." + others)
    if n >= needed:  # enough samples: only audit.clusters holds the clusters below the labels
        return "held-out set", f"Fixes: {raise_clusters or 'audit.clusters at least the labels'}." + others
    return "held-out set", (
        f"Fixes: {raise_clusters}all {n:,} held-out samples were audited (audit.max_samples "
        f"{most}), fewer than the {needed:,} ({labels}^3) from which audit.cluster_rule auto "
        f"gives one cluster per label: the held-out set is too small. {held_out_fix(needed, data)}"
        + others)


def _flag_labels(flags: list[str]) -> int | None:
    """The most labels a ``capped by clusters`` flag names (``(< 10 labels)``, ``(< 10/100
    labels)``), or None."""
    counts = [int(n) for flag in flags if flag.startswith("capped by clusters")
              for n in re.findall(r"\d+", flag.rpartition("(< ")[2])]
    return max(counts, default=None)


def _capped_flags(sides: dict[str, Any]) -> list[str]:
    """The flag of the sides whose clusters, fewer than the labels, cap what they show of them:
    ``information_cap`` in their discretisation settings (records written before it: none)."""
    found = {name: (sides.get(side) or {}).get("information_cap")
             for side, name in (("t", "teacher"), ("s", "student"))}
    caps = {name: cap for name, cap in found.items() if cap}
    if not caps:
        return []
    counts = ", ".join(f"{name} {cap['n_values']}" for name, cap in caps.items())
    labels = "/".join(str(n) for n in sorted({cap["n_labels"] for cap in caps.values()}))
    return [f"capped by clusters: {counts} (< {labels} labels)"]


def _below_zero_flags(record: dict[str, Any], settings: dict[str, Any]) -> list[str]:
    """The flags of the record's corrected atoms below 0, one per verdict, in the order of
    :data:`~pidkit.estimate.BELOW_ZERO_VERDICTS`."""
    negative = [key for key in ATOM_LABELS if key in record.get("bias_correction", {}).get(
        "negative", [])]
    confidence = settings.get("confidence")
    plugin = record.get("plugin") or {}  # the scale of rounding, as the estimate's repr takes it
    values = [*(record.get(key) for key in plugin or ATOM_LABELS), *plugin.values()]
    # the intervals' replicates as the estimate's repr counts them (None: unsaid; under 2: no spread)
    drawn, failed = settings.get("bootstrap"), settings.get("bootstrap_failed", 0)
    used = drawn - failed if all(type(n) is int and n >= 0 for n in (drawn, failed)) else None
    verdicts = below_zero_verdicts(
        negative, measure=record.get("measure", "broja"), intervals=record.get("intervals"),
        ci_method=settings.get("ci_method"), confidence=confidence,
        zero=rounding_level(value for value in values if value is not None), n_boot=used)
    words = {"signed measure": "below 0, signed measure", "overshoot": "below 0, likely overshoot",
             "low confidence": (f"below 0, whole {confidence_percent(confidence)} interval"
                                if confidence else ""),
             "noise": "below 0", "not judged": "below 0, not judged"}
    return [f"{words[verdict]}: "
            f"{', '.join(ATOM_LABELS[key] for key in negative if verdicts[key] == verdict)}"
            for verdict in BELOW_ZERO_VERDICTS if verdict in verdicts.values()]


def _dropped_lengths_flags(sides: dict[str, Any], settings: dict[str, Any]) -> list[str]:
    """The flag of the sides whose row lengths told the labels apart once ``audit.normalize l2``
    dropped them: ``dropped_scale_share`` in their discretisation settings at least the record's
    ``dropped_scale_from`` (:data:`~pidkit.estimate.DROPPED_SCALE_SHARE` as the audit wrote it,
    read from the record so that a report imports no scikit-learn; records written before it:
    none)."""
    threshold = settings.get("dropped_scale_from")
    if threshold is None:
        return []
    shares = {name: (sides.get(side) or {}).get("dropped_scale_share")
              for side, name in (("t", "teacher"), ("s", "student"))}
    found = [f"{name} {share:.0%}" for name, share in shares.items()
             if share is not None and share >= threshold]
    return [f"lengths dropped: {', '.join(found)} (audit.normalize "
            f"{settings.get('normalize', 'l2')})"] if found else []
