"""Out of core: analyse a volume several times larger than the workers' memory.

    .venv/bin/python benchmarks/out_of_core.py [--workers 2] [--memory-limit 512MiB] [--factor 4.5]
                                               [--chunk 128] [--work-chunk 256] [--rounds 2]
                                               [--malloc tuned|dask] [--folder DIR] [--output FILE]

1. Starts a local dask cluster: ``--workers`` processes (default one per
   core), one thread each, each limited to ``--memory-limit``, with the
   allocator settings of ``common.out_of_core.WORKER_MALLOC`` (``--malloc
   dask`` keeps dask's own, to see what they cost).
2. Writes a synthetic bone block (``common.data.cohort.bone_block``: lacunae
   in bone, uint8) ``--factor`` times larger than the workers' total memory
   limit to a zarr store on disk, in chunks of ``--chunk`` voxels, on the
   cluster. It also times making one chunk alone, in memory, to show how
   much of the writing is the generator.
3. The kernel ceiling: every worker reads a few chunks (``--work-chunk``
   voxels, with their margins) into memory, then counts them again and
   again with ``common.out_of_core.count_block`` (smooth, threshold, label,
   faces), all workers at once; the best pass of each, summed over the
   workers, is what the analysis could reach if reading, scheduling and
   joining cost nothing.
4. The pipeline: reads the store back (``dask.array.from_zarr`` in chunks of
   ``--work-chunk``) and counts its cells across chunks with
   ``common.out_of_core.count_out_of_core``, and checks the count against
   the truth. It records where the workers' time went (user and system CPU,
   page faults, bytes spilled to disk) and their peak memory.
   Steps 3 and 4 run in turn ``--rounds`` times and the best of each is
   kept, so that other work on the machine falls on both alike.
5. On a part of 8 stored chunks it also runs ``dask_image.ndmeasure.label``
   and checks that both agree.
6. The machine's memory bandwidth (a numpy copy of 1 GiB, best of five).

Prints the figures with the machine and its load (benchmarks/_provenance.py)
and writes benchmarks/results/out_of_core.json: ``throughput_MB_s`` (input
bytes per second of step 4) beside ``kernel_ceiling_MB_s`` (step 3) and their
ratio ``throughput_over_kernel_ceiling`` (goal: at least 0.7), and the same
comparison in CPU time, ``pipeline_cpu_over_kernel_cpu`` (what a busy machine
hardly changes). The zarr store lives in a temporary folder, deleted at the
end; with ``--folder`` it is kept there, and a later run with the same shape
and chunks reuses it instead of writing it again (writing is the longest
step).

The operating system's page cache may hold the whole store in RAM (this is
not the workers' memory), so the "disk" reads can be memory reads: the
throughput is that of the analysis, not of a disk.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import shutil
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _provenance import Run  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "out_of_core.json"
DETECTOR_MB_S = 8000.0  # 2560 x 2160 pixels, 16 bit, 1500+ frames per second (chapter 3)
GOAL_OF_CEILING = 0.7
#: dask's workers give freed memory back to the system at once
#: (MALLOC_TRIM_THRESHOLD_), so that a worker's memory is what it holds and it
#: is not paused (at 80 % of its limit) by memory it has freed. Every new
#: array is then fresh memory that the system maps page by page: the
#: analysis reuses its work arrays for that reason; only the store's reads
#: remain new arrays.
TRIM_MEMORY = True


def memory_bandwidth(n_bytes: int = 2**30, repeats: int = 5) -> float:
    """Bytes copied per second by ``numpy.copyto`` (best of ``repeats``).

    A copy reads and writes every byte, so the memory traffic is twice this.
    """
    src = np.ones(n_bytes, dtype=np.uint8)
    dst = np.empty_like(src)
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - start)
    return n_bytes / best


def block_shape(n_bytes: int, chunk: int) -> tuple[int, int, int]:
    """A (z, y, x) shape of at least ``n_bytes`` voxels, in whole chunks, y = x."""
    side = 16 * chunk
    planes = math.ceil(n_bytes / (side * side) / chunk) * chunk
    return (planes, side, side)


def _process_times() -> dict:
    """CPU seconds (user, system) and page faults of this process so far."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"user_s": usage.ru_utime, "system_s": usage.ru_stime,
            "minor_faults": usage.ru_minflt, "major_faults": usage.ru_majflt}


