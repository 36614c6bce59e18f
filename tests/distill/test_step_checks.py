"""check_config runs the method's training step: a batch of one sample for BatchNorm layers of
one value per channel per sample (the last batch of 2 x 64 + 1 samples, after a teacher's whole
training), and a user method's loss terms that the trainer cannot back-propagate, are refused
before any work in one line naming the fix; the trainer's step checks the loss terms too."""

from __future__ import annotations

import pytest
import torch
from tiny_runs import tiny
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from pidkit_distill import (
    Distiller,
    StepOutput,
    load_config,
    register_method,
    register_model,
    tap_features,
)
from pidkit_distill.cli import main
from pidkit_distill.methods.base import _METHODS
from pidkit_distill.models.registry import _MODELS
from pidkit_distill.training import check_config, train, train_one_epoch

pytestmark = pytest.mark.usefixtures("one_torch_thread")

STUDENT_BN = "model.student 'synthetic-student' (BatchNorm1d(8))"


def test_a_last_batch_of_one_sample_for_a_student_with_batchnorm_is_refused(tmp_path):
    # 97 = 3 x 32 + 1: torch's "Expected more than 1 value per channel when training" in the
    # epoch's last step
    with pytest.raises(ValueError) as err:
        check_config(tiny(tmp_path, "method.name=bas", "data.options.n_train=97"))
    assert str(err.value) == (
        "data.batch_size: a training batch of data.batch_size=32 from 97 samples holds only 1 "
        "sample, but BatchNorm layers that normalise one value per channel per sample cannot "
        f"train on one sample: those of {STUDENT_BN}; set data.drop_last=true or change "
        "data.batch_size (e.g. 33)")


def test_drop_last_drops_the_batch_of_one_and_the_run_trains(tmp_path):
    checked = check_config(tiny(tmp_path, "method.name=bas", "data.options.n_train=97",
                                "data.drop_last=true", "run.epochs=1"))
    assert checked.data.n_train == 97


def test_the_teacher_trained_first_is_named_first_and_nothing_is_trained(tmp_path, capsys):
    code = main(["train", "--data", "synthetic", "--model.teacher", "synthetic-teacher",
                 "--model.student", "synthetic-student", "--set", "data.options.n_train=129",
                 "--method", "bas", "--teacher.epochs", "5", "--epochs", "1",
                 "--audit-every", "0", "--out-dir", str(tmp_path)])
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        "pidkit-distill train: error: data.batch_size: a training batch of data.batch_size=64 "
        "from 129 samples holds only 1 sample, but BatchNorm layers that normalise one value "
        "per channel per sample cannot train on one sample: those of model.teacher "
        "'synthetic-teacher', trained first (BatchNorm1d(128)) and model.student "
        "'synthetic-student' (BatchNorm1d(8)); set data.drop_last=true or change "
        "data.batch_size (e.g. 65)"]
    assert not list(tmp_path.rglob("teacher.pt"))


def test_train_teacher_refuses_the_batch_of_one_too(tmp_path):
    config = tiny(tmp_path, "data.options.n_train=97", "teacher.source=trained")
    with pytest.raises(ValueError, match=r"^data\.batch_size: .* holds only 1 sample, .*: those "
                                         r"of model\.teacher 'synthetic-teacher' "
                                         r"\(BatchNorm1d\(128\)\); set data\.drop_last=true"):
        check_config(config, teacher_only=True)


class BatchNormKeptInEval(nn.Sequential):
    """A network whose ``train()`` keeps its BatchNorm in eval mode (frozen statistics)."""

    def train(self, mode: bool = True) -> BatchNormKeptInEval:
        super().train(mode)
        for module in self.modules():
            if isinstance(module, nn.BatchNorm1d):
                module.eval()
        return self


