"""The summary table's cells: how each run's atoms were estimated, their flags (below 0, not
certified, a failed solve, few distinct rows), their intervals and how its numbers are shown."""

from __future__ import annotations

import json
import warnings

import pytest
import test_report
from test_report import ATOMS, edit_audit, fake_run, gaussian, plug_in, rows

from pidkit_distill import write_report
from pidkit_distill.cli import main
from pidkit_distill.report import load_run, summary_table

figures = test_report.figures  # the fixture: the figures a report saves, by title


def test_the_table_says_how_each_runs_atoms_were_estimated_and_at_which_epoch(tmp_path, capsys):
    # the table had one column per atom and report.md called every number "corrected for the
    # plug-in's sampling bias": a Gaussian run (linearly decodable bits, 3.36 where a discrete
    # run of the same students had 1.41), a bias_correction=none run and a run whose last audit
    # line was cut off (atoms of epoch 0 beside the accuracy of epoch 2) looked all alike
    gauss = edit_audit(fake_run(tmp_path / "gauss", epochs=2), gaussian)
    plain = edit_audit(fake_run(tmp_path / "plain", epochs=2), plug_in)
    old = edit_audit(fake_run(tmp_path / "old", epochs=2),
                     lambda r: [r.pop(key) for key in ("plugin", "intervals", "bias_correction")])
    cut = fake_run(tmp_path / "cut", epochs=2)
    text = (cut / "audit.jsonl").read_text().splitlines(keepends=True)
    (cut / "audit.jsonl").write_text("".join(text[:2]) + text[2][:30])  # killed at epoch 1
    with pytest.warns(RuntimeWarning, match="cut off"):
        report = write_report([gauss, plain, old, cut], out_dir=tmp_path / "rep").read_text()
    table = rows(report)
    banded = "0.200 [0.000, 0.300]"  # the value and its bootstrap interval
    assert [row.split(" | ")[8:12] for row in table] == [
        ["1", "2", "gaussian, wishart", banded], ["1", "2", "discrete, plug-in", banded],
        ["1", "2", "discrete, plug-in", "0.200"],
        ["1", "0", "discrete, eb-extrapolation; atoms of epoch 0, before training; accuracy of "
                   "epoch 2", banded]]
    assert "corrected for the plug-in's sampling bias" not in report
    assert "gaussian: linearly decodable information, not comparable with discrete bits" in report


def test_a_negative_corrected_atom_and_an_uncertified_solve_are_flagged(tmp_path, capsys):
    # Syn corrected to -0.006 bits was printed as "-0.006", unmarked, and a solve the solver could not
    # certify ("optimal_inaccurate") as a number like any other, with nothing said
    def negative(record: dict) -> None:
        record.update(syn=-0.006, bias_correction={"method": "eb-extrapolation",
                                                   "negative": ["syn"]})

    below = edit_audit(fake_run(tmp_path / "below", epochs=1), negative)
    loose = edit_audit(fake_run(tmp_path / "loose", epochs=1),
                       lambda r: r.update(status="optimal_inaccurate"))
    assert main(["report", str(below), str(loose), "--out", str(tmp_path / "rep")]) == 0
    out = capsys.readouterr().out
    table = rows(out)
    assert table[0].split(" | ")[10:15] == ["discrete, eb-extrapolation; below 0: Syn",
                                            *["0.200 [0.000, 0.300]"] * 3, "-0.006 [0.000, 0.300]"]
    # both audited layers' solves (said once, naming them)
    assert table[1].split(" | ")[10] == ("discrete, eb-extrapolation; layers 0, 1: solve NOT "
                                         "certified (status 'optimal_inaccurate')")
    assert ("solve NOT certified: the solver could not certify those atoms (a failed solve gives "
            "none: the cells are empty); audit.jsonl has its gap and message. Do not trust "
            "them.") in out.splitlines()
    assert ("below 0: corrected atoms below 0, indistinguishable from 0 at that n (kept "
            "unclipped, see docs/estimate.md).") in out.splitlines()
    # each note its own paragraph in report.md (on consecutive lines, markdown ran them into one)
    assert out.split(" |\n\n", 1)[1].startswith(
        "below 0: corrected atoms below 0, indistinguishable from 0 at that n (kept unclipped, "
        "see docs/estimate.md).\n\nsolve NOT certified: ")


def failed_at(epoch: int, missing: float | None):
    """A change making the audit of ``epoch`` a failed solve as the audit records it: no atoms
    (``missing``: None as written now, NaN as runs wrote it before), informations kept."""
    def change(record: dict) -> None:
        if record["epoch"] != epoch:
            return
        no_atoms = dict.fromkeys(ATOMS[:4], missing)
        record.update(no_atoms, status="failed", gap=missing, message="every solver failed")
        record["plugin"].update(no_atoms)
        record["intervals"].update({key: [missing, missing] for key in ATOMS[:4]})
    return change


