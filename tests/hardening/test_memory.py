"""Bounded memory on pathological input (issue 8): each run stays far under 1 GB.

- a 8 KB workbook whose sheets each have a styled, empty cell at XFD1048576: openpyxl's
  ``iter_rows`` padded every row of that declared range to 16,384 cells (past 10 GB);
- a million payment rows with every date wrong: 4,000,001 lines of stderr and 2.1 GB of
  diagnostics before the cap of 100 per code and table.

The CLI runs in a fresh process started by a small parent, which reports the child's peak
resident set size (``ru_maxrss`` of its children): measured from pytest itself, Linux would
carry pytest's own peak over the fork. About 15 s together on the shared 2-core machine.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

ROOT = Path(__file__).resolve().parents[2]
AMH = ROOT / "contracts" / "amh"
LIMIT_MB = 1024

# The small parent: runs the CLI, prints its exit status, peak RSS (MB) and stderr's size.
PARENT = """
import json, resource, subprocess, sys
proc = subprocess.run([sys.executable, "-m", "obc_check.cli", *sys.argv[1:]],
                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"code": proc.returncode, "peak_mb": peak,
                  "stderr": proc.stderr.decode("utf-8", "replace")[-2000:],
                  "stderr_lines": proc.stderr.count(b"\\n")}))
"""


def _measure(*args: str | Path) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", PARENT, *map(str, args)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=True)
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_a_workbook_with_a_cell_at_xfd1048576_stays_small(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in ("indicators", "submissions", "payments"):
        sheet = book.create_sheet(name)
        with (AMH / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                sheet.append(row)
        sheet.cell(row=1_048_576, column=16_384).font = Font(bold=True)  # blank-looking
    path = tmp_path / "data.xlsx"
    book.save(path)
    assert path.stat().st_size < 20_000
    result = _measure("check", AMH / "contract.obc", "--data", path, "--as-of", "2018-09-30")
    assert result["code"] == 1, result  # the same breaches as the CSV bundle
    assert isinstance(result["peak_mb"], float) and result["peak_mb"] < LIMIT_MB, result


def test_a_million_bad_rows_stay_under_1_gb_with_capped_output(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("indicators", "submissions"):
        (data / name).with_suffix(".csv").write_bytes((AMH / "data" / f"{name}.csv").read_bytes())
    header = "payer,payee,invoice,amount,received_on,paid_on\n"
    rows = "".join(f"OH,MIND,INV-{i},1000.00,2015-06-01,2015-13-{i % 28 + 1:02d}\n"
                   for i in range(1_000_000))
    (data / "payments.csv").write_text(header + rows, encoding="utf-8")
    result = _measure("check", AMH / "contract.obc", "--data", data, "--as-of", "2018-09-30")
    assert result["code"] == 2, result
    assert isinstance(result["peak_mb"], float) and result["peak_mb"] < LIMIT_MB, result
    stderr = str(result["stderr"])
    assert "999,900 more D008 errors like those above, not shown" in stderr
    assert "1,000,000 errors in the data; nothing was checked" in stderr
    assert isinstance(result["stderr_lines"], int) and result["stderr_lines"] < 500
