"""WideResNet-depth-k for 32x32 images, with the outputs of its three groups as features.

Two block variants are offered:

``variant="preact"`` (default)
    Zagoruyko & Komodakis (2016), "Wide Residual Networks": pre-activation basic blocks
    ``BN-ReLU-conv3x3-BN-ReLU-(dropout)-conv3x3`` plus the identity, or a 1x1 convolution of the
    pre-activated input when the shape changes. Stem ``conv3x3(in, 16)``; groups of widths
    ``16k, 32k, 64k`` with strides 1, 2, 2 and ``n = (depth - 4) / 6`` blocks each; a final
    ``BN-ReLU``, global average pooling and a linear classifier.

    **What is tapped.** ``layers[g]`` is the output of group ``g`` as it leaves the group: the
    residual sum of its last block, *before* the ``BN-ReLU`` that the next group's first block
    (or, for the last group, the network's final ``BN-ReLU``) applies. It is the residual
    stream, not rectified, so it can be negative. These are the paper's "outputs of the second,
    third and fourth convolutional blocks" (the stem convolution being the first).
    ``pooled`` is the average-pooled vector after the final ``BN-ReLU``.

``variant="kd-rid"``
    What the RID authors' code (kd-rid, ``wrncifar.py``) calls a WideResNet: post-activation
    ResNet basic blocks ``conv-BN-ReLU-conv-BN`` plus a shortcut (``1x1 conv + BN`` when the
    shape changes), then ``ReLU``; stem ``conv3x3-BN-ReLU``; no final ``BN-ReLU``. The tapped
    layers are the group outputs after their last ReLU (non-negative).

Both variants have the same widths, spatial sizes (32, 16, 8 for a 32x32 input) and depth
rule. Convolutions use ``kaiming_normal_(mode="fan_out")``, BatchNorm starts at weight 1 and
bias 0, and the classifier bias at 0. Only standard layers are used, so the model runs
unchanged in ``torch.channels_last`` memory format.
"""

from __future__ import annotations

from torch import Tensor, nn
from torch.nn import functional as F

from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.models.features import Features

__all__ = ["WideResNet"]


def _conv3x3(cin: int, cout: int, stride: int) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, kernel_size=3, stride=stride, padding=1, bias=False)


class _PreActBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, drop_rate: float) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = _conv3x3(cin, cout, stride)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = _conv3x3(cout, cout, 1)
        self.drop_rate = drop_rate
        self.shortcut = (
            nn.Conv2d(cin, cout, kernel_size=1, stride=stride, bias=False)
            if cin != cout or stride != 1
            else None
        )

    def forward(self, x: Tensor) -> Tensor:
        o = F.relu(self.bn1(x))
        skip = x if self.shortcut is None else self.shortcut(o)
        o = F.relu(self.bn2(self.conv1(o)))
        if self.drop_rate > 0:
            o = F.dropout(o, p=self.drop_rate, training=self.training)
        return self.conv2(o) + skip


class _PostActBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, drop_rate: float) -> None:
        super().__init__()
        self.conv1 = _conv3x3(cin, cout, stride)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = _conv3x3(cout, cout, 1)
        self.bn2 = nn.BatchNorm2d(cout)
        self.drop_rate = drop_rate
        self.shortcut = (
            nn.Sequential(
                nn.Conv2d(cin, cout, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(cout),
            )
            if cin != cout or stride != 1
            else nn.Identity()
        )

    def forward(self, x: Tensor) -> Tensor:
        o = F.relu(self.bn1(self.conv1(x)))
        if self.drop_rate > 0:
            o = F.dropout(o, p=self.drop_rate, training=self.training)
        return F.relu(self.bn2(self.conv2(o)) + self.shortcut(x))


class WideResNet(nn.Module):
    """WideResNet-depth-k returning its three group outputs as distilled layers.

    Parameters
    ----------
    depth : int
        Total depth, ``6n + 4`` (e.g. 40 or 16).
    widen_factor : int
        Width multiplier k (e.g. 2 or 1).
    num_classes : int
        Number of classes.
    in_channels : int, default=3
        Input channels.
    drop_rate : float, default=0.0
        Dropout probability between the two convolutions of a block.
    variant : {"preact", "kd-rid"}, default="preact"
        Block type; see the module docstring.

    Examples
    --------
    >>> import torch
    >>> net = WideResNet(depth=16, widen_factor=1, num_classes=10)
    >>> net.layer_channels
    (16, 32, 64)
    >>> [tuple(t.shape[1:]) for t in net.forward_features(torch.zeros(1, 3, 32, 32)).layers]
    [(16, 32, 32), (32, 16, 16), (64, 8, 8)]
    """

    def __init__(
        self,
        *,
        depth: int,
        widen_factor: int,
        num_classes: int,
        in_channels: int = 3,
        drop_rate: float = 0.0,
        variant: str = "preact",
    ) -> None:
        super().__init__()
        # of the name wrn-D-K: the command names the option that gave it (ConfigEntryError)
        if depth < 10 or (depth - 4) % 6 != 0:
            raise ConfigEntryError(
                f"depth must be 6n+4 with n >= 1 (10, 16, 22, 28, 40, ...); got {depth!r}.", depth
            )
        if widen_factor < 1:
            raise ConfigEntryError(f"widen_factor must be a positive int; got {widen_factor!r}.",
                                   widen_factor)
        if not 0.0 <= drop_rate < 1.0:
            raise ValueError(f"drop_rate must be in [0, 1); got {drop_rate!r}.")
        if variant not in ("preact", "kd-rid"):
            raise ValueError(f"variant must be 'preact' or 'kd-rid'; got {variant!r}.")
        self.variant = variant
        n = (depth - 4) // 6
        widths = (16, 16 * widen_factor, 32 * widen_factor, 64 * widen_factor)
        block = _PreActBlock if variant == "preact" else _PostActBlock
        if variant == "preact":
            self.stem: nn.Module = _conv3x3(in_channels, widths[0], 1)
        else:
            self.stem = nn.Sequential(
                _conv3x3(in_channels, widths[0], 1), nn.BatchNorm2d(widths[0]), nn.ReLU()
            )
        groups = []
        for g, stride in enumerate((1, 2, 2)):
            cin = widths[g]
            blocks = []
            for b in range(n):
                blocks.append(block(cin if b == 0 else widths[g + 1], widths[g + 1],
                                    stride if b == 0 else 1, drop_rate))
            groups.append(nn.Sequential(*blocks))
        self.groups = nn.ModuleList(groups)
        self.final = (
            nn.Sequential(nn.BatchNorm2d(widths[3]), nn.ReLU())
            if variant == "preact"
            else nn.Identity()
        )
        self.fc = nn.Linear(widths[3], num_classes)
        self.layer_channels: tuple[int, ...] = widths[1:]
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward_features(self, x: Tensor) -> Features:
        """Logits, the three group outputs (outermost first) and the pooled vector."""
        out = self.stem(x)
        layers = []
        for group in self.groups:
            out = group(out)
            layers.append(out)
        pooled = F.adaptive_avg_pool2d(self.final(out), 1).flatten(1)
        return Features(self.fc(pooled), layers, pooled)

    def forward(self, x: Tensor) -> Tensor:
        """Logits ``(N, num_classes)``."""
        return self.forward_features(x).logits
