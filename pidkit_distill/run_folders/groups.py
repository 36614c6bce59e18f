"""The seeds of one experiment: run records grouped by their configuration, for the report.

Runs whose ``config.json`` differ only in the seed (``run.seed``) and in the run's bookkeeping
(:data:`BOOKKEEPING`: where the run folder is and what it is called, whether it resumed, what
it printed, how often it checkpointed, on which device, with how many threads and loader
processes; and :data:`AUDIT_KEYS_NOT_ATOMS`, when the audit ran and the intervals around its
atoms) are the seeds of one experiment: :func:`group_runs` puts them in one
:class:`RunGroup`. Every other key (data, models, teacher, method, optimiser, the schedule's
epochs, mixed precision, the audit's other settings) defines the experiment (a teacher file by the
file it names, however its path is spelt: the file the run recorded it read, else a relative
one from the folder the run was trained in, where that is known; where it is not,
:func:`teacher_not_known`; a name the user registered by the module it came from, where the
runs record it), but for the settings that did not affect the run
(:func:`unused_keys`: how a teacher would have been trained, where it was not; the settings of
an audit that did not run; the milestones of a constant schedule), and so does a key that one
``config.json`` lacks (written by an older version, whose default may have been another). A
run of a seed that another run of the experiment already has (a rerun) is no further seed: the
run that reached the most epochs stands for the seed, and the group lists the rerun, as counted
once where its accuracy and atoms are the same, else as a run of its own. A run without a
completed epoch stays alone, and so does the run a method starts from (TED's
``RUN.bas-init``), which is no seed of the user's runs of its method. :func:`common_epochs`
gives the values of a group's records at the epochs all of its seeds reached, never an average
over epochs some lack.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pidkit_distill.audit.records import AUDITED_ATOMS
from pidkit_distill.config import AUDIT_RESUME_FREE_KEYS, RESUME_FREE_KEYS, config_fields
from pidkit_distill.config.key_history import with_values_before_keys_existed
from pidkit_distill.config.registered_record import NAMED, REGISTERED, recorded_registered
from pidkit_distill.config.sections import SGD_ONLY
from pidkit_distill.config.teacher_keys import RECORDED, recorded_teacher_file
from pidkit_distill.registry import registry_key
from pidkit_distill.run_folders.records import RunRecords, method_label, starting_student_of

__all__ = ["AUDIT_KEYS_NOT_ATOMS", "BOOKKEEPING", "Rerun", "RunGroup", "audit_epochs",
           "common_epochs", "group_runs", "lacking_keys", "mean_sd", "teacher_not_known",
           "unused_keys"]

# The audit's keys that set when it runs and the intervals around its atoms, not the atoms
# (config.AUDIT_RESUME_FREE_KEYS: run.audit_every, audit.bootstrap, audit.confidence), which a
# resume may change: config.json then holds the new value, while the records audited before
# it were made with the old. They tell no experiment apart: the atoms the report compares are
# the same at any value (those of the epochs both seeds audited compare), and each record holds
# its own bootstrap and confidence (settings), which its flags and marks read.
AUDIT_KEYS_NOT_ATOMS = frozenset(AUDIT_RESUME_FREE_KEYS)

# The configuration keys that say how a run was kept, not what was run: runs that differ only
# in these and in run.seed are the seeds of one experiment. Those a run may change when it
# resumes, where the data is, and when the audit ran and its intervals.
BOOKKEEPING = RESUME_FREE_KEYS | AUDIT_KEYS_NOT_ATOMS | {"run.seed", "data.root"}


@dataclass(frozen=True)
class Rerun:
    """A run of a seed that another run of its experiment (``of``) stands for.

    ``same``: its accuracy and atoms are those of ``of`` at every epoch it has (a rerun of
    deterministic code, or one killed earlier), so it is counted once; else it is a run of its
    own, beside the group, and its seed's mean counts ``of`` only.

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(name, seed, acc):
    ...     config = {"method": {"name": "rid"}, "run": {"seed": seed}}
    ...     return RunRecords(name, Path(name), config, [{"epoch": 1, "test_acc": acc}], [])
    >>> (group, alone), = [group_runs([run("a", 0, 0.5), run("b", 1, 0.6), run("c", 0, 0.7)])]
    >>> [(r.run.name, r.of.name, r.same) for r in group.reruns], alone.legend
    ([('c', 'a', False)], 'c')
    """

    run: RunRecords
    of: RunRecords
    same: bool


@dataclass(frozen=True)
class RunGroup:
    """The runs of one experiment (one run, or its seeds in the order of their seeds).

    ``label`` names the experiment: its method (and preset), then, where another group has
    the same, the keys whose values tell them apart (``bas, teacher.source=untrained``).
    ``reruns`` are the runs of a seed that one of ``runs`` stands for (:class:`Rerun`).

    Examples
    --------
    >>> from pathlib import Path
    >>> group = RunGroup("bas", [RunRecords("x", Path("x"), {"run": {"seed": 1}}, [], [])])
    >>> group.seeds, group.legend
    ([1], 'x')
    """

    label: str
    runs: list[RunRecords]
    reruns: tuple[Rerun, ...] = ()

    @property
    def seeds(self) -> list[Any]:
        """The ``run.seed`` of each run (``None`` where its configuration has none)."""
        return [_seed(run) for run in self.runs]

    @property
    def legend(self) -> str:
        """What a figure's legend calls the group: ``rid, 3 seeds``, or a lone run's name."""
        return f"{self.label}, {len(self.runs)} seeds" if len(self.runs) > 1 else self.runs[0].name


# The teacher's training settings, which only a teacher trained by the run (teacher.source
# "trained") reads; an untrained teacher reads its seed too (its initialisation).
_TEACHER_TRAINING = ("teacher.epochs", "teacher.lr", "teacher.optimizer", "teacher.seed")
# The milestone schedule's decay settings, which a constant or cosine schedule never applies.
_DECAY = ("optim.milestones", "optim.milestone_unit", "optim.gamma")
# The keys that only SGD reads (AdamW runs with torch's betas).
_SGD_ONLY = tuple(f"optim.{key}" for key in SGD_ONLY)


def unused_keys(config: dict[str, Any]) -> set[str]:
    """The keys of a run's ``config`` whose values did not affect the run: ``teacher.epochs``,
    ``teacher.lr`` and ``teacher.optimizer`` where no teacher was trained (``teacher.source``
    ``untrained`` or a file), and ``teacher.seed`` too for a teacher file; every ``audit.*``
    key where the run audited nothing (``run.audit_every`` 0); ``optim.milestones``,
    ``optim.milestone_unit`` and ``optim.gamma`` for a ``constant`` or ``cosine`` schedule;
    ``optim.momentum`` and ``optim.nesterov`` for ``adamw``.

    Examples
    --------
    >>> unused = unused_keys({"teacher": {"source": "runs/t/teacher.pt"},
    ...                       "run": {"audit_every": 0}, "audit": {"clusters": 10}})
    >>> sorted(key for key in unused if not key.startswith("audit.")), "audit.clusters" in unused
    (['teacher.epochs', 'teacher.lr', 'teacher.optimizer', 'teacher.seed'], True)
    >>> unused_keys({"teacher": {"source": "trained"}, "run": {"audit_every": 5}})
    set()
    """
    def section(name: str) -> dict[str, Any]:
        table = config.get(name)
        return table if isinstance(table, dict) else {}

    unused: set[str] = set()
    source = section("teacher").get("source")
    if source == "untrained":
        unused.update(key for key in _TEACHER_TRAINING if key != "teacher.seed")
    elif isinstance(source, str) and source != "trained":
        unused.update(_TEACHER_TRAINING)
    if section("run").get("audit_every") == 0:  # its keys, and those an older config lacks
        unused.update(key for key, *_ in config_fields() if key.startswith("audit."))
        unused.update(f"audit.{key}" for key in section("audit"))
    if section("optim").get("schedule") in ("constant", "cosine"):
        unused.update(_DECAY)
    if section("optim").get("optimizer") == "adamw":
        unused.update(_SGD_ONLY)
    return unused


# Where a name the user registered came from, as a key of _defining: config.json's path to it.
_REGISTERED_IN = f"{RECORDED}.{REGISTERED}."


def _defining(run: RunRecords) -> dict[str, str]:
    """The keys of ``run``'s configuration that define its experiment (all but
    :data:`BOOKKEEPING` and :func:`unused_keys`), each with its value as JSON (a list or a
    table compares by value; a teacher file by the file it names, :func:`_teacher_file`). The
    run's record (:data:`~pidkit_distill.config.teacher_keys.RECORDED`) is no setting: it defines
    the experiment through ``teacher.source``, and by where each name the user registered
    came from (:func:`~pidkit_distill.config.registered_record.recorded_registered`), under its key
    in ``config.json`` (``recorded.registered.model.student``)."""
    unused = BOOKKEEPING | unused_keys(run.config)
    settings = {f"{section}.{key}": json.dumps(_setting(f"{section}.{key}", value, run),
                                               sort_keys=True)
                for section, table in with_values_before_keys_existed(run.config).items()
                if isinstance(table, dict) and section != RECORDED
                for key, value in table.items() if f"{section}.{key}" not in unused}
    return {**settings, **{_REGISTERED_IN + key: json.dumps(source)
                           for key, source in recorded_registered(run.config).items()}}


def _setting(key: str, value: Any, run: RunRecords) -> Any:
    """A setting of ``run`` as :func:`_defining` compares it: a teacher file by the file it
    names (:func:`_teacher_file`); a registered name (``data.name``, ``method.name``, ...) as
    the registries read it (:func:`~pidkit_distill.registry.registry_key`): a run written
    before configurations held names lower-cased may record ``RID`` beside another's ``rid``,
    one experiment."""
    if key == "teacher.source":
        return _teacher_file(value, run)
    return registry_key(value) if key in NAMED and isinstance(value, str) else value


def _unrecorded(run: RunRecords) -> set[str]:
    """The keys of :func:`_defining` that tell where the user's registered names came from,
    where ``run`` records none (a run of an older version; or of the package's names alone,
    whose experiments such keys never tell apart): what it did not record, not what differs."""
    return set() if recorded_registered(run.config) else {_REGISTERED_IN + key for key in NAMED}


def _group_defining(runs: list[RunRecords]) -> dict[str, str]:
    """The keys that define the experiment of ``runs`` (one group): those of each run
    (:func:`_defining`), which agree where two have one; a run that audited nothing lacks the
    audit's keys that a seed audited with has."""
    return {key: value for run in runs for key, value in _defining(run).items()}


