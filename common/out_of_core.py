"""Count the objects of a volume larger than memory, chunk by chunk.

The analysis of :mod:`common.analysis` (smooth, threshold, label) on a
chunked dask array, for volumes that do not fit in memory (chapter 9's
lazy bone block, a zarr store on disk):

* :func:`threshold_out_of_core`: the smoothed and thresholded volume, lazy;
* :func:`label_out_of_core`: the labelled volume with dask-image (objects that
  cross chunk borders are joined; the graph grows with the square of the
  number of chunks, so for small volumes only);
* :func:`count_out_of_core`: the number of objects of a volume of any size,
  with memory and task graph bounded per chunk; :func:`count_block` is its
  computation on one chunk in memory.

Run them on a dask.distributed client (:func:`common.study.start_client`)
to spread the chunks over workers and spill what does not fit.
"""
from __future__ import annotations

import threading
import time

import numpy as np

from . import analysis


def _check_volume(volume, settings):
    import dask.array as da

    if not isinstance(volume, da.Array):
        raise TypeError(f"volume must be a dask array (e.g. dask.array.from_zarr), "
                        f"got {type(volume).__name__}")
    if volume.ndim not in (2, 3):
        raise ValueError(f"volume must be 2D or 3D, got shape {volume.shape}")
    if not isinstance(settings, analysis.Settings):
        raise TypeError(f"settings must be a common.analysis.Settings, got {type(settings).__name__}")
    if isinstance(settings.threshold, str):
        raise ValueError("settings.threshold must be a number for a volume out of core (Otsu's "
                         f"method needs the histogram of the whole volume first), got "
                         f"{settings.threshold!r}")


def threshold_out_of_core(volume, settings: analysis.Settings = analysis.BONE_VOLUME):
    """Smooth and threshold a chunked volume with dask-image: a lazy boolean mask.

    ``dask_image.ndfilters.gaussian_filter`` gives each chunk a margin of its
    neighbours' voxels (about four sigmas), so the smoothed volume has no
    seams at chunk borders. Nothing is computed until asked.
    """
    from dask_image import ndfilters

    _check_volume(volume, settings)
    smoothed = volume.astype(np.float32)
    if settings.sigma > 0:
        smoothed = ndfilters.gaussian_filter(smoothed, sigma=settings.sigma, mode="nearest")
    if settings.polarity == "bright":
        return smoothed > settings.threshold
    return smoothed < settings.threshold


def label_out_of_core(volume, settings: analysis.Settings = analysis.BONE_VOLUME):
    """Smooth, threshold and label a chunked volume with dask-image.

    The steps of :func:`common.analysis.analyse`, chunk by chunk:
    :func:`threshold_out_of_core`, then ``dask_image.ndmeasure.label``, which
    labels each chunk and joins the objects that cross chunk faces, so an
    object cut by a chunk border is still one object. Returns lazy dask
    objects ``(labels, n_objects)``.

    Limits (dask-image 2026.5): the labels of every chunk are kept until the
    global numbering is known (4 bytes per voxel, spilled to disk by the
    workers if they do not fit), and the task graph grows with the square
    of the number of chunks (dask/dask-image#391); beyond a few dozen
    chunks, or to count only, use :func:`count_out_of_core`. Storing the
    mask first (``mask.to_zarr(...)``, then ``dask.array.from_zarr``)
    keeps the graph of the labelling small.
    """
    from dask_image import ndmeasure
    from scipy import ndimage as ndi

    mask = threshold_out_of_core(volume, settings)
    structure = ndi.generate_binary_structure(volume.ndim, settings.connectivity)
    return ndmeasure.label(mask, structure=structure)


