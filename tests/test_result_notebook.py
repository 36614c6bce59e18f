"""What a notebook user does next with a result: display it (alone and in a batch), save it as
JSON, and reach for its fields by the names they guess."""

import copy
import dataclasses
import json
import math
import pickle

import numpy as np
import pytest
from IPython.core.formatters import PlainTextFormatter

import pidkit
from pidkit import _status
from pidkit._result import result_from_redundancy
from pidkit.estimate import pid_from_representations
from tests.estimate_data import separated_teacher

AND_LINE = ("PIDResult(measure='broja', units='bits', status='optimal', red=0.311278, uni_t=0, "
            "uni_s=0, syn=0.5, gap=")


@pytest.fixture(scope="module")
def estimate():
    """The RepresentationPID docstring's example: a teacher that separates the two classes."""
    y, t, s = separated_teacher()
    return pid_from_representations(y, t, s, n_components=2, n_clusters=2, normalize=None)


def test_a_failed_result_is_strict_json():
    # T = (a, b, 1.3 a + b + 1e-8 (Y + N)): the unbounded gap of test_gaussian's unresolved
    # direction. to_dict() gave "gap": Infinity, which jq and JavaScript refuse (and
    # json.dumps(..., allow_nan=False) raised); RepresentationPID.to_dict() already gave None.
    mix = np.array([[1.0, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0.3, 1, 0, 0], [1e-8, 1.3, 1, 1e-8, 0],
                    [1, 0, 0, 0, 2]])
    result = pidkit.gaussian_pid(mix @ mix.T, (1, 3, 1), strict=False)
    assert result.gap == math.inf and result.status == "failed"
    record = json.loads(json.dumps(result.to_dict(include_q=True), allow_nan=False))
    assert record["gap"] is None and record["status"] == "failed" and record["success"] is False
    assert record["uni_s"] == pytest.approx(0.16096404744368117) and len(record["q"]) == 5


def test_a_nan_atom_is_null_in_json():
    info = pidkit.measures.informations_nats(pidkit.examples.and_())
    result = result_from_redundancy(
        info, math.nan, problem="joint 2x2x2", units="bits", measure="test", method="test",
        status=_status.OPTIMAL, message="solved", strict=False,
    )
    record = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert [record[k] for k in ("red", "uni_t", "uni_s", "syn")] == [None] * 4
    assert record["i_yts"] == pytest.approx(0.8112781244591328)


def test_a_result_alone_shows_its_table_and_in_a_batch_one_line():
    # A batch of 2,000 results displayed 1,000 eight-line tables (IPython's list limit).
    results = pidkit.bertschinger_batch([pidkit.examples.and_()] * 3, progress=False)
    show = PlainTextFormatter()
    assert show(results[0]) == repr(results[0])
    lines = show(results).splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("[" + AND_LINE) and lines[1].startswith(" " + AND_LINE)
    assert show({"and": results[0]}).startswith("{'and': " + AND_LINE)


def test_an_estimate_alone_shows_its_table_and_in_a_list_one_line(estimate):
    show = PlainTextFormatter()
    assert show(estimate) == repr(estimate)
    assert show([estimate]) == (
        "[RepresentationPID(measure='broja', units='bits', status='optimal', "
        f"red={estimate.red:.6g}, uni_t={estimate.uni_t:.6g}, uni_s={estimate.uni_s:.6g}, "
        f"syn={estimate.syn:.6g}, n=500)]"
    )


@pytest.mark.parametrize("guess, field", [
    ("redundnacy", "red"), ("redundancy", "red"), ("synergy", "syn"), ("uni_T", "uni_t"),
    ("unique_s", "uni_s"), ("succes", "success"),
])
def test_a_misspelt_or_spelt_out_attribute_names_the_one_meant(guess, field):
    result = pidkit.bertschinger(pidkit.examples.and_())
    with pytest.raises(AttributeError, match=rf"no attribute '{guess}'\. Did you mean '{field}'\? "
                                             "Its numbers are the atoms red, uni_t"):
        getattr(result, guess)


def test_an_estimate_names_the_attribute_meant(estimate):
    with pytest.raises(AttributeError, match=r"'RepresentationPID' object has no attribute "
                                             r"'synergy'\. Did you mean 'syn'\?"):
        estimate.synergy  # noqa: B018


@dataclasses.dataclass(frozen=True, eq=False)
class _WithTotal(pidkit.PIDResult):
    """A user's subclass whose property reads a misspelt name."""

    @property
    def total(self) -> float:
        return self.red + self.synergy


def test_a_property_that_fails_gives_its_own_error_not_a_guess_at_its_name():
    # Python calls __getattr__("total") when the property raises AttributeError itself: it said
    # "no attribute 'total'. Did you mean 'total'?", hiding the misspelt 'synergy' inside.
    result = pidkit.bertschinger(pidkit.examples.and_())
    mine = _WithTotal(**{f.name: getattr(result, f.name) for f in dataclasses.fields(result)})
    with pytest.raises(AttributeError, match=r"^'_WithTotal' object has no attribute 'synergy'\. "
                                             r"Did you mean 'syn'\?"):
        mine.total  # noqa: B018


def test_a_field_never_set_is_the_plain_error_not_did_you_mean_itself():
    # An instance not made by __init__ (object.__new__, as a copier or an old pickle can leave
    # it) said "no attribute 'red'. Did you mean 'red'?".
    with pytest.raises(AttributeError, match=r"^'PIDResult' object has no attribute 'red'$"):
        object.__new__(pidkit.PIDResult).red  # noqa: B018


def test_missing_attributes_keep_pickle_copy_and_getattr_defaults():
    result = pidkit.bertschinger(pidkit.examples.and_())
    assert getattr(result, "no_such_field", 7) == 7 and not hasattr(result, "_repr_html_")
    with pytest.raises(AttributeError, match=r"^'PIDResult' object has no attribute '_x'$"):
        result._x  # noqa: B018
    for twin in (pickle.loads(pickle.dumps(result)), copy.deepcopy(result)):
        assert twin.red == result.red and np.array_equal(twin.q, result.q)


def test_an_estimate_says_whether_its_solve_is_certified_like_a_pid_result(estimate):
    # RepresentationPID had status and units but no success or measure, which PIDResult has.
    assert estimate.success is True and estimate.measure == "broja"
    record = estimate.to_dict()
    assert record["success"] is True and record["measure"] == "broja"


def test_an_estimate_with_date_labels_is_json_with_the_dates_as_text():
    rng = np.random.default_rng(0)
    days = np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[ns]")
    codes = rng.integers(0, 2, 300)
    t = 4.0 * codes[:, None] + rng.normal(size=(300, 3))
    res = pid_from_representations(days[codes], t, rng.normal(size=(300, 3)), n_clusters=2,
                                   n_components=2, normalize=None, bias_correction="none")
    record = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    # nanosecond times were plain integers (1577836800000000000), dates of Python a TypeError
    assert record["labels"]["y"] == ["2020-01-01T00:00:00.000000000", "2020-01-02T00:00:00.000000000"]
