"""A reader, or a writer killed at any moment, sees the previous output or the new one, never
half a file: the guarantee of `write_atomically`, tested directly."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from briefgen import atomic
from briefgen.atomic import write_atomically


def test_a_reader_sees_the_old_file_or_the_new_one_never_a_part(tmp_path: Path):
    target = tmp_path / "brief.pdf"
    versions = [bytes([i]) * (300_000 + 7_919 * i) for i in range(40)]
    write_atomically(target, versions[0])
    seen: list[bytes] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.append(target.read_bytes())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for version in versions[1:]:
            write_atomically(target, version)
    finally:
        stop.set()
        reader.join()
    whole = set(versions)
    assert seen and all(data in whole for data in seen), "a reader saw part of a file"
    assert target.read_bytes() == versions[-1]


@pytest.mark.parametrize("dies_at", ["fsync", "replace"])
def test_a_writer_killed_before_the_rename_leaves_the_previous_file(tmp_path: Path,
                                                                    dies_at: str):
    target = tmp_path / "brief.pdf"
    target.write_bytes(b"%PDF previous")
    pid = os.fork()
    if pid == 0:  # the child: killed (no clean-up runs) once the data is written, or renaming
        def die(*args: object, **kwargs: object) -> None:
            os._exit(9)

        setattr(atomic.os, dies_at, die)
        write_atomically(target, b"%PDF new and much longer " * 1000)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 9  # it really died in the middle
    assert target.read_bytes() == b"%PDF previous"


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "brief.pdf"
    target.write_bytes(b"previous")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    with pytest.raises(OSError):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.pdf"]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_get_the_mode_an_ordinary_write_would(tmp_path: Path, umask: int,
                                                            mode: int):
    previous = os.umask(umask)
    try:
        write_atomically(tmp_path / "out" / "brief.pdf", b"%PDF")
    finally:
        os.umask(previous)
    assert (tmp_path / "out" / "brief.pdf").stat().st_mode & 0o777 == mode
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~umask
