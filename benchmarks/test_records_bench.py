"""Benchmark: measures over 10,000,000 person-level records (RECORDS.md) on DuckDB.

A REFERRALS dataset of 10M records (CSV, 612 MB, and Parquet), generated once by DuckDB
itself into a cache folder (``.bench-cache/`` at the top of the repository, gitignored; or
``OBC_BENCH_CACHE``), with four measures of all three shapes: a proportion with an age
range and a 14-day wait (``+ 14 days``), a mean of ``days from … to …``, a count of people
(``counting people``) and a proportion of people by another ``by`` field with a month shift.

Measured in the same run, against the same files:

* the engine: the dataset's records checked (every kind of bad cell, repeated keys, ragged
  rows) and every measure counted — ``measure_datasets``, what ``check`` runs — against a
  hand-written DuckDB query computing the same counts over the same file (typed columns,
  no checks). Goal: within 1.2x. The rounds take turns so both meet the same load;
* the whole ``obc-check check`` CLI in a fresh process: seconds and peak RSS (goal < 2 GB);
* the same CSV with five bad cells: all five reported with row and column, and the time
  beside a clean run's.

``make bench`` runs it; ``OBC_BENCH_RECORDS`` lowers the size for a quick look.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

RECORDS = int(os.environ.get("OBC_BENCH_RECORDS", "10000000"))
ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("OBC_BENCH_CACHE", ROOT / ".bench-cache"))
AS_OF = dt.date(2019, 9, 30)
ROUNDS = int(os.environ.get("OBC_BENCH_ROUNDS", "3"))
YEARS = (("2016-04-01", "2017-03-31"), ("2017-04-01", "2018-03-31"),
         ("2018-04-01", "2019-03-31"))
#: (0-based record, column, bad text) of the five bad cells
BAD = ((1_234, "age", "x"), (RECORDS // 5, "referred_on", "2017-02-30"),
       (RECORDS // 2, "first_episode", "maybe"), (RECORDS * 3 // 4, "treated_on", "2018-13-01"),
       (RECORDS - 1, "age", "1e3"))
TIMES: dict[str, list[float]] = {}
#: CPU seconds per call (every thread of the process: DuckDB's too), beside the wall clock:
#: on the shared 2-core machine the wall-clock ratio moves with the load, the CPU one less.
CPU: dict[str, list[float]] = {}

CONTRACT = """
contract BENCH "Measures over person-level records (benchmark)" {
  version "1"
  currency GBP
  term 2016-04-01 to 2019-03-31
  party C "Commissioner" role commissioner  sector nhs
  party P "Provider"     role lead_provider sector nhs
  annual_value £10,000,000
  outcome_payment 5%

  dataset REFERRALS "Referrals" {
    field referral_id   text
    field person_id     text
    field referred_on   date
    field treated_on    date
    field age           number
    field first_episode flag
    field team          text from "Team Name"
    key    referral_id
    person person_id
  }

  outcome ACCESS "Access" weight 100% {
    indicator EIP14 "Treated within two weeks" weight 40% {
      unit percent
      higher is better
      floor  40%
      target 50%
      minimum denominator 30
      measure REFERRALS by referred_on {
        denominator where first_episode and age between 14 and 65 and team != "At risk mental state"
        numerator   where treated_on <= referred_on + 14 days
      }
    }
    indicator WAIT "Mean wait" weight 20% {
      unit days
      lower is better
      floor  28
      target 14
      measure REFERRALS by referred_on {
        mean days from referred_on to treated_on where first_episode and treated_on is present
      }
    }
    indicator CITY "People referred to the City team" weight 20% {
      unit count
      higher is better
      floor  100
      target 200
      measure REFERRALS by referred_on counting people {
        count where team = "City"
      }
    }
    indicator MONTH "Adults treated within a month of referral" weight 20% {
      unit percent
      higher is better
      floor  50%
      target 60%
      measure REFERRALS by treated_on counting people {
        denominator where age >= 18
        numerator   where treated_on <= referred_on + 1 months
      }
    }
  }
}
"""

_COLUMNS = """
  'R' || lpad(CAST(i AS VARCHAR), 9, '0') AS referral_id,
  'P' || CAST(hash(i) % {people} AS VARCHAR) AS person_id,
  CAST(DATE '2016-03-01' + CAST(hash(i * 7) % 1180 AS INTEGER) AS VARCHAR) AS referred_on,
  CASE WHEN hash(i * 11) % 10 = 0 THEN NULL ELSE CAST(DATE '2016-03-01'
       + CAST(hash(i * 7) % 1180 AS INTEGER) + CAST(hash(i * 13) % 40 AS INTEGER) AS VARCHAR)
       END AS treated_on,
  CAST(10 + hash(i * 17) % 70 AS VARCHAR) AS age,
  CASE WHEN hash(i * 19) % 5 = 0 THEN 'N' ELSE 'Y' END AS first_episode,
  CASE hash(i * 23) % 4 WHEN 0 THEN 'City' WHEN 1 THEN 'South' WHEN 2 THEN 'North'
       ELSE 'At risk mental state' END AS "Team Name",
  'B' || CAST(82000 + hash(i * 29) % 50 AS VARCHAR) AS gp_practice
