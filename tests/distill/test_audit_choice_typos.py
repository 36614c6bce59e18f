"""A misspelt audit choice (``audit.bias_correction``, ``audit.estimator``, ...) is told the choice
it meant, as the other sections' choices are (test_choice_value_typos): ``--audit.bias_correction
eb-extrapolaton`` listed the choices with no suggestion, and ``--audit.estimator gausian`` ended with
an example of the default after it."""

from __future__ import annotations

import pytest

from pidkit_distill import ConfigValueError
from pidkit_distill.cli import main
from pidkit_distill.config import AuditConfig

ERROR = "pidkit-distill train: error: "
DISCRETE = "['auto', 'eb-extrapolation-kink', 'eb-extrapolation', 'extrapolation', 'none']"


@pytest.mark.parametrize(("args", "told"), [
    (["--audit.bias_correction", "eb-extrapolaton"],
     f"--audit.bias_correction eb-extrapolaton: config key 'audit.bias_correction' must be one of "
     f"{DISCRETE} with audit.estimator='discrete'. Did you mean 'eb-extrapolation'?"),
    (["--audit.estimator", "gausian"], "--audit.estimator gausian: config key 'audit.estimator' "
                                       "must be one of ['discrete', 'gaussian']. Did you mean "
                                       "'gaussian'?"),
    # a correction of the other estimator: it said only which corrections this one takes
    (["--audit.bias_correction", "wishart"],
     f"--audit.bias_correction wishart: config key 'audit.bias_correction' must be one of "
     f"{DISCRETE} with audit.estimator='discrete'. 'wishart' is a correction of audit.estimator "
     "'gaussian': set audit.estimator gaussian, or audit.bias_correction auto"),
    (["--audit.estimator", "gaussian", "--audit.bias_correction", "eb-extrapolation"],
     "--audit.bias_correction eb-extrapolation: config key 'audit.bias_correction' must be one of "
     "['auto', 'wishart', 'none'] with audit.estimator='gaussian'. 'eb-extrapolation' is a "
     "correction of audit.estimator 'discrete': set audit.estimator discrete, or "
     "audit.bias_correction auto"),
    # nothing close: the choices and an example, as before
    (["--audit.normalize", "zzz"], "--audit.normalize zzz: config key 'audit.normalize' must be "
                                   "one of ['l2', 'none']; e.g. --audit.normalize l2"),
])
def test_a_misspelt_audit_choice_typed_is_told_the_closest_in_one_line(capsys, args, told):
    assert main(["train", *args]) == 2
    assert capsys.readouterr() == ("", f"{ERROR}{told}\n")


def test_a_misspelt_audit_choice_from_python_is_told_the_closest():
    with pytest.raises(ConfigValueError) as refused:
        AuditConfig(bias_correction="extrapolaton").check()
    assert str(refused.value).endswith(", got 'extrapolaton'. Did you mean 'extrapolation'?")
    assert (refused.value.key, refused.value.value, refused.value.advised) == (
        "audit.bias_correction", "extrapolaton", True)
