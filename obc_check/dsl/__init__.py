"""The .obc language: parse text, build the compiled model, run static checks.

``compile_text`` and ``compile_file`` are the library entry points; every diagnostic of a
file comes back in one list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from obc_check.diagnostics import Diagnostic, has_errors
from obc_check.dsl.build import build
from obc_check.dsl.checks import run_checks
from obc_check.dsl.parse import parse
from obc_check.dsl.transform import ToSyntax
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
    """Parse, build and check ``text``; the contract is None when there are errors."""
    tree, diags = parse(text, file)
    if tree is None:
        return Compiled(file, text, None, diags)
    root = ToSyntax(file, diags).transform(tree)
    contract = build(root, diags)
    if contract is not None:
        diags.extend(run_checks(contract))
    if has_errors(diags):
        contract = None
    return Compiled(file, text, contract, diags)


def read_source(path: Path, display: str | None = None) -> tuple[str | None, Diagnostic | None]:
    """Read a contract file, or say in one line why it cannot be read (E090)."""
    name = display or str(path)

    def bad(msg: str, hint: str) -> tuple[None, Diagnostic]:
        return None, Diagnostic("E090", msg, None, hint, file=name)

    if not path.exists():
        return bad("no such file", "check the path")
    if path.is_dir():
        return bad("is a directory, not a contract file", "name an .obc file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return bad(f"is {size:,} bytes; a contract may be at most {MAX_BYTES:,} bytes",
                       "is this really a contract?")
        data = path.read_bytes()
    except OSError as err:
        return bad(f"cannot be read: {err.strerror}", "check the permissions")
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


__all__ = ["Compiled", "compile_file", "compile_text", "read_source"]
