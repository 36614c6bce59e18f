"""A user's own distillation method: its mistakes are refused before any work (exit 2, one line
naming the method and the fix), where they trained to the end in silence or stopped the run
after its folder was made and its teacher trained (walk t-467: H1, M1, M2, L1, L4).

* a module of the method's that no optimizer trains: a regressor built in ``__init__`` and left
  out of ``optimizer_groups()``, or a head made by ``forward`` on its first call (exit 0 before,
  the module left at its initial weights);
* an error of the method's own code in ``forward`` (torch's traceback after the epoch-0 audit,
  exit 1 before);
* a ``phase()`` that returns no optimizer group (found in epoch 1 before, with no fix);
* a loss term that went NaN is named;
* a method that pairs layers one to one, given an MLP teacher and a CNN student, names the
  methods that take such a pair (each of which does).
"""

from __future__ import annotations

import inspect
import re
from itertools import chain
from typing import ClassVar

import pytest
import torch
from tiny_runs import tiny
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from pidkit_distill import (
    Distiller,
    StepOutput,
    TrainingError,
    load_config,
    register_method,
    register_model,
    tap_features,
)
from pidkit_distill.cli import main
from pidkit_distill.methods import available_methods
from pidkit_distill.methods.base import _METHODS
from pidkit_distill.models import build_model
from pidkit_distill.models.registry import _MODELS
from pidkit_distill.training import check_config, train, train_one_epoch
from pidkit_distill.training.checkpoint import restore_checkpoint
from pidkit_distill.training.model_checks import checked_step

pytestmark = pytest.mark.usefixtures("one_torch_thread", "own_methods")

CLI_TINY = ["data.name=synthetic", "data.options.n_train=96", "data.options.n_test=64",
            "data.options.dim=12", "data.options.nuisance_bits=2", "data.batch_size=32",
            "model.teacher=synthetic-teacher", "model.student=synthetic-student",
            "teacher.source=untrained", "run.audit_every=0", "run.progress=false",
            "run.threads=1", "run.device=cpu"]


@pytest.fixture
def own_methods(monkeypatch):
    """Methods and models registered by the test are gone after it."""
    monkeypatch.setattr(_METHODS, "_entries", dict(_METHODS._entries))
    monkeypatch.setattr(_MODELS, "_entries", dict(_MODELS._entries))


def cli_train(tmp_path, method: str, *more: str) -> int:
    """``pidkit-distill train`` of the tiny synthetic configuration with ``method``."""
    overrides = chain.from_iterable(("--set", item) for item in (*CLI_TINY, *more))
    return main(["train", *overrides, "--method", method, "--epochs", "2",
                 "--out-dir", str(tmp_path / "runs")])


def refused_before_any_work(tmp_path, capsys, method: str, *more: str) -> str:
    """The one line of ``pidkit-distill train`` refusing ``method`` with exit 2, after
    checking that no run folder was made."""
    assert cli_train(tmp_path, method, *more) == 2
    lines = [line for line in capsys.readouterr().err.splitlines()
             if not line.startswith("pidkit-distill train: warning: ")]  # torch's, as it ran
    assert not (tmp_path / "runs").exists()  # no folder made, no teacher trained
    assert len(lines) == 1 and lines[0].startswith("pidkit-distill train: error: method.name: ")
    return lines[0].removeprefix("pidkit-distill train: error: method.name: ")


class Regressing(Distiller):
    """CE plus the distance of a learned map of the student's logits to the teacher's."""

    def __init__(self, student, teacher, **kw):
        super().__init__(student, teacher, **kw)
        self.regressor = nn.Linear(self.num_classes, self.teacher_num_logits)

    def forward(self, x, y, *, epoch):
        logits = self.student(x)
        target = self.teacher_features(x).logits
        return StepOutput(logits, {"ce": F.cross_entropy(logits, y),
                                   "reg": F.mse_loss(self.regressor(logits), target)})


