"""A two-page book with the real book's settings, to prove the checks fail.

``make_book`` writes, into an empty folder, a book whose one chapter is an
already executed notebook with one SVG output (a graph, as graphviz and dask
make them), one PNG output (a Matplotlib figure), Greek letters and symbols
in its text, formulas (inline, display), a pandas table (with the empty
top-left header cell pandas writes) under a hidden code cell, and a
citation with its bibliography: what the accessibility fixes and the
offline MathJax are about. Its ``_config.yml`` is the real one's LaTeX and
Sphinx settings and its CSS (so a change to the real settings changes the
fixture), minus what a variant removes: the SVG converter extension, the
SVG priority for LaTeX, the alt text of the PNG, the book's CSS
(booktools/static/, switched off with ``qbi_figure_css: false``), the local
MathJax (``offline_math=False``: Sphinx's default, a CDN), the accessibility
fixes (``a11y=False``: ``qbi_accessibility: false``), or the npm assets
(``web_assets``: another, e.g. empty, node_modules folder).
"""
from __future__ import annotations

import base64
import copy
import io
import json
import subprocess
import sys
from pathlib import Path

import yaml

import bookinfo

SVG_CONVERTER = "sphinxcontrib.rsvgconverter"
TITLE = "Fixture book"
AUTHOR = "The tests"
CHAPTER_TITLE = "Figures of the fixture"
#: the parts of the two-lecture variant (make_book(lectures=True))
LECTURES = ("Lecture 1: First steps", "Lecture 2: Second thoughts")
SECOND_TITLE = "Only chapter of the second lecture"
GREEK = "Greek and symbols: α β γ δ λ μ σ Σ Δ Ω, µm, ≈ ≤ ≥ ± × → ∞"
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="160pt" height="60pt" viewBox="0 0 160 60">'
       '<polygon fill="white" points="0,0 160,0 160,60 0,60"/>'
       '<ellipse cx="40" cy="30" rx="30" ry="18" fill="#9ecae1" stroke="black"/>'
       '<ellipse cx="120" cy="30" rx="30" ry="18" fill="#fdae6b" stroke="black"/>'
       '<path d="M70,30 L88,30" stroke="black"/>'
       '<text x="40" y="34" font-size="10" text-anchor="middle">load</text>'
       '<text x="120" y="34" font-size="10" text-anchor="middle">sum</text></svg>')


# Formulas of the fixture's text: 2 inline, 1 display.
MATH = (r"The variance $\sigma^2 = \frac{1}{n}\sum_i (x_i - \mu)^2$ of $n$ values, and"
        "\n\n$$\nI(x) = I_0 \\, e^{-\\mu x}\n$$\n")
N_FORMULAS = 3
# pandas' HTML of a small data frame: the top-left header cell is empty.
TABLE_HTML = ('<table border="1" class="dataframe">\n  <thead>\n    <tr style="text-align: right;">\n'
              '      <th></th>\n      <th>area</th>\n      <th>kind</th>\n    </tr>\n  </thead>\n'
              '  <tbody>\n    <tr>\n      <th>0</th>\n      <td>14</td>\n      <td>cell</td>\n'
              '    </tr>\n    <tr>\n      <th>1</th>\n      <td>9</td>\n      <td>pore</td>\n'
              '    </tr>\n  </tbody>\n</table>')
BIB = """@article{fixture-beer,
  author = {Ann Author and Bo Writer},
  title = {Absorption of light in a fixture},
  journal = {Journal of Fixtures},
  year = {2020},
  volume = {1},
  pages = {1--2},
}
"""


