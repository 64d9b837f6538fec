"""``jupyter-book`` for the book's commands, started without a needless cost.

    python -m booktools.jb build . --warningiserror --nitpick --keep-going

The same command line as ``jupyter-book``. One difference: jupyter-book
imports ``jsonschema``, which imports the optional package
``rfc3987_syntax`` if it is installed (it is, for Jupyter's event schemas)
and compiles its 38 grammars of internet addresses on import: about 1.5 s
of CPU, half of a build with nothing to do. The book's configuration
checks never validate such addresses, so the import is skipped here
(jsonschema then simply does not know the ``iri`` formats).
"""
from __future__ import annotations

import sys


def main() -> None:
    # None in sys.modules makes `import rfc3987_syntax` raise ImportError,
    # which jsonschema catches.
    sys.modules.setdefault("rfc3987_syntax", None)
    from jupyter_book.cli.main import main as jupyter_book

    sys.argv[0] = "jupyter-book"
    jupyter_book()


if __name__ == "__main__":
    main()
