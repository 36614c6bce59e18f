"""The report's figures with many experiments: 40 runs' legend stays inside the saved figure,
off the plots and the title, as does a legend of long labels (wrapped; on a figure too narrow,
widened); and each round of colours has a marker shape of its own that no one takes for the
cross of a solve that failed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import test_report
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from test_report import fake_run

from pidkit_distill import write_report
from pidkit_distill.report.figure_legend import place_legend
from pidkit_distill.report.figure_looks import SHAPES

figures = test_report.figures  # the fixture: the figures a report saves, by title


# The figures' sizes in inches, by the first line of their titles, for a lone run: the PID
# figures' 0.3 inch for each of their title's five lines (one says that the bands hold the KMeans
# clustering fixed, as fake_run's records are of one seed) above 5.4 and 5.2 inches of panels.
SIZES = {"Student accuracy on the held-out set": (8.5, 4.5),
         "PID of (Y, T, S), innermost distilled layer (layer 1), held-out set": (13, 6.9),
         "PID of (Y, T, S) per layer": (12.8, 6.7)}


def _drawn(fig):
    """``fig`` drawn; its legend's box, the box of all its panels (tick labels too), the
    number of the legend's columns and the renderer."""
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    (legend,) = fig.legends
    panels = Bbox.union([ax.get_tightbbox(renderer) for ax in fig.axes])
    columns = len({round(text.get_window_extent(renderer).x0) for text in legend.get_texts()})
    return legend.get_window_extent(renderer), panels, columns, renderer


def test_the_legend_of_40_experiments_stays_inside_the_figure(tmp_path, figures):
    # beyond some 30 runs the one-column legend beside the plots ran off the figure's top and
    # bottom (entries 0-3 and 36-39 of pid_atoms.png were cut), and over the title's lines
    runs = [fake_run(tmp_path / f"digits-rid-tt-s{i}", epochs=1, planned=1) for i in range(40)]
    write_report(runs, out_dir=tmp_path / "rep")
    assert len(figures) == 3
    for title, fig in figures.items():
        box, panels, columns, renderer = _drawn(fig)
        assert len(fig.legends[0].get_texts()) == 40, title
        assert (box.x0 >= 0 and box.y0 >= 0 and box.x1 <= fig.bbox.width
                and box.y1 <= fig.bbox.height), (title, box.bounds, fig.bbox.bounds)
        texts = [text for text in fig.findobj(Text) if text.get_text() == fig.get_suptitle()]
        assert not any(box.overlaps(text.get_window_extent(renderer)) for text in texts), title
        # below the plots, in columns; the figure taller by the legend's height
        assert box.y1 <= panels.y0 and columns > 1, title
        width, height = SIZES[title.split("\n")[0]]
        assert fig.get_size_inches()[0] == pytest.approx(width)
        assert fig.get_size_inches()[1] == pytest.approx(height + box.height / fig.dpi), title


def test_a_dozen_experiments_keep_their_legend_beside_the_plots(tmp_path, figures):
    runs = [fake_run(tmp_path / f"s{i}", epochs=1, planned=1) for i in range(12)]
    write_report(runs, out_dir=tmp_path / "rep")
    for title, fig in figures.items():
        box, panels, columns, _ = _drawn(fig)
        assert box.x0 >= panels.x1 and columns == 1, title
        assert tuple(fig.get_size_inches()) == pytest.approx(SIZES[title.split("\n")[0]])


def _shape(marker: str, degrees: float = 0) -> np.ndarray:
    """Which points of an 81 x 81 grid over ``marker``'s bounding square (turned by
    ``degrees``) its filled shape covers."""
    style = MarkerStyle(marker)
    path = style.get_path().transformed(style.get_transform())
    box = path.get_extents()
    grid = np.linspace(-0.5, 0.5, 81)
    points = np.stack(np.meshgrid(grid, grid), axis=-1).reshape(-1, 2)
    turn = np.radians(degrees)
    points = points @ np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    return path.contains_points(points * max(box.width, box.height)
                                + [box.x0 + box.width / 2, box.y0 + box.height / 2])


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def test_each_round_of_colours_has_a_distinct_marker_shape_and_none_is_a_cross():
    # the fifth round's filled plus "P" read as the cross of a solve not certified, or failed
    # ("X": 0.87 of the same area once turned by 45 degrees; every other shape 0.69 at most)
    cross = _shape("X")
    crosses = {marker: round(max(_overlap(_shape(marker, degrees), cross)
                                 for degrees in range(0, 90, 5)), 2) for marker in SHAPES}
    assert max(crosses.values()) < 0.8, crosses
    assert len(set(SHAPES)) == len(SHAPES) == 10 and "s" not in SHAPES  # squares: Gaussian
    same = [(a, b, round(_overlap(_shape(a), _shape(b)), 2))
            for i, a in enumerate(SHAPES) for b in SHAPES[i + 1:]]
    assert [pair for pair in same if pair[2] >= 0.9] == [], same


