"""The trainer's audit line and the report flag a side whose clusters, fewer than the labels, cap
what it shows of them (``information_cap`` in the record's ``settings.discretisation``)."""

from __future__ import annotations

import json
import re

from test_report import edit_audit, fake_run
from tiny_runs import tiny

from pidkit_distill import write_report
from pidkit_distill.audit.records import FLAG_NOTES, audit_flags, flag_notes
from pidkit_distill.training import train

# 90 held-out samples of 10 labels: audit.cluster_rule auto gives 2 clusters a side
CAPPED = ["run.epochs=1", "run.audit_every=1", "audit.bootstrap=0", "data.options.num_classes=10",
          "data.options.n_test=90", "data.options.nuisance_bits=0", "data.options.noise=0.05",
          "data.options.signal_scale=5"]


def capped(n_values: int, n_labels: int = 10) -> dict:
    """A side's ``information_cap`` as pid_from_representations records it (the keys the flag reads)."""
    return {"n_labels": n_labels, "n_values": n_values, "cap": 1.0, "share": 0.98}


def test_a_side_at_its_cluster_cap_is_flagged_and_an_old_record_is_not():
    both = {"settings": {"clusters_used": 5, "discretisation": {
        "t": {"kind": "clustered", "information_cap": capped(5)},
        "s": {"kind": "clustered", "information_cap": capped(5)}}}}
    student = {"settings": {"clusters_used": 2, "discretisation": {
        "t": {"kind": "clustered"}, "s": {"kind": "clustered", "information_cap": capped(2)}}}}
    before_37f31aa = {"settings": {"clusters_used": 5, "discretisation": {
        "t": {"kind": "clustered", "n_values": 5}, "s": {"kind": "clustered", "n_values": 5}}}}
    assert audit_flags(both) == ["capped by clusters: teacher 5, student 5 (< 10 labels)"]
    assert audit_flags(student) == ["capped by clusters: student 2 (< 10 labels)"]
    assert audit_flags(before_37f31aa) == []


def test_the_note_explains_the_cap_once_with_the_audits_fixes():
    record = {"settings": {"discretisation": {"t": {"information_cap": capped(5)},
                                              "s": {"information_cap": capped(2)}}}}
    notes = flag_notes(record, audit_flags(record))
    assert list(notes) == ["capped by clusters"]
    note = notes["capped by clusters"]
    assert note.startswith("capped by clusters: that side's k clusters, fewer than the labels, hold "
                           "at most log2(k) bits of Y, and its plug-in I(Y;side) reached 0.9 of that")
    for fix in ("audit.max_samples 0", "audit.cluster_rule auto", "audit.clusters",
                "audit.cluster_rule fixed", "audit.estimator gaussian", "1,000,000 for 100"):
        assert fix in note


def test_a_tiny_run_audited_on_few_samples_of_many_labels_shows_the_flag(tmp_path, capsys):
    train(tiny(tmp_path, *CAPPED))
    lines = [line for line in capsys.readouterr().out.splitlines() if "audit epoch" in line]
    assert [line.split(": ", 1)[0] for line in lines] == ["  audit epoch 0 layer 2",
                                                          "  audit epoch 1 layer 2"]
    # every layer audited: the student capped at all three, the teacher at layer 0; with 2
    # clusters for 10 labels, the row lengths that audit.normalize l2 drops tell the labels apart
    dropped = "lengths dropped: teacher {}%, student {}% (audit.normalize l2)"
    flags = (f"; layers 1, 2: capped by clusters: student 2 (< 10 labels); {dropped.format(99, 100)}; "
             f"layer 1: {dropped.format(98, 100)}; layer 0: capped by clusters: teacher 2, student 2 "
             f"(< 10 labels); layer 0: {dropped.format(98, 99)}")
    # each audit line says how long its audit took (bd2bb940), before its flags
    assert all(re.search(rf" bits \(n=90\) in \d+\.\ds{re.escape(flags)}$", line) for line in lines)
    run = next(tmp_path.iterdir())
    last = json.loads((run / "audit.jsonl").read_text().splitlines()[-1])
    cap = last["settings"]["discretisation"]["s"]["information_cap"]
    assert (cap["n_labels"], cap["n_values"], last["settings"]["clusters_used"]) == (10, 2, 2)
    assert cap["share"] >= 0.9
    text = write_report([run], out_dir=tmp_path / "rep").read_text()
    assert f"| discrete, eb-extrapolation-kink{flags} |" in text
    notes = [note for note in text.split("\n\n") if note.startswith("capped by clusters:")]
    assert len(notes) == 1  # the whole held-out set audited: enlarge it, not audit.max_samples
    assert "all 90 held-out samples were audited (audit.max_samples 0)" in notes[0]
    # the run's own data set's fix alone (the report passes its data section)
    assert "Enlarge it: --data.options n_test=1000." in notes[0] and "digits" not in notes[0]
    assert "audit.max_samples 0 audits" not in notes[0] and FLAG_NOTES["capped by clusters"] != notes[0]


def test_the_report_flags_a_capped_record_and_not_one_written_before(tmp_path):
    def cap_teacher(record: dict) -> None:
        record["settings"] = {"clusters_used": 5, "discretisation": {
            "t": {"kind": "clustered", "information_cap": capped(5)}, "s": {"kind": "clustered"}}}

    run = edit_audit(fake_run(tmp_path / "capped", epochs=1), cap_teacher)
    old = fake_run(tmp_path / "old", epochs=1)
    text = write_report([run, old], out_dir=tmp_path / "rep").read_text()
    assert text.count("capped by clusters: teacher 5 (< 10 labels)") == 1
    assert text.count("| discrete, eb-extrapolation |") == 1
    # a record that does not say how many samples it was allowed: the note of every case
    assert text.split("\n\n").count(FLAG_NOTES["capped by clusters"]) == 1