class RegressorTrained(Regressing):
    initial: ClassVar[list[torch.Tensor]] = []  # each instance's regressor weights as built

    def __init__(self, student, teacher, **kw):
        super().__init__(student, teacher, **kw)
        self.initial.append(self.regressor.weight.detach().clone())

    def optimizer_groups(self):
        groups = super().optimizer_groups()
        return {"student": groups["student"] + list(self.regressor.parameters())}


class LazyHead(Distiller):
    def forward(self, x, y, *, epoch):
        logits = self.student(x)
        if not hasattr(self, "head"):
            self.head = nn.Linear(logits.shape[1], logits.shape[1])
        return StepOutput(logits, {"ce": F.cross_entropy(self.head(logits), y)})


def test_a_regressor_in_no_optimizer_group_is_refused_naming_the_fix(tmp_path, capsys):
    register_method("forgot-groups")(type("ForgotGroups", (Regressing,), {}))
    assert refused_before_any_work(tmp_path, capsys, "forgot-groups") == (
        "method 'forgot-groups': parameter(s) regressor.weight, regressor.bias require grad but "
        "are in none of optimizer_groups() ['student'], so no optimizer trains them (they keep "
        "their initial values): return them from optimizer_groups() (e.g. groups['student'] += "
        "list(self.regressor.parameters()); see Distiller.optimizer_groups in "
        "pidkit_distill/methods/base.py), or freeze them with .requires_grad_(False)")


def test_the_regressor_returned_from_optimizer_groups_trains(tmp_path):
    def frozen_init(self, student, teacher, **kw):
        Regressing.__init__(self, student, teacher, **kw)
        self.regressor.requires_grad_(False)  # on purpose: passes

    register_method("regressor-frozen")(type("Frozen", (Regressing,), {"__init__": frozen_init}))
    check_config(tiny(tmp_path, "method.name=regressor-frozen"))
    register_method("regressor-trained")(RegressorTrained)
    train(tiny(tmp_path, "method.name=regressor-trained", "run.epochs=2"))
    initial = RegressorTrained.initial[-1]  # the run's distiller, built last
    saved = torch.load(next(tmp_path.glob("*/checkpoint.pt")), weights_only=False)
    moved = (saved["module"]["regressor.weight"] - initial).abs().max()
    assert initial.device.type == "cpu" and float(moved) > 1e-4  # an optimizer stepped it


def test_a_head_made_by_forward_is_refused_and_a_stateless_module_passes(tmp_path, capsys):
    register_method("lazy-head")(type("LazyHeadRegistered", (LazyHead,), {}))
    assert refused_before_any_work(tmp_path, capsys, "lazy-head") == (
        "method 'lazy-head': forward created module(s) head (head.weight, head.bias) on its "
        "first call: no optimizer trains them (the optimizers were made before it) and a "
        "resumed run cannot load them; create them in __init__, their sizes from "
        "self.student_shapes, self.teacher_shapes or the networks run on sample_input")

    def keeps_a_loss_function(self, x, y, *, epoch):
        self.loss = nn.CrossEntropyLoss()  # no tensors: nothing to train or save
        logits = self.student(x)
        return StepOutput(logits, {"ce": self.loss(logits, y)})

    register_method("loss-kept")(type("LossKept", (Distiller,), {"forward": keeps_a_loss_function}))
    assert check_config(tiny(tmp_path, "method.name=loss-kept")).method.method_name == "loss-kept"


def test_the_checks_work_on_the_meta_device_and_on_the_cpu(tmp_path):
    data = check_config(tiny(tmp_path, "method.name=bas")).data
    for device in ("meta", "cpu"):
        with torch.device(device):
            lazy, forgot = (method(*_synthetic_pair(data.num_classes),
                                   sample_input=torch.zeros(2, 12), num_classes=data.num_classes)
                            for method in (LazyHead, Regressing))
        assert {p.device.type for p in chain(lazy.parameters(), forgot.parameters())} == {device}
        with pytest.raises(ValueError, match=r"^method 'LazyHead': forward created module\(s\) "
                                             r"head \(head\.weight, head\.bias\)"):
            checked_step(lazy, data, run_epochs=1)
        with pytest.raises(ValueError, match=r"^method 'Regressing': parameter\(s\) "
                                             r"regressor\.weight, regressor\.bias require grad"):
            checked_step(forgot, data, run_epochs=1)


