"""Text → lark syntax tree (LALR, positions kept), with syntax errors in words.

Lark reports what it expected as terminal names (``LBRACE``, ``PERCENT``); authors should read
"expected `{` to open the outcome block" or "expected a percentage like 15% after `weight`".
This module owns that translation.

Several syntax errors of one file are reported in one run by *masking*: after an error, the
statement that holds it is blanked out (replaced by spaces, so every position stays the same)
and the text is parsed again. A masked region never splits a block: it ends before the next
statement or ``}``, and takes a whole ``{ ... }`` block with it when it reaches one, so the
braces stay balanced and the next error is a real one rather than an echo of the first.
Recovery stops at the end of the file, at an error in the contract's own header, and after
:data:`MAX_SYNTAX_ERRORS` errors. When there are syntax errors nothing is built, because a
model of a half-parsed file would only produce misleading follow-on diagnostics.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lark import PostLex

from obc_check.diagnostics import Diagnostic, Span

#: Stop reporting syntax errors after this many: later ones are increasingly guesswork.
MAX_SYNTAX_ERRORS = 10

# How a terminal reads in an error message.
_DESCRIBE: dict[str, str] = {
    "ID": "an identifier like `EIP14` (starting with a capital letter)",
    "STRING": 'a quoted title like "Title"',
    "LONG_STRING": 'a """multi-line""" string',
    "DATE": "a date like 2015-04-01",
    "FY_LABEL": "a year label like 2014/15",
    "MONEY": "an amount of money like £1,500",
    "PERCENT": "a percentage like 15%",
    "NUMBER": "a number like 20",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "COMMA": "`,`",
    "$END": "the end of the file",
}

# What each block takes, for "`flor` is not a setting of the indicator block".
_BLOCK_TAKES: dict[str, str] = {
    "contract": "version, agreement, currency, term, party, annual_value, outcome_payment, "
                "risk_share, rate_card, capitation, text, outcome, indicator, gateway, "
                "obligation, dataset",
    "outcome": "indicator, text",
    "indicator": "unit, higher is better / lower is better, baseline, floor, target, pays, "
                 "minimum denominator, if missing pay, measure, text",
    "dataset": "field, key, person, text",
    "measure": "denominator, numerator, mean, count",
    "gateway": "requires, otherwise, text",
    "risk_share": "budget, commissioner share, members, member loss cap, text",
    "rate_card": "cap … over term, cap … per person, claims within, price, text",
    "capitation": "price (per person per year), text",
    "obligation": "one duty sentence (`PARTY shall ...`), penalty, text",
}

# The block each statement keyword belongs in.
_BELONGS: dict[str, str] = {
    **dict.fromkeys(("version", "agreement", "currency", "term", "party", "annual_value",
                     "outcome_payment", "risk_share", "rate_card", "capitation", "outcome",
                     "gateway", "obligation", "dataset"), "contract"),
    **dict.fromkeys(("unit", "higher", "lower", "baseline", "floor", "target", "pays",
                     "minimum", "if"), "indicator"),
    **dict.fromkeys(("requires", "otherwise"), "gateway"),
    **dict.fromkeys(("budget", "commissioner", "members", "member"), "risk_share"),
    **dict.fromkeys(("cap", "price", "claims"), "rate_card"),
    "penalty": "obligation",
    "measure": "indicator",
    **dict.fromkeys(("field", "key", "person"), "dataset"),
    **dict.fromkeys(("denominator", "numerator", "mean", "count"), "measure"),
}
# Keywords that begin a statement (``text`` and ``indicator`` stand in several blocks).
_STMT_WORDS = frozenset(_BELONGS) | {"text", "indicator"}
_BLOCKS = frozenset(_BLOCK_TAKES)


# How each statement reads, for hints on a statement that went wrong half-way.
_EXAMPLES: dict[str, str] = {
    "contract": 'contract ID "Title" { ... }',
    "version": 'version "1.0"',
    "agreement": 'agreement "NHS Standard Contract 2015/16: Adult Mental Health"',
    "currency": "currency GBP",
    "term": "term 2015-04-01 to 2018-03-31",
    "party": 'party OH "Legal name" role lead_provider sector nhs',
    "annual_value": "annual_value £45,000,000",
    "outcome_payment": "outcome_payment 5% in year 1, 10% in year 2, 15% in year 3",
    "outcome": 'outcome ID "Title" weight 15% { ... }',
    "indicator": 'indicator ID "Title" weight 50% { ... }',
    "unit": "unit percent",
    "higher": "higher is better",
    "lower": "lower is better",
    "baseline": "baseline 3.6 in 2014/15",
    "floor": "floor 50% in year 1, 55% in year 2, 60% in year 3",
    "target": "target 60% in year 1, 65% in year 2, 70% in year 3",
    "pays": "pays linear`, `pays all or nothing` or `pays in steps 25% at 62%, 100% at 70%",
    "minimum": "minimum denominator 20",
    "if": "if missing pay 0%",
    "gateway": 'gateway ID "Title" { ... }',
    "requires": "requires DQMI at least 95%",
    "otherwise": "otherwise withhold 50% of outcome_payment",
    "risk_share": "risk_share { ... }",
    "budget": "budget £150,000,000 per year",
    "commissioner": "commissioner share 50%",
    "members": "members OUH 55%, OH 40%, AGE 5%",
    "member": "member loss cap £3,000,000 per year",
    "rate_card": "rate_card { ... }",
    "capitation": "capitation { ... }",
    "tier_price": 'price TIER1 "Title" £1,200 per person per year',  # in a capitation block
    "cap": "cap £1,800,000 over term` or `cap £19,000 per person",
    "price": 'price ENTRY "Title" £1,500 per person, at most 120 over term',
    "claims": "claims within 36 months of start",
    "obligation": 'obligation ID "Title" { ... }',
    "penalty": "penalty £1,000 per breach",
    "text": 'text "..."` or `text """..."""',
    "dataset": 'dataset REFERRALS "Title" { field referral_id text ... }',
    "field": 'field team text from "Team Name"',
    "key": "key referral_id",
    "person": "person person_id",
    "measure": "measure REFERRALS by referred_on { denominator where ... numerator where ... }",
    "denominator": "denominator where first_episode and age >= 14",
    "numerator": "numerator where treated_on <= referred_on + 14 days",
    "mean": "mean days from referred_on to treated_on where treated_on is present",
    "count": 'count where destination = "settled"',
    "report": "OH shall report within 15 working days after each quarter",
    "pay": "OH shall pay at least 8% of annual_value to voluntary sector parties each year` "
           "or `OH shall pay subcontractor invoices within 30 days of receipt",
    "pay_share": "OH shall pay at least 8% of annual_value to voluntary sector parties each "
                 "year",
    "pay_invoices": "OH shall pay subcontractor invoices within 30 days of receipt",
    "pass": "OH shall pass on at least 25% of earned outcome_payment to subcontractors "
            "within 60 days of year end",
    "shall": "OH shall report within 15 working days after each quarter` (or `shall pay "
             "...`, `shall pass on ...`)",
}


class _AlwaysWord(PostLex):
    """Let every lexer state see ``WORD``, so keywords only match as whole words.

    Lark's contextual lexer builds one small lexer per parser state from the terminals that
    state accepts; a keyword there would match the front of a longer word (``ratio`` in
    ``ratios``). With ``WORD`` always present, lark folds the keywords into ``WORD`` and a
    whole word is read first, so ``ratios`` is reported as an unknown word.
    """

    always_accept = ("WORD",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        """Tokens pass through unchanged."""
        return stream


@cache
def grammar_text() -> str:
    """The grammar source, from the installed package (importlib resources)."""
    return resources.files("obc_check.grammar").joinpath("obc.lark").read_text(encoding="utf-8")


@cache
def parser() -> Lark:
    """The one LALR parser, built once per process.

    Building the LALR tables takes about a tenth of a second, paid by every command; lark
    can keep them in a cache file (see ``_cache_file``), which makes it a hundredth.
    """
    return Lark(grammar_text(), parser="lalr", propagate_positions=True,
                maybe_placeholders=False, postlex=_AlwaysWord(), cache=_cache_file())


def _cache_file() -> str | bool:
    """Where lark keeps the parser tables: the user's own cache folder, or nowhere.

    Not lark's default (the shared temporary folder), because the file is a pickle: only a
    folder that belongs to the user is safe to load one from. The name carries a digest of
    the grammar, lark's version and Python's, so versions never share a file (lark checks
    the digest again inside). A folder that cannot be made (a read-only home) means no
    cache; lark also carries on when a file cannot be read or written.
    """
    import lark

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "obc-check"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return False
    key = f"{grammar_text()}|{lark.__version__}|{sys.version_info[:2]}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return str(folder / f"grammar-{digest}.lark")


@cache
def _keyword_terminals() -> dict[str, str]:
    """Terminal name → keyword text, for the anonymous keyword terminals lark made."""
    out: dict[str, str] = {}
    for term in parser().terminals:
        if term.pattern.type == "str":
            out[term.name] = term.pattern.value
    return out


def keyword_texts() -> frozenset[str]:
    """Every keyword of the language (the grammar's string terminals)."""
    return frozenset(_keyword_terminals().values())


def describe(name: str) -> str:
    """A terminal's name as an author reads it."""
    if name in _DESCRIBE:
        return _DESCRIBE[name]
    kw = _keyword_terminals().get(name)
    return f"`{kw}`" if kw is not None else name.lower()


def _expected_words(names: set[str]) -> str:
    """Describe a set of expected terminals, keeping short lists readable."""
    descs = sorted({describe(n) for n in names if n not in {"WORD", "COMMENT"}},
                   key=lambda s: (not s.startswith("`"), s))
    if len(descs) <= 3:
        return " or ".join(descs) if len(descs) <= 2 else f"{descs[0]}, {descs[1]} or {descs[2]}"
    return ", ".join(descs[:6]) + (", …" if len(descs) > 6 else "")


# ---- a light tokenizer of our own, for block context and recovery ---------------------------
_SCAN = re.compile(r'"""(?:.|\n)*?"""|"""(?:.|\n)*|"[^"\n]*"?|#[^\n]*|[{}]|[^\s{}"#]+')


@dataclass(frozen=True, slots=True)
class _Tok:
    start: int
    end: int
    text: str


def _scan(text: str) -> list[_Tok]:
    """Words, strings and braces of ``text`` (comments skipped), with offsets."""
    return [_Tok(m.start(), m.end(), m.group(0)) for m in _SCAN.finditer(text)
            if not m.group(0).startswith("#")]


# Statement keywords that also stand inside another statement, after these words:
# `role commissioner`, `member loss cap`, `over term`, `of annual_value`,
# `of (earned) outcome_payment`.
_INNER_AFTER: dict[str, frozenset[str]] = {
    "commissioner": frozenset({"role"}),
    "cap": frozenset({"loss"}),
    "term": frozenset({"over"}),
    "annual_value": frozenset({"of"}),
    "outcome_payment": frozenset({"of", "earned"}),
    "denominator": frozenset({"minimum"}),
    "count": frozenset({"unit"}),
    "person": frozenset({"per"}),
}


def _is_stmt_start(toks: list[_Tok], i: int) -> bool:
    """True if token ``i`` begins a statement (a keyword, or ``PARTY`` before ``shall``)."""
    word = toks[i].text
    if word == "text" and i > 1 and toks[i - 2].text == "field":
        return False  # `field team text`: the field's type
    if word in _STMT_WORDS:
        inner = _INNER_AFTER.get(word)
        return not (inner and i > 0 and toks[i - 1].text in inner)
    return (i + 1 < len(toks) and toks[i + 1].text == "shall" and word[:1].isupper())


@dataclass(frozen=True, slots=True)
class _Context:
    """Where a position stands: the innermost open block, and a block header not yet opened."""

    block: str | None
    block_line: int
    header: str | None
    stack: tuple[tuple[str, int], ...]


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _context(text: str, toks: list[_Tok], pos: int) -> _Context:
    """The blocks open at ``pos`` (counting braces; strings and comments skipped)."""
    stack: list[tuple[str, int]] = []
    pending: tuple[str, int] | None = None
    for tok in toks:
        if tok.start >= pos:
            break
        if tok.text == "{":
            stack.append(pending or ("block", _line_of(text, tok.start)))
            pending = None
        elif tok.text == "}":
            if stack:
                stack.pop()
            pending = None
        elif tok.text in _BLOCKS:
            pending = (tok.text, _line_of(text, tok.start))
        elif pending is not None and tok.text in _STMT_WORDS:
            pending = None
    block, line = stack[-1] if stack else (None, 0)
    return _Context(block, line, pending[0] if pending else None, tuple(stack))


# ---- positions ---------------------------------------------------------------------------------
def _span_at(file: str, line: int, column: int, width: int = 1) -> Span:
    return Span(file=file, line=line, column=column, end_line=line,
                end_column=column + max(width, 1))


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _end_of_text(text: str, toks: list[_Tok]) -> int:
    """Where a missing token would go: just after the last word or brace of the file."""
    return toks[-1].end if toks else 0


# ---- messages ------------------------------------------------------------------------------
_FOUND = re.compile(r"[A-Za-z_£0-9][A-Za-z0-9_,.%/£-]*")


def _shown(text: str) -> str:
    """A found token as it reads in a message."""
    if text.startswith('"""'):
        return "a string"
    if len(text) > 40:
        text = text[:37] + "..."
    if len(text) == 1 and not text.isprintable():
        return f"the character U+{ord(text):04X}"
    return f"`{text}`"


def _did_you_mean(word: str, options: list[str]) -> str | None:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close and len(word) >= 3:
        # The first part of a joined keyword: `lead provider` for `lead_provider`.
        close = [o for o in options if o.startswith(word + "_")][:1]
    return f"did you mean `{close[0]}`?" if close else None


def _hint_for(found: str, allowed: set[str]) -> str | None:
    """Hints for numbers, money, percentages and dates written the wrong way."""
    if found.startswith("£") or re.match(r"\d", found):
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", found) or (
                "DATE" in allowed and re.match(r"\d{4}(-|$)", found)):
            return "write dates as ISO dates, e.g. 2015-04-01"
        if re.fullmatch(r"£?[0-9.]+[MK]", found):
            return "short forms use a lower-case m or k, e.g. £1.5m or £250k"
        if "," in found and "MONEY" not in allowed:
            return "plain numbers take no thousands separators"
        if allowed & {"PERCENT"} and not found.endswith("%"):
            return "write a percentage with `%`, e.g. 15%"
        if "MONEY" in allowed and not found.startswith("£"):
            return "write money with `£`, e.g. £1,500 or £1.5m"
        if "NUMBER" in allowed and found.endswith("%"):
            return "write a plain number here, without `%`"
    return None


