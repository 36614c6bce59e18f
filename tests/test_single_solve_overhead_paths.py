"""The shortcuts of a single solve outside the interior-point loop give the general paths' answers
and refusals to the bit (t-481): check_joint on a valid float64 array, the Reduction of a joint
whose every cell has mass, informations_nats on a grid without zeros, result_from_redundancy's
conversion of units, and the blas_threads block."""

import math
import threading

import numpy as np
import pytest
from scipy.special import entr
from scipy.stats import entropy as scipy_entropy

import pidkit
from pidkit import _blas
from pidkit._blas import blas_threads
from pidkit._result import result_from_redundancy
from pidkit._units import from_nats
from pidkit._validate import check_joint, check_pmf
from pidkit.broja import reduction
from pidkit.broja.reduction import Reduction
from pidkit.measures import entropy_nats, informations_nats

TOL_NATS = 1e-9 * math.log(2)


def _random_joint(shape, seed, concentration=1.0):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.full(int(np.prod(shape)), concentration)).reshape(shape)


def _valid_float64_joints():
    full = _random_joint((10, 10, 10), 0)
    with_zeros = _random_joint((3, 4, 5), 1)
    with_zeros[0, 1] = 0.0
    with_zeros /= with_zeros.sum()
    minus_zero = np.full((2, 2, 2), 0.125)
    minus_zero[1, 0, 1] = -0.0
    minus_zero[1, 1, 1] = 0.25
    return {
        "10x10x10": full,
        "with zeros": with_zeros,
        "fortran order": np.asfortranarray(_random_joint((2, 3, 4), 2)),
        "a transposed view": full.transpose(2, 0, 1),
        "minus zero": minus_zero,
        "total 1 + 5e-10": np.full((2, 2, 2), (1 + 5e-10) / 8),
        "total 1 - 5e-10": np.full((2, 2, 2), (1 - 5e-10) / 8),
        "one cell": np.ones((1, 1, 1)),
        "big-endian": np.full((2, 2, 2), 0.125).astype(">f8"),
    }


@pytest.mark.parametrize("joint", _valid_float64_joints().values(), ids=_valid_float64_joints())
def test_a_valid_float64_joint_is_checked_to_the_bit_as_check_pmf_checks_it(joint):
    out = check_joint(joint)
    general = check_pmf(joint, name="p_yts", joint=True)
    assert out.dtype == np.float64 and out.shape == joint.shape
    assert np.array_equal(out, general) and out.strides == general.strides
    assert np.array_equal(np.signbit(out), np.signbit(general))  # -0.0 stays -0.0
    assert not np.shares_memory(out, joint)  # a copy: the caller's array is never touched
    np.testing.assert_array_equal(out, joint / joint.sum())  # masses divided by their float total


def _with_cells(values):
    """A 2x2x2 joint of masses 1/8 but for the cells ``values`` gives ({index: mass})."""
    p = np.full((2, 2, 2), 0.125)
    for index, value in values.items():
        p[index] = value
    return p


def _with_cell(value, index=(1, 1, 1)):
    return _with_cells({index: value})


NAN_AT_001 = "p_yts contains NaN at index (0, 0, 1); masses must be finite."
NEGATIVE = "p_yts has negative mass: -0.125 at index (1, 1, 1) (the only negative cell"
OFF_BY_02 = "p_yts sums to 0.8 (off by 0.2), not 1 (allowed: within 1e-09)."
INFINITY_AT_000 = "p_yts contains infinity at index (0, 0, 0)"  # inf and -inf: their sum is NaN
NOT_A_FLAG = "normalize must be True or False; got {} ({})."


@pytest.mark.filterwarnings("error")  # no overflow or invalid-value warning from summing first
@pytest.mark.parametrize(("joint", "options", "error", "words"), [
    (_with_cell(np.nan, (0, 0, 1)), {}, ValueError, NAN_AT_001),
    (_with_cell(np.inf), {}, ValueError, "p_yts contains infinity at index (1, 1, 1)"),
    (_with_cell(np.inf, (0, 0, 0)) - _with_cell(np.inf), {}, ValueError, INFINITY_AT_000),
    (_with_cells({(1, 1, 1): -0.125, (0, 0, 0): 0.375}), {}, ValueError, NEGATIVE),  # total 1
    (np.full((2, 2, 2), 0.1), {}, ValueError, OFF_BY_02),
    (np.full((2, 2, 2), (1 + 2e-9) / 8), {}, ValueError, "not 1 (allowed: within 1e-09)."),
    (np.zeros((2, 2, 2)), {}, ValueError, "p_yts has total mass 0"),
    (np.full((2, 2, 2), 1e308), {}, ValueError, "p_yts sums to about 10**308.9, not 1"),
    (np.zeros((2, 0, 2)), {}, ValueError, "p_yts has an empty axis (shape (2, 0, 2))"),
    (np.full((2, 2), 0.25), {}, ValueError, "p_yts must be a 3-D array indexed p_yts[y, t, s]"),
    (np.full((2, 2, 2), 0.125), {"normalize": "no"}, TypeError, NOT_A_FLAG.format("'no'", "str")),
    (np.full((2, 2, 2), 0.125), {"normalize": 0}, TypeError, NOT_A_FLAG.format(0, "int")),
], ids=["nan", "inf", "inf and -inf", "negative", "sum 0.8", "sum 1 + 2e-9", "all zero", "overflowing total",
        "empty axis", "2-D", "normalize text", "normalize 0"])
