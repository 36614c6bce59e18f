"""benchmarks/estimate_bias.py's table reads n/a in every column of a correction that refuses the n."""

from __future__ import annotations

from benchmarks import estimate_bias


def test_a_correction_that_refuses_the_n_reads_n_a_in_every_column(capsys):
    # its two ratios to the plug-in read 'nan' beside the 'n/a' of the cells they divide
    estimate_bias.main(["--joints", "xor4", "--n", "8", "--draws", "2", "--n-jobs", "1", "--methods", "none",
                        "extrapolation"])
    [row] = [line for line in capsys.readouterr().out.splitlines() if "| extrapolation |" in line]
    assert [cell.strip() for cell in row.split("|")[4:-1]] == ["n/a"] * 9  # atoms, totals, ratios, s.e.
