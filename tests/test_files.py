import pytest

from common._files import write_atomically


def test_writes_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "x.json"
    write_atomically(target, lambda h: h.write("{}"), binary=False)
    assert target.read_text() == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_a_failing_writer_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / "x.bin"
    target.write_bytes(b"old")

    def fail(handle):
        handle.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomically(target, fail, binary=True)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.bin"]


# ------------------------------------------------ leftovers of killed writers
import os
import time

from common._files import STALE_SECONDS, clean_stale_temporaries, temporary_pattern

OLD = time.time() - 2 * STALE_SECONDS


def _leftover(folder, name, age=OLD):
    path = folder / name
    path.write_text("half")
    os.utime(path, (age, age))
    return path


def test_the_temporary_names_are_those_write_atomically_makes(tmp_path, monkeypatch):
    import tempfile

    made = []
    real = tempfile.mkstemp
    monkeypatch.setattr(tempfile, "mkstemp", lambda **kw: made.append(real(**kw)) or made[-1])
    write_atomically(tmp_path / "qbi-x-0123.npz", lambda h: h.write(b"x"), binary=True)
    name = os.path.basename(made[0][1])
    assert temporary_pattern(r"qbi-.+\.npz").match(name), name


def test_only_stale_temporaries_of_the_given_names_are_removed(tmp_path):
    stale = _leftover(tmp_path, ".qbi-bone-0123.npz.abcd_123.tmp")
    fresh = _leftover(tmp_path, ".qbi-bone-4567.npz.abcd_123.tmp", age=time.time())
    others = [_leftover(tmp_path, name) for name in (
        ".qbi-notes.tmp",                      # not a temporary of a cache file
        ".other-0123.npz.abcd_123.tmp",        # a temporary of someone else's file
        "qbi-bone-0123.npz.abcd_123.tmp",      # no leading dot
        ".qbi-bone-0123.npz.abcd.tmp",         # not mkstemp's eight characters
        "qbi-bone-0123.npz",                   # a finished file
    )]
    assert clean_stale_temporaries(tmp_path, r"qbi-.+\.npz") == [stale]
    assert fresh.exists() and all(p.exists() for p in others)


def test_a_temporary_still_open_somewhere_is_kept(tmp_path):
    busy = _leftover(tmp_path, ".sample-00001.json.abcdefgh.tmp")
    with open(busy, "a"):   # a writer that has been stopped, not killed
        if os.path.isdir("/proc/self/fd"):
            assert clean_stale_temporaries(tmp_path, r"sample-\d{5,}\.json") == []
            assert busy.exists()
    assert clean_stale_temporaries(tmp_path, r"sample-\d{5,}\.json") == [busy]


def test_links_and_folders_are_never_removed(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep")
    link = tmp_path / ".sample-00001.json.abcdefgh.tmp"
    link.symlink_to(target)
    os.utime(link, (OLD, OLD), follow_symlinks=False)
    folder = tmp_path / ".sample-00002.json.abcdefgh.tmp"
    folder.mkdir()
    os.utime(folder, (OLD, OLD))
    assert clean_stale_temporaries(tmp_path, r"sample-\d{5,}\.json") == []
    assert link.is_symlink() and target.read_text() == "keep" and folder.is_dir()


def test_a_folder_that_cannot_be_listed_is_not_an_error(tmp_path):
    assert clean_stale_temporaries(tmp_path / "missing", r"x") == []


def test_files_are_written_with_the_mode_asked_less_the_umask(tmp_path):
    old = os.umask(0o002)
    try:
        write_atomically(tmp_path / "a", lambda h: h.write("x"), binary=False)
        write_atomically(tmp_path / "b", lambda h: h.write("x"), binary=False, mode=0o644)
    finally:
        os.umask(old)
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o664
    assert (tmp_path / "b").stat().st_mode & 0o777 == 0o644
