"""Measure how long the book takes to build and test.

    make bench            # or: .venv/bin/python benchmarks/build.py [--skip-tests] [--repeats 3]

Works on scratch copies of the tracked files (never on your working tree or
your _build), each with a fresh data cache, and measures:

* cold build, as `make book` runs it: empty _build (no execution cache, no
  generated data); the chapters are executed side by side, one per core
  (booktools.parallel_execute);
* serial cold build: the same with QBI_BUILD_JOBS=1, one chapter after the
  other, as myst-nb alone does it (the reference for the parallel build);
* warm rebuild: the build again with nothing changed (best of --repeats);
* one-chapter rebuild: after editing one code cell of one chapter (best of
  --repeats, a new edit each time);
* the test suite (`pytest -n auto --dist loadfile`, as `make test` runs it);
* each chapter's execution time, from the serial build's log (and from the
  parallel build's, where chapters compete for the cores).

Prints a table with the machine and its load (benchmarks/_provenance.py) and
writes benchmarks/results/build.json. Goals: the cold build at most 0.65 of
the serial one; the warm rebuild under 5 % of the cold build.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _provenance import Run  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = pathlib.Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results" / "build.json"
EXECUTED = re.compile(r"chapters/([\w/-]+)\.md: Executed notebook in ([\d.]+) seconds")
GOAL_PARALLEL = 0.65
GOAL_WARM = 0.05


def tracked_copy(dest: pathlib.Path, source: pathlib.Path = ROOT) -> None:
    """Copy the files git tracks in the working tree (as they are now)."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, files):
        src = source / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd, cwd, env) -> tuple[float, str, float]:
    """Run ``cmd``; its wall time, its output, and the CPU time of its processes."""
    cpu = _cpu_of_children()
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-5000:] + result.stderr[-5000:])
        raise SystemExit(f"failed ({result.returncode}): {' '.join(map(str, cmd))}")
    return seconds, result.stdout + result.stderr, _cpu_of_children() - cpu


def edit_one_chapter(book: pathlib.Path, n: int) -> str:
    chapter = sorted((book / "chapters").glob("lecture-*/[0-9][0-9]-*.md"))[0]
    text = chapter.read_text()
    marker = "```{code-cell} ipython3\n"
    at = text.index(marker) + len(marker)
    # after the cell's options (":tags: ..." lines, or a "---" YAML block)
    if text.startswith("---\n", at):
        at = text.index("---\n", at + 4) + 4
    while text.startswith(":", at):
        at = text.index("\n", at) + 1
    # A changed comment changes the cell's code, so the cache must miss.
    chapter.write_text(text[:at] + f"# benchmark edit {n}\n" + text[at:])
    return chapter.relative_to(book / "chapters").with_suffix("").as_posix()


def executed(log: str) -> dict:
    return {m.group(1): float(m.group(2)) for m in EXECUTED.finditer(log)}


