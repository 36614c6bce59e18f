"""Many decompositions at once: :func:`bertschinger_batch` (in :mod:`pidkit.broja`) solves them,
:func:`to_frame` makes a pandas table of their results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ._result import RECORD_FIELDS
from ._type_names import type_with_article
from .broja import bertschinger_batch
from .resampling import QUANTITIES

if TYPE_CHECKING:
    import pandas

__all__ = ["ESTIMATE_COLUMNS", "bertschinger_batch", "to_frame"]

NUMBER_COLUMNS = (*QUANTITIES, "gap", "nit", "n_samples")
"""The columns of :func:`to_frame` that hold numbers: float64 whatever the results (NaN where a
result has none), so that a column's dtype does not depend on which results a frame holds."""

ESTIMATE_COLUMNS = (
    *(f"plugin_{q}" for q in QUANTITIES),
    *(f"bias_{q}" for q in QUANTITIES),
    "kink",
    *(f"expected_bias_{q}" for q in ("i_yt", "i_ys", "i_yts", "ratio", "uni_at_kink")),
    *(f"{q}_{end}" for q in QUANTITIES for end in ("low", "high")),
    *(f"seed_sd_{q}" for q in QUANTITIES),
)
"""The float64 columns :func:`pidkit.to_frame` makes of a :class:`~pidkit.estimate.RepresentationPID`'s
dicts of numbers (NaN in the rows of other results, and ``{q}_low``, ``{q}_high`` without
intervals): ``plugin_red`` ... from ``plugin``; ``bias_red`` ... (plug-in minus corrected) and
``kink`` from ``correction``; ``expected_bias_i_yt`` ... ``expected_bias_ratio`` and
``expected_bias_uni_at_kink`` from ``bias``;
``red_low``, ``red_high`` ... from ``intervals``; ``seed_sd_red`` ... from
``settings["cluster_seed_sd"]`` (NaN for one clustering). A
:class:`~pidkit.gaussian.GaussianPIDEstimate` fills ``plugin_red`` ... and ``red_low``,
``red_high`` ... from its ``plugin`` and ``intervals`` alike, and ``bias_red`` ... ``bias_i_yts``
from its ``to_dict()`` (the others NaN)."""


