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