def book_copy(scratch: pathlib.Path, name: str, jobs: str | None):
    """A fresh copy of the book, and the environment to build it with.

    Every copy is made from one snapshot taken when the benchmark starts,
    so the serial and the parallel build compare the same book even if the
    working tree changes while the benchmark runs."""
    snapshot = scratch / "snapshot"
    if not snapshot.exists():
        tracked_copy(snapshot)
    book = scratch / name
    shutil.copytree(snapshot, book, symlinks=True)
    # The web assets `make setup` installed (npm, untracked): the build needs
    # them and they are the same for every copy.
    modules = ROOT / "booktools" / "web" / "node_modules"
    if modules.is_dir():
        (book / "booktools" / "web" / "node_modules").symlink_to(modules, target_is_directory=True)
    # The copy's own `common` comes first on the path (before the editable
    # install of the working tree), so edits in the working tree while the
    # benchmark runs do not disturb it.
    env = dict(os.environ, QBI_DATA_CACHE=str(scratch / f"data-cache-{name}"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(book), os.environ.get("PYTHONPATH")])))
    env.pop("QBI_BUILD_JOBS", None)
    if jobs is not None:
        env["QBI_BUILD_JOBS"] = jobs
    return book, env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    parser.add_argument("--repeats", type=int, default=3,
                        help="best of how many warm and one-chapter rebuilds (default 3)")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")

    provenance = Run("benchmarks/build.py")
    # As `make book` runs it (booktools.jb: jupyter-book without a needless import).
    build = [str(BIN / "python"), "-m", "booktools.jb", "build", ".", "--warningiserror",
             "--nitpick", "--keep-going"]
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="qbi-bench-"))
    try:
        # The serial reference: today's build, one chapter after the other.
        book, env = book_copy(scratch, "serial", "1")
        serial, log_serial, serial_cpu = run(build, book, env)
        print(f"serial cold build     {serial:7.1f} s", flush=True)
        shutil.rmtree(book / "_build", ignore_errors=True)

        # What `make book` does: chapters side by side, one per core.
        book, env = book_copy(scratch, "book", None)
        cold, log, cold_cpu = run(build, book, env)
        print(f"cold build (parallel) {cold:7.1f} s", flush=True)
        warm_runs, warm_cpu_runs, rerun_warm = [], [], set()
        for _ in range(args.repeats):
            seconds, log_warm, warm_cpu = run(build, book, env)
            warm_runs.append(seconds)
            warm_cpu_runs.append(warm_cpu)
            rerun_warm |= set(executed(log_warm))
        one_runs, rerun_one = [], set()
        for n in range(args.repeats):
            edited = edit_one_chapter(book, n)
            seconds, log_one, _ = run(build, book, env)
            one_runs.append(seconds)
            rerun_one |= set(executed(log_one))
        tests = None
        if not args.skip_tests:
            tests, _, _ = run([str(BIN / "python"), "-m", "pytest", "-q", "-n", "auto",
                               "--dist", "loadfile", "-p", "no:cacheprovider"], book, env)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    warm, one = min(warm_runs), min(one_runs)
    per_chapter = executed(log_serial)
    per_chapter_parallel = executed(log)
    parallel_lines = sum("[in parallel]" in line for line in log.splitlines()
                         if "Executed notebook in" in line)
    results = {
        "cold_build_s": round(cold, 1),
        "serial_cold_build_s": round(serial, 1),
        "parallel_over_serial": round(cold / serial, 3),
        "goal_parallel_over_serial": GOAL_PARALLEL,
        "cold_build_cpu_s": round(cold_cpu, 1),
        "serial_cold_build_cpu_s": round(serial_cpu, 1),
        "chapters_executed_in_parallel": parallel_lines,
        "warm_rebuild_s": round(warm, 2),
        "warm_rebuild_runs_s": [round(x, 2) for x in warm_runs],
        "warm_over_cold": round(warm / cold, 3),
        # CPU time (all processes), which other work on the machine hardly
        # changes: the warm rebuild's against the cold build's.
        "warm_rebuild_cpu_s": round(min(warm_cpu_runs), 2),
        "warm_cpu_over_cold_cpu": round(min(warm_cpu_runs) / cold_cpu, 3),
        "goal_warm_over_cold": GOAL_WARM,
        "warm_rebuild_executed": sorted(rerun_warm),
        "one_chapter_rebuild_s": round(one, 2),
        "one_chapter_rebuild_runs_s": [round(x, 2) for x in one_runs],
        "one_chapter_edited": edited,
        "one_chapter_rebuild_executed": sorted(rerun_one),
        "test_suite_s": None if tests is None else round(tests, 1),
        "chapter_execution_s": dict(sorted(per_chapter.items())),
        "chapter_execution_parallel_s": dict(sorted(per_chapter_parallel.items())),
        "sum_of_chapter_execution_s": round(sum(per_chapter.values()), 1),
    }
    results["provenance"] = provenance.finish()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")

    print(f"serial cold build     {serial:7.1f} s  (CPU {serial_cpu:.0f} s; chapters one after another, "
          f"{results['sum_of_chapter_execution_s']:.1f} s of execution)")
    print(f"cold build            {cold:7.1f} s  (CPU {cold_cpu:.0f} s; {parallel_lines} chapters side "
          f"by side) = {cold / serial:.2f} x serial; goal <= {GOAL_PARALLEL}")
    print(f"warm rebuild          {warm:7.2f} s  ({100 * warm / cold:.1f} % of cold; goal < "
          f"{100 * GOAL_WARM:.0f} %), executed: {sorted(rerun_warm) or 'nothing'}; in CPU time "
          f"{min(warm_cpu_runs):.1f} s = {100 * min(warm_cpu_runs) / cold_cpu:.1f} % of the cold build's")
    print(f"one-chapter rebuild   {one:7.2f} s  (edited {edited}; executed: {sorted(rerun_one)})")
    if tests is not None:
        print(f"test suite            {tests:7.1f} s")
    print("chapter execution (s)                       serial  side by side")
    for name, seconds in sorted(per_chapter.items()):
        print(f"  {name:40s} {seconds:6.1f}  {per_chapter_parallel.get(name, float('nan')):6.1f}")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
