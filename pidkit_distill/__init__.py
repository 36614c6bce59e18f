"""pidkit_distill: knowledge distillation with a PID audit, built on pidkit (PyTorch only).

Subpackages: :mod:`pidkit_distill.models` (teachers and students with feature taps),
:mod:`pidkit_distill.data` (CIFAR-10/100, digits, the synthetic nuisance-teacher task) and
:mod:`pidkit_distill.methods` (distillation methods behind a registry).
"""
