"""pidkit is typed (PEP 561): what a user's mypy makes of the calls the README and docs show.

``tests/typing_user_calls.py`` calls the public API; mypy must find no error in it and reveal
the type written beside each ``reveal_type`` (a PIDResult, a float, an array: never ``Any``
where pidkit promises one; ``to_frame`` is ``Any`` without pandas-stubs, pandas being untyped).
"""

from pathlib import Path

import pytest

from tests.mypy_reveals import mypy_on_script

pytest.importorskip("mypy", reason="mypy is in the dev extra")

SCRIPT = Path(__file__).with_name("typing_user_calls.py")


def test_a_users_mypy_finds_no_error_and_the_promised_types(tmp_path):
    errors, revealed, expected = mypy_on_script(SCRIPT, tmp_path)
    assert errors == []
    assert len(expected) == 35
    assert revealed == expected


HINTS_SCRIPT = '''\
from typing import TYPE_CHECKING

import numpy as np

import pidkit
from pidkit.gaussian.examples import mutual_information_bits

if TYPE_CHECKING:
    from typing_extensions import reveal_type



def handle(err: pidkit.MissingAttributeError) -> None:
    reveal_type(err.name)  # str
    reveal_type(err.obj)  # Any


cov = np.array([[1.0, 0.5], [0.5, 1.0]])
reveal_type(mutual_information_bits(cov, np.arange(1), np.arange(1, 2)))  # float
reveal_type(mutual_information_bits(cov, [0], [1]))  # float
'''


def test_hints_that_say_what_the_code_gives_and_takes(tmp_path):
    """A missing attribute's error names a str (never None, as AttributeError's may be) and the
    result it lacks; the Gaussian examples' mutual information takes index arrays, as their own
    callers pass them, as well as lists."""
    script = tmp_path / "hints.py"
    script.write_text(HINTS_SCRIPT)
    errors, revealed, expected = mypy_on_script(script, tmp_path / "cache")
    assert errors == []
    assert len(expected) == 4
    assert revealed == expected