@dataclass(frozen=True, slots=True)
class _Explained:
    """One syntax error in words, and how much text to blank out before trying again."""

    diagnostic: Diagnostic
    pos: int
    region: tuple[int, int] | None  # None: stop recovering


def _explain(err: UnexpectedInput, text: str, file: str, toks: list[_Tok]) -> _Explained:
    if isinstance(err, UnexpectedCharacters):
        return _unexpected_chars(err, text, file, toks)
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        return _unexpected_token(err, text, file, toks)
    return _unexpected_end(err, text, file, toks)


def _unexpected_end(err: UnexpectedInput, text: str, file: str,
                    toks: list[_Tok]) -> _Explained:
    pos = _end_of_text(text, toks)
    line, col = _line_col(text, pos)
    expected: set[str] = set(getattr(err, "expected", None) or [])
    ctx = _context(text, toks, pos)
    if not toks:
        diag = Diagnostic("E002", "the file holds no contract", _span_at(file, line, col),
                          'a contract file holds one `contract ID "Title" { ... }`')
        return _Explained(diag, pos, None)
    msg = "unexpected end of file"
    hint: str | None = None
    if ctx.header is not None:
        msg += f" in the {ctx.header} block's first line"
    elif ctx.block is not None:
        msg += f" inside the {ctx.block} block opened on line {ctx.block_line}"
        hint = "close every block with `}`"
    if expected and not (ctx.block and "RBRACE" in expected):
        msg += f": expected {_expected_words(expected)}"
        if len(ctx.stack) > 1:
            hint = "close every block with `}`"
    hint = hint or _statement_hint(toks, pos) or "check that the whole file was saved"
    return _Explained(Diagnostic("E002", msg, _span_at(file, line, col), hint), pos, None)


