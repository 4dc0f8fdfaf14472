"""The Outcome Payment, the Outcomes with their Indicators, measured Indicators, Gateways.

Each function returns the blocks of one clause. Allocations are computed here exactly
(pot × outcome weight × indicator weight, as Fractions) and only rounded, half up to the
penny, where a figure is printed; a figure that is not a whole number of pence is marked
so the reader knows the printed sum is a rounding of the exact Allocation.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from obc_check.model import (
    AllOrNothing,
    Contract,
    Gateway,
    Indicator,
    Linear,
    Outcome,
    OutcomePayment,
    Steps,
)
from obc_check.render import words
from obc_check.render.blocks import Block, Figure, Para, Section, Table
from obc_check.render.curves import curve_chart, undrawable
from obc_check.render.records import measure_words
from obc_check.render.records import minimum_rule as records_minimum_rule
from obc_check.render.years import year_name

ROUNDED = "†"
ROUNDED_NOTE = (f"{ROUNDED} Rounded to the penny for display; the amount payable is computed "
                "from the exact Allocation and only then rounded.")


def share_of_pot(outcome: Outcome, indicator: Indicator) -> Fraction:
    """The indicator's share of the whole Outcome Payment: outcome weight × its weight."""
    weight = indicator.weight if indicator.weight is not None else Fraction(1)
    return Fraction(outcome.weight) * weight


def allocations(payment: OutcomePayment, outcome: Outcome,
                indicator: Indicator) -> tuple[Fraction, ...]:
    """The indicator's exact Allocation in each Contract Year."""
    share = share_of_pot(outcome, indicator)
    return tuple(Fraction(pot) * share for pot in payment.pot)


def money_cell(amount: Fraction | Decimal) -> str:
    """A money figure for a table, marked when rounded for display."""
    text = words.money(amount)
    return text if words.is_whole_pence(amount) else f"{text} {ROUNDED}"


def _notes(rows: list[tuple[str, ...]]) -> tuple[str, ...]:
    return (ROUNDED_NOTE,) if any(ROUNDED in cell for row in rows for cell in row) else ()


def outcome_payment_clause(c: Contract, ref: Callable[[str], str]) -> list[Block]:
    """How big the Outcome Payment is in each year, and how it is shared out."""
    op = c.outcome_payment
    assert op is not None
    years = c.term.years
    blocks: list[Block] = []
    has_value = c.annual_value is not None
    if op.basis == "share_of_annual_value":
        if op.schedule.uniform:
            first = (f"The Outcome Payment for each Contract Year is "
                     f"{words.percent(op.schedule.values[0])} of the Annual Value for that "
                     "Contract Year.")
        else:
            first = ("The Outcome Payment for each Contract Year is the share of the Annual "
                     "Value for that Contract Year set out in the table below.")
    else:
        first = ("The Outcome Payment for each Contract Year is the sum set out in the table "
                 "below" + (", shown also as a share of the Annual Value." if has_value else "."))
    blocks.append(Para(first + " It is payable only to the extent that the Outcomes are "
                       f"achieved, as clause {ref('outcomes')} sets out."))
    header: tuple[str, ...] = ("Contract Year", "Share of the Annual Value", "Outcome Payment")
    rows: list[tuple[str, ...]] = []
    for year, pot in zip(years, op.pot, strict=True):
        if has_value:
            assert c.annual_value is not None
            value = c.annual_value.for_year(year.number)
            rows.append((year_name(c, year), _share_of_value(op, year.number, pot, value),
                         words.money(pot)))
        else:
            rows.append((year_name(c, year), words.money(pot)))
    total = sum((Fraction(p) for p in op.pot), Fraction(0))
    if has_value:
        rows.append(("Total over the Term", "", words.money(total)))
    else:
        header = ("Contract Year", "Outcome Payment")
        rows.append(("Total over the Term", words.money(total)))
    blocks.append(Table("Outcome Payment by Contract Year", header, tuple(rows),
                        (False, True, True) if has_value else (False, True)))
    cap = (", but never more than the Outcome Payment for the Contract Year (which rounding "
           "could otherwise exceed by a penny or two)")
    earned = (f"The Indicator Sum is the sum of those amounts{cap}, and the Earned Outcome "
              "Payment is the Indicator Sum less the sums withheld under the Gateways"
              if c.gateways else f"The Earned Outcome Payment is the sum of those amounts{cap}")
    blocks.append(Para(
        "For each Contract Year, the amount payable for each Indicator is its Allocation "
        "multiplied by the proportion its payment rule gives, computed exactly and then "
        f"rounded half up to the penny. {earned}; the rest of the Outcome Payment for the "
        "Contract Year is withheld."))
    if c.outcomes:
        blocks.append(_allocation_table(c, op))
    return blocks


