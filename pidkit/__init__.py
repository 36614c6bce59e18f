"""pidkit: partial information decomposition of what a teacher network taught a student.

A joint pmf ``p[y, t, s]`` (target, teacher, student) goes in; information atoms come out.

>>> import pidkit
>>> round(pidkit.bertschinger(pidkit.examples.xor()).syn, 9)
1.0
"""

import importlib
import warnings
from types import ModuleType
from typing import Any

from . import _caller, examples, gaussian, measures, resampling, theorems

# pidkit.utils, the helpers for code built on pidkit, is an API package of its own beside pidkit
# (docs/conf.py's api_packages: its own reference page, from its own __all__), so it is not in
# __all__, whose names pidkit's page documents; like the modules there, import pidkit reaches it.
from . import utils as utils
from ._errors import SolverError
from ._result import MissingAttributeError, PIDResult
from .batch import bertschinger_batch, to_frame
from .bertschinger import bertschinger
from .decompose import pid
from .gaussian import gaussian_pid, gaussian_pid_from_samples
from .measures import (
    co_information,
    conditional_mutual_information,
    entropy,
    mutual_information,
)
from .redundancy import MEASURES as REDUNDANCY_MEASURES
from .redundancy import (
    NONNEGATIVE_MEASURES,
    i_function_of_source,
    i_gh,
    i_mmi,
    i_prec,
    i_target_common,
    i_wedge,
    redundancy,
)
from .samples import EmpiricalJoint, joint_from_dit, joint_from_samples
from .theorems import (
    TheoremReport,
    check_paper_examples,
    check_theorem_3_1,
    check_theorem_3_2,
    check_theorem_4_1,
)

__all__ = [
    "NONNEGATIVE_MEASURES",
    "REDUNDANCY_MEASURES",
    "EmpiricalJoint",
    "MissingAttributeError",
    "PIDResult",
    "SolverError",
    "TheoremReport",
    "bertschinger",
    "bertschinger_batch",
    "check_paper_examples",
    "check_theorem_3_1",
    "check_theorem_3_2",
    "check_theorem_4_1",
    "co_information",
    "conditional_mutual_information",
    "entropy",
    "estimate",  # noqa: F822 (loaded on first use by __getattr__ below)
    "examples",
    "gaussian",
    "gaussian_pid",
    "gaussian_pid_from_samples",
    "i_function_of_source",
    "i_gh",
    "i_mmi",
    "i_prec",
    "i_target_common",
    "i_wedge",
    "joint_from_dit",
    "joint_from_samples",
    "measures",
    "mutual_information",
    "pid",
    "redundancy",
    "resampling",
    "theorems",
    "to_frame",
]
__version__ = "0.1.0"

# pidkit.estimate's public names that pidkit does not import (it would load scikit-learn): a caller
# who reaches for one on pidkit is told where it is. tests/test_advice_to_the_corrected_route.py
# checks that this is every name of pidkit.estimate.__all__ that pidkit's __all__ lacks.
_ESTIMATE_NAMES = frozenset({
    "BELOW_ZERO_VERDICTS", "BIAS_CORRECTIONS", "BIAS_WARNING_FLOOR", "BIAS_WARNING_RATIO", "BiasCorrection",
    "CAP_SHARE", "CI_METHODS", "DEFAULT_BIAS_CORRECTION", "DEFAULT_CI_METHOD", "DROPPED_SCALE_SHARE",
    "Discretizer", "ESTIMATORS",
    "FewDistinctRowsWarning", "GAUSSIAN_BIAS_CORRECTIONS", "OVERSHOOT_CONFIDENCE", "PIDStatistic",
    "PluginBiasWarning", "PowerOfTwoScaler", "Projector", "RepresentationPID", "ScaleDroppedWarning",
    "atoms_from_informations",
    "below_zero_verdicts", "bootstrap", "bootstrap_intervals", "bootstrap_replicates", "check_sample_size",
    "clusters_for_samples", "correct_counts", "discretize", "eb_conditional_entropy", "information_cap",
    "kink_fraction", "pid_from_representations",
})
_NO_PID_FROM_SAMPLES = (
    "; for samples use pidkit.estimate.pid_from_representations(y, t_features, s_features) (features "
    "or labels, bias-corrected), pidkit.estimate.correct_counts(pidkit.joint_from_samples(y, t, s).counts) "
    "(labels counted into a joint, bias-corrected), or pidkit.gaussian_pid_from_samples(y, t, s) "
    "(jointly Gaussian variables)")


def _where_it_is(name: str) -> str:
    """The end of the AttributeError for ``pidkit.<name>``: where a name of the subpackages lives."""
    for package, names in (("estimate", _ESTIMATE_NAMES), ("gaussian", set(gaussian.__all__) - set(__all__))):
        if name in names:
            return f"; it is pidkit.{package}.{name} (from pidkit.{package} import {name})"
    return _NO_PID_FROM_SAMPLES if name == "pid_from_samples" else ""


def __getattr__(name: str) -> Any:
    # pidkit.estimate pulls in scikit-learn: load it on first use, not on `import pidkit`.
    if name == "estimate":
        return importlib.import_module(".estimate", __name__)
    if name == "ContinuousLabelsWarning":  # deprecated as numpy and scikit-learn deprecate a name
        # `from pidkit import X` reads X twice: the import system's hasattr (a submodule X?), then
        # the statement's own getattr. The first is not the user's access: one warning, not two.
        if not _caller.read_by_the_import_system():
            warnings.warn(
                "pidkit.ContinuousLabelsWarning is deprecated and will be removed: pidkit no longer "
                "emits it, as non-integer float labels are now refused with a ValueError. Remove the "
                "filters and except clauses that name it.", FutureWarning, stacklevel=2)
        from ._labels import ContinuousLabelsWarning

        return ContinuousLabelsWarning
    raise AttributeError(f"module 'pidkit' has no attribute {name!r}{_where_it_is(name)}")


def __dir__() -> list[str]:
    # dir() and tab completion list the public API, as scipy's __dir__ lists its __all__: every
    # name of __all__ (pidkit.estimate before its first use), the dunders and the public
    # subpackages and modules imported (pidkit.utils, pidkit.batch, ...), not the names this
    # module imports for its own use (importlib, warnings, Any) nor its private modules.
    own = {name for name, value in globals().items()
           if name.startswith("__")
           or (not name.startswith("_") and isinstance(value, ModuleType)
               and value.__name__ == f"{__name__}.{name}")}
    return sorted(own | set(__all__))
