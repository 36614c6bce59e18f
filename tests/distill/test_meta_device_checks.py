"""The configuration check builds and runs the models on the meta device, which has shapes but no
values. A model that reads values (timm's drop-path rates, ``.item()`` of a ``torch.linspace``
in ``__init__``; an ``assert`` on its inputs in ``forward``) was refused there though it trains
(a traceback from torch's meta registrations, or "cannot take the inputs ...: Tensor.item()
cannot be called on meta tensors"): it is now checked on the CPU, and refused only if it really
cannot take the data. A builder's own error was its traceback: it is one line naming the
setting, the registered name and the error, as a loader's is."""

from __future__ import annotations

import sys
import textwrap

import pytest
import torch
from torch import nn

from pidkit_distill import build_model, check_config, register_method, register_model, tap_features
from pidkit_distill.cli import main
from pidkit_distill.config_text import load_config
from pidkit_distill.methods.base import _METHODS
from pidkit_distill.methods.kd import KD
from pidkit_distill.models import needs_real_tensors
from pidkit_distill.models.registry import _MODELS

pytestmark = pytest.mark.usefixtures("one_torch_thread")

FEATURES = 32  # the synthetic data's input_shape is (32,), with 4 classes


class DropPathRates(nn.Module):
    """An MLP whose ``__init__`` reads tensor values, as timm's drop-path rates do; its forward
    asserts that its inputs are finite when ``checks_inputs``."""

    def __init__(self, in_features: int, width: int, num_classes: int, *,
                 checks_inputs: bool = False) -> None:
        super().__init__()
        self.rates = [rate.item() for rate in torch.linspace(0, 0.1, 2)]
        self.checks_inputs = checks_inputs
        self.net = nn.Sequential(nn.Linear(in_features, width), nn.ReLU(), nn.Linear(width, width),
                                 nn.ReLU(), nn.Linear(width, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.checks_inputs:
            assert torch.isfinite(x).all()
        return self.net(x)


class WantsMoreFeatures(nn.Module):
    """A student that asserts, in Python, an input width other than the data's."""

    def __init__(self, in_features: int, num_classes: int) -> None:
        super().__init__()
        self.in_features = in_features + 1
        self.net = nn.Sequential(nn.Linear(self.in_features, 8), nn.ReLU(), nn.Linear(8, 8),
                                 nn.ReLU(), nn.Linear(8, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        assert x.shape[1] == self.in_features, f"wants {self.in_features} features"
        return self.net(x)


class IndexesBeyond(nn.Module):
    """A student that reads an input feature beyond the data's, after asserting that its inputs
    are finite when ``checks_inputs``."""

    def __init__(self, in_features: int, num_classes: int, *, checks_inputs: bool = True) -> None:
        super().__init__()
        self.checks_inputs = checks_inputs
        self.beyond = [in_features + 8]
        self.net = nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(),
                                 nn.Linear(8, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.checks_inputs:
            assert torch.isfinite(x).all()
        return self.net(x[:, self.beyond])


class FormatsValues(nn.Module):
    """An MLP that formats a tensor's value, f"{t:.3f}", in ``__init__`` and in ``forward``."""

    def __init__(self, in_features: int, num_classes: int) -> None:
        super().__init__()
        self.note = f"drop-path rate {torch.linspace(0, 0.1, 2)[-1]:.3f}"
        self.net = nn.Sequential(nn.Linear(in_features, 8), nn.ReLU(), nn.Linear(8, 8),
                                 nn.ReLU(), nn.Linear(8, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.last_mean = f"{x.mean():.3f}"
        return self.net(x)


def _tapped(net: nn.Module) -> nn.Module:
    return tap_features(net, layers=["net.1", "net.3"])


@pytest.fixture(autouse=True)
def models(monkeypatch):
    """The test's models, registered for the test only."""
    monkeypatch.setattr(_MODELS, "_entries", dict(_MODELS._entries))

    @register_model("rates-teacher")
    def rates_teacher(*, num_classes, in_channels):
        return _tapped(DropPathRates(in_channels, 32, num_classes))

    @register_model("rates-student")
    def rates_student(*, num_classes, in_channels):
        return _tapped(DropPathRates(in_channels, 8, num_classes))

    @register_model("checking-student")
    def checking_student(*, num_classes, in_channels):
        return _tapped(DropPathRates(in_channels, 8, num_classes, checks_inputs=True))

    @register_model("checking-narrow-student")  # reads values and cannot take the data
    def checking_narrow_student(*, num_classes, in_channels):
        return _tapped(DropPathRates(in_channels + 1, 8, num_classes, checks_inputs=True))

    @register_model("formatting-student")
    def formatting_student(*, num_classes, in_channels):
        return _tapped(FormatsValues(in_channels, num_classes))

    @register_model("index-beyond-student")
    def index_beyond_student(*, num_classes, in_channels):
        return _tapped(IndexesBeyond(in_channels, num_classes))

    @register_model("unchecked-index-beyond-student")  # passes its run on meta
    def unchecked_index_beyond_student(*, num_classes, in_channels):
        return _tapped(IndexesBeyond(in_channels, num_classes, checks_inputs=False))

    @register_model("wants-more-student")
    def wants_more_student(*, num_classes, in_channels):
        return _tapped(WantsMoreFeatures(in_channels, num_classes))


def _config(tmp_path, teacher: str, student: str, method: str = "kd"):
    return load_config(overrides=[
        "data.name=synthetic", f"model.teacher={teacher}", f"model.student={student}",
        "teacher.source=untrained", f"method.name={method}", "audit.layers=[0, 1]",
        f"run.out_dir={tmp_path / 'runs'}"])


@pytest.mark.parametrize(("teacher", "student"), [
    ("rates-teacher", "rates-student"),       # builders that read values
    ("synthetic-teacher", "checking-student"),  # a forward that reads values
    ("checking-student", "rates-student"),
])
def test_models_that_read_tensor_values_pass_the_check(tmp_path, teacher, student):
    # they were refused: RuntimeError: Tensor.item() cannot be called on meta tensors
    torch.manual_seed(0)
    drawn_before = torch.get_rng_state()
    checked = check_config(_config(tmp_path, teacher, student))
    assert (checked.config.model.teacher, checked.config.model.student) == (teacher, student)
    assert (checked.method.method_name, checked.resume, checked.notices) == ("kd", False, ())
    # the CPU builds draw their weights from a forked random state, not the caller's
    assert torch.equal(torch.get_rng_state(), drawn_before)


def test_a_model_that_formats_tensor_values_passes_the_check(tmp_path):
    # it was "model.student: unsupported format string passed to Tensor.__format__" (a meta
    # tensor has no value to format), though it trains
    checked = check_config(_config(tmp_path, "synthetic-teacher", "formatting-student"))
    assert checked.config.model.student == "formatting-student"
    with torch.device("meta"):
        net = build_model("formatting-student", num_classes=4, in_channels=FEATURES)
    assert net.model.note == "drop-path rate 0.100"
    assert all(t.is_meta for t in net.state_dict().values())


def test_a_method_that_reads_tensor_values_is_paired_on_the_cpu(tmp_path, monkeypatch):
    # its Distiller, built on the meta device, was a traceback: Tensor.item() cannot be called
    # on meta tensors
    monkeypatch.setattr(_METHODS, "_entries", dict(_METHODS._entries))
    built_on = []

    @register_method("scaled-kd")
    class ScaledKD(KD):
        def __init__(self, student, teacher, *, sample_input, **options):
            super().__init__(student, teacher, sample_input=sample_input, **options)
            self.input_scale = float(sample_input.abs().mean())
            built_on.append(sample_input.device.type)

    checked = check_config(_config(tmp_path, "synthetic-teacher", "synthetic-student",
                                   method="scaled-kd"))
    assert checked.method is ScaledKD
    assert built_on == ["cpu"]  # after the meta build failed before its end


def test_a_builder_that_reads_tensor_values_builds_on_meta_through_the_cpu():
    with torch.device("meta"):
        net = build_model("rates-student", num_classes=4, in_channels=FEATURES)
    real = build_model("rates-student", num_classes=4, in_channels=FEATURES)
    assert all(t.is_meta for t in net.state_dict().values())
    assert net.model.rates == pytest.approx([0.0, 0.1])
    assert ({k: tuple(v.shape) for k, v in net.state_dict().items()}
            == {k: tuple(v.shape) for k, v in real.state_dict().items()}
            == {"net.0.weight": (8, 32), "net.0.bias": (8,), "net.2.weight": (8, 8),
                "net.2.bias": (8,), "net.4.weight": (4, 8), "net.4.bias": (4,)})


@pytest.mark.parametrize(("student", "reason"), [
    # checked on the CPU, where its real error shows (it was "Tensor.item() cannot be called on
    # meta tensors")
    ("checking-narrow-student", "mat1 and mat2 shapes cannot be multiplied (2x32 and 33x8)"),
    ("wants-more-student", "wants 33 features"),  # its assert was a traceback
    # an IndexError of its CPU run was a traceback, exit 1 (before that, on meta: "Tensor.item()
    # cannot be called on meta tensors")
    ("index-beyond-student", "index 40 is out of bounds for dimension 0 with size 32"),
])
def test_a_model_that_cannot_take_the_inputs_is_refused_in_one_line(tmp_path, student, reason):
    with pytest.raises(ValueError) as refused:
        check_config(_config(tmp_path, "synthetic-teacher", student))
    assert str(refused.value) == (
        f"model.student: {student!r} cannot take the inputs of data 'synthetic' (shape (32,)): "
        f"{reason}; choose a model made for this data such as synthetic-student")


def test_a_student_paired_on_the_cpu_is_run_there_first(tmp_path):
    # the teacher reads values, so the Distiller is built on the CPU; the student, which passed
    # its run on meta, failed in it with torch's IndexError, a traceback from the command
    with pytest.raises(ValueError) as refused:
        check_config(_config(tmp_path, "checking-student", "unchecked-index-beyond-student"))
    assert str(refused.value) == (
        "model.student: 'unchecked-index-beyond-student' cannot take the inputs of data "
        "'synthetic' (shape (32,)): index 40 is out of bounds for dimension 0 with size 32; "
        "choose a model made for this data such as synthetic-student")


BUILDER_ERRORS = {  # the builder's body -> how its error reads
    "raise RuntimeError('boom in builder')": "RuntimeError: boom in builder",
    "return {}['depth']": "KeyError: 'depth'",
    "assert False": "AssertionError",  # no text: its type once
}


@pytest.mark.parametrize("role", ["teacher", "student"])
@pytest.mark.parametrize("body", sorted(BUILDER_ERRORS))
def test_a_builder_that_raises_is_a_value_error_of_check_config(tmp_path, role, body):
    scope: dict = {}
    exec(textwrap.dedent(f"""
        def failing(*, num_classes, in_channels):
            {body}
    """), scope)
    register_model("failing-model")(scope["failing"])
    pair = {"teacher": "synthetic-teacher", "student": "synthetic-student", role: "failing-model"}
    with pytest.raises(ValueError) as refused:
        check_config(_config(tmp_path, pair["teacher"], pair["student"]))
    assert str(refused.value) == (
        f"model.{role}: the builder registered as 'failing-model' failed: {BUILDER_ERRORS[body]} "
        "(an error of the builder's own code; its traceback is this error's cause, which "
        "pidkit-distill shows with --debug)")
    assert type(refused.value.__cause__.__cause__).__name__ == BUILDER_ERRORS[body].split(":")[0]


def test_build_model_names_the_builder_that_raised_and_chains_its_error():
    boom = RuntimeError("boom in builder")

    @register_model("failing-model")
    def failing(*, num_classes, in_channels):
        raise boom

    with pytest.raises(ValueError) as failed:
        build_model("failing-model", num_classes=4, in_channels=3)
    assert str(failed.value).startswith("the builder registered as 'failing-model' failed: "
                                        "RuntimeError: boom in builder (")
    assert failed.value.__cause__ is boom


def test_memory_running_out_in_a_builder_is_raised_as_it_is():
    @register_model("hungry-model")
    def hungry(*, num_classes, in_channels):
        raise MemoryError

    with pytest.raises(MemoryError):
        build_model("hungry-model", num_classes=4, in_channels=3)


def test_a_keyword_the_builder_does_not_take_is_the_callers_type_error():
    with pytest.raises(TypeError) as refused:
        build_model("rates-student", num_classes=4, in_channels=3, depth=4)
    assert str(refused.value) == (
        "build_model: the builder registered as 'rates-student' cannot take ['depth'] (got an "
        "unexpected keyword argument 'depth'); pass only keywords that it takes")


@pytest.mark.parametrize(("extra", "kw", "refused"), [
    # a keyword that it takes is not named with one that it does not: 'width' was listed too
    ("width=2", {"width": 3, "depth": 4}, "cannot take ['depth'] (got an unexpected keyword "
     "argument 'depth'); pass only keywords that it takes"),
    # a parameter without a default was "cannot take [] ...; pass only keywords that it takes"
    ("depth", {}, "needs ['depth'], which is not given (missing a required argument: 'depth'); "
     "give it a default in the builder (the trainer passes only num_classes and in_channels), "
     "or pass it to build_model"),
    ("depth, width", {"width": 3}, "needs ['depth'], which is not given (missing a required "
     "argument: 'depth'); give it a default in the builder (the trainer passes only "
     "num_classes and in_channels), or pass it to build_model"),
])
def test_a_call_that_the_builders_parameters_refuse_says_which_and_the_fix(extra, kw, refused):
    scope: dict = {"rates_student": _MODELS.get("rates-student")}
    exec(f"def builder(*, num_classes, in_channels, {extra}):\n"
         "    return rates_student(num_classes=num_classes, in_channels=in_channels)", scope)
    register_model("extra-student")(scope["builder"])
    with pytest.raises(TypeError) as failed:
        build_model("extra-student", num_classes=4, in_channels=FEATURES, **kw)
    assert str(failed.value) == f"build_model: the builder registered as 'extra-student' {refused}"


@pytest.mark.parametrize(("message", "expected"), [
    ("Tensor.item() cannot be called on meta tensors", True),
    ("Cannot copy out of meta tensor; no data!", True),
    ("aten::_unique2: attempted to run this operator with Meta tensors", True),
    ("a correct data-independent implementation does not exist", True),
    ("unsupported format string passed to Tensor.__format__", True),  # f"{t:.3f}" of a meta t
    ("mat1 and mat2 shapes cannot be multiplied (2x32 and 33x8)", False),
    ("KeyError: 'metadata'", False),
])
def test_errors_of_the_meta_device_are_told_apart(message, expected):
    assert needs_real_tensors(RuntimeError(message)) is expected
    try:  # also where another error chains it
        try:
            raise RuntimeError(message)
        except RuntimeError as err:
            raise ValueError("the builder failed") from err
    except ValueError as wrapped:
        assert needs_real_tensors(wrapped) is expected


MODELS_PY = textwrap.dedent("""
    import torch
    from torch import nn
    from pidkit_distill import register_model, tap_features

    class DropPath(nn.Module):
        def __init__(self, in_features, width, num_classes):
            super().__init__()
            self.rates = [x.item() for x in torch.linspace(0, 0.1, 2)]
            self.net = nn.Sequential(nn.Linear(in_features, width), nn.ReLU(),
                                     nn.Linear(width, width), nn.ReLU(),
                                     nn.Linear(width, num_classes))

        def forward(self, x):
            assert torch.isfinite(x).all()
            return self.net(x)

    @register_model("cli-rates-teacher")
    def teacher(*, num_classes, in_channels):
        return tap_features(DropPath(in_channels, 16, num_classes), layers=["net.1", "net.3"])

    @register_model("cli-rates-student")
    def student(*, num_classes, in_channels):
        return tap_features(DropPath(in_channels, 4, num_classes), layers=["net.1", "net.3"])

    @register_model("cli-needs-depth")
    def needs_depth(*, num_classes, in_channels, depth):
        return student(num_classes=num_classes, in_channels=in_channels)

    @register_model("cli-failing")
    def failing(*, num_classes, in_channels):
        raise RuntimeError("boom in builder")
""")


def _train(tmp_path, monkeypatch, teacher: str, student: str) -> int:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "rates_models", raising=False)
    (tmp_path / "rates_models.py").write_text(MODELS_PY)
    try:
        return main(["train", "--import", "rates_models.py", "--data", "synthetic",
                     "--data.options", "n_train=64", "--data.options", "n_test=32",
                     "--model.teacher", teacher, "--model.student", student, "--method", "kd",
                     "--teacher.epochs", "1", "--epochs", "1", "--audit-every", "0",
                     "--run.threads", "1", "--run.progress", "false",
                     "--out-dir", str(tmp_path / "runs")])
    finally:
        sys.modules.pop("rates_models", None)


def test_the_command_trains_models_that_read_tensor_values(tmp_path, monkeypatch, capsys):
    # the teacher is trained, its file checked against the model, then the student trained
    assert _train(tmp_path, monkeypatch, "cli-rates-teacher", "cli-rates-student") == 0
    # nothing but the warnings that its one-epoch teacher and its student ended at chance
    assert [line for line in capsys.readouterr().err.splitlines()
            if not line.startswith(("warning: the teacher ended at ",
                                    "warning: the student ended at chance"))] == []
    assert (tmp_path / "runs" / "synthetic-kd-tt-s0" / "summary.json").is_file()


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_the_command_says_a_builders_error_in_one_line(tmp_path, monkeypatch, capsys, role):
    # it was the builder's traceback, exit status 1
    pair = {"teacher": "cli-rates-teacher", "student": "cli-rates-student", role: "cli-failing"}
    assert _train(tmp_path, monkeypatch, pair["teacher"], pair["student"]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: model.{role}: the builder registered as 'cli-failing' "
        "failed: RuntimeError: boom in builder (an error of the builder's own code; its "
        "traceback is this error's cause, which pidkit-distill shows with --debug)\n")
    assert not (tmp_path / "runs").exists()


def test_a_builder_that_needs_more_than_the_trainer_passes_is_refused_by_the_command(
        tmp_path, monkeypatch, capsys):
    # it was "cannot take [] (missing a required argument: 'depth'); pass only keywords that it
    # takes": no keyword was passed, and none can be from the command
    assert _train(tmp_path, monkeypatch, "cli-rates-teacher", "cli-needs-depth") == 2
    assert capsys.readouterr().err == (
        "pidkit-distill train: error: model.student: build_model: the builder registered as "
        "'cli-needs-depth' needs ['depth'], which is not given (missing a required argument: "
        "'depth'); give it a default in the builder (the trainer passes only num_classes and "
        "in_channels), or pass it to build_model\n")
