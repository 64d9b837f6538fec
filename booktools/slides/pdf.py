"""Print every deck of ``_build/slides`` to PDF: the slide handout.

    python -m booktools.slides.pdf [_build/slides]

Debian's headless Chromium (``/usr/bin/chromium``, or ``QBI_CHROMIUM``),
driven by Playwright (no browser is downloaded), opens each deck in
reveal.js's print view (``?print-pdf``), waits until the maths is typeset
and every slide fitted, and prints it: one slide per page (the page is the
slide's size; fragments are shown at once), next to the deck as
``lecture-NN/NN-chapter.pdf``. The decks are opened from the files; every
request that leaves the folder is refused, so a deck that needs the network
prints without it (and the test of the slides fails on it).
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

CHROMIUM = os.environ.get("QBI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]
READY = "() => document.documentElement.dataset.qbiReady === '1'"
TIMEOUT_MS = 120_000


def launch(playwright):
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"error: {CHROMIUM} is missing: install Debian's chromium "
                         "(`make slides` does it: apt-get install chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)


def print_decks(folder: Path, only: list[str] | None = None) -> list[Path]:
    """Print the decks listed in ``folder/slides.json``; return the PDFs."""
    from playwright.sync_api import sync_playwright

    folder = folder.resolve()
    manifest = folder / "slides.json"
    if not manifest.exists():
        raise SystemExit(f"error: {manifest} does not exist: build the decks first "
                         "(`make slides`)")
    decks = json.loads(manifest.read_text(encoding="utf-8"))["decks"]
    written = []
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            root = folder.as_uri()
            context.route("**/*", lambda route, request: route.continue_()
                          if request.url.startswith(root) else route.abort())
            for deck in decks:
                if only and deck["deck"] not in only:
                    continue
                started = time.perf_counter()
                page = context.new_page()
                try:
                    page.goto((folder / deck["deck"]).as_uri() + "?print-pdf", wait_until="load")
                    page.wait_for_function(READY, timeout=TIMEOUT_MS)
                    target = folder / deck["pdf"]
                    page.pdf(path=str(target), prefer_css_page_size=True, print_background=True)
                finally:
                    page.close()
                written.append(target)
                print(f"{target.relative_to(folder.parent)}: {deck['slides']} slides, "
                      f"{time.perf_counter() - started:.1f} s", flush=True)
        finally:
            browser.close()
    return written


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path("_build/slides")
    print_decks(folder, argv[1:] or None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
