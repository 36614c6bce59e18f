"""Whether a student's held-out accuracy is at chance: the one rule of the demo's table note
(:mod:`pidkit_distill.demo`) and of the report (:mod:`pidkit_distill.report`, ``accuracy.png``).

Chance is the share of the held-out set's most common class: what a student that always
answers that class scores (one that guesses at random scores less). An accuracy is at chance
when it is at most two binomial standard errors above it, both compared in percent to the
tenth of a point, as they are printed: 27.75 % and 27.8 % are both shown 27.8, and both are at
most 27.8 %.

Train counts chance in each epoch's held-out pass
(:func:`~pidkit_distill.training.evaluate`'s ``majority``) and records it in ``metrics.jsonl``
as ``test_majority``, beside ``test_n`` (the number of held-out samples):
:func:`recorded_chance` reads the two from a record. The demo's note and the report read them
there; the report names the runs at chance under its table (:func:`chance_paragraph`) and
draws chance on ``accuracy.png``; a record without ``test_majority`` says nothing of chance.

A student at chance got there one of two ways, and the two call for opposite advice. One that
never learnt the task ended too few epochs to learn it (or for its method's schedule, where its
method has one: RID's, TED's), or its method ends there: on the RID paper's data sets
(:data:`PAPER_DATA_SETS`), at its :data:`PAPER_EPOCHS` or more (:func:`trained_whole_schedule`)
every method has trained its whole schedule, so it is the method's outcome; on another data set
the paper sets no number of epochs to tell them apart by. One that had learnt it, clearly
above chance (:func:`clearly_above_chance`) at an earlier epoch, and then fell to chance
(:func:`fell_to_chance`) diverged or collapsed: more epochs do not help, a lower learning rate
or gradient clip may. Train warns of such a fall when it happens
(:func:`fell_to_chance_warning`) and the report's paragraph says it. One that trained with a
learning rate far above its default (:func:`high_lr_times`) may never have learnt for that
alone, without a fall or a loss jump to show it: the paragraph names its learning rate and
its default instead of advising more epochs.

A trained teacher at chance gives its students nothing to learn from it. Train warns where the
teacher's own run ended at chance, as it is trained or reused
(:func:`teacher_at_chance_warning`), and the report's paragraph names the teacher by the
``teacher_acc`` its students' records hold; an untrained teacher (``teacher.source =
"untrained"``), at chance by design, is neither warned of nor named.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from pidkit_distill.config.sections import TrainConfig
from pidkit_distill.registry import registry_key
from pidkit_distill.step_advice import step_size_advice

__all__ = ["HIGH_LR_FACTOR", "PAPER_DATA_SETS", "PAPER_EPOCHS", "RunTrained", "at_chance",
           "chance_ceiling", "chance_paragraph", "chance_words", "clearly_above_chance",
           "default_lr", "ends_at_chance", "fell_to_chance", "fell_to_chance_warning",
           "high_lr_times", "highest_record", "recorded_chance", "run_trained",
           "shown_percent", "student_records", "teacher_at_chance_warning",
           "trained_whole_schedule"]

# The RID paper's run length, which every method's schedule is written for (RID's warm-up and
# cycles, TED's stage 1: Params.schedule_run_epochs) and the demo trains by default.
PAPER_EPOCHS = 300
# The data sets the RID paper trains for PAPER_EPOCHS: its nuisance task (Theorem 3.1, the
# demo's) and CIFAR-10 (Appendix C). Of any other, the paper says nothing of how long to train.
PAPER_DATA_SETS = frozenset({"synthetic", "cifar10"})
# How many times its default a learning rate is, at least, for the paragraph of a student at
# chance to name it: a decade, past the factors of 2 or 3 a learning rate is tuned by. No
# documented run meant to learn comes near it (the most: teacher.lr 0.3, 6 times); its examples
# of failing training start at 40 times. On digits, KD learns at 20 times (optim.lr 1: 80.4 %
# after 3 epochs, 97.3 % after 20), not at 40 or 60 (10.0 % after 20, chance 10.2 %); a run at
# chance between, on a less forgiving task, is told to train at the default, which tells.
HIGH_LR_FACTOR = 10


class RunTrained(NamedTuple):
    """What a run trained that the advice for a student at chance depends on
    (:func:`chance_paragraph`): its data set's name (``data.name``), and whether its method has
    a schedule, optimizer groups that take turns (RID's filter epochs, TED's stage 1), which
    more epochs may be needed for; and whether its teacher was trained (``teacher.source`` other
    than ``"untrained"``: a trained one or a file), whose accuracy at chance the paragraph
    names, where an untrained teacher is at chance by design (the baseline it stands for); and
    its learning rate ``lr`` (``optim.lr``; ``teacher.lr`` in a teacher's run, which
    ``lr_key`` names) with the ``default_lr`` it would have had where none was given, which the
    paragraph names where it is :data:`HIGH_LR_FACTOR` times that or more (``None``: not known,
    as in a record of an older version)."""

    data: str
    scheduled: bool
    trained_teacher: bool = False
    lr: float | None = None
    default_lr: float | None = None
    lr_key: str = "optim.lr"


def run_trained(config: dict[str, Any], metrics: list[dict[str, Any]]) -> RunTrained:
    """What a run trained (:class:`RunTrained`), from its ``config.json`` (``config``) and its
    metrics records (``metrics``): its method has a schedule where an epoch trained another
    optimizer group than the student's (its record's ``phase``, ``"filter"``); its learning
    rate is its ``optim.lr`` (``None`` where the config holds none, as one of an older version
    may not: the paragraph then says nothing of it), its default :func:`default_lr`.

    Examples
    --------
    >>> run_trained({"data": {"name": "my-blobs"}, "teacher": {"source": "untrained"}},
    ...             [{"epoch": 1, "phase": "student"}])
    RunTrained(data='my-blobs', scheduled=False, trained_teacher=False, lr=None, \
default_lr=0.05, lr_key='optim.lr')
    >>> run_trained({"data": {"name": "Synthetic"}, "teacher": {"source": "trained"},
    ...              "optim": {"lr": 3.0}}, [{"epoch": 1, "phase": "filter"}])
    RunTrained(data='synthetic', scheduled=True, trained_teacher=True, lr=3.0, default_lr=0.05, \
lr_key='optim.lr')

    A teacher's run (``method.name`` ``"teacher"``) holds ``teacher.lr`` as its ``optim.lr``:

    >>> run_trained({"data": {"name": "digits"}, "method": {"name": "teacher"},
    ...              "optim": {"lr": 0.05}}, [{"epoch": 1, "phase": "teacher"}])[3:]
    (0.05, 0.05, 'teacher.lr')
    """
    name = config["data"]["name"]
    teacher_run = (config.get("method") or {}).get("name") == "teacher"
    lr = (config.get("optim") or {}).get("lr")
    return RunTrained(registry_key(name) if isinstance(name, str) else str(name),
                      any(m.get("phase", "student") not in ("student", "teacher")
                          for m in metrics),
                      config.get("teacher", {}).get("source") != "untrained",
                      lr if isinstance(lr, (int, float)) else None, default_lr(teacher_run),
                      "teacher.lr" if teacher_run else "optim.lr")


def default_lr(teacher_run: bool = False) -> float:
    """The learning rate ``pidkit-distill train`` trains with where none is given: the default
    configuration's ``optim.lr`` (:class:`~pidkit_distill.config.TrainConfig`; the same for
    every method, preset, data set and optimizer), or its ``teacher.lr`` for a teacher's run
    (``teacher_run``).

    Examples
    --------
    >>> default_lr(), default_lr(teacher_run=True)
    (0.05, 0.05)
    """
    defaults = TrainConfig()
    return defaults.teacher.lr if teacher_run else defaults.optim.lr


def high_lr_times(run: RunTrained) -> float | None:
    """How many times its default learning rate ``run`` trained with, where that is at least
    :data:`HIGH_LR_FACTOR`; ``None`` where it is less, or either is not known.

    Examples
    --------
    >>> round(high_lr_times(RunTrained("digits", False, lr=3.0, default_lr=0.05)), 6)
    60.0
    >>> print(high_lr_times(RunTrained("digits", False, lr=0.3, default_lr=0.05)))
    None
    >>> print(high_lr_times(RunTrained("digits", False)))  # an older version's config
    None
    """
    if run.lr is None or run.default_lr is None or run.lr < HIGH_LR_FACTOR * run.default_lr:
        return None
    return run.lr / run.default_lr


def student_records(metrics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The metrics records of the epochs that trained the student: ``phase`` ``student``, or
    none recorded; not RID's and TED's ``filter`` epochs, whose student is as it was.

    Examples
    --------
    >>> student_records([{"epoch": 1, "phase": "filter"}, {"epoch": 2, "phase": "student"},
    ...                  {"epoch": 3}])
    [{'epoch': 2, 'phase': 'student'}, {'epoch': 3}]
    """
    return [m for m in metrics if m.get("phase", "student") == "student"]


