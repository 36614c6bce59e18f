"""Calls into pidkit_distill as docs/distill.md and the tutorials make them, for mypy (never run
by pytest).

``tests/distill/test_typing_distill.py`` runs mypy on this file as a user's type checker sees an
installed pidkit_distill (``--follow-imports=silent``: no error inside the package is reported)
and checks that it finds no error here and that each ``reveal_type`` gives the type in its
comment (module paths and numpy's array parameters left out). torch's ``nn.Module.__call__``
returns ``Any``, so a model called on its inputs is ``Any`` unless the package says otherwise.
"""

import os
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import nn
from torch.utils.data import TensorDataset

import pidkit_distill
from pidkit_distill import (
    ConfigEntryError,
    ConfigEntryTypeError,
    ConfigValueError,
    DatasetBundle,
    Distiller,
    PeerStopped,
    StepOutput,
    TrainConfig,
    TrainingError,
    TrainingInterrupted,
    apply_overrides,
    audit_distiller,
    audit_networks,
    available_datasets,
    available_methods,
    available_models,
    build_model,
    check_config,
    describe_dataset,
    get_method,
    load_config,
    load_dataset,
    load_run_teacher,
    load_runs,
    load_student,
    register_dataset,
    register_method,
    register_model,
    tap_features,
    train,
    train_teacher,
    unregister_dataset,
    unregister_method,
    unregister_model,
    write_report,
)
from pidkit_distill.audit import ATOMS, collect_features
from pidkit_distill.config import AuditConfig, config_from_dict
from pidkit_distill.demo import demo_configs
from pidkit_distill.report import group_table, summary_table
from pidkit_distill.training.joining import JoinTimeout
from pidkit_distill.training.loaders import DataError

if TYPE_CHECKING:
    from typing_extensions import reveal_type


