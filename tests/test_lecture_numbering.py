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


def test_a_rebuild_with_nothing_changed_rewrites_no_page(tmp_path):
    """Sphinx numbers everything afresh on each build and rewrites the pages
    whose numbers differ from the stored ones; stored are the per-lecture
    numbers, so the extension gives Sphinx back its own numbers first."""
    from types import SimpleNamespace

    from booktools.lecture_numbering import _on_env_updated, _restore_sphinx_numbers

    (tmp_path / "_toc.yml").write_text(TOC, encoding="utf-8")
    app = SimpleNamespace(config=SimpleNamespace(numfig=True), srcdir=str(tmp_path))

    def sphinx_numbers(extra_figure=False):
        l1 = {"a": (1, 1)} | ({"z": (1, 2)} if extra_figure else {})
        return {"l1/one": {"figure": l1},
                "l2/one": {"figure": {"d": (1, len(l1) + 1)}},
                "l2/two": {"figure": {"g": (2, 1)}}}

    def build(env, extra_figure=False):
        """One build's env-get-updated: the pages each handler marks changed."""
        changed = _restore_sphinx_numbers(app, env)
        new = sphinx_numbers(extra_figure)          # what Sphinx's collector does
        changed += [doc for doc in new if new[doc] != env.toc_fignumbers.get(doc)]
        env.toc_fignumbers = new
        return sorted(set(changed + _on_env_updated(app, env)))

    env = SimpleNamespace(toc_fignumbers={})
    assert build(env) == ["l1/one", "l2/one", "l2/two"]           # the first build
    assert env.toc_fignumbers["l2/one"] == {"figure": {"d": (1, 1)}}
    assert build(env) == []                                       # nothing changed
    assert env.toc_fignumbers["l2/one"] == {"figure": {"d": (1, 1)}}
    # a figure added to lecture 1's chapter 1: its page changes; lecture 2's
    # chapter 1 keeps its numbers (Sphinx's own count moved, so it rewrites it)
    assert build(env, extra_figure=True) == ["l1/one", "l2/one"]
    assert env.toc_fignumbers["l2/one"] == {"figure": {"d": (1, 1)}}
    assert build(env, extra_figure=True) == []


def test_only_pages_whose_section_numbers_changed_are_rewritten():
    # sphinx-multitoc-numbering + sphinx-external-toc report every page of
    # lecture 2 as renumbered on every build; the wrapper keeps the pages
    # whose final numbers differ from the stored ones
    from types import SimpleNamespace

    from booktools.lecture_numbering import _rewrite_only_renumbered

    env = SimpleNamespace(toc_secnumbers={"l2/one": {"": (1,)}, "l2/two": {"": (2,)}},
                          titles={"l2/one": {"secnumber": (1,)}, "l2/two": {"secnumber": (2,)}})

    def assign(self, env):          # renumbers l2/two only, says both changed
        env.toc_secnumbers = {"l2/one": {"": (1,)}, "l2/two": {"": (3,)}}
        return ["l2/one", "l2/two"]

    wrapped = _rewrite_only_renumbered(assign)
    assert wrapped(None, env) == ["l2/two"]
    assert wrapped(None, env) == []
    assert _rewrite_only_renumbered(wrapped) is wrapped          # wrapped once only