def highest_record(metrics: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The record of a run's highest held-out accuracy (``test_acc``; the first of a tie)
    among the epochs that trained its student (:func:`student_records`), which
    :func:`fell_to_chance` compares its last with: a filter epoch's accuracy is not the
    student's learning; ``None`` where no such record holds an accuracy.

    Examples
    --------
    >>> highest_record([{"epoch": 1, "phase": "filter", "test_acc": 0.9},
    ...                 {"epoch": 2, "phase": "student", "test_acc": 0.3},
    ...                 {"epoch": 3, "phase": "student", "test_acc": 0.5}])["epoch"]
    3
    >>> highest_record([{"epoch": 1, "phase": "filter", "test_acc": 0.9}]) is None
    True
    """
    return max((m for m in student_records(metrics) if m.get("test_acc") is not None),
               key=lambda m: m["test_acc"], default=None)


def shown_percent(fraction: float) -> float:
    """A held-out accuracy (a fraction) in percent, to the tenth of a point that is printed.

    Examples
    --------
    >>> shown_percent(0.25754), shown_percent(0.875)
    (25.8, 87.5)
    """
    return round(100 * fraction, 1)


def chance_ceiling(chance: float, n_test: int) -> float:
    """The highest held-out accuracy at chance, in percent as printed: two binomial standard
    errors above ``chance`` on ``n_test`` held-out samples.

    Parameters
    ----------
    chance : float
        The held-out share of the most common class, in [0, 1].
    n_test : int
        The number of held-out samples the accuracy is measured on, at least 1.

    Returns
    -------
    float

    Examples
    --------
    >>> chance_ceiling(0.258, 2000)
    27.8
    """
    return shown_percent(chance + 2 * math.sqrt(chance * (1 - chance) / n_test))


def at_chance(accuracy: float, chance: float, n_test: int) -> bool:
    """Whether the held-out ``accuracy`` is at chance: at most :func:`chance_ceiling`, as
    printed.

    Examples
    --------
    >>> at_chance(0.2776, 0.258, 2000), at_chance(0.2786, 0.258, 2000)
    (True, False)
    """
    return shown_percent(accuracy) <= chance_ceiling(chance, n_test)


def chance_words(chance: float, n_test: int) -> str:
    """What at chance means, in the words the demo and the report print.

    Examples
    --------
    >>> chance_words(0.258, 2000)
    'held-out accuracy at most 27.8 %, two standard errors above the 25.8 % of always \
answering the most common class'
    """
    return (f"held-out accuracy at most {chance_ceiling(chance, n_test):.1f} %, two standard "
            f"errors above the {shown_percent(chance):.1f} % of always answering the most "
            "common class")


def recorded_chance(record: dict[str, Any]) -> tuple[float, int] | None:
    """The chance and the number of held-out samples that a metrics record gives
    (``test_majority``, ``test_n``), or ``None`` where it lacks either.

    Examples
    --------
    >>> recorded_chance({"test_acc": 0.3, "test_majority": 0.258, "test_n": 2000})
    (0.258, 2000)
    >>> print(recorded_chance({"test_acc": 0.3, "test_n": 2000}))
    None
    """
    chance, n_test = record.get("test_majority"), record.get("test_n")
    return None if chance is None or n_test is None else (chance, n_test)


def trained_whole_schedule(epochs: int) -> bool:
    """Whether a run of ``epochs`` epochs on one of the paper's data sets
    (:data:`PAPER_DATA_SETS`) trained its method's whole schedule: at least the RID paper's
    :data:`PAPER_EPOCHS`. A student at chance after it is its method's outcome; after fewer, it
    may be too few epochs to learn the task, or for its method's schedule (RID's student trains
    after its warm-up).

    Examples
    --------
    >>> trained_whole_schedule(300), trained_whole_schedule(200)
    (True, False)
    """
    return epochs >= PAPER_EPOCHS


def clearly_above_chance(accuracy: float, chance: float, n_test: int) -> bool:
    """Whether the held-out ``accuracy`` is clearly above chance: at least halfway from
    ``chance`` to every answer right, and not :func:`at_chance`, both in percent as printed.

    Halfway, not just above :func:`chance_ceiling`: a student that has learnt little of the
    task wavers across that ceiling. In the full demo, VID with the untrained teacher reached
    33.2 % (chance 25.8 %) at epoch 43 and ended at chance, the method's outcome; RID with it was
    at 27.9 % at epoch 43, at chance at 45, and ended at 86 %.

    Examples
    --------
    >>> clearly_above_chance(0.859, 0.305, 256), clearly_above_chance(0.3315, 0.258, 2000)
    (True, False)
    >>> clearly_above_chance(0.75, 0.5, 8)  # halfway, but within two standard errors of 8
    False
    """
    return (shown_percent(accuracy) >= shown_percent((1 + chance) / 2)
            and not at_chance(accuracy, chance, n_test))


def ends_at_chance(last: dict[str, Any]) -> bool:
    """Whether the held-out accuracy of a run's ``last`` metrics record is at chance
    (:func:`at_chance`, by the chance it records: :func:`recorded_chance`), as
    :func:`chance_paragraph` names a run that ended its epochs and :func:`fell_to_chance` reads
    the epoch judged; ``False`` where it records no chance or no accuracy.

    Examples
    --------
    >>> ends_at_chance({"test_acc": 0.26, "test_majority": 0.258, "test_n": 2000})
    True
    >>> ends_at_chance({"test_acc": 0.86, "test_majority": 0.258, "test_n": 2000})
    False
    >>> ends_at_chance({"test_acc": 0.26})  # a record of an older version: no chance
    False
    """
    chance = recorded_chance(last)
    return (chance is not None and last.get("test_acc") is not None
            and at_chance(last["test_acc"], *chance))


def fell_to_chance(best: dict[str, Any] | None, last: dict[str, Any]) -> bool:
    """Whether a run fell to chance: its held-out accuracy in ``last`` is at chance while its
    highest, in ``best``, was clearly above it (:func:`clearly_above_chance`), both judged by
    the chance that ``last`` records (:func:`recorded_chance`; ``False`` where it records none).

    Parameters
    ----------
    best : dict or None
        The record of the run's highest held-out accuracy (``test_acc``) up to ``last``;
        ``None`` where it has none.
    last : dict
        The metrics record judged: the run's last, or the epoch just trained.

    Returns
    -------
    bool

    Examples
    --------
    >>> last = {"epoch": 12, "test_acc": 0.3047, "test_majority": 0.3047, "test_n": 256}
    >>> fell_to_chance({"epoch": 8, "test_acc": 0.8594}, last)
    True
    >>> fell_to_chance({"epoch": 8, "test_acc": 0.45}, last)  # not halfway to 100 %
    False
    """
    chance = recorded_chance(last)
    return (best is not None and chance is not None and ends_at_chance(last)
            and clearly_above_chance(best["test_acc"], *chance))


def teacher_at_chance_warning(record: dict[str, Any], *, fix: str) -> str | None:
    """The line train prints where a teacher ended at chance: ``record``, the last metrics
    record of the teacher's own run, is at chance (:func:`ends_at_chance`), saying what a
    student distilled from it gets and ``fix``, what to do; ``None`` where it is not at chance
    or records no chance.

    Examples
    --------
    >>> last = {"epoch": 3, "phase": "teacher", "test_acc": 0.1, "test_majority": 0.1,
    ...         "test_n": 150}
    >>> print(teacher_at_chance_warning(last, fix="raise teacher.epochs"))
    warning: the teacher ended at 10.0 % held-out accuracy, at chance (held-out accuracy at most \
14.9 %, two standard errors above the 10.0 % of always answering the most common class): a \
student distilled from it learns nothing from it; raise teacher.epochs
    >>> print(teacher_at_chance_warning({**last, "test_acc": 0.9}, fix="raise teacher.epochs"))
    None
    """
    chance = recorded_chance(record)
    if chance is None or not ends_at_chance(record):
        return None
    return (f"warning: the teacher ended at {shown_percent(record['test_acc']):.1f} % held-out "
            f"accuracy, at chance ({chance_words(*chance)}): a student "
            f"distilled from it learns nothing from it; {fix}")


def _diverged(its: str) -> str:
    """What the report says of runs that ended at chance after a fall, of a run (``its``) or of
    several, and what to do."""
    return (f"{its} training diverged or collapsed, which more epochs do not mend; look at {its} "
            f"loss terms (train_losses in metrics.jsonl) and {step_size_advice(None)}")


def fell_to_chance_warning(best: dict[str, Any], last: dict[str, Any], *, lr: float | None = None,
                           grad_clip: float | None = None) -> str:
    """The line train prints at the epoch whose record ``last`` fell to chance from the run's
    highest held-out accuracy so far, in ``best`` (:func:`fell_to_chance`), advising the run's
    learning rate ``lr`` and gradient clip ``grad_clip`` (:func:`~pidkit_distill.step_advice.
    step_size_advice`; ``None``: not known). One epoch at chance may be a bad epoch the next
    ones recover from (BAS at ``optim.lr`` 2 on digits: 11.6 % at epoch 9, 85.3 % at epoch 10),
    so it says what the next epochs tell.

    Examples
    --------
    >>> print(fell_to_chance_warning(
    ...     {"epoch": 8, "test_acc": 0.8594},
    ...     {"epoch": 12, "test_acc": 0.3047, "test_majority": 0.3047, "test_n": 256},
    ...     lr=0.05, grad_clip=100.0))
    warning: epoch 12: the held-out accuracy fell to 30.5 %, at chance (held-out accuracy at most \
36.2 %, two standard errors above the 30.5 % of always answering the most common class), after \
reaching 85.9 % at epoch 8: its training diverged or collapsed if the next epochs stay at \
chance, which more epochs do not mend; look at its loss terms (train_losses in metrics.jsonl) \
and lower optim.lr (now 0.05) or optim.grad_clip (now 100); the run goes on
    """
    chance = recorded_chance(last)
    if chance is None:
        raise ValueError(f"last: the record of epoch {last.get('epoch')} has no test_majority "
                         "and test_n, so it says nothing of chance; pass a record train wrote "
                         "with both")
    return (f"warning: epoch {last['epoch']}: the held-out accuracy fell to "
            f"{shown_percent(last['test_acc']):.1f} %, at chance ({chance_words(*chance)}), "
            f"after reaching {shown_percent(best['test_acc']):.1f} % at epoch {best['epoch']}: "
            "its training diverged or collapsed if the next epochs stay at chance, which more "
            "epochs do not mend; look at its loss terms (train_losses in metrics.jsonl) and "
            f"{step_size_advice(grad_clip, lr=lr, phase=last.get('phase'))}; the run goes on")


def chance_paragraph(ended: dict[str, tuple[dict[str, Any], dict[str, Any] | None]],
                     jumped: dict[str, dict[str, Any]] | None = None, *,
                     trained: dict[str, RunTrained]) -> str:
    """The paragraph under the report's table that names the runs whose last held-out accuracy
    is at chance (:func:`at_chance`, from what their record gives: :func:`recorded_chance`),
    or ``""`` where none is, and says of each how it got there: it fell to chance from clearly
    above it (:func:`fell_to_chance`: diverged or collapsed), or it trained the paper's whole
    schedule on one of the paper's data sets (:func:`trained_whole_schedule`: its method's
    outcome), or fewer epochs, or any number on another data set (either: too few to learn the
    task, or for its method's schedule where it has one, or its method's outcome).
    A run that never got clearly above chance but whose loss term jumped
    (:mod:`~pidkit_distill.loss_jumps`, ``loss_jumped`` in ``jumped``) diverged too: it is told
    so, not to train longer; so is one that neither fell nor jumped but trained with a learning
    rate :data:`HIGH_LR_FACTOR` times its default or more (:func:`high_lr_times`), told both. A
    run whose teacher was trained (:class:`RunTrained`) and whose last record's ``teacher_acc``
    is at chance, by the chance that record gives, has its teacher named too, with what that
    means for its students.

    Parameters
    ----------
    ended : dict of str to (dict, dict or None)
        Each run's last metrics record and the record of its highest held-out accuracy among
        the epochs that trained its student (:func:`highest_record`; ``None`` where it has
        none), by the run's name in the table.
    jumped : dict of str to dict, optional
        The metrics record of each run's first loss-term jump (one that holds ``loss_jumped``),
        by the run's name; runs without one are left out.
    trained : dict of str to RunTrained
        What each run of ``ended`` trained (:func:`run_trained`), by the run's name.

    Returns
    -------
    str

    Examples
    --------
    >>> def record(epoch, acc):
    ...     return {"epoch": epoch, "test_acc": acc, "test_majority": 0.258, "test_n": 2000}
    >>> print(chance_paragraph({
    ...     "bas": (record(3, 0.26), record(2, 0.29)),
    ...     "vid": (record(300, 0.2625), record(43, 0.3315)),
    ...     "rid": (record(3, 0.81), record(3, 0.81)),
    ...     "kd": (record(20, 0.25), record(8, 0.86))},
    ...     trained={name: RunTrained("synthetic", scheduled=name == "rid")
    ...              for name in ("bas", "vid", "rid", "kd")}))
    At chance: bas (26.0 % at epoch 3), vid (26.2 % at epoch 300), kd (25.0 % at epoch 20): \
