"""`watch.walk`, the listing `watch` and `preview` poll: it never reaches outside the folder it is
given, however the folder or its parts are turned into symlinks, and it lists a bounded number
of files however big the folder is.

A brief's folder is shared (a git checkout, an unpacked archive): a subfolder replaced by a link
to /etc or $HOME must not make the watch list and stat() every file there, every 50 ms, and print
the names of those that change.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from briefgen import watch
from briefgen.watch import walk


def listed(root: Path, skip: tuple[Path, ...] = ()) -> set[str]:
    """What `walk` lists, as paths relative to `root` as given."""
    return {path.relative_to(root).as_posix() for path in walk(root, skip)}


@pytest.fixture
def brief(tmp_path: Path) -> Path:
    """A brief folder with a data subfolder, and beside it a folder that stands for /etc."""
    folder = tmp_path / "project" / "content" / "mini"
    (folder / "data").mkdir(parents=True)
    (folder / "brief.md").write_text("# Summary\nText.\n", encoding="utf-8")
    (folder / "data" / "rows.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "passwd").write_text("root:x:0:0\n", encoding="utf-8")
    (outside / "deep" / "id_rsa").write_text("secret\n", encoding="utf-8")
    return folder


def test_a_subfolder_that_links_outside_is_not_followed(brief: Path, tmp_path: Path):
    (brief / "etc").symlink_to(tmp_path / "outside", target_is_directory=True)
    (brief / "home").symlink_to(Path.home(), target_is_directory=True)
    assert listed(brief) == {"brief.md", "data/rows.csv"}


def test_a_subfolder_that_links_inside_is_not_followed_either(brief: Path):
    """Its files are listed once, under their real folder, not twice (or in a loop)."""
    (brief / "again").symlink_to(brief / "data", target_is_directory=True)
    (brief / "data" / "loop").symlink_to(brief, target_is_directory=True)
    assert listed(brief) == {"brief.md", "data/rows.csv"}


def test_a_subfolder_replaced_by_a_link_while_it_is_walked_is_not_followed(
        brief: Path, tmp_path: Path):
    """The swap happens after the folder was listed as a folder and before it is entered: the
    walk opens each folder from its parent without following a link, so it is refused then."""
    listing = walk(brief)
    first = next(listing)  # the root's own files come before its subfolders
    assert first.name == "brief.md"
    shutil.rmtree(brief / "data")
    (brief / "data").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert [path.name for path in listing] == []


def test_a_linked_file_is_listed_only_when_its_target_is_inside(brief: Path, tmp_path: Path):
    (brief / "passwd").symlink_to(tmp_path / "outside" / "passwd")
    (brief / "up.csv").symlink_to(Path("..") / ".." / ".." / "outside" / "passwd")
    (brief / "key").symlink_to(tmp_path / "outside" / "deep" / "id_rsa")
    (brief / "same.csv").symlink_to(brief / "data" / "rows.csv")
    (brief / "relative.csv").symlink_to(Path("data") / "rows.csv")
    assert listed(brief) == {"brief.md", "data/rows.csv", "same.csv", "relative.csv"}


def test_a_linked_file_that_leaves_through_a_linked_folder_is_not_listed(
        brief: Path, tmp_path: Path):
    (brief / "data" / "via").symlink_to(tmp_path / "outside", target_is_directory=True)
    (brief / "sneaky.csv").symlink_to(Path("data") / "via" / "passwd")
    assert listed(brief) == {"brief.md", "data/rows.csv"}


def test_a_root_that_is_a_link_is_walked_where_it_points_and_spelled_as_given(
        brief: Path, tmp_path: Path):
    """A brief folder linked into a project (content/mini → ~/shared/mini) is watched: its files
    are named under the link, as the loader names them."""
    link = tmp_path / "project" / "content" / "linked"
    link.symlink_to(brief, target_is_directory=True)
    paths = list(walk(link))
    assert {path.relative_to(link).as_posix() for path in paths} == {"brief.md",
                                                                     "data/rows.csv"}
    assert all(path.is_relative_to(link) for path in paths)


def test_a_root_swapped_for_a_link_mid_watch_is_not_walked_until_it_is_back(
        brief: Path, tmp_path: Path):
    assert listed(brief) == {"brief.md", "data/rows.csv"}  # the watch's first poll
    real = brief.with_name("mini.real")
    brief.rename(real)
    brief.symlink_to(tmp_path / "outside", target_is_directory=True)
    assert listed(brief) == set()
    brief.unlink()
    brief.symlink_to(Path.home(), target_is_directory=True)
    assert listed(brief) == set()
    brief.unlink()
    real.rename(brief)
    assert listed(brief) == {"brief.md", "data/rows.csv"}


def test_a_linked_root_re_pointed_mid_watch_is_not_walked_at_its_new_target(
        brief: Path, tmp_path: Path):
    link = tmp_path / "project" / "content" / "linked"
    link.symlink_to(brief, target_is_directory=True)
    assert listed(link) == {"brief.md", "data/rows.csv"}
    link.unlink()
    link.symlink_to(tmp_path / "outside", target_is_directory=True)
    assert listed(link) == set()


def test_what_is_listed_is_capped_in_files(brief: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(watch, "MAX_WATCHED_FILES", 5)
    for number in range(20):
        (brief / f"note-{number}.txt").write_text("x", encoding="utf-8")
    assert len(list(walk(brief))) == 5


def test_what_is_read_is_capped_too_in_a_folder_of_folders(
        brief: Path, monkeypatch: pytest.MonkeyPatch):
    """Empty folders list no file, yet each costs reading: a tree of a million of them, or one
    folder of a million entries, must not make every poll take minutes."""
    monkeypatch.setattr(watch, "MAX_WATCHED_FILES", 50)
    for number in range(300):
        (brief / "tree" / f"{number:03}").mkdir(parents=True)
        (brief / "flat" / f"{number:03}.txt").parent.mkdir(exist_ok=True)
        (brief / "flat" / f"{number:03}.txt").write_text("x", encoding="utf-8")
    read: list[str] = []
    real_scandir = os.scandir

    class Counted:
        def __init__(self, path: object) -> None:
            self.listing = real_scandir(path)

        def __enter__(self) -> Counted:
            return self

        def __exit__(self, *exc: object) -> None:
            self.listing.close()

        def __iter__(self) -> Counted:
            return self

        def __next__(self) -> os.DirEntry:
            entry = next(self.listing)
            read.append(entry.name)
            return entry

    monkeypatch.setattr(os, "scandir", Counted)
    assert len(list(walk(brief))) <= 50
    assert 0 < len(read) <= 50


def test_a_very_deep_folder_is_walked_only_so_far(brief: Path):
    deep = brief.joinpath(*["d"] * (watch.MAX_WALK_DEPTH + 5))
    deep.mkdir(parents=True)
    (deep / "bottom.md").write_text("x", encoding="utf-8")
    (deep.parents[5] / "within.md").write_text("x", encoding="utf-8")
    names = {path.name for path in walk(brief)}
    assert "within.md" in names and "bottom.md" not in names


def test_hidden_cache_skipped_and_editor_files_are_left_out(brief: Path):
    (brief / ".git").mkdir()
    (brief / ".git" / "HEAD").write_text("x", encoding="utf-8")
    (brief / "node_modules" / "x").mkdir(parents=True)
    (brief / "node_modules" / "x" / "index.js").write_text("x", encoding="utf-8")
    (brief / "out").mkdir()
    (brief / "out" / "memo.pdf").write_text("x", encoding="utf-8")
    for name in (".brief.md.swp", "#brief.md#", "brief.md~"):
        (brief / name).write_text("x", encoding="utf-8")
    assert listed(brief, skip=(brief / "out",)) == {"brief.md", "data/rows.csv"}


def test_a_root_that_is_not_there_or_not_a_folder_lists_nothing(brief: Path):
    assert listed(brief / "missing") == set()
    assert listed(brief / "brief.md") == set()
