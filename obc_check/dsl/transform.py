"""lark tree → typed syntax (``dsl/syntax.py``), a ``@v_args(meta=True)`` Transformer.

As python-hcl2 does, each grammar rule has one method that receives its rule's position
(``meta``) and its already-transformed children. Lexical checks that need only the token's
text (money format, dates, year labels) are done here and reported as diagnostics.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Callable
from decimal import Decimal, localcontext
from functools import cache
from typing import Any

from lark import Token, Transformer, Tree, v_args
from lark.tree import Meta

from obc_check.diagnostics import Diagnostic, Span
from obc_check.dsl.syntax import Cond, Entry, Lit, RawSchedule, Stmt

_GROUPED = re.compile(r"^[0-9]{1,3}(,[0-9]{3})*$")
# Characters a string may not hold: C0 and C1 controls and DEL, except the tab (and, in a
# long string, line breaks). Word cannot store them, and a carriage return or form feed
# would break the rendered text's lines.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_LONG = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

#: The most digits a number in a contract has before and after its decimal point (E085).
#: Without a bound, a number of thousands of digits passed the parser and crashed later
#: stages (Python's int-to-string limit). 50 digits are far beyond any amount (arithmetic
#: stays exact, so a 40-digit budget is still computed to the penny); 20 decimals are more
#: than any threshold needs. Counts have a tighter bound (``build.MAX_COUNT``).
MAX_WHOLE_DIGITS = 50
MAX_DECIMALS = 20
#: The code of a number too long to read: nothing is built from a file that has one.
TOO_LONG = "E085"


def dedent_text(raw: str) -> str:
    """A ``text`` string's content: quotes removed; a long string is dedented.

    As LANGUAGE.md says: like ``textwrap.dedent``, with the first and last blank lines dropped.
    Line endings are normalised to LF first, so that a file saved with CRLF means the same
    text (``textwrap.dedent`` does not treat a line holding only a carriage return as blank).
    """
    if raw.startswith('"""'):
        body = raw[3:-3].replace("\r\n", "\n").replace("\r", "\n")
        lines = body.split("\n")
        if lines and not lines[0].strip():
            lines = lines[1:]
        if lines and not lines[-1].strip():
            lines = lines[:-1]
        return textwrap.dedent("\n".join(lines))
    return raw[1:-1]


