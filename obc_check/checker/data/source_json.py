"""A bundle as one JSON file: ``{"payments": [{"payer": "OH", ...}, ...], ...}``.

Decisions (documented in docs/data.md):
- values may be strings, JSON numbers or ``null`` (no value). Numbers are parsed exactly
  (``parse_float=Decimal``) and keep their written decimals, so ``87.50`` is two places,
  as it would be as text; ``NaN``/``Infinity`` are refused. ``true``/``false``, lists and
  objects are errors (D006).
- a row object may leave out a key: that cell has no value. An unknown key is an error
  (D005), reported once per table at its first row; the row's other cells are still
  checked. A row with a value of a wrong type is reported (D006) and not checked further.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from obc_check.checker.data.cells import did_you_mean, quote
from obc_check.checker.data.columns import TABLES, TableSpec
from obc_check.checker.data.origins import JsonOrigin, JsonPositions
from obc_check.checker.data.problems import Problems
from obc_check.checker.data.source_csv import read_text
from obc_check.checker.data.sources import RawTable, Row
from obc_check.diagnostics import Diagnostic, Span


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not allowed in a data bundle")


class _Object(dict[str, object]):
    """A JSON object that remembers keys given more than once.

    ``json.loads`` would keep only the last value of a repeated key, silently dropping a
    whole table or a cell; the reader reports each repeat instead (the first value is kept,
    but the bundle is rejected anyway).
    """

    repeated: list[str]


def _parse_int(text: str) -> int | Decimal:
    """A JSON integer; a very long one as a Decimal (``int`` refuses 4,300 digits and more).

    The cell is then refused by the number's own bounds (D081), at its place.
    """
    return int(text) if len(text) <= 1000 else Decimal(text)


def _object(pairs: list[tuple[str, object]]) -> _Object:
    obj = _Object()
    obj.repeated = []
    for key, value in pairs:
        if key in obj:
            obj.repeated.append(key)
        else:
            obj[key] = value
    return obj


def cell_text(value: object) -> str | None:
    """The text of a JSON value, or None when the type is not allowed in a cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return _plain(value)
    return None


PLAIN_LIMIT = 1000
"""Longest plain text a JSON number is written out to (``1e-100000000`` would be 10⁸)."""


def _plain(value: Decimal) -> str:
    """``value`` written out without an exponent, as a CSV would hold it.

    A number whose plain form would run past :data:`PLAIN_LIMIT` characters is left in its
    exponent form instead, which the cell parsers refuse as not a number (D007): writing it
    out would take minutes and gigabytes for a few bytes of JSON, and no cell needs it.
    """
    exponent = value.as_tuple().exponent
    digits = len(value.as_tuple().digits)
    assert isinstance(exponent, int)  # NaN and Infinity are refused while parsing
    length = digits + exponent if exponent >= 0 else max(digits, 1 - exponent) + 1
    if length > PLAIN_LIMIT:
        return str(value)
    return format(value, "f")


def read_json(path: Path, display: str, problems: Problems,
              specs: Mapping[str, TableSpec] = TABLES) -> list[RawTable] | None:
    """The tables of a JSON bundle, or None when the file cannot be used (reported)."""
    text = read_text(path, display, problems)
    if text is None:
        return None
    try:
        doc = json.loads(text, parse_float=Decimal, parse_int=_parse_int,
                         parse_constant=_refuse_constant, object_pairs_hook=_object)
    except json.JSONDecodeError as err:
        span = Span(file=display, line=err.lineno, column=err.colno, end_line=err.lineno,
                    end_column=err.colno + 1)
        problems._add(Diagnostic("D002", f"is not valid JSON: {err.msg}", span,
                                 "check the brackets, commas and quotes around this place",
                                 file=display))
        return None
    except (ValueError, RecursionError) as err:
        problems.file(display, "D002", f"is not valid JSON: {err}")
        return None
    if not isinstance(doc, dict):
        problems.file(display, "D006", "is not a JSON object of tables",
                      'write {"indicators": [...], "payments": [...], ...}')
        return None
    positions = JsonPositions(text)
    tables: list[RawTable] = []
    for name in dict.fromkeys(doc.repeated if isinstance(doc, _Object) else []):
        problems.table(JsonOrigin(display, name, positions), "D006",
                       f"table `{name}` is given more than once",
                       "give each table once, with all its rows in one list")
    for name, rows in doc.items():
        spec = specs.get(name)
        origin = JsonOrigin(display, name, positions)
        if spec is None:
            problems.table(origin, "D003", f"unknown table `{name}`",
                           did_you_mean(name, specs) or
                           f"the tables are {', '.join(specs)}")
            continue
        if not isinstance(rows, list):
            problems.table(origin, "D006", f"table `{name}` is not a list of row objects",
                           f'write "{name}": [{{...}}, {{...}}]')
            continue
        tables.append(RawTable(spec, origin, {c: i for i, c in enumerate(spec.columns)},
                               _rows(spec, rows, origin, problems)))
    return tables


def _rows(spec: TableSpec, rows: list[object], origin: JsonOrigin,
          problems: Problems) -> list[Row]:
    out: list[Row] = []
    reported: set[str] = set()
    for number, obj in enumerate(rows, start=1):
        if not isinstance(obj, dict):
            problems.at(origin, number, None, "D006", "is not an object",
                        'each row is an object such as {"period": "2016/17", ...}')
            continue
        cells: list[str] = []
        good = True
        for column in spec.columns:
            value = obj.get(column)
            text = (("true" if value else "false") if isinstance(value, bool)
                    and column in spec.flags else cell_text(value))
            if text is None:
                problems.at(origin, number, column, "D006",
                            f"{quote(json.dumps(obj.get(column), default=str))} is not "
                            "a string, a number or null", "write the value as text or a number")
                good = False
                text = ""
            cells.append(text)
        for key in dict.fromkeys(obj.repeated if isinstance(obj, _Object) else []):
            problems.at(origin, number, key, "D005", f"column `{key}` appears twice",
                        "give each column once")
            good = False
        for key in obj:
            if key not in spec.columns and key not in reported and not spec.open:
                reported.add(key)
                problems.at(origin, number, key, "D005", f"unknown column `{key}`",
                            did_you_mean(key, spec.columns) or
                            f"the `{spec.name}` table has columns {', '.join(spec.columns)}")
        if good:
            out.append((number, cells))
    return out
