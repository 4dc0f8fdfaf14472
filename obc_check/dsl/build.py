"""Typed syntax (``dsl/syntax.py``) → the compiled :class:`~obc_check.model.Contract`.

The builder knows the whole contract, so it resolves what needs context: schedules against
the term's years, literal kinds against an indicator's unit, weights inside an outcome. What
cannot be represented in the model (a schedule that names a year twice, a `%` where money is
due, a setting given twice) is reported here; rules over a well-formed model live in
``dsl/checks.py``. The builder keeps going after an error so one run reports everything.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any, cast

from obc_check.diagnostics import Diagnostic, Span
from obc_check.dsl.records import MAX_SHIFT, MeasureBuilder, build_dataset
from obc_check.dsl.syntax import Lit, LitKind, RawSchedule, Stmt
from obc_check.dsl.transform import exact_product
from obc_check.model import (
    AllOrNothing,
    Baseline,
    Capitation,
    CapitationTier,
    Contract,
    ContractYear,
    Curve,
    Dataset,
    FlowDownObligation,
    Funding,
    FundingShare,
    Gateway,
    Indicator,
    Linear,
    Member,
    Obligation,
    Outcome,
    OutcomePayment,
    Party,
    PayoutObligation,
    Price,
    PromptPaymentObligation,
    RateCard,
    ReportObligation,
    RiskShare,
    Schedule,
    SpendShareObligation,
    Step,
    Steps,
    Term,
    add_months,
    contract_years,
)

HUNDRED = Decimal(100)
#: The longest term the language accepts; a longer one is almost surely a typo in a year.
MAX_YEARS = 100
#: The most days (or working days) a duty's deadline may be: ten years (E086).
MAX_DAYS = 3660
#: The largest count (``minimum denominator``, ``at most N``): integers above 2^53 - 1 lose
#: digits in JSON readers that hold numbers as doubles (E085).
MAX_COUNT = 2**53 - 1
_KIND_WORDS: dict[LitKind, str] = {"money": "an amount of money like £1,500",
                                   "percent": "a percentage like 15%",
                                   "number": "a plain number like 3.6"}

_KIND_PLURAL: dict[LitKind, str] = {"money": "amounts of money", "percent": "percentages",
                                    "number": "plain numbers"}

# Settings that may appear many times in a block; every other setting at most once.
_REPEATABLE = {"party", "outcome", "indicator", "gateway", "obligation", "text", "price",
               "tier", "payer", "dataset", "field"}


class Builder:
    """Assembles one contract; diagnostics go to ``diags``."""

    def __init__(self, diags: list[Diagnostic]) -> None:
        self.diags = diags
        self.years: tuple[ContractYear, ...] = ()
        self.term_ok = False
        # Codes of static checks that would only echo an error already reported here.
        self.skip: set[str] = set()
        # Statements that were written but could not be built ("annual_value", "JOBS.floor"):
        # the checks must not then report them as missing.
        self.broken: set[str] = set()
        # The contract's datasets by name, built before the indicators that measure them.
        self.datasets: dict[str, Dataset] = {}

    def error(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        """Record one diagnostic."""
        self.diags.append(Diagnostic(code, message, span, hint))

    # ---- helpers ---------------------------------------------------------------------
    def settings(self, block: Stmt) -> dict[str, Stmt]:
        """The block's single settings by keyword; a second one is reported (E007)."""
        seen: dict[str, Stmt] = {}
        for st in block.items:
            if st.name in _REPEATABLE or st.name in _DUTIES:
                continue  # a second duty sentence is reported by `obligation`
            key = _setting_key(st.name)
            if key in seen:
                where = f"line {seen[key].span.line}"
                self.error("E007", f"`{key}` is given twice in the {block.name} block",
                           st.span, f"the first is on {where}; keep one")
                continue
            seen[key] = st
        return seen

    def texts(self, block: Stmt) -> tuple[str, ...]:
        """The block's ``text`` statements in order."""
        return tuple(cast(str, st.args[0]) for st in block.items if st.name == "text")

    def expect_kind(self, lit: Lit, kinds: Iterable[LitKind], what: str) -> bool:
        """Report E015 unless ``lit`` is of one of ``kinds``."""
        kinds = tuple(kinds)
        if lit.kind in kinds:
            return True
        wanted = " or ".join(_KIND_WORDS[k] for k in kinds)
        self.error("E015", f"{what} takes {wanted}, not `{lit.text}`", lit.span,
                   _kind_hint(lit, kinds))
        return False

    def share(self, lit: Lit, what: str) -> Decimal:
        """A ``%`` share as a fraction; outside 0–100% is E019."""
        if lit.kind != "percent":
            self.expect_kind(lit, ("percent",), what)
            return Decimal(0)
        if lit.value > HUNDRED:
            self.error("E019", f"{what} is {lit.text}, more than 100%", lit.span,
                       "a share is between 0% and 100%")
        return percent_to_fraction(lit.value)

    def whole(self, lit: Lit, what: str) -> int:
        """A count or number of days: a whole number ≥ 1 (E023), at most MAX_COUNT (E085)."""
        if lit.kind != "number" or not lit.is_whole or lit.value < 1:
            self.error("E023", f"{what} must be a whole number of at least 1, not `{lit.text}`",
                       lit.span, "counts and days are whole numbers like 15, without `%` or `£`")
            return 1
        if lit.value > MAX_COUNT:
            self.error("E085", f"{what} is more than {MAX_COUNT:,}", lit.span,
                       "a count is written in the compiled JSON as an integer, and JSON "
                       f"readers hold integers exactly only up to {MAX_COUNT:,} (2^53 - 1)")
            return MAX_COUNT
        return int(lit.value)

    def days(self, lit: Lit, what: str) -> int:
        """A number of days in a duty: whole, ≥ 1 and at most :data:`MAX_DAYS` (E086).

        A deadline is added to dates; a count of days past any calendar (or beyond what
        pyarrow's date type holds) crashed ``check``. Ten years is far beyond any duty.
        """
        days = self.whole(lit, what)
        if days > MAX_DAYS:
            self.error("E086", f"{what} is {lit.text}, more than {MAX_DAYS:,}", lit.span,
                       f"a deadline in a contract is at most {MAX_DAYS:,} days (ten years)")
            return MAX_DAYS
        return days

    def schedule(self, raw: RawSchedule, kinds: tuple[LitKind, ...], what: str,
                 per_year_ok: bool = False) -> Schedule | None:
        """Resolve a schedule to one value per contract year (E010, E011, E014, E015)."""
        n = len(self.years)
        entries = raw.entries
        if not entries:  # pragma: no cover - the grammar gives at least one entry
            return None
        if self._grouped_number(raw):
            return None
        # The kind the schedule holds: its first entry of an allowed kind (an entry of the
        # wrong kind is reported as such, and is not also a mix).
        first_kind = next((e.lit.kind for e in entries if e.lit.kind in kinds),
                          entries[0].lit.kind)
        ok = True
        for e in entries:
            if not self.expect_kind(e.lit, kinds, what):
                ok = False
            elif e.lit.kind != first_kind:
                mixed = f"{_KIND_PLURAL[first_kind]} and {_KIND_PLURAL[e.lit.kind]}"
                self.error("E015", f"{what} mixes {mixed}", e.lit.span,
                           "one schedule holds one kind of quantity")
                ok = False
        if raw.per_year and (not per_year_ok or len(entries) > 1):
            if len(entries) > 1:
                self.error("E028", f"`per year` after a per-year list in {what}", raw.span,
                           "drop `per year`: the list already gives each year")
            else:
                self.error("E028", f"`per year` is not used after {what}", raw.span,
                           "drop `per year`: a single value applies to every year")
        if len(entries) == 1 and entries[0].year is None:
            if not ok:
                return None
            count = n if n else 1
            return Schedule(values=(entries[0].lit.value,) * count, uniform=True,
                            span=raw.span)
        if any(e.year is None for e in entries):
            self._unnamed_entries(raw, what)
            return None
        by_year: dict[int, Decimal] = {}
        spans: dict[int, Span] = {}
        for e in entries:
            year = cast(Lit, e.year)
            if not year.is_whole or year.value < 1:
                self.error("E014", f"`year {year.text}` is not a contract year", year.span,
                           _years_hint(n) if self.term_ok else "contract years are numbered "
                           "1, 2, 3, ...")
                ok = False
                continue
            num = int(year.value)
            if self.term_ok and num > n:
                self.error("E014", f"{what} names year {num}, but the term has {n} "
                           f"contract year{'s' if n != 1 else ''}", year.span,
                           _years_hint(n))
                ok = False
                continue
            if num in by_year:
                self.error("E010", f"{what} names year {num} twice", e.span,
                           "give each year once")
                ok = False
                continue
            by_year[num] = e.lit.value
            spans[num] = e.lit.span
        if not self.term_ok:
            return None  # without a term the years cannot be checked (E008/E009 said why)
        count = n
        missing = [y for y in range(1, count + 1) if y not in by_year]
        if missing and ok:
            listed = ", ".join(f"year {y}" for y in missing)
            self.error("E011", f"{what} does not give {listed}", raw.span,
                       "a list must name every contract year exactly once, or give one value "
                       "for every year")
            return None
        if not ok or missing:
            return None
        values = tuple(by_year[y] for y in range(1, count + 1))
        return Schedule(values=values, uniform=False, span=raw.span,
                        spans=tuple(spans[y] for y in range(1, count + 1)))

    def _grouped_number(self, raw: RawSchedule) -> bool:
        """E004 for ``1,200`` or ``1,200%``: a number written with a thousands separator.

        The grammar reads it as a list of two values; the tell is a comma with no space and
        three digits after it, where the first value names no year.
        """
        entries = raw.entries
        found = False
        for a, b in itertools.pairwise(entries):
            sa, sb = a.lit.span, b.lit.span
            if (a.year is None and sa.end_line == sb.line and sb.column == sa.end_column + 1
                    and a.lit.kind == "number" and b.lit.kind in ("number", "percent")
                    and re.fullmatch(r"[0-9]{3}%?", b.lit.text)):
                joined = f"{a.lit.text},{b.lit.text}"
                plain = joined.replace(",", "")
                self.error("E004", f"`{joined}`: numbers take no thousands separators",
                           sa, f"write {plain}")
                found = True
        return found

    def _unnamed_entries(self, raw: RawSchedule, what: str) -> None:
        bad = next(e for e in raw.entries if e.year is None)
        self.error("E011", f"a list of values for {what} must give each one a year", bad.span,
                   "write `V in year 1, V in year 2, ...`, or one value for every year")

    # ---- the contract ----------------------------------------------------------------
    def contract(self, root: Stmt) -> Contract | None:
        """Assemble the whole contract; None if it cannot be represented."""
        s = self.settings(root)
        self.namespace(root)
        if sum(1 for st in root.items if st.name == "term") == 1:
            self.term(root, s.get("term"))
        # Two terms (E007): which one the author meant is unknown, so no schedule is checked
        # against either; errors computed from a guess would bury the one that matters.
        for name in ("version", "currency", "term"):
            if name not in s:
                self.error("E008", f"the contract has no `{name}`", root.ident_span,
                           _REQUIRED_HINT[name])
        currency = s.get("currency")
        if currency is not None and currency.args[0] != "GBP":
            self.error("E026", f"currency `{currency.args[0]}` is not supported",
                       cast(Span, currency.args[1]), "write `currency GBP`")
        parties = tuple(self.party(st) for st in root.items if st.name == "party")
        if not any(p.role == "commissioner" for p in parties):
            self.error("E008", "the contract has no party with role commissioner",
                       root.ident_span, 'add e.g. `party CCG "Name" role commissioner sector nhs`')
        annual = self.money_schedule(s.get("annual_value"), "annual_value")
        if annual is None and "annual_value" in s:
            self.broken.add("annual_value")
        pay = self.outcome_payment(s.get("outcome_payment"), annual)
        datasets = tuple(build_dataset(st, self.settings(st), self.error)
                         for st in root.items if st.name == "dataset")
        self.datasets = {d.id: d for d in datasets}
        outcomes = tuple(self.outcome(st) for st in root.items if st.name == "outcome")
        free = tuple(self.indicator(st, None, None) for st in root.items
                     if st.name == "indicator")
        units = {i.id: i.unit for o in outcomes for i in o.indicators}
        units.update({i.id: i.unit for i in free})
        gateways = tuple(self.gateway(st, units) for st in root.items if st.name == "gateway")
        obligations = tuple(o for o in (self.obligation(st) for st in root.items
                                        if st.name == "obligation") if o is not None)
        risk = self.risk_share(s["risk_share"]) if "risk_share" in s else None
        card = self.rate_card(s["rate_card"]) if "rate_card" in s else None
        capitation = self.capitation(s["capitation"]) if "capitation" in s else None
        funding = self.funding(s["funding"]) if "funding" in s else None
        start = self._term_dates(s.get("term"))
        term = Term(start=start[0], end=start[1], years=self.years,
                    span=s["term"].span if "term" in s else None)
        version = cast(str, s["version"].args[0]) if "version" in s else ""
        agreement = cast(str, s["agreement"].args[0]) if "agreement" in s else None
        return Contract(
            id=cast(str, root.ident), title=cast(str, root.args[0]), version=version,
            agreement=agreement,
            term=term, parties=parties, annual_value=annual, outcome_payment=pay,
            risk_share=risk, rate_card=card, capitation=capitation, funding=funding,
            text=self.texts(root), outcomes=outcomes, indicators=free, gateways=gateways,
            obligations=obligations, datasets=datasets, span=root.span)

    def namespace(self, root: Stmt) -> None:
        """E005: each identifier is declared once (reported at the second).

        Parties, outcomes, indicators, prices, gateways, obligations and datasets share one
        namespace.
        """
        decls: list[Stmt] = []
        for st in root.items:
            if st.name in {"party", "outcome", "indicator", "gateway", "obligation", "dataset"}:
                decls.append(st)
                decls.extend(x for x in st.items if x.name == "indicator")
            elif st.name == "rate_card":
                decls.extend(x for x in st.items if x.name == "price")
            elif st.name == "capitation":
                # a tier given twice in the block is E061 (``capitation``), not also E005
                tiers = {cast(str, x.ident): x for x in reversed(st.items) if x.name == "tier"}
                decls.extend(tiers.values())
        decls.sort(key=lambda x: _pos(x.ident_span))
        first: dict[str, Stmt] = {}
        for st in decls:
            ident = cast(str, st.ident)
            if ident not in first:
                first[ident] = st
                continue
            other = first[ident]
            line = other.ident_span.line if other.ident_span else 0
            self.error("E005", f"`{ident}` is declared twice: this {_decl_word(st)}, and the "
                       f"{_decl_word(other)} on line {line}", st.ident_span,
                       "parties, outcomes, indicators, prices, capitation tiers, gateways, "
                       "obligations and datasets share one namespace; rename one of them")

    def _term_dates(self, st: Stmt | None) -> tuple[dt.date, dt.date]:
        if self.years:
            return self.years[0].start, self.years[-1].end
        if st is not None:
            a, b = (cast(tuple[dt.date | None, Span], x)[0] for x in st.args)
            if a is not None and b is not None:
                return a, b
        return dt.date(2000, 1, 1), dt.date(2000, 12, 31)

    def term(self, root: Stmt, st: Stmt | None) -> None:
        """Resolve the contract years (E009) before anything that needs them."""
        if st is None:
            return
        (start, _s_span), (end, e_span) = cast(
            tuple[tuple[dt.date | None, Span], tuple[dt.date | None, Span]], st.args)
        if start is None or end is None:
            return
        if end <= start:
            self.error("E009", f"the term ends on {end}, before it starts on {start}", e_span,
                       "write `term START to END` with END after START")
            return
        if end.year - start.year > MAX_YEARS:
            self.error("E009", f"the term {start} to {end} runs more than {MAX_YEARS} years",
                       e_span, "check the years of the term")
            return
        try:
            years = contract_years(start, end)
        except (ValueError, OverflowError):  # a year boundary after 9999-12-31
            years = None
        if years is None:
            n = max(1, round((end - start).days / 365.25))
            plural = "s" if n != 1 else ""
            try:
                suggestion = (f", e.g. {add_months(start, 12 * n) - dt.timedelta(days=1)} "
                              f"for {n} year{plural}")
            except (ValueError, OverflowError):
                suggestion = " (and no contract year may end after 9999-12-31)"
            self.error("E009", f"the term {start} to {end} is not a whole number of contract "
                       "years", e_span,
                       f"each contract year runs twelve months from {start.day} "
                       f"{start:%B}, so the term ends on the day before an anniversary of its "
                       f"start{suggestion}")
            return
        self.years = years
        self.term_ok = True

    def party(self, st: Stmt) -> Party:
        """``party ID "Name" role R sector S``."""
        name, role, sector = st.args
        return Party(id=cast(str, st.ident), name=cast(str, name), role=cast(Any, role),
                     sector=cast(Any, sector), span=st.ident_span)

    def money_schedule(self, st: Stmt | None, what: str) -> Schedule | None:
        """A schedule of money (annual_value, budget, member loss cap)."""
        if st is None:
            return None
        return self.schedule(cast(RawSchedule, st.args[0]), ("money",), what,
                             per_year_ok=True)

    def outcome_payment(self, st: Stmt | None, annual: Schedule | None) -> OutcomePayment | None:
        """The pot: a share of the annual value, or sums of money."""
        if st is None:
            return None
        raw = cast(RawSchedule, st.args[0])
        sched = self.schedule(raw, ("percent", "money"), "outcome_payment", per_year_ok=True)
        if sched is None:
            self.broken.add("outcome_payment")
            return None
        if raw.entries[0].lit.kind == "percent":
            for e in raw.entries:
                self.share(e.lit, "outcome_payment")
            shares = Schedule(values=tuple(percent_to_fraction(v) for v in sched.values),
                              uniform=sched.uniform, span=sched.span)
            pot: tuple[Decimal, ...]
            if annual is None:
                if "annual_value" not in self.broken:
                    self.error("E024", "outcome_payment is a share of annual_value, but the "
                               "contract has no annual_value", st.span,
                               "add e.g. `annual_value £45,000,000`, or give the pot in £")
                pot = tuple(Decimal(0) for _ in shares.values)
            else:
                last = len(annual.values) - 1
                pot = tuple(pounds(exact_product(share, annual.values[min(i, last)]))
                            for i, share in enumerate(shares.values))
            return OutcomePayment(basis="share_of_annual_value", schedule=shares, pot=pot,
                                  span=st.span)
        return OutcomePayment(basis="amount", schedule=sched,
                              pot=tuple(pounds(v) for v in sched.values), span=st.span)

    # ---- outcomes and indicators -----------------------------------------------------
    def outcome(self, st: Stmt) -> Outcome:
        """An outcome and its indicators, with indicator weights resolved (E013)."""
        s = self.settings(st)
        weight = Decimal(0)
        if "weight" in s:
            weight = self.share(cast(Lit, s["weight"].args[0]), f"the weight of {st.ident}")
        else:
            self.error("E029", f"outcome {st.ident} has no weight", st.ident_span,
                       f'write `outcome {st.ident} "..." weight 15% {{`')
            self.skip.add("E012")  # the sum of weights means nothing with one missing
        inds = [x for x in st.items if x.name == "indicator"]
        declared = [x for x in inds if any(i.name == "weight" for i in x.items)]
        weights: list[Fraction | None]
        if not declared:
            weights = [Fraction(1, len(inds))] * len(inds) if inds else []
        else:
            weights = []
            for x in inds:
                w = next((i for i in x.items if i.name == "weight"), None)
                weights.append(Fraction(self.share(cast(Lit, w.args[0]),
                                                   f"the weight of {x.ident}"))
                               if w is not None else None)
            if len(declared) != len(inds):
                miss = next(x for x in inds if x not in declared)
                self.error("E013", f"indicator {miss.ident} in outcome {st.ident} has no "
                           "weight, but others do", miss.ident_span,
                           "give every indicator of the outcome a weight, or none (then "
                           "they share equally)")
            else:
                total = sum((w for w in weights if w is not None), Fraction(0))
                if total != 1:
                    listed = ", ".join(f"{x.ident} {_pct_text(x)}" for x in inds)
                    hint = f"the weights are {listed}"
                    if len(inds) > 1 and len(set(weights)) == 1:
                        # 33% three times: the author meant equal shares.
                        hint += (f"; to share the outcome equally, leave out every weight "
                                 f"(each indicator then carries exactly 1/{len(inds)})")
                    self.error("E013", f"indicator weights in outcome {st.ident} add up to "
                               f"{_fmt_pct(total * 100)}, not 100%", st.ident_span, hint)
        if not inds:
            self.error("E008", f"outcome {st.ident} has no indicator", st.ident_span,
                       "an outcome is paid on one or more indicators")
        indicators = tuple(self.indicator(x, st.ident, w) for x, w in zip(inds, weights,
                                                                           strict=True))
        return Outcome(id=cast(str, st.ident), title=cast(str, st.args[0]), weight=weight,
                       indicators=indicators, text=self.texts(st), span=st.ident_span)

    def indicator(self, st: Stmt, outcome: str | None, weight: Fraction | None) -> Indicator:
        """One indicator; thresholds are checked against its unit (E015)."""
        s = self.settings(st)
        name = cast(str, st.ident)
        if outcome is None and "weight" in s:
            self.error("E031", f"indicator {name} stands outside any outcome, so it is not paid "
                       "and takes no weight", s["weight"].span,
                       "drop the weight, or move the indicator into an outcome to pay for it")
        unit = cast(Any, s["unit"].args[0]) if "unit" in s else None
        if unit is None:
            self.error("E030", f"indicator {name} has no unit", st.ident_span,
                       "add e.g. `unit percent` (or ratio, score, rate, count, days)")
        kinds: tuple[LitKind, ...] = ("percent",) if unit == "percent" else ("number",)
        if unit is None:
            kinds = ("percent", "number")
        declared = None
        if "weight" in s and outcome is not None:
            declared = percent_to_fraction(cast(Lit, s["weight"].args[0]).value)
        floor = target = None
        if "floor" in s:
            floor = self.schedule(cast(RawSchedule, s["floor"].args[0]), kinds,
                                  f"the floor of {name}")
            if floor is None:
                self.broken.add(f"{name}.floor")
        if "target" in s:
            target = self.schedule(cast(RawSchedule, s["target"].args[0]), kinds,
                                   f"the target of {name}")
            if target is None:
                self.broken.add(f"{name}.target")
        baseline = None
        if "baseline" in s:
            lit, (label, _span) = cast(tuple[Lit, tuple[str | None, Span]], s["baseline"].args)
            self.expect_kind(lit, kinds, f"the baseline of {name}")
            baseline = Baseline(value=lit.value, period=label or "", span=s["baseline"].span)
        curve: Curve = Linear()
        if "pays" in s:
            curve = self.curve(s["pays"], kinds, name)
        minimum = None
        if "minimum denominator" in s:
            minimum = self.whole(cast(Lit, s["minimum denominator"].args[0]),
                                 "the minimum denominator")
        missing = Decimal(0)
        if "if missing pay" in s:
            missing = self.share(cast(Lit, s["if missing pay"].args[0]), "if missing pay")
        direction = cast(Any, s["direction"].args[0]) if "direction" in s else None
        rounding = self.places(s["value rounded"]) if "value rounded" in s else None
        measure = None
        if "measure" in s:
            m = s["measure"]
            measure = MeasureBuilder(self.datasets, self.error).measure(
                m, self.settings(m), name, unit, s.get("minimum denominator"))
            if measure is None:
                self.broken.add(f"{name}.measure")
        return Indicator(
            id=name, title=cast(str, st.args[0]), outcome=outcome, declared_weight=declared,
            weight=weight, unit=unit, direction=direction, baseline=baseline, floor=floor,
            target=target, curve=curve, curve_declared="pays" in s,
            minimum_denominator=minimum, if_missing_pay=missing,
            if_missing_declared="if missing pay" in s, rounding=rounding,
            measure=measure, text=self.texts(st),
            span=st.ident_span)

    def places(self, st: Stmt) -> int | None:
        """``value rounded to N decimal places``: N is a whole number from 0 to 6 (E080)."""
        lit = cast(Lit, st.args[0])
        if not lit.is_whole or lit.value > MAX_PLACES:
            self.error("E080", f"a value can be rounded to 0 to {MAX_PLACES} decimal places, "
                       f"not {lit.text}", lit.span,
                       "write e.g. `value rounded to 1 decimal place`; NHS specifications "
                       "state most indicators to one place")
            return None
        return int(lit.value)

    def curve(self, st: Stmt, kinds: tuple[LitKind, ...], name: str) -> Curve:
        """``pays linear | all or nothing | in steps ...``."""
        kind, raw = cast(tuple[str, list[tuple[Lit, Lit, Span]]], st.args[0])
        if kind == "linear":
            return Linear(span=st.span)
        if kind == "all_or_nothing":
            return AllOrNothing(span=st.span)
        steps = []
        for share, threshold, span in raw:
            s_val = self.share(share, f"a step of {name}")
            if not self.expect_kind(threshold, kinds, f"a step threshold of {name}"):
                self.broken.add(f"{name}.curve")
            steps.append(Step(share=s_val, threshold=threshold.value, span=span))
        return Steps(steps=tuple(steps), span=st.span)

    # ---- gateways, risk share, rate card ---------------------------------------------
    def gateway(self, st: Stmt, units: Mapping[str, str | None]) -> Gateway:
        """``gateway`` with its ``requires`` and ``otherwise`` lines (E008 if absent)."""
        s = self.settings(st)
        indicator, comparison, threshold, withhold = "", "at_least", Decimal(0), Decimal(0)
        req_span = None
        for key, example in (("requires", "requires DQMI at least 95%"),
                             ("otherwise", "otherwise withhold 50% of outcome_payment")):
            if key not in s:
                self.error("E008", f"gateway {st.ident} has no `{key}` line", st.ident_span,
                           f"add e.g. `{example}`")
        if "requires" in s:
            indicator, ind_span, comparison, lit = cast(tuple[str, Span, str, Lit],
                                                        s["requires"].args)
            threshold = lit.value
            req_span = ind_span
            unit = units.get(indicator)
            if unit is not None:
                kinds: tuple[LitKind, ...] = ("percent",) if unit == "percent" else ("number",)
                if not self.expect_kind(lit, kinds, f"the level of {indicator} ({unit})"):
                    self.broken.add(f"gateway:{st.ident}")
        if "otherwise" in s:
            withhold = self.share(cast(Lit, s["otherwise"].args[0]), "the share withheld")
        return Gateway(id=cast(str, st.ident), title=cast(str, st.args[0]), indicator=indicator,
                       comparison=cast(Any, comparison), threshold=threshold, withhold=withhold,
                       text=self.texts(st), span=req_span or st.ident_span)

    def risk_share(self, st: Stmt) -> RiskShare | None:
        """``risk_share { budget, commissioner share, members, member loss cap }``."""
        s = self.settings(st)
        for key in ("budget", "commissioner share", "members"):
            if key not in s:
                self.error("E008", f"risk_share has no `{key}`", st.span,
                           _REQUIRED_HINT.get(key))
        written = s.get("budget")
        from_capitation = written is not None and written.args[0] == "capitation"
        budget = None if from_capitation else self.money_schedule(written, "budget")
        cap = self.money_schedule(s.get("member loss cap"), "member loss cap")
        share = Decimal(0)
        if "commissioner share" in s:
            share = self.share(cast(Lit, s["commissioner share"].args[0]), "commissioner share")
        members: list[Member] = []
        if "members" in s:
            for ident, span, lit in cast(tuple[tuple[str, Span, Lit], ...], s["members"].args):
                if any(m.party == ident for m in members):
                    self.error("E005", f"risk_share lists member {ident} twice", span,
                               "name each member once, with its whole share")
                    self.skip.add("E022")
                    continue
                members.append(Member(party=ident, share=self.share(lit, f"{ident}'s share"),
                                      span=span))
        if budget is None and not from_capitation:
            return None
        return RiskShare(budget=budget, budget_basis="capitation" if from_capitation else "amount",
                         commissioner_share=share, members=tuple(members),
                         member_loss_cap=cap, text=self.texts(st), span=st.span,
                         budget_span=written.span if written is not None else None)

    def rate_card(self, st: Stmt) -> RateCard | None:
        """``rate_card { cap ..., price ... }``."""
        s = self.settings(st)
        cap = Decimal(0)
        cap_lit: Lit | None = None
        if "cap" not in s:
            self.error("E008", "rate_card has no `cap ... over term`", st.span,
                       "add e.g. `cap £1,800,000 over term`")
        else:
            cap_lit = cast(Lit, s["cap"].args[0])
            cap = cap_lit.value
        prices = []
        for p in (x for x in st.items if x.name == "price"):
            title, amount, per, limit, once = cast(
                tuple[str, Lit, str, Lit | None, Span | None], p.args)
            at_most = self.whole(limit, f"the `at most` count of {p.ident}") if limit else None
            prices.append(Price(id=cast(str, p.ident), title=title, amount=amount.value,
                                per=per, at_most=at_most, once_per_person=once is not None,
                                span=p.ident_span))
        if not prices:
            self.error("E008", "rate_card has no price", st.span,
                       'add e.g. `price ENTRY "Entered settled accommodation" £1,500 per person`')
        person_cap: Decimal | None = None
        if "cap per person" in s:
            person_cap = cast(Lit, s["cap per person"].args[0]).value
        months: int | None = None
        if "claims within" in s:
            lit = cast(Lit, s["claims within"].args[0])
            months = self.whole(lit, "the claim window (`claims within N months of start`)")
            most = MAX_SHIFT["months"]  # a start date moved as a condition moves one (E086)
            if months > most:
                # beyond any contract; 99,999 months past a start passes year 9999, which
                # stopped `render` (its example of the month rule) with an internal error
                self.error("E086", f"the claim window is {lit.text} months, more than "
                           f"{most:,}", lit.span,
                           f"a claim window is at most 1,000 years ({most:,} months)")
                months = most
        card = RateCard(cap=cap, prices=tuple(prices), person_cap=person_cap,
                        claim_months=months, text=self.texts(st), span=st.span)
        if cap_lit is not None and card.person_level and cap > RateCard.MAX_CAP:
            # a card with person-level rules is paid from claims, whose rules count pence
            # in 64-bit integers, every amount clipped to the term cap + 1p: the cap must
            # fit (checker/rules/claims.py). Counts of outcomes are Decimal: no bound.
            bound = f"£{RateCard.MAX_CAP:,}"
            self.error("E063", f"the term cap {cap_lit.text} is more than {bound}, and the "
                       "rate card is paid from claims (it has person-level rules)",
                       cap_lit.span, f"a term cap is at most {bound} (10^16 pounds) when "
                       "claims are paid: in whole pence, counted exactly in 64-bit integers")
            card = card.model_copy(update={"cap": RateCard.MAX_CAP})
        return card

    def capitation(self, st: Stmt) -> Capitation:
        """``capitation { price TIER "Title" £X per person per year ... }`` (RECORDS.md).

        A tier given twice is E061 at the second: which price the author meant is unknown,
        so the first is kept and the contract does not compile.
        """
        tiers: list[CapitationTier] = []
        first: dict[str, Stmt] = {}
        for t in (x for x in st.items if x.name == "tier"):
            ident = cast(str, t.ident)
            if ident in first:
                seen = first[ident].ident_span
                line = seen.line if seen is not None else 0
                self.error("E061", f"capitation tier {ident} is declared twice (first on "
                           f"line {line})", t.ident_span,
                           "give each tier one price; rename or remove the second")
                continue
            first[ident] = t
            title, amount = cast(tuple[str, Lit], t.args)
            tiers.append(CapitationTier(id=ident, title=title, annual_price=amount.value,
                                        span=t.ident_span))
        if not tiers:
            self.error("E008", "capitation has no price", st.span,
                       'add e.g. `price TIER1 "One long-term condition" £1,200 per person '
                       'per year`')
        return Capitation(tiers=tuple(tiers), text=self.texts(st), span=st.span)

    def funding(self, st: Stmt) -> Funding:
        """``funding { ID pays P% [, at most £X over term] ... }`` (TERMS.md)."""
        payers: list[FundingShare] = []
        for p in (x for x in st.items if x.name == "payer"):
            ident = cast(str, p.ident)
            share_lit, cap_lit = cast(tuple[Lit, Lit | None], p.args)
            if any(q.party == ident for q in payers):
                self.error("E005", f"funding lists {ident} twice", p.ident_span,
                           "name each payer once, with its whole share")
                self.skip.add("E083")  # the shares' sum means nothing with a payer twice
                continue
            share = self.share(share_lit, f"{ident}'s share")
            cap = cap_lit.value if cap_lit is not None else None
            payers.append(FundingShare(party=ident, share=share, cap=cap, span=p.ident_span))
        if not payers:
            self.error("E008", "funding names no payer", st.span,
                       "add e.g. `DFE pays 40%, at most £2,250,000 over term`")
        return Funding(payers=tuple(payers), text=self.texts(st), span=st.span)

    # ---- obligations -----------------------------------------------------------------
    def obligation(self, st: Stmt) -> Obligation | None:
        """One obligation: exactly one duty sentence, an optional penalty."""
        duties = [x for x in st.items if x.name in _DUTIES]
        for extra in duties[1:]:
            self.error("E007", f"obligation {st.ident} has a second duty sentence", extra.span,
                       "write one obligation block per duty")
        s = self.settings(st)
        penalty = cap = penalty_span = None
        basis = "per_breach"
        if "penalty" in s:
            amount, basis, cap_lit = cast(tuple[Lit, str, Lit | None], s["penalty"].args)
            penalty = amount.value
            cap = cap_lit.value if cap_lit is not None else None
            penalty_span = s["penalty"].span
        if not duties:
            self.error("E008", f"obligation {st.ident} has no duty sentence", st.ident_span,
                       "add e.g. `OH shall report within 15 working days after each quarter`")
            return None
        d = duties[0]
        common: dict[str, Any] = {
            "id": st.ident, "title": st.args[0], "party": d.ident, "penalty": penalty,
            "penalty_basis": basis, "penalty_cap": cap, "penalty_span": penalty_span,
            "text": self.texts(st), "span": d.ident_span}
        if d.name == "report":
            days, each = cast(tuple[Lit, str], d.args)
            return ReportObligation(working_days=self.days(days, "the number of working days"),
                                    each=cast(Any, each), **common)
        if d.name == "spend_share":
            share, sector, to = cast(tuple[Lit, str | None, tuple[str, Span] | None], d.args)
            return SpendShareObligation(share=self.share(share, "the share of annual_value"),
                                        sector=cast(Any, sector), to=to[0] if to else None,
                                        to_span=to[1] if to else None, **common)
        if d.name == "payout":
            return PayoutObligation(days=self.days(cast(Lit, d.args[0]), "the number of days"),
                                    **common)
        if d.name == "prompt_payment":
            return PromptPaymentObligation(days=self.days(cast(Lit, d.args[0]),
                                                          "the number of days"),
                                           **common)
        share, days, to = cast(tuple[Lit, Lit, tuple[str, Span] | None], d.args)
        return FlowDownObligation(share=self.share(share, "the share of earned outcome_payment"),
                                  days=self.days(days, "the number of days"),
                                  to=to[0] if to else None, to_span=to[1] if to else None,
                                  **common)


