"""Wherever best accuracy is shown, it says that its epoch was chosen on the held-out set that
measures it (there is no validation split), so that it is optimistic.

User walk t-350, finding 3: a 40-epoch digits run showed "last acc 0.8044 | best acc (epoch)
0.9556 (14)", the console "best acc 0.9889 (epoch 10)" and the seed table averaged best acc,
with no word that the best epoch was picked on the same held-out set.
"""

from __future__ import annotations

import json

from test_report import fake_run
from test_report_seeds import seed_run

from pidkit_distill import write_report
from pidkit_distill.cli import main
from pidkit_distill.report import load_run, summary_table

CHOSEN = ("chosen on the same held-out set that measures it (no validation split), so "
          "optimistic: compare runs by last acc")


def test_the_summary_table_says_how_best_acc_was_chosen(tmp_path):
    table = summary_table([load_run(fake_run(tmp_path / "run", epochs=3))])
    # the cell is the maximum of the held-out accuracies (0.51, 0.52, 0.53) and its epoch
    assert table.splitlines()[2].split(" | ")[7] == "0.5300 (3)"
    assert f"best acc (epoch): the highest held-out accuracy, {CHOSEN}." in table.splitlines()


def test_no_best_acc_shown_says_nothing_of_it(tmp_path):
    table = summary_table([load_run(fake_run(tmp_path / "run", epochs=0))])
    assert "best acc (epoch):" not in table


def test_the_seed_table_says_how_a_seeds_best_acc_was_chosen(tmp_path):
    runs = [seed_run(tmp_path / f"runs/bas-s{seed}", seed, accs)
            for seed, accs in ((1, [0.72, 0.80]), (2, [0.76, 0.74]))]
    report = write_report(runs, out_dir=tmp_path / "rep").read_text()
    # the seeds' best are 0.80 (epoch 2) and 0.76 (epoch 1): mean 0.78, sd 0.02 * sqrt(2)
    assert "| 0.7800 ± 0.0283 (0.8000, 0.7600) |" in report
    assert ("A seed's best acc is its highest held-out accuracy, so optimistic, as the note under the "
            "table of each run says.") in report
    assert report.count(CHOSEN) == 1  # the note under the table of each run, not twice


def test_the_console_says_best_acc_was_chosen_on_the_held_out_set(tmp_path, capsys):
    runs = tmp_path / "runs"
    assert main(["train", "--data", "synthetic", "--epochs", "2", "--teacher", "untrained",
                 "--audit-every", "0", "--run.progress", "false", "--run.threads", "1",
                 "--device", "cpu", "--data.options", "n_train=96", "--data.options",
                 "n_test=64", "--data.options", "dim=12", "--data.batch_size", "32",
                 "--out-dir", str(runs)]) == 0
    last_line = capsys.readouterr().out.splitlines()[-1]
    summary = json.loads((runs / "synthetic-bas-ut-s0/summary.json").read_text())
    assert last_line == (f"last acc {summary['last_acc']:.4f}, best acc {summary['best_acc']:.4f} "
                         f"(epoch {summary['best_epoch']}; chosen on the held-out set, so "
                         f"optimistic); run folder {runs / 'synthetic-bas-ut-s0'}")
