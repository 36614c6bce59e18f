"""The Gaussian estimator of representations: one-hot labels, projected features, Gaussian PID.

``pid_from_representations(..., estimator="gaussian")`` lands here. The label is one-hot encoded in
C - 1 columns; each feature matrix goes through the same ``scale -> normalize -> PCA`` stage as
the discrete estimator (:class:`~pidkit.estimate.Projector`) and its components are used as they
are, without clustering; :func:`pidkit.gaussian_pid_from_samples` decomposes the sample covariance
of [label columns, teacher components, student components] with the exact Wishart correction of
its informations. The Gaussian model then measures *linearly decodable* information: see
``docs/estimate.md`` ("The Gaussian estimator") for what is and is not claimed.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from pidkit._caller import user_stacklevel
from pidkit._errors import SolverError
from pidkit._labels import encode_labels
from pidkit._units import from_nats
from pidkit.below_zero import below_zero
from pidkit.gaussian import gaussian_pid_from_samples, information_bias
from pidkit.gaussian.pid import ACCEPT_WITH_TOL, NEAR_NOISELESS
from pidkit.gaussian.reduce import INFINITE_INFORMATION
from pidkit.gaussian.sample_notes import informations_above, label_entropy
from pidkit.gaussian.samples import min_samples
from pidkit.resampling import QUANTITIES, replicate_columns

from .correction import BiasCorrection
from .discretize import FewDistinctRowsWarning
from .distinct_rows import constant_rows_text
from .dropped_scale import warn_dropped_scale
from .inputs import check_two_classes
from .project import Projector
from .result import PluginBiasWarning, RepresentationPID, bias_warning_text

__all__ = ["GAUSSIAN_BIAS_CORRECTIONS", "above_label_entropy", "gaussian_representation_pid", "one_hot"]

GAUSSIAN_BIAS_CORRECTIONS = ("wishart", "none")
"""Bias corrections of the Gaussian estimator: ``"wishart"`` (exact for the informations, corrected
channels for the union information; see :mod:`pidkit.gaussian.samples`) or the plug-in."""


def one_hot(labels: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Labels as C - 1 indicator columns (the first class dropped), and the C classes in order:
    :func:`pidkit._labels.encode_labels`' order, that of the discrete estimator's axis (a pandas
    categorical's: its categories' order).

    Examples
    --------
    >>> import numpy as np
    >>> columns, classes = one_hot(np.array(["b", "a", "c", "a"]), "y")
    >>> columns.tolist(), classes.tolist()
    ([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [0.0, 0.0]], ['a', 'b', 'c'])
    """
    codes, classes = encode_labels(labels, name)
    check_two_classes(classes, name, "Gaussian")
    return np.eye(classes.size)[codes][:, 1:], classes


def _gaussian_side(
    arr: np.ndarray, is_labels: bool, projector: Projector | None, names: np.ndarray | None, name: str,
    make: dict[str, Any], y: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, Projector | None, dict[str, Any]]:
    if is_labels:
        if projector is not None:
            raise ValueError(
                f"{name} is a 1-D array of labels, which is one-hot encoded, but a Projector was "
                "given for it in discretizers; pass None for that side."
            )
        columns, classes = one_hot(arr, name)
        check_labels_leave_y_open(*y, columns, classes, name)
        return columns, None, {"kind": "one-hot", "n_values": int(classes.size)}
    if projector is not None:
        return (projector.transform_named(arr, name, names), projector,
                {**projector.settings(), "fitted": "reused"})
    projector = Projector(**make).fit_named(arr, name, names)
    if projector.rows_equal_:
        warnings.warn(constant_rows_text(name, projector.normalize == "l2", "its Gaussian dimensions "
                                         "are all 0"), FewDistinctRowsWarning, stacklevel=user_stacklevel())
    return projector.scores_, projector, {**projector.settings(), "fitted": "on these samples"}


