"""pid and redundancy judge the options only "gh" and "prec" take by one rule (t-358 finding 3).

``pidkit.pid(p, measure="mmi", progress=None)`` raised "measure='mmi' takes no option 'progress'"
while ``pidkit.redundancy`` accepted the same call (None is the default), and refused
``progress=False`` in other words. A loop over measures that passes ``progress=None`` or
``max_vertices="auto"`` broke on ``pid`` only. Both now go through
``pidkit.redundancy.dispatch.check_progress_option`` and ``vertex_limit.check_vertex_option``.
"""

from __future__ import annotations

import math

import pytest

import pidkit
from pidkit import examples

OTHER_MEASURES = [m for m in pidkit.REDUNDANCY_MEASURES if m not in ("gh", "prec")]
AND = examples.and_()


@pytest.mark.parametrize("measure", OTHER_MEASURES)
@pytest.mark.parametrize("default", [{"progress": None}, {"max_vertices": "auto"},
                                     {"progress": None, "max_vertices": "auto"}])
def test_the_defaults_are_accepted_by_pid_for_every_measure(measure, default):
    plain = pidkit.pid(AND, measure=measure)
    given = pidkit.pid(AND, measure=measure, **default)
    assert given.red == plain.red and given.syn == plain.syn
    # the same Red as the float entry point, which accepted the defaults already
    assert math.isclose(given.red, pidkit.redundancy(AND, measure=measure, **default), abs_tol=1e-9)


@pytest.mark.parametrize("measure", OTHER_MEASURES)
@pytest.mark.parametrize(("option", "value", "shows"), [
    ("progress", True, "shows"), ("progress", False, "shows"),
    ("max_vertices", None, "takes"), ("max_vertices", 10**6, "takes"),
])
def test_a_set_option_is_refused_by_pid_and_redundancy_in_one_wording(measure, option, value, shows):
    expected = (f"{option} applies to measure='gh' and measure='prec' only (their vertex enumeration); "
                f"measure={measure!r} {shows} none. Drop {option}.")
    for entry in (pidkit.pid, pidkit.redundancy):
        with pytest.raises(TypeError) as raised:
            entry(AND, measure=measure, **{option: value})
        assert str(raised.value) == expected, entry.__name__


def test_a_malformed_progress_is_named_before_the_measure_is_asked():
    for entry in (pidkit.pid, pidkit.redundancy):
        with pytest.raises(TypeError, match=r"^progress must be True, False or None; got 'yes' \(str\)\.$"):
            entry(AND, measure="mmi", progress="yes")


def test_an_unknown_option_is_still_refused_with_the_measures_options():
    with pytest.raises(TypeError, match=r"^measure='mmi' takes no option 'colour'; its options are units, "
                                        r"normalize, strict\."):
        pidkit.pid(AND, measure="mmi", progress=None, colour="red")
