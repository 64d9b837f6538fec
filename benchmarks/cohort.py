"""Cohort throughput: the bone study in a plain loop and on dask with 1 and 2 workers.

    .venv/bin/python benchmarks/cohort.py [--samples 24] [--workers 1 2]

Each sample is one task of the study (``common.study.analyse_sample``: make
the 3D volume, analyse it, compare with its truth). The same samples are
analysed

* in a plain serial loop in this process;
* with ``common.study.run_study`` on a local dask cluster of 1 worker, then
  of 2 workers (processes, one thread each), writing one result file per
  sample to a temporary folder.

Cluster start-up is not timed; each worker first analyses one extra sample
(a warm-up: imports and first-call costs), then the timed run starts. Prints
samples per second and the parallel efficiency, and writes
benchmarks/results/cohort.json. Efficiency on n workers is the throughput
divided by n times the 1-worker throughput (goal on 2 workers: 0.85 or
more); against the serial loop it is also given, since the loop has no
scheduling overhead at all.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import shutil
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "cohort.json"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=24, help="samples per run (default 24)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)

    import dask

    from common import analysis, study
    from common.data.cohort import Cohort

    n = args.samples
    cohort = Cohort(n_samples=n + max(args.workers), seed=0)
    spec, settings = cohort.spec(), analysis.BONE_VOLUME
    samples = list(range(n))
    print(f"{n} samples of shape {cohort.shape} per run; {os.cpu_count()} cores", flush=True)

    study.analyse_sample(spec, n, settings)  # warm-up of this process
    start = time.perf_counter()
    errors = []
    for i in samples:
        record = study.analyse_sample(spec, i, settings)
        errors.append(abs(record["count"] - record["true_count"]) / record["true_count"])
    serial_s = time.perf_counter() - start
    serial = n / serial_s
    print(f"serial loop       {serial_s:7.1f} s  {serial:6.2f} samples/s", flush=True)

    runs = {}
    for workers in args.workers:
        folder = pathlib.Path(tempfile.mkdtemp(prefix="qbi-cohort-bench-"))
        try:
            with study.start_client(n_workers=workers, memory_limit="1GiB",
                                    dashboard=False) as client:
                warm = [client.submit(study.analyse_sample, spec, n + k, settings, pure=False,
                                      workers=[address])
                        for k, address in enumerate(client.scheduler_info()["workers"])]
                client.gather(warm)
                start = time.perf_counter()
                run = study.run_study(cohort, folder / "out", settings=settings, samples=samples,
                                      client=client, progress=False)
                seconds = time.perf_counter() - start
                memory = study.worker_memory(client)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        assert sorted(run.computed) == samples
        rate = n / seconds
        runs[workers] = {"seconds": seconds, "samples_per_s": rate,
                         "worker_peak_MiB": memory["peak_MiB"].round(1).tolist()}
        print(f"dask, {workers} worker{'s' if workers > 1 else ' '}  {seconds:7.1f} s  "
              f"{rate:6.2f} samples/s", flush=True)

    base = runs[min(runs)]["samples_per_s"] / min(runs)
    for workers, run in runs.items():
        run["efficiency_vs_1_worker"] = run["samples_per_s"] / (workers * base)
        run["efficiency_vs_serial"] = run["samples_per_s"] / (workers * serial)
    print()
    for workers, run in runs.items():
        print(f"{workers} worker(s): efficiency {run['efficiency_vs_1_worker']:.2f} against 1 worker, "
              f"{run['efficiency_vs_serial']:.2f} against the serial loop")
    result = {
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(), "dask": dask.__version__,
        "samples": n, "shape": list(cohort.shape),
        "serial": {"seconds": serial_s, "samples_per_s": serial},
        "dask": {str(k): v for k, v in runs.items()},
        "mean_abs_count_error": sum(errors) / len(errors),
        "goal_efficiency_2_workers": 0.85,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
