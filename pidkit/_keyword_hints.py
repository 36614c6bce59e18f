"""The refusal of keyword arguments a public function does not take, with the name most likely meant.

Python's own refusal ("got an unexpected keyword argument 'seed'") names no fix. A keyword that
other libraries or another pidkit function use for one of this function's (``seed`` for
scikit-learn's ``random_state``; :func:`pidkit.estimate.bootstrap`'s ``n_boot`` for the
estimators' ``bootstrap``) is told this function's name for it (:data:`SAME_MEANING`), any other
the closest keyword (:func:`pidkit.utils.closest`), else the keywords there are.
:func:`hints_unknown_keywords` applies this to a function, or to a class's ``__init__``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import ParamSpec, TypeVar

from ._names import closest

__all__ = ["SAME_MEANING", "hints_unknown_keywords", "unknown_keyword_error"]

_Parameters = ParamSpec("_Parameters")
_Returned = TypeVar("_Returned")

SAME_MEANING: Mapping[str, tuple[str, str]] = {
    "seed": ("random_state", "pidkit takes scikit-learn's name for the seed"),
    "random_seed": ("random_state", "pidkit takes scikit-learn's name for the seed"),
    "n_boot": ("bootstrap", "The estimators take the number of bootstrap resamples as bootstrap=B; "
                            "n_boot is pidkit.estimate.bootstrap's name for it"),
    "bootstrap": ("n_boot", "pidkit.estimate.bootstrap takes its number of resamples as n_boot; "
                            "bootstrap=B is the estimators' name for it"),
}
"""Keywords that other libraries or other pidkit functions use for one of pidkit's, by name: the
keyword meant (where the function takes it) and why it is named otherwise."""

_NO_INTERVALS = ("it draws no bootstrap intervals; pidkit.estimate.pid_from_representations(y, "
                 "t_features, s_features, bootstrap=B) does, of bias-corrected atoms (1-D labels may "
                 "stand for either side's features)")
"""What a function without intervals tells ``bootstrap=B`` or ``n_boot=B``."""


def unknown_keyword_error(called_as: str, keyword: str, keywords: list[str]) -> TypeError:
    """The refusal of ``keyword`` by the function called as ``called_as``, which takes ``keywords``.

    Parameters
    ----------
    called_as : str
        The function's name as users call it, for the message.
    keyword : str
        The keyword given that it does not take.
    keywords : list of str
        The keywords it takes.

    Returns
    -------
    TypeError

    Examples
    --------
    >>> print(unknown_keyword_error("discretize", "n_cluster", ["n_components", "n_clusters"]))
    discretize() got an unexpected keyword argument 'n_cluster'. Did you mean 'n_clusters'?
    >>> print(unknown_keyword_error("f", "seed", ["random_state"]))
    f() got an unexpected keyword argument 'seed'. Did you mean 'random_state'? pidkit takes \
scikit-learn's name for the seed.
    >>> print(unknown_keyword_error("correct_counts", "bootstrap", ["counts", "random_state"]))
    correct_counts() got an unexpected keyword argument 'bootstrap'. It draws no bootstrap intervals; \
pidkit.estimate.pid_from_representations(y, t_features, s_features, bootstrap=B) does, of \
bias-corrected atoms (1-D labels may stand for either side's features).
    >>> print(unknown_keyword_error("f", "colour", ["units", "measure"]))
    f() got an unexpected keyword argument 'colour'. Its keyword arguments are units, measure.
    """
    given = f"{called_as}() got an unexpected keyword argument {keyword!r}."
    meant, why = SAME_MEANING.get(keyword, (None, ""))
    if meant in keywords:
        return TypeError(f"{given} Did you mean {meant!r}? {why}.")
    if meant in ("bootstrap", "n_boot"):
        return TypeError(f"{given} {_NO_INTERVALS[0].upper()}{_NO_INTERVALS[1:]}.")
    match = closest(keyword, keywords)
    if match is not None:
        return TypeError(f"{given} Did you mean {match!r}?")
    return TypeError(f"{given} Its keyword arguments are {', '.join(keywords)}.")


def hints_unknown_keywords(
    function: Callable[_Parameters, _Returned],
) -> Callable[_Parameters, _Returned]:
    """``function``, refusing a keyword argument it does not take with :func:`unknown_keyword_error`
    (the keyword most likely meant) instead of Python's bare ``TypeError``.

    The signature, name and docstring stay ``function``'s (:func:`functools.wraps`:
    :func:`inspect.signature` and scikit-learn's ``get_params`` read the real parameters). On a
    class's ``__init__`` the message names the class.

    Parameters
    ----------
    function : callable
        A function without ``**kwargs``.

    Returns
    -------
    callable

    Examples
    --------
    >>> @hints_unknown_keywords
    ... def spread(values, *, random_state=0):
    ...     return values
    >>> spread([1], seed=1)
    Traceback (most recent call last):
    ...
    TypeError: spread() got an unexpected keyword argument 'seed'. Did you mean 'random_state'? \
pidkit takes scikit-learn's name for the seed.
    >>> list(inspect.signature(spread).parameters)
    ['values', 'random_state']
    """
    parameters = inspect.signature(function).parameters.values()
    keywords = [parameter.name for parameter in parameters if parameter.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)]
    if keywords[:1] == ["self"]:
        keywords = keywords[1:]
    accepted = frozenset(keywords)
    called_as = function.__qualname__.removesuffix(".__init__")

    @functools.wraps(function)
    def refusing(*args: _Parameters.args, **kwargs: _Parameters.kwargs) -> _Returned:
        unknown = [keyword for keyword in kwargs if keyword not in accepted]
        if unknown:
            raise unknown_keyword_error(called_as, unknown[0], keywords)
        return function(*args, **kwargs)

    return refusing

