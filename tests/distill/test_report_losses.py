"""The report draws each run's training loss and its terms over epochs, ``losses.png`` (walk
t-467 L6): accuracy.png and the PID figures showed nothing of the loss, although metrics.jsonl
records it and each loss term of the method, so a term that went flat, exploded or dominated
was seen only by reading the JSON lines."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import test_report
from test_report_seeds import seed_run
from tiny_runs import tiny

from pidkit_distill import train, write_report
from pidkit_distill.report import RunRecords, load_runs
from pidkit_distill.report.figure_lines import ENDED, SPREAD, run_lines
from pidkit_distill.report.figure_losses import plot_losses
from pidkit_distill.report.figures import draw_figures
from pidkit_distill.run_folders.groups import RunGroup, group_runs
from pidkit_distill.run_folders.records import with_distinct_names

figures = test_report.figures  # the fixture: the figures drawn, by title, as saved

TOTAL_TITLE = "total loss (train_loss)"


def loss_run(path: Path, seed: int, losses: list[dict[str, float | None] | None], *,
             method: str = "bas", totals: list[float | None] | None = None) -> Path:
    """A run of ``method`` and ``seed`` of 4 planned epochs whose epochs 1, 2, ... recorded the
    loss terms ``losses`` (``None``: a record without terms, an older version's) and the total
    ``totals`` (default: each epoch's terms summed)."""
    seed_run(path, seed, [0.5] * len(losses), method=method)
    (path / "audit.jsonl").write_text("")  # no PID figure: this file's figure is losses.png
    totals = totals or [sum(terms.values()) for terms in losses]
    records = [{"epoch": epoch, "test_acc": 0.5, "train_loss": total,
                **({} if terms is None else {"train_losses": terms})}
               for epoch, (terms, total) in enumerate(zip(losses, totals, strict=True), 1)]
    (path / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def drawn(paths: list[Path], states: dict[str, str] | None = None) -> dict[str, bytes]:
    """The figures of the run folders ``paths``, each run in the state ``states`` gives it."""
    return draw_figures(group_runs(with_distinct_names(load_runs([str(p) for p in paths]))),
                        states)


def losses_figure(figures):
    return next(fig for title, fig in figures.items() if title.startswith("Training loss"))


def panels(fig) -> dict[str, object]:
    """The panels of ``fig``, by title."""
    return {ax.get_title(): ax for ax in fig.axes}


def lines_of(ax) -> dict[str, list[float]]:
    """The lines of ``ax`` that hold values, by label (a seed's begins with ``_``)."""
    return {line.get_label(): np.asarray(line.get_ydata(), dtype=float).tolist()
            for line in ax.get_lines() if len(line.get_xdata()) and line.get_marker() != "|"}


def legend(fig) -> list[str]:
    return [text.get_text() for text in fig.legends[0].get_texts()]


@pytest.mark.usefixtures("one_torch_thread")
def test_a_report_of_two_trained_methods_draws_each_term_as_metrics_jsonl_records_it(
        tmp_path, figures):
    runs = [train(tiny(tmp_path, "run.epochs=3", f"method.name={method}")).run_dir
            for method in ("kd", "bas")]
    report = write_report(runs, out_dir=tmp_path / "report")
    assert (report.parent / "losses.png").read_bytes()[:4] == b"\x89PNG"
    assert "![training loss and its terms](losses.png)" in report.read_text()
    fig = losses_figure(figures)
    assert list(panels(fig)) == [TOTAL_TITLE, "term ce", "term kd (kd runs only)"]
    records = {Path(run).name: [json.loads(line) for line in
                                (Path(run) / "metrics.jsonl").read_text().splitlines()]
               for run in runs}
    kd, bas = "synthetic-kd-ut-s0", "synthetic-bas-ut-s0"
    total, ce, kd_term = (lines_of(ax) for ax in fig.axes)
    assert total == {name: [r["train_loss"] for r in records[name]] for name in (kd, bas)}
    assert ce == {name: [r["train_losses"]["ce"] for r in records[name]] for name in (kd, bas)}
    assert kd_term == {kd: [r["train_losses"]["kd"] for r in records[kd]]}
    # the total is the sum of the terms as weighted in the loss (0.1*ce + 0.9*kd for KD)
    assert total[kd] == pytest.approx(np.add(ce[kd], kd_term[kd]).tolist(), rel=1e-6)
    assert total[bas] == pytest.approx(ce[bas], rel=1e-6)
    assert legend(fig) == [kd, bas]


def test_seeds_have_their_mean_and_terms_only_some_methods_have_a_panel_of_their_own(
        tmp_path, figures):
    vid = [{"ce": 1.4, "vid": 240.0}, {"ce": 1.2, "vid": 236.0}, {"ce": 1.0, "vid": 230.0}]
    runs = [loss_run(tmp_path / "vid-s0", 0, vid, method="vid"),
            loss_run(tmp_path / "vid-s1", 1, [{key: 2 * value for key, value in terms.items()}
                                              for terms in vid], method="vid"),
            loss_run(tmp_path / "kd", 0, [{"ce": 0.14, "kd": 0.02}, {"ce": 0.13, "kd": 0.01},
                                          {"ce": 0.12, "kd": 0.008}], method="kd")]
    drawn(runs)
    fig = losses_figure(figures)
    assert list(panels(fig)) == [TOTAL_TITLE, "term ce", "term vid (vid runs only)",
                                 "term kd (kd runs only)"]
    assert SPREAD in fig.get_suptitle()
    group = "vid, 2 seeds"
    vid_panel = lines_of(panels(fig)["term vid (vid runs only)"])
    assert vid_panel == {"_vid-s0": [240.0, 236.0, 230.0], "_vid-s1": [480.0, 472.0, 460.0],
                         group: [360.0, 354.0, 345.0]}
    total = lines_of(panels(fig)[TOTAL_TITLE])
    assert total[group] == pytest.approx([1.5 * 241.4, 1.5 * 237.2, 1.5 * 231.0])
    assert total["kd"] == pytest.approx([0.16, 0.14, 0.128])
    # the band of the mean: ±1 sample sd of the seeds' values (240 and 480 at epoch 1: 120 * √2)
    band = panels(fig)["term vid (vid runs only)"].collections[0].get_paths()[0].vertices[:, 1]
    sd = np.std([[240.0, 236.0, 230.0], [480.0, 472.0, 460.0]], axis=0, ddof=1)
    assert sd[0] == pytest.approx(120 * math.sqrt(2))
    for edge in (np.array([360.0, 354.0, 345.0]) - sd, np.array([360.0, 354.0, 345.0]) + sd):
        assert all(np.isclose(band, value).any() for value in edge)
    assert legend(fig) == [group, "kd"]
    # vid's totals (near 240) and kd's (near 0.15) span three decades: a log scale, said
    scales = {title: (ax.get_yscale(), ax.get_ylabel()) for title, ax in panels(fig).items()}
    assert scales == {TOTAL_TITLE: ("log", "loss, log scale"), "term ce": ("linear", "loss"),
                      "term vid (vid runs only)": ("linear", "loss"),
                      "term kd (kd runs only)": ("linear", "loss")}


def test_a_term_below_zero_keeps_a_linear_scale_over_decades(tmp_path, figures):
    # VID's term is a negative log-likelihood, below 0 once its variance fits: no log scale
    drawn([loss_run(tmp_path / "vid", 0, [{"ce": 1.0, "vid": 300.0}, {"ce": 0.01, "vid": -5.0}],
                    method="vid")])
    scales = {title: ax.get_yscale() for title, ax in panels(losses_figure(figures)).items()}
    assert scales == {TOTAL_TITLE: "linear", "term ce": "log", "term vid": "linear"}


def test_a_term_that_is_not_finite_is_a_gap_not_a_crash(tmp_path, figures):
    run = loss_run(tmp_path / "vid", 0, [{"ce": 1.0, "vid": 3.0}, {"ce": 0.9, "vid": None},
                                         {"ce": 0.8, "vid": 2.0}], method="vid",
                   totals=[4.0, None, 2.8])
    # an older version wrote a non-finite number as the token Infinity, read back as missing
    text = (run / "metrics.jsonl").read_text()
    (run / "metrics.jsonl").write_text(text.replace('"vid": null', '"vid": Infinity'))
    files = drawn([run])
    assert files["losses.png"][:4] == b"\x89PNG"
    found = {title: lines_of(ax)["vid"] for title, ax in panels(losses_figure(figures)).items()}
    expected = {TOTAL_TITLE: [4.0, np.nan, 2.8], "term ce": [1.0, 0.9, 0.8],
                "term vid": [3.0, np.nan, 2.0]}
    assert found.keys() == expected.keys()
    for title, values in expected.items():
        np.testing.assert_array_equal(found[title], values)  # NaN where NaN is expected


def test_nan_and_infinite_values_given_from_python_are_gaps_and_keep_a_log_scale(figures):
    # records built in Python (RunRecords) can hold float nan and inf, which load_run never gives
    config = {"method": {"name": "kd"}, "teacher": {"source": "trained"}}
    metrics = [{"epoch": 1, "train_loss": 10.0, "train_losses": {"kd": 10.0}},
               {"epoch": 2, "train_loss": math.inf, "train_losses": {"kd": math.nan}},
               {"epoch": 3, "train_loss": 0.01, "train_losses": {"kd": 0.01}}]
    groups = [RunGroup("kd", [RunRecords("kd", Path("kd"), config, metrics, [])])]
    fig = plot_losses(groups, *run_lines(groups))
    for ax in fig.axes:
        assert np.array_equal(lines_of(ax)["kd"], [10.0, np.nan, 0.01], equal_nan=True)
        assert ax.get_yscale() == "log"  # 10 / 0.01: three decades, the inf left out


def test_an_old_metrics_file_without_terms_gives_the_total_panel_only(tmp_path, figures):
    old = loss_run(tmp_path / "old", 0, [None, None], totals=[1.5, 1.2])
    drawn([old])
    fig = losses_figure(figures)
    assert list(panels(fig)) == [TOTAL_TITLE]
    assert lines_of(fig.axes[0]) == {"old": [1.5, 1.2]}
    assert ("a run whose metrics.jsonl records no terms (an older version's): its total only"
            in fig.get_suptitle())


def test_an_old_run_beside_a_new_one_is_in_the_total_panel_only(tmp_path, figures):
    old = loss_run(tmp_path / "old", 0, [None, None], totals=[1.5, 1.2])
    new = loss_run(tmp_path / "new", 0, [{"ce": 1.4, "kd": 0.1}, {"ce": 1.1, "kd": 0.05}],
                   method="kd")
    drawn([old, new])
    found = {title: sorted(lines_of(ax)) for title, ax in panels(losses_figure(figures)).items()}
    # ce, a term of both methods, has the old bas run's line only in its total
    assert found == {TOTAL_TITLE: ["new", "old"], "term ce (kd runs only)": ["new"],
                     "term kd (kd runs only)": ["new"]}


def test_a_stopped_run_says_so_and_its_lines_end_with_a_bar(tmp_path, figures):
    runs = [loss_run(tmp_path / "done", 0, [{"ce": 1.0}, {"ce": 0.9}, {"ce": 0.8}, {"ce": 0.7}]),
            loss_run(tmp_path / "stopped", 0, [{"ce": 2.0, "kd": 0.5}, {"ce": 1.5, "kd": 0.4}],
                     method="kd")]
    drawn(runs, {"done": "", "stopped": "stopped by run.stop_after"})
    fig = losses_figure(figures)
    assert legend(fig) == ["done", "stopped\nstopped after epoch 2 of 4", ENDED["label"]]
    bars = {title: [(line.get_xdata()[0], line.get_ydata()[0]) for line in ax.get_lines()
                    if line.get_label() == f"_{ENDED['label']}"]
            for title, ax in panels(fig).items()}
    assert bars == {TOTAL_TITLE: [(2, pytest.approx(1.9))], "term ce": [(2, 1.5)],
                    "term kd (kd runs only)": [(2, 0.4)]}


def test_runs_without_a_training_loss_draw_no_losses_png_and_an_earlier_one_goes(tmp_path):
    out = tmp_path / "report"
    write_report([loss_run(tmp_path / "new", 0, [{"ce": 1.0}])], out_dir=out)
    assert (out / "losses.png").is_file()
    # fake_run's metrics records have no train_loss: a rerun into the folder removes the figure
    write_report([test_report.fake_run(tmp_path / "plain", epochs=1)], out_dir=out)
    assert not (out / "losses.png").exists()
    assert "losses.png" not in (out / "report.md").read_text()