def test_a_legend_of_long_names_goes_below_the_plots_and_leaves_them_the_width(
        tmp_path, figures):
    # two runs of 60-character names (a sweep's) had their one column beside the plots: 64% of
    # accuracy.png's width, its plot squeezed into a third of the figure
    runs = [fake_run(tmp_path / f"s{i}-{'x' * 57}", epochs=1) for i in range(2)]
    write_report(runs, out_dir=tmp_path / "rep")
    for title, fig in figures.items():
        box, panels, _, _ = _drawn(fig)
        assert box.y1 <= panels.y0 and box.x0 >= 0 and box.x1 <= fig.bbox.width, title
        assert panels.width >= 0.9 * fig.bbox.width, (title, panels.width, fig.bbox.width)
        width, height = SIZES[title.split("\n")[0]]
        assert tuple(fig.get_size_inches()) == pytest.approx(
            (width, height + box.height / fig.dpi)), title


def test_no_later_round_has_a_marker_shaped_like_the_first_rounds_circle():
    # the eighth and ninth rounds' pentagon "p" and hexagon "h" covered 0.81 and 0.82 of the
    # circle's area: at the markers' 5 points all three were round dots
    circle = _shape("o")
    like = {str(marker): round(_overlap(_shape(marker), circle), 2) for marker in SHAPES[1:]}
    assert max(like.values()) < 0.7, like


def _legend_of(experiments: int) -> Figure:
    """A figure of ``experiments`` lines and a cross after them, its legend placed."""
    fig = Figure(figsize=(8.5, 4.5), layout="constrained")
    ax = fig.subplots()
    for i in range(experiments):
        ax.plot([1, 2], [i, i + 1], label=f"run-{i}")
    ax.plot([1], [0], marker="x", linestyle="none", label="solve NOT certified")
    place_legend(fig, *ax.get_legend_handles_labels(), experiments=experiments)
    return fig


def test_a_legend_names_the_first_hundred_experiments_and_says_how_many_there_are():
    # 1000 runs of 60-character names made accuracy.png 1020 x 49422 pixels (a 400-inch legend
    # of every run)
    sizes = []
    for experiments in (150, 1000):
        fig = _legend_of(experiments)
        (legend,) = fig.legends
        labels = [text.get_text() for text in legend.get_texts()]
        assert labels == [*(f"run-{i}" for i in range(100)), "solve NOT certified"]
        assert legend.get_title().get_text() == (
            f"the first 100 of {experiments} experiments (report.md's tables name every run)")
        sizes.append(tuple(fig.get_size_inches()))
    assert sizes[0] == sizes[1] and sizes[0][1] < 12, sizes
    fig = _legend_of(100)  # a hundred: all, untitled
    assert len(fig.legends[0].get_texts()) == 101 and not fig.legends[0].get_title().get_text()


# The settings of a sweep's experiments of one method (a user's runs a/a1 and b/b1): each
# group's label lists them all, "bas, data.batch_size=64, optim.lr=0.05, ..., 2 seeds"
SWEEP = [{"data.batch_size": 64, "optim.lr": 0.05, "optim.momentum": 0.9,
          "optim.weight_decay": 0.0005, "optim.schedule": "paper", "optim.grad_clip": 100.0},
         {"data.batch_size": 32, "optim.lr": 0.1, "optim.momentum": 0.8,
          "optim.weight_decay": 0.001, "optim.schedule": "constant", "optim.grad_clip": 10.0},
         {"data.batch_size": 16, "optim.lr": 0.2, "optim.momentum": 0.7,
          "optim.weight_decay": 0.01, "optim.schedule": "constant", "optim.grad_clip": 20.0},
         {"data.batch_size": 8, "optim.lr": 0.3, "optim.momentum": 0.5,
          "optim.weight_decay": 0.1, "optim.schedule": "constant", "optim.grad_clip": 30.0}]


def _sweep_runs(folder: Path, settings: list[dict[str, object]]) -> list[Path]:
    """Two seeds of bas for each of ``settings`` (``section.key``: value), in ``folder``."""
    runs = []
    for i, setting in enumerate(settings):
        for seed in (0, 1):
            path = fake_run(folder / f"g{i}-s{seed}", epochs=2, planned=2)
            config = json.loads((path / "config.json").read_text())
            config["run"]["seed"] = seed
            for key, value in setting.items():
                section, name = key.split(".")
                config[section][name] = value
            (path / "config.json").write_text(json.dumps(config))
            runs.append(path)
    return runs


def _assert_whole_legend_inside(title: str, fig: Figure, settings: list[dict[str, object]],
                                lone: int = 0) -> None:
    """Every entry of ``fig``'s legend, its key and its label (``lone`` runs' names, then every
    setting of each group's), inside the saved figure; the figure as wide as it was."""
    box, panels, _, renderer = _drawn(fig)
    (legend,) = fig.legends
    inside = [box, *(artist.get_window_extent(renderer)
                     for artist in [*legend.get_texts(), *legend.legend_handles])]
    assert all(part.x0 >= 0 and part.y0 >= 0 and part.x1 <= fig.bbox.width
               and part.y1 <= fig.bbox.height for part in inside), (
        title, [part.bounds for part in inside], fig.bbox.bounds)
    assert box.y1 <= panels.y0, title
    texts = [text.get_text().replace("\n", " ") for text in legend.get_texts()]
    groups = texts[lone:lone + len(settings)]
    assert len(groups) == len(settings) and all(
        text.startswith("bas, ") and ", 2 seeds" in text
        and all(f"{key}={value}" in text for key, value in setting.items())
        for text, setting in zip(groups, settings, strict=True)), (title, texts)
    assert fig.get_size_inches()[0] == pytest.approx(SIZES[title.split("\n")[0]][0]), title


