"""A measure named as the PID literature names it, and options a measure's name already holds."""

from __future__ import annotations

import pytest

import pidkit
from pidkit import examples
from pidkit.redundancy import MEASURES, pid_from_measure, redundancy

LISTED = f"measure must be one of {list(MEASURES)}; got "


@pytest.mark.parametrize(
    ("name", "advice"),
    [
        ("blackwell", "'blackwell' is pidkit's measure='prec' (Kolchinsky's Blackwell redundancy I_prec)."),
        ("I_GH", "'I_GH' is pidkit's measure='gh' (Griffith & Ho's I_alpha, the RID paper's Red_cap)."),
        ("Gacs-Korner", "'Gacs-Korner' is pidkit's measure='wedge' (Griffith et al.'s I_wedge, the "
                        "Gacs-Korner common information)."),
        ("bertschinger", "'bertschinger' is pidkit's measure='broja' (Bertschinger et al.'s "
                         "unique-information program)."),
        ("Barrett", "'Barrett' is pidkit's measure='mmi' (the minimum mutual information)."),
        ("I_min", "pidkit does not compute Williams & Beer's I_min; dit does: dit.pid.PID_WB."),
        ("ccs", "pidkit does not compute Ince's I_ccs; dit does: dit.pid.PID_CCS."),
        ("I_dep", "pidkit does not compute James et al.'s I_dep; dit does: dit.pid.PID_dep."),
    ],
)
@pytest.mark.parametrize("call", [pidkit.pid, redundancy, pid_from_measure])
def test_a_name_from_the_literature_is_told_what_it_is_here(call, name, advice):
    with pytest.raises(ValueError) as raised:
        call(examples.and_(), measure=name)
    assert str(raised.value) == f"{LISTED}{name!r}. {advice}"


def test_source_given_to_a_function_of_source_reading_points_to_its_mirror():
    with pytest.raises(TypeError) as raised:
        pidkit.pid(examples.and_(), measure="gh-function-of-t", source="s")
    assert str(raised.value) == (
        "measure='gh-function-of-t' takes no option 'source'; its options are units, normalize, "
        "strict. The source of Q = f(source) is in the measure's name: measure='gh-function-of-t' "
        "or 'gh-function-of-s' (pidkit.i_function_of_source takes it as source='t' or 's')."
    )
    assert pidkit.pid(examples.nuisance_teacher(flip=0.1), measure="gh-function-of-s").red == (
        pytest.approx(pidkit.i_function_of_source(examples.nuisance_teacher(flip=0.1), source="s")))
