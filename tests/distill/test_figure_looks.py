"""Each experiment's colour in the report's figures is its method's: adding an experiment
re-colours no other, the colours stay apart from the chance line's grey, the user's methods take
the colours left in name order, and a method's variants take shades of its colour."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import test_report
from matplotlib.style import library
from test_report import fake_run

from pidkit_distill import write_report
from pidkit_distill.registry import BUILTIN_NAMES
from pidkit_distill.report.figure_looks import (
    DISTINCT_LOOKS,
    METHOD_COLORS,
    PALETTE,
    SHAPES,
    experiment_looks,
    shade,
)

figures = test_report.figures  # the fixture: the figures a report saves, by title


def _run_of(path: Path, method: str, teacher: str) -> Path:
    """A fake run folder of ``method`` with a ``teacher`` of that source."""
    run = fake_run(path, epochs=2, audited=False, teacher=teacher, planned=2)
    config = json.loads((run / "config.json").read_text())
    config["method"]["name"] = method
    (run / "config.json").write_text(json.dumps(config))
    return run


def _colours(figures: dict) -> dict[str, tuple[str, str]]:
    """Each run's colour and line style in the accuracy figure, by run name (a label's first word:
    the fake runs' accuracies are the same, so labels end "(same as ...)")."""
    (accuracy,) = figures.values()
    return {line.get_label().split()[0]: (line.get_color(), line.get_linestyle())
            for line in accuracy.axes[0].get_lines() if not line.get_label().startswith("_")
            and not line.get_label().startswith("chance")}


def test_adding_an_experiment_recolours_no_other(tmp_path, figures):
    # by place among the experiments, bas, kd, rid and vid were blue, orange, red and purple; a
    # run of bas with an untrained teacher made kd red, rid purple and vid grey, beside the
    # chance line's grey
    runs = [_run_of(tmp_path / f"{method}-tt", method, "trained")
            for method in ("bas", "kd", "rid", "vid")]
    write_report(runs, out_dir=tmp_path / "four")
    four = _colours(figures)
    figures.clear()
    # as `report runs` gives them: by name, bas-ut second
    write_report([runs[0], _run_of(tmp_path / "bas-ut", "bas", "untrained"), *runs[1:]],
                 out_dir=tmp_path / "five")
    five = _colours(figures)
    blue, orange, red, purple = "#3f90da", "#ffa90e", "#bd1f01", "#832db6"
    # the untrained teacher's bas: bas's blue, dashed
    assert five == {**four, "bas-ut": (blue, "--")}
    assert four == {"bas-tt": (blue, "-"), "kd-tt": (orange, "-"), "rid-tt": (red, "-"),
                    "vid-tt": (purple, "-")}


def test_a_method_of_the_package_keeps_its_colour_whatever_else_a_report_holds():
    builtin = BUILTIN_NAMES["method"]
    assert sorted(METHOD_COLORS) == sorted(builtin)
    assert len(set(METHOD_COLORS.values())) == len(METHOD_COLORS)
    for method in builtin:
        others = [name for name in builtin if name != method] + ["mine"]
        for size in range(len(others) + 1):
            for company in combinations(others, size):
                for place in (0, size):  # first or last in the legend
                    methods = [*company[:place], method, *company[place:]]
                    looks = experiment_looks(methods, ["-"] * len(methods))
                    assert looks[place] == (METHOD_COLORS[method], 0), (method, company)


def test_the_colours_are_petroffs_less_his_greys_and_no_shade_is_grey():
    # a grey line read as the dotted grey chance line; Petroff's two greys have a chroma (RGB
    # max - min) of 16/255, the chance line's 0.4 grey none
    def chroma(color: str) -> float:
        channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        return max(channels) - min(channels)

    petroff10 = library["petroff10"]["axes.prop_cycle"].by_key()["color"]
    greys = [color for color in petroff10 if chroma(color) < 0.1]
    assert greys == ["#94a4a2", "#717581"]
    assert list(PALETTE) == [color for color in petroff10 if color not in greys]
    shades = {shade(color, step) for color in PALETTE for step in range(3)}
    assert len(shades) == 24
    assert min(chroma(color) for color in shades) > 0.17


def test_the_users_methods_take_the_spare_colour_by_name_then_come_round():
    # the spare light blue to the first name, then each colour a shade darker with triangles;
    # a method of the package beside them changes none of theirs
    users = ["zeta", "alpha", "mid"]
    looks = experiment_looks(users, ["-"] * 3)
    assert looks == [("#bc7900", 1), ("#92dadd", 0), ("#2065a5", 1)] == [
        (shade(PALETTE[1], 1), 1), (PALETTE[7], 0), (shade(PALETTE[0], 1), 1)]
    assert experiment_looks(["kd", *users, "rid"], ["-"] * 5)[1:4] == looks


def test_a_methods_variants_take_shades_and_markers_of_its_colour():
    # another teacher (line style) keeps the colour and marker; another setting with the same
    # teacher has a darker, then a lighter shade, and the next marker
    looks = experiment_looks(["bas", "bas", "bas", "kd", "bas"], ["-", "--", "-", "-", "-"])
    blue = METHOD_COLORS["bas"]
    assert looks == [(blue, 0), (blue, 0), ("#2065a5", 1), ("#ffa90e", 0), ("#82b7e7", 2)]
    assert [SHAPES[round_] for _, round_ in looks] == ["o", "o", "^", "o", "D"]


def test_no_two_experiments_of_one_line_style_look_alike_up_to_the_distinct_looks():
    # after the 30 looks of bas's blue (3 shades, 10 shapes) its variants go on in other colours,
    # then a user's methods come round to looks already taken, and move on
    methods = ["bas"] * 100 + [f"user-{i:03}" for i in range(DISTINCT_LOOKS - 100)]
    looks = experiment_looks(methods, ["-"] * len(methods))
    assert DISTINCT_LOOKS == 240
    assert len({(color, round_ % len(SHAPES)) for color, round_ in looks}) == DISTINCT_LOOKS
    assert looks[:3] == [("#3f90da", 0), ("#2065a5", 1), ("#82b7e7", 2)]
    assert looks[30] == ("#ffa90e", 0)  # the next colour, once blue's 30 looks are taken
