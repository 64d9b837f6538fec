"""pytest plugin: run MyST Markdown notebooks (``.md``) cell by cell with nbval.

nbval only collects ``.ipynb`` files. The book keeps its chapters as MyST
Markdown, so this plugin collects every ``.md`` file whose YAML front matter
declares a ``kernelspec``, turns it into a notebook with jupytext and lets
nbval run it: one test item per code cell, the kernel started in the
notebook's own folder. Cells tagged ``raises-exception`` must raise; any other
cell that raises fails its test, named ``path/to/chapter.md::Cell N``.

Like nbval itself, collection is switched on by ``--nbval`` or
``--nbval-lax`` (the book runs ``--nbval-lax``: text notebooks store no
outputs to compare, so facts are checked by assertions in the cells).

The plugin is registered through the ``pytest11`` entry point of this
package, so it works wherever ``common`` is installed.
"""
from __future__ import annotations

import pathlib
from unittest import mock

import jupytext
import nbval.plugin
import yaml


def has_kernelspec(path: pathlib.Path) -> bool:
    """True if the Markdown file's front matter declares a Jupyter kernel."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if not text.startswith("---"):
        return False
    end = text.find("\n---", 3)
    if end < 0:
        return False
    try:
        front = yaml.safe_load(text[3:end])
    except yaml.YAMLError:
        return False
    return isinstance(front, dict) and "kernelspec" in front


class MystNotebookFile(nbval.plugin.IPyNbFile):
    """An nbval notebook collector that reads a MyST ``.md`` file."""

    def collect(self):
        notebook = jupytext.read(self.path)
        # nbval reads the file with nbformat.read; hand it our notebook instead.
        with mock.patch.object(nbval.plugin.nbformat, "read", lambda *a, **k: notebook):
            yield from super().collect()


def pytest_collect_file(file_path: pathlib.Path, parent):
    opt = parent.config.option
    if not (getattr(opt, "nbval", False) or getattr(opt, "nbval_lax", False)):
        return None
    if file_path.suffix == ".md" and has_kernelspec(file_path):
        return MystNotebookFile.from_parent(parent, path=file_path)
    return None
