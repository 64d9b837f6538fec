"""``jupyter-book`` for the book's commands, started without a needless cost.

    python -m booktools.jb build . --warningiserror --nitpick --keep-going

The same command line as ``jupyter-book``. One difference: jupyter-book
imports ``jsonschema``, which imports the optional package
``rfc3987_syntax`` if it is installed (it is, for Jupyter's event schemas)
and compiles its 38 grammars of internet addresses on import: about 1.5 s
of CPU, half of a build with nothing to do. The book's configuration
checks never validate such addresses, so the import is skipped here
(jsonschema then simply does not know the ``iri`` formats).

And one cost of sphinxcontrib-bibtex: pybtex looks each of its plugins
(styles, the bibtex parser) up among the installed packages' entry points,
which reads the metadata of every installed package (about 200) on every
look-up, some 40 times per build: about a second, for the same answer each
time. :func:`cache_pybtex_plugins` remembers the answers for the build.
"""
from __future__ import annotations

import sys


def cache_pybtex_plugins() -> None:
    """Let pybtex look up its plugins' entry points once per process.

    Installed packages do not change during a build; plugins registered
    at run time (``pybtex.plugin.register_plugin``) are looked up before the
    entry points, so they still take effect.
    """
    import functools

    try:
        import pybtex.plugin as plugin
    except ImportError:       # pragma: no cover - sphinxcontrib-bibtex needs pybtex
        return
    if getattr(plugin.entry_points, "qbi_cached", False):
        return
    lookup = plugin.entry_points

    @functools.lru_cache(maxsize=None)
    def _cached(items):
        return tuple(lookup(**dict(items)))

    def entry_points(**selection):
        return _cached(tuple(sorted(selection.items())))

    entry_points.qbi_cached = True
    plugin.entry_points = entry_points


def main() -> None:
    # None in sys.modules makes `import rfc3987_syntax` raise ImportError,
    # which jsonschema catches.
    sys.modules.setdefault("rfc3987_syntax", None)
    cache_pybtex_plugins()
    from jupyter_book.cli.main import main as jupyter_book

    sys.argv[0] = "jupyter-book"
    jupyter_book()


if __name__ == "__main__":
    main()
