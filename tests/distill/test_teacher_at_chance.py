"""A trained teacher that ended at chance is warned of, as it is trained and each time it is
reused (cached, or a teacher file), and the report's chance paragraph names it; an untrained
teacher, a baseline at chance by design, is neither (walk t-421, finding 2)."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import torch
from tiny_runs import TINY, tiny

from pidkit_distill.data import load_dataset
from pidkit_distill.report import write_report
from pidkit_distill.training import train, train_teacher

# a teacher that learns nothing: one epoch at a learning rate that hardly moves it
AT_CHANCE = ["teacher.source=trained", "teacher.epochs=1", "teacher.lr=1e-6", "method.name=kd",
             "run.epochs=1"]
WARNING = "warning: the teacher ended at "


def _tiny_chance() -> tuple[float, int]:
    """The share of the most common class among the tiny configuration's held-out samples, and
    their number, counted from the data set itself."""
    options = dict(item.removeprefix("data.options.").split("=") for item in TINY
                   if item.startswith("data.options."))
    test = load_dataset("synthetic", **{key: int(value) for key, value in options.items()}).test
    labels = [int(test[i][1]) for i in range(len(test))]
    return Counter(labels).most_common(1)[0][1] / len(labels), len(labels)


def _expected_line(teacher_acc: float, fix: str) -> str:
    """The warning for a teacher of held-out accuracy ``teacher_acc`` on the tiny data, with
    chance and its ceiling (two binomial standard errors) worked out here."""
    chance, n = _tiny_chance()
    ceiling = round(100 * (chance + 2 * math.sqrt(chance * (1 - chance) / n)), 1)
    return (f"{WARNING}{100 * teacher_acc:.1f} % held-out accuracy, at chance (held-out accuracy "
            f"at most {ceiling:.1f} %, two standard errors above the {100 * chance:.1f} % of "
            "always answering the most common class): a student distilled from it learns "
            f"nothing from it; {fix}")


def _warnings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(WARNING)]


def test_a_teacher_at_chance_is_warned_of_when_trained_reused_and_given_as_a_file(
        tmp_path, capsys):
    first = train(tiny(tmp_path, *AT_CHANCE))
    folder = next(tmp_path.glob("teacher-*"))
    chance, n = _tiny_chance()
    # the teacher's own record: its accuracy is within two standard errors of chance
    assert first.teacher_acc <= chance + 2 * math.sqrt(chance * (1 - chance) / n)
    cached_fix = ("raise teacher.epochs (now 1) or teacher.lr (now 1e-06), which trains another "
                  "teacher in a folder of its own; runs of these settings reuse this one until "
                  f"its folder is deleted: {folder}")
    expected = _expected_line(first.teacher_acc, cached_fix)
    assert _warnings(capsys.readouterr().err) == [expected]  # once, though the run reads it too

    train(tiny(tmp_path, *AT_CHANCE, "run.name=again"))  # the cached teacher, reused
    out = capsys.readouterr()
    assert "reusing the teacher" in out.out
    assert _warnings(out.err) == [expected]

    path = folder / "teacher.pt"
    train(tiny(tmp_path, *AT_CHANCE, f"teacher.source={path}", "run.name=file"))
    assert _warnings(capsys.readouterr().err) == [_expected_line(
        first.teacher_acc, f"pass a teacher trained longer (teacher.epochs) or with a higher "
                           f"teacher.lr instead of {path}")]


def test_train_teacher_warns_of_a_teacher_it_trained_to_chance(tmp_path, capsys):
    path = train_teacher(tiny(tmp_path, *AT_CHANCE))
    trained = _warnings(capsys.readouterr().err)
    assert len(trained) == 1 and trained[0].endswith(f"until its folder is deleted: {path.parent}")
    assert train_teacher(tiny(tmp_path, *AT_CHANCE)) == path  # reused
    assert _warnings(capsys.readouterr().err) == trained


def test_a_teacher_above_chance_an_untrained_one_and_a_bare_file_are_not_warned_of(
        tmp_path, capsys):
    learnt = train(tiny(tmp_path, "teacher.source=trained", "teacher.epochs=5", "run.epochs=1"))
    assert learnt.teacher_acc > 0.9
    untrained = train(tiny(tmp_path, "run.epochs=1"))  # TINY's teacher.source=untrained
    chance, n = _tiny_chance()
    assert untrained.teacher_acc <= chance + 2 * math.sqrt(chance * (1 - chance) / n)
    bare = tmp_path / "bare" / "teacher.pt"  # a state dict, no run folder: no accuracy to judge
    bare.parent.mkdir()
    torch.save(torch.load(next(tmp_path.glob("teacher-*")) / "teacher.pt")["model"], bare)
    train(tiny(tmp_path, f"teacher.source={bare}", "run.epochs=1", "run.name=bare"))
    assert _warnings(capsys.readouterr().err) == []


def test_the_report_names_a_trained_teacher_at_chance_and_not_an_untrained_one(tmp_path):
    taught = train(tiny(tmp_path, *AT_CHANCE))
    untrained = train(tiny(tmp_path, "method.name=kd", "run.epochs=1"))
    chance, n = _tiny_chance()
    assert untrained.teacher_acc <= chance + 2 * math.sqrt(chance * (1 - chance) / n)
    report = write_report([taught, untrained], out_dir=tmp_path / "report").read_text()
    paragraph = next(line for line in report.splitlines() if line.startswith("At chance: "))
    assert f"the teacher of {Path(taught.run_dir).name} ({100 * taught.teacher_acc:.1f} %)" in paragraph
    assert paragraph.count("the teacher of") == 1  # not the untrained one's
    assert ("A student distilled from a teacher at chance learns nothing from it; train the "
            "teacher longer (teacher.epochs) or with a higher teacher.lr, then its students "
            "again.") in paragraph
