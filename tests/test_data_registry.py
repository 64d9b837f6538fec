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
    assert sorted(p.name for p in data_cache.iterdir() if not p.name.startswith("qbi-")) == ["my-notes.txt"]


def test_load_without_cache_writes_nothing(data_cache):
    data.load("bone_slice", cache=False)
    assert not data_cache.exists()