@pytest.mark.parametrize("missing", [None, float("nan")], ids=["null", "NaN"])
def test_a_failed_solve_has_empty_cells_a_gap_and_a_cross_on_the_epoch_axis(tmp_path, capsys,
                                                                      figures, missing):
    # a failed solve's atoms were written as NaN, which jq and JavaScript refuse: the table
    # showed "nan" and the figures a gap with nothing at it (the cross for a solve not
    # certified was drawn at the value, NaN, so nowhere); null (as written now) and NaN (old
    # files) are both read as missing
    run = edit_audit(fake_run(tmp_path / "run", epochs=1, planned=1), failed_at(1, missing))
    assert main(["report", str(run)]) == 0
    out = capsys.readouterr().out
    assert rows(out)[0].endswith("| 1 | 1 | discrete, eb-extrapolation; layers 0, 1: solve NOT "
                                 "certified (status 'failed') |  |  |  |  | 64 |")  # no atoms, not nan
    assert "solve NOT certified: the solver could not certify those atoms (a failed solve " \
           "gives none: the cells are empty)" in out
    fig = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "run (discrete, eb-extrapolation)", "solve failed: no number (X on the epoch axis)",
        "solve NOT certified"]
    red, i_yt = fig.axes[0], fig.axes[4]
    line = red.get_lines()[0]
    assert list(line.get_xdata()) == [0, 1] and line.get_ydata()[0] == pytest.approx(0.2)
    assert str(line.get_ydata()[1]) == "nan"  # a gap
    (foot,) = [ln for ln in red.get_lines() if ln.get_label().startswith("solve failed")]
    # on the epoch axis itself, not clipped (at 3% of the panel's height it read as a value
    # near 0 bits), and an X, not the x of a solve that was not certified
    assert (list(foot.get_xdata()), list(foot.get_ydata()), foot.get_marker()) == ([1], [0], "X")
    assert foot.get_transform() == red.get_xaxis_transform() and not foot.get_clip_on()
    (cross,) = [ln for ln in i_yt.get_lines() if ln.get_label() == "solve NOT certified"]
    assert (list(cross.get_xdata()), list(cross.get_ydata())) == ([1], [pytest.approx(0.2)])


def test_a_side_with_fewer_distinct_rows_than_clusters_is_flagged_and_explained(tmp_path,
                                                                                capsys):
    # the audit recorded settings.discretisation.s.distinct_rows, but the table said nothing
    # (the warning, shown at every audited layer, was the only sign)
    def few(record: dict) -> None:
        record["settings"] = {"estimator": "discrete", "clusters_used": 4, "discretisation": {
            "t": {"distinct_rows": None}, "s": {"distinct_rows": 3}}}

    run = edit_audit(fake_run(tmp_path / "few", epochs=1), few)
    assert main(["report", str(run), "--out", str(tmp_path / "rep")]) == 0
    out = capsys.readouterr().out
    assert rows(out)[0].split(" | ")[10] == ("discrete, eb-extrapolation; layers 0, 1: few "
                                             "distinct rows: student 3 (< 4 clusters)")
    assert ("few distinct rows: that side's features had fewer distinct rows than clusters "
            "(mostly-zero ReLU or binary features); each distinct row was one cluster, and the "
            "atoms are those of these values.") in out.splitlines()


def test_the_tables_atoms_carry_their_bootstrap_interval_and_its_confidence(tmp_path, capsys):
    # the table gave each atom as a bare number ("0.336") though the audit had its bootstrap
    # interval: "Uni(Y:S\\T) = 0.336" of 64 samples read as precise to the third digit, and
    # nothing said how sure it was
    def at_90(record: dict) -> None:
        record.update(uni_s=0.336, intervals={**record["intervals"], "uni_s": [0.188, 0.421]},
                      settings={"confidence": 0.9})

    run = edit_audit(fake_run(tmp_path / "run", epochs=1), at_90)
    old = edit_audit(fake_run(tmp_path / "old", epochs=1), lambda r: r.pop("intervals"))
    assert main(["report", str(run), str(old), "--out", str(tmp_path / "rep")]) == 0
    out = capsys.readouterr().out
    table = rows(out)
    assert table[0].split(" | ")[11:15] == ["0.200 [0.000, 0.300]", "0.200 [0.000, 0.300]",
                                            "0.336 [0.188, 0.421]", "0.200 [0.000, 0.300]"]
    assert table[1].split(" | ")[11:15] == ["0.200"] * 4  # an audit without intervals
    assert ("[low, high]: the 90% bootstrap interval of the atom (audit.confidence, "
            "audit.bootstrap), each holding its estimate (docs/estimate.md, Bootstrap "
            "intervals). With audit.cluster_seeds 1 the intervals leave out the variance of the "
            "KMeans clustering, so they are too narrow: audit.cluster_seeds 3 includes it "
            "(docs/distill.md, Seeds of the clustering).") in out.splitlines()
    assert rows((tmp_path / "rep/report.md").read_text()) == table