class ToSyntax(Transformer[Token, Any]):
    """Turns the lark tree of one file into :class:`Stmt` objects."""

    def __init__(self, file: str, diags: list[Diagnostic]) -> None:
        super().__init__(visit_tokens=True)
        self.file = file
        self.diags = diags
        self._rules, self._tokens = _dispatch(type(self))

    # ---- a fast walk -------------------------------------------------------------------
    def transform(self, tree: Tree[Token]) -> Any:
        """Transform ``tree`` bottom-up, calling each rule's method with (meta, children).

        Lark's generic ``Transformer.transform`` re-binds a ``v_args`` wrapper and looks the
        method up by name for every node; on a 10,000-line contract that costs as much as the
        parse itself. This walk looks every method up once per class and calls the plain
        functions directly. The methods keep their ``@v_args(meta=True)`` decorators, so the
        class still works with lark's own machinery too.
        """
        return self._walk(tree)

    def _walk(self, tree: Tree[Token]) -> Any:
        rules, tokens = self._rules, self._tokens
        children: list[Any] = []
        for child in tree.children:
            if isinstance(child, Tree):
                children.append(self._walk(child))
            else:
                on_token = tokens.get(child.type)
                children.append(on_token(self, child) if on_token is not None else child)
        method = rules.get(tree.data)
        if method is None:
            return Tree(tree.data, children, tree.meta)
        return method(self, tree.meta, children)

    # ---- positions -------------------------------------------------------------------
    # Spans are made from lark's own integers, so they skip pydantic validation
    # (``Span.trusted``): thousands of them are made for a large contract.
    def span(self, meta: Meta) -> Span:
        """The span of a rule."""
        return Span.trusted(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def tspan(self, tok: Token) -> Span:
        """The span of a token."""
        line = tok.line or 1
        column = tok.column or 1
        return Span.trusted(self.file, line, column, tok.end_line or line,
                            tok.end_column or column + 1)

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        """Record one diagnostic."""
        self.diags.append(Diagnostic(code, message, span, hint))

    # ---- tokens ------------------------------------------------------------------------
    def _too_long(self, tok: Token, digits: str, scale: int = 0) -> bool:
        """Report E085 if ``digits`` (a number's text) is beyond the bounds above.

        ``scale`` is the power of ten a short form multiplies by (``m``: 6, ``k``: 3).
        """
        whole, _, decimals = digits.replace(",", "").partition(".")
        places = len(whole.lstrip("0")) + scale if whole.strip("0") else 0
        if places <= MAX_WHOLE_DIGITS and len(decimals) <= MAX_DECIMALS:
            return False
        text = str(tok)
        shown = text if len(text) <= 40 else f"{text[:20]}…{text[-8:]}"
        why = (f"{places:,} digits before the decimal point" if places > MAX_WHOLE_DIGITS
               else f"{len(decimals):,} decimals")
        self.error(TOO_LONG, f"`{shown}` is too long a number: {why}", self.tspan(tok),
                   f"a number in a contract has at most {MAX_WHOLE_DIGITS} digits before the "
                   f"decimal point and {MAX_DECIMALS} after it")
        return True

    def MONEY(self, tok: Token) -> Lit:  # noqa: N802 - lark names token callbacks by terminal
        """``£45,000,000``, ``£1,000.50``, ``£24m``, ``£1.5m``, ``£250k``."""
        text = str(tok)
        body = text[1:]
        span = self.tspan(tok)
        value = Decimal(0)
        short = body[-1] in "mk"
        if self._too_long(tok, body[:-1] if short else body,
                          (6 if body[-1] == "m" else 3) if short else 0):
            return Lit("money", value, text, span)
        if short:
            number = body[:-1]
            if "," in number:
                self.error("E004", f"`{text}`: a short form takes no thousands separators",
                           span, f"write £{number.replace(',', '')}{body[-1]}")
                number = number.replace(",", "")
            value = exact_product(Decimal(number), Decimal(10 ** (6 if body[-1] == "m" else 3)))
            with localcontext() as ctx:
                ctx.prec = len(value.as_tuple().digits) + 4
                if value == value.to_integral_value():
                    value = value.quantize(Decimal(1))  # £1.5m is 1500000, not 1500000.0
                elif value != value.quantize(Decimal("0.01")):
                    self.error("E004", f"`{text}` is not a whole number of pence", span,
                               "write the amount in full, to the penny, e.g. £1,234,567.89")
        else:
            whole, _, pence = body.partition(".")
            if "," in whole and not _GROUPED.match(whole):
                self.error("E004", f"`{text}`: thousands separators must be in groups of three",
                           span, f"write £{_regroup(whole)}" + (f".{pence}" if pence else ""))
            if len(pence) > 2:
                self.error("E004", f"`{text}` has more than two decimals", span,
                           "money is written to the penny at most, e.g. £1,000.50")
            value = Decimal(whole.replace(",", "") + (f".{pence}" if pence else ""))
        return Lit("money", value, text, span)

    def STRING(self, tok: Token) -> Token:  # noqa: N802
        """A one-line string: printable text and tabs only (E032)."""
        self._control(tok, _CONTROL)
        return tok

    def LONG_STRING(self, tok: Token) -> Token:  # noqa: N802
        """A long string: printable text, tabs and line breaks only (E032)."""
        self._control(tok, _CONTROL_LONG)
        return tok

    def _control(self, tok: Token, pattern: re.Pattern[str]) -> None:
        text = str(tok)
        m = pattern.search(text)
        if m is None:
            return
        i = m.start()
        line = (tok.line or 1) + text.count("\n", 0, i)
        nl = text.rfind("\n", 0, i)
        column = i - nl if nl >= 0 else (tok.column or 1) + i
        self.error("E032", f"a string holds the control character U+{ord(m.group()):04X}",
                   Span.trusted(self.file, line, column, line, column + 1),
                   "delete it (it may have come in with pasted text); a string holds "
                   "printable text and tabs" + (", and line breaks in a \"\"\"long\"\"\" string"
                                                 if text.startswith('"""') else ""))

    def PERCENT(self, tok: Token) -> Lit:  # noqa: N802
        """``85%``, ``2.5%``: the value in percentage points."""
        text = str(tok)
        value = Decimal(0) if self._too_long(tok, text[:-1]) else Decimal(text[:-1])
        return Lit("percent", value, text, self.tspan(tok))

    def NUMBER(self, tok: Token) -> Lit:  # noqa: N802
        """A plain non-negative decimal."""
        text = str(tok)
        value = Decimal(0) if self._too_long(tok, text) else Decimal(text)
        return Lit("number", value, text, self.tspan(tok))

    def DATE(self, tok: Token) -> tuple[dt.date | None, Span]:  # noqa: N802
        """An ISO date; an impossible one (2015-02-30) is an error."""
        span = self.tspan(tok)
        try:
            return dt.date.fromisoformat(str(tok)), span
        except ValueError:
            self.error("E003", f"`{tok}` is not a valid date", span,
                       "write an ISO date that exists, e.g. 2015-04-01")
            return None, span

    # ---- small rules ---------------------------------------------------------------------
    @v_args(meta=True)
    def start(self, meta: Meta, children: list[Any]) -> Any:
        """The file holds one contract."""
        return children[0]

    @v_args(meta=True)
    def money(self, meta: Meta, children: list[Any]) -> Lit:
        """Pass the literal through."""
        return children[0]  # type: ignore[no-any-return]

    percent = money
    number = money

    @v_args(meta=True)
    def role(self, meta: Meta, children: list[Any]) -> str:
        """Keyword rules keep their token: return its text."""
        return str(children[0])

    sector = role
    unit_name = role
    period_kind = role
    price_unit = role

    @v_args(meta=True)
    def comparison(self, meta: Meta, children: list[Any]) -> str:
        """``at least`` / ``at most``."""
        return "at_least" if str(children[1]) == "least" else "at_most"

    @v_args(meta=True)
    def higher(self, meta: Meta, children: list[Any]) -> str:
        """``higher is better``."""
        return "higher"

    @v_args(meta=True)
    def lower(self, meta: Meta, children: list[Any]) -> str:
        """``lower is better``."""
        return "lower"

    @v_args(meta=True)
    def per_year(self, meta: Meta, children: list[Any]) -> str:
        """The marker ``per year``."""
        return "per_year"

    @v_args(meta=True)
    def entry(self, meta: Meta, children: list[Any]) -> Entry:
        """``V`` or ``V in year N``."""
        year = children[1] if len(children) > 1 else None
        return Entry(children[0], year, self.span(meta))

    @v_args(meta=True)
    def schedule(self, meta: Meta, children: list[Any]) -> RawSchedule:
        """The entries of a schedule, as written."""
        return RawSchedule(tuple(children), self.span(meta))

    @v_args(meta=True)
    def year_label(self, meta: Meta, children: list[Any]) -> tuple[str | None, Span]:
        """``2014/15`` (consecutive years) or a calendar year ``2018``."""
        tok = children[0]
        span = self.span(meta)
        if isinstance(tok, Lit):
            if tok.is_whole and len(tok.text) == 4:
                return tok.text, span
            if len(tok.text) > MAX_WHOLE_DIGITS:  # already E085: one error is enough
                return None, span
            self.error("E027", f"`{tok.text}` is not a year label", span,
                       "write a financial year like 2014/15 or a calendar year like 2018")
            return None, span
        text = str(tok)
        first, second = int(text[:4]), int(text[5:])
        if (first + 1) % 100 != second:
            self.error("E027", f"`{text}` is not a year label: {second:02d} does not follow "
                       f"{first}", span, f"write {first}/{(first + 1) % 100:02d}")
            return None, span
        return text, span

    # ---- statements ---------------------------------------------------------------------
    def _stmt(self, name: str, meta: Meta, *args: object) -> Stmt:
        return Stmt(name, self.span(meta), tuple(args))

    def _schedule_stmt(self, name: str, meta: Meta, children: list[Any]) -> Stmt:
        sched: RawSchedule = children[0]
        if len(children) > 1:
            sched = RawSchedule(sched.entries, sched.span, per_year=True)
        return self._stmt(name, meta, sched)

    @v_args(meta=True)
    def version(self, meta: Meta, c: list[Any]) -> Stmt:
        """``version "1.0"``."""
        return self._stmt("version", meta, str(c[0])[1:-1])

    @v_args(meta=True)
    def agreement(self, meta: Meta, c: list[Any]) -> Stmt:
        """``agreement "NHS Standard Contract 2015/16 between …"``."""
        return self._stmt("agreement", meta, str(c[0])[1:-1])

    @v_args(meta=True)
    def currency(self, meta: Meta, c: list[Any]) -> Stmt:
        """``currency GBP``."""
        return self._stmt("currency", meta, str(c[0]), self.tspan(c[0]))

    @v_args(meta=True)
    def term(self, meta: Meta, c: list[Any]) -> Stmt:
        """``term START to END``."""
        return self._stmt("term", meta, c[0], c[1])

    @v_args(meta=True)
    def party(self, meta: Meta, c: list[Any]) -> Stmt:
        """``party ID "Name" role R sector S``."""
        st = self._stmt("party", meta, str(c[1])[1:-1], c[2], c[3])
        st.ident, st.ident_span = str(c[0]), self.tspan(c[0])
        return st

    @v_args(meta=True)
    def annual_value(self, meta: Meta, c: list[Any]) -> Stmt:
        """``annual_value SCHEDULE``."""
        return self._schedule_stmt("annual_value", meta, c)

    @v_args(meta=True)
    def outcome_payment(self, meta: Meta, c: list[Any]) -> Stmt:
        """``outcome_payment SCHEDULE``."""
        return self._schedule_stmt("outcome_payment", meta, c)

    @v_args(meta=True)
    def budget(self, meta: Meta, c: list[Any]) -> Stmt:
        """``budget SCHEDULE [per year]``."""
        return self._schedule_stmt("budget", meta, c)

    @v_args(meta=True)
    def budget_capitation(self, meta: Meta, c: list[Any]) -> Stmt:
        """``budget capitation``: each year's budget is that year's capitation payable."""
        return self._stmt("budget", meta, "capitation")

    @v_args(meta=True)
    def loss_cap(self, meta: Meta, c: list[Any]) -> Stmt:
        """``member loss cap SCHEDULE [per year]``."""
        return self._schedule_stmt("member loss cap", meta, c)

    @v_args(meta=True)
    def floor(self, meta: Meta, c: list[Any]) -> Stmt:
        """``floor SCHEDULE``."""
        return self._schedule_stmt("floor", meta, c)

    @v_args(meta=True)
    def target(self, meta: Meta, c: list[Any]) -> Stmt:
        """``target SCHEDULE``."""
        return self._schedule_stmt("target", meta, c)

    @v_args(meta=True)
    def text(self, meta: Meta, c: list[Any]) -> Stmt:
        """``text "..."`` or ``text \"\"\"...\"\"\"``."""
        return self._stmt("text", meta, dedent_text(str(c[0])))

    @v_args(meta=True)
    def weight(self, meta: Meta, c: list[Any]) -> Stmt:
        """``weight P%``."""
        return self._stmt("weight", meta, c[0])

    @v_args(meta=True)
    def unit(self, meta: Meta, c: list[Any]) -> Stmt:
        """``unit NAME``."""
        return self._stmt("unit", meta, c[0])

    @v_args(meta=True)
    def direction(self, meta: Meta, c: list[Any]) -> Stmt:
        """``higher is better`` / ``lower is better``."""
        return self._stmt("direction", meta, c[0])

    @v_args(meta=True)
    def baseline(self, meta: Meta, c: list[Any]) -> Stmt:
        """``baseline V in LABEL``."""
        return self._stmt("baseline", meta, c[0], c[1])

    @v_args(meta=True)
    def pays(self, meta: Meta, c: list[Any]) -> Stmt:
        """``pays CURVE``."""
        return self._stmt("pays", meta, c[0])

    @v_args(meta=True)
    def linear(self, meta: Meta, c: list[Any]) -> tuple[str, list[Any]]:
        """``linear``."""
        return ("linear", [])

    @v_args(meta=True)
    def all_or_nothing(self, meta: Meta, c: list[Any]) -> tuple[str, list[Any]]:
        """``all or nothing``."""
        return ("all_or_nothing", [])

    @v_args(meta=True)
    def steps(self, meta: Meta, c: list[Any]) -> tuple[str, list[Any]]:
        """``in steps S at V, ...``."""
        return ("steps", list(c))

    @v_args(meta=True)
    def step(self, meta: Meta, c: list[Any]) -> tuple[Lit, Lit, Span]:
        """``S at V``."""
        return (c[0], c[1], self.span(meta))

    @v_args(meta=True)
    def minimum(self, meta: Meta, c: list[Any]) -> Stmt:
        """``minimum denominator N``."""
        return self._stmt("minimum denominator", meta, c[0])

    @v_args(meta=True)
    def if_missing(self, meta: Meta, c: list[Any]) -> Stmt:
        """``if missing pay P%``."""
        return self._stmt("if missing pay", meta, c[0])

    @v_args(meta=True)
    def requires(self, meta: Meta, c: list[Any]) -> Stmt:
        """``requires ID at least|at most V``."""
        return self._stmt("requires", meta, str(c[0]), self.tspan(c[0]), c[1], c[2])

    @v_args(meta=True)
    def otherwise(self, meta: Meta, c: list[Any]) -> Stmt:
        """``otherwise withhold P% of outcome_payment``."""
        return self._stmt("otherwise", meta, c[0])

    @v_args(meta=True)
    def commissioner_share(self, meta: Meta, c: list[Any]) -> Stmt:
        """``commissioner share P%``."""
        return self._stmt("commissioner share", meta, c[0])

    @v_args(meta=True)
    def members(self, meta: Meta, c: list[Any]) -> Stmt:
        """``members ID P%, ...``."""
        return self._stmt("members", meta, *c)

    @v_args(meta=True)
    def member(self, meta: Meta, c: list[Any]) -> tuple[str, Span, Lit]:
        """``ID P%``."""
        return (str(c[0]), self.tspan(c[0]), c[1])

    @v_args(meta=True)
    def cap(self, meta: Meta, c: list[Any]) -> Stmt:
        """``cap £X over term``."""
        return self._stmt("cap", meta, c[0])

    @v_args(meta=True)
    def person_cap(self, meta: Meta, c: list[Any]) -> Stmt:
        """``cap £X per person`` (RECORDS.md): the most paid for one person."""
        return self._stmt("cap per person", meta, c[0])

    @v_args(meta=True)
    def claims_within(self, meta: Meta, c: list[Any]) -> Stmt:
        """``claims within N months of start`` (RECORDS.md): the claim window."""
        return self._stmt("claims within", meta, c[0])

    @v_args(meta=True)
    def price(self, meta: Meta, c: list[Any]) -> Stmt:
        """``price ID "Title" £X per person [, at most N over term] [, once per person]``.

        The two rules may come in either order; each at most once (E007 for a second).
        Arguments: title, amount, per, the `at most` count (Lit or None), and the span of
        `once per person` (None when not written).
        """
        limit: Lit | None = None
        once: Span | None = None
        for rule in c[4:]:
            if isinstance(rule, Lit):
                if limit is not None:
                    self.error("E007", "`at most` is given twice on one price", rule.span,
                               "keep one `at most N over term`")
                    continue
                limit = rule
            else:
                if once is not None:
                    self.error("E007", "`once per person` is given twice on one price", rule,
                               "keep one `once per person`")
                    continue
                once = rule
        st = self._stmt("price", meta, str(c[1])[1:-1], c[2], c[3], limit, once)
        st.ident, st.ident_span = str(c[0]), self.tspan(c[0])
        return st

    @v_args(meta=True)
    def tier(self, meta: Meta, c: list[Any]) -> Stmt:
        """``price TIER "Title" £X per person per year`` in a capitation block."""
        st = self._stmt("tier", meta, str(c[1])[1:-1], c[2])
        st.ident, st.ident_span = str(c[0]), self.tspan(c[0])
        return st

    @v_args(meta=True)
    def price_limit(self, meta: Meta, c: list[Any]) -> Lit:
        """``, at most N over term``."""
        return c[0]  # type: ignore[no-any-return]

    @v_args(meta=True)
    def once_per_person(self, meta: Meta, c: list[Any]) -> Span:
        """``, once per person``: its span (the rule has no value)."""
        return self.span(meta)

    @v_args(meta=True)
    def duty(self, meta: Meta, c: list[Any]) -> Stmt:
        """``PARTY shall ...``: the body's statement, with the party."""
        body: Stmt = c[1]
        body.span = self.span(meta)
        body.ident, body.ident_span = str(c[0]), self.tspan(c[0])
        return body

    @v_args(meta=True)
    def report(self, meta: Meta, c: list[Any]) -> Stmt:
        """``report within N working days after each PERIOD``."""
        return self._stmt("report", meta, c[0], c[1])

    @v_args(meta=True)
    def spend_share(self, meta: Meta, c: list[Any]) -> Stmt:
        """``pay at least P% of annual_value to SECTOR sector parties | PARTY each year``.

        Arguments: the share, the sector (None with a named party), the named party and its
        span (None for a sector).
        """
        if isinstance(c[1], tuple):
            return self._stmt("spend_share", meta, c[0], None, c[1])
        return self._stmt("spend_share", meta, c[0], c[1], None)

    @v_args(meta=True)
    def prompt_payment(self, meta: Meta, c: list[Any]) -> Stmt:
        """``pay subcontractor invoices within N days of receipt``."""
        return self._stmt("prompt_payment", meta, c[0])

    @v_args(meta=True)
    def flow_down(self, meta: Meta, c: list[Any]) -> Stmt:
        """``pass on at least P% of earned outcome_payment ... within N days of year end``.

        Arguments: the share, the days, and the named party with its span (None when it is
        every subcontractor).
        """
        if len(c) > 2:
            return self._stmt("flow_down", meta, c[0], c[2], c[1])
        return self._stmt("flow_down", meta, c[0], c[1], None)

    @v_args(meta=True)
    def penalty(self, meta: Meta, c: list[Any]) -> Stmt:
        """``penalty £X per breach|day late [, at most £Y per year]``: (amount, basis, cap)."""
        cap = c[2] if len(c) > 2 else None
        return self._stmt("penalty", meta, c[0], c[1], cap)

    @v_args(meta=True)
    def per_breach(self, meta: Meta, c: list[Any]) -> str:
        """``per breach``."""
        return "per_breach"

    @v_args(meta=True)
    def per_day_late(self, meta: Meta, c: list[Any]) -> str:
        """``per day late`` (TERMS.md)."""
        return "per_day_late"

    @v_args(meta=True)
    def penalty_cap(self, meta: Meta, c: list[Any]) -> Lit:
        """``, at most £Y per year`` (TERMS.md)."""
        return c[0]  # type: ignore[no-any-return]

    @v_args(meta=True)
    def to_party(self, meta: Meta, c: list[Any]) -> tuple[str, Span]:
        """``to PARTY`` in a spend-share or flow-down duty (TERMS.md): the party and where."""
        return str(c[0]), self.tspan(c[0])

    @v_args(meta=True)
    def payout(self, meta: Meta, c: list[Any]) -> Stmt:
        """``pay its share of earned payments within N days of year end`` (TERMS.md)."""
        return self._stmt("payout", meta, c[0])

    @v_args(meta=True)
    def rounding(self, meta: Meta, c: list[Any]) -> Stmt:
        """``value rounded to N decimal places`` (TERMS.md)."""
        return self._stmt("value rounded", meta, c[0])

    @v_args(meta=True)
    def payer(self, meta: Meta, c: list[Any]) -> Stmt:
        """``ID pays P% [, at most £X over term]`` in ``funding`` (TERMS.md)."""
        cap = c[2] if len(c) > 2 else None
        st = self._stmt("payer", meta, c[1], cap)
        st.ident, st.ident_span = str(c[0]), self.tspan(c[0])
        return st

    @v_args(meta=True)
    def payer_cap(self, meta: Meta, c: list[Any]) -> Lit:
        """``, at most £X over term``."""
        return c[0]  # type: ignore[no-any-return]

    @v_args(meta=True)
    def funding(self, meta: Meta, c: list[Any]) -> Stmt:
        """``funding { ... }`` (TERMS.md)."""
        return Stmt("funding", self.span(meta), (), [x for x in c if isinstance(x, Stmt)])

    # ---- blocks -------------------------------------------------------------------------
    def _block(self, name: str, meta: Meta, c: list[Any], head: int) -> Stmt:
        """A block: ``KEYWORD ID "Title" [head settings] { items }``."""
        ident = c[0]
        title = str(c[1])[1:-1]
        head_items = [x for x in c[2:head] if isinstance(x, Stmt)]
        items = [x for x in c[2:] if isinstance(x, Stmt)]
        st = Stmt(name, self.span(meta), (title,), items)
        st.ident, st.ident_span = str(ident), self.tspan(ident)
        del head_items
        return st

    @v_args(meta=True)
    def contract(self, meta: Meta, c: list[Any]) -> Stmt:
        """``contract ID "Title" { ... }``."""
        return self._block("contract", meta, c, 2)

    @v_args(meta=True)
    def outcome(self, meta: Meta, c: list[Any]) -> Stmt:
        """``outcome ID "Title" weight P% { ... }``."""
        return self._block("outcome", meta, c, 3)

    @v_args(meta=True)
    def indicator(self, meta: Meta, c: list[Any]) -> Stmt:
        """``indicator ID "Title" [weight P%] { ... }``."""
        return self._block("indicator", meta, c, 3)

    @v_args(meta=True)
    def gateway(self, meta: Meta, c: list[Any]) -> Stmt:
        """``gateway ID "Title" { ... }``."""
        return self._block("gateway", meta, c, 2)

    @v_args(meta=True)
    def obligation(self, meta: Meta, c: list[Any]) -> Stmt:
        """``obligation ID "Title" { ... }``."""
        return self._block("obligation", meta, c, 2)

    @v_args(meta=True)
    def risk_share(self, meta: Meta, c: list[Any]) -> Stmt:
        """``risk_share { ... }``."""
        return Stmt("risk_share", self.span(meta), (), [x for x in c if isinstance(x, Stmt)])

    @v_args(meta=True)
    def rate_card(self, meta: Meta, c: list[Any]) -> Stmt:
        """``rate_card { ... }``."""
        return Stmt("rate_card", self.span(meta), (), [x for x in c if isinstance(x, Stmt)])

    @v_args(meta=True)
    def capitation(self, meta: Meta, c: list[Any]) -> Stmt:
        """``capitation { price ... per person per year ... }``."""
        return Stmt("capitation", self.span(meta), (), [x for x in c if isinstance(x, Stmt)])

    # ---- datasets and measures (RECORDS.md) -------------------------------------------
    def _word(self, tok: Token) -> tuple[str, Span]:
        return str(tok), self.tspan(tok)

    @v_args(meta=True)
    def dataset(self, meta: Meta, c: list[Any]) -> Stmt:
        """``dataset ID "Title" { field ..., key ..., person ..., text ... }``."""
        return self._block("dataset", meta, c, 2)

    @v_args(meta=True)
    def field(self, meta: Meta, c: list[Any]) -> Stmt:
        """``field NAME TYPE [from "Column"]``: args name, name span, type, column, its span."""
        name, name_span = self._word(c[0])
        column = str(c[2])[1:-1] if len(c) > 2 else None
        col_span = self.tspan(c[2]) if len(c) > 2 else None
        return self._stmt("field", meta, name, name_span, c[1], column, col_span)

    field_type = role
    duration_unit = role
    comp_op = role

    @v_args(meta=True)
    def key(self, meta: Meta, c: list[Any]) -> Stmt:
        """``key FIELD``."""
        return self._stmt("key", meta, *self._word(c[0]))

    @v_args(meta=True)
    def person(self, meta: Meta, c: list[Any]) -> Stmt:
        """``person FIELD``."""
        return self._stmt("person", meta, *self._word(c[0]))

    @v_args(meta=True)
    def measure(self, meta: Meta, c: list[Any]) -> Stmt:
        """``measure DATASET by FIELD [counting people] { ... }``.

        Args: dataset, its span, the `by` field, its span, and whether people are counted.
        """
        counting = any(isinstance(x, str) and x == "counting" for x in c)
        st = Stmt("measure", self.span(meta),
                  (str(c[0]), self.tspan(c[0]), str(c[1]), self.tspan(c[1]), counting),
                  [x for x in c if isinstance(x, Stmt)])
        return st

    @v_args(meta=True)
    def counting(self, meta: Meta, c: list[Any]) -> str:
        """The marker ``counting people``."""
        return "counting"

    @v_args(meta=True)
    def denominator(self, meta: Meta, c: list[Any]) -> Stmt:
        """``denominator [where COND]``."""
        return self._stmt("denominator", meta, c[0] if c else None)

    @v_args(meta=True)
    def numerator(self, meta: Meta, c: list[Any]) -> Stmt:
        """``numerator [where COND]``."""
        return self._stmt("numerator", meta, c[0] if c else None)

    @v_args(meta=True)
    def mean(self, meta: Meta, c: list[Any]) -> Stmt:
        """``mean EXPR [where COND]``."""
        return self._stmt("mean", meta, c[0], c[1] if len(c) > 1 else None)

    @v_args(meta=True)
    def count(self, meta: Meta, c: list[Any]) -> Stmt:
        """``count [where COND]``."""
        return self._stmt("count", meta, c[0] if c else None)

    @v_args(meta=True)
    def where(self, meta: Meta, c: list[Any]) -> Cond:
        """``where COND``: the condition."""
        return c[0]  # type: ignore[no-any-return]

    def _cond(self, form: str, meta: Meta, *parts: object) -> Cond:
        return Cond(form, parts, self.span(meta))

    def _fieldc(self, tok: Token) -> Cond:
        """A field named inside a larger construct, with its own span."""
        return Cond("field", (str(tok),), self.tspan(tok))

    @v_args(meta=True)
    def or_cond(self, meta: Meta, c: list[Any]) -> Cond:
        """``A or B``."""
        return self._cond("or", meta, c[0], c[1])

    @v_args(meta=True)
    def and_cond(self, meta: Meta, c: list[Any]) -> Cond:
        """``A and B``."""
        return self._cond("and", meta, c[0], c[1])

    @v_args(meta=True)
    def not_cond(self, meta: Meta, c: list[Any]) -> Cond:
        """``not A``."""
        return self._cond("not", meta, c[0])

    @v_args(meta=True)
    def paren(self, meta: Meta, c: list[Any]) -> Cond:
        """``( A )``."""
        return self._cond("paren", meta, c[0])

    @v_args(meta=True)
    def flag_test(self, meta: Meta, c: list[Any]) -> Cond:
        """A bare flag field."""
        return self._cond("flag", meta, self._fieldc(c[0]))

    @v_args(meta=True)
    def compare(self, meta: Meta, c: list[Any]) -> Cond:
        """``A OP B``: parts left, operator, right."""
        return self._cond("compare", meta, c[0], c[1], c[2])

    @v_args(meta=True)
    def is_missing(self, meta: Meta, c: list[Any]) -> Cond:
        """``FIELD is missing``."""
        return self._cond("missing", meta, self._fieldc(c[0]))

    @v_args(meta=True)
    def is_present(self, meta: Meta, c: list[Any]) -> Cond:
        """``FIELD is present``."""
        return self._cond("present", meta, self._fieldc(c[0]))

    @v_args(meta=True)
    def in_list(self, meta: Meta, c: list[Any]) -> Cond:
        """``EXPR in (V, ...)``: parts the expression, then the values."""
        return self._cond("in", meta, *c)

    @v_args(meta=True)
    def between(self, meta: Meta, c: list[Any]) -> Cond:
        """``EXPR between LOW and HIGH``."""
        return self._cond("between", meta, c[0], c[1], c[2])

    @v_args(meta=True)
    def field_ref(self, meta: Meta, c: list[Any]) -> Cond:
        """A field's value."""
        return self._cond("field", meta, str(c[0]))

    @v_args(meta=True)
    def number_value(self, meta: Meta, c: list[Any]) -> Cond:
        """A number: parts the literal (a ``Lit``)."""
        return self._cond("number", meta, c[0])

    @v_args(meta=True)
    def negative_value(self, meta: Meta, c: list[Any]) -> Cond:
        """``-N``: a number literal with its sign."""
        lit: Lit = c[0]
        return self._cond("number", meta, Lit("number", -lit.value, "-" + lit.text,
                                               self.span(meta)))

    @v_args(meta=True)
    def text_value(self, meta: Meta, c: list[Any]) -> Cond:
        """A quoted text."""
        return self._cond("text", meta, str(c[0])[1:-1])

    @v_args(meta=True)
    def date_value(self, meta: Meta, c: list[Any]) -> Cond:
        """An ISO date (None when it does not exist: E003 was reported)."""
        return self._cond("date", meta, c[0][0])

    @v_args(meta=True)
    def true_value(self, meta: Meta, c: list[Any]) -> Cond:
        """``true``."""
        return self._cond("true", meta)

    @v_args(meta=True)
    def false_value(self, meta: Meta, c: list[Any]) -> Cond:
        """``false``."""
        return self._cond("false", meta)

    @v_args(meta=True)
    def plus_duration(self, meta: Meta, c: list[Any]) -> Cond:
        """``FIELD + N UNIT``: parts field, sign, count (a ``Lit``), unit."""
        return self._cond("shift", meta, self._fieldc(c[0]), "+", c[1], c[2])

    @v_args(meta=True)
    def minus_duration(self, meta: Meta, c: list[Any]) -> Cond:
        """``FIELD - N UNIT``."""
        return self._cond("shift", meta, self._fieldc(c[0]), "-", c[1], c[2])

    @v_args(meta=True)
    def days_between(self, meta: Meta, c: list[Any]) -> Cond:
        """``days from A to B``."""
        return self._cond("days_between", meta, self._fieldc(c[0]), self._fieldc(c[1]))


_Rule = Callable[[Any, Meta, list[Any]], Any]
_OnToken = Callable[[Any, Token], Any]


@cache
def _dispatch(cls: type) -> tuple[dict[str, _Rule], dict[str, _OnToken]]:
    """Rule name → plain function and terminal name → token callback, found once per class."""
    rules: dict[str, _Rule] = {}
    tokens: dict[str, _OnToken] = {}
    for klass in reversed(cls.__mro__):
        for name, attr in vars(klass).items():
            base = getattr(attr, "base_func", None)  # a @v_args(meta=True) method
            if base is not None and not name.startswith("_"):
                rules[name] = base
            elif callable(attr) and name.isupper() and not name.startswith("_"):
                tokens[name] = attr
    return rules, tokens


def exact_product(a: Decimal, b: Decimal) -> Decimal:
    """``a × b`` with enough precision that nothing is rounded away."""
    with localcontext() as ctx:
        ctx.prec = len(a.as_tuple().digits) + len(b.as_tuple().digits) + 2
        return a * b


def _regroup(digits: str) -> str:
    plain = digits.replace(",", "")
    return f"{int(plain):,}" if plain.isdigit() else digits