def png_bytes() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (120, 80), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 60, 70), fill=(68, 1, 84))
    draw.ellipse((70, 20, 110, 60), fill=(253, 231, 37))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def notebook(*, alt: bool) -> dict:
    png_meta = {"mystnb": {"image": {"alt": "A purple bar and a yellow disc"}}} if alt else {}
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                     "language_info": {"name": "python"}},
        "cells": [
            {"cell_type": "markdown", "id": "title", "metadata": {},
             "source": f"# {CHAPTER_TITLE}\n\n## A graph\n\n{GREEK}\n\n{MATH}"},
            {"cell_type": "code", "id": "graph", "execution_count": 1,
             "metadata": {"mystnb": {"image": {"alt": "Two ellipses, load and sum, joined by a line"}}},
             "source": "graph = draw_graph()\ngraph",
             "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                          "data": {"image/svg+xml": SVG,
                                   "text/plain": "<IPython.core.display.SVG object>"}}]},
            {"cell_type": "markdown", "id": "plot", "metadata": {}, "source": "## A plot\n"},
            {"cell_type": "code", "id": "figure", "execution_count": 2, "metadata": png_meta,
             "source": "fig = plot_bars()",
             "outputs": [{"output_type": "display_data", "metadata": {},
                          "data": {"image/png": base64.b64encode(png_bytes()).decode(),
                                   "text/plain": "<Figure size 640x480 with 1 Axes>"}}]},
            {"cell_type": "markdown", "id": "table-title", "metadata": {},
             "source": "## A table\n\nAreas of two objects, as in {cite:t}`fixture-beer`.\n"},
            {"cell_type": "code", "id": "table", "execution_count": 3,
             "metadata": {"tags": ["hide-input"]},
             "source": "objects = pd.DataFrame({'area': [14, 9], 'kind': ['cell', 'pore']})\nobjects",
             "outputs": [{"output_type": "execute_result", "execution_count": 3, "metadata": {},
                          "data": {"text/html": TABLE_HTML,
                                   "text/plain": "   area  kind\n0    14  cell\n1     9  pore"}}]},
            {"cell_type": "markdown", "id": "references", "metadata": {},
             "source": "## References\n\n```{bibliography}\n```\n"},
        ],
    }


def make_book(folder: Path, *, alt: bool = True, svg_converter: bool = True,
              svg_priority: bool = True, static: bool = True, offline_math: bool = True,
              a11y: bool = True, web_assets: Path | None = None,
              lectures: bool = False) -> Path:
    real = bookinfo.load_config()
    sphinx = copy.deepcopy(real.get("sphinx", {}))
    sphinx["extra_extensions"] = [
        ext for ext in sphinx.get("extra_extensions", [])
        if ext != "booktools.sphinx_cache" and (svg_converter or ext != SVG_CONVERTER)]
    config = sphinx.setdefault("config", {})
    if not svg_priority:
        config["nb_mime_priority_overrides"] = [
            rule for rule in config.get("nb_mime_priority_overrides", [])
            if not (rule[0] == "latex" and rule[1] == "image/svg+xml")]
    # (before _config.yml is written: a variant set later would change nothing)
    if not static:
        config["qbi_figure_css"] = False
    if not offline_math:
        config["qbi_offline_mathjax"] = False
        config.pop("mathjax_path", None)      # Sphinx's default: MathJax from a CDN
    if not a11y:
        config["qbi_accessibility"] = False
    if web_assets is not None:
        config["qbi_web_assets"] = str(web_assets)
    # the fixture has no slides (make slides), so its pages get no slides button
    config["qbi_slides_url"] = ""
    if config.get("latex_documents"):
        config["latex_documents"] = [["index", doc[1], TITLE, AUTHOR, *doc[4:]]
                                     for doc in config["latex_documents"]]
    book = {
        "title": TITLE, "author": AUTHOR,
        "only_build_toc_files": True,
        "execute": {"execute_notebooks": "off"},
        "bibtex_bibfiles": ["references.bib"],
        "sphinx": sphinx,
        "latex": copy.deepcopy(real.get("latex", {})),
        "html": {"use_download_button": True},
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_config.yml").write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    if lectures:
        # two lectures (parts), the second with a chapter of its own
        (folder / "_toc.yml").write_text(
            "format: jb-book\nroot: index\nparts:\n"
            f'  - caption: "{LECTURES[0]}"\n    numbered: true\n    chapters:\n      - file: figures\n'
            f'  - caption: "{LECTURES[1]}"\n    numbered: true\n    chapters:\n      - file: second\n',
            encoding="utf-8")
        (folder / "second.md").write_text(
            f"# {SECOND_TITLE}\n\n## A section\n\nText of the second lecture.\n\n"
            "## Another section\n\nMore text.\n", encoding="utf-8")
    else:
        (folder / "_toc.yml").write_text(
            "format: jb-book\nroot: index\nchapters:\n  - file: figures\n", encoding="utf-8")
    (folder / "index.md").write_text("# Fixture book\n\nA book with one chapter.\n", encoding="utf-8")
    (folder / "references.bib").write_text(BIB, encoding="utf-8")
    (folder / "figures.ipynb").write_text(json.dumps(notebook(alt=alt), indent=1), encoding="utf-8")
    return folder


def build(folder: Path, builder: str) -> subprocess.CompletedProcess:
    """``jupyter-book build`` of the fixture (warnings are not errors: the
    point is to see what a broken setting lets through)."""
    exe = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run([str(exe), "build", str(folder), "--builder", builder],
                          capture_output=True, text=True, timeout=600)
