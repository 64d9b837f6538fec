import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from common.plotting import show_image  # noqa: E402


def test_show_image_draws_image_and_labelled_colorbar():
    fig, ax = plt.subplots()
    shown = show_image(np.arange(12).reshape(3, 4), ax, label="counts")
    assert shown.get_array().shape == (3, 4)
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel() == "counts"
    plt.close(fig)


def test_show_image_rejects_1d_data():
    with pytest.raises(ValueError, match=r"2D image .* got shape \(5,\)"):
        show_image(np.zeros(5))
