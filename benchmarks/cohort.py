"""Cohort throughput: the bone study in a plain loop and on dask with 1 and 2 workers.

    .venv/bin/python benchmarks/cohort.py [--samples 48] [--workers 1 2] [--repeats 2]

Each sample is one task of the study (``common.study.analyse_sample``: make
the 3D volume, analyse it, compare with its truth). The same samples are
analysed

* in a plain serial loop in this process;
* with ``common.study.run_study`` on a local dask cluster of 1 worker, then
  of 2 workers (processes, one thread each, ``study.start_client`` as the
  book uses it), writing one result file per sample to a temporary folder.

The three are run in turn, ``--repeats`` times, and the best time of each is
kept, so that a burst of other work on the machine does not land on one of
them only. Cluster start-up is not timed; each worker first analyses one
extra sample (imports and first-call costs), then the timed run starts.

Efficiency on n workers is the throughput divided by n times that of the
serial loop (goal on 2 workers: 0.9 or more), and also given against the
1-worker cluster. With few samples the last ones leave a worker idle while
the other finishes (about half a sample's time), so the default is 48
samples, as a real study has more.

Where the CPU time went is recorded too (workers; this process, which holds
the scheduler, the nannies and the client): the cluster's own background
work is what it takes from the analysis. Prints the figures with the machine
and its load (benchmarks/_provenance.py) and writes
benchmarks/results/cohort.json.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import shutil
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _provenance import Run  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "cohort.json"
GOAL = 0.9


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def serial_loop(spec, samples, settings):
    from common import study

    start, cpu = time.perf_counter(), _cpu_seconds()
    errors = []
    for i in samples:
        record = study.analyse_sample(spec, i, settings)
        errors.append(abs(record["count"] - record["true_count"]) / record["true_count"])
    return time.perf_counter() - start, _cpu_seconds() - cpu, errors


def on_dask(cohort, samples, settings, workers):
    from common import study

    spec, n = cohort.spec(), len(samples)
    folder = pathlib.Path(tempfile.mkdtemp(prefix="qbi-cohort-bench-"))
    try:
        with study.start_client(n_workers=workers, memory_limit="1GiB", dashboard=False) as client:
            warm = [client.submit(study.analyse_sample, spec, n + k, settings, pure=False,
                                  workers=[address])
                    for k, address in enumerate(client.scheduler_info()["workers"])]
            client.gather(warm)
            before, here = client.run(_cpu_seconds), _cpu_seconds()
            start = time.perf_counter()
            run = study.run_study(cohort, folder / "out", settings=settings, samples=samples,
                                  client=client, progress=False)
            seconds = time.perf_counter() - start
            after, here = client.run(_cpu_seconds), _cpu_seconds() - here
            memory = study.worker_memory(client)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert sorted(run.computed) == list(samples), "every sample exactly once"
    return {"seconds": seconds, "workers_cpu_s": sum(after.values()) - sum(before.values()),
            "main_process_cpu_s": here,
            "worker_peak_MiB": memory["peak_MiB"].round(1).tolist()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=48, help="samples per run (default 48)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=2, help="best of how many rounds (default 2)")
    args = parser.parse_args(argv)
    if args.samples < 1 or args.repeats < 1 or min(args.workers) < 1:
        parser.error("--samples, --repeats and --workers must be positive")

    import dask

    from common import analysis, study
    from common.data.cohort import Cohort

    provenance = Run("benchmarks/cohort.py")
    n = args.samples
    cohort = Cohort(n_samples=n + max(args.workers), seed=0)
    spec, settings = cohort.spec(), analysis.BONE_VOLUME
    samples = list(range(n))
    print(f"{n} samples of shape {cohort.shape} per run; {args.repeats} rounds", flush=True)

    study.analyse_sample(spec, n, settings)  # warm-up of this process
    serial_runs, runs = [], {w: [] for w in args.workers}
    for round_ in range(args.repeats):
        seconds, cpu, errors = serial_loop(spec, samples, settings)
        serial_runs.append({"seconds": seconds, "cpu_s": cpu})
        print(f"round {round_ + 1}: serial loop {seconds:7.1f} s  {n / seconds:6.2f} samples/s",
              flush=True)
        for workers in args.workers:
            run = on_dask(cohort, samples, settings, workers)
            runs[workers].append(run)
            print(f"round {round_ + 1}: dask, {workers} worker{'s' if workers > 1 else ' '} "
                  f"{run['seconds']:7.1f} s  {n / run['seconds']:6.2f} samples/s", flush=True)

    serial = min(serial_runs, key=lambda r: r["seconds"])
    serial_rate = n / serial["seconds"]
    best = {w: min(r, key=lambda x: x["seconds"]) for w, r in runs.items()}
    base = n / best[min(best)]["seconds"] / min(best)
    result_runs = {}
    for workers, run in best.items():
        rate = n / run["seconds"]
        result_runs[str(workers)] = {
            **run, "samples_per_s": rate,
            "all_seconds": [r["seconds"] for r in runs[workers]],
            "efficiency_vs_1_worker": rate / (workers * base),
            "efficiency_vs_serial": rate / (workers * serial_rate),
            # CPU time per sample beyond the serial loop's: the cluster's cost.
            "extra_cpu_per_sample_s": (run["workers_cpu_s"] + run["main_process_cpu_s"]
                                       - serial["cpu_s"]) / n,
        }
    print()
    for workers, run in result_runs.items():
        print(f"{workers} worker(s): efficiency {run['efficiency_vs_serial']:.2f} against the serial "
              f"loop (goal on 2 workers >= {GOAL}), {run['efficiency_vs_1_worker']:.2f} against 1 "
              f"worker; CPU per sample beyond the loop's {1000 * run['extra_cpu_per_sample_s']:.0f} ms")
    result = {
        "samples": n, "shape": list(cohort.shape), "repeats": args.repeats,
        "serial": {"seconds": serial["seconds"], "samples_per_s": serial_rate,
                   "cpu_s": serial["cpu_s"], "all_seconds": [r["seconds"] for r in serial_runs]},
        "dask": result_runs,
        "mean_abs_count_error": sum(errors) / len(errors),
        "goal_efficiency_vs_serial_2_workers": GOAL,
        "quiet_background": study.QUIET_BACKGROUND,
        "dask_version": dask.__version__,
    }
    run_info = provenance.finish()
    result["machine"] = run_info["machine_summary"]
    result["provenance"] = run_info
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
