"""The report of an experiment run with several seeds: the group table (mean ± sd across the
seeds), the groups' lines in the figures (one colour, the mean with a band, the seeds faint),
a killed seed, and the teacher's own run folder that `runs/*` takes in."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import test_report
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex
from test_report import fake_run

from pidkit_distill import write_report
from pidkit_distill.cli import main
from pidkit_distill.report import group_table
from pidkit_distill.run_folders.records import load_runs

figures = test_report.figures  # the fixture: the figures a report saves, by title


def seed_run(path: Path, seed: int, accs: list[float], *, method: str = "bas", syn: float = 0.2,
             teacher: str = "untrained") -> Path:
    """A run of ``method`` and ``seed`` (named after its folder) whose held-out accuracy is
    ``accs`` at epochs 1, 2, ... of 4 planned, audited at each epoch with Syn = ``syn`` at its
    innermost layer (1)."""
    fake_run(path, epochs=len(accs), teacher=teacher, planned=4)
    config = json.loads((path / "config.json").read_text())
    config["run"].update(seed=seed, name=path.name, out_dir=str(path.parent / "elsewhere"))
    config["method"]["name"] = method
    (path / "config.json").write_text(json.dumps(config))
    (path / "metrics.jsonl").write_text("".join(
        json.dumps({"epoch": e, "test_acc": acc, "teacher_acc": 0.9}) + "\n"
        for e, acc in enumerate(accs, 1)))
    records = [json.loads(line) for line in (path / "audit.jsonl").read_text().splitlines()]
    for record in records:
        record["syn"] = syn if record["layer"] == 1 else record["syn"]
    (path / "audit.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def group_rows(text: str) -> list[str]:
    """The rows of the group table in ``text`` (report.md, or the table alone): those under
    its header, ``| group | ...``, up to the first line that is not a row (a row of the table
    of each run has a ± too, its last accuracy's standard error)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("| group | ")), len(lines))
    rows = []
    for line in lines[start + 2:]:  # past the header and the alignment row
        if not line.startswith("| "):
            break
        rows.append(line)
    return rows


# The note under the group table of s1, without run.amp, beside seeds 2 and 3 with it
S1_KEPT_APART = ("s1 and bas, run.amp=false, 2 seeds are kept apart: their config.json differ "
                 "only in keys that one lacks (run.amp), written by an older pidkit-distill, "
                 "whose default may have been another; compare them by hand, or rerun the older.")


def as_an_older_version_wrote_it(path: Path) -> None:
    """Take ``run.amp`` out of the ``config.json`` of the run folder ``path``, as a version
    older than the key wrote it."""
    config = json.loads((path / "config.json").read_text())
    del config["run"]["amp"]
    (path / "config.json").write_text(json.dumps(config))


@pytest.fixture()
def seeds(tmp_path) -> list[Path]:
    """bas with seeds 3, 1, 2 (given out of order) and rid with seeds 1, 2."""
    return [seed_run(tmp_path / "runs/bas-s3", 3, [0.70, 0.84], syn=0.5),
            seed_run(tmp_path / "runs/bas-s1", 1, [0.72, 0.80], syn=0.3),
            seed_run(tmp_path / "runs/bas-s2", 2, [0.74, 0.82], syn=0.4),
            seed_run(tmp_path / "runs/rid-s1", 1, [0.60, 0.70], method="rid", syn=0.1),
            seed_run(tmp_path / "runs/rid-s2", 2, [0.62, 0.74], method="rid", syn=0.2)]


def test_the_seeds_of_an_experiment_are_one_row_of_mean_and_sd(tmp_path, seeds):
    # every run was its own row; nothing said "bas 0.820 ± 0.020 over 3 seeds" as papers do
    report = write_report(seeds, out_dir=tmp_path / "rep").read_text()
    cut = "| untrained | 2/4 | "
    assert [row.split(cut)[1] for row in group_rows(report)] == [
        "3 (1, 2, 3) | 0.8200 ± 0.0200 (0.8000, 0.8200, 0.8400) | "
        "0.8200 ± 0.0200 (0.8000, 0.8200, 0.8400) | 1 | 2 | discrete, eb-extrapolation | "
        "0.200 ± 0.000 (0.200, 0.200, 0.200) | 0.200 ± 0.000 (0.200, 0.200, 0.200) | "
        "0.200 ± 0.000 (0.200, 0.200, 0.200) | 0.400 ± 0.100 (0.300, 0.400, 0.500) |",
        "2 (1, 2) | 0.7200 ± 0.0283 (0.7000, 0.7400) | 0.7200 ± 0.0283 (0.7000, 0.7400) | 1 | 2 "
        "| discrete, eb-extrapolation | 0.200 ± 0.000 (0.200, 0.200) | 0.200 ± 0.000 (0.200, "
        "0.200) | 0.200 ± 0.000 (0.200, 0.200) | 0.150 ± 0.071 (0.100, 0.200) |"]
    assert [row.split(" | ")[0] for row in group_rows(report)] == ["| bas", "| rid"]
    # rid - bas paired by seed: 0.70 - 0.80 and 0.74 - 0.82, mean -0.09, sd 0.0141, s.e. 0.01
    assert ("rid − bas: -0.0900 ± 0.0100 (last acc at epoch 2, paired by seed: mean ± s.e. of "
            "the differences over the 2 seeds both ran, 1 and 2)") in report
    assert ("only in run.seed, the run's bookkeeping (data.eval_batch_size, data.num_workers, "
            "data.root, run.checkpoint_every, run.device, run.join_timeout, "
            "run.name, run.out_dir, run.print_every, run.progress, run.resume, run.stop_after, "
            "run.threads), when the audit ran and the intervals around its atoms "
            "(audit.bootstrap, audit.confidence, run.audit_every: the atoms are the same at any "
            "value, and each audit record holds its own bootstrap and confidence, which its marks "
            "read; a seed resumed with another keeps its group), and in settings "
            "that did not affect them (teacher.epochs and teacher.lr where no teacher was "
            "trained, teacher.seed too for a teacher file; audit.* where run.audit_every is 0; "
            "the decay of a constant optim.schedule). ") in report
    # the per-run table stays, a row per run
    assert report.index("## Experiments run with several seeds") < report.index("## Each run")
    assert "| bas-s3 | synthetic | bas | untrained | 2/4 | 0.9000 | 0.8400 |" in report


def test_a_killed_seed_is_averaged_only_over_the_epochs_all_seeds_reached(tmp_path, figures):
    # averaging each seed's last accuracy mixed epoch 1 of a killed seed with epoch 3 of others
    runs = [seed_run(tmp_path / f"s{seed}", seed, accs)
            for seed, accs in ((1, [0.5, 0.6, 0.7]), (2, [0.5, 0.8, 0.9]), (3, [0.6]))]
    (row,) = group_rows(group_table(load_runs(runs)))
    assert row.startswith("| bas | synthetic | bas | untrained | 1/4 (seeds reached 3, 3, 1) | "
                          "3 (1, 2, 3) | 0.5333 ± 0.0577 (0.5000, 0.5000, 0.6000) | ")
    assert "| 1 | 1 | discrete" in row  # the atoms of the last audit epoch all three have
    write_report(runs, out_dir=tmp_path / "rep")
    accuracy = next(fig for title, fig in figures.items() if title.startswith("Student"))
    # each seed short of its 4 epochs (report.md: stopped), its line ended by a bar
    (mean, _) = [line for line in accuracy.axes[0].get_lines()
                 if not line.get_label().startswith("_")]
    assert mean.get_label() == ("bas, 3 seeds\nmean of epoch 1 only (all seeds have them)\n"
                                "seeds 1, 2 stopped after epoch 3 of 4; seed 3 stopped after "
                                "epoch 1 of 4")
    assert list(mean.get_xdata()) == [1]
    seeds_drawn = [line for line in accuracy.axes[0].get_lines()
                   if line is not mean and line.get_color() != "black"]  # not the bars
    assert [len(line.get_xdata()) for line in seeds_drawn] == [3, 3, 1]  # all of each seed
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    assert [t.get_text() for t in atoms.legends[0].get_texts()] == [
        "bas, 3 seeds (discrete, eb-extrapolation)\nmean only of the epochs all seeds have\n"
        "seeds 1, 2 stopped after epoch 3 of 4; seed 3 stopped after epoch 1 of 4",
        "bar: where a stopped or failed run's line ends"]
    red = next(line for line in atoms.axes[0].get_lines() if line.get_label().startswith("bas"))
    assert list(red.get_xdata()) == [0, 1]  # the audits before training and after epoch 1


def test_a_groups_seeds_share_its_colour_under_its_mean_and_band(tmp_path, seeds, figures):
    # each seed had a colour and a legend entry of its own: five lines, five colours, and no
    # mean; the reader could not see the spread across seeds
    write_report(seeds, out_dir=tmp_path / "rep")
    accuracy = next(fig for title, fig in figures.items() if title.startswith("Student"))
    ax = accuracy.axes[0]
    assert ax.get_title().endswith("\nbands: ±1 sd across seeds about each mean (faint lines: "
                                   "the seeds)")
    stopped = "\nseeds 1, 2, 3 stopped after epoch 2 of 4"  # of their 4 epochs: report.md's state
    assert [t.get_text() for t in accuracy.legends[0].get_texts()] == [
        f"bas, 3 seeds{stopped}", "rid, 2 seeds\nseeds 1, 2 stopped after epoch 2 of 4",
        "bar: where a stopped or failed run's line ends"]
    lines = {line.get_label(): line for line in ax.get_lines()
             if line.get_color() != "black"}  # not the bars that end the seeds' lines
    blue, red = "#3f90da", "#bd1f01"  # bas's and rid's colours (figure_looks.METHOD_COLORS)
    assert {label: (to_hex(line.get_color()), line.get_alpha(), line.get_linewidth())
            for label, line in lines.items()} == {
        "_bas-s1": (blue, 0.4, 0.8), "_bas-s2": (blue, 0.4, 0.8), "_bas-s3": (blue, 0.4, 0.8),
        f"bas, 3 seeds{stopped}": (blue, None, 2.0),
        "_rid-s1": (red, 0.4, 0.8), "_rid-s2": (red, 0.4, 0.8),
        "rid, 2 seeds\nseeds 1, 2 stopped after epoch 2 of 4": (red, None, 2.0)}
    assert np.allclose(lines[f"bas, 3 seeds{stopped}"].get_ydata(), [0.72, 0.82])
    (bas_band, _) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    heights = bas_band.get_paths()[0].vertices[:, 1]
    # ±1 sd (0.02 at both epochs) around the means 0.72 and 0.82
    assert (heights.min(), heights.max()) == pytest.approx((0.72 - 0.02, 0.82 + 0.02))
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    assert "\nbands: ±1 sd across seeds about each mean (faint lines: the seeds)\n" in (
        atoms.get_suptitle())
    assert [t.get_text() for t in atoms.legends[0].get_texts()] == [
        f"bas, 3 seeds (discrete, eb-extrapolation){stopped}",
        "rid, 2 seeds (discrete, eb-extrapolation)\nseeds 1, 2 stopped after epoch 2 of 4",
        "bar: where a stopped or failed run's line ends"]
    syn = next(ax for ax in atoms.axes if ax.get_title() == "Syn(Y:T,S)")
    mean = next(line for line in syn.get_lines() if line.get_label().startswith("bas"))
    assert np.allclose(mean.get_ydata(), [0.4, 0.4, 0.4])


def test_runs_alone_in_their_configuration_add_nothing(tmp_path, figures):
    # no table of n = 1 "± nan"; runs of one configuration and one seed (a rerun) are no seeds
    runs = [seed_run(tmp_path / "a/x", 1, [0.5]), seed_run(tmp_path / "b/x", 1, [0.6]),
            seed_run(tmp_path / "rid", 1, [0.7], method="rid")]
    report = write_report(runs, out_dir=tmp_path / "rep").read_text()
    assert "±" not in report and "##" not in report
    accuracy = next(fig for title, fig in figures.items() if title.startswith("Student"))
    assert [t.get_text() for t in accuracy.legends[0].get_texts()] == [
        *(f"{name}\nstopped after epoch 1 of 4" for name in ("a/x", "b/x", "rid")),
        "bar: where a stopped or failed run's line ends"]


def test_groups_of_one_method_are_named_by_what_tells_them_apart(tmp_path):
    runs = [seed_run(tmp_path / f"{teacher}-s{seed}", seed, [0.5 + seed / 10], teacher=teacher)
            for teacher in ("trained", "untrained") for seed in (1, 2)]
    assert [row.split(" | ")[0] for row in group_rows(group_table(load_runs(runs)))] == [
        "| bas, teacher.source=trained", "| bas, teacher.source=untrained"]


def test_the_teachers_own_run_folder_is_skipped_beside_students(tmp_path, capsys, seeds):
    # runs/* took in the teacher cache (method teacher): a student row and a line at 0.99
    teacher = seed_run(tmp_path / "runs/teacher-digits-s0", 0, [0.99], method="teacher")
    out_dir = tmp_path / "rep"
    assert main(["report", str(teacher), *map(str, seeds[:2]), "--out", str(out_dir)]) == 0
    out, err = capsys.readouterr()
    assert err == (f"pidkit-distill report: warning: skipped the teacher's run folder {teacher} "
                   "(method teacher): not a student; its accuracy is the teacher acc column\n")
    assert "teacher-digits-s0" not in out + (out_dir / "report.md").read_text()
    assert main(["report", str(teacher), "--out", str(out_dir)]) == 0  # alone: it is the run
    out, err = capsys.readouterr()
    assert err == "" and "| teacher-digits-s0 | synthetic | teacher |" in out


def test_reruns_of_a_seed_are_counted_once_and_the_group_stays(tmp_path, capsys, figures):
    # rid seeds 1, 2 beside r1, r2 and w2, three runs of seed 0 with the same results (a rerun,
    # another --data.num_workers): no rid row at all, silently, as no seed was unique
    runs = [seed_run(tmp_path / f"runs/{name}", seed, [0.60, acc], method="rid")
            for name, seed, acc in (("r1", 0, 0.66), ("r2", 0, 0.66), ("rid-s1", 1, 0.70),
                                    ("rid-s2", 2, 0.74), ("w2", 0, 0.66))]
    config = json.loads((runs[-1] / "config.json").read_text())
    config["data"]["num_workers"] = 2
    (runs[-1] / "config.json").write_text(json.dumps(config))
    out_dir = tmp_path / "rep"
    assert main(["report", *map(str, runs), "--out", str(out_dir)]) == 0
    out = capsys.readouterr().out
    (row,) = group_rows(out)
    assert row.startswith("| rid | synthetic | rid | untrained | 2/4 | 3 (0, 1, 2) | "
                          "0.7000 ± 0.0400 (0.6600, 0.7000, 0.7400) | ")
    assert "\nrid: r2 and w2 rerun seed 0 (r1) with the same accuracy and atoms: counted once.\n" \
        in out
    assert out.index("| group |") < out.index("| run |")  # the seeds table is printed first
    assert "| r2 | synthetic | rid | untrained | 2/4 |" in out  # each run keeps its row
    accuracy = next(fig for title, fig in figures.items() if title.startswith("Student"))
    rid = "rid, 3 seeds\nseeds 0, 1, 2 stopped after epoch 2 of 4"  # of their 4 epochs
    assert [t.get_text() for t in accuracy.legends[0].get_texts()] == [
        rid, "bar: where a stopped or failed run's line ends"]
    assert sorted(line.get_label() for line in accuracy.axes[0].get_lines()
                  if line.get_color() != "black") == ["_r1", "_rid-s1", "_rid-s2", rid]


def test_a_rerun_of_other_results_is_kept_apart_and_said(tmp_path):
    # seed 0 twice with different accuracies (nondeterministic kernels): not both in the mean
    runs = [seed_run(tmp_path / name, seed, accs, method="rid")
            for name, seed, accs in (("a0", 0, [0.6, 0.66]), ("a1", 1, [0.6, 0.70]),
                                     ("b0", 0, [0.6, 0.68]), ("k0", 0, [0.6]))]
    table = group_table(load_runs(runs))
    (row,) = group_rows(table)
    assert "| 2 (0, 1) | 0.6800 ± 0.0283 (0.6600, 0.7000) |" in row
    assert table.endswith(
        "\n\nrid: k0 reruns seed 0 (a0) with the same accuracy and atoms: counted once.\n\n"
        "rid: b0 reruns seed 0 (a0) with other results (nondeterministic GPU kernels, or another "
        "version of the code): the mean counts a0 only, and b0 has a row and a line of its own.")
    report = write_report(runs, out_dir=tmp_path / "rep").read_text()
    assert "| b0 | synthetic | rid |" in report


def test_a_seed_without_an_audit_leaves_the_atoms_empty_and_says_why(tmp_path, figures):
    # the layer cell said 1 and every other audit cell was empty, with no word of why; the PID
    # figure's legend said "mean only of the epochs all seeds have" over no mean at all
    runs = [seed_run(tmp_path / f"s{seed}", seed, [0.5, 0.6]) for seed in (1, 2, 3)]
    (runs[2] / "audit.jsonl").write_text("")
    (row,) = group_rows(group_table(load_runs(runs)))
    assert row.endswith("| 1 |  | no audit of layer 1 at an epoch all seeds have (s3: none) "
                        "|  |  |  |  |")
    write_report(runs, out_dir=tmp_path / "rep")
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    assert [t.get_text() for t in atoms.legends[0].get_texts()] == [
        "bas, 3 seeds (discrete, eb-extrapolation)\nno mean: no audit epoch that all seeds have"
        "\nseeds 1, 2, 3 stopped after epoch 2 of 4", "bar: where a stopped or failed run's line ends"]


def test_runs_kept_apart_by_a_key_an_older_config_lacks_are_said(tmp_path):
    # an older version wrote no run.amp: its seed was left out of the group, silently
    runs = [seed_run(tmp_path / f"s{seed}", seed, [0.5, 0.6 + seed / 100]) for seed in (1, 2, 3)]
    as_an_older_version_wrote_it(runs[0])
    table = group_table(load_runs(runs))
    assert [row.split(" | ")[0] for row in group_rows(table)] == ["| bas, run.amp=false"]
    assert table.endswith(f"\n\n{S1_KEPT_APART}")
    assert group_table(load_runs(runs[:2])) == S1_KEPT_APART.replace(
        "bas, run.amp=false, 2 seeds", "s2")


def test_seeds_whose_atoms_were_estimated_differently_are_not_averaged(tmp_path):
    # the mean mixed one seed's plug-in bits with the others' corrected ones, under the
    # estimate of the first seed
    runs = [seed_run(tmp_path / f"s{seed}", seed, [0.5, 0.6]) for seed in (1, 2, 3)]
    records = [json.loads(line) for line in (runs[2] / "audit.jsonl").read_text().splitlines()]
    for record in records:
        record["bias_correction"] = {"method": "none", "negative": []}
    (runs[2] / "audit.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (row,) = group_rows(group_table(load_runs(runs)))
    assert row.endswith("| 1 | 2 | discrete, eb-extrapolation (s1, s2); discrete, plug-in (s3): "
                        "not averaged |  |  |  |  |")


def test_a_seed_without_an_audit_keeps_the_note_of_runs_an_older_config_kept_apart(tmp_path):
    # the names of the seeds without an audit replaced the note under the table: it ended
    # "\n\ns3", and nothing said why s1 was kept apart
    runs = [seed_run(tmp_path / f"s{seed}", seed, [0.5, 0.6]) for seed in (1, 2, 3)]
    as_an_older_version_wrote_it(runs[0])
    (runs[2] / "audit.jsonl").write_text("")
    table = group_table(load_runs(runs))
    (row,) = group_rows(table)
    assert "| no audit of layer 1 at an epoch all seeds have (s3: none) |" in row
    assert table.endswith(f"\n\n{S1_KEPT_APART}")


def test_runs_only_kept_apart_are_not_headed_as_experiments_of_several_seeds(tmp_path):
    # with one seed per experiment report.md headed the paragraph on runs kept apart by a key
    # an older config.json lacks "Experiments run with several seeds", over no such experiment
    runs = [seed_run(tmp_path / f"s{seed}", seed, [0.5, 0.6]) for seed in (1, 2)]
    as_an_older_version_wrote_it(runs[0])
    text = write_report(runs, out_dir=tmp_path / "rep").read_text()
    assert "several seeds" not in text
    kept_apart = S1_KEPT_APART.replace("bas, run.amp=false, 2 seeds", "s2")
    assert (f"\n## Runs kept apart by a key an older config.json lacks\n\n{kept_apart}\n\n"
            "## Each run\n") in text
    runs.append(seed_run(tmp_path / "s3", 3, [0.5, 0.6]))
    text = write_report(runs, out_dir=tmp_path / "rep").read_text()
    assert "\n## Experiments run with several seeds\n\n| group |" in text
    assert "## Runs kept apart" not in text


def test_a_seed_missing_one_accuracy_has_its_best_of_the_others(tmp_path):
    # a seed whose metrics.jsonl has a null (or NaN) test_acc at one epoch had no best accuracy
    # in the group table ("-", and "1 of 2 seeds"): its maximum over the epochs was NaN
    runs = [seed_run(tmp_path / "s1", 1, [0.70, None]), seed_run(tmp_path / "s2", 2, [0.72, 0.80])]
    (row,) = group_rows(group_table(load_runs(runs)))
    assert ("| 2/4 | 2 (1, 2) | 0.8000 (-, 0.8000; 1 of 2 seeds) | "
            "0.7500 ± 0.0707 (0.7000, 0.8000) | 1 | 2 |") in row


def trained_in(run: Path, out_dir: str) -> Path:
    """``run`` as trained with ``run.out_dir = out_dir`` (as written on the command line)."""
    config = json.loads((run / "config.json").read_text())
    config["run"]["out_dir"] = out_dir
    (run / "config.json").write_text(json.dumps(config))
    return run


def test_seeds_of_one_teacher_file_spelt_differently_are_one_experiment(tmp_path, monkeypatch):
    # the same teacher.pt given as a relative path, as ./path and in full made three
    # experiments of one seed each: no mean ± sd, and no row at all. A relative path is the
    # trainer's, from the folder it ran in (`cd proj; pidkit-distill train --out-dir runs`),
    # which run.out_dir/run.name tells from the run folder's place; the report runs elsewhere.
    proj, other = tmp_path / "proj", tmp_path / "other"
    spellings = ["t/teacher.pt", "./t/teacher.pt", str(proj / "t/teacher.pt")]
    runs = [trained_in(seed_run(proj / "runs" / f"s{seed}", seed, [0.5 + seed / 10],
                                teacher=teacher), "runs")
            for seed, teacher in enumerate(spellings, 1)]
    # another project's teacher of the same relative name: another teacher, another experiment
    runs += [trained_in(seed_run(other / "runs" / f"o{seed}", seed, [0.1 + seed / 10],
                                 teacher="t/teacher.pt"), "./runs") for seed in (3, 4)]
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # where t/teacher.pt names neither teacher
    here = Path(os.path.realpath(tmp_path))  # links followed (macOS's /var is /private/var)
    rows = [row.split(" | ") for row in group_rows(group_table(load_runs(runs)))]
    assert [(row[0], row[6]) for row in rows] == [
        (f"| bas, teacher.source={here / 'proj/t/teacher.pt'}",
         "0.7000 ± 0.1000 (0.6000, 0.7000, 0.8000)"),
        (f"| bas, teacher.source={here / 'other/t/teacher.pt'}", "0.4500 ± 0.0707 (0.4000, 0.5000)")]


def test_a_relative_teacher_file_of_a_run_moved_from_its_out_dir_is_kept_as_written(tmp_path,
                                                                                   monkeypatch):
    # where the run folder is no longer at run.out_dir/run.name (seed_run's out_dir is
    # "elsewhere"), the folder training ran in is not known: a relative teacher.source is not
    # taken from the report's folder (which made two teachers one, and labels of files that
    # never were), it is compared and shown as written
    monkeypatch.chdir(tmp_path)
    runs = [seed_run(tmp_path / f"s{seed}", seed, [0.5 + seed / 10], teacher="./t//teacher.pt")
            for seed in (1, 2)]
    runs += [seed_run(tmp_path / f"a{seed}", seed, [0.2 + seed / 10],
                      teacher=str(tmp_path / "t/teacher.pt")) for seed in (1, 2)]
    rows = [row.split(" | ") for row in group_rows(group_table(load_runs(runs)))]
    assert [(row[0], row[6]) for row in rows] == [
        ("| bas, teacher.source=t/teacher.pt", "0.6500 ± 0.0707 (0.6000, 0.7000)"),
        (f"| bas, teacher.source={os.path.realpath(tmp_path / 't/teacher.pt')}",
         "0.3500 ± 0.0707 (0.3000, 0.4000)")]


def with_settings(run: Path, **settings) -> Path:
    """``run`` with the ``config.json`` settings ``section__key=value`` changed."""
    config = json.loads((run / "config.json").read_text())
    for dotted, value in settings.items():
        section, key = dotted.split("__")
        config[section][key] = value
    (run / "config.json").write_text(json.dumps(config))
    return run


@pytest.mark.parametrize(("teacher", "first", "second"), [
    ("file", {"teacher__epochs": 30, "teacher__lr": 0.05}, {"teacher__epochs": 5, "teacher__lr": 0.1}),
    ("file", {"teacher__seed": 0}, {"teacher__seed": 7}),
    ("untrained", {"teacher__epochs": 30}, {"teacher__epochs": 5}),
    ("untrained", {"run__audit_every": 0, "audit__clusters": 10},
     {"run__audit_every": 0, "audit__clusters": 3}),
    ("untrained", {"optim__schedule": "constant", "optim__gamma": 0.2},
     {"optim__schedule": "constant", "optim__gamma": 0.5, "optim__milestones": [0.3]}),
], ids=["teacher-file-epochs-lr", "teacher-file-seed", "untrained-epochs", "no-audit",
        "constant-schedule"])
def test_seeds_differing_only_in_a_setting_that_did_not_affect_them_are_one_experiment(
        tmp_path, teacher, first, second):
    # a teacher read from a file was never trained, so its teacher.epochs made two "experiments"
    # of one seed each (labelled bas, teacher.epochs=30 and bas, teacher.epochs=5), with no mean
    source = str(tmp_path / "t.pt") if teacher == "file" else teacher
    runs = [with_settings(seed_run(tmp_path / f"s{seed}", seed, [0.5, acc], teacher=source),
                          **settings)
            for seed, acc, settings in ((1, 0.6, first), (2, 0.8, second))]
    (row,) = [row.split(" | ") for row in group_rows(group_table(load_runs(runs)))]
    assert (row[0], row[5], row[6]) == ("| bas", "2 (1, 2)", "0.7000 ± 0.1414 (0.6000, 0.8000)")


@pytest.mark.parametrize(("teacher", "settings"), [
    ("untrained", {"teacher__seed": 7}), ("trained", {"teacher__epochs": 5}),
    ("untrained", {"audit__clusters": 3}), ("untrained", {"optim__gamma": 0.5})])
def test_a_setting_that_did_affect_the_seeds_keeps_them_apart(tmp_path, teacher, settings):
    audited = {"run__audit_every": 1}  # tiny's runs audit nothing
    runs = [with_settings(seed_run(tmp_path / "s1", 1, [0.6], teacher=teacher), **audited),
            with_settings(seed_run(tmp_path / "s2", 2, [0.8], teacher=teacher), **audited,
                          **settings)]
    assert group_table(load_runs(runs)) == ""


def test_a_seed_run_without_its_audit_joins_the_one_experiment_it_can_be_a_seed_of(tmp_path):
    # run.audit_every is bookkeeping: a seed run with --audit-every 0 joins its experiment even
    # where its unused audit settings differ; beside two experiments of other audit settings it
    # could be a seed of either, and stays alone, not said to be an older version's
    def run(seed: int, clusters: int, audit_every: int = 1) -> Path:
        return with_settings(seed_run(tmp_path / f"c{clusters}-s{seed}", seed, [0.5 + seed / 10]),
                             audit__clusters=clusters, run__audit_every=audit_every)

    unaudited, tens, twenties = run(1, 3, 0), [run(2, 10), run(3, 10)], [run(4, 20), run(5, 20)]
    (row,) = group_rows(group_table(load_runs([unaudited, *tens])))
    assert row.startswith("| bas | synthetic | bas | untrained | 1/4 | 3 (1, 2, 3) | ")
    table = group_table(load_runs([unaudited, *tens, *twenties]))
    assert [row.split(" | ")[:6] for row in group_rows(table)] == [
        ["| bas, audit.clusters=10", "synthetic", "bas", "untrained", "1/4", "2 (2, 3)"],
        ["| bas, audit.clusters=20", "synthetic", "bas", "untrained", "1/4", "2 (4, 5)"]]
    assert "kept apart" not in table and "c3-s1" not in table


def test_seeds_whose_config_spelt_the_method_in_capitals_are_one_experiment(tmp_path):
    # a run written before configurations held names lower-cased records the name as typed
    # (--method RID): its seeds and those of 'rid' made two rows of one experiment
    runs = [seed_run(tmp_path / "runs/rid-s1", 1, [0.60, 0.70], method="RID"),
            seed_run(tmp_path / "runs/rid-s2", 2, [0.62, 0.74], method="rid")]
    rows = group_rows(write_report(runs, out_dir=tmp_path / "rep").read_text())
    assert [row.split(" | ")[0] for row in rows] == ["| rid"]
    assert "2 (1, 2) | 0.7200 ± 0.0283 (0.7000, 0.7400)" in rows[0]


def test_an_audit_of_an_epoch_beyond_metrics_jsonl_is_not_read(tmp_path):
    # A run killed while writing its checkpoint has the epoch's audit in audit.jsonl but not its
    # line in metrics.jsonl (a resume trains that epoch again): the row said `3/4` epochs and
    # `audit epoch 4`, and the group averaged the atoms of epoch 4 with the accuracy of epoch 3
    killed = seed_run(tmp_path / "runs/bas-s1", 1, [0.70, 0.80, 0.84], syn=0.3)
    (killed / "metrics.jsonl").write_text("".join(
        (killed / "metrics.jsonl").read_text().splitlines(keepends=True)[:2]))
    records = [json.loads(line) for line in (killed / "audit.jsonl").read_text().splitlines()]
    for record in records:
        record["syn"] = 0.9 if record["epoch"] == 3 else record["syn"]
    (killed / "audit.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    whole = seed_run(tmp_path / "runs/bas-s2", 2, [0.72, 0.82, 0.86], syn=0.5)
    runs = load_runs([killed, whole])
    assert sorted({record["epoch"] for record in runs[0].audit}) == [0, 1, 2]
    cells = [cell.strip() for cell in group_rows(group_table(runs))[0].split("|")]
    assert (cells[5], cells[10], cells[-2]) == (
        "2/4 (seeds reached 2, 3)", "2", "0.400 ± 0.141 (0.300, 0.500)")