def test_a_float64_array_is_refused_in_the_words_of_the_general_path(joint, options, error, words):
    with pytest.raises(error) as from_array:
        check_joint(joint, **options)
    with pytest.raises(error) as general:  # a masked array with nothing masked takes the general path
        check_joint(np.ma.MaskedArray(joint), **options)
    assert words in str(from_array.value)
    assert str(from_array.value) == str(general.value)


def test_a_negative_within_rounding_is_read_as_zero_as_before():
    p = np.zeros((2, 2, 2))
    p[0, 0, 0] = p[0, 1, 1] = 0.5
    p[1, 1, 1] = -2e-17  # a cell set to 1 - the rest: below 16 ulps of the total
    out = check_joint(p)
    assert out[1, 1, 1] == 0.0 and not np.signbit(out[1, 1, 1])
    assert np.array_equal(out, check_joint(np.ma.MaskedArray(p)))


def test_normalize_true_rescales_a_float64_array_as_it_rescales_lists():
    counts = np.arange(1.0, 9.0).reshape(2, 2, 2)
    out = check_joint(counts, normalize=True)
    assert np.array_equal(out, check_joint(counts.tolist(), normalize=True))
    assert np.array_equal(out, counts / 36.0)


def _full_support_joints():
    return {"2x2x2": _random_joint((2, 2, 2), 3), "3x4x5": _random_joint((3, 4, 5), 3),
            "10x10x10": _random_joint((10, 10, 10), 3), "one teacher symbol": _random_joint((4, 1, 3), 3),
            "mass 0.5": 0.5 * _random_joint((3, 3, 3), 3),
            "uniform, mass exactly 1": np.full((2, 2, 2), 0.125)}


@pytest.mark.parametrize("p", _full_support_joints().values(), ids=_full_support_joints())
def test_a_joint_whose_every_cell_has_mass_is_the_part_the_general_reduction_finds(p, monkeypatch):
    fast = Reduction(p, tol_nats=TOL_NATS)
    monkeypatch.setattr(reduction, "_GRID_SCAN_CELLS", 0)  # no grid counts as small: the general path
    general = Reduction(p, tol_nats=TOL_NATS)
    assert fast.set_aside is None and general.set_aside is None
    (part,), (reference,) = fast.parts, general.parts
    assert np.array_equal(part.p, reference.p) and part.mass == reference.mass == float(p.sum())
    symbols = zip((part.y, part.t, part.s), (reference.y, reference.t, reference.s), p.shape, strict=True)
    for mine, theirs, n in symbols:
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs)
        assert np.array_equal(mine, np.arange(n))
    assert part.cells is None and reference.cells is None
    assert part.closed == (min(p.shape) == 1)
    assert (part.p is p) == (reference.p is p) == (float(p.sum()) == 1.0)  # mass 1: the joint itself


def test_a_cell_below_the_documented_cut_is_still_set_aside_and_one_at_it_is_not():
    p = _random_joint((3, 3, 3), 4)
    cut = TOL_NATS * 1e-4 / (150 * p.size)  # the module's documented tol * 1e-4 / (150 n)
    at_cut, below = p.copy(), p.copy()
    at_cut[2, 1, 0], below[2, 1, 0] = cut, cut / 2
    assert Reduction(at_cut, tol_nats=TOL_NATS).set_aside is None
    cells = Reduction(below, tol_nats=TOL_NATS).set_aside
    assert [tuple(int(c[0]) for c in cells)] == [(2, 1, 0)] and all(c.size == 1 for c in cells)


def _informations_from_the_support(p):
    """informations_nats' dense formula written out, H(Y,T,S) over the support p[p > 0]."""
    p_yt, p_ys, p_ts = p.sum(axis=2), p.sum(axis=1), p.sum(axis=0)
    h_y = entropy_nats(p_yt.sum(axis=1))
    h_t, h_s = entropy_nats(p_yt.sum(axis=0)), entropy_nats(p_ys.sum(axis=0))
    return (h_y, max(h_y + h_t - entropy_nats(p_yt), 0.0), max(h_y + h_s - entropy_nats(p_ys), 0.0),
            max(h_y + entropy_nats(p_ts) - max(float(entr(p[p > 0]).sum()), 0.0), 0.0))