held-out accuracy at most 27.8 %, two standard errors above the 25.8 % of always answering the \
most common class. A student at chance has learnt nothing the held-out set shows, so its row \
compares no method. kd fell to chance after reaching 86.0 % at epoch 8: its training diverged \
or collapsed, which more epochs do not mend; look at its loss terms (train_losses in \
metrics.jsonl) and lower optim.lr, or optim.grad_clip (set it where it is 0, e.g. 100). vid \
trained the paper's whole 300-epoch schedule, or more, so that is its method's outcome. bas \
trained fewer than the paper's 300 epochs: too few to learn the task, or its method's outcome; \
train it longer (run.epochs) to tell which.

    On a data set of one's own the paper's epochs say nothing, and only a method with a
    schedule (RID's, TED's) is told of one:

    >>> print(chance_paragraph(
    ...     {"bas": (record(30, 0.26), None), "rid": (record(30, 0.25), None)},
    ...     trained={"bas": RunTrained("my-blobs", False), "rid": RunTrained("my-blobs", True)}
    ... ).split("method. ")[1])
    bas trained 30 epochs of my-blobs, for which the paper sets no number of epochs: too few to \
learn the task, or its method's outcome; train it longer (run.epochs) to tell which. rid trained \
30 epochs of my-blobs, for which the paper sets no number of epochs: too few for its method's \
schedule, or its method's outcome; train it longer (run.epochs) to tell which.

    A trained teacher at chance is named, where an untrained one (a baseline) is not:

    >>> taught = {"epoch": 2, "test_acc": 0.9, "teacher_acc": 0.26, "test_majority": 0.258,
    ...           "test_n": 2000}
    >>> print(chance_paragraph(
    ...     {"kd": (taught, taught), "ut": (taught, taught)},
    ...     trained={"kd": RunTrained("digits", False, trained_teacher=True),
    ...              "ut": RunTrained("digits", False, trained_teacher=False)}))
    At chance: the teacher of kd (26.0 %): held-out accuracy at most 27.8 %, two standard errors \