def _codes(columns: np.ndarray) -> np.ndarray:
    """The class index of each row of :func:`one_hot`'s columns (0: the dropped first class)."""
    return np.where(columns.any(axis=1), columns.argmax(axis=1) + 1, 0)


def check_labels_leave_y_open(
    y_columns: np.ndarray, y_classes: np.ndarray, columns: np.ndarray, classes: np.ndarray, name: str
) -> None:
    """Refuse a side given as labels that fixes some of y's classes exactly, naming them.

    Where the classes of y seen with some values of the side are seen with no other value, the
    indicator of those classes equals that of those values (a teacher's predictions that are never
    wrong on a class): a canonical correlation of 1, an infinite Gaussian information.

    Examples
    --------
    >>> import numpy as np
    >>> y = one_hot(np.array([0, 0, 1, 1, 2, 2]), "y")
    >>> check_labels_leave_y_open(*y, *one_hot(np.array([5, 5, 6, 7, 6, 7]), "t"), "t")
    Traceback (most recent call last):
    ...
    ValueError: t holds labels that determine part of y exactly: the samples of class 0 of y are \
exactly those where t is 5 ...
    """
    y_codes, side_codes = _codes(y_columns), _codes(columns)
    seen = np.zeros((y_classes.size, classes.size), dtype=bool)
    seen[y_codes, side_codes] = True
    graph = sparse.bmat([[None, sparse.csr_matrix(seen)], [sparse.csr_matrix(seen.T), None]])
    count, component = connected_components(graph, directed=False)
    if count == 1:
        return
    smallest = np.argmin(np.bincount(component, minlength=count))
    part_y = y_classes[component[: y_classes.size] == smallest].tolist()
    part_side = classes[component[y_classes.size:] == smallest].tolist()

    def listed(values: list[Any]) -> str:
        shown = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values[:5])
        return shown + (f", ... ({len(values)})" if len(values) > 5 else "")

    plural = "es" if len(part_y) > 1 else ""
    raise ValueError(
        f"{name} holds labels that determine part of y exactly: the samples of class{plural} "
        f"{listed(part_y)} of y are exactly those where {name} is {listed(part_side)} (a "
        "network's predictions that are never wrong there, say). The Gaussian model gives that "
        "an infinite information (a canonical correlation of 1), so estimator='gaussian' cannot "
        f"decompose it: use estimator='discrete', which counts it, or pass features for {name} "
        "(logits, a hidden layer) instead of labels."
    )


def above_label_entropy(
    corrected: dict[str, float], plugin: dict[str, float], y_columns: np.ndarray, units: str
) -> tuple[tuple[str, ...], float]:
    """The Gaussian informations above the labels' plug-in entropy H(Y), and H(Y).

    The Shannon information of a label is at most H(Y) (at most ``log2`` of its class count); the
    Gaussian model's is not bounded by it: it measures how far linear read-outs separate the
    classes (class means against the within-class covariance), and grows without bound as that
    covariance shrinks. A Gaussian ``i_yt``, ``i_ys`` or ``i_yts`` above H(Y) by more than
    rounding (:func:`pidkit.below_zero.rounding_level`) says that the Gaussian model does not fit
    the discrete label, not that the features classify it almost without error (estimate.md's
    quick start exceeds H(Y) where a cross-validated linear discriminant is right on 83 % of
    samples; saturated features, such as a classifier's probabilities, gave 18.9 bits for 10
    digits): those bits are not bits of the label, and only the discrete estimator gives bits
    bounded by H(Y). The result lists them in
    ``correction.above_bound``, as the discrete estimator lists its informations above their
    entropy bound, and keeps H(Y) in ``settings["y"]["entropy"]``.

    Parameters
    ----------
    corrected, plugin : dict of str to float
        The corrected and plug-in quantities, in ``units``.
    y_columns : numpy.ndarray
        The label's :func:`one_hot` columns.
    units : {"bits", "nats"}

    Returns
    -------
    tuple of (tuple of str, float)
        The names among ``"i_yt"``, ``"i_ys"``, ``"i_yts"`` whose corrected value exceeds H(Y),
        and H(Y) in ``units``.

    Examples
    --------
    Ten equiprobable classes hold log2(10) = 3.32 bits:

    >>> import numpy as np
    >>> columns, _ = one_hot(np.arange(100) % 10, "y")
    >>> values = {"i_yt": 0.54, "i_ys": 18.93, "i_yts": 18.98}
    >>> names, h_y = above_label_entropy(values, values, columns, "bits")
    >>> names, round(h_y, 2)
    (('i_ys', 'i_yts'), 3.32)
    """
    h_y = label_entropy(y_columns, units)
    return informations_above(corrected, plugin, h_y), h_y


