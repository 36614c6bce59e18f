"""The trainer's audit line says its units as the report does, and the notes that explain it come
once in a run, under the first line they explain.

Before t-459 a Gaussian audit printed "... syn=0.856 bits (n=450)" beside H(Y) = 3.32 bits with
atoms of 7.9 bits, not saying that these are linearly decodable (gaussian) bits, which H(Y) does
not bound; and a run capped by clusters flagged every line "capped by clusters: ..." without the
fix that the report gives."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest
from tiny_runs import tiny

from pidkit_distill import write_report
from pidkit_distill.data import load_dataset
from pidkit_distill.training import train

GAUSSIAN = ["run.epochs=2", "run.audit_every=1", "run.print_every=1", "audit.bootstrap=0",
            "audit.estimator=gaussian", "audit.bias_correction=none"]
# 90 held-out samples of 10 labels: audit.cluster_rule auto gives 2 clusters a side
CAPPED = ["run.epochs=2", "run.audit_every=1", "run.print_every=1", "audit.bootstrap=0",
          "data.options.num_classes=10", "data.options.n_test=90", "data.options.nuisance_bits=0",
          "data.options.noise=0.05", "data.options.signal_scale=5"]
LINE = re.compile(r"  audit epoch (\d) layer 2: red=(\S+) uni_t=(\S+) uni_s=(\S+) syn=(\S+) "
                  r"(gaussian bits|bits) \(n=(\d+)\) in \d+\.\ds(.*)")  # and the audit's time


def printed(capsys) -> list[str]:
    """The audit lines and the notes under them that the run printed, in order."""
    return [line for line in capsys.readouterr().out.splitlines()
            if line.startswith(("  audit epoch", "  note: "))]


def label_entropy_bits(labels: list[int]) -> float:
    counts = Counter(labels).values()
    return -sum(c / len(labels) * math.log2(c / len(labels)) for c in counts)


def test_a_gaussian_line_says_gaussian_bits_and_why_they_pass_h_y_once(tmp_path, capsys):
    summary = train(tiny(tmp_path, *GAUSSIAN))
    lines = printed(capsys)
    audits = [LINE.fullmatch(line) for line in lines if line.startswith("  audit")]
    assert [(match[1], match[6], match[7], match[8]) for match in audits] == [
        (str(epoch), "gaussian bits", "64", "") for epoch in range(3)]
    notes = [line for line in lines if line.startswith("  note: ")]
    assert len(notes) == 1 and lines.index(notes[0]) == 1  # under the untrained networks' line
    said = re.fullmatch(r"  note: the gaussian atoms add up to I\(Y;T,S\) = (\S+) gaussian bits, "
                        r"above the labels' entropy H\(Y\) \(at most log2\(4\) = 2\.000 bits\): "
                        r"Gaussian information measures how far linear read-outs of the features "
                        r"separate the classes, which H\(Y\) does not bound; .*The Gaussian "
                        r"estimator\)", notes[0])
    assert said is not None, notes[0]
    # the sum of the atoms on the line above it, as printed (each rounded to 0.0005)
    assert float(said[1]) == pytest.approx(sum(map(float, audits[0].group(2, 3, 4, 5))), abs=0.002)
    test = load_dataset("synthetic", n_train=96, n_test=64, dim=12, nuisance_bits=2).test
    entropy = label_entropy_bits([int(y) for _, y in test])
    assert entropy <= 2.0 < float(said[1])
    inner = [r for r in summary.audit if (r["epoch"], r["layer"]) == (0, 2)]
    assert float(said[1]) == round(inner[0]["i_yts"], 3)


def test_a_cap_by_clusters_gives_the_reports_fixes_once(tmp_path, capsys):
    train(tiny(tmp_path, *CAPPED))
    lines = printed(capsys)
    # and 2 clusters for 10 labels leave row lengths that tell the labels apart (audit.normalize l2)
    dropped = "lengths dropped: teacher {}%, student {}% (audit.normalize l2)"
    flags = (f"; layers 1, 2: capped by clusters: student 2 (< 10 labels); {dropped.format(99, 100)}; "
             f"layer 1: {dropped.format(98, 100)}; layer 0: capped by clusters: teacher 2, student 2 "
             f"(< 10 labels); layer 0: {dropped.format(98, 99)}")
    audits = [LINE.fullmatch(line) for line in lines if line.startswith("  audit")]
    assert [(match[1], match[6], match[7], match[8]) for match in audits] == [
        (str(epoch), "bits", "90", flags) for epoch in range(3)]
    notes = [line for line in lines if line.startswith("  note: ")]
    # each once, under the first audit line: the lengths' note, then the cap's
    assert [lines.index(note) for note in notes] == [1, 2]
    assert notes[0].startswith("  note: lengths dropped: ") and "--audit.normalize none" in notes[0]
    notes = notes[1:]
    # 10 labels: one cluster per label from 10^3 samples; synthetic's option holds them out
    assert ("Fixes: all 90 held-out samples were audited (audit.max_samples 0), fewer than the "
            "1,000 (10^3) from which audit.cluster_rule auto gives one cluster per label: the "
            "held-out set is too small. Enlarge it: --data.options n_test=1000.") in notes[0]
    report = write_report([next(tmp_path.iterdir())], out_dir=tmp_path / "rep").read_text()
    assert notes[0].removeprefix("  note: ") in report.split("\n\n")  # the report's own note


def test_a_line_with_nothing_to_explain_has_no_note(tmp_path, capsys):
    train(tiny(tmp_path, "run.epochs=1", "run.audit_every=1", "run.print_every=1",
               "audit.bootstrap=0"))
    lines = printed(capsys)
    assert [LINE.fullmatch(line)[6] for line in lines] == ["bits", "bits"]
