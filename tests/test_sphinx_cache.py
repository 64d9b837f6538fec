"""Execution caching of the book: reuse, per-chapter re-execution, common/.

Builds a tiny two-page book with the book's own configuration keys and
counts how many notebooks myst-nb executes in each build.
"""
import pathlib
import subprocess
import sys
import textwrap

import pytest

from booktools.sphinx_cache import common_digest

PAGE = textwrap.dedent("""\
    ---
    jupytext:
      text_representation:
        extension: .md
        format_name: myst
    kernelspec:
      display_name: Python 3
      language: python
      name: python3
    ---
    # Page {name}

    ```{{code-cell}} ipython3
    print("{text}")
    ```
    """)


def write_book(root: pathlib.Path):
    (root / "lib").mkdir(parents=True)
    (root / "lib" / "helpers.py").write_text("VALUE = 1\n")
    (root / "_config.yml").write_text(textwrap.dedent("""\
        title: cache test
        only_build_toc_files: true
        exclude_patterns: [lib, _build]
        execute:
          execute_notebooks: cache
          raise_on_error: true
        sphinx:
          extra_extensions: [booktools.sphinx_cache]
          config:
            qbi_common_dir: lib
        """))
    (root / "_toc.yml").write_text("format: jb-book\nroot: a\nchapters:\n  - file: b\n")
    for name in "ab":
        # Different code per page: jupyter-cache keys notebooks by their code,
        # so two identical pages would share one cache record.
        (root / f"{name}.md").write_text(PAGE.format(name=name, text=f"first {name}"))


def build(root, *extra):
    jb = pathlib.Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run([str(jb), "build", str(root), "-W", *extra], capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    executed = sorted(
        pathlib.Path(line.split(":")[0]).stem
        for line in result.stdout.splitlines()
        if "Executed notebook in" in line
    )
    return executed


def test_cache_reuses_reexecutes_edited_page_and_everything_after_common_changes(tmp_path):
    write_book(tmp_path)
    assert build(tmp_path) == ["a", "b"]           # cold: everything runs
    assert build(tmp_path) == []                   # unchanged: nothing runs
    (tmp_path / "a.md").write_text(PAGE.format(name="a", text="edited a"))
    assert build(tmp_path) == ["a"]                # one page edited: only it runs
    assert "edited a" in (tmp_path / "_build/html/a.html").read_text()
    (tmp_path / "lib" / "helpers.py").write_text("VALUE = 2\n")
    assert build(tmp_path) == ["a", "b"]           # helper changed: all pages run
    assert build(tmp_path) == []                   # and are cached again


def test_pages_read_from_the_cache_keep_their_outputs_in_the_download(tmp_path):
    # myst-nb writes the executed notebook (the page's .ipynb download)
    # without outputs when they come from the cache; the extension restores them.
    import nbformat

    write_book(tmp_path)
    assert build(tmp_path) == ["a", "b"]
    assert build(tmp_path, "--all") == []          # every page re-read, from the cache
    for name in "ab":
        notebook = nbformat.read(tmp_path / f"_build/jupyter_execute/{name}.ipynb", as_version=4)
        outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
        assert any(f"first {name}" in o.get("text", "") for o in outputs), notebook.cells


def test_digest_changes_with_content_and_names(tmp_path):
    (tmp_path / "x.py").write_text("A = 1\n")
    first = common_digest(tmp_path)
    assert common_digest(tmp_path) == first
    (tmp_path / "x.py").write_text("A = 2\n")
    second = common_digest(tmp_path)
    assert second != first
    (tmp_path / "x.py").rename(tmp_path / "y.py")
    assert common_digest(tmp_path) != second


def test_digest_of_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="qbi_common_dir must be an existing folder"):
        common_digest(tmp_path / "nope")


def test_default_digest_covers_the_installed_common_package():
    import common
    root = pathlib.Path(common.__file__).parent
    assert common_digest() == common_digest(root)


# ------------------------------------------- what clearing may remove
class _Recorder:
    def __init__(self):
        self.warnings, self.infos = [], []

    def warning(self, message, *args):
        self.warnings.append(message % args)

    def info(self, message, *args):
        self.infos.append(message % args)


def _configure(tmp_path, monkeypatch, cache):
    """Run the extension's config hook with ``cache`` as the execution cache."""
    from types import SimpleNamespace

    from booktools import sphinx_cache

    lib = tmp_path / "lib"
    lib.mkdir(exist_ok=True)
    (lib / "helpers.py").write_text("VALUE = 1\n")
    recorder = _Recorder()
    monkeypatch.setattr(sphinx_cache, "logger", recorder)
    app = SimpleNamespace(srcdir=str(tmp_path), outdir=str(tmp_path / "_build" / "html"))
    config = SimpleNamespace(qbi_common_dir="lib", nb_execution_cache_path=str(cache),
                             qbi_common_digest="")
    sphinx_cache._on_config_inited(app, config)
    return recorder, config