above the 25.8 % of always answering the most common class. A student distilled from a teacher \
at chance learns nothing from it; train the teacher longer (teacher.epochs) or with a higher \
teacher.lr, then its students again.

    A run that never learnt but whose loss term jumped is told it diverged, not to train longer:

    >>> jump = {"epoch": 4, "loss_jumped": {"vid": {"epoch": 2, "mean": 1.5, "ratio": 3.2e8}}}
    >>> print(chance_paragraph({"vid": (record(30, 0.26), record(2, 0.27))}, {"vid": jump},
    ...                        trained={"vid": RunTrained("synthetic", False)}))
    At chance: vid (26.0 % at epoch 30): held-out accuracy at most 27.8 %, two standard errors \
above the 25.8 % of always answering the most common class. A student at chance has learnt \
nothing the held-out set shows, so its row compares no method. vid's loss term vid rose to \
320,000,000 times its lowest earlier mean at epoch 4: its training diverged or collapsed, which \
more epochs do not mend; look at its loss terms (train_losses in metrics.jsonl) and lower \
optim.lr, or optim.grad_clip (set it where it is 0, e.g. 100).

    A run that neither fell nor jumped but trained with a learning rate far above its default is
    told so, not to train longer:

    >>> print(chance_paragraph({"kd": (record(3, 0.26), record(2, 0.27))}, trained={
    ...     "kd": RunTrained("digits", False, lr=3.0, default_lr=0.05)}).split("method. ")[1])
    kd trained with optim.lr 3, 60 times its default 0.05: a learning rate that high can keep a \
