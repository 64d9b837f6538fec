"""Counting a volume larger than memory, chunk by chunk (common.out_of_core)."""
import pytest

from common import analysis, out_of_core, study


@pytest.fixture(scope="module")
def client():
    """Two worker threads in this process: quick to start, enough to test."""
    with study.start_client(n_workers=2, processes=False, dashboard=False) as c:
        yield c

def test_counting_across_chunks_agrees_with_dask_image_and_the_truth(client):
    from common.data.cohort import bone_block, bone_block_cells

    shape = (56, 96, 96)
    volume = bone_block(shape, chunks=(28, 48, 48), seed=4)
    counted = out_of_core.count_out_of_core(volume)
    truth = bone_block_cells(shape, seed=4)
    assert counted["n_objects"] == truth
    assert counted["n_chunks"] == 8
    assert counted["objects_in_chunks"] > truth            # cut cells counted twice
    assert counted["objects_in_chunks"] - counted["joins"] == truth
    # dask-image's label (its task graph grows fast with the number of chunks)
    labels, n = out_of_core.label_out_of_core(volume.rechunk((56, 48, 96)))
    assert int(n.compute()) == truth
    whole = analysis.smooth(volume.compute(), analysis.BONE_VOLUME.sigma) > analysis.BONE_VOLUME.threshold
    assert counted["object_voxels"] == int(whole.sum())
    mask = out_of_core.threshold_out_of_core(volume)
    assert mask.dtype == bool and mask.chunks == volume.chunks


@pytest.mark.parametrize("kwargs, error, message", [
    ({"volume": "not dask"}, TypeError, "volume must be a dask array .* got str"),
    ({"settings": analysis.BONE_VOLUME.replace(threshold="otsu")}, ValueError,
     "threshold must be a number for a volume out of core"),
    ({"settings": analysis.BONE_VOLUME.replace(connectivity=2)}, ValueError,
     "joins objects across faces only"),
    ({"settings": "fast"}, TypeError, "settings must be a common.analysis.Settings, got str"),
])
def test_bad_out_of_core_arguments(kwargs, error, message):
    import dask.array as da

    arguments = {"volume": da.zeros((32, 32, 32), chunks=16, dtype="uint8"),
                 "settings": analysis.BONE_VOLUME}
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        out_of_core.count_out_of_core(arguments["volume"], arguments["settings"])


def test_a_1d_volume_is_refused():
    import dask.array as da

    with pytest.raises(ValueError, match=r"volume must be 2D or 3D, got shape \(10,\)"):
        out_of_core.label_out_of_core(da.zeros(10, chunks=5))


@pytest.mark.parametrize("chunks", [(28, 48, 48), (56, 96, 96), (20, 33, 50)])
def test_counting_straight_from_a_store_agrees_with_the_overlap_path(client, tmp_path, chunks):
    """Tasks that read their chunk with its margin from zarr give the same answer."""
    import dask.array as da
    import zarr

    from common.data.cohort import bone_block, bone_block_cells

    shape = (56, 96, 96)
    lazy = bone_block(shape, chunks=(28, 48, 48), seed=4)
    store = zarr.create_array(store=str(tmp_path / "block.zarr"), shape=shape, chunks=(28, 48, 48),
                              dtype="uint8", compressors=None)
    da.store(lazy, store, lock=False)
    on_disk = da.from_zarr(str(tmp_path / "block.zarr"), chunks=chunks)
    assert out_of_core._array_source(on_disk) is not None          # the direct path
    assert out_of_core._array_source(on_disk[:40]) is None          # a computation on it
    assert out_of_core._array_source(lazy) is None
    direct = out_of_core.count_out_of_core(on_disk)
    overlapped = out_of_core.count_out_of_core(lazy.rechunk(chunks))
    assert direct.pop("cpu_seconds")["read"] > 0 and overlapped.pop("cpu_seconds")["read"] == 0
    assert direct == overlapped
    assert direct["n_objects"] == bone_block_cells(shape, seed=4)
    assert direct["n_chunks"] == on_disk.npartitions
    whole = analysis.smooth(lazy.compute(), analysis.BONE_VOLUME.sigma) > analysis.BONE_VOLUME.threshold
    assert direct["object_voxels"] == int(whole.sum())