def _share_of_value(op: OutcomePayment, year: int, pot: Decimal, value: Decimal) -> str:
    """The pot as a share of the Annual Value; a £0 Annual Value has no share to show.

    A share-based pot is that share whatever the value (0% of £0 is still "5%"); a sum of
    money against a £0 Annual Value is no percentage at all, so the cell says so.
    """
    if value:
        return words.percent(Fraction(pot) / Fraction(value))
    if op.basis == "share_of_annual_value":
        return words.percent(op.schedule.for_year(year))
    return "not applicable (the Annual Value is £0)"


def _allocation_table(c: Contract, op: OutcomePayment) -> Table:
    """Every paid indicator's share of the pot and its Allocation in each year."""
    header = ("Indicator", "Outcome", "Share of the Outcome Payment",
              *(year_name(c, y) for y in c.term.years))
    rows: list[tuple[str, ...]] = []
    for outcome, ind in c.paid_indicators():
        rows.append((ind.id, outcome.id, words.percent(share_of_pot(outcome, ind)),
                     *(money_cell(a) for a in allocations(op, outcome, ind))))
    numeric = (False, False, True, *(True for _ in c.term.years))
    return Table("Allocation of the Outcome Payment", header, tuple(rows), numeric,
                 _notes(rows))


def text_paras(texts: tuple[str, ...]) -> list[Block]:
    """The author's ``text`` blocks as paragraphs, one per blank-line-separated paragraph."""
    out: list[Block] = []
    for text in texts:
        for chunk in text.split("\n\n"):
            joined = " ".join(line.strip() for line in chunk.splitlines() if line.strip())
            if joined:
                out.append(Para(joined))
    return out


def _direction_sentence(ind: Indicator) -> str:
    measured = f"It is measured as {words.unit_phrase(ind.unit)}"
    if ind.direction is None:
        return measured + "."
    better = "higher" if ind.direction == "higher" else "lower"
    return f"{measured}; a {better} Value is better."


def describe(ind: Indicator) -> Para:
    """The definition paragraph of an Indicator: its identifier, title, unit, direction."""
    return Para(f"Indicator {ind.id} is defined as “{ind.title}”. {_direction_sentence(ind)}")


def _baseline(ind: Indicator) -> list[Block]:
    if ind.baseline is None:
        return []
    return [Para(f"The Baseline is {words.in_unit(ind.baseline.value, ind.unit)} in "
                 f"{ind.baseline.period}.")]


def _thresholds_table(c: Contract, ind: Indicator,
                      allocs: tuple[Fraction, ...] | None) -> Table | None:
    """Floor, Target and Allocation per Contract Year (the columns that apply)."""
    cols: list[tuple[str, list[str]]] = []
    years = c.term.years
    if ind.floor is not None:
        cols.append(("Floor", [words.in_unit(v, ind.unit) for v in ind.floor.values]))
    if ind.target is not None:
        cols.append(("Target", [words.in_unit(v, ind.unit) for v in ind.target.values]))
    if allocs is not None:
        cols.append(("Allocation", [money_cell(a) for a in allocs]))
    if not cols:
        return None
    rows = [(year_name(c, y), *(col[1][i] for col in cols)) for i, y in enumerate(years)]
    return Table(f"Indicator {ind.id} by Contract Year",
                 ("Contract Year", *(col[0] for col in cols)), tuple(rows),
                 (False, *(True for _ in cols)), _notes(rows))


