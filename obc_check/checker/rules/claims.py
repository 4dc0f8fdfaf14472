"""Person-level rate cards (RECORDS.md): every claim decided, in order, with its reason.

Claims are taken in decision order (``achieved_on``, the price's place in the rate card,
``person`` by code point) and each is decided by the first of five rules that rejects it:

1. achieved outside the term: ``outside_term``; after the as-of date: ``after_as_of``;
2. with a claim window: before the person's start: ``before_start``; after start + N months
   (that day itself inside): ``outside_window``;
3. ``once per person`` and the person already has a paid claim for the price: ``repeat``;
4. ``at most N over term`` and N claims of the price are already paid: ``price_limit``;
5. amount = least of the price, what the person cap leaves and what the term cap leaves;
   zero: ``term_cap`` when the term cap is used up, else ``person_cap``.

A million claims must not take a Python loop each, so the rules run over numpy columns of
plain integers (money in units of a penny, or finer when a price has more decimals):

- rules 1 and 2 are comparisons of day numbers;
- rule 3 keeps, of each (price, person) pair of a ``once`` price, the first eligible claim
  (a *candidate*; found with one ``np.minimum.at`` into a table by pair); a later one is
  ``repeat`` when the first was paid. It can never be paid otherwise: whatever stopped the
  first (a used-up person or term cap, a reached price limit) only tightens later;
- rule 5 without the term cap is exact in closed form: a person's payments after k claims
  total ``min(person cap, sum of the k prices)``, so each claim is paid the difference of
  two such minima over a per-person running sum. Only people whose candidates ask more
  than the cap in all can be cut, so only their claims are grouped and summed;
- rule 4 couples persons through the price's count, so it is found by iteration: guess
  which candidates a price limit rejects, work out the payments, and re-derive the guess.
  Each round is right on a longer prefix of the order (a claim's fate depends only on
  earlier claims), so the guess settles, in a handful of rounds in practice; after
  :data:`MAX_ROUNDS` the plain loop (:func:`decide_in_order`) is used instead;
- the term cap then cuts the running total where it crosses the cap; claims after it are
  ``term_cap`` (or ``price_limit``, counted on what was really paid).

:func:`decide_in_order` states the rules as a loop over the claims, one at a time; the tests
hold the two to identical results on random cards and claims.

The columns are int64, so :func:`inputs` clips the money to what can change a decision (a
price above the term cap counts as the cap + 1p, and so on: :func:`_clipped`), exactly, and
when even then a running sum might pass int64 (a dozen claims at the greatest term cap,
£10^16, E063 and D062) the rules are the loop, whose sums are Python ints (``Inputs.exact``).

No claim-sized boolean selection (``a[mask]``, ``a[mask] = v``, ``np.copyto(where=mask)``)
where the mask is unpredictable, as "paid" or "eligible" are: numpy's branch for each
element makes them cost about 4 ms a million, where ``np.compress``, a multiplication by the
mask or a slice of a run takes under 1 ms.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pyarrow as pa

from obc_check.checker.data import kernels, pooled, twocores
from obc_check.checker.data.claims import (
    NO_START,
    ClaimTable,
    ParticipantTable,
    claim_codes,
    stable_order,
    with_starts,
)
from obc_check.checker.data.money import pounds
from obc_check.model import RateCard

REASONS = ("outside_term", "after_as_of", "before_start", "outside_window", "repeat",
           "price_limit", "person_cap", "term_cap")
"""Why a claim is rejected, in the order of the rules; code ``i + 1`` in :class:`Decisions`."""
PAID = 0
OUTSIDE_TERM, AFTER_AS_OF, BEFORE_START, OUTSIDE_WINDOW, REPEAT, PRICE_LIMIT, PERSON_CAP, \
    TERM_CAP = range(1, 9)
MAX_ROUNDS = 40
_PAIR_TABLE_PER_CLAIM, _PAIR_TABLE_LIMIT = 4, 1 << 20
"""Rule 3 finds each pair's first claim in a table of prices × people entries when that is
at most four per eligible claim plus about a million; otherwise by a sort."""
_KERNEL_PAIRS = 1 << 30
"""The compiled rules (:mod:`~obc_check.checker.data.kernels`) keep a bit for every
(price, person) pair: up to 128 MB of them, or 8 bytes a claim; beyond, the numpy steps."""
_EPOCH = dt.date(1970, 1, 1)
_NONE_BEFORE, _NONE_AFTER = np.iinfo(np.int32).min, np.iinfo(np.int32).max
"""The start and window end of a person with no start: no claim's day is before or after."""


