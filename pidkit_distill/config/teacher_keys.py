"""The teacher's keys (no torch): those of a student's run that the teacher's run does not read,
and why; and the record of which teacher file a run read.

``pidkit-distill train-teacher`` hides the unread keys from its help and refuses or warns about
them on its command line without importing PyTorch;
:func:`pidkit_distill.training.teacher_sources.teacher_run_config` is the run that does not read them.
A relative ``teacher.source`` names a file from the folder the run is trained in, which the
configuration does not say: :func:`teacher_file_now` is the file it names there, which a run's
``config.json`` records in its table :data:`RECORDED`, beside the settings
(:func:`with_teacher_file`, :func:`recorded_teacher_file`; the report tells teachers apart by
it). A record is no setting: no configuration sets it (:func:`record_hint`). The settings
that a teacher depends on (:func:`teacher_key`) name its folder and are compared with those its
cached file records. A teacher registered by the user is keyed by its code too
(:func:`~pidkit_distill.code_fingerprint.code_fingerprint`), not only by the module that
registered it. A teacher's run holds some settings of its own, not as its student's run set them
(:data:`TEACHER_RUN_OWN`, :func:`with_teacher_run_own`): those that neither its key nor its
numbers depend on, so that a student's choice of them cannot stop its teacher's run from resuming.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from typing import Any

from pidkit_distill.config.key_history import without_values_before_keys_existed

__all__ = ["CODE_IN_KEY", "RECORDED", "REGISTERED_IN_KEY", "SAMPLES_IN_KEY", "TEACHER_KEYS",
           "TEACHER_RUN_OWN", "flat_settings", "record_hint", "recorded_teacher_file",
           "teacher_file_now", "teacher_key", "unused_by_teacher", "with_teacher_file",
           "with_teacher_run_own"]

# The table of a run's config.json that holds what the run recorded of itself, beside its
# settings' sections: "teacher_file", the file its teacher.source named (teacher_file_now).
RECORDED = "recorded"
_TEACHER_FILE = "teacher_file"

# The student's keys that have a teacher's counterpart, which the teacher's run reads instead:
# a teacher of an adamw student trains with SGD unless teacher.optimizer says otherwise, so that
# students of both optimizers share one teacher (and teacher.lr, an SGD value, stays one).
TEACHER_KEYS = {"run.epochs": "teacher.epochs", "run.seed": "teacher.seed",
                "optim.lr": "teacher.lr", "optim.optimizer": "teacher.optimizer"}

# Why the teacher's run (teacher_run_config) does not read the other keys of a student's run;
# a key ending in "." stands for its whole section.
_UNUSED_BY_TEACHER = {
    "model.student": "the teacher is model.teacher",
    "teacher.source": "the teacher is trained, or the one trained before with the same "
                      "settings is reused",
    "method.": "the teacher trains with cross-entropy alone",
    "audit.": "the teacher's run has no audit",
    "run.audit_every": "the teacher's run has no audit",
    "run.name": "the teacher's run folder is named by its settings "
                "(teacher-DATA-MODEL-sSEED-eEPOCHS-HASH)",
    "run.resume": "an interrupted teacher's run is always resumed",
    "run.stop_after": "the teacher's run trains teacher.epochs epochs",
    "run.early_stop": "the teacher's run trains teacher.epochs epochs",
}


def unused_by_teacher(key: str) -> str | None:
    """Why the teacher's run (:func:`~pidkit_distill.training.teacher_sources.teacher_run_config`) does
    not read the config key ``key``, or ``None`` when it does.

    Examples
    --------
    >>> unused_by_teacher("run.epochs")
    "it is the student's; the teacher's is teacher.epochs"
    >>> unused_by_teacher("optim.optimizer")
    "it is the student's; the teacher's is teacher.optimizer"
    >>> unused_by_teacher("method.params.lam")
    'the teacher trains with cross-entropy alone'
    >>> unused_by_teacher("data.batch_size") is None
    True
    """
    if key in TEACHER_KEYS:
        return f"it is the student's; the teacher's is {TEACHER_KEYS[key]}"
    return next((why for k, why in _UNUSED_BY_TEACHER.items()
                 if key == k or (k.endswith(".") and key.startswith(k))), None)


# The settings that a teacher's run holds of its own, not as its student's run set them: its
# audit section (the teacher's run has no audit, and teacher_key leaves it out), and run.amp and
# run.sync_bn, which its key holds where they act (teacher_run_numbers) and which are off where
# they do not. A name without a dot is a whole section.
TEACHER_RUN_OWN = ("audit", "run.amp", "run.sync_bn")


def with_teacher_run_own(settings: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """The settings of a teacher's run ``settings`` (its configuration as a dict) with those of
    :data:`TEACHER_RUN_OWN` as ``own`` (a configuration as a dict too) holds them.

    :func:`~pidkit_distill.training.teacher_sources.teacher_run_settings` gives a teacher's run
    its own values so; and the resume of a teacher's run compares its checkpoint's settings so,
    with the values of the run that resumes it
    (:func:`~pidkit_distill.training.checkpoint.resume_changes`): a teacher's folder is named by
    its key, which decides them, and a checkpoint written before 5 Dec 2026 holds its
    student's (``audit.layers = [1]`` of the first student's run), which would refuse every
    student run of other audit settings. A ``settings`` section that is no dict (a damaged
    file) is left as it is.

    Examples
    --------
    >>> saved = {"run": {"seed": 0, "amp": True}, "audit": {"bootstrap": 5}}
    >>> own = {"run": {"amp": False, "sync_bn": False}, "audit": {"bootstrap": 20}}
    >>> with_teacher_run_own(saved, own)
    {'run': {'seed': 0, 'amp': False, 'sync_bn': False}, 'audit': {'bootstrap': 20}}
    >>> saved["audit"]  # not changed
    {'bootstrap': 5}
    """
    result = {name: dict(section) if isinstance(section, Mapping) else section
              for name, section in settings.items()}
    for key in TEACHER_RUN_OWN:
        section, _, name = key.partition(".")
        if not name:
            result[section] = copy.deepcopy(own[section])
        elif isinstance(result.setdefault(section, {}), dict):
            result[section][name] = own[section][name]
    return result


# The names a teacher's run reads that the user may have registered: its data set and its model.
_TEACHER_NAMES = ("data.name", "model.teacher")
# Where teacher_key (and flat_settings of it) holds the module that each of them came from.
REGISTERED_IN_KEY = "registered"
# Where teacher_key holds the fingerprint of the code of a model.teacher the user registered.
CODE_IN_KEY = "code"
# Where teacher_key holds the fingerprint of the training samples of a data set the user
# registered.
SAMPLES_IN_KEY = "samples"


def teacher_key(settings: Mapping[str, Any], registered: Mapping[str, str],
                code: str | None = None, samples: str | None = None) -> dict[str, Any]:
    """The settings of a teacher's run (its configuration as a dict) that the teacher depends
    on, which its folder's name hashes
    (:func:`~pidkit_distill.training.teacher_sources.teacher_run_config`) and its cached file must
    record: the sections ``data`` (less ``num_workers`` and ``eval_batch_size``), ``model``,
    ``teacher`` and ``optim``, as JSON reads them back; and, under :data:`REGISTERED_IN_KEY`,
    where its data set and ``model.teacher`` come from where the user registered them
    (``registered``: :func:`~pidkit_distill.config.registered_record.registered_now` of the settings,
    or what a file records), so that one name registered by two modules is two teachers; and,
    under :data:`CODE_IN_KEY`, ``code``, the fingerprint of a registered ``model.teacher``'s
    code (:func:`~pidkit_distill.code_fingerprint.code_fingerprint`), where given, so that a
    builder edited in place (a notebook's cell run again) is another teacher; and, under
    :data:`SAMPLES_IN_KEY`, ``samples``, the fingerprint of a registered data set's training
    samples
    (:func:`~pidkit_distill.training.data_fingerprints.data_fingerprint`), where given, so
    that a loader that gives other samples (edited in place) is another teacher, and the same
    samples again the same. A teacher of the package's names alone has the key it always had:
    a key added since, at the value that trains as before it existed
    (:data:`~pidkit_distill.config.key_history.VALUES_BEFORE_KEYS_EXISTED`), is left out.

    Examples
    --------
    >>> settings = {"data": {"name": "blobs", "num_workers": 2}, "run": {"seed": 1}}
    >>> teacher_key(settings, {})
    {'data': {'name': 'blobs'}, 'model': None, 'optim': None, 'teacher': None}
    >>> teacher_key(settings, {"data.name": "/a/m.py", "model.student": "/a/m.py"})["registered"]
    {'data.name': '/a/m.py'}
    >>> teacher_key(settings, {}, "0123abcd")["code"]
    '0123abcd'
    >>> teacher_key(settings, {}, samples="4567ef")["samples"]
    '4567ef'
    >>> teacher_key({"optim": {"lr": 0.05, "optimizer": "sgd", "warmup_epochs": 5}}, {})["optim"]
    {'lr': 0.05, 'warmup_epochs': 5}
    """
    settings = without_values_before_keys_existed(settings)
    key = {k: settings.get(k) for k in ("data", "model", "teacher", "optim")}
    if isinstance(key["data"], dict):
        key["data"] = {k: v for k, v in key["data"].items() if k not in ("num_workers",
                                                                          "eval_batch_size")}
    sources = {name: registered[name] for name in _TEACHER_NAMES if name in registered}
    if sources:
        key[REGISTERED_IN_KEY] = sources
    if code is not None:
        key[CODE_IN_KEY] = code
    if samples is not None:
        key[SAMPLES_IN_KEY] = samples
    return json.loads(json.dumps(key, sort_keys=True))


def flat_settings(settings: Any, prefix: str = "") -> dict[str, Any]:
    """Nested settings as ``{"section.key": value}`` (a non-empty dict is a level deeper).

    Examples
    --------
    >>> flat_settings({"data": {"name": "digits", "options": {}}, "registered": {"data.name": "m"}})
    {'data.name': 'digits', 'data.options': {}, 'registered.data.name': 'm'}
    """
    if isinstance(settings, dict) and settings:
        return {key: value for name, inner in settings.items()
                for key, value in flat_settings(inner, f"{prefix}{name}.").items()}
    return {prefix[:-1]: settings}


def teacher_file_now(source: Any) -> str | None:
    """The file that the ``teacher.source`` ``source`` names from the current folder: its
    absolute path (``~`` the home folder, links followed), where it is a file; ``None`` for
    ``trained`` and ``untrained``, and where no file is there.

    The same file however it is spelt (relative, absolute, through a link) has one such path;
    a relative name (``teacher.pt``) has one for each folder that holds a file of that name.

    Examples
    --------
    >>> import tempfile
    >>> folder = os.path.realpath(tempfile.mkdtemp())
    >>> file, link = os.path.join(folder, "t.pt"), os.path.join(folder, "link.pt")
    >>> open(file, "wb").close(); os.symlink(file, link)
    >>> teacher_file_now(link) == teacher_file_now(folder + "/./t.pt") == file
    True
    >>> teacher_file_now("untrained"), teacher_file_now("missing.pt")
    (None, None)
    """
    if not isinstance(source, str) or source in ("trained", "untrained"):
        return None
    path = os.path.expanduser(source)
    return os.path.realpath(path) if os.path.isfile(path) else None  # False for a NUL byte


def with_teacher_file(settings: dict[str, Any], teacher_file: str | None) -> dict[str, Any]:
    """A run's ``settings`` (:func:`~pidkit_distill.config.config_to_dict`) as its
    ``config.json`` holds them: with the record of the teacher file it read (an absolute path,
    :func:`teacher_file_now`) in the table :data:`RECORDED`, where ``teacher_file`` is one.

    Examples
    --------
    >>> with_teacher_file({"run": {"seed": 1}}, "/p/t.pt")
    {'run': {'seed': 1}, 'recorded': {'teacher_file': '/p/t.pt'}}
    >>> with_teacher_file({"run": {"seed": 1}}, None)
    {'run': {'seed': 1}}
    """
    if teacher_file is None:
        return settings
    return {**settings, RECORDED: {_TEACHER_FILE: teacher_file}}


def recorded_teacher_file(config: Mapping[str, Any]) -> str | None:
    """The teacher file that a run's ``config`` (its ``config.json``) records it read
    (:func:`with_teacher_file`); ``None`` where it records none (a teacher that is no file, a
    run of a version that recorded none) or something that is no absolute path.

    Examples
    --------
    >>> recorded_teacher_file({"recorded": {"teacher_file": "/p/t.pt"}})
    '/p/t.pt'
    >>> recorded_teacher_file({"run": {"teacher_file": "/p/t.pt"}}) is None
    True
    """
    table = config.get(RECORDED)
    file = table.get(_TEACHER_FILE) if isinstance(table, Mapping) else None
    return file if isinstance(file, str) and os.path.isabs(file) else None


def record_hint(name: str) -> str:
    """What a message refusing the configuration key (or setting) ``name`` says where it names
    a run's record (:data:`RECORDED`, the teacher file it read), ending the sentence before
    it; or nothing.

    Examples
    --------
    >>> record_hint("run.teacher_file")
    ". 'run.teacher_file' is no setting: a run records the teacher file it read in its \
config.json (as recorded.teacher_file), and no configuration sets it; name the teacher \
with teacher.source"
    >>> record_hint("recorded.registered")
    ". 'recorded.registered' is no setting: a run records in its config.json's table \
'recorded' what it read (the teacher file, where the names you registered come from), and no \
configuration sets it; remove it"
    >>> record_hint("run.epoch")
    ''
    """
    if name.rsplit(".", 1)[-1] != _TEACHER_FILE:
        if name.split(".", 1)[0] != RECORDED:
            return ""
        return (f". {name!r} is no setting: a run records in its config.json's table "
                f"{RECORDED!r} what it read (the teacher file, where the names you registered "
                "come from), and no configuration sets it; remove it")
    return (f". {name!r} is no setting: a run records the teacher file it read in its "
            f"config.json (as {RECORDED}.{_TEACHER_FILE}), and no configuration sets it; name "
            "the teacher with teacher.source")