def _steps_table(c: Contract, ind: Indicator, steps: Steps,
                 allocs: tuple[Fraction, ...]) -> Table:
    """Each step's threshold and share, with the sum it pays in each Contract Year."""
    meets = "at or below" if ind.direction == "lower" else "at or above"
    header = (f"Value {meets}", "Share of the Allocation",
              *(year_name(c, y) for y in c.term.years))
    rows = [
        (words.in_unit(step.threshold, ind.unit), words.percent(step.share),
         *(money_cell(a * Fraction(step.share)) for a in allocs))
        for step in steps.steps
    ]
    return Table(f"Indicator {ind.id}: payment steps", header, tuple(rows),
                 (True, True, *(True for _ in c.term.years)), _notes(rows))


def _example(c: Contract, ind: Indicator, allocs: tuple[Fraction, ...]) -> list[Block]:
    """A worked example of the linear rule: the point halfway between Floor and Target.

    With value rounding the checker judges the rounded Value (``checker.rules.values``), so
    when the halfway point has more places than the rounding keeps, the example rounds it
    and states the share the rounded Value earns (21.25 at one place is 21.3: 52%, not 50%).
    """
    if ind.floor is None or ind.target is None:
        return []
    year = c.term.years[0]
    floor, target = ind.floor.for_year(1), ind.target.for_year(1)
    middle = (floor + target) / 2
    opening = (f"For example, in {year_name(c, year)} a Value of "
               f"{words.in_unit(middle, ind.unit)}, halfway "
               f"between the Floor of {words.in_unit(floor, ind.unit)} and the Target of "
               f"{words.in_unit(target, ind.unit)}, ")
    judged = words.round_value(middle, ind.rounding) if ind.rounding is not None else middle
    if judged == middle:
        return [Para(f"{opening}earns 50% of the Allocation of {words.money(allocs[0])}, "
                     f"that is {words.money(allocs[0] / 2)}.")]
    share = min(max((Fraction(judged) - Fraction(floor)) / (Fraction(target) - Fraction(floor)),
                    Fraction(0)), Fraction(1))
    return [Para(f"{opening}is rounded to {words.in_unit(judged, ind.unit)} and so earns "
                 f"{words.percent(share)} of the Allocation of {words.money(allocs[0])}, "
                 f"that is {words.money(allocs[0] * share)}.")]


def chart_alt(c: Contract, ind: Indicator, allocs: tuple[Fraction, ...]) -> str:
    """The chart in words, for a reader who cannot see it (HTML ``alt``, Word alt text).

    It states the shape of the curve and the first Contract Year's figures, which is what
    the picture shows; the tables give every year.
    """
    year = year_name(c, c.term.years[0])
    unit = ind.unit
    head = (f"Line chart of the amount payable for Indicator {ind.id} against its Value, "
            "one line per Contract Year (years with the same curve share one).")
    alloc = words.money(allocs[0])
    if isinstance(ind.curve, Steps):
        steps = ", ".join(f"{words.percent(st.share)} of the Allocation at "
                          f"{words.in_unit(st.threshold, unit)}" for st in ind.curve.steps)
        shape = (f" The amount steps up at each threshold: {steps}; nothing before the first. "
                 f"In {year} the Allocation is {alloc}.")
    elif isinstance(ind.curve, AllOrNothing) or ind.floor is None:
        target = words.in_unit(ind.target.for_year(1), unit) if ind.target else ""
        shape = (f" Nothing is payable until the Value reaches the Target, then the whole "
                 f"Allocation; in {year} the Target is {target} and the Allocation {alloc}.")
    else:
        floor = words.in_unit(ind.floor.for_year(1), unit)
        target = words.in_unit(ind.target.for_year(1), unit) if ind.target else ""
        shape = (" Nothing is payable up to the Floor; the amount then rises in a straight "
                 "line to the whole Allocation at the Target, and stays there beyond it; in "
                 f"{year} the Floor is {floor}, the Target {target} and the Allocation "
                 f"{alloc}.")
    return head + shape + " The tables above give every Contract Year's figures."


