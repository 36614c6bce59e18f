"""CIFAR's python-pickle batch files read safely: :func:`unpickle_batch`.

The pickles are read by an unpickler that builds only plain values and numpy arrays (and the
bytes of a protocol-2 pickle), so a file cannot run code when it is read.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

__all__ = ["unpickle_batch"]


def _latin1_encode(text: Any, encoding: Any) -> bytes:
    """``_codecs.encode`` as a protocol-2 pickle calls it for a bytes value, and only so."""
    if not isinstance(text, str) or encoding != "latin1":
        raise pickle.UnpicklingError(
            f"_codecs.encode is allowed only on a str with 'latin1'; got {type(text).__name__} "
            f"with {encoding!r}"
        )
    return text.encode("latin1")


class _ArrayUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds plain values and numpy arrays, and refuses anything else."""

    _ALLOWED = frozenset({("numpy", "ndarray"), ("numpy", "dtype"),
                          ("numpy.core.multiarray", "_reconstruct"),
                          ("numpy._core.multiarray", "_reconstruct")})

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("_codecs", "encode"):  # bytes in protocol-2 pickles (as torch)
            return _latin1_encode
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed")
        return super().find_class(module, name)


def unpickle_batch(path: Path) -> dict[str, Any]:
    """A CIFAR batch file as a dict with str keys (read safely: see the module docstring).

    Any error but an :class:`OSError` (the file cannot be opened or read) while the pickle is
    rebuilt, including a numpy constructor refusing its arguments, means a damaged file.
    """
    with path.open("rb") as fh:
        try:
            raw = _ArrayUnpickler(fh, encoding="bytes").load()
        except OSError:
            raise
        except Exception as err:
            raise ValueError(
                f"{path} is not a python-pickle CIFAR batch of plain values and numpy arrays "
                f"({type(err).__name__}: {err}); replace it with the original file"
            ) from None
    if not isinstance(raw, dict):
        raise ValueError(f"{path} holds a {type(raw).__name__}, not a CIFAR batch (a dict)")
    return {(k.decode() if isinstance(k, bytes) else k): v for k, v in raw.items()}
