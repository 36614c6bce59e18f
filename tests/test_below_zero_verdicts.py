"""below_zero_verdicts: the one rule for what a corrected value below 0 says, which the repr of a
RepresentationPID and pidkit-distill's report both read (before it, the rule was inline in the
repr, and the report called every such atom "indistinguishable from 0")."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from pidkit.below_zero import confidence_percent, fewest_replicates
from pidkit.estimate import (
    BELOW_ZERO_VERDICTS,
    OVERSHOOT_CONFIDENCE,
    below_zero_verdicts,
    pid_from_representations,
)

# Syn's 95 % centred interval of the dead student of test_estimate_result_edge_values, wholly
# below 0 (its upper end clipped to 0), beside a Uni whose interval reaches above 0.
INTERVALS = {"syn": (-0.147, 0.0), "uni_s": (-0.02, 0.013)}


def _verdict(name: str, **options):
    settings = {"measure": "broja", "intervals": INTERVALS, "ci_method": "centred",
                "confidence": 0.95, **options}
    return below_zero_verdicts([name], **settings)[name]


def test_an_interval_wholly_below_0_is_an_overshoot_from_0_95_on():
    assert OVERSHOOT_CONFIDENCE == 0.95
    assert _verdict("syn") == "overshoot"
    assert _verdict("syn", confidence=0.99) == "overshoot"
    assert _verdict("syn", confidence=0.9499) == "low confidence"
    assert _verdict("syn", confidence=0.5) == "low confidence"
    assert _verdict("uni_s") == "noise"  # its interval reaches above 0


@pytest.mark.parametrize("options", [
    {"ci_method": "percentile"},  # moved by the bias of the bootstrap world
    {"ci_method": "basic"},
    {"ci_method": None},  # audit records older than the centred intervals
    {"confidence": None},  # not known
])
def test_only_a_centred_interval_of_known_confidence_is_read(options):
    assert _verdict("syn", **options) == "noise"


def test_without_intervals_nothing_is_judged():
    # no bootstrap: every value was "noise", "indistinguishable from 0", which nothing measured;
    # a default call (3 labels, 400 samples, a student of noise) said so of Syn = -0.137 bits,
    # whose whole 95 % interval lay below 0 with bootstrap=100
    assert _verdict("syn", intervals=None) == "not judged"
    assert _verdict("uni_s", intervals=None, confidence=None, ci_method=None) == "not judged"
    assert BELOW_ZERO_VERDICTS[-1] == "not judged"


def test_an_upper_end_within_rounding_of_0_is_0():
    intervals = {"syn": (-0.1, 1e-15)}
    assert _verdict("syn", intervals=intervals) == "noise"
    assert _verdict("syn", intervals=intervals, zero=1.4e-14) == "overshoot"


@pytest.mark.parametrize("end", [None, float("nan")])
def test_an_interval_a_failed_solve_left_without_ends_is_not_read(end):
    # an audit record writes a failed solve's interval as [None, None] (strict JSON); its atoms
    # are None too, but a hand-made record may still list one as negative
    assert _verdict("syn", intervals={"syn": (end, end)}) == "noise"


def test_syn_of_a_signed_measure_is_not_read_as_noise_or_an_overshoot():
    assert _verdict("syn", measure="wedge") == "signed measure"
    assert _verdict("syn", measure="wedge", intervals=None) == "signed measure"
    # its other atoms, and the Syn of the measures that keep every atom >= 0, are read as usual
    assert _verdict("uni_s", measure="wedge", intervals={"uni_s": (-0.1, 0.0)}) == "overshoot"
    assert _verdict("syn", measure="mmi") == "overshoot"
    assert _verdict("syn", measure="gaussian-broja") == "overshoot"  # an audit record's measure


def test_every_quantity_gets_one_verdict_in_the_order_given():
    verdicts = below_zero_verdicts(["uni_s", "syn"], measure="broja", intervals=INTERVALS,
                                   ci_method="centred", confidence=0.95)
    assert list(verdicts.items()) == [("uni_s", "noise"), ("syn", "overshoot")]
    assert set(verdicts.values()) <= set(BELOW_ZERO_VERDICTS)
    assert below_zero_verdicts((), measure="broja") == {}


@pytest.mark.parametrize(("options", "error", "match"), [
    ({"confidence": 95}, ValueError,
     r"confidence must be a float in \(0, 1\), e\.g\. 0\.95; got 95\."),
    ({"confidence": 0.0}, ValueError, r"confidence must be a float in \(0, 1\)"),
    # a confidence read from text: it compared "0.95" with 0.0, a TypeError deep in the check
    ({"confidence": "0.95"}, TypeError, r"confidence must be a float in \(0, 1\); got '0\.95'\."),
    ({"intervals": {"uni_s": (-0.1, 0.0)}}, ValueError,
     r"intervals has no interval for 'syn' of negative; pass the result's intervals \(one \(low, "
     r"high\) per quantity\), or None without a bootstrap"),
    # the spelling CI_METHODS does not use: it read no interval, so an overshoot was "noise"
    ({"ci_method": "centered", "intervals": INTERVALS, "confidence": 0.95}, ValueError,
     r"ci_method must be one of \['centred', 'basic', 'percentile', None\]; got 'centered'\. "
     r"Did you mean 'centred'\?"),
    # one string, not a list of names: its letters were read as quantities, each "noise"
    ({"negative": "syn", "measure": "wedge"}, TypeError,
     r"negative must be a list of quantity names, e\.g\. \['syn'\]; got the string 'syn', whose "
     r"letters would be read as names"),
    # a name that is no quantity: Syn of a signed measure was "noise" under its printed label
    ({"negative": ["Syn"], "measure": "wedge"}, ValueError,
     r"a name in negative must be one of \['red', 'uni_t', 'uni_s', 'syn', 'i_yt', 'i_ys', "
     r"'i_yts'\]; got 'Syn'\. Did you mean 'syn'\?"),
    # a measure no PID has: read as one that keeps Syn >= 0, so a misspelt wedge's Syn (below 0
    # by definition) was an "overshoot"
    ({"measure": "Wedge", "intervals": INTERVALS, "confidence": 0.95}, ValueError,
     r"measure must be one of \['broja', 'wedge', .*, 'gaussian-broja'\]; got 'Wedge'\. Did you "
     r"mean 'wedge'\?"),
])
def test_bad_values_are_named(options, error, match):
    options = {"negative": ["syn"], "measure": "broja", "ci_method": "centred", **options}
    with pytest.raises(error, match=match):
        below_zero_verdicts(options.pop("negative"), **options)


@pytest.mark.parametrize(("confidence", "shown", "tail"), [
    (0.949, "94.9%", "2.55%"),
    # six digits rounded it to "95%" (after 3b83f07 too), the confidence of an overshoot
    (0.9499996, "94.99996%", "2.50002%"),
])
def test_the_repr_says_the_confidence_it_judged_at(confidence, shown, tail):
    # 100 labels, 1000 samples, a student of noise: Syn -0.147 bits, its centred interval wholly
    # below 0. At confidence=0.949 the repr printed "95% centred interval" and "the whole 95%
    # interval: a quantity at 0 gets that in 3% of samples at this confidence; at
    # confidence=0.95 it would point to the correction overshooting": 95 % against 0.95.
    rng = np.random.default_rng(1)
    y = rng.integers(0, 100, 1000)
    t = rng.normal(size=(100, 16))[y] + rng.normal(size=(1000, 16))
    s = rng.normal(size=(1000, 16))
    res = pid_from_representations(y, t, s, bootstrap=40, confidence=confidence)  # 40 >= fewest_replicates
    assert res.syn < -0.1 and res.intervals["syn"] == (res.syn, 0.0)
    verdicts = below_zero_verdicts(res.correction.negative, measure=res.pid.measure,
                                   intervals=res.intervals, ci_method=res.settings["ci_method"],
                                   confidence=res.settings["confidence"])
    assert verdicts["syn"] == "low confidence"
    text = repr(res)
    assert f"   {shown} centred interval, B=40" in text
    # Uni(Y:S\T) -0.032 joins Syn since the default's kink pretest (task 394) halves most of its
    # replicates, which puts its interval below 0 too
    assert (f"note: uni_s, syn corrected below 0 with the whole {shown} interval: a quantity at 0 gets "
            f"that in {tail} of samples at this confidence; at confidence=0.95 it would point to "
            "the correction overshooting") in " ".join(text.split())
    assert "95%" not in text


@pytest.mark.parametrize(("share", "text"), [
    (0.95, "95%"), (0.99, "99%"), (0.5, "50%"), (0.949, "94.9%"), (0.9500001, "95%"),
    (0.9499996, "94.99996%"),  # six digits: "95%", the confidence of an overshoot
    (0.9499995, "94.9999%"),
    (float(np.nextafter(0.95, 0)), "94.99999999999998%"),
    (0.9999999, "99.99999%"),  # "100%", a confidence no interval has
    ((1 - 0.95) / 2, "2.5%"),  # 0.025000000000000022 keeps :g's six digits
])
def test_a_confidence_is_printed_on_its_side_of_the_overshoot_confidence(share, text):
    assert confidence_percent(share) == text


def test_no_printed_confidence_is_read_back_across_the_overshoot_confidence():
    # the floats from 0.9499990 up to just past 0.95 (every 1e-8), and those next to 0.95
    shares = [*np.linspace(0.949999, 0.9500001, 1101), *(np.nextafter(0.95, 0) - k * 2.0**-53
                                                           for k in range(50))]
    for share in map(float, shares):
        read_back = float(Decimal(confidence_percent(share)[:-1]).scaleb(-2))  # as typed in
        assert (read_back >= OVERSHOOT_CONFIDENCE) == (share >= OVERSHOOT_CONFIDENCE), share


@pytest.mark.parametrize("confidence", [0.95, 0.5, None])
@pytest.mark.parametrize("n_boot", [0, 1])
def test_no_bootstrap_or_one_replicate_is_not_judged_at_any_confidence(n_boot, confidence):
    # n_boot=0 raised "n_boot must be an int >= 2; got 0.", 1 "one replicate has no spread": a
    # caller passing a result's own settings["bootstrap"] (0 without bootstrap=) was refused; with
    # confidence=None the same n_boot was not looked at and INTERVALS read ("noise", "overshoot")
    intervals = None if n_boot == 0 else INTERVALS
    assert _verdict("syn", intervals=intervals, confidence=confidence, n_boot=n_boot) == "not judged"
    assert _verdict("uni_s", intervals=intervals, confidence=confidence, n_boot=n_boot) == "not judged"
    # as intervals=None says it; Syn of a signed measure keeps its own verdict
    assert _verdict("syn", intervals=None, confidence=confidence) == "not judged"
    assert _verdict("syn", measure="wedge", intervals=intervals, confidence=confidence,
                    n_boot=n_boot) == "signed measure"


def test_from_two_replicates_on_the_intervals_are_read_as_before():
    assert fewest_replicates(0.95) == 39
    assert _verdict("syn", n_boot=38) == "not judged"
    assert _verdict("syn", n_boot=39) == "overshoot"
    assert _verdict("syn", n_boot=2, confidence=None) == "noise"  # no confidence: no interval read


def test_a_results_own_settings_without_bootstrap_are_taken_as_they_are():
    # 3 labels, 400 samples, a student of noise: Syn and I(Y;S) corrected below 0, no bootstrap=
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 400)
    t = 3.0 * y[:, None] + rng.normal(size=(400, 2))
    res = pid_from_representations(y, t, rng.normal(size=(400, 2)), n_components=2, n_clusters=3,
                                   normalize=None, random_state=0)
    assert res.settings["bootstrap"] == 0 and res.settings["confidence"] == 0.95
    assert res.correction.negative  # something for the verdicts to say
    settings = res.settings
    verdicts = below_zero_verdicts(res.correction.negative, measure=res.pid.measure,
                                   intervals=res.intervals, ci_method=settings["ci_method"],
                                   confidence=settings["confidence"],
                                   n_boot=settings["bootstrap"] - settings["bootstrap_failed"])
    assert verdicts == dict.fromkeys(res.correction.negative, "not judged")


@pytest.mark.parametrize(("n_boot", "error", "got"), [
    (-1, ValueError, "got -1."),
    (200.0, TypeError, "got 200.0 (float)."),
    ("200", TypeError, "got '200' (str)."),
])
def test_an_n_boot_that_is_no_count_is_named_with_its_fix(n_boot, error, got):
    with pytest.raises(error) as refused:
        _verdict("syn", n_boot=n_boot)
    assert str(refused.value) == (
        f"n_boot must be an int >= 0; {got} Pass the replicates the intervals were made of (a "
        "result's settings['bootstrap'] less its settings['bootstrap_failed']), 0 without a "
        "bootstrap, or None where not known.")
