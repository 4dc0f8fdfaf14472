"""Checks across the tables of a person-level rate card (RECORDS.md), run after each table.

- ``claims`` and ``outcomes`` for one rate card, or ``outcomes`` for a person-level card
  (``once per person``, ``cap … per person``, ``claims within``): D060. A card is paid
  from one or the other, and a person-level rule cannot be applied to counts.
- With ``claims within N months of start``, every claimed person must be in
  ``participants`` (D061), and the table must be there at all. A person whose row is there
  but bad (its own D008, D021 or D013) is in participants: no second error for its claims;
  a participants table given but not readable (a missing column, an empty file) is not
  said to be absent.
- ``participants`` for a card without ``claims within``: D025 (a warning; nothing reads it).
- ``claims`` for a card whose term cap is above E063's bound (£10^16; a card without
  person-level rules, as E063 stops a person-level one): D062. Claims are decided in 64-bit
  pence (checker/rules/claims.py); counts of outcomes, in Decimals, have no such bound.

Checked over the columns (``pc.is_in``); only the rows that fail become diagnostics, the
first :data:`LIMIT` of them and then a count of the rest, so a wrong extract cannot bury
the output under a million lines.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from obc_check.checker.data.cells import quote
from obc_check.checker.data.claims import (
    NO_START,
    ClaimTable,
    ParticipantTable,
    claim_codes,
    with_starts,
)
from obc_check.checker.data.context import ContractIndex
from obc_check.checker.data.money import pounds
from obc_check.checker.data.origins import Origin
from obc_check.checker.data.problems import SHOWN_PER_CODE, Problems
from obc_check.model import RateCard

LIMIT = SHOWN_PER_CODE
"""The most rows one cross-table check reports one by one (the cap of every code)."""


def check_claims(ctx: ContractIndex, claims: ClaimTable | None,
                 people: ParticipantTable | None, has_outcomes: bool,
                 origins: Mapping[str, Origin], problems: Problems) -> None:
    """Report every problem between the claims, participants and outcomes tables."""
    if has_outcomes and ctx.has_rate_card and (claims is not None or ctx.person_level):
        why = ("the bundle also has a claims table: a rate card is paid from claims or "
               "from outcomes, not both" if claims is not None else
               "the rate card has person-level rules (once per person, a cap per person or "
               "a claim window), which are applied to claims, one row per person and outcome")
        problems.table(origins["outcomes"], "D060", f"outcome counts for this rate card: {why}",
                       "give the claims table (price, person, achieved_on) and remove the "
                       "outcomes table")
    if people is not None and not ctx.claim_window:
        problems.table(origins["participants"], "D025",
                       ("the rate card has no `claims within N months of start`"
                        if ctx.has_rate_card else "the contract has no rate_card")
                       + ", so participants is not used",
                       "remove the participants table, or check that this is the right "
                       "contract", severity="warning")
    if claims is not None and len(claims) and ctx.term_cap is not None \
            and ctx.term_cap > RateCard.MAX_CAP:
        # a card without person-level rules may be paid from claims (a person-level one
        # with such a cap is E063): the claims' rules count pence in 64-bit integers
        bound = pounds(RateCard.MAX_CAP)
        problems.table(origins["claims"], "D062",
                       f"claims for a rate card whose term cap {pounds(ctx.term_cap)} is more "
                       f"than {bound}: claims are paid in whole pence, counted in 64-bit "
                       "integers", f"give the outcomes table (counts of each price by period) "
                       f"instead, or a term cap of at most {bound}")
    if claims is None or not ctx.claim_window or not len(claims):
        return
    origin = origins["claims"]
    if people is None:
        if problems.reported("participants"):
            return  # given, but not readable: its own error says why
        problems.table(origin, "D061", "the rate card has `claims within N months of start`, "
                       "so each claim needs its person's start date, but the bundle has no "
                       "participants table",
                       "add participants (person, started_on), one row per person")
        return
    codes = claims.codes
    if codes is None or codes.started is None:  # pragma: no cover - the loader sets both
        codes = with_starts(claim_codes(claims.table, tuple(ctx.price_order)), people)
    assert codes.started is not None
    # one look-up per distinct person (with_starts); claims only when someone is missing
    unknown = codes.started == NO_START
    if not unknown.any():
        return
    missing = np.sort(codes.order[unknown[codes.person]])  # table positions, in file order
    if len(missing) and people.unread:  # in participants, on a row with its own error
        there = pc.is_in(claims.table.column("person").take(pa.array(missing)),
                         value_set=pa.array(sorted(people.unread), pa.string()))
        missing = missing[~np.asarray(there.fill_null(False), bool)]
    if not len(missing):
        return
    persons = claims.table.column("person").take(pa.array(missing[:LIMIT]))
    rows = claims.table.column("row").take(pa.array(missing[:LIMIT]))
    for person, row in zip(persons.to_pylist(), rows.to_pylist(), strict=True):
        problems.at(origin, row, "person", "D061",
                    f"{quote(person)} is not in participants",
                    "a claim window counts from the person's start: add the person to "
                    "participants (person, started_on), or correct the identifier")
    # the rest counted as every capped code's are: "N more D061 errors like those above"
    problems.more(origin, "D061", len(missing) - LIMIT)