def payment_rule(ind: Indicator) -> str:
    """The sentence that says how the Indicator's Value turns into money."""
    if isinstance(ind.curve, Linear):
        return words.linear_rule(ind.direction)
    if isinstance(ind.curve, AllOrNothing):
        return words.all_or_nothing_rule(ind.direction)
    return words.steps_rule(ind.direction)


def _measure(c: Contract, ind: Indicator, datasets_ref: str) -> list[Block]:
    return measure_words(c, ind, datasets_ref) if ind.measure is not None else []


def _minimum(ind: Indicator, n: int) -> str:
    if ind.measure is not None:
        return records_minimum_rule(ind, n)
    return words.minimum_denominator_rule(n)


def indicator_clause(c: Contract, outcome: Outcome, ind: Indicator,
                     datasets_ref: str = "") -> Section:
    """One paid Indicator: definition, weight, thresholds, payment rule, chart."""
    op = c.outcome_payment
    allocs = allocations(op, outcome, ind) if op is not None else None
    weight = ind.weight if ind.weight is not None else Fraction(1)
    blocks: list[Block] = [describe(ind), *_measure(c, ind, datasets_ref), *_baseline(ind)]
    of_outcome = ("the whole" if weight == 1 else words.percent(weight))
    blocks.append(Para(f"It carries {of_outcome} of Outcome {outcome.id}, that is "
                       f"{words.percent(share_of_pot(outcome, ind))} of the Outcome Payment."))
    table = _thresholds_table(c, ind, allocs)
    if table is not None:
        blocks.append(table)
    if ind.rounding is not None:
        blocks.append(Para(words.rounding_rule(ind.rounding)))
    blocks.append(Para(payment_rule(ind)))
    if isinstance(ind.curve, Steps) and allocs is not None:
        blocks.append(_steps_table(c, ind, ind.curve, allocs))
    if isinstance(ind.curve, Linear) and allocs is not None:
        blocks.extend(_example(c, ind, allocs))
    if ind.minimum_denominator is not None:
        blocks.append(Para(_minimum(ind, ind.minimum_denominator)))
    blocks.append(Para(words.missing_rule(ind.if_missing_pay, ind.minimum_denominator)))
    blocks.extend(text_paras(ind.text))
    if allocs is not None:
        chart = curve_chart(c, ind, allocs)
        why = undrawable(chart) if chart is not None else None
        if why is not None:
            blocks.append(Para(f"No chart of Indicator {ind.id} is shown: {why}. The table "
                               "above sets out the payment rule."))
        elif chart is not None:
            blocks.append(Figure(
                f"Indicator {ind.id}, the amount payable against the Value in each "
                "Contract Year",
                chart_alt(c, ind, allocs), chart))
    return Section(f"Indicator {ind.id}: {ind.title}", tuple(blocks))


def outcome_clause(c: Contract, outcome: Outcome, datasets_ref: str = "") -> Section:
    """One Outcome: its weight, the author's text, then each of its Indicators."""
    n = len(outcome.indicators)
    blocks: list[Block] = [Para(
        f"Outcome {outcome.id} is that “{outcome.title}”. It carries "
        f"{words.percent(outcome.weight)} of the Outcome Payment and is assessed by "
        f"{words.count_words(n)} Indicator{'s' if n != 1 else ''}: "
        f"{words.join([i.id for i in outcome.indicators])}.")]
    blocks.extend(text_paras(outcome.text))
    blocks.extend(indicator_clause(c, outcome, ind, datasets_ref) for ind in outcome.indicators)
    return Section(f"Outcome {outcome.id}: {outcome.title}", tuple(blocks))