def _synthetic_pair(num_classes: int) -> list[nn.Module]:
    """The tiny configuration's student and teacher, built on the default device."""
    return [build_model(name, num_classes=num_classes, in_channels=12)
            for name in ("synthetic-student", "synthetic-teacher")]


@pytest.mark.parametrize("data", ["synthetic", "digits"])
@pytest.mark.parametrize("method", ["bas", "itrd", "kd", "mimkd", "rid", "ted", "vid"])
def test_every_method_that_ships_passes_with_each_parameter_in_a_group(tmp_path, method, data):
    more = ["method.params.warmup_epochs=1", "method.params.cycle_epochs=4"] \
        if method == "rid" else []
    config = tiny(tmp_path, f"method.name={method}", *more) if data == "synthetic" else \
        load_config(overrides=["data.name=digits", "teacher.source=untrained", "run.epochs=20",
                               f"run.out_dir={tmp_path}", f"method.name={method}"])
    checked = check_config(config)
    # the reference, independent of the check: built on the CPU, every trainable parameter
    # that is not the teacher's is in a group
    spec = checked.data
    nets = [build_model(name, num_classes=spec.num_classes, in_channels=spec.input_shape[0])
            for name in (checked.config.model.student, checked.config.model.teacher)]
    distiller = checked.method(*nets, sample_input=torch.randn(2, *spec.input_shape),
                               num_classes=spec.num_classes, preset=checked.preset,
                               **checked.params.to_dict())
    grouped = {id(p) for ps in distiller.optimizer_groups().values() for p in ps}
    teachers = {id(p) for p in distiller.teacher.parameters()}
    trainable = [n for n, p in distiller.named_parameters() if p.requires_grad]
    assert trainable and not any(p.requires_grad for p in distiller.teacher.parameters())
    assert [n for n, p in distiller.named_parameters()
            if p.requires_grad and id(p) not in grouped | teachers] == []
    assert {distiller.phase(e) for e in range(20)} <= set(distiller.optimizer_groups())


def _shape_bug(self, x, y, *, epoch):
    logits = self.student(x)
    return StepOutput(logits, {"ce": F.cross_entropy(logits, y),
                               "bad": F.mse_loss(logits, x)})  # (N, 4) against (N, 12)


def _shape_bug_after_item(self, x, y, *, epoch):
    logits = self.student(x)
    scale = 1.0 + logits.abs().mean().item()  # a value: the check runs it on the CPU
    return StepOutput(logits, {"ce": scale * F.cross_entropy(logits, y),
                               "bad": F.mse_loss(logits, x)})  # (N, 4) against (N, 12)


