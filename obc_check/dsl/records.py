"""Datasets and measures (RECORDS.md): typed syntax → the model's typed condition tree.

Every field a condition names is looked up in its dataset here, so that the model's tree
carries types and the engine never meets an unknown field or a comparison of a date with a
text. Each rule of RECORDS.md that can be judged from the contract alone is reported at its
position with its own code (E040-E049), and the builder keeps going so that one run reports
every problem.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, cast

from obc_check.diagnostics import Diagnostic, Span
from obc_check.dsl.syntax import Cond as Syn
from obc_check.dsl.syntax import Lit, Stmt
from obc_check.model import (
    And,
    Between,
    Compare,
    Cond,
    DataField,
    Dataset,
    DateValue,
    DaysBetween,
    Expr,
    FieldRef,
    FieldType,
    FlagValue,
    InList,
    IsMissing,
    IsTrue,
    Measure,
    Not,
    NumberValue,
    Or,
    Shape,
    Shift,
    TextValue,
    Unit,
    expr_type,
)

Report = Callable[[str, str, Span | None, str | None], None]

# The units each shape can give a value in (RECORDS.md, Measures).
SHAPE_UNITS: dict[Shape, tuple[Unit, ...]] = {
    "proportion": ("percent", "ratio"),
    "mean": ("score", "days", "count", "rate"),
    "count": ("count",),
}
#: The most a condition may move a date by: 1,000 years in each unit (E086). Far beyond any
#: contract (a date of birth + 100 years), and within what the engine's dates hold from any
#: record's four-digit year; a shift of 10^11 days stopped DuckDB with a conversion error.
MAX_SHIFT = {"days": 365_250, "weeks": 52_178, "months": 12_000, "years": 1_000}
_ORDERED: frozenset[FieldType] = frozenset({"number", "date"})
_A: dict[FieldType, str] = {"text": "a text", "number": "a number", "date": "a date",
                            "flag": "a flag"}


@cache
def reserved_words() -> frozenset[str]:
    """Words a field may not be called without ``from``: every keyword of the grammar.

    RECORDS.md lists the words of conditions and says "and the keywords of LANGUAGE.md";
    the grammar's keyword terminals are exactly those, so the list cannot fall behind it.
    """
    from obc_check.dsl.parse import keyword_texts

    return frozenset(w for w in keyword_texts() if w.isidentifier() and w.islower())


def did_you_mean(name: str, options: Iterable[str]) -> str | None:
    """``did you mean `x`?`` for the closest option, if one is close."""
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.5)
    return f"did you mean `{close[0]}`?" if close else None


# ---- datasets ------------------------------------------------------------------------------
def build_dataset(st: Stmt, settings: dict[str, Stmt], error: Report) -> Dataset:
    """``dataset ID "Title" { field ..., key F, person F, text ... }``."""
    fields: list[DataField] = []
    seen: dict[str, Span] = {}
    for f in (x for x in st.items if x.name == "field"):
        name, name_span, ftype, column, _col_span = cast(
            tuple[str, Span, FieldType, str | None, Span | None], f.args)
        if name in seen:
            error("E049", f"field `{name}` is declared twice in dataset {st.ident}", name_span,
                  f"the first is on line {seen[name].line}; keep one, or rename this one")
            continue
        seen[name] = name_span
        if name in reserved_words():
            error("E048", f"`{name}` is a reserved word of the language and cannot name a "
                  "field", name_span,
                  f'give the field another name and read the column with `from`: '
                  f'`field {name}_value {ftype} from "{column or name}"`')
        if not _is_field_name(name):
            error("E048", f"`{name}` is not a field name", name_span,
                  "field names are lower case letters, digits and _, starting with a letter")
        fields.append(DataField(name=name, type=ftype, column=column if column else name,
                                span=name_span))
    if not fields:
        error("E008", f"dataset {st.ident} has no field", st.ident_span,
              "add e.g. `field referral_id text`")
    names = [f.name for f in fields]
    key = _named_field(settings.get("key"), names, st, error)
    person = _named_field(settings.get("person"), names, st, error)
    texts = tuple(cast(str, x.args[0]) for x in st.items if x.name == "text")
    return Dataset(id=cast(str, st.ident), title=cast(str, st.args[0]), fields=tuple(fields),
                   key=key, person=person, text=texts, span=st.ident_span)


def _is_field_name(name: str) -> bool:
    return name[:1].isalpha() and name[:1].islower() and all(
        c.isdigit() or c == "_" or (c.isalpha() and c.islower()) for c in name)


def _named_field(st: Stmt | None, names: list[str], block: Stmt, error: Report) -> str | None:
    if st is None:
        return None
    name, span = cast(tuple[str, Span], st.args)
    if name not in names:
        error("E041", f"`{st.name} {name}`: dataset {block.ident} has no field `{name}`", span,
              did_you_mean(name, names) or f"declare it first: `field {name} text`")
        return None
    return name


# ---- measures ------------------------------------------------------------------------------
class MeasureBuilder:
    """Builds one measure against the contract's datasets; problems go to ``error``."""

    def __init__(self, datasets: dict[str, Dataset], error: Report) -> None:
        self.datasets = datasets
        self.error = error

    def measure(self, st: Stmt, settings: dict[str, Stmt], indicator: str, unit: Unit | None,
                minimum: Stmt | None) -> Measure | None:
        """``measure DATASET by FIELD [counting people] { ... }`` of ``indicator``."""
        ds_name, ds_span, by, by_span, counting = cast(
            tuple[str, Span, str, Span, bool], st.args)
        ds = self.datasets.get(ds_name)
        if ds is None:
            self.error("E040", f"measure of {indicator}: no dataset `{ds_name}`", ds_span,
                       did_you_mean(ds_name, self.datasets)
                       or 'declare it: `dataset NAME "Title" { field ... }`')
        ok = ds is not None
        if ds is not None:
            by_field = ds.field(by)
            if by_field is None:
                self.error("E041", f"`by {by}`: dataset {ds.id} has no field `{by}`", by_span,
                           did_you_mean(by, [f.name for f in ds.fields])
                           or "name a date field of the dataset")
                ok = False
            elif by_field.type != "date":
                self.error("E043", f"`by {by}`: the field is {_A[by_field.type]}, not a date",
                           by_span, "a record is placed in the contract year that holds a "
                           "date: name a date field, e.g. the referral date")
                ok = False
        shape = self.shape(st, settings, indicator, unit, minimum)
        if counting and ds is not None and ds.person is None:
            self.error("E044", f"`counting people`, but dataset {ds.id} has no `person` field",
                       st.span, f"add `person FIELD` to dataset {ds.id}, naming the field "
                       "that identifies a person")
            ok = False
        if counting and shape == "mean":
            self.error("E044", "`counting people` does not apply to a mean", st.span,
                       "a mean is over records; drop `counting people`")
            ok = False
        fields = {f.name: f for f in ds.fields} if ds is not None else None
        conds: dict[str, Any] = {}
        for key in ("denominator", "numerator", "count", "mean"):
            item = settings.get(key)
            if item is None:
                continue
            cond = item.args[-1]
            if fields is not None and cond is not None:
                conds[key] = self.cond(cast(Syn, cond), fields)
                ok = ok and conds[key] is not None
        value: Expr | None = None
        if "mean" in settings and fields is not None:
            value = self.expr(cast(Syn, settings["mean"].args[0]), fields)
            if value is not None and expr_type(value) != "number":
                self.error("E042", f"a mean is of numbers, and this is "
                           f"{_A[expr_type(value)]}", cast(Syn, settings["mean"].args[0]).span,
                           "take the mean of a number field or of `days from A to B`")
                value = None
            ok = ok and value is not None
        if not ok or shape is None or ds is None:
            return None
        where = conds.get("count") if shape == "count" else conds.get("mean")
        return Measure(dataset=ds.id, by=by, counting_people=counting, shape=shape,
                       denominator=conds.get("denominator"), numerator=conds.get("numerator"),
                       value=value, where=where, span=st.span)

    def shape(self, st: Stmt, s: dict[str, Stmt], indicator: str, unit: Unit | None,
              minimum: Stmt | None) -> Shape | None:
        """Proportion, mean or count, from the statements written (E045, E046, E047)."""
        written = [k for k in ("denominator", "numerator", "mean", "count") if k in s]
        kinds = {("mean" if k == "mean" else "count" if k == "count" else "proportion")
                 for k in written}
        if not written:
            self.error("E008", f"the measure of {indicator} says nothing to compute", st.span,
                       "add `denominator where ...` and `numerator where ...`, "
                       "`mean EXPR where ...` or `count where ...`")
            return None
        if len(kinds) > 1:
            second = s[written[1]]
            self.error("E046", f"the measure of {indicator} mixes a "
                       f"{' and a '.join(sorted(kinds))}", second.span,
                       "a measure is one of: a proportion (denominator and numerator), a "
                       "mean, or a count")
            return None
        shape = cast(Shape, kinds.pop())
        if shape == "proportion":
            if "denominator" not in s:
                self.error("E045", f"the measure of {indicator} has a numerator but no "
                           "denominator", s["numerator"].span,
                           "add `denominator` (every record of the year) or "
                           "`denominator where ...`")
                return None
            if "numerator" not in s:
                self.error("E045", f"the measure of {indicator} has a denominator but no "
                           "numerator", s["denominator"].span,
                           "add `numerator where ...`: the denominator records that count")
                return None
        if unit is not None and unit not in SHAPE_UNITS[shape]:
            fits = ", ".join(f"`{u}`" for u in SHAPE_UNITS[shape])
            self.error("E046", f"indicator {indicator} is in unit `{unit}`, which a {shape} "
                       "cannot give", st.span, f"a {shape} gives a value in {fits}")
            return None
        if shape == "count" and minimum is not None:
            self.error("E047", f"indicator {indicator} is a count, which has no denominator "
                       "to be a minimum of", minimum.span, "drop `minimum denominator`")
            return None
        return shape

    # ---- conditions ----------------------------------------------------------------------
    def field(self, syn: Syn, fields: dict[str, DataField]) -> FieldRef | None:
        """A field named in a condition; unknown is E041 with a "did you mean"."""
        name = cast(str, syn.parts[0])
        f = fields.get(name)
        if f is None:
            self.error("E041", f"no field `{name}` in the dataset", syn.span,
                       did_you_mean(name, fields) or
                       "name a field declared in the dataset block")
            return None
        return FieldRef(name=name, type=f.type, span=syn.span)

    def expr(self, syn: Syn, fields: dict[str, DataField]) -> Expr | None:
        """A value: a field, a literal, a shifted date or a number of days."""
        form, parts, span = syn.form, syn.parts, syn.span
        if form == "field":
            return self.field(syn, fields)
        if form == "number":
            return NumberValue(value=cast(Lit, parts[0]).value, span=span)
        if form == "text":
            return TextValue(value=cast(str, parts[0]), span=span)
        if form == "date":
            return DateValue(value=parts[0], span=span) if parts[0] is not None else None
        if form in ("true", "false"):
            return FlagValue(value=form == "true", span=span)
        if form == "shift":
            ref = self.field(cast(Syn, parts[0]), fields)
            sign, count, unit = cast(tuple[str, Lit, Any], parts[1:])
            if not count.is_whole:
                self.error("E023", f"`{count.text} {unit}` is not a whole number of {unit}",
                           count.span, f"write a whole number, e.g. `{count.value:.0f} {unit}`")
                return None
            if count.value > MAX_SHIFT[unit]:
                self.error("E086", f"`{sign} {count.text} {unit}` moves a date by more than "
                           f"{MAX_SHIFT[unit]:,} {unit}", count.span,
                           "a condition moves a date by at most 1,000 years"
                           + ("" if unit == "years" else f" ({MAX_SHIFT[unit]:,} {unit})"))
                return None
            if ref is None:
                return None
            if ref.type != "date":
                self.error("E042", f"`{ref.name} {sign} {count.text} {unit}`: `{ref.name}` is "
                           f"{_A[ref.type]}, and only a date moves by {unit}", span,
                           "add days, weeks, months or years to a date field")
                return None
            amount = int(count.value) * (1 if sign == "+" else -1)
            return Shift(field=ref, amount=amount, unit=unit, span=span)
        if form == "days_between":
            a = self.field(cast(Syn, parts[0]), fields)
            b = self.field(cast(Syn, parts[1]), fields)
            if a is None or b is None:
                return None
            for ref, part in ((a, parts[0]), (b, parts[1])):
                if ref.type != "date":
                    self.error("E042", f"`days from ... to ...` counts days between dates, and "
                               f"`{ref.name}` is {_A[ref.type]}", cast(Syn, part).span,
                               "name two date fields")
                    return None
            return DaysBetween(start=a, end=b, span=span)
        raise AssertionError(f"not an expression: {form}")  # pragma: no cover - grammar

    def cond(self, syn: Syn, fields: dict[str, DataField]) -> Cond | None:
        """A condition, typed; None after an error (already reported)."""
        form, parts, span = syn.form, syn.parts, syn.span
        if form == "paren":
            return self.cond(cast(Syn, parts[0]), fields)
        if form in ("and", "or"):
            items = [self.cond(cast(Syn, p), fields) for p in parts]
            if any(i is None for i in items):
                return None
            flat: list[Cond] = []
            for i in cast(list[Cond], items):  # `a and b and c` is one And of three
                flat.extend(i.items if isinstance(i, And | Or) and i.kind == form else [i])
            return (And if form == "and" else Or)(items=tuple(flat), span=span)
        if form == "not":
            inner = self.cond(cast(Syn, parts[0]), fields)
            return Not(item=inner, span=span) if inner is not None else None
        if form == "flag":
            ref = self.field(cast(Syn, parts[0]), fields)
            if ref is None:
                return None
            if ref.type != "flag":
                self.error("E042", f"`{ref.name}` alone is a test of a flag, and it is "
                           f"{_A[ref.type]}", span, _compare_hint(ref.type, ref.name))
                return None
            return IsTrue(field=ref, span=span)
        if form in ("missing", "present"):
            ref = self.field(cast(Syn, parts[0]), fields)
            return IsMissing(field=ref, missing=form == "missing", span=span) if ref else None
        if form == "compare":
            return self.compare(syn, fields)
        if form == "in":
            return self.in_list(syn, fields)
        if form == "between":
            exprs = [self.expr(cast(Syn, p), fields) for p in parts]
            if any(e is None for e in exprs):
                return None
            e, lo, hi = cast(list[Expr], exprs)
            types = [expr_type(x) for x in (e, lo, hi)]
            if types[0] not in _ORDERED:
                self.error("E042", f"`between` compares numbers or dates, and this is "
                           f"{_A[types[0]]}", cast(Syn, parts[0]).span,
                           "use `=`, `!=` or `in (...)` for texts; a flag is tested bare")
                return None
            for x, t, p in ((lo, types[1], parts[1]), (hi, types[2], parts[2])):
                if t != types[0]:
                    self.error("E042", f"`between`: {_A[types[0]]} compared with {_A[t]}",
                               cast(Syn, p).span, f"both ends must be {_A[types[0]]} too")
                    return None
                del x
            return Between(expr=e, low=lo, high=hi, span=span)
        raise AssertionError(f"not a condition: {form}")  # pragma: no cover - grammar

    def compare(self, syn: Syn, fields: dict[str, DataField]) -> Cond | None:
        """``A OP B``: one type on both sides; the operator must suit it (E042)."""
        left_syn, op, right_syn = cast(tuple[Syn, Any, Syn], syn.parts)
        left, right = self.expr(left_syn, fields), self.expr(right_syn, fields)
        if left is None or right is None:
            return None
        lt, rt = expr_type(left), expr_type(right)
        if lt != rt:
            self.error("E042", f"`{op}` compares {_A[lt]} with {_A[rt]}", syn.span,
                       "compare values of one type: dates with dates, numbers with numbers, "
                       "texts with texts" + (f" (write the text in quotes: "
                                              f"\"{_written(right_syn)}\")"
                                              if lt == "text" and right_syn.form == "number"
                                              else ""))
            return None
        if lt == "text" and op not in ("=", "!="):
            self.error("E042", f"`{op}` does not apply to texts", syn.span,
                       "texts take `=`, `!=` and `in (...)`")
            return None
        if lt == "flag" and (op != "=" or not (isinstance(right, FlagValue)
                                                or isinstance(left, FlagValue))):
            self.error("E042", f"a flag is tested bare or with `= true` / `= false`, not "
                       f"with `{op}`", syn.span, "write e.g. `urgent`, `urgent = false` "
                       "or `not urgent`")
            return None
        return Compare(op=op, left=left, right=right, span=syn.span)

    def in_list(self, syn: Syn, fields: dict[str, DataField]) -> Cond | None:
        """``EXPR in (V, ...)``: texts or numbers, the list of literal values of that type."""
        head = self.expr(cast(Syn, syn.parts[0]), fields)
        if head is None:
            return None
        t = expr_type(head)
        if t not in ("text", "number"):
            self.error("E042", f"`in (...)` takes texts or numbers, and this is {_A[t]}",
                       cast(Syn, syn.parts[0]).span,
                       "use `between` for a range of dates; a flag is tested bare")
            return None
        values: list[Expr] = []
        for p in cast(tuple[Syn, ...], syn.parts[1:]):
            if p.form not in ("text", "number", "date", "true", "false"):
                self.error("E042", "a list after `in` holds written values, not fields or "
                           "sums", p.span, 'write e.g. `team in ("North", "South")`')
                return None
            v = self.expr(p, fields)
            if v is None:
                return None
            if expr_type(v) != t:
                self.error("E042", f"`in`: {_A[t]} compared with {_A[expr_type(v)]}", p.span,
                           f"every value of the list must be {_A[t]}")
                return None
            values.append(v)
        return InList(expr=head, values=tuple(values), span=syn.span)


def _compare_hint(t: FieldType, name: str) -> str:
    if t == "number":
        return f"compare it, e.g. `{name} >= 14`"
    if t == "date":
        return f"test it, e.g. `{name} is present` or `{name} <= 2019-03-31`"
    return f'compare it, e.g. `{name} = "North"`'


def _written(syn: Syn) -> str:
    part = syn.parts[0]
    return part.text if isinstance(part, Lit) else str(part)


def collect(diags: list[Diagnostic]) -> Report:
    """A reporter that appends to ``diags``."""
    def report(code: str, message: str, span: Span | None, hint: str | None) -> None:
        diags.append(Diagnostic(code, message, span, hint))
    return report
