"""Open every page of the built HTML book in Debian's headless Chromium.

Playwright drives ``/usr/bin/chromium`` (package ``chromium``; Playwright's
own browser download is never used). The pages are served from a local HTTP
server on 127.0.0.1, as a web server would serve them. Nothing else is
reachable: every request to another host is recorded and blocked, so the
test sees the book as a reader offline sees it.

For each page, in the light and in the dark theme, ``check_site`` records:

* requests for anything outside the book (scripts, styles, fonts, images,
  MathJax from a CDN): each one is a problem, since the book must work
  offline. Links the reader clicks and the live-code launcher (the Binder
  link) are only links: the test never clicks them, so they request nothing;
* JavaScript errors: uncaught exceptions and ``console.error`` messages
  (except the failed loads of the blocked external resources, which are
  reported as external requests);
* mathematics: every formula Sphinx wrote (``.math``) typeset by MathJax
  (an ``<mjx-container>`` inside it, no MathJax error), and no raw TeX
  (``\\(``, ``\\[``, ``$$``, ``\\begin{``) left in the text outside code;
* accessibility: axe-core (the standard engine, from npm:
  ``booktools/web/node_modules/axe-core/axe.min.js``), injected into the
  page after it has loaded and typeset; a critical or serious violation is a
  problem, the others are counted; each page's results are saved as JSON,
  ``<shots>/axe/<theme>/<page>.json``;
* broken images: not loaded, or zero natural width or height, and local
  resources that failed to load;
* images without alt text and unnamed inline SVGs (policy in htmlcheck.py);
* in the dark theme, any CSS filter or blend mode on a figure or its
  ancestors, and the figure's pixels: each picture is cut out of the
  light and the dark full-page screenshots and must look the same (a filter,
  an inversion or a transparent background that turns dark shows up as
  different pixels);

and saves a full-page screenshot, ``<shots>/<theme>/<page>.png``.

Other HTML (the slide decks) reuses the pieces: ``LocalServer`` serves a
folder on 127.0.0.1, ``browser_context`` opens Chromium offline in one
theme, ``probe_page`` opens one page and returns a ``PageProbe`` (its
external requests, JavaScript errors, formulas and axe results, and
``problems()``), ``probe_pages`` does it for a list of pages.
"""
from __future__ import annotations

import collections
import contextlib
import functools
import http.server
import io
import json
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

from htmlcheck import img_alt_problem, svg_label_problem

CHROMIUM = os.environ.get("QBI_CHROMIUM", "/usr/bin/chromium")
# Debian's chromium as root, offline, in a container (see TOOLCHAIN.md).
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]
THEMES = ("light", "dark")
VIEWPORT = {"width": 1280, "height": 900}
MAX_HEIGHT = 60_000           # pixels: longer pages are cut (none is near this)
# A picture "looks the same" in both themes when at most this fraction of its
# pixels differ by more than PIXEL_TOLERANCE in some channel.
PIXEL_TOLERANCE = 24
PAGE_TIMEOUT_MS = 60_000
MATH_TIMEOUT_MS = 30_000      # MathJax typesets a page in well under a second
# <meta http-equiv="Refresh" content="0; url=chapters/index.html" />
REDIRECT = re.compile(r'<meta\s+http-equiv="refresh"\s+content="\d+;\s*url=([^"]+)"', re.I)
MAX_DIFFERENT_FRACTION = 0.002
# Schemes that never leave the browser (inline data, generated objects).
LOCAL_SCHEMES = ("data:", "blob:", "about:")
# axe-core impacts that fail the test; the others are counted and listed in
# the README with their cause.
FAILING_IMPACTS = ("critical", "serious")
IMPACTS = ("critical", "serious", "moderate", "minor")

ROOT = Path(__file__).resolve().parents[2]


def axe_script() -> Path:
    """axe.min.js of the npm package axe-core (``make setup`` installs it)."""
    from booktools.offline_assets import web_package

    return web_package("axe-core") / "axe.min.js"


