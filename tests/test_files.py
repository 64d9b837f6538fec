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