@dataclass(frozen=True)
class Decisions:
    """Every claim's decision, in decision order.

    ``order`` holds the claims' positions in their table; ``reason`` is 0 for paid, else
    the code of :data:`REASONS` (index + 1); ``amount`` is in units of ``1 / unit`` pounds.
    """

    order: np.ndarray
    reason: np.ndarray
    amount: np.ndarray
    capped: np.ndarray
    unit: int

    def money(self, units: int) -> Decimal:
        """``units`` as pounds, exactly."""
        return (Decimal(int(units)) / self.unit).quantize(Decimal("0.01")) \
            if self.unit == 100 else Decimal(int(units)) / self.unit


@dataclass(frozen=True)
class Inputs:
    """The claims as plain integer columns in decision order, and the card's settings."""

    price: np.ndarray  # the price's place in the card (int32)
    person: np.ndarray  # a code per distinct person (int32)
    day: np.ndarray  # achieved_on, days since 1970-01-01 (int32), so never decreasing
    started: np.ndarray  # by person code: started_on (days, int32), or a sentinel when unknown
    window_end: np.ndarray  # by person code: started_on + N months (days, int32), the last
    # day inside; both per person, not per claim: two million-claim columns fewer to hold
    amounts: np.ndarray  # each price in units, by place
    once: np.ndarray  # bool by place
    limit: np.ndarray  # the `at most` count by place, -1 for none
    person_cap: int | None
    term_cap: int
    term: tuple[int, int]
    as_of: int
    window: bool
    exact: bool = False
    """True when a running sum of the amounts might not fit int64: :func:`decide` then takes
    the loop of Python ints (:func:`decide_in_order`). ``amounts`` and the caps are clipped
    to what can matter (:func:`_clipped`), so this is only for absurd money, never a card
    of real prices."""


def _days(day: dt.date) -> int:
    return (day - _EPOCH).days


def unit_of(card: RateCard) -> int:
    """Units per pound: pence, or finer when a price or cap is written with more decimals."""
    places = 2
    for value in (card.cap, card.person_cap, *(p.amount for p in card.prices)):
        if value is not None:
            exponent = value.normalize().as_tuple().exponent
            places = max(places, -exponent if isinstance(exponent, int) else 0)
    return int(10 ** places)


def _units(value: Decimal, unit: int) -> int:
    # through a Fraction: Decimal arithmetic rounds to 28 digits, and a price may have 50
    return int(Fraction(value) * unit)


_FITS = 1 << 62
"""Running sums of amounts below this fit int64, and so does a cap minus one of them."""


def _clipped(card: RateCard, unit: int, price: np.ndarray
             ) -> tuple[list[int], int | None, int, bool]:
    """The prices, person cap and term cap in units, clipped exactly, and ``Inputs.exact``.

    ``exact`` is whether a running sum of the clipped amounts might not fit int64. Each
    clip changes no decision of the five rules (RECORDS.md), whatever the claims:

    - the term cap T as ``min(T, S + 1)``, S the total every claim asks (Python ints, from
      the count of each price): when T > S the term cap never binds (what it leaves is
      more than any claim asks) and is never used up (``term_cap``), and neither is S + 1;
    - a price above T as T + 1: what the term cap leaves is at most T, so the claim is
      paid the same least of the three, and ``capped`` (less than the price) is still true;
    - a person cap above T as T: a person has been paid at most what the term has, so what
      either cap leaves the person is at least what the term cap leaves.

    Every amount is then at most T + 1, and T at most 10^18 pence (E063, D062), within int64.
    """
    term = _units(card.cap, unit)
    asked = [_units(p.amount, unit) for p in card.prices]
    exact = False
    if term >= _FITS or len(price) * min(max(asked, default=0), term + 1) >= _FITS:
        # a running sum might not fit (never with real prices): the term cap clipped to
        # the total asked, and the exact total of the clipped amounts
        counts = np.bincount(price, minlength=len(asked)).tolist()
        term = min(term, sum(c * a for c, a in zip(counts, asked, strict=True)) + 1)
        if term >= 1 << 62:  # past E063 and D062: only a card built in Python
            raise ValueError(f"a term cap above {pounds(RateCard.MAX_CAP)} (D062) with "
                             "claims that ask more: claims are decided in 64-bit pence")
        clip = [min(a, term + 1) for a in asked]
        exact = sum(c * a for c, a in zip(counts, clip, strict=True)) >= _FITS
    amounts = [min(a, term + 1) for a in asked]
    person = None if card.person_cap is None else min(_units(card.person_cap, unit), term)
    return amounts, person, term, exact


