"""House rules of the chapters that a build would not catch by itself."""
import pathlib
import re
import subprocess

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
# One folder per lecture (chapters/lecture-NN/), one MyST notebook per chapter.
CHAPTERS = sorted((ROOT / "chapters").glob("lecture-[0-9][0-9]/[0-9][0-9]-*.md"))
BIB_KEYS = set(re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "chapters/references.bib").read_text(), re.M))
CITE = re.compile(r"\{(?:cite|footcite)(?::\w+)?\}`([^`]+)`")


def front_matter(path):
    text = path.read_text()
    assert text.startswith("---\n"), f"{path.name}: no front matter"
    return yaml.safe_load(text[4:text.index("\n---", 4)])


def citation_prefix(path):
    """``l<lecture>c<NN>-``: chapter 3 of lecture 1 cites as ``l1c03-``."""
    lecture = int(path.parent.name.removeprefix("lecture-"))
    return f"l{lecture}c{path.name[:2]}-"


def test_there_are_chapters():
    assert len(CHAPTERS) >= 2


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_is_a_myst_notebook_with_a_label(path):
    meta = front_matter(path)
    assert meta["jupytext"]["text_representation"]["format_name"] == "myst"
    assert meta["kernelspec"]["name"] == "python3"
    text = path.read_text()
    label = re.search(r"^\((ch-[\w-]+)\)=\n# ", text, re.M)
    assert label, f"{path.name}: needs a label '(ch-...)=' right above its title"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_citations_use_the_chapter_key_prefix_and_exist(path):
    # Several chapters cite the same works; sphinxcontrib-bibtex needs each
    # chapter's bibliography to prefix its keys, or -W fails on duplicates.
    text = path.read_text()
    prefix = citation_prefix(path)
    keys = [k.strip() for group in CITE.findall(text) for k in group.split(",")]
    if not keys:
        return
    assert f":keyprefix: {prefix}" in text, f"{path.name}: bibliography needs ':keyprefix: {prefix}'"
    for key in keys:
        assert key.startswith(prefix), f"{path.name}: cite {key!r} as {prefix}<key>"
        assert key[len(prefix):] in BIB_KEYS, f"{path.name}: {key!r} is not in references.bib"


def test_toc_lists_exactly_the_chapters_in_order():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert listed == [p.relative_to(ROOT).with_suffix("").as_posix() for p in CHAPTERS]


def test_chapter_labels_are_unique():
    labels = [m for p in CHAPTERS for m in re.findall(r"^\(([\w-]+)\)=", p.read_text(), re.M)]
    duplicates = sorted({x for x in labels if labels.count(x) > 1})
    assert not duplicates, f"labels defined more than once: {duplicates}"


def test_no_notebook_or_image_files_are_tracked_in_chapters():
    # Chapters are .md notebooks whose pictures are computed, never stored.
    listing = subprocess.run(["git", "ls-files", "chapters"], cwd=ROOT,
                             capture_output=True, text=True)
    if listing.returncode == 0:
        tracked = listing.stdout.split()
    else:  # not a git checkout (an exported copy): every file there counts
        tracked = [str(p.relative_to(ROOT)) for p in (ROOT / "chapters").iterdir()]
    stray = [name for name in tracked
             if pathlib.Path(name).suffix in {".ipynb", ".png", ".svg", ".jpg", ".pdf"}]
    assert not stray, f"tracked files that do not belong in chapters/: {stray}"


def test_the_bibliography_parses_strictly():
    """references.bib is valid BibTeX with every key once (a lost brace in a
    merge swallows the next entry and stops the PDF build)."""
    from pybtex import errors
    from pybtex.database import parse_file

    errors.set_strict_mode(True)     # raise on any syntax error
    data = parse_file(str(ROOT / "chapters/references.bib"))
    assert set(data.entries) == BIB_KEYS
    assert len(BIB_KEYS) == len(re.findall(r"^@\w+\{", (ROOT / "chapters/references.bib").read_text(), re.M))


def test_every_bibliography_entry_is_whole_and_once():
    """Each entry names its authors (or editors, or a corporate author) and a
    title, and no work is entered twice under two keys (same DOI or URL):
    two keys for one work give duplicate labels in a chapter's references."""
    from pybtex.database import parse_file

    data = parse_file(str(ROOT / "chapters/references.bib"))
    seen: dict[str, str] = {}
    for key, entry in data.entries.items():
        assert entry.persons.get("author") or entry.persons.get("editor"), f"{key}: no author"
        assert entry.fields.get("title"), f"{key}: no title"
        for field in ("doi", "url"):
            value = entry.fields.get(field, "").lower().rstrip("/")
            if value:
                assert value not in seen, f"{key} and {seen[value]} are the same work ({value})"
                seen[value] = key
