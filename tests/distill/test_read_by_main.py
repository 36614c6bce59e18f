"""read_by_main in two gloo processes: rank 0 sends its file's bytes, in pieces, to a process
whose disk lacks it, which reads them through ``read``; a file that changes while rank 0 reads or
sends it stops both processes, each with an error that says so; a None that read_by_main gives
for a file whose reading never gives one is a RuntimeError that says so."""

from __future__ import annotations

import hashlib
import signal
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from tiny_runs import in_two_processes

# one process of 2 (RANK), reading argv[1]/node{RANK}/blob.bin through read_by_main, with
# pieces of 1000 bytes and argv[1]/tmp{RANK} as its temporary folder; argv[2] is the case:
# "sent", the file "grows while read" or "grows while sent" by rank 0 (after its first piece),
# rank 1 "has no room" for its copy (files of 2000 bytes at most: a full $TMPDIR), rank 0's disk
# "fails while sent" (EIO after its first piece), rank 1 "killed while read" (SIGKILL in read;
# the process it forked from prints what its temporary folder holds after), "sent without
# /proc/self/fd" (as on macOS or Windows), or rank 1's read of its copy raises an error that
# names it: "fails in rank 1's read" (a ValueError; also "... without /proc/self/fd") or
# "fails in rank 1's read of its disk" (EIO); or rank 0's file, written.bin until then,
# "appears once rank 0 could not open it" (renamed to blob.bin by rank 0's read, as atomic_write
# does: between rank 0's open and its read), or it "appears and goes" (renamed, then deleted
# after rank 0's read)
NODE = textwrap.dedent("""
    import hashlib, json, os, resource, signal, sys, tempfile
    from pathlib import Path

    rank, case = int(os.environ["RANK"]), sys.argv[2]
    tmp = Path(sys.argv[1]) / f"tmp{rank}"
    tmp.mkdir()
    tempfile.tempdir = str(tmp)

    def in_tmp():
        return sorted(str(found.relative_to(tmp)) for found in tmp.rglob("*"))

    if rank == 1 and case == "killed while read" and os.fork() > 0:  # the child is rank 1
        status = os.wait()[1]
        print(json.dumps({"exit": os.waitstatus_to_exitcode(status), "left": in_tmp()}))
        os._exit(0)

    import torch, torch.distributed as dist
    import pidkit_distill.training.file_sharing as file_sharing
    from pidkit_distill.training.file_sharing import read_by_main
    from pidkit_distill.training.runtime import Runtime

    path = Path(sys.argv[1]) / f"node{rank}" / "blob.bin"
    file_sharing._CHUNK_BYTES = 1000
    if case.endswith("without /proc/self/fd"):
        file_sharing._OPEN_FILES = Path(sys.argv[1]) / "no such folder"
    if rank == 1 and case == "has no room":
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))  # python ignores SIGXFSZ
    dist.init_process_group("gloo", init_method="env://")
    dist.barrier()  # both past set-up: a rank 0 failing at once would reset rank 1's connect
    pieces, broadcast = [], dist.broadcast

    def grow():
        with path.open("ab") as more:
            more.write(b"more")

    def counted(tensor, *args, **kwargs):
        if tensor.dtype == torch.uint8:
            if rank == 0 and case == "grows while sent" and len(pieces) == 1:
                grow()
            pieces.append(tensor.numel())
        return broadcast(tensor, *args, **kwargs)

    dist.broadcast = counted
    opens = Path.open

    class Failing:
        def __init__(self, held):
            self.held, self.fileno, self.close = held, held.fileno, held.close

        def readinto(self, buffer):
            if pieces:
                raise OSError(5, "Input/output error")
            return self.held.readinto(buffer)

    def failing(given, *args, **kwargs):
        held = opens(given, *args, **kwargs)
        return Failing(held) if args == ("rb",) and case == "fails while sent" else held

    Path.open = failing
    seen = []

    def read(given):
        seen.append([given.name, given == path, in_tmp()])
        if rank == 0 and case == "grows while read":
            grow()
        if rank == 1 and case == "killed while read":
            os.kill(os.getpid(), signal.SIGKILL)
        if rank == 1 and case == "fails in rank 1's read of its disk":
            raise OSError(5, "Input/output error", str(given))
        if rank == 1 and case.startswith("fails in rank 1's read"):
            raise ValueError(f"blob {str(given)!r} is damaged; {str(given)}")
        if rank == 0 and case.startswith("appears"):
            path.with_name("written.bin").rename(path)
        content = given.read_bytes()
        if rank == 0 and case == "appears and goes":
            path.unlink()
        return content

    try:
        got = read_by_main(Runtime(torch.device("cpu"), rank, 2, rank, True), path, read)
        done = {"sha256": hashlib.sha256(got).hexdigest(), "pieces": pieces, "read": seen,
                "left": in_tmp()}
    except Exception as err:
        done = {"error": f"{type(err).__name__}: {err}", "left": in_tmp()}
    print(json.dumps(done), flush=True)
    os._exit(0)  # without destroying the group: a failed rank 0 leaves rank 1 in a broadcast
""")

