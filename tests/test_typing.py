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