def _joined(buckets: list[list[RunRecords]]) -> list[list[RunRecords]]:
    """``buckets`` (runs of equal :func:`_defining`), each of runs that left keys unused
    (:func:`unused_keys`: a seed run without its audit) or recorded no source of the user's
    names (:func:`_unrecorded`: a run of an older version) joined to the one other bucket
    whose runs agree with them on every key they have; kept apart where several do (which
    one's seed it is cannot be told)."""
    defining = [_defining(bucket[0]) if _seed_of_experiment(bucket[0]) else None
                for bucket in buckets]
    joined: dict[int, int] = {}
    for i, (bucket, mine) in enumerate(zip(buckets, defining, strict=True)):
        unused = unused_keys(bucket[0].config) | _unrecorded(bucket[0])
        if mine is None or not unused:
            continue
        matches = [j for j, theirs in enumerate(defining) if j != i and theirs is not None
                   and theirs.keys() - unused == mine.keys()
                   and all(theirs[key] == value for key, value in mine.items())]
        if len(matches) == 1:
            joined[i] = matches[0]
    kept = [list(bucket) for bucket in buckets]
    for i, j in joined.items():
        if j not in joined:  # not into a bucket joined elsewhere itself
            kept[j].extend(buckets[i])
            kept[i] = []
    return [bucket for bucket in kept if bucket]


