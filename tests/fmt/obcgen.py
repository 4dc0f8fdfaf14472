"""A hypothesis strategy for valid .obc contracts, as a spec that can be rendered and mutated.

``contracts()`` draws a :class:`Spec`: parties, money, outcomes with indicators whose weights
add up, schedules, curves, a gateway, obligations, sometimes a rate card or a risk share.
``render(spec, rnd)`` writes it as .obc text; with a ``random.Random`` the layout is messy
(odd spacing, one-line blocks, schedules out of year order) and comments stand in random
places. ``MUTATIONS`` change one field of a spec, naming the diff paths that must then appear.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from hypothesis import strategies as st

from obc_check.model import add_months

WORDS = ["access", "recovery", "housing", "work", "return", "quarterly", "care", "health",
         "people", "share", "#hash", "{brace}", "50%", "£1", "year", "in", "Mind"]


@dataclass
class Sched:
    """Literal texts, one per year (or one for every year), and the order they are written."""

    values: list[str]
    order: list[int] = field(default_factory=list)


@dataclass
class Ind:
    """An indicator."""

    id: str
    title: str
    unit: str
    direction: str
    weight: int | None = None
    floor: Sched | None = None
    target: Sched | None = None
    curve: str = "linear"
    steps: list[tuple[int, str]] = field(default_factory=list)
    min_den: int | None = None
    if_missing: int | None = None
    baseline: str | None = None
    text: str | None = None


@dataclass
class Out:
    """An outcome."""

    id: str
    title: str
    weight: int
    inds: list[Ind]
    text: str | None = None


@dataclass
class Party:
    """A party."""

    id: str
    name: str
    role: str
    sector: str


@dataclass
class Obl:
    """An obligation: a duty sentence after the party, and an optional penalty."""

    id: str
    title: str
    party: str
    kind: str
    a: int
    b: int = 0
    each: str = "quarter"
    sector: str = "voluntary"
    penalty: str | None = None


@dataclass
class Spec:
    """A whole contract."""

    years: int
    start: dt.date
    parties: list[Party]
    annual_value: str
    pot: Sched
    outcomes: list[Out]
    gate_ind: Ind | None
    gate: tuple[str, int] | None
    obligations: list[Obl]
    prices: list[tuple[str, str, str, int | None]]
    risk: tuple[str, list[tuple[str, int]]] | None
    text: str | None
    version: str = "1.0"
    agreement: str | None = None
    tiers: list[tuple[str, str, str]] = field(default_factory=list)
    """Capitation tiers (id, title, price per person per year), RECORDS.md."""
    budget_capitation: bool = False

    @property
    def end(self) -> dt.date:
        """The last day of the term."""
        return add_months(self.start, 12 * self.years) - dt.timedelta(days=1)


def _title(draw: st.DrawFn) -> str:
    return " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))).capitalize()


def _split(draw: st.DrawFn, total: int, parts: int) -> list[int]:
    """``parts`` positive whole numbers adding up to ``total``."""
    cuts = sorted(draw(st.lists(st.integers(1, total - 1), min_size=parts - 1,
                                max_size=parts - 1, unique=True)))
    bounds = [0, *cuts, total]
    return [b - a for a, b in itertools.pairwise(bounds)]


def _sched(draw: st.DrawFn, values: list[str], uniform_ok: bool) -> Sched:
    if uniform_ok and len(set(values)) == 1 and draw(st.booleans()):
        return Sched([values[0]], [0])
    order = draw(st.permutations(range(len(values))))
    return Sched(values, list(order))


def _percent(v: Decimal) -> str:
    return f"{v}%"


def _indicator(draw: st.DrawFn, ident: str, years: int) -> Ind:
    unit = draw(st.sampled_from(["percent", "ratio", "score", "rate", "count", "days"]))
    direction = draw(st.sampled_from(["higher", "lower"]))
    ind = Ind(ident, _title(draw), unit, direction)
    kind = draw(st.sampled_from(["linear", "linear", "all_or_nothing", "steps"]))
    ind.curve = kind
    pct = unit == "percent"

    def lit(v: Decimal) -> str:
        return _percent(v) if pct else str(v)

    floors = [Decimal(draw(st.integers(10, 60))) for _ in range(years)]
    gaps = [Decimal(draw(st.integers(1, 20))) for _ in range(years)]
    if draw(st.booleans()):
        floors = [f + Decimal("0.5") for f in floors]
    if direction == "higher":
        lows, highs = floors, [f + g for f, g in zip(floors, gaps, strict=True)]
    else:
        highs, lows = [f + g for f, g in zip(floors, gaps, strict=True)], floors
    floor_vals, target_vals = (lows, highs) if direction == "higher" else (highs, lows)
    if kind in {"linear", "all_or_nothing"}:
        ind.target = _sched(draw, [lit(v) for v in target_vals], True)
    if kind == "linear":
        ind.floor = _sched(draw, [lit(v) for v in floor_vals], True)
    if kind == "steps":
        n = draw(st.integers(1, 3))
        shares = sorted(draw(st.lists(st.integers(1, 100), min_size=n, max_size=n, unique=True)))
        levels = sorted(draw(st.lists(st.integers(5, 95), min_size=n, max_size=n, unique=True)))
        if direction == "lower":
            levels.reverse()
        steps = [(s, lit(Decimal(v))) for s, v in zip(shares, levels, strict=True)]
        ind.steps = draw(st.permutations(steps))
    if draw(st.booleans()):
        ind.min_den = draw(st.integers(1, 200))
    if draw(st.booleans()):
        ind.if_missing = draw(st.integers(0, 100))
    if draw(st.booleans()):
        ind.baseline = lit(Decimal(draw(st.integers(0, 90))))
    if draw(st.integers(0, 3)) == 0:
        ind.text = _long_text(draw)
    return ind


def _long_text(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.text(st.sampled_from("abc #{}%£'\t"), min_size=0, max_size=12)
                          .map(str.strip), min_size=1, max_size=4))
    return "\n".join(lines)


@st.composite
def contracts(draw: st.DrawFn) -> Spec:
    """A valid contract spec."""
    years = draw(st.integers(1, 4))
    start = draw(st.sampled_from([dt.date(2015, 4, 1), dt.date(2014, 7, 1),
                                  dt.date(2016, 1, 1)]))
    sectors = ["nhs", "voluntary", "private", "local_authority", "central_government",
               "philanthropic"]
    parties = [Party("CCG", _title(draw), "commissioner", draw(st.sampled_from(sectors))),
               Party("LEAD", _title(draw), "lead_provider", draw(st.sampled_from(sectors)))]
    for i in range(draw(st.integers(0, 2))):
        parties.append(Party(f"SUB{i + 1}", _title(draw), "subcontractor",
                             draw(st.sampled_from(sectors))))
    risk = None
    if draw(st.integers(0, 3)) == 0:
        members = [f"AM{i + 1}" for i in range(draw(st.integers(1, 3)))]
        for m in members:
            parties.append(Party(m, _title(draw), "alliance_member", "nhs"))
        shares = _split(draw, 100, len(members)) if len(members) > 1 else [100]
        risk = (draw(st.sampled_from(["£150,000,000", "£2m"])),
                list(zip(members, shares, strict=True)))
    annual = draw(st.sampled_from(["£45,000,000", "£24m", "£1.5m", "£250k", "£1000000",
                                   "£1,000.50"]))
    pots = [f"{draw(st.integers(1, 30))}%" for _ in range(years)]
    if draw(st.booleans()):
        pots = [pots[0]] * years
    pot = _sched(draw, pots, True)
    n_out = draw(st.integers(1, 3))
    weights = _split(draw, 100, n_out) if n_out > 1 else [100]
    outcomes: list[Out] = []
    counter = 0
    for o in range(n_out):
        n_ind = draw(st.integers(1, 2))
        inds = []
        for _ in range(n_ind):
            counter += 1
            inds.append(_indicator(draw, f"I{counter}", years))
        if n_ind > 1 and draw(st.booleans()):
            for ind, w in zip(inds, _split(draw, 100, n_ind), strict=True):
                ind.weight = w
        text = _long_text(draw) if draw(st.integers(0, 4)) == 0 else None
        outcomes.append(Out(f"O{o + 1}", _title(draw), weights[o], inds, text))
    gate_ind = gate = None
    if draw(st.booleans()):
        gate_ind = Ind("DQ", _title(draw), "percent", "higher")
        gate = ("at_least" if draw(st.booleans()) else "at_most", draw(st.integers(50, 99)))
    obligations = []
    kinds = draw(st.lists(st.sampled_from(["report", "spend_share", "prompt_payment",
                                           "flow_down"]), max_size=4))
    for i, kind in enumerate(kinds):
        ob = Obl(f"B{i + 1}", _title(draw), "LEAD", kind, draw(st.integers(1, 60)),
                 draw(st.integers(1, 90)), draw(st.sampled_from(["quarter", "month", "year"])),
                 draw(st.sampled_from(sectors)))
        if draw(st.booleans()):
            ob.penalty = draw(st.sampled_from(["£1,000", "£250", "£1,000.50", "£5k"]))
        obligations.append(ob)
    prices: list[tuple[str, str, str, int | None]] = []
    if draw(st.integers(0, 3)) == 0:
        for i in range(draw(st.integers(1, 3))):
            prices.append((f"R{i + 1}", _title(draw),
                           draw(st.sampled_from(["£1,500", "£3,000", "£2k"])),
                           draw(st.none() | st.integers(1, 200))))
    text = _long_text(draw) if draw(st.booleans()) else None
    agreement = _title(draw) if draw(st.booleans()) else None
    tiers: list[tuple[str, str, str]] = []
    if draw(st.integers(0, 2)) == 0:
        for i in range(draw(st.integers(1, 3))):
            tiers.append((f"T{i + 1}", _title(draw),
                          draw(st.sampled_from(["£1,195", "£3,640.50", "£9.87k", "£12,000"]))))
    budget_capitation = bool(tiers) and risk is not None and draw(st.booleans())
    return Spec(years, start, parties, annual, pot, outcomes, gate_ind, gate, obligations,
                prices, risk, text, agreement=agreement, tiers=tiers,
                budget_capitation=budget_capitation)


# ---- rendering ----------------------------------------------------------------------------
class _Writer:
    """Joins tokens with separators: plain newlines, or random layout and comments."""

    def __init__(self, rnd: random.Random | None, comments: bool) -> None:
        self.rnd = rnd
        self.comments = comments
        self.parts: list[str] = []
        self.count = 0

    def sep(self) -> str:
        if self.rnd is None:
            return " "
        choices = [" "] * 8 + ["\n  ", "\n", "   ", "\n\n    ", "\t"]
        if self.comments:
            choices += [" #@\n", "\n  #@\n  ", "\n#@\n\n"]
        pick = self.rnd.choice(choices)
        if "#@" in pick:
            self.count += 1
            pick = pick.replace("#@", f"# note {self.count} {{x}} \"q\" £5")
        return pick

    def stmt(self, *tokens: str) -> None:
        for t in tokens:
            self.parts.append(t)
            self.parts.append(self.sep())
        if self.rnd is None:
            self.parts[-1] = "\n"

    def text(self) -> str:
        return "".join(self.parts)


def _sched_tokens(s: Sched) -> list[str]:
    if len(s.values) == 1:
        return [s.values[0]]
    out: list[str] = []
    for n, i in enumerate(s.order):
        if n:
            out.append(",")
        out += [s.values[i], "in", "year", str(i + 1)]
    return out


def _text_token(content: str, indent: str) -> str:
    lines = [indent + line if line else "" for line in content.split("\n")]
    return '"""\n' + "\n".join(lines) + "\n" + indent + '"""'


def _indicator_tokens(w: _Writer, ind: Ind) -> None:
    head = ["indicator", ind.id, f'"{ind.title}"']
    if ind.weight is not None:
        head += ["weight", f"{ind.weight}%"]
    w.stmt(*head, "{")
    w.stmt("unit", ind.unit)
    w.stmt(ind.direction, "is", "better")
    if ind.baseline is not None:
        w.stmt("baseline", ind.baseline, "in", "2013/14")
    if ind.floor is not None:
        w.stmt("floor", *_sched_tokens(ind.floor))
    if ind.target is not None:
        w.stmt("target", *_sched_tokens(ind.target))
    if ind.curve == "all_or_nothing":
        w.stmt("pays", "all", "or", "nothing")
    elif ind.curve == "steps":
        toks = ["pays", "in", "steps"]
        for n, (share, level) in enumerate(ind.steps):
            toks += ([","] if n else []) + [f"{share}%", "at", level]
        w.stmt(*toks)
    if ind.min_den is not None:
        w.stmt("minimum", "denominator", str(ind.min_den))
    if ind.if_missing is not None:
        w.stmt("if", "missing", "pay", f"{ind.if_missing}%")
    if ind.text is not None:
        w.stmt("text", _text_token(ind.text, "      "))
    w.stmt("}")


def _duty(ob: Obl) -> list[str]:
    if ob.kind == "report":
        return [ob.party, "shall", "report", "within", str(ob.a), "working", "days", "after",
                "each", ob.each]
    if ob.kind == "spend_share":
        return [ob.party, "shall", "pay", "at", "least", f"{min(ob.a, 100)}%", "of",
                "annual_value", "to", ob.sector, "sector", "parties", "each", "year"]
    if ob.kind == "prompt_payment":
        return [ob.party, "shall", "pay", "subcontractor", "invoices", "within", str(ob.b),
                "days", "of", "receipt"]
    return [ob.party, "shall", "pass", "on", "at", "least", f"{min(ob.a, 100)}%", "of",
            "earned", "outcome_payment", "to", "subcontractors", "within", str(ob.b), "days",
            "of", "year", "end"]


def render(spec: Spec, rnd: random.Random | None = None, comments: bool = False) -> str:
    """The spec as .obc text; messy layout and comments when ``rnd`` is given."""
    w = _Writer(rnd, comments)
    if comments:
        w.parts.append("# header comment\n\n")
    w.stmt("contract", "GEN", '"Generated contract"', "{")
    w.stmt("version", f'"{spec.version}"')
    if spec.agreement is not None:
        w.stmt("agreement", f'"{spec.agreement}"')
    w.stmt("currency", "GBP")
    w.stmt("term", str(spec.start), "to", str(spec.end))
    for p in spec.parties:
        w.stmt("party", p.id, f'"{p.name}"', "role", p.role, "sector", p.sector)
    w.stmt("annual_value", spec.annual_value)
    w.stmt("outcome_payment", *_sched_tokens(spec.pot))
    if spec.text is not None:
        w.stmt("text", _text_token(spec.text, "  "))
    if spec.risk is not None:
        budget, members = spec.risk
        toks = ["members"]
        for n, (m, s) in enumerate(members):
            toks += ([","] if n else []) + [m, f"{s}%"]
        w.stmt("risk_share", "{")
        if spec.budget_capitation:
            w.stmt("budget", "capitation")
        else:
            w.stmt("budget", budget, "per", "year")
        w.stmt("commissioner", "share", "50%")
        w.stmt(*toks)
        w.stmt("}")
    if spec.prices:
        w.stmt("rate_card", "{")
        w.stmt("cap", "£1,800,000", "over", "term")
        for ident, title, amount, at_most in spec.prices:
            limit = [",", "at", "most", str(at_most), "over", "term"] if at_most else []
            w.stmt("price", ident, f'"{title}"', amount, "per", "person", *limit)
        w.stmt("}")
    if spec.tiers:
        w.stmt("capitation", "{")
        for ident, title, amount in spec.tiers:
            w.stmt("price", ident, f'"{title}"', amount, "per", "person", "per", "year")
        w.stmt("}")
    for o in spec.outcomes:
        w.stmt("outcome", o.id, f'"{o.title}"', "weight", f"{o.weight}%", "{")
        for ind in o.inds:
            _indicator_tokens(w, ind)
        if o.text is not None:
            w.stmt("text", _text_token(o.text, "    "))
        w.stmt("}")
    if spec.gate_ind is not None and spec.gate is not None:
        w.stmt("indicator", "DQ", f'"{spec.gate_ind.title}"', "{", "unit", "percent", "}")
        comparison, level = spec.gate
        w.stmt("gateway", "G1", '"Gateway"', "{", "requires", "DQ", "at",
               "least" if comparison == "at_least" else "most", f"{level}%")
        w.stmt("otherwise", "withhold", "50%", "of", "outcome_payment", "}")
    for ob in spec.obligations:
        w.stmt("obligation", ob.id, f'"{ob.title}"', "{")
        w.stmt(*_duty(ob))
        if ob.penalty is not None:
            w.stmt("penalty", ob.penalty, "per", "breach")
        w.stmt("}")
    w.stmt("}")
    if comments:
        w.parts.append("# trailer comment\n")
    return w.text()


# ---- mutations: change one field, name the diff paths that must change ---------------------
Mutation = Callable[[Spec, random.Random], "set[str] | None"]


def _bump(lit: str, by: int) -> str:
    pct = lit.endswith("%")
    v = Decimal(lit.rstrip("%")) + by
    return f"{v}%" if pct else str(v)


def m_target(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Tighten a target (higher is better: up; lower: down) in one year, or all."""
    inds = [i for o in spec.outcomes for i in o.inds if i.target is not None]
    if not inds:
        return None
    ind = rnd.choice(inds)
    assert ind.target is not None
    k = rnd.randrange(len(ind.target.values))
    ind.target.values[k] = _bump(ind.target.values[k], 1 if ind.direction == "higher" else -1)
    if Decimal(ind.target.values[k].rstrip("%")) < 0:
        return None
    return {f"indicator.{ind.id}.target"}


