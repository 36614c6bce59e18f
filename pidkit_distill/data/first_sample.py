"""A registered data set's first sample, read so that an error of its own code is one line.

:func:`~pidkit_distill.data.load_dataset` checks each split of a user's data set by its first
sample; a ``KeyError`` (or any error) that its ``__getitem__`` raised there was a traceback.
"""

from __future__ import annotations

from typing import Any

import torch

__all__ = ["first_sample"]


def first_sample(data: Any, reading: str) -> object:
    """``data[0]``; an error of the data set's own code as it is read (any :class:`Exception`
    but memory running out, which is raised as it is) as a ``ValueError`` that says ``reading``
    (the loader and the split), the error's type and its words, chained to it.

    Examples
    --------
    >>> class Broken(torch.utils.data.Dataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, i):
    ...         return {"x": i}["y"]
    >>> first_sample(Broken(), "the loader registered as 'mine': reading train[0]")
    Traceback (most recent call last):
    ...
    ValueError: the loader registered as 'mine': reading train[0] raised KeyError ('y'); the error \
is the data set's own (its __getitem__ or what it reads): mend it, then rerun
    """
    try:
        return data[0]
    except (MemoryError, torch.cuda.OutOfMemoryError):
        raise
    except Exception as err:
        said = str(err).strip() or "no message"
        raise ValueError(f"{reading} raised {type(err).__name__} ({said}); the error is the data "
                         "set's own (its __getitem__ or what it reads): mend it, then rerun") from err
