"""Samples and learned representations -> joint counts -> bias-corrected PID, with intervals.

One job per module:

- :mod:`~pidkit.estimate.inputs`: checks of labels, feature matrices, seeds and options;
- :mod:`~pidkit.estimate.scaler`: :class:`PowerOfTwoScaler`, the exact scaling that comes first;
- :mod:`~pidkit.estimate.distinct_rows`: which projected rows are distinct, and whether all are one;
- :mod:`~pidkit.estimate.project`: :class:`Projector`, the scale -> normalise -> PCA stage both
  estimators share;
- :mod:`~pidkit.estimate.fitted_inputs`: checks of what a fitted Projector or Discretizer is
  given later (its width, column names and dtype);
- :mod:`~pidkit.estimate.cluster_count`: :func:`clusters_for_samples`, the rule for the number of
  clusters, and :func:`information_cap`, when fewer clusters than labels cap what a side shows;
- :mod:`~pidkit.estimate.clusterers`: a user's own clusterer, checked and seeded, and the warning
  when it finds a single cluster;
- :mod:`~pidkit.estimate.discretize`: :class:`Discretizer` (a seeded scikit-learn Pipeline) and
  :func:`discretize`;
- :mod:`~pidkit.estimate.dirichlet`: the empirical-Bayes conditional entropy behind the default
  correction;
- :mod:`~pidkit.estimate.correction`: :func:`correct_counts`, bias-corrected atoms from counts;
- :mod:`~pidkit.estimate.correction_result`: :class:`BiasCorrection`, the record of one correction;
- :mod:`~pidkit.estimate.kink`: :func:`kink_fraction`, the n**-1/2 alternative to the correction's
  bias model at a kink of the BROJA optimum;
- :mod:`~pidkit.estimate.bootstrap`: the bootstrap statistic of the PID of counts (replicates and
  intervals come from :mod:`pidkit.resampling`, shared with the Gaussian estimator);
- :mod:`~pidkit.estimate.cluster_seeds`: ``cluster_seeds=k``, the mean over k KMeans seeds and a
  bootstrap that cycles through them;
- :mod:`~pidkit.estimate.continuous`: the Gaussian estimator (one-hot labels, projected features);
- :mod:`~pidkit.estimate.result`: :class:`RepresentationPID`, the result of either estimator;
- :mod:`~pidkit.estimate.bias_warning`: :class:`PluginBiasWarning`, the warning that the
  plug-in estimate's expected bias is too large to trust it;
- :mod:`~pidkit.estimate.dropped_scale`: :class:`ScaleDroppedWarning`, the warning that
  ``normalize="l2"`` dropped row lengths that tell the labels apart;
- :mod:`~pidkit.estimate.representation_checks`: the argument checks of
  :func:`pid_from_representations`;
- :mod:`~pidkit.estimate.representations`: :func:`pid_from_representations`, the whole pipeline.

Which values are below 0, and what each says (:func:`below_zero_verdicts`: noise, an
overshooting correction, a measure's Syn below 0 by definition, or not judged without bootstrap
intervals), is :mod:`pidkit.below_zero`'s,
which reads plain values and needs no scikit-learn (``pidkit-distill report`` reads it).

Arrays index as ``p[y, t, s]``: target first, then teacher, then student.

>>> from pidkit.estimate import BIAS_CORRECTIONS, DEFAULT_BIAS_CORRECTION
>>> BIAS_CORRECTIONS, DEFAULT_BIAS_CORRECTION
(('none', 'extrapolation', 'eb-extrapolation', 'eb-extrapolation-kink'), 'eb-extrapolation-kink')
"""

from pidkit.below_zero import BELOW_ZERO_VERDICTS, OVERSHOOT_CONFIDENCE, below_zero_verdicts
from pidkit.resampling import CI_METHODS, DEFAULT_CI_METHOD, bootstrap_intervals, bootstrap_replicates

from .bias_warning import BIAS_WARNING_FLOOR
from .bootstrap import PIDStatistic, bootstrap
from .cluster_count import CAP_SHARE, clusters_for_samples, information_cap
from .continuous import GAUSSIAN_BIAS_CORRECTIONS
from .correction import (
    BIAS_CORRECTIONS,
    DEFAULT_BIAS_CORRECTION,
    BiasCorrection,
    atoms_from_informations,
    check_sample_size,
    correct_counts,
)
from .dirichlet import eb_conditional_entropy
from .discretize import Discretizer, FewDistinctRowsWarning, discretize
from .dropped_scale import DROPPED_SCALE_SHARE, ScaleDroppedWarning
from .kink import kink_fraction
from .project import Projector
from .representations import ESTIMATORS, pid_from_representations
from .result import BIAS_WARNING_RATIO, PluginBiasWarning, RepresentationPID
from .scaler import PowerOfTwoScaler

__all__ = [
    "BELOW_ZERO_VERDICTS",
    "BIAS_CORRECTIONS",
    "BIAS_WARNING_FLOOR",
    "BIAS_WARNING_RATIO",
    "CAP_SHARE",
    "CI_METHODS",
    "DEFAULT_BIAS_CORRECTION",
    "DEFAULT_CI_METHOD",
    "DROPPED_SCALE_SHARE",
    "ESTIMATORS",
    "GAUSSIAN_BIAS_CORRECTIONS",
    "OVERSHOOT_CONFIDENCE",
    "BiasCorrection",
    "Discretizer",
    "FewDistinctRowsWarning",
    "PIDStatistic",
    "PluginBiasWarning",
    "PowerOfTwoScaler",
    "Projector",
    "RepresentationPID",
    "ScaleDroppedWarning",
    "atoms_from_informations",
    "below_zero_verdicts",
    "bootstrap",
    "bootstrap_intervals",
    "bootstrap_replicates",
    "check_sample_size",
    "clusters_for_samples",
    "correct_counts",
    "discretize",
    "eb_conditional_entropy",
    "information_cap",
    "kink_fraction",
    "pid_from_representations",
]