# ------------------------------------------------------ counting, chunk by chunk
#: Settings of the C library's allocator (glibc) for dask workers that read
#: chunks from a store. Every stored chunk a task reads arrives in a new
#: buffer (2 MiB for a chunk of 128**3 uint8) that lives only until its
#: voxels are copied out. dask starts its workers with
#: ``MALLOC_TRIM_THRESHOLD_=65536``, which hands such freed memory back to the
#: system at once, so that every read is fresh memory the kernel must map and
#: zero page by page: for chapter 9's block that was 8 million page faults
#: and a third of the workers' CPU time. With these settings, blocks up to
#: 4 MiB come from the allocator's heap and are reused, up to 32 MiB of freed
#: memory stays for the next reads instead of going back to the system, and
#: the reading threads share two heaps (each thread's own heap would keep its
#: own 32 MiB); larger arrays are still mapped and returned at once. A worker
#: keeps at most about 64 MiB more than it holds.
WORKER_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(4 * 2**20),
                 "MALLOC_TRIM_THRESHOLD_": str(32 * 2**20),
                 "MALLOC_ARENA_MAX": "2"}


def worker_config() -> dict:
    """dask configuration that starts a local cluster's workers with :data:`WORKER_MALLOC`.

    Use it around the start of the cluster, e.g.
    ``with dask.config.set(out_of_core.worker_config()): client = study.start_client(...)``
    (on a cluster started otherwise, set the same environment variables for
    the worker processes).
    """
    return {f"distributed.nanny.pre-spawn-environ.{name}": value
            for name, value in WORKER_MALLOC.items()}


def _halo(settings) -> int:
    """Voxels of its neighbours a chunk needs for the smoothing (scipy's radius)."""
    return int(4.0 * float(settings.sigma) + 0.5) if settings.sigma > 0 else 0


class _Buffers:
    """Work arrays of each thread, reused from chunk to chunk.

    A chunk's voxels read from the store, its smoothed copy, mask and labels
    are large; allocated afresh for every chunk, each would be new memory
    from the system, which the kernel must map and zero page by page (system
    time, not analysis; dask's workers return freed memory to the system at
    once). Reused, they cost nothing after the first chunk. Each array is a
    view of a flat buffer that grows to the largest chunk seen, so the
    smaller chunks at the volume's faces reuse it too; :func:`release_buffers`
    frees them all.
    """

    def __init__(self):
        self._arrays = {}
        self._lock = threading.Lock()

    def get(self, name, shape, dtype):
        key = (threading.get_ident(), name)
        dtype = np.dtype(dtype)
        n_bytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        with self._lock:
            flat = self._arrays.pop(key, None)
        if flat is None or flat.nbytes < n_bytes:
            del flat  # free the old one before allocating its successor
            flat = np.empty(n_bytes, np.uint8)
        with self._lock:
            self._arrays[key] = flat
        return flat[:n_bytes].view(dtype).reshape(shape)

    def clear(self):
        with self._lock:
            self._arrays.clear()


_BUFFERS = _Buffers()


def release_buffers() -> None:
    """Free the work arrays this process keeps for :func:`count_block`."""
    _BUFFERS.clear()


def count_block(block, core, sigma: float, threshold: float, polarity: str, location=None) -> dict:
    """Smooth, threshold and label one chunk; keep its count and its faces.

    The per-chunk computation of :func:`count_out_of_core`, on a chunk in
    memory. ``block`` holds the chunk with a margin of its neighbours' voxels
    (``halo`` on the sides that have neighbours, nothing at the volume's
    outer faces, where the filter's ``mode="nearest"`` applies, as for the
    whole volume); ``core`` is the tuple of slices of the chunk itself within
    ``block``. Only the chunk's number of objects, its object voxels and the
    labels on its faces come back (a few kilobytes).
    """
    from scipy import ndimage as ndi

    start = time.thread_time()
    block = np.asarray(block)
    smoothed = _BUFFERS.get("smoothed", block.shape, np.float32)
    np.copyto(smoothed, block, casting="unsafe")
    if sigma > 0:
        # In place: the same float32 values as dask-image's filter on the
        # overlapped chunk (scipy filters each line through a buffer).
        ndi.gaussian_filter(smoothed, sigma, mode="nearest", output=smoothed)
    inner = smoothed[core]
    mask = _BUFFERS.get("mask", inner.shape, bool)
    if polarity == "bright":
        np.greater(inner, threshold, out=mask)
    else:
        np.less(inner, threshold, out=mask)
    # The labels take the place of the smoothed values, no longer needed:
    # int32 and float32 have the same size, and the chunk is smaller than
    # the chunk with its margin. One work array less per thread.
    labels = smoothed.reshape(-1)[:mask.size].view(np.int32).reshape(mask.shape)
    structure = ndi.generate_binary_structure(mask.ndim, 1)
    n = ndi.label(mask, structure=structure, output=labels)
    faces = []
    for axis in range(mask.ndim):
        for end in (0, -1):
            face = np.take(labels, end, axis=axis).ravel()
            where = np.flatnonzero(face)
            faces.append((where.astype(np.int64), face[where].astype(np.int64)))
    return {"n": int(n), "voxels": int(np.count_nonzero(mask)), "faces": faces,
            "location": location, "cpu_s": {"read": 0.0, "count": time.thread_time() - start}}


