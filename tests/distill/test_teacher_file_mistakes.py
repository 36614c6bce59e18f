"""Teacher files a researcher brings from their own code: a whole pickled model (refused without
being unpickled, with the state dict to save instead), the keys of a DDP or torch.compile wrapper,
and a teacher of another number of classes than the data's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch
from tiny_runs import TINY

from pidkit_distill.cli import main
from pidkit_distill.data import describe_dataset
from pidkit_distill.models import build_model
from pidkit_distill.training.teacher_files import check_teacher_file, read_teacher_file

SPEC = describe_dataset("synthetic", n_train=96, n_test=64, dim=12, nuisance_bits=2)

# a model class of the researcher's own, in a module whose import leaves a marker file
OWN_MODULE = '''
from pathlib import Path

from torch import nn

Path(__file__).with_name("imported").touch()


class TeacherCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(12, 4)

    def forward(self, x):
        return self.fc(x)
'''


@pytest.fixture
def own_model_files(tmp_path, monkeypatch):
    """``whole.pt`` (``torch.save(model)``) and ``in-dict.pt`` (``torch.save({"model": model,
    "epoch": 3})``) of a model of the module ``own_teachers``, which is then forgotten: neither
    in ``sys.modules`` nor on the path, its marker file removed."""
    (tmp_path / "own_teachers.py").write_text(OWN_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import own_teachers

    net = own_teachers.TeacherCNN()
    torch.save(net, tmp_path / "whole.pt")
    torch.save({"model": net, "epoch": 3}, tmp_path / "in-dict.pt")
    del sys.modules["own_teachers"]
    monkeypatch.undo()
    (tmp_path / "imported").unlink()
    return tmp_path


def test_a_whole_pickled_model_is_refused_unread_with_the_state_dict_to_save(own_model_files):
    # it was: "holds Python objects other than tensors and plain values (Unsupported global:)",
    # naming neither the model nor how to save it as a state dict
    whole = own_model_files / "whole.pt"
    with pytest.raises(ValueError) as err:
        read_teacher_file(whole)
    assert str(err.value) == (
        f"teacher file {str(whole)!r} holds a whole pickled model (a own_teachers.TeacherCNN, as "
        "torch.save(model) writes it), not its weights; it was not loaded: unpickling it would run "
        "the code it names (teacher files are read with torch.load(weights_only=True) and never "
        "run). Save its state dict instead: torch.save(model.state_dict(), PATH) where you "
        f"trained it, or, if you trust this file, torch.save(torch.load({str(whole)!r}, "
        "weights_only=False).state_dict(), 'teacher-weights.pt') once, and pass that file")
    in_dict = own_model_files / "in-dict.pt"
    with pytest.raises(ValueError, match=r"\(a own_teachers.TeacherCNN, as torch.save\(\{'model': "
                                         r"model, \.\.\.\}\) writes it\).* torch.load\(.*in-dict.pt"
                                         r"', weights_only=False\)\['model'\].state_dict\(\)"):
        read_teacher_file(in_dict)
    assert not (own_model_files / "imported").exists()  # its module was never imported


def test_a_pickled_torch_model_is_named_by_its_class(tmp_path):
    path = tmp_path / "seq.pt"
    torch.save(torch.nn.Sequential(torch.nn.Linear(2, 2)), path)
    with pytest.raises(ValueError, match=r"holds a whole pickled model \(a "
                                         r"torch.nn.modules.container.Sequential, as "
                                         r"torch.save\(model\) writes it\)"):
        read_teacher_file(path)


def test_the_command_refuses_a_whole_pickled_model_in_one_line(own_model_files, capsys):
    whole = own_model_files / "whole.pt"
    tiny = [f"--set={o}" for o in TINY if not o.startswith("teacher.source=")]
    assert main(["train", *tiny, "--teacher", str(whole), "--epochs", "1",
                 "--run.out_dir", str(own_model_files / "runs")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pidkit-distill train: error: teacher.source: teacher file "
                          f"{str(whole)!r} holds a whole pickled model (a "
                          "own_teachers.TeacherCNN, ")
    assert err.count("\n") == 1
    assert not (own_model_files / "imported").exists()


@pytest.mark.parametrize(("prefix", "wrapper", "saved"), [
    ("module.", "a DistributedDataParallel or DataParallel wrapper (ddp.state_dict())",
     "ddp.module.state_dict()"),
    ("_orig_mod.", "a model compiled with torch.compile (compiled.state_dict())",
     "compiled._orig_mod.state_dict()"),
])
def test_keys_of_a_wrapper_are_told_with_the_prefix_to_strip(prefix, wrapper, saved):
    # it was: "does not fit ...: 0.bias missing; 0.weight missing; 2.bias missing; ...; use the
    # model.teacher and data it was trained with", the prefixed keys hidden behind the "..."
    weights = build_model("synthetic-teacher", num_classes=4, in_channels=12).state_dict()
    wrapped = {prefix + k: v for k, v in weights.items()}
    first = sorted(weights)[0]
    with pytest.raises(ValueError) as err:
        check_teacher_file({"model": wrapped}, Path("t.pt"),
                           model="synthetic-teacher", spec=SPEC)
    assert str(err.value) == (
        f"teacher file 't.pt' has every key prefixed {prefix!r} ({prefix}{first}), as the state "
        f"dict of {wrapper} has them, but model.teacher='synthetic-teacher' has its keys without "
        f"it ({first}): save {saved}, or strip the prefix once: state = "
        f"{{k.removeprefix({prefix!r}): v for k, v in state.items()}}, then torch.save(state, "
        "PATH)")
    stripped = {k.removeprefix(prefix): v for k, v in wrapped.items()}
    check_teacher_file({"model": stripped}, Path("t.pt"),
                       model="synthetic-teacher", spec=SPEC)  # the fix it gives fits


def test_a_teacher_of_other_classes_is_told_its_number_of_classes():
    # it was told only "use the model.teacher and data it was trained with"
    weights = build_model("synthetic-teacher", num_classes=10, in_channels=12).state_dict()
    with pytest.raises(ValueError) as err:
        check_teacher_file({"model": weights}, Path("t.pt"),
                           model="synthetic-teacher", spec=SPEC)
    assert str(err.value) == (
        "teacher file 't.pt' does not fit model.teacher='synthetic-teacher' for data 'synthetic' "
        "(4 classes, input shape (12,)): fc.bias has shape (10,), the model (4,); fc.weight has "
        "shape (10, 128), the model (4, 128); its classifier has 10 outputs, a teacher of 10 "
        "classes, not 4: pass the data it was trained on, or train a teacher on this data "
        "(teacher.source=trained)")
    other_inputs = build_model("synthetic-teacher", num_classes=4, in_channels=20).state_dict()
    with pytest.raises(ValueError, match=r"the model \(128, 12\); use the model.teacher and data "
                                         r"it was trained with$"):
        check_teacher_file({"model": other_inputs}, Path("t.pt"),
                           model="synthetic-teacher", spec=SPEC)


def test_a_file_holding_another_python_object_names_its_class(tmp_path):
    # torch's detail was cut to "(Unsupported global:)", the class it names left out
    import argparse

    path = tmp_path / "teacher.pt"
    torch.save({"model": {}, "args": argparse.Namespace(lr=0.1)}, path)
    with pytest.raises(ValueError, match=r"plain values \(Unsupported global: GLOBAL "
                                         r"argparse\.Namespace\), so it was not loaded"):
        read_teacher_file(path)
