"""Checks of the built HTML that need no browser: alt texts, internal links,
launch (Binder) links and downloads. Each check returns a list of problems,
one sentence each, naming the page and the element (empty: all good).

Alt text policy (the same in the browser test):

* every ``<img>`` has a non-empty ``alt`` that is not just a file name
  (Sphinx writes the image's path as its alt when a cell gives none);
* every inline ``<svg>`` in a page's article (not the icon of a button) is named: ``aria-label``,
  ``aria-labelledby`` or a ``<title>`` child (``common.plotting.inline_svg``
  sets ``role="img"`` and ``aria-label``), or it sits in a ``<figure>`` with
  a ``<figcaption>``; ``aria-hidden="true"`` marks a decorative one. A
  library's HTML repr that draws inside a table (dask's array repr) counts
  as described by that table's text.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

IMAGE_FILE = re.compile(r"(^|/)[^/\s]+\.(png|jpe?g|gif|svg|pdf|webp)$", re.I)


def html_pages(html_root: Path) -> list[Path]:
    """Every HTML page of the site (not the copied sources or static assets)."""
    skip = {"_static", "_sources", "_images", "_downloads"}
    return sorted(p for p in html_root.rglob("*.html")
                  if not skip.intersection(p.relative_to(html_root).parts))


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# ------------------------------------------------------------------ alt text

def img_alt_problem(alt: str | None, src: str) -> str | None:
    """Why an <img> with this alt fails the policy, or None."""
    if alt is None:
        return "has no alt attribute"
    if not alt.strip():
        return "has an empty alt text"
    name = urlsplit(src).path.rsplit("/", 1)[-1]
    if alt.strip() == src or (name and alt.strip().endswith(name)) or IMAGE_FILE.search(alt.strip()):
        return f"has only a file name as alt text ({alt.strip()!r})"
    return None


def svg_label_problem(*, aria_label: str | None, labelledby: str | None, title: str | None,
                      aria_hidden: str | None, figcaption: str | None, in_table: bool) -> str | None:
    """Why an inline <svg> fails the policy, or None."""
    if (aria_hidden or "").lower() == "true":
        return None
    for name in (aria_label, labelledby, title, figcaption):
        if name and name.strip():
            return None
    if in_table:
        return None
    return ("has no accessible name (aria-label, aria-labelledby or <title>) "
            "and is not in a figure with a caption")


def describe(tag) -> str:
    """A short, recognisable rendering of an element for messages."""
    attrs = " ".join(f'{k}="{v if isinstance(v, str) else " ".join(v)}"'
                     for k, v in tag.attrs.items() if k in ("src", "alt", "class", "id", "href", "aria-label"))
    return f"<{tag.name} {attrs}>".replace(" >", ">")


def check_alt_texts(html_root: Path, pages: list[Path] | None = None) -> list[str]:
    problems = []
    for page in pages or html_pages(html_root):
        soup = soup_of(page)
        rel = page.relative_to(html_root).as_posix()
        for img in soup.find_all("img"):
            why = img_alt_problem(img.get("alt"), img.get("src", ""))
            if why:
                problems.append(f"{rel}: {describe(img)} {why}")
        article = soup.find("article") or soup
        for svg in article.find_all("svg"):
            if svg.find_parent("svg") is not None or svg.find_parent("button") is not None:
                continue                     # part of a picture, or a control's icon
            title = svg.find("title", recursive=False)
            figure = svg.find_parent("figure")
            caption = figure.find("figcaption") if figure is not None else None
            why = svg_label_problem(
                aria_label=svg.get("aria-label"), labelledby=svg.get("aria-labelledby"),
                title=title.get_text() if title else None, aria_hidden=svg.get("aria-hidden"),
                figcaption=caption.get_text() if caption else None,
                in_table=svg.find_parent("table") is not None)
            if why:
                problems.append(f"{rel}: inline {describe(svg)} {why}")
    return problems


def check_opaque_pictures(html_root: Path, pages: list[Path]) -> list[str]:
    """Every PNG picture of the pages is opaque: a transparent background
    turns black in a dark notebook viewer (the book's CSS puts the HTML's
    pictures on white, but the downloaded .ipynb has no such CSS)."""
    from PIL import Image

    problems = []
    for page in pages:
        rel = page.relative_to(html_root).as_posix()
        if not page.exists():
            problems.append(f"{rel} is missing: build the book with `make book`")
            continue
        soup = soup_of(page)
        for img in (soup.find("article") or soup).find_all("img"):
            src = urlsplit(img.get("src", "")).path
            if not src.lower().endswith(".png") or _is_external(img.get("src", "")):
                continue
            path = (page.parent / unquote(src)).resolve()
            if not path.exists():
                continue                      # reported by the link check
            with Image.open(path) as picture:
                if "A" in picture.getbands() or "transparency" in picture.info:
                    lowest = picture.convert("RGBA").getchannel("A").getextrema()[0]
                    if lowest < 255:
                        problems.append(f"{rel}: {describe(img)} has transparent pixels "
                                        f"(alpha down to {lowest}); save figures with an opaque background")
    return problems


# ------------------------------------------------------------------ links

def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme) or url.startswith("//")


def check_internal_links(html_root: Path, pages: list[Path] | None = None) -> list[str]:
    """Every relative href/src of every page points at a file that exists,
    and every #fragment at an element with that id (or name) in it."""
    problems = []
    ids: dict[Path, set[str]] = {}

    def anchors(path: Path) -> set[str]:
        if path not in ids:
            soup = soup_of(path)
            ids[path] = {t["id"] for t in soup.find_all(id=True)} | \
                        {t["name"] for t in soup.find_all("a", attrs={"name": True})}
        return ids[path]

    for page in pages or html_pages(html_root):
        rel = page.relative_to(html_root).as_posix()
        soup = soup_of(page)
        for tag, attr in (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"),
                          ("iframe", "src"), ("source", "src")):
            for el in soup.find_all(tag, attrs={attr: True}):
                url = el[attr].strip()
                if not url or _is_external(url) or url.startswith(("mailto:", "javascript:", "data:")):
                    continue
                parts = urlsplit(url)
                target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
                if target.is_dir():
                    target = target / "index.html"
                if not target.exists():
                    problems.append(f"{rel}: {describe(el)} points at {url}, which does not exist")
                    continue
                fragment = unquote(parts.fragment)
                if fragment and target.suffix == ".html" and fragment not in anchors(target):
                    problems.append(f"{rel}: {describe(el)} points at #{fragment}, "
                                    f"which {target.relative_to(html_root).as_posix()} does not contain")
    return problems


