"""Collecting the loader's diagnostics: every error of a bundle, each at its cell.

Validation code says *what* is wrong with which row and column of a table; this collector
turns that into a :class:`Diagnostic` whose span and wording come from the table's
:class:`Origin` (CSV line and character column, workbook cell, JSON position). Keeping the
wording of positions in one place keeps the messages of the three formats alike.
"""

from __future__ import annotations

from obc_check.checker.data.origins import Origin
from obc_check.diagnostics import Diagnostic, Severity


class Problems:
    """The diagnostics of one bundle load, in the order they were found."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.errors = 0

    def file(self, file: str, code: str, message: str, hint: str | None = None,
             severity: Severity = "error") -> None:
        """A problem with a whole file (or the bundle path itself)."""
        self._add(Diagnostic(code, message, None, hint, severity, file=file))

    def at(self, origin: Origin, row: int, column: str | None, code: str, message: str,
           hint: str | None = None, severity: Severity = "error") -> None:
        """A problem with one cell (``column``) or a whole row (``column`` None)."""
        text = f"{origin.where(row, column)}: {message}"
        self._add(Diagnostic(code, text, origin.span(row, column), hint, severity,
                             file=origin.file))

    def table(self, origin: Origin, code: str, message: str, hint: str | None = None,
              severity: Severity = "error", column: str | None = None) -> None:
        """A problem with a table as a whole, or with its header (``column`` in it)."""
        self._add(Diagnostic(code, message, origin.span(0, column), hint, severity,
                             file=origin.file))

    def _add(self, diag: Diagnostic) -> None:
        self.diagnostics.append(diag)
        if diag.severity == "error":
            self.errors += 1
