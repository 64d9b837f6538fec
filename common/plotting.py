"""Plotting helpers that more than one chapter needs.

Only plumbing lives here: the lesson of a chapter stays in the chapter. Every
helper draws on a Matplotlib ``Axes`` it is given (or creates one) and returns
what it drew, so a chapter can adjust the result.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def show_image(image, ax=None, *, cmap="gray", title=None, colorbar=True,
               label=None, **imshow_kwargs):
    """Show a 2D image with square pixels and, by default, a colour bar.

    ``label`` names the quantity on the colour bar (with its unit); the axes
    keep pixel coordinates so a reader can locate features. Returns the
    ``AxesImage``.
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(f"show_image needs a 2D image (or 2D RGB), got shape {image.shape}")
    if ax is None:
        _, ax = plt.subplots()
    shown = ax.imshow(image, cmap=cmap, interpolation="nearest", **imshow_kwargs)
    if title:
        ax.set_title(title)
    if colorbar and image.ndim == 2:
        bar = ax.figure.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
        if label:
            bar.set_label(label)
    return shown
