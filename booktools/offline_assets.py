"""Sphinx extension: the HTML book serves its own MathJax, never a CDN's.

Sphinx's default ``mathjax_path`` loads MathJax from cdn.jsdelivr.net on
every page with mathematics, so a reader offline (a train, a lab without
internet, a downloaded copy of the site) sees raw TeX. ``make setup``
installs MathJax from the npm registry at the version locked in
``booktools/web/package-lock.json`` (``npm ci`` into
``booktools/web/node_modules``); this extension copies what the MathJax
component loads into the HTML build, ``_static/mathjax/``, and checks that
``mathjax_path`` (set in ``_config.yml``) names that copy:

* the component itself (``tex-chtml.js``: TeX input, CommonHTML output, the
  menu and the assistive MathML of screen readers, in one file);
* what it loads at run time, on demand: the web fonts of CommonHTML output
  (``output/chtml/fonts/woff-v2``), TeX packages that are autoloaded by the
  macros they define (``input/tex/extensions``, e.g. ``\\cancel``), and what
  the reader can switch on in MathJax's menu (SVG output, the accessibility
  explorer and its speech rules: ``output/svg``, ``a11y``, ``sre``, ``ui``);
* MathJax's licence (Apache 2.0).

The build stops with a message naming ``make setup`` when the npm assets
are missing, and when ``mathjax_path`` points at a web address or at a file
the copy does not contain.

Config values: ``qbi_offline_mathjax`` (default ``True``; ``False`` leaves
Sphinx's MathJax settings alone, which the checks' fixture books use to
prove that the browser test notices a CDN), ``qbi_web_assets`` (the
``node_modules`` folder; default ``booktools/web/node_modules``).

Other builds reuse the copy: :func:`copy_mathjax` copies the same files into
any folder (the slide decks, for instance), :func:`web_package` finds an
installed npm package or says how to install it.
"""
from __future__ import annotations

import shutil
from pathlib import Path

WEB = Path(__file__).resolve().parent / "web"
NODE_MODULES = WEB / "node_modules"
# The MathJax component of the book's pages and where the build puts it,
# relative to the HTML build's _static folder (Sphinx reads a relative
# mathjax_path from there).
MATHJAX_COMPONENT = "tex-chtml.js"
MATHJAX_DIR = "mathjax"
MATHJAX_PATH = f"{MATHJAX_DIR}/{MATHJAX_COMPONENT}"
# Folders of the package's es5/ tree that a component loads at run time.
MATHJAX_RUNTIME = ("input", "output", "a11y", "sre", "ui")
SETUP_HINT = "run `make setup` (it installs them with `npm ci --prefix booktools/web`)"


class MissingWebAssets(RuntimeError):
    """An npm package the build needs is not installed."""


def web_package(name: str, node_modules: Path | str | None = None) -> Path:
    """The folder of the installed npm package ``name`` (mathjax, reveal.js,
    axe-core), or :class:`MissingWebAssets` saying how to install it."""
    folder = Path(node_modules) if node_modules else NODE_MODULES
    package = folder / name
    if not (package / "package.json").is_file():
        raise MissingWebAssets(
            f"the web asset {name!r} is not installed (no {package / 'package.json'}): {SETUP_HINT}")
    return package


def mathjax_es5(node_modules: Path | str | None = None) -> Path:
    """The ``es5`` folder of the installed MathJax 3 package."""
    es5 = web_package("mathjax", node_modules) / "es5"
    if not (es5 / MATHJAX_COMPONENT).is_file():
        raise MissingWebAssets(f"MathJax is incomplete: {es5 / MATHJAX_COMPONENT} is missing: {SETUP_HINT}")
    return es5


def copy_mathjax(dest: Path | str, components=(MATHJAX_COMPONENT,),
                 node_modules: Path | str | None = None) -> Path:
    """Copy the MathJax ``components`` (file names of ``es5/``, e.g.
    ``tex-chtml.js``, ``tex-mml-chtml.js``) and everything they load at run
    time into the folder ``dest`` (created; files of the same name are
    replaced, nothing else in it is touched). Returns ``dest``."""
    es5 = mathjax_es5(node_modules)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for component in components:
        source = es5 / component
        if not source.is_file() or source.parent != es5:
            raise MissingWebAssets(
                f"{component!r} is not a MathJax component of {es5} "
                f"(e.g. {MATHJAX_COMPONENT}, tex-mml-chtml.js, tex-svg.js)")
        shutil.copy2(source, dest / component)
    for folder in MATHJAX_RUNTIME:
        shutil.copytree(es5 / folder, dest / folder, dirs_exist_ok=True)
    shutil.copy2(es5.parent / "LICENSE", dest / "LICENSE")
    return dest


# ---------------------------------------------------------------- Sphinx

def _is_web_address(path: str) -> bool:
    return "://" in path or path.startswith("//")


def _local_component(mathjax_path: str) -> str:
    """The component a local mathjax_path names, or ExtensionError."""
    from sphinx.errors import ExtensionError

    if _is_web_address(mathjax_path):
        raise ExtensionError(
            f"mathjax_path is {mathjax_path!r}, a web address: readers offline would see raw "
            f"TeX. Set `mathjax_path: {MATHJAX_PATH}` under `sphinx: config:` in _config.yml "
            "(booktools.offline_assets copies MathJax into the build).")
    folder, _, component = mathjax_path.lstrip("/").rpartition("/")
    if folder != MATHJAX_DIR or not component.endswith(".js"):
        raise ExtensionError(
            f"mathjax_path is {mathjax_path!r}, but booktools.offline_assets copies MathJax into "
            f"_static/{MATHJAX_DIR}/: set it to {MATHJAX_PATH!r} (or another component of that folder)")
    return component


def _on_builder_inited(app):
    from sphinx.errors import ExtensionError

    if not app.config.qbi_offline_mathjax or app.builder.format != "html":
        return
    component = _local_component(app.config.mathjax_path)
    try:
        es5 = mathjax_es5(app.config.qbi_web_assets or None)
    except MissingWebAssets as err:
        raise ExtensionError(f"booktools.offline_assets: {err}") from None
    if not (es5 / component).is_file():
        raise ExtensionError(f"mathjax_path names {component!r}, which MathJax ({es5}) does not have")


def _on_build_finished(app, exception):
    if exception is not None or not app.config.qbi_offline_mathjax or app.builder.format != "html":
        return
    component = _local_component(app.config.mathjax_path)
    copy_mathjax(Path(app.outdir) / "_static" / MATHJAX_DIR, (component,),
                 app.config.qbi_web_assets or None)


def setup(app):
    app.add_config_value("qbi_offline_mathjax", True, "html")
    app.add_config_value("qbi_web_assets", "", "html")
    app.connect("builder-inited", _on_builder_inited)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
