"""The CLI's one top-level guard: an unexpected exception is a bug, never a result.

CLI.md: exit 1 means "the check ran and found breaches", so a Python traceback that also
exits 1 would let CI mistake a crash for a breach. Every command therefore runs inside
:class:`GuardedGroup`, which turns any exception that is not the CLI's own way of exiting
into one line on stderr (code E099, the command, the version, "this is a bug") and exit 3.
The traceback is printed only with ``--debug``. Bad input is never handled here: it is a
diagnostic and exit 2 long before; this is the net under the net.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import typer
from typer.core import TyperGroup

from obc_check import __version__
from obc_check.diagnostics import Diagnostic
from obc_check.textsafe import printable

#: The exit status of an internal error (CLI.md).
EXIT_INTERNAL = 3
#: The most of an exception's own message the one line quotes (it may hold a whole input).
MAX_DETAIL = 200


def exit_for(diags: list[Diagnostic]) -> int:
    """The exit status for a run that stopped at these diagnostics: 3 if one is E099, else 2."""
    return EXIT_INTERNAL if any(d.code == "E099" for d in diags) else 2


def hoist_debug(argv: list[str]) -> list[str]:
    """Move ``--debug`` to the front, so ``obc-check check ... --debug`` works too.

    ``--debug`` is an option of the whole program (typer parses it before the command);
    people add it at the end of the command that failed. Only arguments before a ``--``
    are looked at, so a file really named ``--debug`` can still be passed after ``--``.
    """
    end = argv.index("--") if "--" in argv else len(argv)
    if "--debug" not in argv[:end]:
        return argv
    rest = [a for a in argv[:end] if a != "--debug"]
    return ["--debug", *rest, *argv[end:]]


def internal_error_line(command: str, err: BaseException, *, debug: bool = False) -> str:
    """The one line an internal error prints (after the traceback with ``--debug``).

    A module that cannot be imported is a broken installation, not a bug in obc-check: the
    line says which module is missing and how to reinstall, still as E099 and exit 3 (the
    input was not at fault, so 2 would mislead; CLI.md has no other status for it).
    """
    if isinstance(err, ModuleNotFoundError) and err.name:
        module = printable(err.name)[:MAX_DETAIL]
        return (f"obc-check {command}: error[E099]: the installation of obc-check "
                f"{__version__} is incomplete: the module '{module}' it needs cannot be "
                "imported; reinstall it (`pip install --force-reinstall obc-check`, or "
                "`make demo` in a checkout)")
    detail = printable(str(err))
    if len(detail) > MAX_DETAIL:
        detail = detail[:MAX_DETAIL] + "…"
    what = type(err).__name__ + (f": {detail}" if detail else "")
    return (f"obc-check {command}: error[E099]: internal error ({what}); this is a bug in "
            f"obc-check {__version__}: please report it with the command and its input "
            + ("(the traceback is above)" if debug else
               "(run it again with --debug for the traceback)"))


def _is_exit(err: BaseException) -> bool:
    """The CLI's own ways of ending a command: typer.Exit/Abort and usage errors.

    Usage errors (click's or typer's vendored click's) carry an ``exit_code``; checking for
    it keeps the guard right across typer versions.
    """
    return isinstance(err, typer.Exit | typer.Abort) or hasattr(err, "exit_code")


class GuardedGroup(TyperGroup):
    """The command group, with :func:`internal_error_line` around every command."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command; turn an unexpected exception into E099 and exit 3."""
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # `obc-check check ... | head`: the reader left; not a bug, nothing more to say.
            # Point stdout at /dev/null so Python's own flush at exit does not complain.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(141) from None
        except Exception as err:
            if _is_exit(err):
                raise
            debug = bool(ctx.params.get("debug"))
            if debug:
                traceback.print_exc(file=sys.stderr)
            command = ctx.invoked_subcommand or ctx.info_name or "obc-check"
            typer.echo(internal_error_line(command, err, debug=debug), err=True)
            raise typer.Exit(EXIT_INTERNAL) from None
