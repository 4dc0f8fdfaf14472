"""Text tables with column widths given to rich print exactly as rich measuring them itself.

``formats.text._print_table`` works out the column widths of plain tables (rich would
otherwise measure every cell before rendering it); whatever the cells, the output must be
the one rich gives on its own.
"""

from __future__ import annotations

import io
import random

import pytest
from rich.console import Console
from rich.text import Text

from obc_check.checker.report.formats import text

CELLS = ["", "a", "2015/16", "£1,234,567.89", "–", "≥ 70%", "BREACHED", "not due",
         "中文", "é", "x" * 30, "a rather long cell with several words in it", "[b]bold[/b]",
         "[", "tab\there", "two\nlines", "…"]


def _console(buf: io.StringIO, width: int) -> Console:
    return Console(file=buf, width=width, force_terminal=False, no_color=True,
                   color_system=None, highlight=False, emoji=False, legacy_windows=False)


def _print(rows: list[list[str | Text]], header: list[str], tight: bool, width: int,
           fixed: bool) -> tuple[str, list[int | None]]:
    buf = io.StringIO()
    console = _console(buf, width)
    table = text._table("Title", *header, right=(1,), tight=tight)
    for row in rows:
        table.add_row(*row)
    if fixed:
        text._print_table(console, table)
    else:
        console.print(table)
    return buf.getvalue(), [c.width for c in table.columns]


@pytest.mark.parametrize("seed", range(60))
def test_fixed_widths_print_as_rich_measures(seed: int) -> None:
    rng = random.Random(seed)
    plain = seed % 2 == 0  # half the tables plain (widths given), half anything
    pool = [c for c in CELLS if c.isprintable() and "[" not in c and len(c) < 20] \
        if plain else CELLS
    ncols = rng.randint(1, 7)
    header = [rng.choice(["Year", "Status", "Value", "", "Withheld"]) for _ in range(ncols)]
    rows: list[list[str | Text]] = []
    for _ in range(rng.randint(0, 6)):
        row: list[str | Text] = [rng.choice(pool) for _ in range(ncols)]
        if rng.random() < 0.5:
            row[0] = Text(rng.choice(pool), style="bold red")
        rows.append(row)
    tight = rng.random() < 0.5
    width = rng.choice([30, 60, 80, 120])
    measured, _ = _print(rows, header, tight, width, fixed=False)
    given, _ = _print(rows, header, tight, width, fixed=True)
    assert given == measured


def test_a_plain_table_that_fits_gets_its_widths_given() -> None:
    out, widths = _print([["2015/16", "£1.00"], ["Total", Text("£10.00", style="bold")]],
                         ["Year", "Paid"], tight=False, width=80, fixed=True)
    assert widths == [7, 6]
    assert out == _print([["2015/16", "£1.00"], ["Total", Text("£10.00", style="bold")]],
                         ["Year", "Paid"], tight=False, width=80, fixed=False)[0]


def test_a_table_too_wide_is_left_to_rich() -> None:
    rows: list[list[str | Text]] = [["x" * 50, "y" * 50]]
    out, widths = _print(rows, ["A", "B"], tight=False, width=80, fixed=True)
    assert widths == [None, None]
    assert out == _print(rows, ["A", "B"], tight=False, width=80, fixed=False)[0]