"""


def _generate(folder: Path, bad: bool = False) -> Path:
    """csv/REFERRALS.csv (and, clean, parquet/REFERRALS.parquet) of RECORDS records, once."""
    csv = folder / "csv" / "REFERRALS.csv"
    if csv.exists():
        return folder
    csv.parent.mkdir(parents=True, exist_ok=True)
    select = _COLUMNS.format(people=max(RECORDS // 3, 1))
    query = f"SELECT {select} FROM range({RECORDS}) t(i)"
    if bad:
        names = ["referral_id", "person_id", "referred_on", "treated_on", "age",
                 "first_episode", '"Team Name"', "gp_practice"]
        outer = []
        for name in names:
            whens = " ".join(f"WHEN i = {row} THEN '{text}'" for row, col, text in BAD
                             if col == name)
            outer.append(f"CASE {whens} ELSE {name} END AS {name}" if whens else name)
        query = f"SELECT {', '.join(outer)} FROM (SELECT i, {select} FROM range({RECORDS}) t(i))"
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    part = folder / "REFERRALS.csv.part"  # outside the bundle until it is whole
    con.execute(f"COPY ({query}) TO '{part}' (HEADER, DELIMITER ',')")
    if not bad:
        pq = folder / "parquet" / "REFERRALS.parquet"
        pq.parent.mkdir(exist_ok=True)
        typed = (f"SELECT * REPLACE (CAST(referred_on AS DATE) AS referred_on, CAST(treated_on "
                 f"AS DATE) AS treated_on, CAST(age AS INTEGER) AS age) FROM ({query})")
        con.execute(f"COPY ({typed}) TO '{pq}' (FORMAT PARQUET)")  # a typed extract
    con.close()
    part.rename(csv)
    return folder


@pytest.fixture(scope="module")
def clean() -> Path:
    return _generate(CACHE / f"referrals-{RECORDS}")


@pytest.fixture(scope="module")
def bad() -> Path:
    return _generate(CACHE / f"referrals-{RECORDS}-bad", bad=True)


@pytest.fixture(scope="module")
def contract() -> Any:
    from obc_check.dsl import compile_text

    compiled = compile_text(CONTRACT)
    assert compiled.contract is not None, compiled.diagnostics
    return compiled.contract


def engine(contract: Any, folder: Path) -> tuple[Any, list[Any]]:
    """What ``check`` runs for the measures: the bundle's header read, then the engine."""
    from obc_check.checker.data import load_bundle
    from obc_check.checker.engine import measure_datasets

    bundle, diags = load_bundle(folder, contract)
    assert bundle is not None, diags[:3]
    counts, found = measure_datasets(contract, bundle.datasets)
    return counts, found


