"""Two compiled contracts → :class:`~obc_check.diff.changes.Changes`.

Items with identifiers (parties, outcomes, indicators, gateways, prices, obligations, risk
share members) are matched by identifier, schedules by contract year. Only meaning is
compared: how a schedule was written (one value or a list), the precision of a literal
(``20`` or ``20.0``) and the order of statements are not changes. The effect of each change
is decided by the rules in ``diff/rules.py``; docs/diff.md lists them per field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Any, TypeVar

from obc_check.checker.data.money import as_money, difference
from obc_check.diff import values as fmt
from obc_check.diff.changes import (
    Change,
    Changes,
    ContractRef,
    Effect,
    Kind,
    PotYear,
    Section,
    Summary,
)
from obc_check.diff.records import Found, dataset_changes, measure_changes
from obc_check.diff.rules import (
    PERIOD_RANK,
    Payout,
    Rule,
    by_size,
    compare_payouts,
    opposite,
    optional,
    payout,
    pays_where,
    rising,
)
from obc_check.model import (
    AllOrNothing,
    CapitationTier,
    Contract,
    FlowDownObligation,
    Funding,
    Gateway,
    Indicator,
    Obligation,
    Outcome,
    PayoutObligation,
    Price,
    PromptPaymentObligation,
    ReportObligation,
    RiskShare,
    Schedule,
    SpendShareObligation,
    Steps,
)

T = TypeVar("T")

# The rules' reasons that do not fit on a line where they are used (docs/diff.md).
WHY: dict[str, str] = {
    "annual_value": "the annual value is what the provider is paid: more is looser, less stricter",
    "budget": "a larger budget is looser (a gain likelier, a loss less likely), a smaller "
              "one stricter",
    "loss_cap": "the members bear loss up to the cap: raising it is stricter, lowering it looser",
    "rate_cap": "more can be earned under a higher cap: raising it is looser, lowering it stricter",
    "price": "a price is a way to be paid: adding one is looser, removing one stricter",
    "tier": "a capitation tier is a way to be paid: adding one is looser, removing one stricter",
    "budget_basis": "the budget is now set by the caseload (or by a sum): which is larger "
                    "depends on the caseload",
    "at_most": "a count cap limits what can be earned: adding or lowering one is stricter",
    "person_cap": "a cap per person limits what one person earns: adding or lowering one is "
                  "stricter, raising or dropping it looser",
    "claim_window": "claims count only within the window from a person's start: adding or "
                    "shortening one is stricter, lengthening or dropping it looser",
    "once": "paid once per person, a repeat outcome earns nothing: adding it is stricter, "
            "dropping it looser",
    "obligation": "an obligation is a duty the provider can breach: adding one is stricter",
    "penalty": "a penalty added or raised is stricter, one dropped or lowered looser",
    "spend_share": "a larger share to pay is stricter, a smaller one looser",
}
Num = Decimal | Fraction | int


def diff_contracts(old: Contract, new: Contract) -> Changes:
    """Everything that changed from ``old`` to ``new``, in contract terms."""
    d = _Differ(old, new)
    d.contract()
    d.parties()
    d.money()
    d.outcomes()
    d.datasets()
    d.gateways()
    d.risk_share()
    d.rate_card()
    d.capitation()
    d.funding()
    d.obligations()
    counts = {e: sum(1 for c in d.changes if c.effect == e)
              for e in ("stricter", "looser", "neutral")}
    counts["breaks_data"] = sum(1 for c in d.changes if c.breaks_data)
    return Changes(old=_ref(old), new=_ref(new), summary=Summary(**counts),
                   changes=tuple(d.changes), pot=_pot(old, new))


def _ref(c: Contract) -> ContractRef:
    return ContractRef(id=c.id, title=c.title, version=c.version)


def _label(old: Contract, new: Contract, year: int) -> str:
    years = new.term.years if year <= len(new.term.years) else old.term.years
    return years[year - 1].label if year <= len(years) else f"year {year}"


def _pot(old: Contract, new: Contract) -> tuple[PotYear, ...]:
    """The maximum outcome payment per year, old and new."""
    if old.outcome_payment is None and new.outcome_payment is None:
        return ()
    rows = []
    for y in range(1, max(len(old.term.years), len(new.term.years)) + 1):
        a = _pot_in(old, y)
        b = _pot_in(new, y)
        change = difference(b or Decimal(0), a or Decimal(0))  # every digit, not 28
        effect: Effect = "neutral" if change == 0 else by_size(0, change, "stricter")
        rows.append(PotYear(year=y, year_label=_label(old, new, y), old=fmt.pounds2(a),
                            new=fmt.pounds2(b), change=f"{change:+.2f}", effect=effect))
    return tuple(rows)


def _pot_in(c: Contract, year: int) -> Decimal | None:
    if c.outcome_payment is None or year > len(c.term.years):
        return None
    pot = c.outcome_payment.pot
    return pot[min(year, len(pot)) - 1]


def _keyed(old: Sequence[T], new: Sequence[T], key: Callable[[T], str],
           ) -> list[tuple[str, T | None, T | None]]:
    """Pairs matched by key: old order first, then what is only new, in new order."""
    a = {key(x): x for x in old}
    b = {key(x): x for x in new}
    order = [key(x) for x in old] + [key(x) for x in new if key(x) not in a]
    return [(k, a.get(k), b.get(k)) for k in order]


class _Differ:
    """Collects the changes of one comparison, section by section."""

    def __init__(self, old: Contract, new: Contract) -> None:
        self.old = old
        self.new = new
        self.changes: list[Change] = []

    # ---- recording ---------------------------------------------------------------------
    def add(self, section: Section, path: str, subject: str, field: str, kind: Kind,
            old: str | None, new: str | None, effect: Effect, why: str,
            year: int | None = None, breaks_data: bool = False) -> None:
        """Record one change."""
        label = _label(self.old, self.new, year) if year is not None else None
        self.changes.append(Change(section=section, path=path, subject=subject, field=field,
                                   year=year, year_label=label, kind=kind, old=old, new=new,
                                   effect=effect, why=why, breaks_data=breaks_data))

    def item(self, section: Section, path: str, subject: str, old: object, new: object,
             show: Callable[[Any], str], added: Effect, why: str,
             named_in_data: str | None = None) -> bool:
        """An item present on one side only; True when it is on both sides.

        ``named_in_data`` says which data rows name such an item by its identifier: removing
        it breaks them (they fail to load with D009), whatever it means for the provider.
        """
        if old is None and new is not None:
            self.add(section, path, subject, "", "added", None, show(new), added, why)
        elif new is None and old is not None:
            key = path.split(".", 1)[-1]
            gone = (f"{why}; data rows naming {key} ({named_in_data}) no longer load"
                    if named_in_data else why)
            self.add(section, path, subject, "", "removed", show(old), None, opposite(added),
                     gone, breaks_data=named_in_data is not None)
        return old is not None and new is not None

    def value(self, section: Section, path: str, subject: str, field: str, old: T | None,
              new: T | None, show: Callable[[T], str],
              effect: Rule | Effect,
              why: str, year: int | None = None) -> None:
        """A setting that may have changed (None on a side: added or removed)."""
        if old == new:
            return
        if old is None or new is None:
            kind: Kind = "added" if old is None else "removed"
        else:
            kind = "changed"
        eff = effect if isinstance(effect, str) else effect(old, new)
        self.add(section, f"{path}.{field}" if field else path, subject, field, kind,
                 None if old is None else show(old), None if new is None else show(new),
                 eff, why, year)

    def schedule(self, section: Section, path: str, subject: str, field: str,
                 old: Schedule | None, new: Schedule | None, show: Callable[[Decimal], str],
                 higher: Effect, why: str) -> None:
        """A per-year schedule, year by year; a schedule added or removed as a whole."""
        if old is None or new is None:
            if old is None and new is None:
                return
            self.value(section, path, subject, field, old, new,
                       lambda s: fmt.schedule_text(s, show), "neutral",
                       f"{field} given or dropped: the payment curve changes")
            return
        if (len(old.values) == len(new.values) and len(set(old.values)) == 1
                and len(set(new.values)) == 1):  # the same in every year: one change
            first, then = old.values[0], new.values[0]
            if first != then:
                self.value(section, path, subject, field, first, then, show,
                           by_size(first, then, higher), why)
            return
        for y in range(1, max(len(old.values), len(new.values)) + 1):
            a = old.values[y - 1] if y <= len(old.values) else None
            b = new.values[y - 1] if y <= len(new.values) else None
            if a is None or b is None:
                self.value(section, path, subject, field, a, b, show, "neutral",
                           "a contract year added or removed with the term", y)
            elif a != b:
                self.value(section, path, subject, field, a, b, show,
                           by_size(a, b, higher), why, y)

    def text(self, section: Section, path: str, subject: str, old: tuple[str, ...],
             new: tuple[str, ...]) -> None:
        """Text blocks: shown for the reader, neutral for the provider."""
        self.value(section, path, subject, "text", old, new, "\n\n".join, "neutral",
                   "text is explanation: it does not change what is paid or owed")

    # ---- sections ----------------------------------------------------------------------
    def contract(self) -> None:
        """Title, version, currency, term."""
        o, n = self.old, self.new
        why = "names and versions do not change what is paid or owed"
        self.value("contract", "contract", "contract", "id", o.id, n.id, str, "neutral", why)
        self.value("contract", "contract", "contract", "title", o.title, n.title, str,
                   "neutral", why)
        self.value("contract", "contract", "contract", "version", o.version, n.version, str,
                   "neutral", why)
        self.value("contract", "contract", "contract", "agreement", o.agreement, n.agreement,
                   lambda a: f'"{a}"', "neutral",
                   "the agreement named does not change what is paid or owed")
        self.value("contract", "contract", "contract", "currency", o.currency, n.currency,
                   str, "neutral", why)
        self.value("contract", "contract", "contract", "term",
                   f"{o.term.start} to {o.term.end}", f"{n.term.start} to {n.term.end}", str,
                   "neutral", "the term sets the contract years; what each year pays and "
                   "requires is compared year by year")
        self.value("contract", "contract", "contract", "years", len(o.term.years),
                   len(n.term.years), str, "neutral", "the number of contract years")
        self.text("contract", "contract", "contract", o.text, n.text)

    def parties(self) -> None:
        """Parties by identifier: names, roles, sectors."""
        why = "who the parties are; what each must do is compared under obligations"
        renamed = _renamed_parties(self.old, self.new)
        for old_id, new_id in renamed.items():
            self.add("parties", f"party.{old_id}", f"party {old_id}", "id", "changed", old_id,
                     new_id, "neutral", f"the same party under a new identifier: every data "
                     f"row naming {old_id} ({PARTY_ROWS}) must name {new_id}, or it no longer "
                     "loads", breaks_data=True)
            # Same name and role by the match; a new sector still changes who counts
            # towards a spend-share duty, so it is shown like any other party's.
            was, now = self.old.party(old_id), self.new.party(new_id)
            assert was is not None and now is not None
            self.value("parties", f"party.{old_id}", f"party {old_id}", "sector", was.sector,
                       now.sector, str, "neutral", why)
        for key, a, b in _keyed(self.old.parties, self.new.parties, lambda p: p.id):
            if key in renamed or key in renamed.values():
                continue
            path, subject = f"party.{key}", f"party {key}"
            show = lambda p: f'"{p.name}", role {p.role}, sector {p.sector}'  # noqa: E731
            if not self.item("parties", path, subject, a, b, show, "neutral", why,
                             named_in_data=PARTY_ROWS):
                continue
            assert a is not None and b is not None
            for field in ("name", "role", "sector"):
                self.value("parties", path, subject, field, getattr(a, field),
                           getattr(b, field), str, "neutral", why)

    def money(self) -> None:
        """Annual value and the outcome payment."""
        o, n = self.old, self.new
        self.schedule("money", "contract", "contract", "annual_value", o.annual_value,
                      n.annual_value, fmt.money, "looser",
                      WHY["annual_value"])
        a, b = o.outcome_payment, n.outcome_payment
        at_risk = "the pot is money at risk: a larger pot is stricter, a smaller one looser"
        if not self.item("money", "contract.outcome_payment", "outcome_payment", a, b,
                         lambda p: _pay_text(p.basis, p.schedule), "stricter", at_risk):
            return
        assert a is not None and b is not None
        if a.basis != b.basis:
            self.value("money", "contract.outcome_payment", "outcome_payment", "basis",
                       a.basis, b.basis,
                       str, "neutral", "how the pot is given; the pot per year shows the effect")
            return
        show = fmt.share if a.basis == "share_of_annual_value" else fmt.money
        self.schedule("money", "contract", "contract", "outcome_payment", a.schedule,
                      b.schedule, show, "stricter", at_risk)

    def outcomes(self) -> None:
        """Outcomes, then every indicator (paid or not) by identifier."""
        for key, a, b in _keyed(self.old.outcomes, self.new.outcomes, lambda x: x.id):
            path, subject = f"outcome.{key}", f"outcome {key}"
            if not self.item("outcomes", path, subject, a, b, _outcome_text, "neutral",
                             "an outcome moves part of the pot; its indicators are "
                             "compared one by one"):
                continue
            assert a is not None and b is not None
            self.value("outcomes", path, subject, "title", a.title, b.title, str, "neutral",
                       "a title does not change what is paid")
            self.value("outcomes", path, subject, "weight", a.weight, b.weight, fmt.share,
                       "neutral", "a weight moves the pot between outcomes; the pot is the same")
            self.text("outcomes", path, subject, a.text, b.text)
        old = list(self.old.all_indicators())
        new = list(self.new.all_indicators())
        for key, x, y in _keyed(old, new, lambda i: i.id):
            self.indicator(key, x, y)

    def indicator(self, key: str, a: Indicator | None, b: Indicator | None) -> None:
        """One indicator's settings; thresholds by year, judged by its direction."""
        path, subject = f"indicator.{key}", f"indicator {key}"
        if not self.item("outcomes", path, subject, a, b, _indicator_text, "neutral",
                         "an indicator added or removed moves part of the pot",
                         named_in_data=INDICATOR_ROWS):
            return
        assert a is not None and b is not None
        sec: Section = "outcomes"
        neutral = "changes what the indicator measures or how much of the pot it carries"
        self.value(sec, path, subject, "title", a.title, b.title, str, "neutral",
                   "a title does not change what is paid")
        self.value(sec, path, subject, "outcome", a.outcome, b.outcome, str, "neutral",
                   "paid under another outcome (or no longer paid)")
        self.value(sec, path, subject, "weight", a.weight, b.weight, fmt.weight, "neutral",
                   "a weight moves the pot between indicators; the pot is the same")
        self.value(sec, path, subject, "unit", a.unit, b.unit, str, "neutral", neutral)
        self.value(sec, path, subject, "direction", a.direction, b.direction,
                   lambda d: f"{d} is better", "neutral", neutral)
        self.value(sec, path, subject, "baseline",
                   None if a.baseline is None else (a.baseline.value, a.baseline.period),
                   None if b.baseline is None else (b.baseline.value, b.baseline.period),
                   lambda v: f"{fmt.threshold(v[0], b.unit)} in {v[1]}", "neutral",
                   "the baseline is informative")
        for field in ("floor", "target"):
            sa, sb = getattr(a, field), getattr(b, field)
            if a.direction == b.direction and a.unit == b.unit and b.direction is not None:
                better = "higher" if b.direction == "higher" else "lower"
                effect: Effect = "stricter" if better == "higher" else "looser"
                why = (f"{better} is better, so a {'higher' if better == 'higher' else 'lower'}"
                       f" {field} is stricter, a {'lower' if better == 'higher' else 'higher'}"
                       " one looser")
            else:
                effect, why = "neutral", "the unit or direction changed too"
            self.schedule(sec, path, subject, field, sa, sb,
                          lambda v: fmt.threshold(v, b.unit), effect, why)
        self.curve(path, subject, a, b)
        self.value(sec, path, subject, "minimum denominator", a.minimum_denominator,
                   b.minimum_denominator, str,
                   optional("stricter", "stricter"),
                   "a year with fewer cases earns only the if-missing share: a higher "
                   "minimum is stricter, a lower one looser")
        self.value(sec, path, subject, "value rounded to", a.rounding, b.rounding,
                   lambda n: f"{n} decimal place{'s' if n != 1 else ''}", "neutral",
                   "the precision at which the value is judged: rounding can carry a value "
                   "across a threshold either way, so who gains depends on the data")
        self.value(sec, path, subject, "if missing pay", a.if_missing_pay, b.if_missing_pay,
                   fmt.share, rising("looser"),
                   "paying more when data is missing is looser, paying less stricter")
        for found in measure_changes(self.old, self.new, a, b, path, subject):
            self.found(sec, found)
        self.text(sec, path, subject, a.text, b.text)

    def found(self, section: Section, f: Found) -> None:
        """Record a change worked out by ``diff/records.py``."""
        self.add(section, f.path, f.subject, f.field, f.kind, f.old, f.new, f.effect, f.why,
                 breaks_data=f.breaks_data)

    def datasets(self) -> None:
        """Datasets of records (RECORDS.md): their fields, key and person."""
        for found in dataset_changes(self.old, self.new):
            self.found("datasets", found)

    def curve(self, path: str, subject: str, a: Indicator, b: Indicator) -> None:
        """The payment curve: its kind and steps, judged on what it pays in each year."""
        if _curve_text(a) == _curve_text(b):
            return
        effects = set()
        where: dict[int, str] = {}
        for y in range(1, len(self.new.term.years) + 1):
            pa, pb = payout(a, y), payout(b, y)
            if pa is not None and pb is not None:
                effects.add(compare_payouts(pa, pb))
                where[y] = _pays_where_text(pa, pb, b.unit)
        effects.discard(None)
        effect: Effect = effects.pop() if len(effects) == 1 else "neutral"  # type: ignore[assignment]
        why = {"stricter": "pays no more for any value, and less for some",
               "looser": "pays no less for any value, and more for some",
               "neutral": "pays more for some values and less for others"}[effect]
        # Say where: the reader decides a neutral change by the values the provider expects.
        said = [t for t in where.values() if t]
        if said and len(set(said)) == 1:
            why = f"{said[0]}; the same elsewhere"
        elif said:
            why = "; ".join(f"in year {y} it {t}" for y, t in where.items() if t) + (
                "; the same elsewhere")
        self.add("outcomes", f"{path}.pays", subject, "pays", "changed", _curve_text(a),
                 _curve_text(b), effect, why)

    def gateways(self) -> None:
        """Gateways: added ones withhold more, levels judged by their comparison."""
        for key, a, b in _keyed(self.old.gateways, self.new.gateways, lambda g: g.id):
            path, subject = f"gateway.{key}", f"gateway {key}"
            side = self.new if a is None else self.old  # the side an added/removed one is on
            if not self.item("gateways", path, subject, a, b, partial(_gateway_text, side=side),
                             "stricter",
                             "a gateway can withhold earned payment: adding one is stricter"):
                continue
            assert a is not None and b is not None
            sec: Section = "gateways"
            self.value(sec, path, subject, "title", a.title, b.title, str, "neutral",
                       "a title does not change what is paid")
            self.value(sec, path, subject, "indicator", a.indicator, b.indicator, str,
                       "neutral", "the gateway looks at another indicator")
            self.value(sec, path, subject, "comparison", a.comparison, b.comparison,
                       lambda c: c.replace("_", " "), "neutral", "the condition turned round")
            unit = _unit(self.new, b.indicator)
            higher: Effect = "stricter" if b.comparison == "at_least" else "looser"
            self.value(sec, path, subject, "level", a.threshold, b.threshold,
                       partial(fmt.threshold, unit=unit),
                       rising(higher) if a.comparison == b.comparison else "neutral",
                       f"{b.comparison.replace('_', ' ')}: a "
                       f"{'higher' if higher == 'stricter' else 'lower'} level is stricter")
            self.value(sec, path, subject, "withhold", a.withhold, b.withhold, fmt.share,
                       rising("stricter"),
                       "withholding more is stricter, withholding less looser")
            self.text(sec, path, subject, a.text, b.text)

    def risk_share(self) -> None:
        """Budget, shares, members and the members' loss cap."""
        a, b = self.old.risk_share, self.new.risk_share
        path, subject = "risk_share", "risk_share"
        if not self.item("risk_share", path, subject, a, b, lambda r: "risk share",
                         "neutral", "gain and loss sharing: upside and downside together"):
            return
        assert a is not None and b is not None
        if a.budget_basis != b.budget_basis:
            self.value("risk_share", path, subject, "budget", _budget_text(a), _budget_text(b),
                       str, "neutral", WHY["budget_basis"])
        else:
            self.schedule("risk_share", path, subject, "budget", a.budget, b.budget,
                          fmt.money, "looser", WHY["budget"])
        self.value("risk_share", path, subject, "commissioner share", a.commissioner_share,
                   b.commissioner_share, fmt.share, "neutral",
                   "the members then keep less of a gain and bear less of a loss")
        for key, x, y in _keyed(a.members, b.members, lambda m: m.party):
            mpath, msub = f"risk_share.member.{key}", f"risk_share member {key}"
            if self.item("risk_share", mpath, msub, x, y, lambda m: fmt.share(m.share),
                         "neutral", "splits the members' part between members"):
                assert x is not None and y is not None
                self.value("risk_share", mpath, msub, "share", x.share, y.share, fmt.share,
                           "neutral", "splits the members' part between members")
        if a.member_loss_cap is None or b.member_loss_cap is None:
            self.value("risk_share", path, subject, "member loss cap",
                       a.member_loss_cap, b.member_loss_cap,
                       lambda s: fmt.schedule_text(s, fmt.money),
                       "looser" if a.member_loss_cap is None else "stricter",
                       "a cap limits the members' loss")
        else:
            self.schedule("risk_share", path, subject, "member loss cap", a.member_loss_cap,
                          b.member_loss_cap, fmt.money, "stricter",
                          WHY["loss_cap"])
        self.text("risk_share", path, subject, a.text, b.text)

    def rate_card(self) -> None:
        """The cap over the term and the prices."""
        a, b = self.old.rate_card, self.new.rate_card
        path, subject = "rate_card", "rate_card"
        if not self.item("rate_card", path, subject, a, b,
                         lambda r: f"cap {fmt.money(r.cap)} over term", "looser",
                         "a rate card is a way to be paid for outcomes"):
            return
        assert a is not None and b is not None
        self.value("rate_card", path, subject, "cap", a.cap, b.cap, fmt.money,
                   rising("looser"), WHY["rate_cap"])
        self.value("rate_card", path, subject, "cap per person", a.person_cap, b.person_cap,
                   fmt.money, optional("stricter", "looser"), WHY["person_cap"])
        self.value("rate_card", path, subject, "claims within", a.claim_months,
                   b.claim_months, lambda n: f"{n} months of start",
                   optional("stricter", "looser"), WHY["claim_window"])
        for key, x, y in _keyed(a.prices, b.prices, lambda p: p.id):
            self.price(key, x, y)
        self.text("rate_card", path, subject, a.text, b.text)

    def capitation(self) -> None:
        """The year-of-care tariff: its tiers and each tier's price per person per year."""
        a, b = self.old.capitation, self.new.capitation
        path, subject = "capitation", "capitation"
        if not self.item("capitation", path, subject, a, b,
                         lambda cap: f"{len(cap.tiers)} tier{'s' if len(cap.tiers) != 1 else ''}",
                         "looser", "capitation is a way to be paid for the caseload",
                         named_in_data=CASELOAD_ROWS):
            return
        assert a is not None and b is not None
        for key, x, y in _keyed(a.tiers, b.tiers, lambda t: t.id):
            self.tier(key, x, y)
        self.text("capitation", path, subject, a.text, b.text)

    def tier(self, key: str, a: CapitationTier | None, b: CapitationTier | None) -> None:
        """One capitation tier; a price change says what it does per person per year."""
        path, subject = f"capitation.{key}", f"capitation tier {key}"
        if not self.item("capitation", path, subject, a, b, _tier_text, "looser",
                         WHY["tier"], named_in_data=CASELOAD_ROWS):
            return
        assert a is not None and b is not None
        self.value("capitation", path, subject, "title", a.title, b.title, str, "neutral",
                   "a title does not change what is paid")
        if a.annual_price != b.annual_price:
            self.value("capitation", path, subject, "price", a.annual_price, b.annual_price,
                       _per_person_year, rising("looser"), _tier_effect(a, b))

    def price(self, key: str, a: Price | None, b: Price | None) -> None:
        """One price of the rate card."""
        path, subject = f"price.{key}", f"price {key}"
        if not self.item("rate_card", path, subject, a, b, _price_text, "looser",
                         WHY["price"], named_in_data=PRICE_ROWS):
            return
        assert a is not None and b is not None
        self.value("rate_card", path, subject, "title", a.title, b.title, str, "neutral",
                   "a title does not change what is paid")
        self.value("rate_card", path, subject, "amount", a.amount, b.amount, fmt.money,
                   rising("looser"), "a higher price is looser, a lower one stricter")
        self.value("rate_card", path, subject, "per", a.per, b.per, str, "neutral",
                   "what is counted")
        self.value("rate_card", path, subject, "at most", a.at_most, b.at_most, str,
                   optional("stricter", "looser"), WHY["at_most"])
        self.value("rate_card", path, subject, "once per person", a.once_per_person,
                   b.once_per_person, lambda v: "yes" if v else "no",
                   "stricter" if b.once_per_person else "looser", WHY["once"])

    def funding(self) -> None:
        """Who pays what (TERMS.md): each payer's share and cap, and for whom it is stricter.

        The provider is paid the same payable whoever pays it, so a share moved between
        commissioners is neutral for it, and the reason names the payer it is stricter for.
        A lower cap is neutral for the provider while an uncapped payer takes the rest;
        when every payer is capped, what no payer can take is unfunded, so it is stricter.
        """
        old, new = self.old.funding, self.new.funding
        sec: Section = "funding"
        if old is None or new is None:
            if old is not new:
                self.value(sec, "funding", "funding", "", old, new, _funding_text, "neutral",
                           "who pays what is said here (or left to the main agreement)")
            return
        all_capped = all(p.cap is not None for p in new.payers)
        for key, a, b in _keyed(old.payers, new.payers, lambda p: p.party):
            path, subject = f"funding.{key}", f"payer {key}"
            if not self.item(sec, path, subject, a, b,
                             lambda p: f"{p.party} pays {fmt.share(p.share)}", "neutral",
                             f"{key} pays a share of each year's payable"):
                continue
            assert a is not None and b is not None
            self.value(sec, path, subject, "share", a.share, b.share, fmt.share, "neutral",
                       f"{'stricter' if b.share > a.share else 'looser'} for {key}: a "
                       f"{'larger' if b.share > a.share else 'smaller'} share of each year's "
                       "payable (the provider is paid the same)")
            lower = (a.cap is None and b.cap is not None) or (
                a.cap is not None and b.cap is not None and b.cap < a.cap)
            self.value(sec, path, subject, "cap", a.cap, b.cap, fmt.money,
                       "stricter" if lower and all_capped else "neutral",
                       (f"{'looser' if lower else 'stricter'} for {key}: its cap over the "
                        f"term is {'lower' if lower else 'higher (or gone)'}; "
                        + ("with every payer capped, less can be funded: stricter for the "
                           "provider" if lower and all_capped else
                           "the other payers take what it cannot")))

    def obligations(self) -> None:
        """Obligations by identifier: each duty's numbers, periods, sectors and penalty."""
        for key, a, b in _keyed(self.old.obligations, self.new.obligations, lambda o: o.id):
            path, subject = f"obligation.{key}", f"obligation {key}"
            reported = OBLIGATION_ROWS if isinstance(a, ReportObligation) else None
            if not self.item("obligations", path, subject, a, b, _obligation_text, "stricter",
                             WHY["obligation"], named_in_data=reported):
                continue
            assert a is not None and b is not None
            self.obligation(path, subject, a, b)

    def obligation(self, path: str, subject: str, a: Obligation, b: Obligation) -> None:
        """The settings of one obligation present in both contracts."""
        sec: Section = "obligations"
        self.value(sec, path, subject, "title", a.title, b.title, str, "neutral",
                   "a title does not change what is owed")
        self.value(sec, path, subject, "party", a.party, b.party, str, "neutral",
                   "another party is obliged")
        self.value(sec, path, subject, "penalty", a.penalty, b.penalty, fmt.money,
                   optional("stricter", "stricter"),
                   WHY["penalty"] + (" (a higher rate per day late)"
                                     if b.penalty_basis == "per_day_late" else ""))
        self.value(sec, path, subject, "penalty per", a.penalty_basis, b.penalty_basis,
                   lambda x: x.replace("_", " "),
                   "stricter" if b.penalty_basis == "per_day_late" else "looser",
                   "a penalty per day late grows with the delay; one per breach does not")
        self.value(sec, path, subject, "penalty cap", a.penalty_cap, b.penalty_cap, fmt.money,
                   optional("looser", "stricter"),
                   "a cap per year limits the penalties: adding or lowering one is looser for "
                   "the party bound")
        self.text(sec, path, subject, a.text, b.text)
        if a.kind != b.kind:
            self.value(sec, path, subject, "duty", _duty_text(a), _duty_text(b), str,
                       "neutral", "a different kind of duty")
            return
        window = "a longer window to comply is looser, a shorter one stricter"
        if isinstance(a, ReportObligation) and isinstance(b, ReportObligation):
            self.value(sec, path, subject, "working days", a.working_days, b.working_days,
                       str, rising("looser"), window)
            self.value(sec, path, subject, "each", a.each, b.each, str,
                       lambda x, y: by_size(PERIOD_RANK[x], PERIOD_RANK[y], "stricter"),
                       "reporting more often is stricter, less often looser")
        elif isinstance(a, SpendShareObligation) and isinstance(b, SpendShareObligation):
            self.value(sec, path, subject, "share", a.share, b.share, fmt.share,
                       rising("stricter"), WHY["spend_share"])
            self.value(sec, path, subject, "sector", a.sector, b.sector, str, "neutral",
                       "paid to another sector")
            self.value(sec, path, subject, "to", a.to, b.to, str, "neutral",
                       "paid to another named party (or to a sector)")
        elif isinstance(a, PromptPaymentObligation) and isinstance(b, PromptPaymentObligation):
            self.value(sec, path, subject, "days", a.days, b.days, str,
                       rising("looser"), window)
        elif isinstance(a, PayoutObligation) and isinstance(b, PayoutObligation):
            self.value(sec, path, subject, "days", a.days, b.days, str, rising("stricter"),
                       f"looser for {b.party}, which may pay later; stricter for the provider, "
                       "paid later (and the reverse for a shorter term)")
        elif isinstance(a, FlowDownObligation) and isinstance(b, FlowDownObligation):
            self.value(sec, path, subject, "share", a.share, b.share, fmt.share,
                       rising("stricter"),
                       "a larger share to pass on is stricter, a smaller one looser")
            self.value(sec, path, subject, "to", a.to, b.to, str, "neutral",
                       "passed on to another named subcontractor (or to all of them)")
            self.value(sec, path, subject, "days", a.days, b.days, str,
                       rising("looser"), window)


