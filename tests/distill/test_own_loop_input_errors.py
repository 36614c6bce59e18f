"""A training loop of one's own (docs/distill.md's Distiller example) is told in one line, naming
``x`` or ``y`` and the fix, the batch mistakes that met torch's raw errors (t-458, walk t-450 M2
and L4): ``x`` of 19 features for 20 (``mat1 and mat2 shapes cannot be multiplied (64x19 and
20x64)``), ``x`` of shape ``(N, 1, 20)`` (blamed on the model: ``a tapped Sequential must return
logits of shape (N, num_classes)``), a batch on another device than the networks (``Tensor on
device cpu is not on the expected device meta!``), one sample with BatchNorm in training mode
(``Expected more than 1 value per channel when training``), an empty batch and a first batch
of NaN (a ``nan`` loss, silently), and ``--method.params lambda2=0.5`` with the default method
(``its parameters are []``, no word of RID). A network that takes several input sizes (a conv
net with adaptive pooling, a sequence model, an embedding of indices) keeps taking them."""

from __future__ import annotations

import pytest
import torch
from own_distillers import LogitMatch, tapped_mlp
from torch import nn
from torch.nn import functional as F

from pidkit_distill import get_method, tap_features
from pidkit_distill.cli import main
from pidkit_distill.models import Features, build_model

pytestmark = pytest.mark.usefixtures("one_torch_thread")

X = torch.randn(8, 20, generator=torch.Generator().manual_seed(0))
Y = torch.arange(8) % 4
ONE_VALUE = ("x holds 1 sample, but BatchNorm layers that normalise one value per channel per "
             "sample cannot train on one sample (torch said: Expected more than 1 value per "
             "channel when training, got input size torch.Size([1, {}])); pass batches of 2 or "
             "more samples: DataLoader(..., drop_last=True) drops a last batch of 1 "
             "(distiller.eval() evaluates one sample)")


def _match(student: nn.Module | None = None, sample: torch.Tensor | None = None) -> LogitMatch:
    """A LogitMatch (cross-entropy of the student's logits) of the test MLP, built on X[:2]."""
    torch.manual_seed(0)
    return LogitMatch(tapped_mlp(8) if student is None else student, tapped_mlp(16),
                      sample_input=X[:2] if sample is None else sample, num_classes=4)


def _refusal(distiller, x, y) -> str:
    """The message of the ValueError that ``distiller(x, y, epoch=0)`` raises, not chained to
    torch's error."""
    with pytest.raises(ValueError) as info:
        distiller(x, y, epoch=0)
    assert info.value.__cause__ is None and info.value.__context__ is None
    return str(info.value)


def _counted(distiller) -> list[int]:
    """A list that grows by one each time the student's forward starts."""
    calls: list[int] = []
    distiller.student.register_forward_pre_hook(lambda *_: calls.append(1))
    return calls


def test_inputs_of_19_features_for_20_are_refused_before_the_networks_run():
    distiller = _match()
    calls = _counted(distiller)
    assert _refusal(distiller, X[:, :19], Y) == (
        "x has shape (8, 19), but the distiller was built with a sample_input of shape (N, 20): "
        "its networks take 20 features (axis 1 of x), not 19; pass x of shape (N, 20)")
    assert calls == []
    out = distiller(X, Y, epoch=0)
    assert out.losses["ce"].item() == pytest.approx(
        F.cross_entropy(distiller.student(X), Y).item(), rel=1e-6)


def test_inputs_with_an_axis_more_are_told_as_x_not_as_the_models_logits():
    distiller = _match()
    message = _refusal(distiller, X[:, None], Y)
    assert message == (
        "x has shape (8, 1, 20), but the distiller was built with a sample_input of shape "
        "(N, 20), 2 axes: pass x of shape (N, 20), x.reshape(len(x), 20) where each row of x "
        "holds one sample")
    fixed = distiller(X[:, None].reshape(len(X), 20), Y, epoch=0)
    assert fixed.losses["ce"].item() == pytest.approx(
        F.cross_entropy(distiller.student(X), Y).item(), rel=1e-6)


def test_one_sample_given_as_the_batch_is_told_to_be_made_a_batch():
    assert _refusal(_match(), X[0], Y[:1]) == (
        "x has shape (20,), one sample, but the distiller was built with a sample_input of shape "
        "(N, 20): pass a batch, x[None] for this sample alone")


def test_an_empty_batch_is_refused_where_it_gave_a_nan_loss():
    assert _refusal(_match(), X[:0], Y[:0]) == (
        "x holds no sample (shape (0, 20)); pass a batch of one sample or more (x[i:j] with i < j)")


