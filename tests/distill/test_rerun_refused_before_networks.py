"""The command of a run done, given again without --resume, is refused before its networks are
built (t-506): check_config built the teacher and the student on the meta device, which imported
torch._dynamo (about 2.5 of its 6 s of CPU), ran the method's step and read the cached teacher,
all passed by that run already, before it judged the run folder. Its refusal is the same; any
other configuration keeps the order of its checks (the networks' before the folder's)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tiny_runs import tiny

from pidkit_distill.training import check_config, checks, train

KD = ("method.name=kd", "run.epochs=1", "run.name=r")
TRAINED = (*KD, "teacher.source=trained", "teacher.epochs=1")


class Built(AssertionError):
    """Raised in place of building a network or reading a teacher file: the check got there."""


def _no_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on check_config's building a network, or reading a teacher file, raises
    :class:`Built` (patched once the run it checks again has trained)."""
    def built(*args: object, **kwargs: object) -> None:
        raise Built("a network was built, or a teacher file read")
    monkeypatch.setattr(checks, "model_for", built)
    monkeypatch.setattr(checks, "check_teacher_path", built)


def _finished(run_dir: Path) -> str:
    """How the refusal of the tiny run of one epoch, done in ``run_dir``, given again starts."""
    return (f"run.name: run folder {str(run_dir)!r} holds a finished run (epochs 1 of 1): "
            "nothing is left to continue.")


@pytest.mark.parametrize("run", [KD, TRAINED], ids=["untrained-teacher", "cached-teacher"])
def test_a_run_done_given_again_is_refused_before_its_networks_are_built(tmp_path, monkeypatch,
                                                                         run):
    train(tiny(tmp_path, *run))
    _no_networks(monkeypatch)  # it was: Built, from the teacher's network
    with pytest.raises(ValueError) as refused:  # keys that no check reads may differ
        check_config(tiny(tmp_path, *run, "run.print_every=5", "run.stop_after=1"))
    assert str(refused.value).startswith(_finished(tmp_path / "r"))


def test_its_refusal_is_the_one_the_whole_check_gives(tmp_path):
    train(tiny(tmp_path, *KD))
    with pytest.raises(ValueError) as early:
        check_config(tiny(tmp_path, *KD))
    with pytest.raises(ValueError) as whole:  # run.threads: not judged early, the same refusal
        check_config(tiny(tmp_path, *KD, "run.threads=2"))
    assert str(early.value) == str(whole.value)
    assert str(early.value).startswith(_finished(tmp_path / "r"))
    assert getattr(early.value, "__notes__", None) == getattr(whole.value, "__notes__", None)


def test_a_cached_teacher_written_since_the_checkpoint_is_read_first_as_before(tmp_path,
                                                                              monkeypatch):
    # rewritten (damaged, say) since the run: the whole check reads it before the folder
    train(tiny(tmp_path, *TRAINED))
    later = (tmp_path / "r" / "checkpoint.pt").stat().st_mtime + 10
    os.utime(next(tmp_path.glob("teacher-*/teacher.pt")), (later, later))
    _no_networks(monkeypatch)
    with pytest.raises(Built):
        check_config(tiny(tmp_path, *TRAINED))


@pytest.mark.parametrize("change", [
    "method.params.temperature=2.5",  # another configuration: its networks are checked first
    "method.params.temprature=2.5",   # a mistake, told before the folder
    "run.epochs=2",                   # its schedule is fitted, or refused, first
    "run.resume=true",                # continued: everything is checked
    "run.threads=2",                  # it names the cached teacher's folder
    "run.audit_every=1",              # the audit's checks come first
])
def test_any_other_configuration_keeps_the_order_of_its_checks(tmp_path, monkeypatch, change):
    train(tiny(tmp_path, *KD))
    _no_networks(monkeypatch)
    with pytest.raises(Built):
        check_config(tiny(tmp_path, *KD, change))


def test_a_mistake_beside_a_run_done_is_told_first_as_before(tmp_path):
    train(tiny(tmp_path, *KD))
    with pytest.raises(ValueError, match=r"^method\.params: .*temprature"):
        check_config(tiny(tmp_path, *KD, "method.params.temprature=2.5"))
