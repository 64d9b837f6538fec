"""The files a deck needs besides its HTML, all copied into ``_build/slides``:
nothing is loaded from a CDN.

* reveal.js 5 (its CSS, the white theme and its font, the notes and math
  plugins) and MathJax 3 (SVG output, so that the speaker view shows the
  maths of the notes too) from ``booktools/web/node_modules`` (installed by
  ``make setup`` with ``npm ci`` at the versions of ``package-lock.json``);
* the book's look: the colour and font variables of the HTML book's theme
  (pydata-sphinx-theme, read from its installed CSS so the two cannot
  drift), its code colours (the same Pygments style), and the slides' own
  CSS and JavaScript (``static/``);
* the index page that lists the decks by lecture.
"""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
NODE_MODULES = HERE.parent / "web" / "node_modules"

# (package folder, path inside it) of every file copied; folders are copied whole.
WEB_FILES = [
    ("reveal.js", "LICENSE"),
    ("reveal.js", "dist/reset.css"),
    ("reveal.js", "dist/reveal.css"),
    ("reveal.js", "dist/reveal.js"),
    ("reveal.js", "dist/theme/white.css"),
    ("reveal.js", "dist/theme/fonts/source-sans-pro"),
    ("reveal.js", "plugin/notes/notes.js"),
    ("reveal.js", "plugin/math/math.js"),
    ("mathjax", "LICENSE"),
    ("mathjax", "es5/tex-svg.js"),
    ("mathjax", "es5/input/tex/extensions"),
]
VERSIONS = {"reveal.js": "5.2.1", "mathjax": "3.2.2"}

# The light theme's colours and fonts of the HTML book, with these values if
# the theme's CSS cannot be read.
THEME_FALLBACK = {
    "--pst-color-primary": "#0a7d91",
    "--pst-color-secondary": "#8045e5",
    "--pst-color-text-base": "#222832",
    "--pst-color-text-muted": "#48566b",
    "--pst-color-heading": "#222832",
    "--pst-color-surface": "#f3f4f5",
    "--pst-color-border": "#d1d5da",
    "--pst-color-inline-code": "#912583",
    "--pst-color-link": "#0a7d91",
    "--pst-color-background": "#fff",
    "--pst-font-family-base": 'system-ui, sans-serif, "Apple Color Emoji", "Segoe UI Emoji"',
    "--pst-font-family-monospace": 'ui-monospace, "Cascadia Code", "Source Code Pro", Menlo, Consolas, "DejaVu Sans Mono", monospace',
    "--pst-font-weight-heading": "600",
}


def missing_web_assets() -> list[str]:
    return [f"{package}/{name}" for package, name in WEB_FILES
            if not (NODE_MODULES / package / name).exists()]


def check_versions() -> list[str]:
    """Installed versions that differ from the ones the decks were made for."""
    import json

    wrong = []
    for package, version in VERSIONS.items():
        manifest = NODE_MODULES / package / "package.json"
        found = json.loads(manifest.read_text())["version"] if manifest.exists() else None
        if found != version:
            wrong.append(f"{package} {found} (expected {version})")
    return wrong


def theme_variables() -> dict[str, str]:
    """The ``--pst-*`` variables of the HTML book's light theme."""
    try:
        import pydata_sphinx_theme
        css_file = (Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
                    / "static" / "styles" / "pydata-sphinx-theme.css")
        css = css_file.read_text(encoding="utf-8")
    except (ImportError, OSError):
        return dict(THEME_FALLBACK)
    found: dict[str, str] = {}
    for selector, body in re.findall(r"(:root|html|html\[data-theme=light\])\{([^{}]*)\}", css):
        for name, value in re.findall(r"(--pst-[\w-]+):([^;]+)", body):
            found[name] = value.strip()
    out = dict(THEME_FALLBACK)
    out.update(found)
    return out


def theme_css() -> str:
    variables = theme_variables()
    body = "\n".join(f"  {k}: {v};" for k, v in sorted(variables.items()))
    return ("/* The HTML book's light theme (pydata-sphinx-theme), read from its CSS by\n"
            "   booktools/slides/assets.py: the decks use the book's colours and fonts. */\n"
            f":root {{\n{body}\n}}\n")


def pygments_css(builder) -> str:
    """The code colours of the HTML book (its light Pygments style)."""
    from pygments.formatters import HtmlFormatter

    options = getattr(builder.config, "html_theme_options", {}) or {}
    style = options.get("pygments_light_style", "a11y-high-contrast-light")
    try:
        return HtmlFormatter(style=style).get_style_defs(".highlight")
    except Exception:   # an unknown style: Sphinx's own
        return builder.highlighter.get_stylesheet()


def copy_assets(outdir: Path, builder=None) -> None:
    missing = missing_web_assets()
    if missing:
        raise RuntimeError("the slides need reveal.js and MathJax from npm, but "
                           f"{', '.join(missing)} is missing under {NODE_MODULES}: run `make setup`")
    static = outdir / "_static"
    for package, name in WEB_FILES:
        source = NODE_MODULES / package / name
        target = static / package / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
    for path in STATIC.iterdir():
        if path.is_file():
            shutil.copy2(path, static / path.name)
    (static / "qbi-theme.css").write_text(theme_css(), encoding="utf-8")
    if builder is not None:
        (static / "pygments.css").write_text(pygments_css(builder), encoding="utf-8")


def index_html(decks: list[dict], course: str, author: str) -> str:
    """The page that lists the decks, by lecture, with their PDF handouts."""
    lectures: dict[tuple, list[dict]] = {}
    for deck in decks:
        lectures.setdefault((deck["lecture"], deck["lecture_title"]), []).append(deck)
    parts = []
    for (number, title), entries in lectures.items():
        heading = f"Lecture {number}: {title}" if number else (title or "Slides")
        rows = "\n".join(
            f'<li><a href="{html.escape(d["deck"])}"><span class="qbi-number">{html.escape(d["number"])}</span> '
            f'{html.escape(d["title"])}</a> <span class="qbi-count">{d["slides"]} slides</span> '
            f'<a class="qbi-pdf" href="{html.escape(d["pdf"])}">PDF</a></li>'
            for d in entries)
        parts.append(f"<section>\n<h2>{html.escape(heading)}</h2>\n<ol class=\"qbi-decks\">\n{rows}\n</ol>\n</section>")
    body = "\n".join(parts)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(course)}: slides</title>
<link rel="stylesheet" href="_static/qbi-theme.css">
<link rel="stylesheet" href="_static/qbi-index.css">
</head>
<body>
<main>
<p class="qbi-course">{html.escape(course)}</p>
<h1>Slides of the lectures</h1>
<p>One deck per chapter of the book, made from the same cells. Press <kbd>s</kbd>
for the speaker view with the notes, <kbd>f</kbd> for full screen, <kbd>Esc</kbd>
for an overview. Each deck has a PDF handout, one slide per page.</p>
{body}
<p class="qbi-meta">{html.escape(author)} · <a href="../html/index.html">the book</a></p>
</main>
</body>
</html>
"""