# ------------------------------------------------------------------ offline

# Elements whose address the browser loads by itself (not a link the reader
# clicks): a resource from another host breaks the book offline.
RESOURCE_ATTRIBUTES = (("script", "src"), ("img", "src"), ("img", "srcset"), ("source", "src"),
                       ("source", "srcset"), ("iframe", "src"), ("video", "src"), ("video", "poster"),
                       ("audio", "src"), ("track", "src"), ("embed", "src"), ("object", "data"),
                       ("input", "src"))
# <link rel=...> that the browser loads (not rel="canonical", "alternate", ...)
LOADED_LINKS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload",
                "prefetch", "manifest", "mask-icon"}
CSS_URL = re.compile(r"""url\(\s*['"]?((?:https?:)?//[^'")\s]+)""", re.I)


def check_external_resources(html_root: Path, pages: list[Path] | None = None) -> list[str]:
    """No page refers to a script, style, font, image or frame on another
    host (the browser test catches what the pages do request; this catches
    what they would load later, e.g. a lazy image or a deferred script).
    Links (<a href>) are fine: the reader decides to follow them."""
    problems = []
    for page in pages or html_pages(html_root):
        rel = page.relative_to(html_root).as_posix()
        soup = soup_of(page)
        found = []
        for tag, attr in RESOURCE_ATTRIBUTES:
            for el in soup.find_all(tag, attrs={attr: True}):
                urls = [part.split()[0] for part in el[attr].split(",") if part.strip()] \
                    if attr == "srcset" else [el[attr].strip()]
                found += [(el, url) for url in urls if _is_external(url) and not url.startswith("data:")]
        for el in soup.find_all("link", href=True):
            if LOADED_LINKS.intersection(r.lower() for r in el.get("rel", [])) and _is_external(el["href"]):
                found.append((el, el["href"]))
        for el in soup.find_all(style=True):
            found += [(el, url) for url in CSS_URL.findall(el["style"])]
        for el in soup.find_all("style"):
            found += [(el, url) for url in CSS_URL.findall(el.get_text())]
        for el, url in found:
            problems.append(f"{rel}: {describe(el)} loads {url} from outside the book "
                            "(the book must work offline: serve it from _static)")
    return problems


