"""A loss term that jumps by orders of magnitude during training: the rule
(:func:`jumped_terms`) and the lines train prints of it (:func:`loss_jump_warnings`).

Train judges each epoch's mean of each loss term (``train_losses`` in ``metrics.jsonl``) against
the earlier epochs that trained the term. A term jumped where its mean is more than
:data:`JUMP_RATIO` times its lowest earlier mean and above its mean in the first epoch that
trained it: a student whose training diverges. Train records it once per term in a run
(``loss_jumped`` in that epoch's record), prints one line for it, and goes on. A mean that is NaN
or infinite is not judged here: train stops at such a loss with a
:class:`~pidkit_distill.TrainingError` of its own.

Why both conditions, measured on the records of 474 stored runs of 3 epochs or more (102
distinct, full 300-epoch demos among them) and on 10-epoch digits runs of BAS, KD, VID and RID
(two seeds each, where no term rose above 1.33 times its lowest earlier mean):

* A term near zero wavers by large ratios while the student learns well. In the full demo,
  BAS with the untrained teacher had a ``ce`` of 0.00072, then 0.039 at epoch 270, 54 times
  more; RID with the trained teacher trains its filter on ``filter_ce`` alone in the warm-up,
  down to 0.0021, which was 2.92 at epoch 33 once ``filter_distill`` joined it (1,400 times).
  Both stayed below the term's first epoch (1.47 and 3.93), and the students end at 87 % and
  90 %: a term below where it started has not blown up.
* Above its first epoch, the highest ratio of a run that learnt was 21: the full demo's VID
  with the trained teacher (``ce`` 0.083, then 1.75 at epoch 99; it ends at 93 %). VID on the
  docs' ``my-blobs`` example, which falls to chance, has a ``ce`` 290 times its lowest (60.4 at
  epoch 12 after 0.208 at epoch 9), and BAS with ``optim.lr`` 3 and no gradient clip (20
  epochs) on the same data 380 times at epoch 7 (5,650 after 14.8 at epoch 1). A hundred, two
  orders of magnitude, lies between.

A term whose lowest earlier mean is zero or negative has no ratio and is not judged: VID's
negative log-likelihood term falls below zero as it trains (it has no lower bound).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pidkit_distill.step_advice import step_size_advice

__all__ = ["JUMP_RATIO", "jumped_terms", "loss_jump_warnings"]

# How many times its lowest earlier mean a loss term's epoch mean exceeds where it jumped.
JUMP_RATIO = 100.0

# What the warning says of the means it gives: train_losses' values as logged, which are the
# term times its weight where the method weights it, not the unweighted term.
_AS_LOGGED = ("both as train_losses in metrics.jsonl logs them, weighted where the epoch line "
              "shows the term's weight")


def jumped_terms(earlier: Sequence[dict[str, Any]], record: dict[str, Any]
                 ) -> dict[str, dict[str, float | int]]:
    """The loss terms of the epoch ``record`` that jumped, by the rule of
    :mod:`pidkit_distill.loss_jumps`, leaving out those that the ``earlier`` records already
    say jumped (``loss_jumped``): each is said once in a run.

    Parameters
    ----------
    earlier : sequence of dict
        The run's metrics records before ``record``, oldest first; a term is judged against
        those that hold it in their ``train_losses``.
    record : dict
        The metrics record of the epoch judged, with its ``train_losses``.

    Returns
    -------
    dict of str to dict
        For each term that jumped, the ``epoch`` and ``mean`` of its lowest earlier mean and the
        ``ratio`` of the term's mean in ``record`` to it; empty where none jumped.

    Examples
    --------
    >>> def record(epoch, ce):
    ...     return {"epoch": epoch, "train_losses": {"ce": ce, "vid": -5.0}}
    >>> history = [record(1, 1.5), record(2, 0.25), record(3, 0.75)]
    >>> jumped_terms(history, record(4, 60.0))
    {'ce': {'epoch': 2, 'mean': 0.25, 'ratio': 240.0}}
    >>> jumped_terms(history, record(4, 9.0))  # 36 times its lowest: not two orders
    {}
    >>> said = [*history, {**record(4, 60.0), "loss_jumped": {"ce": {}}}]
    >>> jumped_terms(said, record(5, 80.0))  # said once in a run
    {}
    """
    said = {term for past in earlier for term in past.get("loss_jumped", {})}
    jumped: dict[str, dict[str, float | int]] = {}
    for term, mean in record["train_losses"].items():
        means = [(past["train_losses"][term], past["epoch"]) for past in earlier
                 if past["train_losses"].get(term) is not None]
        if term in said or not means or mean is None or not math.isfinite(mean):
            continue
        lowest, lowest_epoch = min(means, key=lambda pair: pair[0])
        if lowest > 0 and mean > means[0][0] and mean > JUMP_RATIO * lowest:
            jumped[term] = {"epoch": lowest_epoch, "mean": lowest, "ratio": mean / lowest}
    return jumped


def loss_jump_warnings(record: dict[str, Any], *, lr: float, grad_clip: float) -> list[str]:
    """The lines train prints under the epoch line of ``record``, one for each loss term its
    ``loss_jumped`` holds (:func:`jumped_terms`), advising a lower learning rate (``lr``,
    ``optim.lr``, or ``teacher.lr`` in a teacher's run) or gradient clip (``grad_clip``,
    ``optim.grad_clip``; 0 where the run clips none); no line where it holds none.

    The means it gives are the record's ``train_losses``, as ``metrics.jsonl`` logs them: a term
    a method weights is logged times its weight (KD's ``ce`` is (1 - alpha) times the
    cross-entropy), which the epoch line shows in its label (``0.1*ce``) and the line says; the
    ratio is the same either way.

    Examples
    --------
    >>> record = {"epoch": 12, "phase": "student", "train_losses": {"ce": 60.42, "vid": 315.7},
    ...           "loss_jumped": {"ce": {"epoch": 9, "mean": 0.2082, "ratio": 290.2}}}
    >>> print(*loss_jump_warnings(record, lr=0.05, grad_clip=100.0))
    warning: epoch 12: the loss term ce rose to 60.42, 290 times its lowest earlier mean \
(0.2082 at epoch 9; both as train_losses in metrics.jsonl logs them, weighted where the epoch \
line shows the term's weight): its training diverges; lower optim.lr (now 0.05) or \
optim.grad_clip (now 100); the run goes on
    >>> loss_jump_warnings({"epoch": 3, "phase": "student", "train_losses": {"ce": 0.2}},
    ...                    lr=0.05, grad_clip=0.0)
    []
    """
    return [f"warning: epoch {record['epoch']}: the loss term {term} rose to "
            f"{record['train_losses'][term]:.4g}, {lowest['ratio']:.0f} times its lowest earlier "
            f"mean ({lowest['mean']:.4g} at epoch {lowest['epoch']}; {_AS_LOGGED}): its training "
            f"diverges; {step_size_advice(grad_clip, lr=lr, phase=record.get('phase'))}; the run "
            "goes on" for term, lowest in record.get("loss_jumped", {}).items()]
