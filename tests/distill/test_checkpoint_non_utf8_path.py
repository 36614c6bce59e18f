"""A checkpoint in a folder whose name is not UTF-8 is read, mapped or not.

torch maps a file by its name encoded as UTF-8, so ``torch.load(mmap=True)`` of such a name raised
UnicodeEncodeError, which the reader reported as a damaged file: ``load_student`` on a sound run
folder failed once its reads were mapped.
"""

import os
import sys
from pathlib import Path

import pytest
import torch

from pidkit_distill.training.checkpoint import safe_load

pytestmark = pytest.mark.skipif(sys.platform == "win32" or sys.getfilesystemencoding() != "utf-8",
                                reason="names that are not UTF-8 as POSIX file systems keep them")


@pytest.fixture
def saved_in_a_non_utf8_folder(tmp_path):
    folder = os.path.join(os.fsencode(tmp_path), b"run\xff")
    os.mkdir(folder)
    path = os.fsdecode(os.path.join(folder, b"checkpoint.pt"))
    torch.save({"weights": torch.arange(6.0)}, path)
    return path


@pytest.mark.parametrize("mmap", [False, True])
def test_a_file_named_in_bytes_that_are_not_utf8_is_read(saved_in_a_non_utf8_folder, mmap):
    saved = safe_load(Path(saved_in_a_non_utf8_folder), what="checkpoint", holds="a dict",
                      mmap=mmap)
    assert torch.equal(saved["weights"], torch.arange(6.0))

