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

#: The engines of RECORDS.md (Engines), as ``--engine`` names them.
ENGINES = ("duckdb", "spark")
#: Those this version has: Spark comes in a later version (the SQL of ``sql`` and
#: ``measures`` is engine-neutral; a Spark layer beside ``duck`` is what it needs).
AVAILABLE = ("duckdb",)


def unavailable_engine(name: str, spark_remote: str | None = None) -> str | None:
    """Why ``--engine name`` (with ``--spark-remote``) cannot run, or None when it can."""
    if name not in ENGINES:
        return f"--engine {name!r} is not one of {', '.join(ENGINES)}"
    if name not in AVAILABLE:
        return (f"--engine {name}: the Spark engine is not available in this version of "
                "obc-check; measures over records run on DuckDB (--engine duckdb, the "
                "default), which gives the same report")
    if spark_remote is not None:
        return "--spark-remote is for --engine spark (a Spark Connect cluster)"
    return None


__all__ = ["AVAILABLE", "ENGINES", "ByCounts", "DatasetCounts", "YearCounts",
           "measure_datasets", "unavailable_engine"]