def _jupyter_cache_layout(folder):
    """What jupyter-cache writes: its database, version and executed notebooks."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "global.db").write_bytes(b"SQLite format 3\0")
    (folder / "__version__.txt").write_text("1.0.1")
    record = folder / "executed" / ("0123456789abcdef" * 2)
    (record / "artifacts").mkdir(parents=True)
    (record / "base.ipynb").write_text("{}")
    (record / "artifacts" / "figure.png").write_bytes(b"png")


def _tree(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_a_folder_holding_other_files_is_never_emptied(tmp_path, monkeypatch):
    folder = tmp_path / "my-folder"
    _jupyter_cache_layout(folder)
    (folder / "thesis.tex").write_text("three years of work")
    (folder / "data").mkdir()
    (folder / "data" / "scan.raw").write_bytes(b"\1\2\3")
    before = _tree(folder)
    recorder, _ = _configure(tmp_path, monkeypatch, folder)
    assert _tree(folder) == before            # nothing removed, nothing written
    assert (folder / "thesis.tex").read_text() == "three years of work"
    [warning] = recorder.warnings
    assert str(folder) in warning and "data, thesis.tex" in warning
    assert "execute: cache: in _config.yml" in warning


def test_a_folder_named_executed_that_is_not_jupyter_caches_is_foreign(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    _jupyter_cache_layout(folder)
    (folder / "executed" / "my-results").mkdir()
    (folder / "executed" / "my-results" / "table.csv").write_text("1,2\n")
    odd = folder / "executed" / ("f" * 32)
    odd.mkdir()
    (odd / "notes.txt").write_text("mine")
    before = _tree(folder)
    recorder, _ = _configure(tmp_path, monkeypatch, folder)
    assert _tree(folder) == before
    assert f"executed/{'f' * 32}, executed/my-results" in recorder.warnings[0]


def test_a_link_under_a_cache_name_is_foreign(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    _jupyter_cache_layout(folder)
    precious = tmp_path / "precious.db"
    precious.write_text("keep")
    (folder / "global.db").unlink()
    (folder / "global.db").symlink_to(precious)
    recorder, _ = _configure(tmp_path, monkeypatch, folder)
    assert precious.read_text() == "keep" and (folder / "global.db").is_symlink()
    assert "(global.db)" in recorder.warnings[0]


def test_the_books_own_cache_is_cleared_of_jupyter_cache_files_only(tmp_path, monkeypatch):
    from booktools.sphinx_cache import STAMP

    folder = tmp_path / "_build" / ".jupyter_cache"
    _jupyter_cache_layout(folder)
    (folder / STAMP).write_text("0" * 64 + "\n")          # built with another common/
    recorder, config = _configure(tmp_path, monkeypatch, folder)
    assert recorder.warnings == [] and "clearing" in recorder.infos[0]
    assert _tree(folder) == [STAMP]
    assert (folder / STAMP).read_text().strip() == config.qbi_common_digest
    # Unchanged common/: nothing is removed.
    _jupyter_cache_layout(folder)
    recorder, _ = _configure(tmp_path, monkeypatch, folder)
    assert recorder.infos == [] and "global.db" in _tree(folder)


def test_a_jupyter_cache_without_stamp_is_cleared_and_stamped(tmp_path, monkeypatch):
    from booktools.sphinx_cache import STAMP

    folder = tmp_path / "cache"
    _jupyter_cache_layout(folder)
    recorder, _ = _configure(tmp_path, monkeypatch, folder)
    assert recorder.warnings == [] and _tree(folder) == [STAMP]


def test_a_missing_cache_is_created_with_its_stamp(tmp_path, monkeypatch):
    from booktools.sphinx_cache import STAMP

    folder = tmp_path / "new" / "cache"
    recorder, _ = _configure(tmp_path, monkeypatch, folder)
    assert recorder.warnings == [] and _tree(folder) == [STAMP]


def test_a_cache_path_that_is_a_file_is_a_clear_error(tmp_path, monkeypatch):
    from sphinx.errors import ConfigError

    afile = tmp_path / "notes.txt"
    afile.write_text("keep")
    with pytest.raises(ConfigError, match="notes.txt is not a folder"):
        _configure(tmp_path, monkeypatch, afile)
    assert afile.read_text() == "keep"


def test_a_build_pointed_at_a_users_folder_keeps_its_files_and_fails_with_w(tmp_path):
    """The real thing: jupyter-book with execute.cache set to a folder of ours."""
    write_book(tmp_path)
    mine = tmp_path / "results"
    mine.mkdir()
    (mine / "measurements.csv").write_text("sample,count\n1,42\n")
    config = tmp_path / "_config.yml"
    config.write_text(config.read_text().replace(
        "  raise_on_error: true\n", f"  raise_on_error: true\n  cache: {mine}\n"))
    jb = pathlib.Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run([str(jb), "build", str(tmp_path), "-W"], capture_output=True,
                            text=True, timeout=600)
    assert (mine / "measurements.csv").read_text() == "sample,count\n1,42\n"
    assert result.returncode != 0
    assert "holds files that jupyter-cache and the book did not make (measurements.csv)" \
        in result.stdout + result.stderr
