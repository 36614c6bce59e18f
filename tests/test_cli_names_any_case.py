"""The ``pidkit`` command takes the names it knows in any case, as it takes ``--example AND``:
measures, units and checks (``--measure BROJA`` was refused with a did-you-mean)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from pidkit.cli import main


@pytest.mark.parametrize(
    ("argv", "measure", "units", "red"),
    [
        (["--measure", "BROJA"], "broja", "bits", 0.311278),
        (["--measure", "Mmi", "--units", "NATS"], "mmi", "nats", 0.215762),
        (["--measure", "GH", "--max-vertices", "none"], "gh", "bits", 0.122556),
    ],
)
def test_decompose_takes_a_measure_and_units_in_any_case(capsys, argv, measure, units, red):
    assert main(["decompose", "--example", "AND", *argv, "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["measure"], record["units"]) == (measure, units)
    assert record["red"] == pytest.approx(red, abs=1e-6)


def test_examples_take_units_in_any_case(capsys):
    assert main(["examples", "--units", "Nats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["and"]["red"] == pytest.approx(0.215762, abs=1e-6)


def test_check_takes_its_name_and_measure_in_any_case(capsys, monkeypatch):
    calls = []
    monkeypatch.setattr("pidkit.theorems.check_theorem_3_1",
                        lambda **kwargs: calls.append(kwargs) or SimpleNamespace(passed=True))
    assert main(["check", "THEOREM-3.1", "--measure", "MMI"]) == 0
    assert calls == [{"measure": "mmi"}]


def test_a_misspelt_measure_in_capitals_is_still_refused_with_the_name_meant(capsys):
    assert main(["decompose", "--example", "AND", "--measure", "GHH"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pidkit decompose: error: --measure must be one of ['broja', ")
    assert err.endswith("got 'ghh'. Did you mean 'gh'?\n")
