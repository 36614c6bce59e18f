"""Every bad input issue 13 lists (and others), at every Python entry point, with the exception type
and a message that names the argument."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pidkit
from pidkit import examples, measures
from pidkit._names import closest, did_you_mean
from pidkit._validate import check_flag, check_joint, check_pmf, check_tol
from tests.strategies import joints

GOOD = np.full((2, 2, 2), 0.125)
BIG = 10**4  # np.broadcast_to(1.0, (BIG,) * 3) has 10^12 cells and needs no memory


class Entry(NamedTuple):
    """A public entry point: how to call it on one joint, the joint's name, the options it takes."""

    call: Callable[..., Any]
    name: str
    options: frozenset[str]
    prefix: str = ""


_SOLVER_OPTIONS = frozenset({"units", "normalize", "strict", "tol"})
_MEASURE_OPTIONS = frozenset({"units", "normalize", "strict"})
ENTRIES: dict[str, Entry] = {
    "bertschinger": Entry(pidkit.bertschinger, "p_yts", _SOLVER_OPTIONS),
    "bertschinger_batch": Entry(
        lambda p, **kw: pidkit.bertschinger_batch([p], **kw), "ps[0]", _SOLVER_OPTIONS, "joint 0: "
    ),
    **{
        f"pid-{m}": Entry(
            lambda p, m=m, **kw: pidkit.pid(p, measure=m, **kw),
            "p_yts",
            _SOLVER_OPTIONS if m == "broja" else _MEASURE_OPTIONS,
        )
        for m in pidkit.REDUNDANCY_MEASURES
    },
    "redundancy": Entry(
        lambda p, **kw: pidkit.redundancy(p, measure="wedge", **kw),
        "p_yts",
        frozenset({"units", "normalize"}),
    ),
    "i_gh": Entry(pidkit.i_gh, "p", frozenset({"units", "normalize"})),
    "i_prec": Entry(pidkit.i_prec, "p", frozenset({"units", "normalize"})),
    "entropy": Entry(lambda p, **kw: measures.entropy(p, "ts", **kw), "p", frozenset({"units"})),
    "mutual_information": Entry(
        lambda p, **kw: measures.mutual_information(p, "y", "ts", **kw), "p_yts", frozenset({"units"})
    ),
    "co_information": Entry(measures.co_information, "p_yts", frozenset({"units"})),
    "marginal": Entry(lambda p: measures.marginal(p, "yt"), "p_yts", frozenset()),
}


def _masked() -> np.ma.MaskedArray:
    return np.ma.masked_array(GOOD, mask=np.eye(2, dtype=bool)[None].repeat(2, axis=0))


def _object_with_none() -> np.ndarray:
    p = GOOD.astype(object)
    p[0, 0, 1] = None
    return p


