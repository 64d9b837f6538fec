"""Out of core: analyse a volume several times larger than the workers' memory.

    .venv/bin/python benchmarks/out_of_core.py [--workers 2] [--memory-limit 512MiB] [--factor 4.5]

1. Starts a local dask cluster: ``--workers`` processes, one thread each,
   each limited to ``--memory-limit``.
2. Writes a synthetic bone block (``common.data.cohort.bone_block``: lacunae
   in bone, uint8) ``--factor`` times larger than the workers' total memory
   limit to a zarr store on disk, chunk by chunk, on the cluster.
3. Reads it back and counts its cells across chunks with
   ``common.out_of_core.count_out_of_core`` (dask-image Gaussian filter,
   threshold, per-chunk labels joined across chunk faces) and checks the
   count against the truth. On a sub-volume of 8 chunks it also runs
   ``dask_image.ndmeasure.label`` and checks that both agree (dask-image's
   label keeps every chunk's labels until the end and its task graph grows
   with the square of the number of chunks, so it cannot do the whole).
4. Measures, in the same run, the machine's memory bandwidth (a numpy copy
   of 1 GiB, best of five) as the ceiling for any streaming analysis.

Prints the figures and writes benchmarks/results/out_of_core.json:
throughput in MB/s (input bytes per second), peak memory of each worker
against its limit, memory bandwidth, and how many such machines would keep
up with a detector streaming 8 GB/s (chapter 3). The zarr store lives in a
temporary folder (``--folder`` to choose one) and is deleted at the end.

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
import platform
import shutil
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "out_of_core.json"
DETECTOR_MB_S = 8000.0  # 2560 x 2160 pixels, 16 bit, 1500+ frames per second (chapter 3)


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="512MiB")
    parser.add_argument("--factor", type=float, default=4.5,
                        help="volume size / total memory limit of the workers (default 4.5)")
    parser.add_argument("--chunk", type=int, default=128, help="edge of a cubic chunk (voxels)")
    parser.add_argument("--folder", default=None, help="where to put the zarr store")
    args = parser.parse_args(argv)

    import dask
    import dask.array as da
    import zarr
    from dask.utils import format_bytes, parse_bytes

    from common import analysis, out_of_core, study
    from common.data.cohort import bone_block, bone_block_cells

    limit = parse_bytes(args.memory_limit)
    total_limit = limit * args.workers
    shape = block_shape(int(args.factor * total_limit), args.chunk)
    n_bytes = int(np.prod(shape))
    chunks = (args.chunk,) * 3
    base = pathlib.Path(args.folder) if args.folder else pathlib.Path(tempfile.mkdtemp(prefix="qbi-ooc-"))
    store = base / "bone-block.zarr"
    if store.exists():
        raise SystemExit(f"{store} exists already; choose another --folder")
    print(f"volume {shape} uint8 = {format_bytes(n_bytes)}, {args.workers} workers x "
          f"{format_bytes(limit)} = {format_bytes(total_limit)} "
          f"(volume / memory = {n_bytes / total_limit:.2f}); store {store}", flush=True)

    bandwidth = memory_bandwidth()
    print(f"memory bandwidth (numpy copy): {bandwidth / 1e9:.2f} GB/s", flush=True)

    result = {"machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores",
              "python": platform.python_version(), "dask": dask.__version__,
              "workers": args.workers, "memory_limit_bytes": limit, "shape": list(shape),
              "chunks": list(chunks), "volume_bytes": n_bytes,
              "volume_over_total_limit": n_bytes / total_limit,
              "memory_bandwidth_GB_s": bandwidth / 1e9}
    try:
        with study.start_client(n_workers=args.workers, memory_limit=limit, dashboard=False,
                                trim_memory=True) as client:
            pids_before = client.run(os.getpid)

            start = time.perf_counter()
            target = zarr.create_array(store=str(store), shape=shape, chunks=chunks,
                                       dtype="uint8", compressors=None)
            da.store(bone_block(shape, chunks=chunks, seed=0), target, lock=False)
            write_s = time.perf_counter() - start
            print(f"generated and written: {write_s:.1f} s, {n_bytes / write_s / 1e6:.1f} MB/s",
                  flush=True)

            volume = da.from_zarr(str(store))
            start = time.perf_counter()
            counted = out_of_core.count_out_of_core(volume, analysis.BONE_VOLUME)
            analyse_s = time.perf_counter() - start
            truth = bone_block_cells(shape, seed=0)
            throughput = n_bytes / analyse_s
            print(f"filtered, thresholded, labelled across {counted['n_chunks']} chunks: "
                  f"{analyse_s:.1f} s, {throughput / 1e6:.1f} MB/s; {counted['n_objects']} cells "
                  f"(truth {truth}; {counted['objects_in_chunks']} if chunks are counted "
                  "separately)", flush=True)

            memory = study.worker_memory(client)
            pids_after = client.run(os.getpid)

            # dask-image's own label on a part small enough for it (its graph
            # grows with the square of the number of chunks).
            from dask_image import ndmeasure

            part = volume[: 2 * args.chunk, : 2 * args.chunk, : 2 * args.chunk]
            start = time.perf_counter()
            mask = out_of_core.threshold_out_of_core(part, analysis.BONE_VOLUME).persist()
            n_dask_image = int(ndmeasure.label(mask)[1].compute())
            dask_image_s = time.perf_counter() - start
            n_ours = out_of_core.count_out_of_core(part, analysis.BONE_VOLUME)["n_objects"]
            print(f"check on {part.shape} ({part.npartitions} chunks): dask_image.ndmeasure.label "
                  f"{n_dask_image} objects in {dask_image_s:.1f} s, count_out_of_core {n_ours}",
                  flush=True)
    finally:
        if not args.folder:
            shutil.rmtree(base, ignore_errors=True)

    peak = memory["peak_MiB"].max() * 2**20
    machines = math.ceil(DETECTOR_MB_S * 1e6 / throughput)
    result.update({
        "write_seconds": write_s, "write_MB_s": n_bytes / write_s / 1e6,
        "analyse_seconds": analyse_s, "throughput_MB_s": throughput / 1e6,
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
        "note": "other jobs shared this machine during the run: re-run on a quiet machine",
    })
    print()
    print(f"throughput            {throughput / 1e6:8.1f} MB/s  (memory bandwidth {bandwidth / 1e6:.0f} MB/s)")
    for row in memory.itertuples():
        print(f"worker {row.worker} peak memory  {row.peak_MiB:8.1f} MiB of {row.limit_MiB:.0f} MiB")
    print(f"volume / memory limit {n_bytes / total_limit:8.2f}")
    print(f"cells                 {counted['n_objects']:8d}  (truth {truth})")
    print(f"machines like this one to keep up with {DETECTOR_MB_S / 1000:.0f} GB/s: {machines} "
          f"(at memory bandwidth: {result['machines_for_detector_at_memory_bandwidth']})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    ok = counted["n_objects"] == truth and n_dask_image == n_ours and peak <= limit
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
