"""pid_from_representations given what a notebook with torch networks holds (task 287): a
DataLoader or a Dataset in place of an array is refused with how to pass its values, where numpy
read it as one object ("an array of Python objects ... np.asarray(t_features, dtype=float)", a
fix that failed too) or its labels as "ragged" or as sample ids; a list of per-sample feature
tensors that require grad (or are bfloat16) is read as the tensors would be, as it was only
without grad (and in a dtype numpy has)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from pidkit.estimate import pid_from_representations

torch = pytest.importorskip("torch")
from torch.utils.data import DataLoader, Dataset, TensorDataset  # noqa: E402

N = 120


def _samples() -> tuple:
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(N, 6, generator=generator)
    y = (x[:, 0] > 0).long() + 2 * (x[:, 1] > 0).long()
    weights = torch.randn(6, 16, generator=generator, requires_grad=True)
    return y, torch.tanh(x @ weights), x[:, :3] + 0.5 * torch.randn(N, 3, generator=generator)


LOADER = ("{name} is a torch DataLoader, which yields batches; pass its {holds} as one array or "
          "tensor with a row per sample: collect the labels and both networks' features in one "
          "pass over the loader, then join each with torch.cat (a loader that shuffles gives "
          "another order on every pass, which would pair the samples wrongly).")


def test_a_dataloader_of_features_or_labels_says_to_collect_its_batches():
    y, t, s = _samples()
    with pytest.raises(TypeError, match=re.escape(LOADER.format(name="t_features",
                                                                holds="features"))):
        pid_from_representations(y, DataLoader(TensorDataset(t.detach()), batch_size=32), s)
    with pytest.raises(TypeError, match=re.escape(LOADER.format(name="s_features",
                                                                holds="features"))):
        pid_from_representations(y, t, DataLoader(s, batch_size=32))
    with pytest.raises(TypeError, match=re.escape(LOADER.format(name="y", holds="labels"))):
        pid_from_representations(DataLoader(y, batch_size=32), t, s)


def test_a_dataset_in_place_of_an_array_names_the_tensor_to_pass():
    y, t, s = _samples()
    with pytest.raises(TypeError, match=re.escape(
            "y is a torch TensorDataset, whose items are samples (tuples of tensors), not labels; "
            "pass its labels as one array or tensor with a row per sample: y.tensors[0].")):
        pid_from_representations(TensorDataset(y), t, s)
    with pytest.raises(TypeError, match=re.escape(
            "t_features is a torch TensorDataset, whose items are samples (tuples of tensors), "
            "not features; pass its features as one array or tensor with a row per sample: "
            "t_features.tensors[i], the one of its 2 tensors that holds them.")):
        pid_from_representations(y, TensorDataset(t.detach(), y), s)

    class Held(Dataset):  # a Dataset class of one's own
        def __len__(self) -> int:
            return N

        def __getitem__(self, i: int) -> tuple:
            return s[i], y[i]

    with pytest.raises(TypeError, match=re.escape(
            "s_features is a torch Held, whose items are samples (tuples of tensors), not "
            "features; pass its features as one array or tensor with a row per sample: the array "
            "or tensor it reads them from.")):
        pid_from_representations(y, t, Held())


def test_a_list_of_per_sample_tensors_that_require_grad_is_read_detached():
    y, t, s = _samples()
    s = s.bfloat16()  # numpy has no bfloat16: a list of such tensors was refused as well
    assert t.requires_grad
    whole = pid_from_representations(y, t, s, n_clusters=3)
    listed = pid_from_representations(y, list(t), list(s), n_clusters=3)
    assert listed.settings["t"]["n_features"] == 16
    np.testing.assert_allclose([listed.red, listed.uni_t, listed.uni_s, listed.syn],
                               [whole.red, whole.uni_t, whole.uni_s, whole.syn], atol=1e-12)
    assert abs(whole.i_yts) > 0.5
