"""Count the objects of a volume larger than memory, chunk by chunk.

The analysis of :mod:`common.analysis` (smooth, threshold, label) on a
chunked dask array, for volumes that do not fit in memory (chapter 9's
lazy bone block, a zarr store on disk):

* :func:`threshold_out_of_core`: the smoothed and thresholded volume, lazy;
* :func:`label_out_of_core`: the labelled volume with dask-image (objects that
  cross chunk borders are joined; the graph grows with the square of the
  number of chunks, so for small volumes only);
* :func:`count_out_of_core`: the number of objects of a volume of any size,
  with memory and task graph bounded per chunk.

Run them on a dask.distributed client (:func:`common.study.start_client`)
to spread the chunks over workers and spill what does not fit.
"""
from __future__ import annotations

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


def _label_block(block, structure, block_info=None):
    """Label one chunk; keep only its count and what lies on its faces."""
    from scipy import ndimage as ndi

    labels, n = ndi.label(block, structure=structure)
    faces = []
    for axis in range(block.ndim):
        for end in (0, -1):
            face = np.take(labels, end, axis=axis).ravel()
            where = np.flatnonzero(face)
            faces.append((where.astype(np.int64), face[where].astype(np.int64)))
    location = tuple(block_info[0]["chunk-location"]) if block_info else None
    out = np.empty((1,) * block.ndim, dtype=object)
    out[(0,) * block.ndim] = {"n": int(n), "voxels": int(np.count_nonzero(block)),
                              "faces": faces, "location": location}
    return out


def count_out_of_core(volume, settings: analysis.Settings = analysis.BONE_VOLUME) -> dict:
    """Count the objects of a volume of any size, memory bounded, across chunks.

    The same answer as ``dask_image.ndmeasure.label`` (objects that cross
    chunk borders are one object), computed so that memory and task graph
    grow only with the size of a chunk and the number of chunks:

    1. every chunk is smoothed and thresholded (:func:`threshold_out_of_core`)
       and labelled on its own, on the workers; only its number of objects
       and the labels on its six faces come back (a few kilobytes);
    2. on the client, labels that touch across each shared face are joined
       (connected components of a sparse graph, scipy), and each join
       removes one object from the sum of the chunks' counts.

    Face contacts are those of ``connectivity=1`` (objects touching by a
    face); other connectivities are refused. Computes at once (on the
    current dask client, if any) and returns a dict: ``n_objects``,
    ``object_voxels``, ``n_chunks``, ``objects_in_chunks`` (the naive sum)
    and ``joins``.
    """
    import dask
    import scipy.sparse
    from scipy.sparse.csgraph import connected_components

    mask = threshold_out_of_core(volume, settings)
    if settings.connectivity != 1:
        raise ValueError(f"count_out_of_core joins objects across faces only (connectivity 1), "
                         f"got connectivity={settings.connectivity}")
    from scipy import ndimage as ndi

    structure = ndi.generate_binary_structure(volume.ndim, 1)
    parts = mask.map_blocks(_label_block, structure, dtype=object,
                            chunks=(1,) * volume.ndim, meta=np.empty((0,) * volume.ndim, object))
    (results,) = dask.compute(parts)
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
    return {"n_objects": total - joins, "object_voxels": int(sum(p["voxels"] for p in flat)),
            "n_chunks": int(len(flat)), "objects_in_chunks": total, "joins": joins}
