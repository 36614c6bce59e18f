"""Files that :func:`~pidkit_distill.check_config` found sound, refused when the run reads them
again (:func:`file_refused_late`): the user's mistake, as the check would have said, not a failed
training."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pidkit.command_line import one_line
from pidkit_distill.training.loaders import DataError

__all__ = ["file_refused_late"]


@contextmanager
def file_refused_late(about: str) -> Iterator[None]:
    """A file that the block reads for the run after its check, refused there: a
    :class:`ValueError` (what it holds: a teacher file or checkpoint replaced by a damaged one,
    or by one of other shapes, since :func:`~pidkit_distill.check_config` read it; a
    ``student_init`` run's checkpoint, which only the run checks; a run's own checkpoint that
    no longer continues its configuration) or a :class:`FileNotFoundError` (removed since) is
    the user's mistake, as the check finds it, not a failed training: a
    :class:`~pidkit_distill.training.loaders.DataError` ``ABOUT: MESSAGE`` (``pidkit-distill``:
    one line naming the file, exit status 2, where it was "training failed", 1). ``about`` is
    the configuration key that names the file, and what it is where the key alone does not say.
    A :class:`~pidkit_distill.training.loaders.DataError` passes as it is, and so does any other
    error (a :class:`~pidkit_distill.TrainingError`, a collective call's, a permission refused).

    Examples
    --------
    >>> with file_refused_late("teacher.source"):
    ...     raise ValueError("teacher file 't.pt' is damaged")
    Traceback (most recent call last):
    ...
    pidkit_distill.training.loaders.DataError: teacher.source: teacher file 't.pt' is damaged
    """
    try:
        yield
    except DataError:
        raise
    except (ValueError, FileNotFoundError) as err:
        raise DataError(f"{about}: {one_line(err)}") from err
