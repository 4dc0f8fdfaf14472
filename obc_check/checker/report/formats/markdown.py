"""The markdown report, for a pull-request comment.

A headline and the totals stay visible; per-indicator tables and the full list of obligation
rows sit in ``<details>`` blocks, so a comment on a big contract stays short. Breaches are
listed in the open, at most ``BREACHED_ROWS_SHOWN`` per obligation (then a line that says how
many more there are), as in the text report.
"""

from __future__ import annotations

from obc_check.checker.data.money import ZERO, difference, pounds
from obc_check.checker.report.claim_summary import closest_to_cap, tally
from obc_check.checker.report.formats.common import (
    BREACHED_ROWS_SHOWN,
    COUNTS_NOTE,
    DATASET_HEADER,
    DATASETS_NOTE,
    RECONCILIATION_HEADER,
    STATUS_WORDS,
    capitation_cells,
    counts_cell,
    dataset_cells,
    fold_line,
    folded_breaches,
    funding_cells,
    funding_header,
    headline,
    ordered_cells,
    reconciliation_cells,
    row_label,
    shown_value,
    summaries,
)
from obc_check.checker.report.model import RateCardResult, Report
from obc_check.textsafe import printable

_ICON = {"breach": "❌", "incomplete": "⚠️", "compliant": "✅"}


def _cell(text: str) -> str:
    """Text for a cell or list item: no `|`, and no raw control character (textsafe)."""
    return printable(text.replace("\n", " ")).replace("|", "\\|")


def _table(header: list[str], rows: list[list[str]], right: tuple[int, ...] = ()) -> list[str]:
    rule = ["---:" if i in right else "---" for i in range(len(header))]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _claims(card: RateCardResult) -> list[str]:
    """Claims paid and rejected by reason, and the people closest to the person cap."""
    t = tally(card)
    rows = [["paid", str(t.paid), pounds(t.amount)]]
    if t.capped:
        rows.append(["of which capped", str(t.capped), ""])
    rows += [[f"rejected: {reason}", str(n), ""] for reason, n in t.rejected.items()]
    lines = [f"#### Claims ({t.claims})", ""]
    lines += _table(["Decision", "Claims", "Amount"], rows, right=(1, 2))
    lines.append("")
    if card.person_cap is not None and card.people:
        cap = card.person_cap
        lines += [f"#### People closest to the person cap ({pounds(cap)})", ""]
        lines += _table(["Person", "Paid", "Left", "Claims"],
                        [[p.person, pounds(p.paid), pounds(difference(cap, p.paid)), str(p.claims)]
                         for p in closest_to_cap(card)], right=(1, 2, 3))
        lines.append("")
    return lines


