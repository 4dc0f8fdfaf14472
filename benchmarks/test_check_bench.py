"""Benchmark: `obc-check check` on the AMH contract with a 1,000,000-invoice ledger.

All in one run, against the same CSV files (about a third of the invoices late or unpaid):

* the baseline: a raw ``pyarrow.csv.read_csv`` of the three CSVs (3 rounds; mean and min);
* the in-process whole check: compile + load + evaluate + report written to a file, as the
  CLI does after start-up, with the default text report and with JSON (3 rounds each);
* the whole CLI in a fresh process (start-up and imports included), text and JSON, with the
  CLI's own peak memory (wait4's ru_maxrss, taken by a small parent process), compared with
  the in-process read and with the same pyarrow read in a fresh Python (start-up and the
  pyarrow import included, like the CLI's).

Each prints seconds, rows/s and the ratio to the pyarrow read (mean over mean, and min over
min). Goals: the whole check within 3x the pyarrow read, under 1 GB peak. `make bench` runs
it; the ledger size can be lowered with OBC_BENCH_INVOICES for a quick look.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pytest

INVOICES = int(os.environ.get("OBC_BENCH_INVOICES", "1000000"))
ROWS = INVOICES + 3 * (2 * 4 + 7) + 11  # payments, indicators, submissions
AS_OF = dt.date(2018, 9, 30)
TIMES: dict[str, tuple[float, float]] = {}  # stage -> (mean, min) seconds

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


def _rounds(fn: Any, rounds: int = 3) -> tuple[float, float]:
    """Mean and min seconds of ``rounds`` calls of ``fn``."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sum(times) / len(times), min(times)


def _ratio(name: str, baseline: str = "pyarrow") -> str:
    """``name``'s time over the baseline's: mean over mean, and min over min."""
    if baseline not in TIMES:
        return ""
    (mean, least), (base, base_min) = TIMES[name], TIMES[baseline]
    what = ("the pyarrow read" if baseline == "pyarrow"
            else "a pyarrow read in a fresh Python")
    return (f"; {mean / base:.1f}x {what} by means ({base:.2f}s), "
            f"{least / base_min:.1f}x by mins ({base_min:.2f}s); goal 3x")


def test_pyarrow_read(benchmark: Any, bundle: Path) -> None:
    read_with_pyarrow(bundle)  # warm the page cache, as for every stage below
    TIMES["pyarrow"] = _rounds(lambda: read_with_pyarrow(bundle))
    rows = benchmark.pedantic(read_with_pyarrow, args=(bundle,), rounds=1, iterations=1)
    assert rows == ROWS
    mean, least = TIMES["pyarrow"]
    print(f"\npyarrow.csv.read_csv of the 3 CSVs: mean {mean:.3f}s, min {least:.3f}s, "
          f"{ROWS / mean:,.0f} rows/s")


def whole_check(folder: Path, fmt: str, out: Path) -> int:
    """What `obc-check check` does after start-up: compile, load, evaluate, write the report."""
    from obc_check.checker.check import check_bundle, exit_status
    from obc_check.checker.report.formats import ReportFormat, render
    from obc_check.dsl import compile_file

    contract = compile_file(AMH / "contract.obc").contract
    assert contract is not None
    report, diags = check_bundle(contract, folder, AS_OF)
    assert report is not None, diags[:3]
    with out.open("w", encoding="utf-8") as sink:
        if fmt == "json":
            report.write_json(sink)
        else:
            sink.write(render(report, ReportFormat(fmt)))
    return exit_status(report, strict=False)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_whole_check_in_process(benchmark: Any, bundle: Path, fmt: str,
                                tmp_path: Path) -> None:
    out = tmp_path / f"report.{fmt}"
    assert whole_check(bundle, fmt, out) == 1  # imports and first-use costs, not timed
    name = f"in-process {fmt}"
    rounds = 5 if fmt == "text" else 3
    checks, reads = [], []
    for _ in range(rounds):  # the read and the check take turns, so both meet the same load
        start = time.perf_counter()
        read_with_pyarrow(bundle)
        reads.append(time.perf_counter() - start)
        start = time.perf_counter()
        whole_check(bundle, fmt, out)
        checks.append(time.perf_counter() - start)
    TIMES[name] = (sum(checks) / rounds, min(checks))
    benchmark.pedantic(whole_check, args=(bundle, fmt, out), rounds=1, iterations=1)
    mean, least = TIMES[name]
    median = statistics.median(checks) / statistics.median(reads)
    benchmark.extra_info.update(seconds=round(mean, 3), min_seconds=round(least, 3),
                                rows_per_second=round(ROWS / mean),
                                ratio_of_medians=round(median, 2))
    print(f"\n`check --format {fmt}` in process (compile+load+evaluate+report to a file): "
          f"mean {mean:.2f}s, min {least:.2f}s, {ROWS / mean:,.0f} rows/s, output "
          f"{out.stat().st_size / 1e6:.2f} MB" + _ratio(name)
          + f"; taking turns with the read ({rounds} rounds): {median:.1f}x by medians "
          f"(read {statistics.median(reads):.2f}s, check {statistics.median(checks):.2f}s)")


