"""Typing one cell's text: numbers, money, counts, dates, identifiers.

Every source (CSV, JSON, XLSX) first turns a cell into text, so that one set of strict,
exact parsers applies everywhere: numbers go from text straight to ``Decimal`` (never
through float), dates must be ISO ``YYYY-MM-DD``. The parsers are on the hot path of a
million-row load, so each has a cheap fast path for well-formed text and only falls back to
stripping whitespace and explaining the problem when that fails. Problems are raised as
:class:`CellError` (the error path is rare) and turned into diagnostics by the caller.

Accepted number syntax: optional ``-``, digits, optionally ``.`` and digits (``12``,
``87.50``, ``-0.5``); surrounding whitespace is ignored. Not accepted: thousands separators,
``£``, exponents, ``+``, ``NaN``/``Infinity``, non-ASCII digits.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

#: A hint, or a function that words it: costly hints ("did you mean" over many labels) are
#: worked out only for diagnostics that are shown (problems.SHOWN_PER_CODE), never for the
#: ones past the cap that are only counted.
Hint = str | Callable[[], str | None] | None


class CellError(Exception):
    """A cell's text does not parse; ``code`` is a stable D-code."""

    def __init__(self, code: str, message: str, hint: Hint = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


def quote(text: str, limit: int = 40) -> str:
    """Cell text for a message, shortened so that one wild cell cannot flood the output."""
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"`{shown}`"


def did_you_mean(name: str, options: Iterable[str]) -> str | None:
    """A "did you mean" hint naming the closest option, if any is close."""
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.5)
    return f"did you mean `{close[0]}`?" if close else None


def _plain_unsigned(text: str) -> bool:
    """True for ``digits`` or ``digits.digits`` in ASCII (no sign, no spaces)."""
    body = text.replace(".", "", 1)
    return body.isdigit() and body.isascii() and text[0] != "." and text[-1] != "."


def _number_hint(text: str) -> str:
    if "," in text or "£" in text:
        return "write numbers as plain digits with an optional decimal point, e.g. 1200000.50"
    if "%" in text:
        return "write percentages in percentage points without `%`, e.g. 87.5"
    return "write a number like 12, 87.5 or -0.25"


NUMBER_DIGITS = 50
"""Most digits before the point in a number cell (a value, numerator or denominator)."""
NUMBER_DECIMALS = 20
"""Most digits after the point in a number cell.

The contract language has the same bounds (E085). Without them a cell of thousands of
digits crashed the report (Python's int-to-string limit); with them arithmetic stays exact.
"""
MAX_COUNT = 2**53 - 1
"""The largest count: the JSON report writes counts as integers, and JSON readers that hold
numbers as doubles lose digits above 2^53 - 1 (no real count comes near it)."""


def _bounded(text: str, value: Decimal) -> Decimal:
    """``value`` if its digits are within the bounds above, else D081."""
    places = value.adjusted() + 1
    decimals = -value.as_tuple().exponent  # type: ignore[operator]
    if places <= NUMBER_DIGITS and decimals <= NUMBER_DECIMALS:
        return value
    why = (f"{places:,} digits before the decimal point" if places > NUMBER_DIGITS
           else f"{decimals:,} decimals")
    raise CellError("D081", f"{quote(text)} is too long a number: {why}",
                    f"a number has at most {NUMBER_DIGITS} digits before the decimal point and "
                    f"{NUMBER_DECIMALS} after it")


def parse_number(text: str) -> Decimal | None:
    """A plain decimal number (may be negative), exactly; None for a blank cell."""
    if len(text) <= NUMBER_DECIMALS and _plain_unsigned(text):  # within both bounds
        return Decimal(text)
    stripped = text.strip()
    if not stripped:
        return None
    body = stripped[1:] if stripped[0] == "-" else stripped
    if body and _plain_unsigned(body):
        return _bounded(text, Decimal(stripped))
    raise CellError("D007", f"{quote(text)} is not a number", _number_hint(stripped))


MONEY_DIGITS = 15
"""Most digits before the point in a money cell: amounts below a quadrillion pounds.

Far above any real contract, and low enough that every sum the checker forms stays exact:
the ledger's ``decimal128(38, 2)`` column (and its sums over any number of rows) cannot
overflow, and Decimal arithmetic on the amounts never needs more than its 28 digits.
"""


def too_large(text: str) -> CellError:
    """D007 for a money cell above the supported range (see :data:`MONEY_DIGITS`)."""
    return CellError("D007", f"{quote(text)} is too large for an amount of money",
                     f"amounts are below a quadrillion pounds (at most {MONEY_DIGITS} "
                     "digits before the decimal point)")


def parse_money(text: str) -> Decimal | None:
    """Pounds: a non-negative number with at most two decimals; None for a blank cell."""
    dot = text.find(".")
    if ((dot == -1 and len(text) <= MONEY_DIGITS)
            or (0 < dot <= MONEY_DIGITS and len(text) - dot <= 3)) and _plain_unsigned(text):
        return Decimal(text)
    value = parse_number(text)
    if value is None:
        return None
    if value < 0:
        raise CellError("D014", f"{quote(text)} is negative", "money amounts are 0 or more")
    if value.adjusted() >= MONEY_DIGITS:
        raise too_large(text)
    if -value.as_tuple().exponent <= 2:  # type: ignore[operator]
        return value  # leading zeros or blanks around an ordinary amount
    raise CellError("D022", f"{quote(text)} has more than two decimal places",
                    "money is in pounds and pence, e.g. 1200000.50")


def parse_count(text: str) -> int | None:
    """A whole number ≥ 0 (``12``; ``12.0`` is accepted); None for a blank cell.

    At most :data:`MAX_COUNT` (D081); 15 digits are always below it.
    """
    if len(text) <= 15 and text.isdigit() and text.isascii():
        return int(text)
    value = parse_number(text)
    if value is None:
        return None
    if value < 0:
        raise CellError("D014", f"{quote(text)} is negative", "a count is 0 or more")
    if value != value.to_integral_value():
        raise CellError("D023", f"{quote(text)} is not a whole number",
                        "a count is a whole number, e.g. 42")
    if value > MAX_COUNT:
        raise CellError("D081", f"{quote(text)} is more than {MAX_COUNT:,}",
                        "a count is written in the JSON report as an integer, and JSON "
                        f"readers hold integers exactly only up to {MAX_COUNT:,} (2^53 - 1)")
    return int(value)


def parse_date(text: str, cache: dict[str, dt.date]) -> dt.date | None:
    """An ISO date ``YYYY-MM-DD``; None for a blank cell. ``cache`` maps text → date.

    A bundle holds few distinct dates, so the cache makes repeated dates one dict look-up
    and shares the date objects between rows (less memory on large files).
    """
    found = cache.get(text)
    if found is not None:
        return found
    stripped = text.strip()
    if not stripped:
        return None
    if len(stripped) == 10 and stripped[4] == "-" and stripped[7] == "-" and stripped.isascii():
        try:
            day = dt.date.fromisoformat(stripped)
        except ValueError:
            pass
        else:
            cache[text] = day
            return day
    raise CellError("D008", f"{quote(text)} is not a date",
                    "write dates as ISO YYYY-MM-DD, e.g. 2016-04-01")


def lookup(text: str, known: Mapping[str, str]) -> str | None:
    """The contract's own identifier string for ``text``, or None if it is not declared."""
    found = known.get(text)
    if found is None:
        found = known.get(text.strip())
    return found
