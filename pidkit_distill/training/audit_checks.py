"""Check the audit's settings against the models and the data before any work:
:func:`check_audit`.

The layers it names must be layers that both models distil, and the held-out samples it counts
must be enough for its estimator: the discrete audit's clusters and bias correction
(:func:`pidkit.estimate.check_sample_size`, KMeans), the Gaussian audit's sample covariance
(:func:`pidkit.gaussian.samples.min_samples`). Checked here, not after the teacher has trained.
"""

from __future__ import annotations

from pidkit.estimate import check_sample_size
from pidkit.estimate.representations import resolve_bias_correction
from pidkit.gaussian.samples import min_samples
from pidkit_distill.audit import audit_clusters
from pidkit_distill.config import TrainConfig
from pidkit_distill.data import DatasetSpec

__all__ = ["check_audit"]


def check_audit(config: TrainConfig, data: DatasetSpec, *, n_teacher: int, n_student: int) -> None:
    """Raise :class:`ValueError`, naming the ``audit.*`` key to change (or ``run.audit_every``),
    where a run with an audit (``run.audit_every`` not 0) could not audit as configured.

    Parameters
    ----------
    config : TrainConfig
        The configuration.
    data : DatasetSpec
        The student's data: its held-out samples and classes.
    n_teacher, n_student : int
        How many layers the method distils in the teacher and in the student.

    Raises
    ------
    ValueError
        ``audit.layers`` empty (every distilled layer) where the models distil different
        numbers of layers, or an index beyond those both have; too few held-out samples for
        the clusters (discrete) or the components (Gaussian).
    """
    if not config.run.audit_every:
        return
    n_layers = min(n_teacher, n_student)
    if not config.audit.layers and n_teacher != n_student:
        raise ValueError(f"audit.layers: [] audits every distilled layer, but the teacher has "
                         f"{n_teacher} and the student {n_student} distilled layers; list the "
                         f"layers both have, e.g. audit.layers={list(range(n_layers))} (0 to "
                         f"{n_layers - 1}), or set run.audit_every=0")
    if any(k >= n_layers for k in config.audit.layers):
        raise ValueError(f"audit.layers: {config.audit.layers} holds an index beyond the "
                         f"{n_layers} distilled layers of the models (0 to {n_layers - 1})")
    if config.audit.estimator == "gaussian":
        _check_gaussian_audit(config, data)
    else:
        _check_discrete_audit(config, data)


def _audited_samples(config: TrainConfig, data: DatasetSpec) -> int:
    """How many held-out samples the audit counts (all, or at most ``audit.max_samples``)."""
    max_samples = config.audit.max_samples
    return min(data.n_test, max_samples) if max_samples else data.n_test


def _check_discrete_audit(config: TrainConfig, data: DatasetSpec) -> None:
    """The clusters and the bias correction the discrete audit will use must fit its sample, as
    :func:`pidkit.estimate.check_sample_size` and KMeans require (checked here, not after the
    teacher has trained)."""
    n = _audited_samples(config, data)
    clusters = audit_clusters(config.audit, n, data.num_classes)
    method = resolve_bias_correction(config.audit.bias_correction, "discrete")
    try:
        if clusters > n:
            raise ValueError(f"KMeans cannot make {clusters} clusters of {n} samples")
        check_sample_size((data.num_classes, clusters, clusters), n, method=method)
    except ValueError as err:
        raise ValueError(
            f"audit.clusters: {n} held-out samples are audited, too few for {clusters} clusters per "
            f"side with {data.num_classes} classes and bias correction {method!r} ({err}); lower "
            "audit.clusters (or use audit.cluster_rule=auto), raise audit.max_samples, or set "
            "audit.bias_correction=none"
        ) from err


def _check_gaussian_audit(config: TrainConfig, data: DatasetSpec) -> None:
    """The Gaussian audit's sample covariance needs more held-out samples than dimensions (the
    label's C - 1 columns and at most ``audit.pca_components`` per side)."""
    audit = config.audit
    n = _audited_samples(config, data)
    dims = data.num_classes - 1 + 2 * audit.pca_components
    if n < min_samples((dims,)):
        raise ValueError(
            f"audit.pca_components: the Gaussian audit needs more held-out samples than dimensions, "
            f"but {n} samples are audited for up to {data.num_classes - 1} label columns + 2 x "
            f"{audit.pca_components} components = {dims}; lower audit.pca_components, raise "
            "audit.max_samples, or use audit.estimator=discrete"
        )