def test_labels_listing_many_settings_are_wrapped_inside_the_figure(tmp_path, figures):
    # two groups of seeds apart in six settings: the legend's one column, centred below the
    # plot, was wider than accuracy.png, its keys and "bas, data.ba" cut on the left
    settings = SWEEP[:2]
    write_report(_sweep_runs(tmp_path / "runs", settings), out_dir=tmp_path / "rep")
    assert len(figures) == 3
    for title, fig in figures.items():
        _assert_whole_legend_inside(title, fig, settings)
        assert any("\n" in text.get_text() for text in fig.legends[0].get_texts()), title


def test_a_mixed_legend_of_eleven_entries_keeps_its_short_entries_and_keys(tmp_path, figures):
    # seven lone runs above four groups of long labels: the short entries and the keys of
    # pid_atoms.png ("trd", "ed" left of digits-itrd, digits-ted) fell off the left edge
    names = [f"digits-{method}-ut-s0" for method in ("bas", "kd", "vid", "ted", "itrd", "rid",
                                                      "crd")]
    lone = [fake_run(tmp_path / "runs_c" / name, epochs=2, planned=2) for name in names]
    write_report([*lone, *_sweep_runs(tmp_path / "runs_d", SWEEP)], out_dir=tmp_path / "rep")
    for title, fig in figures.items():
        _assert_whole_legend_inside(title, fig, SWEEP, lone=len(names))
        texts = [text.get_text() for text in fig.legends[0].get_texts()]
        assert [text.split(" ")[0] for text in texts[:len(names)]] == names, title


def test_a_figure_too_narrow_for_a_wrapped_legend_is_made_wider():
    fig = Figure(figsize=(1.5, 2), layout="constrained")
    ax = fig.subplots()
    label = "bas, " + ", ".join(f"{key}={value}" for key, value in SWEEP[0].items())
    ax.plot([1, 2], [0, 1], label=label)
    place_legend(fig, *ax.get_legend_handles_labels())
    box, _, _, _ = _drawn(fig)
    assert fig.get_size_inches()[0] > 1.5
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width, (box.bounds, fig.bbox.bounds)
    (text,) = fig.legends[0].get_texts()
    assert "".join(text.get_text().split()) == "".join(label.split())  # broken, whole
    assert max(len(line) for line in text.get_text().split("\n")) <= 20


# The dash pattern of each line style but the solid one, in line widths (matplotlib scales it
# by the line's width: rcParams["lines.scale_dashes"]).
_PATTERNS = {"--": "lines.dashed_pattern", "-.": "lines.dashdot_pattern",
             ":": "lines.dotted_pattern"}


def test_every_legend_key_is_long_enough_to_show_its_line_style(tmp_path, figures):
    # a teacher from a file is dash-dot; its key, 2 font sizes (20 pt) long, showed one dash,
    # the marker over the dot and a short dash: read as dashed, an untrained teacher's. A dash-dot
    # period is 15.9 pt at a lone run's width (1.5) and 21.2 pt at a mean's (2), longer than the
    # key: its dot never showed. Each key now shows two periods of its pattern at least.
    from matplotlib import rcParams

    teacher = tmp_path / "teacher.pt"
    teacher.write_bytes(b"")
    runs = [fake_run(tmp_path / "digits-bas-tt-s0", epochs=2, teacher="trained"),
            fake_run(tmp_path / "digits-bas-ut-s0", epochs=2, teacher="untrained"),
            fake_run(tmp_path / "digits-vid-tp-s0", epochs=2, teacher=str(teacher))]
    for seed in (0, 1):  # a mean of two seeds, drawn wider
        path = fake_run(tmp_path / f"digits-kd-tp-s{seed}", epochs=2, teacher=str(teacher))
        config = json.loads((path / "config.json").read_text())
        config["run"]["seed"] = seed
        (path / "config.json").write_text(json.dumps(config))
        runs.append(path)
    write_report(runs, out_dir=tmp_path / "rep")
    assert len(figures) == 3 and rcParams["lines.scale_dashes"]
    for title, fig in figures.items():
        _drawn(fig)
        keys = fig.legends[0].legend_handles
        assert {"-", "--", "-."} <= {key.get_linestyle() for key in keys}, title
        shown = [(key.get_label(), round(np.ptp(key.get_xdata()) / (
            sum(rcParams[_PATTERNS[key.get_linestyle()]]) * key.get_linewidth()), 2))
            for key in keys if key.get_linestyle() in _PATTERNS]
        assert min(periods for _, periods in shown) >= 2, (title, shown)