@pytest.mark.parametrize("size", [24, 40])
def test_a_wide_resnet_takes_images_of_another_size_and_refuses_other_channels(size):
    torch.manual_seed(0)
    student = build_model("wrn-10-1", num_classes=4, in_channels=3)
    teacher = build_model("wrn-10-1", num_classes=4, in_channels=3)
    images = torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    distiller = get_method("kd")(student, teacher, sample_input=images[:2], num_classes=4)
    other = F.interpolate(images, size=(size, size))
    out = distiller(other, Y[:4], epoch=0)
    # the cross-entropy term, (1 - alpha) of it, of logits computed here on the same images (in
    # training mode, as the step: BatchNorm normalises by the batch's own statistics)
    with torch.no_grad():
        reference = F.cross_entropy(student(other), Y[:4]).item() * (1 - distiller.params.alpha)
    assert out.losses["ce"].item() == pytest.approx(reference, rel=1e-5)
    assert _refusal(distiller, other[:, :1], Y[:4]) == (
        f"x has shape (4, 1, {size}, {size}), but the distiller was built with a sample_input of "
        "shape (N, 3, 32, 32): its networks take 3 channels (axis 1 of x), not 1; pass x of "
        "shape (N, 3, H, W)")


def test_a_flat_network_tells_an_image_of_another_size_with_torchs_words():
    def flat(width: int) -> nn.Module:
        return tap_features(nn.Sequential(nn.Flatten(), nn.Linear(64, width), nn.ReLU(),
                                          nn.Linear(width, 4)), layers=["2"])
    images = torch.randn(8, 1, 8, 8, generator=torch.Generator().manual_seed(2))
    torch.manual_seed(0)
    distiller = LogitMatch(flat(8), flat(16), sample_input=images[:2], num_classes=4)
    assert _refusal(distiller, images[:, :, 1:, 1:], Y) == (
        "x has shape (8, 1, 7, 7), but the distiller was built with a sample_input of shape "
        "(N, 1, 8, 8), and its networks refused it (torch said: mat1 and mat2 shapes cannot be "
        "multiplied (8x49 and 64x8)); pass x of shape (N, 1, 8, 8)")


class _MeanOverTime(nn.Module):
    """A sequence model of one's own: ``(N, L, 6)`` inputs of any length ``L``, averaged over
    time; with ``tokens``, ``(N, L)`` indices into an embedding of 10 tokens instead."""

    def __init__(self, width: int, *, tokens: bool = False) -> None:
        super().__init__()
        self.embed = nn.Embedding(10, 6) if tokens else nn.Identity()
        self.hidden = nn.Linear(6, width)
        self.head = nn.Linear(width, 4)
        self.layer_channels = (width,)

    def forward_features(self, x: torch.Tensor) -> Features:
        hidden = torch.relu(self.hidden(self.embed(x))).mean(dim=1)
        return Features(self.head(hidden), [hidden], hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x).logits


@pytest.mark.parametrize("tokens", [False, True])
def test_a_sequence_of_another_length_is_taken(tokens):
    gen = torch.Generator().manual_seed(3)
    make = (lambda n: torch.randint(0, 10, (8, n), generator=gen)) if tokens \
        else (lambda n: torch.randn(8, n, 6, generator=gen))
    torch.manual_seed(0)
    student = _MeanOverTime(8, tokens=tokens)
    distiller = LogitMatch(student, _MeanOverTime(16, tokens=tokens), sample_input=make(5)[:2],
                           num_classes=4)
    longer = make(9)
    out = distiller(longer, Y, epoch=0)
    assert out.losses["ce"].item() == pytest.approx(
        F.cross_entropy(student(longer), Y).item(), rel=1e-6)
    if not tokens:  # another feature size is the networks' error, told with torch's words
        message = _refusal(distiller, torch.randn(8, 9, 5), Y)
        assert message.startswith(
            "x has shape (8, 9, 5), but the distiller was built with a sample_input of shape "
            "(N, 5, 6), and its networks refused it (torch said: mat1 and mat2 shapes cannot be "
            "multiplied (72x5 and 6x8)); pass x of shape (N, 5, 6)")


def test_the_networks_own_errors_go_through_unchanged_where_the_batch_has_its_shape():
    class Broken(nn.Module):
        def __init__(self, error: Exception) -> None:
            super().__init__()
            self.net, self.error = tapped_mlp(8), error

        def forward_features(self, x):
            if x.shape[0] == 8:
                raise self.error
            return self.net.forward_features(x)

        def forward(self, x):
            return self.forward_features(x).logits

    for error in (RuntimeError("my layer broke"), ValueError("my check"),
                  torch.cuda.OutOfMemoryError("CUDA out of memory")):
        distiller = _match(Broken(error))
        with pytest.raises(type(error)) as info:
            distiller(X, Y, epoch=0)
        assert info.value is error
    # running out of memory is the machine's, whatever the batch's shape
    distiller = _match(Broken(torch.cuda.OutOfMemoryError("CUDA out of memory")),
                       sample=torch.randn(2, 20))
    with pytest.raises(torch.cuda.OutOfMemoryError):
        distiller(torch.randn(8, 20), Y, epoch=0)


def _on_meta(distiller):
    """``distiller`` moved to the meta device, which stands in for a GPU."""
    return distiller.to("meta")


