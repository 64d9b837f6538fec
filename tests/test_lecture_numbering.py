"""booktools.lecture_numbering: numbers counted again within each lecture."""
from __future__ import annotations

from booktools.lecture_numbering import part_of_docs, renumber
from booktools.student_notebooks import toc_chapters

TOC = ("format: jb-book\nroot: index\nparts:\n"
       '  - caption: "Lecture 1: A"\n    numbered: true\n    chapters:\n'
       "      - file: l1/one\n      - file: l1/two.md\n"
       '  - caption: "Lecture 2: B"\n    numbered: true\n    chapters:\n'
       "      - file: l2/one\n        sections:\n          - file: l2/one-more\n"
       "      - file: l2/two\n")


def test_parts_of_documents(tmp_path):
    (tmp_path / "_toc.yml").write_text(TOC, encoding="utf-8")
    assert part_of_docs(tmp_path) == {"l1/one": 0, "l1/two": 0, "l2/one": 1,
                                      "l2/one-more": 1, "l2/two": 1}
    assert toc_chapters(tmp_path) == [("l1/one", 1), ("l1/two.md", 2), ("l2/one", 1), ("l2/two", 2)]


def test_a_lectures_chapter_counts_from_one():
    # what Sphinx assigns when two lectures both have a chapter 1 and 2:
    # one counter per chapter number, running on from lecture 1 to lecture 2
    numbers = {
        "l1/one": {"figure": {"a": (1, 1), "b": (1, 2)}, "exercise": {"x": (1, 1)}},
        "l1/two": {"figure": {"c": (2, 1)}},
        "l2/one": {"figure": {"d": (1, 3), "e": (1, 4)}, "exercise": {"y": (1, 2)}},
        "l2/one-more": {"figure": {"f": (1, 5)}},
        "l2/two": {"figure": {"g": (2, 2)}, "displaymath": {"m": (2, 1)}},
        "index": {"figure": {"h": (7,)}},
    }
    parts = {"l1/one": 0, "l1/two": 0, "l2/one": 1, "l2/one-more": 1, "l2/two": 1}
    changed = renumber(numbers, parts)
    assert sorted(changed) == ["l2/one", "l2/one-more", "l2/two"]
    assert numbers["l1/one"] == {"figure": {"a": (1, 1), "b": (1, 2)}, "exercise": {"x": (1, 1)}}
    assert numbers["l2/one"] == {"figure": {"d": (1, 1), "e": (1, 2)}, "exercise": {"y": (1, 1)}}
    assert numbers["l2/one-more"] == {"figure": {"f": (1, 3)}}     # a section runs on
    assert numbers["l2/two"] == {"figure": {"g": (2, 1)}, "displaymath": {"m": (2, 1)}}
    assert numbers["index"] == {"figure": {"h": (7,)}}            # outside the parts
    assert renumber(numbers, parts) == []                         # already per lecture