def add_months_days(days: np.ndarray, months: int) -> np.ndarray:
    """Day numbers moved by whole months, clamped to the end of a shorter month.

    The date rule of conditions (RECORDS.md): 2020-01-31 + 1 month = 2020-02-29.
    """
    day = days.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    within = (day - month.astype("datetime64[D]")).astype(np.int64)  # 0-based day of month
    target = month + np.timedelta64(months, "M")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]")
              - target.astype("datetime64[D]")).astype(np.int64)
    out: np.ndarray = (target.astype("datetime64[D]").astype(np.int64)
                       + np.minimum(within, length - 1))
    return out


def window_ends(starts: np.ndarray, months: int) -> np.ndarray:
    """:func:`add_months_days` of many days that span a few years.

    Worked out once for each day of the span and looked up: numpy's month arithmetic is
    slow per element, and a million claims have only a few thousand distinct start days.
    """
    if not len(starts):
        return starts.copy()
    low, high = int(starts.min()), int(starts.max())
    if high - low > 4 * len(starts):
        return add_months_days(starts, months)
    table = add_months_days(np.arange(low, high + 1, dtype=np.int64), months)
    out: np.ndarray = table[starts - low]
    return out


@dataclass(frozen=True)
class Ordered:
    """The claims' own columns in decision order, for the report (no Python object a row)."""

    price: pa.Array  # dictionary: the card's prices
    person: pa.Array  # dictionary: the distinct persons, by code point
    achieved_on: pa.Array
    row: pa.Array
    persons: pa.Array


def inputs(card: RateCard, claims: ClaimTable, people: ParticipantTable | None,
           term: tuple[dt.date, dt.date], as_of: dt.date) -> tuple[Inputs, Ordered, int]:
    """The claims as :class:`Inputs` in decision order, their own columns, and the unit."""
    prices = tuple(p.id for p in card.prices)
    codes = claims.codes
    if codes is None or codes.prices != prices:
        codes = claim_codes(claims.table, prices)
    window = card.claim_months is not None
    if window and people is not None and codes.started is None:
        codes = with_starts(codes, people)
    order = codes.order
    person, price, day = codes.person, codes.price, codes.day  # in decision order already
    q = len(codes.persons)
    started = np.full(q, _NONE_BEFORE, np.int32)
    window_end = np.full(q, _NONE_AFTER, np.int32)
    if window and codes.started is not None and len(order):
        # as int32 like ``day`` (every date32 day fits; an unknown start becomes int32's
        # least, its window end int32's greatest): the million-claim gathers and
        # comparisons then move half the bytes and need no widened copy of day
        known = codes.started != NO_START
        started[known] = codes.started[known]
        window_end[known] = np.minimum(window_ends(codes.started[known],
                                                   int(card.claim_months or 0)),
                                       _NONE_AFTER)  # a window past int32's days is open anyway
    unit = unit_of(card)
    amounts, person_cap, term_cap, exact = _clipped(card, unit, price)
    if claims.rows_from is not None:
        rows = np.add(order, claims.rows_from, out=pooled.empty(len(order), np.int64))
    else:
        rows = np.asarray(claims.table.column("row").combine_chunks(), np.int64)[order] \
            if len(order) else np.zeros(0, np.int64)
    # the codes are places in the card and ranks among the persons by construction, so
    # pyarrow is not asked to check a million indices again (0.5 ms each column)
    ordered = Ordered(
        price=pa.DictionaryArray.from_arrays(pa.array(price.astype(np.int32, copy=False)),
                                             pa.array(prices, pa.string()), safe=False),
        person=pa.DictionaryArray.from_arrays(pa.array(person.astype(np.int32, copy=False)),
                                              codes.persons, safe=False),
        achieved_on=pa.array(day.astype(np.int32, copy=False)).cast(pa.date32()),
        row=pa.array(rows), persons=codes.persons)
    return Inputs(
        price=price, person=person, day=day, started=started, window_end=window_end,
        amounts=np.array(amounts, np.int64),
        once=np.array([p.once_per_person for p in card.prices], bool),
        limit=np.array([-1 if p.at_most is None else p.at_most for p in card.prices],
                       np.int64),
        person_cap=person_cap, term_cap=term_cap, term=(_days(term[0]), _days(term[1])),
        as_of=_days(as_of), window=window, exact=exact), ordered, unit


