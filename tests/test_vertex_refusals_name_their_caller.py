"""A joint refused by measure='gh' or 'prec' for its size names what the caller who met it can
change, never ``max_vertices=None`` where the caller takes no such option: Theorem 4.1's check
names ``sizes`` (``--sizes`` from the command line, the same text otherwise), and a bootstrap
replicate or a subsample of the bias correction, whose polytope can be larger than the full
sample's, is named as such, through a joblib worker too."""

import functools
import importlib.util
import re

import numpy as np
import pytest

import pidkit
from pidkit import joint_from_samples
from pidkit.cli import main
from pidkit.estimate import PIDStatistic, bootstrap, correct_counts, pid_from_representations
from pidkit.redundancy.vertex_limit import TooManyVertices
from pidkit.resampling import bootstrap_replicates

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("cdd") is None, reason="pycddlib (the exact extra) is not installed"
)

LARGE_4_1 = {"n": 1, "sizes": (4, 4, 4), "random_state": 0}
"""One random 4x4x4 joint: McMullen's bound on I_GH's polytope is far above pidkit's 300,000."""


def _theorem_refusal(**settings) -> str:
    with pytest.raises(TooManyVertices) as raised:
        pidkit.check_theorem_4_1(**settings)
    message = str(raised.value)
    assert message.startswith("measure='gh' on this 4x4x4 joint: the polytope of I_GH has ")
    assert "more than pidkit's limit of 300,000; a random 3x3x3 joint" in message
    assert "max_vertices=None" not in message and "Use measure=" not in message  # the check fixes them
    return message


def test_check_theorem_4_1_names_sizes():
    assert _theorem_refusal(**LARGE_4_1).endswith(
        "more than ten minutes. Theorem 4.1 compares every measure of its chain, gh and prec among them, "
        "on each joint and takes no max_vertices: pass smaller sizes, such as the default sizes=(2, 2, 3).")


def test_check_theorem_4_1_names_the_given_joint():
    joint = np.random.default_rng(1).dirichlet(np.ones(64)).reshape(4, 4, 4)
    assert _theorem_refusal(joints=[np.full((2, 2, 2), 1 / 8), joint]).endswith(
        "takes no max_vertices: merge rare symbols of joints[1].")


@pytest.mark.parametrize("which", ["theorem-4.1", "all"])
def test_the_command_line_says_the_same_with_sizes_spelled_as_its_option(which, capsys):
    python = _theorem_refusal(**LARGE_4_1)
    assert main(["check", which, "--sizes", "4,4,4", "--n", "1"]) == 2
    cli = python.replace("takes no max_vertices: pass smaller sizes, such as the default sizes=(2, 2, 3).",
                         "takes no --max-vertices: pass smaller sizes, such as the default --sizes 2,2,3.")
    cli = cli.replace("measure='gh' on", "measure gh on", 1)  # not --measure: check's is Theorem 3.1's
    assert cli != python and "max_vertices" not in cli and "measure=" not in cli
    assert capsys.readouterr().err == f"pidkit check: error: {cli}\n"


@pytest.fixture(scope="module")
def counts():
    """A 3x4x4 sample whose teacher values 0, 1 (and 2, 3) have proportional slices: I_GH merges
    them, so the full sample's polytope is small; a resample tells them apart (bound ~10^8)."""
    rng = np.random.default_rng(0)
    a, b = rng.integers(1, 6, (3, 1, 4)), rng.integers(1, 6, (3, 1, 4))
    return np.concatenate([a, 2 * a, b, 2 * b], axis=1)


@pytest.fixture(scope="module")
def samples(counts):
    return tuple(np.repeat(axis, counts.ravel()) for axis in np.indices(counts.shape).reshape(3, -1))


def test_the_full_sample_passes(counts, samples):
    assert joint_from_samples(*samples).counts.tolist() == counts.tolist()
    assert pidkit.pid(counts / counts.sum(), measure="gh").red == pytest.approx(0.0071169, abs=1e-6)


def _resample_refusal(call, resample: str) -> TooManyVertices:
    with pytest.raises(TooManyVertices) as raised:
        call()
    message = str(raised.value)
    found = re.match(rf"measure='gh' on ({resample}) \(a 3x4x4 resample of the sample\): the polytope of "
                     r"I_GH has \d+ facets in dimension \d+, so up to [\d,]+ vertices", message)
    assert found, message
    assert raised.value.resample == found[1]
    assert ("more than pidkit's limit of 300,000 (a resample can tell apart values of a source whose "
            "conditionals are equal in the full sample, which pidkit merges, so its polytope can be larger "
            "than the full sample's; fewer resamples would not help); a random 3x3x3 joint") in message
    assert "max_vertices" not in message
    return raised.value


@pytest.mark.parametrize("n_jobs", [1, 2])  # 16 replicates are two chunks: 2 runs them in workers
def test_bootstrap_names_the_replicate_and_merging_t_and_s(samples, n_jobs):
    refusal = _resample_refusal(lambda: bootstrap(*samples, n_boot=16, measure="gh", n_jobs=n_jobs),
                                "bootstrap replicate (?:0|8)")
    assert str(refusal).endswith(", or merge rare values of t and s.")


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_bootstrap_replicates_of_a_statistic_names_the_replicate_and_the_counts_axes(
    counts, n_jobs, monkeypatch
):
    monkeypatch.setattr("pidkit.parallel.SERIAL_SECONDS", 0.0)  # to workers, however small the work
    statistic = PIDStatistic(counts, measure="gh")
    refusal = _resample_refusal(lambda: bootstrap_replicates(statistic, 16, n_jobs=n_jobs),
                                "bootstrap replicate (?:0|8)")
    assert str(refusal).endswith(", or merge rare teacher and student values (axes 1 and 2 of counts).")
    assert (type(refusal.__cause__).__name__ == "_RemoteTraceback") == (n_jobs == 2)  # from a worker


def test_correct_counts_names_the_subsample(counts):
    refusal = _resample_refusal(lambda: correct_counts(counts, measure="gh"),
                                "a bias-correction subsample of 115 samples")
    assert str(refusal).endswith(", or merge rare teacher and student values (axes 1 and 2 of counts).")


@pytest.mark.filterwarnings("ignore:the expected plug-in bias")  # of the plug-in, bias_correction='none'
@pytest.mark.parametrize(("bias_correction", "resample"), [
    ("none", "bootstrap replicate 0"),
    ("extrapolation", "a bias-correction subsample of 115 samples"),
])
def test_pid_from_representations_names_the_resample_and_fewer_values(samples, bias_correction, resample):
    call = functools.partial(pid_from_representations, *samples, measure="gh",
                             bias_correction=bias_correction, bootstrap=4, n_jobs=1)
    assert str(_resample_refusal(call, resample)).endswith(
        ", or fewer values per source (here 4 for t_features, 4 for s_features): a smaller n_clusters for "
        "clustered features, rare labels merged.")