def to_frame(results: Iterable[Any] | Mapping[Any, Any]) -> pandas.DataFrame:
    """A pandas DataFrame with a row per result: its ``to_dict()`` record, numbers as numbers.

    ``pd.DataFrame([r.to_dict() for r in results])`` reads JSON records, where a missing number
    is ``None``: a column that is ``None`` in every row (the gaps of a batch that all failed, the
    iterations of closed-form solves) became an object column of ``None``. Here the seven
    quantities, ``gap``, ``nit`` and ``n_samples`` are float64 columns with NaN, whatever the
    results (``nit`` was int64 in a frame of BROJA results and float64 once a closed-form
    result's ``None`` joined them), and an infinite gap stays ``inf``.

    A :class:`~pidkit.estimate.RepresentationPID`'s dicts of numbers become float64 columns in
    their place (``pidkit.batch.ESTIMATE_COLUMNS``): ``plugin`` becomes ``plugin_red`` ...
    ``plugin_i_yts``; ``bias_correction`` becomes its method (a string column, as
    ``settings["bias_correction"]`` names it), its estimated bias ``bias_red`` ... ``bias_i_yts``
    (plug-in minus corrected), its ``kink`` and its flags ``negative`` and ``above_bound``
    (tuples of names); ``bias`` becomes ``expected_bias_i_yt``, ``expected_bias_i_ys``,
    ``expected_bias_i_yts``, ``expected_bias_ratio`` (``inf`` kept) and
    ``expected_bias_uni_at_kink`` (each Uni's bias at a kink); ``intervals`` becomes
    ``red_low``, ``red_high`` ... ``i_yts_high`` (NaN without ``bootstrap=``); with
    ``cluster_seeds`` above 1, ``settings["cluster_seed_sd"]`` also becomes ``seed_sd_red`` ...
    ``seed_sd_i_yts`` (NaN for one clustering). A :class:`~pidkit.gaussian.GaussianPIDEstimate`
    (of :func:`pidkit.gaussian_pid_from_samples`) gets the same ``plugin_*``, ``*_low`` and
    ``*_high`` columns from its ``plugin`` and ``intervals``, and from its ``to_dict()``
    ``bias_correction`` (``"wishart"`` or ``"none"``) and ``bias_red`` ... ``bias_i_yts``, after
    ``n_samples``. What is not a number stays in object columns
    named as in ``to_dict()``: ``shape``, ``settings``, ``bias_warning``, the arrays ``p``,
    ``counts`` and ``labels``, the full sample's ``pid`` record and ``first_clustering`` (whose
    clustering those are, with ``cluster_seeds``). The correction's subsample means are in
    ``to_dict()`` and ``result.correction``.

    Parameters
    ----------
    results : iterable or mapping of PIDResult or RepresentationPID
        Results of :func:`pidkit.bertschinger_batch`, :func:`pidkit.pid`,
        :func:`pidkit.estimate.pid_from_representations`, ... (anything with ``to_dict()``). The
        keys of a dict, or the index of a pandas Series, become the frame's index.

    Returns
    -------
    pandas.DataFrame
        One row per result, the columns of ``to_dict()`` in its order.

    Raises
    ------
    ImportError
        pandas is not installed (it is not a dependency of pidkit).
    TypeError
        ``results`` is one result, or holds something without ``to_dict()``.

    Examples
    --------
    >>> import pidkit
    >>> results = pidkit.bertschinger_batch([pidkit.examples.and_(), pidkit.examples.xor()])
    >>> frame = pidkit.to_frame(results)
    >>> frame[["red", "syn", "gap"]].dtypes.tolist()
    [dtype('float64'), dtype('float64'), dtype('float64')]
    >>> frame["syn"].round(3).tolist()
    [0.5, 1.0]
    >>> pidkit.to_frame(dict(zip(["and", "xor"], results)))["syn"].round(3).to_dict()
    {'and': 0.5, 'xor': 1.0}

    No results give a frame of no rows with the columns of a :class:`~pidkit.PIDResult`'s:

    >>> empty = pidkit.to_frame([])
    >>> len(empty[empty.success]), empty["syn"].dtype
    (0, dtype('float64'))

    Estimates from representations, their plug-in values and intervals as columns:

    >>> import numpy as np
    >>> from pidkit.estimate import pid_from_representations
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 300)
    >>> runs = [pid_from_representations(y, y[:, None] + rng.normal(size=(300, 3)),
    ...                                  rng.normal(size=(300, 3)), bootstrap=20, random_state=k,
    ...                                  n_clusters=4, progress=False) for k in range(2)]
    >>> frame = pidkit.to_frame(runs)
    >>> frame[["uni_t", "plugin_uni_t", "bias_uni_t", "uni_t_low", "uni_t_high"]].round(3).values.tolist()
    [[0.204, 0.205, 0.001, 0.133, 0.286], [0.182, 0.177, -0.004, 0.123, 0.23]]
    >>> {str(frame[column].dtype) for column in pidkit.batch.ESTIMATE_COLUMNS}
    {'float64'}
    >>> frame["bias_correction"].tolist(), frame["settings"][0]["random_state"]
    (['eb-extrapolation-kink', 'eb-extrapolation-kink'], 0)

    A Gaussian estimate's plug-in values and intervals fill the same columns:

    >>> x = rng.normal(size=(300, 3))
    >>> gaussian = pidkit.gaussian_pid_from_samples(x[:, 0], x[:, 0] + x[:, 1], x[:, 0] + x[:, 2],
    ...                                             bootstrap=20, progress=False)
    >>> row = pidkit.to_frame([gaussian]).iloc[0]
    >>> row[["plugin_i_yt", "i_yt_low", "i_yt_high"]].tolist() == [gaussian.plugin["i_yt"],
    ...                                                           *gaussian.intervals["i_yt"]]
    True
    """
    try:
        import pandas as pd
    except ImportError:
        message = "to_frame needs pandas, which pidkit does not install: pip install pandas"
        raise ImportError(message) from None
    if not isinstance(results, Iterable):
        raise TypeError(
            f"results must be an iterable of results (a list of PIDResult, ...); got "
            f"{type(results).__name__}. For one result pass [result]."
        )
    if isinstance(results, Mapping):
        index = pd.Index(list(results.keys()))
        results = list(results.values())
    elif isinstance(results, pd.Series):
        index, results = results.index, results.tolist()
    else:
        results = list(results)
        index = pd.RangeIndex(len(results))
    for key, result in zip(index, results, strict=True):
        if not callable(getattr(type(result), "to_dict", None)):
            raise TypeError(
                f"results[{key!r}] is {type_with_article(result)}, not a result with to_dict() (a "
                "PIDResult or RepresentationPID): pass the results of pidkit's decompositions."
            )
    if not results:  # the columns a filter such as frame[frame.success] needs, typed
        return pd.DataFrame({column: pd.Series(dtype=_empty_dtype(column)) for column in RECORD_FIELDS},
                            index=index)
    rows = [_flat_record(result) for result in results]
    frame = pd.DataFrame(rows, index=index)
    for column in NUMBER_COLUMNS:
        if column not in frame.columns:
            continue
        values = [getattr(r, column) if column in row else None for r, row in zip(results, rows, strict=True)]
        frame[column] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    for column in ESTIMATE_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].astype(np.float64)  # other results' rows: NaN
    return frame


