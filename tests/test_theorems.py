"""The RID paper's examples and theorems as checks: verdicts and the numbers behind them."""

from __future__ import annotations

import importlib.util
import json
import math

import numpy as np
import pytest

from pidkit import examples
from pidkit.theorems import (
    CHAIN,
    TheoremReport,
    check_paper_examples,
    check_theorem_3_1,
    check_theorem_3_2,
    check_theorem_4_1,
)

needs_cdd = pytest.mark.skipif(
    importlib.util.find_spec("cdd") is None, reason="pycddlib (the exact extra) is not installed"
)


def h(x: float) -> float:
    return -(x * math.log2(x) + (1 - x) * math.log2(1 - x))


def test_paper_examples_reproduce_the_stated_numbers() -> None:
    report = check_paper_examples()
    assert report.passed and report.verdict == "held"
    computed = {(row[0], row[1]): row[3] for row in report.rows}
    assert computed["2", "I(T;U1) = h(0.2)"] == pytest.approx(h(0.2), abs=1e-9)
    assert computed["2", "Red(Y:T,U1) = I(Y;T)"] == pytest.approx(h(0.2), abs=1e-6)
    assert computed["3", "I(Y;T|S) = H(Y)"] == pytest.approx(1.0, abs=1e-12)
    assert computed["1", "I(T;S) at S = U2 (max over one-bit S)"] == pytest.approx(1.0)
    assert len(report.rows) == 13


def test_theorem_3_1_both_regimes() -> None:
    report = check_theorem_3_1()
    assert report.passed
    high_z, low_z = report.rows
    assert high_z[4].split()[0] == "Z" and low_z[4].split()[0] == "G"  # argmax I(T;S)
    assert "Z" in high_z[7].split() and "Z" in low_z[7].split()  # argmax Red
    assert high_z[9] == pytest.approx(1 - h(0.1), abs=1e-6)  # Red(S=Z) = I(Y;Z), Z fair
    assert low_z[9] == pytest.approx(h(0.18) - h(0.1), abs=1e-6)  # Z ~ Ber(0.1): p(y=1) = 0.18
    assert high_z[1] == pytest.approx(1.0) and high_z[2] == pytest.approx(h(0.1))
    assert high_z[3] == "9/15"  # H(S) <= 1 bit: the 7 two-block and 1 one-block partitions + Z-like


def test_theorem_3_1_tie_and_other_measures() -> None:
    tie = check_theorem_3_1([((0.5, 0.5), (0.5, 0.5))], flip=0.0, measure="mmi")
    assert tie.rows[0][6] == "n/a" and tie.passed
    assert tie.rows[0][9] == pytest.approx(1.0)
    three = check_theorem_3_1([((0.2, 0.3, 0.5), (0.7, 0.3))], flip=0.2, measure="wedge")
    assert three.passed and three.rows[0][3].endswith("/203")


@needs_cdd
def test_theorem_4_1_chain_on_random_joints() -> None:
    report = check_theorem_4_1(n=12, random_state=7)
    assert report.passed
    assert sum(row[1] for row in report.rows) == 0
    assert all(row[2] >= -1e-7 for row in report.rows)
    values = np.array(report.details["values_bits"])
    assert values.shape == (12, len(CHAIN) + 1)
    again = check_theorem_4_1(n=12, random_state=7)
    assert again.details["values_bits"] == report.details["values_bits"]


@needs_cdd
def test_theorem_4_1_on_given_joints_reports_the_slack() -> None:
    report = check_theorem_4_1(joints=[examples.and_()])
    slack = {row[0]: row[2] for row in report.rows}
    assert slack["gh <= broja"] == pytest.approx(0.311278124459133 - (2.5 - 1.5 * math.log2(3)))
    assert slack["broja <= mmi"] == pytest.approx(0.0, abs=1e-9)
    assert slack["gh-function-of-t <= gh"] == pytest.approx(2.5 - 1.5 * math.log2(3))


def test_theorem_3_2_on_random_and_given_joints() -> None:
    report = check_theorem_3_2(n=4, random_state=3)
    assert report.passed and len(report.rows) == 4
    assert all(row[5] == pytest.approx(0.0, abs=1e-7) for row in report.rows)  # Uni(Y:T\(T,S)) = 0
    given = check_theorem_3_2([examples.and_(), examples.unq("t")])
    assert given.passed
    assert given.rows[0][2] == pytest.approx(0.311278, abs=1e-6)
    assert given.rows[1][3] == pytest.approx(1.0, abs=1e-6)  # Uni_T of UNQ


def test_report_repr_and_json() -> None:
    report = check_paper_examples()
    text = repr(report)
    assert text.startswith("Examples 1-3: HELD") and "expected" in text and "0.721928" in text
    data = json.loads(json.dumps(report.to_dict()))
    assert data["verdict"] == "held" and data["rows"][0]["example"] == "1"
    failed = TheoremReport("T", "claim", ("a", "ok"), ((1.5, False),), False, "one row")
    assert "VIOLATED" in repr(failed) and "NO" in repr(failed)