def _too_few_samples(n: int, dims: tuple[int, int, int], n_classes: int,
                     sides: tuple[dict[str, Any], dict[str, Any]]) -> str:
    """The refusal of ``n`` samples for blocks of ``dims``, with the ``n_components`` that fits."""
    plural = "s" if dims[0] != 1 else ""
    held = [f"{n_classes} classes give {dims[0]} label column{plural}"]
    fixed, projected = dims[0], []
    for letter, d, side in zip("TS", dims[1:], sides, strict=True):
        if side.get("kind") == "one-hot":
            held.append(f"{letter} {d} one-hot label columns")
            fixed += d
        elif side.get("fitted") == "reused":
            held.append(f"{letter} {d} components of its given Projector")
            fixed += d
        else:
            pca = side.get("n_components_requested") is not None
            held.append(f"{letter} {d} " + ("principal components" if pca else
                                            "features (no PCA: n_components=None)"))
            projected.append(d)
    # n_components=k keeps min(k, d) of a side that keeps d now (d may be below n_components)
    fitting = [k for k in range(1, max(projected, default=0) + 1)
               if n >= min_samples((fixed, *(min(k, d) for d in projected)))]
    if fitting:
        fix = f"Pass n_components={fitting[-1]} or fewer, or more samples."
    else:
        fewest = min_samples((fixed, *[1] * len(projected)))
        fix = f"Use at least {fewest} samples" + (" (with n_components=1)." if projected else ".")
    return (
        f"estimator='gaussian' needs more samples than dimensions: n = {n} samples for d_y + d_t + "
        f"d_s = {dims[0]} + {dims[1]} + {dims[2]} = {sum(dims)} ({', '.join(held)}); n_samples > "
        f"{sum(dims) + 1} is required, and the estimate is most reliable with d_y + d_t + d_s well "
        f"below n. {fix}"
    )