network from learning at all; train it again at the default (leave optim.lr out) or near it.
    """
    levels: dict[str, list[str]] = {}  # the runs at chance, by what chance is for them
    fell: list[str] = []  # those that fell to chance, with where they were clearly above it
    high: list[str] = []  # the others whose learning rate is far above its default
    keys: set[str] = set()  # the keys of those learning rates
    whole: list[str] = []  # the others that trained the paper's whole schedule on its data
    # and those that may have trained too few epochs, by what they trained and the method's
    # schedule (whether it has one)
    short: dict[tuple[str, bool], list[str]] = {}
    # the runs whose trained teacher is at chance, by what chance is for them and its accuracy
    teachers: dict[str, dict[float, list[str]]] = {}
    for name, (last, best) in ended.items():
        chance = recorded_chance(last)
        if chance is None:  # an older version's record: it says nothing of chance
            continue
        if trained[name].trained_teacher and ends_at_chance({**last,
                                                             "test_acc": last.get("teacher_acc")}):
            teachers.setdefault(chance_words(*chance), {}).setdefault(
                shown_percent(last["teacher_acc"]), []).append(name)
        if not ends_at_chance(last):
            continue
        levels.setdefault(chance_words(*chance), []).append(
            f"{name} ({shown_percent(last['test_acc']):.1f} % at epoch {last['epoch']})")
        jump = (jumped or {}).get(name)
        run = trained[name]
        if best is not None and fell_to_chance(best, last):
            fell.append(f"{name} fell to chance after reaching "
                        f"{shown_percent(best['test_acc']):.1f} % at epoch {best['epoch']}")
        elif jump is not None:
            term, lowest = next(iter(jump["loss_jumped"].items()))
            fell.append(f"{name}'s loss term {term} rose to {lowest['ratio']:,.0f} times its lowest "
                        f"earlier mean at epoch {jump['epoch']}")
        elif (times := high_lr_times(run)) is not None:
            factor = f"{times:,.1f}".removesuffix(".0")  # 60, 12.5, 1,000
            high.append(f"{name} trained with {run.lr_key} {run.lr:g}, {factor} times its default "
                        f"{run.default_lr:g}")
            keys.add(run.lr_key)
        elif run.data in PAPER_DATA_SETS and trained_whole_schedule(last["epoch"]):
            whole.append(name)
        else:
            epochs = (f"fewer than the paper's {PAPER_EPOCHS} epochs" if run.data in
                      PAPER_DATA_SETS else f"{last['epoch']} epochs of {run.data}, for which "
                      "the paper sets no number of epochs")
            short.setdefault((epochs, run.scheduled), []).append(name)
    if not levels and not teachers:
        return ""
    students = bool(levels)
    for words, taught in teachers.items():
        levels.setdefault(words, []).extend(
            f"the teacher of {_listed(names)} ({acc:.1f} %)" for acc, names in taught.items())
    runs = "; ".join(f"{', '.join(names)}: {words}" for words, names in levels.items())
    sentences = [f"At chance: {runs}."]
    if students:
        sentences.append("A student at chance has learnt nothing the held-out set shows, so its "
                         "row compares no method.")
    if teachers:
        sentences.append("A student distilled from a teacher at chance learns nothing from it; "
                         "train the teacher longer (teacher.epochs) or with a higher teacher.lr, "
                         "then its students again.")
    if fell:
        sentences.append(f"{'; '.join(fell)}: {_diverged(_its(fell))}.")
    if high:
        sentences.append(f"{'; '.join(high)}: a learning rate that high can keep a network from "
                         f"learning at all; train {'it' if len(high) == 1 else 'them'} again at "
                         f"the default (leave {_listed(sorted(keys))} out) or near it.")
    if whole:
        sentences.append(f"{', '.join(whole)} trained the paper's whole {PAPER_EPOCHS}-epoch "
                         f"schedule, or more, so that is {_its(whole)} method's outcome.")
    for (epochs, scheduled), names in short.items():
        its = _its(names)
        too_few = f"for {its} method's schedule" if scheduled else "to learn the task"
        sentences.append(f"{', '.join(names)} trained {epochs}: too few {too_few}, or {its} "
                         f"method's outcome; train {'it' if len(names) == 1 else 'them'} longer "
                         "(run.epochs) to tell which.")
    return " ".join(sentences)


def _its(runs: list[str]) -> str:
    """The possessive of one run, or of several."""
    return "its" if len(runs) == 1 else "their"


def _listed(names: list[str]) -> str:
    """Names as a sentence lists them: ``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
