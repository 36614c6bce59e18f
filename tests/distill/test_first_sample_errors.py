"""A data set of one's own whose first sample raises as the run checks it (before any training)
is one line naming the loader, the split, the error's type and words, exit 2; it was a traceback
for a KeyError (t-417's note: only ValueError, TypeError and OSError were one line there)."""

from __future__ import annotations

import pytest
import torch
from tiny_runs import TINY
from torch.utils.data import Dataset, TensorDataset

from pidkit_distill import DatasetBundle, load_dataset
from pidkit_distill.cli import main
from pidkit_distill.data.registry import _LOADERS, register_dataset


class Unreadable(Dataset):
    """A data set whose every sample raises ``error``."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __len__(self) -> int:
        return 32

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        raise self.error


@pytest.fixture
def unreadable(monkeypatch):
    """Register 'unreadable', whose training split raises the error the test puts in the dict."""
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))
    made: dict[str, BaseException] = {"error": KeyError("image_path")}

    @register_dataset("unreadable")
    def load(*, seed=0):
        x, y = torch.randn(32, 12), torch.arange(32) % 4
        return DatasetBundle(Unreadable(made["error"]), TensorDataset(x, y), num_classes=4,
                             input_shape=(12,))

    return made


@pytest.mark.parametrize("error", [KeyError("image_path"), IndexError("list index out of range"),
                                   RuntimeError("")])
def test_a_first_sample_that_raises_is_one_line_naming_the_error(unreadable, error, tmp_path, capsys):
    unreadable["error"] = error
    words = str(error).strip() or "no message"
    expected = (f"the loader registered as 'unreadable': reading train[0] raised "
                f"{type(error).__name__} ({words}); the error is the data set's own (its "
                "__getitem__ or what it reads): mend it, then rerun")
    with pytest.raises(ValueError) as raised:
        load_dataset("unreadable")
    assert str(raised.value) == expected and raised.value.__cause__ is error
    tiny = [option for item in TINY if not item.startswith("data.")
            for option in ("--set", item)]
    assert main(["train", *tiny, "--data", "unreadable", "--out-dir", str(tmp_path),
                 "--method", "kd", "--teacher", "untrained", "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err and "Traceback" not in err


def test_memory_running_out_is_raised_as_it_is(unreadable):
    unreadable["error"] = MemoryError()
    with pytest.raises(MemoryError):
        load_dataset("unreadable")