def _state_expects(err: UnexpectedCharacters) -> set[str]:
    """What the parser would have accepted where the lexer failed.

    The lexer's own list names only regular-expression terminals (keywords are folded into
    ``WORD``), so ask the parser state instead when lark gives it.
    """
    state = getattr(err, "state", None)
    try:
        table = state.parse_conf.parse_table  # type: ignore[union-attr]
        names = table.states[state.position].keys()  # type: ignore[union-attr]
        return {n for n in names if n == n.upper()}  # terminals, not rules
    except (AttributeError, KeyError, IndexError):
        return set(err.allowed or ())


def _previous_word(toks: list[_Tok], pos: int) -> str | None:
    """The word or brace just before ``pos``, as written."""
    prev = None
    for tok in toks:
        if tok.start >= pos:
            break
        prev = tok.text
    return prev


def _unexpected_chars(err: UnexpectedCharacters, text: str, file: str,
                      toks: list[_Tok]) -> _Explained:
    pos = err.pos_in_stream or 0
    m = _FOUND.match(text, pos)
    found = m.group(0) if m else text[pos]
    allowed = _state_expects(err) - {"WORD"}
    span = _span_at(file, err.line, err.column, len(found))
    if found.startswith('"') and text[max(pos - 2, 0):pos] == '""':
        # `"""` with no closing `"""` after it lexes as `""` and a stray `"`: the text runs
        # to the end of the file, so every later error would be an echo of this one.
        line, col = _line_col(text, pos - 2)
        return _Explained(Diagnostic(
            "E001", "this text is not closed", _span_at(file, line, col, 3),
            'a text that opens with `"""` runs until the next `"""`: close it with `"""` '
            "on a line of its own after the last line of the text"), pos, None)
    if found.startswith('"'):
        diag = Diagnostic("E001", "this string is not closed", span,
                          'close the string with `"` on the same line, or use """...""" '
                          "for text over several lines")
        # The open string runs to the end of the line and takes any `{`, `}` or `"` there
        # with it: every later error would be an echo of this one, so stop here.
        rest = text[pos + 1:text.find("\n", pos) if "\n" in text[pos:] else len(text)]
        stop = any(c in rest for c in '{}"')
        return _Explained(diag, pos, None if stop else _region(toks, pos, at_boundary=False))
    msg = f"unexpected {_shown(found).removeprefix('the ')}"
    if allowed:
        msg += f": expected {_expected_words(allowed)}"
    hint = _hint_for(found, allowed)
    label = _dashed_year_label(text, pos)
    spaced = re.search(r"[0-9.]+[ \t]+$", text[:pos]) if found == "%" else None
    if spaced is not None and "%" not in _EXAMPLES.get(_statement_key(toks, pos) or "", "%"):
        spaced = None  # a number where no percentage belongs: `within 15 % days`
    if label is not None:
        return _dashed_label_error(label, text, file, toks, pos)
    if found == "/" and text.startswith("//", pos):
        return _Explained(Diagnostic("E001", "unexpected `//`", _span_at(file, err.line,
                                                                          err.column, 2),
                                     "comments start with `#`, e.g. `# a note`"), pos,
                          _comment_region(text, pos))
    if spaced is not None:
        number = spaced.group(0).rstrip()
        return _Explained(Diagnostic(
            "E001", f"a space between `{number}` and `%`", span,
            f"write {number}% (no space before `%`)"), pos,
            _region(toks, pos, at_boundary=False))
    if found == "£":
        hint = "write money with no space after `£`, e.g. £1,500"
    elif found == "%" and spaced is None and pos > 0 and text[pos - 1].isspace():
        hint = _statement_hint(toks, pos) or "remove the `%`"
    elif found == "%":
        hint = "`%` follows a plain number, e.g. 15%; an amount of money takes no `%`"
    elif found == "-":
        hint = "numbers are not negative here"
    hint = hint or _statement_hint(toks, pos) or "remove the stray character"
    return _Explained(Diagnostic("E001", msg, span, hint), pos,
                      _region(toks, pos, at_boundary=False))


