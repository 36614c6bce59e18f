"""A refused resume tells how run.out_dir and run.name may change, as each way to resume takes
them: it listed them among the keys "a resume may change", which holds for --resume with the
options naming a moved folder, while `train --resume RUN_DIR --run.name foo` is refused (RUN_DIR
names the run and its folder). Each thing the message says is tried here as the command."""

from __future__ import annotations

import pytest
from tiny_runs import TINY

from pidkit_distill.cli import main

pytestmark = pytest.mark.usefixtures("one_torch_thread")

FOLDER_KEYS = ("and run.out_dir / run.name with --resume to find a moved or renamed folder: "
               "--resume RUN_DIR takes both from RUN_DIR and refuses them beside it)")


def _options(*items: str) -> list[str]:
    return [word for item in items for word in ("--set", item)]


@pytest.fixture
def moved(tmp_path):
    """A run of 3 epochs stopped after its first, then moved to another folder and name."""
    out = tmp_path / "runs"
    assert main(["train", *_options(*TINY, f"run.out_dir={out}"), "--epochs", "3",
                 "--run.name", "r", "--run.stop_after", "1"]) == 0
    return (out / "r").rename(tmp_path / "elsewhere")


def test_the_refusal_tells_the_folder_keys_apart_from_the_free_ones(moved, capsys):
    assert main(["train", "--resume", str(moved), "--optim.lr", "0.1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    free = err.split("a resume may change only ")[1]
    assert free.endswith(f"teacher.source from one file to another, {FOLDER_KEYS}\n")
    assert "run.name," not in free and "run.out_dir," not in free


def test_what_it_says_of_the_folder_keys_holds(moved, capsys):
    # --resume RUN_DIR refuses them beside it
    for option in (["--run.name", "foo"], ["--run.out_dir", str(moved.parent)]):
        assert main(["train", "--resume", str(moved), *option]) == 2
        assert "cannot be given with it" in capsys.readouterr().err
    # --resume with them finds the moved and renamed folder, and continues its run
    assert main(["train", *_options(*TINY), "--epochs", "3", "--resume",
                 "--run.out_dir", str(moved.parent), "--run.name", moved.name]) == 0
    assert f"resumed {moved / 'checkpoint.pt'} after epoch 1" in capsys.readouterr().out
