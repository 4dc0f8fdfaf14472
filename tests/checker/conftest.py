"""Fixtures for evaluation tests: contracts from text, and Bundles built row by row.

``kit(contract)`` returns a :class:`Kit` whose methods make typed rows with real periods of
that contract, so a test states its data the way a CSV would (labels and ISO dates) without
going through the loader.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from obc_check.checker.data.bundle import Bundle
from obc_check.checker.data.tables import (
    CaseloadRow,
    IndicatorRow,
    OutcomeRow,
    PaymentRow,
    RowRef,
    SpendRow,
    SubmissionRow,
)
from obc_check.checker.report.formats import ReportFormat, render
from obc_check.checker.report.model import Report
from obc_check.dsl import compile_file, compile_text
from obc_check.model import Contract, Period, find_period

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "contracts"


def _d(x: str | int | None) -> Decimal | None:
    return None if x is None else Decimal(str(x))


def _day(x: str | None) -> dt.date | None:
    return None if x is None else dt.date.fromisoformat(x)


class Kit:
    """Row builders bound to one contract's periods."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self._n = 1

    def _ref(self, table: str) -> RowRef:
        self._n += 1
        return RowRef(f"{table}.csv", self._n)

    def period(self, label: str) -> Period:
        p = find_period(label, self.contract.term.years)
        assert p is not None, label
        return p

    def ind(self, indicator: str, period: str, value: str | int | None = None,
            n: str | int | None = None, d: str | int | None = None) -> IndicatorRow:
        return IndicatorRow(indicator, self.period(period), _d(value), _d(n), _d(d),
                            None if value is None else str(value), self._ref("indicators"))

    def sub(self, obligation: str, period: str, on: str | None) -> SubmissionRow:
        return SubmissionRow(obligation, self.period(period), _day(on), self._ref("submissions"))

    def pay(self, payer: str, payee: str, invoice: str | None, amount: str | int,
            received: str | None, paid: str | None, kind: str = "invoice") -> PaymentRow:
        assert kind in ("invoice", "outcome_share")
        return PaymentRow(payer, payee, invoice, Decimal(str(amount)), _day(received),
                          _day(paid), kind, self._ref("payments"))  # type: ignore[arg-type]

    def spend(self, period: str, cost: str | int) -> SpendRow:
        return SpendRow(self.period(period), Decimal(str(cost)), self._ref("spend"))

    def outcome(self, price: str, period: str, count: int) -> OutcomeRow:
        return OutcomeRow(price, self.period(period), count, self._ref("outcomes"))

    def caseload(self, tier: str, period: str, people: int) -> CaseloadRow:
        return CaseloadRow(tier, self.period(period), people, self._ref("caseload"))

    def bundle(self, *rows: object) -> Bundle:
        tables: dict[str, list[object]] = {}
        kinds = {IndicatorRow: "indicators", SubmissionRow: "submissions",
                 PaymentRow: "payments", SpendRow: "spend", OutcomeRow: "outcomes",
                 CaseloadRow: "caseload"}
        for row in rows:
            tables.setdefault(kinds[type(row)], []).append(row)
        return Bundle("test", **{k: tuple(v) for k, v in tables.items()},  # type: ignore[arg-type]
                      present=frozenset(tables))


def compile_ok(text: str) -> Contract:
    """Compile contract text that must compile."""
    result = compile_text(text, "test.obc")
    assert result.contract is not None, [d.message for d in result.diagnostics]
    return result.contract


@pytest.fixture
def kit() -> Callable[[Contract], Kit]:
    return Kit


@pytest.fixture
def obc() -> Callable[[str], Contract]:
    return compile_ok


def library_report(name: str) -> Report:
    """The report of a library contract at its expected.json as-of date (data path relative).

    As ``check`` makes it: loaded, measured from records by the engine, evaluated.
    """
    from obc_check.checker.check import check_bundle

    with contextlib.chdir(ROOT):  # relative paths in derivations keep goldens portable
        folder = Path("contracts") / name
        contract = compile_file(folder / "contract.obc").contract
        assert contract is not None
        expected = json.loads((folder / "expected.json").read_text())
        report, diags = check_bundle(contract, folder / "data",
                                     dt.date.fromisoformat(expected["as_of"]))
        assert report is not None, diags
    return report


@pytest.fixture
def library_report_of() -> Callable[[str], Report]:
    return library_report


def _money(text: str) -> Decimal:
    return Decimal(text.replace("£", "").replace(",", ""))


def _totals_in(text: str) -> dict[str, Decimal]:
    """Totals as a reader finds them in text or markdown: the Total rows and penalties."""
    out: dict[str, Decimal] = {}
    money = r"(-?£[\d,]+\.\d\d)"
    for line in text.splitlines():
        if re.match(r"^\W*Total\W", line):
            figures = [_money(m) for m in re.findall(money, line)]
            if len(figures) == 4:
                out["at_risk"], out["earned"], out["gateway_withheld"], out["withheld"] = figures
            elif len(figures) == 1:
                out["rate_card"] = figures[0]
        m = re.search(r"Penalties: " + money, line)
        if m:
            out["penalties"] = _money(m.group(1))
        m = re.search(r"Members' total: " + money, line)
        if m:
            out["members"] = _money(m.group(1))
    return out


def totals_of_json(report: Report) -> dict[str, Decimal]:
    data = json.loads(render(report, ReportFormat.json))
    t = data["totals"]
    out = {"penalties": Decimal(data["penalties"])}
    assert Decimal(t["penalties"]) == out["penalties"]
    if "outcome_payment" in data:
        for key in ("at_risk", "earned", "gateway_withheld", "withheld"):
            out[key] = sum((Decimal(y[key]) for y in data["outcome_payment"]), Decimal(0))
            assert Decimal(t[key]) == out[key]
    if "rate_card" in data:
        out["rate_card"] = Decimal(data["rate_card"]["total"])
    if "risk_share" in data:
        out["members"] = sum((Decimal(v) for r in data["risk_share"]
                              for v in r["members"].values()), Decimal(0))
    return out


def assert_totals_agree(report: Report) -> None:
    """Text, markdown and JSON show the same totals."""
    expected = totals_of_json(report)
    assert _totals_in(render(report, ReportFormat.text)) == expected
    assert _totals_in(render(report, ReportFormat.markdown)) == expected


@pytest.fixture
def totals_agree() -> Callable[[Report], None]:
    return assert_totals_agree


@pytest.fixture(scope="module", params=["kernels", "numpy"])
def claim_paths(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each test of a module twice: with the compiled claims kernels, and with numpy's steps.

    A module opts in with ``pytestmark = pytest.mark.usefixtures("claim_paths")``. Without a
    compiled library (no C compiler at install) the kernels' run is skipped; ``make test``
    sets ``OBC_NATIVE=require``, so there it never is.
    """
    from obc_check.checker.data import kernels

    if request.param == "numpy":
        with kernels.numpy_only():
            yield "numpy"
        return
    if not kernels.available():
        pytest.skip("the compiled claims kernels are not built")
    yield "kernels"
