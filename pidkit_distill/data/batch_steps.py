"""The warning that a training batch is larger than the training set (:func:`whole_set_batch_warning`).

A PyTorch ``DataLoader`` takes such a batch size without a word and gives one batch of the whole
set per epoch, so every epoch is a single optimiser step: a teacher trained so for 30 epochs
takes 30 steps. A batch size equal to the training set is full-batch training chosen on purpose
and is not warned of; ``data.drop_last=true`` with a larger one is refused where the batches are
made (it would drop every sample).
"""

from __future__ import annotations

__all__ = ["whole_set_batch_warning"]


def whole_set_batch_warning(n_train: int, batch_size: int, *, whose: str, epochs: int) -> str:
    """The one-line warning that ``data.batch_size=batch_size`` exceeds the ``n_train`` training
    samples of ``whose`` data (``"the teacher's"``), so its ``epochs`` epochs are as many steps;
    ``""`` where the batch size fits.

    Parameters
    ----------
    n_train : int
        Samples in the training split.
    batch_size : int
        The ``data.batch_size`` the run trains with.
    whose : str
        Whose training split it is, as the line names it.
    epochs : int
        The epochs it trains for.

    Returns
    -------
    str
        The warning, or ``""``.

    Examples
    --------
    >>> print(whole_set_batch_warning(384, 100000, whose="the teacher's", epochs=30))
    warning: data.batch_size=100000 is larger than the teacher's 384 training samples, so each \
epoch is one step on the whole set: its 30 epochs take 30 optimiser steps; lower data.batch_size \
(to 64, say: 6 steps per epoch) to train it in minibatches
    >>> whole_set_batch_warning(384, 384, whose="the teacher's", epochs=30)
    ''
    >>> whole_set_batch_warning(10, 64, whose="the student's", epochs=1).split(": ")[2]
    'its 1 epoch takes 1 optimiser step; lower data.batch_size (to 2, say'
    """
    if batch_size <= n_train:
        return ""
    smaller = max(1, min(64, n_train // 4))  # a few steps at least; 64 is data.batch_size's default
    return (f"warning: data.batch_size={batch_size} is larger than {whose} {n_train} training "
            f"samples, so each epoch is one step on the whole set: "
            + (f"its {epochs} epochs take {epochs} optimiser steps" if epochs != 1
               else "its 1 epoch takes 1 optimiser step")
            + f"; lower data.batch_size (to {smaller}, say: "
            f"{-(-n_train // smaller)} steps per epoch) to train it in minibatches")
