"""The group table (the experiments run with several seeds) shows the audit's flags of the seeds,
as the table of each run does: a mark beside each atom a seed's record flags below 0, with a
legend line under the table, and in the estimate cell how many seeds are capped by clusters,
have few distinct rows or a likely overshoot at another layer; ``RunSummary.last_audit_flags``
gives the flags of a run's last audit, every layer's."""

from __future__ import annotations

import json
from pathlib import Path

from test_audit_cluster_cap import CAPPED, capped
from test_report import edit_audit
from test_report_seeds import group_rows, seed_run
from tiny_runs import tiny

from pidkit_distill import RunSummary, write_report
from pidkit_distill.audit.records import ATOM_LABELS
from pidkit_distill.report import group_table
from pidkit_distill.run_folders.records import load_runs
from pidkit_distill.training import train

# The legend under the group table when its marks are those of atoms below 0 without intervals
# (not judged) alone
UNJUDGED_LEGEND = ("Marks beside an atom: ° below 0, not judged; each followed by how many of the "
                   "seeds' audit records (of the row's layer and audit epoch) flag it so (°2/3: 2 "
                   "of 3 seeds), as the estimate cell of each seed's row in the table of each run "
                   "says, and its notes explain.")


def atom_cells(row: str) -> dict[str, str]:
    """The atom cells of a group table's ``row``, by the atom's key in an audit record."""
    return dict(zip(ATOM_LABELS, row.strip(" |").split(" | ")[-len(ATOM_LABELS):], strict=True))


def below_zero(run: Path, layer: int, epoch: int) -> list[str]:
    """The atoms that ``run``'s record of ``layer`` at ``epoch`` holds corrected below 0."""
    (record,) = [r for r in map(json.loads, (run / "audit.jsonl").read_text().splitlines())
                 if r["layer"] == layer and r["epoch"] == epoch]
    return record["bias_correction"]["negative"]


def test_a_seeds_atom_below_0_has_its_mark_and_a_clean_experiment_none(tmp_path):
    # the group table showed -0.027 ± 0.029 (-0.007, -0.048) where both seeds' rows in the
    # table of each run said "below 0: Uni(Y:T\S)": nothing told the reader it was flagged
    # (audit.bootstrap=0: no intervals, so the atoms are not judged, task 321)
    runs = [train(tiny(tmp_path / "runs", "run.epochs=1", "run.audit_every=1",
                       "audit.bootstrap=0", "run.print_every=0", f"run.seed={seed}",
                       f"run.name=bas-s{seed}")).run_dir for seed in (1, 2)]
    clean = [seed_run(tmp_path / f"rid-s{seed}", seed, [0.6], method="rid") for seed in (1, 2)]
    text = write_report([*runs, *clean], out_dir=tmp_path / "rep").read_text()
    flagged, unflagged = group_rows(text)
    negative = [below_zero(run, 2, 1) for run in runs]
    marks = {key: sum(key in each for each in negative) for key in ATOM_LABELS}
    assert any(marks.values())  # the seeded runs hold atoms below 0, as the test needs
    for key, cell in atom_cells(flagged).items():
        assert cell.endswith(f" °{marks[key]}/2") if marks[key] else "°" not in cell, (key, cell)
    assert not any(mark in unflagged for mark in "†‡§¶°")
    assert "| discrete, eb-extrapolation |" in unflagged
    assert text.count(UNJUDGED_LEGEND) == 1
    assert group_table(load_runs(runs)).split("\n\n")[1] == UNJUDGED_LEGEND
    # each seed's own row says what its marks count
    for run, each in zip(runs, negative, strict=True):
        (row,) = [line for line in text.splitlines() if line.startswith(f"| {run.name} |")]
        assert all((ATOM_LABELS[key] in row.split("; below 0, not judged: ")[-1]) == (key in each)
                   for key in ATOM_LABELS), (row, each)


def test_the_estimate_cell_counts_the_seeds_capped_by_clusters_at_each_layer(tmp_path):
    # 90 held-out samples of 10 labels, 2 clusters a side: layer 0's teacher is capped in both
    # seeds, the student at layer 2 in seed 1 only; the group's estimate cell said none of it
    runs = [train(tiny(tmp_path, *CAPPED, "audit.layers=[0,2]", "run.print_every=0",
                       f"run.seed={seed}", f"run.name=c{seed}")).run_dir for seed in (1, 2)]
    (row,) = group_rows(group_table(load_runs(runs)))
    assert ("| 2 | 1 | discrete, eb-extrapolation-kink; layers 0, 2: lengths dropped in 2 of 2 seeds; "
            "capped by clusters in 1 of 2 seeds; layer 0: capped by clusters in 2 of 2 seeds |") in row


