"""The paired differences against BAS under the report's table of seeds (:func:`pair_lines`):
for each experiment with the same data, teacher source and ``run.epochs`` as an experiment of
method ``bas``, its last held-out accuracy minus BAS's, paired by seed, as mean ± standard error
over the seeds both ran (:func:`paired_difference`).

Where ``run.early_stop`` ended seeds, at different epochs say
(:func:`~pidkit_distill.report.states.ended_by_early_stop`), the last epoch every seed reached is
no seed's result: a seed stopped after epoch 6 would be set against one that ran to 12 at its
epoch 6, partway through. Each seed's own result is paired instead, its held-out accuracy at
its best validation epoch (``best.pt``, its best acc (val) in the table of each run), and the
line says so.

Experiments of different ``run.epochs`` are not paired: the difference would be taken at the
last epoch both reached, the shorter run's last against the longer one's partway through its
schedule (a 6-epoch kd's epoch 6 against a 30-epoch bas's epoch 6), which mixes the method with
the training's length and is the last accuracy of neither. A note says so instead
(:func:`epochs_apart_notes`), naming the epochs and the run that would pair them.

With two or three seeds, each experiment's mean ± sd across its seeds cannot tell which gaps
are real: much of a seed's accuracy comes from what it draws (the data's split, the teacher),
which BAS's run of the same seed shares. A difference taken seed by seed cancels that part, as
the demo's "vs BAS" and ``benchmarks/distill_cpu.py``'s paired gain do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from pidkit_distill.registry import registry_key
from pidkit_distill.report.states import ended_by_early_stop
from pidkit_distill.report.table import best_record
from pidkit_distill.run_folders.groups import RunGroup, common_epochs
from pidkit_distill.run_folders.records import RunRecords

__all__ = ["BASELINE", "PairedDifference", "bas_pairs", "epochs_apart_notes", "pair_lines",
           "paired_difference"]

BASELINE = "bas"
"""The method every other experiment is paired against."""

# What a line pairing the seeds' results compares (:func:`paired_difference`, runs that
# run.early_stop ended)
_RESULTS = ("each seed's result: its held-out accuracy at its best validation epoch (best.pt, "
            "its best acc (val)), or at its last where it has no data.val_fraction")


class PairedDifference(NamedTuple):
    """The last accuracy of one experiment minus that of another, paired by seed (or each
    seed's result, where ``run.early_stop`` ended them at different epochs).

    Attributes
    ----------
    epoch : int or None
        The last epoch that every run of the seeds paired reached, whose accuracies are
        compared; ``None`` where each seed's own result is compared instead
        (:func:`paired_difference`).
    seeds : list
        The seeds paired: those both experiments ran, each with an accuracy at ``epoch`` in both.
    differences : ndarray
        Each seed's accuracy minus the other experiment's of the same seed, in the order of
        ``seeds``.
    mean : float
        The mean of ``differences``.
    se : float
        Its standard error: the sample standard deviation (``ddof=1``) of ``differences`` over
        the square root of their number.
    """

    epoch: int | None
    seeds: list[object]
    differences: np.ndarray
    mean: float
    se: float


def paired_difference(group: RunGroup, baseline: RunGroup,
                      states: Mapping[str, str] | None = None) -> PairedDifference | None:
    """The last accuracy of ``group`` minus that of ``baseline``, paired by ``run.seed``: at the
    last epoch that the runs of every seed both ran reached, each seed's held-out accuracy minus
    ``baseline``'s of the same seed; ``None`` where fewer than 2 seeds pair (a seed with no
    accuracy at that epoch, a non-finite one, pairs with none).

    Where each of those runs ended its epochs and ``run.early_stop`` ended one or more
    (:func:`~pidkit_distill.report.states.ended_by_early_stop`), each run's own result is compared
    instead: its held-out accuracy at its best epoch chosen on its validation split
    (``best.pt``, :func:`~pidkit_distill.report.table.best_record`), or at its last epoch
    where it has no split (its best acc would be chosen on the held-out set itself); the
    result's ``epoch`` is then ``None``.

    Parameters
    ----------
    group, baseline : RunGroup
        Two experiments (:func:`~pidkit_distill.run_folders.groups.group_runs`), one run per seed.
    states : mapping of str to str, optional
        Each run's state by its name (:func:`~pidkit_distill.report.states.run_state`), which
        says whether ``run.early_stop`` ended it; by default read from its ``summary.json``.

    Returns
    -------
    PairedDifference or None

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(seed, accs):
    ...     metrics = [{"epoch": e, "test_acc": a} for e, a in enumerate(accs, 1)]
    ...     return RunRecords(f"s{seed}", Path(f"s{seed}"), {"run": {"seed": seed}}, metrics, [])
    >>> bas = RunGroup("bas", [run(0, [0.5, 0.80]), run(1, [0.5, 0.90]), run(2, [0.5, 0.7])])
    >>> kd = RunGroup("kd", [run(1, [0.6, 0.95]), run(0, [0.6, 0.82])])
    >>> pair = paired_difference(kd, bas)
    >>> pair.epoch, pair.seeds, pair.differences.round(2).tolist(), round(pair.mean, 3)
    (2, [1, 0], [0.05, 0.02], 0.035)
    >>> round(pair.se, 3)
    0.015

    kd's seeds stopped early, after epochs 2 and 1 of 3 (their states ``""``: finished): each
    seed's held-out accuracy at its best validation epoch (bas's seed 1: 0.6 at epoch 2, not
    its last, 0.8), not at epoch 1

    >>> def val_run(seed, tests, vals):
    ...     metrics = [{"epoch": e, "test_acc": t, "val_acc": v}
    ...                for e, (t, v) in enumerate(zip(tests, vals), 1)]
    ...     return RunRecords(f"s{seed}", Path(f"s{seed}"), {"run": {"seed": seed, "epochs": 3}},
    ...                       metrics, [])
    >>> bas = RunGroup("bas", [val_run(0, [0.5, 0.6, 0.7], [0.5, 0.6, 0.7]),
    ...                        val_run(1, [0.5, 0.6, 0.8], [0.5, 0.6, 0.6])])
    >>> kd = RunGroup("kd", [val_run(0, [0.6, 0.9], [0.6, 0.7]), val_run(1, [0.7], [0.8])])
    >>> pair = paired_difference(kd, bas, {"s0": "", "s1": ""})
    >>> pair.epoch, pair.differences.round(2).tolist()
    (None, [0.2, 0.1])
    """
    if not isinstance(group, RunGroup) or not isinstance(baseline, RunGroup):
        raise TypeError(f"group and baseline must be RunGroup (of run_folders.groups.group_runs), got "
                        f"{type(group).__name__} and {type(baseline).__name__}; group the runs "
                        "first: group_runs(load_runs(folders))")
    of_baseline = dict(zip(baseline.seeds, baseline.runs, strict=True))
    shared = [(seed, run, of_baseline[seed]) for seed, run in zip(group.seeds, group.runs,
                                                                    strict=True)
              if seed is not None and seed in of_baseline]
    if len(shared) < 2:
        return None
    runs: list[RunRecords] = [run for _, pair_run, base_run in shared
                              for run in (pair_run, base_run)]
    if ended_by_early_stop(runs, states):
        epoch = None
        values = np.array([np.nan if (record := _result(run)) is None or record.get("test_acc")
                           is None else record["test_acc"] for run in runs], float)
    else:
        epochs, acc = common_epochs((run.metrics for run in runs), "test_acc")
        if not epochs:
            return None
        epoch, values = epochs[-1], acc[:, -1]
    differences = values[0::2] - values[1::2]  # each seed's run, then baseline's
    finite = np.isfinite(differences)
    if finite.sum() < 2:
        return None
    kept = differences[finite]
    return PairedDifference(epoch, [seed for (seed, _, _), ok in zip(shared, finite,
                                                                   strict=True) if ok],
                            kept, float(kept.mean()),
                            float(kept.std(ddof=1) / math.sqrt(kept.size)))


def bas_pairs(groups: list[RunGroup], states: Mapping[str, str] | None = None
              ) -> list[tuple[RunGroup, RunGroup, PairedDifference]]:
    """Each experiment of ``groups`` not of method ``bas``, with each ``bas`` experiment of the
    same ``data.name``, ``teacher.source`` and ``run.epochs`` (where both record it) with which
    it shares 2 seeds or more, and its :func:`paired_difference` with it (``states`` as it
    takes them); in the order of ``groups``. Those of other ``run.epochs`` are
    :func:`epochs_apart_notes`'.

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(method, seed, acc):
    ...     config = {"method": {"name": method}, "data": {"name": "digits"},
    ...               "teacher": {"source": "trained"}, "run": {"seed": seed}}
    ...     return RunRecords(f"{method}-s{seed}", Path(f"{method}-s{seed}"), config,
    ...                       [{"epoch": 6, "test_acc": acc}], [])
    >>> bas = RunGroup("BAS", [run("BAS", 0, 0.92), run("BAS", 1, 0.94)])
    >>> kd = RunGroup("kd", [run("kd", 0, 0.87), run("kd", 1, 0.88)])
    >>> [(group.label, baseline.label, round(pair.mean, 3))
    ...  for group, baseline, pair in bas_pairs([bas, kd])]
    [('kd', 'BAS', -0.055)]
    """
    return _same_epochs(_pairs_of_setting(groups, states))


def epochs_apart_notes(groups: list[RunGroup], states: Mapping[str, str] | None = None
                       ) -> list[str]:
    """A note for each experiment of ``groups`` that :func:`bas_pairs` pairs with no ``bas``
    experiment but would pair with one of its data and teacher source were their ``run.epochs``
    the same, saying why it has no line and what would give it one (``states`` as
    :func:`paired_difference` takes them).

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(method, seed, acc, epochs):
    ...     config = {"method": {"name": method}, "data": {"name": "digits"},
    ...               "teacher": {"source": "trained"}, "run": {"seed": seed, "epochs": epochs}}
    ...     metrics = [{"epoch": e, "test_acc": acc} for e in range(1, epochs + 1)]
    ...     return RunRecords(f"{method}-s{seed}", Path(f"{method}-s{seed}"), config, metrics, [])
    >>> bas = RunGroup("bas", [run("bas", 0, 0.92, 30), run("bas", 1, 0.94, 30)])
    >>> kd = RunGroup("kd", [run("kd", 0, 0.87, 6), run("kd", 1, 0.88, 6)])
    >>> bas_pairs([bas, kd])
    []
    >>> print(epochs_apart_notes([bas, kd])[0])
    kd is not paired with bas: kd's runs are scheduled for run.epochs 6, bas's for 30, so their \
