"""The report's tables as data: runs.csv and groups.csv beside report.md, which pandas reads
back to the numbers of report.md's tables and of a computation of one's own from the runs'
records (the report wrote report.md and PNGs only: a paper's numbers were copied by hand, or
the grouping redone in pandas)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_report import fake_run

from pidkit_distill import write_report
from pidkit_distill.cli import main
from pidkit_distill.report.csv_tables import GROUP_COLUMNS, RUN_COLUMNS

# per run: its teacher, seed, accuracy at epochs 1 to 3, and Red of its last audit
SWEEP = {"u0": ("untrained", 0, [0.50, 0.61, 0.58], 0.30),
         "u1": ("untrained", 1, [0.52, 0.66, 0.70], 0.45),
         "u2": ("untrained", 2, [0.40, 0.55, 0.63], 0.20),
         "t0": ("trained", 0, [0.80, 0.86, 0.90], 1.10),
         "t1": ("trained", 1, [0.82, 0.91, 0.88], 1.30)}


def sweep(tmp_path: Path) -> Path:
    """The runs of :data:`SWEEP` in one folder, each of 3 epochs, audited at each."""
    runs = tmp_path / "runs"
    for name, (teacher, seed, accs, red) in SWEEP.items():
        run = fake_run(runs / name, epochs=3, teacher=teacher, planned=3)
        config = json.loads((run / "config.json").read_text())
        config["run"]["seed"] = seed
        (run / "config.json").write_text(json.dumps(config))
        (run / "metrics.jsonl").write_text("".join(
            json.dumps({"epoch": e, "test_acc": a, "teacher_acc": 0.9}) + "\n"
            for e, a in enumerate(accs, 1)))
        audit = [json.loads(line) for line in (run / "audit.jsonl").read_text().splitlines()]
        for record in audit:
            if record["epoch"] == 3 and record["layer"] == 1:
                record["red"] = red
                record["intervals"]["red"] = [red - 0.05, red + 0.07]
        (run / "audit.jsonl").write_text("".join(json.dumps(r) + "\n" for r in audit))
    return runs


def table(text: str, first: str) -> list[dict[str, str]]:
    """The rows of report.md's table whose header starts with ``| {first} |``, by column."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first} |"))
    head = [cell.strip() for cell in lines[start].strip("|").split(" | ")]
    body = []
    for line in lines[start + 2:]:
        if not line.startswith("| "):
            break
        body.append(dict(zip(head, (cell.strip() for cell in line.strip("|").split(" | ")),
                             strict=True)))
    return body


def test_runs_csv_and_groups_csv_hold_the_numbers_of_report_md(tmp_path, capsys):
    runs = sweep(tmp_path)
    assert main(["report", str(runs)]) == 0
    out = capsys.readouterr().out
    folder = runs / "report"
    assert out.endswith(f"report written to {folder / 'report.md'}, its tables as data beside "
                        "it: runs.csv, groups.csv\n")
    text = (folder / "report.md").read_text()
    assert "The tables as data: runs.csv (a row per run) and groups.csv" in text
    each, groups = pd.read_csv(folder / "runs.csv"), pd.read_csv(folder / "groups.csv")
    assert tuple(each.columns) == RUN_COLUMNS and tuple(groups.columns) == GROUP_COLUMNS

    # runs.csv: report.md's table of each run, cell by cell, and the records written
    shown = {row["run"]: row for row in table(text, "run")}
    assert sorted(shown) == sorted(each["run"]) == sorted(SWEEP)
    for row in each.itertuples():
        cell = shown[row.run]
        teacher, seed, accs, red = SWEEP[row.run]
        assert (row.last_acc, row.best_acc, row.best_epoch) == (accs[-1], max(accs),
                                                               accs.index(max(accs)) + 1)
        assert (row.seed, row.teacher, row.epochs_reached, row.epochs_total) == (seed, teacher,
                                                                                 3, 3)
        assert (row.red, row.red_low, row.red_high) == pytest.approx((red, red - 0.05,
                                                                      red + 0.07))
        assert cell["last acc"] == f"{row.last_acc:.4f}"
        assert cell["best acc (epoch)"] == f"{row.best_acc:.4f} ({row.best_epoch})"
        assert cell["epochs"] == f"{row.epochs_reached}/{row.epochs_total}"
        assert (cell["layer"], cell["audit epoch"]) == (str(row.layer), str(row.audit_epoch))
        assert cell["estimate"].startswith(row.estimate)
        assert cell["Red"] == f"{row.red:.3f} [{row.red_low:.3f}, {row.red_high:.3f}]"
        assert cell["Syn"] == f"{row.syn:.3f} [{row.syn_low:.3f}, {row.syn_high:.3f}]"
        assert cell["n"] == str(row.n_samples)
    assert each["state"].isna().all()  # each reached its epochs

    # groups.csv: report.md's table of seeds, and numpy's mean and sd (ddof=1) of the records
    seeds = {row["group"]: row for row in table(text, "group")}
    assert sorted(seeds) == sorted(groups["group"])
    for row in groups.itertuples():
        members = [name for name in SWEEP if name in row.runs.split()]
        last = np.array([SWEEP[name][2][-1] for name in members])
        best = np.array([max(SWEEP[name][2]) for name in members])
        reds = np.array([SWEEP[name][3] for name in members])
        assert row.n_seeds == len(members) == (3 if members[0].startswith("u") else 2)
        assert (row.last_acc_mean, row.last_acc_sd) == pytest.approx((last.mean(),
                                                                      last.std(ddof=1)))
        assert (row.best_acc_mean, row.best_acc_sd) == pytest.approx((best.mean(),
                                                                      best.std(ddof=1)))
        assert (row.red_mean, row.red_sd) == pytest.approx((reds.mean(), reds.std(ddof=1)))
        cell = seeds[row.group]
        assert cell["seeds"] == f"{row.n_seeds} ({', '.join(row.seeds.split())})"
        assert cell["last acc"].startswith(f"{row.last_acc_mean:.4f} ± {row.last_acc_sd:.4f} (")
        assert cell["best acc"].startswith(f"{row.best_acc_mean:.4f} ± {row.best_acc_sd:.4f} (")
        assert cell["Red"].startswith(f"{row.red_mean:.3f} ± {row.red_sd:.3f} (")
        assert cell["Syn"].startswith(f"{row.syn_mean:.3f} ± {row.syn_sd:.3f} (")
        assert (cell["layer"], cell["audit epoch"]) == (str(row.layer), str(row.audit_epoch))
        assert cell["epochs"] == f"{row.epochs}/{row.epochs_total}"