def hand_written(source: str) -> list[int]:
    """The same counts, as an analyst would write them in DuckDB over the same file.

    Typed columns read by DuckDB, no checks; people counted the fast way (grouped by
    person, ``bool_or`` per year; ``COUNT(DISTINCT person) FILTER (…)`` per year is about
    4x slower on this data).
    """
    typed = ("{'referral_id': 'VARCHAR', 'person_id': 'VARCHAR', 'referred_on': 'DATE', "
             "'treated_on': 'DATE', 'age': 'INTEGER', 'first_episode': 'VARCHAR', "
             "'team': 'VARCHAR', 'gp_practice': 'VARCHAR'}")
    frm = (f"read_csv('{source}', columns={typed}, header=true, auto_detect=false)"
           if source.endswith(".csv") else
           f"(SELECT * RENAME (\"Team Name\" AS team) FROM read_parquet('{source}'))")
    per_person, top = [], []
    for y, (start, end) in enumerate(YEARS):
        ref = f"referred_on BETWEEN DATE '{start}' AND DATE '{end}'"
        trt = f"treated_on BETWEEN DATE '{start}' AND DATE '{end}'"
        den = (f"{ref} AND first_episode = 'Y' AND age BETWEEN 14 AND 65 "
               "AND team <> 'At risk mental state'")
        per_person += [
            f"count(*) FILTER (WHERE {den}) AS d{y}",
            f"count(*) FILTER (WHERE {den} AND treated_on <= referred_on + 14) AS n{y}",
            f"count(treated_on) FILTER (WHERE {ref} AND first_episode = 'Y') AS w{y}",
            f"sum(treated_on - referred_on) FILTER (WHERE {ref} AND first_episode = 'Y') "
            f"AS s{y}",
            f"bool_or({ref} AND team = 'City') AS c{y}",
            f"bool_or({trt} AND age >= 18) AS md{y}",
            f"bool_or({trt} AND age >= 18 AND treated_on <= "
            f"CAST(referred_on + INTERVAL 1 MONTH AS DATE)) AS mn{y}"]
        top += [f"sum(d{y})", f"sum(n{y})", f"sum(w{y})", f"sum(s{y})",
                f"count(*) FILTER (WHERE c{y})", f"count(*) FILTER (WHERE md{y})",
                f"count(*) FILTER (WHERE mn{y})"]
    query = (f"SELECT {', '.join(top)} FROM (SELECT person_id, {', '.join(per_person)} "
             f"FROM {frm} GROUP BY person_id)")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    try:
        row = con.execute(query).fetchone()
        assert row is not None
        return [int(v) for v in row]
    finally:
        con.close()


def engine_figures(counts: Any) -> list[int]:
    """The engine's counts in the hand-written query's order."""
    out = []
    ds = counts["REFERRALS"]
    for y in range(3):
        eip, wait, city, month = (ds.measures[m][y] for m in ("EIP14", "WAIT", "CITY", "MONTH"))
        out += [eip.denominator, eip.numerator, wait.denominator, int(wait.total),
                city.count, month.denominator, month.numerator]
    return out


def _turns(named: dict[str, Callable[[], object]], rounds: int = ROUNDS) -> None:
    """Each function ``rounds`` times, taking turns, into TIMES (seconds per call)."""
    for _ in range(rounds):
        for name, fn in named.items():
            start, cpu = time.perf_counter(), time.process_time()
            fn()
            TIMES.setdefault(name, []).append(time.perf_counter() - start)
            CPU.setdefault(name, []).append(time.process_time() - cpu)


