"""What the audit line and the report say of a corrected atom below 0: the estimate's reading
(pidkit.estimate.below_zero_verdicts) on the audit record's own fields. Before, every such atom
was flagged "below 0" and the report's note called them all "indistinguishable from 0 at that
n", though the estimate's repr says the correction likely overshoots where Syn's whole centred
interval lay below 0."""

from __future__ import annotations

import types

import numpy as np
import pytest
import torch
from test_audit import Slice
from test_report import edit_audit, fake_run

from pidkit_distill import write_report
from pidkit_distill.audit import audit_distiller
from pidkit_distill.audit.records import FLAG_NOTES, GAUSSIAN_FLAG_NOTES, audit_flags
from pidkit_distill.config import AuditConfig


@pytest.fixture(scope="module")
def overshoot_record() -> dict:
    """A real audit record of 100 labels, 1,000 samples, a teacher that knows the label and a
    student of noise: the corrected Syn came out -0.147 bits, its whole 95 % centred interval
    below 0 (the estimate's repr: "the correction likely overshoots here"); Red and Uni(Y:S\\T),
    0 for a student of noise, came out just below 0 with intervals reaching above it. Corrected by
    "eb-extrapolation", the default when it was made: the default since task 394 halves most
    replicates of the small Uni(Y:S\\T) by its kink pretest, which puts that interval below 0 too."""
    rng = np.random.default_rng(1)
    y = rng.integers(0, 100, 1000)
    teacher = rng.normal(size=(100, 16))[y] + rng.normal(size=(1000, 16))
    student = rng.normal(size=(1000, 16))
    x = torch.as_tensor(np.hstack([teacher, student]), dtype=torch.float32)
    pair = types.SimpleNamespace(teacher=Slice(slice(0, 16)), student=Slice(slice(16, 32)))
    (record,) = audit_distiller(pair, (x, torch.as_tensor(y)), epoch=1,
                                settings=AuditConfig(bootstrap=40, layers=[0],
                                                     bias_correction="eb-extrapolation"))
    return record


def test_a_real_record_whose_syn_interval_lies_below_0_is_told_the_overshoot(overshoot_record):
    record = overshoot_record
    assert record["measure"] == "broja" and record["settings"]["ci_method"] == "centred"
    assert record["settings"]["confidence"] == 0.95
    assert record["syn"] == pytest.approx(-0.147, abs=2e-3)
    assert record["intervals"]["syn"] == [record["syn"], 0.0]  # wholly below 0, clipped
    assert record["intervals"]["uni_s"][1] > 0.0  # reaches above 0: noise
    assert record["red"] == pytest.approx(0.0, abs=2e-3) and record["intervals"]["red"][1] > 0.0
    assert {"red", "uni_s", "syn"} <= set(record["bias_correction"]["negative"])
    assert audit_flags(record) == ["below 0, likely overshoot: Syn", "below 0: Red, Uni(Y:S\\T)"]


def test_the_report_explains_each_verdict_in_its_own_note(tmp_path, overshoot_record):
    fields = {key: overshoot_record[key] for key in
              ("red", "uni_t", "uni_s", "syn", "i_yt", "i_ys", "plugin", "intervals",
               "bias_correction", "measure", "settings", "n_samples")}
    run = edit_audit(fake_run(tmp_path / "dead", epochs=1), lambda r: r.update(fields))
    text = write_report([run], out_dir=tmp_path / "rep").read_text()
    # both audited layers overshoot (said once, naming them); Uni below 0 is said of the
    # innermost only, whose atoms the table shows
    assert ("| discrete, eb-extrapolation; layers 0, 1: below 0, likely overshoot: Syn; below 0: "
            "Red, Uni(Y:S\\T) |") in text
    syn = f"{overshoot_record['syn']:.3f}"
    assert f"{syn} [{syn}, 0.000]" in text
    paragraphs = text.split("\n\n")
    overshoot = FLAG_NOTES.get("below 0, likely overshoot:", "")
    assert overshoot in paragraphs and FLAG_NOTES.get("below 0:") in paragraphs
    assert overshoot.startswith(
        "below 0, likely overshoot: corrected atoms whose whole centred bootstrap interval lay "
        "below 0 (the cell shows [value, 0.000]) at audit.confidence 0.95 or above")


