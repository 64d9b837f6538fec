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


def _restore_sphinx_numbers(app: Sphinx, env) -> list[str]:
    """Before Sphinx numbers again: give it back its own numbers of the last build.

    Sphinx's TocTreeCollector assigns every number afresh on each build and
    rewrites the pages whose numbers differ from the stored ones. The stored
    ones are ours (renumbered per lecture), so without this every page of
    lecture 2 would count as changed and be written again on a build with
    nothing to do."""
    raw = getattr(env, "qbi_sphinx_fignumbers", None)
    if raw is not None:
        env.toc_fignumbers = _copy(raw)
    return []


def _on_env_updated(app: Sphinx, env) -> list[str]:
    if not app.config.numfig:
        return []
    env.qbi_sphinx_fignumbers = _copy(env.toc_fignumbers)
    before = getattr(env, "qbi_lecture_fignumbers", {})
    renumber(env.toc_fignumbers, part_of_docs(Path(app.srcdir)))
    env.qbi_lecture_fignumbers = _copy(env.toc_fignumbers)
    # the pages whose numbers (per lecture) differ from the last build's
    return sorted(doc for doc in set(before) | set(env.toc_fignumbers)
                  if before.get(doc) != env.toc_fignumbers.get(doc))


def _copy(fignumbers: dict) -> dict:
    return {doc: {figtype: dict(numbers) for figtype, numbers in by_type.items()}
            for doc, by_type in fignumbers.items()}


def _rewrite_only_renumbered(method):
    """Wrap a TocTreeCollector's ``assign_section_numbers``: of the pages it
    says changed, keep those whose final section numbers did change.

    sphinx-multitoc-numbering numbers the chapters of all parts in one run
    and sphinx-external-toc then restarts them per part; the first step
    compares its continuous numbers with the stored per-part ones, so it
    reported every page of lecture 2 as renumbered on every build, and a
    build with nothing to do wrote them all again."""
    if getattr(method, "qbi_wrapped", False):
        return method

    def assign_section_numbers(self, env):
        before = {doc: dict(numbers) for doc, numbers in env.toc_secnumbers.items()}
        titles = {doc: title.get("secnumber") for doc, title in env.titles.items()}
        changed = method(self, env)
        return [doc for doc in changed
                if env.toc_secnumbers.get(doc) != before.get(doc)
                or env.titles.get(doc, {}).get("secnumber") != titles.get(doc)]

    assign_section_numbers.qbi_wrapped = True
    return assign_section_numbers


def setup(app: Sphinx) -> dict:
    try:
        from sphinx_external_toc.collectors import TocTreeCollectorWithStyles as collector
    except ImportError:             # pragma: no cover - jupyter-book brings it
        collector = None
    if collector is not None:
        collector.assign_section_numbers = _rewrite_only_renumbered(
            collector.assign_section_numbers)
    # before Sphinx's TocTreeCollector (priority 500) assigns the numbers ...
    app.connect("env-get-updated", _restore_sphinx_numbers, priority=100)
    # ... and after it
    app.connect("env-get-updated", _on_env_updated, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 2}
