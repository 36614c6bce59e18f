"""``pidkit.batch.to_frame``: a pandas table of results whose numbers are float64 columns.

``pd.DataFrame([r.to_dict() for r in results])`` reads strict-JSON records, where a missing or
infinite number is ``None``: a batch whose gaps were all ``None`` (every solve failed) gave an
object column of ``None``, and so did the iterations of closed-form solves.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import pidkit
from pidkit.batch import NUMBER_COLUMNS, to_frame

pd = pytest.importorskip("pandas")


def _batch():
    return pidkit.bertschinger_batch([pidkit.examples.and_(), pidkit.examples.xor(), pidkit.examples.rdn()])


def test_a_batch_whose_gaps_are_all_missing_has_a_float64_gap_column():
    failed = [dataclasses.replace(r, status="failed", gap=math.inf) for r in _batch()]
    assert pd.DataFrame([r.to_dict() for r in failed])["gap"].dtype == object  # the JSON records'
    frame = to_frame(failed)
    assert frame["gap"].dtype == np.float64
    assert frame["gap"].tolist() == [math.inf] * 3
    nan_gaps = to_frame([dataclasses.replace(r, gap=math.nan) for r in failed])
    assert nan_gaps["gap"].dtype == np.float64 and nan_gaps["gap"].isna().all()


def test_iterations_of_closed_form_solves_are_a_float64_column_of_nan():
    closed_form = [pidkit.pid(p, measure="mmi") for p in (pidkit.examples.and_(), pidkit.examples.xor())]
    assert [r.nit for r in closed_form] == [None, None]
    frame = to_frame(closed_form)
    assert frame["nit"].dtype == np.float64 and frame["nit"].isna().all()
    assert frame["syn"].tolist() == pytest.approx([r.syn for r in closed_form])


def test_the_rest_of_the_frame_is_the_records_of_to_dict():
    results = _batch()
    frame = to_frame(results)
    records = pd.DataFrame([r.to_dict() for r in results])
    assert frame.columns.tolist() == records.columns.tolist()
    # nothing missing: the same table, but nit is float64 here where pandas makes it int64
    assert records["nit"].dtype == np.int64 and frame["nit"].dtype == np.float64
    pd.testing.assert_frame_equal(frame, records.astype({"nit": np.float64}))
    assert frame["status"].tolist() == ["optimal"] * 3


def test_estimates_become_a_frame_with_float64_numbers():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    runs = [pidkit.estimate.pid_from_representations(y, y, rng.integers(0, 2, 200)) for _ in range(2)]
    frame = to_frame(runs)
    assert frame["n_samples"].tolist() == [200, 200] and frame["n_samples"].dtype == np.float64
    assert frame["red"].dtype == np.float64
    assert frame["red"].tolist() == [run.red for run in runs]


@pytest.mark.parametrize(("results", "match"), [
    (lambda: pidkit.pid(pidkit.examples.xor()),
     r"^results must be an iterable of results \(a list of PIDResult, \.\.\.\); got PIDResult\. For one "
     r"result pass \[result\]\.$"),
    (lambda: 3, r"^results must be an iterable of results .*; got int\."),
    (lambda: [pidkit.pid(pidkit.examples.xor()), {"red": 0.0}],
     r"^results\[1\] is a dict, not a result with to_dict\(\) \(a PIDResult or RepresentationPID\)"),
])
def test_what_is_not_a_list_of_results_is_named(results, match):
    with pytest.raises(TypeError, match=match):
        to_frame(results())


def test_the_keys_of_a_dict_or_the_index_of_a_series_of_results_are_the_index():
    # a pandas Series of results was refused as "one result" (it has to_dict), and a dict was
    # read as its keys: "results[0] is a str"
    results = dict(zip(["and", "xor", "rdn"], _batch(), strict=True))
    for given in (results, pd.Series(results)):
        frame = pidkit.to_frame(given)
        assert frame.index.tolist() == ["and", "xor", "rdn"]
        assert frame["syn"].round(6).tolist() == [0.5, 1.0, 0.0]
        assert frame["nit"].dtype == np.float64
    with pytest.raises(TypeError, match=r"^results\['xor'\] is a float, not a result with to_dict\(\)"):
        pidkit.to_frame({"and": results["and"], "xor": 1.0})
    assert pidkit.to_frame is to_frame and "to_frame" in pidkit.__all__


def test_no_results_give_the_columns_a_filter_needs():
    # pd.DataFrame([]) had no columns, so frame[frame.success] on an empty sweep raised KeyError
    empty = pidkit.to_frame([])
    one = pidkit.to_frame([pidkit.pid(pidkit.examples.xor())])
    assert empty.columns.tolist() == one.columns.tolist()
    assert empty[empty.success].shape == (0, len(one.columns))
    assert {column: str(empty[column].dtype) for column in ("red", "gap", "nit", "success", "status")} \
        == {"red": "float64", "gap": "float64", "nit": "float64", "success": "bool", "status": "object"}


def test_a_number_column_is_float64_whichever_results_the_frame_holds():
    # nit was int64 in a frame of BROJA results and float64 once a closed-form result (nit None)
    # joined them: docs/index.md says every number is a float64 column.
    broja = pidkit.bertschinger(pidkit.examples.and_())
    closed_form = pidkit.pid(pidkit.examples.and_(), measure="mmi")
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    estimate = pidkit.estimate.pid_from_representations(y, y, rng.integers(0, 2, 200))
    for results in ([broja], [broja, closed_form], [closed_form], [estimate], [estimate, broja], []):
        frame = to_frame(results)
        dtypes = {column: str(frame[column].dtype) for column in NUMBER_COLUMNS if column in frame}
        assert set(dtypes.values()) == {"float64"}, dtypes
    assert to_frame([broja, closed_form])["nit"].tolist()[0] == broja.nit
    assert np.isnan(to_frame([broja, closed_form])["nit"].tolist()[1])