def _teacher_with_batchnorm(*, frozen: bool = False, built_in_eval_mode: bool = False,
                            lazy: bool = False):
    """A builder of an MLP teacher with a BatchNorm1d(16) over its hidden features (a lazy one
    that becomes it in its first forward pass: ``lazy``)."""
    def build(*, num_classes, in_channels):
        norm = nn.LazyBatchNorm1d() if lazy else nn.BatchNorm1d(16)
        net = (BatchNormKeptInEval if frozen else nn.Sequential)(
            nn.Linear(in_channels, 16), norm, nn.ReLU(), nn.Linear(16, num_classes))
        return tap_features(net.eval() if built_in_eval_mode else net, layers=["0"])
    return build


@pytest.fixture
def without_batchnorm_student(monkeypatch):
    """Models registered by the test are gone after it; 'mlp-student' has no BatchNorm."""
    monkeypatch.setattr(_MODELS, "_entries", dict(_MODELS._entries))
    register_model("mlp-student")(lambda *, num_classes, in_channels: tap_features(
        nn.Sequential(nn.Linear(in_channels, 16), nn.ReLU(), nn.Linear(16, num_classes)),
        layers=["0"]))
    return ("method.name=kd", "model.student=mlp-student", "teacher.source=trained",
            "teacher.epochs=1", "run.epochs=1", "data.options.n_train=97")


def test_a_teacher_whose_train_keeps_batchnorm_in_eval_mode_trains_on_one_sample(
        tmp_path, without_batchnorm_student):
    # refused before, as if the teacher trained its BatchNorm on the batch of one sample
    register_model("frozen-bn-teacher")(_teacher_with_batchnorm(frozen=True))
    config = tiny(tmp_path, *without_batchnorm_student, "model.teacher=frozen-bn-teacher")
    assert check_config(config, teacher_only=True).teacher_data.n_train == 97
    assert train(config).epochs_done == 1
    assert len(list(tmp_path.rglob("teacher.pt"))) == 1


@pytest.mark.parametrize("teacher_only, named", [
    (False, "model.teacher 'eval-built-teacher', trained first (BatchNorm1d(16))"),
    (True, "model.teacher 'eval-built-teacher' (BatchNorm1d(16))")])
def test_a_teacher_built_in_eval_mode_is_trained_in_training_mode_and_refused(
        tmp_path, without_batchnorm_student, teacher_only, named):
    # the run's train() puts its BatchNorm in training mode: torch's "Expected more than 1 value
    # per channel when training" in the teacher's first epoch before, after the check passed
    register_model("eval-built-teacher")(_teacher_with_batchnorm(built_in_eval_mode=True))
    config = tiny(tmp_path, *without_batchnorm_student, "model.teacher=eval-built-teacher")
    with pytest.raises(ValueError) as err:
        check_config(config, teacher_only=teacher_only)
    assert str(err.value).endswith(
        f"those of {named}; set data.drop_last=true or change data.batch_size (e.g. 33)")


def test_a_lazy_batchnorm_of_the_teacher_trained_first_is_refused(tmp_path,
                                                                  without_batchnorm_student):
    # nn.LazyBatchNorm1d is no BatchNorm1d in the network built anew: passed before, then
    # torch's "Expected more than 1 value per channel when training" in the teacher's training
    register_model("lazy-bn-teacher")(_teacher_with_batchnorm(lazy=True))
    with pytest.raises(ValueError) as err:
        check_config(tiny(tmp_path, *without_batchnorm_student, "model.teacher=lazy-bn-teacher"))
    assert str(err.value).endswith(
        "those of model.teacher 'lazy-bn-teacher', trained first (BatchNorm1d(16)); set "
        "data.drop_last=true or change data.batch_size (e.g. 33)")


def test_the_batch_size_suggested_fits_the_teacher_and_the_student(tmp_path):
    # 129 = 2 x 64 + 1 teacher samples: 65 suggested before, which leaves the student's 131 =
    # 2 x 65 + 1 samples a batch of one
    config = ("method.name=kd", "teacher.source=trained", "data.options.n_train=131",
              "teacher.data_options.n_train=129")
    with pytest.raises(ValueError) as err:
        check_config(tiny(tmp_path, *config, "data.batch_size=64"))
    assert str(err.value).endswith(
        "those of model.teacher 'synthetic-teacher', trained first (BatchNorm1d(128)); set "
        "data.drop_last=true or change data.batch_size (e.g. 66)")
    checked = check_config(tiny(tmp_path, *config, "data.batch_size=66"))
    assert (checked.teacher_data.n_train, checked.data.n_train) == (129, 131)


