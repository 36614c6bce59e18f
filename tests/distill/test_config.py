"""Configuration: defaults, TOML files, overrides, and the errors for unknown keys and bad values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pidkit_distill import config as config_module
from pidkit_distill.cli import main
from pidkit_distill.config import (
    AuditConfig,
    TrainConfig,
    check_values,
    config_fields,
    config_from_dict,
    config_to_dict,
)
from pidkit_distill.config_text import apply_overrides, load_config
from pidkit_distill.training import check_config

TOML = """
[data]
name = "synthetic"
batch_size = 32

[data.options]
n_train = 256
nuisance_bits = 4

[method]
name = "rid"
preset = "kd-rid"

[method.params]
cycle_epochs = 6

[optim]
lr = 1          # an int is accepted for a float key
milestones = [100, 150]
milestone_unit = "epoch"

[run]
epochs = 12
"""


def test_defaults_are_the_paper_optimizer_settings():
    cfg = TrainConfig()
    assert (cfg.optim.lr, cfg.optim.momentum, cfg.optim.weight_decay) == (0.05, 0.9, 5e-4)
    assert cfg.optim.nesterov is True
    assert cfg.optim.schedule == "paper"
    # the paper's epochs 150 and 200 of 300, as fractions of the run
    assert [round(m * 300) for m in cfg.optim.milestones] == [150, 200]
    assert cfg.optim.gamma == 0.2


def test_toml_file_is_read_and_overrides_win(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text(TOML)
    cfg = load_config(path, overrides=["run.epochs=3", "method.params.lambda2=0.5"])
    assert cfg.data.name == "synthetic" and cfg.data.batch_size == 32
    assert cfg.data.options == {"n_train": 256, "nuisance_bits": 4}
    assert cfg.method.name == "rid" and cfg.method.preset == "kd-rid"
    assert cfg.method.params == {"cycle_epochs": 6, "lambda2": 0.5}
    assert cfg.optim.lr == 1.0 and isinstance(cfg.optim.lr, float)
    assert cfg.optim.milestones == [100, 150]
    assert cfg.run.epochs == 3
    assert cfg.model == TrainConfig().model  # untouched sections keep their defaults


@pytest.mark.parametrize(
    ("override", "key", "value"),
    [
        ("run.epochs=7", ("run", "epochs"), 7),
        ("optim.lr=0.1", ("optim", "lr"), 0.1),
        ("optim.lr=1", ("optim", "lr"), 1.0),
        ("run.amp=true", ("run", "amp"), True),
        ("run.amp=0", ("run", "amp"), False),
        ("method.name=vid", ("method", "name"), "vid"),
        ("teacher.source=/some/path.pt", ("teacher", "source"), "/some/path.pt"),
        ("optim.milestones=0.25,0.75", ("optim", "milestones"), [0.25, 0.75]),
        ("optim.milestones=[0.1]", ("optim", "milestones"), [0.1]),
        ("audit.layers=[2]", ("audit", "layers"), [2]),
        ("data.options.n_train=64", ("data", "options"), {"n_train": 64}),
        ("method.params.reduction=mean", ("method", "params"), {"reduction": "mean"}),
    ],
)
def test_override_values_are_typed(override, key, value):
    cfg = apply_overrides(TrainConfig(), [override])
    got = getattr(getattr(cfg, key[0]), key[1])
    assert got == value and type(got) is type(value)


def test_unknown_key_lists_the_known_keys():
    # an override's suggestion comes before the list of every key (50 of them), where it came
    # after ("...; known keys: [...]. Did you mean 'run.epochs'?", 1,025 characters)
    with pytest.raises(ValueError, match=r"^unknown config key 'run.epoch'\. Did you mean "
                                         r"'run.epochs'\? \(known keys: \['audit\..*'run.epochs'.*"
                                         r"'teacher.source'\]\)$"):
        apply_overrides(TrainConfig(), ["run.epoch=3"])
    with pytest.raises(ValueError, match=r"^unknown config key 'zzz'; known keys: \['audit\..*\]$"):
        apply_overrides(TrainConfig(), ["zzz=3"])
    # a file's or dict's key is told its section's keys, after the suggestion as an override is
    with pytest.raises(ValueError, match=r"^unknown config key 'optim.nesterov_'\. Did you mean "
                                         r"'optim.nesterov'\? \(known keys: \['optim.gamma'.*\]\)$"):
        config_from_dict({"optim": {"nesterov_": True}})
    with pytest.raises(ValueError, match=r"unknown config section\(s\) \['training'\].*'run'"):
        config_from_dict({"training": {"epochs": 3}})
    with pytest.raises(ValueError, match=r"\['runn'\].*Did you mean 'run'\?$"):
        config_from_dict({"runn": {"epochs": 3}})


@pytest.mark.parametrize(("text", "message"), [
    # a key above the file's first [section]: "unknown config section(s) ['epochs']", no hint
    ("epochs = 3\n[method]\nname = 'rid'\n",
     "config key 'epochs' (= 3) stands outside every section's table (in a TOML file, above its "
     "first [section] header); put it in the table of its section: [run] (run.epochs) or "
     "[teacher] (teacher.epochs)"),
    ("lr = 0.1\n", "config key 'lr' (= 0.1) stands outside every section's table (in a TOML "
                   "file, above its first [section] header); put it in the table of its "
                   "section: [optim] (optim.lr) or [teacher] (teacher.lr)"),
    ("epoch = 3\n", "config key 'epoch' (= 3) stands outside every section's table (in a TOML "
                    "file, above its first [section] header); put it in the table of its "
                    "section. Did you mean 'run.epochs'?"),
    # no section has the key, and none is close: it was told to put it in "its section"
    ("foo = 1\n", "config key 'foo' (= 1) stands outside every section's table (in a TOML file, "
                  "above its first [section] header), and no section has a key of that name; "
                  "known sections: ['audit', 'data', 'method', 'model', 'optim', 'run', "
                  "'teacher']"),
    ("teacher_file = 'x.pt'\n", "config key 'teacher_file' (= 'x.pt') stands outside every "
                                "section's table (in a TOML file, above its first [section] "
                                "header). 'teacher_file' is no setting: a run records the "
                                "teacher file it read in its config.json (as "
                                "recorded.teacher_file), and no configuration sets it; name the "
                                "teacher with teacher.source"),
])
def test_a_key_outside_every_table_is_told_its_section(tmp_path, text, message):
    path = tmp_path / "rid.toml"
    path.write_text(text)
    with pytest.raises(ValueError) as err:
        load_config(path)
    assert str(err.value) == f"config file {str(path)!r}: {message}"  # as --config tells it


SECTIONS = "known sections: ['audit', 'data', 'method', 'model', 'optim', 'run', 'teacher']"


@pytest.mark.parametrize(("table", "message"), [
    # a nested table written as a section of its own: no hint, or 'optim' for [options]
    ("params", f"unknown config section(s) ['params']; {SECTIONS}. Did you mean [method.params]? "
               "('params' is a table of the section [method])"),
    ("options", f"unknown config section(s) ['options']; {SECTIONS}. Did you mean "
                "[data.options]? ('options' is a table of the section [data])"),
    ("data_options", f"unknown config section(s) ['data_options']; {SECTIONS}. Did you mean "
                     "[teacher.data_options]? ('data_options' is a table of the section [teacher])"),
    ("param", f"unknown config section(s) ['param']; {SECTIONS}. Did you mean [method.params]? "
              "('params' is a table of the section [method])"),
    # ... or inside another section: 'data.name', 'method.preset', no hint
    ("data.params", "unknown config key 'data.params'. Did you mean [method.params]? "
                    "('params' is a table of the section [method]) (known keys: "
                    "['data.batch_size', 'data.drop_last', 'data.eval_batch_size', 'data.name', "
                    "'data.num_workers', 'data.options', 'data.root', 'data.seed', "
                    "'data.val_fraction'])"),
    ("method.options", "unknown config key 'method.options'. Did you mean [data.options]? "
                       "('options' is a table of the section [data]) (known keys: "
                       "['method.name', 'method.params', 'method.preset'])"),
    ("method.data_options", "unknown config key 'method.data_options'. Did you mean "
                            "[teacher.data_options]? ('data_options' is a table of the section "
                            "[teacher]) (known keys: ['method.name', 'method.params', "
                            "'method.preset'])"),
    # the closest key of its own section where that is a table, and a misspelt section: as before
    ("teacher.options", "unknown config key 'teacher.options'. Did you mean "
                        "'teacher.data_options'? (known keys: ['teacher.data_options', "
                        "'teacher.epochs', 'teacher.lr', 'teacher.optimizer', 'teacher.seed', "
                        "'teacher.source'])"),
    ("optm", f"unknown config section(s) ['optm']; {SECTIONS}. Did you mean 'optim'?"),
])
def test_a_nested_table_of_the_wrong_place_is_told_its_place(tmp_path, capsys, table, message):
    path = tmp_path / "rid.toml"
    path.write_text(f"[method]\nname = 'rid'\n\n[{table}]\nlambda2 = 0.5\n")
    with pytest.raises(ValueError) as err:
        load_config(path)
    assert str(err.value) == f"config file {str(path)!r}: {message}"  # as --config tells it
    assert main(["train", "--config", str(path)]) == 2
    assert capsys.readouterr() == ("", f"pidkit-distill train: error: config file {str(path)!r}: "
                                       f"{message}\n")


@pytest.mark.parametrize(("override", "hint"), [
    # the same mistake as an override: no hint, or 'data.name' for data.params
    ("params.lambda2=0.5", "Did you mean 'method.params.lambda2'? ('params' is a table of the "
                           "section [method])"),
    ("options.n_train=64", "Did you mean 'data.options.n_train'? ('options' is a table of the "
                           "section [data])"),
    ("data.params.lambda2=0.5", "Did you mean 'method.params.lambda2'? ('params' is a table of "
                                "the section [method])"),
    ("params={lambda2=0.5}", "Did you mean 'method.params'? ('params' is a table of the section "
                             "[method])"),
    # a misspelt section or key keeps the closest key
    ("methd.params.lambda2=0.5", "Did you mean 'method.params'?"),
    ("teacher.options.n_train=64", "Did you mean 'teacher.data_options'?"),
])
def test_an_override_of_a_nested_table_of_the_wrong_place_is_told_its_place(capsys, override,
                                                                             hint):
    key = override.split("=")[0]
    with pytest.raises(ValueError) as err:
        apply_overrides(TrainConfig(), [override])
    assert str(err.value).startswith(f"unknown config key {key!r}. {hint} (known keys: ['audit.")
    assert str(err.value).endswith("'teacher.source'])")
    assert main(["train", "--set", override]) == 2
    out, err_text = capsys.readouterr()
    assert (out, err_text.count("\n")) == ("", 1)
    assert err_text.startswith(f"pidkit-distill train: error: unknown config key {key!r}. {hint} "
                               "(known keys: ['audit.")


@pytest.mark.parametrize(("args", "hint"), [
    # the same mistake as an option: no hint, or '--data.name' for --data.params.x
    (["--params.lambda2", "0.5"], "Did you mean '--method.params lambda2=0.5'? ('params' is a "
                                  "table of the section [method])"),
    (["--params.lambda2=0.5"], "Did you mean '--method.params lambda2=0.5'? ('params' is a table "
                               "of the section [method])"),
    (["--data.params.x", "1"], "Did you mean '--method.params x=1'? ('params' is a table of the "
                               "section [method])"),
    (["--options.n_train", "64"], "Did you mean '--data.options n_train=64'? ('options' is a "
                                  "table of the section [data])"),
    (["--params.lambda2"], "Did you mean '--method.params lambda2=VALUE'? ('params' is a table "
                           "of the section [method])"),
    # a negative value is the option's value too; it was 'lambda2=VALUE'
    (["--params.lambda2", "-1"], "Did you mean '--method.params lambda2=-1'? ('params' is a table "
                                 "of the section [method])"),
    # the table alone: an entry's NAME=VALUE; --data.params was '--method.params VALUE' and
    # --params 3 '--method.params 3', neither of which the option takes
    (["--data.params"], "Did you mean '--method.params NAME=VALUE'? ('params' is a table of the "
                        "section [method])"),
    (["--params", "3"], "Did you mean '--method.params NAME=3'? ('params' is a table of the "
                        "section [method])"),
    # the right table, its entry spelt into the option: it was only '--method.params'
    (["--method.params.lambda2", "0.5"], "Did you mean '--method.params lambda2=0.5'? ('params' "
                                         "is a table: an option sets an entry of it as "
                                         "NAME=VALUE)"),
    (["--data.options.n_train=64"], "Did you mean '--data.options n_train=64'? ('options' is a "
                                    "table: an option sets an entry of it as NAME=VALUE)"),
    # a misspelt option keeps the closest option
    (["--methd.params.x", "1"], "Did you mean '--method.params'?"),
    (["--run.epoch", "3"], "Did you mean '--run.epochs'?"),
])
def test_an_option_of_a_nested_table_of_the_wrong_place_is_told_its_place(capsys, args, hint):
    with pytest.raises(SystemExit) as stop:
        main(["train", *args])
    out, err = capsys.readouterr()
    assert (stop.value.code, out) == (2, "")
    assert err == (f"pidkit-distill train: error: unrecognized arguments: {' '.join(args)}. "
                   f"{hint}{' See' if hint.endswith('?') else '; see'} "
                   "'pidkit-distill train --help'\n")


@pytest.mark.parametrize(("args", "hint"), [
    # each was told an option that train-teacher's --help hides, and that it then warns is
    # unused ('--method.params lambda2=0.5') or refuses ('--epochs')
    (["--params.lambda2", "0.5"], "The nearest option, '--method.params lambda2=0.5', sets "
                                  "method.params, which train-teacher does not read: the teacher "
                                  "trains with cross-entropy alone"),
    (["--method.params.lambda2", "0.5"], "The nearest option, '--method.params lambda2=0.5', "
                                         "sets method.params, which train-teacher does not "
                                         "read: the teacher trains with cross-entropy alone"),
    (["--data.params", "x=1"], "The nearest option, '--method.params x=1', sets method.params, "
                               "which train-teacher does not read: the teacher trains with "
                               "cross-entropy alone"),
    (["--epoch", "3"], "The nearest option, '--epochs', sets run.epochs, which train-teacher "
                       "does not read: it is the student's; the teacher's is teacher.epochs"),
    (["--audit_every", "2"], "The nearest option, '--audit-every', sets run.audit_every, which "
                             "train-teacher does not read: the teacher's run has no audit"),
    # the options it reads keep their hints
    (["--options", "n_train=64"], "Did you mean '--data.options n_train=64'? ('options' is a "
                                  "table of the section [data])"),
    (["--teacher.epoch", "3"], "Did you mean '--teacher.epochs'?"),
])
def test_train_teacher_is_not_told_an_option_it_does_not_read(capsys, args, hint):
    with pytest.raises(SystemExit) as stop:
        main(["train-teacher", *args])
    out, err = capsys.readouterr()
    assert (stop.value.code, out) == (2, "")
    assert err == (f"pidkit-distill train-teacher: error: unrecognized arguments: "
                   f"{' '.join(args)}. {hint}{' See' if hint.endswith('?') else '; see'} "
                   "'pidkit-distill train-teacher --help'\n")


@pytest.mark.parametrize(("override", "hint"), [
    # each was told "Did you mean 'method.params.lambda2'?" ('run.epochs', ...), a key that
    # train-teacher then ignored with a warning (or refused)
    ("params.lambda2=0.5", "The nearest key, 'method.params.lambda2', is read by train (the "
                           "student's run), not by train-teacher: the teacher trains with "
                           "cross-entropy alone"),
    ("data.params.x=1", "The nearest key, 'method.params.x', is read by train (the student's "
                        "run), not by train-teacher: the teacher trains with cross-entropy "
                        "alone"),
    ("run.epoch=3", "The nearest key, 'run.epochs', is read by train (the student's run), not "
                    "by train-teacher: it is the student's; the teacher's is teacher.epochs"),
    ("audit.layer=[0]", "The nearest key, 'audit.layers', is read by train (the student's "
                        "run), not by train-teacher: the teacher's run has no audit"),
])
def test_train_teacher_is_not_told_a_key_it_does_not_read(capsys, override, hint):
    assert main(["train-teacher", "--set", override]) == 2
    out, err = capsys.readouterr()
    key = override.split("=")[0]
    assert (out, err) == ("", f"pidkit-distill train-teacher: error: --set {override}: unknown "
                              f"config key {key!r}. {hint}\n")


@pytest.mark.parametrize(("override", "hint"), [
    ("teacher.epoch=3", "'teacher.epoch'. Did you mean 'teacher.epochs'? (known keys: ["),
    # a run's record is no setting, as train says; train-teacher named the key closest to it
    # instead, one it does not read ("The nearest key, 'audit.cluster_rule', is read by train")
    ("audit.teacher_file=/x", "'audit.teacher_file'. 'audit.teacher_file' is no setting: a run "
                              "records the teacher file it read in its config.json (as "
                              "recorded.teacher_file), and no configuration sets it; name the "
                              "teacher with teacher.source (known keys: ["),
])
def test_train_teacher_keeps_trains_hint_naming_no_unread_key(capsys, override, hint):
    assert main(["train-teacher", "--set", override]) == 2
    err = capsys.readouterr().err
    assert f"error: unknown config key {hint}" in err and err.endswith("'teacher.source'])\n")


def test_a_json_file_given_as_the_configuration_is_told_it_is_not_toml(tmp_path):
    # a run's config.json given to --config was "is not valid TOML: Invalid statement (at line
    # 1, column 1)", which did not say that JSON was the trouble
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"run": {"epochs": 3}}, indent=2))
    with pytest.raises(ValueError) as err:
        load_config(path)
    assert str(err.value) == (
        f"config file '{path}' is not valid TOML: Invalid statement (at line 1, column 1); it "
        "holds JSON: --config reads TOML, a [section] table of key = value lines per section "
        "([run] then epochs = 3), as in docs/distill.md, Configuration; from Python, "
        "pidkit_distill.config.config_from_dict(json.load(file)) reads JSON, a run's "
        "config.json too")


def test_a_file_that_is_not_toml_is_named(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[run\nepochs = 3\n")
    with pytest.raises(ValueError, match=r"config file '.*bad\.toml' is not valid TOML: Expected"):
        load_config(path)


@pytest.mark.parametrize(
    ("override", "error", "match"),
    [
        ("run.epochs=3.5", TypeError, r"'run.epochs' expects an int, got 3.5"),
        ("run.epochs=true", TypeError, r"'run.epochs' expects an int"),
        ("run.amp=maybe", TypeError, r"'run.amp' expects true or false, got 'maybe'"),
        ("optim.lr=fast", TypeError, r"'optim.lr' expects a float, got 'fast'"),
        ("optim.schedule=step", ValueError, r"'optim.schedule' must be one of"),
        ("run.device=tpu", ValueError, r"'run.device' must be one of \['auto', 'cpu', 'cuda', 'cuda:N'\]"),
        ("run.epochs=0", ValueError, r"'run.epochs' must be >= 1, got 0"),
        ("run.checkpoint_every=0", ValueError, r"'run.checkpoint_every' must be >= 1, got 0"),
        ("optim.milestones=150,200", ValueError, r"fractions in \(0, 1\)"),
        ("audit.layers=[-1]", ValueError, r"^config key 'audit.layers' must be a list of distinct "
                                          r"layer indices >= 0 \(\[\] = every layer\), got \[-1\] "
                                          r"\(-1 is below 0\)$"),
        # the same layer twice was audited twice, with two records for each epoch
        ("audit.layers=[2, 1, 2]", ValueError, r"got \[2, 1, 2\] \(2 is there twice\)$"),
        ("audit.layers=[1.5]", TypeError, r"got \[1.5\] \(1.5 is not an int\)$"),
        ("run.epochs", ValueError, r"not of the form section.key=value"),
        ("run.epochs.x=1", ValueError, r"'run.epochs' is not a table"),
        # numbers must be finite; learning rates and the lr factor positive
        ("optim.lr=nan", ValueError, r"'optim.lr' must be a finite number > 0.0, got nan"),
        ("optim.lr=inf", ValueError, r"'optim.lr' must be a finite number > 0.0, got inf"),
        ("optim.lr=0", ValueError, r"'optim.lr' must be a finite number > 0.0, got 0.0"),
        ("teacher.lr=-0.1", ValueError, r"'teacher.lr' must be a finite number > 0.0"),
        ("optim.grad_clip=inf", ValueError, r"'optim.grad_clip' must be a finite number >= 0.0"),
        ("optim.grad_clip=nan", ValueError, r"'optim.grad_clip' must be a finite number >= 0.0"),
        ("optim.weight_decay=inf", ValueError, r"'optim.weight_decay' must be a finite number"),
        ("optim.momentum=1", ValueError, r"'optim.momentum' must be a finite number >= 0.0 and "
                                         r"< 1.0, got 1.0"),
        ("optim.gamma=0", ValueError, r"'optim.gamma' must be a finite number > 0.0"),
        ("optim.milestones=[0.5, nan]", ValueError, r"fractions in \(0, 1\)"),
        # one bootstrap replicate has no spread: pid_from_representations refuses it at the
        # first audit, after an epoch of training
        ("audit.bootstrap=1", ValueError, r"'audit.bootstrap' must be 0 \(no intervals\) or at least 2"),
    ],
)
def test_bad_values_name_the_key(override, error, match):
    with pytest.raises(error, match=match):
        apply_overrides(TrainConfig(), [override])


def test_a_single_string_is_not_a_list_of_overrides():
    with pytest.raises(TypeError, match="sequence of 'key=value' strings"):
        apply_overrides(TrainConfig(), "run.epochs=3")


def test_epoch_milestones_are_epoch_numbers():
    with pytest.raises(ValueError, match=r"epoch numbers >= 1 when optim.milestone_unit='epoch'"):
        apply_overrides(TrainConfig(), ["optim.milestone_unit=epoch", "optim.milestones=[0.5]"])
    cfg = apply_overrides(TrainConfig(), ["optim.milestone_unit=epoch", "optim.milestones=[3]"])
    assert cfg.optim.milestones == [3]


def test_the_documented_toml_example_is_a_valid_configuration(tmp_path):
    text = config_module.__doc__.split("Example TOML file::")[1]
    path = tmp_path / "example.toml"
    path.write_text("\n".join(line[4:] for line in text.splitlines()))
    checked = check_config(load_config(path, overrides=["teacher.source=untrained",
                                                        f"run.out_dir={tmp_path}"]))
    assert checked.method.method_name == "rid" and checked.preset == "paper"
    assert (checked.params.warmup_epochs, checked.params.cycle_epochs) == (3, 4)
    assert not checked.notices  # the example's own schedule leaves the student 20 of 30 epochs


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def test_round_trip_through_plain_dicts():
    cfg = apply_overrides(TrainConfig(), ["method.params.lam=3.0", "run.seed=4"])
    assert config_from_dict(config_to_dict(cfg)) == cfg


def test_defaults_are_not_shared_between_instances():
    a, b = TrainConfig(), TrainConfig()
    a.method.params["x"] = 1
    a.optim.milestones.append(0.9)
    assert b.method.params == {} and len(b.optim.milestones) == 2


def test_every_field_has_help_and_a_supported_type():
    keys = set()
    for key, default, kind, text in config_fields():
        keys.add(key)
        assert kind in (str, int, float, bool, list, dict)
        assert isinstance(default, kind) and text
    assert {"run.epochs", "run.resume", "run.audit_every", "optim.schedule"} <= keys


def test_the_documented_table_of_keys_is_the_code_s():
    doc = (Path(__file__).parents[2] / "docs" / "distill.md").read_text()
    for key, default, kind, text in config_fields():
        row = f"| `{key}` | {kind.__name__} | `{default!r}` | " + text.replace("|", "\\|") + " |"
        assert row in doc, f"docs/distill.md's configuration table is out of date at {key}"


@pytest.mark.parametrize(("text", "value"), [
    ("False", False), ("false", False), ("NO", False), ("0", 0), ("True", True), ("yes", True),
    ("1", 1), ("'False'", "False"), ("kd-rid", "kd-rid"), ("0.5", 0.5),
])
def test_dict_entries_read_the_spellings_of_a_bool_key_as_bools(text, value):
    # --set data.options.download=False was the string 'False', which is true
    cfg = apply_overrides(TrainConfig(), [f"data.options.download={text}",
                                          f"method.params.head_relu={text}"])
    assert cfg.data.options["download"] == value and cfg.method.params["head_relu"] == value
    assert type(cfg.data.options["download"]) is type(value)
    if isinstance(value, bool):  # the same spellings as a bool key's
        assert apply_overrides(TrainConfig(), [f"run.amp={text}"]).run.amp is value


@pytest.mark.parametrize("key", ["run.seed", "teacher.seed", "data.seed", "audit.seed"])
@pytest.mark.parametrize("seed", [-1, 2**32])
def test_seeds_must_be_numpy_seeds(key, seed):
    # a bad run.seed used to fail only after the teacher had trained
    with pytest.raises(ValueError, match=rf"'{key}' must be >= 0 and < 4294967296, got {seed}$"):
        apply_overrides(TrainConfig(), [f"{key}={seed}"])
    assert apply_overrides(TrainConfig(), [f"{key}={2**32 - 1}"])


def test_a_teacher_trains_at_least_one_epoch():
    with pytest.raises(ValueError, match=r"^config key 'teacher.epochs' must be >= 1, got 0$"):
        apply_overrides(TrainConfig(), ["teacher.epochs=0"])


@pytest.mark.parametrize(("settings", "match"), [
    # each raised "'<' not supported between instances of 'str' and 'int'", or went on
    ({"clusters": "3"}, r"^config key 'audit.clusters' expects an int, got '3' \(str\)$"),
    ({"pca_components": 4.0}, r"^config key 'audit.pca_components' expects an int, got 4.0 "),
    ({"bootstrap": True}, r"^config key 'audit.bootstrap' expects an int, got True \(bool\)$"),
    ({"max_samples": None}, r"^config key 'audit.max_samples' expects an int, got None "),
    ({"seed": "0"}, r"^config key 'audit.seed' expects an int, got '0' \(str\)$"),
    ({"confidence": "0.9"}, r"^config key 'audit.confidence' expects a float, got '0.9' "),
    ({"normalize": None}, r"^config key 'audit.normalize' expects a str, got None \(NoneType\)$"),
    ({"estimator": ["discrete"]}, r"^config key 'audit.estimator' expects a str, got "),
])
def test_audit_settings_of_the_wrong_type_are_named_from_python(settings, match):
    with pytest.raises(TypeError, match=match):
        AuditConfig(**settings).check()


def test_audit_settings_of_the_right_type_pass_from_python():
    AuditConfig(clusters=3, confidence=1 - 0.1, layers=[0], seed=2**32 - 1).check()
    with pytest.raises(ValueError, match=r"'audit.confidence' must be in \(0, 1\), got 1$"):
        AuditConfig(confidence=1).check()  # an int is a float: checked for its range


@pytest.mark.parametrize(("section", "key", "value", "match"), [
    # "'>=' not supported between instances of 'str' and 'int'"
    ("run", "checkpoint_every", "3",
     r"^config key 'run.checkpoint_every' expects an int, got '3' \(str\)$"),
    # a truthy string: the bars were drawn
    ("run", "progress", "no", r"^config key 'run.progress' expects a bool, got 'no' \(str\)$"),
    ("optim", "lr", "0.1", r"^config key 'optim.lr' expects a float, got '0.1' \(str\)$"),
    # the seeds' range was checked before AuditConfig.check: the same TypeError
    ("audit", "seed", "0", r"^config key 'audit.seed' expects an int, got '0' \(str\)$"),
])
def test_values_of_the_wrong_type_set_from_python_are_named(section, key, value, match):
    config = TrainConfig()
    setattr(getattr(config, section), key, value)
    with pytest.raises(TypeError, match=match):
        check_values(config)


def test_config_hands_on_the_choices_config_values_defines():
    # 2d12e10 moved SCHEDULES, MILESTONE_UNITS and DEVICES to config_values.py and kept them
    # importable from config.py by imports that silenced ruff (noqa: F401), outside __all__, so
    # `from pidkit_distill.config import *` and the API's list of names left them out
    from pidkit_distill.config import values as config_values

    names = ("DEVICES", "MILESTONE_UNITS", "SCHEDULES")
    star: dict = {}
    exec("from pidkit_distill.config import *", star)
    for name in names:
        assert name in config_module.__all__
        assert star[name] is getattr(config_values, name)
    assert config_module.DEVICES == ("auto", "cpu", "cuda")
    assert "noqa" not in Path(config_module.__file__).read_text()