@pytest.mark.parametrize("shape", [(2, 2, 2), (3, 3, 3), (10, 10, 10), (5, 7, 11), (40, 40, 40)])
def test_informations_of_a_grid_without_zeros_are_the_support_sums_to_the_bit(shape):
    p = _random_joint(shape, 5, concentration=0.3)
    assert np.count_nonzero(p) == p.size
    info = informations_nats(p)
    assert tuple(info) == _informations_from_the_support(p)

    def h(x):
        return scipy_entropy(x.reshape(-1))  # an independent reference, in nats
    p_y, p_t, p_s = p.sum(axis=(1, 2)), p.sum(axis=(0, 2)), p.sum(axis=(0, 1))
    expected = (h(p_y), h(p_y) + h(p_t) - h(p.sum(axis=2)), h(p_y) + h(p_s) - h(p.sum(axis=1)),
                h(p_y) + h(p.sum(axis=0)) - h(p))
    assert tuple(info) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    fortran = np.asfortranarray(p)  # its own memory order: summed as p[p > 0] is, in C order
    assert tuple(informations_nats(fortran)) == _informations_from_the_support(fortran)


@pytest.mark.parametrize("units", ["bits", "nats"])
def test_result_numbers_are_from_nats_of_the_nats_given(units):
    info = (1.3, 0.41, 0.27, 0.9)
    red = 0.2
    r = result_from_redundancy(info, red, problem="joint 2x2x2", units=units, measure="broja",
                               status="optimal", message="m", method="native", gap_nats=3e-12)
    expected = {"red": red, "uni_t": info[1] - red, "uni_s": info[2] - red,
                "syn": info[3] - red - (info[1] - red) - (info[2] - red),
                "i_yt": info[1], "i_ys": info[2], "i_yts": info[3], "gap": 3e-12}
    assert {key: getattr(r, key) for key in expected} == {k: from_nats(v, units) for k, v in expected.items()}
    snapped = result_from_redundancy(info, 0.41 - 5e-10, problem="joint 2x2x2", units=units, measure="broja",
                                     status="optimal", message="m", method="native")
    assert snapped.uni_t == 0.0  # within 1e-9 bits of 0 (3.5e-10 bits): exactly 0
    with pytest.raises(ValueError, match=r"^units must be 'bits' or 'nats'; got 'furlongs'\.$"):
        result_from_redundancy(info, red, problem="joint 2x2x2", units="furlongs", measure="broja",
                               status="optimal", message="m", method="native")


class _Controller:
    """A BLAS controller that logs every count set, and its class every release of control."""

    releases = 0

    def __init__(self, num_threads):
        self.num_threads = num_threads
        self.calls = []

    def set_num_threads(self, num_threads):
        self.calls.append(num_threads)
        self.num_threads = num_threads

    @classmethod
    def clear_controlling_thread(cls):
        cls.releases += 1


@pytest.fixture
def controller(monkeypatch):
    lib = _Controller(4)
    monkeypatch.setattr(_Controller, "releases", 0)
    monkeypatch.setattr(_blas, "_blas_libraries", lambda: (lib,))
    return lib


def test_a_block_whose_limit_holds_sets_nothing_and_releases_nothing(controller):
    with blas_threads(4):
        assert controller.num_threads == 4
    assert controller.calls == [] and _Controller.releases == 0


def test_a_block_sets_restores_and_releases_control_once_even_when_its_body_raises(controller):
    with pytest.raises(KeyError, match="inside"), blas_threads(1):
        assert controller.num_threads == 1
        raise KeyError("inside")
    assert controller.calls == [1, 4] and controller.num_threads == 4
    assert _Controller.releases == 1
    with blas_threads(1), blas_threads(2):  # nested: the inner block restores the outer's count
        assert controller.num_threads == 2
    assert controller.calls == [1, 4, 1, 2, 1, 4] and _Controller.releases == 2


def test_blocks_of_another_thread_meanwhile_change_nothing(controller):
    inside, done = threading.Event(), threading.Event()
    seen = []

    def other():
        inside.wait(30)
        with blas_threads(3):
            seen.append(controller.num_threads)
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with blas_threads(1):
        inside.set()
        assert done.wait(30)
    thread.join(30)
    assert seen == [1] and controller.calls == [1, 4]


@pytest.mark.parametrize(("shape", "count"), [((10, 10, 10), 20), ((3, 3, 3), 20), ((2, 2, 2), 20)])
def test_bertschinger_answers_are_the_general_paths_to_the_bit(shape, count, monkeypatch):
    rng = np.random.default_rng(0)
    joints = [rng.dirichlet(np.ones(int(np.prod(shape)))).reshape(shape) for _ in range(count)]
    fast = [pidkit.bertschinger(p) for p in joints]
    monkeypatch.setattr(reduction, "_GRID_SCAN_CELLS", 0)
    general = [pidkit.bertschinger(p.tolist()) for p in joints]  # lists: check_joint's general path
    keys = ("red", "uni_t", "uni_s", "syn", "i_yt", "i_ys", "i_yts", "gap", "status", "message", "nit")
    for mine, reference in zip(fast, general, strict=True):
        for key in keys:
            assert getattr(mine, key) == getattr(reference, key), key
        assert np.array_equal(mine.q, reference.q)