def test_a_run_without_an_audit_has_empty_atom_cells_and_a_lone_run_a_group_row(tmp_path):
    run = fake_run(tmp_path / "plain", epochs=2, audited=False)
    write_report(run, out_dir=tmp_path / "rep")
    each = pd.read_csv(tmp_path / "rep/runs.csv")
    assert each.loc[0, "last_acc"] == 0.52 and each.loc[0, "best_epoch"] == 2
    assert each[["red", "red_low", "syn_high", "layer", "audit_epoch", "estimate"]
                ].isna().all(axis=None)
    groups = pd.read_csv(tmp_path / "rep/groups.csv")
    assert (groups.loc[0, "n_seeds"], groups.loc[0, "last_acc_mean"]) == (1, 0.52)
    assert groups[["last_acc_sd", "best_acc_sd", "red_mean"]].isna().all(axis=None)


def test_seeds_estimated_differently_have_empty_atom_cells_in_groups_csv_as_in_report_md(
        tmp_path, capsys):
    # report.md's table of seeds and groups.csv each chose the layer, epoch and records of a
    # group by a rule of their own; one rule now (report.group_audit.group_audit) serves both
    runs = sweep(tmp_path)
    audit = [json.loads(line) for line in (runs / "t1/audit.jsonl").read_text().splitlines()]
    for record in audit:
        record["bias_correction"] = {"method": "none", "negative": []}
    (runs / "t1/audit.jsonl").write_text("".join(json.dumps(r) + "\n" for r in audit))
    assert main(["report", str(runs)]) == 0
    capsys.readouterr()
    folder = runs / "report"
    groups = pd.read_csv(folder / "groups.csv").set_index("runs")
    seeds = {row["seeds"]: row for row in table((folder / "report.md").read_text(), "group")}
    mixed, alike = groups.loc["t0 t1"], groups.loc["u0 u1 u2"]
    assert (mixed.layer, mixed.audit_epoch) == (1, 3)
    assert mixed.estimate == "discrete, eb-extrapolation; discrete, plug-in"
    atoms = [f"{atom}_{of}" for atom in ("red", "uni_t", "uni_s", "syn") for of in ("mean", "sd")]
    assert mixed[atoms].isna().all()
    cell = seeds["2 (0, 1)"]
    assert cell["estimate"] == ("discrete, eb-extrapolation (t0); discrete, plug-in (t1): "
                                "not averaged")
    assert [cell[label] for label in ("Red", "Uni(Y:T\\S)", "Uni(Y:S\\T)", "Syn")] == [""] * 4
    assert (cell["layer"], cell["audit epoch"]) == ("1", "3")
    # the other group is averaged in both, as before
    reds = np.array([SWEEP[name][3] for name in ("u0", "u1", "u2")])
    assert (alike.red_mean, alike.red_sd) == pytest.approx((reds.mean(), reds.std(ddof=1)))
    assert seeds["3 (0, 1, 2)"]["Red"].startswith(f"{reds.mean():.3f} ± {reds.std(ddof=1):.3f}")


def test_a_lone_run_without_a_completed_epoch_has_no_atoms_in_groups_csv(tmp_path):
    # its only audit is of the untrained networks (epoch 0), which the table of each run and
    # runs.csv leave out too
    done = fake_run(tmp_path / "done", epochs=2)
    killed = fake_run(tmp_path / "killed", epochs=0)
    with pytest.warns(RuntimeWarning, match="no completed epoch"):
        write_report([done, killed], out_dir=tmp_path / "rep")
    groups = pd.read_csv(tmp_path / "rep/groups.csv").set_index("runs")
    each = pd.read_csv(tmp_path / "rep/runs.csv").set_index("run")
    assert groups.loc["killed", ["layer", "audit_epoch", "estimate", "red_mean"]].isna().all()
    assert each.loc["killed", ["layer", "audit_epoch", "estimate", "red"]].isna().all()
    assert (groups.loc["done", "layer"], groups.loc["done", "audit_epoch"]) == (1, 2)
    assert groups.loc["done", "red_mean"] == pytest.approx(0.2)
