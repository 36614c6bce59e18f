"""The two spellings of the Gaussian bias correction point at each other:
``gaussian_pid_from_samples(bias_correction=True/False)`` and
``pid_from_representations(bias_correction="auto"/"wishart"/"none")``. A user who read one page and
wrote the other's got a bare "must be True or False" or "got True" with no way across."""

import numpy as np
import pytest

import pidkit
from pidkit.gaussian import estimate_from_covariance


def _samples():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    t = rng.normal(size=(3, 4))[y] + rng.normal(size=(300, 4))
    return y, t, rng.normal(size=(300, 3))


@pytest.mark.parametrize("name", ["wishart", "none", "auto"])
def test_a_named_correction_in_gaussian_pid_from_samples_is_told_its_bool(name):
    y, t, s = _samples()
    expected = (
        f"bias_correction must be True or False; got '{name}' (str). The names 'auto', 'wishart' and "
        "'none' are those of pidkit.estimate.pid_from_representations(..., estimator='gaussian'); here "
        "pass True for the Wishart correction ('auto', 'wishart') or False for the plug-in ('none')."
    )
    with pytest.raises(TypeError) as caught:
        pidkit.gaussian_pid_from_samples(np.eye(3)[y][:, 1:], t, s, bias_correction=name, bootstrap=5)
    assert str(caught.value) == expected
    with pytest.raises(TypeError) as caught:
        estimate_from_covariance(np.eye(3), (1, 1, 1), n_samples=100, bias_correction=name)
    assert str(caught.value) == expected


@pytest.mark.parametrize(
    ("estimator", "default"), [("gaussian", "wishart"), ("discrete", "eb-extrapolation-kink")]
)
@pytest.mark.parametrize("flag", [True, False, np.True_])
def test_a_bool_in_pid_from_representations_is_told_the_names(estimator, default, flag):
    from pidkit.estimate import pid_from_representations

    y, t, s = _samples()
    with pytest.raises(ValueError) as caught:
        pid_from_representations(y, t, s, estimator=estimator, bias_correction=flag)
    assert str(caught.value).endswith(
        f"got {flag!r}. True and False are pidkit.gaussian_pid_from_samples' switch; here pass 'auto' "
        f"(the default, '{default}') for the correction, or 'none' for the plug-in."
    )


@pytest.mark.parametrize("estimator", ["gaussian", "discrete"])
def test_none_in_pid_from_representations_is_told_the_string(estimator):
    from pidkit.estimate import pid_from_representations

    y, t, s = _samples()
    with pytest.raises(ValueError) as caught:
        pid_from_representations(y, t, s, estimator=estimator, bias_correction=None)
    assert str(caught.value).endswith("got None. For no correction (the plug-in) pass the string 'none'.")