def _dashed_label_error(label: str, text: str, file: str, toks: list[_Tok],
                        pos: int) -> _Explained:
    """E001 for ``2014-15`` (``label``) whose `-` is at ``pos``: write 2014/15."""
    line, col = _line_col(text, pos - 4)
    return _Explained(Diagnostic(
        "E001", f"`{label}` is not a year label", _span_at(file, line, col, len(label)),
        f"write the year label as {label[:4]}/{label[-2:]}"), pos,
        _region(toks, pos, at_boundary=False))


def _dashed_year_label(text: str, pos: int) -> str | None:
    """``2014-15`` where a year label is due (the lexer stops at the `-`): the label."""
    m = _DASHED_LABEL.match(text, pos - 4) if pos >= 4 else None
    return m.group(0) if m else None


_DASHED_LABEL = re.compile(r"(?<![0-9.])[0-9]{4}-(?:[0-9]{4}|[0-9]{2})(?![0-9-])")


def _comment_region(text: str, pos: int) -> tuple[int, int]:
    """A ``// ...`` comment runs to the end of its line: blank that much and go on."""
    end = text.find("\n", pos)
    return (pos, len(text) if end < 0 else end)


def _unexpected_token(err: UnexpectedToken, text: str, file: str,
                      toks: list[_Tok]) -> _Explained:
    tok: Token = err.token
    expected = _accepted(err) - {"WORD"}
    keywords = _keyword_terminals()
    word = str(tok)
    pos = tok.start_pos if tok.start_pos is not None else 0
    span = _span_at(file, tok.line or 1, tok.column or 1, len(word.split("\n")[0]))
    ctx = _context(text, toks, pos)
    found = _shown(word)
    expected_kw = sorted(keywords[n] for n in expected if n in keywords)
    # Between statements the parser accepts the block's closing `}` (the accepted set is
    # exact, see _accepted). A statement keyword alone says nothing: `commissioner` is also
    # a role, and `annual_value` stands inside the spend-share sentence.
    at_boundary = "RBRACE" in expected
    prev = _previous_word(toks, pos)
    hint: str | None

    # `-` is a token of conditions (`referred_on - 2 weeks`), so `2014-15` reaches the
    # parser as 2014, `-`, 15: the same mistake as when the lexer stopped at the `-`.
    label = _dashed_year_label(text, pos) if word == "-" else None
    if label is not None:
        return _dashed_label_error(label, text, file, toks, pos)
    if expected <= {"$END"} and expected:
        msg = f"unexpected {found} after the end of the contract"
        hint = ("the contract's closing `}` comes before this; check for an extra `}` above, "
                "or move this inside the contract")
        return _Explained(Diagnostic("E001", msg, span, hint), pos, None)

    if ctx.header is not None and "LBRACE" in expected:
        block = ctx.header
        if expected == {"LBRACE"}:
            msg = f"expected `{{` to open the {block} block, found {found}"
        else:
            msg = f"expected {_expected_words(expected)} in the {block} block's first line, " \
                  f"found {found}"
        hint = _hint_for(word, expected) or "a block's settings stand between `{` and `}`"
        if tok.type == "WORD":
            hint = _did_you_mean(word, expected_kw) or hint
        # Without its `{`, the block's `}` closes the wrong block: anything further would
        # be an echo, so stop here.
        return _Explained(Diagnostic("E001", msg, span, hint), pos, None)

    special = _lexical_slip(tok, text, pos, span)
    if special is not None:
        return _Explained(special, pos, _region(toks, pos, at_boundary=at_boundary))

    if at_boundary and ctx.block is not None:
        block = ctx.block
        takes = _BLOCK_TAKES.get(block)
        hint = f"the {block} block takes: {takes}" if takes else None
        if word in _STMT_WORDS:
            outer = [b for b, _ in ctx.stack[:-1]]
            home = _BELONGS.get(word, "outcome")
            if home in outer or (word == "indicator" and outer):
                # Most likely a `}` is missing; what follows would all be out of place, so
                # report this once and stop.
                msg = f"`{word}` cannot stand inside the {block} block"
                hint = (f"did you forget a `}}` to close the {block} block opened on line "
                        f"{ctx.block_line}?")
                return _Explained(Diagnostic("E001", msg, span, hint), pos, None)
            else:
                msg = f"`{word}` is not a setting of the {block} block"
                hint = f"`{word}` belongs in {_article(home)} {home} block"
        elif tok.type == "ID" and word.lower() in _STMT_WORDS:
            msg = f"unexpected `{word}` in the {block} block"
            hint = f"keywords are lower case: write `{word.lower()}`"
        elif tok.type == "WORD":
            msg = f"unknown setting `{word}` in the {block} block"
            hint = _did_you_mean(word, expected_kw) or hint
        elif "COMMA" in expected and tok.type in {"ID", "MONEY", "PERCENT", "NUMBER"}:
            msg = f"expected `,` or a new setting after `{prev}`, found {found}"
            hint = "separate the items of a list with `,`"
        else:
            msg = f"expected a setting of the {block} block, found {found}"
            if tok.type == "ID" and "ID" not in expected:
                msg = f"unexpected {found} in the {block} block"
        hint = hint or "each statement starts with its keyword, e.g. `floor`"
        return _Explained(Diagnostic("E001", msg, span, hint), pos,
                          _region(toks, pos, at_boundary=True))

    what = _expected_words(expected)
    after = f" after `{_clip(prev)}`" if prev else ""
    msg = f"expected {what}{after}, found {found}" if what else f"unexpected {found}{after}"
    hint = _hint_for(word, expected)
    if tok.type == "WORD" and expected_kw:
        hint = _did_you_mean(word, expected_kw) or hint
    if hint is None and tok.type == "ID" and word.lower() in expected_kw:
        hint = f"keywords are lower case: write `{word.lower()}`"
    if hint is None and tok.type == "WORD" and "ID" in expected:
        hint = "identifiers start with a capital letter, e.g. `EIP14`"
    if word == "working" and _statement_key(toks, pos) == "pay_invoices":
        hint = ("prompt payment counts calendar days, not working days: write "
                "`within 30 days of receipt`")
    if hint is None:
        hint = _statement_hint(toks, pos) or (
            'a contract file holds one `contract ID "Title" { ... }`' if ctx.block is None
            else "check the statement against the language reference (docs/language.md)")
    return _Explained(Diagnostic("E001", msg, span, hint), pos,
                      _region(toks, pos, at_boundary=False, block=ctx.block))


