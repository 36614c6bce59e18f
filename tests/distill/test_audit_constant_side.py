"""A side whose audited features were all the same (a dead layer: one cluster, I(Y;T) = 0 by
construction) is flagged on the audit line and in the report. The audit silenced pidkit's
FewDistinctRowsWarning, which now says a constant side is most likely a dead layer (task 405),
and flagged nothing: the report showed a row of zeros with no word of why."""

from __future__ import annotations

import warnings

import numpy as np
from test_report import edit_audit, fake_run

from pidkit.estimate import pid_from_representations
from pidkit_distill import write_report
from pidkit_distill.audit.records import FLAG_NOTES, audit_flags


def _dead_student_record() -> dict:
    """An audit record's settings from a real estimate whose student features are all zero."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    teacher = rng.normal(size=(300, 5)) + y[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the audit silences it too: the flag says it instead
        res = pid_from_representations(y, teacher, np.zeros((300, 8)), random_state=0)
    return {"clusters_used": 10, "discretisation": {"t": res.settings["t"], "s": res.settings["s"]}}


def test_a_dead_student_is_flagged_from_what_the_estimate_records():
    flags = audit_flags({"settings": _dead_student_record()})
    assert flags == ["constant: student (every row the same: one cluster, likely a dead layer)"]


def test_the_report_flags_a_dead_student_and_explains_it(tmp_path):
    settings = _dead_student_record()
    run = edit_audit(fake_run(tmp_path / "run", epochs=2),
                     lambda r: r.update(settings=settings))
    text = write_report([run], out_dir=tmp_path / "report").read_text()
    assert "constant: student (every row the same: one cluster, likely a dead layer)" in text
    assert FLAG_NOTES["constant:"] in text.split("\n\n")
