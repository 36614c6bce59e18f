"""One rule suggests every misspelt name, an option of a command as a keyword or a choice: the name
it begins first (an abbreviation, the likeliest slip: typing stopped early), else the closest.

The commands' options kept a rule of their own (``StrictArgumentParser.closest_option`` read a
prefix first), while :func:`pidkit.utils.closest`, for keywords and choices, read a prefix only
where difflib found nothing: ``sol=`` got "Did you mean 'tol'?" for ``solver``. Without its
prefix-first reading an option fails as keywords did (``--ep`` would be ``--help``).
"""

from __future__ import annotations

import pytest

import pidkit
from pidkit.command_line import StrictArgumentParser
from pidkit.utils import closest


def _parser() -> StrictArgumentParser:
    parser = StrictArgumentParser(prog="demo")
    for option in ("--epochs", "--run.epochs", "--run.amp", "--out", "--set", "--method"):
        parser.add_argument(option)
    return parser


@pytest.mark.parametrize(("given", "meant"), [
    ("--ep", "--epochs"),        # difflib alone: '--help' (ratio 0.67 against 0.5)
    ("--run.ep", "--run.epochs"),  # difflib alone: '--run.amp'
    ("--met", "--method"),       # difflib alone: '--set'
    ("--epoch", "--epochs"),
    ("--mehtod", "--method"),    # no prefix: the closest
    ("--import", None),          # with the dashes, '--out' was close
])
def test_an_option_is_suggested_by_the_one_rule(given, meant):
    parser = _parser()
    assert parser.closest_option(given) == meant
    names = {option.lstrip("-"): option for option in parser._option_string_actions}
    by_the_rule = closest(given.lstrip("-"), list(names))
    assert (None if by_the_rule is None else names[by_the_rule]) == meant


def test_a_keyword_it_begins_is_suggested_over_a_lookalike():
    with pytest.raises(TypeError) as refused:
        pidkit.pid(pidkit.examples.and_(), sol="ecos")
    assert str(refused.value) == ("measure='broja' takes no option 'sol'; its options are units, method, "
                                  "solver, tol, normalize, strict. Did you mean 'solver'?")
    # the suggestion, followed: AND's Red under BROJA is I(Y;T) = 1.5 - (3/4) log2(3) = 0.311278 bits
    assert pidkit.pid(pidkit.examples.and_(), solver="ECOS").red == pytest.approx(0.311278, abs=1e-6)


def test_a_choice_it_begins_is_suggested_over_a_shorter_lookalike():
    with pytest.raises(ValueError, match=r"got 'gh-t'\. Did you mean 'gh-target-only'\?$"):
        pidkit.redundancy(pidkit.examples.and_(), measure="gh-t")
    # H(Y ∧ T ∧ S) of AND: no common part but the constant, 0 bits
    common = pidkit.redundancy(pidkit.examples.and_(), measure="gh-target-only")
    assert common == pytest.approx(0.0, abs=1e-12)


def test_a_one_character_miss_and_a_case_only_miss_are_still_the_name_meant():
    assert closest("epoch", ["epochs", "eval"]) == "epochs"
    assert closest("BROJA", ["broja", "mmi"]) == "broja"
    assert closest("e", ["epochs", "eval"]) is None  # one letter begins too many names to mean one
