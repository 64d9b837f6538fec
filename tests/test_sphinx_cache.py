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


def build(root):
    jb = pathlib.Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run([str(jb), "build", str(root), "-W"], capture_output=True,
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