def _accepted(err: UnexpectedToken) -> set[str]:
    """The terminals the parser really accepts where ``err`` happened.

    LALR merges lookaheads, so ``err.expected`` after a reduction may name tokens that are
    not acceptable here (after `baseline 3.6` it offers `}` and a new setting, not `in`).
    The interactive parser tries each terminal and gives the exact set.
    """
    ip = getattr(err, "interactive_parser", None)
    if ip is not None:
        try:
            accepted = set(ip.accepts())
        except UnexpectedInput:  # pragma: no cover - lark raises only on a broken state
            accepted = set()
        if accepted:
            return accepted
    return set(err.expected or ())


def _lexical_slip(tok: Token, text: str, pos: int, span: Span) -> Diagnostic | None:
    """Amounts the lexer split in two: ``1,000`` (a separator) and ``£1.5M`` (a capital M).

    Both read as a number followed by something unexpected; the author wrote one amount, so
    say what is wrong with the amount (E004) rather than with the grammar.
    """
    before = text[:pos]
    number = re.search(r"£?[0-9][0-9.,]*$", before)
    if number is None:
        return None
    start = pos - len(number.group(0))
    line, col = _line_col(text, start)
    whole = re.match(r"£?[0-9][0-9.,]*[A-Za-z%]?", text[start:])
    written = whole.group(0) if whole else number.group(0)
    at = Span(file=span.file, line=line, column=col, end_line=line, end_column=col + len(written))
    if str(tok) == "," and re.match(r",[0-9]{3}(?![0-9])", text[pos:]):
        plain = written.replace(",", "")
        return Diagnostic("E004", f"`{written}`: numbers take no thousands separators", at,
                          f"write {plain}")
    if tok.type == "ID" and str(tok) in {"M", "K"}:
        return Diagnostic("E004", f"`{written}`: short forms use a lower-case `m` or `k`", at,
                          f"write {written[:-1]}{written[-1].lower()}")
    return None