def test_a_batch_on_another_device_than_the_networks_is_refused_naming_the_move():
    distiller = _on_meta(_match())
    assert _refusal(distiller, X, Y) == (
        "x and y are on cpu, but the networks' weights are on meta: move the batch to their "
        "device, x.to('meta'), y.to('meta')")
    assert _refusal(distiller, X.to("meta"), Y) == (
        "y is on cpu, but the networks' weights are on meta: move the batch to their device, "
        "y.to('meta')")
    out = distiller(X.to("meta"), Y.to("meta"), epoch=0)
    assert (out.losses["ce"].device.type, out.losses["ce"].shape) == ("meta", torch.Size([]))
    # and back: a distiller built on the meta device, given CPU networks' batches
    distiller.to_empty(device="cpu")
    assert distiller(X, Y, epoch=1).losses["ce"].device.type == "cpu"


class _MovesItsInputs(torch.nn.Module):
    """A network of one's own (the test MLP, 20 -> ``width`` -> 4) that moves its inputs to its
    weights' device in ``forward``."""

    def __init__(self, width):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, width), nn.ReLU(), nn.Linear(width, 4))

    def forward(self, x):
        return self.net(x.to(self.net[0].weight.device))


def test_a_network_that_moves_its_inputs_itself_takes_a_batch_on_another_device():
    # the device was compared before the networks ran (30d90e5), which refused such a network
    torch.manual_seed(0)
    student, teacher = (tap_features(_MovesItsInputs(width), layers=["net.1"]) for width in (8, 16))
    distiller = _on_meta(LogitMatch(student, teacher, sample_input=X[:2], num_classes=4))
    out = distiller(X, Y.to("meta"), epoch=0)  # x on the CPU, moved by the networks
    assert out.losses["ce"].device.type == "meta"


@pytest.mark.parametrize(("method", "width"), [("kd", 8), ("vid", 8), ("rid", 128)])
def test_one_sample_in_training_mode_names_the_batch_size_and_the_fix(method, width):
    torch.manual_seed(0)
    student = build_model("synthetic-student", num_classes=4, in_channels=20)
    teacher = build_model("synthetic-teacher", num_classes=4, in_channels=20)
    distiller = get_method(method)(student, teacher, sample_input=X[:2], num_classes=4)
    assert _refusal(distiller, X[:1], Y[:1]) == ONE_VALUE.format(width)
    assert distiller(X[:2], Y[:2], epoch=0).loss.isfinite()
    distiller.eval()
    student.eval()
    logits = distiller(X[:1], Y[:1], epoch=0).logits
    assert torch.allclose(logits, student(X[:1]))


def test_a_first_batch_of_nan_is_refused_before_it_spoils_batchnorms_statistics():
    torch.manual_seed(0)
    student = build_model("synthetic-student", num_classes=4, in_channels=20)
    teacher = build_model("synthetic-teacher", num_classes=4, in_channels=20)
    distiller = get_method("rid")(student, teacher, sample_input=X[:2], num_classes=4)
    bad = X.clone()
    bad[3, 5] = float("nan")
    bad[6, 0] = float("inf")
    statistics = [m.running_mean.clone() for m in distiller.modules()
                  if isinstance(m, nn.BatchNorm1d)]
    assert _refusal(distiller, bad, Y) == (
        "x[3] holds a NaN or an infinity (and 1 more of its 8): the loss would be NaN, and "
        "BatchNorm's running statistics NaN for every later batch; drop or repair those samples "
        "(torch.isfinite(x) finds them)")
    after = [m.running_mean for m in distiller.modules() if isinstance(m, nn.BatchNorm1d)]
    assert all(torch.equal(a, b) for a, b in zip(statistics, after, strict=True))
    assert distiller(X, Y, epoch=0).loss.isfinite()
    # a later batch's values are not read (a wait for the device each step): its loss is NaN,
    # which the __call__ docstring says, and how to check it
    assert distiller(bad, Y, epoch=0).loss.isnan()


def test_a_parameter_of_another_method_names_that_method(tmp_path, capsys):
    with pytest.raises(TypeError) as info:
        get_method("bas").make_params(lambda2=0.5)
    assert str(info.value) == (
        "unknown parameter(s) ['lambda2'] for method 'bas'; its parameters are []. 'lambda2' is "
        "a parameter of method 'rid': --method rid on the command line, method.name='rid' in a "
        "configuration, get_method('rid') for a Distiller of your own.")
    assert info.value.entries == ("lambda2",)
    status = main(["train", "--method.params", "alpha=0.5", "--out-dir", str(tmp_path / "runs")])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert err == (
        "pidkit-distill train: error: --method.params alpha=0.5: unknown parameter(s) ['alpha'] "
        "for method 'bas'; its parameters are []. 'alpha' is a parameter of methods 'itrd', "
        "'kd', 'mimkd': e.g. --method itrd on the command line, method.name='itrd' in a "
        "configuration, get_method('itrd') for a Distiller of your own.\n")
    # a misspelt one keeps the closest name of the method's own, and no other method
    with pytest.raises(TypeError, match=r"^unknown parameter\(s\) \['lamda2'\] for method "
                                        r"'rid'; its parameters are \[.*\]\. Did you mean "
                                        r"'lambda2'\?$"):
        get_method("rid").make_params(lamda2=0.5)
