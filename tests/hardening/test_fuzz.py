"""The CLI's contract under fuzzing (issue 8): exit 0, 1 or 2 with positioned diagnostics;
exit 3 (an internal error, E099) never; no traceback and no raw control character out.

Two generators, both mutations of the library, as the fuzzing campaign that found issue 8:

- contract text: token-level edits of the four library contracts (delete, duplicate, swap,
  replace a number by an extreme one, insert a control character, a lone CR, a huge
  identifier), run through ``validate``, ``compile``, ``fmt -``, ``render`` and ``diff``;
- data bundles: cell- and line-level edits of the library's bundles (bad dates, numbers of
  thousands of digits, formulas, control characters, lone CRs, ragged rows), written as a
  CSV folder, one JSON file or one workbook, run through ``check`` in every report format.

Profiles (``OBC_FUZZ``): ``ci`` (the default) is derandomized, a fixed sequence of 25
examples per test, under 10 s; ``nightly`` runs 2,000 random examples per test and adds
``render --format html|docx`` (about 20 minutes on the shared 2-core machine):
``OBC_FUZZ=nightly .venv/bin/pytest tests/hardening/test_fuzz.py`` (``make fuzz``). A
failure prints the falsifying example; add it to ``test_regressions.py``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError
from typer.testing import CliRunner

from obc_check.checker.data.convert import write_sheets
from obc_check.cli import app
from obc_check.diagnostics import CODES

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = sorted(p.parent for p in ROOT.glob("contracts/*/contract.obc"))
CONTRACTS = {p.name: (p / "contract.obc").read_text(encoding="utf-8") for p in LIBRARY}

_COMMON = {"deadline": None, "database": None,
           "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture]}
settings.register_profile("obc-ci", max_examples=25, derandomize=True, **_COMMON)
settings.register_profile("obc-nightly", max_examples=2000, **_COMMON)
PROFILE = settings.get_profile("obc-" + os.environ.get("OBC_FUZZ", "ci"))
# HTML and Word draw a chart per indicator (about a second each): nightly only.
COMMANDS = ["validate", "compile", "fmt", "render", "diff", "validate-json"] + (
    ["render-html", "render-docx"] if os.environ.get("OBC_FUZZ") == "nightly" else [])

# A diagnostic line: file, optionally :line:col, then severity[CODE].
_DIAG = re.compile(r"^(?P<where>.+?)(?P<pos>:\d+:\d+)?: (?P<sev>error|warning)"
                   r"\[(?P<code>[A-Z]\d{3})\]: ")
_RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

EXTREME_NUMBERS = ["0", "1", "3660", "3661", "9007199254740991", "9007199254740992",
                   "9" * 50, "9" * 51, "0." + "0" * 19 + "1", "0." + "0" * 20 + "1",
                   "1" * 5000, "2015", "99999999999999", "1.5", "100", "101"]
NASTY = ["\x1b[31m", "\x07", "\r", "\x00", "\u202e", "\x9b", "X" * 5000]

TOKEN = re.compile(r'"""(?:.|\n)*?"""|"[^"\n]*"|#[^\n]*|\s+|[A-Za-z_0-9£%.,/:-]+|.', re.S)
TOKENS = {name: TOKEN.findall(text) for name, text in CONTRACTS.items()}


def assert_contract(code: int, out: str, err: str) -> None:
    """What every run must satisfy, whatever its input."""
    assert code in (0, 1, 2), (code, err[-2000:])
    assert "Traceback" not in out + err and "E099" not in err, err[-2000:]
    assert not _RAW_CONTROL.search(err), err[-2000:]
    for line in err.splitlines():
        m = _DIAG.match(line)
        if m is not None:
            assert m["code"] in CODES, line
    if code == 2:  # invalid input says why: diagnostics (JSON on stdout), or a usage line
        assert err.strip() or '"diagnostics"' in out, out[-500:]


def _invoke(args: list[str], stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args, input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


# ---- contracts ---------------------------------------------------------------------------
@st.composite
def mutated_contract(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(sorted(TOKENS)))
    tokens = list(TOKENS[name])
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(tokens) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "number", "nasty", "cr",
                                   "ident"]))
        if op == "delete":
            del tokens[i]
        elif op == "duplicate":
            tokens.insert(i, tokens[i])
        elif op == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif op == "number":
            new = draw(st.sampled_from(EXTREME_NUMBERS))
            tokens[i] = re.sub(r"[0-9]+(?:\.[0-9]+)?", new, tokens[i], count=1)
        elif op == "nasty":
            tokens.insert(i, draw(st.sampled_from(NASTY)))
        elif op == "cr":
            tokens = [t.replace("\n", "\r") for t in tokens]
        else:
            tokens[i] = re.sub(r"\b[A-Z][A-Z0-9_]*\b", "Z" * 100_000, tokens[i], count=1)
        if not tokens:
            break
    return name, "".join(tokens)


@PROFILE
@given(mutated_contract(), st.sampled_from(COMMANDS))
def test_contract_commands_never_crash(tmp_path_factory: pytest.TempPathFactory,
                                       case: tuple[str, str], command: str) -> None:
    name, text = case
    where = tmp_path_factory.mktemp("fuzz")
    path = where / "c.obc"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    original = ROOT / "contracts" / name / "contract.obc"
    args = {"validate": ["validate", str(path)],
            "validate-json": ["validate", "--format", "json", str(path)],
            "compile": ["compile", str(path)], "fmt": ["fmt", "-"],
            "render": ["render", str(path)],
            "render-html": ["render", "--format", "html", str(path)],
            "render-docx": ["render", "--format", "docx", "-o", str(where / "c.docx"),
                            str(path)],
            "diff": ["diff", str(original), str(path)]}[command]
    stdin = text.encode("utf-8", "surrogatepass") if command == "fmt" else None
    code, out, err = _invoke(args, stdin)
    assert_contract(code, out, err)
    if command == "validate-json":
        json.loads(out)  # machine output is well-formed whatever the input
    if command == "compile" and code == 0:
        _no_unsafe_integers(json.loads(out))


def _no_unsafe_integers(doc: object) -> None:
    """JSON readers that hold numbers as doubles lose integers above 2^53 - 1."""
    if isinstance(doc, bool):
        return
    if isinstance(doc, int):
        assert abs(doc) <= 2**53 - 1, doc
    elif isinstance(doc, dict):
        for v in doc.values():
            _no_unsafe_integers(v)
    elif isinstance(doc, list):
        for v in doc:
            _no_unsafe_integers(v)


# ---- bundles -----------------------------------------------------------------------------
BUNDLES = [p for p in LIBRARY if (p / "data").is_dir()]
CELLS = ["", " ", "2015-13-01", "2016-02-30", "-1", "1e5", "NaN", "£1,000", "12.5%",
         "=DATE(2015,7,20)", '"', "1" * 5000, "9" * 51, "9007199254740992", "0.0000001",
         "2015/16 Q5", "9999-12-31", "0001-01-01", *NASTY]


def _table_rows(folder: Path) -> dict[str, list[list[str]]]:
    return {p.stem: [line.split(",") for line in p.read_text(encoding="utf-8").splitlines()]
            for p in sorted(folder.glob("*.csv"))}


@st.composite
def mutated_bundle(draw: st.DrawFn) -> tuple[Path, dict[str, list[list[str]]], str]:
    folder = draw(st.sampled_from(BUNDLES))
    tables = _table_rows(folder / "data")
    for _ in range(draw(st.integers(1, 5))):
        name = draw(st.sampled_from(sorted(tables)))
        rows = tables[name]
        i = draw(st.integers(0, len(rows) - 1))
        op = draw(st.sampled_from(["cell", "cell", "cell", "delete", "duplicate", "extra",
                                   "short"]))
        if op == "cell":
            j = draw(st.integers(0, len(rows[i]) - 1))
            rows[i][j] = draw(st.sampled_from(CELLS))
        elif op == "delete" and len(rows) > 1:
            del rows[i]
        elif op == "duplicate":
            rows.insert(i, list(rows[i]))
        elif op == "extra":
            rows[i].append(draw(st.sampled_from(CELLS)))
        elif op == "short" and rows[i]:
            rows[i].pop()
    form = draw(st.sampled_from(["csv", "csv-cr", "json", "xlsx"]))
    return folder, tables, form


def _write(tables: dict[str, list[list[str]]], form: str, where: Path) -> Path:
    if form.startswith("csv"):
        data = where / "data"
        data.mkdir()
        end = "\r" if form == "csv-cr" else "\n"
        for name, rows in tables.items():
            (data / f"{name}.csv").write_bytes(
                end.join(",".join(r) for r in rows).encode("utf-8", "surrogatepass") + b"\n")
        return data
    if form == "json":
        doc = {name: [dict(zip(rows[0], r, strict=False)) for r in rows[1:]] if rows else []
               for name, rows in tables.items()}
        path = where / "data.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        return path
    path = where / "data.xlsx"
    write_sheets({name: rows for name, rows in tables.items()}, path)
    return path


@PROFILE
@given(mutated_bundle(), st.sampled_from(["text", "json", "junit", "markdown"]))
def test_check_never_crashes(tmp_path_factory: pytest.TempPathFactory,
                             case: tuple[Path, dict[str, list[list[str]]], str],
                             fmt: str) -> None:
    folder, tables, form = case
    where = tmp_path_factory.mktemp("bundle")
    try:
        data = _write(tables, form, where)
    except IllegalCharacterError:  # openpyxl cannot write a control character to a cell
        return
    as_of = json.loads((folder / "expected.json").read_text(encoding="utf-8"))["as_of"]
    code, out, err = _invoke(["check", str(folder / "contract.obc"), "--data", str(data),
                              "--as-of", as_of, "--format", fmt])
    assert_contract(code, out, err)
    assert not _RAW_CONTROL.search(out.replace("\n", "").replace("\t", "")), out[-2000:]
    if fmt == "json" and code in (0, 1):
        _no_unsafe_integers(json.loads(out))
    if fmt == "junit" and code in (0, 1):
        import xml.dom.minidom

        xml.dom.minidom.parseString(out)  # well-formed, whatever the data holds
