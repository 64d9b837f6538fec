"""Where and when a benchmark ran, so that its figures can be judged.

Every benchmark of the book records the same provenance beside its figures:
the machine (CPU model, cores, memory), the software, the date, and the load
average before and after the run (another program busy on the machine
slows everything down; a load above the number of cores means the figures
are pessimistic). Use it like this::

    from _provenance import Run, best_of   # benchmarks/ is on sys.path

    run = Run()                  # prints the machine and the load now
    seconds, runs = best_of(5, lambda: work())
    result = {"...": seconds, "provenance": run.finish()}   # prints the load after

``best_of`` repeats a short measurement and keeps the fastest (the one
least disturbed by other programs), and also returns all of them.
"""
from __future__ import annotations

import datetime
import math
import os
import platform
import subprocess
import sys
import time
from typing import Callable

__all__ = ["Run", "machine", "best_of", "load_average"]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _memory_bytes() -> int | None:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (None where unknown)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def _versions() -> dict:
    versions = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "scikit-image", "dask", "distributed", "dask-image", "zarr",
                 "jupyter-book"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:  # noqa: BLE001 - not installed
            continue
    return versions


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10,
                             cwd=os.path.dirname(os.path.abspath(__file__)))
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def machine() -> dict:
    """CPU model, cores (all and usable by this process), memory, system."""
    memory = _memory_bytes()
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "usable_cores": _usable_cores(),
            "memory_GiB": None if memory is None else round(memory / 2**30, 1),
            "system": f"{platform.system()} {platform.release()} {platform.machine()}"}


def describe_machine(info: dict) -> str:
    """One line: ``AMD EPYC, 2 cores, 23.4 GiB``."""
    cores = info["cores"]
    usable = "" if info["usable_cores"] == cores else f" ({info['usable_cores']} usable)"
    return f"{info['cpu']}, {cores} cores{usable}, {info['memory_GiB']} GiB memory"


class Run:
    """The provenance of one benchmark run: call :meth:`finish` at the end."""

    def __init__(self, name: str | None = None, echo: bool = True):
        self.name = name or os.path.basename(sys.argv[0]) or "benchmark"
        self.echo = echo
        self.machine = machine()
        self.started = datetime.datetime.now().astimezone()
        self.load_before = load_average()
        self._start = time.perf_counter()
        if echo:
            print(f"{self.name}: {describe_machine(self.machine)}; "
                  f"{self.started:%Y-%m-%d %H:%M %Z}; load average before "
                  f"{_fmt_load(self.load_before)}", flush=True)

    def finish(self) -> dict:
        """The provenance record (a dict for the JSON file); prints the load after."""
        load_after = load_average()
        record = {
            "benchmark": self.name,
            "date": self.started.isoformat(timespec="seconds"),
            "machine": self.machine,
            "machine_summary": describe_machine(self.machine),
            "software": _versions(),
            "git_commit": _git_commit(),
            "load_average_before": self.load_before,
            "load_average_after": load_after,
            "wall_seconds": round(time.perf_counter() - self._start, 1),
            "busy_machine": busy(self.load_before, load_after, self.machine["usable_cores"]),
        }
        if self.echo:
            note = ("; the machine was busy with other work: figures are pessimistic"
                    if record["busy_machine"] else "")
            print(f"load average after {_fmt_load(load_after)} "
                  f"(1, 5, 15 min; {self.machine['usable_cores']} cores){note}", flush=True)
        return record


def busy(before, after, cores) -> bool:
    """Whether other programs competed for the cores (1-minute load beyond 1/4 of them).

    The benchmark itself raises the load while it runs, so the load *before*
    tells most about others; a high load after as well confirms it.
    """
    if not before:
        return False
    return before[0] > 0.25 * cores or (after is not None and after[2] > 1.25 * cores)


def _fmt_load(load) -> str:
    return "unknown" if load is None else " ".join(f"{x:.2f}" for x in load)


def best_of(n: int, function: Callable[[], object]) -> tuple[float, list[float]]:
    """Run ``function`` ``n`` times; the fastest wall time (s) and all of them."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    times = []
    for _ in range(n):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times), times


def median(values) -> float:
    values = sorted(values)
    if not values:
        return math.nan
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