def _teacher_file(source: Any, run: RunRecords) -> Any:
    """The ``teacher.source`` of ``run`` as its experiment is told by: ``trained`` and
    ``untrained`` as they are, a teacher file by the absolute path that the run recorded
    (:func:`~pidkit_distill.config.teacher_keys.recorded_teacher_file`: the file it read), else by
    its absolute path (``~`` the home folder, links followed), a relative path taken from the
    folder the run was trained in, as the trainer took it (:func:`_trained_in`): the seeds of
    one teacher file spelt ``runs/t/teacher.pt``, ``./runs/t/teacher.pt`` or in full are one
    experiment (they were three), and two projects' ``teacher.pt`` two. Where neither is known
    (a run of an older version, :func:`teacher_not_known`), a relative path is as written
    (``./`` and doubled ``/`` left out): never taken from the report's own folder, where it
    may name another file.

    Examples
    --------
    >>> run = RunRecords("s1", Path("/p/runs/s1"), {"run": {"out_dir": "runs", "name": "s1"}},
    ...                  [], [])
    >>> _teacher_file("untrained", run), _teacher_file("./t.pt", run) == os.path.realpath("/p/t.pt")
    ('untrained', True)
    >>> _teacher_file("./t.pt", RunRecords("s1", Path("/moved/s1"), run.config, [], []))
    't.pt'
    >>> recorded = {"run": {"out_dir": "/abs/runs"}, "recorded": {"teacher_file": "/q/t.pt"}}
    >>> _teacher_file("t.pt", RunRecords("s1", Path("/abs/runs/s1"), recorded, [], []))
    '/q/t.pt'
    """
    if not isinstance(source, str) or source in ("trained", "untrained"):
        return source
    recorded = recorded_teacher_file(run.config)
    if recorded is not None:
        return recorded
    path = os.path.expanduser(source)
    if os.path.isabs(path):
        return os.path.realpath(path)
    folder = _trained_in(run)
    return os.path.normpath(path) if folder is None else os.path.realpath(folder / path)


