"""pytest plugin: exercise checkers are strict while the tests run.

``make test`` runs every chapter cell by cell (``booktools/pytest_myst.py``),
hidden solutions included. With ``QBI_EXERCISES_STRICT=1`` in the
environment, which the kernels of those runs inherit, a checker of
:mod:`common.exercises` that rejects a reference solution raises, so the
chapter's check cell fails its test (``chapter.md::Cell N``) instead of
printing "Not yet". A student's own notebook is not strict.

Registered through the ``pytest11`` entry point of this package, next to the
notebook collector. A run can still set ``QBI_EXERCISES_STRICT=0`` itself.
"""
from __future__ import annotations

import os

from booktools.study_folder import use_a_temporary_study_folder
from common.exercises._check import STRICT_ENV


def pytest_configure(config):
    os.environ.setdefault(STRICT_ENV, "1")
    # Chapter 9's study starts from an empty results folder in every test run.
    use_a_temporary_study_folder()
