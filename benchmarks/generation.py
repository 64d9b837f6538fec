"""Generation time and memory of the book's data sets, one entry per data set and size.

    .venv/bin/python benchmarks/generation.py [--repeat 3] [--only bone_slice ...]

Each entry of ``CASES`` names a registered data set and the parameters to
load it with. For each, the generator runs ``--repeat`` times (the best time
counts: the others are slowed by whatever else the machine does) with its
in-process caches cleared before each run, then once more under
``tracemalloc`` for the peak of memory allocated meanwhile (NumPy reports its
arrays to tracemalloc). The disk cache of ``common.data`` is never used.

Writes benchmarks/results/generation.json with the machine it ran on (CPU
model, cores, memory), the date, and the load average before and after, so a
slow figure on a busy machine can be recognised as such.

To add a data set: append ``(name, label, params)`` to ``CASES``; ``label``
says which size it is (``"default"`` for the registered defaults).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import sys
import time
import tracemalloc

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "generation.json"

#: (data set, size label, parameters of load()): one entry per data set and size.
CASES = [
    ("bone_slice", "default", {}),
    ("bone_slice", "1024 x 1024", {"shape": (1024, 1024)}),
    ("bone_cells", "default", {}),
    ("bone_cells", "1024 x 1024", {"shape": (1024, 1024)}),
    ("test_pattern", "default", {}),
    ("test_pattern", "1024 x 1024", {"size": 1024}),
    ("siemens_star", "default", {}),
    ("step_tower", "default", {}),
    ("step_tower", "10000 ms", {"exposure_ms": 10000}),
    ("flat_fields", "default", {}),
    ("wood_raw_spotty", "default", {}),
    ("ct_bone_section_clean", "default", {}),
    ("ct_bone_sinogram", "default", {}),
    ("scroll_ct", "default", {}),
    ("aggregate_ct", "default", {}),
    ("aggregate_ct", "128^3", {"ndim": 3}),
    ("root_network", "default", {}),
    ("root_network", "192^3 (radius 8)", {"radius": 8}),
]


def _cpu_model() -> str:
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _load_average():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not on every platform
        return None


def _clear_caches(generator) -> None:
    """Forget what the data modules keep in memory (lru_cache): the
    generator's own and those it builds on (a sinogram reuses the section)."""
    package = generator.__module__.rpartition(".")[0]
    for name, module in list(sys.modules.items()):
        if module is None or not (name == generator.__module__ or name.startswith(package + ".")):
            continue
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def time_case(name: str, params: dict, repeat: int) -> dict:
    import common.data as data

    ds = data.get(name)
    values = {**ds.defaults(), **params}
    seconds = []
    for _ in range(repeat):
        _clear_caches(ds.generator)
        start = time.perf_counter()
        result = ds.generator(**values)
        seconds.append(time.perf_counter() - start)
    _clear_caches(ds.generator)
    tracemalloc.start()
    ds.generator(**values)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    _clear_caches(ds.generator)
    shape = list(getattr(result, "shape", ()))
    return {"best_s": round(min(seconds), 4), "all_s": [round(s, 4) for s in seconds],
            "peak_MiB": round(peak / 2**20, 1), "result_shape": shape}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case, best counts (default 3)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these data sets")
    parser.add_argument("--out", type=pathlib.Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    cases = [c for c in CASES if not args.only or c[0] in args.only]
    if not cases:
        parser.error(f"no case for {args.only}; the data sets benchmarked are "
                     f"{sorted({c[0] for c in CASES})}")

    import numpy

    load_before = _load_average()
    rows = []
    for name, label, params in cases:
        row = {"data_set": name, "size": label,
               "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}}
        row.update(time_case(name, params, args.repeat))
        rows.append(row)
        print(f"{name:22s} {label:12s} best {row['best_s']:8.3f} s   "
              f"peak {row['peak_MiB']:8.1f} MiB   {row['result_shape']}", flush=True)
    result = {
        "what": "generation time of common.data data sets (best of repeat runs, caches cleared)",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpu": _cpu_model(), "cores": os.cpu_count(), "memory_GiB": _memory_gib(),
                    "system": f"{platform.system()} {platform.machine()}"},
        "python": platform.python_version(), "numpy": numpy.__version__,
        "repeat": args.repeat,
        "load_average_before": load_before, "load_average_after": _load_average(),
        "cases": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
