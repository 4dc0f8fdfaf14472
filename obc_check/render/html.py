"""The schedule as one self-contained HTML page (inline CSS, charts as base64 PNG).

Laid out by a jinja2 template shipped as package data, with autoescaping on, so an
author's text can never inject markup. The page has a print stylesheet (A4, headings kept
with what follows, tables not split) because legal review often happens on paper.
"""

from __future__ import annotations

import base64

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from obc_check.render import charts
from obc_check.render.blocks import Block, Chart, Document, Para, Section, Table, depth

CHART_WIDTH = 704
CHART_HEIGHT = 374


def _kind(block: Block) -> str:
    if isinstance(block, Section):
        return "section"
    if isinstance(block, Para):
        return "para"
    return "table" if isinstance(block, Table) else "figure"


def _heading_level(number: str) -> int:
    return min(depth(number) + 1, 6)


def _png_base64(chart: Chart) -> str:
    return base64.b64encode(charts.png(chart)).decode("ascii")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("obc_check.render", "templates"),
        autoescape=select_autoescape(["html", "html.j2"], default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["kind"] = _kind
    env.filters["heading_level"] = _heading_level
    env.filters["png_base64"] = _png_base64
    return env


def to_html(document: Document) -> str:
    """The whole document as an HTML page."""
    template = _environment().get_template("schedule.html.j2")
    return template.render(doc=document, chart_width=CHART_WIDTH, chart_height=CHART_HEIGHT)
