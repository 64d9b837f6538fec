"""The contract of common.data: names, errors, hashes and the disk cache."""
import os
import tempfile
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest

import common.data as data
from common.data import _registry


# ---------------------------------------------------------------- registry
def test_available_lists_every_name_with_one_line():
    listing = data.available()
    assert list(listing) == data.names() == sorted(listing)
    for name, summary in listing.items():
        assert summary and "\n" not in summary, name


@pytest.mark.parametrize("name", data.names())
def test_every_dataset_is_documented_like_an_api(name):
    doc = data.describe(name)
    assert len(doc) > 300, f"{name}: the documentation is too short"
    assert "Parameters of load():" in doc


def test_unknown_name_lists_valid_names():
    with pytest.raises(data.UnknownDatasetError) as err:
        data.load("nope")
    message = str(err.value)
    assert "'nope'" in message
    for name in data.names():
        assert name in message


def test_unknown_parameter_names_it_and_the_allowed_ones(data_cache):
    with pytest.raises(TypeError, match=r"no parameter 'size'.*shape, seed"):
        data.load("bone_slice", size=3)


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "0", True])
def test_bad_seed_says_what_is_allowed(seed, data_cache):
    with pytest.raises(ValueError, match=r"seed must be an integer from 0 to 4294967295, got"):
        data.load("bone_slice", seed=seed)


@pytest.mark.parametrize("shape", [(10, 10), (180,), (180, 140, 3), "big", (180.0, 140), (2000, 140)])
def test_bad_shape_says_what_is_allowed(shape, data_cache):
    with pytest.raises(ValueError, match=r"shape must be a tuple of 2 integers, each from 64 to 1024"):
        data.load("bone_slice", shape=shape)


def test_registering_a_name_twice_fails():
    with pytest.raises(ValueError, match="registered twice"):
        data.register("bone_slice", "again", "0" * 64)(lambda: np.zeros(1))


# ----------------------------------------------------------- fingerprints
def test_fingerprint_depends_on_dtype_shape_and_values():
    a = np.arange(6, dtype=np.int32)
    base = data.fingerprint(a)
    assert data.fingerprint(a.copy()) == base
    assert data.fingerprint(a.astype(np.int64)) != base
    assert data.fingerprint(a.reshape(2, 3)) != base
    b = a.copy()
    b[0] = 1
    assert data.fingerprint(b) != base


def test_fingerprint_of_tables_is_independent_of_string_storage():
    frame = pd.DataFrame({"x": [1.0, 2.0], "side": ["left", "right"]})
    as_object = frame.astype({"side": object})
    assert data.fingerprint(frame) == data.fingerprint(as_object)
    assert data.fingerprint(frame) != data.fingerprint(frame.rename(columns={"x": "y"}))


def test_fingerprint_rejects_other_types():
    with pytest.raises(TypeError, match="NumPy array or a pandas DataFrame"):
        data.fingerprint([1, 2, 3])


# ------------------------------------------------------------------ cache
def test_cache_folder_follows_the_environment_variable(data_cache):
    assert data.cache_dir() == data_cache
    data.load("bone_slice")
    assert data.cache_path("bone_slice").parent == data_cache
    assert data.cache_path("bone_slice").is_file()


