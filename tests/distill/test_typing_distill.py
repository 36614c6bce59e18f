"""pidkit_distill is typed (PEP 561): what a user's mypy makes of the calls docs/distill.md and
the tutorials show.

``tests/typing_distill_calls.py`` calls the public API (methods, models, data, configuration,
training, audit, report, the errors a user catches); mypy ``--strict`` must find no error in it
and reveal the type written beside each ``reveal_type``: the package's names re-exported
explicitly, a method's parameters a ``Params`` (they were ``Any``: ``Distiller.Params`` hid the
class in ``make_params``'s hint), a data set that ``len`` takes, ``load_runs`` and
``write_report`` taking a ``RunSummary`` and refusing what is no run (their hints took ``Any``:
naming ``RunSummary`` imported PyTorch until it moved to ``pidkit_distill.run_folders.summary``) and a
caught ``ConfigValueError``'s ``key`` that may be ``None`` (it was hinted ``str``).
"""

from pathlib import Path

import pytest

from tests.mypy_reveals import mypy_on_script

pytest.importorskip("mypy", reason="mypy is in the dev extra")

SCRIPT = Path(__file__).parents[1] / "typing_distill_calls.py"


def test_a_users_strict_mypy_finds_no_error_and_the_promised_types(tmp_path):
    errors, revealed, expected = mypy_on_script(SCRIPT, tmp_path, "--strict")
    assert errors == []
    assert len(expected) == 83
    assert revealed == expected
