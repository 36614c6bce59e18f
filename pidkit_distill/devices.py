"""The devices this machine has, in the words every device message uses.

:func:`on_this_machine` says whether a device is one of them, :func:`devices_here` what to pass
instead (``load_student``'s ``map_location``, ``audit_distiller``'s ``device``), from
:func:`accelerator_here` (what ``torch.accelerator`` sees: CUDA, XPU, MPS, ...), and
:func:`no_cuda` is how a message says there is no CUDA device: :data:`NO_CUDA`, and that
``CUDA_VISIBLE_DEVICES`` hides them where it is set; :func:`cpu_load` how busy the CPU cores
are. None of them initialises CUDA: they ask torch for the count of devices only.
"""

from __future__ import annotations

import os

import torch

__all__ = ["NO_CUDA", "accelerator_here", "cpu_load", "cuda_devices", "devices_here", "no_cuda",
           "on_this_machine"]

NO_CUDA = "this machine has no CUDA device"


def no_cuda() -> str:
    """How a message says that torch sees no CUDA device: :data:`NO_CUDA`, and, where
    ``CUDA_VISIBLE_DEVICES`` is set in the environment of a torch built with CUDA, that it is
    set (its value) and hides the GPUs it does not name: set to ``""``, or to an index the
    machine lacks, it hides every one.

    Examples
    --------
    >>> no_cuda().startswith(NO_CUDA)
    True
    """
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None or not torch.backends.cuda.is_built():  # without CUDA it hides nothing
        return NO_CUDA
    return f"{NO_CUDA} (CUDA_VISIBLE_DEVICES={visible!r} is set: it hides every GPU it does not name)"


def cuda_devices() -> int:
    """How many CUDA devices this machine has (0 without CUDA), as torch counts them: those
    that ``CUDA_VISIBLE_DEVICES`` leaves visible."""
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def cpu_load() -> tuple[float, int] | None:
    """The load average of the last minute and the CPU cores this process may use (its
    affinity), or ``None`` where the system does not say (Windows has no load average).

    Examples
    --------
    >>> load = cpu_load()
    >>> load is None or (load[0] >= 0.0 and load[1] >= 1)
    True
    """
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows has none; a system that cannot say
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (load, cores) if cores else None


def on_this_machine(device: torch.device) -> bool:
    """Whether ``device`` is one this machine has.

    Parameters
    ----------
    device : torch.device

    Returns
    -------
    bool
        For CUDA, an index below the count of CUDA devices (no index: ``cuda:0``); for MPS,
        whether it is available; for another accelerator that torch has a module of the
        type's name for (``torch.xpu``, ``torch.mtia``), the same as for CUDA, from that
        module's ``is_available`` and ``device_count``; for a type without such a module (xla,
        hpu, maia), whether torch makes an empty tensor on it (its backend is loaded); the CPU
        and meta are always here.

    Examples
    --------
    >>> on_this_machine(torch.device("cpu")), on_this_machine(torch.device("cuda:99"))
    (True, False)
    """
    if device.type == "cuda":
        return (device.index or 0) < cuda_devices()
    if device.type == "mps":
        return torch.backends.mps.is_available()
    if device.type in ("cpu", "meta"):
        return True
    backend = getattr(torch, device.type, None)  # torch.xpu, torch.mtia, ...
    if backend is not None and hasattr(backend, "is_available"):
        count = getattr(backend, "device_count", lambda: 1)  # a backend of one device may lack it
        return backend.is_available() and (device.index or 0) < count()
    try:  # a backend without such a module (xla, hpu): here if torch can make a tensor on it
        torch.empty(0, device=device)
    except Exception:  # torch's NotImplementedError, RuntimeError or ModuleNotFoundError
        return False
    return True


def accelerator_here() -> tuple[str, int] | None:
    """The accelerator torch sees on this machine, and how many devices of it: ``("cuda", 2)``,
    ``("xpu", 1)``, ``("mps", 1)``; ``None`` without one.

    CUDA is asked of ``torch.cuda`` (:func:`cuda_devices`, as the trainer does); another
    accelerator of ``torch.accelerator`` (torch 2.6 and later: the one this torch was built for,
    XPU, MPS or a plug-in's such as HPU or NPU, with its ``is_available`` and ``device_count``,
    which initialise no device); MPS, in a torch without ``torch.accelerator``, of
    ``torch.backends.mps``. A CUDA build whose GPUs are all hidden (``CUDA_VISIBLE_DEVICES=""``)
    has none.

    Examples
    --------
    >>> accelerator_here() is None or accelerator_here()[1] > 0
    True
    """
    cuda = cuda_devices()
    if cuda:
        return "cuda", cuda
    generic = getattr(torch, "accelerator", None)
    if generic is not None and hasattr(generic, "current_accelerator"):
        try:
            found = generic.current_accelerator()
        except RuntimeError:  # torch 2.6's, where it was built for none (later ones give None)
            return None
        if found is None or found.type == "cuda" or not generic.is_available():
            return None
        return found.type, generic.device_count()
    return ("mps", 1) if torch.backends.mps.is_available() else None


def devices_here() -> str:
    """What to pass as a device on this machine: only the devices it has.

    Returns
    -------
    str
        ``"this machine has no CUDA device: pass 'cpu'"`` without an accelerator (with
        :func:`no_cuda`'s words on ``CUDA_VISIBLE_DEVICES`` where it is set); ``"pass
        'cpu', 'cuda' or 'cuda:N' with N < 2"`` with two CUDA devices; ``"this machine has no
        CUDA device: pass 'cpu', 'xpu' or 'xpu:N' with N < 1"`` with one Intel XPU (any
        accelerator of :func:`accelerator_here`; ``'mps'`` alone, without an index).

    Examples
    --------
    >>> devices_here() == f"{no_cuda()}: pass 'cpu'" or "'cuda'" in devices_here()
    True
    """
    found = accelerator_here()
    kind, count = found or ("", 0)
    names = ["'cpu'", *([f"'{kind}'"] if found else []),
             *([f"'{kind}:N' with N < {count}"] if found and kind != "mps" else [])]
    choices = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return f"{'' if kind == 'cuda' else no_cuda() + ': '}pass {choices}"