@pytest.mark.parametrize(("settings", "intervals", "flag", "start"), [
    # a centred interval wholly below 0 at a confidence under 0.95: (1 - c) / 2 of samples at 0
    ({"ci_method": "centred", "confidence": 0.5}, {"syn": [-0.01, 0.0]},
     "below 0, whole 50% interval: Syn", "below 0, whole "),
    # the same at 0.949, printed with its digits, not as the 95% it is not
    ({"ci_method": "centred", "confidence": 0.949}, {"syn": [-0.01, 0.0]},
     "below 0, whole 94.9% interval: Syn", "below 0, whole "),
    # and at 0.9499996, which six digits printed as "95%"
    ({"ci_method": "centred", "confidence": 0.9499996}, {"syn": [-0.01, 0.0]},
     "below 0, whole 94.99996% interval: Syn", "below 0, whole "),
    # records before the centred intervals (no ci_method) are noise
    ({"confidence": 0.95}, {"syn": [-0.01, 0.0]}, "below 0: Syn", "below 0:"),
    # without a bootstrap nothing measured the spread: not judged (it was "below 0", noise)
    ({"ci_method": "centred", "confidence": 0.95}, None, "below 0, not judged: Syn",
     "below 0, not judged:"),
    ({}, None, "below 0, not judged: Syn", "below 0, not judged:"),
    # a failed solve's interval, as audit.jsonl writes it
    ({"ci_method": "centred", "confidence": 0.95}, {"syn": [None, None]}, "below 0: Syn",
     "below 0:"),
])
def test_each_verdict_has_one_flag_and_one_note(settings, intervals, flag, start):
    record = {"measure": "broja", "syn": -0.01, "bias_correction": {"negative": ["syn"]},
              "intervals": intervals, "settings": settings}
    assert audit_flags(record) == [flag]
    assert [key for key in FLAG_NOTES if flag.startswith(key)] == [start]


def test_a_signed_measures_syn_has_its_own_flag_and_note():
    record = {"measure": "wedge", "syn": -0.3, "bias_correction": {"negative": ["syn"]}}
    assert audit_flags(record) == ["below 0, signed measure: Syn"]
    assert "by definition" in FLAG_NOTES["below 0, signed measure:"]


def test_the_overshoot_note_of_a_gaussian_record_suggests_no_discrete_correction(tmp_path):
    # it told a run of audit.estimator gaussian to "cross-check with the other discrete correction
    # (audit.bias_correction extrapolation or eb-extrapolation)", which that estimator refuses;
    # its atoms are never below 0 as its audit writes them (docs/gaussian.md, From samples)
    below = {"syn": -0.1, "bias_correction": {"method": "wishart", "negative": ["syn"]},
             "settings": {"estimator": "gaussian", "ci_method": "centred", "confidence": 0.95}}
    gaussian = edit_audit(fake_run(tmp_path / "gaussian", epochs=1), lambda r: r.update(
        below, measure="gaussian-broja", intervals={**r["intervals"], "syn": [-0.1, 0.0]}))
    discrete = edit_audit(fake_run(tmp_path / "discrete", epochs=1), lambda r: r.update(
        below, measure="broja", intervals={**r["intervals"], "syn": [-0.1, 0.0]}))
    for runs, notes in (([gaussian], [GAUSSIAN_FLAG_NOTES["below 0, likely overshoot:"]]),
                        ([gaussian, discrete], [GAUSSIAN_FLAG_NOTES["below 0, likely overshoot:"],
                                                FLAG_NOTES["below 0, likely overshoot:"]])):
        text = write_report(runs, out_dir=tmp_path / f"rep{len(runs)}").read_text()
        assert "below 0, likely overshoot: Syn" in text
        paragraphs = [p for p in text.split("\n\n") if p.startswith("below 0, likely overshoot")]
        assert paragraphs == notes
    assert "cross-check" not in GAUSSIAN_FLAG_NOTES["below 0, likely overshoot:"]
    assert GAUSSIAN_FLAG_NOTES["below 0, likely overshoot:"].startswith(
        "below 0, likely overshoot, in a record of audit.estimator gaussian: corrected atoms whose "
        "whole centred bootstrap interval lay below 0 (the cell shows [value, 0.000]) at "
        "audit.confidence 0.95 or above. The discrete corrections (extrapolation, "
        "eb-extrapolation, eb-extrapolation-kink) do not apply to the Gaussian estimator")


def test_the_overshoot_note_tells_how_to_read_the_atom_not_to_trust_another_correction():
    # it advised "cross-check with the other discrete correction", but extrapolation's Syn of a
    # noise student averages +0.14 bits against the default's -0.009 (docs/estimate.md): the
    # estimate's repr now says to read the atom as 0 or a little above, and so does the report
    note = FLAG_NOTES["below 0, likely overshoot:"]
    assert "cross-check" not in note
    assert "Read such an atom as 0 or a little above: its plug-in value (biased up) is an upper " \
           "reference" in note
