"""Which frame a warning is about: the first caller outside pidkit, the line a user can change, and
whether a read of a module attribute is the import system's own."""

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


def read_by_the_import_system() -> bool:
    """Whether the function that calls this one was called by the import system's own code.

    ``from pidkit import X`` reads X twice when X comes from a module ``__getattr__``: the import
    system first asks whether the module has X (``hasattr``: is X a submodule to import?), then the
    statement reads it. Only the second is the user's access, so a ``__getattr__`` that warns of a
    deprecated name skips the first when this is True, and warns once per access.

    Examples
    --------
    >>> read_by_the_import_system()  # called here by doctest's code, not by importlib's
    False
    """
    return sys._getframe(2).f_globals.get("__name__") == "importlib._bootstrap"