def gaussian_representation_pid(
    y: Any,
    t: tuple[np.ndarray, bool, Projector | None, np.ndarray | None],
    s: tuple[np.ndarray, bool, Projector | None, np.ndarray | None],
    *,
    method: str,
    make: dict[str, Any],
    bootstrap: int,
    confidence: float,
    ci_method: str,
    seed: int,
    n_jobs: int | None,
    units: str,
    strict: bool,
    progress: bool | None,
) -> RepresentationPID:
    """The Gaussian estimate behind ``pid_from_representations(..., estimator="gaussian")``.

    ``y`` are checked labels, or the pandas categorical they were checked from (whose categories
    order ``labels["y"]``); ``t`` and ``s`` are ``(array, is_labels, fitted Projector or None,
    column names or None)`` as :func:`pidkit.estimate.pid_from_representations` prepared them;
    ``make`` holds the :class:`Projector` settings (``n_components``, ``normalize``, ``random_state``).
    """
    y_columns, classes = one_hot(y, "y")
    t_x, t_proj, t_set = _gaussian_side(*t, "t_features", make, (y_columns, classes))
    s_x, s_proj, s_set = _gaussian_side(*s, "s_features", make, (y_columns, classes))
    n = y_columns.shape[0]
    dims = (y_columns.shape[1], t_x.shape[1], s_x.shape[1])
    if n < min_samples(dims):
        raise ValueError(_too_few_samples(n, dims, classes.size, (t_set, s_set)))
    try:
        result = gaussian_pid_from_samples(
            y_columns, t_x, s_x, bias_correction=method == "wishart", units=units, strict=strict,
            bootstrap=bootstrap, confidence=confidence, ci_method=ci_method, random_state=seed,
            n_jobs=n_jobs, progress=progress,
        )
    except SolverError as error:
        if NEAR_NOISELESS not in str(error):
            raise
        raise SolverError(_near_deterministic_features(str(error))) from None
    except ValueError as error:
        if INFINITE_INFORMATION not in str(error):
            raise
        raise ValueError(f"{error} {_DISCRETE_ADVICE}") from None
    corrected = {q: float(getattr(result, q)) for q in QUANTITIES}
    plugin = dict(result.diagnostics.get("plug_in", corrected))
    above, h_y = above_label_entropy(corrected, plugin, y_columns, units)
    fix = BiasCorrection(
        method, plugin, corrected, {q: plugin[q] - corrected[q] for q in QUANTITIES}, (n,), 0,
        below_zero(corrected, plugin.values()), 0, units, above_bound=above,
    )
    warn_dropped_scale(
        _codes(y_columns), {"t_features": (t[0], t_set, t_x), "s_features": (s[0], s_set, s_x)},
        {"t_features": corrected["i_yt"], "s_features": corrected["i_ys"]},
        "beyond a linear fit on its Gaussian dimensions", units)
    rank_y, rank_t, rank_s, rank_ts = result.diagnostics["ranks"]
    bias = {
        key: from_nats(information_bias(rank_y, rank, n - 1), units)
        for key, rank in (("i_yt", rank_t), ("i_ys", rank_s), ("i_yts", rank_ts))
    }
    warning = None
    if method == "none":
        warning = bias_warning_text(bias, plugin["i_yts"], n, f"{sum(dims)} Gaussian dimensions", units)
        if warning:
            warnings.warn(warning, PluginBiasWarning, stacklevel=user_stacklevel())
    intervals = samples = None
    n_failed = 0
    if bootstrap:
        boot = result.diagnostics["bootstrap"]
        intervals = result.diagnostics["intervals"]
        samples = replicate_columns(boot["replicates"])
        n_failed = boot["n_failed"]
    settings = {
        "estimator": "gaussian",
        "measure": result.measure,
        "units": units,
        "n_samples": n,
        "random_state": seed,
        "bias_correction": method,
        "dims": list(dims),
        "strict": bool(strict),
        "y": {"kind": "one-hot", "n_values": int(classes.size), "entropy": h_y},
        "t": t_set,
        "s": s_set,
        "bootstrap": bootstrap,
        "bootstrap_failed": n_failed,
        "confidence": float(confidence),
        "ci_method": ci_method,
    }
    return RepresentationPID(
        pid=result,
        p=None,
        counts=None,
        labels={"y": classes},
        n_samples=n,
        settings=settings,
        correction=fix,
        bias=bias,
        bias_warning=warning,
        intervals=intervals,
        bootstrap_samples=samples,
        discretizers=(t_proj, s_proj),
    )


def _near_deterministic_features(message: str) -> str:
    """The Gaussian PID's message for features that nearly determine the label, with the advice of
    ``pid_from_representations`` (which has no ``tol``) in place of passing ``tol``."""
    accept = re.escape(ACCEPT_WITH_TOL).replace(r"\{pass_tol\}", r"pass tol=[^)]*\)")
    message = re.sub(accept, "pass strict=False to get it (result.pid.gap holds the gap)", message)
    message = message.replace(" Pass strict=False to get the best-effort result with its status.", "")
    return f"{message} {_DISCRETE_ADVICE}"


_DISCRETE_ADVICE = (
    "The features are near-deterministic functions of the label (saturated, e.g. one-hot or "
    "predict_proba outputs): estimator='discrete' measures their bits of the label, bounded by H(Y)."
)