def test_the_batchnorm_filters_of_a_method_are_named(tmp_path):
    # RID's filters normalise (N, C) features: a batch of 95 of 96 samples leaves one
    with pytest.raises(ValueError) as err:
        check_config(tiny(tmp_path, "method.name=rid", "data.batch_size=95", "run.epochs=30"))
    assert str(err.value).endswith(
        f"those of {STUDENT_BN} and method 'rid', its own modules (BatchNorm1d(128), "
        "BatchNorm1d(8)); set data.drop_last=true or change data.batch_size (e.g. 96)")


def test_a_batch_size_of_one_is_refused_without_drop_last_as_a_fix(tmp_path):
    with pytest.raises(ValueError) as err:
        check_config(tiny(tmp_path, "method.name=bas", "data.batch_size=1"))
    assert str(err.value).endswith(f"those of {STUDENT_BN}; change data.batch_size (e.g. 2)")


def test_each_process_share_counts_unless_batchnorm_is_synchronised(tmp_path, monkeypatch):
    # 98 = 3 x 32 + 2: the last batch gives each of two processes one sample
    for name, value in {"WORLD_SIZE": "2", "RANK": "0", "LOCAL_RANK": "0",
                        "LOCAL_WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1",
                        "MASTER_PORT": "29500"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as err:
        check_config(tiny(tmp_path, "method.name=bas", "data.options.n_train=98"))
    assert str(err.value).startswith(
        "data.batch_size: a training batch of data.batch_size=32 from 98 samples holds only 2 "
        "samples, of which a process of the 2 gets 1, but BatchNorm layers")
    assert str(err.value).endswith("change data.batch_size (e.g. 33)")
    check_config(tiny(tmp_path, "method.name=bas", "data.options.n_train=98", "run.sync_bn=true"))


def test_batchnorm_over_feature_maps_trains_on_one_sample(tmp_path):
    # digits' convolutions normalise 8 x 8 values per channel: 1347 = 1346 + 1 is no error
    checked = check_config(load_config(overrides=[
        "method.name=bas", "teacher.source=untrained", "data.batch_size=1346",
        f"run.out_dir={tmp_path}"]))
    assert checked.data.n_train == 1347


def _forward_returning(losses):
    """A method's forward that returns ``losses(logits, y)`` as its loss terms."""
    def forward(self, x, y, *, epoch):
        logits = self.student(x)
        return StepOutput(logits, losses(logits, y))
    return forward


BAD_LOSSES = {
    "ce-per-sample": (lambda logits, y: {"ce": F.cross_entropy(logits, y, reduction="none")},
                      "losses['ce'] must be a 0-d tensor that requires grad; got shape (2,): "
                      "reduce it to the batch's mean (reduction=\"mean\", or .mean())"),
    "ce-detached": (lambda logits, y: {"ce": F.cross_entropy(logits, y).detach(),
                                       "off": torch.zeros(())},
                    "no loss term requires grad (losses['ce'], losses['off']): compute them "
                    "from the networks' outputs, not under torch.no_grad() nor .detach()-ed"),
    "ce-number": (lambda logits, y: {"ce": 0.5},
                  "losses['ce'] must be a 0-d tensor that requires grad; got a float (0.5): "
                  "return the tensor itself, not its .item() or a number"),
    "ce-none": (lambda logits, y: {},
                "StepOutput.losses must be a dict of at least one named loss term (a 0-d "
                "tensor that requires grad); got an empty dict"),
}


@pytest.fixture
def own_methods(monkeypatch):
    """Methods registered by the test are gone after it."""
    monkeypatch.setattr(_METHODS, "_entries", dict(_METHODS._entries))


@pytest.mark.usefixtures("own_methods")
@pytest.mark.parametrize("name", sorted(BAD_LOSSES))
def test_a_method_whose_loss_cannot_be_backpropagated_is_refused_by_the_check(tmp_path, name):
    losses, message = BAD_LOSSES[name]
    register_method(name)(type(name, (Distiller,), {"forward": _forward_returning(losses)}))
    with pytest.raises(ValueError) as err:
        check_config(tiny(tmp_path, f"method.name={name}"))
    assert str(err.value) == f"method.name: method {name!r}: {message}"


@pytest.mark.usefixtures("own_methods")
def test_a_forward_that_returns_the_loss_alone_is_shown_the_return_to_write(tmp_path):
    def forward(self, x, y, *, epoch):
        return F.cross_entropy(self.student(x), y)

    register_method("loss-alone")(type("LossAlone", (Distiller,), {"forward": forward}))
    with pytest.raises(ValueError) as err:
        check_config(tiny(tmp_path, "method.name=loss-alone"))
    assert str(err.value) == (
        "method.name: method 'loss-alone': forward must return a StepOutput(logits, losses); got "
        "Tensor: end it with return StepOutput(logits, {'ce': loss}) (from pidkit_distill import "
        "StepOutput), one named term per loss")


@pytest.mark.usefixtures("own_methods")
def test_a_constant_term_beside_one_that_requires_grad_trains_as_before(tmp_path):
    # a term switched off (its weight 0) or logged: it adds nothing to the gradient, and it
    # trained before the check; refused by the first version of the check
    losses = _forward_returning(lambda logits, y: {"ce": F.cross_entropy(logits, y),
                                                   "off": torch.zeros(()),
                                                   "logged": logits.detach().abs().mean()})
    register_method("ce-and-constants")(type("CEConst", (Distiller,), {"forward": losses}))
    checked = check_config(tiny(tmp_path, "method.name=ce-and-constants"))
    assert checked.method.method_name == "ce-and-constants"


@pytest.mark.usefixtures("own_methods")
def test_a_loss_read_with_item_is_refused_on_the_cpu_where_meta_cannot_read_it(tmp_path):
    # .item() cannot run on the meta device: the step runs again with networks on the CPU
    losses = _forward_returning(lambda logits, y: {"ce": F.cross_entropy(logits, y).item()})
    register_method("ce-item")(type("CEItem", (Distiller,), {"forward": losses}))
    with pytest.raises(ValueError, match=r"^method\.name: method 'ce-item': losses\['ce'\] must "
                                         r"be a 0-d tensor that requires grad; got a float \("):
        check_config(tiny(tmp_path, "method.name=ce-item"))


@pytest.mark.parametrize("grad_off", [torch.no_grad, torch.inference_mode])
def test_a_check_without_gradients_accepts_a_good_method(tmp_path, grad_off):
    # a notebook's inference cell: the step runs with gradients, as the run trains
    with grad_off():
        checked = check_config(tiny(tmp_path, "method.name=kd"))
    assert checked.method.method_name == "kd"


def test_the_training_step_names_the_method_and_the_term():
    # a module trained without check_config (train_one_epoch from Python): torch's "grad can
    # be implicitly created only for scalar outputs" before
    class PerSample(Distiller):
        method_name = "per-sample"
        forward = _forward_returning(
            lambda logits, y: {"ce": F.cross_entropy(logits, y, reduction="none")})

    def mlp(width):
        net = torch.nn.Sequential(torch.nn.Linear(4, width), torch.nn.ReLU(),
                                  torch.nn.Linear(width, 2))
        return tap_features(net, layers=["1"])

    x, y = torch.randn(8, 4), torch.arange(8) % 2
    module = PerSample(mlp(3), mlp(5), sample_input=x, num_classes=2)
    optimizer = torch.optim.SGD(module.optimizer_groups()["student"], lr=0.1)
    with pytest.raises(ValueError) as err:
        train_one_epoch(module, DataLoader(TensorDataset(x, y), batch_size=4), optimizer,
                        epoch=0, device=torch.device("cpu"))
    assert str(err.value) == (
        "method 'per-sample': losses['ce'] must be a 0-d tensor that requires grad; got shape "
        "(4,): reduce it to the batch's mean (reduction=\"mean\", or .mean())")
