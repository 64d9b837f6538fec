"""booktools.exercises for LaTeX: a two-chapter fixture book (reStructuredText,
nothing executed) is written as LaTeX with and without the extension. With
it, each chapter's solutions stand in a section "Solutions" at the end of
that chapter, after every exercise, each exercise names its solution's page
and the chapter says where its solutions are; without it, sphinx-exercise
prints each solution right after its exercise (so the test can fail)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

from common.exercises import STRICT_ENV

CHAPTER = """\
Chapter {n}
=============

Text.

.. exercise:: First of {n}
   :label: ex-{n}-a

   Do a.

.. solution:: ex-{n}-a
   :label: sol-{n}-a
   :class: dropdown

   Answer a of {n}.

.. exercise:: Second of {n}
   :label: ex-{n}-b

   Do b.

.. solution:: ex-{n}-b
   :label: sol-{n}-b
   :class: dropdown

   Answer b of {n}.

More text after the exercises of {n}.
"""


def build_latex(tmp_path, extensions):
    """Write the fixture book as LaTeX (a fresh process: Sphinx registers its
    nodes globally) with warnings as errors; return the .tex file."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(textwrap.dedent(f"""
        extensions = {extensions!r}
        latex_documents = [("index", "book.tex", "Book", "Us", "manual", True)]
        numfig = True
    """))
    (src / "index.rst").write_text("Book\n====\n\n.. toctree::\n   :numbered:\n\n   one\n   two\n")
    for n in ("one", "two"):
        (src / f"{n}.rst").write_text(CHAPTER.format(n=n))
    out = tmp_path / "latex"
    env = {**os.environ, STRICT_ENV: "0"}
    result = subprocess.run([sys.executable, "-m", "sphinx", "-b", "latex", "-W", "-q", "-E",
                             str(src), str(out)], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return (out / "book.tex").read_text(encoding="utf-8")


def chapter_text(tex: str, name: str) -> str:
    start = tex.index(r"\chapter{Chapter " + name + "}")
    end = tex.find(r"\chapter{", start + 1)
    return tex[start:end if end > 0 else len(tex)]


def test_solutions_are_gathered_at_the_end_of_each_chapter(tmp_path):
    tex = build_latex(tmp_path, ["sphinx_exercise", "booktools.exercises"])
    for n in ("one", "two"):
        chapter = chapter_text(tex, n)
        solutions = chapter.index(r"\section{Solutions}")
        assert chapter.rindex(f"Do b.") < solutions
        assert chapter.index("More text after the exercises") < solutions
        assert chapter.index(f"Answer a of {n}.") > solutions
        assert chapter.index(f"Answer b of {n}.") > chapter.index(f"Answer a of {n}.")
        for part in ("a", "b"):
            label = f"qbi-sol-ex-{n}-{part}"
            assert r"\pageref{" + label + "}" in chapter[:solutions]
            assert r"\label{" + label + "}" in chapter[solutions:]
        assert "The solutions to these exercises are gathered in Section" in chapter
        # the chapter's own solutions only
        other = "two" if n == "one" else "one"
        assert f"Answer a of {other}" not in chapter
    assert len(re.findall(r"\\section\{Solutions\}", tex)) == 2


def test_without_the_extension_solutions_follow_their_exercises(tmp_path):
    tex = build_latex(tmp_path, ["sphinx_exercise"])
    chapter = chapter_text(tex, "one")
    assert r"\section{Solutions}" not in chapter
    assert chapter.index("Answer a of one.") < chapter.index("Do b.")