BLOB = bytes(range(256)) * 41 + b"end"  # 10499 bytes: 10 pieces of 1000 and one of 499


def _read_by_main_in_two(folder: Path, case: str) -> list[dict[str, Any]]:
    """Run NODE in two processes (gloo, torchrun's variables); return what each printed."""
    return in_two_processes(NODE, [[str(folder), case]] * 2)


def _nodes(tmp_path: Path) -> Path:
    """Rank 0's blob.bin, and on rank 1's disk an older one (an earlier run's)."""
    for node, content in (("node0", BLOB), ("node1", b"older")):
        (tmp_path / node).mkdir()
        (tmp_path / node / "blob.bin").write_bytes(content)
    return tmp_path


def test_a_file_of_many_pieces_reaches_the_process_that_lacks_it_as_bytes_read_by_read(
        tmp_path):
    # rank 0 pickled the object its read gave (broadcast_object_list) and rank 1 unpickled it
    # without calling read: 4 times the file in host memory; now rank 1 receives the bytes in
    # pieces and reads them, written to a file of its temporary folder that has no name there
    # (it was pidkit_distill-XXXX/blob.bin, which a process killed while it read left behind)
    rank_0, rank_1 = _read_by_main_in_two(_nodes(tmp_path), "sent")
    expected = hashlib.sha256(BLOB).hexdigest()
    assert rank_0 == {"sha256": expected, "pieces": [1000] * 10 + [499],
                      "read": [["blob.bin", True, []]], "left": []}
    [[name, _, in_tmp]] = rank_1.pop("read")
    assert rank_1 == {"sha256": expected, "pieces": [1000] * 10 + [499], "left": []}
    assert (name.isdigit(), in_tmp) == (True, [])  # read /proc/self/fd/N, nothing in $TMPDIR
    assert (tmp_path / "node1" / "blob.bin").read_bytes() == b"older"  # rank 0 alone writes


@pytest.mark.skipif(sys.platform != "linux", reason="elsewhere the copy has a name (no /proc)")
def test_a_process_killed_while_it_reads_rank_0s_copy_leaves_nothing_in_its_temporary_folder(
        tmp_path):
    # a process killed outright (SIGKILL, the out-of-memory killer) while it read its copy left
    # it in $TMPDIR, forever: pidkit_distill-XXXX/blob.bin, the size of the checkpoint
    rank_0, rank_1 = _read_by_main_in_two(_nodes(tmp_path), "killed while read")
    assert rank_0["sha256"] == hashlib.sha256(BLOB).hexdigest()
    assert rank_1 == {"exit": -signal.SIGKILL, "left": []}


def test_without_proc_self_fd_the_copy_is_named_as_rank_0s_and_removed_after(tmp_path):
    rank_0, rank_1 = _read_by_main_in_two(_nodes(tmp_path), "sent without /proc/self/fd")
    assert rank_0["sha256"] == rank_1["sha256"] == hashlib.sha256(BLOB).hexdigest()
    [[name, is_path, [folder, copy]]] = rank_1["read"]
    assert (name, is_path, copy) == ("blob.bin", False, str(Path(folder) / "blob.bin"))
    assert folder.startswith("pidkit_distill-")
    assert rank_1["left"] == []


@pytest.mark.parametrize(("case", "rank_1_error"), [
    # it named rank 1's copy: '/proc/self/fd/N', or '$TMPDIR/pidkit_distill-XXXX/blob.bin'
    ("fails in rank 1's read", "ValueError: blob '{path}' (rank 0's file, as rank 1 received "
     "it) is damaged; {path}"),
    ("fails in rank 1's read without /proc/self/fd", "ValueError: blob '{path}' (rank 0's file, "
     "as rank 1 received it) is damaged; {path}"),
    ("fails in rank 1's read of its disk", "OSError: [Errno 5] Input/output error (rank 0's "
     "file, as rank 1 received it): '{path}'"),
])
def test_an_error_of_reading_the_copy_rank_0_sent_names_rank_0s_file_not_the_copy(
        tmp_path, case, rank_1_error):
    rank_0, rank_1 = _read_by_main_in_two(_nodes(tmp_path), case)
    assert rank_0["sha256"] == hashlib.sha256(BLOB).hexdigest()
    assert rank_1 == {"error": rank_1_error.format(path=tmp_path / "node1" / "blob.bin"),
                      "left": []}