def teacher_not_known(run: RunRecords) -> str | None:
    """The relative ``teacher.source`` of ``run`` (as written) where which file it named is
    not known: the run records no teacher file (a run of an older version, or one resuming
    such a run) and its folder's place does not tell where it was trained (an
    absolute ``run.out_dir``, a run folder moved); ``None`` otherwise. Runs of such a
    path are grouped by it as written, although it may have named another file for each.

    Examples
    --------
    >>> config = {"teacher": {"source": "./t.pt"}, "run": {"out_dir": "/abs/runs"}}
    >>> teacher_not_known(RunRecords("s1", Path("/abs/runs/s1"), config, [], []))
    't.pt'
    >>> config["recorded"] = {"teacher_file": "/p/t.pt"}
    >>> teacher_not_known(RunRecords("s1", Path("/abs/runs/s1"), config, [], [])) is None
    True
    """
    source = (run.config.get("teacher") or {}).get("source")
    told = _teacher_file(source, run)
    return told if isinstance(told, str) and told not in ("trained", "untrained") \
        and not os.path.isabs(told) else None


def _trained_in(run: RunRecords) -> Path | None:
    """The folder ``run`` was trained in (where its relative paths start), as its run folder's
    place tells: the folder that ``run.out_dir/run.name`` (a relative ``run.out_dir``) leads from
    to it; ``None`` where ``run.out_dir`` is absolute or climbs out (``..``), or the run folder
    is no longer at ``run.out_dir/run.name``.

    Examples
    --------
    >>> run = RunRecords("s1", Path("/p/runs/s1"), {"run": {"out_dir": "./runs", "name": ""}},
    ...                  [], [])
    >>> _trained_in(run)
    PosixPath('/p')
    """
    settings = run.config.get("run") or {}
    folder = Path(os.path.abspath(run.path))
    out_dir, name = settings.get("out_dir"), settings.get("name") or folder.name
    if not isinstance(out_dir, str) or not isinstance(name, str):
        return None
    out_dir = os.path.normpath(os.path.expanduser(out_dir))
    tail = (*Path(out_dir).parts, name) if out_dir != "." else (name,)
    if os.path.isabs(out_dir) or ".." in tail or folder.parts[-len(tail):] != tail:
        return None
    return Path(*folder.parts[:-len(tail)])


