"""The PID audit of a teacher/student pair during training (RID paper, Appendix C).

For every audited distilled layer ``k``, on the held-out set:

1. collect the teacher's and the student's raw layer outputs ``T^(k)``, ``S^(k)`` (not the method's
   filtered features, as the paper's code does) and the labels ``Y``;
2. discretise each side separately with :func:`pidkit.estimate.pid_from_representations`
   (flatten, L2-normalise rows, PCA, KMeans; all seeded), with as many clusters per side as the
   sample size supports (:func:`pidkit.estimate.clusters_for_samples`, at most ``audit.clusters``);
3. decompose the empirical ``p[y, t, s]`` with the BROJA PID and correct its sampling bias
   (``audit.bias_correction``, default ``"auto"``: ``"eb-extrapolation-kink"``), with bootstrap
   intervals around the corrected atoms (``audit.bootstrap`` replicates, 40 by default: at least
   (1 + c) / (1 - c) of ``audit.confidence`` c, 39 at 0.95, below which an interval's ends are no
   quantiles and no atom is judged below 0 from it, :func:`pidkit.below_zero.fewest_replicates`).

With ``audit.estimator = "gaussian"`` step 2 keeps the principal components without clustering and
step 3 is the Gaussian PID of the one-hot label and those components, with the exact Wishart bias
correction (``pid_from_representations(..., estimator="gaussian")``): linearly decodable
information, much faster on wide layers; the records have the same keys.

Two networks trained elsewhere are audited the same way by :func:`audit_networks`, without a
Distiller. One record per (epoch, layer) is returned, with the corrected atoms in bits, the
plug-in ones, the intervals, the correction (method, subsample sizes, estimated bias), the solver
status, the sample size and every discretisation setting, so that a number in a plot can always
be traced back to how it was computed.

What the audit is given (the held-out set's batches, labels and inputs, the layers, the device) is
checked by ``pidkit_distill.audit.input_checks``, each mistake refused naming what was wrong and the fix.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from pidkit.estimate import (
    DROPPED_SCALE_SHARE,
    FewDistinctRowsWarning,
    PluginBiasWarning,
    ScaleDroppedWarning,
    clusters_for_samples,
    pid_from_representations,
)
from pidkit.utils import (
    check_int,
    check_progress,
    jsonable,
    person_is_watching,
    progress_bar_factory,
)
from pidkit_distill.audit.input_checks import (
    as_dataset,
    batch_pair,
    device_of,
    float_labels_error,
    inputs_refusal,
    labels_error,
    labels_refusal,
    layer_refusal,
)
from pidkit_distill.config import AuditConfig
from pidkit_distill.models import check_feature_model
from pidkit_distill.models.features import features_of

__all__ = ["ATOMS", "audit_clusters", "audit_distiller", "audit_networks", "collect_features"]

ATOMS = ("red", "uni_t", "uni_s", "syn", "i_yt", "i_ys", "i_yts")

# Seconds before the audit's bar of progress=None appears, as pidkit's own bars of progress=None
# (a quick audit draws none)
_BAR_DELAY_S = 1.0


@torch.no_grad()
def collect_features(
    teacher: nn.Module, student: nn.Module, dataset: Any, *,
    device: torch.device | str | None = None, batch_size: int = 512,
    layers: list[int] | None = None, max_samples: int = 0,
    input_shape: tuple[int, ...] | None = None, num_classes: int | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """Flattened layer outputs of both networks on ``dataset``, in eval mode.

    Parameters
    ----------
    teacher, student : torch.nn.Module
        Networks with ``forward_features(x) -> Features``.
    dataset : Dataset, DataLoader or (x, y) pair of tensors
        Yields ``(x, y)`` pairs; a pair of tensors (one row of ``x`` per label of ``y``) is
        read as a ``TensorDataset`` of them. A ``DataLoader`` (the held-out loader of a
        notebook) is read batch by batch as it is: the samples its sampler picks, in its order,
        in its own batch size (``drop_last`` drops the last ones); one that shuffles draws its
        order from torch's global stream as it stands, which is left as it was.
    device : torch.device or str, optional
        Where the batches go: the device of the networks' parameters (the default, ``None``),
        which must be that one.
    batch_size : int, default=512
    layers : list of int, optional
        Indices of the distilled layers to keep (default: all).
    max_samples : int, default=0
        Read at most this many samples, the first ones ``dataset`` yields (0: all). Reading
        stops there, so a streamed dataset without a length (an ``IterableDataset``) is capped
        too.
    input_shape : tuple of int, optional
        The per-sample input shape the networks were built for (a Distiller's
        ``sample_input_shape``): when they raise on inputs of another shape, the error names
        both shapes instead of torch's. Without it, an error of the networks on the inputs is
        refused naming the inputs' shape, with torch's first line.
    num_classes : int, optional
        The networks' number of classes (a Distiller's ``num_classes``): labels outside
        ``[0, num_classes)`` are refused (``None``: any int label is taken).

    Returns
    -------
    t_layers, s_layers : list of numpy.ndarray
        ``(n_samples, n_features)`` float32 arrays, one per kept layer.
    labels : numpy.ndarray
        ``(n_samples,)`` integer labels.

    Raises
    ------
    ValueError
        ``dataset`` yields no sample, an index of ``layers`` is out of range, ``device`` is
        not a device or not the one the networks are on, the ``(x, y)`` pair has a number
        of labels other than its number of rows, or the networks raise on inputs whose
        per-sample shape is not ``input_shape`` or whose dtype is not their weights'.
        Labels that are no class numbers are refused as each batch is read
        (``pidkit_distill.audit.input_checks.labels_refusal``), naming the first with its index
        in the order read: a batch's labels not of shape ``(rows,)``; bool labels
        (``y.long()``); strings; fractions (0.5); labels outside ``[0, num_classes)``; and
        float labels of whole numbers (1.0), as torch's cross-entropy, which the trainer calls
        on them without a cast, takes only int64 (or uint8) targets: pass ``y.long()``. Each is
        a :class:`~pidkit_distill.training.loaders.DataError` (a ``ValueError``), which the
        ``pidkit-distill`` command reports in one line with exit status 2.
    TypeError
        ``dataset`` yields something other than ``(x, y)`` pairs of tensors, or is a pair of
        numpy arrays, or a pair of a tensor and something else (a list of labels).

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from pidkit_distill.models import build_model
    >>> t = build_model("synthetic-teacher", num_classes=2, in_channels=3)
    >>> s = build_model("synthetic-student", num_classes=2, in_channels=3)
    >>> data = TensorDataset(torch.randn(10, 3), torch.arange(10) % 2)
    >>> ts, ss, y = collect_features(t, s, data, layers=[2])
    >>> ts[0].shape, ss[0].shape, y.shape
    ((10, 128), (10, 8), (10,))
    """
    device = device_of(teacher, student, device)
    batches = dataset if isinstance(dataset, DataLoader) else DataLoader(
        as_dataset(dataset), batch_size=batch_size, shuffle=False)
    modes = [(m, m.training) for net in (teacher, student) for m in net.modules()]
    teacher.eval()
    student.eval()
    t_out: list[list[np.ndarray]] = []
    s_out: list[list[np.ndarray]] = []
    labels: list[np.ndarray] = []
    whole_floats: tuple[int, torch.Tensor] | None = None  # the first float label's index, value
    # a loader's seed and shuffle draws leave the caller's torch stream as it was
    with torch.random.fork_rng(devices=[]):
        try:
            n_read = 0
            for batch in batches:
                if max_samples and n_read >= max_samples:
                    break
                x, y = batch_pair(batch, n_read, num_classes)
                if max_samples:
                    x, y = x[:max_samples - n_read], y[:max_samples - n_read]
                refusal = labels_refusal(y, len(x), n_read, num_classes)
                if refusal is not None:
                    raise labels_error(refusal)
                if y.is_floating_point() and len(y):  # refused once no label is a fraction
                    whole_floats = whole_floats or (n_read, y[0])
                n_read += len(y)
                if whole_floats is not None:
                    continue  # to be refused: the rest of the labels only are checked
                x = x.to(device)
                try:
                    t_layers = features_of(teacher, x).layers
                    s_layers = features_of(student, x).layers
                except RuntimeError as err:
                    refusal = inputs_refusal(x, teacher, student, input_shape)
                    if refusal is None or isinstance(err, torch.cuda.OutOfMemoryError):
                        raise
                    said = (str(err).strip().splitlines() or [type(err).__name__])[0]
                    raise ValueError(f"{refusal} (torch said: {said})") from err
                keep = range(len(t_layers)) if layers is None else layers
                for k in keep:
                    if k >= len(t_layers) or k >= len(s_layers):
                        raise ValueError(layer_refusal(k, len(t_layers), len(s_layers)))
                if not t_out:
                    t_out = [[] for _ in keep]
                    s_out = [[] for _ in keep]
                for i, k in enumerate(keep):
                    t_out[i].append(t_layers[k].flatten(1).float().cpu().numpy())
                    s_out[i].append(s_layers[k].flatten(1).float().cpu().numpy())
                labels.append(y.cpu().numpy())
        finally:
            for m, mode in modes:
                m.training = mode
    if whole_floats is not None:
        raise float_labels_error(*whole_floats, num_classes)
    if not labels:  # checked here, not with len(): an IterableDataset has none
        raise ValueError("dataset is empty: the audit needs held-out samples; pass the held-out "
                         "set")
    return ([np.concatenate(a) for a in t_out], [np.concatenate(a) for a in s_out],
            np.concatenate(labels))


def audit_distiller(
    distiller: nn.Module, dataset: Any, *, epoch: int | None = None, settings: AuditConfig | None = None,
    device: torch.device | str | None = None, batch_size: int = 512, n_jobs: int | None = None,
    progress: bool | None = None,
) -> list[dict[str, Any]]:
    """PID of (Y, T^(k), S^(k)) on ``dataset`` for each audited layer of ``distiller``.

    Parameters
    ----------
    distiller : torch.nn.Module
        Anything with ``teacher`` and ``student`` networks as attributes (a Distiller), or one
        wrapped in ``DistributedDataParallel`` (its ``.module`` is audited).
    dataset : Dataset, DataLoader or (x, y) pair of tensors
        The held-out set, yielding ``(x, y)``, a ``DataLoader`` of it (read as it is: its
        sampler's samples in its order, see :func:`collect_features`), or its two tensors.
    epoch : int or None, default=None
        Completed epochs so far (0 = before training), copied into the records; ``None`` for
        networks audited outside a run (two networks trained elsewhere are audited without a
        Distiller by :func:`audit_networks`).
    settings : AuditConfig, optional
        PCA components, clusters and their rule, normalisation, bias correction, bootstrap,
        layers, sample cap and seed.
    device : torch.device or str, optional
        The device of the networks (the default, ``None``, finds it).
    batch_size : int, default=512
    n_jobs : int or None, default=None
        joblib workers for the correction's subsamples and the bootstrap (``None``: the active
        ``joblib.parallel_config``, else 1); the numbers do not depend on it.
    progress : bool or None, default=None
        One progress bar of the audit, ``audit epoch 3``, a step per audited layer (the one in
        hand named after the count: ``1/3 [..., layer 1]``), removed when done; the layers'
        bootstrap replicates draw none of their own. ``None``: where a person watches (a
        terminal, a notebook), once the audit has taken more than a second (shown from the
        next layer on); the trainer passes ``False`` under ``run.progress=false``.

    Returns
    -------
    list of dict
        One record per audited layer, strict JSON (a number the solve could not give, such as a
        failed solve's atoms or its infinite gap, is ``None``, not NaN), with keys ``epoch,
        layer``; ``red, uni_t, uni_s, syn, i_yt, i_ys, i_yts`` (bits, corrected by
        ``bias_correction["method"]``; the plug-in values with ``"none"``); ``plugin`` (the same
        seven, plug-in); ``intervals``
        (quantity -> [low, high] around the corrected value, or None; ``settings["ci_method"]``
        says how they were made, see ``docs/estimate.md``); ``bias_correction``
        (method, subsample sizes, estimated bias per quantity, quantities below 0);
        ``units, measure, status, gap, n_samples, bias, bias_warning, settings, method, time_s``
        (and ``message`` when the solve was not certified).

    Raises
    ------
    TypeError, ValueError
        ``distiller`` has no teacher and student networks, ``settings`` is not an
        :class:`AuditConfig` or holds a setting the audit cannot use, ``epoch`` is not
        ``None`` or an int >= 0, ``batch_size`` not an int >= 1, ``device`` is not where the networks are,
        ``dataset`` is empty or yields no ``(x, y)`` pairs of tensors, or an audited layer is
        out of range; each message names the argument. A label of ``dataset`` outside
        ``[0, num_classes)`` of the distiller, a float label (0.5, or 1.0: pass ``y.long()``),
        a bool or str label, or labels not one per sample, are refused as each batch is read,
        naming the first with its index in the order read (:func:`collect_features`).

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from pidkit_distill import audit_distiller
    >>> from pidkit_distill.config import AuditConfig
    >>> from pidkit_distill.methods import get_method
    >>> from pidkit_distill.models import build_model
    >>> t = build_model("synthetic-teacher", num_classes=2, in_channels=3)
    >>> s = build_model("synthetic-student", num_classes=2, in_channels=3)
    >>> x = torch.randn(200, 3)
    >>> bas = get_method("bas")(s, t, sample_input=x, num_classes=2)
    >>> records = audit_distiller(bas, TensorDataset(x, (x[:, 0] > 0).long()), epoch=0,
    ...                           settings=AuditConfig(layers=[2], clusters=3))
    >>> [(r["epoch"], r["layer"], r["units"], r["n_samples"]) for r in records]
    [(0, 2, 'bits', 200)]
    """
    settings, batch_size, progress = _checked_options(settings, batch_size, progress)
    epoch = None if epoch is None else check_int(epoch, "epoch", minimum=0,
                                                 alternative="None (outside a run)")
    if isinstance(distiller, nn.parallel.DistributedDataParallel):
        distiller = distiller.module  # the trainer's wrapping, under torchrun
    missing = [name for name in ("teacher", "student")
               if not isinstance(getattr(distiller, name, None), nn.Module)]
    if missing:
        raise TypeError(
            f"distiller must hold the teacher and the student networks as .teacher and .student "
            f"(a Distiller: get_method(name)(student, teacher, sample_input=x, num_classes=C)); "
            f"this {type(distiller).__name__} has no {' or '.join('.' + m for m in missing)}"
        )
    n_layers = len(getattr(distiller, "teacher_shapes", [])) or None
    teacher, student = distiller.teacher, distiller.student
    assert isinstance(teacher, nn.Module) and isinstance(student, nn.Module)  # checked above
    return _audit_records(
        teacher, student, dataset, settings,
        layers=list(settings.layers) or (list(range(n_layers)) if n_layers else None),
        epoch=epoch, method=getattr(distiller, "method_name", type(distiller).__name__.lower()),
        input_shape=getattr(distiller, "sample_input_shape", None),
        num_classes=getattr(distiller, "num_classes", None),
        device=device, batch_size=batch_size, n_jobs=n_jobs, progress=progress,
    )


def audit_networks(
    teacher: nn.Module, student: nn.Module, dataset: Any, *, settings: AuditConfig | None = None,
    device: torch.device | str | None = None, batch_size: int = 512, n_jobs: int | None = None,
    progress: bool | None = None,
) -> list[dict[str, Any]]:
    """PID of (Y, T^(k), S^(k)) on ``dataset`` for each tapped layer of two networks, left as
    they were.

    The audit of :func:`audit_distiller` for a teacher and a student trained elsewhere, without
    pairing them in a :class:`~pidkit_distill.Distiller` (which freezes its teacher and needs a
    ``sample_input`` and ``num_classes`` that an audit does not use): the networks are read in
    eval mode under ``torch.no_grad()``, and their ``training`` flags (every submodule's) are
    put back after it, also when it raises; no ``requires_grad`` is touched.

    Parameters
    ----------
    teacher, student : torch.nn.Module
        Networks with ``forward_features(x) -> Features``: models of
        :func:`~pidkit_distill.build_model`, or your own wrapped with
        :func:`~pidkit_distill.tap_features` (``tap_features(net, layers=[...])``). The
        teacher's layer ``k`` is audited against the student's.
    dataset : Dataset, DataLoader or (x, y) pair of tensors
        The held-out set, yielding ``(x, y)``, a ``DataLoader`` of it (read as it is: its
        sampler's samples in its order, see :func:`collect_features`), or its two tensors;
        ``y`` int class labels.
    settings : AuditConfig, optional
        As for :func:`audit_distiller`; ``settings.layers`` empty (the default) audits every
        layer the networks tap.
    device : torch.device or str, optional
        The device of the networks (the default, ``None``, finds it).
    batch_size : int, default=512
    n_jobs : int or None, default=None
        joblib workers for the correction's subsamples and the bootstrap; the numbers do not
        depend on it.
    progress : bool or None, default=None
        One progress bar of the audit, ``audit``, a step per layer, as for
        :func:`audit_distiller` (``None``: where a person watches).

    Returns
    -------
    list of dict
        One record per audited layer, those of :func:`audit_distiller` (the same numbers as
        for the two networks paired in a Distiller), with ``epoch`` and ``method`` ``None``.

    Raises
    ------
    TypeError, ValueError
        ``teacher`` or ``student`` has no ``forward_features`` (a plain ``nn.Module``: wrap it
        with ``tap_features(net, layers=[...])``), inputs the networks cannot run on (named by
        their shape, with torch's first line), and the mistakes :func:`audit_distiller`
        refuses in ``settings``, ``batch_size``, ``device`` and ``dataset``; each message names
        the argument.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from pidkit_distill import audit_networks, tap_features
    >>> from pidkit_distill.config import AuditConfig
    >>> teacher = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 2))
    >>> student = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    >>> x = torch.randn(200, 3)
    >>> records = audit_networks(tap_features(teacher, layers=["1"]),
    ...                          tap_features(student, layers=["1"]),
    ...                          (x, (x[:, 0] > 0).long()),
    ...                          settings=AuditConfig(clusters=3, bootstrap=0))
    >>> [(r["epoch"], r["layer"], r["n_samples"], r["settings"]["teacher_features"],
    ...   r["settings"]["student_features"]) for r in records]
    [(None, 0, 200, 16, 4)]
    >>> teacher.training, next(teacher.parameters()).requires_grad
    (True, True)
    """
    settings, batch_size, progress = _checked_options(settings, batch_size, progress)
    teacher = check_feature_model(teacher, "teacher")
    student = check_feature_model(student, "student")
    return _audit_records(
        teacher, student, dataset, settings, layers=list(settings.layers) or None, epoch=None,
        method=None, input_shape=None, num_classes=None, device=device, batch_size=batch_size,
        n_jobs=n_jobs, progress=progress,
    )


def _checked_options(settings: AuditConfig | None, batch_size: int,
                     progress: bool | None) -> tuple[AuditConfig, int, bool | None]:
    """The audit's ``settings`` (``None``: the defaults), ``batch_size`` and ``progress``,
    checked, each mistake refused naming the argument."""
    settings = AuditConfig() if settings is None else settings
    if not isinstance(settings, AuditConfig):
        fix = ("pidkit_distill.config.AuditConfig(**settings)" if isinstance(settings, dict)
               else "pidkit_distill.config.AuditConfig(...), or None for the defaults")
        raise TypeError(f"settings must be an AuditConfig, got {type(settings).__name__}; pass "
                        f"{fix}")
    settings.check(warn=False)  # the configuration's check warned of too few replicates
    progress = check_progress(progress)
    return settings, check_int(batch_size, "batch_size", minimum=1), progress


def _audit_records(
    teacher: nn.Module, student: nn.Module, dataset: Any, settings: AuditConfig, *,
    layers: list[int] | None, epoch: int | None, method: str | None,
    input_shape: tuple[int, ...] | None, num_classes: int | None,
    device: torch.device | str | None, batch_size: int, n_jobs: int | None,
    progress: bool | None,
) -> list[dict[str, Any]]:
    """The audit's records of ``layers`` (``None``: all the networks tap) of two checked
    networks on ``dataset``, for :func:`audit_distiller` and :func:`audit_networks`, under one
    bar a step per layer (:func:`_bar_title`) where ``progress`` shows one."""
    t_layers, s_layers, y = collect_features(
        teacher, student, dataset, device=device, batch_size=batch_size, layers=layers,
        max_samples=settings.max_samples, input_shape=input_shape, num_classes=num_classes,
    )
    layers = layers if layers is not None else list(range(len(t_layers)))
    records = []
    shown = person_is_watching() if progress is None else progress
    delay = _BAR_DELAY_S if progress is None else 0.0
    started = time.perf_counter()
    with progress_bar_factory()(total=len(layers), desc=_bar_title(epoch), unit="layer",
                                leave=False, disable=not shown, delay=delay) as bar:
        for k, t_feat, s_feat in zip(layers, t_layers, s_layers, strict=True):
            start = time.perf_counter()
            # drawn now where the bar shows: once the audit has taken its delay (tqdm's delay
            # holds it back otherwise, a refresh would not)
            bar.set_postfix_str(f"layer {k}", refresh=start - started >= delay)
            try:
                estimate = _layer_pid(y, t_feat, s_feat, settings, n_jobs)
            except ValueError as err:  # named by pid_from_representations' arguments: say the audit's
                raise ValueError(_estimate_refusal(int(k), y, err)) from err
            records.append(_layer_record(estimate, settings, epoch=epoch, layer=int(k),
                                         method=method, t_feat=t_feat, s_feat=s_feat,
                                         seconds=time.perf_counter() - start))
            bar.update(1)
            if time.perf_counter() - started >= delay:  # the count drawn even within tqdm's
                bar.refresh()                           # mininterval of the layer's own draw
    return records


def _bar_title(epoch: int | None) -> str:
    """The title of the audit's bar: ``audit epoch 3`` in a run, ``audit`` outside one.

    Examples
    --------
    >>> _bar_title(3), _bar_title(None)
    ('audit epoch 3', 'audit')
    """
    return "audit" if epoch is None else f"audit epoch {epoch}"


def _layer_record(estimate: dict[str, Any], settings: AuditConfig, *, epoch: int | None,
                  layer: int, method: str | None, t_feat: np.ndarray, s_feat: np.ndarray,
                  seconds: float) -> dict[str, Any]:
    """The audit record of one layer pair: its ``estimate`` (:func:`_layer_pid`) with the
    epoch, the layer, the audit's settings, the method and the time it took, as strict JSON."""
    record = {"epoch": epoch, "layer": layer, **estimate}
    record["settings"].update(
        split="test", features="raw layer outputs", teacher_features=int(t_feat.shape[1]),
        student_features=int(s_feat.shape[1]), pca_components=settings.pca_components,
        clusters=settings.clusters, cluster_rule=settings.cluster_rule,
        normalize=settings.normalize, bias_correction=settings.bias_correction,
        bootstrap=settings.bootstrap, confidence=settings.confidence, seed=settings.seed,
        max_samples=settings.max_samples,
    )
    record["method"] = method
    record["time_s"] = round(seconds, 3)
    return jsonable(record, finite=True)  # JSON has no NaN: a failed solve's None


def _estimate_refusal(k: int, y: np.ndarray, err: ValueError) -> str:
    """The refusal ``err`` of :func:`pidkit.estimate.pid_from_representations` on layer ``k``
    (too few held-out samples for the bias correction, say), with the samples it had and the
    names of its options in the audit's settings, which its message does not know.

    Examples
    --------
    >>> _estimate_refusal(0, np.arange(6) % 3, ValueError("Use bias_correction='none'."))
    "audit of layer 0 on 6 held-out samples of 3 classes: Use bias_correction='none'. The \
audit's settings name its options: bias_correction, clusters and cluster_rule (n_clusters), \
pca_components (n_components), normalize; set them with settings=AuditConfig(...) for \
audit_distiller and audit_networks, as audit.* keys in a configuration."

    Samples of one class, which no setting helps:

    >>> print(_estimate_refusal(0, np.zeros(4), ValueError("y holds a single value (0).")))
    audit of layer 0 on 4 held-out samples of 1 class: y holds a single value (0). No setting of \
the audit changes that: audit samples of two classes at least (in a run: a held-out split of two \
or more classes from the data set's loader, or run.audit_every=0 to train without the audit).
    """
    classes = len(np.unique(y))
    counted = f"audit of layer {k} on {len(y)} held-out samples of {classes} class" + (
        "" if classes == 1 else "es")
    if classes == 1:
        return (f"{counted}: {err} No setting of the audit changes that: audit samples of two "
                "classes at least (in a run: a held-out split of two or more classes from the "
                "data set's loader, or run.audit_every=0 to train without the audit).")
    return (f"{counted}: {err} The audit's settings name its options: bias_correction, clusters "
            "and cluster_rule (n_clusters), pca_components (n_components), normalize; set them "
            "with settings=AuditConfig(...) for audit_distiller and audit_networks, as audit.* keys "
            "in a configuration.")


def audit_clusters(settings: AuditConfig, n_samples: int, n_labels: int) -> int:
    """Clusters per side the discrete audit uses for ``n_samples`` samples of ``n_labels``
    labels: ``settings.clusters`` with ``cluster_rule="fixed"``, else what
    :func:`pidkit.estimate.clusters_for_samples` allows, at most ``settings.clusters``.

    Examples
    --------
    >>> audit_clusters(AuditConfig(), 450, 10), audit_clusters(AuditConfig(cluster_rule="fixed"), 450, 10)
    (6, 10)
    """
    if settings.cluster_rule == "fixed":
        return settings.clusters
    return clusters_for_samples(n_samples, n_labels, max_clusters=settings.clusters)


def _layer_pid(y: np.ndarray, t_feat: np.ndarray, s_feat: np.ndarray, settings: AuditConfig,
               n_jobs: int | None) -> dict[str, Any]:
    """Corrected and plug-in atoms, intervals, status, sample size and settings of one layer pair.

    Its bootstrap draws no bar: the audit's one bar (:func:`_audit_records`) counts the layers.

    The solve runs with ``strict=False``: a joint whose BROJA solve is not certified does not stop
    training; the record carries the solver's status, gap and message with the numbers.
    """
    options: dict[str, Any] = {
        "estimator": settings.estimator, "n_components": settings.pca_components,
        "normalize": None if settings.normalize == "none" else settings.normalize,
        "random_state": settings.seed, "bias_correction": settings.bias_correction,
        "bootstrap": settings.bootstrap, "confidence": settings.confidence}
    clusters = None
    if settings.estimator == "discrete":
        clusters = audit_clusters(settings, len(y), len(np.unique(y)))
        options["n_clusters"] = clusters
        options["cluster_seeds"] = settings.cluster_seeds
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginBiasWarning)  # kept in the record instead
        # Kept in the record (settings.discretisation) and flagged on the audit line and in the
        # report (audit_flags); shown at every audited epoch and layer otherwise, as the
        # catch_warnings block resets the show-once registry.
        warnings.simplefilter("ignore", FewDistinctRowsWarning)
        # Its share is kept as well (settings.discretisation's dropped_scale_share) and flagged;
        # the warning's fix names pidkit's normalize=None, not the audit's audit.normalize none.
        warnings.simplefilter("ignore", ScaleDroppedWarning)
        res = pid_from_representations(y, t_feat, s_feat, units="bits", strict=False, n_jobs=n_jobs,
                                       progress=False, **options)
    record: dict[str, Any] = {name: float(getattr(res, name)) for name in ATOMS}
    record.update(
        plugin={name: float(res.plugin[name]) for name in ATOMS},
        intervals=None if res.intervals is None else {
            name: [float(lo), float(hi)] for name, (lo, hi) in res.intervals.items()},
        bias_correction={key: value for key, value in res.correction.to_dict().items()
                         if key not in ("plugin", "corrected")},  # those are in the record
        units=res.units, measure=res.pid.measure, status=res.status, gap=float(res.pid.gap),
        n_samples=res.n_samples, bias_warning=res.bias_warning,
        bias={k: float(v) for k, v in res.bias.items()},
        settings={"estimator": settings.estimator,
                  "discretisation": {"t": res.settings["t"], "s": res.settings["s"]},
                  # the share from which a side's dropped_scale_share is flagged (audit_flags)
                  "dropped_scale_from": DROPPED_SCALE_SHARE,
                  "clusters_used": clusters,
                  # the estimator's own: the gaussian one, which does not cluster, has one
                  "cluster_seeds": res.settings.get("cluster_seeds", 1),
                  "bootstrap_failed": res.settings["bootstrap_failed"],
                  "ci_method": res.settings["ci_method"]},
    )
    if "cluster_seed_sd" in res.settings:  # one seed's sd of each quantity, over the seeds
        record["settings"]["cluster_seed_sd"] = res.settings["cluster_seed_sd"]
    if not res.pid.success:
        record["message"] = res.pid.message
    return record
