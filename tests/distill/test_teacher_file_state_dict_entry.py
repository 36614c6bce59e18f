"""A teacher file holding its state dict under another key (a Lightning checkpoint's
{"state_dict": sd, "epoch": 200}) is told the line that saves it alone (t-413 L8)."""

from __future__ import annotations

import pytest
import torch

from pidkit_distill.models import build_model
from pidkit_distill.training.teacher_files import read_teacher_file

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_a_checkpoint_with_a_state_dict_entry_is_told_the_line_that_saves_it(tmp_path):
    weights = build_model("synthetic-teacher", num_classes=4, in_channels=12).state_dict()
    path = tmp_path / "lightning.ckpt"
    torch.save({"state_dict": weights, "epoch": 200}, path)
    with pytest.raises(ValueError) as info:
        read_teacher_file(path)
    said = str(info.value)
    line = (f"torch.save(torch.load({str(path)!r}, weights_only=True)['state_dict'], "
            "'teacher-weights.pt')")
    assert said.startswith(f"teacher file {str(path)!r} holds ['epoch', 'state_dict']; expected")
    assert f"Its entry 'state_dict' is a state dict: if it holds the teacher's weights, save it " \
           f"alone once, {line}, and pass that file" in said
    exec(line.replace("'teacher-weights.pt'", repr(str(tmp_path / "w.pt"))))  # the line as told
    saved = read_teacher_file(tmp_path / "w.pt")["model"]
    assert saved.keys() == weights.keys()
    assert all(torch.equal(saved[k], weights[k]) for k in weights)


def test_a_file_without_any_state_dict_gets_no_such_line(tmp_path):
    path = tmp_path / "other.pt"
    torch.save({"epoch": 200, "lr": torch.tensor(0.1)}, path)
    with pytest.raises(ValueError) as info:
        read_teacher_file(path)
    assert "Its entry" not in str(info.value)
