"""Draw a payment-curve Chart as a PNG, the same bytes on every run.

matplotlib works in floats, so the exact points are converted here, for drawing only; no
figure printed in the schedule's text comes from this module. Tick labels are formatted from
the tick positions matplotlib chooses (round numbers), through the same money and percent
formatters as the text.

Reproducibility: the Agg canvas is used directly (no pyplot global state); every rcParam is
reset to matplotlib's defaults for the drawing (the "default" style), so a user's
matplotlibrc cannot change the picture; and the PNG carries no Software or date metadata.
"""

from __future__ import annotations

import io
import warnings
from decimal import Decimal
from functools import lru_cache

import matplotlib
import matplotlib.style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from obc_check.render import words
from obc_check.render.blocks import Chart

_STYLE = ("-", "--", "-.", ":")
_COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000")
def _tick(value: float) -> Decimal:
    """A tick position as a Decimal, to ten significant digits (hides float noise)."""
    return Decimal(f"{float(value):.10g}")


def _money_tick(value: float, _pos: int) -> str:
    return words.money(_tick(value))


def _percent_tick(value: float, _pos: int) -> str:
    return f"{words.plain(_tick(value))}%"


def _plain_tick(value: float, _pos: int) -> str:
    return words.plain(_tick(value))


@lru_cache(maxsize=64)
def png(chart: Chart) -> bytes:
    """The chart drawn as PNG bytes (deterministic for a given matplotlib and FreeType)."""
    with matplotlib.style.context("default"), matplotlib.rc_context({"font.size": 9}):
        fig = Figure(figsize=(6.4, 3.4), dpi=110)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        for i, series in enumerate(chart.series):
            xs = [float(x) for x, _ in series.points]
            ys = [float(y) for _, y in series.points]
            ax.plot(xs, ys, linestyle=_STYLE[i % len(_STYLE)],
                    color=_COLOURS[i % len(_COLOURS)], linewidth=1.8, label=series.label)
        for label, value in chart.marks:
            ax.axvline(float(value), color="#7f7f7f", linewidth=0.8, linestyle=":")
            ax.annotate(label, xy=(float(value), 0), xycoords=("data", "axes fraction"),
                        xytext=(3, 3), textcoords="offset points", fontsize=8, color="#595959")
        ax.set_title(chart.title)
        ax.set_xlabel(chart.x_label)
        ax.set_ylabel("Amount payable")
        ax.yaxis.set_major_formatter(FuncFormatter(_money_tick))
        ax.xaxis.set_major_formatter(
            FuncFormatter(_percent_tick if chart.percent_axis else _plain_tick))
        ax.set_ylim(bottom=0)
        ax.grid(True, linewidth=0.4, color="#d9d9d9")
        ax.legend(title="Contract Year", fontsize=8, title_fontsize=8, loc="upper left",
                  bbox_to_anchor=(1.01, 1.0), frameon=False)
        with warnings.catch_warnings():
            # Tick labels of 50-digit amounts leave no room for tight margins: matplotlib then
            # keeps its default ones and says so on stderr, which is no news for the reader.
            warnings.simplefilter("ignore", UserWarning)
            fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