def _statement_hint(toks: list[_Tok], pos: int) -> str | None:
    """How the statement holding ``pos`` should read, e.g. "write it like `unit percent`"."""
    key = _statement_key(toks, pos)
    return None if key is None else f"the statement reads like `{_EXAMPLES[key]}`"


def _statement_key(toks: list[_Tok], pos: int) -> str | None:
    """The key in ``_EXAMPLES`` of the statement holding ``pos``, if any."""
    k = next((i for i, t in enumerate(toks) if t.end > pos), len(toks)) - 1
    while k >= 0 and toks[k].text not in ("{", "}") and not _is_stmt_start(toks, k):
        k -= 1
    if k < 0 or toks[k].text in ("{", "}"):
        return None
    word = toks[k].text
    if word not in _EXAMPLES:  # a duty sentence: `PARTY shall VERB ...`
        verb = toks[k + 2].text if k + 2 < len(toks) and toks[k + 2].start < pos else "shall"
        word = verb if verb in _EXAMPLES else "shall"
        # Two sentences start `shall pay`; the word after `pay` says which one was meant.
        if word == "pay" and k + 3 < len(toks) and toks[k + 3].start < pos:
            word = _PAY_SENTENCES.get(toks[k + 3].text, word)
    if word == "price" and _open_block(toks, k) == "capitation":
        word = "tier_price"
    return word


