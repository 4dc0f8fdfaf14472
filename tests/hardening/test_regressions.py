"""Issue 8, the findings of a fuzzing campaign: each minimal reproducer as a CLI golden.

Each case writes its reproducer into a fresh folder, runs ``obc-check`` there (so paths in
messages are short and stable) and snapshots the exit status, the chosen lines of stdout and
all of stderr in ``goldens/NAME.txt``. Refresh with ``pytest tests/hardening
--update-goldens`` and read every changed golden: each one is a promise about a message.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from obc_check.checker.data.convert import write_sheets
from obc_check.cli import app
from obc_check.dsl import compile_text
from obc_check.render import render

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
AMH = (ROOT / "contracts" / "amh" / "contract.obc").read_text(encoding="utf-8")
AMH_DATA = ROOT / "contracts" / "amh" / "data"
GOLDENS = HERE / "goldens"

Golden = Callable[[Path, str], None]


def amh(*swaps: tuple[str, str]) -> str:
    """The AMH contract with each ``(old, new)`` text swapped (each must be there)."""
    text = AMH
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new)
    return text


def amh_data(**changes: str) -> dict[str, str | bytes]:
    """The AMH bundle as ``data/NAME`` files, some of them replaced."""
    files: dict[str, str | bytes] = {f"data/{p.name}": p.read_text(encoding="utf-8")
                                     for p in AMH_DATA.iterdir()}
    files.update({f"data/{name}": text for name, text in changes.items()})
    return files


@dataclass(frozen=True)
class Case:
    """A reproducer: files to write, the command line, stdin, and which stdout lines count."""

    args: tuple[str, ...]
    files: dict[str, str | bytes] = field(default_factory=dict)
    stdin: bytes | None = None
    keep: str | None = None  # a regex: the stdout lines shown in the golden (None: all)
    setup: Callable[[Path], None] | None = None  # makes what files cannot (FIFOs, links)


ZERO_VALUE = amh(("annual_value £45,000,000", "annual_value £0"))
SUM_POT_ZERO_VALUE = amh(("annual_value £45,000,000", "annual_value £0"),
                         ("outcome_payment 5% in year 1, 10% in year 2, 15% in year 3",
                          "outcome_payment £100,000 per year"))
DAYS = amh(("within 15 working days", "within 99999999999999 working days"),
           ("within 30 days of receipt", "within 36601 days of receipt"))
HUGE = amh(("annual_value £45,000,000", "annual_value £" + "9" * 50),
           ("floor  3.6 in year 1, 3.5 in year 2, 3.4 in year 3", "floor " + "9" * 50),
           ("target 3.4 in year 1, 3.2 in year 2, 3.0 in year 3", "target 0." + "0" * 19 + "1"))
CLOSE = amh(("floor  3.6 in year 1, 3.5 in year 2, 3.4 in year 3",
             "floor 99999999999.00000000002"),
            ("target 3.4 in year 1, 3.2 in year 2, 3.0 in year 3",
             "target 99999999999.00000000001"))
LONG_NUMBERS = amh(("annual_value £45,000,000", "annual_value £" + "9" * 5000),
                   ("in year 3\n", "in year " + "3" * 5000 + "\n"))
ESC = "\x1b[2J\x1b[31m"

CHECK = ("check", "c.obc", "--data", "data", "--as-of", "2018-09-30")
PAYMENTS = (AMH_DATA / "payments.csv").read_text(encoding="utf-8")
SUBMISSIONS = (AMH_DATA / "submissions.csv").read_text(encoding="utf-8")
BAD_REF = "BAD\x1b[2J\x1b[31mREF\x9b31m\x07"
LATE_REF = PAYMENTS + f"OH,MIND,{BAD_REF},1000.00,2016-06-01,2016-09-25\n"
CAP = """contract CAP "Earned capped at the pot" {
  version "1"
  currency GBP
  term 2016-04-01 to 2017-03-31
  party C "Commissioner" role commissioner sector nhs
  party P "Provider" role lead_provider sector nhs
  outcome_payment £0.05
  outcome A "A" weight 100% {
    indicator X "X" weight 50% { unit percent higher is better floor 50% target 60% }
    indicator Y "Y" weight 50% { unit percent higher is better floor 50% target 60% }
  }
}
"""
LATE_TERM = """contract LATE "Deadlines past the end of the calendar" {
  version "1"
  currency GBP
  term 9998-04-01 to 9999-03-31
  party C "Commissioner" role commissioner sector nhs
  party P "Provider" role lead_provider sector nhs
  party SUB "Sub" role subcontractor sector voluntary
  outcome_payment £1,000
  obligation R "Report" { P shall report within 3660 working days after each quarter }
  obligation F "Flow" {
    P shall pass on at least 25% of earned outcome_payment to subcontractors
      within 3660 days of year end
  }
  obligation PP "Prompt" { P shall pay subcontractor invoices within 3660 days of receipt }
}
"""


def _fifo(name: str) -> Callable[[Path], None]:
    def make(where: Path) -> None:
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(where / name)
    return make


def _fifo_table(where: Path) -> None:
    os.remove(where / "data" / "indicators.csv")
    os.mkfifo(where / "data" / "indicators.csv")


def _loop(where: Path) -> None:
    (where / "data").mkdir(exist_ok=True)
    os.symlink("payments.csv", where / "data" / "submissions.csv")
    os.symlink("submissions.csv", where / "data" / "payments.csv")
    os.symlink("b.json", where / "a.json")
    os.symlink("a.json", where / "b.json")


CASES: dict[str, Case] = {
    # annual_value £0 passed validate, then every render failed with ZeroDivisionError.
    "render-zero-annual-value": Case(("render", "c.obc"), {"c.obc": ZERO_VALUE},
                                     keep=r"Annual Value|^\| 201"),
    "render-zero-annual-value-html": Case(("render", "c.obc", "--format", "html"),
                                          {"c.obc": ZERO_VALUE},
                                          keep=r'^<tr><td>20../..</td><td class="num">'),
    "render-zero-annual-value-docx": Case(("render", "c.obc", "--format", "docx", "-o", "c.docx"),
                                          {"c.obc": ZERO_VALUE}),
    "render-sum-pot-zero-annual-value": Case(("render", "c.obc"), {"c.obc": SUM_POT_ZERO_VALUE},
                                             keep=r"^\| 201"),
    # A huge day count compiled and then crashed check (OverflowError, pyarrow TypeError).
    "check-days-too-many": Case(("check", "c.obc", "--data", "data", "--as-of", "2018-09-30"),
                                {"c.obc": DAYS, **amh_data()}),
    # Numbers of thousands of digits crashed compile output and render.
    "compile-number-too-long": Case(("compile", "c.obc"), {"c.obc": LONG_NUMBERS}),
    "render-number-too-long": Case(("render", "c.obc", "--format", "html"),
                                   {"c.obc": LONG_NUMBERS}),
    # The biggest and smallest values the language accepts still draw (and render).
    "render-extreme-values": Case(("render", "c.obc", "--format", "html"), {"c.obc": HUGE},
                                  keep=r"<figcaption|No chart"),
    "render-extreme-values-docx": Case(("render", "c.obc", "--format", "docx", "-o", "c.docx"),
                                       {"c.obc": HUGE}),
    "render-values-beyond-float": Case(("render", "c.obc", "--format", "html"), {"c.obc": CLOSE},
                                       keep=r"<figcaption>Figure: Indicator MORT|No chart"),
    # A CR-only file read as one line: one giant comment, "E002 the file holds no contract".
    "validate-cr-only": Case(("validate", "c.obc"), {"c.obc": AMH.replace("\n", "\r")}),
    "fmt-cr-only": Case(("fmt", "-"), stdin=AMH.replace("\n", "\r").encode(), keep=r"^contract"),
    # fmt - said "unexpected character U+DCFF" for a byte that is not UTF-8.
    "fmt-stdin-not-utf8": Case(("fmt", "-"), stdin=AMH.encode().replace(b"OH", b"O\xffH", 1)),
    # Raw ESC bytes reached the terminal: in a file name, and in a data cell's message.
    "validate-control-characters-in-name": Case(("validate", f"{ESC}.obc"),),
    # Control characters in an invoice reference: JUnit was not well-formed XML, and text,
    # markdown and --explain passed them to the terminal.
    **{f"check-control-characters-{fmt}": Case(
        (*CHECK, "--format", fmt), {"c.obc": AMH, **amh_data(**{"payments.csv": LATE_REF})},
        keep="BAD") for fmt in ("text", "markdown", "junit", "json")},
    "check-control-characters-explain": Case(
        (*CHECK, "--explain", "PROMPT"), {"c.obc": AMH, **amh_data(**{"payments.csv": LATE_REF})},
        keep="BAD"),
    # A formula cell without a cached value was read as empty: a met return became a breach.
    "check-xlsx-formula-without-value": Case(
        ("check", "c.obc", "--data", "data.xlsx", "--as-of", "2018-09-30"), {"c.obc": AMH},
        setup=lambda where: _workbook(where / "data.xlsx", {"submitted_on": 'DATE(2015,7,20)'})),
    # Every date wrong gave 4,000,001 lines of stderr and 2 GB: 100 per code and table shown.
    "check-many-errors-capped": Case(
        (*CHECK, "--format", "json"),
        {"c.obc": AMH, **amh_data(**{"payments.csv": PAYMENTS + "".join(
            f"OH,MIND,X-{i},1.00,2016-06-01,2016-06-31\n" for i in range(250))})},
        keep=r'"total"|"omitted"|"line": 1[01][0-9],'),
    "check-many-errors-capped-text": Case(
        CHECK, {"c.obc": AMH, **amh_data(**{"payments.csv": PAYMENTS + "".join(
            f"OH,MIND,X-{i},1.00,2016-06-01,2016-06-31\n" for i in range(250))})}),
    # A FIFO hung forever (or was "unknown file `indicators.csv` ... did you mean it").
    "check-fifo-in-bundle": Case(CHECK, {"c.obc": AMH, **amh_data()}, setup=_fifo_table),
    "check-fifo-as-bundle": Case(("check", "c.obc", "--data", "b.json"), {"c.obc": AMH},
                                 setup=_fifo("b.json")),
    "validate-fifo": Case(("validate", "c.obc"), setup=_fifo("c.obc")),
    # A symbolic link that loops is not "no such file".
    "check-symlink-loops": Case(CHECK, {"c.obc": AMH}, setup=_loop),
    "check-symlink-loop-as-bundle": Case(("check", "c.obc", "--data", "a.json"), {"c.obc": AMH},
                                         setup=_loop),
    # The year's earned sum could exceed the pot by a penny (withheld -£0.01).
    "check-earned-capped-at-pot": Case(
        ("check", "c.obc", "--data", "data", "--as-of", "2017-06-30", "--format", "json"),
        {"c.obc": CAP, "data/indicators.csv": "indicator,period,value,numerator,denominator\n"
         "X,2016/17,70,,\nY,2016/17,70,,\n"}, keep=r'"(at_risk|earned|withheld|'
                                                   r'earned_before_gateways)"'),
    # --explain ID --format json printed text.
    "check-explain-json": Case((*CHECK, "--explain", "EIP14", "--format", "json"),
                               {"c.obc": AMH, **amh_data()}),
    # Deadlines past 9999-12-31 crashed check (OverflowError).
    "check-deadlines-past-the-calendar": Case(
        ("check", "c.obc", "--data", "data", "--as-of", "9999-12-31"),
        {"c.obc": LATE_TERM,
         "data/payments.csv": "payer,payee,invoice,amount,received_on,paid_on\n"
                              "P,SUB,I1,100.00,9999-12-01,\n",
         "data/submissions.csv": "obligation,period,submitted_on\nR,9998/99 Q1,9999-01-01\n"}),
    # A number of 5,000 digits in data crashed check (int-to-string limit).
    "check-json-number-too-long": Case(
        ("check", "c.obc", "--data", "data.json", "--as-of", "2018-09-30"),
        {"c.obc": AMH, "data.json": '{"indicators": [{"indicator": "MORT", "period": "2015/16", '
                                    '"value": ' + "7" * 5000 + "}]}"}),
    "check-control-characters-in-data": Case(
        ("check", "c.obc", "--data", "data", "--as-of", "2018-09-30"),
        {"c.obc": AMH, **amh_data(**{"payments.csv": (AMH_DATA / "payments.csv").read_text(
            encoding="utf-8").replace("2015-06-25", f"2015-06-25{ESC}", 1)})}),
}


def _workbook(path: Path, formulas: dict[str, str]) -> None:
    """The AMH bundle as a workbook, the first row's ``column`` cells given as formulas
    (openpyxl saves a formula without computing it: no cached value)."""
    import csv

    sheets: dict[str, list[list[object]]] = {}
    for name in ("indicators", "submissions", "payments"):
        rows: list[list[object]] = [list(r) for r in csv.reader(
            (AMH_DATA / f"{name}.csv").read_text(encoding="utf-8").splitlines())]
        for column, formula in formulas.items():
            if column in rows[0]:
                rows[1][rows[0].index(column)] = "=" + formula
        sheets[name] = rows
    write_sheets(sheets, path)


def _run(case: Case, where: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, content in case.files.items():
        path = where / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))  # no newline translation
    if case.setup is not None:
        case.setup(where)
    monkeypatch.chdir(where)
    result = CliRunner().invoke(app, list(case.args), input=case.stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    out = result.stdout
    if case.keep is not None:
        out = "".join(line for line in out.splitlines(keepends=True) if re.search(case.keep, line))
    shown = " ".join(repr(a) if not a.isprintable() else a for a in case.args)
    return f"$ obc-check {shown}\nexit {result.exit_code}\n--- stdout\n{out}--- stderr\n" \
           f"{result.stderr}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_reproducer(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                    golden: Golden) -> None:
    output = _run(CASES[name], tmp_path, monkeypatch)
    assert "Traceback" not in output
    assert "\x1b" not in output  # no raw control character leaves the tool
    assert re.search(r"^exit [0-2]$", output, re.M), output
    golden(GOLDENS / f"{name}.txt", output)


# ---- the top-level guard -----------------------------------------------------------------
def _explode(*_args: object, **_kwargs: object) -> object:
    raise ZeroDivisionError("Fraction(0, 0)\x1b[2J")


def test_an_unexpected_exception_is_e099_and_exit_3(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    golden: Golden) -> None:
    """One line, the command and the version, exit 3 (never 1, "breaches found")."""
    (tmp_path / "c.obc").write_text(AMH, encoding="utf-8")
    monkeypatch.setattr("obc_check.cli.compile_file", _explode)
    output = _run(Case(("render", "c.obc")), tmp_path, monkeypatch)
    assert "Traceback" not in output and "\x1b" not in output.replace("\\x1b", "")
    golden(GOLDENS / "internal-error.txt", output)


def test_with_debug_the_traceback_comes_first(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "c.obc").write_text(AMH, encoding="utf-8")
    monkeypatch.setattr("obc_check.cli.compile_file", _explode)
    output = _run(Case(("--debug", "validate", "c.obc")), tmp_path, monkeypatch)
    assert "exit 3" in output
    assert output.index("Traceback") < output.index("error[E099]")
    assert "(the traceback is above)" in output


def test_an_internal_error_while_compiling_exits_3(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """compile_text turns a builder bug into an E099 diagnostic: that is exit 3, not 2."""
    (tmp_path / "c.obc").write_text(AMH, encoding="utf-8")
    monkeypatch.setattr("obc_check.dsl.build_and_check", _explode_value)
    for args in (("validate", "c.obc"), ("compile", "c.obc")):
        output = _run(Case(args), tmp_path, monkeypatch)
        assert "exit 3" in output and "error[E099]" in output, output


def _explode_value(*_args: object) -> object:
    raise ValueError("a bug")


def test_the_real_process_exits_3_and_debug_goes_anywhere(tmp_path: Path) -> None:
    """The console entry point, in a fresh process: `--debug` after the command works too."""
    (tmp_path / "c.obc").write_text(AMH, encoding="utf-8")
    code = ("import sys, obc_check.cli as cli\n"
            "def boom(*a, **k): raise KeyError('boom')\n"
            "cli.compile_file = boom\n"
            "sys.argv = ['obc-check', *sys.argv[1:]]\n"
            "cli.main()\n")
    for extra, traceback in (((), False), (("--debug",), True)):
        proc = subprocess.run([sys.executable, "-c", code, "validate", "c.obc", *extra],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 3, proc.stderr
        assert ("Traceback" in proc.stderr) is traceback
        last = proc.stderr.strip().splitlines()[-1]
        assert last.startswith("obc-check validate: error[E099]: internal error (KeyError: "
                               "'boom'); this is a bug in obc-check "), last


def test_a_file_named_debug_after_double_dash_is_a_file() -> None:
    from obc_check.cli_guard import hoist_debug
    assert hoist_debug(["check", "a.obc", "--debug"]) == ["--debug", "check", "a.obc"]
    assert hoist_debug(["validate", "--", "--debug"]) == ["validate", "--", "--debug"]
    assert hoist_debug(["validate", "x"]) == ["validate", "x"]


# ---- render time ---------------------------------------------------------------------------
def _cpu(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def test_render_of_2000_obligations_takes_seconds_not_tens() -> None:
    """docx was quadratic in paragraphs (10 s for 2,000 obligations); html and markdown too
    must stay within a few seconds. CPU time, so a busy machine does not fail it."""
    duty = ('  obligation R{i} "Report {i}" {{\n'
            "    OH shall report within 15 working days after each quarter\n"
            "    penalty £100 per breach\n  }}\n")
    end = AMH.rstrip().rfind("}")
    text = AMH[:end] + "".join(duty.format(i=i) for i in range(2000)) + "}\n"
    compiled = compile_text(text, "many.obc")
    assert compiled.contract is not None
    contract = compiled.contract
    for fmt in ("docx", "html", "markdown"):
        spent = _cpu(lambda fmt=fmt: render(contract, fmt))  # type: ignore[misc]
        assert spent < 6.0, f"{fmt}: {spent:.1f} s of CPU for 2,000 obligations"


def test_render_with_100000_character_identifiers_takes_seconds() -> None:
    """matplotlib laid out chart titles of 100,000 characters for 17 s."""
    long = "X" * 100_000
    compiled = compile_text(amh(("MORT", "M" + long), ("CARDIO", "C" + long)), "long.obc")
    assert compiled.contract is not None
    contract = compiled.contract
    spent = _cpu(lambda: render(contract, "html"))
    assert spent < 6.0, f"{spent:.1f} s of CPU"
    html = render(contract, "html").decode()
    assert "M" + long in html  # the text still names it in full


def test_a_formula_with_a_cached_value_uses_it(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """As a spreadsheet saves it: the formula and its computed value (here a text result)."""
    import zipfile

    book = tmp_path / "plain.xlsx"
    _workbook(book, {"submitted_on": "DATE(2015,7,20)", "paid_on": "TEXT(A2)"})
    cached = tmp_path / "data.xlsx"
    found = set()
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(cached, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/"):
                text = data.decode()
                for formula, value in (("DATE(2015,7,20)", "2015-07-20"),
                                       ("TEXT(A2)", "2015-06-25")):
                    if f"<f>{formula}</f><v></v>" not in text:
                        continue
                    found.add(formula)
                    cell = text[:text.index(f"<f>{formula}</f>")].rindex("<c ")
                    text = (text[:cell] + '<c t="str" ' + text[cell + 3:]).replace(
                        f"<f>{formula}</f><v></v>", f"<f>{formula}</f><v>{value}</v>")
                data = text.encode()
            out.writestr(item, data)
    assert found == {"DATE(2015,7,20)", "TEXT(A2)"}
    (tmp_path / "c.obc").write_text(AMH, encoding="utf-8")
    from_book = _run(Case(("check", "c.obc", "--data", "data.xlsx", "--as-of", "2018-09-30")),
                     tmp_path, monkeypatch)
    from_csv = _run(Case(("check", "c.obc", "--data", str(AMH_DATA), "--as-of", "2018-09-30")),
                    tmp_path, monkeypatch)
    assert "exit 1" in from_book and "D080" not in from_book
    assert from_book.replace("data.xlsx", "D") == from_csv.replace(str(AMH_DATA), "D")


def _missing_module(*_args: object, **_kwargs: object) -> object:
    raise ModuleNotFoundError("No module named 'duckdb'", name="duckdb")


def test_a_missing_dependency_is_an_installation_error_not_a_bug(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken install names the missing module and how to reinstall; still E099, exit 3."""
    (tmp_path / "c.obc").write_text(AMH, encoding="utf-8")
    monkeypatch.setattr("obc_check.cli.compile_file", _missing_module)
    output = _run(Case(("validate", "c.obc")), tmp_path, monkeypatch)
    assert "exit 3" in output, output
    assert "error[E099]: the installation of obc-check" in output
    assert "the module 'duckdb' it needs cannot be imported" in output
    assert "this is a bug" not in output
