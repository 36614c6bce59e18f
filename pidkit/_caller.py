"""Where a warning points: the first caller outside pidkit, the line a user can change."""

from __future__ import annotations

import os
import sys
from types import FrameType

_PACKAGE = os.path.dirname(__file__) + os.sep  # pidkit/ (pidkit_distill/ does not start with it)


def user_stacklevel() -> int:
    """The ``stacklevel`` at which ``warnings.warn``, called by the caller of this function, names
    the first frame outside the pidkit package (``pidkit_distill`` is outside).

    A fixed ``stacklevel`` suits one call path only: ``Discretizer(...).fit(X)`` is two frames above
    the warning, ``pid_from_representations`` four, and the warning pointed inside pidkit there.

    Examples
    --------
    >>> user_stacklevel()  # called from outside pidkit: the warning names its own caller
    1
    """
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level
