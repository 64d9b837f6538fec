"""booktools.jb: jupyter-book's command without its needless start-up costs."""
from __future__ import annotations


def test_pybtex_looks_its_plugins_up_once_and_finds_the_same(monkeypatch):
    import pybtex.plugin as plugin

    from booktools import jb

    original = plugin.entry_points
    assert not getattr(original, "qbi_cached", False)
    before = plugin.find_plugin("pybtex.style.formatting", "unsrt")
    calls = []
    monkeypatch.setattr(plugin, "entry_points", lambda **k: calls.append(k) or original(**k))
    jb.cache_pybtex_plugins()
    for _ in range(3):
        assert plugin.find_plugin("pybtex.style.formatting", "unsrt") is before
        assert plugin.find_plugin("pybtex.database.input", "bibtex")
    assert len(calls) == 2          # one look-up each, whatever the number of calls
    jb.cache_pybtex_plugins()       # a second call changes nothing
    assert getattr(plugin.entry_points, "qbi_cached", False)

    # Plugins registered at run time still come first.
    class Mine(plugin.Plugin):
        pass

    monkeypatch.setitem(plugin._RUNTIME_PLUGINS, "pybtex.style.formatting", {"mine": Mine})
    assert plugin.find_plugin("pybtex.style.formatting", "mine") is Mine
    monkeypatch.setattr(plugin, "entry_points", original)
