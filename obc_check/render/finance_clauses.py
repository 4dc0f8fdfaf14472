"""The risk share (with a worked illustration) and the rate card, as clauses.

The illustration applies the risk-share rule of LANGUAGE.md to a 2% underspend and a 2%
overspend on the first Contract Year's Budget, exactly, rounding each member's amount half
up to the penny as the checker does, so a lawyer can see the rule at work on real figures.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from obc_check.model import Contract, RateCard, RiskShare
from obc_check.render import words
from obc_check.render.blocks import Block, Para, Table
from obc_check.render.capitation_clauses import illustration_capitation
from obc_check.render.claim_clauses import claim_clause, plain_claims
from obc_check.render.outcome_clauses import text_paras
from obc_check.render.terms import role_term
from obc_check.render.years import year_name

ILLUSTRATION_SHARE = Decimal("0.02")


def _schedule_sentence(c: Contract, name: str, values: tuple[Decimal, ...],
                       uniform: bool) -> str:
    if uniform:
        return f"{name} is {words.money(values[0])} in each Contract Year"
    parts = [f"{words.money(v)} in {year_name(c, y)}"
             for y, v in zip(c.term.years, values, strict=True)]
    return f"{name} is {words.join(parts)}"


def _members_part(rs: RiskShare, variance: Fraction, cap: Fraction | None) -> Fraction:
    """The members' signed part of a variance: their share, losses capped at ``cap``."""
    part = variance * (1 - Fraction(rs.commissioner_share))
    if part < 0 and cap is not None:
        part = max(part, -cap)
    return part


def _commissioners(c: Contract) -> tuple[str, str, str]:
    """The commissioner side of the risk share: the term, its possessive, and its verb ending.

    With several Commissioners ("Commissioner" then means any one of them) the share is
    theirs together, so the plural is used: "the Commissioners bear the rest".
    """
    plural = sum(1 for p in c.parties if p.role == "commissioner") > 1
    term = role_term("commissioner", plural=plural)
    return term, f"{term}'" if plural else f"{term}'s", "" if plural else "s"


def _illustration(c: Contract, rs: RiskShare, ref: Callable[[str], str]) -> list[Block]:
    commissioner, _, verb_s = _commissioners(c)
    if rs.budget is not None:
        budget = Fraction(rs.budget.for_year(1))
        budget_words = f"the Budget of {words.money(budget)}"
    elif c.capitation is not None:
        # No sum is known before the Caseload is: take the Capitation clause's illustration.
        budget = illustration_capitation(c.capitation)
        budget_words = (f"a Budget of {words.money(budget)} (the Capitation in the "
                        f"illustration in clause {ref('capitation')}; "
                        f"{words.percent(ILLUSTRATION_SHARE)} of it taken to the penny)")
    else:
        return []
    year = year_name(c, c.term.years[0])
    swing = budget * Fraction(ILLUSTRATION_SHARE)
    if rs.budget is None:
        # The Capitation illustration's Budget is not a round sum: take the 2% to the penny,
        # so that the Variance is one an Actual Cost (whole pence) can give in `check`.
        swing = Fraction(words.round_pence(swing))
    cap = Fraction(rs.member_loss_cap.for_year(1)) if rs.member_loss_cap is not None else None
    gain, loss = _members_part(rs, swing, cap), _members_part(rs, -swing, cap)
    pct = words.percent(ILLUSTRATION_SHARE)
    rows: list[tuple[str, ...]] = []
    for m in rs.members:
        party = c.party(m.party)
        name = f"{m.party} ({party.name})" if party is not None else m.party
        rows.append((name, words.percent(m.share), "",
                     words.money(words.round_pence(gain * Fraction(m.share))),
                     words.money(words.round_pence(loss * Fraction(m.share)))))
    rows.append(("Alliance Members together", "100%",
                 words.percent(1 - Fraction(rs.commissioner_share)),
                 words.money(gain), words.money(loss)))
    rows.append((f"{commissioner} together" if not verb_s else commissioner, "",
                 words.percent(rs.commissioner_share),
                 words.money(swing - gain), words.money(-swing - loss)))
    blocks: list[Block] = [Para(
        f"Illustration. If the Actual Cost in {year} were {pct} below {budget_words}, "
        f"the Variance would be an underspend of {words.money(swing)}; "
        f"if it were {pct} above, an overspend of {words.money(swing)}. The table below shows "
        "what each party would be paid or bear (a negative sum is a loss borne), each "
        "member's amount rounded half up to the penny. Each member's share is of the "
        "Alliance Members' part; the shares of the Alliance Members together and of the "
        f"{commissioner} are of the Variance.")]
    blocks.append(Table(
        f"Illustration: a {pct} underspend and overspend in {year}",
        ("Party", "Share of the Alliance Members' part", "Share of the Variance",
         f"{pct} underspend", f"{pct} overspend"),
        tuple(rows), (False, True, True, True, True)))
    if cap is not None:
        members = 1 - Fraction(rs.commissioner_share)
        if members > 0:
            reach = cap / members
            # As a share of the Budget only when there is one (a Budget may be £0), and not
            # for the Capitation illustration's Budget, of which it is no round share.
            of_budget = (f" ({words.percent(reach / budget)} of the Budget)"
                         if budget and rs.budget is not None else "")
            blocks.append(Para(
                f"In {year} the Member Loss Cap of {words.money(cap)} is reached at an "
                f"overspend of {words.money(reach)}{of_budget}; the {commissioner} "
                f"bear{verb_s} all of any overspend beyond that."))
    return blocks


