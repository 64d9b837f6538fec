"""booktools.figure_fonts: the startup code the build's kernels run makes each
PNG record the smallest font its figure drew (in a fresh process, since it
patches matplotlib)."""
from __future__ import annotations

import subprocess
import sys

from booktools.figure_fonts import KERNEL_STARTUP, PNG_KEY

PROBE = '''
import io, matplotlib
matplotlib.use("agg")
import matplotlib.pyplot as plt
from IPython.core.pylabtools import print_figure
from PIL import Image
names = sorted(k for k in globals() if "qbi" in k)

def chunk(fig, **kw):
    return Image.open(io.BytesIO(print_figure(fig, "png", **kw))).info.get(KEY)

fig, axes = plt.subplots(1, 2)
axes[0].set_title("title", fontsize=14)
axes[1].axis("off")
axes[1].text(0.5, 0.5, "note", fontsize=6)        # the smallest text drawn
bare, ax = plt.subplots()
ax.imshow([[0, 1]])
ax.axis("off")                                     # hidden axes: no text at all
print(names, chunk(fig, bbox_inches="tight"), chunk(bare, bbox_inches="tight"))
'''


def test_each_png_records_its_smallest_font():
    code = KERNEL_STARTUP + f"\nKEY = {PNG_KEY!r}\n" + PROBE
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "6.00", "none"], out.stdout + out.stderr