def _release_everywhere() -> None:
    """Free the work arrays here and, on a dask.distributed cluster, on its workers."""
    release_buffers()
    try:
        from distributed import get_client

        client = get_client()
    except (ImportError, ValueError):
        return
    client.run(release_buffers)


def _chunk_regions(chunks, shape, halo):
    """For every chunk: its grid location, its slices with a margin, its core in them."""
    starts = [np.concatenate([[0], np.cumsum(c)]) for c in chunks]
    for location in np.ndindex(*[len(c) for c in chunks]):
        region, core = [], []
        for axis, i in enumerate(location):
            a, b = int(starts[axis][i]), int(starts[axis][i + 1])
            lo, hi = max(a - halo, 0), min(b + halo, shape[axis])
            region.append(slice(lo, hi))
            core.append(slice(a - lo, a - lo + (b - a)))
        yield location, tuple(region), tuple(core)


def _read_region(source, region):
    """The voxels of ``region`` of ``source``, read into this thread's reused buffer.

    A zarr array writes them straight into the buffer (``out=``); any other
    store returns a new array.
    """
    try:
        import zarr
        from zarr.core.buffer.cpu import NDBuffer
    except ImportError:  # pragma: no cover - zarr is a dependency of the book
        zarr = None
    if zarr is None or not isinstance(source, zarr.Array):
        return np.asarray(source[region])
    shape = tuple(s.stop - s.start for s in region)
    block = _BUFFERS.get("block", shape, source.dtype)
    source.get_basic_selection(region, out=NDBuffer.from_ndarray_like(block))
    return block


def _read_and_count(source, items, sigma, threshold, polarity):
    """One task: neighbouring chunks read with their margins in one go, then :func:`count_block` each.

    ``items`` are ``(location, region, core)`` of chunks that follow each
    other along the last axis. Their regions are read from the store
    together, as one box: a stored chunk that the margins of two neighbours
    reach into is read once, not twice (with chunks of 256 voxels in a store
    of 128, a chunk with its margins touches 4 x 4 x 4 stored chunks, of
    which 8 hold the chunk itself). Each chunk is then counted on its part
    of the box. The CPU time of the read is shared among the chunks.
    """
    last = len(items[0][1]) - 1
    box = items[0][1][:last] + (slice(items[0][1][last].start, items[-1][1][last].stop),)
    # zarr may read on threads of its own: count the whole process's CPU time.
    start = time.process_time()
    block = _read_region(source, box)
    read = (time.process_time() - start) / len(items)
    parts = []
    for location, region, core in items:
        inside = slice(region[last].start - box[last].start, region[last].stop - box[last].start)
        part = count_block(block[(slice(None),) * last + (inside,)], core, sigma, threshold,
                           polarity, location)
        part["cpu_s"] = {"read": read, "count": part["cpu_s"]["count"]}
        parts.append(part)
    return parts


