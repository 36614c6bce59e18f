"""Gaussian PID: the Bertschinger decomposition of jointly Gaussian (Y, T, S), in closed form.

One job per file: :mod:`~pidkit.gaussian.reduce` (covariance -> whitened informative channels),
:mod:`~pidkit.gaussian.program` (the union-information program, its value and Lagrange-dual gap),
:mod:`~pidkit.gaussian.closed_form` (the native method: the optimum in closed form, certified),
:mod:`~pidkit.gaussian.cvxpy_reference` (the log-det SDP reference), :mod:`~pidkit.gaussian.pid`
(``gaussian_pid``), :mod:`~pidkit.gaussian.samples` (estimates from samples, bias-corrected),
:mod:`~pidkit.gaussian.sample_inputs` (the samples read and paired, with errors that say how to pass
them), :mod:`~pidkit.gaussian.estimate_result` (the result of an estimate, whose ``repr`` says so),
:mod:`~pidkit.gaussian.sample_notes` (the notes of that ``repr``: few samples, failed replicates, no
intervals) and :mod:`~pidkit.gaussian.bias` (the exact plug-in bias of log-determinants, the channel
correction). :mod:`~pidkit.gaussian.examples` (systems whose decomposition is known exactly) is an
attribute after ``import pidkit``, as :mod:`pidkit.examples` is, but stays out of ``__all__``: its
functions are described in docs/gaussian.md ("Systems with known answers"), not as this package's.
"""

from . import examples as examples  # an attribute, as pidkit.examples is
from .bias import information_bias, log_det_bias
from .estimate_result import GaussianPIDEstimate
from .pid import DEFAULT_TOL_BITS, gaussian_pid
from .samples import estimate_from_covariance, gaussian_pid_from_samples

__all__ = [
    "DEFAULT_TOL_BITS",
    "GaussianPIDEstimate",
    "estimate_from_covariance",
    "gaussian_pid",
    "gaussian_pid_from_samples",
    "information_bias",
    "log_det_bias",
]
