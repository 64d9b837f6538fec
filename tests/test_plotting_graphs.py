"""Tests of the graph helpers in common.plotting (chapters 7 and 8)."""
import re

import pytest

from common.plotting import GRAPH_FILLS, InlineSVG, draw_dag, inline_svg

SOUP = {"chop": ["buy"], "boil": ["heat"], "serve": ["chop", "boil"]}


def fills_of(graph):
    """Map each node label to its fill colour, read from the DOT source."""
    found = re.findall(r'\bn\d+ \[label=(\S+) fillcolor="?([#\w]+)"?\]', graph.source)
    return dict(found)


def test_draw_dag_adds_prerequisites_and_edges():
    graph = draw_dag(SOUP)
    fills = fills_of(graph)
    assert set(fills) == {"chop", "buy", "boil", "heat", "serve"}
    assert graph.source.count("->") == 4
    assert set(fills.values()) == {"white"}


def test_draw_dag_colours_groups_in_order_and_leaves_others_white():
    graph = draw_dag(SOUP, groups={"buy": "veg", "chop": "veg", "heat": "water"})
    fills = fills_of(graph)
    assert fills["buy"] == fills["chop"]
    assert {fills["buy"], fills["heat"]} == set(GRAPH_FILLS[:2])
    assert fills["serve"] == "white" and fills["boil"] == "white"


def test_draw_dag_uses_labels_and_survives_colons_in_names():
    graph = draw_dag({"step: two": ["step: one"]}, labels={"step: one": "first"})
    svg = graph.pipe(format="svg", encoding="utf-8")
    assert "first" in svg and "step: two" in svg
    assert svg.count('class="edge"') == 1


def test_draw_dag_rejects_cycles():
    with pytest.raises(ValueError, match="must not contain loops.*cycle"):
        draw_dag({"a": ["b"], "b": ["a"]})


def test_draw_dag_rejects_unknown_steps_in_groups_and_labels():
    with pytest.raises(ValueError, match=r"groups names steps .* \['nope'\]"):
        draw_dag(SOUP, groups={"nope": 1})
    with pytest.raises(ValueError, match=r"labels names steps .* \['nope'\]"):
        draw_dag(SOUP, labels={"nope": "x"})


def test_draw_dag_rejects_bad_rankdir_and_bad_dependencies():
    with pytest.raises(ValueError, match="rankdir must be one of .* got 'UP'"):
        draw_dag(SOUP, rankdir="UP")
    with pytest.raises(TypeError, match="must be a mapping .* got list"):
        draw_dag([("a", "b")])
    with pytest.raises(TypeError, match="must be a list, got the string 'buy'"):
        draw_dag({"chop": "buy"})


def test_inline_svg_embeds_markup_with_accessible_name_and_unique_ids():
    shown = inline_svg(draw_dag(SOUP), "a soup & its steps")
    assert isinstance(shown, InlineSVG)
    page = shown._repr_html_()
    assert page.startswith('<div class="qbi-inline-svg"><svg role="img"')
    assert 'aria-label="a soup &amp; its steps"' in page
    assert "<?xml" not in page and "<!--" not in page
    assert "<title>a soup &amp; its steps</title>" in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert ids and len({i.split("-")[0] for i in ids}) == 1
    other = inline_svg(draw_dag({"x": ["y"]}), "another graph")._repr_html_()
    assert not set(ids) & set(re.findall(r'\bid="([^"]+)"', other))
    assert shown._repr_svg_().startswith("<svg")


def test_inline_svg_accepts_svg_objects_and_text():
    class Like:  # what dask's visualize(filename=None, format="svg") returns
        data = '<?xml version="1.0"?><svg width="1pt"><g id="a"/></svg>'

    assert 'id="g' in inline_svg(Like(), "dot")._repr_html_()
    assert inline_svg("<svg></svg>", "empty").svg.startswith('<svg role="img"')


def test_inline_svg_rejects_bad_input():
    with pytest.raises(ValueError, match="non-empty alt text"):
        inline_svg("<svg></svg>", "  ")
    with pytest.raises(TypeError, match="got int"):
        inline_svg(42, "a number")
    with pytest.raises(ValueError, match="no <svg> element"):
        inline_svg("<png/>", "not svg")


def test_draw_dag_declares_steps_in_order_of_first_appearance():
    graph = draw_dag({"y": ["h2", "h1"], "h1": ["x"], "h2": ["x"]})
    declared = re.findall(r"\bn\d+ \[label=(\S+)", graph.source)
    assert declared == ["h2", "h1", "y", "x"]
    assert "ordering=out" in graph.source