def outcomes_clause(c: Contract, datasets_ref: str = "") -> list[Block]:
    """The Outcomes clause: one sub-clause per Outcome."""
    intro = Para("The Outcomes, their weights and their Indicators are as follows. "
                 "Thresholds are in each Indicator's unit; a percentage is in percentage "
                 "points.")
    return [intro, *(outcome_clause(c, o, datasets_ref) for o in c.outcomes)]


def measured_clause(c: Contract, ref: Callable[[str], str]) -> list[Block]:
    """Indicators that are measured but carry no Allocation (used by Gateways)."""
    used = ref("gateways")
    blocks: list[Block] = [Para(
        "The following Indicators are measured but carry no Allocation"
        + (f"; they are used by the Gateways in clause {used}." if used else "."))]
    for ind in c.indicators:
        blocks.append(describe(ind))
        blocks.extend(_measure(c, ind, ref("datasets")))
        blocks.extend(_baseline(ind))
        table = _thresholds_table(c, ind, None)
        if table is not None:
            blocks.append(table)
        if ind.rounding is not None:
            blocks.append(Para(words.rounding_rule(ind.rounding)))
        if ind.minimum_denominator is not None:
            blocks.append(Para(words.minimum_denominator_rule(ind.minimum_denominator)))
        blocks.extend(text_paras(ind.text))
    return blocks


def gateway_clause(c: Contract, gw: Gateway) -> Section:
    """One Gateway: the condition, what is withheld, and the most that may be withheld.

    As ``checker.rules.payments`` computes it: each Gateway not met takes its share of the
    Indicator Sum (before any Gateway), rounded half up; the total is capped at that sum.
    """
    ind = c.indicator(gw.indicator)
    unit = ind.unit if ind is not None else None
    level = words.in_unit(gw.threshold, unit)
    fails = "below" if gw.comparison == "at_least" else "above"
    condition = "at least" if gw.comparison == "at_least" else "at most"
    lacking = ("is missing or insufficient" if ind is not None
               and ind.minimum_denominator is not None else "is missing")
    blocks: list[Block] = [Para(
        f"This Gateway requires the Value of Indicator {gw.indicator} to be {condition} "
        f"{level} in each Contract Year. In a Contract Year in which that Value is {fails} "
        f"{level}, or {lacking}, {words.percent(gw.withhold)} of the Indicator Sum for that "
        "Contract Year is withheld, rounded half up to the penny.")]
    if ind is not None and ind.minimum_denominator is not None:
        blocks.append(Para(
            f"The Value of Indicator {gw.indicator} for a Contract Year is insufficient where "
            f"its denominator for the Contract Year is below {ind.minimum_denominator:,} "
            "(see the definition of Value)."))
    op = c.outcome_payment
    if op is not None:
        rows: list[tuple[str, ...]] = [
            (year_name(c, y), words.money(pot), money_cell(Fraction(pot) * Fraction(gw.withhold)))
            for y, pot in zip(c.term.years, op.pot, strict=True)]
        blocks.append(Table(
            f"Gateway {gw.id}: the most that may be withheld",
            ("Contract Year", "Outcome Payment", "Withheld if the Indicator Sum were the whole "
                                                 "Outcome Payment"),
            tuple(rows), (False, True, True), _notes(rows)))
    blocks.extend(text_paras(gw.text))
    return Section(f"Gateway {gw.id}: {gw.title}", tuple(blocks))


def gateways_clause(c: Contract) -> list[Block]:
    """The Gateways clause: how Gateways combine, then one sub-clause per Gateway."""
    intro = ("Each Gateway's share is taken of the Indicator Sum for the Contract Year as it "
             "stands before any Gateway, not of what remains after another Gateway.")
    if len(c.gateways) > 1:
        intro += (" The sums withheld under all the Gateways together in a Contract Year "
                  "never exceed the Indicator Sum for it.")
    return [Para(intro), *(gateway_clause(c, g) for g in c.gateways)]
