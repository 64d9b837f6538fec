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


# --- Graphs (task graphs, workflows): chapters 7 and 8 -----------------------

import graphlib  # noqa: E402
import hashlib  # noqa: E402
import html  # noqa: E402
import re  # noqa: E402

# Light fills that stay distinguishable with the common colour-vision
# deficiencies (Okabe-Ito hues, lightened so black labels stay readable).
GRAPH_FILLS = ("#f6d68a", "#9fd4f0", "#8fd6bd", "#f0b98a", "#c8a8d6",
               "#f2ee9b", "#a9c4e6", "#e6a6c4")


class InlineSVG:
    """An SVG drawing that the HTML book embeds in the page itself.

    Jupyter shows it like any SVG image; in the HTML book its markup goes
    straight into the page (no separate image file), with ``alt`` as its
    accessible name. Other outputs (e.g. LaTeX) fall back to the SVG image.
    """

    def __init__(self, svg, alt):
        self.svg = svg
        self.alt = alt

    def _repr_svg_(self):
        return self.svg

    def _repr_html_(self):
        return f'<div class="qbi-inline-svg">{self.svg}</div>'


def inline_svg(drawing, alt):
    """Return ``drawing`` as an :class:`InlineSVG` with accessible name ``alt``.

    ``drawing`` is a ``graphviz`` graph (``graphviz.Digraph``, ``Graph`` or
    ``Source``), an object with SVG text in ``.data`` or ``_repr_svg_()``
    (e.g. what ``dask``'s ``visualize(filename=None, format="svg")``
    returns), or a string of SVG markup. The XML prolog is removed, the
    element ids get a prefix unique to this drawing (several drawings can
    share one HTML page) and the picture scales down to the page width.
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"inline_svg needs a non-empty alt text describing the picture, got {alt!r}")
    if hasattr(drawing, "pipe") and hasattr(drawing, "source"):
        svg = drawing.pipe(format="svg", encoding="utf-8")
    elif isinstance(getattr(drawing, "data", None), str):
        svg = drawing.data
    elif hasattr(drawing, "_repr_svg_"):
        svg = drawing._repr_svg_()
    elif isinstance(drawing, str):
        svg = drawing
    else:
        raise TypeError(
            "inline_svg draws a graphviz graph, an IPython/dask SVG object or SVG text, "
            f"got {type(drawing).__name__}"
        )
    start = svg.find("<svg") if isinstance(svg, str) else -1
    if start < 0:
        raise ValueError(f"inline_svg found no <svg> element in the drawing (starts with {str(svg)[:40]!r})")
    svg = re.sub(r"<!--.*?-->", "", svg[start:], flags=re.S).strip()
    prefix = "g" + hashlib.sha256(svg.encode("utf-8")).hexdigest()[:8] + "-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r'(href="#|url\(#)([^")]+)', lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg)
    label = html.escape(alt.strip(), quote=True)
    # graphviz titles the picture with its internal name (e.g. "%3")
    svg = re.sub(r"<title>[^<]*</title>", f"<title>{label}</title>", svg, count=1)
    svg = svg.replace(
        "<svg",
        f'<svg role="img" aria-label="{label}" style="max-width:100%;height:auto"',
        1,
    )
    return InlineSVG(svg, alt.strip())


def draw_dag(dependencies, *, groups=None, labels=None, rankdir="LR"):
    """Draw a workflow, given as ``{step: [steps it needs], ...}``, with graphviz.

    Every step becomes a box and every dependency an arrow from the step that
    is needed to the step that needs it. Steps named only as prerequisites
    are added as well. Steps are declared in the order they first appear
    (graphviz keeps that order within a rank). ``groups`` maps steps to a
    group name: steps of one group share a fill colour (in order of first
    appearance), steps without a group stay white. ``labels`` maps steps to
    the text shown in the box (default: the step's name). ``rankdir`` is graphviz's drawing direction
    ("LR", "TB", "RL" or "BT"). Raises ``ValueError`` for a cycle, for
    unknown steps in ``groups`` or ``labels``, or for a bad ``rankdir``.
    Returns the ``graphviz.Digraph`` (wrap it in :func:`inline_svg` to show).
    """
    import graphviz

    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be one of 'LR', 'TB', 'RL', 'BT', got {rankdir!r}")
    if not hasattr(dependencies, "items"):
        raise TypeError(
            f"dependencies must be a mapping step -> list of steps it needs, got {type(dependencies).__name__}"
        )
    sorter = graphlib.TopologicalSorter()
    for step, needs in dependencies.items():
        if isinstance(needs, str):
            raise TypeError(f"the steps that {step!r} needs must be a list, got the string {needs!r}")
        sorter.add(step, *needs)
    try:
        sorter.prepare()
    except graphlib.CycleError as err:
        raise ValueError(f"a workflow must not contain loops, found the cycle {err.args[1]}") from None
    # graphviz keeps the order in which nodes are declared within a rank:
    # declare them as they first appear in `dependencies` (stable, readable)
    order = []
    for step, needs in dependencies.items():
        for name in (*needs, step):
            if name not in order:
                order.append(name)
    groups = dict(groups or {})
    labels = dict(labels or {})
    for name, mapping in (("groups", groups), ("labels", labels)):
        unknown = sorted(set(mapping) - set(order), key=str)
        if unknown:
            raise ValueError(f"{name} names steps that are not in the workflow: {unknown}")
    fills = {}
    for step in order:
        group = groups.get(step)
        if group is not None and group not in fills:
            fills[group] = GRAPH_FILLS[len(fills) % len(GRAPH_FILLS)]
    graph = graphviz.Digraph(
        # ordering=out keeps each step's arrows in their declared order
        graph_attr={"rankdir": rankdir, "bgcolor": "white", "ordering": "out"},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica",
                   "fillcolor": "white"},
    )
    # graphviz reads "a:b" as node a, port b: use plain ids, names as labels
    ids = {step: f"n{i}" for i, step in enumerate(order)}
    for step in order:
        fill = fills.get(groups.get(step), "white")
        graph.node(ids[step], str(labels.get(step, step)), fillcolor=fill)
    for step, needs in dependencies.items():
        for need in needs:
            graph.edge(ids[need], ids[step])
    return graph
