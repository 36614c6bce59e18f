"""Features of any ``nn.Module`` taken with forward hooks: :func:`tap_features`.

A researcher's own network (an ``nn.Sequential`` MLP, a small CNN, a torchvision-style ResNet)
has no ``forward_features``. :func:`tap_features` gives it one without editing the model: forward
hooks on the submodules named by their paths in ``model.named_modules()`` (``"layer1"``,
``"0"``, ``"features.3"``) record their outputs during one forward pass.

The hook contract:

* paths are checked when the wrapper is made (an unknown path is an error there) and looked up
  again at every call, so a module replaced after tapping (``SyncBatchNorm.convert_sync_batchnorm``
  under DDP on CUDA, a new classifier head) is the one tapped;
* the hooks exist only inside :meth:`TappedModel.forward_features`: they are registered when it
  starts and removed when it returns or raises, with what they recorded, so the model carries
  no hook between calls, calling it (or the wrapper's ``forward``) records nothing, and no
  tensor outlives its step;
* each tapped module must run exactly once per forward pass: a module called twice (a ReLU
  module reused inside a block, a weight-shared layer) or never is refused, naming it; tap
  its parent block instead;
* a tapped output must be one tensor of shape ``(N, C)`` or ``(N, C, H, W)``, not changed in
  place later in the forward pass (``nn.ReLU(inplace=True)`` after a tapped BatchNorm would turn
  the recorded values into the ReLU's): such a tap is refused, naming it.

The wrapper holds no weights of its own: its ``state_dict`` is the model's, with the same keys,
so weights saved from the model load into the wrapper and the other way round. It survives
``copy.deepcopy`` and pickling.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from torch import Tensor, nn

from pidkit.utils import did_you_mean
from pidkit_distill.models.features import Features

__all__ = ["TappedModel", "tap_features"]

_LISTED_PATHS = 30  # an unknown path's message lists every path of a model up to this many


def _record(values: list[tuple[Any, int | None]], inputs: bool, module: nn.Module,
            args: tuple[Any, ...], output_or_kwargs: Any) -> None:
    """Forward hook (``inputs=False``: ``output_or_kwargs`` is the output) or pre-hook registered
    with its keyword arguments (``inputs=True``): append the output (or the first input, given by
    position or by keyword, as in ``self.fc(input=h)``) with its version counter, which tells
    whether it is changed in place afterwards."""
    if inputs:
        value = args[0] if args else next(iter(output_or_kwargs.values()), None)
    else:
        value = output_or_kwargs
    version = value._version if isinstance(value, Tensor) and not value.is_inference() else None
    values.append((value, version))


def _model_keys(module: nn.Module, state_dict: dict[str, Any], prefix: str,
                local_metadata: dict[str, Any]) -> None:
    """State-dict post-hook: ``PREFIX.model.KEY`` -> ``PREFIX.KEY`` (the model's own keys)."""
    inner = prefix + "model."
    for key in [k for k in state_dict if k.startswith(inner)]:
        state_dict[prefix + key[len(inner):]] = state_dict.pop(key)
    metadata = getattr(state_dict, "_metadata", None)
    if metadata is not None:
        for key in [k for k in metadata if k == inner[:-1] or k.startswith(inner)]:
            # metadata keys have no trailing dot: "student.model" is the model's, now "student"
            metadata[(prefix + key[len(inner):]).removesuffix(".")] = metadata.pop(key)


def _wrapper_keys(module: TappedModel, state_dict: dict[str, Any], prefix: str,
                  *args: Any) -> None:
    """Load-state-dict pre-hook: ``PREFIX.KEY`` -> ``PREFIX.model.KEY``."""
    module._load_prefix = prefix
    for key in [k for k in state_dict if k.startswith(prefix)]:
        state_dict[prefix + "model." + key[len(prefix):]] = state_dict.pop(key)


def _model_key_names(module: TappedModel, incompatible: Any) -> None:
    """Load-state-dict post-hook: the missing and unexpected keys named as the model's own
    (``PREFIX.model.KEY`` -> ``PREFIX.KEY``), as the file and ``state_dict()`` have them."""
    prefix = module._load_prefix
    inner = prefix + "model."
    for keys in (incompatible.missing_keys, incompatible.unexpected_keys):
        keys[:] = [prefix + k[len(inner):] if k.startswith(inner) else k for k in keys]


class TappedModel(nn.Module):
    """A model with ``forward_features`` taken by forward hooks; made by :func:`tap_features`.

    Attributes
    ----------
    model : nn.Module
        The wrapped model itself (not a copy); it carries no hook outside
        :meth:`forward_features`.
    layer_paths : tuple of str
        The tapped submodules, in the order of ``Features.layers``.
    pooled_path : str
        The submodule giving ``Features.pooled``.
    pooled_from : {"input", "output"}
        Whether ``pooled`` is that submodule's input (the default: the classifier's input) or
        its output (flattened to ``(N, D)``).
    logits_key : int, str or None
        Where the logits are in the model's output: ``None`` (the output is the logits), the
        index of a tuple or list, or the key of a dict (``tap_features(..., logits=...)``).

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from pidkit_distill.models import tap_features
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
    ...                     nn.Flatten(), nn.Linear(4, 10))
    >>> tapped = tap_features(net, layers=["1"])
    >>> tapped.layer_paths, tapped.pooled_path, tapped.pooled_from, tapped.model is net
    (('1',), '4', 'input', True)
    >>> feats = tapped.forward_features(torch.zeros(2, 1, 8, 8))
    >>> tuple(feats.layers[0].shape), tuple(feats.pooled.shape), tapped.layer_channels
    ((2, 4, 8, 8), (2, 4), (4,))
    >>> tapped(torch.zeros(2, 1, 8, 8)).shape              # forward: the model's logits
    torch.Size([2, 10])
    >>> sorted(tapped.state_dict())                        # the model's own keys
    ['0.bias', '0.weight', '4.bias', '4.weight']
    >>> tapped.load_state_dict(net.state_dict())
    <All keys matched successfully>
    """

    def __init__(self, model: nn.Module, layer_paths: tuple[str, ...], pooled_path: str,
                 pooled_from: str, logits_key: int | str | None = None) -> None:
        super().__init__()
        self.model = model
        self.logits_key = logits_key
        self.layer_paths = layer_paths
        self.pooled_path = pooled_path
        self.pooled_from = pooled_from
        self._channels: tuple[int, ...] | None = None
        self._load_prefix = ""  # of the load_state_dict running, for its key lists
        # Public since torch 2.5; setup.cfg allows torch >= 2.1, which has only the private names.
        # torch marks a hook function with the API it was registered by: one partial per wrapper.
        getattr(self, "register_state_dict_post_hook", self._register_state_dict_hook)(
            functools.partial(_model_keys))
        if hasattr(self, "register_load_state_dict_pre_hook"):
            self.register_load_state_dict_pre_hook(_wrapper_keys)
        else:
            self._register_load_state_dict_pre_hook(_wrapper_keys, with_module=True)
        self.register_load_state_dict_post_hook(_model_key_names)

    @property
    def layer_channels(self) -> tuple[int, ...]:
        """Channels of each tapped layer, known once ``forward_features`` has run (building a
        Distiller runs it)."""
        if self._channels is None:
            raise RuntimeError(
                "layer_channels is known after the first forward_features call (building a "
                "Distiller makes one); call tapped.forward_features(x) on a batch first."
            )
        return self._channels

    def forward(self, x: Tensor) -> Any:
        """The model's output (its logits); nothing is recorded.

        Parameters
        ----------
        x : Tensor
            A batch of inputs of the model.

        Returns
        -------
        Any
            What ``model(x)`` returns, or its entry ``logits_key`` where that is set.
        """
        return self._logits_of(self.model(x))

    def _logits_of(self, output: Any) -> Any:
        """The logits in ``output``: the entry ``logits_key`` of a tuple, list or dict (the
        model's output as it is where ``logits_key`` is ``None``)."""
        if self.logits_key is None:
            return output
        name = type(self.model).__name__
        if isinstance(self.logits_key, int):
            if not isinstance(output, tuple | list) or not -len(output) <= self.logits_key < len(
                    output):
                raise TypeError(f"logits={self.logits_key!r}: the {name} returned "
                                f"{_described_output(output)}, which has no element "
                                f"{self.logits_key}; pass the logits' index or key.")
        elif not isinstance(output, Mapping) or self.logits_key not in output:
            keys = f" (its keys: {list(output)})" if isinstance(output, Mapping) else ""
            raise TypeError(f"logits={self.logits_key!r}: the {name} returned "
                            f"{_described_output(output)}{keys}, which has no key "
                            f"{self.logits_key!r}; pass the logits' index or key.")
        return output[self.logits_key]

    def forward_features(self, x: Tensor) -> Features:
        """Logits, the tapped layers' outputs and the pooled vector of one forward pass.

        Parameters
        ----------
        x : Tensor
            A batch of ``N`` inputs of the model.

        Returns
        -------
        Features
            ``logits`` ``(N, K)``, ``layers`` (the outputs of ``layer_paths``, in that order) and
            ``pooled`` ``(N, D)``.

        Raises
        ------
        ValueError
            A tapped path is no longer a submodule; a tapped module did not run, or ran more
            than once, or gave a tensor of another shape than ``(N, C)`` / ``(N, C, H, W)``, or
            one changed in place later in the pass; the model's output is a tensor of another
            shape than ``(N, K)``.
        TypeError
            A tapped module or the model returned something other than one tensor.
        """
        taps = [(f"layers[{k}]", path, False) for k, path in enumerate(self.layer_paths)]
        taps.append(("pooled", self.pooled_path, self.pooled_from == "input"))
        modules = [_submodule(self.model, path, key) for key, path, _ in taps]
        recorded: dict[str, list[tuple[Any, int | None]]] = {key: [] for key, _, _ in taps}
        handles = []
        try:
            for module, (key, _, inputs) in zip(modules, taps, strict=True):
                hook = functools.partial(_record, recorded[key], inputs)
                handles.append(module.register_forward_pre_hook(hook, with_kwargs=True) if inputs
                               else module.register_forward_hook(hook))
            logits = self._logits_of(self.model(x))
        finally:
            for handle in handles:
                handle.remove()
        n = len(x)
        name = type(self.model).__name__
        if not isinstance(logits, Tensor):
            raise TypeError(
                f"model: a tapped {name} must return the logits, one tensor of shape "
                f"(N, num_classes) = ({n}, K); it returned {_described_output(logits)}. "
                + _logits_advice(logits, n)
            )
        if logits.dim() != 2 or len(logits) != n:
            raise ValueError(
                f"model: a tapped {name} must return logits of shape (N, num_classes) = ({n}, "
                f"K); it returned {tuple(logits.shape)}. Wrap it in a module whose forward "
                "returns the logits."
            )
        layers = [
            self._one(recorded[key], key, path, n, flatten=False) for key, path, _ in taps[:-1]
        ]
        pooled = self._one(recorded["pooled"], "pooled", self.pooled_path, n,
                           flatten=self.pooled_from == "output")
        self._channels = tuple(int(t.shape[1]) for t in layers)
        return Features(logits, layers, pooled)

    def _one(self, values: list[tuple[Any, int | None]], key: str, path: str, n: int, *,
             flatten: bool) -> Tensor:
        """The single tensor recorded for ``key``, checked."""
        what = f"{key}={path!r}" if key != "pooled" else self._pooled_text()
        name = type(self.model).__name__
        if not values:
            raise ValueError(
                f"{what}: that submodule did not run in one forward pass of the {name} (a "
                "branch not taken, or a module its forward never calls); tap a module that "
                "runs exactly once per forward pass."
            )
        if len(values) > 1:
            raise ValueError(
                f"{what}: that submodule ran {len(values)} times in one forward pass of the "
                f"{name}; a tap needs a module that runs exactly once (tap its parent block "
                "instead of a module that is reused)."
            )
        value, version = values[0]
        if not isinstance(value, Tensor):
            raise TypeError(f"{what}: that submodule gave a {type(value).__name__}, not a "
                            "tensor; tap a submodule whose output is one tensor.")
        if version is not None and value._version != version:
            raise ValueError(
                f"{what}: the {name} changed that submodule's output in place later in its "
                "forward pass (an in-place operation such as nn.ReLU(inplace=True) follows it), "
                "so the recorded values are no longer that output; tap the module after the "
                "in-place operation (or the enclosing block), or make it out-of-place "
                "(inplace=False)."
            )
        if flatten:
            value = value.flatten(1) if value.dim() > 1 else value
        ok_dims = (2,) if key == "pooled" else (2, 4)
        if value.dim() not in ok_dims or len(value) != n:
            wanted = "(N, D)" if key == "pooled" else "(N, C) or (N, C, H, W)"
            raise ValueError(
                f"{what}: that submodule gave shape {tuple(value.shape)} for a batch of {n}; "
                f"taps take {wanted} tensors. Tap another submodule"
                + (" or pass pooled='path' of the module whose output is the pooled vector."
                   if key == "pooled" else ".")
            )
        return value

    def _pooled_text(self) -> str:
        if self.pooled_from == "input":
            return f"pooled (the input of {self.pooled_path!r}, the last nn.Linear)"
        return f"pooled={self.pooled_path!r}"

    def extra_repr(self) -> str:
        return f"layers={list(self.layer_paths)}, {self._pooled_text()}"


def tap_features(model: nn.Module, *, layers: Sequence[str], pooled: str | None = None,
                 logits: int | str | None = None) -> TappedModel:
    """Wrap ``model`` so that it has ``forward_features(x) -> Features``, taken by forward hooks.

    Parameters
    ----------
    model : nn.Module
        Any network whose ``forward(x)`` returns the logits ``(N, num_classes)``.
    layers : sequence of str
        Paths of the submodules to distil, as ``model.named_modules()`` names them
        (``"layer1"``, ``"features.3"``, ``"2"`` for an ``nn.Sequential``), input side first;
        the methods pair the teacher's and the student's layers by position. Each output must be
        one ``(N, C)`` or ``(N, C, H, W)`` tensor, from a module that runs once per forward and
        whose output is not changed in place afterwards.
    pooled : str, optional
        Path of the submodule whose output, flattened to ``(N, D)``, is ``Features.pooled``
        (e.g. ``"avgpool"``). By default ``pooled`` is the *input* of the model's last
        ``nn.Linear`` in ``model.named_modules()`` order (its classifier), taken by a forward
        pre-hook.
    logits : int or str, optional
        For a model whose ``forward`` returns more than the logits: the index of the logits in
        the tuple (or list) it returns (``logits=0`` for ``return logits, features``), or
        their key in the dict (``logits="logits"``). The wrapper's ``forward`` then returns
        the logits alone. By default the output is the logits.

    Returns
    -------
    TappedModel
        ``forward(x)`` is the model's output, ``forward_features(x)`` the :class:`Features`,
        ``layer_channels`` the channels of each layer (after a first ``forward_features``),
        ``model`` the model itself, which carries no hook between calls. Its ``state_dict`` has
        the model's own keys.

    Raises
    ------
    TypeError
        ``model`` is not an ``nn.Module`` (or is already tapped), ``layers`` is not a sequence
        of str.
    ValueError
        ``layers`` is empty or repeats a path; a path is not a submodule (the message suggests
        the closest one and lists the model's paths); ``pooled`` is not given and the model has
        no ``nn.Linear``.

    Examples
    --------
    >>> from pidkit_distill import tap_features
    >>> import torch
    >>> from torch import nn
    >>> net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(),
    ...                     nn.Linear(8, 3))
    >>> tapped = tap_features(net, layers=["1", "3"])
    >>> feats = tapped.forward_features(torch.zeros(5, 4))
    >>> [tuple(t.shape) for t in feats.layers], tuple(feats.pooled.shape), tapped.layer_channels
    ([(5, 8), (5, 8)], (5, 8), (8, 8))
    >>> list(tapped.state_dict()) == list(net.state_dict())
    True
    >>> tap_features(net, layers=["1", "relu"])
    Traceback (most recent call last):
    ...
    ValueError: layers[1]='relu' is not a submodule of the Sequential. Its submodule paths \
(model.named_modules()) are ['0', '1', '2', '3', '4'].
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}.")
    if logits is not None and (isinstance(logits, bool) or not isinstance(logits, int | str)):
        raise TypeError(f"logits must be the index (int) or key (str) of the logits in the "
                        f"model's output, or None when the output is the logits; got {logits!r}.")
    if isinstance(model, TappedModel):
        raise TypeError("model is already tapped; tap its .model (the model it wraps) instead.")
    if isinstance(layers, str) or not isinstance(layers, Sequence) or not all(
            isinstance(p, str) for p in layers):
        raise TypeError(
            f"layers must be a list of module paths such as ['layer1', 'layer2']; got "
            f"{layers!r}" + (f". For one layer pass [{layers!r}]." if isinstance(layers, str)
                             else ".")
        )
    if not layers:
        raise ValueError("layers must name at least one submodule to distil, e.g. ['layer1'].")
    for k, path in enumerate(layers):
        _submodule(model, path, f"layers[{k}]")
        if path in layers[:k]:
            raise ValueError(f"layers[{k}]={path!r} repeats layers[{layers.index(path)}]; name "
                             "each submodule once.")
    if pooled is None:
        linears = [p for p, m in model.named_modules() if isinstance(m, nn.Linear)]
        if not linears:
            raise ValueError(
                f"pooled=None takes the input of the model's last nn.Linear, but the "
                f"{type(model).__name__} has none; pass pooled='path' of the submodule whose "
                "output is the pooled (penultimate) vector."
            )
        return TappedModel(model, tuple(layers), linears[-1], "input", logits)
    if not isinstance(pooled, str):
        raise TypeError(f"pooled must be a module path (str) or None; got {pooled!r}.")
    _submodule(model, pooled, "pooled")
    return TappedModel(model, tuple(layers), pooled, "output", logits)


def _submodule(model: nn.Module, path: str, name: str) -> nn.Module:
    """The submodule of ``model`` at ``path`` (argument ``name``); a ``ValueError`` that
    suggests the closest path and lists the model's paths if there is none."""
    try:
        found = model.get_submodule(path) if path else None
    except AttributeError:
        found = None
    if found is not None:
        return found
    paths = [p for p, _ in model.named_modules() if p]
    if len(paths) <= _LISTED_PATHS:
        listing = f"Its submodule paths (model.named_modules()) are {paths}."
    else:
        # the children of the deepest part of the path that exists, or the top level
        parts = path.split(".")
        parent = next((".".join(parts[:k]) for k in range(len(parts) - 1, 0, -1)
                       if ".".join(parts[:k]) in paths), "")
        module = model.get_submodule(parent)
        children = [f"{parent}.{c}" if parent else c for c, _ in module.named_children()]
        where = f"The submodules of {parent!r}" if parent else "Its top-level submodules"
        listing = (f"{where} are {children} ({len(paths)} paths in all: [p for p, _ in "
                   "model.named_modules()]).")
    raise ValueError(
        f"{name}={path!r} is not a submodule of the {type(model).__name__}."
        f"{did_you_mean(path, paths)} {listing}"
    )


def _described_output(output: Any) -> str:
    """A model's output as an error names it: its type, and the shapes of a container's
    tensors (``a tuple of [tensor (5, 4), tensor (5, 16)]``)."""
    def one(value: Any) -> str:
        return (f"tensor {tuple(value.shape)}" if isinstance(value, Tensor)
                else type(value).__name__)

    if isinstance(output, Mapping):
        inside = ", ".join(f"{key!r}: {one(value)}" for key, value in output.items())
        return f"a {type(output).__name__} of {{{inside}}}"
    if isinstance(output, tuple | list):
        return f"a {type(output).__name__} of [{', '.join(one(value) for value in output)}]"
    return f"a {type(output).__name__}"


def _logits_advice(output: Any, n: int) -> str:
    """How to take the logits out of a model's output that is not one tensor: the
    ``logits=`` of an entry that is an ``(N, K)`` tensor (one named like ``"logits"`` first,
    then the first), else a wrapper module."""
    entries = (list(output.items()) if isinstance(output, Mapping)
               else list(enumerate(output)) if isinstance(output, tuple | list) else [])
    entries.sort(key=lambda entry: "logit" not in str(entry[0]).lower())  # stable
    for key, value in entries:
        if isinstance(value, Tensor) and value.dim() == 2 and len(value) == n:
            where = f"its element {key}" if isinstance(key, int) else f"its entry {key!r}"
            return (f"If {where} is the logits, pass logits={key!r} to tap_features (the "
                    "tapped paths stay the model's own).")
    return ("Wrap it in a module whose forward returns the logits (and tap its paths under "
            "that module's attribute).")