def _spilled(dask_worker) -> int:
    """Bytes this worker has written to disk because its memory was full."""
    data = getattr(dask_worker, "data", None)
    total = getattr(data, "spilled_total", None)
    if total is None:
        return 0
    return int(getattr(total, "disk", 0) or 0)


def _difference(after: dict, before: dict) -> dict:
    return {key: after[key] - before[key] for key in after}


def _kernel_ceiling(store: str, regions, sigma, threshold, polarity, passes: int) -> dict:
    """On one worker: count in-memory chunks again and again; the best pass."""
    import zarr

    from common.out_of_core import count_block, release_buffers

    source = zarr.open_array(store, mode="r")
    blocks = [(np.ascontiguousarray(source[region]), core) for region, core in regions]
    core_bytes = sum(int(np.prod([s.stop - s.start for s in core])) for _, core in blocks)
    count_block(*blocks[0], sigma, threshold, polarity)        # first-call costs
    times, cpu = [], []
    for _ in range(passes):
        start, start_cpu = time.perf_counter(), time.thread_time()
        for block, core in blocks:
            count_block(block, core, sigma, threshold, polarity)
        times.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
    release_buffers()
    return {"bytes": core_bytes, "best_s": min(times), "pass_s": times, "best_cpu_s": min(cpu)}


def _pipeline(client, volume, settings) -> dict:
    """One run of ``count_out_of_core`` over the whole store, with its CPU accounting."""
    from common import out_of_core

    times_before = client.run(_process_times)
    spilled_before = client.run(_spilled)
    client_before = _process_times()
    start = time.perf_counter()
    counted = out_of_core.count_out_of_core(volume, settings)
    seconds = time.perf_counter() - start
    client_after = _process_times()
    times_after = client.run(_process_times)
    spilled_after = client.run(_spilled)
    spent = {address: _difference(times_after[address], times_before[address])
             for address in times_after}
    workers = {key: round(sum(s[key] for s in spent.values()), 2) for key in
               ("user_s", "system_s", "minor_faults", "major_faults")}
    here = _difference(client_after, client_before)
    return {"counted": counted, "seconds": seconds, "worker_cpu": workers,
            # The scheduler runs in this process (a local cluster): its CPU
            # time and the client's, together.
            "client_and_scheduler_cpu_s": here["user_s"] + here["system_s"],
            "cpu_s": workers["user_s"] + workers["system_s"] + here["user_s"] + here["system_s"],
            "spilled_bytes": int(sum(spilled_after.values()) - sum(spilled_before.values()))}


def _ceiling(client, store, regions, settings, per_worker, passes) -> dict:
    """The kernel ceiling: every worker counts its in-memory chunks, all at once."""
    sigma, threshold, polarity = float(settings.sigma), float(settings.threshold), settings.polarity
    workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
    picks = np.random.default_rng(0).choice(
        len(regions), len(workers) * per_worker, replace=len(regions) < len(workers) * per_worker)
    futures = [client.submit(_kernel_ceiling, str(store), [regions[i] for i in picks[k::len(workers)]],
                             sigma, threshold, polarity, passes, workers=[address], pure=False)
               for k, address in enumerate(workers)]
    ceilings = client.gather(futures)
    n_bytes = sum(c["bytes"] for c in ceilings)
    return {"per_worker": ceilings,
            # All workers at once: the sum of each one's best pass.
            "B_s": sum(c["bytes"] / c["best_s"] for c in ceilings),
            # Per CPU second of the kernel itself (robust on a busy machine).
            "B_per_cpu_s": n_bytes / sum(c["best_cpu_s"] for c in ceilings)}