def mlp(width: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(20, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                         nn.Linear(width, 4))


x = torch.randn(512, 20)
y = (x[:, 0] > 0).long() + 2 * (x[:, 1] > 0).long()
teacher = tap_features(mlp(64), layers=["1", "3"])
student = tap_features(mlp(8), layers=["1", "3"], pooled=None)
reveal_type(teacher)  # TappedModel
reveal_type(student.layer_channels)  # tuple[int, ...]
reveal_type(student.forward_features(x))  # tuple[Tensor, list[Tensor], Tensor, fallback=Features]
reveal_type(student.forward_features(x).layers)  # list[Tensor]
reveal_type(student.forward_features(x).pooled)  # Tensor

method = get_method("rid")
reveal_type(method)  # type[Distiller]
reveal_type(available_methods())  # list[str]
distiller = method(student, teacher, sample_input=x[:16], num_classes=4, warmup_epochs=1,
                   cycle_epochs=2, filter_ratio=0.5)
reveal_type(distiller)  # Distiller
reveal_type(distiller.phase(0))  # str
reveal_type(distiller.optimizer_groups())  # dict[str, list[Parameter]]
reveal_type(distiller.forward(x, y, epoch=0))  # tuple[Tensor, dict[str, Tensor], fallback=StepOutput]
reveal_type(distiller(x[:64], y[:64], epoch=0))  # tuple[Tensor, dict[str, Tensor], fallback=StepOutput]
optimizers = {name: torch.optim.SGD(params, lr=0.05, momentum=0.9)
              for name, params in distiller.optimizer_groups().items()}
out = distiller(x[:64], y[:64], epoch=0)
optimizers[distiller.phase(0)].zero_grad()
reveal_type(out.loss)  # Tensor
out.loss.backward()  # type: ignore[no-untyped-call]  # torch leaves Tensor.backward unannotated
reveal_type(method.make_params(preset="paper"))  # Params
reveal_type(distiller.params)  # Params
reveal_type(distiller.params.to_dict())  # dict[str, Any]
reveal_type(distiller.teacher_shapes)  # list[Size]


@register_method("my-kd")
class MyKD(Distiller):
    def forward(self, x: torch.Tensor, y: torch.Tensor, *, epoch: int) -> StepOutput:
        logits = self.student(x)
        return StepOutput(logits, {"ce": nn.functional.cross_entropy(logits, y)})


reveal_type(MyKD(student, teacher, sample_input=x[:2], num_classes=4, preset=None))  # MyKD
reveal_type(MyKD.method_name)  # str
reveal_type(get_method("my-kd")(student, teacher, sample_input=x[:2], num_classes=4))  # Distiller
unregister_method("my-kd")

records = audit_distiller(distiller, TensorDataset(x[384:], y[384:]), epoch=4)
reveal_type(records)  # list[dict[str, Any]]
tutorial_records = audit_distiller(distiller, (x[384:], y[384:]), settings=AuditConfig(bootstrap=20),
                                   progress=False)
reveal_type(tutorial_records)  # list[dict[str, Any]]
pair_records = audit_networks(teacher, student, (x[384:], y[384:]), settings=AuditConfig(bootstrap=20))
reveal_type(pair_records)  # list[dict[str, Any]]
reveal_type(ATOMS)  # tuple[str, str, str, str, str, str, str]
t_layers, s_layers, labels = collect_features(teacher, student, (x, y), layers=[1])
reveal_type(t_layers)  # list[ndarray]
reveal_type(labels)  # ndarray


@register_dataset("my-blobs")
def my_blobs(*, seed: int = 0, n_test: int = 128) -> DatasetBundle:
    g = torch.Generator().manual_seed(seed)
    xs = torch.randn(512, 20, generator=g)
    ys = (xs[:, 0] > 0).long() + 2 * (xs[:, 1] > 0).long()
    return DatasetBundle(TensorDataset(xs[n_test:], ys[n_test:]),
                         TensorDataset(xs[:n_test], ys[:n_test]), num_classes=4,
                         input_shape=(20,))


@register_model("my-mlp-64")
def my_teacher(*, num_classes: int, in_channels: int) -> nn.Module:
    return tap_features(mlp(64), layers=["1", "3"])


reveal_type(my_blobs)  # def (*, seed: int =, n_test: int =) -> DatasetBundle
reveal_type(my_teacher)  # def (*, num_classes: int, in_channels: int) -> Module
reveal_type(available_models())  # list[str]
reveal_type(available_datasets())  # list[str]
reveal_type(build_model("digits-student", num_classes=10, in_channels=1))  # Module
bundle = load_dataset("digits", seed=0)
reveal_type(bundle)  # DatasetBundle
reveal_type(bundle.num_classes)  # int
reveal_type(bundle.input_shape)  # tuple[int, ...]
reveal_type(bundle.info)  # dict[str, Any]
reveal_type(len(bundle.test))  # int
held_out = load_dataset("digits", seed=0).test
pair = get_method("bas")(load_student("runs/digits-bas-tt-s0"),
                         load_run_teacher("runs/digits-bas-tt-s0"),
                         sample_input=held_out.tensors[0][:8], num_classes=10)
reveal_type(audit_distiller(pair, held_out, epoch=3))  # list[dict[str, Any]]
spec = describe_dataset("digits", train_fraction=0.1)
reveal_type(spec)  # DatasetSpec
reveal_type(spec.n_train)  # int
unregister_model("my-mlp-64")
unregister_dataset("my-blobs")

config = load_config(overrides=["method.name=rid", "run.epochs=3"])
reveal_type(config)  # TrainConfig
reveal_type(load_config("rid.toml"))  # TrainConfig
reveal_type(load_config(Path("rid.toml")))  # TrainConfig
reveal_type(apply_overrides(TrainConfig(), ["run.seed=1"]))  # TrainConfig
reveal_type(config_from_dict({"run": {"epochs": 3}}))  # TrainConfig
reveal_type(config.method.name)  # str
reveal_type(config.run.epochs)  # int
reveal_type(config.optim.lr)  # float
reveal_type(config.audit.bootstrap)  # int
reveal_type(config.teacher.source)  # str
reveal_type(check_config(config))  # CheckedConfig
demo = [c for c in demo_configs("runs", epochs=150, overrides=["run.audit_every=25"])
        if c.teacher.source == "trained" and c.method.name in ("bas", "rid")]
reveal_type(demo)  # list[TrainConfig]

summary = train(config)
reveal_type(summary)  # RunSummary
reveal_type(summary.run_dir)  # Path
reveal_type(summary.last_acc)  # float
reveal_type(summary.teacher_acc)  # float | None
reveal_type(summary.audit)  # list[dict[str, Any]]
reveal_type(summary.last_audit)  # dict[str, Any] | None
reveal_type(train_teacher(config))  # Path

reveal_type(load_student("runs/digits-rid-tt-s0"))  # Module
reveal_type(load_student(summary, map_location="cpu"))  # Module
load_student(3)  # type: ignore[arg-type]  # (--strict: an unused ignore if it took any value)
reveal_type(load_run_teacher(summary))  # Module
load_run_teacher(3)  # type: ignore[arg-type]
runs = load_runs(["runs/digits-bas-tt-s0", "runs/digits-rid-tt-s0"])
reveal_type(runs)  # list[RunRecords]
reveal_type(load_runs("runs"))  # list[RunRecords]
reveal_type(load_runs([summary, "runs/digits-bas-tt-s0"]))  # list[RunRecords]
reveal_type(load_runs(summary))  # list[RunRecords]
load_runs(3)  # type: ignore[arg-type]  # (--strict: an unused ignore if it took any value)
load_runs([3])  # type: ignore[list-item]
reveal_type(runs[0].config)  # dict[str, Any]
reveal_type(runs[0].metrics)  # list[dict[str, Any]]
reveal_type(summary_table(runs))  # str
reveal_type(group_table(runs))  # str
reveal_type(write_report("runs/digits-rid-tt-s0"))  # Path
reveal_type(write_report([summary, runs[0]], out_dir="report"))  # Path
reveal_type(write_report(summary))  # Path
reveal_type(write_report(list(os.scandir("runs"))))  # Path
write_report(3)  # type: ignore[arg-type]  # (--strict: an unused ignore if it took any value)
write_report([summary, 3])  # type: ignore[list-item]
reveal_type(pidkit_distill.train)  # def (config: TrainConfig | CheckedConfig) -> RunSummary

try:
    train(load_config(overrides=["run.epochs=0"]))
except ConfigEntryTypeError as err:
    reveal_type(err.entries)  # tuple[str, ...]
except ConfigEntryError as err:
    reveal_type(err.key)  # str | None
except ConfigValueError as err:
    reveal_type(err.key)  # str | None
except PeerStopped as err:
    reveal_type(err.rank)  # int
    reveal_type(err.peer_message)  # str
except TrainingInterrupted as err:
    reveal_type(err)  # TrainingInterrupted
except TrainingError as err:
    reveal_type(err)  # TrainingError
except DataError as err:
    reveal_type(err)  # DataError
except JoinTimeout as err:
    reveal_type(err)  # JoinTimeout