COLLECT = r"""
() => {
  const article = document.querySelector("article.bd-article") || document.body;
  const box = (el) => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    const px = (v) => parseFloat(v) || 0;
    const left = r.left + window.scrollX + px(cs.borderLeftWidth) + px(cs.paddingLeft);
    const top = r.top + window.scrollY + px(cs.borderTopWidth) + px(cs.paddingTop);
    const width = r.width - px(cs.borderLeftWidth) - px(cs.borderRightWidth) - px(cs.paddingLeft) - px(cs.paddingRight);
    const height = r.height - px(cs.borderTopWidth) - px(cs.borderBottomWidth) - px(cs.paddingTop) - px(cs.paddingBottom);
    return {left, top, width, height};
  };
  const effects = (el) => {
    const found = [];
    for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.filter && cs.filter !== "none") found.push(`${e.tagName.toLowerCase()} filter: ${cs.filter}`);
      if (cs.mixBlendMode && cs.mixBlendMode !== "normal") found.push(`${e.tagName.toLowerCase()} mix-blend-mode: ${cs.mixBlendMode}`);
    }
    return found;
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const images = [...document.images].map((img, index) => ({
    index, src: img.getAttribute("src") || "", alt: img.getAttribute("alt"),
    complete: img.complete, naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight,
    inArticle: article.contains(img), visible: visible(img), box: box(img), effects: effects(img),
    html: img.outerHTML.slice(0, 200),
  }));
  // pictures, not the icons of controls (the copy button of each code cell)
  const svgs = [...article.querySelectorAll("svg")].filter(s => !s.parentElement.closest("svg, button")).map((svg, index) => {
    const title = [...svg.children].find(c => c.tagName.toLowerCase() === "title");
    const figure = svg.closest("figure");
    const caption = figure ? figure.querySelector("figcaption") : null;
    return {
      index, ariaLabel: svg.getAttribute("aria-label"), labelledby: svg.getAttribute("aria-labelledby"),
      title: title ? title.textContent : null, ariaHidden: svg.getAttribute("aria-hidden"),
      figcaption: caption ? caption.textContent : null, inTable: !!svg.closest("table"),
      visible: visible(svg), box: box(svg), effects: effects(svg),
      html: svg.outerHTML.slice(0, 120),
    };
  });
  return {theme: document.documentElement.dataset.theme || "", images, svgs};
}
"""

LOAD_ALL_IMAGES = r"""
async () => {
  for (const img of document.images) { if (img.loading === "lazy") img.loading = "eager"; }
  await Promise.all([...document.images].map(img => img.complete ? null : new Promise(resolve => {
    img.addEventListener("load", resolve); img.addEventListener("error", resolve);
    setTimeout(resolve, 15000);
  })));
}
"""


# Formulas: Sphinx writes each one into an element of class "math" (inline
# \(...\), display \[...\]); MathJax replaces the TeX with <mjx-container>.
TYPESET = r"""
async (timeoutMs) => {
  const mj = window.MathJax;
  const loaded = !!(mj && mj.startup && mj.startup.promise);
  let finished = false;
  if (loaded) {
    finished = await Promise.race([
      mj.startup.promise.then(() => true, () => false),
      new Promise(resolve => setTimeout(() => resolve(false), timeoutMs))]);
  }
  const formulas = [...document.querySelectorAll(".math")];
  const rendered = formulas.filter(f => f.querySelector("mjx-container"));
  const unrendered = formulas.filter(f => !f.querySelector("mjx-container"))
    .map(f => f.textContent.trim().slice(0, 80));
  const errors = [...document.querySelectorAll("mjx-merror")]
    .map(e => (e.getAttribute("data-mjx-error") || e.textContent).slice(0, 120));
  // raw TeX left in the text a reader sees (code shows TeX on purpose)
  const raw = [];
  const pattern = /\\\(|\\\)|\\\[|\\\]|\$\$|\\begin\{|\\end\{/;
  const skip = "pre, code, kbd, samp, script, style, textarea, mjx-container, .highlight";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) continue;
    const match = node.textContent.match(pattern);
    if (match) {
      const at = Math.max(0, match.index - 30);
      raw.push(node.textContent.slice(at, at + 90).replace(/\s+/g, " ").trim());
    }
  }
  return {loaded, finished, version: loaded ? (mj.version || "") : "", formulas: formulas.length,
          rendered: rendered.length, unrendered: unrendered.slice(0, 5), errors: errors.slice(0, 5),
          raw: raw.slice(0, 5), rawCount: raw.length};
}
"""

