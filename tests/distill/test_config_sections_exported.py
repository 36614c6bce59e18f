"""The configuration's section classes are exported by ``pidkit_distill``, as ``TrainConfig`` is:
a user builds ``TrainConfig(run=RunConfig(epochs=3))`` from the package's own names
(``from pidkit_distill import RunConfig`` was an ImportError: only ``pidkit_distill.config``
had them)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pidkit_distill
from pidkit_distill import config as config_module


def test_every_section_class_of_a_configuration_is_the_package_s():
    sections = {field.name: field.default_factory for field in
                dataclasses.fields(pidkit_distill.TrainConfig)}
    assert len(sections) == 7
    for name, kind in sections.items():
        assert kind.__name__ in pidkit_distill.__all__, name
        assert getattr(pidkit_distill, kind.__name__) is getattr(config_module, kind.__name__)


def test_a_configuration_built_from_the_package_s_names_is_checked_as_one_loaded():
    from pidkit_distill import DataConfig, RunConfig, TrainConfig, load_config
    built = TrainConfig(data=DataConfig(name="Synthetic"), run=RunConfig(epochs=3, device="CPU"))
    loaded = load_config(overrides=["data.name=synthetic", "run.epochs=3", "run.device=cpu"])
    assert built == loaded


def test_importing_them_needs_no_torch():
    # the package's names are imported when first used; the configuration's need no PyTorch
    script = ("import sys\nfrom pidkit_distill import AuditConfig, RunConfig\n"
              "print('torch' in sys.modules, RunConfig().device, AuditConfig().bootstrap)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout == "False auto 40\n"