def risk_share_clause(c: Contract, ref: Callable[[str], str]) -> list[Block]:
    """The risk share: Budget, shares, member split, the loss cap and an illustration."""
    rs = c.risk_share
    assert rs is not None
    members_share = 1 - Fraction(rs.commissioner_share)
    commissioner, possessive, verb_s = _commissioners(c)
    budget = (_schedule_sentence(c, "The Budget", rs.budget.values, rs.budget.uniform)
              if rs.budget is not None else
              "The Budget for a Contract Year is the Capitation for that Contract Year under "
              f"clause {ref('capitation')}, worked out from the Caseload of every Month of it")
    blocks: list[Block] = [
        Para(budget + "."),
        Para(
            f"The {possessive} share of any Variance is {words.percent(rs.commissioner_share)}"
            f" and the Alliance Members' share is {words.percent(members_share)}. Where the "
            "Variance for a Contract Year is an underspend, the Alliance Members are paid "
            "their share of it. Where it is an overspend, the Alliance Members bear their "
            "share of it"
            + (", but together not more than the Member Loss Cap" if rs.member_loss_cap
               else "")
            + f", and the {commissioner} bear{verb_s} the rest."),
    ]
    if rs.member_loss_cap is not None:
        cap = rs.member_loss_cap
        blocks.append(Para(_schedule_sentence(c, "The Member Loss Cap", cap.values,
                                              cap.uniform) + "."))
    blocks.append(Para(
        "The Alliance Members' part is divided between them in the shares below. Each "
        "member's amount is rounded half up to the penny (a loss of half a penny becoming a "
        "loss of one penny), so the members' amounts may add up to a little more or less "
        "than the Alliance Members' part: by up to half a penny for each member."))
    blocks.append(Para(
        "The Variance is assessed for each Contract Year once it has ended and its Actual "
        "Cost is reported. While no Actual Cost is reported for a Contract Year, nothing is "
        "paid or borne under this clause for it."))
    rows = []
    for m in rs.members:
        party = c.party(m.party)
        rows.append((m.party, party.name if party is not None else "", words.percent(m.share)))
    blocks.append(Table("Alliance Members' shares", ("Member", "Legal name", "Share"),
                        tuple(rows), (False, False, True)))
    if rs.budget_basis == "capitation":
        blocks.append(Para(
            "Where no Caseload is reported for a Tier for a Month of a Contract Year, the "
            "Capitation for that Contract Year is incomplete: the Variance for that Contract "
            "Year is not assessed, and nothing is paid or borne under this clause for it, "
            "while the Caseload is not reported."))
    blocks.extend(_illustration(c, rs, ref))
    blocks.extend(text_paras(rs.text))
    return blocks


def _price_rows(card: RateCard) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for p in card.prices:
        most = (words.money(p.amount * p.at_most) if p.at_most is not None
                else "the Rate Card Cap")
        rows.append((p.id, p.title, f"{words.money(p.amount)} per {p.per}",
                     f"{p.at_most:,}" if p.at_most is not None else "no limit",
                     most))
    return rows