@pytest.mark.parametrize("per_task", [1, 3, 4, 100])
def test_tasks_of_several_chunks_count_the_same(client, tmp_path, monkeypatch, per_task):
    """Neighbouring chunks read together in one task (rows split or whole) change nothing."""
    import dask.array as da
    import zarr

    from common.data.cohort import bone_block, bone_block_cells

    shape = (40, 48, 96)
    lazy = bone_block(shape, chunks=(20, 24, 24), seed=5)
    store = zarr.create_array(store=str(tmp_path / "row.zarr"), shape=shape, chunks=(20, 24, 24),
                              dtype="uint8", compressors=None)
    da.store(lazy, store, lock=False)
    on_disk = da.from_zarr(str(tmp_path / "row.zarr"), chunks=(20, 24, 12))   # rows of 8 chunks
    monkeypatch.setattr(out_of_core, "CHUNKS_PER_TASK", per_task)
    direct = out_of_core.count_out_of_core(on_disk)
    overlapped = out_of_core.count_out_of_core(lazy.rechunk((20, 24, 12)))
    direct.pop("cpu_seconds"), overlapped.pop("cpu_seconds")
    assert direct == overlapped and direct["n_chunks"] == 2 * 2 * 8
    assert direct["n_objects"] == bone_block_cells(shape, seed=5)


@pytest.mark.parametrize("settings", [analysis.BONE_VOLUME.replace(sigma=0.0),
                                      analysis.BONE_VOLUME.replace(sigma=1.2),
                                      analysis.BONE_VOLUME.replace(polarity="dark", threshold=40)])
def test_count_block_matches_the_whole_volume_for_other_settings(client, settings):
    """Margins follow sigma; dark objects; the same as labelling the whole volume."""
    from scipy import ndimage as ndi

    from common.data.cohort import bone_block

    volume = bone_block((56, 64, 64), chunks=(28, 32, 32), seed=2)
    counted = out_of_core.count_out_of_core(volume, settings)
    smoothed = analysis.smooth(volume.compute(), settings.sigma)
    mask = smoothed > settings.threshold if settings.polarity == "bright" else smoothed < settings.threshold
    assert counted["n_objects"] == ndi.label(mask)[1]
    assert counted["object_voxels"] == int(mask.sum())


def test_work_arrays_are_reused_and_released():
    import numpy as np

    block = np.zeros((20, 20, 20), np.uint8)
    core = (slice(2, 18),) * 3
    out_of_core.count_block(block, core, 0.6, 110, "bright")
    first = out_of_core._BUFFERS.get("smoothed", (20, 20, 20), np.float32)
    out_of_core.count_block(block, core, 0.6, 110, "bright")
    assert np.shares_memory(out_of_core._BUFFERS.get("smoothed", (20, 20, 20), np.float32), first)
    # A smaller chunk (at a face of the volume) reuses the same memory.
    smaller = out_of_core._BUFFERS.get("smoothed", (10, 12, 14), np.float32)
    assert smaller.shape == (10, 12, 14) and np.shares_memory(smaller, first)
    # A larger one replaces it.
    larger = out_of_core._BUFFERS.get("smoothed", (21, 20, 20), np.float32)
    assert larger.shape == (21, 20, 20) and not np.shares_memory(larger, first)
    out_of_core.release_buffers()
    assert not out_of_core._BUFFERS._arrays


def test_zarr_chunks_are_read_into_the_reused_buffer(tmp_path):
    import numpy as np
    import zarr

    values = np.random.default_rng(3).integers(0, 255, (40, 40, 40), dtype=np.uint8)
    stored = zarr.create_array(store=str(tmp_path / "v.zarr"), shape=values.shape,
                               chunks=(16, 16, 16), dtype="uint8", compressors=None)
    stored[...] = values
    region = (slice(3, 35), slice(0, 17), slice(10, 40))
    block = out_of_core._read_region(stored, region)
    assert np.array_equal(block, values[region])
    assert np.shares_memory(block, out_of_core._BUFFERS.get("block", block.shape, np.uint8))
    # Anything else that can be sliced is read as it is.
    assert np.array_equal(out_of_core._read_region(values, region), values[region])
    out_of_core.release_buffers()


def test_chunks_thinner_than_the_margin_are_refused():
    import dask.array as da

    with pytest.raises(ValueError, match="at least 2 voxels thick"):
        out_of_core.count_out_of_core(da.zeros((32, 32, 32), chunks=(1, 16, 16), dtype="uint8"))