def group_runs(runs: list[RunRecords]) -> list[RunGroup]:
    """``runs`` grouped by experiment: each run in one group, the groups in the order of their
    first run.

    Runs of the same configuration but for :data:`BOOKKEEPING`, each with a completed epoch and
    an integer seed, form a group when they have two seeds or more; otherwise each is a group
    of its own, as is a run's starting student (TED's ``RUN.bas-init``:
    :func:`~pidkit_distill.run_folders.records.starting_student_of`), never a seed. Of the
    runs of one seed in a group, the one that reached the most epochs (the first given of
    those) is the seed's; the others are the group's ``reruns``, and a rerun whose results
    differ is also a group of its own.

    Parameters
    ----------
    runs : list of RunRecords
        With distinct names (:func:`~pidkit_distill.run_folders.records.with_distinct_names`).

    Returns
    -------
    list of RunGroup

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(name, seed, method="rid", acc=0.5):
    ...     config = {"method": {"name": method}, "run": {"seed": seed, "name": name}}
    ...     return RunRecords(name, Path(name), config, [{"epoch": 1, "test_acc": acc}], [])
    >>> groups = group_runs([run("r2", 2), run("b", 1, "bas"), run("r1", 1), run("r1b", 1)])
    >>> [(g.legend, g.seeds) for g in groups]
    [('rid, 2 seeds', [1, 2]), ('b', [1])]
    >>> [(r.run.name, r.of.name, r.same) for r in groups[0].reruns]
    [('r1b', 'r1', True)]
    """
    buckets: dict[str, list[RunRecords]] = {}
    for run in runs:
        key = json.dumps(_defining(run), sort_keys=True) if _seed_of_experiment(run) else run.name
        buckets.setdefault(key, []).append(run)
    members: list[tuple[list[RunRecords], tuple[Rerun, ...]]] = []
    for bucket in _joined(list(buckets.values())):
        by_seed: dict[int, list[RunRecords]] = {}
        for run in bucket:
            by_seed.setdefault(_seed(run), []).append(run)
        if len(by_seed) < 2 or not all(isinstance(seed, int) for seed in by_seed):
            members.extend(([run], ()) for run in bucket)
            continue
        # the seed's run: the most epochs, the first given of those
        chosen = {seed: max(same, key=lambda run: len(run.metrics))
                  for seed, same in by_seed.items()}
        reruns = tuple(Rerun(run, chosen[seed], _same_results(run, chosen[seed]))
                       for seed, same in by_seed.items() for run in same
                       if run is not chosen[seed])
        members.append(([chosen[seed] for seed in sorted(chosen)], reruns))
        members.extend(([rerun.run], ()) for rerun in reruns if not rerun.same)
    position = {id(run): i for i, run in enumerate(runs)}  # records compare by value: slow
    members.sort(key=lambda group: min(position[id(run)] for run in group[0]))
    return [RunGroup(label, group, reruns) for label, (group, reruns)
            in zip(_labels([group for group, _ in members]), members, strict=True)]


def _seed_of_experiment(run: RunRecords) -> bool:
    """Whether ``run`` may be a seed of an experiment: it has a completed epoch, and is no
    run's starting student (:func:`~pidkit_distill.run_folders.records.starting_student_of`:
    TED's ``RUN.bas-init``, whose ``config.json`` is a BAS run's but for bookkeeping, and which
    would pose as a seed of the user's BAS runs)."""
    return bool(run.metrics) and starting_student_of(run.config) is None


def _seed(run: RunRecords) -> Any:
    """The ``run.seed`` of ``run`` (``None`` where its configuration has none)."""
    return (run.config.get("run") or {}).get("seed")


def _same_results(run: RunRecords, of: RunRecords) -> bool:
    """Whether every accuracy and audited atom of ``run`` is that of ``of`` at the same epoch
    (and layer): ``run`` may stop earlier, not differ."""
    def results(records: RunRecords) -> tuple[dict[Any, Any], dict[Any, Any]]:
        return ({m["epoch"]: m["test_acc"] for m in records.metrics},
                {(r["epoch"], r["layer"]): tuple(r[key] for key in AUDITED_ATOMS)
                 for r in records.audit})

    return all(mine.items() <= theirs.items()
               for mine, theirs in zip(results(run), results(of), strict=True))


def _labels(groups: list[list[RunRecords]]) -> list[str]:
    """Each group's label: its method (and preset), then, where other groups have the same,
    ``key=value`` for each key whose value tells them apart (not one that another group
    lacks because it did not affect that group's runs, :func:`unused_keys`)."""
    base = [method_label(group[0].config) or group[0].name for group in groups]
    defining = [_group_defining(group) for group in groups]
    unused = [set().union(*(unused_keys(run.config) for run in group)) for group in groups]
    labels = []
    for label, mine in zip(base, defining, strict=True):
        rivals = [(theirs, skipped) for theirs, skipped, other_label
                  in zip(defining, unused, base, strict=True) if other_label == label]
        apart = [key for key in mine if any(theirs.get(key) != mine[key] and key not in skipped
                                            for theirs, skipped in rivals)]
        labels.append(", ".join([label, *(f"{key}={_shown(mine[key])}" for key in apart)]))
    return labels


def _shown(value: str) -> str:
    """A value of :func:`_defining` (JSON) as a label shows it: a string bare, else as in
    ``config.json`` (``false``, not Python's ``False``)."""
    loaded = json.loads(value)
    return loaded if isinstance(loaded, str) else value