def _line(name: str, base: str) -> str:
    mine, theirs = TIMES[name], TIMES[base]
    ratio = statistics.median(mine) / statistics.median(theirs)
    return (f"{name}: median {statistics.median(mine):.2f}s (min {min(mine):.2f}s), "
            f"{RECORDS / statistics.median(mine):,.0f} records/s; hand-written query median "
            f"{statistics.median(theirs):.2f}s (min {min(theirs):.2f}s); ratio {ratio:.2f}x by "
            f"medians, {min(mine) / min(theirs):.2f}x by mins (goal 1.2x); CPU "
            f"{statistics.median(CPU[name]):.2f}s against {statistics.median(CPU[base]):.2f}s: "
            f"{statistics.median(CPU[name]) / statistics.median(CPU[base]):.2f}x; load "
            f"{os.getloadavg()[0]:.1f}")


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_measures_against_hand_written_sql(benchmark: Any, contract: Any, clean: Path,
                                           form: str, tmp_path: Path) -> None:
    folder = clean / form
    source = str(folder / f"REFERRALS.{form}")
    counts, found = engine(contract, folder)  # warms the page cache and the imports
    assert counts is not None and not found, found[:3]
    assert engine_figures(counts) == hand_written(source)
    name = f"engine over {form}"
    _turns({f"hand {form}": lambda: hand_written(source),
            name: lambda: engine(contract, folder)})
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)  # the figures are printed
    benchmark.extra_info.update(seconds=statistics.median(TIMES[name]),
                                hand_seconds=statistics.median(TIMES[f"hand {form}"]))
    print("\n" + _line(name, f"hand {form}"))


def test_five_bad_cells_are_reported_in_about_the_time_of_a_clean_run(
        benchmark: Any, contract: Any, clean: Path, bad: Path) -> None:
    counts, found = engine(contract, bad / "csv")
    assert counts is None
    got = sorted((d.code, d.span.line, d.message.split(":")[0]) for d in found)
    want = sorted(({"age": "D007", "first_episode": "D042"}.get(col, "D008"), row + 2,
                   f"column `{col}`") for row, col, _ in BAD)
    assert got == want, got
    _turns({"clean csv": lambda: engine(contract, clean / "csv"),
            "five bad cells": lambda: engine(contract, bad / "csv")})
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    bad_s, clean_s = (statistics.median(TIMES[n]) for n in ("five bad cells", "clean csv"))
    bad_cpu, clean_cpu = (statistics.median(CPU[n]) for n in ("five bad cells", "clean csv"))
    print(f"\nfive bad cells in {RECORDS:,} records, all five reported with row and column: "
          f"median {bad_s:.2f}s (min {min(TIMES['five bad cells']):.2f}s) against a clean "
          f"run's {clean_s:.2f}s: {bad_s / clean_s:.2f}x; CPU {bad_cpu:.2f}s against "
          f"{clean_cpu:.2f}s: {bad_cpu / clean_cpu:.2f}x; load {os.getloadavg()[0]:.1f}")


_SPAWN = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status),
      file=sys.stderr)
"""


@pytest.mark.parametrize("form", ["csv", "parquet", "five bad cells"])
def test_whole_check_peak_memory(benchmark: Any, clean: Path, bad: Path, form: str,
                                 tmp_path: Path) -> None:
    """The CLI in a fresh process (a small parent reads its peak RSS: wait4's ru_maxrss);
    of the CSV with five bad cells too (exit 2, the five shown with their lines)."""
    (tmp_path / "bench.obc").write_text(CONTRACT, encoding="utf-8")
    folder = bad / "csv" if form == "five bad cells" else clean / form
    cli = Path(sys.executable).with_name("obc-check")
    command = [str(cli), "check", str(tmp_path / "bench.obc"), "--data", str(folder),
               "--as-of", AS_OF.isoformat()]
    done = subprocess.run([sys.executable, "-c", _SPAWN, *command], stderr=subprocess.PIPE,
                          text=True, check=True)
    seconds, peak_kib, status = done.stderr.split()[-3:]
    peak = int(peak_kib) / 1024
    assert int(status) in ((2,) if form == "five bad cells" else (0, 1)), done.stderr[-2000:]
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    benchmark.extra_info.update(seconds=float(seconds), peak_mb=round(peak))
    print(f"\nwhole `obc-check check` over {RECORDS:,} records ({form}), fresh process: "
          f"{float(seconds):.2f}s, peak RSS {peak:,.0f} MB (goal < 2,048 MB)")
    assert peak < 2048