def test_default_cache_folder_is_the_users_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("QBI_DATA_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(_registry.sys, "platform", "linux")
    assert data.cache_dir() == tmp_path / "qbi-book" / "data"


def test_second_load_reads_the_cache_and_returns_equal_data(data_cache, monkeypatch):
    first = data.load("bone_slice")
    calls = []
    original = _registry._generate
    monkeypatch.setattr(_registry, "_generate", lambda *a: calls.append(a) or original(*a))
    second = data.load("bone_slice")
    assert calls == []
    np.testing.assert_array_equal(first, second)
    second[0, 0] = 0  # the caller owns its copy
    assert data.load("bone_slice")[0, 0] == first[0, 0]


def _damage(path, how):
    raw = bytearray(path.read_bytes())
    if how == "truncate":
        raw = raw[: len(raw) // 2]
    elif how == "delete-byte":
        del raw[len(raw) // 2]
    elif how == "flip-byte":
        # Flip a byte of the stored data, not of the zip headers: the file
        # still opens, only the hash can tell. The byte is the middle one of
        # the largest member's data (the middle of the file may fall on a
        # header field that nothing reads, such as a time stamp).
        with zipfile.ZipFile(path) as archive:
            member = max(archive.infolist(), key=lambda info: info.compress_size)
        start = member.header_offset
        names = int.from_bytes(raw[start + 26:start + 28], "little")
        extra = int.from_bytes(raw[start + 28:start + 30], "little")
        raw[start + 30 + names + extra + member.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("name", ["bone_slice", "bone_slice_cells"])
@pytest.mark.parametrize("how", ["truncate", "delete-byte", "flip-byte"])
def test_damaged_cache_file_is_detected_and_regenerated(name, how, data_cache):
    good = data.load(name)
    path = data.cache_path(name)
    _damage(path, how)
    with pytest.warns(RuntimeWarning, match="damaged"):
        again = data.load(name)
    assert data.fingerprint(again) == data.get(name).sha256
    # ... and the repaired file is good again
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert data.fingerprint(data.load(name)) == data.fingerprint(good)


def test_non_default_parameters_are_cached_and_verified_too(data_cache):
    small = data.load("bone_slice", shape=(96, 80), seed=3)
    path = data.cache_path("bone_slice", shape=(96, 80), seed=3)
    assert path.is_file() and path != data.cache_path("bone_slice")
    _damage(path, "flip-byte")
    with pytest.warns(RuntimeWarning, match="damaged"):
        np.testing.assert_array_equal(data.load("bone_slice", shape=(96, 80), seed=3), small)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unwritable_cache_warns_and_computes_in_memory(tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()
    monkeypatch.setenv("QBI_DATA_CACHE", str(folder / "cache"))

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(folder))

    # Root may write anywhere, so simulate the refusal rather than chmod.
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr(_registry.pathlib.Path, "mkdir", refuse)
    with pytest.warns(RuntimeWarning, match="cannot write the data cache.*QBI_DATA_CACHE"):
        img = data.load("bone_slice")
    assert data.fingerprint(img) == data.get("bone_slice").sha256
    assert not (folder / "cache").exists()


def test_cache_never_touches_other_files_in_its_folder(data_cache):
    data_cache.mkdir(parents=True)
    mine = data_cache / "my-notes.txt"
    mine.write_text("keep me")
    data.load("bone_slice")
    _damage(data.cache_path("bone_slice"), "truncate")
    with pytest.warns(RuntimeWarning):
        data.load("bone_slice")
    assert mine.read_text() == "keep me"
    assert sorted(p.name for p in data_cache.iterdir()
                  if not p.name.startswith(("qbi-", ".qbi-"))) == ["my-notes.txt"]


def test_load_without_cache_writes_nothing(data_cache):
    data.load("bone_slice", cache=False)
    assert not data_cache.exists()


# ------------------------------------------------ only trusted cache files
def _plant(path, array, seal="0" * 64):
    """A cache file made by someone else: its own digest matches its content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path.with_suffix(""), __kind__=np.array("ndarray"), data=array,
             __digest__=np.array(data.fingerprint(array)), __seal__=np.array(seal))


def test_a_planted_file_for_non_default_parameters_is_not_trusted(data_cache):
    truth = data.load("bone_slice", seed=3, cache=False)
    path = data.cache_path("bone_slice", seed=3)
    fake = np.zeros_like(truth)
    _plant(path, fake)
    with pytest.warns(RuntimeWarning, match="damaged.*does not match its seal"):
        got = data.load("bone_slice", seed=3)
    np.testing.assert_array_equal(got, truth)
    # Knowing the method is not enough: the seal needs this cache's secret key.
    wrong_key = _registry._seal(b"x" * 32, path.name, data.fingerprint(fake))
    _plant(path, fake, wrong_key)
    with pytest.warns(RuntimeWarning, match="does not match its seal"):
        np.testing.assert_array_equal(data.load("bone_slice", seed=3), truth)


def test_a_valid_file_under_another_parameters_name_is_not_trusted(data_cache):
    data.load("bone_slice", seed=3)
    seed4 = data.load("bone_slice", seed=4, cache=False)
    data.cache_path("bone_slice", seed=4).write_bytes(
        data.cache_path("bone_slice", seed=3).read_bytes())
    with pytest.warns(RuntimeWarning, match="does not match its seal"):
        np.testing.assert_array_equal(data.load("bone_slice", seed=4), seed4)


def test_a_file_from_another_cache_is_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setenv("QBI_DATA_CACHE", str(tmp_path / "theirs"))
    data.load("bone_slice", seed=3)
    theirs = data.cache_path("bone_slice", seed=3).read_bytes()
    monkeypatch.setenv("QBI_DATA_CACHE", str(tmp_path / "mine"))
    data.load("bone_slice", seed=5)                   # makes this cache and its key
    data.cache_path("bone_slice", seed=3).write_bytes(theirs)
    with pytest.warns(RuntimeWarning, match="does not match its seal"):
        data.load("bone_slice", seed=3)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX owners and modes")
def test_the_cache_folder_and_key_are_private(data_cache):
    data.load("bone_slice", seed=3)
    assert data_cache.stat().st_mode & 0o777 == 0o700
    key = data_cache / _registry.KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_text().strip()) == 64
    assert data.cache_path("bone_slice", seed=3).stat().st_mode & 0o022 == 0


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX owners and modes")
def test_a_cache_folder_others_can_write_is_not_used(data_cache):
    data_cache.mkdir(mode=0o777)
    data_cache.chmod(0o777)                           # mkdir's mode is cut by the umask
    truth = data.load("bone_slice", seed=3, cache=False)
    _plant(data.cache_path("bone_slice", seed=3), np.zeros_like(truth))
    with pytest.warns(RuntimeWarning, match=r"the data cache in .* is not used: other users "
                      r"can write the folder \(mode 0777\).*computed in memory only"):
        got = data.load("bone_slice", seed=3)
    np.testing.assert_array_equal(got, truth)
    assert sorted(p.name for p in data_cache.iterdir()) == [data.cache_path("bone_slice", seed=3).name]


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX owners and modes")
def test_a_cache_folder_of_another_user_is_not_used(data_cache, monkeypatch):
    data.load("bone_slice", seed=3)
    owner = data_cache.stat().st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1)   # as if we were someone else
    calls = []
    original = _registry._generate
    monkeypatch.setattr(_registry, "_generate", lambda *a: calls.append(a) or original(*a))
    with pytest.warns(RuntimeWarning, match=f"is not used: the folder belongs to another user "
                                            f"\\(uid {owner}\\)"):
        data.load("bone_slice", seed=3)
    assert len(calls) == 1


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX owners and modes")
def test_a_cache_file_others_can_write_is_regenerated(data_cache):
    truth = data.load("bone_slice", seed=3)
    path = data.cache_path("bone_slice", seed=3)
    path.chmod(0o666)
    with pytest.warns(RuntimeWarning, match=r"not trusted: other users can write it \(mode 0666\)"):
        np.testing.assert_array_equal(data.load("bone_slice", seed=3), truth)
    assert path.stat().st_mode & 0o022 == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data.load("bone_slice", seed=3)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX owners and modes")
def test_a_link_in_the_cache_is_not_followed(data_cache, tmp_path):
    truth = data.load("bone_slice", seed=3)
    path = data.cache_path("bone_slice", seed=3)
    elsewhere = tmp_path / "elsewhere.npz"
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    with pytest.warns(RuntimeWarning, match="not trusted: it is not a regular file"):
        np.testing.assert_array_equal(data.load("bone_slice", seed=3), truth)
    assert not path.is_symlink() and elsewhere.is_file()


def test_a_damaged_key_is_replaced(data_cache):
    data.load("bone_slice", seed=3)
    (data_cache / _registry.KEY_FILE).write_text("not a key\n")
    with pytest.warns(RuntimeWarning, match="does not match its seal"):
        data.load("bone_slice", seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data.load("bone_slice", seed=3)


# ------------------------------------------------ a cache we cannot read
@pytest.fixture
def unreadable(monkeypatch):
    """Make a folder behave as mode 000 does for a normal user, also for root:
    the folder itself can be looked at, nothing inside it can."""
    import builtins
    import io

    locked = []

    def inside(path):
        try:
            p = os.path.abspath(os.fsdecode(path))
        except TypeError:
            return False
        return any(p.startswith(str(folder) + os.sep) for folder in locked)

    def guard(function, check=inside):
        def guarded(path, *args, **kwargs):
            if check(path):
                raise PermissionError(13, "Permission denied", os.fsdecode(path))
            return function(path, *args, **kwargs)
        return guarded

    def is_locked(path):
        return os.path.abspath(os.fsdecode(path)) in map(str, locked)

    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if (is_locked(path) or inside(path))
                        else real_access(path, mode, **kw))
    for name in ("stat", "lstat", "open"):
        monkeypatch.setattr(os, name, guard(getattr(os, name)))
    for name in ("scandir", "listdir"):
        monkeypatch.setattr(os, name, guard(getattr(os, name), lambda p: is_locked(p) or inside(p)))
    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(io, "open", guard(io.open))
    return locked


def test_an_unreadable_cache_warns_and_computes_in_memory(data_cache, unreadable):
    data.load("bone_slice")                       # the cache exists and holds the file
    unreadable.append(data_cache.absolute())
    with pytest.warns(RuntimeWarning, match=r"cannot read the data cache in .*cache.*computed "
                                            r"in memory only\. Set QBI_DATA_CACHE"):
        img = data.load("bone_slice")
    assert data.fingerprint(img) == data.get("bone_slice").sha256


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads anything; the test above simulates the refusal")
def test_an_unreadable_cache_for_real(data_cache):
    data.load("bone_slice")
    data_cache.chmod(0)
    try:
        with pytest.warns(RuntimeWarning, match="cannot read the data cache"):
            img = data.load("bone_slice")
    finally:
        data_cache.chmod(0o700)
    assert data.fingerprint(img) == data.get("bone_slice").sha256


# ------------------------------------------------ a writer killed halfway
KILLED_WRITER = """
import sys, time
import numpy as np
import common.data as data

def stuck(handle, **arrays):
    handle.write(b"PK half a file")
    handle.flush()
    print("writing", flush=True)
    time.sleep(600)

np.savez = stuck
data.load("bone_slice", seed=7)
"""


def test_a_temporary_left_by_a_killed_writer_is_removed_once_stale(data_cache, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "writer.py"
    script.write_text(KILLED_WRITER)
    writer = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "QBI_DATA_CACHE": str(data_cache)})
    try:
        assert writer.stdout.readline() == "writing\n"
        [temporary] = data_cache.glob(".qbi-bone_slice-*.npz.*.tmp")
        data.load("bone_slice", seed=8)             # a write in progress is left alone
        assert temporary.exists()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
    data.load("bone_slice", seed=9)                 # killed, but not stale yet
    assert temporary.exists()
    old = time.time() - 3600
    os.utime(temporary, (old, old))
    mine = data_cache / ".qbi-notes.tmp"            # not a name the cache makes
    mine.write_text("keep")
    os.utime(mine, (old, old))
    data.load("bone_slice", seed=7)                 # the killed write's data set
    assert not temporary.exists() and mine.read_text() == "keep"


# ------------------------------------------------ only documented types
@pytest.mark.parametrize("shape, kind", [({100: 1, 101: 2}, "dict"), ("ab", "str"),
                                         ({100, 101}, "set"), (np.array([100, 101]), "ndarray"),
                                         (range(100, 102), "range")])
def test_shape_must_be_a_tuple_or_list(shape, kind, data_cache):
    with pytest.raises(ValueError, match=r"shape must be a tuple of 2 integers, each from 64 to "
                                         rf"1024, got .* \(a {kind}\)"):
        data.load("bone_slice", shape=shape)
    assert data.load("bone_slice", shape=[100, 101], cache=False).shape == (100, 101)


@pytest.mark.parametrize("cache", ["no", 0, 1, None, "False"])
def test_cache_must_be_true_or_false(cache, data_cache):
    with pytest.raises(ValueError, match=f"cache must be True or False, got {cache!r}"):
        data.load("bone_slice", cache=cache)
    assert not data_cache.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_in_place_of_a_cache_file_does_not_hang(data_cache):
    import threading

    truth = data.load("bone_slice", seed=3)
    path = data.cache_path("bone_slice", seed=3)
    path.unlink()
    os.mkfifo(path)
    outcome = {}

    def load():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outcome["data"] = data.load("bone_slice", seed=3)
        outcome["warnings"] = [str(w.message) for w in caught]

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "load() waits for a writer of the pipe"
    np.testing.assert_array_equal(outcome["data"], truth)
    assert any("not trusted: it is not a regular file" in w for w in outcome["warnings"])


def test_reading_a_damaged_file_leaves_no_file_open(data_cache):
    data.load("bone_slice", seed=3)
    _damage(data.cache_path("bone_slice", seed=3), "truncate")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data.load("bone_slice", seed=3)
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
