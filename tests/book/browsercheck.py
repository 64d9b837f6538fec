"""Open every page of the built HTML book in Debian's headless Chromium.

Playwright drives ``/usr/bin/chromium`` (package ``chromium``; Playwright's
own browser download is never used). The pages are served from a local HTTP
server on 127.0.0.1, as a web server would serve them; requests to other
hosts (MathJax from a CDN, for instance) are blocked and listed, since the
test runs offline.

For each page, in the light and in the dark theme, ``check_site`` records:

* JavaScript errors: uncaught exceptions and ``console.error`` messages
  (except the failed loads of the blocked external resources);
* broken images: not loaded, or zero natural width or height, and local
  resources that failed to load;
* images without alt text and unnamed inline SVGs (policy in htmlcheck.py);
* in the dark theme, any CSS filter or blend mode on a figure or its
  ancestors, and the figure's pixels: each picture is cut out of the
  light and the dark full-page screenshots and must look the same (a filter,
  an inversion or a transparent background that turns dark shows up as
  different pixels);

and saves a full-page screenshot, ``<shots>/<theme>/<page>.png``.
"""
from __future__ import annotations

import functools
import http.server
import io
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
# <meta http-equiv="Refresh" content="0; url=chapters/index.html" />
REDIRECT = re.compile(r'<meta\s+http-equiv="refresh"\s+content="\d+;\s*url=([^"]+)"', re.I)
MAX_DIFFERENT_FRACTION = 0.002

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


@dataclass
class SiteReport:
    problems: list = field(default_factory=list)
    pages: int = 0
    screenshots: list = field(default_factory=list)
    images_checked: int = 0           # <img> elements, all pages, both themes
    figures_compared: int = 0         # pictures compared between the themes
    blocked_external: set = field(default_factory=set)


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
    return None


def check_site(html_root: Path, shots: Path, pages: list[Path]) -> SiteReport:
    """Open each page in both themes; see the module's docstring."""
    from PIL import Image
    from playwright.sync_api import sync_playwright

    report = SiteReport(pages=len(pages))
    pixels: dict[tuple, dict] = {}   # (page, kind, index) -> {theme: PIL image}
    with LocalServer(html_root) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            for theme in THEMES:
                context = browser.new_context(color_scheme=theme, viewport=VIEWPORT,
                                              device_scale_factor=1, reduced_motion="reduce")
                context.add_init_script(
                    f"try {{ localStorage.setItem('mode', '{theme}'); "
                    f"localStorage.setItem('theme', '{theme}'); }} catch (e) {{}}")

                def route(r, request):
                    if request.url.startswith(server.base):
                        r.continue_()
                    else:
                        report.blocked_external.add(request.url.split("?")[0])
                        r.abort()

                context.route("**/*", route)
                context.set_default_timeout(PAGE_TIMEOUT_MS)
                for path in pages:
                    rel = path.relative_to(html_root).as_posix()
                    try:
                        _check_page(context, server.base, html_root, rel, theme, shots,
                                    report, pixels, Image)
                    except Exception as err:  # a page that cannot be checked is a failure
                        report.problems.append(f"{rel} [{theme}]: could not be checked: "
                                               f"{type(err).__name__}: {str(err).splitlines()[0]}")
                context.close()
        finally:
            browser.close()

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


def _check_page(context, base, html_root, rel, theme, shots, report, pixels, Image):
    page = context.new_page()
    errors: list[str] = []
    external_failures = 0

    def on_console(msg):
        nonlocal external_failures
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if "Failed to load resource" in msg.text and where and not where.startswith(base):
            external_failures += 1          # a blocked external resource
            return
        errors.append(f"console.error: {msg.text}" + (f" ({where})" if where else ""))

    def on_request_failed(request):
        if request.url.startswith(base):
            errors.append(f"failed to load {request.url[len(base) - 1:]}: {request.failure}")

    page.on("pageerror", lambda exc: errors.append(f"uncaught exception: {exc}"))
    page.on("console", on_console)
    page.on("requestfailed", on_request_failed)
    page.on("response", lambda r: errors.append(f"HTTP {r.status} for {r.url[len(base) - 1:]}")
            if r.url.startswith(base) and r.status >= 400 else None)
    try:
        redirect = REDIRECT.search((html_root / rel).read_text(encoding="utf-8"))
        if redirect:
            # a page that only forwards (the site's index.html): follow it
            with page.expect_navigation(wait_until="load"):
                page.goto(base + rel, wait_until="commit")
            if page.url == base + rel:
                page.wait_for_url(lambda url: url != base + rel, wait_until="load")
        else:
            page.goto(base + rel, wait_until="load")
        page.evaluate(LOAD_ALL_IMAGES)
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
    finally:
        page.close()

    where = f"{rel} [{theme}]"
    for message in errors:
        report.problems.append(f"{where}: {message}")
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