def first_rules(x: Inputs) -> np.ndarray:
    """Rules 1 and 2 for every claim: 0 where neither rejects it, else the reason's code.

    The claims are in decision order, by day first, so rule 1 rejects a first and a last
    run of them (before the term; after the as-of date or the term) and rule 2 looks only
    at the run between: a binary search for each end, not a comparison per claim.
    """
    n = len(x.day)
    reason = pooled.full(n, 0, np.int8)
    # the days searched for in the days' own type: a Python int would make numpy search
    # a widened int64 copy of the million days
    day_of = x.day.dtype.type
    first = int(np.searchsorted(x.day, day_of(x.term[0]), side="left"))
    late = int(np.searchsorted(x.day, day_of(x.as_of), side="right"))
    after = int(np.searchsorted(x.day, day_of(x.term[1]), side="right"))
    reason[late:] = AFTER_AS_OF
    reason[:first] = OUTSIDE_TERM
    reason[after:] = OUTSIDE_TERM
    end = min(late, after)
    if x.window and first < end:
        # each claim's start and window end gathered one at a time and dropped: no
        # million-claim column of either is ever held; two halves at once (twocores)
        window = functools.partial(_window, x, reason[first:end], first)
        twocores.halves(end - first, window, end - first >= twocores.SPLIT_AT)
    return reason


def _window(x: Inputs, open_: np.ndarray, first: int, at: slice) -> None:
    """Rule 2 for the claims ``at`` of ``open_`` (the claims from place ``first`` on)."""
    start, stop = first + at.start, first + at.stop
    day, person, open_ = x.day[start:stop], x.person[start:stop], open_[at]
    mask = np.less(day, pooled.take(x.started, person), out=pooled.empty(len(day), bool))
    open_[mask] = BEFORE_START
    beyond = np.greater(day, pooled.take(x.window_end, person), out=mask)
    beyond &= np.equal(open_, 0, out=pooled.empty(len(day), bool))
    open_[beyond] = OUTSIDE_WINDOW


def decide_in_order(x: Inputs) -> tuple[np.ndarray, np.ndarray]:
    """The five rules as RECORDS.md states them: one claim at a time, in order.

    Returns the reason code and the amount of each claim. The reference for
    :func:`decide`, and its fallback: its running totals are Python ints (the columns as
    lists), so they never wrap, whatever the amounts; each amount paid is at most the term
    cap, which fits the int64 column.
    """
    reason = first_rules(x)
    amount = np.zeros(len(x.day), np.int64)
    paid_pairs: set[tuple[int, int]] = set()
    paid_count = [0] * len(x.amounts)
    person_paid: dict[int, int] = {}
    term_left = x.term_cap
    cap = x.person_cap
    prices, persons = x.price.tolist(), x.person.tolist()
    amounts, once, limit = x.amounts.tolist(), x.once.tolist(), x.limit.tolist()
    for k in np.flatnonzero(reason == 0).tolist():
        j, who = prices[k], persons[k]
        if once[j] and (j, who) in paid_pairs:
            reason[k] = REPEAT
            continue
        if limit[j] >= 0 and paid_count[j] >= limit[j]:
            reason[k] = PRICE_LIMIT
            continue
        left = amounts[j] if cap is None else cap - person_paid.get(who, 0)
        pay = min(amounts[j], left, term_left)
        if pay <= 0:
            reason[k] = TERM_CAP if term_left <= 0 else PERSON_CAP
            continue
        amount[k] = pay
        term_left -= pay
        person_paid[who] = person_paid.get(who, 0) + pay
        paid_count[j] += 1
        paid_pairs.add((j, who))
    return reason, amount


