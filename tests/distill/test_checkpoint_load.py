"""safe_load says "not a file written by torch.save" only of files that are not: memory running
out while a sound file is read is a MemoryError, and a failed read names the file and its reason."""

from __future__ import annotations

import errno
import pickle
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import torch

from pidkit_distill.training.checkpoint import safe_load

HOLDS = "a dict of tensors"


def _load(path):
    return safe_load(path, what="checkpoint", holds=HOLDS)


def _not_torch(path) -> str:
    return f"checkpoint {str(path)!r} is not a file written by torch.save"


def _sound_file(tmp_path):
    path = tmp_path / "sound.pt"
    torch.save({"w": torch.arange(1000)}, path)
    return path


def _torch_load_raising(monkeypatch, error: BaseException) -> None:
    def raising(*args, **kwargs):
        raise error

    monkeypatch.setattr(torch, "load", raising)


def _another_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "not torch's")


def _plain_pickle(path):
    path.write_bytes(pickle.dumps([1, 2, 3], protocol=2))


def _old_format_cut_off(path):
    torch.save({"w": torch.arange(100)}, path, _use_new_zipfile_serialization=False)
    path.write_bytes(path.read_bytes()[:-20])


def _zip_with_bytes_cut_out(path):
    torch.save({"w": torch.arange(1000)}, path)
    data = path.read_bytes()
    path.write_bytes(data[:200] + data[400:])  # its end record kept: a zip file still


def _zip_cut_off(path):
    torch.save({"w": torch.arange(1000)}, path)
    path.write_bytes(path.read_bytes()[:-100])


def _zip_with_a_damaged_storage_record(path):
    # data.pkl's persistent id names the int 1 where a storage type belongs: torch.load raises
    # AttributeError ('int' object has no attribute 'dtype'), a traceback before
    torch.save({"w": torch.arange(3)}, path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    pickled = next(name for name in members if name.endswith("/data.pkl"))
    members[pickled] = (b"\x80\x02(X\x07\x00\x00\x00storageK\x01X\x01\x00\x00\x000"
                        b"X\x03\x00\x00\x00cpuK\x03tQ.")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _end_record_of_two_disks(path):
    # a zip64 end locator saying the archive spans 2 disks, before an empty end record:
    # zipfile.is_zipfile itself raises BadZipFile for it
    path.write_bytes(b"PK\x06\x07" + struct.pack("<LQL", 0, 0, 2) + b"PK\x05\x06" + bytes(18))


@pytest.mark.parametrize("make, detail", [
    (_another_zip, " (RuntimeError: [enforce fail at inline_container.cc:"),
    (_plain_pickle, " (RuntimeError: Invalid magic number; corrupt file?); expected"),
    (_old_format_cut_off, " (RuntimeError: unexpected EOF, expected 20 more bytes."),
    (_zip_with_bytes_cut_out, " (RuntimeError: PytorchStreamReader failed reading zip archive"),
    (_zip_cut_off, f"; expected {HOLDS}"),
    (_end_record_of_two_disks, " (zipfiles that span multiple disks are not supported); "
                               f"expected {HOLDS}"),
    (_zip_with_a_damaged_storage_record,
     " (AttributeError: 'int' object has no attribute 'dtype'); expected"),
], ids=["another-zip", "plain-pickle", "old-format-cut-off", "zip-with-bytes-cut-out",
        "zip-cut-off", "end-record-of-two-disks", "zip-with-a-damaged-storage-record"])
def test_a_file_torch_save_did_not_write_is_named_so(tmp_path, make, detail):
    # the end record of two disks raised zipfile.BadZipFile from safe_load: a traceback
    path = tmp_path / "checkpoint.pt"
    make(path)
    with pytest.raises(ValueError) as refused:
        _load(path)
    assert str(refused.value).startswith(_not_torch(path) + detail)
    assert str(refused.value).endswith(f"; expected {HOLDS}")


@pytest.mark.parametrize("error", [
    EOFError(), IndexError("list index out of range"), KeyError(9),
    AssertionError("storage key '6' not found in deserialized_objects"),
    UnicodeDecodeError("utf-8", b"\xa2", 0, 1, "invalid start byte"),
    TypeError("_rebuild_tensor_v2() missing 1 required positional argument"),
    ValueError("invalid literal for int() with base 10: b'\\x08'"),
    struct.error("unpack requires a buffer of 4 bytes"),
    # types outside those measured (a traceback before the review of 8a6ba16): a damaged
    # pickle can make torch's unpickler raise any type
    AttributeError("'int' object has no attribute 'dtype'"),
    OverflowError("Python int too large to convert to C long"),
    zipfile.BadZipFile("Bad magic number for file header"),
    ZeroDivisionError("division by zero"),
], ids=lambda error: type(error).__name__)
def test_what_torch_raises_for_a_damaged_file_names_it_so(tmp_path, monkeypatch, error):
    # those measured were raised by torch.load(weights_only=True) for torch files with bytes cut
    # or changed; any other but OSError and MemoryError is taken the same way
    path = _sound_file(tmp_path)
    _torch_load_raising(monkeypatch, error)
    with pytest.raises(ValueError) as refused:
        _load(path)
    first = str(error).strip()
    assert str(refused.value) == f"{_not_torch(path)} ({type(error).__name__}: {first}); " \
                                 f"expected {HOLDS}"


def test_memory_running_out_reading_a_sound_file_is_a_memory_error(tmp_path, monkeypatch):
    # before: ValueError "checkpoint '...' is not a file written by torch.save (MemoryError: )"
    path = _sound_file(tmp_path)
    out_of_memory = MemoryError()
    _torch_load_raising(monkeypatch, out_of_memory)
    with pytest.raises(MemoryError) as raised:
        _load(path)
    assert raised.value is out_of_memory


@pytest.mark.parametrize("mmap", [False, True], ids=["read", "mmap"])
def test_torch_running_out_of_memory_is_a_memory_error_naming_the_file(tmp_path, mmap):
    # torch reports its allocator's refusal as a RuntimeError: before, a sound checkpoint was
    # 'not a file written by torch.save (RuntimeError: [enforce fail at alloc_cpu.cpp:...'
    path = tmp_path / "checkpoint.pt"
    torch.save({"w": torch.ones(2**23)}, path)  # 32 MB, more than the process may add
    script = (
        "import re, resource, sys\n"
        "from pidkit_distill.training.checkpoint import safe_load\n"
        "status = open('/proc/self/status').read()\n"
        "size = int(re.search(r'VmSize:\\s+(\\d+)', status).group(1)) * 1024\n"
        "resource.setrlimit(resource.RLIMIT_AS, (size + 8 * 2**20, resource.RLIM_INFINITY))\n"
        "try:\n"
        f"    safe_load(sys.argv[1], what='checkpoint', holds='x', mmap={mmap})\n"
        "except MemoryError as err:\n"
        "    print(err)\n")
    if not Path("/proc/self/status").is_file():
        pytest.skip("reads its address space's size from /proc")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                          text=True, timeout=120, check=True)
    reason = (f"unable to mmap {path.stat().st_size} bytes from file <{path}>: Cannot allocate "
              "memory (12)" if mmap else "DefaultCPUAllocator: can't allocate memory: you tried "
              "to allocate 33554432 bytes.")
    assert done.stdout.startswith(f"memory ran out while checkpoint {str(path)!r} was read "
                                  f"({reason}")