def _store_matches(base: pathlib.Path, store: pathlib.Path, expected: dict) -> bool:
    """Whether ``store`` is a complete block written by this benchmark with these settings."""
    marker = base / "bone-block.json"
    if not store.exists():
        return False
    try:
        recorded = json.loads(marker.read_text())
    except (OSError, ValueError):
        recorded = None
    if recorded != expected:
        raise SystemExit(f"{store} exists but is not a complete block of shape {expected['shape']} "
                         f"in chunks of {expected['chunks']} (seed {expected['seed']}); "
                         "choose another --folder")
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    parser.add_argument("--memory-limit", default="512MiB")
    parser.add_argument("--factor", type=float, default=4.5,
                        help="volume size / total memory limit of the workers (default 4.5)")
    parser.add_argument("--chunk", type=int, default=128,
                        help="edge of a cubic chunk of the zarr store (voxels, default 128)")
    parser.add_argument("--work-chunk", type=int, default=256,
                        help="edge of the chunks the analysis works on (a multiple of --chunk; "
                             "default 256)")
    parser.add_argument("--ceiling-chunks", type=int, default=3,
                        help="work chunks per worker for the kernel ceiling (default 3)")
    parser.add_argument("--passes", type=int, default=3, help="best of how many ceiling passes")
    parser.add_argument("--rounds", type=int, default=2,
                        help="rounds of (kernel ceiling, pipeline), best of each (default 2)")
    parser.add_argument("--malloc", choices=("tuned", "dask"), default="tuned",
                        help="workers' allocator settings: common.out_of_core.WORKER_MALLOC "
                             "(default), or dask's own (to see what they cost)")
    parser.add_argument("--folder", default=None,
                        help="where to put the zarr store; kept afterwards, and reused by the "
                             "next run with the same shape and chunks (default: a temporary "
                             "folder, deleted)")
    parser.add_argument("--output", default=str(RESULTS),
                        help="where to write the figures (default benchmarks/results/out_of_core.json)")
    args = parser.parse_args(argv)
    if args.work_chunk % args.chunk:
        parser.error(f"--work-chunk must be a multiple of --chunk ({args.chunk}), got {args.work_chunk}")
    for name in ("rounds", "passes", "ceiling_chunks"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")

    import dask
    import dask.array as da
    import zarr
    from dask.utils import format_bytes, parse_bytes

    from common import analysis, out_of_core, study
    from common.data.cohort import _render_block, bone_block, bone_block_cells

    provenance = Run("benchmarks/out_of_core.py")
    workers = args.workers or study.default_workers()
    settings = analysis.BONE_VOLUME
    limit = parse_bytes(args.memory_limit)
    total_limit = limit * workers
    shape = block_shape(int(args.factor * total_limit), args.chunk)
    n_bytes = int(np.prod(shape))
    chunks = (args.chunk,) * 3
    work_chunks = (args.work_chunk,) * 3
    base = pathlib.Path(args.folder) if args.folder else pathlib.Path(tempfile.mkdtemp(prefix="qbi-ooc-"))
    store = base / "bone-block.zarr"
    expected = {"shape": list(shape), "chunks": list(chunks), "seed": 0}
    reuse = _store_matches(base, store, expected)
    print(f"volume {shape} uint8 = {format_bytes(n_bytes)}, {workers} workers x "
          f"{format_bytes(limit)} = {format_bytes(total_limit)} "
          f"(volume / memory = {n_bytes / total_limit:.2f}); store {store} in chunks of "
          f"{args.chunk}{' (reused)' if reuse else ''}, analysed in chunks of {args.work_chunk}",
          flush=True)

    bandwidth = memory_bandwidth()
    print(f"memory bandwidth (numpy copy): {bandwidth / 1e9:.2f} GB/s", flush=True)
    # The generator alone, one chunk in this process (best of three).
    middle = tuple(((n // 2) // args.chunk) * args.chunk for n in shape)
    generate = []
    for _ in range(3):
        start = time.perf_counter()
        _render_block(0, shape, middle, chunks)
        generate.append(time.perf_counter() - start)
    generate_MB_s = args.chunk**3 / min(generate) / 1e6

    halo = out_of_core._halo(settings)
    malloc = out_of_core.WORKER_MALLOC if args.malloc == "tuned" else {}
    rounds = []
    write_s = None
    try:
        with dask.config.set(out_of_core.worker_config() if malloc else {}), \
                study.start_client(n_workers=workers, memory_limit=limit, dashboard=False,
                                   trim_memory=TRIM_MEMORY) as client:
            pids_before = client.run(os.getpid)
            environment = client.run(lambda: {k: os.environ.get(k) for k in
                                              ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_",
                                               "MALLOC_ARENA_MAX")})
            print(f"workers' allocator settings: {next(iter(environment.values()))}", flush=True)

            if not reuse:
                print(f"generator alone, one chunk on one core: {generate_MB_s:.1f} MB/s", flush=True)
                start = time.perf_counter()
                target = zarr.create_array(store=str(store), shape=shape, chunks=chunks,
                                           dtype="uint8", compressors=None)
                da.store(bone_block(shape, chunks=chunks, seed=0), target, lock=False)
                write_s = time.perf_counter() - start
                (base / "bone-block.json").write_text(json.dumps(expected))
                print(f"generated and written: {write_s:.1f} s, {n_bytes / write_s / 1e6:.1f} MB/s "
                      f"({n_bytes / write_s / 1e6 / (workers * generate_MB_s):.0%} of the generator "
                      "alone on every worker)", flush=True)

            volume = da.from_zarr(str(store), chunks=work_chunks)
            # For the ceiling: chunks with a full margin on every side (the largest reads).
            regions = [(region, core) for _, region, core in out_of_core._chunk_regions(
                volume.chunks, shape, halo)]
            size = [int(np.prod([s.stop - s.start for s in region])) for region, _ in regions]
            regions = [r for r, n in zip(regions, size) if n == max(size)]
            truth = bone_block_cells(shape, seed=0)

            # Ceiling and pipeline in turn, so that other work on the machine
            # falls on both alike; the best of each is kept.
            for r in range(args.rounds):
                ceiling = _ceiling(client, store, regions, settings, args.ceiling_chunks, args.passes)
                print(f"round {r + 1}: kernel ceiling (count_block on chunks in memory, {workers} "
                      f"workers at once, best of {args.passes}): {ceiling['B_s'] / 1e6:.1f} MB/s, "
                      f"{ceiling['B_per_cpu_s'] / 1e6:.1f} MB per CPU second", flush=True)
                run = _pipeline(client, volume, settings)
                counted = run["counted"]
                print(f"round {r + 1}: pipeline {counted['n_chunks']} chunks in {run['seconds']:.1f} s, "
                      f"{n_bytes / run['seconds'] / 1e6:.1f} MB/s = "
                      f"{n_bytes / run['seconds'] / ceiling['B_s']:.2f} of this round's ceiling; "
                      f"CPU {run['cpu_s']:.1f} s ({n_bytes / run['cpu_s'] / 1e6:.1f} MB per CPU second; "
                      f"workers user {run['worker_cpu']['user_s']:.1f} s, system "
                      f"{run['worker_cpu']['system_s']:.1f} s, "
                      f"{run['worker_cpu']['minor_faults']} page faults; client and scheduler "
                      f"{run['client_and_scheduler_cpu_s']:.1f} s); {counted['n_objects']} cells "
                      f"(truth {truth})", flush=True)
                rounds.append({"ceiling": ceiling, "pipeline": run})

            memory = study.worker_memory(client)
            pids_after = client.run(os.getpid)

            # dask-image's own label on a part small enough for it (its graph
            # grows with the square of the number of chunks), in stored chunks.
            from dask_image import ndmeasure

            stored = da.from_zarr(str(store))
            part = stored[: 2 * args.chunk, : 2 * args.chunk, : 2 * args.chunk]
            start = time.perf_counter()
            mask = out_of_core.threshold_out_of_core(part, settings).persist()
            n_dask_image = int(ndmeasure.label(mask)[1].compute())
            dask_image_s = time.perf_counter() - start
            n_ours = out_of_core.count_out_of_core(part, settings)["n_objects"]
            print(f"check on {part.shape} ({part.npartitions} chunks): dask_image.ndmeasure.label "
                  f"{n_dask_image} objects in {dask_image_s:.1f} s, count_out_of_core {n_ours}",
                  flush=True)
    finally:
        if not args.folder:
            shutil.rmtree(base, ignore_errors=True)

    ceiling = max(r["ceiling"]["B_s"] for r in rounds)
    ceiling_cpu = max(r["ceiling"]["B_per_cpu_s"] for r in rounds)
    best = min(rounds, key=lambda r: r["pipeline"]["seconds"])["pipeline"]
    best_cpu = min(rounds, key=lambda r: r["pipeline"]["cpu_s"])["pipeline"]
    analyse_s = best["seconds"]
    throughput = n_bytes / analyse_s
    pipeline_cpu = best_cpu["cpu_s"]
    counts = [r["pipeline"]["counted"]["n_objects"] for r in rounds]
    counted = best["counted"]
    worker_cpu = best_cpu["worker_cpu"]
    peak = memory["peak_MiB"].max() * 2**20
    machines = math.ceil(DETECTOR_MB_S * 1e6 / throughput)
    prov = provenance.finish()
    result = {
        "machine": prov["machine_summary"],
        "python": prov["software"]["python"], "dask": dask.__version__,
        "workers": workers, "memory_limit_bytes": limit, "shape": list(shape),
        "chunks": list(chunks), "work_chunks": list(work_chunks), "volume_bytes": n_bytes,
        "volume_over_total_limit": n_bytes / total_limit,
        "memory_bandwidth_GB_s": bandwidth / 1e9,
        "generator_one_core_MB_s": generate_MB_s,
        "store_reused": reuse,
        "write_seconds": write_s, "write_MB_s": None if write_s is None else n_bytes / write_s / 1e6,
        "worker_malloc": malloc,
        "rounds": args.rounds,
        # Wall time: all workers at once, best round of each.
        "kernel_ceiling_MB_s": ceiling / 1e6,
        "analyse_seconds": analyse_s, "throughput_MB_s": throughput / 1e6,
        "throughput_over_kernel_ceiling": throughput / ceiling,
        "goal_throughput_over_kernel_ceiling": GOAL_OF_CEILING,
        # The same comparison in CPU time, which other programs on the machine
        # hardly change: the kernel's bytes per CPU second against the
        # pipeline's (workers, client and scheduler together).
        "kernel_MB_per_cpu_s": ceiling_cpu / 1e6,
        "pipeline_MB_per_cpu_s": n_bytes / pipeline_cpu / 1e6,
        "pipeline_cpu_over_kernel_cpu": (n_bytes / ceiling_cpu) / pipeline_cpu,
        "analyse_worker_cpu": worker_cpu,
        "analyse_client_and_scheduler_cpu_s": round(best_cpu["client_and_scheduler_cpu_s"], 2),
        "analyse_task_cpu_s": {k: round(v, 2) for k, v in best_cpu["counted"]["cpu_seconds"].items()},
        "analyse_spilled_bytes": max(r["pipeline"]["spilled_bytes"] for r in rounds),
        "per_round": [{"kernel_ceiling_MB_s": r["ceiling"]["B_s"] / 1e6,
                       "kernel_ceiling_pass_s": [c["pass_s"] for c in r["ceiling"]["per_worker"]],
                       "kernel_MB_per_cpu_s": r["ceiling"]["B_per_cpu_s"] / 1e6,
                       "analyse_seconds": r["pipeline"]["seconds"],
                       "throughput_MB_s": n_bytes / r["pipeline"]["seconds"] / 1e6,
                       "pipeline_cpu_s": r["pipeline"]["cpu_s"],
                       "worker_cpu": r["pipeline"]["worker_cpu"],
                       "client_and_scheduler_cpu_s": r["pipeline"]["client_and_scheduler_cpu_s"],
                       "cells_found": r["pipeline"]["counted"]["n_objects"]} for r in rounds],
        "trim_memory": TRIM_MEMORY,
        "n_chunks": counted["n_chunks"], "cells_found": counted["n_objects"],
        "cells_true": truth, "cells_if_chunks_counted_separately": counted["objects_in_chunks"],
        "workers_restarted": sorted(pids_before.values()) != sorted(pids_after.values()),
        "worker_peak_MiB": memory["peak_MiB"].round(1).tolist(),
        "worker_limit_MiB": memory["limit_MiB"].round(1).tolist(),
        "peak_over_limit": peak / limit,
        "dask_image_check": {"shape": list(part.shape), "chunks": int(part.npartitions),
                             "dask_image_label": n_dask_image, "count_out_of_core": n_ours,
                             "dask_image_seconds": dask_image_s},
        "detector_MB_s": DETECTOR_MB_S,
        "machines_for_detector": machines,
        "machines_for_detector_at_memory_bandwidth": math.ceil(DETECTOR_MB_S * 1e6 / bandwidth),
        "provenance": prov,
    }
    print()
    print(f"throughput            {throughput / 1e6:8.1f} MB/s  = {throughput / ceiling:.2f} x the "
          f"kernel ceiling {ceiling / 1e6:.1f} MB/s (wall time, best of {args.rounds} rounds; goal >= "
          f"{GOAL_OF_CEILING}); memory bandwidth {bandwidth / 1e6:.0f} MB/s")
    print(f"in CPU time           the kernel {ceiling_cpu / 1e6:.1f} MB per CPU second, the pipeline "
          f"{n_bytes / pipeline_cpu / 1e6:.1f}: {(n_bytes / ceiling_cpu) / pipeline_cpu:.2f} of its "
          f"CPU time is the kernel's work (goal >= {GOAL_OF_CEILING})")
    print(f"workers' time         user {worker_cpu['user_s']:.1f} s, system {worker_cpu['system_s']:.1f} s, "
          f"{worker_cpu['minor_faults']} page faults; in the tasks: reading "
          f"{result['analyse_task_cpu_s']['read']:.1f} s, counting {result['analyse_task_cpu_s']['count']:.1f} s; "
          f"spilled {result['analyse_spilled_bytes']} bytes; client and scheduler "
          f"{result['analyse_client_and_scheduler_cpu_s']:.1f} s")
    for row in memory.itertuples():
        print(f"worker {row.worker} peak memory  {row.peak_MiB:8.1f} MiB of {row.limit_MiB:.0f} MiB")
    print(f"volume / memory limit {n_bytes / total_limit:8.2f}")
    print(f"cells                 {counted['n_objects']:8d}  (truth {truth}; every round: {counts})")
    if write_s is not None:
        print(f"writing               {n_bytes / write_s / 1e6:8.1f} MB/s (the generator alone: "
              f"{generate_MB_s:.1f} MB/s per core)")
    print(f"machines like this one to keep up with {DETECTOR_MB_S / 1000:.0f} GB/s: {machines} "
          f"(at memory bandwidth: {result['machines_for_detector_at_memory_bandwidth']})")
    output = pathlib.Path(args.output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=1) + "\n")
    print(f"written to {output}")
    ok = (all(n == truth for n in counts) and n_dask_image == n_ours and peak <= limit
          and not result["workers_restarted"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
