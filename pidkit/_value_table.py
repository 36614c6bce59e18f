"""The table of the seven quantities that the results' ``repr`` print: one row per quantity, one
column per set of values (corrected, plug-in, bias), and an interval column where there are
intervals.

Both :class:`~pidkit.estimate.RepresentationPID` and :class:`~pidkit.estimate.BiasCorrection`
print theirs with :func:`value_table`, so that their columns line up alike. It lives outside
:mod:`pidkit.estimate` (which needs scikit-learn) so that :mod:`pidkit.gaussian` can use it too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pidkit.resampling import QUANTITIES

__all__ = ["as_printed", "value_table"]


def value_table(
    columns: Sequence[tuple[str, Mapping[str, float], float]],
    units: str,
    *,
    intervals: Mapping[str, tuple[float, float]] | None = None,
    interval_head: str = "",
    interval_zero: float = 0.0,
    labels: Mapping[str, str] | None = None,
    label_head: str = "atom",
) -> list[str]:
    """The header and the seven rows (``red`` ... ``i_yts``) of a result's table, 6 decimals.

    Parameters
    ----------
    columns : sequence of (str, dict of str to float, float)
        Per column: its header (at most 10 characters), the values by quantity, and the rounding
        level below which a value prints as 0 (an exact 0 that came back as -7e-17 prints as
        ``0.000000``, not ``-0.000000``; :func:`pidkit.below_zero.rounding_level`).
    units : str
        Printed at the end of the header.
    intervals : dict of str to (float, float), optional
        Printed as a last column ``[low, high]`` where given.
    interval_head : str, optional
        The interval column's header, e.g. ``"95% centred interval, B=200"``; none where empty.
    interval_zero : float, optional
        The rounding level of the interval ends.
    labels : dict of str to str, optional
        The row label of each quantity, e.g. ``"Red(Y:T,S)"`` for ``"red"``; by default its name.
        The label column is one character wider than its longest label, and at least 8 wide.
    label_head : str, optional
        The label column's header.

    Returns
    -------
    list of str
        The header, then one row per quantity, each indented by two spaces.

    Examples
    --------
    >>> from pidkit._value_table import value_table
    >>> corrected = {"red": 0.5, "uni_t": 0.25, "uni_s": -7e-17, "syn": 0.0,
    ...              "i_yt": 0.75, "i_ys": 0.5, "i_yts": 0.75}
    >>> plugin = {name: value + 0.01 for name, value in corrected.items()}
    >>> print("\\n".join(value_table([("value", corrected, 1e-9), ("plug-in", plugin, 1e-9)], "bits")))
      atom          value    plug-in   (bits)
      red        0.500000   0.510000
      uni_t      0.250000   0.260000
      uni_s      0.000000   0.010000
      syn        0.000000   0.010000
      i_yt       0.750000   0.760000
      i_ys       0.500000   0.510000
      i_yts      0.750000   0.760000
    >>> from pidkit._result import ATOM_LABELS
    >>> print("\\n".join(value_table([("value", corrected, 1e-9)], "bits", labels=dict(ATOM_LABELS),
    ...                               label_head="quantity")[:2]))
      quantity         value   (bits)
      Red(Y:T,S)    0.500000
    """
    labels = labels or {name: name for name in QUANTITIES}
    width = max(8, 1 + max(len(labels[name]) for name in QUANTITIES))
    head = f"  {label_head:<{width}}" + "".join(f" {header:>10}" for header, _, _ in columns)
    if intervals is not None and interval_head:
        head += f"   {interval_head}"
    lines = [f"{head}   ({units})"]
    for name in QUANTITIES:
        row = f"  {labels[name]:<{width}}" + "".join(f" {as_printed(values[name], zero):>10.6f}"
                                                     for _, values, zero in columns)
        if intervals is not None:
            low, high = intervals[name]
            row += f"   [{as_printed(low, interval_zero):.6f}, {as_printed(high, interval_zero):.6f}]"
        lines.append(row)
    return lines


def as_printed(value: float, zero: float) -> float:
    """``value`` as the table prints it: 0 within ``zero`` of 0 (an exact 0 that came back as
    -7e-17 prints 0, not -0.000000 or -7e-17).

    Examples
    --------
    >>> from pidkit._value_table import as_printed
    >>> as_printed(-7e-17, 1e-9), as_printed(-0.25, 1e-9)
    (0.0, -0.25)
    """
    return 0.0 if abs(value) <= zero else value
