"""The PID audit of a teacher/student pair (RID paper, Appendix C): the PID of the label and the
two networks' layer outputs on the held-out set, a record per (epoch, layer), and what those
records say to the trainer and the report.

:func:`audit_distiller` audits a Distiller's pair (the trainer calls it every
``run.audit_every`` epochs and writes the records to ``audit.jsonl``), :func:`audit_networks`
two networks trained elsewhere; :func:`collect_features` gives the layer outputs they audit and
:func:`audit_clusters` the clusters per side that a sample size supports.

=======================  ===========================================================================
module                   job
=======================  ===========================================================================
``layer_pid``            :func:`audit_distiller`, :func:`audit_networks`: each audited layer's
                         features collected, discretised and decomposed, one record per layer
``input_checks``         what the audit is given (the held-out batches, labels and inputs, the
                         layers, the device), each mistake refused naming it and the fix
``records``              what a run's audit records say: its last audit, the estimate, the flags
                         beside the atoms and the report's notes on them
``held_out_fixes``       how to hold out more samples, in the words of the fixes for an audit
                         capped by clusters: the data set's own option for it
=======================  ===========================================================================

The names below are imported when first used (PEP 562), so that reading a run's records
(``records``, which the report and ``pidkit-distill report`` read) does not wait for PyTorch and
scikit-learn, which ``layer_pid`` needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names for type checkers and IDEs, which do not run __getattr__
    from .layer_pid import ATOMS as ATOMS
    from .layer_pid import audit_clusters as audit_clusters
    from .layer_pid import audit_distiller as audit_distiller
    from .layer_pid import audit_networks as audit_networks
    from .layer_pid import collect_features as collect_features

__all__ = ["ATOMS", "audit_clusters", "audit_distiller", "audit_networks", "collect_features"]


def __getattr__(name: str) -> Any:
    """Import a public name from :mod:`pidkit_distill.audit.layer_pid` on first use, then keep
    it in the package."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.layer_pid"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, imported or not, with the package's own attributes and the modules of
    it imported since."""
    return sorted({*globals(), *__all__})