def render_markdown(report: Report) -> str:
    """The report as GitHub-flavoured markdown."""
    c = report.contract
    t = report.totals
    lines = [f"## {_ICON[report.status]} obc-check: {c.id} — {_cell(c.title)} "
             f"(version {c.version})", "",
             f"**{headline(report)}**", "",
             f"As of {report.as_of.isoformat()}; data `{_cell(report.data)}`.", ""]
    if report.outcome_payment is not None:
        rows = [[y.year, pounds(y.at_risk), pounds(y.earned), pounds(y.gateway_withheld),
                 pounds(y.withheld)] for y in report.outcome_payment]
        rows.append(["**Total**", pounds(t.at_risk or ZERO), pounds(t.earned or ZERO),
                     pounds(t.gateway_withheld or ZERO), pounds(t.withheld or ZERO)])
        lines += ["### Outcome payment", ""]
        lines += _table(["Year", "At risk", "Earned", "Gateway withheld", "Withheld"], rows,
                        right=(1, 2, 3, 4))
        for y in report.outcome_payment:
            lines += ["", f"<details><summary>Indicators {y.year}</summary>", ""]
            counts = [counts_cell(report, i) for i in y.indicators]
            shown = any(c is not None for c in counts)
            extra = ["Counts"] if shown else []
            lines += _table(
                ["Indicator", "Status", "Value", *extra, "Floor", "Target", "Achievement",
                 "Earned"],
                [[i.indicator, STATUS_WORDS[i.status], shown_value(i.value, i.unit),
                  *([c or "–"] if shown else []), i.floor or "–", i.target or "–",
                  i.achieved or f"{i.achievement:.4f}", pounds(i.earned)]
                 for i, c in zip(y.indicators, counts, strict=True)],
                right=tuple(range(2, 7 + len(extra))))
            if shown:
                lines += ["", COUNTS_NOTE]
            for g in y.gateways:
                lines += ["", f"- {_cell(g.derivation)}"]
            lines += ["", "</details>"]
        lines.append("")
    if report.datasets:
        lines += ["### Datasets", ""]
        lines += _table(list(DATASET_HEADER), [list(r) for r in dataset_cells(report)],
                        right=(1, 3, 4))
        lines += ["", DATASETS_NOTE, ""]
    if report.capitation is not None:
        lines += ["### Capitation", ""]
        lines += _table(["Year", "Tier", "Months (with a row / begun)", "Missing", "Payable"],
                        [[year, f"**{tier}**" if not months else tier, months, missing, payable]
                         for year, tier, months, missing, payable
                         in capitation_cells(report.capitation)], right=(2, 4))
        lines += ["", f"Capitation payable: {pounds(t.capitation_payable or ZERO)}", ""]
    if report.risk_share is not None:
        members = list(report.risk_share[0].members) if report.risk_share else []
        rows = [[r.year, pounds(r.variance), *(pounds(r.members[m]) for m in members)]
                for r in report.risk_share]
        lines += ["### Risk share", ""]
        lines += _table(["Year", "Variance", *members], rows,
                        right=tuple(range(1, len(members) + 2)))
        lines += ["", f"Members' total: {pounds(t.risk_share_members or ZERO)}", ""]
        if report.risk_share_not_assessed:
            lines += ["Not assessed (the capitation misses a month): "
                      + ", ".join(report.risk_share_not_assessed), ""]
    if report.rate_card is not None:
        card = report.rate_card
        rows = [[ry.year, pounds(ry.payable)] for ry in card.years]
        rows.append(["**Total**", pounds(card.total)])
        lines += [f"### Rate card (cap {pounds(card.cap)} over the term)", ""]
        lines += _table(["Year", "Payable"], rows, right=(1,))
        lines.append("")
        if card.claims is not None:
            lines += _claims(card)
    if report.funding:
        header = funding_header(report)
        lines += ["### Who pays what", ""]
        lines += _table(header, [[f"**{r[0]}**" if r[0] == "Total" else r[0], *r[1:]]
                                 for r in funding_cells(report)],
                        right=tuple(range(1, len(header))))
        lines.append("")
    reconciliation = reconciliation_cells(report)
    if reconciliation:
        lines += ["### Reconciliation of the commissioners' payments", ""]
        lines += _table(RECONCILIATION_HEADER, reconciliation, right=(2, 3, 4, 5))
        lines.append("")
    if report.obligations:
        lines += ["### Obligations", ""]
        lines += _table(["Obligation", "Kind", "Met", "Breached", "Not due", "Penalties"],
                        [[s.obligation, s.kind.replace("_", " "), str(s.met), str(s.breached),
                          str(s.not_due), s.penalties] for s in summaries(report)],
                        right=(2, 3, 4, 5))
        breaches = list(report.obligations.where("breached", BREACHED_ROWS_SHOWN))
        folds = [_cell(fold_line(ob, n))
                 for ob, n in folded_breaches(report.obligations, BREACHED_ROWS_SHOWN)]
        if breaches:
            lines += ["", "Breaches:", ""]
            lines += [f"- **{r.obligation} {row_label(r)}**: {_cell(r.derivation)}"
                      for r in breaches]
            lines += [f"- {line}" for line in folds]
        rows = [[ob, label, due, STATUS_WORDS[status], penalty]
                for ob, label, due, status, penalty in ordered_cells(report.obligations,
                                                                     BREACHED_ROWS_SHOWN)]
        lines += ["", "<details><summary>All obligation rows</summary>", ""]
        lines += _table(["Obligation", "Period / invoice", "Due", "Status", "Penalty"], rows,
                        right=(4,))
        lines += [f"\n{line}" for line in folds]
        lines += ["", "</details>", ""]
    lines.append(f"**Penalties: {pounds(report.penalties)}**")
    return "\n".join(lines) + "\n"