# ---- one-line descriptions of whole items -------------------------------------------------
# Which data rows name each kind of identifier (RECORDS.md, docs/data.md).
PARTY_ROWS = "payments.csv: payer and payee"
INDICATOR_ROWS = "indicators.csv"
OBLIGATION_ROWS = "submissions.csv"
PRICE_ROWS = "outcomes.csv"
CASELOAD_ROWS = "caseload.csv"


def _renamed_parties(old: Contract, new: Contract) -> dict[str, str]:
    """Old identifier → new for each party renamed in the contract.

    A party only on one side under each identifier, with the same legal name and role, is
    the same organisation; two candidates for one name are left as removed and added.
    """
    new_ids = {p.id for p in new.parties}
    old_ids = {p.id for p in old.parties}
    gone = [p for p in old.parties if p.id not in new_ids]
    came = [p for p in new.parties if p.id not in old_ids]
    out: dict[str, str] = {}
    for p in gone:
        same = [q for q in came if q.name == p.name and q.role == p.role]
        if len(same) == 1 and same[0].id not in out.values():
            out[p.id] = same[0].id
    return out


def _pays_where_text(old: Payout, new: Payout, unit: Any) -> str:
    """``pays more between 62% and 65%, less above 70%``: where the new curve differs."""
    more, less = pays_where(old, new)

    def ranges(found: list[tuple[Fraction | None, Fraction | None]]) -> str:
        return " and ".join(_range_text(lo, hi, unit) for lo, hi in found)

    parts = ([f"more {ranges(more)}"] if more else []) + ([f"less {ranges(less)}"] if less
                                                         else [])
    return f"pays {', '.join(parts)}" if parts else ""