_DUTIES = {"report", "spend_share", "prompt_payment", "flow_down", "payout"}

#: TERMS.md: a value is rounded to at most this many decimal places.
MAX_PLACES = 6

_REQUIRED_HINT: dict[str, str] = {
    "version": 'add e.g. `version "1.0"`',
    "currency": "add `currency GBP`",
    "term": "add e.g. `term 2015-04-01 to 2018-03-31`",
    "budget": "add e.g. `budget £150,000,000 per year`",
    "commissioner share": "add e.g. `commissioner share 50%`",
    "members": "add e.g. `members OUH 55%, OH 45%`",
}


def _years_hint(n: int) -> str:
    return "the term has only year 1" if n == 1 else f"the term's years run from 1 to {n}"


def _decl_word(st: Stmt) -> str:
    """What a declaration is called in messages (a capitation ``tier`` is written ``price``)."""
    return "capitation tier" if st.name == "tier" else st.name


def _pos(span: Span | None) -> tuple[int, int]:
    return (span.line, span.column) if span is not None else (0, 0)


def _setting_key(name: str) -> str:
    return "duty" if name in _DUTIES else name


def percent_to_fraction(value: Decimal) -> Decimal:
    """``15`` (percentage points) → ``0.15``, exactly.

    Decimal division rounds to the context's precision (28 digits by default); a long written
    number must not be rounded, so the division runs with as many digits as it needs.
    """
    with localcontext() as ctx:
        ctx.prec = len(value.as_tuple().digits) + 4
        return value / HUNDRED


