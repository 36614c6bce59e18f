"""The audit draws one bar, "audit epoch 3", a step per layer, not a "bootstrap" bar per layer.

Each audit drew a bar of each layer's bootstrap replicates titled only "bootstrap:", three an
audit of three layers, none saying which epoch or layer it was (walk t-450 L5).
"""

from __future__ import annotations

import io

import pytest
import torch
from torch import Tensor, nn
from torch.utils.data import TensorDataset

import pidkit_distill.audit.layer_pid
from pidkit.utils import progress_bar_factory
from pidkit_distill.audit import audit_distiller, audit_networks
from pidkit_distill.config import AuditConfig
from pidkit_distill.models import Features

N_CLASSES = 3
SETTINGS = AuditConfig(clusters=N_CLASSES, pca_components=3, bootstrap=4)


class Columns(nn.Module):
    """A 'network' whose three distilled layers are its input's columns, twice and thrice."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(1, N_CLASSES)  # has parameters, like a network

    def forward_features(self, x: Tensor) -> Features:
        return Features(self.fc(x[:, :1]), [x, 2 * x, 3 * x], x)


class Pair(nn.Module):
    """A teacher and a student, as a Distiller holds them."""

    def __init__(self) -> None:
        super().__init__()
        self.teacher, self.student = Columns(), Columns()


def held_out() -> TensorDataset:
    """150 samples of 3 classes, the class in the first column."""
    generator = torch.Generator().manual_seed(0)
    y = torch.arange(N_CLASSES).repeat_interleave(50)
    x = torch.cat([y[:, None].float(), torch.randn(len(y), 2, generator=generator)], 1)
    return TensorDataset(x, y)


@pytest.fixture
def bars(monkeypatch):
    """The keyword arguments of every bar the audit makes, each drawn into its own text (that
    stderr under pytest is no terminal does not matter: ``progress=True`` draws)."""
    made = []
    make_bar = progress_bar_factory()

    def recording():
        def bar(*args, **kwargs):
            drawn = io.StringIO()
            made.append((kwargs, drawn))
            return make_bar(*args, file=drawn, **kwargs)
        return bar

    monkeypatch.setattr(pidkit_distill.audit.layer_pid, "progress_bar_factory", recording)
    return made


@pytest.fixture
def estimates(monkeypatch):
    """The ``progress`` each layer's estimate is given."""
    given = []
    real = pidkit_distill.audit.layer_pid.pid_from_representations

    def recording(*args, **kwargs):
        given.append(kwargs.get("progress", "not passed"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pidkit_distill.audit.layer_pid, "pid_from_representations", recording)
    return given


def test_one_bar_per_audit_names_its_epoch_and_counts_its_layers(bars, estimates):
    records = audit_distiller(Pair(), held_out(), epoch=3, settings=SETTINGS, progress=True)
    assert [r["layer"] for r in records] == [0, 1, 2]
    ((kwargs, drawn),) = bars
    assert (kwargs["desc"], kwargs["total"], kwargs["disable"]) == ("audit epoch 3", 3, False)
    # the layers' bootstrap draws no bar of its own
    assert estimates == [False, False, False]
    text = drawn.getvalue()
    assert "audit epoch 3:" in text and "3/3" in text and "layer 2" in text
    assert "bootstrap" not in text


def test_the_audited_layers_are_the_bars_steps(bars):
    audit_distiller(Pair(), held_out(), epoch=0, progress=True,
                    settings=AuditConfig(clusters=N_CLASSES, pca_components=3, bootstrap=4,
                                         layers=[2]))
    ((kwargs, drawn),) = bars
    assert (kwargs["desc"], kwargs["total"]) == ("audit epoch 0", 1)
    assert "1/1" in drawn.getvalue() and "layer 2" in drawn.getvalue()


def test_networks_audited_outside_a_run_have_a_bar_without_an_epoch(bars):
    audit_networks(Columns(), Columns(), held_out(), settings=SETTINGS, progress=True)
    ((kwargs, _),) = bars
    assert (kwargs["desc"], kwargs["total"]) == ("audit", 3)


@pytest.mark.parametrize("progress", [False, None])
def test_no_bar_is_drawn_under_progress_false_nor_where_no_one_watches(capsys, bars,
                                                                      estimates, progress):
    # stderr under pytest is no terminal: None draws nothing, as pidkit's bars
    audit_distiller(Pair(), held_out(), epoch=3, settings=SETTINGS, progress=progress)
    ((kwargs, drawn),) = bars
    assert kwargs["disable"] is True and drawn.getvalue() == ""
    assert estimates == [False, False, False]
    assert capsys.readouterr().err == ""


def test_the_bar_is_drawn_on_stderr_without_a_bootstrap_bar(capsys):
    audit_distiller(Pair(), held_out(), epoch=5, settings=SETTINGS, progress=True)
    err = capsys.readouterr().err
    assert "audit epoch 5:" in err and "/3" in err
    assert "bootstrap" not in err