def _limits_sentence(card: RateCard) -> str:
    """The order in which the Rate Card's limits apply (``checker.rules.ratecard``).

    Lines are paid in order of the period's last day, then its first day (so a Contract
    Year's figure comes before that of its last Quarter or Month, which end with it), then
    the prices in the order of the table.
    """
    limited = [p for p in card.prices if p.at_most is not None]
    if limited:
        which = ("The limits (each price's limit on the outcomes counted and the Rate Card Cap) "
                 "apply")
    else:
        which = "The Rate Card Cap applies"
    text = (f"{which} in time order: periods in the order of their last day, a longer period "
            "before a shorter one that ends on the same day (so a Contract Year's figures "
            "come after those of its earlier Quarters and Months and before those of its last "
            "Quarter or Month), and, within one period, the prices in the order of the table.")
    if limited:
        text += (" A price's limit counts outcomes: in the period in which it is reached, "
                 "only the outcomes up to the limit are paid for, and no further outcomes are "
                 "paid for under that price.")
    text += (" The Rate Card Cap limits money: the sum for the period and price in which it "
             "is reached is paid only up to the Rate Card Cap, even where that is part of one "
             "price, and nothing further is payable under the Rate Card.")
    return text


def funding_clause(c: Contract) -> list[Block]:
    """Who pays what, as ``checker.rules.funding.split_funding`` splits each year's payable.

    Each Commissioner's share and cap; the years in order; the penny rule; what happens when
    a cap is reached; what is unfunded.
    """
    f = c.funding
    assert f is not None
    rows = tuple((p.party, words.percent(p.share),
                  words.money(p.cap) if p.cap is not None else "no cap") for p in f.payers)
    first = f.payers[0].party if f.payers else ""
    blocks: list[Block] = [
        Para("The Payable for each Contract Year is paid by the Commissioners in the shares "
             "set out below, each up to its cap over the whole Term where one is set."),
        Table("Funding", ("Commissioner", "Share of the Payable", "Cap over the Term"), rows,
              (False, True, True)),
        Para("The Contract Years are taken in order, the earliest first. For each, a "
             "Commissioner's Share is the Payable multiplied by its share, rounded half up to "
             "the penny; any difference between the Payable and the sum of the Shares so "
             "rounded (at most a few pence) is added to, or taken from, the Share of the "
             f"Commissioner listed first ({first}), or, where it takes no part, of the first "
             "listed of those that do."),
    ]
    if any(p.cap is not None for p in f.payers):
        # ``split_year`` leaves a payer with a 0% share out of every split, capped or not: only
        # an uncapped payer with a share above nought can take what the capped ones cannot.
        takes_rest = any(p.cap is None and p.share > 0 for p in f.payers)
        nought = any(p.cap is None and p.share == 0 for p in f.payers)
        blocks.append(Para(
            "A Commissioner whose Shares over the Term would pass its cap pays only up to its "
            "cap. The excess is shared again in the same way, in proportion to their shares, "
            "among the Commissioners still below their caps, as often as needed; a "
            "Commissioner whose Shares reach its cap exactly pays nothing more. "
            + ("A Commissioner without a cap takes what the others cannot, so no part of the "
               "Payable is left unfunded." if takes_rest else
               "Any part of the Payable that no Commissioner can take because every cap has "
               "been reached is unfunded: no Commissioner is bound to pay it under this "
               "Schedule."
               + (" A Commissioner whose share is 0% takes no part, even where it has no cap."
                  if nought else ""))))
    blocks.extend(text_paras(f.text))
    return blocks


def rate_card_clause(c: Contract) -> list[Block]:
    """The Rate Card: a price table with each price's cap, the overall cap, the order."""
    card = c.rate_card
    assert card is not None
    if card.person_level:
        return [*claim_clause(c), *text_paras(card.text)]
    blocks: list[Block] = [
        Para("For each Contract Year, Quarter or Month that has ended, the number of outcomes "
             "reported for it under each price is payable at that price. The words “per "
             "person” and “per outcome” in the table say what each price counts; neither "
             "limits how often the same person may be counted."),
        Table("Rate Card", ("Price", "Outcome", "Amount", "Outcomes counted over the Term",
                            "Most payable under this price"),
              tuple(_price_rows(card)), (False, False, True, True, True)),
        Para(f"The Rate Card Cap is {words.money(card.cap)}: no more than that sum is payable "
             "under the Rate Card over the whole Term."),
        Para(_limits_sentence(card)),
        Para(plain_claims(card)),
    ]
    blocks.extend(text_paras(card.text))
    return blocks