# (id, joint, options, exception, message with {name} for the joint's argument name)
JOINT_ROWS: list[tuple[str, Any, dict[str, Any], type, str]] = [
    (
        "ragged list",
        [[[0.5, 0.5]], [[0.5]]],
        {},
        ValueError,
        r"{name} is ragged: its nested sequences have different lengths \({name}\[1\]\[0\] has 1 value\(s\) "
        r"where {name}\[0\]\[0\] has 2 value\(s\)\), so it is not an array\.",
    ),
    (
        "object array",
        _object_with_none(),
        {},
        TypeError,
        r"{name} must be an array of real numbers; {name}\[0, 0, 1\] is None: the cell is missing\. Write "
        r"the probability it holds as a number: 0 for a mass that is zero",
    ),
    # Text in a joint said only "got dtype <U1" (numpy turns every cell into text): the first text
    # cell is named, where it is, and what to do with a number written as text or with a label.
    (
        "str array",
        np.array([[["a", "b"]]]),
        {},
        TypeError,
        r'{name} must be an array of real numbers; {name}\[0, 0, 0\] is the text "a"; a distribution '
        r"holds probabilities or counts, not labels: count labels into a joint with "
        r"pidkit\.joint_from_samples\(y, t, s\)\.$",
    ),
    (
        "array of number strings",
        np.array([[["0.25", "0.25"], ["0.25", "0.25"]]] * 2),
        {},
        TypeError,
        r'{name} must be an array of real numbers; {name}\[0, 0, 0\] is the text "0\.25"; convert {name} '
        r"to numbers, e\.g\. np\.asarray\({name}, dtype=float\)\.$",
    ),
    (
        "a str in a list",
        [[[0.125, 0.125], [0.125, 0.125]], [[0.125, 0.125], [0.125, "0.125"]]],
        {},
        TypeError,
        r'{name} must be an array of real numbers; {name}\[1, 1, 1\] is the text "0\.125"; convert',
    ),
    (
        "a str in an object array",
        np.array([[[0.5, "x"]]], dtype=object),
        {},
        TypeError,
        r'{name} must be an array of real numbers; {name}\[0, 0, 1\] is the text "x"; a distribution',
    ),
    ("a string", "0.125", {}, TypeError, r"{name} must be an array of numbers; got a str"),
    (
        "EmpiricalJoint",
        pidkit.joint_from_samples([0, 1], [0, 1], [1, 0]),
        {},
        TypeError,
        r"{name} must be an array, not the EmpiricalJoint that holds one\. For its bias-corrected atoms "
        r"use pidkit\.estimate\.correct_counts\(joint\.counts\); for the plug-in's, pass joint\.counts "
        r"with normalize=True, which warns where their bias is a sizeable share of them \(joint\.p gives "
        r"them without that warning\)\.",
    ),
    ("dict", {"p": 1}, {}, TypeError, r"{name} must be an array of real numbers; got dict"),
    (
        "masked cells",
        _masked(),
        {},
        ValueError,
        r"{name} is a masked array with 4 masked cell\(s\).*filled\(0\)",
    ),
    (
        "complex",
        GOOD + 0j,
        {},
        TypeError,
        r"{name} must be an array of real numbers; got dtype complex128",
    ),
    ("bool", GOOD > 0, {}, TypeError, r"{name} must be an array of real numbers; got dtype bool"),
    (
        "datetime",
        np.zeros((2, 2, 2), dtype="datetime64[s]"),
        {},
        TypeError,
        r"{name} must be an array of real numbers; got dtype datetime64",
    ),
    (
        "NaN",
        np.where(GOOD > 0, np.nan, 0)[:1],
        {},
        ValueError,
        r"{name} contains NaN at index \(0, 0, 0\)",
    ),
    (
        "infinity",
        GOOD * np.array([1, np.inf]),
        {},
        ValueError,
        r"{name} contains infinity at index \(0, 0, 1\)",
    ),
    (
        "negative",
        GOOD * np.array([3, -1]),
        {},
        ValueError,
        r"{name} has negative mass: -0\.125 at index \(0, 0, 1\)",
    ),
    ("zero mass", np.zeros((2, 2, 2)), {}, ValueError, r"{name} has total mass 0: every cell is 0"),
    ("zero mass, normalize", np.zeros((2, 2, 2)), {"normalize": True}, ValueError,
     r"{name} has total mass 0: .* normalising cannot make one"),
    ("sum off 1", GOOD * 0.9, {}, ValueError, r"{name} sums to 0\.9.*Pass normalize=True"),
    (
        "counts",
        np.array([[[3, 1], [0, 4]], [[2, 0], [1, 1]]]),
        {},
        ValueError,
        r"{name} sums to 12\.0 \(off by 11\), not 1 \(allowed: within 1e-09\)\. Its cells are whole numbers, "
        r"so it looks like counts of samples: pidkit\.estimate\.correct_counts\({name}\) gives their "
        r"bias-corrected atoms, and normalize=True rescales them into probabilities, whose atoms are the "
        r"plug-in estimate \(biased by the sampling\); otherwise fix the input\.$",
    ),
    (
        "overflowing total",
        np.full((2, 2, 2), 1e308),
        {},
        ValueError,
        r"{name} sums to about 10\*\*308\.9, not 1",
    ),
    ("2-D", np.full((2, 2), 0.25), {}, ValueError, r"{name} must .* got 2-D with shape \(2, 2\)"),
    ("empty axis", np.zeros((2, 0, 2)), {}, ValueError, r"{name} has an empty axis"),
    (
        "huge",
        np.broadcast_to(1.0, (BIG,) * 3),
        {"normalize": True},
        ValueError,
        r"{name} is too large: .* GiB",
    ),
]

