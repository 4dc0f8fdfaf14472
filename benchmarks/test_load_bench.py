"""Loading a million payment rows, against a raw pyarrow CSV read of the same file.

Not part of the default test run (``testpaths`` is ``tests``; the module is also marked
``benchmark``). Run with::

    .venv/bin/pytest benchmarks/test_load_bench.py --benchmark-enable -p no:cacheprovider

The goal is a load within 3x of ``pyarrow.csv.read_csv`` and under 1 GB peak memory.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from obc_check.checker.data.load import load_bundle
from obc_check.dsl import compile_file
from obc_check.model import Contract

pytestmark = pytest.mark.benchmark
ROOT = Path(__file__).resolve().parents[1]
ROWS = 1_000_000
PAYEES = ("MIND", "RESP", "ELM", "CSL", "RST")


def _contract() -> Contract:
    contract = compile_file(ROOT / "contracts" / "amh" / "contract.obc").contract
    assert contract is not None
    return contract


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle folder with one payments.csv of ROWS invoices (about 60 MB)."""
    folder = tmp_path_factory.mktemp("million")
    start = dt.date(2015, 4, 1)
    days = [(start + dt.timedelta(days=i)).isoformat() for i in range(1100)]
    with (folder / "payments.csv").open("w", encoding="utf-8") as out:
        out.write("payer,payee,invoice,amount,received_on,paid_on,kind\n")
        for i in range(ROWS):
            d = i % 1000
            paid = days[d + 20] if i % 7 else ""
            out.write(f"OH,{PAYEES[i % 5]},INV-{i:07d},{(i * 37) % 900000}.{i % 100:02d},"
                      f"{days[d]},{paid},invoice\n")
    return folder


def test_pyarrow_read(benchmark: pytest.FixtureRequest, bundle_dir: Path) -> None:
    """The baseline: pyarrow's multi-threaded CSV reader with type inference."""
    import pyarrow.csv as pacsv

    table = benchmark.pedantic(pacsv.read_csv, args=(bundle_dir / "payments.csv",),
                               rounds=3, iterations=1)
    assert table.num_rows == ROWS


def test_pyarrow_read_strings(benchmark: pytest.FixtureRequest, bundle_dir: Path) -> None:
    """pyarrow reading every column as text (what an exact loader would have to start from)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = ["payer", "payee", "invoice", "amount", "received_on", "paid_on", "kind"]
    options = pacsv.ConvertOptions(column_types={n: pa.string() for n in names})
    table = benchmark.pedantic(pacsv.read_csv, args=(bundle_dir / "payments.csv",),
                               kwargs={"convert_options": options}, rounds=3, iterations=1)
    assert table.num_rows == ROWS


def test_load_bundle(benchmark: pytest.FixtureRequest, bundle_dir: Path) -> None:
    """The loader: typed, validated PaymentRows with exact Decimals and dates."""
    contract = _contract()

    def load() -> int:
        bundle, diags = load_bundle(bundle_dir, contract)
        assert bundle is not None, diags[:3]
        return len(bundle.payments)

    assert benchmark.pedantic(load, rounds=3, iterations=1) == ROWS


def test_load_bundle_peak_memory(bundle_dir: Path) -> None:
    """Peak resident memory of a fresh process that loads the bundle; goal under 1 GB."""
    # VmHWM (peak resident set) is per address space, so unlike ru_maxrss it is not
    # inherited from the forking pytest process.
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from obc_check.checker.data.load import load_bundle\n"
        "from obc_check.dsl import compile_file\n"
        "def hwm():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            return int(line.split()[1]) * 1024\n"
        "c = compile_file(sys.argv[1]).contract\n"
        "before = hwm()\n"
        "b, d = load_bundle(Path(sys.argv[2]), c)\n"
        "assert b is not None and len(b.payments) == int(sys.argv[3])\n"
        "print(before, hwm())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(ROOT / "contracts" / "amh" / "contract.obc"),
         str(bundle_dir), str(ROWS)], check=True, capture_output=True, text=True).stdout
    before, after = (int(x) for x in out.split())
    print(f"\npeak RSS: {after / 2**20:.0f} MiB (of which {before / 2**20:.0f} MiB before "
          "loading: interpreter, contract)")
    assert after < 2**30
