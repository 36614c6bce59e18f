"""What a measure's name from the literature means to pidkit: another name of one of its measures,
or a measure pidkit does not compute and where to find it.

``pidkit.pid(p, measure="blackwell")`` or ``measure="imin"`` is what a reader of the PID literature
types; the list of pidkit's names alone does not say that the first is ``"prec"`` and that the
second is computed by dit, not here.
"""

from __future__ import annotations

import re

_OTHER_NAMES: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("bertschinger", "ibroja", "brojapid", "broja2pid", "unique", "uniqueinformation"),
                    ("broja", "Bertschinger et al.'s unique-information program")),
    **dict.fromkeys(("gk", "igk", "gacskorner", "iwedge", "commoninformation"),
                    ("wedge", "Griffith et al.'s I_wedge, the Gacs-Korner common information")),
    **dict.fromkeys(("igh", "griffithho", "ialpha", "alpha", "redcap", "redintersection"),
                    ("gh", "Griffith & Ho's I_alpha, the RID paper's Red_cap")),
    **dict.fromkeys(("iprec", "blackwell", "blackwellredundancy", "kolchinsky"),
                    ("prec", "Kolchinsky's Blackwell redundancy I_prec")),
    **dict.fromkeys(("immi", "barrett", "minmi", "minimummi", "minimummutualinformation"),
                    ("mmi", "the minimum mutual information")),
}
"""Other names of pidkit's measures, lower case without punctuation: (pidkit's name, what it is)."""

_DIT_ONLY: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("imin", "wb", "williamsbeer", "iwb"), ("Williams & Beer's I_min", "PID_WB")),
    **dict.fromkeys(("ccs", "iccs", "ince"), ("Ince's I_ccs", "PID_CCS")),
    **dict.fromkeys(("dep", "idep"), ("James et al.'s I_dep", "PID_dep")),
    **dict.fromkeys(("sx", "isx"), ("Makkeh et al.'s I_sx", "PID_SX")),
    **dict.fromkeys(("pm", "ipm", "plusminus", "finnlizier"), ("Finn & Lizier's I_pm", "PID_PM")),
    **dict.fromkeys(("proj", "iproj", "harder"), ("Harder et al.'s I_proj", "PID_Proj")),
}
"""Measures pidkit does not compute, by the same keys: (what it is, its class in ``dit.pid``)."""


def measure_name_advice(name: str) -> str:
    """What pidkit makes of a measure name that is none of its own, or ``""`` for a name it does
    not know (a typo, left to the closest-match hint).

    Examples
    --------
    >>> measure_name_advice("Blackwell")
    "'Blackwell' is pidkit's measure='prec' (Kolchinsky's Blackwell redundancy I_prec)."
    >>> measure_name_advice("I_min")
    "pidkit does not compute Williams & Beer's I_min; dit does: dit.pid.PID_WB."
    >>> measure_name_advice("brojaa")
    ''
    """
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    if key in _OTHER_NAMES:
        measure, what = _OTHER_NAMES[key]
        return f"{name!r} is pidkit's measure={measure!r} ({what})."
    if key in _DIT_ONLY:
        what, dit_class = _DIT_ONLY[key]
        return f"pidkit does not compute {what}; dit does: dit.pid.{dit_class}."
    return ""
