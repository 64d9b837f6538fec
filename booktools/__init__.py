"""The book's build machinery: what turns ``chapters/`` into the HTML book,
the PDF handout and the tests. Readers never import it; the science they
import lives in :mod:`common`.

* :mod:`booktools.sphinx_cache`: re-execute the chapters when ``common/`` changes;
* :mod:`booktools.parallel_execute`: execute the chapters that must run side by side, one per core;
* :mod:`booktools.jb`: ``jupyter-book`` as ``make book`` runs it, without a slow optional import;
* :mod:`booktools.html_pages`: the book's CSS, each page's scripts once;
* :mod:`booktools.offline_assets`: MathJax copied from npm into the HTML build (no CDN);
* :mod:`booktools.accessibility`: what an accessibility audit flags in the pages, fixed
  (bibliographies, hidden-cell toggles, empty table headers, the theme's buttons: ``templates/``);
* :mod:`booktools.latex_tables`: pandas ``Styler`` tables as real tables in the PDF;
* :mod:`booktools.pytest_myst`: the pytest plugin that runs ``.md`` notebooks with nbval;
* :mod:`booktools.exercises`: exercises and solutions in the HTML book and the PDF
  (solutions gathered at the end of each chapter), strict checkers while building;
* :mod:`booktools.student_notebooks`: each chapter with exercises as a notebook
  without the solutions (``python -m booktools.student_notebooks``);
* :mod:`booktools.pytest_exercises`: strict checkers while the tests run.
"""
