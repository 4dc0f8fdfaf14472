"""The .obc language: parse text, build the compiled model, run static checks.

``compile_text`` and ``compile_file`` are the library entry points; every diagnostic of a
file comes back in one list.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lark.exceptions import LarkError
from pydantic import ValidationError

from obc_check.diagnostics import Diagnostic, Span, has_errors
from obc_check.dsl.allow import silence
from obc_check.dsl.build import build_and_check
from obc_check.dsl.lints import run_lints
from obc_check.dsl.parse import parse
from obc_check.dsl.transform import TOO_LONG, ToSyntax
from obc_check.filekinds import path_kind
from obc_check.model import Contract

# A contract is a hand-written document; refuse anything far larger before reading it whole.
MAX_BYTES = 8 * 1024 * 1024


@dataclass
class Compiled:
    """The result of compiling one file: the contract (if it compiled) and diagnostics."""

    file: str
    source: str
    contract: Contract | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the contract compiled without errors."""
        return self.contract is not None and not has_errors(self.diagnostics)


def compile_text(text: str, file: str = "<text>") -> Compiled:
    """Parse, build and check ``text``; the contract is None when there are errors.

    Every problem with the text comes back as a diagnostic, never as an exception. Should the
    builder ever trip over input it did not foresee (a pydantic ``ValidationError``, a lark
    error out of a transformer callback), that is a bug in obc-check: it is reported as E099
    at the start of the file rather than as a traceback, and the fuzz tests fail on it.
    """
    with _no_cyclic_gc():
        return _compile(line_breaks(text), file)


_LONE_CR = re.compile(r"\r(?!\n)")


def line_breaks(text: str) -> str:
    """``text`` with every lone carriage return made a line feed (CRLF is left as it is).

    Old Mac files break lines with CR alone. The grammar and the diagnostics count lines by
    LF, so such a file read as one line: one giant comment after the first ``#`` (E002 "no
    contract") and the whole file echoed as the source line. The CSV reader already takes a
    lone CR as a line break; so does the language. One character for one, so every offset
    and column stays where it was.
    """
    return _LONE_CR.sub("\n", text) if "\r" in text else text


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while compiling.

    Parsing makes hundreds of thousands of small objects (tokens, tree nodes, spans) and no
    reference cycles; the collector, triggered by the allocation count, would scan them all
    again and again, which costs a third of a large compile. Reference counting still frees
    everything; the collector is switched back on (if it was on) when the compile is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _compile(text: str, file: str) -> Compiled:
    tree, diags = parse(text, file)
    if tree is None:
        return Compiled(file, text, None, diags)
    try:
        root = ToSyntax(file, diags).transform(tree)
        # A number too long to read is reported alone, like a syntax error: building from
        # a stand-in value would only add misleading follow-on diagnostics.
        if any(d.code == TOO_LONG for d in diags):
            return Compiled(file, text, None, diags)
        contract = build_and_check(root, diags)
        if contract is not None and not has_errors(diags):
            diags.extend(silence(run_lints(contract, root), root, text))
    except (ValidationError, LarkError, ArithmeticError, ValueError) as err:
        diags.append(Diagnostic("E099", f"internal error while compiling: {type(err).__name__}",
                                Span(file=file, line=1, column=1, end_line=1, end_column=2),
                                "this is a bug in obc-check; please report it with the file"))
        contract = None
    if has_errors(diags):
        contract = None
    return Compiled(file, text, contract, diags)


def read_source(path: Path, display: str | None = None) -> tuple[str | None, Diagnostic | None]:
    """Read a contract file, or say in one line why it cannot be read (E090)."""
    name = display or str(path)

    def bad(msg: str, hint: str) -> tuple[None, Diagnostic]:
        return None, Diagnostic("E090", msg, None, hint, file=name)

    too_big = (f"is larger than {MAX_BYTES:,} bytes, the most a contract file may be",
               "a contract is a hand-written document; is this the right file?")
    try:
        kind = path_kind(path)  # before any open: a FIFO would block it forever
        if kind.kind == "missing":
            return bad("no such file", "check the path")
        if kind.kind == "folder":
            return bad("is a directory, not a contract file", "name an .obc file")
        if kind.kind == "refused":
            return bad(kind.why, "name an .obc file")
        # The size check comes before reading, and the read itself is bounded, so a huge
        # (or growing) file never lands in memory whole.
        if path.stat().st_size > MAX_BYTES:
            return bad(*too_big)
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            return bad(*too_big)
    except OSError as err:
        return bad(f"cannot be read: {err.strerror or err}", "check the path and permissions")
    return decode_source(data, name)


def read_stream(stream: BinaryIO, name: str = "-") -> tuple[str | None, Diagnostic | None]:
    """Read a contract from a byte stream (``fmt -`` reads standard input), bounded in size.

    Reading bytes, not text, lets a non-UTF-8 input be named as such (E090) rather than
    reaching the parser as surrogate escapes ("unexpected character U+DCFF").
    """
    try:
        data = stream.read(MAX_BYTES + 1)
    except OSError as err:
        return None, Diagnostic("E090", f"cannot be read: {err.strerror or err}", None,
                                "check the input", file=name)
    if len(data) > MAX_BYTES:
        return None, Diagnostic(
            "E090", f"is larger than {MAX_BYTES:,} bytes, the most a contract file may be",
            None, "a contract is a hand-written document; is this the right file?", file=name)
    return decode_source(data, name)


def decode_source(data: bytes, name: str) -> tuple[str | None, Diagnostic | None]:
    """A contract's bytes as text, or why they are not a contract (E090): UTF-8, not empty."""
    def bad(msg: str, hint: str) -> tuple[None, Diagnostic]:
        return None, Diagnostic("E090", msg, None, hint, file=name)

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return bad(f"is not UTF-8 text (byte 0x{data[err.start]:02x} on line {line})",
                   "save the file as UTF-8")
    if not text.strip():
        return bad("is empty", "a contract file holds one `contract ID \"Title\" { ... }`")
    return text.removeprefix("\ufeff"), None


def compile_file(path: Path | str, display: str | None = None) -> Compiled:
    """Compile the contract at ``path``."""
    p = Path(path)
    name = display or str(path)
    text, problem = read_source(p, name)
    if text is None:
        return Compiled(name, "", None, [problem] if problem else [])
    return compile_text(text, name)


__all__ = ["Compiled", "compile_file", "compile_text", "decode_source", "line_breaks",
           "read_source", "read_stream"]