def _line_of(function, text: str) -> int:
    lines, first = inspect.getsourcelines(function)
    return first + next(k for k, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("forward", [_shape_bug, _shape_bug_after_item])
def test_an_error_of_the_methods_code_is_one_line_naming_its_file_and_line(tmp_path, capsys,
                                                                           forward):
    # the CPU's failure (after .item()) was skipped: the run's traceback after the audit, exit 1
    register_method("shape-bug")(type("ShapeBug", (Distiller,), {"forward": forward}))
    line = _line_of(forward, '"bad": F.mse_loss')
    said = refused_before_any_work(tmp_path, capsys, "shape-bug")
    assert re.fullmatch(
        rf"method 'shape-bug': its code failed at {re.escape(__file__)}:{line} \(in "
        rf"{forward.__name__}\) on a batch of two samples: The size of tensor a \(4\) must match "
        r"the size of tensor b \(12\) at non-singleton dimension 1 \(RuntimeError\); fix the "
        r"method's code: every training step fails the same way", said), said


@pytest.mark.parametrize("error", [
    RuntimeError("Expected all tensors to be on the same device, but found at least two "
                 "devices, cuda:0 and cpu!"),
    RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB"),
    MemoryError()])
def test_a_failure_that_is_not_the_methods_code_is_left_to_the_run(tmp_path, error):
    # a .cuda() in the method meets a CPU check, memory: the run's step tells it, in its context
    def forward(self, x, y, *, epoch):
        raise error

    register_method("not-the-code")(type("NotTheCode", (Distiller,), {"forward": forward}))
    assert check_config(tiny(tmp_path, "method.name=not-the-code")).method is not None


def _critic_in_odd_epochs_from(start):
    def phase(self, epoch):
        return "critic" if epoch >= start and epoch % 2 else "student"
    return phase


def _ce(self, x, y, *, epoch):
    logits = self.student(x)
    return StepOutput(logits, {"ce": F.cross_entropy(logits, y)})


def test_a_phase_of_no_optimizer_group_is_refused_with_the_fix(tmp_path, capsys):
    register_method("two-phase")(type("TwoPhase", (Distiller,), {
        "phase": lambda self, epoch: "student" if epoch % 2 else "critic", "forward": _ce}))
    assert refused_before_any_work(tmp_path, capsys, "two-phase") == (
        "method 'two-phase': phase(0) returned 'critic', not one of its optimizer groups "
        "['student']: add 'critic' to optimizer_groups(), or return one of ['student'] from "
        "phase()")


def test_a_phase_is_checked_in_the_epochs_the_run_trains(tmp_path):
    register_method("late-critic")(type("LateCritic", (Distiller,), {
        "phase": _critic_in_odd_epochs_from(3), "forward": _ce}))
    check_config(tiny(tmp_path, "method.name=late-critic", "run.epochs=3"))  # never reached
    with pytest.raises(ValueError, match=r"^method\.name: method 'late-critic': phase\(3\) "
                                         r"returned 'critic', not one of"):
        check_config(tiny(tmp_path, "method.name=late-critic", "run.epochs=4"))


class NanTerm(Distiller):
    method_name = "nan-term"

    def forward(self, x, y, *, epoch):
        logits = self.student(x)
        ce = F.cross_entropy(logits, y)
        bad = ce * float("nan") if epoch == self.params_epoch else ce * 0
        return StepOutput(logits, {"ce": ce, "bad": bad, "all": ce * 0 + self.all_bad})


def _nan_module(*, all_bad: float = 0.0, at_epoch: int = 0) -> NanTerm:
    def mlp(width):
        return tap_features(nn.Sequential(nn.Linear(4, width), nn.ReLU(), nn.Linear(width, 2)),
                            layers=["1"])
    torch.manual_seed(0)
    module = NanTerm(mlp(3), mlp(5), sample_input=torch.randn(2, 4), num_classes=2)
    module.params_epoch, module.all_bad = at_epoch, all_bad
    return module


def test_a_nan_loss_names_the_term_that_went_nan():
    x, y = torch.randn(8, 4), torch.arange(8) % 2
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    module = _nan_module()
    optimizer = torch.optim.SGD(module.optimizer_groups()["student"], lr=0.1)
    with pytest.raises(TrainingError) as err:
        train_one_epoch(module, loader, optimizer, epoch=0, device=torch.device("cpu"))
    assert str(err.value).startswith(
        "the training loss became NaN or infinite through its term 'bad' ('all', 'ce' stayed "
        "finite) in epoch 1, step 1 of 2; ")
    # every term gone: the words of a diverged run, no term singled out
    module = _nan_module(all_bad=float("inf"))
    module.forward = lambda x, y, *, epoch: StepOutput(module.student(x), {
        "ce": F.cross_entropy(module.student(x), y) * float("nan"),
        "kd": module.student(x).sum() * float("inf")})
    with pytest.raises(TrainingError) as err:
        train_one_epoch(module, loader, optimizer, epoch=0, device=torch.device("cpu"))
    assert str(err.value).startswith("the training loss became NaN or infinite in epoch 1, step 1")


def test_the_cli_names_the_term_and_exits_1(tmp_path, capsys):
    def forward(self, x, y, *, epoch):
        logits = self.student(x)
        ce = F.cross_entropy(logits, y)
        return StepOutput(logits, {"ce": ce, "bad": ce * float("nan") if epoch == 1 else ce * 0})

    register_method("nan-late")(type("NanLate", (Distiller,), {"forward": forward}))
    assert cli_train(tmp_path, "nan-late") == 1
    err = capsys.readouterr().err
    assert "pidkit-distill train: training failed: the training loss became NaN or infinite " \
           "through its term 'bad' ('ce' stayed finite) in epoch 2, step 1 of 3; saved: " in err


def _mlp_teacher(*, num_classes, in_channels):
    net = nn.Sequential(nn.Flatten(), nn.Linear(64 * in_channels, 32), nn.ReLU(),
                        nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                        nn.Linear(32, num_classes))
    return tap_features(net, layers=["2", "4", "6"])


@pytest.mark.parametrize("method", ["rid", "ted", "vid"])
def test_a_layer_pairing_method_names_the_methods_that_take_an_mlp_and_a_cnn(tmp_path, method):
    register_model("mlp-teacher")(_mlp_teacher)
    config = load_config(overrides=["data.name=digits", "model.teacher=mlp-teacher",
                                    "model.student=digits-student", "teacher.source=untrained",
                                    f"run.out_dir={tmp_path}", f"method.name={method}"])
    with pytest.raises(ValueError) as err:
        check_config(config)
    assert str(err.value) == (
        f"model.student: layer 0: teacher feature shape (32,) and student feature shape (8, 8, "
        f"8) differ beyond the channel axis; method {method!r} needs equal spatial sizes: tap "
        "layers of one kind in both models (feature maps of one height and width, or vectors "
        "(C,) in both) with pidkit_distill.tap_features(model, layers=[...]), or use a method "
        "that takes such a pair: kd, itrd, bas, or mimkd with method.params.lambda_f=0.")
    # the advice holds: each method named takes this very pair
    for named, more in [("kd", []), ("itrd", []), ("bas", []), ("mimkd", ["lambda_f=0"])]:
        taken = check_config(load_config(overrides=[
            "data.name=digits", "model.teacher=mlp-teacher", "model.student=digits-student",
            "teacher.source=untrained", f"run.out_dir={tmp_path}", f"method.name={named}",
            *(f"method.params.{item}" for item in more)]))
        assert taken.method.method_name == named
    assert {"kd", "itrd", "bas", "mimkd"} <= set(available_methods())


def test_a_checkpoint_with_a_module_of_the_methods_own_names_the_method():
    module = _nan_module()
    saved = {"module": {**module.state_dict(), "head.weight": torch.zeros(2, 2)}}
    with pytest.raises(ValueError) as err:
        restore_checkpoint(saved, module=module, optimizers={}, schedulers={},
                           loader_generator=torch.Generator(), runtime=None)
    assert str(err.value) == (
        "checkpoint does not fit the networks built now (head.weight unexpected): their code "
        "changed since the run was trained (the code of method 'nan-term', whose own module(s) "
        "head differ (edited, or made by its forward on its first call, not in __init__)); "
        "restore the code the run was trained with to continue it, or start a new run (another "
        "run.name)")
    saved["module"]["student.0.bias"] = torch.zeros(7)
    with pytest.raises(ValueError, match=r"\(a builder of model\.student or model\.teacher "
                                         r"edited; the code of method 'nan-term', whose"):
        restore_checkpoint(saved, module=module, optimizers={}, schedulers={},
                           loader_generator=torch.Generator(), runtime=None)