difference at the last epoch both reached (6) would set the end of kd's training against bas \
partway through its own, which mixes the method with the training's length; rerun bas with \
run.epochs 6 (or kd with 30) to pair them seed by seed
    """
    return _apart_notes(_pairs_of_setting(groups, states))


def pair_lines(groups: list[RunGroup], states: Mapping[str, str] | None = None) -> list[str]:
    """The lines under the table of seeds: one for each pair of :func:`bas_pairs`, saying the
    mean ± s.e. of its paired differences, and what they compare (the last acc at an epoch,
    or each seed's result where ``run.early_stop`` ended them apart: :func:`paired_difference`,
    ``states`` as it takes them); none for an experiment that shares fewer than 2 seeds with
    every ``bas`` one of its data and teacher source; after them :func:`epochs_apart_notes`,
    for those whose ``bas`` ran other ``run.epochs``.

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(method, seed, acc):
    ...     config = {"method": {"name": method}, "data": {"name": "digits"},
    ...               "teacher": {"source": "trained"}, "run": {"seed": seed}}
    ...     return RunRecords(f"{method}-s{seed}", Path(f"{method}-s{seed}"), config,
    ...                       [{"epoch": 6, "test_acc": acc}], [])
    >>> bas = RunGroup("bas", [run("bas", 0, 0.92), run("bas", 1, 0.94)])
    >>> kd = RunGroup("kd", [run("kd", 0, 0.87), run("kd", 1, 0.88)])
    >>> print(pair_lines([bas, kd])[0])
    kd − bas: -0.0550 ± 0.0050 (last acc at epoch 6, paired by seed: mean ± s.e. of the \
differences over the 2 seeds both ran, 0 and 1)
    """
    pairs = _pairs_of_setting(groups, states)  # once, for the lines and the notes
    lines = []
    for group, baseline, pair in _same_epochs(pairs):
        seeds = list(map(str, pair.seeds))
        compared = (f"last acc at epoch {pair.epoch}," if pair.epoch is not None else
                    f"{_RESULTS}, not at an epoch all reached, as run.early_stop ended seeds "
                    "at different ones;")
        lines.append(f"{group.label} − {baseline.label}: {pair.mean:+.4f} ± {pair.se:.4f} "
                     f"({compared} paired by seed: mean ± s.e. of the "
                     f"differences over the {len(seeds)} seeds both ran, "
                     f"{', '.join(seeds[:-1])} and {seeds[-1]})")
    return [*lines, *_apart_notes(pairs)]


def _pairs_of_setting(groups: list[RunGroup], states: Mapping[str, str] | None
                      ) -> list[tuple[RunGroup, RunGroup, PairedDifference]]:
    """Each experiment of ``groups`` not of method ``bas`` with each ``bas`` one of its data and
    teacher source, whatever their ``run.epochs``, that it shares 2 seeds or more with (its
    :func:`paired_difference`, ``states`` as it takes them)."""
    baselines = [group for group in groups if _method(group) == BASELINE]
    pairs = []
    for group in groups:
        if _method(group) == BASELINE:
            continue
        for baseline in baselines:
            pair = paired_difference(group, baseline, states) if _setting(group) == _setting(
                baseline) else None
            if pair is not None:
                pairs.append((group, baseline, pair))
    return pairs


def _same_epochs(pairs: list[tuple[RunGroup, RunGroup, PairedDifference]]
                 ) -> list[tuple[RunGroup, RunGroup, PairedDifference]]:
    """The ``pairs`` of :func:`_pairs_of_setting` whose experiments' ``run.epochs`` do not
    differ (:func:`bas_pairs`), in their order."""
    return [(group, baseline, pair) for group, baseline, pair in pairs
            if _epochs_apart(group, baseline) is None]


def _apart_notes(pairs: list[tuple[RunGroup, RunGroup, PairedDifference]]) -> list[str]:
    """The notes of :func:`epochs_apart_notes` for the ``pairs`` of :func:`_pairs_of_setting`:
    one for each pair of other ``run.epochs`` whose experiment has no pair of its own epochs."""
    paired = {id(group) for group, _, _ in _same_epochs(pairs)}
    notes = []
    for group, baseline, pair in pairs:
        apart = _epochs_apart(group, baseline)
        if id(group) in paired or apart is None:
            continue
        mine, theirs = apart
        shorter, longer = (group, baseline) if mine < theirs else (baseline, group)
        difference = (f"their difference at the last epoch both reached ({pair.epoch}) would set "
                      f"the end of {shorter.label}'s training against {longer.label} partway "
                      "through its own" if pair.epoch is not None else
                      f"the difference of their results ({_RESULTS}) would set "
                      f"{shorter.label}'s, trained {min(mine, theirs)} epochs at most, against "
                      f"{longer.label}'s, trained up to {max(mine, theirs)}")
        notes.append(
            f"{group.label} is not paired with {baseline.label}: {group.label}'s runs are scheduled "
            f"for run.epochs {mine}, {baseline.label}'s for {theirs}, so {difference}, which mixes "
            f"the method with the training's length; rerun {baseline.label} with run.epochs {mine} "
            f"(or {group.label} with {theirs}) to pair them seed by seed")
    return notes


def _result(run: RunRecords) -> dict[str, Any] | None:
    """The record of the epoch that is the result of ``run``, which ended its epochs: its best
    epoch chosen on its validation split (``best.pt``; :func:`~pidkit_distill.report.table.
    best_record`), or its last where it has no split (a best chosen on the held-out set is
    optimistic); ``None`` for a run without a record.

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(metrics):
    ...     return RunRecords("x", Path("x"), {}, metrics, [])
    >>> _result(run([{"epoch": 1, "test_acc": 0.7, "val_acc": 0.9},
    ...              {"epoch": 2, "test_acc": 0.8, "val_acc": 0.8}]))["epoch"]
    1
    >>> _result(run([{"epoch": 1, "test_acc": 0.9}, {"epoch": 2, "test_acc": 0.8}]))["epoch"]
    2
    """
    best = best_record(run.metrics)
    if best is not None and "val_acc" in best:
        return best
    return run.metrics[-1] if run.metrics else None


def _epochs_apart(group: RunGroup, baseline: RunGroup) -> tuple[int, int] | None:
    """The ``run.epochs`` of ``group`` and of ``baseline`` (each the same in all its runs: it
    defines the experiment) where both record it and they differ; else None (a config without
    it pairs as before)."""
    mine, theirs = ((run.config.get("run") or {}).get("epochs") for run in (group.runs[0],
                                                                               baseline.runs[0]))
    if type(mine) is int and type(theirs) is int and mine != theirs:
        return mine, theirs
    return None


def _method(group: RunGroup) -> object:
    """The method name of ``group``'s runs, as the registry spells it (``BAS`` is ``bas``)."""
    name = (group.runs[0].config.get("method") or {}).get("name")
    return registry_key(name) if isinstance(name, str) else name


def _setting(group: RunGroup) -> tuple[object, object]:
    """What a group is paired with BAS by: its data set's name and its teacher's source."""
    config = group.runs[0].config
    return (config.get("data") or {}).get("name"), (config.get("teacher") or {}).get("source")