def m_outcome_weight(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Move one percentage point of weight from one outcome to another."""
    if len(spec.outcomes) < 2:
        return None
    a, b = rnd.sample(spec.outcomes, 2)
    if a.weight <= 1:
        return None
    a.weight -= 1
    b.weight += 1
    return {f"outcome.{a.id}.weight", f"outcome.{b.id}.weight"}


def m_party_sector(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Move a party to another sector."""
    p = rnd.choice([p for p in spec.parties if p.role != "alliance_member"])
    p.sector = "philanthropic" if p.sector != "philanthropic" else "private"
    return {f"party.{p.id}.sector"}


def m_party_name(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Rename a party."""
    p = rnd.choice(spec.parties)
    p.name += " Ltd"
    return {f"party.{p.id}.name"}


def m_remove_party(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Remove a subcontractor (nothing refers to one)."""
    subs = [p for p in spec.parties if p.role == "subcontractor"]
    if not subs:
        return None
    p = rnd.choice(subs)
    spec.parties.remove(p)
    return {f"party.{p.id}"}


def m_penalty(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Add, drop or raise a penalty."""
    if not spec.obligations:
        return None
    ob = rnd.choice(spec.obligations)
    ob.penalty = None if ob.penalty is not None and rnd.random() < 0.5 else (
        "£9,999" if ob.penalty != "£9,999" else "£1")
    return {f"obligation.{ob.id}.penalty"}


def m_days(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Lengthen an obligation's window."""
    if not spec.obligations:
        return None
    ob = rnd.choice(spec.obligations)
    if ob.kind == "report":
        ob.a += 1
        return {f"obligation.{ob.id}.working days"}
    if ob.kind == "spend_share":
        ob.a = ob.a - 1 if ob.a > 1 else 2
        return {f"obligation.{ob.id}.share"}
    ob.b += 1
    return {f"obligation.{ob.id}.days"}


def m_drop_obligation(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Remove an obligation."""
    if not spec.obligations:
        return None
    ob = rnd.choice(spec.obligations)
    spec.obligations.remove(ob)
    return {f"obligation.{ob.id}"}


def m_add_obligation(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Add an obligation."""
    spec.obligations.append(Obl("NEWOB", "New duty", "LEAD", "prompt_payment", 1, 30))
    return {"obligation.NEWOB"}


def m_pot(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Raise the pot in one year (or every year)."""
    k = rnd.randrange(len(spec.pot.values))
    spec.pot.values[k] = _bump(spec.pot.values[k], 1)
    return {"contract.outcome_payment"}


def m_annual_value(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Change the annual value."""
    spec.annual_value = "£45,000,001" if spec.annual_value != "£45,000,001" else "£7"
    return {"contract.annual_value"}


def m_if_missing(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Change what a missing indicator pays."""
    ind = rnd.choice([i for o in spec.outcomes for i in o.inds])
    ind.if_missing = 37 if ind.if_missing != 37 else 38
    return {f"indicator.{ind.id}.if missing pay"}


def m_min_den(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Change the minimum denominator."""
    ind = rnd.choice([i for o in spec.outcomes for i in o.inds])
    ind.min_den = (ind.min_den or 0) + 1
    return {f"indicator.{ind.id}.minimum denominator"}


def m_curve(spec: Spec, rnd: random.Random) -> set[str] | None:
    """A linear indicator that pays all or nothing (its floor goes)."""
    inds = [i for o in spec.outcomes for i in o.inds if i.curve == "linear"]
    if not inds:
        return None
    ind = rnd.choice(inds)
    ind.curve, ind.floor = "all_or_nothing", None
    return {f"indicator.{ind.id}.pays", f"indicator.{ind.id}.floor"}


def m_title(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Retitle an indicator."""
    ind = rnd.choice([i for o in spec.outcomes for i in o.inds])
    ind.title += " (revised)"
    return {f"indicator.{ind.id}.title"}


def m_text(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Change the contract's text."""
    spec.text = (spec.text or "") + "\nA new sentence."
    return {"contract.text"}


def m_gateway(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Raise the gateway's level."""
    if spec.gate is None:
        return None
    spec.gate = (spec.gate[0], spec.gate[1] + 1)
    return {"gateway.G1.level"}


def m_price(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Change a price."""
    if not spec.prices:
        return None
    i = rnd.randrange(len(spec.prices))
    ident, title, _amount, at_most = spec.prices[i]
    spec.prices[i] = (ident, title, "£1,234", at_most)
    return {f"price.{ident}.amount"} if _amount != "£1,234" else None


def m_version(spec: Spec, rnd: random.Random) -> set[str] | None:
    """A new version number."""
    spec.version = "2.0"
    return {"contract.version"}


def m_agreement(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Name another agreement (or the first one)."""
    spec.agreement = "Varied agreement"
    return {"contract.agreement"}


def m_tier_price(spec: Spec, rnd: random.Random) -> set[str] | None:
    """Change a capitation tier's price per person per year."""
    if not spec.tiers:
        return None
    i = rnd.randrange(len(spec.tiers))
    ident, title, _amount = spec.tiers[i]
    spec.tiers[i] = (ident, title, "£2,468")
    return {f"capitation.{ident}.price"}


MUTATIONS: list[Mutation] = [m_target, m_outcome_weight, m_party_sector, m_party_name,
                             m_remove_party, m_penalty, m_days, m_drop_obligation,
                             m_add_obligation, m_pot, m_annual_value, m_if_missing, m_min_den,
                             m_curve, m_title, m_text, m_gateway, m_price, m_version,
                             m_agreement, m_tier_price]


def mutate(spec: Spec, which: int, rnd: random.Random) -> tuple[Spec, set[str] | None]:
    """A copy of ``spec`` with one field changed, and the diff paths that must show it."""
    other = copy.deepcopy(spec)
    return other, MUTATIONS[which % len(MUTATIONS)](other, rnd)
