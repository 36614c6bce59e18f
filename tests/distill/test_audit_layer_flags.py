"""The audit line and the report flag every audited layer's problems, not only the innermost
layer's: a flag of another layer is named by the layers it holds at (``layer 0: ...``), and the
line of a run whose other layers are not flagged is as before."""

from __future__ import annotations

import json
import re

import pytest
from test_audit_cluster_cap import CAPPED, capped
from test_report import edit_audit, fake_run, rows
from test_report_seeds import group_rows, seed_run
from tiny_runs import tiny

from pidkit_distill import write_report
from pidkit_distill.audit import ATOMS
from pidkit_distill.audit.records import FLAG_NOTES, final_flags, flag_notes
from pidkit_distill.training import train
from pidkit_distill.training.epoch_lines import audit_line

STUDENT_CAPPED = "capped by clusters: student 2 (< 10 labels)"
BOTH_CAPPED = "capped by clusters: teacher 2, student 2 (< 10 labels)"


def record(layer: int, *, epoch: int = 3, capped_sides: tuple[str, ...] = (),
           negative: tuple[str, ...] = (), status: str = "optimal") -> dict:
    """An audit record of ``layer`` with the sides ``capped_sides`` capped by 2 clusters, the
    atoms ``negative`` corrected below 0 and the solve's ``status``."""
    sides = {side: {"kind": "clustered", **({"information_cap": capped(2)}
                                            if side in capped_sides else {})}
             for side in ("t", "s")}
    return {"epoch": epoch, "layer": layer, "n_samples": 90, "status": status,
            **dict.fromkeys(ATOMS, 0.1),
            "bias_correction": {"method": "eb-extrapolation", "negative": list(negative)},
            "settings": {"clusters_used": 2, "discretisation": sides}}


def printed(capsys, records: list[dict]) -> str:
    """The audit line the trainer prints for one audit's ``records``, after its atoms."""
    print(audit_line(records))
    return capsys.readouterr().out.split(" bits (n=90)", 1)[1].rstrip("\n")


def test_the_line_names_the_other_layers_flags_and_is_as_before_without_them(capsys):
    # the trainer flagged the innermost layer's record only: a teacher capped at layer 0 was in
    # audit.jsonl but not on the line
    assert printed(capsys, [record(0), record(2)]) == ""
    assert printed(capsys, [record(0), record(2, capped_sides=("s",))]) == f"; {STUDENT_CAPPED}"
    assert printed(capsys, [record(0, capped_sides=("t", "s")), record(2, capped_sides=("s",))]) \
        == f"; {STUDENT_CAPPED}; layer 0: {BOTH_CAPPED}"
    # the same words at several layers are said once, with the layers
    assert printed(capsys, [record(k, capped_sides=("s",)) for k in (0, 1, 2)]) \
        == f"; layers 0, 1, 2: {STUDENT_CAPPED}"
    assert printed(capsys, [record(0, status="failed"), record(1, status="failed"), record(2)]) \
        == "; layers 0, 1: solve NOT certified (status 'failed')"


def test_an_atom_below_0_is_said_of_the_innermost_layer_only_and_a_likely_overshoot_of_each():
    # "below 0, not judged: Red" (no intervals) explains a number the line shows; layer 0's
    # numbers are not on it
    unread = [record(0, negative=("red",)), record(2, negative=("syn",))]
    assert final_flags(unread) == ["below 0, not judged: Syn"]
    overshoot = {"measure": "broja", "red": -0.2, "intervals": {"red": [-0.2, 0.0]},
                 "settings": {"ci_method": "centred", "confidence": 0.95}}
    layer_0 = record(0, negative=("red",))
    layer_0.update({**overshoot, "settings": {**layer_0["settings"], **overshoot["settings"]}})
    flags = final_flags([layer_0, record(2)])
    assert flags == ["layer 0: below 0, likely overshoot: Red"]
    assert list(flag_notes(layer_0, flags)) == ["below 0, likely overshoot:"]


def test_only_the_layers_audited_at_the_innermost_layers_last_epoch_are_flagged():
    # a run killed during its last audit wrote layer 0 of epoch 5 but not layer 2: the line and
    # the table show layer 2 of epoch 4, so layer 0's flags are those of epoch 4
    records = [record(0, epoch=4), record(2, epoch=4), record(0, epoch=5, capped_sides=("t",))]
    assert final_flags(records) == []
    records[0] = record(0, epoch=4, capped_sides=("t",))
    assert final_flags(records) == ["layer 0: capped by clusters: teacher 2 (< 10 labels)"]


