"""Sphinx extension: figures, tables, equations and exercises numbered per lecture.

Each lecture is a part of ``_toc.yml`` that numbers its chapters from 1
(``html: use_multitoc_numbering: false``), so lecture 1 and lecture 2 both
have a chapter 3. Sphinx numbers figures (and every other numbered thing:
tables, code listings, display equations, sphinx-exercise's exercises) with
one counter per chapter *number*, so the first figure of lecture 2's
chapter 3 would be "Fig. 3.11", counting on after the ten figures of
lecture 1's chapter 3. After Sphinx has assigned the numbers, this
extension counts them again within each lecture: lecture 2's chapter 3
starts at "Fig. 3.1", as its PDF handout does (LaTeX counts them itself).
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import yaml
from sphinx.application import Sphinx


def part_of_docs(srcdir: Path) -> dict[str, int]:
    """docname -> index of its part in ``_toc.yml`` (chapters and their sections)."""
    toc_file = srcdir / "_toc.yml"
    if not toc_file.exists():
        return {}
    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8")) or {}
    out: dict[str, int] = {}

    def walk(entries, index):
        for entry in entries or []:
            if "file" in entry:
                out[re.sub(r"\.(md|ipynb)$", "", str(entry["file"]))] = index
            walk(entry.get("sections"), index)

    for index, part in enumerate(toc.get("parts") or []):
        walk(part.get("chapters"), index)
    return out


def renumber(fignumbers: dict, parts: dict[str, int]) -> list[str]:
    """Count the numbers of ``env.toc_fignumbers`` again within each part, in place.

    Within one part and one chapter number, Sphinx's numbers run on from the
    same chapter number of the parts before; the smallest number a part's
    chapter got becomes 1. Documents outside the parts, and numbers without a
    chapter (unnumbered pages), keep theirs. Returns the documents changed."""
    lowest: dict[tuple, int] = {}
    for docname, by_type in fignumbers.items():
        part = parts.get(docname)
        if part is None:
            continue
        for figtype, numbers in by_type.items():
            for number in numbers.values():
                if len(number) > 1:
                    key = (part, figtype, tuple(number[:-1]))
                    lowest[key] = min(lowest.get(key, number[-1]), number[-1])
    changed = []
    for docname, by_type in fignumbers.items():
        part = parts.get(docname)
        if part is None:
            continue
        touched = False
        for figtype, numbers in by_type.items():
            for ident, number in list(numbers.items()):
                if len(number) > 1:
                    offset = lowest[(part, figtype, tuple(number[:-1]))] - 1
                    if offset:
                        numbers[ident] = (*number[:-1], number[-1] - offset)
                        touched = True
        if touched:
            changed.append(docname)
    return changed


def _on_env_updated(app: Sphinx, env) -> list[str]:
    if not app.config.numfig:
        return []
    return renumber(env.toc_fignumbers, part_of_docs(Path(app.srcdir)))


def setup(app: Sphinx) -> dict:
    # after Sphinx's TocTreeCollector (priority 500) has assigned the numbers
    app.connect("env-get-updated", _on_env_updated, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 1}
