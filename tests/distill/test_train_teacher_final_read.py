"""``pidkit-distill train-teacher`` reads the teacher it has just trained and saved for the
held-out accuracy it prints. That read failing is the teacher's run failing, as its training
does: one line, exit status 1 (a traceback before, for all but memory running out), and the
saved teacher is kept."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
import torch
from tiny_runs import TINY, loads_failing

from pidkit_distill.cli import main
from pidkit_distill.config.teacher_keys import unused_by_teacher

NOT_A_ZIP = "PytorchStreamReader failed reading zip archive: failed finding central directory"


def _argv(out_dir: Path) -> list[str]:
    read = [item for item in TINY if unused_by_teacher(item.split("=")[0]) is None]
    return ["train-teacher", *[arg for item in [*read, f"run.out_dir={out_dir}",
                                                "teacher.epochs=1"] for arg in ("--set", item)]]


@pytest.mark.parametrize(("torch_says", "said"), [
    (OSError(errno.EIO, "Input/output error"),
     "[Errno 5] teacher file {path!r} could not be read: Input/output error; the file itself may "
     "be sound: check its permissions and its disk, then run again"),
    (RuntimeError(NOT_A_ZIP),
     "teacher file {path!r} is not a file written by torch.save (RuntimeError: "
     f"{NOT_A_ZIP}); expected a teacher: a dict whose 'model' entry is a state dict of tensors "
     "(as `pidkit-distill train-teacher` writes), or such a state dict itself"),
], ids=["a-failed-read", "not-torch-s-file"])
def test_train_teacher_s_read_of_its_teacher_failing_is_one_line(tmp_path, capsys, monkeypatch,
                                                                  torch_says, said):
    asked = loads_failing(monkeypatch, lambda: torch_says,
                          lambda path: path.name == "teacher.pt")
    assert main(_argv(tmp_path)) == 1  # trained and saved; its read for the accuracy failed
    cached = next(tmp_path.glob("teacher-*/teacher.pt"))
    said = said.format(path=str(cached))
    assert capsys.readouterr().err == f"pidkit-distill train-teacher: training failed: {said}\n"
    assert asked == [True]  # the one read, after training
    monkeypatch.undo()  # the teacher it saved is reused
    accuracy = torch.load(cached, weights_only=True)["test_acc"]
    assert main(_argv(tmp_path)) == 0
    assert capsys.readouterr().out.endswith(f"teacher: {cached} (held-out accuracy "
                                            f"{accuracy:.4f})\n")