AXE_RUN = r"""
async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return {testEngine: results.testEngine, url: results.url, timestamp: results.timestamp,
          toolOptions: results.toolOptions, violations: results.violations,
          // what axe could not decide (e.g. contrast over a gradient), for a person to review
          incomplete: results.incomplete.map(r => ({id: r.id, impact: r.impact, help: r.help,
            nodes: r.nodes.map(n => ({target: n.target, html: n.html.slice(0, 300),
                                      why: n.any.concat(n.all).map(c => c.message)}))}))};
}
"""


# ---------------------------------------------------------------- serving, browsing

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class LocalServer:
    """Serve a folder on 127.0.0.1 (a free port) in a background thread."""

    def __init__(self, folder: Path):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def chromium_problem() -> str | None:
    if not Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is None:
        return (f"{CHROMIUM} is missing: install Debian's chromium "
                "(`make check-html` does it: apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is missing: run `make setup` (requirements.txt pins it)"
    try:
        axe_script()
    except Exception as err:   # booktools.offline_assets.MissingWebAssets
        return str(err)
    return None


@contextlib.contextmanager
def browser(playwright):
    """Debian's headless Chromium, closed on exit."""
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
    try:
        yield chromium
    finally:
        chromium.close()


@contextlib.contextmanager
def browser_context(chromium, theme: str = "light"):
    """A fresh browser profile showing pages in ``theme`` (light or dark:
    the reader's system setting and the theme's stored choice)."""
    context = chromium.new_context(color_scheme=theme, viewport=VIEWPORT,
                                   device_scale_factor=1, reduced_motion="reduce")
    context.add_init_script(
        f"try {{ localStorage.setItem('mode', '{theme}'); "
        f"localStorage.setItem('theme', '{theme}'); }} catch (e) {{}}")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@dataclass
class PageProbe:
    """What one page did in the browser."""
    rel: str                       # the page, relative to the served folder
    theme: str = "light"
    errors: list = field(default_factory=list)      # JavaScript errors, failed local loads
    external: list = field(default_factory=list)    # (resource type, address) requested
    math: dict | None = None       # the result of TYPESET
    axe: dict | None = None        # axe-core's results (violations, incomplete)
    axe_file: Path | None = None

    @property
    def where(self) -> str:
        return f"{self.rel} [{self.theme}]"

    def problems(self) -> list[str]:
        out = [f"{self.where}: {message}" for message in self.errors]
        out += [f"{self.where}: {problem}" for problem in external_problems(self.external)]
        if self.math is not None:
            out += [f"{self.where}: {problem}" for problem in math_problems(self.math)]
        if self.axe is not None:
            out += [f"{self.where}: {problem}" for problem in axe_problems(self.axe, self.axe_file)]
        return out


def external_problems(external: list) -> list[str]:
    counted = collections.Counter(external)
    return [f"requests a {kind} from outside the book (the book must work offline): {url}"
            + (f" ({n} times)" if n > 1 else "")
            for (kind, url), n in counted.items()]


def math_problems(math: dict) -> list[str]:
    out = []
    if math["formulas"] and not math["loaded"]:
        out.append(f"MathJax did not load: {math['formulas']} formulas are shown as raw TeX, "
                   f"e.g. {math['unrendered'][:2]}")
    elif math["formulas"] and not math["finished"]:
        out.append(f"MathJax did not finish typesetting within {MATH_TIMEOUT_MS / 1000:.0f} s")
    elif math["rendered"] < math["formulas"]:
        out.append(f"{math['formulas'] - math['rendered']} of {math['formulas']} formulas were not "
                   f"typeset by MathJax, e.g. {math['unrendered'][:2]}")
    if math["errors"]:
        out.append(f"MathJax could not typeset: {math['errors']}")
    if math["rawCount"]:
        out.append(f"raw TeX in the text a reader sees ({math['rawCount']} places), e.g. {math['raw'][:2]}")
    return out


def axe_problems(axe: dict, saved: Path | None = None) -> list[str]:
    """One problem per critical or serious axe-core violation."""
    out = []
    for v in axe["violations"]:
        if v.get("impact") in FAILING_IMPACTS:
            example = v["nodes"][0]["html"][:160].replace("\n", " ") if v["nodes"] else ""
            out.append(f"accessibility ({v['impact']}, axe {v['id']}): {v['help']}: "
                       f"{len(v['nodes'])} element(s), e.g. {example}"
                       + (f" (all in {saved})" if saved else ""))
    return out


def axe_counts(axe: dict) -> collections.Counter:
    """{(impact, rule id): number of elements} of axe-core's violations."""
    counts = collections.Counter()
    for v in axe["violations"]:
        counts[(v.get("impact") or "unknown", v["id"])] += len(v["nodes"])
    return counts


class PageWatch:
    """Listeners on one Playwright page, attached before it loads: external
    requests (recorded and blocked), JavaScript errors, failed local loads."""

    def __init__(self, page, base: str):
        self.base = base
        self.errors: list[str] = []
        self.external: list[tuple[str, str]] = []
        page.route("**/*", self._route)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught exception: {exc}"))
        page.on("console", self._console)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _route(self, route, request):
        url = request.url
        if url.startswith(self.base) or url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            self.external.append((request.resource_type, url))
            route.abort("blockedbyclient")

    def _console(self, msg):
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if "Failed to load resource" in msg.text and where and not where.startswith(self.base):
            return                  # a blocked external resource, reported as such
        self.errors.append(f"console.error: {msg.text}" + (f" ({where})" if where else ""))

    def _failed(self, request):
        if request.url.startswith(self.base):
            self.errors.append(f"failed to load {request.url[len(self.base) - 1:]}: {request.failure}")

    def _response(self, response):
        if response.url.startswith(self.base) and response.status >= 400:
            self.errors.append(f"HTTP {response.status} for {response.url[len(self.base) - 1:]}")


def goto(page, base: str, folder: Path, rel: str) -> None:
    """Open ``rel``; a page that only forwards (the site's index.html) is followed."""
    redirect = REDIRECT.search((folder / rel).read_text(encoding="utf-8"))
    if redirect:
        with page.expect_navigation(wait_until="load"):
            page.goto(base + rel, wait_until="commit")
        if page.url == base + rel:
            page.wait_for_url(lambda url: url != base + rel, wait_until="load")
    else:
        page.goto(base + rel, wait_until="load")


def typeset(page) -> dict:
    """Wait for MathJax (if the page loaded it), then count what it typeset."""
    return page.evaluate(TYPESET, MATH_TIMEOUT_MS)


def run_axe(page, save: Path | None = None) -> dict:
    """axe-core's audit of the page as it is now (injected from the local
    npm copy, not fetched); saved as JSON to ``save`` if given."""
    page.add_script_tag(path=str(axe_script()))
    results = page.evaluate(AXE_RUN)
    if save is not None:
        save.parent.mkdir(parents=True, exist_ok=True)
        save.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return results


def probe_page(context, base: str, folder: Path, rel: str, *, theme: str = "light",
               axe_dir: Path | None = None, audit: bool = True, then=None) -> PageProbe:
    """Open one page of the served ``folder``: load it (external requests
    blocked), wait for its images and formulas, call ``then(page)`` if given
    (e.g. screenshots, or stepping through slides), run axe-core (results
    saved to ``axe_dir/<page>.json``), close it. Never raises for the page's
    own faults: a page that cannot be opened is one error of the probe."""
    probe = PageProbe(rel=rel, theme=theme)
    page = context.new_page()
    watch = PageWatch(page, base)
    try:
        goto(page, base, folder, rel)
        page.evaluate(LOAD_ALL_IMAGES)
        probe.math = typeset(page)
        if then is not None:
            then(page)
        if audit:
            if axe_dir is not None:
                probe.axe_file = axe_dir / (rel.removesuffix(".html") + ".json")
            probe.axe = run_axe(page, probe.axe_file)
    except Exception as err:  # a page that cannot be checked is a failure
        probe.errors.append(f"could not be checked: {type(err).__name__}: {str(err).splitlines()[0]}")
    finally:
        page.close()
    probe.errors[:0] = watch.errors
    probe.external = watch.external
    return probe


def probe_pages(folder: Path, pages: list[Path], *, theme: str = "light",
                axe_dir: Path | None = None, audit: bool = True, then=None) -> list[PageProbe]:
    """Serve ``folder`` on 127.0.0.1 and probe each of ``pages`` (paths in it)
    in one Chromium session; see ``probe_page``. ``[p.problems() ...]`` lists
    what failed."""
    from playwright.sync_api import sync_playwright

    folder = Path(folder)
    with LocalServer(folder) as server, sync_playwright() as pw, browser(pw) as chromium, \
            browser_context(chromium, theme) as context:
        return [probe_page(context, server.base, folder, Path(p).relative_to(folder).as_posix(),
                           theme=theme, axe_dir=axe_dir, audit=audit, then=then)
                for p in pages]


# ---------------------------------------------------------------- the whole site

@dataclass
class SiteReport:
    problems: list = field(default_factory=list)
    pages: int = 0
    screenshots: list = field(default_factory=list)
    images_checked: int = 0           # <img> elements, all pages, both themes
    figures_compared: int = 0         # pictures compared between the themes
    probes: list = field(default_factory=list)      # PageProbe of each page and theme

    @property
    def external_requests(self) -> dict:
        """{address: sorted pages (with theme) that requested it}."""
        found = collections.defaultdict(set)
        for probe in self.probes:
            for _, url in probe.external:
                found[url].add(probe.where)
        return {url: sorted(pages) for url, pages in sorted(found.items())}

    @property
    def blocked_external(self) -> set:
        return set(self.external_requests)

    @property
    def formulas(self) -> tuple[int, int]:
        """(formulas on all pages, formulas MathJax typeset), both themes."""
        maths = [p.math for p in self.probes if p.math]
        return sum(m["formulas"] for m in maths), sum(m["rendered"] for m in maths)

    def axe_counts(self, theme: str | None = None) -> collections.Counter:
        total = collections.Counter()
        for probe in self.probes:
            if probe.axe and (theme is None or probe.theme == theme):
                total.update(axe_counts(probe.axe))
        return total


def check_site(html_root: Path, shots: Path, pages: list[Path]) -> SiteReport:
    """Open each page in both themes; see the module's docstring."""
    from PIL import Image
    from playwright.sync_api import sync_playwright

    report = SiteReport(pages=len(pages))
    pixels: dict[tuple, dict] = {}   # (page, kind, index) -> {theme: PIL image}
    with LocalServer(html_root) as server, sync_playwright() as pw, browser(pw) as chromium:
        for theme in THEMES:
            with browser_context(chromium, theme) as context:
                for path in pages:
                    rel = path.relative_to(html_root).as_posix()
                    seen = {}
                    probe = probe_page(
                        context, server.base, html_root, rel, theme=theme,
                        axe_dir=shots / "axe" / theme,
                        then=lambda page: seen.update(_screenshot(page, rel, theme, shots, report)))
                    report.probes.append(probe)
                    report.problems.extend(probe.problems())
                    if seen:
                        _check_pictures(seen["data"], seen["png"], rel, probe.where, theme,
                                        report, pixels, Image)

    for (rel, kind, index), by_theme in sorted(pixels.items()):
        if set(by_theme) != set(THEMES):
            continue
        light, dark = by_theme["light"], by_theme["dark"]
        report.figures_compared += 1
        fraction = different_fraction(light, dark)
        if fraction > MAX_DIFFERENT_FRACTION:
            pair = shots / "differences" / f"{rel.replace('/', '__')}-{kind}{index}.png"
            save_side_by_side(light, dark, pair)
            report.problems.append(
                f"{rel}: {kind} #{index} looks different in the dark theme "
                f"({fraction:.1%} of its pixels differ from the light theme; light and dark "
                f"side by side in {pair}): a filter, an inversion or a transparent background")
    return report


def save_side_by_side(light, dark, path: Path) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    both = Image.new("RGB", (light.width + dark.width + 10, max(light.height, dark.height)), "red")
    both.paste(light.convert("RGB"), (0, 0))
    both.paste(dark.convert("RGB"), (light.width + 10, 0))
    both.save(path)


def different_fraction(a, b) -> float:
    """Fraction of pixels whose colour differs by more than PIXEL_TOLERANCE."""
    from PIL import ImageChops

    if a.size != b.size:
        return 1.0
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L")
    histogram = diff.histogram()
    changed = sum(histogram[PIXEL_TOLERANCE + 1:])
    return changed / max(1, a.size[0] * a.size[1])


def _screenshot(page, rel, theme, shots, report) -> dict:
    # The whole page in one viewport, so that the positions measured below
    # are those of the screenshot (a full_page screenshot re-lays out the
    # page at another height).
    for _ in range(3):
        height = page.evaluate("() => document.documentElement.scrollHeight")
        if height == page.viewport_size["height"]:
            break
        page.set_viewport_size({"width": VIEWPORT["width"], "height": min(height, MAX_HEIGHT)})
        page.wait_for_timeout(100)
    page.wait_for_timeout(200)
    data = page.evaluate(COLLECT)
    target = shots / theme / rel.replace(".html", ".png")
    target.parent.mkdir(parents=True, exist_ok=True)
    png = page.screenshot(path=str(target), animations="disabled")
    report.screenshots.append(target)
    return {"data": data, "png": png}


def _check_pictures(data, png, rel, where, theme, report, pixels, Image):
    if data["theme"] != theme:
        report.problems.append(f"{where}: the page shows the {data['theme']!r} theme, not {theme!r}")
    shot = Image.open(io.BytesIO(png))
    for img in data["images"]:
        report.images_checked += 1
        if not img["complete"] or img["naturalWidth"] == 0 or img["naturalHeight"] == 0:
            report.problems.append(
                f"{where}: broken image {img['html']} (loaded: {img['complete']}, "
                f"natural size {img['naturalWidth']}x{img['naturalHeight']})")
        why = img_alt_problem(img["alt"], img["src"])
        if why:
            report.problems.append(f"{where}: image {img['html']} {why}")
        if img["inArticle"]:
            _figure(img, "img", rel, where, theme, shot, report, pixels)
    for svg in data["svgs"]:
        why = svg_label_problem(aria_label=svg["ariaLabel"], labelledby=svg["labelledby"],
                                title=svg["title"], aria_hidden=svg["ariaHidden"],
                                figcaption=svg["figcaption"], in_table=svg["inTable"])
        if why:
            report.problems.append(f"{where}: inline svg {svg['html']} {why}")
        if (svg["ariaHidden"] or "").lower() != "true":
            _figure(svg, "svg", rel, where, theme, shot, report, pixels)


def _figure(item, kind, rel, where, theme, shot, report, pixels):
    if theme == "dark" and item["effects"]:
        report.problems.append(f"{where}: {kind} {item['html']} is drawn with "
                               + "; ".join(item["effects"]))
    if not item["visible"]:
        return
    b = item["box"]
    # one pixel inside the content box: its edges are anti-aliased
    left, top = int(b["left"]) + 1, int(b["top"]) + 1
    right, bottom = int(b["left"] + b["width"]) - 1, int(b["top"] + b["height"]) - 1
    if right - left < 4 or bottom - top < 4:
        return
    pixels.setdefault((rel, kind, item["index"]), {})[theme] = shot.crop((left, top, right, bottom))
