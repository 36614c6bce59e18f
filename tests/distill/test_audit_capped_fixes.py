"""The note on "capped by clusters" gives the fixes that apply to the record (t-334, finding 2).

On digits' default held-out split (450 samples, all audited) every audit is capped, and the
note's first fix was "audit.max_samples 0 for the whole held-out set", already the default. Now
an audit record says how many samples it was allowed (``settings.max_samples``), and the note
tells a whole held-out set that is too small from one that ``audit.max_samples`` cut, with the
``test_fraction`` that holds out labels^3 digits.
"""

from __future__ import annotations

import pytest
import torch

from pidkit_distill import audit_networks, tap_features
from pidkit_distill.audit.records import FLAG_NOTES, audit_flags, capped_fixes, flag_notes, held_out_fix
from pidkit_distill.config import AuditConfig
from pidkit_distill.data import load_dataset

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _record(n_samples: int, max_samples: int | None, *, clusters: int = 10, labels: int = 10) -> dict:
    settings = {"clusters": clusters, "discretisation": {
        "t": {"information_cap": {"n_labels": labels, "n_values": 6}}, "s": {}}}
    if max_samples is not None:
        settings["max_samples"] = max_samples
    return {"n_samples": n_samples, "settings": settings}


def _note(record: dict, data: dict | None = None) -> str:
    (note,) = flag_notes(record, audit_flags(record), data=data).values()
    return note


def test_digits_whole_held_out_set_is_told_to_grow_by_the_fraction_that_holds_out_labels_cubed():
    note = _note(_record(450, 0), {"name": "digits", "options": {}})
    assert "audit.max_samples 0 for the whole" not in note  # the advice that changed nothing
    assert "all 450 held-out samples were audited (audit.max_samples 0)" in note
    assert "the held-out set is too small" in note
    assert "--data.options test_fraction=0.56 holds out 1,007 of the 1,797 digits (790 left" in note
    # the reference: the loader's own split, 0.56 the first hundredth that holds out 10^3
    assert len(load_dataset("digits", test_fraction=0.56).test) == 1007
    assert len(load_dataset("digits", test_fraction=0.55).test) < 1000
    assert note.index("test_fraction") < note.index("audit.cluster_rule fixed") < note.index(
        "audit.estimator gaussian")


def test_the_audit_records_its_max_samples_so_the_report_note_applies(tmp_path):
    torch.manual_seed(0)
    x = torch.randn(300, 12)
    y = torch.arange(300) % 10
    net = tap_features(torch.nn.Sequential(torch.nn.Linear(12, 6), torch.nn.ReLU()), layers=["1"])
    settings = AuditConfig(bootstrap=0, bias_correction="none", clusters=10)
    (record,) = audit_networks(net, net, (x, y), settings=settings, progress=False)
    assert (record["settings"]["max_samples"], record["n_samples"]) == (0, 300)
    cut = AuditConfig(bootstrap=0, bias_correction="none", clusters=10, max_samples=200)
    (part,) = audit_networks(net, net, (x, y), settings=cut, progress=False)
    assert part["settings"]["max_samples"] == 200
    for audited, case in ((record, "held-out set"), (part, "max_samples")):
        capped = {**audited, "settings": {**audited["settings"], "discretisation": {
            "t": {"information_cap": {"n_labels": 10, "n_values": 4}}, "s": {}}}}
        assert capped_fixes(capped)[0] == case


def test_a_sample_cut_by_max_samples_keeps_the_advice_to_audit_more():
    fixes = capped_fixes(_record(500, 500))
    assert fixes[0] == "max_samples"
    assert fixes[1].startswith("Fixes: more audited samples: audit.max_samples 500 took 500 of the "
                               "held-out set; 0 audits the whole of it")
    assert "held-out set is too small" not in fixes[1]
    # a record that asked for more than the held-out set has: the whole set, too small
    assert capped_fixes(_record(450, 2000))[0] == "held-out set"
    notes = flag_notes(_record(500, 500), ["capped by clusters: teacher 6 (< 10 labels)"])
    assert list(notes) == ["capped by clusters: max_samples"]


def test_each_data_set_is_told_its_own_way_or_that_it_cannot():
    synthetic = held_out_fix(1000, {"name": "synthetic", "options": {}})
    assert synthetic == "Enlarge it: --data.options n_test=1000."
    assert "cannot hold out that many" in held_out_fix(1_000_000, {"name": "cifar100", "options": {}})
    assert "1,797 samples in all, fewer than 8,000" in held_out_fix(20 ** 3, {"name": "digits"})
    assert "its loader's held-out split" in held_out_fix(1000)  # the run's data set not given


def test_a_cap_at_another_layer_than_the_shown_one_gets_the_fixes_of_its_labels():
    shown = {"n_samples": 450, "settings": {"max_samples": 0, "discretisation": {"t": {}, "s": {}}}}
    notes = flag_notes(shown, ["layer 0: capped by clusters: teacher 2, student 2 (< 10 labels)"])
    (note,) = notes.values()
    assert "fewer than the 1,000 (10^3)" in note and "test_fraction=0.56" in note


def test_too_few_clusters_allowed_is_named_before_the_samples():
    fixes = capped_fixes(_record(2000, 0, clusters=6))[1]
    assert fixes.startswith("Fixes: audit.clusters 10 (it is 6, fewer than the labels)")


def test_a_record_written_before_max_samples_gets_the_note_of_every_case():
    note = _note(_record(450, None))
    assert note == FLAG_NOTES["capped by clusters"]
    assert "where the whole held-out set is audited, a larger held-out set" in note


def test_the_report_tells_a_run_the_fix_of_its_own_data_set(tmp_path):
    # the report passed no data section: its note named digits' option and synthetic's alike
    import json

    from test_report import fake_run

    from pidkit_distill.report import load_runs, summary_table

    run = fake_run(tmp_path / "runs" / "r", epochs=1)  # a synthetic run
    records = [{**json.loads(line), "n_samples": 450, **_record(450, 0)}
               for line in (run / "audit.jsonl").read_text().splitlines()]
    (run / "audit.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    table = summary_table(load_runs(run))
    assert "the held-out set is too small. Enlarge it: --data.options n_test=1000. Or" in table
    assert "test_fraction" not in table