def test_the_tables_numbers_are_right_aligned(tmp_path):
    # every column was left-aligned ("|---|"): a rendered report.md put "-0.044" one place to the
    # right of "0.336", and "9/30" beside "30/30", so digits did not line up
    table = summary_table([load_run(fake_run(tmp_path / "x", epochs=1))]).splitlines()
    assert table[0].split(" | ")[4:10] == ["epochs", "teacher acc", "last acc", "best acc (epoch)",
                                           "layer", "audit epoch"]
    assert table[1] == "|---|---|---|---|" + "---:|" * 6 + "---|" + "---:|" * 5


def test_an_intervals_confidence_is_given_as_set_not_rounded(tmp_path, capsys):
    # audit.confidence = 0.975 was said to be "98%", and 0.999 "100%"
    runs = [edit_audit(fake_run(tmp_path / name, epochs=1),
                       lambda r, c=confidence: r.update(settings={"confidence": c}))
            for name, confidence in (("a", 0.975), ("b", 0.999))]
    assert main(["report", *map(str, runs), "--out", str(tmp_path / "rep")]) == 0
    assert "[low, high]: the 97.5% or 99.9% bootstrap interval of the atom" in capsys.readouterr().out


def test_an_intervals_confidence_is_never_rounded_across_the_overshoot_confidence(tmp_path):
    # audit.confidence 0.9499996 was said to be "95%", at which an interval wholly below 0 is
    # read as an overshoot, though the report read it as below that
    run = edit_audit(fake_run(tmp_path / "run", epochs=1),
                     lambda r: r.update(settings={"confidence": 0.9499996, "ci_method": "centred"}))
    assert ("[low, high]: the 94.99996% centred bootstrap interval of the atom"
            in summary_table([load_run(run)]))


def test_a_cell_that_rounds_to_zero_is_never_negative_zero(tmp_path):
    # a corrected atom of -0.0002 (and its interval's low end) showed as "-0.000": a value
    # below 0 to a reader, though it rounds to 0
    run = edit_audit(fake_run(tmp_path / "run", epochs=1), lambda r: r.update(
        uni_s=-0.0002, intervals={**r["intervals"], "uni_s": [-0.0004, 0.1]}))
    table = summary_table([load_run(run)])
    assert rows(table)[0].split(" | ")[13] == "0.000 [0.000, 0.100]"
    assert "-0.000" not in table


def test_the_intervals_note_names_their_bootstrap_method(tmp_path):
    # "[low, high]: the 95% bootstrap interval" left a reader to guess how it was made (a
    # percentile interval? the audit's default is a centred one, which can lie off the line)
    run = edit_audit(fake_run(tmp_path / "run", epochs=1),
                     lambda r: r.update(settings={"confidence": 0.95, "ci_method": "centred"}))
    assert ("[low, high]: the 95% centred bootstrap interval of the atom (audit.confidence, "
            "audit.bootstrap), each holding its estimate") in summary_table([load_run(run)])


def test_the_intervals_note_says_an_interval_leaves_its_estimate_out_only_where_one_does(tmp_path):
    # a centred interval holds its estimate (pidkit.resampling); a basic one, moved by the
    # bootstrap world's bias, need not, nor a centred one audited before that rule
    held = edit_audit(fake_run(tmp_path / "held", epochs=1),
                      lambda r: r.update(settings={"confidence": 0.95, "ci_method": "centred"}))
    moved = edit_audit(fake_run(tmp_path / "moved", epochs=1), lambda r: r.update(
        settings={"confidence": 0.95, "ci_method": "basic"}, syn=0.4,
        intervals={**r["intervals"], "syn": [0.1, 0.3]}))
    assert "each holding its estimate" in summary_table([load_run(held)])
    for runs in ([moved], [held, moved]):
        table = summary_table([load_run(run) for run in runs])
        assert "which need not hold the estimate" in table
        assert "each holding its estimate" not in table


def test_a_run_whose_audit_jsonl_is_missing_says_so_in_its_estimate_cell(tmp_path):
    # it said "no audit record in audit.jsonl" of a file deleted, where the warning and
    # report.md's sentence (run_folders.damaged.missing_audit_warning) say it is missing
    run = fake_run(tmp_path / "run", epochs=2)
    (run / "audit.jsonl").unlink()
    for audit_every, estimate in ((2, "audit.jsonl is missing (deleted or moved?)"),
                                  (0, "not audited (run.audit_every = 0)")):
        config = json.loads((run / "config.json").read_text())
        config["run"]["audit_every"] = audit_every
        (run / "config.json").write_text(json.dumps(config))
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            records = load_run(run)
        assert [str(w.message).startswith(f"{run / 'audit.jsonl'} is missing") for w in said
                ] == [True] * (audit_every > 0)  # the warning, of the same rule as the cell
        (row,) = rows(summary_table([records]))
        assert row.split(" | ")[8:] == ["", "", estimate, "", "", "", "", " |"]
    # an audit.jsonl there but empty is told as before
    (run / "audit.jsonl").write_text("")
    config["run"]["audit_every"] = 2
    (run / "config.json").write_text(json.dumps(config))
    (row,) = rows(summary_table([load_run(run)]))
    assert row.split(" | ")[10] == "no audit record in audit.jsonl"
