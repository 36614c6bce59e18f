"""The base Distiller records each network's pooled width, which sizes ITRD's embedding and
MIMKD's critic without a second probe of the networks."""

from __future__ import annotations

import torch

from pidkit_distill.methods import get_method
from pidkit_distill.models.small import SmallCNN


def _pair() -> tuple[SmallCNN, SmallCNN, torch.Tensor]:
    torch.manual_seed(0)
    # the pooled vector is the last block's channels: 12 for the student, 40 for the teacher,
    # which differ from the first distilled layers' widths (4 and 8)
    student = SmallCNN(num_classes=3, widths=(4, 6, 12))
    teacher = SmallCNN(num_classes=3, widths=(8, 16, 40))
    return student, teacher, torch.randn(5, 1, 8, 8)


def test_pooled_widths_are_the_classifiers_inputs() -> None:
    student, teacher, x = _pair()
    distiller = get_method("kd")(student, teacher, sample_input=x, num_classes=3)
    assert (distiller.student_pooled_dim, distiller.teacher_pooled_dim) == (12, 40)
    assert distiller.student_pooled_dim == student.fc.in_features
    assert distiller.teacher_pooled_dim == teacher.fc.in_features


def test_itrd_embedding_maps_the_student_pooled_width_to_the_teacher_s() -> None:
    student, teacher, x = _pair()
    itrd = get_method("itrd")(student, teacher, sample_input=x, num_classes=3)
    assert (itrd.embed.in_features, itrd.embed.out_features) == (12, 40)
    out = itrd(x, torch.arange(5) % 3, epoch=0)
    assert sorted(out.losses) == ["ce", "corr", "mi"]
    assert all(torch.isfinite(v) for v in out.losses.values())