def _open_block(toks: list[_Tok], k: int) -> str | None:
    """The keyword of the innermost block still open at token ``k`` (braces counted)."""
    depth = 0
    for i in range(k - 1, -1, -1):
        if toks[i].text == "}":
            depth += 1
        elif toks[i].text == "{":
            if depth == 0:
                return toks[i - 1].text if i > 0 else None
            depth -= 1
    return None


# `shall pay at ...` is the spend-share duty; `shall pay subcontractor ...` prompt payment.
_PAY_SENTENCES = {"at": "pay_share", "subcontractor": "pay_invoices"}


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _clip(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= 40 else text[:37] + "..."


# ---- recovery ------------------------------------------------------------------------------
def _region(toks: list[_Tok], pos: int, *, at_boundary: bool,
            block: str | None = None) -> tuple[int, int] | None:
    """The text to blank out after an error at ``pos``: the statement that holds it.

    At a statement boundary the bad statement starts at ``pos``; otherwise it started at the
    last statement keyword before ``pos`` (never looking past a brace). The region runs to the
    next statement keyword or ``}``, and swallows a whole ``{ ... }`` block if it reaches one.
    None when recovery would only produce echoes (an error in the contract's own header).
    """
    i = next((k for k, t in enumerate(toks) if t.end > pos), len(toks))
    if i == len(toks):
        return None
    start_i = i
    if not at_boundary:
        k = i - 1
        while k >= 0 and toks[k].text not in ("{", "}") and not _is_stmt_start(toks, k):
            k -= 1
        # With no statement keyword since the last brace, the statement began just after
        # that brace (a duty sentence with its `shall` missing, say).
        start_i = k if k >= 0 and toks[k].text not in ("{", "}") else k + 1
    if toks[start_i].text == "contract" and start_i == 0:
        return None
    j = start_i
    while j < len(toks):
        t = toks[j].text
        if t == "}" and j > start_i:
            break
        if t == "}" and j == start_i:
            return None  # an unexpected `}`: nothing sensible to blank
        if j > start_i and j >= i and _is_stmt_start(toks, j) and not _foreign(
                toks[j].text, block):
            break
        if t == "{":
            depth = 0
            while j < len(toks):
                if toks[j].text == "{":
                    depth += 1
                elif toks[j].text == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            j += 1
            break
        j += 1
    end = toks[j - 1].end if j - 1 < len(toks) else toks[-1].end
    # At a boundary the error may sit inside one of our (coarser) words, as the `,` of
    # `1,000` does: blank from the error on, keeping the good `1` before it.
    start = max(toks[start_i].start, pos) if at_boundary else toks[start_i].start
    return (start, end)


def _foreign(word: str, block: str | None) -> bool:
    """True if statement keyword ``word`` cannot start a statement in ``block``.

    Found after an error inside a statement (`pay at least 8% annual_value` lacks its `of`,
    `party P "N" rol commissioner` misspells `role`), such a keyword is part of the bad
    statement, not the start of the next one.
    """
    home = _BELONGS.get(word)
    return block is not None and home is not None and home != block


def _mask(text: str, region: tuple[int, int]) -> str:
    a, b = region
    return text[:a] + re.sub(r"[^\n]", " ", text[a:b]) + text[b:]


def parse(text: str, file: str) -> tuple[Tree[Token] | None, list[Diagnostic]]:
    """Parse ``text`` (from ``file``): the tree, or None and every syntax error found."""
    try:
        return parser().parse(text), []
    except UnexpectedInput as first:
        err: UnexpectedInput = first
    diags: list[Diagnostic] = []
    masked = text
    last = -1
    for _ in range(MAX_SYNTAX_ERRORS):
        toks = _scan(masked)
        if diags and not toks:
            break  # everything was blanked out: "no contract" would only echo the first error
        explained = _explain(err, masked, file, toks)
        if explained.pos <= last and explained.region is not None:
            break
        diags.append(explained.diagnostic)
        last = explained.pos
        region = explained.region
        if region is None or not masked[region[0]:region[1]].strip():
            break
        masked = _mask(masked, region)
        try:
            parser().parse(masked)
            break
        except UnexpectedInput as again:
            err = again
    return None, diags
