"""Benchmark: `obc-check check` on the AMH contract with a 1,000,000-invoice ledger.

Runs the whole `obc-check check` CLI (compile, load, evaluate, report) in a fresh process,
once with the default text report and once with --format json, each written to a file, and
compares each with a raw pyarrow.csv read of the same CSV files in the same run; reports
rows/s and the CLI's own peak memory (wait4's ru_maxrss). Goals: at most 3x the pyarrow
read, under 1 GB. `make bench` runs it; the ledger size can be lowered with
OBC_BENCH_INVOICES for a quick look.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pytest

INVOICES = int(os.environ.get("OBC_BENCH_INVOICES", "1000000"))
TIMES: dict[str, float] = {}

ROOT = Path(__file__).resolve().parent.parent
AMH = ROOT / "contracts" / "amh"
SUBS = ("MIND", "RESP", "ELM", "CSL", "RST")
QUARTERLY = ("EIP14", "ASSESS28")
YEARLY = ("MORT", "CARDIO", "HOUSE", "EMPLOY", "RECOV", "READMIT", "DQMI")
YEARS = ("2015/16", "2016/17", "2017/18")


def write_bundle(folder: Path, invoices: int = 1_000_000, seed: int = 7) -> Path:
    """Write indicators.csv, submissions.csv and payments.csv for AMH into ``folder``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(AMH / "data" / "submissions.csv", folder / "submissions.csv")
    with (folder / "indicators.csv").open("w") as f:
        f.write("indicator,period,value,numerator,denominator\n")
        for year in YEARS:
            for ind in QUARTERLY:
                for q in range(1, 5):
                    d = rng.randint(20, 600)
                    f.write(f"{ind},{year} Q{q},,{rng.randint(d // 2, d)},{d}\n")
            for ind in YEARLY:
                lo, hi = (2.8, 3.8) if ind == "MORT" else (5.0, 99.0)
                f.write(f"{ind},{year},{rng.uniform(lo, hi):.1f},,\n")
    start = dt.date(2015, 4, 1).toordinal()
    days = dt.date(2018, 3, 1).toordinal() - start
    with (folder / "payments.csv").open("w") as f:
        f.write("payer,payee,invoice,amount,received_on,paid_on,kind\n")
        lines = []
        for i in range(invoices):
            received = dt.date.fromordinal(start + rng.randrange(days))
            delay = rng.randrange(45)
            paid = "" if delay == 44 else (received + dt.timedelta(days=delay)).isoformat()
            pence = rng.randrange(100, 10_000_000)
            lines.append(f"OH,{SUBS[i % 5]},INV-{i:07d},{pence // 100}.{pence % 100:02d},"
                         f"{received.isoformat()},{paid},invoice\n")
            if len(lines) == 50_000:
                f.writelines(lines)
                lines.clear()
        f.writelines(lines)
    return folder


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bundle(tmp_path_factory.mktemp("amh-ledger"), INVOICES)


def read_with_pyarrow(folder: Path) -> int:
    return sum(pacsv.read_csv(folder / f"{t}.csv").num_rows
               for t in ("indicators", "submissions", "payments"))


def run_cli(folder: Path, fmt: str, out: Path) -> tuple[float, float, int]:
    """The whole `obc-check check` as a user runs it: seconds, peak MB, exit status."""
    cli = Path(sys.executable).with_name("obc-check")
    with out.open("w", encoding="utf-8") as sink:
        start = time.perf_counter()
        child = subprocess.Popen([str(cli), "check", str(AMH / "contract.obc"), "--data",
                                  str(folder), "--as-of", "2018-09-30", "--format", fmt],
                                 stdout=sink)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak, nobody else's
        seconds = time.perf_counter() - start
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)  # Linux: KiB


def test_pyarrow_read(benchmark: Any, bundle: Path) -> None:
    start = time.perf_counter()
    rows = benchmark.pedantic(read_with_pyarrow, args=(bundle,), rounds=3, iterations=1)
    TIMES["pyarrow"] = (time.perf_counter() - start) / 3
    assert rows == INVOICES + 3 * (2 * 4 + 7) + 11  # payments, indicators, submissions


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_whole_check_cli(benchmark: Any, bundle: Path, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"report.{fmt}"
    seconds, peak_mb, code = benchmark.pedantic(run_cli, args=(bundle, fmt, out), rounds=1,
                                                iterations=1)
    assert code == 1  # the generated ledger holds late and unpaid invoices
    rate = (INVOICES + 56) / seconds
    benchmark.extra_info.update(seconds=round(seconds, 2), rows_per_second=round(rate),
                                peak_rss_mb=round(peak_mb))
    line = (f"\n`check --format {fmt}` (CLI, to a file): {seconds:.2f}s, {rate:,.0f} rows/s, "
            f"peak {peak_mb:.0f} MB (goal < 1024 MB), output {out.stat().st_size / 1e6:.0f} MB")
    if "pyarrow" in TIMES:
        ratio = seconds / TIMES["pyarrow"]
        benchmark.extra_info["ratio_to_pyarrow"] = round(ratio, 1)
        line += f"; {ratio:.1f}x the pyarrow read ({TIMES['pyarrow']:.2f}s; goal 3x)"
    print(line)
    assert peak_mb < 4096  # a regression guard; the goals are reported above
