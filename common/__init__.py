"""Shared code of the Quantitative Big Imaging book.

``common.data`` holds the book's data sets: every image and table a chapter
uses is generated here, deterministically, so that the book runs offline and
prints the same numbers on every machine. Chapters import this package; it
never imports a chapter.
"""

__all__ = ["data"]