def test_stages_in_process(benchmark: Any, bundle: Path, tmp_path: Path) -> None:
    """Where the in-process time goes: compile, load, evaluate, text report (best of 3)."""
    from obc_check.checker.data.load import load_bundle
    from obc_check.checker.report.formats import ReportFormat, render
    from obc_check.checker.rules.evaluate import evaluate
    from obc_check.dsl import compile_file

    best: dict[str, float] = {}
    for _ in range(3):
        marks = [time.perf_counter()]
        contract = compile_file(AMH / "contract.obc").contract
        assert contract is not None
        marks.append(time.perf_counter())
        loaded, diags = load_bundle(bundle, contract)
        assert loaded is not None, diags[:3]
        marks.append(time.perf_counter())
        report = evaluate(contract, loaded, AS_OF)
        marks.append(time.perf_counter())
        (tmp_path / "report.txt").write_text(render(report, ReportFormat.text))
        marks.append(time.perf_counter())
        for name, start, end in zip(("compile", "load", "evaluate", "text report"), marks,
                                    marks[1:], strict=False):
            best[name] = min(best.get(name, end - start), end - start)
    benchmark.extra_info.update({name: round(seconds, 3) for name, seconds in best.items()})
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)  # figures above, not this call
    print("\nstages in process, best of 3: " + ", ".join(
        f"{name} {seconds:.3f}s" for name, seconds in best.items()))


# Starts the CLI and reports its time, peak memory and exit status. It runs in a small
# Python of its own because Linux keeps a process's peak RSS across fork and exec: a CLI
# forked straight from this pytest process would report pytest's peak (hundreds of MB of
# benchmark data) as its own.
_SPAWN = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status),
      file=sys.stderr)
"""


_READ = """
import sys
import pyarrow.csv
for path in sys.argv[1:]:
    pyarrow.csv.read_csv(path)
"""


def spawn(command: list[str], out: Path) -> tuple[float, float, int]:
    """Run ``command`` from a small parent: seconds, peak MB and exit status."""
    with out.open("w", encoding="utf-8") as sink:
        done = subprocess.run([sys.executable, "-c", _SPAWN, *command], stdout=sink,
                              stderr=subprocess.PIPE, text=True, check=True)
    seconds, peak_kib, status = done.stderr.split()[-3:]
    return float(seconds), int(peak_kib) / 1024, int(status)  # Linux: ru_maxrss is in KiB


def test_pyarrow_read_fresh_process(benchmark: Any, bundle: Path, tmp_path: Path) -> None:
    """The CLI's fair baseline: the same pyarrow read, Python start and imports included."""
    command = [sys.executable, "-c", _READ, *(str(bundle / f"{t}.csv")
                                              for t in ("indicators", "submissions",
                                                        "payments"))]
    runs = [spawn(command, tmp_path / "out") for _ in range(3)]
    assert all(code == 0 for _, _, code in runs)
    times = [seconds for seconds, _, _ in runs]
    TIMES["pyarrow fresh"] = (sum(times) / len(times), min(times))
    benchmark.pedantic(spawn, args=(command, tmp_path / "out"), rounds=1, iterations=1)
    mean, least = TIMES["pyarrow fresh"]
    print(f"\npyarrow read of the 3 CSVs in a fresh Python (start, import, read): "
          f"mean {mean:.3f}s, min {least:.3f}s, peak {runs[0][1]:.0f} MB")


def run_cli(folder: Path, fmt: str, out: Path) -> tuple[float, float, int]:
    """The whole `obc-check check` as a user runs it: seconds, peak MB, exit status."""
    cli = Path(sys.executable).with_name("obc-check")
    return spawn([str(cli), "check", str(AMH / "contract.obc"), "--data", str(folder),
                  "--as-of", AS_OF.isoformat(), "--format", fmt], out)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_whole_check_cli(benchmark: Any, bundle: Path, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"report.{fmt}"
    seconds, peak_mb, code = benchmark.pedantic(run_cli, args=(bundle, fmt, out), rounds=1,
                                                iterations=1)
    assert code == 1  # the generated ledger holds late and unpaid invoices
    name = f"cli {fmt}"
    TIMES[name] = (seconds, seconds)
    rate = ROWS / seconds
    benchmark.extra_info.update(seconds=round(seconds, 2), rows_per_second=round(rate),
                                peak_rss_mb=round(peak_mb))
    print(f"\n`check --format {fmt}` (CLI in a fresh process, to a file): {seconds:.2f}s, "
          f"{rate:,.0f} rows/s, peak {peak_mb:.0f} MB (goal < 1024 MB), output "
          f"{out.stat().st_size / 1e6:.2f} MB" + _ratio(name) + _ratio(name, "pyarrow fresh"))
    assert peak_mb < 4096  # a regression guard; the goals are reported above
