"""The book's build and its tests run chapter 9's study in a temporary folder.

A reader's :func:`common.study.run_study` keeps its results in the user's
cache (:func:`common.study.results_root`), so that running the chapter again,
or with a larger cohort, computes only what is missing. The build and the
tests must start from nothing every time instead: the chapter shows a first
run of the study, which a second build would find already done, and CI would
leave results behind in the cache. :func:`use_a_temporary_study_folder`
points ``QBI_STUDY_DIR`` at a fresh temporary folder, removed when the
process ends, unless the variable is set already; the kernels that execute
the chapters inherit it. It is called where the build and the tests set
their other variables (``booktools/exercises.py``,
``booktools/pytest_exercises.py``).
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

#: The variable :mod:`common.study` reads (``common.study.RESULTS_ENV``; not
#: imported here, so that Sphinx does not load pandas to start).
ENV = "QBI_STUDY_DIR"


def use_a_temporary_study_folder() -> str:
    """Set ``QBI_STUDY_DIR`` to a new temporary folder unless it is set; return it."""
    if os.environ.get(ENV, "").strip():
        return os.environ[ENV]
    folder = tempfile.mkdtemp(prefix="qbi-study-")
    os.environ[ENV] = folder
    atexit.register(shutil.rmtree, folder, True)
    return folder
