"""BatchNorm synchronised over DDP processes, on CUDA (torch's) and on CPU (gloo).

``torch.nn.SyncBatchNorm`` refuses CPU tensors (and DDP refuses it in CPU modules). On CPU,
:func:`convert_sync_batchnorm` turns each BatchNorm layer into the matching
``SyncBatchNorm1d/2d/3d``: in training mode under two or more processes, the per-channel sums
``sum x``, ``sum x^2`` and the sample count are all-reduced, so every process normalises with
the statistics of the global batch (shares may be of different sizes), and the backward pass
all-reduces ``sum dy`` and ``sum dy * x_hat`` in the same way. Running statistics are updated
with the global mean and the unbiased global variance, as BatchNorm does for one process; the
statistics are accumulated in float64. Anything else (eval mode, one process, CUDA) is torch's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
import torch.distributed as dist
from torch import Tensor, nn

if TYPE_CHECKING:  # the mixin is a base of BatchNorm layers only, whose attributes it reads
    from torch.nn.modules.batchnorm import _BatchNorm as _MixedInto
else:
    _MixedInto = object

__all__ = ["SyncBatchNorm1d", "SyncBatchNorm2d", "SyncBatchNorm3d", "convert_sync_batchnorm"]


class _GlobalBatchNorm(torch.autograd.Function):
    """Batch normalisation with statistics all-reduced over a process group (CPU path)."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, weight: Tensor | None, bias: Tensor | None,
                running_mean: Tensor | None, running_var: Tensor | None, eps: float,
                momentum: float, group: Any) -> Tensor:
        channels = x.shape[1]
        dims = [0, *range(2, x.dim())]
        shape = (1, channels) + (1,) * (x.dim() - 2)
        x64 = x.double()
        stats = torch.cat([x64.sum(dims), (x64 * x64).sum(dims),
                           x64.new_tensor([x.numel() / channels])])
        dist.all_reduce(stats, group=group)
        count = stats[-1]
        mean = stats[:channels] / count
        var = (stats[channels:-1] / count - mean * mean).clamp_min(0.0)
        invstd = (var + eps).rsqrt()
        if running_mean is not None and running_var is not None:
            unbiased = var * count / (count - 1).clamp_min(1.0)
            running_mean.mul_(1 - momentum).add_(momentum * mean.to(running_mean.dtype))
            running_var.mul_(1 - momentum).add_(momentum * unbiased.to(running_var.dtype))
        x_hat = (x64 - mean.view(shape)) * invstd.view(shape)
        y = x_hat
        if weight is not None:
            y = y * weight.double().view(shape)
        if bias is not None:
            y = y + bias.double().view(shape)
        ctx.save_for_backward(x_hat, weight, invstd, count)
        ctx.group = group
        ctx.has_bias = bias is not None
        ctx.param_dtype = next((p.dtype for p in (weight, bias) if p is not None), x.dtype)
        return y.to(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad_y: Tensor) -> tuple[Tensor | None, ...]:
        x_hat, weight, invstd, count = ctx.saved_tensors
        channels = x_hat.shape[1]
        dims = [0, *range(2, x_hat.dim())]
        shape = (1, channels) + (1,) * (x_hat.dim() - 2)
        g64 = grad_y.double()
        local = torch.cat([g64.sum(dims), (g64 * x_hat).sum(dims)])
        total = local.clone()
        dist.all_reduce(total, group=ctx.group)
        mean_dy, mean_dy_xhat = total[:channels] / count, total[channels:] / count
        scale = invstd if weight is None else invstd * weight.double()
        grad_x = (g64 - mean_dy.view(shape) - x_hat * mean_dy_xhat.view(shape)) * scale.view(shape)
        grad_weight = local[channels:].to(ctx.param_dtype) if weight is not None else None
        grad_bias = local[:channels].to(ctx.param_dtype) if ctx.has_bias else None
        return grad_x.to(grad_y.dtype), grad_weight, grad_bias, None, None, None, None, None


class _GlobalStatistics(_MixedInto):
    """Mixin: in training mode on CPU under two or more processes, use the global batch."""

    def forward(self, input: Tensor) -> Tensor:
        """Normalise ``input``; see the module docstring."""
        if not (self.training and input.device.type == "cpu" and dist.is_available()
                and dist.is_initialized() and dist.get_world_size() > 1):
            return super().forward(input)
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked)
        running_mean = self.running_mean if self.track_running_stats else None
        running_var = self.running_var if self.track_running_stats else None
        return _GlobalBatchNorm.apply(input, self.weight, self.bias, running_mean, running_var,
                                      self.eps, factor, dist.group.WORLD)


class SyncBatchNorm1d(_GlobalStatistics, nn.BatchNorm1d):
    """:class:`torch.nn.BatchNorm1d` whose training statistics are the global batch's (CPU)."""


class SyncBatchNorm2d(_GlobalStatistics, nn.BatchNorm2d):
    """:class:`torch.nn.BatchNorm2d` whose training statistics are the global batch's (CPU).

    Examples
    --------
    >>> import torch
    >>> net = convert_sync_batchnorm(torch.nn.Sequential(torch.nn.BatchNorm2d(3)),
    ...                              device_type="cpu")
    >>> type(net[0]).__name__, tuple(net(torch.randn(4, 3, 2, 2)).shape)   # one process
    ('SyncBatchNorm2d', (4, 3, 2, 2))
    """


class SyncBatchNorm3d(_GlobalStatistics, nn.BatchNorm3d):
    """:class:`torch.nn.BatchNorm3d` whose training statistics are the global batch's (CPU)."""


_CPU_SYNC: dict[type[nn.Module], type[nn.Module]] = {
    nn.BatchNorm1d: SyncBatchNorm1d, nn.BatchNorm2d: SyncBatchNorm2d,
    nn.BatchNorm3d: SyncBatchNorm3d}


def convert_sync_batchnorm(module: nn.Module, *, device_type: str) -> nn.Module:
    """Make every BatchNorm layer of ``module`` use the statistics of the global batch.

    On CUDA: torch's ``SyncBatchNorm.convert_sync_batchnorm`` (nccl). On CPU: every
    ``BatchNorm1d/2d/3d`` becomes the matching ``SyncBatchNorm1d/2d/3d`` in place (a subclass
    with the same attributes; only ``forward`` differs), since DistributedDataParallel refuses
    torch's SyncBatchNorm in CPU modules. State-dict keys do not change, so checkpoints move
    freely between synchronised and plain runs. Returns the converted module.
    """
    if device_type != "cpu":
        return nn.SyncBatchNorm.convert_sync_batchnorm(module)
    for layer in module.modules():
        cpu_sync = _CPU_SYNC.get(type(layer))
        if cpu_sync is not None:
            layer.__class__ = cpu_sync
    return module