def test_the_report_flags_every_audited_layer_of_the_last_audit_and_explains_each(tmp_path):
    def layer_0_failed_at_the_end(rec: dict) -> None:
        if rec["layer"] == 0 and rec["epoch"] == 2:
            rec.update(status="failed", red=None, uni_t=None, uni_s=None, syn=None)
        if rec["layer"] == 0 and rec["epoch"] == 1:  # an earlier audit: not the table's
            rec["settings"] = {"clusters_used": 5, "discretisation": {
                "t": {"kind": "clustered", "information_cap": capped(5)}, "s": {}}}

    run = edit_audit(fake_run(tmp_path / "run", epochs=2), layer_0_failed_at_the_end)
    text = write_report([run], out_dir=tmp_path / "rep").read_text()
    (row,) = rows(text)
    assert ("| 1 | 2 | discrete, eb-extrapolation; layer 0: solve NOT certified (status "
            "'failed') | 0.200 [0.000, 0.300] |") in row
    paragraphs = text.split("\n\n")
    assert FLAG_NOTES["solve NOT certified"] in paragraphs
    assert "capped by clusters" not in text


@pytest.mark.parametrize("layers", ["[0,2]", "[2,0]"])
def test_a_tiny_two_layer_run_flags_layer_0s_cap_on_the_line_and_in_the_report(tmp_path, capsys,
                                                                                 layers):
    # 90 held-out samples of 10 labels, 2 clusters a side: the student's clusters cap it at both
    # layers, the teacher's at layer 0 only. Audited in the order [2, 0], the line showed
    # layer 0's atoms, not the innermost's that the report shows.
    train(tiny(tmp_path, *CAPPED, f"audit.layers={layers}"))
    lines = [line for line in capsys.readouterr().out.splitlines() if "audit epoch" in line]
    assert [line.split(": ", 1)[0] for line in lines] == ["  audit epoch 0 layer 2",
                                                          "  audit epoch 1 layer 2"]
    # 2 clusters for 10 labels also leave row lengths that tell the labels apart
    dropped = "lengths dropped: teacher {}%, student {}% (audit.normalize l2)"
    flags = (f"; {STUDENT_CAPPED}; {dropped.format(99, 100)}; layer 0: {BOTH_CAPPED}; "
             f"layer 0: {dropped.format(98, 99)}")
    # each line says how long its audit took, before the flags
    assert all(re.search(rf" bits \(n=90\) in \d+\.\ds{re.escape(flags)}$", line)
               for line in lines), lines
    run = next(tmp_path.iterdir())
    sides = {rec["layer"]: {side for side, kept in rec["settings"]["discretisation"].items()
                            if "information_cap" in kept}
             for rec in map(json.loads, (run / "audit.jsonl").read_text().splitlines())}
    assert sides == {0: {"t", "s"}, 2: {"s"}}
    text = write_report([run], out_dir=tmp_path / "rep").read_text()
    assert f"| 2 | 1 | discrete, eb-extrapolation-kink{flags} |" in text
    notes = [note for note in text.split("\n\n") if note.startswith("capped by clusters:")]
    assert len(notes) == 1 and "all 90 held-out samples were audited" in notes[0]


def test_the_group_table_counts_the_seeds_not_certified_at_each_layer(tmp_path):
    # it counted the innermost layer's solves only: layer 0's failed solves went unsaid
    def failed(*layers: int):
        def change(rec: dict) -> None:
            if rec["layer"] in layers and rec["epoch"] == 2:
                rec["status"] = "failed"
        return change

    runs = [edit_audit(seed_run(tmp_path / f"s{seed}", seed, [0.5, 0.6]), change)
            for seed, change in ((1, failed(0)), (2, failed(0, 1)), (3, failed()))]
    (row,) = group_rows(write_report(runs, out_dir=tmp_path / "rep").read_text())
    assert ("| 1 | 2 | discrete, eb-extrapolation; solve NOT certified in 1 of 3 seeds; layer 0: "
            "solve NOT certified in 2 of 3 seeds |") in row