def test_a_file_system_that_cannot_map_the_file_has_it_read_whole(tmp_path, monkeypatch):
    # before: "[Errno 19] checkpoint '...' could not be read: No such device": a sound file on a
    # file system that maps no files (some FUSE and network mounts) could never be read mapped,
    # and every teacher and checkpoint read asks for mapping
    path = _sound_file(tmp_path)
    load, asked = torch.load, []

    def mapping_refused(file, *args, **kwargs):
        asked.append(kwargs.get("mmap"))
        if kwargs.get("mmap"):
            raise RuntimeError(f"unable to mmap 8000 bytes from file <{file}>: No such device (19)")
        return load(file, *args, **kwargs)

    monkeypatch.setattr(torch, "load", mapping_refused)
    assert torch.equal(safe_load(path, what="checkpoint", holds=HOLDS, mmap=True)["w"],
                       torch.arange(1000))
    assert asked == [True, False]


@pytest.mark.parametrize("error", [
    OSError(errno.EIO, "Input/output error"),
    PermissionError(errno.EACCES, "Permission denied"),
    OSError("a read failed"),  # no errno
], ids=["EIO", "EACCES", "no-errno"])
def test_a_failed_read_names_the_file_and_the_system_s_reason(tmp_path, monkeypatch, error):
    # before: "[Errno 5] Input/output error", without the file, from torch.load
    path = _sound_file(tmp_path)
    _torch_load_raising(monkeypatch, error)
    with pytest.raises(OSError) as raised:
        _load(path)
    reason = error.strerror or str(error)
    message = (f"checkpoint {str(path)!r} could not be read: {reason}; the file itself may be "
               "sound: check its permissions and its disk, then run again")
    assert str(raised.value) == (message if error.errno is None
                                 else f"[Errno {error.errno}] {message}")
    assert type(raised.value) is type(error)
    assert raised.value.errno == error.errno
    assert raised.value.__cause__ is error


def test_a_failed_read_before_torch_reads_it_names_the_file_too(tmp_path, monkeypatch):
    path = _sound_file(tmp_path)
    opened = type(path).open

    def fails_to_read(self, *args, **kwargs):
        if self == path:
            raise OSError(errno.EIO, "Input/output error", str(self))
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(type(path), "open", fails_to_read)
    with pytest.raises(OSError) as raised:
        _load(path)
    assert str(raised.value) == (
        f"[Errno 5] checkpoint {str(path)!r} could not be read: Input/output error; the file "
        "itself may be sound: check its permissions and its disk, then run again")


def test_a_sound_file_still_loads(tmp_path):
    loaded = _load(_sound_file(tmp_path))
    assert torch.equal(loaded["w"], torch.arange(1000))
