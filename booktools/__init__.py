"""The book's build machinery: what turns ``chapters/`` into the HTML book,
the PDF handout and the tests. Readers never import it; the science they
import lives in :mod:`common`.

* :mod:`booktools.sphinx_cache`: re-execute the chapters when ``common/`` changes;
* :mod:`booktools.parallel_execute`: execute the chapters that must run side by side, one per core;
* :mod:`booktools.jb`: ``jupyter-book`` as ``make book`` runs it, without a slow optional import;
* :mod:`booktools.html_pages`: the book's CSS, each page's scripts once;
* :mod:`booktools.latex_tables`: pandas ``Styler`` tables as real tables in the PDF;
* :mod:`booktools.pytest_myst`: the pytest plugin that runs ``.md`` notebooks with nbval.
"""
