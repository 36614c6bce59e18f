"""A Gaussian PID estimate carries its sample size where a table of results reads it:
``n_samples``, ``to_dict()["n_samples"]`` and the ``n_samples`` column of :func:`pidkit.to_frame`,
as a :class:`~pidkit.estimate.RepresentationPID` does."""

import dataclasses
import json
import pickle

import numpy as np
import pytest

import pidkit
from pidkit.gaussian import estimate_from_covariance
from pidkit.resampling import QUANTITIES

pd = pytest.importorskip("pandas")


def _samples(n):
    rng = np.random.default_rng(0)
    y = rng.normal(size=n)
    return y, y + rng.normal(size=n), y + 2 * rng.normal(size=n)


def test_to_frame_of_gaussian_estimates_has_their_sample_sizes():
    # It held n_samples only in diagnostics: the frame of a notebook's runs at several n had no
    # n_samples column, and beside a RepresentationPID the column was NaN for the Gaussian rows.
    runs = {n: pidkit.gaussian_pid_from_samples(*_samples(n)) for n in (200, 500)}
    frame = pidkit.to_frame(runs)
    assert frame["n_samples"].tolist() == [200, 500]
    assert frame["n_samples"].dtype == np.float64
    cov = np.cov(np.column_stack(_samples(300)), rowvar=False)
    exact = pidkit.gaussian_pid(cov, (1, 1, 1))          # no samples: NaN in a mixed table
    mixed = pidkit.to_frame([estimate_from_covariance(cov, (1, 1, 1), n_samples=300), exact])
    assert mixed["n_samples"].iloc[0] == 300.0 and np.isnan(mixed["n_samples"].iloc[1])


def test_n_samples_is_an_attribute_and_a_json_field_before_diagnostics():
    r = pidkit.gaussian_pid_from_samples(*_samples(500), bias_correction=False)
    assert r.n_samples == 500 and type(r.n_samples) is int
    record = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    keys = list(record)
    assert record["n_samples"] == 500
    assert keys[keys.index("nit") + 1:] == ["n_samples", "bias_correction",
                                            *(f"bias_{q}" for q in QUANTITIES), "diagnostics"]
    assert record["bias_correction"] == "none" and all(record[f"bias_{q}"] == 0.0 for q in QUANTITIES)
    assert pickle.loads(pickle.dumps(r)).n_samples == 500


def test_an_estimate_whose_diagnostics_were_replaced_has_no_sample_size():
    r = pidkit.gaussian_pid_from_samples(*_samples(100))
    bare = dataclasses.replace(r, diagnostics={})
    assert bare.n_samples is None and bare.to_dict()["n_samples"] is None
    assert bare.bias_correction is None and bare.to_dict()["bias_red"] is None


@pytest.mark.parametrize("name", ["to_frame", "to_pandas", "to_dataframe"])
def test_a_result_asked_for_its_frame_is_pointed_to_pidkit_to_frame(name):
    # pandas' Series.to_frame() habit: res.to_frame() said only "no attribute ... to_dict()"
    from pidkit.estimate import pid_from_representations

    y, t, s = _samples(300)
    labels = (y > 0).astype(int)
    results = [
        pidkit.gaussian_pid_from_samples(y, t, s),
        pidkit.gaussian_pid(np.eye(3), (1, 1, 1)),
        pid_from_representations(labels, t[:, None], s[:, None], normalize=None, n_clusters=2,
                                 bias_correction="none"),
    ]
    for result in results:
        with pytest.raises(AttributeError) as caught:
            getattr(result, name)()
        assert str(caught.value).startswith(
            f"'{type(result).__name__}' object has no attribute '{name}'. A table of results is "
            "pidkit.to_frame(results), a row per result: pidkit.to_frame([result]) for this one. "
        )
    assert pidkit.to_frame(results[:1])["n_samples"].tolist() == [300]
