"""What a notebook user's walk through a few small runs' report found (task 276): the table row
of a run killed in its first epoch, a run without an audit, and the chance lines of runs on two
data sets."""

from __future__ import annotations

import json

from test_report import fake_run, figures, rows  # noqa: F401  (figures: a fixture)

from pidkit_distill.report import load_run, summary_table


def test_a_run_killed_in_its_first_epoch_shows_no_atoms_of_its_untrained_student(tmp_path):
    # train writes the audit of epoch 0 (the untrained student) before epoch 1: a run killed (or
    # failed on a NaN loss) in epoch 1 showed those atoms as its final ones, "0/5 | ... | 0 |
    # discrete, eb-extrapolation | 0.200 [0.000, 0.300] | ...", beside the trained runs' atoms
    # (the figures draw no line of it, and the docs promised empty cells)
    killed = fake_run(tmp_path / "killed", epochs=0)
    audit = (killed / "audit.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in audit] == [0, 0]
    row = rows(summary_table([load_run(killed)]))[0]
    assert row == "| killed | synthetic | bas | untrained | 0/5 |" + "  |" * 11
