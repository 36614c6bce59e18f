"""Model zoo: feature shapes, parameter counts against closed forms, errors."""

from __future__ import annotations

import pytest
import torch

from pidkit_distill.models import Features, available_models, build_model
from pidkit_distill.models.wrn import WideResNet

pytestmark = pytest.mark.usefixtures("one_torch_thread")


# (name, build kwargs, input shape, expected per-sample layer shapes, pooled width)
CASES = [
    ("wrn-16-1", {}, (3, 32, 32), [(16, 32, 32), (32, 16, 16), (64, 8, 8)], 64),
    ("wrn-40-2", {}, (3, 32, 32), [(32, 32, 32), (64, 16, 16), (128, 8, 8)], 128),
    ("wrn-16-1", {"variant": "kd-rid"}, (3, 32, 32), [(16, 32, 32), (32, 16, 16), (64, 8, 8)],
     64),
    ("digits-teacher", {"in_channels": 1}, (1, 8, 8), [(32, 8, 8), (64, 4, 4), (128, 4, 4)], 128),
    ("digits-student", {"in_channels": 1}, (1, 8, 8), [(8, 8, 8), (16, 4, 4), (32, 4, 4)], 32),
    ("synthetic-teacher", {"in_channels": 20}, (20,), [(128,), (128,), (128,)], 128),
    ("synthetic-student", {"in_channels": 20}, (20,), [(8,), (8,), (8,)], 8),
]


@pytest.mark.parametrize(("name", "kw", "in_shape", "layer_shapes", "pooled"), CASES)
def test_feature_shapes(name, kw, in_shape, layer_shapes, pooled):
    torch.manual_seed(0)
    model = build_model(name, num_classes=7, **kw).eval()
    x = torch.randn(2, *in_shape)
    feats = model.forward_features(x)
    assert isinstance(feats, Features)
    assert [tuple(t.shape[1:]) for t in feats.layers] == layer_shapes
    assert all(t.shape[0] == 2 for t in feats.layers)
    assert model.layer_channels == tuple(s[0] for s in layer_shapes)
    assert tuple(feats.pooled.shape) == (2, pooled)
    assert tuple(feats.logits.shape) == (2, 7)
    torch.testing.assert_close(model(x), feats.logits)


def _preact_wrn_count(depth: int, k: int, num_classes: int, in_channels: int = 3) -> int:
    """Closed-form parameter count of a Zagoruyko-Komodakis pre-activation WRN."""
    n = (depth - 4) // 6
    widths = [16, 16 * k, 32 * k, 64 * k]
    total = 9 * in_channels * 16
    for g in range(3):
        cin, cout = widths[g], widths[g + 1]
        for b in range(n):
            c_in = cin if b == 0 else cout
            total += 2 * c_in + 9 * c_in * cout + 2 * cout + 9 * cout * cout
            if c_in != cout or (b == 0 and g > 0):
                total += c_in * cout
    return total + 2 * widths[3] + widths[3] * num_classes + num_classes


@pytest.mark.parametrize(
    ("name", "num_classes", "expected"),
    [
        ("wrn-40-2", 10, 2_243_546),  # "2.2M" in the RID paper's setting
        ("wrn-16-1", 10, 175_066),  # "0.17M"
        ("wrn-40-2", 100, 2_255_156),
        ("wrn-16-1", 100, 180_916),
    ],
)
def test_wrn_parameter_counts(name, num_classes, expected):
    model = build_model(name, num_classes=num_classes)
    count = sum(p.numel() for p in model.parameters())
    depth, k = (int(v) for v in name.split("-")[1:])
    assert _preact_wrn_count(depth, k, num_classes) == expected
    assert count == expected


def test_wrn_variants_differ_in_blocks_not_shapes():
    torch.manual_seed(0)
    pre = build_model("wrn-16-1", num_classes=10).eval()
    post = build_model("wrn-16-1", num_classes=10, variant="kd-rid").eval()
    x = torch.randn(1, 3, 32, 32)
    fp, fq = pre.forward_features(x), post.forward_features(x)
    assert [t.shape for t in fp.layers] == [t.shape for t in fq.layers]
    # post-activation taps are ReLU outputs; pre-activation taps are residual sums (signed)
    assert all((t >= 0).all() for t in fq.layers)
    assert any((t < 0).any() for t in fp.layers)


def test_channels_last_gives_the_same_features():
    torch.manual_seed(0)
    model = build_model("wrn-16-1", num_classes=10).eval()
    x = torch.randn(1, 3, 32, 32)
    ref = model.forward_features(x)
    model_cl = model.to(memory_format=torch.channels_last)
    out = model_cl.forward_features(x.to(memory_format=torch.channels_last))
    for a, b in zip(ref.layers, out.layers, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(ref.logits, out.logits, rtol=1e-4, atol=1e-4)


def test_wrn_rejects_bad_depth_and_variant():
    with pytest.raises(ValueError, match=r"depth must be 6n\+4"):
        WideResNet(depth=15, widen_factor=1, num_classes=10)
    with pytest.raises(ValueError, match="variant must be"):
        build_model("wrn-16-1", num_classes=10, variant="resnet")


def test_build_model_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"name='resnet18' is not a known model.*digits-student"):
        build_model("resnet18", num_classes=10)
    with pytest.raises(ValueError, match="num_classes must be a positive int; got 0"):
        build_model("digits-student", num_classes=0)
    with pytest.raises(TypeError, match="name must be a str"):
        build_model(3, num_classes=10)
    with pytest.raises(ValueError, match="hidden must be a non-empty sequence"):
        build_model("synthetic-student", num_classes=3, in_channels=4, hidden=())
    with pytest.raises(TypeError):
        build_model("digits-student", num_classes=10, depth=3)
    assert "wrn-D-K" in available_models()


def test_mlp_rejects_image_input():
    model = build_model("synthetic-student", num_classes=3, in_channels=4)
    with pytest.raises(ValueError, match=r"shape \(N, in_features\)"):
        model.forward_features(torch.zeros(2, 1, 2, 2))


@pytest.mark.parametrize(("name", "kw", "message"), [
    # it was Python's "synthetic_student() got an unexpected keyword argument 'widths'"
    ("synthetic-student", {"widths": 3},
     "build_model: model 'synthetic-student' takes no keyword(s) ['widths']; the keywords it "
     "takes are ['hidden'] (besides num_classes and in_channels)."),
    ("digits-student", {"hidden": 3, "x": 1},
     "build_model: model 'digits-student' takes no keyword(s) ['hidden', 'x']; the keywords it "
     "takes are ['widths'] (besides num_classes and in_channels)."),
    ("WRN-16-1", {"drop_rat": 0.1},
     "build_model: model 'WRN-16-1' takes no keyword(s) ['drop_rat']; the keywords it takes are "
     "['drop_rate', 'variant'] (besides num_classes and in_channels; its depth and widen_factor "
     "are those of its name 'WRN-16-1'). Did you mean 'drop_rate'?"),
    # it was "got multiple values for keyword argument 'depth'"
    ("wrn-16-1", {"depth": 22},
     "build_model: model 'wrn-16-1' takes no keyword(s) ['depth']; the keywords it takes are "
     "['drop_rate', 'variant'] (besides num_classes and in_channels; its depth and widen_factor "
     "are those of its name 'wrn-16-1')."),
])
def test_an_unknown_keyword_to_a_builtin_model_names_the_model_and_its_keywords(name, kw,
                                                                                message):
    with pytest.raises(TypeError) as info:
        build_model(name, num_classes=4, in_channels=20, **kw)
    assert str(info.value) == message
