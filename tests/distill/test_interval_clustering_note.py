"""The report's interval note and the PID figure's title say when the audit's bootstrap intervals
hold the KMeans clustering fixed (audit.cluster_seeds 1), and say nothing of it otherwise.

User walk t-350, finding 1: re-auditing one pair of digits networks with KMeans seeds 0 and 1
gave Red 1.461 [1.345, 1.608] and 1.091 [1.022, 1.187], intervals that do not overlap, while
nothing the report or the figure showed said that they leave the clustering out.
"""

from __future__ import annotations

import test_report
from test_report import edit_audit, fake_run, gaussian

from pidkit_distill import write_report
from pidkit_distill.report import load_run, summary_table

figures = test_report.figures  # the fixture: the figures a report saves, by title

HELD_FIXED = ("With audit.cluster_seeds 1 the intervals leave out the variance of the KMeans "
              "clustering, so they are too narrow: audit.cluster_seeds 3 includes it "
              "(docs/distill.md, Seeds of the clustering).")
TITLE_LINE = ("with audit.cluster_seeds 1 the bands leave out the variance of the KMeans clustering, "
              "so they are too narrow: audit.cluster_seeds 3 includes it")


def seeds_of_clustering(count: int):
    """An audit record's edit: its discrete estimate of ``count`` KMeans seeds, as recorded."""
    return lambda record: record.update(settings={"estimator": "discrete", "confidence": 0.95,
                                                  "ci_method": "centred", "cluster_seeds": count})


def interval_note(table: str) -> str:
    """The paragraph under the summary table on its intervals."""
    return next(line for line in table.splitlines() if line.startswith("[low, high]"))


def test_one_seed_of_the_clustering_is_said_under_the_table(tmp_path):
    one = edit_audit(fake_run(tmp_path / "one", epochs=1), seeds_of_clustering(1))
    assert interval_note(summary_table([load_run(one)])) == (
        "[low, high]: the 95% centred bootstrap interval of the atom (audit.confidence, "
        "audit.bootstrap), each holding its estimate (docs/estimate.md, Bootstrap "
        f"intervals). {HELD_FIXED}")


def test_a_record_from_before_the_key_is_of_one_seed(tmp_path):
    # records written before audit.cluster_seeds existed clustered with one seed
    old = fake_run(tmp_path / "old", epochs=1)
    assert interval_note(summary_table([load_run(old)])).endswith(HELD_FIXED)


def test_several_seeds_of_the_clustering_or_none_add_nothing(tmp_path):
    three = edit_audit(fake_run(tmp_path / "three", epochs=1), seeds_of_clustering(3))
    gauss = edit_audit(fake_run(tmp_path / "gauss", epochs=1), gaussian)  # does not cluster
    for run in (three, gauss):
        note = interval_note(summary_table([load_run(run)]))
        assert note.endswith("(docs/estimate.md, Bootstrap intervals)."), note
        assert "cluster_seeds" not in note


def test_one_run_of_one_seed_beside_one_of_three_is_said(tmp_path):
    one = edit_audit(fake_run(tmp_path / "one", epochs=1), seeds_of_clustering(1))
    three = edit_audit(fake_run(tmp_path / "three", epochs=1), seeds_of_clustering(3))
    assert interval_note(summary_table([load_run(three), load_run(one)])).endswith(HELD_FIXED)


def test_no_interval_shown_says_nothing_of_the_clustering(tmp_path):
    bare = edit_audit(fake_run(tmp_path / "bare", epochs=1), lambda r: r.pop("intervals"))
    assert "cluster_seeds" not in summary_table([load_run(bare)])


def test_the_pid_figures_title_says_it_under_the_bands(tmp_path, figures):
    one = edit_audit(fake_run(tmp_path / "one", epochs=2), seeds_of_clustering(1))
    write_report([one], out_dir=tmp_path / "rep")
    titles = [fig.get_suptitle() for title, fig in figures.items() if title.startswith("PID")]
    assert len(titles) == 2  # pid_atoms.png and pid_atoms_all_layers.png
    for title in titles:
        lines = title.splitlines()
        assert lines[lines.index(TITLE_LINE) - 1].startswith("bands (a bar for one epoch)")


def test_the_pid_figures_title_says_nothing_of_it_for_three_seeds(tmp_path, figures):
    three = edit_audit(fake_run(tmp_path / "three", epochs=2), seeds_of_clustering(3))
    write_report([three], out_dir=tmp_path / "rep")
    titles = [fig.get_suptitle() for title, fig in figures.items() if title.startswith("PID")]
    assert titles and all("cluster_seeds" not in title for title in titles)