def lacking_keys(groups: list[RunGroup]) -> list[tuple[RunGroup, RunGroup, list[str]]]:
    """The pairs of ``groups`` (each with a completed epoch) kept apart only by keys that one's
    ``config.json`` lacks, and those keys: runs of an older version, which wrote no such key
    (and whose default may have been another), beside newer ones.

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(name, seed, **more):
    ...     config = {"method": {"name": "bas"}, "run": {"seed": seed, **more}}
    ...     return RunRecords(name, Path(name), config, [{"epoch": 1, "test_acc": 0.5}], [])
    >>> [(a.legend, b.legend, keys) for a, b, keys in lacking_keys(group_runs(
    ...     [run("old", 1), run("new", 2, amp=False), run("new3", 3, amp=False)]))]
    [('old', 'bas, run.amp=false, 2 seeds', ['run.amp'])]
    """
    defining = [_group_defining(group.runs) for group in groups]
    pairs = []
    for i, (group, mine) in enumerate(zip(groups, defining, strict=True)):
        for other, theirs in zip(groups[i + 1:], defining[i + 1:], strict=True):
            unused = set().union(*(unused_keys(run.config) for run in (*group.runs, *other.runs)))
            lacked = sorted((mine.keys() ^ theirs.keys()) - unused)
            if (group.runs[0].metrics and other.runs[0].metrics and lacked
                    and all(mine[key] == theirs[key] for key in mine.keys() & theirs.keys())):
                pairs.append((group, other, lacked))
    return pairs


def common_epochs(records: Iterable[list[dict[str, Any]]], key: str
                  ) -> tuple[list[int], np.ndarray]:
    """The epochs at which every run's ``records`` have a record, and the value of ``key`` in
    each, a row per run (``NaN`` for a missing value: ``None``, a failed solve).

    Parameters
    ----------
    records : iterable of list of dict
        Each run's records (``metrics.jsonl``, or ``audit.jsonl`` of one layer).
    key : str

    Returns
    -------
    epochs : list of int
        In order; none when some run has no record at any epoch the others have.
    values : ndarray of shape (runs, len(epochs))

    Examples
    --------
    >>> epochs, values = common_epochs([[{"epoch": e, "a": e} for e in (1, 2, 3)],
    ...                                 [{"epoch": e, "a": None} for e in (1, 2)]], "a")
    >>> epochs, values.tolist()
    ([1, 2], [[1.0, 2.0], [nan, nan]])
    """
    by_epoch = [{record["epoch"]: record for record in run} for run in records]
    epochs = sorted(set.intersection(*(set(run) for run in by_epoch))) if by_epoch else []
    values = [[run[epoch][key] for epoch in epochs] for run in by_epoch]
    return epochs, np.array(values, dtype=float).reshape(len(by_epoch), len(epochs))


def audit_epochs(group: RunGroup, layer: int) -> tuple[list[int], list[list[dict[str, Any]]]]:
    """The epochs at which every seed of ``group`` audited ``layer``, and each seed's audit
    records of that layer.

    Examples
    --------
    >>> from pathlib import Path
    >>> def run(name, epochs):
    ...     audit = [{"epoch": e, "layer": k} for e in epochs for k in (0, 1)]
    ...     return RunRecords(name, Path(name), {}, [], audit)
    >>> audit_epochs(RunGroup("bas", [run("a", [0, 1, 2]), run("b", [0, 1])]), 1)[0]
    [0, 1]
    """
    records = [[r for r in run.audit if r["layer"] == layer] for run in group.runs]
    return common_epochs(records, "epoch")[0], records


def mean_sd(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean and the sample standard deviation (``ddof=1``) of ``values`` over its first
    axis (the seeds), ignoring missing ones (``NaN``); ``NaN`` where none, or one, has a value.

    Examples
    --------
    >>> mean, sd = mean_sd(np.array([[0.8, 1.0], [0.9, np.nan], [1.0, np.nan]]))
    >>> mean.round(3).tolist(), sd.round(3).tolist()
    ([0.9, 1.0], [0.1, nan])
    """
    values = np.asarray(values, dtype=float)
    counts = (~np.isnan(values)).sum(axis=0)
    total = np.nansum(values, axis=0)
    mean = np.divide(total, counts, out=np.full(total.shape, np.nan), where=counts > 0)
    squares = np.nansum((values - mean) ** 2, axis=0)
    sd = np.sqrt(np.divide(squares, counts - 1, out=np.full(total.shape, np.nan),
                           where=counts > 1))
    return mean, sd
