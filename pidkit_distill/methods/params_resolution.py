"""A method's parameters from a preset and overrides, each refusal naming the parameter at
fault: :func:`resolve_params`, behind :meth:`Distiller.make_params
<pidkit_distill.methods.Distiller.make_params>`.

The refusals are :class:`~pidkit_distill.ConfigEntryError` (a ``ValueError``;
:class:`~pidkit_distill.ConfigEntryTypeError` for unknown names, a ``TypeError``
too), whose ``entries`` the command reads to name the option typed
(``--method.params filter_ratio=2: ...``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from pidkit.utils import did_you_mean
from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.option_refusals import refused_option, unknown_options

if TYPE_CHECKING:
    from _typeshed import DataclassInstance  # the type of a dataclass, to type checkers only

__all__ = ["resolve_params"]

P = TypeVar("P", bound="DataclassInstance")


def resolve_params(params_class: type[P], presets: Mapping[str, Mapping[str, Any]], preset: str,
                   *, method: str, overrides: dict[str, Any]) -> P:
    """``params_class`` built from the preset ``preset`` of ``presets`` with ``overrides``.

    Parameters
    ----------
    params_class : type
        The method's frozen dataclass of parameters, whose ``__post_init__`` checks the ranges.
    presets : mapping of str to mapping
        The method's presets: a name to the values it gives.
    preset : str
        The preset to start from.
    method : str
        The method's registry name, told in the messages.
    overrides : dict of str to object
        Values replacing the preset's.

    Returns
    -------
    object
        An instance of ``params_class``.

    Raises
    ------
    ValueError
        ``preset`` not in ``presets`` (the message lists them); a
        :class:`~pidkit_distill.ConfigEntryError` of the parameter for a real
        value that is not finite, or one that ``params_class`` refuses (see
        :func:`_refusal_of_field`).
    TypeError
        Unknown parameter names: a
        :class:`~pidkit_distill.ConfigEntryTypeError` of them.

    Examples
    --------
    >>> from pidkit_distill.methods.kd import KDParams
    >>> resolve_params(KDParams, {"paper": {}}, "paper", method="kd",
    ...                overrides={"alpha": 0.5}).alpha
    0.5
    >>> resolve_params(KDParams, {"paper": {}}, "paper", method="kd", overrides={"alpha": 2})
    Traceback (most recent call last):
    ...
    pidkit_distill.ConfigEntryError: alpha must be in [0, 1]; got 2.
    """
    if preset not in presets:
        raise ValueError(
            f"preset={preset!r} is not a preset of method {method!r}; "
            f"choose one of {sorted(presets)}.{did_you_mean(preset, list(presets))}"
        )
    fields = sorted(field.name for field in dataclasses.fields(params_class))
    unknown = unknown_options(overrides, fields, kind="parameter", owner=f"method {method!r}")
    if unknown is not None:
        raise unknown
    for name, value in overrides.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigEntryError(f"parameter {name} of method {method!r} must be "
                                   f"finite; got {value!r}.", overrides, entries=(name,))
    try:
        return params_class(**{**presets[preset], **overrides})
    except ConfigEntryError:  # the package's own checks, and a user's that raises one
        raise
    except ValueError as err:
        refusal = _refusal_of_field(err, fields, overrides)
        if refusal is None:
            raise
        raise refusal from err


def _refusal_of_field(err: ValueError, fields: list[str], overrides: dict[str, Any]
                      ) -> ConfigEntryError | None:
    """``err``, a plain ``ValueError`` of a parameters class of the user's own, as a
    :class:`~pidkit_distill.ConfigEntryError` of the field its message starts
    with (``margin must be <= 2; got 5.``), or ``None`` where it starts with no field's name
    followed by ``" must be "`` (:func:`~pidkit_distill.option_refusals.refused_option`, the
    rule that a data set of one's own is read by too).

    It reads a refusal's text only as the fallback for such plain errors, so that a method of
    one's own whose check does not raise a ``ConfigEntryError`` is still named by the option
    typed. The package's own parameters classes raise ``ConfigEntryError`` with their
    ``entries`` themselves, whatever their wording (``filter_ratio (r) must be in (0, 1);
    ...``), and never come here.

    Examples
    --------
    >>> print(_refusal_of_field(ValueError("margin must be <= 2; got 5."), ["margin"], {}))
    margin must be <= 2; got 5.
    >>> _refusal_of_field(ValueError("a margin of 5 is too wide"), ["margin"], {}) is None
    True
    """
    name = refused_option(str(err), fields)
    return None if name is None else ConfigEntryError(str(err), overrides, entries=(name,))
