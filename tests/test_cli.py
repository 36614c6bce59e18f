import json

import numpy as np
import pytest

from pidkit import examples
from pidkit.cli import main


def test_decompose_example_prints_the_table(capsys):
    assert main(["decompose", "--example", "AND"]) == 0
    out = capsys.readouterr().out
    assert "Red(Y:T,S)" in out and "0.311278" in out and "status='optimal'" in out


def test_decompose_file_as_json(tmp_path, capsys):
    path = tmp_path / "joint.npy"
    np.save(path, examples.xor())
    main(["decompose", str(path), "--json"])
    record = json.loads(capsys.readouterr().out)
    assert record["syn"] == pytest.approx(1.0, abs=1e-9) and record["status"] == "optimal"


def test_decompose_json_file_with_normalize(tmp_path, capsys):
    path = tmp_path / "joint.json"
    path.write_text(json.dumps((examples.rdn() * 4).tolist()))
    main(["decompose", str(path), "--normalize", "--units", "nats"])
    assert "0.693147" in capsys.readouterr().out


def test_examples_table_lists_every_example(capsys):
    main(["examples"])
    out = capsys.readouterr().out
    for name in examples.catalogue():
        assert name in out


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["decompose", "--example", "nope"], "unknown example 'nope'"),
        (["decompose"], "give either a joint file or --example"),
        (["decompose", "missing.npy"], "no such file"),
    ],
)
def test_cli_errors_are_one_line(argv, match):
    with pytest.raises(SystemExit, match=match):
        main(argv)


def test_cli_reports_invalid_joint(tmp_path):
    path = tmp_path / "bad.npy"
    np.save(path, np.full((2, 2, 2), 0.2))
    with pytest.raises(SystemExit, match=r"sums to 1\.6"):
        main(["decompose", str(path)])
