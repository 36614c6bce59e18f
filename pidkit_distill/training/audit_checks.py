"""Check the audit's settings against the models and the data before any work:
:func:`check_audit`.

The layers it names must be layers that both models distil, and the held-out samples it counts
must be enough for its estimator: the discrete audit's clusters and bias correction
(:func:`pidkit.estimate.check_sample_size`, KMeans), the Gaussian audit's sample covariance
(:func:`pidkit.gaussian.samples.min_samples`), and they must hold two classes at least (where
the data set's labels are read here). Checked here, not after the teacher has trained.

A refusal of the audit that comes in training all the same (held-out samples of one class in a
Dataset of one's own, whose labels are not read before the run) is the run's
:class:`~pidkit_distill.TrainingError` (:func:`audit_refusal_failing_run`), which the run records.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from torch.utils.data import Subset

from pidkit.command_line import one_line
from pidkit.estimate import check_sample_size
from pidkit.estimate.representations import resolve_bias_correction
from pidkit.gaussian.samples import min_samples
from pidkit_distill.audit.layer_pid import audit_clusters
from pidkit_distill.config import TrainConfig
from pidkit_distill.data import DatasetSpec
from pidkit_distill.training.loaders import one_label
from pidkit_distill.training.outcomes import TrainingError, raised_reading

__all__ = ["audit_refusal_failing_run", "check_audit", "paired_layers"]

# the option of the package's data sets that sets how many held-out samples they have
_HELD_OUT_OPTIONS = {"synthetic": "n_test", "digits": "test_fraction"}


def check_audit(config: TrainConfig, data: DatasetSpec, *, n_teacher: int, n_student: int,
                held_out: Any = None, teacher_paths: Sequence[str] = (),
                student_paths: Sequence[str] = ()) -> None:
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
    held_out : Dataset, optional
        The held-out split, where the data set was loaded (a registered one's): the samples the
        audit reads must hold two classes at least (:func:`~pidkit_distill.training.loaders.
        one_label`: each TensorDataset read whole; a Dataset of one's own is not read here).
    teacher_paths, student_paths : sequence of str, optional
        The module paths of the distilled layers, where the networks are tapped
        (:attr:`~pidkit_distill.models.TappedModel.layer_paths`): a refusal of
        ``audit.layers`` then names the layers that each index it advises pairs
        (:func:`paired_layers`), as the audit pairs them by index.

    Raises
    ------
    ValueError
        ``audit.layers`` empty (every distilled layer) where the models distil different
        numbers of layers, or an index beyond those both have; too few held-out samples for
        the clusters (discrete) or the components (Gaussian); audited samples of one class.
    """
    if not config.run.audit_every:
        return
    if held_out is not None:
        _check_classes(config, data, held_out)
    n_layers = min(n_teacher, n_student)
    pairs = paired_layers(list(range(n_layers)), teacher_paths, student_paths)
    if not config.audit.layers and n_teacher != n_student:
        raise ValueError(f"audit.layers: [] audits every distilled layer, but the teacher has "
                         f"{n_teacher} and the student {n_student} distilled layers; list the "
                         f"layers both have, e.g. audit.layers={list(range(n_layers))} (0 to "
                         f"{n_layers - 1}){pairs}, or set run.audit_every=0")
    if any(k >= n_layers for k in config.audit.layers):
        raise ValueError(f"audit.layers: {config.audit.layers} holds an index beyond the "
                         f"{n_layers} distilled layers of the models (0 to {n_layers - 1}); "
                         f"audit the layers both have, {list(range(n_layers))}{pairs}")
    if config.audit.estimator == "gaussian":
        _check_gaussian_audit(config, data)
    else:
        _check_discrete_audit(config, data)