#: Neighbouring chunks (along the last axis) that one task reads together
#: and counts in turn when the volume comes straight from a store
#: (:func:`_read_and_count`): fewer stored chunks read twice and fewer tasks
#: to schedule, against a read buffer this many times a chunk's voxels.
CHUNKS_PER_TASK = 4


def _array_source(volume):
    """The stored array behind ``dask.array.from_zarr`` (or ``from_array``), else None.

    Tasks that read their chunk *with its margin* straight from the store
    need no data from each other: nothing moves between workers and no
    worker holds more than the chunk it works on. This is possible only when
    ``volume`` is the stored array itself, not a computation on it.
    """
    graph = volume.__dask_graph__()
    layers = getattr(graph, "layers", None)
    if not layers or len(layers) != 2 or volume.name not in layers:
        return None
    (other,) = [name for name in layers if name != volume.name]
    values = list(dict(layers[other]).values()) if other.startswith("original-") else []
    if len(values) != 1:
        return None
    source = values[0]
    if (isinstance(source, np.ndarray) or not hasattr(source, "__getitem__")
            or tuple(getattr(source, "shape", ())) != tuple(volume.shape)
            or np.dtype(getattr(source, "dtype", None) or object) != volume.dtype):
        return None
    return source


def _count_parts(volume, settings):
    """Run :func:`count_block` on every chunk; an object array of the chunk results."""
    import dask
    import dask.array as da

    halo = _halo(settings)
    if any(min(c) < halo for c in volume.chunks):
        raise ValueError(f"every chunk must be at least {halo} voxels thick (the smoothing's "
                         f"margin) along each axis, got chunks {volume.chunks}")
    args = (float(settings.sigma), float(settings.threshold), settings.polarity)
    grid = tuple(len(c) for c in volume.chunks)
    source = _array_source(volume)
    if source is not None:
        # Straight from the store: independent tasks of a few neighbouring chunks each.
        read = dask.delayed(_read_and_count, pure=True)
        store = dask.delayed(source, pure=True)   # in the graph once, not in every task
        items = list(_chunk_regions(volume.chunks, volume.shape, halo))
        groups, row = [], []
        for item in items:
            if row and (item[0][:-1] != row[-1][0][:-1] or len(row) == CHUNKS_PER_TASK):
                groups.append(row)
                row = []
            row.append(item)
        groups.append(row)
        tasks = [read(store, group, *args, dask_key_name=f"count-chunks-{volume.name}-"
                      f"{'-'.join(map(str, group[0][0]))}-{len(group)}")
                 for group in groups]
        results = dask.compute(*tasks)
        out = np.empty(grid, dtype=object)
        for parts in results:
            for part in parts:
                out[part["location"]] = part
        return out
    # Any other dask array: the margins come from the neighbouring chunks.
    depth = {axis: halo for axis in range(volume.ndim)}
    padded = da.overlap.overlap(volume, depth=depth, boundary="none") if halo else volume

    def one(block, block_info=None):
        location = tuple(block_info[0]["chunk-location"])
        core = tuple(slice(0 if i == 0 else halo, block.shape[axis] - (0 if i == n - 1 else halo))
                     for axis, (i, n) in enumerate(zip(location, grid)))
        out = np.empty((1,) * block.ndim, dtype=object)
        out[(0,) * block.ndim] = count_block(block, core, *args, location)
        return out

    parts = padded.map_blocks(one, dtype=object, chunks=(1,) * volume.ndim,
                              meta=np.empty((0,) * volume.ndim, object))
    (results,) = dask.compute(parts)
    return results


