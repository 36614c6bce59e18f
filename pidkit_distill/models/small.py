"""Small CPU-sized teacher/student pairs: a CNN for 1x8x8 digits and an MLP for vectors.

Both return three distilled layers so that every method pairs layers exactly as it does on
WideResNets. Teacher and student of a pair have the same spatial sizes layer by layer, so
1x1-convolution regressors and filters map one onto the other.

``SmallCNN`` block ``k``: ``conv3x3 -> BN -> ReLU`` (the second block has stride 2); the tapped
layer is the block output after its ReLU. For an 8x8 input the layers are 8x8, 4x4 and 4x4.
``pooled`` is the global average of the last block. Digits teacher widths are 32/64/128
(94,186 parameters for 10 classes), student widths 8/16/32 (6,274).

``MLP`` block ``k``: ``Linear -> BatchNorm1d -> ReLU``; the tapped layer is the block output,
shape ``(N, C)``, and ``pooled`` is the last one. Synthetic teacher hidden widths 128/128/128,
student 8/8/8: the student is deliberately narrow (the "capacity-limited student" of the RID
paper's Theorem 3.1).
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn
from torch.nn import functional as F

from pidkit_distill.models.features import Features

__all__ = [
    "MLP",
    "SmallCNN",
    "digits_student",
    "digits_teacher",
    "synthetic_student",
    "synthetic_teacher",
]


def _widths(value: Sequence[int], name: str) -> tuple[int, ...]:
    widths = tuple(value)
    if not widths or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in widths):
        raise ValueError(f"{name} must be a non-empty sequence of positive ints; got {value!r}.")
    return widths


class SmallCNN(nn.Module):
    """Three ``conv3x3-BN-ReLU`` blocks, average pooling and a linear classifier.

    Parameters
    ----------
    num_classes : int
        Number of classes.
    in_channels : int, default=1
        Input channels.
    widths : sequence of int, default=(8, 16, 32)
        Channels of the blocks; block 2 (index 1) has stride 2.

    Examples
    --------
    >>> import torch
    >>> net = SmallCNN(num_classes=10, widths=(4, 8, 16))
    >>> net(torch.zeros(3, 1, 8, 8)).shape
    torch.Size([3, 10])
    """

    def __init__(
        self, *, num_classes: int, in_channels: int = 1, widths: Sequence[int] = (8, 16, 32)
    ) -> None:
        super().__init__()
        widths = _widths(widths, "widths")
        blocks = []
        cin = in_channels
        for k, cout in enumerate(widths):
            stride = 2 if k == 1 else 1
            blocks.append(nn.Sequential(
                nn.Conv2d(cin, cout, kernel_size=3, stride=stride, padding=1, bias=False),
                nn.BatchNorm2d(cout),
                nn.ReLU(),
            ))
            cin = cout
        self.blocks = nn.ModuleList(blocks)
        self.fc = nn.Linear(cin, num_classes)
        self.layer_channels: tuple[int, ...] = widths
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward_features(self, x: Tensor) -> Features:
        """Logits, the block outputs (outermost first) and the pooled vector."""
        layers = []
        out = x
        for block in self.blocks:
            out = block(out)
            layers.append(out)
        pooled = F.adaptive_avg_pool2d(out, 1).flatten(1)
        return Features(self.fc(pooled), layers, pooled)

    def forward(self, x: Tensor) -> Tensor:
        """Logits ``(N, num_classes)``."""
        return self.forward_features(x).logits


class MLP(nn.Module):
    """``Linear-BN-ReLU`` blocks and a linear classifier, for vector inputs.

    Parameters
    ----------
    num_classes : int
        Number of classes.
    in_features : int
        Input vector length.
    hidden : sequence of int, default=(8, 8, 8)
        Widths of the hidden blocks (each one a distilled layer).

    Examples
    --------
    >>> import torch
    >>> net = MLP(num_classes=4, in_features=5, hidden=(6, 3))
    >>> [tuple(t.shape) for t in net.forward_features(torch.zeros(2, 5)).layers]
    [(2, 6), (2, 3)]
    """

    def __init__(
        self, *, num_classes: int, in_features: int, hidden: Sequence[int] = (8, 8, 8)
    ) -> None:
        super().__init__()
        hidden = _widths(hidden, "hidden")
        blocks = []
        cin = in_features
        for cout in hidden:
            blocks.append(nn.Sequential(nn.Linear(cin, cout), nn.BatchNorm1d(cout), nn.ReLU()))
            cin = cout
        self.blocks = nn.ModuleList(blocks)
        self.fc = nn.Linear(cin, num_classes)
        self.layer_channels: tuple[int, ...] = hidden

    def forward_features(self, x: Tensor) -> Features:
        """Logits, the hidden block outputs (outermost first) and the last of them."""
        if x.dim() != 2:
            raise ValueError(
                f"MLP expects inputs of shape (N, in_features); got shape {tuple(x.shape)}."
            )
        layers = []
        out = x
        for block in self.blocks:
            out = block(out)
            layers.append(out)
        return Features(self.fc(out), layers, out)

    def forward(self, x: Tensor) -> Tensor:
        """Logits ``(N, num_classes)``."""
        return self.forward_features(x).logits


def digits_teacher(
    *, num_classes: int, in_channels: int = 1, widths: Sequence[int] = (32, 64, 128)
) -> SmallCNN:
    """The digits teacher: :class:`SmallCNN` with widths 32/64/128."""
    return SmallCNN(num_classes=num_classes, in_channels=in_channels, widths=widths)


def digits_student(
    *, num_classes: int, in_channels: int = 1, widths: Sequence[int] = (8, 16, 32)
) -> SmallCNN:
    """The digits student: :class:`SmallCNN` with widths 8/16/32."""
    return SmallCNN(num_classes=num_classes, in_channels=in_channels, widths=widths)


def synthetic_teacher(
    *, num_classes: int, in_channels: int, hidden: Sequence[int] = (128, 128, 128)
) -> MLP:
    """The synthetic-task teacher: :class:`MLP` with hidden widths 128/128/128.

    ``in_channels`` is the input vector length (``DatasetBundle.input_shape[0]``).
    """
    return MLP(num_classes=num_classes, in_features=in_channels, hidden=hidden)


def synthetic_student(
    *, num_classes: int, in_channels: int, hidden: Sequence[int] = (8, 8, 8)
) -> MLP:
    """The synthetic-task student: a narrow :class:`MLP`, hidden widths 8/8/8.

    ``in_channels`` is the input vector length (``DatasetBundle.input_shape[0]``).
    """
    return MLP(num_classes=num_classes, in_features=in_channels, hidden=hidden)