def paired_layers(layers: Sequence[int], teacher_paths: Sequence[str],
                  student_paths: Sequence[str]) -> str:
    """What the audit's ``layers`` pair, by index, of a teacher and a student whose distilled
    layers are the modules ``teacher_paths`` and ``student_paths``, as a refusal tells it after
    the indices it advises; ``""`` where the paths are not known (a network that is not
    tapped) or do not reach every index.

    Examples
    --------
    >>> print(paired_layers([0, 1], ["flat", "act1", "act2"], ["block1", "block2"]))
    , which pair by index: 0 the teacher's 'flat' with the student's 'block1', 1 the \
teacher's 'act1' with the student's 'block2' (to pair other layers, tap those of the teacher \
that match the student's, in order: tap_features(model, layers=[...]))
    >>> paired_layers([0, 1], [], ["block1", "block2"])
    ''
    """
    if not layers or max(layers) >= min(len(teacher_paths), len(student_paths)):
        return ""
    named = ", ".join(f"{k} the teacher's {teacher_paths[k]!r} with the student's "
                      f"{student_paths[k]!r}" for k in layers)
    return (f", which pair by index: {named} (to pair other layers, tap those of the teacher "
            "that match the student's, in order: tap_features(model, layers=[...]))")


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
        fixes = [_more_samples_fix(config, data)]
        if config.audit.cluster_rule == "fixed" and clusters > 2:
            fixes.append(f"use audit.cluster_rule=auto, or lower audit.clusters (now {clusters})")
        elif clusters > 2:
            fixes.append(f"lower audit.clusters (now {config.audit.clusters})")
        if method != "none":
            fixes.append("set audit.bias_correction=none (the plug-in)")
        raise ValueError(
            f"audit.clusters: {n} held-out samples are audited, too few for {clusters} clusters per "
            f"side with {data.num_classes} classes and bias correction {method!r} ({err}); "
            f"{'; '.join(fixes)}; or set run.audit_every=0 to train without the audit"
        ) from err


def _more_samples_fix(config: TrainConfig, data: DatasetSpec) -> str:
    """How to give the audit more held-out samples: ``audit.max_samples`` where it keeps fewer
    than the data set has, else the data set's held-out size (the option that sets it, where a
    ``data.options`` entry or the package's data set names it)."""
    max_samples = config.audit.max_samples
    if max_samples and max_samples < data.n_test:
        return f"raise audit.max_samples (now {max_samples}; 0 audits all {data.n_test})"
    given = [name for name in config.data.options if "test" in name]
    option = given[0] if given else _HELD_OUT_OPTIONS.get(data.name)
    if option in config.data.options:
        return (f"raise data.options.{option} (now {config.data.options[option]}: "
                f"{data.n_test} held-out samples)")
    named = f" (data.options.{option})" if option else ""
    return f"give the data set more held-out samples than its {data.n_test}{named}"


def _check_classes(config: TrainConfig, data: DatasetSpec, held_out: Any) -> None:
    """The held-out samples the audit reads (the first ``audit.max_samples``) must hold two
    classes: the information that networks carry about a constant label is zero, which the
    estimator refuses."""
    n = _audited_samples(config, data)
    label = one_label(held_out if n >= len(held_out) else Subset(held_out, range(n)))
    if label is None:
        return
    if n < len(held_out) and one_label(held_out) is None:
        read, fix = (f"the first {n} held-out samples (audit.max_samples={n})",
                     "raise audit.max_samples (0 audits them all)")
    else:
        read, fix = (f"all {n} held-out samples", "return a held-out split of two or more "
                     "classes from the data set's loader (one class is likely a mistake in it: "
                     "a split taken from samples sorted by class, say)")
    raise ValueError(
        f"run.audit_every: data set {config.data.name!r} gives label {label} to {read} that the "
        f"audit (run.audit_every={config.run.audit_every}) reads, but it needs two classes at "
        f"least (what networks carry about a constant label is nothing); {fix}, or set "
        "run.audit_every=0 to train without the audit")


@contextmanager
def audit_refusal_failing_run(epoch: int) -> Iterator[None]:
    """A refusal of the audit (a :class:`ValueError`) after ``epoch`` epochs of the run (0: of the
    untrained networks) as the run's :class:`~pidkit_distill.TrainingError`, which the run records
    (its report then gives the error, not a rerun, which meets it again); not an error of the data
    set's own reading (:func:`~pidkit_distill.training.outcomes.raised_reading`), which the run
    says as such."""
    try:
        yield
    except ValueError as err:
        if raised_reading(err):
            raise
        when = "of the untrained networks" if epoch == 0 else f"after epoch {epoch}"
        raise TrainingError(f"the audit {when} failed: {one_line(err)}", epoch=None,
                            kind="error") from err


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