def test_few_rows_an_overshoot_and_an_uncertified_solve_are_counted_each_in_its_place(tmp_path):
    # at the row's layer (1) a likely overshoot is a mark beside its atom, at layer 0 (whose
    # atoms the row does not show) a count in the estimate cell; an atom of layer 0 below 0 that
    # is noise is not said, as the table of each run leaves it out
    def change(overshoot: int | None = None, few: bool = False, failed: bool = False,
               noise: bool = False):
        def edit(rec: dict) -> None:
            rec["settings"] = {"ci_method": "centred", "confidence": 0.95, "clusters_used": 10,
                               "discretisation": {"t": {}, "s": {
                                   "distinct_rows": 3 if few and rec["layer"] == 1 else None}}}
            if rec["layer"] == overshoot:
                rec["bias_correction"]["negative"] = ["syn"]
                rec.update(syn=-0.147, intervals={**rec["intervals"], "syn": [-0.147, 0.0]})
            if rec["layer"] == 0 and noise:
                rec["bias_correction"]["negative"] = ["red"]
                rec["red"] = -0.01
            if rec["layer"] == 1 and failed:
                rec["status"] = "failed"
        return edit

    runs = [edit_audit(seed_run(tmp_path / f"s{seed}", seed, [0.5, 0.6]), edit)
            for seed, edit in ((1, change(overshoot=1, few=True)),
                               (2, change(overshoot=0, few=True, failed=True)),
                               (3, change(noise=True)))]
    table = group_table(load_runs(runs))
    (row,) = group_rows(table)
    assert ("| discrete, eb-extrapolation; solve NOT certified in 1 of 3 seeds; few distinct rows "
            "in 2 of 3 seeds; layer 0: below 0, likely overshoot in 1 of 3 seeds |") in row
    assert atom_cells(row)["syn"].endswith(" ‡1/3")
    assert "‡ below 0, likely overshoot; each followed by" in table.split("\n\n")[1]
    assert "†" not in table


def test_records_of_an_older_version_are_marked_and_summarised_as_before(tmp_path):
    # an audit.jsonl written before the records held intervals, settings and the plug-in values:
    # its atoms below 0 are "below 0, not judged" (no intervals were read: task 321; it said
    # "below 0", noise), as the table of each run says of them
    def old(rec: dict) -> None:
        for key in ("intervals", "settings", "plugin", "measure"):
            rec.pop(key, None)
        if rec["layer"] == 1:
            rec["bias_correction"]["negative"] = ["syn"]
            rec["syn"] = -0.02

    runs = [edit_audit(seed_run(tmp_path / f"s{seed}", seed, [0.5, 0.6]), old) for seed in (1, 2)]
    table = group_table(load_runs(runs))
    (row,) = group_rows(table)
    assert row.endswith("| 1 | 2 | discrete, eb-extrapolation | 0.200 ± 0.000 (0.200, 0.200) | "
                        "0.200 ± 0.000 (0.200, 0.200) | 0.200 ± 0.000 (0.200, 0.200) | "
                        "-0.020 ± 0.000 (-0.020, -0.020) °2/2 |")
    assert table.split("\n\n")[1] == UNJUDGED_LEGEND
    # the summary train returns: last_audit is the innermost layer's record, as it was, and
    # last_audit_flags every layer's flags of that audit
    audit = load_runs(runs[0])[0].audit
    summary = RunSummary(0.6, 0.6, 2, runs[0], history=[], audit=audit)
    assert summary.last_audit == audit[-1] and summary.last_audit["layer"] == 1
    assert summary.last_audit_flags == ["below 0, not judged: Syn"]
    capped_audit = [{**record, "settings": {"clusters_used": 2, "discretisation": {
        "t": {"information_cap": capped(2)}, "s": {}}}} if record["layer"] == 0 else record
        for record in audit]
    assert RunSummary(0.6, 0.6, 2, runs[0], history=[], audit=capped_audit).last_audit_flags == [
        "below 0, not judged: Syn", "layer 0: capped by clusters: teacher 2 (< 10 labels)"]