def _range_text(lo: Fraction | None, hi: Fraction | None, unit: Any) -> str:
    if lo is None:
        return f"below {_level(hi, unit)}"
    if hi is None:
        return f"above {_level(lo, unit)}"
    return f"between {_level(lo, unit)} and {_level(hi, unit)}"


def _level(x: Fraction | None, unit: Any) -> str:
    """A value in the indicator's unit; a crossing point that is no short decimal is rounded."""
    assert x is not None
    exact = Decimal(x.numerator) / Decimal(x.denominator)
    rounded = exact.quantize(Decimal("0.01"))
    if Fraction(rounded) == x:
        return fmt.threshold(rounded.normalize(), unit)
    return "about " + fmt.threshold(rounded.normalize(), unit)


def _pay_text(basis: str, s: Schedule) -> str:
    show = fmt.share if basis == "share_of_annual_value" else fmt.money
    return fmt.schedule_text(s, show)


def _outcome_text(o: Outcome) -> str:
    inds = ", ".join(i.id for i in o.indicators)
    return f'"{o.title}" weight {fmt.share(o.weight)} ({inds})'


def _indicator_text(i: Indicator) -> str:
    where = f"in outcome {i.outcome}" if i.outcome else "not paid"
    return f'"{i.title}" {where}'


def _curve_text(i: Indicator) -> str:
    if isinstance(i.curve, Steps):
        return "in steps " + ", ".join(
            f"{fmt.share(s.share)} at {fmt.threshold(s.threshold, i.unit)}"
            for s in i.curve.steps)
    return "all or nothing" if isinstance(i.curve, AllOrNothing) else "linear"


