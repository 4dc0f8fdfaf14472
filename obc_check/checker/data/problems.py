"""Collecting the loader's diagnostics: every error of a bundle, each at its cell.

Validation code says *what* is wrong with which row and column of a table; this collector
turns that into a :class:`Diagnostic` whose span and wording come from the table's
:class:`Origin` (CSV line and character column, workbook cell, JSON position). Keeping the
wording of positions in one place keeps the messages of the three formats alike.

Memory and output stay bounded however bad the data: of each code in each table only the
first :data:`SHOWN_PER_CODE` diagnostics are kept, and the rest are counted, then reported
as one :class:`~obc_check.diagnostics.Omitted` line per code and table. A 52 MB ledger with
every date wrong once made 4,000,001 lines of stderr and 2 GB of diagnostics.
"""

from __future__ import annotations

from obc_check.checker.data.cells import Hint
from obc_check.checker.data.origins import Origin
from obc_check.diagnostics import SHOWN_PER_CODE as SHOWN_PER_CODE  # one cap for all
from obc_check.diagnostics import Diagnostic, Omitted, Severity


class Problems:
    """The diagnostics of one bundle load, in the order they were found (capped, above)."""

    def __init__(self) -> None:
        self._shown: list[Diagnostic] = []
        self._counts: dict[tuple[str, str | None, str], int] = {}
        self._omitted: dict[tuple[str, str | None, str], tuple[int, Severity]] = {}
        self.errors = 0

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """The diagnostics kept, then one :class:`Omitted` per code and table over the cap."""
        return self._shown + [
            Omitted(code, f"{n:,} more {code} {severity}s like those above, not shown (only "
                    f"the first {SHOWN_PER_CODE} of each code in a table are)", None,
                    "fix the ones shown and run again: they are often one mistake repeated",
                    severity, file=file if table is None or file.endswith("]")
                    else f"{file}[{table}]", count=n)
            for (file, table, code), (n, severity) in self._omitted.items()]

    def file(self, file: str, code: str, message: str, hint: str | None = None,
             severity: Severity = "error") -> None:
        """A problem with a whole file (or the bundle path itself)."""
        self._add(Diagnostic(code, message, None, hint, severity, file=file), file, None)

    def at(self, origin: Origin, row: int, column: str | None, code: str, message: str,
           hint: Hint = None, severity: Severity = "error", cell: int | None = None) -> None:
        """A problem with one cell (``column``) or a whole row (``column`` None).

        ``cell``: of a whole row, the cell (numbered from 0) the caret points at, where the
        origin can place one by number (a CSV file's, :meth:`~.origins.CsvOrigin.cell_span`):
        the first cell beyond the header of a row that has too many.
        """
        if self._over_cap(origin.file, _table(origin), code, severity):
            return  # counted only: neither its position nor its words are worked out
        if callable(hint):
            hint = hint()
        text = f"{origin.where(row, column)}: {message}"
        by_cell = getattr(origin, "cell_span", None) if cell is not None else None
        span = by_cell(row, cell) if by_cell is not None else origin.span(row, column)
        self._add(Diagnostic(code, text, span, hint, severity, file=origin.file), origin.file,
                  _table(origin), counted=True)

    def table(self, origin: Origin, code: str, message: str, hint: str | None = None,
              severity: Severity = "error", column: str | None = None) -> None:
        """A problem with a table as a whole, or with its header (``column`` in it)."""
        self._add(Diagnostic(code, message, origin.span(0, column), hint, severity,
                             file=origin.file), origin.file, _table(origin))

    def more(self, origin: Origin, code: str, n: int, severity: Severity = "error") -> None:
        """``n`` more problems of ``code`` in the table, counted but never worked out.

        The engine (``checker/engine``) finds bad records in bulk and fetches only the first
        :data:`SHOWN_PER_CODE` of a kind; the rest are told here by their number.
        """
        if n <= 0:
            return
        key = (origin.file, _table(origin), code)
        self._counts[key] = self._counts.get(key, 0) + n
        done, _ = self._omitted.get(key, (0, severity))
        self._omitted[key] = (done + n, severity)
        if severity == "error":
            self.errors += n

    def reported(self, table: str) -> bool:
        """Whether any diagnostic so far is about the table named ``table``.

        A table with an error in its file or header is not read at all; a check across
        tables asks this so as not to call such a table absent (it is there, and its own
        error says what is wrong with it).
        """
        return any(t == table or f.endswith(f"[{table}]")
                   or f.replace("\\", "/").rsplit("/", 1)[-1] == f"{table}.csv"
                   for f, t, _code in self._counts)

    def _over_cap(self, file: str, table: str | None, code: str, severity: Severity) -> bool:
        """Count one diagnostic; True when it is past the cap (then it is only counted)."""
        key = (file, table, code)
        seen = self._counts.get(key, 0) + 1
        self._counts[key] = seen
        if seen <= SHOWN_PER_CODE:
            return False
        n, _ = self._omitted.get(key, (0, severity))
        self._omitted[key] = (n + 1, severity)
        if severity == "error":
            self.errors += 1
        return True

    def _add(self, diag: Diagnostic, file: str | None = None, table: str | None = None,
             counted: bool = False) -> None:
        if not counted and self._over_cap(file or diag.path, table, diag.code, diag.severity):
            return
        self._shown.append(diag)
        if diag.severity == "error":
            self.errors += 1


def _table(origin: Origin) -> str | None:
    """The table an origin is in, when its file holds several (a sheet, a JSON key)."""
    table = origin.sheet or getattr(origin, "table", None)
    return table if isinstance(table, str) else None