def pounds(value: Decimal) -> Decimal:
    """Money with two decimals when it is whole pence (``4500000.0`` → ``4500000.00``).

    A pot that is not a whole number of pence (2.5% of £1,000.30) keeps every digit: the
    checker rounds earned amounts, never the pot.
    """
    with localcontext() as ctx:
        ctx.prec = len(value.as_tuple().digits) + 4
        pence = value.quantize(Decimal("0.01"))
        return pence if pence == value else value.normalize()


def _kind_hint(lit: Lit, kinds: tuple[LitKind, ...]) -> str:
    if "percent" in kinds and lit.kind == "number":
        if 0 < lit.value < 1:  # a fraction: 0.95 means 95%, and `0.95%` would never bite
            points = f"{(lit.value * 100).normalize():f}%"
            return f"percentages are written in points: write {points} (not {lit.text}%)"
        return f"write {lit.text}%"
    if kinds == ("number",) and lit.kind == "percent":
        return f"this indicator's unit is not percent: write {lit.text[:-1]}"
    if "money" in kinds and lit.kind == "number":
        amount = f"{lit.value:,}" if lit.is_whole else lit.text
        return f"write money with `£`, e.g. £{amount}"
    if "money" in kinds:
        return "this takes an amount of money in £, not a share"
    if lit.kind == "money" and kinds in {("number",), ("percent",)}:
        written = lit.text[1:].replace(",", "")
        if written[-1:] in ("m", "k"):
            written = format(lit.value.normalize(), "f")
        return f"a threshold is not money: write {written}{'%' if 'percent' in kinds else ''}"
    return "check the unit"


def _fmt_pct(value: Fraction) -> str:
    d = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{d.normalize():f}%"


def _pct_text(st: Stmt) -> str:
    w = next((i for i in st.items if i.name == "weight"), None)
    return cast(Lit, w.args[0]).text if w is not None else "(none)"


def build(root: Stmt, diags: list[Diagnostic]) -> Contract | None:
    """Assemble ``root`` into a contract, appending diagnostics to ``diags``."""
    return Builder(diags).contract(root)


def build_and_check(root: Stmt, diags: list[Diagnostic]) -> Contract | None:
    """Build, then run every static check that would not merely echo a build error."""
    from obc_check.dsl.checks import run_checks

    builder = Builder(diags)
    contract = builder.contract(root)
    if contract is not None:
        diags.extend(run_checks(contract, skip=frozenset(builder.skip),
                                broken=frozenset(builder.broken)))
    return contract