# (id, options, exception, message)
OPTION_ROWS: list[tuple[str, dict[str, Any], type, str]] = [
    ("normalize='no'", {"normalize": "no"}, TypeError, r"^normalize must be True or False; got 'no'"),
    ("normalize=1", {"normalize": 1}, TypeError, r"^normalize must be True or False; got 1 \(int\)"),
    ("strict='no'", {"strict": "no"}, TypeError, r"^strict must be True or False; got 'no'"),
    (
        "tol=True",
        {"tol": True},
        TypeError,
        r"^tol must be a positive number of bits.*got True",
    ),
    ("tol='1e-9'", {"tol": "1e-9"}, TypeError, r"^tol must be a positive number of bits"),
    ("tol=-1", {"tol": -1}, ValueError, r"^tol must be a positive number of bits"),
    ("tol=nan", {"tol": math.nan}, ValueError, r"^tol must be a positive number of bits"),
    ("tol=inf", {"tol": math.inf}, ValueError, r"^tol must be a positive number of bits"),
    (
        "units='bit'",
        {"units": "bit"},
        ValueError,
        r"^units must be 'bits' or 'nats'; got 'bit'\. Did you mean 'bits'\?",
    ),
    ("units=2", {"units": 2}, TypeError, r"^units must be 'bits' or 'nats'; got 2 \(int\)"),
]


def _cases() -> list[Any]:
    cases = []
    for row_id, joint, options, error, message in JOINT_ROWS:
        for entry_id, entry in ENTRIES.items():
            if not set(options) <= entry.options:
                continue
            if (row_id, entry_id) == ("EmpiricalJoint", "bertschinger_batch"):
                continue  # the batch points at the counts first (task 438): tests/test_batch_small_edges.py
            text = "^" + re.escape(entry.prefix) + message.format(name=re.escape(entry.name))
            cases.append(
                pytest.param(entry_id, joint, options, error, text, id=f"{row_id}-{entry_id}")
            )
    for row_id, options, error, message in OPTION_ROWS:
        for entry_id, entry in ENTRIES.items():
            if not set(options) <= entry.options:
                continue
            cases.append(
                pytest.param(entry_id, GOOD, options, error, message, id=f"{row_id}-{entry_id}")
            )
    return cases


@pytest.mark.parametrize(("entry_id", "joint", "options", "error", "match"), _cases())
def test_bad_input_is_refused_with_a_message_naming_it(entry_id, joint, options, error, match, monkeypatch):
    monkeypatch.setattr("pidkit._memory.available_memory", lambda: 64 * 2**30)
    with pytest.raises(error, match=match):
        ENTRIES[entry_id].call(joint, **options)


def test_the_table_covers_every_entry_point_and_measure():
    cases = _cases()
    assert {c.values[0] for c in cases} == set(ENTRIES)
    assert {f"pid-{m}" for m in pidkit.REDUNDANCY_MEASURES} <= set(ENTRIES)
    assert len(cases) > 250


@pytest.mark.parametrize("measure", pidkit.REDUNDANCY_MEASURES)
def test_overflowing_totals_give_the_right_answer_with_normalize(measure):
    if measure in ("gh", "prec"):
        pytest.importorskip("cdd")
    p = examples.and_()
    huge = p / p.max() * 1.5e308  # cells of 1.5e308: the total overflows float64
    tiny = p / p.max() * 1e-310  # subnormal cells
    expected = pidkit.pid(p, measure=measure)
    for scaled in (huge, tiny):
        r = pidkit.pid(scaled, measure=measure, normalize=True)
        assert r.success and math.isfinite(r.red)
        assert r.red == pytest.approx(expected.red, abs=1e-9)
        assert r.syn == pytest.approx(expected.syn, abs=1e-9)


def test_normalisation_never_overflows_or_loses_the_answer():
    np.testing.assert_array_equal(check_pmf([1e308, 1e308], normalize=True), [0.5, 0.5])
    np.testing.assert_allclose(check_pmf([5e-324, 1e-323], normalize=True), [1 / 3, 2 / 3])
    wide = np.array([1.0, 3.0], dtype=np.longdouble) * np.longdouble(10) ** 400
    if np.isfinite(wide).all():  # platforms whose long double reaches past float64
        np.testing.assert_allclose(check_pmf(wide, normalize=True), [0.25, 0.75])


@given(joints(), st.floats(-250, 300), st.booleans())
def test_normalize_is_scale_invariant(p, exponent, near_the_largest_float):
    scaled = p / p.max() * 1.5e308 if near_the_largest_float else p * 10.0**exponent
    np.testing.assert_allclose(check_joint(scaled, normalize=True), p, rtol=1e-12, atol=1e-40)


