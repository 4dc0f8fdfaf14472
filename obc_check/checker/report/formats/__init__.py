"""The report's output formats: text (rich tables), json, junit and markdown.

Each format only reads a finished :class:`~obc_check.checker.report.model.Report`; figures and
totals come from it alone, so the formats cannot disagree.
"""

from __future__ import annotations

from enum import StrEnum

from obc_check.checker.report.formats.junit import render_junit
from obc_check.checker.report.formats.markdown import render_markdown
from obc_check.checker.report.formats.text import render_text
from obc_check.checker.report.model import Report


class ReportFormat(StrEnum):
    """The formats of ``obc-check check --format``."""

    text = "text"
    json = "json"
    junit = "junit"
    markdown = "markdown"


def render(report: Report, fmt: ReportFormat, *, color: bool = False, width: int = 80) -> str:
    """The report in one format (``color`` and ``width`` matter to text only)."""
    if fmt is ReportFormat.json:
        return report.to_json()
    if fmt is ReportFormat.junit:
        return render_junit(report)
    if fmt is ReportFormat.markdown:
        return render_markdown(report)
    return render_text(report, color=color, width=width)


__all__ = ["ReportFormat", "render", "render_junit", "render_markdown", "render_text"]