def _flat_record(result: Any) -> dict[str, Any]:
    """``result.to_dict()``, with a RepresentationPID's dicts of numbers spread into columns.

    The numbers are read from the result itself, not from the JSON record, so that an infinite
    ``bias["ratio"]`` stays ``inf`` (None in ``to_dict()``).
    """
    record = result.to_dict()
    if not {"plugin", "bias_correction", "bias", "intervals"} <= record.keys():
        return _with_plugin_and_intervals(result, record)
    correction = result.correction
    seed_sd = result.settings.get("cluster_seed_sd", {})
    spread: dict[str, dict[str, Any]] = {
        "plugin": _plugin_columns(result.plugin),
        "bias_correction": {
            "bias_correction": correction.method,
            **{f"bias_{q}": correction.bias[q] for q in QUANTITIES},
            "kink": correction.kink,
            "negative": tuple(correction.negative),
            "above_bound": tuple(correction.above_bound),
        },
        "bias": {f"expected_bias_{key}": value for key, value in result.bias.items()},
        "intervals": _interval_columns(result.intervals),
        "settings": {"settings": record["settings"],
                     **{f"seed_sd_{q}": float(seed_sd.get(q, np.nan)) for q in QUANTITIES}},
    }
    flat: dict[str, Any] = {}
    for key, value in record.items():
        flat.update(spread.get(key, {key: value}))
    return flat


def _with_plugin_and_intervals(result: Any, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with the ``plugin_*``, ``*_low`` and ``*_high`` columns of a result that has
    ``plugin`` and ``intervals`` but no such keys in ``to_dict()`` (a Gaussian estimate), placed
    before ``diagnostics``; ``record`` itself for a result without them."""
    plugin, intervals = getattr(result, "plugin", None), getattr(result, "intervals", None)
    if plugin is None and intervals is None:
        return record
    columns = {**_plugin_columns(plugin), **_interval_columns(intervals)}
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if key == "diagnostics":
            flat.update(columns)
        flat[key] = value
    return flat if "diagnostics" in record else {**flat, **columns}


def _plugin_columns(plugin: Mapping[str, float] | None) -> dict[str, float]:
    """``plugin_red`` ... ``plugin_i_yts`` of a result's plug-in values (NaN where it has none)."""
    plugin = plugin or {}
    return {f"plugin_{q}": float(plugin.get(q, np.nan)) for q in QUANTITIES}


def _interval_columns(intervals: Mapping[str, tuple[float, float]] | None) -> dict[str, float]:
    """``red_low``, ``red_high`` ... ``i_yts_high`` of a result's intervals (NaN without them)."""
    intervals = intervals or {}
    return {
        f"{q}_{end}": float(value)
        for q in QUANTITIES
        for end, value in zip(("low", "high"), intervals.get(q, (np.nan, np.nan)), strict=True)
    }


def _empty_dtype(column: str) -> str:
    """The dtype of ``column`` in a frame of no results: float64 for numbers, bool for success."""
    return "float64" if column in NUMBER_COLUMNS else "bool" if column == "success" else "object"
