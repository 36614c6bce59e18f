"""Types named as an English reader expects them in messages ("an int", "a str"), for every
check that says what a value is. Below :mod:`pidkit._arrays` and :mod:`pidkit._validate`, which
both word their refusals with it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["type_with_article"]


def type_with_article(value: Any) -> str:
    """The name of ``value``'s type after the article an English reader expects: ``"an int"``,
    ``"a float"``, ``"an ndarray"``, ``"a uint8"``, for messages that say what a value is.

    Examples
    --------
    >>> import numpy as np
    >>> type_with_article(3), type_with_article(np.zeros(2)), type_with_article("x")
    ('an int', 'an ndarray', 'a str')
    >>> type_with_article(np.uint8(1)), type_with_article({1}), type_with_article(object())
    ('a uint8', 'a set', 'an object')
    """
    kind = type(value).__name__
    lower = kind.lower()
    vowel_sound = lower.startswith(("a", "e", "i", "o", "u", "nd")) and not lower.startswith(
        ("uint", "uni", "use", "one", "eu")
    )
    return f"{'an' if vowel_sound else 'a'} {kind}"