def _gateway_text(g: Gateway, side: Contract) -> str:
    """A gateway in one line; its level in the unit of its indicator in ``side``."""
    return (f"requires {g.indicator} {g.comparison.replace('_', ' ')} "
            f"{fmt.threshold(g.threshold, _unit(side, g.indicator))}, "
            f"otherwise withhold {fmt.share(g.withhold)}")


def _budget_text(rs: RiskShare) -> str:
    if rs.budget is None:
        return "capitation (each year's capitation payable)"
    return fmt.schedule_text(rs.budget, fmt.money)


def _per_person_year(amount: Decimal) -> str:
    return f"{fmt.money(amount)} per person per year"


def _tier_text(t: CapitationTier) -> str:
    return f'"{t.title}" {_per_person_year(t.annual_price)}'


def _tier_effect(a: CapitationTier, b: CapitationTier) -> str:
    """What a tier's price change does for each person on the caseload, a year and a month."""
    change = difference(b.annual_price, a.annual_price)  # every digit, not 28
    word = "more" if change > 0 else "less"
    month = abs(Fraction(change)) / 12
    if (month * 100).denominator == 1:
        monthly = fmt.money(as_money(month))  # not Decimal division: 28 digits
    else:  # a twelfth that is not whole pence: four decimals, marked as cut short
        whole, frac = divmod(int(month * 10_000), 10_000)
        monthly = f"£{whole:,}.{frac:04d}…"
    return (f"{fmt.money(change.copy_abs())} {word} per person per year on the caseload, "
            f"{monthly} per person per month: a higher price is looser, a lower one stricter")