def count_out_of_core(volume, settings: analysis.Settings = analysis.BONE_VOLUME) -> dict:
    """Count the objects of a volume of any size, memory bounded, across chunks.

    The same answer as ``dask_image.ndmeasure.label`` (objects that cross
    chunk borders are one object), computed so that memory and task graph
    grow only with the size of a chunk and the number of chunks:

    1. every chunk is smoothed, thresholded and labelled on its own, on the
       workers (:func:`count_block`); only its number of objects and the
       labels on its six faces come back (a few kilobytes). The smoothing
       needs a margin of each neighbouring chunk (two voxels for
       ``sigma=0.6``): for a volume read straight from a store
       (``dask.array.from_zarr``), each task reads its chunk *with* that
       margin from the store, so the tasks need nothing from each other and
       no worker ever holds more than the chunk it works on; for any other
       dask array the margins come from the neighbouring chunks
       (``dask.array.overlap``);
    2. on the client, labels that touch across each shared face are joined
       (connected components of a sparse graph, scipy), and each join
       removes one object from the sum of the chunks' counts.

    A chunk of the dask array is the unit of work: choose it large enough
    that reading the margins costs little against the work on the chunk
    (``da.from_zarr(store, chunks=(256, 256, 256))`` over a store of
    128-voxel chunks touches 64 stored chunks for the 8 it holds; a task
    reads :data:`CHUNKS_PER_TASK` neighbouring chunks together, so the
    stored chunks their margins share are read once, from the operating
    system's file cache), and small enough that a worker holds about nine
    times its bytes (the uint8 voxels of the chunks read together, a
    float32 smoothed copy that then holds the int32 labels, a mask), plus
    the reads of the store.

    Face contacts are those of ``connectivity=1`` (objects touching by a
    face); other connectivities are refused. Computes at once (on the
    current dask client, if any) and returns a dict: ``n_objects``,
    ``object_voxels``, ``n_chunks``, ``objects_in_chunks`` (the naive sum),
    ``joins``, and ``cpu_seconds``: the CPU time the tasks spent reading
    chunks from the store (``"read"``) and smoothing, thresholding and
    labelling them (``"count"``), summed over all chunks.
    """
    import scipy.sparse
    from scipy.sparse.csgraph import connected_components

    _check_volume(volume, settings)
    if settings.connectivity != 1:
        raise ValueError(f"count_out_of_core joins objects across faces only (connectivity 1), "
                         f"got connectivity={settings.connectivity}")
    try:
        results = _count_parts(volume, settings)
    finally:
        _release_everywhere()
    grid = results.shape
    flat = results.ravel()
    offsets = np.zeros(len(flat) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([part["n"] for part in flat])
    index = np.arange(len(flat)).reshape(grid)
    heads, tails = [], []
    for axis in range(volume.ndim):
        for here in np.ndindex(*grid):
            if here[axis] + 1 >= grid[axis]:
                continue
            there = list(here)
            there[axis] += 1
            a, b = flat[index[here]], flat[index[tuple(there)]]
            where_a, labels_a = a["faces"][2 * axis + 1]      # the last plane of a ...
            where_b, labels_b = b["faces"][2 * axis]          # ... touches the first of b
            common, ia, ib = np.intersect1d(where_a, where_b, assume_unique=True,
                                            return_indices=True)
            heads.append(labels_a[ia] + offsets[index[here]])
            tails.append(labels_b[ib] + offsets[index[tuple(there)]])
    total = int(offsets[-1])
    joins = 0
    if heads:
        head = np.concatenate(heads) - 1
        tail = np.concatenate(tails) - 1
        if head.size:
            nodes, inverse = np.unique(np.concatenate([head, tail]), return_inverse=True)
            k = head.size
            graph = scipy.sparse.coo_matrix((np.ones(k), (inverse[:k], inverse[k:])),
                                            shape=(nodes.size, nodes.size))
            n_groups, _ = connected_components(graph, directed=False)
            joins = int(nodes.size - n_groups)
    cpu = {step: float(sum(p["cpu_s"][step] for p in flat)) for step in ("read", "count")}
    return {"n_objects": total - joins, "object_voxels": int(sum(p["voxels"] for p in flat)),
            "n_chunks": int(len(flat)), "objects_in_chunks": total, "joins": joins,
            "cpu_seconds": cpu}
