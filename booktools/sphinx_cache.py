"""Sphinx extension: re-execute the chapters when ``common/`` changes.

The notebook execution cache (jupyter-cache, used by myst-nb) keys each
notebook by its own code cells. A chapter that calls ``common`` therefore
keeps its cached outputs after a helper or a data generator changed, and the
book would show numbers the code no longer produces. This extension hashes
every Python file of the ``common`` package at the start of each build:

* the hash is stored as the config value ``qbi_common_digest``, registered
  with ``rebuild="env"``, so Sphinx re-reads every page when it changes;
* the hash is also written next to the execution cache; when it differs from
  the one there, the cache is emptied, so the re-read pages are executed
  again instead of being served from the cache.

An unchanged rebuild keeps both, and an edit to one chapter re-executes only
that chapter, as usual.
"""
from __future__ import annotations

import hashlib
import pathlib
import shutil

from sphinx.util import logging

import common

logger = logging.getLogger(__name__)
STAMP = "qbi-common.sha256"


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


def _on_config_inited(app, config):
    watched = config.qbi_common_dir
    digest = common_digest(pathlib.Path(app.srcdir, watched) if watched else None)
    config.qbi_common_digest = digest
    cache = _cache_folder(app, config)
    stamp = cache / STAMP
    old = stamp.read_text().strip() if stamp.is_file() else None
    if old != digest and cache.exists():
        logger.info("common/ changed since the last build: clearing the "
                    "notebook execution cache %s", cache)
        shutil.rmtree(cache)
    cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest + "\n")


def setup(app):
    app.add_config_value("qbi_common_digest", "", "env")
    # The folder whose Python files invalidate the cache; "" means the
    # installed `common` package (tests point it elsewhere).
    app.add_config_value("qbi_common_dir", "", "env")
    # Run before myst-nb reads its configuration and opens the cache.
    app.connect("config-inited", _on_config_inited, priority=100)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