def _price_text(p: Price) -> str:
    limit = f", at most {p.at_most} over term" if p.at_most is not None else ""
    once = ", once per person" if p.once_per_person else ""
    return f'"{p.title}" {fmt.money(p.amount)} per {p.per}{limit}{once}'


def _duty_text(o: Obligation) -> str:
    if isinstance(o, ReportObligation):
        return f"{o.party} shall report within {o.working_days} working days after each {o.each}"
    if isinstance(o, SpendShareObligation):
        to = o.to if o.to is not None else f"{o.sector} sector parties"
        return (f"{o.party} shall pay at least {fmt.share(o.share)} of annual_value to "
                f"{to} each year")
    if isinstance(o, PromptPaymentObligation):
        return f"{o.party} shall pay subcontractor invoices within {o.days} days of receipt"
    if isinstance(o, PayoutObligation):
        return (f"{o.party} shall pay its share of earned payments within {o.days} days of "
                "year end")
    return (f"{o.party} shall pass on at least {fmt.share(o.share)} of earned outcome_payment "
            f"to {o.to or 'subcontractors'} within {o.days} days of year end")


def _funding_text(f: Funding) -> str:
    return ", ".join(f"{p.party} pays {fmt.share(p.share)}" for p in f.payers)


def _obligation_text(o: Obligation) -> str:
    penalty = ""
    if o.penalty is not None:
        per = "day late" if o.penalty_basis == "per_day_late" else "breach"
        penalty = f"; penalty {fmt.money(o.penalty)} per {per}"
        if o.penalty_cap is not None:
            penalty += f", at most {fmt.money(o.penalty_cap)} per year"
    return f'"{o.title}": {_duty_text(o)}{penalty}'


def _unit(c: Contract, indicator: str) -> Any:
    found = c.indicator(indicator)
    return found.unit if found is not None else None


__all__ = ["diff_contracts"]