def group_sums(groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact sums of the int64 ``values`` by group (``groups`` in ``0..n-1``).

    ``np.add.at`` on int64: never through floats (and faster than a weighted ``bincount``).
    """
    out = pooled.full(n, 0, np.int64)
    np.add.at(out, groups, values)
    return out


def _grouped_cumsum(values: np.ndarray, perm: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Running sums of ``values`` within groups (inclusive), groups contiguous in ``perm``.

    ``starts`` marks, in ``perm`` order, the first element of each group.
    """
    ordered = values[perm]
    total = np.cumsum(ordered)
    # each group restarts from the running sum just before its first element
    first = np.flatnonzero(starts)
    base = (total - ordered)[first][np.cumsum(starts) - 1] if len(first) else total
    out = np.empty_like(total)
    out[perm] = total - base
    return out


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    perm = stable_order(keys)
    ordered = keys[perm]
    starts = np.ones(len(keys), bool)
    if len(keys) > 1:
        starts[1:] = ordered[1:] != ordered[:-1]
    return perm, starts


def _first_of_each(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_index=True, return_inverse=True)[1:]``, by a digit sort.

    The position of each distinct key's first occurrence (in key order) and, for every
    element, the number of its key among the distinct ones.
    """
    perm = stable_order(keys)
    ordered = keys[perm]
    starts = np.ones(len(keys), bool)
    if len(keys) > 1:
        starts[1:] = ordered[1:] != ordered[:-1]
    group = np.cumsum(starts) - 1
    inverse = np.empty(len(keys), np.int64)
    inverse[perm] = group
    return perm[starts], inverse


def decide(x: Inputs) -> tuple[np.ndarray, np.ndarray]:
    """The same decisions as :func:`decide_in_order`, over columns (see the module doc).

    Written to hold few claim-sized arrays at once: each is dropped when its last use is
    done and the round's payments reuse one buffer. A million claims make each such array
    several MB; the biggest are taken from pyarrow's pool (:mod:`pooled`), whose pages
    outlive the check, where glibc's heap would hand out fresh pages (a fault per 4 KB).
    """
    if x.exact:  # a running sum of int64 might wrap: the loop sums in Python ints
        return decide_in_order(x)
    n = len(x.day)
    if kernels.available() and len(x.amounts) * len(x.started) <= max(_KERNEL_PAIRS, 64 * n):
        # the same loop as decide_in_order, compiled (kernels): a bit a (price, person) pair
        reason, amount = pooled.empty(n, np.int8), pooled.empty(n, np.int64)
        # the kernel's types (the loader's codes are these already: no copy then)
        price, person, day, started, window_end = (
            kernels.as_int32(a) for a in (x.price, x.person, x.day, x.started, x.window_end))
        kernels.decide(price, person, day, started, window_end,
                       np.ascontiguousarray(x.amounts, np.int64), x.once,
                       np.ascontiguousarray(x.limit, np.int64), x.person_cap, x.term_cap,
                       x.term, x.as_of, x.window, reason, amount)
        return reason, amount
    reason = first_rules(x)
    open_ = np.equal(reason, 0, out=pooled.empty(n, bool))
    if not open_.any():
        return reason, pooled.full(n, 0, np.int64)
    later, pair_first = _later_claims(x, open_)
    open_[later] = False
    cand = pooled.flatnonzero(open_)
    del open_
    c_price = pooled.take(x.price, cand)
    # widened once for the two look-ups (numpy would widen int32 indices for each)
    c_place = np.asarray(c_price, np.intp)
    c_amount = pooled.take(x.amounts, c_place)
    limited = np.flatnonzero(np.take(x.limit >= 0, c_place))
    del c_place
    l_price = c_price[limited]
    del c_price
    l_limit = x.limit[l_price]
    by_price = _groups(l_price)
    by_person = _capped_people(pooled.take(x.person, cand), c_amount, x.person_cap)
    rejected = np.zeros(len(limited), bool)  # of the limited candidates, those rule 4 stops
    pay = pooled.empty(len(cand), np.int64)
    for _ in range(MAX_ROUNDS):
        np.copyto(pay, c_amount)
        pay[limited[rejected]] = 0
        _person_pay(pay, by_person, x.person_cap)
        if not len(limited):
            break
        guess = _limit_reached(pay[limited] > 0, by_price, l_limit)
        if np.array_equal(guess, rejected):
            break
        rejected = guess
    else:
        return decide_in_order(x)
    del c_amount
    # the term cap: cut the running total where it crosses the cap, in place, and the
    # reasons as int8 from the start: a million-claim check allocates (and the kernel
    # zeroes) every temporary, so each one saved is time saved
    asked = np.cumsum(pay, out=pooled.empty(len(pay), np.int64))  # the term cap aside
    left = np.subtract(asked, pay, out=pooled.empty(len(pay), np.int64))
    np.subtract(x.term_cap, left, out=left)
    np.maximum(left, 0, out=left)
    np.minimum(pay, left, out=pay)  # now what each candidate is paid
    paid = pay > 0
    # the reasons by precedence, the strongest written last: paid, then rule 4, then the
    # term cap (nothing left), else the person cap
    #
    # No boolean selection of a million (a[mask] = v costs 4 ms a million when the mask is
    # unpredictable, as ``paid`` is; np.copyto(where=) as much): what the term cap leaves
    # never grows, so the candidates it leaves nothing are a last run of them, and PAID is
    # 0, so the paid are written by multiplying each reason by "not paid".
    c_reason = pooled.full(len(cand), PERSON_CAP, np.int8)
    c_reason[int(np.count_nonzero(left > 0)):] = TERM_CAP
    del left
    c_reason[limited[_limit_reached(paid[limited], by_price, l_limit)]] = PRICE_LIMIT
    np.multiply(c_reason, np.logical_not(paid, out=pooled.empty(len(paid), bool)),
                out=c_reason)
    reason[cand] = c_reason
    del c_reason
    amount = pooled.full(n, 0, np.int64)
    amount[cand] = pay
    del pay
    if len(later):
        _decide_repeats(x, reason, amount, later, pair_first, cand, paid, asked)
    return reason, amount


def _later_claims(x: Inputs, open_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rule 3: the claims that are not their (price, person) pair's first open claim.

    ``open_`` marks the claims rules 1 and 2 leave open. Of each pair of a ``once`` price
    only the first open claim is a candidate for rules 4 and 5; returns the places (in
    decision order) of the later ones and, for each, its pair's first claim. One
    ``np.minimum.at`` into a table by pair finds each pair's first claim; when the table
    would be large (many prices times many people), a sort does.

    The table path runs over every claim, not over the open ones picked out first: a
    claim that is not open (or not of a ``once`` price) is sent to one spare slot past the
    pairs, which no open claim reads. A million claims then need no gather of their prices
    and persons, and only the later claims (a few hundred thousand) are picked out, by
    position, at the end (about 5 ms less than picking out the open ones and then the
    later ones among them by mask).
    """
    # every price once per person (the usual card): no look-up of a million prices
    eligible = open_ if x.once.all() else open_ & np.take(x.once, x.price)
    n = len(x.day)
    people = int(x.person.max(initial=0)) + 1
    slots = len(x.amounts) * people
    if slots > _PAIR_TABLE_PER_CLAIM * int(np.count_nonzero(eligible)) + _PAIR_TABLE_LIMIT:
        return _later_by_sort(x, eligible, people)
    if not eligible.any():
        none = np.zeros(0, np.intp)
        return none, none
    together = n >= twocores.SPLIT_AT  # the passes in two halves (twocores)
    small = np.int32 if n < 1 << 31 else np.int64  # half the table to fill
    pair = pooled.empty(n, np.int64)
    positions = pooled.empty(n, small)

    def make_pairs(part: slice) -> None:
        mine = pair[part]
        np.multiply(x.price[part], people, out=mine, dtype=np.int64)
        mine += x.person[part]
        # the spare slot where not eligible, as (pair - slots) × eligible + slots: a
        # copyto(where=) of an unpredictable mask took 2-3 ms a million
        mine -= slots
        mine *= eligible[part]
        mine += slots
        np.copyto(positions[part], pooled.positions(n)[part], casting="same_kind")

    twocores.halves(n, make_pairs, together)
    table = pooled.full(slots + 1, n, small)
    np.minimum.at(table, pair, positions)
    firsts = pooled.empty(n, small)

    mask = pooled.empty(n, bool)

    def later_in(part: slice) -> None:
        np.take(table, pair[part], out=firsts[part], mode="clip")
        # later: not its pair's first, and eligible (the spare slot holds the place of
        # some claim that is not)
        np.not_equal(firsts[part], positions[part], out=mask[part])
        mask[part] &= eligible[part]

    twocores.halves(n, later_in, together)
    later = pooled.flatnonzero(mask)
    return later, pooled.take(firsts, later).astype(np.int64)


def _later_by_sort(x: Inputs, eligible: np.ndarray, people: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_later_claims` when the table by pair would be large: a sort by pair."""
    at = pooled.flatnonzero(eligible)
    if not len(at):
        return at, at
    pair = np.multiply(pooled.take(x.price, at), people, dtype=np.int64)
    pair += pooled.take(x.person, at)
    first_of, inverse = _first_of_each(pair)
    firsts = at[first_of][inverse]
    later = firsts != at
    return at[later], firsts[later].astype(np.int64)


def _capped_people(person: np.ndarray, asked: np.ndarray, cap: int | None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The claims of people whose claims ask more than the person cap, grouped by person.

    Only their claims can be cut by the cap (a person's asks only shrink as rules reject
    claims), so only they need running sums: ``(places, order, group starts)``.
    """
    if cap is None or not len(person):
        return None
    total = group_sums(person, asked, int(person.max()) + 1)
    # over the cap, by person: a byte a person to look up (the million-claim look-up of
    # each one's 8-byte total took twice as long)
    at = pooled.flatnonzero(np.take(total > cap, person))
    if not len(at):
        return None
    perm, starts = _groups(person[at])
    return at, perm, starts


def _limit_reached(paid: np.ndarray, by_price: tuple[np.ndarray, np.ndarray],
                   limit: np.ndarray) -> np.ndarray:
    """Rule 4 for claims of prices with ``at most``: already ``limit`` paid before each."""
    count = paid.astype(np.int64)
    before = _grouped_cumsum(count, *by_price) - count
    out: np.ndarray = before >= limit
    return out


def _person_pay(asked: np.ndarray, by_person: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
                cap: int | None) -> np.ndarray:
    """Rule 5 without the term cap: what each person's cap lets each claim be paid.

    ``asked`` is overwritten with the result (the caller makes it fresh each round).
    """
    if by_person is None or cap is None:
        return asked
    at, perm, starts = by_person
    mine = asked[at]
    running = _grouped_cumsum(mine, perm, starts)
    asked[at] = np.minimum(running, cap) - np.minimum(running - mine, cap)
    return asked


def _decide_repeats(x: Inputs, reason: np.ndarray, amount: np.ndarray, dups: np.ndarray,
                    dup_first: np.ndarray, cand: np.ndarray, paid: np.ndarray,
                    asked: np.ndarray) -> None:
    """Rule 3 onwards for the later claims of a (price, person) pair of a ``once`` price.

    ``dups`` are those claims in order and ``dup_first`` the first claim of each one's pair.
    ``repeat`` when the pair's first claim was paid; otherwise the first was stopped by a
    rule that only tightens later (module doc), and this claim is stopped the same way.
    """
    first_paid = amount[dup_first] > 0
    # np.compress, not dups[mask]: see the module doc
    reason[np.compress(first_paid, dups)] = REPEAT
    rest = np.compress(np.logical_not(first_paid), dups)
    if not len(rest):
        return
    r_price = x.price[rest]
    limited = x.limit[r_price] >= 0
    count = np.zeros(len(rest), np.int64)
    if limited.any():
        paid_at = np.compress(paid, cand, out=pooled.empty(int(np.count_nonzero(paid)),
                                                           cand.dtype))
        paid_price = x.price[paid_at]
        for j in np.unique(np.compress(limited, r_price)):
            positions = np.compress(paid_price == j, paid_at)
            mask = r_price == j
            count[mask] = np.searchsorted(positions, np.compress(mask, rest))
    # the term cap used up by the claims before this one: the candidates' payments are
    # the only ones before it, and their running total is min(what they ask so far, the
    # cap) (``asked``: each pays what it asks while the cap lasts), so the cap is used up
    # exactly when what they ask so far reaches it
    before = np.searchsorted(cand, rest)
    used = np.where(before > 0, asked[np.maximum(before - 1, 0)], 0) >= x.term_cap
    r_reason = np.where(used, np.int8(TERM_CAP), np.int8(PERSON_CAP))
    r_reason[limited & (count >= x.limit[r_price])] = PRICE_LIMIT
    reason[rest] = r_reason
