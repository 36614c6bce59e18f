"""The documented command sequences run as written (walk t-502 item 2): docs/distill.md's Quick
start trained ``--data digits --method rid --teacher trained --epochs 30``, then ``--config
rid.toml --set method.params.lambda2=0.5``, and DDP's two torchrun lines ran ``--config
rid.toml`` then the same with ``--run.sync_bn true``. Each pair fell in one default run folder,
``runs/digits-rid-tt-s0`` (``DATA-METHOD[-PRESET]-tt|ut|tp-sSEED``: no parameter, epochs or
sync_bn in it) with the ``rid.toml`` of docs/api/config.rst, so the second was refused (exit 2)
by the run the first left there."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from pidkit_distill.cli import config_from_args, get_args_parser
from pidkit_distill.training.rundir import run_dir_of

ROOT = Path(__file__).parents[2]

# docs/api/config.rst's example of rid.toml, the configuration the Quick start's user writes
RID_TOML = '[data]\nname = "digits"\n\n[method]\nname = "rid"\npreset = "paper-mean"\n\n' \
           '[run]\nepochs = 30\n'


def block_after(heading: str) -> list[str]:
    """The lines of the first ```bash block under ``heading`` in docs/distill.md."""
    text = (ROOT / "docs" / "distill.md").read_text(encoding="utf-8")
    section = text.split(f"\n{heading}\n", 1)[1]
    return section.split("```bash\n", 1)[1].split("\n```", 1)[0].splitlines()


def trained_folders(lines: list[str]) -> list[Path]:
    """The run folder of each line of ``lines`` that trains a student, as the command resolves
    it: lines that only list or print (``--help``, ``--list-methods``), or import a module of
    the user's (``--import``), train none."""
    folders = []
    for line in lines:
        argv = shlex.split(line.split("#", 1)[0])
        if "train" not in argv or {"--help", "--list-methods", "--import"} & set(argv):
            continue
        args = get_args_parser().parse_args(argv[argv.index("train"):])
        folders.append(run_dir_of(config_from_args(args)))
    return folders


@pytest.mark.parametrize("heading", ["## Quick start", "## Several processes (DDP)"])
def test_each_documented_training_line_has_a_run_folder_of_its_own(tmp_path, monkeypatch,
                                                                     heading):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rid.toml").write_text(RID_TOML)
    folders = trained_folders(block_after(heading))
    assert len(folders) >= 2, folders  # the block still runs training lines in sequence
    assert len(set(folders)) == len(folders), folders


def test_the_rid_toml_of_this_test_is_the_one_the_api_page_shows():
    page = (ROOT / "docs" / "api" / "config.rst").read_text(encoding="utf-8")
    shown = re.search(r"# rid\.toml\n(.*?)\n\n\.\. ", page, re.S).group(1)
    assert "\n".join(line.removeprefix("   ") for line in shown.splitlines()) + "\n" == RID_TOML
