"""Measure how long the book takes to build and test.

    make bench            # or: .venv/bin/python benchmarks/build.py [--skip-tests]

Works on a scratch copy of the tracked files (never on your working tree or
your _build), with a fresh data cache, and measures:

* cold build: empty _build (no execution cache, no generated data);
* warm rebuild: the same build again with nothing changed;
* one-chapter rebuild: after editing one code cell of one chapter;
* the test suite (`pytest -n auto --dist loadfile`, as `make test` runs it);
* each chapter's execution time, from the cold build's log.

Prints a table and writes benchmarks/results/build.json. The goal for the
warm rebuild is at most 10 % of the cold build.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = pathlib.Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results" / "build.json"
EXECUTED = re.compile(r"chapters/([\w/-]+)\.md: Executed notebook in ([\d.]+) seconds")


def tracked_copy(dest: pathlib.Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def run(cmd, cwd, env) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-5000:] + result.stderr[-5000:])
        raise SystemExit(f"failed ({result.returncode}): {' '.join(map(str, cmd))}")
    return seconds, result.stdout + result.stderr


def edit_one_chapter(book: pathlib.Path) -> str:
    chapter = sorted((book / "chapters").glob("lecture-*/[0-9][0-9]-*.md"))[0]
    text = chapter.read_text()
    marker = "```{code-cell} ipython3\n"
    at = text.index(marker) + len(marker)
    # A changed comment changes the cell's code, so the cache must miss.
    chapter.write_text(text[:at] + "# benchmark edit\n" + text[at:])
    return chapter.stem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    args = parser.parse_args()

    scratch = pathlib.Path(tempfile.mkdtemp(prefix="qbi-bench-"))
    try:
        book = scratch / "book"
        tracked_copy(book)
        # The copy's own `common` comes first on the path (before the editable
        # install of the working tree), so edits in the working tree while
        # the benchmark runs do not disturb it.
        env = dict(os.environ, QBI_DATA_CACHE=str(scratch / "data-cache"),
                   PYTHONPATH=os.pathsep.join(filter(None, [str(book), os.environ.get("PYTHONPATH")])))
        build = [str(BIN / "jupyter-book"), "build", ".", "--warningiserror",
                 "--nitpick", "--keep-going"]

        cold, log = run(build, book, env)
        per_chapter = {m.group(1): float(m.group(2)) for m in EXECUTED.finditer(log)}
        warm, log_warm = run(build, book, env)
        rerun_warm = sorted(m.group(1) for m in EXECUTED.finditer(log_warm))
        edited = edit_one_chapter(book)
        one, log_one = run(build, book, env)
        rerun_one = sorted(m.group(1) for m in EXECUTED.finditer(log_one))
        tests = None
        if not args.skip_tests:
            tests, _ = run([str(BIN / "python"), "-m", "pytest", "-q", "-n", "auto",
                            "--dist", "loadfile", "-p", "no:cacheprovider"], book, env)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    results = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "cold_build_s": round(cold, 1),
        "warm_rebuild_s": round(warm, 1),
        "warm_over_cold": round(warm / cold, 3),
        "warm_rebuild_executed": rerun_warm,
        "one_chapter_rebuild_s": round(one, 1),
        "one_chapter_edited": edited,
        "one_chapter_rebuild_executed": rerun_one,
        "test_suite_s": None if tests is None else round(tests, 1),
        "chapter_execution_s": dict(sorted(per_chapter.items())),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")

    print(f"cold build            {cold:7.1f} s")
    print(f"warm rebuild          {warm:7.1f} s  ({100 * warm / cold:.1f} % of cold; goal <= 10 %), "
          f"executed: {rerun_warm or 'nothing'}")
    print(f"one-chapter rebuild   {one:7.1f} s  (edited {edited}; executed: {rerun_one})")
    if tests is not None:
        print(f"test suite            {tests:7.1f} s")
    print("chapter execution (cold build):")
    for name, seconds in sorted(per_chapter.items()):
        print(f"  {name:40s} {seconds:6.1f} s")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
