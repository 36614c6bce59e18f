"""tap_features on a researcher's own models: the features of the layers it taps, bad taps
refused when made or at the first forward, its hooks, copies and state dicts, and the
Distiller refusing an untapped or twice-tapped model."""

from __future__ import annotations

import copy
import gc
import io
import pickle
import weakref

import pytest
import torch
from torch import nn

from pidkit_distill import (
    get_method,
    tap_features,
)
from pidkit_distill.models import TappedModel


def mlp(width: int, *, d_in: int = 6, classes: int = 3) -> nn.Sequential:
    return nn.Sequential(nn.Linear(d_in, width), nn.BatchNorm1d(width), nn.ReLU(),
                         nn.Linear(width, width), nn.ReLU(), nn.Linear(width, classes))


class Block(nn.Module):
    """A torchvision-style BasicBlock: its ``relu`` runs twice per forward."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.conv2(self.relu(self.conv1(x))) + x)


class TinyResNet(nn.Module):
    """Submodules named as torchvision's ResNet: conv1, layer1, layer2, avgpool, fc."""

    def __init__(self, width: int = 4, classes: int = 3) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, width, 3, padding=1)
        self.layer1 = nn.Sequential(Block(width))
        self.layer2 = nn.Sequential(nn.Conv2d(width, 2 * width, 3, stride=2, padding=1),
                                    Block(2 * width))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2 * width, classes)

    def forward(self, x):
        x = self.layer2(self.layer1(self.conv1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def test_tapped_mlp_gives_the_features_of_its_layers():
    torch.manual_seed(0)
    net = mlp(5).eval()
    tapped = tap_features(net, layers=["2", "4"])
    with pytest.raises(RuntimeError, match=r"^layer_channels is known after the first "
                                           r"forward_features call"):
        tapped.layer_channels  # noqa: B018
    x = torch.randn(7, 6)
    feats = tapped.forward_features(x)
    h1 = net[2](net[1](net[0](x)))
    h2 = net[4](net[3](h1))
    torch.testing.assert_close(feats.layers[0], h1)
    torch.testing.assert_close(feats.layers[1], h2)
    torch.testing.assert_close(feats.pooled, h2)  # the input of the last Linear
    torch.testing.assert_close(feats.logits, net(x))
    torch.testing.assert_close(tapped(x), net(x))
    assert tapped.layer_channels == (5, 5)


class KeywordHead(nn.Module):
    """Calls its classifier with a keyword argument: ``self.fc(input=h)``."""

    def __init__(self) -> None:
        super().__init__()
        self.body, self.fc = nn.Linear(4, 6), nn.Linear(6, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(input=torch.relu(self.body(x)))


def test_pooled_is_the_classifiers_input_given_by_keyword():
    # the pre-hook saw positional arguments only: pooled was None, "gave a NoneType"
    torch.manual_seed(0)
    net, x = KeywordHead(), torch.randn(5, 4)
    feats = tap_features(net, layers=["body"]).forward_features(x)
    torch.testing.assert_close(feats.pooled, torch.relu(net.body(x)))
    torch.testing.assert_close(feats.logits, net(x))


def test_resnet_style_model_taps_blocks_and_pooled():
    torch.manual_seed(0)
    net = TinyResNet().eval()
    x = torch.randn(2, 1, 8, 8)
    feats = tap_features(net, layers=["layer1", "layer2"]).forward_features(x)
    assert [tuple(t.shape) for t in feats.layers] == [(2, 4, 8, 8), (2, 8, 4, 4)]
    pooled = feats.layers[1].mean((2, 3))
    torch.testing.assert_close(feats.pooled, pooled)  # fc's input
    by_path = tap_features(net, layers=["layer1"], pooled="avgpool").forward_features(x)
    torch.testing.assert_close(by_path.pooled, pooled)  # avgpool's (2, 8, 1, 1), flattened


BAD_TAPS = {
    "misspelt path": (lambda: tap_features(TinyResNet(), layers=["layer1", "layr2"]), ValueError,
                      r"^layers\[1\]='layr2' is not a submodule of the TinyResNet\. Did you mean "
                      r"'layer2'\? Its submodule paths \(model\.named_modules\(\)\) are \['conv1', "
                      r"'layer1', 'layer1\.0', 'layer1\.0\.conv1'"),
    "one str": (lambda: tap_features(mlp(4), layers="2"), TypeError,
                r"layers must be a list of module paths .* For one layer pass \['2'\]"),
    "no layer": (lambda: tap_features(mlp(4), layers=[]), ValueError,
                 r"layers must name at least one submodule"),
    "repeated": (lambda: tap_features(mlp(4), layers=["2", "2"]), ValueError,
                 r"layers\[1\]='2' repeats layers\[0\]"),
    "not a module": (lambda: tap_features(lambda x: x, layers=["0"]), TypeError,
                     r"model must be a torch\.nn\.Module; got function"),
    "tapped twice": (lambda: tap_features(tap_features(mlp(4), layers=["2"]), layers=["model.2"]),
                     TypeError, r"model is already tapped"),
    "no classifier": (lambda: tap_features(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()),
                                           layers=["1"]), ValueError,
                      r"pooled=None takes the input of the model's last nn\.Linear, but the "
                      r"Sequential has none; pass pooled='path'"),
    "unknown pooled": (lambda: tap_features(TinyResNet(), layers=["layer1"], pooled="avgpol"),
                       ValueError, r"pooled='avgpol' is not a submodule .* Did you mean 'avgpool'"),
}


@pytest.mark.parametrize("case", list(BAD_TAPS))
def test_bad_taps_are_refused_when_made(case):
    call, error, match = BAD_TAPS[case]
    with pytest.raises(error, match=match):
        call()


class TwoHeads(nn.Module):
    """A model with a submodule it never calls (``spare``), one giving ``(N, L, D)`` (``seq``)
    and one giving a tuple (``pair``)."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Linear(6, 4)
        self.spare = nn.Linear(4, 4)
        self.seq = nn.Unflatten(1, (2, 2))
        self.pair = nn.Identity()
        self.head = nn.Linear(4, 3)

    def forward(self, x):
        h = self.body(x)
        self.seq(h)
        self.pair((h, h))
        return self.head(h)


@pytest.mark.parametrize(("model", "layers", "error", "match"), [
    (lambda: TinyResNet(), ["layer1.0.relu"], ValueError,
     r"^layers\[0\]='layer1\.0\.relu': that submodule ran 2 times in one forward pass of the "
     r"TinyResNet; .*tap its parent block"),
    (lambda: TwoHeads(), ["spare"], ValueError,
     r"^layers\[0\]='spare': that submodule did not run in one forward pass of the TwoHeads "
     r"\(a branch not taken, or a module its forward never calls\)"),
    (lambda: TwoHeads(), ["seq"], ValueError,
     r"^layers\[0\]='seq': that submodule gave shape \(2, 2, 2\) for a batch of 2; taps take "
     r"\(N, C\) or \(N, C, H, W\) tensors"),
    (lambda: TwoHeads(), ["pair"], TypeError,
     r"^layers\[0\]='pair': that submodule gave a tuple, not a tensor"),
], ids=["reused relu", "unused", "sequence output", "tuple output"])
def test_bad_taps_are_refused_at_the_first_forward(model, layers, error, match):
    net = model()
    x = torch.randn(2, 1, 8, 8) if isinstance(net, TinyResNet) else torch.randn(2, 6)
    with pytest.raises(error, match=match):
        tap_features(net, layers=layers).forward_features(x)


def test_model_that_does_not_return_logits_is_refused():
    class Dict(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(6, 3)

        def forward(self, x):
            return {"logits": self.fc(x)}

    with pytest.raises(TypeError, match=r"^model: a tapped Dict must return the logits, one "
                                        r"tensor of shape \(N, num_classes\) = \(2, K\); it "
                                        r"returned a dict of \{'logits': tensor \(2, 3\)\}\. "
                                        r"If its entry 'logits' is the logits, pass "
                                        r"logits='logits' to tap_features"):
        tap_features(Dict(), layers=["fc"]).forward_features(torch.randn(2, 6))
    with pytest.raises(ValueError, match=r"^model: a tapped Sequential must return logits of "
                                         r"shape \(N, num_classes\) = \(2, K\); it returned "
                                         r"\(2, 3, 1\)\."):
        tap_features(nn.Sequential(nn.Linear(6, 3), nn.Unflatten(1, (3, 1))),
                     layers=["0"]).forward_features(torch.randn(2, 6))


def test_an_unknown_path_in_a_large_model_lists_its_parents_submodules():
    net = nn.Sequential(*[nn.Sequential(nn.Linear(2, 2), nn.ReLU()) for _ in range(12)])
    with pytest.raises(ValueError, match=r"^layers\[0\]='3\.5' is not a submodule of the "
                                         r"Sequential\..* The submodules of '3' are \['3\.0', "
                                         r"'3\.1'\] \(36 paths in all: "):
        tap_features(net, layers=["3.5"])
    with pytest.raises(ValueError, match=r"Its top-level submodules are \['0', '1', .*'11'\] "
                                         r"\(36 paths in all"):
        tap_features(net, layers=["x.1"])


def test_recorded_tensors_do_not_outlive_the_step():
    net = mlp(4)
    tapped = tap_features(net, layers=["2"])
    seen = []
    net[2].register_forward_hook(lambda m, a, out: seen.append(weakref.ref(out)))
    feats = tapped.forward_features(torch.randn(3, 6))
    assert seen[0]() is feats.layers[0]
    del feats
    gc.collect()
    assert seen[0]() is None  # the wrapper kept no reference
    net(torch.randn(3, 6))  # the model called directly: the taps record nothing
    gc.collect()
    assert seen[1]() is None


def test_a_failed_forward_leaves_no_stale_feature():
    class Flaky(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Linear(6, 4)
            self.fc = nn.Linear(4, 3)
            self.fail = False

        def forward(self, x):
            h = self.body(x)
            if self.fail:
                raise RuntimeError("boom")
            return self.fc(h)

    net = Flaky()
    tapped = tap_features(net, layers=["body"])
    net.fail = True
    with pytest.raises(RuntimeError, match="boom"):
        tapped.forward_features(torch.randn(2, 6))  # body ran, recorded, then the model failed
    net.fail = False
    x = torch.randn(2, 6)
    torch.testing.assert_close(tapped.forward_features(x).layers[0], net.body(x))


def _hooks(model: nn.Module) -> list[int]:
    return [len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules()]


def test_the_model_carries_no_hook_between_calls():
    net = TinyResNet()
    tapped = tap_features(net, layers=["layer1", "layer2"])
    assert sum(_hooks(net)) == 0
    during = []
    net.layer1.register_forward_hook(lambda m, a, out: during.append(sum(_hooks(net))))
    x = torch.randn(2, 1, 8, 8)
    tapped.forward_features(x)
    assert during == [4]  # the user's hook, layer1's, layer2's and the pre-hook on fc
    tapped(x)
    assert during == [4, 1]  # calling the wrapper: the user's hook only

    def boom(module, args):
        raise RuntimeError("boom")

    net.layer2.register_forward_pre_hook(boom)
    with pytest.raises(RuntimeError, match="boom"):
        tapped.forward_features(x)
    assert sum(_hooks(net)) == 2  # a failed forward took the taps off too


def test_modules_replaced_after_tapping_are_tapped():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(6, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 3)).eval()
    tapped = tap_features(net, layers=["1"])
    # what wrap_for_ddp does on CUDA with run.sync_bn: torch makes new BatchNorm modules
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(tapped)
    assert isinstance(net[1], nn.SyncBatchNorm)
    x = torch.randn(5, 6)
    torch.testing.assert_close(converted.forward_features(x).layers[0], net[1](net[0](x)))
    net[3] = nn.Linear(4, 7)  # a new classifier head: pooled is its input
    feats = tapped.forward_features(x)
    assert feats.logits.shape == (5, 7)
    torch.testing.assert_close(feats.pooled, net[2](net[1](net[0](x))))
    del net[3]
    with pytest.raises(ValueError, match=r"^pooled='3' is not a submodule of the Sequential\. "
                                         r"Its submodule paths \(model\.named_modules\(\)\) are "
                                         r"\['0', '1', '2'\]\.$"):
        tapped.forward_features(x)


def test_an_output_changed_in_place_later_is_refused():
    net = nn.Sequential(nn.Linear(6, 4), nn.BatchNorm1d(4), nn.ReLU(inplace=True),
                        nn.Linear(4, 3)).eval()
    with pytest.raises(ValueError, match=r"^layers\[0\]='1': the Sequential changed that "
                                         r"submodule's output in place later in its forward pass "
                                         r"\(an in-place operation such as "
                                         r"nn\.ReLU\(inplace=True\) follows it\)"):
        tap_features(net, layers=["1"]).forward_features(torch.randn(5, 6))
    x = torch.randn(5, 6)
    after = tap_features(net, layers=["2"]).forward_features(x).layers[0]  # the ReLU itself
    torch.testing.assert_close(after, net[1](net[0](x)).clamp_min(0))


def test_state_dict_is_the_models_own():
    torch.manual_seed(0)
    net = mlp(4)
    net(torch.randn(8, 6))  # moves the BatchNorm statistics
    tapped = tap_features(net, layers=["2"])
    assert list(tapped.state_dict()) == list(net.state_dict())
    buffer = io.BytesIO()
    torch.save(tapped.state_dict(), buffer)
    buffer.seek(0)
    plain = mlp(4)
    plain.load_state_dict(torch.load(buffer, weights_only=True))  # wrapper -> plain model
    for key, value in net.state_dict().items():
        torch.testing.assert_close(plain.state_dict()[key], value)
    other = tap_features(mlp(4), layers=["2"])
    other.load_state_dict(net.state_dict())  # plain model -> wrapper
    torch.testing.assert_close(other.model[0].weight, net[0].weight)
    distiller = get_method("kd")(tap_features(mlp(4), layers=["2"]), tapped,
                                 sample_input=torch.randn(4, 6), num_classes=3)
    saved = distiller.state_dict()
    assert "student.0.weight" in saved
    plain_meta = [f"teacher.{k}".rstrip(".") for k in net.state_dict()._metadata]
    assert [k for k in saved._metadata if k.startswith("teacher")] == plain_meta  # versions
    assert not any("model" in key for key in saved)
    distiller.load_state_dict(distiller.state_dict())
    del saved["student.0.bias"]
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "student\.0\.bias"\.'):
        distiller.load_state_dict(saved)
    wrong = {**net.state_dict(), "9.weight": torch.zeros(1)}
    del wrong["0.bias"]
    assert tapped.load_state_dict(wrong, strict=False) == (["0.bias"], ["9.weight"])


def test_state_dict_keys_without_the_public_hooks_of_torch_2_5(monkeypatch):
    # torch 2.1 to 2.4 (setup.cfg allows them) have only the private state-dict hook methods
    monkeypatch.delattr(nn.Module, "register_state_dict_post_hook")
    monkeypatch.delattr(nn.Module, "register_load_state_dict_pre_hook")
    net = mlp(4)
    tapped = tap_features(net, layers=["2"])
    assert list(tapped.state_dict()) == list(net.state_dict())
    tapped.load_state_dict(mlp(4).state_dict())


def test_deepcopy_and_pickle_tap_the_copy():
    net = mlp(4)
    tapped = tap_features(net, layers=["2", "4"])
    x = torch.randn(3, 6)
    for copied in (copy.deepcopy(tapped), pickle.loads(pickle.dumps(tapped))):
        assert copied.model is not net and sum(_hooks(copied.model)) == 0
        torch.testing.assert_close(copied.forward_features(x).layers[1],
                                   tapped.forward_features(x).layers[1])
        with torch.no_grad():
            copied.model[3].weight.add_(1.0)
        assert not torch.equal(copied.forward_features(x).layers[1],
                               tapped.forward_features(x).layers[1])  # it taps its own model


def test_plain_module_error_names_tap_features():
    with pytest.raises(TypeError, match=r"^student must be an nn\.Module with forward_features\(x\) "
                                        r"-> Features; got a Sequential without it\. Wrap your own "
                                        r"model: pidkit_distill\.models\.tap_features\(model, "
                                        r"layers=\[\.\.\.\]\)"):
        get_method("bas")(mlp(4), tap_features(mlp(8), layers=["2"]),
                          sample_input=torch.randn(4, 6), num_classes=3)


def test_one_model_tapped_twice_is_refused():
    net = mlp(4)
    with pytest.raises(ValueError, match=r"^student and teacher share parameters"):
        get_method("kd")(tap_features(net, layers=["2"]), tap_features(net, layers=["4"]),
                         sample_input=torch.randn(4, 6), num_classes=3)


def test_tapped_model_is_exported():
    import pidkit_distill

    assert pidkit_distill.TappedModel is TappedModel
    assert {"tap_features", "register_model", "register_dataset", "available_models",
            "available_datasets"} <= set(pidkit_distill.__all__)
