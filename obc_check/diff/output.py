"""Changes → text (the terminal), markdown (a pull-request comment) or JSON (tools).

The text and markdown forms read like a reviewer's note: what changed, in contract words, with
the effect for the provider first so that stricter terms stand out, grouped by section, and
the pot per year last.
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal

from obc_check.diff.changes import SECTION_TITLES, Change, Changes, PotYear
from obc_check.render.markdown import escape


def describe(c: Change) -> str:
    """One change as a sentence fragment: ``indicator EIP14 target in year 2: 65% → 70%``."""
    where = f" in year {c.year} ({c.year_label})" if c.year is not None else ""
    field = f" {c.field}" if c.field else ""
    if c.subject == "contract" and c.field:  # contract-level settings read without a subject
        return _setting(c, where)
    if c.field == "text" and c.kind == "changed":
        return f"{c.subject} text changed"
    if is_definition(c):  # the wording in full, on the lines below (definition_lines)
        return f"{c.subject}{field}{where} {c.kind}"
    if c.kind == "added":
        what = f"{field}{where} added" if c.field else " added"
        return f"{c.subject}{what}: {_one_line(c.new)}"
    if c.kind == "removed":
        what = f"{field}{where} removed" if c.field else " removed"
        return f"{c.subject}{what} (was {_one_line(c.old)})"
    if c.field == "id":
        return f"{c.subject} renamed {c.new}"
    return f"{c.subject}{field}{where}: {_one_line(c.old)} → {_one_line(c.new)}"


def _setting(c: Change, where: str) -> str:
    """A contract-level setting: ``outcome_payment in year 3 (2017/18): 15% → 20%``."""
    if c.kind == "added":
        return f"{c.field}{where} added: {_one_line(c.new)}"
    if c.kind == "removed":
        return f"{c.field}{where} removed (was {_one_line(c.old)})"
    if c.field == "text":
        return "contract text changed"
    return f"{c.field}{where}: {_one_line(c.old)} → {_one_line(c.new)}"


def text_diff(c: Change) -> list[str]:
    """The lines a text change removes (``-``) and adds (``+``)."""
    if c.field != "text" or c.kind != "changed":
        return []
    old = (c.old or "").splitlines()
    new = (c.new or "").splitlines()
    return [line for line in difflib.unified_diff(old, new, lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def is_definition(c: Change) -> bool:
    """A measure's definition or a dataset added or removed: shown whole, never cut short.

    Which records count is the point of such a change (RECORDS.md), so the old and the new
    wording are given in full, each on its own line, as render words them.
    """
    return c.field == "measure" or c.field.startswith("measure ") or (
        c.section == "datasets" and not c.field)


def definition_lines(c: Change) -> list[str]:
    """``was: …`` and ``now: …`` for a definition change (see :func:`is_definition`)."""
    if not is_definition(c):
        return []
    lines = [] if c.old is None else [f"was: {' '.join(c.old.split())}"]
    return lines + ([] if c.new is None else [f"now: {' '.join(c.new.split())}"])


def _one_line(value: str | None) -> str:
    text = " ".join((value or "").split())
    return text if len(text) <= 80 else text[:77] + "..."


def _heading(ch: Changes) -> str:
    o, n = ch.old, ch.new
    name = o.id if o.id == n.id else f"{o.id} → {n.id}"
    return f"{name} version {o.version} → {n.version}"


def _summary(ch: Changes) -> str:
    s = ch.summary
    n = len(ch.changes)
    breaks = (f"; {s.breaks_data} break{'s' if s.breaks_data == 1 else ''} existing data"
              if s.breaks_data else "")
    return (f"{n} change{'s' if n != 1 else ''} for the provider: {s.stricter} stricter, "
            f"{s.looser} looser, {s.neutral} neutral{breaks}")


def label(c: Change) -> str:
    """The effect column: a change that breaks existing data says so first."""
    return "data-breaking" if c.breaks_data else c.effect


def _why(c: Change) -> str:
    """The rule; for a data-breaking change also its effect for the provider, if any."""
    if c.breaks_data and c.effect != "neutral":
        return f"{c.effect} for the provider: {c.why}"
    return c.why


def _money(v: str | None) -> str:
    if v is None:
        return "none"
    d = Decimal(v)
    return f"£{d:,.2f}"


def _delta(p: PotYear) -> str:
    d = Decimal(p.change)
    if d == 0:
        return "no change"
    sign = "+" if d > 0 else "−"
    return f"{sign}£{d.copy_abs():,.2f} ({p.effect})"


def to_text(ch: Changes) -> str:
    """The plain-text form for a terminal."""
    lines = [_heading(ch)]
    if ch.empty:
        lines.append("no changes")
        return "\n".join(lines) + "\n"
    lines.append(_summary(ch))
    width = max(len(label(c)) for c in ch.changes)
    for section, title in SECTION_TITLES.items():
        found = [c for c in ch.changes if c.section == section]
        if not found:
            continue
        lines += ["", title]
        for c in found:
            lines.append(f"  {label(c).ljust(width)}  {describe(c)}")
            lines += [f"  {' ' * width}    {line}" for line in text_diff(c)]
            lines += [f"  {' ' * width}    {line}" for line in definition_lines(c)]
            # a funding change is neutral for the provider; its reason says whom it binds; a
            # definition's says why its effect cannot be told
            if (c.effect != "neutral" or c.field == "pays" or c.breaks_data
                    or c.section == "funding" or is_definition(c)):
                lines.append(f"  {' ' * width}  ({_why(c)})")
    if ch.pot:
        lines += ["", "Maximum outcome payment (the pot) per year"]
        for p in ch.pot:
            lines.append(f"  year {p.year} ({p.year_label}): {_money(p.old)} → {_money(p.new)}"
                         f"  {_delta(p)}")
    return "\n".join(lines) + "\n"


def to_markdown(ch: Changes) -> str:
    """The markdown form, e.g. for a pull-request comment."""
    lines = [f"## {_heading(ch)}", ""]
    if ch.empty:
        return "\n".join([*lines, "No changes.", ""])
    lines += [_summary(ch) + ".", ""]
    for section, title in SECTION_TITLES.items():
        found = [c for c in ch.changes if c.section == section]
        if not found:
            continue
        lines += [f"### {title}", "", "| for the provider | change | why |", "|---|---|---|"]
        for c in found:
            effect = f"**{label(c)}**" if label(c) != "neutral" else c.effect
            shown = "<br>".join([_cell(describe(c)), *(_code(t) for t in text_diff(c)),
                                 *(_cell(t) for t in definition_lines(c))])
            lines.append(f"| {effect} | {shown} | {_cell(_why(c))} |")
        lines.append("")
    if ch.pot:
        lines += ["### Maximum outcome payment (the pot) per year", "",
                  "| year | old | new | change |", "|---|---:|---:|---|"]
        for p in ch.pot:
            lines.append(f"| {p.year} ({p.year_label}) | {_money(p.old)} | {_money(p.new)} | "
                         f"{_delta(p)} |")
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Author text (titles, values) in a table cell: its markup characters escaped."""
    return escape(text).replace("|", "\\|")


def _code(text: str) -> str:
    """A line of text as one code span, fenced with more backticks than it holds in a row."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    cell = text.replace("|", "\\|")  # GFM splits cells at `|` even inside a code span
    return f"{fence}{pad}{cell}{pad}{fence}"


def to_json(ch: Changes) -> str:
    """The JSON form (schema ``obc-diff/1``)."""
    return ch.model_dump_json(indent=2, by_alias=True) + "\n"
