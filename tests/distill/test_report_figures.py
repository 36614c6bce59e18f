"""What the report's figures show: each run's colour, line style and markers, its accuracy band,
the PID panels of each estimator and layer, their titles, legends and labels."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest
import test_report
from matplotlib.figure import Figure
from test_report import edit_audit, fake_run, gaussian, plug_in

from pidkit_distill import write_report

figures = test_report.figures  # the fixture: the figures a report saves, by title


def test_each_run_keeps_its_colour_and_its_teacher_style_in_every_figure(tmp_path, figures):
    # the colours were given in order among the runs drawn in each figure, so a run without an
    # audit shifted every later run's colour between accuracy.png and pid_atoms.png; the
    # teacher-file runs were dotted, as the plug-in values are; nothing said what the styles meant
    runs = [fake_run(tmp_path / "plain", epochs=2, audited=False, planned=2),
            fake_run(tmp_path / "file", epochs=2, teacher=str(tmp_path / "t.pt"), planned=2),
            fake_run(tmp_path / "trained", epochs=1, teacher="trained", planned=1)]
    write_report(runs, out_dir=tmp_path / "rep")
    note = "dashed: untrained teacher, dash-dot: teacher from a file, solid: trained teacher"
    accuracy = figures[f"Student accuracy on the held-out set\n({note})"]
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    assert atoms.get_suptitle().endswith(f"need not hold their line (docs/estimate.md, Bootstrap "
                                         f"intervals)\nwith audit.cluster_seeds 1 the bands leave "
                                         f"out the variance of the KMeans clustering, so they are "
                                         f"too narrow: audit.cluster_seeds 3 includes it"
                                         f"\n{note}")

    def drawn(fig: Figure) -> dict[str, tuple]:
        lines = fig.axes[0].get_lines()
        return {line.get_label(): (line.get_color(), line.get_linestyle(), line.get_marker(),
                                   len(line.get_xdata())) for line in lines
                if not line.get_label().startswith("_")}

    # the three are runs of bas, whose colour is Petroff's blue: their teachers' line styles
    # tell them apart
    blue = "#3f90da"
    # plain and file have the same accuracies: plain's line lies under file's, drawn after it
    assert drawn(accuracy) == {"plain (same as file)": (blue, "--", "o", 2),
                               "file": (blue, "-.", "o", 2),
                               "trained": (blue, "-", "o", 1)}  # one epoch: a visible marker
    assert drawn(atoms) == {"file (discrete, eb-extrapolation)": (blue, "-.", "o", 3),
                            "trained (discrete, eb-extrapolation)": (blue, "-", "o", 2)}
    plugins = [line for line in atoms.axes[0].get_lines() if line.get_label().startswith("_")]
    assert {line.get_linestyle() for line in plugins} == {":"}


def test_many_runs_keep_distinct_colours_see_through_bands_and_a_legend_off_the_lines(
        tmp_path, figures):
    # from the eleventh run on the colours came round again (run 11 drawn as run 1: now it has
    # another marker), the bands of a dozen runs stacked into an opaque block, and the legend
    # sat over the lines
    runs = [fake_run(tmp_path / f"s{i}", epochs=2, planned=2) for i in range(12)]
    write_report(runs, out_dir=tmp_path / "rep")
    for title, fig in figures.items():
        labelled = [line for line in fig.axes[0].get_lines()
                    if not line.get_label().startswith("_")]
        assert len({(line.get_color(), line.get_marker()) for line in labelled}) == 12, title
        assert all(ax.get_legend() is None for ax in fig.axes), title
        estimate = " (discrete, eb-extrapolation)" if title.startswith("PID") else ""
        # the twelve runs' accuracies and atoms are the same: each line lies under s11's,
        # drawn last
        same = " (same as s11)"
        assert [t.get_text() for t in fig.legends[0].get_texts()] == [
            f"s{i}{estimate}{same if i < 11 else ''}" for i in range(12)]
        bands = fig.axes[0].collections
        if title.startswith("PID"):
            assert [band.get_alpha() for band in bands] == [pytest.approx(0.6 / 12)] * 12


def test_the_interval_of_a_run_audited_once_is_drawn(tmp_path, figures):
    # a run killed before its second audit has one audited epoch: its band had no width, so its
    # bootstrap interval was not drawn at all
    run = fake_run(tmp_path / "once", epochs=2)
    (run / "audit.jsonl").write_text("".join(
        line + "\n" for line in (run / "audit.jsonl").read_text().splitlines()[:2]))  # epoch 0
    write_report([run], out_dir=tmp_path / "rep")
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    (bar,) = atoms.axes[0].collections
    assert [segment.tolist() for segment in bar.get_segments()] == [[[0.0, 0.0], [0.0, 0.3]]]


def test_write_report_leaves_the_callers_matplotlib_backend_as_it_was(tmp_path):
    # write_report switched matplotlib to Agg for the whole process: in a notebook (inline
    # backend) plt.show() showed nothing afterwards
    import matplotlib

    before = matplotlib.get_backend()
    matplotlib.use("svg")
    try:
        write_report(fake_run(tmp_path / "run", epochs=2), out_dir=tmp_path / "rep")
        assert matplotlib.get_backend() == "svg"
    finally:
        matplotlib.use(before)


def test_the_pid_figures_tell_estimators_plug_ins_and_uncertified_solves_apart(tmp_path,
                                                                            figures):
    # a Gaussian and a discrete run were drawn alike under a title calling every line
    # "bias-corrected", a plug-in run's dotted "plug-in" line lay on its own line, and an
    # uncertified solve was a point like any other
    gauss = edit_audit(fake_run(tmp_path / "gauss", epochs=1, planned=1), gaussian)
    plain = edit_audit(fake_run(tmp_path / "plain", epochs=1, planned=1), plug_in)
    loose = edit_audit(fake_run(tmp_path / "loose", epochs=1, planned=1),  # numbers, not certified
                       lambda r: r.update(status="optimal_inaccurate") if r["epoch"] == 1 else None)
    write_report([gauss, plain, loose], out_dir=tmp_path / "rep")
    for title, fig in figures.items():
        if not title.startswith("PID"):
            continue
        assert "bias-corrected" not in title
        assert title.endswith("squares: gaussian, in panels of their own (linearly decodable "
                              "bits: may exceed H(Y), not comparable with discrete ones)")
        # plain's plug-in estimates are loose's corrected ones at layer 1 (0.2), not at layer 0
        # (0.2 and 0.1): its line lies under loose's in pid_atoms.png, of layer 1 only
        under = " (same as loose)" if title.startswith("PID of (Y, T, S), ") else ""
        assert [t.get_text() for t in fig.legends[0].get_texts()] == [
            "gauss (gaussian, wishart)", f"plain (discrete, plug-in){under}",
            "loose (discrete, eb-extrapolation)", "solve NOT certified"]
        left = fig.axes[0]  # the first discrete panel, and the first Gaussian one
        right = next(ax for ax in fig.axes if ax.get_title().endswith(", gaussian"))
        assert (left.get_ylabel(), right.get_ylabel()) == ("discrete bits", "gaussian bits")

        def labelled(ax) -> list[tuple[str, str]]:
            return [(line.get_label(), line.get_marker()) for line in ax.get_lines()
                    if not line.get_label().startswith("_")]

        # three variants of bas with one teacher: its blue, then a darker and a lighter one,
        # each with another marker
        assert labelled(left) == [(f"plain (discrete, plug-in){under}", "^"),
                                  ("loose (discrete, eb-extrapolation)", "D"),
                                  ("solve NOT certified", "x")]
        assert labelled(right) == [("gauss (gaussian, wishart)", "s")]
        crosses = [line for line in left.get_lines() if line.get_label() == "solve NOT certified"]
        assert list(crosses[0].get_xdata()) == [1]
        dotted = [line.get_color() for ax in (left, right) for line in ax.get_lines()
                  if line.get_linestyle() == ":"]
        assert dotted == ["#82b7e7", "#3f90da"]  # loose's and gauss's, none for plain


def test_gaussian_runs_beside_discrete_ones_have_panels_of_their_own(tmp_path, figures):
    # a Gaussian run (I(Y;T) = 1.5 linearly decodable bits) and discrete ones (0.03 bits) shared
    # one axis in "bits": the discrete lines lay flat along 0, and the two kinds of bits, which
    # are not comparable, looked comparable; then a twin axis on the right ("gaussian bits
    # (squares)") laid the Gaussian line over the discrete ones, inviting the same comparison
    runs = [edit_audit(fake_run(tmp_path / "gauss", epochs=1, planned=1), gaussian),
            fake_run(tmp_path / "discrete", epochs=1, planned=1)]
    write_report(runs, out_dir=tmp_path / "rep")
    pid = {title: fig for title, fig in figures.items() if title.startswith("PID")}
    # the six panels discrete, then six Gaussian; per layer, a row of four of each
    assert [len(fig.axes) for fig in pid.values()] == [12, 16]
    for fig in pid.values():
        assert all(len(ax.get_shared_x_axes().get_siblings(ax)) == 1 for ax in fig.axes)  # no twin
        for ax in fig.axes:
            kind = ax.get_title().rsplit(", ", 1)[1]
            assert ax.get_ylabel() == f"{kind} bits"
            # the run of that kind and its plug-in values (dotted), only
            assert [line.get_linestyle() if line.get_label().startswith("_") else line.get_label()
                    for line in ax.get_lines()] == [
                "gauss (gaussian, wishart)" if kind == "gaussian"
                else "discrete (discrete, eb-extrapolation)", ":"]
    assert [ax.get_title() for ax in pid["PID of (Y, T, S) per layer" + next(
        title for title in pid if title.startswith("PID of (Y, T, S) per layer"))[26:]].axes[:8:4]
            ] == ["layer 0: Red(Y:T,S), discrete", "layer 0: Red(Y:T,S), gaussian"]
    figures.clear()
    write_report(runs[:1], out_dir=tmp_path / "rep")  # Gaussian alone: one axis, so named
    pid = [fig for title, fig in figures.items() if title.startswith("PID")]
    assert [len(fig.axes) for fig in pid] == [6, 8]
    assert {ax.get_ylabel() for fig in pid for ax in fig.axes} == {"gaussian bits"}
    figures.clear()
    write_report(runs[1:], out_dir=tmp_path / "rep")
    pid = [fig for title, fig in figures.items() if title.startswith("PID")]
    assert {ax.get_ylabel() for fig in pid for ax in fig.axes} == {"bits"}


def test_a_gaussian_run_alone_is_said_to_be_in_linearly_decodable_bits(tmp_path, figures):
    # a Gaussian audit alone showed I(Y;T) = 4.47 "bits" for a 2-bit label with nothing saying
    # that these are not the label's Shannon bits (the note was there only beside discrete runs)
    gauss = edit_audit(fake_run(tmp_path / "gauss", epochs=1), gaussian)
    write_report(gauss, out_dir=tmp_path / "rep")
    titles = [title for title in figures if title.startswith("PID")]
    assert len(titles) == 2 and all(title.endswith(
        "dashed: untrained teacher, squares: gaussian (linearly decodable bits: may exceed H(Y), "
        "not comparable with discrete ones)") for title in titles)


def test_the_pid_figures_title_clears_their_legend(tmp_path, figures):
    # the legend stood in the top right corner, where the title's second line ("... dotted:
    # plug-in of a corrected line") ran under "digits-rid-tt-s0 (discrete, eb-extrapolation)";
    # and a plug-in run's band lay wholly below its line (basic intervals move by the bias)
    # with nothing saying that it may
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    runs = [fake_run(tmp_path / "digits-rid-tt-s0", epochs=1),
            edit_audit(fake_run(tmp_path / "cifar10-vid-tp-s0", epochs=1), gaussian)]
    write_report(runs, out_dir=tmp_path / "rep")
    pid = [fig for title, fig in figures.items() if title.startswith("PID")]
    assert len(pid) == 2
    for fig in pid:
        FigureCanvasAgg(fig)
        renderer = fig.canvas.get_renderer()
        (title,) = [child for child in fig.get_children()
                    if isinstance(child, Text) and child.get_text() == fig.get_suptitle()]
        assert not title.get_window_extent(renderer).overlaps(
            fig.legends[0].get_window_extent(renderer)), title.get_text()
        assert "bootstrap intervals, which need not hold their line" in title.get_text()


def test_the_seven_methods_get_colours_a_colour_blind_reader_tells_apart(tmp_path, figures):
    # seven runs were drawn in matplotlib's C0 ... C6: green (C2) beside red (C3), brown, pink and
    # grey, which readers with red-green colour blindness confuse; each method of the package now
    # has one of Petroff's ten (matplotlib's petroff10 style), never one of its two greys
    from matplotlib.style import library

    methods = ["bas", "itrd", "kd", "mimkd", "rid", "ted", "vid"]
    runs = [with_method(fake_run(tmp_path / name, epochs=1, audited=False, planned=1), name)
            for name in methods]
    write_report(runs, out_dir=tmp_path / "rep")
    (accuracy,) = figures.values()
    # (each label but vid's ends "(same as vid)": the fake runs' accuracies are the same)
    drawn = {line.get_label().split()[0]: line.get_color()
             for line in accuracy.axes[0].get_lines() if line.get_label().split()[0] in methods}
    assert drawn == {"bas": "#3f90da", "kd": "#ffa90e", "rid": "#bd1f01", "vid": "#832db6",
                     "ted": "#a96b59", "itrd": "#e76300", "mimkd": "#b9ac70"}
    petroff10 = library["petroff10"]["axes.prop_cycle"].by_key()["color"]
    assert set(drawn.values()) < set(petroff10) - {"#94a4a2", "#717581"}


def with_method(run: Path, method: str) -> Path:
    """``run`` (a fake run folder) as a run of ``method``."""
    config = json.loads((run / "config.json").read_text())
    config["method"]["name"] = method
    (run / "config.json").write_text(json.dumps(config))
    return run


def test_a_long_run_has_markers_on_some_epochs_so_its_line_style_shows(tmp_path, figures):
    # every one of 300 epochs had a marker: the markers ran into one thick line and hid its
    # dashes, which say that the teacher was untrained
    long = fake_run(tmp_path / "long", epochs=300, planned=300)
    short = fake_run(tmp_path / "short", epochs=3, planned=3)
    write_report([long, short], out_dir=tmp_path / "rep")
    for title, fig in figures.items():
        lines = [line for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")]
        points = [len(line.get_xdata()) for line in lines]
        assert points == ([300, 3] if title.startswith("Student") else [301, 4]), title
        marked = [line.get_xdata()[line.get_markevery()] for line in lines]
        assert [len(epochs) for epochs in marked] == [20, 3 if title.startswith("Student") else 4]
        assert {round(b - a) for a, b in pairwise(marked[0])} <= {15, 16}, title


def test_markers_are_evenly_spaced_in_epochs_on_a_line_of_uneven_epochs(tmp_path, figures):
    # markers on every k-th record: a run resumed with run.audit_every raised (every epoch to 20,
    # then every 20th) had seven markers in its first 20 epochs and one per 60 after
    run = fake_run(tmp_path / "run", epochs=300)
    kept = {*range(0, 21), *range(40, 301, 20)}
    (run / "audit.jsonl").write_text("".join(
        line + "\n" for line in (run / "audit.jsonl").read_text().splitlines()
        if json.loads(line)["epoch"] in kept))
    write_report(run, out_dir=tmp_path / "rep")
    fig = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    (line,) = [line for line in fig.axes[0].get_lines() if line.get_label() == "run (discrete, "
               "eb-extrapolation)"]
    assert len(line.get_xdata()) == 35
    marked = line.get_xdata()[line.get_markevery()]
    assert marked[0] == 0 and marked[-1] == 300
    # about 300 / 19 apart, but for the records' own gaps (20 epochs, then 16 + 24)
    assert all(10 <= b - a <= 25 for a, b in pairwise(marked)), list(marked)


def test_runs_audited_at_different_innermost_layers_say_which_layer_each_line_is(tmp_path,
                                                                                  figures):
    # pid_atoms.png drew a run killed after its audit of layer 0 beside runs at layer 1, under
    # "innermost distilled layer", with nothing saying that its points were another layer's
    done = fake_run(tmp_path / "done", epochs=2, planned=2)
    killed = fake_run(tmp_path / "killed", epochs=1)
    (killed / "audit.jsonl").write_text((killed / "audit.jsonl").read_text().splitlines()[0]
                                        + "\n")  # epoch 0, layer 0 only
    write_report([done, killed], out_dir=tmp_path / "rep")
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    assert atoms.get_suptitle().startswith("PID of (Y, T, S), innermost distilled layer (each "
                                           "run's: in the legend), held-out set\nlegend: run, "
                                           "layer (estimator, correction or plug-in); ")
    assert [t.get_text() for t in atoms.legends[0].get_texts()] == [
        "done, layer 1 (discrete, eb-extrapolation)",
        "killed, layer 0 (discrete, eb-extrapolation)\nstopped after epoch 1 of 5; "
        "last audit epoch 0, before training",
        "bar: where a stopped or failed run's line ends"]
    figures.clear()
    write_report([done], out_dir=tmp_path / "rep")
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    assert atoms.get_suptitle().startswith("PID of (Y, T, S), innermost distilled layer (layer "
                                           "1), held-out set\nlegend: run (estimator, ")
    assert [t.get_text() for t in atoms.legends[0].get_texts()] == [
        "done (discrete, eb-extrapolation)"]


def test_the_epoch_labels_of_a_long_run_do_not_run_into_each_other(tmp_path, figures):
    # the narrow panels of pid_atoms_all_layers.png had eight epoch ticks for 300 epochs, their
    # labels 5 pixels apart, less than a space: "0 40 80 120 160 200 240 280" read as one number
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    write_report(fake_run(tmp_path / "long", epochs=300), out_dir=tmp_path / "rep")
    for title, fig in figures.items():
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        for ax in fig.axes:
            low, high = ax.get_xlim()
            boxes = [label.get_window_extent(renderer) for tick, label in zip(
                ax.get_xticks(), ax.get_xticklabels(), strict=True) if low <= tick <= high]
            assert len(boxes) >= 3, title
            # apart by half a label's height at least (about a character)
            assert all(right.x0 - left.x1 > left.height / 2 for left, right in pairwise(boxes)), (
                title, [label.get_text() for label in ax.get_xticklabels()])


def test_the_title_of_the_figure_of_every_layer_leaves_its_panels_their_height(tmp_path, figures):
    # pid_atoms_all_layers.png kept 0.4 inch for its title's four lines: its panels were 1.7
    # inches high with two audited layers, squashed under the title
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    write_report(fake_run(tmp_path / "run", epochs=2), out_dir=tmp_path / "rep")
    fig = figures[next(title for title in figures if title.startswith("PID of (Y, T, S) per"))]
    FigureCanvasAgg(fig).draw()
    assert len(fig.axes) == 8
    height = fig.get_size_inches()[1]
    assert all(ax.get_position().height * height > 2 for ax in fig.axes)


def test_one_audited_layer_has_no_figure_of_every_layer(tmp_path, figures):
    # with one audited layer (the demo's) pid_atoms_all_layers.png drew the four atoms of
    # pid_atoms.png again, and report.md showed both
    run = fake_run(tmp_path / "run", epochs=2)
    (run / "audit.jsonl").write_text("".join(
        line + "\n" for line in (run / "audit.jsonl").read_text().splitlines()
        if json.loads(line)["layer"] == 0))
    out = tmp_path / "rep"
    write_report(fake_run(tmp_path / "two", epochs=1), out_dir=out)  # a first report had it
    figures.clear()
    write_report(run, out_dir=out)
    assert sorted(p.name for p in out.iterdir()) == [".report.lock", "accuracy.png", "groups.csv",
                                                     "pid_atoms.png", "report.md", "runs.csv"]
    assert [title.split("\n")[0] for title in figures] == [
        "Student accuracy on the held-out set", "PID of (Y, T, S), innermost distilled layer "
        "(layer 0), held-out set"]
    text = (out / "report.md").read_text()
    assert "](pid_atoms_all_layers.png)" not in text
    assert ("![PID atoms](pid_atoms.png)\n\nOne layer was audited, so pid_atoms.png shows every "
            "layer (there is no pid_atoms_all_layers.png).") in text


def test_the_figures_text_is_readable_when_shown_850_pixels_wide(tmp_path, figures):
    # legend text of 7 points on a 13-inch figure was 6 pixels high where a markdown viewer
    # shows the figure 850 pixels wide
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    runs = [fake_run(tmp_path / "a", epochs=3),
            edit_audit(fake_run(tmp_path / "b", epochs=3), gaussian)]
    write_report(runs, out_dir=tmp_path / "rep")
    assert len(figures) == 3
    for title, fig in figures.items():
        FigureCanvasAgg(fig).draw()
        width = fig.get_size_inches()[0]
        small = {(text.get_text(), round(text.get_fontsize() * 850 / (72 * width), 1))
                 for text in fig.findobj(Text) if text.get_visible() and text.get_text()
                 and text.get_fontsize() * 850 / (72 * width) < 9}  # pixels high at 850 wide
        assert not small, (title, sorted(small)[:3])


def test_accuracy_has_a_standard_error_band_where_the_held_out_size_is_recorded(tmp_path,
                                                                              figures):
    # accuracies of 0.257-0.262 on 2000 held-out samples (one standard error 0.01) filled the
    # axis, which zoomed into noise
    run = fake_run(tmp_path / "run", epochs=4)
    (run / "metrics.jsonl").write_text("".join(json.dumps(
        {"epoch": e, "test_acc": acc, "teacher_acc": 0.9, "test_n": 2000}) + "\n"
        for e, acc in enumerate((0.257, 0.262, 0.259, 0.26), 1)))
    write_report(run, out_dir=tmp_path / "rep")
    (fig,) = [fig for title, fig in figures.items() if title.startswith("Student")]
    ax = fig.axes[0]
    (band,) = ax.collections
    low, high = band.get_paths()[0].vertices[:, 1].min(), band.get_paths()[0].vertices[:, 1].max()
    error = (0.257 * 0.743 / 2000) ** 0.5
    assert (low, high) == (pytest.approx(0.257 - error), pytest.approx(0.262 + (
        0.262 * 0.738 / 2000) ** 0.5))
    assert ax.get_ylim()[1] - ax.get_ylim()[0] > 2 * error  # no zoom below the noise
    assert ax.get_title().endswith("\nbands: ±1 binomial standard error of each accuracy")


def test_a_pid_panel_does_not_zoom_into_solver_noise(tmp_path, figures):
    # a Gaussian Uni(Y:S\\T) of 0 +- 8e-15 (solver noise) filled its panel: an axis labelled
    # '1e-15' over the panel's title, the noise drawn as a signal
    run = edit_audit(fake_run(tmp_path / "run", epochs=2), lambda r: r.update(
        uni_s=8e-15 * r["epoch"], intervals={**r["intervals"], "uni_s": [0.0, 1e-14]},
        plugin={**r["plugin"], "uni_s": 0.0}))
    write_report(run, out_dir=tmp_path / "rep")
    for title, fig in figures.items():
        if title.startswith("PID"):
            panels = [ax for ax in fig.axes if "Uni(Y:S\\T)" in ax.get_title()]
            assert len(panels) == (1 if title.startswith("PID of (Y, T, S), ") else 2)
            for ax in panels:
                low, high = ax.get_ylim()
                assert high - low == pytest.approx(0.01) and low < 0 < 1e-14 < high, title


def test_a_layer_only_the_discrete_runs_audited_has_no_empty_gaussian_row(tmp_path, figures):
    # a Gaussian run auditing layer 1 only beside a discrete run auditing layers 0 and 1 had a
    # row of four empty 'layer 0: ..., gaussian' panels
    gauss = edit_audit(fake_run(tmp_path / "gauss", epochs=1), gaussian)
    (gauss / "audit.jsonl").write_text("".join(
        line + "\n" for line in (gauss / "audit.jsonl").read_text().splitlines()
        if json.loads(line)["layer"] == 1))
    write_report([fake_run(tmp_path / "discrete", epochs=1), gauss], out_dir=tmp_path / "rep")
    fig = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S) per"))
    assert [ax.get_title() for ax in fig.axes[::4]] == [
        "layer 0: Red(Y:T,S), discrete", "layer 1: Red(Y:T,S), discrete",
        "layer 1: Red(Y:T,S), gaussian"]
    assert all(ax.get_lines() for ax in fig.axes)


def test_more_methods_than_colours_come_round_the_colours_with_other_markers(tmp_path,
                                                                            figures):
    # beyond ten runs, tab20's pairs gave runs 1 and 2 (3 and 4, ...) two shades of one hue,
    # which a reader took for one run, and turbo's colours of 30 runs ran into each other; the
    # user's methods take the colour no method of the package has, then the colours come round
    # again, a shade darker, then lighter, each round with markers of another shape (a Gaussian
    # estimate keeps its square, hollow in the second round)
    runs = [with_method(fake_run(tmp_path / f"s{i}", epochs=2, planned=2), f"mine-{i:02}")
            for i in range(11)]
    edit_audit(runs[1], gaussian)
    write_report(runs, out_dir=tmp_path / "rep")
    accuracy = figures[next(title for title in figures if title.startswith("Student"))]
    drawn = [(line.get_color(), line.get_marker(), line.get_markersize())
             for line in accuracy.axes[0].get_lines()]
    # Petroff's blue, orange, red, purple, brown, dark orange, khaki and light blue with 0.7 of
    # their HLS lightness, hue and saturation kept (#3f90da: 0.551 to 0.386, #2065a5), then
    # lightness 35% of the way to 1 (Foley and van Dam's formulae, by hand and in numbers)
    assert drawn == [("#92dadd", "o", 3)] + [(color, "^", 5) for color in (
        "#2065a5", "#bc7900", "#841601", "#5c207f", "#774b3e", "#a24500", "#8c7f44", "#3ebec3")] + [
        ("#82b7e7", "D", 5), ("#ffc762", "D", 5)]
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    gaussian_panel = next(ax for ax in atoms.axes if ax.get_title().endswith(", gaussian"))
    (square,) = [line for line in gaussian_panel.get_lines() if line.get_label().startswith("s1 ")]
    assert (square.get_color(), square.get_marker(), square.get_fillstyle()) == (
        "#2065a5", "s", "none")
    discrete = [(line.get_label(), line.get_marker()) for line in atoms.axes[0].get_lines()
                if not line.get_label().startswith("_")]
    # the fake runs' atoms are the same: each discrete line lies under s10's, drawn last
    assert discrete[:2] == [("s0 (discrete, eb-extrapolation) (same as s10)", "o"),
                            ("s2 (discrete, eb-extrapolation) (same as s10)", "^")]
