"""The audit of a group of seeds that the report shows (:func:`group_audit`): each seed's record
of the group's innermost layer, at the epoch the row's atoms are of, averaged where the seeds
estimated them alike, and the flags of those records: a mark beside an atom below 0
(:func:`atom_marks`, with its legend, :func:`marks_legend`), a count of the seeds in the
estimate cell for the other flags, and a note where the records were made at other confidences
(:func:`confidences_note`). The table of seeds (:mod:`pidkit_distill.report.groups`) and
``groups.csv`` (:mod:`pidkit_distill.report.csv_tables`) show it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pidkit.below_zero import confidence_percent
from pidkit_distill.audit.records import (
    ATOM_LABELS,
    FLAG_NOTES,
    SHOWN_ATOMS_ONLY,
    audit_estimate,
    audit_flags,
    innermost_layer,
    layer_named_flags,
)
from pidkit_distill.report import states as run_states
from pidkit_distill.run_folders.groups import RunGroup, audit_epochs, common_epochs

__all__ = ["BELOW_ZERO_MARKS", "GroupAudit", "atom_marks", "confidences_note", "group_audit",
           "marks_legend"]

# The mark beside an atom of the row's layer that a seed's record flags below 0, by the start of
# the flag (:data:`~pidkit_distill.audit.records.FLAG_NOTES`' key) that says so.
BELOW_ZERO_MARKS = {"below 0:": "†", "below 0, likely overshoot:": "‡",
                    "below 0, signed measure:": "§", "below 0, whole ": "¶",
                    "below 0, not judged:": "°"}


@dataclass(frozen=True)
class GroupAudit:
    """The audit of a group of seeds that the report shows (:func:`group_audit`): in the table
    of seeds (:func:`~pidkit_distill.report.group_table`) and in ``groups.csv``
    (:func:`~pidkit_distill.report.csv_tables.groups_csv`).

    Attributes
    ----------
    layer : int or None
        The innermost layer a seed audited; ``None`` where none did.
    epoch : int or None
        The epoch of the seeds' records of ``layer`` (:func:`group_audit`); ``None`` where there
        is none, or where they are of different epochs (``epochs``).
    estimate : str
        The estimate cell of the group's row: how its atoms were estimated, and the seeds' flags;
        where they are not averaged, why.
    estimates : tuple of str
        How each seed's record of ``layer`` was estimated
        (:func:`~pidkit_distill.audit.records.audit_estimate`), in the order of the seeds; none
        where there is no such record.
    records : tuple of dict
        Each seed's record of ``layer``, in the order of the seeds, which the atoms average;
        none where they are not averaged (no such record, or ``estimates`` that differ: plug-in
        and corrected bits, or two estimators, make no mean).
    epochs : tuple of int
        The epoch of each seed's record of ``layer``, in the order of the seeds; none where
        ``estimates`` has none.
    """

    layer: int | None
    epoch: int | None
    estimate: str
    estimates: tuple[str, ...]
    records: tuple[dict[str, Any], ...]
    epochs: tuple[int, ...] = ()


def group_audit(group: RunGroup, states: Mapping[str, str] | None = None, *,
                ended_by_early_stop: bool | None = None) -> GroupAudit:
    """The audit of ``group`` that the report shows: each seed's record of the innermost layer a
    seed audited at the last epoch at which every seed audited it (each seed's own last where
    ``run.early_stop`` ended them, as its last acc is:
    :func:`~pidkit_distill.report.groups.seed_last_accuracies`; train audits the epoch a run
    ends at), averaged where the seeds estimated them alike. None where the seeds share no
    completed epoch (a run without one has only its untrained networks' audit, as the table of
    each run leaves out).

    Parameters
    ----------
    group : RunGroup
        An experiment (:func:`~pidkit_distill.run_folders.groups.group_runs`), one run per seed.
    states : mapping of str to str, optional
        Each run's state by its name (:func:`~pidkit_distill.report.states.run_state`), which
        says whether ``run.early_stop`` ended it; by default read from its ``summary.json``.
    ended_by_early_stop : bool, optional
        Whether ``run.early_stop`` ended the seeds
        (:func:`~pidkit_distill.report.states.ended_by_early_stop` of their runs and
        ``states``), where the caller decided it for the group's other cells; by default
        decided here.

    Returns
    -------
    GroupAudit

    Examples
    --------
    >>> from pathlib import Path
    >>> from pidkit_distill.report import RunRecords
    >>> def run(name, method, done=2):
    ...     audit = [{"epoch": e, "layer": 1, "red": 0.1 * e, "measure": "broja",
    ...               "bias_correction": {"method": method}} for e in range(done + 1)]
    ...     metrics = [{"epoch": e, "test_acc": 0.5} for e in range(1, done + 1)]
    ...     return RunRecords(name, Path(f"/nonexistent/{name}"), {"run": {"epochs": 3}},
    ...                       metrics, audit)
    >>> alike = group_audit(RunGroup("bas", [run("a", "wishart"), run("b", "wishart")]))
    >>> alike.layer, alike.epoch, alike.estimate, len(alike.records)
    (1, 2, 'discrete, wishart', 2)
    >>> unlike = group_audit(RunGroup("bas", [run("a", "wishart"), run("b", "none")]))
    >>> unlike.estimate, unlike.estimates, unlike.records
    ('discrete, wishart (a); discrete, plug-in (b): not averaged', \
('discrete, wishart', 'discrete, plug-in'), ())
    >>> apart = RunGroup("kd", [run("a", "wishart"), run("b", "wishart", done=3)])
    >>> own = group_audit(apart, {"a": "", "b": ""})  # run.early_stop ended a after epoch 2
    >>> own.epoch, own.epochs, [round(record["red"], 1) for record in own.records]
    (None, (2, 3), [0.2, 0.3])
    >>> group_audit(apart, {"a": "stopped", "b": ""}).epochs  # a killed: the epoch both have
    (2, 2)
    >>> group_audit(apart, ended_by_early_stop=True).epochs  # as the caller decided it
    (2, 3)
    """
    layers = [inner for run in group.runs if (inner := innermost_layer(run.audit)) is not None]
    if not layers or not common_epochs((run.metrics for run in group.runs), "test_acc")[0]:
        return GroupAudit(None, None, "", (), ())
    layer = max(layers)
    if ended_by_early_stop is None:
        ended_by_early_stop = run_states.ended_by_early_stop(group.runs, states)
    if ended_by_early_stop:  # each seed's own last record, of its last epoch
        own = [max((r for r in run.audit if r["layer"] == layer), key=lambda r: r["epoch"],
                   default=None) for run in group.runs]
        records = () if None in own else tuple(r for r in own if r is not None)
    else:  # each seed's record of the last epoch all audited
        audited = audit_epochs(group, layer)[0]
        records = tuple(next(r for r in run.audit if r["layer"] == layer
                             and r["epoch"] == audited[-1]) for run in group.runs
                        ) if audited else ()
    if not records:  # the cells are empty: say why
        unaudited = [run.name for run in group.runs
                     if not any(r["layer"] == layer for r in run.audit)]
        return GroupAudit(layer, None, f"no audit of layer {layer} at an epoch all seeds have"
                          + (f" ({', '.join(unaudited)}: none)" if unaudited else ""), (), ())
    epochs = tuple(record["epoch"] for record in records)
    epoch = epochs[0] if len(set(epochs)) == 1 else None
    estimates = tuple(map(audit_estimate, records))
    kinds: dict[str, list[str]] = {}
    for run, estimate in zip(group.runs, estimates, strict=True):
        kinds.setdefault(estimate, []).append(run.name)
    if len(kinds) > 1:
        estimate = "; ".join(f"{kind} ({', '.join(names)})" for kind, names in kinds.items())
        return GroupAudit(layer, epoch, f"{estimate}: not averaged", estimates, (), epochs)
    estimate = "; ".join([estimates[0], *_seed_flags(group, layer, epochs)])
    return GroupAudit(layer, epoch, estimate, estimates, records, epochs)


def _seed_flags(group: RunGroup, layer: int, epochs: Sequence[int]) -> list[str]:
    """What the estimate cell of ``group`` says of its seeds' audit records, each seed's at its
    epoch of ``epochs`` (in the order of the seeds): how many seeds flag each layer audited
    then (:func:`~pidkit_distill.audit.records.audit_flags`) with a solve not certified, few
    distinct rows or a cap by clusters, and each layer other than ``layer`` (the row's, whose
    atoms below 0 have marks, :func:`atom_marks`) with a likely overshoot; those of other
    layers named as the table of each run names them (:func:`~pidkit_distill.audit.records.
    layer_named_flags`), in the order of :data:`~pidkit_distill.audit.records.FLAG_NOTES`.

    Examples
    --------
    >>> from pathlib import Path
    >>> from pidkit_distill.report import RunRecords
    >>> def run(name, capped, status):
    ...     sides = {"s": {"information_cap": {"n_labels": 10, "n_values": 2}} if capped else {}}
    ...     audit = [{"epoch": 1, "layer": 2, "status": status,
    ...               "settings": {"discretisation": sides}}]
    ...     return RunRecords(name, Path(name), {}, [], audit)
    >>> _seed_flags(RunGroup("bas", [run("a", True, "failed"), run("b", True, "optimal"),
    ...                              run("c", False, "optimal")]), 2, (1, 1, 1))
    ['solve NOT certified in 1 of 3 seeds', 'capped by clusters in 2 of 3 seeds']
    """
    counts: dict[int, dict[str, int]] = {}  # by layer, the seeds of each flag's start
    for run, epoch in zip(group.runs, epochs, strict=True):
        at_epoch = {record["layer"]: record for record in run.audit if record["epoch"] == epoch}
        for audited, record in at_epoch.items():
            # the flags explaining an atom below 0 are said only of the row's layer, whose atoms
            # the row shows (as final_flags leaves them out of a run's line)
            unsaid = BELOW_ZERO_MARKS if audited == layer else SHOWN_ATOMS_ONLY
            starts = counts.setdefault(audited, {})
            for start in {start for flag in audit_flags(record)
                          if (start := _flag_start(flag)) is not None} - set(unsaid):
                starts[start] = starts.get(start, 0) + 1
    return layer_named_flags({audited: [f"{start.rstrip(': ')} in {starts[start]} of "
                                        f"{len(group.runs)} seeds"
                                        for start in FLAG_NOTES if start in starts]
                              for audited, starts in counts.items()}, layer)


def atom_marks(records: tuple[dict[str, Any], ...]
                ) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
    """The marks beside each atom (a key of :data:`~pidkit_distill.audit.records.ATOM_LABELS`)
    of a group's row, whose seeds' ``records`` it shows: how many of them flag it below 0 with
    each mark of :data:`BELOW_ZERO_MARKS` (:func:`~pidkit_distill.audit.records.audit_flags`,
    as the table of each run says it), and the words of each mark given.

    Examples
    --------
    >>> below = {"measure": "broja", "bias_correction": {"negative": ["syn", "red"]},
    ...          "intervals": {"syn": [-0.01, 0.02], "red": [-0.01, 0.03]}}
    >>> marks, words = atom_marks([below, {"bias_correction": {"negative": ["syn"]}}, {}])
    >>> marks["syn"], marks["red"], marks["uni_t"], words
    ({'†': 1, '°': 1}, {'†': 1}, {}, {'†': 'below 0', '°': 'below 0, not judged'})
    """
    atoms = {label: key for key, label in ATOM_LABELS.items()}
    marks: dict[str, dict[str, int]] = {key: {} for key in ATOM_LABELS}
    words: dict[str, str] = {}
    for record in records:
        for flag in audit_flags(record):
            mark = BELOW_ZERO_MARKS.get(_flag_start(flag) or "")
            if mark is None:
                continue
            said, _, labels = flag.partition(": ")
            words[mark] = said
            for label in labels.split(", "):
                marks[atoms[label]][mark] = marks[atoms[label]].get(mark, 0) + 1
    return marks, words


def marks_legend(words: dict[str, str]) -> str:
    """The line under the group table that says what each mark beside an atom given in the
    table means (``words``: its flag's words by mark, :func:`atom_marks`); empty for none.

    Examples
    --------
    >>> print(marks_legend({"‡": "below 0, likely overshoot", "†": "below 0"}))
    Marks beside an atom: † below 0; ‡ below 0, likely overshoot; each followed by how many \
of the seeds' audit records (of the row's layer and audit epoch) flag it so (†2/3: 2 of 3 \
seeds), as the estimate cell of each seed's row in the table of each run says, and its notes \
explain.
    """
    if not words:
        return ""
    first = next(mark for mark in BELOW_ZERO_MARKS.values() if mark in words)
    given = "; ".join(f"{mark} {words[mark]}" for mark in BELOW_ZERO_MARKS.values()
                      if mark in words)
    return (f"Marks beside an atom: {given}; each followed by how many of the seeds' audit "
            f"records (of the row's layer and audit epoch) flag it so ({first}2/3: 2 of 3 "
            "seeds), as the estimate cell of each seed's row in the table of each run says, and "
            "its notes explain.")


def confidences_note(group: RunGroup, audit: GroupAudit) -> str | None:
    """The line under the group table where the seeds' records that the row of ``group`` shows
    (``audit``, its :func:`group_audit`) were audited at other confidences
    (``settings["confidence"]``: an ``audit.confidence`` a resume changed, or seeds run with
    others); ``None`` where they were alike. Their atoms are the same at any; their marks below
    0 are judged at each one's own.

    Examples
    --------
    >>> from pathlib import Path
    >>> from pidkit_distill.report import RunRecords
    >>> def run(name, confidence):
    ...     audit = [{"epoch": 1, "layer": 2, "measure": "broja",
    ...               "bias_correction": {"method": "wishart"},
    ...               "settings": {"confidence": confidence}}]
    ...     return RunRecords(name, Path(name), {}, [{"epoch": 1, "test_acc": 0.5}], audit)
    >>> mixed = RunGroup("bas", [run("a", 0.95), run("b", 0.99), run("c", 0.95)])
    >>> print(confidences_note(mixed, group_audit(mixed)))
    bas, 3 seeds: the seeds' audit records of the row (layer 2, epoch 1) were made at other \
confidences, 95% (a, c) and 99% (b) (audit.confidence, which a resume may change): their atoms \
are the same at any, and a mark below 0 is judged at its seed's own.
    >>> alike = RunGroup("bas", [run("a", 0.95), run("b", 0.95)])
    >>> confidences_note(alike, group_audit(alike)) is None
    True
    """
    seeds: dict[str, list[str]] = {}
    for run, record in zip(group.runs, audit.records, strict=False):  # none without an audit
        confidence = (record.get("settings") or {}).get("confidence")
        level = "not recorded" if confidence is None else confidence_percent(confidence)
        seeds.setdefault(level, []).append(run.name)
    if len(seeds) < 2:
        return None
    levels = [f"{level} ({', '.join(names)})" for level, names in seeds.items()]
    epoch = (f"epoch {audit.epoch}" if audit.epoch is not None
             else f"each seed's last audit, epochs {', '.join(map(str, audit.epochs))}")
    return (f"{group.legend}: the seeds' audit records of the row (layer {audit.layer}, "
            f"{epoch}) were made at other confidences, {', '.join(levels[:-1])} and "
            f"{levels[-1]} (audit.confidence, which a resume may change): their atoms are the "
            "same at any, and a mark below 0 is judged at its seed's own.")


def _flag_start(flag: str) -> str | None:
    """The key of :data:`~pidkit_distill.audit.records.FLAG_NOTES` that ``flag`` (of
    :func:`~pidkit_distill.audit.records.audit_flags`) starts with, ``None`` for none."""
    return next((start for start in FLAG_NOTES if flag.startswith(start)), None)
