"""A Gaussian PID estimate answers the names a notebook user brings from
:class:`~pidkit.estimate.RepresentationPID` (``intervals``, ``plugin``), and an attribute that is
one of its ``diagnostics`` is pointed there, where it said only "no attribute"."""

import dataclasses

import numpy as np
import pytest

import pidkit


def _samples():
    rng = np.random.default_rng(0)
    y = rng.standard_normal(300)
    return y, y + rng.standard_normal(300), rng.standard_normal(300)


def test_intervals_and_plugin_read_the_diagnostics():
    r = pidkit.gaussian_pid_from_samples(*_samples(), bootstrap=5, progress=False)
    assert r.intervals is r.diagnostics["intervals"] and set(r.intervals) == set(r.diagnostics["plug_in"])
    assert r.plugin is r.diagnostics["plug_in"]
    assert r.plugin["i_yt"] - r.i_yt == pytest.approx(r.diagnostics["biases"]["i_yt"], abs=1e-12)


def test_without_bootstrap_or_correction_they_are_what_a_representation_pid_gives():
    r = pidkit.gaussian_pid_from_samples(*_samples(), bias_correction=False)
    assert r.intervals is None                            # as RepresentationPID without bootstrap=
    assert r.plugin == {q: getattr(r, q) for q in ("red", "uni_t", "uni_s", "syn", "i_yt", "i_ys", "i_yts")}
    bare = dataclasses.replace(r, diagnostics={})
    assert bare.plugin is None and bare.intervals is None


@pytest.mark.parametrize("name", ["biases", "ranks", "bootstrap"])
def test_a_diagnostic_asked_for_as_an_attribute_is_pointed_to_diagnostics(name):
    r = pidkit.gaussian_pid_from_samples(*_samples(), bootstrap=3, progress=False)
    with pytest.raises(AttributeError) as caught:
        getattr(r, name)
    assert str(caught.value).startswith(
        f"'GaussianPIDEstimate' object has no attribute '{name}'. It is a diagnostic: "
        f".diagnostics['{name}']. Its numbers are the atoms"
    )
    exact = pidkit.gaussian_pid(np.eye(3), (1, 1, 1))
    with pytest.raises(AttributeError, match=r"^'PIDResult' object has no attribute 'sigma'\. It is a "
                                             r"diagnostic: \.diagnostics\['sigma'\]\. "):
        _ = exact.sigma
