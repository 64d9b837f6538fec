"""Generating a cohort sample against analysing it: which costs more?

    .venv/bin/python benchmarks/cohort_generation.py [--samples 6] [--repeats 5]
                                                   [--shape 48 128 128] [--shape ...]

The goal (issue 9, section 4): making a sample of the synthetic cohort
(``common.data.cohort``: object, then the imaging model) must not cost more
than analysing it (``common.analysis.analyse`` with ``BONE_VOLUME``), so a
study's time goes into the analysis it is about.

For every shape (default: the cohort's own (48, 128, 128) and a larger
(96, 256, 256)) and each of ``--samples`` samples, the script times

* generation: ``Cohort.sample(i)`` with the in-memory cache emptied first;
* analysis: ``analysis.analyse(volume, analysis.BONE_VOLUME)``;

each ``--repeats`` times, and keeps the best (the least disturbed by other
jobs on the machine), as wall-clock and as CPU time of this process (less
sensitive to a busy machine). It also records the count error of each
sample against its truth, the peak memory of one generation (tracemalloc)
in bytes per voxel beside ``cohort.memory_needed``'s estimate, and where
and when it ran: CPU model, cores, memory, date, and the load average
before and after (a load near or above the number of cores means the
timings are noisy). Writes benchmarks/results/cohort_generation.json.
"""
from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import pathlib
import platform
import sys
import time
import tracemalloc

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "cohort_generation.json"
DEFAULT_SHAPES = [(48, 128, 128), (96, 256, 256)]


def machine() -> dict:
    """Where the benchmark runs: CPU model, cores, memory, Python and numpy."""
    import numpy as np

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = None
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "system": f"{platform.system()} {platform.machine()}",
            "memory_GiB": None if memory is None else round(memory / 2**30, 1),
            "python": platform.python_version(), "numpy": np.__version__}


def best_of(repeats: int, run) -> tuple[float, float, object]:
    """Best wall-clock and best CPU seconds of ``repeats`` calls, and the last result."""
    wall, cpu, out = math.inf, math.inf, None
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        out = run()
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu, out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=6, help="samples per shape (default 6)")
    parser.add_argument("--repeats", type=int, default=5, help="timings per sample, best kept (default 5)")
    parser.add_argument("--shape", type=int, nargs=3, action="append", metavar=("PLANES", "ROWS", "COLS"),
                        help="a volume shape (repeatable; default 48 128 128 and 96 256 256)")
    args = parser.parse_args(argv)
    if args.samples < 1 or args.repeats < 1:
        parser.error("--samples and --repeats must be at least 1")

    from common import analysis
    from common.data import cohort as C

    shapes = [tuple(s) for s in args.shape] if args.shape else DEFAULT_SHAPES
    result = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(), "load_average_before": [round(x, 2) for x in os.getloadavg()],
              "repeats": args.repeats, "settings": analysis.BONE_VOLUME.as_dict(),
              "goal": "generation time <= analysis time per sample", "shapes": {}}
    info = result["machine"]
    print(f"{info['cpu']}, {info['cores']} cores, {info['memory_GiB']} GiB; "
          f"load average {result['load_average_before']}", flush=True)
    analysis.analyse(C.Cohort(1, shape=shapes[0]).sample(0), analysis.BONE_VOLUME)  # warm-up

    for shape in shapes:
        cohort = C.Cohort(n_samples=args.samples, seed=0, shape=shape)
        rows = []
        print(f"\nshape {shape}: sample, generation s (wall / cpu), analysis s (wall / cpu), "
              f"ratio (cpu), count measured / true", flush=True)
        for i in range(args.samples):
            def generate():
                C._generate.cache_clear()
                return cohort.sample(i)

            gen_wall, gen_cpu, volume = best_of(args.repeats, generate)
            ana_wall, ana_cpu, res = best_of(args.repeats, lambda: analysis.analyse(volume, analysis.BONE_VOLUME))
            truth = cohort.truth(i)
            true_count = int((truth["kind"] == "cell").sum())
            rows.append({"sample": i, "generation_s": gen_wall, "generation_cpu_s": gen_cpu,
                         "analysis_s": ana_wall, "analysis_cpu_s": ana_cpu,
                         "count": int(res.summary["count"]), "true_count": true_count})
            print(f"  {i:3d}  {gen_wall:6.3f} / {gen_cpu:6.3f}   {ana_wall:6.3f} / {ana_cpu:6.3f}   "
                  f"{gen_cpu / ana_cpu:5.2f}   {res.summary['count']} / {true_count}", flush=True)
        C._generate.cache_clear()
        tracemalloc.start()
        try:
            cohort.sample(0)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            C._generate.cache_clear()
        voxels = math.prod(shape)
        summary = {
            "samples": rows,
            "median_generation_cpu_s": _median([r["generation_cpu_s"] for r in rows]),
            "median_analysis_cpu_s": _median([r["analysis_cpu_s"] for r in rows]),
            "median_generation_s": _median([r["generation_s"] for r in rows]),
            "median_analysis_s": _median([r["analysis_s"] for r in rows]),
            "peak_bytes_per_voxel": round(peak / voxels, 1),
            "estimated_bytes_per_voxel": round(C.memory_needed(shape) / voxels, 1),
            "mean_abs_count_error": sum(abs(r["count"] - r["true_count"]) / r["true_count"]
                                        for r in rows) / len(rows),
        }
        summary["ratio_cpu"] = summary["median_generation_cpu_s"] / summary["median_analysis_cpu_s"]
        summary["ratio_wall"] = summary["median_generation_s"] / summary["median_analysis_s"]
        summary["goal_met"] = summary["ratio_cpu"] <= 1.0
        result["shapes"]["x".join(map(str, shape))] = summary
        print(f"  median: generation {summary['median_generation_cpu_s']:.3f} s, analysis "
              f"{summary['median_analysis_cpu_s']:.3f} s of CPU: ratio {summary['ratio_cpu']:.2f} "
              f"({'goal met' if summary['goal_met'] else 'GOAL MISSED'}); peak memory "
              f"{summary['peak_bytes_per_voxel']} bytes per voxel (estimate "
              f"{summary['estimated_bytes_per_voxel']})", flush=True)

    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    busy = max(result["load_average_before"][0], result["load_average_after"][0]) > 0.7 * (os.cpu_count() or 1)
    result["note"] = ("the machine was busy (load average near or above its cores): timings are noisy"
                      if busy else "the machine was quiet")
    print(f"\nload average after {result['load_average_after']}: {result['note']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0 if all(s["goal_met"] for s in result["shapes"].values()) else 1


def _median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else 0.5 * (values[n // 2 - 1] + values[n // 2])


if __name__ == "__main__":
    sys.exit(main())
