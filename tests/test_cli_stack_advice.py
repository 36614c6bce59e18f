"""`pidkit decompose` tells a file holding a stack of joints p[k, y, t, s] what a user of the command
does: save each joint to a file of its own and decompose them in one run. It said to "pass each p[k]" and
named pidkit.bertschinger_batch(stack), advice for a caller in Python, after advice to reshape
the array that a stack does not need."""

from __future__ import annotations

import glob
import json
import re
from pathlib import Path

import numpy as np
import pytest

from pidkit import examples
from pidkit.cli import main


def _refusal(tmp_path, monkeypatch, capsys, name, stack):
    """The one line `pidkit decompose NAME` prints for ``stack`` saved as NAME in ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    if name.endswith(".npy"):
        np.save(name, stack)
    else:
        (tmp_path / name).write_text(json.dumps(stack.tolist()), encoding="utf-8")
    assert main(["decompose", name]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    prefix = ("pidkit decompose: error: "
              f"{name}: the joint must be a 3-D array indexed p[y, t, s] (target, teacher, "
              f"student); got 4-D with shape {stack.shape}.")
    assert captured.err.startswith(prefix), captured.err
    return captured.err[len(prefix):].rstrip("\n")


@pytest.mark.parametrize(
    ("name", "load", "save"),
    [
        ("stack.npy", "np.load('stack.npy')", "np.save(f'joint{k}.npy', joint)"),
        ("stack.json", "json.loads(Path('stack.json').read_text())",
         "Path(f'joint{k}.json').write_text(json.dumps(joint))"),
    ],
)
def test_a_stack_is_told_to_save_each_joint_to_a_file_of_its_own(tmp_path, monkeypatch, capsys, name, load,
                                                                  save):
    stack = np.stack([examples.xor(), examples.rdn()])  # Red 0, then 1 bit
    advice = _refusal(tmp_path, monkeypatch, capsys, name, stack)
    assert advice == (
        " For a stack of 2 joints p[k, y, t, s]: pidkit decompose reads one joint per file, so save each "
        f"p[k] to a file of its own (in Python: for k, joint in enumerate({load}): {save}) and decompose "
        f"them in one run (pidkit decompose joint*.{name.split('.')[1]}), or solve the whole stack at once "
        f"in Python with pidkit.bertschinger_batch({load}) (BROJA)."
    )
    # The code it gives runs, and the command it gives decomposes the files it writes: Red 0, then 1.
    python = re.search(r"\(in Python: (.*)\) and decompose", advice).group(1)
    exec(python, {"np": np, "json": json, "Path": Path})
    files = sorted(glob.glob(re.search(r"\(pidkit decompose (\S+)\)", advice).group(1)))
    assert main(["decompose", *files, "--json"]) == 0
    reds = [json.loads(line)["red"] for line in capsys.readouterr().out.splitlines()]
    assert reds == pytest.approx([0.0, 1.0], abs=1e-9)


def test_a_stack_of_one_npy_joint_is_told_to_save_that_joint_alone(tmp_path, monkeypatch, capsys):
    advice = _refusal(tmp_path, monkeypatch, capsys, "one.npy", np.full((1, 2, 2, 2), 1 / 8))
    assert advice == (" It holds one joint, p[0]: save it alone (in Python: np.save('joint.npy', "
                      "np.load('one.npy')[0])) and decompose that file.")
    np.save("joint.npy", np.load("one.npy")[0])
    assert main(["decompose", "joint.npy"]) == 0


def test_a_stack_of_one_json_joint_is_told_to_drop_the_outer_brackets(tmp_path, monkeypatch, capsys):
    advice = _refusal(tmp_path, monkeypatch, capsys, "one.json", np.full((1, 2, 2, 2), 1 / 8))
    assert advice == (" It holds one joint, p[0]: delete the file's first '[' and last ']' and decompose "
                      "it again.")
    text = (tmp_path / "one.json").read_text(encoding="utf-8").strip()
    (tmp_path / "one.json").write_text(text[1:-1], encoding="utf-8")
    assert main(["decompose", "one.json"]) == 0