def test_acceptable_variants_are_accepted():
    assert check_joint(GOOD.tolist()).shape == (2, 2, 2)
    np.testing.assert_array_equal(check_joint(np.ma.masked_array(GOOD, mask=False)), GOOD)  # nothing masked
    np.testing.assert_array_equal(check_joint(GOOD.astype(object)), GOOD)
    fractions = np.array([[[Fraction(1, 8)] * 2] * 2] * 2, dtype=object)
    np.testing.assert_array_equal(check_joint(fractions), GOOD)
    counts = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]]])
    assert pidkit.bertschinger(counts, normalize=True).syn == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_array_equal(check_joint(GOOD * (1 + 5e-10)).sum(), 1.0)


def test_float32_joints_get_a_tolerance_scaled_to_float32():
    p = np.random.default_rng(0).dirichlet(np.ones(27)).astype(np.float32).reshape(3, 3, 3)
    assert abs(float(p.sum(dtype=np.float64)) - 1) > 1e-9  # float32 rounding, not a wrong total
    assert check_joint(p).sum() == pytest.approx(1.0, abs=1e-15)
    with pytest.raises(ValueError, match=r"p_yts sums to 0\.99.*allowed: within"):
        check_joint(p * np.float32(0.999))


def test_dit_distribution_needs_a_named_target():
    dit = pytest.importorskip("dit")
    d = dit.Distribution(["000", "011", "101", "110"], [0.25] * 4)
    with pytest.raises(TypeError, match="p_yts is a dit Distribution: name its target"):
        pidkit.pid(d)
    with pytest.raises(TypeError, match=r"^p_yts is a dit Distribution: name its target variable, e\.g\. "
                                        r"pidkit\.bertschinger\(d, target=2, sources=\[0, 1\]\)\.$"):
        pidkit.bertschinger(d)
    assert pidkit.pid(d, target=2, sources=[0, 1]).syn == pytest.approx(1.0, abs=1e-9)
    assert pidkit.bertschinger(d, target=2, sources=[0, 1]).syn == pytest.approx(1.0, abs=1e-9)


def test_other_bad_options_are_named():
    with pytest.raises(ValueError, match="method must be one of"):
        pidkit.bertschinger(GOOD, method="magic")
    with pytest.raises(ValueError, match="solver must be None or a cvxpy solver"):
        pidkit.bertschinger(GOOD, solver="NOPE")
    with pytest.raises(ValueError, match=r"measure must be one of .*; got 'ghh'\. Did you mean 'gh'\?"):
        pidkit.pid(GOOD, measure="ghh")
    with pytest.raises(TypeError, match=r"measure must be one of .*; got 3 \(int\)"):
        pidkit.pid(GOOD, measure=3)
    with pytest.raises(TypeError, match=r"measure='broja' takes no option 'colour'; its options are "
                                         r"units, method, solver, tol, normalize, strict\.$"):
        pidkit.pid(GOOD, colour="red")
    with pytest.raises(TypeError, match=r"takes no option 'unit'; .* Did you mean 'units'\?"):
        pidkit.pid(GOOD, unit="bits")
    with pytest.raises(TypeError, match=r"measure='gh' takes no option 'tol'; its options are units, "
                                         r"normalize, strict, max_vertices, progress\. 'tol' is an option of "
                                         r"measure='broja'\."):
        pidkit.pid(GOOD, measure="gh", tol=1e-9)
    with pytest.raises(TypeError, match=r"measure='wedge' takes no option 'tol'; its options are units, "
                                         r"normalize, strict\. 'tol' is an option of measure='broja'\.$"):
        pidkit.pid(GOOD, measure="wedge", tol=1e-9)  # listed max_vertices, which is gh's and prec's only
    with pytest.raises(ValueError, match=r"source must be 't' or 's'; got 'x'"):
        pidkit.i_function_of_source(GOOD, source="x")
    with pytest.raises(ValueError, match=r"got 'BROJA'\. Did you mean 'broja'\?"):
        pidkit.pid(GOOD, measure="BROJA")
    # an array is indexed [y, t, s] already: target and sources were silently ignored
    with pytest.raises(TypeError, match=r"target and sources only apply to a dit Distribution; .*moveaxis"):
        pidkit.pid(GOOD, target=2, sources=[0, 1])
    with pytest.raises(TypeError, match=r"^sources only applies to a dit Distribution.* Drop it, or"):
        pidkit.pid(GOOD, sources=[1, 0])
    with pytest.raises(TypeError, match=r"^target only applies to a dit Distribution.* Drop it, or"):
        pidkit.pid(GOOD, target=0)