@pytest.mark.parametrize(("case", "rank_0_error", "rank_1_error"), [
    # it was "OSError: [Errno 5] Input/output error", naming no file
    ("fails while sent", "OSError: [Errno 5] rank 0 could not read '{path}' to send it to the "
     "processes whose disks lack it: Input/output error; check that disk, and run again",
     "RuntimeError: rank 0 could not send '{path}' to the processes whose disks lack it; "
     "rank 0's error says why"),
    # rank 0 sent what its read gave (the file grown meanwhile) and rank 1 took it
    ("grows while read", "ValueError: '{path}' changed while rank 0 read it",
     "RuntimeError: "),  # gloo's, once rank 0 has exited
    # rank 0's bytes would have been half the old file, half the new one
    ("grows while sent", "ValueError: '{path}' changed while rank 0 sent it",
     "RuntimeError: rank 0 could not send '{path}' to the processes whose disks lack it; "
     "rank 0's error says why"),
    # rank 0 read a file it could not open before, and none after: both got None, as if rank 0
    # had found none (which train, the teacher's read, a student_init run took for a bug)
    ("appears and goes", "ValueError: '{path}' changed while rank 0 read it",
     "RuntimeError: "),  # gloo's, once rank 0 has exited
])
def test_a_file_that_changes_while_rank_0_reads_or_sends_it_stops_both_processes(
        tmp_path, case, rank_0_error, rank_1_error):
    nodes = _nodes(tmp_path)
    if case == "appears and goes":
        (nodes / "node0" / "blob.bin").rename(nodes / "node0" / "written.bin")
    rank_0, rank_1 = _read_by_main_in_two(nodes, case)
    assert rank_0["error"].startswith(rank_0_error.format(path=tmp_path / "node0" / "blob.bin"))
    assert rank_1["error"].startswith(rank_1_error.format(path=tmp_path / "node1" / "blob.bin"))


def test_a_file_that_appears_once_rank_0_could_not_open_it_reaches_every_process(tmp_path):
    # rank 0's open failed, and its read found the file, written meanwhile: rank 0 told the
    # others "no file" ([-1, -1]), so that every process got None for a file rank 0 had read
    nodes = _nodes(tmp_path)
    (nodes / "node0" / "blob.bin").rename(nodes / "node0" / "written.bin")
    rank_0, rank_1 = _read_by_main_in_two(nodes, "appears once rank 0 could not open it")
    expected = hashlib.sha256(BLOB).hexdigest()
    assert rank_0 == {"sha256": expected, "pieces": [1000] * 10 + [499],
                      "read": [["blob.bin", True, []]], "left": []}
    assert (rank_1["sha256"], rank_1["pieces"]) == (expected, [1000] * 10 + [499])


def test_a_process_without_room_for_rank_0s_copy_says_where_and_how_to_make_room(tmp_path):
    # it said "[Errno 27] rank 1 lacks '...' and could not write rank 0's copy to its temporary
    # folder ($TMPDIR): [Errno 27] File too large": neither the folder, nor the room it needs,
    # nor what to do
    rank_0, rank_1 = _read_by_main_in_two(_nodes(tmp_path), "has no room")
    assert rank_0["sha256"] == hashlib.sha256(BLOB).hexdigest()  # in step: rank 0 is done
    path = tmp_path / "node1" / "blob.bin"
    assert rank_1["error"].startswith(
        f"OSError: [Errno 27] rank 1 lacks '{path}' and could not write rank 0's copy (10499 "
        "bytes) to its temporary folder '/")
    assert rank_1["error"].endswith(
        "': File too large; free space there, or set TMPDIR to a folder with room for it")


def test_a_teacher_file_of_which_read_by_main_gave_nothing_is_a_runtime_error_that_says_so(
        tmp_path, monkeypatch):
    # load_teacher (and a student_init run) asserted it: a bare AssertionError, saying nothing
    from pidkit_distill import load_config, load_dataset
    from pidkit_distill.training import teacher

    path = tmp_path / "teacher.pt"
    monkeypatch.setattr(teacher, "read_by_main", lambda runtime, given, read: None)
    config = load_config(overrides=[f"teacher.source='{path}'"])
    with pytest.raises(RuntimeError) as caught:
        teacher.load_teacher(config, bundle=load_dataset("digits"))
    assert str(caught.value) == (
        f"pidkit_distill read '{path}' but got nothing of it (read_by_main gave None, which the "
        "reading of that file never gives): a bug of pidkit_distill; please report it with this "
        "message")
