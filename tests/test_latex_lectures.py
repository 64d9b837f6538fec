"""booktools.latex_lectures: which handouts the PDF build writes, from _toc.yml."""
from __future__ import annotations

from booktools.latex_lectures import handout_name, lecture_parts


def test_one_handout_per_lecture_part(tmp_path):
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nparts:\n"
        '  - caption: "Lecture 1: Introduction and Workflows"\n    chapters:\n      - file: a\n'
        "  - caption: Appendix\n    chapters:\n      - file: b\n"
        '  - caption: "Lecture 12: Outlook"\n    chapters:\n      - file: c\n',
        encoding="utf-8")
    assert lecture_parts(tmp_path) == [("01", "Lecture 1: Introduction and Workflows"),
                                       ("12", "Lecture 12: Outlook")]


def test_no_toc_no_handouts(tmp_path):
    assert lecture_parts(tmp_path) == []


def test_handout_file_names():
    assert handout_name("qbi-book.tex", "02") == "qbi-book-lecture-02.tex"
    assert handout_name("book", "01") == "book-lecture-01.tex"