def test_a_stack_of_joints_is_pointed_to_the_batch():
    stack = np.stack([GOOD] * 5)
    with pytest.raises(ValueError, match=r"got 4-D with shape \(5, 2, 2, 2\)\. For a stack of 5 joints "
                                         r"p\[k, y, t, s\], pass each p\[k\] \(for BROJA, "
                                         r"pidkit\.bertschinger_batch\(stack\) solves the whole stack\)\.$"):
        pidkit.pid(stack, measure="mmi")
    with pytest.raises(ValueError, match=r"shape \(1, 2, 2, 2\)\. It holds one joint: pass p_yts\[0\]\.$"):
        pidkit.bertschinger(stack[:1])
    with pytest.raises(ValueError, match=r"got 2-D .*joint_from_samples\(y, t, s\)\.$"):
        pidkit.bertschinger(GOOD[0])


def test_a_ragged_joint_names_its_first_short_or_long_row():
    # it said only "its nested sequences have different lengths", where ragged features name the row
    with pytest.raises(ValueError) as refused:
        pidkit.pid([[[0.5, 0.5], [0.0]], [[0, 0], [0, 0]]])
    assert str(refused.value) == (
        "p_yts is ragged: its nested sequences have different lengths (p_yts[0][1] has 1 value(s) where "
        "p_yts[0][0] has 2 value(s)), so it is not an array. Every row needs the same number of entries "
        "(pad missing cells with 0).")
    with pytest.raises(ValueError, match=r"\(p_yts\[1\] has 2 value\(s\) where p_yts\[0\] has 1 value"):
        pidkit.pid([[[0.5, 0.5]], [[0.0, 0.0], [0.0, 0.0]]])
    with pytest.raises(ValueError, match=r"\(p_yts\[0\]\[1\] is a single number where p_yts\[0\]\[0\] has 2"):
        pidkit.pid([[[0.5, 0.5], 0.0]])


@pytest.mark.parametrize(
    ("check", "value", "error", "match"),
    [
        (check_flag, "no", TypeError, r"x must be True or False; got 'no' \(str\)"),
        (check_flag, 1, TypeError, r"x must be True or False; got 1 \(int\)"),
        (check_flag, None, TypeError, r"x must be True or False; got None"),
        (check_tol, True, TypeError, r"x must be a positive number of bits .*got True \(bool\)"),
        (check_tol, np.bool_(True), TypeError, r"got (np\.)?True_? \(bool"),
        (check_tol, "1e-9", TypeError, r"got '1e-9' \(str\)"),
        (check_tol, 1e-9 + 0j, TypeError, r"\(complex\)"),
        (check_tol, 0, ValueError, r"x must be a positive number of bits .*; got 0\."),
        (check_tol, -1e-9, ValueError, r"got -1e-09"),
        (check_tol, math.nan, ValueError, r"got nan"),
        (check_tol, math.inf, ValueError, r"got inf"),
    ],
)
def test_option_checks(check, value, error, match):
    with pytest.raises(error, match=match):
        check(value, name="x")


def test_option_checks_accept_and_convert():
    assert check_flag(True, name="x") is True and check_flag(np.False_, name="x") is False
    assert check_tol(1, name="x") == 1.0 and type(check_tol(np.float32(1e-6))) is float
    assert check_tol(Fraction(1, 10**9)) == 1e-9


def test_a_memory_mapped_file_is_not_named_by_its_type(tmp_path):
    # The CLI maps large .npy files; the message said "(type memmap)", news of how it was read.
    path = tmp_path / "joint.npy"
    np.save(path, np.ones((2, 2, 2), dtype=complex) / 8)
    with pytest.raises(TypeError, match=r"got dtype complex128\. Convert it with np\.asarray"):
        check_joint(np.load(path, mmap_mode="r"))


def test_closest_gives_the_match_itself_and_did_you_mean_says_it():
    # a caller that shows the match in its own words (load_student: the run folder's path)
    # needs the match, not the sentence
    runs = ["digits-rid-tt-s0", "cifar-kd-s0", "digits-rid-tt-s0-notes"]
    assert closest("digits-rid-tt-s1", runs) == "digits-rid-tt-s0"
    assert closest("CIFAR-KD-S0", runs) == "cifar-kd-s0"  # case only: that one
    assert closest("teacher", runs) is None
    assert did_you_mean("digits-rid-tt-s1", runs) == " Did you mean 'digits-rid-tt-s0'?"
    assert did_you_mean("teacher", runs) == ""