# ------------------------------------------------------------------ Binder and downloads

def expected_launch_url(config: dict, docname: str) -> str:
    """The Binder address a chapter's rocket button must open (the .md
    file itself, which jupytext opens as a notebook)."""
    repo = urlsplit(config["repository"]["url"]).path.strip("/")
    branch = config["repository"].get("branch", "main")
    launch = config.get("launch_buttons", {})
    hub = launch["binderhub_url"].rstrip("/")
    prefix = {"jupyterlab": "lab/tree", "classic": "tree"}[launch.get("notebook_interface", "classic")]
    path = config["repository"].get("path_to_book", "").strip("/")
    file = f"{path}/{docname}.md" if path else f"{docname}.md"
    return f"{hub}/v2/gh/{repo}/{branch}?urlpath={prefix}/{file}"


def check_launch_and_downloads(html_root: Path, root: Path, config: dict,
                               notebook_docs: list[str]) -> list[str]:
    """Each notebook chapter's page: the Binder link opens its .md, and the
    download menu offers its .md source (identical to the repository's) and
    its executed .ipynb (every code cell run, outputs kept)."""
    problems = []
    for doc in notebook_docs:
        page = html_root / f"{doc}.html"
        if not page.exists():
            problems.append(f"{doc}.html is missing: build the book with `make book`")
            continue
        soup = soup_of(page)
        rel = page.relative_to(html_root).as_posix()

        wanted = expected_launch_url(config, doc)
        launches = [a["href"] for a in soup.find_all("a", href=True) if "/v2/gh/" in a["href"]]
        if wanted not in launches:
            problems.append(f"{rel}: no launch button opens {wanted} (found {launches})")
        if not (root / f"{doc}.md").exists():
            problems.append(f"{rel}: the launch button opens {doc}.md, which is not in the repository")

        def download(label):
            a = soup.find("a", class_=f"btn-download-{label}-button")
            return (page.parent / a["href"]).resolve() if a is not None and a.get("href") else None

        source = download("source")
        if source is None or source.suffix != ".md":
            problems.append(f"{rel}: no download button for the .md source")
        elif not source.exists():
            problems.append(f"{rel}: the .md download {source} does not exist")
        elif source.read_bytes() != (root / f"{doc}.md").read_bytes():
            problems.append(f"{rel}: the .md download differs from {doc}.md")

        notebook = download("notebook")
        if notebook is None or notebook.suffix != ".ipynb":
            problems.append(f"{rel}: no download button for the executed .ipynb")
        elif not notebook.exists():
            problems.append(f"{rel}: the .ipynb download {notebook} does not exist")
        else:
            problems.extend(f"{rel}: the .ipynb download {p}" for p in _notebook_problems(notebook))
    return problems


def _notebook_problems(path: Path) -> list[str]:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return [f"is not a readable notebook ({err})"]
    if nb.get("nbformat") != 4:
        return [f"has nbformat {nb.get('nbformat')!r}, expected 4"]
    code = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    problems = []
    not_run = [i for i, c in enumerate(code) if not isinstance(c.get("execution_count"), int)]
    if not_run:
        problems.append(f"has code cells that were not executed: {not_run[:10]}")
    if code and not any(c.get("outputs") for c in code):
        problems.append("has no outputs at all")
    if "kernelspec" not in nb.get("metadata", {}):
        problems.append("has no kernelspec")
    return problems
