"""The engine layer: measures over a dataset's records, counted by a query engine.

Public entry: :func:`measure_datasets` (contract, dataset tables) → per dataset the records
read, each ``by`` field's unplaced and out-of-term records, and each measure's counts (and
exact sums) per contract year; or the record errors found. Reads ``data`` (the tables);
knows nothing of payments, which stay in ``rules``. Modules:

- ``sql``: the typed condition tree → SQL with bound parameters, one compiler for every
  engine (a :class:`~.sql.Dialect` holds what differs between engines);
- ``measures``: all measures of a dataset → one query of filtered aggregates, one scan;
- ``duck``: DuckDB in process — registering tables, checking records in bulk, running.
"""

from obc_check.checker.engine.duck import measure_datasets
from obc_check.checker.engine.measures import ByCounts, DatasetCounts, YearCounts

__all__ = ["ByCounts", "DatasetCounts", "YearCounts", "measure_datasets"]
