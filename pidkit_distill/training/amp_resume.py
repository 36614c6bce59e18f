"""Whether ``run.amp`` takes effect in a resumed run where it had none before, or the reverse:
:func:`amp_device_change`.

``run.amp`` asks for bf16 autocast, which the trainer uses on CUDA only
(:func:`~pidkit_distill.training.runtime.autocast`): a run trained on the CPU with it, resumed
on a GPU, trains its remaining epochs under autocast, and a GPU run resumed on the CPU trains
them in float32. Either changes the run's numbers from the resume on, so the resume says so.
``run.amp`` itself cannot change in a resume (it is no key that a resume may change), so the
way back to the numerics of the epochs before is the device they were trained on.
"""

from __future__ import annotations

from typing import Any

import torch

__all__ = ["amp_device_change", "saved_device"]

_EXPLICIT_DEVICES = ("cpu", "cuda")


def saved_device(saved: dict[str, Any]) -> str | None:
    """The type of device (``"cpu"``, ``"cuda"``) on which a checkpoint's epochs were trained.

    A checkpoint records it as ``device``; one written before it was recorded is taken at its
    ``run.device`` where that names one, and is unknown (``None``) where it was ``"auto"``.

    Parameters
    ----------
    saved : dict
        The checkpoint, as :func:`~pidkit_distill.training.checkpoint.read_checkpoint` returns it.

    Returns
    -------
    str or None
        The device type, or ``None`` where the checkpoint does not tell it.

    Examples
    --------
    >>> saved_device({"device": "cuda", "config": {"run": {"device": "auto"}}})
    'cuda'
    >>> saved_device({"config": {"run": {"device": "cpu"}}})
    'cpu'
    >>> saved_device({"config": {"run": {"device": "auto"}}}) is None
    True
    """
    if "device" in saved:
        return str(saved["device"])
    device = saved["config"].get("run", {}).get("device")
    return device if device in _EXPLICIT_DEVICES else None


def amp_device_change(saved: dict[str, Any], device: torch.device) -> str | None:
    """The warning for a run with ``run.amp`` resumed on another type of device than its
    checkpoint's epochs were trained on, where the epochs left change numerics; ``None`` where
    nothing changes (no ``run.amp``, the same device type, no epoch left to train, or a saved
    device that the checkpoint does not tell: :func:`saved_device`).

    Parameters
    ----------
    saved : dict
        The checkpoint, as :func:`~pidkit_distill.training.checkpoint.read_checkpoint` returns it
        (its ``config`` is the resumed run's: a resume keeps ``run.amp`` and ``run.epochs``).
    device : torch.device
        The device the run resumes on.

    Returns
    -------
    str or None
        One line naming ``run.amp``, both devices and how to keep the numerics of the epochs
        before.

    Examples
    --------
    >>> saved = {"device": "cpu", "epoch": 2, "config": {"run": {"amp": True, "epochs": 5}}}
    >>> print(amp_device_change(saved, torch.device("cuda", 0)))
    run.amp=true had no effect in this run's 2 epochs so far, trained on cpu (float32); it \
resumes on cuda, where run.amp takes effect: the epochs from here on train under bf16 autocast, \
with other numerics than those before; to keep float32, resume on the CPU (--run.device cpu), \
as run.amp cannot change in a resume
    >>> amp_device_change(saved, torch.device("cpu")) is None
    True
    """
    run = saved.get("config", {}).get("run", {})
    if not run.get("amp"):
        return None
    before, now = saved_device(saved), device.type
    if before is None or before == now or saved["epoch"] >= run["epochs"]:
        return None
    epochs = "1 epoch" if saved["epoch"] == 1 else f"{saved['epoch']} epochs"
    if before == "cuda":
        return (f"run.amp=true took effect in this run's {epochs} so far, trained on {before} "
                f"under bf16 autocast; it resumes on {now}, where run.amp has no effect: the "
                "epochs from here on train in float32, with other numerics than those before; "
                "to keep bf16 autocast, resume on a CUDA GPU (--run.device cuda), as run.amp "
                "cannot change in a resume")
    return (f"run.amp=true had no effect in this run's {epochs} so far, trained on {before} "
            f"(float32); it resumes on {now}, where run.amp takes effect: the epochs from here "
            "on train under bf16 autocast, with other numerics than those before; to keep "
            "float32, resume on the CPU (--run.device cpu), as run.amp cannot change in a "
            "resume")
