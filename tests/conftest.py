"""Shared fixtures of the unit tests."""
import pytest


@pytest.fixture
def data_cache(tmp_path, monkeypatch):
    """A fresh, empty data cache for one test (never the user's own)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("QBI_DATA_CACHE", str(folder))
    return folder
