"""The report layer: the Report model (``obc-report/1``), its row blocks and its formats.

Public entry: :func:`render` (report, format) → text, with :class:`ReportFormat`; the model
is :class:`Report`. Reads only ``data`` (money and ledger helpers), never ``rules``:

- ``model``: the Report and its sections as pydantic models; the streamed JSON.
- ``rows``: one obligation row and its JSON line, under everything that yields rows.
- ``obligation_rows``: the report's obligation rows as parts, some of them columnar.
- ``prompt_block``: prompt-payment rows held as columns, one row per invoice.
- ``explain``: ``--explain ID``, the step-by-step derivation of one identifier's figures.
- ``formats/``: text, json, junit and markdown, each only reading a finished Report.
"""

from obc_check.checker.report.formats import ReportFormat, render
from obc_check.checker.report.model import Report

__all__ = ["Report", "ReportFormat", "render"]
