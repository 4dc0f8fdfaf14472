"""The data layer: a bundle's files → typed, validated tables, every error at its cell.

Public entry: :func:`load_bundle` (path, contract) → (:class:`Bundle` or None, diagnostics).
Imports nothing from ``rules`` or ``report``. One line per module:

- ``load``: the entry; picks the source by path, validates, hands over a Bundle.
- ``sources``: what every source hands to validation: raw tables of cell text.
- ``source_csv``, ``source_json``, ``source_xlsx``: a CSV folder, a JSON file, a workbook.
- ``csv_file``: one CSV file memory-mapped: bytes for pyarrow, text only on demand.
- ``columnar_csv``: the fast path for a big payments.csv, read and validated in bulk.
- ``columns``: the five tables and their columns.
- ``cells``: typing one cell's text (numbers, money, counts, dates, identifiers).
- ``context``: what validation needs from the contract, indexed once per load.
- ``validate_rows``: typing and validating each table's rows against the contract.
- ``fastrows``: building a million frozen row objects quickly.
- ``origins``, ``problems``: where each cell stands in its file; collecting diagnostics.
- ``tables``: the typed row types; ``ledger``: payments held as columns (pyarrow);
  ``bundle``: the five tables together.
- ``money``: exact money (Fraction inside, Decimal at the edges), the one rounding helper.
- ``convert``: writing a Bundle back out as CSV, JSON or XLSX.
"""

from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.load import load_bundle

__all__ = ["Bundle", "load_bundle"]
