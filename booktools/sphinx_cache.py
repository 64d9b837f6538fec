"""Sphinx extension: re-execute the chapters when ``common/`` changes.

The notebook execution cache (jupyter-cache, used by myst-nb) keys each
notebook by its own code cells. A chapter that calls ``common`` therefore
keeps its cached outputs after a helper or a data generator changed, and the
book would show numbers the code no longer produces. This extension hashes
every Python file of the ``common`` package at the start of each build:

* the hash is stored as the config value ``qbi_common_digest``, registered
  with ``rebuild="env"``, so Sphinx re-reads every page when it changes;
* the hash is also written next to the execution cache (the stamp file
  ``qbi-common.sha256``); when it differs from the one there, the cached
  notebooks are removed, so the re-read pages are executed again instead of
  being served from the cache.

An unchanged rebuild keeps both, and an edit to one chapter re-executes only
that chapter, as usual.

What is removed, and what never is
    The cache folder is whatever ``execute: cache:`` in ``_config.yml``
    (Sphinx's ``nb_execution_cache_path``) names, by default
    ``_build/.jupyter_cache``. Clearing it removes only jupyter-cache's own
    entries (``global.db`` and its journal files, ``__version__.txt``, and
    the ``executed/<32 hex digits>/`` records holding ``base.ipynb`` and
    ``artifacts/``) and the stamp; the folder itself stays. If the folder
    holds anything else, it is not the book's: nothing in it is removed or
    written, and the build warns (an error with ``-W``), naming the files and
    what to do, instead of risking outputs of an older ``common/``.

The executed notebooks offered as downloads
    myst-nb 1.4 writes each chapter's executed notebook to
    ``_build/jupyter_execute/`` (the ``.ipynb`` of the page's download
    menu). When the chapter's outputs come from the cache rather than from
    a fresh execution, it writes the notebook *without* them (it merges the
    cached outputs into a copy and saves the original). This extension
    rewrites such a file with the cached outputs as soon as the page has
    been read, so the download is the executed notebook on every build.
"""
from __future__ import annotations

import hashlib
import pathlib
import re
import shutil

from sphinx.errors import ConfigError
from sphinx.util import logging

import common

logger = logging.getLogger(__name__)
STAMP = "qbi-common.sha256"

#: Files jupyter-cache writes at the top of its folder (SQLite may add the
#: journal files next to its database).
JUPYTER_CACHE_FILES = frozenset({"__version__.txt", "global.db", "global.db-journal",
                                 "global.db-wal", "global.db-shm"})
#: The folder of executed notebooks: one ``<hash>/`` per notebook, holding
#: ``base.ipynb`` and, for notebooks that wrote files, ``artifacts/``.
JUPYTER_CACHE_RECORDS = "executed"
_RECORD = re.compile(r"^[0-9a-f]{32}$")
_RECORD_ENTRIES = frozenset({"base.ipynb", "artifacts"})


def common_digest(root: pathlib.Path | None = None) -> str:
    """SHA-256 over the paths and contents of every ``.py`` file under ``root``.

    ``root`` defaults to the installed ``common`` package.
    """
    root = pathlib.Path(root or pathlib.Path(common.__file__).parent).resolve()
    if not root.is_dir():
        raise ValueError(f"qbi_common_dir must be an existing folder, got {str(root)!r}")
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def _cache_folder(app, config) -> pathlib.Path:
    configured = getattr(config, "nb_execution_cache_path", "")
    if configured:
        return pathlib.Path(app.srcdir, configured).resolve()
    return pathlib.Path(app.outdir).parent.joinpath(".jupyter_cache").resolve()


def foreign_entries(cache: pathlib.Path) -> list[str]:
    """Entries of ``cache`` that neither jupyter-cache nor this extension made.

    Paths relative to ``cache``, sorted; empty when the folder is the book's
    own execution cache (or empty).
    """
    foreign = []
    for entry in sorted(cache.iterdir()):
        name = entry.name
        if name == STAMP or name in JUPYTER_CACHE_FILES:
            if entry.is_symlink() or not entry.is_file():
                foreign.append(name)
        elif name == JUPYTER_CACHE_RECORDS and entry.is_dir() and not entry.is_symlink():
            for record in sorted(entry.iterdir()):
                inside = (sorted(p.name for p in record.iterdir())
                          if record.is_dir() and not record.is_symlink() else None)
                if (not _RECORD.match(record.name) or inside is None
                        or not set(inside) <= _RECORD_ENTRIES):
                    foreign.append(f"{name}/{record.name}")
        else:
            foreign.append(name)
    return foreign


def clear_cache(cache: pathlib.Path) -> None:
    """Remove jupyter-cache's entries and the stamp from ``cache``.

    Call only after :func:`foreign_entries` found nothing foreign.
    """
    records = cache / JUPYTER_CACHE_RECORDS
    if records.is_dir():
        for record in records.iterdir():
            shutil.rmtree(record)
        records.rmdir()
    for name in sorted(JUPYTER_CACHE_FILES | {STAMP}):
        (cache / name).unlink(missing_ok=True)


def _on_config_inited(app, config):
    watched = config.qbi_common_dir
    digest = common_digest(pathlib.Path(app.srcdir, watched) if watched else None)
    config.qbi_common_digest = digest
    cache = _cache_folder(app, config)
    if cache.exists() and not cache.is_dir():
        raise ConfigError(f"the notebook execution cache {cache} is not a folder; point "
                          "execute: cache: in _config.yml at a folder of its own")
    if not cache.exists():
        cache.mkdir(parents=True)
    stamp = cache / STAMP
    old = stamp.read_text().strip() if stamp.is_file() and not stamp.is_symlink() else None
    if old == digest:
        return
    strangers = foreign_entries(cache)
    if strangers:
        shown = ", ".join(strangers[:5]) + (", ..." if len(strangers) > 5 else "")
        logger.warning(
            "the notebook execution cache %s holds files that jupyter-cache and the book "
            "did not make (%s), so the book does not empty it: chapters may show outputs "
            "of an older common/. Point execute: cache: in _config.yml at a folder of its "
            "own (or one that does not exist yet), or move those files away.", cache, shown)
        return
    if any(cache.iterdir()):
        logger.info("common/ changed since the last build: clearing the notebook "
                    "execution cache %s", cache)
        clear_cache(cache)
    stamp.write_text(digest + "\n")


def _restore_cached_outputs(app, doctree):
    """Put the cached outputs into the page's executed notebook, if missing."""
    import nbformat
    from jupyter_cache import get_cache

    if getattr(app.config, "nb_execution_mode", "") != "cache":
        return
    target = pathlib.Path(app.outdir).parent / "jupyter_execute" / f"{app.env.docname}.ipynb"
    if not target.is_file():
        return
    notebook = nbformat.read(target, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if not code or any(cell.get("outputs") for cell in code):
        return
    cache = _cache_folder(app, app.config)
    if not cache.is_dir():
        return
    try:
        _, merged = get_cache(str(cache)).merge_match_into_notebook(notebook)
    except KeyError:          # not in the cache: it really has no outputs
        return
    nbformat.write(merged, target)


def setup(app):
    app.add_config_value("qbi_common_digest", "", "env")
    # The folder whose Python files invalidate the cache; "" means the
    # installed `common` package (tests point it elsewhere).
    app.add_config_value("qbi_common_dir", "", "env")
    # Run before myst-nb reads its configuration and opens the cache.
    app.connect("config-inited", _on_config_inited, priority=100)
    app.connect("doctree-read", _restore_cached_outputs)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
