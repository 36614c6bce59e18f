"""A user's walk of `pidkit-distill train` (t-504, finding 2): on digits, `--method kd --epochs
10 --run.threads 1 --print-every 0` took 9.4 s with `--audit-every 0` and 28.9 s at the default
audit_every 5, about 6.5 s an audited epoch against 0.5 s a training epoch, and nothing printed
said so. Each audit line now says how long its audit took, and a run whose audits have taken
more than half its time says so once, naming --audit-every and audit.bootstrap."""

from __future__ import annotations

import re
import time

from tiny_runs import tiny

from pidkit_distill import load_config
from pidkit_distill.training import loop, train
from pidkit_distill.training.epoch_lines import AuditLines, audit_line

# run.progress stays false (tiny's); a small audit of one layer, as test_console_lines's, without
# the bootstrap (its 40 replicates took 2-5 s of the tiny run's audits on a busy 2-core machine)
AUDITED = ["audit.layers=[2]", "audit.clusters=3", "audit.pca_components=2", "audit.bootstrap=0"]
NOTE = "note: the PID audits took "


def _lines(**times: float) -> AuditLines:
    """The audit lines of a kd run at the defaults (run.audit_every 5, audit.bootstrap 40)
    whose audits and epochs took ``times`` (``audits_s``, ``audits``, ``epochs_s``, ``epochs``)."""
    lines = AuditLines(load_config(overrides=["method.name=kd"]), classes=10)
    for key, value in times.items():
        setattr(lines, key, value)
    return lines


def test_the_audit_line_says_how_long_the_audit_took():
    record = {"epoch": 5, "layer": 2, "red": 0.5, "uni_t": 1.8, "uni_s": 0.3, "syn": 0.002,
              "n_samples": 450, "status": "failed"}
    assert audit_line([record], 6.54) == (
        "  audit epoch 5 layer 2: red=0.500 uni_t=1.800 uni_s=0.300 syn=0.002 bits (n=450) in "
        "6.5s; solve NOT certified (status 'failed')")  # the flags after it, as before


def test_the_cost_is_said_once_where_the_audits_took_more_than_half_the_run():
    # digits' kd at the defaults: two audits (epochs 0 and 5) of 6.5 s, five epochs of 0.5 s
    lines = _lines(audits_s=13.0, audits=2, epochs_s=2.5, epochs=5)
    line = lines.cost_line()
    assert line == (
        "note: the PID audits took 13.0s of the 15.5s this run has trained and audited so far "
        "(6.5s each, against 0.5s an epoch): audit less often, --audit-every N (run.audit_every, "
        "now 5; 0 = never), or with fewer bootstrap replicates, --audit.bootstrap N (now 40; 0 = "
        "no intervals)")
    lines.audits_s, lines.audits = 19.5, 3
    assert lines.cost_line() is None  # once in a run


def test_no_cost_is_said_of_audits_that_took_half_the_run_or_less_or_before_any_epoch():
    assert _lines(audits_s=6.5, audits=1).cost_line() is None  # the untrained networks' audit
    assert _lines(audits_s=2.5, audits=2, epochs_s=2.5, epochs=5).cost_line() is None  # half
    assert _lines(audits_s=1.0, audits=2, epochs_s=25.0, epochs=5).cost_line() is None


def test_timed_counts_the_audits_time_and_not_one_that_failed():
    lines = _lines()
    with lines.timed():
        time.sleep(0.05)
    assert lines.audits == 1 and lines.audits_s == lines.last_s >= 0.05
    try:
        with lines.timed():
            raise MemoryError
    except MemoryError:
        pass
    assert lines.audits == 1 and lines.audits_s == lines.last_s


def _slow_audits(monkeypatch, seconds: float) -> None:
    """Make each of the run's audits take ``seconds`` more (the tiny run's take milliseconds)."""
    audit = loop._audit

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return audit(*args, **kwargs)

    monkeypatch.setattr(loop, "_audit", slow)


def test_a_run_whose_audits_take_most_of_its_time_prints_their_time_and_says_it_once(
        tmp_path, capsys, monkeypatch):
    _slow_audits(monkeypatch, 0.3)  # 0.3 s an audit against a few ms an epoch
    train(tiny(tmp_path, "run.epochs=4", "run.audit_every=1", *AUDITED))
    out = capsys.readouterr().out.splitlines()
    audits = [line for line in out if line.startswith("  audit epoch ")]
    assert len(audits) == 5  # before the first epoch and after each
    took = [re.search(r" bits \(n=64\) in (\d+\.\d)s(;|$)", line) for line in audits]
    assert all(took) and all(float(match[1]) >= 0.3 for match in took if match), audits
    notes = [i for i, line in enumerate(out) if line.startswith(NOTE)]
    assert len(notes) == 1, out  # once, under epoch 1's audit, the first after an epoch
    assert out[notes[0] - 1].startswith("  audit epoch 1 layer 2: ")


def test_the_cost_is_said_under_print_every_0_too(tmp_path, capsys, monkeypatch):
    # the user timed the runs with --print-every 0, which keeps notices and warnings
    _slow_audits(monkeypatch, 0.3)
    train(tiny(tmp_path, "run.epochs=2", "run.audit_every=1", "run.print_every=0", *AUDITED))
    out = capsys.readouterr().out.splitlines()
    assert [line for line in out if line.startswith(NOTE)] and not [
        line for line in out if line.startswith(("  audit epoch", "[bas] epoch"))]


def test_a_run_whose_epochs_take_most_of_its_time_says_nothing_of_the_audits(
        tmp_path, capsys, monkeypatch):
    one_epoch = loop.train_one_epoch

    def slow_epoch(*args, **kwargs):
        time.sleep(0.5)  # each epoch far longer than the tiny run's audits
        return one_epoch(*args, **kwargs)

    monkeypatch.setattr(loop, "train_one_epoch", slow_epoch)
    train(tiny(tmp_path, "run.epochs=2", "run.audit_every=2", *AUDITED))
    out = capsys.readouterr().out
    assert "  audit epoch 2 layer 2: " in out and NOTE not in out
