"""`-o` naming a pipe or a device (`-o /dev/null`, a FIFO) writes into it: the atomic write
(temporary file, then rename) is for regular files only, since a rename over a device
replaces the device itself (as root, `/dev/null` became a regular file that way)."""

from __future__ import annotations

import json
import os
import stat
import threading

import pytest

from .conftest import PHI_NOTE, PHI_VALUES

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


def _fifo_reader(path):
    """A FIFO at ``path`` and a thread that reads everything written to it."""
    os.mkfifo(path)
    received = []
    reader = threading.Thread(target=lambda: received.append(path.read_bytes()), daemon=True)
    reader.start()
    return reader, received


@pytest.mark.parametrize("command", [
    ("scan", "note.txt", "--format", "json", "-o"),
    ("scrub", "--tags", "note.txt"),  # scrub SRC DST
])
def test_output_to_a_pipe_is_written_into_it_and_the_pipe_stays(deid, keyed, tmp_path, command):
    (tmp_path / "note.txt").write_text(PHI_NOTE)
    out = tmp_path / "out.fifo"
    reader, received = _fifo_reader(out)
    run = deid(*command, out.name)
    assert run.code in (0, 1), run.err
    reader.join(timeout=60)
    assert not reader.is_alive(), "nothing opened the pipe for writing"
    assert stat.S_ISFIFO(os.lstat(out).st_mode), "the pipe was replaced"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["note.txt", "out.fifo"]  # no temporary file left
    text = received[0].decode("utf-8")
    if command[0] == "scan":
        assert json.loads(text)["summary"]["by_type"]["PHONE"] == 1
    else:
        assert "[PHONE]" in text
    for value in PHI_VALUES:
        assert value not in text


def test_output_to_a_regular_file_is_still_replaced_atomically(deid, keyed, tmp_path):
    (tmp_path / "note.txt").write_text(PHI_NOTE)
    (tmp_path / "out.json").write_text("old")
    before = os.stat(tmp_path / "out.json").st_ino
    assert deid("scan", "note.txt", "--format", "json", "-o", "out.json").code == 1
    assert json.loads((tmp_path / "out.json").read_text())["summary"]["by_type"]["PHONE"] == 1
    assert os.stat(tmp_path / "out.json").st_ino != before  # a new file renamed over the old one
