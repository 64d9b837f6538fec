"""Sphinx extension: each figure's PNG says the smallest font it draws.

The slides show the book's figures scaled to the slide, and a label is
legible from the back of a room only if it is at least 18 px high there
(issue 14). How high it is depends on the font size the figure used, the
figure's dpi and the scale the slide shows it at. The slide check
(``tests/book/slidecheck.py``) knows the last two; this extension records
the first, so the check measures instead of assuming matplotlib's 10 pt.

How: the build's Jupyter kernels start with an IPython startup file
(:data:`KERNEL_STARTUP`, in an IPython folder of the build's own under
``_build/.ipython``, named by ``IPYTHONDIR``). It wraps two matplotlib
methods in the kernel:

* ``Text.draw`` notes the size in points of every text the figure really
  draws (visible, not empty; texts of hidden axes are never drawn);
* ``FigureCanvasAgg.print_png`` writes the smallest of them into the PNG as
  the text chunk ``qbi:smallest-font-pt``, or ``none`` for a figure
  without text (``print_figure`` starts each picture with an empty list).

Nothing else changes: the pixels are the same, and the chapters' code does
not know. A PNG made without it (another build, an image file) has no such
chunk, and the check falls back to 10 pt for it, saying so.
"""
from __future__ import annotations

import os
import pathlib

#: The PNG text chunk that carries the size.
PNG_KEY = "qbi:smallest-font-pt"

#: The startup file's code, run in each kernel before the chapter's first
#: cell. It leaves no name behind in the reader's namespace.
KERNEL_STARTUP = '''\
def _qbi_record_figure_fonts():
    """Book build only (booktools/figure_fonts.py): PNGs carry their smallest font size."""
    import functools

    try:
        import matplotlib.backend_bases
        import matplotlib.figure
        import matplotlib.text
        from matplotlib.backends import backend_agg
    except ImportError:
        return
    drawn = []                        # font sizes of the texts drawn
    seen = [False]                    # whether the figure was drawn at all
    figure_draw = matplotlib.figure.Figure.draw
    text_draw = matplotlib.text.Text.draw
    print_figure = matplotlib.backend_bases.FigureCanvasBase.print_figure
    print_png = backend_agg.FigureCanvasAgg.print_png

    @functools.wraps(text_draw)
    def draw(self, renderer):
        if self.get_visible() and self.get_text().strip():
            drawn.append(float(self.get_fontsize()))
        return text_draw(self, renderer)

    @functools.wraps(figure_draw)
    def draw_figure(self, renderer):
        seen[0] = True
        return figure_draw(self, renderer)

    @functools.wraps(print_figure)
    def figure(self, *args, **kwargs):
        drawn.clear()
        seen[0] = False
        return print_figure(self, *args, **kwargs)

    @functools.wraps(print_png)      # matplotlib reads the module of print methods
    def png(self, *args, metadata=None, **kwargs):
        # With bbox_inches="tight" (IPython's inline default), print_figure
        # draws the figure before this call, and `drawn` has its texts; a
        # figure drawn without any text says "none".
        if seen[0]:
            metadata = dict(metadata or {})
            metadata.setdefault("%s", f"{min(drawn):.2f}" if drawn else "none")
        return print_png(self, *args, metadata=metadata, **kwargs)

    matplotlib.text.Text.draw = draw
    matplotlib.figure.Figure.draw = draw_figure
    matplotlib.backend_bases.FigureCanvasBase.print_figure = figure
    backend_agg.FigureCanvasAgg.print_png = png


_qbi_record_figure_fonts()
del _qbi_record_figure_fonts
''' % PNG_KEY


def ipython_dir(outdir: pathlib.Path) -> pathlib.Path:
    """The build's IPython folder, beside the HTML (``_build/.ipython``)."""
    return pathlib.Path(outdir).parent / ".ipython"


def install(outdir: pathlib.Path) -> pathlib.Path:
    """Write the startup file and point this process's kernels at it."""
    folder = ipython_dir(outdir)
    startup = folder / "profile_default" / "startup" / "00-qbi-figure-fonts.py"
    startup.parent.mkdir(parents=True, exist_ok=True)
    if not startup.exists() or startup.read_text(encoding="utf-8") != KERNEL_STARTUP:
        startup.write_text(KERNEL_STARTUP, encoding="utf-8")
    os.environ["IPYTHONDIR"] = str(folder)
    return folder


def _on_builder_inited(app) -> None:
    install(pathlib.Path(app.outdir))


def setup(app):
    # Before booktools.parallel_execute starts any kernel (env-before-read-docs).
    app.connect("builder-inited", _on_builder_inited)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