def test_bad_arguments_are_errors() -> None:
    with pytest.raises(ValueError, match="n must be a positive integer number of joints; got 0"):
        check_theorem_3_2(n=0)
    with pytest.raises(ValueError, match=r"sparsity must be a fraction of zero cells in \[0, 1\)"):
        check_theorem_4_1(n=1, sparsity=1.0)
    with pytest.raises(ValueError, match=r"sizes must be \(n_y, n_t, n_s\)"):
        check_theorem_4_1(n=1, sizes=(2, 2))
    with pytest.raises(ValueError, match="T = \\(Z, G\\) has 10 symbols"):
        check_theorem_3_1([((0.5, 0.5), [0.2] * 5)])
    with pytest.raises(ValueError, match=r"regimes\[0\] must be a pair"):
        check_theorem_3_1([(0.5, 0.5, 0.5)])
    with pytest.raises(ValueError, match="tol must be a positive number of bits"):
        check_paper_examples(tol=-1)
    with pytest.raises(ValueError, match=r"joints\[0\] must be a 3-D array"):
        check_theorem_3_2([np.ones(4) / 4])
    with pytest.raises(ValueError, match=r"random_state must be an int in \[0, .*\], a numpy\.random\."
                                         r"Generator or RandomState, or None; got -1\."):
        check_theorem_3_2(n=1, random_state=-1)
    with pytest.raises(TypeError, match=r"random_state must be an int .*got 'a' \(str\)"):
        check_theorem_4_1(n=1, random_state="a")


def test_cli_check_prints_reports_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    from pidkit.cli import main

    assert main(["check", "theorem-3.1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Theorem 3.1: HELD") and "0.531004" in out
    assert main(["check", "examples", "--json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["name"] == "Examples 1-3" and record["passed"] is True


@needs_cdd
def test_cli_check_theorem_4_1_options(capsys: pytest.CaptureFixture[str]) -> None:
    from pidkit.cli import main

    assert main(["check", "theorem-4.1", "--n", "3", "--sizes", "2,2,2", "--seed", "1", "--json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["summary"].startswith("3 joint(s), 0 violation(s)")
    assert len(record["details"]["values_bits"]) == 3
    assert main(["check", "theorem-4.1", "--sizes", "2,2"]) == 2
    assert "argument --sizes: expected three positive integers" in capsys.readouterr().err
    assert main(["check", "theorem-4.1", "--sparsity", "1.5"]) == 2
    assert "argument --sparsity: expected a number in [0, 1); got '1.5'" in capsys.readouterr().err


def test_theorem_3_1_with_a_general_channel() -> None:
    # Y a ternary, asymmetric function of a binary Z; G a fair nuisance.
    channel = [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]
    report = check_theorem_3_1([((0.6, 0.4), (0.5, 0.5)), ((0.5, 0.5), (0.95, 0.05))], channel=channel)
    assert report.passed and "given channel" in report.summary
    p_y = 0.6 * np.array(channel[0]) + 0.4 * np.array(channel[1])
    i_yz = -(p_y * np.log2(p_y)).sum() - sum(
        pz * -(np.array(row) * np.log2(row)).sum() for pz, row in zip((0.6, 0.4), channel, strict=True)
    )
    assert report.rows[0][9] == pytest.approx(i_yz, abs=1e-6)  # Red(S=Z) = I(Y;Z)
    with pytest.raises(ValueError, match=r"channel must be a \(2, n_y\) matrix"):
        check_theorem_3_1(channel=[[0.5, 0.6], [0.5, 0.5]])


def test_decompose_cli_takes_every_measure(capsys: pytest.CaptureFixture[str]) -> None:
    from pidkit.cli import main

    assert main(["decompose", "--example", "AND", "--measure", "mmi", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["measure"] == "mmi" and record["red"] == pytest.approx(0.311278, abs=1e-6)


def test_report_prints_a_value_that_rounds_to_zero_without_a_sign() -> None:
    # A slack of -1e-12 (within tol, so no violation) printed as "-0.000000".
    report = TheoremReport("T", "claim", ("slack",), ((-1e-12,), (np.float64(-0.25),)), True, "rows")
    body = repr(report).splitlines()[-2:]
    assert [line.split() for line in body] == [["0.000000"], ["-0.250000"]]


def test_theorem_3_2_counts_the_joints_where_property_3_cannot_fail() -> None:
    # a merge of two of T's two symbols leaves a constant teacher: Uni_h(T) = 0 whatever the joint
    report = check_theorem_3_2(n=4, sizes=[(2, 2, 3), (2, 3, 3)], random_state=0)
    assert report.details["trivial_merges"] == 2
    assert [row[7] for row in report.rows][::2] == [0.0, 0.0]
    assert "holds trivially on 2 joint(s)" in report.summary
    default = check_theorem_3_2(n=4, random_state=0)
    assert default.details["trivial_merges"] == 0 and "trivially" not in default.summary


def test_theorem_4_1_shows_its_progress_over_the_joints(capsys: pytest.CaptureFixture[str]) -> None:
    # 3x3x3 joints take about 20 s each (I_GH): a check of a few of them ran minutes in silence.
    check_theorem_4_1(joints=[examples.and_(), examples.xor()], progress=True)
    err = capsys.readouterr().err
    assert "theorem 4.1" in err and "2/2" in err
    check_theorem_4_1(joints=[examples.and_()], progress=False)
    assert capsys.readouterr().err == ""
    with pytest.raises(TypeError, match=r"progress must be True, False or None; got 'yes'"):
        check_theorem_4_1(joints=[examples.and_()], progress="yes")
